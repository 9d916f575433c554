//! Queries on the `incidents` and `roles` tables.

use super::sql::{JsonList, Stamp};
use crate::domain::similar::{Likeness, Print};
use crate::domain::targets::Milestones;
use crate::domain::{Brief, Incident, RoleHolder};
use crate::store::{ListFilter, Order};
use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

/// The columns every incident query selects, in `from_row` order. Current
/// role holders come along as one JSON array of [role, person, since], in
/// key order: `from_row` puts them in order of assignment. (Sorting them in
/// SQL built a temporary b-tree per incident, most of `list --all`.)
const COLUMNS: &str = "i.id, i.title, i.status, i.severity, i.category, i.services, i.channels, \
     i.summary, i.detected_by, i.started_at, i.declared_at, i.resolved_at, i.closed_at, \
     i.resolution, i.next_update_at, \
     (SELECT json_group_array(json_array(r.role, r.person, r.since)) FROM roles AS r WHERE r.incident_id = i.id), \
     i.drill, \
     (SELECT json_group_array(json_array(t.tag_key, t.tag_value)) FROM incident_tags AS t WHERE t.incident_id = i.id), \
     i.acknowledged_at, i.triaged_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Incident> {
    let roles: String = row.get(15)?;
    let mut held: Vec<(String, String, String)> = serde_json::from_str(&roles).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(15, rusqlite::types::Type::Text, Box::new(e))
    })?;
    // In order of assignment (`since`, then role), as before.
    held.sort_by(|a, b| (&a.2, &a.0).cmp(&(&b.2, &b.0)));
    let pairs = held.into_iter().map(|(role, person, _)| (role, person));
    let tags: String = row.get(17)?;
    let tags: Vec<(String, String)> = serde_json::from_str(&tags).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(17, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(Incident {
        id: row.get(0)?,
        title: row.get(1)?,
        status: row.get(2)?,
        severity: row.get(3)?,
        category: row.get(4)?,
        services: row.get::<_, JsonList>(5)?.0,
        channels: row.get::<_, JsonList>(6)?.0,
        summary: row.get(7)?,
        detected_by: row.get(8)?,
        started_at: row.get::<_, Option<Stamp>>(9)?.map(|s| s.0),
        declared_at: row.get::<_, Stamp>(10)?.0,
        resolved_at: row.get::<_, Option<Stamp>>(11)?.map(|s| s.0),
        closed_at: row.get::<_, Option<Stamp>>(12)?.map(|s| s.0),
        resolution: row.get(13)?,
        next_update_at: row.get::<_, Option<Stamp>>(14)?.map(|s| s.0),
        roles: pairs.map(|(role, person)| RoleHolder { role, person }).collect(),
        drill: row.get(16)?,
        tags: tags.into_iter().collect(),
        milestones: Milestones {
            acknowledged: row.get::<_, Option<Stamp>>(18)?.map(|s| s.0),
            triaged: row.get::<_, Option<Stamp>>(19)?.map(|s| s.0),
        },
    })
}

pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<Incident>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM incidents AS i WHERE i.id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

/// The WHERE clause and its parameters for a filter.
pub(super) fn conditions(filter: &ListFilter) -> (String, Vec<Value>) {
    let (clauses, values) = clauses(filter, "i");
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (sql, values)
}

