//! Export and import: every incident with its whole timeline and everything
//! attached to it, as rows, so a backup restores exactly.
//!
//! Rows travel as JSON objects of column → value, read and written by column
//! name, so the code does not repeat each table's shape and a file from an
//! older schema still imports (missing columns take their defaults). An
//! incident is identified by its `uid` and an event by its chain `hash`, so
//! importing the same file twice changes nothing.

use super::migrations;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, HashMap};

/// One table row: column name → value.
pub type Row = Map<String, Json>;

/// The tables that hold part of an incident, linked by `incident_id`, in the
/// order they are restored (events first: assessments point at them).
pub const PARTS: &[&str] = &["events", "roles", "assessments", "retros", "actions"];

/// One incident and everything that belongs to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dump {
    pub incident: Row,
    /// Rows of each table in [`PARTS`], by table name.
    #[serde(flatten)]
    pub parts: BTreeMap<String, Vec<Row>>,
}

/// The head of an export file.
#[derive(Debug, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub schema_version: i64,
}

pub const FORMAT: &str = "incident-export-v1";

pub fn header() -> Header {
    Header {
        format: FORMAT.into(),
        schema_version: migrations::LATEST,
    }
}

fn to_json(value: ValueRef<'_>) -> Json {
    match value {
        ValueRef::Null => Json::Null,
        ValueRef::Integer(i) => Json::from(i),
        ValueRef::Real(f) => Json::from(f),
        ValueRef::Text(t) => Json::from(String::from_utf8_lossy(t).into_owned()),
        // Blobs as an object, so they can never be mistaken for text.
        ValueRef::Blob(b) => {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            serde_json::json!({ "blob": hex })
        }
    }
}

fn to_sql(value: &Json) -> Result<Value, String> {
    Ok(match value {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Integer(i64::from(*b)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Real(n.as_f64().ok_or("a number out of range")?),
        },
        Json::String(s) => Value::Text(s.clone()),
        Json::Object(o) => match o.get("blob").and_then(Json::as_str) {
            Some(hex) if hex.len() % 2 == 0 => Value::Blob(
                (0..hex.len())
                    .step_by(2)
                    .map(|i| {
                        u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| "a malformed blob".to_string())
                    })
                    .collect::<Result<_, _>>()?,
            ),
            _ => return Err("an object where a column value was expected".into()),
        },
        Json::Array(_) => return Err("an array where a column value was expected".into()),
    })
}

