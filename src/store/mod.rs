//! Storage: one narrow boundary in domain types.
//!
//! A backend implements three small traits of primitives and decides no
//! policy:
//!
//! - [`Reads`]: reads in domain types, each a [`Read`] value, so a backend
//!   with round trips can send several at once ([`Reads::batch`]); and two
//!   streams for what can be large.
//! - [`Transaction`]: one write transaction's primitive writes (a row of
//!   each kind put, an event appended); all of it is stored at
//!   [`Transaction::commit`], or none.
//! - [`Storage`]: the open database: its read snapshot, a transaction
//!   begun, a watch for other writers.
//!
//! Everything that decides something lives once, above the traits, in
//! backend-neutral code: the typed reads ([`reads`]), how a domain change is
//! written ([`write`]), the response facts ([`facts`]), what `show` reads
//! ([`dossier`]), export and import ([`transfer`]) and settling the stats
//! cache ([`settle`]). A backend is one folder (`sqlite/`, `pg/`) and one
//! line in [`BACKENDS`].

pub mod dossier;
pub mod facts;
pub mod pg;
pub mod reads;
pub mod settle;
pub mod similar;
pub mod sqlite;
pub mod transfer;
pub mod write;

pub use reads::ReadsExt;
pub use write::{Committed, Writer};

use crate::domain::alerts::{Alert, AlertSource};
use crate::domain::chain::{Chain, ChainRow};
use crate::domain::notify::{Delivery, Room};
use crate::domain::oncall::Override;
use crate::domain::plans::ChangeRecord;
use crate::domain::refs::Renumbering;
use crate::domain::retro::{ActionItem, Retro, RetroDraft};
use crate::domain::similar::Likeness;
use crate::domain::stats::{Settled, SettledGroup};
use crate::domain::triage::Assessment;
use crate::domain::{Brief, Event, EventKind, Incident, NewEvent, RoleHolder, Status};
use anyhow::{Result, anyhow};
use chrono::{DateTime, Utc};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long connecting to a database server may take, unless configured.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a database server may take to answer one round trip of a
/// read, and of a write, unless configured.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// A kind of database: which locations it takes, and how it opens one.
pub struct Backend {
    /// Whether `given` (a path or URL) names a database of this kind.
    pub claims: fn(given: &str) -> bool,
    /// The location as messages show it (never with a password), or why
    /// it is not a valid one.
    pub shown: fn(given: &Path) -> Result<String>,
    /// The location as another program (a hook) should be given it.
    pub shared: fn(given: &Path) -> String,
    /// Whether the location as given carries a password.
    pub has_password: fn(given: &Path) -> bool,
    pub open: fn(location: &Location, options: &Options) -> Result<Box<dyn Storage>>,
}

/// The backends, asked in order: the first that claims a location opens it.
/// Adding a backend is its folder and one line here.
const BACKENDS: &[&Backend] = &[&pg::BACKEND, &sqlite::BACKEND];

