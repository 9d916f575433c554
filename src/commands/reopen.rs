//! `incident reopen`: the way back for a resolved, closed, canceled or
//! duplicate incident, recording who and why.

use crate::context::Ctx;
use crate::domain::{Status, ops};
use crate::error::usage;
use crate::render;
use crate::store::ReadsExt;
use crate::text::{non_blank, one_line};
use anyhow::Result;
use clap::Args;
use clap::builder::{PossibleValuesParser, TypedValueParser};

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident reopen INC-7 -r \"errors are back\"
  incident reopen INC-7 -r \"real after all\" --status identified")]
pub struct ReopenArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,

    /// Why it is reopened: what came back, or why it was real after all
    #[arg(long, short)]
    pub reason: String,

    /// The active status it goes back to
    #[arg(long, default_value = "investigating", value_parser = active_status())]
    pub status: Status,
}

/// The statuses an incident can be reopened to.
fn active_status() -> impl TypedValueParser<Value = Status> {
    let names = Status::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str());
    PossibleValuesParser::new(names).map(|name| name.parse::<Status>().expect("a listed status"))
}

pub fn run(ctx: &Ctx, args: ReopenArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    let reason = non_blank(&args.reason)
        .ok_or_else(|| usage("--reason is empty; say why the incident is reopened"))?;
    let key = ctx.key(id)?;
    let (store, committed) = ctx.write(|w| {
        let now = w.now();
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        let primary = match incident.status {
            Status::Duplicate => w.duplicate_of(id)?,
            _ => None,
        };
        let (change, unlinked) = ops::reopen(&incident, &key, args.status, &reason, primary.as_ref(), now)
            .map_err(|r| ctx.refused(id, r))?;
        let said = change.events[0].text.clone();
        w.apply(change)?;
        if let Some(unlinked) = unlinked {
            w.apply(unlinked)?;
        }
        Ok(said)
    })?;
    if ctx.json() {
        return render::print_incident(ctx, &store, id, None);
    }
    ctx.say(format!("{key}: {}", one_line(&committed.value)));
    Ok(())
}
