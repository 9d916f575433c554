//! Alerts on an incident: one tied in, one resolved.

use super::{Change, Latest, resolve};
use crate::domain::alerts::Alert;
use crate::domain::event::{AlertAttached, AlertResolved};
use crate::domain::{EventData, Incident};
use chrono::{DateTime, Utc};

/// How an alert came to an incident, as its `alert_attached` event says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertJoin {
    /// It opened the incident.
    Opened,
    /// A rule (or its group) attached it.
    Rule,
    /// Someone tied it in by hand.
    Hand,
    /// It fired again after resolving.
    Refired,
}

impl AlertJoin {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertJoin::Opened => "opened",
            AlertJoin::Rule => "rule",
            AlertJoin::Hand => "hand",
            AlertJoin::Refired => "refired",
        }
    }
}

/// Ties an alert to the incident: one `alert_attached` event with the
/// alert's words and link. Any incident takes one, as it takes a note.
pub fn attach_alert(incident: &Incident, alert: &Alert, how: AlertJoin, now: DateTime<Utc>) -> Change {
    let link = alert
        .link
        .as_deref()
        .map(|l| format!(" ({l})"))
        .unwrap_or_default();
    let (id, source, summary) = (alert.id, alert.source, &alert.summary);
    let text = match how {
        AlertJoin::Opened => format!("Detected by monitoring: alert {id} from {source}: {summary}{link}"),
        AlertJoin::Rule | AlertJoin::Hand => format!("Alert {id} from {source} attached: {summary}{link}"),
        AlertJoin::Refired => format!("Alert {id} from {source} firing again: {summary}{link}"),
    };
    let data = EventData::AlertAttached(AlertAttached {
        alert_id: alert.id,
        source: alert.source,
        identity: alert.identity.clone(),
        summary: alert.summary.clone(),
        link: alert.link.clone(),
        how: how.as_str().into(),
    });
    Change::of(incident).record(now, data, text)
}

/// Records that one of the incident's alerts resolved (`alerts`: all of
/// them as they now stand), saying so when every one has; and resolves the
/// incident too when `resolve` (a rule's `auto_resolve`, see
/// [`crate::domain::alerts::resolves_incident`]).
pub fn alert_resolved(
    incident: &Incident,
    alert: &Alert,
    alerts: &[Alert],
    resolve: bool,
    now: DateTime<Utc>,
    latest: &Latest,
) -> Change {
    let all = crate::domain::alerts::all_resolved(alerts);
    let mut text = format!("Alert {} resolved: {}", alert.id, alert.summary);
    if all {
        text.push_str("; every alert of this incident has resolved");
    }
    let data = EventData::AlertResolved(AlertResolved {
        alert_id: alert.id,
        identity: alert.identity.clone(),
        summary: alert.summary.clone(),
        ends_at: alert.ends_at,
        all_resolved: all,
    });
    let change = Change::of(incident).record(now, data, text);
    if !resolve {
        return change;
    }
    let summary = "every alert resolved (auto_resolve)";
    match self::resolve(&change.incident, Some(summary), now, latest) {
        Ok(resolution) => change.then(resolution),
        Err(_) => change,
    }
}
