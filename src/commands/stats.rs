//! `incident stats`: response metrics over a period, from the timeline.

use crate::context::Ctx;
use crate::domain::stats::{self, Settled, Spread, Summary, TargetTally};
use crate::domain::targets::{self, Facts};
use crate::domain::trends::{self, Because, ChangeFailures, Occurrence, Repeat};
use crate::domain::{EventData, EventKind, Incident, Status};
use crate::output;
use crate::store::ReadsExt;
use crate::store::facts::{self, History};
use crate::store::{Access, ActionFilter, EventQuery, ListFilter, Of, Order, Range, Store};
use crate::time::{compact, human, to_rfc3339};
use anyhow::Result;
use chrono::{DateTime, Local, Utc};
use clap::Args;
use comfy_table::Cell;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident stats
  incident stats --since 365d --by service
  incident stats --since 365d --by month
  incident stats --changes --change-window 2h
  incident stats --repeats --json
  incident stats --drills")]
pub struct StatsArgs {
    /// Incidents declared since: a duration back from now (90d) or a time
    #[arg(long, value_name = "WHEN", default_value = "90d")]
    pub since: String,

    /// Only incidents of these severities (repeat or separate with commas)
    #[arg(long, short, value_name = "LEVEL", value_delimiter = ',')]
    pub severity: Vec<String>,

    /// Only incidents carrying this tag: key=value (repeatable; all must match)
    #[arg(long = "tag", value_name = "KEY=VALUE", value_parser = crate::text::tag_arg)]
    pub tags: Vec<(String, String)>,

    /// Break the figures down by month, service, category, severity or tag:KEY
    #[arg(long, value_name = "WHAT", value_parser = stats::By::parse)]
    pub by: Option<stats::By>,

    /// List each change of the period with the incidents that followed it
    #[arg(long)]
    pub changes: bool,

    /// How long after a change an incident on its service counts against it
    #[arg(long, value_name = "DURATION", default_value = trends::CHANGE_WINDOW)]
    pub change_window: String,

    /// Count and list repeated incidents (a similar one on the same service, or the same alert, within 30 days)
    #[arg(long)]
    pub repeats: bool,

    /// Report drills (rehearsals) on their own, instead of real incidents
    #[arg(long)]
    pub drills: bool,
}

/// One group of `--by`.
#[derive(Serialize)]
struct GroupView {
    name: String,
    incidents: usize,
    time_to_detect: Spread,
    time_to_acknowledge: Spread,
    time_to_resolve: Spread,
    /// Every response target of the group's incidents, all targets together.
    targets: TargetsView,
}

/// How often targets were met: on time, late, missed (not met and past
/// due) and not due yet; the share is on time out of those due.
#[derive(Serialize)]
struct TargetsView {
    on_time: usize,
    late: usize,
    missed: usize,
    not_due: usize,
    share_on_time: Option<f64>,
}

impl From<&TargetTally> for TargetsView {
    fn from(t: &TargetTally) -> Self {
        TargetsView {
            on_time: t.on_time,
            late: t.late,
            missed: t.missed,
            not_due: t.not_due,
            share_on_time: t.share(),
        }
    }
}

/// The change failure rate (`--json`'s `change_failure`).
#[derive(Serialize)]
struct ChangeFailureView {
    window_seconds: i64,
    changes: usize,
    failed: usize,
    rate: Option<f64>,
    without_service: usize,
    /// With `--changes`: each change and the incidents that followed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    list: Option<Vec<ChangeView>>,
}

#[derive(Serialize)]
struct ChangeView {
    #[serde(flatten)]
    change: crate::domain::plans::ChangeRecord,
    /// The keys of the incidents that followed it.
    incidents: Vec<String>,
}

/// Repeated incidents (`--json`'s `repeats`, with `--repeats`).
#[derive(Serialize)]
struct RepeatsView {
    count: usize,
    list: Vec<RepeatView>,
}

#[derive(Serialize)]
struct RepeatView {
    earlier: String,
    later: String,
    #[serde(flatten)]
    because: Because,
}

/// What the report shows beside the summary: the `--by` groups, and the
/// change failures and repeats (`None` for drills, which neither fail a
/// change nor repeat an incident).
struct Trends {
    by: Option<Vec<GroupView>>,
    window: chrono::Duration,
    failures: Option<ChangeFailures>,
    repeats: Option<Vec<Repeat>>,
}

