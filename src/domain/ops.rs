//! Every change to an incident, as a pure function: the current incident, a
//! request and the time go in; the new state and the events that record it
//! come out, or a [`Refusal`] that says why not. Nothing here reads or
//! writes storage: a command loads what an operation needs inside its write
//! transaction, calls it, and hands the [`Change`] to the store, which
//! writes the state and the events in that one transaction.

use super::alerts::Alert;
use super::event::{
    ActionAdded, ActionDone, ActionLinked, AlertAttached, AlertResolved, Assessed, Cancellation, Closure,
    Declared, DuplicateLink, DuplicateOf, Edit, EditValue, Escalation, Execution, Handover, PlaybookAttached,
    Promise, RecentChanges, RetroUpdate, RetroValue, RoleChange, SeverityMove, StatusMove, TaskMark,
};
use super::lifecycle::{self, Move};
use super::plans::{ChangeRecord, Checklist};
use super::retro::{self, ActionItem, ActionStatus, NewAction, Retro, RetroPatch, format_action_id};
use super::roles::{self, Assignment, RoleDef};
use super::triage::Assessment;
use super::{Category, DetectedBy, EntryKind, Event, EventData, Incident, NewEvent, RoleHolder, Status};
use chrono::{DateTime, Utc};

/// What one operation does to one incident.
#[derive(Debug, Clone)]
pub struct Change {
    /// The incident as the operation found it: what a store compares with
    /// to write only what changed.
    pub before: Incident,
    /// The incident's state afterwards (a new incident has id 0 until stored).
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
    fn of(incident: &Incident) -> Change {
        Change {
            before: incident.clone(),
            incident: incident.clone(),
            events: Vec::new(),
            records: Vec::new(),
        }
    }

