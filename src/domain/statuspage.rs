//! The status page's rules, pure: what is public, what status each
//! component has, what a customer reads of an incident, and where a
//! maintenance stands. `src/statuspage/` reads the record into these and
//! renders what they decide; nothing there decides what is public.
//!
//! What is public, stated once: components are the services the
//! configuration names public; an incident is public when it is not a
//! drill, not canceled or a duplicate, and is on a public component; of
//! it, customers read its public title (a neutral one unless set with
//! `edit --public-title`), its public status, its severity's impact, its
//! public components, and its external updates (`update --external`)
//! with when they were posted. Nothing else: no internal title, notes,
//! people, alerts, resolution summary, tags or non-public services.

use super::event::Edit;
use super::{Event, EventData, EventKind, Incident, Status};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

named_enum! {
    /// A component's status, as Statuspage names it.
    ComponentStatus {
        Operational = "operational",
        DegradedPerformance = "degraded_performance",
        PartialOutage = "partial_outage",
        MajorOutage = "major_outage",
        UnderMaintenance = "under_maintenance",
    }
}

impl ComponentStatus {
    /// How bad, for the worst of several: maintenance is planned, so any
    /// outage outranks it.
    fn rank(self) -> u8 {
        match self {
            ComponentStatus::Operational => 0,
            ComponentStatus::UnderMaintenance => 1,
            ComponentStatus::DegradedPerformance => 2,
            ComponentStatus::PartialOutage => 3,
            ComponentStatus::MajorOutage => 4,
        }
    }

    pub fn worst(self, other: ComponentStatus) -> ComponentStatus {
        if other.rank() > self.rank() { other } else { self }
    }

    /// In words, for people.
    pub fn label(self) -> &'static str {
        match self {
            ComponentStatus::Operational => "Operational",
            ComponentStatus::DegradedPerformance => "Degraded performance",
            ComponentStatus::PartialOutage => "Partial outage",
            ComponentStatus::MajorOutage => "Major outage",
            ComponentStatus::UnderMaintenance => "Under maintenance",
        }
    }

    /// An incident's impact on this scale (Statuspage's `impact`).
    pub fn impact(self) -> Impact {
        match self {
            ComponentStatus::Operational | ComponentStatus::UnderMaintenance => Impact::None,
            ComponentStatus::DegradedPerformance => Impact::Minor,
            ComponentStatus::PartialOutage => Impact::Major,
            ComponentStatus::MajorOutage => Impact::Critical,
        }
    }
}

named_enum! {
    /// The page's overall indicator, and an incident's impact (Statuspage's
    /// `none`, `minor`, `major`, `critical`).
    Impact {
        None = "none",
        Minor = "minor",
        Major = "major",
        Critical = "critical",
    }
}

impl Impact {
    /// The page's status in words, as Statuspage says it.
    pub fn description(self) -> &'static str {
        match self {
            Impact::None => "All Systems Operational",
            Impact::Minor => "Minor Service Outage",
            Impact::Major => "Partial System Outage",
            Impact::Critical => "Major System Outage",
        }
    }
}

named_enum! {
    /// An incident's status as customers read it.
    PublicStatus {
        Investigating = "investigating",
        Identified = "identified",
        Monitoring = "monitoring",
        Resolved = "resolved",
    }
}

impl PublicStatus {
    pub fn of(status: Status) -> PublicStatus {
        match status {
            Status::Investigating => PublicStatus::Investigating,
            Status::Identified => PublicStatus::Identified,
            Status::Mitigated => PublicStatus::Monitoring,
            _ => PublicStatus::Resolved,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PublicStatus::Investigating => "Investigating",
            PublicStatus::Identified => "Identified",
            PublicStatus::Monitoring => "Monitoring",
            PublicStatus::Resolved => "Resolved",
        }
    }
}

named_enum! {
    /// Where a scheduled maintenance stands.
    Phase {
        Scheduled = "scheduled",
        InProgress = "in_progress",
        Completed = "completed",
    }
}

