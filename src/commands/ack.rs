//! `incident ack`: the acting person takes the incident. Any page on it
//! stops, and the acknowledge target is met.

use crate::context::Ctx;
use crate::domain::{ops, paging};
use crate::render;
use crate::store::ReadsExt;
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident ack INC-7                # you have it: paging stops
  incident --as bob ack 7           # bob answered the page")]
pub struct AckArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,
}

pub fn run(ctx: &Ctx, args: AckArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    let key = ctx.key(id)?;
    let (store, committed) = ctx.write(|w| {
        let now = w.now();
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        let paging = paging::state(&w.events_of(id, paging::KINDS)?)
            .filter(|p| !p.acknowledged && !p.unanswered)
            .map(|p| p.policy);
        let change = ops::acknowledge(&incident, now).map_err(|r| ctx.refused(id, r))?;
        w.apply(change)?;
        Ok(paging)
    })?;
    if ctx.json() {
        return render::print_incident(ctx, &store, id, None);
    }
    let who = ctx.actor()?;
    ctx.say(match committed.value {
        Some(policy) => format!("{key}: acknowledged by {who}; paging by {policy} stops"),
        None => format!("{key}: acknowledged by {who}"),
    });
    Ok(())
}
