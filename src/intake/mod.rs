//! Alert intake: each sender's payload, parsed from its published
//! definition into [`Signal`]s, and what recording one does, in the
//! caller's transaction. Shared by `incident ingest` and `incident serve`.
//! The rules themselves (identity, repeats, routing, "all resolved") are
//! in [`crate::domain::alerts`]; this module only applies them.

mod alertmanager;
mod generic;
mod pagerduty;

use crate::domain::alerts::{self, Alert, AlertAction, AlertSource, AlertStatus, Route, Rule, Seen, Signal};
use crate::domain::ops::{self, AlertJoin};
use crate::domain::{Category, Incident, Status};
use crate::store::ReadsExt;
use crate::store::{AlertFilter, Found, ListFilter, Read, Reads, Writer};
use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// The largest body taken, from a file or over HTTP.
pub const MAX_BODY: usize = 1024 * 1024;

/// The payload formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Alertmanager,
    Grafana,
    Pagerduty,
    Generic,
}

impl Format {
    pub fn source(self) -> AlertSource {
        match self {
            Format::Alertmanager => AlertSource::Alertmanager,
            Format::Grafana => AlertSource::Grafana,
            Format::Pagerduty => AlertSource::Pagerduty,
            Format::Generic => AlertSource::Generic,
        }
    }

    /// The format a JSON document looks like: Grafana's webhook has
    /// `orgId`; Alertmanager's `alerts`; PagerDuty's `event_action`; the
    /// generic shape `key`.
    pub fn detect(body: &[u8]) -> Result<Format, String> {
        let doc: serde_json::Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
        let has = |k: &str| doc.get(k).is_some();
        if has("alerts") && (has("orgId") || has("title") && has("state")) {
            Ok(Format::Grafana)
        } else if has("alerts") {
            Ok(Format::Alertmanager)
        } else if has("event_action") {
            Ok(Format::Pagerduty)
        } else if has("key") {
            Ok(Format::Generic)
        } else {
            Err("cannot tell the format (no \"alerts\", \"event_action\" or \"key\"); pass --format".into())
        }
    }
}

/// A parsed payload: its alerts, and the dedup key to answer a PagerDuty
/// sender with.
#[derive(Debug, Clone)]
pub struct Payload {
    pub signals: Vec<Signal>,
    pub dedup_key: Option<String>,
}

/// Parses a body of `format`; the error says what is wrong with it.
pub fn parse(format: Format, body: &[u8]) -> Result<Payload, String> {
    if body.len() > MAX_BODY {
        return Err(format!("the payload is larger than {MAX_BODY} bytes"));
    }
    let json = |e: serde_json::Error| format!("not a valid {} payload: {e}", format_name(format));
    let payload = match format {
        Format::Alertmanager | Format::Grafana => serde_json::from_slice::<alertmanager::Webhook>(body)
            .map_err(json)?
            .into_payload(format.source())?,
        Format::Pagerduty => serde_json::from_slice::<pagerduty::Event>(body)
            .map_err(json)?
            .into_payload(|| uuid::Uuid::new_v4().simple().to_string())?,
        Format::Generic => serde_json::from_slice::<generic::Generic>(body)
            .map_err(json)?
            .into_payload()?,
    };
    Ok(Payload {
        signals: payload.signals.into_iter().map(Signal::bounded).collect(),
        ..payload
    })
}

/// A sender's key (an identity or a group), whole: one over
/// [`alerts::KEY_BYTES`] is refused, naming `field`, never cut (two keys
/// alike up to the cut would be one alert).
fn key(field: &str, value: String) -> Result<String, String> {
    match value.len() {
        n if n > alerts::KEY_BYTES => Err(format!(
            "{field} is {n} bytes long; a key is compared whole and may be at most {} bytes",
            alerts::KEY_BYTES
        )),
        _ => Ok(value),
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Alertmanager => "Alertmanager webhook",
        Format::Grafana => "Grafana webhook",
        Format::Pagerduty => "PagerDuty Events API v2",
        Format::Generic => "generic alert",
    }
}

/// A sender's time; Alertmanager's zero time (`0001-01-01T00:00:00Z`)
/// means none.
fn time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    // PagerDuty's own examples write the offset without a colon.
    let t = DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()?
        .with_timezone(&Utc);
    // Alertmanager's "0001-01-01" means "not set"; any time outside the
    // years the record holds is taken as not given, so one odd sender
    // cannot make every backup unrestorable.
    crate::time::in_range(t).then(|| crate::time::truncate(t))
}

