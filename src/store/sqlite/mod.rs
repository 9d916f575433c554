//! Storage: the only module that speaks SQL.
//!
//! Opening checks the file before SQLite touches it, refuses a database from
//! a newer version untouched, sets the connection PRAGMAs and migrates forward.
//! Every change runs in one IMMEDIATE transaction through [`Writer`], which
//! appends the timeline events with the state change they describe.

mod alerts;
mod assessments;
mod events;
mod incidents;
pub mod migrations;
mod response;
mod retro;
mod settled;
pub(super) mod sql;
mod transfer;
mod watch;

use super::{Access, ActionFilter, AlertFilter, ListFilter, Scope, Storage};
use crate::domain::alerts::Alert;
use crate::domain::chain::Chain;
use crate::domain::ops::{Change, Record};
use crate::domain::retro::{ActionItem, Retro, RetroDraft};
use crate::domain::stats::{Settled, SettledGroup};
use crate::domain::targets::Facts;
use crate::domain::triage::Assessment;
use crate::domain::{Event, EventKind, Incident, NewEvent, Status};
use crate::error::usage;
use crate::transfer::{IncidentRecord, Outcome};
use anyhow::{Context, Result, anyhow};
use chrono::{DateTime, Utc};
use response::Scope as Reading;
use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};
use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a writer waits for another one before giving up. Long enough for
/// a burst of scribes and cron; short enough that a stuck process is noticed.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// How many incidents `Store::settle` settles per transaction: about 0.4 s
/// of holding the write lock on the benchmark machine.
pub const SETTLE_BATCH: usize = 10_000;

/// An SQLite database file.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    location: super::Location,
}

impl SqliteStore {
    pub fn open(path: &Path, access: Access) -> Result<SqliteStore> {
        let mut wal = false;
        match fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if access == Access::Read {
                    return SqliteStore::empty(path);
                }
                create(path)?;
            }
            Err(e) => return Err(anyhow!("cannot open database {}: {e}", path.display())),
            Ok(meta) if meta.is_dir() => {
                return Err(usage(format!(
                    "{} is a directory; --db takes a database file, e.g. {}",
                    path.display(),
                    path.join("incidents.db").display()
                )));
            }
            Ok(meta) if !meta.is_file() => return Err(not_a_file(path, &meta)),
            Ok(_) => {
                if access == Access::Write {
                    sweep_leftovers(path);
                }
                wal = check_header(path)?
            }
        }
        // READ_WRITE without CREATE: SQLite must never create a file behind
        // our checks, and a write-protected file opens read-only.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .with_context(|| format!("cannot open database {}", path.display()))?;
        let mut store = SqliteStore::new(conn, path);
        match store.prepare(wal) {
            Ok(()) => Ok(store),
            // A write-protected WAL database (an archive, a read-only mount):
            // SQLite cannot create its shared-memory file, so read the file as
            // immutable. Nobody can be writing to it, or we could too.
            Err(e) if access == Access::Read && e.is::<ReadOnly>() => SqliteStore::open_immutable(path),
            Err(e) => Err(e),
        }
    }

    fn new(conn: Connection, path: &Path) -> SqliteStore {
        SqliteStore {
            conn,
            path: path.to_path_buf(),
            location: super::Location::File(path.to_path_buf()),
        }
    }

    fn open_immutable(path: &Path) -> Result<SqliteStore> {
        let uri = format!("file:{}?immutable=1", uri_path(path));
        let flags =
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(uri, flags)
            .with_context(|| format!("cannot open database {}", path.display()))?;
        let store = SqliteStore::new(conn, path);
        let version = migrations::user_version(&store.conn).map_err(|e| store.explain(e))?;
        store.refuse_newer(version)?;
        if version < migrations::LATEST {
            return Err(anyhow!(
                "database {} has schema version {version} and is read-only; open it once with write access to upgrade it",
                path.display()
            ));
        }
        Ok(store)
    }

    /// A database that does not exist yet reads as an empty one.
    fn empty(path: &Path) -> Result<SqliteStore> {
        let conn = Connection::open_in_memory()?;
        migrations::upgrade(&conn, 0)?;
        Ok(SqliteStore::new(conn, path))
    }

    /// Connection settings, the version check and the forward migration;
    /// `wal`: the file's header says it is in WAL mode already.
    fn prepare(&mut self, wal: bool) -> Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        // The version is read before anything could write to the file, so a
        // newer database is refused byte-for-byte untouched.
        let version = migrations::user_version(&self.conn).map_err(|e| self.explain(e))?;
        self.refuse_newer(version)?;
        // WAL persists in the file, so the header tells, one query fewer
        // on every command.
        let wal = wal
            || self
                .conn
                .query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0))
                .map_err(|e| self.explain(e))?
                .eq_ignore_ascii_case("wal");
        if !wal && !self.conn.is_readonly("main")? {
            // WAL lets readers and a writer work at once; it persists in the file.
            self.conn
                .query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
                .map_err(|e| self.explain(e))?;
        }
        // FULL: an entry the tool said it recorded survives a power cut.
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        self.conn.pragma_update(None, "foreign_keys", true)?;
        if version < migrations::LATEST {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| explain_error(&self.path, e))?;
            // Another process may have migrated while we waited for the lock.
            let current = migrations::user_version(&tx)?;
            refuse_newer(&self.path, current)?;
            migrations::upgrade(&tx, current)
                .with_context(|| format!("cannot upgrade database {}", self.path.display()))?;
            tx.commit().map_err(|e| explain_error(&self.path, e))?;
        }
        Ok(())
    }

    fn refuse_newer(&self, version: i64) -> Result<()> {
        refuse_newer(&self.path, version)
    }

    fn explain(&self, e: rusqlite::Error) -> anyhow::Error {
        explain_error(&self.path, e)
    }

    /// Reads see one snapshot from the first read until the next write
    /// (or the end of the command): a command's reads agree with each
    /// other though other processes write in between. In WAL mode this
    /// holds no lock that writers wait for.
    fn snapshot(&self) -> Result<&Connection> {
        if self.conn.is_autocommit() {
            self.conn
                .execute_batch("BEGIN DEFERRED")
                .map_err(|e| self.explain(e))?;
        }
        Ok(&self.conn)
    }

    /// Ends the read snapshot, if one is open, before a write.
    fn end_snapshot(&self) -> Result<()> {
        if !self.conn.is_autocommit() {
            self.conn.execute_batch("ROLLBACK").map_err(|e| self.explain(e))?;
        }
        Ok(())
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        f(self.snapshot()?).map_err(|e| self.explain(e))
    }
}

