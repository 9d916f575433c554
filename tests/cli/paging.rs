//! Paging through the real binary: a policy started by `declare --page`,
//! `escalate --to POLICY` or an alert rule pages the person on call
//! through their destination, the next level after the wait, then records
//! that nobody answered; `ack` stops it. The timers run on the fixed clock:
//! each `notify` is a deliverer's pass at that time.

use crate::alerts::fixture;
use crate::support::Env;
use serde_json::Value;
use std::path::PathBuf;

/// bob then alice on the primary (weekly, Berlin, from 2 March), the
/// other way round on the secondary; pages go to a command that appends
/// each page's document to a file.
fn paging() -> (Env, PathBuf) {
    let mut env = Env::new();
    let pages = env.dir.path().join("pages.jsonl");
    env.with_config(&format!(
        r#"
[people.alice]
notify = "pager"
time_zone = "Europe/Berlin"
[people.bob]
notify = "pager"

[[notify]]
name = "pager"
kind = "command"
run = "cat >> '{}'; echo >> '{}'"
events = ["paged", "shift_changed"]

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

[[policies]]
name = "db-critical"
[[policies.levels]]
page = ["schedule:db"]
wait = "5m"
[[policies.levels]]
page = ["schedule:db/secondary"]
wait = "5m"

[[alerts.rules]]
match = {{ severity = "critical" }}
action = "open"
severity = "SEV1"
page = "db-critical"
"#,
        pages.display(),
        pages.display()
    ));
    (env, pages)
}

/// Who was paged, in order, as the pager's command received them.
fn paged(pages: &PathBuf) -> Vec<String> {
    std::fs::read_to_string(pages)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let doc: Value = serde_json::from_str(l).unwrap();
            assert_eq!(doc["event"]["kind"], "paged", "{l}");
            doc["event"]["details"]["person"].as_str().unwrap().to_string()
        })
        .collect()
}

