//! The incident's plan: a playbook's checklist attached, its tasks done or
//! skipped, and the changes made just before it began.

use super::{Change, Part, Refusal, not_ended};
use crate::domain::event::{PlaybookAttached, RecentChanges, TaskMark};
use crate::domain::plans::{ChangeRecord, Checklist};
use crate::domain::{EventData, Incident};
use chrono::{DateTime, Utc};

/// Makes a response plan the incident's checklist. An incident follows one
/// plan: attaching another is refused.
pub fn attach_playbook(
    incident: &Incident,
    current: Option<&str>,
    plan: PlaybookAttached,
    now: DateTime<Utc>,
) -> Result<Change, Refusal> {
    not_ended(incident, Part::Playbook)?;
    if let Some(name) = current {
        return Err(Refusal::HasPlaybook(name.to_string()));
    }
    let text = format!(
        "Playbook {} attached: {} task{}",
        plan.name,
        plan.tasks.len(),
        if plan.tasks.len() == 1 { "" } else { "s" }
    );
    Ok(Change::of(incident).record(now, EventData::PlaybookAttached(plan), text))
}

/// Records a checklist task as done (or skipped). A task ends once.
pub fn mark_task(
    incident: &Incident,
    list: Option<&Checklist>,
    number: usize,
    done: bool,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Change, Refusal> {
    not_ended(incident, Part::Tasks)?;
    let list = list.ok_or(Refusal::NoPlaybook)?;
    let task = number
        .checked_sub(1)
        .and_then(|i| list.tasks.get(i))
        .ok_or(Refusal::NoTask {
            number,
            count: list.tasks.len(),
        })?;
    if let Some(outcome) = &task.outcome {
        return Err(Refusal::TaskEnded {
            number,
            state: outcome.state,
        });
    }
    let mark = TaskMark {
        task: number,
        title: task.title.clone(),
        note: note.map(String::from),
    };
    let (data, verb) = match done {
        true => (EventData::TaskDone(mark), "done"),
        false => (EventData::TaskSkipped(mark), "skipped"),
    };
    let mut text = format!("Task {number} {verb}: {}", task.title);
    if let Some(note) = note {
        text.push_str(&format!(" ({note})"));
    }
    Ok(Change::of(incident).record(now, data, text))
}

/// Records on the incident the changes made on its services just before it.
/// Empty when there were none.
pub fn note_recent_changes(incident: &Incident, changes: Vec<ChangeRecord>, now: DateTime<Utc>) -> Change {
    let change = Change::of(incident);
    if changes.is_empty() {
        return change;
    }
    let titles: Vec<&str> = changes.iter().map(|c| c.title.as_str()).collect();
    let text = format!("Recent changes: {}", titles.join("; "));
    change.record(now, EventData::RecentChanges(RecentChanges { changes }), text)
}