impl Storage for SqliteStore {
    fn location(&self) -> &super::Location {
        &self.location
    }

    fn begin<'s>(&'s mut self, author: &str, now: DateTime<Utc>) -> Result<Box<dyn super::Transaction + 's>> {
        self.end_snapshot()?;
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| explain_error(&path, e))?;
        Ok(Box::new(Writer {
            tx,
            path,
            author: author.to_string(),
            now,
            appended: Vec::new(),
        }))
    }

    fn incident(&self, id: i64) -> Result<Option<Incident>> {
        self.read(|c| incidents::get(c, id))
    }

    fn incident_ids(&self) -> Result<Vec<i64>> {
        self.read(incidents::ids)
    }

    fn count(&self, filter: &ListFilter) -> Result<usize> {
        self.read(|c| incidents::count(c, filter))
    }

    fn each_incident(
        &self,
        filter: &ListFilter,
        severity_order: &[String],
        f: &mut dyn FnMut(Incident) -> Result<()>,
    ) -> Result<()> {
        incidents::each(self.snapshot()?, filter, severity_order, f)
    }

    fn changes(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<crate::domain::plans::ChangeRecord>> {
        self.read(|c| incidents::changes(c, since, until))
    }

    fn events_of_each(&self, ids: &[i64], kinds: &[EventKind]) -> Result<Vec<Event>> {
        self.read(|c| events::of_kinds_each(c, ids, kinds))
    }

    fn timeline(&self, id: i64, limit: Option<usize>) -> Result<(Vec<Event>, usize)> {
        self.read(|c| events::timeline(c, id, limit))
    }

    fn chain(&self, id: i64) -> Result<Option<Chain>> {
        self.read(|c| events::chain(c, id))
    }

    fn cached(&self, id: i64) -> Result<Option<(crate::domain::targets::Milestones, i64)>> {
        self.read(|c| {
            c.prepare_cached("SELECT acknowledged_at, triaged_at, event_count FROM incidents WHERE id = ?1")?
                .query_row([id], |r| {
                    let acknowledged: Option<sql::Stamp> = r.get(0)?;
                    let triaged: Option<sql::Stamp> = r.get(1)?;
                    let milestones = crate::domain::targets::Milestones {
                        acknowledged: acknowledged.map(|s| s.0),
                        triaged: triaged.map(|s| s.0),
                    };
                    Ok((milestones, r.get(2)?))
                })
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })
        })
    }

    fn checkpoint(&self, upto: Option<i64>) -> Result<crate::domain::chain::Checkpoint> {
        self.read(|c| events::checkpoint(c, upto))
    }

    fn latest_event(&self, id: i64, kinds: &[EventKind]) -> Result<Option<Event>> {
        self.read(|c| events::latest(c, id, kinds))
    }

    fn assessments(&self, id: i64) -> Result<Vec<Assessment>> {
        self.read(|c| assessments::all(c, id))
    }

    fn current_assessments(&self, filter: &ListFilter) -> Result<HashMap<i64, Assessment>> {
        self.read(|c| assessments::current_for(c, filter))
    }

    fn each_response(
        &self,
        filter: &ListFilter,
        scope: Scope,
        f: &mut dyn FnMut(Incident, Facts) -> Result<()>,
    ) -> Result<()> {
        let reading = match scope {
            Scope::All => Reading::ALL,
            Scope::Milestones => Reading {
                history: false,
                ..Reading::ALL
            },
            Scope::Unsettled(key) => Reading {
                unsettled: Some(key),
                ..Reading::ALL
            },
        };
        response::each(self.snapshot()?, filter, reading, f)
    }

    fn response_facts(&self, id: i64) -> Result<Facts> {
        self.read(|c| response::facts_of(c, id))
    }

    fn retro(&self, incident_id: i64) -> Result<Option<Retro>> {
        self.read(|c| retro::get(c, incident_id))
    }

    fn retro_draft(&self, incident_id: i64) -> Result<Option<RetroDraft>> {
        self.read(|c| retro::draft(c, incident_id))
    }

    fn action(&self, id: i64) -> Result<Option<ActionItem>> {
        self.read(|c| retro::action(c, id))
    }

    fn actions(&self, filter: &ActionFilter) -> Result<Vec<ActionItem>> {
        self.read(|c| retro::actions(c, filter))
    }

    fn export(&self, id: i64) -> Result<Option<IncidentRecord>> {
        self.read(|c| transfer::export(c, id))
    }

    fn settled_groups(&self, key: i64, since: DateTime<Utc>) -> Result<Vec<SettledGroup>> {
        self.read(|c| settled::groups_since(c, key, since))
    }

    fn settle(
        &mut self,
        key: i64,
        filter: &ListFilter,
        batch: usize,
        settle: &mut dyn FnMut(&Incident, &Facts) -> Option<Settled>,
    ) -> Result<usize> {
        if self.conn.is_readonly("main")? {
            return Ok(0);
        }
        self.end_snapshot()?;
        // Never wait for a writer: a report must not stall behind a scribe.
        self.conn.busy_timeout(Duration::ZERO)?;
        let mut total = 0;
        let mut after = 0;
        loop {
            let done = (|| -> Result<(usize, Option<i64>)> {
                let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
                let reading = Reading {
                    unsettled: Some(key),
                    page: Some((after, batch)),
                    history: true,
                };
                let (mut seen, mut last) = (0, None);
                let mut found = Vec::new();
                response::each(&tx, filter, reading, &mut |incident: Incident, facts: Facts| {
                    seen += 1;
                    last = last.max(Some(incident.id));
                    found.extend(settle(&incident, &facts));
                    Ok(())
                })?;
                let stored = settled::insert(&tx, key, &found)?;
                settled::refresh_months(&tx, key)?;
                tx.commit()?;
                total += stored;
                Ok((seen, last))
            })();
            match done {
                Ok((seen, Some(last))) if seen == batch => after = last,
                _ => break,
            }
        }
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(total)
    }

    fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>> {
        self.read(|c| alerts::select(c, filter))
    }

    fn arrived_after(&self, incident: Option<i64>, after: Option<i64>) -> Result<(Vec<Event>, i64)> {
        self.read(|c| events::arrived_after(c, incident, after))
    }

    fn refresh(&self) -> Result<()> {
        self.end_snapshot()
    }

    fn watch(&self) -> Result<Box<dyn super::Watch>> {
        Ok(Box::new(watch::FileWatch::new(&self.path)?))
    }
}

