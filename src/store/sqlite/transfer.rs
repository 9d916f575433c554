//! Export and import in the backend-neutral format (`crate::transfer`):
//! reads one incident's rows into an [`IncidentRecord`], and restores one.
//! An incident is identified by its `uid` and an event by its chain `hash`,
//! so importing the same file twice changes nothing.

use super::sql::{Day, JsonList, Stamp};
use crate::domain::EventKind;
use crate::domain::event::EventData;
use crate::transfer::{
    ActionRecord, AssessmentRecord, EventRecord, IncidentRecord, Outcome, RetroRecord, RoleRecord,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::value::RawValue;
use std::collections::HashMap;

/// Reads one incident and all its parts (the caller holds one snapshot).
pub fn export(conn: &Connection, id: i64) -> rusqlite::Result<Option<IncidentRecord>> {
    let Some(incident) = super::incidents::get(conn, id)? else {
        return Ok(None);
    };
    // The chain as stored, verbatim: the file carries exactly what is hashed.
    let Some(chain) = super::events::chain(conn, id)? else {
        return Ok(None);
    };
    let roles = conn
        .prepare_cached(
            "SELECT role, person, since FROM roles WHERE incident_id = ?1 ORDER BY since, role, person",
        )?
        .query_map([id], |r| {
            Ok(RoleRecord {
                role: r.get(0)?,
                person: r.get(1)?,
                since: r.get::<_, Stamp>(2)?.0,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let events = chain
        .rows
        .into_iter()
        .map(|row| EventRecord {
            id: row.id,
            at: row.at,
            recorded_at: row.recorded_at,
            author: row.author,
            kind: row.kind,
            text: row.text,
            // Text that is not JSON travels as a JSON string.
            details: row.details.map(|d| {
                RawValue::from_string(d.clone()).unwrap_or_else(|_| {
                    RawValue::from_string(serde_json::Value::from(d).to_string())
                        .expect("a JSON string is JSON")
                })
            }),
            prev_hash: row.prev_hash,
            hash: row.hash,
        })
        .collect();
    let assessments = conn
        .prepare_cached(
            "SELECT event_id, at, author, impact, sees, customers, impact_started_at, tickets, factors, \
             checked, suggested, reason, severity FROM assessments WHERE incident_id = ?1 ORDER BY id",
        )?
        .query_map([id], |r| {
            let list = |i: usize| -> rusqlite::Result<Vec<String>> { Ok(r.get::<_, JsonList>(i)?.0) };
            let factors = list(8)?
                .iter()
                .map(|f| f.parse())
                .collect::<Result<_, _>>()
                .map_err(|e: String| bad(8, e))?;
            Ok(AssessmentRecord {
                event_id: r.get(0)?,
                at: r.get::<_, Stamp>(1)?.0,
                author: r.get(2)?,
                impact: r.get(3)?,
                sees: r.get(4)?,
                customers: r.get::<_, String>(5)?.parse().map_err(|e: String| bad(5, e))?,
                impact_started_at: r.get::<_, Stamp>(6)?.0,
                tickets: r.get(7)?,
                factors,
                checked: list(9)?,
                suggested: r.get(10)?,
                reason: r.get(11)?,
                severity: r.get(12)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let retro = conn
        .prepare_cached(&format!(
            "SELECT {}, created_at, updated_at FROM retros WHERE incident_id = ?1",
            super::retro::RETRO_COLUMNS
        ))?
        .query_row([id], |r| {
            let retro = super::retro::retro_from_row(r)?;
            Ok(RetroRecord {
                impact: retro.impact,
                whys: retro.whys,
                root_cause: retro.root_cause,
                contributing: retro.contributing,
                went_well: retro.went_well,
                went_badly: retro.went_badly,
                lucky: retro.lucky,
                no_actions: retro.no_actions,
                trigger: retro.trigger,
                lead_up: retro.lead_up,
                created_at: r.get::<_, Stamp>(10)?.0,
                updated_at: r.get::<_, Stamp>(11)?.0,
            })
        })
        .optional()?;
    let actions = super::retro::actions(
        conn,
        &crate::store::ActionFilter {
            incident_id: Some(id),
            ..Default::default()
        },
    )?
    .into_iter()
    .map(ActionRecord::from)
    .collect();
    let filter = crate::store::AlertFilter {
        incident_id: Some(id),
        ..Default::default()
    };
    let alerts = crate::transfer::alert_records(super::alerts::select(conn, &filter)?);
    Ok(Some(IncidentRecord {
        uid: chain.uid,
        id,
        title: incident.title,
        status: incident.status,
        severity: incident.severity,
        category: incident.category,
        services: incident.services,
        channels: incident.channels,
        summary: incident.summary,
        detected_by: incident.detected_by,
        started_at: incident.started_at,
        declared_at: incident.declared_at,
        resolved_at: incident.resolved_at,
        closed_at: incident.closed_at,
        resolution: incident.resolution,
        next_update_at: incident.next_update_at,
        head: chain.head,
        roles,
        events,
        assessments,
        retro,
        actions,
        alerts,
    }))
}

fn bad(column: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, message.into())
}

fn taken(conn: &Connection, table: &str, id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?
        .query_row([id], |_| Ok(()))
        .optional()
        .map(|found| found.is_some())
}

/// Restores one incident inside the caller's transaction.
pub fn import(conn: &Connection, record: &IncidentRecord) -> Result<Outcome, String> {
    let sql = |e: rusqlite::Error| e.to_string();
    let file_hashes: Vec<Option<&str>> = record.events.iter().map(|e| e.hash.as_deref()).collect();
    let existing: Option<i64> = conn
        .query_row("SELECT id FROM incidents WHERE uid = ?1", [&record.uid], |r| {
            r.get(0)
        })
        .optional()
        .map_err(sql)?;

    let (id, from, known) = match existing {
        Some(id) => {
            let here: Vec<Option<String>> = conn
                .prepare_cached("SELECT hash FROM events WHERE incident_id = ?1 ORDER BY id")
                .and_then(|mut s| s.query_map([id], |r| r.get(0))?.collect())
                .map_err(sql)?;
            let here: Vec<Option<&str>> = here.iter().map(Option::as_deref).collect();
            if here == file_hashes {
                return Ok(Outcome::Unchanged { id });
            }
            if here.starts_with(&file_hashes) {
                return Ok(Outcome::NewerHere { id });
            }
            if !file_hashes.starts_with(&here) {
                return Ok(Outcome::Diverged { id });
            }
            // Known here, but the file carries more: its state (checked
            // against its events before the import began) is taken, and
            // nothing recorded here is removed.
            write_state(conn, id, record).map_err(sql)?;
            (id, None, here.len())
        }
        None => {
            let moved = taken(conn, "incidents", record.id).map_err(sql)?;
            let id = match moved {
                true => None,
                false => Some(record.id),
            };
            conn.execute(
                "INSERT INTO incidents (id, uid, title, status, severity, category, declared_at) \
                 VALUES (?1, ?2, '', 'investigating', '', 'other', '')",
                params![id, record.uid],
            )
            .map_err(sql)?;
            let id = conn.last_insert_rowid();
            write_state(conn, id, record).map_err(sql)?;
            (id, moved.then_some(record.id), 0)
        }
    };
    let new_events = &record.events[known..];

    // Events: those already here (by hash) keep their rows; the rest are
    // inserted after them, keeping their numbers where free and where that
    // keeps the chain in its order; otherwise they take the next number.
    let mut event_ids: HashMap<i64, i64> = HashMap::new();
    let mut added_events = 0;
    let mut last: i64 = conn
        .query_row(
            "SELECT coalesce(max(id), 0) FROM events WHERE incident_id = ?1",
            [id],
            |r| r.get(0),
        )
        .map_err(sql)?;
    for event in &record.events {
        let here: Option<i64> = match &event.hash {
            Some(hash) => conn
                .prepare_cached("SELECT id FROM events WHERE incident_id = ?1 AND hash = ?2")
                .and_then(|mut s| s.query_row(params![id, hash], |r| r.get(0)).optional())
                .map_err(sql)?,
            None => None,
        };
        let new = match here {
            Some(found) => found,
            None => {
                let free = event.id > last && !taken(conn, "events", event.id).map_err(sql)?;
                let number = match free {
                    true => event.id,
                    false => {
                        let max: i64 = conn
                            .query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))
                            .map_err(sql)?;
                        max.max(last) + 1
                    }
                };
                conn.prepare_cached(
                    "INSERT INTO events (id, incident_id, at, recorded_at, author, kind, text, details, prev_hash, hash, seq) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, (SELECT coalesce(max(seq), 0) + 1 FROM events))",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        number,
                        id,
                        event.at,
                        event.recorded_at,
                        event.author,
                        event.kind,
                        event.text,
                        event.details.as_ref().map(|d| d.get()),
                        event.prev_hash,
                        event.hash
                    ])
                })
                .map_err(|e| format!("event {}: {e}", event.id))?;
                added_events += 1;
                last = number;
                number
            }
        };
        event_ids.insert(event.id, new);
    }
    let extending = existing.is_some();
    let new_kinds: Vec<EventKind> = new_events.iter().filter_map(|e| e.kind.parse().ok()).collect();

    if extending {
        for event in new_events {
            let gone = match EventData::parse_stored(&event.kind, event.details.as_ref().map(|d| d.get())) {
                Ok(EventData::RoleRemoved(r)) => Some((r.role, r.person)),
                Ok(EventData::RoleHandover(h)) => Some((h.role, h.previous)),
                _ => None,
            };
            if let Some((role, person)) = gone {
                conn.execute(
                    "DELETE FROM roles WHERE incident_id = ?1 AND role = ?2 AND person = ?3",
                    params![id, role, person],
                )
                .map_err(sql)?;
            }
        }
    }
    for role in &record.roles {
        conn.execute(
            "INSERT OR IGNORE INTO roles (incident_id, role, person, since) VALUES (?1, ?2, ?3, ?4)",
            params![id, role.role, role.person, Stamp(role.since)],
        )
        .map_err(sql)?;
    }
    let added: std::collections::HashSet<&i64> = new_events.iter().map(|e| &e.id).collect();
    for a in record.assessments.iter().filter(|a| added.contains(&a.event_id)) {
        let event = event_ids.get(&a.event_id).ok_or(format!(
            "an assessment points at event {}, which is not in the file",
            a.event_id
        ))?;
        let factors: Vec<String> = a.factors.iter().map(|f| f.to_string()).collect();
        conn.execute(
            "INSERT INTO assessments (incident_id, event_id, at, author, impact, sees, customers, \
             impact_started_at, tickets, factors, checked, suggested, reason, severity) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                id,
                event,
                Stamp(a.at),
                a.author,
                a.impact,
                a.sees,
                a.customers.as_str(),
                Stamp(a.impact_started_at),
                a.tickets,
                JsonList(factors),
                JsonList(a.checked.clone()),
                a.suggested,
                a.reason,
                a.severity
            ],
        )
        .map_err(sql)?;
    }
    let retro_here: bool = conn
        .query_row("SELECT count(*) FROM retros WHERE incident_id = ?1", [id], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(sql)?
        > 0;
    let retro_changed = new_kinds.contains(&EventKind::RetroUpdated) || !retro_here;
    if let Some(r) = record.retro.as_ref().filter(|_| retro_changed) {
        conn.execute(
            "INSERT OR REPLACE INTO retros (incident_id, impact, whys, root_cause, contributing, went_well, went_badly, \
             lucky, no_actions, created_at, updated_at, triggered_by, lead_up) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                id,
                r.impact,
                JsonList(r.whys.clone()),
                r.root_cause,
                JsonList(r.contributing.clone()),
                JsonList(r.went_well.clone()),
                JsonList(r.went_badly.clone()),
                JsonList(r.lucky.clone()),
                r.no_actions,
                Stamp(r.created_at),
                Stamp(r.updated_at),
                r.trigger,
                r.lead_up
            ],
        )
        .map_err(sql)?;
    }
    let actions_changed = new_kinds
        .iter()
        .any(|k| matches!(k, EventKind::ActionDone | EventKind::ActionLinked));
    let mut matched = std::collections::HashSet::new();
    for a in &record.actions {
        // An action already here (on an extension: the same item, incident,
        // text, owner, due date, kind and creation, each row matched once)
        // takes the file's progress only when new events record it.
        let here: Option<i64> = match extending {
            false => None,
            true => conn
                .prepare_cached(
                    "SELECT id FROM actions WHERE incident_id = ?1 AND text = ?2 AND owner = ?3 \
                     AND due = ?4 AND kind = ?5 AND created_at = ?6 ORDER BY id = ?7 DESC, id",
                )
                .and_then(|mut s| {
                    s.query_map(
                        params![id, a.text, a.owner, Day(a.due), a.kind, Stamp(a.created_at), a.id],
                        |r| r.get::<_, i64>(0),
                    )?
                    .collect::<rusqlite::Result<Vec<i64>>>()
                })
                .map_err(sql)?
                .into_iter()
                .find(|row| !matched.contains(row)),
        };
        if let Some(row) = here {
            matched.insert(row);
        }
        if let Some(here) = here {
            if actions_changed {
                conn.execute(
                    "UPDATE actions SET status = ?2, done_at = ?3, note = ?4, link = ?5 WHERE id = ?1",
                    params![here, a.status, a.done_at.map(Stamp), a.note, a.link],
                )
                .map_err(sql)?;
            }
            continue;
        }
        let number = match taken(conn, "actions", a.id).map_err(sql)? {
            true => None,
            false => Some(a.id),
        };
        conn.execute(
            "INSERT INTO actions (id, incident_id, text, owner, due, kind, status, created_at, done_at, note, link) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                number,
                id,
                a.text,
                a.owner,
                Day(a.due),
                a.kind,
                a.status,
                Stamp(a.created_at),
                a.done_at.map(Stamp),
                a.note,
                a.link
            ],
        )
        .map_err(sql)?;
    }
    // The state kept from the events (milestones, count) is derived here,
    // and the stats cache forgets what it knew of the incident.
    super::events::refresh_state(conn, id).map_err(sql)?;
    super::settled::unsettle(conn, id).map_err(sql)?;
    Ok(match existing {
        Some(_) => Outcome::Extended {
            id,
            events: added_events,
        },
        None => Outcome::Added { id, from },
    })
}

/// The incident's state columns and head, from the record.
fn write_state(conn: &Connection, id: i64, r: &IncidentRecord) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE incidents SET title = ?2, status = ?3, severity = ?4, category = ?5, services = ?6, \
         channels = ?7, summary = ?8, detected_by = ?9, started_at = ?10, declared_at = ?11, \
         resolved_at = ?12, closed_at = ?13, resolution = ?14, next_update_at = ?15, head = ?16 WHERE id = ?1",
    )?
    .execute(params![
        id,
        r.title,
        r.status,
        r.severity,
        r.category,
        JsonList(r.services.clone()),
        JsonList(r.channels.clone()),
        r.summary,
        r.detected_by,
        r.started_at.map(Stamp),
        Stamp(r.declared_at),
        r.resolved_at.map(Stamp),
        r.closed_at.map(Stamp),
        r.resolution,
        r.next_update_at.map(Stamp),
        r.head
    ])?;
    // Not in the file: what the events say.
    let data: Vec<crate::domain::EventData> = r
        .events
        .iter()
        .filter_map(|e| {
            crate::domain::EventData::parse_stored(&e.kind, e.details.as_ref().map(|d| d.get())).ok()
        })
        .collect();
    let mut state = crate::domain::Incident::bare();
    for d in &data {
        crate::domain::apply::apply(&mut state, r.declared_at, d);
    }
    let (drill, tags) = (state.drill, state.tags);
    super::incidents::set_labels(conn, id, drill, &tags)?;
    Ok(())
}
