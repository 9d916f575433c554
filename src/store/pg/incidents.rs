//! Queries on the `incidents` and `roles` tables (as `sqlite/incidents.rs`).

use super::Db;
use super::sql::{JsonList, Stamp, Statement, Value, col, p, params};
use crate::domain::{Incident, RoleHolder};
use crate::store::ListFilter;
use anyhow::{Result, anyhow};
use chrono::{DateTime, Utc};
use tokio_postgres::Row;

/// The columns every incident query selects, in `from_row` order. Current
/// role holders come along as one JSON array of [role, person, since], in
/// key order: `from_row` puts them in order of assignment.
const COLUMNS: &str = "i.id, i.title, i.status, i.severity, i.category, i.services, i.channels, \
     i.summary, i.detected_by, i.started_at, i.declared_at, i.resolved_at, i.closed_at, \
     i.resolution, i.next_update_at, \
     (SELECT coalesce(json_agg(json_build_array(r.role, r.person, r.since) ORDER BY r.role, r.person)::text, '[]') \
      FROM roles AS r WHERE r.incident_id = i.id), \
     i.drill, \
     (SELECT coalesce(json_agg(json_build_array(t.tag_key, t.tag_value) ORDER BY t.tag_key)::text, '[]') \
      FROM incident_tags AS t WHERE t.incident_id = i.id)";

fn from_row(row: &Row) -> Result<Incident> {
    let roles: String = col(row, 15)?;
    let mut held: Vec<(String, String, String)> = serde_json::from_str(&roles)
        .map_err(|e| anyhow!("the roles of an incident do not read back: {e}"))?;
    // In order of assignment (`since`, then role), as the SQLite backend.
    held.sort_by(|a, b| (&a.2, &a.0).cmp(&(&b.2, &b.0)));
    let pairs = held
        .into_iter()
        .map(|(role, person, _)| (super::sql::unescape(role), super::sql::unescape(person)));
    let tags: String = col(row, 17)?;
    let tags: Vec<(String, String)> =
        serde_json::from_str(&tags).map_err(|e| anyhow!("the tags of an incident do not read back: {e}"))?;
    let tags: Vec<(String, String)> = tags
        .into_iter()
        .map(|(k, v)| (super::sql::unescape(k), super::sql::unescape(v)))
        .collect();
    Ok(Incident {
        id: col(row, 0)?,
        title: col(row, 1)?,
        status: col(row, 2)?,
        severity: col(row, 3)?,
        category: col(row, 4)?,
        services: col::<JsonList>(row, 5)?.0,
        channels: col::<JsonList>(row, 6)?.0,
        summary: col(row, 7)?,
        detected_by: col(row, 8)?,
        started_at: col::<Option<Stamp>>(row, 9)?.map(|s| s.0),
        declared_at: col::<Stamp>(row, 10)?.0,
        resolved_at: col::<Option<Stamp>>(row, 11)?.map(|s| s.0),
        closed_at: col::<Option<Stamp>>(row, 12)?.map(|s| s.0),
        resolution: col(row, 13)?,
        next_update_at: col::<Option<Stamp>>(row, 14)?.map(|s| s.0),
        roles: pairs.map(|(role, person)| RoleHolder { role, person }).collect(),
        drill: col(row, 16)?,
        tags: tags.into_iter().collect(),
    })
}

pub fn get(db: &mut Db, id: i64) -> Result<Option<Incident>> {
    one_of(db.run(&get_statement(id))?)
}

pub fn get_statement(id: i64) -> Statement {
    Statement::new(
        format!("SELECT {COLUMNS} FROM incidents AS i WHERE i.id = $1"),
        vec![Value::Int(id)],
    )
}

/// The incident of [`get_statement`]'s rows.
pub fn one_of(rows: Vec<Row>) -> Result<Option<Incident>> {
    rows.first().map(from_row).transpose()
}

/// The next placeholder for a value pushed onto `values`.
pub(super) fn mark(values: &mut Vec<Value>, value: Value) -> String {
    values.push(value);
    format!("${}", values.len())
}

/// The WHERE clause for a filter, its parameters pushed onto `values`.
pub(super) fn conditions(filter: &ListFilter, values: &mut Vec<Value>) -> String {
    let clauses = clauses(filter, "i", values);
    if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    }
}

