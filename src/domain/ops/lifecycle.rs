//! The incident's life: declaring it, timeline entries, status and
//! severity, escalation and triage, resolving, reopening, canceling and
//! marking a duplicate.

use super::edit::set_start;
use super::roles::assign;
use super::{Change, Doing, Latest, Part, Record, Refusal, in_time_order, not_ended};
use crate::domain::event::{
    Cancellation, Declared, DuplicateLink, DuplicateOf, Escalation, Execution, Promise, SeverityMove,
    StatusMove,
};
use crate::domain::lifecycle::{self, Move};
use crate::domain::plans::{self, ChangeRecord, PlanChoice};
use crate::domain::roles::{self, RoleDef};
use crate::domain::similar;
use crate::domain::triage::Assessment;
use crate::domain::{EntryKind, EventData, Incident, Status};
use chrono::{DateTime, Utc};

/// Opens an incident: `draft` says what it is (its id, roles and times
/// other than `started_at` are not read); the commander, if named, is
/// assigned in the same change.
pub fn declare(draft: &Incident, commander: Option<&str>, now: DateTime<Utc>) -> Change {
    let text = format!("Declared {} {}: {}", draft.severity, draft.category, draft.title);
    let declared = EventData::Declared(Declared {
        title: draft.title.clone(),
        severity: draft.severity.clone(),
        category: draft.category,
        services: draft.services.clone(),
        channels: draft.channels.clone(),
        summary: draft.summary.clone(),
        detected_by: draft.detected_by,
        started_at: draft.started_at,
        drill: draft.drill,
        tags: draft.tags.clone(),
    });
    let text = match draft.drill {
        true => format!("DRILL: {text}"),
        false => text,
    };
    let change = Change::of(&Incident::bare()).record(now, declared, text);
    match commander {
        Some(person) => {
            let role = RoleDef {
                name: roles::COMMANDER.into(),
                single: true,
            };
            let assigned = assign(&change.incident, &role, person, now);
            change.then(assigned)
        }
        None => change,
    }
}

/// What opening an incident asks for, however it is opened (a person
/// declaring it, or an alert; not an import, which copies a record).
#[derive(Debug, Clone)]
pub struct OpenRequest<'a> {
    /// What it is; its severity is decided here (the draft's is not read),
    /// and its id, roles and times other than `started_at` are not read.
    pub draft: Incident,
    pub commander: Option<&'a str>,
    /// The level asked for (`--severity`, an alert rule's), if any.
    pub severity: Option<&'a str>,
    /// The level when neither the request nor the playbook gives one.
    pub default_severity: &'a str,
    pub playbook: PlanChoice<'a>,
    /// The changes recorded from [`plans::lookback`]'s start to now, and
    /// the window they were looked for in.
    pub changes: &'a [ChangeRecord],
    pub changes_window: chrono::Duration,
    /// Whether it may repeat an open incident.
    pub check: Repeat<'a>,
}

/// How opening an incident makes sure it is not one already open.
#[derive(Debug, Clone, Copy)]
pub enum Repeat<'a> {
    /// A person declaring: a new incident on a service an open one names,
    /// titled alike ([`similar::duplicate`]), is refused (they are asked,
    /// or told of `--force`).
    Titles(&'a [Incident]),
    /// Asked and answered (`--force`), or an alert that its rule routed to
    /// a new incident: an alert's repeat is decided by its identity, its
    /// group and its rule ([`crate::domain::alerts::route`]), never by its
    /// words (two disks full are two incidents).
    Allowed,
}

