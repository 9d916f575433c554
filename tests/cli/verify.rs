//! The tamper-evident timeline and schema migrations of older databases.

use crate::support::*;
sqlite_only! {
    use incident::store::sqlite::migrations;
}

fn five_events() -> Env {
    let env = Env::new();
    env.declare(
        "Breach on the API gateway",
        &["-s", "SEV1", "--commander", "alice"],
    );
    env.ok(&[
        "update",
        "1",
        "Found a stolen token in the logs",
        "--kind",
        "evidence",
    ]);
    env.ok(&["update", "1", "Rotated every API token", "--kind", "action"]);
    env.ok(&["resolve", "1", "--summary", "Tokens rotated"]);
    env.declare("Unrelated", &[]);
    env
}

#[test]
fn an_untouched_database_verifies() {
    let env = five_events();
    let talk = env.talk(&["verify"]);
    assert!(
        talk.contains("2 incidents, 6 events: every timeline is intact"),
        "{talk}"
    );
    let report = env.json(&["verify", "INC-1"]);
    assert_eq!(report["intact"], true);
    assert_eq!(report["incidents"][0]["events"], 5);
    assert_eq!(report["incidents"][0]["head"].as_str().unwrap().len(), 64);
}

fn tampered(sql: &str) -> (Env, String) {
    let env = five_events();
    env.tamper(sql);
    let out = env.cmd().args(["verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{sql}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("1 of 2 incidents have timelines or state altered outside incident"),
        "{stderr}"
    );
    (env, stdout)
}

#[test]
fn an_edited_event_is_reported() {
    let (_, out) = tampered("UPDATE events SET text = 'Nothing suspicious' WHERE id = 2");
    assert_eq!(out, "INC-1: event 2 was changed after it was recorded\n");
    let (_, out) = tampered("UPDATE events SET author = 'bob' WHERE id = 3");
    assert_eq!(out, "INC-1: event 3 was changed after it was recorded\n");
    let (_, out) = tampered("UPDATE events SET at = '2026-11-22T08:00:00Z' WHERE id = 1");
    assert_eq!(out, "INC-1: event 1 was changed after it was recorded\n");
}

#[test]
fn a_deleted_event_is_reported() {
    let (_, out) = tampered("DELETE FROM events WHERE id = 2");
    assert_eq!(
        out,
        "INC-1: the events before event 3 were deleted or reordered\n"
    );
    let (_, out) = tampered("DELETE FROM events WHERE id = 5");
    assert!(out.contains("events after event 4 were deleted"), "{out}");
}

#[test]
fn reordered_and_smuggled_events_are_reported() {
    let (_, out) = tampered(
        "UPDATE events SET id = 100 WHERE id = 2; UPDATE events SET id = 2 WHERE id = 3; UPDATE events SET id = 3 WHERE id = 100;",
    );
    assert!(out.contains("deleted or reordered"), "{out}");
    let (env, out) = tampered(
        "INSERT INTO events (id, incident_id, at, recorded_at, author, kind, text) \
         VALUES ((SELECT max(id) + 1 FROM events), 1, '2026-11-23T08:00:00Z', '2026-11-23T08:00:00Z', \
         'mallory', 'note', 'All fine')",
    );
    assert!(
        out.contains("has no hash: it was added outside incident"),
        "{out}"
    );
    let report = env.cmd().args(["--json", "verify"]).output().unwrap();
    assert_eq!(report.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(report["intact"], false);
    assert_eq!(report["incidents"][1]["problems"], serde_json::json!([]));
}

sqlite_only! {
    #[test]
    fn a_database_of_the_previous_schema_version_migrates_and_keeps_every_row() {
        migrates_and_keeps_every_row(migrations::LATEST - 1);
    }
}

sqlite_only! {
    #[test]
    fn a_database_of_the_first_schema_version_migrates_and_keeps_every_row() {
        migrates_and_keeps_every_row(1);
    }
}

sqlite_only! {
    /// A database at schema `version`, with rows, opened by the binary.
    fn migrates_and_keeps_every_row(version: i64) {
        assert!((1..migrations::LATEST).contains(&version), "{version}");
        let env = Env::new();
        std::fs::create_dir_all(env.db.parent().unwrap()).unwrap();
        {
            // The rows are written in version 1's own SQL, then the database is
            // brought up to `version` by that version's own steps, as a
            // database kept since then would have been.
            let conn = env.sql();
            conn.execute_batch("PRAGMA journal_mode = WAL").unwrap();
            migrations::upgrade_to(&conn, 0, 1).unwrap();
            conn.execute_batch(
                "INSERT INTO incidents (id, title, status, severity, category, services, declared_at, resolved_at)
                   VALUES (1, 'Old outage', 'resolved', 'SEV2', 'availability', '[\"api\"]',
                           '2026-01-01T00:00:00Z', '2026-01-01T02:00:00Z'),
                          (2, 'Still open', 'identified', 'SEV1', 'data', '[]', '2026-02-01T00:00:00Z', NULL);
                 INSERT INTO roles VALUES (2, 'commander', 'carol', '2026-02-01T00:00:00Z');
                 INSERT INTO events (incident_id, at, recorded_at, author, kind, text, details) VALUES
                   (1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'a', 'declared', 'Declared', NULL),
                   (1, '2026-01-01T02:00:00Z', '2026-01-01T02:00:00Z', 'a', 'resolved', 'Resolved', '{\"from\":\"investigating\"}'),
                   (2, '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z', 'b', 'declared', 'Declared', NULL);",
            )
            .unwrap();
            migrations::upgrade_to(&conn, 1, version).unwrap();
            assert_eq!(migrations::user_version(&conn).unwrap(), version);
        }
        let list = env.json(&["list", "--all"]);
        assert_eq!(list.as_array().unwrap().len(), 2);
        let old = env.show("1");
        assert_eq!(old["title"], "Old outage");
        assert_eq!(old["services"][0], "api");
        assert_eq!(old["resolved_at"], "2026-01-01T02:00:00Z");
        assert_eq!(kinds(&old), ["declared", "resolved"]);
        assert_eq!(old["timeline"][1]["details"]["from"], "investigating");
        assert_eq!(env.show("2")["commander"], "carol");
        // Counts kept by later schema steps are filled in for old rows too.
        assert!(
            env.ok(&["show", "1", "--limit", "1"])
                .contains("(1 earlier entries not shown; --limit 0 shows all 2)")
        );
        let version: i64 = env
            .sql()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, migrations::LATEST);
        // Migrated timelines are chained, and new events extend the chain;
        // the first release's declarations carried no details, so what
        // these incidents' states say cannot be proven from them, and
        // `verify` says so (exit 4) rather than calling them intact.
        env.ok(&["update", "2", "after the upgrade"]);
        let out = env.cmd().arg("verify").output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert_eq!(out.status.code(), Some(4), "{stdout}{stderr}");
        assert!(
            stdout.contains("INC-1: its state could not be checked against its timeline: event 1 has details"),
            "{stdout}"
        );
        assert!(stderr.contains("every chain is intact, but 2 of 2 incidents could not be checked"), "{stderr}");
    }
}

fn checkpoint(env: &Env) -> String {
    let line = env.ok(&["checkpoint"]);
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.starts_with("incident-checkpoint-v1:"), "{line}");
    line.trim().to_string()
}