fn texts(env: &Env, key: &str, kind: &str) -> Vec<String> {
    env.show(key)["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .map(|e| e["text"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_page_nobody_answers_goes_to_the_next_level_then_is_reported_until_someone_acks() {
    let (mut env, pages) = paging();
    // Monday 23 March, 10:00 in Berlin: bob's week on the primary.
    env.at("2026-03-23T09:00:00Z");
    let said = env.talk(&[
        "declare",
        "Orders table locked",
        "-s",
        "SEV1",
        "--page",
        "db-critical",
    ]);
    assert!(
        said.contains("paging by db-critical until someone runs 'incident ack INC-1'"),
        "{said}"
    );
    env.talk(&["notify"]);
    assert_eq!(paged(&pages), ["bob"]);
    assert_eq!(texts(&env, "1", "paged"), ["Paged bob (db-critical level 1)"]);
    // A pass again, and one before the wait is over, page nobody.
    env.talk(&["notify"]);
    env.at("2026-03-23T09:04:59Z");
    env.talk(&["notify"]);
    assert_eq!(paged(&pages), ["bob"]);
    // The wait is over: the secondary.
    env.at("2026-03-23T09:05:00Z");
    env.talk(&["notify"]);
    assert_eq!(paged(&pages), ["bob", "alice"]);
    env.at("2026-03-23T09:10:00Z");
    env.ok(&["check"]);
    env.talk(&["notify"]);
    assert_eq!(paged(&pages), ["bob", "alice"]);
    assert_eq!(
        texts(&env, "1", "page_unanswered"),
        ["Nobody acknowledged the page: db-critical paged every level"]
    );
    let out = env.cmd().args(["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("INC-1: nobody acknowledged the page (db-critical paged every level)"),
        "{report}"
    );
    let json = env.cmd().args(["--json", "check"]).output().unwrap();
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["unanswered_pages"][0]["key"], "INC-1", "{json}");
    // Someone has it now.
    env.at("2026-03-23T09:12:00Z");
    assert!(
        env.talk(&["--as", "alice", "ack", "1"])
            .contains("INC-1: acknowledged by alice")
    );
    env.ok(&["check"]);
    let ack = crate::support::last_event(&env.show("1")).clone();
    assert_eq!(
        (ack["kind"].as_str(), ack["author"].as_str()),
        (Some("acknowledged"), Some("alice"))
    );
}

#[test]
fn an_acknowledgement_stops_the_page_and_meets_the_acknowledge_target() {
    let (mut env, pages) = paging();
    env.at("2026-03-23T09:00:00Z");
    env.declare("Orders table locked", &["-s", "SEV1"]);
    let said = env.talk(&["escalate", "1", "--to", "db-critical", "-r", "writes time out"]);
    assert!(
        said.contains("Paging by policy db-critical until someone runs 'incident ack INC-1'"),
        "{said}"
    );
    env.talk(&["notify"]);
    env.at("2026-03-23T09:03:00Z");
    let said = env.talk(&["--as", "bob", "ack", "INC-1"]);
    assert_eq!(said, "INC-1: acknowledged by bob; paging by db-critical stops\n");
    env.at("2026-03-23T09:30:00Z");
    env.talk(&["notify"]);
    assert_eq!(paged(&pages), ["bob"]);
    assert!(texts(&env, "1", "page_unanswered").is_empty());
    // Acknowledged three minutes in: the time to acknowledge.
    let stats = env.json(&["stats"]);
    assert_eq!(stats["time_to_acknowledge"]["median_seconds"], 180, "{stats}");
    // Nothing to acknowledge on an incident that is over.
    env.ok(&["resolve", "1", "--summary", "unlocked"]);
    let err = env.fails(2, &["ack", "1"]);
    assert!(
        err.contains("INC-1 is resolved: there is nothing to acknowledge"),
        "{err}"
    );
}

#[test]
fn an_alert_rule_pages_and_two_deliverers_at_once_page_each_step_once() {
    let (mut env, pages) = paging();
    // 2026-03-23 09:00 UTC; the fixture's alert fires critical.
    env.at("2026-03-23T09:00:00Z");
    env.ok(&["ingest", &fixture("alertmanager-firing.json")]);
    let escalated = texts(&env, "1", "escalated");
    assert_eq!(escalated, ["Escalated to db-critical: an alert rule pages it"]);
    // Two deliverers started together page bob once.
    let mut a = env.cmd();
    let mut b = env.cmd();
    let (a, b) = (a.arg("notify").output(), b.arg("notify").output());
    assert!(a.unwrap().status.success() && b.unwrap().status.success());
    let again: Vec<std::process::Child> = (0..3)
        .map(|_| env.std_cmd().arg("notify").spawn().unwrap())
        .collect();
    for mut child in again {
        assert!(child.wait().unwrap().success());
    }
    assert_eq!(texts(&env, "1", "paged").len(), 1);
    assert_eq!(paged(&pages), ["bob"]);
    env.at("2026-03-23T09:05:00Z");
    let racing: Vec<std::process::Child> = (0..4)
        .map(|_| env.std_cmd().arg("notify").spawn().unwrap())
        .collect();
    for mut child in racing {
        assert!(child.wait().unwrap().success());
    }
    assert_eq!(
        texts(&env, "1", "paged"),
        [
            "Paged bob (db-critical level 1)",
            "Paged alice (db-critical level 2)"
        ]
    );
    // A deliverer that recorded the page while another held the pager
    // destination leaves it to the next pass (cron's next minute).
    env.talk(&["notify"]);
    assert_eq!(paged(&pages), ["bob", "alice"]);
    env.ok(&["verify"]);
}

#[test]
fn policies_and_pages_that_cannot_work_are_refused_naming_what_to_fix() {
    let mut env = Env::new();
    env.with_config(
        "[[policies]]\nname = \"db-critical\"\n[[policies.levels]]\npage = [\"carol\"]\nwait = \"5m\"\n",
    );
    let err = env.fails(2, &["list"]);
    assert!(
        err.contains("carol can be paged (by [[policies]]) but cannot be reached: add [people.carol]"),
        "{err}"
    );
    env.with_config("[people.carol]\nnotify = \"sms\"\n");
    let err = env.fails(2, &["list"]);
    assert!(
        err.contains("[people.carol] notify 'sms' is not a [[notify]] destination; configured: none"),
        "{err}"
    );
    let (env, _) = paging();
    let err = env.fails(2, &["declare", "x", "--page", "web"]);
    assert!(
        err.contains("--page web: no such [[policies]] entry") && err.contains("configured: db-critical"),
        "{err}"
    );
}

#[test]
fn a_shift_change_during_an_open_incident_tells_both_and_oncall_shows_who_holds_it() {
    let (mut env, pages) = paging();
    // Monday 23 March, 08:55 in Berlin: alice's week on the primary ends
    // at 09:00 (08:00 UTC), then it is bob's.
    env.at("2026-03-23T07:55:00Z");
    env.talk(&[
        "declare",
        "Orders table locked",
        "-s",
        "SEV1",
        "--page",
        "db-critical",
    ]);
    env.talk(&["notify"]);
    env.at("2026-03-23T07:57:00Z");
    env.talk(&["--as", "alice", "ack", "1"]);
    let now = env.ok(&["oncall"]);
    assert!(
        now.contains("\n  INC-1 held by alice (primary): Orders table locked\n"),
        "{now}"
    );
    env.at("2026-03-23T08:00:00Z");
    env.talk(&["notify"]);
    env.talk(&["notify"]);
    assert_eq!(
        texts(&env, "1", "shift_changed"),
        ["Shift change on db primary: alice hands the incident over to bob"]
    );
    // Both were told, through their destination, once.
    let told: Vec<Value> = std::fs::read_to_string(&pages)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|d: &Value| d["event"]["kind"] == "shift_changed")
        .collect();
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["event"]["details"]["to"], "bob");
    let now = env.json(&["oncall"]);
    assert_eq!(now[0]["holding"][0]["person"], "bob", "{now}");
    // Acknowledged: no page for bob, only the word of the handover.
    assert_eq!(texts(&env, "1", "paged"), ["Paged alice (db-critical level 1)"]);
}

