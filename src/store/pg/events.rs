//! Queries on the `events` table: the append-only timeline (as
//! `sqlite/events.rs`; the table refuses UPDATE and DELETE).

use super::Db;
use super::sql::{Statement, Value, col, p, params};
use crate::domain::chain::{self, Chain, ChainRow};
use crate::domain::{Event, EventData, EventKind};
use crate::store::{Append, EventQuery, Of, Range};
use anyhow::{Result, anyhow};
use tokio_postgres::Row;

pub const COLUMNS: &str = "id, incident_id, at, recorded_at, author, kind, text, details";

pub fn from_row(row: &Row) -> Result<Event> {
    let id: i64 = col(row, 0)?;
    let kind: String = col(row, 5)?;
    let details: Option<String> = col(row, 7)?;
    let data = EventData::from_stored(&kind, details.as_deref())
        .map_err(|e| anyhow!("event {id}: {e}; run 'incident verify'"))?;
    Ok(Event {
        id,
        incident_id: col(row, 1)?,
        at: col::<super::sql::Stamp>(row, 2)?.0,
        recorded_at: col::<super::sql::Stamp>(row, 3)?.0,
        author: col(row, 4)?,
        text: col(row, 6)?,
        data,
    })
}

/// What an append needs of its incident: its chain's uid and head.
#[derive(Debug, Clone)]
pub struct Head {
    uid: String,
    head: Option<String>,
}

/// The incidents' heads as this connection's appends left them (see
/// `Db::heads`): only the holder of the writers' lock appends, so a change
/// of several events, or a server appending to the same incidents, reads
/// each incident's head once.
pub type Heads = std::collections::HashMap<i64, Head>;

/// Appends one event, chained to the incident's head (or, from another
/// database, as it was stored): one statement inserts the event and moves
/// the head and the count; the head is read first unless this connection
/// knows it. A new event takes the next free number and arrival number
/// the transaction knows, and its statement waits for the next round trip
/// (`Db::defer`); without them (after a row the server numbered) it is
/// numbered `max + 1` under the writers' lock, and sent at once.
pub fn append(db: &mut Db, incident_id: i64, event: Append<'_>) -> Result<i64> {
    let (row, number) = match event {
        Append::New {
            event,
            author,
            recorded_at,
        } => {
            let known = match db.heads.remove(&incident_id) {
                Some(known) => known,
                None => {
                    let row =
                        db.query_one("SELECT uid, head FROM incidents WHERE id = $1", &p![incident_id])?;
                    Head {
                        uid: col(&row, 0)?,
                        head: col(&row, 1)?,
                    }
                }
            };
            let row = chain::seal(&known.uid, known.head.as_deref(), event, author, recorded_at);
            db.heads.insert(
                incident_id,
                Head {
                    uid: known.uid,
                    head: row.hash.clone(),
                },
            );
            if let (Some(id), Some(seq)) = (db.numbers.event, db.numbers.seq) {
                db.numbers.event = Some(id + 1);
                db.numbers.seq = Some(seq + 1);
                db.defer(Statement::new(
                    "WITH e AS (INSERT INTO events (id, incident_id, at, recorded_at, author, kind, text, \
                     details, prev_hash, hash, seq) VALUES ($10, $1, $2, $3, $4, $5, $6, $7, $8, $9, $11)) \
                     UPDATE incidents SET head = $9, event_count = event_count + 1 WHERE id = $1",
                    vec![
                        Value::Int(incident_id),
                        Value::Text(row.at),
                        Value::Text(row.recorded_at),
                        Value::Text(row.author),
                        Value::Text(row.kind),
                        Value::Text(row.text),
                        Value::OptText(row.details),
                        Value::OptText(row.prev_hash),
                        Value::OptText(row.hash),
                        Value::Int(id),
                        Value::Int(seq),
                    ],
                ));
                return Ok(id);
            }
            (row, 0)
        }
        Append::Verbatim { row, number } => {
            db.heads.remove(&incident_id);
            (row.clone(), number.filter(|n| *n > 0).unwrap_or(0))
        }
    };
    let inserted = db.query_one(
        "WITH e AS (INSERT INTO events (id, incident_id, at, recorded_at, author, kind, text, \
         details, prev_hash, hash, seq) VALUES (CASE WHEN $10 > 0 AND NOT EXISTS \
         (SELECT 1 FROM events WHERE id = $10) THEN $10 ELSE (SELECT coalesce(max(id), 0) + 1 FROM events) END, \
         $1, $2, $3, $4, $5, $6, $7, $8, $9, (SELECT coalesce(max(seq), 0) + 1 FROM events)) RETURNING id) \
         UPDATE incidents SET head = $9, event_count = event_count + 1 WHERE id = $1 RETURNING (SELECT id FROM e)",
        &p![
            incident_id,
            row.at,
            row.recorded_at,
            row.author,
            row.kind,
            row.text,
            row.details,
            row.prev_hash,
            row.hash,
            number
        ],
    )?;
    // Numbered by the server: the numbers this transaction knew may be
    // taken now.
    db.numbers.event = None;
    db.numbers.seq = None;
    col(&inserted, 0)
}

