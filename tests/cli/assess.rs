//! `incident assess`: triage by flags, by answers file, and through a real
//! pseudo-terminal.

use crate::support::{Env, kinds, last_event};
use rexpect::process::WaitStatus;
use rexpect::session::PtySession;
use serde_json::Value;
use std::time::Duration;

fn checked_ids(incident: &Value) -> Vec<String> {
    incident["assessment"]["checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn flags_record_the_assessment_its_event_and_the_severity_change() {
    let mut env = Env::new();
    let key = env.declare("Checkout returns 500s", &[]);
    env.at("2026-11-23T08:20:00Z");
    let talk = env.talk(&[
        "assess",
        &key,
        "--impact",
        "Card payments fail at checkout",
        "--sees",
        "HTTP 500 on the pay button",
        "--customers",
        "some",
        "--started-at",
        "07:50",
        "--tickets",
        "12",
        "--factor",
        "public",
        "--check",
        "c3",
        "--check",
        "A1,A5",
        "--yes",
    ]);
    assert!(
        talk.contains("INC-1 assessed: SEV1 because C3 is checked"),
        "{talk}"
    );
    assert!(talk.contains("severity SEV3 → SEV1"), "{talk}");

    let incident = env.show(&key);
    assert_eq!(incident["severity"], "SEV1");
    let a = &incident["assessment"];
    assert_eq!(a["impact"], "Card payments fail at checkout");
    assert_eq!(a["sees"], "HTTP 500 on the pay button");
    assert_eq!(a["customers"], "some");
    assert_eq!(a["impact_started_at"], "2026-11-23T07:50:00Z");
    assert_eq!(a["tickets"], 12);
    assert_eq!(a["factors"], serde_json::json!(["public"]));
    assert_eq!(checked_ids(&incident), ["C3", "A1", "A5"]);
    assert_eq!(
        a["checked"][0]["text"],
        "evidence of unauthorized access to data or systems"
    );
    assert_eq!(a["checked"][0]["area"], "confidentiality");
    assert_eq!(a["suggested_severity"], "SEV1");
    assert_eq!(a["reason"], "SEV1 because C3 is checked");
    assert_eq!(a["severity"], "SEV1");
    assert_eq!(a["author"], "alice");
    assert_eq!(a["assessed_at"], "2026-11-23T08:20:00Z");
    // The start it gives is the incident's.
    assert_eq!(incident["started_at"], "2026-11-23T07:50:00Z");
    assert_eq!(
        kinds(&incident),
        ["declared", "assessed", "edited", "severity_changed"]
    );
    let assessed = &incident["timeline"][1];
    assert_eq!(assessed["id"], a["event_id"]);
    assert_eq!(assessed["at"], "2026-11-23T08:20:00Z");
    assert_eq!(
        assessed["details"]["checked"],
        serde_json::json!(["C3", "A1", "A5"])
    );
    assert_eq!(last_event(&incident)["details"]["to"], "SEV1");

    // `list --json` carries the current assessment too.
    let list = env.json(&["list"]);
    assert_eq!(list[0]["assessment"]["reason"], "SEV1 because C3 is checked");
}

#[test]
fn an_override_is_recorded_beside_the_suggestion_and_a_later_assessment_supersedes() {
    let mut env = Env::new();
    let key = env.declare("Reports are slow", &["--severity", "SEV2"]);
    let base = ["--impact", "slow", "--sees", "spinner", "--customers"];
    let mut args = vec!["assess", &key];
    args.extend(base);
    args.extend(["none", "--severity", "sev2"]);
    env.ok(&args);
    let first = env.show(&key);
    assert_eq!(first["assessment"]["suggested_severity"], "SEV3");
    assert_eq!(first["assessment"]["severity"], "SEV2");
    // Chosen equals the current level: no severity_changed event. No start
    // given and none known: the answer is now, and so is the incident's.
    assert_eq!(kinds(&first), ["declared", "assessed", "edited"]);
    assert_eq!(first["started_at"], crate::support::T0);
    assert!(
        first["timeline"][1]["text"]
            .as_str()
            .unwrap()
            .contains("SEV2 chosen; suggested SEV3 because")
    );

    env.at("2026-11-23T09:00:00Z");
    let mut args = vec!["assess", &key];
    args.extend(base);
    args.extend(["all", "--yes"]);
    env.ok(&args);
    let second = env.show(&key);
    assert_eq!(second["assessment"]["customers"], "all");
    assert_eq!(second["assessment"]["severity"], "SEV1");
    assert_eq!(second["severity"], "SEV1");
    // No start given: the incident's stands, and nothing more is edited.
    assert_eq!(
        kinds(&second),
        ["declared", "assessed", "edited", "assessed", "severity_changed"]
    );
    assert_eq!(second["assessment"]["impact_started_at"], crate::support::T0);
    let rows = env.number("SELECT count(*) FROM assessments WHERE incident_id = 1");
    assert_eq!(rows, 2, "both assessments stay");

    let shown = env.ok(&["show", &key]);
    assert!(
        shown.contains("suggested      SEV1 because all customers are affected"),
        "{shown}"
    );
    assert!(shown.contains("customers      all"), "{shown}");
}

#[test]
fn an_answers_file_is_read_and_flags_override_it() {
    let env = Env::new();
    let key = env.declare("Ledger drift", &[]);
    let file = env.dir.path().join("answers.toml");
    std::fs::write(
        &file,
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/assess-answers.toml"
        ))
        .unwrap(),
    )
    .unwrap();
    let incident = env.json(&[
        "assess",
        &key,
        "--answers",
        file.to_str().unwrap(),
        "--tickets",
        "40",
        "--yes",
    ]);
    let a = &incident["assessment"];
    assert_eq!(a["customers"], "some");
    assert_eq!(a["tickets"], 40, "the flag wins over the file");
    assert_eq!(checked_ids(&incident), ["I2", "A5"]);
    assert_eq!(a["factors"], serde_json::json!(["public"]));
    assert_eq!(
        a["reason"],
        "SEV2 because some customers are affected and I2 is checked"
    );
    assert_eq!(incident["severity"], "SEV2");
}