/// Opens an incident with what opening one brings, whoever opens it, in
/// one operation: the duplicate check ([`Repeat`]: refused as
/// [`Refusal::Repeats`]),
/// the playbook and severity ([`plans::opening`]), the declaration and
/// its commander, the response plan attached, and the changes made on its
/// services just before it began.
pub fn open(request: &OpenRequest<'_>, now: DateTime<Utc>) -> Result<Change, Refusal> {
    let chosen = plans::opening(
        request.playbook,
        request.draft.category,
        &request.draft.services,
        request.severity,
        request.default_severity,
    );
    let draft = Incident {
        severity: chosen.severity,
        ..request.draft.clone()
    };
    if let Repeat::Titles(open) = request.check
        && let Some(open) = similar::duplicate(&draft, open)
    {
        return Err(Refusal::Repeats { open: open.id });
    }
    let mut change = declare(&draft, request.commander, now);
    if let Some(plan) = chosen.plan
        && let Ok(attached) = super::attach_playbook(&change.incident, None, plan.attached(), now)
    {
        change = change.then(attached);
    }
    let recent = match draft.services.is_empty() {
        true => Vec::new(),
        false => {
            let (_, began) = plans::lookback(draft.started_at, request.changes_window, now);
            plans::recent_changes(
                request.changes,
                &draft.services,
                began,
                request.changes_window,
                now,
            )
        }
    };
    let noted = super::note_recent_changes(&change.incident, recent, now);
    Ok(change.then(noted))
}

/// Sets the severity (a configured level). Empty when it is that level.
pub fn change_severity(incident: &Incident, level: &str, at: DateTime<Utc>, reason: Option<&str>) -> Change {
    let change = Change::of(incident);
    if incident.severity == level {
        return change;
    }
    let from = &incident.severity;
    let text = match reason {
        Some(r) => format!("Severity {from} → {level}: {r}"),
        None => format!("Severity {from} → {level}"),
    };
    let data = EventData::SeverityChanged(SeverityMove {
        from: from.clone(),
        to: level.to_string(),
        reason: reason.map(String::from),
    });
    change.record(at, data, text)
}

/// Moves the incident to `to` as of `at` (resolving, reopening or a step
/// between active statuses). Empty when it is there already.
pub fn change_status(
    incident: &Incident,
    to: Status,
    at: DateTime<Utc>,
    summary: Option<&str>,
) -> Result<(Move, Change), Refusal> {
    let from = incident.status;
    let step = lifecycle::plan(from, to).map_err(Refusal::Lifecycle)?;
    let change = Change::of(incident);
    let Some(data) = step.event(from, to, summary) else {
        return Ok((step, change));
    };
    let text = match step {
        Move::Resolve => match summary {
            Some(s) => format!("Resolved: {s}"),
            None => "Resolved".to_string(),
        },
        Move::Reopen => format!("Reopened: {from} → {to}"),
        Move::Step | Move::Stay => format!("Status {from} → {to}"),
    };
    Ok((step, change.record(at, data, text)))
}

/// Resolves an open incident as of `at`, which may not come before its
/// declaration or the latest status change (`latest`).
pub fn resolve(
    incident: &Incident,
    summary: Option<&str>,
    at: DateTime<Utc>,
    latest: &Latest,
) -> Result<Change, Refusal> {
    if !incident.status.is_open() {
        return Err(Refusal::NotOpen {
            status: incident.status,
            doing: Doing::Resolve,
        });
    }
    in_time_order(incident, Part::Status, latest.status.as_ref(), at)?;
    change_status(incident, Status::Resolved, at, summary).map(|(_, change)| change)
}

/// Reopens a resolved, closed, canceled or duplicate incident to the active
/// status `to`, saying why. The first resolution is kept (time to resolve
/// counts to it). A duplicate is no longer one: `primary` is the incident it
/// pointed to, and gets the unlinking on its own timeline; `key` is how the
/// reopened incident is shown there.
pub fn reopen(
    incident: &Incident,
    key: &str,
    to: Status,
    reason: &str,
    primary: Option<&Incident>,
    now: DateTime<Utc>,
) -> Result<(Change, Option<Change>), Refusal> {
    let from = incident.status;
    lifecycle::reopen(from, to).map_err(Refusal::CannotReopen)?;
    let data = EventData::Reopened(StatusMove {
        from,
        to,
        summary: Some(reason.to_string()),
    });
    let change = Change::of(incident).record(now, data, format!("Reopened: {from} → {to}: {reason}"));
    let unlinked = primary.map(|p| {
        let data = EventData::DuplicateUnlinked(DuplicateLink {
            duplicate: incident.id,
        });
        Change::of(p).record(
            now,
            data,
            format!("{key} is no longer a duplicate of this incident"),
        )
    });
    Ok((change, unlinked))
}