/// What recording one alert did.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub alert: i64,
    pub identity: String,
    pub status: AlertStatus,
    /// `new`, `repeat`, `refired`, `resolved` or `resolved_unseen`.
    pub seen: &'static str,
    /// `opened`, `attached`, `updated` (an event on its incident),
    /// `recorded` (matched a `record` rule, or no rule), `counted`.
    pub did: &'static str,
    pub incident: Option<i64>,
    pub times_seen: i64,
}

/// What an alert's rules need from the configuration.
pub struct Routing<'c> {
    pub rules: &'c [Rule],
    pub default_severity: &'c str,
    /// The response plans an incident an alert opens may follow.
    pub plans: &'c [crate::domain::plans::Playbook],
    /// How far back the changes that may have set it off are looked for.
    pub changes_window: chrono::Duration,
}

/// Records one alert in `tx` at `now`: the alert's row, and what it does
/// to an incident (a new one, an event on one), together.
pub fn record(
    tx: &mut Writer<'_>,
    signal: &Signal,
    routing: &Routing,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    record_with(tx, signal, routing, now, &mut Looked::default())
}

/// Records the alerts of a batch in `tx` at `now`, one after another, as
/// [`record`] does each: with the same outcome, but what they read first
/// (each alert by its identity, each group's incident) asked for together,
/// in two round trips where the backend has round trips, instead of two
/// or three for each alert.
pub fn record_all(
    tx: &mut Writer<'_>,
    signals: &[Signal],
    routing: &Routing,
    now: DateTime<Utc>,
) -> Result<Vec<Outcome>> {
    let mut looked = Looked::ahead(tx, signals, now)?;
    signals
        .iter()
        .map(|signal| record_with(tx, signal, routing, now, &mut looked))
        .collect()
}

type Key = (AlertSource, String);

/// Reads made ahead for a batch of alerts, each answer as the database
/// would give it at the moment it is used: an answer is dropped as soon as
/// a write of the batch may change it (an alert saved: its identity and
/// its groups; an incident whose state changed), and read again if wanted.
#[derive(Default)]
struct Looked {
    /// Each alert by its source and identity (`None`: not recorded).
    alerts: HashMap<Key, Option<Alert>>,
    /// Each group's most recently seen alert that belongs to an incident.
    groups: HashMap<Key, Option<Alert>>,
    incidents: HashMap<i64, Option<Incident>>,
}

impl Looked {
    /// The reads the batch's alerts will make, made together: their
    /// alerts and their groups' latest alerts in one round trip, then the
    /// incidents the routed and resolved alerts will want in one more.
    fn ahead(tx: &Writer<'_>, signals: &[Signal], now: DateTime<Utc>) -> Result<Looked> {
        let mut looked = Looked::default();
        let mut identities: Vec<Key> = Vec::new();
        let mut groups: Vec<Key> = Vec::new();
        for s in signals {
            let key = (s.source, s.identity.clone());
            if !identities.contains(&key) {
                identities.push(key);
            }
            if let Some(group) = &s.group {
                let key = (s.source, group.clone());
                if !groups.contains(&key) {
                    groups.push(key);
                }
            }
        }
        let filters: Vec<AlertFilter> = identities
            .iter()
            .map(|key| AlertFilter {
                identity: Some(key.clone()),
                ..AlertFilter::default()
            })
            .chain(groups.iter().map(|key| AlertFilter {
                group: Some(key.clone()),
                limit: Some(1),
                ..AlertFilter::default()
            }))
            .collect();
        let reads: Vec<Read<'_>> = filters.iter().map(Read::Alerts).collect();
        let mut found = tx.batch(&reads)?.into_iter();
        for key in identities {
            looked.alerts.insert(key, alerts_of(found.next())?.pop());
        }
        for key in groups {
            looked.groups.insert(key, alerts_of(found.next())?.pop());
        }
        // The incidents: a routed alert's group's, a resolved or re-firing
        // one's own.
        let mut ids: Vec<i64> = Vec::new();
        for s in signals {
            let known = looked
                .alerts
                .get(&(s.source, s.identity.clone()))
                .cloned()
                .flatten();
            let (_, seen) = alerts::observe(known.as_ref(), s, now);
            let group = s
                .group
                .as_ref()
                .and_then(|g| looked.groups.get(&(s.source, g.clone())));
            let wanted = match seen {
                Seen::New => group.and_then(|a| a.as_ref()?.incident_id),
                Seen::Refired => known
                    .as_ref()
                    .and_then(|a| a.incident_id)
                    .or_else(|| group.and_then(|a| a.as_ref()?.incident_id)),
                Seen::Resolved => known.as_ref().and_then(|a| a.incident_id),
                Seen::Repeat | Seen::ResolvedUnseen => None,
            };
            if let Some(id) = wanted.filter(|id| !ids.contains(id)) {
                ids.push(id);
            }
        }
        let reads: Vec<Read<'_>> = ids.iter().map(|id| Read::Incident(*id)).collect();
        for (id, found) in ids.iter().zip(tx.batch(&reads)?) {
            match found {
                Found::Incident(incident) => looked.incidents.insert(*id, incident),
                other => return Err(anyhow::anyhow!("incident {id} read as {other:?}")),
            };
        }
        Ok(looked)
    }

