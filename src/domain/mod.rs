//! The domain: what an incident is, independent of storage and of the CLI.

pub mod apply;
pub mod chain;
pub mod event;
pub mod key;
pub mod lifecycle;
pub mod metrics;
pub mod ops;
pub mod precision;
pub mod refs;
pub mod replay;
pub mod roles;
pub mod similar;
pub mod stats;
pub mod targets;
pub mod trends;
pub mod words;
pub mod zone;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use event::EventData;

/// A closed set of names with one canonical spelling each: what the
/// command line offers as choices, serde and the stores spell, and
/// messages say.
pub trait Named: Copy + std::str::FromStr<Err = String> + Send + Sync + 'static {
    /// Every value, in their order.
    const ALL: &'static [Self];
    /// The canonical spelling.
    fn as_str(self) -> &'static str;
}

/// Declares a string-backed enum with one canonical spelling per variant,
/// used by the command line, serde, the stores and messages alike.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $crate::domain::Named for $name {
            const ALL: &'static [$name] = &[$($name::$variant),+];

            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                <Self as $crate::domain::Named>::as_str(self)
            }

            /// The spellings, for error messages: `a, b, c`.
            pub fn names() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                // Compared in place: every stored row is parsed with this.
                let given = s.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(given))
                    .ok_or_else(|| format!("unknown {} '{s}'; use one of: {}", stringify!($name).to_ascii_lowercase(), Self::names()))
            }
        }
    };
}

// Declared after the macro, which they use.
pub mod alerts;
pub mod triage;

named_enum! {
    /// Where an incident is in its life.
    Status {
        Investigating = "investigating",
        Identified = "identified",
        Mitigated = "mitigated",
        Resolved = "resolved",
        Closed = "closed",
        Canceled = "canceled",
        Duplicate = "duplicate",
    }
}

impl Status {
    /// Open means someone is still working on the impact.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Investigating | Status::Identified | Status::Mitigated
        )
    }

    /// Ended for good: closed after its retrospective, canceled or marked
    /// a duplicate. Its status, severity and roles change only after
    /// `incident reopen`; notes and evidence are still taken.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Closed | Status::Canceled | Status::Duplicate)
    }

    /// Counted as an incident by `stats`, `check` and `guard`: everything
    /// but one that was never real (canceled) or is recorded elsewhere
    /// (a duplicate).
    pub fn is_counted(self) -> bool {
        !matches!(self, Status::Canceled | Status::Duplicate)
    }

    /// The statuses counted by `stats`, `check` and `guard`.
    pub fn counted() -> Vec<Status> {
        Status::ALL.iter().copied().filter(|s| s.is_counted()).collect()
    }
}

named_enum! {
    /// What kind of incident.
    Category {
        Availability = "availability",
        Performance = "performance",
        Regression = "regression",
        Security = "security",
        Data = "data",
        Other = "other",
    }
}

named_enum! {
    /// Who or what noticed first.
    DetectedBy {
        Monitoring = "monitoring",
        Customer = "customer",
        Social = "social",
        Internal = "internal",
        Other = "other",
    }
}

named_enum! {
    /// What a scribe can append with `update --kind`.
    EntryKind {
        Note = "note",
        Decision = "decision",
        Action = "action",
        Evidence = "evidence",
        Comms = "comms",
    }
}

