//! The team backend: a PostgreSQL database, with the same guarantees as
//! the SQLite file (`store/sqlite/`), query for query.
//!
//! - Reads between two writes see one snapshot: a REPEATABLE READ READ ONLY
//!   transaction, begun when the store opens (with the version check, in
//!   the same round trip) or at the first read after a write, and rolled
//!   back before a write begins.
//! - Writers are serialised as SQLite serialises them: every write
//!   transaction takes one advisory lock ([`WRITER_KEY`]) first, so the hash
//!   chain never forks and numbers (incidents, events, `seq`, action items)
//!   are allocated as `max + 1` without gaps, never from sequences (which
//!   leave gaps on rollback).
//! - Every change is one transaction with its events; before COMMIT it
//!   notifies channel [`CHANNEL`] once per incident that got events.
//! - The `events` table refuses UPDATE and DELETE (trigger
//!   `events_append_only`, schema_v1.sql).

mod alerts;
mod assessments;
mod client;
mod connect;
mod deliveries;
mod events;
mod incidents;
pub mod migrations;
mod read;
mod retro;
mod search;
mod settled;
pub(crate) mod sql;
mod statuspage;
mod watch;

pub use connect::{Target, is_url};

use super::{Access, Append, Dated, Found, ListFilter, Location, Order, Put, Read, Reads, Storage, Wait};
use crate::domain::alerts::Alert;
use crate::domain::plans::ChangeRecord;
use crate::domain::retro::{ActionItem, Retro, RetroDraft};
use crate::domain::similar::Likeness;
use crate::domain::stats::Settled;
use crate::domain::triage::Assessment;
use crate::domain::{Brief, Incident, RoleHolder};
use anyhow::{Result, anyhow};
use chrono::{DateTime, Utc};
use client::Client;
use std::cell::RefCell;
use std::collections::BTreeSet;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;

/// The PostgreSQL backend: a `postgres://` or `postgresql://` URL.
pub const BACKEND: super::Backend = super::Backend {
    claims: is_url,
    shown: |given| Ok(Target::parse(&given.to_string_lossy())?.to_string()),
    shared: |given| {
        Target::parse(&given.to_string_lossy())
            .map(|t| t.to_string())
            .unwrap_or_default()
    },
    has_password: |given| Target::parse(&given.to_string_lossy()).is_ok_and(|t| t.has_url_password()),
    open: |location, options| {
        let mut target = Target::parse(&location.given().to_string_lossy())?;
        target.default_timeout(options.connect_timeout);
        target.read_timeout = options.read_timeout;
        target.write_timeout = options.write_timeout;
        Ok(Box::new(PgStore::open(location, &target, options.access)?))
    },
};

/// The advisory lock every writer (and the migration) takes first: "incident"
/// in ASCII, so it is unlikely to collide with another application's key.
pub const WRITER_KEY: i64 = 0x696e_6369_6465_6e74;

/// How long a writer waits for another one, as SQLite's busy timeout.
const LOCK_TIMEOUT_SECONDS: u64 = 30;

/// Takes the writers' lock, waiting at most [`LOCK_TIMEOUT_SECONDS`].
const LOCK_WRITERS: &str =
    "SET LOCAL lock_timeout = '30s'; SELECT pg_advisory_xact_lock(7597118925727690356)";

/// The wait of [`LOCK_WRITERS`] alone, for a pipeline.
const LOCK_TIMEOUT: &str = "SET LOCAL lock_timeout = '30s'";

/// The highest event number, arrival number and alert number: read with
/// the writers' lock held, the next free ones stay free until it is let go
/// (see [`Db::numbers`]).
/// With them, the schema version: a newer release may have upgraded the
/// database since this process opened it.
const NEXT_NUMBERS: &str = "SELECT (SELECT coalesce(max(id), 0) FROM events), \
     (SELECT coalesce(max(seq), 0) FROM events), (SELECT coalesce(max(id), 0) FROM alerts), \
     (SELECT version FROM incident_schema)";

/// The channel `--follow` listens on; the payload is the incident number.
pub const CHANNEL: &str = "incident_events";

