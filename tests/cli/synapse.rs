//! A throwaway Synapse — a real Matrix homeserver — for the Matrix tests:
//! started once per test process from the virtual environment `.ci/run`
//! installs it in (tests/cli/tools.rs), listening on 127.0.0.1 with a
//! configuration of its own in a folder of its own (an SQLite database,
//! registration open without verification, no federation, no TLS, rate
//! limits out of the way so a test is never told to slow down), and killed
//! with the process. Each test registers the users it needs, under names
//! of its own. Without Synapse, every test that needs it fails, saying it
//! is not installed.

use crate::tools::{self, Tool};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The homeserver's name: the part of every user id after the colon.
pub const SERVER_NAME: &str = "incident.test";

pub struct Server {
    /// `http://127.0.0.1:PORT`, what a client (and `homeserver =`) takes.
    pub url: String,
    agent: ureq::Agent,
}

/// A registered user: its id and access token.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub token: String,
}

/// The server, started on first use.
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(start)
}

fn start() -> Server {
    let python = tools::require(Tool::Synapse);
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("synapse");
    sweep(&base);
    let dir = base.join(std::process::id().to_string());
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("media")).unwrap();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let d = dir.display();
    // Every rate limit far above what a test does.
    let many = "{per_second: 100000, burst_count: 100000}";
    std::fs::write(
        dir.join("homeserver.yaml"),
        format!(
            r#"server_name: "{SERVER_NAME}"
pid_file: {d}/homeserver.pid
listeners:
  - port: {port}
    bind_addresses: ['127.0.0.1']
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: {d}/homeserver.db
log_config: {d}/log.yaml
media_store_path: {d}/media
signing_key_path: {d}/signing.key
macaroon_secret_key: "throwaway-macaroon-secret"
form_secret: "throwaway-form-secret"
report_stats: false
enable_registration: true
enable_registration_without_verification: true
federation_domain_whitelist: []
trusted_key_servers: []
suppress_key_server_warning: true
presence:
  enabled: false
rc_message: {many}
rc_registration: {many}
rc_room_creation: {many}
rc_login:
  address: {many}
  account: {many}
  failed_attempts: {many}
rc_joins:
  local: {many}
  remote: {many}
rc_joins_per_room: {many}
rc_invites:
  per_room: {many}
  per_user: {many}
  per_issuer: {many}
"#
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("log.yaml"),
        format!(
            "version: 1\n\
             formatters:\n  precise:\n    format: '%(asctime)s %(name)s %(levelname)s %(message)s'\n\
             handlers:\n  file:\n    class: logging.FileHandler\n    formatter: precise\n    filename: {d}/homeserver.log\n\
             root:\n  level: WARNING\n  handlers: [file]\n\
             disable_existing_loggers: false\n"
        ),
    )
    .unwrap();
    // An ed25519 signing key is 32 random bytes (any will do), unpadded
    // base64: written here, it spares a run of Synapse's key generator.
    let seed: Vec<u8> = (0..32).map(|_| fastrand::u8(..)).collect();
    std::fs::write(
        dir.join("signing.key"),
        format!("ed25519 a_test {}\n", base64(&seed)),
    )
    .unwrap();
    let mut cmd = Command::new(&python);
    cmd.args(["-m", "synapse.app.homeserver", "--config-path"])
        .arg(dir.join("homeserver.yaml"))
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(dir.join("stdout.log")).unwrap())
        .stderr(std::fs::File::create(dir.join("stderr.log")).unwrap());
    // The server dies with this test process (a thread that never ends is
    // its parent, so the parent-death signal fires at process exit).
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl in the child before exec; no allocation.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd.spawn();
        let ok = child.is_ok();
        let _ = send.send(child.map(|c| c.id()).map_err(|e| e.to_string()));
        if ok {
            loop {
                std::thread::park();
            }
        }
    });
    let pid = receive
        .recv()
        .unwrap()
        .unwrap_or_else(|e| panic!("cannot start Synapse ({}): {e}", python.display()));
    let server = Server {
        url: format!("http://127.0.0.1:{port}"),
        agent: ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into(),
    };
    let started = Instant::now();
    loop {
        let up = server
            .agent
            .get(&format!("{}/_matrix/client/versions", server.url))
            .call()
            .is_ok_and(|r| r.status() == 200);
        if up {
            break;
        }
        // SAFETY: signal 0 only checks that the process exists.
        let alive = unsafe { libc::kill(pid as i32, 0) } == 0;
        assert!(
            alive && started.elapsed() < Duration::from_secs(90),
            "the test Synapse (pid {pid}) did not start: {}",
            std::fs::read_to_string(dir.join("stderr.log")).unwrap_or_default()
                + &std::fs::read_to_string(dir.join("homeserver.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

/// Removes the folders of earlier test processes that are gone.
fn sweep(base: &Path) {
    for entry in std::fs::read_dir(base).into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else {
            continue;
        };
        // SAFETY: signal 0 only checks that the process exists.
        if unsafe { libc::kill(pid, 0) } != 0 {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Percent-encodes a path segment (room ids hold `!` and `:`).
pub fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Server {
    /// A request to the client API as `token` (none: unauthenticated);
    /// returns the status and the answer.
    pub fn call(&self, token: Option<&str>, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.url);
        let auth = token.map(|t| format!("Bearer {t}"));
        let result = match method {
            "GET" => {
                let mut r = self.agent.get(&url);
                if let Some(auth) = &auth {
                    r = r.header("Authorization", auth);
                }
                r.call()
            }
            _ => {
                let mut r = match method {
                    "PUT" => self.agent.put(&url),
                    _ => self.agent.post(&url),
                };
                if let Some(auth) = &auth {
                    r = r.header("Authorization", auth);
                }
                r.header("Content-Type", "application/json")
                    .send(serde_json::to_vec(body.unwrap_or(&json!({}))).unwrap().as_slice())
            }
        };
        let mut response = result.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A request that must succeed.
    pub fn ok(&self, token: &str, method: &str, path: &str, body: Option<&Value>) -> Value {
        let (status, answer) = self.call(Some(token), method, path, body);
        assert_eq!(status, 200, "{method} {path}: {answer}");
        answer
    }

    /// A new user, named `name` and a number of this process's own.
    pub fn register(&self, name: &str) -> User {
        static N: AtomicUsize = AtomicUsize::new(0);
        let username = format!("{name}{}", N.fetch_add(1, Ordering::SeqCst));
        let (status, answer) = self.call(
            None,
            "POST",
            "/_matrix/client/v3/register",
            Some(&json!({
                "username": username,
                "password": format!("{username}-password"),
                "auth": {"type": "m.login.dummy"},
            })),
        );
        assert_eq!(status, 200, "register {username}: {answer}");
        User {
            id: answer["user_id"].as_str().unwrap().to_string(),
            token: answer["access_token"].as_str().unwrap().to_string(),
        }
    }
}

impl User {
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        server().ok(&self.token, method, path, body)
    }

    /// A private room of this user's, with `invite` invited.
    pub fn create_room(&self, name: &str, invite: &[&User]) -> String {
        let ids: Vec<&str> = invite.iter().map(|u| u.id.as_str()).collect();
        let answer = self.call(
            "POST",
            "/_matrix/client/v3/createRoom",
            Some(&json!({"preset": "private_chat", "name": name, "invite": ids})),
        );
        answer["room_id"].as_str().unwrap().to_string()
    }

    pub fn invite(&self, room: &str, user: &User) {
        self.call(
            "POST",
            &format!("/_matrix/client/v3/rooms/{}/invite", encode(room)),
            Some(&json!({"user_id": user.id})),
        );
    }

    pub fn join(&self, room: &str) {
        self.call(
            "POST",
            &format!("/_matrix/client/v3/join/{}", encode(room)),
            Some(&json!({})),
        );
    }

    /// Sends `content` as an event of `kind`; returns its id.
    pub fn send(&self, room: &str, kind: &str, content: &Value) -> String {
        static TXN: AtomicUsize = AtomicUsize::new(0);
        let path = format!(
            "/_matrix/client/v3/rooms/{}/send/{kind}/t{}-{}",
            encode(room),
            std::process::id(),
            TXN.fetch_add(1, Ordering::SeqCst)
        );
        self.call("PUT", &path, Some(content))["event_id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Says `body` in `room`; returns the message's event id.
    pub fn say(&self, room: &str, body: &str) -> String {
        self.send(
            room,
            "m.room.message",
            &json!({"msgtype": "m.text", "body": body}),
        )
    }

    /// Reacts to event `to` with `key`.
    pub fn react(&self, room: &str, to: &str, key: &str) -> String {
        self.send(
            room,
            "m.reaction",
            &json!({"m.relates_to": {"rel_type": "m.annotation", "event_id": to, "key": key}}),
        )
    }

    /// Every message in `room` the user can see, oldest first.
    pub fn messages(&self, room: &str) -> Vec<Value> {
        let filter = encode(&json!({"types": ["m.room.message"]}).to_string());
        let mut all = Vec::new();
        let mut from = String::new();
        loop {
            let mut path = format!(
                "/_matrix/client/v3/rooms/{}/messages?dir=f&limit=100&filter={filter}",
                encode(room)
            );
            if !from.is_empty() {
                path.push_str(&format!("&from={}", encode(&from)));
            }
            let answer = self.call("GET", &path, None);
            let chunk = answer["chunk"].as_array().cloned().unwrap_or_default();
            let done = chunk.is_empty();
            all.extend(chunk);
            match answer["end"].as_str() {
                Some(end) if !done => from = end.to_string(),
                _ => return all,
            }
        }
    }

    /// The state event of `kind` (and `key`) in `room`.
    pub fn state(&self, room: &str, kind: &str, key: &str) -> Value {
        self.call(
            "GET",
            &format!(
                "/_matrix/client/v3/rooms/{}/state/{kind}/{}",
                encode(room),
                encode(key)
            ),
            None,
        )
    }
}
