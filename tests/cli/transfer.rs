//! Backup and move: export, import, round trips and idempotence.

use crate::support::*;
use serde_json::Value;
use std::path::Path;

/// An incident with something in every table, and a second plain one.
pub(crate) fn rich() -> Env {
    let mut env = Env::new();
    env.declare(
        "Checkout | payments 500s",
        &["-s", "SEV2", "--commander", "alice", "--service", "checkout"],
    );
    env.ok(&["assign-role", "1", "scribe", "bob"]);
    env.ok(&[
        "assess",
        "1",
        "--impact",
        "Card payments fail",
        "--sees",
        "HTTP 500",
        "--customers",
        "some",
        "--check",
        "A1",
        "--yes",
    ]);
    env.ok(&[
        "update",
        "1",
        "Rolled back\nwith a second line",
        "--kind",
        "action",
        "--status",
        "mitigated",
    ]);
    env.at("2026-11-23T10:00:00Z");
    env.ok(&["resolve", "1", "--summary", "Rolled back 4821"]);
    let answers = env.dir.path().join("retro.toml");
    std::fs::write(
        &answers,
        "impact = \"Two hours of failed payments\"\nroot_cause = \"An unindexed query\"\n",
    )
    .unwrap();
    env.ok(&["retro", "1", "--answers", answers.to_str().unwrap()]);
    env.ok(&[
        "action",
        "add",
        "1",
        "Add the index",
        "--owner",
        "erin",
        "--due",
        "2026-12-15",
        "--kind",
        "corrective",
    ]);
    env.ok(&["action", "link", "A-1", "https://tracker.example/OPS-1"]);
    env.declare("Search slow", &[]);
    env
}

fn export(env: &Env) -> Value {
    let mut doc: Value = serde_json::from_str(&env.ok(&["export"])).unwrap();
    doc.as_object_mut().unwrap().remove("exported_at");
    doc
}

fn import(env: &Env, file: &Path) -> String {
    env.talk(&["import", file.to_str().unwrap()])
}

fn save(env: &Env, name: &str) -> std::path::PathBuf {
    let path = env.dir.path().join(name);
    env.ok(&["export", "-o", path.to_str().unwrap()]);
    path
}

#[test]
fn a_round_trip_through_an_empty_database_is_lossless() {
    let a = rich();
    let file = save(&a, "backup.json");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let b = Env::new();
    let talk = import(&b, &file);
    assert!(talk.contains("2 added, 0 extended, 0 unchanged"), "{talk}");
    assert_eq!(export(&b), export(&a));
    for key in ["1", "2"] {
        assert_eq!(b.show(key), a.show(key));
    }
    assert_eq!(b.json(&["action", "list"]), a.json(&["action", "list"]));
    assert!(b.talk(&["verify"]).contains("every timeline is intact"));
    let file = export(&a);
    assert_eq!(
        (file["format"].as_str(), file["version"].as_u64()),
        (Some("incident-export"), Some(2))
    );
    let parts = file["incidents"][0].clone();
    for list in ["events", "roles", "assessments", "actions"] {
        assert!(
            !parts[list].as_array().unwrap().is_empty(),
            "{list} is part of the export"
        );
    }
    assert!(
        parts["retro"].is_object(),
        "the retrospective is part of the export"
    );
}

#[test]
fn importing_the_same_file_twice_changes_nothing() {
    let a = rich();
    let file = save(&a, "backup.json");
    let talk = import(&a, &file);
    assert!(talk.contains("0 added, 0 extended, 2 unchanged"), "{talk}");
    let before = export(&a);
    import(&a, &file);
    assert_eq!(export(&a), before);
    let report = a.json(&["import", file.to_str().unwrap()]);
    assert_eq!(report[0]["outcome"], "unchanged");
}

