//! The command line: global options and the subcommands. Each subcommand's
//! arguments live beside its code in `commands/`.

use crate::commands::{
    ack::AckArgs, action::ActionArgs, assess::AssessArgs, assign_role::AssignRoleArgs, cancel::CancelArgs,
    check::CheckArgs, checkpoint::CheckpointArgs, comms::CommsArgs, completions::CompletionsArgs,
    declare::DeclareArgs, duplicate::DuplicateArgs, edit::EditArgs, escalate::EscalateArgs, exec::ExecArgs,
    export::ExportArgs, guard::GuardArgs, import::ImportArgs, list::ListArgs, man::ManArgs,
    reopen::ReopenArgs, resolve::ResolveArgs, retro::RetroArgs, search::SearchArgs, show::ShowArgs,
    similar::SimilarArgs, stats::StatsArgs, topic::TopicArgs, update::UpdateArgs, verify::VerifyArgs,
};
use crate::commands::{alerts::AlertsArgs, ingest::IngestArgs, serve::ServeArgs};
use crate::commands::{change::ChangeArgs, changes::ChangesArgs, playbooks::PlaybooksArgs, task::TaskArgs};
use crate::commands::{
    deliveries::DeliveriesArgs, maintenance::MaintenanceArgs, metrics::MetricsArgs, notify::NotifyArgs,
    oncall::OncallArgs, status_page::StatusPageArgs,
};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Keys are accepted as INC-7, inc-7 or 7. Times (local): 'HH:MM', 'yesterday 23:40', a weekday
('fri 14:00'), 'YYYY-MM-DD HH:MM', RFC 3339, 'now', '15m ago'. Durations: 30m, 4h, 3d.

A team shares one PostgreSQL database: --db or INCIDENT_DB postgres://USER@HOST/DATABASE, with the
password in PGPASSWORD or ~/.pgpass (never in the URL, which `ps` shows).

Exit codes: 0 success, 1 failure (not found, storage; 'guard': a matching incident is open),
2 invalid input, 3 'check' found a missed target, 4 'verify' could not check some state.";

/// Track production incidents from the terminal: declare, triage, escalate,
/// keep the timeline, resolve, and learn.
#[derive(Debug, Parser)]
#[command(name = "incident", version, about, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub globals: GlobalArgs,

    /// None: a short overview (the everyday commands, the open incidents).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Shown under their own heading in every `--help`, after the subcommand's
