//! References between records. An event names other incidents and alerts
//! by number (a duplicate's primary, a primary's duplicates, the alerts
//! tied in), as the database it was recorded in numbered them. When an
//! import gives one of them another number here, what the imported event
//! names is kept beside it as a [`Renumbering`], never by editing the
//! event: its bytes are chained. Every reader of a reference resolves it
//! through [`Resolver`], so a renumbered history still points where it did.

use super::{Event, EventData, EventKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The number an imported reference gets when what it names did not come
/// with it: never an unrelated record that happens to have the number.
pub const NOT_HERE: i64 = 0;

/// What an imported event's numbers are here: number named → number here,
/// for those that differ.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renumbering {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub incidents: BTreeMap<i64, i64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub alerts: BTreeMap<i64, i64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub actions: BTreeMap<i64, i64>,
}

impl Renumbering {
    pub fn is_empty(&self) -> bool {
        self.incidents.is_empty() && self.alerts.is_empty() && self.actions.is_empty()
    }

    /// What a reader of the imported event's words needs to know, e.g.
    /// "INC-1 there is INC-2 here; alert 3 there is not here".
    pub fn describe(&self, key: impl Fn(i64) -> String) -> String {
        let here = |n: i64, name: String| match n {
            NOT_HERE => format!("{name} there is not here"),
            _ => name,
        };
        let incidents = self.incidents.iter().map(|(&from, &to)| match to {
            NOT_HERE => here(to, key(from)),
            _ => format!("{} there is {} here", key(from), key(to)),
        });
        let alerts = self.alerts.iter().map(|(&from, &to)| match to {
            NOT_HERE => here(to, format!("alert {from}")),
            _ => format!("alert {from} there is alert {to} here"),
        });
        let actions = self.actions.iter().map(|(&from, &to)| {
            let name = super::retro::format_action_id(from);
            match to {
                NOT_HERE => here(to, name),
                _ => format!("{name} there is {} here", super::retro::format_action_id(to)),
            }
        });
        incidents
            .chain(alerts)
            .chain(actions)
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn incident(&self, n: i64) -> i64 {
        self.incidents.get(&n).copied().unwrap_or(n)
    }

    fn alert(&self, n: i64) -> i64 {
        self.alerts.get(&n).copied().unwrap_or(n)
    }

    fn action(&self, n: i64) -> i64 {
        self.actions.get(&n).copied().unwrap_or(n)
    }
}

/// The incidents, alerts and action items an event names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Named {
    pub incidents: Vec<i64>,
    pub alerts: Vec<i64>,
    pub actions: Vec<i64>,
}

/// What `data` names.
pub fn named(data: &EventData) -> Named {
    let mut named = Named::default();
    match data {
        EventData::MarkedDuplicate(d) => named.incidents.push(d.of),
        EventData::DuplicateLinked(l) | EventData::DuplicateUnlinked(l) => named.incidents.push(l.duplicate),
        EventData::AlertAttached(a) => named.alerts.push(a.alert_id),
        EventData::AlertResolved(a) => named.alerts.push(a.alert_id),
        EventData::ActionAdded(a) => named.actions.push(a.action_id),
        EventData::ActionDone(a) => named.actions.push(a.action_id),
        EventData::ActionLinked(a) => named.actions.push(a.action_id),
        EventData::Closed(c) => named.actions.extend(
            c.action_items
                .iter()
                .filter_map(|a| super::retro::parse_action_id(a).ok()),
        ),
        _ => {}
    }
    named
}

