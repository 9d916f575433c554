//! Queries on the `incidents` and `roles` tables (as `sqlite/incidents.rs`).

use super::Db;
use super::sql::{JsonList, Stamp, Statement, Value, col, p, params};
use crate::domain::similar::{Likeness, Print};
use crate::domain::targets::Milestones;
use crate::domain::{Brief, Incident, RoleHolder};
use crate::store::{ListFilter, Order};
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
      FROM incident_tags AS t WHERE t.incident_id = i.id), \
     i.acknowledged_at, i.triaged_at";

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
        milestones: Milestones {
            acknowledged: col::<Option<Stamp>>(row, 18)?.map(|s| s.0),
            triaged: col::<Option<Stamp>>(row, 19)?.map(|s| s.0),
        },
    })
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
    if !filter.services.is_empty() {
        // The services are a JSON array kept as text.
        let marks: Vec<String> = filter
            .services
            .iter()
            .map(|s| mark(values, Value::Text(s.clone())))
            .collect();
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM jsonb_array_elements_text({i}.services::jsonb) AS s(name) WHERE s.name IN ({}))",
            marks.join(", ")
        ));
    }
    if let Some(uid) = &filter.uid {
        let m = mark(values, Value::Text(uid.clone()));
        clauses.push(format!("{i}.uid = {m}"));
    }
    if let Some(key) = filter.unsettled {
        // `IS DISTINCT FROM` is the same test, but no index serves it: the
        // server would read every incident of the period to find the few.
        let key = mark(values, Value::Int(key));
        clauses.push(format!(
            "({i}.settled IS NULL OR {i}.settled < {key} OR {i}.settled > {key})"
        ));
    }
    if let Some(after) = filter.after {
        let m = mark(values, Value::Int(after));
        clauses.push(format!("{i}.id > {m}"));
    }
    clauses
}

/// A condition on `incidents AS i` selecting what `filter` selects by
/// number, up to its limit, its parameters pushed onto `values`.
pub(super) fn selection(filter: &ListFilter, values: &mut Vec<Value>) -> String {
    match filter.limit {
        None => {
            let clauses = clauses(filter, "i", values);
            match clauses.is_empty() {
                true => "true".into(),
                false => clauses.join(" AND "),
            }
        }
        Some(limit) => {
            let clauses = clauses(filter, "s", values);
            let conditions = match clauses.is_empty() {
                true => String::new(),
                false => format!("WHERE {}", clauses.join(" AND ")),
            };
            let limit = mark(values, Value::Int(i64::try_from(limit).unwrap_or(i64::MAX)));
            format!("i.id IN (SELECT s.id FROM incidents AS s {conditions} ORDER BY s.id LIMIT {limit})")
        }
    }
}

pub fn count_statement(filter: &ListFilter) -> Statement {
    let mut values = Vec::new();
    let conditions = conditions(filter, &mut values);
    Statement::new(
        format!("SELECT count(*) FROM incidents AS i {conditions}"),
        values,
    )
}

/// The matching incidents in `order`, at most `filter.limit`, handed to
/// `f` as they arrive from the server: 100,000 of them never sit in memory
/// at once.
pub fn stream(
    db: &mut Db,
    filter: &ListFilter,
    order: Order<'_>,
    f: &mut dyn FnMut(Incident) -> Result<()>,
) -> Result<()> {
    let mut values = Vec::new();
    let conditions = conditions(filter, &mut values);
    let severity_order: &[String] = match order {
        Order::Severity(levels) => levels,
        Order::Number => &[],
    };
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
    let limit = limit(filter, &mut values);
    let by = match order {
        Order::Severity(_) => format!("{rank}i.declared_at, i.id"),
        Order::Number => "i.id".into(),
    };
    let sql = format!("SELECT {COLUMNS} FROM incidents AS i {conditions} ORDER BY {by}{limit}");
    each_row(db, &sql, &values, &mut |row| f(from_row(row)?))
}

/// The filter's LIMIT clause, its parameter pushed onto `values`.
fn limit(filter: &ListFilter, values: &mut Vec<Value>) -> String {
    match filter.limit {
        Some(n) => format!(
            " LIMIT {}",
            mark(values, Value::Int(i64::try_from(n).unwrap_or(i64::MAX)))
        ),
        None => String::new(),
    }
}

/// Streams the rows of `sql`, each given to `f` as it arrives.
fn each_row(db: &mut Db, sql: &str, values: &[Value], f: &mut dyn FnMut(&Row) -> Result<()>) -> Result<()> {
    let target = db.target.clone();
    db.flush()?;
    let mut rows = db
        .client
        .rows(sql, &params(values))
        .map_err(|e| target.explain(&e))?;
    while let Some(row) = rows.next().map_err(|e| target.explain(&e))? {
        f(&row)?;
    }
    Ok(())
}

