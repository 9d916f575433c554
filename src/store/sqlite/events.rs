//! Queries on the `events` table: the append-only timeline.

use super::sql::Stamp;
use crate::domain::chain::{self, Chain, ChainRow, Content};
use crate::domain::targets::Milestones;
use crate::domain::{Event, EventData, EventKind, NewEvent};
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

const COLUMNS: &str = "id, incident_id, at, recorded_at, author, kind, text, details";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Event> {
    let id = row.get(0)?;
    let kind: String = row.get(5)?;
    let details: Option<String> = row.get(7)?;
    let data = EventData::from_stored(&kind, details.as_deref()).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(
            7,
            rusqlite::types::Type::Text,
            format!("event {id}: {e}; run 'incident verify'").into(),
        )
    })?;
    Ok(Event {
        id,
        incident_id: row.get(1)?,
        at: row.get::<_, Stamp>(2)?.0,
        recorded_at: row.get::<_, Stamp>(3)?.0,
        author: row.get(4)?,
        text: row.get(6)?,
        data,
    })
}

pub fn append(
    conn: &Connection,
    incident_id: i64,
    author: &str,
    now: DateTime<Utc>,
    event: NewEvent,
) -> rusqlite::Result<Event> {
    let (kind, details_text) = event.data.to_stored();
    let (uid, head): (String, Option<String>) = conn
        .prepare_cached("SELECT uid, head FROM incidents WHERE id = ?1")?
        .query_row([incident_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    // The content is hashed in exactly the text form it is stored in.
    let (at, recorded_at) = (crate::time::to_rfc3339(event.at), crate::time::to_rfc3339(now));
    let prev = head.unwrap_or_default();
    let hash = chain::hash(
        &uid,
        &prev,
        &Content {
            at: &at,
            recorded_at: &recorded_at,
            author,
            kind: kind.as_str(),
            text: &event.text,
            details: details_text.as_deref(),
        },
    );
    conn.prepare_cached(
        "INSERT INTO events (incident_id, at, recorded_at, author, kind, text, details, prev_hash, hash, seq) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, (SELECT coalesce(max(seq), 0) + 1 FROM events))",
    )?
    .execute(params![
        incident_id,
        at,
        recorded_at,
        author,
        kind,
        event.text,
        details_text,
        prev,
        hash
    ])?;
    let id = conn.last_insert_rowid();
    conn.prepare_cached("UPDATE incidents SET head = ?2, event_count = event_count + 1 WHERE id = ?1")?
        .execute(params![incident_id, hash])?;
    // The response state kept on the incident (`Milestones`): apart, so an
    // ordinary entry writes only the two columns above.
    if Milestones::marks(&event.data) {
        let (acknowledged, triaged) = conn
            .prepare_cached("SELECT acknowledged_at, triaged_at FROM incidents WHERE id = ?1")?
            .query_row([incident_id], |r| {
                Ok((r.get::<_, Option<Stamp>>(0)?, r.get::<_, Option<Stamp>>(1)?))
            })?;
        let mut marks = Milestones {
            acknowledged: acknowledged.map(|s| s.0),
            triaged: triaged.map(|s| s.0),
        };
        marks.absorb(event.at, &event.data);
        conn.prepare_cached("UPDATE incidents SET acknowledged_at = ?2, triaged_at = ?3 WHERE id = ?1")?
            .execute(params![
                incident_id,
                marks.acknowledged.map(Stamp),
                marks.triaged.map(Stamp)
            ])?;
    }
    Ok(Event {
        id,
        incident_id,
        at: event.at,
        recorded_at: now,
        author: author.to_string(),
        text: event.text,
        data: event.data,
    })
}

pub fn chain(conn: &Connection, incident_id: i64) -> rusqlite::Result<Option<Chain>> {
    let Some((uid, head)) = conn
        .prepare_cached("SELECT coalesce(uid, ''), head FROM incidents WHERE id = ?1")?
        .query_row([incident_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let rows = conn
        .prepare_cached(
            "SELECT id, CAST(at AS TEXT), CAST(recorded_at AS TEXT), CAST(author AS TEXT), CAST(kind AS TEXT), \
             CAST(text AS TEXT), CAST(details AS TEXT), prev_hash, hash FROM events WHERE incident_id = ?1 ORDER BY id",
        )?
        .query_map([incident_id], |r| {
            Ok(ChainRow {
                id: r.get(0)?,
                at: r.get(1)?,
                recorded_at: r.get(2)?,
                author: r.get(3)?,
                kind: r.get(4)?,
                text: r.get(5)?,
                details: r.get(6)?,
                prev_hash: r.get(7)?,
                hash: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(Chain { uid, head, rows }))
}

/// Migration code for schema version 2: gives every incident a uid and
/// chains its existing events in recording order.
pub fn backfill_chain(conn: &Connection) -> rusqlite::Result<()> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM incidents WHERE uid IS NULL ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        let uid = uuid::Uuid::new_v4().to_string();
        conn.execute("UPDATE incidents SET uid = ?2 WHERE id = ?1", params![id, uid])?;
        let Some(Chain { rows, .. }) = chain(conn, id)? else {
            continue;
        };
        let mut prev = String::new();
        for row in &rows {
            let hash = chain::hash(&uid, &prev, &row.link().content);
            conn.execute(
                "UPDATE events SET prev_hash = ?2, hash = ?3 WHERE id = ?1",
                params![row.id, prev, hash],
            )?;
            prev = hash;
        }
        conn.execute(
            "UPDATE incidents SET head = ?2 WHERE id = ?1",
            params![id, (!rows.is_empty()).then_some(prev)],
        )?;
    }
    Ok(())
}

/// Events in the order they happened (ties in the order they were recorded).
/// With a limit, the most recent `limit` of them, still oldest first.
pub fn timeline(
    conn: &Connection,
    incident_id: i64,
    limit: Option<usize>,
) -> rusqlite::Result<(Vec<Event>, usize)> {
    let mut events = match limit {
        None => conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM events WHERE incident_id = ?1 ORDER BY at, id"
            ))?
            .query_map([incident_id], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        Some(n) => conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM events WHERE incident_id = ?1 ORDER BY at DESC, id DESC LIMIT ?2"
            ))?
            .query_map(params![incident_id, n as i64], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
    };
    if limit.is_some() {
        events.reverse();
    }
    // Only a full page can have left earlier entries out; then the kept
    // count says how many, without counting the timeline.
    let total = match limit {
        Some(n) if events.len() >= n => conn
            .prepare_cached("SELECT event_count FROM incidents WHERE id = ?1")?
            .query_row([incident_id], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)?
            .max(events.len()),
        _ => events.len(),
    };
    Ok((events, total))
}

/// Recomputes the response state columns (schema_state.sql) and the event
/// count of one incident from its events: for imported incidents, whose
/// file may predate them, and for the migration that added them.
pub fn refresh_state(conn: &Connection, incident_id: i64) -> rusqlite::Result<()> {
    let (events, _) = timeline(conn, incident_id, None)?;
    let marks = Milestones::of(events.iter().map(|e| (e.at, &e.data)));
    conn.prepare_cached(
        "UPDATE incidents SET acknowledged_at = ?2, triaged_at = ?3, event_count = ?4 WHERE id = ?1",
    )?
    .execute(params![
        incident_id,
        marks.acknowledged.map(Stamp),
        marks.triaged.map(Stamp),
        events.len() as i64
    ])?;
    Ok(())
}

/// Fills in the milestone columns of every incident from its events: the
/// code half of the migration that added them (schema_state.sql).
pub fn fill_milestones(conn: &Connection) -> rusqlite::Result<()> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM incidents ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut update =
        conn.prepare("UPDATE incidents SET acknowledged_at = ?2, triaged_at = ?3 WHERE id = ?1")?;
    for id in ids {
        let (events, _) = timeline(conn, id, None)?;
        let marks = Milestones::of(events.iter().map(|e| (e.at, &e.data)));
        update.execute(params![
            id,
            marks.acknowledged.map(Stamp),
            marks.triaged.map(Stamp)
        ])?;
    }
    Ok(())
}

/// The incident's most recent event of one of `kinds` (by when it happened).
/// The kinds `events_for_changes` indexes, spelled as in its condition.
/// The kinds of `events_for_plans`, spelled as its condition.
const PLAN_KINDS: &str = "('playbook_attached', 'task_done', 'task_skipped', 'recent_changes')";

/// ` AND kind IN <the partial index's list>` when every kind wanted is in
/// it, so the planner reads that index.
fn plan_index(kinds: &[EventKind]) -> String {
    match kinds
        .iter()
        .all(|k| PLAN_KINDS.contains(&format!("'{}'", k.as_str())))
    {
        true => format!(" AND kind IN {PLAN_KINDS}"),
        false => String::new(),
    }
}

const CHANGE_KINDS: &str =
    "('status_changed', 'resolved', 'reopened', 'closed', 'canceled', 'marked_duplicate',
                 'severity_changed')";

pub fn latest(conn: &Connection, incident_id: i64, kinds: &[EventKind]) -> rusqlite::Result<Option<Event>> {
    // Change kinds come from their partial index, newest first: the first
    // row of a wanted kind is the answer, after a few rows at most.
    if kinds
        .iter()
        .all(|k| CHANGE_KINDS.contains(&format!("'{}'", k.as_str())))
    {
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM events WHERE incident_id = ?1 AND kind IN {CHANGE_KINDS} \
             ORDER BY at DESC, id DESC"
        ))?;
        let mut rows = statement.query([incident_id])?;
        while let Some(row) = rows.next()? {
            let event = from_row(row)?;
            if kinds.contains(&event.kind()) {
                return Ok(Some(event));
            }
        }
        return Ok(None);
    }
    let marks = vec!["?"; kinds.len()].join(", ");
    let mut values = vec![Value::Integer(incident_id)];
    values.extend(kinds.iter().map(|k| Value::Text(k.as_str().into())));
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM events WHERE incident_id = ? AND kind IN ({marks}) \
         ORDER BY at DESC, id DESC LIMIT 1"
    ))?
    .query_row(params_from_iter(values), from_row)
    .optional()
}

