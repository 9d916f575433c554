//! Queries on the `events` table: the append-only timeline (as
//! `sqlite/events.rs`; the table refuses UPDATE and DELETE).

use super::Db;
use super::sql::{Stamp, Statement, Value, col, p, params};
use crate::domain::chain::{self, Chain, ChainRow, Content};
use crate::domain::targets::Milestones;
use crate::domain::{Event, EventData, EventKind, NewEvent};
use anyhow::{Result, anyhow};
use chrono::{DateTime, Utc};
use tokio_postgres::Row;

const COLUMNS: &str = "id, incident_id, at, recorded_at, author, kind, text, details";

fn from_row(row: &Row) -> Result<Event> {
    let id: i64 = col(row, 0)?;
    let kind: String = col(row, 5)?;
    let details: Option<String> = col(row, 7)?;
    let data = EventData::from_stored(&kind, details.as_deref())
        .map_err(|e| anyhow!("event {id}: {e}; run 'incident verify'"))?;
    Ok(Event {
        id,
        incident_id: col(row, 1)?,
        at: col::<Stamp>(row, 2)?.0,
        recorded_at: col::<Stamp>(row, 3)?.0,
        author: col(row, 4)?,
        text: col(row, 6)?,
        data,
    })
}

/// What an append needs of its incident: its chain's uid and head, and the
/// milestones kept beside them.
#[derive(Debug, Clone)]
pub struct Head {
    uid: String,
    head: Option<String>,
    marks: Milestones,
}

/// The incidents' heads as this transaction left them: only this
/// transaction writes (it holds the writers' lock), so a change of several
/// events reads its incident's head once.
pub type Heads = std::collections::HashMap<i64, Head>;

/// Appends one event, chained to the incident's head: one statement inserts
/// the event (numbered `max + 1` under the writers' lock) and moves the
/// head, the count and the milestones; the head is read first unless this
/// transaction already knows it.
pub fn append(
    db: &mut Db,
    heads: &mut Heads,
    incident_id: i64,
    author: &str,
    now: DateTime<Utc>,
    event: NewEvent,
) -> Result<Event> {
    let (kind, details_text) = event.data.to_stored();
    let known = match heads.remove(&incident_id) {
        Some(known) => known,
        None => {
            let row = db.query_one(
                "SELECT uid, head, acknowledged_at, triaged_at FROM incidents WHERE id = $1",
                &p![incident_id],
            )?;
            Head {
                uid: col(&row, 0)?,
                head: col(&row, 1)?,
                marks: Milestones {
                    acknowledged: col::<Option<Stamp>>(&row, 2)?.map(|s| s.0),
                    triaged: col::<Option<Stamp>>(&row, 3)?.map(|s| s.0),
                },
            }
        }
    };
    let Head { uid, head, mut marks } = known;
    // The content is hashed in exactly the text form it is stored in.
    let (at, recorded_at) = (crate::time::to_rfc3339(event.at), crate::time::to_rfc3339(now));
    let prev = head.unwrap_or_default();
    let hash = chain::hash(
        &uid,
        &prev,
        &Content {
            at: &at,
            recorded_at: &recorded_at,
            author,
            kind: kind.as_str(),
            text: &event.text,
            details: details_text.as_deref(),
        },
    );
    const INSERT: &str = "WITH e AS (INSERT INTO events (id, incident_id, at, recorded_at, author, kind, text, \
         details, prev_hash, hash, seq) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM events), $1, $2, $3, \
         $4, $5, $6, $7, $8, $9, (SELECT coalesce(max(seq), 0) + 1 FROM events)) RETURNING id) \
         UPDATE incidents SET head = $9, event_count = event_count + 1";
    let row = if Milestones::marks(&event.data) {
        // The response state kept on the incident, as the SQLite backend.
        marks.absorb(event.at, &event.data);
        let (acknowledged, triaged) = (marks.acknowledged.map(Stamp), marks.triaged.map(Stamp));
        db.query_one(
            &format!(
                "{INSERT}, acknowledged_at = $10, triaged_at = $11 WHERE id = $1 RETURNING (SELECT id FROM e)"
            ),
            &p![
                incident_id,
                at,
                recorded_at,
                author,
                kind,
                event.text,
                details_text,
                prev,
                hash,
                acknowledged,
                triaged
            ],
        )?
    } else {
        db.query_one(
            &format!("{INSERT} WHERE id = $1 RETURNING (SELECT id FROM e)"),
            &p![
                incident_id,
                at,
                recorded_at,
                author,
                kind,
                event.text,
                details_text,
                prev,
                hash
            ],
        )?
    };
    let id: i64 = col(&row, 0)?;
    heads.insert(
        incident_id,
        Head {
            uid,
            head: Some(hash),
            marks,
        },
    );
    Ok(Event {
        id,
        incident_id,
        at: event.at,
        recorded_at: now,
        author: author.to_string(),
        text: event.text,
        data: event.data,
    })
}

