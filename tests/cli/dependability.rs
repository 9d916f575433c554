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

    let notes = env.number("SELECT count(*) FROM events WHERE incident_id = 1 AND kind = 'note'");
    assert_eq!(notes, (WRITERS * EACH) as i64);
    // Each writer's entries are all there, in the order it wrote them.
    for w in 0..WRITERS {
        let texts: Vec<String> = env
            .strings(&format!(
                "SELECT text FROM events WHERE author = 'scribe{w}' ORDER BY id"
            ))
            .into_iter()
            .map(|r| r[0].clone().unwrap())
            .collect();
        let want: Vec<String> = (0..EACH).map(|n| format!("writer {w} entry {n}")).collect();
        assert_eq!(texts, want);
    }
}

/// Many writers on the real clock, handing one role over and moving the
/// status and severity at once: each event's time is taken once the write
/// lock is held, so the timeline's times rise in the order it was
/// recorded, no change is refused as "before the latest change" though no
/// `--at` was given, and `verify` finds nothing amiss.
#[test]
fn concurrent_writers_on_the_real_clock_keep_time_order_and_verify_clean() {
    const WRITERS: usize = 8;
    const EACH: usize = 24;
    let env = Env::new();
    env.declare("Handovers", &[]);
    let env = Arc::new(env);
    let start = Arc::new(Barrier::new(WRITERS));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (env, start) = (env.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                for n in 0..EACH {
                    let name = format!("p{w}");
                    let args: Vec<String> = match n % 3 {
                        0 => vec!["assign-role".into(), "1".into(), "scribe".into(), name],
                        1 => {
                            let status = ["investigating", "identified", "mitigated"][(w + n) % 3];
                            vec!["update".into(), "1".into(), "--status".into(), status.into()]
                        }
                        _ => {
                            let level = ["SEV1", "SEV2", "SEV3"][(w + n) % 3];
                            vec!["update".into(), "1".into(), "--severity".into(), level.into()]
                        }
                    };
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    let out = env.raw(&args).env_remove("INCIDENT_NOW").output().unwrap();
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    assert!(out.status.success(), "{args:?}: {stderr}");
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    // Recorded in order, and dated in order.
    let times: Vec<Vec<Option<String>>> = env.strings("SELECT at, recorded_at FROM events ORDER BY id");
    for pair in times.windows(2) {
        assert!(pair[0][0] <= pair[1][0], "dated out of recording order: {pair:?}");
        assert!(pair[0][1] <= pair[1][1], "recorded out of order: {pair:?}");
    }
    let out = env.raw(&["verify"]).output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stderr.contains("every timeline is intact"), "{stderr}");
}

/// What one command of the crash test changes; the timeline of a command
/// that committed records every part of it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Change {
    /// `update 1 "entry N" --status S`: a note, then the move to S (none if
    /// already there).
    Status(&'static str),
    /// `update 1 "entry N" --severity L`: a note, then the severity change.
    Severity(&'static str),
    /// `assign-role 1 commander pN`: the role changes hands (one event).
    Commander,
    /// `resolve 1 --summary "fix N"`: the status and the resolution (one event).
    Resolve,
}

/// The command of step `n`: status (forward, back, reopen), severity, role
/// and resolution changes in turn; 5 is prime to the 4 below, so every kind
/// also runs to completion.
fn crash_step(n: u32) -> (Change, Vec<String>) {
    let change = match n % 5 {
        0 => Change::Status("identified"),
        1 => Change::Severity(if (n / 5).is_multiple_of(2) { "SEV1" } else { "SEV2" }),
        2 => Change::Commander,
        3 => Change::Resolve,
        _ => Change::Status("mitigated"),
    };
    let entry = format!("entry {n}");
    let strings = |args: &[&str]| args.iter().map(|a| a.to_string()).collect();
    let args = match change {
        Change::Status(s) => strings(&["update", "1", &entry, "--status", s]),
        Change::Severity(l) => strings(&["update", "1", &entry, "--severity", l]),
        Change::Commander => vec![
            "assign-role".into(),
            "1".into(),
            "commander".into(),
            format!("p{n}"),
        ],
        Change::Resolve => vec![
            "resolve".into(),
            "1".into(),
            "--summary".into(),
            format!("fix {n}"),
        ],
    };
    (change, args)
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
    let status_now = || -> String {
        env.strings("SELECT status FROM incidents WHERE id = 1")[0][0]
            .clone()
            .unwrap()
    };
    // The steps that reported success, and those that had to.
    let mut succeeded = Vec::new();
    let mut must_succeed = Vec::new();
    // A cheap deterministic pseudo-random sequence of kill delays.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for n in 0..120u32 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let (change, args) = crash_step(n);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // Every fourth command runs to completion: it must then succeed and
        // be stored, unless it resolves an incident already resolved.
        let finish = n % 4 == 3;
        if finish && !(change == Change::Resolve && status_now() == "resolved") {
            must_succeed.push(n);
        }
        let mut child = env
            .raw(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if !finish {
            thread::sleep(std::time::Duration::from_micros(seed % span));
            // SIGKILL: no destructors, no cleanup, like a laptop lid or the OOM killer.
            let _ = child.kill();
        }
        if child.wait().unwrap().success() {
            succeeded.push(n);
        }
    }
    let missing: Vec<&u32> = must_succeed.iter().filter(|n| !succeeded.contains(n)).collect();
    assert!(
        missing.is_empty(),
        "steps ran to completion but failed: {missing:?}"
    );
    // 30 finish; of those only the 6 resolves can be refused.
    assert!(must_succeed.len() >= 24, "{must_succeed:?}");

    if !env.on_postgres() {
        let check: String = env
            .sql()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
    }
    type Row = (i64, String, String, Option<String>);
    let events: Vec<Row> = env
        .strings("SELECT CAST(id AS TEXT) AS n, kind, text, details FROM events WHERE incident_id = 1 ORDER BY events.id")
        .into_iter()
        .map(|r| {
            let text = |i: usize| r[i].clone().unwrap_or_default();
            (text(0).parse().unwrap(), text(1), text(2), r[3].clone())
        })
        .collect();
    let details =
        |e: &Row| -> serde_json::Value { serde_json::from_str(e.3.as_deref().unwrap_or("null")).unwrap() };

    // Replay the timeline. Never half a change: each note of a status or
    // severity update is followed by the change it was written with (or by
    // nothing, when it changed nothing), and no change comes without its
    // command's note; role and resolve commands are one event each.
    let mut status = "investigating".to_string();
    let mut severity = String::new();
    let mut resolution: Option<String> = None;
    let mut commander: Option<String> = None;
    let mut recorded = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let e = &events[i];
        let d = details(e);
        match e.1.as_str() {
            "declared" => severity = d["severity"].as_str().unwrap().to_string(),
            "note" => {
                let change = match e.2.strip_prefix("entry ") {
                    Some(n) => {
                        let n: u32 = n.parse().unwrap();
                        recorded.push(n);
                        crash_step(n).0
                    }
                    None => {
                        assert_eq!(e.2, "warm-up");
                        Change::Status("mitigated")
                    }
                };
                let (kinds, want, current): (&[&str], _, &mut String) = match change {
                    Change::Status(s) => (&["status_changed", "reopened"], s, &mut status),
                    Change::Severity(l) => (&["severity_changed"], l, &mut severity),
                    other => panic!("a note from {other:?}: {e:?}"),
                };
                if current != want {
                    let next = events.get(i + 1);
                    assert!(
                        next.is_some_and(|x| kinds.contains(&x.1.as_str()) && details(x)["to"] == want),
                        "half a change: {e:?} then {next:?}"
                    );
                    *current = want.to_string();
                    i += 1;
                }
            }
            "resolved" => {
                let n: u32 = e.2.strip_prefix("Resolved: fix ").unwrap().parse().unwrap();
                recorded.push(n);
                assert_eq!(d["summary"], format!("fix {n}"), "{e:?}");
                status = "resolved".into();
                resolution = Some(format!("fix {n}"));
            }
            "role_assigned" | "role_handover" => {
                assert_eq!(d["role"], "commander", "{e:?}");
                assert_eq!(d["previous"].as_str(), commander.as_deref(), "{e:?}");
                let person = d["person"].as_str().unwrap().to_string();
                recorded.push(person.trim_start_matches('p').parse().unwrap());
                commander = Some(person);
            }
            _ => panic!(
                "a change without its command: {e:?} after {:?}",
                &events[i.saturating_sub(3)..i]
            ),
        }
        i += 1;
    }
    // Each kind of change was made at least once (by the steps that finish).
    for kind in ["status_changed", "severity_changed", "role_handover", "resolved"] {
        assert!(events.iter().any(|e| e.1 == kind), "no {kind} at all");
    }
    // Whatever reported success is recorded.
    for n in &succeeded {
        assert!(
            recorded.contains(n),
            "step {n} was reported recorded but is missing"
        );
    }
    // And the incident's state is what its timeline says, and nothing more.
    let row = env.strings("SELECT status, severity, resolution FROM incidents WHERE id = 1");
    let stored = (
        row[0][0].clone().unwrap(),
        row[0][1].clone().unwrap(),
        row[0][2].clone(),
    );
    assert_eq!(stored, (status, severity, resolution));
    let holders: Vec<(String, String)> = env
        .strings("SELECT role, person FROM roles WHERE incident_id = 1")
        .into_iter()
        .map(|r| (r[0].clone().unwrap(), r[1].clone().unwrap()))
        .collect();
    let want: Vec<(String, String)> = commander
        .map(|p| ("commander".to_string(), p))
        .into_iter()
        .collect();
    assert_eq!(holders, want);
}

sqlite_only! {
    fn is_root() -> bool {
        Command::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout == b"0\n")
            .unwrap_or(false)
    }
}