    /// The recorded alert of `signal`'s identity.
    fn alert(&mut self, tx: &Writer<'_>, signal: &Signal) -> Result<Option<Alert>> {
        let key = (signal.source, signal.identity.clone());
        match self.alerts.remove(&key) {
            Some(known) => Ok(known),
            None => Ok(tx
                .alerts(&AlertFilter {
                    identity: Some(key),
                    ..AlertFilter::default()
                })?
                .pop()),
        }
    }

    /// The most recently seen alert of a group that belongs to an incident.
    fn group(&mut self, tx: &Writer<'_>, source: AlertSource, group: &str) -> Result<Option<Alert>> {
        let key = (source, group.to_string());
        match self.groups.get(&key) {
            Some(latest) => Ok(latest.clone()),
            None => {
                let latest = tx
                    .alerts(&AlertFilter {
                        group: Some(key.clone()),
                        limit: Some(1),
                        ..AlertFilter::default()
                    })?
                    .pop();
                self.groups.insert(key, latest.clone());
                Ok(latest)
            }
        }
    }

    fn incident(&mut self, tx: &Writer<'_>, id: i64) -> Result<Option<Incident>> {
        match self.incidents.get(&id) {
            Some(incident) => Ok(incident.clone()),
            None => {
                let incident = tx.incident(id)?;
                self.incidents.insert(id, incident.clone());
                Ok(incident)
            }
        }
    }

    /// An alert was saved: what was read of its identity and its groups
    /// (before and now) may have changed.
    fn saved(&mut self, alert: &Alert, before: Option<&Alert>) {
        self.alerts.remove(&(alert.source, alert.identity.clone()));
        for group in [alert.group.as_ref(), before.and_then(|b| b.group.as_ref())]
            .into_iter()
            .flatten()
        {
            self.groups.remove(&(alert.source, group.clone()));
        }
    }

    /// Stores `change`, forgetting what was read of its incident if it
    /// changes the incident's state or role holders.
    fn apply(&mut self, tx: &mut Writer<'_>, change: ops::Change) -> Result<()> {
        let id = change.incident.id;
        if change.changes_state() || change.before.roles != change.incident.roles {
            self.incidents.remove(&id);
        }
        tx.apply(change)
    }
}

fn alerts_of(found: Option<Found>) -> Result<Vec<Alert>> {
    match found {
        Some(Found::Alerts(alerts)) => Ok(alerts),
        other => Err(anyhow::anyhow!("alerts read as {other:?}")),
    }
}

