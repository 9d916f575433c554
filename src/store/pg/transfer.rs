//! Export and import in the backend-neutral format (`crate::transfer`), as
//! `sqlite/transfer.rs`: an incident is identified by its `uid` and an
//! event by its chain `hash`, so importing the same file twice changes
//! nothing, and events travel verbatim (only ever inserted).

use super::Db;
use super::sql::{Day, JsonList, Stamp, col, p};
use crate::domain::EventKind;
use crate::domain::event::EventData;
use crate::transfer::{
    ActionRecord, AssessmentRecord, EventRecord, IncidentRecord, Outcome, RetroRecord, RoleRecord,
};
use anyhow::{Result, anyhow};
use serde_json::value::RawValue;
use std::collections::{HashMap, HashSet};
use tokio_postgres::types::Type;

/// Reads one incident and all its parts (the caller holds one snapshot).
pub fn export(db: &mut Db, id: i64) -> Result<Option<IncidentRecord>> {
    let Some(incident) = super::incidents::get(db, id)? else {
        return Ok(None);
    };
    // The chain as stored, verbatim: the file carries exactly what is hashed.
    let Some(chain) = super::events::chain(db, id)? else {
        return Ok(None);
    };
    let roles = db
        .query(
            "SELECT role, person, since FROM roles WHERE incident_id = $1 ORDER BY since, role, person",
            &p![id],
        )?
        .iter()
        .map(|r| {
            Ok(RoleRecord {
                role: col(r, 0)?,
                person: col(r, 1)?,
                since: col::<Stamp>(r, 2)?.0,
            })
        })
        .collect::<Result<_>>()?;
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
    let assessments = db
        .query(
            "SELECT event_id, at, author, impact, sees, customers, impact_started_at, tickets, factors, \
             checked, suggested, reason, severity FROM assessments WHERE incident_id = $1 ORDER BY id",
            &p![id],
        )?
        .iter()
        .map(|r| {
            let factors = col::<JsonList>(r, 8)?
                .0
                .iter()
                .map(|f| f.parse())
                .collect::<Result<_, String>>()
                .map_err(|e| anyhow!("an assessment's factors do not read back: {e}"))?;
            let tickets: i64 = col(r, 7)?;
            Ok(AssessmentRecord {
                event_id: col(r, 0)?,
                at: col::<Stamp>(r, 1)?.0,
                author: col(r, 2)?,
                impact: col(r, 3)?,
                sees: col(r, 4)?,
                customers: col(r, 5)?,
                impact_started_at: col::<Stamp>(r, 6)?.0,
                tickets: u32::try_from(tickets).map_err(|e| anyhow!("an assessment's tickets: {e}"))?,
                factors,
                checked: col::<JsonList>(r, 9)?.0,
                suggested: col(r, 10)?,
                reason: col(r, 11)?,
                severity: col(r, 12)?,
            })
        })
        .collect::<Result<_>>()?;
    let retro = db
        .query_opt(
            &format!(
                "SELECT {}, created_at, updated_at FROM retros WHERE incident_id = $1",
                super::retro::RETRO_COLUMNS
            ),
            &p![id],
        )?
        .map(|r| -> Result<RetroRecord> {
            let retro = super::retro::retro_from_row(&r)?;
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
                created_at: col::<Stamp>(&r, 10)?.0,
                updated_at: col::<Stamp>(&r, 11)?.0,
            })
        })
        .transpose()?;
    let actions = super::retro::actions(
        db,
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
    let alerts = crate::transfer::alert_records(super::alerts::select(db, &filter)?);
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

/// Whether row `id` of `table` exists.
fn taken(db: &mut Db, table: &str, id: i64) -> Result<bool> {
    Ok(db
        .query_opt(&format!("SELECT 1 FROM {table} WHERE id = $1"), &p![id])?
        .is_some())
}

/// Restores one incident inside the caller's transaction.
pub fn import(db: &mut Db, record: &IncidentRecord) -> Result<Outcome> {
    let file_hashes: Vec<Option<&str>> = record.events.iter().map(|e| e.hash.as_deref()).collect();
    let existing: Option<i64> = db
        .query_opt("SELECT id FROM incidents WHERE uid = $1", &p![record.uid])?
        .map(|r| col(&r, 0))
        .transpose()?;

    let (id, from, known) = match existing {
        Some(id) => {
            let here: Vec<Option<String>> = db
                .query(
                    "SELECT hash FROM events WHERE incident_id = $1 ORDER BY id",
                    &p![id],
                )?
                .iter()
                .map(|r| col(r, 0))
                .collect::<Result<_>>()?;
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
            // Known here, but the file carries more: its state is taken,
            // and nothing recorded here is removed.
            write_state(db, id, record)?;
            (id, None, here.len())
        }
        None => {
            let moved = taken(db, "incidents", record.id)?;
            // A free number is kept; a taken one becomes the next, as
            // SQLite numbers a row inserted without one.
            let row = match moved {
                false => db.query_one(
                    "INSERT INTO incidents (id, uid, title, status, severity, category, declared_at) \
                     VALUES ($1, $2, '', 'investigating', '', 'other', '') RETURNING id",
                    &p![record.id, record.uid],
                )?,
                true => db.query_one(
                    "INSERT INTO incidents (id, uid, title, status, severity, category, declared_at) \
                     VALUES ((SELECT coalesce(max(id), 0) + 1 FROM incidents), $1, '', 'investigating', '', \
                     'other', '') RETURNING id",
                    &p![record.uid],
                )?,
            };
            let id: i64 = col(&row, 0)?;
            write_state(db, id, record)?;
            (id, moved.then_some(record.id), 0)
        }
    };
    let new_events = &record.events[known..];

    // Events: those already here (by hash) keep their rows; the rest are
    // inserted after them, keeping their numbers where free and where that
    // keeps the chain in its order; otherwise they take the next number.
    let mut event_ids: HashMap<i64, i64> = HashMap::new();
    let mut added_events = 0;
    // What is here already, read once rather than per event (a move of a
    // whole history is a million events): this incident's events by hash
    // (the first of equal ones), its highest number, and which of the
    // file's numbers are taken. Kept up to date as events are inserted.
    let mut by_hash: HashMap<String, i64> = HashMap::new();
    let mut last: i64 = 0;
    for r in &db.query(
        "SELECT hash, id FROM events WHERE incident_id = $1 ORDER BY id",
        &p![id],
    )? {
        let (hash, number): (Option<String>, i64) = (col(r, 0)?, col(r, 1)?);
        last = last.max(number);
        if let Some(hash) = hash {
            by_hash.entry(hash).or_insert(number);
        }
    }
    let numbers: Vec<i64> = record.events.iter().map(|e| e.id).collect();
    let mut taken_numbers: HashSet<i64> = db
        .query(
            "SELECT id FROM events WHERE id = ANY($1)",
            &[(&numbers, Type::INT8_ARRAY)],
        )?
        .iter()
        .map(|r| col(r, 0))
        .collect::<Result<_>>()?;
    // The highest number of all, read when first needed.
    let mut highest: Option<i64> = None;
    for event in &record.events {
        let here = event.hash.as_ref().and_then(|h| by_hash.get(h).copied());
        let new = match here {
            Some(found) => found,
            None => {
                let free = event.id > last && !taken_numbers.contains(&event.id);
                let number = match free {
                    true => event.id,
                    false => {
                        let max = match highest {
                            Some(max) => max,
                            None => col(&db.query_one("SELECT coalesce(max(id), 0) FROM events", &[])?, 0)?,
                        };
                        highest = Some(max);
                        max.max(last) + 1
                    }
                };
                let details = event.details.as_ref().map(|d| d.get());
                db.query(
                    "INSERT INTO events (id, incident_id, at, recorded_at, author, kind, text, details, prev_hash, \
                     hash, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
                     (SELECT coalesce(max(seq), 0) + 1 FROM events))",
                    &p![
                        number,
                        id,
                        event.at,
                        event.recorded_at,
                        event.author,
                        event.kind,
                        event.text,
                        details,
                        event.prev_hash,
                        event.hash
                    ],
                )
                .map_err(|e| anyhow!("event {}: {e}", event.id))?;
                added_events += 1;
                last = number;
                taken_numbers.insert(number);
                highest = highest.map(|max| max.max(number));
                if let Some(hash) = &event.hash {
                    by_hash.entry(hash.clone()).or_insert(number);
                }
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
                db.query(
                    "DELETE FROM roles WHERE incident_id = $1 AND role = $2 AND person = $3",
                    &p![id, role, person],
                )?;
            }
        }
    }
    for role in &record.roles {
        db.query(
            "INSERT INTO roles (incident_id, role, person, since) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &p![id, role.role, role.person, Stamp(role.since)],
        )?;
    }
    let added: HashSet<&i64> = new_events.iter().map(|e| &e.id).collect();
    for a in record.assessments.iter().filter(|a| added.contains(&a.event_id)) {
        let event = *event_ids.get(&a.event_id).ok_or(anyhow!(
            "an assessment points at event {}, which is not in the file",
            a.event_id
        ))?;
        let factors = JsonList(a.factors.iter().map(|f| f.to_string()).collect());
        let tickets = i64::from(a.tickets);
        db.query(
            "INSERT INTO assessments (id, incident_id, event_id, at, author, impact, sees, customers, \
             impact_started_at, tickets, factors, checked, suggested, reason, severity) \
             VALUES ((SELECT coalesce(max(id), 0) + 1 FROM assessments), $1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $11, $12, $13, $14)",
            &p![
                id,
                event,
                Stamp(a.at),
                a.author,
                a.impact,
                a.sees,
                a.customers,
                Stamp(a.impact_started_at),
                tickets,
                factors,
                JsonList(a.checked.clone()),
                a.suggested,
                a.reason,
                a.severity
            ],
        )?;
    }
    let retro_here = db
        .query_opt("SELECT 1 FROM retros WHERE incident_id = $1", &p![id])?
        .is_some();
    let retro_changed = new_kinds.contains(&EventKind::RetroUpdated) || !retro_here;
    if let Some(r) = record.retro.as_ref().filter(|_| retro_changed) {
        db.query(
            "INSERT INTO retros (incident_id, impact, whys, root_cause, contributing, went_well, went_badly, \
             lucky, no_actions, created_at, updated_at, triggered_by, lead_up) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (incident_id) DO UPDATE SET impact = excluded.impact, whys = excluded.whys, \
             root_cause = excluded.root_cause, contributing = excluded.contributing, \
             went_well = excluded.went_well, went_badly = excluded.went_badly, lucky = excluded.lucky, \
             no_actions = excluded.no_actions, created_at = excluded.created_at, \
             updated_at = excluded.updated_at, triggered_by = excluded.triggered_by, lead_up = excluded.lead_up",
            &p![
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
        )?;
    }
    let actions_changed = new_kinds
        .iter()
        .any(|k| matches!(k, EventKind::ActionDone | EventKind::ActionLinked));
    let mut matched = HashSet::new();
    for a in &record.actions {
        // An action already here (on an extension: the same item, incident,
        // text, owner, due date, kind and creation, each row matched once)
        // takes the file's progress only when new events record it.
        let here: Option<i64> = match extending {
            false => None,
            true => db
                .query(
                    "SELECT id FROM actions WHERE incident_id = $1 AND text = $2 AND owner = $3 \
                     AND due = $4 AND kind = $5 AND created_at = $6 ORDER BY id = $7 DESC, id",
                    &p![id, a.text, a.owner, Day(a.due), a.kind, Stamp(a.created_at), a.id],
                )?
                .iter()
                .map(|r| col::<i64>(r, 0))
                .collect::<Result<Vec<i64>>>()?
                .into_iter()
                .find(|row| !matched.contains(row)),
        };
        if let Some(row) = here {
            matched.insert(row);
        }
        if let Some(here) = here {
            if actions_changed {
                db.query(
                    "UPDATE actions SET status = $2, done_at = $3, note = $4, link = $5 WHERE id = $1",
                    &p![here, a.status, a.done_at.map(Stamp), a.note, a.link],
                )?;
            }
            continue;
        }
        // A free number is kept; a taken one becomes the next, as SQLite
        // numbers a row inserted without one.
        let number: i64 = match taken(db, "actions", a.id)? {
            true => col(
                &db.query_one("SELECT coalesce(max(id), 0) + 1 FROM actions", &[])?,
                0,
            )?,
            false => a.id,
        };
        db.query(
            "INSERT INTO actions (id, incident_id, text, owner, due, kind, status, created_at, done_at, \
             note, link) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &p![
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
        )?;
    }
    // The state kept from the events (milestones, count) is derived here,
    // and the stats cache forgets what it knew of the incident.
    super::events::refresh_state(db, id)?;
    super::settled::unsettle(db, id)?;
    Ok(match existing {
        Some(_) => Outcome::Extended {
            id,
            events: added_events,
        },
        None => Outcome::Added { id, from },
    })
}

/// The incident's state columns and head, from the record.
fn write_state(db: &mut Db, id: i64, r: &IncidentRecord) -> Result<()> {
    db.query(
        "UPDATE incidents SET title = $2, status = $3, severity = $4, category = $5, services = $6, \
         channels = $7, summary = $8, detected_by = $9, started_at = $10, declared_at = $11, \
         resolved_at = $12, closed_at = $13, resolution = $14, next_update_at = $15, head = $16 WHERE id = $1",
        &p![
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
        ],
    )?;
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
    super::incidents::set_labels(db, id, drill, &tags)?;
    Ok(())
}
