//! Response metrics (`incident stats`): pure aggregation over incidents and
//! their targets, so every number is unit-tested.
//!
//! Percentiles, stated once: the **median** is the middle value of the
//! sorted sample, or the mean of the two middle values when the count is
//! even (rounded down to the second); **p90** is the nearest-rank 90th
//! percentile, the ⌈0.9·n⌉-th smallest value, so it is always a time that
//! actually happened. An empty sample has neither.

use super::targets::{Outcome, Target, Targets};
use super::{Category, Incident};
use crate::domain::targets::Level;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A sample of durations summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Spread {
    pub count: usize,
    #[serde(rename = "median_seconds", serialize_with = "seconds")]
    pub median: Option<Duration>,
    #[serde(rename = "p90_seconds", serialize_with = "seconds")]
    pub p90: Option<Duration>,
}

fn seconds<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_i64(d.num_seconds()),
        None => s.serialize_none(),
    }
}

impl Spread {
    pub fn of(mut sample: Vec<Duration>) -> Spread {
        sample.sort_unstable();
        Spread {
            count: sample.len(),
            median: median(&sample),
            p90: percentile(&sample, 90),
        }
    }
}

/// The median of a sorted sample (mean of the middle two when even).
pub fn median(sorted: &[Duration]) -> Option<Duration> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some(Duration::seconds(
            (sorted[n / 2 - 1].num_seconds() + sorted[n / 2].num_seconds()).div_euclid(2),
        )),
    }
}

/// The nearest-rank `p`th percentile of a sorted sample: the smallest value
/// with at least `p`% of the sample at or below it.
pub fn percentile(sorted: &[Duration], p: usize) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    Some(sorted[rank - 1])
}

/// How often one target was met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetTally {
    /// A target name, or `all`.
    pub target: &'static str,
    pub on_time: usize,
    pub late: usize,
    /// Not met, deadline passed.
    pub missed: usize,
    /// Not met, not due yet: left out of the share.
    pub not_due: usize,
}

impl TargetTally {
    fn new(target: &'static str) -> Self {
        TargetTally {
            target,
            on_time: 0,
            late: 0,
            missed: 0,
            not_due: 0,
        }
    }

    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::OnTime => self.on_time += 1,
            Outcome::Late => self.late += 1,
            Outcome::Missed => self.missed += 1,
            Outcome::DueSoon | Outcome::Pending => self.not_due += 1,
        }
    }

    /// The share met on time of those that were due (`None`: none was).
    pub fn share(&self) -> Option<f64> {
        let due = self.on_time + self.late + self.missed;
        (due > 0).then(|| self.on_time as f64 / due as f64)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub name: String,
    pub count: usize,
}

/// Everything `stats` reports except action items.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub incidents: usize,
    pub by_severity: Vec<Count>,
    pub by_category: Vec<Count>,
    /// From the start of impact to the declaration, where the start is known.
    pub time_to_detect: Spread,
    pub time_to_acknowledge: Spread,
    pub time_to_resolve: Spread,
    /// One tally per target, then `all`. Every status-update instance counts.
    pub targets: Vec<TargetTally>,
}

impl Summary {
    /// The retro tally: retros completed on time among those due.
    pub fn retros(&self) -> &TargetTally {
        &self.targets[Target::ALL.iter().position(|t| *t == Target::Retro).unwrap_or(0)]
    }
}

/// Aggregates `incidents` (with their targets), counting severities in the
/// order of `levels` (unknown ones after them) and categories in their
/// canonical order; zero counts are kept so the shape is stable.
pub fn summarize(incidents: &[(Incident, Targets)], levels: &[String]) -> Summary {
    let mut s = Summarizer::new(levels);
    for (i, targets) in incidents {
        s.add(i, targets);
    }
    s.finish()
}