/// Records one alert, reading through `looked`.
fn record_with(
    tx: &mut Writer<'_>,
    signal: &Signal,
    routing: &Routing,
    now: DateTime<Utc>,
    looked: &mut Looked,
) -> Result<Outcome> {
    let known = looked.alert(tx, signal)?;
    let (mut alert, seen) = alerts::observe(known.as_ref(), signal, now);
    // Only a resolution and a re-firing concern the incident it belongs to.
    let current = match (seen, alert.incident_id) {
        (Seen::Resolved | Seen::Refired, Some(id)) => looked.incident(tx, id)?,
        _ => None,
    };
    let mut did = "counted";
    match seen {
        Seen::Repeat | Seen::ResolvedUnseen => {
            if seen == Seen::ResolvedUnseen {
                did = "recorded";
            }
            alert.id = tx.save_alert(&alert)?;
            looked.saved(&alert, known.as_ref());
        }
        Seen::Resolved => {
            alert.id = tx.save_alert(&alert)?;
            looked.saved(&alert, known.as_ref());
            if let Some(incident) = current {
                let all = tx.alerts(&AlertFilter {
                    incident_id: Some(incident.id),
                    ..AlertFilter::default()
                })?;
                let rule = alerts::rule_for(routing.rules, signal);
                let resolve = alerts::resolves_incident(rule, &all, &incident);
                let latest = tx.latest(incident.id)?;
                looked.apply(
                    tx,
                    ops::alert_resolved(&incident, &alert, &all, resolve, now, &latest),
                )?;
                did = "updated";
            } else {
                did = "recorded";
            }
        }
        Seen::Refired if current.as_ref().is_some_and(|i| i.status.is_open()) => {
            alert.id = tx.save_alert(&alert)?;
            looked.saved(&alert, known.as_ref());
            let incident = current.expect("checked above");
            looked.apply(tx, ops::attach_alert(&incident, &alert, AlertJoin::Refired, now))?;
            did = "updated";
        }
        Seen::New | Seen::Refired => {
            did = route(tx, &mut alert, signal, routing, now, looked)?;
            looked.saved(&alert, known.as_ref());
        }
    }
    Ok(Outcome {
        alert: alert.id,
        identity: alert.identity.clone(),
        status: alert.status,
        seen: match seen {
            Seen::New => "new",
            Seen::Repeat => "repeat",
            Seen::Refired => "refired",
            Seen::Resolved => "resolved",
            Seen::ResolvedUnseen => "resolved_unseen",
        },
        did,
        incident: alert.incident_id,
        times_seen: alert.times_seen,
    })
}

/// A new (or re-firing) alert goes where the rules send it.
fn route(
    tx: &mut Writer<'_>,
    alert: &mut Alert,
    signal: &Signal,
    routing: &Routing,
    now: DateTime<Utc>,
    looked: &mut Looked,
) -> Result<&'static str> {
    let group_incident = match &signal.group {
        Some(group) => match looked
            .group(tx, signal.source, group)?
            .and_then(|a| a.incident_id)
        {
            Some(id) => looked.incident(tx, id)?,
            None => None,
        },
        None => None,
    };
    let rule = alerts::rule_for(routing.rules, signal);
    // The open incidents, where an attaching rule looks: not read when the
    // group decides.
    let open: Vec<Incident> = match rule {
        Some(r)
            if (r.action == AlertAction::Attach || r.attach.is_some())
                && signal.service.is_some()
                && !group_incident.as_ref().is_some_and(|i| i.status.is_open()) =>
        {
            tx.incidents(&ListFilter {
                statuses: Status::ALL.iter().copied().filter(|s| s.is_open()).collect(),
                ..ListFilter::default()
            })?
        }
        _ => Vec::new(),
    };
    alert.incident_id = None;
    let id = match alerts::route(signal, routing.rules, group_incident.as_ref(), &open, now) {
        Route::Record { .. } => {
            alert.id = tx.save_alert(alert)?;
            return Ok("recorded");
        }
        Route::Attach(id) => id,
        Route::Open { severity, category } => {
            alert.id = tx.save_alert(alert)?;
            let id = open_incident(tx, alert, signal, severity.as_deref(), category, routing, now)?;
            if let Some(policy) = rule.and_then(|r| r.page.as_deref())
                && let Some(incident) = tx.incident(id)?
            {
                tx.apply(ops::start_paging(
                    &incident,
                    policy,
                    Some("an alert rule pages it"),
                    now,
                ))?;
            }
            return Ok("opened");
        }
    };
    let incident = match group_incident.filter(|i| i.id == id) {
        Some(incident) => incident,
        None => looked
            .incident(tx, id)?
            .ok_or_else(|| anyhow::anyhow!("incident {id} vanished"))?,
    };
    alert.incident_id = Some(id);
    alert.id = tx.save_alert(alert)?;
    looked.apply(tx, ops::attach_alert(&incident, alert, AlertJoin::Rule, now))?;
    Ok("attached")
}