/// The filter's conditions on the incidents table under the alias `i`,
/// their parameters pushed onto `values`.
pub(super) fn clauses(filter: &ListFilter, i: &str, values: &mut Vec<Value>) -> Vec<String> {
    let mut clauses = Vec::new();
    if !filter.statuses.is_empty() {
        let marks: Vec<String> = filter
            .statuses
            .iter()
            .map(|s| mark(values, Value::Text(s.as_str().into())))
            .collect();
        clauses.push(format!("{i}.status IN ({})", marks.join(", ")));
    }
    if !filter.severities.is_empty() {
        let marks: Vec<String> = filter
            .severities
            .iter()
            .map(|s| mark(values, Value::Text(s.clone())))
            .collect();
        clauses.push(format!("{i}.severity IN ({})", marks.join(", ")));
    }
    if let Some(since) = filter.since {
        let m = mark(values, Value::Text(crate::time::to_rfc3339(since)));
        clauses.push(format!("{i}.declared_at >= {m}"));
    }
    if let Some(drill) = filter.drill {
        clauses.push(format!("{i}.drill = {}", if drill { "true" } else { "false" }));
    }
    for (key, value) in &filter.tags {
        let k = mark(values, Value::Text(key.clone()));
        let v = mark(values, Value::Text(value.clone()));
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM incident_tags AS t WHERE t.incident_id = {i}.id AND t.tag_key = {k} AND t.tag_value = {v})"
        ));
    }
    clauses
}

pub fn ids(db: &mut Db) -> Result<Vec<i64>> {
    db.query("SELECT id FROM incidents ORDER BY id", &[])?
        .iter()
        .map(|r| col(r, 0))
        .collect()
}

pub fn count(db: &mut Db, filter: &ListFilter) -> Result<usize> {
    let mut values = Vec::new();
    let conditions = conditions(filter, &mut values);
    let row = db.query_one(
        &format!("SELECT count(*) FROM incidents AS i {conditions}"),
        &params(&values),
    )?;
    Ok(col::<i64>(&row, 0)? as usize)
}

/// The matching incidents, most severe first by `severity_order` (unknown
/// levels last), then oldest, then by number; at most `filter.limit`.
pub fn each(db: &mut Db, filter: &ListFilter, severity_order: &[String]) -> Result<Vec<Incident>> {
    let mut found = Vec::new();
    stream(db, filter, severity_order, &mut |i| {
        found.push(i);
        Ok(())
    })?;
    Ok(found)
}

/// The matching incidents as [`each`] orders them, handed to `f` as they
/// arrive from the server: 100,000 of them never sit in memory at once.
pub fn stream(
    db: &mut Db,
    filter: &ListFilter,
    severity_order: &[String],
    f: &mut dyn FnMut(Incident) -> Result<()>,
) -> Result<()> {
    let mut values = Vec::new();
    let conditions = conditions(filter, &mut values);
    // Each level's rank by its first position, as SQLite's CASE picks the
    // first WHEN that matches; with no order, no rank (a CASE needs a WHEN).
    let mut rank = String::new();
    if !severity_order.is_empty() {
        rank.push_str("CASE i.severity");
        for (position, name) in severity_order.iter().enumerate() {
            let m = mark(&mut values, Value::Text(name.clone()));
            rank.push_str(&format!(" WHEN {m} THEN {position}"));
        }
        rank.push_str(&format!(" ELSE {} END, ", severity_order.len()));
    }
    let limit = match filter.limit {
        Some(n) => format!(
            " LIMIT {}",
            mark(&mut values, Value::Int(i64::try_from(n).unwrap_or(i64::MAX)))
        ),
        None => String::new(),
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM incidents AS i {conditions} ORDER BY {rank}i.declared_at, i.id{limit}"
    );
    let target = db.target.clone();
    let mut rows = db
        .client
        .rows(&sql, &params(&values))
        .map_err(|e| target.explain(&e))?;
    while let Some(row) = rows.next().map_err(|e| target.explain(&e))? {
        f(from_row(&row)?)?;
    }
    Ok(())
}