/// [`summarize`] one incident at a time, so a caller can stream incidents
/// instead of holding them all.
pub struct Summarizer {
    incidents: usize,
    by_severity: Vec<Count>,
    by_category: Vec<Count>,
    detect: Vec<Duration>,
    acknowledge: Vec<Duration>,
    resolve: Vec<Duration>,
    tallies: Vec<TargetTally>,
    all: TargetTally,
    /// The configured levels come first in `by_severity`; the others in the
    /// order of their earliest incident (declared, then number), whatever
    /// order the incidents come in.
    levels: usize,
    first_seen: Vec<(chrono::DateTime<chrono::Utc>, i64)>,
}

impl Summarizer {
    pub fn new(levels: &[String]) -> Summarizer {
        Summarizer {
            incidents: 0,
            by_severity: levels
                .iter()
                .map(|name| Count {
                    name: name.clone(),
                    count: 0,
                })
                .collect(),
            by_category: Category::ALL
                .iter()
                .map(|c| Count {
                    name: c.as_str().into(),
                    count: 0,
                })
                .collect(),
            detect: Vec::new(),
            acknowledge: Vec::new(),
            resolve: Vec::new(),
            tallies: Target::ALL.iter().map(|t| TargetTally::new(t.as_str())).collect(),
            all: TargetTally::new("all"),
            levels: levels.len(),
            first_seen: Vec::new(),
        }
    }

    /// Counts one incident; a canceled or duplicate one is not counted at
    /// all (see [`Status::is_counted`](super::Status::is_counted)). Its
    /// time to detect counts when its start of impact is filled in.
    pub fn add(&mut self, i: &Incident, targets: &Targets) {
        if !i.status.is_counted() {
            return;
        }
        self.incidents += 1;
        match self.by_severity.iter().position(|c| c.name == i.severity) {
            Some(n) => {
                self.by_severity[n].count += 1;
                if n >= self.levels {
                    let seen = &mut self.first_seen[n - self.levels];
                    *seen = (*seen).min((i.declared_at, i.id));
                }
            }
            None => {
                self.by_severity.push(Count {
                    name: i.severity.clone(),
                    count: 1,
                });
                self.first_seen.push((i.declared_at, i.id));
            }
        }
        if let Some(c) = self
            .by_category
            .iter_mut()
            .find(|c| c.name == i.category.as_str())
        {
            c.count += 1;
        }
        if let Some(d) = time_to_detect(i) {
            self.detect.push(d);
        }
        if let Some(at) = targets.current(Target::Acknowledge).and_then(|d| d.met_at) {
            self.acknowledge.push((at - i.declared_at).max(Duration::zero()));
        }
        if let Some(at) = i.resolved_at.filter(|_| !i.status.is_open()) {
            self.resolve.push((at - i.declared_at).max(Duration::zero()));
        }
        for d in &targets.deadlines {
            let slot = Target::ALL.iter().position(|t| *t == d.target).unwrap_or(0);
            self.tallies[slot].add(d.outcome);
            self.all.add(d.outcome);
        }
    }

    /// Adds what [`Settled::of`] kept of closed incidents, one or many of
    /// the same severity and category at once: the same totals as [`add`]
    /// on each of them.
    ///
    /// [`add`]: Summarizer::add
    pub fn add_settled(&mut self, group: &SettledGroup) {
        self.incidents += group.incidents;
        match self.by_severity.iter().position(|c| c.name == group.severity) {
            Some(n) => self.by_severity[n].count += group.incidents,
            // Only configured levels are settled, under a key that names
            // them all; a group of another level is still counted, never
            // dropped.
            None => {
                self.by_severity.push(Count {
                    name: group.severity.clone(),
                    count: group.incidents,
                });
                self.first_seen.push((DateTime::<Utc>::MAX_UTC, i64::MAX));
            }
        }
        if let Some(c) = self.by_category.iter_mut().find(|c| c.name == group.category) {
            c.count += group.incidents;
        }
        self.detect
            .extend(group.detect.iter().map(|s| Duration::seconds(*s)));
        self.acknowledge
            .extend(group.acknowledge.iter().map(|s| Duration::seconds(*s)));
        self.resolve
            .extend(group.resolve.iter().map(|s| Duration::seconds(*s)));
        for (slot, tally) in group.tallies.iter().enumerate() {
            let [on_time, late, missed] = *tally;
            for t in [&mut self.tallies[slot], &mut self.all] {
                t.on_time += on_time;
                t.late += late;
                t.missed += missed;
            }
        }
    }

