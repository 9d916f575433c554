//! On call (`incident oncall`) through the real binary: schedules from the
//! configuration, overrides recorded in the database, calendars out and in.

use crate::support::Env;
use serde_json::Value;

/// A weekly two-layer rotation in Berlin (09:00 local handoffs), carol in
/// [people] only.
const SCHEDULES: &str = r#"
[people.carol]
email = "carol@example.org"

[[schedules]]
name = "db"
time_zone = "Europe/Berlin"
[[schedules.layers]]
people = ["alice", "bob"]
start = "2026-03-02 09:00"
shift = "weekly"
[[schedules.layers]]
people = ["bob", "alice"]
start = "2026-03-02 09:00"
shift = "weekly"
"#;

fn on_call() -> Env {
    let mut env = Env::new();
    env.with_config(SCHEDULES);
    env
}

fn people(turns: &Value, layer: &str) -> Vec<(String, String)> {
    turns["turns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["layer"] == layer)
        .map(|t| {
            (
                t["person"].as_str().unwrap().to_string(),
                t["from"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn who_is_on_call_follows_the_rotation_across_the_clock_change() {
    let mut env = on_call();
    // Monday 23 March 2026, 10:00 in Berlin: bob's week (alice, bob, alice, bob).
    env.at("2026-03-23T09:00:00Z");
    let now = env.ok(&["oncall"]);
    assert_eq!(
        now,
        "db primary: bob until Mon 2026-03-30 09:00 CEST; then alice\n\
         db secondary: alice until Mon 2026-03-30 09:00 CEST; then bob\n"
    );
    // The clocks went forward on the 29th: the handoff is still 09:00 local.
    let shifts = env.json(&["oncall", "db", "--days", "13"]);
    assert_eq!(
        people(&shifts, "primary"),
        [
            ("bob".into(), "2026-03-23T08:00:00Z".into()),
            ("alice".into(), "2026-03-30T07:00:00Z".into()),
        ]
    );
    assert_eq!(
        env.json(&["oncall", "--at", "2026-03-30 06:59"])[0]["now"][0]["person"],
        "bob"
    );
    assert_eq!(
        env.json(&["oncall", "--at", "2026-03-30 07:00"])[0]["now"][0]["person"],
        "alice"
    );
}

#[test]
fn an_override_stands_in_is_recorded_with_who_arranged_it_and_can_be_removed() {
    let mut env = on_call();
    env.at("2026-03-23T09:00:00Z");
    let talk = env.talk(&[
        "oncall",
        "override",
        "db",
        "--who",
        "carol",
        "--from",
        "2026-03-24 17:00",
        "--until",
        "2026-03-25 08:00",
    ]);
    assert!(
        talk.starts_with("override 1: carol takes db primary from Tue 2026-03-24 18:00 CET"),
        "{talk}"
    );
    let shifts = env.json(&["oncall", "db", "--days", "6"]);
    assert_eq!(
        people(&shifts, "primary"),
        [
            ("bob".into(), "2026-03-23T08:00:00Z".into()),
            ("carol".into(), "2026-03-24T17:00:00Z".into()),
            ("bob".into(), "2026-03-25T08:00:00Z".into()),
        ]
    );
    assert_eq!(shifts["overrides"][0]["by"], "alice");
    env.at("2026-03-24T20:00:00Z");
    let now = env.json(&["oncall"]);
    assert_eq!(now[0]["now"][0]["person"], "carol");
    assert_eq!(now[0]["now"][0]["overridden"], true);
    env.talk(&["oncall", "unoverride", "1"]);
    assert_eq!(env.json(&["oncall"])[0]["now"][0]["person"], "bob");
    // Mistakes, one line each.
    assert!(
        env.fails(2, &["oncall", "web"])
            .contains("no schedule 'web'; configured: db")
    );
    let unknown = env.fails(
        2,
        &["oncall", "override", "db", "--who", "zed", "--until", "22:00"],
    );
    assert!(
        unknown.contains("'zed' is not in [people] or any schedule"),
        "{unknown}"
    );
    let layer = env.fails(
        2,
        &[
            "oncall", "override", "db", "--who", "carol", "--until", "22:00", "--layer", "third",
        ],
    );
    assert!(
        layer.contains("has no layer 'third'; it has: primary, secondary"),
        "{layer}"
    );
    assert!(
        env.fails(1, &["oncall", "unoverride", "1"])
            .contains("no override 1")
    );
}

#[test]
fn a_schedule_goes_out_as_a_calendar_and_comes_back_in_as_the_same_shifts() {
    let mut env = on_call();
    env.at("2026-03-23T09:00:00Z");
    env.talk(&[
        "oncall",
        "override",
        "db",
        "--who",
        "carol",
        "--from",
        "2026-03-24 17:00",
        "--until",
        "2026-03-25 08:00",
    ]);
    let file = env.dir.path().join("db.ics");
    env.talk(&[
        "oncall",
        "export",
        "db",
        "--days",
        "21",
        "-o",
        file.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
    assert!(text.contains("SUMMARY:db primary: carol\r\n"), "{text}");
    // Read back by a parser, the shifts are the schedule's.
    let calendar: icalendar::Calendar = text.parse().unwrap();
    assert_eq!(
        calendar
            .components
            .iter()
            .filter(|c| c.as_event().is_some())
            .count(),
        10
    );
    // Another database with nobody on the rota takes them in as overrides.
    let mut other = Env::new();
    let rota = SCHEDULES
        .replace("[\"alice\", \"bob\"]", "[\"carol\"]")
        .replace("[\"bob\", \"alice\"]", "[\"carol\"]");
    other.with_config(&format!(
        "{rota}\n[people.alice]\nemail = \"alice@example.org\"\n[people.bob]\nemail = \"bob@example.org\"\n"
    ));
    other.at("2026-03-23T09:00:00Z");
    assert!(
        other
            .talk(&["oncall", "import", "db", file.to_str().unwrap()])
            .contains("Imported 10 shifts")
    );
    let here = env.json(&["oncall", "db", "--days", "21"]);
    let there = other.json(&["oncall", "db", "--days", "21"]);
    for layer in ["primary", "secondary"] {
        assert_eq!(people(&there, layer), people(&here, layer), "{layer}");
    }
    let bad = env.dir.path().join("bad.ics");
    std::fs::write(&bad, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260302T080000Z\r\nDTEND:20260309T080000Z\r\nSUMMARY:zed\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").unwrap();
    let err = env.fails(2, &["oncall", "import", "db", bad.to_str().unwrap()]);
    assert!(
        err.contains("event #1 (zed): names nobody the configuration knows"),
        "{err}"
    );
}
