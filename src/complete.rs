//! Dynamic shell completion: the values a shell offers on Tab, some read
//! from the configuration and the database. The shells call the binary
//! back with `INCIDENT_COMPLETE=<shell>` (clap_complete's `CompleteEnv`);
//! `incident completions SHELL` prints the script that does so.
//!
//! The database and configuration are the ones `INCIDENT_DB` and
//! `INCIDENT_CONFIG` name (or the defaults): a `--db` typed on the same
//! line is not seen. Any failure completes nothing rather than an error.

use crate::cli::GlobalArgs;
use crate::context::Ctx;
use crate::domain::Status;
use crate::domain::retro::format_action_id;
use crate::domain::triage::CHECKLIST;
use crate::store::ReadsExt;
use crate::store::{Access, ActionFilter, AlertFilter, ListFilter};
use crate::text::one_line;
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};

/// The environment variable the completion scripts set.
pub const VAR: &str = "INCIDENT_COMPLETE";

/// Adds the completers to `cmd` and its subcommands, by argument: keys,
/// action ids, severities, roles, checklist ids, playbook names and alert
/// ids.
pub fn attach(cmd: clap::Command) -> clap::Command {
    fn walk(cmd: clap::Command, path: &str) -> clap::Command {
        let name = cmd.get_name().to_string();
        let here = if path.is_empty() {
            name
        } else {
            format!("{path} {name}")
        };
        let at = here.clone();
        cmd.mut_args(move |a| {
            let id = a.get_id().as_str();
            let candidates = match id {
                "key" | "incident" | "keys" => {
                    let wanted = if at.ends_with(" retro") {
                        Wanted::Resolved
                    } else {
                        Wanted::Open
                    };
                    Some(ArgValueCandidates::new(move || keys(wanted)))
                }
                "id" if at.contains(" action") => Some(ArgValueCandidates::new(open_actions)),
                "severity" | "severities" => Some(ArgValueCandidates::new(severities)),
                "role" => Some(ArgValueCandidates::new(roles)),
                "checks" => Some(ArgValueCandidates::new(checks)),
                "playbook" => Some(ArgValueCandidates::new(playbooks)),
                "name" if at.ends_with(" playbooks") => Some(ArgValueCandidates::new(playbooks)),
                "from_alert" | "attach_alert" => Some(ArgValueCandidates::new(loose_alerts)),
                _ => None,
            };
            match candidates {
                Some(c) => a.add(c),
                None => a,
            }
        })
        .mut_subcommands(move |sub| walk(sub, &here))
    }
    walk(cmd, "")
}

#[derive(Debug, Clone, Copy)]
enum Wanted {
    Open,
    Resolved,
}

/// A context as the environment sets it, quiet and without hooks.
fn ctx() -> Option<Ctx> {
    let globals = GlobalArgs {
        db: std::env::var_os("INCIDENT_DB").map(Into::into),
        config: std::env::var_os("INCIDENT_CONFIG").map(Into::into),
        actor: None,
        json: false,
        quiet: true,
        no_hooks: true,
    };
    Ctx::new(globals).ok()
}

/// A value and its description for the shell's menu: the description on
/// one line, escaped, and short (a title can be any length; the menu is a
/// line). Values are names and keys the tool itself gives.
fn candidate(value: String, help: String) -> CompletionCandidate {
    const HELP_CHARS: usize = 72;
    let mut help = one_line(&help).into_owned();
    if let Some((at, _)) = help.char_indices().nth(HELP_CHARS) {
        help.truncate(at);
        help.push('…');
    }
    CompletionCandidate::new(value).help(Some(help.into()))
}

/// What `read` finds in the database the environment names: nothing when
/// there is no database yet, or on any failure.
fn from_store(
    read: impl FnOnce(&Ctx, &crate::store::Store) -> anyhow::Result<Vec<CompletionCandidate>>,
) -> Vec<CompletionCandidate> {
    let found = || -> anyhow::Result<Vec<CompletionCandidate>> {
        let ctx = ctx().ok_or_else(|| anyhow::anyhow!("no context"))?;
        let store = match ctx.open(Access::Existing) {
            Err(e) if e.is::<crate::store::Missing>() => return Ok(Vec::new()),
            store => store?,
        };
        read(&ctx, &store)
    };
    found().unwrap_or_default()
}

fn keys(wanted: Wanted) -> Vec<CompletionCandidate> {
    from_store(|ctx, store| {
        let statuses = match wanted {
            Wanted::Open => Status::ALL.iter().copied().filter(|s| s.is_open()).collect(),
            Wanted::Resolved => vec![Status::Resolved],
        };
        let filter = ListFilter {
            statuses,
            ..ListFilter::default()
        };
        let config = ctx.config()?;
        let order: Vec<String> = config.levels.iter().map(|l| l.name.clone()).collect();
        let mut out = Vec::new();
        store.each_incident(&filter, crate::store::Order::Severity(&order), &mut |i| {
            let help = format!("{} {}: {}", i.severity, i.status, one_line(&i.title));
            out.push(candidate(ctx.key(i.id)?, help));
            Ok(())
        })?;
        Ok(out)
    })
}

fn open_actions() -> Vec<CompletionCandidate> {
    from_store(|_, store| {
        let filter = ActionFilter {
            open: true,
            ..ActionFilter::default()
        };
        Ok(store
            .actions(&filter)?
            .into_iter()
            .map(|a| {
                let help = format!("{}, due {}: {}", one_line(&a.owner), a.due, one_line(&a.text));
                candidate(format_action_id(a.id), help)
            })
            .collect())
    })
}

fn severities() -> Vec<CompletionCandidate> {
    let Some(ctx) = ctx() else { return Vec::new() };
    let Ok(config) = ctx.config() else {
        return Vec::new();
    };
    config
        .levels
        .iter()
        .map(|l| candidate(l.name.clone(), one_line(&l.description).into_owned()))
        .collect()
}

fn roles() -> Vec<CompletionCandidate> {
    let Some(ctx) = ctx() else { return Vec::new() };
    let Ok(config) = ctx.config() else {
        return Vec::new();
    };
    config
        .roles
        .iter()
        .map(|r| {
            let help = if r.single {
                "one holder"
            } else {
                "several may hold it"
            };
            candidate(r.name.clone(), help.to_string())
        })
        .collect()
}

fn checks() -> Vec<CompletionCandidate> {
    CHECKLIST
        .iter()
        .map(|i| candidate(i.id.to_string(), i.text.to_string()))
        .collect()
}

/// The playbooks' names, with their descriptions.
fn playbooks() -> Vec<CompletionCandidate> {
    let Some(ctx) = ctx() else { return Vec::new() };
    let Ok(plans) = ctx.config().and_then(crate::playbooks::load) else {
        return Vec::new();
    };
    plans
        .into_iter()
        .map(|p| candidate(p.name, p.description.unwrap_or_default()))
        .collect()
}

/// The recorded alerts that belong to no incident (what `--from-alert`
/// and `--attach-alert` take), most recently seen first.
fn loose_alerts() -> Vec<CompletionCandidate> {
    /// A menu, not a report: the most recent are what anyone picks.
    const SHOWN: usize = 50;
    from_store(|_, store| {
        let filter = AlertFilter {
            unattached: true,
            limit: Some(SHOWN),
            ..AlertFilter::default()
        };
        Ok(store
            .alerts(&filter)?
            .into_iter()
            .map(|a| {
                let help = format!("{} {}: {}", a.source, a.status, one_line(&a.summary));
                candidate(a.id.to_string(), help)
            })
            .collect())
    })
}
