//! The `stats` cache (as `sqlite/settled.rs`): closed incidents whose
//! targets are all met or missed for good are settled once, as one row
//! each, and added up per month. [`insert`] marks the months it adds to,
//! and every write to an incident calls [`unsettle`] in its transaction.

use super::Db;
use super::sql::{Stamp, Statement, Value, col, p};
use crate::domain::Category;
use crate::domain::stats::{Settled, SettledGroup};
use crate::store::settle::{month_of, month_range, tallies_json};
use crate::time::to_rfc3339;
use anyhow::{Result, anyhow};
use chrono::{DateTime, Datelike, Utc};

/// Stores what `settled` holds under `key`, replacing any row an incident
/// had under other targets. An incident whose declaration time is not
/// stored in the canonical form is left out (months compare stored text).
/// Returns how many it stored.
pub fn insert(db: &mut Db, key: i64, settled: &[Settled]) -> Result<usize> {
    let mut stored = 0;
    for s in settled {
        unsettle(db, s.id)?;
        let declared_at = to_rfc3339(s.declared_at);
        let tallies = tallies_json(&s.tallies);
        // The row, the incident's mark and its month's staleness, in one
        // statement; a row comes back when it was stored.
        let added = db.query(
            "WITH added AS (INSERT INTO stats_settled (incident_id, targets, declared_at, severity, category, \
             acknowledge_seconds, resolve_seconds, tallies, detect_seconds) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 FROM incidents WHERE id = $1 AND declared_at = $3 \
             RETURNING incident_id, declared_at), \
             marked AS (UPDATE incidents SET settled = $2 WHERE id IN (SELECT incident_id FROM added)) \
             INSERT INTO stats_months (targets, month, summary) \
             SELECT $2, substr(declared_at, 1, 7), NULL FROM added \
             ON CONFLICT (targets, month) DO UPDATE SET summary = NULL RETURNING 1",
            &p![
                s.id,
                key,
                declared_at,
                s.severity,
                s.category,
                s.acknowledge_seconds,
                s.resolve_seconds,
                tallies,
                s.detect_seconds
            ],
        )?;
        stored += added.len();
    }
    Ok(stored)
}

/// Keeps what `settled` holds under `key` and adds up again the months it
/// changed; returns how many it kept.
pub fn settle(db: &mut Db, key: i64, settled: &[Settled]) -> Result<usize> {
    let stored = insert(db, key, settled)?;
    refresh_months(db, key)?;
    Ok(stored)
}

/// Drops what the cache holds of one incident, because it is changing (or
/// about to be settled again), and marks the month it counted in for adding
/// up again: one statement, as every write to a closed incident runs it.
pub fn unsettle(db: &mut Db, id: i64) -> Result<()> {
    // Nothing waits for its answer: with the next round trip.
    db.defer(Statement::new(
        "WITH dropped AS (DELETE FROM stats_settled WHERE incident_id = $1 RETURNING targets, declared_at), \
         unmarked AS (UPDATE incidents SET settled = NULL WHERE id = $1 AND EXISTS (SELECT 1 FROM dropped)) \
         INSERT INTO stats_months (targets, month, summary) \
         SELECT targets, substr(declared_at, 1, 7), NULL FROM dropped \
         ON CONFLICT (targets, month) DO UPDATE SET summary = NULL",
        vec![Value::Int(id)],
    ));
    Ok(())
}

/// Adds up again every month under `key` that a change made stale.
pub fn refresh_months(db: &mut Db, key: i64) -> Result<()> {
    let stale: Vec<String> = db
        .query(
            "SELECT month FROM stats_months WHERE targets = $1 AND summary IS NULL",
            &p![key],
        )?
        .iter()
        .map(|r| col(r, 0))
        .collect::<Result<_>>()?;
    for month in &stale {
        let summary = serde_json::to_string(&add_up(db, key, month)?)?;
        db.query(
            "UPDATE stats_months SET summary = $3 WHERE targets = $1 AND month = $2",
            &p![key, month, summary],
        )?;
    }
    Ok(())
}

/// The settled rows under `key` of one month (`YYYY-MM`), added up.
fn add_up(db: &mut Db, key: i64, month: &str) -> Result<Vec<SettledGroup>> {
    let (from, to) = month_range(month);
    Ok(SettledGroup::of(&rows(db, key, &from, &to)?))
}

/// The settled incidents under `key` declared at or after `since`, added
/// up: whole months from their summaries (added up on the fly where one is
/// stale), the month `since` falls in from its rows.
pub fn groups_since(db: &mut Db, key: i64, since: DateTime<Utc>) -> Result<Vec<SettledGroup>> {
    let Some((month, next)) = month_of(since) else {
        // Before year 0 every month counts; after 9999 none does.
        return if since.year() < 0 {
            months_after(db, key, "")
        } else {
            Ok(Vec::new())
        };
    };
    let mut out = SettledGroup::of(&rows(db, key, &to_rfc3339(since), &next)?);
    out.extend(months_after(db, key, &month)?);
    Ok(out)
}

fn months_after(db: &mut Db, key: i64, month: &str) -> Result<Vec<SettledGroup>> {
    let months = db.query(
        "SELECT month, summary FROM stats_months WHERE targets = $1 AND month > $2",
        &p![key, month],
    )?;
    let mut out = Vec::new();
    for r in &months {
        let month: String = col(r, 0)?;
        let summary: Option<String> = col(r, 1)?;
        let parsed = summary.and_then(|s| serde_json::from_str::<Vec<SettledGroup>>(&s).ok());
        match parsed {
            Some(groups) => out.extend(groups),
            None => out.extend(add_up(db, key, &month)?),
        }
    }
    Ok(out)
}

/// The settled rows under `key` declared in [from, to) (stored times).
fn rows(db: &mut Db, key: i64, from: &str, to: &str) -> Result<Vec<Settled>> {
    db.query(
        "SELECT incident_id, declared_at, severity, category, acknowledge_seconds, resolve_seconds, tallies, \
         detect_seconds FROM stats_settled WHERE targets = $1 AND declared_at >= $2 AND declared_at < $3",
        &p![key, from, to],
    )?
    .iter()
    .map(|r| {
        let tallies: String = col(r, 6)?;
        Ok(Settled {
            id: col(r, 0)?,
            declared_at: col::<Stamp>(r, 1)?.0,
            severity: col(r, 2)?,
            category: col::<Category>(r, 3)?,
            detect_seconds: col(r, 7)?,
            acknowledge_seconds: col(r, 4)?,
            resolve_seconds: col(r, 5)?,
            tallies: serde_json::from_str(&tallies)
                .map_err(|e| anyhow!("the stats cache does not read back (tallies): {e}"))?,
        })
    })
    .collect()
}
