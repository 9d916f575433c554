//! `incident verify`: recompute each timeline's hash chain and report any
//! event edited, deleted or reordered behind the tool's back.

use crate::context::Ctx;
use crate::domain::chain::{self, Problem};
use crate::error::Failure;
use crate::output;
use crate::store::Access;
use anyhow::{Result, anyhow};
use clap::Args;
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Incidents to check (INC-7, inc-7 or 7) [default: all]
    pub keys: Vec<String>,
}

#[derive(Serialize)]
struct Report {
    intact: bool,
    incidents: Vec<IncidentReport>,
}

#[derive(Serialize)]
struct IncidentReport {
    key: String,
    events: usize,
    /// The newest hash: note it somewhere else to make later edits evident.
    head: Option<String>,
    problems: Vec<ProblemView>,
}

#[derive(Serialize)]
struct ProblemView {
    event_id: Option<i64>,
    problem: String,
}

pub fn run(ctx: &Ctx, args: VerifyArgs) -> Result<()> {
    let ids = args
        .keys
        .iter()
        .map(|k| ctx.parse_key(k))
        .collect::<Result<Vec<_>>>()?;
    let store = ctx.open(Access::Read)?;
    let ids = if ids.is_empty() {
        store.incident_ids()?
    } else {
        ids
    };
    let mut report = Report {
        intact: true,
        incidents: Vec::new(),
    };
    for id in ids {
        let chain::Chain { uid, head, rows } = store.chain(id)?.ok_or_else(|| ctx.missing(id))?;
        let links: Vec<_> = rows.iter().map(|r| r.link()).collect();
        let problems = chain::verify(&uid, head.as_deref(), &links);
        report.intact &= problems.is_empty();
        report.incidents.push(IncidentReport {
            key: ctx.key(id)?,
            events: rows.len(),
            head,
            problems: problems
                .iter()
                .map(|p| ProblemView {
                    event_id: match p {
                        Problem::Unhashed { id } | Problem::Edited { id } | Problem::Broken { id } => {
                            Some(*id)
                        }
                        Problem::Truncated { last } => *last,
                    },
                    problem: p.to_string(),
                })
                .collect(),
        });
    }
    if ctx.json() {
        output::print_json(&report)?;
        return if report.intact {
            Ok(())
        } else {
            Err(Failure::Silent(1).into())
        };
    }
    let mut out = output::stdout();
    let damaged: Vec<&IncidentReport> = report
        .incidents
        .iter()
        .filter(|i| !i.problems.is_empty())
        .collect();
    for incident in &damaged {
        for p in &incident.problems {
            writeln!(out, "{}: {}", incident.key, p.problem)?;
        }
    }
    out.flush()?;
    let events: usize = report.incidents.iter().map(|i| i.events).sum();
    if damaged.is_empty() {
        let n = report.incidents.len();
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        ctx.say(format!(
            "{}, {}: every timeline is intact",
            plural(n, "incident"),
            plural(events, "event")
        ));
        return Ok(());
    }
    Err(anyhow!(
        "{} of {} incidents have timelines altered outside incident; restore them from a backup or export",
        damaged.len(),
        report.incidents.len()
    ))
}
