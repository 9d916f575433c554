//! `incident check`: every response target that is missed or coming due, for
//! cron and CI. Exit 3 when something is missed.

use crate::context::Ctx;
use crate::domain::retro::format_action_id;
use crate::domain::targets::{self, Deadline, Facts, Outcome, Target, Targets};
use crate::domain::{Incident, Status, paging, plans};
use crate::error::Failure;
use crate::output;
use crate::store::ReadsExt;
use crate::store::facts::{self, History};
use crate::store::{Access, ActionFilter, ListFilter, Order, Store};
use crate::text::one_line;
use crate::time::{compact, human, to_rfc3339};
use anyhow::Result;
use chrono::{DateTime, Duration, Local, NaiveDate, NaiveTime, TimeZone, Utc};
use clap::Args;
use comfy_table::Cell;
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident check
  incident check -w 1h
  incident --json check | jq .missed")]
pub struct CheckArgs {
    /// Also report targets due within this long [default: `[check] within` in the configuration, 15m]
    #[arg(long, short, value_name = "DURATION")]
    pub within: Option<String>,
}

/// One row of the report: something missed or coming due.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub key: String,
    pub title: String,
    pub severity: String,
    pub status: Status,
    /// `acknowledge`, `triage`, `update`, `remediate`, `retro`, or
    /// `action A-3` for an action item.
    pub target: String,
    pub deadline: String,
    /// `missed` or `due_soon`.
    pub state: Outcome,
    /// How late (missed) or how soon (due soon), in seconds; never negative.
    pub seconds: i64,
    /// A rehearsal's: listed, never a reason to exit 3.
    pub drill: bool,
    #[serde(skip)]
    due: DateTime<Utc>,
}

#[derive(Serialize)]
struct Report<'a> {
    now: String,
    within_seconds: i64,
    missed: usize,
    due_soon: usize,
    /// Missed targets of drills, listed but not counted in `missed`.
    drills_missed: usize,
    items: &'a [Row],
    /// Notification destinations failing or parked past `[check]
    /// deliveries`: stakeholders who hear nothing. Each counts as missed.
    deliveries: &'a [Trouble],
    /// Open incidents whose page ran through its policy unanswered: nobody
    /// has them. Each counts as missed.
    unanswered_pages: &'a [Unanswered],
}

/// A page nobody acknowledged.
#[derive(Debug, Clone, Serialize)]
struct Unanswered {
    key: String,
    policy: String,
}

/// A notification destination in trouble.
#[derive(Debug, Clone, Serialize)]
struct Trouble {
    destination: String,
    problem: String,
}

/// Below this many columns the report is not a table: deadline and time
/// left would squeeze the title to a word a line.
const NARROW: usize = 80;

/// `missed by 1h00m` or `due in 5m`.
fn when(r: &Row) -> String {
    match r.state {
        Outcome::Missed => format!("missed by {}", compact(Duration::seconds(r.seconds))),
        _ => format!("due in {}", compact(Duration::seconds(r.seconds))),
    }
}

