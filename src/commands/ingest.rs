//! `incident ingest`: take one webhook payload (Alertmanager, Grafana,
//! PagerDuty Events API v2 or the generic shape) from a file or stdin.

use crate::context::Ctx;
use crate::error::usage;
use crate::intake::{self, Format, MAX_BODY, Outcome, Routing};
use anyhow::{Context, Result};
use clap::Args;
use std::io::{Read, Write};
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident ingest alert.json
  curl -s \"$URL\" | incident ingest --format pagerduty -")]
pub struct IngestArgs {
    /// The payload's format [default: told from its fields]
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// The payload file; '-' or none reads stdin
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: IngestArgs) -> Result<()> {
    let config = ctx.config()?;
    let from_stdin = args.file.as_deref().is_none_or(|p| p.as_os_str() == "-");
    if from_stdin && std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(usage(
            "no payload: give a FILE, or pipe one in (incident ingest - < alert.json)",
        ));
    }
    let (name, body) = match args.file.as_deref() {
        None => ("stdin".to_string(), read_limited(std::io::stdin().lock())?),
        Some(p) if p.as_os_str() == "-" => ("stdin".to_string(), read_limited(std::io::stdin().lock())?),
        Some(p) => {
            let file = std::fs::File::open(p).map_err(|e| {
                usage(format!(
                    "cannot read {}: {e}; give a payload file or '-'",
                    p.display()
                ))
            })?;
            (p.display().to_string(), read_limited(file)?)
        }
    };
    let body = body.ok_or_else(|| {
        usage(format!(
            "{name} is larger than {MAX_BODY} bytes; one webhook payload is far smaller"
        ))
    })?;
    let format = match args.format {
        Some(f) => f,
        None => Format::detect(&body).map_err(|e| usage(format!("{name}: {e}")))?,
    };
    let payload = intake::parse(format, &body).map_err(|e| usage(format!("{name}: {e}")))?;
    // A broken plans folder must not stop an alert from being recorded.
    let plans = crate::playbooks::load(config).unwrap_or_else(|e| {
        ctx.warn(format!("no playbook can be attached: {e:#}"));
        Vec::new()
    });
    let routing = Routing {
        rules: &config.alert_rules,
        default_severity: &config.default_severity,
        plans: &plans,
        changes_window: config.changes_window,
    };
    let (_, committed) = ctx.write(|tx| {
        let now = tx.now();
        payload
            .signals
            .iter()
            .map(|s| intake::record(tx, s, &routing, now))
            .collect::<Result<Vec<Outcome>>>()
    })?;
    let outcomes = committed.value;
    if ctx.json() {
        return crate::output::print_json(&serde_json::json!({
            "alerts": outcomes,
            "dedup_key": payload.dedup_key,
        }));
    }
    let mut out = crate::output::stdout();
    for o in &outcomes {
        let incident = match o.incident {
            Some(id) => format!(" {}", ctx.key(id)?),
            None => String::new(),
        };
        writeln!(
            out,
            "alert {} {} ({}): {}{incident}",
            o.alert, o.status, o.seen, o.did
        )?;
    }
    if let Some(key) = &payload.dedup_key {
        writeln!(out, "dedup_key {}", crate::text::one_line(key))?;
    }
    out.flush().context("cannot write the result")?;
    // As `declare` does: what an incident an alert opened was seen as
    // before, for the person who ran this (on stderr, beside the result).
    let opened: Vec<i64> = outcomes
        .iter()
        .filter(|o| o.did == "opened")
        .filter_map(|o| o.incident)
        .collect();
    crate::render::say_seen_before(ctx, &opened);
    Ok(())
}

/// At most [`MAX_BODY`] bytes; `None` when there is more.
fn read_limited(reader: impl Read) -> Result<Option<Vec<u8>>> {
    let mut body = Vec::new();
    reader
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body)
        .context("cannot read the payload")?;
    Ok((body.len() <= MAX_BODY).then_some(body))
}
