//! The deliverer: for each destination, the events recorded since its
//! cursor, in the order they arrived, each sent if the destination's route
//! wants it, the cursor moved past it once it is sent. At least once and in
//! order: a deliverer killed between a send and the cursor's move sends that
//! event again (under the same idempotency key); never on the write path of
//! the command that recorded the event.
//!
//! Several deliverers share one database safely: a destination is claimed
//! (a lease, `domain::notify::Delivery::claim`) in a write transaction, so
//! at any time one deliverer sends to it, and each move of its cursor
//! renews the claim; a deliverer that dies leaves the claim to run out.

use super::send::{self, Extra};
use super::{Destination, Medium};
use crate::domain::notify::{Delivery, Failure, Message};
use crate::domain::{Event, Incident, key};
use crate::store::{ReadsExt, Store, Watch};
use anyhow::Result;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::time::Duration;

/// Who signs a deliverer's writes (it appends no events).
const AUTHOR: &str = "incident";

/// How many events one pass reads per destination.
const BATCH: usize = 200;

/// A deliverer: the destinations, and what it needs to name incidents and
/// run commands.
pub struct Deliverer<'a> {
    pub destinations: &'a [Destination],
    pub prefix: &'a str,
    /// Unique to this process: what its claims are held under.
    pub owner: String,
    /// What a `command` destination's environment adds (`INCIDENT_DB`, …).
    pub context: Vec<(&'static str, String)>,
    pub clock: &'a dyn Fn() -> Result<DateTime<Utc>>,
    agent: ureq::Agent,
    /// Each status page's other inputs when it was last written.
    pages: std::cell::RefCell<HashMap<String, String>>,
}

/// What one destination's turn came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Turn {
    /// Up to date (after sending `sent`).
    Done { sent: usize },
    /// Sent `sent`, and more are waiting.
    More { sent: usize },
    /// After sending `sent`, a send failed: retried at `next`, or parked.
    Failed {
        sent: usize,
        reason: String,
        next: Option<DateTime<Utc>>,
    },
    /// Another deliverer holds it, or it waits after a failure.
    Skipped { until: Option<DateTime<Utc>> },
    /// Refused for good: waits for `incident deliveries retry`.
    Parked { reason: String },
}

impl Turn {
    pub fn sent(&self) -> usize {
        match self {
            Turn::Done { sent } | Turn::More { sent } | Turn::Failed { sent, .. } => *sent,
            Turn::Skipped { .. } | Turn::Parked { .. } => 0,
        }
    }
}

/// A deliverer's own name for its claims: host, process and a random part.
pub fn owner() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into());
    format!("{host}:{}:{:08x}", std::process::id(), fastrand::u32(..))
}