fn rows(conn: &Connection, sql: &str, id: i64) -> rusqlite::Result<Vec<Row>> {
    let mut statement = conn.prepare_cached(sql)?;
    let names: Vec<String> = statement.column_names().iter().map(|n| n.to_string()).collect();
    let mut rows = statement.query([id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut map = Row::new();
        for (i, name) in names.iter().enumerate() {
            if !CACHE_COLUMNS.contains(&name.as_str()) {
                map.insert(name.clone(), to_json(row.get_ref(i)?));
            }
        }
        out.push(map);
    }
    Ok(out)
}

/// Reads one incident and all its parts.
pub fn export(conn: &Connection, id: i64) -> rusqlite::Result<Option<Dump>> {
    let Some(incident) = rows(conn, "SELECT * FROM incidents WHERE id = ?1", id)?.pop() else {
        return Ok(None);
    };
    let mut parts = BTreeMap::new();
    for table in PARTS {
        // rowid order is recording order for every part.
        let order = if *table == "roles" || *table == "retros" {
            ""
        } else {
            " ORDER BY id"
        };
        let sql = format!("SELECT * FROM {table} WHERE incident_id = ?1{order}");
        parts.insert(table.to_string(), rows(conn, &sql, id)?);
    }
    Ok(Some(Dump { incident, parts }))
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

/// Columns that cache what `stats` derived here (schema_settled.sql): never
/// exported, never taken from a file, since their rows stay behind.
const CACHE_COLUMNS: &[&str] = &["settled"];

/// The columns of a table, for inserting only what it has (and is not a
/// cache column).
fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached(&format!("SELECT name FROM pragma_table_info('{table}')"))?
        .query_map([], |r| r.get::<_, String>(0))?
        .filter(|name| !matches!(name, Ok(n) if CACHE_COLUMNS.contains(&n.as_str())))
        .collect()
}

fn insert(conn: &Connection, table: &str, row: &Row, known: &[String]) -> Result<i64, String> {
    let (names, values): (Vec<&String>, Vec<Value>) = row
        .iter()
        .filter(|(name, _)| known.contains(name))
        .map(|(name, value)| to_sql(value).map(|v| (name, v)))
        .collect::<Result<Vec<_>, String>>()?
        .into_iter()
        .unzip();
    let list = names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let marks = vec!["?"; names.len()].join(", ");
    conn.execute(
        &format!("INSERT INTO {table} ({list}) VALUES ({marks})"),
        params_from_iter(values),
    )
    .map_err(|e| format!("{table}: {e}"))?;
    Ok(conn.last_insert_rowid())
}

fn taken(conn: &Connection, table: &str, id: &Json) -> rusqlite::Result<bool> {
    let Some(id) = id.as_i64() else { return Ok(false) };
    conn.prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?
        .query_row([id], |_| Ok(()))
        .optional()
        .map(|found| found.is_some())
}

fn hash_of(row: &Row) -> Option<&str> {
    row.get("hash").and_then(Json::as_str)
}

/// Restores one incident inside the caller's transaction.
pub fn import(conn: &Connection, dump: &Dump) -> Result<Outcome, String> {
    let uid = dump
        .incident
        .get("uid")
        .and_then(Json::as_str)
        .ok_or("an incident without a uid")?;
    let file_events = dump.parts.get("events").map(Vec::as_slice).unwrap_or_default();
    let file_hashes: Vec<Option<&str>> = file_events.iter().map(hash_of).collect();
    let sql_error = |e: rusqlite::Error| e.to_string();
    let existing: Option<i64> = conn
        .query_row("SELECT id FROM incidents WHERE uid = ?1", [uid], |r| r.get(0))
        .optional()
        .map_err(sql_error)?;

    let (id, from) = match existing {
        Some(id) => {
            let here: Vec<Option<String>> = conn
                .prepare_cached("SELECT hash FROM events WHERE incident_id = ?1 ORDER BY id")
                .and_then(|mut s| s.query_map([id], |r| r.get(0))?.collect())
                .map_err(sql_error)?;
            let here: Vec<Option<&str>> = here.iter().map(Option::as_deref).collect();
            if here == file_hashes {
                return Ok(Outcome::Unchanged { id });
            }
            if file_hashes.starts_with(&here) {
                // Known here, but the file carries more: refresh its state below.
                for table in PARTS.iter().filter(|t| **t != "events") {
                    conn.execute(&format!("DELETE FROM {table} WHERE incident_id = ?1"), [id])
                        .map_err(sql_error)?;
                }
                let mut row = dump.incident.clone();
                row.remove("id");
                let known = columns(conn, "incidents").map_err(sql_error)?;
                let sets: Vec<(String, Value)> = row
                    .iter()
                    .filter(|(name, _)| known.contains(name))
                    .map(|(name, value)| to_sql(value).map(|v| (format!("\"{name}\" = ?"), v)))
                    .collect::<Result<_, _>>()?;
                let (assignments, mut values): (Vec<String>, Vec<Value>) = sets.into_iter().unzip();
                values.push(Value::Integer(id));
                conn.execute(
                    &format!("UPDATE incidents SET {} WHERE id = ?", assignments.join(", ")),
                    params_from_iter(values),
                )
                .map_err(sql_error)?;
                (id, None)
            } else if here.starts_with(&file_hashes) {
                return Ok(Outcome::NewerHere { id });
            } else {
                return Ok(Outcome::Diverged { id });
            }
        }
        None => {
            let wanted = dump.incident.get("id").cloned().unwrap_or(Json::Null);
            let mut row = dump.incident.clone();
            let moved = taken(conn, "incidents", &wanted).map_err(sql_error)?;
            if moved {
                row.remove("id");
            }
            let known = columns(conn, "incidents").map_err(sql_error)?;
            let id = insert(conn, "incidents", &row, &known)?;
            (id, if moved { wanted.as_i64() } else { None })
        }
    };

    // Events: those already here (by hash) keep their rows; the rest are
    // inserted, keeping their numbers where free.
    let mut event_ids: HashMap<i64, i64> = HashMap::new();
    let mut added_events = 0;
    let event_columns = columns(conn, "events").map_err(sql_error)?;
    for event in file_events {
        let old = event.get("id").and_then(Json::as_i64);
        let here: Option<i64> = match hash_of(event) {
            Some(hash) => conn
                .prepare_cached("SELECT id FROM events WHERE incident_id = ?1 AND hash = ?2")
                .and_then(|mut s| s.query_row(params![id, hash], |r| r.get(0)).optional())
                .map_err(sql_error)?,
            None => None,
        };
        let new = match here {
            Some(found) => found,
            None => {
                let mut row = event.clone();
                row.insert("incident_id".into(), Json::from(id));
                if taken(conn, "events", &row["id"]).map_err(sql_error)? {
                    row.remove("id");
                }
                added_events += 1;
                insert(conn, "events", &row, &event_columns)?
            }
        };
        if let Some(old) = old {
            event_ids.insert(old, new);
        }
    }

    for table in PARTS.iter().filter(|t| **t != "events") {
        let known = columns(conn, table).map_err(sql_error)?;
        let has_id = known.iter().any(|c| c == "id");
        for part in dump.parts.get(*table).map(Vec::as_slice).unwrap_or_default() {
            let mut row = part.clone();
            row.insert("incident_id".into(), Json::from(id));
            if let Some(event) = row.get("event_id").and_then(Json::as_i64) {
                let mapped = event_ids
                    .get(&event)
                    .ok_or(format!("{table} points at an event not in the file"))?;
                row.insert("event_id".into(), Json::from(*mapped));
            }
            if has_id && taken(conn, table, row.get("id").unwrap_or(&Json::Null)).map_err(sql_error)? {
                row.remove("id");
            }
            insert(conn, table, &row, &known)?;
        }
    }
    // The file may predate the state columns kept from the events.
    super::events::refresh_state(conn, id).map_err(sql_error)?;
    Ok(match existing {
        Some(_) => Outcome::Extended {
            id,
            events: added_events,
        },
        None => Outcome::Added { id, from },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_survive_the_json_form() {
        for value in [
            Value::Null,
            Value::Integer(-7),
            Value::Real(1.5),
            Value::Text("x|y\n".into()),
            Value::Blob(vec![0, 255, 16]),
        ] {
            let json = to_json(ValueRef::from(&value));
            assert_eq!(to_sql(&json).unwrap(), value);
        }
        assert!(to_sql(&serde_json::json!({"blob": "zz"})).is_err());
        assert!(to_sql(&serde_json::json!([1])).is_err());
    }
}