sqlite_only! {
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
}

sqlite_only! {
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
    // NUL included: PostgreSQL's text cannot hold it, so that backend
    // stores it escaped (store/pg/sql.rs) and gives it back as it was.
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

/// A cron job or a service manager may start the tool with its standard
/// streams closed. Nothing the command opens may then become descriptor 1
/// and take its output: a PostgreSQL connection did, and `list` wrote its
/// table into the protocol. Closed streams are opened on /dev/null first.
#[test]
fn closed_standard_streams_are_never_mistaken_for_the_database() {
    use std::os::unix::process::CommandExt;
    let env = Env::new();
    env.declare("First", &[]);
    for args in [
        &[
            "declare",
            "Closed streams",
            "--severity",
            "SEV2",
            "--service",
            "api",
        ][..],
        &["update", "2", "Noted with every stream closed"],
        &["list", "--all"],
        &["show", "2"],
    ] {
        let mut cmd = env.raw(args);
        // SAFETY: close(2) only, between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                for fd in 0..3 {
                    libc::close(fd);
                }
                Ok(())
            });
        }
        let status = cmd.status().unwrap();
        assert!(status.success(), "{args:?}: {status}");
    }
    let shown = env.show("2");
    assert_eq!(shown["title"], "Closed streams");
    assert_eq!(last_event(&shown)["text"], "Noted with every stream closed");
    env.ok(&["verify"]);
    env.ok(&["update", "1", "Still writable"]);
}