/// The read snapshot: one consistent view for all of a command's reads.
const BEGIN_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/// The connection, and what it is connected to (for messages).
pub struct Db {
    client: Client,
    target: Target,
    /// A read snapshot transaction is open.
    reading: bool,
    /// Writes whose answers nothing waits for, sent ahead of the next
    /// statement in the same round trip (a read sees them, as it would
    /// had they been sent alone), or with the COMMIT.
    pending: Vec<sql::Statement>,
    /// In a write transaction, the next free numbers, read with the
    /// writers' lock (only the lock's holder adds rows): a new event or
    /// alert takes its number here, so its insert can wait in `pending`.
    /// `None` where a row was numbered by the server meanwhile.
    numbers: Numbers,
    /// The chain heads as of arrival number `heads_upto`: what this
    /// connection appended last. Still true in the next transaction when
    /// nobody appended since (the newest arrival number is the same), so a
    /// server appending to the same incidents reads each head once.
    heads: events::Heads,
    heads_upto: Option<i64>,
}

/// The next free numbers of a write transaction (see [`Db::numbers`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Numbers {
    pub event: Option<i64>,
    pub seq: Option<i64>,
    pub alert: Option<i64>,
}

impl Db {
    fn explain(&self, e: client::Error) -> anyhow::Error {
        if e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) {
            return anyhow!(
                "database {} stayed busy for {LOCK_TIMEOUT_SECONDS}s (another writer holds it); try again",
                self.target
            );
        }
        self.target.explain(&e)
    }

    /// Runs one statement with typed parameters, in one round trip (with
    /// the writes pending before it).
    fn query(
        &mut self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), tokio_postgres::types::Type)],
    ) -> Result<Vec<Row>> {
        if self.pending.is_empty() {
            return self.client.query(sql, params).map_err(|e| self.explain(e));
        }
        let pending = std::mem::take(&mut self.pending);
        let values: Vec<_> = pending.iter().map(|s| sql::params(&s.values)).collect();
        let mut calls: Vec<(&str, client::Params<'_>)> = pending
            .iter()
            .zip(&values)
            .map(|(s, p)| (s.sql.as_str(), p.as_slice()))
            .collect();
        calls.push((sql, params));
        let mut rows = self.client.pipeline(&calls).map_err(|e| self.explain(e))?;
        rows.pop()
            .ok_or_else(|| anyhow!("database {}: a statement gave no answer", self.target))
    }

    /// Sends `statement` with the next round trip; its answer is not
    /// needed. An error it meets fails that round trip, and so the
    /// transaction.
    fn defer(&mut self, statement: sql::Statement) {
        self.pending.push(statement);
    }

    /// Sends the pending writes now, if any.
    fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        self.pipeline_vec(&pending).map(|_| ())
    }

    fn query_opt(
        &mut self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), tokio_postgres::types::Type)],
    ) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    fn query_one(
        &mut self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), tokio_postgres::types::Type)],
    ) -> Result<Row> {
        self.query_opt(sql, params)?
            .ok_or_else(|| anyhow!("database {}: a row the query needs is missing", self.target))
    }

    fn run(&mut self, statement: &sql::Statement) -> Result<Vec<Row>> {
        self.query(&statement.sql, &sql::params(&statement.values))
    }

    /// The statements' rows, each statement's in order, in one round trip
    /// (with the writes pending before them).
    fn pipeline_vec(&mut self, statements: &[sql::Statement]) -> Result<Vec<Vec<Row>>> {
        if statements.is_empty() {
            return Ok(Vec::new());
        }
        let pending = std::mem::take(&mut self.pending);
        let all: Vec<&sql::Statement> = pending.iter().chain(statements).collect();
        let params: Vec<_> = all.iter().map(|s| sql::params(&s.values)).collect();
        let calls: Vec<(&str, client::Params<'_>)> = all
            .iter()
            .zip(&params)
            .map(|(s, p)| (s.sql.as_str(), p.as_slice()))
            .collect();
        let mut rows = self.client.pipeline(&calls).map_err(|e| self.explain(e))?;
        // One answer per statement, or the pipeline had failed.
        match rows.len() == all.len() {
            true => Ok(rows.split_off(pending.len())),
            false => Err(anyhow!("database {}: a read gave too few answers", self.target)),
        }
    }

    /// Parameterless statements, several in one round trip (after the
    /// writes pending).
    fn batch(&mut self, sql: &str) -> Result<()> {
        self.flush()?;
        self.client.batch_execute(sql).map_err(|e| self.explain(e))
    }

    /// Keeps the next free numbers the begin read (`row`: the highest
    /// event number, arrival number and alert number), and forgets the
    /// heads if anyone appended since this connection last did.
    fn take_numbers(&mut self, row: Option<&Row>) {
        let number = |i: usize| row.and_then(|r| r.try_get::<_, i64>(i).ok());
        let (event, seq, alert) = (number(0), number(1), number(2));
        if seq.is_none() || seq != self.heads_upto {
            self.heads.clear();
            self.heads_upto = None;
        }
        self.numbers = Numbers {
            event: event.map(|n| n + 1),
            seq: seq.map(|n| n + 1),
            alert: alert.map(|n| n + 1),
        };
    }

    /// Opens the read snapshot if none is open.
    fn snapshot(&mut self) -> Result<()> {
        if !self.reading {
            self.batch(BEGIN_SNAPSHOT)?;
            self.reading = true;
        }
        Ok(())
    }

    /// Opens the read snapshot and reads the schema version in it, in one
    /// round trip (an error leaves the transaction to roll back).
    fn read_version(&mut self) -> Result<i64, client::Error> {
        let messages = self
            .client
            .simple_query(&format!("{BEGIN_SNAPSHOT}; SELECT version FROM incident_schema"))?;
        let text = messages.into_iter().find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
            _ => None,
        });
        // A version that is not a number reads as newer than any: refused.
        Ok(text.map_or(0, |v| v.parse().unwrap_or(i64::MAX)))
    }

    /// What ends the read snapshot, if one is open, to run before a write
    /// in the same round trip.
    fn end_snapshot(&mut self) -> &'static str {
        match std::mem::replace(&mut self.reading, false) {
            true => "ROLLBACK; ",
            false => "",
        }
    }
}