impl Phase {
    /// Scheduled before its start, in progress until its end, completed after.
    pub fn at(from: DateTime<Utc>, until: DateTime<Utc>, now: DateTime<Utc>) -> Phase {
        if now < from {
            Phase::Scheduled
        } else if now < until {
            Phase::InProgress
        } else {
            Phase::Completed
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Phase::Scheduled => "Scheduled",
            Phase::InProgress => "In progress",
            Phase::Completed => "Completed",
        }
    }
}

/// A component's status set by hand (`status-page set`), or handed back
/// to the record (`status: None`). The latest of a component's wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentMark {
    pub id: i64,
    /// The service, as the configuration names it.
    pub component: String,
    pub status: Option<ComponentStatus>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// Planned work on services, from one moment to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Maintenance {
    pub id: i64,
    pub title: String,
    pub services: Vec<String>,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// A public component: a service and the name customers know it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub service: String,
    pub name: String,
}

/// How open incidents' severities show on their components: the
/// configured levels, most severe first, each with a component status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impacts(pub Vec<(String, ComponentStatus)>);

impl Impacts {
    /// The default for `levels` (most severe first): the first a major
    /// outage, the second a partial outage, the rest degraded performance.
    pub fn default_for(levels: &[String]) -> Impacts {
        Impacts(
            levels
                .iter()
                .enumerate()
                .map(|(n, l)| {
                    let status = match n {
                        0 => ComponentStatus::MajorOutage,
                        1 => ComponentStatus::PartialOutage,
                        _ => ComponentStatus::DegradedPerformance,
                    };
                    (l.clone(), status)
                })
                .collect(),
        )
    }

    /// A level's status; a level not configured is degraded performance.
    pub fn of(&self, severity: &str) -> ComponentStatus {
        self.0
            .iter()
            .find(|(l, _)| l == severity)
            .map_or(ComponentStatus::DegradedPerformance, |(_, s)| *s)
    }
}

/// The kinds of event the status page reads of an incident.
pub const READS: &[EventKind] = &[
    EventKind::Declared,
    EventKind::StatusUpdate,
    EventKind::StatusChanged,
    EventKind::Resolved,
    EventKind::Reopened,
    EventKind::Closed,
    EventKind::Edited,
];

/// The kinds of event that can change what the page shows.
pub const CHANGES: &[EventKind] = &[
    EventKind::Declared,
    EventKind::StatusUpdate,
    EventKind::StatusChanged,
    EventKind::SeverityChanged,
    EventKind::Resolved,
    EventKind::Reopened,
    EventKind::Closed,
    EventKind::Canceled,
    EventKind::MarkedDuplicate,
    EventKind::Edited,
];

/// The public title set with `edit --public-title`, as of the events
/// (the latest), if any.
pub fn public_title<'a>(events: impl IntoIterator<Item = &'a Event>) -> Option<String> {
    events
        .into_iter()
        .filter_map(|e| match &e.data {
            EventData::Edited(Edit::PublicTitle { to, .. }) => Some(to.clone()),
            _ => None,
        })
        .last()
        .flatten()
}

/// The neutral title an incident is published under until one is set:
/// its public components, never its internal title.
pub fn neutral_title(components: &[&Component]) -> String {
    let names: Vec<&str> = components.iter().map(|c| c.name.as_str()).collect();
    match names.as_slice() {
        [] => "Service disruption".into(),
        [one] => format!("Service disruption: {one}"),
        [rest @ .., last] => format!("Service disruption: {} and {last}", rest.join(", ")),
    }
}

/// One update customers read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUpdate {
    /// The event's number (an id that stays).
    pub id: i64,
    pub at: DateTime<Utc>,
    pub status: PublicStatus,
    pub body: String,
}

/// An incident as customers read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicIncident {
    pub id: i64,
    pub title: String,
    pub status: PublicStatus,
    pub impact: Impact,
    /// How it shows on its components while open.
    pub component_status: ComponentStatus,
    /// The services of its public components, in the page's order.
    pub components: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub monitoring_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Newest first.
    pub updates: Vec<PublicUpdate>,
}

