//! The command line: global options and the subcommands. Each subcommand's
//! arguments live beside its code in `commands/`.

use crate::commands::{
    action::ActionArgs, assess::AssessArgs, assign_role::AssignRoleArgs, cancel::CancelArgs,
    check::CheckArgs, checkpoint::CheckpointArgs, comms::CommsArgs, completions::CompletionsArgs,
    declare::DeclareArgs, duplicate::DuplicateArgs, edit::EditArgs, escalate::EscalateArgs, exec::ExecArgs,
    export::ExportArgs, guard::GuardArgs, import::ImportArgs, list::ListArgs, reopen::ReopenArgs,
    resolve::ResolveArgs, retro::RetroArgs, show::ShowArgs, stats::StatsArgs, topic::TopicArgs,
    update::UpdateArgs, verify::VerifyArgs,
};
use crate::commands::{alerts::AlertsArgs, ingest::IngestArgs, serve::ServeArgs};
use crate::commands::{change::ChangeArgs, changes::ChangesArgs, playbooks::PlaybooksArgs, task::TaskArgs};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Keys are accepted as INC-7, inc-7 or 7. Times (local): 'HH:MM', 'yesterday 23:40', a weekday
('fri 14:00'), 'YYYY-MM-DD HH:MM', RFC 3339, 'now', '15m ago'. Durations: 30m, 4h, 3d.

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
        hide_env_values = true,
        value_parser = crate::text::name_arg
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
    /// Reopen a resolved, closed, canceled or duplicate incident, saying why
    Reopen(ReopenArgs),
    /// Change the title, category, services, summary, detection, start of impact or channels
    Edit(EditArgs),
    /// End an incident that was never real (kept in the record, left out of stats)
    Cancel(CancelArgs),
    /// Mark an incident a duplicate of another (kept in the record, left out of stats)
    Duplicate(DuplicateArgs),
    /// The retrospective: five whys, root cause, action items; --complete closes, --export md renders
    Retro(RetroArgs),
    /// Follow-up action items: add, list, done, link
    Action(ActionArgs),
    /// The playbook's checklist: list the tasks, or mark one done or skipped
    Task(TaskArgs),
    /// List the response plans (playbooks), or show one; checks their files
    Playbooks(PlaybooksArgs),
    /// Record a change (deploy, config, flag, infra) from CI, to show beside incidents it may have caused
    Change(ChangeArgs),
    /// List the changes CI recorded
    Changes(ChangesArgs),
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
    /// Print one line that commits to the whole database, to keep elsewhere
    Checkpoint(CheckpointArgs),
    /// Write every incident with its whole history as JSON: a backup, or a move
    Export(ExportArgs),
    /// Restore incidents from an export; importing the same file twice changes nothing
    Import(ImportArgs),
    /// Take one alert webhook payload (Alertmanager, Grafana, PagerDuty, generic) from a file or stdin
    Ingest(IngestArgs),
    /// Receive alert webhooks over HTTP and record them
    Serve(ServeArgs),
    /// List the alerts received from monitoring, most recently seen first
    Alerts(AlertsArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

/// The command line as the binary parses it: the derived definition with
/// every choice (`--kind`, `--category`, `--customers`, …) matched in any
/// case, so `--kind Note` means `note`.
pub fn command() -> clap::Command {
    Cli::command().mut_subcommands(any_case)
}

/// [`command`] for parsing `args`: only the subcommands they name are made
/// case-blind, since walking every argument of every subcommand is a large
/// part of what parsing a command line costs (BENCHMARKS.md).
fn command_for(args: &[OsString]) -> clap::Command {
    let cmd = Cli::command();
    let named = |name: &str| args.iter().any(|a| a.to_str() == Some(name));
    cmd.mut_subcommands(|sub| {
        let wanted = named(sub.get_name()) || sub.get_all_aliases().any(named);
        if wanted { any_case(sub) } else { sub }
    })
}

fn any_case(cmd: clap::Command) -> clap::Command {
    cmd.mut_args(|a| {
        if !a.get_action().takes_values() || a.get_possible_values().is_empty() {
            a
        } else {
            a.ignore_case(true)
        }
    })
    .mut_subcommands(any_case)
}

/// [`command`] with the shell completers of [`crate::complete`]: built only
/// when a shell asks for completions, since attaching them walks the whole
/// tree, a cost every command would otherwise pay.
pub fn completing() -> clap::Command {
    crate::complete::attach(command())
}

/// Parses `args` (the program name first) as the binary does.
pub fn try_parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let mut cmd = command_for(args.get(1..).unwrap_or_default());
    let matches = cmd.try_get_matches_from_mut(args)?;
    let cli = Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd))?;
    // Freeing the whole command tree costs a fifth of parsing; the process
    // ends soon, and takes it along.
    std::mem::forget(cmd);
    Ok(cli)
}

