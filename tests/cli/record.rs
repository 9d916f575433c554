//! Keeping the record right (issue 14): time order, closed means closed,
//! edit, cancel, duplicates and reopening, through the binary with the
//! fixed clock, including the sequences the issue quotes.

use crate::support::*;
use serde_json::Value;

/// `guard`'s exit code and what it said.
fn guard(env: &Env) -> (Option<i32>, String) {
    let out = env.cmd().arg("guard").output().unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

fn texts(incident: &Value) -> Vec<String> {
    incident["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap().to_string())
        .collect()
}

/// Declared 10:00, `identified` at 10:20, `mitigated` at 10:30.
fn mitigated(env: &mut Env) {
    env.at("2026-11-23T10:00:00Z");
    env.declare(
        "Checkout DDoS",
        &["--severity", "SEV2", "--category", "availability"],
    );
    env.at("2026-11-23T10:20:00Z");
    env.ok(&["update", "1", "--status", "identified"]);
    env.at("2026-11-23T10:30:00Z");
    env.ok(&["update", "1", "--status", "mitigated"]);
    env.at("2026-11-23T10:40:00Z");
}

#[test]
fn backdated_status_changes_cannot_contradict_the_timeline() {
    let mut env = Env::new();
    mitigated(&mut env);
    let before = env.show("1");

    // The issue's sequence: each is refused, naming the conflicting entry.
    let err = env.fails(2, &["update", "1", "--status", "identified", "--at", "10:10"]);
    assert_eq!(
        err.trim(),
        "error: --at 2026-11-23 10:10 is before the latest status change on INC-1, \
         \"Status identified → mitigated\" at 2026-11-23 10:30; the status is what the timeline says \
         in time order, so a change cannot be dated before it (record a note instead)"
    );
    let err = env.fails(2, &["update", "1", "--status", "investigating", "--at", "09:00"]);
    assert_eq!(
        err.trim(),
        "error: --at 2026-11-23 09:00 is before INC-1 was declared (2026-11-23 10:00)"
    );
    // `resolve` applies the same rule.
    let err = env.fails(2, &["resolve", "1", "--at", "09:30"]);
    assert!(
        err.contains("before INC-1 was declared (2026-11-23 10:00)"),
        "{err}"
    );
    let err = env.fails(2, &["resolve", "1", "--at", "10:25"]);
    assert!(
        err.contains("is before the latest status change on INC-1, \"Status identified → mitigated\""),
        "{err}"
    );
    // Nothing was recorded: the entry that came with a refused change neither.
    env.fails(
        2,
        &[
            "update",
            "1",
            "Rolled back",
            "--status",
            "identified",
            "--at",
            "10:10",
        ],
    );
    assert_eq!(env.show("1"), before);

    // Backdated notes and evidence stay allowed, even before the declaration.
    env.ok(&[
        "update",
        "1",
        "First alert fired",
        "--kind",
        "evidence",
        "--at",
        "09:55",
    ]);
    // At or after the latest change is in order.
    env.ok(&["update", "1", "--status", "identified", "--at", "10:35"]);
    let i = env.show("1");
    assert_eq!(i["status"], "identified");
    assert_eq!(
        texts(&i),
        [
            "First alert fired",
            "Declared SEV2 availability: Checkout DDoS",
            "Status investigating → identified",
            "Status identified → mitigated",
            "Status mitigated → identified",
        ]
    );
    // The current status is the last status entry in time order.
    let last_status = i["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["kind"] == "status_changed")
        .unwrap();
    assert_eq!(last_status["details"]["to"], i["status"]);

    // Severity follows the same rule.
    env.at("2026-11-23T10:50:00Z");
    env.ok(&["update", "1", "--severity", "SEV1"]);
    let err = env.fails(2, &["update", "1", "--severity", "SEV3", "--at", "10:45"]);
    assert!(
        err.contains("is before the latest severity change on INC-1, \"Severity SEV2 → SEV1\""),
        "{err}"
    );
    let err = env.fails(2, &["update", "1", "--severity", "SEV3", "--at", "09:00"]);
    assert!(err.contains("before INC-1 was declared"), "{err}");
    assert_eq!(env.show("1")["severity"], "SEV1");

    // The postmortem never reads "… before" the declaration for a milestone.
    env.ok(&["resolve", "1"]);
    let md = env.ok(&["retro", "1", "--export", "md"]);
    let mitigated_row = md.lines().find(|l| l.starts_with("| Mitigated |")).unwrap();
    assert!(!mitigated_row.contains("before"), "{mitigated_row}");
}

/// Declared 08:00, resolved 47 s later, retrospective complete: closed.
fn closed(env: &mut Env) {
    env.at("2026-11-23T08:00:00Z");
    env.declare("Checkout 500s", &["--severity", "SEV2", "--commander", "alice"]);
    env.at("2026-11-23T08:00:47Z");
    env.ok(&["resolve", "1", "--summary", "rolled back"]);
    env.at("2026-11-23T09:00:00Z");
    let path = env.dir.path().join("answers.toml");
    std::fs::write(&path, "root_cause = \"a bad deploy\"\n").unwrap();
    env.ok(&["retro", "1", "--answers", path.to_str().unwrap()]);
    env.ok(&[
        "retro",
        "1",
        "--complete",
        "--no-actions",
        "the deploy check already exists",
    ]);
    assert_eq!(env.show("1")["status"], "closed");
}

#[test]
fn a_closed_incident_stays_closed_until_reopened_with_a_reason() {
    let mut env = Env::new();
    closed(&mut env);
    let resolve = |env: &Env| env.json(&["stats"])["time_to_resolve"].clone();
    assert_eq!(resolve(&env)["median_seconds"], 47);

    // The issue's sequence: `update --status resolved` on a closed incident.
    env.at("2026-11-23T08:03:47Z");
    let err = env.fails(2, &["update", "INC-1", "--status", "resolved"]);
    assert_eq!(
        err.trim(),
        "error: INC-1 is closed: its status cannot change; reopen it first with \
         'incident reopen INC-1 --reason WHY' (notes and evidence are still taken)"
    );
    for args in [
        vec!["update", "1", "--severity", "SEV1"],
        vec!["escalate", "1", "--to", "dba-oncall"],
        vec!["assign-role", "1", "scribe", "bob"],
        vec!["assign-role", "1", "commander", "alice", "--remove"],
        vec!["resolve", "1"],
    ] {
        let err = env.fails(2, &args);
        assert!(err.contains("reopen it"), "{args:?}: {err}");
    }
    let i = env.show("1");
    assert_eq!(i["resolved_at"], "2026-11-23T08:00:47Z");
    assert_eq!(resolve(&env)["median_seconds"], 47);

    // Late notes and evidence are taken, and marked as added after closing.
    env.at("2026-11-24T09:00:00Z");
    env.ok(&[
        "update",
        "1",
        "Found the first alert",
        "--kind",
        "evidence",
        "--at",
        "2026-11-23 07:58",
    ]);
    let shown = env.ok(&["show", "1"]);
    assert!(
        shown.contains("Found the first alert (added after closing)"),
        "{shown}"
    );
    assert!(!shown.contains("rolled back (added after closing)"), "{shown}");
    let md = env.ok(&["retro", "1", "--export", "md"]);
    assert!(
        md.contains("Found the first alert _(added after closing)_"),
        "{md}"
    );

    // The way out records who and why; the first resolution is kept.
    let err = env.fails(2, &["reopen", "1"]);
    assert!(err.contains("--reason"), "{err}");
    env.user = "bob".into();
    let talk = env.talk(&[
        "reopen",
        "1",
        "--reason",
        "customers still see errors",
        "--status",
        "identified",
    ]);
    assert!(
        talk.contains("INC-1: Reopened: closed → identified: customers still see errors"),
        "{talk}"
    );
    let i = env.show("1");
    assert_eq!(i["status"], "identified");
    assert_eq!(i["closed_at"], Value::Null);
    let reopened = last_event(&i);
    assert_eq!(reopened["kind"], "reopened");
    assert_eq!(reopened["author"], "bob");
    assert_eq!(reopened["details"]["summary"], "customers still see errors");
    let err = env.fails(2, &["reopen", "1", "--reason", "again"]);
    assert!(err.contains("cannot reopen INC-1: it is identified"), "{err}");

    // Resolved again and closed again: time to resolve counts to the first
    // resolution, and the postmortem lists every resolution and reopening.
    env.at("2026-11-24T10:00:00Z");
    env.ok(&["resolve", "1", "--summary", "fixed the cache too"]);
    env.ok(&[
        "retro",
        "1",
        "--complete",
        "--no-actions",
        "the deploy check already exists",
    ]);
    assert_eq!(env.show("1")["resolved_at"], "2026-11-23T08:00:47Z");
    assert_eq!(env.json(&["stats"])["time_to_resolve"]["median_seconds"], 47);
    let md = env.ok(&["retro", "1", "--export", "md"]);
    let milestones: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| Resolved") || l.starts_with("| Reopened"))
        .collect();
    assert_eq!(
        milestones,
        [
            "| Resolved | 2026-11-23 08:00 | 47s |",
            "| Reopened | 2026-11-24 09:00 | 1d01h |",
            "| Resolved again | 2026-11-24 10:00 | 1d02h |",
        ]
    );
    assert!(md.contains("to resolve: **47s**"), "{md}");
}

#[test]
fn edit_changes_what_was_declared_and_records_each_change() {
    let mut env = Env::new();
    env.at("2026-11-23T10:00:00Z");
    env.declare(
        "Checkout DDoS",
        &[
            "--severity",
            "SEV2",
            "--category",
            "availability",
            "--service",
            "checkout,edge",
        ],
    );
    env.at("2026-11-23T11:00:00Z");
    // The DDoS turned into a suspected data leak.
    let i = env.json(&[
        "edit",
        "1",
        "--title",
        "Suspected customer data leak",
        "--category",
        "security",
        "--add-service",
        "auth",
        "--remove-service",
        "edge",
        "--summary",
        "The DDoS covered an export of customer records",
        "--detected-by",
        "customer",
        "--started-at",
        "09:40",
        "--add-channel",
        "https://chat.example/inc-leak",
    ]);
    assert_eq!(i["title"], "Suspected customer data leak");
    assert_eq!(i["category"], "security");
    assert_eq!(i["services"], serde_json::json!(["checkout", "auth"]));
    assert_eq!(i["started_at"], "2026-11-23T09:40:00Z");
    let edits: Vec<&Value> = i["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "edited")
        .collect();
    let said: Vec<&str> = edits.iter().map(|e| e["text"].as_str().unwrap()).collect();
    assert_eq!(
        said,
        [
            "Title \"Checkout DDoS\" → \"Suspected customer data leak\"",
            "Category availability → security",
            "Services checkout, edge → checkout, auth",
            "Channels none → https://chat.example/inc-leak",
            "Summary: The DDoS covered an export of customer records",
            "Detected by customer",
            "Impact started 2026-11-23 09:40 UTC",
        ]
    );
    assert_eq!(
        edits[1]["details"],
        serde_json::json!({"field": "category", "from": "availability", "to": "security"})
    );
    // Shown, counted and in the postmortem as it is now.
    let shown = env.ok(&["show", "1"]);
    assert!(shown.contains("category     security"), "{shown}");
    let stats = env.json(&["stats"]);
    let security = stats["by_category"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "security");
    assert_eq!(security.unwrap()["count"], 1, "{stats}");
    env.ok(&["resolve", "1"]);
    let md = env.ok(&["retro", "1", "--export", "md"]);
    assert!(md.contains("| Category | security |"), "{md}");
    assert!(md.contains("Category availability → security"), "{md}");

    // `declare`'s checks apply, and nothing to change is said.
    let err = env.fails(2, &["edit", "1", "--title", "  "]);
    assert!(err.contains("--title is empty"), "{err}");
    let err = env.fails(2, &["edit", "1", "--started-at", "2026-11-24 09:00"]);
    assert!(err.contains("is in the future"), "{err}");
    let err = env.fails(2, &["edit", "1", "--category", "security"]);
    assert!(
        err.contains("nothing to change: INC-1 already says that"),
        "{err}"
    );
    let err = env.fails(2, &["edit", "1", "--remove-service", "edge"]);
    assert!(
        err.contains("INC-1 does not list 'edge' among its services (checkout, auth)"),
        "{err}"
    );
    let err = env.fails(2, &["edit", "1"]);
    assert!(err.contains("nothing to change; give --title"), "{err}");
}

#[test]
fn a_canceled_incident_is_kept_but_not_counted() {
    let mut env = Env::new();
    env.at("2026-11-23T08:00:00Z");
    // The issue's typo: a whole incident that was never real.
    env.declare("x", &["--severity", "sev1"]);
    env.declare("Checkout 500s", &["--severity", "SEV2", "--service", "checkout"]);
    let (code, said) = guard(&env);
    assert_eq!(code, Some(1));
    assert!(said.contains("INC-1"), "{said}");
    let err = env.fails(2, &["cancel", "1", "--reason", "  "]);
    assert!(err.contains("--reason is empty"), "{err}");
    env.at("2026-11-23T08:05:00Z");
    let talk = env.talk(&["cancel", "1", "-r", "false alarm"]);
    assert!(talk.contains("INC-1: Canceled: false alarm"), "{talk}");
    let i = env.show("1");
    assert_eq!(i["status"], "canceled");
    assert_eq!(last_event(&i)["kind"], "canceled");
    assert_eq!(
        last_event(&i)["details"],
        serde_json::json!({"from": "investigating", "reason": "false alarm"})
    );

    // Out of stats, check and guard; in list --all with its state.
    let stats = env.json(&["stats"]);
    assert_eq!(stats["incidents"], 1, "{stats}");
    env.at("2026-11-23T12:00:00Z");
    let check = env.json(&["check"]);
    let keys: Vec<&str> = check["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert!(!keys.contains(&"INC-1") && keys.contains(&"INC-2"), "{check}");
    let (code, said) = guard(&env);
    assert_eq!(code, Some(1));
    assert!(!said.contains("INC-1") && said.contains("INC-2"), "{said}");
    env.ok(&["cancel", "2", "--reason", "a test page"]);
    env.ok(&["guard"]);
    let list = env.ok(&["list"]);
    assert!(!list.contains("INC-1"), "{list}");
    let all = env.ok(&["list", "--all"]);
    assert!(
        all.lines()
            .any(|l| l.starts_with("INC-1") && l.contains("canceled")),
        "{all}"
    );

    // Closed means closed applies, and reopen undoes it.
    let err = env.fails(2, &["update", "1", "--status", "identified"]);
    assert!(err.contains("INC-1 is canceled"), "{err}");
    let err = env.fails(2, &["cancel", "1", "--reason", "again"]);
    assert!(err.contains("INC-1 is canceled"), "{err}");
    env.ok(&["reopen", "1", "--reason", "it was real after all"]);
    assert_eq!(env.show("1")["status"], "investigating");
    assert_eq!(env.json(&["stats"])["incidents"], 1);
}

#[test]
fn a_duplicate_points_to_the_primary_and_both_timelines_say_so() {
    let mut env = Env::new();
    env.at("2026-11-23T08:00:00Z");
    env.declare("Checkout 500s", &["--severity", "SEV2"]);
    env.declare("Payments failing", &["--severity", "SEV2"]);
    env.declare("Orders stuck", &["--severity", "SEV3"]);
    env.at("2026-11-23T08:10:00Z");
    env.ok(&[
        "update",
        "2",
        "Payments errors seen at 07:58",
        "--kind",
        "evidence",
    ]);
    let err = env.fails(2, &["duplicate", "2", "--of", "2"]);
    assert!(err.contains("INC-2 cannot be a duplicate of itself"), "{err}");
    let err = env.fails(1, &["duplicate", "2", "--of", "9"]);
    assert!(err.contains("no incident INC-9"), "{err}");
    let talk = env.talk(&["duplicate", "2", "--of", "INC-1"]);
    assert!(talk.contains("INC-2: duplicate of INC-1"), "{talk}");
    // No chains: a duplicate of a duplicate points to the primary.
    let talk = env.talk(&["duplicate", "3", "--of", "2"]);
    assert!(
        talk.contains("INC-3: duplicate of INC-1 (through INC-2, itself a duplicate)"),
        "{talk}"
    );
    // INC-3 points to INC-1: INC-1 cannot become its own duplicate, and
    // the refusal says so of the incident named.
    let err = env.fails(2, &["duplicate", "1", "--of", "3"]);
    assert_eq!(
        err.trim_end(),
        "error: INC-1 cannot be a duplicate of INC-3: INC-3 is a duplicate of INC-1"
    );

    let primary = env.show("1");
    assert_eq!(
        texts(&primary)[1..],
        [
            "INC-2 is a duplicate of this incident",
            "INC-3 is a duplicate of this incident"
        ]
    );
    let dup = env.show("2");
    assert_eq!(dup["status"], "duplicate");
    // The duplicate's own timeline stays readable.
    assert_eq!(
        texts(&dup),
        [
            "Declared SEV2 other: Payments failing",
            "Payments errors seen at 07:58",
            "Duplicate of INC-1"
        ]
    );
    assert_eq!(
        last_event(&dup)["details"],
        serde_json::json!({"from": "investigating", "of": 1})
    );
    let shown = env.ok(&["show", "3"]);
    assert!(shown.contains("duplicate of INC-1  Checkout 500s"), "{shown}");

    // Left out of stats and guard, shown by list --all.
    assert_eq!(env.json(&["stats"])["incidents"], 1);
    let (code, said) = guard(&env);
    assert_eq!(code, Some(1));
    assert!(said.contains("INC-1") && !said.contains("INC-2"), "{said}");
    let all = env.ok(&["list", "--all"]);
    assert!(
        all.lines()
            .any(|l| l.starts_with("INC-2") && l.contains("duplicate")),
        "{all}"
    );

    // Reversible: reopening unlinks it on the primary's timeline too.
    env.at("2026-11-23T08:20:00Z");
    env.ok(&["reopen", "2", "--reason", "a different fault in payments"]);
    assert_eq!(env.show("2")["status"], "investigating");
    assert_eq!(
        last_event(&env.show("1"))["text"],
        "INC-2 is no longer a duplicate of this incident"
    );
    assert_eq!(env.json(&["stats"])["incidents"], 2);
}

#[test]
fn update_does_not_offer_statuses_it_always_refuses() {
    let env = Env::new();
    env.declare("X", &[]);
    for status in ["closed", "canceled", "duplicate"] {
        let err = env.fails(2, &["update", "1", "--status", status]);
        assert!(
            err.contains("[possible values: investigating, identified, mitigated, resolved]"),
            "{status}: {err}"
        );
    }
    let help = env
        .ok(&["update", "--help"])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        help.contains("[possible values: investigating, identified, mitigated, resolved]"),
        "{help}"
    );
}

#[test]
fn a_severity_is_never_taken_as_a_summary() {
    let mut env = Env::new();
    env.declare("X", &[]);
    env.at("2026-11-23T08:30:00Z");
    // The issue's `resolve INC-3 -s SEV1`: refused, nothing recorded.
    let err = env.fails(2, &["resolve", "INC-1", "-s", "SEV1"]);
    assert!(err.contains("unexpected argument '-s'"), "{err}");
    assert_eq!(env.show("1")["status"], "investigating");
    // -s is --severity wherever a command has it.
    env.ok(&["update", "1", "-s", "SEV1"]);
    assert_eq!(env.show("1")["severity"], "SEV1");
    let err = env.fails(2, &["list", "-s", "resolved"]);
    assert!(err.contains("unexpected argument '-s'"), "{err}");
    let err = env.fails(2, &["guard", "-s", "SEV1"]);
    assert!(err.contains("unexpected argument '-s'"), "{err}");
}

#[test]
fn update_dash_at_a_terminal_says_it_waits_for_the_text() {
    let env = Env::new();
    env.declare("Checkout down", &[]);
    let mut cmd = env.std_cmd();
    cmd.env("TERM", "dumb").args(["update", "1", "-"]);
    let mut p = rexpect::session::spawn_command(cmd, Some(10_000)).unwrap();
    p.exp_string("Type the message, then Ctrl-D").unwrap();
    p.send_line("Rolled back 4821").unwrap();
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
    assert_eq!(last_event(&env.show("1"))["text"], "Rolled back 4821");
}
