//! Notifications, as rules: which events a destination gets ([`Route`]),
//! what a message says whatever the medium ([`Message`]), and how a
//! destination's delivery moves — claimed, delivered, failed, parked
//! ([`Delivery`]); and what a chat message asks of the timeline ([`said`],
//! [`marks_timeline`]). The timeline is the outbox: a delivery is a cursor
//! over it, so nothing here sends, stores or reads a clock.

use super::{EntryKind, Event, EventData, EventKind, Incident, Status};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

named_enum! {
    /// Who an event is for: the responders, or customers (`update
    /// --external`, a status update).
    Audience {
        Internal = "internal",
        External = "external",
    }
}

impl Audience {
    pub fn of(kind: EventKind) -> Audience {
        match kind {
            EventKind::StatusUpdate => Audience::External,
            _ => Audience::Internal,
        }
    }
}

/// What a destination gets when its configuration names no `events`:
/// the moments the guides say stakeholders must hear of.
pub const DEFAULT_KINDS: &[EventKind] = &[
    EventKind::Declared,
    EventKind::SeverityChanged,
    EventKind::Escalated,
    EventKind::Comms,
    EventKind::StatusUpdate,
    EventKind::Resolved,
    EventKind::Reopened,
    EventKind::Canceled,
    EventKind::Acknowledged,
    EventKind::PageUnanswered,
];

/// Which events a destination gets; every part must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// `None`: every kind.
    pub kinds: Option<Vec<EventKind>>,
    /// Empty: any severity.
    pub severities: Vec<String>,
    /// Empty: any incident; else one touching one of these services.
    pub services: Vec<String>,
    /// Tags the incident must carry, each `key = value`.
    pub tags: Vec<(String, String)>,
    /// Internal events, customer-facing ones, or both.
    pub audiences: Vec<Audience>,
    /// Rehearsals too.
    pub drills: bool,
    /// The people whose pages this destination carries (set from
    /// `[people]`): a `paged` event naming one of them is sent here,
    /// whatever the rest of the route says.
    pub pages: Vec<String>,
}

impl Default for Route {
    fn default() -> Self {
        Route {
            kinds: Some(DEFAULT_KINDS.to_vec()),
            severities: Vec::new(),
            services: Vec::new(),
            tags: Vec::new(),
            audiences: vec![Audience::Internal, Audience::External],
            drills: false,
            pages: Vec::new(),
        }
    }
}

/// The people an event is for, when it is for people: the person paged,
/// the outgoing and incoming person of a shift change.
pub fn addressed(event: &Event) -> Vec<String> {
    match &event.data {
        EventData::Paged(p) => vec![p.person.clone()],
        EventData::ShiftChanged(h) => vec![h.from.clone(), h.to.clone()],
        _ => Vec::new(),
    }
}

impl Route {
    /// Whether the destination gets `event` of `incident` (as it stands).
    pub fn wants(&self, incident: &Incident, event: &Event) -> bool {
        if addressed(event).iter().any(|p| self.pages.contains(p)) {
            return true;
        }
        let kind = event.kind();
        self.kinds.as_ref().is_none_or(|k| k.contains(&kind))
            && (self.severities.is_empty() || self.severities.contains(&incident.severity))
            && (self.services.is_empty() || incident.services.iter().any(|s| self.services.contains(s)))
            && self
                .tags
                .iter()
                .all(|(k, v)| incident.tags.get(k).is_some_and(|have| have == v))
            && self.audiences.contains(&Audience::of(kind))
            && (self.drills || !incident.drill)
    }
}

/// One notification, whatever carries it: the key, severity, title, what
/// happened, the next update due and the incident's links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    /// Unique per event and destination: a receiver that sees it twice
    /// has seen a repeat.
    pub id: String,
    pub key: String,
    pub severity: String,
    pub status: Status,
    pub title: String,
    pub kind: EventKind,
    /// What happened, in a few words: "declared", "severity changed".
    pub headline: String,
    /// The timeline entry's words.
    pub text: String,
    pub author: String,
    pub at: DateTime<Utc>,
    /// Meant for customers (a status update).
    pub external: bool,
    pub drill: bool,
    pub commander: Option<String>,
    pub next_update: Option<DateTime<Utc>>,
    /// The incident's channels (chat rooms, bridges, documents).
    pub links: Vec<String>,
    /// On a declaration, the similar past incidents ("we saw this
    /// before"), most alike first.
    pub seen_before: Vec<SeenBefore>,
}

