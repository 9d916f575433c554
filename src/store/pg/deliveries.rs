//! Queries on the notification tables (as `sqlite/deliveries.rs`):
//! where each destination's delivery stands, the rooms opened per
//! incident, the chat messages recorded; and the events in arrival order
//! a deliverer reads.

use super::Db;
use super::sql::{Stamp, Statement, Value, col, p, params};
use crate::domain::Event;
use crate::domain::notify::{Delivery, Lease, Room};
use anyhow::Result;
use chrono::{DateTime, Utc};
use tokio_postgres::Row;

const COLUMNS: &str = "destination, cursor, lease_owner, lease_until, attempts, next_attempt_at, \
     last_success_at, last_error, failing_since, parked, delivered, chat";

pub fn deliveries_statement() -> Statement {
    Statement::new(
        format!("SELECT {COLUMNS} FROM deliveries ORDER BY destination"),
        vec![],
    )
}

pub fn deliveries_of(rows: Vec<Row>) -> Result<Vec<Delivery>> {
    rows.iter()
        .map(|r| {
            let owner: Option<String> = col(r, 2)?;
            let until = col::<Option<Stamp>>(r, 3)?.map(|s| s.0);
            Ok(Delivery {
                destination: col(r, 0)?,
                cursor: col(r, 1)?,
                lease: owner.zip(until).map(|(owner, until)| Lease { owner, until }),
                attempts: u32::try_from(col::<i64>(r, 4)?).unwrap_or(u32::MAX),
                next_attempt: col::<Option<Stamp>>(r, 5)?.map(|s| s.0),
                last_success: col::<Option<Stamp>>(r, 6)?.map(|s| s.0),
                last_error: col(r, 7)?,
                failing_since: col::<Option<Stamp>>(r, 8)?.map(|s| s.0),
                parked: col(r, 9)?,
                delivered: col(r, 10)?,
                chat: col(r, 11)?,
            })
        })
        .collect()
}

pub fn put_delivery(db: &mut Db, d: &Delivery) -> Result<()> {
    db.query(
        &format!(
            "INSERT INTO deliveries ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (destination) DO UPDATE SET cursor = excluded.cursor, \
             lease_owner = excluded.lease_owner, lease_until = excluded.lease_until, \
             attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at, \
             last_success_at = excluded.last_success_at, last_error = excluded.last_error, \
             failing_since = excluded.failing_since, parked = excluded.parked, delivered = excluded.delivered, \
             chat = excluded.chat"
        ),
        &params(&row(d)),
    )?;
    Ok(())
}

/// The columns a swap sets and compares (all but the destination).
const STATE: &str = "cursor, lease_owner, lease_until, attempts, next_attempt_at, last_success_at, \
     last_error, failing_since, parked, delivered, chat";

/// `d`'s values for [`STATE`], in its order.
fn state(d: &Delivery) -> Vec<Value> {
    let stamp = |t: Option<DateTime<Utc>>| Value::OptText(t.map(crate::time::to_rfc3339));
    vec![
        Value::Int(d.cursor),
        Value::OptText(d.lease.as_ref().map(|l| l.owner.clone())),
        stamp(d.lease.as_ref().map(|l| l.until)),
        Value::Int(i64::from(d.attempts)),
        stamp(d.next_attempt),
        stamp(d.last_success),
        Value::OptText(d.last_error.clone()),
        stamp(d.failing_since),
        Value::OptText(d.parked.clone()),
        Value::Int(d.delivered),
        Value::OptText(d.chat.clone()),
    ]
}

/// `d`'s values for [`COLUMNS`]: its destination, then [`state`].
fn row(d: &Delivery) -> Vec<Value> {
    let mut values = vec![Value::Text(d.destination.clone())];
    values.extend(state(d));
    values
}

/// Stores `d` in place of its destination's row if that row is still
/// exactly `was` (`None`: if there is none); whether it did. One statement
/// in a transaction of its own (no writers' lock): the row's lock orders
/// it against a claim or a swap of another deliverer, and READ COMMITTED
/// checks the condition again on the row as that one left it.
pub fn swap_delivery(db: &mut Db, was: Option<&Delivery>, d: &Delivery) -> Result<bool> {
    let rows = match was {
        None => db.query(
            &format!(
                "INSERT INTO deliveries ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT (destination) DO NOTHING RETURNING destination"
            ),
            &params(&row(d)),
        )?,
        Some(w) => {
            let mut values = row(d);
            values.extend(state(w));
            db.query(
                &format!(
                    "UPDATE deliveries SET ({STATE}) = ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                     WHERE destination = $1 AND ({STATE}) IS NOT DISTINCT FROM \
                     ($13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23) RETURNING destination"
                ),
                &params(&values),
            )?
        }
    };
    Ok(!rows.is_empty())
}

