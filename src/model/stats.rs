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
use chrono::Duration;
use serde::Serialize;

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
        sample.sort();
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
            acknowledge: Vec::new(),
            resolve: Vec::new(),
            tallies: Target::ALL.iter().map(|t| TargetTally::new(t.as_str())).collect(),
            all: TargetTally::new("all"),
            levels: levels.len(),
            first_seen: Vec::new(),
        }
    }

    pub fn add(&mut self, i: &Incident, targets: &Targets) {
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
            time_to_acknowledge: Spread::of(self.acknowledge),
            time_to_resolve: Spread::of(self.resolve),
            targets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
