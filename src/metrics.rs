//! The metrics read from the record: one pass over the incidents (with
//! their response targets), the alerts and the notification cursors, into
//! [`domain::metrics`](crate::domain::metrics), which decides what counts.
//! Shared by `incident metrics` and `serve`'s `/metrics`.

use crate::config::Config;
use crate::domain::metrics::{Format, Metrics, render};
use crate::domain::targets;
use crate::store::facts::{self, History};
use crate::store::{AlertFilter, ListFilter, Reads, ReadsExt};
use anyhow::Result;
use chrono::{DateTime, Utc};

/// The metrics as of `now`, in `format`.
pub fn gather(
    store: &(impl Reads + ?Sized),
    config: &Config,
    now: DateTime<Utc>,
    format: Format,
) -> Result<String> {
    let levels: Vec<String> = config.levels.iter().map(|l| l.name.clone()).collect();
    let mut m = Metrics::new(&levels);
    let filter = ListFilter {
        drill: Some(false),
        ..ListFilter::default()
    };
    facts::each(store, &filter, History::Read, |incident, facts| {
        let targets = targets::evaluate_facts(&incident, &facts, &config.levels, now, config.check_within);
        m.add_incident(&incident, &targets, facts.initial_severity.as_deref());
        Ok(())
    })?;
    for alert in store.alerts(&AlertFilter::default())? {
        m.add_alert(alert.source.as_str(), alert.times_seen);
    }
    let states = store.deliveries()?;
    let newest = store.arrived_after(None, None)?.1;
    for destination in &config.notify {
        let cursor = states
            .iter()
            .find(|s| s.destination == destination.name)
            .map(|s| s.cursor);
        m.add_destination(&destination.name, newest, cursor);
    }
    Ok(render(&m, format))
}