    fn record(mut self, at: DateTime<Utc>, data: EventData, text: impl Into<String>) -> Change {
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

/// Why an operation was refused. [`Refusal::explain`] says it to a user,
/// with the incident's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The change needs an open incident.
    NotOpen { status: Status, doing: &'static str },
    /// Escalating only raises severity.
    WouldLower { current: String, asked: String },
    /// No recipients given and none configured for the level.
    NoPolicy { severity: String },
    /// A status change the lifecycle does not allow.
    Lifecycle(String),
    /// Removing a role from someone who does not hold it.
    NotHolder(String),
    /// A time before something already recorded.
    Before {
        option: &'static str,
        at: DateTime<Utc>,
        what: &'static str,
        then: DateTime<Utc>,
    },
    /// The retrospective belongs to a resolved incident.
    RetroNotResolved(Status),
    /// Completing needs more answers.
    Incomplete(String),
    /// `--no-actions` when there are action items.
    HasActions { first: i64, more: usize },
    /// Closing is not possible from here.
    CannotClose(String),
    /// Closed, canceled or a duplicate: `doing` waits for a reopening.
    Ended { status: Status, doing: &'static str },
    /// A status or severity change dated before the latest one recorded.
    OutOfOrder {
        option: &'static str,
        at: DateTime<Utc>,
        /// `status` or `severity`.
        what: &'static str,
        entry: Mark,
    },
    /// Reopening is not possible from here.
    CannotReopen(String),
    /// An incident cannot be a duplicate of itself (or of a duplicate of
    /// itself).
    OwnDuplicate { via: Option<String> },
    /// The primary named for a duplicate was canceled.
    PrimaryCanceled { primary: String },
    /// `edit` asked to remove a service or channel the incident does not list.
    NotListed {
        field: &'static str,
        item: String,
        listed: Vec<String>,
    },
    /// `edit` found nothing that differs.
    NothingToEdit,
    /// The incident already follows this playbook.
    HasPlaybook(String),
    /// The incident follows no playbook, so it has no tasks.
    NoPlaybook,
    /// No task with that number.
    NoTask { number: usize, count: usize },
    /// The task was already done or skipped.
    TaskEnded { number: usize, state: &'static str },
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
/// thing already recorded (`since`). Notes and evidence are not checked.
fn in_time_order(
    incident: &Incident,
    what: &'static str,
    since: Option<&Mark>,
    at: DateTime<Utc>,
) -> Result<(), Refusal> {
    if at < incident.declared_at {
        return Err(Refusal::Before {
            option: "--at",
            at,
            what: "declared",
            then: incident.declared_at,
        });
    }
    match since {
        Some(entry) if at < entry.at => Err(Refusal::OutOfOrder {
            option: "--at",
            at,
            what,
            entry: entry.clone(),
        }),
        _ => Ok(()),
    }
}

/// Closed means closed: the status, severity and roles of a closed,
/// canceled or duplicate incident change only after `incident reopen`.
fn not_ended(incident: &Incident, doing: &'static str) -> Result<(), Refusal> {
    match incident.status {
        status if status.is_final() => Err(Refusal::Ended { status, doing }),
        _ => Ok(()),
    }
}

impl Refusal {
    /// The one-line message for the incident `key`; `show` formats times.
    pub fn explain(&self, key: &str, show: impl Fn(DateTime<Utc>) -> String) -> String {
        match self {
            Refusal::NotOpen { status, doing } => match *doing {
                "resolve" => {
                    format!("{key} is already {status}; reopen it with 'incident reopen {key} --reason WHY'")
                }
                _ => format!("{key} is {status}; reopen it first with 'incident reopen {key} --reason WHY'"),
            },
            Refusal::Ended { status, doing } => format!(
                "{key} is {status}: its {doing} cannot change; reopen it first with \
                 'incident reopen {key} --reason WHY' (notes and evidence are still taken)"
            ),
            Refusal::OutOfOrder {
                option,
                at,
                what,
                entry,
            } => format!(
                "{option} {} is before the latest {what} change on {key}, \"{}\" at {}; \
                 the {what} is what the timeline says in time order, so a change cannot be dated before it \
                 (record a note instead)",
                show(*at),
                entry.text,
                show(entry.at)
            ),
            Refusal::CannotReopen(why) => format!("cannot reopen {key}: {why}"),
            Refusal::OwnDuplicate { via: None } => format!("{key} cannot be a duplicate of itself"),
            Refusal::OwnDuplicate { via: Some(other) } => {
                format!("{key} cannot be a duplicate of {other}: {other} is a duplicate of {key}")
            }
            Refusal::PrimaryCanceled { primary } => format!(
                "{primary} is canceled, so {key} cannot be its duplicate; cancel {key} too, or reopen {primary} first"
            ),
            Refusal::NotListed { field, item, listed } => match listed.is_empty() {
                true => format!("{key} lists no {field}; nothing to remove"),
                false => format!(
                    "{key} does not list '{item}' among its {field} ({})",
                    listed.join(", ")
                ),
            },
            Refusal::NothingToEdit => format!("nothing to change: {key} already says that"),
            Refusal::WouldLower { current, asked } => format!(
                "escalate only raises severity and {key} is already {current}; lower it with 'incident update {key} --severity {asked}'"
            ),
            Refusal::NoPolicy { severity } => format!("no escalation policy for {severity}"),
            Refusal::Lifecycle(why) => why.clone(),
            Refusal::NotHolder(why) => format!("{why} on {key}"),
            Refusal::Before {
                option,
                at,
                what,
                then,
            } => format!(
                "{option} {} is before {key} was {what} ({})",
                show(*at),
                show(*then)
            ),
            Refusal::RetroNotResolved(Status::Closed) => format!(
                "{key} is closed: its retrospective is complete; read it with 'incident retro {key} --export md'"
            ),
            Refusal::RetroNotResolved(status) => format!(
                "{key} is {status}: the retrospective comes after resolution; resolve it first with 'incident resolve {key}'"
            ),
            Refusal::Incomplete(missing) => format!(
                "cannot complete the retrospective of {key}: it needs {missing}; record them with \
                 'incident retro {key}' (or --answers FILE) and 'incident action add {key} TEXT --owner --due --kind'"
            ),
            Refusal::HasActions { first, more } => format!(
                "{key} has action items ({} and {more} more); leave out --no-actions",
                format_action_id(*first)
            ),
            Refusal::CannotClose(why) => format!("cannot close {key}: {why}"),
            Refusal::HasPlaybook(name) => {
                format!("{key} already follows playbook {name}; an incident follows one plan")
            }
            Refusal::NoPlaybook => format!(
                "{key} follows no playbook, so it has no tasks; attach one with 'incident edit {key} --playbook NAME'"
            ),
            Refusal::NoTask { number, count } => format!(
                "{key} has no task {number}: its checklist has {count}; see them with 'incident task {key}'"
            ),
            Refusal::TaskEnded { number, state } => {
                format!(
                    "task {number} of {key} is already {state}; see the checklist with 'incident task {key}'"
                )
            }
        }
    }
}

/// Opens an incident: `draft` is its state (id 0, no roles); the commander,
/// if named, is assigned in the same change.
pub fn declare(draft: &Incident, commander: Option<&str>, now: DateTime<Utc>) -> Change {
    let text = format!("Declared {} {}: {}", draft.severity, draft.category, draft.title);
    let declared = EventData::Declared(Declared {
        title: draft.title.clone(),
        severity: draft.severity.clone(),
        category: draft.category,
        services: draft.services.clone(),
        channels: draft.channels.clone(),
        summary: draft.summary.clone(),
        detected_by: draft.detected_by,
        started_at: draft.started_at,
        drill: draft.drill,
        tags: draft.tags.clone(),
    });
    let text = match draft.drill {
        true => format!("DRILL: {text}"),
        false => text,
    };
    let change = Change::of(draft).record(now, declared, text);
    match commander {
        Some(person) => {
            let role = RoleDef {
                name: roles::COMMANDER.into(),
                single: true,
            };
            let assigned = assign(&change.incident, &role, person, now);
            change.then(assigned)
        }
        None => change,
    }
}

/// Gives `person` the role: a handover for a single-holder role someone
/// else holds. Empty when they hold it already.
pub fn assign_role(
    incident: &Incident,
    role: &RoleDef,
    person: &str,
    now: DateTime<Utc>,
) -> Result<Change, Refusal> {
    not_ended(incident, "roles")?;
    Ok(assign(incident, role, person, now))
}

fn assign(incident: &Incident, role: &RoleDef, person: &str, now: DateTime<Utc>) -> Change {
    let name = &role.name;
    let mut change = Change::of(incident);
    let (data, text) = match roles::plan_assign(role, person, &incident.roles) {
        Assignment::AlreadyHeld => return change,
        Assignment::Assign => (
            EventData::RoleAssigned(RoleChange {
                role: name.clone(),
                person: person.into(),
            }),
            format!("{person} is {name}"),
        ),
        Assignment::Handover { from } => {
            change
                .incident
                .roles
                .retain(|h| !(h.role == *name && h.person == from));
            (
                EventData::RoleHandover(Handover {
                    role: name.clone(),
                    person: person.into(),
                    previous: from.clone(),
                }),
                format!("{from} handed {name} to {person}"),
            )
        }
    };
    change.incident.roles.push(RoleHolder {
        role: name.clone(),
        person: person.into(),
    });
    change.record(now, data, text)
}

/// Takes the role from `person`, who must hold it.
pub fn remove_role(
    incident: &Incident,
    role: &RoleDef,
    person: &str,
    now: DateTime<Utc>,
) -> Result<Change, Refusal> {
    not_ended(incident, "roles")?;
    roles::plan_remove(role, person, &incident.roles).map_err(Refusal::NotHolder)?;
    let name = &role.name;
    let mut change = Change::of(incident);
    change
        .incident
        .roles
        .retain(|h| !(h.role == *name && h.person == person));
    let data = EventData::RoleRemoved(RoleChange {
        role: name.clone(),
        person: person.into(),
    });
    Ok(change.record(now, data, format!("{person} is no longer {name}")))
}

/// Sets the severity (a configured level). Empty when it is that level.
pub fn change_severity(incident: &Incident, level: &str, at: DateTime<Utc>, reason: Option<&str>) -> Change {
    let mut change = Change::of(incident);
    if incident.severity == level {
        return change;
    }
    let from = std::mem::replace(&mut change.incident.severity, level.to_string());
    let text = match reason {
        Some(r) => format!("Severity {from} → {level}: {r}"),
        None => format!("Severity {from} → {level}"),
    };
    let data = EventData::SeverityChanged(SeverityMove {
        from,
        to: level.to_string(),
        reason: reason.map(String::from),
    });
    change.record(at, data, text)
}

/// Moves the incident to `to` as of `at` (resolving, reopening or a step
/// between active statuses). Empty when it is there already.
pub fn change_status(
    incident: &Incident,
    to: Status,
    at: DateTime<Utc>,
    summary: Option<&str>,
) -> Result<(Move, Change), Refusal> {
    let from = incident.status;
    let step = lifecycle::plan(from, to).map_err(Refusal::Lifecycle)?;
    let mut change = Change::of(incident);
    let Some(data) = step.event(from, to, summary) else {
        return Ok((step, change));
    };
    let state = &mut change.incident;
    state.status = to;
    let text = match step {
        Move::Resolve => {
            // Time to resolve counts to the first resolution: a reopened
            // incident resolved again keeps it.
            state.resolved_at.get_or_insert(at);
            // Nobody owes customers another update on a resolved incident.
            state.next_update_at = None;
            if let Some(s) = summary {
                state.resolution = Some(s.to_string());
            }
            match summary {
                Some(s) => format!("Resolved: {s}"),
                None => "Resolved".to_string(),
            }
        }
        Move::Reopen => {
            // The first resolution stays: see `Move::Resolve`.
            state.closed_at = None;
            format!("Reopened: {from} → {to}")
        }
        Move::Step | Move::Stay => format!("Status {from} → {to}"),
    };
    Ok((step, change.record(at, data, text)))
}

/// Resolves an open incident as of `at`, which may not come before its
/// declaration or the latest status change (`latest`).
pub fn resolve(
    incident: &Incident,
    summary: Option<&str>,
    at: DateTime<Utc>,
    latest: &Latest,
) -> Result<Change, Refusal> {
    if !incident.status.is_open() {
        return Err(Refusal::NotOpen {
            status: incident.status,
            doing: "resolve",
        });
    }
    in_time_order(incident, "status", latest.status.as_ref(), at)?;
    change_status(incident, Status::Resolved, at, summary).map(|(_, change)| change)
}

/// Reopens a resolved, closed, canceled or duplicate incident to the active
/// status `to`, saying why. The first resolution is kept (time to resolve
/// counts to it). A duplicate is no longer one: `primary` is the incident it
/// pointed to, and gets the unlinking on its own timeline; `key` is how the
/// reopened incident is shown there.
pub fn reopen(
    incident: &Incident,
    key: &str,
    to: Status,
    reason: &str,
    primary: Option<&Incident>,
    now: DateTime<Utc>,
) -> Result<(Change, Option<Change>), Refusal> {
    let from = incident.status;
    lifecycle::reopen(from, to).map_err(Refusal::CannotReopen)?;
    let mut change = Change::of(incident);
    change.incident.status = to;
    change.incident.closed_at = None;
    let data = EventData::Reopened(StatusMove {
        from,
        to,
        summary: Some(reason.to_string()),
    });
    let change = change.record(now, data, format!("Reopened: {from} → {to}: {reason}"));
    let unlinked = primary.map(|p| {
        let data = EventData::DuplicateUnlinked(DuplicateLink {
            duplicate: incident.id,
        });
        Change::of(p).record(
            now,
            data,
            format!("{key} is no longer a duplicate of this incident"),
        )
    });
    Ok((change, unlinked))
}

/// Ends an incident that was never real. Not a closed one (reopen it
/// first), nor one already canceled or a duplicate.
pub fn cancel(incident: &Incident, reason: &str, now: DateTime<Utc>) -> Result<Change, Refusal> {
    not_ended(incident, "status")?;
    let from = incident.status;
    let mut change = Change::of(incident);
    change.incident.status = Status::Canceled;
    change.incident.next_update_at = None;
    let data = EventData::Canceled(Cancellation {
        from,
        reason: reason.to_string(),
    });
    Ok(change.record(now, data, format!("Canceled: {reason}")))
}

/// The incident a duplicate is recorded against: `target`, or, when that
/// is itself a duplicate, the one it points to, and so on, so there are no
/// chains. `points_to` reads the incident a duplicate points to.
pub fn primary<E>(
    target: Incident,
    mut points_to: impl FnMut(&Incident) -> Result<Option<Incident>, E>,
) -> Result<Incident, E> {
    let mut primary = target;
    // A bound, in case hand-edited data ever made a loop.
    for _ in 0..64 {
        if primary.status != Status::Duplicate {
            break;
        }
        match points_to(&primary)? {
            Some(next) => primary = next,
            None => break,
        }
    }
    Ok(primary)
}

/// The number of the incident a duplicate's timeline says it duplicates:
/// its latest `marked_duplicate` event.
pub fn duplicate_of(latest_mark: Option<&Event>) -> Option<i64> {
    match latest_mark.map(|e| &e.data) {
        Some(EventData::MarkedDuplicate(d)) => Some(d.of),
        _ => None,
    }
}

/// Marks `incident` a duplicate of `primary` (already followed to the end
/// of any chain with [`primary`]); both timelines record the link. `key`
/// and `primary_key` are how the two are shown.
pub fn duplicate(
    incident: &Incident,
    key: &str,
    primary: &Incident,
    primary_key: &str,
    now: DateTime<Utc>,
) -> Result<(Change, Change), Refusal> {
    not_ended(incident, "status")?;
    if primary.id == incident.id {
        return Err(Refusal::OwnDuplicate { via: None });
    }
    if primary.status == Status::Duplicate {
        // Only a loop ends at a duplicate.
        return Err(Refusal::OwnDuplicate {
            via: Some(primary_key.to_string()),
        });
    }
    if primary.status == Status::Canceled {
        return Err(Refusal::PrimaryCanceled {
            primary: primary_key.to_string(),
        });
    }
    let from = incident.status;
    let mut change = Change::of(incident);
    change.incident.status = Status::Duplicate;
    change.incident.next_update_at = None;
    let marked = EventData::MarkedDuplicate(DuplicateOf { from, of: primary.id });
    let change = change.record(now, marked, format!("Duplicate of {primary_key}"));
    let linked = EventData::DuplicateLinked(DuplicateLink {
        duplicate: incident.id,
    });
    let link = Change::of(primary).record(now, linked, format!("{key} is a duplicate of this incident"));
    Ok((change, link))
}

/// What `incident edit` asks for; each part is optional.
#[derive(Debug, Clone, Default)]
pub struct EditRequest {
    pub title: Option<String>,
    pub category: Option<Category>,
    pub add_services: Vec<String>,
    pub remove_services: Vec<String>,
    pub summary: Option<String>,
    pub detected_by: Option<DetectedBy>,
    pub started_at: Option<DateTime<Utc>>,
    pub add_channels: Vec<String>,
    pub remove_channels: Vec<String>,
    /// Tags to set (a key given twice: the last value).
    pub set_tags: Vec<(String, String)>,
    pub remove_tags: Vec<String>,
}

/// Changes what was said at declaration: one `edited` event per field that
/// changes, with its value before and after. Refused when nothing differs
/// or a removal names what is not listed.
pub fn edit(incident: &Incident, request: &EditRequest, now: DateTime<Utc>) -> Result<Change, Refusal> {
    let mut change = Change::of(incident);
    let text = |v: Option<&str>| EditValue::Text(v.map(String::from));
    let stamp = |t: Option<DateTime<Utc>>| EditValue::Text(t.map(crate::time::to_rfc3339));
    let record = |change: Change, field: &str, from: EditValue, to: EditValue, said: String| {
        let data = EventData::Edited(Edit {
            field: field.to_string(),
            from,
            to,
        });
        change.record(now, data, said)
    };
    if let Some(title) = request.title.as_ref().filter(|t| **t != incident.title) {
        let from = std::mem::replace(&mut change.incident.title, title.clone());
        let said = format!("Title \"{from}\" → \"{title}\"");
        change = record(change, "title", text(Some(&from)), text(Some(title)), said);
    }
    if let Some(category) = request.category.filter(|c| *c != incident.category) {
        let from = std::mem::replace(&mut change.incident.category, category);
        let said = format!("Category {from} → {category}");
        change = record(
            change,
            "category",
            text(Some(from.as_str())),
            text(Some(category.as_str())),
            said,
        );
    }
    for (field, add, remove) in [
        ("services", &request.add_services, &request.remove_services),
        ("channels", &request.add_channels, &request.remove_channels),
    ] {
        let before = match field {
            "services" => incident.services.clone(),
            _ => incident.channels.clone(),
        };
        if let Some(gone) = remove.iter().find(|r| !before.contains(r)) {
            return Err(Refusal::NotListed {
                field,
                item: gone.clone(),
                listed: before,
            });
        }
        let mut after: Vec<String> = before.iter().filter(|s| !remove.contains(s)).cloned().collect();
        for item in add {
            if !after.contains(item) {
                after.push(item.clone());
            }
        }
        if after == before {
            continue;
        }
        let list = |l: &[String]| match l.is_empty() {
            true => "none".to_string(),
            false => l.join(", "),
        };
        let name = if field == "services" {
            "Services"
        } else {
            "Channels"
        };
        let said = format!("{name} {} → {}", list(&before), list(&after));
        match field {
            "services" => change.incident.services = after.clone(),
            _ => change.incident.channels = after.clone(),
        }
        change = record(
            change,
            field,
            EditValue::List(before),
            EditValue::List(after),
            said,
        );
    }
    if let Some(summary) = request
        .summary
        .as_ref()
        .filter(|s| incident.summary.as_ref() != Some(*s))
    {
        let from = change.incident.summary.replace(summary.clone());
        let said = format!("Summary: {summary}");
        change = record(
            change,
            "summary",
            text(from.as_deref()),
            text(Some(summary)),
            said,
        );
    }
    if let Some(by) = request.detected_by.filter(|d| incident.detected_by != Some(*d)) {
        let from = change.incident.detected_by.replace(by);
        let said = match from {
            Some(from) => format!("Detected by {from} → {by}"),
            None => format!("Detected by {by}"),
        };
        change = record(
            change,
            "detected_by",
            text(from.map(|d| d.as_str())),
            text(Some(by.as_str())),
            said,
        );
    }
    if let Some(at) = request.started_at.filter(|t| incident.started_at != Some(*t)) {
        let from = change.incident.started_at.replace(at);
        let shown = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
        let said = match from {
            Some(from) => format!("Impact started {} → {}", shown(from), shown(at)),
            None => format!("Impact started {}", shown(at)),
        };
        change = record(change, "started_at", stamp(from), stamp(Some(at)), said);
    }
    if !request.set_tags.is_empty() || !request.remove_tags.is_empty() {
        let before = incident.tags.clone();
        if let Some(gone) = request.remove_tags.iter().find(|k| !before.contains_key(*k)) {
            return Err(Refusal::NotListed {
                field: "tags",
                item: gone.clone(),
                listed: before.keys().cloned().collect(),
            });
        }
        let mut after = before.clone();
        for key in &request.remove_tags {
            after.remove(key);
        }
        for (key, value) in &request.set_tags {
            after.insert(key.clone(), value.clone());
        }
        if after != before {
            let (from, to) = (super::plans::tag_list(&before), super::plans::tag_list(&after));
            let shown = |l: &[String]| match l.is_empty() {
                true => "none".to_string(),
                false => l.join(", "),
            };
            let said = format!("Tags {} → {}", shown(&from), shown(&to));
            change.incident.tags = after;
            change = record(change, "tags", EditValue::List(from), EditValue::List(to), said);
        }
    }
    if change.is_empty() {
        return Err(Refusal::NothingToEdit);
    }
    Ok(change)
}

/// Makes a response plan the incident's checklist. An incident follows one
/// plan: attaching another is refused.
pub fn attach_playbook(
    incident: &Incident,
    current: Option<&str>,
    plan: PlaybookAttached,
    now: DateTime<Utc>,
) -> Result<Change, Refusal> {
    not_ended(incident, "playbook")?;
    if let Some(name) = current {
        return Err(Refusal::HasPlaybook(name.to_string()));
    }
    let text = format!(
        "Playbook {} attached: {} task{}",
        plan.name,
        plan.tasks.len(),
        if plan.tasks.len() == 1 { "" } else { "s" }
    );
    Ok(Change::of(incident).record(now, EventData::PlaybookAttached(plan), text))
}

/// Records a checklist task as done (or skipped). A task ends once.
pub fn mark_task(
    incident: &Incident,
    list: Option<&Checklist>,
    number: usize,
    done: bool,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Change, Refusal> {
    not_ended(incident, "tasks")?;
    let list = list.ok_or(Refusal::NoPlaybook)?;
    let task = number
        .checked_sub(1)
        .and_then(|i| list.tasks.get(i))
        .ok_or(Refusal::NoTask {
            number,
            count: list.tasks.len(),
        })?;
    if let Some(outcome) = &task.outcome {
        return Err(Refusal::TaskEnded {
            number,
            state: outcome.state,
        });
    }
    let mark = TaskMark {
        task: number,
        title: task.title.clone(),
        note: note.map(String::from),
    };
    let (data, verb) = match done {
        true => (EventData::TaskDone(mark), "done"),
        false => (EventData::TaskSkipped(mark), "skipped"),
    };
    let mut text = format!("Task {number} {verb}: {}", task.title);
    if let Some(note) = note {
        text.push_str(&format!(" ({note})"));
    }
    Ok(Change::of(incident).record(now, data, text))
}

/// Records on the incident the changes made on its services just before it.
/// Empty when there were none.
pub fn note_recent_changes(incident: &Incident, changes: Vec<ChangeRecord>, now: DateTime<Utc>) -> Change {
    let change = Change::of(incident);
    if changes.is_empty() {
        return change;
    }
    let titles: Vec<&str> = changes.iter().map(|c| c.title.as_str()).collect();
    let text = format!("Recent changes: {}", titles.join("; "));
    change.record(now, EventData::RecentChanges(RecentChanges { changes }), text)
}

/// What `escalate` asks for.
#[derive(Debug, Clone, Default)]
pub struct EscalateRequest {
    /// Whom to page; empty: the configured policy for the severity.
    pub to: Vec<String>,
    /// A level to raise the incident to.
    pub severity: Option<String>,
    pub reason: Option<String>,
}

/// Pages people and may raise the severity. `levels` are the configured
/// level names, most severe first; `policy` gives the recipients configured
/// for a level.
pub fn escalate<'p>(
    incident: &Incident,
    request: &EscalateRequest,
    levels: &[&str],
    policy: impl Fn(&str) -> Option<&'p [String]>,
    now: DateTime<Utc>,
) -> Result<Change, Refusal> {
    if !incident.status.is_open() {
        return Err(Refusal::NotOpen {
            status: incident.status,
            doing: "escalate",
        });
    }
    let rank = |name: &str| levels.iter().position(|l| *l == name).unwrap_or(levels.len());
    if let Some(asked) = &request.severity
        && rank(asked) > rank(&incident.severity)
    {
        return Err(Refusal::WouldLower {
            current: incident.severity.clone(),
            asked: asked.clone(),
        });
    }
    let severity = request
        .severity
        .clone()
        .unwrap_or_else(|| incident.severity.clone());
    let (recipients, from_policy) = if request.to.is_empty() {
        match policy(&severity) {
            Some(people) if !people.is_empty() => (people.to_vec(), true),
            _ => return Err(Refusal::NoPolicy { severity }),
        }
    } else {
        (request.to.clone(), false)
    };
    let reason = request.reason.as_deref();
    let raised = change_severity(incident, &severity, now, reason);
    let text = match reason {
        Some(r) => format!("Escalated to {}: {r}", recipients.join(", ")),
        None => format!("Escalated to {}", recipients.join(", ")),
    };
    let data = EventData::Escalated(Escalation {
        to: recipients,
        reason: request.reason.clone(),
        severity,
        policy: from_policy,
    });
    Ok(raised.record(now, data, text))
}

/// A timeline entry typed by a scribe.
#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: EntryKind,
    /// A customer-facing status update (whatever `kind` says).
    pub external: bool,
    pub text: String,
}

/// What `update` asks for; each part is optional.
#[derive(Debug, Clone, Default)]
pub struct UpdateRequest {
    pub entry: Option<Entry>,
    pub next_update: Option<DateTime<Utc>>,
    pub severity: Option<String>,
    pub status: Option<Status>,
}

/// Appends an entry and changes severity and status as of `at`, in that
/// order. A promised next update is kept on the incident. A severity or
/// status change must keep the timeline in time order (`latest`), and
/// waits for a reopening on a closed, canceled or duplicate incident.
pub fn update(
    incident: &Incident,
    request: &UpdateRequest,
    at: DateTime<Utc>,
    latest: &Latest,
) -> Result<Change, Refusal> {
    if request.severity.as_ref().is_some_and(|l| *l != incident.severity) {
        not_ended(incident, "severity")?;
        in_time_order(incident, "severity", latest.severity.as_ref(), at)?;
    }
    if let Some(status) = request.status.filter(|s| *s != incident.status) {
        not_ended(incident, "status")?;
        lifecycle::plan(incident.status, status).map_err(Refusal::Lifecycle)?;
        in_time_order(incident, "status", latest.status.as_ref(), at)?;
    }
    let mut change = Change::of(incident);
    if let Some(due) = request.next_update {
        change.incident.next_update_at = Some(due);
    }
    if let Some(entry) = &request.entry {
        let promise = request.next_update.map(|due| Promise { next_update_at: due });
        let data = match (entry.external, entry.kind) {
            (true, _) => EventData::StatusUpdate(promise),
            (false, EntryKind::Comms) => EventData::Comms(promise),
            (false, EntryKind::Note) => EventData::Note,
            (false, EntryKind::Decision) => EventData::Decision,
            (false, EntryKind::Action) => EventData::Action(None),
            (false, EntryKind::Evidence) => EventData::Evidence,
        };
        change = change.record(at, data, entry.text.clone());
    }
    if let Some(level) = &request.severity {
        let next = change_severity(&change.incident, level, at, None);
        change = change.then(next);
    }
    if let Some(status) = request.status {
        let (_, next) = change_status(&change.incident, status, at, None)?;
        change = change.then(next);
    }
    Ok(change)
}

/// Records a command run through `incident exec` and how it ended.
pub fn executed(incident: &Incident, run: Execution, text: String, at: DateTime<Utc>) -> Change {
    Change::of(incident).record(at, EventData::Action(Some(run)), text)
}

/// Records a triage assessment and sets the chosen severity (not on a
/// closed, canceled or duplicate incident: its severity waits for a
/// reopening).
pub fn assess(incident: &Incident, assessment: Assessment, now: DateTime<Utc>) -> Result<Change, Refusal> {
    not_ended(incident, "severity")?;
    let a = &assessment;
    let chosen = a.severity.clone();
    let (text, why) = if a.severity == a.suggested {
        (
            format!("Assessed: {}", a.reason),
            format!(
                "assessed, {}",
                a.reason.split_once(" because ").map_or("", |p| p.1)
            ),
        )
    } else {
        (
            format!("Assessed: {} chosen; suggested {}", a.severity, a.reason),
            format!("assessed (suggested {})", a.reason),
        )
    };
    let data = EventData::Assessed(Box::new(Assessed {
        impact: a.answers.impact.clone(),
        sees: a.answers.sees.clone(),
        customers: a.answers.customers,
        impact_started_at: a.answers.started_at,
        tickets: a.answers.tickets,
        factors: a.answers.factors.clone(),
        checked: a.answers.checked.iter().map(|c| c.to_string()).collect(),
        suggested_severity: a.suggested.clone(),
        reason: a.reason.clone(),
        severity: a.severity.clone(),
    }));
    let mut change = Change::of(incident).record(now, data, text);
    change.records.push(Record::Assessment(assessment));
    let severity = change_severity(&change.incident, &chosen, now, Some(&why));
    Ok(change.then(severity))
}

/// Adds an action item numbered `number` to the incident.
pub fn add_action(incident: &Incident, number: i64, item: &NewAction, at: DateTime<Utc>) -> Change {
    let shown = format_action_id(number);
    let text = format!(
        "Action {shown} ({}, {}, due {}): {}",
        item.kind, item.owner, item.due, item.text
    );
    let data = EventData::ActionAdded(ActionAdded {
        action: shown,
        action_id: number,
        text: item.text.clone(),
        owner: item.owner.clone(),
        due: item.due,
        kind: item.kind,
    });
    let mut change = Change::of(incident).record(at, data, text);
    change.records.push(Record::NewAction(number, item.clone()));
    change
}

/// Marks an action item done. Empty when it was done already.
pub fn action_done(incident: &Incident, item: &ActionItem, note: Option<&str>, now: DateTime<Utc>) -> Change {
    let change = Change::of(incident);
    if item.status == ActionStatus::Done {
        return change;
    }
    let shown = format_action_id(item.id);
    let mut done = item.clone();
    done.status = ActionStatus::Done;
    done.done_at = Some(now);
    if let Some(n) = note {
        done.note = Some(n.to_string());
    }
    let text = match note {
        Some(n) => format!("Action {shown} done: {} ({n})", item.text),
        None => format!("Action {shown} done: {}", item.text),
    };
    let data = EventData::ActionDone(ActionDone {
        action: shown,
        action_id: item.id,
        note: note.map(String::from),
    });
    let mut change = change.record(now, data, text);
    change.records.push(Record::Action(done));
    change
}

/// Links an action item to its ticket. Empty when it links there already.
pub fn action_link(incident: &Incident, item: &ActionItem, url: &str, now: DateTime<Utc>) -> Change {
    let change = Change::of(incident);
    if item.link.as_deref() == Some(url) {
        return change;
    }
    let shown = format_action_id(item.id);
    let mut linked = item.clone();
    let previous = linked.link.replace(url.to_string());
    let data = EventData::ActionLinked(ActionLinked {
        action: shown.clone(),
        action_id: item.id,
        link: url.to_string(),
        previous,
    });
    let mut change = change.record(now, data, format!("Action {shown} linked to {url}"));
    change.records.push(Record::Action(linked));
    change
}

/// What `retro` asks for.
#[derive(Debug, Clone, Default)]
pub struct RetroRequest {
    pub patch: RetroPatch,
    pub actions: Vec<NewAction>,
    pub complete: bool,
    pub no_actions: Option<String>,
}

/// What a retrospective change did, for the command to report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetroOutcome {
    /// The fields that changed (`retro::field` names).
    pub changed: Vec<&'static str>,
    /// Items identical to ones already recorded, skipped.
    pub already: Vec<i64>,
    /// The numbers of the items added.
    pub added: Vec<i64>,
    pub closed: bool,
    /// Completing again, with nothing else asked: nothing to do.
    pub already_complete: bool,
}

/// Records retrospective answers and action items, and completes it (which
/// closes the incident) when asked. `existing` are the incident's action
/// items; new ones are numbered from `next_action`.
pub fn retro(
    incident: &Incident,
    current: Option<&Retro>,
    existing: &[ActionItem],
    next_action: i64,
    request: RetroRequest,
    now: DateTime<Utc>,
) -> Result<(Change, RetroOutcome), Refusal> {
    let mut outcome = RetroOutcome::default();
    // Completing again is what a retried script does: nothing to refuse.
    if incident.status == Status::Closed
        && request.complete
        && request.patch == RetroPatch::default()
        && request.actions.is_empty()
    {
        outcome.already_complete = true;
        return Ok((Change::of(incident), outcome));
    }
    retro_open(incident)?;
    let mut change = Change::of(incident);
    let mut retro = current.cloned().unwrap_or_default();
    outcome.changed = retro.apply(request.patch);
    if !outcome.changed.is_empty() {
        let values = outcome
            .changed
            .iter()
            .map(|name| (name.to_string(), retro_value(&retro, name)))
            .collect();
        let names: Vec<&str> = outcome.changed.iter().map(|n| retro::describe_field(n)).collect();
        let data = EventData::RetroUpdated(RetroUpdate {
            changed: outcome.changed.iter().map(|n| n.to_string()).collect(),
            values,
        });
        change = change.record(now, data, format!("Retrospective updated: {}", names.join(", ")));
        change.records.push(Record::Retro(retro.clone()));
    }
    // An answers file applied twice must not double the follow-up work: an
    // item identical to one already recorded is skipped.
    let mut count = existing.len();
    for item in &request.actions {
        let same = |a: &&ActionItem| {
            a.text == item.text && a.owner == item.owner && a.due == item.due && a.kind == item.kind
        };
        match existing.iter().find(same) {
            Some(found) => outcome.already.push(found.id),
            None => {
                let number = next_action + outcome.added.len() as i64;
                let added = add_action(&change.incident, number, item, now);
                change = change.then(added);
                outcome.added.push(number);
                count += 1;
            }
        }
    }
    if request.complete {
        let mut numbers: Vec<i64> = existing.iter().map(|a| a.id).collect();
        numbers.extend(&outcome.added);
        let closed = complete(&change.incident, &mut retro, &numbers, request.no_actions, now)?;
        debug_assert_eq!(numbers.len(), count);
        change = change.then(closed);
        outcome.closed = true;
    }
    Ok((change, outcome))
}

/// The retrospective is held on a resolved incident (a closed one's is
/// complete).
pub fn retro_open(incident: &Incident) -> Result<(), Refusal> {
    match incident.status {
        Status::Resolved => Ok(()),
        status => Err(Refusal::RetroNotResolved(status)),
    }
}

fn retro_value(retro: &Retro, name: &str) -> RetroValue {
    match name {
        retro::field::IMPACT => RetroValue::Text(retro.impact.clone()),
        retro::field::WHYS => RetroValue::List(retro.whys.clone()),
        retro::field::ROOT_CAUSE => RetroValue::Text(retro.root_cause.clone()),
        retro::field::TRIGGER => RetroValue::Text(retro.trigger.clone()),
        retro::field::LEAD_UP => RetroValue::Text(retro.lead_up.clone()),
        retro::field::CONTRIBUTING => RetroValue::List(retro.contributing.clone()),
        retro::field::WENT_WELL => RetroValue::List(retro.went_well.clone()),
        retro::field::WENT_BADLY => RetroValue::List(retro.went_badly.clone()),
        retro::field::LUCKY => RetroValue::List(retro.lucky.clone()),
        _ => RetroValue::Text(None),
    }
}

/// Closes the incident if its retrospective may complete; otherwise says
/// exactly what is missing. `items` are all its action items' numbers.
fn complete(
    incident: &Incident,
    retro: &mut Retro,
    items: &[i64],
    no_actions: Option<String>,
    at: DateTime<Utc>,
) -> Result<Change, Refusal> {
    if let (Some(_), Some(first)) = (&no_actions, items.first()) {
        return Err(Refusal::HasActions {
            first: *first,
            more: items.len() - 1,
        });
    }
    retro::check_complete(retro, items.len(), no_actions.as_deref()).map_err(Refusal::Incomplete)?;
    lifecycle::close(incident.status).map_err(Refusal::CannotClose)?;
    let mut change = Change::of(incident);
    if no_actions.is_some() {
        retro.no_actions = no_actions.clone();
        change.records.push(Record::Retro(retro.clone()));
    }
    let from = incident.status;
    change.incident.status = Status::Closed;
    change.incident.closed_at = Some(at);
    let text = match &no_actions {
        Some(why) => format!("Closed: retrospective complete, no action items: {why}"),
        None if items.len() == 1 => "Closed: retrospective complete, 1 action item".to_string(),
        None => format!("Closed: retrospective complete, {} action items", items.len()),
    };
    let data = EventData::Closed(Closure {
        from,
        to: Status::Closed,
        action_items: items.iter().map(|n| format_action_id(*n)).collect(),
        no_actions,
    });
    Ok(change.record(at, data, text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Category;
    use crate::domain::EventKind;
    use crate::domain::retro::ActionKind;

    fn t(hhmm: &str) -> DateTime<Utc> {
        format!("2026-11-23T{hhmm}:00Z").parse().unwrap()
    }

    fn kinds(change: &Change) -> Vec<EventKind> {
        change.events.iter().map(|e| e.kind()).collect()
    }

    fn role(name: &str, single: bool) -> RoleDef {
        RoleDef {
            name: name.into(),
            single,
        }
    }

    fn resolved() -> Incident {
        Incident {
            status: Status::Resolved,
            resolved_at: Some(t("09:00")),
            ..Incident::example()
        }
    }

    #[test]
    fn declaring_with_a_commander_records_both_and_holds_the_role() {
        let change = declare(&Incident::example(), Some("alice"), t("08:00"));
        assert_eq!(kinds(&change), [EventKind::Declared, EventKind::RoleAssigned]);
        assert_eq!(change.incident.holder("commander"), Some("alice"));
        assert_eq!(
            change.events[0].text,
            "Declared SEV1 availability: Checkout returns 500s"
        );
    }

    #[test]
    fn a_single_holder_role_is_handed_over_and_a_repeat_changes_nothing() {
        let first = assign_role(&Incident::example(), &role("scribe", true), "bob", t("08:05")).unwrap();
        let handover = assign_role(&first.incident, &role("scribe", true), "carol", t("08:10")).unwrap();
        assert_eq!(kinds(&handover), [EventKind::RoleHandover]);
        assert_eq!(handover.events[0].text, "bob handed scribe to carol");
        assert_eq!(handover.incident.roles.len(), 1);
        assert!(
            assign_role(&handover.incident, &role("scribe", true), "carol", t("08:11"))
                .unwrap()
                .is_empty()
        );
        let many = assign_role(&handover.incident, &role("sme", false), "dan", t("08:12")).unwrap();
        let more = assign_role(&many.incident, &role("sme", false), "eve", t("08:13")).unwrap();
        assert_eq!(more.incident.roles.len(), 3);
    }

    #[test]
    fn removing_a_role_needs_its_holder() {
        let held = assign_role(&Incident::example(), &role("scribe", true), "bob", t("08:05")).unwrap();
        let refused = remove_role(&held.incident, &role("scribe", true), "eve", t("08:06")).unwrap_err();
        assert_eq!(
            refused.explain("INC-1", |t| t.to_string()),
            "eve does not hold scribe; held by bob on INC-1"
        );
        let removed = remove_role(&held.incident, &role("scribe", true), "bob", t("08:06")).unwrap();
        assert!(removed.incident.roles.is_empty());
        assert_eq!(kinds(&removed), [EventKind::RoleRemoved]);
    }

    #[test]
    fn escalate_only_raises_and_falls_back_to_the_policy() {
        let levels = ["SEV1", "SEV2", "SEV3"];
        let incident = Incident {
            severity: "SEV2".into(),
            ..Incident::example()
        };
        let oncall = vec!["dba-oncall".to_string()];
        let policy = |level: &str| (level == "SEV1").then_some(oncall.as_slice());
        let lower = EscalateRequest {
            severity: Some("SEV3".into()),
            ..EscalateRequest::default()
        };
        assert!(matches!(
            escalate(&incident, &lower, &levels, policy, t("08:10")),
            Err(Refusal::WouldLower { .. })
        ));
        let nobody = EscalateRequest::default();
        assert_eq!(
            escalate(&incident, &nobody, &levels, policy, t("08:10")).unwrap_err(),
            Refusal::NoPolicy {
                severity: "SEV2".into()
            }
        );
        let raise = EscalateRequest {
            severity: Some("SEV1".into()),
            reason: Some("db down".into()),
            ..EscalateRequest::default()
        };
        let change = escalate(&incident, &raise, &levels, policy, t("08:10")).unwrap();
        assert_eq!(kinds(&change), [EventKind::SeverityChanged, EventKind::Escalated]);
        assert_eq!(change.incident.severity, "SEV1");
        assert_eq!(change.events[1].text, "Escalated to dba-oncall: db down");
        let closed = Incident {
            status: Status::Closed,
            ..incident
        };
        assert!(matches!(
            escalate(&closed, &raise, &levels, policy, t("08:10")),
            Err(Refusal::NotOpen { .. })
        ));
    }

    fn mark(at: &str, text: &str) -> Option<Mark> {
        Some(Mark {
            at: t(at),
            text: text.into(),
        })
    }

    #[test]
    fn resolve_refuses_times_before_the_declaration_or_the_latest_status_change() {
        let incident = Incident::example();
        let none = Latest::default();
        let early = resolve(&incident, None, t("07:00"), &none).unwrap_err();
        assert!(matches!(early, Refusal::Before { what: "declared", .. }));
        let reopened = Latest {
            status: mark("09:00", "Reopened: resolved → investigating: errors again"),
            ..Latest::default()
        };
        let before_reopen = resolve(&incident, None, t("08:30"), &reopened).unwrap_err();
        assert_eq!(
            before_reopen.explain("INC-1", |t| t.format("%H:%M").to_string()),
            "--at 08:30 is before the latest status change on INC-1, \"Reopened: resolved → investigating: \
             errors again\" at 09:00; the status is what the timeline says in time order, so a change cannot \
             be dated before it (record a note instead)"
        );
        let change = resolve(&incident, Some("rolled back"), t("09:30"), &reopened).unwrap();
        assert_eq!(change.incident.status, Status::Resolved);
        assert_eq!(change.incident.resolved_at, Some(t("09:30")));
        assert_eq!(change.incident.resolution.as_deref(), Some("rolled back"));
        assert!(matches!(
            resolve(&change.incident, None, t("09:40"), &none),
            Err(Refusal::NotOpen { .. })
        ));
    }

    #[test]
    fn reopening_keeps_the_first_resolution_and_resolving_again_does_not_move_it() {
        let (step, change) = change_status(&resolved(), Status::Investigating, t("10:00"), None).unwrap();
        assert_eq!(step, Move::Reopen);
        assert_eq!(change.incident.resolved_at, Some(t("09:00")));
        assert_eq!(kinds(&change), [EventKind::Reopened]);
        let again = resolve(&change.incident, None, t("11:00"), &Latest::default()).unwrap();
        assert_eq!(again.incident.resolved_at, Some(t("09:00")));
    }

    #[test]
    fn status_and_severity_changes_keep_the_timeline_in_time_order() {
        // Declared 10:00, identified 10:20, mitigated 10:30 (the sequence).
        let incident = Incident {
            status: Status::Mitigated,
            declared_at: t("10:00"),
            ..Incident::example()
        };
        let latest = Latest {
            status: mark("10:30", "Status identified → mitigated"),
            severity: None,
        };
        let to = |status| UpdateRequest {
            status: Some(status),
            ..UpdateRequest::default()
        };
        let show = |t: DateTime<Utc>| t.format("%H:%M").to_string();
        let back = update(&incident, &to(Status::Identified), t("10:10"), &latest).unwrap_err();
        assert!(
            back.explain("INC-1", show)
                .starts_with("--at 10:10 is before the latest status change on INC-1, \"Status identified → mitigated\" at 10:30"),
            "{back:?}"
        );
        let early = update(&incident, &to(Status::Investigating), t("09:00"), &latest).unwrap_err();
        assert_eq!(
            early.explain("INC-1", show),
            "--at 09:00 is before INC-1 was declared (10:00)"
        );
        // At the same time as the latest change, or later: in order.
        assert!(update(&incident, &to(Status::Identified), t("10:30"), &latest).is_ok());
        // A severity change is checked against severity changes only.
        let sev2 = UpdateRequest {
            severity: Some("SEV2".into()),
            ..UpdateRequest::default()
        };
        assert!(update(&incident, &sev2, t("10:10"), &latest).is_ok());
        let raised = Latest {
            severity: mark("10:40", "Severity SEV2 → SEV1"),
            ..latest.clone()
        };
        assert!(matches!(
            update(&incident, &sev2, t("10:35"), &raised),
            Err(Refusal::OutOfOrder { what: "severity", .. })
        ));
        // A backdated note is fine, even before the declaration.
        let note = UpdateRequest {
            entry: Some(Entry {
                kind: EntryKind::Evidence,
                external: false,
                text: "the first alert".into(),
            }),
            ..UpdateRequest::default()
        };
        assert!(update(&incident, &note, t("09:00"), &raised).is_ok());
    }

    #[test]
    fn a_closed_incident_takes_notes_but_no_status_severity_or_role_change() {
        let closed = Incident {
            status: Status::Closed,
            closed_at: Some(t("12:00")),
            ..resolved()
        };
        let none = Latest::default();
        for request in [
            UpdateRequest {
                status: Some(Status::Resolved),
                ..UpdateRequest::default()
            },
            UpdateRequest {
                severity: Some("SEV3".into()),
                ..UpdateRequest::default()
            },
        ] {
            let refused = update(&closed, &request, t("12:30"), &none).unwrap_err();
            assert!(
                refused
                    .explain("INC-1", |t| t.to_string())
                    .contains("reopen it first with 'incident reopen INC-1 --reason WHY'"),
                "{refused:?}"
            );
        }
        assert!(matches!(
            assign_role(&closed, &role("scribe", true), "bob", t("12:30")),
            Err(Refusal::Ended { .. })
        ));
        let note = UpdateRequest {
            entry: Some(Entry {
                kind: EntryKind::Note,
                external: false,
                text: "postmortem published".into(),
            }),
            ..UpdateRequest::default()
        };
        assert!(update(&closed, &note, t("12:30"), &none).is_ok());
    }

    #[test]
    fn reopening_says_why_and_only_reopens_what_ended() {
        let closed = Incident {
            status: Status::Closed,
            closed_at: Some(t("12:00")),
            ..resolved()
        };
        let (change, unlinked) = reopen(
            &closed,
            "INC-1",
            Status::Identified,
            "errors again",
            None,
            t("13:00"),
        )
        .unwrap();
        assert!(unlinked.is_none());
        assert_eq!(
            change.events[0].text,
            "Reopened: closed → identified: errors again"
        );
        assert_eq!(change.incident.status, Status::Identified);
        assert_eq!(change.incident.closed_at, None);
        assert_eq!(change.incident.resolved_at, Some(t("09:00")));
        assert!(matches!(
            reopen(
                &Incident::example(),
                "INC-1",
                Status::Investigating,
                "x",
                None,
                t("13:00")
            ),
            Err(Refusal::CannotReopen(_))
        ));
    }

    #[test]
    fn cancel_and_duplicate_end_an_incident_and_reopen_undoes_them() {
        let canceled = cancel(&Incident::example(), "false alarm", t("08:10")).unwrap();
        assert_eq!(canceled.incident.status, Status::Canceled);
        assert_eq!(canceled.events[0].text, "Canceled: false alarm");
        assert!(matches!(
            cancel(&canceled.incident, "again", t("08:11")),
            Err(Refusal::Ended { .. })
        ));
        let primary = Incident {
            id: 3,
            ..Incident::example()
        };
        let dup = Incident {
            id: 4,
            ..Incident::example()
        };
        let (marked, link) = duplicate(&dup, "INC-4", &primary, "INC-3", t("08:20")).unwrap();
        assert_eq!(marked.incident.status, Status::Duplicate);
        assert_eq!(marked.events[0].text, "Duplicate of INC-3");
        assert_eq!(link.incident.id, 3);
        assert_eq!(link.events[0].text, "INC-4 is a duplicate of this incident");
        assert!(matches!(
            duplicate(&dup, "INC-4", &dup, "INC-4", t("08:20")),
            Err(Refusal::OwnDuplicate { via: None })
        ));
        let (back, unlinked) = reopen(
            &marked.incident,
            "INC-4",
            Status::Investigating,
            "a different fault",
            Some(&primary),
            t("08:30"),
        )
        .unwrap();
        assert_eq!(back.incident.status, Status::Investigating);
        assert_eq!(
            unlinked.unwrap().events[0].text,
            "INC-4 is no longer a duplicate of this incident"
        );
    }

    #[test]
    fn a_duplicate_of_a_duplicate_points_to_the_primary() {
        let primary = Incident {
            id: 3,
            ..Incident::example()
        };
        let middle = Incident {
            id: 4,
            status: Status::Duplicate,
            ..Incident::example()
        };
        let found: Result<Incident, ()> = super::primary(middle, |d| {
            assert_eq!(d.id, 4);
            Ok(Some(primary.clone()))
        });
        assert_eq!(found.unwrap().id, 3);
    }

    #[test]
    fn an_edit_records_each_changed_field_from_and_to() {
        let incident = Incident {
            services: vec!["checkout".into()],
            ..Incident::example()
        };
        let request = EditRequest {
            title: Some("Customer data exposed".into()),
            category: Some(Category::Security),
            add_services: vec!["auth".into()],
            remove_services: vec!["checkout".into()],
            summary: Some("a DDoS turned out to hide a leak".into()),
            ..EditRequest::default()
        };
        let change = edit(&incident, &request, t("09:00")).unwrap();
        let texts: Vec<&str> = change.events.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Title \"Checkout returns 500s\" → \"Customer data exposed\"",
                "Category availability → security",
                "Services checkout → auth",
                "Summary: a DDoS turned out to hide a leak",
            ]
        );
        assert_eq!(change.incident.category, Category::Security);
        assert_eq!(change.incident.services, ["auth"]);
        assert!(matches!(
            edit(&change.incident, &request, t("09:05")),
            Err(Refusal::NotListed { .. })
        ));
        let same = EditRequest {
            category: Some(Category::Security),
            ..EditRequest::default()
        };
        assert_eq!(
            edit(&change.incident, &same, t("09:05")).unwrap_err(),
            Refusal::NothingToEdit
        );
    }

    #[test]
    fn an_update_records_its_entry_then_severity_then_status() {
        let request = UpdateRequest {
            entry: Some(Entry {
                kind: EntryKind::Note,
                external: true,
                text: "We are rolling back".into(),
            }),
            next_update: Some(t("09:00")),
            severity: Some("SEV2".into()),
            status: Some(Status::Mitigated),
        };
        let change = update(&Incident::example(), &request, t("08:30"), &Latest::default()).unwrap();
        assert_eq!(
            kinds(&change),
            [
                EventKind::StatusUpdate,
                EventKind::SeverityChanged,
                EventKind::StatusChanged
            ]
        );
        assert_eq!(change.incident.next_update_at, Some(t("09:00")));
        assert_eq!(change.events[0].data.as_update(), Some(Some(t("09:00"))));
        let closing = UpdateRequest {
            status: Some(Status::Closed),
            ..UpdateRequest::default()
        };
        assert!(matches!(
            update(&Incident::example(), &closing, t("08:30"), &Latest::default()),
            Err(Refusal::Lifecycle(_))
        ));
    }

    #[test]
    fn an_assessment_sets_the_chosen_severity_with_its_reason() {
        use crate::domain::triage::{Answers, Customers};
        let assessment = Assessment {
            id: 0,
            incident_id: 1,
            event_id: 0,
            at: t("08:20"),
            author: "alice".into(),
            answers: Answers {
                impact: "none".into(),
                sees: "nothing".into(),
                customers: Customers::None,
                started_at: t("08:00"),
                tickets: 0,
                factors: vec![],
                checked: vec![],
            },
            suggested: "SEV3".into(),
            reason: "SEV3 because nothing else applies".into(),
            severity: "SEV3".into(),
        };
        let change = assess(&Incident::example(), assessment, t("08:20")).unwrap();
        assert_eq!(kinds(&change), [EventKind::Assessed, EventKind::SeverityChanged]);
        assert_eq!(change.incident.severity, "SEV3");
        assert_eq!(
            change.events[1].text,
            "Severity SEV1 → SEV3: assessed, nothing else applies"
        );
        assert!(matches!(change.records[..], [Record::Assessment(_)]));
    }

    fn item(id: i64, text: &str) -> ActionItem {
        ActionItem {
            id,
            incident_id: 1,
            text: text.into(),
            owner: "bob".into(),
            due: "2026-12-01".parse().unwrap(),
            kind: ActionKind::Preventive,
            status: ActionStatus::Open,
            created_at: t("09:00"),
            done_at: None,
            note: None,
            link: None,
        }
    }

    #[test]
    fn action_items_are_done_and_linked_once() {
        let open = item(3, "alert on locks");
        let done = action_done(&resolved(), &open, Some("shipped"), t("10:00"));
        assert_eq!(done.events[0].text, "Action A-3 done: alert on locks (shipped)");
        let Record::Action(after) = &done.records[0] else {
            panic!()
        };
        assert_eq!(after.status, ActionStatus::Done);
        assert!(action_done(&resolved(), after, None, t("10:05")).is_empty());
        let linked = action_link(&resolved(), &open, "https://t/OPS-1", t("10:00"));
        let Record::Action(after) = &linked.records[0] else {
            panic!()
        };
        assert!(action_link(&resolved(), after, "https://t/OPS-1", t("10:01")).is_empty());
    }

    #[test]
    fn a_retro_needs_a_resolved_incident_and_completes_only_when_whole() {
        let request = || RetroRequest {
            complete: true,
            ..RetroRequest::default()
        };
        assert!(matches!(
            retro(&Incident::example(), None, &[], 1, request(), t("10:00")),
            Err(Refusal::RetroNotResolved(Status::Investigating))
        ));
        let missing = retro(&resolved(), None, &[], 1, request(), t("10:00")).unwrap_err();
        assert!(
            matches!(missing, Refusal::Incomplete(ref m) if m.contains("root cause")),
            "{missing:?}"
        );
        let whole = RetroRequest {
            patch: RetroPatch {
                root_cause: Some("a lock".into()),
                ..RetroPatch::default()
            },
            actions: vec![NewAction {
                text: "alert on locks".into(),
                owner: "bob".into(),
                due: "2026-12-01".parse().unwrap(),
                kind: ActionKind::Preventive,
            }],
            complete: true,
            no_actions: None,
        };
        let (change, outcome) = retro(&resolved(), None, &[], 4, whole.clone(), t("10:00")).unwrap();
        assert_eq!(
            kinds(&change),
            [EventKind::RetroUpdated, EventKind::ActionAdded, EventKind::Closed]
        );
        assert_eq!(outcome.added, [4]);
        assert_eq!(change.incident.status, Status::Closed);
        // The same answers again: the item is known, the retro is complete.
        let known = [item(4, "alert on locks")];
        let again = retro(
            &change.incident,
            None,
            &known,
            5,
            RetroRequest {
                complete: true,
                ..RetroRequest::default()
            },
            t("10:05"),
        )
        .unwrap();
        assert!(again.1.already_complete && again.0.is_empty());
    }
}

/// How an alert came to an incident, as its `alert_attached` event says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertJoin {
    /// It opened the incident.
    Opened,
    /// A rule (or its group) attached it.
    Rule,
    /// Someone tied it in by hand.
    Hand,
    /// It fired again after resolving.
    Refired,
}

impl AlertJoin {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertJoin::Opened => "opened",
            AlertJoin::Rule => "rule",
            AlertJoin::Hand => "hand",
            AlertJoin::Refired => "refired",
        }
    }
}