/// A PostgreSQL database.
pub struct PgStore {
    db: RefCell<Db>,
    location: Location,
}

impl PgStore {
    fn open(location: &Location, target: &Target, access: Access) -> Result<PgStore> {
        let client = target.connect()?;
        let mut db = Db {
            client,
            target: target.clone(),
            reading: false,
            pending: Vec::new(),
            numbers: Numbers::default(),
            heads: events::Heads::new(),
            heads_upto: None,
        };
        let version = match db.read_version() {
            Ok(version) => {
                db.reading = true;
                version
            }
            Err(e) if e.code() == Some(&SqlState::UNDEFINED_TABLE) => {
                db.batch("ROLLBACK")?;
                0
            }
            Err(e) => return Err(db.explain(e)),
        };
        // Read before anything is written: a newer database stays untouched.
        migrations::refuse_newer(target, version)?;
        // Unlike a file, the database exists already: its schema is made on
        // first use, reading or not (docs/team.md has the owner run `list`).
        let _ = access;
        if version < migrations::LATEST {
            if std::mem::take(&mut db.reading) {
                db.batch("ROLLBACK")?;
            }
            migrations::upgrade(&mut db, version)?;
        }
        Ok(PgStore {
            db: RefCell::new(db),
            location: location.clone(),
        })
    }

    /// Runs `f` on the connection inside the read snapshot.
    fn read<T>(&self, f: impl FnOnce(&mut Db) -> Result<T>) -> Result<T> {
        let mut db = self
            .db
            .try_borrow_mut()
            .map_err(|_| anyhow!("the store was read from inside one of its own reads"))?;
        db.snapshot()?;
        f(&mut db)
    }
}

