//! What several commands show alike: the incident as JSON, its response
//! targets, how a deadline reads, and its one-line topic (which a chat
//! room's topic is kept to as well). Commands never import each other; what
//! they share lives here (or in `views`, `text`, `time`, `output`, `ops`).

use crate::context::Ctx;
use crate::domain::targets::{self, Facts, Targets};
use crate::domain::{Incident, plans};
use crate::output;
use crate::store::Store;
use crate::time::{compact, human};
use crate::views::IncidentView;
use anyhow::Result;
use chrono::{DateTime, Local, Utc};

/// The incident as `show --json` prints it; every command that changes an
/// incident prints this too, so scripts see one shape.
pub fn print_incident(ctx: &Ctx, store: &Store, id: i64, limit: Option<usize>) -> Result<()> {
    let d = crate::store::dossier::read(&**store, id, limit.filter(|n| *n > 0))?
        .ok_or_else(|| ctx.missing(id))?;
    let (checklist, recent) = plans_of(&d.incident, d.plans);
    let mut view = IncidentView::new(ctx.key(id)?, &d.incident)
        .with_assessment(d.assessment.as_ref())
        .with_timeline(&d.timeline, d.total)
        .with_renumbered(&d.renumbered);
    view.checklist = Some(checklist);
    view.recent_changes = Some(recent);
    output::print_json(&view)
}

/// The incident's topic line (`incident topic`), its checklist's progress
/// read from `store`.
pub fn topic_of<R: crate::store::Reads + ?Sized>(
    store: &R,
    key: &str,
    incident: &Incident,
) -> Result<String> {
    use crate::store::ReadsExt;
    let events = store.events_of(incident.id, plans::CHECKLIST_KINDS)?;
    let progress = plans::checklist(incident.declared_at, &events).map(|l| l.progress_text());
    Ok(topic(key, incident, progress.as_deref()))
}

/// `INC-1 [SEV1] identified: Checkout returns 500s | IC: carol | https://…`
pub fn topic(key: &str, i: &Incident, progress: Option<&str>) -> String {
    let drill = if i.drill { "DRILL " } else { "" };
    let mut parts = vec![format!("{drill}{key} [{}] {}: {}", i.severity, i.status, i.title)];
    parts.push(format!("IC: {}", i.holder("commander").unwrap_or("none")));
    if let Some(progress) = progress {
        parts.push(progress.to_string());
    }
    parts.extend(i.channels.iter().cloned());
    crate::text::one_line(&parts.join(" | ")).into_owned()
}

/// The incident's checklist (if it follows a playbook) and the changes
/// recorded on it at declaration, from its events of
/// [`plans::SHOWN_KINDS`].
pub fn plans_of(
    incident: &Incident,
    events: Vec<crate::domain::Event>,
) -> (Option<plans::Checklist>, Vec<plans::ChangeRecord>) {
    let checklist = plans::checklist(incident.declared_at, &events);
    let mut recent = Vec::new();
    for e in events {
        if let crate::domain::EventData::RecentChanges(r) = e.data {
            recent.extend(r.changes);
        }
    }
    (checklist, recent)
}

/// The incident's targets as `check` computes them.
pub fn targets_of(ctx: &Ctx, store: &Store, incident: &Incident) -> Result<Targets> {
    let (_, facts) =
        crate::store::facts::of(&**store, incident.id)?.ok_or_else(|| ctx.missing(incident.id))?;
    targets_from(ctx, incident, &facts)
}

/// The incident's targets, from its response facts.
pub fn targets_from(ctx: &Ctx, incident: &Incident, facts: &Facts) -> Result<Targets> {
    let config = ctx.config()?;
    Ok(targets::evaluate_facts(
        incident,
        facts,
        &config.levels,
        ctx.now,
        config.check_within,
    ))
}

/// `2026-11-23 09:00 (in 25m)` or `2026-11-23 09:00 (overdue by 5m)`.
pub fn when(due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if due >= now {
        format!("{} (in {})", human(due, &Local), compact(due - now))
    } else {
        format!("{} (OVERDUE by {})", human(due, &Local), compact(now - due))
    }
}

