//! The typed reads every command uses, written once over [`Reads`]: each
//! is one or a few [`Read`]s in one [`Reads::batch`], and whatever is
//! decided from what they find (the latest of several, the one a duplicate
//! points to) is decided here, never by a backend.

use super::{ActionFilter, AlertFilter, Dated, EventQuery, Found, ListFilter, Of, Order, Range, Read, Reads};
use crate::domain::alerts::Alert;
use crate::domain::chain::{Chain, Checkpoint, CheckpointHasher};
use crate::domain::ops::{Latest, Mark};
use crate::domain::plans::ChangeRecord;
use crate::domain::retro::{ActionItem, Retro, RetroDraft};
use crate::domain::stats::SettledGroup;
use crate::domain::triage::Assessment;
use crate::domain::{Event, EventKind, Incident, RoleHolder};
use anyhow::{Result, anyhow};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

/// A backend answered a read with another kind of answer: a bug in it.
fn mismatch(read: &Read<'_>) -> anyhow::Error {
    anyhow!("the store answered {read:?} with something else")
}

/// Unpacks one [`Found`] variant: `expect!(found, Found::Count)` is the
/// count, or the mismatch error for `read`.
macro_rules! expect {
    ($found:expr, $variant:path, $read:expr) => {
        match $found {
            $variant(value) => Ok(value),
            _ => Err(mismatch(&$read)),
        }
    };
}

/// The typed reads, for every [`Reads`] (a store, a transaction).
pub trait ReadsExt: Reads {
    /// One read, answered alone.
    fn one(&self, read: Read<'_>) -> Result<Found> {
        self.batch(&[read])?.pop().ok_or_else(|| mismatch(&read))
    }

    fn incident(&self, id: i64) -> Result<Option<Incident>> {
        let read = Read::Incident(id);
        expect!(self.one(read)?, Found::Incident, read)
    }

    /// How many incidents `filter` selects (its limit aside).
    fn count(&self, filter: &ListFilter) -> Result<usize> {
        let read = Read::Count(filter);
        expect!(self.one(read)?, Found::Count, read)
    }

    /// The incidents `filter` selects, by number.
    fn incidents(&self, filter: &ListFilter) -> Result<Vec<Incident>> {
        let mut found = Vec::new();
        self.each_incident(filter, Order::Number, &mut |i| {
            found.push(i);
            Ok(())
        })?;
        Ok(found)
    }

    /// Every incident's number, in order.
    fn incident_ids(&self) -> Result<Vec<i64>> {
        let mut ids = Vec::new();
        self.each_brief(&ListFilter::default(), &mut |i| {
            ids.push(i.id);
            Ok(())
        })?;
        Ok(ids)
    }

    fn events(&self, query: EventQuery<'_>) -> Result<Vec<Event>> {
        let read = Read::Events(query);
        expect!(self.one(read)?, Found::Events, read)
    }

    /// The last `limit` events (all when `None`), oldest first, and how
    /// many there are in all.
    fn timeline(&self, id: i64, limit: Option<usize>) -> Result<(Vec<Event>, usize)> {
        let range = match limit {
            Some(n) => Range::Last(n),
            None => Range::All,
        };
        let events = Read::Events(EventQuery {
            of: Of::Incident(id),
            kinds: &[],
            range,
        });
        let count = Read::EventCount(id);
        let mut found = self.batch(&[events, count])?.into_iter();
        let events = expect!(
            found.next().ok_or_else(|| mismatch(&events))?,
            Found::Events,
            events
        )?;
        let total = expect!(found.next().ok_or_else(|| mismatch(&count))?, Found::Count, count)?;
        let shown = events.len();
        Ok((events, total.max(shown)))
    }

    /// The incident's events of `kinds`, oldest first.
    fn events_of(&self, id: i64, kinds: &[EventKind]) -> Result<Vec<Event>> {
        self.events_of_each(&[id], kinds)
    }

