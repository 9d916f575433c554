//! Similar incidents ("we saw this before") and the duplicate check on
//! opening one, written once: `show`, `declare`, `incident similar`, the
//! postmortem and the alert path all ask here, so they never disagree
//! about which past incident is like this one, or which open incident a
//! new one would repeat.
//!
//! Text similarity is [`super::words`]' measure and threshold; this module
//! only decides what counts and in which order.

use super::alerts::AlertSource;
use super::words::{SIMILAR, Words, similar};
use super::{Brief, Incident, Status};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::cmp::Ordering;

/// An alert by what makes it the same alert: its sender and identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct AlertKey {
    pub source: AlertSource,
    pub identity: String,
}

/// A past incident to compare with, and the alerts that were tied to it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub incident: Brief,
    pub alerts: Vec<AlertKey>,
}

/// Why a past incident is like this one, strongest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// The same alert (sender and identity) was tied to both.
    SameAlert { alerts: Vec<AlertKey> },
    /// Both name these services.
    SameService { services: Vec<String> },
    /// Their titles (or titles and summaries) share these words, `score`
    /// being the Dice coefficient of [`super::words`].
    SharedWords { words: Vec<String>, score: f64 },
}

/// One similar past incident and why, in the ranked list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    pub id: i64,
    #[serde(with = "super::event::stamp")]
    pub declared_at: DateTime<Utc>,
    /// In the order [`Reason`] lists them; never empty.
    pub reasons: Vec<Reason>,
    /// The text similarity, 0 to 1 (0 when only an alert matched).
    pub score: f64,
}

impl Match {
    /// 0: the same alert; 1: the same service (and similar words); 2:
    /// similar words alone.
    fn tier(&self) -> u8 {
        match self.reasons.first() {
            Some(Reason::SameAlert { .. }) => 0,
            Some(Reason::SameService { .. }) => 1,
            _ => 2,
        }
    }
}

/// The past incidents among `candidates` that are like `of` (whose own
/// alerts are `alerts`), most alike first.
///
/// Past: declared before it (the same time: numbered before it). Not
/// counted: canceled incidents and duplicates (never real, or told by
/// their primary), and drills unless `of` is one.
///
/// Alike, in this order: the same alert was tied to both; they share a
/// service and their words are [`SIMILAR`] or more; their words alone are
/// more than [`SIMILAR`] (a shared service tips a borderline pair, "Search
/// is slow" and "Checkout is slow", and only it). Words are the title's,
/// or the title's and summary's together, whichever is more alike. Within
/// each, the more alike words first, then the newer incident.
pub fn rank(of: &Incident, alerts: &[AlertKey], candidates: &[Candidate]) -> Vec<Match> {
    let of = Brief::of(of);
    let words = Texts::of(&of);
    let mut found: Vec<Match> = candidates
        .iter()
        .filter_map(|c| {
            let mut m = compare(&of, &words, alerts, c)?;
            name_words(&words, &mut m, &c.incident);
            Some(m)
        })
        .collect();
    order(&mut found);
    found
}

/// The words of an incident being compared: its title's, and its title's
/// and summary's together. Made once for the many comparisons with it.
#[derive(Debug, Clone)]
pub struct Texts {
    title: Words,
    /// The title's and summary's; `None` without a summary (the title's).
    full: Option<Words>,
}

impl Texts {
    pub fn of(i: &Brief) -> Texts {
        let title = Words::of(&i.title);
        let full = i.summary.as_ref().map(|s| title.and(Words::of(s)));
        Texts { title, full }
    }

    fn full(&self) -> &Words {
        self.full.as_ref().unwrap_or(&self.title)
    }
}

/// How `candidate` is like `of` (`words`: [`Texts::of`] it), if it is a
/// past incident like it at all ([`rank`] says when).
pub fn compare(of: &Brief, words: &Texts, alerts: &[AlertKey], candidate: &Candidate) -> Option<Match> {
    let i = &candidate.incident;
    if !is_past(i, of) {
        return None;
    }
    let mut reasons = Vec::new();
    let mut shared_alerts: Vec<AlertKey> = candidate
        .alerts
        .iter()
        .filter(|a| alerts.contains(a))
        .cloned()
        .collect();
    shared_alerts.sort();
    shared_alerts.dedup();
    let same_alert = !shared_alerts.is_empty();
    if same_alert {
        reasons.push(Reason::SameAlert {
            alerts: shared_alerts,
        });
    }
    let services: Vec<String> = i
        .services
        .iter()
        .filter(|s| of.services.contains(s))
        .cloned()
        .collect();
    let theirs = Texts::of(i);
    let (score, _, _) = measured(words, &theirs);
    let worded = match services.is_empty() {
        true => score > SIMILAR,
        false => score >= SIMILAR,
    };
    if !same_alert && !worded {
        return None;
    }
    if !services.is_empty() {
        reasons.push(Reason::SameService { services });
    }
    if worded {
        // The words themselves are named for the few matches kept
        // ([`name_words`]): a common word can make hundreds match.
        reasons.push(Reason::SharedWords {
            words: Vec::new(),
            score,
        });
    }
    Some(Match {
        id: i.id,
        declared_at: i.declared_at,
        reasons,
        score: if worded { score } else { 0.0 },
    })
}

