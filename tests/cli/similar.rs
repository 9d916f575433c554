//! Similar incidents and the duplicate check, through the real binary: a
//! history where the right ranking is known, `declare` asking (on a real
//! terminal), refusing and `--force`, an alert rule's `attach = "service"`
//! and the postmortem's Related incidents.

use crate::support::Env;
use rexpect::process::WaitStatus;
use serde_json::Value;

/// The alert rules the alert tests use: critical opens, warning attaches.
const RULES: &str = crate::alerts::RULES;

fn alert(env: &Env, key: &str, summary: &str, status: &str) -> String {
    let body = format!(
        r#"{{"key": "{key}", "summary": "{summary}", "severity": "critical", "service": "payments", "status": "{status}"}}"#
    );
    let out = env
        .cmd()
        .args(["ingest", "-"])
        .write_stdin(body)
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

fn answers(env: &Env, toml: &str) -> String {
    let path = env.dir.path().join("answers.toml");
    std::fs::write(&path, toml).unwrap();
    path.display().to_string()
}

/// The known history, INC-1 to INC-6, every one over by INC-7, which the
/// same alert opens again as "Payments API returns 500s" on payments:
/// - INC-1: that alert's first incident ("Payments latency high");
/// - INC-2: "Payments API returns 500s" on payments, with a root cause and
///   an open action item;
/// - INC-3: "Search is slow" on search (nothing alike);
/// - INC-4: "payments api returning 500 errors", no service (words alone);
/// - INC-5: "Payments is slow" on payments (too few words alike);
/// - INC-6: "Payments API returns 500s" on payments, canceled (never real).
///
/// The right ranking: INC-1 (the same alert), INC-2 (the same service and
/// words), INC-4 (words alone).
fn history(env: &mut Env) {
    env.with_config(RULES);
    env.at("2026-10-01T08:00:00Z");
    assert!(alert(env, "pay-latency", "Payments latency high", "firing").contains("opened INC-1"));
    env.at("2026-10-01T09:00:00Z");
    alert(env, "pay-latency", "Payments latency high", "resolved");
    env.ok(&["resolve", "INC-1"]);
    env.at("2026-10-02T08:00:00Z");
    env.declare(
        "Payments API returns 500s",
        &["--service", "payments", "-s", "SEV2"],
    );
    env.at("2026-10-02T10:00:00Z");
    env.ok(&["resolve", "INC-2", "--summary", "rolled back"]);
    let file = answers(
        env,
        "root_cause = \"A connection pool too small for peak traffic\"\n",
    );
    env.ok(&["retro", "INC-2", "--answers", &file]);
    env.ok(&[
        "action",
        "add",
        "INC-2",
        "Size the pool from load tests",
        "--owner",
        "erin",
        "--due",
        "2026-11-30",
        "-k",
        "preventive",
    ]);
    for (day, title, services) in [
        ("03", "Search is slow", &["--service", "search"][..]),
        ("04", "payments api returning 500 errors", &[][..]),
        ("05", "Payments is slow", &["--service", "payments"][..]),
        ("06", "Payments API returns 500s", &["--service", "payments"][..]),
    ] {
        env.at(&format!("2026-10-{day}T08:00:00Z"));
        let key = env.declare(title, services);
        env.at(&format!("2026-10-{day}T09:00:00Z"));
        match day {
            "06" => env.ok(&["cancel", &key, "--reason", "a test page"]),
            _ => env.ok(&["resolve", &key]),
        };
    }
    env.at("2026-10-10T08:00:00Z");
    let opened = alert(env, "pay-latency", "Payments API returns 500s", "firing");
    assert!(opened.contains("opened INC-7"), "{opened}");
}

#[test]
fn similar_ranks_a_known_history_with_the_reason_for_each() {
    let mut env = Env::new();
    history(&mut env);
    let ranked = env.json(&["similar", "INC-7"]);
    let keys: Vec<&str> = ranked
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["INC-1", "INC-2", "INC-4"], "{ranked:#}");
    let reasons = |i: usize| -> Vec<&str> {
        ranked[i]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["reason"].as_str().unwrap())
            .collect()
    };
    assert_eq!(reasons(0), ["same_alert", "same_service"]);
    assert_eq!(ranked[0]["reasons"][0]["alerts"][0]["identity"], "pay-latency");
    assert_eq!(reasons(1), ["same_service", "shared_words"]);
    assert_eq!(
        ranked[1]["reasons"][1]["words"],
        serde_json::json!(["500", "api", "payment", "return"])
    );
    assert_eq!(ranked[1]["score"], 1.0);
    assert_eq!(
        ranked[1]["root_cause"],
        "A connection pool too small for peak traffic"
    );
    assert_eq!(
        ranked[1]["open_actions"][0]["text"],
        "Size the pool from load tests"
    );
    assert_eq!(reasons(2), ["shared_words"]);

    // For people: the same order, each with why.
    let text = env.ok(&["similar", "INC-7"]);
    let first: Vec<&str> = text.lines().filter(|l| l.starts_with("INC-")).collect();
    assert_eq!(first.len(), 3, "{text}");
    assert!(
        first[0].starts_with("INC-1  2026-10-01  SEV1  Payments latency high"),
        "{text}"
    );
    assert!(
        text.contains("  the same alert (generic pay-latency); the same service (payments)"),
        "{text}"
    );
    // show lists the same first three, with the root cause and open items.
    let shown = env.ok(&["show", "INC-7"]);
    let section = shown
        .split("Seen before (incident similar INC-7)")
        .nth(1)
        .unwrap_or_else(|| panic!("{shown}"));
    let section = section.split("Timeline").next().unwrap();
    let order: Vec<usize> = ["INC-1", "INC-2", "INC-4"]
        .iter()
        .map(|k| section.find(k).unwrap_or_else(|| panic!("{k}: {section}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{section}");
    assert!(
        section.contains("root cause: A connection pool too small"),
        "{section}"
    );
    assert!(
        section.contains("open A-1: Size the pool from load tests (erin, due 2026-11-30)"),
        "{section}"
    );
    // An incident with nothing like it before says so, and the first one
    // has no past at all.
    assert!(env.ok(&["similar", "INC-3"]).is_empty());
    assert!(
        env.talk(&["similar", "INC-1"])
            .contains("no past incident is like INC-1")
    );
    // --json show keeps its shape.
    assert!(env.show("INC-7").get("similar").is_none());
}

#[test]
fn the_postmortem_lists_related_incidents_and_their_open_action_items() {
    let mut env = Env::new();
    history(&mut env);
    env.at("2026-10-10T09:00:00Z");
    env.ok(&["resolve", "INC-7"]);
    let md = env.ok(&["retro", "INC-7", "--export", "md"]);
    let related = md
        .split("## Related incidents\n\n")
        .nth(1)
        .unwrap_or_else(|| panic!("{md}"));
    let lines: Vec<&str> = related.lines().collect();
    assert!(
        lines[0]
            .starts_with("- **INC-1** (2026-10-01, SEV1, resolved): Payments latency high — the same alert"),
        "{related}"
    );
    assert!(
        lines[1].starts_with("- **INC-2** (2026-10-02, SEV2, resolved): Payments API returns 500s"),
        "{related}"
    );
    assert_eq!(
        lines[2],
        "  - Root cause: A connection pool too small for peak traffic"
    );
    assert_eq!(
        lines[3],
        "  - Open action item A-1: Size the pool from load tests (erin, due 2026-11-30)"
    );
    assert!(lines[4].starts_with("- **INC-4**"), "{related}");
    let doc = env.json(&["retro", "INC-7", "--export", "json"]);
    assert_eq!(doc["related"].as_array().unwrap().len(), 3);
    // Once the item is done, it is no longer listed as open.
    env.ok(&["action", "done", "A-1"]);
    let md = env.ok(&["retro", "INC-7", "--export", "md"]);
    assert!(!md.contains("Open action item A-1"), "{md}");
}

#[test]
fn declare_refuses_a_likely_repeat_of_an_open_incident_without_a_terminal_unless_forced() {
    let mut env = Env::new();
    env.at("2026-11-23T08:00:00Z");
    env.declare("Checkout returns 500s", &["--service", "checkout"]);
    env.at("2026-11-23T08:05:00Z");
    let before = env.bytes();
    let err = env.fails(
        2,
        &[
            "declare",
            "checkout returning 500 errors",
            "--service",
            "checkout,cart",
        ],
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("INC-1") && err.contains("--force"), "{err}");
    assert_eq!(env.bytes(), before, "nothing written");
    // Another service, or other words: no question.
    env.declare("Checkout returns 500s", &["--service", "search"]);
    env.declare("Checkout is slow", &["--service", "checkout"]);
    // --force declares it, and lists what is alike on stderr only.
    let out = env
        .cmd()
        .args([
            "declare",
            "checkout returning 500 errors",
            "--service",
            "checkout",
            "--force",
        ])
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(stdout, "INC-4\n");
    assert!(
        stderr.contains("seen before (all of them: incident similar INC-4):"),
        "{stderr}"
    );
    assert!(stderr.contains("INC-1  2026-11-23"), "{stderr}");
    // -q and --json stay clean.
    let quiet = env
        .cmd()
        .args([
            "-q",
            "declare",
            "Checkout 500s returning",
            "--service",
            "checkout",
            "--force",
        ])
        .assert()
        .success();
    assert_eq!(String::from_utf8_lossy(&quiet.get_output().stderr), "");
    let json: Value = env.json(&[
        "declare",
        "Checkout returns 500s!",
        "--service",
        "checkout",
        "--force",
    ]);
    assert_eq!(json["key"], "INC-6");
    // A drill is no repeat of a real incident.
    env.declare("Checkout returns 500s", &["--service", "checkout", "--drill"]);
}

#[test]
fn declare_asks_on_a_terminal_and_cancelling_writes_nothing() {
    let mut env = Env::new();
    env.at("2026-11-23T08:00:00Z");
    env.declare("Checkout returns 500s", &["--service", "checkout"]);
    let before = env.bytes();
    let spawn = |args: &[&str]| {
        let mut cmd = env.std_cmd();
        cmd.env("TERM", "xterm").env("NO_COLOR", "1").args(args);
        rexpect::session::spawn_command(cmd, Some(10_000)).unwrap()
    };
    let args = ["declare", "Checkout returning 500s", "--service", "checkout"];
    // Esc cancels: exit 130, nothing written.
    let mut p = spawn(&args);
    p.exp_string("INC-1 \"Checkout returns 500s\" is open on checkout. Declare a new incident anyway?")
        .unwrap();
    p.send("\x1b").unwrap();
    p.flush().unwrap();
    p.exp_string("cancelled; nothing was recorded").unwrap();
    p.exp_eof().unwrap();
    assert!(matches!(p.process().wait().unwrap(), WaitStatus::Exited(_, 130)));
    assert_eq!(env.bytes(), before);
    // Ctrl-C too.
    let mut p = spawn(&args);
    p.exp_string("Declare a new incident anyway?").unwrap();
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
    assert!(matches!(p.process().wait().unwrap(), WaitStatus::Exited(_, 130)));
    assert_eq!(env.bytes(), before);
    // No (the default): not declared, and where to add instead.
    let mut p = spawn(&args);
    p.exp_string("Declare a new incident anyway?").unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("not declared; add to INC-1 with 'incident update INC-1 ...'")
        .unwrap();
    p.exp_eof().unwrap();
    assert!(matches!(p.process().wait().unwrap(), WaitStatus::Exited(_, 130)));
    assert_eq!(env.bytes(), before);
    // Yes: declared.
    let mut p = spawn(&args);
    p.exp_string("Declare a new incident anyway?").unwrap();
    p.send("y").unwrap();
    p.flush().unwrap();
    p.exp_string("INC-2").unwrap();
    p.exp_eof().unwrap();
    assert!(matches!(p.process().wait().unwrap(), WaitStatus::Exited(_, 0)));
    assert_eq!(env.show("INC-2")["title"], "Checkout returning 500s");
}

#[test]
fn an_alert_rule_with_attach_service_joins_any_open_incident_on_its_service() {
    let mut env = Env::new();
    env.with_config(
        r#"
[[alerts.rules]]
match = { severity = "warning" }
action = "open"
attach = "service"
"#,
    );
    env.at("2026-11-23T08:00:00Z");
    let key = env.declare("Search is slow", &["--service", "search"]);
    // A day later, past any window: it joins the open incident.
    env.at("2026-11-24T08:00:00Z");
    let out = env.ok(&["ingest", &crate::alerts::fixture("grafana-firing.json")]);
    assert!(out.contains(&format!("attached {key}")), "{out}");
    assert_eq!(env.json(&["list", "--all"]).as_array().unwrap().len(), 1);
    // A value it does not know is refused, naming it.
    env.with_config("[[alerts.rules]]\naction = \"open\"\nattach = \"anything\"\n");
    let err = env.fails(2, &["ingest", &crate::alerts::fixture("grafana-firing.json")]);
    assert!(err.contains("attach") && err.contains("service"), "{err}");
}

/// An incident an alert opens is announced with what it was seen as
/// before: the person who ran `ingest` reads it, and so does everyone the
/// declaration is delivered to, root cause and all.
#[test]
fn an_incident_an_alert_opens_names_its_similar_past_incidents_where_it_is_announced() {
    let mut env = Env::new();
    history(&mut env);
    env.at("2026-10-10T09:00:00Z");
    alert(&env, "pay-latency", "Payments API returns 500s", "resolved");
    env.ok(&["resolve", "INC-7"]);
    let receiver = crate::notify::Receiver::start();
    std::fs::write(env.dir.path().join("slack-url"), receiver.url("/slack")).unwrap();
    env.with_config(&format!(
        "{RULES}\n[[notify]]\nname = \"ops\"\nkind = \"slack\"\nurl = {{ file = \"slack-url\" }}\n"
    ));
    // The destination starts here: none of the history is sent.
    assert!(env.talk(&["notify"]).contains("ops: 0 sent, up to date"));
    env.at("2026-10-12T08:00:00Z");
    let run = env
        .cmd()
        .args(["ingest", "-"])
        .write_stdin(
            r#"{"key": "pay-latency", "summary": "Payments API returns 500s", "severity": "critical", "service": "payments", "status": "firing"}"#,
        )
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(stdout.contains("opened INC-8"), "{stdout}");
    assert!(
        !stdout.contains("seen before"),
        "the result stays parseable: {stdout}"
    );
    // The same alert first (the newest first), then the same service and
    // words, with its root cause.
    let listed: Vec<&str> = stderr.lines().filter(|l| l.starts_with("    INC-")).collect();
    assert_eq!(listed.len(), 3, "{stderr}");
    assert!(listed[0].starts_with("    INC-7"), "{stderr}");
    assert!(listed[1].starts_with("    INC-1"), "{stderr}");
    assert!(listed[2].starts_with("    INC-2"), "{stderr}");
    assert!(
        stderr.contains("root cause: A connection pool too small"),
        "{stderr}"
    );
    env.at("2026-10-12T09:00:00Z");
    // The declaration as Slack receives it.
    assert!(env.talk(&["notify"]).contains("ops: 1 sent"));
    let sent = receiver.seen("/slack");
    assert_eq!(sent.len(), 1);
    let body = sent[0].json().to_string();
    assert!(body.contains("INC-8 SEV"), "{body}");
    assert!(body.contains("*Seen before*"), "{body}");
    for key in ["INC-7 (2026-10-10)", "INC-1 (2026-10-01)", "INC-2 (2026-10-02)"] {
        assert!(body.contains(key), "{key}: {body}");
    }
    assert!(
        body.contains("root cause: A connection pool too small for peak traffic, 1 open action item"),
        "{body}"
    );
}
