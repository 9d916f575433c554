//! placeholder
use crate::context::Ctx;
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct StatsArgs {}

pub fn run(_ctx: &Ctx, _args: StatsArgs) -> Result<()> {
    Ok(())
}
