//! One file per subcommand; this file only dispatches.

pub mod action;
pub mod alerts;
pub mod assess;
pub mod assign_role;
pub mod cancel;
pub mod change;
pub mod changes;
pub mod check;
pub mod checkpoint;
pub mod comms;
pub mod completions;
pub mod declare;
pub mod duplicate;
pub mod edit;
pub mod escalate;
pub mod exec;
pub mod export;
pub mod guard;
pub mod import;
pub mod ingest;
pub mod list;
pub mod playbooks;
pub mod reopen;
pub mod resolve;
pub mod retro;
pub mod serve;
pub mod show;
pub mod stats;
pub mod task;
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
            Some(id) => assess::assess(&ctx, id, &assess::AnswerArgs::default(), true),
            None => Ok(()),
        },
        Command::Assess(args) => assess::run(&ctx, args),
        Command::AssignRole(args) => assign_role::run(&ctx, args),
        Command::Escalate(args) => escalate::run(&ctx, args),
        Command::Update(args) => update::run(&ctx, args),
        Command::Resolve(args) => resolve::run(&ctx, args),
        Command::Reopen(args) => reopen::run(&ctx, args),
        Command::Edit(args) => edit::run(&ctx, args),
        Command::Cancel(args) => cancel::run(&ctx, args),
        Command::Duplicate(args) => duplicate::run(&ctx, args),
        Command::Retro(args) => retro::run(&ctx, args),
        Command::Action(args) => action::run(&ctx, args),
        Command::Task(args) => task::run(&ctx, args),
        Command::Playbooks(args) => playbooks::run(&ctx, args),
        Command::Change(args) => change::run(&ctx, args),
        Command::Changes(args) => changes::run(&ctx, args),
        Command::List(args) => list::run(&ctx, args),
        Command::Show(args) => show::run(&ctx, args),
        Command::Topic(args) => topic::run(&ctx, args),
        Command::Exec(args) => exec::run(&ctx, args),
        Command::Comms(args) => comms::run(&ctx, args),
        Command::Check(args) => check::run(&ctx, args),
        Command::Stats(args) => stats::run(&ctx, args),
        Command::Guard(args) => guard::run(&ctx, args),
        Command::Verify(args) => verify::run(&ctx, args),
        Command::Checkpoint(args) => checkpoint::run(&ctx, args),
        Command::Export(args) => export::run(&ctx, args),
        Command::Import(args) => import::run(&ctx, args),
        Command::Ingest(args) => ingest::run(&ctx, args),
        Command::Serve(args) => serve::run(&ctx, args),
        Command::Alerts(args) => alerts::run(&ctx, args),
        Command::Completions(args) => completions::run(args),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// No command names another: what they share lives outside `commands/`
    /// (`render`, `views`, `text`, `time`, `output`, `ops`). Only this file
    /// dispatches to them (and `cli.rs` names their arguments).
    #[test]
    fn no_command_imports_another() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = Vec::new();
        for entry in std::fs::read_dir(src.join("commands")).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == "mod.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                // A file's own unit tests import the file itself.
                if line.trim() == "use super::*;" {
                    continue;
                }
                if line.contains("super::") || line.contains("commands::") {
                    found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
        // `context` calls `hooks`, never the other way round.
        let hooks = std::fs::read_to_string(src.join("hooks.rs")).unwrap();
        for (n, line) in hooks.lines().enumerate() {
            if line.contains("context::") {
                found.push(format!("src/hooks.rs:{}: {}", n + 1, line.trim()));
            }
        }
        assert!(found.is_empty(), "{}", found.join("\n"));
    }
}