/// What the page says when the incident is resolved and no one said so.
pub const RESOLVED_BODY: &str = "This incident has been resolved.";

/// What the page says when an incident is declared, before anyone writes
/// to customers.
pub fn first_body(components: &[&Component]) -> String {
    let names: Vec<&str> = components.iter().map(|c| c.name.as_str()).collect();
    format!("We are investigating a problem affecting {}.", names.join(", "))
}

/// The incident as customers read it, from its row and its events of
/// [`READS`] (in any order); `None` when it is not public.
pub fn public_incident(
    incident: &Incident,
    events: &[Event],
    components: &[Component],
    impacts: &Impacts,
) -> Option<PublicIncident> {
    if incident.drill || !incident.status.is_counted() {
        return None;
    }
    let on: Vec<&Component> = components
        .iter()
        .filter(|c| incident.services.contains(&c.service))
        .collect();
    if on.is_empty() {
        return None;
    }
    let mut events: Vec<&Event> = events.iter().filter(|e| e.incident_id == incident.id).collect();
    events.sort_by_key(|e| (e.at, e.id));
    // The public status as it moved: each update carries the one it was
    // posted under.
    let mut status = PublicStatus::Investigating;
    let mut updates = Vec::new();
    let mut monitoring_at = None;
    let mut resolved_at = None;
    let mut said_resolved = false;
    let mut declared_id = 0;
    for e in &events {
        match &e.data {
            EventData::Declared(_) => declared_id = e.id,
            EventData::StatusChanged(m) | EventData::Reopened(m) => {
                status = PublicStatus::of(m.to);
                if status == PublicStatus::Monitoring && monitoring_at.is_none() {
                    monitoring_at = Some(e.at);
                }
                if status != PublicStatus::Resolved {
                    resolved_at = None;
                    said_resolved = false;
                }
            }
            EventData::Resolved(_) => {
                status = PublicStatus::Resolved;
                resolved_at = Some(e.at);
                // Said by the record itself, unless an update says it.
                said_resolved = false;
                updates.push(PublicUpdate {
                    id: e.id,
                    at: e.at,
                    status,
                    body: RESOLVED_BODY.into(),
                });
            }
            EventData::StatusUpdate(_) => {
                if status == PublicStatus::Resolved && !said_resolved {
                    // A customer update at resolution replaces the stock line.
                    if updates
                        .last()
                        .is_some_and(|u: &PublicUpdate| u.body == RESOLVED_BODY)
                    {
                        updates.pop();
                    }
                    said_resolved = true;
                }
                updates.push(PublicUpdate {
                    id: e.id,
                    at: e.at,
                    status,
                    body: e.text.clone(),
                });
            }
            _ => {}
        }
    }
    let first = PublicUpdate {
        id: declared_id,
        at: incident.declared_at,
        status: PublicStatus::Investigating,
        body: first_body(&on),
    };
    // Unless customers were told something at the declaration itself.
    if !updates.iter().any(|u| u.at <= incident.declared_at) {
        updates.insert(0, first);
    }
    let status = PublicStatus::of(incident.status);
    if status != PublicStatus::Resolved {
        resolved_at = None;
    } else if resolved_at.is_none() {
        resolved_at = incident.resolved_at;
    }
    let updated_at = updates.iter().map(|u| u.at).max().unwrap_or(incident.declared_at);
    updates.reverse();
    let component_status = impacts.of(&incident.severity);
    Some(PublicIncident {
        id: incident.id,
        title: public_title(events.iter().copied()).unwrap_or_else(|| neutral_title(&on)),
        status,
        impact: component_status.impact(),
        component_status,
        components: on.iter().map(|c| c.service.clone()).collect(),
        created_at: incident.declared_at,
        updated_at,
        monitoring_at,
        resolved_at,
        updates,
    })
}

