//! Alert intake: `ingest`, `serve` and `alerts`, through the real binary,
//! with payloads written from each sender's published definition
//! (`fixtures/alerts/`).

use crate::support::{Env, kinds, last_event};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::Duration;

pub fn fixture(name: &str) -> String {
    fixture_path(name).to_str().unwrap().to_string()
}

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/fixtures/alerts")
        .join(name)
}

pub const RULES: &str = r#"
[[alerts.rules]]
match = { severity = "critical" }
action = "open"
severity = "SEV1"
category = "availability"

[[alerts.rules]]
match = { severity = "warning" }
action = "attach"
severity = "SEV3"
within = "2h"
"#;

fn incidents(env: &Env) -> Vec<Value> {
    env.json(&["list", "--all"]).as_array().unwrap().clone()
}

fn alerts(env: &Env) -> Vec<Value> {
    env.json(&["alerts"]).as_array().unwrap().clone()
}

#[test]
fn an_alert_opens_one_incident_and_its_repeats_only_count() {
    let mut env = Env::new();
    env.with_config(RULES);
    let out = env.ok(&["ingest", &fixture("alertmanager-firing.json")]);
    assert_eq!(
        out,
        "alert 1 firing (new): opened INC-1\nalert 2 firing (new): attached INC-1\n"
    );
    env.at("2026-11-23T08:05:00Z");
    let again = env.ok(&[
        "ingest",
        "--format",
        "alertmanager",
        &fixture("alertmanager-firing.json"),
    ]);
    assert!(
        again.contains("alert 1 firing (repeat): counted INC-1"),
        "{again}"
    );
    assert_eq!(incidents(&env).len(), 1);

    let inc = env.show("INC-1");
    assert_eq!(inc["severity"], "SEV1");
    assert_eq!(inc["category"], "availability");
    assert_eq!(inc["services"], serde_json::json!(["checkout"]));
    assert_eq!(inc["detected_by"], "monitoring");
    assert_eq!(inc["started_at"], "2026-11-23T07:55:00Z");
    // The repeat added no timeline entry.
    assert_eq!(kinds(&inc), ["declared", "alert_attached", "alert_attached"]);
    let opened = &inc["timeline"][1];
    assert!(
        opened["text"]
            .as_str()
            .unwrap()
            .starts_with("Detected by monitoring: alert 1 from alertmanager: High error rate on checkout-1 (http://prometheus.example.com:9090/graph"),
        "{opened}"
    );

    let list = alerts(&env);
    assert_eq!(list.len(), 2);
    let first = list.iter().find(|a| a["id"] == 1).unwrap();
    assert_eq!(first["times_seen"], 2);
    assert_eq!(first["first_seen"], "2026-11-23T08:00:00Z");
    assert_eq!(first["last_seen"], "2026-11-23T08:05:00Z");
    assert_eq!(first["identity"], "a4c8b0e6c0f3a1d2");
    assert_eq!(first["incident"], "INC-1");
    assert_eq!(first["status"], "firing");

    // show and the postmortem say monitoring found it, with the link.
    let shown = env.ok(&["show", "INC-1"]);
    assert!(shown.contains("detected by  monitoring"), "{shown}");
    assert!(
        shown.contains("alerts       2 (2 firing); first: alert 1 from alertmanager http://prometheus.example.com:9090/graph"),
        "{shown}"
    );
    assert!(
        shown.contains("http://prometheus.example.com:9090/graph"),
        "{shown}"
    );
    let postmortem = env.ok(&["retro", "INC-1", "--export", "md"]);
    assert!(
        postmortem.contains("| Detected by | monitoring: alert 1 from alertmanager: High error rate on checkout-1 (http://prometheus.example.com:9090/graph"),
        "{postmortem}"
    );
}

#[test]
fn resolutions_are_recorded_and_only_a_rule_resolves_the_incident() {
    for auto in [false, true] {
        let mut env = Env::new();
        env.with_config(&RULES.replacen(
            "category = \"availability\"",
            &format!("category = \"availability\"\nauto_resolve = {auto}"),
            1,
        ));
        env.ok(&["ingest", &fixture("alertmanager-firing.json")]);
        env.at("2026-11-23T08:30:00Z");
        let out = env.ok(&["ingest", &fixture("alertmanager-resolved.json")]);
        assert!(
            out.contains("alert 2 resolved (resolved): updated INC-1"),
            "{out}"
        );
        let inc = env.show("INC-1");
        let text = last_event(&inc)["text"].as_str().unwrap().to_string();
        if auto {
            assert_eq!(inc["status"], "resolved");
            assert_eq!(last_event(&inc)["kind"], "resolved");
        } else {
            assert_eq!(inc["status"], "investigating");
            assert_eq!(
                text,
                "Alert 2 resolved: High error rate on checkout-2; every alert of this incident has resolved"
            );
        }
        let resolved: Vec<_> = kinds(&inc)
            .into_iter()
            .filter(|k| k == "alert_resolved")
            .collect();
        assert_eq!(resolved.len(), 2);
        assert_eq!(
            inc["timeline"][3]["text"],
            "Alert 1 resolved: High error rate on checkout-1"
        );
        assert!(env.json(&["alerts", "--firing"]).as_array().unwrap().is_empty());
        assert_eq!(alerts(&env)[0]["ends_at"], "2026-11-23T08:21:00Z");
    }
}

