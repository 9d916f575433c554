//! Queries on the `alerts` table (as `sqlite/alerts.rs`).

use super::Db;
use super::incidents::mark;
use super::sql::{Stamp, Statement, Value, col, p};
use crate::domain::alerts::{Alert, AlertSource, AlertStatus};
use crate::store::{AlertFilter, Put};
use anyhow::{Result, anyhow};
use std::collections::BTreeMap;
use tokio_postgres::Row;

const COLUMNS: &str = "id, source, identity, group_key, status, summary, severity, service, labels, link, \
     starts_at, ends_at, first_seen, last_seen, times_seen, incident_id";

fn text_enum<T: std::str::FromStr<Err = String>>(row: &Row, i: usize) -> Result<T> {
    let text: String = col(row, i)?;
    text.parse()
        .map_err(|e: String| anyhow!("an alert does not read back: {e}"))
}

fn from_row(row: &Row) -> Result<Alert> {
    let labels: String = col(row, 8)?;
    let labels: BTreeMap<String, String> =
        serde_json::from_str(&labels).map_err(|e| anyhow!("an alert's labels do not read back: {e}"))?;
    Ok(Alert {
        id: col(row, 0)?,
        source: text_enum::<AlertSource>(row, 1)?,
        identity: col(row, 2)?,
        group: col(row, 3)?,
        status: text_enum::<AlertStatus>(row, 4)?,
        summary: col(row, 5)?,
        severity: col(row, 6)?,
        service: col(row, 7)?,
        labels,
        link: col(row, 9)?,
        starts_at: col::<Option<Stamp>>(row, 10)?.map(|s| s.0),
        ends_at: col::<Option<Stamp>>(row, 11)?.map(|s| s.0),
        first_seen: col::<Stamp>(row, 12)?.0,
        last_seen: col::<Stamp>(row, 13)?.0,
        times_seen: col(row, 14)?,
        incident_id: col(row, 15)?,
    })
}

/// The alerts `filter` selects, most recently seen first.
pub fn select_of(rows: Vec<Row>) -> Result<Vec<Alert>> {
    rows.iter().map(from_row).collect()
}

pub fn select_statement(filter: &AlertFilter) -> Statement {
    let mut clauses: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(id) = filter.id {
        clauses.push(format!("id = {}", mark(&mut values, Value::Int(id))));
    }
    if let Some((source, identity)) = &filter.identity {
        clauses.push(format!(
            "source = {}",
            mark(&mut values, Value::Text(source.as_str().into()))
        ));
        clauses.push(format!(
            "identity = {}",
            mark(&mut values, Value::Text(identity.clone()))
        ));
    }
    if let Some((source, group)) = &filter.group {
        clauses.push(format!(
            "source = {}",
            mark(&mut values, Value::Text(source.as_str().into()))
        ));
        clauses.push(format!(
            "group_key = {}",
            mark(&mut values, Value::Text(group.clone()))
        ));
        clauses.push("incident_id IS NOT NULL".into());
    }
    if let Some(incident) = filter.incident_id {
        clauses.push(format!(
            "incident_id = {}",
            mark(&mut values, Value::Int(incident))
        ));
    }
    if filter.firing {
        clauses.push("status = 'firing'".into());
    }
    if filter.unattached {
        clauses.push("incident_id IS NULL".into());
    }
    let mut sql = format!("SELECT {COLUMNS} FROM alerts");
    if !clauses.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&clauses.join(" AND "));
    }
    sql.push_str(" ORDER BY last_seen DESC, id DESC");
    if let Some(limit) = filter.limit {
        sql.push_str(&format!(" LIMIT {limit}"));
    }
    Statement::new(sql, values)
}

