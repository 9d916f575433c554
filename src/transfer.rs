//! The export format: every incident with its whole timeline and what
//! belongs to it, as versioned serde structs independent of any backend's
//! schema, so a backup outlives schema changes and any backend can write
//! and read it.
//!
//! Events travel verbatim (times, kind and details as stored, with their
//! hashes), so the hash chain checks out wherever they land. Everything
//! else is typed: a value this release does not know is refused on import.
//!
//! Since version 3 the alerts from monitoring travel too: each incident's
//! inside its record, and (in an export of everything) those that belong to
//! no incident at the end of the file. An alert is known by its source and
//! identity, never by a number, so an import merges it with the one
//! recorded here ([`crate::domain::alerts::merge`]).
//!
//! Files of the first format (`incident-export-v1`: SQLite rows as column
//! maps) are still read: [`legacy`] turns them into records.

use crate::domain::alerts::{Alert, AlertSource, AlertStatus};
use crate::domain::event::{stamp, stamp_opt};
use crate::domain::retro::{ActionItem, ActionKind, ActionStatus};
use crate::domain::triage::{Customers, Factor};
use crate::domain::{Category, DetectedBy, Status};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// The `format` of an export file.
pub const FORMAT: &str = "incident-export";
/// The newest version of [`FORMAT`] this release reads and writes.
pub const VERSION: u32 = 4;
/// The first version that carries alerts.
pub const ALERTS_SINCE: u32 = 3;
/// The first version whose events may say what their numbers are where
/// they were exported (`renumbered`). A file with none is written as the
/// version before, which the release before reads.
pub const RENUMBERED_SINCE: u32 = 4;
/// The first format, read for old backups.
pub const LEGACY_FORMAT: &str = "incident-export-v1";

/// The head of an export file; `incidents` follow it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    #[serde(with = "stamp")]
    pub exported_at: DateTime<Utc>,
}

/// One incident and everything that belongs to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentRecord {
    /// Its identity across databases.
    pub uid: String,
    /// The number it had (the 7 of INC-7).
    pub id: i64,
    pub title: String,
    pub status: Status,
    pub severity: String,
    pub category: Category,
    pub services: Vec<String>,
    pub channels: Vec<String>,
    pub summary: Option<String>,
    pub detected_by: Option<DetectedBy>,
    #[serde(with = "stamp_opt")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(with = "stamp")]
    pub declared_at: DateTime<Utc>,
    #[serde(with = "stamp_opt")]
    pub resolved_at: Option<DateTime<Utc>>,
    #[serde(with = "stamp_opt")]
    pub closed_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    #[serde(with = "stamp_opt")]
    pub next_update_at: Option<DateTime<Utc>>,
    /// The hash of its newest event.
    pub head: Option<String>,
    pub roles: Vec<RoleRecord>,
    /// In recording order.
    pub events: Vec<EventRecord>,
    /// Oldest first.
    pub assessments: Vec<AssessmentRecord>,
    pub retro: Option<RetroRecord>,
    pub actions: Vec<ActionRecord>,
    /// The alerts that belong to it (since version 3; none before).
    #[serde(default)]
    pub alerts: Vec<AlertRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleRecord {
    pub role: String,
    pub person: String,
    #[serde(with = "stamp")]
    pub since: DateTime<Utc>,
}

/// An event exactly as stored, so its hash can be checked.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRecord {
    pub id: i64,
    pub at: String,
    pub recorded_at: String,
    pub author: String,
    pub kind: String,
    pub text: String,
    /// The details JSON, byte for byte.
    pub details: Option<Box<RawValue>>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
    /// What the event names (other incidents, alerts), as the database it
    /// was exported from numbers them, where an import there renumbered
    /// them; left out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renumbered: Option<crate::domain::refs::Renumbering>,
}