/// A similar past incident as a notification names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeenBefore {
    pub key: String,
    pub title: String,
    #[serde(with = "super::event::stamp")]
    pub declared_at: DateTime<Utc>,
    /// Its retrospective's root cause, if one was recorded.
    pub root_cause: Option<String>,
    /// How many of its action items are still open.
    pub open_actions: usize,
}

impl SeenBefore {
    /// One line: "INC-12 (2026-03-01) Checkout returns 500s, root cause:
    /// the pool, 1 open action item".
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} ({}) {}",
            self.key,
            self.declared_at.format("%Y-%m-%d"),
            self.title
        );
        if let Some(cause) = &self.root_cause {
            line.push_str(&format!(", root cause: {cause}"));
        }
        match self.open_actions {
            0 => {}
            1 => line.push_str(", 1 open action item"),
            n => line.push_str(&format!(", {n} open action items")),
        }
        line
    }
}

impl Message {
    /// The message for `event` of `incident` (as it stands), shown as
    /// `key`, with `id` as its idempotency key.
    pub fn of(id: String, key: String, incident: &Incident, event: &Event) -> Message {
        let kind = event.kind();
        Message {
            id,
            key,
            severity: incident.severity.clone(),
            status: incident.status,
            title: incident.title.clone(),
            kind,
            headline: headline(&event.data),
            text: event.text.clone(),
            author: event.author.clone(),
            at: event.at,
            external: Audience::of(kind) == Audience::External,
            drill: incident.drill,
            commander: incident
                .roles
                .iter()
                .find(|r| r.role == super::roles::COMMANDER)
                .map(|r| r.person.clone()),
            next_update: incident.next_update_at.filter(|_| incident.status.is_open()),
            links: incident.channels.clone(),
            seen_before: Vec::new(),
        }
    }

    /// One line: "[DRILL] INC-7 SEV1 declared: Checkout returns 500s".
    pub fn subject(&self) -> String {
        format!(
            "{}{} {} {}: {}",
            if self.drill { "[DRILL] " } else { "" },
            self.key,
            self.severity,
            self.headline,
            self.title
        )
    }
}

/// What happened, in a few words.
fn headline(data: &EventData) -> String {
    match data {
        EventData::Declared(_) => "declared".into(),
        EventData::SeverityChanged(s) => format!("severity {} → {}", s.from, s.to),
        EventData::StatusChanged(s) => format!("{} → {}", s.from, s.to),
        EventData::Escalated(e) => format!("escalated to {}", e.to.join(", ")),
        EventData::Comms(_) => "update".into(),
        EventData::StatusUpdate(_) => "customer update".into(),
        EventData::Resolved(_) => "resolved".into(),
        EventData::Reopened(_) => "reopened".into(),
        EventData::Canceled(_) => "canceled".into(),
        EventData::Closed(_) => "closed".into(),
        EventData::RoleAssigned(r) => format!("{} is {}", r.person, r.role),
        EventData::RoleHandover(h) => format!("{} hands {} to {}", h.previous, h.role, h.person),
        EventData::Paged(p) => format!("page for {}", p.person),
        EventData::PageUnanswered(_) => "page unanswered".into(),
        EventData::ShiftChanged(h) => format!("{} hands over to {}", h.from, h.to),
        other => other.kind().as_str().replace('_', " "),
    }
}

/// How long a claim on a destination lasts unless renewed: longer than
/// any one send may take, so a healthy deliverer keeps it.
pub const LEASE: Duration = Duration::seconds(60);

/// The first wait after a failure; each further failure doubles it, up to
/// [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::seconds(5);
pub const MAX_BACKOFF: Duration = Duration::minutes(10);

