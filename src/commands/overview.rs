//! `incident` with no arguments: a short screen to start from — the
//! everyday commands, where help is, and the incidents open now — on
//! stdout, exit 0. The full list of commands is `incident --help`.

use crate::context::Ctx;
use crate::domain::Status;
use crate::output;
use crate::store::{Access, ListFilter, Order, ReadsExt};
use crate::text::one_line;
use anyhow::Result;
use std::io::Write;

const EVERYDAY: &str = "\
incident: track production incidents from the terminal.

  incident declare \"Checkout is down\" -s SEV1   open one; prints its key
  incident list                                  the open incidents
  incident show INC-1                            details, roles, timeline
  incident update INC-1 \"Rolled back\" -k action  add to the timeline
  incident resolve INC-1 --summary \"…\"           service restored
  incident check                                 missed response targets

Every command: incident COMMAND --help. All of them: incident --help.
";

/// How many open incidents the screen names.
const SHOWN: usize = 5;

pub fn run(ctx: &Ctx) -> Result<()> {
    let mut out = output::stdout();
    write!(out, "{EVERYDAY}")?;
    let store = match ctx.open(Access::Existing) {
        Ok(store) => store,
        Err(e) if e.downcast_ref::<crate::store::Missing>().is_some() => {
            writeln!(out, "\nNo incidents recorded yet.")?;
            return Ok(out.flush()?);
        }
        Err(e) => return Err(e),
    };
    if store.count(&ListFilter::default())? == 0 {
        writeln!(out, "\nNo incidents recorded yet.")?;
        return Ok(out.flush()?);
    }
    let config = ctx.config()?;
    let filter = ListFilter {
        statuses: Status::ALL.iter().copied().filter(|s| s.is_open()).collect(),
        ..ListFilter::default()
    };
    let levels: Vec<String> = config.levels.iter().map(|l| l.name.clone()).collect();
    let mut open = Vec::new();
    store.each_incident(&filter, Order::Severity(&levels), &mut |i| {
        open.push(i);
        Ok(())
    })?;
    match open.len() {
        0 => writeln!(out, "\nNo incident is open.")?,
        n => {
            writeln!(out, "\nOpen now ({n}):")?;
            for i in open.iter().take(SHOWN) {
                let title = output::shown(&one_line(&i.title)).into_owned();
                let drill = if i.drill { "[DRILL] " } else { "" };
                writeln!(
                    out,
                    "  {}  {}  {drill}{title}",
                    ctx.key(i.id)?,
                    one_line(&i.severity)
                )?;
            }
            if n > SHOWN {
                writeln!(out, "  … and {} more: incident list", n - SHOWN)?;
            }
        }
    }
    Ok(out.flush()?)
}
