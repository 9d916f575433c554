//! The JSON shapes. Scripts depend on them: field names are a
//! contract, changed only as a breaking change.

use crate::domain::triage::{Area, Assessment, Customers, Factor};
use crate::domain::{Event, EventKind, Incident, RoleHolder};
use crate::time::to_rfc3339;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Serialize)]
pub struct IncidentView<'a> {
    pub key: String,
    pub id: i64,
    pub title: &'a str,
    pub status: &'static str,
    pub severity: &'a str,
    pub category: &'static str,
    pub services: &'a [String],
    pub channels: &'a [String],
    pub summary: Option<&'a str>,
    pub detected_by: Option<&'static str>,
    pub started_at: Option<String>,
    pub declared_at: String,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
    pub resolution: Option<&'a str>,
    pub next_update_at: Option<String>,
    pub commander: Option<&'a str>,
    pub roles: &'a [RoleHolder],
    /// A rehearsal, left out of metrics.
    pub drill: bool,
    pub tags: &'a std::collections::BTreeMap<String, String>,
    /// The current triage assessment; `null` until one is recorded.
    pub assessment: Option<AssessmentView>,
    /// The playbook's checklist (`show`): `null` without a playbook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checklist: Option<Option<crate::domain::plans::Checklist>>,
    /// The changes on its services just before it (`show`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recent_changes: Option<Vec<crate::domain::plans::ChangeRecord>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<EventView<'a>>>,
    /// How many events exist, when `timeline` holds only the latest ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline_total: Option<usize>,
}

impl<'a> IncidentView<'a> {
    pub fn new(key: String, i: &'a Incident) -> Self {
        IncidentView {
            key,
            id: i.id,
            title: &i.title,
            status: i.status.as_str(),
            severity: &i.severity,
            category: i.category.as_str(),
            services: &i.services,
            channels: &i.channels,
            summary: i.summary.as_deref(),
            detected_by: i.detected_by.map(|d| d.as_str()),
            started_at: stamp(i.started_at),
            declared_at: to_rfc3339(i.declared_at),
            resolved_at: stamp(i.resolved_at),
            closed_at: stamp(i.closed_at),
            resolution: i.resolution.as_deref(),
            next_update_at: stamp(i.next_update_at),
            commander: i.holder("commander"),
            roles: &i.roles,
            drill: i.drill,
            tags: &i.tags,
            assessment: None,
            checklist: None,
            recent_changes: None,
            timeline: None,
            timeline_total: None,
        }
    }

    pub fn with_assessment(mut self, assessment: Option<&Assessment>) -> Self {
        self.assessment = assessment.map(AssessmentView::new);
        self
    }

    pub fn with_timeline(mut self, events: &'a [Event], total: usize) -> Self {
        self.timeline = Some(events.iter().map(EventView::new).collect());
        if total != events.len() {
            self.timeline_total = Some(total);
        }
        self
    }

    /// Says, on each imported event renumbered here, what its numbers are here.
    pub fn with_renumbered(
        mut self,
        renumbered: &'a std::collections::HashMap<i64, crate::domain::refs::Renumbering>,
    ) -> Self {
        for e in self.timeline.iter_mut().flatten() {
            e.renumbered = renumbered.get(&e.id);
        }
        self
    }
}

/// The current triage assessment, as `show --json` prints it.
#[derive(Serialize)]
pub struct AssessmentView {
    /// When it was recorded, and by whom.
    pub assessed_at: String,
    pub author: String,
    /// The `assessed` timeline event it was recorded with.
    pub event_id: i64,
    pub impact: String,
    pub sees: String,
    pub customers: Customers,
    pub impact_started_at: String,
    pub tickets: u32,
    pub factors: Vec<Factor>,
    /// The checked checklist items, in checklist order, with their wording.
    pub checked: Vec<CheckedView>,
    /// What the rule suggested, and why ("SEV1 because C3 is checked").
    pub suggested_severity: String,
    pub reason: String,
    /// The level chosen: the suggestion or an override.
    pub severity: String,
}

#[derive(Serialize)]
pub struct CheckedView {
    pub id: &'static str,
    pub area: Area,
    pub text: &'static str,
}

