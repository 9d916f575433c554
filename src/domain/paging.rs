//! Paging: what an escalation policy does next for one incident, decided
//! from the incident's timeline alone. The policy's steps are its levels in
//! order, the whole run again `repeat` more times; the first step is paged
//! when the policy starts, each next one when the step before it has waited
//! its level's `wait` without an acknowledgement, and when the last step's
//! wait runs out the page is unanswered. Because the steps paged are read
//! from the `paged` events, whoever drives the timers (any deliverer, after
//! any restart) pages each step once.

use super::event::{EventData, Paged, ShiftChange};
use super::oncall::{Override, Policy, Schedule, Target};
use super::{Event, EventKind, Incident};
use chrono::{DateTime, Utc};

/// One step of a policy: a level of a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Step {
    /// From 0, in the policy's run.
    pub round: u32,
    /// From 0: the policy's level.
    pub level: usize,
}

/// Where a page stands, as the timeline says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageState {
    /// The policy's name, as started.
    pub policy: String,
    /// When it was started (the `escalated` event).
    pub started: DateTime<Utc>,
    /// The last step paged, and when.
    pub last: Option<(Step, DateTime<Utc>)>,
    /// Someone acknowledged after it started.
    pub acknowledged: bool,
    /// It was recorded as unanswered.
    pub unanswered: bool,
}

/// What the policy does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Page this step's targets now.
    Page(Step),
    /// Nothing until then.
    Wait(DateTime<Utc>),
    /// Every step waited out: record that nobody answered.
    Unanswered,
    /// Acknowledged, or over: nothing more.
    Done,
}

/// The page in progress on an incident: the latest policy started by an
/// escalation, with what the events after it say. An escalation to a new
/// policy starts over; an acknowledgement ends the page it follows.
pub fn state(events: &[Event]) -> Option<PageState> {
    let mut page: Option<PageState> = None;
    for e in events {
        match &e.data {
            EventData::Escalated(x) => {
                if let Some(policy) = &x.page {
                    page = Some(PageState {
                        policy: policy.clone(),
                        started: e.at,
                        last: None,
                        acknowledged: false,
                        unanswered: false,
                    });
                }
            }
            EventData::Paged(p) => {
                if let Some(s) = page.as_mut().filter(|s| s.policy == p.policy) {
                    let step = Step {
                        round: p.round,
                        level: p.level,
                    };
                    if s.last.is_none_or(|(l, _)| step > l) {
                        s.last = Some((step, e.at));
                    }
                }
            }
            EventData::Acknowledged => {
                if let Some(s) = page.as_mut() {
                    s.acknowledged = true;
                }
            }
            EventData::PageUnanswered(_) => {
                if let Some(s) = page.as_mut() {
                    s.unanswered = true;
                }
            }
            _ => {}
        }
    }
    page
}

/// The page on each incident that has one, from its events (in time
/// order), with them.
pub fn states(incidents: &[(Incident, Vec<Event>)]) -> Vec<(&Incident, &[Event], PageState)> {
    incidents
        .iter()
        .filter_map(|(incident, events)| state(events).map(|s| (incident, events.as_slice(), s)))
        .collect()
}

impl Policy {
    /// The step after `step` in the run, if any.
    pub fn after(&self, step: Step) -> Option<Step> {
        if step.level + 1 < self.levels.len() {
            Some(Step {
                level: step.level + 1,
                ..step
            })
        } else if step.round < self.repeat {
            Some(Step {
                round: step.round + 1,
                level: 0,
            })
        } else {
            None
        }
    }
}

/// What `policy` does next for a page in `state`, at `now`, on an incident
/// that is `open`.
pub fn next(policy: &Policy, state: &PageState, open: bool, now: DateTime<Utc>) -> Next {
    if !open || state.acknowledged || state.unanswered || policy.levels.is_empty() {
        return Next::Done;
    }
    let Some((last, at)) = state.last else {
        return Next::Page(Step { round: 0, level: 0 });
    };
    let due = at + policy.levels[last.level.min(policy.levels.len() - 1)].wait;
    if now < due {
        return Next::Wait(due);
    }
    match policy.after(last) {
        Some(step) => Next::Page(step),
        None => Next::Unanswered,
    }
}

