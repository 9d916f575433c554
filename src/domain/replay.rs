//! Replaying a timeline: the incident state its events imply, by folding
//! [`super::apply`] (the same function every operation uses) over them.
//! `verify` compares it with the stored state, and `import` with a file's,
//! so state edited behind the tool's back (or forged in a file) shows.
//!
//! Compared: title, status, severity, category, services, channels,
//! summary, detected_by, started_at, declared_at, resolved_at, closed_at,
//! resolution, the role holders, the drill mark and the tags; beside them
//! the assessments, the action items and the retrospective. Not compared:
//! next_update_at, which earlier releases did not always keep in step.

use super::apply::{apply, apply_to_retro};
use super::event::EventData;
use super::{EventKind, Incident};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

/// What a timeline says the incident's state is.
#[derive(Debug, Clone, PartialEq)]
pub struct Replayed {
    /// The state (its id is 0: the timeline does not say it).
    pub state: Incident,
    /// Every resolution's time: earlier releases kept the latest, or none
    /// after a reopening, so a stored time is checked against these.
    pub resolutions: Vec<DateTime<Utc>>,
}

/// Why a timeline cannot be replayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreplayable {
    #[error("the timeline does not start with a `declared` event")]
    NoDeclaration,
    #[error("event {0} has details this release cannot read")]
    Unreadable(i64),
}

/// The kinds whose events change the incident's own state: one of them
/// unreadable, the state cannot be replayed.
const SHAPES_STATE: &[EventKind] = &[
    EventKind::Declared,
    EventKind::StatusChanged,
    EventKind::Resolved,
    EventKind::Reopened,
    EventKind::Closed,
    EventKind::Canceled,
    EventKind::MarkedDuplicate,
    EventKind::SeverityChanged,
    EventKind::RoleAssigned,
    EventKind::RoleHandover,
    EventKind::RoleRemoved,
    EventKind::Edited,
];

/// Replays events (id, when, data), oldest first.
pub fn replay<'a>(
    events: impl IntoIterator<Item = (i64, DateTime<Utc>, &'a EventData)>,
) -> Result<Replayed, Unreplayable> {
    let mut events = events.into_iter();
    let (at, declared) = match events.next() {
        Some((_, at, declared @ EventData::Declared(_))) => (at, declared),
        // A declaration whose details say too little (the first release
        // wrote none): the start is there, but not what it said.
        Some((id, _, EventData::Unreadable { kind, .. })) if *kind == EventKind::Declared => {
            return Err(Unreplayable::Unreadable(id));
        }
        _ => return Err(Unreplayable::NoDeclaration),
    };
    let mut replayed = Replayed {
        state: Incident::bare(),
        resolutions: Vec::new(),
    };
    apply(&mut replayed.state, at, declared);
    for (id, at, data) in events {
        match data {
            EventData::Unreadable { kind, .. } if SHAPES_STATE.contains(kind) => {
                return Err(Unreplayable::Unreadable(id));
            }
            EventData::Declared(_) => return Err(Unreplayable::NoDeclaration),
            EventData::Resolved(_) => replayed.resolutions.push(at),
            _ => {}
        }
        apply(&mut replayed.state, at, data);
    }
    Ok(replayed)
}

/// Stored assessments that disagree with the `assessed` events they were
/// recorded with, and `assessed` events with no assessment: one line each.
pub fn assessment_disagreements(
    assessments: &[super::triage::Assessment],
    events: &[super::Event],
) -> Vec<String> {
    let mut problems = Vec::new();
    for a in assessments {
        let event = events.iter().find(|e| e.id == a.event_id);
        match event.map(|e| &e.data) {
            Some(EventData::Assessed(recorded)) if **recorded == a.recorded() => {}
            Some(EventData::Assessed(_)) => problems.push(format!(
                "the stored assessment of event {} disagrees with the event",
                a.event_id
            )),
            _ => problems.push(format!(
                "a stored assessment points at event {}, which is not an `assessed` event of this incident",
                a.event_id
            )),
        }
    }
    for e in events {
        if matches!(e.data, EventData::Assessed(_)) && !assessments.iter().any(|a| a.event_id == e.id) {
            problems.push(format!("the assessment recorded by event {} is missing", e.id));
        }
    }
    problems
}