impl Reads for PgStore {
    fn batch(&self, reads: &[Read<'_>]) -> Result<Vec<Found>> {
        self.read(|db| read::batch(db, reads))
    }

    fn each_incident(
        &self,
        filter: &ListFilter,
        order: Order<'_>,
        f: &mut dyn FnMut(Incident) -> Result<()>,
    ) -> Result<()> {
        // Streamed: `f` must not read the store again meanwhile (a clear
        // error if it does, not a deadlock).
        self.read(|db| incidents::stream(db, filter, order, f))
    }

    fn each_brief(&self, filter: &ListFilter, f: &mut dyn FnMut(Brief) -> Result<()>) -> Result<()> {
        self.read(|db| incidents::each_brief(db, filter, f))
    }

    fn each_likeness(&self, filter: &ListFilter, f: &mut dyn FnMut(&Likeness) -> Result<()>) -> Result<()> {
        self.read(|db| incidents::each_likeness(db, filter, f))
    }

    fn each_hash(&self, upto: i64, f: &mut dyn FnMut(&str, Option<&str>)) -> Result<()> {
        self.read(|db| events::each_hash(db, upto, f))
    }
}

impl Storage for PgStore {
    fn location(&self) -> &Location {
        &self.location
    }

    fn begin(&mut self, wait: Wait) -> Result<Option<Box<dyn super::Transaction + '_>>> {
        let db = self.db.get_mut();
        let end = db.end_snapshot();
        let write = db.target.write_timeout;
        // Waiting for another writer is waiting for an answer too.
        db.client
            .set_deadline(write + std::time::Duration::from_secs(LOCK_TIMEOUT_SECONDS));
        db.numbers = Numbers::default();
        let begun = match wait {
            // The lock, then the next free numbers, which only the lock's
            // holder changes: one round trip of prepared statements.
            Wait::Yes => {
                let lock = format!("SELECT pg_advisory_xact_lock({WRITER_KEY})");
                let mut statements: Vec<(&str, client::Params<'_>)> = Vec::new();
                if !end.is_empty() {
                    statements.push(("ROLLBACK", &[]));
                }
                statements.extend([
                    ("BEGIN ISOLATION LEVEL READ COMMITTED", &[][..]),
                    (LOCK_TIMEOUT, &[]),
                    (&lock, &[]),
                    (NEXT_NUMBERS, &[]),
                ]);
                match db.client.pipeline(&statements) {
                    Ok(rows) => {
                        let row = rows.last().and_then(|r| r.first());
                        let version = row.map(|r| r.try_get::<_, i64>(3)).transpose();
                        db.take_numbers(row);
                        match version {
                            Ok(Some(version)) if version > migrations::LATEST => {
                                let target = db.target.to_string();
                                // The refusal is what matters; a connection
                                // that cannot roll back fails the next call.
                                let _ = db.batch("ROLLBACK");
                                Err(super::upgraded_under(&target, version, migrations::LATEST))
                            }
                            Ok(_) => Ok(()),
                            Err(e) => Err(db.explain(e.into())),
                        }
                    }
                    Err(e) => Err(db.explain(e)),
                }
            }
            // Without the numbers the heads cannot be checked: read again.
            Wait::No => {
                db.heads.clear();
                db.heads_upto = None;
                Ok(())
            }
        };
        db.client.set_deadline(write);
        if let Err(e) = begun {
            db.client.set_deadline(db.target.read_timeout);
            return Err(e);
        }
        match wait {
            Wait::Yes => {}
            Wait::No => {
                // Without the lock, or without the right to write, no
                // transaction: the caller goes on without writing.
                let messages = db
                    .client
                    .simple_query(&format!(
                        "{end}BEGIN ISOLATION LEVEL READ COMMITTED; \
                         SELECT pg_try_advisory_xact_lock({WRITER_KEY}) \
                         AND has_table_privilege('stats_settled', 'INSERT') \
                         AND has_table_privilege('incidents', 'UPDATE') \
                         AND (SELECT version FROM incident_schema) <= {}",
                        migrations::LATEST
                    ))
                    .map_err(|e| {
                        db.client.set_deadline(db.target.read_timeout);
                        db.explain(e)
                    })?;
                let writable = messages.into_iter().any(
                    |m| matches!(m, tokio_postgres::SimpleQueryMessage::Row(r) if r.get(0) == Some("t")),
                );
                if !writable {
                    db.client.set_deadline(db.target.read_timeout);
                    db.batch("ROLLBACK")?;
                    return Ok(None);
                }
            }
        }
        Ok(Some(Box::new(Writer {
            db: &self.db,
            touched: BTreeSet::new(),
            open: true,
        })))
    }