/// Most alike first: the same alert, then the same service, then words
/// alone; within each the more alike words, then the newer incident.
pub fn order(matches: &mut [Match]) {
    matches.sort_by(|a, b| {
        a.tier()
            .cmp(&b.tier())
            .then(b.score.total_cmp(&a.score))
            .then((b.declared_at, b.id).cmp(&(a.declared_at, a.id)))
    });
}

/// Whether `candidate` counts as a past incident of `of`.
fn is_past(candidate: &Brief, of: &Brief) -> bool {
    let earlier = match candidate.declared_at.cmp(&of.declared_at) {
        Ordering::Less => true,
        Ordering::Equal => candidate.id < of.id,
        Ordering::Greater => false,
    };
    earlier
        && candidate.id != of.id
        && !matches!(candidate.status, Status::Canceled | Status::Duplicate)
        && (of.drill || !candidate.drill)
}

/// How alike the two texts' words are, and the two sets that says it of:
/// the titles', or the whole texts' when those are more alike.
fn measured<'a>(mine: &'a Texts, theirs: &'a Texts) -> (f64, &'a Words, &'a Words) {
    let by_title = mine.title.similarity(&theirs.title);
    // Neither has a summary: the whole texts are the titles.
    let by_text = match (&mine.full, &theirs.full) {
        (None, None) => by_title,
        _ => mine.full().similarity(theirs.full()),
    };
    match by_text > by_title {
        true => (by_text, mine.full(), theirs.full()),
        false => (by_title, &mine.title, &theirs.title),
    }
}

/// Names the words `m` (a [`compare`] of `candidate` with the incident
/// whose words are `words`) shares, in its [`Reason::SharedWords`].
pub fn name_words(words: &Texts, m: &mut Match, candidate: &Brief) {
    for reason in &mut m.reasons {
        if let Reason::SharedWords { words: named, .. } = reason {
            let theirs = Texts::of(candidate);
            let (_, mine, their) = measured(words, &theirs);
            *named = mine.shared(their).into_iter().map(String::from).collect();
        }
    }
}

/// The open incident that a new one (`draft`) would repeat, if any: open,
/// on a service the draft names too, titled alike ([`similar`]), a drill
/// only for a drill; the most recently declared of them. A person
/// declaring is asked (or refused without `--force`); an alert joins it
/// instead of opening another.
pub fn duplicate<'a>(draft: &Incident, open: &'a [Incident]) -> Option<&'a Incident> {
    open.iter()
        .filter(|i| i.status.is_open() && i.id != draft.id && i.drill == draft.drill)
        .filter(|i| i.services.iter().any(|s| draft.services.contains(s)))
        .filter(|i| similar(&i.title, &draft.title))
        .max_by_key(|i| (i.declared_at, i.id))
}

