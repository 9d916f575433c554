//! Response targets: when each one is due and whether it was met.
//!
//! Pure: the incident, the facts its targets depend on ([`Facts`]), the
//! configured levels and the clock go in; deadlines come out. `check`,
//! `show`, `comms` and `stats` all read their deadlines from here, so they
//! never disagree. The store gathers the facts from state columns and a
//! partial index; [`Facts::from_events`] (tests only) defines them from the
//! timeline itself, and the store's tests check the two agree.
//!
//! The rules:
//!
//! - **acknowledge**: met when a commander is first assigned (`role_assigned`
//!   or `role_handover` with `details.role == "commander"`);
//! - **triage**: met at the first `assessed` event;
//! - **remediate**: met when the incident is resolved;
//! - **retro**: counts from resolution; met when the incident is closed;
//! - **update**: while open, due every `update` interval since the last
//!   `status_update` or `comms` event (or since the declaration when there is
//!   none), or at the `next_update_at` that last update promised, whichever
//!   is earlier. A level without a cadence has no update target, except that
//!   a promise made to customers is still a deadline. The target recurs: each
//!   update meets one instance and starts the next.
//!
//! Every target but retro counts from the declaration.
//!
//! **Severity changes.** A target that is not met yet is due by the targets
//! of the severity in force *now*: raising an incident to SEV1 pulls its
//! deadlines in (possibly into the past, which is what an on-call team
//! expects: a SEV1 without a commander after an hour is a missed target, not
//! a fresh 30 minutes). A target already met is judged by the severity in
//! force *when it was met*, so a later escalation never turns an on-time
//! acknowledgement into a late one after the fact.

#[cfg(test)]
use crate::domain::Event;
use crate::domain::{EventData, EventKind, Incident, Status};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// A severity level and its response targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    pub name: String,
    pub description: String,
    pub acknowledge: Duration,
    pub triage: Duration,
    /// `None`: no status-update cadence at this level.
    pub update: Option<Duration>,
    pub remediate: Duration,
    pub retro: Duration,
}

impl Level {
    /// The description's words before its ':' ("critical"), when there are.
    pub fn short_name(&self) -> Option<&str> {
        let (short, _) = self.description.split_once(':')?;
        let short = short.trim();
        (!short.is_empty()).then_some(short)
    }

    /// The levels a team starts with, most severe first: SEV1 critical,
    /// SEV2 major, SEV3 minor, with the usual response targets.
    pub fn defaults() -> Vec<Level> {
        let level = |name: &str,
                     description: &str,
                     ack: i64,
                     triage: i64,
                     update: Option<i64>,
                     fix: i64,
                     retro: i64| {
            Level {
                name: name.into(),
                description: description.into(),
                acknowledge: Duration::minutes(ack),
                triage: Duration::minutes(triage),
                update: update.map(Duration::minutes),
                remediate: Duration::minutes(fix),
                retro: Duration::minutes(retro),
            }
        };
        const H: i64 = 60;
        const D: i64 = 24 * H;
        vec![
            level(
                "SEV1",
                "critical: a customer-facing service is down for all customers, or confidentiality/privacy is breached, or customer data is lost",
                30,
                H,
                Some(H),
                D,
                36 * H,
            ),
            level(
                "SEV2",
                "major: a customer-facing service is down for a subset of customers, or core functionality is significantly impaired",
                4 * H,
                12 * H,
                Some(4 * H),
                3 * D,
                3 * D,
            ),
            level(
                "SEV3",
                "minor: partial loss of functionality, a workaround exists, or the impact is internal only",
                D,
                D,
                None,
                7 * D,
                7 * D,
            ),
        ]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Acknowledge,
    Triage,
    Update,
    Remediate,
    Retro,
}

impl Target {
    pub const ALL: &'static [Target] = &[
        Target::Acknowledge,
        Target::Triage,
        Target::Update,
        Target::Remediate,
        Target::Retro,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Target::Acknowledge => "acknowledge",
            Target::Triage => "triage",
            Target::Update => "update",
            Target::Remediate => "remediate",
            Target::Retro => "retro",
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Met at or before its deadline.
    OnTime,
    /// Met, after its deadline.
    Late,
    /// Not met, and its deadline has passed.
    Missed,
    /// Not met, due within the warning window.
    DueSoon,
    /// Not met, due later than the warning window.
    Pending,
}

impl Outcome {
    pub fn is_met(self) -> bool {
        matches!(self, Outcome::OnTime | Outcome::Late)
    }
}

/// One deadline of one incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub target: Target,
    pub due: DateTime<Utc>,
    /// When it was met, if it was.
    pub met_at: Option<DateTime<Utc>>,
    pub outcome: Outcome,
    /// The severity level whose targets set `due`.
    pub severity: String,
    /// False for a recurring target's earlier instances (past status updates).
    pub current: bool,
}

