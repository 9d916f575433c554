//! `incident exec KEY -- COMMAND…`: run a remediation command, let its output
//! through live, and record what ran and how it ended as an `action` event.
//!
//! The start is recorded before the command runs (an `action` event marked
//! `started`), and its end after, naming the start. The command runs
//! directly (no shell; argv as given), with our stdin, stdout and stderr, in
//! our process group, so Ctrl-C reaches it. SIGINT, SIGQUIT, SIGTERM and
//! SIGHUP do not end us from before the start is recorded until its end is:
//! one that comes before the command is started keeps it from running, one
//! sent to us alone while it runs is passed on to it (one sent to the whole
//! group reached it already), and the end is recorded however it came. Only
//! SIGKILL leaves a start with no end, which `show` marks.
//! With `--json` its stdout goes to our stderr, keeping stdout one document.
//!
//! Exit codes: 0 when the command succeeds; its exit status when it fails;
//! 128+N when a signal N ended it; 127 when it was not found and 126 when it
//! could not be executed (as shells do). A failed start is recorded too: it is
//! evidence of what was tried. Before running, the key and the incident are
//! checked (exit 2 or 1, and nothing runs).

use crate::child;
use crate::context::Ctx;
use crate::domain::event::Execution;
use crate::domain::ops;
use crate::error::{Failure, usage};
use crate::hooks::humantime;
use crate::render;
use crate::signals::{self, Catch, Signal, name as signal_name};
use crate::store::Access;
use crate::store::ReadsExt;
use crate::text::one_line;
use anyhow::{Context, Result};
use clap::Args;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident exec INC-7 -- systemctl restart api
  incident exec INC-7 -- kubectl rollout undo deployment/checkout

Exit status: the command's own (0 when it succeeds, 128+N when signal N ended it,
127 when it was not found, 126 when it could not be executed). A bad key or an unknown
incident exits 2 or 1 without running anything.")]
pub struct ExecArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,

    /// The command and its arguments, after `--`; run directly, not through a shell
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// How the command ended.
#[derive(Debug)]
pub enum Ended {
    Exited(ExitStatus),
    CouldNotStart(io::Error),
    /// This signal reached us after the start was recorded and before the
    /// command was started: it was not run.
    NotRun(i32),
}

pub fn run(ctx: &Ctx, args: ExecArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    let argv = args.command;
    if argv.first().is_none_or(|program| program.is_empty()) {
        return Err(usage(
            "no command to run; give it after '--', e.g. incident exec INC-7 -- systemctl restart api",
        ));
    }
    // Everything that could stop the recording is checked before running:
    // the incident, who is acting, and the configuration (for hooks).
    ctx.find(&ctx.open(Access::Read)?, id)?;
    ctx.actor()?;
    ctx.config()?;
    let key = ctx.key(id)?;
    // Caught from before the start is recorded until its end is, so that
    // no signal but SIGKILL can leave one without the other.
    let catch = Catch::new(&SIGNALS).context("cannot watch for signals; nothing was run")?;

    // The start is on record before anything runs: if we are killed
    // outright, it stays, with no end after it.
    let at = ctx.now;
    let start_text = format!("Started `{}`", display(&argv));
    let start = Execution {
        command: argv.clone(),
        exit_status: None,
        signal: None,
        duration_ms: 0,
        error: None,
        started: true,
        start: None,
    };
    let begun = ctx.write(|w| {
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        w.apply(ops::executed(&incident, start, start_text, at))
    });
    let start_id = match begun {
        Ok((_, begun)) => begun.events.last().map(|e| e.id),
        Err(e) => {
            // A signal while the start's hooks ran: the start is recorded,
            // the command is not run, and its end says so.
            if let Some(Failure::Silent(code @ 129..)) = e.downcast_ref::<Failure>() {
                let signal = i32::from(*code) - 128;
                let start = ctx
                    .open(Access::Read)?
                    .latest_event(id, &[crate::domain::EventKind::Action])?
                    .filter(|e| matches!(&e.data, crate::domain::EventData::Action(Some(r)) if r.started && r.command == argv))
                    .map(|e| e.id);
                if start.is_some() {
                    let ended = Ended::NotRun(signal);
                    let mut facts = details(&argv, &ended, Duration::ZERO);
                    facts.start = start;
                    let text = describe(&argv, &ended, Duration::ZERO);
                    let _ = ctx.write(|w| {
                        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
                        w.apply(ops::executed(&incident, facts, text, at))
                    });
                }
            }
            return Err(e);
        }
    };
    ctx.say(format!("{key}: running {}", one_line(&display(&argv))));

    let started = Instant::now();
    let ended = execute(&argv, ctx.json(), &catch);
    let took = started.elapsed();

    let text = describe(&argv, &ended, took);
    let mut details = details(&argv, &ended, took);
    details.start = start_id;
    let recorded = ctx.write(|w| {
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        w.apply(ops::executed(&incident, details, text.clone(), at))
    });
    let (store, _) = match recorded {
        Ok(done) => done,
        Err(e) => {
            return Err(e.context(format!(
                "{} but could not be recorded on {key}",
                outcome_phrase(&ended, took)
            )));
        }
    };
    if ctx.json() {
        render::print_incident(ctx, &store, id, None)?;
    } else {
        ctx.say(format!("{key}: recorded action: {}", one_line(&text)));
    }
    match &ended {
        Ended::Exited(status) if status.success() => Ok(()),
        Ended::Exited(status) => Err(Failure::Silent(exit_code(status)).into()),
        Ended::NotRun(signal) => Err(Failure::Silent(signals::exit_code(*signal)).into()),
        Ended::CouldNotStart(e) => {
            // Our own error line; exit 127/126 like a shell, not 1/2.
            eprintln!(
                "error: cannot run '{}': {}; check the name and PATH (the attempt is recorded on {key})",
                one_line(&argv[0]),
                start_error(e)
            );
            Err(Failure::Silent(start_failure_code(e)).into())
        }
    }
}