/// The query of `columns` of the incidents `filter` selects (`i`), by
/// number, and its values.
fn by_number(filter: &ListFilter, columns: &str) -> (String, Vec<Value>) {
    let mut values = Vec::new();
    let conditions = conditions(filter, &mut values);
    let limit = limit(filter, &mut values);
    let sql = format!("SELECT {columns} FROM incidents AS i {conditions} ORDER BY i.id{limit}");
    (sql, values)
}

/// The headlines of the incidents `filter` selects, by number: the
/// incidents table alone, with no read of roles or tags per row.
pub fn each_brief(db: &mut Db, filter: &ListFilter, f: &mut dyn FnMut(Brief) -> Result<()>) -> Result<()> {
    let (sql, values) = by_number(
        filter,
        "i.id, i.title, i.summary, i.status, i.severity, i.services, i.drill, i.declared_at",
    );
    each_row(db, &sql, &values, &mut |row| {
        f(Brief {
            id: col(row, 0)?,
            title: col(row, 1)?,
            summary: col(row, 2)?,
            status: col(row, 3)?,
            severity: col(row, 4)?,
            services: col::<JsonList>(row, 5)?.0,
            drill: col(row, 6)?,
            declared_at: col::<Stamp>(row, 7)?.0,
        })
    })
}

/// What similar incidents compares of the incidents `filter` selects, by
/// number (as `sqlite/incidents.rs`).
pub fn each_likeness(
    db: &mut Db,
    filter: &ListFilter,
    f: &mut dyn FnMut(&Likeness) -> Result<()>,
) -> Result<()> {
    // The texts come along (a few kilobytes for the window, in the same
    // round trip) but are read only for a print made again.
    let (sql, values) = by_number(
        filter,
        "i.id, i.declared_at, i.status, i.drill, i.likeness, i.title, i.summary, i.services",
    );
    each_row(db, &sql, &values, &mut |row| {
        let stored = row.try_get::<_, Option<&[u8]>>(4).ok().flatten();
        let print = match stored.and_then(Print::from_bytes) {
            Some(print) => print,
            None => Print::of_parts(
                &col::<String>(row, 5)?,
                col::<Option<String>>(row, 6)?.as_deref(),
                &col::<JsonList>(row, 7)?.0,
            ),
        };
        f(&Likeness {
            id: col(row, 0)?,
            declared_at: col::<Stamp>(row, 1)?.0,
            status: col(row, 2)?,
            drill: col(row, 3)?,
            print,
        })
    })
}