/// Ties an alert to the incident: one `alert_attached` event with the
/// alert's words and link. Any incident takes one, as it takes a note.
pub fn attach_alert(incident: &Incident, alert: &Alert, how: AlertJoin, now: DateTime<Utc>) -> Change {
    let link = alert
        .link
        .as_deref()
        .map(|l| format!(" ({l})"))
        .unwrap_or_default();
    let (id, source, summary) = (alert.id, alert.source, &alert.summary);
    let text = match how {
        AlertJoin::Opened => format!("Detected by monitoring: alert {id} from {source}: {summary}{link}"),
        AlertJoin::Rule | AlertJoin::Hand => format!("Alert {id} from {source} attached: {summary}{link}"),
        AlertJoin::Refired => format!("Alert {id} from {source} firing again: {summary}{link}"),
    };
    let data = EventData::AlertAttached(AlertAttached {
        alert_id: alert.id,
        source: alert.source,
        identity: alert.identity.clone(),
        summary: alert.summary.clone(),
        link: alert.link.clone(),
        how: how.as_str().into(),
    });
    Change::of(incident).record(now, data, text)
}

/// Records that one of the incident's alerts resolved (`alerts`: all of
/// them as they now stand), saying so when every one has; and resolves the
/// incident too when `resolve` (a rule's `auto_resolve`, see
/// [`super::alerts::resolves_incident`]).
pub fn alert_resolved(
    incident: &Incident,
    alert: &Alert,
    alerts: &[Alert],
    resolve: bool,
    now: DateTime<Utc>,
    latest: &Latest,
) -> Change {
    let all = super::alerts::all_resolved(alerts);
    let mut text = format!("Alert {} resolved: {}", alert.id, alert.summary);
    if all {
        text.push_str("; every alert of this incident has resolved");
    }
    let data = EventData::AlertResolved(AlertResolved {
        alert_id: alert.id,
        identity: alert.identity.clone(),
        summary: alert.summary.clone(),
        ends_at: alert.ends_at,
        all_resolved: all,
    });
    let change = Change::of(incident).record(now, data, text);
    if !resolve {
        return change;
    }
    let summary = "every alert resolved (auto_resolve)";
    match self::resolve(&change.incident, Some(summary), now, latest) {
        Ok(resolution) => change.then(resolution),
        Err(_) => change,
    }
}
