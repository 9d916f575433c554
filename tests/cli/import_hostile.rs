//! Hostile export files: each is refused whole, names the incident and the
//! field, and leaves the database byte-identical.

use crate::support::*;
use crate::transfer::rich;
use incident::domain::chain::{self, Content};
use serde_json::{Value, json};

fn export(env: &Env) -> Value {
    serde_json::from_str(&env.ok(&["export"])).unwrap()
}

/// Recomputes every hash of incident `n` and its head, as a forger would.
fn rehash(doc: &mut Value, n: usize) {
    let incident = &mut doc["incidents"][n];
    let uid = incident["uid"].as_str().unwrap().to_string();
    let mut prev = String::new();
    for event in incident["events"].as_array_mut().unwrap() {
        let s = |k: &str| event[k].as_str().unwrap_or_default().to_string();
        let details = (!event["details"].is_null()).then(|| event["details"].to_string());
        let hash = chain::hash(
            &uid,
            &prev,
            &Content {
                at: &s("at"),
                recorded_at: &s("recorded_at"),
                author: &s("author"),
                kind: &s("kind"),
                text: &s("text"),
                details: details.as_deref(),
            },
        );
        event["prev_hash"] = json!(prev);
        event["hash"] = json!(hash);
        prev = hash;
    }
    incident["head"] = json!(prev);
}

