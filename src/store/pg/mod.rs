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
mod dossier;
mod events;
mod incidents;
pub mod migrations;
mod response;
mod retro;
mod settled;
pub(crate) mod sql;
mod transfer;
mod watch;

pub use connect::{DEFAULT_CONNECT_TIMEOUT, Target, is_url};

use super::{Access, ActionFilter, ListFilter, Location, Scope, Storage};
use crate::domain::chain::Chain;
use crate::domain::ops::{Change, Record};
use crate::domain::retro::{ActionItem, Retro, RetroDraft};
use crate::domain::stats::{Settled, SettledGroup};
use crate::domain::targets::Facts;
use crate::domain::triage::Assessment;
use crate::domain::{Event, EventKind, Incident, NewEvent, Status};
use crate::transfer::{IncidentRecord, Outcome};
use anyhow::{Result, anyhow};
use chrono::{DateTime, Utc};
use client::Client;
use response::Scope as Reading;
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;

/// The advisory lock every writer (and the migration) takes first: "incident"
/// in ASCII, so it is unlikely to collide with another application's key.
pub const WRITER_KEY: i64 = 0x696e_6369_6465_6e74;

/// How long a writer waits for another one, as SQLite's busy timeout.
const LOCK_TIMEOUT_SECONDS: u64 = 30;

/// Takes the writers' lock, waiting at most [`LOCK_TIMEOUT_SECONDS`].
const LOCK_WRITERS: &str =
    "SET LOCAL lock_timeout = '30s'; SELECT pg_advisory_xact_lock(7597118925727690356)";

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
}

