//! `incident changes`: the changes CI recorded, newest last.

use crate::context::Ctx;
use crate::output;
use crate::store::Access;
use crate::store::ReadsExt;
use crate::text::one_line;
use crate::time::human;
use anyhow::Result;
use chrono::Local;
use clap::Args;
use comfy_table::Cell;
use std::io::Write;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident changes
  incident changes --service checkout --since 24h")]
pub struct ChangesArgs {
    /// Only changes to these services (repeat or separate with commas)
    #[arg(long = "service", value_name = "NAME", value_delimiter = ',', value_parser = crate::text::name_arg)]
    pub services: Vec<String>,

    /// Changes since: a duration back from now (24h) or a time
    #[arg(long, value_name = "WHEN", default_value = "7d")]
    pub since: String,
}

/// Below this many columns the changes are a list, not a table: a
/// table any narrower breaks services, titles and links mid-word.
const NARROW: usize = 120;

pub fn run(ctx: &Ctx, args: ChangesArgs) -> Result<()> {
    let since = ctx.since("--since", &args.since)?;
    let store = ctx.open(Access::Read)?;
    let services = crate::text::clean_list(args.services);
    let mut changes = store.changes(since, ctx.now)?;
    if !services.is_empty() {
        changes.retain(|c| c.touches(&services));
    }
    if ctx.json() {
        return output::print_json(&changes);
    }
    if changes.is_empty() {
        ctx.say(
            "No changes recorded in that time; CI records them with 'incident change TITLE --service NAME'.",
        );
        return Ok(());
    }
    let mut out = output::stdout();
    if output::width().is_some_and(|w| w < NARROW) {
        // Too narrow for six columns: each change's time, kind and services
        // on a line, what changed and the link below, indented.
        for c in &changes {
            let head = format!(
                "{}  {}  {}",
                human(c.at, &Local),
                c.kind,
                one_line(&c.services.join(","))
            );
            output::write_wrapped(&mut out, "", &head)?;
            let what = format!("{} (by {})", c.title, c.author);
            output::write_wrapped(&mut out, "  ", &one_line(&output::shown(&what)))?;
            if let Some(link) = &c.link {
                output::write_wrapped(&mut out, "  ", &one_line(&output::shown(link)))?;
            }
        }
        out.flush()?;
        return Ok(());
    }
    let mut table = output::table(["WHEN", "KIND", "SERVICES", "CHANGE", "BY", "LINK"]);
    for c in &changes {
        table.add_row(vec![
            Cell::new(human(c.at, &Local)),
            Cell::new(c.kind.as_str()),
            Cell::new(one_line(&output::shown(&c.services.join(",")))),
            Cell::new(one_line(&output::shown(&c.title))),
            Cell::new(one_line(&output::shown(&c.author))),
            Cell::new(one_line(&output::shown(c.link.as_deref().unwrap_or("-")))),
        ]);
    }
    output::keep_whole(&mut table, &[0, 1]);
    output::print_table(&mut out, &table)?;
    out.flush()?;
    Ok(())
}