/// Imports `doc` into `env` and expects a refusal mentioning `want`, with
/// the database unchanged; then checks every reader still works.
fn refused(env: &Env, name: &str, doc: &Value, want: &str) {
    let before = env.bytes();
    let path = env.dir.path().join(format!("{name}.json"));
    std::fs::write(&path, doc.to_string()).unwrap();
    let out = env
        .cmd()
        .args(["import", path.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{name} was accepted: {err}");
    assert!(err.contains(want), "{name}: wanted {want:?} in {err}");
    assert!(err.contains("incident #"), "{name} names the incident: {err}");
    assert!(!err.contains("panicked"), "{name}: {err}");
    assert_eq!(env.bytes(), before, "{name} changed the database");
}

fn readers_work(env: &Env) {
    for args in [
        &["list", "--all"][..],
        &["stats"],
        &["show", "1"],
        &["check"],
        &["verify"],
    ] {
        env.ok(args);
    }
}

type Edit = fn(&mut Value);

#[test]
fn every_hostile_file_is_refused_whole_and_changes_nothing() {
    let source = rich();
    let clean = export(&source);
    let target = Env::new();
    target.declare("Already here", &["--commander", "zoe"]);
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "declared-out-of-range",
            |d| d["incidents"][0]["declared_at"] = json!("9999-99-99T99:99:99Z"),
            "declared_at",
        ),
        (
            "status-bogus",
            |d| d["incidents"][0]["status"] = json!("bogus"),
            "status",
        ),
        (
            "services-not-a-list",
            |d| d["incidents"][0]["services"] = json!("checkout"),
            "services",
        ),
        ("negative-id", |d| d["incidents"][0]["id"] = json!(-5), "id"),
        ("zero-id", |d| d["incidents"][1]["id"] = json!(0), "id"),
        (
            "unknown-severity",
            |d| d["incidents"][0]["severity"] = json!("SEV9"),
            "severity",
        ),
        (
            "unknown-category",
            |d| d["incidents"][0]["category"] = json!("weather"),
            "category",
        ),
        (
            "year-zero",
            |d| d["incidents"][0]["resolved_at"] = json!("0000-01-01T00:00:00Z"),
            "resolved_at",
        ),
        (
            "event-time-garbage",
            |d| {
                d["incidents"][1]["events"][0]["at"] = json!("yesterday");
                rehash(d, 1)
            },
            "at",
        ),
        (
            "event-time-out-of-range",
            |d| {
                d["incidents"][1]["events"][0]["recorded_at"] = json!("1900-01-01T00:00:00Z");
                rehash(d, 1)
            },
            "recorded_at",
        ),
        (
            "unknown-event-kind",
            |d| {
                d["incidents"][1]["events"][0]["kind"] = json!("teleported");
                rehash(d, 1)
            },
            "details",
        ),
        (
            "details-of-the-wrong-shape",
            |d| {
                d["incidents"][1]["events"][0]["details"] = json!({"title": 5});
                rehash(d, 1)
            },
            "details",
        ),
        (
            "first-event-not-declared",
            |d| {
                d["incidents"][1]["events"].as_array_mut().unwrap().remove(0);
                rehash(d, 1)
            },
            "declared",
        ),
        (
            "no-events",
            |d| {
                d["incidents"][1]["events"] = json!([]);
                d["incidents"][1]["head"] = Value::Null;
            },
            "events",
        ),
        (
            "edited-event",
            |d| d["incidents"][0]["events"][1]["text"] = json!("forged"),
            "changed after it was recorded",
        ),
        (
            "truncated-chain",
            |d| {
                d["incidents"][0]["events"].as_array_mut().unwrap().pop();
            },
            "were deleted",
        ),
        (
            "unhashed-event",
            |d| {
                d["incidents"][0]["events"][2]["hash"] = Value::Null;
            },
            "no hash",
        ),
        (
            "reordered-events",
            |d| {
                d["incidents"][0]["events"].as_array_mut().unwrap().swap(1, 2);
            },
            "event",
        ),
        (
            "event-ids-not-rising",
            |d| {
                let events = d["incidents"][0]["events"].as_array_mut().unwrap();
                events[2]["id"] = events[1]["id"].clone();
            },
            "rise",
        ),
        (
            "negative-event-id",
            |d| d["incidents"][1]["events"][0]["id"] = json!(-1),
            "rise",
        ),
        (
            "missing-head",
            |d| d["incidents"][0]["head"] = Value::Null,
            "head",
        ),
        (
            "assessment-points-elsewhere",
            |d| d["incidents"][0]["assessments"][0]["event_id"] = json!(1),
            "assessed",
        ),
        (
            "negative-action",
            |d| d["incidents"][0]["actions"][0]["id"] = json!(-3),
            "A--3",
        ),
        (
            "action-due-out-of-range",
            |d| d["incidents"][0]["actions"][0]["due"] = json!("0001-01-01"),
            "due",
        ),
        (
            "action-status-bogus",
            |d| d["incidents"][0]["actions"][0]["status"] = json!("maybe"),
            "status",
        ),
        (
            "unknown-field",
            |d| d["incidents"][0]["sneaky"] = json!(1),
            "sneaky",
        ),
        ("empty-uid", |d| d["incidents"][0]["uid"] = json!(""), "uid"),
        (
            "uid-with-escape",
            |d| {
                d["incidents"][1]["uid"] = json!("x\u{1b}[2J");
                rehash(d, 1)
            },
            "uid",
        ),
        (
            "role-without-person",
            |d| d["incidents"][0]["roles"][0]["person"] = json!(" "),
            "roles",
        ),
        (
            "retro-time-out-of-range",
            |d| d["incidents"][0]["retro"]["updated_at"] = json!("10000-01-01T00:00:00Z"),
            "retro",
        ),
        (
            "good-then-bad",
            |d| d["incidents"][1]["severity"] = json!("bogus"),
            "incident #2",
        ),
    ];
    assert!(cases.len() >= 30);
    for (name, edit, want) in cases {
        let mut doc = clean.clone();
        edit(&mut doc);
        refused(&target, name, &doc, want);
    }
    readers_work(&target);
}