impl EventRecord {
    /// The event as it is chained (and stored).
    pub fn chained(&self) -> crate::domain::chain::ChainRow {
        crate::domain::chain::ChainRow {
            id: self.id,
            at: self.at.clone(),
            recorded_at: self.recorded_at.clone(),
            author: self.author.clone(),
            kind: self.kind.clone(),
            text: self.text.clone(),
            details: self.details.as_ref().map(|d| d.get().to_string()),
            prev_hash: self.prev_hash.clone(),
            hash: self.hash.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentRecord {
    /// The `assessed` event it was recorded with (an id in `events`).
    pub event_id: i64,
    #[serde(with = "stamp")]
    pub at: DateTime<Utc>,
    pub author: String,
    pub impact: String,
    pub sees: String,
    pub customers: Customers,
    #[serde(with = "stamp")]
    pub impact_started_at: DateTime<Utc>,
    pub tickets: u32,
    pub factors: Vec<Factor>,
    pub checked: Vec<String>,
    pub suggested: String,
    pub reason: String,
    pub severity: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetroRecord {
    pub impact: Option<String>,
    pub whys: Vec<String>,
    pub root_cause: Option<String>,
    pub contributing: Vec<String>,
    pub went_well: Vec<String>,
    pub went_badly: Vec<String>,
    pub lucky: Vec<String>,
    pub no_actions: Option<String>,
    /// Left out when unset: files written before these fields existed read
    /// and write back the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_up: Option<String>,
    #[serde(with = "stamp")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "stamp")]
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRecord {
    /// The 3 of A-3.
    pub id: i64,
    pub text: String,
    pub owner: String,
    pub due: NaiveDate,
    pub kind: ActionKind,
    pub status: ActionStatus,
    #[serde(with = "stamp")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "stamp_opt")]
    pub done_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub link: Option<String>,
}

impl From<ActionItem> for ActionRecord {
    fn from(a: ActionItem) -> ActionRecord {
        ActionRecord {
            id: a.id,
            text: a.text,
            owner: a.owner,
            due: a.due,
            kind: a.kind,
            status: a.status,
            created_at: a.created_at,
            done_at: a.done_at,
            note: a.note,
            link: a.link,
        }
    }
}

/// An alert as recorded: it is known by its source and identity; its
/// number is kept where the importing database has it free, as an
/// incident's is (timeline entries name alerts by number). Inside an
/// incident's record it belongs to that incident; at the end of the file,
/// to none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertRecord {
    /// The number it had (`alerts` lists it); a file may leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub source: AlertSource,
    /// The fingerprint, dedup key or key.
    pub identity: String,
    pub group: Option<String>,
    pub status: AlertStatus,
    pub summary: String,
    pub severity: Option<String>,
    pub service: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub link: Option<String>,
    #[serde(with = "stamp_opt")]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(with = "stamp_opt")]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(with = "stamp")]
    pub first_seen: DateTime<Utc>,
    #[serde(with = "stamp")]
    pub last_seen: DateTime<Utc>,
    pub times_seen: i64,
}

impl AlertRecord {
    /// The alert as this database would record it, belonging to `incident`
    /// (its number here), numbered as in the file (0 when the file gives
    /// none). Times keep whole seconds, as stored.
    pub fn to_alert(&self, incident: Option<i64>) -> Alert {
        let second = crate::time::truncate;
        Alert {
            id: self.id.unwrap_or(0),
            source: self.source,
            identity: self.identity.clone(),
            group: self.group.clone(),
            status: self.status,
            summary: self.summary.clone(),
            severity: self.severity.clone(),
            service: self.service.clone(),
            labels: self.labels.clone(),
            link: self.link.clone(),
            starts_at: self.starts_at.map(second),
            ends_at: self.ends_at.map(second),
            first_seen: second(self.first_seen),
            last_seen: second(self.last_seen),
            times_seen: self.times_seen,
            incident_id: incident,
        }
    }
}

impl From<Alert> for AlertRecord {
    fn from(a: Alert) -> AlertRecord {
        AlertRecord {
            id: Some(a.id),
            source: a.source,
            identity: a.identity,
            group: a.group,
            status: a.status,
            summary: a.summary,
            severity: a.severity,
            service: a.service,
            labels: a.labels,
            link: a.link,
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            first_seen: a.first_seen,
            last_seen: a.last_seen,
            times_seen: a.times_seen,
        }
    }
}

/// Alerts as a file carries them: in the order they were first seen, then
/// by source and identity, so the file does not depend on any database's
/// numbering or collation.
pub fn alert_records(alerts: Vec<Alert>) -> Vec<AlertRecord> {
    let mut records: Vec<AlertRecord> = alerts.into_iter().map(AlertRecord::from).collect();
    records.sort_by(|a, b| {
        (a.first_seen, a.source.as_str(), &a.identity).cmp(&(b.first_seen, b.source.as_str(), &b.identity))
    });
    records
}

/// What importing one incident did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// New here; `id` is its number, `from` the number it had if that was taken.
    Added { id: i64, from: Option<i64> },
    /// Known here with fewer events: the rest were added and its state updated.
    Extended { id: i64, events: usize },
    /// Already here, identical.
    Unchanged { id: i64 },
    /// Known here with more events than the file has: left as it is.
    NewerHere { id: i64 },
    /// Both sides recorded different events since they parted: left alone.
    Diverged { id: i64 },
}

impl Outcome {
    pub fn id(&self) -> i64 {
        match self {
            Outcome::Added { id, .. }
            | Outcome::Extended { id, .. }
            | Outcome::Unchanged { id }
            | Outcome::NewerHere { id }
            | Outcome::Diverged { id } => *id,
        }
    }
}

/// The whole file, as `import` reads it.
#[derive(Debug, Deserialize)]
pub struct ExportFile {
    pub format: String,
    /// The format's version (the current format).
    #[serde(default)]
    pub version: Option<u32>,
    /// The first format's SQLite schema version.
    #[serde(default)]
    pub schema_version: Option<i64>,
    pub incidents: Vec<serde_json::Value>,
    /// The alerts that belong to no incident (version 3 on, in an export
    /// of everything).
    #[serde(default)]
    pub alerts: Option<serde_json::Value>,
}

/// What an export file holds.
#[derive(Debug, Default)]
pub struct Contents {
    pub incidents: Vec<IncidentRecord>,
    /// The alerts that belong to no incident.
    pub alerts: Vec<AlertRecord>,
}

/// Reads an export file's incidents (and alerts), of either format. The
/// error says what is wrong and, for one incident, which (by its
/// position); for an alert, which (`alerts[2]`) and its field.
pub fn read(text: &str) -> Result<Contents, String> {
    let file: ExportFile = serde_json::from_str(text).map_err(|e| format!("not an incident export: {e}"))?;
    match file.format.as_str() {
        FORMAT => {
            let version = file.version.ok_or("the file has no format version")?;
            if version > VERSION {
                return Err(format!(
                    "the file is format version {version}, newer than this incident's {VERSION}; upgrade incident to import it"
                ));
            }
            let without_alerts = |what: String| {
                format!("{what}: format version {version} carries no alerts (they came in {ALERTS_SINCE})")
            };
            if version < ALERTS_SINCE && file.alerts.is_some() {
                return Err(without_alerts("alerts".into()));
            }
            let incidents = file
                .incidents
                .into_iter()
                .enumerate()
                .map(|(n, value)| {
                    if version < ALERTS_SINCE && value.get("alerts").is_some() {
                        return Err(without_alerts(format!("incident #{}: alerts", n + 1)));
                    }
                    let renumbered = value
                        .get("events")
                        .and_then(|e| e.as_array())
                        .is_some_and(|events| events.iter().any(|e| e.get("renumbered").is_some()));
                    if version < RENUMBERED_SINCE && renumbered {
                        return Err(format!(
                            "incident #{}: events: format version {version} carries no `renumbered` (it came in {RENUMBERED_SINCE})",
                            n + 1
                        ));
                    }
                    serde_json::from_value(value.clone()).map_err(|e| {
                        let e = e.to_string();
                        if let Some(alert) = alert_error(value.get("alerts")) {
                            return format!("incident #{}: {alert}", n + 1);
                        }
                        match locate(&value, &e) {
                            Some(field) => format!("incident #{}: {field}: {e}", n + 1),
                            None => format!("incident #{}: {e}", n + 1),
                        }
                    })
                })
                .collect::<Result<_, String>>()?;
            let alerts = match file.alerts {
                Some(values) => serde_json::from_value(values.clone())
                    .map_err(|e| alert_error(Some(&values)).unwrap_or_else(|| format!("alerts: {e}")))?,
                None => Vec::new(),
            };
            Ok(Contents { incidents, alerts })
        }
        LEGACY_FORMAT => {
            if file.alerts.is_some() {
                return Err(format!("alerts: the format {LEGACY_FORMAT} carries no alerts"));
            }
            let incidents = file
                .incidents
                .into_iter()
                .enumerate()
                .map(|(n, value)| {
                    legacy::record(value.clone()).map_err(|e| match locate(&value, &e) {
                        Some(field) if !e.starts_with(&format!("{field}:")) => {
                            format!("incident #{}: {field}: {e}", n + 1)
                        }
                        _ => format!("incident #{}: {e}", n + 1),
                    })
                })
                .collect::<Result<_, String>>()?;
            Ok(Contents {
                incidents,
                alerts: Vec::new(),
            })
        }
        other => Err(format!(
            "the file has format '{other}'; this incident reads '{FORMAT}' (and '{LEGACY_FORMAT}')"
        )),
    }
}

/// The first alert of `alerts` (a list) that does not read, as
/// `alerts[2].field: what is wrong` (the field as far as it can be told),
/// or what is wrong with `alerts` when it is not a list.
fn alert_error(alerts: Option<&serde_json::Value>) -> Option<String> {
    let alerts = alerts?;
    let Some(items) = alerts.as_array() else {
        let e = serde_json::from_value::<Vec<AlertRecord>>(alerts.clone()).err()?;
        return Some(format!("alerts: {e}"));
    };
    items.iter().enumerate().find_map(|(i, value)| {
        let e = serde_json::from_value::<AlertRecord>(value.clone())
            .err()?
            .to_string();
        // Serde names a missing or unknown field itself; the value of a
        // bad one is found where it sits.
        let field = match locate(value, &e) {
            Some(field) if !e.starts_with("missing field") && !e.starts_with("unknown field") => {
                format!(".{field}")
            }
            _ => String::new(),
        };
        Some(format!("alerts[{i}]{field}: {e}"))
    })
}

/// Where in `value` the text a serde error quotes sits (`actions[0].due`),
/// so the message names the field: serde's own names only missing and
/// unknown fields.
fn locate(value: &serde_json::Value, message: &str) -> Option<String> {
    // The first quoted text in the message is the offending value.
    let open = message.find(['`', '"', '\''])?;
    let quote = message[open..].chars().next()?;
    let rest = &message[open + 1..];
    let quoted = &rest[..rest.find(quote)?];
    find_leaf(value, quoted)
}

fn find_leaf(value: &serde_json::Value, wanted: &str) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) => (s == wanted).then(String::new),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| find_leaf(v, wanted).map(|rest| format!("[{i}]{}", dotted(&rest)))),
        Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| find_leaf(v, wanted).map(|rest| format!("{k}{}", dotted(&rest)))),
        _ => None,
    }
}