/// Opens an incident for a stored alert (its id known) as a person would
/// declare it, in the one operation that opens every incident
/// ([`ops::open`]: the playbook and severity, the changes just before;
/// its repeats were decided by [`alerts::route`]), and ties the alert to
/// it, in `tx`; returns the incident's id.
fn open_incident(
    tx: &mut Writer<'_>,
    alert: &mut Alert,
    signal: &Signal,
    severity: Option<&str>,
    category: Category,
    routing: &Routing,
    now: DateTime<Utc>,
) -> Result<i64> {
    let draft = alerts::draft(signal, String::new(), category, now);
    let (from, _) = crate::domain::plans::lookback(draft.started_at, routing.changes_window, now);
    let changes = match draft.services.is_empty() {
        true => Vec::new(),
        false => tx.changes(from, now)?,
    };
    let request = ops::OpenRequest {
        draft,
        commander: None,
        severity,
        default_severity: routing.default_severity,
        playbook: crate::domain::plans::PlanChoice::Fitting(routing.plans),
        changes: &changes,
        changes_window: routing.changes_window,
        check: ops::Repeat::Allowed,
    };
    let opened = ops::open(&request, now)
        .map_err(|r| anyhow::anyhow!("opening an incident for alert {}: {r:?}", alert.id))?;
    let id = tx.create(opened)?;
    alert.incident_id = Some(id);
    tx.save_alert(alert)?;
    let incident = tx
        .incident(id)?
        .ok_or_else(|| anyhow::anyhow!("incident {id} vanished"))?;
    tx.apply(ops::attach_alert(&incident, alert, AlertJoin::Opened, now))?;
    Ok(id)
}

/// Ties the recorded alert `alert_id` to incident `incident_id` by hand
/// (`declare --from-alert`, `update --attach-alert`), in `tx`: the alert
/// row and the `alert_attached` event together. Returns the alert, or
/// `None` when it belonged to that incident already.
pub fn tie_in(
    tx: &mut Writer<'_>,
    alert_id: i64,
    incident_id: i64,
    how: AlertJoin,
    now: DateTime<Utc>,
) -> Result<Option<Alert>> {
    let mut alert = find(tx, alert_id)?;
    if alert.incident_id == Some(incident_id) {
        return Ok(None);
    }
    let incident = tx
        .incident(incident_id)?
        .ok_or_else(|| anyhow::anyhow!("incident {incident_id} vanished"))?;
    alert.incident_id = Some(incident_id);
    tx.save_alert(&alert)?;
    tx.apply(ops::attach_alert(&incident, &alert, how, now))?;
    Ok(Some(alert))
}

/// The recorded alert `id`, or the error that says how to find one.
pub fn find(tx: &Writer<'_>, id: i64) -> Result<Alert> {
    tx.alerts(&AlertFilter {
        id: Some(id),
        ..AlertFilter::default()
    })?
    .pop()
    .ok_or_else(|| crate::error::not_found(format!("no alert {id}; run 'incident alerts' for their ids")))
}

