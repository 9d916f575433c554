//! The hermetic environment every CLI test runs in: a temp home and
//! database, a cleared environment, UTC, and a clock fixed by INCIDENT_NOW.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub const T0: &str = "2026-11-23T08:00:00Z";

pub struct Env {
    pub dir: TempDir,
    /// The database as `INCIDENT_DB` names it: a file, or in the
    /// PostgreSQL half a `postgres://` URL.
    pub db: PathBuf,
    pub now: String,
    pub user: String,
    pub config: Option<PathBuf>,
    /// The PostgreSQL half: the test's own database on the test server.
    pub pg: Option<String>,
}

/// Whether this is the `cli-postgres` test binary, which runs the suite
/// against PostgreSQL.
pub fn postgres_half() -> bool {
    env!("CARGO_CRATE_NAME") == "cli_postgres"
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let mut db = dir.path().join("data").join("incidents.db");
        let mut pg = None;
        if postgres_half() {
            // Without PostgreSQL, the test fails here, saying it was
            // skipped and why (tests/cli/tools.rs).
            let server = crate::pg::server();
            let name = server.create_database();
            db = PathBuf::from(server.url(crate::pg::SUPERUSER, &name));
            pg = Some(name);
        }
        Env {
            dir,
            db,
            now: T0.into(),
            user: "alice".into(),
            config: None,
            pg,
        }
    }

    /// Runs SQL behind the tool's back, as a person with the sqlite3 shell
    /// or psql (as the superuser, past the append-only trigger) would.
    pub fn tamper(&self, sql: &str) {
        match self.on_postgres() {
            true => self.psql(&format!("SET session_replication_role = replica; {sql}")),
            false => self.sql().execute_batch(sql).unwrap(),
        }
    }

    /// Whether `db` names the test's PostgreSQL database (a test may point
    /// an environment at a file of its own).
    pub fn on_postgres(&self) -> bool {
        self.db.to_str().is_some_and(|d| d.starts_with("postgres://"))
    }

    fn pg_client(&self) -> postgres::Client {
        crate::pg::server().client(self.pg.as_deref().unwrap())
    }

    /// One number from a query, on either backend.
    pub fn number(&self, sql: &str) -> i64 {
        match self.on_postgres() {
            true => self.pg_client().query_one(sql, &[]).unwrap().get(0),
            false => self.sql().query_row(sql, [], |r| r.get(0)).unwrap(),
        }
    }

    /// Rows of two numbers (the second may be NULL), on either backend.
    pub fn pairs(&self, sql: &str) -> Vec<(i64, Option<i64>)> {
        match self.on_postgres() {
            true => self
                .pg_client()
                .query(sql, &[])
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect(),
            false => {
                let conn = self.sql();
                let mut st = conn.prepare(sql).unwrap();
                st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap()
            }
        }
    }

    /// Rows of text columns (NULL as `None`), on either backend: cast what
    /// is not text in the query.
    pub fn strings(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        match self.on_postgres() {
            true => self
                .pg_client()
                .query(sql, &[])
                .unwrap()
                .iter()
                .map(|r| (0..r.len()).map(|i| r.get(i)).collect())
                .collect(),
            false => {
                let conn = self.sql();
                let mut st = conn.prepare(sql).unwrap();
                let n = st.column_count();
                st.query_map([], |r| (0..n).map(|i| r.get(i)).collect::<Result<Vec<_>, _>>())
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap()
            }
        }
    }

    /// Whether the database exists: the file, or the schema on the server.
    pub fn created(&self) -> bool {
        match self.on_postgres() {
            true => self.number("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") > 0,
            false => self.db.exists(),
        }
    }

    /// Holds the write lock the way another writer would, until dropped.
    pub fn hold_writes(&self) -> Box<dyn std::any::Any> {
        match self.on_postgres() {
            true => {
                let mut c = self.pg_client();
                c.batch_execute(&format!("SELECT pg_advisory_lock({})", crate::pg::WRITER_LOCK))
                    .unwrap();
                Box::new(Held(c))
            }
            false => {
                let c = self.sql();
                c.execute_batch("BEGIN IMMEDIATE").unwrap();
                Box::new(c)
            }
        }
    }

    /// Runs SQL on the test's PostgreSQL database behind the tool's back,
    /// as a person with psql would.
    pub fn psql(&self, sql: &str) {
        let name = self.pg.as_deref().expect("psql is for the PostgreSQL half");
        crate::pg::server()
            .client(name)
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Moves the fixed clock.
    pub fn at(&mut self, now: &str) -> &mut Self {
        self.now = now.into();
        self
    }

    pub fn with_config(&mut self, toml: &str) -> &mut Self {
        let path = self.dir.path().join("config.toml");
        std::fs::write(&path, toml).unwrap();
        self.config = Some(path);
        self
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The binary with nothing from the developer's environment, as a plain
    /// std `Command`: for spawning many at once, signalling, or a pty.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("incident"));
        cmd.env_clear()
            .env("HOME", self.home())
            .env("TZ", "UTC")
            .env("INCIDENT_DB", &self.db)
            .env("INCIDENT_NOW", &self.now)
            .env("INCIDENT_USER", &self.user);
        if let Some(config) = &self.config {
            cmd.env("INCIDENT_CONFIG", config);
        }
        cmd
    }

    /// Runs on a real terminal `columns` wide (a pseudo-terminal sized with
    /// `stty`), as a person sees it: returns what was shown (CRLF folded to
    /// LF) and how long it took.
    pub fn on_terminal(&self, columns: u16, args: &[&str]) -> (String, std::time::Duration) {
        let incident = self.std_cmd();
        let mut cmd = std::process::Command::new("sh");
        cmd.env_clear()
            .envs(incident.get_envs().filter_map(|(k, v)| Some((k, v?))))
            .env("PATH", "/usr/bin:/bin")
            .env("TERM", "dumb")
            .env("NO_COLOR", "1")
            .arg("-c")
            .arg(format!("stty cols {columns} rows 50 && exec \"$0\" \"$@\""))
            .arg(incident.get_program())
            .args(args);
        let started = std::time::Instant::now();
        let mut p = rexpect::session::spawn_command(cmd, Some(120_000)).unwrap();
        let out = p.exp_eof().unwrap();
        let took = started.elapsed();
        // rexpect hands back each byte as a char; decode them as UTF-8.
        let out = match out.chars().all(|c| (c as u32) < 256) {
            true => String::from_utf8_lossy(&out.chars().map(|c| c as u8).collect::<Vec<u8>>()).into_owned(),
            false => out,
        };
        (out.replace("\r\n", "\n"), took)
    }

    /// The same, with assert_cmd's conveniences.
    pub fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "incident {args:?} failed with {:?}\nstdout: {}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects success; returns stderr (the talk).
    pub fn talk(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "incident {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    /// Runs and expects exit `code` with a one-line error; returns stderr.
    pub fn fails(&self, code: i32, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "incident {args:?}\nstdout: {}\nstderr: {stderr}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            out.stdout.is_empty(),
            "errors print nothing on stdout: {:?}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(stderr.starts_with("error: "), "stderr: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        stderr
    }

    /// Runs and records all a script sees, for snapshots of error cases: the
    /// command, its exit code, stdout and stderr.
    pub fn outcome(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        let code = out
            .status
            .code()
            .map_or("none (killed by a signal)".into(), |c| c.to_string());
        format!(
            "$ incident {args:?}\nexit code: {code}\nstdout:\n{}stderr:\n{}\n",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }

    /// Runs with --json and parses stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let stdout = self.ok(&all);
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    }

    /// The incident as `show --json` prints it.
    pub fn show(&self, key: &str) -> Value {
        self.json(&["show", key])
    }

    /// Adds `incidents` incidents with `events` events in all, the newest
    /// `open` of them open and the rest closed, as the benchmarks do.
    pub fn seed(&self, incidents: usize, events: usize, open: usize) {
        if let Some(dir) = self.db.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        let seed = crate::seed::Seed {
            incidents,
            events,
            open,
            resolved: 0,
        };
        crate::seed::seed(&self.db, self.now.parse().unwrap(), &seed).unwrap();
    }

    /// Declares a plain incident and returns its key.
    pub fn declare(&self, title: &str, extra: &[&str]) -> String {
        let mut args = vec!["declare", title];
        args.extend_from_slice(extra);
        self.ok(&args).trim().to_string()
    }

    pub fn sql(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.db).unwrap()
    }

    /// Everything the database holds, to compare before and after: the
    /// file's bytes, or every row of every table on the server.
    pub fn bytes(&self) -> Vec<u8> {
        if !self.on_postgres() {
            return read_all(&self.db);
        }
        let mut c = self.pg_client();
        let tables: Vec<String> = c
            .query(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut all = Vec::new();
        for t in tables {
            all.extend(t.as_bytes());
            for row in c
                .query(&format!("SELECT t::text FROM {t} t ORDER BY 1"), &[])
                .unwrap()
            {
                all.extend(row.get::<_, String>(0).as_bytes());
                all.push(b'\n');
            }
        }
        all
    }
}

pub fn read_all(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

/// The kinds of an incident's timeline, oldest first.
pub fn kinds(incident: &Value) -> Vec<String> {
    incident["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

pub fn last_event(incident: &Value) -> &Value {
    incident["timeline"].as_array().unwrap().last().unwrap()
}

/// The writers' lock held on a connection of the test's own: let go with an
/// answer when dropped, so the next command finds it free (a closed
/// connection's locks go only when its server process has ended, which a
/// busy machine may take a while to do).
struct Held(postgres::Client);

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self
            .0
            .batch_execute(&format!("SELECT pg_advisory_unlock({})", crate::pg::WRITER_LOCK));
    }
}
