//! Response plans and the context around an incident: playbooks and their
//! task checklists, tags, drills and the changes (deploys, configuration,
//! flags, infrastructure) recorded just before an incident began.
//!
//! Everything here is derived from events or given as values: a playbook
//! arrives already parsed, and an incident's checklist is what its
//! `playbook_attached` and task events say, so the state travels with the
//! timeline through export and import.

use super::event::{PlannedTask, PlaybookAttached};
use super::{Category, Event, EventData, Incident};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

named_enum! {
    /// What kind of change CI recorded.
    ChangeKind {
        Deploy = "deploy",
        Config = "config",
        Flag = "flag",
        Infra = "infra",
    }
}

/// The longest tag key and value kept: a tag is a label, not a document.
pub const TAG_KEY_MAX: usize = 64;
pub const TAG_VALUE_MAX: usize = 200;

/// Reads `key=value`. Keys are lower-case words (`team`, `customer-tier`,
/// `region.zone`) so `--by tag:KEY` and the configuration can name them;
/// values are one line of text.
pub fn parse_tag(text: &str) -> Result<(String, String), String> {
    let Some((key, value)) = text.split_once('=') else {
        return Err(format!(
            "tag '{text}' has no '='; write it as key=value, e.g. team=payments"
        ));
    };
    let key = parse_tag_key(key)?;
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("tag '{key}' has no value; write it as {key}=VALUE"));
    }
    if value.chars().any(char::is_control) {
        return Err(format!(
            "the value of tag '{key}' has control characters; give one line of text"
        ));
    }
    if value.chars().count() > TAG_VALUE_MAX {
        return Err(format!(
            "the value of tag '{key}' is longer than {TAG_VALUE_MAX} characters; a tag is a short label"
        ));
    }
    Ok((key, value.to_string()))
}

/// A tag key: letters, digits, `-`, `_` and `.`, lower-cased.
pub fn parse_tag_key(text: &str) -> Result<String, String> {
    let key = text.trim().to_ascii_lowercase();
    let fine = !key.is_empty()
        && key.len() <= TAG_KEY_MAX
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !fine {
        return Err(format!(
            "tag key '{}' must be 1 to {TAG_KEY_MAX} letters, digits, '-', '_' or '.', e.g. team",
            text.trim()
        ));
    }
    Ok(key)
}

/// Tags as an `edited` event lists them: `key=value`, in key order.
pub fn tag_list(tags: &BTreeMap<String, String>) -> Vec<String> {
    tags.iter().map(|(k, v)| format!("{k}={v}")).collect()
}

/// The tags an `edited` event's list names; `None` when one is malformed.
pub fn tags_from_list(list: &[String]) -> Option<BTreeMap<String, String>> {
    list.iter().map(|t| parse_tag(t).ok()).collect()
}

/// When a response plan applies. Every criterion given must match; a plan
/// with none is only ever chosen by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Applies {
    pub categories: Vec<Category>,
    pub services: Vec<String>,
    pub severities: Vec<String>,
}

/// A response plan, as read from a playbook file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Playbook {
    pub name: String,
    pub description: Option<String>,
    pub applies: Applies,
    /// The severity an incident it applies to is declared at, unless
    /// `--severity` says otherwise.
    pub severity: Option<String>,
    /// The roles the plan wants filled.
    pub roles: Vec<String>,
    pub tasks: Vec<PlannedTask>,
    /// The escalation policy (`[[policies]]`) its incidents page.
    pub policy: Option<String>,
}

impl Playbook {
    /// How many criteria match, when all that are given do.
    fn fit(&self, category: Category, services: &[String], severity: &str) -> Option<usize> {
        let a = &self.applies;
        let mut fit = 0;
        if !a.categories.is_empty() {
            a.categories.contains(&category).then_some(())?;
            fit += 1;
        }
        if !a.services.is_empty() {
            services.iter().any(|s| a.services.contains(s)).then_some(())?;
            fit += 1;
        }
        if !a.severities.is_empty() {
            a.severities
                .iter()
                .any(|l| l.eq_ignore_ascii_case(severity))
                .then_some(())?;
            fit += 1;
        }
        (fit > 0).then_some(fit)
    }

