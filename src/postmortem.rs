//! The postmortem document: a view built from the stored incident, its
//! timeline, retrospective and action items, and rendered as Markdown (or
//! serialised as JSON). Pure: no I/O; the time zone is a parameter.

use crate::domain::retro::{ActionItem, ActionKind, ActionStatus, Retro, format_action_id};
use crate::domain::triage::{self, Assessment};
use crate::domain::{Category, Event, EventData, EventKind, Incident, Status, targets};
use crate::time::{compact, human};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Serialize, Serializer};
use std::fmt::{Display, Write};

/// Everything the postmortem says, in the order it says it. `--export json`
/// prints this; its field names are a contract like every JSON shape.
#[derive(Debug, Clone, Serialize)]
pub struct Postmortem {
    pub key: String,
    pub title: String,
    /// A rehearsal's postmortem: its title says DRILL.
    pub drill: bool,
    /// Who owns the follow-up: the problem manager, else the last commander.
    pub owner: Option<String>,
    pub status: Status,
    pub severity: String,
    pub tags: std::collections::BTreeMap<String, String>,
    pub category: Category,
    pub services: Vec<String>,
    pub summary: Option<String>,
    /// Who or what noticed first; for an incident an alert opened, the
    /// alert and its link.
    pub detected_by: Option<String>,
    pub resolution: Option<String>,
    pub severity_history: Vec<SeverityStep>,
    pub dates: Dates,
    pub durations: Durations,
    pub impact: Option<String>,
    /// What set the incident off, in the retrospective's words.
    pub trigger: Option<String>,
    /// What led up to it, in the retrospective's words.
    #[serde(rename = "lead_up_notes")]
    pub lead_up_text: Option<String>,
    /// The triage assessment, when one was recorded (see [`AssessmentSection`]).
    pub assessment: Option<AssessmentSection>,
    pub roles: Vec<RoleSpan>,
    /// Each person's roles and time in them.
    pub responders: Vec<Responder>,
    /// How and how fast the incident was noticed.
    pub detection: Detection,
    /// The changes on its services just before it (from `declare`).
    pub lead_up: Vec<crate::domain::plans::ChangeRecord>,
    /// The playbook's checklist, when it followed one.
    pub checklist: Option<crate::domain::plans::Checklist>,
    /// Every customer-facing update, as sent.
    pub messaging: Vec<Entry>,
    pub timeline: Vec<Entry>,
    pub whys: Vec<String>,
    pub root_cause: Option<String>,
    pub contributing_factors: Vec<String>,
    pub went_well: Vec<String>,
    pub went_badly: Vec<String>,
    pub lucky: Vec<String>,
    pub action_items: Vec<ActionView>,
    /// Why the retrospective was completed without action items.
    pub no_actions: Option<String>,
    /// The past incidents most like it, from the similar-incident ranking,
    /// with what they left open.
    pub related: Vec<RelatedIncident>,
}

/// A past incident like this one: why, its root cause, and its action
/// items still open.
#[derive(Debug, Clone, Serialize)]
pub struct RelatedIncident {
    pub key: String,
    pub title: String,
    pub severity: String,
    pub status: Status,
    #[serde(serialize_with = "stamp")]
    pub declared_at: DateTime<Utc>,
    /// Strongest first (see `incident similar --json`).
    pub reasons: Vec<crate::domain::similar::Reason>,
    pub root_cause: Option<String>,
    pub open_actions: Vec<ActionView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SeverityStep {
    #[serde(serialize_with = "stamp")]
    pub at: DateTime<Utc>,
    pub severity: String,
    pub author: String,
    /// `declared` for the first level, else the reason given, if any.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Dates {
    #[serde(serialize_with = "opt_stamp")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "stamp")]
    pub declared_at: DateTime<Utc>,
    /// The first commander assignment.
    #[serde(serialize_with = "opt_stamp")]
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// The first move to `mitigated`.
    #[serde(serialize_with = "opt_stamp")]
    pub mitigated_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "opt_stamp")]
    pub resolved_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "opt_stamp")]
    pub closed_at: Option<DateTime<Utc>>,
    /// Every resolution and reopening after the first resolution, in time
    /// order: durations count to the first one (`resolved_at`).
    pub later: Vec<Milestone>,
}

/// A later resolution or reopening.
#[derive(Debug, Clone, Serialize)]
pub struct Milestone {
    /// `resolved` or `reopened`.
    pub kind: EventKind,
    #[serde(serialize_with = "stamp")]
    pub at: DateTime<Utc>,
    pub author: String,
    pub text: String,
}

/// Spans in whole seconds, counted from the declaration (impact: from its
/// start to resolution).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Durations {
    pub to_acknowledge_seconds: Option<i64>,
    pub to_mitigate_seconds: Option<i64>,
    pub to_resolve_seconds: Option<i64>,
    pub impact_seconds: Option<i64>,
}

/// How the incident was noticed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Detection {
    pub detected_by: Option<crate::domain::DetectedBy>,
    /// From the start of impact to the declaration.
    pub time_to_detect_seconds: Option<i64>,
}

/// One person and the roles they held.
#[derive(Debug, Clone, Serialize)]
pub struct Responder {
    pub person: String,
    /// The roles, in order of first assignment.
    pub roles: Vec<String>,
    /// Their time in any role, to the end of each span (or the
    /// resolution, or the document's time, while still held), overlaps
    /// counted once per role.
    pub seconds: i64,
}

/// One person's time in one role.
#[derive(Debug, Clone, Serialize)]
pub struct RoleSpan {
    pub role: String,
    pub person: String,
    #[serde(serialize_with = "stamp")]
    pub from: DateTime<Utc>,
    /// `None` while they still hold it.
    #[serde(serialize_with = "opt_stamp")]
    pub until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    #[serde(serialize_with = "stamp")]
    pub at: DateTime<Utc>,
    pub author: String,
    pub kind: EventKind,
    pub text: String,
    /// Written down after the incident closed (a late note or evidence).
    pub added_after_closing: bool,
    /// The start of an `exec` run with no end recorded (`incident` was
    /// killed before the command ended).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_end_recorded: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionView {
    /// `A-3`.
    pub id: String,
    pub text: String,
    pub owner: String,
    pub due: NaiveDate,
    pub kind: ActionKind,
    pub status: ActionStatus,
    pub overdue: bool,
    #[serde(serialize_with = "opt_stamp")]
    pub done_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub link: Option<String>,
}

