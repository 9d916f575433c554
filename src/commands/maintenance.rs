//! `incident maintenance`: planned work on public components, shown on the
//! status page as scheduled, in progress and completed; without a title,
//! the maintenances to come and under way.

use crate::context::Ctx;
use crate::domain::statuspage::{Maintenance, Phase};
use crate::error::usage;
use crate::output;
use crate::store::{Access, ReadsExt};
use crate::text::clean_list;
use crate::time::{Lean, human};
use anyhow::Result;
use chrono::Local;
use clap::Args;
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident maintenance \"DB upgrade\" --service db --from 22:00 --until 23:30
  incident maintenance")]
pub struct MaintenanceArgs {
    /// What the work is, as customers will read it (none: list those to come)
    pub title: Option<String>,

    /// A service it affects (repeat or separate with commas)
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub service: Vec<String>,

    /// When it starts
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,

    /// When it ends
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
}

#[derive(Serialize)]
struct View<'a> {
    #[serde(flatten)]
    maintenance: &'a Maintenance,
    phase: Phase,
}

pub fn run(ctx: &Ctx, args: MaintenanceArgs) -> Result<()> {
    let Some(title) = args.title.as_deref() else {
        if !args.service.is_empty() || args.from.is_some() || args.until.is_some() {
            return Err(usage(
                "give the maintenance a TITLE, e.g. incident maintenance \"DB upgrade\" --service db ...",
            ));
        }
        return list(ctx);
    };
    let title =
        crate::text::non_blank(title).ok_or_else(|| usage("the title is empty; say what the work is"))?;
    let services = clean_list(args.service);
    if services.is_empty() {
        return Err(usage("name the services it affects with --service NAME"));
    }
    let (Some(from), Some(until)) = (&args.from, &args.until) else {
        return Err(usage("give when it starts and ends: --from TIME --until TIME"));
    };
    let from = ctx.time("--from", from, Lean::Future)?;
    let until = ctx.time("--until", until, Lean::Future)?;
    if until <= from {
        return Err(usage(format!(
            "--until {} is not after --from; give when the work ends",
            args.until.unwrap_or_default()
        )));
    }
    let config = ctx.config()?;
    if let Some(page) = &config.status_page
        && !services
            .iter()
            .any(|s| page.components.iter().any(|c| &c.service == s))
    {
        ctx.warn(format!(
            "none of {} is a public component of [status_page]: the status page will not show this maintenance",
            services.join(", ")
        ));
    }
    let by = ctx.actor()?;
    let m = Maintenance {
        id: 0,
        title,
        services,
        from,
        until,
        by: by.clone(),
        at: ctx.now,
    };
    let mut store = ctx.open(Access::Write)?;
    let id = store
        .write(&by, crate::context::clock, |w| {
            w.transaction().insert_maintenance(&m)
        })?
        .value;
    let m = Maintenance { id, ..m };
    if ctx.json() {
        return output::print_json(&View {
            phase: Phase::at(m.from, m.until, ctx.now),
            maintenance: &m,
        });
    }
    ctx.say(format!(
        "maintenance {id}: {} on {} from {} to {}",
        m.title,
        m.services.join(", "),
        human(m.from, &Local),
        human(m.until, &Local)
    ));
    Ok(())
}

fn list(ctx: &Ctx) -> Result<()> {
    let store = ctx.open(Access::Read)?;
    let all = store.maintenances(ctx.now)?;
    let views: Vec<View> = all
        .iter()
        .map(|m| View {
            phase: Phase::at(m.from, m.until, ctx.now),
            maintenance: m,
        })
        .collect();
    if ctx.json() {
        return output::print_json(&views);
    }
    if views.is_empty() {
        ctx.say("No maintenance to come or under way.");
        return Ok(());
    }
    let mut out = output::stdout();
    for v in &views {
        writeln!(
            out,
            "{:>4}  {:<11}  {} – {}  {}  [{}]",
            v.maintenance.id,
            v.phase.label(),
            human(v.maintenance.from, &Local),
            human(v.maintenance.until, &Local),
            crate::text::one_line(&output::shown(&v.maintenance.title)),
            v.maintenance.services.join(", ")
        )?;
    }
    Ok(())
}
