//! `incident exec`: run a remediation command and record it as an action.

use crate::support::{Env, kinds, last_event};
use serde_json::{Value, json};
use std::process::Output;

const PATH: &str = "/usr/bin:/bin";

fn run(env: &Env, args: &[&str]) -> Output {
    env.cmd().env("PATH", PATH).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn a_successful_command_streams_its_output_and_is_recorded() {
    let env = Env::new();
    env.declare("API down", &[]);
    let out = run(
        &env,
        &[
            "exec",
            "INC-1",
            "--",
            "sh",
            "-c",
            "echo restarted; echo 'a warning' >&2",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "restarted\n");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("a warning"), "{stderr}");
    assert!(stderr.contains("INC-1: recorded action: Ran `sh -c"), "{stderr}");

    let incident = env.show("INC-1");
    assert_eq!(kinds(&incident), ["declared", "action", "action"]);
    // The start, recorded before the command ran, and the end naming it.
    let start = &incident["timeline"][1];
    assert_eq!(start["details"]["started"], true, "{start}");
    assert!(
        start["text"].as_str().unwrap().starts_with("Started `sh -c"),
        "{start}"
    );
    let event = last_event(&incident);
    assert_eq!(event["details"]["start"], start["id"]);
    assert_eq!(event["author"], "alice");
    let message = event["text"].as_str().unwrap();
    assert!(
        message.starts_with("Ran `sh -c 'echo restarted; echo '\\''a warning'\\'' >&2'` → exit 0 in "),
        "{message}"
    );
    let details = &event["details"];
    assert_eq!(
        details["command"],
        json!(["sh", "-c", "echo restarted; echo 'a warning' >&2"])
    );
    assert_eq!(details["exit_status"], 0);
    assert_eq!(details["signal"], Value::Null);
    assert!(details["duration_ms"].is_u64(), "{details}");
}

#[test]
fn a_failing_command_sets_our_exit_status_and_is_recorded() {
    let env = Env::new();
    env.declare("API down", &[]);
    let out = run(&env, &["exec", "1", "--", "sh", "-c", "exit 3"]);
    assert_eq!(out.status.code(), Some(3));
    let event = last_event(&env.show("INC-1")).clone();
    assert_eq!(event["details"]["exit_status"], 3);
    assert!(event["text"].as_str().unwrap().contains("→ exit 3 in"), "{event}");

    // Ended by a signal: 128 + N, as shells report it.
    let out = run(&env, &["exec", "1", "--", "sh", "-c", "kill -TERM $$"]);
    assert_eq!(out.status.code(), Some(143));
    let event = last_event(&env.show("INC-1")).clone();
    assert_eq!(event["details"]["signal"], 15);
    assert_eq!(event["details"]["exit_status"], Value::Null);
    assert!(
        event["text"]
            .as_str()
            .unwrap()
            .contains("→ killed by SIGTERM after"),
        "{event}"
    );
}

#[test]
fn a_command_that_does_not_exist_exits_127_and_the_attempt_is_recorded() {
    let env = Env::new();
    env.declare("API down", &[]);
    let out = run(&env, &["exec", "INC-1", "--", "no-such-remedy", "--now"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(127), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(
        stderr.contains("error: cannot run 'no-such-remedy': not found; check the name and PATH"),
        "{stderr}"
    );
    let event = last_event(&env.show("INC-1")).clone();
    assert_eq!(event["kind"], "action");
    assert_eq!(event["text"], "Could not run `no-such-remedy --now`: not found");
    assert_eq!(event["details"]["error"], "not found");
    assert_eq!(event["details"]["command"], json!(["no-such-remedy", "--now"]));
}

#[test]
fn nothing_runs_for_an_unknown_incident_or_a_bad_key() {
    let env = Env::new();
    let marker = env.dir.path().join("ran");
    let touch = ["touch", marker.to_str().unwrap()];
    env.declare("API down", &[]);

    let mut args = vec!["exec", "INC-9", "--"];
    args.extend(touch);
    let stderr = env.fails(1, &args);
    assert!(stderr.contains("no incident INC-9"), "{stderr}");

    let mut args = vec!["exec", "not-a-key", "--"];
    args.extend(touch);
    env.fails(2, &args);
    assert!(!marker.exists(), "the command must not run");
    assert_eq!(kinds(&env.show("INC-1")), ["declared"]);

    // Without '--' or without a command: a usage error.
    let out = run(&env, &["exec", "INC-1"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn with_json_stdout_is_only_the_incident() {
    let env = Env::new();
    env.declare("API down", &[]);
    let out = run(&env, &["--json", "exec", "INC-1", "--", "echo", "noise"]);
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(last_event(&doc)["details"]["command"], json!(["echo", "noise"]));
    assert!(text(&out.stderr).contains("noise"));
}

/// Ctrl-C on a terminal signals the whole foreground group: the command
/// stops, and we live to record it.
#[test]
fn ctrl_c_stops_the_command_and_the_result_is_still_recorded() {
    use std::os::unix::process::CommandExt;
    let env = Env::new();
    env.declare("API down", &[]);
    let ready = env.dir.path().join("ready");
    let script = format!("touch '{}'; sleep 30", ready.display());
    let mut command = crate::hooks::std_command(&env);
    command
        .args(["exec", "INC-1", "--", "sh", "-c", &script])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0);
    let mut child = command.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !ready.exists() {
        assert!(std::time::Instant::now() < deadline, "the command never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let pgid = child.id() as i32;
    // SAFETY: kill(2) on the process group this test started.
    unsafe {
        libc::kill(-pgid, libc::SIGINT);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{status:?}");
    let event = last_event(&env.show("INC-1")).clone();
    assert_eq!(event["details"]["signal"], 2, "{event}");
    assert!(
        event["text"].as_str().unwrap().contains("killed by SIGINT"),
        "{event}"
    );
}

/// Starts `incident exec` in its own process group running a command that
/// signals it is running, then sleeps; returns the child once it runs.
fn started(env: &Env, tail: &str) -> (std::process::Child, std::path::PathBuf) {
    use std::os::unix::process::CommandExt;
    let ready = env.dir.path().join("ready");
    let _ = std::fs::remove_file(&ready);
    let done = env.dir.path().join("done");
    let script = format!("touch '{}'; {tail}; touch '{}'", ready.display(), done.display());
    let mut command = crate::hooks::std_command(env);
    command
        .args(["exec", "INC-1", "--", "sh", "-c", &script])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0);
    // As from a terminal: a test run under `nohup` (or as a background job)
    // would hand `incident` SIGHUP ignored, which it rightly keeps ignored
    // for itself and the command, and the hangup under test would do nothing.
    // SAFETY: signal(2) in the child between fork and exec, async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            libc::signal(libc::SIGHUP, libc::SIG_DFL);
            libc::signal(libc::SIGTERM, libc::SIG_DFL);
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    let child = command.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !ready.exists() {
        assert!(std::time::Instant::now() < deadline, "the command never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    (child, done)
}

/// `kill -TERM` or a hangup sent to `incident` alone (as `timeout` and a
/// closing terminal's shell do) is passed to the command, which stops, and
/// its end is recorded after the start.
#[test]
fn sigterm_and_sighup_reach_the_command_and_its_end_is_recorded() {
    for (signal, name) in [(libc::SIGTERM, "SIGTERM"), (libc::SIGHUP, "SIGHUP")] {
        let env = Env::new();
        env.declare("API down", &[]);
        let (mut child, done) = started(&env, "sleep 3");
        // SAFETY: kill(2) on the process this test started, alone.
        unsafe {
            libc::kill(child.id() as i32, signal);
        }
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(128 + signal), "{name}: {status:?}");
        let incident = env.show("INC-1");
        assert_eq!(kinds(&incident), ["declared", "action", "action"], "{name}");
        let end = last_event(&incident);
        assert_eq!(end["details"]["signal"], signal, "{name}: {end}");
        assert_eq!(end["details"]["start"], incident["timeline"][1]["id"]);
        assert!(end["text"].as_str().unwrap().contains(name), "{end}");
        std::thread::sleep(std::time::Duration::from_millis(3500));
        assert!(!done.exists(), "{name}: the command ran to its end");
    }
}

/// SIGKILL cannot be caught: the start stays on record, and `show` marks it.
#[test]
fn after_sigkill_the_start_stays_marked_as_never_finished() {
    let env = Env::new();
    env.declare("API down", &[]);
    let (mut child, _) = started(&env, "sleep 30");
    // SAFETY: kill(2) on the process group this test started.
    unsafe {
        libc::kill(-(child.id() as i32), libc::SIGKILL);
    }
    child.wait().unwrap();
    let incident = env.show("INC-1");
    assert_eq!(kinds(&incident), ["declared", "action"]);
    assert_eq!(last_event(&incident)["details"]["started"], true);
    let shown = env.ok(&["show", "1"]);
    assert!(shown.contains("no end recorded"), "{shown}");
    let postmortem = env.ok(&["retro", "1", "--export", "md"]);
    assert!(postmortem.contains("Started \\`sh -c"), "{postmortem}");
    assert!(postmortem.contains("_(no end recorded)_"), "{postmortem}");
    assert!(env.talk(&["verify"]).contains("every timeline is intact"));
}

/// SIGTERM while the start's hooks run: the start is on record, the command
/// is not run, and an end says why.
#[test]
fn a_signal_while_the_starts_hooks_run_stops_the_command_and_is_recorded() {
    use std::os::unix::process::CommandExt;
    let mut env = Env::new();
    let hooking = env.dir.path().join("hooking");
    let ran = env.dir.path().join("ran");
    env.with_config(&format!(
        "[[hooks]]\nname = \"slow\"\non = [\"action\"]\nrun = \"touch '{}'; sleep 5\"\ntimeout = \"2s\"\n",
        hooking.display()
    ));
    env.declare("API down", &["--no-hooks"]);
    let mut command = crate::hooks::std_command(&env);
    command
        .args(["exec", "INC-1", "--", "touch", ran.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0);
    let mut child = command.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !hooking.exists() {
        assert!(std::time::Instant::now() < deadline, "the hook never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: kill(2) on the process this test started, alone.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(143), "{status:?}");
    assert!(!ran.exists(), "the command ran");
    let incident = env.show("INC-1");
    assert_eq!(kinds(&incident), ["declared", "action", "action"]);
    let end = last_event(&incident);
    assert_eq!(end["details"]["start"], incident["timeline"][1]["id"]);
    assert!(end["text"].as_str().unwrap().starts_with("Did not run"), "{end}");
}

/// Starts `incident exec INC-1 -- sh -c SCRIPT` in its own process group;
/// returns it once `ready` exists (the script makes it when it is set up).
fn running(env: &Env, script: &str, ready: &std::path::Path) -> std::process::Child {
    use std::os::unix::process::CommandExt;
    let mut command = crate::hooks::std_command(env);
    command
        .args(["exec", "INC-1", "--", "sh", "-c", script])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0);
    let child = command.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !ready.exists() {
        assert!(std::time::Instant::now() < deadline, "the command never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child
}

/// SIGTERM or SIGQUIT sent to `incident exec` alone reaches the command
/// once; a command that handles it and exits on its own terms is recorded
/// as it exited, and we exit with its status.
#[test]
fn a_relayed_signal_the_command_handles_is_recorded_as_its_exit() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    for (signal, name) in [(Signal::SIGTERM, "TERM"), (Signal::SIGQUIT, "QUIT")] {
        let env = Env::new();
        env.declare("API down", &[]);
        let ready = env.dir.path().join("ready");
        let log = env.dir.path().join("caught");
        let script = format!(
            "trap \"echo {name} >> '{}'; kill \\$!; exit 7\" {name}; sleep 30 & touch '{}'; wait",
            log.display(),
            ready.display()
        );
        let mut child = running(&env, &script, &ready);
        kill(Pid::from_raw(child.id() as i32), signal).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(7), "{name}: {status:?}");
        assert_eq!(std::fs::read_to_string(&log).unwrap(), format!("{name}\n"));
        let incident = env.show("INC-1");
        assert_eq!(kinds(&incident), ["declared", "action", "action"], "{name}");
        let end = last_event(&incident);
        assert_eq!(end["details"]["exit_status"], 7, "{name}: {end}");
        assert_eq!(end["details"]["signal"], Value::Null, "{name}: {end}");
        assert_eq!(end["details"]["start"], incident["timeline"][1]["id"]);
        assert!(end["text"].as_str().unwrap().contains("→ exit 7"), "{end}");
    }
}

/// Ctrl-C on a real terminal signals the whole foreground process group
/// itself, so we never pass it on: a command that left our group (and so
/// the terminal's reach) gets no SIGINT from us, and we, caught, live on
/// to record its end.
#[test]
fn the_terminals_ctrl_c_is_not_passed_on() {
    use rexpect::process::WaitStatus;
    let env = Env::new();
    env.declare("API down", &[]);
    let ready = env.dir.path().join("ready");
    // Leaves our process group, then counts each SIGINT delivered to it for
    // two seconds after `ready` exists, and exits 10 + the count. perl is
    // part of every Debian system (perl-base).
    let script = r#"use POSIX (); POSIX::setpgid(0, 0) or die "setpgid: $!";
        $n = 0; $SIG{INT} = sub { $n++ };
        open(my $f, ">", $ARGV[0]) or die "$ARGV[0]: $!"; close($f);
        for (1 .. 20) { select(undef, undef, undef, 0.1) } exit(10 + $n)"#;
    let mut command = crate::hooks::std_command(&env);
    command.args([
        "exec",
        "INC-1",
        "--",
        "perl",
        "-e",
        script,
        ready.to_str().unwrap(),
    ]);
    let mut p = rexpect::session::spawn_command(command, Some(20_000)).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !ready.exists() {
        assert!(std::time::Instant::now() < deadline, "the command never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
    let status = p.process().wait().unwrap();
    assert!(matches!(status, WaitStatus::Exited(_, 10)), "{status:?}");
    let end = last_event(&env.show("INC-1")).clone();
    assert_eq!(end["details"]["exit_status"], 10, "{end}");
}

/// `nohup incident exec …`: a hangup ignored by whoever started us stays
/// ignored, for us and for the command, while the signals we catch are the
/// command's to obey (back to their default in it).
#[test]
fn a_signal_ignored_by_whoever_started_us_stays_ignored_for_the_command() {
    use crate::hooks::in_mask;
    let env = Env::new();
    env.declare("API down", &[]);
    let out = crate::hooks::with_ignored(&env, "HUP")
        .args(["exec", "INC-1", "--", "cat", "/proc/self/status"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let status = text(&out.stdout);
    assert!(in_mask(&status, "SigIgn", libc::SIGHUP), "{status}");
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGQUIT] {
        assert!(!in_mask(&status, "SigIgn", signal), "{signal}: {status}");
        assert!(!in_mask(&status, "SigCgt", signal), "{signal}: {status}");
    }
}

/// The starts on `key`'s timeline with no end naming them.
fn starts_without_an_end(env: &Env, key: &str) -> (usize, Vec<Value>) {
    let incident = env.show(key);
    let events = incident["timeline"].as_array().unwrap();
    let actions = || events.iter().filter(|e| e["kind"] == "action");
    let starts: Vec<&Value> = actions().filter(|e| e["details"]["started"] == true).collect();
    let ended: Vec<&Value> = actions().map(|e| &e["details"]["start"]).collect();
    let open = starts
        .iter()
        .filter(|s| !ended.contains(&&s["id"]))
        .map(|s| (*s).clone())
        .collect();
    (starts.len(), open)
}

/// SIGHUP and SIGTERM sent at moments spread over a whole `exec` (the
/// start being recorded, the command starting and ending, the end being
/// recorded): every start that is recorded gets its end, once.
#[test]
fn a_signal_at_any_moment_after_the_start_leaves_no_start_without_an_end() {
    use std::time::{Duration, Instant};
    let env = Env::new();
    env.declare("API down", &[]);
    let exec = || {
        let mut command = crate::hooks::std_command(&env);
        command
            .args(["exec", "INC-1", "--", "true"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        command
    };
    // How long one takes here, unsignalled: the moments are spread over it.
    let started = Instant::now();
    for _ in 0..3 {
        assert!(exec().status().unwrap().success());
    }
    let whole = started.elapsed() / 3;
    let rounds: u32 = 120;
    let budget = Instant::now();
    for (signal, name) in [(libc::SIGHUP, "SIGHUP"), (libc::SIGTERM, "SIGTERM")] {
        let (before, _) = starts_without_an_end(&env, "INC-1");
        for i in 0..rounds {
            let mut child = exec().spawn().unwrap();
            // Spread over the run, from its beginning to just past its end.
            std::thread::sleep(whole * 5 * i / (4 * rounds));
            // SAFETY: kill(2) on the process this test started (not reaped yet).
            unsafe {
                libc::kill(child.id() as i32, signal);
            }
            child.wait().unwrap();
        }
        let (starts, open) = starts_without_an_end(&env, "INC-1");
        assert!(
            open.is_empty(),
            "{name}: {} starts with no end: {open:?}",
            open.len()
        );
        // Some moments came after the start (the rest, before it).
        assert!(starts > before, "{name}: every signal came before the start");
    }
    assert!(
        budget.elapsed() < Duration::from_secs(60),
        "{:?}",
        budget.elapsed()
    );
    assert!(env.talk(&["verify"]).contains("every timeline is intact"));
}

/// TERM, INT or HUP sent to `incident exec`'s whole process group (as
/// `kill -- -PGID` and a shell hanging up its jobs do) reaches the
/// command there once: we do not pass on a signal it got already. A shell
/// trap cannot count this (bash runs a trap once for the deliveries that
/// came before it ran it), so the command counts in a handler that runs at
/// each delivery (perl, with "unsafe" signals).
#[test]
fn a_signal_to_the_whole_process_group_reaches_the_command_once() {
    use std::os::unix::process::CommandExt;
    let env = Env::new();
    env.declare("API down", &[]);
    let ready = env.dir.path().join("ready");
    let count = env.dir.path().join("count");
    // Counts deliveries of one signal until 300ms after the first, then
    // writes the count and exits 0.
    let script = r#"use POSIX (); use Time::HiRes ();
        my ($name, $ready, $count) = @ARGV; my ($n, $first) = (0, 0);
        my $act = POSIX::SigAction->new(sub { $n++; $first ||= Time::HiRes::time() });
        $act->safe(0);
        POSIX::sigaction(POSIX->can("SIG$name")->(), $act) or die "sigaction: $!";
        open(my $f, ">", $ready) or die "$ready: $!"; close($f);
        my $end = Time::HiRes::time() + 10;
        while (Time::HiRes::time() < ($first ? $first + 0.3 : $end)) { select(undef, undef, undef, 0.01) }
        open($f, ">", $count) or die "$count: $!"; print $f "$n\n"; close($f); exit 0"#;
    let mut rounds = 0;
    use nix::sys::signal::{Signal, killpg};
    for (name, signal) in [
        ("TERM", Signal::SIGTERM),
        ("INT", Signal::SIGINT),
        ("HUP", Signal::SIGHUP),
    ] {
        for _ in 0..5 {
            let _ = std::fs::remove_file(&ready);
            let _ = std::fs::remove_file(&count);
            let mut command = crate::hooks::std_command(&env);
            command
                .args(["exec", "INC-1", "--", "perl", "-e", script, name])
                .args([&ready, &count])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .process_group(0);
            let mut child = command.spawn().unwrap();
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while !ready.exists() {
                assert!(std::time::Instant::now() < deadline, "the command never started");
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            killpg(nix::unistd::Pid::from_raw(child.id() as i32), signal).unwrap();
            let status = child.wait().unwrap();
            assert_eq!(status.code(), Some(0), "{name}: {status:?}");
            let counted = std::fs::read_to_string(&count).unwrap();
            assert_eq!(counted.trim(), "1", "{name}: delivered {} times", counted.trim());
            rounds += 1;
            let end = last_event(&env.show("INC-1")).clone();
            assert_eq!(end["details"]["exit_status"], 0, "{name}: {end}");
        }
    }
    let (starts, open) = starts_without_an_end(&env, "INC-1");
    assert_eq!((starts, open.len()), (rounds, 0));
}