/// Ends an incident that was never real. Not a closed one (reopen it
/// first), nor one already canceled or a duplicate.
pub fn cancel(incident: &Incident, reason: &str, now: DateTime<Utc>) -> Result<Change, Refusal> {
    not_ended(incident, Part::Status)?;
    let data = EventData::Canceled(Cancellation {
        from: incident.status,
        reason: reason.to_string(),
    });
    Ok(Change::of(incident).record(now, data, format!("Canceled: {reason}")))
}

/// The incident a duplicate is recorded against: `target`, or, when that
/// is itself a duplicate, the one it points to, and so on, so there are no
/// chains. `points_to` reads the incident a duplicate points to.
pub fn primary<E>(
    target: Incident,
    mut points_to: impl FnMut(&Incident) -> Result<Option<Incident>, E>,
) -> Result<Incident, E> {
    let mut primary = target;
    // A bound, in case hand-edited data ever made a loop.
    for _ in 0..64 {
        if primary.status != Status::Duplicate {
            break;
        }
        match points_to(&primary)? {
            Some(next) => primary = next,
            None => break,
        }
    }
    Ok(primary)
}

/// Marks `incident` a duplicate of `primary`, the incident numbered
/// `named` followed to the end of any chain with [`primary`]; both
/// timelines record the link. `key` and `primary_key` are how the two are
/// shown. When the chain ends at `incident`, the refusal names the
/// incident asked for: it is a duplicate of this one.
pub fn duplicate(
    incident: &Incident,
    key: &str,
    named: i64,
    primary: &Incident,
    primary_key: &str,
    now: DateTime<Utc>,
) -> Result<(Change, Change), Refusal> {
    not_ended(incident, Part::Status)?;
    if primary.id == incident.id {
        return Err(Refusal::OwnDuplicate {
            via: (named != incident.id).then_some(named),
        });
    }
    if primary.status == Status::Duplicate {
        // Only a loop ends at a duplicate.
        return Err(Refusal::OwnDuplicate {
            via: Some(primary.id),
        });
    }
    if primary.status == Status::Canceled {
        return Err(Refusal::PrimaryCanceled { primary: primary.id });
    }
    let marked = EventData::MarkedDuplicate(DuplicateOf {
        from: incident.status,
        of: primary.id,
    });
    let change = Change::of(incident).record(now, marked, format!("Duplicate of {primary_key}"));
    let linked = EventData::DuplicateLinked(DuplicateLink {
        duplicate: incident.id,
    });
    let link = Change::of(primary).record(now, linked, format!("{key} is a duplicate of this incident"));
    Ok((change, link))
}

/// What `escalate` asks for.
#[derive(Debug, Clone, Default)]
pub struct EscalateRequest {
    /// Whom to page; empty: the configured policy for the severity.
    pub to: Vec<String>,
    /// A level to raise the incident to.
    pub severity: Option<String>,
    pub reason: Option<String>,
    /// The configured `[[policies]]`: a recipient named so starts paging.
    pub policies: Vec<String>,
}

/// Pages people and may raise the severity. `levels` are the configured
/// level names, most severe first; `policy` gives the recipients configured
/// for a level.
pub fn escalate<'p>(
    incident: &Incident,
    request: &EscalateRequest,
    levels: &[&str],
    policy: impl Fn(&str) -> Option<&'p [String]>,
    now: DateTime<Utc>,
) -> Result<Change, Refusal> {
    if !incident.status.is_open() {
        return Err(Refusal::NotOpen {
            status: incident.status,
            doing: Doing::Escalate,
        });
    }
    let rank = |name: &str| levels.iter().position(|l| *l == name).unwrap_or(levels.len());
    if let Some(asked) = &request.severity
        && rank(asked) > rank(&incident.severity)
    {
        return Err(Refusal::WouldLower {
            current: incident.severity.clone(),
            asked: asked.clone(),
        });
    }
    let severity = request
        .severity
        .clone()
        .unwrap_or_else(|| incident.severity.clone());
    let (recipients, from_policy) = if request.to.is_empty() {
        match policy(&severity) {
            Some(people) if !people.is_empty() => (people.to_vec(), true),
            _ => return Err(Refusal::NoPolicy { severity }),
        }
    } else {
        (request.to.clone(), false)
    };
    let reason = request.reason.as_deref();
    let page = recipients.iter().find(|r| request.policies.contains(r)).cloned();
    let raised = change_severity(incident, &severity, now, reason);
    let text = match reason {
        Some(r) => format!("Escalated to {}: {r}", recipients.join(", ")),
        None => format!("Escalated to {}", recipients.join(", ")),
    };
    let data = EventData::Escalated(Escalation {
        to: recipients,
        reason: request.reason.clone(),
        severity,
        policy: from_policy,
        page,
    });
    Ok(raised.record(now, data, text))
}