/// The signal an alert as recorded stands for (to open an incident from
/// it by hand).
pub fn signal_of(alert: &Alert) -> Signal {
    Signal {
        source: alert.source,
        identity: alert.identity.clone(),
        group: alert.group.clone(),
        status: alert.status,
        summary: alert.summary.clone(),
        severity: alert.severity.clone(),
        service: alert.service.clone(),
        labels: alert.labels.clone(),
        starts_at: alert.starts_at,
        ends_at: alert.ends_at,
        link: alert.link.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/cli/fixtures/alerts")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn every_fixture_parses_and_is_detected() {
        for (name, format, count) in [
            ("alertmanager-firing.json", Format::Alertmanager, 2),
            ("alertmanager-resolved.json", Format::Alertmanager, 2),
            ("grafana-firing.json", Format::Grafana, 1),
            ("pagerduty-trigger.json", Format::Pagerduty, 1),
            ("pagerduty-resolve.json", Format::Pagerduty, 1),
            ("generic.json", Format::Generic, 1),
        ] {
            let body = fixture(name);
            assert_eq!(Format::detect(&body), Ok(format), "{name}");
            let payload = parse(format, &body).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(payload.signals.len(), count, "{name}");
        }
    }

    #[test]
    fn alertmanager_alerts_keep_their_fingerprint_group_and_link() {
        let p = parse(Format::Alertmanager, &fixture("alertmanager-firing.json")).unwrap();
        let s = &p.signals[0];
        assert_eq!(s.identity, "a4c8b0e6c0f3a1d2");
        assert_eq!(
            s.group.as_deref(),
            Some("{}/{severity=\"critical\"}:{alertname=\"HighErrorRate\"}")
        );
        assert_eq!(s.status, AlertStatus::Firing);
        assert_eq!(s.service.as_deref(), Some("checkout"));
        assert_eq!(s.severity.as_deref(), Some("critical"));
        assert!(s.link.as_deref().unwrap().starts_with("http://prometheus"));
        assert_eq!(s.ends_at, None, "the zero time is no time");
        let r = parse(Format::Alertmanager, &fixture("alertmanager-resolved.json")).unwrap();
        assert_eq!(r.signals[0].status, AlertStatus::Resolved);
        assert!(r.signals[0].ends_at.is_some());
    }

    #[test]
    fn pagerduty_keys_are_generated_when_absent_and_required_to_resolve() {
        let trigger = br#"{"routing_key":"r","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"error"}}"#;
        let p = parse(Format::Pagerduty, trigger).unwrap();
        assert_eq!(p.dedup_key.as_deref().map(str::len), Some(32));
        assert_eq!(p.signals[0].identity, p.dedup_key.unwrap());
        let resolve = br#"{"routing_key":"r","event_action":"resolve"}"#;
        assert!(
            parse(Format::Pagerduty, resolve)
                .unwrap_err()
                .contains("dedup_key")
        );
        let bad = br#"{"routing_key":"r","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"sev1"}}"#;
        assert!(
            parse(Format::Pagerduty, bad)
                .unwrap_err()
                .contains("payload.severity")
        );
        let missing = br#"{"event_action":"trigger","payload":{"source":"h","severity":"info"}}"#;
        assert!(
            parse(Format::Pagerduty, missing)
                .unwrap_err()
                .contains("payload.summary")
        );
    }

    #[test]
    fn hostile_bodies_are_refused_with_a_reason_never_a_panic() {
        let huge = vec![b' '; MAX_BODY + 1];
        for (format, body) in [
            (Format::Alertmanager, &b"{"[..]),
            (Format::Alertmanager, b"[]"),
            (Format::Alertmanager, br#"{"alerts":[]}"#),
            (Format::Alertmanager, br#"{"alerts":[{"status":"burning"}]}"#),
            (
                Format::Alertmanager,
                br#"{"alerts":[{"status":"firing","labels":{"a":1}}]}"#,
            ),
            (Format::Grafana, br#"{"alerts":"no"}"#),
            (Format::Pagerduty, br#"{"event_action":5}"#),
            (
                Format::Pagerduty,
                br#"{"event_action":"explode","dedup_key":"k"}"#,
            ),
            (Format::Generic, br#"{"key":"","summary":"x"}"#),
            (Format::Generic, br#"{"key":"k"}"#),
            (Format::Generic, br#"{"key":"k","summary":"s","status":"maybe"}"#),
            (Format::Generic, &huge[..]),
            (Format::Generic, b"\xff\xfe"),
        ] {
            assert!(
                parse(format, body).is_err(),
                "{format:?} {:?}",
                String::from_utf8_lossy(&body[..body.len().min(60)])
            );
        }
        assert!(Format::detect(b"{}").is_err());
    }

    /// Every prefix of every fixture, and each with bytes overwritten by
    /// quotes, braces, control characters and invalid UTF-8, in every
    /// format: an answer (usually a refusal), never a panic.
    #[test]
    fn mangled_fixtures_never_panic() {
        let formats = [
            Format::Alertmanager,
            Format::Grafana,
            Format::Pagerduty,
            Format::Generic,
        ];
        for name in [
            "alertmanager-firing.json",
            "grafana-firing.json",
            "pagerduty-trigger.json",
            "generic.json",
        ] {
            let body = fixture(name);
            for cut in (0..body.len()).step_by(7) {
                for format in formats {
                    let _ = parse(format, &body[..cut]);
                }
                let _ = Format::detect(&body[..cut]);
            }
            for (i, junk) in (0..body.len())
                .step_by(11)
                .zip([b'"', b'{', 0x1b, 0xff, b'0', b']'].iter().cycle())
            {
                let mut mangled = body.clone();
                mangled[i] = *junk;
                for format in formats {
                    let _ = parse(format, &mangled);
                }
            }
        }
    }
}