/// Every change to the database goes through here, inside one IMMEDIATE
/// transaction.
struct Writer<'c> {
    tx: Transaction<'c>,
    path: PathBuf,
    author: String,
    now: DateTime<Utc>,
    appended: Vec<Event>,
}

impl Writer<'_> {
    /// A write refused deep inside still gets the plain explanation, not
    /// SQLite's "attempt to write a readonly database".
    fn explain(&self, e: rusqlite::Error) -> anyhow::Error {
        explain_error(&self.path, e)
    }

    /// Appends one event to the incident's timeline, written by the actor.
    fn append(&mut self, incident_id: i64, event: NewEvent) -> rusqlite::Result<i64> {
        let stored = events::append(&self.tx, incident_id, &self.author, self.now, event)?;
        let id = stored.id;
        self.appended.push(stored);
        Ok(id)
    }

    fn store(&mut self, change: Change) -> rusqlite::Result<()> {
        // Only what changed is written: most entries change no state, and
        // every statement is parsed afresh in each short-lived process.
        if change.changes_state() {
            incidents::update(&self.tx, &change.incident)?;
        }
        // Only closed incidents are ever settled in the stats cache.
        if change.before.status == Status::Closed || change.incident.status == Status::Closed {
            settled::unsettle(&self.tx, change.incident.id)?;
        }
        let Change {
            before,
            incident,
            events,
            records,
        } = change;
        let id = incident.id;
        for gone in before.roles.iter().filter(|h| !incident.roles.contains(h)) {
            incidents::remove_role(&self.tx, id, &gone.role, &gone.person)?;
        }
        for new in incident.roles.iter().filter(|h| !before.roles.contains(h)) {
            incidents::add_role(&self.tx, id, &new.role, &new.person, self.now)?;
        }
        if before.drill != incident.drill || before.tags != incident.tags {
            incidents::set_labels(&self.tx, id, incident.drill, &incident.tags)?;
        }
        let mut assessed = None;
        for event in events {
            let kind = event.kind();
            let event_id = self.append(id, event)?;
            if kind == EventKind::Assessed {
                assessed = Some(event_id);
            }
        }
        for record in records {
            match record {
                Record::Assessment(mut a) => {
                    a.incident_id = id;
                    // An operation records an assessment with its event.
                    a.event_id = assessed.unwrap_or_default();
                    assessments::insert(&self.tx, &a)?;
                }
                Record::Retro(r) => retro::save(&self.tx, id, &r, self.now)?,
                Record::NewAction(number, item) => {
                    retro::add_action(&self.tx, number, id, &item, self.now)?;
                }
                Record::Action(item) => retro::save_action(&self.tx, &item)?,
            }
        }
        Ok(())
    }
}