fn dotted(rest: &str) -> String {
    match rest.starts_with('[') || rest.is_empty() {
        true => rest.to_string(),
        false => format!(".{rest}"),
    }
}

/// The first export format: SQLite rows as JSON objects of column → value,
/// lists as JSON text inside strings.
pub mod legacy {
    use super::*;
    use serde::de::DeserializeOwned;

    #[derive(Deserialize)]
    struct Dump {
        incident: IncidentRow,
        #[serde(default)]
        events: Vec<EventRow>,
        #[serde(default)]
        roles: Vec<RoleRow>,
        #[serde(default)]
        assessments: Vec<AssessmentRow>,
        #[serde(default)]
        retros: Vec<RetroRow>,
        #[serde(default)]
        actions: Vec<ActionRow>,
    }

    #[derive(Deserialize)]
    struct IncidentRow {
        id: i64,
        uid: String,
        title: String,
        status: Status,
        severity: String,
        category: Category,
        #[serde(default = "empty_list")]
        services: String,
        #[serde(default = "empty_list")]
        channels: String,
        summary: Option<String>,
        detected_by: Option<DetectedBy>,
        #[serde(default, with = "stamp_opt")]
        started_at: Option<DateTime<Utc>>,
        #[serde(with = "stamp")]
        declared_at: DateTime<Utc>,
        #[serde(default, with = "stamp_opt")]
        resolved_at: Option<DateTime<Utc>>,
        #[serde(default, with = "stamp_opt")]
        closed_at: Option<DateTime<Utc>>,
        resolution: Option<String>,
        #[serde(default, with = "stamp_opt")]
        next_update_at: Option<DateTime<Utc>>,
        head: Option<String>,
    }

    fn empty_list() -> String {
        "[]".into()
    }

    #[derive(Deserialize)]
    struct EventRow {
        id: i64,
        at: String,
        recorded_at: String,
        author: String,
        kind: String,
        text: String,
        details: Option<String>,
        prev_hash: Option<String>,
        hash: Option<String>,
    }