/// The subcommand `args` (without the program name) name, as words:
/// "incident action add"; "incident" when they name none. Error messages
/// point to its `--help`.
pub fn subcommand_path(args: &[OsString]) -> String {
    let mut cmd = command();
    let mut path = vec!["incident".to_string()];
    let mut words = args.iter().map(|a| a.to_string_lossy());
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        if let Some(flag) = word.strip_prefix('-') {
            // A value-taking option given apart from its value skips it.
            let takes_value = |a: &clap::Arg| a.get_action().takes_values();
            let found = match flag.strip_prefix('-') {
                Some(long) if !long.contains('=') => cmd
                    .get_arguments()
                    .find(|a| a.get_long() == Some(long))
                    .is_some_and(takes_value),
                Some(_) => false,
                None => {
                    flag.chars().count() == 1
                        && cmd
                            .get_arguments()
                            .find(|a| a.get_short().is_some_and(|s| flag.starts_with(s)))
                            .is_some_and(takes_value)
                }
            };
            if found {
                words.next();
            }
            continue;
        }
        match cmd.find_subcommand(word.as_ref()) {
            Some(sub) => {
                path.push(sub.get_name().to_string());
                let sub = sub.clone();
                cmd = sub;
            }
            None => break,
        }
    }
    path.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn choices_match_in_any_case() {
        let cli = try_parse_from(["incident", "declare", "X", "--category", "Availability"]);
        assert!(cli.is_ok(), "{:?}", cli.err());
    }

    #[test]
    fn the_subcommand_is_found_past_global_options() {
        let path = |args: &[&str]| subcommand_path(&args.iter().map(OsString::from).collect::<Vec<_>>());
        assert_eq!(
            path(&["--db", "x.db", "action", "add", "1"]),
            "incident action add"
        );
        assert_eq!(path(&["--json", "ls", "--all"]), "incident list");
        assert_eq!(
            path(&["-q", "declare", "--severity", "SEV1", "x"]),
            "incident declare"
        );
        assert_eq!(path(&["--db=x", "nonsense"]), "incident");
    }

    /// Every command (`action add`, not `action`) and its short flags, as `-x` strings in order,
    /// global ones (`-q`) left out.
    fn short_flags() -> Vec<(String, Vec<String>)> {
        fn walk(cmd: &clap::Command, path: &str, out: &mut Vec<(String, Vec<String>)>) {
            for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
                let name = format!("{path} {}", sub.get_name()).trim().to_string();
                let shorts = sub
                    .get_arguments()
                    .filter(|a| !a.is_global_set())
                    .filter_map(|a| a.get_short().map(|c| format!("-{c}")))
                    .collect();
                match sub.has_subcommands() {
                    true => walk(sub, &name, out),
                    false => out.push((name, shorts)),
                }
            }
        }
        let mut out = Vec::new();
        walk(&Cli::command(), "", &mut out);
        out
    }

    /// `-s` is `--severity` wherever a command has it: no command reads a
    /// short flag as something else (`resolve -s SEV1` once recorded the
    /// resolution "SEV1").
    #[test]
    fn a_short_flag_means_one_thing_in_every_command() {
        let mut meaning: std::collections::BTreeMap<char, std::collections::BTreeSet<String>> =
            Default::default();
        fn walk(
            cmd: &clap::Command,
            m: &mut std::collections::BTreeMap<char, std::collections::BTreeSet<String>>,
        ) {
            for a in cmd.get_arguments() {
                if let Some(c) = a.get_short() {
                    m.entry(c)
                        .or_default()
                        .insert(a.get_long().unwrap_or("").to_string());
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, m);
            }
        }
        walk(&Cli::command(), &mut meaning);
        let clashes: Vec<String> = meaning
            .iter()
            .filter(|(_, longs)| longs.len() > 1)
            .map(|(c, longs)| format!("-{c}: {longs:?}"))
            .collect();
        assert!(clashes.is_empty(), "{}", clashes.join("\n"));
        assert_eq!(
            meaning.get(&'s').map(|l| l.iter().collect::<Vec<_>>()),
            Some(vec![&"severity".to_string()])
        );
    }

    /// The README's command table lists each command's short flags, and
    /// only those.
    #[test]
    fn the_readme_lists_every_command_with_its_short_flags() {
        let readme =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
                .unwrap();
        let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `")).collect();
        for (command, shorts) in short_flags() {
            if command == "help" || command.ends_with(" help") {
                continue;
            }
            let row = rows
                .iter()
                .find(|r| {
                    let cell = r.split('|').nth(1).unwrap_or("").trim().trim_matches('`');
                    cell == command || cell.starts_with(&format!("{command} "))
                })
                .unwrap_or_else(|| panic!("no README row for `{command}`"));
            let listed: Vec<String> = row
                .split('|')
                .nth(3)
                .unwrap_or("")
                .split('`')
                .filter(|w| w.len() == 2 && w.starts_with('-'))
                .map(String::from)
                .collect();
            assert_eq!(listed, shorts, "README row for `{command}`: {row}");
        }
    }
}