/// own options, so those are not lost among these.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Database: a file, or a postgres:// URL for a team's PostgreSQL (password in PGPASSWORD or ~/.pgpass) [default: the platform data directory, e.g. ~/.local/share/incident/incidents.db]
    ///
    /// A file path keeps the incidents in an SQLite file. A URL, postgres://USER@HOST:PORT/DATABASE
    /// (or postgresql://), selects PostgreSQL: the team's shared database (docs/team.md). Give its
    /// password in PGPASSWORD or ~/.pgpass, not in the URL: a command line shows in `ps` to every
    /// user of the machine, and lands in shell history.
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
    Declare(Lazy<DeclareArgs>),
    /// Triage: impact questions, the CIA checklist, and the severity
    Assess(Lazy<AssessArgs>),
    /// Delegate a role (commander, scribe, …) or hand it over
    AssignRole(Lazy<AssignRoleArgs>),
    /// Page more people, and raise the severity if needed
    Escalate(Lazy<EscalateArgs>),
    /// Take the incident: you have it, and any page on it stops
    Ack(Lazy<AckArgs>),
    /// Add to the timeline: a note, decision, action, evidence or status update
    Update(Lazy<UpdateArgs>),
    /// Mark an incident resolved: service restored for everyone
    Resolve(Lazy<ResolveArgs>),
    /// Reopen a resolved, closed, canceled or duplicate incident, saying why
    Reopen(Lazy<ReopenArgs>),
    /// Change the title, category, services, summary, detection, start of impact or channels
    Edit(Lazy<EditArgs>),
    /// End an incident that was never real (kept in the record, left out of stats)
    Cancel(Lazy<CancelArgs>),
    /// Mark an incident a duplicate of another (kept in the record, left out of stats)
    Duplicate(Lazy<DuplicateArgs>),
    /// The retrospective: five whys, root cause, action items; --complete closes, --export md renders
    Retro(Lazy<RetroArgs>),
    /// Follow-up action items: add, list, done, link
    Action(Lazy<ActionArgs>),
    /// The playbook's checklist: list the tasks, or mark one done or skipped
    Task(Lazy<TaskArgs>),
    /// List the response plans (playbooks), or show one; checks their files
    Playbooks(Lazy<PlaybooksArgs>),
    /// Record a change (deploy, config, flag, infra) from CI, to show beside incidents it may have caused
    Change(Lazy<ChangeArgs>),
    /// List the changes CI recorded
    Changes(Lazy<ChangesArgs>),
    /// List incidents: open ones by default, most severe first
    #[command(visible_alias = "ls")]
    List(Lazy<ListArgs>),
    /// Search everything written: titles, timelines, retrospectives, action items, alerts
    Search(Lazy<SearchArgs>),
    /// Show an incident, its roles and its timeline
    Show(Lazy<ShowArgs>),
    /// List the past incidents most like one, each with why (same alert, service, words)
    Similar(Lazy<SimilarArgs>),
    /// Print a one-line status for a chat channel topic
    Topic(Lazy<TopicArgs>),
    /// Run a remediation command and record it in the timeline as an action
    Exec(Lazy<ExecArgs>),
    /// Print the latest customer-facing update, or a draft of the next one
    Comms(Lazy<CommsArgs>),
    /// Report missed and soon-due response targets (exit 3 when any is missed)
    Check(Lazy<CheckArgs>),
    /// Response metrics: counts, time to acknowledge and resolve, targets met
    Stats(Lazy<StatsArgs>),
    /// Metrics for Prometheus: open incidents, response times, missed targets, alerts, backlogs
    Metrics(Lazy<MetricsArgs>),
    /// The public status page: write it as a static site, or set a component's status
    StatusPage(Lazy<StatusPageArgs>),
    /// Schedule maintenance on public components, or list what is to come
    Maintenance(Lazy<MaintenanceArgs>),
    /// Fail while a matching incident is open: a deploy freeze for CI
    Guard(Lazy<GuardArgs>),
    /// Check that no timeline was edited, deleted or reordered behind the tool's back
    Verify(Lazy<VerifyArgs>),
    /// Print one line that commits to the whole database, to keep elsewhere
    Checkpoint(Lazy<CheckpointArgs>),
    /// Write every incident with its whole history as JSON: a backup, or a move
    Export(Lazy<ExportArgs>),
    /// Restore incidents from an export; importing the same file twice changes nothing
    Import(Lazy<ImportArgs>),
    /// Take one alert webhook payload (Alertmanager, Grafana, PagerDuty, generic) from a file or stdin
    Ingest(Lazy<IngestArgs>),
    /// Receive alert webhooks over HTTP and record them
    Serve(Lazy<ServeArgs>),
    /// List the alerts received from monitoring, most recently seen first
    Alerts(Lazy<AlertsArgs>),
    /// Deliver notifications to the configured destinations (chat, mail, webhooks); --watch keeps going
    Notify(Lazy<NotifyArgs>),
    /// Show where each notification destination stands; 'retry NAME' unparks one
    Deliveries(Lazy<DeliveriesArgs>),
    /// Who is on call now and next; a schedule's shifts, overrides, calendars
    Oncall(Lazy<OncallArgs>),
    /// Print a shell completion script, or install it where the shell loads it
    Completions(Lazy<CompletionsArgs>),
    /// Print the man page, or install every page where man looks
    Man(Lazy<ManArgs>),
}

/// The command line as the binary parses it: the derived definition, each
/// subcommand's arguments added only when it is built ([`Lazy`]) and with
/// every choice (`--kind`, `--category`, `--customers`, …) matched in any
/// case, so `--kind Note` means `note`. [`whole`] builds them all (man
/// pages, completions).
pub fn command() -> clap::Command {
    // The global options are global only in the subcommand built ([`Lazy`]
    // adds them there): marked global here, clap would copy them into all
    // ~36 subcommands on every run, a tenth of an `update` (BENCHMARKS.md).
    // Given before the subcommand they still count: clap merges a global's
    // values across levels, the top's included.
    Cli::command().mut_args(|a| a.global(false))
}

/// [`command`] with every subcommand built, for what walks the whole tree
/// (man pages, completions): the `help` subcommands building adds are
/// hidden, as they are no commands of ours.
pub fn whole() -> clap::Command {
    fn hide_help(cmd: clap::Command) -> clap::Command {
        cmd.mut_subcommands(|sub| match sub.get_name() {
            "help" => sub.hide(true),
            _ => hide_help(sub),
        })
    }
    let mut cmd = command();
    cmd.build();
    hide_help(cmd)
}

/// A subcommand's arguments (`T`), added to its command only when that
/// subcommand is built: parsing a command line builds the one it names,
/// not all of them, which was most of what parsing cost (BENCHMARKS.md).
#[derive(Debug)]
pub struct Lazy<T>(pub T);

