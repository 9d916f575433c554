//! Queries on the `retros` and `actions` tables.

use super::sql::{Day, JsonList, Stamp};
use crate::domain::retro::{ActionItem, ActionStatus, Retro, RetroDraft};
use crate::store::{ActionFilter, Dated, Put};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

/// The columns [`retro_from_row`] reads, first in a query's select list.
pub const RETRO_COLUMNS: &str =
    "impact, whys, root_cause, contributing, went_well, went_badly, lucky, no_actions, triggered_by, lead_up";

/// A retrospective from a row that starts with [`RETRO_COLUMNS`].
pub fn retro_from_row(r: &Row<'_>) -> rusqlite::Result<Retro> {
    Ok(Retro {
        impact: r.get(0)?,
        whys: r.get::<_, JsonList>(1)?.0,
        root_cause: r.get(2)?,
        contributing: r.get::<_, JsonList>(3)?.0,
        went_well: r.get::<_, JsonList>(4)?.0,
        went_badly: r.get::<_, JsonList>(5)?.0,
        lucky: r.get::<_, JsonList>(6)?.0,
        no_actions: r.get(7)?,
        trigger: r.get(8)?,
        lead_up: r.get(9)?,
    })
}

pub fn get(conn: &Connection, incident_id: i64) -> rusqlite::Result<Option<Dated<Retro>>> {
    conn.prepare_cached(&format!(
        "SELECT {RETRO_COLUMNS}, created_at, updated_at FROM retros WHERE incident_id = ?1"
    ))?
    .query_row([incident_id], |r| {
        Ok(Dated {
            value: retro_from_row(r)?,
            created_at: r.get::<_, Stamp>(10)?.0,
            updated_at: r.get::<_, Stamp>(11)?.0,
        })
    })
    .optional()
}

pub fn draft(conn: &Connection, incident_id: i64) -> rusqlite::Result<Option<RetroDraft>> {
    conn.prepare_cached("SELECT answers, author, saved_at FROM retro_drafts WHERE incident_id = ?1")?
        .query_row([incident_id], |r| {
            Ok(RetroDraft {
                answers: r.get(0)?,
                author: r.get(1)?,
                saved_at: r.get::<_, Stamp>(2)?.0,
            })
        })
        .optional()
}

/// Saves an interrupted retrospective's answers; `None` deletes them.
pub fn put_draft(conn: &Connection, incident_id: i64, draft: Option<&RetroDraft>) -> rusqlite::Result<()> {
    match draft {
        Some(d) => conn
            .prepare_cached(
                "INSERT INTO retro_drafts (incident_id, answers, author, saved_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (incident_id) DO UPDATE SET answers = excluded.answers, \
                 author = excluded.author, saved_at = excluded.saved_at",
            )?
            .execute(params![incident_id, d.answers, d.author, Stamp(d.saved_at)])?,
        None => conn
            .prepare_cached("DELETE FROM retro_drafts WHERE incident_id = ?1")?
            .execute([incident_id])?,
    };
    Ok(())
}

/// Inserts or replaces the incident's retrospective.
pub fn put(conn: &Connection, incident_id: i64, dated: &Dated<Retro>) -> rusqlite::Result<()> {
    let retro = &dated.value;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO retros (incident_id, impact, whys, root_cause, contributing, went_well, \
         went_badly, lucky, no_actions, created_at, updated_at, triggered_by, lead_up) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        incident_id,
        retro.impact,
        JsonList(retro.whys.clone()),
        retro.root_cause,
        JsonList(retro.contributing.clone()),
        JsonList(retro.went_well.clone()),
        JsonList(retro.went_badly.clone()),
        JsonList(retro.lucky.clone()),
        retro.no_actions,
        Stamp(dated.created_at),
        Stamp(dated.updated_at),
        retro.trigger,
        retro.lead_up,
    ])?;
    Ok(())
}

const ACTION_COLUMNS: &str =
    "id, incident_id, text, owner, due, kind, status, created_at, done_at, note, link";

fn action_from_row(row: &Row<'_>) -> rusqlite::Result<ActionItem> {
    Ok(ActionItem {
        id: row.get(0)?,
        incident_id: row.get(1)?,
        text: row.get(2)?,
        owner: row.get(3)?,
        due: row.get::<_, Day>(4)?.0,
        kind: row.get(5)?,
        status: row.get(6)?,
        created_at: row.get::<_, Stamp>(7)?.0,
        done_at: row.get::<_, Option<Stamp>>(8)?.map(|s| s.0),
        note: row.get(9)?,
        link: row.get(10)?,
    })
}