    fn refresh(&self) -> Result<()> {
        let mut db = self
            .db
            .try_borrow_mut()
            .map_err(|_| anyhow!("the store was refreshed from inside one of its own reads"))?;
        if db.reading {
            db.batch("ROLLBACK")?;
            db.reading = false;
        }
        Ok(())
    }

    fn watch(&self) -> Result<Box<dyn super::Watch>> {
        let target = self.db.borrow().target.clone();
        Ok(Box::new(watch::Listen::new(&target)?))
    }

    fn swap_delivery(
        &self,
        was: Option<&crate::domain::notify::Delivery>,
        delivery: &crate::domain::notify::Delivery,
    ) -> Result<bool> {
        let mut db = self
            .db
            .try_borrow_mut()
            .map_err(|_| anyhow!("the store was written from inside one of its own reads"))?;
        // The snapshot ends in the same round trip, ahead of the statement.
        if std::mem::replace(&mut db.reading, false) {
            db.defer(sql::Statement::new("ROLLBACK", Vec::new()));
        }
        let write = db.target.write_timeout;
        db.client.set_deadline(write);
        let swapped = deliveries::swap_delivery(&mut db, was, delivery);
        let read = db.target.read_timeout;
        db.client.set_deadline(read);
        db.pending.clear();
        swapped
    }
}

/// One READ COMMITTED transaction holding the writers' lock: every change
/// to the database goes through one. Dropped without
/// [`super::Transaction::commit`], it rolls back.
struct Writer<'s> {
    db: &'s RefCell<Db>,
    /// Incidents that got events: each is notified once, at commit.
    touched: BTreeSet<i64>,
    open: bool,
}

impl Writer<'_> {
    fn db(&self) -> Result<std::cell::RefMut<'_, Db>> {
        self.db
            .try_borrow_mut()
            .map_err(|_| anyhow!("the store was written from inside one of its own reads"))
    }
}

impl Reads for Writer<'_> {
    fn batch(&self, reads: &[Read<'_>]) -> Result<Vec<Found>> {
        read::batch(&mut *self.db()?, reads)
    }

    fn each_incident(
        &self,
        filter: &ListFilter,
        order: Order<'_>,
        f: &mut dyn FnMut(Incident) -> Result<()>,
    ) -> Result<()> {
        incidents::stream(&mut *self.db()?, filter, order, f)
    }

    fn each_brief(&self, filter: &ListFilter, f: &mut dyn FnMut(Brief) -> Result<()>) -> Result<()> {
        incidents::each_brief(&mut *self.db()?, filter, f)
    }

    fn each_likeness(&self, filter: &ListFilter, f: &mut dyn FnMut(&Likeness) -> Result<()>) -> Result<()> {
        incidents::each_likeness(&mut *self.db()?, filter, f)
    }

    fn each_hash(&self, upto: i64, f: &mut dyn FnMut(&str, Option<&str>)) -> Result<()> {
        events::each_hash(&mut *self.db()?, upto, f)
    }
}

