//! Every change to an incident, as a pure function: the current incident, a
//! request and the time go in; the new state and the events that record it
//! come out, or a [`Refusal`] that says why not. Nothing here reads or
//! writes storage: a command loads what an operation needs inside its write
//! transaction, calls it, and hands the [`Change`] to the store, which
//! writes the state and the events in that one transaction.

use super::event::{
    ActionAdded, ActionDone, ActionLinked, Assessed, Closure, Declared, Escalation, Execution, Handover,
    Promise, RetroUpdate, RetroValue, RoleChange, SeverityMove,
};
use super::lifecycle::{self, Move};
use super::retro::{self, ActionItem, ActionStatus, NewAction, Retro, RetroPatch, format_action_id};
use super::roles::{self, Assignment, RoleDef};
use super::triage::Assessment;
use super::{EntryKind, EventData, Incident, NewEvent, RoleHolder, Status};
use chrono::{DateTime, Utc};

/// What one operation does to one incident.
#[derive(Debug, Clone)]
pub struct Change {
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
}

impl Refusal {
    /// The one-line message for the incident `key`; `show` formats times.
    pub fn explain(&self, key: &str, show: impl Fn(DateTime<Utc>) -> String) -> String {
        match self {
            Refusal::NotOpen { status, doing } => match *doing {
                "resolve" => format!(
                    "{key} is already {status}; reopen it with 'incident update {key} --status investigating'"
                ),
                _ => format!(
                    "{key} is {status}; reopen it first with 'incident update {key} --status investigating'"
                ),
            },
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
    });
    let change = Change::of(draft).record(now, declared, text);
    match commander {
        Some(person) => {
            let role = RoleDef {
                name: roles::COMMANDER.into(),
                single: true,
            };
            let assigned = assign_role(&change.incident, &role, person, now);
            change.then(assigned)
        }
        None => change,
    }
}

/// Gives `person` the role: a handover for a single-holder role someone
/// else holds. Empty when they hold it already.
pub fn assign_role(incident: &Incident, role: &RoleDef, person: &str, now: DateTime<Utc>) -> Change {
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
            state.resolved_at = Some(at);
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
            state.resolved_at = None;
            state.closed_at = None;
            format!("Reopened: {from} → {to}")
        }
        Move::Step | Move::Stay => format!("Status {from} → {to}"),
    };
    Ok((step, change.record(at, data, text)))
}

/// Resolves an open incident as of `at`, which may not come before its
/// declaration or its latest reopening (`reopened`).
pub fn resolve(
    incident: &Incident,
    summary: Option<&str>,
    at: DateTime<Utc>,
    reopened: Option<DateTime<Utc>>,
) -> Result<Change, Refusal> {
    if !incident.status.is_open() {
        return Err(Refusal::NotOpen {
            status: incident.status,
            doing: "resolve",
        });
    }
    if at < incident.declared_at {
        return Err(Refusal::Before {
            option: "--at",
            at,
            what: "declared",
            then: incident.declared_at,
        });
    }
    // After a reopen, resolving "before" it would tell the story backwards.
    if let Some(reopened) = reopened
        && at < reopened
    {
        return Err(Refusal::Before {
            option: "--at",
            at,
            what: "reopened",
            then: reopened,
        });
    }
    change_status(incident, Status::Resolved, at, summary).map(|(_, change)| change)
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
/// order. A promised next update is kept on the incident.
pub fn update(incident: &Incident, request: &UpdateRequest, at: DateTime<Utc>) -> Result<Change, Refusal> {
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

/// Records a triage assessment and sets the chosen severity.
pub fn assess(incident: &Incident, assessment: Assessment, now: DateTime<Utc>) -> Change {
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
    change.then(severity)
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
        let first = assign_role(&Incident::example(), &role("scribe", true), "bob", t("08:05"));
        let handover = assign_role(&first.incident, &role("scribe", true), "carol", t("08:10"));
        assert_eq!(kinds(&handover), [EventKind::RoleHandover]);
        assert_eq!(handover.events[0].text, "bob handed scribe to carol");
        assert_eq!(handover.incident.roles.len(), 1);
        assert!(assign_role(&handover.incident, &role("scribe", true), "carol", t("08:11")).is_empty());
        let many = assign_role(&handover.incident, &role("sme", false), "dan", t("08:12"));
        let more = assign_role(&many.incident, &role("sme", false), "eve", t("08:13"));
        assert_eq!(more.incident.roles.len(), 3);
    }

    #[test]
    fn removing_a_role_needs_its_holder() {
        let held = assign_role(&Incident::example(), &role("scribe", true), "bob", t("08:05"));
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

    #[test]
    fn resolve_refuses_times_before_the_declaration_or_the_reopening() {
        let incident = Incident::example();
        let early = resolve(&incident, None, t("07:00"), None).unwrap_err();
        assert!(matches!(early, Refusal::Before { what: "declared", .. }));
        let before_reopen = resolve(&incident, None, t("08:30"), Some(t("09:00"))).unwrap_err();
        assert!(matches!(before_reopen, Refusal::Before { what: "reopened", .. }));
        let change = resolve(&incident, Some("rolled back"), t("09:30"), Some(t("09:00"))).unwrap();
        assert_eq!(change.incident.status, Status::Resolved);
        assert_eq!(change.incident.resolved_at, Some(t("09:30")));
        assert_eq!(change.incident.resolution.as_deref(), Some("rolled back"));
        assert!(matches!(
            resolve(&change.incident, None, t("09:40"), None),
            Err(Refusal::NotOpen { .. })
        ));
    }

    #[test]
    fn reopening_clears_the_resolution_times() {
        let (step, change) = change_status(&resolved(), Status::Investigating, t("10:00"), None).unwrap();
        assert_eq!(step, Move::Reopen);
        assert_eq!(change.incident.resolved_at, None);
        assert_eq!(kinds(&change), [EventKind::Reopened]);
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
        let change = update(&Incident::example(), &request, t("08:30")).unwrap();
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
            update(&Incident::example(), &closing, t("08:30")),
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
        let change = assess(&Incident::example(), assessment, t("08:20"));
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
