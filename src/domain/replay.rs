//! Replaying a timeline: the incident state its events imply. `verify`
//! compares it with the stored state, and `import` with a file's, so state
//! edited behind the tool's back (or forged in a file) shows.
//!
//! Covered: title, status, severity, category, services, channels,
//! summary, detected_by, started_at, declared_at, resolved_at, closed_at,
//! resolution, the role holders, the drill mark and the tags. Not covered (not recorded fully by the
//! events): next_update_at, the assessment answers, the retrospective text
//! and action items beyond their events.

use super::event::{EditValue, EventData};
use super::{Category, DetectedBy, Incident, Status};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

/// What a timeline says the incident's state is.
#[derive(Debug, Clone, PartialEq)]
pub struct Replayed {
    pub title: String,
    pub status: Status,
    pub severity: String,
    pub category: Category,
    pub services: Vec<String>,
    pub channels: Vec<String>,
    pub summary: Option<String>,
    pub detected_by: Option<DetectedBy>,
    pub started_at: Option<DateTime<Utc>>,
    pub declared_at: DateTime<Utc>,
    /// The first resolution (what this release keeps).
    pub resolved_at: Option<DateTime<Utc>>,
    /// Every resolution's time: earlier releases kept the latest, or none
    /// after a reopening, so a stored time is checked against these.
    pub resolutions: Vec<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    /// (role, person) pairs.
    pub roles: BTreeSet<(String, String)>,
    pub drill: bool,
    pub tags: std::collections::BTreeMap<String, String>,
}

/// Why a timeline cannot be replayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreplayable {
    #[error("the timeline does not start with a `declared` event")]
    NoDeclaration,
    #[error("event {0} has details this release cannot read")]
    Unreadable(i64),
    #[error("event {id} edits `{field}` with a value it cannot hold")]
    BadEdit { id: i64, field: String },
}

/// Replays events (id, when, data), oldest first.
pub fn replay<'a>(
    events: impl IntoIterator<Item = (i64, DateTime<Utc>, &'a EventData)>,
) -> Result<Replayed, Unreplayable> {
    let mut events = events.into_iter();
    let Some((_, at, EventData::Declared(d))) = events.next() else {
        return Err(Unreplayable::NoDeclaration);
    };
    let mut s = Replayed {
        title: d.title.clone(),
        status: Status::Investigating,
        severity: d.severity.clone(),
        category: d.category,
        services: d.services.clone(),
        channels: d.channels.clone(),
        summary: d.summary.clone(),
        detected_by: d.detected_by,
        started_at: d.started_at,
        declared_at: at,
        resolved_at: None,
        resolutions: Vec::new(),
        closed_at: None,
        resolution: None,
        roles: BTreeSet::new(),
        drill: d.drill,
        tags: d.tags.clone(),
    };
    for (id, at, data) in events {
        match data {
            EventData::Unreadable { kind, .. } => {
                use super::EventKind as K;
                let shapes_state = matches!(
                    kind,
                    K::Declared
                        | K::StatusChanged
                        | K::Resolved
                        | K::Reopened
                        | K::Closed
                        | K::Canceled
                        | K::MarkedDuplicate
                        | K::SeverityChanged
                        | K::RoleAssigned
                        | K::RoleHandover
                        | K::RoleRemoved
                        | K::Edited
                );
                if shapes_state {
                    return Err(Unreplayable::Unreadable(id));
                }
            }
            EventData::Declared(_) => return Err(Unreplayable::NoDeclaration),
            EventData::StatusChanged(m) => s.status = m.to,
            EventData::Resolved(r) => {
                s.status = r.to;
                s.resolved_at.get_or_insert(at);
                s.resolutions.push(at);
                if let Some(summary) = &r.summary {
                    s.resolution = Some(summary.clone());
                }
            }
            EventData::Reopened(m) => {
                s.status = m.to;
                s.closed_at = None;
            }
            EventData::Closed(c) => {
                s.status = c.to;
                s.closed_at = Some(at);
            }
            EventData::Canceled(_) => s.status = Status::Canceled,
            EventData::MarkedDuplicate(_) => s.status = Status::Duplicate,
            EventData::SeverityChanged(m) => s.severity = m.to.clone(),
            EventData::RoleAssigned(r) => {
                s.roles.insert((r.role.clone(), r.person.clone()));
            }
            EventData::RoleHandover(h) => {
                s.roles.remove(&(h.role.clone(), h.previous.clone()));
                s.roles.insert((h.role.clone(), h.person.clone()));
            }
            EventData::RoleRemoved(r) => {
                s.roles.remove(&(r.role.clone(), r.person.clone()));
            }
            EventData::Edited(e) => edit(&mut s, id, &e.field, &e.to)?,
            _ => {}
        }
    }
    Ok(s)
}