pub fn rooms_statement(destination: &str) -> Statement {
    Statement::new(
        "SELECT destination, incident_id, room, link, topic FROM rooms WHERE destination = $1 ORDER BY incident_id",
        vec![Value::Text(destination.into())],
    )
}

pub fn rooms_of(rows: Vec<Row>) -> Result<Vec<Room>> {
    rows.iter()
        .map(|r| {
            Ok(Room {
                destination: col(r, 0)?,
                incident_id: col(r, 1)?,
                room: col(r, 2)?,
                link: col(r, 3)?,
                topic: col(r, 4)?,
            })
        })
        .collect()
}

pub fn put_room(db: &mut Db, room: &Room) -> Result<()> {
    db.query(
        "INSERT INTO rooms (destination, incident_id, room, link, topic) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (destination, incident_id) DO UPDATE SET room = excluded.room, link = excluded.link, \
         topic = excluded.topic",
        &p![
            room.destination,
            room.incident_id,
            room.room,
            room.link,
            room.topic
        ],
    )?;
    Ok(())
}

pub fn seen_statement(sources: &[String]) -> Statement {
    let mut values = Vec::new();
    let marks: Vec<String> = sources
        .iter()
        .map(|s| super::incidents::mark(&mut values, Value::Text(s.clone())))
        .collect();
    let list = match marks.is_empty() {
        true => "NULL".to_string(),
        false => marks.join(", "),
    };
    Statement::new(
        format!("SELECT source FROM chat_seen WHERE source IN ({list}) ORDER BY source"),
        values,
    )
}

pub fn seen_of(rows: Vec<Row>) -> Result<Vec<String>> {
    rows.iter().map(|r| col(r, 0)).collect()
}

pub fn mark_seen(db: &mut Db, source: &str, event: i64) -> Result<()> {
    db.query(
        "INSERT INTO chat_seen (source, event_id) VALUES ($1, $2)",
        &p![source, event],
    )?;
    Ok(())
}

/// Up to `limit` events that arrived after arrival number `after`, each
/// with its arrival number, in arrival order.
pub fn arrivals_statement(after: i64, limit: usize) -> Statement {
    Statement::new(
        format!(
            "SELECT {}, seq FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
            super::events::COLUMNS
        ),
        vec![
            Value::Int(after),
            Value::Int(i64::try_from(limit).unwrap_or(i64::MAX)),
        ],
    )
}

pub fn arrivals_of(rows: Vec<Row>) -> Result<Vec<(i64, Event)>> {
    rows.iter()
        .map(|r| Ok((col(r, 8)?, super::events::from_row(r)?)))
        .collect()
}

/// The overrides of `schedule` (all when `None`) that end after `after`.
pub fn overrides_statement(schedule: Option<&str>, after: chrono::DateTime<chrono::Utc>) -> Statement {
    let mut values = Vec::new();
    let a = super::incidents::mark(&mut values, Value::Text(crate::time::to_rfc3339(after)));
    let which = match schedule {
        Some(s) => format!(
            " AND schedule = {}",
            super::incidents::mark(&mut values, Value::Text(s.into()))
        ),
        None => String::new(),
    };
    Statement::new(
        format!(
            "SELECT id, schedule, layer, person, starts_at, ends_at, created_by, created_at FROM overrides \
             WHERE ends_at > {a}{which} ORDER BY starts_at, id"
        ),
        values,
    )
}

pub fn overrides_of(rows: Vec<Row>) -> Result<Vec<crate::domain::oncall::Override>> {
    rows.iter()
        .map(|r| {
            Ok(crate::domain::oncall::Override {
                id: col(r, 0)?,
                schedule: col(r, 1)?,
                layer: col(r, 2)?,
                person: col(r, 3)?,
                from: col::<Stamp>(r, 4)?.0,
                until: col::<Stamp>(r, 5)?.0,
                by: col(r, 6)?,
                at: col::<Stamp>(r, 7)?.0,
            })
        })
        .collect()
}

pub fn insert_override(db: &mut Db, o: &crate::domain::oncall::Override) -> Result<i64> {
    let row = db.query_one(
        "INSERT INTO overrides (id, schedule, layer, person, starts_at, ends_at, created_by, created_at) \
         VALUES ((SELECT coalesce(max(id), 0) + 1 FROM overrides), $1, $2, $3, $4, $5, $6, $7) RETURNING id",
        &p![
            o.schedule,
            o.layer,
            o.person,
            Stamp(o.from),
            Stamp(o.until),
            o.by,
            Stamp(o.at)
        ],
    )?;
    col(&row, 0)
}

pub fn delete_override(db: &mut Db, id: i64) -> Result<bool> {
    Ok(!db
        .query("DELETE FROM overrides WHERE id = $1 RETURNING id", &p![id])?
        .is_empty())
}