/// The fields where `incident` (and its role holders) disagree with what
/// its timeline says.
pub fn disagreements(incident: &Incident, r: &Replayed) -> Vec<&'static str> {
    let holders = |i: &Incident| -> BTreeSet<(String, String)> {
        i.roles
            .iter()
            .map(|h| (h.role.clone(), h.person.clone()))
            .collect()
    };
    let s = &r.state;
    let checks = [
        ("title", incident.title == s.title),
        ("status", incident.status == s.status),
        ("severity", incident.severity == s.severity),
        ("category", incident.category == s.category),
        ("services", incident.services == s.services),
        ("channels", incident.channels == s.channels),
        ("summary", incident.summary == s.summary),
        ("detected_by", incident.detected_by == s.detected_by),
        ("started_at", incident.started_at == s.started_at),
        ("declared_at", incident.declared_at == s.declared_at),
        (
            "resolved_at",
            match incident.resolved_at {
                Some(t) => r.resolutions.contains(&t),
                None => r.resolutions.is_empty() || incident.status.is_open(),
            },
        ),
        ("closed_at", incident.closed_at == s.closed_at),
        ("resolution", incident.resolution == s.resolution),
        ("roles", holders(incident) == holders(s)),
        ("drill", incident.drill == s.drill),
        ("tags", incident.tags == s.tags),
    ];
    checks.iter().filter(|(_, same)| !same).map(|(f, _)| *f).collect()
}

/// Role holders whose recorded start (`since`) is not when the event that
/// gave them the role was recorded: one line each. `events` in recording
/// order.
pub fn role_disagreements(
    holders: &[(super::RoleHolder, DateTime<Utc>)],
    events: &[super::Event],
) -> Vec<String> {
    let mut problems = Vec::new();
    for (holder, since) in holders {
        let gave = events.iter().rev().find(|e| match &e.data {
            EventData::RoleAssigned(r) => r.role == holder.role && r.person == holder.person,
            EventData::RoleHandover(h) => h.role == holder.role && h.person == holder.person,
            _ => false,
        });
        if gave.is_some_and(|e| e.recorded_at != *since) {
            problems.push(format!(
                "the stored start of {} as {} disagrees with the timeline (changed outside incident)",
                holder.person, holder.role
            ));
        }
    }
    problems
}

/// Stored action items of the incident that disagree with the events that
/// added, finished and linked them: one line each. Items are matched to
/// their `action_added` event by what it records (an import may have given
/// an item a new number; the events keep the number it was added with).
/// `here` resolves the numbers imported events name.
pub fn action_disagreements(
    items: &[super::retro::ActionItem],
    events: &[super::Event],
    here: &super::refs::Resolver,
) -> Vec<String> {
    use std::collections::BTreeMap;
    // By number here: (added event, replayed item).
    let mut replayed: BTreeMap<i64, (i64, super::retro::ActionItem)> = BTreeMap::new();
    for e in events {
        match &e.data {
            EventData::ActionAdded(a) => {
                let mut item = super::retro::ActionItem::added(e.incident_id, e.at, a);
                item.id = here.action(e, a.action_id);
                replayed.insert(item.id, (e.id, item));
            }
            EventData::ActionDone(super::event::ActionDone { action_id, .. })
            | EventData::ActionLinked(super::event::ActionLinked { action_id, .. }) => {
                if let Some((_, item)) = replayed.get_mut(&here.action(e, *action_id)) {
                    item.apply(e.at, &e.data);
                }
            }
            _ => {}
        }
    }
    let mut problems = Vec::new();
    let mut unmatched: Vec<&super::retro::ActionItem> = items.iter().collect();
    for (event, want) in replayed.values() {
        let same_item = |a: &&super::retro::ActionItem| {
            a.text == want.text && a.owner == want.owner && a.due == want.due && a.kind == want.kind
        };
        // The item with the number the events use, else the first alike.
        let found = unmatched
            .iter()
            .position(|a| a.id == want.id && same_item(a))
            .or_else(|| unmatched.iter().position(same_item));
        let Some(at) = found else {
            problems.push(format!(
                "the action item added by event {event} is missing or was changed"
            ));
            continue;
        };
        let got = unmatched.remove(at);
        let progress = got.status == want.status
            && got.done_at == want.done_at
            && got.note == want.note
            && got.link == want.link;
        if !progress {
            problems.push(format!(
                "the stored status, note or link of action A-{} disagrees with the timeline",
                got.id
            ));
        }
    }
    for extra in unmatched {
        problems.push(format!(
            "action A-{} was not added by any event of the incident",
            extra.id
        ));
    }
    problems
}

