//! `show --follow` and `list --follow`: entries that teammates add appear,
//! once each and in the order they arrived, until Ctrl-C, which exits 0.

use crate::support::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

/// A following process and its stdout, line by line.
pub struct Following {
    child: Child,
    lines: Receiver<String>,
}

impl Following {
    pub fn start(env: &Env, args: &[&str]) -> Following {
        let mut child = env
            .std_cmd()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Following { child, lines }
    }

    /// The next line, waiting at most 20 s (a generous bound on a loaded
    /// machine; the benchmark measures the real latency).
    pub fn next(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(20))
            .expect("no new line from --follow within 20 s")
    }

    /// Skips lines until one contains `text`; returns it.
    pub fn until(&self, text: &str) -> String {
        loop {
            let line = self.next();
            if line.contains(text) {
                return line;
            }
        }
    }

    /// Interrupts it as Ctrl-C does; returns its exit code and stderr.
    pub fn interrupt(self, signal: i32) -> (Option<i32>, String) {
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(self.child.id() as i32, signal) };
        let out = self.child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

#[test]
fn show_follow_prints_each_new_entry_once_in_arrival_order_until_ctrl_c() {
    let env = Env::new();
    env.declare("Checkout down", &["--severity", "SEV1"]);
    let follow = Following::start(&env, &["show", "INC-1", "--follow"]);
    follow.until("Timeline");
    follow.until("declared");
    env.ok(&["update", "INC-1", "first finding"]);
    // Backdated: it still comes next, as it arrived next.
    env.ok(&["update", "INC-1", "seen earlier", "--at", "2026-11-23T08:00:00Z"]);
    env.declare("Another incident", &[]);
    env.ok(&["update", "INC-2", "not this one"]);
    env.ok(&["update", "INC-1", "--status", "mitigated", "rolled back"]);
    let got: Vec<String> = (0..3).map(|_| follow.next()).collect();
    assert!(
        got[0].contains("note") && got[0].contains("first finding"),
        "{got:?}"
    );
    assert!(got[1].contains("seen earlier"), "{got:?}");
    assert!(got[2].contains("rolled back"), "{got:?}");
    follow.until("status_changed");
    let (code, stderr) = follow.interrupt(libc::SIGINT);
    assert_eq!(code, Some(0), "Ctrl-C ends --follow cleanly: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn list_follow_json_streams_every_incidents_entries_with_their_key() {
    let env = Env::new();
    env.declare("Checkout down", &[]);
    let follow = Following::start(&env, &["--json", "list", "--follow"]);
    // The board first: a JSON array of the open incidents.
    while follow.next() != "]" {}
    env.declare("Search slow", &[]);
    env.ok(&["update", "INC-1", "looking"]);
    let parse = |line: String| -> serde_json::Value {
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
    };
    let first = parse(follow.next());
    let second = parse(follow.next());
    assert_eq!(first["incident"], "INC-2");
    assert_eq!(first["kind"], "declared");
    assert_eq!(second["incident"], "INC-1");
    assert_eq!(second["text"], "looking");
    let (code, _) = follow.interrupt(libc::SIGTERM);
    assert_eq!(code, Some(0));
}

#[test]
fn follow_of_an_unknown_incident_fails_at_once() {
    let env = Env::new();
    env.declare("Checkout down", &[]);
    let err = env.fails(1, &["show", "INC-9", "--follow"]);
    assert!(err.contains("INC-9"), "{err}");
}

/// `incident ARGS | head -c 10`, with nothing recorded meanwhile: the
/// reader's leaving alone ends it, at once, with exit 0 and nothing said.
fn ends_with_its_reader(env: &Env, args: &[&str]) {
    use std::io::Read;
    let mut child = env
        .std_cmd()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut head = [0u8; 10];
    stdout.read_exact(&mut head).unwrap();
    drop(stdout);
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("incident {args:?} | head -c 10 still ran 15 s after the reader left");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert_eq!(status.code(), Some(0), "incident {args:?}: {stderr}");
    assert_eq!(stderr, "", "incident {args:?}");
}

#[test]
fn follow_ends_at_once_with_exit_0_when_its_reader_leaves() {
    let env = Env::new();
    env.declare("Checkout down", &[]);
    ends_with_its_reader(&env, &["show", "INC-1", "--follow"]);
    ends_with_its_reader(&env, &["--json", "list", "--follow"]);
    ends_with_its_reader(&env, &["list", "--follow"]);
}
