//! Everything `show` prints about one incident, read in one batch: one
//! round trip on a server, whatever the backend does with a batch.

use super::reads::Answers;
use super::{ActionFilter, AlertFilter, EventQuery, Found, Of, Range, Read, Reads, ReadsExt};
use crate::domain::alerts::Alert;
use crate::domain::plans::SHOWN_KINDS;
use crate::domain::refs::Renumbering;
use crate::domain::retro::{ActionItem, Retro};
use crate::domain::targets::Facts;
use crate::domain::triage::Assessment;
use crate::domain::{Event, Incident, Status};
use anyhow::Result;
use std::collections::HashMap;

/// What `show` reads about one incident.
#[derive(Debug)]
pub struct Dossier {
    pub incident: Incident,
    /// The incident a duplicate points to.
    pub primary: Option<Incident>,
    /// The latest entries, oldest first, and how many there are in all.
    pub timeline: Vec<Event>,
    pub total: usize,
    /// The current triage assessment.
    pub assessment: Option<Assessment>,
    /// What its response targets are computed from.
    pub facts: Facts,
    /// Its events of [`SHOWN_KINDS`], oldest first.
    pub plans: Vec<Event>,
    /// Its alerts, most recently seen first.
    pub alerts: Vec<Alert>,
    pub retro: Option<Retro>,
    /// Its action items, in order of creation.
    pub actions: Vec<ActionItem>,
    /// What its imported events name, as numbered here (by event id).
    pub renumbered: HashMap<i64, Renumbering>,
}

/// The dossier of incident `id` (`limit`: of the timeline, the latest so
/// many), or `None` if there is no such incident.
pub fn read(store: &(impl Reads + ?Sized), id: i64, limit: Option<usize>) -> Result<Option<Dossier>> {
    let alerts = AlertFilter {
        incident_id: Some(id),
        ..AlertFilter::default()
    };
    let actions = ActionFilter {
        incident_id: Some(id),
        ..ActionFilter::default()
    };
    let reads = [
        Read::Incident(id),
        Read::Events(EventQuery {
            of: Of::Incident(id),
            kinds: &[],
            range: limit.map_or(Range::All, Range::Last),
        }),
        Read::EventCount(id),
        Read::Assessments(Of::Incident(id)),
        super::facts::history_read(id),
        Read::Events(EventQuery {
            of: Of::Incident(id),
            kinds: SHOWN_KINDS,
            range: Range::All,
        }),
        Read::Alerts(&alerts),
        Read::Retro(id),
        Read::Actions(&actions),
        Read::Renumbered(Of::Incident(id)),
    ];
    let mut found = Answers::new(&reads, store.batch(&reads)?);
    let incident = found.take(|f| match f {
        Found::Incident(i) => Some(i),
        _ => None,
    })?;
    let events = |f| match f {
        Found::Events(e) => Some(e),
        _ => None,
    };
    let timeline = found.take(events)?;
    let total = found.take(|f| match f {
        Found::Count(n) => Some(n),
        _ => None,
    })?;
    let mut assessments = found.take(|f| match f {
        Found::Assessments(a) => Some(a),
        _ => None,
    })?;
    let history = found.take(events)?;
    let plans = found.take(events)?;
    let alerts = found.take(|f| match f {
        Found::Alerts(a) => Some(a),
        _ => None,
    })?;
    let retro = found.take(|f| match f {
        Found::Retro(r) => Some(r),
        _ => None,
    })?;
    let actions = found.take(|f| match f {
        Found::Actions(a) => Some(a),
        _ => None,
    })?;
    let renumbered = found.take(|f| match f {
        Found::Renumbered(r) => Some(r),
        _ => None,
    })?;
    let Some(incident) = incident else {
        return Ok(None);
    };
    let primary = match incident.status {
        Status::Duplicate => store.duplicate_of(id)?,
        _ => None,
    };
    Ok(Some(Dossier {
        facts: super::facts::facts_from(store, &incident, history)?,
        total: total.max(timeline.len()),
        timeline,
        assessment: assessments.pop(),
        plans,
        alerts,
        retro: retro.map(|r| r.value),
        actions,
        renumbered,
        primary,
        incident,
    }))
}
