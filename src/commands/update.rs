//! `incident update`: append to the timeline, optionally moving the status or
//! severity and promising the next status update.

use crate::context::Ctx;
use crate::domain::ops::{self, Change, Entry, UpdateRequest};
use crate::domain::{EntryKind, EventKind, Status, lifecycle};
use crate::error::usage;
use crate::render;
use crate::store::ReadsExt;
use crate::text::{non_blank, one_line};
use crate::time;
use anyhow::{Context, Result};
use chrono::Local;
use clap::Args;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use std::io::Read;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident update INC-7 \"Rolled back deploy 4821\" -k action --status identified
  incident update INC-7 \"Checkout is failing for some customers\" -e --next-update 30m
  incident update INC-7 \"Saw lock waits at 08:02\" -k evidence --at 08:02")]
pub struct UpdateArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,

    /// What happened; '-' reads it from stdin
    pub message: Option<String>,

    /// What kind of entry
    #[arg(
        long,
        short,
        value_parser = crate::cli::named::<EntryKind>(),
        default_value_t = EntryKind::Note,
        conflicts_with = "external"
    )]
    pub kind: EntryKind,

    /// Move the incident to this status (closing, canceling and marking a
    /// duplicate have their own commands)
    #[arg(long, value_parser = settable_status())]
    pub status: Option<Status>,

    /// Change the severity to this level
    #[arg(long, short)]
    pub severity: Option<String>,

    /// This is a customer-facing status update
    #[arg(long, short)]
    pub external: bool,

    /// When the next status update is due: a duration (30m) or a time (14:30)
    #[arg(long, value_name = "WHEN")]
    pub next_update: Option<String>,

    /// When it happened, if not now (for the scribe catching up)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,

    /// Tie this recorded alert (an id from 'incident alerts') to the incident
    #[arg(long, value_name = "ID")]
    pub attach_alert: Option<i64>,
}

/// Only the statuses `update` can move an incident to.
fn settable_status() -> impl TypedValueParser<Value = Status> {
    let names = lifecycle::SETTABLE.iter().map(|s| s.as_str());
    PossibleValuesParser::new(names).map(|name| name.parse::<Status>().expect("a listed status"))
}

pub fn run(ctx: &Ctx, args: UpdateArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    let config = ctx.config()?;
    let message = match args.message.as_deref() {
        Some("-") => Some(read_stdin()?),
        Some(text) => Some(text.to_string()),
        None => None,
    };
    let message = match message {
        Some(text) => Some(non_blank(&text).ok_or_else(|| usage("the message is empty; say what happened"))?),
        None => None,
    };
    let severity = args
        .severity
        .as_deref()
        .map(|s| config.level(s))
        .transpose()?
        .map(|l| l.name.clone());
    if message.is_none()
        && args.status.is_none()
        && severity.is_none()
        && args.next_update.is_none()
        && args.attach_alert.is_none()
    {
        return Err(usage(
            "nothing to record; give a MESSAGE (or '-' for stdin), --status, --severity or --attach-alert",
        ));
    }
    if args.external && message.is_none() {
        return Err(usage("--external needs the MESSAGE that customers will read"));
    }
    // A promise belongs to the update that makes it: on its own it would
    // reset the update deadline without anyone having been told anything.
    let updates_customers = args.external || args.kind == EntryKind::Comms;
    if args.next_update.is_some() && (message.is_none() || !updates_customers) {
        return Err(usage(
            "--next-update promises the next status update, so it goes with one: \
             give the MESSAGE with --external (or --kind comms)",
        ));
    }
    // Without --at, the time the write lock is taken (see `Writer::now`).
    let at = args
        .at
        .as_deref()
        .map(|text| ctx.past_time("--at", text))
        .transpose()?;
    let next_update = args
        .next_update
        .as_deref()
        .map(|text| {
            time::parse_deadline(text, ctx.now, &Local).map_err(|e| usage(format!("--next-update: {e}")))
        })
        .transpose()?
        .map(time::truncate);
    if let Some(due) = next_update
        && due <= ctx.now
    {
        return Err(usage(format!(
            "--next-update {} is not in the future; give a duration such as 30m",
            time::human(due, &Local)
        )));
    }
    if let Some(due) = next_update
        && due - ctx.now > chrono::Duration::hours(12)
    {
        // `--next-update 10:00` typed at 10:30 means tomorrow: say so.
        ctx.warn(format!(
            "the next update is promised for {}, {} from now",
            time::human(due, &Local),
            time::compact(due - ctx.now)
        ));
    }
    let key = ctx.key(id)?;
    let request = UpdateRequest {
        entry: message.map(|text| Entry {
            kind: args.kind,
            external: args.external,
            text,
        }),
        next_update,
        severity: severity.clone(),
        status: args.status,
    };
    let (store, committed) = ctx.write(|w| {
        let at = at.unwrap_or(w.now());
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        // Only a change of status or severity is checked against the
        // latest such change: a plain entry need not look for it.
        let latest = match request.status.is_some() || request.severity.is_some() {
            true => w.latest(id)?,
            false => Default::default(),
        };
        let change = ops::update(&incident, &request, at, &latest).map_err(|r| ctx.refused(id, r))?;
        let mut said = describe(&change, &request);
        w.apply(change)?;
        if let Some(alert) = args.attach_alert {
            match crate::intake::tie_in(w, alert, id, ops::AlertJoin::Hand, at)? {
                Some(_) => said.push(format!("alert {alert} attached")),
                None => said.push(format!("alert {alert} was attached already")),
            }
        }
        Ok(said)
    })?;
    if ctx.json() {
        return render::print_incident(ctx, &store, id, None);
    }
    ctx.say(format!("{key}: {}", one_line(&committed.value.join("; "))));
    Ok(())
}

/// What the update did, for the confirmation line.
fn describe(change: &Change, request: &UpdateRequest) -> Vec<String> {
    let recorded = |kind: EventKind| change.events.iter().any(|e| e.kind() == kind);
    let mut said = Vec::new();
    if let Some(entry) = change.events.first().filter(|_| request.entry.is_some()) {
        said.push(format!("recorded {}", entry.kind()));
    }
    if let Some(level) = &request.severity {
        match recorded(EventKind::SeverityChanged) {
            true => said.push(format!("severity now {level}")),
            false => said.push(format!("already {level}; nothing changed")),
        }
    }
    if let Some(status) = request.status {
        let moved = [EventKind::StatusChanged, EventKind::Resolved, EventKind::Reopened];
        match moved.into_iter().any(recorded) {
            true => said.push(format!("status now {status}")),
            false => said.push(format!("already {status}")),
        }
    }
    if let Some(due) = request.next_update {
        said.push(format!("next update due {}", time::human(due, &Local)));
    }
    said
}

/// The message from stdin, for long or scripted entries.
fn read_stdin() -> Result<String> {
    use std::io::IsTerminal;
    // Typed at a terminal, `-` waits for Ctrl-D: say so, or it looks hung.
    if std::io::stdin().is_terminal() {
        crate::text::to_stderr("Type the message, then Ctrl-D on a line of its own (Ctrl-C cancels):");
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .context("cannot read the message from stdin")?;
    String::from_utf8(bytes)
        .map_err(|_| usage("the message on stdin is not valid UTF-8; convert it first, e.g. with iconv"))
}
