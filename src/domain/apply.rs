//! What an event does to the state it belongs to, written once.
//!
//! An operation (`ops`) decides *which* events record a change; the
//! functions here alone decide *what they do*: [`apply`] to the incident,
//! [`apply_to_retro`] to its retrospective, [`ActionItem::added`] and
//! [`ActionItem::apply`] to its action items. Every operation builds its
//! new state by applying the events it records, and replaying a stored
//! timeline (`verify`, `import`) folds the very same functions over it, so
//! the state a command stores and the state its timeline implies cannot
//! drift apart.

use super::event::{ActionAdded, Edit, EventData};
use super::retro::{ActionItem, ActionStatus, Retro, RetroField};
use super::{Incident, RoleHolder, Status};
use chrono::{DateTime, Utc};

/// Applies one event, recorded as happening `at`, to the incident's state.
///
/// Events that carry nothing about the incident's own state (notes,
/// assessments, alerts, …) leave it as it is; so do details this release
/// cannot read ([`EventData::Unreadable`]): no rule reads a fact from them.
pub fn apply(incident: &mut Incident, at: DateTime<Utc>, data: &EventData) {
    // The first commander and the first assessment, by when they happened.
    incident.milestones.absorb(at, data);
    match data {
        EventData::Declared(d) => {
            *incident = Incident {
                id: incident.id,
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
                closed_at: None,
                resolution: None,
                next_update_at: None,
                roles: Vec::new(),
                drill: d.drill,
                tags: d.tags.clone(),
                milestones: Default::default(),
            }
        }
        EventData::StatusChanged(m) => incident.status = m.to,
        EventData::Resolved(r) => {
            incident.status = r.to;
            // Time to resolve counts to the first resolution: a reopened
            // incident resolved again keeps it.
            incident.resolved_at.get_or_insert(at);
            // Nobody owes customers another update on a resolved incident.
            incident.next_update_at = None;
            if let Some(summary) = &r.summary {
                incident.resolution = Some(summary.clone());
            }
        }
        EventData::Reopened(m) => {
            incident.status = m.to;
            incident.closed_at = None;
        }
        EventData::Closed(c) => {
            incident.status = c.to;
            incident.closed_at = Some(at);
        }
        EventData::Canceled(_) => {
            incident.status = Status::Canceled;
            incident.next_update_at = None;
        }
        EventData::MarkedDuplicate(_) => {
            incident.status = Status::Duplicate;
            incident.next_update_at = None;
        }
        EventData::SeverityChanged(m) => incident.severity = m.to.clone(),
        EventData::RoleAssigned(r) => hold(incident, &r.role, &r.person),
        EventData::RoleHandover(h) => {
            release(incident, &h.role, &h.previous);
            hold(incident, &h.role, &h.person);
        }
        EventData::RoleRemoved(r) => release(incident, &r.role, &r.person),
        EventData::Edited(edit) => apply_edit(incident, edit),
        EventData::StatusUpdate(Some(promise)) | EventData::Comms(Some(promise)) => {
            incident.next_update_at = Some(promise.next_update_at);
        }
        _ => {}
    }
}

fn hold(incident: &mut Incident, role: &str, person: &str) {
    let holder = RoleHolder {
        role: role.to_string(),
        person: person.to_string(),
    };
    if !incident.roles.contains(&holder) {
        incident.roles.push(holder);
    }
}

fn release(incident: &mut Incident, role: &str, person: &str) {
    incident.roles.retain(|h| !(h.role == role && h.person == person));
}

fn apply_edit(incident: &mut Incident, edit: &Edit) {
    match edit {
        Edit::Title { to, .. } => incident.title = to.clone(),
        Edit::Category { to, .. } => incident.category = *to,
        Edit::Services { to, .. } => incident.services = to.clone(),
        Edit::Channels { to, .. } => incident.channels = to.clone(),
        Edit::Summary { to, .. } => incident.summary = to.clone(),
        Edit::DetectedBy { to, .. } => incident.detected_by = *to,
        Edit::StartedAt { to, .. } => incident.started_at = *to,
        Edit::Tags { to, .. } => incident.tags = to.clone(),
        Edit::Resolution { to, .. } => incident.resolution = to.clone(),
        // Read from the timeline by the status page (domain::statuspage).
        Edit::PublicTitle { .. } => {}
    }
}

/// Applies one event to the incident's retrospective: the answers a
/// `retro_updated` event records, and the reason a `closed` event gives
/// for having no action items. `Err` names a field whose recorded value
/// has the wrong shape (a list for a text), which only a hand-made event
/// could hold; the other fields are still applied.
pub fn apply_to_retro(retro: &mut Retro, data: &EventData) -> Result<(), RetroField> {
    match data {
        EventData::RetroUpdated(update) => {
            let mut result = Ok(());
            for (field, value) in &update.values {
                if let Err(e) = retro.set(*field, value) {
                    result = Err(e);
                }
            }
            result
        }
        EventData::Closed(c) if c.no_actions.is_some() => {
            retro.no_actions = c.no_actions.clone();
            Ok(())
        }
        _ => Ok(()),
    }
}

