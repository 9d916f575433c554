//! `incident export`: every incident with its whole timeline, assessments,
//! retrospective, action items and alerts, as one JSON document, for
//! backups and moving to another machine; an export of everything also
//! carries the alerts that belong to no incident.

use crate::context::Ctx;
use crate::output;
use crate::store::ReadsExt;
use crate::store::{Access, AlertFilter, Store};
use crate::transfer::{self, Header};
use anyhow::Result;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident export -o backup.json
  incident export INC-7 INC-9 > two.json")]
pub struct ExportArgs {
    /// Incidents to export (INC-7, inc-7 or 7) [default: all]
    pub keys: Vec<String>,

    /// Write to FILE (created owner-only) instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: ExportArgs) -> Result<()> {
    let ids = args
        .keys
        .iter()
        .map(|k| ctx.parse_key(k))
        .collect::<Result<Vec<_>>>()?;
    let store = ctx.open(Access::Read)?;
    for id in &ids {
        ctx.find(&store, *id)?;
    }
    let ids = if ids.is_empty() {
        store.incident_ids()?
    } else {
        ids
    };
    let count = ids.len();
    // Alerts of no incident go with an export of everything only.
    let everything = args.keys.is_empty();
    match &args.output {
        Some(path) => {
            output::write_private(path, |w| write_export(ctx, &store, &ids, everything, false, w))?;
            ctx.say(format!("Exported {count} incidents to {}", path.display()));
        }
        None => {
            // A terminal gets no raw control (output::export_json_line).
            let terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
            let mut out = output::stdout();
            write_export(ctx, &store, &ids, everything, terminal, &mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}

/// Streams the document one incident at a time, so a large database never
/// sits in memory; with `everything`, then the alerts of no incident. For a
/// `terminal`, controls in the text are escaped (`output::export_json_line`).
fn write_export(
    ctx: &Ctx,
    store: &Store,
    ids: &[i64],
    everything: bool,
    terminal: bool,
    out: &mut impl Write,
) -> Result<()> {
    // The version before, which the release before reads, unless an event
    // needs what came in this one.
    let of = match everything {
        true => crate::store::Of::All,
        false => crate::store::Of::Incidents(ids),
    };
    let renumbered = !store.renumbered(of)?.is_empty();
    let header = Header {
        format: transfer::FORMAT.into(),
        version: match renumbered {
            true => transfer::RENUMBERED_SINCE,
            false => transfer::RENUMBERED_SINCE - 1,
        },
        exported_at: ctx.now,
    };
    writeln!(out, "{{")?;
    writeln!(out, "  \"format\": {},", serde_json::to_string(&header.format)?)?;
    writeln!(out, "  \"version\": {},", header.version)?;
    writeln!(
        out,
        "  \"exported_at\": \"{}\",",
        crate::time::to_rfc3339(header.exported_at)
    )?;
    write!(out, "  \"incidents\": [")?;
    for (n, id) in ids.iter().enumerate() {
        let dump = crate::store::transfer::export(&**store, *id)?.ok_or_else(|| ctx.missing(*id))?;
        write!(out, "{}\n    ", if n == 0 { "" } else { "," })?;
        output::export_json_line(&mut *out, &dump, terminal)?;
    }
    write!(out, "{}]", if ids.is_empty() { "" } else { "\n  " })?;
    if everything {
        let alerts: Vec<_> = store
            .alerts(&AlertFilter::default())?
            .into_iter()
            .filter(|a| a.incident_id.is_none())
            .collect();
        let alerts = transfer::alert_records(alerts);
        write!(out, ",\n  \"alerts\": [")?;
        for (n, alert) in alerts.iter().enumerate() {
            write!(out, "{}\n    ", if n == 0 { "" } else { "," })?;
            output::export_json_line(&mut *out, alert, terminal)?;
        }
        write!(out, "{}]", if alerts.is_empty() { "" } else { "\n  " })?;
    }
    writeln!(out, "\n}}")?;
    Ok(())
}
