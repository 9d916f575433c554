//! Backup and move: export, import, round trips and idempotence, alerts
//! included.

use crate::alerts::{RULES, fixture};
use crate::support::*;
use serde_json::{Value, json};
use std::path::Path;

/// An incident with something in every table, and a second plain one;
/// two alerts from Alertmanager's webhook (no rules: only recorded), the
/// first tied to INC-1 by hand and repeated, the second of no incident.
pub(crate) fn rich() -> Env {
    let mut env = Env::new();
    env.declare(
        "Checkout | payments 500s",
        &["-s", "SEV2", "--commander", "alice", "--service", "checkout"],
    );
    env.ok(&["ingest", &fixture("alertmanager-firing.json")]);
    env.ok(&["update", "1", "--attach-alert", "1"]);
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
    env.ok(&["ingest", &fixture("alertmanager-firing.json")]);
    env.declare("Search slow", &[]);
    env
}

/// `alerts --json` without the numbers each database gives its alerts.
fn alerts(env: &Env) -> Vec<Value> {
    let mut list = env.json(&["alerts"]).as_array().unwrap().clone();
    for alert in &mut list {
        alert.as_object_mut().unwrap().remove("id");
    }
    list.sort_by_key(|a| a["identity"].as_str().unwrap().to_string());
    list
}

/// An environment with the alert rules of tests/cli/alerts.rs.
fn with_rules() -> Env {
    let mut env = Env::new();
    env.with_config(RULES);
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
    assert!(talk.contains("alerts: 2 added, 0 updated, 0 unchanged"), "{talk}");
    assert_eq!(export(&b), export(&a));
    for key in ["1", "2"] {
        assert_eq!(b.show(key), a.show(key));
    }
    assert_eq!(alerts(&b), alerts(&a));
    assert!(b.ok(&["show", "1"]).contains("alerts       1 (1 firing)"));
    assert_eq!(b.json(&["action", "list"]), a.json(&["action", "list"]));
    assert!(b.talk(&["verify"]).contains("every timeline is intact"));
    let file = export(&a);
    assert_eq!(
        (file["format"].as_str(), file["version"].as_u64()),
        (Some("incident-export"), Some(3))
    );
    let parts = file["incidents"][0].clone();
    for list in ["events", "roles", "assessments", "actions", "alerts"] {
        assert!(
            !parts[list].as_array().unwrap().is_empty(),
            "{list} is part of the export"
        );
    }
    assert!(
        parts["retro"].is_object(),
        "the retrospective is part of the export"
    );
    let alert = &parts["alerts"][0];
    assert_eq!(
        (&alert["identity"], &alert["times_seen"], &alert["last_seen"]),
        (
            &json!("a4c8b0e6c0f3a1d2"),
            &json!(2),
            &json!("2026-11-23T10:00:00Z")
        )
    );
    // Its number travels (timelines name alerts by it); its incident is the
    // record it sits in.
    assert_eq!(
        alert["id"],
        a.json(&["alerts"])
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["identity"] == "a4c8b0e6c0f3a1d2")
            .unwrap()["id"]
    );
    assert!(alert.get("incident_id").is_none());
    // The alert of no incident, at the end of the file.
    assert_eq!(file["alerts"].as_array().unwrap().len(), 1);
    assert_eq!(file["alerts"][0]["identity"], "b5d9c1f7d1e4b2e3");
    // An export of some incidents carries their alerts, and no others.
    let some: Value = serde_json::from_str(&a.ok(&["export", "1"])).unwrap();
    assert_eq!(some["incidents"][0]["alerts"], parts["alerts"]);
    assert!(some.get("alerts").is_none());
}

