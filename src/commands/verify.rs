//! `incident verify`: recompute each timeline's hash chain and report any
//! event edited, deleted or reordered behind the tool's back.

use crate::context::Ctx;
use crate::domain::chain::{self, Problem};
use crate::domain::replay;
use crate::domain::targets::Milestones;
use crate::error::Failure;
use crate::output;
use crate::store::Access;
use crate::store::ReadsExt;
use anyhow::{Result, anyhow};
use clap::Args;
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident verify
  incident verify INC-7
  incident verify --checkpoint \"$(tail -1 ~/incident-checkpoints.txt)\"")]
pub struct VerifyArgs {
    /// Incidents to check (INC-7, inc-7 or 7) [default: all]
    pub keys: Vec<String>,

    /// Also check that nothing recorded before this line (from `incident
    /// checkpoint` or a hook) is missing or altered: deleted newest events,
    /// timelines and incidents included
    #[arg(long, value_name = "LINE")]
    pub checkpoint: Option<String>,
}

#[derive(Serialize)]
struct Report {
    intact: bool,
    incidents: Vec<IncidentReport>,
    /// Alerts of no incident whose rows were changed behind the tool's
    /// back (checked when every incident is).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    alerts: Vec<String>,
    /// Whether the database still holds what the checkpoint committed to.
    #[serde(skip_serializing_if = "Option::is_none")]
    checkpoint: Option<CheckpointReport>,
}

#[derive(Serialize)]
struct CheckpointReport {
    line: String,
    holds: bool,
}

/// The exit code when every chain is intact but some incident's state could
/// not be checked against its timeline (a timeline written without every
/// fact): not a clean bill of health, and not damage.
const UNCHECKED: u8 = 4;

const CHECKPOINT_BROKEN: &str = "events recorded before the checkpoint are missing or altered: \
     newest events, a timeline or a whole incident were deleted, or an event changed";

#[derive(Serialize)]
struct IncidentReport {
    key: String,
    events: usize,
    /// The newest hash: note it somewhere else to make later edits evident.
    head: Option<String>,
    problems: Vec<ProblemView>,
    /// Stored state that disagrees with what the timeline says (fields).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    state: Vec<String>,
    /// Why the state could not be checked against the timeline (one written
    /// by an early release that did not record every fact).
    #[serde(skip_serializing_if = "Option::is_none")]
    state_unchecked: Option<String>,
}

#[derive(Serialize)]
struct ProblemView {
    event_id: Option<i64>,
    problem: String,
}

