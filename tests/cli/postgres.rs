//! What only a server has: connection failures, passwords, the schema's
//! first use by several clients, a newer schema, the append-only timeline,
//! and moving a history between the SQLite file and the server.

postgres_only! {

use crate::pg::{self, PASSWORD, PASSWORD_USER};
use crate::support::*;
use std::io::Read;
use std::time::{Duration, Instant};

/// An environment whose database is `url`.
fn at_url(url: &str) -> Env {
    let mut env = Env::new();
    env.db = url.into();
    env
}

/// Runs a command whose database URL carries a password, expecting exit
/// `code`: the warning about the password, then one line of error;
/// returns the error.
fn fails_with_a_url_password(env: &Env, code: i32, args: &[&str]) -> String {
    let out = env.cmd().args(args).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(code), "incident {args:?}: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(lines[0].starts_with("warning: the database URL carries a password"), "{stderr}");
    assert!(lines[1].starts_with("error: "), "{stderr}");
    lines[1].to_string()
}

#[test]
fn a_server_that_is_down_is_named_without_its_password() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let env = at_url(&format!("postgres://ann:hunter2@127.0.0.1:{port}/incidents?sslmode=disable"));
    let err = fails_with_a_url_password(&env, 1, &["list"]);
    assert!(err.contains(&format!("postgres://ann@127.0.0.1:{port}/incidents")), "{err}");
    assert!(err.contains("connection refused"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn a_wrong_password_says_where_the_password_comes_from() {
    let s = pg::server();
    let name = s.create_database();
    let env = at_url(&s.tcp_url(PASSWORD_USER, &name));
    let mut cmd = env.cmd();
    let out = cmd.env("PGPASSWORD", "not-it").args(["list"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("password authentication failed for user guarded"), "{err}");
    assert!(err.contains("PGPASSWORD or ~/.pgpass"), "{err}");
    assert!(!err.contains("not-it"), "{err}");
}

#[test]
fn the_password_comes_from_pgpassword_or_the_password_file() {
    let s = pg::server();
    let name = s.create_database();
    s.client(&name)
        .batch_execute(&format!("GRANT ALL ON DATABASE {name} TO {PASSWORD_USER}; ALTER DATABASE {name} OWNER TO {PASSWORD_USER}"))
        .unwrap();
    let env = at_url(&s.tcp_url(PASSWORD_USER, &name));
    let out = env
        .cmd()
        .env("PGPASSWORD", PASSWORD)
        .args(["declare", "Checkout down"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The password file: owner-only, as libpq demands.
    let file = env.dir.path().join("pgpass");
    std::fs::write(&file, format!("127.0.0.1:{}:{name}:{PASSWORD_USER}:{PASSWORD}\n", s.port)).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = env.cmd().env("PGPASSFILE", &file).args(["list"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Checkout down"));
    // A password in the URL works too, and never shows: not in errors, not
    // in --json, not in what hooks get.
    let url = format!(
        "postgres://{PASSWORD_USER}:{PASSWORD}@127.0.0.1:{}/{name}?sslmode=disable",
        s.port
    );
    let env = at_url(&url);
    let shown = env.ok(&["--json", "show", "INC-1"]) + &env.ok(&["show", "INC-1"]);
    assert!(!shown.contains(PASSWORD));
    let err = fails_with_a_url_password(&env, 1, &["show", "INC-9"]);
    assert!(!err.contains(PASSWORD), "{err}");
}

#[test]
fn an_unknown_database_is_named_with_what_to_do() {
    let s = pg::server();
    let env = at_url(&s.url(pg::SUPERUSER, "no_such_db"));
    let err = env.fails(1, &["list"]);
    assert!(err.contains("database no_such_db does not exist"), "{err}");
    assert!(err.contains("createdb"), "{err}");
}

#[test]
fn tls_that_the_server_refuses_is_a_clear_error() {
    let s = pg::server();
    let name = s.create_database();
    let url = format!("postgres://postgres@127.0.0.1:{}/{name}?sslmode=require", s.port);
    let err = at_url(&url).fails(1, &["list"]);
    assert!(err.contains("does not accept TLS"), "{err}");
    // verify-full with a root file that is not a certificate.
    let env = Env::new();
    let bogus = env.dir.path().join("root.crt");
    std::fs::write(&bogus, "not a certificate").unwrap();
    let url = format!(
        "postgres://postgres@127.0.0.1:{}/{name}?sslmode=verify-full&sslrootcert={}",
        s.port,
        bogus.display()
    );
    let err = at_url(&url).fails(2, &["list"]);
    assert!(err.contains("sslrootcert"), "{err}");
}

#[test]
fn a_server_that_never_answers_times_out_instead_of_hanging() {
    // Accepts connections (the kernel does) but never says a word.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let env = at_url(&format!(
        "postgres://ann@127.0.0.1:{port}/incidents?sslmode=disable&connect_timeout=1"
    ));
    let started = Instant::now();
    let err = env.fails(1, &["check"]);
    assert!(err.contains("no answer from postgres://ann@127.0.0.1"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30));
    drop(listener);
    // The configuration sets the default; the URL still wins over it.
    let mut env = at_url(&format!("postgres://ann@127.0.0.1:{port}/incidents?sslmode=disable"));
    let _again = std::net::TcpListener::bind(("127.0.0.1", port));
    env.with_config("[database]\nconnect_timeout = \"1s\"\n");
    let err = env.fails(1, &["check"]);
    assert!(err.contains("within 1s"), "{err}");
}

#[test]
fn a_connection_dropped_mid_command_records_nothing_and_says_so() {
    let env = Env::new();
    env.declare("Checkout down", &[]);
    let s = pg::server();
    let name = env.pg.clone().unwrap();
    // Hold the incidents table, so the next command waits mid-way.
    let mut holder = s.client(&name);
    let mut tx = holder.transaction().unwrap();
    tx.batch_execute("LOCK TABLE incidents IN ACCESS EXCLUSIVE MODE").unwrap();
    let mut child = env
        .std_cmd()
        .args(["update", "INC-1", "--status", "mitigated", "rolled back"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it is blocked, then cut its connection.
    let mut admin = s.client("postgres");
    let started = Instant::now();
    loop {
        let cut = admin
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = $1 AND application_name = 'incident' AND wait_event_type = 'Lock'",
                &[&name],
            )
            .unwrap();
        if !cut.is_empty() {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the command never blocked");
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = child.wait().unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    tx.rollback().unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(&format!("/{name}")), "names the server: {err}");
    // Nothing of it was recorded.
    let shown = env.show("INC-1");
    assert_eq!(shown["status"], "investigating");
    assert_eq!(kinds(&shown), ["declared"]);
    env.ok(&["verify"]);
}

#[test]
fn concurrent_first_use_does_not_race() {
    let env = Env::new();
    let mut running: Vec<_> = (0..6)
        .map(|n| {
            env.std_cmd()
                .args(["declare", &format!("Incident {n}")])
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in running.iter_mut() {
        let status = child.wait().unwrap();
        let mut err = String::new();
        child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        assert!(status.success(), "{err}");
    }
    let keys: Vec<i64> = env
        .json(&["list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(sorted, [1, 2, 3, 4, 5, 6], "unique and gap-free");
    env.ok(&["verify"]);
}

#[test]
fn a_database_of_a_newer_schema_is_refused_untouched() {
    let env = Env::new();
    env.declare("Checkout down", &[]);
    env.psql("UPDATE incident_schema SET version = 999");
    let name = env.pg.clone().unwrap();
    let count = || -> i64 {
        pg::server()
            .client(&name)
            .query_one("SELECT count(*) FROM events", &[])
            .unwrap()
            .get(0)
    };
    let before = count();
    let err = env.fails(1, &["update", "INC-1", "more"]);
    assert!(err.contains("999"), "{err}");
    assert!(err.contains("upgrade incident"), "{err}");
    assert_eq!(count(), before);
}

#[test]
fn a_database_of_the_version_before_is_upgraded_with_the_updates_index_led_by_the_incident() {
    // A database as version 3 left it: the updates index led by the kind,
    // no time to detect in the stats cache.
    let env = Env::new();
    env.declare("Checkout down", &["--severity", "SEV1"]);
    env.ok(&["update", "INC-1", "--external", "Investigating elevated errors"]);
    env.psql(
        "DROP INDEX events_for_updates; \
         CREATE INDEX events_for_updates ON events (kind, incident_id, at, id) \
           WHERE kind IN ('severity_changed', 'status_update', 'comms'); \
         ALTER TABLE stats_settled DROP COLUMN detect_seconds; \
         DROP TABLE renumbered, deliveries, rooms, chat_seen, overrides, component_statuses, maintenances, search_docs; ALTER TABLE alerts DROP COLUMN seal; ALTER TABLE incidents DROP COLUMN likeness; \
         DROP INDEX alerts_group_latest; CREATE INDEX alerts_by_group ON alerts (source, group_key); \
         UPDATE incident_schema SET version = 3",
    );
    // Any command upgrades it, keeping what it holds.
    assert!(env.ok(&["show", "INC-1"]).contains("Investigating elevated errors"));
    let name = env.pg.clone().unwrap();
    let mut c = pg::server().client(&name);
    let version: i64 = c.query_one("SELECT version FROM incident_schema", &[]).unwrap().get(0);
    assert!(version >= 4, "{version}");
    let index: String = c
        .query_one("SELECT indexdef FROM pg_indexes WHERE indexname = 'events_for_updates'", &[])
        .unwrap()
        .get(0);
    assert!(index.contains("(incident_id, at, id)"), "{index}");
    // A group's latest alert has one index, and the old one is gone.
    let group: Vec<String> = c
        .query(
            "SELECT indexname::text FROM pg_indexes WHERE indexname IN ('alerts_by_group', 'alerts_group_latest')",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(group, ["alerts_group_latest"]);
    env.ok(&["verify"]);
}

#[test]
fn the_timeline_is_append_only_on_the_server() {
    let env = Env::new();
    env.declare("Checkout down", &[]);
    let name = env.pg.clone().unwrap();
    let mut c = pg::server().client(&name);
    let edit = c.batch_execute("UPDATE events SET text = 'nothing happened'");
    assert!(edit.is_err(), "an UPDATE of events must be refused");
    let delete = c.batch_execute("DELETE FROM events");
    assert!(delete.is_err(), "a DELETE of events must be refused");
    // Past the trigger (what only the table's owner can do), verify still
    // catches the edit.
    env.tamper("UPDATE events SET text = 'nothing happened'");
    let out = env.cmd().args(["verify"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("INC-1"));
}

#[test]
fn a_history_moves_between_the_file_and_the_server_unchanged() {
    // The file: a rich history, with alerts, exported.
    let mut file = {
        let mut env = Env::new();
        env.db = env.dir.path().join("local.db");
        env.pg = None;
        env
    };
    file.declare("Checkout down", &["--severity", "SEV1", "--service", "checkout"]);
    file.ok(&["assign-role", "INC-1", "commander", "carol"]);
    file.ok(&["update", "INC-1", "--status", "mitigated", "rolled back"]);
    file.ok(&["resolve", "INC-1", "--summary", "fixed"]);
    file.declare("Search slow", &[]);
    with_alerts(&mut file);
    let exported = file.ok(&["export"]);
    let doc: serde_json::Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(doc["incidents"][2]["alerts"].as_array().unwrap().len(), 2);
    assert_eq!(doc["alerts"].as_array().unwrap().len(), 1);
    let path = file.dir.path().join("export.json");
    std::fs::write(&path, &exported).unwrap();
    // Into the server, and out again: the same bytes (at the same clock).
    let mut team = Env::new();
    team.at(&file.now);
    team.ok(&["import", path.to_str().unwrap()]);
    team.ok(&["verify"]);
    assert_eq!(team.ok(&["export"]), exported);
    // And back into a new file: the same bytes again.
    let back = {
        let mut env = Env::new();
        env.db = env.dir.path().join("back.db");
        env.pg = None;
        env.at(&file.now);
        env
    };
    let path2 = back.dir.path().join("export.json");
    std::fs::write(&path2, team.ok(&["export"])).unwrap();
    back.ok(&["import", path2.to_str().unwrap()]);
    assert_eq!(back.ok(&["export"]), exported);
    assert_eq!(back.ok(&["--json", "alerts"]), file.ok(&["--json", "alerts"]));
}

/// Alerts from Alertmanager's webhook that open an incident, repeat and
/// resolve, and a generic one that only is recorded.
fn with_alerts(env: &mut Env) {
    env.with_config(crate::alerts::RULES);
    let alertmanager = |name: &str| crate::alerts::fixture(name);
    env.at("2026-11-23T09:00:00Z");
    env.ok(&["ingest", &alertmanager("alertmanager-firing.json")]);
    env.at("2026-11-23T09:05:00Z");
    env.ok(&["ingest", &alertmanager("alertmanager-firing.json")]);
    env.at("2026-11-23T09:30:00Z");
    env.ok(&["ingest", &alertmanager("alertmanager-resolved.json")]);
    env.cmd()
        .args(["ingest", "-"])
        .write_stdin(r#"{"key": "db1-disk", "summary": "Disk filling on db1", "severity": "info"}"#)
        .assert()
        .success();
}

#[test]
fn a_history_with_alerts_moves_from_the_server_to_a_file_and_back_unchanged() {
    // The server: incidents and alerts, exported.
    let mut team = Env::new();
    team.declare("Checkout down", &["--severity", "SEV1", "--service", "checkout"]);
    team.ok(&["resolve", "INC-1", "--summary", "fixed"]);
    with_alerts(&mut team);
    let exported = team.ok(&["export"]);
    let path = team.dir.path().join("team.json");
    std::fs::write(&path, &exported).unwrap();
    // Into a file, and out again: the same bytes; importing again changes nothing.
    let mut file = Env::new();
    file.db = file.dir.path().join("local.db");
    file.pg = None;
    file.at(&team.now);
    file.ok(&["import", path.to_str().unwrap()]);
    assert_eq!(file.ok(&["export"]), exported);
    let talk = file.talk(&["import", path.to_str().unwrap()]);
    assert!(talk.contains("alerts: 0 added, 0 updated, 3 unchanged"), "{talk}");
    assert_eq!(file.ok(&["--json", "alerts"]), team.ok(&["--json", "alerts"]));
    // Back into a new server database: the same bytes again.
    let mut again = Env::new();
    again.at(&team.now);
    let path2 = file.dir.path().join("file.json");
    std::fs::write(&path2, file.ok(&["export"])).unwrap();
    again.ok(&["import", path2.to_str().unwrap()]);
    assert_eq!(again.ok(&["export"]), exported);
    // A repeat sent to the file after the move joins the incident it opened.
    file.with_config(crate::alerts::RULES);
    file.at("2026-11-23T10:00:00Z");
    let out = file.ok(&["ingest", &crate::alerts::fixture("alertmanager-firing.json")]);
    assert!(out.starts_with("alert 1 firing (refired): updated INC-2\n"), "{out}");
    assert_eq!(file.json(&["list", "--all"]).as_array().unwrap().len(), 2);
}

#[test]
fn the_grants_docs_team_md_gives_are_enough_and_keep_the_timeline_append_only() {
    // The SQL as docs/team.md gives it, for roles of this test's own.
    let doc = include_str!("../../docs/team.md");
    let grants = doc
        .split("```sql")
        .map(|block| block.split("```").next().unwrap_or_default())
        .find(|block| block.contains("GRANT USAGE"))
        .expect("docs/team.md gives the grants");
    let s = pg::server();
    let name = s.create_database();
    let (owner, app) = (format!("{name}_owner"), format!("{name}_app"));
    let mut admin = s.client("postgres");
    admin
        .batch_execute(&format!(
            "CREATE ROLE {owner} LOGIN; CREATE ROLE {app} LOGIN; ALTER DATABASE {name} OWNER TO {owner}"
        ))
        .unwrap();
    s.client(&name)
        .batch_execute(&format!(
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC; ALTER SCHEMA public OWNER TO {owner}"
        ))
        .unwrap();
    // The owner's first command creates the schema; then the grants.
    at_url(&s.url(&owner, &name)).ok(&["list"]);
    let as_owner = |sql: &str| {
        postgres::Client::connect(&s.url(&owner, &name), postgres::NoTls)
            .unwrap()
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    as_owner(
        &grants
            .replace(" TO incident;", &format!(" TO {app};"))
            .replace("DATABASE incidents", &format!("DATABASE {name}")),
    );
    // The application role does everything a responder does.
    let team = at_url(&s.url(&app, &name));
    team.declare("Checkout down", &["--severity", "SEV1", "--service", "checkout"]);
    team.ok(&["assign-role", "INC-1", "commander", "carol"]);
    team.ok(&["update", "INC-1", "--status", "mitigated", "rolled back"]);
    team.ok(&["resolve", "INC-1", "--summary", "fixed"]);
    team.ok(&["stats", "--since", "36500d"]);
    team.ok(&["verify"]);
    // And cannot rewrite the timeline, even past the trigger.
    let mut c = postgres::Client::connect(&s.url(&app, &name), postgres::NoTls).unwrap();
    let err = c
        .batch_execute("UPDATE events SET text = 'nothing happened'")
        .unwrap_err();
    assert!(err.to_string().contains("permission denied") || format!("{err:?}").contains("42501"), "{err:?}");
    assert!(c.batch_execute("DELETE FROM events").is_err());
    assert!(c.batch_execute("UPDATE incident_schema SET version = 1").is_err());
    // A role that may only read reads everything, and a write says what
    // is missing.
    let reader = format!("{name}_reader");
    admin.batch_execute(&format!("CREATE ROLE {reader} LOGIN")).unwrap();
    as_owner(&format!(
        "GRANT USAGE ON SCHEMA public TO {reader}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader};"
    ));
    let auditor = at_url(&s.url(&reader, &name));
    assert!(auditor.ok(&["list", "--all"]).contains("Checkout down"));
    auditor.ok(&["show", "INC-1"]);
    auditor.ok(&["stats", "--since", "36500d"]);
    auditor.ok(&["verify"]);
    let err = auditor.fails(1, &["update", "INC-1", "a note"]);
    assert!(err.contains("denied permission") && err.contains("docs/team.md"), "{err}");
}

#[test]
fn a_read_the_role_may_not_make_is_named_even_amid_others_sent_together() {
    // `show` sends its reads together (one round trip); the one refused
    // comes in the middle, and the ones after it fail only because the
    // transaction is aborted: the message must be the first one's.
    let s = pg::server();
    let name = s.create_database();
    let owner = at_url(&s.url(pg::SUPERUSER, &name));
    owner.declare("Checkout down", &["--severity", "SEV1", "--service", "checkout"]);
    let reader = format!("{name}_partial");
    s.client(&name)
        .batch_execute(&format!(
            "CREATE ROLE {reader} LOGIN; GRANT USAGE ON SCHEMA public TO {reader}; \
             GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader}; REVOKE SELECT ON alerts FROM {reader}"
        ))
        .unwrap();
    let partial = at_url(&s.url(&reader, &name));
    let err = partial.fails(1, &["show", "INC-1"]);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("alerts") && !err.contains("aborted"), "{err}");
    // What it may read, it reads.
    assert!(partial.ok(&["list"]).contains("Checkout down"));
}

#[test]
fn tls_is_checked_as_sslmode_says() {
    let s = pg::tls_server();
    let name = s.create_database();
    let ca = s.ca.clone().unwrap();
    let url = |host: &str, mode: &str, root: Option<&std::path::Path>| {
        let root = root.map(|r| format!("&sslrootcert={}", r.display()));
        format!(
            "postgres://postgres@{host}:{}/{name}?sslmode={mode}{}",
            s.port,
            root.unwrap_or_default()
        )
    };
    // The server takes TLS connections only: each that works was encrypted.
    let team = at_url(&url("localhost", "verify-full", Some(&ca)));
    team.declare("Checkout down", &[]);
    assert!(team.ok(&["list"]).contains("Checkout down"));
    // require: encrypted, the certificate unchecked; verify-ca: signed by
    // the CA, whatever name it bears (127.0.0.1 is not on it).
    at_url(&url("127.0.0.1", "require", None)).ok(&["list"]);
    at_url(&url("127.0.0.1", "verify-ca", Some(&ca))).ok(&["list"]);
    // verify-full by a name the certificate does not bear, or with another
    // CA: refused, saying where to look.
    let err = at_url(&url("127.0.0.1", "verify-full", Some(&ca))).fails(1, &["list"]);
    assert!(err.contains("TLS with postgres://postgres@127.0.0.1") && err.contains("sslrootcert"), "{err}");
    let other = team.dir.path().join("other-ca.crt");
    std::fs::write(&other, pg::certificates("localhost").0).unwrap();
    let err = at_url(&url("localhost", "verify-full", Some(&other))).fails(1, &["list"]);
    assert!(err.contains("TLS with"), "{err}");
    // Without TLS this server refuses the connection.
    let err = at_url(&url("127.0.0.1", "disable", None)).fails(1, &["list"]);
    assert!(err.contains("refused user postgres"), "{err}");
}


#[test]
fn a_password_in_the_url_is_warned_of_once_and_never_shown() {
    let s = pg::server();
    let name = s.create_database();
    s.client(&name)
        .batch_execute(&format!("ALTER DATABASE {name} OWNER TO {PASSWORD_USER}"))
        .unwrap();
    let url = format!(
        "postgres://{PASSWORD_USER}:{PASSWORD}@127.0.0.1:{}/{name}?sslmode=disable",
        s.port
    );
    let env = at_url(&url);
    let out = env.cmd().args(["declare", "Checkout down"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("PGPASSWORD")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(warnings[0].starts_with("warning: ") && warnings[0].contains("ps"), "{err}");
    assert!(!err.contains(PASSWORD), "{err}");
    // The same database without the password in the URL: no warning.
    let out = at_url(&s.tcp_url(PASSWORD_USER, &name))
        .cmd()
        .env("PGPASSWORD", PASSWORD)
        .args(["list"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
}

#[test]
fn a_password_file_others_can_read_is_named_as_the_reason_it_is_ignored() {
    let s = pg::server();
    let name = s.create_database();
    let env = at_url(&s.tcp_url(PASSWORD_USER, &name));
    let file = env.dir.path().join("pgpass");
    std::fs::write(&file, format!("127.0.0.1:{}:{name}:{PASSWORD_USER}:{PASSWORD}\n", s.port)).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = env.cmd().env("PGPASSFILE", &file).args(["list"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&file.display().to_string()), "names the file: {err}");
    assert!(err.contains("group or world access") && err.contains("chmod 600"), "{err}");
    assert!(!err.contains("add a line"), "{err}");
}

}
