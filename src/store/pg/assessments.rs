//! Queries on the `assessments` table: triage records, append-only; the
//! current assessment of an incident is its latest (as
//! `sqlite/assessments.rs`).

use super::Db;
use super::incidents::conditions;
use super::sql::{JsonList, Stamp, Statement, Value, col, p, params};
use crate::domain::triage::{Answers, Assessment, Factor, normalize_checks};
use crate::store::ListFilter;
use anyhow::{Result, anyhow};
use std::collections::HashMap;
use tokio_postgres::Row;

const COLUMNS: &str = "a.id, a.incident_id, a.event_id, a.at, a.author, a.impact, a.sees, a.customers, \
     a.impact_started_at, a.tickets, a.factors, a.checked, a.suggested, a.reason, a.severity";

fn from_row(row: &Row) -> Result<Assessment> {
    let id: i64 = col(row, 0)?;
    let bad = |what: &str, e: String| anyhow!("assessment {id}: {what}: {e}; run 'incident verify'");
    let factors = col::<JsonList>(row, 10)?
        .0
        .iter()
        .map(|f| f.parse::<Factor>().map_err(|e| bad("factors", e)))
        .collect::<Result<Vec<_>>>()?;
    let checked = normalize_checks(&col::<JsonList>(row, 11)?.0).map_err(|e| bad("checked", e))?;
    let tickets: i64 = col(row, 9)?;
    Ok(Assessment {
        id,
        incident_id: col(row, 1)?,
        event_id: col(row, 2)?,
        at: col::<Stamp>(row, 3)?.0,
        author: col(row, 4)?,
        answers: Answers {
            impact: col(row, 5)?,
            sees: col(row, 6)?,
            customers: col(row, 7)?,
            started_at: col::<Stamp>(row, 8)?.0,
            tickets: u32::try_from(tickets).map_err(|e| bad("tickets", e.to_string()))?,
            factors,
            checked,
        },
        suggested: col(row, 12)?,
        reason: col(row, 13)?,
        severity: col(row, 14)?,
    })
}

/// Stores `a` (its `id` is ignored: one past the highest, under the
/// writers' lock) and returns its id.
pub fn insert(db: &mut Db, a: &Assessment) -> Result<i64> {
    let factors = JsonList(a.answers.factors.iter().map(|f| f.to_string()).collect());
    let checked = JsonList(a.answers.checked.iter().map(|c| c.to_string()).collect());
    let tickets = i64::from(a.answers.tickets);
    let row = db.query_one(
        "INSERT INTO assessments (id, incident_id, event_id, at, author, impact, sees, customers, \
         impact_started_at, tickets, factors, checked, suggested, reason, severity) \
         VALUES ((SELECT coalesce(max(id), 0) + 1 FROM assessments), $1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, $12, $13, $14) RETURNING id",
        &p![
            a.incident_id,
            a.event_id,
            Stamp(a.at),
            a.author,
            a.answers.impact,
            a.answers.sees,
            a.answers.customers,
            Stamp(a.answers.started_at),
            tickets,
            factors,
            checked,
            a.suggested,
            a.reason,
            a.severity
        ],
    )?;
    col(&row, 0)
}

/// Every assessment of an incident, oldest first.
pub fn all(db: &mut Db, incident_id: i64) -> Result<Vec<Assessment>> {
    all_of(db.run(&all_statement(incident_id))?)
}

pub fn all_statement(incident_id: i64) -> Statement {
    Statement::new(
        format!("SELECT {COLUMNS} FROM assessments AS a WHERE a.incident_id = $1 ORDER BY a.id"),
        vec![Value::Int(incident_id)],
    )
}

pub fn all_of(rows: Vec<Row>) -> Result<Vec<Assessment>> {
    rows.iter().map(from_row).collect()
}

/// The current assessments of the incidents `filter` matches (ignoring its
/// limit), in one query, by incident id.
pub fn current_for(db: &mut Db, filter: &ListFilter) -> Result<HashMap<i64, Assessment>> {
    let mut values = Vec::new();
    let conditions = conditions(filter, &mut values);
    let sql = format!(
        "SELECT {COLUMNS} FROM incidents AS i JOIN assessments AS a ON a.incident_id = i.id \
         AND a.id = (SELECT max(b.id) FROM assessments AS b WHERE b.incident_id = i.id) {conditions}"
    );
    db.query(&sql, &params(&values))?
        .iter()
        .map(|r| from_row(r).map(|a| (a.incident_id, a)))
        .collect()
}