impl super::Transaction for Writer<'_> {
    fn incident(&self, id: i64) -> Result<Option<Incident>> {
        incidents::get(&self.tx, id).map_err(|e| self.explain(e))
    }

    fn retro(&self, incident_id: i64) -> Result<Option<Retro>> {
        retro::get(&self.tx, incident_id).map_err(|e| self.explain(e))
    }

    fn action(&self, id: i64) -> Result<Option<ActionItem>> {
        retro::action(&self.tx, id).map_err(|e| self.explain(e))
    }

    fn actions(&self, filter: &ActionFilter) -> Result<Vec<ActionItem>> {
        retro::actions(&self.tx, filter).map_err(|e| self.explain(e))
    }

    fn latest_event(&self, id: i64, kinds: &[EventKind]) -> Result<Option<Event>> {
        events::latest(&self.tx, id, kinds).map_err(|e| self.explain(e))
    }

    fn events_of(&self, id: i64, kinds: &[EventKind]) -> Result<Vec<Event>> {
        events::of_kinds(&self.tx, id, kinds).map_err(|e| self.explain(e))
    }

    fn next_action_id(&self) -> Result<i64> {
        retro::next_action_id(&self.tx).map_err(|e| self.explain(e))
    }

    fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>> {
        alerts::select(&self.tx, filter).map_err(|e| self.explain(e))
    }

    fn incidents(&self, filter: &ListFilter) -> Result<Vec<Incident>> {
        let mut found = Vec::new();
        incidents::each(&self.tx, filter, &[], &mut |i| {
            found.push(i);
            Ok(())
        })?;
        Ok(found)
    }

    fn save_alert(&mut self, alert: &Alert) -> Result<i64> {
        alerts::save(&self.tx, alert).map_err(|e| self.explain(e))
    }

    fn import_alert(&mut self, alert: &Alert) -> Result<i64> {
        alerts::insert_keeping(&self.tx, alert).map_err(|e| self.explain(e))
    }

    fn create(&mut self, mut change: Change) -> Result<i64> {
        let id = incidents::insert(&self.tx, &change.incident).map_err(|e| self.explain(e))?;
        change.incident.id = id;
        // The row now holds the final state, and nobody holds a role yet.
        change.before = Incident {
            roles: Vec::new(),
            drill: false,
            tags: Default::default(),
            ..change.incident.clone()
        };
        self.store(change).map_err(|e| self.explain(e))?;
        Ok(id)
    }

    fn apply(&mut self, change: Change) -> Result<()> {
        if change.is_empty() && change.records.is_empty() {
            return Ok(());
        }
        self.store(change).map_err(|e| self.explain(e))
    }

    fn record_change(&mut self, change: &crate::domain::plans::ChangeRecord) -> Result<i64> {
        incidents::insert_change(&self.tx, change, self.now).map_err(|e| self.explain(e))
    }

    fn save_retro_draft(&mut self, incident_id: i64, answers: Option<&str>) -> Result<()> {
        let saved = match answers {
            Some(text) => retro::save_draft(&self.tx, incident_id, text, &self.author, self.now),
            None => retro::delete_draft(&self.tx, incident_id),
        };
        saved.map_err(|e| self.explain(e))
    }

    fn import(&mut self, record: &IncidentRecord) -> Result<Outcome> {
        transfer::import(&self.tx, record).map_err(anyhow::Error::msg)
    }

    fn commit(self: Box<Self>) -> Result<Vec<Event>> {
        let Writer {
            tx, path, appended, ..
        } = *self;
        tx.commit().map_err(|e| explain_error(&path, e))?;
        Ok(appended)
    }
}

