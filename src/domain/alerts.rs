//! Alerts from monitoring, and every rule about them, written once: an
//! alert's identity, what a repeat or a resolution does to it, which
//! configured rule it matches, where it goes (a new incident, an open one,
//! or only the record) and whether all of an incident's alerts resolved.
//!
//! Payloads are parsed into [`Signal`]s elsewhere (`intake/`); nothing here
//! knows a wire format, storage or the clock.

use super::{Category, Incident};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::BTreeMap;

named_enum! {
    /// Which kind of sender a payload came from.
    AlertSource {
        Alertmanager = "alertmanager",
        Grafana = "grafana",
        Pagerduty = "pagerduty",
        Generic = "generic",
    }
}

named_enum! {
    /// Whether the alert is firing.
    AlertStatus {
        Firing = "firing",
        Resolved = "resolved",
    }
}

named_enum! {
    /// What a rule does with an alert it matches.
    AlertAction {
        Open = "open",
        Attach = "attach",
        Record = "record",
    }
}

named_enum! {
    /// Which open incident a rule's alert joins rather than opening one
    /// (`attach = "service"`).
    AttachTo {
        Service = "service",
    }
}

/// The longest identity or group key taken, in bytes of UTF-8. Keys are
/// compared whole, so a longer one is refused, never cut: two keys that
/// differ only past a cut would be one alert. 2,000 bytes keeps every key
/// of 1,000 characters or fewer that is ASCII, and fits the index a
/// PostgreSQL database keeps on them (a B-tree entry takes at most 2,704
/// bytes).
pub const KEY_BYTES: usize = 2_000;
/// The longest summary kept; a longer one is cut (a payload is not a novel).
pub const SUMMARY_CHARS: usize = 500;
/// The longest label name or value kept.
pub const LABEL_CHARS: usize = 1_000;
/// The most labels kept per alert.
pub const MAX_LABELS: usize = 100;

/// One alert as a payload tells it, normalised from any format.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    pub source: AlertSource,
    /// What makes two notifications the same alert (never its text).
    pub identity: String,
    /// The sender's group (Alertmanager's `groupKey`): later alerts of a
    /// group join the incident the group opened.
    pub group: Option<String>,
    pub status: AlertStatus,
    /// The sender's words; empty when the notification carried none (a
    /// PagerDuty `resolve`, an Alertmanager alert without a `summary`,
    /// `description` or `message` annotation), which never replaces words
    /// an earlier notification gave. [`Signal::summary_or_name`] names it.
    pub summary: String,
    pub severity: Option<String>,
    pub service: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub link: Option<String>,
}

impl Signal {
    /// A field or label by the name a rule matches on: `source`,
    /// `severity`, `service`, `summary`, `status`, else a label.
    pub fn field(&self, name: &str) -> Option<Cow<'_, str>> {
        match name {
            "source" => Some(self.source.as_str().into()),
            "status" => Some(self.status.as_str().into()),
            "summary" => Some(self.summary_or_name()),
            "severity" => self.severity.as_deref().map(Cow::from),
            "service" => self.service.as_deref().map(Cow::from),
            label => self.labels.get(label).map(|v| v.as_str().into()),
        }
    }

    /// Its summary, or when the sender gave none, a name: its `alertname`
    /// label, else its source and identity.
    pub fn summary_or_name(&self) -> Cow<'_, str> {
        if !self.summary.is_empty() {
            return self.summary.as_str().into();
        }
        match self.labels.get("alertname").map(|n| cut(n.trim(), SUMMARY_CHARS)) {
            Some(name) if !name.is_empty() => name.into(),
            _ => format!("{} alert {}", self.source, cut(&self.identity, 64)).into(),
        }
    }

    /// Cuts every text to its limit (a blank summary is none): a hostile
    /// or sloppy sender cannot grow a row without bound. Keys are not cut:
    /// intake refuses one over [`KEY_BYTES`].
    pub fn bounded(mut self) -> Signal {
        self.summary = cut(self.summary.trim(), SUMMARY_CHARS);
        debug_assert!(self.identity.len() <= KEY_BYTES, "intake checks the identity");
        debug_assert!(
            self.group.as_ref().is_none_or(|g| g.len() <= KEY_BYTES),
            "intake checks the group"
        );
        self.severity = self
            .severity
            .map(|s| cut(s.trim(), 100))
            .filter(|s| !s.is_empty());
        self.service = self.service.map(|s| cut(s.trim(), 200)).filter(|s| !s.is_empty());
        self.link = self
            .link
            .map(|s| cut(s.trim(), LABEL_CHARS))
            .filter(|s| !s.is_empty());
        self.labels = self
            .labels
            .into_iter()
            .take(MAX_LABELS)
            .map(|(k, v)| (cut(&k, LABEL_CHARS), cut(&v, LABEL_CHARS)))
            .collect();
        self
    }
}

