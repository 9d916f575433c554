//! Storage: the only module that speaks SQL.
//!
//! Opening checks the file before SQLite touches it, refuses a database from
//! a newer version untouched, sets the connection PRAGMAs and migrates forward.
//! Every change runs in one IMMEDIATE transaction through [`Writer`], which
//! appends the timeline events with the state change they describe.

mod alerts;
mod assessments;
mod deliveries;
mod events;
mod incidents;
pub mod migrations;
mod retro;
mod search;
mod settled;
pub(super) mod sql;
mod statuspage;
mod watch;

use super::{Access, Append, Dated, Found, ListFilter, Location, Order, Put, Read, Reads, Storage, Wait};
use crate::domain::alerts::Alert;
use crate::domain::plans::ChangeRecord;
use crate::domain::retro::{ActionItem, Retro, RetroDraft};
use crate::domain::similar::Likeness;
use crate::domain::stats::Settled;
use crate::domain::triage::Assessment;
use crate::domain::{Brief, Incident, RoleHolder};
use crate::error::usage;
use anyhow::{Context, Result, anyhow};
use chrono::{DateTime, Utc};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};
use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The SQLite backend: a path that no other backend claims.
pub const BACKEND: super::Backend = super::Backend {
    claims: |_| true,
    shown: |given| Ok(given.display().to_string()),
    shared: |given| {
        std::path::absolute(given)
            .unwrap_or_else(|_| given.to_path_buf())
            .display()
            .to_string()
    },
    has_password: |_| false,
    open: |location, options| Ok(Box::new(SqliteStore::open_at(location, options.access)?)),
};

/// How long a writer waits for another one before giving up. Long enough for
/// a burst of scribes and cron; short enough that a stuck process is noticed.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// An SQLite database file.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    location: Location,
}

impl SqliteStore {
    fn open_at(location: &Location, access: Access) -> Result<SqliteStore> {
        let mut store = SqliteStore::open(location.given(), access)?;
        store.location = location.clone();
        Ok(store)
    }

