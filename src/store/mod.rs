//! Storage: one narrow boundary in domain types.
//!
//! [`Storage`] is what every backend implements: reads that return domain
//! values, each command's reads in one consistent snapshot, and
//! [`Transaction`]s that store a domain [`Change`] (the new state and its
//! events) all at once or not at all. Nothing above this module names a
//! backend: [`Store::open`] picks one by the [`Location`], and a backend's
//! SQL, schema and migrations live in its own folder (`sqlite/`, `pg/`).

pub mod pg;
pub mod sqlite;

pub use sqlite::{ReadOnly, SETTLE_BATCH};

use crate::domain::alerts::Alert;
use crate::domain::chain::Chain;
use crate::domain::ops::{Change, Latest, Mark};
use crate::domain::retro::{ActionItem, Retro, RetroDraft};
use crate::domain::stats::{Settled, SettledGroup};
use crate::domain::targets::Facts;
use crate::domain::triage::Assessment;
use crate::domain::{Event, EventKind, Incident, Status};
use crate::transfer::{IncidentRecord, Outcome};
use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Where the incidents live: an SQLite file, or a PostgreSQL database.
#[derive(Debug, Clone)]
pub enum Location {
    File(PathBuf),
    Postgres(Box<pg::Target>),
}

impl Location {
    /// A `postgres://` (or `postgresql://`) URL names a PostgreSQL
    /// database; anything else is a file path.
    pub fn parse(text: &Path) -> Result<Location> {
        match text.to_str() {
            Some(url) if pg::is_url(url) => Ok(Location::Postgres(Box::new(pg::Target::parse(url)?))),
            _ => Ok(Location::File(text.to_path_buf())),
        }
    }

    /// The file, when the location is one.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Location::File(path) => Some(path),
            Location::Postgres(_) => None,
        }
    }
}

impl fmt::Display for Location {
    /// The path, or the URL without its password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(path) => write!(f, "{}", path.display()),
            Location::Postgres(target) => write!(f, "{target}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads only: a missing database reads as empty and is not created.
    Read,
    /// Creates the database when missing.
    Write,
}

/// Which incidents `list` (and friends) want.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Empty: any status.
    pub statuses: Vec<Status>,
    /// Empty: any severity.
    pub severities: Vec<String>,
    /// Declared at or after.
    pub since: Option<DateTime<Utc>>,
    /// `Some(false)`: no drills; `Some(true)`: only drills.
    pub drill: Option<bool>,
    /// Only incidents carrying every one of these tags.
    pub tags: Vec<(String, String)>,
    pub limit: Option<usize>,
}

/// Which action items `action list` (and `check`) want.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    /// Only open items.
    pub open: bool,
    /// Only open items due before this day (overdue as of that day).
    pub due_before: Option<NaiveDate>,
    pub owner: Option<String>,
    pub incident_id: Option<i64>,
}

/// Which alerts [`Storage::alerts`] and [`Transaction::alerts`] select;
/// every part given must hold. Most recently seen first.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub id: Option<i64>,
    /// The alert with this identity from this source.
    pub identity: Option<(crate::domain::alerts::AlertSource, String)>,
    /// The alerts of this group from this source that belong to an incident.
    pub group: Option<(crate::domain::alerts::AlertSource, String)>,
    /// The alerts of this incident.
    pub incident_id: Option<i64>,
    /// Only firing alerts.
    pub firing: bool,
    /// Only alerts that belong to no incident.
    pub unattached: bool,
    pub limit: Option<usize>,
}

/// How much of each incident's response history [`Storage::each_response`]
/// reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every selected incident with all its facts.
    All,
    /// The first acknowledgement and triage only: for targets that read
    /// nothing else (the retro target).
    Milestones,
    /// The incidents not settled under this targets key (what `stats`
    /// still has to evaluate), with all their facts.
    Unsettled(i64),
}

/// The result of a write, and the events it appended (for hooks and output).
pub struct Committed<T> {
    pub value: T,
    pub events: Vec<Event>,
}

/// A backend. Reads between two writes see one snapshot of the database.
pub trait Storage {
    /// Where the data lives, for messages and hooks (never with a password).
    fn location(&self) -> &Location;