    #[derive(Deserialize)]
    struct RoleRow {
        role: String,
        person: String,
        #[serde(with = "stamp")]
        since: DateTime<Utc>,
    }

    #[derive(Deserialize)]
    struct AssessmentRow {
        event_id: i64,
        #[serde(with = "stamp")]
        at: DateTime<Utc>,
        author: String,
        impact: String,
        sees: String,
        customers: Customers,
        #[serde(with = "stamp")]
        impact_started_at: DateTime<Utc>,
        tickets: u32,
        #[serde(default = "empty_list")]
        factors: String,
        #[serde(default = "empty_list")]
        checked: String,
        suggested: String,
        reason: String,
        severity: String,
    }

    #[derive(Deserialize)]
    struct RetroRow {
        impact: Option<String>,
        #[serde(default = "empty_list")]
        whys: String,
        root_cause: Option<String>,
        #[serde(default = "empty_list")]
        contributing: String,
        #[serde(default = "empty_list")]
        went_well: String,
        #[serde(default = "empty_list")]
        went_badly: String,
        #[serde(default = "empty_list")]
        lucky: String,
        no_actions: Option<String>,
        #[serde(with = "stamp")]
        created_at: DateTime<Utc>,
        #[serde(with = "stamp")]
        updated_at: DateTime<Utc>,
    }

    #[derive(Deserialize)]
    struct ActionRow {
        id: i64,
        text: String,
        owner: String,
        due: NaiveDate,
        kind: ActionKind,
        status: ActionStatus,
        #[serde(with = "stamp")]
        created_at: DateTime<Utc>,
        #[serde(default, with = "stamp_opt")]
        done_at: Option<DateTime<Utc>>,
        note: Option<String>,
        link: Option<String>,
    }

    /// A list stored as JSON text in a column.
    fn list<T: DeserializeOwned>(column: &str, text: &str) -> Result<Vec<T>, String> {
        serde_json::from_str(text).map_err(|e| format!("{column}: {e}"))
    }

    /// One incident of a first-format file.
    pub fn record(value: serde_json::Value) -> Result<IncidentRecord, String> {
        let dump: Dump = serde_json::from_value(value).map_err(|e| e.to_string())?;
        let i = dump.incident;
        let events = dump
            .events
            .into_iter()
            .map(|e| {
                let details = e
                    .details
                    .map(|d| {
                        RawValue::from_string(d).map_err(|err| format!("event {}: details: {err}", e.id))
                    })
                    .transpose()?;
                Ok(EventRecord {
                    id: e.id,
                    at: e.at,
                    recorded_at: e.recorded_at,
                    author: e.author,
                    kind: e.kind,
                    text: e.text,
                    details,
                    prev_hash: e.prev_hash,
                    hash: e.hash,
                    renumbered: None,
                })
            })
            .collect::<Result<_, String>>()?;
        let assessments = dump
            .assessments
            .into_iter()
            .map(|a| {
                Ok(AssessmentRecord {
                    event_id: a.event_id,
                    at: a.at,
                    author: a.author,
                    impact: a.impact,
                    sees: a.sees,
                    customers: a.customers,
                    impact_started_at: a.impact_started_at,
                    tickets: a.tickets,
                    factors: list("factors", &a.factors)?,
                    checked: list("checked", &a.checked)?,
                    suggested: a.suggested,
                    reason: a.reason,
                    severity: a.severity,
                })
            })
            .collect::<Result<_, String>>()?;
        let retro = match dump.retros.into_iter().next() {
            None => None,
            Some(r) => Some(RetroRecord {
                impact: r.impact,
                whys: list("whys", &r.whys)?,
                root_cause: r.root_cause,
                contributing: list("contributing", &r.contributing)?,
                went_well: list("went_well", &r.went_well)?,
                went_badly: list("went_badly", &r.went_badly)?,
                lucky: list("lucky", &r.lucky)?,
                no_actions: r.no_actions,
                trigger: None,
                lead_up: None,
                created_at: r.created_at,
                updated_at: r.updated_at,
            }),
        };
        Ok(IncidentRecord {
            uid: i.uid,
            id: i.id,
            title: i.title,
            status: i.status,
            severity: i.severity,
            category: i.category,
            services: list("services", &i.services)?,
            channels: list("channels", &i.channels)?,
            summary: i.summary,
            detected_by: i.detected_by,
            started_at: i.started_at,
            declared_at: i.declared_at,
            resolved_at: i.resolved_at,
            closed_at: i.closed_at,
            resolution: i.resolution,
            next_update_at: i.next_update_at,
            head: i.head,
            roles: dump
                .roles
                .into_iter()
                .map(|r| RoleRecord {
                    role: r.role,
                    person: r.person,
                    since: r.since,
                })
                .collect(),
            events,
            assessments,
            retro,
            actions: dump
                .actions
                .into_iter()
                .map(|a| ActionRecord {
                    id: a.id,
                    text: a.text,
                    owner: a.owner,
                    due: a.due,
                    kind: a.kind,
                    status: a.status,
                    created_at: a.created_at,
                    done_at: a.done_at,
                    note: a.note,
                    link: a.link,
                })
                .collect(),
            alerts: Vec::new(),
        })
    }
}