/// Everything about one incident's targets.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// Every deadline: the one-off targets, each status-update instance
    /// (earlier ones with `current == false`), in target order.
    pub deadlines: Vec<Deadline>,
    /// The last `status_update` or `comms` event, if any.
    pub last_update: Option<LastUpdate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastUpdate {
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub author: String,
    /// The next update it promised, if it did.
    pub promised: Option<DateTime<Utc>>,
}

impl Targets {
    /// The current deadline of a target, if it has one.
    pub fn current(&self, target: Target) -> Option<&Deadline> {
        self.deadlines.iter().find(|d| d.target == target && d.current)
    }

    /// When the next status update is due, while the incident is open.
    pub fn next_update(&self) -> Option<&Deadline> {
        self.current(Target::Update).filter(|d| d.met_at.is_none())
    }
}

/// What the targets read from a timeline, gathered once: `evaluate` takes it
/// from the events, `stats` from the state columns and one narrow query.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The first commander assignment.
    pub acknowledged: Option<DateTime<Utc>>,
    /// The first assessment.
    pub triaged: Option<DateTime<Utc>>,
    /// The level at declaration (`None`: the incident's current level).
    pub initial_severity: Option<String>,
    /// Every `severity_changed` event, in time order: when, and to what.
    pub severity_changes: Vec<(DateTime<Utc>, String)>,
    /// Every `status_update` and `comms` event, in time order.
    pub updates: Vec<UpdateFact>,
}

/// One status update as the update target sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateFact {
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub author: String,
    /// The `next_update_at` it recorded, if any (whether later than `at` or not).
    pub promised: Option<DateTime<Utc>>,
}

impl UpdateFact {
    /// The update an event makes, if it is one that counts.
    pub fn of(at: DateTime<Utc>, author: &str, data: &EventData) -> Option<UpdateFact> {
        data.as_update().map(|promised| UpdateFact {
            at,
            kind: data.kind(),
            author: author.to_string(),
            promised,
        })
    }
}

/// The kinds of event the targets read besides the milestones: the update
/// history and the severity changes.
pub const HISTORY_KINDS: &[EventKind] = &[
    EventKind::SeverityChanged,
    EventKind::StatusUpdate,
    EventKind::Comms,
];

/// When the acknowledge and triage targets were first met, as kept on the
/// incident: the first commander assignment and the first assessment by
/// when they happened, so a backdated entry moves them back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Milestones {
    pub acknowledged: Option<DateTime<Utc>>,
    pub triaged: Option<DateTime<Utc>>,
}

impl Milestones {
    /// Whether an event can move a milestone.
    pub fn marks(data: &EventData) -> bool {
        data.acknowledges() || data.kind() == EventKind::Assessed
    }

    /// Takes in one event that happened at `at`: the earliest time wins.
    pub fn absorb(&mut self, at: DateTime<Utc>, data: &EventData) {
        let earliest = |slot: &mut Option<DateTime<Utc>>| {
            *slot = Some(slot.map_or(at, |t| t.min(at)));
        };
        if data.acknowledges() {
            earliest(&mut self.acknowledged);
        }
        if data.kind() == EventKind::Assessed {
            earliest(&mut self.triaged);
        }
    }

    /// The milestones of a whole timeline, in any order.
    pub fn of<'a>(events: impl IntoIterator<Item = (DateTime<Utc>, &'a EventData)>) -> Milestones {
        let mut marks = Milestones::default();
        for (at, data) in events {
            marks.absorb(at, data);
        }
        marks
    }
}