#[test]
fn importing_the_same_file_twice_changes_nothing() {
    let a = rich();
    let file = save(&a, "backup.json");
    let talk = import(&a, &file);
    assert!(talk.contains("0 added, 0 extended, 2 unchanged"), "{talk}");
    assert!(talk.contains("alerts: 0 added, 0 updated, 2 unchanged"), "{talk}");
    let before = (export(&a), alerts(&a));
    import(&a, &file);
    assert_eq!((export(&a), alerts(&a)), before);
    // And into another database: the second time changes nothing there.
    let b = Env::new();
    import(&b, &file);
    let once = (b.bytes(), alerts(&b));
    let talk = import(&b, &file);
    assert!(talk.contains("alerts: 0 added, 0 updated, 2 unchanged"), "{talk}");
    assert_eq!((b.bytes(), alerts(&b)), once);
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

#[test]
fn a_file_of_format_version_2_imports_as_before() {
    // Written by the release before alerts travelled (fixtures/README.md).
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/fixtures/release-v2-export.json");
    let v2: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v2["version"], 2);
    let env = with_rules();
    let talk = import(&env, &path);
    assert!(talk.contains("2 added, 0 extended, 0 unchanged"), "{talk}");
    assert!(!talk.contains("alerts:"), "{talk}");
    assert!(env.talk(&["verify"]).contains("every timeline is intact"));
    // Everything the file had, as it had it; it carried no alerts, so the
    // alerts its events name are not here (never this database's alert 1).
    let mut want = v2.clone();
    want["version"] = json!(4);
    want.as_object_mut().unwrap().remove("exported_at");
    for incident in want["incidents"].as_array_mut().unwrap() {
        incident["alerts"] = json!([]);
        for event in incident["events"].as_array_mut().unwrap() {
            if let Some(alert) = event["details"].get("alert_id").cloned() {
                event["renumbered"] = json!({"alerts": {alert.to_string(): 0}});
            }
        }
    }
    want["alerts"] = json!([]);
    assert_eq!(export(&env), want);
    assert!(alerts(&env).is_empty());
    // Again: unchanged.
    assert!(import(&env, &path).contains("0 added, 0 extended, 2 unchanged"));
    // A version 2 file never held alerts: one that does is refused.
    let mut forged = v2.clone();
    forged["incidents"][0]["alerts"] = json!([]);
    let file = env.dir.path().join("forged.json");
    std::fs::write(&file, forged.to_string()).unwrap();
    let err = env.fails(2, &["import", file.to_str().unwrap()]);
    assert!(
        err.contains("incident #1: alerts: format version 2 carries no alerts"),
        "{err}"
    );
}

