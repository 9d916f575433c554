//! The write floor: what the least a write command could cost is. A fresh
//! process opens the database as `incident` does (read-write, no mutex,
//! the busy timeout, WAL, synchronous=FULL, foreign keys), inserts one
//! 80-character event into an indexed table in an IMMEDIATE transaction,
//! and commits. Built with the product's rusqlite and profile, so the
//! ratio of a command to it is what the command adds.
//!
//!     floor-write DB      # creates the table on first use

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::time::Duration;

fn main() -> rusqlite::Result<()> {
    let path = std::env::args().nth(1).expect("usage: floor-write DB");
    let flags =
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS floor_events (id INTEGER PRIMARY KEY, incident_id INTEGER NOT NULL,
           at TEXT NOT NULL, author TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL) STRICT;
         CREATE INDEX IF NOT EXISTS floor_events_by_incident ON floor_events (incident_id, at, id);",
    )?;
    tx.execute(
        "INSERT INTO floor_events (incident_id, at, author, kind, text) VALUES (1, ?1, 'bench', 'note', ?2)",
        (
            "2026-11-23T08:00:00Z",
            "Rolled back deploy 482 on checkout-api; error rate falling, watching p99 latency",
        ),
    )?;
    tx.commit()
}