    /// Opens (or, to write, creates) the database file at `path`.
    pub fn open(path: &Path, access: Access) -> Result<SqliteStore> {
        let mut wal = false;
        match fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match access {
                Access::Read => return SqliteStore::empty(path),
                Access::Existing => return Err(super::Missing(path.display().to_string()).into()),
                Access::Write => {
                    create(path)?;
                    // Ours, checked: nothing here opens it beside SQLite again.
                    if let Ok(meta) = fs::metadata(path) {
                        checked(&meta, Some(true));
                    }
                }
            },
            Err(e) => return Err(anyhow!("cannot open database {}: {e}", path.display())),
            Ok(meta) if meta.is_dir() => {
                return Err(usage(format!(
                    "{} is a directory; --db takes a database file, e.g. {}",
                    path.display(),
                    path.join("incidents.db").display()
                )));
            }
            Ok(meta) if !meta.is_file() => return Err(not_a_file(path, &meta)),
            Ok(meta) => {
                if access == Access::Write {
                    sweep_leftovers(path);
                }
                wal = check_header_once(path, &meta)?
            }
        }
        // READ_WRITE without CREATE: SQLite must never create a file behind
        // our checks, and a write-protected file opens read-only.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .with_context(|| format!("cannot open database {}", path.display()))?;
        let mut store = SqliteStore::new(conn, path)?;
        match store.prepare(wal) {
            Ok(()) => Ok(store),
            // A write-protected WAL database (an archive, a read-only mount):
            // SQLite cannot create its shared-memory file, so read the file as
            // immutable. Nobody can be writing to it, or we could too.
            Err(e) if access != Access::Write && e.is::<ReadOnly>() => SqliteStore::open_immutable(path),
            Err(e) => Err(e),
        }
    }

    fn new(conn: Connection, path: &Path) -> Result<SqliteStore> {
        configure(&conn)?;
        Ok(SqliteStore {
            conn,
            path: path.to_path_buf(),
            location: Location::parse(path).expect("a path is a location"),
        })
    }

    fn open_immutable(path: &Path) -> Result<SqliteStore> {
        let uri = format!("file:{}?immutable=1", uri_path(path));
        let flags =
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(uri, flags)
            .with_context(|| format!("cannot open database {}", path.display()))?;
        let store = SqliteStore::new(conn, path)?;
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
        configure(&conn)?;
        migrations::upgrade(&conn, 0)?;
        SqliteStore::new(conn, path)
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

/// Answers one read on `conn` (the read snapshot, or a transaction).
fn answer(conn: &Connection, read: &Read<'_>) -> rusqlite::Result<Found> {
    Ok(match *read {
        Read::Incident(id) => Found::Incident(incidents::get(conn, id)?),
        Read::Count(filter) => Found::Count(incidents::count(conn, filter)?),
        Read::Events(query) => Found::Events(events::query(conn, &query)?),
        Read::EventCount(id) => Found::Count(events::count(conn, id)?),
        Read::Newest => Found::Newest(events::newest(conn)?),
        Read::Chain(id) => Found::Chain(events::chain(conn, id)?),
        Read::Roles(id) => Found::Roles(incidents::roles(conn, id)?),
        Read::Assessments(of) => Found::Assessments(assessments::select(conn, of)?),
        Read::Retro(id) => Found::Retro(retro::get(conn, id)?),
        Read::RetroDraft(id) => Found::RetroDraft(retro::draft(conn, id)?),
        Read::Actions(filter) => Found::Actions(retro::actions(conn, filter)?),
        Read::Alerts(filter) => Found::Alerts(alerts::select(conn, filter)?),
        Read::Changes { since, until } => Found::Changes(incidents::changes(conn, since, until)?),
        Read::Settled { key, since } => Found::Settled(settled::groups_since(conn, key, since)?),
        Read::Renumbered(of) => Found::Renumbered(events::renumbered(conn, of)?),
        Read::AlertSeals(filter) => Found::AlertSeals(alerts::seals(conn, filter)?),
        Read::Arrivals { after, limit } => Found::Arrivals(deliveries::arrivals(conn, after, limit)?),
        Read::Deliveries => Found::Deliveries(deliveries::deliveries(conn)?),
        Read::Rooms(destination) => Found::Rooms(deliveries::rooms(conn, destination)?),
        Read::Seen(sources) => Found::Seen(deliveries::seen(conn, sources)?),
        Read::Overrides { schedule, after } => {
            Found::Overrides(deliveries::overrides(conn, schedule, after)?)
        }
        Read::ComponentMarks => Found::ComponentMarks(statuspage::marks(conn)?),
        Read::Maintenances(after) => Found::Maintenances(statuspage::maintenances(conn, after)?),
        Read::Search { query, filter } => Found::Hits(search::search(conn, query, filter)?),
    })
}

/// Answers reads one after another: with no round trips, a batch is as
/// fast as its reads.
fn batch(conn: &Connection, path: &Path, reads: &[Read<'_>]) -> Result<Vec<Found>> {
    reads
        .iter()
        .map(|r| answer(conn, r).map_err(|e| explain_error(path, e)))
        .collect()
}

impl Reads for SqliteStore {
    fn batch(&self, reads: &[Read<'_>]) -> Result<Vec<Found>> {
        batch(self.snapshot()?, &self.path, reads)
    }

    fn each_incident(
        &self,
        filter: &ListFilter,
        order: Order<'_>,
        f: &mut dyn FnMut(Incident) -> Result<()>,
    ) -> Result<()> {
        incidents::each(self.snapshot()?, filter, order, f)
    }

    fn each_brief(&self, filter: &ListFilter, f: &mut dyn FnMut(Brief) -> Result<()>) -> Result<()> {
        incidents::each_brief(self.snapshot()?, filter, f)
    }

    fn each_likeness(&self, filter: &ListFilter, f: &mut dyn FnMut(&Likeness) -> Result<()>) -> Result<()> {
        incidents::each_likeness(self.snapshot()?, filter, f)
    }

    fn each_hash(&self, upto: i64, f: &mut dyn FnMut(&str, Option<&str>)) -> Result<()> {
        self.read(|c| events::each_hash(c, upto, f))
    }
}

impl Storage for SqliteStore {
    fn location(&self) -> &Location {
        &self.location
    }

    fn begin(&mut self, wait: Wait) -> Result<Option<Box<dyn super::Transaction + '_>>> {
        self.end_snapshot()?;
        let path = self.path.clone();
        if wait == Wait::No {
            if self.conn.is_readonly("main")? {
                return Ok(None);
            }
            // Never wait for a writer: the caller goes on without writing.
            self.conn.busy_timeout(Duration::ZERO)?;
        }
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate);
        if wait == Wait::No {
            self.conn.busy_timeout(BUSY_TIMEOUT)?;
        }
        let tx = match tx {
            Ok(tx) => tx,
            Err(e) if wait == Wait::No && is_busy(&e) => return Ok(None),
            Err(e) => return Err(explain_error(&path, e)),
        };
        // A newer release may have upgraded the file since this process
        // opened it. Read under the lock, with the statement the open
        // prepared (cached: in a one-shot command, a step, not a prepare).
        let version = migrations::user_version(&tx).map_err(|e| explain_error(&path, e))?;
        if version > migrations::LATEST {
            return match wait {
                Wait::No => Ok(None),
                Wait::Yes => Err(super::upgraded_under(
                    &path.display().to_string(),
                    version,
                    migrations::LATEST,
                )),
            };
        }
        Ok(Some(Box::new(Writer { tx, path })))
    }

    fn refresh(&self) -> Result<()> {
        self.end_snapshot()
    }

    fn watch(&self) -> Result<Box<dyn super::Watch>> {
        Ok(Box::new(watch::FileWatch::new(&self.path)?))
    }

    fn swap_delivery(
        &self,
        was: Option<&crate::domain::notify::Delivery>,
        delivery: &crate::domain::notify::Delivery,
    ) -> Result<bool> {
        // One statement in autocommit: it waits for another writer (the
        // busy timeout) only as long as that writer's commit.
        self.end_snapshot()?;
        deliveries::swap_delivery(&self.conn, was, delivery).map_err(|e| self.explain(e))
    }
}

/// Indexes each document (see [`search::put`]).
fn index(
    conn: &Connection,
    docs: impl IntoIterator<Item = crate::domain::search::Doc>,
) -> rusqlite::Result<()> {
    docs.into_iter().try_for_each(|doc| search::put(conn, &doc))
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked | ErrorCode::ReadOnly)
    )
}

