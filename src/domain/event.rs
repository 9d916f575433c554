//! What each kind of timeline event carries, as typed values.
//!
//! The stored form is an event's kind and its details as a JSON object (or
//! nothing), exactly as earlier releases wrote them: keys in alphabetical
//! order, absent values as `null`. The hash chain covers that text, so
//! [`EventData::to_stored`] must keep producing it byte for byte, and
//! [`EventData::from_stored`] must read what every earlier release wrote.

use super::alerts::AlertSource;
use super::retro::{ActionKind, RetroField};
use super::triage::{Customers, Factor};
use super::{Category, DetectedBy, EventKind, Status};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An event's facts, one variant per [`EventKind`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "details", rename_all = "snake_case")]
pub enum EventData {
    Declared(Declared),
    Note,
    Decision,
    /// A remediation step: typed with `update --kind action` (no details)
    /// or run through `incident exec` (what ran and how it ended).
    Action(Option<Execution>),
    Evidence,
    /// An internal update; may promise the next one.
    Comms(Option<Promise>),
    /// A customer-facing status update; may promise the next one.
    StatusUpdate(Option<Promise>),
    StatusChanged(StatusMove),
    Reopened(StatusMove),
    SeverityChanged(SeverityMove),
    RoleAssigned(RoleChange),
    RoleHandover(Handover),
    RoleRemoved(RoleChange),
    Escalated(Escalation),
    Resolved(Resolution),
    Assessed(Box<Assessed>),
    RetroUpdated(RetroUpdate),
    Closed(Closure),
    ActionAdded(ActionAdded),
    ActionDone(ActionDone),
    ActionLinked(ActionLinked),
    /// One field changed by `incident edit`.
    Edited(Edit),
    /// Ended as never real.
    Canceled(Cancellation),
    /// Marked a duplicate of another incident (on the duplicate).
    MarkedDuplicate(DuplicateOf),
    /// Another incident was marked a duplicate of this one.
    DuplicateLinked(DuplicateLink),
    /// That duplicate was reopened: no longer a duplicate of this one.
    DuplicateUnlinked(DuplicateLink),
    /// A response plan's roles and tasks became the incident's checklist.
    PlaybookAttached(PlaybookAttached),
    /// A task of the checklist was done.
    TaskDone(TaskMark),
    /// A task of the checklist was skipped (the note says why).
    TaskSkipped(TaskMark),
    /// The changes recorded on the incident's services just before it.
    RecentChanges(RecentChanges),
    /// An alert from monitoring opened the incident, joined it, or fired
    /// again on it.
    AlertAttached(AlertAttached),
    /// One of the incident's alerts resolved.
    AlertResolved(AlertResolved),
    /// A person was paged by an escalation policy (by the deliverer).
    Paged(Paged),
    /// Someone took the page: the escalation stops.
    Acknowledged,
    /// Every step of a policy was paged and waited out unanswered.
    PageUnanswered(Unanswered),
    /// The shift changed on a schedule's layer that was paged for the
    /// incident: the outgoing and incoming person are told.
    ShiftChanged(ShiftChange),
    /// Stored details that do not match their kind (a row written by hand,
    /// or by an early build): kept verbatim, so the entry still shows and
    /// exports as it was, and no rule reads a fact from it.
    #[serde(skip)]
    Unreadable {
        kind: EventKind,
        details: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Declared {
    pub title: String,
    pub severity: String,
    pub category: Category,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub channels: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub detected_by: Option<DetectedBy>,
    #[serde(default, with = "stamp_opt")]
    pub started_at: Option<DateTime<Utc>>,
    /// A rehearsal. Left out when false: declarations written before
    /// drills existed keep their exact bytes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drill: bool,
    /// Classification, `key → value`; left out when empty.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

/// One task of a response plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedTask {
    pub title: String,
    /// The role that owns it.
    #[serde(default)]
    pub role: Option<String>,
    /// Its deadline, in seconds after the declaration.
    #[serde(default)]
    pub due_seconds: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybookAttached {
    pub name: String,
    #[serde(default)]
    pub roles: Vec<String>,
    pub tasks: Vec<PlannedTask>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskMark {
    /// Its number in the checklist, from 1.
    pub task: usize,
    pub title: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentChanges {
    pub changes: Vec<super::plans::ChangeRecord>,
}

/// How a command run through `incident exec` ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Execution {
    pub command: Vec<String>,
    pub exit_status: Option<i32>,
    pub signal: Option<i32>,
    pub duration_ms: u64,
    /// Why it could not start, when it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// This event records the start of a run, written before the command
    /// ran; its end is a later event naming it in `start`. A start with no
    /// end means `incident` was killed (SIGKILL) before the command ended.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub started: bool,
    /// On the end of a run: the event that recorded its start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
}

/// The starts of runs (`incident exec`) among `events` that no later event
/// of `events` records the end of: still running, or never finished.
pub fn unfinished_runs(events: &[super::Event]) -> std::collections::HashSet<i64> {
    let mut open = std::collections::HashSet::new();
    for event in events {
        if let EventData::Action(Some(run)) = &event.data {
            match (run.started, run.start) {
                (true, _) => {
                    open.insert(event.id);
                }
                (false, Some(start)) => {
                    open.remove(&start);
                }
                _ => {}
            }
        }
    }
    open
}

/// The next status update an update promised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promise {
    #[serde(with = "stamp")]
    pub next_update_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusMove {
    pub from: Status,
    pub to: Status,
    #[serde(default)]
    pub summary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    pub from: Status,
    /// Always `resolved`; some early databases left it out.
    #[serde(default = "resolved")]
    pub to: Status,
    #[serde(default)]
    pub summary: Option<String>,
}

fn resolved() -> Status {
    Status::Resolved
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityMove {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleChange {
    pub role: String,
    pub person: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    pub role: String,
    pub person: String,
    pub previous: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    pub to: Vec<String>,
    #[serde(default)]
    pub reason: Option<String>,
    pub severity: String,
    /// The recipients came from the configured escalation policy.
    #[serde(default)]
    pub policy: bool,
    /// The `[[policies]]` entry this escalation started, which pages until
    /// someone acknowledges. Left out when none: escalations written
    /// before paging keep their exact bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
}

/// One person paged at one step of a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paged {
    pub policy: String,
    /// From 0: the run of the policy (it repeats `repeat` times).
    pub round: u32,
    /// From 0: the policy's level.
    pub level: usize,
    pub person: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftChange {
    pub schedule: String,
    pub layer: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unanswered {
    pub policy: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessed {
    pub impact: String,
    pub sees: String,
    pub customers: Customers,
    #[serde(with = "stamp")]
    pub impact_started_at: DateTime<Utc>,
    pub tickets: u32,
    #[serde(default)]
    pub factors: Vec<Factor>,
    #[serde(default)]
    pub checked: Vec<String>,
    pub suggested_severity: String,
    pub reason: String,
    pub severity: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetroUpdate {
    /// The fields that changed, in order.
    pub changed: Vec<RetroField>,
    /// Their new values.
    pub values: BTreeMap<RetroField, RetroValue>,
}

/// A retrospective field's value: a list (the whys, …) or a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RetroValue {
    List(Vec<String>),
    Text(Option<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub from: Status,
    pub to: Status,
    /// The incident's action items when it closed (`A-3`, …).
    #[serde(default)]
    pub action_items: Vec<String>,
    /// Why it closed without action items.
    #[serde(default)]
    pub no_actions: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionAdded {
    /// As shown: `A-3`.
    pub action: String,
    pub action_id: i64,
    pub text: String,
    pub owner: String,
    pub due: NaiveDate,
    pub kind: ActionKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionDone {
    pub action: String,
    pub action_id: i64,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionLinked {
    pub action: String,
    pub action_id: i64,
    pub link: String,
    #[serde(default)]
    pub previous: Option<String>,
}

/// One field of the incident changed by an edit, with its value before
/// and after. Stored as `{"field": NAME, "from": …, "to": …}`, the names
/// being the ones every release wrote (`title`, `services`, `started_at`…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum Edit {
    Title {
        from: String,
        to: String,
    },
    Category {
        from: Category,
        to: Category,
    },
    Services {
        from: Vec<String>,
        to: Vec<String>,
    },
    Channels {
        from: Vec<String>,
        to: Vec<String>,
    },
    Summary {
        from: Option<String>,
        to: Option<String>,
    },
    DetectedBy {
        from: Option<DetectedBy>,
        to: Option<DetectedBy>,
    },
    StartedAt {
        #[serde(with = "stamp_opt")]
        from: Option<DateTime<Utc>>,
        #[serde(with = "stamp_opt")]
        to: Option<DateTime<Utc>>,
    },
    /// The title customers read on the status page (`None`: the neutral
    /// one). Kept on the timeline only: no column holds it.
    PublicTitle {
        from: Option<String>,
        to: Option<String>,
    },
    /// The resolution summary, given or corrected after resolving.
    Resolution {
        from: Option<String>,
        to: Option<String>,
    },
    /// Tags travel as `key=value` texts, in key order.
    Tags {
        #[serde(with = "tag_list")]
        from: BTreeMap<String, String>,
        #[serde(with = "tag_list")]
        to: BTreeMap<String, String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancellation {
    pub from: Status,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateOf {
    pub from: Status,
    /// The primary incident's number.
    pub of: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateLink {
    /// The duplicate's number.
    pub duplicate: i64,
}

/// An alert tied to an incident: which one, and what it said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertAttached {
    pub alert_id: i64,
    pub source: AlertSource,
    pub identity: String,
    pub summary: String,
    #[serde(default)]
    pub link: Option<String>,
    /// Why it joined: `opened` (it opened the incident), `rule` (a rule
    /// or its group attached it), `hand` (someone tied it in) or `refired`.
    pub how: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertResolved {
    pub alert_id: i64,
    pub identity: String,
    pub summary: String,
    #[serde(default, with = "stamp_opt")]
    pub ends_at: Option<DateTime<Utc>>,
    /// Every alert of the incident has now resolved.
    pub all_resolved: bool,
}

/// Stored details this release cannot read as their kind says.
#[derive(Debug, thiserror::Error)]
#[error("{kind} event details do not match their kind: {why}")]
pub struct Unreadable {
    pub kind: String,
    pub why: String,
}

impl EventData {
    pub fn kind(&self) -> EventKind {
        match self {
            EventData::Declared(_) => EventKind::Declared,
            EventData::Note => EventKind::Note,
            EventData::Decision => EventKind::Decision,
            EventData::Action(_) => EventKind::Action,
            EventData::Evidence => EventKind::Evidence,
            EventData::Comms(_) => EventKind::Comms,
            EventData::StatusUpdate(_) => EventKind::StatusUpdate,
            EventData::StatusChanged(_) => EventKind::StatusChanged,
            EventData::Reopened(_) => EventKind::Reopened,
            EventData::SeverityChanged(_) => EventKind::SeverityChanged,
            EventData::RoleAssigned(_) => EventKind::RoleAssigned,
            EventData::RoleHandover(_) => EventKind::RoleHandover,
            EventData::RoleRemoved(_) => EventKind::RoleRemoved,
            EventData::Escalated(_) => EventKind::Escalated,
            EventData::Resolved(_) => EventKind::Resolved,
            EventData::Assessed(_) => EventKind::Assessed,
            EventData::RetroUpdated(_) => EventKind::RetroUpdated,
            EventData::Closed(_) => EventKind::Closed,
            EventData::ActionAdded(_) => EventKind::ActionAdded,
            EventData::ActionDone(_) => EventKind::ActionDone,
            EventData::ActionLinked(_) => EventKind::ActionLinked,
            EventData::Edited(_) => EventKind::Edited,
            EventData::Canceled(_) => EventKind::Canceled,
            EventData::MarkedDuplicate(_) => EventKind::MarkedDuplicate,
            EventData::DuplicateLinked(_) => EventKind::DuplicateLinked,
            EventData::DuplicateUnlinked(_) => EventKind::DuplicateUnlinked,
            EventData::PlaybookAttached(_) => EventKind::PlaybookAttached,
            EventData::TaskDone(_) => EventKind::TaskDone,
            EventData::TaskSkipped(_) => EventKind::TaskSkipped,
            EventData::RecentChanges(_) => EventKind::RecentChanges,
            EventData::AlertAttached(_) => EventKind::AlertAttached,
            EventData::AlertResolved(_) => EventKind::AlertResolved,
            EventData::Paged(_) => EventKind::Paged,
            EventData::Acknowledged => EventKind::Acknowledged,
            EventData::PageUnanswered(_) => EventKind::PageUnanswered,
            EventData::ShiftChanged(_) => EventKind::ShiftChanged,
            EventData::Unreadable { kind, .. } => *kind,
        }
    }

    /// The details as JSON (`null` when the kind carries none), with keys
    /// in alphabetical order as they have always been stored.
    pub fn details(&self) -> serde_json::Value {
        if let EventData::Unreadable { details, .. } = self {
            return match details {
                None => serde_json::Value::Null,
                Some(text) => serde_json::from_str(text).unwrap_or_else(|_| text.as_str().into()),
            };
        }
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut tagged)) => tagged.remove("details").unwrap_or_default(),
            // Every variant serialises to a tagged object.
            _ => serde_json::Value::Null,
        }
    }

    /// The kind and the details text, as stored and hashed.
    pub fn to_stored(&self) -> (EventKind, Option<String>) {
        if let EventData::Unreadable { kind, details } = self {
            return (*kind, details.clone());
        }
        let details = self.details();
        (self.kind(), (!details.is_null()).then(|| details.to_string()))
    }

    /// Reads an event's stored kind and details text strictly: details
    /// that do not match their kind are refused.
    pub fn parse_stored(kind: &str, details: Option<&str>) -> Result<EventData, Unreadable> {
        let unreadable = |why: String| Unreadable {
            kind: kind.to_string(),
            why,
        };
        let details = match details {
            None => serde_json::Value::Null,
            Some(text) => serde_json::from_str(text).map_err(|e| unreadable(e.to_string()))?,
        };
        Self::from_parts(kind, details).map_err(unreadable)
    }

    /// Reads an event's stored kind and details text as the timeline shows
    /// them: details that do not match their kind are kept as
    /// [`EventData::Unreadable`]; only an unknown kind is refused.
    pub fn from_stored(kind: &str, details: Option<&str>) -> Result<EventData, Unreadable> {
        Self::parse_stored(kind, details).or_else(|e| match kind.parse::<EventKind>() {
            Ok(kind) => Ok(EventData::Unreadable {
                kind,
                details: details.map(String::from),
            }),
            Err(_) => Err(e),
        })
    }

    /// From a kind and already-parsed details (an export file's).
    pub fn from_parts(kind: &str, details: serde_json::Value) -> Result<EventData, String> {
        let tagged = serde_json::json!({ "kind": kind, "details": details });
        serde_json::from_value(tagged).map_err(|e| e.to_string())
    }

    /// Someone took the incident: a commander was assigned (or handed the
    /// role), or a page was acknowledged. What meets the acknowledge
    /// target.
    pub fn acknowledges(&self) -> bool {
        match self {
            EventData::RoleAssigned(c) => c.role == super::roles::COMMANDER,
            EventData::RoleHandover(h) => h.role == super::roles::COMMANDER,
            EventData::Acknowledged => true,
            _ => false,
        }
    }

    /// A status update that counts for the update target, and the next one
    /// it promised.
    pub fn as_update(&self) -> Option<Option<DateTime<Utc>>> {
        match self {
            EventData::StatusUpdate(p) | EventData::Comms(p) => Some(p.map(|p| p.next_update_at)),
            _ => None,
        }
    }
}

/// Times as stored everywhere: RFC 3339 in UTC at whole seconds.
pub(crate) mod stamp {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::time::to_rfc3339(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| serde::de::Error::custom(format!("'{text}' is not an RFC 3339 time: {e}")))
    }
}

pub(crate) mod stamp_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => super::stamp::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => DateTime::parse_from_rfc3339(&text)
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|e| serde::de::Error::custom(format!("'{text}' is not an RFC 3339 time: {e}"))),
        }
    }
}

/// Tags as an `edited` event lists them: `key=value` texts in key order.
/// A malformed entry makes the event unreadable as an edit.
pub(crate) mod tag_list {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(tags: &BTreeMap<String, String>, s: S) -> Result<S::Ok, S::Error> {
        crate::domain::plans::tag_list(tags).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
        let list = Vec::<String>::deserialize(d)?;
        crate::domain::plans::tags_from_list(&list)
            .ok_or_else(|| serde::de::Error::custom("a tag is not key=value"))
    }
}

/// Events for unit tests, with only what a test cares about filled in.
#[cfg(test)]
pub mod sample {
    use super::*;

    pub fn declared(severity: &str) -> EventData {
        EventData::Declared(Declared {
            title: "Checkout returns 500s".into(),
            severity: severity.into(),
            category: Category::Availability,
            services: vec![],
            channels: vec![],
            summary: None,
            detected_by: None,
            started_at: None,
            drill: false,
            tags: BTreeMap::new(),
        })
    }

    pub fn assigned(role: &str, person: &str) -> EventData {
        EventData::RoleAssigned(RoleChange {
            role: role.into(),
            person: person.into(),
        })
    }

    pub fn handover(role: &str, person: &str, previous: &str) -> EventData {
        EventData::RoleHandover(Handover {
            role: role.into(),
            person: person.into(),
            previous: previous.into(),
        })
    }

    pub fn removed(role: &str, person: &str) -> EventData {
        EventData::RoleRemoved(RoleChange {
            role: role.into(),
            person: person.into(),
        })
    }

    pub fn severity(from: &str, to: &str, reason: Option<&str>) -> EventData {
        EventData::SeverityChanged(SeverityMove {
            from: from.into(),
            to: to.into(),
            reason: reason.map(String::from),
        })
    }

    pub fn status(from: Status, to: Status) -> EventData {
        EventData::StatusChanged(StatusMove {
            from,
            to,
            summary: None,
        })
    }

    pub fn resolved(from: Status) -> EventData {
        EventData::Resolved(Resolution {
            from,
            to: Status::Resolved,
            summary: None,
        })
    }

    /// A customer status update, promising the next at `next`.
    pub fn update(next: Option<&str>) -> EventData {
        EventData::StatusUpdate(next.map(|t| Promise {
            next_update_at: t.parse().expect("an RFC 3339 time"),
        }))
    }

    pub fn alert_attached(how: &str) -> EventData {
        EventData::AlertAttached(AlertAttached {
            alert_id: 1,
            source: AlertSource::Alertmanager,
            identity: "c0ffee".into(),
            summary: "High error rate".into(),
            link: Some("http://prometheus:9090/graph".into()),
            how: how.into(),
        })
    }

    pub fn alert_resolved(all_resolved: bool) -> EventData {
        EventData::AlertResolved(AlertResolved {
            alert_id: 1,
            identity: "c0ffee".into(),
            summary: "High error rate".into(),
            ends_at: Some("2026-11-23T08:30:00Z".parse().expect("a time")),
            all_resolved,
        })
    }

    pub fn assessed() -> EventData {
        EventData::Assessed(Box::new(Assessed {
            impact: "checkout fails".into(),
            sees: "errors".into(),
            customers: Customers::Some,
            impact_started_at: "2026-11-23T07:50:00Z".parse().expect("a time"),
            tickets: 0,
            factors: vec![],
            checked: vec![],
            suggested_severity: "SEV2".into(),
            reason: "SEV2 because some customers are affected".into(),
            severity: "SEV2".into(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_unfinished_until_an_end_names_its_start() {
        let at: DateTime<Utc> = "2026-11-23T08:00:00Z".parse().unwrap();
        let run = |started: bool, start: Option<i64>| Execution {
            command: vec!["true".into()],
            exit_status: (!started).then_some(0),
            signal: None,
            duration_ms: 0,
            error: None,
            started,
            start,
        };
        let event = |id: i64, data: EventData| crate::domain::Event {
            id,
            incident_id: 1,
            at,
            recorded_at: at,
            author: "a".into(),
            text: String::new(),
            data,
        };
        let events = vec![
            event(1, EventData::Action(Some(run(true, None)))),
            event(2, EventData::Action(Some(run(true, None)))),
            event(3, EventData::Action(Some(run(false, Some(1))))),
            event(4, EventData::Action(None)),
        ];
        assert_eq!(unfinished_runs(&events), std::collections::HashSet::from([2]));
        // The start and end fields are left out when unset: older events
        // keep the exact bytes they were hashed with.
        let (_, details) = EventData::Action(Some(run(false, None))).to_stored();
        assert!(!details.unwrap().contains("start"));
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    /// What the previous release wrote, kind and details verbatim: reading
    /// and writing them again gives the same bytes, so chains carry over.
    const STORED: &[(&str, Option<&str>)] = &[
        (
            "declared",
            Some(
                r#"{"category":"availability","channels":["https://chat/inc-1"],"detected_by":"monitoring","services":["checkout"],"severity":"SEV2","started_at":"2026-11-23T07:55:00Z","summary":null,"title":"Checkout 500s"}"#,
            ),
        ),
        ("note", None),
        ("decision", None),
        ("evidence", None),
        ("action", None),
        (
            "action",
            Some(
                r#"{"command":["systemctl","restart","api"],"duration_ms":2300,"exit_status":0,"signal":null}"#,
            ),
        ),
        (
            "action",
            Some(
                r#"{"command":["nope"],"duration_ms":1,"error":"not found","exit_status":null,"signal":null}"#,
            ),
        ),
        ("comms", None),
        (
            "status_update",
            Some(r#"{"next_update_at":"2026-11-23T09:00:00Z"}"#),
        ),
        (
            "status_changed",
            Some(r#"{"from":"investigating","summary":null,"to":"identified"}"#),
        ),
        (
            "reopened",
            Some(r#"{"from":"resolved","summary":null,"to":"investigating"}"#),
        ),
        (
            "resolved",
            Some(r#"{"from":"mitigated","summary":"rolled back","to":"resolved"}"#),
        ),
        (
            "severity_changed",
            Some(r#"{"from":"SEV2","reason":null,"to":"SEV1"}"#),
        ),
        ("role_assigned", Some(r#"{"person":"alice","role":"commander"}"#)),
        (
            "role_handover",
            Some(r#"{"person":"carol","previous":"alice","role":"commander"}"#),
        ),
        ("role_removed", Some(r#"{"person":"bob","role":"scribe"}"#)),
        (
            "escalated",
            Some(r#"{"policy":true,"reason":"db down","severity":"SEV1","to":["dba-oncall"]}"#),
        ),
        (
            "assessed",
            Some(
                r#"{"checked":["C3","A1"],"customers":"some","factors":["security"],"impact":"checkout fails","impact_started_at":"2026-11-23T07:50:00Z","reason":"SEV1 because C3 is checked","sees":"500s","severity":"SEV1","suggested_severity":"SEV1","tickets":4}"#,
            ),
        ),
        (
            "retro_updated",
            Some(
                r#"{"changed":["impact","whys"],"values":{"impact":"an hour of failed orders","whys":["a","b"]}}"#,
            ),
        ),
        (
            "closed",
            Some(r#"{"action_items":["A-1"],"from":"resolved","no_actions":null,"to":"closed"}"#),
        ),
        (
            "action_added",
            Some(
                r#"{"action":"A-1","action_id":1,"due":"2026-12-01","kind":"preventive","owner":"bob","text":"alert on locks"}"#,
            ),
        ),
        (
            "action_done",
            Some(r#"{"action":"A-1","action_id":1,"note":null}"#),
        ),
        (
            "action_linked",
            Some(r#"{"action":"A-1","action_id":1,"link":"https://t/OPS-1","previous":null}"#),
        ),
        (
            "edited",
            Some(r#"{"field":"category","from":"availability","to":"security"}"#),
        ),
        (
            "edited",
            Some(r#"{"field":"services","from":["checkout"],"to":["checkout","auth"]}"#),
        ),
        (
            "edited",
            Some(r#"{"field":"summary","from":null,"to":"customer data exposed"}"#),
        ),
        (
            "canceled",
            Some(r#"{"from":"investigating","reason":"false alarm"}"#),
        ),
        ("marked_duplicate", Some(r#"{"from":"identified","of":3}"#)),
        ("duplicate_linked", Some(r#"{"duplicate":4}"#)),
        ("duplicate_unlinked", Some(r#"{"duplicate":4}"#)),
        (
            "declared",
            Some(
                r#"{"category":"availability","channels":[],"detected_by":null,"drill":true,"services":["edge"],"severity":"SEV2","started_at":null,"summary":null,"tags":{"team":"net"},"title":"DDoS drill"}"#,
            ),
        ),
        (
            "playbook_attached",
            Some(
                r#"{"name":"ddos","roles":["commander"],"tasks":[{"due_seconds":900,"role":"tech-lead","title":"Enable rate limits"},{"due_seconds":null,"role":null,"title":"Post an update"}]}"#,
            ),
        ),
        (
            "task_done",
            Some(r#"{"note":null,"task":1,"title":"Enable rate limits"}"#),
        ),
        (
            "task_skipped",
            Some(r#"{"note":"not needed","task":2,"title":"Post an update"}"#),
        ),
        (
            "recent_changes",
            Some(
                r#"{"changes":[{"at":"2026-11-23T07:30:00Z","author":"ci","id":3,"kind":"deploy","link":"https://ci/4821","services":["checkout"],"title":"deploy 4821"}]}"#,
            ),
        ),
        (
            "alert_attached",
            Some(
                r#"{"alert_id":3,"how":"opened","identity":"c0ffee","link":"http://prometheus:9090/graph","source":"alertmanager","summary":"High error rate"}"#,
            ),
        ),
        (
            "alert_resolved",
            Some(
                r#"{"alert_id":3,"all_resolved":true,"ends_at":"2026-11-23T08:30:00Z","identity":"c0ffee","summary":"High error rate"}"#,
            ),
        ),
        (
            "reopened",
            Some(r#"{"from":"closed","summary":"customers still see errors","to":"identified"}"#),
        ),
        (
            "escalated",
            Some(
                r#"{"page":"db-critical","policy":false,"reason":null,"severity":"SEV1","to":["db-critical"]}"#,
            ),
        ),
        (
            "paged",
            Some(r#"{"level":1,"person":"alice","policy":"db-critical","round":0}"#),
        ),
        ("acknowledged", None),
        ("page_unanswered", Some(r#"{"policy":"db-critical"}"#)),
        (
            "shift_changed",
            Some(r#"{"from":"bob","layer":"primary","schedule":"db","to":"alice"}"#),
        ),
    ];

    #[test]
    fn every_stored_form_reads_and_writes_back_byte_for_byte() {
        for (kind, details) in STORED {
            let data = EventData::parse_stored(kind, *details).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(data.kind().as_str(), *kind);
            let (again_kind, again) = data.to_stored();
            assert_eq!(again_kind.as_str(), *kind);
            assert_eq!(again.as_deref(), *details, "{kind}");
        }
    }

    #[test]
    fn every_kind_has_a_stored_example() {
        for kind in EventKind::ALL {
            assert!(
                STORED.iter().any(|(k, _)| *k == kind.as_str()),
                "no example of {kind}"
            );
        }
    }

    #[test]
    fn a_resolution_without_its_target_status_reads_as_resolved() {
        let data =
            EventData::from_stored("resolved", Some(r#"{"from":"investigating","summary":"x"}"#)).unwrap();
        assert_eq!(
            data,
            EventData::Resolved(Resolution {
                from: Status::Investigating,
                to: Status::Resolved,
                summary: Some("x".into())
            })
        );
    }

    #[test]
    fn details_that_do_not_match_their_kind_are_refused_strictly_and_kept_verbatim_otherwise() {
        let err = EventData::parse_stored("severity_changed", Some(r#"{"from":1}"#)).unwrap_err();
        assert!(
            err.to_string().starts_with("severity_changed event details"),
            "{err}"
        );
        assert!(EventData::parse_stored("note", Some("not json")).is_err());
        let kept = EventData::from_stored("severity_changed", Some(r#"{"from":1}"#)).unwrap();
        assert_eq!(kept.kind(), EventKind::SeverityChanged);
        assert_eq!(kept.to_stored().1.as_deref(), Some(r#"{"from":1}"#));
        assert_eq!(kept.details(), serde_json::json!({"from": 1}));
        // Nothing counts it as what its kind would mean.
        let commander = EventData::from_stored("role_assigned", Some(r#"{"role":"commander"}"#)).unwrap();
        assert!(!commander.acknowledges());
        assert!(EventData::from_stored("bogus", None).is_err());
    }

    #[test]
    fn the_commander_rule_is_one_predicate() {
        let assign = |role: &str| {
            EventData::RoleAssigned(RoleChange {
                role: role.into(),
                person: "a".into(),
            })
        };
        assert!(assign("commander").acknowledges());
        assert!(!assign("scribe").acknowledges());
        let handover = EventData::RoleHandover(Handover {
            role: "commander".into(),
            person: "b".into(),
            previous: "a".into(),
        });
        assert!(handover.acknowledges());
        assert!(!EventData::Note.acknowledges());
    }

    #[test]
    fn updates_and_their_promises() {
        let promised = EventData::StatusUpdate(Some(Promise {
            next_update_at: t("2026-11-23T09:00:00Z"),
        }));
        assert_eq!(promised.as_update(), Some(Some(t("2026-11-23T09:00:00Z"))));
        assert_eq!(EventData::Comms(None).as_update(), Some(None));
        assert_eq!(EventData::Note.as_update(), None);
    }
}
