//! How a domain change is written, once for every backend: the
//! [`Writer`] every command changes the database through. It holds one
//! backend [`Transaction`], the actor and the time, and turns a domain
//! [`Change`] into the transaction's primitive writes: the state if it
//! changed, the role holders that came and went, each event appended, and
//! the records kept beside the timeline. All of one change is stored in
//! the one transaction, or none of it.

use super::{Append, Dated, Found, ListFilter, Order, Put, Read, Reads, ReadsExt, Store, Transaction, Wait};
use crate::domain::alerts::Alert;
use crate::domain::ops::{Change, Record};
use crate::domain::plans::ChangeRecord;
use crate::domain::retro::{ActionItem, ActionStatus, RetroDraft};
use crate::domain::similar::Likeness;
use crate::domain::{Brief, Event, EventKind, Incident, Status};
use anyhow::{Result, anyhow};
use chrono::{DateTime, Utc};

/// The result of a write, and the events it appended (for hooks and output).
pub struct Committed<T> {
    pub value: T,
    pub events: Vec<Event>,
}

/// One write transaction, in domain terms: reads see what it wrote so
/// far; nothing is stored unless the closure given to [`Store::write`]
/// returns `Ok`.
pub struct Writer<'s> {
    tx: Box<dyn Transaction + 's>,
    author: String,
    now: DateTime<Utc>,
    appended: Vec<Event>,
}

impl Store {
    /// Runs `f` in one transaction as `author`: all of it is stored, or
    /// none. The time every event is recorded at is read from `clock` once
    /// the transaction holds the write lock, so the timeline's order of
    /// recording and its times agree however many write at once.
    pub fn write<T>(
        &mut self,
        author: &str,
        clock: impl FnOnce() -> Result<DateTime<Utc>>,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    ) -> Result<Committed<T>> {
        let tx = self
            .backend()
            .begin(Wait::Yes)?
            .ok_or_else(|| anyhow!("the database could not be written"))?;
        let mut writer = Writer {
            tx,
            author: author.to_string(),
            now: clock()?,
            appended: Vec::new(),
        };
        let value = f(&mut writer)?;
        let Writer { tx, appended, .. } = writer;
        tx.commit()?;
        Ok(Committed {
            value,
            events: appended,
        })
    }
}