    /// What the `playbook_attached` event records: the plan as it was, so
    /// a later edit of the file does not rewrite an incident's checklist.
    pub fn attached(&self) -> PlaybookAttached {
        PlaybookAttached {
            name: self.name.clone(),
            roles: self.roles.clone(),
            tasks: self.tasks.clone(),
        }
    }
}

/// The plan that fits an incident best: the one matching the most
/// criteria, the first by name among equals.
pub fn choose<'p>(
    playbooks: &'p [Playbook],
    category: Category,
    services: &[String],
    severity: &str,
) -> Option<&'p Playbook> {
    let mut best: Option<(usize, &Playbook)> = None;
    for p in playbooks {
        if let Some(fit) = p.fit(category, services, severity) {
            let better = match best {
                None => true,
                Some((f, b)) => fit > f || (fit == f && p.name < b.name),
            };
            if better {
                best = Some((fit, p));
            }
        }
    }
    best.map(|(_, p)| p)
}

/// Which playbook an incident being opened follows.
#[derive(Debug, Clone, Copy)]
pub enum PlanChoice<'p> {
    /// The one asked for by name.
    Named(&'p Playbook),
    /// The one that fits best among these ([`choose`]), if any.
    Fitting(&'p [Playbook]),
}

/// What an incident is opened with: its playbook and its severity.
#[derive(Debug, Clone, PartialEq)]
pub struct Opening<'p> {
    pub plan: Option<&'p Playbook>,
    pub severity: String,
}

/// The playbook and severity of an incident being opened, however it is
/// opened (declared, or by an alert): the playbook named, else the one
/// that fits its category, services and the level asked for (`asked`, else
/// `default`); the severity asked for, else the playbook's, else `default`.
pub fn opening<'p>(
    choice: PlanChoice<'p>,
    category: Category,
    services: &[String],
    asked: Option<&str>,
    default: &str,
) -> Opening<'p> {
    let plan = match choice {
        PlanChoice::Named(p) => Some(p),
        PlanChoice::Fitting(plans) => choose(plans, category, services, asked.unwrap_or(default)),
    };
    let severity = asked
        .map(String::from)
        .or_else(|| plan.and_then(|p| p.severity.clone()))
        .unwrap_or_else(|| default.to_string());
    Opening { plan, severity }
}

/// How a task ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskOutcome {
    /// `done` or `skipped`.
    pub state: &'static str,
    #[serde(with = "super::event::stamp")]
    pub at: DateTime<Utc>,
    pub by: String,
    pub note: Option<String>,
}

/// One task of an incident's checklist, numbered from 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskState {
    pub number: usize,
    pub title: String,
    pub role: Option<String>,
    #[serde(with = "super::event::stamp_opt")]
    pub due_at: Option<DateTime<Utc>>,
    pub outcome: Option<TaskOutcome>,
}

impl TaskState {
    pub fn is_open(&self) -> bool {
        self.outcome.is_none()
    }

    /// Open and past its deadline.
    pub fn is_late(&self, now: DateTime<Utc>) -> bool {
        self.is_open() && self.due_at.is_some_and(|due| due < now)
    }
}

/// An incident's checklist: the attached plan and where each task stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checklist {
    pub playbook: String,
    pub roles: Vec<String>,
    pub tasks: Vec<TaskState>,
}

impl Checklist {
    /// Tasks done or skipped, and all.
    pub fn progress(&self) -> (usize, usize) {
        let ended = self.tasks.iter().filter(|t| !t.is_open()).count();
        (ended, self.tasks.len())
    }

    /// "3/7 tasks" for one-line views.
    pub fn progress_text(&self) -> String {
        let (ended, all) = self.progress();
        format!("{ended}/{all} tasks")
    }

