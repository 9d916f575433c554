//! Escalate, update and resolve: the middle of an incident's life.

use crate::support::*;
use serde_json::json;

#[test]
fn escalation_records_whom_why_and_the_severity_change() {
    let env = Env::new();
    env.declare("Checkout returns 500s", &["--severity", "SEV2"]);
    env.ok(&[
        "escalate",
        "INC-1",
        "--to",
        "dba-oncall",
        "--severity",
        "SEV1",
        "--reason",
        "orders table locked",
    ]);
    let i = env.show("INC-1");
    assert_eq!(i["severity"], "SEV1");
    assert_eq!(kinds(&i), ["declared", "severity_changed", "escalated"]);
    let change = &i["timeline"][1];
    assert_eq!(change["text"], "Severity SEV2 → SEV1: orders table locked");
    assert_eq!(change["details"]["from"], "SEV2");
    let escalated = last_event(&i);
    assert_eq!(escalated["text"], "Escalated to dba-oncall: orders table locked");
    assert_eq!(escalated["author"], "alice");
    assert_eq!(escalated["details"]["to"], json!(["dba-oncall"]));
    assert_eq!(escalated["details"]["policy"], false);
}

#[test]
fn escalation_without_to_uses_the_configured_policy_or_says_how_to_add_one() {
    let mut env = Env::new();
    env.declare("Checkout returns 500s", &["--severity", "SEV2"]);
    let err = env.fails(2, &["escalate", "1"]);
    assert!(
        err.contains("no escalation policy for SEV2; pass --to WHO"),
        "{err}"
    );
    assert_eq!(kinds(&env.show("1")), ["declared"], "nothing recorded");

    env.with_config("[escalation]\nSEV1 = [\"incident-managers\", \"vp-eng\"]\n");
    env.ok(&["escalate", "1", "--severity", "sev1"]);
    let escalated = last_event(&env.show("1")).clone();
    assert_eq!(escalated["details"]["to"], json!(["incident-managers", "vp-eng"]));
    assert_eq!(escalated["details"]["policy"], true);
}

#[test]
fn escalation_never_lowers_severity() {
    let env = Env::new();
    env.declare("X", &["--severity", "SEV1"]);
    let err = env.fails(2, &["escalate", "1", "--to", "x", "--severity", "SEV3"]);
    assert!(
        err.contains("already SEV1; lower it with 'incident update INC-1 --severity SEV3'"),
        "{err}"
    );
    env.ok(&["update", "1", "--severity", "SEV3"]);
    assert_eq!(env.show("1")["severity"], "SEV3");
}

#[test]
fn updates_of_every_kind_land_in_the_timeline() {
    let env = Env::new();
    env.declare("X", &[]);
    for kind in ["note", "decision", "action", "evidence", "comms"] {
        env.ok(&["update", "1", &format!("a {kind}"), "--kind", kind]);
    }
    env.ok(&["update", "1", "plain"]);
    let i = env.show("1");
    assert_eq!(
        kinds(&i),
        [
            "declared", "note", "decision", "action", "evidence", "comms", "note"
        ]
    );
    assert_eq!(i["timeline"][3]["text"], "a action");
}

