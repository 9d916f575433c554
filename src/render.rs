//! What several commands show alike: the incident as JSON, its response
//! targets and how a deadline reads. Commands never import each other; what
//! they share lives here (or in `views`, `text`, `time`, `output`, `ops`).

use crate::context::Ctx;
use crate::domain::targets::{self, Facts, Targets};
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
    let d = crate::store::dossier::read(&**store, id, limit.filter(|n| *n > 0))?
        .ok_or_else(|| ctx.missing(id))?;
    let (checklist, recent) = plans_of(&d.incident, d.plans);
    let mut view = IncidentView::new(ctx.key(id)?, &d.incident)
        .with_assessment(d.assessment.as_ref())
        .with_timeline(&d.timeline, d.total)
        .with_renumbered(&d.renumbered);
    view.checklist = Some(checklist);
    view.recent_changes = Some(recent);
    output::print_json(&view)
}

/// The incident's checklist (if it follows a playbook) and the changes
/// recorded on it at declaration, from its events of
/// [`plans::SHOWN_KINDS`].
pub fn plans_of(
    incident: &Incident,
    events: Vec<crate::domain::Event>,
) -> (Option<plans::Checklist>, Vec<plans::ChangeRecord>) {
    let checklist = plans::checklist(incident.declared_at, &events);
    let mut recent = Vec::new();
    for e in events {
        if let crate::domain::EventData::RecentChanges(r) = e.data {
            recent.extend(r.changes);
        }
    }
    (checklist, recent)
}

/// The incident's targets as `check` computes them.
pub fn targets_of(ctx: &Ctx, store: &Store, incident: &Incident) -> Result<Targets> {
    let (_, facts) =
        crate::store::facts::of(&**store, incident.id)?.ok_or_else(|| ctx.missing(incident.id))?;
    targets_from(ctx, incident, &facts)
}

/// The incident's targets, from its response facts.
pub fn targets_from(ctx: &Ctx, incident: &Incident, facts: &Facts) -> Result<Targets> {
    let config = ctx.config()?;
    Ok(targets::evaluate_facts(
        incident,
        facts,
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