    pub fn finish(self) -> Summary {
        let mut by_severity = self.by_severity;
        let mut unknown: Vec<_> = by_severity
            .split_off(self.levels)
            .into_iter()
            .zip(self.first_seen)
            .collect();
        unknown.sort_by_key(|(_, seen)| *seen);
        by_severity.extend(unknown.into_iter().map(|(count, _)| count));
        let mut targets = self.tallies;
        targets.push(self.all);
        Summary {
            incidents: self.incidents,
            by_severity,
            by_category: self.by_category,
            time_to_detect: Spread::of(self.detect),
            time_to_acknowledge: Spread::of(self.acknowledge),
            time_to_resolve: Spread::of(self.resolve),
            targets,
        }
    }
}

/// From the start of impact to the declaration: how long the incident went
/// unnoticed. `None` when the start is unknown or the incident is not
/// counted (canceled, duplicate).
pub fn time_to_detect(i: &Incident) -> Option<Duration> {
    let started = i.started_at.filter(|_| i.status.is_counted())?;
    Some((i.declared_at - started).max(Duration::zero()))
}

/// How `stats --by` breaks the figures down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum By {
    /// The calendar month of the declaration, in UTC.
    Month,
    Service,
    Category,
    Severity,
    Tag(String),
}

impl By {
    /// `month`, `service`, `category`, `severity` or `tag:KEY`.
    pub fn parse(text: &str) -> Result<By, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "month" => Ok(By::Month),
            "service" => Ok(By::Service),
            "category" => Ok(By::Category),
            "severity" => Ok(By::Severity),
            other => match other.strip_prefix("tag:") {
                Some(key) => super::plans::parse_tag_key(key).map(By::Tag),
                None => Err(format!(
                    "cannot break down by '{text}'; use month, service, category, severity or tag:KEY (e.g. tag:team)"
                )),
            },
        }
    }

    /// The groups an incident falls in: the month it was declared in
    /// (`YYYY-MM`, UTC), one per service (an incident on two services
    /// counts in both), its category, its severity, or its tag's value;
    /// `(none)` when it has no service or no such tag.
    pub fn groups(&self, i: &Incident) -> Vec<String> {
        const NONE: &str = "(none)";
        match self {
            By::Month => vec![super::trends::month(i.declared_at)],
            By::Severity => vec![i.severity.clone()],
            By::Service if i.services.is_empty() => vec![NONE.into()],
            By::Service => i.services.clone(),
            By::Category => vec![i.category.as_str().into()],
            By::Tag(key) => vec![i.tags.get(key).cloned().unwrap_or_else(|| NONE.into())],
        }
    }
}

/// The configured targets, reduced to a number that changes whenever any
/// level's name or target changes: settled outcomes are only reused under
/// the targets they were computed with.
pub fn targets_key(levels: &[Level]) -> i64 {
    let mut hash = Sha256::new();
    for l in levels {
        let update = l.update.map(|d| d.num_seconds().to_string()).unwrap_or_default();
        hash.update(format!(
            "{}\0{}\0{}\0{}\0{}\0{}\n",
            l.name,
            l.acknowledge.num_seconds(),
            l.triage.num_seconds(),
            update,
            l.remediate.num_seconds(),
            l.retro.num_seconds()
        ));
    }
    let digest = hash.finalize();
    i64::from_be_bytes(digest[..8].try_into().unwrap_or_default())
}

/// How many deadlines of each target were met on time, late or missed, in
/// the order of [`Target::ALL`].
pub type Tallies = [[usize; 3]; 5];

/// What one closed incident adds to `stats`, once nothing about it can
/// change with the clock: its targets are all met or missed for good. Kept
/// in the store so a report over years need not evaluate every incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub id: i64,
    pub declared_at: DateTime<Utc>,
    pub severity: String,
    pub category: Category,
    /// The time to detect, when the start of impact is known.
    pub detect_seconds: Option<i64>,
    pub acknowledge_seconds: Option<i64>,
    pub resolve_seconds: Option<i64>,
    pub tallies: Tallies,
}

