//! The facts an incident's response targets depend on (`targets::Facts`),
//! read without loading whole timelines: the first acknowledgement and
//! triage are kept on the incident (its milestones), the update history
//! and severity changes are the few events of [`HISTORY_KINDS`], and the
//! level at declaration is read from the `declared` event only where the
//! severity changed since. Written once, for every backend: a backend only
//! answers the reads.

use super::{EventQuery, Found, ListFilter, Of, Order, Range, Read, Reads, ReadsExt};
use crate::domain::targets::{self, Facts, HISTORY_KINDS, UpdateFact};
use crate::domain::{Event, EventData, EventKind, Incident, Status};
use anyhow::Result;
use std::collections::{BTreeMap, HashMap};

/// How much of each incident's history [`each`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum History {
    /// Everything the targets read.
    Read,
    /// Everything for the open incidents; for the others only the
    /// milestones kept on the incident, as the one target left to them
    /// (the retro target) reads nothing else.
    Open,
}

/// Streams the incidents `filter` selects, by number, each with its
/// response facts.
pub fn each(
    store: &(impl Reads + ?Sized),
    filter: &ListFilter,
    history: History,
    mut f: impl FnMut(Incident, Facts) -> Result<()>,
) -> Result<()> {
    let open;
    let read = match history {
        History::Read => Some(filter),
        History::Open => {
            let statuses: &[Status] = match filter.statuses.as_slice() {
                [] => Status::ALL,
                some => some,
            };
            open = ListFilter {
                statuses: statuses.iter().copied().filter(|s| s.is_open()).collect(),
                ..filter.clone()
            };
            (!open.statuses.is_empty()).then_some(&open)
        }
    };
    let mut facts = match read {
        Some(filter) => {
            let events = store.events(EventQuery {
                of: Of::Selected(filter),
                kinds: HISTORY_KINDS,
                range: Range::All,
            })?;
            histories(store, events)?
        }
        None => HashMap::new(),
    };
    store.each_incident(filter, Order::Number, &mut |incident| {
        let history = facts.remove(&incident.id).unwrap_or_default();
        let facts = with_milestones(&incident, history);
        f(incident, facts)
    })
}

/// One incident's response facts (`None`: no such incident), in one round
/// trip where the severity never changed.
pub fn of(store: &(impl Reads + ?Sized), id: i64) -> Result<Option<(Incident, Facts)>> {
    let reads = [Read::Incident(id), history_read(id)];
    let mut answers = super::reads::Answers::new(&reads, store.batch(&reads)?);
    let incident = answers.take(|f| match f {
        Found::Incident(i) => Some(i),
        _ => None,
    })?;
    let events = answers.take(|f| match f {
        Found::Events(e) => Some(e),
        _ => None,
    })?;
    let Some(incident) = incident else {
        return Ok(None);
    };
    let facts = facts_from(store, &incident, events)?;
    Ok(Some((incident, facts)))
}

/// The read of one incident's history, for a batch of the caller's.
pub fn history_read(id: i64) -> Read<'static> {
    Read::Events(EventQuery {
        of: Of::Incident(id),
        kinds: HISTORY_KINDS,
        range: Range::All,
    })
}

/// One incident's facts from its history events ([`history_read`]).
pub fn facts_from(store: &(impl Reads + ?Sized), incident: &Incident, history: Vec<Event>) -> Result<Facts> {
    let history = histories(store, history)?
        .remove(&incident.id)
        .unwrap_or_default();
    Ok(with_milestones(incident, history))
}

fn with_milestones(incident: &Incident, history: Facts) -> Facts {
    Facts {
        acknowledged: incident.milestones.acknowledged,
        triaged: incident.milestones.triaged,
        ..history
    }
}

/// The update history and severity changes of each incident among
/// `events` (of [`HISTORY_KINDS`], in time order); where the severity
/// changed, the level at declaration from its `declared` event.
fn histories(store: &(impl Reads + ?Sized), events: Vec<Event>) -> Result<HashMap<i64, Facts>> {
    let mut out: HashMap<i64, Facts> = HashMap::new();
    // Incidents whose severity changed: their first change, until the
    // `declared` event says what the level was at declaration.
    let mut changed: BTreeMap<i64, EventData> = BTreeMap::new();
    for event in events {
        let facts = out.entry(event.incident_id).or_default();
        if let EventData::SeverityChanged(m) = &event.data {
            facts.severity_changes.push((event.at, m.to.clone()));
            changed.entry(event.incident_id).or_insert(event.data);
        } else if let Some(update) = UpdateFact::of(event.at, &event.author, &event.data) {
            facts.updates.push(update);
        }
    }
    if changed.is_empty() {
        return Ok(out);
    }
    let ids: Vec<i64> = changed.keys().copied().collect();
    let declared = store.events_of_each(&ids, &[EventKind::Declared])?;
    for (id, first_change) in changed {
        let first_declared = declared.iter().find(|e| e.incident_id == id).map(|e| &e.data);
        if let Some(facts) = out.get_mut(&id) {
            facts.initial_severity =
                targets::initial_severity(first_declared.into_iter().chain([&first_change]));
        }
    }
    Ok(out)
}