/// The people a level pages at `at`: its persons, and whoever each
/// schedule's layer has on call (with its overrides), each once, in order.
/// A schedule with nobody on call then pages nobody.
pub fn people(
    targets: &[Target],
    schedules: &[Schedule],
    overrides: &[Override],
    at: DateTime<Utc>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in targets {
        let person = match t {
            Target::Person(p) => Some(p.clone()),
            Target::Schedule { name, layer } => schedules
                .iter()
                .find(|s| &s.name == name)
                .and_then(|s| s.on_call(layer.as_deref(), at, overrides))
                .map(|turn| turn.person),
        };
        if let Some(p) = person
            && !out.contains(&p)
        {
            out.push(p);
        }
    }
    out
}

/// The escalation policy an incident names of itself: its playbook's,
/// else the first of its services (in its order) that names one.
pub fn own_policy(
    playbook: Option<&str>,
    services: &[String],
    service_policies: &std::collections::BTreeMap<String, String>,
) -> Option<String> {
    playbook
        .map(String::from)
        .or_else(|| services.iter().find_map(|s| service_policies.get(s).cloned()))
}

/// The `paged` details of one person paged at a step.
pub fn paged(policy: &Policy, step: Step, person: &str) -> Paged {
    Paged {
        policy: policy.name.clone(),
        round: step.round,
        level: step.level,
        person: person.to_string(),
    }
}

/// The kinds paging reads from a timeline.
pub const KINDS: &[EventKind] = &[
    EventKind::Escalated,
    EventKind::Paged,
    EventKind::Acknowledged,
    EventKind::PageUnanswered,
    EventKind::ShiftChanged,
];

/// Who holds the incident for each schedule layer its page went to, as
/// its timeline says: whoever the layer had on call when its level was
/// paged, or the incoming person of the latest shift change since.
pub fn holders(
    policy: &Policy,
    schedules: &[Schedule],
    overrides: &[Override],
    events: &[Event],
) -> Vec<(String, String, String)> {
    let Some(page) = state(events) else {
        return Vec::new();
    };
    let mut out: Vec<(String, String, String)> = Vec::new();
    for e in events.iter().filter(|e| e.at >= page.started) {
        match &e.data {
            EventData::Paged(p) if p.policy == policy.name => {
                let Some(level) = policy.levels.get(p.level) else {
                    continue;
                };
                for t in &level.page {
                    let Target::Schedule { name, layer } = t else {
                        continue;
                    };
                    let Some(schedule) = schedules.iter().find(|s| &s.name == name) else {
                        continue;
                    };
                    let Some(turn) = schedule.on_call(layer.as_deref(), e.at, overrides) else {
                        continue;
                    };
                    if !out.iter().any(|(s, l, _)| s == name && *l == turn.layer) {
                        out.push((name.clone(), turn.layer, turn.person));
                    }
                }
            }
            EventData::ShiftChanged(h) => {
                if let Some(held) = out.iter_mut().find(|(s, l, _)| *s == h.schedule && *l == h.layer) {
                    held.2 = h.to.clone();
                }
            }
            _ => {}
        }
    }
    out
}

