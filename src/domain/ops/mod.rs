//! Every change to an incident, as a pure function: the current incident, a
//! request and the time go in; the new state and the events that record it
//! come out, or a [`Refusal`] that says why not. Nothing here reads or
//! writes storage: a command loads what an operation needs inside its write
//! transaction, calls it, and hands the [`Change`] to the store, which
//! writes the state and the events in that one transaction.
//!
//! An operation decides which events to record; what they do to the state
//! is [`super::apply`]'s alone: [`Change::record`] applies each event as
//! it records it. One file per aggregate of rules: the incident's life
//! ([`lifecycle`]), its roles, its edits, its retrospective and action
//! items, its plan and its alerts.

mod alerts;
mod edit;
mod lifecycle;
mod paging;
mod plans;
mod retro;
mod roles;

pub use alerts::{AlertJoin, alert_resolved, attach_alert};
pub use edit::{EditRequest, edit};
pub use lifecycle::{
    Entry, EscalateRequest, OpenRequest, Repeat, UpdateRequest, assess, cancel, change_severity,
    change_status, declare, duplicate, escalate, executed, open, primary, reopen, resolve, update,
};
pub use paging::{acknowledge, page, shift_changed, start_paging, unanswered};
pub use plans::{attach_playbook, mark_task, note_recent_changes};
pub use retro::{RetroOutcome, RetroRequest, action_done, action_link, add_action, retro, retro_open};
pub use roles::{assign_role, remove_role};

use super::apply::apply;
use super::retro::{ActionItem, Missing, NewAction, Retro};
use super::triage::Assessment;
use super::{Event, EventData, Incident, NewEvent, Status};
use chrono::{DateTime, Utc};

/// What one operation does to one incident.
#[derive(Debug, Clone)]
pub struct Change {
    /// The incident as the operation found it: what a store compares with
    /// to write only what changed.
    pub before: Incident,
    /// The incident's state afterwards: `before` with every event applied
    /// (a new incident has id 0 until stored).
    pub incident: Incident,
    /// The events that record the change, in order.
    pub events: Vec<NewEvent>,
    /// Records kept beside the timeline that the change adds or changes.
    pub records: Vec<Record>,
}

/// Rows that belong to an incident besides its state and timeline.
#[derive(Debug, Clone)]
pub enum Record {
    /// A triage assessment; stored with the id of this change's `assessed`
    /// event.
    Assessment(Assessment),
    /// The whole retrospective as it now stands.
    Retro(Retro),
    /// A new action item; its number was allocated for this change.
    NewAction(i64, NewAction),
    /// An action item's new state.
    Action(ActionItem),
}

impl Change {
    pub(crate) fn of(incident: &Incident) -> Change {
        Change {
            before: incident.clone(),
            incident: incident.clone(),
            events: Vec::new(),
            records: Vec::new(),
        }
    }

    /// Records an event and applies it to the state.
    pub fn record(mut self, at: DateTime<Utc>, data: EventData, text: impl Into<String>) -> Change {
        apply(&mut self.incident, at, &data);
        self.events.push(NewEvent::new(at, data, text));
        self
    }

    /// Nothing to store.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Whether the state apart from the role holders changed.
    pub fn changes_state(&self) -> bool {
        let bare = |i: &Incident| Incident {
            roles: Vec::new(),
            ..i.clone()
        };
        bare(&self.before) != bare(&self.incident)
    }

    /// The change `then` makes after this one, as one change.
    pub fn then(mut self, then: Change) -> Change {
        self.incident = then.incident;
        self.events.extend(then.events);
        self.records.extend(then.records);
        self
    }
}

