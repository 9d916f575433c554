//! The read floor: the least a read command could cost. A fresh process
//! opens an incident database as `incident` does (read-write without
//! create, no mutex, the busy timeout, synchronous=FULL, foreign keys),
//! reads the 20 newest events of one incident with every column, and
//! writes them out, as `show` would. Built with the product's rusqlite
//! and profile.
//!
//!     floor-read DB INCIDENT_NUMBER

use rusqlite::{Connection, OpenFlags};
use std::io::Write;
use std::time::Duration;

fn main() -> rusqlite::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(id)) = (args.next(), args.next()) else {
        panic!("usage: floor-read DB INCIDENT_NUMBER");
    };
    let id: i64 = id.parse().expect("an incident number");
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    let mut statement = conn.prepare(
        "SELECT id, at, recorded_at, author, kind, text, details FROM events
         WHERE incident_id = ?1 ORDER BY at DESC, id DESC LIMIT 20",
    )?;
    let mut rows = statement.query([id])?;
    let mut out = std::io::stdout().lock();
    while let Some(row) = rows.next()? {
        let n: i64 = row.get(0)?;
        let [at, recorded_at, author, kind, text]: [String; 5] =
            [row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?];
        let details: Option<String> = row.get(6)?;
        let details = details.unwrap_or_default();
        let _ = writeln!(out, "{n} {at} {recorded_at} {author} {kind} {text} {details}");
    }
    Ok(())
}