named_enum! {
    /// Every kind of timeline event. These names are stable: they appear in
    /// JSON, in the database and in hook configuration (`on = [...]`).
    EventKind {
        Declared = "declared",
        Note = "note",
        Decision = "decision",
        Action = "action",
        Evidence = "evidence",
        Comms = "comms",
        StatusUpdate = "status_update",
        StatusChanged = "status_changed",
        Reopened = "reopened",
        SeverityChanged = "severity_changed",
        RoleAssigned = "role_assigned",
        RoleHandover = "role_handover",
        RoleRemoved = "role_removed",
        Escalated = "escalated",
        Resolved = "resolved",
        Assessed = "assessed",
        RetroUpdated = "retro_updated",
        Closed = "closed",
        ActionAdded = "action_added",
        ActionDone = "action_done",
        ActionLinked = "action_linked",
        Edited = "edited",
        Canceled = "canceled",
        MarkedDuplicate = "marked_duplicate",
        DuplicateLinked = "duplicate_linked",
        DuplicateUnlinked = "duplicate_unlinked",
        PlaybookAttached = "playbook_attached",
        TaskDone = "task_done",
        TaskSkipped = "task_skipped",
        RecentChanges = "recent_changes",
        AlertAttached = "alert_attached",
        AlertResolved = "alert_resolved",
        Paged = "paged",
        Acknowledged = "acknowledged",
        PageUnanswered = "page_unanswered",
        ShiftChanged = "shift_changed",
    }
}

impl EventKind {
    /// The kinds that set an incident's status (besides `declared`): a
    /// status change may not be dated before the latest of them.
    pub const SETS_STATUS: &'static [EventKind] = &[
        EventKind::StatusChanged,
        EventKind::Resolved,
        EventKind::Reopened,
        EventKind::Closed,
        EventKind::Canceled,
        EventKind::MarkedDuplicate,
    ];

    /// The kinds that set an incident's severity (besides `declared`).
    pub const SETS_SEVERITY: &'static [EventKind] = &[EventKind::SeverityChanged];
}

impl From<EntryKind> for EventKind {
    fn from(kind: EntryKind) -> Self {
        match kind {
            EntryKind::Note => EventKind::Note,
            EntryKind::Decision => EventKind::Decision,
            EntryKind::Action => EventKind::Action,
            EntryKind::Evidence => EventKind::Evidence,
            EntryKind::Comms => EventKind::Comms,
        }
    }
}

// Declared after `named_enum!` so they can use the macro.
pub mod notify;
pub mod oncall;
pub mod paging;
pub mod plans;
pub mod retro;
pub mod search;
pub mod statuspage;

/// An incident's current state, as stored. Its history is in its events.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub id: i64,
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
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub next_update_at: Option<DateTime<Utc>>,
    /// Current role holders, in order of assignment.
    pub roles: Vec<RoleHolder>,
    /// A rehearsal: shown everywhere, counted nowhere.
    pub drill: bool,
    /// Classification, `key → value`.
    pub tags: std::collections::BTreeMap<String, String>,
    /// When the acknowledge and triage targets were first met.
    pub milestones: targets::Milestones,
}

/// An incident's headline: what is read of every incident when many are
/// compared (similar incidents, trends), without its roles and tags, which
/// cost a read of their own per incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Brief {
    pub id: i64,
    pub title: String,
    pub summary: Option<String>,
    pub status: Status,
    pub severity: String,
    pub services: Vec<String>,
    pub drill: bool,
    pub declared_at: DateTime<Utc>,
}

impl Brief {
    pub fn of(i: &Incident) -> Brief {
        Brief {
            id: i.id,
            title: i.title.clone(),
            summary: i.summary.clone(),
            status: i.status,
            severity: i.severity.clone(),
            services: i.services.clone(),
            drill: i.drill,
            declared_at: i.declared_at,
        }
    }
}

#[cfg(test)]
impl Incident {
    /// A plain open incident for unit tests: INC-1, SEV1 availability,
    /// declared 2026-11-23 08:00 UTC, nobody in any role. Tests change what
    /// they need with `Incident { field, ..Incident::example() }`.
    pub fn example() -> Incident {
        Incident {
            id: 1,
            title: "Checkout returns 500s".into(),
            status: Status::Investigating,
            severity: "SEV1".into(),
            category: Category::Availability,
            services: vec![],
            channels: vec![],
            summary: None,
            detected_by: None,
            started_at: None,
            declared_at: "2026-11-23T08:00:00Z".parse().unwrap(),
            resolved_at: None,
            closed_at: None,
            resolution: None,
            next_update_at: None,
            roles: vec![],
            drill: false,
            tags: Default::default(),
            milestones: Default::default(),
        }
    }
}