/// The incident's chain as stored, in one query: its uid and head, and its
/// events in recording order.
pub fn chain(db: &mut Db, incident_id: i64) -> Result<Option<Chain>> {
    let rows = db.query(
        "SELECT coalesce(i.uid, ''), i.head, e.id, e.at, e.recorded_at, e.author, e.kind, e.text, \
         e.details, e.prev_hash, e.hash FROM incidents AS i LEFT JOIN events AS e ON e.incident_id = i.id \
         WHERE i.id = $1 ORDER BY e.id",
        &p![incident_id],
    )?;
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

/// Events in the order they happened (ties in the order they were recorded).
/// With a limit, the most recent `limit` of them, still oldest first.
pub fn timeline(db: &mut Db, incident_id: i64, limit: Option<usize>) -> Result<(Vec<Event>, usize)> {
    let [events, count] = timeline_statements(incident_id, limit);
    let rows = db.run(&events)?;
    // Only a full page can have left earlier entries out; then the kept
    // count says how many, without counting the timeline.
    let count = match limit {
        Some(n) if rows.len() >= n => db.run(&count)?,
        _ => Vec::new(),
    };
    timeline_of(rows, limit, count)
}

/// The timeline's statements: its events, and the incident's count of them.
pub fn timeline_statements(incident_id: i64, limit: Option<usize>) -> [Statement; 2] {
    let events = match limit {
        None => Statement::new(
            format!("SELECT {COLUMNS} FROM events WHERE incident_id = $1 ORDER BY at, id"),
            vec![Value::Int(incident_id)],
        ),
        Some(n) => Statement::new(
            format!("SELECT {COLUMNS} FROM events WHERE incident_id = $1 ORDER BY at DESC, id DESC LIMIT $2"),
            vec![
                Value::Int(incident_id),
                Value::Int(i64::try_from(n).unwrap_or(i64::MAX)),
            ],
        ),
    };
    let count = Statement::new(
        "SELECT event_count FROM incidents WHERE id = $1",
        vec![Value::Int(incident_id)],
    );
    [events, count]
}

/// The timeline and its total from [`timeline_statements`]' rows (the
/// count's may be left out when the page is not full).
pub fn timeline_of(rows: Vec<Row>, limit: Option<usize>, count: Vec<Row>) -> Result<(Vec<Event>, usize)> {
    let mut events = all_of(rows)?;
    if limit.is_some() {
        events.reverse();
    }
    let total = match (limit, count.first()) {
        (Some(n), Some(row)) if events.len() >= n => (col::<i64>(row, 0)? as usize).max(events.len()),
        _ => events.len(),
    };
    Ok((events, total))
}

/// Recomputes the response state columns and the event count of one
/// incident from its events (for imported incidents).
pub fn refresh_state(db: &mut Db, incident_id: i64) -> Result<()> {
    let (events, _) = timeline(db, incident_id, None)?;
    let marks = Milestones::of(events.iter().map(|e| (e.at, &e.data)));
    let (acknowledged, triaged) = (marks.acknowledged.map(Stamp), marks.triaged.map(Stamp));
    let count = events.len() as i64;
    db.query(
        "UPDATE incidents SET acknowledged_at = $2, triaged_at = $3, event_count = $4 WHERE id = $1",
        &p![incident_id, acknowledged, triaged, count],
    )?;
    Ok(())
}

/// The kinds `events_for_changes` indexes, spelled as in its condition.
/// The kinds of `events_for_plans`, spelled as its condition.
const PLAN_KINDS: &str = "('playbook_attached', 'task_done', 'task_skipped', 'recent_changes')";

/// ` AND kind IN <the partial index's list>` when every kind wanted is in
/// it, so the planner reads that index.
fn plan_index(kinds: &[EventKind]) -> String {
    match kinds
        .iter()
        .all(|k| PLAN_KINDS.contains(&format!("'{}'", k.as_str())))
    {
        true => format!(" AND kind IN {PLAN_KINDS}"),
        false => String::new(),
    }
}

const CHANGE_KINDS: &str =
    "('status_changed', 'resolved', 'reopened', 'closed', 'canceled', 'marked_duplicate',
                 'severity_changed')";

/// The incident's events of `kinds`, oldest first.
pub fn of_kinds(db: &mut Db, incident_id: i64, kinds: &[EventKind]) -> Result<Vec<Event>> {
    of_kinds_each(db, &[incident_id], kinds)
}

/// The events of `kinds` of the incidents `ids`, oldest first.
pub fn of_kinds_each(db: &mut Db, ids: &[i64], kinds: &[EventKind]) -> Result<Vec<Event>> {
    if ids.is_empty() || kinds.is_empty() {
        return Ok(Vec::new());
    }
    all_of(db.run(&of_kinds_statement(ids, kinds))?)
}