/// Stores every incident's print ([`Print`]), for the schema step that
/// adds them: a thousand incidents at a time, read and written in a round
/// trip each, so that memory stays flat however many there are.
pub fn backfill_prints(db: &mut Db) -> Result<(), super::client::Error> {
    const BATCH: i64 = 1000;
    let mut after = i64::MIN;
    loop {
        let page = [Value::Int(after), Value::Int(BATCH)];
        let rows = db.client.query(
            "SELECT id, title, summary, services FROM incidents WHERE id > $1 ORDER BY id LIMIT $2",
            &params(&page),
        )?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.try_get(0)?;
        let mut values: Vec<[Value; 2]> = Vec::with_capacity(rows.len());
        for r in &rows {
            let text = |i: usize| col::<Option<String>>(r, i).ok().flatten();
            let (Ok(id), Some(title)) = (r.try_get::<_, i64>(0), text(1)) else {
                continue;
            };
            let services = col::<JsonList>(r, 3).map(|l| l.0).unwrap_or_default();
            let print = Print::of_parts(&title, text(2).as_deref(), &services);
            values.push([Value::Int(id), Value::OptBytes(print.to_bytes())]);
        }
        let params: Vec<_> = values.iter().map(|v| params(v)).collect();
        let calls: Vec<(&str, super::client::Params<'_>)> = params
            .iter()
            .map(|p| ("UPDATE incidents SET likeness = $2 WHERE id = $1", p.as_slice()))
            .collect();
        db.client.pipeline(&calls)?;
    }
}

/// Inserts a new incident with its state and identity, numbered `number`
/// where that is free, else one past the highest (under the writers'
/// lock, so numbers stay unique and gap-free); returns its number.
pub fn insert(db: &mut Db, d: &Incident, uid: &str, number: Option<i64>) -> Result<i64> {
    let wanted = number.filter(|n| *n > 0).unwrap_or(0);
    let row = db.query_one(
        "INSERT INTO incidents (id, title, status, severity, category, services, channels, summary, \
         detected_by, started_at, declared_at, resolved_at, closed_at, resolution, next_update_at, uid, drill, \
         acknowledged_at, triaged_at, likeness) \
         VALUES (CASE WHEN $19 > 0 AND NOT EXISTS (SELECT 1 FROM incidents WHERE id = $19) THEN $19 \
         ELSE (SELECT coalesce(max(id), 0) + 1 FROM incidents) END, \
         $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $20) RETURNING id",
        &p![
            d.title,
            d.status,
            d.severity,
            d.category,
            JsonList(d.services.clone()),
            JsonList(d.channels.clone()),
            d.summary,
            d.detected_by,
            d.started_at.map(Stamp),
            Stamp(d.declared_at),
            d.resolved_at.map(Stamp),
            d.closed_at.map(Stamp),
            d.resolution,
            d.next_update_at.map(Stamp),
            uid,
            d.drill,
            d.milestones.acknowledged.map(Stamp),
            d.milestones.triaged.map(Stamp),
            wanted,
            Print::of_incident(d).to_bytes()
        ],
    )?;
    let id: i64 = col(&row, 0)?;
    if !d.tags.is_empty() {
        db.pipeline_vec(&tag_statements(id, &d.tags)[1..])?;
    }
    Ok(id)
}

/// What replaces an incident's tags: the old ones deleted, the new ones
/// inserted.
fn tag_statements(id: i64, tags: &std::collections::BTreeMap<String, String>) -> Vec<Statement> {
    let mut statements = vec![Statement::new(
        "DELETE FROM incident_tags WHERE incident_id = $1",
        vec![Value::Int(id)],
    )];
    statements.extend(tags.iter().map(|(key, value)| {
        Statement::new(
            "INSERT INTO incident_tags (incident_id, tag_key, tag_value) VALUES ($1, $2, $3)",
            vec![
                Value::Int(id),
                Value::Text(key.clone()),
                Value::Text(value.clone()),
            ],
        )
    }));
    statements
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
pub fn changes_statement(since: DateTime<Utc>, until: DateTime<Utc>) -> Statement {
    Statement::new(
        "SELECT id, at, title, kind, services, link, author FROM changes \
         WHERE at >= $1 AND at <= $2 ORDER BY at, id",
        vec![
            Value::Text(crate::time::to_rfc3339(since)),
            Value::Text(crate::time::to_rfc3339(until)),
        ],
    )
}

pub fn changes_of(rows: Vec<Row>) -> Result<Vec<crate::domain::plans::ChangeRecord>> {
    rows.iter()
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

/// Stores an incident's state and tags, in one round trip.
pub fn update(db: &mut Db, d: &Incident) -> Result<()> {
    let mut statements = vec![Statement::new(
        "UPDATE incidents SET title = $2, status = $3, severity = $4, category = $5, services = $6, \
         channels = $7, summary = $8, detected_by = $9, started_at = $10, resolved_at = $11, \
         closed_at = $12, resolution = $13, next_update_at = $14, declared_at = $15, drill = $16, \
         acknowledged_at = $17, triaged_at = $18, likeness = $19 WHERE id = $1",
        vec![
            Value::Int(d.id),
            Value::Text(d.title.clone()),
            Value::Text(d.status.as_str().into()),
            Value::Text(d.severity.clone()),
            Value::Text(d.category.as_str().into()),
            Value::Json(JsonList(d.services.clone())),
            Value::Json(JsonList(d.channels.clone())),
            Value::OptText(d.summary.clone()),
            Value::OptText(d.detected_by.map(|x| x.as_str().to_string())),
            Value::OptText(d.started_at.map(crate::time::to_rfc3339)),
            Value::OptText(d.resolved_at.map(crate::time::to_rfc3339)),
            Value::OptText(d.closed_at.map(crate::time::to_rfc3339)),
            Value::OptText(d.resolution.clone()),
            Value::OptText(d.next_update_at.map(crate::time::to_rfc3339)),
            Value::Text(crate::time::to_rfc3339(d.declared_at)),
            Value::Bool(d.drill),
            Value::OptText(d.milestones.acknowledged.map(crate::time::to_rfc3339)),
            Value::OptText(d.milestones.triaged.map(crate::time::to_rfc3339)),
            Value::OptBytes(Print::of_incident(d).to_bytes()),
        ],
    )];
    statements.extend(tag_statements(d.id, &d.tags));
    // Nothing waits for their answers: with the next round trip.
    for statement in statements {
        db.defer(statement);
    }
    Ok(())
}

/// A role holder taking the role `since` (kept if they hold it already),
/// or, without `since`, leaving it.
pub fn put_role(db: &mut Db, id: i64, h: &RoleHolder, since: Option<DateTime<Utc>>) -> Result<()> {
    match since {
        Some(since) => db.query(
            "INSERT INTO roles (incident_id, role, person, since) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
            &p![id, h.role, h.person, Stamp(since)],
        )?,
        None => db.query(
            "DELETE FROM roles WHERE incident_id = $1 AND role = $2 AND person = $3",
            &p![id, h.role, h.person],
        )?,
    };
    Ok(())
}

/// The incident's role holders, each with when they took the role.
pub fn roles_statement(id: i64) -> Statement {
    Statement::new(
        "SELECT role, person, since FROM roles WHERE incident_id = $1 ORDER BY since, role, person",
        vec![Value::Int(id)],
    )
}

pub fn roles_of(rows: Vec<Row>) -> Result<Vec<(RoleHolder, DateTime<Utc>)>> {
    rows.iter()
        .map(|r| {
            Ok((
                RoleHolder {
                    role: col(r, 0)?,
                    person: col(r, 1)?,
                },
                col::<Stamp>(r, 2)?.0,
            ))
        })
        .collect()
}
