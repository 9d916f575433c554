//! The examples a new user copies from must keep working, whatever the date:
//! each runs on a fixed clock, and again years ahead, so an example that
//! names a calendar date stops the suite today rather than on that date.

use crate::support::*;
use crate::tools::{self, Tool};

/// Runs `examples/drill.sh` with the clock fixed at `now` and checks the
/// incident it leaves behind; `due` is the first action item's due date,
/// 14 days after `now` as the answers file asks.
fn drill_at(now: &str, due: &str) {
    let env = Env::new();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/drill.sh");
    let out = std::process::Command::new(tools::require(Tool::Bash))
        .arg(&script)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", env.home())
        .env("TZ", "UTC")
        .env("INCIDENT_NOW", now)
        .env("INCIDENT_BIN", assert_cmd::cargo::cargo_bin("incident"))
        .env("INCIDENT_DB", &env.db)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "at {now}:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("INC-1 [SEV1] closed: Checkout returns 500s"),
        "{stdout}"
    );
    assert!(stderr.contains("every timeline is intact"), "{stderr}");
    let mut env = env;
    env.at(now);
    let i = env.show("1");
    assert_eq!(i["status"], "closed");
    assert_eq!(i["assessment"]["severity"], "SEV2");
    assert_eq!(env.json(&["action", "list"]).as_array().unwrap().len(), 2);
    let shown = env.ok(&["show", "1"]);
    assert!(
        shown.contains("Retrospective: complete (incident retro INC-1 --export md)"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("A-1   open     due {due}  erin")),
        "{shown}"
    );
}

#[test]
fn the_drill_script_runs_an_incident_from_declaration_to_closed() {
    drill_at(T0, "2026-12-07");
}

#[test]
fn the_drill_script_still_runs_years_from_now() {
    drill_at("2036-02-20T23:30:00Z", "2036-03-05");
}

/// examples/ci-guard.yml's steps, run as a CI runner runs them: no $USER,
/// the job's environment (INCIDENT_USER from the CI's actor) and the
/// runner's variables. Without INCIDENT_USER the record step refuses,
/// saying what to set.
#[test]
fn the_ci_snippet_guards_and_records_the_deploy_without_a_user() {
    let env = Env::new();
    let yml = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci-guard.yml"),
    )
    .unwrap();
    assert!(yml.contains("INCIDENT_USER: ${{ github.actor }}"), "{yml}");
    let runs: Vec<&str> = yml
        .lines()
        .filter_map(|l| l.trim().strip_prefix("run: "))
        .filter(|l| l.starts_with("incident "))
        .collect();
    assert_eq!(runs.len(), 2, "{yml}");
    let bin = assert_cmd::cargo::cargo_bin("incident");
    let step = |line: &str, user: Option<&str>| {
        let mut cmd = std::process::Command::new("sh");
        cmd.env_clear()
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", bin.parent().unwrap().display()),
            )
            .env("HOME", env.home())
            .env("INCIDENT_DB", &env.db)
            .env("INCIDENT_NOW", &env.now)
            .env("GITHUB_SHA", "4821abc")
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_REPOSITORY", "shop/checkout")
            .env("GITHUB_RUN_ID", "77")
            .args(["-c", line]);
        if let Some(user) = user {
            cmd.env("INCIDENT_USER", user);
        }
        cmd.output().unwrap()
    };
    env.declare("Search is slow", &["--service", "search"]);
    let guard = step(runs[0], Some("ci-bot"));
    assert!(
        guard.status.success(),
        "{}",
        String::from_utf8_lossy(&guard.stderr)
    );
    let refused = step(runs[1], None);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("INCIDENT_USER"));
    let recorded = step(runs[1], Some("ci-bot"));
    assert!(
        recorded.status.success(),
        "{}",
        String::from_utf8_lossy(&recorded.stderr)
    );
    let changes = env.json(&["changes"]);
    assert_eq!(changes[0]["title"], "deploy 4821abc", "{changes}");
    assert_eq!(changes[0]["author"], "ci-bot", "{changes}");
}