impl<T: Args> Args for Lazy<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| expand(cmd, T::augment_args))
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| expand(cmd, T::augment_args_for_update))
    }
    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

impl<T: FromArgMatches> FromArgMatches for Lazy<T> {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Lazy)
    }
    fn from_arg_matches_mut(matches: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(matches).map(Lazy)
    }
    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
    fn update_from_arg_matches_mut(&mut self, matches: &mut clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(matches)
    }
}

/// Adds a subcommand's arguments (`augment`), case-blind, after the global
/// options (where clap's own copying put them), keeping the description
/// its variant gave: built eagerly, the variant's came after the
/// arguments' and won over a flattened struct's own.
fn expand(cmd: clap::Command, augment: fn(clap::Command) -> clap::Command) -> clap::Command {
    let (about, long_about) = (cmd.get_about().cloned(), cmd.get_long_about().cloned());
    // The globals' heading ends with them (a subcommand sets none of its own).
    let cmd = GlobalArgs::augment_args(cmd).next_help_heading(None::<&str>);
    let mut cmd = any_case(augment(cmd));
    if let Some(about) = about {
        cmd = cmd.about(about);
    }
    match long_about {
        Some(long_about) => cmd.long_about(long_about),
        None => cmd.long_about(None::<&str>),
    }
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
    crate::complete::attach(whole())
}

/// Parses `args` (the program name first) as the binary does.
pub fn try_parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut cmd = command();
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
    let mut cmd = whole();
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

/// Folds clap's several-line usage errors into one line that still names
/// the problem, the choices, clap's tip and where to read more: at 3 a.m. a
/// usage block scrolls the actual mistake out of view.
/// `args` (without the program name) say which subcommand's help to point
/// to when clap's message names none.
pub fn clap_one_line(e: &clap::Error, args: &[std::ffi::OsString]) -> String {
    let text = e.render().to_string();
    let mut lines = text.lines().map(str::trim_end);
    let mut message = lines.next().unwrap_or("error: invalid arguments").to_string();
    let mut command = None;
    for line in lines {
        let trimmed = line.trim();
        if let Some(usage) = trimmed.strip_prefix("Usage: ") {
            // "incident declare [OPTIONS] <TITLE>" → "incident declare"
            let words: Vec<&str> = usage
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect();
            command = Some(words.join(" "));
        } else if !trimmed.is_empty() && !trimmed.starts_with("For more information") {
            let sep = if trimmed.starts_with("tip:") { "; " } else { " " };
            message.push_str(sep);
            message.push_str(trimmed);
        }
    }
    let command = command
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| subcommand_path(args));
    if e.kind() == clap::error::ErrorKind::UnknownArgument
        && let Some(clap::error::ContextValue::String(arg)) = e.get(clap::error::ContextKind::InvalidArg)
        && !arg.starts_with('-')
    {
        // What a word too many most likely means, command by command.
        message.push_str(match command.as_str() {
            "incident duplicate" => {
                "; name the primary with --of, e.g. 'incident duplicate INC-3 --of INC-1'"
            }
            "incident exec" => {
                "; put -- before the command, e.g. 'incident exec INC-4 -- systemctl restart api'"
            }
            _ => "; quote text that has spaces, e.g. \"Checkout is down\"",
        });
    }
    format!("{message}; see '{command} --help'")
}

/// The filters `list` and `search` share, and what they select: the
/// statuses as given (each command has its own default for none), the
/// severities by the configuration's level names.
#[derive(Debug, Clone, Args)]
pub struct IncidentFilters {
    /// Only incidents in this status (repeat or separate with commas)
    #[arg(long, value_parser = named::<crate::domain::Status>(), value_delimiter = ',')]
    pub status: Vec<crate::domain::Status>,

    /// Only incidents of these severities (repeat or separate with commas)
    #[arg(long, value_name = "LEVEL", value_delimiter = ',')]
    pub severity: Vec<String>,

    /// Only incidents declared since: a time, or a duration back from now (7d)
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,

    /// Only incidents carrying this tag: key=value (repeatable; all must match)
    #[arg(long = "tag", value_name = "KEY=VALUE", value_parser = crate::text::tag_arg)]
    pub tags: Vec<(String, String)>,
}