/// Where one destination's delivery stands, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub destination: String,
    /// The arrival number of the last event handled (delivered or not
    /// wanted): the next starts after it.
    pub cursor: i64,
    /// Who is delivering, until when.
    pub lease: Option<Lease>,
    /// Failures in a row.
    pub attempts: u32,
    /// Not before then (after a failure).
    pub next_attempt: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Since when it has failed without a success between.
    pub failing_since: Option<DateTime<Utc>>,
    /// Why it stopped until someone retries it (a permanent error).
    pub parked: Option<String>,
    /// How many messages it has taken.
    pub delivered: i64,
    /// Where its reading of the chat stands (a Matrix sync token): what
    /// was said after it is read next. The chat's own, opaque: not shown.
    #[serde(skip)]
    pub chat: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lease {
    pub owner: String,
    pub until: DateTime<Utc>,
}

/// Why a send failed, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Down, slow, overloaded or rate-limited: try again later (not before
    /// `retry_after`, when the receiver said so).
    Transient {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// Refused for good (a revoked webhook, a bad token): parked until
    /// someone fixes it and runs `incident deliveries retry`.
    Permanent { reason: String },
}

impl Failure {
    /// The failure an HTTP status means (never called for a success).
    pub fn of_status(status: u16, retry_after: Option<Duration>, said: &str) -> Failure {
        let said = said.trim();
        let reason = match said.is_empty() {
            true => format!("HTTP {status}"),
            false => format!("HTTP {status}: {}", said.chars().take(200).collect::<String>()),
        };
        match status {
            408 | 425 | 429 | 500..=599 => Failure::Transient { reason, retry_after },
            _ => Failure::Permanent { reason },
        }
    }

    pub fn reason(&self) -> &str {
        match self {
            Failure::Transient { reason, .. } | Failure::Permanent { reason } => reason,
        }
    }
}

/// The wait before attempt `attempts + 1`: doubling from
/// [`FIRST_BACKOFF`] up to [`MAX_BACKOFF`], the second half jittered by
/// `jitter` (0..1) so deliverers that failed together do not retry
/// together. Whole seconds, as times are stored.
pub fn backoff(attempts: u32, jitter: f64) -> Duration {
    let exp = FIRST_BACKOFF
        .num_milliseconds()
        .saturating_mul(1i64 << attempts.min(20));
    let cap = exp.min(MAX_BACKOFF.num_milliseconds());
    let jitter = jitter.clamp(0.0, 1.0);
    let ms = cap / 2 + ((cap / 2) as f64 * jitter) as i64;
    Duration::seconds((ms + 999) / 1000)
}

impl Delivery {
    /// A destination seen for the first time: it starts after `newest`, so
    /// it gets what is recorded from now on, not the whole history.
    pub fn new(destination: &str, newest: i64) -> Delivery {
        Delivery {
            destination: destination.to_string(),
            cursor: newest,
            lease: None,
            attempts: 0,
            next_attempt: None,
            last_success: None,
            last_error: None,
            failing_since: None,
            parked: None,
            delivered: 0,
            chat: None,
        }
    }

    /// Whether `owner` holds it at `now`.
    pub fn held_by(&self, owner: &str, now: DateTime<Utc>) -> bool {
        self.lease
            .as_ref()
            .is_some_and(|l| l.owner == owner && l.until > now)
    }

    /// `owner`'s claim at `now`, or `None` while another deliverer holds
    /// it, it is parked, or it waits after a failure.
    pub fn claim(&self, owner: &str, now: DateTime<Utc>) -> Option<Delivery> {
        let taken = self
            .lease
            .as_ref()
            .is_some_and(|l| l.owner != owner && l.until > now);
        let waiting = self.next_attempt.is_some_and(|t| t > now);
        if taken || waiting || self.parked.is_some() {
            return None;
        }
        Some(Delivery {
            lease: Some(Lease {
                owner: owner.to_string(),
                until: now + LEASE,
            }),
            ..self.clone()
        })
    }

    /// Handled up to arrival `cursor` at `now`: `sent` messages taken.
    pub fn advanced(&self, cursor: i64, sent: i64, now: DateTime<Utc>) -> Delivery {
        let succeeded = sent > 0;
        Delivery {
            cursor: cursor.max(self.cursor),
            lease: self.lease.as_ref().map(|l| Lease {
                owner: l.owner.clone(),
                until: now + LEASE,
            }),
            attempts: if succeeded { 0 } else { self.attempts },
            next_attempt: if succeeded { None } else { self.next_attempt },
            last_success: if succeeded { Some(now) } else { self.last_success },
            failing_since: if succeeded { None } else { self.failing_since },
            delivered: self.delivered + sent,
            ..self.clone()
        }
    }

