//! `incident status-page`: the public status page written as a static
//! site (`--out DIR`), and a component's status set by hand (`set`).

use crate::context::Ctx;
use crate::domain::statuspage::{ComponentMark, ComponentStatus};
use crate::error::usage;
use crate::statuspage::publish::Written;
use crate::store::Access;
use anyhow::Result;
use clap::{Args, Subcommand};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
#[command(after_help = "\
Examples:
  incident status-page --out /var/www/status
  incident status-page set api partial_outage
  incident status-page set api auto")]
pub struct StatusPageArgs {
    #[command(subcommand)]
    pub action: Option<StatusPageAction>,

    /// Write the site here: a link to a folder beside it, replaced whole
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum StatusPageAction {
    /// Set a component's status by hand, or hand it back to the record (auto)
    #[command(after_help = "\
Examples:
  incident status-page set api degraded_performance
  incident status-page set \"Public API\" auto")]
    Set {
        /// The component: its service or its public name
        component: String,
        /// operational, degraded_performance, partial_outage, major_outage, under_maintenance, or auto
        status: String,
    },
}

#[derive(Serialize)]
struct Wrote {
    out: String,
    version: String,
    changed: bool,
    files: usize,
}

pub fn run(ctx: &Ctx, args: StatusPageArgs) -> Result<()> {
    match (args.action, args.out) {
        (Some(StatusPageAction::Set { component, status }), _) => set(ctx, &component, &status),
        (None, Some(out)) => write(ctx, &out),
        (None, None) => Err(usage(
            "say where to write the site (--out DIR) or what to set (status-page set COMPONENT STATUS)",
        )),
    }
}

fn settings(ctx: &Ctx) -> Result<&crate::statuspage::Settings> {
    let config = ctx.config()?;
    config.status_page.as_ref().ok_or_else(|| {
        usage(format!(
            "no [status_page] in {}; name the page and its public components first (docs/status-page.md)",
            config.describe_source()
        ))
    })
}

fn write(ctx: &Ctx, out: &std::path::Path) -> Result<()> {
    let settings = settings(ctx)?;
    let store = ctx.open(Access::Read)?;
    let site = crate::statuspage::gather(&*store, settings, ctx.now)?;
    let files = crate::statuspage::render(&site);
    let written = crate::statuspage::publish::write_site(out, &files)?;
    let (version, changed) = match &written {
        Written::New(p) => (p, true),
        Written::Unchanged(p) => (p, false),
    };
    if ctx.json() {
        return crate::output::print_json(&Wrote {
            out: out.display().to_string(),
            version: version.display().to_string(),
            changed,
            files: files.len(),
        });
    }
    ctx.say(match changed {
        true => format!("status page written to {} ({} files)", out.display(), files.len()),
        false => format!("status page at {} is up to date", out.display()),
    });
    Ok(())
}

fn set(ctx: &Ctx, component: &str, status: &str) -> Result<()> {
    let settings = settings(ctx)?;
    let wanted = component.trim();
    let c = settings
        .components
        .iter()
        .find(|c| c.service == wanted || c.name.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| {
            let known: Vec<&str> = settings.components.iter().map(|c| c.service.as_str()).collect();
            usage(format!(
                "no public component '{wanted}'; use one of: {}",
                known.join(", ")
            ))
        })?;
    let status = match status.trim().to_ascii_lowercase().as_str() {
        "auto" => None,
        s => Some(
            s.parse::<ComponentStatus>()
                .map_err(|e| usage(format!("{e}, or auto")))?,
        ),
    };
    let by = ctx.actor()?;
    let mark = ComponentMark {
        id: 0,
        component: c.service.clone(),
        status,
        by: by.clone(),
        at: ctx.now,
    };
    let mut store = ctx.open(Access::Write)?;
    let id = store
        .write(&by, crate::context::clock, |w| {
            w.transaction().insert_component_mark(&mark)
        })?
        .value;
    if ctx.json() {
        return crate::output::print_json(&ComponentMark { id, ..mark });
    }
    ctx.say(match status {
        Some(s) => format!(
            "{} is {} until set again (status-page set {} auto)",
            c.name,
            s.label().to_lowercase(),
            c.service
        ),
        None => format!("{} follows the open incidents again", c.name),
    });
    Ok(())
}
