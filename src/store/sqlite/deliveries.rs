//! Queries on the notification tables: where each destination's delivery
//! stands, the rooms opened per incident, the chat messages recorded; and
//! the events in arrival order a deliverer reads.

use super::sql::Stamp;
use crate::domain::Event;
use crate::domain::notify::{Delivery, Lease, Room};
use rusqlite::{Connection, ToSql, params, params_from_iter};

const COLUMNS: &str = "destination, cursor, lease_owner, lease_until, attempts, next_attempt_at, \
     last_success_at, last_error, failing_since, parked, delivered, chat";

pub fn deliveries(conn: &Connection) -> rusqlite::Result<Vec<Delivery>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM deliveries ORDER BY destination"))?
        .query_map([], |r| {
            let owner: Option<String> = r.get(2)?;
            let until = r.get::<_, Option<Stamp>>(3)?.map(|s| s.0);
            Ok(Delivery {
                destination: r.get(0)?,
                cursor: r.get(1)?,
                lease: owner.zip(until).map(|(owner, until)| Lease { owner, until }),
                attempts: u32::try_from(r.get::<_, i64>(4)?).unwrap_or(u32::MAX),
                next_attempt: r.get::<_, Option<Stamp>>(5)?.map(|s| s.0),
                last_success: r.get::<_, Option<Stamp>>(6)?.map(|s| s.0),
                last_error: r.get(7)?,
                failing_since: r.get::<_, Option<Stamp>>(8)?.map(|s| s.0),
                parked: r.get(9)?,
                delivered: r.get(10)?,
                chat: r.get(11)?,
            })
        })?
        .collect()
}

pub fn put_delivery(conn: &Connection, d: &Delivery) -> rusqlite::Result<()> {
    conn.prepare_cached(&format!(
        "INSERT OR REPLACE INTO deliveries ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    ))?
    .execute(params_from_iter(row(d)))?;
    Ok(())
}

/// The columns a swap sets and compares (all but the destination).
const STATE: &str = "cursor, lease_owner, lease_until, attempts, next_attempt_at, last_success_at, \
     last_error, failing_since, parked, delivered, chat";

/// `d`'s values for [`STATE`], in its order.
fn state(d: &Delivery) -> [Box<dyn ToSql>; 11] {
    [
        Box::new(d.cursor),
        Box::new(d.lease.as_ref().map(|l| l.owner.clone())),
        Box::new(d.lease.as_ref().map(|l| Stamp(l.until))),
        Box::new(i64::from(d.attempts)),
        Box::new(d.next_attempt.map(Stamp)),
        Box::new(d.last_success.map(Stamp)),
        Box::new(d.last_error.clone()),
        Box::new(d.failing_since.map(Stamp)),
        Box::new(d.parked.clone()),
        Box::new(d.delivered),
        Box::new(d.chat.clone()),
    ]
}

/// `d`'s values for [`COLUMNS`]: the destination, then [`state`].
fn row(d: &Delivery) -> impl Iterator<Item = Box<dyn ToSql>> {
    std::iter::once(Box::new(d.destination.clone()) as Box<dyn ToSql>).chain(state(d))
}

/// Stores `d` in place of its destination's row if that row is still
/// exactly `was` (`None`: if there is none); whether it did. One statement,
/// atomic on its own; `IS` compares NULLs as equal.
pub fn swap_delivery(conn: &Connection, was: Option<&Delivery>, d: &Delivery) -> rusqlite::Result<bool> {
    let changed = match was {
        None => conn
            .prepare_cached(&format!(
                "INSERT OR IGNORE INTO deliveries ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
            ))?
            .execute(params_from_iter(row(d)))?,
        Some(w) => conn
            .prepare_cached(&format!(
                "UPDATE deliveries SET ({STATE}) = (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) \
                 WHERE destination = ?1 \
                 AND ({STATE}) IS (?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)"
            ))?
            .execute(params_from_iter(row(d).chain(state(w))))?,
    };
    Ok(changed > 0)
}

pub fn rooms(conn: &Connection, destination: &str) -> rusqlite::Result<Vec<Room>> {
    conn.prepare_cached(
        "SELECT destination, incident_id, room, link, topic FROM rooms WHERE destination = ?1 ORDER BY incident_id",
    )?
    .query_map([destination], |r| {
        Ok(Room {
            destination: r.get(0)?,
            incident_id: r.get(1)?,
            room: r.get(2)?,
            link: r.get(3)?,
            topic: r.get(4)?,
        })
    })?
    .collect()
}

pub fn put_room(conn: &Connection, room: &Room) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO rooms (destination, incident_id, room, link, topic) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![room.destination, room.incident_id, room.room, room.link, room.topic])?;
    Ok(())
}

pub fn seen(conn: &Connection, sources: &[String]) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare_cached("SELECT source FROM chat_seen WHERE source = ?1")?;
    let mut found = Vec::new();
    for source in sources {
        if statement.exists([source])? {
            found.push(source.clone());
        }
    }
    found.sort();
    Ok(found)
}

pub fn mark_seen(conn: &Connection, source: &str, event: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO chat_seen (source, event_id) VALUES (?1, ?2)")?
        .execute(params![source, event])?;
    Ok(())
}

/// Up to `limit` events that arrived after arrival number `after`, each
/// with its arrival number, in arrival order.
pub fn arrivals(conn: &Connection, after: i64, limit: usize) -> rusqlite::Result<Vec<(i64, Event)>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    conn.prepare_cached(&format!(
        "SELECT {}, seq FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        super::events::COLUMNS
    ))?
    .query_map(params_from_iter([after, limit]), |r| {
        Ok((r.get(8)?, super::events::from_row(r)?))
    })?
    .collect()
}

/// The overrides of `schedule` (all when `None`) that end after `after`.
pub fn overrides(
    conn: &Connection,
    schedule: Option<&str>,
    after: chrono::DateTime<chrono::Utc>,
) -> rusqlite::Result<Vec<crate::domain::oncall::Override>> {
    conn.prepare_cached(
        "SELECT id, schedule, layer, person, starts_at, ends_at, created_by, created_at FROM overrides \
         WHERE (?1 IS NULL OR schedule = ?1) AND ends_at > ?2 ORDER BY starts_at, id",
    )?
    .query_map(params![schedule, Stamp(after)], |r| {
        Ok(crate::domain::oncall::Override {
            id: r.get(0)?,
            schedule: r.get(1)?,
            layer: r.get(2)?,
            person: r.get(3)?,
            from: r.get::<_, Stamp>(4)?.0,
            until: r.get::<_, Stamp>(5)?.0,
            by: r.get(6)?,
            at: r.get::<_, Stamp>(7)?.0,
        })
    })?
    .collect()
}

pub fn insert_override(conn: &Connection, o: &crate::domain::oncall::Override) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO overrides (schedule, layer, person, starts_at, ends_at, created_by, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        o.schedule,
        o.layer,
        o.person,
        Stamp(o.from),
        Stamp(o.until),
        o.by,
        Stamp(o.at)
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn delete_override(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM overrides WHERE id = ?1")?
        .execute([id])?
        > 0)
}