/// The "extension": the stored events plus one note with a
/// correctly recomputed hash, and a new title, status and severity and no
/// roles, assessment, retro or actions.
#[test]
fn a_forged_extension_cannot_rewrite_state_or_remove_parts() {
    let a = rich();
    let mut doc = export(&a);
    let incident = &mut doc["incidents"][0];
    let mut note = incident["events"].as_array().unwrap().last().unwrap().clone();
    note["id"] = json!(1000);
    note["kind"] = json!("note");
    note["details"] = Value::Null;
    note["text"] = json!("nothing to see");
    incident["events"].as_array_mut().unwrap().push(note);
    incident["title"] = json!("Nothing happened");
    incident["status"] = json!("investigating");
    incident["severity"] = json!("SEV3");
    rehash(&mut doc, 0);
    refused(&a, "forged-state", &doc, "title");

    // Leaving out the parts the events record is refused too.
    for part in ["roles", "assessments", "actions"] {
        let mut doc = export(&a);
        let incident = &mut doc["incidents"][0];
        let mut note = incident["events"].as_array().unwrap().last().unwrap().clone();
        note["id"] = json!(1000);
        note["kind"] = json!("note");
        note["details"] = Value::Null;
        note["text"] = json!("nothing to see");
        incident["events"].as_array_mut().unwrap().push(note);
        incident[part] = json!([]);
        rehash(&mut doc, 0);
        refused(&a, &format!("without-{part}"), &doc, part);
    }

    // The same note with the state its events record is a fair extension:
    // it adds the note and removes nothing.
    let before = a.show("1");
    let mut doc = export(&a);
    let incident = &mut doc["incidents"][0];
    let mut note = incident["events"].as_array().unwrap().last().unwrap().clone();
    note["id"] = json!(1000);
    note["kind"] = json!("note");
    note["details"] = Value::Null;
    note["text"] = json!("an honest note");
    incident["events"].as_array_mut().unwrap().push(note);
    rehash(&mut doc, 0);
    let path = a.dir.path().join("extension.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    let talk = a.talk(&["import", path.to_str().unwrap()]);
    assert!(talk.contains("1 extended"), "{talk}");
    let after = a.show("1");
    for part in ["roles", "assessment", "retro"] {
        assert_eq!(after[part], before[part], "{part} kept");
    }
    assert_eq!(a.json(&["action", "list"]).as_array().unwrap().len(), 1);
    assert_eq!(kinds(&after).last().unwrap(), "note");
}

/// Merging into a database whose event numbers are partly taken keeps
/// every chain in its order, and the result verifies and re-exports.
#[test]
fn merging_keeps_each_chain_in_order_whatever_ids_are_taken() {
    let a = rich();
    let file = a.dir.path().join("a.json");
    a.ok(&["export", "-o", file.to_str().unwrap()]);
    let b = Env::new();
    b.declare("Theirs", &[]);
    b.ok(&["update", "1", "one"]);
    b.ok(&["update", "1", "two"]);
    // Take some of the numbers the file uses, leaving gaps between.
    b.tamper("UPDATE events SET id = id + 4 WHERE id > 1");
    b.talk(&["import", file.to_str().unwrap()]);
    let out = b.talk(&["verify"]);
    assert!(out.contains("every timeline is intact"), "{out}");
    let again = b.dir.path().join("again.json");
    b.ok(&["export", "-o", again.to_str().unwrap()]);
    let c = Env::new();
    c.talk(&["import", again.to_str().unwrap()]);
    assert!(c.talk(&["verify"]).contains("every timeline is intact"));
}

/// The first export format is read through the same checks.
#[test]
fn hostile_files_of_the_first_format_are_refused_too() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/fixtures/previous-release-export.json");
    let clean: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let target = Env::new();
    target.declare("Already here", &[]);
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "v1-services-not-a-list",
            |d| d["incidents"][0]["incident"]["services"] = json!("checkout"),
            "services",
        ),
        (
            "v1-declared-out-of-range",
            |d| d["incidents"][0]["incident"]["declared_at"] = json!("9999-99-99T99:99:99Z"),
            "declared_at",
        ),
        (
            "v1-status-bogus",
            |d| d["incidents"][0]["incident"]["status"] = json!("bogus"),
            "incident.status",
        ),
        (
            "v1-negative-id",
            |d| d["incidents"][0]["incident"]["id"] = json!(-5),
            "id -5",
        ),
        (
            "v1-title-forged",
            |d| d["incidents"][0]["incident"]["title"] = json!("forged"),
            "title",
        ),
        (
            "v1-whys-not-strings",
            |d| d["incidents"][0]["retros"][0]["whys"] = json!("[1,2]"),
            "whys",
        ),
        (
            "v1-event-edited",
            |d| d["incidents"][1]["events"][0]["text"] = json!("forged"),
            "changed after it was recorded",
        ),
    ];
    for (name, edit, want) in cases {
        let mut doc = clean.clone();
        edit(&mut doc);
        refused(&target, name, &doc, want);
    }
    readers_work(&target);
}