#[derive(Serialize)]
struct StatsView<'a> {
    since: String,
    until: String,
    severity: &'a [String],
    /// Drills only (`--drills`); otherwise drills are left out.
    drills: bool,
    tags: BTreeMap<&'a str, &'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<Vec<GroupView>>,
    #[serde(flatten)]
    summary: &'a Summary,
    /// Retros completed within the retro target of resolution.
    retros: RetroView,
    /// Open and overdue action items, across all incidents.
    action_items: ActionItemCounts,
    #[serde(skip_serializing_if = "Option::is_none")]
    change_failure: Option<ChangeFailureView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repeats: Option<RepeatsView>,
}

#[derive(Serialize)]
struct RetroView {
    on_time: usize,
    late: usize,
    overdue: usize,
    not_due: usize,
    share_on_time: Option<f64>,
}

/// Open and overdue action items.
#[derive(Debug, Serialize)]
pub struct ActionItemCounts {
    pub open: usize,
    pub overdue: usize,
}

/// Follow-up work as it stands now, across all incidents: action items are
/// followed up whenever their incident happened.
fn action_item_counts(ctx: &Ctx, store: &Store) -> Result<ActionItemCounts> {
    let open = store.actions(&ActionFilter {
        open: true,
        ..ActionFilter::default()
    })?;
    let today = ctx.now.with_timezone(&chrono::Local).date_naive();
    Ok(ActionItemCounts {
        open: open.len(),
        overdue: open.iter().filter(|a| a.is_overdue(today)).count(),
    })
}

pub fn run(ctx: &Ctx, args: StatsArgs) -> Result<()> {
    let config = ctx.config()?;
    let since = ctx.since("--since", &args.since)?;
    let window = crate::time::parse_duration(&args.change_window)
        .map_err(|e| crate::error::usage(format!("--change-window: {e}")))?;
    let severities = args
        .severity
        .iter()
        .map(|s| config.level(s).map(|l| l.name.clone()))
        .collect::<Result<Vec<_>>>()?;
    let filter = ListFilter {
        since: Some(since),
        severities: severities.clone(),
        // Drills are practice: never counted with real incidents.
        drill: Some(args.drills),
        tags: args.tags.clone(),
        ..ListFilter::default()
    };
    let mut store = ctx.open(Access::Read)?;
    let levels: Vec<String> = config.levels.iter().map(|l| l.name.clone()).collect();
    let mut summarizer = stats::Summarizer::new(&levels);
    let evaluate = |incident: &Incident, facts: &Facts| {
        targets::evaluate_facts(incident, facts, &config.levels, ctx.now, config.check_within)
    };
    // The groups need the whole incident row.
    let mut groups: HashMap<i64, Vec<String>> = HashMap::new();
    if let Some(by) = &args.by {
        store.each_incident(&filter, Order::Number, &mut |incident| {
            groups.insert(incident.id, by.groups(&incident));
            Ok(())
        })?;
    }
    // The settled cache holds real incidents by severity and category only:
    // drills, tags and breakdowns are evaluated afresh.
    if args.drills || !args.tags.is_empty() || args.by.is_some() {
        let mut by_group: BTreeMap<String, stats::Summarizer> = BTreeMap::new();
        facts::each(&*store, &filter, History::Read, |incident, facts| {
            let targets = evaluate(&incident, &facts);
            summarizer.add(&incident, &targets);
            for name in groups.get(&incident.id).into_iter().flatten() {
                by_group
                    .entry(name.clone())
                    .or_insert_with(|| stats::Summarizer::new(&levels))
                    .add(&incident, &targets);
            }
            Ok(())
        })?;
        let by = args.by.as_ref().map(|by| {
            let mut groups = by_group
                .into_iter()
                .map(|(name, g)| {
                    let s = g.finish();
                    // The last tally is every target's.
                    let all = s.targets.last().map(TargetsView::from);
                    GroupView {
                        name,
                        incidents: s.incidents,
                        time_to_detect: s.time_to_detect,
                        time_to_acknowledge: s.time_to_acknowledge,
                        time_to_resolve: s.time_to_resolve,
                        targets: all.unwrap_or(TargetsView {
                            on_time: 0,
                            late: 0,
                            missed: 0,
                            not_due: 0,
                            share_on_time: None,
                        }),
                    }
                })
                // A group only of canceled or duplicate incidents counts none.
                .filter(|g| g.incidents > 0)
                .collect::<Vec<_>>();
            // Severities in the configured order, the others after them;
            // everything else (months included) by name.
            if *by == stats::By::Severity {
                groups.sort_by_key(|g| levels.iter().position(|l| *l == g.name).unwrap_or(levels.len()));
            }
            groups
        });
        let trends = Trends {
            by,
            ..trends(ctx, &store, &args, &filter, since, window)?
        };
        return report(
            ctx,
            &store,
            &args,
            &severities,
            since,
            summarizer.finish(),
            trends,
        );
    }
    // Closed incidents are settled once under these targets, their times to
    // detect, acknowledge and resolve with them, and read back a month at a
    // time; the rest (and any the database could not store just now) are
    // evaluated from the state columns and update history.
    let key = stats::targets_key(&config.levels);
    let closed = ListFilter {
        statuses: vec![Status::Closed],
        ..filter.clone()
    };
    crate::store::settle::settle(
        store.backend(),
        key,
        &closed,
        crate::store::settle::BATCH,
        |incident, facts| Settled::of(incident, &evaluate(incident, facts), &config.levels),
    )?;
    // One snapshot: an incident settled or changed by another command in
    // between must be counted exactly once.
    // (The store reads in one snapshot until its next write.)
    for group in store.settled_groups(key, since)? {
        if severities.is_empty() || severities.contains(&group.severity) {
            summarizer.add_settled(&group);
        }
    }
    let unsettled = ListFilter {
        unsettled: Some(key),
        ..filter.clone()
    };
    facts::each(&*store, &unsettled, History::Read, |incident, facts| {
        summarizer.add(&incident, &evaluate(&incident, &facts));
        Ok(())
    })?;
    let trends = trends(ctx, &store, &args, &filter, since, window)?;
    report(
        ctx,
        &store,
        &args,
        &severities,
        since,
        summarizer.finish(),
        trends,
    )
}

