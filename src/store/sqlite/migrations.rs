//! Schema migrations: an append-only list, position N upgrades a database at
//! `user_version` N to N+1. Each step runs inside the caller's IMMEDIATE
//! transaction, so a crash mid-upgrade leaves the old version intact.

use rusqlite::Connection;

/// One upgrade: SQL, then optionally code for what SQL cannot compute.
pub struct Step {
    pub sql: &'static str,
    pub code: Option<fn(&Connection) -> rusqlite::Result<()>>,
}

impl Step {
    const fn sql(sql: &'static str) -> Step {
        Step { sql, code: None }
    }
}

/// Never edit or reorder a released step: add a new one.
pub const STEPS: &[Step] = &[
    Step::sql(include_str!("schema_v1.sql")),
    Step {
        sql: include_str!("schema_chain.sql"),
        code: Some(super::events::backfill_chain),
    },
    Step::sql(include_str!("schema_assessments.sql")),
    Step::sql(include_str!("schema_retro.sql")),
    Step {
        sql: include_str!("schema_state.sql"),
        code: Some(super::events::fill_milestones),
    },
    Step::sql(include_str!("schema_list.sql")),
    Step::sql(include_str!("schema_counts.sql")),
    Step::sql(include_str!("schema_settled.sql")),
    Step::sql(include_str!("schema_no_triggers.sql")),
    Step::sql(include_str!("schema_retro_drafts.sql")),
    Step::sql(include_str!("schema_seq.sql")),
    Step::sql(include_str!("schema_changes.sql")),
    Step::sql(include_str!("schema_plans.sql")),
    // 14: alerts from monitoring.
    Step::sql(include_str!("schema_alerts.sql")),
    // 15: the time to detect in the stats cache (which it clears).
    Step::sql(include_str!("schema_settled_detect.sql")),
    // 16: what imported events name, as numbered here; sealed alert rows.
    Step {
        sql: include_str!("schema_references.sql"),
        code: Some(super::alerts::seal_all),
    },
    // 17: notifications: where each destination's delivery stands, the
    // rooms opened per incident, chat messages recorded.
    Step::sql(include_str!("schema_deliveries.sql")),
    // 18: on-call overrides.
    Step::sql(include_str!("schema_overrides.sql")),
    // 19: where each destination's reading of the chat stands.
    Step::sql(include_str!("schema_chat_cursor.sql")),
    // 20: the status page: component statuses set by hand, maintenance.
    Step::sql(include_str!("schema_status_page.sql")),
    // 21: the full-text index, filled from what is stored.
    Step {
        sql: include_str!("schema_search.sql"),
        code: Some(super::search::backfill),
    },
    // 22: an incident's alert events through their own index.
    Step::sql(include_str!("schema_alert_events.sql")),
    // 23: an incident's indexed texts, for a narrowly filtered search.
    Step::sql(include_str!("schema_search_incident.sql")),
    // 24: each incident's words and services as numbers, for similar
    // incidents.
    Step {
        sql: include_str!("schema_likeness.sql"),
        code: Some(super::incidents::backfill_prints),
    },
    // 25: what that comparison reads, in an index of its own.
    Step::sql(include_str!("schema_likeness_window.sql")),
];

/// The version this binary writes.
pub const LATEST: i64 = STEPS.len() as i64;

/// The schema version. Cached: every write transaction reads it again.
pub fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("PRAGMA user_version")?
        .query_row([], |r| r.get(0))
}

/// Applies every step after `from`. The caller holds the write transaction.
pub fn upgrade(conn: &Connection, from: i64) -> rusqlite::Result<()> {
    upgrade_to(conn, from, LATEST)
}

