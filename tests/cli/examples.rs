//! The examples a new user copies from must keep working.

use crate::support::*;

#[test]
fn the_drill_script_runs_an_incident_from_declaration_to_closed() {
    let env = Env::new();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/drill.sh");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", env.home())
        .env("TZ", "UTC")
        .env("INCIDENT_BIN", assert_cmd::cargo::cargo_bin("incident"))
        .env("INCIDENT_DB", &env.db)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("INC-1 [SEV1] closed: Checkout returns 500s"),
        "{stdout}"
    );
    assert!(stderr.contains("every timeline is intact"), "{stderr}");
    let i = env.show("1");
    assert_eq!(i["status"], "closed");
    assert_eq!(i["assessment"]["severity"], "SEV2");
    assert_eq!(env.json(&["action", "list"]).as_array().unwrap().len(), 2);
    let shown = env.ok(&["show", "1"]);
    assert!(
        shown.contains("Retrospective: complete (incident retro INC-1 --export md)"),
        "{shown}"
    );
    assert!(shown.contains("A-1   open     due 2026-12-15  erin"), "{shown}");
}
