//! The deliverer: for each destination, the events recorded since its
//! cursor, in the order they arrived, each sent if the destination's route
//! wants it, the cursor moved past it once it is sent. At least once and in
//! order: a deliverer killed between a send and the cursor's move sends that
//! event again (under the same idempotency key); never on the write path of
//! the command that recorded the event.
//!
//! Several deliverers share one database safely: a destination is claimed
//! (a lease, `domain::notify::Delivery::claim`), so at any time one
//! deliverer sends to it, and each move of its cursor renews the claim; a
//! deliverer that dies leaves the claim to run out. Each change to a
//! destination's row is a compare-and-set ([`crate::store::Storage::swap_delivery`])
//! from the row as this deliverer last read or stored it: it fails when
//! another deliverer changed the row meanwhile, and it takes no writers'
//! lock, so under a stream of writes a deliverer does not queue behind
//! the commands recording events once per event it sends. A destination
//! with nothing new is not claimed at all: an idle deliverer only reads.
//!
//! A Matrix destination with a room per incident does more on its turn
//! ([`super::matrix`]): it opens an incident's room when the first event it
//! wants of the incident comes, keeps the room's topic and members to the
//! incident as events of it come, and reads back what was said in the
//! rooms.

use super::matrix::{Bot, Known};
use super::page::Pager;
use super::rooms::{self, Chat, Recorder};
use super::send::{self, Extra};
use super::{Destination, Matrix, Medium, Person, SlackBot};
use crate::domain::notify::{Delivery, Failure, Message, Room, SeenBefore};
use crate::domain::oncall::{Policy, Schedule};
use crate::domain::{Event, EventKind, Incident, key};
use crate::store::{Found, Read, ReadsExt, Store, Watch};
use anyhow::Result;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

/// Who signs a deliverer's writes (it appends no events).
const AUTHOR: &str = "incident";

/// How many events one pass reads per destination.
const BATCH: usize = 200;

/// A destination's cursor is moved (and its claim renewed) after this
/// many sends, or once this long has passed since it last moved, and at
/// the end of each turn: not once per send, so a stream of events costs a
/// few commits a second, not one per event and destination. A deliverer
/// killed mid-turn sends again at most what it sent since (under the same
/// idempotency keys); one stopped cleanly finishes its turn first.
const MOVE_EVERY: i64 = 20;
const MOVE_AFTER: Duration = Duration::from_millis(250);

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
    /// Who people are in chat (`[people]`): whom a room invites, who wrote
    /// what is read back from it.
    pub people: &'a BTreeMap<String, Person>,
    agent: ureq::Agent,
    /// What it learned of homeservers (Matrix), kept while it runs.
    known: Mutex<Known>,
    /// What it learned of Slack, kept while it runs.
    slack: Mutex<super::slack::Known>,
    /// The escalation policies whose timers it drives.
    pager: Option<Pager<'a>>,
    /// When the pager's next step comes due.
    page_due: Mutex<Option<DateTime<Utc>>>,
    /// Each status page's other inputs when it was last written.
    pages: std::cell::RefCell<HashMap<String, String>>,
    /// The similar past incidents of each declaration met in this pass,
    /// by incident: read once for all the destinations that announce it.
    seen: std::cell::RefCell<HashMap<i64, Vec<SeenBefore>>>,
}