/// The level an incident was declared at, from its events in time order:
/// what the `declared` event says, or else what the first severity change
/// changed from (`None`: nothing says, so the current level).
pub fn initial_severity<'a>(events: impl IntoIterator<Item = &'a EventData>) -> Option<String> {
    let mut first_change = None;
    for data in events {
        match data {
            EventData::Declared(d) => return Some(d.severity.clone()),
            EventData::SeverityChanged(m) if first_change.is_none() => first_change = Some(m.from.clone()),
            _ => {}
        }
    }
    first_change
}

#[cfg(test)]
impl Facts {
    /// The facts as the incident's timeline defines them (events in any
    /// order; other incidents' events and unrelated kinds are ignored): the
    /// reference the store's columns and indexes are tested against.
    pub fn from_events(incident: &Incident, events: &[Event]) -> Facts {
        let mut events: Vec<&Event> = events.iter().filter(|e| e.incident_id == incident.id).collect();
        events.sort_by_key(|e| (e.at, e.id));
        let severity_changes: Vec<(DateTime<Utc>, String)> = events
            .iter()
            .filter_map(|e| match &e.data {
                EventData::SeverityChanged(m) => Some((e.at, m.to.clone())),
                _ => None,
            })
            .collect();
        let marks = Milestones::of(events.iter().map(|e| (e.at, &e.data)));
        Facts {
            acknowledged: marks.acknowledged,
            triaged: marks.triaged,
            initial_severity: initial_severity(events.iter().map(|e| &e.data)),
            severity_changes,
            updates: events
                .iter()
                .filter_map(|e| UpdateFact::of(e.at, &e.author, &e.data))
                .collect(),
        }
    }
}

/// [`evaluate_facts`] on the facts of the incident's events: how the unit
/// tests below state their cases.
#[cfg(test)]
pub fn evaluate(
    incident: &Incident,
    events: &[Event],
    levels: &[Level],
    now: DateTime<Utc>,
    within: Duration,
) -> Targets {
    evaluate_facts(
        incident,
        &Facts::from_events(incident, events),
        levels,
        now,
        within,
    )
}

/// Computes the incident's deadlines as of `now`; anything due within
/// `within` of `now` is [`Outcome::DueSoon`].
pub fn evaluate_facts(
    incident: &Incident,
    facts: &Facts,
    levels: &[Level],
    now: DateTime<Utc>,
    within: Duration,
) -> Targets {
    let history = SeverityHistory {
        initial: facts
            .initial_severity
            .as_deref()
            .unwrap_or(incident.severity.as_str()),
        changes: &facts.severity_changes,
    };
    let level = |name: &str| levels.iter().find(|l| l.name == name);
    let classify = |due: DateTime<Utc>| {
        if now > due {
            Outcome::Missed
        } else if due - now <= within {
            Outcome::DueSoon
        } else {
            Outcome::Pending
        }
    };
    // A one-off target: met at `met`, due `span` after `from` at the
    // severity that applies (when met, or now).
    let one_off = |target: Target,
                   from: DateTime<Utc>,
                   met: Option<DateTime<Utc>>,
                   span: fn(&Level) -> Duration|
     -> Option<Deadline> {
        let severity = match met {
            Some(at) => history.at(at),
            None => incident.severity.as_str(),
        };
        let due = from + span(level(severity)?);
        let outcome = match met {
            Some(at) if at <= due => Outcome::OnTime,
            Some(_) => Outcome::Late,
            None => classify(due),
        };
        Some(Deadline {
            target,
            due,
            met_at: met,
            outcome,
            severity: severity.to_string(),
            current: true,
        })
    };

    let declared = incident.declared_at;
    let open = incident.status.is_open();
    let resolved = if open { None } else { incident.resolved_at };
    let mut out = Targets::default();

    out.deadlines
        .extend(one_off(Target::Acknowledge, declared, facts.acknowledged, |l| {
            l.acknowledge
        }));
    out.deadlines
        .extend(one_off(Target::Triage, declared, facts.triaged, |l| l.triage));

    // Status updates: each one meets the instance that was running.
    let mut base = declared;
    let mut promised: Option<DateTime<Utc>> = None;
    for e in &facts.updates {
        if resolved.is_some_and(|end| e.at > end) {
            break;
        }
        let severity = history.at(e.at);
        if let Some(due) = update_due(base, promised, level(severity)) {
            out.deadlines.push(Deadline {
                target: Target::Update,
                due,
                met_at: Some(e.at),
                outcome: if e.at <= due {
                    Outcome::OnTime
                } else {
                    Outcome::Late
                },
                severity: severity.to_string(),
                current: false,
            });
        }
        base = base.max(e.at);
        promised = e.promised.filter(|t| *t > e.at);
        out.last_update = Some(LastUpdate {
            at: e.at,
            kind: e.kind,
            author: e.author.clone(),
            promised,
        });
    }
    match resolved {
        None if open => {
            let severity = incident.severity.as_str();
            if let Some(due) = update_due(base, promised, level(severity)) {
                out.deadlines.push(Deadline {
                    target: Target::Update,
                    due,
                    met_at: None,
                    outcome: classify(due),
                    severity: severity.to_string(),
                    current: true,
                });
            }
        }
        // Resolved: an update that fell due before resolution was missed
        // for good; one due after it was no longer owed.
        Some(end) => {
            let severity = history.at(end);
            if let Some(due) = update_due(base, promised, level(severity))
                && due < end
            {
                out.deadlines.push(Deadline {
                    target: Target::Update,
                    due,
                    met_at: None,
                    outcome: Outcome::Missed,
                    severity: severity.to_string(),
                    current: false,
                });
            }
        }
        None => {}
    }

    out.deadlines
        .extend(one_off(Target::Remediate, declared, resolved, |l| l.remediate));
    if let Some(end) = resolved {
        let closed = match incident.status {
            Status::Closed => Some(incident.closed_at.unwrap_or(end)),
            _ => None,
        };
        out.deadlines
            .extend(one_off(Target::Retro, end, closed, |l| l.retro));
    }
    out
}