/// The incident's chain as stored, in one query: its uid and head, and its
/// events in recording order.
pub fn chain_statement(incident_id: i64) -> Statement {
    Statement::new(
        "SELECT coalesce(i.uid, ''), i.head, e.id, e.at, e.recorded_at, e.author, e.kind, e.text, \
         e.details, e.prev_hash, e.hash FROM incidents AS i LEFT JOIN events AS e ON e.incident_id = i.id \
         WHERE i.id = $1 ORDER BY e.id",
        vec![Value::Int(incident_id)],
    )
}

pub fn chain_of(rows: Vec<Row>) -> Result<Option<Chain>> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let uid: String = col(first, 0)?;
    let head: Option<String> = col(first, 1)?;
    let mut chain_rows = Vec::with_capacity(rows.len());
    for r in &rows {
        // The LEFT JOIN's one row of an incident without events.
        let Some(id) = col::<Option<i64>>(r, 2)? else {
            continue;
        };
        chain_rows.push(ChainRow {
            id,
            at: col(r, 3)?,
            recorded_at: col(r, 4)?,
            author: col(r, 5)?,
            kind: col(r, 6)?,
            text: col(r, 7)?,
            details: col(r, 8)?,
            prev_hash: col(r, 9)?,
            hash: col(r, 10)?,
        });
    }
    Ok(Some(Chain {
        uid,
        head,
        rows: chain_rows,
    }))
}

/// The kinds of `events_for_plans`, spelled as its condition.
const PLAN_KINDS: &str = "('playbook_attached', 'task_done', 'task_skipped', 'recent_changes')";

/// The kinds of `events_for_changes`, spelled as its condition.
const CHANGE_KINDS: &str =
    "('status_changed', 'resolved', 'reopened', 'closed', 'canceled', 'marked_duplicate',
                 'severity_changed')";

/// The kinds `events_for_updates` indexes, spelled as its condition.
const UPDATE_KINDS: &str = "('severity_changed', 'status_update', 'comms')";

/// ` AND {alias}kind IN <the partial index's list>` when every kind wanted
/// is in `indexed`, so the planner reads that index: it uses a partial
/// index only when the query's condition implies the index's, spelled alike.
fn within(kinds: &[EventKind], indexed: &str, alias: &str) -> String {
    match !kinds.is_empty()
        && kinds
            .iter()
            .all(|k| indexed.contains(&format!("'{}'", k.as_str())))
    {
        true => format!(" AND {alias}kind IN {indexed}"),
        false => String::new(),
    }
}

/// ` AND kind IN (…)` for `kinds` (none: every kind), their names pushed
/// onto `values`.
fn kind_condition(kinds: &[EventKind], alias: &str, values: &mut Vec<Value>) -> String {
    if kinds.is_empty() {
        return String::new();
    }
    let marks: Vec<String> = kinds
        .iter()
        .map(|k| super::incidents::mark(values, Value::Text(k.as_str().into())))
        .collect();
    format!(" AND {alias}kind IN ({})", marks.join(", "))
}

/// A query's statement and whether its rows come newest first (to be
/// turned round); `None` for the rare shape that runs in two steps.
pub fn query_statement(q: &EventQuery<'_>) -> Option<(Statement, bool)> {
    let mut values = Vec::new();
    let of = match q.of {
        Of::Incident(id) => format!(
            "incident_id = {}",
            super::incidents::mark(&mut values, Value::Int(id))
        ),
        Of::Incidents(ids) => {
            let marks: Vec<String> = ids
                .iter()
                .map(|id| super::incidents::mark(&mut values, Value::Int(*id)))
                .collect();
            match marks.is_empty() {
                true => "false".into(),
                false => format!("incident_id IN ({})", marks.join(", ")),
            }
        }
        Of::All => "true".into(),
        Of::Selected(filter) => {
            if q.range != Range::All {
                return None;
            }
            let selection = super::incidents::selection(filter, &mut values);
            let columns: Vec<String> = COLUMNS.split(", ").map(|c| format!("e.{c}")).collect();
            let index = within(q.kinds, UPDATE_KINDS, "e.");
            let kinds = kind_condition(q.kinds, "e.", &mut values);
            return Some((
                Statement::new(
                    format!(
                        "SELECT {} FROM incidents AS i JOIN events AS e ON e.incident_id = i.id \
                         WHERE {selection}{index}{kinds} ORDER BY e.incident_id, e.at, e.id",
                        columns.join(", ")
                    ),
                    values,
                ),
                false,
            ));
        }
    };
    let index = match q.range {
        Range::Last(1) => within(q.kinds, CHANGE_KINDS, ""),
        _ => within(q.kinds, PLAN_KINDS, ""),
    };
    let kinds = kind_condition(q.kinds, "", &mut values);
    let (tail, newest_first) = match q.range {
        Range::All => (" ORDER BY incident_id, at, id".to_string(), false),
        Range::Last(n) => {
            let m = super::incidents::mark(&mut values, Value::Int(i64::try_from(n).unwrap_or(i64::MAX)));
            (format!(" ORDER BY at DESC, id DESC LIMIT {m}"), true)
        }
        Range::Arrived { after, upto } => {
            let a = super::incidents::mark(&mut values, Value::Int(after));
            let u = super::incidents::mark(&mut values, Value::Int(upto));
            (format!(" AND seq > {a} AND seq <= {u} ORDER BY seq"), false)
        }
    };
    Some((
        Statement::new(
            format!("SELECT {COLUMNS} FROM events WHERE {of}{index}{kinds}{tail}"),
            values,
        ),
        newest_first,
    ))
}

