//! Queries on the `retros`, `retro_drafts` and `actions` tables (as
//! `sqlite/retro.rs`).

use super::Db;
use super::incidents::mark;
use super::sql::{Day, JsonList, Stamp, Statement, Value, col, p};
use crate::domain::retro::{ActionItem, ActionStatus, Retro, RetroDraft};
use crate::store::{ActionFilter, Dated, Put};
use anyhow::Result;
use tokio_postgres::Row;

/// The columns [`retro_from_row`] reads, first in a query's select list.
pub const RETRO_COLUMNS: &str =
    "impact, whys, root_cause, contributing, went_well, went_badly, lucky, no_actions, triggered_by, lead_up";

/// A retrospective from a row that starts with [`RETRO_COLUMNS`].
pub fn retro_from_row(r: &Row) -> Result<Retro> {
    Ok(Retro {
        impact: col(r, 0)?,
        whys: col::<JsonList>(r, 1)?.0,
        root_cause: col(r, 2)?,
        contributing: col::<JsonList>(r, 3)?.0,
        went_well: col::<JsonList>(r, 4)?.0,
        went_badly: col::<JsonList>(r, 5)?.0,
        lucky: col::<JsonList>(r, 6)?.0,
        no_actions: col(r, 7)?,
        trigger: col(r, 8)?,
        lead_up: col(r, 9)?,
    })
}

pub fn get_statement(incident_id: i64) -> Statement {
    Statement::new(
        format!("SELECT {RETRO_COLUMNS}, created_at, updated_at FROM retros WHERE incident_id = $1"),
        vec![Value::Int(incident_id)],
    )
}

pub fn get_of(rows: Vec<Row>) -> Result<Option<Dated<Retro>>> {
    rows.first()
        .map(|r| {
            Ok(Dated {
                value: retro_from_row(r)?,
                created_at: col::<Stamp>(r, 10)?.0,
                updated_at: col::<Stamp>(r, 11)?.0,
            })
        })
        .transpose()
}

pub fn draft_statement(incident_id: i64) -> Statement {
    Statement::new(
        "SELECT answers, author, saved_at FROM retro_drafts WHERE incident_id = $1",
        vec![Value::Int(incident_id)],
    )
}

pub fn draft_of(rows: Vec<Row>) -> Result<Option<RetroDraft>> {
    rows.first()
        .map(|r| {
            Ok(RetroDraft {
                answers: col(r, 0)?,
                author: col(r, 1)?,
                saved_at: col::<Stamp>(r, 2)?.0,
            })
        })
        .transpose()
}

/// Saves an interrupted retrospective's answers; `None` deletes them.
pub fn put_draft(db: &mut Db, incident_id: i64, draft: Option<&RetroDraft>) -> Result<()> {
    match draft {
        Some(d) => db.query(
            "INSERT INTO retro_drafts (incident_id, answers, author, saved_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (incident_id) DO UPDATE SET answers = excluded.answers, \
             author = excluded.author, saved_at = excluded.saved_at",
            &p![incident_id, d.answers, d.author, Stamp(d.saved_at)],
        )?,
        None => db.query(
            "DELETE FROM retro_drafts WHERE incident_id = $1",
            &p![incident_id],
        )?,
    };
    Ok(())
}

/// Inserts or replaces the incident's retrospective.
pub fn put(db: &mut Db, incident_id: i64, dated: &Dated<Retro>) -> Result<()> {
    let retro = &dated.value;
    db.query(
        "INSERT INTO retros (incident_id, impact, whys, root_cause, contributing, went_well, \
         went_badly, lucky, no_actions, created_at, updated_at, triggered_by, lead_up) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (incident_id) DO UPDATE SET impact = excluded.impact, whys = excluded.whys, \
         root_cause = excluded.root_cause, contributing = excluded.contributing, \
         went_well = excluded.went_well, went_badly = excluded.went_badly, lucky = excluded.lucky, \
         no_actions = excluded.no_actions, created_at = excluded.created_at, \
         updated_at = excluded.updated_at, triggered_by = excluded.triggered_by, lead_up = excluded.lead_up",
        &p![
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
            retro.lead_up
        ],
    )?;
    Ok(())
}

const ACTION_COLUMNS: &str =
    "id, incident_id, text, owner, due, kind, status, created_at, done_at, note, link";

fn action_from_row(row: &Row) -> Result<ActionItem> {
    Ok(ActionItem {
        id: col(row, 0)?,
        incident_id: col(row, 1)?,
        text: col(row, 2)?,
        owner: col(row, 3)?,
        due: col::<Day>(row, 4)?.0,
        kind: col(row, 5)?,
        status: col(row, 6)?,
        created_at: col::<Stamp>(row, 7)?.0,
        done_at: col::<Option<Stamp>>(row, 8)?.map(|s| s.0),
        note: col(row, 9)?,
        link: col(row, 10)?,
    })
}

/// Stores an action item: a new one keeps its number where that is free
/// (else one past the highest, under the writers' lock; returned), a known
/// one its changeable columns (status, done time, note and link).
pub fn put_action(db: &mut Db, item: &ActionItem, put: Put) -> Result<i64> {
    if put == Put::Update {
        db.query(
            "UPDATE actions SET status = $2, done_at = $3, note = $4, link = $5 WHERE id = $1",
            &p![
                item.id,
                item.status,
                item.done_at.map(Stamp),
                item.note,
                item.link
            ],
        )?;
        return Ok(item.id);
    }
    let row = db.query_one(
        "INSERT INTO actions (id, incident_id, text, owner, due, kind, status, created_at, done_at, note, link) \
         VALUES (CASE WHEN $1 > 0 AND NOT EXISTS (SELECT 1 FROM actions WHERE id = $1) THEN $1 \
         ELSE (SELECT coalesce(max(id), 0) + 1 FROM actions) END, \
         $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        &p![
            item.id,
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
        ],
    )?;
    col(&row, 0)
}

/// Action items matching `filter`: the soonest due first, then in order of
/// creation (one incident's: in order of creation).
pub fn actions_of(rows: Vec<Row>) -> Result<Vec<ActionItem>> {
    rows.iter().map(action_from_row).collect()
}

pub fn actions_statement(filter: &ActionFilter) -> Statement {
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    if let Some(id) = filter.id {
        let m = mark(&mut values, Value::Int(id));
        clauses.push(format!("id = {m}"));
    }
    if filter.open {
        let m = mark(&mut values, Value::Text(ActionStatus::Open.as_str().into()));
        clauses.push(format!("status = {m}"));
    }
    if let Some(owner) = &filter.owner {
        let m = mark(&mut values, Value::Text(owner.clone()));
        clauses.push(format!("owner = {m}"));
    }
    if let Some(id) = filter.incident_id {
        let m = mark(&mut values, Value::Int(id));
        clauses.push(format!("incident_id = {m}"));
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
    Statement::new(
        format!("SELECT {ACTION_COLUMNS} FROM actions {conditions} ORDER BY {order}"),
        values,
    )
}