impl ActionView {
    pub fn new(item: &ActionItem, today: NaiveDate) -> ActionView {
        ActionView {
            id: format_action_id(item.id),
            text: item.text.clone(),
            owner: item.owner.clone(),
            due: item.due,
            kind: item.kind,
            status: item.status,
            overdue: item.is_overdue(today),
            done_at: item.done_at,
            note: item.note.clone(),
            link: item.link.clone(),
        }
    }
}

/// The triage assessment as the postmortem shows it; `None` in
/// [`Sources`] when none was recorded.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AssessmentSection {
    #[serde(serialize_with = "opt_stamp")]
    pub assessed_at: Option<DateTime<Utc>>,
    pub author: Option<String>,
    /// The impact questions and their answers, in the order asked.
    pub answers: Vec<Answer>,
    /// The checked CIA items, e.g. `A1` "system availability in question".
    pub checked: Vec<CheckedItem>,
    pub suggested_severity: Option<String>,
    pub severity: Option<String>,
}

impl AssessmentSection {
    /// The current assessment (the last `assess` recorded): each impact
    /// question in the words `assess` asked it, and the checked CIA items;
    /// times in `tz`.
    pub fn of<Tz: TimeZone>(a: &Assessment, tz: &Tz) -> AssessmentSection
    where
        Tz::Offset: Display,
    {
        let answers = &a.answers;
        let factors: Vec<&str> = answers.factors.iter().map(|f| f.label()).collect();
        let replies = [
            answers.impact.clone(),
            answers.sees.clone(),
            answers.customers.label().to_string(),
            human(answers.started_at, tz),
            answers.tickets.to_string(),
            if factors.is_empty() {
                "none".into()
            } else {
                factors.join(", ")
            },
        ];
        AssessmentSection {
            assessed_at: Some(a.at),
            author: Some(a.author.clone()),
            answers: triage::QUESTIONS
                .iter()
                .zip(replies)
                .map(|(q, answer)| Answer {
                    question: q.text.to_string(),
                    answer,
                })
                .collect(),
            checked: answers
                .checked_items()
                .map(|i| CheckedItem {
                    id: i.id.to_string(),
                    label: i.text.to_string(),
                })
                .collect(),
            suggested_severity: Some(a.suggested.clone()),
            severity: Some(a.severity.clone()),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckedItem {
    pub id: String,
    pub label: String,
}

/// What the document is built from.
pub struct Sources<'a> {
    pub key: String,
    pub incident: &'a Incident,
    /// The whole timeline, oldest first.
    pub events: &'a [Event],
    pub retro: Option<&'a Retro>,
    pub actions: &'a [ActionItem],
    pub assessment: Option<AssessmentSection>,
    /// The local calendar day, for overdue action items.
    pub today: NaiveDate,
    /// The document's time: the end of a role still held.
    pub now: DateTime<Utc>,
    /// The similar past incidents, most alike first.
    pub related: Vec<RelatedIncident>,
}

impl Postmortem {
    pub fn build(src: Sources<'_>) -> Postmortem {
        let i = src.incident;
        let events = src.events;
        let empty = Retro::default();
        let retro = src.retro.unwrap_or(&empty);
        let first = |want: &dyn Fn(&Event) -> bool| events.iter().find(|e| want(e)).map(|e| e.at);
        let acknowledged_at = first(&|e| e.data.acknowledges());
        let mitigated_at = first(&|e| match &e.data {
            EventData::StatusChanged(m) | EventData::Reopened(m) => m.to == Status::Mitigated,
            _ => false,
        });
        let since_declared = |t: Option<DateTime<Utc>>| t.map(|t| (t - i.declared_at).num_seconds());
        let dates = Dates {
            started_at: i.started_at,
            declared_at: i.declared_at,
            acknowledged_at,
            mitigated_at,
            resolved_at: i.resolved_at,
            closed_at: i.closed_at,
            later: later_milestones(events),
        };
        let unfinished = crate::domain::event::unfinished_runs(events);
        let durations = Durations {
            to_acknowledge_seconds: since_declared(acknowledged_at),
            to_mitigate_seconds: since_declared(mitigated_at),
            to_resolve_seconds: since_declared(i.resolved_at),
            impact_seconds: i
                .started_at
                .zip(i.resolved_at)
                .map(|(from, to)| (to - from).num_seconds()),
        };
        let roles = role_spans(events);
        let end = i.resolved_at.unwrap_or(src.now);
        let owner = i
            .holder(crate::domain::roles::PROBLEM_MANAGER)
            .or_else(|| i.holder(crate::domain::roles::COMMANDER))
            .map(String::from);
        let mut lead_up = Vec::new();
        for e in events {
            if let EventData::RecentChanges(r) = &e.data {
                lead_up.extend(r.changes.iter().cloned());
            }
        }
        let entry = |e: &Event, no_end: bool| Entry {
            at: e.at,
            author: e.author.clone(),
            kind: e.kind(),
            text: e.text.clone(),
            added_after_closing: e.added_after_closing(i),
            no_end_recorded: no_end,
        };
        Postmortem {
            key: src.key,
            title: i.title.clone(),
            drill: i.drill,
            owner,
            status: i.status,
            severity: i.severity.clone(),
            tags: i.tags.clone(),
            category: i.category,
            services: i.services.clone(),
            summary: i.summary.clone(),
            detected_by: detected_by(i, events),
            resolution: i.resolution.clone(),
            severity_history: severity_history(i, events),
            dates,
            durations,
            impact: retro.impact.clone(),
            trigger: retro.trigger.clone(),
            lead_up_text: retro.lead_up.clone(),
            assessment: src.assessment,
            responders: responders(&roles, end),
            roles,
            detection: Detection {
                detected_by: i.detected_by,
                time_to_detect_seconds: crate::domain::stats::time_to_detect(i).map(|d| d.num_seconds()),
            },
            lead_up,
            checklist: crate::domain::plans::checklist(i.declared_at, events),
            messaging: events
                .iter()
                .filter(|e| e.kind() == EventKind::StatusUpdate)
                .map(|e| entry(e, false))
                .collect(),
            timeline: events
                .iter()
                .map(|e| (e, unfinished.contains(&e.id)))
                // Edits of this very document are not part of the story.
                .filter(|(e, _)| e.kind() != EventKind::RetroUpdated)
                .map(|(e, no_end)| entry(e, no_end))
                .collect(),
            whys: retro.whys.clone(),
            root_cause: retro.root_cause.clone(),
            contributing_factors: retro.contributing.clone(),
            went_well: retro.went_well.clone(),
            went_badly: retro.went_badly.clone(),
            lucky: retro.lucky.clone(),
            action_items: src
                .actions
                .iter()
                .map(|a| ActionView::new(a, src.today))
                .collect(),
            no_actions: retro.no_actions.clone(),
            related: src.related,
        }
    }
}

/// Who or what noticed first: the alert that opened the incident, else
/// what `declare` was told.
fn detected_by(i: &Incident, events: &[Event]) -> Option<String> {
    let opened_by = events.iter().find_map(|e| match &e.data {
        EventData::AlertAttached(a) if a.how == "opened" => Some(a),
        _ => None,
    });
    match (i.detected_by, opened_by) {
        (_, Some(a)) => Some(format!(
            "monitoring: alert {} from {}: {}{}",
            a.alert_id,
            a.source,
            a.summary,
            a.link.as_deref().map(|l| format!(" ({l})")).unwrap_or_default()
        )),
        (Some(d), None) => Some(d.to_string()),
        (None, None) => None,
    }
}

/// Every resolution and reopening after the first resolution.
fn later_milestones(events: &[Event]) -> Vec<Milestone> {
    let first_resolution = events.iter().position(|e| e.kind() == EventKind::Resolved);
    first_resolution
        .map(|n| &events[n + 1..])
        .unwrap_or_default()
        .iter()
        .filter(|e| matches!(e.kind(), EventKind::Resolved | EventKind::Reopened))
        .map(|e| Milestone {
            kind: e.kind(),
            at: e.at,
            author: e.author.clone(),
            text: e.text.clone(),
        })
        .collect()
}

/// The level at declaration, then every change, from the timeline.
fn severity_history(i: &Incident, events: &[Event]) -> Vec<SeverityStep> {
    let declared = events.iter().find(|e| e.kind() == EventKind::Declared);
    let initial =
        targets::initial_severity(events.iter().map(|e| &e.data)).unwrap_or_else(|| i.severity.clone());
    let mut steps = vec![SeverityStep {
        at: declared.map(|e| e.at).unwrap_or(i.declared_at),
        severity: initial,
        author: declared.map(|e| e.author.clone()).unwrap_or_default(),
        reason: Some("declared".into()),
    }];
    for e in events {
        if let EventData::SeverityChanged(change) = &e.data {
            steps.push(SeverityStep {
                at: e.at,
                severity: change.to.clone(),
                author: e.author.clone(),
                reason: change.reason.clone(),
            });
        }
    }
    steps
}

/// Each person's roles and how long they held them, in order of first
/// assignment. A span still open ends at `end`.
fn responders(spans: &[RoleSpan], end: DateTime<Utc>) -> Vec<Responder> {
    let mut out: Vec<Responder> = Vec::new();
    for span in spans {
        let until = span.until.unwrap_or(end.max(span.from));
        let seconds = (until - span.from).num_seconds().max(0);
        match out.iter_mut().find(|r| r.person == span.person) {
            Some(r) => {
                if !r.roles.contains(&span.role) {
                    r.roles.push(span.role.clone());
                }
                r.seconds += seconds;
            }
            None => out.push(Responder {
                person: span.person.clone(),
                roles: vec![span.role.clone()],
                seconds,
            }),
        }
    }
    out
}

/// Who held which role when, from the role events.
fn role_spans(events: &[Event]) -> Vec<RoleSpan> {
    let mut spans: Vec<RoleSpan> = Vec::new();
    let end = |spans: &mut Vec<RoleSpan>, role: &str, person: &str, at| {
        if let Some(span) = spans
            .iter_mut()
            .rev()
            .find(|s| s.role == role && s.person == person && s.until.is_none())
        {
            span.until = Some(at);
        }
    };
    for e in events {
        let (role, person) = match &e.data {
            EventData::RoleAssigned(c) => (&c.role, &c.person),
            EventData::RoleHandover(h) => {
                end(&mut spans, &h.role, &h.previous, e.at);
                (&h.role, &h.person)
            }
            EventData::RoleRemoved(c) => {
                end(&mut spans, &c.role, &c.person, e.at);
                continue;
            }
            _ => continue,
        };
        spans.push(RoleSpan {
            role: role.clone(),
            person: person.clone(),
            from: e.at,
            until: None,
        });
    }
    spans
}

fn stamp<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::time::to_rfc3339(*t))
}