/// Where the incidents live: a database file, or a server's URL.
#[derive(Clone)]
pub struct Location {
    given: PathBuf,
    shown: String,
    backend: &'static Backend,
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl Location {
    /// The backend that claims `given` (a path or URL) reads it; a URL it
    /// cannot read is refused here.
    pub fn parse(given: &Path) -> Result<Location> {
        let text = given.to_string_lossy();
        let backend = BACKENDS
            .iter()
            .copied()
            .find(|b| (b.claims)(&text))
            .ok_or_else(|| anyhow!("no backend takes {text}"))?;
        Ok(Location {
            given: given.to_path_buf(),
            shown: (backend.shown)(given)?,
            backend,
        })
    }

    /// The location as given (a path, or a URL with its password).
    pub fn given(&self) -> &Path {
        &self.given
    }

    /// The location as another program should be given it (an absolute
    /// path; a URL without its password).
    pub fn shared(&self) -> String {
        (self.backend.shared)(&self.given)
    }

    /// Whether the location as given carries a password (a URL's), which
    /// others may read where the location was written.
    pub fn has_password(&self) -> bool {
        (self.backend.has_password)(&self.given)
    }
}

impl fmt::Display for Location {
    /// The path, or the URL without its password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

/// How a database is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub access: Access,
    /// How long connecting to a server may take.
    pub connect_timeout: Duration,
    /// How long a server may take to answer a read's round trip, and a
    /// write's (a file has no round trips).
    pub read_timeout: Duration,
    pub write_timeout: Duration,
}

impl Options {
    /// `access`, with the default timeouts.
    pub fn new(access: Access) -> Options {
        Options {
            access,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads only: a missing database reads as empty and is not created.
    Read,
    /// Reads only, from a database that is there already ([`Missing`]
    /// otherwise): for a reader that must not take "nothing" for an answer.
    Existing,
    /// Creates the database when missing.
    Write,
}

/// The connection to a database server is gone (closed, broken, the
/// server shutting down, or silent past a deadline): what was not
/// committed was not, and nothing more can be done on this `Store`. A
/// command fails with it as with any error; the long-running ones
/// (`serve`, `--follow`) open the database again. Found in an error's
/// chain by [`Lost::of`].
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Lost {
    /// One line naming the server (never its password).
    pub message: String,
    /// Lost while committing: the change may or may not be recorded.
    pub in_doubt: bool,
    /// Given up at a deadline (the server may be frozen, not gone).
    pub timed_out: bool,
}

impl Lost {
    /// The lost connection `e` reports, if that is what it reports.
    pub fn of(e: &anyhow::Error) -> Option<&Lost> {
        e.chain().find_map(|cause| cause.downcast_ref::<Lost>())
    }
}

/// There is no database at the location (and it was not to be created).
#[derive(Debug, thiserror::Error)]
#[error("no incident database at {0}")]
pub struct Missing(pub String);

/// Which incidents a read selects.
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
    /// Empty: any service; else only incidents on at least one of these.
    pub services: Vec<String>,
    /// Only the incident with this identity across databases.
    pub uid: Option<String>,
    /// Only incidents not settled in the stats cache under this targets
    /// key.
    pub unsettled: Option<i64>,
    /// Only incidents numbered after this one.
    pub after: Option<i64>,
    pub limit: Option<usize>,
}

/// The order [`Reads::each_incident`] gives incidents in.
#[derive(Debug, Clone, Copy)]
pub enum Order<'a> {
    /// Most severe first by these level names (unknown levels last), then
    /// oldest, then by number.
    Severity(&'a [String]),
    /// By number.
    Number,
}

/// Which action items a read selects: soonest due first (one incident's:
/// in order of creation).
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub id: Option<i64>,
    /// Only open items.
    pub open: bool,
    pub owner: Option<String>,
    pub incident_id: Option<i64>,
}

/// Which alerts a read selects; every part given must hold. Most recently
/// seen first.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub id: Option<i64>,
    /// The alert with this identity from this source.
    pub identity: Option<(AlertSource, String)>,
    /// The alerts of this group from this source that belong to an incident.
    pub group: Option<(AlertSource, String)>,
    /// The alerts of this incident.
    pub incident_id: Option<i64>,
    /// Only firing alerts.
    pub firing: bool,
    /// Only alerts that belong to no incident.
    pub unattached: bool,
    pub limit: Option<usize>,
}

/// Whose events a read selects.
#[derive(Debug, Clone, Copy)]
pub enum Of<'a> {
    Incident(i64),
    Incidents(&'a [i64]),
    /// The incidents the filter selects (its limit aside).
    Selected(&'a ListFilter),
    All,
}

/// Which of their events, in which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// Every one, in the order they happened (ties: recorded).
    All,
    /// The last `n` in the order they happened, oldest first.
    Last(usize),
    /// Those that arrived after arrival number `after`, up to `upto`, in
    /// arrival order.
    Arrived { after: i64, upto: i64 },
}

/// Events selected by whose, which kinds (none given: every kind) and
/// which range.
#[derive(Debug, Clone, Copy)]
pub struct EventQuery<'a> {
    pub of: Of<'a>,
    pub kinds: &'a [EventKind],
    pub range: Range,
}