/// No `[people]`: a room invites nobody, and what is said there is
/// answered, not recorded.
static NOBODY: BTreeMap<String, Person> = BTreeMap::new();

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
            people: &NOBODY,
            agent: send::agent(),
            known: Mutex::new(Known::default()),
            slack: Mutex::new(Default::default()),
            pager: None,
            page_due: Mutex::new(None),
            pages: Default::default(),
            seen: Default::default(),
        }
    }

    /// The same, driving the timers of these escalation policies.
    pub fn with_paging(self, policies: &'a [Policy], schedules: &'a [Schedule]) -> Self {
        Deliverer {
            pager: Some(Pager { policies, schedules }),
            ..self
        }
    }

    /// The same, knowing who people are in chat.
    pub fn with_people(self, people: &'a BTreeMap<String, Person>) -> Self {
        Deliverer { people, ..self }
    }

    fn bot<'t>(&'t self, d: &'t Destination, m: &'t Matrix) -> Bot<'t> {
        Bot {
            agent: &self.agent,
            destination: d,
            matrix: m,
            people: self.people,
            known: &self.known,
            prefix: self.prefix,
            clock: self.clock,
        }
    }

    fn slack_bot<'t>(&'t self, d: &'t Destination, s: &'t SlackBot) -> super::slack::Bot<'t> {
        super::slack::Bot {
            agent: &self.agent,
            destination: d,
            slack: s,
            known: &self.slack,
        }
    }

    /// The chat that holds a room per incident for `d`, if it has one.
    fn chat<'t>(&'t self, d: &'t Destination) -> Option<Box<dyn Chat + 't>> {
        match &d.medium {
            Medium::Matrix(m) if m.room_per_incident => Some(Box::new(self.bot(d, m))),
            Medium::SlackBot(s) if s.room_per_incident => Some(Box::new(self.slack_bot(d, s))),
            _ => None,
        }
    }

    fn recorder<'t>(&'t self, d: &'t Destination) -> Recorder<'t> {
        Recorder {
            destination: &d.name,
            prefix: self.prefix,
            author: AUTHOR,
            clock: self.clock,
        }
    }

    /// One turn for every destination; by name.
    pub fn pass(&self, store: &mut Store) -> Result<Vec<(String, Turn)>> {
        // Kept for one pass: what is similar may change between passes.
        self.seen.borrow_mut().clear();
        let mut turns = Vec::with_capacity(self.destinations.len());
        for d in self.destinations {
            turns.push((d.name.clone(), self.turn(store, d)?));
        }
        // The pager after the destinations' turns: a destination seen for
        // the first time starts at the newest event, and must not start
        // past a page recorded in this pass.
        if let Some(pager) = &self.pager {
            let paged = pager.pass(store, (self.clock)()?)?;
            *self.page_due.lock().unwrap_or_else(|e| e.into_inner()) = paged.next;
            if paged.pages + paged.unanswered + paged.handoffs > 0 {
                // What it recorded goes out in the next pass, at once.
                for (_, turn) in &mut turns {
                    if let Turn::Done { sent } = turn {
                        *turn = Turn::More { sent: *sent };
                    }
                }
            }
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
                // The soonest retry or page, or a look in a while.
                let mut next = LOOK_ANYWAY;
                if let Some(at) = *self.page_due.lock().unwrap_or_else(|e| e.into_inner()) {
                    next = next.min((at - now).to_std().unwrap_or(Duration::ZERO).max(SLICE));
                }
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
                // Something was recorded: look, once it is surely visible.
                due = due.min(std::time::Instant::now() + watch.settle());
            }
        }
    }

    /// One destination's turn: claim it, send what it wants of the next
    /// events, move its cursor, give the claim back.
    pub fn turn(&self, store: &mut Store, d: &Destination) -> Result<Turn> {
        let now = (self.clock)()?;
        // Where it stands and the newest arrival, read as they are now
        // (one round trip), before anything is written.
        store.refresh()?;
        let found = store.batch(&[Read::Deliveries, Read::Newest])?;
        let (state, newest) = match found.as_slice() {
            [Found::Deliveries(all), Found::Newest(newest)] => {
                (all.iter().find(|x| x.destination == d.name).cloned(), *newest)
            }
            _ => anyhow::bail!("the store answered a read of deliveries with something else"),
        };
        // Seen for the first time: it starts at the newest event.
        let was = state.clone();
        let state = state.unwrap_or_else(|| Delivery::new(&d.name, newest));
        let Some(claim) = state.claim(&self.owner, now) else {
            if let Some(reason) = state.parked {
                return Ok(Turn::Parked { reason });
            }
            return Ok(Turn::Skipped {
                until: state.next_attempt.or(state.lease.map(|l| l.until)),
            });
        };
        // Nothing arrived past its cursor: nothing to claim or write (a
        // chat to read or a status page to keep wants its turn anyway).
        if was.is_some() && state.cursor >= newest && !self.turns_when_idle(d) {
            return Ok(Turn::Done { sent: 0 });
        }
        if !store.swap_delivery(was.as_ref(), &claim)? {
            // Another deliverer changed it since it was read: it holds it,
            // or has just been through it. A look later tells.
            return Ok(Turn::Skipped { until: None });
        }
        let state = claim;
        let mut held = Held::new(state.clone());
        let batch = store.arrivals(state.cursor, BATCH)?;
        let full = batch.len() == BATCH;
        // A room per incident: the rooms opened so far, and the incidents
        // whose room was kept up this turn (once is enough: it is kept to
        // the incident as it stands).
        let per_incident = self.chat(d);
        let mut rooms: HashMap<i64, Room> = match per_incident {
            Some(_) => store
                .rooms(&d.name)?
                .into_iter()
                .map(|r| (r.incident_id, r))
                .collect(),
            None => HashMap::new(),
        };
        let mut kept: HashSet<i64> = HashSet::new();
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
            let Some(mut incident) = incident else {
                handled = *arrival;
                continue;
            };
            let wanted = d.route.wants(&incident, event);
            let mut room = None;
            if let Some(chat) = per_incident.as_deref() {
                let kept_up = self.room(store, d, chat, &mut incident, wanted, &mut rooms, &mut kept)?;
                match kept_up {
                    Ok(r) => room = r,
                    Err(failure) => return self.failed(store, &mut held, handled, sent, failure),
                }
                incidents.insert(incident.id, Some(incident.clone()));
            }
            if !wanted {
                handled = *arrival;
                continue;
            }
            if let Medium::StatusPage(_) = d.medium {
                page_wants = true;
                handled = *arrival;
                continue;
            }
            let seen = match event.kind() {
                EventKind::Declared => self.seen_before(store, &incident),
                _ => Vec::new(),
            };
            match self.send(d, per_incident.as_deref(), &incident, event, room.as_ref(), seen) {
                Ok(()) => {
                    sent += 1;
                    handled = *arrival;
                    held.unsaved += 1;
                    if held.unsaved >= MOVE_EVERY || held.saved.elapsed() >= MOVE_AFTER {
                        let moved = held.moved(handled, (self.clock)()?);
                        if !self.put(store, &mut held, moved)? {
                            // Another deliverer took it over: it goes on.
                            return Ok(Turn::More { sent });
                        }
                    }
                }
                Err(failure) => return self.failed(store, &mut held, handled, sent, failure),
            }
        }
        let mut heard = 0;
        // What people said in Matrix rooms is read back.
        if let Medium::Matrix(m) = &d.medium
            && m.room_per_incident
            && !rooms.is_empty()
        {
            let mut all: Vec<Room> = rooms.into_values().collect();
            all.sort_by_key(|r| r.incident_id);
            match self.bot(d, m).read(store, &all, state.chat.as_deref())? {
                Ok((recorded, token)) => {
                    heard = recorded;
                    self.read_to(store, &mut held, handled, token)?;
                }
                Err(failure) => return self.failed(store, &mut held, handled, sent, failure),
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
                        let next = self.fail(store, &mut held, state.cursor, &failure)?;
                        return Ok(Turn::Failed {
                            sent: 0,
                            reason: failure.reason().to_string(),
                            next,
                        });
                    }
                }
            }
        }
        self.finish(store, &mut held, handled)?;
        // What was read from chat is on the timeline now, to be delivered.
        Ok(match full || heard > 0 {
            true => Turn::More { sent },
            false => Turn::Done { sent },
        })
    }

    /// The incident's room, for an event of it (`wanted`: one the
    /// destination sends): opened if it has none and the event is wanted,
    /// then, once a turn, kept to the incident. `incident` is read again
    /// when opening the room changed it (its channels).
    #[allow(clippy::too_many_arguments)]
    fn room(
        &self,
        store: &mut Store,
        d: &Destination,
        chat: &dyn Chat,
        incident: &mut Incident,
        wanted: bool,
        rooms: &mut HashMap<i64, Room>,
        kept: &mut HashSet<i64>,
    ) -> Result<Result<Option<Room>, Failure>> {
        let recorder = self.recorder(d);
        let id = incident.id;
        if !rooms.contains_key(&id) && wanted {
            match rooms::open(chat, &recorder, store, incident)? {
                Ok(room) => {
                    rooms.insert(id, room);
                    if let Some(now) = store.incident(id)? {
                        *incident = now;
                    }
                }
                Err(failure) => return Ok(Err(failure)),
            }
        }
        let Some(room) = rooms.get(&id).cloned() else {
            return Ok(Ok(None));
        };
        if !kept.insert(id) {
            return Ok(Ok(Some(room)));
        }
        match rooms::keep(chat, &recorder, self.people, store, &room, incident)? {
            Ok(room) => {
                rooms.insert(id, room.clone());
                Ok(Ok(Some(room)))
            }
            Err(failure) => {
                kept.remove(&id);
                Ok(Err(failure))
            }
        }
    }

    /// After a failure: recorded (the cursor past what was handled before
    /// it), and the turn it makes.
    fn failed(
        &self,
        store: &mut Store,
        held: &mut Held,
        handled: i64,
        sent: usize,
        failure: Failure,
    ) -> Result<Turn> {
        let next = self.fail(store, held, handled, &failure)?;
        Ok(Turn::Failed {
            sent,
            reason: failure.reason().to_string(),
            next,
        })
    }

    /// Keeps where reading the chat stands (`token`), with the cursor past
    /// what was handled, while this deliverer holds the claim.
    fn read_to(&self, store: &mut Store, held: &mut Held, cursor: i64, token: String) -> Result<()> {
        let now = (self.clock)()?;
        let read = Delivery {
            chat: Some(token),
            ..held.moved(cursor, now)
        };
        self.put(store, held, read)?;
        Ok(())
    }

    /// The similar past incidents a declaration names, as `show` and
    /// `declare` list them: an incident an alert opened is announced here
    /// first. A read that fails costs the message this fact, never the
    /// message.
    fn seen_before(&self, store: &Store, incident: &Incident) -> Vec<SeenBefore> {
        if let Some(seen) = self.seen.borrow().get(&incident.id) {
            return seen.clone();
        }
        let related = crate::store::similar::read(
            &**store,
            incident,
            crate::store::similar::Scope::Recent,
            Some(crate::domain::similar::SHOWN),
        );
        let seen: Vec<SeenBefore> = related
            .unwrap_or_default()
            .into_iter()
            .map(|r| SeenBefore {
                key: key::format(self.prefix, r.incident.id),
                title: r.incident.title,
                declared_at: r.incident.declared_at,
                root_cause: r.root_cause,
                open_actions: r.open_actions.len(),
            })
            .collect();
        self.seen.borrow_mut().insert(incident.id, seen.clone());
        seen
    }

    /// Whether `d` wants its turn though nothing new arrived: a chat to
    /// read back, or a status page whose other inputs may have moved.
    fn turns_when_idle(&self, d: &Destination) -> bool {
        match &d.medium {
            Medium::Matrix(m) => m.room_per_incident,
            Medium::StatusPage(_) => true,
            _ => false,
        }
    }

    /// Stores `next` in place of the row as this deliverer last stored
    /// it, unless another deliverer changed the row since; `held` becomes
    /// `next`. `false`: it is another deliverer's now.
    fn put(&self, store: &Store, held: &mut Held, next: Delivery) -> Result<bool> {
        if !store.swap_delivery(Some(&held.row), &next)? {
            return Ok(false);
        }
        *held = Held::new(next);
        Ok(true)
    }

    /// The message for `event`, sent to `d` (and to the incident's own
    /// `room`, in `chat`, for a destination with a room per incident),
    /// naming the similar past incidents `seen_before`.
    fn send(
        &self,
        d: &Destination,
        chat: Option<&dyn Chat>,
        incident: &Incident,
        event: &Event,
        room: Option<&Room>,
        seen_before: Vec<SeenBefore>,
    ) -> Result<(), Failure> {
        let key = key::format(self.prefix, event.incident_id);
        // Unique per destination and event, and across a database made
        // anew (numbers start again; the times they were recorded do not).
        let id = format!("{}.{}.{}", d.name, event.id, event.recorded_at.timestamp());
        let mut message = Message {
            seen_before,
            ..Message::of(id, key.clone(), incident, event)
        };
        // A page this destination carries goes to the person: their
        // address for mail, their name said (a mention) in a room.
        let page_to: Vec<&Person> = crate::domain::notify::addressed(event)
            .iter()
            .filter(|p| d.route.pages.contains(p))
            .filter_map(|p| self.people.get(p))
            .collect();
        let for_people;
        let d = match &d.medium {
            Medium::Email(mail) if page_to.iter().any(|p| p.email.is_some()) => {
                for_people = Destination {
                    medium: Medium::Email(super::Email {
                        to: page_to.iter().filter_map(|p| p.email.clone()).collect(),
                        ..mail.clone()
                    }),
                    ..d.clone()
                };
                &for_people
            }
            Medium::Matrix(_) if page_to.iter().any(|p| p.matrix.is_some()) => {
                let users: Vec<&str> = page_to.iter().filter_map(|p| p.matrix.as_deref()).collect();
                message.text = format!("{}: {}", users.join(" "), message.text);
                d
            }
            _ => d,
        };
        if let Medium::Matrix(m) = &d.medium {
            // The incident's room first, then the team's: each under the
            // same transaction id, which the homeserver scopes per room.
            let bot = self.bot(d, m);
            if let (Some(chat), Some(room)) = (chat, room) {
                chat.say(&room.room, &message)?;
            }
            if let Some(named) = &m.room {
                bot.say(&bot.joined(named)?, &message)?;
            }
            return Ok(());
        }
        if let Medium::SlackBot(s) = &d.medium {
            // The incident's channel first, then the team's.
            if let (Some(chat), Some(room)) = (chat, room) {
                chat.say(&room.room, &message)?;
            }
            if let Some(channel) = &s.channel {
                self.slack_bot(d, s).say(channel, &message)?;
            }
            return Ok(());
        }
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

    /// The cursor moved past what was handled, and the claim given back.
    fn finish(&self, store: &mut Store, held: &mut Held, cursor: i64) -> Result<()> {
        let now = (self.clock)()?;
        let done = held.moved(cursor, now).released(&self.owner);
        self.put(store, held, done)?;
        Ok(())
    }

    /// After a failed send: the cursor past what was handled before it,
    /// then the failure; returns when it is tried again (`None`: parked).
    fn fail(
        &self,
        store: &mut Store,
        held: &mut Held,
        cursor: i64,
        failure: &Failure,
    ) -> Result<Option<DateTime<Utc>>> {
        let now = (self.clock)()?;
        let after = held.moved(cursor, now).failed(failure, now, fastrand::f64());
        let next = after.next_attempt;
        if self.put(store, held, after)? {
            return Ok(next);
        }
        // Another deliverer took it over meanwhile: its row says.
        store.refresh()?;
        Ok(store
            .deliveries()?
            .into_iter()
            .find(|x| x.destination == held.row.destination)
            .and_then(|x| x.next_attempt))
    }
}

/// A destination's row as this deliverer last stored it, and what it has
/// sent since.
struct Held {
    row: Delivery,
    /// Messages sent since the row was stored.
    unsaved: i64,
    /// When the row was stored.
    saved: std::time::Instant,
}

impl Held {
    fn new(row: Delivery) -> Held {
        Held {
            row,
            unsaved: 0,
            saved: std::time::Instant::now(),
        }
    }

    /// The row handled up to `cursor` at `now`, with what was sent since
    /// it was stored.
    fn moved(&self, cursor: i64, now: DateTime<Utc>) -> Delivery {
        self.row.advanced(cursor, self.unsaved, now)
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