/// The incident's events of `kinds`, oldest first.
pub fn of_kinds(conn: &Connection, incident_id: i64, kinds: &[EventKind]) -> rusqlite::Result<Vec<Event>> {
    of_kinds_each(conn, &[incident_id], kinds)
}

/// The events of `kinds` of the incidents `ids`, oldest first.
pub fn of_kinds_each(conn: &Connection, ids: &[i64], kinds: &[EventKind]) -> rusqlite::Result<Vec<Event>> {
    if ids.is_empty() || kinds.is_empty() {
        return Ok(Vec::new());
    }
    let ids_marks = vec!["?"; ids.len()].join(", ");
    let marks = vec!["?"; kinds.len()].join(", ");
    let mut values: Vec<Value> = ids.iter().map(|id| Value::Integer(*id)).collect();
    values.extend(kinds.iter().map(|k| Value::Text(k.as_str().into())));
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM events WHERE incident_id IN ({ids_marks}){} AND kind IN ({marks}) ORDER BY at, id",
        plan_index(kinds)
    ))?
    .query_map(params_from_iter(values), from_row)?
    .collect()
}

/// Hashes every event that arrived up to `upto` (all when `None`), in
/// arrival order, with its incident's uid (see `domain::chain::Checkpoint`).
pub fn arrived_after(
    conn: &Connection,
    incident: Option<i64>,
    after: Option<i64>,
) -> rusqlite::Result<(Vec<Event>, i64)> {
    let newest: i64 = conn
        .prepare_cached("SELECT coalesce(max(seq), 0) FROM events")?
        .query_row([], |r| r.get(0))?;
    let Some(after) = after else {
        return Ok((Vec::new(), newest));
    };
    let events = match incident {
        Some(id) => conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM events WHERE seq > ?1 AND seq <= ?2 AND incident_id = ?3 ORDER BY seq"
            ))?
            .query_map(params![after, newest, id], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        None => conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM events WHERE seq > ?1 AND seq <= ?2 ORDER BY seq"
            ))?
            .query_map(params![after, newest], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
    };
    Ok((events, newest))
}

