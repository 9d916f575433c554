//! `incident import`: restore an export into this database, exactly, and
//! idempotently: incidents are matched by their uid, events by their hash,
//! and alerts by their source and identity (merged with the one recorded
//! here by `domain::alerts::merge`).

use crate::context::Ctx;
use crate::error::usage;
use crate::output;
use crate::store::transfer::{Located, import_file};
use crate::transfer::{self, Outcome};
use anyhow::{Context, Result, anyhow};
use clap::Args;
use serde::Serialize;
use std::io::Read;
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident import backup.json
  incident --db old.db export | incident import -")]
pub struct ImportArgs {
    /// A file written by `incident export`; '-' reads stdin
    pub file: PathBuf,
}

#[derive(Serialize)]
struct ReportRow {
    key: String,
    #[serde(flatten)]
    outcome: Outcome,
}

pub fn run(ctx: &Ctx, args: ImportArgs) -> Result<()> {
    let shown = args.file.display().to_string();
    let mut text = String::new();
    if args.file.as_os_str() == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the export from stdin")?;
    } else {
        std::fs::File::open(&args.file)
            .and_then(|mut f| f.read_to_string(&mut text))
            .map_err(|e| usage(format!("cannot read {shown}: {e}")))?;
    }
    let contents = transfer::read(&text).map_err(|e| usage(format!("{shown}: {e}")))?;
    let records = &contents.incidents;
    // Everything is checked before anything is written.
    let config = ctx.config()?;
    let levels = config.level_list();
    for (n, record) in records.iter().enumerate() {
        transfer::validate(record, &levels).map_err(|e| {
            usage(format!(
                "{shown}: incident #{} ({}): {e}; nothing was imported",
                n + 1,
                match record.id > 0 {
                    true => crate::domain::key::format(&config.key_prefix, record.id),
                    false => format!("id {}", record.id),
                }
            ))
        })?;
    }
    transfer::validate_alerts(&contents).map_err(|e| usage(format!("{shown}: {e}; nothing was imported")))?;
    // All or nothing: one bad incident leaves the database as it was.
    let (_, committed) = ctx.write(|w| {
        import_file(w, &contents).map_err(|e| match e {
            Located::Incident(n, e) => {
                let record = &records[n - 1];
                anyhow!(
                    "{shown}: incident #{n} ({}); nothing was imported: {e:#}",
                    record.uid
                )
            }
            Located::Alerts(e) => anyhow!("{shown}: alerts; nothing was imported: {e:#}"),
        })
    })?;
    let (outcomes, tally) = committed.value;
    let prefix = &ctx.config()?.key_prefix;
    let rows: Vec<ReportRow> = outcomes
        .into_iter()
        .map(|outcome| ReportRow {
            key: crate::domain::key::format(prefix, outcome.id()),
            outcome,
        })
        .collect();
    if ctx.json() {
        return output::print_json(&rows);
    }
    let count = |f: fn(&Outcome) -> bool| rows.iter().filter(|r| f(&r.outcome)).count();
    ctx.say(format!(
        "Imported {shown}: {} added, {} extended, {} unchanged",
        count(|o| matches!(o, Outcome::Added { .. })),
        count(|o| matches!(o, Outcome::Extended { .. })),
        count(|o| matches!(o, Outcome::Unchanged { .. })),
    ));
    let carried = records.iter().map(|r| r.alerts.len()).sum::<usize>() + contents.alerts.len();
    if carried > 0 {
        ctx.say(format!(
            "  alerts: {} added, {} updated, {} unchanged",
            tally.added,
            tally.updated,
            carried - tally.added - tally.updated
        ));
    }
    for row in &rows {
        match &row.outcome {
            Outcome::Added { from: Some(old), .. } => ctx.say(format!(
                "  {} was {} in the export (that number is taken here)",
                row.key,
                crate::domain::key::format(prefix, *old)
            )),
            Outcome::NewerHere { .. } => ctx.warn(format!(
                "{} has newer events here than in the file; kept as it is",
                row.key
            )),
            Outcome::Diverged { .. } => ctx.warn(format!(
                "{}: here and in the file, different events were recorded since they parted; kept as it is",
                row.key
            )),
            _ => {}
        }
    }
    Ok(())
}