fn holds(env: &Env, line: &str) -> bool {
    let out = env.cmd().args(["verify", "--checkpoint", line]).output().unwrap();
    let code = out.status.code();
    assert!(matches!(code, Some(0 | 1)), "{out:?}");
    code == Some(0)
}

/// A checkpoint holds while the database only grows (new events, new
/// incidents, imports), and fails once anything it covers is gone: the
/// newest events with the head rewound (which the chains alone cannot
/// see), a whole timeline, a whole incident, or an edited event.
#[test]
fn a_checkpoint_catches_what_the_chains_alone_cannot() {
    let env = five_events();
    let line = checkpoint(&env);
    assert!(holds(&env, &line));
    env.ok(&["update", "2", "Later news"]);
    env.declare("Later incident", &[]);
    let other = Env::new();
    other.declare("From elsewhere", &[]);
    let file = other.dir.path().join("other.json");
    other.ok(&["export", "-o", file.to_str().unwrap()]);
    env.talk(&["import", file.to_str().unwrap()]);
    assert!(holds(&env, &line), "growth keeps a checkpoint");
    let talk = env.talk(&["verify", "--checkpoint", &line]);
    assert!(
        talk.contains("everything the checkpoint covers is here"),
        "{talk}"
    );

    type Tamper = &'static str;
    let cases: [(&str, Tamper); 4] = [
        (
            "newest events deleted, head rewound",
            "DELETE FROM events WHERE id = (SELECT max(id) FROM events WHERE incident_id = 1); \
             UPDATE incidents SET head = (SELECT hash FROM events WHERE incident_id = 1 ORDER BY id DESC LIMIT 1) WHERE id = 1;",
        ),
        (
            "a whole timeline deleted",
            "DELETE FROM events WHERE incident_id = 1; UPDATE incidents SET head = NULL WHERE id = 1;",
        ),
        (
            "a whole incident deleted",
            "DELETE FROM roles WHERE incident_id = 1; DELETE FROM events WHERE incident_id = 1; \
             DELETE FROM incidents WHERE id = 1;",
        ),
        (
            "an event replaced, hash and all",
            "UPDATE events SET hash = 'forged' WHERE id = (SELECT max(id) FROM events WHERE incident_id = 1); \
             UPDATE incidents SET head = 'forged' WHERE id = 1;",
        ),
    ];
    for (name, sql) in cases {
        let env = five_events();
        let line = checkpoint(&env);
        env.tamper(sql);
        assert!(!holds(&env, &line), "{name}");
        let out = env
            .cmd()
            .args(["verify", "--checkpoint", &line])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("checkpoint: events recorded before the checkpoint are missing"),
            "{name}: {stdout}"
        );
        let json = env
            .cmd()
            .args(["--json", "verify", "--checkpoint", &line])
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(doc["checkpoint"]["holds"], false, "{name}");
    }
    // A newest note deleted, the head and the count rewound: the chains and
    // the state agree with what is left, so a plain `verify` passes. That is what
    // the checkpoint is for.
    let env = five_events();
    env.ok(&["update", "1", "A note after resolving"]);
    let line = checkpoint(&env);
    env.tamper(cases[0].1);
    env.tamper("UPDATE incidents SET event_count = event_count - 1 WHERE id = 1");
    assert!(env.talk(&["verify"]).contains("every timeline is intact"));
    assert!(!holds(&env, &line));

    let err = env.fails(2, &["verify", "--checkpoint", "not-a-line"]);
    assert!(err.contains("not a checkpoint line"), "{err}");
}