fn opt_stamp<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => stamp(t, s),
        None => s.serialize_none(),
    }
}

/// Escapes user text for Markdown, on one line: control characters and
/// bidirectional overrides are shown as `\u{..}` (as in the terminal), line
/// breaks become `<br>`, and everything Markdown or HTML would interpret —
/// pipes, backticks, emphasis, links, tags, entities, a leading heading or
/// list marker — is backslash-escaped, so a table cell stays one cell and the
/// text shows exactly as written.
pub fn md(text: &str) -> String {
    let normalised = text.trim().replace("\r\n", "\n").replace('\r', "\n");
    let safe = crate::text::safe(&normalised);
    let mut out = String::with_capacity(safe.len() + 8);
    for (index, line) in safe.split('\n').enumerate() {
        if index > 0 {
            out.push_str("<br>");
        }
        let line = line.trim();
        // A line that would start a heading, list, quote or rule.
        let bytes = line.as_bytes();
        let numbered = bytes
            .iter()
            .position(|b| !b.is_ascii_digit())
            .is_some_and(|n| n > 0 && matches!(bytes[n], b'.' | b')'));
        if numbered {
            let n = bytes.iter().position(|b| !b.is_ascii_digit()).unwrap_or(0);
            out.push_str(&line[..n]);
            out.push('\\');
            push_escaped(&mut out, &line[n..]);
            continue;
        }
        // (`>` is escaped wherever it stands, below: escaping it here too
        // would show a backslash.)
        if matches!(bytes.first(), Some(b'#' | b'-' | b'+' | b'=')) {
            out.push('\\');
        }
        push_escaped(&mut out, line);
    }
    out
}

