//! Paging's changes to an incident: a step of a policy paged, a page
//! acknowledged, a policy run out unanswered.

use super::{Change, Doing, Refusal};
use crate::domain::Incident;
use crate::domain::event::{Escalation, EventData, ShiftChange, Unanswered};
use crate::domain::oncall::Policy;
use crate::domain::paging::{Step, paged};
use chrono::{DateTime, Utc};

/// Starts paging by `policy` on an open incident opened by an alert rule
/// or declared with `--page`: an escalation to the policy.
pub fn start_paging(incident: &Incident, policy: &str, reason: Option<&str>, now: DateTime<Utc>) -> Change {
    let text = match reason {
        Some(r) => format!("Escalated to {policy}: {r}"),
        None => format!("Escalated to {policy}"),
    };
    let data = EventData::Escalated(Escalation {
        to: vec![policy.to_string()],
        reason: reason.map(String::from),
        severity: incident.severity.clone(),
        policy: false,
        page: Some(policy.to_string()),
    });
    Change::of(incident).record(now, data, text)
}

/// Someone took the incident: any page on it stops.
pub fn acknowledge(incident: &Incident, now: DateTime<Utc>) -> Result<Change, Refusal> {
    if !incident.status.is_open() {
        return Err(Refusal::NotOpen {
            status: incident.status,
            doing: Doing::Acknowledge,
        });
    }
    Ok(Change::of(incident).record(now, EventData::Acknowledged, "Acknowledged"))
}

/// `people` paged at `step` of `policy`: one event each.
pub fn page(
    incident: &Incident,
    policy: &Policy,
    step: Step,
    people: &[String],
    now: DateTime<Utc>,
) -> Change {
    let mut change = Change::of(incident);
    let round = match step.round {
        0 => String::new(),
        n => format!(", round {}", n + 1),
    };
    for person in people {
        let text = format!("Paged {person} ({} level {}{round})", policy.name, step.level + 1);
        change = change.record(now, EventData::Paged(paged(policy, step, person)), text);
    }
    change
}

/// The shift changed on a layer paged for the incident.
pub fn shift_changed(incident: &Incident, change: ShiftChange, now: DateTime<Utc>) -> Change {
    let text = format!(
        "Shift change on {} {}: {} hands the incident over to {}",
        change.schedule, change.layer, change.from, change.to
    );
    Change::of(incident).record(now, EventData::ShiftChanged(change), text)
}

/// Every step of `policy` paged and waited out without an answer.
pub fn unanswered(incident: &Incident, policy: &Policy, now: DateTime<Utc>) -> Change {
    let rounds = match policy.repeat {
        0 => String::new(),
        n => format!(", {} times", n + 1),
    };
    let text = format!(
        "Nobody acknowledged the page: {} paged every level{rounds}",
        policy.name
    );
    Change::of(incident).record(
        now,
        EventData::PageUnanswered(Unanswered {
            policy: policy.name.clone(),
        }),
        text,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::oncall::{PolicyLevel, Target};
    use crate::domain::{EventKind, Status};

    fn policy() -> Policy {
        Policy {
            name: "db".into(),
            levels: vec![PolicyLevel {
                page: vec![Target::Person("alice".into())],
                wait: chrono::Duration::minutes(5),
            }],
            repeat: 1,
        }
    }

    #[test]
    fn an_acknowledgement_meets_the_acknowledge_target_and_needs_an_open_incident() {
        let now: DateTime<Utc> = "2026-03-23T08:05:00Z".parse().unwrap();
        let incident = Incident::example();
        let change = acknowledge(&incident, now).unwrap();
        assert_eq!(change.events[0].data.kind(), EventKind::Acknowledged);
        assert_eq!(change.incident.milestones.acknowledged, Some(now));
        let resolved = Incident {
            status: Status::Resolved,
            ..Incident::example()
        };
        assert!(matches!(
            acknowledge(&resolved, now),
            Err(Refusal::NotOpen {
                doing: Doing::Acknowledge,
                ..
            })
        ));
    }

    #[test]
    fn each_person_paged_is_an_entry_saying_the_level_and_round() {
        let now: DateTime<Utc> = "2026-03-23T08:05:00Z".parse().unwrap();
        let change = page(
            &Incident::example(),
            &policy(),
            Step { round: 1, level: 0 },
            &["alice".into(), "bob".into()],
            now,
        );
        let texts: Vec<&str> = change.events.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Paged alice (db level 1, round 2)",
                "Paged bob (db level 1, round 2)"
            ]
        );
        let none = unanswered(&Incident::example(), &policy(), now);
        assert_eq!(
            none.events[0].text,
            "Nobody acknowledged the page: db paged every level, 2 times"
        );
    }
}