/// The renumbering an event imported here needs: what it names, through
/// the renumbering the file kept for it (`before`: an earlier import's),
/// then this import's numbers (file number → number here). `None` when
/// everything it names has the same number here.
pub fn through(data: &EventData, before: Option<&Renumbering>, now: &Numbers) -> Option<Renumbering> {
    let before = before.cloned().unwrap_or_default();
    let named = named(data);
    let map = |names: Vec<i64>, was: &dyn Fn(i64) -> i64, now: &HashMap<i64, i64>| {
        names
            .into_iter()
            .filter_map(|n| {
                let in_file = was(n);
                let here = now.get(&in_file).copied().unwrap_or(in_file);
                (here != n).then_some((n, here))
            })
            .collect::<BTreeMap<_, _>>()
    };
    let out = Renumbering {
        incidents: map(named.incidents, &|n| before.incident(n), &now.incidents),
        alerts: map(named.alerts, &|n| before.alert(n), &now.alerts),
        actions: map(named.actions, &|n| before.action(n), &now.actions),
    };
    (!out.is_empty()).then_some(out)
}

/// An import's numbers: the file's number → the number here, of each kind.
#[derive(Debug, Clone, Default)]
pub struct Numbers {
    pub incidents: HashMap<i64, i64>,
    pub alerts: HashMap<i64, i64>,
    pub actions: HashMap<i64, i64>,
}

/// Resolves what events name to numbers here, by the renumberings kept
/// for them (by event id).
pub struct Resolver<'r> {
    pub renumbered: &'r HashMap<i64, Renumbering>,
}

impl Resolver<'_> {
    /// The incident event `e` names as `n`, as numbered here.
    pub fn incident(&self, e: &Event, n: i64) -> i64 {
        self.renumbered.get(&e.id).map_or(n, |r| r.incident(n))
    }

    /// The alert event `e` names as `n`, as numbered here.
    pub fn alert(&self, e: &Event, n: i64) -> i64 {
        self.renumbered.get(&e.id).map_or(n, |r| r.alert(n))
    }

    /// The action item event `e` names as `n`, as numbered here.
    pub fn action(&self, e: &Event, n: i64) -> i64 {
        self.renumbered.get(&e.id).map_or(n, |r| r.action(n))
    }

    /// The incident a duplicate is a duplicate of: what its latest
    /// `marked_duplicate` event (by when it happened) names.
    pub fn duplicate_of(&self, events: &[Event]) -> Option<i64> {
        events
            .iter()
            .filter(|e| e.kind() == EventKind::MarkedDuplicate)
            .max_by_key(|e| (e.at, e.id))
            .and_then(|e| match &e.data {
                EventData::MarkedDuplicate(d) => Some(self.incident(e, d.of)),
                _ => None,
            })
            .filter(|&n| n != NOT_HERE)
    }

    /// The duplicates a primary's timeline lists now: linked, and not
    /// unlinked since (`events` in recording order).
    pub fn duplicates(&self, events: &[Event]) -> BTreeSet<i64> {
        let mut listed = BTreeSet::new();
        for e in events {
            match &e.data {
                EventData::DuplicateLinked(l) => {
                    listed.insert(self.incident(e, l.duplicate));
                }
                EventData::DuplicateUnlinked(l) => {
                    listed.remove(&self.incident(e, l.duplicate));
                }
                _ => {}
            }
        }
        listed.remove(&NOT_HERE);
        listed
    }

    /// The alerts an incident's timeline ties to it (attached, as numbered
    /// here), each with the identity the event recorded.
    pub fn alerts(&self, events: &[Event]) -> BTreeMap<i64, String> {
        events
            .iter()
            .filter_map(|e| match &e.data {
                EventData::AlertAttached(a) => Some((self.alert(e, a.alert_id), a.identity.clone())),
                _ => None,
            })
            .filter(|(n, _)| *n != NOT_HERE)
            .collect()
    }
}