/// Applies the steps from `from` up to version `to`: tests build databases
/// of older versions with it.
pub fn upgrade_to(conn: &Connection, from: i64, to: i64) -> rusqlite::Result<()> {
    for (index, step) in STEPS.iter().enumerate().take(to as usize).skip(from as usize) {
        conn.execute_batch(step.sql)?;
        if let Some(code) = step.code {
            code(conn)?;
        }
        conn.pragma_update(None, "user_version", index as i64 + 1)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_applies_in_order_from_empty() {
        let conn = Connection::open_in_memory().unwrap();
        upgrade(&conn, 0).unwrap();
        assert_eq!(user_version(&conn).unwrap(), LATEST);
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for table in [
            "events",
            "incidents",
            "roles",
            "assessments",
            "retros",
            "actions",
            "retro_drafts",
            "alerts",
        ] {
            assert!(
                tables.iter().any(|t| t == table),
                "{table} missing from {tables:?}"
            );
        }
    }

    #[test]
    fn upgrading_a_current_database_does_nothing() {
        let conn = Connection::open_in_memory().unwrap();
        upgrade(&conn, 0).unwrap();
        upgrade(&conn, LATEST).unwrap();
        assert_eq!(user_version(&conn).unwrap(), LATEST);
    }

    #[test]
    fn the_chain_step_fills_in_identities_and_hashes_for_existing_rows() {
        let conn = Connection::open_in_memory().unwrap();
        upgrade_to(&conn, 0, 1).unwrap();
        conn.execute_batch(
            "INSERT INTO incidents (id, title, status, severity, category, declared_at)
               VALUES (1, 'Old', 'resolved', 'SEV2', 'other', '2026-01-01T00:00:00Z');
             INSERT INTO events (incident_id, at, recorded_at, author, kind, text)
               VALUES (1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'a', 'declared', 'Declared'),
                      (1, '2026-01-01T01:00:00Z', '2026-01-01T01:00:00Z', 'a', 'resolved', 'Resolved');",
        )
        .unwrap();
        upgrade(&conn, 1).unwrap();
        let (uid, head): (String, String) = conn
            .query_row("SELECT uid, head FROM incidents", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(uid.len(), 36);
        let hashes: Vec<(String, String)> = conn
            .prepare("SELECT prev_hash, hash FROM events ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(hashes[0].0, "");
        assert_eq!(hashes[1].0, hashes[0].1);
        assert_eq!(head, hashes[1].1);
    }

    #[test]
    fn the_detect_step_clears_the_stats_cache_settled_without_the_time_to_detect() {
        let detect = STEPS
            .iter()
            .position(|s| s.sql.contains("detect_seconds"))
            .unwrap() as i64;
        let conn = Connection::open_in_memory().unwrap();
        upgrade_to(&conn, 0, detect).unwrap();
        conn.execute_batch(
            "INSERT INTO incidents (id, title, status, severity, category, declared_at, started_at, settled)
               VALUES (1, 'Old', 'closed', 'SEV2', 'other', '2026-01-01T00:00:00Z', '2025-12-31T23:50:00Z', 7),
                      (2, 'Open', 'investigating', 'SEV2', 'other', '2026-01-02T00:00:00Z', NULL, NULL);
             INSERT INTO stats_settled (incident_id, targets, declared_at, severity, category,
                 acknowledge_seconds, resolve_seconds, tallies)
               VALUES (1, 7, '2026-01-01T00:00:00Z', 'SEV2', 'other', 60, 3600, '[]');
             INSERT INTO stats_months (targets, month, summary)
               VALUES (7, '2026-01', '[{\"severity\":\"SEV2\"}]');",
        )
        .unwrap();
        upgrade(&conn, detect).unwrap();
        let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(count("SELECT count(*) FROM stats_settled"), 0);
        assert_eq!(count("SELECT count(*) FROM stats_months"), 0);
        assert_eq!(
            count("SELECT count(*) FROM incidents WHERE settled IS NOT NULL"),
            0
        );
        assert_eq!(
            count("SELECT count(*) FROM incidents"),
            2,
            "only the cache is cleared"
        );
        conn.execute(
            "INSERT INTO stats_settled (incident_id, targets, declared_at, severity, category, tallies, detect_seconds)
               VALUES (1, 7, '2026-01-01T00:00:00Z', 'SEV2', 'other', '[]', 600)",
            [],
        )
        .unwrap();
    }

    #[test]
    fn the_state_step_fills_in_acknowledged_and_triaged_from_existing_events() {
        let state = STEPS
            .iter()
            .position(|s| s.sql.contains("acknowledged_at"))
            .unwrap() as i64;
        let conn = Connection::open_in_memory().unwrap();
        upgrade_to(&conn, 0, state).unwrap();
        conn.execute_batch(
            "INSERT INTO incidents (id, title, status, severity, category, declared_at)
               VALUES (1, 'Old', 'investigating', 'SEV2', 'other', '2026-01-01T00:00:00Z'),
                      (2, 'Bare', 'investigating', 'SEV2', 'other', '2026-01-01T00:00:00Z');
             INSERT INTO events (incident_id, at, recorded_at, author, kind, text, details) VALUES
               (1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'a', 'declared', 'D', NULL),
               (1, '2026-01-01T00:05:00Z', '2026-01-01T00:05:00Z', 'a', 'role_assigned', 'S',
                '{\"role\":\"scribe\",\"person\":\"b\"}'),
               (1, '2026-01-01T00:30:00Z', '2026-01-01T00:30:00Z', 'a', 'role_assigned', 'C',
                '{\"role\":\"commander\",\"person\":\"b\"}'),
               (1, '2026-01-01T00:20:00Z', '2026-01-01T00:40:00Z', 'a', 'role_handover', 'C',
                '{\"role\":\"commander\",\"person\":\"c\",\"previous\":\"b\"}'),
               (1, '2026-01-01T01:00:00Z', '2026-01-01T01:00:00Z', 'a', 'assessed', 'A', '{}');",
        )
        .unwrap();
        upgrade(&conn, state).unwrap();
        let got: Vec<(Option<String>, Option<String>)> = conn
            .prepare("SELECT acknowledged_at, triaged_at FROM incidents ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            got,
            [
                (
                    Some("2026-01-01T00:20:00Z".to_string()),
                    Some("2026-01-01T01:00:00Z".to_string())
                ),
                (None, None)
            ]
        );
    }
}