/// Two action items alike but for their due date and kind, added at the
/// same instant, one done: each stays itself through an export and import.
#[test]
fn alike_action_items_stay_apart_through_a_round_trip() {
    let env = Env::new();
    env.declare("Twins", &[]);
    env.ok(&["resolve", "1"]);
    for (due, kind) in [("14d", "corrective"), ("1d", "detective")] {
        env.ok(&[
            "action",
            "add",
            "1",
            "Same text",
            "--owner",
            "erin",
            "--due",
            due,
            "--kind",
            kind,
        ]);
    }
    env.ok(&["action", "done", "A-1", "--note", "shipped"]);
    let file = env.dir.path().join("twins.json");
    env.ok(&["export", "-o", file.to_str().unwrap()]);
    let copy = Env::new();
    copy.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(copy.json(&["action", "list"]), env.json(&["action", "list"]));
    assert!(copy.talk(&["verify"]).contains("every timeline is intact"));
    // Again, into the same database: unchanged.
    assert!(
        copy.talk(&["import", file.to_str().unwrap()])
            .contains("1 unchanged")
    );
}

/// An alert record that is not one: refused whole with one line naming the
/// incident (or the alerts of no incident) and the field, exit 2, nothing
/// written.
#[test]
fn a_bad_alert_record_is_refused_naming_the_incident_and_the_field() {
    let clean = export(&rich());
    let target = Env::new();
    target.declare("Already here", &[]);
    target.ok(&["ingest", &crate::alerts::fixture("alertmanager-firing.json")]);
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "alert-source-unknown",
            |d| d["incidents"][0]["alerts"][0]["source"] = json!("carrier-pigeon"),
            "incident #1: alerts[0].source: unknown variant `carrier-pigeon`",
        ),
        (
            "alert-time-bad",
            |d| d["incidents"][0]["alerts"][0]["last_seen"] = json!("yesterday"),
            "incident #1: alerts[0].last_seen: 'yesterday' is not an RFC 3339 time",
        ),
        (
            "alert-time-out-of-range",
            |d| d["incidents"][0]["alerts"][0]["starts_at"] = json!("0000-01-01T00:00:00Z"),
            "incident #1 (INC-1): alerts[0].starts_at:",
        ),
        (
            "alert-field-missing",
            |d| {
                d["incidents"][0]["alerts"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("times_seen");
            },
            "incident #1: alerts[0]: missing field `times_seen`",
        ),
        (
            "alert-field-unknown",
            |d| d["incidents"][0]["alerts"][0]["incident_id"] = json!(1),
            "incident #1: alerts[0]: unknown field `incident_id`",
        ),
        (
            "alert-never-seen",
            |d| d["incidents"][0]["alerts"][0]["times_seen"] = json!(0),
            "incident #1 (INC-1): alerts[0].times_seen:",
        ),
        (
            "alert-labels-not-text",
            |d| d["incidents"][0]["alerts"][0]["labels"]["job"] = json!(5),
            "incident #1: alerts[0]: invalid type: integer `5`",
        ),
        (
            "alert-of-no-incident-bad",
            |d| d["alerts"][0]["first_seen"] = json!("2026-13-45T00:00:00Z"),
            "alerts[0].first_seen: '2026-13-45T00:00:00Z' is not an RFC 3339 time",
        ),
        (
            "alert-of-no-incident-not-a-list",
            |d| d["alerts"] = json!({"source": "generic"}),
            "alerts: invalid type: map",
        ),
        (
            "alert-twice",
            |d| {
                let again = d["incidents"][0]["alerts"][0].clone();
                d["alerts"].as_array_mut().unwrap().push(again);
            },
            "alerts[1].identity: the alertmanager alert 'a4c8b0e6c0f3a1d2' is also incident #1: alerts[0]",
        ),
        (
            "good-then-bad-alert",
            |d| d["incidents"][1]["alerts"] = json!([{"source": "generic"}]),
            "incident #2: alerts[0]: missing field",
        ),
    ];
    for (name, edit, want) in cases {
        let mut doc = clean.clone();
        edit(&mut doc);
        let before = target.bytes();
        let path = target.dir.path().join(format!("{name}.json"));
        std::fs::write(&path, doc.to_string()).unwrap();
        let err = target.fails(2, &["import", path.to_str().unwrap()]);
        assert!(err.contains(want), "{name}: wanted {want:?} in {err}");
        assert_eq!(target.bytes(), before, "{name} changed the database");
    }
    readers_work(&target);
    assert_eq!(target.json(&["alerts"]).as_array().unwrap().len(), 2);
}