/// Why an operation was refused: what, why, and the values involved. The
/// words a person reads (and the commands and options they name) are the
/// command layer's (`crate::explain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The change needs an open incident.
    NotOpen { status: Status, doing: Doing },
    /// Closed, canceled or a duplicate: this part of it waits for a
    /// reopening.
    Ended { status: Status, part: Part },
    /// Escalating only raises severity.
    WouldLower { current: String, asked: String },
    /// No recipients given and none configured for the level.
    NoPolicy { severity: String },
    /// A status change the lifecycle does not allow.
    Lifecycle(super::lifecycle::Refused),
    /// Removing a role from someone who does not hold it; `holders` are
    /// those who do.
    NotHolder {
        role: String,
        person: String,
        holders: Vec<String>,
    },
    /// A change dated before the incident was declared.
    BeforeDeclared {
        at: DateTime<Utc>,
        declared: DateTime<Utc>,
    },
    /// A status or severity change dated before the latest one recorded.
    OutOfOrder {
        at: DateTime<Utc>,
        /// [`Part::Status`] or [`Part::Severity`].
        part: Part,
        entry: Mark,
    },
    /// The retrospective belongs to a resolved incident.
    RetroNotResolved(Status),
    /// A resolution summary belongs to a resolved incident.
    NotResolved(Status),
    /// Completing needs more answers.
    Incomplete(Vec<Missing>),
    /// Completing without action items was asked, but there are some.
    HasActions { first: i64, more: usize },
    /// Closing is not possible from here.
    CannotClose(super::lifecycle::Refused),
    /// Reopening is not possible from here.
    CannotReopen(super::lifecycle::Refused),
    /// A new incident would repeat this open one: on a service it names,
    /// titled alike.
    Repeats { open: i64 },
    /// An incident cannot be a duplicate of itself (or, `via`, of an
    /// incident that is a duplicate of it).
    OwnDuplicate { via: Option<i64> },
    /// The primary named for a duplicate was canceled.
    PrimaryCanceled { primary: i64 },
    /// An edit asked to remove what the incident does not list.
    NotListed {
        list: Listed,
        item: String,
        listed: Vec<String>,
    },
    /// An edit found nothing that differs.
    NothingToEdit,
    /// The incident already follows this playbook.
    HasPlaybook(String),
    /// The incident follows no playbook, so it has no tasks.
    NoPlaybook,
    /// No task with that number.
    NoTask { number: usize, count: usize },
    /// The task was already done or skipped (`state`).
    TaskEnded { number: usize, state: &'static str },
}

/// What needed an open incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doing {
    Resolve,
    Escalate,
    Acknowledge,
}

/// A part of an incident a change touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Status,
    Severity,
    Roles,
    Playbook,
    Tasks,
}

/// A list an edit adds to and removes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    Services,
    Channels,
    Tags,
}

/// The entry that last set a status or severity: a change may not be
/// dated before it, or the current state would contradict the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub at: DateTime<Utc>,
    pub text: String,
}

impl From<&Event> for Mark {
    fn from(e: &Event) -> Mark {
        Mark {
            at: e.at,
            text: e.text.clone(),
        }
    }
}

/// The latest entries that set the incident's status and its severity
/// (kinds [`EventKind::SETS_STATUS`] and [`EventKind::SETS_SEVERITY`]),
/// what a backdated change is checked against.
///
/// [`EventKind::SETS_STATUS`]: super::EventKind::SETS_STATUS
/// [`EventKind::SETS_SEVERITY`]: super::EventKind::SETS_SEVERITY
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Latest {
    pub status: Option<Mark>,
    pub severity: Option<Mark>,
}

/// Time order is the truth: a status or severity change at `at` may not
/// come before the declaration, nor before the latest change of the same
/// part already recorded (`since`). Notes and evidence are not checked.
fn in_time_order(
    incident: &Incident,
    part: Part,
    since: Option<&Mark>,
    at: DateTime<Utc>,
) -> Result<(), Refusal> {
    if at < incident.declared_at {
        return Err(Refusal::BeforeDeclared {
            at,
            declared: incident.declared_at,
        });
    }
    match since {
        Some(entry) if at < entry.at => Err(Refusal::OutOfOrder {
            at,
            part,
            entry: entry.clone(),
        }),
        _ => Ok(()),
    }
}

/// Closed means closed: the status, severity and roles of a closed,
/// canceled or duplicate incident change only after it is reopened.
fn not_ended(incident: &Incident, part: Part) -> Result<(), Refusal> {
    match incident.status {
        status if status.is_final() => Err(Refusal::Ended { status, part }),
        _ => Ok(()),
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! What the operations' unit tests share.
    use super::Change;
    use crate::domain::roles::RoleDef;
    use crate::domain::{EventKind, Incident, Status};
    use chrono::{DateTime, Utc};

    pub fn t(hhmm: &str) -> DateTime<Utc> {
        format!("2026-11-23T{hhmm}:00Z").parse().unwrap()
    }

    pub fn kinds(change: &Change) -> Vec<EventKind> {
        change.events.iter().map(|e| e.kind()).collect()
    }

    pub fn role(name: &str, single: bool) -> RoleDef {
        RoleDef {
            name: name.into(),
            single,
        }
    }

    pub fn resolved() -> Incident {
        Incident {
            status: Status::Resolved,
            resolved_at: Some(t("09:00")),
            ..Incident::example()
        }
    }
}