    /// Starts a write transaction that waits for other writers; the actor
    /// `author` signs its events, recorded at `now`.
    fn begin<'s>(&'s mut self, author: &str, now: DateTime<Utc>) -> Result<Box<dyn Transaction + 's>>;

    fn incident(&self, id: i64) -> Result<Option<Incident>>;

    /// Every incident number, in order.
    fn incident_ids(&self) -> Result<Vec<i64>>;

    fn count(&self, filter: &ListFilter) -> Result<usize>;

    /// The incidents matching `filter`, most severe first (by
    /// `severity_order`), then oldest.
    fn each_incident(
        &self,
        filter: &ListFilter,
        severity_order: &[String],
        f: &mut dyn FnMut(Incident) -> Result<()>,
    ) -> Result<()>;

    /// The changes CI recorded from `since` to `until`, oldest first.
    fn changes(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<crate::domain::plans::ChangeRecord>>;

    /// Everything `show` reads about incident `id` (`limit`: of the
    /// timeline, as [`Storage::timeline`]), in one go: a backend with
    /// round trips makes them one. `None` if there is no such incident.
    fn dossier(&self, id: i64, limit: Option<usize>) -> Result<Option<Dossier>> {
        let Some(incident) = self.incident(id)? else {
            return Ok(None);
        };
        let (timeline, total) = self.timeline(id, limit)?;
        Ok(Some(Dossier {
            primary: match incident.status {
                Status::Duplicate => self.duplicate_of(id)?,
                _ => None,
            },
            timeline,
            total,
            assessment: self.assessments(id)?.pop(),
            facts: self.response_facts(id)?,
            plans: self.events_of(id, crate::domain::plans::SHOWN_KINDS)?,
            alerts: self.alerts(&AlertFilter {
                incident_id: Some(id),
                ..AlertFilter::default()
            })?,
            retro: self.retro(id)?,
            actions: self.actions(&ActionFilter {
                incident_id: Some(id),
                ..ActionFilter::default()
            })?,
            incident,
        }))
    }

    /// The incident a duplicate points to, as its timeline says.
    fn duplicate_of(&self, id: i64) -> Result<Option<Incident>> {
        let mark = self.latest_event(id, &[EventKind::MarkedDuplicate])?;
        match crate::domain::ops::duplicate_of(mark.as_ref()) {
            Some(of) => self.incident(of),
            None => Ok(None),
        }
    }

    /// The incident's events of `kinds`, oldest first: what a checklist is
    /// built from, without reading the whole timeline.
    fn events_of(&self, id: i64, kinds: &[EventKind]) -> Result<Vec<Event>> {
        self.events_of_each(&[id], kinds)
    }

    /// The events of `kinds` of each of the incidents `ids`, oldest first,
    /// in one read (what `check` needs of every open incident).
    fn events_of_each(&self, ids: &[i64], kinds: &[EventKind]) -> Result<Vec<Event>>;

    /// The last `limit` events (all when `None`), oldest first, and the total.
    fn timeline(&self, id: i64, limit: Option<usize>) -> Result<(Vec<Event>, usize)>;

    /// An incident's chain as stored: its uid, head and events in recording
    /// order, unparsed, so even a mangled row can be checked.
    fn chain(&self, id: i64) -> Result<Option<Chain>>;

    /// What the incident keeps cached from its events: the milestones and
    /// the event count, as stored.
    fn cached(&self, id: i64) -> Result<Option<(crate::domain::targets::Milestones, i64)>>;

    /// The checkpoint of every event that had arrived up to arrival number
    /// `upto` (`None`: all, now).
    fn checkpoint(&self, upto: Option<i64>) -> Result<crate::domain::chain::Checkpoint>;

    /// The incident's most recent event of one of `kinds`.
    fn latest_event(&self, id: i64, kinds: &[EventKind]) -> Result<Option<Event>>;

    /// Every assessment of the incident, oldest first.
    fn assessments(&self, id: i64) -> Result<Vec<Assessment>>;

    /// The current assessments of the incidents `filter` matches, by id.
    fn current_assessments(&self, filter: &ListFilter) -> Result<HashMap<i64, Assessment>>;

    /// The selected incidents, in no set order, each with the facts its
    /// response targets depend on, without reading whole timelines. Only
    /// the fields the targets, `check` and `stats` read are filled in.
    fn each_response(
        &self,
        filter: &ListFilter,
        scope: Scope,
        f: &mut dyn FnMut(Incident, Facts) -> Result<()>,
    ) -> Result<()>;

    /// One incident's response facts, without reading its whole timeline.
    fn response_facts(&self, id: i64) -> Result<Facts>;

    fn retro(&self, incident_id: i64) -> Result<Option<Retro>>;

    /// The unrecorded answers of an interrupted interactive retrospective.
    fn retro_draft(&self, incident_id: i64) -> Result<Option<RetroDraft>>;

    fn action(&self, id: i64) -> Result<Option<ActionItem>>;

    /// Action items matching `filter`, soonest due first (one incident's: in
    /// order of creation).
    fn actions(&self, filter: &ActionFilter) -> Result<Vec<ActionItem>>;

    /// One incident with everything that belongs to it, for `export`.
    fn export(&self, id: i64) -> Result<Option<IncidentRecord>>;

    /// The settled incidents under the targets `key` declared at or after
    /// `since`, added up by month, severity and category.
    fn settled_groups(&self, key: i64, since: DateTime<Utc>) -> Result<Vec<SettledGroup>>;

    /// Settles the closed incidents `filter` selects that are not settled
    /// under `key` yet (`settle` says what each adds to `stats`, or `None`
    /// while that can still change), in transactions of at most `batch`
    /// incidents, without waiting for other writers. A cache: no timeline
    /// event. Stops, keeping what it committed, when the database cannot be
    /// written now. Returns how many it settled.
    fn settle(
        &mut self,
        key: i64,
        filter: &ListFilter,
        batch: usize,
        settle: &mut dyn FnMut(&Incident, &Facts) -> Option<Settled>,
    ) -> Result<usize>;

    /// The alerts `filter` selects, most recently seen first.
    fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>>;
    /// The events that arrived after arrival number `after` (`seq`), of
    /// one incident or of all, in arrival order, and the newest arrival
    /// number. `None`: no events, only that number (where to start).
    fn arrived_after(&self, incident: Option<i64>, after: Option<i64>) -> Result<(Vec<Event>, i64)>;

    /// Ends the read snapshot: the next read sees what others committed
    /// since.
    fn refresh(&self) -> Result<()>;

    /// Something that wakes when another process commits to this database.
    fn watch(&self) -> Result<Box<dyn Watch>>;
}