pub fn run(ctx: &Ctx, args: CheckArgs) -> Result<()> {
    let config = ctx.config()?;
    let within = match &args.within {
        Some(text) => {
            crate::time::parse_duration(text).map_err(|e| crate::error::usage(format!("--within: {e}")))?
        }
        None => config.check_within,
    };
    let store = ctx.open(Access::Read)?;
    let mut rows = target_rows(ctx, &store, within)?;
    rows.extend(overdue_action_items(ctx, &store, within)?);
    // Missed first, longest overdue first; then what comes due soonest.
    rows.sort_by_key(|r| (r.state != Outcome::Missed, r.due, r.key.clone()));
    let drills_missed = rows
        .iter()
        .filter(|r| r.state == Outcome::Missed && r.drill)
        .count();
    let troubles = delivery_troubles(ctx, &store)?;
    let unanswered = unanswered_pages(ctx, &store)?;
    let missed = rows.iter().filter(|r| r.state == Outcome::Missed).count() - drills_missed
        + troubles.len()
        + unanswered.len();
    let due_soon = rows.iter().filter(|r| r.state != Outcome::Missed).count();
    let drills = match drills_missed {
        0 => String::new(),
        n => format!("; {n} missed in drills, not counted"),
    };

    if ctx.json() {
        output::print_json(&Report {
            now: to_rfc3339(ctx.now),
            within_seconds: within.num_seconds(),
            missed,
            due_soon,
            drills_missed,
            items: &rows,
            deliveries: &troubles,
            unanswered_pages: &unanswered,
        })?;
    } else if rows.is_empty() && troubles.is_empty() && unanswered.is_empty() {
        ctx.say(format!(
            "All response targets met; nothing due within {}.",
            compact(within)
        ));
    } else if rows.is_empty() {
        ctx.say(format!(
            "{missed} missed (pages or notifications), nothing due within {}",
            compact(within)
        ));
    } else if output::width().is_some_and(|w| w < NARROW) {
        // Too narrow for six columns: each target's facts on a line, the
        // incident's title below, indented.
        let mut out = output::stdout();
        for r in &rows {
            let head = format!(
                "{}  {}  {}  {}  {}",
                r.key,
                one_line(&r.severity),
                r.target,
                when(r),
                human(r.due, &Local)
            );
            output::write_wrapped(&mut out, "", &head)?;
            output::write_wrapped(&mut out, "  ", &one_line(&output::shown(&titled(r))))?;
        }
        out.flush()?;
        ctx.say(format!(
            "{missed} missed, {due_soon} due within {}{drills}",
            compact(within)
        ));
    } else {
        let mut table = output::table(["KEY", "SEV", "TARGET", "DEADLINE", "WHEN", "TITLE"]);
        for r in &rows {
            let when = when(r);
            table.add_row(vec![
                Cell::new(&r.key),
                output::severity_cell(&r.severity, config.rank(&r.severity)),
                Cell::new(&r.target),
                Cell::new(human(r.due, &Local)),
                Cell::new(when),
                Cell::new(one_line(&output::shown(&titled(r)))),
            ]);
        }
        // Key and severity stay whole; the rest wraps at spaces.
        output::keep_whole(&mut table, &[0, 1]);
        let mut out = output::stdout();
        output::print_table(&mut out, &table)?;
        out.flush()?;
        ctx.say(format!(
            "{missed} missed, {due_soon} due within {}{drills}",
            compact(within)
        ));
    }
    if !ctx.json() && !troubles.is_empty() {
        let mut out = output::stdout();
        for t in &troubles {
            output::write_wrapped(
                &mut out,
                "",
                &format!(
                    "notify {}: {}",
                    t.destination,
                    one_line(&output::shown(&t.problem))
                ),
            )?;
        }
        out.flush()?;
    }
    if !ctx.json() && !unanswered.is_empty() {
        let mut out = output::stdout();
        for u in &unanswered {
            output::write_wrapped(
                &mut out,
                "",
                &format!(
                    "{}: nobody acknowledged the page ({} paged every level); 'incident ack {}' once someone has it",
                    u.key, u.policy, u.key
                ),
            )?;
        }
        out.flush()?;
    }
    if missed > 0 {
        return Err(Failure::Silent(3).into());
    }
    Ok(())
}

/// The configured destinations failing, or parked, for longer than
/// `[check] deliveries`.
fn delivery_troubles(ctx: &Ctx, store: &Store) -> Result<Vec<Trouble>> {
    let config = ctx.config()?;
    if config.notify.is_empty() {
        return Ok(Vec::new());
    }
    Ok(store
        .deliveries()?
        .into_iter()
        .filter(|d| config.notify.iter().any(|n| n.name == d.destination))
        .filter_map(|d| {
            d.trouble(ctx.now, config.delivery_grace).map(|problem| Trouble {
                destination: d.destination.clone(),
                problem,
            })
        })
        .collect())
}