#[test]
fn an_alert_known_on_both_sides_merges_to_its_latest_state() {
    let generic = |env: &Env, key: &str| {
        let body = format!(r#"{{"key": "{key}", "summary": "Disk filling on db1", "severity": "info"}}"#);
        env.cmd()
            .args(["ingest", "-"])
            .write_stdin(body)
            .assert()
            .success();
    };
    // The file: an alert that opened INC-1, moved to the team database.
    let mut a = with_rules();
    a.ok(&["ingest", &fixture("alertmanager-firing.json")]);
    let file = save(&a, "first.json");
    let mut b = with_rules();
    import(&b, &file);
    // Each side sees more: here repeats, there the resolution, later.
    a.at("2026-11-23T08:10:00Z");
    a.ok(&["ingest", &fixture("alertmanager-firing.json")]);
    a.at("2026-11-23T08:12:00Z");
    a.ok(&["ingest", &fixture("alertmanager-firing.json")]);
    b.at("2026-11-23T08:30:00Z");
    b.ok(&["ingest", &fixture("alertmanager-resolved.json")]);
    // An alert of no incident that each side saw on its own, the team first.
    b.at("2026-11-23T07:30:00Z");
    generic(&b, "db1-disk");
    a.at("2026-11-23T08:40:00Z");
    generic(&a, "db1-disk");

    let theirs = save(&b, "theirs.json");
    let talk = import(&a, &theirs);
    assert!(talk.contains("0 added, 1 extended, 0 unchanged"), "{talk}");
    assert!(talk.contains("alerts: 0 added, 3 updated, 0 unchanged"), "{talk}");
    let merged = alerts(&a);
    let by = |identity: &str| merged.iter().find(|x| x["identity"] == identity).unwrap().clone();
    let first = by("a4c8b0e6c0f3a1d2");
    // The latest state (resolved, there), the larger count (here).
    assert_eq!(first["status"], "resolved");
    assert_eq!(first["ends_at"], "2026-11-23T08:20:00Z");
    assert_eq!(first["last_seen"], "2026-11-23T08:30:00Z");
    assert_eq!(first["times_seen"], 3);
    assert_eq!(first["first_seen"], "2026-11-23T08:00:00Z");
    assert_eq!(first["incident"], "INC-1");
    // The earlier first sighting (there), the latest state (here).
    let disk = by("db1-disk");
    assert_eq!(
        (
            &disk["first_seen"],
            &disk["last_seen"],
            &disk["times_seen"],
            &disk["incident"]
        ),
        (
            &json!("2026-11-23T07:30:00Z"),
            &json!("2026-11-23T08:40:00Z"),
            &json!(1),
            &Value::Null
        )
    );
    // Again: nothing changes.
    let before = (export(&a), alerts(&a));
    let talk = import(&a, &theirs);
    assert!(talk.contains("alerts: 0 added, 0 updated, 3 unchanged"), "{talk}");
    assert_eq!((export(&a), alerts(&a)), before);
    // And back the other way: both sides now hold the same.
    import(&b, &save(&a, "ours.json"));
    assert_eq!(alerts(&b), alerts(&a));
    assert_eq!(export(&b), export(&a));
}

#[test]
fn a_repeat_after_the_move_joins_the_old_incident() {
    let a = with_rules();
    a.ok(&["ingest", &fixture("alertmanager-firing.json")]);
    let file = save(&a, "move.json");
    // The team database numbers it INC-2: INC-1 is taken there.
    let mut team = with_rules();
    team.declare("Their own first incident", &[]);
    let talk = import(&team, &file);
    assert!(talk.contains("INC-2 was INC-1 in the export"), "{talk}");
    assert_eq!(alerts(&team)[0]["incident"], "INC-2");
    // Alertmanager repeats the still-firing alerts to the new home.
    team.at("2026-11-23T08:05:00Z");
    let out = team.ok(&["ingest", &fixture("alertmanager-firing.json")]);
    assert_eq!(
        out,
        "alert 1 firing (repeat): counted INC-2\nalert 2 firing (repeat): counted INC-2\n"
    );
    assert_eq!(team.json(&["list", "--all"]).as_array().unwrap().len(), 2);
    assert!(alerts(&team).iter().all(|x| x["times_seen"] == 2));
    // Their resolution resolves them on the incident they belong to.
    team.at("2026-11-23T08:30:00Z");
    let out = team.ok(&["ingest", &fixture("alertmanager-resolved.json")]);
    assert!(out.contains("resolved (resolved): updated INC-2"), "{out}");
    assert_eq!(last_event(&team.show("INC-2"))["kind"], "alert_resolved");
}

#[test]
fn alerts_keep_their_numbers_where_free_as_the_timeline_names_them() {
    let numbers = |env: &Env| -> Vec<(i64, String)> {
        let mut list: Vec<(i64, String)> = env
            .json(&["alerts"])
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["id"].as_i64().unwrap(),
                    a["identity"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        list.sort();
        list
    };
    let disk = |env: &Env| {
        env.cmd()
            .args(["ingest", "-"])
            .write_stdin(r#"{"key": "db1-disk", "summary": "Disk filling on db1"}"#)
            .assert()
            .success();
    };
    // Alert 1 belongs to no incident; INC-1 holds alerts 2 and 3, and only
    // INC-1 moves.
    let a = with_rules();
    disk(&a);
    a.ok(&["ingest", &fixture("alertmanager-firing.json")]);
    let file = a.dir.path().join("inc-1.json");
    a.ok(&["export", "INC-1", "-o", file.to_str().unwrap()]);
    // Into a database of its own they keep 2 and 3, so "Alert 3" in the
    // moved timeline is alert 3 in `alerts`.
    let fresh = with_rules();
    import(&fresh, &file);
    let moved: Vec<i64> = numbers(&fresh).iter().map(|(id, _)| *id).collect();
    assert_eq!(moved, [2, 3]);
    assert!(fresh.ok(&["show", "INC-1"]).contains("Alert 3 from alertmanager"));
    // Where a number is taken, the alert takes the next one; what was here
    // keeps its own.
    let team = Env::new();
    disk(&team);
    disk(&team);
    team.cmd()
        .args(["ingest", "-"])
        .write_stdin(r#"{"key": "db2-disk", "summary": "Disk filling on db2"}"#)
        .assert()
        .success();
    import(&team, &file);
    let here = numbers(&team);
    assert_eq!(
        &here[..2],
        [(1, "db1-disk".to_string()), (2, "db2-disk".to_string())]
    );
    assert_eq!(here.len(), 4, "{here:?}");
    // The file's alert 3 keeps its number; its alert 2 (taken) takes the next.
    let moved: std::collections::BTreeMap<String, i64> = numbers(&a)
        .into_iter()
        .filter(|(_, identity)| identity != "db1-disk")
        .map(|(id, identity)| (identity, id))
        .collect();
    let kept = here.iter().find(|(_, identity)| moved.get(identity) == Some(&3));
    assert_eq!(kept.map(|(id, _)| *id), Some(3), "{here:?}");
    let renumbered = here.iter().find(|(_, identity)| moved.get(identity) == Some(&2));
    assert_eq!(renumbered.map(|(id, _)| *id), Some(4), "{here:?}");
    team.ok(&["verify"]);
}

#[test]
fn an_import_that_renumbers_keeps_every_reference() {
    // A local history: INC-3 is a duplicate of INC-1, which has an action
    // item; an alert opened INC-4.
    let a = with_rules();
    a.declare("Checkout down", &[]);
    a.declare("Search slow", &[]);
    a.declare("Checkout errors", &[]);
    a.ok(&["duplicate", "3", "--of", "1"]);
    a.ok(&[
        "action",
        "add",
        "1",
        "Alert on lock waits",
        "--owner",
        "bob",
        "--due",
        "2026-12-01",
        "-k",
        "detective",
    ]);
    a.ok(&["ingest", &fixture("alertmanager-firing.json")]);
    let file = save(&a, "local.json");
    // The team database already has an unrelated INC-1 and A-1, and an
    // alert 1 that opened INC-2.
    let b = with_rules();
    b.declare("Unrelated", &[]);
    b.ok(&[
        "action",
        "add",
        "1",
        "Unrelated item",
        "--owner",
        "carol",
        "--due",
        "2026-12-01",
        "-k",
        "preventive",
    ]);
    b.ok(&["ingest", &fixture("generic.json")]);
    let talk = import(&b, &file);
    assert!(talk.contains("INC-5 was INC-3 in the export"), "{talk}");
    // The duplicate points at its own primary, now INC-3, and the timeline
    // says what the numbers it recorded are here.
    let dup = b.show("5");
    assert_eq!(dup["status"], "duplicate");
    let shown = b.ok(&["show", "5"]);
    assert!(shown.contains("duplicate of INC-3  Checkout down"), "{shown}");
    assert!(
        shown.contains("Duplicate of INC-1 (imported: INC-1 there is INC-3 here)"),
        "{shown}"
    );
    let marked = dup["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "marked_duplicate")
        .unwrap();
    assert_eq!(marked["renumbered"], json!({"incidents": {"1": 3}}));
    let primary = b.ok(&["show", "3"]);
    assert!(
        primary.contains("(imported: INC-3 there is INC-5 here)"),
        "{primary}"
    );
    assert!(primary.contains("(imported: A-1 there is A-2 here)"), "{primary}");
    // The alerts that opened the old INC-4 are tied to the new INC-6, and
    // its timeline says what their numbers are here.
    let tied: Vec<Value> = b
        .json(&["alerts"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["incident"] == "INC-6")
        .cloned()
        .collect();
    assert_eq!(tied.len(), 2, "{tied:?}");
    let opened = b.ok(&["show", "6"]);
    assert!(opened.contains("alert 1 there is alert 3 here"), "{opened}");
    assert!(b.talk(&["verify"]).contains("every timeline is intact"));
    // Reopening the duplicate unlinks it from its own primary, never from
    // the unrelated INC-1; finishing the renumbered item is no tamper alarm.
    b.ok(&["reopen", "5", "--reason", "a separate fault"]);
    for other in ["1", "2"] {
        assert!(!kinds(&b.show(other)).contains(&"duplicate_unlinked".to_string()));
    }
    assert_eq!(last_event(&b.show("3"))["kind"], "duplicate_unlinked");
    b.ok(&["action", "done", "A-2", "--note", "shipped"]);
    assert!(b.talk(&["verify"]).contains("every timeline is intact"));
    // Moved again, to an empty database: the numbers stay resolved.
    let again = save(&b, "team.json");
    let c = with_rules();
    import(&c, &again);
    assert!(c.talk(&["verify"]).contains("every timeline is intact"));
    assert!(c.ok(&["show", "3"]).contains("(imported: A-1 there is A-2 here)"));
    assert_eq!(export(&b)["version"], 4, "it carries what version 3 cannot");
    assert_eq!(export(&a)["version"], 3, "the release before reads it");
    assert!(
        c.ok(&["show", "5"])
            .contains("(imported: INC-1 there is INC-3 here)")
    );
}
