//! `incident checkpoint`: one line that commits to the whole database, every
//! incident and every event it holds, to keep somewhere else; `incident
//! verify --checkpoint LINE` later shows whether anything recorded before
//! it is missing or altered.

use crate::context::Ctx;
use crate::output;
use crate::store::Access;
use crate::store::ReadsExt;
use anyhow::Result;
use clap::Args;
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident checkpoint >> ~/incident-checkpoints.txt
  incident --json checkpoint

Keep the line somewhere the database's owner cannot rewrite (a chat channel, a git
repository, a ticket); hooks receive it with every event. Later:
  incident verify --checkpoint 'incident-checkpoint-v1:…'")]
pub struct CheckpointArgs {}

#[derive(Serialize)]
struct View {
    checkpoint: String,
    events: i64,
}

pub fn run(ctx: &Ctx, _args: CheckpointArgs) -> Result<()> {
    let store = ctx.open(Access::Read)?;
    let checkpoint = store.checkpoint(None)?;
    if ctx.json() {
        return output::print_json(&View {
            checkpoint: checkpoint.line(),
            events: checkpoint.upto,
        });
    }
    let mut out = output::stdout();
    writeln!(out, "{}", checkpoint.line())?;
    out.flush()?;
    Ok(())
}