pub fn run(ctx: &Ctx, args: VerifyArgs) -> Result<()> {
    let checkpoint = args
        .checkpoint
        .as_deref()
        .map(chain::Checkpoint::parse)
        .transpose()
        .map_err(|e| crate::error::usage(format!("{e}; `incident checkpoint` prints one")))?;
    let ids = args
        .keys
        .iter()
        .map(|k| ctx.parse_key(k))
        .collect::<Result<Vec<_>>>()?;
    let store = ctx.open(Access::Read)?;
    let prefix = ctx.config()?.key_prefix.clone();
    let everything = ids.is_empty();
    let ids = if everything { store.incident_ids()? } else { ids };
    let mut report = Report {
        intact: true,
        incidents: Vec::new(),
        alerts: match everything {
            true => unattached_alert_problems(&*store)?,
            false => Vec::new(),
        },
        checkpoint: None,
    };
    report.intact &= report.alerts.is_empty();
    if let Some(expected) = checkpoint {
        let here = store.checkpoint(Some(expected.upto))?;
        let holds = here == expected;
        report.intact &= holds;
        report.checkpoint = Some(CheckpointReport {
            line: expected.line(),
            holds,
        });
    }
    for id in ids {
        let chain::Chain { uid, head, rows } = store.chain(id)?.ok_or_else(|| ctx.missing(id))?;
        let links: Vec<_> = rows.iter().map(|r| r.link()).collect();
        let problems = chain::verify(&uid, head.as_deref(), &links);
        // A broken chain says enough; the state is checked on a sound one.
        let (state, state_unchecked) = match problems.is_empty() {
            true => match state_problems(&*store, id, &prefix)? {
                Ok(state) => (state, None),
                Err(why) => (Vec::new(), Some(why)),
            },
            false => (Vec::new(), None),
        };
        report.intact &= problems.is_empty() && state.is_empty();
        report.incidents.push(IncidentReport {
            key: ctx.key(id)?,
            events: rows.len(),
            head,
            problems: problems
                .iter()
                .map(|p| ProblemView {
                    event_id: match p {
                        Problem::Unhashed { id } | Problem::Edited { id } | Problem::Broken { id } => {
                            Some(*id)
                        }
                        Problem::Truncated { last } => *last,
                    },
                    problem: p.to_string(),
                })
                .collect(),
            state,
            state_unchecked,
        });
    }
    let unchecked = report
        .incidents
        .iter()
        .filter(|i| i.state_unchecked.is_some())
        .count();
    if ctx.json() {
        output::print_json(&report)?;
        return match (report.intact, unchecked) {
            (true, 0) => Ok(()),
            (true, _) => Err(Failure::Silent(UNCHECKED).into()),
            (false, _) => Err(Failure::Silent(1).into()),
        };
    }
    let mut out = output::stdout();
    let damaged: Vec<&IncidentReport> = report
        .incidents
        .iter()
        .filter(|i| !i.problems.is_empty() || !i.state.is_empty())
        .collect();
    for incident in &damaged {
        for p in &incident.problems {
            writeln!(out, "{}: {}", incident.key, p.problem)?;
        }
        for field in &incident.state {
            writeln!(out, "{}: {field}", incident.key)?;
        }
    }
    // What could not be checked is said, and is not called intact.
    for incident in report.incidents.iter().filter(|i| i.state_unchecked.is_some()) {
        let why = incident.state_unchecked.as_deref().unwrap_or_default();
        writeln!(
            out,
            "{}: its state could not be checked against its timeline: {why}",
            incident.key
        )?;
    }
    for problem in &report.alerts {
        writeln!(out, "alerts: {problem}")?;
    }
    let broken = report.checkpoint.as_ref().is_some_and(|c| !c.holds) || !report.alerts.is_empty();
    if report.checkpoint.as_ref().is_some_and(|c| !c.holds) {
        writeln!(out, "checkpoint: {CHECKPOINT_BROKEN}")?;
    }
    out.flush()?;
    let events: usize = report.incidents.iter().map(|i| i.events).sum();
    if damaged.is_empty() && !broken && unchecked == 0 {
        let n = report.incidents.len();
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        ctx.say(format!(
            "{}, {}: every timeline is intact{}",
            plural(n, "incident"),
            plural(events, "event"),
            match report.checkpoint {
                Some(_) => ", and everything the checkpoint covers is here",
                None => "",
            }
        ));
        return Ok(());
    }
    if damaged.is_empty() && !broken {
        ctx.warn(format!(
            "every chain is intact, but {unchecked} of {} incidents could not be checked against their \
             timelines (see above): what they record of their state is not proven",
            report.incidents.len()
        ));
        return Err(Failure::Silent(UNCHECKED).into());
    }
    let mut what = Vec::new();
    if !damaged.is_empty() {
        what.push(format!(
            "{} of {} incidents have timelines or state altered outside incident",
            damaged.len(),
            report.incidents.len()
        ));
    }
    if !report.alerts.is_empty() {
        what.push(format!(
            "{} alert{} of no incident were altered outside incident",
            report.alerts.len(),
            if report.alerts.len() == 1 { "" } else { "s" }
        ));
    }
    if report.checkpoint.as_ref().is_some_and(|c| !c.holds) {
        what.push("the database no longer holds what the checkpoint committed to".to_string());
    }
    Err(anyhow!("{}; restore from a backup or export", what.join("; ")))
}

/// Where what the incident's timeline names (its primary, its duplicates,
/// its alerts) does not agree with what is stored there: one line each.
/// `events` in recording order.
fn reference_problems(
    store: &dyn crate::store::Storage,
    incident: &crate::domain::Incident,
    events: &[crate::domain::Event],
    here: &crate::domain::refs::Resolver,
    prefix: &str,
) -> Result<Vec<String>> {
    use crate::domain::Status;
    let key = |id: i64| crate::domain::key::format(prefix, id);
    let mut problems = Vec::new();
    let changed = "(changed outside incident)";
    if incident.status == Status::Duplicate {
        match here.duplicate_of(events) {
            Some(of) => match store.incident(of)? {
                Some(_) if duplicates_of(store, of)?.contains(&incident.id) => {}
                Some(_) => problems.push(format!(
                    "it is a duplicate of {}, whose timeline does not list it {changed}",
                    key(of)
                )),
                None => problems.push(format!(
                    "it is a duplicate of {}, which is not here {changed}",
                    key(of)
                )),
            },
            None => problems.push(format!(
                "it is a duplicate, but its timeline names no primary {changed}"
            )),
        }
    }
    for duplicate in here.duplicates(events) {
        let agrees = match store.incident(duplicate)? {
            Some(d) if d.status == Status::Duplicate => {
                store.duplicate_of(duplicate)?.map(|p| p.id) == Some(incident.id)
            }
            _ => false,
        };
        if !agrees {
            problems.push(format!(
                "its timeline lists {} as its duplicate, which that incident does not say {changed}",
                key(duplicate)
            ));
        }
    }
    let tied = here.alerts(events);
    for (number, identity) in &tied {
        let found = store
            .alerts(&crate::store::AlertFilter {
                id: Some(*number),
                ..Default::default()
            })?
            .pop();
        if found.as_ref().is_none_or(|a| a.identity != *identity) {
            problems.push(format!(
                "alert {number}, which its timeline ties in, is missing or is another alert now {changed}"
            ));
        }
    }
    let filter = crate::store::AlertFilter {
        incident_id: Some(incident.id),
        ..Default::default()
    };
    let seals = store.alert_seals(&filter)?;
    for alert in store.alerts(&filter)? {
        if !tied.contains_key(&alert.id) {
            problems.push(format!(
                "alert {}'s row points at this incident, whose timeline never tied it in {changed}",
                alert.id
            ));
        }
        if seals
            .get(&alert.id)
            .is_some_and(|seal| seal.as_deref() != Some(alert.seal().as_str()))
        {
            problems.push(format!(
                "alert {}'s row (its count, words, times or incident) was changed outside incident",
                alert.id
            ));
        }
    }
    Ok(problems)
}