/// A timeline entry typed by a scribe.
#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: EntryKind,
    /// A customer-facing status update (whatever `kind` says).
    pub external: bool,
    pub text: String,
}

/// What `update` asks for; each part is optional.
#[derive(Debug, Clone, Default)]
pub struct UpdateRequest {
    pub entry: Option<Entry>,
    /// The next status update the entry promises (an update to customers
    /// or a `comms` entry carries it).
    pub next_update: Option<DateTime<Utc>>,
    pub severity: Option<String>,
    pub status: Option<Status>,
}

/// Appends an entry and changes severity and status as of `at`, in that
/// order. A severity or status change must keep the timeline in time order
/// (`latest`), and waits for a reopening on a closed, canceled or duplicate
/// incident.
pub fn update(
    incident: &Incident,
    request: &UpdateRequest,
    at: DateTime<Utc>,
    latest: &Latest,
) -> Result<Change, Refusal> {
    if request.severity.as_ref().is_some_and(|l| *l != incident.severity) {
        not_ended(incident, Part::Severity)?;
        in_time_order(incident, Part::Severity, latest.severity.as_ref(), at)?;
    }
    if let Some(status) = request.status.filter(|s| *s != incident.status) {
        not_ended(incident, Part::Status)?;
        lifecycle::plan(incident.status, status).map_err(Refusal::Lifecycle)?;
        in_time_order(incident, Part::Status, latest.status.as_ref(), at)?;
    }
    let mut change = Change::of(incident);
    if let Some(entry) = &request.entry {
        let promise = request.next_update.map(|due| Promise { next_update_at: due });
        let data = match (entry.external, entry.kind) {
            (true, _) => EventData::StatusUpdate(promise),
            (false, EntryKind::Comms) => EventData::Comms(promise),
            (false, EntryKind::Note) => EventData::Note,
            (false, EntryKind::Decision) => EventData::Decision,
            (false, EntryKind::Action) => EventData::Action(None),
            (false, EntryKind::Evidence) => EventData::Evidence,
        };
        change = change.record(at, data, entry.text.clone());
    }
    if let Some(level) = &request.severity {
        let next = change_severity(&change.incident, level, at, None);
        change = change.then(next);
    }
    if let Some(status) = request.status {
        let (_, next) = change_status(&change.incident, status, at, None)?;
        change = change.then(next);
    }
    Ok(change)
}

/// Records a command run through `incident exec` and how it ended.
pub fn executed(incident: &Incident, run: Execution, text: String, at: DateTime<Utc>) -> Change {
    Change::of(incident).record(at, EventData::Action(Some(run)), text)
}

