//! One file per subcommand; this file only dispatches.

pub mod action;
pub mod assess;
pub mod assign_role;
pub mod bench_seed;
pub mod check;
pub mod comms;
pub mod completions;
pub mod declare;
pub mod escalate;
pub mod exec;
pub mod export;
pub mod guard;
pub mod import;
pub mod list;
pub mod resolve;
pub mod retro;
pub mod show;
pub mod stats;
pub mod topic;
pub mod update;
pub mod verify;

use crate::cli::{Cli, Command};
use crate::context::Ctx;
use anyhow::Result;

pub fn run(cli: Cli) -> Result<()> {
    let ctx = Ctx::new(cli.globals)?;
    match cli.command {
        // `declare --assess` goes straight on into the triage walk.
        Command::Declare(args) => match declare::run(&ctx, args)? {
            Some(id) => assess::assess(&ctx, id, &assess::AnswerArgs::default()),
            None => Ok(()),
        },
        Command::Assess(args) => assess::run(&ctx, args),
        Command::AssignRole(args) => assign_role::run(&ctx, args),
        Command::Escalate(args) => escalate::run(&ctx, args),
        Command::Update(args) => update::run(&ctx, args),
        Command::Resolve(args) => resolve::run(&ctx, args),
        Command::Retro(args) => retro::run(&ctx, args),
        Command::Action(args) => action::run(&ctx, args),
        Command::List(args) => list::run(&ctx, args),
        Command::Show(args) => show::run(&ctx, args),
        Command::Topic(args) => topic::run(&ctx, args),
        Command::Exec(args) => exec::run(&ctx, args),
        Command::Comms(args) => comms::run(&ctx, args),
        Command::Check(args) => check::run(&ctx, args),
        Command::Stats(args) => stats::run(&ctx, args),
        Command::Guard(args) => guard::run(&ctx, args),
        Command::Verify(args) => verify::run(&ctx, args),
        Command::Export(args) => export::run(&ctx, args),
        Command::Import(args) => import::run(&ctx, args),
        Command::Completions(args) => completions::run(args),
        Command::BenchSeed(args) => bench_seed::run(&ctx, args),
    }
}
