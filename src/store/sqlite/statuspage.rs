//! Queries on the status page's tables: component statuses set by hand,
//! and scheduled maintenance.

use super::sql::{JsonList, Stamp};
use crate::domain::statuspage::{ComponentMark, Maintenance};
use rusqlite::{Connection, params};

pub fn marks(conn: &Connection) -> rusqlite::Result<Vec<ComponentMark>> {
    conn.prepare_cached("SELECT id, component, status, set_by, set_at FROM component_statuses ORDER BY id")?
        .query_map([], |r| {
            let status: Option<String> = r.get(2)?;
            Ok(ComponentMark {
                id: r.get(0)?,
                component: r.get(1)?,
                // A status this release does not know hands it back.
                status: status.and_then(|s| s.parse().ok()),
                by: r.get(3)?,
                at: r.get::<_, Stamp>(4)?.0,
            })
        })?
        .collect()
}

pub fn insert_mark(conn: &Connection, m: &ComponentMark) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO component_statuses (component, status, set_by, set_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        m.component,
        m.status.map(|s| s.as_str()),
        m.by,
        Stamp(m.at)
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The maintenances that end at or after `after`, by start.
pub fn maintenances(
    conn: &Connection,
    after: chrono::DateTime<chrono::Utc>,
) -> rusqlite::Result<Vec<Maintenance>> {
    conn.prepare_cached(
        "SELECT id, title, services, starts_at, ends_at, created_by, created_at FROM maintenances \
         WHERE ends_at >= ?1 ORDER BY starts_at, id",
    )?
    .query_map([Stamp(after)], |r| {
        Ok(Maintenance {
            id: r.get(0)?,
            title: r.get(1)?,
            services: r.get::<_, JsonList>(2)?.0,
            from: r.get::<_, Stamp>(3)?.0,
            until: r.get::<_, Stamp>(4)?.0,
            by: r.get(5)?,
            at: r.get::<_, Stamp>(6)?.0,
        })
    })?
    .collect()
}

pub fn insert_maintenance(conn: &Connection, m: &Maintenance) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO maintenances (title, services, starts_at, ends_at, created_by, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        m.title,
        JsonList(m.services.clone()),
        Stamp(m.from),
        Stamp(m.until),
        m.by,
        Stamp(m.at)
    ])?;
    Ok(conn.last_insert_rowid())
}
