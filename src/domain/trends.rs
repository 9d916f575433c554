//! Trends (`incident stats`): the change failure rate and repeated
//! incidents, as pure rules over incidents, changes and alert identities,
//! so every number is unit-tested. docs/history.md writes the definitions
//! out; this is them.

use super::Brief;
use super::alerts::AlertSource;
use super::plans::ChangeRecord;
use super::words::{SIMILAR, Words};
use chrono::{DateTime, Datelike, Duration, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// How long after a change an incident on its service counts against it,
/// unless `--change-window` says otherwise.
pub const CHANGE_WINDOW: &str = "24h";

/// How far back a repeated incident looks for the one it repeats.
pub fn repeat_within() -> Duration {
    Duration::days(30)
}

/// The calendar month (`YYYY-MM`) of a time, in UTC: the same month for
/// everyone who reads the report, whatever their time zone, and the months
/// the stats cache keeps.
pub fn month(t: DateTime<Utc>) -> String {
    format!("{:04}-{:02}", t.year(), t.month())
}

/// What the trends need of an incident: little, so a period of many
/// incidents is held in memory cheaply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub id: i64,
    pub declared_at: DateTime<Utc>,
    pub services: Vec<String>,
    pub title: String,
}

impl Occurrence {
    /// `None` for an incident that is neither a failure nor a repeat: a
    /// drill, or one canceled or folded into another as a duplicate (as
    /// everywhere in `stats`).
    pub fn of(i: &Brief) -> Option<Occurrence> {
        (!i.drill && i.status.is_counted()).then(|| Occurrence {
            id: i.id,
            declared_at: i.declared_at,
            services: i.services.clone(),
            title: i.title.clone(),
        })
    }
}

/// One change, and the incidents that followed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeOutcome {
    pub change: ChangeRecord,
    /// The numbers of the incidents attributed to it, in order of
    /// declaration; empty when it did not fail.
    pub incidents: Vec<i64>,
}

/// The change failure rate over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeFailures {
    /// Changes on at least one service: the denominator.
    pub changes: usize,
    /// Of those, the ones followed by an incident.
    pub failed: usize,
    /// Changes that name no service (an old or imported record): neither
    /// failed nor not, so left out of the rate.
    pub without_service: usize,
    /// Every change of the period on a service, oldest first.
    pub list: Vec<ChangeOutcome>,
}

impl ChangeFailures {
    /// `failed / changes` (`None`: no change).
    pub fn rate(&self) -> Option<f64> {
        (self.changes > 0).then(|| self.failed as f64 / self.changes as f64)
    }
}

/// Which changes failed: a change fails when an incident on one of its
/// services was *declared* after it, within `window` (`change.at <
/// declared_at <= change.at + window`). Drills, canceled and duplicate
/// incidents never count. One incident following two changes on its
/// service counts against both: each was followed by a failure, and which
/// of them caused it is the retro's question, not the count's.
pub fn change_failures(
    changes: &[ChangeRecord],
    incidents: &[Occurrence],
    window: Duration,
) -> ChangeFailures {
    // By service, in order of declaration: each change looks at the few
    // incidents on its services, not at all of them.
    let mut by_service: HashMap<&str, Vec<&Occurrence>> = HashMap::new();
    for i in incidents {
        for s in &i.services {
            by_service.entry(s.as_str()).or_default().push(i);
        }
    }
    for list in by_service.values_mut() {
        list.sort_by_key(|i| (i.declared_at, i.id));
    }
    let mut out = ChangeFailures {
        changes: 0,
        failed: 0,
        without_service: 0,
        list: Vec::new(),
    };
    let mut changes: Vec<&ChangeRecord> = changes.iter().collect();
    changes.sort_by_key(|c| (c.at, c.id));
    for c in changes {
        if c.services.is_empty() {
            out.without_service += 1;
            continue;
        }
        let until =
            c.at.checked_add_signed(window)
                .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let mut followed: Vec<&Occurrence> = Vec::new();
        for s in &c.services {
            let Some(list) = by_service.get(s.as_str()) else {
                continue;
            };
            let from = list.partition_point(|i| i.declared_at <= c.at);
            followed.extend(list[from..].iter().take_while(|i| i.declared_at <= until));
        }
        followed.sort_by_key(|i| (i.declared_at, i.id));
        followed.dedup_by_key(|i| i.id);
        out.changes += 1;
        if !followed.is_empty() {
            out.failed += 1;
        }
        out.list.push(ChangeOutcome {
            change: c.clone(),
            incidents: followed.iter().map(|i| i.id).collect(),
        });
    }
    out
}

