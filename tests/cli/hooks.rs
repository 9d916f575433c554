//! Hooks: configured commands run after the commit, with the event
//! and incident on stdin; failures and timeouts are warnings, never losses.

use crate::support::{Env, kinds, last_event};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

/// The test environment is cleared; hooks need a PATH for `cat`, `sleep`…
const PATH: &str = "/usr/bin:/bin";

fn run(env: &Env, args: &[&str]) -> Output {
    env.cmd().env("PATH", PATH).args(args).output().unwrap()
}

fn ok(env: &Env, args: &[&str]) -> (String, String) {
    let out = run(env, args);
    let (stdout, stderr) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    );
    assert!(
        out.status.success(),
        "incident {args:?}: {:?}\n{stderr}",
        out.status
    );
    (stdout, stderr)
}

/// A path inside the test's directory, quoted for a `run` line.
fn spot(env: &Env, name: &str) -> (PathBuf, String) {
    let path = env.dir.path().join(name);
    let quoted = format!("'{}'", path.display());
    (path, quoted)
}

/// The binary as a plain std `Command` in the same hermetic environment
/// (with PATH), for tests that signal it while it runs.
pub fn std_command(env: &Env) -> std::process::Command {
    let mut command = env.std_cmd();
    command.env("PATH", PATH);
    command
}

