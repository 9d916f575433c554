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