/// The signals `exec` outlives (all but SIGKILL and SIGSTOP could be, but
/// these are the ones sent to stop a command).
const SIGNALS: [Signal; 4] = [Signal::SIGINT, Signal::SIGQUIT, Signal::SIGTERM, Signal::SIGHUP];

/// Runs the command to its end, unless `catch` (made before the start was
/// recorded) caught a signal first. The signals are noted, not obeyed, by
/// us while it runs: one sent to us alone (`kill PID`, a shell passing on
/// a hangup) is passed on to the command; one sent to our whole process
/// group (the terminal's Ctrl-C, `kill -- -PGID`) reached the
/// command already, there, and is not sent twice. We outlive the command
/// to record how it ended.
fn execute(argv: &[String], json: bool, catch: &Catch) -> Ended {
    let mut command = Command::new(&argv[0]);
    command.args(&argv[1..]);
    if json {
        command.stdout(Stdio::from(io::stderr()));
    }
    // In the group before the command; without one (no process can be
    // started), what a process sent is passed on, as to us alone.
    let mut sentinel = child::Sentinel::start(&SIGNALS).ok();
    if let Some(caught) = catch.next() {
        return Ended::NotRun(caught.signal as i32);
    }
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return Ended::CouldNotStart(e),
    };
    match child::wait_relaying(&mut child, catch, sentinel.as_mut()) {
        Ok(status) => Ended::Exited(status),
        Err(e) => Ended::CouldNotStart(e),
    }
}

/// Our exit code for a command that did not succeed.
pub fn exit_code(status: &ExitStatus) -> u8 {
    match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code).ok().filter(|c| *c != 0).unwrap_or(1),
        (None, Some(signal)) => signals::exit_code(signal),
        (None, None) => 1,
    }
}

/// 127 when the program does not exist, 126 when it cannot be executed.
pub fn start_failure_code(e: &io::Error) -> u8 {
    match e.kind() {
        io::ErrorKind::NotFound => 127,
        _ => 126,
    }
}

/// The timeline text: "Ran `systemctl restart api` → exit 0 in 2.3s".
pub fn describe(argv: &[String], ended: &Ended, took: Duration) -> String {
    let command = display(argv);
    match ended {
        Ended::CouldNotStart(e) => format!("Could not run `{command}`: {}", start_error(e)),
        Ended::NotRun(signal) => format!(
            "Did not run `{command}`: {} arrived before it started",
            signal_name(*signal)
        ),
        Ended::Exited(status) => match (status.code(), status.signal()) {
            (Some(code), _) => format!("Ran `{command}` → exit {code} in {}", humantime(took)),
            (None, Some(signal)) => format!(
                "Ran `{command}` → killed by {} after {}",
                signal_name(signal),
                humantime(took)
            ),
            (None, None) => format!("Ran `{command}` → {status} in {}", humantime(took)),
        },
    }
}