/// The next update's deadline: the cadence from `base` or the promise,
/// whichever is earlier; `None` when there is neither.
fn update_due(
    base: DateTime<Utc>,
    promised: Option<DateTime<Utc>>,
    level: Option<&Level>,
) -> Option<DateTime<Utc>> {
    let cadence = level.and_then(|l| l.update).map(|every| base + every);
    match (cadence, promised) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Which severity was in force when: the level at declaration, then every
/// `severity_changed` event in time order.
struct SeverityHistory<'a> {
    initial: &'a str,
    changes: &'a [(DateTime<Utc>, String)],
}

impl<'a> SeverityHistory<'a> {
    fn at(&self, t: DateTime<Utc>) -> &'a str {
        self.changes
            .iter()
            .take_while(|(at, _)| *at <= t)
            .last()
            .map(|(_, to)| to.as_str())
            .unwrap_or(self.initial)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::sample;

    fn t(hhmm: &str) -> DateTime<Utc> {
        format!("2026-11-23T{hhmm}:00Z").parse().unwrap()
    }

    fn day(d: u32, hhmm: &str) -> DateTime<Utc> {
        format!("2026-11-{d:02}T{hhmm}:00Z").parse().unwrap()
    }

    struct Case {
        incident: Incident,
        events: Vec<Event>,
    }

    impl Case {
        /// Declared at 08:00 at `severity`.
        fn new(severity: &str) -> Case {
            let mut c = Case {
                incident: Incident {
                    severity: severity.into(),
                    declared_at: t("08:00"),
                    ..Incident::example()
                },
                events: vec![],
            };
            c.event(t("08:00"), sample::declared(severity));
            c
        }

        fn event(&mut self, at: DateTime<Utc>, data: EventData) -> &mut Self {
            self.events.push(Event {
                id: self.events.len() as i64 + 1,
                incident_id: 1,
                at,
                recorded_at: at,
                author: "alice".into(),
                text: String::new(),
                data,
            });
            self
        }

        fn commander(&mut self, at: DateTime<Utc>) -> &mut Self {
            self.event(at, sample::assigned("commander", "alice"))
        }

        fn severity(&mut self, at: DateTime<Utc>, from: &str, to: &str) -> &mut Self {
            self.incident.severity = to.into();
            self.event(at, sample::severity(from, to, None))
        }

