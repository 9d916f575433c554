//! `incident notify`: delivers what is due to every `[[notify]]`
//! destination and exits (for cron), or with `--watch` keeps delivering as
//! incidents change until SIGINT, SIGTERM or SIGHUP. What was delivered is
//! kept in the database, so any machine with the configuration and its
//! secrets can deliver, and a stopped deliverer picks up where it was.

use crate::context::{self, Ctx};
use crate::error::usage;
use crate::notify::Destination;
use crate::notify::deliver::{Deliverer, Turn};
use crate::output;
use crate::signals::{Catch, Signal};
use crate::store::Access;
use anyhow::{Result, anyhow};
use clap::Args;
use serde::Serialize;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident notify                 # deliver what is due, then exit (cron: every minute)
  incident notify --watch         # keep delivering, as a service
  incident notify --to ops-chat   # only this destination

Destinations are the configuration's [[notify]] entries (docs/notifications.md). Each keeps
its place in the timeline in the database: every event is delivered at least once, in
order, whichever machine delivers. 'incident deliveries' shows where each stands.
Exit status: 0 when everything due was delivered or waits for its retry, 1 when a
destination failed now (it is retried later, with a growing wait) or is parked (refused
for good: fix it, then 'incident deliveries retry NAME').")]
pub struct NotifyArgs {
    /// Keep delivering as incidents change, until Ctrl-C or SIGTERM
    #[arg(long)]
    pub watch: bool,

    /// Only this destination (repeatable)
    #[arg(long = "to", value_name = "NAME")]
    pub to: Vec<String>,
}

#[derive(Serialize)]
struct TurnView<'a> {
    destination: &'a str,
    sent: usize,
    /// delivered, failed, waiting
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_at: Option<String>,
}

pub fn run(ctx: &Ctx, args: NotifyArgs) -> Result<()> {
    let config = ctx.config()?;
    let destinations = chosen(&config.notify, &args.to, &config.describe_source())?;
    let mut store = ctx.open(Access::Write)?;
    let env = crate::notify::environment(&store, config.source.as_deref());
    let deliverer = Deliverer::new(&destinations, &config.key_prefix, env, &context::clock)
        .with_people(&config.people)
        .with_paging(&config.policies, &config.schedules);
    if args.watch {
        let catch = Catch::new(&[Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP])?;
        ctx.say(format!(
            "incident notify: delivering to {} (Ctrl-C stops)",
            destinations
                .iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return deliverer.watch(
            &mut store,
            &|| catch.caught().is_some(),
            &|name, turn| match turn {
                Turn::Failed { reason, next, .. } => ctx.warn(failure(name, reason, *next)),
                t if t.sent() > 0 => ctx.say(format!("{name}: {} sent", t.sent())),
                _ => {}
            },
        );
    }
    let turns = deliverer.drain(&mut store)?;
    let failed: Vec<String> = turns
        .iter()
        .filter_map(|(name, turn)| match turn {
            Turn::Failed { reason, next, .. } => Some(failure(name, reason, *next)),
            Turn::Parked { reason } => Some(failure(name, reason, None)),
            _ => None,
        })
        .collect();
    if ctx.json() {
        let views: Vec<TurnView> = turns
            .iter()
            .map(|(name, turn)| TurnView {
                destination: name,
                sent: turn.sent(),
                state: match turn {
                    Turn::Failed { .. } => "failed",
                    Turn::Parked { .. } => "parked",
                    Turn::Skipped { .. } => "waiting",
                    _ => "delivered",
                },
                error: match turn {
                    Turn::Failed { reason, .. } | Turn::Parked { reason } => Some(reason),
                    _ => None,
                },
                retry_at: match turn {
                    Turn::Failed { next, .. } => next.map(crate::time::to_rfc3339),
                    Turn::Skipped { until } => until.map(crate::time::to_rfc3339),
                    _ => None,
                },
            })
            .collect();
        output::print_json(&views)?;
    } else {
        for (name, turn) in &turns {
            match turn {
                Turn::Failed { .. } | Turn::Parked { .. } => {}
                Turn::Skipped { until } => ctx.say(format!(
                    "{name}: waiting{}",
                    until
                        .map(|t| format!(" until {}", crate::time::to_rfc3339(t)))
                        .unwrap_or_default()
                )),
                t => ctx.say(format!("{name}: {} sent, up to date", t.sent())),
            }
        }
    }
    match failed.len() {
        0 => Ok(()),
        1 => Err(anyhow!("{}", failed[0])),
        n => Err(anyhow!("{n} destinations failed: {}", failed.join("; "))),
    }
}

fn failure(name: &str, reason: &str, next: Option<chrono::DateTime<chrono::Utc>>) -> String {
    let reason = crate::text::one_line(reason);
    match next {
        Some(at) => format!("{name}: {reason}; retried from {}", crate::time::to_rfc3339(at)),
        None => format!("{name}: {reason}; parked until 'incident deliveries retry {name}'"),
    }
}

/// The destinations `to` names (all when none), or the error naming one
/// that is not configured.
fn chosen(all: &[Destination], to: &[String], source: &str) -> Result<Vec<Destination>> {
    if all.is_empty() {
        return Err(usage(format!(
            "no [[notify]] destinations in {source}; add one (docs/notifications.md)"
        )));
    }
    if to.is_empty() {
        return Ok(all.to_vec());
    }
    to.iter()
        .map(|name| {
            all.iter().find(|d| &d.name == name).cloned().ok_or_else(|| {
                usage(format!(
                    "no destination '{name}' in {source}; configured: {}",
                    all.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join(", ")
                ))
            })
        })
        .collect()
}