    /// The plan's roles nobody holds.
    pub fn unfilled<'a>(&'a self, incident: &Incident) -> Vec<&'a str> {
        self.roles
            .iter()
            .filter(|r| incident.holder(r).is_none())
            .map(String::as_str)
            .collect()
    }
}

/// The checklist the incident's events record, if a plan is attached.
/// Deadlines count from the declaration, whenever the plan was attached.
pub fn checklist<'a>(
    declared_at: DateTime<Utc>,
    events: impl IntoIterator<Item = &'a Event>,
) -> Option<Checklist> {
    let mut list: Option<Checklist> = None;
    for e in events {
        match (&e.data, list.as_mut()) {
            (EventData::PlaybookAttached(p), _) => {
                list = Some(Checklist {
                    playbook: p.name.clone(),
                    roles: p.roles.clone(),
                    tasks: p
                        .tasks
                        .iter()
                        .enumerate()
                        .map(|(i, t)| TaskState {
                            number: i + 1,
                            title: t.title.clone(),
                            role: t.role.clone(),
                            due_at: t
                                .due_seconds
                                .and_then(|s| declared_at.checked_add_signed(Duration::try_seconds(s)?)),
                            outcome: None,
                        })
                        .collect(),
                })
            }
            (EventData::TaskDone(m) | EventData::TaskSkipped(m), Some(list)) => {
                let state = match e.data {
                    EventData::TaskDone(_) => "done",
                    _ => "skipped",
                };
                if let Some(task) = list.tasks.get_mut(m.task.wrapping_sub(1)) {
                    task.outcome.get_or_insert(TaskOutcome {
                        state,
                        at: e.at,
                        by: e.author.clone(),
                        note: m.note.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    list
}

/// The event kinds a checklist is built from.
pub const CHECKLIST_KINDS: &[super::EventKind] = SHOWN_KINDS.split_at(3).0;

/// What `show` reads of an incident's plans: the checklist's kinds, then
/// the changes recorded at declaration.
pub const SHOWN_KINDS: &[super::EventKind] = &[
    super::EventKind::PlaybookAttached,
    super::EventKind::TaskDone,
    super::EventKind::TaskSkipped,
    super::EventKind::RecentChanges,
];

/// A tag the configuration requires for incidents of some categories or
/// severities (both empty: every incident).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredTag {
    pub key: String,
    pub categories: Vec<Category>,
    pub severities: Vec<String>,
}

/// The required tag keys the incident does not carry.
pub fn missing_tags<'r>(incident: &Incident, rules: &'r [RequiredTag]) -> Vec<&'r str> {
    let mut missing: Vec<&str> = Vec::new();
    for rule in rules {
        let category = rule.categories.is_empty() || rule.categories.contains(&incident.category);
        let severity = rule.severities.is_empty()
            || rule
                .severities
                .iter()
                .any(|s| s.eq_ignore_ascii_case(&incident.severity));
        if category
            && severity
            && !incident.tags.contains_key(&rule.key)
            && !missing.contains(&rule.key.as_str())
        {
            missing.push(&rule.key);
        }
    }
    missing
}

/// A change recorded by CI, not tied to an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRecord {
    pub id: i64,
    #[serde(with = "super::event::stamp")]
    pub at: DateTime<Utc>,
    pub title: String,
    pub kind: ChangeKind,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub link: Option<String>,
    pub author: String,
}

impl ChangeRecord {
    /// Whether the change touched one of `services`.
    pub fn touches(&self, services: &[String]) -> bool {
        self.services.iter().any(|s| services.contains(s))
    }
}

/// The changes on the incident's services in the `window` before its
/// impact began (or its declaration, when earlier or unknown), up to `now`,
/// oldest first.
/// Where to look for the changes that may have set an incident off: from
/// `window` before its impact began (its declaration when that is not
/// known, and never later than `now`) up to `now`. Returns (from, began).
pub fn lookback(
    started_at: Option<DateTime<Utc>>,
    window: Duration,
    now: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let began = started_at.unwrap_or(now).min(now);
    (began.checked_sub_signed(window).unwrap_or(began), began)
}

pub fn recent_changes(
    changes: &[ChangeRecord],
    services: &[String],
    began: DateTime<Utc>,
    window: Duration,
    now: DateTime<Utc>,
) -> Vec<ChangeRecord> {
    let from = began.checked_sub_signed(window).unwrap_or(began);
    let mut found: Vec<ChangeRecord> = changes
        .iter()
        .filter(|c| c.at >= from && c.at <= now && c.touches(services))
        .cloned()
        .collect();
    found.sort_by_key(|c| (c.at, c.id));
    found
}

#[cfg(test)]
mod tests {
    use super::super::event::TaskMark;
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn plan(name: &str, applies: Applies) -> Playbook {
        Playbook {
            name: name.into(),
            description: None,
            applies,
            severity: None,
            policy: None,
            roles: vec!["commander".into()],
            tasks: vec![
                PlannedTask {
                    title: "Page the network team".into(),
                    role: Some("commander".into()),
                    due_seconds: Some(900),
                },
                PlannedTask {
                    title: "Post a status update".into(),
                    role: None,
                    due_seconds: None,
                },
            ],
        }
    }

    #[test]
    fn tags_are_key_value_with_plain_keys_and_one_line_values() {
        assert_eq!(
            parse_tag(" Team = payments "),
            Ok(("team".into(), "payments".into()))
        );
        assert_eq!(parse_tag("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert!(parse_tag("team").unwrap_err().contains("key=value"));
        assert!(parse_tag("team=").unwrap_err().contains("no value"));
        assert!(parse_tag("=x").is_err());
        assert!(parse_tag("te am=x").is_err());
        assert!(parse_tag("team=a\u{1b}[31m").is_err());
        assert!(parse_tag(&format!("team={}", "x".repeat(TAG_VALUE_MAX + 1))).is_err());
        assert!(parse_tag(&format!("{}=x", "k".repeat(TAG_KEY_MAX + 1))).is_err());
        let tags = BTreeMap::from([("b".to_string(), "2".to_string()), ("a".into(), "1".into())]);
        assert_eq!(tags_from_list(&tag_list(&tags)), Some(tags));
    }

    #[test]
    fn the_most_specific_matching_plan_wins_and_a_plan_without_criteria_never_matches() {
        let any = plan("any", Applies::default());
        let outage = plan(
            "outage",
            Applies {
                categories: vec![Category::Availability],
                ..Applies::default()
            },
        );
        let checkout = plan(
            "checkout",
            Applies {
                categories: vec![Category::Availability],
                services: vec!["checkout".into()],
                ..Applies::default()
            },
        );
        let sev1 = plan(
            "sev1-data",
            Applies {
                categories: vec![Category::Data],
                severities: vec!["SEV1".into()],
                ..Applies::default()
            },
        );
        let all = [any, outage, checkout, sev1];
        let name = |c, s: &[&str], l| {
            let services: Vec<String> = s.iter().map(|s| s.to_string()).collect();
            choose(&all, c, &services, l).map(|p| p.name.as_str())
        };
        assert_eq!(
            name(Category::Availability, &["checkout"], "SEV2"),
            Some("checkout")
        );
        assert_eq!(name(Category::Availability, &["search"], "SEV2"), Some("outage"));
        assert_eq!(name(Category::Data, &[], "sev1"), Some("sev1-data"));
        assert_eq!(name(Category::Data, &[], "SEV2"), None);
        assert_eq!(name(Category::Other, &[], "SEV1"), None);
    }

    fn event(id: i64, at: &str, data: EventData) -> Event {
        Event {
            id,
            incident_id: 1,
            at: t(at),
            recorded_at: t(at),
            author: "alice".into(),
            text: String::new(),
            data,
        }
    }

    #[test]
    fn the_checklist_is_what_the_events_say_and_deadlines_count_from_declaration() {
        let declared = t("2026-11-23T08:00:00Z");
        let mark = |task, note: Option<&str>| TaskMark {
            task,
            title: "x".into(),
            note: note.map(String::from),
        };
        let p = plan("ddos", Applies::default());
        let events = vec![
            event(1, "2026-11-23T08:00:00Z", EventData::Note),
            event(
                2,
                "2026-11-23T08:05:00Z",
                EventData::PlaybookAttached(p.attached()),
            ),
            event(
                3,
                "2026-11-23T08:10:00Z",
                EventData::TaskSkipped(mark(2, Some("no page yet"))),
            ),
            // A second mark and an unknown number change nothing.
            event(4, "2026-11-23T08:11:00Z", EventData::TaskDone(mark(2, None))),
            event(5, "2026-11-23T08:12:00Z", EventData::TaskDone(mark(9, None))),
            event(6, "2026-11-23T08:12:00Z", EventData::TaskDone(mark(0, None))),
        ];
        assert_eq!(checklist(declared, &events[..1]), None);
        let list = checklist(declared, &events).unwrap();
        assert_eq!(list.playbook, "ddos");
        assert_eq!(list.progress(), (1, 2));
        assert_eq!(list.progress_text(), "1/2 tasks");
        let first = &list.tasks[0];
        assert_eq!(first.due_at, Some(t("2026-11-23T08:15:00Z")));
        assert!(!first.is_late(t("2026-11-23T08:15:00Z")));
        assert!(first.is_late(t("2026-11-23T08:15:01Z")));
        let second = list.tasks[1].outcome.as_ref().unwrap();
        assert_eq!(
            (second.state, second.note.as_deref()),
            ("skipped", Some("no page yet"))
        );
        assert!(!list.tasks[1].is_late(t("2030-01-01T00:00:00Z")));
        let nobody = Incident::example();
        assert_eq!(list.unfilled(&nobody), ["commander"]);
    }

    #[test]
    fn required_tags_apply_by_category_and_severity() {
        let rules = [
            RequiredTag {
                key: "team".into(),
                categories: vec![],
                severities: vec![],
            },
            RequiredTag {
                key: "customer".into(),
                categories: vec![Category::Security],
                severities: vec![],
            },
            RequiredTag {
                key: "region".into(),
                categories: vec![],
                severities: vec!["SEV1".into()],
            },
        ];
        let incident = Incident {
            tags: BTreeMap::from([("team".to_string(), "web".to_string())]),
            ..Incident::example()
        };
        assert_eq!(missing_tags(&incident, &rules), ["region"]);
        let security = Incident {
            category: Category::Security,
            severity: "SEV3".into(),
            ..Incident::example()
        };
        assert_eq!(missing_tags(&security, &rules), ["team", "customer"]);
    }

    #[test]
    fn recent_changes_are_those_on_the_services_in_the_window_before_impact() {
        let change = |id, at: &str, service: &str| ChangeRecord {
            id,
            at: t(at),
            title: format!("deploy {id}"),
            kind: ChangeKind::Deploy,
            services: vec![service.into()],
            link: None,
            author: "ci".into(),
        };
        let all = [
            change(3, "2026-11-23T07:30:00Z", "checkout"),
            change(1, "2026-11-23T01:00:00Z", "checkout"),
            change(2, "2026-11-23T07:00:00Z", "search"),
            change(4, "2026-11-23T09:00:00Z", "checkout"),
            change(5, "2026-11-23T04:00:00Z", "checkout"),
        ];
        let found = recent_changes(
            &all,
            &["checkout".into()],
            t("2026-11-23T07:45:00Z"),
            Duration::hours(4),
            t("2026-11-23T08:00:00Z"),
        );
        let ids: Vec<i64> = found.iter().map(|c| c.id).collect();
        assert_eq!(ids, [5, 3]);
    }
}
