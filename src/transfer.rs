//! The export format: every incident with its whole timeline and what
//! belongs to it, as versioned serde structs independent of any backend's
//! schema, so a backup outlives schema changes and any backend can write
//! and read it.
//!
//! Events travel verbatim (times, kind and details as stored, with their
//! hashes), so the hash chain checks out wherever they land. Everything
//! else is typed: a value this release does not know is refused on import.
//!
//! Files of the first format (`incident-export-v1`: SQLite rows as column
//! maps) are still read: [`legacy`] turns them into records.

use crate::domain::event::{stamp, stamp_opt};
use crate::domain::retro::{ActionItem, ActionKind, ActionStatus};
use crate::domain::triage::{Customers, Factor};
use crate::domain::{Category, DetectedBy, Status};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// The `format` of an export file.
pub const FORMAT: &str = "incident-export";
/// The version of [`FORMAT`] this release writes and the newest it reads.
pub const VERSION: u32 = 2;
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
}

/// Reads an export file's incidents, of either format. The error says what
/// is wrong and, for one incident, which (by its position).
pub fn read(text: &str) -> Result<Vec<IncidentRecord>, String> {
    let file: ExportFile = serde_json::from_str(text).map_err(|e| format!("not an incident export: {e}"))?;
    match file.format.as_str() {
        FORMAT => {
            let version = file.version.ok_or("the file has no format version")?;
            if version > VERSION {
                return Err(format!(
                    "the file is format version {version}, newer than this incident's {VERSION}; upgrade incident to import it"
                ));
            }
            let incidents = file.incidents;
            incidents
                .into_iter()
                .enumerate()
                .map(|(n, value)| {
                    serde_json::from_value(value.clone()).map_err(|e| {
                        let e = e.to_string();
                        match locate(&value, &e) {
                            Some(field) => format!("incident #{}: {field}: {e}", n + 1),
                            None => format!("incident #{}: {e}", n + 1),
                        }
                    })
                })
                .collect()
        }
        LEGACY_FORMAT => file
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
            .collect(),
        other => Err(format!(
            "the file has format '{other}'; this incident reads '{FORMAT}' (and '{LEGACY_FORMAT}')"
        )),
    }
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
        })
    }
}

/// The incident state a record carries, as the domain holds it.
fn as_incident(r: &IncidentRecord) -> crate::domain::Incident {
    crate::domain::Incident {
        id: r.id,
        title: r.title.clone(),
        status: r.status,
        severity: r.severity.clone(),
        category: r.category,
        services: r.services.clone(),
        channels: r.channels.clone(),
        summary: r.summary.clone(),
        detected_by: r.detected_by,
        started_at: r.started_at,
        declared_at: r.declared_at,
        resolved_at: r.resolved_at,
        closed_at: r.closed_at,
        resolution: r.resolution.clone(),
        next_update_at: r.next_update_at,
        roles: r
            .roles
            .iter()
            .map(|h| crate::domain::RoleHolder {
                role: h.role.clone(),
                person: h.person.clone(),
            })
            .collect(),
        // Not in the file: what its events say (the import writes them so).
        drill: false,
        tags: Default::default(),
    }
}

/// The earliest and latest years a time in a file may name.
const YEARS: std::ops::RangeInclusive<i32> = 1970..=9999;

