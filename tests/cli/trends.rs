//! `stats` trends: `--by month|severity` with each group's targets met,
//! the change failure rate (`--changes`) and repeated incidents
//! (`--repeats`), over a history at fixed times where every number is
//! known by hand.

use crate::support::*;
use serde_json::Value;

/// Opens an incident for a critical alert, as monitoring would.
const RULES: &str = r#"
[[alerts.rules]]
match = { severity = "critical" }
action = "open"
severity = "SEV1"
category = "availability"
"#;

fn alert(env: &Env, status: &str) {
    let body = format!(
        r#"{{"key": "disk-db1", "summary": "Disk full on db1", "severity": "critical", "status": "{status}"}}"#
    );
    env.cmd()
        .args(["ingest", "-"])
        .write_stdin(body)
        .assert()
        .success();
}

/// The history, declared since 2026-09-01 unless said otherwise (all UTC):
///
/// | key | declared | sev | service | title | resolved |
/// |-----|----------|-----|---------|-------|----------|
/// | 1 | 09-10 08:00 | SEV2 | checkout | Checkout returns 500s (impact 07:50) | 09:00 |
/// | 2 | 09-20 08:00 | SEV2 | checkout | Checkout returning 500 errors | 10:00 |
/// | 3 | 10-05 08:00 | SEV1 | search | Search is slow | 08:30 |
/// | 4 | 10-25 08:00 | SEV1 | checkout | Checkout 500s (35 days after 2) | 09:00 |
/// | 5 | 10-26 08:00 | SEV1 | checkout | a drill | — |
/// | 6 | 11-02 08:00 | SEV3 | checkout | canceled | — |
/// | 7 | 11-10 08:00 | SEV1 | — | alert disk-db1 | 09:00 (with its alert) |
/// | 8 | 11-20 08:00 | SEV1 | — | alert disk-db1 firing again | open |
///
/// Changes on checkout: 08-20 (before the period), 09-10 07:00 (INC-1
/// an hour later: failed), 09-19 07:00 (INC-2 25 hours later: outside
/// 24h), 10-05 07:30 (followed by INC-3, on another service), 10-26
/// 07:00 (only the drill follows) and 11-02 07:00 (only the canceled one).
fn history() -> Env {
    let mut env = Env::new();
    env.with_config(RULES);
    let change = |env: &Env, title: &str, at: &str| {
        env.ok(&["change", title, "--service", "checkout", "--at", at]);
    };
    env.at("2026-12-01T12:00:00Z");
    change(&env, "deploy 0", "2026-08-20 07:00");
    change(&env, "deploy 1", "2026-09-10 07:00");
    change(&env, "deploy 2", "2026-09-19 07:00");
    change(&env, "deploy 3", "2026-10-05 07:30");
    change(&env, "deploy 4", "2026-10-26 07:00");
    change(&env, "deploy 5", "2026-11-02 07:00");

    let declare = |env: &mut Env, at: &str, title: &str, extra: &[&str]| {
        env.at(at);
        env.declare(title, extra);
    };
    let resolve = |env: &mut Env, key: &str, at: &str| {
        env.at(at);
        env.ok(&["resolve", key]);
    };
    declare(
        &mut env,
        "2026-09-10T08:00:00Z",
        "Checkout returns 500s",
        &[
            "-s",
            "SEV2",
            "--service",
            "checkout",
            "--commander",
            "alice",
            "--started-at",
            "2026-09-10 07:50",
        ],
    );
    resolve(&mut env, "1", "2026-09-10T09:00:00Z");
    declare(
        &mut env,
        "2026-09-20T08:00:00Z",
        "Checkout returning 500 errors",
        &["-s", "SEV2", "--service", "checkout", "--commander", "bob"],
    );
    resolve(&mut env, "2", "2026-09-20T10:00:00Z");
    declare(
        &mut env,
        "2026-10-05T08:00:00Z",
        "Search is slow",
        &["-s", "SEV1", "--service", "search", "--commander", "carol"],
    );
    resolve(&mut env, "3", "2026-10-05T08:30:00Z");
    declare(
        &mut env,
        "2026-10-25T08:00:00Z",
        "Checkout 500s",
        &["-s", "SEV1", "--service", "checkout", "--commander", "alice"],
    );
    resolve(&mut env, "4", "2026-10-25T09:00:00Z");
    declare(
        &mut env,
        "2026-10-26T08:00:00Z",
        "Checkout returns 500s",
        &["-s", "SEV1", "--service", "checkout", "--drill"],
    );
    declare(
        &mut env,
        "2026-11-02T08:00:00Z",
        "Checkout 500s",
        &["-s", "SEV3", "--service", "checkout"],
    );
    env.ok(&["cancel", "6", "--reason", "false alarm"]);
    env.at("2026-11-10T08:00:00Z");
    alert(&env, "firing");
    env.at("2026-11-10T09:00:00Z");
    alert(&env, "resolved");
    // The rule does not resolve on the alert's word: a person does.
    env.ok(&["resolve", "7"]);
    env.at("2026-11-20T08:00:00Z");
    alert(&env, "firing");
    env.at("2026-12-01T12:00:00Z");
    env
}

