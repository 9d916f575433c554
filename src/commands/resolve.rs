//! `incident resolve`: service restored for everyone.

use crate::context::Ctx;
use crate::error::usage;
use crate::model::{EventKind, Status};
use crate::ops;
use crate::render;
use crate::text::non_blank;
use crate::time;
use anyhow::Result;
use chrono::Local;
use clap::Args;

#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,

    /// How it was resolved
    #[arg(long, short)]
    pub summary: Option<String>,

    /// When service was restored, if not now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

pub fn run(ctx: &Ctx, args: ResolveArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    let summary = args.summary.as_deref().and_then(non_blank);
    let at = match &args.at {
        Some(text) => ctx.past_time("--at", text)?,
        None => ctx.now,
    };
    let key = ctx.key(id)?;
    let (store, committed) = ctx.write(|w| {
        let mut incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        if !incident.status.is_open() {
            return Err(usage(format!(
                "{key} is already {}; reopen it with 'incident update {key} --status investigating'",
                incident.status
            )));
        }
        if at < incident.declared_at {
            return Err(usage(format!(
                "--at {} is before {key} was declared ({})",
                time::human(at, &Local),
                time::human(incident.declared_at, &Local)
            )));
        }
        // After a reopen, resolving "before" it would tell the story backwards.
        if let Some(reopened) = w.latest_event(id, &[EventKind::Reopened])?
            && at < reopened.at
        {
            return Err(usage(format!(
                "--at {} is before {key} was reopened ({})",
                time::human(at, &Local),
                time::human(reopened.at, &Local)
            )));
        }
        ops::change_status(w, &mut incident, Status::Resolved, at, summary.as_deref())?;
        Ok(at - incident.declared_at)
    })?;
    if ctx.json() {
        return render::print_incident(ctx, &store, id, None);
    }
    ctx.say(format!("Resolved {key} after {}", time::compact(committed.value)));
    Ok(())
}