impl IncidentRecord {
    /// The incident state the record carries, as the domain holds it; what
    /// the file leaves to its events (the drill mark, the tags and the
    /// milestones) is what the events it can read say.
    pub fn state(&self) -> crate::domain::Incident {
        use crate::domain::EventData;
        let mut replayed = crate::domain::Incident::bare();
        for e in &self.events {
            let data = EventData::parse_stored(&e.kind, e.details.as_ref().map(|d| d.get()));
            let at = DateTime::parse_from_rfc3339(&e.at).map(|t| t.with_timezone(&Utc));
            if let (Ok(data), Ok(at)) = (data, at) {
                crate::domain::apply::apply(&mut replayed, at, &data);
            }
        }
        crate::domain::Incident {
            id: self.id,
            title: self.title.clone(),
            status: self.status,
            severity: self.severity.clone(),
            category: self.category,
            services: self.services.clone(),
            channels: self.channels.clone(),
            summary: self.summary.clone(),
            detected_by: self.detected_by,
            started_at: self.started_at,
            declared_at: self.declared_at,
            resolved_at: self.resolved_at,
            closed_at: self.closed_at,
            resolution: self.resolution.clone(),
            next_update_at: self.next_update_at,
            roles: self
                .roles
                .iter()
                .map(|h| crate::domain::RoleHolder {
                    role: h.role.clone(),
                    person: h.person.clone(),
                })
                .collect(),
            drill: replayed.drill,
            tags: replayed.tags,
            milestones: replayed.milestones,
        }
    }
}

/// The earliest and latest years a time in a file may name: those every
/// entry keeps to.
use crate::time::YEARS;

/// The highest number a file may give anything.
use crate::domain::key::MAX;

/// Checks one record before anything is written: every value through the
/// domain types, its chain, and that what it holds is what its events
/// record. `severities` are the defined levels. The error names the field.
pub fn validate(record: &IncidentRecord, severities: &[&str]) -> Result<(), String> {
    let check = Checks { severities };
    check.fields(record)?;
    let events = check.events(record)?;
    check.assessments(record, &events)?;
    check.follow_up(record, &events)?;
    let mut seen = std::collections::HashSet::new();
    for (i, alert) in record.alerts.iter().enumerate() {
        validate_alert(alert).map_err(|e| format!("alerts[{i}].{e}"))?;
        if !seen.insert((alert.source, alert.identity.as_str())) {
            return Err(format!(
                "alerts[{i}].identity: the {} alert '{}' is in the incident twice",
                alert.source, alert.identity
            ));
        }
    }
    Ok(())
}

/// The checks of [`validate`], each naming the field it refuses.
struct Checks<'s> {
    severities: &'s [&'s str],
}