#[test]
fn invalid_utf8_arguments_are_usage_errors() {
    use std::os::unix::ffi::OsStrExt;
    let env = Env::new();
    let bad = std::ffi::OsStr::from_bytes(b"Checkout \xff\xfe down");
    let out = env.cmd().arg("declare").arg(bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid UTF-8"));
    assert!(!env.created());
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

/// A backup taken while the team writes is a consistent copy: every export
/// imports into an empty database, and every imported timeline verifies.
#[test]
fn exports_taken_while_three_writers_work_each_import_and_verify() {
    const WRITERS: usize = 3;
    const EXPORTS: usize = 200;
    // Each writer writes at a steady pace, so the timelines grow during the
    // exports without growing so long that the test measures the disk.
    const EACH: usize = 120;
    const PAUSE: std::time::Duration = std::time::Duration::from_millis(25);
    let env = Env::new();
    for n in 0..WRITERS {
        env.declare(&format!("Written to by writer {n}"), &["--commander", "alice"]);
    }
    let env = Arc::new(env);
    let writing = Arc::new(AtomicBool::new(true));
    let writers: Vec<_> = (0..WRITERS)
        .map(|n| {
            let (env, writing) = (env.clone(), writing.clone());
            thread::spawn(move || {
                let key = (n + 1).to_string();
                let mut writes = 0;
                while writing.load(Ordering::Relaxed) && writes < EACH {
                    // Changes that touch the state, the roles and the
                    // timeline, each in one transaction.
                    let args: [&[&str]; 3] = [
                        &[
                            "update",
                            &key,
                            "progress",
                            "--severity",
                            if writes % 2 == 0 { "SEV1" } else { "SEV2" },
                        ],
                        &[
                            "assign-role",
                            &key,
                            "scribe",
                            if writes % 2 == 0 { "bob" } else { "carol" },
                        ],
                        &["update", &key, "a note"],
                    ];
                    let out = env.raw(args[writes % 3]).output().unwrap();
                    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                    writes += 1;
                    thread::sleep(PAUSE);
                }
                writes
            })
        })
        .collect();

    let restore = Env::new();
    let started = std::time::Instant::now();
    let mut events_seen = std::collections::BTreeSet::new();
    for n in 0..EXPORTS {
        let out = env.raw(&["export"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let file = restore.dir.path().join("backup.json");
        std::fs::write(&file, &out.stdout).unwrap();
        let mut target = restore.raw(&["import", file.to_str().unwrap()]);
        let db = restore.dir.path().join(format!("restored-{n}.db"));
        target.env("INCIDENT_DB", &db);
        let imported = target.output().unwrap();
        assert!(
            imported.status.success(),
            "export {n}: {}",
            String::from_utf8_lossy(&imported.stderr)
        );
        let mut verify = restore.raw(&["verify"]);
        verify.env("INCIDENT_DB", &db);
        let verified = verify.output().unwrap();
        assert!(
            verified.status.success(),
            "export {n} does not verify: {}",
            String::from_utf8_lossy(&verified.stdout)
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let total: usize = doc["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["events"].as_array().unwrap().len())
            .sum();
        events_seen.insert(total);
        std::fs::remove_file(&db).ok();
    }
    let took = started.elapsed();
    writing.store(false, Ordering::Relaxed);
    let writes: usize = writers.into_iter().map(|w| w.join().unwrap()).sum();
    // The exports really were taken while the timelines grew.
    assert!(writes >= WRITERS, "the writers wrote {writes} times");
    assert!(
        events_seen.len() > 1,
        "every export saw the same {events_seen:?} events in {took:?}"
    );
}