        fn resolve(&mut self, at: DateTime<Utc>) -> &mut Self {
            self.incident.status = Status::Resolved;
            self.incident.resolved_at = Some(at);
            self
        }

        fn close(&mut self, at: DateTime<Utc>) -> &mut Self {
            self.incident.status = Status::Closed;
            self.incident.closed_at = Some(at);
            self
        }

        fn at(&self, now: DateTime<Utc>) -> Targets {
            evaluate(
                &self.incident,
                &self.events,
                &Level::defaults(),
                now,
                Duration::minutes(15),
            )
        }

        /// (due, outcome) of the current deadline of `target`.
        fn get(&self, now: DateTime<Utc>, target: Target) -> Option<(DateTime<Utc>, Outcome)> {
            self.at(now).current(target).map(|d| (d.due, d.outcome))
        }
    }

    #[test]
    fn milestones_are_the_earliest_commander_and_assessment_whatever_the_order() {
        let marks = Milestones::of([
            (t("08:50"), &sample::assigned("commander", "bob")),
            (t("08:40"), &sample::assigned("scribe", "bob")),
            // Backdated: recorded later, happened earlier.
            (t("08:20"), &sample::handover("commander", "eve", "bob")),
            (t("09:20"), &sample::assessed()),
            (t("09:15"), &sample::assessed()),
            (t("09:30"), &EventData::Note),
        ]);
        assert_eq!(marks.acknowledged, Some(t("08:20")));
        assert_eq!(marks.triaged, Some(t("09:15")));
        assert!(Milestones::marks(&sample::assessed()));
        assert!(!Milestones::marks(&sample::assigned("scribe", "bob")));
        assert_eq!(
            Milestones::of([(t("08:00"), &sample::declared("SEV1"))]),
            Milestones::default()
        );
    }

    #[test]
    fn the_initial_severity_is_the_declared_one_else_what_the_first_change_left() {
        let declared = sample::declared("SEV2");
        let raise = sample::severity("SEV2", "SEV1", None);
        let lower = sample::severity("SEV1", "SEV3", None);
        assert_eq!(initial_severity([&declared, &raise]).as_deref(), Some("SEV2"));
        assert_eq!(initial_severity([&lower, &raise]).as_deref(), Some("SEV1"));
        assert_eq!(initial_severity([&EventData::Note]), None);
    }

    #[test]
    fn acknowledge_on_time_late_missed_and_due_soon() {
        // SEV1: a commander within 30 minutes of the declaration.
        let mut c = Case::new("SEV1");
        assert_eq!(
            c.get(t("08:00"), Target::Acknowledge),
            Some((t("08:30"), Outcome::Pending))
        );
        assert_eq!(
            c.get(t("08:15"), Target::Acknowledge),
            Some((t("08:30"), Outcome::DueSoon))
        );
        assert_eq!(
            c.get(t("08:30"), Target::Acknowledge),
            Some((t("08:30"), Outcome::DueSoon))
        );
        assert_eq!(
            c.get(t("08:31"), Target::Acknowledge),
            Some((t("08:30"), Outcome::Missed))
        );
        c.commander(t("08:45"));
        assert_eq!(
            c.get(t("09:00"), Target::Acknowledge),
            Some((t("08:30"), Outcome::Late))
        );

        let mut c = Case::new("SEV1");
        c.commander(t("08:30"));
        let got = c.at(t("12:00"));
        let ack = got.current(Target::Acknowledge).unwrap();
        assert_eq!((ack.outcome, ack.met_at), (Outcome::OnTime, Some(t("08:30"))));
    }

    #[test]
    fn only_the_commander_role_acknowledges_and_a_handover_counts() {
        let mut c = Case::new("SEV1");
        c.event(t("08:05"), sample::assigned("scribe", "bob"));
        assert_eq!(c.get(t("08:40"), Target::Acknowledge).unwrap().1, Outcome::Missed);
        c.event(t("08:20"), sample::handover("commander", "carol", "alice"));
        assert_eq!(c.get(t("08:40"), Target::Acknowledge).unwrap().1, Outcome::OnTime);
    }

