//! A team server's bad days, on a PostgreSQL server of the test's own
//! (tests/cli/pg.rs `Own`): restarted (`pg_ctl restart -m fast`) and
//! killed (`kill -9`) under `serve` and under `--follow`.

postgres_only! {

use crate::alerts::{RULES, Server};
use crate::follow::Following;
use crate::pg::{self, SUPERUSER};
use crate::support::*;
use std::collections::BTreeSet;
use std::io::Read;
use std::time::{Duration, Instant};

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


#[test]
fn serve_on_a_frozen_server_is_not_ready_and_recovers_when_it_answers_again() {
    let own = pg::Own::start();
    let mut env = on(&own);
    env.with_config(&format!(
        "{RULES}\n[database]\nconnect_timeout = \"1s\"\nread_timeout = \"1s\"\nwrite_timeout = \"2s\"\n"
    ));
    let server = Server::start(&env, &[]);
    assert_eq!(server.post("/generic", &alert("a")).0, 200);
    // Frozen: every server process stopped; the sockets stay open.
    own.signal_all(libc::SIGSTOP);
    let started = Instant::now();
    let (status, answer) = server.request("GET", "/readyz", &[], b"");
    assert_eq!(status, 503, "{answer}");
    assert!(answer.contains("no answer from postgres://"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(server.request("GET", "/healthz", &[], b"").0, 200);
    own.signal_all(libc::SIGCONT);
    let (status, answer) = server.post("/generic", &alert("b"));
    assert_eq!(status, 200, "{answer}");
    let (code, said) = server.stop();
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(env.json(&["alerts"]).as_array().unwrap().len(), 2);
}

/// A server process stopped with SIGSTOP (a frozen server, as the client
/// sees it), continued when dropped, whatever the test's outcome.
struct Frozen(i32);

impl Drop for Frozen {
    fn drop(&mut self) {
        // SAFETY: kill(2) on a backend of the test server, stopped below.
        unsafe { libc::kill(self.0, libc::SIGCONT) };
    }
}

/// Runs `args` while the table lock `lock` is held on the test's database;
/// once the command waits on it, freezes the backend serving the command
/// (SIGSTOP) and lets the lock go: the command's statement is sent and
/// never answered. Returns the exit code, stderr and how long it took; a
/// command still running after 60 s is killed (and the test fails).
fn frozen_under(env: &Env, lock: &str, args: &[&str]) -> (Option<i32>, String, Duration) {
    let name = env.pg.clone().unwrap();
    let s = pg::server();
    let mut holder = s.client(&name);
    let mut tx = holder.transaction().unwrap();
    tx.batch_execute(lock).unwrap();
    let started = Instant::now();
    let mut child = env
        .std_cmd()
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut admin = s.client("postgres");
    let pid: i32 = loop {
        let rows = admin
            .query(
                "SELECT pid FROM pg_stat_activity \
                 WHERE datname = $1 AND application_name = 'incident' AND wait_event_type = 'Lock'",
                &[&name],
            )
            .unwrap();
        if let Some(row) = rows.first() {
            break row.get(0);
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the command never waited on the lock");
        std::thread::sleep(Duration::from_millis(10));
    };
    // SAFETY: kill(2) on the backend found above; continued by `Frozen`.
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    let frozen = Frozen(pid);
    tx.rollback().unwrap();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("incident {args:?} still hung on a frozen server after 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = started.elapsed();
    drop(frozen);
    // The backend, continued, finds its client gone and rolls back.
    while !admin
        .query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", &[&pid])
        .unwrap()
        .is_empty()
    {
        assert!(started.elapsed() < Duration::from_secs(90), "the backend lingers");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    (code, err, took)
}

#[test]
fn a_read_on_a_frozen_server_fails_at_its_deadline_naming_the_server() {
    let env = Env::new();
    env.declare("Checkout down", &[]);
    let (code, err, took) = frozen_under(
        &env,
        "LOCK TABLE incidents IN ACCESS EXCLUSIVE MODE",
        &["check"],
    );
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(&format!("/{}", env.pg.clone().unwrap())), "names the server: {err}");
    // The documented default for reads.
    assert!(err.contains("no answer from postgres://") && err.contains("within 5s"), "{err}");
    assert!(took < Duration::from_secs(30), "{took:?}");
}

#[test]
fn a_write_on_a_frozen_server_fails_at_its_deadline_and_records_nothing() {
    let mut env = Env::new();
    env.declare("Checkout down", &[]);
    env.with_config("[database]\nread_timeout = \"2s\"\nwrite_timeout = \"3s\"\n");
    let before = env.bytes();
    // Reads go on; the command's insert into the timeline waits.
    let (code, err, _) = frozen_under(
        &env,
        "LOCK TABLE events IN EXCLUSIVE MODE",
        &["update", "INC-1", "--status", "mitigated", "rolled back"],
    );
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("no answer from postgres://") && err.contains("within 3s"), "{err}");
    assert_eq!(env.bytes(), before, "nothing of it was recorded");
    env.ok(&["verify"]);
}

}