#[test]
fn alerts_that_match_no_rule_are_recorded_and_can_be_tied_in_by_hand() {
    let env = Env::new();
    let out = env.ok(&["ingest", &fixture("grafana-firing.json")]);
    assert_eq!(out, "alert 1 firing (new): recorded\n");
    assert!(incidents(&env).is_empty());
    let list = alerts(&env);
    assert_eq!(list[0]["source"], "grafana");
    assert_eq!(list[0]["incident"], Value::Null);
    assert_eq!(
        list[0]["link"],
        "https://grafana.example.com/d/search?orgId=1&viewPanel=4"
    );
    let table = env.ok(&["alerts"]);
    assert!(table.contains("p99 search latency above 2s"), "{table}");

    let key = env.ok(&["declare", "--from-alert", "1", "--severity", "SEV2"]);
    assert_eq!(key.trim(), "INC-1");
    let inc = env.show("INC-1");
    assert_eq!(inc["title"], "p99 search latency above 2s");
    assert_eq!(inc["detected_by"], "monitoring");
    assert_eq!(inc["services"], serde_json::json!(["search"]));
    assert_eq!(kinds(&inc), ["declared", "alert_attached"]);
    let err = env.fails(2, &["declare", "--from-alert", "1"]);
    assert!(err.contains("alert 1 already belongs to INC-1"), "{err}");
    let err = env.fails(1, &["declare", "--from-alert", "9"]);
    assert!(err.contains("no alert 9; run 'incident alerts'"), "{err}");

    env.ok(&["ingest", &fixture("generic.json")]);
    let key = env.declare("Backups failing", &[]);
    let talk = env.talk(&["update", &key, "--attach-alert", "2"]);
    assert!(talk.contains("alert 2 attached"), "{talk}");
    let inc = env.show(&key);
    assert_eq!(
        last_event(&inc)["text"],
        "Alert 2 from generic attached: Nightly backup of db1 failed (https://ci.example.com/jobs/backup-db1/1234)"
    );
    let again = env.talk(&["update", &key, "--attach-alert", "2"]);
    assert!(again.contains("was attached already"), "{again}");
    assert_eq!(kinds(&env.show(&key)).len(), 2);
}

#[test]
fn identity_not_text_decides_what_is_a_repeat() {
    let mut env = Env::new();
    env.with_config(RULES);
    let generic = |key: &str| {
        format!(r#"{{"key": "{key}", "summary": "Disk full", "severity": "critical", "service": "db"}}"#)
    };
    for key in ["db1-disk", "db2-disk", "db1-disk"] {
        env.cmd()
            .args(["ingest", "-"])
            .write_stdin(generic(key))
            .assert()
            .success();
    }
    // Same words, two identities: two alerts, two incidents.
    assert_eq!(alerts(&env).len(), 2);
    assert_eq!(incidents(&env).len(), 2);
}

#[test]
fn an_attach_rule_joins_the_open_incident_on_the_same_service() {
    let mut env = Env::new();
    env.with_config(RULES);
    let key = env.declare("Search is slow", &["--service", "search"]);
    env.ok(&["ingest", &fixture("grafana-firing.json")]);
    let inc = env.show(&key);
    assert_eq!(kinds(&inc), ["declared", "alert_attached"]);
    assert_eq!(incidents(&env).len(), 1);
    // Out of the window, a new incident opens.
    let mut later = Env::new();
    later.with_config(RULES);
    later.declare("Search is slow", &["--service", "search"]);
    later.at("2026-11-23T11:00:00Z");
    let out = later.ok(&["ingest", &fixture("grafana-firing.json")]);
    assert!(out.contains("opened INC-2"), "{out}");
}

#[test]
fn pagerduty_dedup_keys_are_made_when_absent_and_resolve_by_key() {
    let mut env = Env::new();
    env.with_config(RULES);
    let body = r#"{"routing_key": "R015ANEXAMPLEROUTINGKEY00000000", "event_action": "trigger",
        "payload": {"summary": "API latency high", "source": "api-1", "severity": "critical", "component": "api"}}"#;
    let out = env
        .cmd()
        .args(["--json", "ingest"])
        .write_stdin(body)
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let key = doc["dedup_key"].as_str().unwrap().to_string();
    assert_eq!(key.len(), 32);
    assert_eq!(doc["alerts"][0]["did"], "opened");
    let resolve = format!(r#"{{"routing_key": "R0", "event_action": "resolve", "dedup_key": "{key}"}}"#);
    env.cmd()
        .args(["ingest", "--format", "pagerduty"])
        .write_stdin(resolve)
        .assert()
        .success();
    let inc = env.show("INC-1");
    assert_eq!(last_event(&inc)["kind"], "alert_resolved");
    // The published example, and its resolution.
    env.ok(&["ingest", &fixture("pagerduty-trigger.json")]);
    env.ok(&["ingest", &fixture("pagerduty-resolve.json")]);
    let inc = env.show("INC-2");
    assert_eq!(inc["title"], "DISK at 99% on machine prod-datapipe03.example.com");
    assert_eq!(inc["services"], serde_json::json!(["datapipe"]));
    assert_eq!(kinds(&inc), ["declared", "alert_attached", "alert_resolved"]);
}

#[test]
fn a_resolution_without_words_keeps_the_words_the_trigger_gave() {
    // PagerDuty's published resolve event carries no payload, so no summary.
    for rules in [RULES, ""] {
        let mut env = Env::new();
        env.with_config(rules);
        env.ok(&["ingest", &fixture("pagerduty-trigger.json")]);
        env.at("2026-11-23T08:30:00Z");
        env.ok(&["ingest", &fixture("pagerduty-resolve.json")]);
        let alert = &alerts(&env)[0];
        assert_eq!(alert["status"], "resolved");
        assert_eq!(
            alert["summary"], "DISK at 99% on machine prod-datapipe03.example.com",
            "{rules:?}"
        );
        let table = env.ok(&["alerts"]);
        assert!(!table.contains("pagerduty alert samplekeyhere"), "{table}");
        if !rules.is_empty() {
            let inc = env.show("INC-1");
            assert_eq!(
                last_event(&inc)["text"],
                "Alert 1 resolved: DISK at 99% on machine prod-datapipe03.example.com; every alert of this incident has resolved"
            );
        }
    }
    // An alert first heard of in a resolution still gets a name.
    let env = Env::new();
    env.ok(&["ingest", &fixture("pagerduty-resolve.json")]);
    assert_eq!(alerts(&env)[0]["summary"], "pagerduty alert samplekeyhere");
}

#[test]
fn identities_and_groups_are_compared_whole_or_refused_over_their_limit() {
    let env = Env::new();
    let generic = |key: &str, group: &str, summary: &str| {
        serde_json::json!({"key": key, "group": group, "summary": summary}).to_string()
    };
    let ingest = |body: String| {
        env.cmd()
            .args(["ingest", "-"])
            .write_stdin(body)
            .output()
            .unwrap()
    };
    // 1,001 characters, differing after the 1,000th: two alerts.
    let base = "k".repeat(1000);
    for (end, summary) in [("A", "one"), ("B", "two")] {
        let out = ingest(generic(&format!("{base}{end}"), "g", summary));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let list = alerts(&env);
    assert_eq!(list.len(), 2, "{list:?}");
    assert!(list.iter().all(|a| a["identity"].as_str().unwrap().len() == 1001));
    assert!(list.iter().all(|a| a["times_seen"] == 1));
    // At the limit (2,000 bytes, here 500 four-byte characters) it is kept
    // whole; one byte more is refused, naming the field and the limit.
    let at_limit = "\u{1F6A8}".repeat(500);
    assert_eq!(at_limit.len(), 2000);
    assert!(ingest(generic(&at_limit, "g", "emoji")).status.success());
    assert_eq!(alerts(&env)[0]["identity"], at_limit.as_str());
    let before = env.bytes();
    let over = format!("{at_limit}x");
    for (format, body, field) in [
        ("generic", generic(&over, "g", "s"), "\"key\""),
        ("generic", generic("k", &over, "s"), "\"group\""),
        (
            "pagerduty",
            serde_json::json!({"routing_key": "R015ANEXAMPLEROUTINGKEY00000000", "event_action": "trigger",
                "dedup_key": over, "payload": {"summary": "s", "source": "h", "severity": "info"}})
            .to_string(),
            "dedup_key",
        ),
        (
            "alertmanager",
            serde_json::json!({"version": "4", "groupKey": "{}:{alertname=\"A\"}", "status": "firing",
                "receiver": "incident", "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
                "externalURL": "http://alertmanager:9093", "truncatedAlerts": 0,
                "alerts": [{"status": "firing", "labels": {"alertname": "A"}, "annotations": {},
                    "startsAt": "2026-11-23T07:55:00Z", "endsAt": "0001-01-01T00:00:00Z",
                    "generatorURL": "http://prometheus/graph", "fingerprint": over}]})
            .to_string(),
            "fingerprint",
        ),
        (
            "alertmanager",
            serde_json::json!({"version": "4", "groupKey": over, "status": "firing",
                "receiver": "incident", "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
                "externalURL": "http://alertmanager:9093", "truncatedAlerts": 0,
                "alerts": [{"status": "firing", "labels": {"alertname": "A"}, "annotations": {},
                    "startsAt": "2026-11-23T07:55:00Z", "endsAt": "0001-01-01T00:00:00Z",
                    "generatorURL": "http://prometheus/graph", "fingerprint": "a4c8b0e6c0f3a1d2"}]})
            .to_string(),
            "groupKey",
        ),
    ] {
        let out = env
            .cmd()
            .args(["ingest", "--format", format, "-"])
            .write_stdin(body.clone())
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{format} {field}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(field) && stderr.contains("2001 bytes") && stderr.contains("at most 2000 bytes"),
            "{stderr}"
        );
        assert!(stderr.len() < 300, "the value is not echoed: {stderr}");
    }
    assert_eq!(env.bytes(), before, "nothing was written");
    // serve refuses it too, with 400 and the same reason.
    let server = Server::start(&env, &[]);
    let (status, answer) = server.post("/generic", generic(&over, "g", "s").as_bytes());
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("at most 2000 bytes"), "{answer}");
    let (code, _) = server.stop();
    assert_eq!(code, Some(0));
    assert_eq!(alerts(&env).len(), 3);
}

