//! `incident change`: record a change (a deploy, a configuration or flag
//! change, infrastructure work) from CI, so `declare` can show what changed
//! just before an incident. It belongs to no incident.

use crate::context::Ctx;
use crate::domain::plans::{ChangeKind, ChangeRecord};
use crate::error::usage;
use crate::output;
use crate::text::{clean_list, non_blank, one_line};
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident change \"deploy 4821\" --service checkout --link \"$CI_PIPELINE_URL\"
  incident change \"raise pool size\" --service db --kind config --at 07:30")]
pub struct ChangeArgs {
    /// What changed, e.g. "deploy 4821"
    pub title: String,

    /// A service it changed (repeat or separate with commas)
    #[arg(long = "service", value_name = "NAME", value_delimiter = ',', value_parser = crate::text::name_arg, required = true)]
    pub services: Vec<String>,

    /// What kind of change
    #[arg(long, value_parser = crate::cli::named::<ChangeKind>(), default_value_t = ChangeKind::Deploy)]
    pub kind: ChangeKind,

    /// When it happened, if earlier than now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,

    /// A link to the pipeline, pull request or change ticket
    #[arg(long, value_name = "URL", value_parser = crate::text::link_arg)]
    pub link: Option<String>,
}

pub fn run(ctx: &Ctx, args: ChangeArgs) -> Result<()> {
    let title = non_blank(&args.title).ok_or_else(|| {
        usage("the change's title is empty; say what changed, e.g. incident change \"deploy 4821\"")
    })?;
    let at = match &args.at {
        Some(t) => ctx.past_time("--at", t)?,
        None => ctx.now,
    };
    let mut change = ChangeRecord {
        id: 0,
        at,
        title,
        kind: args.kind,
        services: clean_list(args.services),
        link: args.link,
        author: ctx.actor()?,
    };
    let (_, committed) = ctx.write(|w| w.record_change(&change))?;
    change.id = committed.value;
    if ctx.json() {
        return output::print_json(&change);
    }
    ctx.say(format!(
        "Recorded change {} ({} on {}): {}",
        change.id,
        change.kind,
        one_line(&change.services.join(", ")),
        one_line(&change.title)
    ));
    Ok(())
}
