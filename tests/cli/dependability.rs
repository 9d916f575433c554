//! What must hold when several people and a cron job write at once, when a
//! laptop dies mid-command, and when the file is not what we expect.

use crate::support::*;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

impl Env {
    /// A plain std command (no assert_cmd) for spawning many at once.
    fn raw(&self, args: &[&str]) -> Command {
        let mut cmd = self.std_cmd();
        cmd.args(args).stdin(Stdio::null());
        cmd
    }
}

#[test]
fn eight_concurrent_writers_lose_nothing_and_readers_never_fail() {
    const WRITERS: usize = 8;
    const EACH: usize = 250;
    let env = Env::new();
    env.declare("Concurrent scribes", &[]);
    let env = Arc::new(env);
    let start = Arc::new(Barrier::new(WRITERS + 1));
    let writing = Arc::new(AtomicBool::new(true));

    let reader = {
        let (env, writing) = (env.clone(), writing.clone());
        thread::spawn(move || {
            let mut reads = 0;
            while writing.load(Ordering::Relaxed) {
                for args in [&["list"][..], &["show", "1", "--limit", "5"], &["--json", "list"]] {
                    let out = env.raw(args).output().unwrap();
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    assert!(out.status.success(), "reader {args:?} failed: {stderr}");
                    assert!(!stderr.contains("locked"), "{stderr}");
                    reads += 1;
                }
            }
            reads
        })
    };
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (env, start) = (env.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                for n in 0..EACH {
                    let text = format!("writer {w} entry {n}");
                    let out = env
                        .raw(&["--as", &format!("scribe{w}"), "update", "1", &text])
                        .output()
                        .unwrap();
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    assert!(
                        out.status.success() && !stderr.contains("locked"),
                        "{text}: {stderr}"
                    );
                }
            })
        })
        .collect();
    start.wait();
    for w in writers {
        w.join().unwrap();
    }
    writing.store(false, Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);

    let conn = env.sql();
    let notes: i64 = conn
        .query_row(
            "SELECT count(*) FROM events WHERE incident_id = 1 AND kind = 'note'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(notes, (WRITERS * EACH) as i64);
    // Each writer's entries are all there, in the order it wrote them.
    for w in 0..WRITERS {
        let texts: Vec<String> = conn
            .prepare("SELECT text FROM events WHERE author = ?1 ORDER BY id")
            .unwrap()
            .query_map([format!("scribe{w}")], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let want: Vec<String> = (0..EACH).map(|n| format!("writer {w} entry {n}")).collect();
        assert_eq!(texts, want);
    }
}

#[test]
fn a_writer_killed_at_random_points_leaves_a_consistent_database() {
    let env = Env::new();
    env.declare("Crash test", &[]);
    // Kill at random points across the life of one command, however slow
    // this machine is right now.
    let started = std::time::Instant::now();
    env.ok(&["update", "1", "warm-up", "--status", "mitigated"]);
    let span = (started.elapsed().as_micros() as u64 * 3 / 2).max(1_000);
    let mut succeeded = vec!["warm-up".to_string()];
    // A cheap deterministic pseudo-random sequence of kill delays.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for n in 0..120u32 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let status = if n.is_multiple_of(2) {
            "identified"
        } else {
            "mitigated"
        };
        let text = format!("entry {n}");
        let mut child = env
            .raw(&["update", "1", &text, "--status", status])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Every fourth command runs to completion: it must then be stored.
        if n % 4 != 3 {
            thread::sleep(std::time::Duration::from_micros(seed % span));
            // SIGKILL: no destructors, no cleanup, like a laptop lid or the OOM killer.
            let _ = child.kill();
        }
        if child.wait().unwrap().success() {
            succeeded.push(text);
        }
    }
    let conn = env.sql();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let events: Vec<(i64, String, String, Option<String>)> = conn
        .prepare("SELECT id, kind, text, details FROM events WHERE incident_id = 1 ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let notes: Vec<&String> = events.iter().filter(|e| e.1 == "note").map(|e| &e.2).collect();
    for text in &succeeded {
        assert!(
            notes.contains(&text),
            "{text} was reported recorded but is missing"
        );
    }
    // Never half a change: each note is followed by the status change it was
    // written with (or by nothing, when it did not change the status).
    for (i, e) in events.iter().enumerate() {
        if e.1 == "note" {
            let Ok(n) = e.2.trim_start_matches("entry ").parse::<u32>() else {
                continue;
            };
            let want = if n.is_multiple_of(2) {
                "identified"
            } else {
                "mitigated"
            };
            let next = events.get(i + 1);
            let changed = next.is_some_and(|x| x.1 == "status_changed");
            if changed {
                assert!(
                    next.unwrap().3.as_deref().unwrap().contains(want),
                    "{e:?} {next:?}"
                );
            }
        }
    }
    // And the incident's state is what its timeline says.
    let last_status: Option<String> = events.iter().rev().find(|e| e.1 == "status_changed").map(|e| {
        serde_json::from_str::<serde_json::Value>(e.3.as_deref().unwrap()).unwrap()["to"]
            .as_str()
            .unwrap()
            .to_string()
    });
    let status: String = conn
        .query_row("SELECT status FROM incidents WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(Some(status), last_status.or(Some("investigating".into())));
    assert!(
        !succeeded.is_empty(),
        "some updates should have finished before their kill"
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false)
}

#[test]
fn a_read_only_database_serves_reads_and_refuses_writes_clearly() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.declare("Archived incident", &[]);
    let dir = env.db.parent().unwrap();
    let before = env.bytes();
    // As root, permissions do not apply: act as `nobody` instead.
    let run = |args: &[&str]| {
        let mut cmd = if is_root() {
            std::fs::set_permissions(env.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
            std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o644)).unwrap();
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(assert_cmd::cargo::cargo_bin("incident"));
            c
        } else {
            std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o444)).unwrap();
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
            Command::new(assert_cmd::cargo::cargo_bin("incident"))
        };
        cmd.env_clear()
            .env("HOME", "/nonexistent")
            .env("TZ", "UTC")
            .env("INCIDENT_DB", &env.db)
            .env("INCIDENT_USER", "reader")
            .args(args)
            .output()
            .unwrap()
    };
    let list = run(&["list"]);
    assert!(list.status.success(), "{}", String::from_utf8_lossy(&list.stderr));
    assert!(String::from_utf8_lossy(&list.stdout).contains("Archived incident"));
    assert!(run(&["show", "1"]).status.success());
    let update = run(&["update", "1", "x"]);
    assert_eq!(update.status.code(), Some(1));
    let err = String::from_utf8_lossy(&update.stderr);
    assert!(
        err.contains("is read-only: reading works, but recording needs write permission"),
        "{err}"
    );
    if is_root() {
        // Shared-memory files left writable by an earlier writer: SQLite
        // opens fine and refuses only the insert; the message is the same.
        for suffix in ["-wal", "-shm"] {
            let path = format!("{}{suffix}", env.db.display());
            std::fs::write(&path, b"").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        }
        let update = run(&["update", "1", "x"]);
        let err = String::from_utf8_lossy(&update.stderr);
        assert_eq!(update.status.code(), Some(1), "{err}");
        assert!(err.contains("is read-only: reading works"), "{err}");
    }
    assert_eq!(env.bytes(), before);
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
}