fn cut(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

/// An identity for an alert whose sender gave none: its label set, as
/// Alertmanager's own fingerprint is, hashed (never its text).
pub fn label_identity(labels: &BTreeMap<String, String>) -> String {
    let mut hash = Sha256::new();
    for (k, v) in labels {
        hash.update(k.as_bytes());
        hash.update([0xff]);
        hash.update(v.as_bytes());
        hash.update([0xfe]);
    }
    hash.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// An alert as recorded: the latest of what its sender said, and how often.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub id: i64,
    pub source: AlertSource,
    pub identity: String,
    pub group: Option<String>,
    pub status: AlertStatus,
    pub summary: String,
    pub severity: Option<String>,
    pub service: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub link: Option<String>,
    #[serde(with = "super::event::stamp_opt")]
    pub starts_at: Option<DateTime<Utc>>,
    /// When it resolved, as its sender said (or when it was told).
    #[serde(with = "super::event::stamp_opt")]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(with = "super::event::stamp")]
    pub first_seen: DateTime<Utc>,
    #[serde(with = "super::event::stamp")]
    pub last_seen: DateTime<Utc>,
    pub times_seen: i64,
    /// The incident it belongs to, if any.
    pub incident_id: Option<i64>,
}

impl Alert {
    /// A digest of everything recorded of the alert but its number: kept
    /// with its row when the tool writes it, so `verify` finds a count, a
    /// summary, a time or an incident changed behind the tool's back.
    /// (Its number is checked against the events that name it.) The fields
    /// are listed here, in this order, once: a new field is added to the
    /// seal with a migration that seals every row again.
    pub fn seal(&self) -> String {
        let stamp = |t: Option<DateTime<Utc>>| t.map(crate::time::to_rfc3339);
        let fields = serde_json::json!([
            "incident-alert-v1",
            self.source.as_str(),
            self.identity,
            self.group,
            self.status.as_str(),
            self.summary,
            self.severity,
            self.service,
            self.labels,
            self.link,
            stamp(self.starts_at),
            stamp(self.ends_at),
            crate::time::to_rfc3339(self.first_seen),
            crate::time::to_rfc3339(self.last_seen),
            self.times_seen,
            self.incident_id,
        ]);
        let digest = Sha256::digest(fields.to_string().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// What a notification was, next to what was recorded of its alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// A firing alert not seen before.
    New,
    /// Said again as it was: only counted.
    Repeat,
    /// Firing again after it had resolved.
    Refired,
    /// A firing alert resolved.
    Resolved,
    /// A resolution of an alert never seen firing: recorded as it is.
    ResolvedUnseen,
}

/// The alert after `signal`, given what was recorded (`known`) at `now`:
/// a repeat counts (last seen, times seen) and changes nothing else.
pub fn observe(known: Option<&Alert>, signal: &Signal, now: DateTime<Utc>) -> (Alert, Seen) {
    let resolved_at = || signal.ends_at.filter(|t| *t <= now).unwrap_or(now);
    let Some(known) = known else {
        let seen = match signal.status {
            AlertStatus::Firing => Seen::New,
            AlertStatus::Resolved => Seen::ResolvedUnseen,
        };
        let alert = Alert {
            id: 0,
            source: signal.source,
            identity: signal.identity.clone(),
            group: signal.group.clone(),
            status: signal.status,
            summary: signal.summary_or_name().into_owned(),
            severity: signal.severity.clone(),
            service: signal.service.clone(),
            labels: signal.labels.clone(),
            link: signal.link.clone(),
            starts_at: signal.starts_at,
            ends_at: (signal.status == AlertStatus::Resolved).then(resolved_at),
            first_seen: now,
            last_seen: now,
            times_seen: 1,
            incident_id: None,
        };
        return (alert, seen);
    };
    let mut alert = Alert {
        last_seen: now.max(known.last_seen),
        times_seen: known.times_seen + 1,
        ..known.clone()
    };
    let seen = match (known.status, signal.status) {
        (AlertStatus::Firing, AlertStatus::Firing) | (AlertStatus::Resolved, AlertStatus::Resolved) => {
            Seen::Repeat
        }
        (AlertStatus::Resolved, AlertStatus::Firing) => {
            alert.status = AlertStatus::Firing;
            alert.ends_at = None;
            alert.starts_at = signal.starts_at.or(known.starts_at);
            Seen::Refired
        }
        (AlertStatus::Firing, AlertStatus::Resolved) => {
            alert.status = AlertStatus::Resolved;
            alert.ends_at = Some(resolved_at());
            Seen::Resolved
        }
    };
    if seen != Seen::Repeat {
        // A state change carries the sender's latest words and link, when
        // it has some: what a notification leaves out is kept as it was.
        if !signal.summary.is_empty() {
            alert.summary = signal.summary.clone();
        }
        alert.link = signal.link.clone().or(alert.link);
    }
    (alert, seen)
}

/// The same alert (source and identity) as recorded here and as another
/// database recorded it (`theirs`, an import), made one: the state seen
/// more recently (by `last_seen`) wins whole (status, texts, labels,
/// times, the incident it belongs to), `here`'s on a tie; the first seen is
/// the earlier and the times seen the larger of the two. Keeps `here`'s id.
/// Merging the result with either side again changes nothing.
pub fn merge(here: &Alert, theirs: &Alert) -> Alert {
    debug_assert_eq!((here.source, &here.identity), (theirs.source, &theirs.identity));
    let newer = match theirs.last_seen > here.last_seen {
        true => theirs,
        false => here,
    };
    Alert {
        id: here.id,
        first_seen: here.first_seen.min(theirs.first_seen),
        times_seen: here.times_seen.max(theirs.times_seen),
        ..newer.clone()
    }
}

/// A configured rule: the fields and labels it matches (all must equal),
/// and what it does.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub matches: BTreeMap<String, String>,
    pub action: AlertAction,
    /// The level of an incident it opens (else the default level).
    pub severity: Option<String>,
    pub category: Option<Category>,
    /// How recent an open incident on the same service must be to take the
    /// alert (`action = "attach"`).
    pub within: Duration,
    /// `attach = "service"`: any open incident on the alert's service takes
    /// it, however old.
    pub attach: Option<AttachTo>,
    /// When every alert of the incident has resolved, resolve it.
    pub auto_resolve: bool,
    /// The `[[policies]]` entry an incident it opens pages.
    pub page: Option<String>,
}

impl Rule {
    pub fn matches(&self, signal: &Signal) -> bool {
        self.matches
            .iter()
            .all(|(name, want)| signal.field(name).as_deref() == Some(want.as_str()))
    }
}

/// The first rule `signal` matches, in the order configured.
pub fn rule_for<'r>(rules: &'r [Rule], signal: &Signal) -> Option<&'r Rule> {
    rules.iter().find(|r| r.matches(signal))
}

