//! The command line: global options and the subcommands. Each subcommand's
//! arguments live beside its code in `commands/`.

use crate::commands::{
    action::ActionArgs, assess::AssessArgs, assign_role::AssignRoleArgs, bench_seed::BenchSeedArgs,
    check::CheckArgs, comms::CommsArgs, completions::CompletionsArgs, declare::DeclareArgs,
    escalate::EscalateArgs, exec::ExecArgs, export::ExportArgs, guard::GuardArgs, import::ImportArgs,
    list::ListArgs, resolve::ResolveArgs, retro::RetroArgs, show::ShowArgs, stats::StatsArgs,
    topic::TopicArgs, update::UpdateArgs, verify::VerifyArgs,
};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Keys are accepted as INC-7, inc-7 or 7. Times: RFC 3339, 'YYYY-MM-DD HH:MM', 'HH:MM' (local),
'now', '15m ago'. Durations: 30m, 4h, 3d.

Exit codes: 0 success, 1 failure (not found, storage; 'guard': a matching incident is open),
2 invalid input, 3 'check' found a missed target.";

/// Track production incidents from the terminal: declare, triage, escalate,
/// keep the timeline, resolve, and learn.
#[derive(Debug, Parser)]
#[command(name = "incident", version, about, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub globals: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Shown under their own heading in every `--help`, after the subcommand's
/// own options, so those are not lost among these.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Database file [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]
    #[arg(
        long,
        global = true,
        env = "INCIDENT_DB",
        value_name = "PATH",
        hide_env_values = true
    )]
    pub db: Option<PathBuf>,

    /// Configuration file [default: ~/.config/incident/config.toml]
    #[arg(
        long,
        global = true,
        env = "INCIDENT_CONFIG",
        value_name = "PATH",
        hide_env_values = true
    )]
    pub config: Option<PathBuf>,

    /// Who is acting, recorded on every event [default: $USER]
    #[arg(
        long = "as",
        global = true,
        env = "INCIDENT_USER",
        value_name = "NAME",
        hide_env_values = true
    )]
    pub actor: Option<String>,

    /// Print machine-readable JSON on stdout
    #[arg(long, global = true)]
    pub json: bool,

    /// Say nothing on stderr unless something is wrong
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// Run no hooks for this command (backfills, imports, drills)
    #[arg(
        long,
        global = true,
        env = "INCIDENT_NO_HOOKS",
        value_parser = clap::builder::FalseyValueParser::new(),
        hide_env_values = true
    )]
    pub no_hooks: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open an incident and print its key
    Declare(DeclareArgs),
    /// Triage: impact questions, the CIA checklist, and the severity
    Assess(AssessArgs),
    /// Delegate a role (commander, scribe, …) or hand it over
    AssignRole(AssignRoleArgs),
    /// Page more people, and raise the severity if needed
    Escalate(EscalateArgs),
    /// Add to the timeline: a note, decision, action, evidence or status update
    Update(UpdateArgs),
    /// Mark an incident resolved: service restored for everyone
    Resolve(ResolveArgs),
    /// The retrospective: five whys, root cause, action items; --complete closes, --export md renders
    Retro(RetroArgs),
    /// Follow-up action items: add, list, done, link
    Action(ActionArgs),
    /// List incidents: open ones by default, most severe first
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Show an incident, its roles and its timeline
    Show(ShowArgs),
    /// Print a one-line status for a chat channel topic
    Topic(TopicArgs),
    /// Run a remediation command and record it in the timeline as an action
    Exec(ExecArgs),
    /// Print the latest customer-facing update, or a draft of the next one
    Comms(CommsArgs),
    /// Report missed and soon-due response targets (exit 3 when any is missed)
    Check(CheckArgs),
    /// Response metrics: counts, time to acknowledge and resolve, targets met
    Stats(StatsArgs),
    /// Fail while a matching incident is open: a deploy freeze for CI
    Guard(GuardArgs),
    /// Check that no timeline was edited, deleted or reordered behind the tool's back
    Verify(VerifyArgs),
    /// Write every incident with its whole history as JSON: a backup, or a move
    Export(ExportArgs),
    /// Restore incidents from an export; importing the same file twice changes nothing
    Import(ImportArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Fill the database with realistic incidents for the benchmarks (benches/cli.sh)
    #[command(hide = true)]
    BenchSeed(BenchSeedArgs),
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