/// A link as an autolink (`<https://…>`) when it is a plain URL; anything
/// else (a control or bidirectional character among them, which a link
/// stored before links were checked may hold) is escaped like other text.
pub fn md_link(url: &str) -> String {
    let url = url.trim();
    let plain = (url.starts_with("https://") || url.starts_with("http://"))
        && !url.chars().any(|c| {
            c.is_whitespace() || crate::text::needs_escape(c) || matches!(c, '<' | '>' | '|' | '`' | '\\')
        });
    if plain { format!("<{url}>") } else { md(url) }
}

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '|' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
}

impl Postmortem {
    /// The postmortem as a Markdown document, times in `tz`.
    pub fn to_markdown<Tz: TimeZone>(&self, tz: &Tz) -> String
    where
        Tz::Offset: Display,
    {
        let mut d = String::new();
        self.write_markdown(&mut d, tz)
            .expect("writing to a String cannot fail");
        d
    }

    /// Every section, in the order the document has them.
    fn write_markdown<Tz: TimeZone>(&self, d: &mut String, tz: &Tz) -> std::fmt::Result
    where
        Tz::Offset: Display,
    {
        let when = |t: DateTime<Utc>| human(t, tz);
        self.write_summary(d)?;
        self.write_dates(d, &when)?;
        self.write_lead_up(d, &when)?;
        write_prose(d, "Trigger", self.trigger.as_deref())?;
        self.write_detection(d)?;
        self.write_resolution(d)?;
        if let Some(list) = &self.checklist {
            write_checklist(d, list, &when)?;
        }
        self.write_severity_history(d, &when)?;
        write_prose(d, "Impact", self.impact.as_deref())?;
        write_assessment(d, self.assessment.as_ref(), &when)?;
        self.write_responders(d)?;
        self.write_roles(d, &when)?;
        self.write_messaging(d, &when)?;
        self.write_timeline(d, &when)?;
        self.write_analysis(d)?;
        self.write_action_items(d, &when)?;
        self.write_related(d)
    }

    /// The similar past incidents, why each is alike, its root cause and
    /// the action items it left open.
    fn write_related(&self, d: &mut String) -> std::fmt::Result {
        writeln!(d, "\n## Related incidents\n")?;
        if self.related.is_empty() {
            return writeln!(d, "_None found._");
        }
        for r in &self.related {
            let why: Vec<String> = r.reasons.iter().map(crate::render::similar_reason).collect();
            writeln!(
                d,
                "- **{}** ({}, {}, {}): {} — {}",
                r.key,
                r.declared_at.format("%Y-%m-%d"),
                md(&r.severity),
                r.status,
                md(&r.title),
                md(&why.join("; "))
            )?;
            if let Some(cause) = &r.root_cause {
                writeln!(d, "  - Root cause: {}", md(cause))?;
            }
            for a in &r.open_actions {
                let overdue = if a.overdue { ", **overdue**" } else { "" };
                writeln!(
                    d,
                    "  - Open action item {}: {} ({}, due {}{overdue})",
                    a.id,
                    md(&a.text),
                    md(&a.owner),
                    a.due
                )?;
            }
        }
        Ok(())
    }

    /// The title, and a table of what the incident was and where it stands.
    fn write_summary(&self, d: &mut String) -> std::fmt::Result {
        let drill = if self.drill { " (DRILL)" } else { "" };
        writeln!(d, "# Postmortem {}{drill}: {}", self.key, md(&self.title))?;
        writeln!(d)?;
        if self.drill {
            writeln!(d, "**DRILL**: a rehearsal, left out of the metrics.\n")?;
        }
        writeln!(d, "| | |")?;
        writeln!(d, "|---|---|")?;
        writeln!(d, "| Key | {} |", self.key)?;
        writeln!(
            d,
            "| Owner | {} |",
            self.owner.as_deref().map(md).unwrap_or_else(|| "—".into())
        )?;
        let document = match self.status {
            Status::Closed => "final (retrospective complete)",
            _ => "draft",
        };
        writeln!(d, "| Status | {}; document {document} |", self.status)?;
        writeln!(d, "| Severity | {} |", md(&self.severity))?;
        writeln!(d, "| Category | {} |", self.category)?;
        if !self.services.is_empty() {
            writeln!(d, "| Services | {} |", md(&self.services.join(", ")))?;
        }
        if !self.tags.is_empty() {
            let tags = crate::domain::plans::tag_list(&self.tags).join(", ");
            writeln!(d, "| Tags | {} |", md(&tags))?;
        }
        if let Some(list) = &self.checklist {
            writeln!(
                d,
                "| Playbook | {} ({}) |",
                md(&list.playbook),
                list.progress_text()
            )?;
        }
        if let Some(s) = &self.summary {
            writeln!(d, "| Summary | {} |", md(s))?;
        }
        if let Some(s) = &self.detected_by {
            writeln!(d, "| Detected by | {} |", md(s))?;
        }
        if let Some(s) = &self.resolution {
            writeln!(d, "| Resolution | {} |", md(s))?;
        }
        if !self.action_items.is_empty() {
            let n = self.action_items.len();
            let open = self
                .action_items
                .iter()
                .filter(|a| a.status == ActionStatus::Open)
                .count();
            writeln!(d, "| Action items | {n} ({open} open) |")?;
        }
        Ok(())
    }