impl ActionItem {
    /// The action item an `action_added` event of incident `incident_id`,
    /// recorded as happening `at`, creates.
    pub fn added(incident_id: i64, at: DateTime<Utc>, a: &ActionAdded) -> ActionItem {
        ActionItem {
            id: a.action_id,
            incident_id,
            text: a.text.clone(),
            owner: a.owner.clone(),
            due: a.due,
            kind: a.kind,
            status: ActionStatus::Open,
            created_at: at,
            done_at: None,
            note: None,
            link: None,
        }
    }

    /// Applies one event, recorded as happening `at`, to the item: it is
    /// done, or linked to its ticket. Events about other items (by the
    /// number the events use) leave it as it is.
    pub fn apply(&mut self, at: DateTime<Utc>, data: &EventData) {
        match data {
            EventData::ActionDone(d) if d.action_id == self.id => {
                self.status = ActionStatus::Done;
                self.done_at = Some(at);
                if d.note.is_some() {
                    self.note = d.note.clone();
                }
            }
            EventData::ActionLinked(l) if l.action_id == self.id => self.link = Some(l.link.clone()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{Promise, sample};

    fn t(hm: &str) -> DateTime<Utc> {
        format!("2026-11-23T{hm}:00Z").parse().unwrap()
    }

    fn declared() -> Incident {
        let mut i = Incident::bare();
        apply(&mut i, t("08:00"), &sample::declared("SEV2"));
        i
    }

    #[test]
    fn the_declaration_sets_the_whole_state() {
        let i = declared();
        assert_eq!(i.title, "Checkout returns 500s");
        assert_eq!((i.status, i.severity.as_str()), (Status::Investigating, "SEV2"));
        assert_eq!(i.declared_at, t("08:00"));
    }

    #[test]
    fn the_first_resolution_stays_and_a_resolution_ends_the_promise() {
        let mut i = declared();
        apply(
            &mut i,
            t("08:10"),
            &EventData::StatusUpdate(Some(Promise {
                next_update_at: t("08:40"),
            })),
        );
        assert_eq!(i.next_update_at, Some(t("08:40")));
        apply(&mut i, t("09:00"), &sample::resolved(Status::Investigating));
        assert_eq!((i.resolved_at, i.next_update_at), (Some(t("09:00")), None));
        apply(
            &mut i,
            t("09:30"),
            &sample::status(Status::Resolved, Status::Identified),
        );
        apply(&mut i, t("10:00"), &sample::resolved(Status::Identified));
        assert_eq!(i.resolved_at, Some(t("09:00")));
    }

    #[test]
    fn roles_are_held_handed_over_and_released() {
        let mut i = declared();
        apply(&mut i, t("08:01"), &sample::assigned("commander", "alice"));
        apply(&mut i, t("08:02"), &sample::assigned("commander", "alice"));
        apply(&mut i, t("08:03"), &sample::assigned("scribe", "bob"));
        apply(
            &mut i,
            t("08:04"),
            &sample::handover("commander", "carol", "alice"),
        );
        apply(&mut i, t("08:05"), &sample::removed("scribe", "bob"));
        assert_eq!(
            i.roles,
            [RoleHolder {
                role: "commander".into(),
                person: "carol".into()
            }]
        );
    }

    #[test]
    fn drill_and_tags_come_from_the_declaration_and_tag_edits() {
        let EventData::Declared(mut declared) = sample::declared("SEV2") else {
            unreachable!()
        };
        declared.drill = true;
        declared.tags = [("team".to_string(), "web".to_string())].into();
        let stored = r#"{"field":"tags","from":["team=web"],"to":["team=db","tier=1"]}"#;
        let edit = EventData::parse_stored("edited", Some(stored)).unwrap();
        let mut i = Incident::bare();
        apply(&mut i, t("08:00"), &EventData::Declared(declared));
        apply(&mut i, t("08:10"), &edit);
        assert!(i.drill);
        let want: std::collections::BTreeMap<String, String> =
            [("team".into(), "db".into()), ("tier".into(), "1".into())].into();
        assert_eq!(i.tags, want);
        assert_eq!(edit.to_stored().1.as_deref(), Some(stored));
    }

    #[test]
    fn an_unreadable_event_changes_nothing() {
        let mut i = declared();
        let before = i.clone();
        let kept = EventData::from_stored("severity_changed", Some(r#"{"to":1}"#)).unwrap();
        apply(&mut i, t("08:30"), &kept);
        assert_eq!(i, before);
    }
}
