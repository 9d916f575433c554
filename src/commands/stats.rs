//! `incident stats`: response metrics over a period, from the timeline.

use crate::context::Ctx;
use crate::domain::stats::{self, Settled, Spread, Summary, TargetTally};
use crate::domain::targets::{self, Facts};
use crate::domain::{Incident, Status};
use crate::output;
use crate::store::ReadsExt;
use crate::store::facts::{self, History};
use crate::store::{Access, ActionFilter, ListFilter, Order, Store};
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

    /// Break the figures down by service, category or tag:KEY
    #[arg(long, value_name = "WHAT", value_parser = stats::By::parse)]
    pub by: Option<stats::By>,

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
        let by = args.by.as_ref().map(|_| {
            by_group
                .into_iter()
                .map(|(name, g)| {
                    let s = g.finish();
                    GroupView {
                        name,
                        incidents: s.incidents,
                        time_to_detect: s.time_to_detect,
                        time_to_acknowledge: s.time_to_acknowledge,
                        time_to_resolve: s.time_to_resolve,
                    }
                })
                .collect::<Vec<_>>()
        });
        return report(ctx, &store, &args, &severities, since, summarizer.finish(), by);
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
    report(ctx, &store, &args, &severities, since, summarizer.finish(), None)
}

fn report(
    ctx: &Ctx,
    store: &Store,
    args: &StatsArgs,
    severities: &[String],
    since: DateTime<Utc>,
    summary: Summary,
    by: Option<Vec<GroupView>>,
) -> Result<()> {
    let actions = action_item_counts(ctx, store)?;
    let retro = summary.retros();

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
        });
    }
    let mut out = output::stdout();
    if args.drills {
        writeln!(out, "DRILLS (rehearsals), not real incidents")?;
    }
    write_human(&mut out, &summary, since, ctx.now)?;
    if let (Some(by), Some(what)) = (&by, &args.by) {
        let what = match what {
            stats::By::Service => "SERVICE".to_string(),
            stats::By::Category => "CATEGORY".to_string(),
            stats::By::Tag(key) => key.to_uppercase(),
        };
        let span = |d: Option<chrono::Duration>| d.map(compact).unwrap_or_else(|| "-".into());
        let mut table = output::table([what.as_str(), "N", "DETECT", "ACKNOWLEDGE", "RESOLVE"]);
        for g in by {
            table.add_row(vec![
                Cell::new(crate::text::one_line(&output::shown(&g.name))),
                Cell::new(g.incidents),
                Cell::new(span(g.time_to_detect.median)),
                Cell::new(span(g.time_to_acknowledge.median)),
                Cell::new(span(g.time_to_resolve.median)),
            ]);
        }
        writeln!(out)?;
        writeln!(out, "Median time to, by {}", what.to_lowercase())?;
        output::print_table(&mut out, &table)?;
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