/// Why a later incident repeats an earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Because {
    /// The same alert (source and identity) belonged to both.
    SameAlert { source: AlertSource, identity: String },
    /// Both are on this service and their titles are similar
    /// ([`super::words`]).
    SimilarTitle { service: String },
}

/// A repeated incident: `later` repeats `earlier`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repeat {
    pub earlier: i64,
    pub later: i64,
    pub because: Because,
}

/// The repeated incidents among `incidents`: an incident declared at or
/// after `since` repeats the most recent earlier incident declared at most
/// [`repeat_within`] before it that had the same alert (`alerts`: the
/// alert identities that belonged to each incident, by number) or shares
/// a service and has a similar title. Each later incident is counted once,
/// against that one earlier incident (a chain A, B, C is two repeats:
/// B of A and C of B), so the count is of incidents, not of pairs. The
/// earlier one may be declared before `since`. Drills, canceled and
/// duplicate incidents neither repeat nor are repeated. In order of the
/// later incident's declaration. (Drills and the rest are left out by
/// [`Occurrence::of`].)
pub fn repeats(
    incidents: &[Occurrence],
    alerts: &HashMap<i64, Vec<(AlertSource, String)>>,
    since: DateTime<Utc>,
) -> Vec<Repeat> {
    let within = repeat_within();
    let mut list: Vec<&Occurrence> = incidents.iter().collect();
    list.sort_by_key(|i| (i.declared_at, i.id));
    let words: Vec<Words> = list.iter().map(|i| Words::of(&i.title)).collect();
    // The positions (in `list`) of the incidents of each service and of
    // each alert, in order: an incident looks back only along its own.
    let mut by_service: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_alert: HashMap<(AlertSource, &str), Vec<usize>> = HashMap::new();
    let none = Vec::new();
    for (n, i) in list.iter().enumerate() {
        for s in &i.services {
            let v = by_service.entry(s.as_str()).or_default();
            if v.last() != Some(&n) {
                v.push(n);
            }
        }
        for (source, identity) in alerts.get(&i.id).unwrap_or(&none) {
            let v = by_alert.entry((*source, identity.as_str())).or_default();
            if v.last() != Some(&n) {
                v.push(n);
            }
        }
    }
    let mut found = Vec::new();
    for (n, later) in list.iter().enumerate() {
        if later.declared_at < since {
            continue;
        }
        let from = later
            .declared_at
            .checked_sub_signed(within)
            .unwrap_or(later.declared_at);
        // The best candidate so far: (its position, why); a later position
        // is a more recent incident.
        let mut best: Option<(usize, Because)> = None;
        let consider = |m: usize, because: Because, best: &mut Option<(usize, Because)>| {
            // On the same incident, the alert is the stronger evidence.
            let better = match best {
                None => true,
                Some((b, Because::SimilarTitle { .. })) => {
                    m > *b || (m == *b && matches!(because, Because::SameAlert { .. }))
                }
                Some((b, Because::SameAlert { .. })) => m > *b,
            };
            if better {
                *best = Some((m, because));
            }
        };
        for (source, identity) in alerts.get(&later.id).unwrap_or(&none) {
            let Some(positions) = by_alert.get(&(*source, identity.as_str())) else {
                continue;
            };
            let at = positions.partition_point(|p| *p < n);
            if let Some(&m) = positions[..at].last()
                && list[m].declared_at >= from
            {
                let because = Because::SameAlert {
                    source: *source,
                    identity: identity.clone(),
                };
                consider(m, because, &mut best);
            }
        }
        for s in &later.services {
            let Some(positions) = by_service.get(s.as_str()) else {
                continue;
            };
            let at = positions.partition_point(|p| *p < n);
            let earlier = positions[..at]
                .iter()
                .rev()
                .take_while(|m| best.as_ref().is_none_or(|(b, _)| **m > *b))
                .take_while(|m| list[**m].declared_at >= from)
                .find(|m| words[**m].similarity(&words[n]) >= SIMILAR);
            if let Some(&m) = earlier {
                consider(m, Because::SimilarTitle { service: s.clone() }, &mut best);
            }
        }
        if let Some((m, because)) = best {
            found.push(Repeat {
                earlier: list[m].id,
                later: later.id,
                because,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plans::ChangeKind;
    use crate::domain::{Incident, Status};

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn incident(id: i64, at: &str, services: &[&str], title: &str) -> Incident {
        Incident {
            id,
            title: title.into(),
            declared_at: t(at),
            services: services.iter().map(|s| s.to_string()).collect(),
            ..Incident::example()
        }
    }

    fn change(id: i64, at: &str, services: &[&str]) -> ChangeRecord {
        ChangeRecord {
            id,
            at: t(at),
            title: format!("deploy {id}"),
            kind: ChangeKind::Deploy,
            services: services.iter().map(|s| s.to_string()).collect(),
            link: None,
            author: "ci".into(),
        }
    }

    fn occurrences(incidents: &[Incident]) -> Vec<Occurrence> {
        incidents
            .iter()
            .filter_map(|i| Occurrence::of(&Brief::of(i)))
            .collect()
    }

    #[test]
    fn months_are_calendar_months_in_utc() {
        assert_eq!(month(t("2026-11-30T23:59:59Z")), "2026-11");
        assert_eq!(month(t("2026-12-01T00:00:00Z")), "2026-12");
        // 23:30 on 31 December in New York is already January in UTC.
        assert_eq!(month(t("2027-01-01T04:30:00Z")), "2027-01");
    }

    #[test]
    fn a_change_fails_when_an_incident_on_its_service_is_declared_within_the_window_after_it() {
        let changes = [
            change(1, "2026-11-01T10:00:00Z", &["api"]),
            change(2, "2026-11-05T10:00:00Z", &["db"]),
            change(3, "2026-11-08T10:00:00Z", &["api", "web"]),
            change(4, "2026-11-10T10:00:00Z", &[]),
            change(5, "2026-11-12T10:00:00Z", &["api"]),
            change(6, "2026-11-12T11:00:00Z", &["api"]),
        ];
        let drill = Incident {
            drill: true,
            ..incident(9, "2026-11-01T11:00:00Z", &["api"], "drill")
        };
        let canceled = Incident {
            status: Status::Canceled,
            ..incident(10, "2026-11-05T11:00:00Z", &["db"], "false alarm")
        };
        let incidents = [
            drill,
            canceled,
            // 25h after change 2: outside the window.
            incident(11, "2026-11-06T11:00:00Z", &["db"], "db slow"),
            // Before change 3: not after it.
            incident(12, "2026-11-08T09:59:59Z", &["web"], "web down"),
            // Exactly 24h after change 3, on its second service.
            incident(13, "2026-11-09T10:00:00Z", &["web"], "web down again"),
            // Another service's, right after change 1.
            incident(14, "2026-11-01T10:30:00Z", &["search"], "search slow"),
            // After changes 5 and 6 both: counts against each.
            incident(15, "2026-11-12T12:00:00Z", &["api", "web"], "api errors"),
            // At the very time of change 1: not after it.
            incident(16, "2026-11-01T10:00:00Z", &["api"], "api errors"),
        ];
        let incidents = occurrences(&incidents);
        let f = change_failures(&changes, &incidents, Duration::hours(24));
        let got: Vec<(i64, Vec<i64>)> = f
            .list
            .iter()
            .map(|o| (o.change.id, o.incidents.clone()))
            .collect();
        assert_eq!(
            got,
            [
                (1, vec![]),
                (2, vec![]),
                (3, vec![13]),
                (5, vec![15]),
                (6, vec![15])
            ]
        );
        assert_eq!((f.changes, f.failed, f.without_service), (5, 3, 1));
        assert_eq!(f.rate(), Some(0.6));
        // A shorter window: 13 is out.
        let f = change_failures(&changes, &incidents, Duration::hours(2));
        assert_eq!(f.failed, 2);
        assert_eq!(change_failures(&[], &incidents, Duration::hours(24)).rate(), None);
    }

    #[test]
    fn repeats_are_similar_titles_on_a_service_or_the_same_alert_within_30_days() {
        let incidents = [
            incident(1, "2026-09-20T08:00:00Z", &["checkout"], "Checkout returns 500s"),
            // Before `since`, within 30 days of 1: a repeat, not counted.
            incident(
                2,
                "2026-09-25T08:00:00Z",
                &["checkout"],
                "Checkout returning 500 errors",
            ),
            // Repeats 2 (the most recent), not 1.
            incident(3, "2026-10-10T08:00:00Z", &["checkout"], "checkout 500s"),
            // Similar title, other service: not a repeat.
            incident(4, "2026-10-11T08:00:00Z", &["search"], "Checkout returns 500s"),
            // Same service, different subject.
            incident(
                5,
                "2026-10-12T08:00:00Z",
                &["checkout"],
                "Payments provider timeouts",
            ),
            // 30 days and a second after 3: out.
            incident(6, "2026-11-09T08:00:01Z", &["checkout"], "Checkout returns 500s"),
            // The same alert as 5, on no service.
            incident(7, "2026-10-20T08:00:00Z", &[], "Something odd"),
            // A drill like 6, within 30 days: not counted either way.
            Incident {
                drill: true,
                ..incident(8, "2026-11-10T08:00:00Z", &["checkout"], "Checkout returns 500s")
            },
            // A canceled one is not repeated.
            Incident {
                status: Status::Canceled,
                ..incident(9, "2026-11-11T08:00:00Z", &["search"], "Checkout returns 500")
            },
            // Exactly 30 days after 4.
            incident(10, "2026-11-10T08:00:00Z", &["search"], "checkout returned 500"),
        ];
        let alert = (AlertSource::Alertmanager, "HighLatency/eu".to_string());
        let alerts: HashMap<i64, Vec<(AlertSource, String)>> =
            [(5, vec![alert.clone()]), (7, vec![alert.clone()])].into();
        let incidents = occurrences(&incidents);
        let got: Vec<(i64, i64, Because)> = repeats(&incidents, &alerts, t("2026-10-01T00:00:00Z"))
            .into_iter()
            .map(|r| (r.earlier, r.later, r.because))
            .collect();
        let title = |s: &str| Because::SimilarTitle { service: s.into() };
        assert_eq!(
            got,
            [
                (2, 3, title("checkout")),
                (
                    5,
                    7,
                    Because::SameAlert {
                        source: alert.0,
                        identity: alert.1.clone()
                    }
                ),
                (4, 10, title("search")),
            ]
        );
        // From the start of time, 2 repeats 1 too.
        assert_eq!(repeats(&incidents, &alerts, DateTime::<Utc>::MIN_UTC).len(), 4);
    }

    #[test]
    fn the_most_recent_earlier_incident_wins_and_on_the_same_one_the_alert_does() {
        let incidents = [
            incident(1, "2026-10-01T08:00:00Z", &["api"], "API errors"),
            incident(2, "2026-10-02T08:00:00Z", &["db"], "Disk full"),
            incident(3, "2026-10-03T08:00:00Z", &["api", "db"], "API errors, disk full"),
        ];
        let alert = (AlertSource::Alertmanager, "DiskFull".to_string());
        let alerts: HashMap<i64, Vec<(AlertSource, String)>> =
            [(1, vec![alert.clone()]), (3, vec![alert.clone()])].into();
        // 3 is similar to 1 on api (and shares 1's alert) and to 2 on db:
        // 2 is more recent.
        let incidents = occurrences(&incidents);
        let r = repeats(&incidents, &alerts, DateTime::<Utc>::MIN_UTC);
        assert_eq!(r.last().map(|r| (r.earlier, r.later)), Some((2, 3)));
        // Without 2, 1 is found by title and by alert: the alert says why.
        let r = repeats(
            &[incidents[0].clone(), incidents[2].clone()],
            &alerts,
            DateTime::<Utc>::MIN_UTC,
        );
        assert!(matches!(r[0].because, Because::SameAlert { .. }), "{r:?}");
    }
}
