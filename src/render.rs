//! What several commands show alike: the incident as JSON, its response
//! targets and how a deadline reads. Commands never import each other; what
//! they share lives here (or in `views`, `text`, `time`, `output`, `ops`).

use crate::context::Ctx;
use crate::domain::targets::{self, Targets};
use crate::domain::{Incident, plans};
use crate::output;
use crate::store::Store;
use crate::time::{compact, human};
use crate::views::IncidentView;
use anyhow::Result;
use chrono::{DateTime, Local, Utc};

/// The incident as `show --json` prints it; every command that changes an
/// incident prints this too, so scripts see one shape.
pub fn print_incident(ctx: &Ctx, store: &Store, id: i64, limit: Option<usize>) -> Result<()> {
    let incident = ctx.find(store, id)?;
    let limit = limit.filter(|n| *n > 0);
    let (events, total) = store.timeline(id, limit)?;
    let assessment = store.assessment(id)?;
    let (checklist, recent) = plans_of(store, &incident)?;
    let mut view = IncidentView::new(ctx.key(id)?, &incident)
        .with_assessment(assessment.as_ref())
        .with_timeline(&events, total);
    view.checklist = Some(checklist);
    view.recent_changes = Some(recent);
    output::print_json(&view)
}

/// The incident's checklist (if it follows a playbook) and the changes
/// recorded on it at declaration, from its events.
pub fn plans_of(
    store: &Store,
    incident: &Incident,
) -> Result<(Option<plans::Checklist>, Vec<plans::ChangeRecord>)> {
    // One read for both: the checklist reads only its own kinds.
    let mut kinds = plans::CHECKLIST_KINDS.to_vec();
    kinds.push(crate::domain::EventKind::RecentChanges);
    let events = store.events_of(incident.id, &kinds)?;
    let checklist = plans::checklist(incident.declared_at, &events);
    let mut recent = Vec::new();
    for e in events {
        if let crate::domain::EventData::RecentChanges(r) = e.data {
            recent.extend(r.changes);
        }
    }
    Ok((checklist, recent))
}

/// The incident's targets as `check` computes them.
pub fn targets_of(ctx: &Ctx, store: &Store, incident: &Incident) -> Result<Targets> {
    let config = ctx.config()?;
    let facts = store.response_facts(incident.id)?;
    Ok(targets::evaluate_facts(
        incident,
        &facts,
        &config.levels,
        ctx.now,
        config.check_within,
    ))
}

/// `2026-11-23 09:00 (in 25m)` or `2026-11-23 09:00 (overdue by 5m)`.
pub fn when(due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if due >= now {
        format!("{} (in {})", human(due, &Local), compact(due - now))
    } else {
        format!("{} (OVERDUE by {})", human(due, &Local), compact(now - due))
    }
}