pub fn checkpoint(
    conn: &Connection,
    upto: Option<i64>,
) -> rusqlite::Result<crate::domain::chain::Checkpoint> {
    let upto = match upto {
        Some(n) => n,
        None => conn.query_row("SELECT coalesce(max(seq), 0) FROM events", [], |r| r.get(0))?,
    };
    let mut hasher = crate::domain::chain::CheckpointHasher::default();
    let mut statement = conn.prepare_cached(
        "SELECT coalesce(i.uid, ''), e.hash FROM events e LEFT JOIN incidents i ON i.id = e.incident_id \
         WHERE e.seq <= ?1 ORDER BY e.seq",
    )?;
    let mut rows = statement.query([upto])?;
    while let Some(row) = rows.next()? {
        let uid: String = row.get(0)?;
        let hash: Option<String> = row.get(1)?;
        hasher.add(&uid, hash.as_deref());
    }
    Ok(hasher.finish(upto))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lookup must be written like the partial index's condition, or
    /// the planner walks the whole timeline instead.
    #[test]
    fn the_latest_change_is_found_through_its_partial_index() {
        let conn = Connection::open_in_memory().unwrap();
        super::super::migrations::upgrade(&conn, 0).unwrap();
        let plan: Vec<String> = conn
            .prepare(&format!(
                "EXPLAIN QUERY PLAN SELECT {COLUMNS} FROM events WHERE incident_id = ?1 AND kind IN {CHANGE_KINDS} \
                 ORDER BY at DESC, id DESC"
            ))
            .unwrap()
            .query_map([1], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            plan.iter().any(|step| step.contains("events_for_changes")),
            "{plan:?}"
        );
        for kind in EventKind::SETS_STATUS.iter().chain(EventKind::SETS_SEVERITY) {
            assert!(
                CHANGE_KINDS.contains(&format!("'{kind}'")),
                "{kind} is not indexed"
            );
        }
    }

    /// The checklist and recent changes are read through their own
    /// partial index, which must list every kind they ask for.
    #[test]
    fn the_checklist_is_read_through_its_partial_index() {
        let conn = Connection::open_in_memory().unwrap();
        super::super::migrations::upgrade(&conn, 0).unwrap();
        let mut kinds = crate::domain::plans::CHECKLIST_KINDS.to_vec();
        kinds.push(EventKind::RecentChanges);
        assert_eq!(plan_index(&kinds), format!(" AND kind IN {PLAN_KINDS}"));
        assert_eq!(plan_index(&[EventKind::Note]), "");
        let plan: Vec<String> = conn
            .prepare(&format!(
                "EXPLAIN QUERY PLAN SELECT {COLUMNS} FROM events WHERE incident_id IN (?1){} \
                 AND kind IN (?2, ?3) ORDER BY at, id",
                plan_index(&kinds)
            ))
            .unwrap()
            .query_map(rusqlite::params![1, "task_done", "task_skipped"], |r| {
                r.get::<_, String>(3)
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            plan.iter().any(|step| step.contains("events_for_plans")),
            "{plan:?}"
        );
    }
}