    #[test]
    fn triage_at_the_first_assessment() {
        // SEV2: triage within 12 hours.
        let mut c = Case::new("SEV2");
        assert_eq!(
            c.get(t("19:50"), Target::Triage),
            Some((t("20:00"), Outcome::DueSoon))
        );
        assert_eq!(
            c.get(t("20:01"), Target::Triage),
            Some((t("20:00"), Outcome::Missed))
        );
        c.event(t("21:00"), sample::assessed());
        c.event(t("09:00"), sample::assessed());
        let got = c.at(t("22:00"));
        let triage = got.current(Target::Triage).unwrap();
        assert_eq!(triage.met_at, Some(t("09:00")), "the first assessment, by time");
        assert_eq!(triage.outcome, Outcome::OnTime);

        let mut c = Case::new("SEV2");
        c.event(t("20:30"), sample::assessed());
        assert_eq!(c.get(t("22:00"), Target::Triage).unwrap().1, Outcome::Late);
    }

    #[test]
    fn remediate_and_retro() {
        // SEV1: resolved within 24 hours; retro within 36 hours of that.
        let mut c = Case::new("SEV1");
        assert_eq!(
            c.get(day(24, "07:50"), Target::Remediate),
            Some((day(24, "08:00"), Outcome::DueSoon))
        );
        assert_eq!(
            c.get(day(24, "09:00"), Target::Remediate).unwrap().1,
            Outcome::Missed
        );
        assert!(c.get(t("10:00"), Target::Retro).is_none(), "no retro while open");
        c.resolve(t("10:00"));
        assert_eq!(c.get(t("10:00"), Target::Remediate).unwrap().1, Outcome::OnTime);
        assert_eq!(
            c.get(day(24, "21:50"), Target::Retro),
            Some((day(24, "22:00"), Outcome::DueSoon))
        );
        assert_eq!(c.get(day(25, "00:00"), Target::Retro).unwrap().1, Outcome::Missed);
        c.close(day(25, "01:00"));
        assert_eq!(c.get(day(26, "00:00"), Target::Retro).unwrap().1, Outcome::Late);

        let mut c = Case::new("SEV1");
        c.resolve(day(25, "08:00")).close(day(25, "09:00"));
        assert_eq!(
            c.get(day(26, "00:00"), Target::Remediate).unwrap().1,
            Outcome::Late
        );
        assert_eq!(c.get(day(26, "00:00"), Target::Retro).unwrap().1, Outcome::OnTime);
    }

    #[test]
    fn status_updates_recur_by_cadence_or_promise_whichever_is_earlier() {
        // SEV1: an update every hour.
        let mut c = Case::new("SEV1");
        assert_eq!(
            c.get(t("08:50"), Target::Update),
            Some((t("09:00"), Outcome::DueSoon))
        );
        assert_eq!(
            c.get(t("09:05"), Target::Update),
            Some((t("09:00"), Outcome::Missed))
        );
        // An update at 08:40 promising 09:10: due 09:10, earlier than 09:40.
        c.event(t("08:40"), sample::update(Some("2026-11-23T09:10:00Z")));
        assert_eq!(
            c.get(t("09:05"), Target::Update),
            Some((t("09:10"), Outcome::DueSoon))
        );
        assert_eq!(
            c.get(t("09:11"), Target::Update),
            Some((t("09:10"), Outcome::Missed))
        );
        // A comms entry without a promise: the cadence alone, from 09:20.
        c.event(t("09:20"), EventData::Comms(None));
        let got = c.at(t("09:30"));
        assert_eq!(got.next_update().map(|d| d.due), Some(t("10:20")));
        let instances: Vec<_> = got
            .deadlines
            .iter()
            .filter(|d| d.target == Target::Update)
            .map(|d| (d.due, d.outcome, d.current))
            .collect();
        assert_eq!(
            instances,
            [
                (t("09:00"), Outcome::OnTime, false),
                (t("09:10"), Outcome::Late, false),
                (t("10:20"), Outcome::Pending, true),
            ]
        );
        let last = got.last_update.unwrap();
        assert_eq!(
            (last.at, last.kind, last.promised),
            (t("09:20"), EventKind::Comms, None)
        );
        // A promise later than the cadence does not stretch it.
        c.event(t("09:30"), sample::update(Some("2026-11-23T12:00:00Z")));
        assert_eq!(c.get(t("09:40"), Target::Update).unwrap().0, t("10:30"));
    }

