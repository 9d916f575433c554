//! The database file: where it lives, what it refuses, and what it promises.

use crate::support::*;
sqlite_only! {
    use std::os::unix::fs::FileTypeExt;
}

sqlite_only! {
    #[test]
    fn the_default_database_lives_in_the_platform_data_directory() {
        let env = Env::new();
        env.cmd()
            .env_remove("INCIDENT_DB")
            .args(["declare", "X"])
            .assert()
            .success();
        let db = env.home().join(".local/share/incident/incidents.db");
        assert!(db.exists(), "{}", db.display());
        let listed = env
            .cmd()
            .env_remove("INCIDENT_DB")
            .args(["--json", "list"])
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&listed.stdout).contains("INC-1"));
    }
}

sqlite_only! {
    #[test]
    fn the_database_is_wal_with_a_versioned_schema() {
        let env = Env::new();
        env.declare("X", &[]);
        let conn = env.sql();
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, incident::store::sqlite::migrations::LATEST);
        let events: i64 = conn
            .query_row("SELECT count(*) FROM events WHERE incident_id = 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(events, 1);
    }
}

sqlite_only! {
    #[test]
    fn a_database_from_a_newer_version_is_refused_untouched() {
        let env = Env::new();
        env.declare("X", &[]);
        env.sql().pragma_update(None, "user_version", 99).unwrap();
        let before = env.bytes();
        for args in [vec!["list"], vec!["update", "1", "x"]] {
            let err = env.fails(1, &args);
            assert!(
                err.contains(&format!(
                    "schema version 99, newer than this incident's {}",
                    incident::store::sqlite::migrations::LATEST
                )),
                "{err}"
            );
            assert!(err.contains("upgrade incident"), "{err}");
        }
        assert_eq!(env.bytes(), before);
    }
}

sqlite_only! {
    #[test]
    fn files_that_are_not_our_database_are_refused_and_left_alone() {
        let mut env = Env::new();
        std::fs::create_dir_all(env.db.parent().unwrap()).unwrap();
        let cases: &[(&str, &[u8], &str)] = &[
            ("empty.db", b"", "is an empty file"),
            ("notes.txt", b"remember the milk\n", "not an incident database"),
            ("short.db", b"SQLite format 3\0", "not an incident database"),
        ];
        for (name, content, want) in cases {
            env.db = env.dir.path().join(name);
            std::fs::write(&env.db, content).unwrap();
            for args in [vec!["declare", "X"], vec!["list"]] {
                let err = env.fails(2, &args);
                assert!(err.contains(want), "{name} {args:?}: {err}");
            }
            assert_eq!(env.bytes(), *content, "{name} unchanged");
        }
        // A truncated database: a real header, then nothing.
        let good = Env::new();
        good.declare("X", &[]);
        good.sql()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        let whole = good.bytes();
        env.db = env.dir.path().join("truncated.db");
        std::fs::write(&env.db, &whole[..1024]).unwrap();
        let out = env.cmd().args(["list"]).output().unwrap();
        assert_ne!(out.status.code(), Some(0));
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));

        env.db = env.dir.path().to_path_buf();
        let err = env.fails(2, &["list"]);
        assert!(
            err.contains("is a directory; --db takes a database file"),
            "{err}"
        );
    }
}

#[test]
fn a_failed_command_changes_nothing() {
    let env = Env::new();
    env.declare("X", &["-s", "SEV1"]);
    let before = env.bytes();
    // Escalation is refused after its severity has been read inside the
    // transaction: nothing of it may remain.
    env.fails(2, &["escalate", "1", "--to", "x", "-s", "SEV2"]);
    assert_eq!(env.bytes(), before);
    assert_eq!(kinds(&env.show("1")), ["declared"]);
}

sqlite_only! {
    /// A FIFO, a socket or a device as the database is refused at once, for
    /// reading and writing, and left alone.
    #[test]
    fn a_fifo_socket_or_device_is_refused_at_once() {
        let mut env = Env::new();
        let fifo = env.dir.path().join("fifo.db");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let socket = env.dir.path().join("socket.db");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        let cases = [
            (fifo.clone(), "a FIFO"),
            (socket.clone(), "a socket"),
            (std::path::PathBuf::from("/dev/null"), "a device"),
        ];
        for (path, what) in cases {
            env.db = path.clone();
            for args in [&["list"][..], &["declare", "x"]] {
                let started = std::time::Instant::now();
                let err = env.fails(2, args);
                assert!(err.contains(what), "{}: {err}", path.display());
                assert!(started.elapsed() < std::time::Duration::from_secs(5));
            }
        }
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    }
}

sqlite_only! {
    /// A first creation killed midway leaves `.NAME.PID.new` files; the next
    /// run removes those whose process is gone, and keeps a live one's.
    #[test]
    fn leftovers_of_a_killed_creation_are_removed_on_the_next_run() {
        let mut env = Env::new();
        let dir = env.dir.path().join("data");
        std::fs::create_dir(&dir).unwrap();
        env.db = dir.join("x.db");
        // A process id that is no longer running, and ours, which is.
        let mut gone = std::process::Command::new("true").spawn().unwrap();
        let dead = gone.id();
        gone.wait().unwrap();
        let live = std::process::id();
        for suffix in ["", "-wal", "-shm"] {
            std::fs::write(dir.join(format!(".x.db.{dead}.new{suffix}")), "half").unwrap();
        }
        std::fs::write(dir.join(format!(".x.db.{live}.new")), "busy").unwrap();
        std::fs::write(dir.join(".other.db.1.new"), "not ours").unwrap();
        env.declare("First", &[]);
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with('.'))
            .collect();
        left.sort();
        assert_eq!(left, [".other.db.1.new".to_string(), format!(".x.db.{live}.new")]);
        // And on any later write, too.
        std::fs::write(dir.join(format!(".x.db.{dead}.new")), "half").unwrap();
        env.ok(&["update", "1", "later"]);
        assert!(!dir.join(format!(".x.db.{dead}.new")).exists());
    }
}

sqlite_only! {
    /// SIGKILL at random points of the first creation: the next run leaves no
    /// temporary file behind.
    #[test]
    fn killing_the_first_creation_leaves_nothing_behind_after_the_next_run() {
        use std::os::unix::process::ExitStatusExt;
        for round in 0..12u64 {
            let mut env = Env::new();
            let dir = env.dir.path().join("data");
            env.db = dir.join("x.db");
            let mut child = env
                .std_cmd()
                .args(["declare", "First"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(round * 3));
            let _ = child.kill();
            let status = child.wait().unwrap();
            let _ = status.signal();
            env.ok(&["declare", "Second"]);
            let temps: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .filter(|n| n.contains(".new"))
                .collect();
            assert!(temps.is_empty(), "round {round}: {temps:?}");
            assert!(env.talk(&["verify"]).contains("every timeline is intact"));
        }
    }
}