impl AssessmentView {
    pub fn new(a: &Assessment) -> Self {
        AssessmentView {
            assessed_at: to_rfc3339(a.at),
            author: a.author.clone(),
            event_id: a.event_id,
            impact: a.answers.impact.clone(),
            sees: a.answers.sees.clone(),
            customers: a.answers.customers,
            impact_started_at: to_rfc3339(a.answers.started_at),
            tickets: a.answers.tickets,
            factors: a.answers.factors.clone(),
            checked: a
                .answers
                .checked_items()
                .map(|i| CheckedView {
                    id: i.id,
                    area: i.area,
                    text: i.text,
                })
                .collect(),
            suggested_severity: a.suggested.clone(),
            reason: a.reason.clone(),
            severity: a.severity.clone(),
        }
    }
}

#[derive(Serialize)]
pub struct EventView<'a> {
    pub id: i64,
    pub at: String,
    pub recorded_at: String,
    pub author: &'a str,
    pub kind: EventKind,
    pub text: &'a str,
    pub details: serde_json::Value,
    /// For an event imported with other numbers: what those it names are
    /// here (`{"incidents": {"1": 2}, "alerts": {...}}`; 0: not here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renumbered: Option<&'a crate::domain::refs::Renumbering>,
}

impl<'a> EventView<'a> {
    pub fn new(e: &'a Event) -> Self {
        EventView {
            id: e.id,
            at: to_rfc3339(e.at),
            recorded_at: to_rfc3339(e.recorded_at),
            author: &e.author,
            kind: e.kind(),
            text: &e.text,
            details: e.data.details(),
            renumbered: None,
        }
    }
}

fn stamp(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(to_rfc3339)
}

/// An alert as `incident alerts --json` prints it: its recorded fields
/// (`id`, `source`, `identity`, `group`, `status`, `summary`, `severity`,
/// `service`, `labels`, `link`, `starts_at`, `ends_at`, `first_seen`,
/// `last_seen`, `times_seen`, `incident_id`) and its incident's key.
#[derive(Serialize)]
pub struct AlertView<'a> {
    #[serde(flatten)]
    pub alert: &'a crate::domain::alerts::Alert,
    pub incident: Option<String>,
}

/// One incident `search` found (`search --json`): the incident, where its
/// best-ranked match is, that text's snippet, and how many pieces of its
/// text matched.
#[derive(Serialize)]
pub struct SearchHitView<'a> {
    pub key: String,
    pub id: i64,
    pub title: &'a str,
    pub status: &'static str,
    pub severity: &'a str,
    pub declared_at: String,
    pub drill: bool,
    /// Where the match is: `title`, `summary`, `resolution`, `timeline`,
    /// `assessment`, `retro.FIELD`, `action` or `alert`.
    #[serde(rename = "where")]
    pub place: &'static str,
    /// The number of the timeline event, assessment, action item or alert
    /// matched (the incident's own for its fields and retrospective).
    pub of: i64,
    /// The matched text on one line, cut around the match.
    pub snippet: &'a str,
    /// The query's words in `snippet`, as `[start, end]` character offsets
    /// (`jq '.snippet[.marks[0][0]:.marks[0][1]]'`).
    pub marks: &'a [(usize, usize)],
    /// Pieces of the incident's text that matched, this one included.
    pub matches: usize,
}

/// A similar past incident (`incident similar --json`): which, why, and
/// what it left behind.
#[derive(Serialize)]
pub struct SimilarView<'a> {
    pub key: String,
    pub id: i64,
    pub title: &'a str,
    pub status: &'static str,
    pub severity: &'a str,
    pub services: &'a [String],
    pub declared_at: String,
    /// Strongest first: `same_alert` (with `alerts`), `same_service` (with
    /// `services`), `shared_words` (with `words` and `score`).
    pub reasons: &'a [crate::domain::similar::Reason],
    /// The text similarity, 0 to 1 (0 when only an alert matched).
    pub score: f64,
    pub root_cause: Option<&'a str>,
    pub open_actions: Vec<crate::postmortem::ActionView>,
}
