//! Queries on the `events` table: the append-only timeline.

use super::sql::Stamp;
use crate::domain::chain::{self, Chain, ChainRow};
use crate::domain::targets::Milestones;
use crate::domain::{Event, EventData, EventKind};
use crate::store::{Append, EventQuery, Of, Range};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

pub const COLUMNS: &str = "id, incident_id, at, recorded_at, author, kind, text, details";

pub fn from_row(row: &Row<'_>) -> rusqlite::Result<Event> {
    let id = row.get(0)?;
    let kind: String = row.get(5)?;
    let details: Option<String> = row.get(7)?;
    let data = EventData::from_stored(&kind, details.as_deref()).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(
            7,
            rusqlite::types::Type::Text,
            format!("event {id}: {e}; run 'incident verify'").into(),
        )
    })?;
    Ok(Event {
        id,
        incident_id: row.get(1)?,
        at: row.get::<_, Stamp>(2)?.0,
        recorded_at: row.get::<_, Stamp>(3)?.0,
        author: row.get(4)?,
        text: row.get(6)?,
        data,
    })
}

/// Appends one event to the incident's timeline: a new one chained to the
/// head, or one from another database as it was stored. Moves the head
/// and the count; returns the event's number.
pub fn append(conn: &Connection, incident_id: i64, event: Append<'_>) -> rusqlite::Result<i64> {
    let (row, number) = match event {
        Append::New {
            event,
            author,
            recorded_at,
        } => {
            let (uid, head): (String, Option<String>) = conn
                .prepare_cached("SELECT uid, head FROM incidents WHERE id = ?1")?
                .query_row([incident_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            (
                chain::seal(&uid, head.as_deref(), event, author, recorded_at),
                None,
            )
        }
        Append::Verbatim { row, number } => (row.clone(), number),
    };
    let free = match number {
        Some(n) if n > 0 => !conn
            .prepare_cached("SELECT 1 FROM events WHERE id = ?1")?
            .exists([n])?,
        _ => false,
    };
    conn.prepare_cached(
        "INSERT INTO events (id, incident_id, at, recorded_at, author, kind, text, details, prev_hash, hash, seq) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, (SELECT coalesce(max(seq), 0) + 1 FROM events))",
    )?
    .execute(params![
        free.then_some(number).flatten(),
        incident_id,
        row.at,
        row.recorded_at,
        row.author,
        row.kind,
        row.text,
        row.details,
        row.prev_hash,
        row.hash
    ])?;
    let id = conn.last_insert_rowid();
    conn.prepare_cached("UPDATE incidents SET head = ?2, event_count = event_count + 1 WHERE id = ?1")?
        .execute(params![incident_id, row.hash])?;
    Ok(id)
}

pub fn chain(conn: &Connection, incident_id: i64) -> rusqlite::Result<Option<Chain>> {
    let Some((uid, head)) = conn
        .prepare_cached("SELECT coalesce(uid, ''), head FROM incidents WHERE id = ?1")?
        .query_row([incident_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let rows = conn
        .prepare_cached(
            "SELECT id, CAST(at AS TEXT), CAST(recorded_at AS TEXT), CAST(author AS TEXT), CAST(kind AS TEXT), \
             CAST(text AS TEXT), CAST(details AS TEXT), prev_hash, hash FROM events WHERE incident_id = ?1 ORDER BY id",
        )?
        .query_map([incident_id], |r| {
            Ok(ChainRow {
                id: r.get(0)?,
                at: r.get(1)?,
                recorded_at: r.get(2)?,
                author: r.get(3)?,
                kind: r.get(4)?,
                text: r.get(5)?,
                details: r.get(6)?,
                prev_hash: r.get(7)?,
                hash: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(Chain { uid, head, rows }))
}

/// Migration code for schema version 2: gives every incident a uid and
/// chains its existing events in recording order.
pub fn backfill_chain(conn: &Connection) -> rusqlite::Result<()> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM incidents WHERE uid IS NULL ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        let uid = uuid::Uuid::new_v4().to_string();
        conn.execute("UPDATE incidents SET uid = ?2 WHERE id = ?1", params![id, uid])?;
        let Some(Chain { rows, .. }) = chain(conn, id)? else {
            continue;
        };
        let mut prev = String::new();
        for row in &rows {
            let hash = chain::hash(&uid, &prev, &row.link().content);
            conn.execute(
                "UPDATE events SET prev_hash = ?2, hash = ?3 WHERE id = ?1",
                params![row.id, prev, hash],
            )?;
            prev = hash;
        }
        conn.execute(
            "UPDATE incidents SET head = ?2 WHERE id = ?1",
            params![id, (!rows.is_empty()).then_some(prev)],
        )?;
    }
    Ok(())
}

/// Fills in the milestone columns of every incident from its events: the
/// code half of the migration that added them (schema_state.sql).
pub fn fill_milestones(conn: &Connection) -> rusqlite::Result<()> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM incidents ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut update =
        conn.prepare("UPDATE incidents SET acknowledged_at = ?2, triaged_at = ?3 WHERE id = ?1")?;
    for id in ids {
        let events = select(conn, &[id], &[], Range::All)?;
        let marks = Milestones::of(events.iter().map(|e| (e.at, &e.data)));
        update.execute(params![
            id,
            marks.acknowledged.map(Stamp),
            marks.triaged.map(Stamp)
        ])?;
    }
    Ok(())
}

/// The kinds of `events_for_plans`, spelled as its condition.
const PLAN_KINDS: &str = "('playbook_attached', 'task_done', 'task_skipped', 'recent_changes')";

/// The kinds of `events_for_changes`, spelled as its condition.
const CHANGE_KINDS: &str =
    "('status_changed', 'resolved', 'reopened', 'closed', 'canceled', 'marked_duplicate',
                 'severity_changed')";

/// The kinds `events_for_updates` indexes, spelled as its condition.
const UPDATE_KINDS: &str = "('severity_changed', 'status_update', 'comms')";

/// The kinds `events_for_alerts` indexes, spelled as its condition.
const ALERT_KINDS: &str = "('alert_attached')";

/// ` AND kind IN <the partial index's list>` when every kind wanted is in
/// `indexed`, so the planner reads that index: a partial index is used only
/// for a condition written like its own.
fn within(kinds: &[EventKind], indexed: &str) -> Option<String> {
    (!kinds.is_empty()
        && kinds
            .iter()
            .all(|k| indexed.contains(&format!("'{}'", k.as_str()))))
    .then(|| format!(" AND kind IN {indexed}"))
}

/// The condition of the partial index that holds every kind wanted, if
/// one does: the plans, the update history (what `show` and `check` read
/// for the response targets), the changes or the alerts tied. Without it an incident's
/// few events of those kinds are found by reading all of its timeline
/// (850 pages for `show` of an incident with 10,000 notes).
fn plan_index(kinds: &[EventKind]) -> String {
    within(kinds, PLAN_KINDS)
        .or_else(|| within(kinds, UPDATE_KINDS))
        .or_else(|| within(kinds, CHANGE_KINDS))
        .or_else(|| within(kinds, ALERT_KINDS))
        .unwrap_or_default()
}

/// ` INDEXED BY events_for_updates` for the update history: that index
/// leads with the kind, so the planner, left to itself, prefers
/// `events_by_incident` for its order and reads the whole timeline; the
/// history is a few rows to sort.
fn forced_index(kinds: &[EventKind]) -> &'static str {
    match within(kinds, PLAN_KINDS).is_none() && within(kinds, UPDATE_KINDS).is_some() {
        true => " INDEXED BY events_for_updates",
        false => "",
    }
}

/// The events a query selects, each incident's in the order they
/// happened (or arrived, for [`Range::Arrived`]).
pub fn query(conn: &Connection, q: &EventQuery<'_>) -> rusqlite::Result<Vec<Event>> {
    match q.of {
        Of::Incident(id) => select(conn, &[id], q.kinds, q.range),
        Of::Incidents(ids) => select(conn, ids, q.kinds, q.range),
        Of::All => all(conn, q.kinds, q.range),
        Of::Selected(filter) => selected(conn, filter, q.kinds, q.range),
    }
}

fn kind_values(kinds: &[EventKind]) -> (String, Vec<Value>) {
    match kinds.is_empty() {
        true => (String::new(), Vec::new()),
        false => (
            format!(" AND kind IN ({})", vec!["?"; kinds.len()].join(", ")),
            kinds.iter().map(|k| Value::Text(k.as_str().into())).collect(),
        ),
    }
}

/// The events of the incidents `ids`.
fn select(conn: &Connection, ids: &[i64], kinds: &[EventKind], range: Range) -> rusqlite::Result<Vec<Event>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    if let ([id], Range::Last(1), Some(_)) = (ids, range, within(kinds, CHANGE_KINDS)) {
        return latest_change(conn, *id, kinds).map(|e| e.into_iter().collect());
    }
    let mut values: Vec<Value> = ids.iter().map(|id| Value::Integer(*id)).collect();
    let of = format!("incident_id IN ({})", vec!["?"; ids.len()].join(", "));
    let (kind, kind_values) = kind_values(kinds);
    values.extend(kind_values);
    let index = plan_index(kinds);
    let forced = forced_index(kinds);
    let run = |sql: String, values: Vec<Value>| -> rusqlite::Result<Vec<Event>> {
        conn.prepare_cached(&sql)?
            .query_map(params_from_iter(values), from_row)?
            .collect()
    };
    match range {
        Range::All => run(
            format!(
                "SELECT {COLUMNS} FROM events{forced} WHERE {of}{index}{kind} ORDER BY incident_id, at, id"
            ),
            values,
        ),
        Range::Last(n) => {
            values.push(Value::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
            let mut events = run(
                format!(
                    "SELECT {COLUMNS} FROM events{forced} WHERE {of}{index}{kind} ORDER BY at DESC, id DESC LIMIT ?"
                ),
                values,
            )?;
            events.reverse();
            Ok(events)
        }
        Range::Arrived { after, upto } => {
            values.extend([Value::Integer(after), Value::Integer(upto)]);
            run(
                format!(
                    "SELECT {COLUMNS} FROM events WHERE {of}{kind} AND seq > ? AND seq <= ? ORDER BY seq"
                ),
                values,
            )
        }
    }
}

/// The incident's latest event of change `kinds`, from their partial
/// index, newest first: the first row of a wanted kind is the answer,
/// after a few rows at most.
fn latest_change(
    conn: &Connection,
    incident_id: i64,
    kinds: &[EventKind],
) -> rusqlite::Result<Option<Event>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM events WHERE incident_id = ?1 AND kind IN {CHANGE_KINDS} \
         ORDER BY at DESC, id DESC"
    ))?;
    let mut rows = statement.query([incident_id])?;
    while let Some(row) = rows.next()? {
        let event = from_row(row)?;
        if kinds.contains(&event.kind()) {
            return Ok(Some(event));
        }
    }
    Ok(None)
}

