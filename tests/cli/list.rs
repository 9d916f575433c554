use crate::support::*;
use serde_json::Value;
use std::io::Read;
use std::process::Stdio;

fn keys(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_string())
        .collect()
}

/// INC-1 SEV3 open, INC-2 SEV1 resolved, INC-3 SEV2 open, INC-4 SEV1 open (newest).
fn four_incidents() -> Env {
    let mut env = Env::new();
    env.declare("Search slow", &["-s", "SEV3", "--service", "search"]);
    env.at("2026-11-23T08:10:00Z");
    env.declare("DB failover", &["-s", "SEV1"]);
    env.ok(&["resolve", "2"]);
    env.at("2026-11-23T08:20:00Z");
    env.declare(
        "Checkout 500s",
        &["-s", "SEV2", "--commander", "carol", "--service", "checkout"],
    );
    env.at("2026-11-23T08:30:00Z");
    env.declare("Login down", &["-s", "SEV1"]);
    env
}

#[test]
fn open_incidents_most_severe_first_then_oldest() {
    let env = four_incidents();
    assert_eq!(keys(&env.json(&["list"])), ["INC-4", "INC-3", "INC-1"]);
    assert_eq!(
        keys(&env.json(&["list", "--all"])),
        ["INC-2", "INC-4", "INC-3", "INC-1"]
    );
    assert_eq!(keys(&env.json(&["list", "--status", "resolved"])), ["INC-2"]);
    assert_eq!(
        keys(&env.json(&["list", "--status", "investigating,resolved"])),
        ["INC-2", "INC-4", "INC-3", "INC-1"]
    );
    assert_eq!(
        keys(&env.json(&["list", "--all", "--severity", "sev1"])),
        ["INC-2", "INC-4"]
    );
    assert_eq!(
        keys(&env.json(&["list", "--severity", "SEV2,sev1"])),
        ["INC-4", "INC-3"],
        "several levels, most severe first whatever the order given"
    );
    assert_eq!(
        keys(&env.json(&["list", "--all", "--severity", "SEV3", "--severity", "SEV1"])),
        ["INC-2", "INC-4", "INC-1"]
    );
    assert_eq!(
        keys(&env.json(&["list", "--since", "2026-11-23 08:15"])),
        ["INC-4", "INC-3"]
    );
    assert_eq!(
        keys(&env.json(&["list", "--all", "--since", "25m"])),
        ["INC-2", "INC-4", "INC-3"]
    );
}

#[test]
fn list_json_objects_have_the_incident_shape_without_a_timeline() {
    let env = four_incidents();
    let list = env.json(&["list"]);
    let checkout = &list[1];
    assert_eq!(checkout["key"], "INC-3");
    assert_eq!(checkout["commander"], "carol");
    assert_eq!(checkout["roles"][0]["person"], "carol");
    assert_eq!(checkout["services"][0], "checkout");
    assert!(checkout.get("timeline").is_none());
    assert_eq!(env.json(&["list", "--status", "closed"]), serde_json::json!([]));
}

#[test]
fn the_human_list_is_a_table() {
    let mut env = four_incidents();
    env.at("2026-11-23T09:00:00Z");
    insta::assert_snapshot!(env.ok(&["list"]), @r"
    KEY    SEV   STATUS         TITLE          COMMANDER  SERVICES  DECLARED          AGE
    INC-4  SEV1  investigating  Login down     -                    2026-11-23 08:30  30m
    INC-3  SEV2  investigating  Checkout 500s  carol      checkout  2026-11-23 08:20  40m
    INC-1  SEV3  investigating  Search slow    -          search    2026-11-23 08:00  1h00m
    ");
}

#[test]
fn at_most_limit_rows_with_a_footer_counting_the_rest() {
    let env = four_incidents();
    let out = env.ok(&["list", "--all", "--limit", "2"]);
    assert_eq!(out.lines().count(), 4, "{out}");
    assert!(out.ends_with("… and 2 more; --limit 0 shows all 4\n"), "{out}");
    assert_eq!(env.ok(&["list", "--all", "--limit", "0"]).lines().count(), 5);
    assert_eq!(keys(&env.json(&["list", "--all", "--limit", "1"])), ["INC-2"]);
}

#[test]
fn an_empty_list_says_so_on_stderr() {
    let env = Env::new();
    let out = env.cmd().arg("list").output().unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("No open incidents"));
    assert!(!env.db.exists(), "reading does not create the database");
}

#[test]
fn a_closed_pipe_is_a_clean_exit() {
    let env = four_incidents();
    let mut child = env
        .std_cmd()
        .args(["list", "--all"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader went away, like `| head -0`
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(status.success(), "{status:?} {stderr}");
    assert_eq!(stderr, "");
}