#[test]
fn an_external_update_promises_the_next_one() {
    let env = Env::new();
    env.declare("X", &[]);
    env.ok(&[
        "update",
        "1",
        "We are investigating elevated errors",
        "--external",
        "--next-update",
        "30m",
    ]);
    let i = env.show("1");
    let update = last_event(&i);
    assert_eq!(update["kind"], "status_update");
    assert_eq!(update["details"]["next_update_at"], "2026-11-23T08:30:00Z");
    assert_eq!(i["next_update_at"], "2026-11-23T08:30:00Z");
    // clap's own usage errors come with its usage block, and exit 2.
    let out = env
        .cmd()
        .args(["update", "1", "x", "--external", "--kind", "note"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("'--external' cannot be used with '--kind <KIND>'")
    );
    let err = env.fails(
        2,
        &["update", "1", "x", "--external", "--next-update", "10 min ago"],
    );
    assert!(err.contains("--next-update"), "{err}");
}

#[test]
fn a_scribe_can_backdate_and_the_timeline_stays_in_order_of_events() {
    let mut env = Env::new();
    env.declare("X", &[]);
    env.at("2026-11-23T08:30:00Z");
    env.ok(&[
        "update",
        "1",
        "Deploy 4821 went out",
        "--kind",
        "evidence",
        "--at",
        "10 min ago",
    ]);
    env.ok(&[
        "update",
        "1",
        "Alert fired",
        "--kind",
        "evidence",
        "--at",
        "2026-11-23 07:55",
    ]);
    env.ok(&["update", "1", "Now"]);
    let i = env.show("1");
    let at: Vec<_> = i["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["at"].as_str().unwrap())
        .collect();
    assert_eq!(
        at,
        [
            "2026-11-23T07:55:00Z",
            T0,
            "2026-11-23T08:20:00Z",
            "2026-11-23T08:30:00Z"
        ]
    );
    assert_eq!(i["timeline"][2]["recorded_at"], "2026-11-23T08:30:00Z");
    let err = env.fails(2, &["update", "1", "x", "--at", "in 5m"]);
    assert!(err.contains("--at in 5m is in the future"), "{err}");
    let err = env.fails(2, &["update", "1", "x", "--at", "yesterday-ish"]);
    assert!(err.contains("--at: invalid time 'yesterday-ish'"), "{err}");
}

#[test]
fn message_dash_reads_stdin() {
    let env = Env::new();
    env.declare("X", &[]);
    env.cmd()
        .args(["update", "1", "-", "--kind", "evidence"])
        .write_stdin("p99 latency 4.2s\nerror rate 12%\n")
        .assert()
        .success();
    assert_eq!(
        last_event(&env.show("1"))["text"],
        "p99 latency 4.2s\nerror rate 12%"
    );

    let out = env
        .cmd()
        .args(["update", "1", "-"])
        .write_stdin(vec![0xff, 0xfe, b'x'])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid UTF-8"));
    let out = env
        .cmd()
        .args(["update", "1", "-"])
        .write_stdin("  \n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(kinds(&env.show("1")).len(), 2);
}

#[test]
fn status_moves_forward_and_back_and_each_move_is_an_event() {
    let env = Env::new();
    env.declare("X", &[]);
    env.ok(&[
        "update",
        "1",
        "Found the bad deploy",
        "--status",
        "identified",
        "--kind",
        "decision",
    ]);
    env.ok(&["update", "1", "--status", "mitigated"]);
    env.ok(&["update", "1", "--status", "investigating"]);
    let talk = env.talk(&["update", "1", "--status", "investigating"]);
    assert!(talk.contains("already investigating"), "{talk}");
    let i = env.show("1");
    assert_eq!(i["status"], "investigating");
    assert_eq!(
        kinds(&i),
        [
            "declared",
            "decision",
            "status_changed",
            "status_changed",
            "status_changed"
        ]
    );
    assert_eq!(i["timeline"][4]["text"], "Status mitigated → investigating");
    // Statuses with their own commands are not offered.
    let err = env.fails(2, &["update", "1", "--status", "closed"]);
    assert!(
        err.contains("[possible values: investigating, identified, mitigated, resolved]"),
        "{err}"
    );
    let err = env.fails(2, &["update", "1"]);
    assert!(err.contains("nothing to record"), "{err}");
}

#[test]
fn resolve_and_reopen() {
    let mut env = Env::new();
    env.declare("X", &[]);
    env.at("2026-11-23T10:05:00Z");
    let talk = env.talk(&["resolve", "INC-1", "--summary", "Rolled back deploy 4821"]);
    assert!(talk.contains("Resolved INC-1 after 2h05m"), "{talk}");
    let i = env.show("1");
    assert_eq!(i["status"], "resolved");
    assert_eq!(i["resolved_at"], "2026-11-23T10:05:00Z");
    assert_eq!(i["resolution"], "Rolled back deploy 4821");
    assert_eq!(last_event(&i)["kind"], "resolved");
    assert_eq!(last_event(&i)["text"], "Resolved: Rolled back deploy 4821");

    let err = env.fails(2, &["resolve", "1"]);
    assert!(
        err.contains("INC-1 is already resolved; reopen it with 'incident reopen INC-1 --reason WHY'"),
        "{err}"
    );
    let err = env.fails(2, &["escalate", "1", "--to", "x"]);
    assert!(err.contains("reopen it first"), "{err}");

    env.ok(&["update", "1", "Errors are back", "--status", "investigating"]);
    let i = env.show("1");
    assert_eq!(i["status"], "investigating");
    // The first resolution is kept: time to resolve counts to it.
    assert_eq!(i["resolved_at"], "2026-11-23T10:05:00Z");
    assert_eq!(last_event(&i)["kind"], "reopened");
}

#[test]
fn resolve_can_be_backdated_but_not_before_declaration() {
    let mut env = Env::new();
    env.declare("X", &[]);
    env.at("2026-11-23T12:00:00Z");
    let err = env.fails(2, &["resolve", "1", "--at", "2026-11-23 07:00"]);
    assert!(err.contains("before INC-1 was declared"), "{err}");
    env.ok(&["resolve", "1", "--at", "09:30"]);
    assert_eq!(env.show("1")["resolved_at"], "2026-11-23T09:30:00Z");
}

#[test]
fn a_promise_of_the_next_update_comes_with_an_update() {
    let env = Env::new();
    env.declare("X", &[]);
    for args in [
        vec!["update", "1", "--next-update", "30m"],
        vec!["update", "1", "internal note", "--next-update", "30m"],
        vec!["update", "1", "--status", "identified", "--next-update", "30m"],
    ] {
        let err = env.fails(2, &args);
        assert!(
            err.contains("give the MESSAGE with --external (or --kind comms)"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(kinds(&env.show("1")), ["declared"]);
    env.ok(&[
        "update",
        "1",
        "Posted in #status",
        "--kind",
        "comms",
        "--next-update",
        "1h",
    ]);
    assert_eq!(env.show("1")["next_update_at"], "2026-11-23T09:00:00Z");
    // 07:30 has passed today: the promise is for tomorrow, and we say so.
    let talk = env.talk(&[
        "update",
        "1",
        "Still working on it",
        "--external",
        "--next-update",
        "07:30",
    ]);
    assert!(
        talk.contains("warning: the next update is promised for 2026-11-24 07:30, 23h30m from now"),
        "{talk}"
    );
}

#[test]
fn changing_nothing_says_so() {
    let env = Env::new();
    env.declare("X", &["-s", "SEV2"]);
    let talk = env.talk(&["update", "1", "--severity", "sev2"]);
    assert!(talk.contains("INC-1: already SEV2; nothing changed"), "{talk}");
    assert_eq!(kinds(&env.show("1")), ["declared"]);
}

#[test]
fn a_reopened_incident_cannot_be_resolved_before_it_was_reopened() {
    let mut env = Env::new();
    env.declare("X", &[]);
    env.at("2026-11-23T10:00:00Z");
    env.ok(&["resolve", "1"]);
    env.at("2026-11-23T10:40:00Z");
    env.ok(&["update", "1", "Errors are back", "--status", "investigating"]);
    env.at("2026-11-23T11:00:00Z");
    let err = env.fails(2, &["resolve", "inc1", "--at", "10:35"]);
    assert!(
        err.contains(
            "--at 2026-11-23 10:35 is before the latest status change on INC-1, \
             \"Reopened: resolved → investigating\" at 2026-11-23 10:40"
        ),
        "{err}"
    );
    env.ok(&["resolve", "INC1", "--at", "10:50"]);
    // Resolved again: the first resolution stays the one that counts.
    assert_eq!(env.show("1")["resolved_at"], "2026-11-23T10:00:00Z");
}

#[test]
fn a_resolution_summary_can_be_given_after_resolving_and_verifies() {
    let env = Env::new();
    env.declare("Checkout down", &[]);
    let err = env.fails(2, &["edit", "1", "--resolution", "Rolled back"]);
    assert!(
        err.contains("a resolution summary is for a resolved incident"),
        "{err}"
    );
    env.ok(&["resolve", "1"]);
    assert!(env.show("1")["resolution"].is_null());
    env.ok(&["edit", "1", "--resolution", "Rolled back 4821"]);
    let shown = env.show("1");
    assert_eq!(shown["resolution"], "Rolled back 4821");
    assert_eq!(last_event(&shown)["text"], "Resolution: Rolled back 4821");
    assert!(env.ok(&["show", "1"]).contains("Rolled back 4821"));
    assert!(env.talk(&["verify"]).contains("every timeline is intact"));
}
