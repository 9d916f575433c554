//! Schema migrations: an append-only list, as in `sqlite/migrations.rs`;
//! position N upgrades a database at version N to N+1. The version lives
//! in the one-row table `incident_schema`. Every step runs in one
//! transaction that first takes the writers' advisory lock, so two clients
//! starting at once on an empty database cannot both create the schema, no
//! writer writes mid-upgrade, and a crash leaves the old version intact
//! (PostgreSQL's DDL is transactional).

use super::Db;
use super::connect::Target;
use anyhow::{Result, anyhow};
use tokio_postgres::error::SqlState;

/// One upgrade: the tables and indexes, then what guards them and serves
/// hand edits (the append-only trigger, `max + 1` id defaults).
pub struct Step {
    pub sql: &'static str,
    pub guards: &'static str,
    /// What SQL cannot compute, run after the SQL in the same transaction.
    pub code: Option<StepCode>,
}

/// A step's code: it fills in what its SQL added.
pub type StepCode = fn(&mut Db) -> Result<(), super::client::Error>;

/// Never edit or reorder a released step: add a new one.
pub const STEPS: &[Step] = &[
    Step {
        sql: include_str!("schema_v1.sql"),
        guards: include_str!("schema_v1_guards.sql"),
        code: None,
    },
    Step {
        sql: include_str!("schema_plans.sql"),
        guards: include_str!("schema_plans_guards.sql"),
        code: None,
    },
    Step {
        sql: include_str!("schema_alerts.sql"),
        guards: include_str!("schema_alerts_guards.sql"),
        code: None,
    },
    // 4: the updates index led by the incident (see the file).
    Step {
        sql: include_str!("schema_updates_index.sql"),
        guards: "",
        code: None,
    },
    // 5: the time to detect in the stats cache (which it clears); a cache
    // column needs no guard.
    Step {
        sql: include_str!("schema_settled_detect.sql"),
        guards: "",
        code: None,
    },
    // 6: what imported events name, as numbered here; sealed alert rows.
    Step {
        sql: include_str!("schema_references.sql"),
        guards: "",
        code: Some(super::alerts::seal_all),
    },
    // 7: notifications: where each destination's delivery stands, the
    // rooms opened per incident, chat messages recorded.
    Step {
        sql: include_str!("schema_deliveries.sql"),
        guards: "",
        code: None,
    },
    // 8: on-call overrides.
    Step {
        sql: include_str!("schema_overrides.sql"),
        guards: include_str!("schema_overrides_guards.sql"),
        code: None,
    },
    // 9: where each destination's reading of the chat stands.
    Step {
        sql: include_str!("schema_chat_cursor.sql"),
        guards: "",
        code: None,
    },
    // 10: the status page: component statuses set by hand, maintenance.
    Step {
        sql: include_str!("schema_status_page.sql"),
        guards: include_str!("schema_status_page_guards.sql"),
        code: None,
    },
    // 11: a group's latest alert with an incident, in one index step.
    Step {
        sql: include_str!("schema_alerts_group_latest.sql"),
        guards: "",
        code: None,
    },
    Step {
        sql: include_str!("schema_search.sql"),
        guards: "",
        code: Some(super::search::backfill),
    },
    // 13: the order `search` ranks a broad query's newest matches in.
    Step {
        sql: include_str!("schema_search_newest.sql"),
        guards: "",
        code: None,
    },
    // 14: an incident's indexed texts, for a narrowly filtered search.
    Step {
        sql: include_str!("schema_search_incident.sql"),
        guards: "",
        code: None,
    },
    // 15: each incident's words and services as numbers, for similar
    // incidents.
    Step {
        sql: include_str!("schema_likeness.sql"),
        guards: "",
        code: Some(super::incidents::backfill_prints),
    },
];

/// The version this binary writes.
pub const LATEST: i64 = STEPS.len() as i64;

/// Refuses a database written by a newer release, naming both versions.
pub fn refuse_newer(target: &Target, version: i64) -> Result<()> {
    match newer_message(&target.to_string(), version) {
        Some(message) => Err(anyhow!(message)),
        None => Ok(()),
    }
}

fn newer_message(server: &str, version: i64) -> Option<String> {
    (version > LATEST).then(|| {
        format!(
            "database {server} has schema version {version}, newer than this incident's {LATEST}; \
             it was written by a newer release: upgrade incident (the database was not changed)"
        )
    })
}