/// One IMMEDIATE transaction: every change to the database goes through one.
struct Writer<'c> {
    tx: Transaction<'c>,
    path: PathBuf,
}

impl Writer<'_> {
    /// A write refused deep inside still gets the plain explanation, not
    /// SQLite's "attempt to write a readonly database".
    fn run<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        f(&self.tx).map_err(|e| explain_error(&self.path, e))
    }
}

impl Reads for Writer<'_> {
    fn batch(&self, reads: &[Read<'_>]) -> Result<Vec<Found>> {
        batch(&self.tx, &self.path, reads)
    }

    fn each_incident(
        &self,
        filter: &ListFilter,
        order: Order<'_>,
        f: &mut dyn FnMut(Incident) -> Result<()>,
    ) -> Result<()> {
        incidents::each(&self.tx, filter, order, f)
    }

    fn each_brief(&self, filter: &ListFilter, f: &mut dyn FnMut(Brief) -> Result<()>) -> Result<()> {
        incidents::each_brief(&self.tx, filter, f)
    }

    fn each_likeness(&self, filter: &ListFilter, f: &mut dyn FnMut(&Likeness) -> Result<()>) -> Result<()> {
        incidents::each_likeness(&self.tx, filter, f)
    }

    fn each_hash(&self, upto: i64, f: &mut dyn FnMut(&str, Option<&str>)) -> Result<()> {
        self.run(|c| events::each_hash(c, upto, f))
    }
}

