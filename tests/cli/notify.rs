//! Notifications (`incident notify`, `incident deliveries`, `check`)
//! through the real binary, to a receiver on loopback that records every
//! request and answers as each test scripts it.

use crate::support::Env;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A scripted answer: status, headers, body.
type Answer = (u16, Vec<(String, String)>, String);

#[derive(Default)]
struct Script {
    /// Answers to give, per path, in turn; 200 once they run out.
    answers: HashMap<String, VecDeque<Answer>>,
    seen: Vec<Request>,
}

/// An HTTP/1.1 server on loopback for the test's life, that can be taken
/// down (connections refused, open ones cut) and brought back on the same
/// port.
pub struct Receiver {
    pub addr: String,
    script: Arc<Mutex<Script>>,
    up: Arc<Mutex<Option<Up>>>,
}

/// A receiver while it is up: its accepting thread, told to stop by
/// `down`, and the connections it took.
struct Up {
    down: Arc<AtomicBool>,
    accepting: std::thread::JoinHandle<()>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Receiver {
    pub fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let receiver = Receiver {
            addr,
            script: Arc::new(Mutex::new(Script::default())),
            up: Arc::new(Mutex::new(None)),
        };
        receiver.listen(listener);
        receiver
    }

    fn listen(&self, listener: TcpListener) {
        // Polled, so that taking it down closes the port at once.
        listener.set_nonblocking(true).unwrap();
        let down = Arc::new(AtomicBool::new(false));
        let open = Arc::new(Mutex::new(Vec::new()));
        let (shared, stop, streams) = (self.script.clone(), down.clone(), open.clone());
        let accepting = std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        streams.lock().unwrap().push(stream.try_clone().unwrap());
                        let shared = shared.clone();
                        std::thread::spawn(move || serve(stream, &shared));
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(10)),
                }
            }
        });
        *self.up.lock().unwrap() = Some(Up {
            down,
            accepting,
            open,
        });
    }

    /// Down: the port refuses connections, and those open are cut.
    pub fn stop(&self) {
        let Some(up) = self.up.lock().unwrap().take() else {
            return;
        };
        up.down.store(true, Ordering::SeqCst);
        up.accepting.join().unwrap();
        for stream in up.open.lock().unwrap().drain(..) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    }

    /// Back up, on the same port.
    pub fn restart(&self) {
        self.listen(TcpListener::bind(&self.addr).unwrap());
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The next request to `path` is answered with `status` (and headers);
    /// status 0: the connection is closed without an answer, as by a
    /// receiver that died while it read the request.
    pub fn answer(&self, path: &str, status: u16, headers: &[(&str, &str)], body: &str) {
        self.script
            .lock()
            .unwrap()
            .answers
            .entry(path.to_string())
            .or_default()
            .push_back((
                status,
                headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                body.to_string(),
            ));
    }

    /// Every request so far to `path`, in order.
    pub fn seen(&self, path: &str) -> Vec<Request> {
        self.script
            .lock()
            .unwrap()
            .seen
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(stream: TcpStream, script: &Mutex<Script>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or("").to_string(),
            parts.next().unwrap_or("").to_string(),
        );
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let length: usize = headers
            .get("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (status, extra, text) = {
            let mut s = script.lock().unwrap();
            s.seen.push(Request {
                method,
                path: path.clone(),
                headers,
                body,
            });
            s.answers
                .get_mut(&path)
                .and_then(|q| q.pop_front())
                .unwrap_or((200, Vec::new(), "ok".into()))
        };
        if status == 0 {
            let _ = writer.shutdown(std::net::Shutdown::Both);
            return;
        }
        let mut response = format!("HTTP/1.1 {status} Status\r\nContent-Length: {}\r\n", text.len());
        for (k, v) in extra {
            response.push_str(&format!("{k}: {v}\r\n"));
        }
        response.push_str("\r\n");
        response.push_str(&text);
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// A configuration whose destinations' URLs are read from files beside
/// it, as secrets are: `slack` posts to /slack, `hook` (every event,
/// signed) to /hook.
fn configured(receiver: &Receiver) -> Env {
    let mut env = Env::new();
    std::fs::write(env.dir.path().join("slack-url"), receiver.url("/slack")).unwrap();
    std::fs::write(env.dir.path().join("hook-key"), "s3cret\n").unwrap();
    env.with_config(&format!(
        r#"
[[notify]]
name = "ops"
kind = "slack"
url = {{ file = "slack-url" }}

[[notify]]
name = "hook"
kind = "webhook"
url = "{}"
secret = {{ file = "hook-key" }}
events = ["*"]
"#,
        receiver.url("/hook")
    ));
    env
}

#[test]
fn events_recorded_after_a_destination_starts_are_delivered_once_in_order() {
    let receiver = Receiver::start();
    let env = configured(&receiver);
    // Before the first delivery: nothing of the history is sent.
    env.declare("Old", &[]);
    let first = env.talk(&["notify"]);
    assert!(first.contains("ops: 0 sent, up to date"), "{first}");
    assert!(receiver.seen("/slack").is_empty());
    env.declare("Checkout down", &["-s", "SEV1", "--commander", "alice"]);
    env.ok(&["update", "2", "Rolling back 4821", "--kind", "comms"]);
    env.ok(&["update", "2", "looked at the logs"]);
    let talk = env.talk(&["notify"]);
    assert!(talk.contains("ops: 2 sent, up to date"), "{talk}");
    assert!(talk.contains("hook: 4 sent, up to date"), "{talk}");
    // Slack: the moments stakeholders hear of, as Block Kit.
    let slack = receiver.seen("/slack");
    let headers: Vec<String> = slack
        .iter()
        .map(|r| {
            r.json()["blocks"][0]["text"]["text"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        headers,
        [
            "INC-2 SEV1 declared: Checkout down",
            "INC-2 SEV1 update: Checkout down"
        ]
    );
    // The webhook: every event, our JSON document, signed.
    let hook = receiver.seen("/hook");
    let kinds: Vec<String> = hook
        .iter()
        .map(|r| r.json()["event"]["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["declared", "role_assigned", "comms", "note"]);
    for r in &hook {
        assert_eq!(r.method, "POST");
        assert_eq!(r.headers["content-type"], "application/json");
        assert_eq!(
            r.headers["incident-signature-256"],
            incident::notify::send::sign("s3cret", &r.body)
        );
        assert!(
            r.headers["incident-delivery"].starts_with("hook."),
            "{:?}",
            r.headers
        );
    }
    assert_eq!(hook[0].json()["incident"]["key"], "INC-2");
    // Nothing new: nothing sent again.
    assert!(env.talk(&["notify"]).contains("hook: 0 sent, up to date"));
    assert_eq!(receiver.seen("/hook").len(), 4);
    let states = env.json(&["deliveries"]);
    assert_eq!(states[0]["destination"], "ops");
    assert_eq!(states[0]["delivered"], 2);
    assert_eq!(states[1]["delivered"], 4);
    assert_eq!(states[1]["backlog"], 0);
}

#[test]
fn a_receiver_that_is_down_is_retried_later_and_one_that_refuses_is_parked_until_retried() {
    let receiver = Receiver::start();
    let mut env = configured(&receiver);
    env.talk(&["notify"]);
    env.declare("Checkout down", &[]);
    receiver.answer("/slack", 503, &[("Retry-After", "120")], "busy");
    receiver.answer("/hook", 404, &[], "no such hook");
    let err = env.fails(1, &["notify"]);
    assert!(
        err.contains("ops: HTTP 503: busy; retried from 2026-11-23T08:02:00Z"),
        "{err}"
    );
    assert!(
        err.contains("hook: HTTP 404: no such hook; parked until 'incident deliveries retry hook'"),
        "{err}"
    );
    // Not before the receiver said: nothing is tried, nothing lost.
    env.at("2026-11-23T08:01:00Z");
    let (code, talk) = notify(&env);
    assert_eq!(code, 1, "the parked one is still a failure: {talk}");
    assert!(talk.contains("ops: waiting until 2026-11-23T08:02:00Z"), "{talk}");
    assert_eq!(receiver.seen("/slack").len(), 1);
    // check: a stakeholder who hears nothing for 15 minutes is a miss.
    env.at("2026-11-23T08:16:00Z");
    let out = env.cmd().args(["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("notify hook: parked since 2026-11-23T08:00:00Z: HTTP 404: no such hook"),
        "{stdout}"
    );
    assert!(
        stdout.contains("notify ops: failing since 2026-11-23T08:00:00Z: HTTP 503: busy"),
        "{stdout}"
    );
    // Back: the same event arrives, once.
    let (_, talk) = notify(&env);
    assert!(talk.contains("ops: 1 sent, up to date"), "{talk}");
    assert_eq!(receiver.seen("/slack").len(), 2);
    assert_eq!(receiver.seen("/slack")[0].body, receiver.seen("/slack")[1].body);
    // The parked one waits for a person.
    assert_eq!(receiver.seen("/hook").len(), 1);
    env.talk(&["deliveries", "retry", "hook"]);
    assert!(env.talk(&["notify"]).contains("hook: 1 sent, up to date"));
    let states = env.json(&["deliveries"]);
    assert!(states[1]["parked"].is_null());
    assert!(states[1]["failing_since"].is_null());
    let out = env.cmd().args(["check"]).output().unwrap();
    assert!(!String::from_utf8(out.stdout).unwrap().contains("notify "));
}

/// `notify`'s exit code and what it said.
fn notify(env: &Env) -> (i32, String) {
    let out = env.cmd().args(["notify"]).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn mistakes_in_notify_and_deliveries_are_one_line_each() {
    let receiver = Receiver::start();
    let env = configured(&receiver);
    assert!(
        env.fails(2, &["notify", "--to", "pager"])
            .contains("no destination 'pager'")
    );
    assert!(
        env.fails(1, &["deliveries", "retry", "ops"])
            .contains("has not been delivered to yet")
    );
    assert!(
        env.fails(2, &["deliveries", "retry", "nope"])
            .contains("no destination 'nope'")
    );
    let bare = Env::new();
    assert!(bare.fails(2, &["notify"]).contains("no [[notify]] destinations"));
    // A secret that is not there parks the destination, naming the file.
    env.talk(&["notify"]);
    std::fs::remove_file(env.dir.path().join("slack-url")).unwrap();
    env.declare("Checkout down", &[]);
    let err = env.fails(1, &["notify", "--to", "ops"]);
    assert!(err.contains("cannot read secret file"), "{err}");
}

/// Waits up to `limit` for `done`, looking every 50 ms.
fn wait_for(limit: std::time::Duration, what: &str, done: &mut dyn FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "waited {limit:?} for {what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn nothing_is_lost_while_the_receiver_is_down_and_each_event_arrives_once_in_order() {
    use std::time::Duration;
    let receiver = Receiver::start();
    let env = configured(&receiver);
    env.talk(&["notify"]);
    // The deliverer as a service runs on the real clock: its waits after a
    // failure are real ones. What it sends keeps the times the events
    // were recorded at (INCIDENT_NOW, for the commands below).
    let mut watch = env
        .std_cmd()
        .env_remove("INCIDENT_NOW")
        .args(["notify", "--watch", "--to", "hook"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let said = Arc::new(Mutex::new(Vec::<String>::new()));
    let stderr = BufReader::new(watch.stderr.take().unwrap());
    let lines = said.clone();
    let reading = std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            lines.lock().unwrap().push(line);
        }
    });
    let key = env.declare("Checkout down", &["--commander", "alice"]);
    env.ok(&["update", &key, "one"]);
    let limit = Duration::from_secs(60);
    wait_for(limit, "the first events", &mut || {
        receiver.seen("/hook").len() == 3
    });
    // Down: the port refuses connections. Meanwhile more is recorded.
    receiver.stop();
    for words in ["two", "three", "four"] {
        env.ok(&["update", &key, words]);
    }
    wait_for(limit, "the deliverer to fail", &mut || {
        said.lock()
            .unwrap()
            .iter()
            .any(|l| l.starts_with("warning: hook: ") && l.contains("retried from"))
    });
    // Back on the same port; the first request it reads, it dies on
    // before answering: that event is sent again, under the same key.
    receiver.answer("/hook", 0, &[], "");
    receiver.restart();
    env.ok(&["update", &key, "five"]);
    let recorded: Vec<i64> = env.show(&key)["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(recorded.len(), 7, "declared, commander, one to five");
    let delivered = || {
        let mut keys: Vec<String> = Vec::new();
        let mut ids = Vec::new();
        for r in receiver.seen("/hook") {
            let key = r.headers["incident-delivery"].clone();
            if !keys.contains(&key) {
                keys.push(key);
                ids.push(r.json()["event"]["id"].as_i64().unwrap());
            }
        }
        ids
    };
    wait_for(limit, "every event", &mut || delivered().len() == recorded.len());
    // SIGTERM: the service stops cleanly.
    // SAFETY: kill(2) on the child this test started.
    assert_eq!(unsafe { libc::kill(watch.id() as i32, libc::SIGTERM) }, 0);
    assert!(watch.wait().unwrap().success());
    reading.join().unwrap();
    // In the order recorded, each once by its key; the one the receiver
    // died on came twice, the same bytes under the same key.
    assert_eq!(delivered(), recorded);
    let seen = receiver.seen("/hook");
    assert_eq!(seen.len(), recorded.len() + 1, "one repeat");
    let repeated: Vec<_> = seen
        .windows(2)
        .filter(|w| w[0].headers["incident-delivery"] == w[1].headers["incident-delivery"])
        .collect();
    assert_eq!(repeated.len(), 1);
    assert_eq!(repeated[0][0].body, repeated[0][1].body);
    assert_eq!(
        repeated[0][0].json()["event"]["text"],
        "two",
        "the first recorded while down"
    );
    let said = said.lock().unwrap();
    assert!(
        said.iter().any(|l| l.contains("hook: ") && l.contains("sent")),
        "{said:?}"
    );
}

/// How many times the database has been written, as another connection
/// sees it: SQLite's data version (held on one connection, as it counts
/// other connections' commits), or the deliveries rows' transaction ids.
enum Writes {
    Sqlite(rusqlite::Connection),
    Postgres,
}

impl Writes {
    fn watch(env: &Env) -> Writes {
        match env.on_postgres() {
            true => Writes::Postgres,
            false => Writes::Sqlite(env.sql()),
        }
    }

    fn mark(&self, env: &Env) -> i64 {
        match self {
            Writes::Sqlite(conn) => conn.query_row("PRAGMA data_version", [], |r| r.get(0)).unwrap(),
            Writes::Postgres => env.number("SELECT sum(xmin::text::bigint)::bigint FROM deliveries"),
        }
    }
}

#[test]
fn a_deliverer_with_nothing_new_writes_nothing() {
    let receiver = Receiver::start();
    let env = configured(&receiver);
    env.talk(&["notify"]);
    env.declare("Checkout down", &[]);
    let writes = Writes::watch(&env);
    let before = writes.mark(&env);
    let talk = env.talk(&["notify"]);
    assert!(talk.contains("hook: 1 sent, up to date"), "{talk}");
    let sent = writes.mark(&env);
    assert_ne!(sent, before, "what it sent moved the cursors");
    // Up to date: it reads where each destination stands, and writes
    // nothing (no claim taken and given back).
    for _ in 0..3 {
        assert!(env.talk(&["notify"]).contains("hook: 0 sent, up to date"));
    }
    assert_eq!(writes.mark(&env), sent);
    assert_eq!(receiver.seen("/hook").len(), 1);
}

#[test]
fn two_deliverers_at_once_send_each_event_once_in_order() {
    let receiver = Receiver::start();
    let env = configured(&receiver);
    env.talk(&["notify"]);
    let key = env.declare("Checkout down", &[]);
    for n in 0..30 {
        env.ok(&["update", &key, &format!("step {n}")]);
    }
    // Several rounds of two deliverers started together.
    for round in 0..3 {
        let deliverers: Vec<_> = (0..2)
            .map(|_| {
                env.std_cmd()
                    .args(["notify", "--to", "hook"])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for d in deliverers {
            let out = d.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
        env.ok(&["update", &key, &format!("round {round}")]);
    }
    env.talk(&["notify", "--to", "hook"]);
    let ids: Vec<i64> = receiver
        .seen("/hook")
        .iter()
        .map(|r| r.json()["event"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids.len(),
        1 + 30 + 3,
        "declared, 30 updates, 3 more: each once: {ids:?}"
    );
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in order: {ids:?}");
}