/// The version as the schema table says, inside the caller's transaction:
/// 0 when the table does not exist (checked first, so that the
/// transaction is not aborted by the missing table).
fn version_in(db: &mut Db) -> Result<i64, super::client::Error> {
    let exists = db
        .client
        .simple_query("SELECT to_regclass('incident_schema') IS NOT NULL")?
        .into_iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(|v| v == "t"),
            _ => None,
        })
        .unwrap_or(false);
    if !exists {
        return Ok(0);
    }
    let row = db.client.query("SELECT version FROM incident_schema", &[])?;
    match row.into_iter().next() {
        Some(r) => Ok(r.try_get(0)?),
        None => Ok(0),
    }
}

/// Brings the database to [`LATEST`], under the writers' lock; `seen` is
/// the version read before (outside any lock).
pub fn upgrade(db: &mut Db, seen: i64) -> Result<()> {
    if seen >= LATEST {
        return Ok(());
    }
    // A step may build an index on a large table: each statement gets
    // longer than a command's.
    let before = db.client.set_deadline(UPGRADE_TIMEOUT);
    let upgraded = upgrade_under_lock(db);
    db.client.set_deadline(before);
    upgraded
}

/// How long one statement of a schema upgrade may take.
const UPGRADE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

fn upgrade_under_lock(db: &mut Db) -> Result<()> {
    let result = (|| -> Result<(), super::client::Error> {
        db.client.batch_execute(&format!(
            "BEGIN ISOLATION LEVEL READ COMMITTED; {}",
            super::LOCK_WRITERS
        ))?;
        // Another client may have migrated while we waited for the lock.
        let current = version_in(db)?;
        if current > LATEST {
            return Ok(());
        }
        for (index, step) in STEPS.iter().enumerate().skip(current.max(0) as usize) {
            db.client.batch_execute(step.sql)?;
            db.client.batch_execute(step.guards)?;
            if let Some(code) = step.code {
                code(db)?;
            }
            let version = index as i64 + 1;
            db.client.batch_execute(&format!(
                "INSERT INTO incident_schema (one, version) VALUES (true, {version}) \
                 ON CONFLICT (one) DO UPDATE SET version = excluded.version"
            ))?;
        }
        Ok(())
    })();
    let failed = |db: &mut Db, e: anyhow::Error| {
        let _ = db.client.batch_execute("ROLLBACK");
        Err(e)
    };
    if let Err(e) = result {
        let why = if e.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) {
            let message = e
                .as_db_error()
                .map(|d| d.message().to_string())
                .unwrap_or_default();
            anyhow!(
                "role {} may not create the incident tables in {} ({message}); have the database's owner run incident once, or grant what docs/team.md lists",
                db.target.user(),
                db.target
            )
        } else {
            db.target
                .explain(&e)
                .context("cannot upgrade the database's tables")
        };
        return failed(db, why);
    }
    // Re-read under the lock: refuse (and change nothing) if a newer
    // release got there first.
    let current = version_in(db).map_err(|e| db.target.explain(&e));
    match current {
        Ok(v) if v > LATEST => {
            let why = refuse_newer(&db.target, v).unwrap_err();
            failed(db, why)
        }
        Ok(_) => db.batch("COMMIT"),
        Err(e) => failed(db, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_database_is_refused_naming_both_versions() {
        assert_eq!(newer_message("postgres://u@h/db", LATEST), None);
        assert_eq!(newer_message("postgres://u@h/db", 0), None);
        let message = newer_message("postgres://u@h/db", LATEST + 1).unwrap();
        assert!(
            message.contains(&format!("schema version {}", LATEST + 1)),
            "{message}"
        );
        assert!(
            message.contains(&format!("this incident's {LATEST}")),
            "{message}"
        );
        assert!(message.contains("was not changed"), "{message}");
    }

    #[test]
    fn the_timeline_trigger_is_in_the_schema() {
        let schema: String = STEPS.iter().map(|s| format!("{}{}", s.sql, s.guards)).collect();
        assert!(schema.contains("CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events"));
        assert!(schema.contains("CREATE UNIQUE INDEX events_by_seq"));
        assert!(schema.contains("CREATE UNIQUE INDEX incidents_by_uid"));
    }
}
