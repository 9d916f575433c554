//! `incident metrics`: the numbers `serve` answers at `/metrics`, printed,
//! or written to a file for node_exporter's textfile collector.

use crate::context::Ctx;
use crate::domain::metrics::Format;
use crate::output;
use crate::store::Access;
use anyhow::Result;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident metrics
  incident metrics --textfile /var/lib/prometheus/node-exporter/incident.prom
  incident metrics --openmetrics")]
pub struct MetricsArgs {
    /// Write them to this file, whole or not at all (write, then rename), for node_exporter's textfile collector
    #[arg(long, value_name = "PATH")]
    pub textfile: Option<PathBuf>,

    /// In the OpenMetrics format (what serve answers Prometheus) instead of the Prometheus text format
    #[arg(long, conflicts_with = "textfile")]
    pub openmetrics: bool,
}

pub fn run(ctx: &Ctx, args: MetricsArgs) -> Result<()> {
    let config = ctx.config()?;
    // A database not created yet has nothing to count: zeros.
    let store = ctx.open(Access::Read)?;
    // node_exporter reads the classic text format only.
    let format = match args.openmetrics {
        true => Format::OpenMetrics,
        false => Format::Text,
    };
    let text = crate::metrics::gather(&*store, config, ctx.now, format)?;
    match &args.textfile {
        Some(path) => output::write_shared(path, text.as_bytes()),
        None => {
            let mut out = output::stdout();
            out.write_all(text.as_bytes())?;
            Ok(())
        }
    }
}
