//! Queries on the `assessments` table: triage records, append-only; the
//! current assessment of an incident is its latest (as
//! `sqlite/assessments.rs`).

use super::Db;
use super::sql::{JsonList, Stamp, Statement, Value, col, p};
use crate::domain::triage::{Answers, Assessment, Factor, normalize_checks};
use crate::store::Of;
use anyhow::{Result, anyhow};
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

/// The assessments of the incidents `of` selects, oldest first.
pub fn select_statement(of: Of<'_>) -> Statement {
    let mut values = Vec::new();
    let from = match of {
        Of::Incident(id) => {
            let m = super::incidents::mark(&mut values, Value::Int(id));
            format!("assessments AS a WHERE a.incident_id = {m}")
        }
        Of::Incidents(ids) => {
            let marks: Vec<String> = ids
                .iter()
                .map(|id| super::incidents::mark(&mut values, Value::Int(*id)))
                .collect();
            match marks.is_empty() {
                true => "assessments AS a WHERE false".into(),
                false => format!("assessments AS a WHERE a.incident_id IN ({})", marks.join(", ")),
            }
        }
        Of::Selected(filter) => {
            let selection = super::incidents::selection(filter, &mut values);
            format!("incidents AS i JOIN assessments AS a ON a.incident_id = i.id WHERE {selection}")
        }
        Of::All => "assessments AS a".into(),
    };
    Statement::new(format!("SELECT {COLUMNS} FROM {from} ORDER BY a.id"), values)
}

pub fn select_of(rows: Vec<Row>) -> Result<Vec<Assessment>> {
    rows.iter().map(from_row).collect()
}
