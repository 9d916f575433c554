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
    let mut by_severity: Vec<Count> = levels
        .iter()
        .map(|name| Count {
            name: name.clone(),
            count: 0,
        })
        .collect();
    let mut by_category: Vec<Count> = Category::ALL
        .iter()
        .map(|c| Count {
            name: c.as_str().into(),
            count: 0,
        })
        .collect();
    let mut acknowledge = Vec::new();
    let mut resolve = Vec::new();
    let mut tallies: Vec<TargetTally> = Target::ALL.iter().map(|t| TargetTally::new(t.as_str())).collect();
    let mut all = TargetTally::new("all");
    for (i, targets) in incidents {
        match by_severity.iter_mut().find(|c| c.name == i.severity) {
            Some(c) => c.count += 1,
            None => by_severity.push(Count {
                name: i.severity.clone(),
                count: 1,
            }),
        }
        if let Some(c) = by_category.iter_mut().find(|c| c.name == i.category.as_str()) {
            c.count += 1;
        }
        if let Some(at) = targets.current(Target::Acknowledge).and_then(|d| d.met_at) {
            acknowledge.push((at - i.declared_at).max(Duration::zero()));
        }
        if let Some(at) = i.resolved_at.filter(|_| !i.status.is_open()) {
            resolve.push((at - i.declared_at).max(Duration::zero()));
        }
        for d in &targets.deadlines {
            let slot = Target::ALL.iter().position(|t| *t == d.target).unwrap_or(0);
            tallies[slot].add(d.outcome);
            all.add(d.outcome);
        }
    }
    tallies.push(all);
    Summary {
        incidents: incidents.len(),
        by_severity,
        by_category,
        time_to_acknowledge: Spread::of(acknowledge),
        time_to_resolve: Spread::of(resolve),
        targets: tallies,
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
}
