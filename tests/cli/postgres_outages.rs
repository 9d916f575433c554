//! A team server's bad days, on a PostgreSQL server of the test's own
//! (tests/cli/pg.rs `Own`): restarted (`pg_ctl restart -m fast`) and
//! killed (`kill -9`) under `serve` and under `--follow`.

postgres_only! {

use crate::alerts::{RULES, Server};
use crate::follow::Following;
use crate::pg::{self, SUPERUSER};
use crate::support::*;
use std::collections::BTreeSet;

/// An environment on a database of its own on `own`.
fn on(own: &pg::Own) -> Env {
    let mut env = Env::new();
    let name = own.server.create_database();
    env.db = own.server.url(SUPERUSER, &name).into();
    // Not the shared server's: the helpers that read behind the tool's
    // back are not for this one.
    env.pg = None;
    env
}

/// A generic alert with its own identity.
fn alert(key: &str) -> Vec<u8> {
    format!(r#"{{"key": "{key}", "summary": "Alert {key}", "severity": "critical", "service": "checkout"}}"#)
        .into_bytes()
}

#[test]
fn serve_reconnects_after_the_server_restarts_and_says_when_it_is_not_ready() {
    let mut own = pg::Own::start();
    let mut env = on(&own);
    env.with_config(RULES);
    let server = Server::start(&env, &[]);
    assert_eq!(server.post("/generic", &alert("a")).0, 200);
    assert_eq!(server.request("GET", "/readyz", &[], b"").0, 200);

    // A fast restart: the next request after it succeeds.
    own.restart();
    let (status, answer) = server.post("/generic", &alert("b"));
    assert_eq!(status, 200, "{answer}");
    // A crash and a start: the same.
    own.crash_and_start();
    let (status, answer) = server.post("/generic", &alert("c"));
    assert_eq!(status, 200, "{answer}");

    // Down: alive, not ready, and requests are refused for a retry.
    own.down(libc::SIGINT);
    assert_eq!(server.request("GET", "/healthz", &[], b"").0, 200);
    let (status, answer) = server.request("GET", "/readyz", &[], b"");
    assert_eq!(status, 503, "{answer}");
    let (status, answer) = server.post("/generic", &alert("d"));
    assert_eq!(status, 503, "{answer}");
    // Back: the next request succeeds.
    own.up();
    let (status, answer) = server.post("/generic", &alert("e"));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(server.request("GET", "/readyz", &[], b"").0, 200);

    let (code, said) = server.stop();
    assert_eq!(code, Some(0), "{said}");
    let alerts = env.json(&["alerts"]);
    let keys: BTreeSet<&str> = alerts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["identity"].as_str().unwrap())
        .collect();
    assert_eq!(keys, BTreeSet::from(["a", "b", "c", "e"]));
    env.ok(&["verify"]);
}

#[test]
fn follow_reconnects_after_the_server_restarts_missing_and_repeating_nothing() {
    let mut own = pg::Own::start();
    let env = on(&own);
    env.declare("Checkout down", &[]);
    let show = Following::start(&env, &["--json", "show", "INC-1", "--follow"]);
    let list = Following::start(&env, &["--json", "list", "--follow"]);
    // Each has printed what it prints before following.
    while show.next() != "}" {}
    while list.next() != "]" {}
    for outage in ["restart", "crash"] {
        match outage {
            "restart" => own.restart(),
            _ => own.crash_and_start(),
        }
        let expected: Vec<String> = (0..2).map(|n| format!("after the {outage} {n}")).collect();
        for text in &expected {
            env.ok(&["update", "INC-1", text]);
        }
        // Each entry once, in order, from both, before the next outage.
        for follower in [&show, &list] {
            let mut got = Vec::new();
            while got.len() < expected.len() {
                let line = follower.next();
                let entry: serde_json::Value =
                    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
                got.push(entry["text"].as_str().unwrap_or_default().to_string());
            }
            assert_eq!(got, expected);
        }
    }
    for follower in [show, list] {
        let (code, stderr) = follower.interrupt(libc::SIGINT);
        assert_eq!(code, Some(0), "{stderr}");
        // Said once per outage, not once per attempt.
        assert_eq!(stderr.matches("reconnecting").count(), 2, "{stderr}");
        assert!(!stderr.contains("error"), "{stderr}");
    }
}

}
