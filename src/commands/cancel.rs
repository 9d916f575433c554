//! `incident cancel`: end an incident that was never real. It stays in the
//! record (`list --all`) and out of `stats`, `check` and `guard`.

use crate::context::Ctx;
use crate::domain::ops;
use crate::error::usage;
use crate::render;
use crate::store::ReadsExt;
use crate::text::{non_blank, one_line};
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident cancel INC-7 -r \"false alarm: a synthetic check misfired\"
  incident --as bob cancel INC-9 -r \"a test page\"")]
pub struct CancelArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,

    /// Why it was not an incident, e.g. "false alarm"
    #[arg(long, short)]
    pub reason: String,
}

pub fn run(ctx: &Ctx, args: CancelArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    let reason = non_blank(&args.reason)
        .ok_or_else(|| usage("--reason is empty; say why it was not an incident, e.g. \"false alarm\""))?;
    let key = ctx.key(id)?;
    let (store, committed) = ctx.write(|w| {
        let now = w.now();
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        let change = ops::cancel(&incident, &reason, now).map_err(|r| ctx.refused(id, r))?;
        let said = change.events[0].text.clone();
        w.apply(change)?;
        Ok(said)
    })?;
    if ctx.json() {
        return render::print_incident(ctx, &store, id, None);
    }
    ctx.say(format!(
        "{key}: {}; reopen it with 'incident reopen {key} --reason WHY'",
        one_line(&committed.value)
    ));
    Ok(())
}
