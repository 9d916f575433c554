//! `incident deliveries`: where each notification destination stands —
//! its place in the timeline, how far behind it is, when it last
//! delivered, how it is failing, whether it is parked; `deliveries retry
//! NAME` unparks one.

use crate::context::Ctx;
use crate::domain::notify::Delivery;
use crate::error::{not_found, usage};
use crate::output;
use crate::store::{Access, ReadsExt};
use crate::text::one_line;
use crate::time::human;
use anyhow::Result;
use chrono::Local;
use clap::{Args, Subcommand};
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident deliveries                 # every destination of [[notify]]
  incident deliveries retry ops-chat  # try a parked one again at the next delivery")]
pub struct DeliveriesArgs {
    #[command(subcommand)]
    pub action: Option<DeliveriesAction>,
}

#[derive(Debug, Subcommand)]
pub enum DeliveriesAction {
    /// Unpark a destination (after fixing its URL or token): it is tried at the next delivery
    #[command(after_help = "\
Examples:
  incident deliveries retry ops-chat
  incident deliveries retry ops-chat && incident notify --to ops-chat")]
    Retry {
        /// The destination's name in [[notify]]
        name: String,
    },
}

#[derive(Serialize)]
struct View<'a> {
    destination: &'a str,
    kind: &'static str,
    /// Not yet seen by a deliverer.
    started: bool,
    #[serde(flatten)]
    state: Option<&'a Delivery>,
    /// Events recorded since its cursor (not all of which it may want).
    backlog: i64,
}

pub fn run(ctx: &Ctx, args: DeliveriesArgs) -> Result<()> {
    match args.action {
        Some(DeliveriesAction::Retry { name }) => retry(ctx, &name),
        None => list(ctx),
    }
}

/// Below this many columns the destinations are not a table.
const NARROW: usize = 100;

fn list(ctx: &Ctx) -> Result<()> {
    let config = ctx.config()?;
    let store = ctx.open(Access::Read)?;
    let states = store.deliveries()?;
    let newest = store.arrived_after(None, None)?.1;
    let rows: Vec<View> = config
        .notify
        .iter()
        .map(|d| {
            let state = states.iter().find(|s| s.destination == d.name);
            View {
                destination: &d.name,
                kind: d.medium.kind().as_str(),
                started: state.is_some(),
                state,
                backlog: state.map_or(0, |s| (newest - s.cursor).max(0)),
            }
        })
        .collect();
    if ctx.json() {
        return output::print_json(&rows);
    }
    if rows.is_empty() {
        ctx.say(format!(
            "No [[notify]] destinations in {}; see docs/notifications.md.",
            config.describe_source()
        ));
        return Ok(());
    }
    let narrow = output::width().is_some_and(|w| w < NARROW);
    let mut out = output::stdout();
    let mut table = output::table([
        "NAME",
        "KIND",
        "STATE",
        "BEHIND",
        "SENT",
        "LAST SENT",
        "LAST ERROR",
    ]);
    for row in &rows {
        let (state, behind, sent, last, error) = match row.state {
            None => (
                "not started".to_string(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
            ),
            Some(s) => (
                match (&s.parked, s.failing_since) {
                    (Some(_), _) => "parked".to_string(),
                    (None, Some(since)) => format!("failing since {}", human(since, &Local)),
                    (None, None) => "ok".to_string(),
                },
                row.backlog.to_string(),
                s.delivered.to_string(),
                s.last_success.map_or("-".into(), |t| human(t, &Local)),
                output::shown(&one_line(s.last_error.as_deref().unwrap_or("-"))).into_owned(),
            ),
        };
        if narrow {
            // Each destination's facts on a line, its last error below.
            let head = format!(
                "{}  {}  {state}  behind {behind}  sent {sent}  last {last}",
                row.destination, row.kind
            );
            output::write_wrapped(&mut out, "", &head)?;
            if error != "-" {
                output::write_wrapped(&mut out, "  ", &error)?;
            }
            continue;
        }
        table.add_row(vec![
            row.destination.to_string(),
            row.kind.to_string(),
            state,
            behind,
            sent,
            last,
            error,
        ]);
    }
    if !narrow {
        output::keep_whole(&mut table, &[0, 1, 2, 3, 4, 5]);
        output::print_table(&mut out, &table)?;
    }
    out.flush()?;
    Ok(())
}

fn retry(ctx: &Ctx, name: &str) -> Result<()> {
    let config = ctx.config()?;
    if !config.notify.iter().any(|d| d.name == name) {
        return Err(usage(format!(
            "no destination '{name}' in {}; 'incident deliveries' lists them",
            config.describe_source()
        )));
    }
    let mut store = ctx.open(Access::Write)?;
    let retried = store
        .write(&ctx.actor()?, crate::context::clock, |w| {
            let Some(state) = w.deliveries()?.into_iter().find(|d| d.destination == name) else {
                return Ok(false);
            };
            w.transaction().put_delivery(&state.retried())?;
            Ok(true)
        })?
        .value;
    if !retried {
        return Err(not_found(format!(
            "'{name}' has not been delivered to yet; nothing to retry ('incident notify' starts it)"
        )));
    }
    ctx.say(format!(
        "{name}: tried again at the next delivery ('incident notify' delivers now)"
    ));
    Ok(())
}