impl Checks<'_> {
    fn time(&self, field: &str, t: DateTime<Utc>) -> Result<(), String> {
        use chrono::Datelike;
        match YEARS.contains(&t.year()) {
            true => Ok(()),
            false => Err(format!("{field}: {t} is out of range")),
        }
    }

    fn text_time(&self, field: &str, text: &str) -> Result<DateTime<Utc>, String> {
        let t = DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| format!("{field}: '{text}' is not an RFC 3339 time: {e}"))?;
        self.time(field, t)?;
        Ok(t)
    }

    fn severity(&self, field: &str, name: &str) -> Result<(), String> {
        match self.severities.contains(&name) {
            true => Ok(()),
            false => Err(format!(
                "{field}: '{name}' is not a defined severity ({})",
                self.severities.join(", ")
            )),
        }
    }

    /// The incident's own fields and role holders.
    fn fields(&self, record: &IncidentRecord) -> Result<(), String> {
        if !(1..=MAX).contains(&record.id) {
            return Err(format!("id: {} is not a number from 1 to {MAX}", record.id));
        }
        if record.uid.is_empty()
            || record.uid.len() > 128
            || !record.uid.chars().all(|c| c.is_ascii_graphic())
        {
            return Err("uid: not an incident uid".into());
        }
        self.severity("severity", &record.severity)?;
        self.time("declared_at", record.declared_at)?;
        for (field, t) in [
            ("started_at", record.started_at),
            ("resolved_at", record.resolved_at),
            ("closed_at", record.closed_at),
            ("next_update_at", record.next_update_at),
        ] {
            if let Some(t) = t {
                self.time(field, t)?;
            }
        }
        for role in &record.roles {
            self.time("roles.since", role.since)?;
            if role.role.trim().is_empty() || role.person.trim().is_empty() {
                return Err("roles: a role and a person are required".into());
            }
        }
        Ok(())
    }

    /// The events: each readable, in recording order, the declaration
    /// first; the state what they say; the chain whole. Returns them read.
    fn events(&self, record: &IncidentRecord) -> Result<Vec<crate::domain::Event>, String> {
        use crate::domain::chain::{self, Link};
        use crate::domain::event::EventData;
        if record.events.is_empty() {
            return Err("events: an incident has at least its `declared` event".into());
        }
        let mut previous = 0;
        let mut events = Vec::with_capacity(record.events.len());
        for (n, event) in record.events.iter().enumerate() {
            let field = |name: &str| format!("event {}: {name}", event.id);
            if event.id <= previous || event.id > MAX {
                return Err(format!(
                    "event {}: event ids must be positive, at most {MAX}, and rise in recording order",
                    event.id
                ));
            }
            previous = event.id;
            let at = self.text_time(&field("at"), &event.at)?;
            self.text_time(&field("recorded_at"), &event.recorded_at)?;
            let data = EventData::parse_stored(&event.kind, event.details.as_ref().map(|d| d.get()))
                .map_err(|e| format!("{}: {e}", field("details")))?;
            if (n == 0) != matches!(data, EventData::Declared(_)) {
                return Err(format!(
                    "{}: the first event, and only it, is `declared`",
                    field("kind")
                ));
            }
            events.push(crate::domain::Event {
                id: event.id,
                incident_id: record.id,
                at,
                recorded_at: at,
                author: event.author.clone(),
                text: event.text.clone(),
                data,
            });
        }
        // The state must be what the events say (a timeline an early release
        // wrote without every fact cannot be replayed, and is taken as it is).
        if let Ok(replayed) = crate::domain::replay::replay(events.iter().map(|e| (e.id, e.at, &e.data))) {
            let disagree = crate::domain::replay::disagreements(&record.state(), &replayed);
            if let Some(field) = disagree.first() {
                return Err(format!("{field}: the file's value is not what its events record"));
            }
        }
        let rows: Vec<chain::ChainRow> = record.events.iter().map(EventRecord::chained).collect();
        let links: Vec<Link<'_>> = rows.iter().map(|r| r.link()).collect();
        if record.head.is_none() {
            return Err("head: missing, though the incident has events".into());
        }
        if let Some(problem) = chain::verify(&record.uid, record.head.as_deref(), &links).first() {
            return Err(format!("events: the chain does not verify: {problem}"));
        }
        Ok(events)
    }

    /// Each assessment is what its `assessed` event records, and each such
    /// event has its assessment.
    fn assessments(&self, record: &IncidentRecord, events: &[crate::domain::Event]) -> Result<(), String> {
        use crate::domain::event::EventData;
        for a in &record.assessments {
            let facts = crate::domain::event::Assessed {
                impact: a.impact.clone(),
                sees: a.sees.clone(),
                customers: a.customers,
                impact_started_at: a.impact_started_at,
                tickets: a.tickets,
                factors: a.factors.clone(),
                checked: a.checked.clone(),
                suggested_severity: a.suggested.clone(),
                reason: a.reason.clone(),
                severity: a.severity.clone(),
            };
            match events.iter().find(|e| e.id == a.event_id).map(|e| &e.data) {
                Some(EventData::Assessed(e)) if **e == facts => {}
                Some(EventData::Assessed(_)) => {
                    return Err(format!(
                        "assessments: the assessment of event {} is not what that event records",
                        a.event_id
                    ));
                }
                _ => {
                    return Err(format!(
                        "assessments: event {} is not an `assessed` event in the file",
                        a.event_id
                    ));
                }
            }
            self.time("assessments.at", a.at)?;
            self.time("assessments.impact_started_at", a.impact_started_at)?;
            self.severity("assessments.severity", &a.severity)?;
        }
        if let Some(r) = &record.retro {
            self.time("retro.created_at", r.created_at)?;
            self.time("retro.updated_at", r.updated_at)?;
        }
        for e in events {
            if matches!(e.data, EventData::Assessed(_))
                && !record.assessments.iter().any(|a| a.event_id == e.id)
            {
                return Err(format!(
                    "assessments: the assessment event {} records is missing",
                    e.id
                ));
            }
        }
        Ok(())
    }

    /// Action items and the retrospective: what their events record, and
    /// numbers and times in range.
    fn follow_up(&self, record: &IncidentRecord, events: &[crate::domain::Event]) -> Result<(), String> {
        use chrono::Datelike;
        let items: Vec<crate::domain::retro::ActionItem> = record
            .actions
            .iter()
            .map(|a| crate::domain::retro::ActionItem {
                id: a.id,
                incident_id: record.id,
                text: a.text.clone(),
                owner: a.owner.clone(),
                due: a.due,
                kind: a.kind,
                status: a.status,
                created_at: a.created_at,
                done_at: a.done_at,
                note: a.note.clone(),
                link: a.link.clone(),
            })
            .collect();
        // The numbers the file's events name, as the file numbers them.
        let renumbered: std::collections::HashMap<i64, crate::domain::refs::Renumbering> = record
            .events
            .iter()
            .filter_map(|e| Some((e.id, e.renumbered.clone()?)))
            .collect();
        let here = crate::domain::refs::Resolver {
            renumbered: &renumbered,
        };
        if let Some(problem) = crate::domain::replay::action_disagreements(&items, events, &here).first() {
            return Err(format!("actions: {problem}"));
        }
        let retro = record.retro.as_ref().map(|r| crate::domain::retro::Retro {
            impact: r.impact.clone(),
            whys: r.whys.clone(),
            root_cause: r.root_cause.clone(),
            contributing: r.contributing.clone(),
            went_well: r.went_well.clone(),
            went_badly: r.went_badly.clone(),
            lucky: r.lucky.clone(),
            no_actions: r.no_actions.clone(),
            trigger: r.trigger.clone(),
            lead_up: r.lead_up.clone(),
        });
        if let Some(field) = crate::domain::replay::retro_disagreements(retro.as_ref(), events).first() {
            return Err(format!(
                "retro.{field}: the file's value is not what its events record"
            ));
        }
        let mut ids = std::collections::HashSet::new();
        for a in &record.actions {
            if !(1..=MAX).contains(&a.id) || !ids.insert(a.id) {
                return Err(format!(
                    "actions: A-{} is not a unique number from 1 to {MAX}",
                    a.id
                ));
            }
            self.time("actions.created_at", a.created_at)?;
            if let Some(t) = a.done_at {
                self.time("actions.done_at", t)?;
            }
            if !YEARS.contains(&a.due.year()) {
                return Err(format!("actions: A-{} due {} is out of range", a.id, a.due));
            }
        }
        Ok(())
    }
}

/// Checks one alert's values; the error starts with the field.
fn validate_alert(alert: &AlertRecord) -> Result<(), String> {
    use chrono::Datelike;
    if let Some(id) = alert.id.filter(|id| !(1..=MAX).contains(id)) {
        return Err(format!("id: {id} is not a number from 1 to {MAX}"));
    }
    if alert.identity.is_empty() {
        return Err("identity: an alert has an identity".into());
    }
    for (field, t) in [
        ("first_seen", Some(alert.first_seen)),
        ("last_seen", Some(alert.last_seen)),
        ("starts_at", alert.starts_at),
        ("ends_at", alert.ends_at),
    ] {
        if let Some(t) = t.filter(|t| !YEARS.contains(&t.year())) {
            return Err(format!("{field}: {t} is out of range"));
        }
    }
    if alert.last_seen < alert.first_seen {
        return Err("last_seen: earlier than first_seen".into());
    }
    if alert.times_seen < 1 {
        return Err(format!(
            "times_seen: {} is not a positive number",
            alert.times_seen
        ));
    }
    Ok(())
}

