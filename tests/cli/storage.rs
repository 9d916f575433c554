//! The database file: where it lives, what it refuses, and what it promises.

use crate::support::*;

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