/// Each public component's status now: set by hand if its latest mark
/// sets one; otherwise under maintenance while a maintenance on it is in
/// progress, or the worst of the open incidents on it, or operational.
pub fn component_statuses(
    components: &[Component],
    open: &[&PublicIncident],
    marks: &[ComponentMark],
    maintenances: &[Maintenance],
    now: DateTime<Utc>,
) -> BTreeMap<String, (ComponentStatus, Option<DateTime<Utc>>)> {
    let mut latest: BTreeMap<&str, &ComponentMark> = BTreeMap::new();
    for m in marks {
        match latest.get(m.component.as_str()) {
            Some(l) if (l.at, l.id) > (m.at, m.id) => {}
            _ => {
                latest.insert(&m.component, m);
            }
        }
    }
    components
        .iter()
        .map(|c| {
            let mark = latest.get(c.service.as_str());
            let status = match mark.and_then(|m| m.status) {
                Some(s) => s,
                None => {
                    let mut s = ComponentStatus::Operational;
                    for m in maintenances {
                        if m.services.contains(&c.service)
                            && Phase::at(m.from, m.until, now) == Phase::InProgress
                        {
                            s = s.worst(ComponentStatus::UnderMaintenance);
                        }
                    }
                    for i in open {
                        if i.status != PublicStatus::Resolved && i.components.contains(&c.service) {
                            s = s.worst(i.component_status);
                        }
                    }
                    s
                }
            };
            (c.service.clone(), (status, mark.map(|m| m.at)))
        })
        .collect()
}

/// The page's indicator: the worst impact of its components.
pub fn indicator<'a>(statuses: impl IntoIterator<Item = &'a ComponentStatus>) -> Impact {
    statuses
        .into_iter()
        .map(|s| s.impact())
        .max_by_key(|i| match i {
            Impact::None => 0,
            Impact::Minor => 1,
            Impact::Major => 2,
            Impact::Critical => 3,
        })
        .unwrap_or(Impact::None)
}

/// How far back the history goes.
pub const HISTORY_DAYS: i64 = 90;

/// Whether a public incident belongs on the page: open, or resolved in
/// the last [`HISTORY_DAYS`].
pub fn on_page(i: &PublicIncident, now: DateTime<Utc>) -> bool {
    match i.resolved_at {
        None => true,
        Some(at) => at >= now - Duration::days(HISTORY_DAYS),
    }
}