/// Checks the alerts a file carries beyond its incidents (each incident's
/// own are checked with it by [`validate`]): those that belong to no
/// incident, and that no alert is in the file twice.
pub fn validate_alerts(contents: &Contents) -> Result<(), String> {
    let mut seen = std::collections::HashMap::new();
    for (n, record) in contents.incidents.iter().enumerate() {
        for (i, alert) in record.alerts.iter().enumerate() {
            let here = format!("incident #{}: alerts[{i}]", n + 1);
            if let Some(first) = seen.insert((alert.source, alert.identity.as_str()), here.clone()) {
                return Err(twice(&here, alert, &first));
            }
        }
    }
    for (i, alert) in contents.alerts.iter().enumerate() {
        let here = format!("alerts[{i}]");
        validate_alert(alert).map_err(|e| format!("{here}.{e}"))?;
        if let Some(first) = seen.insert((alert.source, alert.identity.as_str()), here.clone()) {
            return Err(twice(&here, alert, &first));
        }
    }
    Ok(())
}

fn twice(here: &str, alert: &AlertRecord, first: &str) -> String {
    format!(
        "{here}.identity: the {} alert '{}' is also {first}",
        alert.source, alert.identity
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An incident as the previous release exported it (rows as columns).
    const LEGACY: &str = r#"{
      "format": "incident-export-v1",
      "schema_version": 8,
      "exported_at": "2026-11-24T00:00:00Z",
      "incidents": [{
        "incident": {"id": 3, "title": "Checkout 500s", "status": "resolved", "severity": "SEV2",
          "category": "availability", "services": "[\"checkout\"]", "channels": "[]", "summary": null,
          "detected_by": "monitoring", "started_at": null, "declared_at": "2026-11-23T08:00:00Z",
          "resolved_at": "2026-11-23T09:00:00Z", "closed_at": null, "resolution": "rolled back",
          "next_update_at": null, "uid": "0b6f2d4e-1111-4222-8333-444455556666", "head": "h2",
          "acknowledged_at": "2026-11-23T08:01:00Z", "triaged_at": null, "event_count": 2},
        "events": [
          {"id": 10, "incident_id": 3, "at": "2026-11-23T08:00:00Z", "recorded_at": "2026-11-23T08:00:00Z",
           "author": "alice", "kind": "declared", "text": "Declared", "details": "{\"severity\":\"SEV2\"}",
           "prev_hash": "", "hash": "h1"},
          {"id": 11, "incident_id": 3, "at": "2026-11-23T08:01:00Z", "recorded_at": "2026-11-23T08:01:00Z",
           "author": "alice", "kind": "role_assigned", "text": "alice is commander",
           "details": "{\"person\":\"alice\",\"role\":\"commander\"}", "prev_hash": "h1", "hash": "h2"}
        ],
        "roles": [{"incident_id": 3, "role": "commander", "person": "alice", "since": "2026-11-23T08:01:00Z"}],
        "assessments": [],
        "retros": [],
        "actions": [{"id": 1, "incident_id": 3, "text": "alert", "owner": "bob", "due": "2026-12-01",
          "kind": "detective", "status": "open", "created_at": "2026-11-23T09:30:00Z", "done_at": null,
          "note": null, "link": null}]
      }]
    }"#;

    #[test]
    fn the_first_format_reads_into_records_with_details_verbatim() {
        let records = read(LEGACY).unwrap().incidents;
        let r = &records[0];
        assert_eq!(
            (r.id, r.status, r.services.clone()),
            (3, Status::Resolved, vec!["checkout".to_string()])
        );
        assert_eq!(
            r.events[1].details.as_ref().unwrap().get(),
            r#"{"person":"alice","role":"commander"}"#
        );
        assert_eq!(r.roles[0].role, "commander");
        assert_eq!(r.actions[0].kind, ActionKind::Detective);
    }

    #[test]
    fn a_record_round_trips_through_the_current_format() {
        let record = read(LEGACY).unwrap().incidents.remove(0);
        let text = serde_json::to_string(&record).unwrap();
        let file = format!(
            r#"{{"format":"incident-export","version":3,"exported_at":"2026-11-24T00:00:00Z","incidents":[{text}]}}"#
        );
        let again = read(&file).unwrap().incidents.remove(0);
        assert_eq!(serde_json::to_string(&again).unwrap(), text);
    }

    #[test]
    fn unknown_values_and_newer_versions_are_refused_with_what_is_wrong() {
        let bogus = LEGACY.replace(r#""status": "resolved""#, r#""status": "bogus""#);
        assert!(read(&bogus).unwrap_err().contains("incident #1"));
        let newer = r#"{"format":"incident-export","version":99,"incidents":[]}"#;
        assert!(read(newer).unwrap_err().contains("newer"));
        assert!(
            read(r#"{"format":"tar","incidents":[]}"#)
                .unwrap_err()
                .contains("'tar'")
        );
    }

    #[test]
    fn renumbered_events_read_from_version_4_and_are_refused_before() {
        let mut record = serde_json::to_value(read(LEGACY).unwrap().incidents.remove(0)).unwrap();
        record["events"][1]["renumbered"] = serde_json::json!({"incidents": {"1": 3}});
        let file = |version: u32| {
            serde_json::json!({"format": "incident-export", "version": version, "incidents": [record]})
                .to_string()
        };
        let read4 = read(&file(4)).unwrap().incidents.remove(0);
        assert_eq!(read4.events[1].renumbered.as_ref().unwrap().incidents[&1], 3);
        let err = read(&file(3)).unwrap_err();
        assert!(
            err.contains("incident #1: events: format version 3 carries no `renumbered`"),
            "{err}"
        );
    }

    /// One alert as version 3 writes it.
    fn alert() -> serde_json::Value {
        serde_json::json!({
            "source": "alertmanager", "identity": "a4c8b0e6c0f3a1d2", "group": "g", "status": "firing",
            "summary": "High error rate", "severity": "critical", "service": "checkout",
            "labels": {"alertname": "HighErrorRate"}, "link": null,
            "starts_at": "2026-11-23T07:55:00Z", "ends_at": null,
            "first_seen": "2026-11-23T08:00:00Z", "last_seen": "2026-11-23T08:05:00Z", "times_seen": 2
        })
    }

    /// A version 3 file of the legacy incident carrying `mine`, and `loose`
    /// at file level.
    fn with_alerts(version: u32, mine: serde_json::Value, loose: serde_json::Value) -> String {
        let mut record = serde_json::to_value(read(LEGACY).unwrap().incidents.remove(0)).unwrap();
        record["alerts"] = mine;
        serde_json::json!({
            "format": "incident-export", "version": version, "incidents": [record], "alerts": loose
        })
        .to_string()
    }

    #[test]
    fn alerts_read_inside_their_incident_and_at_file_level() {
        let mut other = alert();
        other["identity"] = "b5d9".into();
        let contents = read(&with_alerts(
            3,
            serde_json::json!([alert()]),
            serde_json::json!([other]),
        ))
        .unwrap();
        let mine = &contents.incidents[0].alerts[0];
        assert_eq!(
            (mine.source, mine.identity.as_str(), mine.times_seen),
            (AlertSource::Alertmanager, "a4c8b0e6c0f3a1d2", 2)
        );
        assert_eq!(mine.to_alert(Some(9)).incident_id, Some(9));
        assert_eq!(contents.alerts[0].identity, "b5d9");
        assert_eq!(serde_json::to_value(mine).unwrap(), alert(), "written as read");
        assert!(validate_alerts(&contents).is_ok());
        // The same alert twice in a file is refused, naming both places.
        let twice = read(&with_alerts(
            3,
            serde_json::json!([alert()]),
            serde_json::json!([alert()]),
        ))
        .unwrap();
        let err = validate_alerts(&twice).unwrap_err();
        assert!(
            err.starts_with("alerts[0].identity:") && err.contains("also incident #1: alerts[0]"),
            "{err}"
        );
        // Version 2 carried none.
        let err = read(&with_alerts(2, serde_json::json!([]), serde_json::json!([]))).unwrap_err();
        assert!(err.contains("format version 2 carries no alerts"), "{err}");
    }

    #[test]
    fn a_bad_alert_is_named_by_incident_position_and_field() {
        let bad = |edit: fn(&mut serde_json::Value)| {
            let mut a = alert();
            edit(&mut a);
            read(&with_alerts(
                3,
                serde_json::json!([alert(), a]),
                serde_json::json!([]),
            ))
            .unwrap_err()
        };
        let err = bad(|a| a["source"] = "pigeon".into());
        assert!(
            err.starts_with("incident #1: alerts[1].source: unknown variant `pigeon`"),
            "{err}"
        );
        let err = bad(|a| a["last_seen"] = "yesterday".into());
        assert!(
            err.starts_with("incident #1: alerts[1].last_seen: 'yesterday' is not an RFC 3339"),
            "{err}"
        );
        let err = bad(|a| {
            a.as_object_mut().unwrap().remove("first_seen");
        });
        assert!(
            err.starts_with("incident #1: alerts[1]: missing field `first_seen`"),
            "{err}"
        );
        let err = bad(|a| a["colour"] = "red".into());
        assert!(
            err.starts_with("incident #1: alerts[1]: unknown field `colour`"),
            "{err}"
        );
        let not_a_list = with_alerts(3, serde_json::Value::Null, serde_json::json!([]));
        let err = read(&not_a_list).unwrap_err();
        assert!(
            err.starts_with("incident #1: alerts: invalid type: null"),
            "{err}"
        );
        // At file level, by its position there.
        let mut a = alert();
        a["status"] = "smouldering".into();
        let err = read(&with_alerts(3, serde_json::json!([]), serde_json::json!([a]))).unwrap_err();
        assert!(
            err.starts_with("alerts[0].status: unknown variant `smouldering`"),
            "{err}"
        );
        // Values the types take but an alert cannot have (at file level
        // here; an incident's own are checked the same way by `validate`).
        let refused = |edit: fn(&mut serde_json::Value)| {
            let mut a = alert();
            edit(&mut a);
            let contents = read(&with_alerts(3, serde_json::json!([]), serde_json::json!([a]))).unwrap();
            validate_alerts(&contents).unwrap_err()
        };
        assert!(refused(|a| a["times_seen"] = 0.into()).starts_with("alerts[0].times_seen:"));
        assert!(refused(|a| a["id"] = 0.into()).starts_with("alerts[0].id:"));
        let mut a = alert();
        a["id"] = "seven".into();
        let err = read(&with_alerts(3, serde_json::json!([]), serde_json::json!([a]))).unwrap_err();
        assert!(err.starts_with("alerts[0].id: invalid type"), "{err}");
        assert!(refused(|a| a["identity"] = "".into()).starts_with("alerts[0].identity:"));
        assert!(
            refused(|a| a["first_seen"] = "0000-01-01T00:00:00Z".into()).starts_with("alerts[0].first_seen:")
        );
        assert!(
            refused(|a| a["first_seen"] = "2026-11-24T00:00:00Z".into()).starts_with("alerts[0].last_seen:")
        );
    }
}