/// The binary as [`std_command`] gives it, started by a shell that ignores
/// `signals` first (as `nohup`, or a shell starting a background job, does):
/// it inherits them ignored.
pub fn with_ignored(env: &Env, signals: &str) -> std::process::Command {
    let incident = std_command(env);
    let mut command = std::process::Command::new("/bin/sh");
    command
        .env_clear()
        .envs(incident.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .arg("-c")
        .arg(format!("trap '' {signals}; exec \"$0\" \"$@\""))
        .arg(incident.get_program());
    command
}

/// Whether the `field` line (`SigIgn`, `SigCgt`) of a `/proc/PID/status`
/// text has `signal` in its mask.
pub fn in_mask(status: &str, field: &str, signal: i32) -> bool {
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in {status}"));
    let mask = u64::from_str_radix(line.trim(), 16).unwrap();
    mask & (1 << (signal - 1)) != 0
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn a_hook_reads_the_event_and_incident_on_stdin_and_its_environment() {
    let mut env = Env::new();
    let (out_dir, quoted) = spot(&env, "seen");
    std::fs::create_dir(&out_dir).unwrap();
    env.with_config(&format!(
        r#"
        [[hooks]]
        on = ["declared", "resolved"]
        run = "cat > {quoted}/$INCIDENT_EVENT.json && env > {quoted}/$INCIDENT_EVENT.env"
        [[hooks]]
        name = "secretive"
        on = ["note"]
        run = "curl -H 'Authorization: Bearer s3cret-token' https://chat.invalid"
        "#
    ));
    let (stdout, _) = ok(
        &env,
        &[
            "declare",
            "Checkout returns 500s",
            "--severity",
            "SEV2",
            "--service",
            "checkout",
        ],
    );
    assert_eq!(stdout, "INC-1\n");

    let doc = read_json(&out_dir.join("declared.json"));
    let stored = env.show("INC-1");
    assert_eq!(doc["event"]["kind"], "declared");
    assert_eq!(doc["event"]["id"], stored["timeline"][0]["id"]);
    assert_eq!(doc["event"]["author"], "alice");
    assert_eq!(doc["event"]["at"], "2026-11-23T08:00:00Z");
    assert_eq!(doc["event"]["details"]["severity"], "SEV2");
    assert_eq!(doc["incident"]["key"], "INC-1");
    assert_eq!(doc["incident"]["title"], "Checkout returns 500s");
    assert_eq!(doc["incident"]["status"], "investigating");
    assert_eq!(doc["incident"]["services"], serde_json::json!(["checkout"]));
    assert!(doc["incident"].get("timeline").is_none(), "{doc}");

    let environment = std::fs::read_to_string(out_dir.join("declared.env")).unwrap();
    let var = |name: &str| {
        environment
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .map(str::to_string)
    };
    assert_eq!(var("INCIDENT_KEY").as_deref(), Some("INC-1"));
    assert_eq!(var("INCIDENT_EVENT").as_deref(), Some("declared"));
    assert_eq!(
        var("INCIDENT_EVENT_ID"),
        Some(stored["timeline"][0]["id"].to_string())
    );
    assert_eq!(var("INCIDENT_DB"), Some(env.db.display().to_string()));
    assert_eq!(var("INCIDENT_USER").as_deref(), Some("alice"));
    assert_eq!(var("INCIDENT_NO_HOOKS").as_deref(), Some("1"));
    assert_eq!(var("PATH").as_deref(), Some(PATH), "our environment is inherited");
    assert!(
        !environment.contains("s3cret"),
        "no configuration in the environment"
    );

    // Filtered by `on`: nothing for the note or the status change; the
    // resolution runs it again, with the incident as the command left it.
    env.at("2026-11-23T09:00:00Z");
    ok(&env, &["update", "INC-1", "Rolled back", "--status", "mitigated"]);
    let files: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files.len(), 2, "only the declaration so far: {files:?}");
    ok(&env, &["resolve", "INC-1", "--summary", "Rolled back 4821"]);
    let doc = read_json(&out_dir.join("resolved.json"));
    assert_eq!(doc["event"]["kind"], "resolved");
    assert_eq!(doc["event"]["text"], "Resolved: Rolled back 4821");
    assert_eq!(doc["incident"]["status"], "resolved");
    assert_eq!(doc["incident"]["resolved_at"], "2026-11-23T09:00:00Z");
}

#[test]
fn a_failing_hook_is_a_warning_and_the_record_stands() {
    let mut env = Env::new();
    env.with_config(
        r#"
        [[hooks]]
        name = "chat"
        on = ["declared"]
        run = "echo 'webhook said 500' >&2; exit 7"
        [[hooks]]
        on = ["declared"]
        run = "/nonexistent/post-to-pager --token abc"
        "#,
    );
    let out = run(&env, &["declare", "Disk full"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "INC-1\n");
    assert!(
        stderr.contains("webhook said 500"),
        "the hook's stderr is shown: {stderr}"
    );
    assert!(
        stderr.contains(
            "warning: hook 'chat' for declared on INC-1 exited with status 7; the declared event is recorded regardless"
        ),
        "{stderr}"
    );
    // A program that is not there: the shell says so and exits 127.
    assert!(
        stderr.contains("warning: hook 'post-to-pager' for declared on INC-1 exited with status 127"),
        "{stderr}"
    );
    assert!(!stderr.contains("abc"), "arguments may be secrets: {stderr}");
    assert_eq!(kinds(&env.show("INC-1")), ["declared"]);
}

#[test]
fn a_hook_past_its_timeout_is_killed_with_its_children_and_the_command_returns() {
    let mut env = Env::new();
    let (pid_file, quoted) = spot(&env, "sleeper.pid");
    env.with_config(&format!(
        r#"
        [[hooks]]
        name = "slow"
        on = ["*"]
        run = "sleep 20 & echo $! > {quoted}; wait"
        timeout = "1s"
        "#
    ));
    env.declare("Slow hooks", &["--no-hooks"]);
    let started = Instant::now();
    let out = run(&env, &["update", "INC-1", "Still looking"]);
    let elapsed = started.elapsed();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(elapsed < Duration::from_secs(6), "took {elapsed:?}");
    assert!(
        stderr.contains("warning: hook 'slow' for note on INC-1 ran past its 1s timeout and was killed"),
        "{stderr}"
    );
    assert_eq!(last_event(&env.show("INC-1"))["text"], "Still looking");

    // The background sleep was in the hook's process group: it is gone.
    assert_child_gone(&pid_file);
}

/// The timeout's SIGKILL goes to the hook's whole process group: a
/// grandchild that ignores SIGTERM (and that the hook waits for) is ended
/// with it, at the timeout, not later.
#[test]
fn a_grandchild_that_ignores_sigterm_is_killed_with_the_group_at_the_timeout() {
    let mut env = Env::new();
    let (pid_file, quoted) = spot(&env, "stubborn.pid");
    env.with_config(&format!(
        r#"
        [[hooks]]
        name = "stubborn"
        on = ["note"]
        run = "(trap '' TERM HUP INT; exec sleep 30) & echo $! > {quoted}; trap '' TERM; wait"
        timeout = "1s"
        "#
    ));
    env.declare("Stubborn hooks", &[]);
    let started = Instant::now();
    let out = run(&env, &["update", "INC-1", "Still looking"]);
    let elapsed = started.elapsed();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: hook 'stubborn' for note on INC-1 ran past its 1s timeout and was killed"),
        "{stderr}"
    );
    assert!(elapsed >= Duration::from_secs(1), "killed early: {elapsed:?}");
    assert!(elapsed < Duration::from_secs(4), "killed late: {elapsed:?}");
    assert_child_gone(&pid_file);
}

/// A process started with SIGINT ignored (`nohup`, a background job) keeps
/// it ignored while its hooks run: not caught, so its hooks inherit it
/// ignored too, while SIGTERM is caught as always.
#[test]
fn hooks_leave_a_signal_ignored_by_whoever_started_us_ignored() {
    let mut env = Env::new();
    let (ours, quoted_ours) = spot(&env, "incident.status");
    let (hooks, quoted_hooks) = spot(&env, "hook.status");
    env.with_config(&format!(
        r#"
        [[hooks]]
        name = "look"
        on = ["note"]
        run = "cat /proc/$PPID/status > {quoted_ours}; cat /proc/self/status > {quoted_hooks}"
        "#
    ));
    env.declare("Ignoring", &["--no-hooks"]);
    let out = with_ignored(&env, "INT")
        .args(["update", "INC-1", "Still looking"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let ours = std::fs::read_to_string(ours).unwrap();
    let hooks = std::fs::read_to_string(hooks).unwrap();
    assert!(in_mask(&ours, "SigIgn", libc::SIGINT), "{ours}");
    assert!(!in_mask(&ours, "SigCgt", libc::SIGINT), "SIGINT caught: {ours}");
    assert!(
        in_mask(&ours, "SigCgt", libc::SIGTERM),
        "SIGTERM not caught: {ours}"
    );
    assert!(in_mask(&hooks, "SigIgn", libc::SIGINT), "{hooks}");
    assert!(!in_mask(&hooks, "SigIgn", libc::SIGTERM), "{hooks}");
}

/// A hook that leaves a background child cannot hold a caller's
/// `$(incident … 2>&1)` open past its timeout; the child's work within the
/// timeout is not cut short, and it is ended at the timeout.
#[test]
fn a_hooks_background_child_cannot_hold_the_callers_output_open() {
    let mut env = Env::new();
    let (pid_file, quoted) = spot(&env, "background.pid");
    env.with_config(&format!(
        r#"
        [[hooks]]
        name = "leaves-a-child"
        on = ["*"]
        run = "(echo from the child; sleep 30) & echo $! > {quoted}; echo from the hook"
        timeout = "1s"
        "#
    ));
    env.declare("Background", &["--no-hooks"]);
    let started = Instant::now();
    // Output to a pipe read to its end, as `$(…)` does.
    let out = run(&env, &["update", "INC-1", "Still looking"]);
    let elapsed = started.elapsed();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(elapsed < Duration::from_secs(5), "held for {elapsed:?}");
    assert!(stderr.contains("from the hook"), "{stderr}");
    assert!(stderr.contains("from the child"), "{stderr}");
    assert_child_gone(&pid_file);
}

/// The process whose id a hook wrote to `pid_file` no longer runs.
fn assert_child_gone(pid_file: &Path) {
    let pid: i32 = std::fs::read_to_string(pid_file).unwrap().trim().parse().unwrap();
    assert!(gone(pid), "the hook's child {pid} still runs");
}

/// The process no longer runs (a zombie waiting for its reaper counts as gone).
fn gone(pid: i32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"));
        let dead = match stat {
            Err(_) => true,
            Ok(text) => text
                .rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
        };
        if dead || Instant::now() > deadline {
            return dead;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn hook_output_never_reaches_our_stdout() {
    let mut env = Env::new();
    env.with_config(
        r#"
        [[hooks]]
        on = ["declared", "role_assigned"]
        run = "echo hook-says-hi; cat"
        "#,
    );
    let (stdout, stderr) = ok(&env, &["declare", "Quiet please", "--commander", "alice"]);
    assert_eq!(stdout, "INC-1\n");
    assert_eq!(stderr.matches("hook-says-hi").count(), 2, "{stderr}");
    assert!(stderr.contains(r#""kind":"role_assigned""#), "{stderr}");

    let (stdout, _) = ok(&env, &["--json", "update", "INC-1", "Still quiet"]);
    let _: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
}

#[test]
fn no_hooks_for_backfills() {
    let mut env = Env::new();
    let (marker, quoted) = spot(&env, "ran");
    env.with_config(&format!(
        r#"
        [[hooks]]
        on = ["*"]
        run = "echo x >> {quoted}"
        "#
    ));
    ok(&env, &["--no-hooks", "declare", "Backfilled"]);
    let out = env
        .cmd()
        .env("PATH", PATH)
        .env("INCIDENT_NO_HOOKS", "1")
        .args(["update", "1", "Old note"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!marker.exists(), "no hook ran");
    // INCIDENT_NO_HOOKS=0 means hooks run.
    let out = env
        .cmd()
        .env("PATH", PATH)
        .env("INCIDENT_NO_HOOKS", "0")
        .args(["update", "1", "New note"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "x\n");
}

#[test]
fn a_bad_hook_configuration_stops_the_command_before_it_writes() {
    let mut env = Env::new();
    env.with_config("[[hooks]]\non = [\"declared\", \"fixed\"]\nrun = \"true\"\n");
    let stderr = env.fails(2, &["declare", "Never stored"]);
    assert!(
        stderr.contains("line 2") && stderr.contains("unknown event kind 'fixed'"),
        "{stderr}"
    );
    assert!(!env.created(), "nothing was written");
}

/// The examples under examples/hooks/, run for real against a fake `curl`
/// that logs what it was given. They need python3; without it they are
/// skipped with a note.
struct FakeCurl {
    path: String,
    log: PathBuf,
}

fn fake_curl(env: &Env) -> Option<FakeCurl> {
    if !Path::new("/usr/bin/python3").exists() && !Path::new("/bin/python3").exists() {
        eprintln!("note: python3 not found; the hook examples are not exercised");
        return None;
    }
    let bin = env.dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let log = env.dir.path().join("curl");
    std::fs::create_dir(&log).unwrap();
    let script = format!(
        "#!/bin/sh\nn=$(ls '{log}' | wc -l)\nd='{log}'/$n\nmkdir \"$d\"\nprintf '%s\\n' \"$@\" > \"$d/args\"\ncat /dev/fd/3 > \"$d/config\"\ncat > \"$d/body\"\necho '{{\"id\": \"sp-42\"}}'\n",
        log = log.display()
    );
    let curl = bin.join("curl");
    std::fs::write(&curl, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&curl, std::fs::Permissions::from_mode(0o755)).unwrap();
    Some(FakeCurl {
        path: format!("{}:{PATH}", bin.display()),
        log,
    })
}

impl FakeCurl {
    /// What the n-th call (from 0) received: its arguments, its curl config, its body.
    fn call(&self, n: usize) -> (String, String, Value) {
        let dir = self.log.join(n.to_string());
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        (
            read("args"),
            read("config"),
            serde_json::from_str(&read("body")).unwrap(),
        )
    }

    fn calls(&self) -> usize {
        std::fs::read_dir(&self.log).unwrap().count()
    }
}

fn example(name: &str) -> String {
    format!("{}/examples/hooks/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_chat_example_posts_each_event_with_the_url_kept_off_the_command_line() {
    let mut env = Env::new();
    let Some(curl) = fake_curl(&env) else { return };
    env.with_config(&format!(
        "[[hooks]]\nname = \"chat\"\non = [\"declared\", \"resolved\"]\nrun = \"{}\"\n",
        example("post-to-chat.sh")
    ));
    let secret = "https://chat.invalid/hooks/T000/s3cret";
    let run = |args: &[&str]| {
        let out = env
            .cmd()
            .env("PATH", &curl.path)
            .env("CHAT_WEBHOOK_URL", secret)
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(out.status.success() && !stderr.contains("warning"), "{stderr}");
    };
    run(&[
        "declare",
        "Checkout returns 500s",
        "--severity",
        "SEV1",
        "--commander",
        "alice",
        "--channel",
        "https://chat.invalid/inc-1",
    ]);
    assert_eq!(
        curl.calls(),
        1,
        "one post for the declaration, none for role_assigned"
    );
    let (args, config, body) = curl.call(0);
    assert!(!args.contains("s3cret"), "{args}");
    assert_eq!(config.trim(), format!("url = \"{secret}\""));
    let text = body["text"].as_str().unwrap();
    assert_eq!(
        text,
        ":rotating_light: *INC-1* [SEV1] Checkout returns 500s (investigating)\n\
         alice: Declared SEV1 other: Checkout returns 500s\n\
         commander: alice\n\
         https://chat.invalid/inc-1"
    );
    run(&["resolve", "1", "--summary", "Rolled back"]);
    let (_, _, body) = curl.call(1);
    assert!(
        body["text"].as_str().unwrap().starts_with(
            ":white_check_mark: *INC-1* [SEV1] Checkout returns 500s (resolved)\nalice: Resolved: Rolled back"
        ),
        "{body}"
    );
}

#[test]
fn the_status_page_example_creates_then_updates_then_resolves() {
    let mut env = Env::new();
    let Some(curl) = fake_curl(&env) else { return };
    env.with_config(&format!(
        "[[hooks]]\non = [\"status_update\", \"resolved\"]\nrun = \"{}\"\n",
        example("status-page.sh")
    ));
    let state = env.dir.path().join("state");
    let run = |args: &[&str]| {
        let out = env
            .cmd()
            .env("PATH", &curl.path)
            .env("STATUS_PAGE_API", "https://api.invalid/v1/pages/p1")
            .env("STATUS_PAGE_TOKEN", "tok-s3cret")
            .env("STATUS_PAGE_STATE", &state)
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(out.status.success() && !stderr.contains("warning"), "{stderr}");
    };
    run(&["declare", "Checkout returns 500s"]);
    run(&["update", "1", "internal: looking at the db"]);
    assert_eq!(curl.calls(), 0, "nothing public yet");

    run(&[
        "update",
        "1",
        "Some customers cannot check out",
        "--external",
        "--status",
        "identified",
    ]);
    let (args, config, body) = curl.call(0);
    assert!(args.contains("POST") && !args.contains("s3cret"), "{args}");
    assert!(
        config.contains("url = \"https://api.invalid/v1/pages/p1/incidents.json\""),
        "{config}"
    );
    assert!(config.contains("Authorization: OAuth tok-s3cret"), "{config}");
    assert_eq!(
        body,
        serde_json::json!({"incident": {
            "name": "Checkout returns 500s",
            "status": "identified",
            "body": "Some customers cannot check out"
        }})
    );
    assert_eq!(
        std::fs::read_to_string(state.join("INC-1")).unwrap().trim(),
        "sp-42"
    );

    run(&["resolve", "1", "--summary", "Fixed a bad deploy"]);
    let (args, config, body) = curl.call(1);
    assert!(args.contains("PATCH"), "{args}");
    assert!(config.contains("/incidents/sp-42.json"), "{config}");
    assert_eq!(body["incident"]["status"], "resolved");
    assert_eq!(body["incident"]["body"], "Fixed a bad deploy");
}

/// Ctrl-C while a hook runs: the hook's group is killed with us, the record
/// stays, and we exit 128+2 without waiting for the timeout.
#[test]
fn an_interrupt_during_a_hook_kills_it_and_keeps_the_record() {
    use std::os::unix::process::CommandExt;
    let mut env = Env::new();
    let (pid_file, quoted_pid) = spot(&env, "sleeper.pid");
    let (ready, quoted_ready) = spot(&env, "ready");
    env.with_config(&format!(
        r#"
        [[hooks]]
        name = "stuck"
        on = ["note"]
        run = "sleep 20 & echo $! > {quoted_pid}; touch {quoted_ready}; wait"
        timeout = "60s"
        "#
    ));
    env.declare("Interrupted hooks", &[]);
    let mut command = std_command(&env);
    command
        .args(["update", "INC-1", "Still looking"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .process_group(0);
    let started = Instant::now();
    let child = command.spawn().unwrap();
    while !ready.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the hook never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: kill(2) on the process this test started.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        stderr.contains("warning: interrupted by SIGINT: hook 'stuck' was killed"),
        "{stderr}"
    );
    assert_eq!(last_event(&env.show("INC-1"))["text"], "Still looking");
    assert_child_gone(&pid_file);
}

#[test]
fn a_hook_sees_the_current_assessment_of_the_incident() {
    let mut env = Env::new();
    let (out, quoted) = spot(&env, "assessed.json");
    env.with_config(&format!(
        "[[hooks]]\non = [\"assessed\"]\nrun = \"cat > {quoted}\"\n"
    ));
    ok(&env, &["declare", "Card data exposed", "-s", "SEV2"]);
    ok(
        &env,
        &[
            "assess",
            "1",
            "--impact",
            "Card numbers in logs",
            "--sees",
            "Nothing yet",
            "--customers",
            "some",
            "--check",
            "C4",
            "--yes",
        ],
    );
    let doc = read_json(&out);
    assert_eq!(doc["event"]["kind"], "assessed");
    assert_eq!(doc["incident"]["severity"], "SEV1");
    assert_eq!(doc["incident"]["assessment"]["severity"], "SEV1");
    assert_eq!(doc["incident"]["assessment"]["checked"][0]["id"], "C4");
}

/// Every hook payload carries the checkpoint after the command, so a chat
/// channel or a git repository holds an outside copy that verifies.
#[test]
fn hook_payloads_carry_a_checkpoint_that_verifies() {
    let mut env = Env::new();
    let (payload, quoted) = spot(&env, "payload.json");
    env.with_config(&format!(
        r#"
        [[hooks]]
        name = "keep"
        on = ["*"]
        run = "cat > {quoted}"
        "#
    ));
    env.declare("Anchored", &[]);
    let doc = read_json(&payload);
    let line = doc["checkpoint"].as_str().unwrap().to_string();
    assert_eq!(line, env.ok(&["checkpoint"]).trim());
    env.ok(&["update", "1", "more", "--no-hooks"]);
    env.ok(&["verify", "--checkpoint", &line]);
}
