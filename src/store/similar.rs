//! The similar past incidents of one incident, with what a reader wants of
//! each (its root cause, its open action items), read in a few batches:
//! the ranking itself is [`crate::domain::similar`].
//!
//! `show`, `declare` and the postmortem look at a bounded recent window,
//! so they stay as fast at 100,000 incidents as at 100; `incident similar`
//! looks over the whole history, streamed.

use super::{ActionFilter, EventQuery, Found, ListFilter, Of, Range, Read, Reads};
use crate::domain::retro::ActionItem;
use crate::domain::similar::{self, AlertKey, Likeness, Match, Texts};
use crate::domain::{Brief, EventData, EventKind, Incident};
use anyhow::{Result, anyhow};
use std::collections::HashMap;

/// How many incidents numbered just before an incident `show`, `declare`
/// and the postmortem compare it with.
pub const WINDOW: usize = 500;

/// Where to look for similar incidents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The [`WINDOW`] incidents numbered just before it.
    Recent,
    /// Every incident.
    All,
}

/// A similar past incident and what a reader wants to know of it.
#[derive(Debug, Clone)]
pub struct Related {
    pub incident: Brief,
    pub matched: Match,
    /// The retrospective's root cause, if one was recorded.
    pub root_cause: Option<String>,
    /// Its action items still open.
    pub open_actions: Vec<ActionItem>,
}

/// The past incidents like `of` in `scope`, most alike first, the first
/// `keep` of them (all when `None`) with their root causes and open action
/// items.
pub fn read(
    store: &(impl Reads + ?Sized),
    of: &Incident,
    scope: Scope,
    keep: Option<usize>,
) -> Result<Vec<Related>> {
    let of = &Brief::of(of);
    let words = Texts::of(of);
    let me = Likeness::with(of, &words);
    let own = own_alerts(store, of.id)?;
    let mut best = similar::Best::new(keep);
    // The incidents of matches kept when they were found, as read already
    // (the whole history is read whole; one pushed out later by a better
    // match stays here unused); the recent window is compared by prints,
    // and only the incidents kept are read, with their details.
    let mut incidents: HashMap<i64, Brief> = HashMap::new();
    match scope {
        Scope::Recent => {
            let filter = ListFilter {
                after: Some(of.id.saturating_sub(WINDOW as i64 + 1)),
                limit: Some(WINDOW),
                ..ListFilter::default()
            };
            if own.is_empty() {
                // No alert to share: each print is compared as it is read,
                // and only the best few matches are held.
                store.each_likeness(&filter, &mut |candidate| {
                    if candidate.id < of.id {
                        best.offer(&me, &own, candidate, &[]);
                    }
                    Ok(())
                })?;
            } else {
                let mut window = Vec::with_capacity(WINDOW);
                store.each_likeness(&filter, &mut |l| {
                    if l.id < of.id {
                        window.push(l.clone());
                    }
                    Ok(())
                })?;
                let ids: Vec<i64> = window.iter().map(|l| l.id).collect();
                let mut alerts = alerts_of(store, Of::Incidents(&ids))?;
                for candidate in &window {
                    let theirs = alerts.remove(&candidate.id).unwrap_or_default();
                    best.offer(&me, &own, candidate, &theirs);
                }
            }
        }
        Scope::All => {
            let mut alerts = match own.is_empty() {
                true => HashMap::new(),
                false => alerts_of(store, Of::All)?,
            };
            store.each_brief(&ListFilter::default(), &mut |incident| {
                let theirs = alerts.remove(&incident.id).unwrap_or_default();
                if best.offer(&me, &own, &Likeness::of(&incident), &theirs) {
                    incidents.insert(incident.id, incident);
                }
                Ok(())
            })?;
        }
    }
    let ranked = best.into_vec();
    details(store, (of, &words, &me), ranked, &mut incidents)
}

/// Each match with its incident (read now unless in `incidents`), what it
/// shares with `of` (whose words and likeness are given) named, and its
/// root cause and open action items: read in one batch. A match is
/// checked against its incident's texts as read ([`similar::recheck`]).
fn details(
    store: &(impl Reads + ?Sized),
    (of, words, me): (&Brief, &Texts, &Likeness),
    ranked: Vec<Match>,
    incidents: &mut HashMap<i64, Brief>,
) -> Result<Vec<Related>> {
    let filters: Vec<ActionFilter> = ranked
        .iter()
        .map(|m| ActionFilter {
            incident_id: Some(m.id),
            open: true,
            ..ActionFilter::default()
        })
        .collect();
    let mut reads = Vec::with_capacity(3 * ranked.len());
    for (m, filter) in ranked.iter().zip(&filters) {
        if !incidents.contains_key(&m.id) {
            reads.push(Read::Incident(m.id));
        }
        reads.push(Read::Retro(m.id));
        reads.push(Read::Actions(filter));
    }
    let mut found = store.batch(&reads)?.into_iter();
    let mut related = Vec::with_capacity(ranked.len());
    for matched in ranked {
        let incident = match incidents.remove(&matched.id) {
            Some(incident) => incident,
            None => match found.next() {
                Some(Found::Incident(Some(i))) => Brief::of(&i),
                Some(Found::Incident(None)) => return Err(anyhow!("incident {} vanished", matched.id)),
                other => return Err(anyhow!("an incident read as {other:?}")),
            },
        };
        let root_cause = match found.next() {
            Some(Found::Retro(r)) => r.and_then(|r| r.value.root_cause),
            other => return Err(anyhow!("a retrospective read as {other:?}")),
        };
        let open_actions = match found.next() {
            Some(Found::Actions(a)) => a,
            other => return Err(anyhow!("action items read as {other:?}")),
        };
        let theirs = Texts::of(&incident);
        let Some(mut matched) = similar::recheck(me, &matched, &Likeness::with(&incident, &theirs)) else {
            continue;
        };
        similar::name(words, of, &mut matched, &incident, &theirs);
        related.push(Related {
            incident,
            matched,
            root_cause,
            open_actions,
        });
    }
    Ok(related)
}

/// The alerts that joined `of`. Without any, no other incident can share
/// one, so the others' alerts (a scan of their timelines) are not read.
fn own_alerts(store: &(impl Reads + ?Sized), of: i64) -> Result<Vec<AlertKey>> {
    Ok(alerts_of(store, Of::Incident(of))?
        .remove(&of)
        .unwrap_or_default())
}

/// The alerts tied to each incident `of` selects, by its timeline (an
/// alert's row names only the latest incident it joined).
fn alerts_of(store: &(impl Reads + ?Sized), of: Of<'_>) -> Result<HashMap<i64, Vec<AlertKey>>> {
    let read = Read::Events(EventQuery {
        of,
        kinds: &[EventKind::AlertAttached],
        range: Range::All,
    });
    let events = match store.batch(&[read])?.pop() {
        Some(Found::Events(e)) => e,
        other => return Err(anyhow!("events read as {other:?}")),
    };
    let mut alerts: HashMap<i64, Vec<AlertKey>> = HashMap::new();
    for e in events {
        if let EventData::AlertAttached(a) = e.data {
            alerts.entry(e.incident_id).or_default().push(AlertKey {
                source: a.source,
                identity: a.identity,
            });
        }
    }
    Ok(alerts)
}