/// Numbers a file gives must leave room for the next one: an incident,
/// event, action or alert number past the limit is refused, naming it,
/// and the next `declare` still works.
#[test]
fn numbers_past_the_limit_are_refused_and_declare_keeps_working() {
    let env = Env::new();
    env.declare("Checkout returns 500s", &[]);
    let doc = export(&env);
    let fresh = Env::new();
    let mut huge = doc.clone();
    huge["incidents"][0]["id"] = json!(i64::MAX);
    refused(
        &fresh,
        "huge-incident",
        &huge,
        "id: 9223372036854775807 is not a number from 1 to 999999999999",
    );
    let mut huge_event = doc.clone();
    huge_event["incidents"][0]["events"][0]["id"] = json!(1_000_000_000_000i64);
    rehash(&mut huge_event, 0);
    refused(&fresh, "huge-event", &huge_event, "at most 999999999999");
    let mut just_fits = doc.clone();
    just_fits["incidents"][0]["id"] = json!(999_999_999_999i64);
    let path = fresh.dir.path().join("fits.json");
    std::fs::write(&path, just_fits.to_string()).unwrap();
    fresh.ok(&["import", path.to_str().unwrap()]);
    // The next one still has a number, which reads back.
    assert_eq!(fresh.declare("Next", &[]), "INC-1000000000000");
    fresh.ok(&["show", "INC-1000000000000"]);
    fresh.fails(2, &["show", "INC-99999999999999999999"]);
}

/// One range of years for every time: whatever the command line, a webhook
/// or a file may give is what an export carries back in.
#[test]
fn times_outside_the_years_the_record_holds_are_refused_at_every_entry() {
    let mut env = Env::new();
    env.declare("Checkout returns 500s", &[]);
    for args in [
        &["edit", "1", "--started-at", "1969-12-31 23:00"][..],
        &["declare", "Old", "--started-at", "0002-01-01 00:00"],
        &["update", "1", "old news", "--at", "1960-06-01 00:00"],
    ] {
        let err = env.fails(2, args);
        assert!(err.contains("outside the years 1970-9999"), "{args:?}: {err}");
    }
    // A webhook's start before 1970 is taken as not given: the alert is
    // recorded, and everything exports and imports back.
    let fixture = std::fs::read_to_string(crate::alerts::fixture("alertmanager-firing.json")).unwrap();
    let payload = fixture.replace("2026-11-23T07:55:00.123456789Z", "1960-01-01T00:00:00Z");
    assert_ne!(payload, fixture);
    let path = env.dir.path().join("old-alert.json");
    std::fs::write(&path, payload).unwrap();
    env.ok(&["ingest", path.to_str().unwrap()]);
    let alerts = env.json(&["alerts"]);
    let old = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["identity"] == "a4c8b0e6c0f3a1d2")
        .unwrap();
    assert!(old["starts_at"].is_null(), "{alerts}");
    let file = env.dir.path().join("all.json");
    env.ok(&["export", "--output", file.to_str().unwrap()]);
    let mut fresh = Env::new();
    fresh.at(&env.now.clone());
    fresh.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(fresh.json(&["alerts"]).as_array().unwrap().len(), 2);
    // The clock itself is held to it too.
    env.at("1969-07-20T20:17:00Z");
    let err = env.fails(2, &["list"]);
    assert!(err.contains("INCIDENT_NOW"), "{err}");
}