impl Settled {
    /// `None` while the incident could still change what it adds: it is not
    /// closed, a target is not due yet, or its level is not configured (an
    /// unknown level orders the report by its earliest incident). Also
    /// `None` for durations that are not whole seconds (imported data),
    /// which the store keeps as integers.
    pub fn of(i: &Incident, targets: &Targets, levels: &[Level]) -> Option<Settled> {
        if i.status != super::Status::Closed || !levels.iter().any(|l| l.name == i.severity) {
            return None;
        }
        let seconds = |d: Duration| (d.subsec_nanos() == 0).then(|| d.num_seconds());
        let detect = match time_to_detect(i) {
            Some(d) => Some(seconds(d)?),
            None => None,
        };
        let acknowledge = match targets.current(Target::Acknowledge).and_then(|d| d.met_at) {
            Some(at) => Some(seconds((at - i.declared_at).max(Duration::zero()))?),
            None => None,
        };
        let resolve = match i.resolved_at {
            Some(at) => Some(seconds((at - i.declared_at).max(Duration::zero()))?),
            None => None,
        };
        let mut tallies = Tallies::default();
        for d in &targets.deadlines {
            let slot = Target::ALL.iter().position(|t| *t == d.target).unwrap_or(0);
            let column = match d.outcome {
                Outcome::OnTime => 0,
                Outcome::Late => 1,
                Outcome::Missed => 2,
                Outcome::DueSoon | Outcome::Pending => return None,
            };
            tallies[slot][column] += 1;
        }
        Some(Settled {
            id: i.id,
            declared_at: i.declared_at,
            severity: i.severity.clone(),
            category: i.category,
            detect_seconds: detect,
            acknowledge_seconds: acknowledge,
            resolve_seconds: resolve,
            tallies,
        })
    }
}

/// Settled incidents of one severity and category, added up: how the store
/// keeps a month of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettledGroup {
    pub severity: String,
    pub category: String,
    pub incidents: usize,
    pub tallies: Tallies,
    /// Every time to detect, to acknowledge and to resolve, in seconds, in
    /// no order. No default for `detect`: a summary stored before it was
    /// kept does not read back (and is added up again from the rows).
    pub detect: Vec<i64>,
    pub acknowledge: Vec<i64>,
    pub resolve: Vec<i64>,
}