pub fn all_of(rows: Vec<Row>) -> Result<Vec<Event>> {
    rows.iter().map(from_row).collect()
}

/// [`of_kinds_each`]'s statement, for at least one id and kind.
pub fn of_kinds_statement(ids: &[i64], kinds: &[EventKind]) -> Statement {
    let mut values = Vec::new();
    let id_marks: Vec<String> = ids
        .iter()
        .map(|id| super::incidents::mark(&mut values, Value::Int(*id)))
        .collect();
    let marks: Vec<String> = kinds
        .iter()
        .map(|k| super::incidents::mark(&mut values, Value::Text(k.as_str().into())))
        .collect();
    Statement::new(
        format!(
            "SELECT {COLUMNS} FROM events WHERE incident_id IN ({}){} AND kind IN ({}) ORDER BY at, id",
            id_marks.join(", "),
            plan_index(kinds),
            marks.join(", ")
        ),
        values,
    )
}

/// The incident's most recent event of one of `kinds` (by when it happened).
pub fn latest(db: &mut Db, incident_id: i64, kinds: &[EventKind]) -> Result<Option<Event>> {
    if kinds.is_empty() {
        return Ok(None);
    }
    let mut values = vec![Value::Int(incident_id)];
    let marks: Vec<String> = kinds
        .iter()
        .map(|k| super::incidents::mark(&mut values, Value::Text(k.as_str().into())))
        .collect();
    // Change kinds through their partial index: the planner uses it only
    // when the query's condition implies the index's, spelled alike.
    let indexed = if kinds
        .iter()
        .all(|k| CHANGE_KINDS.contains(&format!("'{}'", k.as_str())))
    {
        format!(" AND kind IN {CHANGE_KINDS}")
    } else {
        String::new()
    };
    db.query_opt(
        &format!(
            "SELECT {COLUMNS} FROM events WHERE incident_id = $1{indexed} AND kind IN ({}) \
             ORDER BY at DESC, id DESC LIMIT 1",
            marks.join(", ")
        ),
        &params(&values),
    )?
    .map(|r| from_row(&r))
    .transpose()
}

/// The events that arrived after arrival number `after` (of one incident,
/// or of all) in arrival order, and the newest arrival number; `None`:
/// only that number. One round trip either way.
pub fn arrived_after(db: &mut Db, incident: Option<i64>, after: Option<i64>) -> Result<(Vec<Event>, i64)> {
    const NEWEST: &str = "(SELECT coalesce(max(seq), 0) FROM events)";
    let Some(after) = after else {
        let row = db.query_one(&format!("SELECT {NEWEST}"), &[])?;
        return Ok((Vec::new(), col(&row, 0)?));
    };
    // The newest number rides along on every row; with no rows, a second
    // look gets it (nothing arrived: the common case stays one query).
    let rows = match incident {
        Some(id) => db.query(
            &format!(
                "SELECT {COLUMNS}, n.newest FROM (SELECT {NEWEST} AS newest) AS n JOIN events \
                 ON seq > $1 AND seq <= n.newest AND incident_id = $2 ORDER BY seq"
            ),
            &p![after, id],
        )?,
        None => db.query(
            &format!(
                "SELECT {COLUMNS}, n.newest FROM (SELECT {NEWEST} AS newest) AS n JOIN events \
                 ON seq > $1 AND seq <= n.newest ORDER BY seq"
            ),
            &p![after],
        )?,
    };
    let newest = match rows.first() {
        Some(r) => col(r, 8)?,
        None => col(&db.query_one(&format!("SELECT {NEWEST}"), &[])?, 0)?,
    };
    let events = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
    Ok((events, newest))
}

/// Hashes every event that arrived up to `upto` (all when `None`), in
/// arrival order, with its incident's uid (see `domain::chain::Checkpoint`).
pub fn checkpoint(db: &mut Db, upto: Option<i64>) -> Result<crate::domain::chain::Checkpoint> {
    let upto = match upto {
        Some(n) => n,
        None => col(&db.query_one("SELECT coalesce(max(seq), 0) FROM events", &[])?, 0)?,
    };
    let mut hasher = crate::domain::chain::CheckpointHasher::default();
    let rows = db.query(
        "SELECT coalesce(i.uid, ''), e.hash FROM events e LEFT JOIN incidents i ON i.id = e.incident_id \
         WHERE e.seq <= $1 ORDER BY e.seq",
        &p![upto],
    )?;
    for row in &rows {
        let uid: String = col(row, 0)?;
        let hash: Option<String> = col(row, 1)?;
        hasher.add(&uid, hash.as_deref());
    }
    Ok(hasher.finish(upto))
}