const SINCE: &str = "2026-09-01 00:00";

fn groups(s: &Value) -> Vec<(String, u64, Option<i64>, Option<i64>)> {
    s["by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap().to_string(),
                g["incidents"].as_u64().unwrap(),
                g["time_to_resolve"]["median_seconds"].as_i64(),
                g["time_to_resolve"]["p90_seconds"].as_i64(),
            )
        })
        .collect()
}

#[test]
fn trends_by_month_and_severity_change_failures_and_repeats_over_a_known_history() {
    let env = history();
    let list = env.json(&["list", "--all"]);
    // The two alert incidents were opened by the rule.
    assert_eq!(list.as_array().unwrap().len(), 8, "{list}");

    // By month (UTC): the drill and the canceled one are not counted.
    let by = env.json(&["stats", "--since", SINCE, "--by", "month"]);
    assert_eq!(
        groups(&by),
        [
            // 1h and 2h: the median is their mean, p90 the larger.
            ("2026-09".to_string(), 2, Some(5400), Some(7200)),
            ("2026-10".to_string(), 2, Some(2700), Some(3600)),
            // INC-7 resolved with its alert after 1h; INC-8 is open.
            ("2026-11".to_string(), 2, Some(3600), Some(3600)),
        ],
        "{by}"
    );
    // By severity: in the configured order, SEV3's only incident canceled.
    let sev = env.json(&["stats", "--since", SINCE, "--by", "severity"]);
    let names: Vec<_> = groups(&sev).into_iter().map(|g| (g.0, g.1)).collect();
    assert_eq!(names, [("SEV1".to_string(), 4), ("SEV2".to_string(), 2)], "{sev}");
    // Each group's targets are the ones a report of that severity alone
    // counts, all targets together.
    for g in sev["by"].as_array().unwrap() {
        let alone = env.json(&["stats", "--since", SINCE, "-s", g["name"].as_str().unwrap()]);
        let all = alone["targets"].as_array().unwrap().last().unwrap().clone();
        for field in ["on_time", "late", "missed", "not_due"] {
            assert_eq!(
                g["targets"][field], all[field],
                "{} {field}: {g} vs {all}",
                g["name"]
            );
        }
    }
    // SEV2: two incidents acknowledged at once and resolved in 1h and 2h
    // (acknowledge and remediate on time); never triaged and no retro,
    // long past due: 4 of 8.
    let targets = |n: usize| {
        let t = &sev["by"][n]["targets"];
        (
            t["on_time"].clone(),
            t["late"].clone(),
            t["missed"].clone(),
            t["share_on_time"].clone(),
        )
    };
    assert_eq!(targets(1), (4.into(), 0.into(), 4.into(), 0.5.into()));
    // SEV1: acknowledged on time by INC-3 and 4, missed by the alert's
    // INC-7 and 8 (no commander); triage missed by all four; INC-8's
    // first hourly update missed; remediated on time by 3, 4 and 7,
    // missed by the open INC-8; the retros of 3, 4 and 7 missed (36h):
    // 5 on time of 16.
    assert_eq!(targets(0), (5.into(), 0.into(), 11.into(), 0.3125.into()));

    // The change failure rate: 5 changes in the period, INC-1 followed
    // deploy 1 within 24h; INC-2 came 25h after deploy 2; INC-3 is on
    // another service; the drill and the canceled one do not count.
    let s = env.json(&["stats", "--since", SINCE, "--changes"]);
    let f = &s["change_failure"];
    assert_eq!(
        (&f["changes"], &f["failed"], &f["rate"], &f["window_seconds"]),
        (
            &Value::from(5),
            &Value::from(1),
            &Value::from(0.2),
            &Value::from(86400)
        ),
        "{f}"
    );
    let followed: Vec<(String, Value)> = f["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["title"].as_str().unwrap().to_string(), c["incidents"].clone()))
        .collect();
    assert_eq!(
        followed,
        [
            ("deploy 1".to_string(), serde_json::json!(["INC-1"])),
            ("deploy 2".to_string(), serde_json::json!([])),
            ("deploy 3".to_string(), serde_json::json!([])),
            ("deploy 4".to_string(), serde_json::json!([])),
            ("deploy 5".to_string(), serde_json::json!([])),
        ]
    );
    // A window of 26 hours takes INC-2 in.
    let wide = env.json(&["stats", "--since", SINCE, "--change-window", "26h"]);
    assert_eq!(wide["change_failure"]["failed"], 2);
    assert!(
        wide["change_failure"].get("list").is_none(),
        "listed only with --changes"
    );
    let err = env.fails(2, &["stats", "--change-window", "soon"]);
    assert!(err.contains("--change-window"), "{err}");

    // Repeated incidents: INC-2 repeats INC-1 (similar title on checkout,
    // 10 days); INC-8 repeats INC-7 (the same alert, no service); INC-4
    // came 35 days after INC-2, too late.
    let r = env.json(&["stats", "--since", SINCE, "--repeats"]);
    assert_eq!(
        r["repeats"],
        serde_json::json!({"count": 2, "list": [
            {"earlier": "INC-1", "later": "INC-2", "why": "similar_title", "service": "checkout"},
            {"earlier": "INC-7", "later": "INC-8", "why": "same_alert", "source": "generic", "identity": "disk-db1"},
        ]}),
        "{r}"
    );
    // From 2026-09-15, INC-1 is before the period but INC-2 still repeats it.
    let later = env.json(&["stats", "--since", "2026-09-15 00:00", "--repeats"]);
    assert_eq!(later["repeats"]["count"], 2);
    // Drills neither fail changes nor repeat.
    let drills = env.json(&["stats", "--since", SINCE, "--drills", "--repeats"]);
    assert!(drills.get("change_failure").is_none() && drills.get("repeats").is_none());

    // For people.
    let out = env.ok(&[
        "stats",
        "--since",
        SINCE,
        "--changes",
        "--repeats",
        "--by",
        "month",
    ]);
    for line in [
        "Change failure rate: 1 of 5 changes (20%) followed by an incident on their service within 24h",
        "Repeated incidents: 2",
        "similar title on checkout",
        "same alert generic disk-db1",
        "2026-09",
    ] {
        assert!(out.contains(line), "{line}\n{out}");
    }
}

#[test]
fn trends_are_the_same_with_and_without_the_stats_cache_and_fit_narrow_terminals() {
    let env = history();
    for args in [
        vec!["stats", "--since", SINCE, "--changes", "--repeats"],
        vec!["stats", "--since", SINCE],
        vec!["stats", "--since", SINCE, "--by", "month"],
    ] {
        let cached = env.json(&args);
        let fresh = {
            let _lock = env.hold_writes();
            env.json(&args)
        };
        assert_eq!(cached, fresh, "{args:?}");
    }
    for columns in [80, 30] {
        for args in [
            vec!["stats", "--since", SINCE, "--by", "month"],
            vec!["stats", "--since", SINCE, "--changes", "--repeats"],
        ] {
            let (out, _) = env.on_terminal(columns, &args);
            // What this adds comes after the retros and before the
            // action items (lines older than it and not fitted to 30).
            let ours = out
                .lines()
                .skip_while(|l| !l.starts_with("Retros completed"))
                .skip(1)
                .filter(|l| !l.starts_with("Action items"));
            for line in ours {
                assert!(
                    line.chars().count() <= columns as usize,
                    "{columns} columns: {line:?}\n{out}"
                );
            }
            assert!(out.contains("INC-") || out.contains("2026-"), "{out}");
        }
    }
}
