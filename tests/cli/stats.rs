//! `stats` and its cache of settled incidents: the time to detect kept in
//! the cache reads back exactly as computed afresh, and a changed start of
//! impact drops what was settled.

use crate::support::*;
use serde_json::Value;

/// Completes the retrospective at `at`, which closes the incident.
fn closed(env: &Env, id: i64, at: &str) {
    let key = id.to_string();
    let answers = env.dir.path().join("root-cause.toml");
    std::fs::write(&answers, "root_cause = \"a bad deploy\"\n").unwrap();
    for args in [
        vec!["retro", &key, "--answers", answers.to_str().unwrap()],
        vec!["retro", &key, "--complete", "--no-actions", "one-off"],
    ] {
        env.cmd().env("INCIDENT_NOW", at).args(&args).assert().success();
    }
}

/// `stats --json` while another connection holds the write lock: nothing
/// can be settled, so whatever is not settled yet is evaluated afresh.
fn stats_while_locked(env: &Env, args: &[&str]) -> Value {
    let _lock = env.hold_writes();
    env.json(args)
}

fn settled(env: &Env) -> Vec<(i64, Option<i64>)> {
    env.pairs("SELECT id, settled FROM incidents ORDER BY id")
}

/// How many times to detect, their median and p90, in seconds.
type Detect = (u64, Option<i64>, Option<i64>);

fn detect(s: &Value) -> Detect {
    let d = &s["time_to_detect"];
    (
        d["count"].as_u64().unwrap(),
        d["median_seconds"].as_i64(),
        d["p90_seconds"].as_i64(),
    )
}