/// The events of [`query_statement`]'s rows.
pub fn query_of(rows: Vec<Row>, newest_first: bool) -> Result<Vec<Event>> {
    let mut events = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
    if newest_first {
        events.reverse();
    }
    Ok(events)
}

/// The rare shape: the incidents a filter selects first, then their events.
pub fn query_in_two(db: &mut Db, q: &EventQuery<'_>) -> Result<Vec<Event>> {
    let Of::Selected(filter) = q.of else {
        return Err(anyhow!("an event query that runs in one statement"));
    };
    let mut values = Vec::new();
    let selection = super::incidents::selection(filter, &mut values);
    let ids: Vec<i64> = db
        .query(
            &format!("SELECT i.id FROM incidents AS i WHERE {selection}"),
            &params(&values),
        )?
        .iter()
        .map(|r| col(r, 0))
        .collect::<Result<_>>()?;
    let q = EventQuery {
        of: Of::Incidents(&ids),
        ..*q
    };
    let (statement, newest_first) = query_statement(&q).ok_or_else(|| anyhow!("an event query by number"))?;
    query_of(db.run(&statement)?, newest_first)
}

/// What the imported events of the incidents `of` selects name, as
/// numbered here, by event id.
pub fn renumbered_statement(of: Of<'_>) -> Statement {
    let mut values = Vec::new();
    let condition = match of {
        Of::Incident(id) => format!(
            "e.incident_id = {}",
            super::incidents::mark(&mut values, Value::Int(id))
        ),
        Of::Incidents(ids) => {
            let marks: Vec<String> = ids
                .iter()
                .map(|id| super::incidents::mark(&mut values, Value::Int(*id)))
                .collect();
            match marks.is_empty() {
                true => "false".into(),
                false => format!("e.incident_id IN ({})", marks.join(", ")),
            }
        }
        Of::Selected(filter) => {
            let selection = super::incidents::selection(filter, &mut values);
            format!("e.incident_id IN (SELECT i.id FROM incidents AS i WHERE {selection})")
        }
        Of::All => "true".into(),
    };
    Statement::new(
        format!(
            "SELECT r.event_id, r.numbers FROM renumbered AS r JOIN events AS e ON e.id = r.event_id WHERE {condition}"
        ),
        values,
    )
}

pub fn renumbered_of(
    rows: Vec<Row>,
) -> Result<std::collections::HashMap<i64, crate::domain::refs::Renumbering>> {
    rows.iter()
        .map(|r| {
            let numbers: String = col(r, 1)?;
            Ok((col(r, 0)?, serde_json::from_str(&numbers)?))
        })
        .collect()
}

/// Keeps what an imported event names, as numbered here.
pub fn put_renumbered(db: &mut Db, event: i64, numbers: &crate::domain::refs::Renumbering) -> Result<()> {
    let text = serde_json::to_string(numbers)?;
    db.query(
        "INSERT INTO renumbered (event_id, numbers) VALUES ($1, $2)",
        &p![event, text],
    )?;
    Ok(())
}

pub fn count_statement(incident_id: i64) -> Statement {
    Statement::new(
        "SELECT event_count FROM incidents WHERE id = $1",
        vec![Value::Int(incident_id)],
    )
}

pub fn newest_statement() -> Statement {
    Statement::new("SELECT coalesce(max(seq), 0) FROM events", Vec::new())
}

/// Streams (incident uid, hash) of every event that arrived up to `upto`,
/// in arrival order.
pub fn each_hash(db: &mut Db, upto: i64, f: &mut dyn FnMut(&str, Option<&str>)) -> Result<()> {
    // Streamed: a million events are never held at once, and each part of
    // the answer has its own deadline.
    db.flush()?;
    let target = db.target.clone();
    let mut rows = db
        .client
        .rows(
            "SELECT coalesce(i.uid, ''), e.hash FROM events e LEFT JOIN incidents i ON i.id = e.incident_id \
             WHERE e.seq <= $1 ORDER BY e.seq",
            &p![upto],
        )
        .map_err(|e| target.explain(&e))?;
    while let Some(row) = rows.next().map_err(|e| target.explain(&e))? {
        let uid: String = col(&row, 0)?;
        let hash: Option<String> = col(&row, 1)?;
        f(&uid, hash.as_deref());
    }
    Ok(())
}