impl Writer<'_> {
    /// The time this transaction records its events at.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Who signs this transaction's events.
    pub fn author(&self) -> &str {
        &self.author
    }

    /// The events this transaction has appended so far, in order: what a
    /// record kept beside one (a chat message's mark) refers to.
    pub fn appended(&self) -> &[Event] {
        &self.appended
    }

    /// The backend's transaction, for what a domain change does not say
    /// (an import's verbatim rows).
    pub fn transaction(&mut self) -> &mut dyn Transaction {
        &mut *self.tx
    }

    /// Stores a new incident and what its declaration records; returns its
    /// number, allocated inside this transaction.
    pub fn create(&mut self, mut change: Change) -> Result<i64> {
        let uid = uuid::Uuid::new_v4().to_string();
        let id = self.tx.insert_incident(&change.incident, &uid, None)?;
        change.incident.id = id;
        // The row holds the state now; nobody holds a role yet.
        change.before = Incident {
            roles: Vec::new(),
            ..change.incident.clone()
        };
        self.store(change)?;
        Ok(id)
    }

    /// Stores what an operation did: the incident's state, its role
    /// holders, its events in order and the records beside them.
    pub fn apply(&mut self, change: Change) -> Result<()> {
        if change.is_empty() && change.records.is_empty() {
            return Ok(());
        }
        self.store(change)
    }

    fn store(&mut self, change: Change) -> Result<()> {
        // Only what changed is written: most entries change no state.
        if change.changes_state() {
            self.tx.put_incident(&change.incident, Some(&change.before))?;
        }
        // Only closed incidents are ever settled in the stats cache.
        if change.before.status == Status::Closed || change.incident.status == Status::Closed {
            self.tx.unsettle(change.incident.id)?;
        }
        let Change {
            before,
            incident,
            events,
            records,
        } = change;
        let id = incident.id;
        for gone in before.roles.iter().filter(|h| !incident.roles.contains(h)) {
            self.tx.put_role(id, gone, None)?;
        }
        for new in incident.roles.iter().filter(|h| !before.roles.contains(h)) {
            self.tx.put_role(id, new, Some(self.now))?;
        }
        let mut assessed = None;
        for event in events {
            let number = self.tx.append(
                id,
                Append::New {
                    event: &event,
                    author: &self.author,
                    recorded_at: self.now,
                },
            )?;
            if event.kind() == EventKind::Assessed {
                assessed = Some(number);
            }
            self.appended.push(Event {
                id: number,
                incident_id: id,
                at: event.at,
                recorded_at: self.now,
                author: self.author.clone(),
                text: event.text,
                data: event.data,
            });
        }
        for record in records {
            match record {
                Record::Assessment(mut a) => {
                    a.incident_id = id;
                    // An operation records an assessment with its event.
                    a.event_id = assessed.unwrap_or_default();
                    self.tx.put_assessment(&a)?;
                }
                Record::Retro(retro) => {
                    let created_at = self.dated_retro(id)?.map_or(self.now, |d| d.created_at);
                    let dated = Dated {
                        value: retro,
                        created_at,
                        updated_at: self.now,
                    };
                    self.tx.put_retro(id, &dated)?;
                }
                Record::NewAction(number, item) => {
                    let item = ActionItem {
                        id: number,
                        incident_id: id,
                        text: item.text,
                        owner: item.owner,
                        due: item.due,
                        kind: item.kind,
                        status: ActionStatus::Open,
                        created_at: self.now,
                        done_at: None,
                        note: None,
                        link: None,
                    };
                    self.tx.put_action(&item, Put::Insert)?;
                }
                Record::Action(item) => {
                    self.tx.put_action(&item, Put::Update)?;
                }
            }
        }
        Ok(())
    }

    /// Stores an alert: a new one (id 0) gets its number, returned; a known
    /// one is updated. No event: what an alert does to an incident is a
    /// [`Change`] applied in the same transaction.
    pub fn save_alert(&mut self, alert: &Alert) -> Result<i64> {
        let put = match alert.id {
            0 => Put::Insert,
            _ => Put::Update,
        };
        self.tx.put_alert(alert, put)
    }

    /// Records a change from CI (its `id` is ignored); returns its number.
    /// Not an incident's event: it belongs to no incident.
    pub fn record_change(&mut self, change: &ChangeRecord) -> Result<i64> {
        self.tx.insert_change(change, self.now)
    }

    /// Saves the retrospective's draft answers (an answers file's text) as
    /// the acting user at this transaction's time; `None` deletes them. No
    /// event: a draft is scratch, not history.
    pub fn save_retro_draft(&mut self, incident_id: i64, answers: Option<&str>) -> Result<()> {
        let draft = answers.map(|text| RetroDraft {
            answers: text.to_string(),
            author: self.author.clone(),
            saved_at: self.now,
        });
        self.tx.put_retro_draft(incident_id, draft.as_ref())
    }
}

impl Reads for Writer<'_> {
    fn batch(&self, reads: &[Read<'_>]) -> Result<Vec<Found>> {
        self.tx.batch(reads)
    }

    fn each_incident(
        &self,
        filter: &ListFilter,
        order: Order<'_>,
        f: &mut dyn FnMut(Incident) -> Result<()>,
    ) -> Result<()> {
        self.tx.each_incident(filter, order, f)
    }

    fn each_brief(&self, filter: &ListFilter, f: &mut dyn FnMut(Brief) -> Result<()>) -> Result<()> {
        self.tx.each_brief(filter, f)
    }

    fn each_likeness(&self, filter: &ListFilter, f: &mut dyn FnMut(&Likeness) -> Result<()>) -> Result<()> {
        self.tx.each_likeness(filter, f)
    }

    fn each_hash(&self, upto: i64, f: &mut dyn FnMut(&str, Option<&str>)) -> Result<()> {
        self.tx.each_hash(upto, f)
    }
}
