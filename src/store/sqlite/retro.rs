//! Queries on the `retros` and `actions` tables.

use super::sql::{Day, JsonList, Stamp};
use crate::domain::retro::{ActionItem, ActionStatus, NewAction, Retro, RetroDraft};
use crate::store::ActionFilter;
use chrono::{DateTime, Utc};
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

pub fn get(conn: &Connection, incident_id: i64) -> rusqlite::Result<Option<Retro>> {
    conn.prepare_cached(&format!(
        "SELECT {RETRO_COLUMNS} FROM retros WHERE incident_id = ?1"
    ))?
    .query_row([incident_id], retro_from_row)
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

pub fn save_draft(
    conn: &Connection,
    incident_id: i64,
    answers: &str,
    author: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO retro_drafts (incident_id, answers, author, saved_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (incident_id) DO UPDATE SET answers = excluded.answers, \
         author = excluded.author, saved_at = excluded.saved_at",
    )?
    .execute(params![incident_id, answers, author, Stamp(now)])?;
    Ok(())
}

pub fn delete_draft(conn: &Connection, incident_id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM retro_drafts WHERE incident_id = ?1")?
        .execute([incident_id])?;
    Ok(())
}

/// Inserts or replaces the incident's retrospective.
pub fn save(conn: &Connection, incident_id: i64, retro: &Retro, now: DateTime<Utc>) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO retros (incident_id, impact, whys, root_cause, contributing, went_well, \
         went_badly, lucky, no_actions, created_at, updated_at, triggered_by, lead_up) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12) \
         ON CONFLICT (incident_id) DO UPDATE SET impact = excluded.impact, whys = excluded.whys, \
         root_cause = excluded.root_cause, contributing = excluded.contributing, \
         went_well = excluded.went_well, went_badly = excluded.went_badly, lucky = excluded.lucky, \
         no_actions = excluded.no_actions, updated_at = excluded.updated_at, \
         triggered_by = excluded.triggered_by, lead_up = excluded.lead_up",
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
        Stamp(now),
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

/// The number the next action item gets.
pub fn next_action_id(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT coalesce(max(id), 0) + 1 FROM actions")?
        .query_row([], |r| r.get(0))
}

/// Adds an open action item numbered `id` (from [`next_action_id`]).
pub fn add_action(
    conn: &Connection,
    id: i64,
    incident_id: i64,
    item: &NewAction,
    now: DateTime<Utc>,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO actions (id, incident_id, text, owner, due, kind, status, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        id,
        incident_id,
        item.text,
        item.owner,
        Day(item.due),
        item.kind,
        ActionStatus::Open,
        Stamp(now),
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn action(conn: &Connection, id: i64) -> rusqlite::Result<Option<ActionItem>> {
    conn.prepare_cached(&format!("SELECT {ACTION_COLUMNS} FROM actions WHERE id = ?1"))?
        .query_row([id], action_from_row)
        .optional()
}

/// Stores an item's changeable columns: status, done time, note and link.
pub fn save_action(conn: &Connection, item: &ActionItem) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE actions SET status = ?2, done_at = ?3, note = ?4, link = ?5 WHERE id = ?1")?
        .execute(params![
            item.id,
            item.status,
            item.done_at.map(Stamp),
            item.note,
            item.link
        ])?;
    Ok(())
}

/// Action items matching `filter`: the soonest due first, then in order of creation.
pub fn actions(conn: &Connection, filter: &ActionFilter) -> rusqlite::Result<Vec<ActionItem>> {
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    if filter.open || filter.due_before.is_some() {
        clauses.push("status = ?");
        values.push(Value::Text(ActionStatus::Open.as_str().into()));
    }
    if let Some(day) = filter.due_before {
        clauses.push("due < ?");
        values.push(Value::Text(day.format("%Y-%m-%d").to_string()));
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
    use crate::domain::retro::ActionKind;
    use crate::store::sqlite::migrations::{self, STEPS};

    fn at(s: &str) -> DateTime<Utc> {
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
        save(&conn, 1, &retro, at("2026-11-24T08:00:00Z")).unwrap();
        assert_eq!(get(&conn, 1).unwrap().as_ref(), Some(&retro));
        retro.no_actions = Some("hardware".into());
        save(&conn, 1, &retro, at("2026-11-24T09:00:00Z")).unwrap();
        assert_eq!(get(&conn, 1).unwrap(), Some(retro));
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

    #[test]
    fn actions_filter_by_open_overdue_owner_and_incident() {
        let (conn, step) = before_retro_step();
        migrations::upgrade(&conn, step).unwrap();
        let now = at("2026-11-24T08:00:00Z");
        let new = |text: &str, owner: &str, due: &str| NewAction {
            text: text.into(),
            owner: owner.into(),
            due: due.parse().unwrap(),
            kind: ActionKind::Preventive,
        };
        let add = |item| add_action(&conn, next_action_id(&conn).unwrap(), 1, &item, now).unwrap();
        let a = add(new("alert", "erin", "2026-12-15"));
        let b = add(new("index", "bob", "2026-12-01"));
        let c = add(new("docs", "erin", "2026-11-30"));
        let mut done = action(&conn, c).unwrap().unwrap();
        done.status = ActionStatus::Done;
        done.done_at = Some(now);
        done.note = Some("written".into());
        save_action(&conn, &done).unwrap();
        assert_eq!(action(&conn, c).unwrap().unwrap(), done);

        let ids = |f: ActionFilter| {
            actions(&conn, &f)
                .unwrap()
                .iter()
                .map(|i| i.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(ActionFilter::default()), [c, b, a], "soonest due first");
        let open = ActionFilter {
            open: true,
            ..ActionFilter::default()
        };
        assert_eq!(ids(open), [b, a]);
        let overdue = |day: &str| ActionFilter {
            due_before: Some(day.parse().unwrap()),
            ..ActionFilter::default()
        };
        assert_eq!(
            ids(overdue("2026-12-01")),
            Vec::<i64>::new(),
            "due today is not overdue"
        );
        assert_eq!(ids(overdue("2026-12-02")), [b], "done items are never overdue");
        assert_eq!(ids(overdue("2027-01-01")), [b, a]);
        let erin = ActionFilter {
            owner: Some("erin".into()),
            ..ActionFilter::default()
        };
        assert_eq!(ids(erin), [c, a]);
        let incident = ActionFilter {
            incident_id: Some(1),
            ..ActionFilter::default()
        };
        assert_eq!(
            ids(incident),
            [a, b, c],
            "an incident's items in order of creation"
        );
    }
}
