use crate::support::*;

#[test]
fn declare_prints_the_key_and_creates_a_private_database() {
    let env = Env::new();
    let out = env
        .cmd()
        .args([
            "declare",
            "Checkout returns 500s",
            "--severity",
            "SEV2",
            "--category",
            "availability",
            "--service",
            "checkout",
            "--commander",
            "alice",
            "--channel",
            "https://chat.example/inc-checkout",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "INC-1\n");
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("Declared INC-1 [SEV2] Checkout returns 500s")
    );
    assert!(env.created(), "database created");
    if !env.on_postgres() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&env.db), 0o600, "with its directory, owner-only");
        assert_eq!(mode(env.db.parent().unwrap()), 0o700);
    }
    assert_eq!(env.declare("Second", &[]), "INC-2");
}

#[test]
fn declare_records_every_field() {
    let env = Env::new();
    env.declare(
        "Checkout returns 500s",
        &[
            "-s",
            "sev2",
            "-c",
            "availability",
            "--service",
            "checkout,payments",
            "--service",
            "checkout",
            "--commander",
            "bob",
            "--summary",
            "5xx on /pay",
            "--detected-by",
            "customer",
            "--started-at",
            "15m ago",
            "--channel",
            "https://chat.example/a",
            "--channel",
            "https://meet.example/b",
        ],
    );
    let i = env.show("INC-1");
    assert_eq!(i["key"], "INC-1");
    assert_eq!(i["title"], "Checkout returns 500s");
    assert_eq!(i["status"], "investigating");
    assert_eq!(i["severity"], "SEV2", "severity names are canonicalised");
    assert_eq!(i["category"], "availability");
    assert_eq!(i["services"], serde_json::json!(["checkout", "payments"]));
    assert_eq!(
        i["channels"],
        serde_json::json!(["https://chat.example/a", "https://meet.example/b"])
    );
    assert_eq!(i["summary"], "5xx on /pay");
    assert_eq!(i["detected_by"], "customer");
    assert_eq!(i["started_at"], "2026-11-23T07:45:00Z");
    assert_eq!(i["declared_at"], T0);
    assert_eq!(i["resolved_at"], serde_json::Value::Null);
    assert_eq!(i["commander"], "bob");
    assert_eq!(
        i["roles"],
        serde_json::json!([{"role": "commander", "person": "bob"}])
    );
    assert_eq!(kinds(&i), ["declared", "role_assigned"]);
    let declared = &i["timeline"][0];
    assert_eq!(declared["author"], "alice");
    assert_eq!(declared["at"], T0);
    assert_eq!(declared["details"]["severity"], "SEV2");
}

#[test]
fn declare_defaults_to_the_least_severe_level_and_says_so() {
    let env = Env::new();
    let talk = env.talk(&["declare", "Search is slow"]);
    assert!(talk.contains("severity defaulted to SEV3"), "{talk}");
    assert!(talk.contains("no commander yet"), "{talk}");
    let i = env.show("1");
    assert_eq!(i["severity"], "SEV3");
    assert_eq!(i["category"], "other");
    assert_eq!(i["commander"], serde_json::Value::Null);
}

#[test]
fn declare_json_prints_the_incident() {
    let env = Env::new();
    let i = env.json(&["declare", "Queue backlog", "--severity", "SEV1"]);
    assert_eq!(i["key"], "INC-1");
    assert_eq!(i["severity"], "SEV1");
    assert_eq!(kinds(&i), ["declared"]);
}

#[test]
fn the_actor_comes_from_as_then_incident_user_then_user() {
    let env = Env::new();
    env.ok(&["--as", "zoe", "declare", "A"]);
    assert_eq!(env.show("1")["timeline"][0]["author"], "zoe");
    env.cmd()
        .env_remove("INCIDENT_USER")
        .env("USER", "yann")
        .args(["declare", "B"])
        .assert()
        .success();
    assert_eq!(env.show("2")["timeline"][0]["author"], "yann");
    env.declare("C", &[]);
    assert_eq!(env.show("3")["timeline"][0]["author"], "alice");
    let out = env
        .cmd()
        .env_remove("INCIDENT_USER")
        .args(["declare", "D"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --as NAME or set INCIDENT_USER"));
}

#[test]
fn keys_keep_counting_and_honour_a_configured_prefix() {
    let mut env = Env::new();
    env.with_config("key_prefix = \"OPS\"\n");
    assert_eq!(env.declare("One", &[]), "OPS-1");
    assert_eq!(env.declare("Two", &[]), "OPS-2");
    assert_eq!(env.show("ops-2")["key"], "OPS-2");
    assert!(env.fails(2, &["show", "INC-2"]).contains("use OPS-7, ops-7 or 7"));
}