/// `verify` replays each timeline and reports stored state that disagrees
/// with it, field by field.
#[test]
fn stored_state_that_disagrees_with_the_timeline_is_reported() {
    let cases = [
        (
            "title",
            "UPDATE incidents SET title = 'Nothing happened' WHERE id = 1",
        ),
        (
            "status",
            "UPDATE incidents SET status = 'investigating' WHERE id = 1",
        ),
        ("severity", "UPDATE incidents SET severity = 'SEV3' WHERE id = 1"),
        (
            "resolution",
            "UPDATE incidents SET resolution = 'Nobody noticed' WHERE id = 1",
        ),
        (
            "resolved_at",
            "UPDATE incidents SET resolved_at = '2020-01-01T00:00:00Z' WHERE id = 1",
        ),
        (
            "declared_at",
            "UPDATE incidents SET declared_at = '2020-01-01T00:00:00Z' WHERE id = 1",
        ),
        ("roles", "DELETE FROM roles WHERE incident_id = 1"),
        (
            "roles",
            "INSERT INTO roles VALUES (2, 'commander', 'mallory', '2026-11-23T08:00:00Z')",
        ),
        (
            "services",
            "UPDATE incidents SET services = '[\"nothing\"]' WHERE id = 2",
        ),
        // A real incident hidden from the metrics as a drill.
        ("drill", "UPDATE incidents SET drill = true WHERE id = 1"),
        (
            "tags",
            "INSERT INTO incident_tags VALUES (1, 'team', 'someone-else')",
        ),
    ];
    for (field, sql) in cases {
        let env = five_events();
        env.tamper(sql);
        let out = env.cmd().args(["verify"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{sql}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains(&format!("the stored {field} disagrees with the timeline"))
                || stdout.contains(&format!("the cached {field} disagrees with the timeline")),
            "{sql}: {stdout}"
        );
    }
}

/// An assessment edited or deleted behind the tool's back disagrees with
/// the `assessed` event it was recorded with.
#[test]
fn an_assessment_that_disagrees_with_its_event_is_reported() {
    let cases = [
        (
            "UPDATE assessments SET impact = 'Nothing'",
            "disagrees with the event",
        ),
        ("UPDATE assessments SET tickets = 99", "disagrees with the event"),
        ("DELETE FROM assessments", "is missing"),
    ];
    for (sql, want) in cases {
        let env = Env::new();
        env.declare("Payments fail", &[]);
        env.ok(&[
            "assess",
            "1",
            "--impact",
            "Card payments fail",
            "--sees",
            "HTTP 500",
            "--customers",
            "some",
            "--yes",
        ]);
        assert!(env.talk(&["verify"]).contains("every timeline is intact"));
        env.tamper(sql);
        let out = env.cmd().args(["verify"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{sql}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(want), "{sql}: {stdout}");
    }
}

/// Action items and the retrospective edited behind the tool's back
/// disagree with the events that recorded them.
#[test]
fn action_items_and_the_retrospective_are_checked_against_their_events() {
    let cases = [
        ("UPDATE actions SET owner = 'nobody'", "missing or was changed"),
        (
            "UPDATE actions SET status = 'open', done_at = NULL",
            "status, note or link of action A-1",
        ),
        (
            "UPDATE actions SET link = 'https://elsewhere.example'",
            "status, note or link of action A-1",
        ),
        ("DELETE FROM actions", "missing or was changed"),
        (
            "INSERT INTO actions (id, incident_id, text, owner, due, kind, created_at) \
             VALUES ((SELECT coalesce(max(id), 0) + 1 FROM actions), 1, 'Smuggled', 'x', '2026-12-01', \
             'corrective', '2026-11-23T10:00:00Z')",
            "was not added by any event",
        ),
        (
            "UPDATE retros SET root_cause = 'Cosmic rays'",
            "retrospective's root_cause",
        ),
        ("DELETE FROM retros", "retrospective's impact"),
    ];
    for (sql, want) in cases {
        let env = crate::transfer::rich();
        env.ok(&["action", "done", "A-1", "--note", "shipped"]);
        assert!(env.talk(&["verify"]).contains("every timeline is intact"));
        env.tamper(sql);
        let out = env.cmd().args(["verify"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{sql}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(want), "{sql}: {stdout}");
    }
}

/// A backdated entry (earlier than the declaration, as the docs allow)
/// does not hide the incident's state from `verify`; a role holder's
/// recorded start, edited behind the tool's back, is reported.
#[test]
fn a_backdated_entry_leaves_the_state_checked_and_role_starts_are_checked() {
    let env = Env::new();
    env.declare("Search is slow", &["--commander", "alice"]);
    env.ok(&["update", "1", "seen in logs", "-k", "evidence", "--at", "5m ago"]);
    env.ok(&["assign-role", "1", "scribe", "bob"]);
    let report = env.json(&["verify"]);
    assert!(report["incidents"][0]["state_unchecked"].is_null(), "{report}");
    assert!(env.talk(&["verify"]).contains("every timeline is intact"));
    // The state is really checked: a changed title is found.
    env.tamper("UPDATE incidents SET title = 'Renamed' WHERE id = 1");
    let out = env.cmd().arg("verify").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("the stored title disagrees"));
    env.tamper("UPDATE incidents SET title = 'Search is slow' WHERE id = 1");
    env.tamper("UPDATE roles SET since = '2020-01-01T00:00:00Z' WHERE person = 'bob'");
    let out = env.cmd().arg("verify").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("INC-1: the stored start of bob as scribe disagrees with the timeline"),
        "{stdout}"
    );
}

/// Two alerts that opened INC-1, and an unrelated INC-2.
fn two_alerts() -> Env {
    let mut env = Env::new();
    env.with_config(crate::alerts::RULES);
    env.ok(&["ingest", &crate::alerts::fixture("alertmanager-firing.json")]);
    env.declare("Unrelated", &[]);
    env
}

/// `verify`'s stdout and stderr after `sql`, which it must find (exit 1).
fn verified_after(env: &Env, sql: &str) -> (String, String) {
    env.tamper(sql);
    let out = env.cmd().args(["verify"]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{sql}: {stdout}{stderr}");
    (stdout, stderr)
}

#[test]
fn alert_rows_changed_behind_the_tools_back_are_reported() {
    let env = two_alerts();
    assert!(env.talk(&["verify"]).contains("every timeline is intact"));
    let changed = "INC-1: alert 1's row (its count, words, times or incident) was changed outside incident\n";
    for sql in [
        "UPDATE alerts SET times_seen = 40 WHERE id = 1",
        "UPDATE alerts SET summary = 'All fine' WHERE id = 1",
        "UPDATE alerts SET last_seen = '2026-11-23T09:00:00Z' WHERE id = 1",
    ] {
        let env = two_alerts();
        let (stdout, stderr) = verified_after(&env, sql);
        assert_eq!(stdout, changed, "{sql}");
        assert!(
            stderr.contains("1 of 2 incidents have timelines or state altered"),
            "{stderr}"
        );
    }
    // Deleted: the timeline still ties it in.
    let env = two_alerts();
    let (stdout, _) = verified_after(&env, "DELETE FROM alerts WHERE id = 2");
    assert_eq!(
        stdout,
        "INC-1: alert 2, which its timeline ties in, is missing or is another alert now (changed outside incident)\n"
    );
    // Re-pointed at another incident: both sides say so.
    let env = two_alerts();
    let (stdout, _) = verified_after(&env, "UPDATE alerts SET incident_id = 2 WHERE id = 2");
    assert!(
        stdout.contains("INC-2: alert 2's row points at this incident, whose timeline never tied it in"),
        "{stdout}"
    );
    assert!(stdout.contains("INC-2: alert 2's row (its count"), "{stdout}");
    // Cut loose from every incident: the alert's own row says so.
    let env = two_alerts();
    let (stdout, stderr) = verified_after(&env, "UPDATE alerts SET incident_id = NULL WHERE id = 1");
    assert_eq!(
        stdout,
        "alerts: alert 1's row (its count, words, times or incident) was changed outside incident\n"
    );
    assert!(stderr.contains("1 alert of no incident were altered"), "{stderr}");
}

#[test]
fn a_reference_changed_behind_the_tools_back_is_reported() {
    // Imported into a database where its numbers were taken: INC-3 (the
    // duplicate) names INC-1 there, INC-2 here.
    let a = Env::new();
    a.declare("Checkout down", &[]);
    a.declare("Checkout errors", &[]);
    a.ok(&["duplicate", "2", "--of", "1"]);
    let file = a.dir.path().join("a.json");
    a.ok(&["export", "-o", file.to_str().unwrap()]);
    let b = Env::new();
    b.declare("Unrelated", &[]);
    b.ok(&["import", file.to_str().unwrap()]);
    assert!(b.talk(&["verify"]).contains("every timeline is intact"));
    // The kept renumbering deleted: INC-3 would name the unrelated INC-1,
    // and INC-2's link would name INC-2 itself.
    let (stdout, _) = verified_after(&b, "DELETE FROM renumbered");
    assert!(
        stdout.contains(
            "INC-3: it is a duplicate of INC-1, whose timeline does not list it (changed outside incident)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("INC-2: its timeline lists INC-2 as its duplicate, which that incident does not say"),
        "{stdout}"
    );
}
