//! `incident topic`: one line for a chat channel topic or a status bar.

use crate::context::Ctx;
use crate::output;
use crate::render;
use crate::store::Access;
use anyhow::Result;
use clap::Args;
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident topic INC-7
  incident --json topic INC-7")]
pub struct TopicArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,
}

#[derive(Serialize)]
struct TopicView<'a> {
    key: &'a str,
    topic: &'a str,
}

pub fn run(ctx: &Ctx, args: TopicArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    let store = ctx.open(Access::Read)?;
    let incident = ctx.find(&store, id)?;
    let key = ctx.key(id)?;
    let line = render::topic_of(&*store, &key, &incident)?;
    if ctx.json() {
        return output::print_json(&TopicView {
            key: &key,
            topic: &line,
        });
    }
    let mut out = output::stdout();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}