impl SettledGroup {
    /// Adds up settled incidents by severity and category, in order of
    /// first appearance.
    pub fn of<'a>(settled: impl IntoIterator<Item = &'a Settled>) -> Vec<SettledGroup> {
        let mut groups: Vec<SettledGroup> = Vec::new();
        for s in settled {
            let category = s.category.as_str();
            let n = match groups
                .iter()
                .position(|g| g.severity == s.severity && g.category == category)
            {
                Some(n) => n,
                None => {
                    groups.push(SettledGroup {
                        severity: s.severity.clone(),
                        category: category.to_string(),
                        incidents: 0,
                        tallies: Tallies::default(),
                        detect: Vec::new(),
                        acknowledge: Vec::new(),
                        resolve: Vec::new(),
                    });
                    groups.len() - 1
                }
            };
            let g = &mut groups[n];
            g.incidents += 1;
            for (slot, row) in s.tallies.iter().enumerate() {
                for (column, n) in row.iter().enumerate() {
                    g.tallies[slot][column] += n;
                }
            }
            g.detect.extend(s.detect_seconds);
            g.acknowledge.extend(s.acknowledge_seconds);
            g.resolve.extend(s.resolve_seconds);
        }
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_to_detect_runs_from_the_start_of_impact_to_the_declaration() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let i = Incident {
            started_at: Some(at("2026-11-23T07:40:00Z")),
            ..Incident::example()
        };
        assert_eq!(time_to_detect(&i), Some(Duration::minutes(20)));
        assert_eq!(time_to_detect(&Incident::example()), None);
        let canceled = Incident {
            status: crate::domain::Status::Canceled,
            ..i.clone()
        };
        assert_eq!(time_to_detect(&canceled), None);
        let mut s = Summarizer::new(&[]);
        s.add(&i, &Targets::default());
        s.add(&Incident::example(), &Targets::default());
        s.add(&canceled, &Targets::default());
        assert_eq!(s.finish().time_to_detect.count, 1);
    }

    #[test]
    fn breakdowns_by_service_category_and_tag() {
        assert_eq!(By::parse("Service"), Ok(By::Service));
        assert_eq!(By::parse("tag:Team"), Ok(By::Tag("team".into())));
        assert!(By::parse("tag:").is_err());
        assert!(By::parse("owner").unwrap_err().contains("tag:KEY"));
        let i = Incident {
            services: vec!["api".into(), "db".into()],
            tags: [("team".to_string(), "core".to_string())].into(),
            ..Incident::example()
        };
        assert_eq!(By::Service.groups(&i), ["api", "db"]);
        assert_eq!(By::Service.groups(&Incident::example()), ["(none)"]);
        assert_eq!(By::Category.groups(&i), ["availability"]);
        assert_eq!(By::Tag("team".into()).groups(&i), ["core"]);
        assert_eq!(By::Tag("tier".into()).groups(&i), ["(none)"]);
        assert_eq!(By::parse(" MONTH "), Ok(By::Month));
        assert_eq!(By::parse("severity"), Ok(By::Severity));
        assert_eq!(By::Month.groups(&i), ["2026-11"]);
        assert_eq!(By::Severity.groups(&i), ["SEV1"]);
    }

    fn mins(v: &[i64]) -> Vec<Duration> {
        v.iter().map(|m| Duration::minutes(*m)).collect()
    }

    #[test]
    fn median_is_the_middle_or_the_mean_of_the_middle_two() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&mins(&[7])), Some(Duration::minutes(7)));
        assert_eq!(median(&mins(&[1, 5, 60])), Some(Duration::minutes(5)));
        assert_eq!(median(&mins(&[10, 20, 30, 120])), Some(Duration::minutes(25)));
        // Rounded down to the second.
        let odd = [Duration::seconds(1), Duration::seconds(2)];
        assert_eq!(median(&odd), Some(Duration::seconds(1)));
    }

    #[test]
    fn p90_is_the_nearest_rank() {
        assert_eq!(percentile(&[], 90), None);
        // n = 1..=9: rank ⌈0.9 n⌉ is n itself → the largest value.
        for n in 1..=9 {
            let sample = mins(&(1..=n).collect::<Vec<_>>());
            assert_eq!(percentile(&sample, 90), Some(Duration::minutes(n)), "n = {n}");
        }
        // n = 10: rank 9, the second largest.
        let sample = mins(&(1..=10).collect::<Vec<_>>());
        assert_eq!(percentile(&sample, 90), Some(Duration::minutes(9)));
        // n = 11: rank ⌈9.9⌉ = 10 → the 10th smallest.
        let sample = mins(&(1..=11).collect::<Vec<_>>());
        assert_eq!(percentile(&sample, 90), Some(Duration::minutes(10)));
        // n = 20: rank 18.
        let sample = mins(&(1..=20).collect::<Vec<_>>());
        assert_eq!(percentile(&sample, 90), Some(Duration::minutes(18)));
        assert_eq!(percentile(&sample, 50), Some(Duration::minutes(10)));
    }

    #[test]
    fn spread_sorts_its_sample() {
        let s = Spread::of(mins(&[30, 10, 20]));
        assert_eq!(
            s,
            Spread {
                count: 3,
                median: Some(Duration::minutes(20)),
                p90: Some(Duration::minutes(30))
            }
        );
        assert_eq!(
            serde_json::to_value(s).unwrap(),
            serde_json::json!({"count": 3, "median_seconds": 1200, "p90_seconds": 1800})
        );
    }

    #[test]
    fn tallies_leave_what_is_not_due_out_of_the_share() {
        let mut t = TargetTally::new("update");
        assert_eq!(t.share(), None);
        for o in [
            Outcome::OnTime,
            Outcome::OnTime,
            Outcome::Late,
            Outcome::Missed,
            Outcome::Pending,
        ] {
            t.add(o);
        }
        assert_eq!((t.on_time, t.late, t.missed, t.not_due), (2, 1, 1, 1));
        assert_eq!(t.share(), Some(0.5));
    }

    #[test]
    fn unknown_levels_follow_the_configured_ones_by_earliest_incident_in_any_order() {
        let levels = vec!["SEV1".to_string(), "SEV2".to_string()];
        let incident = |id: i64, severity: &str, hour: u32| Incident {
            id,
            severity: severity.into(),
            declared_at: format!("2026-11-23T{hour:02}:00:00Z").parse().unwrap(),
            ..Incident::example()
        };
        let list = [
            incident(1, "P2", 9),
            incident(2, "SEV2", 8),
            incident(3, "P1", 10),
            incident(4, "P1", 7),
            incident(5, "P2", 11),
        ];
        let names = |order: &[usize]| {
            let mut s = Summarizer::new(&levels);
            for n in order {
                s.add(&list[*n], &Targets::default());
            }
            s.finish()
                .by_severity
                .iter()
                .map(|c| format!("{} {}", c.name, c.count))
                .collect::<Vec<_>>()
        };
        let want = ["SEV1 0", "SEV2 1", "P1 2", "P2 2"];
        assert_eq!(names(&[0, 1, 2, 3, 4]), want);
        assert_eq!(names(&[4, 3, 2, 1, 0]), want);
    }

    /// A closed incident declared at `hour` and resolved 2h later, with
    /// the given deadlines (target, outcome); the odd-numbered ones with a
    /// start of impact `id` × 4 minutes before.
    fn closed(
        id: i64,
        severity: &str,
        category: Category,
        hour: u32,
        outcomes: &[(Target, Outcome)],
    ) -> (Incident, Targets) {
        let declared: DateTime<Utc> = format!("2026-11-{:02}T{:02}:00:00Z", 1 + id % 28, hour)
            .parse()
            .unwrap();
        let incident = Incident {
            id,
            status: super::super::Status::Closed,
            severity: severity.into(),
            category,
            declared_at: declared,
            resolved_at: Some(declared + Duration::hours(2)),
            closed_at: Some(declared + Duration::days(1)),
            started_at: (id % 2 == 1).then(|| declared - Duration::minutes(id * 4)),
            ..Incident::example()
        };
        let deadlines = outcomes
            .iter()
            .map(|(target, outcome)| super::super::targets::Deadline {
                target: *target,
                due: declared + Duration::minutes(30),
                met_at: outcome
                    .is_met()
                    .then(|| declared + Duration::minutes(id * 7 % 50)),
                outcome: *outcome,
                severity: severity.into(),
                current: true,
            })
            .collect();
        (
            incident,
            Targets {
                deadlines,
                last_update: None,
            },
        )
    }

    #[test]
    fn settled_incidents_add_up_to_what_evaluating_them_adds() {
        use Outcome::*;
        use Target::*;
        let levels = Level::defaults();
        let names: Vec<String> = levels.iter().map(|l| l.name.clone()).collect();
        let incidents = [
            closed(
                1,
                "SEV1",
                Category::Availability,
                8,
                &[
                    (Acknowledge, OnTime),
                    (Triage, Missed),
                    (Update, OnTime),
                    (Update, Late),
                    (Update, Missed),
                    (Remediate, OnTime),
                    (Retro, OnTime),
                ],
            ),
            closed(
                2,
                "SEV2",
                Category::Data,
                9,
                &[
                    (Acknowledge, Late),
                    (Triage, OnTime),
                    (Remediate, Late),
                    (Retro, Missed),
                ],
            ),
            closed(
                3,
                "SEV1",
                Category::Availability,
                10,
                &[(Acknowledge, Missed), (Remediate, OnTime)],
            ),
            closed(
                4,
                "SEV3",
                Category::Other,
                11,
                &[(Acknowledge, OnTime), (Update, OnTime)],
            ),
            closed(5, "SEV2", Category::Data, 12, &[]),
        ];
        let mut evaluated = Summarizer::new(&names);
        for (i, t) in &incidents {
            evaluated.add(i, t);
        }
        let settled: Vec<Settled> = incidents
            .iter()
            .map(|(i, t)| Settled::of(i, t, &levels).expect("closed and final"))
            .collect();
        // Added up in two "months", in any order.
        let mut from_store = Summarizer::new(&names);
        for group in SettledGroup::of(&settled[3..])
            .iter()
            .chain(&SettledGroup::of(&settled[..3]))
        {
            from_store.add_settled(group);
        }
        let (a, b) = (evaluated.finish(), from_store.finish());
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            serde_json::to_value(&b).unwrap()
        );
        assert_eq!(b.incidents, 5);
        assert_eq!(b.time_to_acknowledge.count, 3, "the met ones: {b:?}");
        // INC-1, 3 and 5 know their start: 4, 12 and 20 minutes.
        assert_eq!(b.time_to_detect.count, 3, "{b:?}");
        assert_eq!(b.time_to_detect.median, Some(Duration::minutes(12)));
        assert_eq!(settled[0].detect_seconds, Some(240));
        assert_eq!(settled[1].detect_seconds, None);
        let update = &b.targets[2];
        assert_eq!((update.on_time, update.late, update.missed), (2, 1, 1));
    }

    #[test]
    fn only_what_the_clock_can_no_longer_change_is_settled() {
        let levels = Level::defaults();
        let (i, t) = closed(
            1,
            "SEV1",
            Category::Data,
            8,
            &[(Target::Acknowledge, Outcome::OnTime)],
        );
        assert!(Settled::of(&i, &t, &levels).is_some());
        // Resolved, not closed: the retro target is still running.
        let resolved = Incident {
            status: super::super::Status::Resolved,
            ..i.clone()
        };
        assert_eq!(Settled::of(&resolved, &t, &levels), None);
        // A deadline not yet due.
        let (_, pending) = closed(
            1,
            "SEV1",
            Category::Data,
            8,
            &[(Target::Triage, Outcome::Pending)],
        );
        assert_eq!(Settled::of(&i, &pending, &levels), None);
        // A level the configuration does not have.
        let unknown = Incident {
            severity: "P1".into(),
            ..i.clone()
        };
        assert_eq!(Settled::of(&unknown, &t, &levels), None);
        // A resolution time with a fraction of a second (imported).
        let odd = Incident {
            resolved_at: i.resolved_at.map(|t| t + Duration::milliseconds(500)),
            ..i.clone()
        };
        assert_eq!(Settled::of(&odd, &t, &levels), None);
        // So is a start of impact with one.
        let odd = Incident {
            started_at: i.started_at.map(|t| t - Duration::milliseconds(250)),
            ..i.clone()
        };
        assert_eq!(Settled::of(&odd, &t, &levels), None);
        // A start after the declaration counts as detected at once.
        let late = Incident {
            started_at: Some(i.declared_at + Duration::minutes(5)),
            ..i.clone()
        };
        assert_eq!(
            Settled::of(&late, &t, &levels).map(|s| s.detect_seconds),
            Some(Some(0))
        );
    }

    #[test]
    fn the_targets_key_changes_with_any_target_and_only_then() {
        let levels = Level::defaults();
        let key = targets_key(&levels);
        assert_eq!(key, targets_key(&Level::defaults()));
        let mut described = levels.clone();
        described[0].description = "reworded".into();
        assert_eq!(targets_key(&described), key, "descriptions do not count");
        let changes: [fn(&mut Level); 6] = [
            |l| l.name = "P1".into(),
            |l| l.acknowledge = Duration::minutes(31),
            |l| l.triage = Duration::minutes(61),
            |l| l.update = None,
            |l| l.remediate = Duration::hours(25),
            |l| l.retro = Duration::hours(37),
        ];
        for change in changes {
            let mut changed = levels.clone();
            change(&mut changed[0]);
            assert_ne!(targets_key(&changed), key, "{:?}", changed[0]);
        }
        assert_ne!(targets_key(&levels[..2]), key, "a level removed");
    }
}