impl IncidentFilters {
    /// The filter these select, the rest left as [`crate::store::ListFilter::default`]:
    /// an unknown severity or an unreadable time is refused.
    pub fn filter(&self, ctx: &crate::context::Ctx) -> anyhow::Result<crate::store::ListFilter> {
        let config = ctx.config()?;
        let severities = self
            .severity
            .iter()
            .map(|s| config.level(s).map(|l| l.name.clone()))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let since = self
            .since
            .as_deref()
            .map(|s| ctx.since("--since", s))
            .transpose()?;
        Ok(crate::store::ListFilter {
            statuses: self.status.clone(),
            severities,
            since,
            tags: self.tags.clone(),
            ..crate::store::ListFilter::default()
        })
    }
}

/// The value parser for a domain name list ([`crate::domain::Named`]):
/// the choices clap shows and completes, parsed by the domain's own
/// `FromStr`, so the domain needs no clap.
pub fn named<T: crate::domain::Named>() -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(T::ALL.iter().map(|v| v.as_str()))
        .map(|name| name.parse::<T>().expect("a listed name parses"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_error(args: &[&str]) -> String {
        let given: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
        let args = std::iter::once("incident").chain(args.iter().copied());
        clap_one_line(&try_parse_from(args).unwrap_err(), &given)
    }

    #[test]
    fn clap_errors_fold_into_one_line_with_the_choices_and_a_pointer() {
        assert_eq!(
            parse_error(&["declare", "Checkout", "is", "down"]),
            "error: unexpected argument 'is' found; quote text that has spaces, e.g. \"Checkout is down\"; \
             see 'incident declare --help'"
        );
        let bad_value = parse_error(&["declare", "X", "--category", "outage"]);
        assert!(!bad_value.contains('\n'));
        assert!(
            bad_value.starts_with(
                "error: invalid value 'outage' for '--category <CATEGORY>' [possible values: availability,"
            ),
            "{bad_value}"
        );
        assert!(
            bad_value.contains("; tip: a similar value exists: 'other'"),
            "{bad_value}"
        );
        assert!(
            bad_value.ends_with("; see 'incident declare --help'"),
            "{bad_value}"
        );
        assert_eq!(
            parse_error(&["duplicate", "3", "1"]),
            "error: unexpected argument '1' found; name the primary with --of, e.g. \
             'incident duplicate INC-3 --of INC-1'; see 'incident duplicate --help'"
        );
        assert!(
            parse_error(&["exec", "4", "systemctl", "restart", "x"])
                .contains("; put -- before the command, e.g. 'incident exec INC-4 -- systemctl restart api'"),
        );
        assert_eq!(
            parse_error(&["show"]),
            "error: the following required arguments were not provided: <KEY>; see 'incident show --help'"
        );
    }

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
                    .filter(|a| !a.is_global_set() && a.get_id() != "help")
                    .filter_map(|a| a.get_short().map(|c| format!("-{c}")))
                    .collect();
                match sub.has_subcommands() {
                    true => walk(sub, &name, out),
                    false => out.push((name, shorts)),
                }
            }
        }
        let mut out = Vec::new();
        walk(&whole(), "", &mut out);
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
        walk(&whole(), &mut meaning);
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

    /// The README is for a first read: reference goes to `docs/` and the
    /// man pages.
    #[test]
    fn the_readme_stays_under_15_kb() {
        let readme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        let size = std::fs::metadata(readme).unwrap().len();
        assert!(
            size < 15 * 1024,
            "README.md is {size} bytes; move reference to docs/"
        );
    }

    /// The README's table and docs/commands.md's each give a command one
    /// row: a second row for the same command (it happened once) says it
    /// twice, and the two drift apart.
    #[test]
    fn the_readme_and_the_command_reference_list_each_command_once() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let commands: Vec<String> = short_flags()
            .into_iter()
            .map(|(c, _)| c)
            .filter(|c| c != "help" && !c.ends_with(" help"))
            .collect();
        for doc in ["README.md", "docs/commands.md"] {
            let text = std::fs::read_to_string(root.join(doc)).unwrap();
            let mut rows: std::collections::BTreeMap<&str, usize> = Default::default();
            for line in text.lines().filter(|l| l.starts_with("| `")) {
                let cell = line.split('|').nth(1).unwrap_or("").trim().trim_matches('`');
                // The longest command the row's first cell names.
                let named = commands
                    .iter()
                    .filter(|c| cell == c.as_str() || cell.starts_with(&format!("{c} ")))
                    .max_by_key(|c| c.len());
                if let Some(c) = named {
                    *rows.entry(c.as_str()).or_default() += 1;
                }
            }
            for (command, n) in &rows {
                assert_eq!(*n, 1, "{doc} has {n} rows for `{command}`");
            }
            for command in commands.iter().filter(|c| !c.contains(' ')) {
                assert!(
                    rows.contains_key(command.as_str()),
                    "{doc} has no row for `{command}`"
                );
            }
        }
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