#[test]
fn malformed_payloads_are_refused_with_a_reason_and_change_nothing() {
    let env = Env::new();
    env.ok(&["ingest", &fixture("generic.json")]);
    let before = env.bytes();
    for (format, body, says) in [
        ("alertmanager", "{", "not a valid Alertmanager webhook payload"),
        (
            "alertmanager",
            r#"{"alerts": [{"status": "firing", "labels": {"a": 1}}]}"#,
            "invalid type",
        ),
        ("alertmanager", r#"{"alerts": []}"#, "no alerts"),
        ("grafana", r#"{"alerts": "many"}"#, "invalid type"),
        ("pagerduty", r#"{"event_action": "trigger"}"#, "needs a payload"),
        (
            "pagerduty",
            r#"{"event_action": "resolve"}"#,
            "needs its dedup_key",
        ),
        ("generic", r#"{"key": "k"}"#, "missing field `summary`"),
        (
            "generic",
            r#"{"key": "k", "summary": "s", "status": "on fire"}"#,
            "neither",
        ),
        ("generic", "\u{1b}]0;owned\u{7}", "not a valid generic alert"),
    ] {
        let out = env
            .cmd()
            .args(["ingest", "--format", format])
            .write_stdin(body)
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{format} {body}: {stderr}");
        assert!(stderr.contains(says), "{format} {body}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(!stderr.contains('\u{1b}'), "{stderr}");
    }
    let huge = format!(r#"{{"key": "k", "summary": "{}"}}"#, "x".repeat(1024 * 1024));
    let out = env.cmd().args(["ingest"]).write_stdin(huge).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than 1048576 bytes"));
    let err = env.fails(2, &["ingest", "/nonexistent/payload.json"]);
    assert!(err.contains("cannot read /nonexistent/payload.json"), "{err}");
    // On a terminal with nothing piped in: an error at once, never a wait.
    let (shown, _) = env.on_terminal(80, &["ingest"]);
    assert!(
        shown.contains("error: no payload: give a FILE, or pipe one in"),
        "{shown}"
    );
    assert_eq!(env.bytes(), before, "nothing was written");
}

#[test]
fn escapes_in_labels_and_summaries_never_reach_the_terminal() {
    let mut env = Env::new();
    env.with_config(RULES);
    let body = r#"{"key": "k\u001b[2J", "summary": "evil \u001b]0;pwned\u0007 \u202e title",
        "severity": "critical", "service": "svc\u001b[31m", "labels": {"x\u001b[1m": "\u009b6n"}}"#;
    env.cmd().args(["ingest"]).write_stdin(body).assert().success();
    for args in [&["alerts"][..], &["show", "INC-1"], &["list"]] {
        let out = env.ok(args);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{9b}') && !out.contains('\u{202e}'),
            "{args:?}: {out:?}"
        );
    }
    // --json carries the text as it came.
    assert_eq!(
        alerts(&env)[0]["summary"],
        "evil \u{1b}]0;pwned\u{7} \u{202e} title"
    );
}

#[test]
fn hooks_fire_for_incidents_that_alerts_open_or_change() {
    let mut env = Env::new();
    let seen = env.dir.path().join("seen.log");
    env.with_config(&format!(
        "{RULES}\n[[hooks]]\non = [\"declared\", \"alert_attached\", \"alert_resolved\"]\nrun = \"echo $INCIDENT_KEY $INCIDENT_EVENT >> '{}'\"\n",
        seen.display()
    ));
    let ok = |args: &[&str]| {
        let out = env
            .cmd()
            .env("PATH", "/usr/bin:/bin")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    ok(&["ingest", &fixture("alertmanager-firing.json")]);
    ok(&["ingest", &fixture("alertmanager-firing.json")]);
    ok(&["ingest", &fixture("alertmanager-resolved.json")]);
    let log = std::fs::read_to_string(&seen).unwrap();
    assert_eq!(
        log,
        "INC-1 declared\nINC-1 alert_attached\nINC-1 alert_attached\nINC-1 alert_resolved\nINC-1 alert_resolved\n"
    );
}

#[test]
fn alert_events_travel_verbatim_through_export_and_import() {
    let mut env = Env::new();
    env.with_config(RULES);
    env.ok(&["ingest", &fixture("alertmanager-firing.json")]);
    env.ok(&["ingest", &fixture("alertmanager-resolved.json")]);
    let strip = |text: String| {
        let mut doc: Value = serde_json::from_str(&text).unwrap();
        doc.as_object_mut().unwrap().remove("exported_at");
        doc
    };
    let first = strip(env.ok(&["export"]));
    let file = env.dir.path().join("export.json");
    std::fs::write(&file, serde_json::to_string(&first).unwrap()).unwrap();
    let mut other = Env::new();
    other.with_config(RULES);
    other.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(strip(other.ok(&["export"])), first);
    other.ok(&["verify"]);
}

// ---- incident serve ---------------------------------------------------

/// A running `incident serve`, stopped with SIGTERM when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
    /// Everything said on stderr so far, line by line.
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
    /// Waited for: its process id may belong to another process now.
    reaped: bool,
}

impl Server {
    pub fn start(env: &Env, extra: &[&str]) -> Server {
        Server::start_with(env.std_cmd(), extra)
    }

    pub fn start_with(mut cmd: std::process::Command, extra: &[&str]) -> Server {
        let mut child = cmd
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap());
        // Warnings may come first; then where it listens.
        let mut said = String::new();
        let addr = loop {
            let mut line = String::new();
            if lines.read_line(&mut line).unwrap() == 0 {
                panic!("serve said: {said:?}");
            }
            said.push_str(&line);
            if let Some(addr) = line.trim().strip_prefix("incident serve: listening on http://") {
                break addr.to_string();
            }
        };
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(said));
        let sink = stderr.clone();
        let reader = std::thread::spawn(move || {
            for line in lines.lines() {
                let Ok(line) = line else { break };
                let mut said = sink.lock().unwrap();
                said.push_str(&line);
                said.push('\n');
            }
        });
        Server {
            child,
            addr,
            stderr,
            reader: Some(reader),
            reaped: false,
        }
    }

    /// What it said on stderr so far.
    pub fn said(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits (up to 30 s) until it has said `text` on stderr; returns all
    /// it said.
    pub fn wait_for(&self, text: &str) -> String {
        let started = std::time::Instant::now();
        loop {
            let said = self.said();
            if said.contains(text) {
                return said;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "serve never said {text:?}; it said: {said}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends one request; returns the status and the body.
    pub fn request(&self, method: &str, path: &str, headers: &[&str], body: &[u8]) -> (u16, String) {
        http(&self.addr, method, path, headers, body)
    }

    pub fn post(&self, path: &str, body: &[u8]) -> (u16, String) {
        self.request("POST", path, &["Content-Type: application/json"], body)
    }

    /// SIGTERM; returns the exit code and everything said on stderr.
    pub fn stop(mut self) -> (Option<i32>, String) {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = self.child.wait().unwrap();
        self.reaped = true;
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        (status.code(), self.said())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.reaped {
            return;
        }
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.1 request (the client side of the tests), answered
/// with its status and body.
pub fn http(addr: &str, method: &str, path: &str, headers: &[&str], body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    // The Host a client names the server by, unless the test names another.
    if !headers
        .iter()
        .any(|h| h.to_ascii_lowercase().starts_with("host:"))
    {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    // The server may answer (413) before reading a large body.
    let _ = stream.write_all(body);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn serve_takes_every_format_answers_after_commit_and_stops_cleanly_on_sigterm() {
    let mut env = Env::new();
    env.with_config(RULES);
    let server = Server::start(&env, &[]);
    assert_eq!(server.request("GET", "/healthz", &[], b""), (200, "ok\n".into()));
    let body = std::fs::read(fixture_path("alertmanager-firing.json")).unwrap();
    let (status, answer) = server.post("/alertmanager", &body);
    assert_eq!(status, 200, "{answer}");
    let answer: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["status"], "success");
    assert_eq!(answer["alerts"][0]["did"], "opened");
    // Answered only after the commit: another process sees it at once.
    assert_eq!(incidents(&env).len(), 1);
    for _ in 0..3 {
        assert_eq!(server.post("/alertmanager", &body).0, 200);
    }
    assert_eq!(incidents(&env).len(), 1);
    assert_eq!(alerts(&env)[0]["times_seen"], 4);

    let grafana = std::fs::read(fixture_path("grafana-firing.json")).unwrap();
    assert_eq!(server.post("/grafana", &grafana).0, 200);
    let (status, answer) = server.post(
        "/pagerduty",
        &std::fs::read(fixture_path("pagerduty-trigger.json")).unwrap(),
    );
    assert_eq!(status, 202);
    let answer: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(
        (answer["status"].as_str(), answer["dedup_key"].as_str()),
        (Some("success"), Some("samplekeyhere"))
    );
    assert_eq!(
        server
            .post("/generic", &std::fs::read(fixture_path("generic.json")).unwrap())
            .0,
        200
    );
    assert_eq!(alerts(&env).len(), 5);

    // Malformed: 400 with the reason; nothing recorded.
    let (status, answer) = server.post("/alertmanager", b"{\"alerts\": 5}");
    assert_eq!(status, 400);
    assert!(answer.contains("invalid type"), "{answer}");
    assert_eq!(server.post("/generic", b"\xff\xfe").0, 400);
    assert_eq!(server.post("/nowhere", b"{}").0, 404);
    // Over 1 MB: refused.
    let huge = vec![b' '; 1024 * 1024 + 10];
    assert_eq!(server.post("/generic", &huge).0, 413);
    assert_eq!(alerts(&env).len(), 5);

    let resolved = std::fs::read(fixture_path("alertmanager-resolved.json")).unwrap();
    assert_eq!(server.post("/alertmanager", &resolved).0, 200);
    let (code, said) = server.stop();
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("stopping"), "{said}");
    let inc = env.show("INC-1");
    assert_eq!(
        kinds(&inc),
        [
            "declared",
            "alert_attached",
            "alert_attached",
            "alert_resolved",
            "alert_resolved"
        ]
    );
}

#[test]
fn serve_needs_a_token_off_loopback_and_checks_it() {
    let mut env = Env::new();
    let out = env
        .cmd()
        .args(["serve", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: refusing to listen on 0.0.0.0:0 without a bearer token"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    let err = env.fails(2, &["serve", "--listen", "nonsense"]);
    assert!(err.contains("--listen 'nonsense' is not an address"), "{err}");

    let token = "s3cret-token-0123456789";
    env.with_config(&format!("{RULES}\n[serve]\ntoken = \"{token}\"\n"));
    let server = Server::start(&env, &[]);
    let body = std::fs::read(fixture_path("generic.json")).unwrap();
    assert_eq!(server.post("/generic", &body).0, 401);
    let wrong = server.request(
        "POST",
        "/generic",
        &["Authorization: Bearer s3cret-token-0123456780"],
        &body,
    );
    assert_eq!(wrong.0, 401);
    let right = format!("Authorization: Bearer {token}");
    assert_eq!(
        server
            .request(
                "POST",
                "/generic",
                &[&right, "Content-Type: application/json"],
                &body
            )
            .0,
        200
    );
    assert_eq!(alerts(&env).len(), 1);
    let (code, said) = server.stop();
    assert_eq!(code, Some(0));
    assert!(!said.contains(token), "the token is never echoed: {said}");
}

#[test]
fn serve_answers_503_when_the_database_cannot_take_the_alert() {
    let mut env = Env::new();
    env.with_config(RULES);
    let server = Server::start(&env, &[]);
    // Another process holds the write lock longer than the busy wait? Too
    // slow for a test; a database made read-only under the server is not.
    let body = std::fs::read(fixture_path("generic.json")).unwrap();
    assert_eq!(server.post("/generic", &body).0, 200);
    env.tamper("DROP TABLE alerts");
    let (status, answer) = server.post("/generic", &body);
    assert_eq!(status, 503, "{answer}");
    assert!(answer.contains("\"status\":\"unavailable\""), "{answer}");
    let (code, said) = server.stop();
    assert_eq!(code, Some(0));
    assert!(said.contains("alerts not recorded"), "{said}");
}

#[test]
fn a_slow_sender_is_cut_off() {
    let env = Env::new();
    let server = Server::start(&env, &[]);
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    // Half a request line, then nothing.
    stream.write_all(b"POST /generic HTT").unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut rest = Vec::new();
    let closed = stream.read_to_end(&mut rest);
    assert!(closed.is_ok(), "the server closed the connection: {closed:?}");
    let (code, _) = server.stop();
    assert_eq!(code, Some(0));
}

#[test]
fn serve_runs_hooks_after_the_commit_and_still_stops_on_sigterm() {
    let mut env = Env::new();
    let seen = env.dir.path().join("seen.log");
    env.with_config(&format!(
        "{RULES}\n[[hooks]]\non = [\"declared\", \"alert_attached\"]\nrun = \"echo $INCIDENT_KEY $INCIDENT_EVENT >> '{}'; sleep 1\"\n",
        seen.display()
    ));
    let mut cmd = env.std_cmd();
    cmd.env("PATH", "/usr/bin:/bin");
    let server = Server::start_with(cmd, &[]);
    let body = std::fs::read(fixture_path("generic.json")).unwrap();
    assert_eq!(server.post("/generic", &body).0, 200);
    // The hooks run after the answer, in order.
    let start = std::time::Instant::now();
    while std::fs::read_to_string(&seen).unwrap_or_default() != "INC-1 declared\nINC-1 alert_attached\n" {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the hooks never ran: {:?}",
            std::fs::read_to_string(&seen)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // A stop while a hook runs: the hook finishes, the server drains and exits 0.
    let other = br#"{"key": "other", "summary": "Other", "severity": "critical"}"#;
    let addr = server.addr.clone();
    let sender = std::thread::spawn(move || {
        http(
            &addr,
            "POST",
            "/generic",
            &["Content-Type: application/json"],
            other,
        )
        .0
    });
    // Stopped while the new incident's hook runs (it sleeps a second).
    let start = std::time::Instant::now();
    while !std::fs::read_to_string(&seen).unwrap().contains("INC-2 declared") {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the second hook never ran"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let (code, said) = server.stop();
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(sender.join().unwrap(), 200);
    assert_eq!(alerts(&env).len(), 2);
}

/// A line of `serve`'s /proc status, in kB (`VmHWM`: the peak resident
/// memory; `VmRSS`: now).
fn memory_kb(server: &Server, line: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(line)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {line} in {status}"))
}

/// Opens `n` connections (from 8 threads), each sending `head` and then
/// `body` but its last byte, and keeps them open: what a flood of large
/// requests holds on the server. Writes the server refuses to take (it
/// answered, or closed) are left.
fn flood(addr: &str, n: usize, head: &str, body: usize) -> Vec<TcpStream> {
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let addr = addr.to_string();
            let head = head.to_string();
            std::thread::spawn(move || {
                let chunk = vec![b' '; body.saturating_sub(1)];
                (t..n)
                    .step_by(8)
                    .filter_map(|_| {
                        let mut s = TcpStream::connect(&addr).ok()?;
                        s.set_write_timeout(Some(Duration::from_millis(200))).unwrap();
                        let _ = s.write_all(head.as_bytes());
                        let _ = s.write_all(&chunk);
                        Some(s)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    threads.into_iter().flat_map(|t| t.join().unwrap()).collect()
}

#[test]
fn serve_checks_the_token_before_reading_a_byte_of_the_body() {
    let mut env = Env::new();
    let token = "s3cret-token-0123456789";
    env.with_config(&format!("{RULES}\n[serve]\ntoken = \"{token}\"\n"));
    let server = Server::start(&env, &[]);
    // Headers only: the answer comes without the body being sent.
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        stream,
        "POST /generic HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n",
        server.addr
    )
    .unwrap();
    let mut answer = [0u8; 12];
    stream
        .read_exact(&mut answer)
        .expect("no answer before the body was sent");
    assert_eq!(&answer, b"HTTP/1.1 401");
    // 3,000 unauthenticated 1 MB bodies' worth, 300 held at once: the
    // memory stays where it was.
    let before = memory_kb(&server, "VmHWM");
    let head = format!(
        "POST /generic HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n",
        server.addr
    );
    for _ in 0..10 {
        drop(flood(&server.addr, 300, &head, 1 << 20));
    }
    let peak = memory_kb(&server, "VmHWM");
    assert!(
        peak < before + 40 * 1024,
        "serve grew from {before} kB to {peak} kB under unauthenticated bodies"
    );
    let right = format!("Authorization: Bearer {token}");
    let body = std::fs::read(fixture_path("generic.json")).unwrap();
    let (status, answer) = server.request(
        "POST",
        "/generic",
        &[&right, "Content-Type: application/json"],
        &body,
    );
    assert_eq!(status, 200, "{answer}");
    let (code, said) = server.stop();
    assert_eq!(code, Some(0), "{said}");
}

#[test]
fn serve_holds_a_bounded_number_of_connections_and_bodies() {
    let mut env = Env::new();
    env.with_config(&format!("{RULES}\n[serve]\nmax_connections = 2\n"));
    let server = Server::start(&env, &[]);
    // Two senders stall mid-headers: the third waits for a free slot.
    let stalled: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            s.write_all(b"POST /generic HTTP/1.1\r\n").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let addr = server.addr.clone();
    let (sent, answered) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let body = br#"{"key": "k", "summary": "s", "severity": "critical"}"#;
        let _ = sent.send(http(
            &addr,
            "POST",
            "/generic",
            &["Content-Type: application/json"],
            body,
        ));
    });
    assert!(
        answered.recv_timeout(Duration::from_secs(1)).is_err(),
        "a third connection was served beside two held ones"
    );
    drop(stalled);
    let (status, answer) = answered
        .recv_timeout(Duration::from_secs(20))
        .expect("the third sender was never served");
    assert_eq!(status, 200, "{answer}");
    let (code, said) = server.stop();
    assert_eq!(code, Some(0), "{said}");
}

#[test]
fn serve_keeps_its_memory_flat_under_a_flood_of_large_bodies_and_connections() {
    let mut env = Env::new();
    env.with_config(RULES);
    let server = Server::start(&env, &[]);
    let body = std::fs::read(fixture_path("generic.json")).unwrap();
    assert_eq!(server.post("/generic", &body).0, 200);
    let before = memory_kb(&server, "VmHWM");
    // No token: 300 senders each hold a 1 MB body open but its last byte.
    let head = format!(
        "POST /generic HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n",
        server.addr
    );
    let held = flood(&server.addr, 300, &head, 1 << 20);
    // And 900 connections that say nothing (beyond the 256 it serves at
    // once, they wait in its listen queue of 1,024).
    let silent: Vec<TcpStream> = (0..900)
        .filter_map(|_| TcpStream::connect(&server.addr).ok())
        .collect();
    let peak = memory_kb(&server, "VmHWM");
    assert!(
        peak < before + 80 * 1024,
        "serve grew from {before} kB to {peak} kB under a flood"
    );
    drop(held);
    drop(silent);
    // Served again once the flood is gone, and the memory given back.
    let started = std::time::Instant::now();
    while server.post("/generic", &body).0 != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "not served after the flood"
        );
    }
    // Given back within seconds.
    let mut now = memory_kb(&server, "VmRSS");
    while now > before + 16 * 1024 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "serve kept {now} kB after a flood (from {before} kB)"
        );
        std::thread::sleep(Duration::from_millis(200));
        now = memory_kb(&server, "VmRSS");
    }
    let (code, said) = server.stop();
    assert_eq!(code, Some(0), "{said}");
}

#[test]
fn serve_refuses_what_a_browser_page_could_send() {
    let mut env = Env::new();
    env.with_config(&format!(
        "{RULES}\n[serve]\nallowed_origins = [\"https://grafana.example\"]\n"
    ));
    let server = Server::start(&env, &[]);
    let body = std::fs::read(fixture_path("generic.json")).unwrap();
    // A form or fetch() from any page: text/plain needs no preflight.
    for headers in [
        &["Content-Type: text/plain", "Origin: https://evil.example"][..],
        &["Content-Type: application/json", "Origin: https://evil.example"],
        &["Content-Type: application/json", "Origin: null"],
    ] {
        let (status, answer) = server.request("POST", "/generic", headers, &body);
        assert_eq!(status, 403, "{headers:?}: {answer}");
        let answer: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer["status"], "invalid");
    }
    let (status, _) = server.request("POST", "/generic", &["Content-Type: text/plain"], &body);
    assert_eq!(status, 415);
    // DNS rebinding: a name of the attacker's that resolves to 127.0.0.1.
    let port = server.addr.rsplit_once(':').unwrap().1;
    let (status, answer) = server.request(
        "POST",
        "/generic",
        &[
            "Content-Type: application/json",
            &format!("Host: evil.example:{port}"),
        ],
        &body,
    );
    assert_eq!(status, 403, "{answer}");
    assert!(answer.contains("Host"), "{answer}");
    assert!(alerts(&env).is_empty(), "nothing of them was recorded");
    assert!(incidents(&env).is_empty());
    // What may come: an allowed origin, and loopback by any of its names.
    for headers in [
        &[
            "Content-Type: application/json",
            "Origin: https://grafana.example",
        ][..],
        &[
            "Content-Type: application/json; charset=utf-8",
            &format!("Host: localhost:{port}"),
        ],
    ] {
        let (status, answer) = server.request("POST", "/generic", headers, &body);
        assert_eq!(status, 200, "{headers:?}: {answer}");
    }
    let (code, said) = server.stop();
    assert_eq!(code, Some(0), "{said}");
}

/// Runs `serve ARGS` that must refuse to start: its exit code and stderr,
/// or a failure if it is still running after 20 s (it started serving).
fn serve_refuses(mut cmd: std::process::Command, args: &[&str]) -> (Option<i32>, String) {
    let mut child = cmd
        .arg("serve")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("serve {args:?} started serving");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    (status.code(), err)
}

#[test]
fn one_rule_for_tokens_whatever_their_source_and_the_scheme_in_any_case() {
    let mut env = Env::new();
    for listen in ["0.0.0.0:0", "127.0.0.1:0"] {
        let mut cmd = env.std_cmd();
        cmd.env("INCIDENT_SERVE_TOKEN", "tok-9");
        let (code, err) = serve_refuses(cmd, &["--listen", listen]);
        assert_eq!(code, Some(2), "{err}");
        assert!(
            err.starts_with("error: INCIDENT_SERVE_TOKEN is shorter than 16 characters"),
            "{err}"
        );
        assert!(!err.contains("tok-9"), "the token is not echoed: {err}");
    }
    let token = "s3cret-token-0123456789";
    env.with_config(&format!("{RULES}\n[serve]\ntoken = \"{token}\"\n"));
    let server = Server::start(&env, &[]);
    let body = std::fs::read(fixture_path("generic.json")).unwrap();
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let authorization = format!("Authorization: {scheme} {token}");
        let (status, answer) = server.request(
            "POST",
            "/generic",
            &[&authorization, "Content-Type: application/json"],
            &body,
        );
        assert_eq!(status, 200, "{scheme}: {answer}");
    }
    let basic = format!("Authorization: Basic {token}");
    let (status, _) = server.request(
        "POST",
        "/generic",
        &[&basic, "Content-Type: application/json"],
        &body,
    );
    assert_eq!(status, 401);
    // Too large: JSON, as every other refusal.
    let right = format!("Authorization: Bearer {token}");
    let huge = vec![b' '; 1024 * 1024 + 10];
    let (status, answer) = server.request(
        "POST",
        "/generic",
        &[&right, "Content-Type: application/json"],
        &huge,
    );
    assert_eq!(status, 413);
    let answer: Value = serde_json::from_str(&answer).unwrap_or_else(|e| panic!("{e}: {answer:?}"));
    assert_eq!(answer["status"], "invalid");
    let (code, said) = server.stop();
    assert_eq!(code, Some(0), "{said}");
}

#[test]
fn slow_hooks_delay_no_answer() {
    let mut env = Env::new();
    let seen = env.dir.path().join("seen.log");
    env.with_config(&format!(
        "{RULES}\n[[hooks]]\non = [\"declared\"]\nrun = \"sleep 1; echo $INCIDENT_KEY >> '{}'\"\n",
        seen.display()
    ));
    let mut cmd = env.std_cmd();
    cmd.env("PATH", "/usr/bin:/bin");
    let server = Server::start_with(cmd, &[]);
    // 12 new alerts at once, each opening an incident whose hook takes a
    // second: answered when committed, not 12 seconds later.
    let senders: Vec<_> = (0..12)
        .map(|n| {
            let addr = server.addr.clone();
            std::thread::spawn(move || {
                let body = format!(r#"{{"key": "k{n}", "summary": "Alert {n}", "severity": "critical"}}"#);
                let started = std::time::Instant::now();
                let (status, _) = http(
                    &addr,
                    "POST",
                    "/generic",
                    &["Content-Type: application/json"],
                    body.as_bytes(),
                );
                (status, started.elapsed())
            })
        })
        .collect();
    let answers: Vec<(u16, Duration)> = senders.into_iter().map(|s| s.join().unwrap()).collect();
    assert!(answers.iter().all(|(status, _)| *status == 200), "{answers:?}");
    let slowest = answers.iter().map(|(_, took)| *took).max().unwrap();
    assert!(
        slowest < Duration::from_secs(6),
        "the slowest answer took {slowest:?}"
    );
    // And every hook still runs, one after another.
    let start = std::time::Instant::now();
    while std::fs::read_to_string(&seen).unwrap_or_default().lines().count() < 12 {
        assert!(start.elapsed() < Duration::from_secs(120), "not every hook ran");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (code, said) = server.stop();
    assert_eq!(code, Some(0), "{said}");
}

#[test]
fn serve_logs_each_request_warns_without_rules_and_reloads_on_sighup() {
    let mut env = Env::new();
    env.with_config("key_prefix = \"INC\"\n");
    let server = Server::start(&env, &[]);
    let said = server.said();
    assert!(
        said.contains("warning: no [[alerts.rules]]") && said.contains("none opens an incident"),
        "{said}"
    );
    let alert =
        |key: &str| format!(r#"{{"key": "{key}", "summary": "Alert {key}", "severity": "critical"}}"#);
    assert_eq!(server.post("/generic", alert("a").as_bytes()).0, 200);
    // METHOD PATH STATUS alerts=N opened=KEYS joined=KEYS MSms
    let line = log_line(&server.wait_for("POST /generic 200"), "POST /generic 200");
    assert!(line.contains(" alerts=1 opened=- joined=- "), "{line}");
    assert!(line.ends_with("ms"), "{line}");
    // A rule, read on SIGHUP: the next alert opens an incident.
    env.with_config(RULES);
    unsafe { libc::kill(server.child.id() as i32, libc::SIGHUP) };
    server.wait_for("configuration reloaded");
    assert_eq!(server.post("/generic", alert("b").as_bytes()).0, 200);
    server.wait_for("opened=INC-1 ");
    // A broken file: the rules before stay, and it says why.
    env.with_config("[[alerts.rules]]\naction = \"explode\"\n");
    unsafe { libc::kill(server.child.id() as i32, libc::SIGHUP) };
    let said = server.wait_for("not reloaded");
    assert!(said.contains("explode"), "{said}");
    assert_eq!(server.post("/generic", alert("c").as_bytes()).0, 200);
    server.wait_for("opened=INC-2 ");
    // Refusals and other paths are logged too.
    assert_eq!(server.request("GET", "/healthz", &[], b"").0, 200);
    assert_eq!(server.post("/nowhere", b"{}").0, 404);
    server.wait_for("GET /healthz 200 alerts=0 opened=- joined=- ");
    server.wait_for("POST /nowhere 404 ");
    let (code, said) = server.stop();
    assert_eq!(code, Some(0), "{said}");
    assert!(!said.contains("panicked"), "{said}");
}

/// The line of `said` that contains `text`.
fn log_line(said: &str, text: &str) -> String {
    said.lines()
        .find(|l| l.contains(text))
        .unwrap_or_else(|| panic!("no {text:?} in {said}"))
        .to_string()
}

#[test]
fn serve_logs_json_lines_for_log_shippers() {
    let mut env = Env::new();
    env.with_config(RULES);
    let server = Server::start(&env, &["--log", "json"]);
    assert!(!server.said().contains("no [[alerts.rules]]"));
    let body = std::fs::read(fixture_path("alertmanager-firing.json")).unwrap();
    assert_eq!(server.post("/alertmanager", &body).0, 200);
    let said = server.wait_for("\"path\":\"/alertmanager\"");
    let line = log_line(&said, "\"path\":\"/alertmanager\"");
    let entry: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    assert_eq!(entry["method"], "POST");
    assert_eq!(entry["status"], 200);
    assert_eq!(entry["alerts"], 2);
    assert_eq!(entry["opened"], serde_json::json!(["INC-1"]));
    assert_eq!(entry["joined"], serde_json::json!(["INC-1"]));
    assert!(entry["ms"].is_u64(), "{line}");
    assert!(entry["time"].is_string(), "{line}");
    let (code, said) = server.stop();
    assert_eq!(code, Some(0), "{said}");
}

/// serve holds several connections to a SQLite file (its writer, its
/// deliverer, its hooks). None may open the file beside SQLite: closing
/// any descriptor of it drops every lock the process holds, and another
/// process closing the database would then delete the WAL from under
/// serve, whose writes nobody would see until it stopped.
#[test]
fn serve_s_own_connections_keep_the_database_shared_with_every_other_process() {
    let mut env = Env::new();
    let told = env.dir.path().join("told");
    env.with_config(&format!(
        "{RULES}\n[[notify]]\nname = \"log\"\nkind = \"command\"\nrun = \"cat >> '{}'; echo >> '{}'\"\n",
        told.display(),
        told.display()
    ));
    env.at("");
    // serve makes the database, then other processes open and close it.
    let server = Server::start(&env, &[]);
    for _ in 0..3 {
        env.ok(&["list"]);
    }
    let body = std::fs::read(fixture_path("alertmanager-firing.json")).unwrap();
    assert_eq!(server.post("/alertmanager", &body).0, 200);
    assert_eq!(incidents(&env).len(), 1, "serve's write is seen at once");
    env.declare("Search is slow", &["-s", "SEV2"]);
    // serve's deliverer sees both, and sends them.
    let started = std::time::Instant::now();
    let sent = || std::fs::read_to_string(&told).unwrap_or_default();
    while !(sent().contains("INC-1") && sent().contains("Search is slow")) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "sent: {}",
            sent()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    if !env.on_postgres() {
        let deleted: Vec<String> = std::fs::read_dir(format!("/proc/{}/fd", server.child.id()))
            .unwrap()
            .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
            .map(|p| p.display().to_string())
            .filter(|p| p.ends_with("(deleted)"))
            .collect();
        assert!(
            deleted.is_empty(),
            "serve writes to files others deleted: {deleted:?}"
        );
    }
    let (code, said) = server.stop();
    assert_eq!(code, Some(0), "{said}");
}
