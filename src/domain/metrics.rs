//! What `incident metrics` and `serve`'s `/metrics` publish, as pure
//! rules: which incidents count (never drills), under which labels, into
//! which histogram buckets, and the two text formats a scraper reads
//! (Prometheus text 0.0.4, and OpenMetrics 1.0). docs/metrics.md lists
//! every metric this writes.
//!
//! Counters must only go up between scrapes, or Prometheus sees a reset:
//! so `declared` is labelled with the severity at declaration (not the
//! current one, which may change) and counts canceled and duplicate
//! incidents too (they were declared), and a missed target counts whether
//! it was met late afterwards or not yet.

use super::Incident;
use super::targets::{Outcome, Target, Targets};
use chrono::Duration;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The upper bounds (seconds) of the time-to-acknowledge buckets: 1, 5,
/// 10, 15 and 30 minutes, 1, 2, 4 and 12 hours, a day.
pub const ACKNOWLEDGE_BUCKETS: &[f64] = &[
    60.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 43200.0, 86400.0,
];

/// The upper bounds (seconds) of the time-to-resolve buckets: 5, 15 and 30
/// minutes, 1, 2, 4 and 8 hours, 1, 2 and 7 days.
pub const RESOLVE_BUCKETS: &[f64] = &[
    300.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0, 86400.0, 172800.0, 604800.0,
];

/// A cumulative histogram of durations in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    pub bounds: &'static [f64],
    /// How many observations fell at or below each bound (cumulative).
    pub buckets: Vec<u64>,
    pub count: u64,
    pub sum: f64,
}

impl Histogram {
    pub fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            buckets: vec![0; bounds.len()],
            count: 0,
            sum: 0.0,
        }
    }

    pub fn observe(&mut self, d: Duration) {
        let seconds = d.num_seconds().max(0) as f64;
        for (bound, n) in self.bounds.iter().zip(&mut self.buckets) {
            if seconds <= *bound {
                *n += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
}

/// Everything published, gathered one incident, alert and destination at a
/// time.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    /// Open incidents by (severity, status); every configured level and
    /// open status is present, zero or not, so the series do not come and go.
    pub open: BTreeMap<(String, String), u64>,
    /// When the oldest open incident was declared (none open: `None`).
    pub oldest_open: Option<chrono::DateTime<chrono::Utc>>,
    /// Incidents declared by (severity at declaration, service); an
    /// incident on no service has the empty service.
    pub declared: BTreeMap<(String, String), u64>,
    pub acknowledge: Histogram,
    pub resolve: Histogram,
    /// Deadlines that passed before their target was met (met late since,
    /// or still not met), by target.
    pub missed: BTreeMap<&'static str, u64>,
    /// Deadlines passed and still not met, by target.
    pub overdue: BTreeMap<&'static str, u64>,
    /// Alert notifications received, by source, and how many of them
    /// repeated an alert already recorded (folded into it).
    pub alerts_received: BTreeMap<String, u64>,
    pub alerts_deduplicated: BTreeMap<String, u64>,
    /// Events not yet past each destination's cursor.
    pub backlog: BTreeMap<String, u64>,
}

impl Metrics {
    /// Empty, with a zero for every configured level and open status, every
    /// target and every alert source.
    pub fn new(levels: &[String]) -> Metrics {
        let mut open = BTreeMap::new();
        for level in levels {
            for status in super::Status::ALL.iter().filter(|s| s.is_open()) {
                open.insert((level.clone(), status.as_str().to_string()), 0);
            }
        }
        let targets = || Target::ALL.iter().map(|t| (t.as_str(), 0)).collect();
        let sources = || {
            super::alerts::AlertSource::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), 0))
                .collect()
        };
        Metrics {
            open,
            oldest_open: None,
            declared: BTreeMap::new(),
            acknowledge: Histogram::new(ACKNOWLEDGE_BUCKETS),
            resolve: Histogram::new(RESOLVE_BUCKETS),
            missed: targets(),
            overdue: targets(),
            alerts_received: sources(),
            alerts_deduplicated: sources(),
            backlog: BTreeMap::new(),
        }
    }

    /// Counts one incident, with its targets and the severity it was
    /// declared at (`None`: its current one). Drills count nowhere.
    pub fn add_incident(&mut self, i: &Incident, targets: &Targets, declared_as: Option<&str>) {
        if i.drill {
            return;
        }
        let severity = declared_as.unwrap_or(&i.severity).to_string();
        if i.services.is_empty() {
            *self.declared.entry((severity, String::new())).or_default() += 1;
        } else {
            for service in &i.services {
                *self
                    .declared
                    .entry((severity.clone(), service.clone()))
                    .or_default() += 1;
            }
        }
        if i.status.is_open() {
            *self
                .open
                .entry((i.severity.clone(), i.status.as_str().to_string()))
                .or_default() += 1;
            self.oldest_open = Some(self.oldest_open.map_or(i.declared_at, |t| t.min(i.declared_at)));
        }
        // Times, like `stats`: only incidents that count (not canceled, not
        // duplicates), acknowledged when a commander first took it.
        if i.status.is_counted() {
            if let Some(at) = targets.current(Target::Acknowledge).and_then(|d| d.met_at) {
                self.acknowledge.observe(at - i.declared_at);
            }
            if let Some(at) = i.resolved_at.filter(|_| !i.status.is_open()) {
                self.resolve.observe(at - i.declared_at);
            }
        }
        for d in &targets.deadlines {
            let name = d.target.as_str();
            if matches!(d.outcome, Outcome::Late | Outcome::Missed) {
                *self.missed.entry(name).or_default() += 1;
            }
            if d.outcome == Outcome::Missed {
                *self.overdue.entry(name).or_default() += 1;
            }
        }
    }

    /// Counts one recorded alert, seen `times_seen` times.
    pub fn add_alert(&mut self, source: &str, times_seen: i64) {
        let seen = times_seen.max(1) as u64;
        *self.alerts_received.entry(source.to_string()).or_default() += seen;
        *self.alerts_deduplicated.entry(source.to_string()).or_default() += seen - 1;
    }

    /// One destination's backlog: the events recorded after its cursor
    /// (`None`: it never started, so everything since it was added is to
    /// come, and nothing is counted yet).
    pub fn add_destination(&mut self, name: &str, newest: i64, cursor: Option<i64>) {
        let behind = cursor.map_or(0, |c| (newest - c).max(0)) as u64;
        self.backlog.insert(name.to_string(), behind);
    }
}

