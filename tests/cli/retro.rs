//! The retrospective, the postmortem document and follow-up action items.

use crate::support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn example_answers() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/retro-answers.toml")
}

/// Writes an answers file into the test's directory.
fn answers(env: &Env, name: &str, toml: &str) -> String {
    let path = env.dir.path().join(name);
    std::fs::write(&path, toml).unwrap();
    path.display().to_string()
}

/// A declared and resolved incident, INC-1.
fn resolved(env: &mut Env) {
    env.at("2026-11-23T08:00:00Z");
    env.declare(
        "Checkout returns 500s",
        &["--severity", "SEV2", "--commander", "alice"],
    );
    env.at("2026-11-23T10:00:00Z");
    env.ok(&["resolve", "1", "--summary", "rolled back"]);
}

fn markdown_rows_keep_their_width(md: &str) {
    let mut width = None;
    for line in md.lines() {
        if line.starts_with('|') {
            let cells = line.replace("\\|", "").matches('|').count();
            if width.is_none() || line.starts_with("|---") {
                width = Some(cells);
            }
            assert_eq!(Some(cells), width, "a row breaks its table: {line}");
        } else {
            width = None;
        }
    }
}

#[test]
fn a_whole_incident_from_declaration_to_closed_and_its_postmortem() {
    let mut env = Env::new();
    env.at("2026-11-23T08:00:00Z");
    env.declare(
        "Checkout returns 500s",
        &[
            "--severity",
            "SEV2",
            "--category",
            "availability",
            "--service",
            "checkout",
            "--commander",
            "alice",
            "--started-at",
            "2026-11-23T07:50:00Z",
        ],
    );
    env.at("2026-11-23T08:03:00Z")
        .ok(&["assign-role", "1", "scribe", "bob"]);
    env.at("2026-11-23T08:05:00Z").ok(&[
        "assess",
        "1",
        "--impact",
        "Checkout fails | card payments",
        "--sees",
        "HTTP 500 at the pay step",
        "--customers",
        "some",
        "--tickets",
        "12",
        "--check",
        "A1,A5",
        "--yes",
    ]);
    env.at("2026-11-23T08:10:00Z").ok(&[
        "escalate",
        "1",
        "--to",
        "dba-oncall",
        "--severity",
        "SEV1",
        "--reason",
        "orders table locked",
    ]);
    env.at("2026-11-23T08:25:00Z").ok(&[
        "--as",
        "bob",
        "update",
        "1",
        "Rolled back deploy 4821",
        "--kind",
        "action",
        "--status",
        "identified",
    ]);
    env.at("2026-11-23T08:30:00Z").ok(&[
        "update",
        "1",
        "Checkout is failing for some customers",
        "--external",
    ]);
    env.at("2026-11-23T09:00:00Z")
        .ok(&["assign-role", "1", "commander", "carol"]);
    env.at("2026-11-23T09:40:00Z")
        .ok(&["--as", "carol", "update", "1", "--status", "mitigated"]);
    env.at("2026-11-23T10:05:00Z").ok(&[
        "--as",
        "carol",
        "resolve",
        "1",
        "--summary",
        "Rolled back 4821; unlocked the orders table",
    ]);

    // The retrospective, the next day, from the documented example file.
    env.at("2026-11-24T14:00:00Z");
    let talk = env.talk(&[
        "--as",
        "carol",
        "retro",
        "INC-1",
        "--answers",
        example_answers().to_str().unwrap(),
    ]);
    assert!(
        talk.contains("INC-1: updated impact, five whys, root cause"),
        "{talk}"
    );
    assert!(talk.contains("added A-1, A-2"), "{talk}");
    let id = env.at("2026-11-24T14:05:00Z").ok(&[
        "action",
        "add",
        "INC-1",
        "Document the rollback in the runbook",
        "--owner",
        "bob",
        "--due",
        "2026-12-01",
        "--kind",
        "corrective",
    ]);
    assert_eq!(id, "A-3\n", "the new item's id on stdout");
    env.at("2026-11-24T14:10:00Z")
        .ok(&["action", "link", "A-1", "https://tracker.example/OPS-12"]);
    env.at("2026-11-30T09:00:00Z")
        .ok(&["action", "done", "3", "--note", "runbook updated"]);
    env.at("2026-11-30T09:30:00Z");
    let talk = env.talk(&["--as", "carol", "retro", "1", "--complete"]);
    assert!(
        talk.contains("INC-1: retrospective complete; incident closed"),
        "{talk}"
    );

    let i = env.show("INC-1");
    assert_eq!(i["status"], "closed");
    assert_eq!(i["closed_at"], "2026-11-30T09:30:00Z");
    let closing = last_event(&i);
    assert_eq!(closing["kind"], "closed");
    assert_eq!(closing["author"], "carol");
    assert_eq!(
        closing["details"]["action_items"],
        serde_json::json!(["A-1", "A-2", "A-3"])
    );
    let k = kinds(&i);
    let tail: Vec<&str> = k[k.len() - 7..].iter().map(String::as_str).collect();
    assert_eq!(
        tail,
        [
            "retro_updated",
            "action_added",
            "action_added",
            "action_added",
            "action_linked",
            "action_done",
            "closed"
        ]
    );

    // The postmortem, weeks later: A-1 is overdue by then.
    env.at("2026-12-20T09:00:00Z");
    let md = env.ok(&["retro", "INC-1", "--export", "md"]);
    markdown_rows_keep_their_width(&md);
    snapshot!(md);

    // -o writes the same document, owner-only, even over a readable file.
    let file = env.dir.path().join("postmortem.md");
    std::fs::write(&file, "old").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let out = env.ok(&["retro", "1", "--export", "md", "-o", file.to_str().unwrap()]);
    assert_eq!(out, "", "nothing on stdout with -o");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), md);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let fresh = env.dir.path().join("fresh.json");
        env.ok(&["retro", "1", "--export", "json", "-o", fresh.to_str().unwrap()]);
        let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // The same content as JSON, for other tools.
    let doc: Value = serde_json::from_str(&env.ok(&["retro", "1", "--export", "json"])).unwrap();
    assert_eq!(doc["key"], "INC-1");
    assert_eq!(doc["status"], "closed");
    assert_eq!(doc["durations"]["to_acknowledge_seconds"], 0);
    assert_eq!(doc["durations"]["to_mitigate_seconds"], 100 * 60);
    assert_eq!(doc["durations"]["to_resolve_seconds"], 125 * 60);
    assert_eq!(doc["durations"]["impact_seconds"], 135 * 60);
    assert_eq!(doc["dates"]["acknowledged_at"], "2026-11-23T08:00:00Z");
    let levels: Vec<&str> = doc["severity_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["severity"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["SEV2", "SEV1"]);
    assert_eq!(doc["whys"].as_array().unwrap().len(), 5);
    assert_eq!(doc["assessment"]["suggested_severity"], "SEV2");
    assert_eq!(
        doc["assessment"]["checked"][1]["label"],
        "monitoring and alerting identified an issue"
    );
    assert_eq!(doc["assessment"]["answers"][4]["answer"], "12");
    let items: Vec<(&str, &str, bool)> = doc["action_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap(),
                a["status"].as_str().unwrap(),
                a["overdue"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            ("A-1", "open", true),
            ("A-2", "open", false),
            ("A-3", "done", false)
        ]
    );
    let roles: Vec<(&str, &str)> = doc["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["role"].as_str().unwrap(), r["person"].as_str().unwrap()))
        .collect();
    assert_eq!(
        roles,
        [("commander", "alice"), ("scribe", "bob"), ("commander", "carol")]
    );
}

#[test]
fn the_retrospective_waits_for_resolution_and_ends_at_closing() {
    let mut env = Env::new();
    env.declare("X", &[]);
    let err = env.fails(2, &["retro", "1"]);
    assert!(
        err.contains("INC-1 is investigating: the retrospective comes after resolution; resolve it first with 'incident resolve INC-1'"),
        "{err}"
    );
    let file = answers(&env, "a.toml", "root_cause = \"x\"\n");
    env.fails(2, &["retro", "1", "--answers", &file]);
    env.fails(2, &["retro", "1", "--complete", "--no-actions", "none needed"]);
    assert_eq!(kinds(&env.show("1")), ["declared"], "nothing recorded");
    let err = env.fails(1, &["retro", "9", "--answers", &file]);
    assert!(err.contains("no incident INC-9"), "{err}");

    env.at("2026-11-23T09:00:00Z").ok(&["resolve", "1"]);
    env.ok(&[
        "retro",
        "1",
        "--answers",
        &file,
        "--complete",
        "--no-actions",
        "one-off hardware fault",
    ]);
    let i = env.show("1");
    assert_eq!(i["status"], "closed");
    assert_eq!(
        last_event(&i)["text"],
        "Closed: retrospective complete, no action items: one-off hardware fault"
    );
    let err = env.fails(2, &["retro", "1", "--answers", &file]);
    assert!(
        err.contains("INC-1 is closed: its retrospective is complete"),
        "{err}"
    );
    // Completing again (a retried script) is not an error and records nothing.
    let events = kinds(&env.show("1")).len();
    let talk = env.talk(&["retro", "1", "--complete"]);
    assert!(talk.contains("already complete; nothing changed"), "{talk}");
    assert_eq!(kinds(&env.show("1")).len(), events);
    // Export still works, and says why there are no action items.
    let md = env.ok(&["retro", "1", "--export", "md"]);
    assert!(
        md.contains("## Action items\n\nNone: one\\-off hardware fault")
            || md.contains("None: one-off hardware fault"),
        "{md}"
    );
}

#[test]
fn only_the_retrospective_closes_an_incident() {
    let mut env = Env::new();
    resolved(&mut env);
    // `update` does not offer it.
    let err = env.fails(2, &["update", "1", "--status", "closed"]);
    assert!(err.contains("invalid value 'closed' for '--status"), "{err}");
    assert_eq!(env.show("1")["status"], "resolved");
}

#[test]
fn complete_refuses_and_names_what_is_missing() {
    let mut env = Env::new();
    resolved(&mut env);
    let before = env.bytes();
    let err = env.fails(2, &["retro", "1", "--complete"]);
    assert!(
        err.contains(
            "cannot complete the retrospective of INC-1: it needs a root cause and at least one action item (or --no-actions \"reason\")"
        ),
        "{err}"
    );
    // Answers and completion are one step: a refusal keeps the answers out too.
    let file = answers(&env, "a.toml", "root_cause = \"no index on orders.created_at\"\n");
    let err = env.fails(2, &["retro", "1", "--answers", &file, "--complete"]);
    assert!(err.contains("it needs at least one action item"), "{err}");
    assert!(!err.contains("root cause"), "{err}");
    assert_eq!(env.bytes(), before, "nothing stored");

    env.ok(&["retro", "1", "--answers", &file]);
    env.ok(&[
        "action",
        "add",
        "1",
        "Add the index",
        "--owner",
        "bob",
        "--due",
        "3d",
        "--kind",
        "corrective",
    ]);
    let err = env.fails(2, &["retro", "1", "--complete", "--no-actions", "none"]);
    assert!(
        err.contains("INC-1 has action items (A-1 and 0 more); leave out --no-actions"),
        "{err}"
    );
    let err = env.fails(2, &["retro", "1", "--complete", "--no-actions", "  "]);
    assert!(err.contains("--no-actions needs a reason"), "{err}");
    env.ok(&["retro", "1", "--complete"]);
    assert_eq!(env.show("1")["status"], "closed");

    // A closed incident can be reopened; its retrospective is then due again.
    env.ok(&["reopen", "1", "--reason", "errors are back"]);
    let i = env.show("1");
    assert_eq!(i["closed_at"], Value::Null);
    env.ok(&["resolve", "1"]);
    env.ok(&["retro", "1", "--complete"]);
}

#[test]
fn the_retrospective_can_be_edited_until_complete_and_every_edit_is_an_event() {
    let mut env = Env::new();
    resolved(&mut env);
    env.at("2026-11-24T10:00:00Z");
    let first = answers(
        &env,
        "first.toml",
        "impact = \"Checkout down for 2h\"\nwhys = [\"timeouts\", \"locked table\"]\nroot_cause = \"migration at peak\"\n",
    );
    env.ok(&["retro", "1", "--answers", &first]);
    env.at("2026-11-24T11:00:00Z");
    let second = answers(
        &env,
        "second.toml",
        "root_cause = \"unreviewed migration at peak\"\nlucky = [\"quiet day\"]\n",
    );
    let i = env.json(&["--as", "bob", "retro", "1", "--answers", &second]);
    assert_eq!(i["key"], "INC-1", "--json prints the incident");
    let edit = last_event(&i);
    assert_eq!(edit["kind"], "retro_updated");
    assert_eq!(edit["author"], "bob");
    assert_eq!(
        edit["text"],
        "Retrospective updated: root cause, where we got lucky"
    );
    assert_eq!(
        edit["details"]["changed"],
        serde_json::json!(["root_cause", "lucky"])
    );
    assert_eq!(
        edit["details"]["values"]["root_cause"],
        "unreviewed migration at peak"
    );

    // The same answers again change nothing, and record nothing.
    let talk = env.talk(&["retro", "1", "--answers", &second]);
    assert!(talk.contains("INC-1: nothing changed"), "{talk}");
    assert_eq!(
        kinds(&env.show("1"))
            .iter()
            .filter(|k| *k == "retro_updated")
            .count(),
        2
    );

    let doc: Value = serde_json::from_str(&env.ok(&["retro", "1", "--export", "json"])).unwrap();
    assert_eq!(
        doc["impact"], "Checkout down for 2h",
        "untouched by the second file"
    );
    assert_eq!(doc["root_cause"], "unreviewed migration at peak");
    assert_eq!(doc["whys"], serde_json::json!(["timeouts", "locked table"]));
    assert_eq!(doc["lucky"], serde_json::json!(["quiet day"]));
}

#[test]
fn bad_answers_files_are_refused_with_the_place_of_the_mistake() {
    let mut env = Env::new();
    resolved(&mut env);
    let before = env.bytes();
    let typo = answers(&env, "typo.toml", "impact = \"x\"\nroot_casue = \"y\"\n");
    let err = env.fails(2, &["retro", "1", "--answers", &typo]);
    assert!(
        err.contains("typo.toml: line 2: unknown field `root_casue`"),
        "{err}"
    );
    let past = answers(
        &env,
        "past.toml",
        "[[actions]]\ntext = \"x\"\nowner = \"bob\"\ndue = \"2020-01-01\"\nkind = \"detective\"\n",
    );
    let err = env.fails(2, &["retro", "1", "--answers", &past]);
    assert!(
        err.contains("actions[1].due: due date 2020-01-01 has passed"),
        "{err}"
    );
    let err = env.fails(2, &["retro", "1", "--answers", "/nonexistent/retro.toml"]);
    assert!(
        err.contains("cannot read answers file /nonexistent/retro.toml"),
        "{err}"
    );
    assert_eq!(env.bytes(), before);
}

#[test]
fn answers_can_come_from_stdin() {
    let mut env = Env::new();
    resolved(&mut env);
    env.cmd()
        .args(["retro", "1", "--answers", "-"])
        .write_stdin("root_cause = \"from a pipe\"\n")
        .assert()
        .success();
    let doc: Value = serde_json::from_str(&env.ok(&["retro", "1", "--export", "json"])).unwrap();
    assert_eq!(doc["root_cause"], "from a pipe");
}

#[test]
fn without_a_terminal_or_answers_it_fails_at_once() {
    let mut env = Env::new();
    resolved(&mut env);
    let out = env
        .cmd()
        .args(["retro", "1"])
        .timeout(Duration::from_secs(10))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("without one pass --answers FILE (see examples/retro-answers.toml)"),
        "{err}"
    );
}