#[test]
fn stats_keeps_the_time_to_detect_of_settled_incidents_and_drops_it_when_the_start_changes() {
    let mut env = Env::new();
    // Across two months: closed ones with and without a start of impact,
    // one only resolved, one open, one canceled and a drill.
    env.at("2026-10-30T08:00:00Z");
    env.declare(
        "A",
        &[
            "-s",
            "SEV1",
            "--commander",
            "alice",
            "--service",
            "api",
            "--started-at",
            "2026-10-30 07:30",
        ],
    );
    env.at("2026-10-30T09:00:00Z");
    env.ok(&["resolve", "1"]);
    closed(&env, 1, "2026-10-31T09:00:00Z");
    env.at("2026-11-02T08:00:00Z");
    env.declare("B", &["-s", "SEV2", "--commander", "bob", "--service", "db"]);
    env.at("2026-11-02T09:00:00Z");
    env.ok(&["resolve", "2"]);
    closed(&env, 2, "2026-11-03T09:00:00Z");
    env.at("2026-11-05T08:00:00Z");
    env.declare(
        "C",
        &[
            "-s",
            "SEV2",
            "--commander",
            "carol",
            "--service",
            "api",
            "--started-at",
            "2026-11-05 07:50",
        ],
    );
    env.at("2026-11-05T10:00:00Z");
    env.ok(&["resolve", "3"]);
    closed(&env, 3, "2026-11-06T10:00:00Z");
    env.at("2026-11-10T08:00:00Z");
    env.declare("D", &["-s", "SEV3", "--started-at", "2026-11-10 04:00"]);
    env.at("2026-11-10T12:00:00Z");
    env.ok(&["resolve", "4"]);
    env.at("2026-11-23T07:00:00Z");
    env.declare("E", &["-s", "SEV3", "--started-at", "2026-11-23 06:59"]);
    env.declare("F", &["-s", "SEV3", "--started-at", "2026-11-23 05:00"]);
    env.ok(&["cancel", "6", "--reason", "false alarm"]);
    env.declare(
        "G",
        &["-s", "SEV1", "--started-at", "2026-11-23 04:00", "--drill"],
    );
    env.at("2026-11-23T08:00:00Z");
    let all = ["stats", "--since", "60d"];

    let live = stats_while_locked(&env, &all);
    assert!(settled(&env).iter().all(|(_, s)| s.is_none()));
    // 30m (INC-1), 10m (INC-3), 4h (INC-4), 1m (INC-5): the canceled one
    // and the drill are not counted, INC-2 has no start.
    assert_eq!(detect(&live), (4, Some(20 * 60), Some(4 * 3600)), "{live}");
    // The first run settles the three closed ones, the later ones read
    // their times to detect back from the cache.
    assert_eq!(env.json(&all), live);
    let key = settled(&env)[0].1.expect("INC-1 settled");
    assert_eq!(
        settled(&env)[..4],
        [(1, Some(key)), (2, Some(key)), (3, Some(key)), (4, None)]
    );
    assert_eq!(
        env.pairs("SELECT incident_id, detect_seconds FROM stats_settled ORDER BY incident_id"),
        [(1, Some(1800)), (2, None), (3, Some(600))]
    );
    assert_eq!(env.json(&all), live);
    assert_eq!(env.ok(&["stats", "--since", "60d"]), {
        let _lock = env.hold_writes();
        env.ok(&["stats", "--since", "60d"])
    });
    // Inside a month, by severity, and the default 90 days: the same as
    // evaluating every incident.
    for args in [
        vec!["stats", "--since", "2026-10-30 09:00"],
        vec!["stats", "--since", "2026-11-01 00:00", "--severity", "SEV2"],
        vec!["stats", "--severity", "SEV1,SEV3"],
        vec!["stats"],
    ] {
        let cached = env.json(&args);
        assert_eq!(cached, stats_while_locked(&env, &args), "{args:?}");
    }
    let sev2 = env.json(&["stats", "--since", "60d", "--severity", "SEV2"]);
    assert_eq!(detect(&sev2), (1, Some(600), Some(600)));

    // Broken down (evaluated afresh): the same times by group.
    let by = env.json(&["stats", "--since", "60d", "--by", "service"]);
    let groups: Vec<(String, Detect)> = by["by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["name"].as_str().unwrap().to_string(), detect(g)))
        .collect();
    assert_eq!(
        groups,
        [
            ("(none)".to_string(), (2, Some(7230), Some(4 * 3600))),
            ("api".to_string(), (2, Some(1200), Some(1800))),
            ("db".to_string(), (0, None, None)),
        ]
    );
    assert_eq!(detect(&by), detect(&live));

    // A new start of impact on a closed incident drops what was settled of
    // it: INC-1 went unnoticed for 2h, not 30m.
    env.ok(&["edit", "1", "--started-at", "2026-10-30 06:00"]);
    assert_eq!(settled(&env)[0], (1, None));
    let moved = env.json(&all);
    assert_eq!(detect(&moved), (4, Some(65 * 60), Some(4 * 3600)), "{moved}");
    assert_eq!(settled(&env)[0], (1, Some(key)), "settled again");
    assert_eq!(env.json(&all), moved);
    assert_eq!(moved, stats_while_locked(&env, &all));

    // A start given for the first time, after the declaration (noticed
    // before it began): counted as detected at once.
    env.ok(&["edit", "2", "--started-at", "2026-11-02 08:30"]);
    assert_eq!(settled(&env)[1], (2, None));
    let first = env.json(&all);
    assert_eq!(detect(&first).0, 5);
    assert_eq!(env.json(&all), first);
    assert_eq!(first, stats_while_locked(&env, &all));
    assert_eq!(
        env.pairs("SELECT incident_id, detect_seconds FROM stats_settled WHERE incident_id = 2"),
        [(2, Some(0))]
    );
}

sqlite_only! {
    #[test]
    fn a_cache_settled_by_the_previous_release_is_settled_again_with_the_time_to_detect() {
        // The previous release (schema version 8, tests/cli/fixtures/)
        // settled INC-3, closed, without a time to detect. Its start of
        // impact set behind the tool's back, as the row cannot tell.
        let mut env = Env::new();
        env.db = env.dir.path().join("previous.db");
        std::fs::copy(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/fixtures/previous-release.db"),
            &env.db,
        )
        .unwrap();
        env.at("2026-11-27T00:00:00Z");
        env.tamper("UPDATE incidents SET started_at = '2026-11-20T07:45:00Z' WHERE id = 3");
        assert_eq!(settled(&env)[2].0, 3);
        assert!(settled(&env)[2].1.is_some(), "settled by the previous release");

        // The upgrade clears the cache; this report settles INC-3 again.
        let all = ["stats", "--since", "2026-11-01"];
        let upgraded = env.json(&all);
        assert_eq!(
            env.pairs("SELECT incident_id, detect_seconds FROM stats_settled"),
            [(3, Some(15 * 60))]
        );
        assert_eq!(upgraded, stats_while_locked(&env, &all));
        assert_eq!(env.json(&all), upgraded);
        // INC-1 (10m) and INC-3 (15m).
        assert_eq!(detect(&upgraded), (2, Some(12 * 60 + 30), Some(15 * 60)), "{upgraded}");
    }
}

postgres_only! {
    #[test]
    fn a_database_settled_before_the_time_to_detect_was_kept_is_settled_again() {
        // A closed incident settled, then the database as schema version 3
        // left it: no time to detect in the cache.
        let mut env = Env::new();
        env.at("2026-11-20T08:00:00Z");
        env.declare("A", &["-s", "SEV3", "--commander", "alice"]);
        env.at("2026-11-20T09:00:00Z");
        env.ok(&["resolve", "1"]);
        closed(&env, 1, "2026-11-21T09:00:00Z");
        env.at("2026-11-27T00:00:00Z");
        let all = ["stats", "--since", "2026-11-01"];
        assert_eq!(detect(&env.json(&all)).0, 0);
        assert!(settled(&env)[0].1.is_some());
        env.tamper(
            "ALTER TABLE stats_settled DROP COLUMN detect_seconds;
             DROP TABLE renumbered, deliveries, rooms, chat_seen, overrides, component_statuses, maintenances, search_docs;
             ALTER TABLE alerts DROP COLUMN seal; ALTER TABLE incidents DROP COLUMN likeness;
             DROP INDEX alerts_group_latest; CREATE INDEX alerts_by_group ON alerts (source, group_key);
             UPDATE incident_schema SET version = 3;
             UPDATE incidents SET started_at = '2026-11-20T07:45:00Z' WHERE id = 1;",
        );

        // The upgrade clears the cache; this report settles INC-1 again.
        let upgraded = env.json(&all);
        assert_eq!(
            env.number("SELECT version FROM incident_schema"),
            incident::store::pg::migrations::LATEST
        );
        assert_eq!(
            env.pairs("SELECT incident_id, detect_seconds FROM stats_settled"),
            [(1, Some(15 * 60))]
        );
        assert_eq!(detect(&upgraded), (1, Some(15 * 60), Some(15 * 60)));
        assert_eq!(upgraded, stats_while_locked(&env, &all));
        assert_eq!(env.json(&all), upgraded);
    }
}
