//! What `stats` reads: every selected incident's response facts without
//! loading timelines (as `sqlite/response.rs`): the first acknowledgement
//! and triage from the state columns, the update history and severity
//! changes from one query over the `events_for_updates` partial index.

use super::Db;
use super::incidents::mark;
use super::sql::{Stamp, Statement, Value, col, params};
use crate::domain::targets::{self, Facts, UpdateFact};
use crate::domain::{Category, EventData, Incident, Status};
use crate::store::ListFilter;
use anyhow::{Result, anyhow};
use std::collections::{BTreeMap, HashMap};
use tokio_postgres::Row;
use tokio_postgres::types::Type;

/// The kinds `events_for_updates` indexes. Spelled literally in the SQL: the
/// planner uses a partial index only for a condition that implies its own.
const INDEXED_KINDS: &str = "('severity_changed', 'status_update', 'comms')";

/// The incidents `filter` selects (its limit aside), each with its
/// response facts, within `scope`, in no set order. Only the columns the
/// targets, `check` and `stats` read are filled in.
pub fn each(db: &mut Db, filter: &ListFilter, scope: Scope) -> Result<Vec<(Incident, Facts)>> {
    let mut values = Vec::new();
    let selection = select(filter, &scope, &mut values);
    let mut history = match scope.history {
        true => history(db, &selection, &values)?,
        false => HashMap::new(),
    };
    let rows = db.query(
        &format!(
            "SELECT i.id, i.status, i.severity, i.category, i.declared_at, i.resolved_at, i.closed_at, \
             i.acknowledged_at, i.triaged_at, i.title, i.drill, i.started_at FROM incidents AS i \
             WHERE {selection}"
        ),
        &params(&values),
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let incident = Incident {
            id: col(r, 0)?,
            status: col::<Status>(r, 1)?,
            severity: col(r, 2)?,
            category: col::<Category>(r, 3)?,
            declared_at: col::<Stamp>(r, 4)?.0,
            resolved_at: col::<Option<Stamp>>(r, 5)?.map(|s| s.0),
            closed_at: col::<Option<Stamp>>(r, 6)?.map(|s| s.0),
            title: col(r, 9)?,
            services: Vec::new(),
            channels: Vec::new(),
            summary: None,
            detected_by: None,
            started_at: col::<Option<Stamp>>(r, 11)?.map(|s| s.0),
            resolution: None,
            next_update_at: None,
            roles: Vec::new(),
            drill: col(r, 10)?,
            tags: Default::default(),
        };
        let facts = Facts {
            acknowledged: col::<Option<Stamp>>(r, 7)?.map(|s| s.0),
            triaged: col::<Option<Stamp>>(r, 8)?.map(|s| s.0),
            ..history.remove(&incident.id).unwrap_or_default()
        };
        out.push((incident, facts));
    }
    Ok(out)
}

/// A condition on `incidents AS i` selecting what `each` reads, its
/// parameters pushed onto `values`. Unsettled incidents are found through
/// `incidents_unsettled`: never settled, or settled under other targets.
fn select(filter: &ListFilter, scope: &Scope, values: &mut Vec<Value>) -> String {
    let Some(key) = scope.unsettled else {
        let clauses = super::incidents::clauses(filter, "i", values);
        return match clauses.is_empty() {
            true => "true".into(),
            false => clauses.join(" AND "),
        };
    };
    let clauses = super::incidents::clauses(filter, "u", values);
    let and: String = clauses.iter().map(|c| format!(" AND {c}")).collect();
    let key = mark(values, Value::Int(key));
    // `IS DISTINCT FROM` is the same test, but no index serves it: the
    // server would read every incident of the period to find the few.
    let unsettled = format!(
        "SELECT u.id FROM incidents AS u \
         WHERE (u.settled IS NULL OR u.settled < {key} OR u.settled > {key}){and}"
    );
    match scope.page {
        None => format!("i.id IN ({unsettled})"),
        Some((after, limit)) => {
            let after = mark(values, Value::Int(after));
            let limit = mark(values, Value::Int(i64::try_from(limit).unwrap_or(i64::MAX)));
            format!("i.id IN ({unsettled} AND u.id > {after} ORDER BY u.id LIMIT {limit})")
        }
    }
}

/// Which of the incidents a filter selects `each` reads, and how much.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    /// Only those not settled under this targets key.
    pub unsettled: Option<i64>,
    /// With `unsettled`: only the first so many numbered after this one.
    pub page: Option<(i64, usize)>,
    /// Read the update history; without it the facts hold the first
    /// acknowledgement and triage only.
    pub history: bool,
}