impl Incident {
    /// An incident with nothing filled in, for building one from the few
    /// facts a computation reads.
    pub fn bare() -> Incident {
        Incident {
            id: 0,
            title: String::new(),
            status: Status::Investigating,
            severity: String::new(),
            category: Category::Other,
            services: Vec::new(),
            channels: Vec::new(),
            summary: None,
            detected_by: None,
            started_at: None,
            declared_at: DateTime::<Utc>::MIN_UTC,
            resolved_at: None,
            closed_at: None,
            resolution: None,
            next_update_at: None,
            roles: Vec::new(),
            drill: false,
            tags: Default::default(),
            milestones: Default::default(),
        }
    }

    pub fn holder(&self, role: &str) -> Option<&str> {
        self.roles
            .iter()
            .find(|h| h.role == role)
            .map(|h| h.person.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleHolder {
    pub role: String,
    pub person: String,
}

/// One entry of the timeline: the audit log of everything that happened.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: i64,
    pub incident_id: i64,
    /// When it happened (a scribe may backdate with `--at`).
    pub at: DateTime<Utc>,
    /// When it was written down.
    pub recorded_at: DateTime<Utc>,
    pub author: String,
    pub text: String,
    /// What kind of event, with its structured facts.
    pub data: EventData,
}

impl Event {
    pub fn kind(&self) -> EventKind {
        self.data.kind()
    }

    /// A timeline entry (a note, evidence, an update, …) written down after
    /// the incident closed, whatever time it is dated: shown marked so, so
    /// a reader of the record knows it came late.
    pub fn added_after_closing(&self, incident: &Incident) -> bool {
        let entry = matches!(
            self.data,
            EventData::Note
                | EventData::Decision
                | EventData::Action(_)
                | EventData::Evidence
                | EventData::Comms(_)
                | EventData::StatusUpdate(_)
        );
        entry
            && incident.status == Status::Closed
            && incident.closed_at.is_some_and(|closed| self.recorded_at > closed)
    }
}

/// An event about to be appended.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub at: DateTime<Utc>,
    pub text: String,
    pub data: EventData,
}

impl NewEvent {
    pub fn new(at: DateTime<Utc>, data: EventData, text: impl Into<String>) -> Self {
        NewEvent {
            at,
            text: text.into(),
            data,
        }
    }

    pub fn kind(&self) -> EventKind {
        self.data.kind()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_parse_case_insensitively_and_list_choices_on_error() {
        assert_eq!("Identified".parse::<Status>(), Ok(Status::Identified));
        let err = "fixed".parse::<Status>().unwrap_err();
        assert_eq!(
            err,
            "unknown status 'fixed'; use one of: investigating, identified, mitigated, resolved, closed, canceled, duplicate"
        );
        assert_eq!("data".parse::<Category>(), Ok(Category::Data));
    }

    #[test]
    fn only_active_statuses_are_open() {
        let open: Vec<_> = Status::ALL.iter().filter(|s| s.is_open()).collect();
        assert_eq!(
            open,
            [&Status::Investigating, &Status::Identified, &Status::Mitigated]
        );
    }

    #[test]
    fn canceled_and_duplicate_incidents_are_final_and_not_counted() {
        let counted = Status::counted();
        assert!(!counted.contains(&Status::Canceled) && !counted.contains(&Status::Duplicate));
        assert_eq!(counted.len(), Status::ALL.len() - 2);
        for status in [Status::Closed, Status::Canceled, Status::Duplicate] {
            assert!(status.is_final() && !status.is_open(), "{status}");
        }
        assert!(!Status::Resolved.is_final());
    }

    #[test]
    fn entry_kinds_map_to_event_kinds_of_the_same_name() {
        for kind in EntryKind::ALL {
            assert_eq!(EventKind::from(*kind).as_str(), kind.as_str());
        }
    }
}