    #[test]
    fn no_cadence_means_no_update_target_unless_promised() {
        let mut c = Case::new("SEV3");
        assert!(c.get(t("20:00"), Target::Update).is_none());
        c.event(t("09:00"), sample::update(Some("2026-11-23T11:00:00Z")));
        assert_eq!(
            c.get(t("11:30"), Target::Update),
            Some((t("11:00"), Outcome::Missed))
        );
    }

    #[test]
    fn a_resolved_incident_owes_no_more_updates_but_keeps_the_missed_one() {
        let mut c = Case::new("SEV1");
        c.resolve(t("08:50"));
        let got = c.at(t("12:00"));
        assert!(got.current(Target::Update).is_none());
        assert!(got.deadlines.iter().all(|d| d.target != Target::Update));

        let mut c = Case::new("SEV1");
        c.resolve(t("09:30"));
        let got = c.at(t("12:00"));
        let missed: Vec<_> = got
            .deadlines
            .iter()
            .filter(|d| d.target == Target::Update)
            .map(|d| (d.due, d.outcome, d.current))
            .collect();
        assert_eq!(missed, [(t("09:00"), Outcome::Missed, false)]);
        assert!(got.next_update().is_none());
    }

    #[test]
    fn a_severity_change_mid_incident_moves_pending_deadlines_only() {
        // SEV3 at 08:00 (acknowledge 24h, triage 24h, no update cadence)...
        let mut c = Case::new("SEV3");
        c.event(t("08:20"), sample::assessed());
        assert_eq!(
            c.get(t("09:00"), Target::Acknowledge),
            Some((day(24, "08:00"), Outcome::Pending))
        );
        assert!(c.get(t("09:00"), Target::Update).is_none());
        // ...raised to SEV1 at 09:00: a commander was due at 08:30, an update at 09:00.
        c.severity(t("09:00"), "SEV3", "SEV1");
        assert_eq!(
            c.get(t("09:00"), Target::Acknowledge),
            Some((t("08:30"), Outcome::Missed))
        );
        assert_eq!(
            c.get(t("09:00"), Target::Update),
            Some((t("09:00"), Outcome::DueSoon))
        );
        assert_eq!(c.get(t("09:00"), Target::Remediate).unwrap().0, day(24, "08:00"));
        // Triage was met at 08:20 under SEV3 (24h): still on time, though
        // SEV1's triage target is one hour.
        let got = c.at(t("09:30"));
        let triage = got.current(Target::Triage).unwrap();
        assert_eq!(
            (triage.outcome, triage.severity.as_str()),
            (Outcome::OnTime, "SEV3")
        );
        // Lowered again: the pending deadlines relax with it.
        c.severity(t("09:45"), "SEV1", "SEV2");
        assert_eq!(
            c.get(t("10:00"), Target::Acknowledge),
            Some((t("12:00"), Outcome::Pending))
        );
        assert_eq!(c.get(t("10:00"), Target::Update).unwrap().0, t("12:00"));
    }

    #[test]
    fn met_targets_are_judged_by_the_severity_in_force_when_met() {
        let mut c = Case::new("SEV2");
        c.commander(t("09:00")); // within SEV2's 4 hours
        c.severity(t("10:00"), "SEV2", "SEV1");
        let got = c.at(t("10:00"));
        let ack = got.current(Target::Acknowledge).unwrap();
        assert_eq!(
            (ack.outcome, ack.severity.as_str(), ack.due),
            (Outcome::OnTime, "SEV2", t("12:00"))
        );
        // Met after an escalation: SEV1's 30 minutes apply, and were missed.
        let mut c = Case::new("SEV2");
        c.severity(t("08:10"), "SEV2", "SEV1");
        c.commander(t("09:00"));
        let got = c.at(t("10:00"));
        assert_eq!(got.current(Target::Acknowledge).unwrap().outcome, Outcome::Late);
    }

    #[test]
    fn an_unknown_level_has_no_targets() {
        let c = Case::new("P0");
        assert!(c.at(t("12:00")).deadlines.is_empty());
    }
}