/// Alerts of no incident whose rows were changed behind the tool's back.
fn unattached_alert_problems(store: &dyn crate::store::Storage) -> Result<Vec<String>> {
    let filter = crate::store::AlertFilter {
        unattached: true,
        ..Default::default()
    };
    let seals = store.alert_seals(&filter)?;
    Ok(store
        .alerts(&filter)?
        .into_iter()
        .filter(|a| {
            seals
                .get(&a.id)
                .is_some_and(|seal| seal.as_deref() != Some(a.seal().as_str()))
        })
        .map(|a| {
            format!(
                "alert {}'s row (its count, words, times or incident) was changed outside incident",
                a.id
            )
        })
        .collect())
}

/// The duplicates incident `id`'s timeline lists now, as numbered here.
fn duplicates_of(store: &dyn crate::store::Storage, id: i64) -> Result<std::collections::BTreeSet<i64>> {
    use crate::domain::EventKind;
    let mut events = store.events_of(id, &[EventKind::DuplicateLinked, EventKind::DuplicateUnlinked])?;
    events.sort_by_key(|e| e.id);
    let renumbered = store.renumbered(crate::store::Of::Incident(id))?;
    Ok(crate::domain::refs::Resolver {
        renumbered: &renumbered,
    }
    .duplicates(&events))
}

/// Replays the incident's timeline and says where its stored state
/// disagrees (one line per field), or why the timeline cannot be replayed.
fn state_problems(
    store: &dyn crate::store::Storage,
    id: i64,
    prefix: &str,
) -> Result<Result<Vec<String>, String>> {
    let Some(incident) = store.incident(id)? else {
        return Ok(Ok(Vec::new()));
    };
    let (mut events, _) = store.timeline(id, None)?;
    if events.is_empty() {
        // The chain check reports a deleted timeline.
        return Ok(Ok(Vec::new()));
    }
    // The state follows the events in the order they were recorded: a
    // backdated entry still comes after the declaration it was added to.
    events.sort_by_key(|e| e.id);
    let replayed = replay::replay(events.iter().map(|e| (e.id, e.at, &e.data)));
    let assessments = store.assessments(id)?;
    let parts = replay::assessment_disagreements(&assessments, &events);
    let mut problems: Vec<String> = match replayed {
        Ok(r) => replay::disagreements(&incident, &r)
            .into_iter()
            .map(|f| format!("the stored {f} disagrees with the timeline (changed outside incident)"))
            .collect(),
        Err(e) if parts.is_empty() => return Ok(Err(e.to_string())),
        Err(_) => Vec::new(),
    };
    problems.extend(parts);
    let items = store.actions(&crate::store::ActionFilter {
        incident_id: Some(id),
        ..Default::default()
    })?;
    let renumbered = store.renumbered(crate::store::Of::Incident(id))?;
    let here = crate::domain::refs::Resolver {
        renumbered: &renumbered,
    };
    problems.extend(replay::action_disagreements(&items, &events, &here));
    let retro = store.retro(id)?;
    problems.extend(
        replay::retro_disagreements(retro.as_ref(), &events)
            .into_iter()
            .map(|f| {
                format!(
                    "the stored retrospective's {f} disagrees with the timeline (changed outside incident)"
                )
            }),
    );
    problems.extend(replay::role_disagreements(&store.roles(id)?, &events));
    problems.extend(reference_problems(store, &incident, &events, &here, prefix)?);
    let marks = Milestones::of(events.iter().map(|e| (e.at, &e.data)));
    let count = store.event_count(id)?;
    let cached = [
        (
            "acknowledged_at",
            incident.milestones.acknowledged == marks.acknowledged,
        ),
        ("triaged_at", incident.milestones.triaged == marks.triaged),
        ("event_count", count == events.len()),
    ];
    for (column, same) in cached {
        if !same {
            problems.push(format!(
                "the cached {column} disagrees with the timeline (changed outside incident)"
            ));
        }
    }
    Ok(Ok(problems))
}
