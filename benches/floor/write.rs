//! The write floor: what the least a write command could cost is. A fresh
//! process opens the database as `incident` does (read-write, no mutex,
//! the busy timeout, WAL, synchronous=FULL, foreign keys), inserts one
//! 80-character event in an IMMEDIATE transaction, and commits. Built with
//! the product's rusqlite and profile, so the ratio of a command to it is
//! what the command adds.
//!
//!     floor-write DB INCIDENT_NUMBER   # a note on that incident of an incident database
//!     floor-write DB                   # a table of its own, created on first use
//!
//! With an incident number the row goes into the database's own `events`
//! table, with its indexes and the foreign key to `incidents`, so the
//! floor also pays what no write to that database can avoid: SQLite
//! parsing its schema (every table, index and the search index's tables)
//! before the first statement. It leaves out what `incident` adds to the
//! row (its place in the hash chain, its search index entry), which are
//! the command's work. Without a number it writes a two-object file of
//! its own: the floor of the earlier rounds, kept for comparison.

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::time::Duration;

const AT: &str = "2026-11-23T08:00:00Z";
const TEXT: &str = "Rolled back deploy 482 on checkout-api; error rate falling, watching p99 latency";

fn main() -> rusqlite::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: floor-write DB [INCIDENT_NUMBER]");
    let incident: Option<i64> = args.next().map(|n| n.parse().expect("an incident number"));
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if incident.is_none() {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let mut conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    match incident {
        Some(id) => {
            tx.execute(
                "INSERT INTO events (incident_id, at, recorded_at, author, kind, text)
                 VALUES (?1, ?2, ?2, 'bench', 'note', ?3)",
                (id, AT, TEXT),
            )?;
        }
        None => {
            tx.execute_batch(
                "CREATE TABLE IF NOT EXISTS floor_events (id INTEGER PRIMARY KEY, incident_id INTEGER NOT NULL,
                   at TEXT NOT NULL, author TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL) STRICT;
                 CREATE INDEX IF NOT EXISTS floor_events_by_incident ON floor_events (incident_id, at, id);",
            )?;
            tx.execute(
                "INSERT INTO floor_events (incident_id, at, author, kind, text) VALUES (1, ?1, 'bench', 'note', ?2)",
                (AT, TEXT),
            )?;
        }
    }
    tx.commit()
}