    /// When each milestone came, and how long after the declaration.
    fn write_dates(&self, d: &mut String, when: &dyn Fn(DateTime<Utc>) -> String) -> std::fmt::Result {
        writeln!(d, "\n## Dates and durations\n")?;
        writeln!(d, "| Milestone | Time | After declaration |")?;
        writeln!(d, "|---|---|---|")?;
        let declared = self.dates.declared_at;
        let after = |t: DateTime<Utc>| {
            if t < declared {
                format!("{} before", compact(declared - t))
            } else {
                compact(t - declared)
            }
        };
        let mut milestone = |name: &str, t: Option<DateTime<Utc>>, span: bool| -> std::fmt::Result {
            match t {
                Some(t) if span => writeln!(d, "| {name} | {} | {} |", when(t), after(t)),
                Some(t) => writeln!(d, "| {name} | {} | |", when(t)),
                None => writeln!(d, "| {name} | — | |"),
            }
        };
        if self.dates.started_at.is_some() {
            milestone("Impact started", self.dates.started_at, true)?;
        }
        milestone("Declared", Some(declared), false)?;
        milestone(
            "Acknowledged (commander assigned)",
            self.dates.acknowledged_at,
            true,
        )?;
        milestone("Mitigated", self.dates.mitigated_at, true)?;
        milestone("Resolved", self.dates.resolved_at, true)?;
        for m in &self.dates.later {
            let name = match m.kind {
                EventKind::Reopened => "Reopened",
                _ => "Resolved again",
            };
            milestone(name, Some(m.at), true)?;
        }
        milestone("Closed", self.dates.closed_at, true)?;
        writeln!(d)?;
        writeln!(
            d,
            "Time to acknowledge: **{}** · to mitigate: **{}** · to resolve: **{}**",
            span(self.durations.to_acknowledge_seconds),
            span(self.durations.to_mitigate_seconds),
            span(self.durations.to_resolve_seconds)
        )?;
        if !self.dates.later.is_empty() {
            writeln!(
                d,
                "\nReopened after resolution: time to resolve counts to the first resolution."
            )?;
        }
        if let Some(s) = self.durations.impact_seconds {
            writeln!(d, "\nCustomer impact lasted **{}**.", span(Some(s)))?;
        }
        Ok(())
    }

    /// What the retrospective says led up to it, and the changes recorded
    /// just before.
    fn write_lead_up(&self, d: &mut String, when: &dyn Fn(DateTime<Utc>) -> String) -> std::fmt::Result {
        writeln!(d, "\n## Lead-up\n")?;
        if let Some(text) = &self.lead_up_text {
            writeln!(d, "{}\n", md(text))?;
        }
        if self.lead_up.is_empty() {
            writeln!(d, "_No changes recorded on its services before it._")?;
        } else {
            writeln!(d, "Changes recorded on its services before it was declared:\n")?;
            writeln!(d, "| Time | Kind | Services | Change | By |")?;
            writeln!(d, "|---|---|---|---|---|")?;
            for c in &self.lead_up {
                let change = match &c.link {
                    Some(link) => format!("{} ({})", md(&c.title), md_link(link)),
                    None => md(&c.title),
                };
                writeln!(
                    d,
                    "| {} | {} | {} | {change} | {} |",
                    when(c.at),
                    c.kind,
                    md(&c.services.join(", ")),
                    md(&c.author)
                )?;
            }
        }
        Ok(())
    }

    /// How it was noticed, and how fast.
    fn write_detection(&self, d: &mut String) -> std::fmt::Result {
        writeln!(d, "\n## Detection\n")?;
        let by = self
            .detection
            .detected_by
            .map(|b| format!("Detected by **{b}**."))
            .unwrap_or_else(|| "How it was detected was not recorded.".into());
        match self.detection.time_to_detect_seconds {
            Some(s) => writeln!(
                d,
                "{by} Time to detect (start of impact to declaration): **{}**.",
                span(Some(s))
            )?,
            None => writeln!(
                d,
                "{by} The start of impact was not recorded, so the time to detect is unknown."
            )?,
        }
        Ok(())
    }

    /// How it was resolved, and how fast.
    fn write_resolution(&self, d: &mut String) -> std::fmt::Result {
        write_prose(d, "Resolution and recovery", self.resolution.as_deref())?;
        writeln!(
            d,
            "\nMitigated after **{}**, resolved after **{}** (from the declaration).",
            span(self.durations.to_mitigate_seconds),
            span(self.durations.to_resolve_seconds)
        )?;
        Ok(())
    }

    /// The level at declaration, then every change.
    fn write_severity_history(
        &self,
        d: &mut String,
        when: &dyn Fn(DateTime<Utc>) -> String,
    ) -> std::fmt::Result {
        writeln!(d, "\n## Severity history\n")?;
        writeln!(d, "| Time | Severity | By | Why |")?;
        writeln!(d, "|---|---|---|---|")?;
        for s in &self.severity_history {
            writeln!(
                d,
                "| {} | {} | {} | {} |",
                when(s.at),
                md(&s.severity),
                md(&s.author),
                s.reason.as_deref().map(md).unwrap_or_default()
            )?;
        }
        Ok(())
    }

    /// Each person and their time in roles.
    fn write_responders(&self, d: &mut String) -> std::fmt::Result {
        writeln!(d, "\n## Responders\n")?;
        if self.responders.is_empty() {
            writeln!(d, "_No roles were assigned._")?;
        } else {
            writeln!(d, "| Person | Roles | Time in roles |")?;
            writeln!(d, "|---|---|---|")?;
            for r in &self.responders {
                writeln!(
                    d,
                    "| {} | {} | {} |",
                    md(&r.person),
                    md(&r.roles.join(", ")),
                    span(Some(r.seconds))
                )?;
            }
        }
        Ok(())
    }

    /// Who held which role when.
    fn write_roles(&self, d: &mut String, when: &dyn Fn(DateTime<Utc>) -> String) -> std::fmt::Result {
        writeln!(d, "\n## Roles\n")?;
        if self.roles.is_empty() {
            writeln!(d, "_No roles were assigned._")?;
        } else {
            writeln!(d, "| Role | Person | From | Until |")?;
            writeln!(d, "|---|---|---|---|")?;
            for r in &self.roles {
                writeln!(
                    d,
                    "| {} | {} | {} | {} |",
                    md(&r.role),
                    md(&r.person),
                    when(r.from),
                    r.until.map(when).unwrap_or_else(|| "—".into())
                )?;
            }
        }
        Ok(())
    }

