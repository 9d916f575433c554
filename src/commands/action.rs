//! `incident action`: follow-up action items from retrospectives — add them,
//! list them across all incidents, mark them done, link them to a ticket.

use crate::context::Ctx;
use crate::domain::retro::{
    ActionItem, ActionKind, ActionStatus, NewAction, format_action_id, parse_action_id, parse_due,
};
use crate::domain::{Incident, ops};
use crate::error::{not_found, usage};
use crate::output;
use crate::postmortem::ActionView;
use crate::store::ReadsExt;
use crate::store::{Access, ActionFilter};
use crate::text::{non_blank, one_line};
use crate::time::{human, local_day, to_rfc3339};
use anyhow::Result;
use chrono::{Local, NaiveDate};
use clap::{Args, Subcommand};
use comfy_table::{Cell, Color};
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident action add INC-7 \"Alert on lock waits\" --owner erin --due 14d -k detective
  incident action list --overdue
  incident action done A-3 --note \"alert shipped\"")]
pub struct ActionArgs {
    #[command(subcommand)]
    pub command: ActionCommand,
}

#[derive(Debug, Subcommand)]
pub enum ActionCommand {
    /// Add a follow-up action item to an incident; prints its id
    Add(AddArgs),
    /// List action items across all incidents, soonest due first
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Mark an action item done
    Done(DoneArgs),
    /// Link an action item to its ticket in the team's tracker
    Link(LinkArgs),
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident action add INC-7 \"Alert on lock waits\" --owner erin --due 14d -k detective
  incident action add INC-7 \"Cap batch size\" --owner bob -d 2026-12-31 -k preventive")]
pub struct AddArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,

    /// What is to be done
    pub text: String,

    /// Who follows it up
    #[arg(long, value_parser = crate::text::name_arg)]
    pub owner: String,

    /// When it is due: YYYY-MM-DD, or a span from today (14d, 2w)
    #[arg(long, short, value_name = "DATE")]
    pub due: String,

    /// detective (notice sooner), preventive (keep it from happening) or corrective (fix, recover faster)
    #[arg(long, short, value_parser = crate::cli::named::<ActionKind>())]
    pub kind: ActionKind,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident action list
  incident action list --overdue
  incident action list -i INC-7 --open")]
pub struct ListArgs {
    /// Only items not done yet
    #[arg(long)]
    pub open: bool,

    /// Only open items whose due date has passed
    #[arg(long)]
    pub overdue: bool,

    /// Only items this person owns
    #[arg(long, value_name = "NAME", value_parser = crate::text::name_arg)]
    pub owner: Option<String>,

    /// Only the items of this incident
    #[arg(long, short, value_name = "KEY")]
    pub incident: Option<String>,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident action done A-3
  incident action done A-3 --note \"alert shipped\"")]
pub struct DoneArgs {
    /// The action item (A-3 or 3)
    pub id: String,

    /// What was done, for the record
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident action link A-3 https://tracker.example.org/OPS-142
  incident action link 3 https://github.com/acme/api/issues/88")]
pub struct LinkArgs {
    /// The action item (A-3 or 3)
    pub id: String,