/// The past incidents a view shows beside an incident ("we saw this
/// before"): the first few of the ranking.
pub const SHOWN: usize = 3;

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        format!("2026-11-{s}:00Z").parse().unwrap()
    }

    fn incident(id: i64, declared: &str, title: &str, services: &[&str]) -> Incident {
        Incident {
            id,
            title: title.into(),
            services: services.iter().map(|s| s.to_string()).collect(),
            declared_at: t(declared),
            status: Status::Closed,
            ..Incident::example()
        }
    }

    fn alert(identity: &str) -> AlertKey {
        AlertKey {
            source: AlertSource::Alertmanager,
            identity: identity.into(),
        }
    }

    fn candidate(i: Incident, alerts: &[&str]) -> Candidate {
        Candidate {
            incident: Brief::of(&i),
            alerts: alerts.iter().map(|a| alert(a)).collect(),
        }
    }

    /// A history where the right answer is known: the same alert first,
    /// then the same service with similar words, then similar words alone,
    /// each by how alike, then newer first.
    fn history() -> Vec<Candidate> {
        vec![
            candidate(
                incident(1, "01T08:00", "Checkout returns 500s", &["checkout"]),
                &[],
            ),
            candidate(incident(2, "02T08:00", "Database failover", &["db"]), &["a1"]),
            candidate(incident(3, "03T08:00", "Checkout returning 500 errors", &[]), &[]),
            candidate(incident(4, "04T08:00", "Search is slow", &["search"]), &[]),
            candidate(incident(5, "05T08:00", "Checkout is slow", &["checkout"]), &[]),
            candidate(incident(6, "06T08:00", "Checkout 500s again", &["checkout"]), &[]),
            candidate(
                Incident {
                    status: Status::Canceled,
                    ..incident(7, "07T08:00", "Checkout returns 500s", &["checkout"])
                },
                &[],
            ),
            candidate(incident(8, "08T08:00", "Login page slow", &["checkout"]), &[]),
            // Later than the incident: not past.
            candidate(
                incident(10, "10T09:00", "Checkout returns 500s", &["checkout"]),
                &[],
            ),
        ]
    }

    #[test]
    fn the_ranking_of_a_known_history() {
        let of = Incident {
            id: 9,
            status: Status::Investigating,
            ..incident(9, "10T08:00", "Checkout returns 500s", &["checkout"])
        };
        let ranked = rank(&of, &[alert("a1")], &history());
        let ids: Vec<i64> = ranked.iter().map(|m| m.id).collect();
        assert_eq!(ids, [2, 1, 6, 3]);
        assert_eq!(
            ranked[0].reasons,
            [Reason::SameAlert {
                alerts: vec![alert("a1")]
            }]
        );
        assert_eq!(
            ranked[1].reasons,
            [
                Reason::SameService {
                    services: vec!["checkout".into()]
                },
                Reason::SharedWords {
                    words: vec!["500".into(), "checkout".into(), "return".into()],
                    score: 1.0
                }
            ]
        );
        // "Checkout 500s again" shares 2 of 3 + 3 words on checkout: 0.67.
        assert!((ranked[2].score - 2.0 / 3.0).abs() < 1e-9);
        // No service in common: words more than alike, 0.86.
        assert!(matches!(ranked[3].reasons[..], [Reason::SharedWords { .. }]));
        // "Checkout is slow" on checkout shares 1 of 3 + 2: 0.4, not alike.
        assert!(!ids.contains(&5));
    }

    #[test]
    fn a_shared_service_tips_a_borderline_pair_and_only_it() {
        let of = incident(9, "10T08:00", "Checkout is slow", &["checkout"]);
        let search = |services: &[&str]| candidate(incident(4, "04T08:00", "Search is slow", services), &[]);
        assert!(rank(&of, &[], &[search(&["search"])]).is_empty());
        assert!(rank(&of, &[], &[search(&[])]).is_empty());
        assert_eq!(rank(&of, &[], &[search(&["checkout"])]).len(), 1);
    }

    #[test]
    fn the_summary_counts_when_it_makes_them_more_alike() {
        let of = Incident {
            summary: Some("payments provider timeouts".into()),
            ..incident(9, "10T08:00", "Checkout errors", &[])
        };
        let other = Incident {
            summary: Some("timeouts from the payments provider".into()),
            ..incident(1, "01T08:00", "Orders failing", &[])
        };
        let ranked = rank(&of, &[], &[candidate(other, &[])]);
        assert_eq!(ranked.len(), 1);
        assert!(
            matches!(&ranked[0].reasons[0], Reason::SharedWords { words, .. } if words.contains(&"payment".to_string()))
        );
    }

    #[test]
    fn drills_count_only_for_drills() {
        let drill = Incident {
            drill: true,
            ..incident(1, "01T08:00", "Database failover", &["db"])
        };
        let of = incident(9, "10T08:00", "Database failover", &["db"]);
        assert!(rank(&of, &[], &[candidate(drill.clone(), &[])]).is_empty());
        let rehearsal = Incident { drill: true, ..of };
        assert_eq!(rank(&rehearsal, &[], &[candidate(drill, &[])]).len(), 1);
    }

    #[test]
    fn the_duplicate_is_the_latest_open_incident_on_a_shared_service_titled_alike() {
        let open = |id, declared, title, services: &[&str]| Incident {
            status: Status::Investigating,
            ..incident(id, declared, title, services)
        };
        let incidents = [
            open(1, "10T08:00", "Checkout returns 500s", &["checkout"]),
            open(
                2,
                "10T08:10",
                "checkout returning 500 errors",
                &["checkout", "cart"],
            ),
            open(3, "10T08:20", "Checkout returns 500s", &["search"]),
            incident(4, "10T08:30", "Checkout returns 500s", &["checkout"]),
            open(5, "10T08:40", "Checkout is slow", &["checkout"]),
        ];
        let draft = Incident {
            id: 0,
            ..incident(0, "10T09:00", "Checkout: returns 500s", &["checkout"])
        };
        assert_eq!(duplicate(&draft, &incidents).map(|i| i.id), Some(2));
        let elsewhere = Incident {
            services: vec!["billing".into()],
            ..draft.clone()
        };
        assert_eq!(duplicate(&elsewhere, &incidents), None);
        let unnamed = Incident {
            services: vec![],
            ..draft.clone()
        };
        assert_eq!(duplicate(&unnamed, &incidents), None);
        let drill = Incident { drill: true, ..draft };
        assert_eq!(duplicate(&drill, &incidents), None);
    }
}
