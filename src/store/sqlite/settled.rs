//! The `stats` cache (schema_settled.sql): closed incidents whose targets
//! are all met or missed for good are settled once, as one row each, and
//! added up per month, so `stats` over years reads a few hundred month
//! summaries plus the incidents still open or just closed. Every row is
//! keyed by the configured targets it was computed with. The upkeep is here
//! and nowhere else: [`insert`] marks the months it adds to, and every write
//! to an incident calls [`unsettle`] in its own transaction, which drops the
//! incident's row and marks its month for adding up again.

use super::sql::Stamp;
use crate::domain::Category;
use crate::domain::stats::{Settled, SettledGroup};
use crate::store::settle::{month_of, month_range, tallies_json};
use crate::time::to_rfc3339;
use chrono::{DateTime, Datelike, Utc};
use rusqlite::{Connection, OptionalExtension, params};

/// Stores what `settled` holds under `key`, replacing any row an incident
/// had under other targets. An incident whose declaration time is not
/// stored in the canonical form (an imported `+02:00` or fractional time)
/// is left out: months and periods compare stored text, and only the
/// canonical form sorts as the instant it names. Returns how many it stored.
pub fn insert(conn: &Connection, key: i64, settled: &[Settled]) -> rusqlite::Result<usize> {
    let mut add = conn.prepare_cached(
        "INSERT INTO stats_settled (incident_id, targets, declared_at, severity, category, \
         acknowledge_seconds, resolve_seconds, tallies, detect_seconds) \
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM incidents WHERE id = ?1 AND declared_at = ?3",
    )?;
    let mut mark = conn.prepare_cached("UPDATE incidents SET settled = ?2 WHERE id = ?1")?;
    let mut stored = 0;
    for s in settled {
        unsettle(conn, s.id)?;
        let declared_at = to_rfc3339(s.declared_at);
        let added = add.execute(params![
            s.id,
            key,
            declared_at,
            s.severity,
            s.category.as_str(),
            s.acknowledge_seconds,
            s.resolve_seconds,
            tallies_json(&s.tallies),
            s.detect_seconds,
        ])?;
        if added > 0 {
            mark.execute(params![s.id, key])?;
            stale(conn, key, &declared_at)?;
        }
        stored += added;
    }
    Ok(stored)
}

/// Drops what the cache holds of one incident, because it is changing (or
/// about to be settled again), and marks the month it counted in for adding
/// up again. Every write to an incident calls this in its transaction.
pub fn unsettle(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    let dropped: Option<(i64, String)> = conn
        .prepare_cached("DELETE FROM stats_settled WHERE incident_id = ?1 RETURNING targets, declared_at")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((key, declared_at)) = dropped {
        conn.prepare_cached("UPDATE incidents SET settled = NULL WHERE id = ?1")?
            .execute([id])?;
        stale(conn, key, &declared_at)?;
    }
    Ok(())
}

/// Marks the month (UTC, by declaration) of a settled row's stored
/// declaration time as needing to be added up again.
fn stale(conn: &Connection, key: i64, declared_at: &str) -> rusqlite::Result<()> {
    let month = declared_at.get(..7).unwrap_or(declared_at);
    conn.prepare_cached(
        "INSERT INTO stats_months (targets, month, summary) VALUES (?1, ?2, NULL) \
         ON CONFLICT (targets, month) DO UPDATE SET summary = NULL",
    )?
    .execute(params![key, month])?;
    Ok(())
}

/// Keeps what `settled` holds under `key` and adds up again the months it
/// changed; returns how many it kept.
pub fn settle(conn: &Connection, key: i64, settled: &[Settled]) -> rusqlite::Result<usize> {
    let stored = insert(conn, key, settled)?;
    refresh_months(conn, key)?;
    Ok(stored)
}