/// The filter's conditions on the incidents table under the alias `i`, and
/// their parameters.
pub(super) fn clauses(filter: &ListFilter, i: &str) -> (Vec<String>, Vec<Value>) {
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    if let Some(key) = filter.unsettled {
        unsettled(filter, key, i, &mut clauses, &mut values);
        if let Some(after) = filter.after {
            clauses.push(format!("{i}.id > ?"));
            values.push(Value::Integer(after));
        }
        return (clauses, values);
    }
    if !filter.statuses.is_empty() {
        let marks = vec!["?"; filter.statuses.len()].join(", ");
        clauses.push(format!("{i}.status IN ({marks})"));
        values.extend(filter.statuses.iter().map(|s| Value::Text(s.as_str().into())));
    }
    if !filter.severities.is_empty() {
        let marks = vec!["?"; filter.severities.len()].join(", ");
        clauses.push(format!("{i}.severity IN ({marks})"));
        values.extend(filter.severities.iter().map(|s| Value::Text(s.clone())));
    }
    if let Some(since) = filter.since {
        clauses.push(format!("{i}.declared_at >= ?"));
        values.push(Value::Text(crate::time::to_rfc3339(since)));
    }
    if let Some(drill) = filter.drill {
        // `+`: not a term for an index. With it, SQLite would walk
        // `incidents_likeness` (which holds `drill`) for the number order and
        // read each row from there, slower than the rows in order.
        clauses.push(format!("+{i}.drill = ?"));
        values.push(Value::Integer(drill.into()));
    }
    for (key, value) in &filter.tags {
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM incident_tags AS t WHERE t.incident_id = {i}.id AND t.tag_key = ? AND t.tag_value = ?)"
        ));
        values.push(Value::Text(key.clone()));
        values.push(Value::Text(value.clone()));
    }
    if !filter.services.is_empty() {
        let marks = vec!["?"; filter.services.len()].join(", ");
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM json_each({i}.services) AS s WHERE s.value IN ({marks}))"
        ));
        values.extend(filter.services.iter().map(|s| Value::Text(s.clone())));
    }
    if let Some(uid) = &filter.uid {
        clauses.push(format!("{i}.uid = ?"));
        values.push(Value::Text(uid.clone()));
    }
    if let Some(after) = filter.after {
        clauses.push(format!("{i}.id > ?"));
        values.push(Value::Integer(after));
    }
    (clauses, values)
}

/// The incidents not settled under targets `key` that the rest of the
/// filter selects, through `incidents_unsettled` (settled, declared_at):
/// those never settled, then those settled under other targets, so the
/// settled majority is never read. The rest of the filter goes inside each
/// branch, and only there: without it the branch of the never settled
/// would list every one of them, not only the period's (stats read 25,000
/// pages of a 100,000-incident database for a 90-day report); repeated
/// outside, it let SQLite walk `incidents_by_status` for a status alone
/// (2,200 pages for the same report).
fn unsettled(filter: &ListFilter, key: i64, i: &str, clauses: &mut Vec<String>, values: &mut Vec<Value>) {
    let rest = ListFilter {
        unsettled: None,
        after: None,
        limit: None,
        ..filter.clone()
    };
    let (inner, inner_values) = self::clauses(&rest, "u");
    let and: String = inner.iter().map(|c| format!(" AND {c}")).collect();
    clauses.push(format!(
        "{i}.id IN (SELECT u.id FROM incidents AS u INDEXED BY incidents_unsettled WHERE u.settled IS NULL{and} \
         UNION ALL SELECT u.id FROM incidents AS u INDEXED BY incidents_unsettled WHERE u.settled < ?{and} \
         UNION ALL SELECT u.id FROM incidents AS u INDEXED BY incidents_unsettled WHERE u.settled > ?{and})"
    ));
    values.extend(inner_values.iter().cloned());
    for _ in 0..2 {
        values.push(Value::Integer(key));
        values.extend(inner_values.iter().cloned());
    }
}

/// A condition on `incidents AS i` selecting what `filter` selects by
/// number, up to its limit, and its parameters.
pub(super) fn selection(filter: &ListFilter) -> (String, Vec<Value>) {
    match filter.limit {
        None => {
            let (clauses, values) = clauses(filter, "i");
            match clauses.is_empty() {
                true => ("1".into(), values),
                false => (clauses.join(" AND "), values),
            }
        }
        Some(limit) => {
            let (clauses, mut values) = clauses(filter, "s");
            let conditions = match clauses.is_empty() {
                true => String::new(),
                false => format!("WHERE {}", clauses.join(" AND ")),
            };
            values.push(Value::Integer(i64::try_from(limit).unwrap_or(-1)));
            (
                format!("i.id IN (SELECT s.id FROM incidents AS s {conditions} ORDER BY s.id LIMIT ?)"),
                values,
            )
        }
    }
}

pub fn count(conn: &Connection, filter: &ListFilter) -> rusqlite::Result<usize> {
    let (conditions, values) = conditions(filter);
    conn.prepare_cached(&format!("SELECT count(*) FROM incidents AS i {conditions}"))?
        .query_row(params_from_iter(values), |r| r.get::<_, i64>(0))
        .map(|n| n as usize)
}