    /// Every customer-facing update, as sent.
    fn write_messaging(&self, d: &mut String, when: &dyn Fn(DateTime<Utc>) -> String) -> std::fmt::Result {
        writeln!(d, "\n## Messaging\n")?;
        if self.messaging.is_empty() {
            writeln!(d, "_No customer-facing update was recorded._")?;
        } else {
            writeln!(d, "| Time | By | Update as sent |")?;
            writeln!(d, "|---|---|---|")?;
            for e in &self.messaging {
                writeln!(d, "| {} | {} | {} |", when(e.at), md(&e.author), md(&e.text))?;
            }
        }
        Ok(())
    }

    /// The timeline, without the edits of this document.
    fn write_timeline(&self, d: &mut String, when: &dyn Fn(DateTime<Utc>) -> String) -> std::fmt::Result {
        writeln!(d, "\n## Timeline\n")?;
        writeln!(d, "| Time | Who | Kind | What |")?;
        writeln!(d, "|---|---|---|---|")?;
        for e in &self.timeline {
            writeln!(
                d,
                "| {} | {} | {} | {} |",
                when(e.at),
                md(&e.author),
                e.kind,
                match (e.added_after_closing, e.no_end_recorded) {
                    (_, true) => format!("{} _(no end recorded)_", md(&e.text)),
                    (true, false) => format!("{} _(added after closing)_", md(&e.text)),
                    (false, false) => md(&e.text),
                }
            )?;
        }
        Ok(())
    }

    /// The whys, the root cause, and what went well, badly and luckily.
    fn write_analysis(&self, d: &mut String) -> std::fmt::Result {
        writeln!(d, "\n## Five whys\n")?;
        if self.whys.is_empty() {
            writeln!(d, "{NOT_RECORDED}")?;
        }
        for (n, why) in self.whys.iter().enumerate() {
            writeln!(d, "{}. {}", n + 1, md(why))?;
        }
        write_prose(d, "Root cause", self.root_cause.as_deref())?;
        for (title, items) in [
            ("Contributing factors", &self.contributing_factors),
            ("What went well", &self.went_well),
            ("What went badly", &self.went_badly),
            ("Where we got lucky", &self.lucky),
        ] {
            writeln!(d, "\n## {title}\n")?;
            if items.is_empty() {
                writeln!(d, "{NOT_RECORDED}")?;
            }
            for item in items {
                writeln!(d, "- {}", md(item))?;
            }
        }
        Ok(())
    }

    /// The action items and where each stands, or why there are none.
    fn write_action_items(&self, d: &mut String, when: &dyn Fn(DateTime<Utc>) -> String) -> std::fmt::Result {
        writeln!(d, "\n## Action items\n")?;
        if self.action_items.is_empty() {
            match &self.no_actions {
                Some(why) => writeln!(d, "None: {}", md(why))?,
                None => writeln!(d, "_None yet._")?,
            }
        } else {
            writeln!(d, "| ID | Action | Kind | Owner | Due | Status | Ticket |")?;
            writeln!(d, "|---|---|---|---|---|---|---|")?;
            for a in &self.action_items {
                let mut status = match (a.status, a.done_at) {
                    (ActionStatus::Done, Some(t)) => format!("done {}", when(t)),
                    (ActionStatus::Open, _) if a.overdue => "**overdue**".to_string(),
                    (s, _) => s.to_string(),
                };
                if let Some(note) = &a.note {
                    status.push_str(&format!(": {}", md(note)));
                }
                writeln!(
                    d,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    a.id,
                    md(&a.text),
                    a.kind,
                    md(&a.owner),
                    a.due,
                    status,
                    a.link.as_deref().map(md_link).unwrap_or_default()
                )?;
            }
        }
        Ok(())
    }
}

/// What the document shows where a piece of text was not recorded.
const NOT_RECORDED: &str = "_Not recorded._";

/// A span in whole seconds, compactly (`1h 5m`), or a dash.
fn span(seconds: Option<i64>) -> String {
    seconds
        .map(|s| compact(chrono::Duration::seconds(s)))
        .unwrap_or_else(|| "—".into())
}

/// A section that is one piece of text, or says it was not recorded.
fn write_prose(d: &mut String, title: &str, text: Option<&str>) -> std::fmt::Result {
    writeln!(d, "\n## {title}\n")?;
    writeln!(d, "{}", text.map(md).unwrap_or_else(|| NOT_RECORDED.into()))
}

/// The playbook's tasks and their outcomes.
fn write_checklist(
    d: &mut String,
    list: &crate::domain::plans::Checklist,
    when: &dyn Fn(DateTime<Utc>) -> String,
) -> std::fmt::Result {
    writeln!(d, "\n## Playbook tasks\n")?;
    writeln!(
        d,
        "Playbook **{}**: {}.\n",
        md(&list.playbook),
        list.progress_text()
    )?;
    writeln!(d, "| # | Task | Role | Due | Outcome |")?;
    writeln!(d, "|---|---|---|---|---|")?;
    for t in &list.tasks {
        let outcome = match &t.outcome {
            Some(o) => {
                let mut text = format!("{} {} by {}", o.state, when(o.at), md(&o.by));
                if let Some(note) = &o.note {
                    text.push_str(&format!(": {}", md(note)));
                }
                text
            }
            None => "not done".into(),
        };
        writeln!(
            d,
            "| {} | {} | {} | {} | {outcome} |",
            t.number,
            md(&t.title),
            t.role.as_deref().map(md).unwrap_or_default(),
            t.due_at.map(when).unwrap_or_default()
        )?;
    }
    Ok(())
}