/// Where the stored retrospective disagrees with the `retro_updated`
/// events: the names of the fields (a field whose recorded value has the
/// wrong shape disagrees too).
pub fn retro_disagreements(
    stored: Option<&super::retro::Retro>,
    events: &[super::Event],
) -> Vec<&'static str> {
    use super::retro::{Retro, RetroField};
    let mut r = Retro::default();
    let mut bad = BTreeSet::new();
    for e in events.iter().filter(|e| e.kind() == EventKind::RetroUpdated) {
        if let Err(field) = apply_to_retro(&mut r, &e.data) {
            bad.insert(field);
        }
    }
    let empty = Retro::default();
    let s = stored.unwrap_or(&empty);
    RetroField::ALL
        .iter()
        .filter(|f| bad.contains(f) || s.value(**f) != r.value(**f))
        .map(|f| f.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ops::{self, EditRequest};
    use crate::domain::roles::RoleDef;
    use crate::domain::{NewEvent, RoleHolder, Status};

    fn t(hm: &str) -> DateTime<Utc> {
        format!("2026-11-23T{hm}:00Z").parse().unwrap()
    }

    fn replayed(events: &[NewEvent]) -> Replayed {
        replay(
            events
                .iter()
                .enumerate()
                .map(|(n, e)| (n as i64 + 1, e.at, &e.data)),
        )
        .unwrap()
    }

    /// A life through the pure operations: the state they produce is the
    /// state the replay of their events gives.
    #[test]
    fn the_replay_of_the_operations_events_is_their_state() {
        let draft = Incident {
            declared_at: t("08:00"),
            ..Incident::example()
        };
        let mut change = ops::declare(&draft, Some("alice"), t("08:00"));
        let scribe = RoleDef {
            name: "scribe".into(),
            single: false,
        };
        let commander = RoleDef {
            name: "commander".into(),
            single: true,
        };
        type Step<'a> = Box<dyn Fn(&Incident) -> ops::Change + 'a>;
        let steps: Vec<Step> = vec![
            Box::new(|i| ops::assign_role(i, &scribe, "bob", t("08:05")).unwrap()),
            Box::new(|i| ops::change_severity(i, "SEV2", t("08:10"), Some("smaller"))),
            Box::new(|i| ops::assign_role(i, &commander, "carol", t("08:15")).unwrap()),
            Box::new(|i| ops::remove_role(i, &scribe, "bob", t("08:16")).unwrap()),
            Box::new(|i| {
                let request = EditRequest {
                    title: Some("Checkout slow".into()),
                    add_services: vec!["checkout".into()],
                    summary: Some("Slow".into()),
                    started_at: Some(t("07:50")),
                    ..Default::default()
                };
                ops::edit(i, &request, t("08:20")).unwrap()
            }),
            Box::new(|i| {
                ops::change_status(i, Status::Resolved, t("09:00"), Some("Rolled back"))
                    .unwrap()
                    .1
            }),
            Box::new(|i| {
                ops::reopen(i, "INC-1", Status::Identified, "again", None, t("09:30"))
                    .unwrap()
                    .0
            }),
            Box::new(|i| {
                ops::change_status(i, Status::Resolved, t("10:00"), None)
                    .unwrap()
                    .1
            }),
        ];
        for step in &steps {
            let next = step(&change.incident);
            change = change.then(next);
        }
        let r = replayed(&change.events);
        assert_eq!(disagreements(&change.incident, &r), Vec::<&str>::new());
        assert_eq!(r.state.title, "Checkout slow");
        assert_eq!(r.state.severity, "SEV2");
        assert_eq!(r.state.resolved_at, Some(t("09:00")));
        assert_eq!(r.resolutions, [t("09:00"), t("10:00")]);
        assert_eq!(r.state.resolution.as_deref(), Some("Rolled back"));
        assert_eq!(r.state.holder("commander"), Some("carol"));
        assert_eq!(
            Incident {
                id: change.incident.id,
                ..r.state.clone()
            },
            change.incident,
            "the replayed state is the operations' state, field for field"
        );

        // Each field changed behind the timeline's back is named.
        let tampered = [
            Incident {
                title: "x".into(),
                ..change.incident.clone()
            },
            Incident {
                status: Status::Investigating,
                ..change.incident.clone()
            },
            Incident {
                roles: vec![RoleHolder {
                    role: "commander".into(),
                    person: "mallory".into(),
                }],
                ..change.incident.clone()
            },
        ];
        let named: Vec<Vec<&str>> = tampered.iter().map(|i| disagreements(i, &r)).collect();
        assert_eq!(named, [vec!["title"], vec!["status"], vec!["roles"]]);
    }

    #[test]
    fn a_timeline_without_its_declaration_cannot_be_replayed() {
        let note = EventData::Note;
        assert_eq!(replay([(1, t("08:00"), &note)]), Err(Unreplayable::NoDeclaration));
    }

    mod property {
        use super::*;
        use crate::domain::event::Execution;
        use crate::domain::ops::{Entry, EscalateRequest, UpdateRequest};
        use crate::domain::{Category, DetectedBy, EntryKind};
        use proptest::prelude::*;

        /// One step a team might take, with small choices so that steps
        /// meet each other (the same people, roles and levels).
        #[derive(Debug, Clone)]
        enum Step {
            Assign(usize, usize),
            Remove(usize, usize),
            Update {
                kind: usize,
                external: bool,
                promise: bool,
                severity: Option<usize>,
                status: Option<usize>,
            },
            Escalate(Option<usize>),
            Resolve(bool),
            Reopen(usize),
            Cancel,
            Edit {
                title: bool,
                category: usize,
                service: Option<usize>,
                drop_service: Option<usize>,
                tag: Option<usize>,
                started: bool,
            },
            Exec,
        }

        const PEOPLE: [&str; 3] = ["alice", "bob", "carol"];
        const LEVELS: [&str; 3] = ["SEV1", "SEV2", "SEV3"];
        const SERVICES: [&str; 3] = ["checkout", "auth", "search"];

        fn roles() -> Vec<RoleDef> {
            crate::domain::roles::defaults().into_iter().take(7).collect()
        }

        fn step() -> impl Strategy<Value = Step> {
            prop_oneof![
                (0..7usize, 0..3usize).prop_map(|(r, p)| Step::Assign(r, p)),
                (0..7usize, 0..3usize).prop_map(|(r, p)| Step::Remove(r, p)),
                (
                    0..5usize,
                    any::<bool>(),
                    any::<bool>(),
                    proptest::option::of(0..3usize),
                    proptest::option::of(0..4usize)
                )
                    .prop_map(|(kind, external, promise, severity, status)| Step::Update {
                        kind,
                        external,
                        promise,
                        severity,
                        status
                    }),
                proptest::option::of(0..3usize).prop_map(Step::Escalate),
                any::<bool>().prop_map(Step::Resolve),
                (0..3usize).prop_map(Step::Reopen),
                Just(Step::Cancel),
                (
                    any::<bool>(),
                    0..6usize,
                    proptest::option::of(0..3usize),
                    proptest::option::of(0..3usize),
                    proptest::option::of(0..3usize),
                    any::<bool>()
                )
                    .prop_map(|(title, category, service, drop_service, tag, started)| {
                        Step::Edit {
                            title,
                            category,
                            service,
                            drop_service,
                            tag,
                            started,
                        }
                    }),
                Just(Step::Exec),
            ]
        }

        /// What a step does to the incident at `now`; refusals change
        /// nothing, as the command would record nothing.
        fn take(i: &Incident, step: &Step, n: usize, now: DateTime<Utc>) -> Option<ops::Change> {
            let roles = roles();
            let latest = ops::Latest::default();
            match step {
                Step::Assign(r, p) => ops::assign_role(i, &roles[*r], PEOPLE[*p], now).ok(),
                Step::Remove(r, p) => ops::remove_role(i, &roles[*r], PEOPLE[*p], now).ok(),
                Step::Update {
                    kind,
                    external,
                    promise,
                    severity,
                    status,
                } => {
                    let request = UpdateRequest {
                        entry: Some(Entry {
                            kind: EntryKind::ALL[*kind],
                            external: *external,
                            text: format!("entry {n}"),
                        }),
                        next_update: promise.then(|| now + chrono::Duration::minutes(30)),
                        severity: severity.map(|l| LEVELS[l].to_string()),
                        status: status.map(|s| crate::domain::lifecycle::SETTABLE[s]),
                    };
                    ops::update(i, &request, now, &latest).ok()
                }
                Step::Escalate(level) => {
                    let request = EscalateRequest {
                        to: vec!["dba-oncall".into()],
                        severity: level.map(|l| LEVELS[l].to_string()),
                        reason: Some("worse".into()),
                        policies: Vec::new(),
                    };
                    ops::escalate(i, &request, &LEVELS, |_| None, now).ok()
                }
                Step::Resolve(summary) => {
                    let summary = summary.then(|| format!("fixed {n}"));
                    ops::resolve(i, summary.as_deref(), now, &latest).ok()
                }
                Step::Reopen(to) => {
                    let to = [Status::Investigating, Status::Identified, Status::Mitigated][*to];
                    ops::reopen(i, "INC-1", to, "again", None, now)
                        .ok()
                        .map(|(c, _)| c)
                }
                Step::Cancel => ops::cancel(i, "false alarm", now).ok(),
                Step::Edit {
                    title,
                    category,
                    service,
                    drop_service,
                    tag,
                    started,
                } => {
                    let request = EditRequest {
                        title: title.then(|| format!("title {n}")),
                        category: Some(Category::ALL[*category]),
                        add_services: service.iter().map(|s| SERVICES[*s].to_string()).collect(),
                        remove_services: drop_service
                            .iter()
                            .map(|s| SERVICES[*s].to_string())
                            .filter(|s| i.services.contains(s))
                            .collect(),
                        summary: title.then(|| format!("summary {n}")),
                        detected_by: Some(DetectedBy::ALL[n % DetectedBy::ALL.len()]),
                        started_at: started.then(|| now - chrono::Duration::minutes(5)),
                        set_tags: tag.iter().map(|t| (format!("k{t}"), format!("v{n}"))).collect(),
                        // Refused while it is not resolved: a refused step is skipped.
                        resolution: (*title && i.resolved_at.is_some()).then(|| format!("fixed {n}")),
                        ..EditRequest::default()
                    };
                    ops::edit(i, &request, now).ok()
                }
                Step::Exec => {
                    let run = Execution {
                        command: vec!["true".into()],
                        exit_status: Some(0),
                        signal: None,
                        duration_ms: 1,
                        error: None,
                        started: false,
                        start: None,
                    };
                    Some(ops::executed(i, run, "ran true".into(), now))
                }
            }
        }

        proptest! {
            /// For any sequence of steps, the state the operations reach is
            /// the state the replay of their events gives, field for field.
            #[test]
            fn the_state_is_what_the_timeline_replays_to(steps in proptest::collection::vec(step(), 0..40)) {
                let draft = Incident {
                    declared_at: t("08:00"),
                    ..Incident::example()
                };
                let mut change = ops::declare(&draft, Some("alice"), t("08:00"));
                for (n, step) in steps.iter().enumerate() {
                    let now = t("08:00") + chrono::Duration::minutes(n as i64 + 1);
                    if let Some(next) = take(&change.incident, step, n, now) {
                        change = change.then(next);
                    }
                }
                let r = replayed(&change.events);
                prop_assert_eq!(&r.state, &change.incident);
                prop_assert!(disagreements(&change.incident, &r).is_empty());
            }
        }
    }
}