/// Streams the matching incidents in `order`, up to the filter's limit.
pub fn each(
    conn: &Connection,
    filter: &ListFilter,
    order: Order<'_>,
    f: impl FnMut(Incident) -> Result<()>,
) -> Result<()> {
    match order {
        Order::Number => each_by_number(conn, filter, f),
        Order::Severity(levels) if filter.statuses.is_empty() => each_by_level(conn, filter, levels, f),
        Order::Severity(levels) => each_sorted(conn, filter, levels, f),
    }
}

fn each_by_number(
    conn: &Connection,
    filter: &ListFilter,
    mut f: impl FnMut(Incident) -> Result<()>,
) -> Result<()> {
    let (sql, values) = by_number(filter, COLUMNS);
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query(params_from_iter(values))?;
    while let Some(row) = rows.next()? {
        f(from_row(row)?)?;
    }
    Ok(())
}

/// The query of `columns` of the incidents `filter` selects (`i`), by
/// number, and its values.
fn by_number(filter: &ListFilter, columns: &str) -> (String, Vec<Value>) {
    let (conditions, mut values) = conditions(filter);
    values.push(Value::Integer(filter.limit.map(|n| n as i64).unwrap_or(-1)));
    let whole = filter.limit.is_none() && filter.after.is_none() && filter.unsettled.is_none();
    let sql = if whole && !filter.statuses.is_empty() {
        // Found through `incidents_by_status`, the rows would come in
        // status order and be sorted whole, their role and tag lists with
        // them; the numbers are sorted instead, and the rows read in order.
        // Only where every match is wanted: the numbers are all found first.
        format!(
            "SELECT {columns} FROM incidents AS i \
             WHERE i.id IN (SELECT i.id FROM incidents AS i {conditions}) ORDER BY i.id LIMIT ?"
        )
    } else {
        format!("SELECT {columns} FROM incidents AS i {conditions} ORDER BY i.id LIMIT ?")
    };
    (sql, values)
}