impl super::Transaction for Writer<'_> {
    // Each write of indexed text indexes it too, in the same transaction
    // (deferred to the next round trip, as most writes here are).
    fn insert_incident(&mut self, incident: &Incident, uid: &str, number: Option<i64>) -> Result<i64> {
        let mut db = self.db()?;
        let id = incidents::insert(&mut db, incident, uid, number)?;
        let numbered = Incident {
            id,
            ..incident.clone()
        };
        search::put(&mut db, crate::domain::search::incident_docs(&numbered));
        Ok(id)
    }

    // Whether PostgreSQL writes the indexes depends on the values, not on
    // the columns an UPDATE names: none when no indexed value changed and
    // the row fits on its page (a heap-only update), all of them otherwise.
    // So `before` saves nothing in the row; it spares the texts that did
    // not change their statements.
    fn put_incident(&mut self, incident: &Incident, before: Option<&Incident>) -> Result<()> {
        let mut db = self.db()?;
        incidents::update(&mut db, incident)?;
        search::put(
            &mut db,
            crate::domain::search::changed_incident_docs(incident, before),
        );
        Ok(())
    }

    fn put_role(&mut self, incident: i64, holder: &RoleHolder, since: Option<DateTime<Utc>>) -> Result<()> {
        incidents::put_role(&mut *self.db()?, incident, holder, since)
    }

    fn append(&mut self, incident: i64, event: Append<'_>) -> Result<i64> {
        let cell = self.db;
        let mut db = cell
            .try_borrow_mut()
            .map_err(|_| anyhow!("the store was written from inside one of its own reads"))?;
        let id = events::append(&mut db, incident, event)?;
        let (kind, text) = match event {
            Append::New { event, .. } => (Some(event.kind()), event.text.as_str()),
            Append::Verbatim { row, .. } => (row.kind.parse().ok(), row.text.as_str()),
        };
        if let Some(kind) = kind {
            search::put(
                &mut db,
                crate::domain::search::event_doc(incident, id, kind, text),
            );
        }
        drop(db);
        self.touched.insert(incident);
        Ok(id)
    }

    fn put_assessment(&mut self, assessment: &Assessment) -> Result<()> {
        let mut db = self.db()?;
        let id = assessments::insert(&mut db, assessment)?;
        let numbered = Assessment {
            id,
            ..assessment.clone()
        };
        search::put(&mut db, [crate::domain::search::assessment_doc(&numbered)]);
        Ok(())
    }

    fn put_retro(&mut self, incident: i64, retro: &Dated<Retro>) -> Result<()> {
        let mut db = self.db()?;
        retro::put(&mut db, incident, retro)?;
        search::put(&mut db, crate::domain::search::retro_docs(incident, &retro.value));
        Ok(())
    }

    fn put_retro_draft(&mut self, incident: i64, draft: Option<&RetroDraft>) -> Result<()> {
        retro::put_draft(&mut *self.db()?, incident, draft)
    }

    fn put_action(&mut self, item: &ActionItem, put: Put) -> Result<i64> {
        let mut db = self.db()?;
        let id = retro::put_action(&mut db, item, put)?;
        let numbered = ActionItem { id, ..item.clone() };
        search::put(&mut db, [crate::domain::search::action_doc(&numbered)]);
        Ok(id)
    }

    fn put_alert(&mut self, alert: &Alert, put: Put) -> Result<i64> {
        let mut db = self.db()?;
        let id = alerts::put(&mut db, alert, put)?;
        let numbered = Alert { id, ..alert.clone() };
        let doc = crate::domain::search::alert_doc(&numbered).unwrap_or_else(|| {
            // Belongs to no incident (any more): its text goes, as blank.
            crate::domain::search::Doc::new(crate::domain::search::Place::Alert, id, 0, "")
        });
        search::put(&mut db, [doc]);
        Ok(id)
    }

    fn insert_change(&mut self, change: &ChangeRecord, recorded_at: DateTime<Utc>) -> Result<i64> {
        incidents::insert_change(&mut *self.db()?, change, recorded_at)
    }

    fn put_renumbered(&mut self, event: i64, numbers: &crate::domain::refs::Renumbering) -> Result<()> {
        events::put_renumbered(&mut *self.db()?, event, numbers)
    }

    fn put_delivery(&mut self, delivery: &crate::domain::notify::Delivery) -> Result<()> {
        deliveries::put_delivery(&mut *self.db()?, delivery)
    }

    fn put_room(&mut self, room: &crate::domain::notify::Room) -> Result<()> {
        deliveries::put_room(&mut *self.db()?, room)
    }

    fn mark_seen(&mut self, source: &str, event: i64) -> Result<()> {
        deliveries::mark_seen(&mut *self.db()?, source, event)
    }

    fn insert_override(&mut self, o: &crate::domain::oncall::Override) -> Result<i64> {
        deliveries::insert_override(&mut *self.db()?, o)
    }

    fn delete_override(&mut self, id: i64) -> Result<bool> {
        deliveries::delete_override(&mut *self.db()?, id)
    }

    fn insert_component_mark(&mut self, m: &crate::domain::statuspage::ComponentMark) -> Result<i64> {
        statuspage::insert_mark(&mut *self.db()?, m)
    }

    fn insert_maintenance(&mut self, m: &crate::domain::statuspage::Maintenance) -> Result<i64> {
        statuspage::insert_maintenance(&mut *self.db()?, m)
    }

    fn settle(&mut self, key: i64, settled: &[Settled]) -> Result<usize> {
        settled::settle(&mut *self.db()?, key, settled)
    }

    fn unsettle(&mut self, incident: i64) -> Result<()> {
        settled::unsettle(&mut *self.db()?, incident)
    }

    fn commit(mut self: Box<Self>) -> Result<()> {
        // `--follow` wakes on these; PostgreSQL delivers them at COMMIT,
        // and only if it commits. The writes pending go first, all in one
        // round trip: should one fail, the COMMIT that follows it in the
        // same round trip rolls back, and the error is that write's.
        let mut db = self.db()?;
        let mut last: Vec<sql::Statement> = self
            .touched
            .iter()
            .map(|id| {
                sql::Statement::new(
                    "SELECT pg_notify($1, $2)",
                    vec![sql::Value::Text(CHANNEL.into()), sql::Value::Text(id.to_string())],
                )
            })
            .collect();
        last.push(sql::Statement::new("COMMIT", Vec::new()));
        let mut statements = std::mem::take(&mut db.pending);
        statements.extend(last);
        let values: Vec<_> = statements.iter().map(|s| sql::params(&s.values)).collect();
        let calls: Vec<(&str, client::Params<'_>)> = statements
            .iter()
            .zip(&values)
            .map(|(s, p)| (s.sql.as_str(), p.as_slice()))
            .collect();
        let committed = db.client.pipeline(&calls).map(|_| ());
        let read = db.target.read_timeout;
        db.client.set_deadline(read);
        // The heads this connection knows are the database's as of the
        // newest arrival number it wrote, if it wrote and committed.
        match (&committed, db.numbers.seq) {
            (Ok(()), Some(next)) => db.heads_upto = Some(next - 1),
            _ => {
                db.heads.clear();
                db.heads_upto = None;
            }
        }
        db.numbers = Numbers::default();
        drop(db);
        self.open = false;
        let e = match committed {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        let db = self.db()?;
        if !e.is_lost() {
            return Err(db.explain(e));
        }
        // The COMMIT may have been carried out before the answer was lost:
        // say so, rather than "nothing was recorded".
        let timed_out = matches!(e, client::Error::TimedOut(_));
        let what = match e {
            client::Error::TimedOut(after) => format!(
                "no answer from {} within {} to the COMMIT",
                db.target,
                connect::seconds(after)
            ),
            _ => format!("the connection to {} was lost while committing", db.target),
        };
        Err(anyhow::Error::new(super::Lost {
            message: format!(
                "{what}: the change may or may not be recorded; look (incident show, incident alerts) \
                 before trying again"
            ),
            in_doubt: true,
            timed_out,
        }))
    }
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        if self.open
            && let Ok(mut db) = self.db.try_borrow_mut()
        {
            // Nothing of an uncommitted change is kept; an error here means
            // the connection is gone, and the server rolls back anyway.
            db.pending.clear();
            db.heads.clear();
            db.heads_upto = None;
            db.numbers = Numbers::default();
            let _ = db.client.batch_execute("ROLLBACK");
            let read = db.target.read_timeout;
            db.client.set_deadline(read);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writers_and_the_migration_lock_the_writer_key() {
        assert!(LOCK_WRITERS.ends_with(&format!("pg_advisory_xact_lock({WRITER_KEY})")));
        assert_eq!(WRITER_KEY.to_be_bytes(), *b"incident");
    }
}