#[test]
fn into_a_different_database_taken_numbers_move_and_history_stays_verifiable() {
    let a = rich();
    let file = save(&a, "backup.json");
    let b = Env::new();
    b.declare("Their own first incident", &[]);
    let talk = import(&b, &file);
    // Each takes the next free number.
    assert!(talk.contains("INC-2 was INC-1 in the export"), "{talk}");
    assert!(talk.contains("INC-3 was INC-2 in the export"), "{talk}");
    let moved = b.show("2");
    let original = a.show("1");
    assert_eq!(moved["title"], original["title"]);
    // The assessment follows its `assessed` event to its new number.
    let (mut got, mut want) = (moved["assessment"].clone(), original["assessment"].clone());
    let event = got.as_object_mut().unwrap().remove("event_id").unwrap();
    want.as_object_mut().unwrap().remove("event_id");
    assert_eq!(got, want);
    let assessed = moved["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == event)
        .unwrap();
    assert_eq!(assessed["kind"], "assessed");
    assert_eq!(kinds(&moved), kinds(&original));
    assert_eq!(b.show("1")["title"], "Their own first incident");
    assert!(b.talk(&["verify"]).contains("3 incidents"));
}

#[test]
fn a_later_export_extends_what_an_earlier_one_restored() {
    let mut a = rich();
    let early = save(&a, "early.json");
    let b = Env::new();
    import(&b, &early);
    a.at("2026-11-24T09:00:00Z");
    a.ok(&["action", "done", "A-1", "--note", "index added"]);
    a.ok(&["update", "2", "Still slow", "--status", "identified"]);
    let late = save(&a, "late.json");
    let talk = import(&b, &late);
    assert!(talk.contains("0 added, 2 extended, 0 unchanged"), "{talk}");
    assert_eq!(export(&b), export(&a));

    // Both sides moved on: the incident is left alone, with a warning.
    b.ok(&["update", "2", "Recorded only in the mirror"]);
    a.ok(&["update", "2", "Recorded only in the original"]);
    let diverged = save(&a, "diverged.json");
    let out = b
        .cmd()
        .args(["import", diverged.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("INC-2: here and in the file, different events"));
    let texts: Vec<String> = b.show("2")["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap().to_string())
        .collect();
    assert!(texts.iter().any(|t| t == "Recorded only in the mirror"));
    assert!(!texts.iter().any(|t| t == "Recorded only in the original"));
}

#[test]
fn files_that_are_not_exports_are_refused_and_nothing_changes() {
    let a = rich();
    let before = a.bytes();
    let dir = a.dir.path();
    let cases: &[(&str, &str, &str)] = &[
        ("junk.json", "not json", "not an incident export"),
        (
            "other.json",
            r#"{"format": "something-else", "schema_version": 1, "incidents": []}"#,
            "has format 'something-else'",
        ),
        (
            "future.json",
            r#"{"format": "incident-export", "version": 999, "incidents": []}"#,
            "format version 999, newer than",
        ),
        (
            "broken.json",
            r#"{"format": "incident-export-v1", "schema_version": 1, "incidents": [{"incident": {"title": "no uid"}}]}"#,
            "incident #1: missing field `id`",
        ),
    ];
    for (name, content, want) in cases {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        let out = a.cmd().args(["import", path.to_str().unwrap()]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{name}");
        assert!(err.contains(want), "{name}: {err}");
    }
    let err = a.fails(2, &["import", dir.join("missing.json").to_str().unwrap()]);
    assert!(err.contains("cannot read"), "{err}");
    assert_eq!(a.bytes(), before);
}

#[test]
fn export_takes_keys_and_reads_stdin_on_import() {
    let a = rich();
    let one: Value = serde_json::from_str(&a.ok(&["export", "INC-2"])).unwrap();
    assert_eq!(one["incidents"].as_array().unwrap().len(), 1);
    assert_eq!(one["incidents"][0]["title"], "Search slow");
    assert_eq!(
        a.fails(1, &["export", "9"]),
        "error: no incident INC-9; run 'incident list --all'\n"
    );
    let b = Env::new();
    b.cmd()
        .args(["import", "-"])
        .write_stdin(a.ok(&["export", "2"]))
        .assert()
        .success();
    assert_eq!(b.show("2")["title"], "Search slow");
}
