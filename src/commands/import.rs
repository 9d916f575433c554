//! `incident import`: restore an export into this database, exactly, and
//! idempotently: incidents are matched by their uid, events by their hash,
//! and alerts by their source and identity (merged with the one recorded
//! here by `domain::alerts::merge`).

use crate::context::Ctx;
use crate::domain::alerts::{self, Alert};
use crate::error::usage;
use crate::output;
use crate::store::{AlertFilter, Transaction};
use crate::transfer::{self, AlertRecord, Outcome};
use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;
use std::io::Read;
use std::path::PathBuf;

#[derive(Debug, Args)]
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
        let mut tally = Tally::default();
        let mut new = Vec::new();
        let outcomes = records
            .iter()
            .enumerate()
            .map(|(n, record)| {
                let context = || {
                    format!(
                        "{shown}: incident #{} ({}); nothing was imported",
                        n + 1,
                        record.uid
                    )
                };
                let outcome = w.import(record).with_context(context)?;
                // Its alerts belong to it as numbered here.
                let alerts = merge_alerts(w, &record.alerts, Some(outcome.id()), &mut tally);
                new.extend(alerts.with_context(context)?);
                Ok(outcome)
            })
            .collect::<Result<Vec<_>>>()?;
        let alerts = || format!("{shown}: alerts; nothing was imported");
        new.extend(merge_alerts(w, &contents.alerts, None, &mut tally).with_context(alerts)?);
        add_alerts(w, new).with_context(alerts)?;
        Ok((outcomes, tally))
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

/// How many of the file's alerts were new here, and how many changed one
/// recorded here.
#[derive(Default)]
struct Tally {
    added: usize,
    updated: usize,
}

/// Merges the file's alerts into `tx`, belonging to `incident` (its
/// number here): one known here (by source and identity) becomes what the
/// domain's merge makes of the two, written only when that differs; those
/// unknown here are returned, to be added once all are known
/// ([`add_alerts`]).
fn merge_alerts(
    tx: &mut dyn Transaction,
    records: &[AlertRecord],
    incident: Option<i64>,
    tally: &mut Tally,
) -> Result<Vec<Alert>> {
    let mut new = Vec::new();
    for record in records {
        let theirs = record.to_alert(incident);
        let known = tx
            .alerts(&AlertFilter {
                identity: Some((record.source, record.identity.clone())),
                ..AlertFilter::default()
            })?
            .pop();
        match known {
            None => {
                new.push(theirs);
                tally.added += 1;
            }
            Some(here) => {
                let merged = alerts::merge(&here, &theirs);
                if merged != here {
                    tx.save_alert(&merged)?;
                    tally.updated += 1;
                }
            }
        }
    }
    Ok(new)
}

/// Adds the alerts new here: first those whose numbers are free here,
/// which keep them, then the rest, which take the next ones (the timeline
/// names alerts by number, so as many as can keep theirs do).
fn add_alerts(tx: &mut dyn Transaction, new: Vec<Alert>) -> Result<()> {
    let mut taken = Vec::new();
    for alert in new {
        let free = tx
            .alerts(&AlertFilter {
                id: Some(alert.id),
                ..AlertFilter::default()
            })?
            .is_empty();
        match free {
            true => {
                tx.import_alert(&alert)?;
            }
            false => taken.push(alert),
        }
    }
    for alert in taken {
        tx.import_alert(&Alert { id: 0, ..alert })?;
    }
    Ok(())
}