fn refuse_newer(path: &Path, version: i64) -> Result<()> {
    if version > migrations::LATEST {
        return Err(anyhow!(
            "database {} has schema version {version}, newer than this incident's {}; \
             it was written by a newer release: upgrade incident (the file was not changed)",
            path.display(),
            migrations::LATEST
        ));
    }
    Ok(())
}

/// The database cannot be written by this user.
#[derive(Debug, thiserror::Error)]
#[error(
    "database {} is read-only: reading works, but recording needs write permission on the file and its directory",
    .0.display()
)]
pub struct ReadOnly(PathBuf);

/// Turns SQLite's terse errors into what the user can act on.
fn explain_error(path: &Path, e: rusqlite::Error) -> anyhow::Error {
    let p = path.display();
    match e.sqlite_error_code() {
        Some(ErrorCode::ReadOnly) => ReadOnly(path.to_path_buf()).into(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => anyhow!(
            "database {p} stayed busy for {}s (another process holds it); try again",
            BUSY_TIMEOUT.as_secs()
        ),
        Some(ErrorCode::NotADatabase) => {
            anyhow!("{p} is not an incident database (not an SQLite file); check --db or INCIDENT_DB")
        }
        Some(ErrorCode::DatabaseCorrupt) => anyhow!("database {p} is corrupt; restore it from a backup"),
        Some(ErrorCode::CannotOpen) => anyhow!("cannot open database {p}: {e}"),
        Some(ErrorCode::DiskFull) => anyhow!("cannot write database {p}: the disk is full"),
        _ => anyhow::Error::new(e).context(format!("database {p}")),
    }
}

/// A path as the path part of an SQLite `file:` URI.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

/// Refuses files that are plainly not our database before SQLite opens them:
/// SQLite would happily turn an empty file into a fresh database. Says
/// whether the file is in WAL mode (the read and write format versions at
/// offsets 18 and 19 are 2, which SQLite writes to the file itself when it
/// enters WAL mode).
fn check_header(path: &Path) -> Result<bool> {
    let mut head = [0u8; 100];
    // Non-blocking: a FIFO put in its place since it was checked must not
    // hang us; what was opened is checked again.
    let mut file = {
        use std::os::unix::fs::OpenOptionsExt;
        fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
    }
    .with_context(|| format!("cannot open database {}", path.display()))?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_a_file(path, &meta));
    }
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..])? {
            0 => break,
            n => read += n,
        }
    }
    let p = path.display();
    if read == 0 {
        return Err(usage(format!(
            "{p} is an empty file, not an incident database; remove it or point --db elsewhere"
        )));
    }
    if read < head.len() || &head[..16] != SQLITE_MAGIC {
        return Err(usage(format!(
            "{p} is not an incident database (not an SQLite file); check --db or INCIDENT_DB"
        )));
    }
    Ok(head[18] == 2 && head[19] == 2)
}

