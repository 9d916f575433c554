//! Schema migrations: an append-only list, position N upgrades a database at
//! `user_version` N to N+1. Each step runs inside the caller's IMMEDIATE
//! transaction, so a crash mid-upgrade leaves the old version intact.

use rusqlite::Connection;

/// Never edit or reorder a released step: add a new one.
pub const STEPS: &[&str] = &[include_str!("schema_v1.sql"), include_str!("schema_retro.sql")];

/// The version this binary writes.
pub const LATEST: i64 = STEPS.len() as i64;

pub fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Applies every step after `from`. The caller holds the write transaction.
pub fn upgrade(conn: &Connection, from: i64) -> rusqlite::Result<()> {
    upgrade_range(conn, from, LATEST)
}

/// Applies the steps from version 0 up to `to` only: tests of a later step
/// start from the database as it was before that step.
#[cfg(test)]
pub fn upgrade_to(conn: &Connection, to: i64) -> rusqlite::Result<()> {
    upgrade_range(conn, 0, to)
}

fn upgrade_range(conn: &Connection, from: i64, to: i64) -> rusqlite::Result<()> {
    for (index, sql) in STEPS.iter().enumerate().take(to as usize).skip(from as usize) {
        conn.execute_batch(sql)?;
        conn.pragma_update(None, "user_version", index as i64 + 1)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_applies_in_order_from_empty() {
        let conn = Connection::open_in_memory().unwrap();
        upgrade(&conn, 0).unwrap();
        assert_eq!(user_version(&conn).unwrap(), LATEST);
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for table in ["events", "incidents", "roles", "retros", "actions"] {
            assert!(tables.iter().any(|t| t == table), "{table} in {tables:?}");
        }
    }

    #[test]
    fn upgrading_a_current_database_does_nothing() {
        let conn = Connection::open_in_memory().unwrap();
        upgrade(&conn, 0).unwrap();
        upgrade(&conn, LATEST).unwrap();
        assert_eq!(user_version(&conn).unwrap(), LATEST);
    }
}
