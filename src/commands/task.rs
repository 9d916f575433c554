//! `incident task`: the incident's checklist from its playbook; `done` and
//! `skip` record a task's end as a timeline event.

use crate::context::Ctx;
use crate::domain::ops;
use crate::domain::plans::{self, CHECKLIST_KINDS, Checklist};
use crate::error::usage;
use crate::output;
use crate::store::Access;
use crate::store::ReadsExt;
use crate::text::{non_blank, one_line};
use crate::time::human;
use anyhow::Result;
use chrono::Local;
use clap::{Args, ValueEnum};
use std::io::Write;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident task INC-7                 # the checklist
  incident task INC-7 done 2 --note \"rate limits on\"
  incident task INC-7 skip 3 --note \"no customer data involved\"")]
pub struct TaskArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,

    /// Record a task as done or skipped (without: list the checklist)
    #[arg(value_enum, requires = "number")]
    pub mark: Option<Mark>,

    /// The task's number, as the checklist shows it
    pub number: Option<usize>,

    /// What was done, or why it was skipped
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mark {
    Done,
    Skip,
}

pub fn run(ctx: &Ctx, args: TaskArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    let key = ctx.key(id)?;
    let Some(mark) = args.mark else {
        if args.note.is_some() {
            return Err(usage(format!(
                "--note goes with done or skip, e.g. incident task {key} done 1 --note TEXT"
            )));
        }
        return list(ctx, id, &key);
    };
    let number = args.number.unwrap_or_default();
    let note = match &args.note {
        Some(n) => Some(non_blank(n).ok_or_else(|| usage("--note is empty; say what was done or why not"))?),
        None => None,
    };
    let (_, committed) = ctx.write(|w| {
        let now = w.now();
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        let events = w.events_of(id, CHECKLIST_KINDS)?;
        let list = plans::checklist(incident.declared_at, &events);
        let change = ops::mark_task(
            &incident,
            list.as_ref(),
            number,
            mark == Mark::Done,
            note.as_deref(),
            now,
        )
        .map_err(|r| ctx.refused(id, r))?;
        let said = change.events.first().map(|e| e.text.clone()).unwrap_or_default();
        w.apply(change)?;
        Ok(said)
    })?;
    if ctx.json() {
        let store = ctx.open(Access::Read)?;
        return print_json(ctx, &store, id);
    }
    ctx.say(format!("{key}: {}", one_line(&committed.value)));
    Ok(())
}

fn print_json(ctx: &Ctx, store: &crate::store::Store, id: i64) -> Result<()> {
    let incident = ctx.find(store, id)?;
    let list = plans::checklist(incident.declared_at, &store.events_of(id, CHECKLIST_KINDS)?);
    output::print_json(&serde_json::json!({
        "key": ctx.key(id)?,
        "checklist": list,
        "unfilled_roles": list.as_ref().map(|l| l.unfilled(&incident)).unwrap_or_default(),
    }))
}

fn list(ctx: &Ctx, id: i64, key: &str) -> Result<()> {
    let store = ctx.open(Access::Read)?;
    if ctx.json() {
        return print_json(ctx, &store, id);
    }
    let incident = ctx.find(&store, id)?;
    let Some(list) = plans::checklist(incident.declared_at, &store.events_of(id, CHECKLIST_KINDS)?) else {
        ctx.say(format!(
            "{key} follows no playbook; attach one with 'incident edit {key} --playbook NAME'"
        ));
        return Ok(());
    };
    let mut out = output::stdout();
    write_checklist(&mut out, &list, &incident, ctx.now)?;
    out.flush()?;
    Ok(())
}

/// The checklist, one task a line (wrapped to the terminal).
fn write_checklist(
    out: &mut impl Write,
    list: &Checklist,
    incident: &crate::domain::Incident,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    output::write_wrapped(
        out,
        "",
        &format!("Playbook {}: {}", one_line(&list.playbook), list.progress_text()),
    )?;
    let unfilled = list.unfilled(incident);
    if !unfilled.is_empty() {
        output::write_wrapped(out, "", &format!("Roles to fill: {}", unfilled.join(", ")))?;
    }
    for t in &list.tasks {
        let mut line = match &t.outcome {
            Some(o) => format!(
                "[{}] {}. {}",
                if o.state == "done" { "x" } else { "-" },
                t.number,
                t.title
            ),
            None => format!("[ ] {}. {}", t.number, t.title),
        };
        if let Some(role) = &t.role {
            line.push_str(&format!(" ({role})"));
        }
        match (&t.outcome, t.due_at) {
            (Some(o), _) => {
                line.push_str(&format!(" — {} {} by {}", o.state, human(o.at, &Local), o.by));
                if let Some(note) = &o.note {
                    line.push_str(&format!(": {note}"));
                }
            }
            (None, Some(due)) if t.is_late(now) => {
                line.push_str(&format!(" — LATE, due {}", human(due, &Local)))
            }
            (None, Some(due)) => line.push_str(&format!(" — due {}", human(due, &Local))),
            (None, None) => {}
        }
        output::write_wrapped(out, "  ", &one_line(&output::shown(&line)))?;
    }
    Ok(())
}
