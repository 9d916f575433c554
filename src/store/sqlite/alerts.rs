//! Queries on the `alerts` table.

use super::sql::Stamp;
use crate::domain::alerts::{Alert, AlertSource, AlertStatus};
use crate::store::AlertFilter;
use rusqlite::types::Value;
use rusqlite::{Connection, Row, params, params_from_iter};
use std::collections::BTreeMap;

const COLUMNS: &str = "id, source, identity, group_key, status, summary, severity, service, labels, link, \
     starts_at, ends_at, first_seen, last_seen, times_seen, incident_id";

fn text_enum<T: std::str::FromStr<Err = String>>(row: &Row<'_>, i: usize) -> rusqlite::Result<T> {
    let text: String = row.get(i)?;
    text.parse().map_err(|e: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    })
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Alert> {
    let labels: String = row.get(8)?;
    let labels: BTreeMap<String, String> = serde_json::from_str(&labels).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(8, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(Alert {
        id: row.get(0)?,
        source: text_enum::<AlertSource>(row, 1)?,
        identity: row.get(2)?,
        group: row.get(3)?,
        status: text_enum::<AlertStatus>(row, 4)?,
        summary: row.get(5)?,
        severity: row.get(6)?,
        service: row.get(7)?,
        labels,
        link: row.get(9)?,
        starts_at: row.get::<_, Option<Stamp>>(10)?.map(|s| s.0),
        ends_at: row.get::<_, Option<Stamp>>(11)?.map(|s| s.0),
        first_seen: row.get::<_, Stamp>(12)?.0,
        last_seen: row.get::<_, Stamp>(13)?.0,
        times_seen: row.get(14)?,
        incident_id: row.get(15)?,
    })
}

/// The alerts `filter` selects, most recently seen first.
pub fn select(conn: &Connection, filter: &AlertFilter) -> rusqlite::Result<Vec<Alert>> {
    let mut clauses: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let param = |clause: &str, value: Value, values: &mut Vec<Value>, clauses: &mut Vec<String>| {
        values.push(value);
        clauses.push(clause.replace('?', &format!("?{}", values.len())));
    };
    if let Some(id) = filter.id {
        param("id = ?", Value::Integer(id), &mut values, &mut clauses);
    }
    if let Some((source, identity)) = &filter.identity {
        param(
            "source = ?",
            Value::Text(source.as_str().into()),
            &mut values,
            &mut clauses,
        );
        param(
            "identity = ?",
            Value::Text(identity.clone()),
            &mut values,
            &mut clauses,
        );
    }
    if let Some((source, group)) = &filter.group {
        param(
            "source = ?",
            Value::Text(source.as_str().into()),
            &mut values,
            &mut clauses,
        );
        param(
            "group_key = ?",
            Value::Text(group.clone()),
            &mut values,
            &mut clauses,
        );
        clauses.push("incident_id IS NOT NULL".into());
    }
    if let Some(incident) = filter.incident_id {
        param(
            "incident_id = ?",
            Value::Integer(incident),
            &mut values,
            &mut clauses,
        );
    }
    if filter.firing {
        clauses.push("status = 'firing'".into());
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
    conn.prepare_cached(&sql)?
        .query_map(params_from_iter(values), from_row)?
        .collect()
}

/// Inserts a new alert (id 0) or updates it; returns its id.
pub fn save(conn: &Connection, alert: &Alert) -> rusqlite::Result<i64> {
    let labels = serde_json::to_string(&alert.labels)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let stamp = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(Stamp);
    if alert.id == 0 {
        conn.prepare_cached(
            "INSERT INTO alerts (source, identity, group_key, status, summary, severity, service, labels, \
             link, starts_at, ends_at, first_seen, last_seen, times_seen, incident_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?
        .execute(params![
            alert.source.as_str(),
            alert.identity,
            alert.group,
            alert.status.as_str(),
            alert.summary,
            alert.severity,
            alert.service,
            labels,
            alert.link,
            stamp(alert.starts_at),
            stamp(alert.ends_at),
            Stamp(alert.first_seen),
            Stamp(alert.last_seen),
            alert.times_seen,
            alert.incident_id,
        ])?;
        return Ok(conn.last_insert_rowid());
    }
    conn.prepare_cached(
        "UPDATE alerts SET group_key = ?2, status = ?3, summary = ?4, severity = ?5, service = ?6, \
         labels = ?7, link = ?8, starts_at = ?9, ends_at = ?10, last_seen = ?11, times_seen = ?12, \
         incident_id = ?13 WHERE id = ?1",
    )?
    .execute(params![
        alert.id,
        alert.group,
        alert.status.as_str(),
        alert.summary,
        alert.severity,
        alert.service,
        labels,
        alert.link,
        stamp(alert.starts_at),
        stamp(alert.ends_at),
        Stamp(alert.last_seen),
        alert.times_seen,
        alert.incident_id,
    ])?;
    Ok(alert.id)
}