/// The change failure rate and, with `--repeats`, the repeated incidents:
/// always read afresh (the changes of the period, the incidents they and
/// the repeats need, the alerts that belonged to those), never from the
/// stats cache, so the cache cannot change them.
fn trends(
    ctx: &Ctx,
    store: &Store,
    args: &StatsArgs,
    filter: &ListFilter,
    since: DateTime<Utc>,
    window: chrono::Duration,
) -> Result<Trends> {
    if args.drills {
        return Ok(Trends {
            by: None,
            window,
            failures: None,
            repeats: None,
        });
    }
    let changes = store.changes(since, ctx.now)?;
    // The incidents: from the first change on (an incident before every
    // change follows none), or from 30 days before the period for the
    // repeats (the first of a repeated pair may be older than the period).
    let from = match args.repeats {
        true => Some(since.checked_sub_signed(trends::repeat_within()).unwrap_or(since)),
        false => changes.first().map(|c| c.at.max(since)),
    };
    let mut occurrences = Vec::new();
    let mut selection = None;
    if let Some(from) = from {
        let f = ListFilter {
            since: Some(from),
            ..filter.clone()
        };
        store.each_brief(&f, &mut |i| {
            occurrences.extend(Occurrence::of(&i));
            Ok(())
        })?;
        selection = Some(f);
    }
    let failures = trends::change_failures(&changes, &occurrences, window);
    let repeats = match (args.repeats, &selection) {
        (true, Some(f)) => {
            // Every alert that was ever tied to each incident, from its
            // timeline: an alert's row names only the incident it belongs
            // to now, and a re-firing alert moves to the new one.
            let mut alerts: HashMap<i64, Vec<_>> = HashMap::new();
            let attached = store.events(EventQuery {
                of: Of::Selected(f),
                kinds: &[EventKind::AlertAttached],
                range: Range::All,
            })?;
            for e in attached {
                if let EventData::AlertAttached(a) = e.data {
                    alerts
                        .entry(e.incident_id)
                        .or_default()
                        .push((a.source, a.identity));
                }
            }
            Some(trends::repeats(&occurrences, &alerts, since))
        }
        _ => None,
    };
    Ok(Trends {
        by: None,
        window,
        failures: Some(failures),
        repeats,
    })
}

