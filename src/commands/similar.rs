//! `incident similar`: the past incidents most like one, over the whole
//! history, each with why.

use crate::context::Ctx;
use crate::output;
use crate::render;
use crate::store::Access;
use crate::store::similar::{Scope, read};
use crate::views::SimilarView;
use anyhow::Result;
use chrono::Local;
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident similar INC-7
  incident --json similar INC-7")]
pub struct SimilarArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,
}

pub fn run(ctx: &Ctx, args: SimilarArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    let store = ctx.open(Access::Read)?;
    let incident = ctx.find(&store, id)?;
    let related = read(&*store, &incident, Scope::All, None)?;
    if ctx.json() {
        let today = ctx.now.with_timezone(&Local).date_naive();
        let views = related
            .iter()
            .map(|r| {
                Ok(SimilarView {
                    key: ctx.key(r.incident.id)?,
                    id: r.incident.id,
                    title: &r.incident.title,
                    status: r.incident.status.as_str(),
                    severity: &r.incident.severity,
                    services: &r.incident.services,
                    declared_at: crate::time::to_rfc3339(r.incident.declared_at),
                    reasons: &r.matched.reasons,
                    score: r.matched.score,
                    root_cause: r.root_cause.as_deref(),
                    open_actions: r
                        .open_actions
                        .iter()
                        .map(|a| crate::postmortem::ActionView::new(a, today))
                        .collect(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        return output::print_json(&views);
    }
    if related.is_empty() {
        ctx.say(format!(
            "no past incident is like {}: none shares an alert, or a service and its words",
            ctx.key(id)?
        ));
        return Ok(());
    }
    let mut out = output::stdout();
    for line in render::similar_lines(ctx, &related)? {
        output::write_wrapped(&mut out, "", &line)?;
    }
    out.flush()?;
    Ok(())
}
