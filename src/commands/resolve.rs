//! `incident resolve`: service restored for everyone.

use crate::context::Ctx;
use crate::domain::ops;
use crate::render;
use crate::store::ReadsExt;
use crate::text::non_blank;
use crate::time;
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident resolve INC-7 --summary \"Rolled back 4821\"
  incident resolve INC-7 --at \"10 min ago\"")]
pub struct ResolveArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,

    /// How it was resolved
    #[arg(long)]
    pub summary: Option<String>,

    /// When service was restored, if not now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

pub fn run(ctx: &Ctx, args: ResolveArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    let summary = args.summary.as_deref().and_then(non_blank);
    // Without --at, the time the write lock is taken (see `Writer::now`).
    let at = args
        .at
        .as_deref()
        .map(|text| ctx.past_time("--at", text))
        .transpose()?;
    let key = ctx.key(id)?;
    let (store, committed) = ctx.write(|w| {
        let at = at.unwrap_or(w.now());
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        let latest = w.latest(id)?;
        let change =
            ops::resolve(&incident, summary.as_deref(), at, &latest).map_err(|r| ctx.refused(id, r))?;
        w.apply(change)?;
        Ok(at - incident.declared_at)
    })?;
    if ctx.json() {
        return render::print_incident(ctx, &store, id, None);
    }
    ctx.say(format!("Resolved {key} after {}", time::compact(committed.value)));
    Ok(())
}