    /// The open incidents, each with its events of `kinds`, oldest first.
    fn open_with_events(&self, kinds: &[EventKind]) -> Result<Vec<(Incident, Vec<Event>)>> {
        let open = self.incidents(&ListFilter {
            statuses: crate::domain::Status::ALL
                .iter()
                .copied()
                .filter(|s| s.is_open())
                .collect(),
            ..ListFilter::default()
        })?;
        let ids: Vec<i64> = open.iter().map(|i| i.id).collect();
        let mut by_incident: HashMap<i64, Vec<Event>> = HashMap::new();
        for e in self.events_of_each(&ids, kinds)? {
            by_incident.entry(e.incident_id).or_default().push(e);
        }
        Ok(open
            .into_iter()
            .map(|i| {
                let events = by_incident.remove(&i.id).unwrap_or_default();
                (i, events)
            })
            .collect())
    }

    /// The events of `kinds` of each of the incidents `ids`, oldest first.
    fn events_of_each(&self, ids: &[i64], kinds: &[EventKind]) -> Result<Vec<Event>> {
        if ids.is_empty() || kinds.is_empty() {
            return Ok(Vec::new());
        }
        self.events(EventQuery {
            of: Of::Incidents(ids),
            kinds,
            range: Range::All,
        })
    }

    /// The incident's most recent event of one of `kinds`.
    fn latest_event(&self, id: i64, kinds: &[EventKind]) -> Result<Option<Event>> {
        Ok(self
            .events(EventQuery {
                of: Of::Incident(id),
                kinds,
                range: Range::Last(1),
            })?
            .pop())
    }

    /// The latest entries that set the incident's status and severity: what
    /// a backdated change is checked against.
    fn latest(&self, id: i64) -> Result<Latest> {
        let query = |kinds| {
            Read::Events(EventQuery {
                of: Of::Incident(id),
                kinds,
                range: Range::Last(1),
            })
        };
        let reads = [query(EventKind::SETS_STATUS), query(EventKind::SETS_SEVERITY)];
        let mut marks = self.batch(&reads)?.into_iter().zip(reads).map(|(found, read)| {
            expect!(found, Found::Events, read).map(|mut e| e.pop().as_ref().map(Mark::from))
        });
        let status = marks.next().ok_or_else(|| mismatch(&reads[0]))??;
        let severity = marks.next().ok_or_else(|| mismatch(&reads[1]))??;
        Ok(Latest { status, severity })
    }

    /// The incident a duplicate points to, as its timeline says (through
    /// any renumbering an import kept for it).
    fn duplicate_of(&self, id: i64) -> Result<Option<Incident>> {
        let reads = [
            Read::Events(EventQuery {
                of: Of::Incident(id),
                kinds: &[EventKind::MarkedDuplicate],
                range: Range::All,
            }),
            Read::Renumbered(Of::Incident(id)),
        ];
        let mut found = Answers::new(&reads, self.batch(&reads)?);
        let marks = found.take(|f| match f {
            Found::Events(e) => Some(e),
            _ => None,
        })?;
        let renumbered = found.take(|f| match f {
            Found::Renumbered(r) => Some(r),
            _ => None,
        })?;
        let resolver = crate::domain::refs::Resolver {
            renumbered: &renumbered,
        };
        match resolver.duplicate_of(&marks) {
            Some(of) => self.incident(of),
            None => Ok(None),
        }
    }

    /// What the imported events of the incidents `of` selects name, as
    /// numbered here, by event id.
    fn renumbered(&self, of: Of<'_>) -> Result<HashMap<i64, crate::domain::refs::Renumbering>> {
        let read = Read::Renumbered(of);
        expect!(self.one(read)?, Found::Renumbered, read)
    }

    /// The seal each selected alert's row was written with, by alert id.
    fn alert_seals(&self, filter: &AlertFilter) -> Result<HashMap<i64, Option<String>>> {
        let read = Read::AlertSeals(filter);
        Ok(expect!(self.one(read)?, Found::AlertSeals, read)?
            .into_iter()
            .collect())
    }

    /// Up to `limit` events after arrival number `after`, each with its
    /// arrival number, in arrival order.
    fn arrivals(&self, after: i64, limit: usize) -> Result<Vec<(i64, Event)>> {
        let read = Read::Arrivals { after, limit };
        expect!(self.one(read)?, Found::Arrivals, read)
    }

    /// Where each notification destination's delivery stands.
    fn deliveries(&self) -> Result<Vec<crate::domain::notify::Delivery>> {
        let read = Read::Deliveries;
        expect!(self.one(read)?, Found::Deliveries, read)
    }

