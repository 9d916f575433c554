//! Queries on the status page's tables (as `sqlite/statuspage.rs`):
//! component statuses set by hand, and scheduled maintenance.

use super::Db;
use super::sql::{JsonList, Stamp, Statement, Value, col, p};
use crate::domain::statuspage::{ComponentMark, Maintenance};
use anyhow::Result;
use tokio_postgres::Row;

pub fn marks_statement() -> Statement {
    Statement::new(
        "SELECT id, component, status, set_by, set_at FROM component_statuses ORDER BY id",
        vec![],
    )
}

pub fn marks_of(rows: Vec<Row>) -> Result<Vec<ComponentMark>> {
    rows.iter()
        .map(|r| {
            let status: Option<String> = col(r, 2)?;
            Ok(ComponentMark {
                id: col(r, 0)?,
                component: col(r, 1)?,
                status: status.and_then(|s| s.parse().ok()),
                by: col(r, 3)?,
                at: col::<Stamp>(r, 4)?.0,
            })
        })
        .collect()
}

pub fn insert_mark(db: &mut Db, m: &ComponentMark) -> Result<i64> {
    let status: Option<String> = m.status.map(|s| s.as_str().to_string());
    let row = db.query_one(
        "INSERT INTO component_statuses (id, component, status, set_by, set_at) \
         VALUES ((SELECT coalesce(max(id), 0) + 1 FROM component_statuses), $1, $2, $3, $4) RETURNING id",
        &p![m.component, status, m.by, Stamp(m.at)],
    )?;
    col(&row, 0)
}

pub fn maintenances_statement(after: chrono::DateTime<chrono::Utc>) -> Statement {
    Statement::new(
        "SELECT id, title, services, starts_at, ends_at, created_by, created_at FROM maintenances \
         WHERE ends_at >= $1 ORDER BY starts_at, id",
        vec![Value::Text(crate::time::to_rfc3339(after))],
    )
}

pub fn maintenances_of(rows: Vec<Row>) -> Result<Vec<Maintenance>> {
    rows.iter()
        .map(|r| {
            Ok(Maintenance {
                id: col(r, 0)?,
                title: col(r, 1)?,
                services: col::<JsonList>(r, 2)?.0,
                from: col::<Stamp>(r, 3)?.0,
                until: col::<Stamp>(r, 4)?.0,
                by: col(r, 5)?,
                at: col::<Stamp>(r, 6)?.0,
            })
        })
        .collect()
}

pub fn insert_maintenance(db: &mut Db, m: &Maintenance) -> Result<i64> {
    let row = db.query_one(
        "INSERT INTO maintenances (id, title, services, starts_at, ends_at, created_by, created_at) \
         VALUES ((SELECT coalesce(max(id), 0) + 1 FROM maintenances), $1, $2, $3, $4, $5, $6) RETURNING id",
        &p![
            m.title,
            JsonList(m.services.clone()),
            Stamp(m.from),
            Stamp(m.until),
            m.by,
            Stamp(m.at)
        ],
    )?;
    col(&row, 0)
}
