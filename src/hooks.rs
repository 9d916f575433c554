//! Hooks: commands from the configuration that run after a change
//! is committed, once per matching timeline event, so the tracker can post to
//! chat, pagers and status pages.
//!
//! The contract, also in the README:
//! - `run` is a command line for `/bin/sh -c`, so pipes, quoting and
//!   arguments work as in a shell.
//! - stdin carries one JSON document: `{"event": …, "incident": …}` (the
//!   event as in `show --json`'s timeline, the incident as `show --json`
//!   prints it, without the timeline, as it stands after the command).
//! - The environment is ours (PATH, HOME, proxies: curl works) plus
//!   `INCIDENT_KEY`, `INCIDENT_EVENT` (the kind), `INCIDENT_EVENT_ID`,
//!   `INCIDENT_DB` and `INCIDENT_USER` (so `incident show "$INCIDENT_KEY"`
//!   reads the same database as the same person), `INCIDENT_CONFIG` when a
//!   configuration file was read (its path, never its contents), and
//!   `INCIDENT_NO_HOOKS=1`, so a hook that records something does not set
//!   off hooks again.
//! - The hook's stdout goes to our stderr (our stdout is data for scripts);
//!   its stderr is ours.
//! - Hooks run one after another, after the commit, each in its own process
//!   group. One that runs past its timeout is killed with its whole group
//!   (SIGKILL). Failure, a timeout or a command that cannot start is a
//!   one-line warning; the record and our exit code stand.
//!
//! Which hooks match an event, the stdin document and the warning texts are
//! pure functions, unit-tested below; [`run`] is the only part that spawns,
//! through [`crate::child::Group`] (the process group, the deadline, the
//! kill); the signals are caught through [`crate::signals`].

use crate::child::{Group, Waited};
use crate::domain::triage::Assessment;
use crate::domain::{Event, EventKind, Incident, key};
use crate::signals::{Catch, Signal};
use crate::store::ReadsExt;
use crate::store::Store;
use crate::views::{EventView, IncidentView};
use serde::Serialize;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::io::{self, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long a hook may run when its configuration names no timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The shell that runs `run` lines. An absolute path: it works even when
/// PATH is unset.
const SHELL: &str = "/bin/sh";

/// One `[[hooks]]` entry of the configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Hook {
    /// What warnings call it: `name` from the configuration, else the
    /// program named first in `run`. Never the whole line, which may carry
    /// a token.
    pub name: Option<String>,
    pub on: On,
    pub run: String,
    pub timeout: Duration,
}

/// Which events a hook runs for.
#[derive(Debug, Clone, PartialEq)]
pub enum On {
    /// `on = ["*"]`
    All,
    Kinds(Vec<EventKind>),
}

impl Hook {
    pub fn matches(&self, kind: EventKind) -> bool {
        match &self.on {
            On::All => true,
            On::Kinds(kinds) => kinds.contains(&kind),
        }
    }

    /// How warnings name the hook: its `name`, or the base name of the
    /// first word of `run` (`/usr/local/bin/post-to-chat --x` → `post-to-chat`).
    pub fn label(&self) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        let program = self.run.split_whitespace().next().unwrap_or_default();
        let base = program.rsplit('/').next().unwrap_or(program);
        base.trim_matches(|c| c == '"' || c == '\'').to_string()
    }
}

/// The hooks to run for one event, in configuration order.
pub fn matching(hooks: &[Hook], kind: EventKind) -> impl Iterator<Item = &Hook> {
    hooks.iter().filter(move |h| h.matches(kind))
}

/// The document a hook reads on stdin.
#[derive(Serialize)]
pub struct Payload<'a> {
    pub event: EventView<'a>,
    pub incident: IncidentView<'a>,
    /// `incident checkpoint` after this command: kept by the receiver, an
    /// outside copy that `verify --checkpoint` checks the database against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<String>,
}

impl<'a> Payload<'a> {
    pub fn new(
        key: String,
        event: &'a Event,
        incident: &'a Incident,
        assessment: Option<&Assessment>,
    ) -> Self {
        Payload {
            event: EventView::new(event),
            incident: IncidentView::new(key, incident).with_assessment(assessment),
            checkpoint: None,
        }
    }
}