/// For the error line when recording fails after the command ran.
fn outcome_phrase(ended: &Ended, took: Duration) -> String {
    match ended {
        Ended::CouldNotStart(e) => format!("the command could not start ({})", start_error(e)),
        Ended::NotRun(signal) => format!("the command was not run ({} arrived)", signal_name(*signal)),
        Ended::Exited(status) => match (status.code(), status.signal()) {
            (Some(code), _) => format!("the command ran (exit {code} in {})", humantime(took)),
            (None, Some(signal)) => format!("the command ran (killed by {})", signal_name(signal)),
            (None, None) => format!("the command ran ({status})"),
        },
    }
}

/// The structured facts: argv, exit status or signal, duration.
pub fn details(argv: &[String], ended: &Ended, took: Duration) -> Execution {
    let duration_ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX);
    let (exit_status, signal, error) = match ended {
        Ended::Exited(status) => (status.code(), status.signal(), None),
        Ended::CouldNotStart(e) => (None, None, Some(start_error(e))),
        Ended::NotRun(signal) => (
            None,
            Some(*signal),
            Some("not run: interrupted before it started".into()),
        ),
    };
    Execution {
        command: argv.to_vec(),
        exit_status,
        signal,
        duration_ms,
        error,
        started: false,
        start: None,
    }
}

/// "not found", "permission denied": without the "(os error 2)".
fn start_error(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "not found".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(cut) => text[..cut].to_string(),
                None => text,
            }
        }
    }
}

/// The command as a person would type it: words with spaces or shell
/// characters in single quotes.
pub fn display(argv: &[String]) -> String {
    argv.iter().map(|word| quote(word)).collect::<Vec<_>>().join(" ")
}

fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::EventData;

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn commands_are_shown_as_typed() {
        assert_eq!(
            display(&argv(&["systemctl", "restart", "api"])),
            "systemctl restart api"
        );
        assert_eq!(
            display(&argv(&["sh", "-c", "echo 'hi' && exit 3", ""])),
            r#"sh -c 'echo '\''hi'\'' && exit 3' ''"#
        );
        assert_eq!(
            display(&argv(&["kubectl", "--context=prod", "x@y"])),
            "kubectl --context=prod x@y"
        );
    }

    #[test]
    fn the_text_says_what_ran_and_how_it_ended() {
        let cmd = argv(&["systemctl", "restart", "api"]);
        let took = Duration::from_millis(2_300);
        let exited = |raw| Ended::Exited(ExitStatus::from_raw(raw));
        assert_eq!(
            describe(&cmd, &exited(0), took),
            "Ran `systemctl restart api` → exit 0 in 2.3s"
        );
        assert_eq!(
            describe(&cmd, &exited(5 << 8), Duration::from_secs(75)),
            "Ran `systemctl restart api` → exit 5 in 1m15s"
        );
        assert_eq!(
            describe(&cmd, &exited(libc::SIGINT), took),
            "Ran `systemctl restart api` → killed by SIGINT after 2.3s"
        );
        let missing = Ended::CouldNotStart(io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(
            describe(&cmd, &missing, Duration::ZERO),
            "Could not run `systemctl restart api`: not found"
        );
    }

    #[test]
    fn details_hold_argv_status_and_duration() {
        let cmd = argv(&["false"]);
        let d = details(
            &cmd,
            &Ended::Exited(ExitStatus::from_raw(1 << 8)),
            Duration::from_millis(12),
        );
        assert_eq!(
            EventData::Action(Some(d)).details(),
            serde_json::json!({"command": ["false"], "exit_status": 1, "signal": null, "duration_ms": 12})
        );
        let d = details(
            &cmd,
            &Ended::Exited(ExitStatus::from_raw(libc::SIGTERM)),
            Duration::ZERO,
        );
        assert_eq!(d.exit_status, None);
        assert_eq!(d.signal, Some(libc::SIGTERM));
        let d = details(
            &cmd,
            &Ended::CouldNotStart(io::Error::from(io::ErrorKind::PermissionDenied)),
            Duration::ZERO,
        );
        assert_eq!(d.error.as_deref(), Some("permission denied"));
    }

    #[test]
    fn exit_codes_follow_the_command_and_shell_conventions() {
        assert_eq!(exit_code(&ExitStatus::from_raw(3 << 8)), 3);
        assert_eq!(exit_code(&ExitStatus::from_raw(libc::SIGINT)), 130);
        assert_eq!(exit_code(&ExitStatus::from_raw(libc::SIGKILL)), 137);
        assert_eq!(start_failure_code(&io::Error::from(io::ErrorKind::NotFound)), 127);
        assert_eq!(
            start_failure_code(&io::Error::from(io::ErrorKind::PermissionDenied)),
            126
        );
    }
}