impl Scope {
    /// Every incident, with its history.
    pub const ALL: Scope = Scope {
        unsettled: None,
        page: None,
        history: true,
    };
}

/// One incident's response facts, for `show` and `comms`.
pub fn facts_of(db: &mut Db, id: i64) -> Result<Facts> {
    let [history, milestones] = db.pipeline(&facts_statements(id))?;
    facts_from(db, id, history, milestones)
}

/// [`facts_of`]'s statements: the history, and the milestones kept on the
/// incident.
pub fn facts_statements(id: i64) -> [Statement; 2] {
    [
        history_statement("i.id = $1", vec![Value::Int(id)]),
        Statement::new(
            "SELECT acknowledged_at, triaged_at FROM incidents WHERE id = $1",
            vec![Value::Int(id)],
        ),
    ]
}

/// The facts from [`facts_statements`]' rows (reading on only where the
/// severity changed).
pub fn facts_from(db: &mut Db, id: i64, history: Vec<Row>, milestones: Vec<Row>) -> Result<Facts> {
    let mut facts = history_of(db, &history)?.remove(&id).unwrap_or_default();
    let row = milestones
        .first()
        .ok_or_else(|| anyhow!("database {}: incident {id} is gone", db.target))?;
    facts.acknowledged = col::<Option<Stamp>>(row, 0)?.map(|s| s.0);
    facts.triaged = col::<Option<Stamp>>(row, 1)?.map(|s| s.0);
    Ok(facts)
}

/// The status updates and severity changes of the incidents `selection`
/// (a condition on `incidents AS i`) picks, by incident.
fn history(db: &mut Db, selection: &str, values: &[Value]) -> Result<HashMap<i64, Facts>> {
    let rows = db.run(&history_statement(selection, values.to_vec()))?;
    history_of(db, &rows)
}

fn history_statement(selection: &str, values: Vec<Value>) -> Statement {
    Statement::new(
        format!(
            "SELECT e.incident_id, e.at, e.author, e.id, e.kind, e.details \
             FROM incidents AS i JOIN events AS e ON e.incident_id = i.id \
             WHERE {selection} AND e.kind IN {INDEXED_KINDS} ORDER BY e.incident_id, e.at, e.id"
        ),
        values,
    )
}

/// [`history_statement`]'s rows by incident, reading the level at
/// declaration of those whose severity changed.
fn history_of(db: &mut Db, rows: &[Row]) -> Result<HashMap<i64, Facts>> {
    let mut out: HashMap<i64, Facts> = HashMap::new();
    // Incidents whose severity changed: their first change, until the
    // `declared` event says what the level was at declaration.
    let mut changed: BTreeMap<i64, EventData> = BTreeMap::new();
    for r in rows {
        let id: i64 = col(r, 0)?;
        let facts = out.entry(id).or_default();
        let at = col::<Stamp>(r, 1)?.0;
        let data = decode(col(r, 3)?, &col::<String>(r, 4)?, col(r, 5)?)?;
        if let EventData::SeverityChanged(m) = &data {
            facts.severity_changes.push((at, m.to.clone()));
            changed.entry(id).or_insert(data);
        } else if let Some(update) = UpdateFact::of(at, &col::<String>(r, 2)?, &data) {
            facts.updates.push(update);
        }
    }
    if changed.is_empty() {
        return Ok(out);
    }
    // The level at declaration, where it changed since: the first
    // `declared` event of each, all in one query.
    let ids: Vec<i64> = changed.keys().copied().collect();
    let rows = db.query(
        "SELECT DISTINCT ON (incident_id) incident_id, id, details FROM events \
         WHERE incident_id = ANY($1) AND kind = 'declared' ORDER BY incident_id, at, id",
        &[(&ids, Type::INT8_ARRAY)],
    )?;
    let mut declared: HashMap<i64, EventData> = HashMap::new();
    for r in &rows {
        declared.insert(col(r, 0)?, decode(col(r, 1)?, "declared", col(r, 2)?)?);
    }
    for (id, first_change) in changed {
        if let Some(facts) = out.get_mut(&id) {
            facts.initial_severity =
                targets::initial_severity(declared.get(&id).into_iter().chain([&first_change]));
        }
    }
    Ok(out)
}

/// An event's typed data, or the error that names the event.
fn decode(id: i64, kind: &str, details: Option<String>) -> Result<EventData> {
    EventData::from_stored(kind, details.as_deref())
        .map_err(|e| anyhow!("event {id}: {e}; run 'incident verify'"))
}