/// The headlines of the incidents `filter` selects, by number: the
/// incidents table alone, with no read of roles or tags per row.
pub fn each_brief(
    conn: &Connection,
    filter: &ListFilter,
    f: &mut dyn FnMut(Brief) -> Result<()>,
) -> Result<()> {
    let (sql, values) = by_number(
        filter,
        "i.id, i.title, i.summary, i.status, i.severity, i.services, i.drill, i.declared_at",
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query(params_from_iter(values))?;
    while let Some(row) = rows.next()? {
        f(Brief {
            id: row.get(0)?,
            title: row.get(1)?,
            summary: row.get(2)?,
            status: row.get(3)?,
            severity: row.get(4)?,
            services: row.get::<_, JsonList>(5)?.0,
            drill: row.get(6)?,
            declared_at: row.get::<_, Stamp>(7)?.0,
        })?;
    }
    Ok(())
}

/// What [`each_likeness`] reads: the columns of `incidents_likeness`
/// (schema_likeness_window.sql), so the rows are never read.
const LIKENESS_COLUMNS: &str = "i.id, i.declared_at, i.status, i.drill, i.likeness";

/// What similar incidents compares of the incidents `filter` selects, by
/// number: each one's stored print, or (stored by another version, or
/// not at all) one made from its texts.
pub fn each_likeness(
    conn: &Connection,
    filter: &ListFilter,
    f: &mut dyn FnMut(&Likeness) -> Result<()>,
) -> Result<()> {
    let (sql, values) = by_number(filter, LIKENESS_COLUMNS);
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query(params_from_iter(values))?;
    // One print's memory for every row.
    let mut print = Print::default();
    while let Some(row) = rows.next()? {
        let stored = row.get_ref(4)?.as_blob_or_null()?;
        if !stored.is_some_and(|bytes| print.read(bytes)) {
            print = print_of(conn, row.get(0)?)?;
        }
        let likeness = Likeness {
            id: row.get(0)?,
            declared_at: row.get::<_, Stamp>(1)?.0,
            status: row.get(2)?,
            drill: row.get(3)?,
            print,
        };
        f(&likeness)?;
        print = likeness.print;
    }
    Ok(())
}

/// The print of incident `id` made from its texts: one stored by another
/// version, or none.
fn print_of(conn: &Connection, id: i64) -> Result<Print> {
    let mut statement =
        conn.prepare_cached("SELECT title, summary, services FROM incidents WHERE id = ?1")?;
    Ok(statement.query_row([id], |row| {
        Ok(Print::of_parts(
            &row.get::<_, String>(0)?,
            row.get::<_, Option<String>>(1)?.as_deref(),
            &row.get::<_, JsonList>(2)?.0,
        ))
    })?)
}

/// Stores every incident's print ([`Print`]), for the schema step that
/// adds them.
pub fn backfill_prints(conn: &Connection) -> rusqlite::Result<()> {
    let mut read = conn.prepare("SELECT id, title, summary, services FROM incidents")?;
    let mut write = conn.prepare("UPDATE incidents SET likeness = ?2 WHERE id = ?1")?;
    let mut rows = read.query([])?;
    while let Some(row) = rows.next()? {
        let services = row.get::<_, JsonList>(3).map(|l| l.0).unwrap_or_default();
        let print = Print::of_parts(
            &row.get::<_, String>(1)?,
            row.get::<_, Option<String>>(2)?.as_deref(),
            &services,
        );
        write.execute(params![row.get::<_, i64>(0)?, print.to_bytes()])?;
    }
    Ok(())
}

/// Some statuses: the few rows `incidents_by_status` finds, sorted by SQLite.
fn each_sorted(
    conn: &Connection,
    filter: &ListFilter,
    severity_order: &[String],
    mut f: impl FnMut(Incident) -> Result<()>,
) -> Result<()> {
    let (conditions, mut values) = conditions(filter);
    // No order given (a caller that sorts for itself): a CASE needs a WHEN.
    let mut rank = String::from(if severity_order.is_empty() {
        ""
    } else {
        "CASE i.severity"
    });
    for (position, name) in severity_order.iter().enumerate() {
        rank.push_str(&format!(" WHEN ? THEN {position}"));
        values.push(Value::Text(name.clone()));
    }
    if !severity_order.is_empty() {
        rank.push_str(&format!(" ELSE {} END,", severity_order.len()));
    }
    let limit = filter.limit.map(|n| n as i64).unwrap_or(-1);
    values.push(Value::Integer(limit));
    let sql = format!(
        "SELECT {COLUMNS} FROM incidents AS i {conditions} ORDER BY {rank} i.declared_at, i.id LIMIT ?"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query(params_from_iter(values))?;
    while let Some(row) = rows.next()? {
        f(from_row(row)?)?;
    }
    Ok(())
}

/// Any status (`list --all`): one query per level, each in the order of
/// `incidents_by_severity`, so SQLite never sorts 100,000 whole rows (which
/// spilled to a temporary file).
fn each_by_level(
    conn: &Connection,
    filter: &ListFilter,
    severity_order: &[String],
    mut f: impl FnMut(Incident) -> Result<()>,
) -> Result<()> {
    let (conditions, values) = conditions(filter);
    let and = conditions
        .strip_prefix("WHERE ")
        .map(|c| format!("AND {c}"))
        .unwrap_or_default();
    let mut left = filter.limit.unwrap_or(usize::MAX);
    let mut levels: Vec<&String> = Vec::new();
    for name in severity_order {
        if !levels.contains(&name) {
            levels.push(name);
        }
    }
    let mut passes: Vec<(String, Vec<Value>)> = levels
        .iter()
        .filter(|name| filter.severities.is_empty() || filter.severities.contains(name))
        .map(|name| ("i.severity = ?".to_string(), vec![Value::Text((*name).clone())]))
        .collect();
    let marks = vec!["?"; levels.len()].join(", ");
    passes.push((
        format!("i.severity NOT IN ({marks})"),
        levels.iter().map(|name| Value::Text((*name).clone())).collect(),
    ));
    for (level, mut params) in passes {
        if left == 0 {
            break;
        }
        params.extend(values.iter().cloned());
        params.push(Value::Integer(i64::try_from(left).unwrap_or(-1)));
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM incidents AS i WHERE {level} {and} ORDER BY i.declared_at, i.id LIMIT ?"
        ))?;
        let mut rows = statement.query(params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            f(from_row(row)?)?;
            left -= 1;
        }
    }
    Ok(())
}