/// Why a past incident is like this one, in words: "the same alert
/// (alertmanager a4c8b0e6)", "the same service (checkout)", "shared words:
/// checkout, 500 (0.86)".
pub fn similar_reason(reason: &crate::domain::similar::Reason) -> String {
    use crate::domain::similar::Reason;
    let cut = |s: &str| -> String {
        match s.chars().count() > 40 {
            true => format!("{}…", s.chars().take(39).collect::<String>()),
            false => s.to_string(),
        }
    };
    match reason {
        Reason::SameAlert { alerts } => {
            let named: Vec<String> = alerts
                .iter()
                .map(|a| format!("{} {}", a.source, cut(&a.identity)))
                .collect();
            format!("the same alert ({})", named.join(", "))
        }
        Reason::SameService { services } => format!("the same service ({})", services.join(", ")),
        Reason::SharedWords { words, score } => format!("shared words: {} ({score:.2})", words.join(", ")),
    }
}

/// Says what the incidents just opened (`declare`, `ingest`) were seen as
/// before, on stderr, unless `-q`. After the write has committed, so a
/// read that fails is a warning, never a failed command: what was asked
/// for is recorded.
pub fn say_seen_before(ctx: &Ctx, opened: &[i64]) {
    if ctx.globals.quiet || opened.is_empty() {
        return;
    }
    let lines = (|| -> Result<Vec<String>> {
        let store = ctx.open(crate::store::Access::Read)?;
        let mut lines = Vec::new();
        for id in opened {
            if let Some(incident) = crate::store::ReadsExt::incident(&*store, *id)? {
                lines.extend(seen_before(ctx, &store, &incident)?);
            }
        }
        Ok(lines)
    })();
    match lines {
        Ok(lines) => lines.into_iter().for_each(|l| ctx.say(l)),
        Err(e) => ctx.warn(format!("cannot list the similar past incidents: {e:#}")),
    }
}

/// What a new incident was seen as before: a line saying where the whole
/// list is, then the first few similar past incidents; nothing when there
/// are none.
fn seen_before(ctx: &Ctx, store: &crate::store::Store, incident: &Incident) -> Result<Vec<String>> {
    let related = crate::store::similar::read(
        &**store,
        incident,
        crate::store::similar::Scope::Recent,
        Some(crate::domain::similar::SHOWN),
    )?;
    if related.is_empty() {
        return Ok(Vec::new());
    }
    let key = ctx.key(incident.id)?;
    let mut lines = vec![format!("  seen before (all of them: incident similar {key}):")];
    lines.extend(
        similar_lines(ctx, &related)?
            .into_iter()
            .map(|l| format!("    {l}")),
    );
    Ok(lines)
}

/// The similar past incidents as a person reads them: each one's key,
/// date, severity and title, why it is alike, its root cause and open
/// action items, one indented line each.
pub fn similar_lines(ctx: &Ctx, related: &[crate::store::similar::Related]) -> Result<Vec<String>> {
    use crate::text::one_line;
    let mut lines = Vec::new();
    for r in related {
        let i = &r.incident;
        lines.push(format!(
            "{}  {}  {}  {}",
            ctx.key(i.id)?,
            i.declared_at.with_timezone(&Local).format("%Y-%m-%d"),
            one_line(&output::shown(&i.severity)),
            one_line(&i.title)
        ));
        let why: Vec<String> = r.matched.reasons.iter().map(similar_reason).collect();
        lines.push(format!("  {}", one_line(&why.join("; "))));
        if let Some(cause) = &r.root_cause {
            lines.push(format!("  root cause: {}", one_line(cause)));
        }
        for a in &r.open_actions {
            lines.push(format!(
                "  open {}: {} ({}, due {})",
                crate::domain::retro::format_action_id(a.id),
                one_line(&a.text),
                one_line(&a.owner),
                a.due
            ));
        }
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{RoleHolder, Status};

    #[test]
    fn a_topic_is_one_line_with_everything_a_channel_needs() {
        let mut i = Incident {
            title: "Checkout\nreturns 500s\u{1b}[31m".into(),
            status: Status::Identified,
            channels: vec!["https://chat.example/inc-1".into()],
            ..Incident::example()
        };
        assert_eq!(
            topic("INC-1", &i, None),
            "INC-1 [SEV1] identified: Checkout ⏎ returns 500s\\u{1b}[31m | IC: none | https://chat.example/inc-1"
        );
        i.roles.push(RoleHolder {
            role: "commander".into(),
            person: "carol".into(),
        });
        assert!(topic("INC-1", &i, None).contains("| IC: carol |"));
    }
}