/// Open incidents whose page ran out unanswered (and nobody acknowledged
/// since).
fn unanswered_pages(ctx: &Ctx, store: &Store) -> Result<Vec<Unanswered>> {
    let config = ctx.config()?;
    if config.policies.is_empty() {
        return Ok(Vec::new());
    }
    let open = store.open_with_events(paging::KINDS)?;
    let mut out = Vec::new();
    for (incident, _, state) in paging::states(&open) {
        if state.unanswered && !state.acknowledged && !incident.drill {
            out.push(Unanswered {
                key: ctx.key(incident.id)?,
                policy: state.policy,
            });
        }
    }
    Ok(out)
}

/// Response targets missed or due within `within`: open incidents for every
/// target, resolved ones for the retro. Reads the incidents through the
/// status index (closed ones are never touched) and, of their timelines,
/// only the events the targets depend on, with just the latest update.
fn titled(r: &Row) -> String {
    match r.drill {
        true => format!("[DRILL] {}", r.title),
        false => r.title.clone(),
    }
}

fn target_rows(ctx: &Ctx, store: &Store, within: Duration) -> Result<Vec<Row>> {
    let filter = ListFilter {
        statuses: Status::ALL
            .iter()
            .copied()
            // Closed ones have nothing left to meet; canceled and duplicate
            // ones never count.
            .filter(|s| *s != Status::Closed && s.is_counted())
            .collect(),
        ..ListFilter::default()
    };
    let mut rows = Vec::new();
    let evaluated = evaluate_all(ctx, store, &filter, within)?;
    // Every open incident's checklist events in one read, not one each.
    let open: Vec<i64> = evaluated
        .iter()
        .filter(|(i, _)| i.status.is_open())
        .map(|(i, _)| i.id)
        .collect();
    let mut checklists: std::collections::HashMap<i64, Vec<crate::domain::Event>> = Default::default();
    for e in store.events_of_each(&open, plans::CHECKLIST_KINDS)? {
        checklists.entry(e.incident_id).or_default().push(e);
    }
    for (incident, targets) in evaluated {
        for d in targets.deadlines.iter().filter(|d| d.current) {
            if !matches!(d.outcome, Outcome::Missed | Outcome::DueSoon) {
                continue;
            }
            if !incident.status.is_open() && d.target != Target::Retro {
                continue;
            }
            rows.push(row(ctx.key(incident.id)?, &incident, d, ctx.now));
        }
        if let Some(events) = checklists.get(&incident.id) {
            rows.extend(task_rows(ctx, &incident, events, within)?);
        }
    }
    rows.extend(missing_tag_rows(ctx, store, &filter)?);
    Ok(rows)
}

/// The playbook tasks past or near their deadline, like any target.
fn task_rows(
    ctx: &Ctx,
    incident: &Incident,
    events: &[crate::domain::Event],
    within: Duration,
) -> Result<Vec<Row>> {
    let Some(list) = plans::checklist(incident.declared_at, events) else {
        return Ok(Vec::new());
    };
    let mut rows = Vec::new();
    for task in list.tasks.iter().filter(|t| t.is_open()) {
        let Some(due) = task.due_at else { continue };
        let state = match due {
            due if due < ctx.now => Outcome::Missed,
            due if due - ctx.now <= within => Outcome::DueSoon,
            _ => continue,
        };
        rows.push(Row {
            key: ctx.key(incident.id)?,
            title: format!("{}. {}", task.number, task.title),
            severity: incident.severity.clone(),
            status: incident.status,
            target: format!("task {}", task.number),
            deadline: to_rfc3339(due),
            state,
            seconds: (ctx.now - due).num_seconds().abs(),
            drill: incident.drill,
            due,
        });
    }
    Ok(rows)
}