/// The events of every incident.
fn all(conn: &Connection, kinds: &[EventKind], range: Range) -> rusqlite::Result<Vec<Event>> {
    let (kind, mut values) = kind_values(kinds);
    let sql = match range {
        Range::All => format!("SELECT {COLUMNS} FROM events WHERE 1{kind} ORDER BY incident_id, at, id"),
        Range::Last(n) => {
            values.push(Value::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
            format!(
                "SELECT * FROM (SELECT {COLUMNS} FROM events WHERE 1{kind} ORDER BY at DESC, id DESC LIMIT ?) \
                 ORDER BY at, id"
            )
        }
        Range::Arrived { after, upto } => {
            values.extend([Value::Integer(after), Value::Integer(upto)]);
            format!("SELECT {COLUMNS} FROM events WHERE 1{kind} AND seq > ? AND seq <= ? ORDER BY seq")
        }
    };
    conn.prepare_cached(&sql)?
        .query_map(params_from_iter(values), from_row)?
        .collect()
}

/// The events of the incidents a filter selects. The update history (what
/// the targets read of every incident) is driven from those incidents
/// through its partial index, so it reads their updates only: left to
/// itself the planner prefers the timeline index for its order and reads
/// every note, or walks every update of every incident.
fn selected(
    conn: &Connection,
    filter: &crate::store::ListFilter,
    kinds: &[EventKind],
    range: Range,
) -> rusqlite::Result<Vec<Event>> {
    let (selection, mut values) = super::incidents::selection(filter);
    if range != Range::All {
        // Rare shapes: the incidents first, then their events.
        let ids: Vec<i64> = conn
            .prepare_cached(&format!("SELECT i.id FROM incidents AS i WHERE {selection}"))?
            .query_map(params_from_iter(values), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        return select(conn, &ids, kinds, range);
    }
    let columns = COLUMNS
        .split(", ")
        .map(|c| format!("e.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    // Every kind of the index (it spells the targets' history kinds).
    let every_update = kinds.len() == crate::domain::targets::HISTORY_KINDS.len();
    let (kind, kind_values) = kind_values(kinds);
    let sql = match within(kinds, UPDATE_KINDS) {
        Some(_) if every_update => format!(
            "SELECT {columns} FROM incidents AS i CROSS JOIN events AS e INDEXED BY events_for_updates \
             WHERE {selection} AND e.incident_id = i.id AND e.kind IN {UPDATE_KINDS} \
             ORDER BY e.incident_id, e.at, e.id"
        ),
        _ => {
            values.extend(kind_values);
            format!(
                "SELECT {columns} FROM incidents AS i CROSS JOIN events AS e \
                 WHERE {selection} AND e.incident_id = i.id{} ORDER BY e.incident_id, e.at, e.id",
                kind.replace(" kind", " e.kind")
            )
        }
    };
    conn.prepare_cached(&sql)?
        .query_map(params_from_iter(values), from_row)?
        .collect()
}

/// What the imported events of the incidents `of` selects name, as
/// numbered here, by event id.
pub fn renumbered(
    conn: &Connection,
    of: Of<'_>,
) -> rusqlite::Result<std::collections::HashMap<i64, crate::domain::refs::Renumbering>> {
    let (condition, values) = match of {
        Of::Incident(id) => ("e.incident_id = ?".to_string(), vec![Value::Integer(id)]),
        Of::Incidents(ids) => (
            format!("e.incident_id IN ({})", vec!["?"; ids.len().max(1)].join(", ")),
            match ids.is_empty() {
                true => vec![Value::Null],
                false => ids.iter().map(|id| Value::Integer(*id)).collect(),
            },
        ),
        Of::Selected(filter) => {
            let (selection, values) = super::incidents::selection(filter);
            (
                format!("e.incident_id IN (SELECT i.id FROM incidents AS i WHERE {selection})"),
                values,
            )
        }
        Of::All => ("1".to_string(), Vec::new()),
    };
    // Most databases never imported anything renumbered: asked first, so
    // they read none of the incidents' events (the planner walks a long
    // timeline before it looks at the empty table).
    let any: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM renumbered)")?
        .query_row([], |r| r.get(0))?;
    if !any {
        return Ok(std::collections::HashMap::new());
    }
    conn.prepare_cached(&format!(
        "SELECT r.event_id, r.numbers FROM renumbered AS r JOIN events AS e ON e.id = r.event_id WHERE {condition}"
    ))?
    .query_map(params_from_iter(values), |r| {
        let numbers: String = r.get(1)?;
        let numbers = serde_json::from_str(&numbers).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
        })?;
        Ok((r.get(0)?, numbers))
    })?
    .collect()
}

/// Keeps what an imported event names, as numbered here.
pub fn put_renumbered(
    conn: &Connection,
    event: i64,
    numbers: &crate::domain::refs::Renumbering,
) -> rusqlite::Result<()> {
    let text =
        serde_json::to_string(numbers).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.prepare_cached("INSERT INTO renumbered (event_id, numbers) VALUES (?1, ?2)")?
        .execute(params![event, text])?;
    Ok(())
}

/// How many events the incident has (as kept beside it).
pub fn count(conn: &Connection, incident_id: i64) -> rusqlite::Result<usize> {
    conn.prepare_cached("SELECT event_count FROM incidents WHERE id = ?1")?
        .query_row([incident_id], |r| r.get::<_, i64>(0))
        .optional()
        .map(|n| n.map_or(0, |n| n.max(0) as usize))
}

/// The newest arrival number (0 when there are no events).
pub fn newest(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT coalesce(max(seq), 0) FROM events")?
        .query_row([], |r| r.get(0))
}

/// Streams (incident uid, hash) of every event that arrived up to `upto`,
/// in arrival order.
pub fn each_hash(
    conn: &Connection,
    upto: i64,
    f: &mut dyn FnMut(&str, Option<&str>),
) -> rusqlite::Result<()> {
    let mut statement = conn.prepare_cached(
        "SELECT coalesce(i.uid, ''), e.hash FROM events e LEFT JOIN incidents i ON i.id = e.incident_id \
         WHERE e.seq <= ?1 ORDER BY e.seq",
    )?;
    let mut rows = statement.query([upto])?;
    while let Some(row) = rows.next()? {
        let uid: String = row.get(0)?;
        let hash: Option<String> = row.get(1)?;
        f(&uid, hash.as_deref());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lookup must be written like the partial index's condition, or
    /// the planner walks the whole timeline instead.
    #[test]
    fn the_latest_change_is_found_through_its_partial_index() {
        let conn = super::super::in_memory();
        let plan = super::super::plan(
            &conn,
            &format!(
                "SELECT {COLUMNS} FROM events WHERE incident_id = ?1 AND kind IN {CHANGE_KINDS} \
                 ORDER BY at DESC, id DESC"
            ),
            [1],
        );
        assert!(
            plan.iter().any(|step| step.contains("events_for_changes")),
            "{plan:?}"
        );
        for kind in EventKind::SETS_STATUS.iter().chain(EventKind::SETS_SEVERITY) {
            assert!(
                CHANGE_KINDS.contains(&format!("'{kind}'")),
                "{kind} is not indexed"
            );
        }
        for kind in crate::domain::targets::HISTORY_KINDS {
            assert!(
                UPDATE_KINDS.contains(&format!("'{kind}'")),
                "{kind} is not indexed"
            );
        }
        assert_eq!(
            UPDATE_KINDS.matches('\'').count() / 2,
            crate::domain::targets::HISTORY_KINDS.len()
        );
    }

    /// The checklist and recent changes are read through their own
    /// partial index, which must list every kind they ask for.
    #[test]
    fn the_checklist_is_read_through_its_partial_index() {
        let conn = super::super::in_memory();
        let mut kinds = crate::domain::plans::CHECKLIST_KINDS.to_vec();
        kinds.push(EventKind::RecentChanges);
        assert_eq!(plan_index(&kinds), format!(" AND kind IN {PLAN_KINDS}"));
        assert_eq!(plan_index(&[EventKind::Note]), "");
        assert_eq!(
            plan_index(crate::domain::targets::HISTORY_KINDS),
            format!(" AND kind IN {UPDATE_KINDS}")
        );
        assert_eq!(
            plan_index(&[EventKind::Resolved, EventKind::Reopened]),
            format!(" AND kind IN {CHANGE_KINDS}")
        );
        // The alerts tied to an incident, as similar incidents read them.
        let sql = format!(
            "SELECT {COLUMNS} FROM events WHERE incident_id IN (?1){} AND kind IN (?2) ORDER BY at, id",
            plan_index(&[EventKind::AlertAttached])
        );
        let plan = super::super::plan(&conn, &sql, rusqlite::params![1, "alert_attached"]);
        assert!(
            plan.iter().any(|step| step.contains("events_for_alerts")),
            "{plan:?}"
        );
        let sql = format!(
            "SELECT {COLUMNS} FROM events WHERE incident_id IN (?1){} AND kind IN (?2, ?3) ORDER BY at, id",
            plan_index(&kinds)
        );
        let plan = super::super::plan(&conn, &sql, rusqlite::params![1, "task_done", "task_skipped"]);
        assert!(
            plan.iter().any(|step| step.contains("events_for_plans")),
            "{plan:?}"
        );
        // The update history, as `show` and `check` read it.
        let history = crate::domain::targets::HISTORY_KINDS;
        let (kind, values) = kind_values(history);
        let values: Vec<Value> = std::iter::once(Value::Integer(1)).chain(values).collect();
        let sql = format!(
            "SELECT {COLUMNS} FROM events{} WHERE incident_id IN (?){}{kind} ORDER BY incident_id, at, id",
            forced_index(history),
            plan_index(history)
        );
        let plan = super::super::plan(&conn, &sql, values);
        assert!(
            plan.iter().any(|step| step.contains("events_for_updates")),
            "{plan:?}"
        );
    }
}
