//! The real sender: Prometheus Alertmanager (Debian's
//! `prometheus-alertmanager`, which `.ci/run` installs) notifies a running
//! `incident serve` through its webhook receiver. An alert posted to
//! Alertmanager's v2 API opens exactly one incident, its repeat
//! notifications open none, and resolving it records the resolution.
//!
//! Without the program the test fails, saying it was skipped and why
//! (tests/cli/tools.rs).

use crate::alerts::{RULES, Server, http};
use crate::support::{Env, kinds};
use crate::tools::{self, Tool};
use serde_json::Value;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until `done` holds, at most `limit`; says what it waited for.
pub fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn alerts(env: &Env) -> Vec<Value> {
    env.json(&["alerts"]).as_array().unwrap().clone()
}

/// The real Alertmanager, notifying `receiver` (a `serve`'s address) of
/// each group within a second and every 2 s again; and where its API is.
pub fn alertmanager(env: &Env, receiver: &str) -> (Killed, String) {
    let binary = tools::require(Tool::Alertmanager);
    let dir = env.dir.path().join("alertmanager");
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("alertmanager.yml");
    std::fs::write(
        &config,
        format!(
            "route:\n  receiver: incident\n  group_by: ['alertname']\n  group_wait: 1s\n  \
             group_interval: 1s\n  repeat_interval: 2s\n\
             receivers:\n  - name: incident\n    webhook_configs:\n      - url: http://{}/alertmanager\n        \
             send_resolved: true\n",
            receiver
        ),
    )
    .unwrap();
    let web = format!("127.0.0.1:{}", free_port());
    let am = Killed(
        Command::new(&binary)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address={web}"))
            .arg("--cluster.listen-address=")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for("Alertmanager to be ready", Duration::from_secs(60), || {
        std::net::TcpStream::connect(&web).is_ok() && http(&web, "GET", "/-/ready", &[], b"").0 == 200
    });
    (am, web)
}

#[test]
fn alertmanager_notifications_open_one_incident_and_record_the_resolution() {
    let mut env = Env::new();
    env.with_config(RULES);
    let server = Server::start(&env, &[]);
    let (am, web) = alertmanager(&env, &server.addr);

    let alert = |ends: Option<String>| {
        let mut a = serde_json::json!({
            "labels": {"alertname": "CheckoutErrors", "severity": "critical", "service": "checkout"},
            "annotations": {"summary": "Checkout 5xx above 5%"},
            "generatorURL": "http://prometheus.example.com:9090/graph?g0.expr=checkout_5xx",
        });
        if let Some(ends) = ends {
            a["endsAt"] = ends.into();
        }
        serde_json::to_vec(&[a]).unwrap()
    };
    let json = ["Content-Type: application/json"];
    let (status, body) = http(&web, "POST", "/api/v2/alerts", &json, &alert(None));
    assert_eq!(status, 200, "{body}");

    // The first notification opens the incident; repeats (every 2s) only count.
    wait_for(
        "three notifications of the alert",
        Duration::from_secs(60),
        || {
            alerts(&env)
                .first()
                .is_some_and(|a| a["times_seen"].as_i64() >= Some(3))
        },
    );
    let list = env.json(&["list", "--all"]);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let inc = env.show("INC-1");
    assert_eq!(inc["severity"], "SEV1");
    assert_eq!(inc["detected_by"], "monitoring");
    assert_eq!(kinds(&inc), ["declared", "alert_attached"]);
    let found = &alerts(&env)[0];
    assert_eq!(found["source"], "alertmanager");
    assert_eq!(found["summary"], "Checkout 5xx above 5%");
    assert_eq!(found["status"], "firing");
    assert!(!found["identity"].as_str().unwrap().is_empty());

    // Resolving it in Alertmanager (an end in the past) records the resolution.
    let ended = (chrono::Utc::now() - chrono::Duration::seconds(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (status, body) = http(&web, "POST", "/api/v2/alerts", &json, &alert(Some(ended)));
    assert_eq!(status, 200, "{body}");
    wait_for("the resolution", Duration::from_secs(60), || {
        alerts(&env).first().is_some_and(|a| a["status"] == "resolved")
    });
    let inc = env.show("INC-1");
    assert_eq!(kinds(&inc), ["declared", "alert_attached", "alert_resolved"]);
    assert!(
        inc["timeline"][2]["text"]
            .as_str()
            .unwrap()
            .ends_with("every alert of this incident has resolved")
    );
    assert_eq!(inc["status"], "investigating", "no rule says auto_resolve");
    assert_eq!(env.json(&["list", "--all"]).as_array().unwrap().len(), 1);
    drop(am);
    let (code, said) = server.stop();
    assert_eq!(code, Some(0), "{said}");
}