/// Incidents without a tag the configuration requires for them: missed
/// since their declaration.
fn missing_tag_rows(ctx: &Ctx, store: &Store, filter: &ListFilter) -> Result<Vec<Row>> {
    let config = ctx.config()?;
    let mut rows = Vec::new();
    if config.required_tags.is_empty() {
        return Ok(rows);
    }
    let levels: Vec<String> = config.levels.iter().map(|l| l.name.clone()).collect();
    store.each_incident(filter, Order::Severity(&levels), &mut |incident| {
        for key in plans::missing_tags(&incident, &config.required_tags) {
            rows.push(Row {
                key: ctx.key(incident.id)?,
                title: format!("{} (add it: incident edit KEY --tag {key}=VALUE)", incident.title),
                severity: incident.severity.clone(),
                status: incident.status,
                target: format!("tag {key}"),
                deadline: to_rfc3339(incident.declared_at),
                state: Outcome::Missed,
                seconds: (ctx.now - incident.declared_at).num_seconds().abs(),
                drill: incident.drill,
                due: incident.declared_at,
            });
        }
        Ok(())
    })?;
    Ok(rows)
}

fn row(key: String, incident: &Incident, d: &Deadline, now: DateTime<Utc>) -> Row {
    Row {
        key,
        title: incident.title.clone(),
        severity: incident.severity.clone(),
        status: incident.status,
        target: d.target.to_string(),
        deadline: to_rfc3339(d.due),
        state: d.outcome,
        seconds: (now - d.due).num_seconds().abs(),
        drill: incident.drill,
        due: d.due,
    }
}

/// Open action items that are overdue, or due within `within`: one row each,
/// named `action A-3` in the `target` column, with the item and its owner as
/// the title. An item is due at the end of its due day, local time.
fn overdue_action_items(ctx: &Ctx, store: &Store, within: Duration) -> Result<Vec<Row>> {
    let horizon = (ctx.now + within).with_timezone(&Local).date_naive();
    let items: Vec<_> = store
        .actions(&ActionFilter {
            open: true,
            ..ActionFilter::default()
        })?
        .into_iter()
        .filter(|a| a.is_due_by(horizon))
        .collect();
    let mut rows = Vec::new();
    let mut incidents: HashMap<i64, Incident> = HashMap::new();
    for item in items {
        let due = end_of_day(item.due);
        if due - ctx.now > within {
            continue;
        }
        let incident = match incidents.entry(item.incident_id) {
            std::collections::hash_map::Entry::Occupied(found) => found.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(ctx.find(store, item.incident_id)?)
            }
        };
        rows.push(Row {
            key: ctx.key(item.incident_id)?,
            title: format!("{} (owner {})", item.text, item.owner),
            severity: incident.severity.clone(),
            status: incident.status,
            target: format!("action {}", format_action_id(item.id)),
            deadline: to_rfc3339(due),
            state: if due <= ctx.now {
                Outcome::Missed
            } else {
                Outcome::DueSoon
            },
            seconds: (ctx.now - due).num_seconds().abs(),
            drill: incident.drill,
            due,
        });
    }
    Ok(rows)
}

/// The first moment after a calendar day, in local time.
fn end_of_day(day: NaiveDate) -> DateTime<Utc> {
    let next = day.succ_opt().unwrap_or(day).and_time(NaiveTime::MIN);
    Local
        .from_local_datetime(&next)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| next.and_utc())
}

/// Every incident `filter` selects, in no set order, with its targets as of
/// now as `check` reports them: of resolved incidents only the retro target
/// is right. The rows and facts come from the state columns and, for open
/// incidents, the update history's partial index (as for `stats`), so
/// nothing reads a timeline.
fn evaluate_all(
    ctx: &Ctx,
    store: &Store,
    filter: &ListFilter,
    within: Duration,
) -> Result<Vec<(Incident, Targets)>> {
    let config = ctx.config()?;
    let mut out = Vec::new();
    // The retro target counts from resolution at the current level and
    // reads nothing from the timeline: no update history for those done.
    facts::each(
        &**store,
        filter,
        History::Open,
        |incident: Incident, facts: Facts| {
            let t = targets::evaluate_facts(&incident, &facts, &config.levels, ctx.now, within);
            out.push((incident, t));
            Ok(())
        },
    )?;
    Ok(out)
}