fn edit(s: &mut Replayed, id: i64, field: &str, to: &EditValue) -> Result<(), Unreplayable> {
    let bad = || Unreplayable::BadEdit {
        id,
        field: field.to_string(),
    };
    match (field, to) {
        ("title", EditValue::Text(Some(t))) => s.title = t.clone(),
        ("category", EditValue::Text(Some(c))) => s.category = c.parse().map_err(|_| bad())?,
        ("services", EditValue::List(l)) => s.services = l.clone(),
        ("channels", EditValue::List(l)) => s.channels = l.clone(),
        // Kept beside the incident from the events themselves (plans::drill_and_tags).
        ("tags", EditValue::List(l)) => s.tags = super::plans::tags_from_list(l).ok_or_else(bad)?,
        ("summary", EditValue::Text(t)) => s.summary = t.clone(),
        ("detected_by", EditValue::Text(t)) => {
            s.detected_by = t.as_deref().map(str::parse).transpose().map_err(|_| bad())?
        }
        ("started_at", EditValue::Text(t)) => {
            s.started_at = t
                .as_deref()
                .map(|t| DateTime::parse_from_rfc3339(t).map(|t| t.with_timezone(&Utc)))
                .transpose()
                .map_err(|_| bad())?
        }
        _ => return Err(bad()),
    }
    Ok(())
}

/// What an `assessed` event records of a stored assessment.
pub fn assessed_facts(a: &super::triage::Assessment) -> super::event::Assessed {
    super::event::Assessed {
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
    }
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
            Some(EventData::Assessed(recorded)) if **recorded == assessed_facts(a) => {}
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
    let roles: BTreeSet<(String, String)> = incident
        .roles
        .iter()
        .map(|h| (h.role.clone(), h.person.clone()))
        .collect();
    let checks = [
        ("title", incident.title == r.title),
        ("status", incident.status == r.status),
        ("severity", incident.severity == r.severity),
        ("category", incident.category == r.category),
        ("services", incident.services == r.services),
        ("channels", incident.channels == r.channels),
        ("summary", incident.summary == r.summary),
        ("detected_by", incident.detected_by == r.detected_by),
        ("started_at", incident.started_at == r.started_at),
        ("declared_at", incident.declared_at == r.declared_at),
        (
            "resolved_at",
            match incident.resolved_at {
                Some(t) => r.resolutions.contains(&t),
                None => r.resolutions.is_empty() || incident.status.is_open(),
            },
        ),
        ("closed_at", incident.closed_at == r.closed_at),
        ("resolution", incident.resolution == r.resolution),
        ("roles", roles == r.roles),
        ("drill", incident.drill == r.drill),
        ("tags", incident.tags == r.tags),
    ];
    checks.iter().filter(|(_, same)| !same).map(|(f, _)| *f).collect()
}