pub fn insert(db: &mut Db, d: &Incident) -> Result<i64> {
    let uid = uuid::Uuid::new_v4().to_string();
    let services = JsonList(d.services.clone());
    let channels = JsonList(d.channels.clone());
    let (started, declared, resolved, closed, next) = (
        d.started_at.map(Stamp),
        Stamp(d.declared_at),
        d.resolved_at.map(Stamp),
        d.closed_at.map(Stamp),
        d.next_update_at.map(Stamp),
    );
    // The number as SQLite gives it: one past the highest, under the
    // writers' lock, so numbers stay unique and gap-free.
    let row = db.query_one(
        "INSERT INTO incidents (id, title, status, severity, category, services, channels, summary, \
         detected_by, started_at, declared_at, resolved_at, closed_at, resolution, next_update_at, uid, drill) \
         VALUES ((SELECT coalesce(max(id), 0) + 1 FROM incidents), $1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, $12, $13, $14, $15, $16) RETURNING id",
        &p![
            d.title,
            d.status,
            d.severity,
            d.category,
            services,
            channels,
            d.summary,
            d.detected_by,
            started,
            declared,
            resolved,
            closed,
            d.resolution,
            next,
            uid,
            d.drill
        ],
    )?;
    col(&row, 0)
}

/// Replaces the incident's drill mark and tags with what its events say.
pub fn set_labels(
    db: &mut Db,
    id: i64,
    drill: bool,
    tags: &std::collections::BTreeMap<String, String>,
) -> Result<()> {
    db.query("UPDATE incidents SET drill = $2 WHERE id = $1", &p![id, drill])?;
    db.query("DELETE FROM incident_tags WHERE incident_id = $1", &p![id])?;
    for (key, value) in tags {
        db.query(
            "INSERT INTO incident_tags (incident_id, tag_key, tag_value) VALUES ($1, $2, $3)",
            &p![id, key, value],
        )?;
    }
    Ok(())
}

/// Records a change from CI; returns its number (one past the highest,
/// under the writers' lock, as SQLite numbers it).
pub fn insert_change(
    db: &mut Db,
    c: &crate::domain::plans::ChangeRecord,
    recorded_at: DateTime<Utc>,
) -> Result<i64> {
    let row = db.query_one(
        "INSERT INTO changes (id, at, recorded_at, author, title, kind, services, link) \
         VALUES ((SELECT coalesce(max(id), 0) + 1 FROM changes), $1, $2, $3, $4, $5, $6, $7) RETURNING id",
        &p![
            Stamp(c.at),
            Stamp(recorded_at),
            c.author,
            c.title,
            c.kind,
            JsonList(c.services.clone()),
            c.link
        ],
    )?;
    col(&row, 0)
}

/// The changes made from `since` to `until`, oldest first.
pub fn changes(
    db: &mut Db,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<crate::domain::plans::ChangeRecord>> {
    db.query(
        "SELECT id, at, title, kind, services, link, author FROM changes \
         WHERE at >= $1 AND at <= $2 ORDER BY at, id",
        &p![Stamp(since), Stamp(until)],
    )?
    .iter()
    .map(|r| {
        Ok(crate::domain::plans::ChangeRecord {
            id: col(r, 0)?,
            at: col::<Stamp>(r, 1)?.0,
            title: col(r, 2)?,
            kind: col(r, 3)?,
            services: col::<JsonList>(r, 4)?.0,
            link: col(r, 5)?,
            author: col(r, 6)?,
        })
    })
    .collect()
}

pub fn update(db: &mut Db, d: &Incident) -> Result<()> {
    let services = JsonList(d.services.clone());
    let channels = JsonList(d.channels.clone());
    let (started, resolved, closed, next) = (
        d.started_at.map(Stamp),
        d.resolved_at.map(Stamp),
        d.closed_at.map(Stamp),
        d.next_update_at.map(Stamp),
    );
    db.query(
        "UPDATE incidents SET title = $2, status = $3, severity = $4, category = $5, services = $6, \
         channels = $7, summary = $8, detected_by = $9, started_at = $10, resolved_at = $11, \
         closed_at = $12, resolution = $13, next_update_at = $14 WHERE id = $1",
        &p![
            d.id,
            d.title,
            d.status,
            d.severity,
            d.category,
            services,
            channels,
            d.summary,
            d.detected_by,
            started,
            resolved,
            closed,
            d.resolution,
            next
        ],
    )?;
    Ok(())
}

pub fn add_role(db: &mut Db, id: i64, role: &str, person: &str, now: DateTime<Utc>) -> Result<()> {
    db.query(
        "INSERT INTO roles (incident_id, role, person, since) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
        &p![id, role, person, Stamp(now)],
    )?;
    Ok(())
}

pub fn remove_role(db: &mut Db, id: i64, role: &str, person: &str) -> Result<()> {
    db.query(
        "DELETE FROM roles WHERE incident_id = $1 AND role = $2 AND person = $3",
        &p![id, role, person],
    )?;
    Ok(())
}