/// Where a firing alert goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    /// Only recorded: no rule matched, or the rule says so.
    Record { matched: bool },
    /// Opens a new incident.
    Open {
        severity: Option<String>,
        category: Category,
    },
    /// Joins this open incident.
    Attach(i64),
}

/// Where a new (or re-firing) alert goes: nowhere but the record unless a
/// rule says so; with a rule, to the open incident its group opened, or
/// (`attach = "service"`) the most recent open incident on its service,
/// or (`action = "attach"`) the most recent one declared within the rule's
/// window, else a new incident (which joins an open incident it would
/// repeat instead: [`super::ops::open`]). `group_incident` is the incident
/// another alert of its group belongs to; `open` the open incidents.
pub fn route(
    signal: &Signal,
    rules: &[Rule],
    group_incident: Option<&Incident>,
    open: &[Incident],
    now: DateTime<Utc>,
) -> Route {
    let Some(rule) = rule_for(rules, signal) else {
        return Route::Record { matched: false };
    };
    if rule.action == AlertAction::Record {
        return Route::Record { matched: true };
    }
    if let Some(incident) = group_incident.filter(|i| i.status.is_open()) {
        return Route::Attach(incident.id);
    }
    let since = match (rule.attach, rule.action) {
        (Some(AttachTo::Service), _) => None,
        (None, AlertAction::Attach) => Some(now - rule.within),
        _ => {
            return Route::Open {
                severity: rule.severity.clone(),
                category: rule.category.unwrap_or(Category::Other),
            };
        }
    };
    if let Some(service) = &signal.service
        && let Some(incident) = open
            .iter()
            .filter(|i| i.status.is_open() && since.is_none_or(|since| i.declared_at >= since))
            .filter(|i| i.services.iter().any(|s| s == service))
            .max_by_key(|i| (i.declared_at, i.id))
    {
        return Route::Attach(incident.id);
    }
    Route::Open {
        severity: rule.severity.clone(),
        category: rule.category.unwrap_or(Category::Other),
    }
}

