//! Queries on the `alerts` table.

use super::sql::Stamp;
use crate::domain::alerts::{Alert, AlertSource, AlertStatus};
use crate::store::{AlertFilter, Put};
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
    conn.prepare_cached(&sql)?
        .query_map(params_from_iter(values), from_row)?
        .collect()
}

/// Stores an alert: a new one keeps its number where that is free (else
/// takes the next), a known one is updated; returns its number.
pub fn put(conn: &Connection, alert: &Alert, put: Put) -> rusqlite::Result<i64> {
    if put == Put::Insert {
        let taken = alert.id < 1
            || conn
                .prepare_cached("SELECT 1 FROM alerts WHERE id = ?1")?
                .exists([alert.id])?;
        return insert(conn, alert, (!taken).then_some(alert.id));
    }
    let labels = serde_json::to_string(&alert.labels)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let stamp = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(Stamp);
    conn.prepare_cached(
        "UPDATE alerts SET group_key = ?2, status = ?3, summary = ?4, severity = ?5, service = ?6, \
         labels = ?7, link = ?8, starts_at = ?9, ends_at = ?10, last_seen = ?11, times_seen = ?12, \
         incident_id = ?13, first_seen = ?14, seal = ?15 WHERE id = ?1",
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
        Stamp(alert.first_seen),
        alert.seal(),
    ])?;
    Ok(alert.id)
}

/// Inserts `alert` as a new row numbered `id` (`None`: the next number).
fn insert(conn: &Connection, alert: &Alert, id: Option<i64>) -> rusqlite::Result<i64> {
    let labels = serde_json::to_string(&alert.labels)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let stamp = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(Stamp);
    conn.prepare_cached(
        "INSERT INTO alerts (id, source, identity, group_key, status, summary, severity, service, labels, \
         link, starts_at, ends_at, first_seen, last_seen, times_seen, incident_id, seal) \
         VALUES (?16, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?17)",
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
        id,
        alert.seal(),
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The seal each selected alert's row was written with.
pub fn seals(conn: &Connection, filter: &AlertFilter) -> rusqlite::Result<Vec<(i64, Option<String>)>> {
    let ids: Vec<i64> = select(conn, filter)?.iter().map(|a| a.id).collect();
    let mut statement = conn.prepare_cached("SELECT seal FROM alerts WHERE id = ?1")?;
    ids.into_iter()
        .map(|id| Ok((id, statement.query_row([id], |r| r.get(0))?)))
        .collect()
}

/// Seals every alert row as it stands: the code half of the migration that
/// added the seal (schema_references.sql).
pub fn seal_all(conn: &Connection) -> rusqlite::Result<()> {
    let mut update = conn.prepare("UPDATE alerts SET seal = ?2 WHERE id = ?1")?;
    for alert in select(conn, &AlertFilter::default())? {
        update.execute(params![alert.id, alert.seal()])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::alerts::{Signal, observe};

    fn alert(identity: &str, group: Option<&str>, status: AlertStatus) -> Alert {
        let signal = Signal {
            source: AlertSource::Alertmanager,
            identity: identity.into(),
            group: group.map(String::from),
            status,
            summary: format!("alert {identity}"),
            severity: Some("critical".into()),
            service: None,
            labels: BTreeMap::from([("a".to_string(), "1".to_string())]),
            starts_at: None,
            ends_at: None,
            link: None,
        };
        observe(None, &signal, "2026-11-23T08:00:00Z".parse().unwrap()).0
    }

    #[test]
    fn alerts_are_saved_updated_and_selected_by_every_filter() {
        let conn = Connection::open_in_memory().unwrap();
        super::super::migrations::upgrade(&conn, 0).unwrap();
        conn.execute_batch(
            "INSERT INTO incidents (id, title, status, severity, category, declared_at, uid, head)
               VALUES (7, 'x', 'investigating', 'SEV1', 'other', '2026-11-23T08:00:00Z', 'u', '')",
        )
        .unwrap();
        let mut a = alert("a", Some("g"), AlertStatus::Firing);
        a.id = put(&conn, &a, Put::Insert).unwrap();
        let b = alert("b", Some("g"), AlertStatus::Resolved);
        let b_id = put(&conn, &b, Put::Insert).unwrap();
        a.incident_id = Some(7);
        a.times_seen = 3;
        a.last_seen = "2026-11-23T09:00:00Z".parse().unwrap();
        assert_eq!(put(&conn, &a, Put::Update).unwrap(), a.id);

        let get = |f: AlertFilter| -> Vec<i64> { select(&conn, &f).unwrap().iter().map(|x| x.id).collect() };
        assert_eq!(
            get(AlertFilter::default()),
            [a.id, b_id],
            "most recently seen first"
        );
        assert_eq!(
            select(
                &conn,
                &AlertFilter {
                    id: Some(a.id),
                    ..Default::default()
                }
            )
            .unwrap(),
            [a.clone()]
        );
        let by = |identity: &str| AlertFilter {
            identity: Some((AlertSource::Alertmanager, identity.into())),
            ..Default::default()
        };
        assert_eq!(get(by("b")), [b_id]);
        assert!(
            get(AlertFilter {
                identity: Some((AlertSource::Generic, "b".into())),
                ..Default::default()
            })
            .is_empty()
        );
        let group = AlertFilter {
            group: Some((AlertSource::Alertmanager, "g".into())),
            ..Default::default()
        };
        assert_eq!(get(group), [a.id], "only a group's alerts that have an incident");
        assert_eq!(
            get(AlertFilter {
                incident_id: Some(7),
                ..Default::default()
            }),
            [a.id]
        );
        assert_eq!(
            get(AlertFilter {
                firing: true,
                ..Default::default()
            }),
            [a.id]
        );
        assert_eq!(
            get(AlertFilter {
                limit: Some(1),
                ..Default::default()
            }),
            [a.id]
        );
        // One row per source and identity.
        let mut again = alert("a", None, AlertStatus::Firing);
        again.id = 0;
        assert!(put(&conn, &again, Put::Insert).is_err());
    }
}
