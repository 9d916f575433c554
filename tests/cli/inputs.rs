//! What a person types at 3 a.m.: named days, choices in any case, a
//! severity's name, and errors that point to the right help.

use crate::support::*;

#[test]
fn named_days_are_times() {
    // T0 is Monday 2026-11-23 08:00 UTC.
    let env = Env::new();
    env.declare("X", &["--started-at", "yesterday 23:40"]);
    assert_eq!(env.show("1")["started_at"], "2026-11-22T23:40:00Z");
    env.ok(&["update", "1", "seen at the morning check", "--at", "today 07:30"]);
    env.ok(&["update", "1", "first alert", "--at", "Friday 14:00"]);
    let times: Vec<String> = env.show("1")["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["at"].as_str().unwrap().to_string())
        .collect();
    for want in ["2026-11-23T07:30:00Z", "2026-11-20T14:00:00Z"] {
        assert!(times.contains(&want.to_string()), "{want}: {times:?}");
    }
}

#[test]
fn a_past_time_is_hinted_with_past_forms() {
    let env = Env::new();
    env.declare("X", &[]);
    let err = env.fails(2, &["update", "1", "x", "--at", "whenever"]);
    assert!(err.contains("'15m ago'") && !err.contains("in 30m"), "{err}");
}

#[test]
fn choices_are_case_insensitive_and_severities_go_by_name_too() {
    let env = Env::new();
    env.declare("X", &["--category", "Availability", "--severity", "critical"]);
    let i = env.show("1");
    assert_eq!(i["severity"], "SEV1");
    assert_eq!(i["category"], "availability");
    env.ok(&["update", "1", "a note", "--kind", "Note"]);
    assert_eq!(last_event(&env.show("1"))["kind"], "note");
}

#[test]
fn empty_names_are_refused() {
    let env = Env::new();
    for args in [
        vec!["declare", "X", "--service", ""],
        vec!["declare", "X", "--commander", " "],
        vec!["declare", "X", "--channel", ""],
        vec!["--as", "", "declare", "X"],
    ] {
        let err = env.fails(2, &args);
        assert!(err.contains("it is empty; give a name"), "{args:?}: {err}");
    }
    assert!(!env.created());
}

#[test]
fn an_invalid_value_points_to_the_subcommands_help() {
    let env = Env::new();
    let err = env.fails(2, &["--db", "x.db", "declare", "X", "--category", "outage"]);
    assert!(err.trim_end().ends_with("see 'incident declare --help'"), "{err}");
    let err = env.fails(2, &["action", "list", "--owner", ""]);
    assert!(
        err.trim_end().ends_with("see 'incident action list --help'"),
        "{err}"
    );
}