/// Whether the incident's alerts have all resolved (it has at least one).
pub fn all_resolved(alerts: &[Alert]) -> bool {
    !alerts.is_empty() && alerts.iter().all(|a| a.status == AlertStatus::Resolved)
}

/// Whether a resolution resolves the incident itself: only when a rule
/// says `auto_resolve`, every alert resolved and the incident is open.
pub fn resolves_incident(rule: Option<&Rule>, alerts: &[Alert], incident: &Incident) -> bool {
    rule.is_some_and(|r| r.auto_resolve) && all_resolved(alerts) && incident.status.is_open()
}

/// The new incident's draft for an alert that opens one.
pub fn draft(signal: &Signal, severity: String, category: Category, now: DateTime<Utc>) -> Incident {
    Incident {
        id: 0,
        title: cut(signal.summary_or_name().lines().next().unwrap_or(""), 200),
        status: super::Status::Investigating,
        severity,
        category,
        services: signal.service.iter().cloned().collect(),
        channels: Vec::new(),
        summary: None,
        detected_by: Some(super::DetectedBy::Monitoring),
        started_at: signal.starts_at.filter(|t| *t <= now),
        declared_at: now,
        resolved_at: None,
        closed_at: None,
        resolution: None,
        next_update_at: None,
        roles: Vec::new(),
        drill: false,
        tags: Default::default(),
        milestones: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Status;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn signal(identity: &str, status: AlertStatus) -> Signal {
        Signal {
            source: AlertSource::Alertmanager,
            identity: identity.into(),
            group: Some("{}:{alertname=\"HighErrorRate\"}".into()),
            status,
            summary: "High error rate on checkout".into(),
            severity: Some("critical".into()),
            service: Some("checkout".into()),
            labels: BTreeMap::from([
                ("alertname".into(), "HighErrorRate".into()),
                ("severity".into(), "critical".into()),
                ("team".into(), "payments".into()),
            ]),
            starts_at: Some(t("2026-11-23T07:58:00Z")),
            ends_at: None,
            link: Some("http://prometheus/graph".into()),
        }
    }

    fn rule(action: AlertAction, matches: &[(&str, &str)]) -> Rule {
        Rule {
            matches: matches
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            action,
            severity: Some("SEV1".into()),
            category: Some(Category::Availability),
            within: Duration::hours(1),
            attach: None,
            auto_resolve: false,
            page: None,
        }
    }

    #[test]
    fn a_repeat_is_counted_and_changes_nothing_else() {
        let now = t("2026-11-23T08:00:00Z");
        let (first, seen) = observe(None, &signal("a1", AlertStatus::Firing), now);
        assert_eq!((seen, first.times_seen, first.first_seen), (Seen::New, 1, now));
        let later = t("2026-11-23T08:05:00Z");
        let mut again = signal("a1", AlertStatus::Firing);
        again.summary = "reworded".into();
        let (second, seen) = observe(Some(&first), &again, later);
        assert_eq!(seen, Seen::Repeat);
        assert_eq!(
            (second.times_seen, second.first_seen, second.last_seen),
            (2, now, later)
        );
        assert_eq!(second.summary, first.summary);
    }

    #[test]
    fn resolution_and_refiring_change_the_status() {
        let now = t("2026-11-23T08:00:00Z");
        let (firing, _) = observe(None, &signal("a1", AlertStatus::Firing), now);
        let mut end = signal("a1", AlertStatus::Resolved);
        end.ends_at = Some(t("2026-11-23T08:09:00Z"));
        let (resolved, seen) = observe(Some(&firing), &end, t("2026-11-23T08:10:00Z"));
        assert_eq!(seen, Seen::Resolved);
        assert_eq!(resolved.ends_at, Some(t("2026-11-23T08:09:00Z")));
        let (_, seen) = observe(Some(&resolved), &end, t("2026-11-23T08:11:00Z"));
        assert_eq!(seen, Seen::Repeat);
        let (again, seen) = observe(Some(&resolved), &signal("a1", AlertStatus::Firing), now);
        assert_eq!(
            (seen, again.status, again.ends_at),
            (Seen::Refired, AlertStatus::Firing, None)
        );
        let (unseen, seen) = observe(None, &end, now);
        assert_eq!(
            (seen, unseen.status),
            (Seen::ResolvedUnseen, AlertStatus::Resolved)
        );
        // An end in the future is not believed.
        assert_eq!(unseen.ends_at, Some(now));
    }

    #[test]
    fn what_a_notification_leaves_out_is_kept() {
        let now = t("2026-11-23T08:00:00Z");
        let (firing, _) = observe(None, &signal("a1", AlertStatus::Firing), now);
        // A resolution without words (PagerDuty's `resolve`) keeps them.
        let silent = |status| Signal {
            summary: String::new(),
            link: None,
            labels: BTreeMap::new(),
            ..signal("a1", status)
        };
        let (resolved, seen) = observe(Some(&firing), &silent(AlertStatus::Resolved), now);
        assert_eq!(seen, Seen::Resolved);
        assert_eq!(resolved.summary, "High error rate on checkout");
        assert_eq!(resolved.link.as_deref(), Some("http://prometheus/graph"));
        let (again, seen) = observe(Some(&resolved), &silent(AlertStatus::Firing), now);
        assert_eq!(seen, Seen::Refired);
        assert_eq!(again.summary, "High error rate on checkout");
        // Words it does carry are the latest.
        let mut worded = silent(AlertStatus::Resolved);
        worded.summary = "Error rate back to normal".into();
        let (resolved, _) = observe(Some(&again), &worded, now);
        assert_eq!(resolved.summary, "Error rate back to normal");
        // A first sighting without words is named.
        let (named, _) = observe(None, &silent(AlertStatus::Resolved), now);
        assert_eq!(named.summary, "alertmanager alert a1");
    }

    #[test]
    fn a_merge_keeps_the_latest_state_the_first_sighting_and_the_larger_count() {
        let start = t("2026-11-23T08:00:00Z");
        let (firing, _) = observe(None, &signal("a1", AlertStatus::Firing), start);
        let here = Alert {
            id: 4,
            incident_id: Some(7),
            times_seen: 5,
            last_seen: t("2026-11-23T08:20:00Z"),
            ..firing.clone()
        };
        // Elsewhere it was first seen earlier, and resolved later.
        let mut end = signal("a1", AlertStatus::Resolved);
        end.summary = "Error rate back to normal".into();
        let (theirs, _) = observe(
            Some(&Alert {
                first_seen: t("2026-11-23T07:59:00Z"),
                incident_id: Some(2),
                ..firing.clone()
            }),
            &end,
            t("2026-11-23T08:30:00Z"),
        );
        let merged = merge(&here, &theirs);
        assert_eq!(
            (merged.id, merged.status, merged.incident_id),
            (4, AlertStatus::Resolved, Some(2))
        );
        assert_eq!(merged.summary, "Error rate back to normal");
        assert_eq!(merged.ends_at, theirs.ends_at);
        assert_eq!(
            (merged.first_seen, merged.last_seen, merged.times_seen),
            (t("2026-11-23T07:59:00Z"), t("2026-11-23T08:30:00Z"), 5)
        );
        // An older state changes nothing but the counts.
        let older = Alert {
            status: AlertStatus::Resolved,
            incident_id: None,
            times_seen: 9,
            first_seen: t("2026-11-23T07:00:00Z"),
            last_seen: t("2026-11-23T08:10:00Z"),
            ..firing.clone()
        };
        let kept = merge(&here, &older);
        assert_eq!(
            kept,
            Alert {
                times_seen: 9,
                first_seen: t("2026-11-23T07:00:00Z"),
                ..here.clone()
            }
        );
        // A tie keeps what is here; the latest state may belong to no incident.
        let tie = Alert {
            summary: "other words".into(),
            ..here.clone()
        };
        assert_eq!(merge(&here, &tie), here);
        let detached = Alert {
            incident_id: None,
            last_seen: t("2026-11-23T09:00:00Z"),
            ..here.clone()
        };
        assert_eq!(merge(&here, &detached).incident_id, None);
        // Idempotent, from either side.
        for other in [&theirs, &older, &tie, &detached] {
            let once = merge(&here, other);
            assert_eq!(merge(&once, other), once);
            assert_eq!(merge(&once, &here), once);
        }
    }

    #[test]
    fn rules_match_fields_and_labels_and_the_first_wins() {
        let s = signal("a1", AlertStatus::Firing);
        let rules = [
            rule(AlertAction::Record, &[("team", "search")]),
            rule(
                AlertAction::Open,
                &[("severity", "critical"), ("service", "checkout")],
            ),
            rule(AlertAction::Attach, &[]),
        ];
        assert_eq!(rule_for(&rules, &s).unwrap().action, AlertAction::Open);
        let mut other = s.clone();
        other.severity = Some("warning".into());
        assert_eq!(rule_for(&rules, &other).unwrap().action, AlertAction::Attach);
        assert!(rule_for(&rules[..1], &s).is_none());
        // Identity, not text: the summary matches only when a rule names it.
        assert!(rule(AlertAction::Open, &[("summary", "High error rate on checkout")]).matches(&s));
    }

    #[test]
    fn unmatched_alerts_are_recorded_and_groups_join_their_incident() {
        let now = t("2026-11-23T08:00:00Z");
        let s = signal("a1", AlertStatus::Firing);
        assert_eq!(route(&s, &[], None, &[], now), Route::Record { matched: false });
        let open = [rule(AlertAction::Open, &[])];
        assert_eq!(
            route(&s, &open, None, &[], now),
            Route::Open {
                severity: Some("SEV1".into()),
                category: Category::Availability
            }
        );
        let grouped = Incident {
            id: 7,
            ..Incident::example()
        };
        assert_eq!(route(&s, &open, Some(&grouped), &[], now), Route::Attach(7));
        let resolved = Incident {
            status: Status::Resolved,
            ..grouped
        };
        assert!(matches!(
            route(&s, &open, Some(&resolved), &[], now),
            Route::Open { .. }
        ));
        let record = [rule(AlertAction::Record, &[])];
        assert_eq!(
            route(&s, &record, None, &[], now),
            Route::Record { matched: true }
        );
    }

    #[test]
    fn attach_takes_the_latest_open_incident_on_the_service_within_the_window() {
        let now = t("2026-11-23T09:00:00Z");
        let s = signal("a1", AlertStatus::Firing);
        let on = |id: i64, service: &str, declared: &str, status: Status| Incident {
            id,
            services: vec![service.into()],
            declared_at: t(declared),
            status,
            ..Incident::example()
        };
        let open = [
            on(1, "checkout", "2026-11-23T08:10:00Z", Status::Investigating),
            on(2, "checkout", "2026-11-23T08:20:00Z", Status::Identified),
            on(3, "search", "2026-11-23T08:50:00Z", Status::Investigating),
            on(4, "checkout", "2026-11-23T08:55:00Z", Status::Resolved),
            on(5, "checkout", "2026-11-23T07:00:00Z", Status::Investigating),
        ];
        let attach = [rule(AlertAction::Attach, &[])];
        assert_eq!(route(&s, &attach, None, &open, now), Route::Attach(2));
        assert!(matches!(
            route(&s, &attach, None, &open[2..], now),
            Route::Open { .. }
        ));
        // attach = "service": any open incident on the service, however old,
        // whichever the action.
        for action in [AlertAction::Open, AlertAction::Attach] {
            let service = [Rule {
                attach: Some(AttachTo::Service),
                ..rule(action, &[])
            }];
            assert_eq!(route(&s, &service, None, &open[2..], now), Route::Attach(5));
            assert!(matches!(
                route(&s, &service, None, &open[2..4], now),
                Route::Open { .. }
            ));
        }
        // An opening rule without it opens.
        assert!(matches!(
            route(&s, &[rule(AlertAction::Open, &[])], None, &open, now),
            Route::Open { .. }
        ));
    }

    #[test]
    fn an_incident_resolves_only_by_rule_when_all_its_alerts_have() {
        let now = t("2026-11-23T08:00:00Z");
        let (a, _) = observe(None, &signal("a", AlertStatus::Firing), now);
        let b = Alert {
            status: AlertStatus::Resolved,
            ..a.clone()
        };
        assert!(!all_resolved(&[]));
        assert!(!all_resolved(&[a.clone(), b.clone()]));
        assert!(all_resolved(std::slice::from_ref(&b)));
        let incident = Incident::example();
        let mut auto = rule(AlertAction::Open, &[]);
        assert!(!resolves_incident(
            Some(&auto),
            std::slice::from_ref(&b),
            &incident
        ));
        auto.auto_resolve = true;
        assert!(resolves_incident(
            Some(&auto),
            std::slice::from_ref(&b),
            &incident
        ));
        assert!(!resolves_incident(Some(&auto), &[a, b.clone()], &incident));
        assert!(!resolves_incident(None, &[b], &incident));
    }

    #[test]
    fn identities_come_from_labels_not_text_and_texts_are_bounded() {
        let mut labels = BTreeMap::from([("a".to_string(), "1".to_string())]);
        let one = label_identity(&labels);
        assert_eq!(one.len(), 16);
        labels.insert("b".into(), "2".into());
        assert_ne!(label_identity(&labels), one);
        let mut s = signal("x", AlertStatus::Firing);
        s.summary = "y".repeat(10_000);
        s.labels = (0..1000).map(|i| (format!("l{i}"), "v".repeat(5000))).collect();
        let s = s.bounded();
        assert_eq!(s.summary.chars().count(), SUMMARY_CHARS);
        assert_eq!(s.labels.len(), MAX_LABELS);
        assert!(s.labels.values().all(|v| v.len() == LABEL_CHARS));
        let mut blank = signal("x", AlertStatus::Firing);
        blank.summary = "  ".into();
        let blank = blank.bounded();
        assert_eq!(blank.summary, "");
        assert_eq!(blank.summary_or_name(), "HighErrorRate");
        let nameless = Signal {
            labels: BTreeMap::new(),
            ..blank
        };
        assert_eq!(nameless.summary_or_name(), "alertmanager alert x");
    }

    #[test]
    fn a_draft_says_monitoring_detected_it_and_never_starts_in_the_future() {
        let now = t("2026-11-23T07:00:00Z");
        let d = draft(
            &signal("a", AlertStatus::Firing),
            "SEV1".into(),
            Category::Availability,
            now,
        );
        assert_eq!(d.detected_by, Some(crate::domain::DetectedBy::Monitoring));
        assert_eq!(d.started_at, None);
        assert_eq!(d.services, vec!["checkout".to_string()]);
    }
}