    /// After `failure` at `now`: retried later, or parked; the lease is
    /// given up either way.
    pub fn failed(&self, failure: &Failure, now: DateTime<Utc>, jitter: f64) -> Delivery {
        let (next_attempt, parked) = match failure {
            Failure::Transient { retry_after, .. } => {
                let wait = backoff(self.attempts, jitter).max(retry_after.unwrap_or_else(Duration::zero));
                (Some(now + wait), None)
            }
            Failure::Permanent { reason } => (None, Some(reason.clone())),
        };
        Delivery {
            lease: None,
            attempts: self.attempts.saturating_add(1),
            next_attempt,
            last_error: Some(failure.reason().to_string()),
            failing_since: self.failing_since.or(Some(now)),
            parked,
            ..self.clone()
        }
    }

    /// Given up by `owner` (its round is over).
    pub fn released(&self, owner: &str) -> Delivery {
        Delivery {
            lease: self.lease.clone().filter(|l| l.owner != owner),
            ..self.clone()
        }
    }

    /// Unparked, to be tried at once (`incident deliveries retry`).
    pub fn retried(&self) -> Delivery {
        Delivery {
            parked: None,
            next_attempt: None,
            attempts: 0,
            ..self.clone()
        }
    }

    /// Why `check` reports it at `now`, when it has been parked or
    /// failing for longer than `grace`.
    pub fn trouble(&self, now: DateTime<Utc>, grace: Duration) -> Option<String> {
        let since = self.failing_since?;
        if now - since < grace {
            return None;
        }
        let error = self.last_error.as_deref().unwrap_or("no reason recorded");
        Some(match &self.parked {
            Some(_) => format!("parked since {}: {error}", crate::time::to_rfc3339(since)),
            None => format!("failing since {}: {error}", crate::time::to_rfc3339(since)),
        })
    }
}

/// The chat room a destination opened for an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Room {
    pub destination: String,
    pub incident_id: i64,
    /// The chat's id for it (`!abc:example.org`).
    pub room: String,
    /// Where people open it (recorded as one of the incident's channels).
    pub link: String,
    /// The topic last set there.
    pub topic: Option<String>,
}

/// What a chat message asks of the timeline: `!note`, `!decision`,
/// `!action` or `!update` and the words to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Said {
    Entry {
        kind: EntryKind,
        text: String,
    },
    /// The command with nothing after it: nothing to record.
    Empty(EntryKind),
    /// `ack` or `!ack`: the sender takes the incident (a page stops).
    Ack,
}

/// The chat commands, as typed after `!`; `!update` is an internal update
/// (`update --kind comms`), the words stakeholders are sent.
pub const COMMANDS: &[(&str, EntryKind)] = &[
    ("note", EntryKind::Note),
    ("decision", EntryKind::Decision),
    ("action", EntryKind::Action),
    ("update", EntryKind::Comms),
];

/// What `body` asks of the timeline, if it starts with a command (any
/// case, the words after it on any lines). `None`: chat, not a command.
pub fn said(body: &str) -> Option<Said> {
    let body = body.trim_start();
    let bare = body.trim_end().trim_start_matches('!');
    if bare.eq_ignore_ascii_case("ack") {
        return Some(Said::Ack);
    }
    let rest = body.strip_prefix('!')?;
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let (word, text) = rest.split_at(end);
    let kind = COMMANDS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(word))
        .map(|(_, kind)| *kind)?;
    let text = text.trim();
    Some(match text.is_empty() {
        true => Said::Empty(kind),
        false => Said::Entry {
            kind,
            text: text.to_string(),
        },
    })
}

/// The reaction that puts a message on the timeline: ⏱ (stopwatch), with
/// or without the emoji presentation selector chat clients add.
pub const TIMELINE_REACTION: &str = "⏱";

pub fn marks_timeline(key: &str) -> bool {
    key.trim_end_matches('\u{fe0f}') == TIMELINE_REACTION
}

/// A message's own words: the quote a reply starts with (Matrix's reply
/// fallback, `> ` lines and a blank line) left out.
pub fn own_words(body: &str) -> &str {
    if !body.starts_with('>') {
        return body;
    }
    match body.split_once("\n\n") {
        Some((quote, rest)) if quote.lines().all(|l| l.starts_with('>')) => rest,
        _ => body,
    }
}