    /// The ticket, e.g. https://tracker.example/OPS-12
    #[arg(value_parser = crate::text::link_arg)]
    pub url: String,
}

pub fn run(ctx: &Ctx, args: ActionArgs) -> Result<()> {
    match args.command {
        ActionCommand::Add(args) => add(ctx, args),
        ActionCommand::List(args) => list(ctx, args),
        ActionCommand::Done(args) => done(ctx, args),
        ActionCommand::Link(args) => link(ctx, args),
    }
}

/// An action item as `action … --json` prints it.
#[derive(Serialize)]
struct ItemView {
    #[serde(flatten)]
    item: ActionView,
    /// The incident's key.
    incident: String,
    created_at: String,
}

impl ItemView {
    fn new(ctx: &Ctx, item: &ActionItem, today: NaiveDate) -> Result<ItemView> {
        Ok(ItemView {
            item: ActionView::new(item, today),
            incident: ctx.key(item.incident_id)?,
            created_at: to_rfc3339(item.created_at),
        })
    }
}

fn add(ctx: &Ctx, args: AddArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    let today = local_day(ctx.now);
    let item = NewAction {
        text: non_blank(&args.text)
            .ok_or_else(|| usage("the action item is empty; say what is to be done"))?,
        owner: non_blank(&args.owner).ok_or_else(|| usage("--owner is empty; name who follows it up"))?,
        due: parse_due(&args.due, today).map_err(|e| usage(format!("--due: {e}")))?,
        kind: args.kind,
    };
    let (store, committed) = ctx.write(|w| {
        let now = w.now();
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        let number = w.next_action_id()?;
        w.apply(ops::add_action(&incident, number, &item, now))?;
        Ok(number)
    })?;
    let number = committed.value;
    let shown = format_action_id(number);
    if ctx.json() {
        let item = store.action(number)?.ok_or_else(|| missing_action(number))?;
        return output::print_json(&ItemView::new(ctx, &item, today)?);
    }
    let mut out = output::stdout();
    writeln!(out, "{shown}")?;
    out.flush()?;
    ctx.say(format!(
        "Added {shown} to {} for {}, due {}",
        ctx.key(id)?,
        one_line(&item.owner),
        item.due
    ));
    Ok(())
}

/// Below this many columns items are listed one under another, not as a
/// table whose action column would be a few characters wide.
const NARROW: usize = 80;

fn list(ctx: &Ctx, args: ListArgs) -> Result<()> {
    let today = local_day(ctx.now);
    let incident_id = args.incident.as_deref().map(|k| ctx.parse_key(k)).transpose()?;
    let filter = ActionFilter {
        open: args.open || args.overdue,
        owner: args.owner.as_deref().and_then(non_blank),
        incident_id,
        ..ActionFilter::default()
    };
    let store = ctx.open(Access::Read)?;
    if let Some(id) = incident_id {
        ctx.find(&store, id)?;
    }
    let items: Vec<_> = store
        .actions(&filter)?
        .into_iter()
        .filter(|a| !args.overdue || a.is_overdue(today))
        .collect();
    if ctx.json() {
        let views = items
            .iter()
            .map(|i| ItemView::new(ctx, i, today))
            .collect::<Result<Vec<_>>>()?;
        return output::print_json(&views);
    }
    if items.is_empty() {
        ctx.say(match (args.overdue, args.open) {
            (true, _) => "No overdue action items.",
            (false, true) => "No open action items.",
            _ => "No action items match; add one with 'incident action add KEY TEXT --owner --due --kind'.",
        });
        return Ok(());
    }
    let colour = output::colour();
    let status_of = |item: &ActionItem| match item.status {
        ActionStatus::Open if item.is_overdue(today) => {
            (format!("OVERDUE {}d", (today - item.due).num_days()), true)
        }
        ActionStatus::Done => match item.done_at {
            Some(t) => (
                format!("done {}", human(t, &Local).split(' ').next().unwrap_or_default()),
                false,
            ),
            None => ("done".into(), false),
        },
        status => (status.as_str().to_string(), false),
    };
    let text_of = |item: &ActionItem| {
        let mut text = one_line(&output::shown(&item.text)).into_owned();
        if let Some(link) = &item.link {
            text.push_str(&format!(" <{}>", one_line(&output::shown(link))));
        }
        text
    };
    if output::width().is_some_and(|w| w < NARROW) {
        // Too narrow for seven columns: each item's facts on a line, what
        // is to be done below them, indented.
        let mut out = output::stdout();
        for item in &items {
            let head = format!(
                "{}  {}  {}  due {}  {}  {}",
                format_action_id(item.id),
                ctx.key(item.incident_id)?,
                status_of(item).0,
                item.due,
                one_line(&output::shown(&item.owner)),
                item.kind.as_str()
            );
            output::write_wrapped(&mut out, "", &head)?;
            output::write_wrapped(&mut out, "     ", &text_of(item))?;
        }
        out.flush()?;
        return Ok(());
    }
    let mut table = output::table(["ID", "INCIDENT", "KIND", "OWNER", "DUE", "STATUS", "ACTION"]);
    for item in &items {
        let (status, overdue) = status_of(item);
        let status = match (Cell::new(status), overdue && colour) {
            (cell, true) => cell.fg(Color::Red),
            (cell, false) => cell,
        };
        let text = text_of(item);
        table.add_row(vec![
            Cell::new(format_action_id(item.id)),
            Cell::new(ctx.key(item.incident_id)?),
            Cell::new(item.kind.as_str()),
            Cell::new(one_line(&output::shown(&item.owner))),
            Cell::new(item.due.to_string()),
            status,
            Cell::new(text),
        ]);
    }
    // Ids, keys and dates stay whole; owner, status and the action wrap.
    output::keep_whole(&mut table, &[0, 1, 4]);
    let mut out = output::stdout();
    output::print_table(&mut out, &table)?;
    out.flush()?;
    Ok(())
}

fn missing_action(number: i64) -> anyhow::Error {
    not_found(format!(
        "no action item {}; run 'incident action list'",
        format_action_id(number)
    ))
}

/// Loads the item and its incident inside the transaction, lets `f` make
/// the change (empty when nothing changes) and stores it.
fn change(
    ctx: &Ctx,
    id: &str,
    f: impl FnOnce(&Incident, &ActionItem) -> ops::Change,
) -> Result<(ActionItem, bool)> {
    let number = parse_action_id(id).map_err(|e| usage(format!("{e} (see 'incident action list')")))?;
    let (_, committed) = ctx.write(|w| {
        let item = w.action(number)?.ok_or_else(|| missing_action(number))?;
        let incident = w
            .incident(item.incident_id)?
            .ok_or_else(|| ctx.missing(item.incident_id))?;
        let change = f(&incident, &item);
        let after = change.records.iter().find_map(|r| match r {
            ops::Record::Action(a) => Some(a.clone()),
            _ => None,
        });
        w.apply(change)?;
        Ok(match after {
            Some(after) => (after, true),
            None => (item, false),
        })
    })?;
    Ok(committed.value)
}

fn done(ctx: &Ctx, args: DoneArgs) -> Result<()> {
    let note = args.note.as_deref().and_then(non_blank);
    let now = ctx.now;
    let (item, changed) = change(ctx, &args.id, |incident, item| {
        ops::action_done(incident, item, note.as_deref(), now)
    })?;
    report(ctx, &item, changed, "done", "already done")
}

fn link(ctx: &Ctx, args: LinkArgs) -> Result<()> {
    let url = args.url.trim().to_string();
    if url.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(usage(format!(
            "'{}' is not a link; give the ticket's address, e.g. https://tracker.example/OPS-12",
            one_line(&args.url)
        )));
    }
    let now = ctx.now;
    let (item, changed) = change(ctx, &args.id, |incident, item| {
        ops::action_link(incident, item, &url, now)
    })?;
    report(ctx, &item, changed, "linked", "already linked there")
}

fn report(ctx: &Ctx, item: &ActionItem, changed: bool, did: &str, had: &str) -> Result<()> {
    if ctx.json() {
        return output::print_json(&ItemView::new(ctx, item, local_day(ctx.now))?);
    }
    let shown = format_action_id(item.id);
    let key = ctx.key(item.incident_id)?;
    match changed {
        true => ctx.say(format!("{shown} ({key}) {did}: {}", one_line(&item.text))),
        false => ctx.say(format!("{shown} ({key}) {had}; nothing changed")),
    }
    Ok(())
}