/// Wakes a `--follow` when another process may have committed.
pub trait Watch {
    /// Waits at most `timeout`; says whether something may have changed
    /// (a wake-up only means "look again").
    fn wait(&mut self, timeout: std::time::Duration) -> Result<bool>;
}

/// One write transaction: reads see what it wrote so far; dropping it
/// without [`Transaction::commit`] stores nothing.
pub trait Transaction {
    fn incident(&self, id: i64) -> Result<Option<Incident>>;
    fn retro(&self, incident_id: i64) -> Result<Option<Retro>>;
    fn action(&self, id: i64) -> Result<Option<ActionItem>>;
    fn actions(&self, filter: &ActionFilter) -> Result<Vec<ActionItem>>;
    fn latest_event(&self, id: i64, kinds: &[EventKind]) -> Result<Option<Event>>;
    /// As [`Storage::events_of`], inside the transaction.
    fn events_of(&self, id: i64, kinds: &[EventKind]) -> Result<Vec<Event>>;

    /// The latest entries that set the incident's status and severity: what
    /// a backdated change is checked against.
    fn latest(&self, id: i64) -> Result<Latest> {
        Ok(Latest {
            status: self
                .latest_event(id, EventKind::SETS_STATUS)?
                .as_ref()
                .map(Mark::from),
            severity: self
                .latest_event(id, EventKind::SETS_SEVERITY)?
                .as_ref()
                .map(Mark::from),
        })
    }

    /// The incident a duplicate points to, as its timeline says.
    fn duplicate_of(&self, id: i64) -> Result<Option<Incident>> {
        let mark = self.latest_event(id, &[EventKind::MarkedDuplicate])?;
        match crate::domain::ops::duplicate_of(mark.as_ref()) {
            Some(of) => self.incident(of),
            None => Ok(None),
        }
    }

    /// The number the next action item gets.
    fn next_action_id(&self) -> Result<i64>;

    /// The alerts `filter` selects, most recently seen first.
    fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>>;

    /// The incidents `filter` selects (alerts look for an open one on
    /// their service), in no set order.
    fn incidents(&self, filter: &ListFilter) -> Result<Vec<Incident>>;

    /// Stores an alert: a new one (id 0) gets its id, returned; a known one
    /// is updated. No event: what an alert does to an incident is a
    /// [`Change`] applied in the same transaction.
    fn save_alert(&mut self, alert: &Alert) -> Result<i64>;

