//! Queries on the `events` table: the append-only timeline.

use super::sql::{Details, Stamp};
use crate::model::{Event, NewEvent};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row, params};

const COLUMNS: &str = "id, incident_id, at, recorded_at, author, kind, text, details";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Event> {
    Ok(Event {
        id: row.get(0)?,
        incident_id: row.get(1)?,
        at: row.get::<_, Stamp>(2)?.0,
        recorded_at: row.get::<_, Stamp>(3)?.0,
        author: row.get(4)?,
        kind: row.get(5)?,
        text: row.get(6)?,
        details: row.get::<_, Details>(7)?.0,
    })
}

pub fn append(
    conn: &Connection,
    incident_id: i64,
    author: &str,
    now: DateTime<Utc>,
    event: NewEvent,
) -> rusqlite::Result<Event> {
    let details = Details(event.details);
    conn.prepare_cached(
        "INSERT INTO events (incident_id, at, recorded_at, author, kind, text, details) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        incident_id,
        Stamp(event.at),
        Stamp(now),
        author,
        event.kind,
        event.text,
        details
    ])?;
    Ok(Event {
        id: conn.last_insert_rowid(),
        incident_id,
        at: event.at,
        recorded_at: now,
        author: author.to_string(),
        kind: event.kind,
        text: event.text,
        details: details.0,
    })
}

/// Events in the order they happened (ties in the order they were recorded).
/// With a limit, the most recent `limit` of them, still oldest first.
pub fn timeline(
    conn: &Connection,
    incident_id: i64,
    limit: Option<usize>,
) -> rusqlite::Result<(Vec<Event>, usize)> {
    let total: i64 = conn
        .prepare_cached("SELECT count(*) FROM events WHERE incident_id = ?1")?
        .query_row([incident_id], |r| r.get(0))?;
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
    Ok((events, total as usize))
}
