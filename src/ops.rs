//! State changes that several commands make. Each updates the incident and
//! appends the event that records it, inside the caller's transaction, so the
//! timeline can never disagree with the state.

use crate::error::usage;
use crate::model::lifecycle::{self, Move};
use crate::model::retro::{NewAction, format_action_id};
use crate::model::{EventKind, Incident, NewEvent, Status};
use crate::store::Writer;
use anyhow::Result;
use chrono::{DateTime, Utc};
use serde_json::json;

/// Moves the incident to `to` as of `at`. Returns what kind of move it was
/// (`Move::Stay` records nothing).
pub fn change_status(
    w: &mut Writer<'_>,
    incident: &mut Incident,
    to: Status,
    at: DateTime<Utc>,
    summary: Option<&str>,
) -> Result<Move> {
    let from = incident.status;
    let step = lifecycle::plan(from, to).map_err(usage)?;
    let Some(kind) = step.event_kind() else {
        return Ok(step);
    };
    incident.status = to;
    let text = match step {
        Move::Resolve => {
            incident.resolved_at = Some(at);
            // Nobody owes customers another update on a resolved incident.
            incident.next_update_at = None;
            if let Some(s) = summary {
                incident.resolution = Some(s.to_string());
            }
            match summary {
                Some(s) => format!("Resolved: {s}"),
                None => "Resolved".to_string(),
            }
        }
        Move::Reopen => {
            incident.resolved_at = None;
            incident.closed_at = None;
            format!("Reopened: {from} → {to}")
        }
        Move::Step | Move::Stay => format!("Status {from} → {to}"),
    };
    w.save(incident)?;
    w.append(
        incident.id,
        NewEvent::new(at, kind, text).with(json!({"from": from, "to": to, "summary": summary})),
    )?;
    Ok(step)
}

/// Sets the severity (already validated against the configuration). Returns
/// false when it was already that level.
pub fn change_severity(
    w: &mut Writer<'_>,
    incident: &mut Incident,
    level: &str,
    at: DateTime<Utc>,
    reason: Option<&str>,
) -> Result<bool> {
    if incident.severity == level {
        return Ok(false);
    }
    let from = std::mem::replace(&mut incident.severity, level.to_string());
    let text = match reason {
        Some(r) => format!("Severity {from} → {level}: {r}"),
        None => format!("Severity {from} → {level}"),
    };
    w.save(incident)?;
    w.append(
        incident.id,
        NewEvent::new(at, EventKind::SeverityChanged, text)
            .with(json!({"from": from, "to": level, "reason": reason})),
    )?;
    Ok(true)
}

/// Adds one action item and its event; returns its id (`A-3`). Used by
/// `incident retro` and `incident action add`.
pub fn add_action(
    w: &mut Writer<'_>,
    incident_id: i64,
    item: &NewAction,
    at: DateTime<Utc>,
) -> Result<String> {
    let number = w.add_action(incident_id, item)?;
    let shown = format_action_id(number);
    let text = format!(
        "Action {shown} ({}, {}, due {}): {}",
        item.kind, item.owner, item.due, item.text
    );
    w.append(
        incident_id,
        NewEvent::new(at, EventKind::ActionAdded, text).with(json!({
            "action": shown,
            "action_id": number,
            "text": item.text,
            "owner": item.owner,
            "due": item.due,
            "kind": item.kind,
        })),
    )?;
    Ok(shown)
}
