//! `incident metrics` and `serve`'s `/metrics`: what is counted, checked
//! by `promtool check metrics` (Debian's `prometheus`, which `.ci/run`
//! installs), and scraped by a real Prometheus server that is then asked
//! for a value through its HTTP API.

use crate::alerts::{Server, http};
use crate::support::Env;
use crate::tools::{Tool, require};
use serde_json::Value;
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A record to count: a SEV1 on api acknowledged after 2 minutes and
/// resolved after 90, another SEV1 on db still open, its acknowledgement
/// target missed, and a drill that counts nowhere.
fn record(env: &mut Env) {
    env.at("2026-11-23T08:00:00Z");
    env.declare("Checkout down", &["-s", "SEV1", "--service", "api"]);
    env.declare("Practice", &["-s", "SEV1", "--service", "api", "--drill"]);
    env.at("2026-11-23T08:02:00Z");
    env.ok(&["assign-role", "INC-1", "commander", "ann"]);
    env.at("2026-11-23T09:30:00Z");
    env.ok(&["resolve", "INC-1", "--summary", "rolled back"]);
    env.declare("Slow queries", &["-s", "SEV1", "--service", "db"]);
    env.at("2026-11-23T12:00:00Z");
}

fn promtool_check(text: &str) {
    let mut child = Command::new(require(Tool::Promtool))
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "promtool: {said}\n{text}"
    );
}

fn sample<'a>(text: &'a str, series: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {series} in:\n{text}"))
}

#[test]
fn metrics_count_the_record_without_drills_and_pass_promtool() {
    let mut env = Env::new();
    record(&mut env);
    let text = env.ok(&["metrics"]);
    promtool_check(&text);
    assert_eq!(
        sample(&text, r#"incident_open{severity="SEV1",status="investigating"}"#),
        "1",
        "the drill is not counted"
    );
    assert_eq!(
        sample(&text, r#"incident_open{severity="SEV2",status="investigating"}"#),
        "0"
    );
    assert_eq!(
        sample(&text, r#"incident_declared_total{severity="SEV1",service="api"}"#),
        "1"
    );
    assert_eq!(
        sample(&text, r#"incident_declared_total{severity="SEV1",service="db"}"#),
        "1"
    );
    assert_eq!(
        sample(&text, r#"incident_time_to_acknowledge_seconds_bucket{le="60.0"}"#),
        "0"
    );
    assert_eq!(
        sample(
            &text,
            r#"incident_time_to_acknowledge_seconds_bucket{le="300.0"}"#
        ),
        "1"
    );
    assert_eq!(sample(&text, "incident_time_to_acknowledge_seconds_sum"), "120.0");
    assert_eq!(sample(&text, "incident_time_to_resolve_seconds_sum"), "5400.0");
    assert_eq!(sample(&text, "incident_time_to_resolve_seconds_count"), "1");
    // The open one's acknowledgement (30 minutes for SEV1) passed hours ago.
    assert_eq!(
        sample(
            &text,
            r#"incident_response_targets_overdue{target="acknowledge"}"#
        ),
        "1"
    );
    assert_eq!(
        sample(
            &text,
            r#"incident_response_targets_missed_total{target="acknowledge"}"#
        ),
        "1"
    );

    // 2026-11-23T09:30:00Z, the open one.
    assert_eq!(
        sample(&text, "incident_open_oldest_declared_timestamp_seconds"),
        "1795426200"
    );

    let open = env.ok(&["metrics", "--openmetrics"]);
    assert!(open.ends_with("# EOF\n") && open.contains("# TYPE incident_declared counter\n"));

    // The textfile: whole, readable by node_exporter's user, nothing left beside it.
    let dir = env.dir.path().join("textfile");
    std::fs::create_dir(&dir).unwrap();
    let path = dir.join("incident.prom");
    env.ok(&["metrics", "--textfile", path.to_str().unwrap()]);
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(written, text);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o644
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    let err = env.fails(2, &["metrics", "--textfile", dir.to_str().unwrap()]);
    assert!(err.contains("is a directory"), "{err}");
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn prometheus_scrapes_serve_and_answers_a_query() {
    let prometheus = require(Tool::Prometheus);
    let mut env = Env::new();
    record(&mut env);
    let server = Server::start(&env, &[]);

    // What a plain scraper (curl, promtool) gets; and Prometheus's own ask.
    let (status, text) = http(&server.addr, "GET", "/metrics", &[], b"");
    assert_eq!(status, 200, "{text}");
    promtool_check(&text);
    let (status, open) = http(
        &server.addr,
        "GET",
        "/metrics",
        &["Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"],
        b"",
    );
    assert_eq!(status, 200);
    assert!(open.ends_with("# EOF\n"), "{open}");

    let dir = env.dir.path().join("prometheus");
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: incident\n    \
             static_configs:\n      - targets: ['{}']\n",
            server.addr
        ),
    )
    .unwrap();
    let web = format!("127.0.0.1:{}", free_port());
    let _prometheus = Killed(
        Command::new(&prometheus)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address={web}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let query = "/api/v1/query?query=incident_open%7Bseverity%3D%22SEV1%22%2Cstatus%3D%22investigating%22%7D";
    let started = Instant::now();
    let answer = loop {
        if std::net::TcpStream::connect(&web).is_ok() {
            let (status, body) = http(&web, "GET", query, &[], b"");
            if status == 200 {
                let v: Value = serde_json::from_str(&body).unwrap();
                if let Some(first) = v["data"]["result"].as_array().and_then(|r| r.first()) {
                    break first.clone();
                }
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "Prometheus never had the value; serve said: {}",
            server.said()
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    assert_eq!(answer["value"][1], "1", "{answer}");
    assert_eq!(answer["metric"]["job"], "incident");
    // It scraped in OpenMetrics, and the scrape was healthy.
    let (_, up) = http(&web, "GET", "/api/v1/query?query=up", &[], b"");
    assert!(up.contains(r#""value":["#) && up.contains(r#","1"]"#), "{up}");
    assert!(server.said().contains("GET /metrics 200"), "{}", server.said());
}

#[test]
fn the_documented_alert_rules_pass_promtool() {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/metrics.md")).unwrap();
    let rules = docs
        .split("## Two alert rules")
        .nth(1)
        .and_then(|s| s.split("```yaml\n").nth(1))
        .and_then(|s| s.split("```").next())
        .expect("docs/metrics.md has its rules in a yaml block");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.yml");
    std::fs::write(&path, rules).unwrap();
    let out = Command::new(require(Tool::Promtool))
        .args(["check", "rules"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("SUCCESS: 2 rules found"));
}
