//! The retrospective and its action items: answers, new items, their
//! progress, and completing it, which closes the incident.

use super::{Change, Record, Refusal};
use crate::domain::apply::apply_to_retro;
use crate::domain::event::{ActionAdded, ActionDone, ActionLinked, Closure, RetroUpdate};
use crate::domain::lifecycle;
use crate::domain::retro::format_action_id;
use crate::domain::retro::{self, ActionItem, ActionStatus, NewAction, Retro, RetroField, RetroPatch};
use crate::domain::{EventData, Incident, Status};
use chrono::{DateTime, Utc};

/// Adds an action item numbered `number` to the incident.
pub fn add_action(incident: &Incident, number: i64, item: &NewAction, at: DateTime<Utc>) -> Change {
    let shown = format_action_id(number);
    let text = format!(
        "Action {shown} ({}, {}, due {}): {}",
        item.kind, item.owner, item.due, item.text
    );
    let data = EventData::ActionAdded(ActionAdded {
        action: shown,
        action_id: number,
        text: item.text.clone(),
        owner: item.owner.clone(),
        due: item.due,
        kind: item.kind,
    });
    let mut change = Change::of(incident).record(at, data, text);
    change.records.push(Record::NewAction(number, item.clone()));
    change
}

/// Marks an action item done. Empty when it was done already.
pub fn action_done(incident: &Incident, item: &ActionItem, note: Option<&str>, now: DateTime<Utc>) -> Change {
    let change = Change::of(incident);
    if item.status == ActionStatus::Done {
        return change;
    }
    let shown = format_action_id(item.id);
    let text = match note {
        Some(n) => format!("Action {shown} done: {} ({n})", item.text),
        None => format!("Action {shown} done: {}", item.text),
    };
    let data = EventData::ActionDone(ActionDone {
        action: shown,
        action_id: item.id,
        note: note.map(String::from),
    });
    let mut done = item.clone();
    done.apply(now, &data);
    let mut change = change.record(now, data, text);
    change.records.push(Record::Action(done));
    change
}

/// Links an action item to its ticket. Empty when it links there already.
pub fn action_link(incident: &Incident, item: &ActionItem, url: &str, now: DateTime<Utc>) -> Change {
    let change = Change::of(incident);
    if item.link.as_deref() == Some(url) {
        return change;
    }
    let shown = format_action_id(item.id);
    let data = EventData::ActionLinked(ActionLinked {
        action: shown.clone(),
        action_id: item.id,
        link: url.to_string(),
        previous: item.link.clone(),
    });
    let mut linked = item.clone();
    linked.apply(now, &data);
    let mut change = change.record(now, data, format!("Action {shown} linked to {url}"));
    change.records.push(Record::Action(linked));
    change
}

/// What a retrospective change asks for.
#[derive(Debug, Clone, Default)]
pub struct RetroRequest {
    pub patch: RetroPatch,
    pub actions: Vec<NewAction>,
    pub complete: bool,
    /// Complete without action items, for this reason.
    pub no_actions: Option<String>,
}

/// What a retrospective change did, for the command to report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetroOutcome {
    /// The fields that changed.
    pub changed: Vec<RetroField>,
    /// Items identical to ones already recorded, skipped.
    pub already: Vec<i64>,
    /// The numbers of the items added.
    pub added: Vec<i64>,
    pub closed: bool,
    /// Completing again, with nothing else asked: nothing to do.
    pub already_complete: bool,
}