/// The triage assessment: the answers, the checked CIA items, the levels.
fn write_assessment(
    d: &mut String,
    a: Option<&AssessmentSection>,
    when: &dyn Fn(DateTime<Utc>) -> String,
) -> std::fmt::Result {
    writeln!(d, "\n## Assessment\n")?;
    let Some(a) = a else {
        return writeln!(d, "_No assessment recorded._");
    };
    if let Some(t) = a.assessed_at {
        let by = a
            .author
            .as_deref()
            .map(|p| format!(" by {}", md(p)))
            .unwrap_or_default();
        writeln!(d, "Assessed {}{by}.\n", when(t))?;
    }
    if !a.answers.is_empty() {
        writeln!(d, "| Question | Answer |")?;
        writeln!(d, "|---|---|")?;
        for qa in &a.answers {
            writeln!(d, "| {} | {} |", md(&qa.question), md(&qa.answer))?;
        }
        writeln!(d)?;
    }
    if a.checked.is_empty() {
        writeln!(d, "Checked CIA items: none.")?;
    } else {
        writeln!(d, "Checked CIA items:\n")?;
        for item in &a.checked {
            writeln!(d, "- [x] {} {}", md(&item.id), md(&item.label))?;
        }
    }
    match (&a.suggested_severity, &a.severity) {
        (Some(s), Some(chosen)) if s != chosen => {
            writeln!(d, "\nSuggested severity {}, set to {}.", md(s), md(chosen))?
        }
        (Some(s), _) => writeln!(d, "\nSuggested severity {}.", md(s))?,
        (None, Some(chosen)) => writeln!(d, "\nSeverity set to {}.", md(chosen))?,
        (None, None) => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{RetroUpdate, sample};
    use crate::domain::retro::NewAction;
    use chrono::FixedOffset;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn event(id: i64, at: &str, author: &str, data: EventData, text: &str) -> Event {
        Event {
            id,
            incident_id: 1,
            at: t(at),
            recorded_at: t(at),
            author: author.into(),
            text: text.into(),
            data,
        }
    }

    fn incident() -> Incident {
        Incident {
            status: Status::Closed,
            services: vec!["checkout".into()],
            started_at: Some(t("2026-11-23T07:50:00Z")),
            declared_at: t("2026-11-23T08:00:00Z"),
            resolved_at: Some(t("2026-11-23T10:05:00Z")),
            closed_at: Some(t("2026-11-25T15:00:00Z")),
            resolution: Some("Rolled back 4821".into()),
            ..Incident::example()
        }
    }

    fn events() -> Vec<Event> {
        vec![
            event(
                1,
                "2026-11-23T08:00:00Z",
                "alice",
                sample::declared("SEV2"),
                "Declared SEV2 availability: Checkout returns 500s",
            ),
            event(
                2,
                "2026-11-23T08:03:00Z",
                "alice",
                sample::assigned("commander", "alice"),
                "alice is commander",
            ),
            event(
                3,
                "2026-11-23T08:04:00Z",
                "alice",
                sample::assigned("scribe", "bob"),
                "bob is scribe",
            ),
            event(
                4,
                "2026-11-23T08:10:00Z",
                "alice",
                sample::severity("SEV2", "SEV1", Some("orders table locked")),
                "Severity SEV2 → SEV1: orders table locked",
            ),
            event(
                5,
                "2026-11-23T09:00:00Z",
                "alice",
                sample::handover("commander", "carol", "alice"),
                "alice handed commander to carol",
            ),
            event(
                6,
                "2026-11-23T09:40:00Z",
                "carol",
                sample::status(Status::Identified, Status::Mitigated),
                "Status identified → mitigated",
            ),
            event(
                7,
                "2026-11-23T09:50:00Z",
                "alice",
                sample::removed("scribe", "bob"),
                "bob is no longer scribe",
            ),
            event(
                8,
                "2026-11-23T10:05:00Z",
                "carol",
                sample::resolved(Status::Mitigated),
                "Resolved: Rolled back 4821",
            ),
            event(
                9,
                "2026-11-24T10:00:00Z",
                "carol",
                EventData::RetroUpdated(RetroUpdate {
                    changed: vec![crate::domain::retro::RetroField::RootCause],
                    values: Default::default(),
                }),
                "Retrospective updated: root cause",
            ),
        ]
    }

    fn action(id: i64, due: &str, status: ActionStatus) -> ActionItem {
        let new = NewAction {
            text: "Alert on replication lag".into(),
            owner: "erin".into(),
            due: due.parse().unwrap(),
            kind: ActionKind::Detective,
        };
        ActionItem {
            id,
            incident_id: 1,
            text: new.text,
            owner: new.owner,
            due: new.due,
            kind: new.kind,
            status,
            created_at: t("2026-11-24T10:00:00Z"),
            done_at: (status == ActionStatus::Done).then(|| t("2026-11-30T12:00:00Z")),
            note: None,
            link: None,
        }
    }

    fn doc(
        retro: Option<&Retro>,
        actions: &[ActionItem],
        assessment: Option<AssessmentSection>,
    ) -> Postmortem {
        let i = incident();
        let e = events();
        Postmortem::build(Sources {
            key: "INC-1".into(),
            incident: &i,
            events: &e,
            retro,
            actions,
            assessment,
            today: "2026-12-20".parse().unwrap(),
            now: t("2026-12-20T00:00:00Z"),
            related: vec![RelatedIncident {
                key: "INC-0".into(),
                title: "Orders table locked by a migration".into(),
                severity: "SEV2".into(),
                status: Status::Closed,
                declared_at: t("2026-10-02T09:00:00Z"),
                reasons: vec![
                    crate::domain::similar::Reason::SameService {
                        services: vec!["db".into()],
                    },
                    crate::domain::similar::Reason::SharedWords {
                        words: vec!["lock".into(), "order".into(), "table".into()],
                        score: 0.75,
                    },
                ],
                root_cause: Some("Migrations run unreviewed".into()),
                open_actions: vec![ActionView::new(
                    &action(7, "2026-11-01", ActionStatus::Open),
                    "2026-12-20".parse().unwrap(),
                )],
            }],
        })
    }

    #[test]
    fn milestones_come_from_the_timeline() {
        let d = doc(None, &[], None);
        assert_eq!(d.dates.acknowledged_at, Some(t("2026-11-23T08:03:00Z")));
        assert_eq!(d.dates.mitigated_at, Some(t("2026-11-23T09:40:00Z")));
        assert_eq!(d.durations.to_acknowledge_seconds, Some(180));
        assert_eq!(d.durations.to_mitigate_seconds, Some(100 * 60));
        assert_eq!(d.durations.to_resolve_seconds, Some(125 * 60));
        assert_eq!(d.durations.impact_seconds, Some(135 * 60));
        let levels: Vec<_> = d.severity_history.iter().map(|s| s.severity.as_str()).collect();
        assert_eq!(levels, ["SEV2", "SEV1"]);
        let roles: Vec<_> = d
            .roles
            .iter()
            .map(|r| (r.role.as_str(), r.person.as_str(), r.until.is_some()))
            .collect();
        assert_eq!(
            roles,
            [
                ("commander", "alice", true),
                ("scribe", "bob", true),
                ("commander", "carol", false)
            ]
        );
        assert!(d.timeline.iter().all(|e| e.kind != EventKind::RetroUpdated));
    }

    #[test]
    fn markdown_postmortem() {
        let retro = Retro {
            impact: Some("Checkout failed for 30% of customers for 2h.".into()),
            whys: vec![
                "The orders table was locked".into(),
                "A migration took an exclusive lock".into(),
            ],
            root_cause: Some("Migrations run unreviewed during peak hours".into()),
            contributing: vec!["No alert on lock waits".into()],
            went_well: vec!["Rollback took 5 minutes".into()],
            went_badly: vec!["Paging took 20 minutes".into()],
            lucky: vec!["It was a quiet Monday".into()],
            no_actions: None,
            trigger: Some("Migration 0042 ran at 08:00".into()),
            lead_up: Some("The migration was merged on Friday".into()),
        };
        let mut done = action(2, "2026-11-30", ActionStatus::Done);
        done.text = "Review migrations".into();
        done.kind = ActionKind::Preventive;
        done.note = Some("added to the checklist".into());
        done.link = Some("https://tracker.example/OPS-12".into());
        let actions = [action(1, "2026-12-15", ActionStatus::Open), done];
        let assessment = AssessmentSection {
            assessed_at: Some(t("2026-11-23T08:20:00Z")),
            author: Some("alice".into()),
            answers: vec![Answer {
                question: "How many customers are affected?".into(),
                answer: "some".into(),
            }],
            checked: vec![CheckedItem {
                id: "A1".into(),
                label: "system availability in question".into(),
            }],
            suggested_severity: Some("SEV2".into()),
            severity: Some("SEV1".into()),
        };
        let md =
            doc(Some(&retro), &actions, Some(assessment)).to_markdown(&FixedOffset::east_opt(3600).unwrap());
        insta::assert_snapshot!(md);
    }

    #[test]
    fn an_empty_retrospective_says_what_is_missing() {
        let md = doc(None, &[], None).to_markdown(&Utc);
        assert!(md.contains("## Root cause\n\n_Not recorded._"), "{md}");
        assert!(md.contains("_No assessment recorded._"), "{md}");
        assert!(md.contains("## Action items\n\n_None yet._"), "{md}");
    }

    #[test]
    fn user_text_cannot_break_tables_or_inject_markup() {
        assert_eq!(md("a | b"), "a \\| b");
        assert_eq!(md("line one\r\nline two\nthree"), "line one<br>line two<br>three");
        assert_eq!(md("run `rm -rf` now"), "run \\`rm -rf\\` now");
        assert_eq!(md("\u{1b}[31mred\u{7}"), "\\\\u{1b}\\[31mred\\\\u{7}");
        assert_eq!(md("<script>x</script>"), "\\<script\\>x\\</script\\>");
        assert_eq!(md("# not a heading"), "\\# not a heading");
        assert_eq!(md("- not a list"), "\\- not a list");
        assert_eq!(md("12. not a list"), "12\\. not a list");
        assert_eq!(md("a\n- b"), "a<br>\\- b");
        // One backslash per character, never two: `\\>` would show one.
        assert_eq!(md("> not a quote"), "\\> not a quote");
        assert_eq!(md("a\n>b"), "a<br>\\>b");
        for text in ["> x", "# x", "- x", "+ x", "= x", "1. x", "a|b", "`x`"] {
            assert!(!md(text).contains("\\\\"), "{text}: {}", md(text));
        }
        assert_eq!(
            md("*bold* _it_ [link](x) ~~s~~ &amp;"),
            "\\*bold\\* \\_it\\_ \\[link\\](x) \\~\\~s\\~\\~ \\&amp;"
        );
        assert_eq!(
            md("plain words, dates 2026-11-23 and 1.5x"),
            "plain words, dates 2026-11-23 and 1.5x"
        );
        assert_eq!(
            md_link("https://t.example/a_b?x=1"),
            "<https://t.example/a_b?x=1>"
        );
        assert_eq!(md_link("https://t.example/a|b"), "https://t.example/a\\|b");
        assert_eq!(md_link("OPS-12 <b>"), "OPS-12 \\<b\\>");
        for nasty in ["a|b\nc`d\u{1b}e", "|||", "\n\n|\n"] {
            let cell = md(nasty);
            assert!(!cell.contains('\n') && !cell.contains('\u{1b}'), "{cell}");
            // Every pipe is escaped: a table row keeps its column count.
            assert!(!cell.replace("\\|", "").contains('|'), "{cell}");
        }
    }

    #[test]
    fn hostile_text_keeps_every_table_row_the_same_width() {
        let mut i = incident();
        i.title = "Pipes | and\nnewlines `x` \u{1b}[2J".into();
        let e = vec![event(
            1,
            "2026-11-23T08:00:00Z",
            "mal|lory\n",
            EventData::Note,
            "a | b\nc | d `e` \u{7}",
        )];
        let mut item = action(1, "2026-12-15", ActionStatus::Open);
        item.text = "fix | it\nnow".into();
        item.owner = "e|rin".into();
        let d = Postmortem::build(Sources {
            key: "INC-1".into(),
            incident: &i,
            events: &e,
            retro: None,
            actions: &[item],
            assessment: None,
            today: "2026-11-24".parse().unwrap(),
            now: t("2026-11-24T00:00:00Z"),
            related: Vec::new(),
        });
        let md = d.to_markdown(&Utc);
        assert!(!md.contains('\u{1b}') && !md.contains('\u{7}'));
        let mut header_cells = None;
        for line in md.lines() {
            if line.starts_with('|') {
                let cells = line.replace("\\|", "").matches('|').count();
                if line.starts_with("|---") || header_cells.is_none() {
                    header_cells = Some(cells);
                }
                assert_eq!(Some(cells), header_cells, "row breaks its table: {line}");
            } else {
                header_cells = None;
            }
        }
    }
}