#[test]
fn action_items_are_listed_across_incidents_and_fall_overdue_as_time_passes() {
    let mut env = Env::new();
    resolved(&mut env);
    env.at("2026-11-23T11:00:00Z");
    env.declare("Search is slow", &[]);
    let add = |env: &Env, key: &str, text: &str, owner: &str, due: &str, kind: &str| {
        env.ok(&[
            "action", "add", key, text, "--owner", owner, "--due", due, "--kind", kind,
        ])
        .trim()
        .to_string()
    };
    assert_eq!(
        add(&env, "INC-1", "Alert on lag", "erin", "2026-12-15", "detective"),
        "A-1"
    );
    assert_eq!(
        add(&env, "inc-2", "Cache queries", "bob", "2026-12-01", "preventive"),
        "A-2"
    );
    assert_eq!(add(&env, "1", "Runbook", "erin", "1w", "corrective"), "A-3");
    let ids = |env: &Env, args: &[&str]| -> Vec<String> {
        let mut all = vec!["action", "list"];
        all.extend_from_slice(args);
        env.json(&all)
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&env, &[]), ["A-3", "A-2", "A-1"], "soonest due first");
    assert_eq!(ids(&env, &["--owner", "erin"]), ["A-3", "A-1"]);
    assert_eq!(ids(&env, &["--incident", "INC-1"]), ["A-1", "A-3"]);
    assert_eq!(ids(&env, &["--overdue"]), Vec::<String>::new());

    // A-3 is due 2026-11-30: still fine that day, overdue the next.
    env.at("2026-11-30T23:59:00Z");
    assert_eq!(ids(&env, &["--overdue"]), Vec::<String>::new());
    env.at("2026-12-01T00:00:00Z");
    assert_eq!(ids(&env, &["--overdue"]), ["A-3"]);
    env.at("2026-12-02T09:00:00Z");
    assert_eq!(ids(&env, &["--overdue"]), ["A-3", "A-2"]);
    env.ok(&["action", "done", "A-2"]);
    assert_eq!(ids(&env, &["--overdue"]), ["A-3"], "done is never overdue");
    assert_eq!(ids(&env, &["--open"]), ["A-3", "A-1"]);
    assert_eq!(ids(&env, &["--open", "--owner", "bob"]), Vec::<String>::new());

    let listed = env.json(&["action", "list", "--owner", "erin"]);
    let runbook = &listed[0];
    assert_eq!(runbook["incident"], "INC-1");
    assert_eq!(runbook["due"], "2026-11-30");
    assert_eq!(runbook["overdue"], true);
    assert_eq!(runbook["status"], "open");
    assert_eq!(runbook["kind"], "corrective");

    let table = env.ok(&["action", "list"]);
    snapshot!(table);

    // `check` reports overdue items as missed (exit 3), soon-due ones as due.
    env.at("2026-12-15T23:50:00Z");
    let out = env.cmd().args(["--json", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows: Vec<(&str, &str)> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["target"].as_str().unwrap().starts_with("action"))
        .map(|r| (r["target"].as_str().unwrap(), r["state"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [("action A-3", "missed"), ("action A-1", "due_soon")]);
    let human = env.cmd().args(["check"]).output().unwrap();
    assert!(String::from_utf8_lossy(&human.stdout).contains("Runbook (owner erin)"));
    let stats = env.json(&["stats", "--since", "90d"]);
    assert_eq!(
        stats["action_items"],
        serde_json::json!({"open": 2, "overdue": 1})
    );
    env.ok(&["action", "done", "A-3"]);
    env.ok(&["action", "done", "A-1"]);
    let out = env.cmd().args(["--json", "check"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !report["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["target"].as_str().unwrap().starts_with("action"))
    );
}

#[test]
fn action_items_record_their_changes_on_the_incident_timeline() {
    let mut env = Env::new();
    resolved(&mut env);
    env.ok(&[
        "action",
        "add",
        "1",
        "Alert on lag",
        "--owner",
        "erin",
        "--due",
        "2026-12-15",
        "--kind",
        "detective",
    ]);
    let i = env.show("1");
    let added = last_event(&i);
    assert_eq!(added["kind"], "action_added");
    assert_eq!(
        added["text"],
        "Action A-1 (detective, erin, due 2026-12-15): Alert on lag"
    );
    assert_eq!(added["details"]["owner"], "erin");

    let item = env.json(&["action", "link", "a-1", "https://tracker.example/OPS-12"]);
    assert_eq!(item["link"], "https://tracker.example/OPS-12");
    assert_eq!(last_event(&env.show("1"))["kind"], "action_linked");

    env.at("2026-11-25T12:00:00Z");
    let item = env.json(&["action", "done", "1", "--note", "alert live"]);
    assert_eq!(item["status"], "done");
    assert_eq!(item["done_at"], "2026-11-25T12:00:00Z");
    assert_eq!(item["note"], "alert live");
    let i = env.show("1");
    assert_eq!(
        last_event(&i)["text"],
        "Action A-1 done: Alert on lag (alert live)"
    );
    let events = kinds(&i).len();
    let talk = env.talk(&["action", "done", "A-1"]);
    assert!(
        talk.contains("A-1 (INC-1) already done; nothing changed"),
        "{talk}"
    );
    assert_eq!(kinds(&env.show("1")).len(), events, "no event for no change");
}

#[test]
fn action_mistakes_are_usage_errors_or_not_found() {
    let mut env = Env::new();
    resolved(&mut env);
    let add = [
        "action",
        "add",
        "1",
        "x",
        "--owner",
        "erin",
        "--kind",
        "detective",
        "--due",
    ];
    let err = env.fails(2, &[&add[..], &["2026-11-01"]].concat());
    assert!(
        err.contains("--due: due date 2026-11-01 has passed (today is 2026-11-23)"),
        "{err}"
    );
    let err = env.fails(2, &[&add[..], &["someday"]].concat());
    assert!(err.contains("use YYYY-MM-DD"), "{err}");
    let err = env.fails(
        2,
        &[
            "action",
            "add",
            "1",
            " ",
            "--owner",
            "erin",
            "--due",
            "1d",
            "--kind",
            "detective",
        ],
    );
    assert!(err.contains("the action item is empty"), "{err}");
    let err = env.fails(
        1,
        &[
            "action",
            "add",
            "7",
            "x",
            "--owner",
            "e",
            "--due",
            "1d",
            "--kind",
            "detective",
        ],
    );
    assert!(err.contains("no incident INC-7"), "{err}");
    let err = env.fails(1, &["action", "done", "A-9"]);
    assert!(
        err.contains("no action item A-9; run 'incident action list'"),
        "{err}"
    );
    let err = env.fails(2, &["action", "done", "B-1"]);
    assert!(err.contains("invalid action id 'B-1'"), "{err}");
    env.ok(&[&add[..], &["1d"]].concat());
    let err = env.fails(2, &["action", "link", "1", "not a url"]);
    assert!(err.contains("is not a link"), "{err}");
}

#[test]
fn hostile_user_text_renders_safely_in_markdown_and_tables() {
    let mut env = Env::new();
    env.declare("Pipes | and `ticks` \u{1b}[2J", &[]);
    env.ok(&["update", "1", "line one\nline | two\n# heading?\n\u{7}bell"]);
    env.at("2026-11-23T09:00:00Z").ok(&["resolve", "1"]);
    let file = answers(
        &env,
        "nasty.toml",
        "root_cause = \"a | b\\n- c `d` \\u001b[31mred\"\nwhys = [\"<script>alert(1)</script>\"]\n\
         [[actions]]\ntext = \"fix | it\\nnow `x`\"\nowner = \"e|rin\"\ndue = \"1d\"\nkind = \"corrective\"\n",
    );
    env.ok(&["retro", "1", "--answers", &file]);
    let md = env.ok(&["retro", "1", "--export", "md"]);
    assert!(!md.contains('\u{1b}') && !md.contains('\u{7}'), "{md}");
    markdown_rows_keep_their_width(&md);
    assert!(
        md.contains("# Postmortem INC-1: Pipes \\| and \\`ticks\\` \\\\u{1b}\\[2J"),
        "{md}"
    );
    assert!(
        md.contains("line one<br>line \\| two<br>\\# heading?<br>\\\\u{7}bell"),
        "{md}"
    );
    assert!(md.contains("a \\| b<br>\\- c \\`d\\` \\\\u{1b}\\[31mred"), "{md}");
    assert!(md.contains("1. \\<script\\>alert(1)\\</script\\>"), "{md}");
    assert!(
        md.contains("| A-1 | fix \\| it<br>now \\`x\\` | corrective | e\\|rin |"),
        "{md}"
    );
    // The JSON keeps the text exactly as given.
    let doc: Value = serde_json::from_str(&env.ok(&["retro", "1", "--export", "json"])).unwrap();
    assert_eq!(doc["root_cause"], "a | b\n- c `d` \u{1b}[31mred");
    // The terminal table shows escapes, not control characters.
    let table = env.ok(&["action", "list"]);
    assert!(!table.contains('\u{1b}'), "{table}");
    assert!(table.contains("fix | it ⏎ now `x`"), "{table}");
}

mod pty {
    //! The interactive retrospective, driven through a real pseudo-terminal.

    use super::*;
    use rexpect::process::WaitStatus;
    use rexpect::session::{PtySession, spawn_command};

    fn spawn(env: &Env, args: &[&str]) -> PtySession {
        let mut cmd = env.std_cmd();
        cmd.env("TERM", "xterm").env("NO_COLOR", "1").args(args);
        spawn_command(cmd, Some(10_000)).unwrap()
    }

    fn answer(p: &mut PtySession, prompt: &str, text: &str) {
        p.exp_string(prompt).unwrap();
        p.send_line(text).unwrap();
    }

    /// Sends keys without a newline, right away.
    fn key(p: &mut PtySession, keys: &str) {
        p.send(keys).unwrap();
        p.flush().unwrap();
    }

    fn exit_code(p: &PtySession) -> Option<i32> {
        match p.process().wait().unwrap() {
            WaitStatus::Exited(_, code) => Some(code),
            _ => None,
        }
    }

    #[test]
    fn the_interactive_retrospective_records_everything_after_confirmation() {
        let mut env = Env::new();
        resolved(&mut env);
        env.at("2026-11-24T10:00:00Z");
        env.ok(&["update", "1", "Backdated finding", "--at", "2026-11-23T08:30:00Z"]);
        let mut p = spawn(&env, &["retro", "INC-1"]);
        p.exp_string("Retrospective of INC-1: Checkout returns 500s")
            .unwrap();
        // The timeline in the order things happened, not the order typed.
        let shown = p.exp_string("Blameless").unwrap();
        let finding = shown.find("Backdated finding").expect("timeline shown");
        let resolved_at = shown.find("Resolved: rolled back").expect("timeline shown");
        assert!(finding < resolved_at, "{shown}");

        answer(
            &mut p,
            "Impact on customers and the business",
            "Checkout down for 2h",
        );
        answer(
            &mut p,
            "Why 1/5: Why did this incident happen?",
            "Requests timed out",
        );
        answer(
            &mut p,
            "Why 2/5: Why did \"Requests timed out\" happen?",
            "The table was locked",
        );
        answer(&mut p, "Why 3/5: Why did \"The table was locked\" happen?", "");
        // The root cause starts as the last why; add to it.
        answer(&mut p, "Root cause", " by a migration");
        // No changes were recorded before it: both are asked.
        answer(
            &mut p,
            "Trigger: what set it off",
            "Migration 42 started at 08:00",
        );
        answer(&mut p, "Lead-up", "");
        answer(&mut p, "Contributing factor", "No lock alert");
        answer(&mut p, "Contributing factor", "");
        answer(&mut p, "What went well", "Fast rollback");
        answer(&mut p, "What went well", "");
        answer(&mut p, "What went badly", "");
        answer(&mut p, "Where we got lucky", "Quiet day");
        answer(&mut p, "Where we got lucky", "");
        answer(&mut p, "Action item", "Alert on lock waits");
        answer(&mut p, "Owner", "erin");
        answer(&mut p, "Due", "2026-12-15");
        p.exp_string("Kind").unwrap();
        key(&mut p, "\x1b[B"); // preventive
        key(&mut p, "\r");
        answer(&mut p, "Action item", "");
        // The review lists every answer, numbered; Enter records them.
        p.exp_string("Review of the retrospective of INC-1").unwrap();
        p.exp_string("2. Why 1: Requests timed out").unwrap();
        p.exp_string("5. Trigger: Migration 42 started at 08:00").unwrap();
        p.exp_string("9. Action item: Alert on lock waits (preventive, erin, due 2026-12-15)")
            .unwrap();
        answer(&mut p, "Enter records it", "");
        p.exp_string("Complete it now and close INC-1?").unwrap();
        key(&mut p, "n");
        p.exp_string("INC-1: updated impact, five whys, root cause")
            .unwrap();
        p.exp_eof().unwrap();
        assert_eq!(exit_code(&p), Some(0));

        let doc: Value = serde_json::from_str(&env.ok(&["retro", "1", "--export", "json"])).unwrap();
        assert_eq!(doc["status"], "resolved", "not completed");
        assert_eq!(doc["impact"], "Checkout down for 2h");
        assert_eq!(
            doc["whys"],
            serde_json::json!(["Requests timed out", "The table was locked"])
        );
        assert_eq!(doc["root_cause"], "The table was locked by a migration");
        assert_eq!(doc["trigger"], "Migration 42 started at 08:00");
        assert_eq!(doc["contributing_factors"], serde_json::json!(["No lock alert"]));
        assert_eq!(doc["went_well"], serde_json::json!(["Fast rollback"]));
        assert_eq!(doc["went_badly"], serde_json::json!([]));
        assert_eq!(doc["lucky"], serde_json::json!(["Quiet day"]));
        let item = &doc["action_items"][0];
        assert_eq!(item["text"], "Alert on lock waits");
        assert_eq!(item["owner"], "erin");
        assert_eq!(item["due"], "2026-12-15");
        assert_eq!(item["kind"], "preventive");
    }

    #[test]
    fn completing_interactively_closes_the_incident() {
        let mut env = Env::new();
        resolved(&mut env);
        let file = answers(&env, "a.toml", "root_cause = \"x\"\n");
        env.ok(&["retro", "1", "--answers", &file]);
        env.ok(&[
            "action",
            "add",
            "1",
            "y",
            "--owner",
            "bob",
            "--due",
            "1w",
            "--kind",
            "corrective",
        ]);
        let mut p = spawn(&env, &["retro", "1"]);
        answer(&mut p, "Impact", "");
        answer(&mut p, "Why 1/5", "");
        // Enter keeps the recorded root cause.
        answer(&mut p, "Root cause", "");
        answer(&mut p, "Trigger", "");
        answer(&mut p, "Lead-up", "");
        for prompt in [
            "Contributing factor",
            "What went well",
            "What went badly",
            "Where we got lucky",
        ] {
            answer(&mut p, prompt, "");
        }
        p.exp_string("Action items recorded so far").unwrap();
        answer(&mut p, "Action item", "");
        answer(&mut p, "Enter records it", "");
        p.exp_string("Complete it now and close INC-1?").unwrap();
        key(&mut p, "y");
        p.exp_eof().unwrap();
        assert_eq!(exit_code(&p), Some(0));
        assert_eq!(env.show("1")["status"], "closed");
    }

    /// Walks to the middle of the interview, with answers typed.
    fn halfway(env: &Env) -> PtySession {
        let mut p = spawn(env, &["retro", "1"]);
        answer(&mut p, "Impact on customers and the business", "Checkout down");
        answer(&mut p, "Why 1/5", "Requests timed out");
        answer(&mut p, "Why 2/5", "");
        answer(&mut p, "Root cause", " by a migration");
        answer(&mut p, "Trigger", "");
        answer(&mut p, "Lead-up", "");
        answer(&mut p, "Contributing factor", "No alert");
        p.exp_string("Contributing factor").unwrap();
        p
    }

    /// Esc or Ctrl-C pause: the answers given are kept as a draft, nothing
    /// is recorded, and the next run offers to resume.
    #[test]
    fn ctrl_c_keeps_the_answers_as_a_draft_and_the_next_run_resumes_it() {
        let mut env = Env::new();
        resolved(&mut env);
        let mut p = halfway(&env);
        p.send_control('c').unwrap();
        p.exp_string("INC-1: retrospective paused; nothing was recorded, the answers so far are kept as a draft: 'incident retro INC-1' resumes it")
            .unwrap();
        p.exp_eof().unwrap();
        assert_eq!(exit_code(&p), Some(130));
        assert_eq!(kinds(&env.show("1")), ["declared", "role_assigned", "resolved"]);
        let doc: Value = serde_json::from_str(&env.ok(&["retro", "1", "--export", "json"])).unwrap();
        assert_eq!(doc["impact"], Value::Null, "nothing recorded");

        env.at("2026-11-23T11:00:00Z");
        let mut p = spawn(&env, &["retro", "1"]);
        p.exp_string("Resume the draft alice saved at 2026-11-23 10:00?")
            .unwrap();
        key(&mut p, "y");
        // Every answer so far is filled in: Enter keeps each.
        p.exp_string("Impact on customers and the business: Checkout down")
            .unwrap();
        p.send_line("").unwrap();
        p.exp_string("Why 1/5: Why did this incident happen? (empty to stop): Requests timed out")
            .unwrap();
        p.send_line("").unwrap();
        answer(&mut p, "Why 2/5", "");
        answer(&mut p, "Root cause", "");
        answer(&mut p, "Trigger", "");
        answer(&mut p, "Lead-up", "");
        p.exp_string("Contributing factor, so far:").unwrap();
        p.exp_string("- No alert").unwrap();
        for prompt in [
            "Contributing factor",
            "What went well",
            "What went badly",
            "Where we got lucky",
            "Action item",
        ] {
            answer(&mut p, prompt, "");
        }
        answer(&mut p, "Enter records it", "");
        p.exp_string("INC-1: updated impact").unwrap();
        p.exp_eof().unwrap();
        assert_eq!(exit_code(&p), Some(0));
        let doc: Value = serde_json::from_str(&env.ok(&["retro", "1", "--export", "json"])).unwrap();
        assert_eq!(doc["impact"], "Checkout down");
        assert_eq!(doc["root_cause"], "Requests timed out by a migration");
        assert_eq!(doc["contributing_factors"], serde_json::json!(["No alert"]));
        // Recorded: the draft is gone, so the next run starts from the record.
        let mut p = spawn(&env, &["retro", "1"]);
        p.exp_string("Impact on customers and the business: Checkout down")
            .unwrap();
        key(&mut p, "\x1b");
        p.exp_string("INC-1: retrospective").unwrap();
        p.exp_eof().unwrap();
        assert_eq!(exit_code(&p), Some(130));
    }

    /// The review numbers every answer; a number edits it (list items and
    /// action items too), an empty list item is removed, '+' adds one.
    #[test]
    fn the_review_edits_any_answer_before_recording() {
        let mut env = Env::new();
        resolved(&mut env);
        let mut p = halfway(&env);
        p.send_line("").unwrap();
        for prompt in ["What went well", "What went badly", "Where we got lucky"] {
            answer(&mut p, prompt, "");
        }
        answer(&mut p, "Action item", "Alert on lock waits");
        answer(&mut p, "Owner", "erin");
        answer(&mut p, "Due", "2w");
        p.exp_string("Kind").unwrap();
        key(&mut p, "\r");
        answer(&mut p, "Action item", "");
        p.exp_string("5. Contributing factor: No alert").unwrap();
        p.exp_string("6. Action item: Alert on lock waits (detective, erin, due 2026-12-07)")
            .unwrap();
        // Fix a typo in why 1: Ctrl-U clears the line, then the new text.
        answer(&mut p, "Enter records it", "2");
        p.exp_string("Why 1 (empty removes a list item): Requests timed out")
            .unwrap();
        p.send_line("\x15Requests timed out at the load balancer")
            .unwrap();
        p.exp_string("2. Why 1: Requests timed out at the load balancer")
            .unwrap();
        // Remove the contributing factor.
        answer(&mut p, "Enter records it", "5");
        p.exp_string("Contributing factor (empty removes a list item): No alert")
            .unwrap();
        p.send_line("\x15").unwrap();
        // Add something that went well.
        answer(&mut p, "Enter records it", "+");
        p.exp_string("Add to").unwrap();
        key(&mut p, "\x1b[B");
        p.exp_string("> Contributing factor").unwrap();
        key(&mut p, "\x1b[B");
        p.exp_string("> What went well").unwrap();
        key(&mut p, "\r");
        answer(&mut p, "What went well", "Fast rollback");
        p.exp_string("5. What went well: Fast rollback").unwrap();
        answer(&mut p, "Enter records it", "");
        p.exp_string("Complete it now").unwrap();
        key(&mut p, "n");
        p.exp_eof().unwrap();
        assert_eq!(exit_code(&p), Some(0));
        let doc: Value = serde_json::from_str(&env.ok(&["retro", "1", "--export", "json"])).unwrap();
        assert_eq!(
            doc["whys"],
            serde_json::json!(["Requests timed out at the load balancer"])
        );
        assert_eq!(doc["contributing_factors"], serde_json::json!([]));
        assert_eq!(doc["went_well"], serde_json::json!(["Fast rollback"]));
        assert_eq!(doc["action_items"][0]["text"], "Alert on lock waits");
    }

    /// 'e N' opens $EDITOR on that answer, for a long one.
    #[test]
    fn the_review_opens_the_editor_on_an_answer() {
        let mut env = Env::new();
        resolved(&mut env);
        let mut cmd = env.std_cmd();
        cmd.env("TERM", "xterm")
            .env("NO_COLOR", "1")
            .env("EDITOR", "sed -i s/timed.out/were_slow/")
            .args(["retro", "1"]);
        let mut p = spawn_command(cmd, Some(10_000)).unwrap();
        answer(&mut p, "Impact on customers and the business", "Checkout down");
        answer(&mut p, "Why 1/5", "Requests timed out");
        for prompt in [
            "Why 2/5",
            "Root cause",
            "Trigger",
            "Lead-up",
            "Contributing factor",
            "What went well",
            "What went badly",
            "Where we got lucky",
            "Action item",
        ] {
            answer(&mut p, prompt, "");
        }
        answer(&mut p, "Enter records it", "e 2");
        p.exp_string("2. Why 1: Requests were_slow").unwrap();
        answer(&mut p, "Enter records it", "");
        p.exp_eof().unwrap();
        assert_eq!(exit_code(&p), Some(0));
        let doc: Value = serde_json::from_str(&env.ok(&["retro", "1", "--export", "json"])).unwrap();
        assert_eq!(doc["whys"], serde_json::json!(["Requests were_slow"]));
    }

    #[test]
    fn stopping_at_the_review_records_nothing_and_keeps_the_draft() {
        let mut env = Env::new();
        resolved(&mut env);
        let mut p = halfway(&env);
        p.send_line("").unwrap();
        for prompt in [
            "What went well",
            "What went badly",
            "Where we got lucky",
            "Action item",
        ] {
            answer(&mut p, prompt, "");
        }
        answer(&mut p, "Enter records it", "q");
        p.exp_string("INC-1: nothing was recorded; the answers are kept as a draft")
            .unwrap();
        p.exp_eof().unwrap();
        assert_eq!(exit_code(&p), Some(0));
        assert_eq!(kinds(&env.show("1")), ["declared", "role_assigned", "resolved"]);

        // The draft round-trips through a file: --draft-out, then --answers.
        let file = env.dir.path().join("draft.toml");
        let file = file.to_str().unwrap();
        let talk = env.talk(&["retro", "1", "--draft-out", file]);
        assert!(talk.contains("Wrote the draft of INC-1"), "{talk}");
        let text = std::fs::read_to_string(file).unwrap();
        assert!(text.contains("impact = \"Checkout down\""), "{text}");
        env.ok(&["retro", "1", "--answers", file]);
        let doc: Value = serde_json::from_str(&env.ok(&["retro", "1", "--export", "json"])).unwrap();
        assert_eq!(doc["impact"], "Checkout down");
        assert_eq!(doc["whys"], serde_json::json!(["Requests timed out"]));
        assert_eq!(doc["contributing_factors"], serde_json::json!(["No alert"]));
        // Recorded, the draft is gone: --draft-out writes the record.
        let talk = env.talk(&["retro", "1", "--draft-out", file]);
        assert!(
            talk.contains("Wrote the recorded retrospective of INC-1"),
            "{talk}"
        );
        assert_eq!(std::fs::read_to_string(file).unwrap(), text);
    }
}

#[test]
fn applying_the_same_answers_twice_adds_no_duplicate_action_items() {
    let mut env = Env::new();
    resolved(&mut env);
    let file = example_answers();
    let file = file.to_str().unwrap();
    env.ok(&["retro", "1", "--answers", file]);
    let first = env.json(&["action", "list"]).as_array().unwrap().len();
    assert!(first > 0);
    let talk = env.talk(&["retro", "1", "--answers", file]);
    assert!(talk.contains("A-1 already recorded"), "{talk}");
    assert_eq!(env.json(&["action", "list"]).as_array().unwrap().len(), first);
}