/// What the environment of one hook run adds to ours.
pub fn environment(key: &str, event: &Event, context: &[(&'static str, String)]) -> Vec<(String, String)> {
    let mut env = vec![
        ("INCIDENT_KEY".to_string(), key.to_string()),
        ("INCIDENT_EVENT".to_string(), event.kind().as_str().to_string()),
        ("INCIDENT_EVENT_ID".to_string(), event.id.to_string()),
        ("INCIDENT_NO_HOOKS".to_string(), "1".to_string()),
    ];
    env.extend(context.iter().map(|(k, v)| (k.to_string(), v.clone())));
    env
}

/// Runs the hooks matching each event a command just committed: events in
/// the order they were appended, hooks in configuration order, one at a time.
/// Problems are warnings: the record stands and the command's exit code is
/// its own.
///
/// Ctrl-C (or SIGTERM, SIGHUP) while a hook runs kills that hook's group
/// too, runs no more hooks, and ends the command with 128+N; what was
/// committed stays committed.
///
/// `prefix` (of incident keys) and `config_file` come from the configuration;
/// `INCIDENT_CONFIG` names the file, when one was read.
pub fn after_commit(
    prefix: &str,
    config_file: Option<&Path>,
    store: &Store,
    hooks: &[Hook],
    actor: &str,
    events: &[Event],
) -> anyhow::Result<()> {
    // What a hook needs to run `incident` on the same database: the
    // absolute path, or the URL (without a password, which the hook's
    // PGPASSWORD or ~/.pgpass supplies).
    let db = store.location().shared();
    let mut context = vec![("INCIDENT_DB", db), ("INCIDENT_USER", actor.to_string())];
    if let Some(source) = config_file {
        let source = std::path::absolute(source).unwrap_or_else(|_| source.to_path_buf());
        context.push(("INCIDENT_CONFIG", source.display().to_string()));
    }
    let signals: &[Signal] = match LEAVE_SIGNALS.load(Ordering::SeqCst) {
        true => &[],
        false => &[Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP],
    };
    let catch = match Catch::new(signals) {
        Ok(catch) => catch,
        Err(e) => {
            warn(format!(
                "hooks did not run: cannot watch for signals: {e}; the events are recorded"
            ));
            return Ok(());
        }
    };
    // One checkpoint for the command, read once, only when a hook runs.
    let mut checkpoint: Option<Option<String>> = None;
    // The incident as the whole command left it, read once per incident.
    let mut incidents: BTreeMap<i64, (Incident, Option<Assessment>)> = BTreeMap::new();
    for event in events {
        let mut todo = matching(hooks, event.kind()).peekable();
        if todo.peek().is_none() {
            continue;
        }
        let key = key::format(prefix, event.incident_id);
        let incident = match incidents.entry(event.incident_id) {
            Entry::Occupied(found) => found.into_mut(),
            Entry::Vacant(slot) => match store
                .incident(event.incident_id)
                .and_then(|i| Ok(i.zip(Some(store.assessment(event.incident_id)?))))
            {
                Ok(Some(found)) => slot.insert(found),
                Ok(None) => continue,
                Err(e) => {
                    warn(format!(
                        "hooks for {} on {key} did not run: cannot read the incident: {e:#}; the event is recorded",
                        event.kind()
                    ));
                    continue;
                }
            },
        };
        let line = checkpoint
            .get_or_insert_with(|| store.checkpoint(None).ok().map(|c| c.line()))
            .clone();
        let mut payload = Payload::new(key.clone(), event, &incident.0, incident.1.as_ref());
        payload.checkpoint = line;
        let mut input = match serde_json::to_vec(&payload) {
            Ok(bytes) => bytes,
            Err(e) => {
                warn(format!("hooks for {} on {key} did not run: {e}", event.kind()));
                continue;
            }
        };
        input.push(b'\n');
        let env = environment(&key, event, &context);
        for hook in todo {
            let outcome = run(hook, &input, &env, &catch);
            if let Some(message) = warning(hook, &key, event.kind(), &outcome) {
                warn(message);
            }
            if let Outcome::Interrupted(signal) = outcome {
                drop(catch);
                let code = crate::signals::exit_code(signal);
                return Err(crate::error::Failure::Silent(code).into());
            }
        }
    }
    Ok(())
}

/// As `Ctx::warn`: one line on stderr.
fn warn(message: impl AsRef<str>) {
    crate::text::to_stderr(&format!("warning: {}", message.as_ref()));
}

/// How one hook run ended.
#[derive(Debug)]
pub enum Outcome {
    Succeeded,
    Failed(ExitStatus),
    TimedOut(Duration),
    CouldNotStart(io::Error),
    /// We were interrupted (this signal) while it ran; it was killed.
    Interrupted(i32),
}

/// The warning for an outcome (`None` when the hook succeeded). One line,
/// naming the hook and what happened.
pub fn warning(hook: &Hook, key: &str, kind: EventKind, outcome: &Outcome) -> Option<String> {
    let what = match outcome {
        Outcome::Succeeded => return None,
        Outcome::Failed(status) => match (status.code(), status.signal()) {
            (Some(code), _) => format!("exited with status {code}"),
            (None, Some(signal)) => format!("was killed by {}", crate::signals::name(signal)),
            (None, None) => format!("failed ({status})"),
        },
        Outcome::TimedOut(limit) => format!("ran past its {} timeout and was killed", humantime(*limit)),
        Outcome::CouldNotStart(e) => format!("could not start: {e}"),
        Outcome::Interrupted(signal) => {
            return Some(format!(
                "interrupted by {}: hook '{}' was killed and no more hooks run; the {kind} event on {key} is recorded",
                crate::signals::name(*signal),
                crate::text::one_line(&hook.label())
            ));
        }
    };
    Some(format!(
        "hook '{}' for {kind} on {key} {what}; the {kind} event is recorded regardless",
        crate::text::one_line(&hook.label())
    ))
}

/// Runs one hook: `input` on its stdin, `env` added to the environment,
/// bounded by its timeout, and ended early by a signal `catch` catches.
/// Never panics, never blocks past the timeout (plus the moment it takes
/// to kill).
pub fn run(hook: &Hook, input: &[u8], env: &[(String, String)], catch: &Catch) -> Outcome {
    // Its output reaches our stderr through a pipe we copy from, never our
    // stderr itself: a background child it leaves behind then holds only
    // the pipe, never the caller's output, and is ended at the timeout.
    let (reader, writer) = match io::pipe() {
        Ok(pair) => pair,
        Err(e) => return Outcome::CouldNotStart(e),
    };
    let second = match writer.try_clone() {
        Ok(w) => w,
        Err(e) => return Outcome::CouldNotStart(e),
    };
    let mut command = Command::new(SHELL);
    command
        .arg("-c")
        .arg(&hook.run)
        .arg("incident-hook")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::from(writer))
        .stderr(Stdio::from(second));
    let started = Instant::now();
    // Its own process group: a timeout kills the hook and its children.
    let spawned = Group::spawn(&mut command);
    // Our copies of the write end go, so the pipe ends when the hook's do.
    drop(command);
    let mut group = match spawned {
        Ok(group) => group,
        Err(e) => return Outcome::CouldNotStart(e),
    };
    let (closed_tx, closed) = std::sync::mpsc::channel::<()>();
    let _ = std::thread::Builder::new()
        .name("hook-output".into())
        .spawn(move || {
            let mut reader = reader;
            let mut buffer = [0u8; 8192];
            loop {
                match reader.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(n) => {
                        let _ = io::stderr().write_all(&buffer[..n]);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            let _ = closed_tx.send(());
        });
    // A hook need not read its stdin, and one that does not must not block
    // us on a full pipe: write from a thread that is left behind if need be.
    if let Some(mut stdin) = group.stdin() {
        let input = input.to_vec();
        let _ = std::thread::Builder::new()
            .name("hook-stdin".into())
            .spawn(move || {
                // A hook that exits without reading closes the pipe: fine.
                let _ = stdin.write_all(&input);
            });
    }
    let ended = match group.wait(catch, started.checked_add(hook.timeout)) {
        Ok(Waited::Exited(status)) if status.success() => Outcome::Succeeded,
        Ok(Waited::Exited(status)) => Outcome::Failed(status),
        // The group was killed and the hook reaped.
        Ok(Waited::Caught(caught)) => return Outcome::Interrupted(caught.signal as i32),
        Ok(Waited::TimedOut) => {
            let _ = closed.recv_timeout(Duration::from_millis(200));
            return Outcome::TimedOut(hook.timeout);
        }
        Err(e) => return Outcome::CouldNotStart(e),
    };
    // The hook is done; what it left running may finish its work within the
    // timeout (its output still copied), and is ended then.
    let left = hook.timeout.saturating_sub(started.elapsed());
    if closed.recv_timeout(left).is_err() {
        group.kill();
        let _ = closed.recv_timeout(Duration::from_millis(200));
    }
    ended
}

/// Set by a long-running server (`serve`) whose own signal handling must
/// see SIGTERM: hooks then catch no SIGINT, SIGTERM or SIGHUP (a stop waits
/// for a running hook's timeout instead of interrupting it).
static LEAVE_SIGNALS: AtomicBool = AtomicBool::new(false);

/// Hooks from now on leave SIGINT, SIGTERM and SIGHUP to the process.
pub fn leave_signals_alone() {
    LEAVE_SIGNALS.store(true, Ordering::SeqCst);
}

/// A short span for messages: `10s`, `1.5s`, `250ms`, `2m`, `1m30s`.
pub fn humantime(span: Duration) -> String {
    let ms = span.as_millis();
    if ms < 1_000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        if ms.is_multiple_of(1_000) {
            format!("{}s", ms / 1_000)
        } else {
            format!("{:.1}s", span.as_secs_f64())
        }
    } else {
        let secs = span.as_secs();
        match secs % 60 {
            0 => format!("{}m", secs / 60),
            s => format!("{}m{s:02}s", secs / 60),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn hook(on: On, run: &str) -> Hook {
        Hook {
            name: None,
            on,
            run: run.into(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    fn t0() -> DateTime<Utc> {
        "2026-11-23T08:00:00Z".parse().unwrap()
    }

    fn event(kind: EventKind) -> Event {
        let details = serde_json::json!({"from": "mitigated", "to": "resolved"});
        Event {
            id: 42,
            incident_id: 7,
            at: t0(),
            recorded_at: t0(),
            author: "alice".into(),
            text: "Resolved: rolled back".into(),
            data: crate::domain::EventData::from_parts(kind.as_str(), details).unwrap(),
        }
    }

    fn incident() -> Incident {
        Incident {
            id: 7,
            status: crate::domain::Status::Resolved,
            severity: "SEV2".into(),
            services: vec!["checkout".into()],
            declared_at: t0(),
            resolved_at: Some(t0()),
            resolution: Some("rolled back".into()),
            roles: vec![crate::domain::RoleHolder {
                role: "commander".into(),
                person: "carol".into(),
            }],
            ..Incident::example()
        }
    }

    #[test]
    fn hooks_match_their_kinds_or_everything_in_configuration_order() {
        let hooks = [
            hook(On::Kinds(vec![EventKind::Declared, EventKind::Resolved]), "chat"),
            hook(On::Kinds(vec![EventKind::StatusUpdate]), "statuspage"),
            hook(On::All, "audit"),
        ];
        let runs = |kind| matching(&hooks, kind).map(|h| h.run.as_str()).collect::<Vec<_>>();
        assert_eq!(runs(EventKind::Resolved), ["chat", "audit"]);
        assert_eq!(runs(EventKind::StatusUpdate), ["statuspage", "audit"]);
        assert_eq!(runs(EventKind::Note), ["audit"]);
        assert!(matching(&hooks[..2], EventKind::Note).next().is_none());
    }

    #[test]
    fn labels_never_show_the_arguments() {
        let mut h = hook(On::All, "/usr/local/bin/post-to-chat --token s3cret");
        assert_eq!(h.label(), "post-to-chat");
        h.run = "curl -H 'Authorization: Bearer s3cret' https://x".into();
        assert_eq!(h.label(), "curl");
        h.name = Some("chat".into());
        assert_eq!(h.label(), "chat");
    }

    #[test]
    fn the_stdin_document_holds_the_event_and_the_incident_without_timeline() {
        let (e, i) = (event(EventKind::Resolved), incident());
        let doc = serde_json::to_value(Payload::new("INC-7".into(), &e, &i, None)).unwrap();
        assert_eq!(doc["event"]["id"], 42);
        assert_eq!(doc["event"]["kind"], "resolved");
        assert_eq!(doc["event"]["at"], "2026-11-23T08:00:00Z");
        assert_eq!(doc["event"]["details"]["to"], "resolved");
        assert_eq!(doc["incident"]["key"], "INC-7");
        assert_eq!(doc["incident"]["status"], "resolved");
        assert_eq!(doc["incident"]["commander"], "carol");
        assert!(doc["incident"].get("timeline").is_none());
    }

    #[test]
    fn the_environment_names_the_incident_and_event_and_stops_recursion() {
        let e = event(EventKind::Resolved);
        let env = environment("INC-7", &e, &[("INCIDENT_USER", "alice".into())]);
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("INCIDENT_KEY"), Some("INC-7"));
        assert_eq!(get("INCIDENT_EVENT"), Some("resolved"));
        assert_eq!(get("INCIDENT_EVENT_ID"), Some("42"));
        assert_eq!(get("INCIDENT_NO_HOOKS"), Some("1"));
        assert_eq!(get("INCIDENT_USER"), Some("alice"));
    }

    #[test]
    fn warnings_name_the_hook_and_what_happened() {
        let mut h = hook(On::All, "/opt/hooks/page --key abc");
        h.timeout = Duration::from_secs(10);
        let warn = |o| warning(&h, "INC-7", EventKind::Declared, &o);
        assert_eq!(warn(Outcome::Succeeded), None);
        assert_eq!(
            warn(Outcome::Failed(ExitStatus::from_raw(3 << 8))).unwrap(),
            "hook 'page' for declared on INC-7 exited with status 3; the declared event is recorded regardless"
        );
        assert!(
            warn(Outcome::Failed(ExitStatus::from_raw(libc::SIGSEGV)))
                .unwrap()
                .contains("was killed by SIGSEGV")
        );
        assert!(
            warn(Outcome::TimedOut(Duration::from_secs(10)))
                .unwrap()
                .contains("ran past its 10s timeout and was killed")
        );
        let missing = io::Error::from(io::ErrorKind::NotFound);
        assert!(
            warn(Outcome::CouldNotStart(missing))
                .unwrap()
                .contains("could not start")
        );
    }

    #[test]
    fn spans_read_naturally() {
        assert_eq!(humantime(Duration::from_millis(250)), "250ms");
        assert_eq!(humantime(Duration::from_millis(2_300)), "2.3s");
        assert_eq!(humantime(Duration::from_secs(10)), "10s");
        assert_eq!(humantime(Duration::from_secs(120)), "2m");
        assert_eq!(humantime(Duration::from_secs(95)), "1m35s");
    }

    #[test]
    fn a_hook_that_outlives_its_timeout_is_killed_promptly() {
        let mut h = hook(On::All, "sleep 5");
        h.timeout = Duration::from_millis(200);
        let env = [("PATH".to_string(), "/usr/bin:/bin".to_string())];
        let started = Instant::now();
        let outcome = run(&h, b"{}", &env, &Catch::new(&[]).unwrap());
        assert!(matches!(outcome, Outcome::TimedOut(_)), "{outcome:?}");
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn a_hook_that_ignores_a_large_stdin_does_not_block() {
        let h = hook(On::All, "exit 0");
        let big = vec![b'x'; 1 << 20];
        let catch = Catch::new(&[]).unwrap();
        assert!(matches!(run(&h, &big, &[], &catch), Outcome::Succeeded));
        let h = hook(On::All, "exit 4");
        assert!(matches!(run(&h, b"", &[], &catch), Outcome::Failed(s) if s.code() == Some(4)));
    }
}