/// Records retrospective answers and action items, and completes it (which
/// closes the incident) when asked. `existing` are the incident's action
/// items; new ones are numbered from `next_action`.
pub fn retro(
    incident: &Incident,
    current: Option<&Retro>,
    existing: &[ActionItem],
    next_action: i64,
    request: RetroRequest,
    now: DateTime<Utc>,
) -> Result<(Change, RetroOutcome), Refusal> {
    let mut outcome = RetroOutcome::default();
    // Completing again is what a retried script does: nothing to refuse.
    if incident.status == Status::Closed
        && request.complete
        && request.patch == RetroPatch::default()
        && request.actions.is_empty()
    {
        outcome.already_complete = true;
        return Ok((Change::of(incident), outcome));
    }
    retro_open(incident)?;
    let mut change = Change::of(incident);
    let mut retro = current.cloned().unwrap_or_default();
    let diff = retro.diff(request.patch);
    if !diff.is_empty() {
        outcome.changed = diff.iter().map(|(field, _)| *field).collect();
        let names: Vec<&str> = outcome.changed.iter().map(|f| f.describe()).collect();
        let data = EventData::RetroUpdated(RetroUpdate {
            changed: outcome.changed.clone(),
            values: diff.into_iter().collect(),
        });
        // The values come from the patch, so they fit their fields.
        let _ = apply_to_retro(&mut retro, &data);
        change = change.record(now, data, format!("Retrospective updated: {}", names.join(", ")));
        change.records.push(Record::Retro(retro.clone()));
    }
    // An answers file applied twice must not double the follow-up work: an
    // item identical to one already recorded is skipped.
    for item in &request.actions {
        let same = |a: &&ActionItem| {
            a.text == item.text && a.owner == item.owner && a.due == item.due && a.kind == item.kind
        };
        match existing.iter().find(same) {
            Some(found) => outcome.already.push(found.id),
            None => {
                let number = next_action + outcome.added.len() as i64;
                let added = add_action(&change.incident, number, item, now);
                change = change.then(added);
                outcome.added.push(number);
            }
        }
    }
    if request.complete {
        let mut numbers: Vec<i64> = existing.iter().map(|a| a.id).collect();
        numbers.extend(&outcome.added);
        let closed = complete(&change.incident, &mut retro, &numbers, request.no_actions, now)?;
        change = change.then(closed);
        outcome.closed = true;
    }
    Ok((change, outcome))
}

/// The retrospective is held on a resolved incident (a closed one's is
/// complete).
pub fn retro_open(incident: &Incident) -> Result<(), Refusal> {
    match incident.status {
        Status::Resolved => Ok(()),
        status => Err(Refusal::RetroNotResolved(status)),
    }
}