fn report(
    ctx: &Ctx,
    store: &Store,
    args: &StatsArgs,
    severities: &[String],
    since: DateTime<Utc>,
    summary: Summary,
    trends: Trends,
) -> Result<()> {
    let by = trends.by;
    let actions = action_item_counts(ctx, store)?;
    let retro = summary.retros();
    let key = |id: i64| ctx.key(id);

    if ctx.json() {
        return output::print_json(&StatsView {
            since: to_rfc3339(since),
            until: to_rfc3339(ctx.now),
            severity: severities,
            drills: args.drills,
            tags: args.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
            by,
            summary: &summary,
            retros: RetroView {
                on_time: retro.on_time,
                late: retro.late,
                overdue: retro.missed,
                not_due: retro.not_due,
                share_on_time: retro.share(),
            },
            action_items: actions,
            change_failure: match &trends.failures {
                Some(f) => Some(ChangeFailureView {
                    window_seconds: trends.window.num_seconds(),
                    changes: f.changes,
                    failed: f.failed,
                    rate: f.rate(),
                    without_service: f.without_service,
                    list: match args.changes {
                        true => Some(
                            f.list
                                .iter()
                                .map(|o| {
                                    Ok(ChangeView {
                                        change: o.change.clone(),
                                        incidents: o
                                            .incidents
                                            .iter()
                                            .map(|id| key(*id))
                                            .collect::<Result<_>>()?,
                                    })
                                })
                                .collect::<Result<_>>()?,
                        ),
                        false => None,
                    },
                }),
                None => None,
            },
            repeats: match &trends.repeats {
                Some(list) => Some(RepeatsView {
                    count: list.len(),
                    list: list
                        .iter()
                        .map(|r| {
                            Ok(RepeatView {
                                earlier: key(r.earlier)?,
                                later: key(r.later)?,
                                because: r.because.clone(),
                            })
                        })
                        .collect::<Result<_>>()?,
                }),
                None => None,
            },
        });
    }
    let mut out = output::stdout();
    if args.drills {
        writeln!(out, "DRILLS (rehearsals), not real incidents")?;
    }
    write_human(&mut out, &summary, since, ctx.now)?;
    if let (Some(by), Some(what)) = (&by, &args.by) {
        let what = match what {
            stats::By::Month => "MONTH".to_string(),
            stats::By::Service => "SERVICE".to_string(),
            stats::By::Category => "CATEGORY".to_string(),
            stats::By::Severity => "SEVERITY".to_string(),
            stats::By::Tag(key) => key.to_uppercase(),
        };
        let span = |s: &Spread| match (s.median, s.p90) {
            (Some(m), Some(p)) => format!("{} / {}", compact(m), compact(p)),
            _ => "-".into(),
        };
        let mut table = output::table([what.as_str(), "N", "DETECT", "ACKNOWLEDGE", "RESOLVE", "MET"]);
        for g in by {
            let t = &g.targets;
            let met = match t.share_on_time {
                Some(share) => format!(
                    "{}/{} {:.0}%",
                    t.on_time,
                    t.on_time + t.late + t.missed,
                    share * 100.0
                ),
                None => "-".into(),
            };
            table.add_row(vec![
                Cell::new(crate::text::one_line(&output::shown(&g.name))),
                Cell::new(g.incidents),
                Cell::new(span(&g.time_to_detect)),
                Cell::new(span(&g.time_to_acknowledge)),
                Cell::new(span(&g.time_to_resolve)),
                Cell::new(met),
            ]);
        }
        writeln!(out)?;
        output::write_wrapped(
            &mut out,
            "",
            &format!(
                "By {}: median / p90 time to detect, acknowledge and resolve; MET: response targets met on time of those due",
                what.to_lowercase()
            ),
        )?;
        output::print_table(&mut out, &table)?;
        writeln!(out)?;
    }
    if let Some(f) = &trends.failures {
        // As given (24h), not as normalised (1d00h).
        let within = crate::text::one_line(args.change_window.trim());
        let line = match f.rate() {
            Some(r) => format!(
                "Change failure rate: {} of {} change{} ({:.0}%) followed by an incident on their service within {within}",
                f.failed,
                f.changes,
                if f.changes == 1 { "" } else { "s" },
                r * 100.0
            ),
            None => "Change failure rate: - (no change recorded in the period)".into(),
        };
        // No head: a head wider than a narrow terminal is not wrapped.
        output::write_wrapped(&mut out, "", &line)?;
        if f.without_service > 0 {
            let s = if f.without_service == 1 { "" } else { "s" };
            output::write_wrapped(
                &mut out,
                "",
                &format!("({} change{s} with no service left out)", f.without_service),
            )?;
        }
        // One wrapped line each, not a table: five columns do not fit a
        // narrow terminal, and a line wraps at its words.
        if args.changes {
            for o in &f.list {
                let keys = o
                    .incidents
                    .iter()
                    .map(|id| key(*id))
                    .collect::<Result<Vec<_>>>()?;
                let followed = match keys.is_empty() {
                    true => "no incident".to_string(),
                    false => keys.join(", "),
                };
                output::write_wrapped(
                    &mut out,
                    "  ",
                    &format!(
                        "{}  change {} on {}: {} → {followed}",
                        human(o.change.at, &Local),
                        o.change.id,
                        crate::text::one_line(&o.change.services.join(", ")),
                        crate::text::one_line(&o.change.title),
                    ),
                )?;
            }
        }
        writeln!(out)?;
    }
    if let Some(list) = &trends.repeats {
        output::write_wrapped(
            &mut out,
            "",
            &format!(
                "Repeated incidents: {} (after a similar one on the same service, or one with the same alert, within 30 days)",
                list.len()
            ),
        )?;
        for r in list {
            let why = match &r.because {
                Because::SameAlert { source, identity } => {
                    format!("same alert {source} {}", crate::text::one_line(identity))
                }
                Because::SimilarTitle { service } => {
                    format!("similar title on {}", crate::text::one_line(service))
                }
            };
            output::write_wrapped(
                &mut out,
                "  ",
                &format!("{} → {}: {why}", key(r.earlier)?, key(r.later)?),
            )?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "Action items (all incidents): {} open, {} overdue",
        actions.open, actions.overdue
    )?;
    out.flush()?;
    Ok(())
}

fn write_human(out: &mut impl Write, s: &Summary, since: DateTime<Utc>, now: DateTime<Utc>) -> Result<()> {
    writeln!(
        out,
        "{} incident{} declared {} – {}",
        s.incidents,
        if s.incidents == 1 { "" } else { "s" },
        human(since, &Local),
        human(now, &Local)
    )?;
    let counts = |list: &[stats::Count]| {
        let parts: Vec<String> = list
            .iter()
            .filter(|c| c.count > 0)
            .map(|c| format!("{} {}", crate::text::one_line(&c.name), c.count))
            .collect();
        if parts.is_empty() {
            "-".to_string()
        } else {
            parts.join(", ")
        }
    };
    output::write_wrapped(out, "  by severity  ", &counts(&s.by_severity))?;
    output::write_wrapped(out, "  by category  ", &counts(&s.by_category))?;
    writeln!(out)?;

    let mut table = output::table(["TIME TO", "N", "MEDIAN", "P90"]);
    let span = |d: Option<chrono::Duration>| d.map(compact).unwrap_or_else(|| "-".into());
    for (name, spread) in [
        ("detect", &s.time_to_detect),
        ("acknowledge", &s.time_to_acknowledge),
        ("resolve", &s.time_to_resolve),
    ] {
        let Spread { count, median, p90 } = *spread;
        table.add_row(vec![
            Cell::new(name),
            Cell::new(count),
            Cell::new(span(median)),
            Cell::new(span(p90)),
        ]);
    }
    output::print_table(out, &table)?;
    writeln!(out)?;

    let mut table = output::table(["TARGET", "ON TIME", "LATE", "MISSED", "NOT DUE", "MET"]);
    for t in &s.targets {
        table.add_row(vec![
            Cell::new(t.target),
            Cell::new(t.on_time),
            Cell::new(t.late),
            Cell::new(t.missed),
            Cell::new(t.not_due),
            Cell::new(percent(t)),
        ]);
    }
    output::print_table(out, &table)?;
    writeln!(out)?;
    let r = s.retros();
    writeln!(
        out,
        "Retros completed on time: {} of {} ({}){}",
        r.on_time,
        r.on_time + r.late + r.missed,
        percent(r),
        if r.not_due > 0 {
            format!("; {} not due yet", r.not_due)
        } else {
            String::new()
        }
    )?;
    Ok(())
}

fn percent(t: &TargetTally) -> String {
    t.share()
        .map(|s| format!("{:.0}%", s * 100.0))
        .unwrap_or_else(|| "-".into())
}