/// Stores an action item: a new one keeps its number where that is free
/// (else takes the next; returned), a known one its changeable columns
/// (status, done time, note and link).
pub fn put_action(conn: &Connection, item: &ActionItem, put: Put) -> rusqlite::Result<i64> {
    if put == Put::Update {
        conn.prepare_cached(
            "UPDATE actions SET status = ?2, done_at = ?3, note = ?4, link = ?5 WHERE id = ?1",
        )?
        .execute(params![
            item.id,
            item.status,
            item.done_at.map(Stamp),
            item.note,
            item.link
        ])?;
        return Ok(item.id);
    }
    let free = item.id > 0
        && !conn
            .prepare_cached("SELECT 1 FROM actions WHERE id = ?1")?
            .exists([item.id])?;
    conn.prepare_cached(
        "INSERT INTO actions (id, incident_id, text, owner, due, kind, status, created_at, done_at, note, link) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        free.then_some(item.id),
        item.incident_id,
        item.text,
        item.owner,
        Day(item.due),
        item.kind,
        item.status,
        Stamp(item.created_at),
        item.done_at.map(Stamp),
        item.note,
        item.link
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Action items matching `filter`: the soonest due first, then in order of creation.
pub fn actions(conn: &Connection, filter: &ActionFilter) -> rusqlite::Result<Vec<ActionItem>> {
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    if let Some(id) = filter.id {
        clauses.push("id = ?");
        values.push(Value::Integer(id));
    }
    if filter.open {
        clauses.push("status = ?");
        values.push(Value::Text(ActionStatus::Open.as_str().into()));
    }
    if let Some(owner) = &filter.owner {
        clauses.push("owner = ?");
        values.push(Value::Text(owner.clone()));
    }
    if let Some(id) = filter.incident_id {
        clauses.push("incident_id = ?");
        values.push(Value::Integer(id));
    }
    let conditions = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let order = if filter.incident_id.is_some() {
        "id"
    } else {
        "due, id"
    };
    conn.prepare_cached(&format!(
        "SELECT {ACTION_COLUMNS} FROM actions {conditions} ORDER BY {order}"
    ))?
    .query_map(params_from_iter(values), action_from_row)?
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::migrations::{self, STEPS};

    fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
        s.parse().unwrap()
    }

    /// A database at the version just before this step, holding an incident.
    fn before_retro_step() -> (Connection, i64) {
        let conn = Connection::open_in_memory().unwrap();
        let step = STEPS
            .iter()
            .position(|s| s.sql.contains("CREATE TABLE retros"))
            .unwrap() as i64;
        migrations::upgrade_to(&conn, 0, step).unwrap();
        conn.execute(
            "INSERT INTO incidents (title, status, severity, category, declared_at) \
             VALUES ('x', 'resolved', 'SEV2', 'data', '2026-11-23T08:00:00Z')",
            [],
        )
        .unwrap();
        (conn, step)
    }

    #[test]
    fn the_step_migrates_an_existing_database_and_keeps_its_incidents() {
        let (conn, step) = before_retro_step();
        migrations::upgrade(&conn, step).unwrap();
        assert_eq!(migrations::user_version(&conn).unwrap(), migrations::LATEST);
        let n: i64 = conn
            .query_row("SELECT count(*) FROM incidents", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(get(&conn, 1).unwrap(), None);
    }

    #[test]
    fn retros_round_trip_and_update_in_place() {
        let (conn, step) = before_retro_step();
        migrations::upgrade(&conn, step).unwrap();
        let mut retro = Retro {
            impact: Some("orders | lost".into()),
            whys: vec!["a".into(), "b".into()],
            root_cause: Some("c".into()),
            lucky: vec!["quiet day".into()],
            ..Retro::default()
        };
        let dated = |retro: &Retro, updated: &str| Dated {
            value: retro.clone(),
            created_at: at("2026-11-24T08:00:00Z"),
            updated_at: at(updated),
        };
        put(&conn, 1, &dated(&retro, "2026-11-24T08:00:00Z")).unwrap();
        assert_eq!(get(&conn, 1).unwrap().map(|d| d.value).as_ref(), Some(&retro));
        retro.no_actions = Some("hardware".into());
        put(&conn, 1, &dated(&retro, "2026-11-24T09:00:00Z")).unwrap();
        assert_eq!(get(&conn, 1).unwrap().map(|d| d.value), Some(retro));
        let (created, updated): (String, String) = conn
            .query_row("SELECT created_at, updated_at FROM retros", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(
            (created.as_str(), updated.as_str()),
            ("2026-11-24T08:00:00Z", "2026-11-24T09:00:00Z")
        );
    }
}