/// Closes the incident if its retrospective may complete; otherwise says
/// exactly what is missing. `items` are all its action items' numbers.
fn complete(
    incident: &Incident,
    retro: &mut Retro,
    items: &[i64],
    no_actions: Option<String>,
    at: DateTime<Utc>,
) -> Result<Change, Refusal> {
    if let (Some(_), Some(first)) = (&no_actions, items.first()) {
        return Err(Refusal::HasActions {
            first: *first,
            more: items.len() - 1,
        });
    }
    retro::check_complete(retro, items.len(), no_actions.as_deref()).map_err(Refusal::Incomplete)?;
    lifecycle::close(incident.status).map_err(Refusal::CannotClose)?;
    let text = match &no_actions {
        Some(why) => format!("Closed: retrospective complete, no action items: {why}"),
        None if items.len() == 1 => "Closed: retrospective complete, 1 action item".to_string(),
        None => format!("Closed: retrospective complete, {} action items", items.len()),
    };
    let data = EventData::Closed(Closure {
        from: incident.status,
        to: Status::Closed,
        action_items: items.iter().map(|n| format_action_id(*n)).collect(),
        no_actions,
    });
    let keeps_reason = matches!(&data, EventData::Closed(c) if c.no_actions.is_some());
    let _ = apply_to_retro(retro, &data);
    let mut change = Change::of(incident).record(at, data, text);
    if keeps_reason {
        change.records.push(Record::Retro(retro.clone()));
    }
    Ok(change)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::domain::EventKind;
    use crate::domain::retro::{ActionKind, Missing};

    fn item(id: i64, text: &str) -> ActionItem {
        ActionItem {
            id,
            incident_id: 1,
            text: text.into(),
            owner: "bob".into(),
            due: "2026-12-01".parse().unwrap(),
            kind: ActionKind::Preventive,
            status: ActionStatus::Open,
            created_at: t("09:00"),
            done_at: None,
            note: None,
            link: None,
        }
    }

    #[test]
    fn action_items_are_done_and_linked_once() {
        let open = item(3, "alert on locks");
        let done = action_done(&resolved(), &open, Some("shipped"), t("10:00"));
        assert_eq!(done.events[0].text, "Action A-3 done: alert on locks (shipped)");
        let Record::Action(after) = &done.records[0] else {
            panic!()
        };
        assert_eq!(after.status, ActionStatus::Done);
        assert_eq!(
            (after.done_at, after.note.as_deref()),
            (Some(t("10:00")), Some("shipped"))
        );
        assert!(action_done(&resolved(), after, None, t("10:05")).is_empty());
        let linked = action_link(&resolved(), &open, "https://t/OPS-1", t("10:00"));
        let Record::Action(after) = &linked.records[0] else {
            panic!()
        };
        assert!(action_link(&resolved(), after, "https://t/OPS-1", t("10:01")).is_empty());
    }

    #[test]
    fn a_retro_needs_a_resolved_incident_and_completes_only_when_whole() {
        let request = || RetroRequest {
            complete: true,
            ..RetroRequest::default()
        };
        assert!(matches!(
            retro(&Incident::example(), None, &[], 1, request(), t("10:00")),
            Err(Refusal::RetroNotResolved(Status::Investigating))
        ));
        let missing = retro(&resolved(), None, &[], 1, request(), t("10:00")).unwrap_err();
        assert_eq!(
            missing,
            Refusal::Incomplete(vec![Missing::RootCause, Missing::ActionItem])
        );
        let whole = RetroRequest {
            patch: RetroPatch {
                root_cause: Some("a lock".into()),
                ..RetroPatch::default()
            },
            actions: vec![NewAction {
                text: "alert on locks".into(),
                owner: "bob".into(),
                due: "2026-12-01".parse().unwrap(),
                kind: ActionKind::Preventive,
            }],
            complete: true,
            no_actions: None,
        };
        let (change, outcome) = retro(&resolved(), None, &[], 4, whole.clone(), t("10:00")).unwrap();
        assert_eq!(
            kinds(&change),
            [EventKind::RetroUpdated, EventKind::ActionAdded, EventKind::Closed]
        );
        assert_eq!(outcome.added, [4]);
        assert_eq!(outcome.changed, [RetroField::RootCause]);
        assert_eq!(change.incident.status, Status::Closed);
        assert_eq!(change.incident.closed_at, Some(t("10:00")));
        // The same answers again: the item is known, the retro is complete.
        let known = [item(4, "alert on locks")];
        let again = retro(
            &change.incident,
            None,
            &known,
            5,
            RetroRequest {
                complete: true,
                ..RetroRequest::default()
            },
            t("10:05"),
        )
        .unwrap();
        assert!(again.1.already_complete && again.0.is_empty());
    }

    #[test]
    fn completing_without_action_items_keeps_the_reason_in_the_retro() {
        let request = RetroRequest {
            patch: RetroPatch {
                root_cause: Some("a cosmic ray".into()),
                ..RetroPatch::default()
            },
            complete: true,
            no_actions: Some("one-off hardware fault".into()),
            ..RetroRequest::default()
        };
        let (change, _) = retro(&resolved(), None, &[], 1, request, t("10:00")).unwrap();
        let Some(Record::Retro(kept)) = change.records.last() else {
            panic!("{:?}", change.records)
        };
        assert_eq!(kept.no_actions.as_deref(), Some("one-off hardware fault"));
        assert_eq!(kept.root_cause.as_deref(), Some("a cosmic ray"));
    }
}