/// The shift changes to record at `now` on an open incident: each layer
/// its page went to whose person on call is no longer the one holding it.
pub fn handoffs(
    policy: &Policy,
    schedules: &[Schedule],
    overrides: &[Override],
    events: &[Event],
    now: DateTime<Utc>,
) -> Vec<ShiftChange> {
    holders(policy, schedules, overrides, events)
        .into_iter()
        .filter_map(|(schedule, layer, from)| {
            let s = schedules.iter().find(|s| s.name == schedule)?;
            let to = s.on_call(Some(&layer), now, overrides)?.person;
            (to != from).then_some(ShiftChange {
                schedule,
                layer,
                from,
                to,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{Escalation, Unanswered};
    use crate::domain::oncall::PolicyLevel;
    use chrono::Duration;

    fn utc(s: &str) -> DateTime<Utc> {
        format!("2026-03-23T{s}:00Z").parse().unwrap()
    }

    fn policy() -> Policy {
        Policy {
            name: "db".into(),
            levels: vec![
                PolicyLevel {
                    page: vec![Target::Person("alice".into())],
                    wait: Duration::minutes(5),
                },
                PolicyLevel {
                    page: vec![Target::Person("bob".into()), Target::Person("alice".into())],
                    wait: Duration::minutes(10),
                },
            ],
            repeat: 1,
        }
    }

    fn event(at: &str, data: EventData) -> Event {
        Event {
            id: 0,
            incident_id: 1,
            at: utc(at),
            recorded_at: utc(at),
            author: "incident".into(),
            text: String::new(),
            data,
        }
    }

    fn escalated(at: &str, page: Option<&str>) -> Event {
        event(
            at,
            EventData::Escalated(Escalation {
                to: vec!["db".into()],
                reason: None,
                severity: "SEV1".into(),
                policy: false,
                page: page.map(String::from),
            }),
        )
    }

    fn paged_at(at: &str, round: u32, level: usize) -> Event {
        event(
            at,
            EventData::Paged(paged(&policy(), Step { round, level }, "alice")),
        )
    }

    #[test]
    fn a_policy_pages_each_level_after_the_last_waited_then_repeats_then_is_unanswered() {
        let p = policy();
        let mut events = vec![escalated("08:00", Some("db"))];
        let at = |events: &[Event], now: &str| next(&p, &state(events).unwrap(), true, utc(now));
        assert_eq!(at(&events, "08:00"), Next::Page(Step { round: 0, level: 0 }));
        events.push(paged_at("08:01", 0, 0));
        // The wait counts from when the step was paged, not from the start.
        assert_eq!(at(&events, "08:05"), Next::Wait(utc("08:06")));
        assert_eq!(at(&events, "08:06"), Next::Page(Step { round: 0, level: 1 }));
        events.push(paged_at("08:06", 0, 1));
        assert_eq!(at(&events, "08:15"), Next::Wait(utc("08:16")));
        assert_eq!(at(&events, "08:16"), Next::Page(Step { round: 1, level: 0 }));
        events.push(paged_at("08:16", 1, 0));
        events.push(paged_at("08:21", 1, 1));
        // A step recorded twice (two deliverers) counts once.
        events.push(paged_at("08:21", 1, 1));
        assert_eq!(at(&events, "08:30"), Next::Wait(utc("08:31")));
        assert_eq!(at(&events, "08:31"), Next::Unanswered);
        events.push(event(
            "08:31",
            EventData::PageUnanswered(Unanswered { policy: "db".into() }),
        ));
        assert_eq!(at(&events, "09:00"), Next::Done);
    }

    #[test]
    fn an_acknowledgement_or_the_end_of_the_incident_stops_it_and_a_new_escalation_starts_over() {
        let p = policy();
        let mut events = vec![escalated("08:00", Some("db")), paged_at("08:00", 0, 0)];
        assert_eq!(
            next(&p, &state(&events).unwrap(), false, utc("09:00")),
            Next::Done
        );
        events.push(event("08:02", EventData::Acknowledged));
        assert_eq!(next(&p, &state(&events).unwrap(), true, utc("09:00")), Next::Done);
        // An escalation naming people, not a policy, changes nothing.
        events.push(escalated("08:30", None));
        assert!(state(&events).unwrap().acknowledged);
        events.push(escalated("08:40", Some("db")));
        assert_eq!(
            next(&p, &state(&events).unwrap(), true, utc("08:40")),
            Next::Page(Step { round: 0, level: 0 })
        );
        assert_eq!(state(&[escalated("08:00", None)]), None);
    }

    #[test]
    fn an_incident_pages_by_its_playbook_s_policy_else_its_first_service_s() {
        let by_service: std::collections::BTreeMap<String, String> = [
            ("db".to_string(), "db-critical".to_string()),
            ("web".to_string(), "web".to_string()),
        ]
        .into();
        let services = ["search".to_string(), "db".to_string(), "web".to_string()];
        assert_eq!(
            own_policy(None, &services, &by_service).as_deref(),
            Some("db-critical")
        );
        assert_eq!(
            own_policy(Some("ddos"), &services, &by_service).as_deref(),
            Some("ddos")
        );
        assert_eq!(own_policy(None, &services[..1], &by_service), None);
    }

    #[test]
    fn a_level_pages_its_people_and_the_schedule_s_person_on_call_once_each() {
        use crate::domain::oncall::{Layer, Shift};
        let schedule = Schedule {
            name: "db".into(),
            time_zone: crate::domain::zone::Zone::utc(),
            layers: vec![Layer {
                name: "primary".into(),
                people: vec!["alice".into(), "carol".into()],
                start: "2026-03-23T00:00:00".parse().unwrap(),
                shift: Shift::Daily,
            }],
        };
        let targets = [
            Target::Schedule {
                name: "db".into(),
                layer: None,
            },
            Target::Person("bob".into()),
            Target::Person("alice".into()),
            Target::Schedule {
                name: "gone".into(),
                layer: None,
            },
        ];
        assert_eq!(
            people(&targets, std::slice::from_ref(&schedule), &[], utc("08:00")),
            ["alice", "bob"]
        );
        let tomorrow = utc("08:00") + Duration::days(1);
        assert_eq!(
            people(&targets, &[schedule], &[], tomorrow),
            ["carol", "bob", "alice"]
        );
    }
}