/// The exposition formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Prometheus text 0.0.4: what node_exporter's textfile collector and
    /// `promtool check metrics` read.
    Text,
    /// OpenMetrics 1.0 text, ending `# EOF`.
    OpenMetrics,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }

    /// The format an `Accept` header asks for: OpenMetrics when it names
    /// it (as Prometheus does), the classic text otherwise.
    pub fn accepted(accept: Option<&str>) -> Format {
        match accept {
            Some(a) if a.contains("application/openmetrics-text") => Format::OpenMetrics,
            _ => Format::Text,
        }
    }
}

/// A label value escaped as both formats want it.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn labels(pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    format!("{{{}}}", inner.join(","))
}

/// A bound as both formats accept it (`60.0`, `+Inf`).
fn number(x: f64) -> String {
    if x.is_infinite() {
        "+Inf".into()
    } else {
        format!("{x:.1}")
    }
}

struct Writer {
    out: String,
    format: Format,
}

impl Writer {
    /// The metadata of a family. A counter's family is named without
    /// `_total` in OpenMetrics, with it in the classic text.
    fn family(&mut self, name: &str, kind: &str, help: &str, unit: Option<&str>) {
        let family = match (self.format, kind) {
            (Format::OpenMetrics, "counter") => name.trim_end_matches("_total"),
            _ => name,
        };
        let _ = writeln!(self.out, "# HELP {family} {help}");
        let _ = writeln!(self.out, "# TYPE {family} {kind}");
        if let (Format::OpenMetrics, Some(unit)) = (self.format, unit) {
            let _ = writeln!(self.out, "# UNIT {family} {unit}");
        }
    }

    fn sample(&mut self, name: &str, pairs: &[(&str, &str)], value: impl std::fmt::Display) {
        let _ = writeln!(self.out, "{name}{} {value}", labels(pairs));
    }

    fn histogram(&mut self, name: &str, help: &str, h: &Histogram) {
        self.family(name, "histogram", help, Some("seconds"));
        for (bound, n) in h.bounds.iter().zip(&h.buckets) {
            self.sample(&format!("{name}_bucket"), &[("le", &number(*bound))], n);
        }
        self.sample(&format!("{name}_bucket"), &[("le", "+Inf")], h.count);
        self.sample(&format!("{name}_count"), &[], h.count);
        self.sample(&format!("{name}_sum"), &[], number(h.sum));
    }
}

