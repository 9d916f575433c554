//! Settling the stats cache: closed incidents whose response targets are
//! all met or missed for good are kept, once, as what they add to `stats`,
//! so a report over years reads month summaries, not timelines. The loop
//! is here, for every backend; a backend only keeps what it is given
//! ([`super::Transaction::settle`]).

use super::facts::{self, History};
use super::{ListFilter, Storage, Wait};
use crate::domain::Incident;
use crate::domain::stats::Settled;
use crate::domain::targets::Facts;
use anyhow::Result;
use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// How many incidents one transaction settles: short enough that a scribe
/// waiting to write never notices.
pub const BATCH: usize = 10_000;

/// Settles the closed incidents `filter` selects that are not settled
/// under targets `key` yet (`settle` says what each adds to `stats`, or
/// `None` while that can still change), in transactions of at most `batch`
/// incidents, never waiting for another writer: when the database is busy
/// or cannot be written, it stops and keeps what it settled. Any other
/// error is reported. Returns how many it settled.
pub fn settle(
    store: &mut dyn Storage,
    key: i64,
    filter: &ListFilter,
    batch: usize,
    mut settle: impl FnMut(&Incident, &Facts) -> Option<Settled>,
) -> Result<usize> {
    let mut total = 0;
    let mut after = 0;
    loop {
        let Some(mut tx) = store.begin(Wait::No)? else {
            break;
        };
        let page = ListFilter {
            unsettled: Some(key),
            after: Some(after),
            limit: Some(batch),
            ..filter.clone()
        };
        let (mut seen, mut last) = (0, None);
        let mut found = Vec::new();
        facts::each(&*tx, &page, History::Read, |incident, facts| {
            seen += 1;
            last = last.max(Some(incident.id));
            found.extend(settle(&incident, &facts));
            Ok(())
        })?;
        total += tx.settle(key, &found)?;
        tx.commit()?;
        match last {
            Some(last) if seen == batch => after = last,
            _ => break,
        }
    }
    Ok(total)
}

/// The month (`YYYY-MM`) of `t` and the stored form of the first instant
/// of the next one: how the cache keys its month summaries. `None` outside
/// the years the stored form can hold.
pub(super) fn month_of(t: DateTime<Utc>) -> Option<(String, String)> {
    if !(0..=9999).contains(&t.year()) {
        return None;
    }
    let month = format!("{:04}-{:02}", t.year(), t.month());
    let (y, m) = if t.month() == 12 {
        (t.year() + 1, 1)
    } else {
        (t.year(), t.month() + 1)
    };
    let next = NaiveDate::from_ymd_opt(y, m, 1)?.and_hms_opt(0, 0, 0)?.and_utc();
    Some((month, crate::time::to_rfc3339(next)))
}

/// The stored-time bounds [from, to) of a month `YYYY-MM`: `YYYY-MM` sorts
/// before any time in the month and `YYYY-MM~` after all, bytewise.
pub(super) fn month_range(month: &str) -> (String, String) {
    (month.to_string(), format!("{month}~"))
}

/// A settled incident's tallies as the cache stores them.
pub(super) fn tallies_json(t: &crate::domain::stats::Tallies) -> String {
    serde_json::to_string(t).unwrap_or_else(|_| "[]".into())
}
