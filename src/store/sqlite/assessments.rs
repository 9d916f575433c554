//! Queries on the `assessments` table: triage records, append-only; the
//! current assessment of an incident is its latest.

use super::sql::{JsonList, Stamp};
use crate::domain::triage::{Answers, Assessment, Factor, normalize_checks};
use crate::store::Of;
use rusqlite::types::{Type, Value};
use rusqlite::{Connection, Row, params, params_from_iter};

const COLUMNS: &str = "a.id, a.incident_id, a.event_id, a.at, a.author, a.impact, a.sees, a.customers, \
     a.impact_started_at, a.tickets, a.factors, a.checked, a.suggested, a.reason, a.severity";

fn bad(column: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, Type::Text, message.into())
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Assessment> {
    let factors = row
        .get::<_, JsonList>(10)?
        .0
        .iter()
        .map(|f| f.parse::<Factor>().map_err(|e| bad(10, e)))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let checked = normalize_checks(&row.get::<_, JsonList>(11)?.0).map_err(|e| bad(11, e))?;
    Ok(Assessment {
        id: row.get(0)?,
        incident_id: row.get(1)?,
        event_id: row.get(2)?,
        at: row.get::<_, Stamp>(3)?.0,
        author: row.get(4)?,
        answers: Answers {
            impact: row.get(5)?,
            sees: row.get(6)?,
            customers: row.get(7)?,
            started_at: row.get::<_, Stamp>(8)?.0,
            tickets: row.get(9)?,
            factors,
            checked,
        },
        suggested: row.get(12)?,
        reason: row.get(13)?,
        severity: row.get(14)?,
    })
}

/// Stores `a` (its `id` is ignored) and returns its id.
pub fn insert(conn: &Connection, a: &Assessment) -> rusqlite::Result<i64> {
    let factors: Vec<String> = a.answers.factors.iter().map(|f| f.to_string()).collect();
    let checked: Vec<String> = a.answers.checked.iter().map(|c| c.to_string()).collect();
    conn.prepare_cached(
        "INSERT INTO assessments (incident_id, event_id, at, author, impact, sees, customers, \
         impact_started_at, tickets, factors, checked, suggested, reason, severity) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        a.incident_id,
        a.event_id,
        Stamp(a.at),
        a.author,
        a.answers.impact,
        a.answers.sees,
        a.answers.customers,
        Stamp(a.answers.started_at),
        a.answers.tickets,
        JsonList(factors),
        JsonList(checked),
        a.suggested,
        a.reason,
        a.severity,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The assessments of the incidents `of` selects, oldest first.
pub fn select(conn: &Connection, of: Of<'_>) -> rusqlite::Result<Vec<Assessment>> {
    let (from, values) = match of {
        Of::Incident(id) => (
            "assessments AS a WHERE a.incident_id = ?".to_string(),
            vec![Value::Integer(id)],
        ),
        Of::Incidents(ids) => (
            format!(
                "assessments AS a WHERE a.incident_id IN ({})",
                vec!["?"; ids.len()].join(", ")
            ),
            ids.iter().map(|id| Value::Integer(*id)).collect(),
        ),
        Of::Selected(filter) => {
            let (selection, values) = super::incidents::selection(filter);
            (
                format!("incidents AS i JOIN assessments AS a ON a.incident_id = i.id WHERE {selection}"),
                values,
            )
        }
        Of::All => ("assessments AS a".to_string(), Vec::new()),
    };
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM {from} ORDER BY a.id"))?
        .query_map(params_from_iter(values), from_row)?
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::triage::Customers;
    use crate::store::sqlite::migrations;

    fn assessment(incident_id: i64, severity: &str) -> Assessment {
        Assessment {
            id: 0,
            incident_id,
            event_id: 1,
            at: "2026-11-23T08:00:00Z".parse().unwrap(),
            author: "alice".into(),
            answers: Answers {
                impact: "slow".into(),
                sees: "spinner".into(),
                customers: Customers::Some,
                started_at: "2026-11-23T07:00:00Z".parse().unwrap(),
                tickets: 4,
                factors: vec![Factor::Public, Factor::DataLoss],
                checked: vec!["C3", "A1"],
            },
            suggested: "SEV1".into(),
            reason: "SEV1 because C3 is checked".into(),
            severity: severity.into(),
        }
    }

    #[test]
    fn a_version_1_database_gains_the_table_and_assessments_round_trip() {
        let conn = Connection::open_in_memory().unwrap();
        // A database written before this step, with an incident in it.
        migrations::upgrade_to(&conn, 0, 1).unwrap();
        conn.execute_batch(
            "INSERT INTO incidents (title, status, severity, category, declared_at) \
             VALUES ('a', 'investigating', 'SEV3', 'other', '2026-11-23T08:00:00Z'), \
                    ('b', 'investigating', 'SEV3', 'other', '2026-11-23T08:00:00Z'); \
             INSERT INTO events (incident_id, at, recorded_at, author, kind, text) \
             VALUES (1, '2026-11-23T08:00:00Z', '2026-11-23T08:00:00Z', 'alice', 'declared', 'x');",
        )
        .unwrap();
        migrations::upgrade(&conn, 1).unwrap();
        let all = |id| select(&conn, Of::Incident(id)).unwrap();
        assert!(all(1).is_empty());

        let first = assessment(1, "SEV1");
        let id = insert(&conn, &first).unwrap();
        let second_id = insert(&conn, &assessment(1, "SEV2")).unwrap();
        assert!(second_id > id);
        let got = all(1).pop().unwrap();
        assert_eq!(got.severity, "SEV2", "the later one supersedes");
        assert_eq!(got.answers, first.answers);
        assert_eq!(all(1).len(), 2);
        let selected = select(&conn, Of::Selected(&Default::default())).unwrap();
        assert_eq!(selected.last().map(|a| a.id), Some(second_id));
    }
}