/// Records a triage assessment, then sets the start of impact it gives
/// and the chosen severity (not on a closed, canceled or duplicate
/// incident: its severity waits for a reopening).
///
/// The start of impact is one value, the incident's: an assessment whose
/// answer differs moves it, as `edit --started-at` would, whether it was
/// set at declaration or by an earlier assessment. The latest answer wins,
/// earlier or later in time: it is given with more known, and the
/// timeline keeps what was said before.
pub fn assess(incident: &Incident, assessment: Assessment, now: DateTime<Utc>) -> Result<Change, Refusal> {
    not_ended(incident, Part::Severity)?;
    let a = &assessment;
    let chosen = a.severity.clone();
    let (text, why) = if a.severity == a.suggested {
        (
            format!("Assessed: {}", a.reason),
            format!(
                "assessed, {}",
                a.reason.split_once(" because ").map_or("", |p| p.1)
            ),
        )
    } else {
        (
            format!("Assessed: {} chosen; suggested {}", a.severity, a.reason),
            format!("assessed (suggested {})", a.reason),
        )
    };
    let data = EventData::Assessed(Box::new(a.recorded()));
    let start = a.answers.started_at;
    let mut change = Change::of(incident).record(now, data, text);
    change.records.push(Record::Assessment(assessment));
    let moved = set_start(&change.incident, start, now);
    let change = change.then(moved);
    let severity = change_severity(&change.incident, &chosen, now, Some(&why));
    Ok(change.then(severity))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{Mark, assign_role};
    use super::*;
    use crate::domain::EventKind;

    #[test]
    fn declaring_with_a_commander_records_both_and_holds_the_role() {
        let change = declare(&Incident::example(), Some("alice"), t("08:00"));
        assert_eq!(kinds(&change), [EventKind::Declared, EventKind::RoleAssigned]);
        assert_eq!(change.incident.holder("commander"), Some("alice"));
        assert_eq!(
            change.events[0].text,
            "Declared SEV1 availability: Checkout returns 500s"
        );
        let draft = Incident {
            id: 0,
            declared_at: t("08:00"),
            ..Incident::example()
        };
        assert_eq!(change.incident.milestones.acknowledged, Some(t("08:00")));
        assert_eq!(
            Incident {
                roles: vec![],
                milestones: Default::default(),
                ..change.incident
            },
            draft,
            "the declaration's state is the draft's"
        );
    }

    #[test]
    fn opening_decides_the_playbook_and_severity_and_refuses_a_repeat_once_for_every_path() {
        use crate::domain::plans::{Applies, PlanChoice, Playbook};
        let plan = Playbook {
            name: "outage".into(),
            description: None,
            applies: Applies {
                categories: vec![],
                services: vec!["checkout".into()],
                severities: vec![],
            },
            severity: Some("SEV2".into()),
            roles: vec![],
            tasks: vec![],
            policy: None,
        };
        let plans = [plan];
        let draft = Incident {
            id: 0,
            services: vec!["checkout".into()],
            ..Incident::example()
        };
        let open_one = Incident {
            id: 4,
            services: vec!["checkout".into()],
            ..Incident::example()
        };
        let request = |severity, check| OpenRequest {
            draft: draft.clone(),
            commander: None,
            severity,
            default_severity: "SEV3",
            playbook: PlanChoice::Fitting(&plans),
            changes: &[],
            changes_window: chrono::Duration::hours(2),
            check,
        };
        let open_list = [open_one];
        // The playbook's level, unless one is asked for.
        let opened = open(&request(None, Repeat::Allowed), t("09:00")).unwrap();
        assert_eq!(opened.incident.severity, "SEV2");
        assert_eq!(kinds(&opened), [EventKind::Declared, EventKind::PlaybookAttached]);
        let asked = open(&request(Some("SEV1"), Repeat::Allowed), t("09:00")).unwrap();
        assert_eq!(asked.incident.severity, "SEV1");
        // The same title on the same service, open: refused unless allowed.
        assert_eq!(
            open(&request(None, Repeat::Titles(&open_list)), t("09:00")).unwrap_err(),
            Refusal::Repeats { open: 4 }
        );
    }

    #[test]
    fn escalate_only_raises_and_falls_back_to_the_policy() {
        let levels = ["SEV1", "SEV2", "SEV3"];
        let incident = Incident {
            severity: "SEV2".into(),
            ..Incident::example()
        };
        let oncall = vec!["dba-oncall".to_string()];
        let policy = |level: &str| (level == "SEV1").then_some(oncall.as_slice());
        let lower = EscalateRequest {
            severity: Some("SEV3".into()),
            ..EscalateRequest::default()
        };
        assert!(matches!(
            escalate(&incident, &lower, &levels, policy, t("08:10")),
            Err(Refusal::WouldLower { .. })
        ));
        let nobody = EscalateRequest::default();
        assert_eq!(
            escalate(&incident, &nobody, &levels, policy, t("08:10")).unwrap_err(),
            Refusal::NoPolicy {
                severity: "SEV2".into()
            }
        );
        let raise = EscalateRequest {
            severity: Some("SEV1".into()),
            reason: Some("db down".into()),
            ..EscalateRequest::default()
        };
        let change = escalate(&incident, &raise, &levels, policy, t("08:10")).unwrap();
        assert_eq!(kinds(&change), [EventKind::SeverityChanged, EventKind::Escalated]);
        assert_eq!(change.incident.severity, "SEV1");
        assert_eq!(change.events[1].text, "Escalated to dba-oncall: db down");
        let closed = Incident {
            status: Status::Closed,
            ..incident
        };
        assert!(matches!(
            escalate(&closed, &raise, &levels, policy, t("08:10")),
            Err(Refusal::NotOpen {
                doing: Doing::Escalate,
                ..
            })
        ));
    }

    fn mark(at: &str, text: &str) -> Option<Mark> {
        Some(Mark {
            at: t(at),
            text: text.into(),
        })
    }

    #[test]
    fn resolve_refuses_times_before_the_declaration_or_the_latest_status_change() {
        let incident = Incident::example();
        let none = Latest::default();
        let early = resolve(&incident, None, t("07:00"), &none).unwrap_err();
        assert!(matches!(early, Refusal::BeforeDeclared { .. }));
        let reopened = Latest {
            status: mark("09:00", "Reopened: resolved → investigating: errors again"),
            ..Latest::default()
        };
        let before_reopen = resolve(&incident, None, t("08:30"), &reopened).unwrap_err();
        assert_eq!(
            before_reopen,
            Refusal::OutOfOrder {
                at: t("08:30"),
                part: Part::Status,
                entry: reopened.status.clone().unwrap()
            }
        );
        let change = resolve(&incident, Some("rolled back"), t("09:30"), &reopened).unwrap();
        assert_eq!(change.incident.status, Status::Resolved);
        assert_eq!(change.incident.resolved_at, Some(t("09:30")));
        assert_eq!(change.incident.resolution.as_deref(), Some("rolled back"));
        assert!(matches!(
            resolve(&change.incident, None, t("09:40"), &none),
            Err(Refusal::NotOpen { .. })
        ));
    }

    #[test]
    fn reopening_keeps_the_first_resolution_and_resolving_again_does_not_move_it() {
        let (step, change) = change_status(&resolved(), Status::Investigating, t("10:00"), None).unwrap();
        assert_eq!(step, Move::Reopen);
        assert_eq!(change.incident.resolved_at, Some(t("09:00")));
        assert_eq!(kinds(&change), [EventKind::Reopened]);
        let again = resolve(&change.incident, None, t("11:00"), &Latest::default()).unwrap();
        assert_eq!(again.incident.resolved_at, Some(t("09:00")));
    }

    #[test]
    fn status_and_severity_changes_keep_the_timeline_in_time_order() {
        // Declared 10:00, identified 10:20, mitigated 10:30.
        let incident = Incident {
            status: Status::Mitigated,
            declared_at: t("10:00"),
            ..Incident::example()
        };
        let latest = Latest {
            status: mark("10:30", "Status identified → mitigated"),
            severity: None,
        };
        let to = |status| UpdateRequest {
            status: Some(status),
            ..UpdateRequest::default()
        };
        let back = update(&incident, &to(Status::Identified), t("10:10"), &latest).unwrap_err();
        assert!(
            matches!(back, Refusal::OutOfOrder { part: Part::Status, ref entry, .. } if entry.at == t("10:30")),
            "{back:?}"
        );
        let early = update(&incident, &to(Status::Investigating), t("09:00"), &latest).unwrap_err();
        assert_eq!(
            early,
            Refusal::BeforeDeclared {
                at: t("09:00"),
                declared: t("10:00")
            }
        );
        // At the same time as the latest change, or later: in order.
        assert!(update(&incident, &to(Status::Identified), t("10:30"), &latest).is_ok());
        // A severity change is checked against severity changes only.
        let sev2 = UpdateRequest {
            severity: Some("SEV2".into()),
            ..UpdateRequest::default()
        };
        assert!(update(&incident, &sev2, t("10:10"), &latest).is_ok());
        let raised = Latest {
            severity: mark("10:40", "Severity SEV2 → SEV1"),
            ..latest.clone()
        };
        assert!(matches!(
            update(&incident, &sev2, t("10:35"), &raised),
            Err(Refusal::OutOfOrder {
                part: Part::Severity,
                ..
            })
        ));
        // A backdated note is fine, even before the declaration.
        let note = UpdateRequest {
            entry: Some(Entry {
                kind: EntryKind::Evidence,
                external: false,
                text: "the first alert".into(),
            }),
            ..UpdateRequest::default()
        };
        assert!(update(&incident, &note, t("09:00"), &raised).is_ok());
    }

    #[test]
    fn a_closed_incident_takes_notes_but_no_status_severity_or_role_change() {
        let closed = Incident {
            status: Status::Closed,
            closed_at: Some(t("12:00")),
            ..resolved()
        };
        let none = Latest::default();
        let status = UpdateRequest {
            status: Some(Status::Resolved),
            ..UpdateRequest::default()
        };
        let severity = UpdateRequest {
            severity: Some("SEV3".into()),
            ..UpdateRequest::default()
        };
        for (request, part) in [(status, Part::Status), (severity, Part::Severity)] {
            assert_eq!(
                update(&closed, &request, t("12:30"), &none).unwrap_err(),
                Refusal::Ended {
                    status: Status::Closed,
                    part
                }
            );
        }
        assert!(matches!(
            assign_role(&closed, &role("scribe", true), "bob", t("12:30")),
            Err(Refusal::Ended {
                part: Part::Roles,
                ..
            })
        ));
        let note = UpdateRequest {
            entry: Some(Entry {
                kind: EntryKind::Note,
                external: false,
                text: "postmortem published".into(),
            }),
            ..UpdateRequest::default()
        };
        assert!(update(&closed, &note, t("12:30"), &none).is_ok());
    }

    #[test]
    fn reopening_says_why_and_only_reopens_what_ended() {
        let closed = Incident {
            status: Status::Closed,
            closed_at: Some(t("12:00")),
            ..resolved()
        };
        let (change, unlinked) = reopen(
            &closed,
            "INC-1",
            Status::Identified,
            "errors again",
            None,
            t("13:00"),
        )
        .unwrap();
        assert!(unlinked.is_none());
        assert_eq!(
            change.events[0].text,
            "Reopened: closed → identified: errors again"
        );
        assert_eq!(change.incident.status, Status::Identified);
        assert_eq!(change.incident.closed_at, None);
        assert_eq!(change.incident.resolved_at, Some(t("09:00")));
        assert!(matches!(
            reopen(
                &Incident::example(),
                "INC-1",
                Status::Investigating,
                "x",
                None,
                t("13:00")
            ),
            Err(Refusal::CannotReopen(_))
        ));
    }

    #[test]
    fn cancel_and_duplicate_end_an_incident_and_reopen_undoes_them() {
        let canceled = cancel(&Incident::example(), "false alarm", t("08:10")).unwrap();
        assert_eq!(canceled.incident.status, Status::Canceled);
        assert_eq!(canceled.events[0].text, "Canceled: false alarm");
        assert!(matches!(
            cancel(&canceled.incident, "again", t("08:11")),
            Err(Refusal::Ended { .. })
        ));
        let primary = Incident {
            id: 3,
            ..Incident::example()
        };
        let dup = Incident {
            id: 4,
            ..Incident::example()
        };
        let (marked, link) = duplicate(&dup, "INC-4", 3, &primary, "INC-3", t("08:20")).unwrap();
        assert_eq!(marked.incident.status, Status::Duplicate);
        assert_eq!(marked.events[0].text, "Duplicate of INC-3");
        assert_eq!(link.incident.id, 3);
        assert_eq!(link.events[0].text, "INC-4 is a duplicate of this incident");
        assert!(matches!(
            duplicate(&dup, "INC-4", 4, &dup, "INC-4", t("08:20")),
            Err(Refusal::OwnDuplicate { via: None })
        ));
        // INC-5 is a duplicate of INC-4: asked to make INC-4 a duplicate of
        // INC-5, the chain ends at INC-4, and the refusal names INC-5.
        assert!(matches!(
            duplicate(&dup, "INC-4", 5, &dup, "INC-4", t("08:20")),
            Err(Refusal::OwnDuplicate { via: Some(5) })
        ));
        let (back, unlinked) = reopen(
            &marked.incident,
            "INC-4",
            Status::Investigating,
            "a different fault",
            Some(&primary),
            t("08:30"),
        )
        .unwrap();
        assert_eq!(back.incident.status, Status::Investigating);
        assert_eq!(
            unlinked.unwrap().events[0].text,
            "INC-4 is no longer a duplicate of this incident"
        );
    }

    #[test]
    fn a_duplicate_of_a_duplicate_points_to_the_primary() {
        let primary = Incident {
            id: 3,
            ..Incident::example()
        };
        let middle = Incident {
            id: 4,
            status: Status::Duplicate,
            ..Incident::example()
        };
        let found: Result<Incident, ()> = super::primary(middle, |d| {
            assert_eq!(d.id, 4);
            Ok(Some(primary.clone()))
        });
        assert_eq!(found.unwrap().id, 3);
    }

    #[test]
    fn an_update_records_its_entry_then_severity_then_status() {
        let request = UpdateRequest {
            entry: Some(Entry {
                kind: EntryKind::Note,
                external: true,
                text: "We are rolling back".into(),
            }),
            next_update: Some(t("09:00")),
            severity: Some("SEV2".into()),
            status: Some(Status::Mitigated),
        };
        let change = update(&Incident::example(), &request, t("08:30"), &Latest::default()).unwrap();
        assert_eq!(
            kinds(&change),
            [
                EventKind::StatusUpdate,
                EventKind::SeverityChanged,
                EventKind::StatusChanged
            ]
        );
        assert_eq!(change.incident.next_update_at, Some(t("09:00")));
        assert_eq!(change.events[0].data.as_update(), Some(Some(t("09:00"))));
        let closing = UpdateRequest {
            status: Some(Status::Closed),
            ..UpdateRequest::default()
        };
        assert!(matches!(
            update(&Incident::example(), &closing, t("08:30"), &Latest::default()),
            Err(Refusal::Lifecycle(_))
        ));
    }

    #[test]
    fn an_assessment_sets_the_start_it_gives_and_the_chosen_severity_with_its_reason() {
        use crate::domain::triage::{Answers, Customers};
        let assessment = Assessment {
            id: 0,
            incident_id: 1,
            event_id: 0,
            at: t("08:20"),
            author: "alice".into(),
            answers: Answers {
                impact: "none".into(),
                sees: "nothing".into(),
                customers: Customers::None,
                started_at: t("08:00"),
                tickets: 0,
                factors: vec![],
                checked: vec![],
            },
            suggested: "SEV3".into(),
            reason: "SEV3 because nothing else applies".into(),
            severity: "SEV3".into(),
        };
        let change = assess(&Incident::example(), assessment.clone(), t("08:20")).unwrap();
        assert_eq!(
            kinds(&change),
            [EventKind::Assessed, EventKind::Edited, EventKind::SeverityChanged]
        );
        assert_eq!(change.incident.severity, "SEV3");
        assert_eq!(change.incident.started_at, Some(t("08:00")));
        assert_eq!(change.events[1].text, "Impact started 2026-11-23 08:00 UTC");
        assert_eq!(
            change.events[2].text,
            "Severity SEV1 → SEV3: assessed, nothing else applies"
        );
        assert!(matches!(change.records[..], [Record::Assessment(_)]));

        // The latest answer wins, earlier or later than the start before;
        // the same start records nothing more.
        let mut incident = change.incident;
        for (start, moved) in [("07:40", true), ("08:10", true), ("08:10", false)] {
            let mut again = assessment.clone();
            again.answers.started_at = t(start);
            let next = assess(&incident, again, t("08:30")).unwrap();
            assert_eq!(next.incident.started_at, Some(t(start)));
            assert_eq!(kinds(&next).contains(&EventKind::Edited), moved, "{start}");
            incident = next.incident;
        }
    }
}