/// Adds up again every month under `key` that a change made stale.
pub fn refresh_months(conn: &Connection, key: i64) -> rusqlite::Result<()> {
    let stale: Vec<String> = conn
        .prepare_cached("SELECT month FROM stats_months WHERE targets = ?1 AND summary IS NULL")?
        .query_map([key], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut save =
        conn.prepare_cached("UPDATE stats_months SET summary = ?3 WHERE targets = ?1 AND month = ?2")?;
    for month in &stale {
        let summary = serde_json::to_string(&add_up(conn, key, month)?)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        save.execute(params![key, month, summary])?;
    }
    Ok(())
}

/// The settled rows under `key` of one month (`YYYY-MM`), added up.
fn add_up(conn: &Connection, key: i64, month: &str) -> rusqlite::Result<Vec<SettledGroup>> {
    let (from, to) = month_range(month);
    Ok(SettledGroup::of(&rows(conn, key, &from, &to)?))
}

/// The settled incidents under `key` declared at or after `since`, added
/// up: whole months from their summaries (added up on the fly where one is
/// stale and could not be stored), the month `since` falls in from its rows.
pub fn groups_since(
    conn: &Connection,
    key: i64,
    since: DateTime<Utc>,
) -> rusqlite::Result<Vec<SettledGroup>> {
    let Some((month, next)) = month_of(since) else {
        // Before year 0 every month counts; after 9999 none does.
        return if since.year() < 0 {
            months_after(conn, key, "")
        } else {
            Ok(Vec::new())
        };
    };
    let mut out = SettledGroup::of(&rows(conn, key, &to_rfc3339(since), &next)?);
    out.extend(months_after(conn, key, &month)?);
    Ok(out)
}

fn months_after(conn: &Connection, key: i64, month: &str) -> rusqlite::Result<Vec<SettledGroup>> {
    let months: Vec<(String, Option<String>)> = conn
        .prepare_cached("SELECT month, summary FROM stats_months WHERE targets = ?1 AND month > ?2")?
        .query_map(params![key, month], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for (month, summary) in months {
        let parsed = summary.and_then(|s| serde_json::from_str::<Vec<SettledGroup>>(&s).ok());
        match parsed {
            Some(groups) => out.extend(groups),
            None => out.extend(add_up(conn, key, &month)?),
        }
    }
    Ok(out)
}

/// The settled rows under `key` declared in [from, to) (stored times).
fn rows(conn: &Connection, key: i64, from: &str, to: &str) -> rusqlite::Result<Vec<Settled>> {
    let mut statement = conn.prepare_cached(
        "SELECT incident_id, declared_at, severity, category, acknowledge_seconds, resolve_seconds, tallies, \
         detect_seconds FROM stats_settled WHERE targets = ?1 AND declared_at >= ?2 AND declared_at < ?3",
    )?;
    let rows = statement.query_map(params![key, from, to], |r| {
        let tallies: String = r.get(6)?;
        Ok(Settled {
            id: r.get(0)?,
            declared_at: r.get::<_, Stamp>(1)?.0,
            severity: r.get(2)?,
            category: r.get::<_, Category>(3)?,
            detect_seconds: r.get(7)?,
            acknowledge_seconds: r.get(4)?,
            resolve_seconds: r.get(5)?,
            tallies: serde_json::from_str(&tallies).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, Box::new(e))
            })?,
        })
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_ends_where_the_next_begins_across_the_year() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            month_of(t("2026-12-31T23:59:59Z")),
            Some(("2026-12".into(), "2027-01-01T00:00:00Z".into()))
        );
        assert_eq!(
            month_of(t("2026-02-01T00:00:00Z")),
            Some(("2026-02".into(), "2026-03-01T00:00:00Z".into()))
        );
        assert_eq!(month_of(t("-0001-06-01T00:00:00Z")), None);
        // Every stored time of the month sorts inside its range.
        let (from, to) = month_range("2026-11");
        for at in ["2026-11-01T00:00:00Z", "2026-11-30T23:59:59Z"] {
            assert!(from.as_str() <= at && at < to.as_str(), "{at}");
        }
        assert!("2026-12-01T00:00:00Z" > to.as_str());
    }

    use crate::domain::stats::Tallies;
    use crate::domain::{Incident, Status};
    use crate::store::sqlite::SqliteStore as Store;
    use crate::store::{Access, ListFilter, ReadsExt, Storage};

    /// A store with five closed incidents, INC-1 to INC-5.
    fn five_closed(dir: &std::path::Path) -> Store {
        let mut store = Store::open(&dir.join("s.db"), Access::Write).unwrap();
        let now: DateTime<Utc> = "2026-11-23T08:00:00Z".parse().unwrap();
        let mut tx = store.begin(crate::store::Wait::Yes).unwrap().unwrap();
        for n in 1..=5 {
            let incident = Incident {
                status: Status::Closed,
                declared_at: now - chrono::Duration::days(n),
                ..Incident::example()
            };
            tx.insert_incident(&incident, &format!("u{n}"), None).unwrap();
        }
        tx.commit().unwrap();
        store
    }

    fn settled(store: &Store) -> Vec<Option<i64>> {
        let mut st = store
            .conn
            .prepare("SELECT settled FROM incidents ORDER BY id")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// Settles every closed incident but INC-3, in batches of `batch`:
    /// how many were stored, and which incidents were evaluated.
    fn settle_all_but_3(store: &mut Store, batch: usize) -> (usize, Vec<i64>) {
        let closed = ListFilter {
            statuses: vec![Status::Closed],
            ..ListFilter::default()
        };
        let mut visited = Vec::new();
        let n = crate::store::settle::settle(store, 7, &closed, batch, |i, _| {
            visited.push(i.id);
            (i.id != 3).then(|| Settled {
                id: i.id,
                declared_at: i.declared_at,
                severity: i.severity.clone(),
                category: i.category,
                detect_seconds: None,
                acknowledge_seconds: Some(60),
                resolve_seconds: None,
                tallies: Tallies::default(),
            })
        })
        .unwrap();
        visited.sort();
        (n, visited)
    }

    #[test]
    fn settling_in_batches_visits_each_incident_once_and_keeps_what_cannot_settle_for_later() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = five_closed(dir.path());
        // Batches of two: the one that cannot settle does not stall the rest.
        assert_eq!(settle_all_but_3(&mut store, 2), (4, vec![1, 2, 3, 4, 5]));
        assert_eq!(settled(&store), [Some(7), Some(7), None, Some(7), Some(7)]);
        store.refresh().unwrap();
        let groups = store
            .settled_groups(7, "2026-01-01T00:00:00Z".parse().unwrap())
            .unwrap();
        assert_eq!(groups.iter().map(|g| g.incidents).sum::<usize>(), 4);
        // Next time only what is left is evaluated.
        assert_eq!(settle_all_but_3(&mut store, 2), (0, vec![3]));
    }

    #[test]
    fn a_declaration_time_stored_in_another_form_is_never_settled() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = five_closed(dir.path());
        // As an import may carry it: the instant of INC-1, in another zone.
        store
            .conn
            .execute(
                "UPDATE incidents SET declared_at = '2026-11-22T10:00:00+02:00' WHERE id = 1",
                [],
            )
            .unwrap();
        let (n, _) = settle_all_but_3(&mut store, 100);
        assert_eq!(n, 3);
        assert_eq!(settled(&store), [None, Some(7), None, Some(7), Some(7)]);
    }
}
