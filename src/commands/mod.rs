//! One file per subcommand; this file only dispatches.

pub mod ack;
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
pub mod deliveries;
pub mod duplicate;
pub mod edit;
pub mod escalate;
pub mod exec;
pub mod export;
pub mod guard;
pub mod import;
pub mod ingest;
pub mod list;
pub mod maintenance;
pub mod man;
pub mod metrics;
pub mod notify;
pub mod oncall;
pub mod overview;
pub mod playbooks;
pub mod reopen;
pub mod resolve;
pub mod retro;
pub mod search;
pub mod serve;
pub mod show;
pub mod similar;
pub mod stats;
pub mod status_page;
pub mod task;
pub mod topic;
pub mod update;
pub mod verify;

use crate::cli::{Cli, Command, Lazy};
use crate::context::Ctx;
use anyhow::Result;

pub fn run(cli: Cli) -> Result<()> {
    let ctx = Ctx::new(cli.globals)?;
    let Some(command) = cli.command else {
        return overview::run(&ctx);
    };
    match command {
        // `declare --assess` goes straight on into the triage walk.
        Command::Declare(Lazy(args)) => match declare::run(&ctx, args)? {
            Some(id) => assess::assess(&ctx, id, &assess::AnswerArgs::default(), true),
            None => Ok(()),
        },
        Command::Assess(Lazy(args)) => assess::run(&ctx, args),
        Command::AssignRole(Lazy(args)) => assign_role::run(&ctx, args),
        Command::Escalate(Lazy(args)) => escalate::run(&ctx, args),
        Command::Update(Lazy(args)) => update::run(&ctx, args),
        Command::Resolve(Lazy(args)) => resolve::run(&ctx, args),
        Command::Reopen(Lazy(args)) => reopen::run(&ctx, args),
        Command::Edit(Lazy(args)) => edit::run(&ctx, args),
        Command::Cancel(Lazy(args)) => cancel::run(&ctx, args),
        Command::Ack(Lazy(args)) => ack::run(&ctx, args),
        Command::Duplicate(Lazy(args)) => duplicate::run(&ctx, args),
        Command::Retro(Lazy(args)) => retro::run(&ctx, args),
        Command::Action(Lazy(args)) => action::run(&ctx, args),
        Command::Task(Lazy(args)) => task::run(&ctx, args),
        Command::Playbooks(Lazy(args)) => playbooks::run(&ctx, args),
        Command::Change(Lazy(args)) => change::run(&ctx, args),
        Command::Changes(Lazy(args)) => changes::run(&ctx, args),
        Command::List(Lazy(args)) => list::run(&ctx, args),
        Command::Search(Lazy(args)) => search::run(&ctx, args),
        Command::Show(Lazy(args)) => show::run(&ctx, args),
        Command::Similar(Lazy(args)) => similar::run(&ctx, args),
        Command::Topic(Lazy(args)) => topic::run(&ctx, args),
        Command::Exec(Lazy(args)) => exec::run(&ctx, args),
        Command::Comms(Lazy(args)) => comms::run(&ctx, args),
        Command::Check(Lazy(args)) => check::run(&ctx, args),
        Command::Stats(Lazy(args)) => stats::run(&ctx, args),
        Command::Metrics(Lazy(args)) => metrics::run(&ctx, args),
        Command::StatusPage(Lazy(args)) => status_page::run(&ctx, args),
        Command::Maintenance(Lazy(args)) => maintenance::run(&ctx, args),
        Command::Guard(Lazy(args)) => guard::run(&ctx, args),
        Command::Verify(Lazy(args)) => verify::run(&ctx, args),
        Command::Checkpoint(Lazy(args)) => checkpoint::run(&ctx, args),
        Command::Export(Lazy(args)) => export::run(&ctx, args),
        Command::Import(Lazy(args)) => import::run(&ctx, args),
        Command::Ingest(Lazy(args)) => ingest::run(&ctx, args),
        Command::Serve(Lazy(args)) => serve::run(&ctx, args),
        Command::Alerts(Lazy(args)) => alerts::run(&ctx, args),
        Command::Notify(Lazy(args)) => notify::run(&ctx, args),
        Command::Deliveries(Lazy(args)) => deliveries::run(&ctx, args),
        Command::Oncall(Lazy(args)) => oncall::run(&ctx, args),
        Command::Completions(Lazy(args)) => completions::run(&ctx, args),
        Command::Man(Lazy(args)) => man::run(&ctx, args),
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