    /// The rooms `destination` opened, by incident.
    fn rooms(&self, destination: &str) -> Result<Vec<crate::domain::notify::Room>> {
        let read = Read::Rooms(destination);
        expect!(self.one(read)?, Found::Rooms, read)
    }

    /// The on-call overrides of `schedule` (all when `None`) that end after
    /// `after`, by start.
    fn overrides(
        &self,
        schedule: Option<&str>,
        after: DateTime<Utc>,
    ) -> Result<Vec<crate::domain::oncall::Override>> {
        let read = Read::Overrides { schedule, after };
        expect!(self.one(read)?, Found::Overrides, read)
    }

    /// Every component status set by hand, in the order they were set.
    fn component_marks(&self) -> Result<Vec<crate::domain::statuspage::ComponentMark>> {
        let read = Read::ComponentMarks;
        expect!(self.one(read)?, Found::ComponentMarks, read)
    }

    /// The incidents `filter` selects whose text matches `query`, most
    /// relevant first, each with its best piece of text.
    fn search(
        &self,
        query: &crate::domain::search::Query,
        filter: &ListFilter,
    ) -> Result<crate::domain::search::Hits> {
        let read = Read::Search { query, filter };
        expect!(self.one(read)?, Found::Hits, read)
    }

    /// The scheduled maintenances that end at or after `after`, by start.
    fn maintenances(&self, after: DateTime<Utc>) -> Result<Vec<crate::domain::statuspage::Maintenance>> {
        let read = Read::Maintenances(after);
        expect!(self.one(read)?, Found::Maintenances, read)
    }

    /// Which of these chat messages are on a timeline already.
    fn seen(&self, sources: &[String]) -> Result<Vec<String>> {
        let read = Read::Seen(sources);
        expect!(self.one(read)?, Found::Seen, read)
    }

    /// The events that arrived after arrival number `after`, of one
    /// incident or of all, in arrival order, and the newest arrival number.
    /// `None`: no events, only that number (where to start).
    fn arrived_after(&self, incident: Option<i64>, after: Option<i64>) -> Result<(Vec<Event>, i64)> {
        let newest = Read::Newest;
        let upto = expect!(self.one(newest)?, Found::Newest, newest)?;
        let Some(after) = after else {
            return Ok((Vec::new(), upto));
        };
        let of = match incident {
            Some(id) => Of::Incident(id),
            None => Of::All,
        };
        let events = self.events(EventQuery {
            of,
            kinds: &[],
            range: Range::Arrived { after, upto },
        })?;
        Ok((events, upto))
    }

    /// The checkpoint of every event that had arrived up to arrival number
    /// `upto` (`None`: all, now).
    fn checkpoint(&self, upto: Option<i64>) -> Result<Checkpoint> {
        let upto = match upto {
            Some(n) => n,
            None => {
                let newest = Read::Newest;
                expect!(self.one(newest)?, Found::Newest, newest)?
            }
        };
        let mut hasher = CheckpointHasher::default();
        self.each_hash(upto, &mut |uid, hash| hasher.add(uid, hash))?;
        Ok(hasher.finish(upto))
    }

    /// An incident's chain as stored: its uid, head and events in recording
    /// order, unparsed, so even a mangled row can be checked.
    fn chain(&self, id: i64) -> Result<Option<Chain>> {
        let read = Read::Chain(id);
        expect!(self.one(read)?, Found::Chain, read)
    }

    /// An incident's role holders, each with when they took the role.
    fn roles(&self, id: i64) -> Result<Vec<(RoleHolder, DateTime<Utc>)>> {
        let read = Read::Roles(id);
        expect!(self.one(read)?, Found::Roles, read)
    }

    /// How many events the incident has.
    fn event_count(&self, id: i64) -> Result<usize> {
        let read = Read::EventCount(id);
        expect!(self.one(read)?, Found::Count, read)
    }

    /// Every assessment of the incident, oldest first.
    fn assessments(&self, id: i64) -> Result<Vec<Assessment>> {
        let read = Read::Assessments(Of::Incident(id));
        expect!(self.one(read)?, Found::Assessments, read)
    }

    /// The current (latest) triage assessment, if any.
    fn assessment(&self, id: i64) -> Result<Option<Assessment>> {
        Ok(self.assessments(id)?.pop())
    }