    /// Stores an alert from another database (an import) as a new one,
    /// keeping its number (`alert.id`) where it is free here, else the
    /// next; returns the number it got.
    fn import_alert(&mut self, alert: &Alert) -> Result<i64>;

    /// Stores a new incident and what its declaration records; returns its
    /// number, allocated inside this transaction.
    fn create(&mut self, change: Change) -> Result<i64>;

    /// Stores what an operation did: the incident's state, its role
    /// holders, its events in order and the records beside them.
    fn apply(&mut self, change: Change) -> Result<()>;

    /// Records a change from CI (its `id` is ignored); returns its number.
    /// Not an incident's event: it belongs to no incident.
    fn record_change(&mut self, change: &crate::domain::plans::ChangeRecord) -> Result<i64>;

    /// Saves the retrospective's draft answers (an answers file's text) as
    /// the acting user at this transaction's time; `None` deletes it. No
    /// event: a draft is scratch, not history.
    fn save_retro_draft(&mut self, incident_id: i64, answers: Option<&str>) -> Result<()>;

    /// Restores one exported incident.
    fn import(&mut self, record: &IncidentRecord) -> Result<Outcome>;

    /// Makes it all durable; returns the events it appended.
    fn commit(self: Box<Self>) -> Result<Vec<Event>>;
}

/// The open database: a backend, and the helpers every command uses on it.
pub struct Store {
    backend: Box<dyn Storage>,
}

/// What [`Storage::dossier`] reads about one incident.
#[derive(Debug)]
pub struct Dossier {
    pub incident: Incident,
    /// The incident a duplicate points to.
    pub primary: Option<Incident>,
    /// The latest entries, oldest first, and how many there are in all.
    pub timeline: Vec<Event>,
    pub total: usize,
    /// The current triage assessment.
    pub assessment: Option<Assessment>,
    /// What its response targets are computed from.
    pub facts: Facts,
    /// Its events of [`crate::domain::plans::SHOWN_KINDS`], oldest first.
    pub plans: Vec<Event>,
    /// Its alerts, most recently seen first.
    pub alerts: Vec<Alert>,
    pub retro: Option<Retro>,
    /// Its action items, in order of creation.
    pub actions: Vec<ActionItem>,
}

impl Store {
    /// Opens the database at `location`.
    pub fn open(location: &Location, access: Access) -> Result<Store> {
        let backend: Box<dyn Storage> = match location {
            Location::File(path) => Box::new(sqlite::SqliteStore::open(path, access)?),
            Location::Postgres(target) => Box::new(pg::PgStore::open(target, access)?),
        };
        Ok(Store { backend })
    }

    /// Runs `f` in one transaction: all of it is stored, or none.
    pub fn write<T>(
        &mut self,
        author: &str,
        now: DateTime<Utc>,
        f: impl FnOnce(&mut dyn Transaction) -> Result<T>,
    ) -> Result<Committed<T>> {
        let mut tx = self.backend.begin(author, now)?;
        let value = f(&mut *tx)?;
        let events = tx.commit()?;
        Ok(Committed { value, events })
    }

    pub fn each_incident(
        &self,
        filter: &ListFilter,
        severity_order: &[String],
        mut f: impl FnMut(Incident) -> Result<()>,
    ) -> Result<()> {
        self.backend.each_incident(filter, severity_order, &mut f)
    }

    pub fn each_response(
        &self,
        filter: &ListFilter,
        scope: Scope,
        mut f: impl FnMut(Incident, Facts) -> Result<()>,
    ) -> Result<()> {
        self.backend.each_response(filter, scope, &mut f)
    }

    pub fn settle(
        &mut self,
        key: i64,
        filter: &ListFilter,
        batch: usize,
        mut settle: impl FnMut(&Incident, &Facts) -> Option<Settled>,
    ) -> Result<usize> {
        self.backend.settle(key, filter, batch, &mut settle)
    }

    /// The current (latest) triage assessment, if any.
    pub fn assessment(&self, id: i64) -> Result<Option<Assessment>> {
        Ok(self.backend.assessments(id)?.pop())
    }

    /// Open action items whose due day is before `today` (the local calendar
    /// day), soonest due first: what `check` and `stats` report.
    pub fn overdue_actions(&self, today: NaiveDate) -> Result<Vec<ActionItem>> {
        self.backend.actions(&ActionFilter {
            due_before: Some(today),
            ..ActionFilter::default()
        })
    }
}

impl std::ops::Deref for Store {
    type Target = dyn Storage;

    fn deref(&self) -> &Self::Target {
        &*self.backend
    }
}