/// Checks one record before anything is written: every value through the
/// domain types, and its chain. `severities` are the defined levels. The
/// error names the field.
pub fn validate(record: &IncidentRecord, severities: &[&str]) -> Result<(), String> {
    use crate::domain::chain::{self, Content, Link};
    use crate::domain::event::EventData;
    use chrono::Datelike;

    let time = |field: &str, t: DateTime<Utc>| -> Result<(), String> {
        match YEARS.contains(&t.year()) {
            true => Ok(()),
            false => Err(format!("{field}: {t} is out of range")),
        }
    };
    let text_time = |field: &str, text: &str| -> Result<DateTime<Utc>, String> {
        let t = DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| format!("{field}: '{text}' is not an RFC 3339 time: {e}"))?;
        time(field, t)?;
        Ok(t)
    };
    let severity = |field: &str, name: &str| -> Result<(), String> {
        match severities.contains(&name) {
            true => Ok(()),
            false => Err(format!(
                "{field}: '{name}' is not a defined severity ({})",
                severities.join(", ")
            )),
        }
    };
    if record.id <= 0 {
        return Err(format!("id: {} is not a positive number", record.id));
    }
    if record.uid.is_empty() || record.uid.len() > 128 || !record.uid.chars().all(|c| c.is_ascii_graphic()) {
        return Err("uid: not an incident uid".into());
    }
    severity("severity", &record.severity)?;
    time("declared_at", record.declared_at)?;
    for (field, t) in [
        ("started_at", record.started_at),
        ("resolved_at", record.resolved_at),
        ("closed_at", record.closed_at),
        ("next_update_at", record.next_update_at),
    ] {
        if let Some(t) = t {
            time(field, t)?;
        }
    }
    for role in &record.roles {
        time("roles.since", role.since)?;
        if role.role.trim().is_empty() || role.person.trim().is_empty() {
            return Err("roles: a role and a person are required".into());
        }
    }

    if record.events.is_empty() {
        return Err("events: an incident has at least its `declared` event".into());
    }
    let mut previous = 0;
    let mut kinds = std::collections::HashMap::new();
    let mut timeline = Vec::with_capacity(record.events.len());
    for (n, event) in record.events.iter().enumerate() {
        let field = |name: &str| format!("event {}: {name}", event.id);
        if event.id <= previous {
            return Err(format!(
                "event {}: event ids must be positive and rise in recording order",
                event.id
            ));
        }
        previous = event.id;
        text_time(&field("at"), &event.at)?;
        text_time(&field("recorded_at"), &event.recorded_at)?;
        let data = EventData::parse_stored(&event.kind, event.details.as_ref().map(|d| d.get()))
            .map_err(|e| format!("{}: {e}", field("details")))?;
        if (n == 0) != matches!(data, EventData::Declared(_)) {
            return Err(format!(
                "{}: the first event, and only it, is `declared`",
                field("kind")
            ));
        }
        kinds.insert(event.id, data.kind());
        timeline.push((event.id, text_time("at", &event.at)?, data));
    }
    // The state must be what the events say (a timeline an early release
    // wrote without every fact cannot be replayed, and is taken as it is).
    if let Ok(replayed) = crate::domain::replay::replay(timeline.iter().map(|(id, at, d)| (*id, *at, d))) {
        let incident = crate::domain::Incident {
            drill: replayed.drill,
            tags: replayed.tags.clone(),
            ..as_incident(record)
        };
        let disagree = crate::domain::replay::disagreements(&incident, &replayed);
        if let Some(field) = disagree.first() {
            return Err(format!("{field}: the file's value is not what its events record"));
        }
    }
    let links: Vec<Link<'_>> = record
        .events
        .iter()
        .map(|e| Link {
            id: e.id,
            content: Content {
                at: &e.at,
                recorded_at: &e.recorded_at,
                author: &e.author,
                kind: &e.kind,
                text: &e.text,
                details: e.details.as_ref().map(|d| d.get()),
            },
            prev_hash: e.prev_hash.as_deref(),
            hash: e.hash.as_deref(),
        })
        .collect();
    if record.head.is_none() {
        return Err("head: missing, though the incident has events".into());
    }
    if let Some(problem) = chain::verify(&record.uid, record.head.as_deref(), &links).first() {
        return Err(format!("events: the chain does not verify: {problem}"));
    }

    for a in &record.assessments {
        if kinds.get(&a.event_id) != Some(&crate::domain::EventKind::Assessed) {
            return Err(format!(
                "assessments: event {} is not an `assessed` event in the file",
                a.event_id
            ));
        }
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
        let recorded = timeline.iter().find(|(id, _, _)| *id == a.event_id);
        if !matches!(recorded, Some((_, _, EventData::Assessed(e))) if **e == facts) {
            return Err(format!(
                "assessments: the assessment of event {} is not what that event records",
                a.event_id
            ));
        }
        time("assessments.at", a.at)?;
        time("assessments.impact_started_at", a.impact_started_at)?;
        severity("assessments.severity", &a.severity)?;
    }
    if let Some(r) = &record.retro {
        time("retro.created_at", r.created_at)?;
        time("retro.updated_at", r.updated_at)?;
    }
    for (id, _, data) in &timeline {
        if matches!(data, EventData::Assessed(_)) && !record.assessments.iter().any(|a| a.event_id == *id) {
            return Err(format!(
                "assessments: the assessment event {id} records is missing"
            ));
        }
    }
    // Action items and the retrospective: what their events record.
    let events: Vec<crate::domain::Event> = timeline
        .iter()
        .zip(&record.events)
        .map(|((id, at, data), e)| crate::domain::Event {
            id: *id,
            incident_id: record.id,
            at: *at,
            recorded_at: *at,
            author: e.author.clone(),
            text: e.text.clone(),
            data: data.clone(),
        })
        .collect();
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
    if let Some(problem) = crate::domain::replay::action_disagreements(&items, &events).first() {
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
    if let Some(field) = crate::domain::replay::retro_disagreements(retro.as_ref(), &events).first() {
        return Err(format!(
            "retro.{field}: the file's value is not what its events record"
        ));
    }
    let mut ids = std::collections::HashSet::new();
    for a in &record.actions {
        if a.id <= 0 || !ids.insert(a.id) {
            return Err(format!("actions: A-{} is not a positive, unique number", a.id));
        }
        time("actions.created_at", a.created_at)?;
        if let Some(t) = a.done_at {
            time("actions.done_at", t)?;
        }
        if !YEARS.contains(&a.due.year()) {
            return Err(format!("actions: A-{} due {} is out of range", a.id, a.due));
        }
    }
    Ok(())
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
        let records = read(LEGACY).unwrap();
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
        let record = read(LEGACY).unwrap().remove(0);
        let text = serde_json::to_string(&record).unwrap();
        let file = format!(
            r#"{{"format":"incident-export","version":2,"exported_at":"2026-11-24T00:00:00Z","incidents":[{text}]}}"#
        );
        let again = read(&file).unwrap().remove(0);
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
}