impl Db {
    fn explain(&self, e: tokio_postgres::Error) -> anyhow::Error {
        if e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) {
            return anyhow!(
                "database {} stayed busy for {LOCK_TIMEOUT_SECONDS}s (another writer holds it); try again",
                self.target
            );
        }
        self.target.explain(&e)
    }

    /// Runs one statement with typed parameters, in one round trip.
    fn query(
        &mut self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), tokio_postgres::types::Type)],
    ) -> Result<Vec<Row>> {
        self.client.query(sql, params).map_err(|e| self.explain(e))
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

    /// The statements' rows, each statement's in order, in one round trip.
    fn pipeline<const N: usize>(&mut self, statements: &[sql::Statement; N]) -> Result<[Vec<Row>; N]> {
        let params: Vec<_> = statements.iter().map(|s| sql::params(&s.values)).collect();
        let calls: Vec<(&str, client::Params<'_>)> = statements
            .iter()
            .zip(&params)
            .map(|(s, p)| (s.sql.as_str(), p.as_slice()))
            .collect();
        let rows = self.client.pipeline(&calls).map_err(|e| self.explain(e))?;
        // One answer per statement, or the pipeline had failed.
        <[_; N]>::try_from(rows).map_err(|_| anyhow!("database {}: a read gave too few answers", self.target))
    }

    /// Parameterless statements, several in one round trip.
    fn batch(&mut self, sql: &str) -> Result<()> {
        self.client.batch_execute(sql).map_err(|e| self.explain(e))
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
    fn read_version(&mut self) -> Result<i64, tokio_postgres::Error> {
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
    pub fn open(target: &Target, access: Access) -> Result<PgStore> {
        let client = target.connect()?;
        let mut db = Db {
            client,
            target: target.clone(),
            reading: false,
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
            location: Location::Postgres(Box::new(target.clone())),
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

impl Storage for PgStore {
    fn location(&self) -> &Location {
        &self.location
    }

    fn begin<'s>(&'s mut self, author: &str, now: DateTime<Utc>) -> Result<Box<dyn super::Transaction + 's>> {
        let db = self.db.get_mut();
        let end = db.end_snapshot();
        db.batch(&format!(
            "{end}BEGIN ISOLATION LEVEL READ COMMITTED; {LOCK_WRITERS}"
        ))?;
        Ok(Box::new(Writer {
            db: &self.db,
            author: author.to_string(),
            now,
            appended: Vec::new(),
            touched: BTreeSet::new(),
            heads: events::Heads::new(),
            open: true,
        }))
    }

    fn incident(&self, id: i64) -> Result<Option<Incident>> {
        self.read(|db| incidents::get(db, id))
    }

    fn incident_ids(&self) -> Result<Vec<i64>> {
        self.read(incidents::ids)
    }

    fn count(&self, filter: &ListFilter) -> Result<usize> {
        self.read(|db| incidents::count(db, filter))
    }

    fn each_incident(
        &self,
        filter: &ListFilter,
        severity_order: &[String],
        f: &mut dyn FnMut(Incident) -> Result<()>,
    ) -> Result<()> {
        // Streamed: `f` must not read the store again meanwhile (a clear
        // error if it does, not a deadlock); no caller does.
        self.read(|db| incidents::stream(db, filter, severity_order, f))
    }

    fn alerts(&self, filter: &crate::store::AlertFilter) -> Result<Vec<crate::domain::alerts::Alert>> {
        self.read(|db| alerts::select(db, filter))
    }

    fn changes(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<crate::domain::plans::ChangeRecord>> {
        self.read(|db| incidents::changes(db, since, until))
    }

    fn events_of_each(&self, ids: &[i64], kinds: &[EventKind]) -> Result<Vec<Event>> {
        self.read(|db| events::of_kinds_each(db, ids, kinds))
    }

    fn dossier(&self, id: i64, limit: Option<usize>) -> Result<Option<super::Dossier>> {
        let Some(mut d) = self.read(|db| dossier::read(db, id, limit))? else {
            return Ok(None);
        };
        if d.incident.status == Status::Duplicate {
            d.primary = self.duplicate_of(id)?;
        }
        Ok(Some(d))
    }

    fn timeline(&self, id: i64, limit: Option<usize>) -> Result<(Vec<Event>, usize)> {
        self.read(|db| events::timeline(db, id, limit))
    }

    fn chain(&self, id: i64) -> Result<Option<Chain>> {
        self.read(|db| events::chain(db, id))
    }

    fn cached(&self, id: i64) -> Result<Option<(crate::domain::targets::Milestones, i64)>> {
        self.read(|db| {
            let Some(r) = db.query_opt(
                "SELECT acknowledged_at, triaged_at, event_count FROM incidents WHERE id = $1",
                &sql::p![id],
            )?
            else {
                return Ok(None);
            };
            let milestones = crate::domain::targets::Milestones {
                acknowledged: sql::col::<Option<sql::Stamp>>(&r, 0)?.map(|s| s.0),
                triaged: sql::col::<Option<sql::Stamp>>(&r, 1)?.map(|s| s.0),
            };
            Ok(Some((milestones, sql::col(&r, 2)?)))
        })
    }

    fn checkpoint(&self, upto: Option<i64>) -> Result<crate::domain::chain::Checkpoint> {
        self.read(|db| events::checkpoint(db, upto))
    }

    fn latest_event(&self, id: i64, kinds: &[EventKind]) -> Result<Option<Event>> {
        self.read(|db| events::latest(db, id, kinds))
    }

    fn assessments(&self, id: i64) -> Result<Vec<Assessment>> {
        self.read(|db| assessments::all(db, id))
    }

    fn current_assessments(&self, filter: &ListFilter) -> Result<HashMap<i64, Assessment>> {
        self.read(|db| assessments::current_for(db, filter))
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
        let found = self.read(|db| response::each(db, filter, reading))?;
        found.into_iter().try_for_each(|(i, facts)| f(i, facts))
    }

    fn response_facts(&self, id: i64) -> Result<Facts> {
        self.read(|db| response::facts_of(db, id))
    }

    fn retro(&self, incident_id: i64) -> Result<Option<Retro>> {
        self.read(|db| retro::get(db, incident_id))
    }

    fn retro_draft(&self, incident_id: i64) -> Result<Option<RetroDraft>> {
        self.read(|db| retro::draft(db, incident_id))
    }

    fn action(&self, id: i64) -> Result<Option<ActionItem>> {
        self.read(|db| retro::action(db, id))
    }

    fn actions(&self, filter: &ActionFilter) -> Result<Vec<ActionItem>> {
        self.read(|db| retro::actions(db, filter))
    }

    fn export(&self, id: i64) -> Result<Option<IncidentRecord>> {
        self.read(|db| transfer::export(db, id))
    }

    fn settled_groups(&self, key: i64, since: DateTime<Utc>) -> Result<Vec<SettledGroup>> {
        self.read(|db| settled::groups_since(db, key, since))
    }

    fn settle(
        &mut self,
        key: i64,
        filter: &ListFilter,
        batch: usize,
        settle: &mut dyn FnMut(&Incident, &Facts) -> Option<Settled>,
    ) -> Result<usize> {
        let db = self.db.get_mut();
        let mut end = db.end_snapshot();
        let mut total = 0;
        let mut after = 0;
        loop {
            let done = (|| -> Result<Option<(usize, Option<i64>)>> {
                // Never wait for a writer: a report must not stall behind
                // a scribe. Without the lock, stop; what is settled stays.
                let locked = db
                    .client
                    .simple_query(&format!(
                        "{end}BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_try_advisory_xact_lock({WRITER_KEY})"
                    ))
                    .map_err(|e| db.explain(e))?
                    .into_iter()
                    .any(|m| matches!(m, tokio_postgres::SimpleQueryMessage::Row(r) if r.get(0) == Some("t")));
                end = "";
                if !locked {
                    return Ok(None);
                }
                let reading = Reading {
                    unsettled: Some(key),
                    page: Some((after, batch)),
                    history: true,
                };
                let (mut seen, mut last) = (0, None);
                let mut found = Vec::new();
                for (incident, facts) in response::each(db, filter, reading)? {
                    seen += 1;
                    last = last.max(Some(incident.id));
                    found.extend(settle(&incident, &facts));
                }
                let stored = settled::insert(db, key, &found)?;
                settled::refresh_months(db, key)?;
                db.batch("COMMIT")?;
                total += stored;
                Ok(Some((seen, last)))
            })();
            match done {
                Ok(Some((seen, Some(last)))) if seen == batch => after = last,
                _ => {
                    // Ends whatever is open (a refused lock, a read-only
                    // role): the next read opens a fresh snapshot.
                    let _ = db.client.batch_execute("ROLLBACK");
                    break;
                }
            }
        }
        Ok(total)
    }

    fn arrived_after(&self, incident: Option<i64>, after: Option<i64>) -> Result<(Vec<Event>, i64)> {
        self.read(|db| events::arrived_after(db, incident, after))
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
}

/// Every change to the database goes through here, inside one READ
/// COMMITTED transaction holding the writers' lock. Dropped without
/// [`super::Transaction::commit`], it rolls back.
struct Writer<'s> {
    db: &'s RefCell<Db>,
    author: String,
    now: DateTime<Utc>,
    appended: Vec<Event>,
    /// Incidents that got events: each is notified once, at commit.
    touched: BTreeSet<i64>,
    /// The chain heads this transaction moved (see `events::Heads`).
    heads: events::Heads,
    open: bool,
}

impl Writer<'_> {
    fn db(&self) -> Result<std::cell::RefMut<'_, Db>> {
        self.db
            .try_borrow_mut()
            .map_err(|_| anyhow!("the store was written from inside one of its own reads"))
    }

    /// Appends one event to the incident's timeline, written by the actor.
    fn append(&mut self, incident_id: i64, event: NewEvent) -> Result<i64> {
        let mut db = self
            .db
            .try_borrow_mut()
            .map_err(|_| anyhow!("the store was written from inside one of its own reads"))?;
        let stored = events::append(
            &mut db,
            &mut self.heads,
            incident_id,
            &self.author,
            self.now,
            event,
        )?;
        drop(db);
        let id = stored.id;
        self.appended.push(stored);
        self.touched.insert(incident_id);
        Ok(id)
    }

    fn store(&mut self, change: Change) -> Result<()> {
        // Only what changed is written, as in the SQLite backend.
        if change.changes_state() {
            incidents::update(&mut *self.db()?, &change.incident)?;
        }
        // Only closed incidents are ever settled in the stats cache.
        if change.before.status == Status::Closed || change.incident.status == Status::Closed {
            settled::unsettle(&mut *self.db()?, change.incident.id)?;
        }
        let Change {
            before,
            incident,
            events,
            records,
        } = change;
        let id = incident.id;
        for gone in before.roles.iter().filter(|h| !incident.roles.contains(h)) {
            incidents::remove_role(&mut *self.db()?, id, &gone.role, &gone.person)?;
        }
        for new in incident.roles.iter().filter(|h| !before.roles.contains(h)) {
            incidents::add_role(&mut *self.db()?, id, &new.role, &new.person, self.now)?;
        }
        if before.drill != incident.drill || before.tags != incident.tags {
            incidents::set_labels(&mut *self.db()?, id, incident.drill, &incident.tags)?;
        }
        let mut assessed = None;
        for event in events {
            let kind = event.kind();
            let event_id = self.append(id, event)?;
            if kind == EventKind::Assessed {
                assessed = Some(event_id);
            }
        }
        let mut db = self.db()?;
        for record in records {
            match record {
                Record::Assessment(mut a) => {
                    a.incident_id = id;
                    // An operation records an assessment with its event.
                    a.event_id = assessed.unwrap_or_default();
                    assessments::insert(&mut db, &a)?;
                }
                Record::Retro(r) => retro::save(&mut db, id, &r, self.now)?,
                Record::NewAction(number, item) => {
                    retro::add_action(&mut db, number, id, &item, self.now)?;
                }
                Record::Action(item) => retro::save_action(&mut db, &item)?,
            }
        }
        Ok(())
    }
}

impl super::Transaction for Writer<'_> {
    fn incident(&self, id: i64) -> Result<Option<Incident>> {
        incidents::get(&mut *self.db()?, id)
    }

    fn retro(&self, incident_id: i64) -> Result<Option<Retro>> {
        retro::get(&mut *self.db()?, incident_id)
    }

    fn action(&self, id: i64) -> Result<Option<ActionItem>> {
        retro::action(&mut *self.db()?, id)
    }

    fn actions(&self, filter: &ActionFilter) -> Result<Vec<ActionItem>> {
        retro::actions(&mut *self.db()?, filter)
    }

    fn latest_event(&self, id: i64, kinds: &[EventKind]) -> Result<Option<Event>> {
        events::latest(&mut *self.db()?, id, kinds)
    }

    fn events_of(&self, id: i64, kinds: &[EventKind]) -> Result<Vec<Event>> {
        events::of_kinds(&mut *self.db()?, id, kinds)
    }

    fn alerts(&self, filter: &crate::store::AlertFilter) -> Result<Vec<crate::domain::alerts::Alert>> {
        alerts::select(&mut *self.db()?, filter)
    }

    fn incidents(&self, filter: &ListFilter) -> Result<Vec<Incident>> {
        incidents::each(&mut *self.db()?, filter, &[])
    }

    fn save_alert(&mut self, alert: &crate::domain::alerts::Alert) -> Result<i64> {
        alerts::save(&mut *self.db()?, alert)
    }

    fn import_alert(&mut self, alert: &crate::domain::alerts::Alert) -> Result<i64> {
        alerts::insert_keeping(&mut *self.db()?, alert)
    }

    fn next_action_id(&self) -> Result<i64> {
        retro::next_action_id(&mut *self.db()?)
    }

    fn create(&mut self, mut change: Change) -> Result<i64> {
        let id = incidents::insert(&mut *self.db()?, &change.incident)?;
        change.incident.id = id;
        // The row now holds the final state, and nobody holds a role yet.
        change.before = Incident {
            roles: Vec::new(),
            drill: false,
            tags: Default::default(),
            ..change.incident.clone()
        };
        self.store(change)?;
        Ok(id)
    }

    fn apply(&mut self, change: Change) -> Result<()> {
        if change.is_empty() && change.records.is_empty() {
            return Ok(());
        }
        self.store(change)
    }

    fn record_change(&mut self, change: &crate::domain::plans::ChangeRecord) -> Result<i64> {
        incidents::insert_change(&mut *self.db()?, change, self.now)
    }

    fn save_retro_draft(&mut self, incident_id: i64, answers: Option<&str>) -> Result<()> {
        let mut db = self.db()?;
        match answers {
            Some(text) => retro::save_draft(&mut db, incident_id, text, &self.author, self.now),
            None => retro::delete_draft(&mut db, incident_id),
        }
    }

    fn import(&mut self, record: &IncidentRecord) -> Result<Outcome> {
        // An import moves heads and milestones itself.
        self.heads.clear();
        let outcome = transfer::import(&mut *self.db()?, record)?;
        match outcome {
            Outcome::Added { id, .. } if !record.events.is_empty() => {
                self.touched.insert(id);
            }
            Outcome::Extended { id, events } if events > 0 => {
                self.touched.insert(id);
            }
            _ => {}
        }
        Ok(outcome)
    }

    fn commit(mut self: Box<Self>) -> Result<Vec<Event>> {
        // `--follow` wakes on these; PostgreSQL delivers them at COMMIT,
        // and only if it commits.
        let mut sql: String = self
            .touched
            .iter()
            .map(|id| format!("SELECT pg_notify('{CHANNEL}', '{id}'); "))
            .collect();
        sql.push_str("COMMIT");
        self.db()?.batch(&sql)?;
        self.open = false;
        Ok(std::mem::take(&mut self.appended))
    }
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        if self.open
            && let Ok(mut db) = self.db.try_borrow_mut()
        {
            // Nothing of an uncommitted change is kept; an error here means
            // the connection is gone, and the server rolls back anyway.
            let _ = db.client.batch_execute("ROLLBACK");
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