/// Whether a maintenance belongs on the page: to come, under way, or
/// ended in the last [`HISTORY_DAYS`].
pub fn maintenance_on_page(m: &Maintenance, now: DateTime<Utc>) -> bool {
    m.until >= now - Duration::days(HISTORY_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{Resolution, StatusMove};

    fn t(s: &str) -> DateTime<Utc> {
        format!("2026-11-23T{s}:00Z").parse().unwrap()
    }

    fn components() -> Vec<Component> {
        vec![
            Component {
                service: "api".into(),
                name: "Public API".into(),
            },
            Component {
                service: "web".into(),
                name: "Website".into(),
            },
        ]
    }

    fn event(id: i64, at: &str, data: EventData, text: &str) -> Event {
        Event {
            id,
            incident_id: 1,
            at: t(at),
            recorded_at: t(at),
            author: "ann".into(),
            text: text.into(),
            data,
        }
    }

    fn impacts() -> Impacts {
        Impacts::default_for(&["SEV1".into(), "SEV2".into(), "SEV3".into()])
    }

    fn on_api() -> Incident {
        Incident {
            services: vec!["api".into(), "internal-db".into()],
            ..Incident::example()
        }
    }

    #[test]
    fn severities_map_to_component_statuses_by_default_and_as_configured() {
        let i = impacts();
        assert_eq!(i.of("SEV1"), ComponentStatus::MajorOutage);
        assert_eq!(i.of("SEV2"), ComponentStatus::PartialOutage);
        assert_eq!(i.of("SEV3"), ComponentStatus::DegradedPerformance);
        assert_eq!(i.of("SEV9"), ComponentStatus::DegradedPerformance);
        assert_eq!(ComponentStatus::MajorOutage.impact(), Impact::Critical);
        assert_eq!(ComponentStatus::PartialOutage.impact(), Impact::Major);
    }

    #[test]
    fn drills_canceled_duplicates_and_private_services_are_not_public() {
        let c = components();
        let drill = Incident {
            drill: true,
            ..on_api()
        };
        assert!(public_incident(&drill, &[], &c, &impacts()).is_none());
        let canceled = Incident {
            status: Status::Canceled,
            ..on_api()
        };
        assert!(public_incident(&canceled, &[], &c, &impacts()).is_none());
        let private = Incident {
            services: vec!["internal-db".into()],
            ..Incident::example()
        };
        assert!(public_incident(&private, &[], &c, &impacts()).is_none());
        let public = public_incident(&on_api(), &[], &c, &impacts()).unwrap();
        assert_eq!(public.components, ["api"], "not internal-db");
    }

    #[test]
    fn only_external_updates_are_read_newest_first_with_the_status_they_were_posted_under() {
        let events = vec![
            event(1, "08:00", EventData::Declared(declared()), "SECRET declared"),
            event(2, "08:05", EventData::Note, "SECRET note"),
            event(
                3,
                "08:10",
                EventData::StatusUpdate(None),
                "We are looking into errors.",
            ),
            event(4, "08:15", EventData::Comms(None), "SECRET internal comms"),
            event(
                5,
                "08:20",
                EventData::StatusChanged(StatusMove {
                    from: Status::Investigating,
                    to: Status::Mitigated,
                    summary: Some("SECRET why".into()),
                }),
                "",
            ),
            event(6, "08:25", EventData::StatusUpdate(None), "A fix is in place."),
        ];
        let i = Incident {
            status: Status::Mitigated,
            ..on_api()
        };
        let p = public_incident(&i, &events, &components(), &impacts()).unwrap();
        let bodies: Vec<&str> = p.updates.iter().map(|u| u.body.as_str()).collect();
        assert_eq!(
            bodies,
            [
                "A fix is in place.",
                "We are looking into errors.",
                "We are investigating a problem affecting Public API."
            ]
        );
        assert_eq!(p.updates[0].status, PublicStatus::Monitoring);
        assert_eq!(p.updates[1].status, PublicStatus::Investigating);
        assert_eq!(p.status, PublicStatus::Monitoring);
        assert_eq!(p.monitoring_at, Some(t("08:20")));
        assert_eq!(
            p.title, "Service disruption: Public API",
            "never the internal title"
        );
        assert_eq!(p.updated_at, t("08:25"));
        assert_eq!(p.impact, Impact::Critical);
    }

    fn declared() -> crate::domain::event::Declared {
        crate::domain::event::Declared {
            title: "SECRET".into(),
            severity: "SEV1".into(),
            category: crate::domain::Category::Other,
            services: vec![],
            channels: vec![],
            summary: None,
            detected_by: None,
            started_at: None,
            drill: false,
            tags: Default::default(),
        }
    }

    #[test]
    fn a_resolution_says_so_unless_an_update_does_and_the_public_title_wins() {
        let resolved = EventData::Resolved(Resolution {
            from: Status::Investigating,
            to: Status::Resolved,
            summary: Some("SECRET root cause".into()),
        });
        let title = EventData::Edited(Edit::PublicTitle {
            from: None,
            to: Some("Checkout errors".into()),
        });
        let i = Incident {
            status: Status::Resolved,
            resolved_at: Some(t("09:00")),
            ..on_api()
        };
        let quiet = vec![
            event(2, "08:30", title.clone(), ""),
            event(3, "09:00", resolved.clone(), ""),
        ];
        let p = public_incident(&i, &quiet, &components(), &impacts()).unwrap();
        assert_eq!(p.updates[0].body, RESOLVED_BODY);
        assert_eq!(p.updates[0].status, PublicStatus::Resolved);
        assert_eq!(p.resolved_at, Some(t("09:00")));
        assert_eq!(p.title, "Checkout errors");
        let said = vec![
            event(3, "09:00", resolved, ""),
            event(4, "09:01", EventData::StatusUpdate(None), "All fixed, sorry."),
        ];
        let p = public_incident(&i, &said, &components(), &impacts()).unwrap();
        let bodies: Vec<&str> = p.updates.iter().map(|u| u.body.as_str()).collect();
        assert_eq!(bodies[..1], ["All fixed, sorry."]);
        assert!(!bodies.contains(&RESOLVED_BODY));
        assert!(!format!("{p:?}").contains("SECRET"));
    }

    #[test]
    fn component_status_follows_the_worst_open_incident_unless_set_by_hand() {
        let c = components();
        let sev1 = public_incident(&on_api(), &[], &c, &impacts()).unwrap();
        let sev3 = public_incident(
            &Incident {
                severity: "SEV3".into(),
                services: vec!["api".into(), "web".into()],
                ..Incident::example()
            },
            &[],
            &c,
            &impacts(),
        )
        .unwrap();
        let s = component_statuses(&c, &[&sev1, &sev3], &[], &[], t("10:00"));
        assert_eq!(s["api"].0, ComponentStatus::MajorOutage);
        assert_eq!(s["web"].0, ComponentStatus::DegradedPerformance);
        assert_eq!(indicator(s.values().map(|(s, _)| s)), Impact::Critical);
        let mark = |id, status, at| ComponentMark {
            id,
            component: "api".into(),
            status,
            by: "ann".into(),
            at: t(at),
        };
        let set = [mark(1, Some(ComponentStatus::PartialOutage), "09:00")];
        assert_eq!(
            component_statuses(&c, &[&sev1], &set, &[], t("10:00"))["api"].0,
            ComponentStatus::PartialOutage
        );
        let back = [set[0].clone(), mark(2, None, "09:30")];
        assert_eq!(
            component_statuses(&c, &[&sev1], &back, &[], t("10:00"))["api"].0,
            ComponentStatus::MajorOutage,
            "handed back to the record"
        );
        let none = component_statuses(&c, &[], &[], &[], t("10:00"));
        assert!(none.values().all(|(s, _)| *s == ComponentStatus::Operational));
        assert_eq!(indicator(none.values().map(|(s, _)| s)), Impact::None);
    }

    #[test]
    fn maintenance_is_scheduled_then_in_progress_then_completed() {
        let m = Maintenance {
            id: 1,
            title: "DB upgrade".into(),
            services: vec!["api".into()],
            from: t("10:00"),
            until: t("11:00"),
            by: "ann".into(),
            at: t("08:00"),
        };
        assert_eq!(Phase::at(m.from, m.until, t("09:59")), Phase::Scheduled);
        assert_eq!(Phase::at(m.from, m.until, t("10:00")), Phase::InProgress);
        assert_eq!(Phase::at(m.from, m.until, t("11:00")), Phase::Completed);
        let c = components();
        let during = component_statuses(&c, &[], &[], std::slice::from_ref(&m), t("10:30"));
        assert_eq!(during["api"].0, ComponentStatus::UnderMaintenance);
        assert_eq!(during["web"].0, ComponentStatus::Operational);
        let sev1 = public_incident(&on_api(), &[], &c, &impacts()).unwrap();
        let both = component_statuses(&c, &[&sev1], &[], std::slice::from_ref(&m), t("10:30"));
        assert_eq!(
            both["api"].0,
            ComponentStatus::MajorOutage,
            "an outage outranks maintenance"
        );
        assert!(maintenance_on_page(&m, t("10:00") + Duration::days(89)));
        assert!(!maintenance_on_page(&m, t("11:01") + Duration::days(90)));
    }

    #[test]
    fn the_neutral_title_names_public_components_only() {
        let c = components();
        assert_eq!(neutral_title(&[&c[0]]), "Service disruption: Public API");
        assert_eq!(
            neutral_title(&[&c[0], &c[1]]),
            "Service disruption: Public API and Website"
        );
    }
}