/// The kinds whose events name other records.
pub const NAMING: &[EventKind] = &[
    EventKind::MarkedDuplicate,
    EventKind::DuplicateLinked,
    EventKind::DuplicateUnlinked,
    EventKind::AlertAttached,
    EventKind::AlertResolved,
    EventKind::ActionAdded,
    EventKind::ActionDone,
    EventKind::ActionLinked,
    EventKind::Closed,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Status;
    use crate::domain::event::{DuplicateLink, DuplicateOf};

    fn event(id: i64, data: EventData) -> Event {
        let at = "2026-11-23T08:00:00Z".parse().unwrap();
        Event {
            id,
            incident_id: 4,
            at,
            recorded_at: at,
            author: "a".into(),
            text: String::new(),
            data,
        }
    }

    #[test]
    fn an_imported_reference_resolves_through_its_renumbering_and_later_ones_as_they_are() {
        let marked = EventData::MarkedDuplicate(DuplicateOf {
            from: Status::Investigating,
            of: 1,
        });
        // The file's INC-1 is INC-7 here; INC-3 is INC-4.
        let numbers = Numbers {
            incidents: HashMap::from([(1, 7), (3, 4)]),
            ..Default::default()
        };
        let map = through(&marked, None, &numbers).unwrap();
        assert_eq!(map.incidents, BTreeMap::from([(1, 7)]));
        let renumbered = HashMap::from([(10, map)]);
        let r = Resolver {
            renumbered: &renumbered,
        };
        let imported = event(10, marked.clone());
        assert_eq!(r.duplicate_of(std::slice::from_ref(&imported)), Some(7));
        // Recorded here later: names this database's numbers.
        let later = event(11, marked);
        assert_eq!(r.duplicate_of(&[imported, later]), Some(1));
        // Nothing renumbered: nothing kept.
        let same = EventData::DuplicateLinked(DuplicateLink { duplicate: 5 });
        assert_eq!(through(&same, None, &numbers), None);
    }

    #[test]
    fn a_second_move_composes_with_the_first() {
        let linked = EventData::DuplicateLinked(DuplicateLink { duplicate: 2 });
        // First move: 2 became 5; second move: 5 becomes 9.
        let first = Renumbering {
            incidents: BTreeMap::from([(2, 5)]),
            ..Default::default()
        };
        let now = Numbers {
            incidents: HashMap::from([(5, 9)]),
            ..Default::default()
        };
        let map = through(&linked, Some(&first), &now).unwrap();
        assert_eq!(map.incidents, BTreeMap::from([(2, 9)]));
        let renumbered = HashMap::from([(1, map)]);
        let r = Resolver {
            renumbered: &renumbered,
        };
        assert_eq!(r.duplicates(&[event(1, linked)]), BTreeSet::from([9]));
    }

    #[test]
    fn what_did_not_come_with_an_import_is_not_here_and_says_so() {
        let marked = EventData::MarkedDuplicate(DuplicateOf {
            from: Status::Investigating,
            of: 1,
        });
        let attached = EventData::AlertAttached(crate::domain::event::AlertAttached {
            alert_id: 3,
            source: crate::domain::alerts::AlertSource::Alertmanager,
            identity: "a".into(),
            summary: "disk full".into(),
            link: None,
            how: "opened".into(),
        });
        let gone = Numbers {
            incidents: HashMap::from([(1, NOT_HERE)]),
            alerts: HashMap::from([(3, NOT_HERE)]),
            ..Default::default()
        };
        let map = through(&marked, None, &gone).unwrap();
        let alert_map = through(&attached, None, &gone).unwrap();
        let key = |n: i64| format!("INC-{n}");
        assert_eq!(map.describe(key), "INC-1 there is not here");
        assert_eq!(alert_map.describe(key), "alert 3 there is not here");
        let renumbered = HashMap::from([(1, map), (2, alert_map)]);
        let r = Resolver {
            renumbered: &renumbered,
        };
        // Never INC-1 or alert 3 of this database.
        assert_eq!(r.duplicate_of(&[event(1, marked)]), None);
        assert!(r.alerts(&[event(2, attached)]).is_empty());
        let moved = Renumbering {
            incidents: BTreeMap::from([(1, 7)]),
            alerts: BTreeMap::from([(2, 5)]),
            actions: BTreeMap::from([(1, 2)]),
        };
        assert_eq!(
            moved.describe(key),
            "INC-1 there is INC-7 here; alert 2 there is alert 5 here; A-1 there is A-2 here"
        );
    }
}