/// The metrics in `format`.
pub fn render(m: &Metrics, format: Format) -> String {
    let mut w = Writer {
        out: String::new(),
        format,
    };
    w.family(
        "incident_open",
        "gauge",
        "Open incidents (drills excluded), by current severity and status.",
        None,
    );
    for ((severity, status), n) in &m.open {
        w.sample("incident_open", &[("severity", severity), ("status", status)], n);
    }
    w.family(
        "incident_open_oldest_declared_timestamp_seconds",
        "gauge",
        "When the oldest open incident (drills excluded) was declared, in Unix seconds; absent when none is open.",
        Some("seconds"),
    );
    if let Some(t) = m.oldest_open {
        w.sample(
            "incident_open_oldest_declared_timestamp_seconds",
            &[],
            t.timestamp(),
        );
    }
    w.family(
        "incident_declared_total",
        "counter",
        "Incidents declared (drills excluded), by severity at declaration and service; an incident on several services counts under each.",
        None,
    );
    for ((severity, service), n) in &m.declared {
        w.sample(
            "incident_declared_total",
            &[("severity", severity), ("service", service)],
            n,
        );
    }
    w.histogram(
        "incident_time_to_acknowledge_seconds",
        "Time from declaration to the first commander, of incidents acknowledged (drills, canceled and duplicates excluded).",
        &m.acknowledge,
    );
    w.histogram(
        "incident_time_to_resolve_seconds",
        "Time from declaration to resolution, of incidents resolved (drills, canceled and duplicates excluded).",
        &m.resolve,
    );
    w.family(
        "incident_response_targets_missed_total",
        "counter",
        "Response target deadlines that passed before the target was met, by target.",
        None,
    );
    for (target, n) in &m.missed {
        w.sample("incident_response_targets_missed_total", &[("target", target)], n);
    }
    w.family(
        "incident_response_targets_overdue",
        "gauge",
        "Response target deadlines passed and still not met, by target.",
        None,
    );
    for (target, n) in &m.overdue {
        w.sample("incident_response_targets_overdue", &[("target", target)], n);
    }
    w.family(
        "incident_alerts_received_total",
        "counter",
        "Alert notifications received from monitoring, by source.",
        None,
    );
    for (source, n) in &m.alerts_received {
        w.sample("incident_alerts_received_total", &[("source", source)], n);
    }
    w.family(
        "incident_alerts_deduplicated_total",
        "counter",
        "Alert notifications that repeated an alert already recorded and were folded into it, by source.",
        None,
    );
    for (source, n) in &m.alerts_deduplicated {
        w.sample("incident_alerts_deduplicated_total", &[("source", source)], n);
    }
    w.family(
        "incident_notify_backlog_events",
        "gauge",
        "Timeline events recorded after a notification destination's cursor, by destination.",
        None,
    );
    for (destination, n) in &m.backlog {
        w.sample(
            "incident_notify_backlog_events",
            &[("destination", destination)],
            n,
        );
    }
    if format == Format::OpenMetrics {
        w.out.push_str("# EOF\n");
    }
    w.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Status;
    use crate::domain::targets::Deadline;

    fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
        s.parse().unwrap()
    }

    fn acknowledged(after: i64) -> Targets {
        let declared = Incident::example().declared_at;
        Targets {
            deadlines: vec![Deadline {
                target: Target::Acknowledge,
                due: declared + Duration::minutes(5),
                met_at: Some(declared + Duration::seconds(after)),
                outcome: if after <= 300 {
                    Outcome::OnTime
                } else {
                    Outcome::Late
                },
                severity: "SEV1".into(),
                current: true,
            }],
            last_update: None,
        }
    }

    #[test]
    fn buckets_are_cumulative_and_the_sum_is_in_seconds() {
        let mut h = Histogram::new(ACKNOWLEDGE_BUCKETS);
        h.observe(Duration::seconds(30));
        h.observe(Duration::seconds(60));
        h.observe(Duration::seconds(61));
        h.observe(Duration::days(3));
        assert_eq!(h.buckets[0], 2, "le 60 holds 30 s and exactly 60 s");
        assert_eq!(h.buckets[1], 3);
        assert_eq!(*h.buckets.last().unwrap(), 3, "3 days is only in +Inf");
        assert_eq!(h.count, 4);
        assert_eq!(h.sum, 30.0 + 60.0 + 61.0 + 3.0 * 86400.0);
    }

    #[test]
    fn drills_count_nowhere_and_open_series_are_always_there() {
        let mut m = Metrics::new(&["SEV1".into(), "SEV2".into()]);
        let empty = m.clone();
        let drill = Incident {
            drill: true,
            ..Incident::example()
        };
        m.add_incident(&drill, &acknowledged(10), None);
        assert_eq!(m, empty);
        assert_eq!(m.open.len(), 6, "2 levels × 3 open statuses");
        assert!(m.open.values().all(|n| *n == 0));
    }

    #[test]
    fn declared_counts_the_severity_at_declaration_under_each_service() {
        let mut m = Metrics::new(&["SEV1".into()]);
        let i = Incident {
            severity: "SEV1".into(),
            services: vec!["api".into(), "db".into()],
            ..Incident::example()
        };
        m.add_incident(&i, &Targets::default(), Some("SEV3"));
        let canceled = Incident {
            status: Status::Canceled,
            ..Incident::example()
        };
        m.add_incident(&canceled, &acknowledged(10), None);
        assert_eq!(m.declared[&("SEV3".into(), "api".into())], 1);
        assert_eq!(m.declared[&("SEV3".into(), "db".into())], 1);
        assert_eq!(
            m.declared[&("SEV1".into(), "".into())],
            1,
            "canceled: still declared"
        );
        assert_eq!(m.acknowledge.count, 0, "canceled: no times");
        assert_eq!(
            m.open[&("SEV1".into(), "investigating".into())],
            1,
            "the current severity"
        );
        assert_eq!(m.oldest_open, Some(i.declared_at));
    }

    #[test]
    fn a_late_target_stays_missed_and_only_unmet_ones_are_overdue() {
        let mut m = Metrics::new(&[]);
        m.add_incident(&Incident::example(), &acknowledged(600), None);
        let mut unmet = acknowledged(0);
        unmet.deadlines[0].met_at = None;
        unmet.deadlines[0].outcome = Outcome::Missed;
        m.add_incident(&Incident::example(), &unmet, None);
        assert_eq!(m.missed["acknowledge"], 2);
        assert_eq!(m.overdue["acknowledge"], 1);
        assert_eq!(m.acknowledge.count, 1);
        assert_eq!(m.acknowledge.sum, 600.0);
    }

    #[test]
    fn resolved_incidents_give_a_time_to_resolve() {
        let mut m = Metrics::new(&[]);
        let i = Incident {
            status: Status::Resolved,
            resolved_at: Some(at("2026-11-23T09:30:00Z")),
            ..Incident::example()
        };
        m.add_incident(&i, &Targets::default(), None);
        assert_eq!(m.resolve.count, 1);
        assert_eq!(m.resolve.sum, 5400.0);
        assert_eq!(m.resolve.buckets, [0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    }

    #[test]
    fn alerts_repeated_are_deduplicated_and_backlogs_count_from_the_cursor() {
        let mut m = Metrics::new(&[]);
        m.add_alert("alertmanager", 5);
        m.add_alert("alertmanager", 1);
        m.add_destination("chat", 40, Some(35));
        m.add_destination("new", 40, None);
        assert_eq!(m.alerts_received["alertmanager"], 6);
        assert_eq!(m.alerts_deduplicated["alertmanager"], 4);
        assert_eq!(m.alerts_received["generic"], 0);
        assert_eq!(m.backlog["chat"], 5);
        assert_eq!(m.backlog["new"], 0);
    }

    #[test]
    fn both_formats_name_counters_as_each_wants_and_escape_labels() {
        let mut m = Metrics::new(&[]);
        let i = Incident {
            services: vec!["we\"ird\\svc\n".into()],
            ..Incident::example()
        };
        m.add_incident(&i, &Targets::default(), None);
        let text = render(&m, Format::Text);
        assert!(text.contains("# TYPE incident_declared_total counter\n"));
        assert!(text.contains(r#"incident_declared_total{severity="SEV1",service="we\"ird\\svc\n"} 1"#));
        assert!(text.contains("incident_time_to_acknowledge_seconds_bucket{le=\"60.0\"} 0\n"));
        assert!(text.contains("incident_time_to_acknowledge_seconds_bucket{le=\"+Inf\"} 0\n"));
        assert!(!text.contains("# EOF") && !text.contains("# UNIT"));
        let open = render(&m, Format::OpenMetrics);
        assert!(open.contains("# TYPE incident_declared counter\n"));
        assert!(open.contains("# UNIT incident_time_to_resolve_seconds seconds\n"));
        assert!(open.ends_with("# EOF\n"));
    }

    #[test]
    fn the_accept_header_chooses_the_format() {
        let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assert_eq!(Format::accepted(Some(prometheus)), Format::OpenMetrics);
        assert_eq!(Format::accepted(Some("*/*")), Format::Text);
        assert_eq!(Format::accepted(None), Format::Text);
    }
}