#[test]
fn a_service_or_a_playbook_names_the_policy_escalate_and_declare_page_use() {
    let (mut env, pages) = paging();
    let config = env.dir.path().join("config.toml");
    let mut toml = std::fs::read_to_string(&config).unwrap();
    toml.push_str("\n[services.db]\npolicy = \"db-critical\"\n");
    env.with_config(&toml);
    std::fs::create_dir_all(env.dir.path().join("playbooks")).unwrap();
    std::fs::write(
        env.dir.path().join("playbooks/orders.toml"),
        "name = \"orders\"\npolicy = \"db-critical\"\n[applies]\nservices = [\"orders\"]\n[[tasks]]\ntitle = \"Check the locks\"\n",
    )
    .unwrap();
    env.at("2026-03-23T09:00:00Z");
    // escalate without --to: the service's policy, before the severity's.
    env.declare("Replication lag", &["-s", "SEV2", "--service", "db"]);
    let said = env.talk(&["escalate", "1", "-r", "lag grows"]);
    assert!(
        said.contains("escalated to db-critical") && said.contains("Paging by policy db-critical"),
        "{said}"
    );
    // declare --page alone: the playbook's.
    let said = env.talk(&[
        "declare",
        "Orders stuck",
        "-s",
        "SEV1",
        "--service",
        "orders",
        "--page",
    ]);
    assert!(
        said.contains("playbook orders") && said.contains("paging by db-critical"),
        "{said}"
    );
    env.talk(&["notify"]);
    assert_eq!(paged(&pages), ["bob", "bob"]);
    // Nothing names one: say so.
    let err = env.fails(2, &["declare", "Search slow", "--service", "search", "--page"]);
    assert!(
        err.contains("--page names no policy, and neither the playbook nor a service names one"),
        "{err}"
    );
}