/// One read, in domain terms.
#[derive(Debug, Clone, Copy)]
pub enum Read<'a> {
    Incident(i64),
    Count(&'a ListFilter),
    Events(EventQuery<'a>),
    /// How many events an incident has.
    EventCount(i64),
    /// The newest arrival number (0 when there are no events).
    Newest,
    /// An incident's chain as stored, unparsed.
    Chain(i64),
    /// An incident's role holders, each with when they took the role.
    Roles(i64),
    /// Assessments, oldest first.
    Assessments(Of<'a>),
    Retro(i64),
    RetroDraft(i64),
    Actions(&'a ActionFilter),
    Alerts(&'a AlertFilter),
    /// The changes CI recorded from `since` to `until`, oldest first.
    Changes {
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    },
    /// The settled incidents under targets `key` declared at or after
    /// `since`, added up.
    Settled {
        key: i64,
        since: DateTime<Utc>,
    },
    /// What the imported events of the incidents `of` selects name, as
    /// numbered here, by event id (only those renumbered).
    Renumbered(Of<'a>),
    /// The seal each selected alert's row was written with, by alert id.
    AlertSeals(&'a AlertFilter),
    /// Up to `limit` events that arrived after arrival number `after`,
    /// each with its arrival number, in arrival order.
    Arrivals {
        after: i64,
        limit: usize,
    },
    /// Where each notification destination's delivery stands, by name.
    Deliveries,
    /// The rooms a destination opened, by incident.
    Rooms(&'a str),
    /// Which of these chat messages are on a timeline already.
    Seen(&'a [String]),
    /// The on-call overrides of a schedule (all when `None`) that end
    /// after `after`, by start.
    Overrides {
        schedule: Option<&'a str>,
        after: DateTime<Utc>,
    },
    /// Every component status set by hand, in the order they were set.
    ComponentMarks,
    /// The scheduled maintenances that end at or after the time, by start.
    Maintenances(DateTime<Utc>),
    /// The incidents `filter` selects whose indexed text matches `query`,
    /// most relevant first as `domain::search::Ranking` ranks the newest
    /// matches the backend reads, up to the filter's limit: each with its
    /// best-ranked piece of text and how many matched.
    Search {
        query: &'a crate::domain::search::Query,
        filter: &'a ListFilter,
    },
}

/// What a [`Read`] found, variant for variant.
#[derive(Debug)]
pub enum Found {
    Incident(Option<Incident>),
    Count(usize),
    Events(Vec<Event>),
    Newest(i64),
    Chain(Option<Chain>),
    Roles(Vec<(RoleHolder, DateTime<Utc>)>),
    Assessments(Vec<Assessment>),
    Retro(Option<Dated<Retro>>),
    RetroDraft(Option<RetroDraft>),
    Actions(Vec<ActionItem>),
    Alerts(Vec<Alert>),
    Changes(Vec<ChangeRecord>),
    Settled(Vec<SettledGroup>),
    Renumbered(std::collections::HashMap<i64, Renumbering>),
    AlertSeals(Vec<(i64, Option<String>)>),
    Arrivals(Vec<(i64, Event)>),
    Deliveries(Vec<Delivery>),
    Rooms(Vec<Room>),
    Seen(Vec<String>),
    Overrides(Vec<Override>),
    ComponentMarks(Vec<crate::domain::statuspage::ComponentMark>),
    Maintenances(Vec<crate::domain::statuspage::Maintenance>),
    Hits(crate::domain::search::Hits),
}

/// A value with when it was first stored and last changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dated<T> {
    pub value: T,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Reads. Between two writes a store's reads see one snapshot; a
/// transaction's reads see what it wrote so far.
pub trait Reads {
    /// Answers each read, in order: one round trip where the backend has
    /// them. A backend may pipeline or batch; it answers every read exactly
    /// as the read asks.
    fn batch(&self, reads: &[Read<'_>]) -> Result<Vec<Found>>;

    /// Streams the incidents `filter` selects, in `order`, up to its limit.
    fn each_incident(
        &self,
        filter: &ListFilter,
        order: Order<'_>,
        f: &mut dyn FnMut(Incident) -> Result<()>,
    ) -> Result<()>;

    /// Streams the headlines of the incidents `filter` selects, by number,
    /// up to its limit: [`Reads::each_incident`] without roles and tags.
    fn each_brief(&self, filter: &ListFilter, f: &mut dyn FnMut(Brief) -> Result<()>) -> Result<()>;

    /// Streams what similar incidents compares of the incidents `filter`
    /// selects, by number, up to its limit: their stored prints, not their
    /// texts. Each is lent to `f`, so a store may read the next into the
    /// same memory.
    fn each_likeness(&self, filter: &ListFilter, f: &mut dyn FnMut(&Likeness) -> Result<()>) -> Result<()>;

    /// Streams (incident uid, event hash) of every event that arrived up to
    /// arrival number `upto`, in arrival order.
    fn each_hash(&self, upto: i64, f: &mut dyn FnMut(&str, Option<&str>)) -> Result<()>;
}

/// An event to append.
#[derive(Debug, Clone, Copy)]
pub enum Append<'a> {
    /// A new event: the backend chains it to the incident's head
    /// ([`crate::domain::chain::seal`]), signed and recorded as given.
    New {
        event: &'a NewEvent,
        author: &'a str,
        recorded_at: DateTime<Utc>,
    },
    /// An event from another database, exactly as it was stored; it keeps
    /// its number when `number` is given and free.
    Verbatim { row: &'a ChainRow, number: Option<i64> },
}

/// Whether a row is new or replaces the stored one of the same number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Put {
    /// A new row: it keeps its number where that is free (and above 0),
    /// else it takes the next.
    Insert,
    Update,
}

/// One write transaction: reads see what it wrote so far; dropping it
/// without [`Transaction::commit`] stores nothing.
pub trait Transaction: Reads {
    /// A new incident with its state, identity and number (kept where free;
    /// `None`: the next); returns the number.
    fn insert_incident(&mut self, incident: &Incident, uid: &str, number: Option<i64>) -> Result<i64>;
    /// An incident's state (its role holders apart); `before`: what this
    /// transaction read of it, so a backend may write only what changed.
    fn put_incident(&mut self, incident: &Incident, before: Option<&Incident>) -> Result<()>;
    /// A role holder taking the role (`Some(since)`), or leaving it.
    fn put_role(&mut self, incident: i64, holder: &RoleHolder, since: Option<DateTime<Utc>>) -> Result<()>;
    /// Appends an event to an incident's timeline; returns its number.
    fn append(&mut self, incident: i64, event: Append<'_>) -> Result<i64>;
    fn put_assessment(&mut self, assessment: &Assessment) -> Result<()>;
    fn put_retro(&mut self, incident: i64, retro: &Dated<Retro>) -> Result<()>;
    /// An interrupted retrospective's answers; `None` deletes them.
    fn put_retro_draft(&mut self, incident: i64, draft: Option<&RetroDraft>) -> Result<()>;
    /// Returns the item's number.
    fn put_action(&mut self, item: &ActionItem, put: Put) -> Result<i64>;
    /// Returns the alert's number. The row is sealed ([`Alert::seal`]).
    fn put_alert(&mut self, alert: &Alert, put: Put) -> Result<i64>;
    /// What an imported event names, as numbered here.
    fn put_renumbered(&mut self, event: i64, numbers: &Renumbering) -> Result<()>;
    /// Where a destination's delivery stands (new, or replacing its row).
    fn put_delivery(&mut self, delivery: &Delivery) -> Result<()>;
    /// The room a destination opened for an incident (new, or replacing).
    fn put_room(&mut self, room: &Room) -> Result<()>;
    /// A chat message (`source`, the chat's id for it) recorded as event
    /// `event`; a second one of the same source fails.
    fn mark_seen(&mut self, source: &str, event: i64) -> Result<()>;
    /// A new on-call override (its `id` is ignored); returns its number.
    fn insert_override(&mut self, o: &Override) -> Result<i64>;
    /// Removes an override; whether there was one.
    fn delete_override(&mut self, id: i64) -> Result<bool>;
    /// A component's status set by hand (its `id` is ignored); returns its number.
    fn insert_component_mark(&mut self, m: &crate::domain::statuspage::ComponentMark) -> Result<i64>;
    /// A scheduled maintenance (its `id` is ignored); returns its number.
    fn insert_maintenance(&mut self, m: &crate::domain::statuspage::Maintenance) -> Result<i64>;
    /// A change from CI (its `id` is ignored), recorded at `recorded_at`;
    /// returns its number.
    fn insert_change(&mut self, change: &ChangeRecord, recorded_at: DateTime<Utc>) -> Result<i64>;
    /// Keeps in the stats cache, under targets `key`, what the settled
    /// incidents add up to; returns how many it kept.
    fn settle(&mut self, key: i64, settled: &[Settled]) -> Result<usize>;
    /// Drops what the stats cache holds of an incident that is changing.
    fn unsettle(&mut self, incident: i64) -> Result<()>;
    /// Makes it all durable.
    fn commit(self: Box<Self>) -> Result<()>;
}

/// Whether beginning a transaction waits for other writers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Waits (up to the backend's busy timeout).
    Yes,
    /// Does not wait: no transaction when another writer holds the
    /// database, or it cannot be written at all.
    No,
}

/// Why a write is refused when a newer release upgraded the database
/// (to schema `version`; this release knows `latest`) after this process
/// opened it: a `serve` or `notify --watch` left running across an
/// upgrade would write rows without what the newer schema keeps (search
/// index entries, prints), and it is the one that must change.
pub(crate) fn upgraded_under(database: &str, version: i64, latest: i64) -> anyhow::Error {
    anyhow!(
        "database {database} was upgraded to schema version {version} by a newer release after this \
         incident (schema {latest}) opened it; nothing was written: restart this process with the new release"
    )
}

/// An open database.
pub trait Storage: Reads {
    /// Where the data lives, for messages and hooks (never with a password).
    fn location(&self) -> &Location;

    /// Starts a write transaction (`None`: [`Wait::No`] and busy). It ends
    /// the read snapshot: the next read sees what others committed since.
    fn begin(&mut self, wait: Wait) -> Result<Option<Box<dyn Transaction + '_>>>;

    /// Ends the read snapshot: the next read sees what others committed
    /// since.
    fn refresh(&self) -> Result<()>;

    /// Something that wakes when another process commits to this database.
    fn watch(&self) -> Result<Box<dyn Watch>>;

    /// Stores `delivery` in place of its destination's row if that row is
    /// still exactly `was` (`None`: if the destination has no row yet), and
    /// says whether it did: a compare-and-set, atomic on its own, outside
    /// any write transaction. It takes no writers' lock (a delivery's row
    /// numbers nothing and chains to nothing), so a deliverer moving its
    /// cursor never queues behind the commands recording events. It ends
    /// the read snapshot.
    fn swap_delivery(&self, was: Option<&Delivery>, delivery: &Delivery) -> Result<bool>;
}

/// Wakes a `--follow` when another process may have committed.
pub trait Watch {
    /// Waits at most `timeout`; says whether something may have changed
    /// (a wake-up only means "look again").
    fn wait(&mut self, timeout: std::time::Duration) -> Result<bool>;

    /// How long after a wake-up what woke it is surely there to read: a
    /// file's change can be seen before its commit is complete; a signal
    /// sent once the commit is done needs no wait.
    fn settle(&self) -> std::time::Duration {
        std::time::Duration::from_millis(200)
    }
}

/// The open database: a backend, and the helpers every command uses on it.
pub struct Store {
    backend: Box<dyn Storage>,
}

impl Store {
    /// Opens the database at `location` with the backend that claims it.
    pub fn open(location: &Location, options: &Options) -> Result<Store> {
        Ok(Store {
            backend: (location.backend.open)(location, options)?,
        })
    }

    /// The backend itself, to begin transactions on.
    pub fn backend(&mut self) -> &mut dyn Storage {
        &mut *self.backend
    }
}

impl std::ops::Deref for Store {
    type Target = dyn Storage;

    fn deref(&self) -> &Self::Target {
        &*self.backend
    }
}