#[test]
fn without_a_terminal_missing_answers_fail_at_once_naming_them() {
    let env = Env::new();
    let key = env.declare("X", &[]);
    let before = env.bytes();
    let out = env
        .cmd()
        .args(["assess", &key, "--impact", "slow"])
        .timeout(Duration::from_secs(10))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("no terminal"), "{err}");
    assert!(err.contains("--sees, --customers, --yes"), "{err}");
    assert!(!err.contains("--impact"), "{err}");
    assert_eq!(env.bytes(), before);

    // Complete answers but no decision: still missing, still exit 2.
    let err = env.fails(
        2,
        &[
            "assess",
            &key,
            "--impact",
            "a",
            "--sees",
            "b",
            "--customers",
            "none",
        ],
    );
    assert!(
        err.contains("--yes (accept the suggestion) or --severity"),
        "{err}"
    );

    // declare --assess refuses before declaring anything.
    let err = env.fails(2, &["declare", "Y", "--assess"]);
    assert!(err.contains("--assess"), "{err}");
    assert_eq!(env.json(&["list"]).as_array().unwrap().len(), 1);
}

#[test]
fn bad_answers_are_usage_errors_that_change_nothing() {
    let env = Env::new();
    let key = env.declare("X", &[]);
    let before = env.bytes();
    let full = ["--impact", "a", "--sees", "b", "--customers", "some", "--yes"];
    let with = |extra: &[&str]| {
        let mut args = vec!["assess", key.as_str()];
        args.extend(full);
        args.extend_from_slice(extra);
        env.fails(2, &args)
    };
    let err = with(&["--check", "C9"]);
    assert!(err.contains("unknown checklist item 'C9'"), "{err}");
    let err = with(&["--tickets", "many"]);
    assert!(err.contains("--tickets"), "{err}");
    let err = with(&["--severity", "SEV9"]);
    assert!(err.contains("unknown severity 'SEV9'"), "{err}");
    let err = with(&["--started-at", "in 2h"]);
    assert!(err.contains("in the future"), "{err}");
    // clap itself refuses an unknown choice, listing the valid ones.
    let out = env
        .cmd()
        .args(["assess", &key, "--customers", "most", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values: none, some, all, unknown"));
    assert_eq!(env.bytes(), before);
    env.fails(
        1,
        &[
            "assess",
            "INC-9",
            "--impact",
            "a",
            "--sees",
            "b",
            "--customers",
            "all",
            "--yes",
        ],
    );
}

#[test]
fn malformed_answers_files_name_the_file_the_line_and_the_key() {
    let env = Env::new();
    let key = env.declare("X", &[]);
    let file = env.dir.path().join("answers.toml");
    let path = file.to_str().unwrap();
    let cases = [
        (
            "impact = \"a\"\nsees = \"b\"\ncustomers = \"many\"\n",
            "line 3 (customers = \"many\"): customers: unknown customers 'many'",
        ),
        (
            "impact = \"a\"\nchecked = [\"C1\", \"Z1\"]\n",
            "line 2 (checked = [\"C1\", \"Z1\"]): checked: unknown checklist item 'Z1'",
        ),
        (
            "impact = \"a\"\ntickets = \"ten\"\n",
            "line 2 (tickets = \"ten\")",
        ),
        (
            "impact = \"a\"\nwho = \"me\"\n",
            "line 2 (who = \"me\"): unknown field `who`",
        ),
        ("impact = \"a\n", "line 1"),
        (
            "sees = \"b\"\n\nfactors = [\"press\"]\n",
            "line 3 (factors = [\"press\"]): factors: unknown factor 'press'",
        ),
    ];
    let before = env.bytes();
    for (text, expected) in cases {
        std::fs::write(&file, text).unwrap();
        let err = env.fails(2, &["assess", &key, "--answers", path, "--yes"]);
        assert!(err.contains(&format!("invalid answers file {path}")), "{err}");
        assert!(err.contains(expected), "{text:?}\n{err}");
    }
    let err = env.fails(2, &["assess", &key, "--answers", "/nonexistent/a.toml", "--yes"]);
    assert!(
        err.contains("cannot read answers file /nonexistent/a.toml"),
        "{err}"
    );
    assert_eq!(env.bytes(), before);
}

// ---- through a real pseudo-terminal ---------------------------------------------

const DOWN: &str = "\x1b[B";

fn spawn(env: &Env, args: &[&str]) -> PtySession {
    let mut cmd = env.std_cmd();
    cmd.env("TERM", "xterm").env("NO_COLOR", "1").args(args);
    rexpect::session::spawn_command(cmd, Some(10_000)).unwrap()
}

/// Moves down `n` items, waiting for each redraw.
fn down(p: &mut PtySession, n: usize, then_active: &str) {
    for _ in 0..n {
        p.send(DOWN).unwrap();
        p.flush().unwrap();
    }
    p.exp_string(then_active).unwrap();
}

fn tick(p: &mut PtySession, item: &str) {
    p.send(" ").unwrap();
    p.flush().unwrap();
    p.exp_string(&format!("> [x] {item}")).unwrap();
}

fn enter(p: &mut PtySession) {
    p.send("\r").unwrap();
    p.flush().unwrap();
}

#[test]
fn the_walk_in_a_terminal_asks_everything_and_records_it() {
    let mut env = Env::new();
    let key = env.declare("Checkout returns 500s", &[]);
    env.at("2026-11-23T08:30:00Z");
    let mut p = spawn(&env, &["assess", &key]);

    p.exp_string("What is the impact on customers (internal or external)?")
        .unwrap();
    p.send_line("Card payments fail").unwrap();
    p.exp_string("What do customers see?").unwrap();
    p.send_line("HTTP 500 on pay").unwrap();
    p.exp_string("How many customers are affected").unwrap();
    // The safe side first: not known yet counts as possibly all.
    p.exp_string("> not known yet").unwrap();
    down(&mut p, 2, "> some");
    enter(&mut p);
    p.exp_string("When did the impact start?").unwrap();
    p.send_line("08:10").unwrap();
    p.exp_string("How many support tickets").unwrap();
    p.send_line("7").unwrap();
    p.exp_string("Are there other factors").unwrap();
    down(&mut p, 2, "> [ ] data loss");
    tick(&mut p, "data loss");
    enter(&mut p);
    p.exp_string("Confidentiality: tick what applies").unwrap();
    p.exp_string("C4 evidence of unintended disclosure of private information")
        .unwrap();
    down(
        &mut p,
        2,
        "> [ ] C3 evidence of unauthorized access to data or systems",
    );
    tick(&mut p, "C3");
    enter(&mut p);
    p.exp_string("Integrity: tick what applies").unwrap();
    p.exp_string("I5 logs showing an anomaly").unwrap();
    enter(&mut p);
    p.exp_string("Availability: tick what applies").unwrap();
    p.exp_string("A6 monitoring and alerting were inadequate")
        .unwrap();
    tick(&mut p, "A1 system availability in question");
    enter(&mut p);
    p.exp_string("Suggested: SEV1 because C3 is checked and customer data was lost")
        .unwrap();
    p.exp_string("> SEV1 (critical), suggested").unwrap();
    enter(&mut p);
    p.exp_string("INC-1 assessed: SEV1 because").unwrap();
    p.exp_eof().unwrap();
    assert!(matches!(p.process().wait().unwrap(), WaitStatus::Exited(_, 0)));

    let incident = env.show(&key);
    let a = &incident["assessment"];
    assert_eq!(a["impact"], "Card payments fail");
    assert_eq!(a["sees"], "HTTP 500 on pay");
    assert_eq!(a["customers"], "some");
    assert_eq!(a["impact_started_at"], "2026-11-23T08:10:00Z");
    assert_eq!(a["tickets"], 7);
    assert_eq!(a["factors"], serde_json::json!(["data-loss"]));
    assert_eq!(checked_ids(&incident), ["C3", "A1"]);
    assert_eq!(a["severity"], "SEV1");
    assert_eq!(incident["severity"], "SEV1");
    assert_eq!(incident["started_at"], "2026-11-23T08:10:00Z");
    assert_eq!(
        kinds(&incident),
        ["declared", "assessed", "edited", "severity_changed"]
    );
}

#[test]
fn picking_another_level_in_the_terminal_overrides_the_suggestion() {
    let env = Env::new();
    let key = env.declare("Search is slow", &[]);
    // Flags answer the questions; the terminal is asked only the rest.
    let mut p = spawn(
        &env,
        &[
            "assess",
            &key,
            "--impact",
            "slow",
            "--sees",
            "spinner",
            "--customers",
            "some",
            "--check",
            "A2",
        ],
    );
    p.exp_string("When did the impact start?").unwrap();
    enter(&mut p);
    p.exp_string("How many support tickets").unwrap();
    enter(&mut p);
    p.exp_string("Are there other factors").unwrap();
    enter(&mut p);
    p.exp_string("Suggested: SEV2 because some customers are affected")
        .unwrap();
    p.exp_string("> SEV2 (major), suggested").unwrap();
    down(&mut p, 1, "> SEV3 (minor)");
    enter(&mut p);
    p.exp_eof().unwrap();
    assert!(matches!(p.process().wait().unwrap(), WaitStatus::Exited(_, 0)));
    let a = &env.show(&key)["assessment"];
    assert_eq!(a["suggested_severity"], "SEV2");
    assert_eq!(a["severity"], "SEV3");
    assert_eq!(a["tickets"], 0);
    assert_eq!(a["impact_started_at"], crate::support::T0);
}

#[test]
fn ctrl_c_half_way_through_the_walk_records_nothing() {
    let env = Env::new();
    let key = env.declare("X", &[]);
    let before = env.bytes();
    let timeline = env.show(&key)["timeline"].clone();
    let mut p = spawn(&env, &["assess", &key]);
    p.exp_string("What is the impact on customers").unwrap();
    p.send_line("bad").unwrap();
    p.exp_string("What do customers see?").unwrap();
    p.send_line("errors").unwrap();
    p.exp_string("How many customers are affected").unwrap();
    enter(&mut p);
    p.exp_string("When did the impact start?").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("assessment cancelled; nothing was recorded")
        .unwrap();
    p.exp_eof().unwrap();
    assert!(matches!(p.process().wait().unwrap(), WaitStatus::Exited(_, 130)));
    assert_eq!(env.bytes(), before);
    let after = env.show(&key);
    assert_eq!(after["timeline"], timeline);
    assert!(after["assessment"].is_null());
}

/// Ctrl-C in a choice, where the cursor is hidden while the list is drawn:
/// the cursor is shown again, the line ended, one line says what happened,
/// and the exit status is 130.
#[test]
fn ctrl_c_in_a_choice_shows_the_cursor_again_and_says_nothing_was_recorded() {
    let env = Env::new();
    let key = env.declare("X", &[]);
    let before = env.bytes();
    let mut p = spawn(&env, &["assess", &key, "--impact", "a", "--sees", "b"]);
    p.exp_string("How many customers are affected").unwrap();
    p.exp_string("> not known yet").unwrap();
    p.send_control('c').unwrap();
    // Shown again (ESC [ ? 25 h), then the one line.
    p.exp_regex(r"\x1b\[\?25h[\s\S]*assessment cancelled; nothing was recorded")
        .unwrap();
    p.exp_eof().unwrap();
    assert!(matches!(p.process().wait().unwrap(), WaitStatus::Exited(_, 130)));
    assert_eq!(env.bytes(), before);
}

#[test]
fn declare_assess_cancelled_says_the_incident_is_declared_and_how_to_assess_it() {
    let env = Env::new();
    let mut p = spawn(&env, &["declare", "Login fails", "--assess"]);
    p.exp_string("What is the impact on customers").unwrap();
    p.send("\x1b").unwrap();
    p.flush().unwrap();
    p.exp_string("INC-1 is declared; its assessment was cancelled and not recorded. Assess it later: incident assess INC-1")
        .unwrap();
    p.exp_eof().unwrap();
    assert!(matches!(p.process().wait().unwrap(), WaitStatus::Exited(_, 130)));
    let incident = env.show("INC-1");
    assert_eq!(incident["title"], "Login fails");
    assert!(incident["assessment"].is_null());
}

#[test]
fn reassessing_starts_from_every_earlier_answer() {
    let mut env = Env::new();
    let key = env.declare("Checkout returns 500s", &[]);
    env.ok(&[
        "assess",
        &key,
        "--impact",
        "Card payments fail",
        "--sees",
        "HTTP 500",
        "--customers",
        "some",
        "--started-at",
        "07:40",
        "--tickets",
        "4",
        "--factor",
        "public",
        "--check",
        "A1,I2",
        "--yes",
    ]);
    env.at("2026-11-23T09:00:00Z");
    let mut p = spawn(&env, &["assess", &key]);
    p.exp_string("The earlier answers are filled in").unwrap();
    p.exp_string("What is the impact on customers (internal or external)?: Card payments fail")
        .unwrap();
    // Editing keys edit the filled-in answer: End, then a word more.
    p.send("\x1b[F, EU only").unwrap();
    p.flush().unwrap();
    p.exp_string("only").unwrap();
    enter(&mut p);
    p.exp_string("What do customers see?").unwrap();
    enter(&mut p);
    p.exp_string("> some").unwrap();
    enter(&mut p);
    p.exp_string("When did the impact start?: 2026-11-23 07:40")
        .unwrap();
    enter(&mut p);
    p.exp_string("How many support tickets have customers raised?: 4")
        .unwrap();
    enter(&mut p);
    p.exp_string("> [x] public attention").unwrap();
    enter(&mut p);
    for area in ["Confidentiality", "Integrity", "Availability"] {
        p.exp_string(area).unwrap();
        enter(&mut p);
    }
    p.exp_string("Suggested:").unwrap();
    enter(&mut p);
    p.exp_eof().unwrap();
    assert!(matches!(p.process().wait().unwrap(), WaitStatus::Exited(_, 0)));
    let a = &env.show(&key)["assessment"];
    assert_eq!(a["impact"], "Card payments fail, EU only");
    assert_eq!(a["sees"], "HTTP 500");
    assert_eq!(a["customers"], "some");
    assert_eq!(a["impact_started_at"], "2026-11-23T07:40:00Z");
    assert_eq!(a["tickets"], 4);
    assert_eq!(a["factors"], serde_json::json!(["public"]));
    assert_eq!(a["assessed_at"], "2026-11-23T09:00:00Z");
}

#[test]
fn esc_in_a_choice_cancels_and_records_nothing() {
    let env = Env::new();
    let key = env.declare("X", &[]);
    let before = env.bytes();
    let mut p = spawn(&env, &["assess", &key, "--impact", "a", "--sees", "b"]);
    p.exp_string("How many customers are affected").unwrap();
    p.send("\x1b").unwrap();
    p.flush().unwrap();
    p.exp_string("assessment cancelled; nothing was recorded")
        .unwrap();
    p.exp_eof().unwrap();
    assert!(matches!(p.process().wait().unwrap(), WaitStatus::Exited(_, 130)));
    assert_eq!(env.bytes(), before);
}

#[test]
fn declare_with_assess_goes_straight_into_the_walk() {
    let env = Env::new();
    let mut p = spawn(&env, &["declare", "Login fails", "--assess"]);
    p.exp_string("INC-1").unwrap();
    p.exp_string("What is the impact on customers").unwrap();
    p.send_line("nobody can log in").unwrap();
    p.exp_string("What do customers see?").unwrap();
    p.send_line("login error").unwrap();
    p.exp_string("How many customers are affected").unwrap();
    down(&mut p, 3, "> all");
    enter(&mut p);
    for prompt in ["When did the impact start?", "How many support tickets"] {
        p.exp_string(prompt).unwrap();
        enter(&mut p);
    }
    for prompt in [
        "Are there other factors",
        "Confidentiality",
        "Integrity",
        "Availability",
    ] {
        p.exp_string(prompt).unwrap();
        enter(&mut p);
    }
    p.exp_string("Suggested: SEV1 because all customers are affected")
        .unwrap();
    enter(&mut p);
    p.exp_eof().unwrap();
    assert!(matches!(p.process().wait().unwrap(), WaitStatus::Exited(_, 0)));
    let incident = env.show("INC-1");
    assert_eq!(incident["title"], "Login fails");
    assert_eq!(incident["severity"], "SEV1");
    assert_eq!(incident["assessment"]["customers"], "all");
}

#[test]
fn show_prints_the_current_assessment_with_the_checklist_wording() {
    let mut env = Env::new();
    let key = env.declare("Invoices show wrong totals", &["--commander", "alice"]);
    env.at("2026-11-23T08:15:00Z");
    env.ok(&[
        "assess",
        &key,
        "--impact",
        "EU invoices off by VAT",
        "--sees",
        "wrong totals\non invoices",
        "--customers",
        "some",
        "--started-at",
        "07:30",
        "--tickets",
        "3",
        "--factor",
        "public,data-loss",
        "--check",
        "I2,A5",
        "--severity",
        "SEV2",
    ]);
    snapshot!(env.ok(&["show", &key]));
}

/// The start of impact is one value, the incident's: the assessment's
/// answer sets it (an `edited` event in the same transaction), and `show`,
/// `comms --draft`, `stats` and the postmortem all read it.
#[test]
fn the_start_the_assessment_gives_is_the_incidents_everywhere() {
    let mut env = Env::new();
    let key = env.declare("Search is slow", &["--severity", "SEV2"]);
    env.at("2026-11-23T08:30:00Z");
    let talk = env.talk(&[
        "assess",
        &key,
        "--impact",
        "Search slow",
        "--sees",
        "timeouts",
        "--customers",
        "some",
        "--started-at",
        "20m ago",
        "--yes",
    ]);
    assert!(talk.contains("impact from 2026-11-23 08:10"), "{talk}");
    let incident = env.show(&key);
    assert_eq!(incident["started_at"], "2026-11-23T08:10:00Z");
    assert_eq!(
        incident["assessment"]["impact_started_at"],
        "2026-11-23T08:10:00Z"
    );
    assert_eq!(kinds(&incident), ["declared", "assessed", "edited"]);
    let edited = last_event(&incident);
    assert_eq!(edited["text"], "Impact started 2026-11-23 08:10 UTC");
    assert_eq!(
        edited["details"],
        serde_json::json!({"field": "started_at", "from": null, "to": "2026-11-23T08:10:00Z"})
    );
    let shown = env.ok(&["show", &key]);
    assert_eq!(
        shown.matches("impact from    2026-11-23 08:10").count(),
        1,
        "{shown}"
    );
    assert!(shown.contains("  impact from  2026-11-23 08:10\n"), "{shown}");

    let draft = env.ok(&["comms", &key, "--draft"]);
    assert!(draft.contains("since 2026-11-23 08:10 UTC"), "{draft}");
    let stats = env.json(&["stats"]);
    assert_eq!(stats["time_to_detect"]["count"], 1, "{stats}");
    assert_eq!(stats["time_to_detect"]["median_seconds"], 0, "{stats}");

    env.at("2026-11-23T09:00:00Z");
    env.ok(&["resolve", &key]);
    let md = env.ok(&["retro", &key, "--export", "md"]);
    assert!(!md.contains("start of impact was not recorded"), "{md}");
    assert!(md.contains("| Impact started | 2026-11-23 08:10 |"), "{md}");
    env.ok(&["verify"]);
}

/// `declare --started-at` and a later assessment that says otherwise: the
/// later answer wins, earlier or later in time, and the timeline keeps
/// both; an assessment that gives no start keeps the incident's.
#[test]
fn a_later_assessment_moves_the_start_given_at_declaration() {
    let mut env = Env::new();
    let key = env.declare("Search is slow", &["--started-at", "07:30"]);
    env.at("2026-11-23T08:30:00Z");
    let base = [
        "assess",
        key.as_str(),
        "--impact",
        "Search slow",
        "--sees",
        "timeouts",
        "--customers",
        "some",
        "--yes",
    ];
    env.ok(&base);
    let kept = env.show(&key);
    assert_eq!(kept["started_at"], "2026-11-23T07:30:00Z");
    assert_eq!(kept["assessment"]["impact_started_at"], "2026-11-23T07:30:00Z");
    assert_eq!(kinds(&kept), ["declared", "assessed", "severity_changed"]);

    for (given, want) in [
        ("07:50", "2026-11-23T07:50:00Z"),
        ("07:10", "2026-11-23T07:10:00Z"),
    ] {
        let mut args = base.to_vec();
        args.extend(["--started-at", given]);
        env.ok(&args);
        let moved = env.show(&key);
        assert_eq!(moved["started_at"], want);
        assert_eq!(moved["assessment"]["impact_started_at"], want);
    }
    let moved = env.show(&key);
    let texts: Vec<&str> = moved["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "edited")
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "Impact started 2026-11-23 07:30 UTC → 2026-11-23 07:50 UTC",
            "Impact started 2026-11-23 07:50 UTC → 2026-11-23 07:10 UTC"
        ]
    );
    assert_eq!(env.json(&["stats"])["time_to_detect"]["median_seconds"], 50 * 60);
}

/// Re-assessing: typing replaces a filled-in answer, prose as much as a
/// time or a number, as the walk says; the start offered is the
/// incident's, which an `edit` after the last assessment moved.
#[test]
fn reassessing_typing_replaces_the_earlier_answer_and_the_start_is_the_incidents() {
    let mut env = Env::new();
    let key = env.declare("Search is slow", &[]);
    env.ok(&[
        "assess",
        &key,
        "--impact",
        "Search slow",
        "--sees",
        "timeouts",
        "--customers",
        "some",
        "--started-at",
        "07:40",
        "--yes",
    ]);
    env.at("2026-11-23T08:40:00Z");
    env.ok(&["edit", &key, "--started-at", "07:30"]);
    env.at("2026-11-23T09:00:00Z");
    let mut p = spawn(&env, &["assess", &key]);
    p.exp_string("Enter keeps one, typing replaces it").unwrap();
    p.exp_string("What is the impact on customers (internal or external)?: Search slow")
        .unwrap();
    p.send_line("Search times out for EU").unwrap();
    p.exp_string("What do customers see?: timeouts").unwrap();
    p.send_line("HTTP 504").unwrap();
    p.exp_string("> some").unwrap();
    enter(&mut p);
    p.exp_string("When did the impact start?: 2026-11-23 07:30")
        .unwrap();
    enter(&mut p);
    for prompt in [
        "How many support tickets",
        "Are there other factors",
        "Confidentiality",
        "Integrity",
        "Availability",
        "Suggested:",
    ] {
        p.exp_string(prompt).unwrap();
        enter(&mut p);
    }
    p.exp_eof().unwrap();
    assert!(matches!(p.process().wait().unwrap(), WaitStatus::Exited(_, 0)));
    let incident = env.show(&key);
    let a = &incident["assessment"];
    assert_eq!(a["impact"], "Search times out for EU");
    assert_eq!(a["sees"], "HTTP 504");
    assert_eq!(a["impact_started_at"], "2026-11-23T07:30:00Z");
    assert_eq!(incident["started_at"], "2026-11-23T07:30:00Z");
    // Enter kept the start: nothing more to record about it.
    assert_eq!(
        kinds(&incident),
        [
            "declared",
            "assessed",
            "edited",
            "severity_changed",
            "edited",
            "assessed"
        ]
    );
}