/// Refuses a FIFO, socket or device as the database, at once (SQLite would
/// hang on a FIFO, or read a device).
fn not_a_file(path: &Path, meta: &fs::Metadata) -> anyhow::Error {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    let what = if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    };
    usage(format!(
        "{} is {what}, not an incident database; --db takes a database file",
        path.display()
    ))
}

/// Removes what a creation killed midway left beside `path`
/// (`.NAME.PID.new`, with its `-wal` and `-shm`), when that process is gone.
fn sweep_leftovers(path: &Path) {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return;
    };
    let prefix = format!(".{name}.");
    let Ok(entries) = fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(rest) = file.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
            continue;
        };
        let Some((pid, suffix)) = rest.split_once(".new") else {
            continue;
        };
        if !matches!(suffix, "" | "-wal" | "-shm" | "-journal") {
            continue;
        }
        let Ok(pid) = pid.parse::<libc::pid_t>() else {
            continue;
        };
        // SAFETY: kill(2) with signal 0 only checks that the process exists.
        let alive = pid > 0
            && (unsafe { libc::kill(pid, 0) } == 0
                || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH));
        if !alive {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Creates a new database at `path`, fully migrated, in one atomic step: it is
/// built beside the target and linked into place, so no other process can see
/// a half-made file, and two first writers racing cannot clobber each other.
fn create(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    create_private_dir(&dir)?;
    sweep_leftovers(path);
    let temp = dir.join(format!(
        ".{}.{}.new",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("incidents.db"),
        std::process::id()
    ));
    let result = (|| -> Result<()> {
        // A leftover from a crashed attempt with the same process id.
        let _ = fs::remove_file(&temp);
        create_private_file(&temp)?;
        let conn = Connection::open_with_flags(&temp, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let tx = conn.unchecked_transaction()?;
        migrations::upgrade(&tx, 0)?;
        tx.commit()?;
        // Closing checkpoints the WAL into the file, so the link below carries
        // the whole schema.
        conn.close().map_err(|(_, e)| e)?;
        match fs::hard_link(&temp, path) {
            Ok(()) => Ok(()),
            // Someone else created it first: theirs is as good as ours.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            // A file system without hard links: a rename is nearly as good.
            Err(_) if !path.exists() => Ok(fs::rename(&temp, path)?),
            Err(e) => Err(e.into()),
        }
    })();
    for suffix in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(format!("{}{suffix}", temp.display()));
    }
    result.with_context(|| format!("cannot create database {}", path.display()))
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("cannot create directory {}", dir.display()))
}

/// The database holds incident details, sometimes of a breach: owner-only.
fn create_private_file(path: &Path) -> Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    Ok(())
}