    /// The current assessments of the incidents `filter` selects, by id.
    fn current_assessments(&self, filter: &ListFilter) -> Result<HashMap<i64, Assessment>> {
        let read = Read::Assessments(Of::Selected(filter));
        let all = expect!(self.one(read)?, Found::Assessments, read)?;
        // Oldest first: the last of each incident's is its current one.
        Ok(all.into_iter().map(|a| (a.incident_id, a)).collect())
    }

    fn retro(&self, incident_id: i64) -> Result<Option<Retro>> {
        Ok(self.dated_retro(incident_id)?.map(|d| d.value))
    }

    /// The retrospective with when it was begun and last changed.
    fn dated_retro(&self, incident_id: i64) -> Result<Option<Dated<Retro>>> {
        let read = Read::Retro(incident_id);
        expect!(self.one(read)?, Found::Retro, read)
    }

    /// The unrecorded answers of an interrupted interactive retrospective.
    fn retro_draft(&self, incident_id: i64) -> Result<Option<RetroDraft>> {
        let read = Read::RetroDraft(incident_id);
        expect!(self.one(read)?, Found::RetroDraft, read)
    }

    fn action(&self, id: i64) -> Result<Option<ActionItem>> {
        Ok(self
            .actions(&ActionFilter {
                id: Some(id),
                ..ActionFilter::default()
            })?
            .pop())
    }

    /// Action items matching `filter`, soonest due first (one incident's:
    /// in order of creation).
    fn actions(&self, filter: &ActionFilter) -> Result<Vec<ActionItem>> {
        let read = Read::Actions(filter);
        expect!(self.one(read)?, Found::Actions, read)
    }

    /// The number the next action item gets: one past the highest.
    fn next_action_id(&self) -> Result<i64> {
        let all = self.actions(&ActionFilter::default())?;
        Ok(all.iter().map(|a| a.id).max().unwrap_or(0) + 1)
    }

    /// Open action items overdue on `today` (the local calendar day),
    /// soonest due first: what `check` and `stats` report.
    fn overdue_actions(&self, today: NaiveDate) -> Result<Vec<ActionItem>> {
        let open = self.actions(&ActionFilter {
            open: true,
            ..ActionFilter::default()
        })?;
        Ok(open.into_iter().filter(|a| a.is_overdue(today)).collect())
    }

    /// The alerts `filter` selects, most recently seen first.
    fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>> {
        let read = Read::Alerts(filter);
        expect!(self.one(read)?, Found::Alerts, read)
    }

    /// The changes CI recorded from `since` to `until`, oldest first.
    fn changes(&self, since: DateTime<Utc>, until: DateTime<Utc>) -> Result<Vec<ChangeRecord>> {
        let read = Read::Changes { since, until };
        expect!(self.one(read)?, Found::Changes, read)
    }

    /// The settled incidents under the targets `key` declared at or after
    /// `since`, added up by month, severity and category.
    fn settled_groups(&self, key: i64, since: DateTime<Utc>) -> Result<Vec<SettledGroup>> {
        let read = Read::Settled { key, since };
        expect!(self.one(read)?, Found::Settled, read)
    }
}

impl<R: Reads + ?Sized> ReadsExt for R {}

/// Unpacks the answers of a [`Reads::batch`] of reads known to the caller,
/// in order: each `take` gives the next answer as the variant asked for.
pub struct Answers<'r> {
    reads: std::slice::Iter<'r, Read<'r>>,
    found: std::vec::IntoIter<Found>,
}

impl<'r> Answers<'r> {
    pub fn new(reads: &'r [Read<'r>], found: Vec<Found>) -> Answers<'r> {
        Answers {
            reads: reads.iter(),
            found: found.into_iter(),
        }
    }

    /// The next answer, unpacked by `unpack` (a `Found` variant's field).
    pub fn take<T>(&mut self, unpack: impl FnOnce(Found) -> Option<T>) -> Result<T> {
        let read = self
            .reads
            .next()
            .ok_or_else(|| anyhow!("more answers taken than reads"))?;
        let found = self.found.next().ok_or_else(|| mismatch(read))?;
        unpack(found).ok_or_else(|| mismatch(read))
    }
}