impl<'a> Deliverer<'a> {
    pub fn new(
        destinations: &'a [Destination],
        prefix: &'a str,
        context: Vec<(&'static str, String)>,
        clock: &'a dyn Fn() -> Result<DateTime<Utc>>,
    ) -> Self {
        Deliverer {
            destinations,
            prefix,
            owner: owner(),
            context,
            clock,
            agent: send::agent(),
            pages: Default::default(),
        }
    }

    /// One turn for every destination; by name.
    pub fn pass(&self, store: &mut Store) -> Result<Vec<(String, Turn)>> {
        let mut turns = Vec::with_capacity(self.destinations.len());
        for d in self.destinations {
            turns.push((d.name.clone(), self.turn(store, d)?));
        }
        Ok(turns)
    }

    /// Passes until every destination is up to date, waiting, failing or
    /// held elsewhere: what `incident notify` does once.
    pub fn drain(&self, store: &mut Store) -> Result<Vec<(String, Turn)>> {
        let mut total: HashMap<String, usize> = HashMap::new();
        loop {
            let turns = self.pass(store)?;
            let more = turns.iter().any(|(_, t)| matches!(t, Turn::More { .. }));
            for (name, turn) in &turns {
                *total.entry(name.clone()).or_default() += turn.sent();
            }
            if !more {
                // Each destination's last turn, with all it sent.
                return Ok(turns
                    .into_iter()
                    .map(|(name, turn)| {
                        let sent = total.get(&name).copied().unwrap_or(0);
                        let turn = match turn {
                            Turn::Done { .. } => Turn::Done { sent },
                            Turn::Failed { reason, next, .. } => Turn::Failed { sent, reason, next },
                            other => other,
                        };
                        (name, turn)
                    })
                    .collect());
            }
        }
    }

    /// Delivers until `stop` says so: a pass whenever something was
    /// recorded (the backend's signal, or a look every few seconds), a
    /// failure's retry comes due, or more is waiting.
    pub fn watch(
        &self,
        store: &mut Store,
        stop: &dyn Fn() -> bool,
        report: &dyn Fn(&str, &Turn),
    ) -> Result<()> {
        const SLICE: Duration = Duration::from_millis(200);
        const LOOK_ANYWAY: Duration = Duration::from_secs(5);
        let mut watch: Box<dyn Watch> = store.watch().unwrap_or_else(|_| Box::new(Poll));
        let mut due = std::time::Instant::now();
        loop {
            if stop() {
                return Ok(());
            }
            if std::time::Instant::now() >= due {
                store.refresh()?;
                let turns = self.pass(store)?;
                let more = turns.iter().any(|(_, t)| matches!(t, Turn::More { .. }));
                let now = (self.clock)()?;
                // The soonest retry, or a look in a while.
                let mut next = LOOK_ANYWAY;
                for (name, turn) in &turns {
                    report(name, turn);
                    if let Turn::Failed { next: Some(at), .. } | Turn::Skipped { until: Some(at) } = turn {
                        let wait = (*at - now).to_std().unwrap_or(Duration::ZERO);
                        next = next.min(wait.max(SLICE));
                    }
                }
                due = std::time::Instant::now() + if more { Duration::ZERO } else { next };
            }
            if watch.wait(SLICE)? {
                // Something was recorded: look (again, shortly, in case the
                // signal came before the commit was visible).
                due = due.min(std::time::Instant::now() + SLICE);
            }
        }
    }

    /// One destination's turn: claim it, send what it wants of the next
    /// events, move its cursor, give the claim back.
    pub fn turn(&self, store: &mut Store, d: &Destination) -> Result<Turn> {
        let now = (self.clock)()?;
        let owner = self.owner.clone();
        let name = d.name.clone();
        let claimed = store
            .write(
                AUTHOR,
                || Ok(now),
                |w| {
                    let newest = w.arrived_after(None, None)?.1;
                    let found = w.deliveries()?.into_iter().find(|x| x.destination == name);
                    let is_new = found.is_none();
                    let state = found.unwrap_or_else(|| Delivery::new(&name, newest));
                    match state.claim(&owner, now) {
                        Some(claim) => {
                            w.transaction().put_delivery(&claim)?;
                            Ok(Ok(claim))
                        }
                        None => {
                            if is_new {
                                w.transaction().put_delivery(&state)?;
                            }
                            Ok(Err(state))
                        }
                    }
                },
            )?
            .value;
        let state = match claimed {
            Ok(state) => state,
            Err(held) => {
                if let Some(reason) = held.parked {
                    return Ok(Turn::Parked { reason });
                }
                return Ok(Turn::Skipped {
                    until: held.next_attempt.or(held.lease.map(|l| l.until)),
                });
            }
        };
        store.refresh()?;
        let batch = store.arrivals(state.cursor, BATCH)?;
        let full = batch.len() == BATCH;
        let mut incidents: HashMap<i64, Option<Incident>> = HashMap::new();
        let mut handled = state.cursor;
        let mut sent = 0;
        // A status page is written once for all it wants of the batch.
        let mut page_wants = false;
        for (arrival, event) in &batch {
            let incident = match incidents.get(&event.incident_id) {
                Some(found) => found.clone(),
                None => {
                    let found = store.incident(event.incident_id)?;
                    incidents.insert(event.incident_id, found.clone());
                    found
                }
            };
            let Some(incident) = incident else {
                handled = *arrival;
                continue;
            };
            if !d.route.wants(&incident, event) {
                handled = *arrival;
                continue;
            }
            if let Medium::StatusPage(_) = d.medium {
                page_wants = true;
                handled = *arrival;
                continue;
            }
            match self.send(d, &incident, event) {
                Ok(()) => {
                    sent += 1;
                    handled = *arrival;
                    if !self.advance(store, d, handled, 1)? {
                        // Another deliverer took it over: it goes on.
                        return Ok(Turn::More { sent });
                    }
                }
                Err(failure) => {
                    let next = self.fail(store, d, handled, &failure)?;
                    return Ok(Turn::Failed {
                        sent,
                        reason: failure.reason().to_string(),
                        next,
                    });
                }
            }
        }
        if let Medium::StatusPage(page) = &d.medium {
            let now = (self.clock)()?;
            let inputs = super::statuspage::fingerprint(&**store, now)?;
            let moved = self.pages.borrow().get(&d.name) != Some(&inputs);
            if page_wants || moved {
                match super::statuspage::regenerate(&**store, &d.name, page, now) {
                    Ok(new) => {
                        sent += usize::from(new);
                        self.pages.borrow_mut().insert(d.name.clone(), inputs);
                    }
                    Err(failure) => {
                        // Its cursor stays: the events are wanted again.
                        let next = self.fail(store, d, state.cursor, &failure)?;
                        return Ok(Turn::Failed {
                            sent: 0,
                            reason: failure.reason().to_string(),
                            next,
                        });
                    }
                }
            }
        }
        self.finish(store, d, handled)?;
        Ok(match full {
            true => Turn::More { sent },
            false => Turn::Done { sent },
        })
    }

    /// The message for `event`, sent to `d`.
    fn send(&self, d: &Destination, incident: &Incident, event: &Event) -> Result<(), Failure> {
        let key = key::format(self.prefix, event.incident_id);
        // Unique per destination and event, and across a database made
        // anew (numbers start again; the times they were recorded do not).
        let id = format!("{}.{}.{}", d.name, event.id, event.recorded_at.timestamp());
        let message = Message::of(id, key.clone(), incident, event);
        let (document, env) = match &d.medium {
            Medium::Webhook { .. } | Medium::Command { .. } => {
                let payload = crate::hooks::Payload::new(key.clone(), event, incident, None);
                let document = serde_json::to_vec(&payload).map_err(|e| Failure::Permanent {
                    reason: e.to_string(),
                })?;
                (document, crate::hooks::environment(&key, event, &self.context))
            }
            _ => (Vec::new(), Vec::new()),
        };
        send::send(
            &self.agent,
            d,
            &message,
            &Extra {
                document: &document,
                env: &env,
            },
        )
    }

    /// Moves `d`'s cursor to `cursor` (`sent` messages more); `false` when
    /// its claim is no longer this deliverer's.
    fn advance(&self, store: &mut Store, d: &Destination, cursor: i64, sent: i64) -> Result<bool> {
        let now = (self.clock)()?;
        let owner = &self.owner;
        store
            .write(
                AUTHOR,
                || Ok(now),
                |w| {
                    let Some(state) = w.deliveries()?.into_iter().find(|x| x.destination == d.name) else {
                        return Ok(false);
                    };
                    if !state.held_by(owner, now) {
                        return Ok(false);
                    }
                    w.transaction().put_delivery(&state.advanced(cursor, sent, now))?;
                    Ok(true)
                },
            )
            .map(|c| c.value)
    }

    /// The cursor moved past what was handled, and the claim given back.
    fn finish(&self, store: &mut Store, d: &Destination, cursor: i64) -> Result<()> {
        let now = (self.clock)()?;
        let owner = &self.owner;
        store.write(
            AUTHOR,
            || Ok(now),
            |w| {
                if let Some(state) = w.deliveries()?.into_iter().find(|x| x.destination == d.name)
                    && state.held_by(owner, now)
                {
                    w.transaction()
                        .put_delivery(&state.advanced(cursor, 0, now).released(owner))?;
                }
                Ok(())
            },
        )?;
        Ok(())
    }

    /// After a failed send: the cursor past what was handled before it,
    /// then the failure; returns when it is tried again (`None`: parked).
    fn fail(
        &self,
        store: &mut Store,
        d: &Destination,
        cursor: i64,
        failure: &Failure,
    ) -> Result<Option<DateTime<Utc>>> {
        let now = (self.clock)()?;
        let owner = &self.owner;
        store
            .write(
                AUTHOR,
                || Ok(now),
                |w| {
                    let Some(state) = w.deliveries()?.into_iter().find(|x| x.destination == d.name) else {
                        return Ok(None);
                    };
                    if !state.held_by(owner, now) {
                        return Ok(state.next_attempt);
                    }
                    let after = state
                        .advanced(cursor, 0, now)
                        .failed(failure, now, fastrand::f64());
                    w.transaction().put_delivery(&after)?;
                    Ok(after.next_attempt)
                },
            )
            .map(|c| c.value)
    }
}

/// No signal from the backend: look on every slice.
struct Poll;

impl Watch for Poll {
    fn wait(&mut self, timeout: Duration) -> Result<bool> {
        std::thread::sleep(timeout);
        Ok(false)
    }
}
