//! `incident alerts`: the alerts received from monitoring, most recently
//! seen first.

use crate::context::Ctx;
use crate::output;
use crate::store::ReadsExt;
use crate::store::{Access, AlertFilter};
use crate::text::one_line;
use crate::time::human;
use anyhow::Result;
use chrono::Local;
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident alerts
  incident alerts --firing
  incident --json alerts -n 0")]
pub struct AlertsArgs {
    /// Only alerts still firing
    #[arg(long)]
    pub firing: bool,

    /// Show at most N alerts (0: all) [default: 50, or all with --json]
    #[arg(long, short = 'n', value_name = "N")]
    pub limit: Option<usize>,
}

/// Below this many columns the alerts are not a table: nine columns would
/// break every word.
const NARROW: usize = 120;

pub fn run(ctx: &Ctx, args: AlertsArgs) -> Result<()> {
    let limit = match args.limit {
        Some(0) => None,
        Some(n) => Some(n),
        None if ctx.json() => None,
        None => Some(output::DEFAULT_ROWS),
    };
    let store = ctx.open(Access::Read)?;
    let alerts = store.alerts(&AlertFilter {
        firing: args.firing,
        limit,
        ..AlertFilter::default()
    })?;
    if ctx.json() {
        let views = alerts
            .iter()
            .map(|a| {
                Ok(crate::views::AlertView {
                    alert: a,
                    incident: a.incident_id.map(|id| ctx.key(id)).transpose()?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        return output::print_json(&views);
    }
    if alerts.is_empty() {
        ctx.say(if args.firing {
            "No alert is firing."
        } else {
            "No alerts received yet; see 'incident ingest --help' and 'incident serve --help'."
        });
        return Ok(());
    }
    if output::width().is_some_and(|w| w < NARROW) {
        // Too narrow for nine columns: each alert's facts on a line, its
        // summary below, indented.
        let mut out = output::stdout();
        for a in &alerts {
            let head = format!(
                "{}  {}  {}  {}×  {}  {}{}",
                a.id,
                a.status,
                a.source,
                a.times_seen,
                human(a.last_seen, &Local),
                match a.incident_id {
                    Some(id) => ctx.key(id)?,
                    None => "-".into(),
                },
                [a.severity.as_deref(), a.service.as_deref()]
                    .into_iter()
                    .flatten()
                    .map(|s| format!("  {}", one_line(s)))
                    .collect::<String>()
            );
            output::write_wrapped(&mut out, "", &head)?;
            output::write_wrapped(&mut out, "  ", &one_line(&output::shown(&a.summary)))?;
        }
        out.flush()?;
        return Ok(());
    }
    let mut table = output::table([
        "ID",
        "STATUS",
        "SOURCE",
        "SEVERITY",
        "SERVICE",
        "SEEN",
        "LAST SEEN",
        "INCIDENT",
        "SUMMARY",
    ]);
    for a in &alerts {
        table.add_row(vec![
            a.id.to_string(),
            a.status.to_string(),
            a.source.to_string(),
            one_line(a.severity.as_deref().unwrap_or("-")).into_owned(),
            one_line(a.service.as_deref().unwrap_or("-")).into_owned(),
            format!("{}×", a.times_seen),
            human(a.last_seen, &Local),
            match a.incident_id {
                Some(id) => ctx.key(id)?,
                None => "-".into(),
            },
            output::shown(&one_line(&a.summary)).into_owned(),
        ]);
    }
    output::keep_whole(&mut table, &[0, 1, 2, 3, 4, 5, 6, 7]);
    let mut out = output::stdout();
    output::print_table(&mut out, &table)?;
    out.flush()?;
    Ok(())
}