/// The words a ⏱ on someone else's message records: whose they were
/// (`by`, as the timeline names people), then theirs.
pub fn relayed(by: &str, words: &str) -> String {
    format!("{by}: {words}")
}

/// The local part of the alias of the room a destination opens for an
/// incident (`incident-ops-inc-7-3f2a9c1d04be`): the same for the same
/// incident (its identity `uid`, which survives export and import), so a
/// deliverer that finds it taken takes the room behind it instead of
/// opening a second one. Lower case letters, digits, `.`, `_` and `-` only.
pub fn room_alias(destination: &str, key: &str, uid: &str) -> String {
    let uid: String = uid
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(12)
        .collect();
    format!("incident-{destination}-{key}-{uid}")
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '.' | '_' | '-') => c,
            _ => '-',
        })
        .collect()
}

/// Slack's longest channel name (`conversations.create`).
pub const CHANNEL_NAME_CHARS: usize = 80;

/// The name of the Slack channel a destination opens for an incident, the
/// `nth` tried (from 1): `inc-42-checkout-returns-500s`, then
/// `inc-42-checkout-returns-500s-2`, … when a channel of someone else's
/// has the name. Slack takes lower case letters, digits, `-` and `_`, at
/// most 80: anything else becomes one `-`, and the title is cut to fit.
pub fn channel_name(key: &str, title: &str, nth: u32) -> String {
    let mut name = String::new();
    for c in format!("{key}-{title}").chars().flat_map(char::to_lowercase) {
        let c = match c {
            'a'..='z' | '0'..='9' | '_' => c,
            _ => '-',
        };
        if c != '-' || !(name.is_empty() || name.ends_with('-')) {
            name.push(c);
        }
    }
    let suffix = match nth {
        0 | 1 => String::new(),
        n => format!("-{n}"),
    };
    let mut name: String = name.chars().take(CHANNEL_NAME_CHARS - suffix.len()).collect();
    while name.ends_with('-') {
        name.pop();
    }
    name + &suffix
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RoleHolder;
    use crate::domain::event::{Promise, SeverityMove};

    fn t(hm: &str) -> DateTime<Utc> {
        format!("2026-11-23T{hm}:00Z").parse().unwrap()
    }

    fn event(data: EventData, text: &str) -> Event {
        Event {
            id: 7,
            incident_id: 1,
            at: t("08:05"),
            recorded_at: t("08:05"),
            author: "alice".into(),
            text: text.into(),
            data,
        }
    }

    #[test]
    fn the_default_route_takes_the_moments_stakeholders_hear_of_and_no_drills() {
        let route = Route::default();
        let incident = Incident::example();
        assert!(route.wants(&incident, &event(EventData::Comms(None), "Rolling back")));
        assert!(route.wants(&incident, &event(EventData::StatusUpdate(None), "We are on it")));
        assert!(!route.wants(&incident, &event(EventData::Note, "looked at logs")));
        let drill = Incident {
            drill: true,
            ..Incident::example()
        };
        assert!(!route.wants(&drill, &event(EventData::Comms(None), "x")));
        let drills = Route {
            drills: true,
            ..Route::default()
        };
        assert!(drills.wants(&drill, &event(EventData::Comms(None), "x")));
    }

    #[test]
    fn every_part_of_a_route_must_hold() {
        let incident = Incident {
            services: vec!["checkout".into()],
            tags: [("team".to_string(), "payments".to_string())].into(),
            ..Incident::example()
        };
        let update = event(EventData::Comms(None), "x");
        let external = event(EventData::StatusUpdate(None), "x");
        let route = |f: fn(&mut Route)| {
            let mut r = Route::default();
            f(&mut r);
            r
        };
        assert!(route(|r| r.severities = vec!["SEV1".into()]).wants(&incident, &update));
        assert!(!route(|r| r.severities = vec!["SEV2".into()]).wants(&incident, &update));
        assert!(route(|r| r.services = vec!["checkout".into(), "search".into()]).wants(&incident, &update));
        assert!(!route(|r| r.services = vec!["search".into()]).wants(&incident, &update));
        assert!(route(|r| r.tags = vec![("team".into(), "payments".into())]).wants(&incident, &update));
        assert!(!route(|r| r.tags = vec![("team".into(), "search".into())]).wants(&incident, &update));
        let customers = route(|r| r.audiences = vec![Audience::External]);
        assert!(customers.wants(&incident, &external));
        assert!(!customers.wants(&incident, &update));
        let everything = route(|r| r.kinds = None);
        assert!(everything.wants(&incident, &event(EventData::Note, "x")));
    }

    #[test]
    fn a_message_carries_the_key_severity_what_happened_next_update_and_links() {
        let incident = Incident {
            channels: vec!["https://chat/room".into()],
            roles: vec![RoleHolder {
                role: "commander".into(),
                person: "alice".into(),
            }],
            next_update_at: Some(t("08:35")),
            ..Incident::example()
        };
        let raised = event(
            EventData::SeverityChanged(SeverityMove {
                from: "SEV2".into(),
                to: "SEV1".into(),
                reason: None,
            }),
            "Severity SEV2 → SEV1",
        );
        let m = Message::of("d:7".into(), "INC-1".into(), &incident, &raised);
        assert_eq!(
            m.subject(),
            "INC-1 SEV1 severity SEV2 → SEV1: Checkout returns 500s"
        );
        assert_eq!(m.commander.as_deref(), Some("alice"));
        assert_eq!(m.next_update, Some(t("08:35")));
        assert_eq!(m.links, ["https://chat/room"]);
        assert!(!m.external);
        let update = event(
            EventData::StatusUpdate(Some(Promise {
                next_update_at: t("09:00"),
            })),
            "Fixed for most",
        );
        let resolved = Incident {
            status: Status::Resolved,
            drill: true,
            ..incident
        };
        let m = Message::of("d:8".into(), "INC-1".into(), &resolved, &update);
        assert!(m.external);
        assert_eq!(m.next_update, None, "no update is due once resolved");
        assert_eq!(
            m.subject(),
            "[DRILL] INC-1 SEV1 customer update: Checkout returns 500s"
        );
    }

    #[test]
    fn failures_back_off_doubling_with_jitter_and_honour_retry_after() {
        assert_eq!(backoff(0, 0.0), Duration::seconds(3));
        assert_eq!(backoff(0, 1.0), FIRST_BACKOFF);
        assert_eq!(backoff(3, 1.0), Duration::seconds(40));
        assert_eq!(backoff(30, 1.0), MAX_BACKOFF);
        let d = Delivery::new("chat", 10).claim("me", t("08:00")).unwrap();
        let slow = Failure::of_status(429, Some(Duration::minutes(2)), "slow down");
        let after = d.failed(&slow, t("08:00"), 0.0);
        assert_eq!(
            after.next_attempt,
            Some(t("08:02")),
            "Retry-After is longer than the backoff"
        );
        assert_eq!(after.lease, None);
        assert_eq!(after.attempts, 1);
        assert_eq!(after.claim("me", t("08:01")), None, "waits");
        assert!(after.claim("other", t("08:02")).is_some());
        // A success clears the trouble and moves the cursor.
        let ok = after.claim("me", t("08:02")).unwrap().advanced(12, 1, t("08:02"));
        assert_eq!(
            (ok.cursor, ok.attempts, ok.failing_since, ok.delivered),
            (12, 0, None, 1)
        );
    }

    #[test]
    fn a_permanent_error_parks_until_retried_and_check_hears_of_it_after_the_grace() {
        let d = Delivery::new("chat", 0).claim("me", t("08:00")).unwrap();
        let gone = Failure::of_status(404, None, "no_service");
        assert_eq!(
            gone,
            Failure::Permanent {
                reason: "HTTP 404: no_service".into()
            }
        );
        let parked = d.failed(&gone, t("08:00"), 0.5);
        assert_eq!(parked.claim("me", t("09:00")), None);
        assert_eq!(parked.trouble(t("08:10"), Duration::minutes(15)), None);
        assert_eq!(
            parked.trouble(t("08:15"), Duration::minutes(15)).unwrap(),
            "parked since 2026-11-23T08:00:00Z: HTTP 404: no_service"
        );
        assert!(parked.retried().claim("me", t("09:00")).is_some());
        assert!(matches!(
            Failure::of_status(503, None, ""),
            Failure::Transient { .. }
        ));
    }

    #[test]
    fn one_deliverer_holds_a_destination_until_its_lease_ends() {
        let d = Delivery::new("chat", 0);
        let mine = d.claim("a", t("08:00")).unwrap();
        assert!(mine.held_by("a", t("08:00")));
        assert_eq!(mine.claim("b", t("08:00")), None);
        assert!(
            mine.claim("b", t("08:00") + LEASE).is_some(),
            "a lease that ran out"
        );
        assert!(mine.released("a").claim("b", t("08:00")).is_some());
        // Renewed as it delivers.
        let later = mine.advanced(3, 1, t("08:00") + Duration::seconds(50));
        assert!(later.held_by("a", t("08:01") + Duration::seconds(30)));
    }

    #[test]
    fn chat_commands_are_read_in_any_case_and_chat_is_not() {
        assert_eq!(
            said("!note seen in logs"),
            Some(Said::Entry {
                kind: EntryKind::Note,
                text: "seen in logs".into()
            })
        );
        assert_eq!(
            said("  !Decision roll back\nnow"),
            Some(Said::Entry {
                kind: EntryKind::Decision,
                text: "roll back\nnow".into()
            })
        );
        assert_eq!(
            said("!update   Rolling back").map(|s| match s {
                Said::Entry { kind, .. } => Some(kind),
                Said::Empty(k) => Some(k),
                Said::Ack => None,
            }),
            Some(Some(EntryKind::Comms))
        );
        assert_eq!(said("!action"), Some(Said::Empty(EntryKind::Action)));
        assert_eq!(said("!notes are here"), None);
        assert_eq!(said("ACK"), Some(Said::Ack));
        assert_eq!(said(" !ack \n"), Some(Said::Ack));
        assert_eq!(said("ack, looking"), None);
        assert_eq!(said("see !note"), None);
        assert_eq!(said("hello"), None);
        assert_eq!(said("!"), None);
    }

    #[test]
    fn the_stopwatch_marks_the_timeline_and_a_reply_keeps_its_own_words() {
        assert!(marks_timeline("⏱"));
        assert!(marks_timeline("⏱\u{fe0f}"));
        assert!(!marks_timeline("👍"));
        assert!(!marks_timeline("⏱⏱"));
        assert_eq!(own_words("> <@bob:x> 500s\n> more\n\nsame here"), "same here");
        assert_eq!(own_words("> not a quote"), "> not a quote");
        assert_eq!(own_words("plain"), "plain");
        assert_eq!(relayed("bob", "DB failed over"), "bob: DB failed over");
    }

    #[test]
    fn a_room_alias_is_one_word_the_same_for_the_same_incident() {
        let uid = "3F2A9C1D-04BE-4C7A-9E1B-2D3C4B5A6F70";
        assert_eq!(
            room_alias("ops-matrix", "INC-7", uid),
            "incident-ops-matrix-inc-7-3f2a9c1d04be"
        );
        assert_eq!(
            room_alias("ops:chat #1", "INC-7", uid),
            "incident-ops-chat--1-inc-7-3f2a9c1d04be"
        );
        assert_ne!(room_alias("a", "INC-7", uid), room_alias("b", "INC-7", uid));
    }
    #[test]
    fn a_channel_name_is_the_key_and_title_in_what_slack_takes() {
        assert_eq!(
            channel_name("INC-42", "Checkout returns 500s", 1),
            "inc-42-checkout-returns-500s"
        );
        assert_eq!(
            channel_name("INC-42", "Checkout returns 500s", 2),
            "inc-42-checkout-returns-500s-2"
        );
        assert_eq!(
            channel_name("INC-7", "  <b>Café</b> & \"DB\" down!\n", 1),
            "inc-7-b-caf-b-db-down"
        );
        assert_eq!(channel_name("INC-7", "—", 1), "inc-7");
        let long = channel_name("INC-7", &"very long title ".repeat(20), 12);
        assert!(long.chars().count() <= CHANNEL_NAME_CHARS, "{long}");
        assert!(long.ends_with("-title-12") || long.ends_with("-12"), "{long}");
        assert!(!long.contains("--"), "{long}");
        for name in [long, channel_name("X-1", "ÄÖÜ ß_ok", 1)] {
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'),
                "{name}"
            );
        }
    }
}