/// Stores an alert: a new one keeps its number where that is free (else
/// one past the highest, under the writers' lock, as SQLite numbers it), a
/// known one is updated; returns its number. A new alert without a number
/// of its own takes the next free one the transaction knows, and its
/// insert, like every update, waits for the next round trip
/// (`Db::defer`).
pub fn put(db: &mut Db, alert: &Alert, put: Put) -> Result<i64> {
    if put == Put::Insert {
        if alert.id < 1
            && let Some(id) = db.numbers.alert
        {
            db.numbers.alert = Some(id + 1);
            db.defer(Statement::new(INSERT, values(alert, Some(id))));
            return Ok(id);
        }
        let taken = alert.id < 1
            || db
                .query_opt("SELECT 1 FROM alerts WHERE id = $1", &p![alert.id])?
                .is_some();
        let id = insert(db, alert, (!taken).then_some(alert.id))?;
        // Numbered by the server, or as asked: the next free number this
        // transaction knew may be taken now.
        db.numbers.alert = None;
        return Ok(id);
    }
    db.defer(Statement::new(
        "UPDATE alerts SET source = $1, identity = $2, group_key = $3, status = $4, summary = $5, \
         severity = $6, service = $7, labels = $8, link = $9, starts_at = $10, ends_at = $11, \
         first_seen = $12, last_seen = $13, times_seen = $14, incident_id = $15, seal = $17 WHERE id = $16",
        values(alert, Some(alert.id)),
    ));
    Ok(alert.id)
}

const INSERT: &str = "INSERT INTO alerts (source, identity, group_key, status, summary, severity, service, labels, \
     link, starts_at, ends_at, first_seen, last_seen, times_seen, incident_id, id, seal) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
     coalesce($16, (SELECT coalesce(max(id), 0) + 1 FROM alerts)), $17)";

/// An alert's columns as `INSERT` and the update number them, `id` then
/// its seal last.
fn values(alert: &Alert, id: Option<i64>) -> Vec<Value> {
    let stamp = |t: Option<chrono::DateTime<chrono::Utc>>| Value::OptText(t.map(crate::time::to_rfc3339));
    vec![
        Value::Text(alert.source.as_str().into()),
        Value::Text(alert.identity.clone()),
        Value::OptText(alert.group.clone()),
        Value::Text(alert.status.as_str().into()),
        Value::Text(alert.summary.clone()),
        Value::OptText(alert.severity.clone()),
        Value::OptText(alert.service.clone()),
        Value::Text(serde_json::to_string(&alert.labels).unwrap_or_else(|_| "{}".into())),
        Value::OptText(alert.link.clone()),
        stamp(alert.starts_at),
        stamp(alert.ends_at),
        stamp(Some(alert.first_seen)),
        stamp(Some(alert.last_seen)),
        Value::Int(alert.times_seen),
        Value::OptInt(alert.incident_id),
        Value::OptInt(id),
        Value::Text(alert.seal()),
    ]
}

/// Inserts `alert` as a new row numbered `id` (`None`: the next number,
/// allocated under the writers' lock like every other), at once; returns
/// its number.
fn insert(db: &mut Db, alert: &Alert, id: Option<i64>) -> Result<i64> {
    let row = db.run(&Statement::new(
        format!("{INSERT} RETURNING id"),
        values(alert, id),
    ))?;
    let row = row
        .first()
        .ok_or_else(|| anyhow!("database {}: an insert gave no number", db.target))?;
    col(row, 0)
}

/// The seal each selected alert's row was written with.
pub fn seals_statement(filter: &AlertFilter) -> Statement {
    let select = select_statement(filter);
    Statement::new(
        format!(
            "SELECT s.id, a.seal FROM ({}) AS s JOIN alerts AS a ON a.id = s.id",
            select.sql
        ),
        select.values,
    )
}

pub fn seals_of(rows: Vec<Row>) -> Result<Vec<(i64, Option<String>)>> {
    rows.iter().map(|r| Ok((col(r, 0)?, col(r, 1)?))).collect()
}

/// Seals every alert row as it stands: the code half of the migration that
/// added the seal (schema_references.sql), in the migration's transaction.
pub fn seal_all(db: &mut Db) -> Result<(), super::client::Error> {
    let select = select_statement(&AlertFilter::default());
    let rows = db
        .client
        .query(&select.sql, &super::sql::params(&select.values))?;
    for row in &rows {
        // A row that does not read back is left unsealed: `verify` names it.
        if let Ok(alert) = from_row(row) {
            db.client.query(
                "UPDATE alerts SET seal = $2 WHERE id = $1",
                &[
                    (&alert.id, tokio_postgres::types::Type::INT8),
                    (&alert.seal(), tokio_postgres::types::Type::TEXT),
                ],
            )?;
        }
    }
    Ok(())
}