/// Stored action items of the incident that disagree with the events that
/// added, finished and linked them: one line each. Items are matched to
/// their `action_added` event by what it records (an import may have given
/// an item a new number; the events keep the number it was added with).
pub fn action_disagreements(items: &[super::retro::ActionItem], events: &[super::Event]) -> Vec<String> {
    use super::retro::ActionStatus;
    use std::collections::BTreeMap;
    // By the number the events use: (added event, replayed item).
    let mut replayed: BTreeMap<i64, (i64, super::retro::ActionItem)> = BTreeMap::new();
    for e in events {
        match &e.data {
            EventData::ActionAdded(a) => {
                let item = super::retro::ActionItem {
                    id: a.action_id,
                    incident_id: e.incident_id,
                    text: a.text.clone(),
                    owner: a.owner.clone(),
                    due: a.due,
                    kind: a.kind,
                    status: ActionStatus::Open,
                    created_at: e.at,
                    done_at: None,
                    note: None,
                    link: None,
                };
                replayed.insert(a.action_id, (e.id, item));
            }
            EventData::ActionDone(d) => {
                if let Some((_, item)) = replayed.get_mut(&d.action_id) {
                    item.status = ActionStatus::Done;
                    item.done_at = Some(e.at);
                    if d.note.is_some() {
                        item.note = d.note.clone();
                    }
                }
            }
            EventData::ActionLinked(l) => {
                if let Some((_, item)) = replayed.get_mut(&l.action_id) {
                    item.link = Some(l.link.clone());
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
/// events: the names of the fields.
pub fn retro_disagreements(
    stored: Option<&super::retro::Retro>,
    events: &[super::Event],
) -> Vec<&'static str> {
    use super::event::RetroValue;
    use super::retro::field;
    let mut r = super::retro::Retro::default();
    for e in events {
        if let EventData::RetroUpdated(u) = &e.data {
            for (name, value) in &u.values {
                match (name.as_str(), value) {
                    (field::IMPACT, RetroValue::Text(t)) => r.impact = t.clone(),
                    (field::ROOT_CAUSE, RetroValue::Text(t)) => r.root_cause = t.clone(),
                    (field::TRIGGER, RetroValue::Text(t)) => r.trigger = t.clone(),
                    (field::LEAD_UP, RetroValue::Text(t)) => r.lead_up = t.clone(),
                    (field::WHYS, RetroValue::List(l)) => r.whys = l.clone(),
                    (field::CONTRIBUTING, RetroValue::List(l)) => r.contributing = l.clone(),
                    (field::WENT_WELL, RetroValue::List(l)) => r.went_well = l.clone(),
                    (field::WENT_BADLY, RetroValue::List(l)) => r.went_badly = l.clone(),
                    (field::LUCKY, RetroValue::List(l)) => r.lucky = l.clone(),
                    _ => {}
                }
            }
        }
    }
    let empty = super::retro::Retro::default();
    let s = stored.unwrap_or(&empty);
    let checks = [
        (field::IMPACT, s.impact == r.impact),
        (field::ROOT_CAUSE, s.root_cause == r.root_cause),
        (field::TRIGGER, s.trigger == r.trigger),
        (field::LEAD_UP, s.lead_up == r.lead_up),
        (field::WHYS, s.whys == r.whys),
        (field::CONTRIBUTING, s.contributing == r.contributing),
        (field::WENT_WELL, s.went_well == r.went_well),
        (field::WENT_BADLY, s.went_badly == r.went_badly),
        (field::LUCKY, s.lucky == r.lucky),
    ];
    checks.iter().filter(|(_, same)| !same).map(|(f, _)| *f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ops::{self, EditRequest};
    use crate::domain::roles::RoleDef;
    use crate::domain::{NewEvent, RoleHolder};

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
        assert_eq!(r.title, "Checkout slow");
        assert_eq!(r.severity, "SEV2");
        assert_eq!(r.resolved_at, Some(t("09:00")));
        assert_eq!(r.resolution.as_deref(), Some("Rolled back"));
        assert_eq!(
            r.roles,
            BTreeSet::from([("commander".to_string(), "carol".to_string())])
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
}