#[test]
fn wal_and_shm_files_are_owner_only_too() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.declare("X", &[]);
    // Hold a reader open so the WAL and shared-memory files stay on disk.
    let conn = env.sql();
    conn.execute_batch("BEGIN; SELECT count(*) FROM events;").unwrap();
    env.ok(&["update", "1", "while a reader holds the database"]);
    for suffix in ["-wal", "-shm"] {
        let path = format!("{}{suffix}", env.db.display());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{path}");
    }
    conn.execute_batch("COMMIT").unwrap();
}

#[test]
fn hostile_and_huge_input_is_stored_faithfully_and_never_panics() {
    let env = Env::new();
    let sql = "'; DROP TABLE incidents; -- \" OR 1=1";
    let long_title = "T".repeat(100_000);
    env.declare(
        sql,
        &["--service", "a'b", "--commander", "Robert'); DROP TABLE roles;--"],
    );
    env.declare(&long_title, &[]);
    let megabyte = format!("{}\u{0}nul\u{1b}[31mred\n", "x".repeat(1 << 20));
    env.cmd()
        .args(["update", "1", "-"])
        .write_stdin(megabyte.clone())
        .assert()
        .success();
    let i = env.show("1");
    assert_eq!(i["title"], sql);
    assert_eq!(i["services"][0], "a'b");
    assert_eq!(i["commander"], "Robert'); DROP TABLE roles;--");
    assert_eq!(last_event(&i)["text"].as_str().unwrap(), megabyte.trim_end());
    assert_eq!(env.show("2")["title"].as_str().unwrap().len(), 100_000);
    let shown = env.ok(&["show", "1"]);
    assert!(shown.contains("\\u{0}nul\\u{1b}[31mred") && !shown.contains('\u{1b}'));
    assert!(env.ok(&["list"]).contains("DROP TABLE incidents"));
}

#[test]
fn invalid_utf8_arguments_are_usage_errors() {
    use std::os::unix::ffi::OsStrExt;
    let env = Env::new();
    let bad = std::ffi::OsStr::from_bytes(b"Checkout \xff\xfe down");
    let out = env.cmd().arg("declare").arg(bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid UTF-8"));
    assert!(!env.db.exists());
}

#[test]
fn every_flag_with_a_malformed_value_is_refused_with_exit_2() {
    let env = Env::new();
    env.declare("X", &[]);
    let before = env.bytes();
    let cases: &[&[&str]] = &[
        &["declare", "Y", "--severity", ""],
        &["declare", "Y", "--category", "bad"],
        &["declare", "Y", "--detected-by", "psychic"],
        &["declare", "Y", "--started-at", "25:99"],
        &["declare", "Y", "--started-at", "in 10m"],
        &["declare", "Y", "--commander", ""],
        &["assign-role", "1", "", "bob"],
        &["assign-role", "x1", "scribe", "bob"],
        &["escalate", "1", "--severity", "SEV0", "--to", "x"],
        &["update", "1", "x", "--kind", "rumour"],
        &["update", "1", "x", "--status", "done"],
        &["update", "1", "x", "--severity", "urgent"],
        &["update", "1", "x", "--at", "2026-02-30 10:00"],
        &["update", "1", "x", "--external", "--next-update", "-5m"],
        &["update", "1", "x", "--external", "--next-update", "0m"],
        &["update", "0", "x"],
        &["update", "-1", "x"],
        &["update", "99999999999999999999999", "x"],
        &["resolve", "1", "--at", "noon"],
        &["list", "--limit", "-1"],
        &["list", "--limit", "many"],
        &["list", "--status", "sleeping"],
        &["list", "--since", "forever"],
        &["show", "1", "--limit", "x"],
        &["completions", "cmd.exe"],
        &["frobnicate"],
    ];
    for args in cases {
        let out = env.cmd().args(*args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{args:?}: {stderr}");
        assert_eq!(
            stderr.trim_end().lines().count(),
            1,
            "{args:?}: one line: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    assert_eq!(env.bytes(), before);
}