/// Inserts a new incident with its state and identity, numbered `number`
/// where that is free (else the next); returns its number.
pub fn insert(conn: &Connection, d: &Incident, uid: &str, number: Option<i64>) -> rusqlite::Result<i64> {
    let free = match number {
        Some(n) if n > 0 => !conn
            .prepare_cached("SELECT 1 FROM incidents WHERE id = ?1")?
            .exists([n])?,
        _ => false,
    };
    conn.prepare_cached(
        "INSERT INTO incidents (id, title, status, severity, category, services, channels, summary, \
         detected_by, started_at, declared_at, resolved_at, closed_at, resolution, next_update_at, uid, drill, \
         acknowledged_at, triaged_at, likeness) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
    )?
    .execute(params![
        free.then_some(number).flatten(),
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
        Print::of_incident(d).to_bytes(),
    ])?;
    let id = conn.last_insert_rowid();
    set_tags(conn, id, &d.tags)?;
    Ok(id)
}

/// Replaces the incident's tags.
fn set_tags(
    conn: &Connection,
    id: i64,
    tags: &std::collections::BTreeMap<String, String>,
) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM incident_tags WHERE incident_id = ?1")?
        .execute([id])?;
    let mut insert = conn
        .prepare_cached("INSERT INTO incident_tags (incident_id, tag_key, tag_value) VALUES (?1, ?2, ?3)")?;
    for (key, value) in tags {
        insert.execute(params![id, key, value])?;
    }
    Ok(())
}

/// Records a change from CI; returns its number.
pub fn insert_change(
    conn: &Connection,
    c: &crate::domain::plans::ChangeRecord,
    recorded_at: DateTime<Utc>,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO changes (at, recorded_at, author, title, kind, services, link) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        Stamp(c.at),
        Stamp(recorded_at),
        c.author,
        c.title,
        c.kind,
        JsonList(c.services.clone()),
        c.link,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The changes made from `since` to `until`, oldest first.
pub fn changes(
    conn: &Connection,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> rusqlite::Result<Vec<crate::domain::plans::ChangeRecord>> {
    conn.prepare_cached(
        "SELECT id, at, title, kind, services, link, author FROM changes \
         WHERE at >= ?1 AND at <= ?2 ORDER BY at, id",
    )?
    .query_map(params![Stamp(since), Stamp(until)], |r| {
        Ok(crate::domain::plans::ChangeRecord {
            id: r.get(0)?,
            at: r.get::<_, Stamp>(1)?.0,
            title: r.get(2)?,
            kind: r.get(3)?,
            services: r.get::<_, JsonList>(4)?.0,
            link: r.get(5)?,
            author: r.get(6)?,
        })
    })?
    .collect()
}

/// Stores an incident's state: of the columns below, those that differ
/// from `before` (what this transaction read of it; all of them when
/// `None`). SQLite rewrites every index that holds a column an UPDATE
/// sets, changed or not: set whole, a new status rewrote the severity and
/// stats indexes too (all hold the declared time). The print is always
/// written: one stored by an older release, or none, is made good by any
/// change.
pub fn update(conn: &Connection, d: &Incident, before: Option<&Incident>) -> rusqlite::Result<()> {
    let now = state(d)?;
    let then = before.map(state).transpose()?;
    let changed: Vec<&(&str, Value)> = now
        .iter()
        .enumerate()
        .filter(|(i, (column, value))| {
            *column == "likeness" || then.as_ref().is_none_or(|then| then[*i].1 != *value)
        })
        .map(|(_, column)| column)
        .collect();
    let set: Vec<String> = changed
        .iter()
        .enumerate()
        .map(|(i, (column, _))| format!("{column} = ?{}", i + 2))
        .collect();
    let values = std::iter::once(Value::Integer(d.id)).chain(changed.iter().map(|(_, v)| v.clone()));
    conn.prepare_cached(&format!("UPDATE incidents SET {} WHERE id = ?1", set.join(", ")))?
        .execute(params_from_iter(values))?;
    if before.is_none_or(|b| b.tags != d.tags) {
        set_tags(conn, d.id, &d.tags)?;
    }
    Ok(())
}

/// The columns [`update`] keeps, each with its value for `d`.
fn state(d: &Incident) -> rusqlite::Result<[(&'static str, Value); 18]> {
    let value = |v: &dyn rusqlite::ToSql| -> rusqlite::Result<Value> {
        Ok(match v.to_sql()? {
            rusqlite::types::ToSqlOutput::Borrowed(v) => v.into(),
            rusqlite::types::ToSqlOutput::Owned(v) => v,
            _ => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    "not a plain value".into(),
                ));
            }
        })
    };
    Ok([
        ("title", value(&d.title)?),
        ("status", value(&d.status)?),
        ("severity", value(&d.severity)?),
        ("category", value(&d.category)?),
        ("services", value(&JsonList(d.services.clone()))?),
        ("channels", value(&JsonList(d.channels.clone()))?),
        ("summary", value(&d.summary)?),
        ("detected_by", value(&d.detected_by)?),
        ("started_at", value(&d.started_at.map(Stamp))?),
        ("resolved_at", value(&d.resolved_at.map(Stamp))?),
        ("closed_at", value(&d.closed_at.map(Stamp))?),
        ("resolution", value(&d.resolution)?),
        ("next_update_at", value(&d.next_update_at.map(Stamp))?),
        ("declared_at", value(&Stamp(d.declared_at))?),
        ("drill", value(&d.drill)?),
        ("acknowledged_at", value(&d.milestones.acknowledged.map(Stamp))?),
        ("triaged_at", value(&d.milestones.triaged.map(Stamp))?),
        ("likeness", value(&Print::of_incident(d).to_bytes())?),
    ])
}