impl super::Transaction for Writer<'_> {
    // Each write of indexed text indexes it too, on the same connection in
    // the same transaction: stored together or not at all.
    fn insert_incident(&mut self, incident: &Incident, uid: &str, number: Option<i64>) -> Result<i64> {
        self.run(|c| {
            let id = incidents::insert(c, incident, uid, number)?;
            let numbered = Incident {
                id,
                ..incident.clone()
            };
            index(c, crate::domain::search::incident_docs(&numbered))?;
            Ok(id)
        })
    }

    fn put_incident(&mut self, incident: &Incident, before: Option<&Incident>) -> Result<()> {
        self.run(|c| {
            incidents::update(c, incident, before)?;
            index(c, crate::domain::search::changed_incident_docs(incident, before))
        })
    }

    fn put_role(&mut self, incident: i64, holder: &RoleHolder, since: Option<DateTime<Utc>>) -> Result<()> {
        self.run(|c| incidents::put_role(c, incident, holder, since))
    }

    fn append(&mut self, incident: i64, event: Append<'_>) -> Result<i64> {
        self.run(|c| {
            let id = events::append(c, incident, event)?;
            let (kind, text) = match event {
                Append::New { event, .. } => (Some(event.kind()), event.text.as_str()),
                Append::Verbatim { row, .. } => (row.kind.parse().ok(), row.text.as_str()),
            };
            if let Some(doc) =
                kind.and_then(|kind| crate::domain::search::event_doc(incident, id, kind, text))
            {
                search::put_new(c, &doc)?;
            }
            Ok(id)
        })
    }

    fn put_assessment(&mut self, assessment: &Assessment) -> Result<()> {
        self.run(|c| {
            let id = assessments::insert(c, assessment)?;
            let numbered = Assessment {
                id,
                ..assessment.clone()
            };
            search::put(c, &crate::domain::search::assessment_doc(&numbered))
        })
    }

    fn put_retro(&mut self, incident: i64, retro: &Dated<Retro>) -> Result<()> {
        self.run(|c| {
            retro::put(c, incident, retro)?;
            index(c, crate::domain::search::retro_docs(incident, &retro.value))
        })
    }

    fn put_retro_draft(&mut self, incident: i64, draft: Option<&RetroDraft>) -> Result<()> {
        self.run(|c| retro::put_draft(c, incident, draft))
    }

    fn put_action(&mut self, item: &ActionItem, put: Put) -> Result<i64> {
        self.run(|c| {
            let id = retro::put_action(c, item, put)?;
            let numbered = ActionItem { id, ..item.clone() };
            search::put(c, &crate::domain::search::action_doc(&numbered))?;
            Ok(id)
        })
    }

    fn put_alert(&mut self, alert: &Alert, put: Put) -> Result<i64> {
        self.run(|c| {
            let id = alerts::put(c, alert, put)?;
            let numbered = Alert { id, ..alert.clone() };
            match crate::domain::search::alert_doc(&numbered) {
                Some(doc) => search::put(c, &doc)?,
                None => search::remove(c, crate::domain::search::Place::Alert, id)?,
            }
            Ok(id)
        })
    }

    fn insert_change(&mut self, change: &ChangeRecord, recorded_at: DateTime<Utc>) -> Result<i64> {
        self.run(|c| incidents::insert_change(c, change, recorded_at))
    }

    fn put_renumbered(&mut self, event: i64, numbers: &crate::domain::refs::Renumbering) -> Result<()> {
        self.run(|c| events::put_renumbered(c, event, numbers))
    }

    fn put_delivery(&mut self, delivery: &crate::domain::notify::Delivery) -> Result<()> {
        self.run(|c| deliveries::put_delivery(c, delivery))
    }

    fn put_room(&mut self, room: &crate::domain::notify::Room) -> Result<()> {
        self.run(|c| deliveries::put_room(c, room))
    }

    fn mark_seen(&mut self, source: &str, event: i64) -> Result<()> {
        self.run(|c| deliveries::mark_seen(c, source, event))
    }

    fn insert_override(&mut self, o: &crate::domain::oncall::Override) -> Result<i64> {
        self.run(|c| deliveries::insert_override(c, o))
    }

    fn delete_override(&mut self, id: i64) -> Result<bool> {
        self.run(|c| deliveries::delete_override(c, id))
    }

    fn insert_component_mark(&mut self, m: &crate::domain::statuspage::ComponentMark) -> Result<i64> {
        self.run(|c| statuspage::insert_mark(c, m))
    }

    fn insert_maintenance(&mut self, m: &crate::domain::statuspage::Maintenance) -> Result<i64> {
        self.run(|c| statuspage::insert_maintenance(c, m))
    }

    fn settle(&mut self, key: i64, settled: &[Settled]) -> Result<usize> {
        self.run(|c| settled::settle(c, key, settled))
    }

    fn unsettle(&mut self, incident: i64) -> Result<()> {
        self.run(|c| settled::unsettle(c, incident))
    }

    fn commit(self: Box<Self>) -> Result<()> {
        let Writer { tx, path } = *self;
        tx.commit().map_err(|e| explain_error(&path, e))
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

/// [`check_header`], once per file per process. Closing any descriptor of
/// a file drops every POSIX lock the process holds on it, so a second
/// connection in one process (serve's writer, its hooks, its deliverer)
/// must not open and close the database file beside SQLite: the first
/// connection's locks would be gone, and another process closing the
/// database would take itself for the last one and delete the WAL from
/// under it (SQLite's "How To Corrupt", 2.2). The first open of a file in
/// a process comes before any connection to it; later ones reuse what it
/// found.
fn check_header_once(path: &Path, meta: &fs::Metadata) -> Result<bool> {
    if let Some(wal) = checked(meta, None) {
        return Ok(wal);
    }
    let wal = check_header(path)?;
    checked(meta, Some(wal));
    Ok(wal)
}

/// What this process found of the file `meta` describes, if it looked;
/// with `found`, remembers that. A file is its device and inode, and its
/// birth time where the file system keeps one: a file deleted and another
/// created in its place (a database restored under a long-running
/// `serve`) can get the same inode number, and must not be taken for the
/// one that was in WAL mode.
fn checked(meta: &fs::Metadata, found: Option<bool>) -> Option<bool> {
    use std::os::unix::fs::MetadataExt;
    type File = (u64, u64, Option<std::time::SystemTime>);
    static CHECKED: std::sync::Mutex<Vec<(File, bool)>> = std::sync::Mutex::new(Vec::new());
    let file = (meta.dev(), meta.ino(), meta.created().ok());
    let mut all = CHECKED.lock().unwrap_or_else(|e| e.into_inner());
    match found {
        Some(wal) => {
            all.retain(|(f, _)| *f != file);
            all.push((file, wal));
            Some(wal)
        }
        None => all.iter().find(|(f, _)| *f == file).map(|(_, wal)| *wal),
    }
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

/// What every connection is set to before its first statement: plans
/// that never depend on the values bound. Without it, SQLite (3.47 on)
/// compiles a statement with a `LIMIT ?`, or a parameter that a partial
/// index's condition names, twice: at prepare, and again at its first
/// step, to plan with the values bound by then (a tenth of a `list`).
/// Every query here is written for its plan (the index named, the values a
/// partial index needs written out), so none needs the values. A query
/// added later should be too: under this guarantee a `LIKE ?` prefix never
/// uses an index, and statistics (were `ANALYZE` ever run) are not sampled
/// with the values.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

/// An empty database of the latest version in memory, configured as the
/// store's, for the tests of the plans its queries get.
#[cfg(test)]
fn in_memory() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    configure(&conn).unwrap();
    migrations::upgrade(&conn, 0).unwrap();
    conn
}

/// The plan SQLite makes for `sql` with `values` bound: its steps' texts.
#[cfg(test)]
fn plan(conn: &Connection, sql: &str, values: impl IntoIterator<Item: rusqlite::ToSql>) -> Vec<String> {
    conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap()
        .query_map(rusqlite::params_from_iter(values), |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
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
        configure(&conn)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// However the store comes to its connection (a database it creates,
    /// one that exists, one that does not exist yet and reads as empty), a
    /// statement is compiled once, whatever is bound (`configure`).
    #[test]
    fn every_way_of_opening_compiles_a_statement_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("incidents.db");
        let stores = [
            SqliteStore::open(&path, Access::Write).unwrap(),
            SqliteStore::open(&path, Access::Write).unwrap(),
            SqliteStore::open(&dir.path().join("none.db"), Access::Read).unwrap(),
        ];
        for store in &stores {
            let mut statement = store
                .conn
                .prepare("SELECT id FROM incidents ORDER BY id LIMIT ?")
                .unwrap();
            let ids: Vec<i64> = statement
                .query_map([5], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(ids.is_empty());
            assert_eq!(statement.get_status(rusqlite::StatementStatus::RePrepare), 0);
        }
    }
}