/// A role holder taking the role `since` (kept if they hold it already),
/// or, without `since`, leaving it.
pub fn put_role(
    conn: &Connection,
    id: i64,
    h: &RoleHolder,
    since: Option<DateTime<Utc>>,
) -> rusqlite::Result<()> {
    match since {
        Some(since) => conn
            .prepare_cached(
                "INSERT OR IGNORE INTO roles (incident_id, role, person, since) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![id, h.role, h.person, Stamp(since)])?,
        None => conn
            .prepare_cached("DELETE FROM roles WHERE incident_id = ?1 AND role = ?2 AND person = ?3")?
            .execute(params![id, h.role, h.person])?,
    };
    Ok(())
}

/// The incident's role holders, each with when they took the role.
pub fn roles(conn: &Connection, id: i64) -> rusqlite::Result<Vec<(RoleHolder, DateTime<Utc>)>> {
    conn.prepare_cached(
        "SELECT role, person, since FROM roles WHERE incident_id = ?1 ORDER BY since, role, person",
    )?
    .query_map([id], |r| {
        Ok((
            RoleHolder {
                role: r.get(0)?,
                person: r.get(1)?,
            },
            r.get::<_, Stamp>(2)?.0,
        ))
    })?
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Status;

    /// Both ways of listing (by level without a status, sorted with one)
    /// give the same order: level, then declared, then number; unknown
    /// levels last; and stop at the limit.
    #[test]
    fn listings_are_by_level_then_age_then_number_with_or_without_statuses() {
        let conn = super::super::in_memory();
        conn.execute_batch(
            "INSERT INTO incidents (id, title, status, severity, category, declared_at, uid) VALUES
               (1, 'a', 'investigating', 'SEV2', 'other', '2026-11-23T08:00:00Z', 'u1'),
               (2, 'b', 'investigating', 'P0',   'other', '2026-11-23T07:00:00Z', 'u2'),
               (3, 'c', 'investigating', 'SEV1', 'other', '2026-11-23T09:00:00Z', 'u3'),
               (4, 'd', 'investigating', 'SEV2', 'other', '2026-11-23T07:30:00Z', 'u4'),
               (5, 'e', 'investigating', 'SEV1', 'other', '2026-11-23T09:00:00Z', 'u5'),
               (6, 'f', 'investigating', 'AAA',  'other', '2026-11-23T06:00:00Z', 'u6');",
        )
        .unwrap();
        let levels = ["SEV1".to_string(), "SEV2".to_string(), "SEV3".to_string()];
        let ids = |filter: &ListFilter| {
            let mut got = Vec::new();
            each(&conn, filter, Order::Severity(&levels), |i| {
                got.push(i.id);
                Ok(())
            })
            .unwrap();
            got
        };
        let all = ListFilter::default();
        let open = ListFilter {
            statuses: vec![Status::Investigating],
            ..ListFilter::default()
        };
        assert_eq!(ids(&all), [3, 5, 4, 1, 6, 2]);
        assert_eq!(ids(&open), [3, 5, 4, 1, 6, 2]);
        for limit in [1, 3, 5] {
            let cut = |f: &ListFilter| ListFilter {
                limit: Some(limit),
                ..f.clone()
            };
            assert_eq!(ids(&cut(&all)), ids(&all)[..limit], "limit {limit}");
            assert_eq!(ids(&cut(&open)), ids(&open)[..limit], "limit {limit}");
        }
        let sev2 = ListFilter {
            severities: vec!["SEV2".into()],
            ..ListFilter::default()
        };
        assert_eq!(ids(&sev2), [4, 1]);
        // Several levels: most severe first, whatever the order given.
        let sev1_and_2 = ListFilter {
            severities: vec!["SEV2".into(), "SEV1".into()],
            ..ListFilter::default()
        };
        assert_eq!(ids(&sev1_and_2), [3, 5, 4, 1]);
        let open_sev1_and_2 = ListFilter {
            statuses: vec![Status::Investigating],
            ..sev1_and_2.clone()
        };
        assert_eq!(ids(&open_sev1_and_2), [3, 5, 4, 1]);
    }

    /// `check` reads every incident of some statuses by number: the
    /// numbers are sorted, never the rows with their roles and tags.
    #[test]
    fn incidents_of_some_statuses_are_sorted_as_numbers_not_rows() {
        let conn = super::super::in_memory();
        let filter = ListFilter {
            statuses: vec![Status::Investigating, Status::Resolved],
            ..ListFilter::default()
        };
        let (sql, values) = by_number(&filter, COLUMNS);
        let plan = super::super::plan(&conn, &sql, values);
        assert!(
            plan.iter().any(|step| step.contains("incidents_by_status")),
            "{plan:?}"
        );
        assert!(!plan.iter().any(|step| step.contains("TEMP B-TREE")), "{plan:?}");
        // Each row found by its number, never a scan of every row.
        assert!(
            plan.iter()
                .any(|step| step.contains("SEARCH i USING INTEGER PRIMARY KEY")),
            "{plan:?}"
        );
        assert!(!plan.iter().any(|step| step.starts_with("SCAN")), "{plan:?}");
        // A page of them (a limit, or after a number) is found as before:
        // all the numbers first would be more than the page.
        for page in [
            ListFilter {
                limit: Some(10),
                ..filter.clone()
            },
            ListFilter {
                after: Some(100),
                ..filter.clone()
            },
        ] {
            let (sql, _) = by_number(&page, COLUMNS);
            assert!(!sql.contains("IN (SELECT"), "{sql}");
        }
    }

    /// What `stats` settles: closed, of the period, not settled under these
    /// targets. Only the few unsettled rows may be read, never the index of
    /// every closed incident.
    #[test]
    fn the_unsettled_are_found_through_their_index_alone() {
        let conn = super::super::in_memory();
        let filter = ListFilter {
            statuses: vec![crate::domain::Status::Closed],
            since: Some("2026-09-01T00:00:00Z".parse().unwrap()),
            drill: Some(false),
            unsettled: Some(7),
            after: Some(0),
            limit: Some(10),
            ..ListFilter::default()
        };
        let (selection, values) = selection(&filter);
        let plan = super::super::plan(
            &conn,
            &format!("SELECT i.id FROM incidents AS i WHERE {selection}"),
            values,
        );
        assert!(
            plan.iter().all(|step| !step.contains("incidents_by_status")),
            "{plan:?}"
        );
        assert!(
            plan.iter().any(|step| step.contains("incidents_unsettled")),
            "{plan:?}"
        );
    }

    /// An update sets only the columns that changed (and the print), so
    /// SQLite leaves alone the indexes that hold none of them: a trigger
    /// `UPDATE OF` a column fires exactly when an UPDATE sets it.
    #[test]
    fn a_new_status_sets_the_status_and_not_the_declared_time_or_the_severity() {
        let conn = super::super::in_memory();
        conn.execute_batch(
            "INSERT INTO incidents (id, title, status, severity, category, declared_at, uid) VALUES
               (1, 'a', 'investigating', 'SEV2', 'other', '2026-11-23T08:00:00Z', 'u1');
             CREATE TABLE set_columns (name TEXT);
             CREATE TRIGGER s AFTER UPDATE OF status ON incidents BEGIN INSERT INTO set_columns VALUES ('status'); END;
             CREATE TRIGGER d AFTER UPDATE OF declared_at ON incidents BEGIN INSERT INTO set_columns VALUES ('declared_at'); END;
             CREATE TRIGGER v AFTER UPDATE OF severity ON incidents BEGIN INSERT INTO set_columns VALUES ('severity'); END;",
        )
        .unwrap();
        let before = get(&conn, 1).unwrap().unwrap();
        let after = Incident {
            status: Status::Resolved,
            ..before.clone()
        };
        let set = || -> Vec<String> {
            let names = conn
                .prepare("SELECT name FROM set_columns ORDER BY name")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            conn.execute("DELETE FROM set_columns", []).unwrap();
            names
        };
        update(&conn, &after, Some(&before)).unwrap();
        assert_eq!(set(), ["status"]);
        assert_eq!(get(&conn, 1).unwrap().unwrap(), after);
        update(&conn, &after, Some(&after)).unwrap();
        assert_eq!(set(), Vec::<String>::new());
        update(&conn, &before, None).unwrap();
        assert_eq!(set(), ["declared_at", "severity", "status"]);
        assert_eq!(get(&conn, 1).unwrap().unwrap(), before);
    }

    /// A statement is compiled once: neither its `LIMIT ?` nor a value a
    /// partial index's condition names makes SQLite plan it again when its
    /// first step finds the values bound (`configure`).
    #[test]
    fn statements_are_compiled_once_whatever_values_are_bound() {
        let conn = super::super::in_memory();
        conn.execute_batch(
            "INSERT INTO incidents (id, title, status, severity, category, declared_at, uid) VALUES
               (1, 'a', 'investigating', 'SEV2', 'other', '2026-11-23T08:00:00Z', 'u1'),
               (2, 'b', 'closed', 'SEV1', 'other', '2026-11-23T07:00:00Z', 'u2');",
        )
        .unwrap();
        let filter = ListFilter {
            statuses: vec![Status::Investigating],
            after: Some(0),
            limit: Some(20),
            ..ListFilter::default()
        };
        for columns in [LIKENESS_COLUMNS, COLUMNS] {
            let (sql, values) = by_number(&filter, columns);
            let mut statement = conn.prepare(&sql).unwrap();
            let ids: Vec<i64> = statement
                .query_map(params_from_iter(values), |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert_eq!(ids, [1]);
            assert_eq!(
                statement.get_status(rusqlite::StatementStatus::RePrepare),
                0,
                "{sql}"
            );
        }
    }

    /// `show` and `declare` compare with the 500 incidents before: their
    /// prints come from the small rows of `incidents_likeness`, never from
    /// the incidents' whole rows (four times the pages).
    #[test]
    fn the_window_of_prints_is_read_from_its_index_alone() {
        let conn = super::super::in_memory();
        let filter = ListFilter {
            after: Some(400),
            limit: Some(500),
            ..ListFilter::default()
        };
        let (sql, values) = by_number(&filter, LIKENESS_COLUMNS);
        let plan = super::super::plan(&conn, &sql, values);
        assert_eq!(
            plan,
            ["SEARCH i USING COVERING INDEX incidents_likeness (id>?)"],
            "{plan:?}"
        );
        // Every real incident by number (`metrics`, the status page): the
        // rows in order, not that index walked and each row looked up.
        let real = ListFilter {
            drill: Some(false),
            limit: Some(1000),
            ..ListFilter::default()
        };
        let (sql, values) = by_number(&real, COLUMNS);
        let plan = super::super::plan(&conn, &sql, values);
        assert_eq!(plan[0], "SCAN i", "{plan:?}");
    }
}
