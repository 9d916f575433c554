//! A throwaway PostgreSQL server for the `cli-postgres` half of the suite:
//! started once per test process from the installed PostgreSQL (`initdb`,
//! `postgres`), listening on a unix socket in a folder of its own (and on
//! 127.0.0.1 for the password and TLS tests), and killed with the process.
//! Each test gets an empty database of its own. `INCIDENT_TEST_PG_URL`
//! names an existing server instead (a URL of a role that may create
//! databases). Without either, every test of the half fails, saying
//! PostgreSQL is not installed (tests/cli/tools.rs).

use crate::tools::{self, Tool};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The advisory lock every writer takes (src/store/pg).
pub const WRITER_LOCK: i64 = 7597118925727690356;

/// The superuser of the throwaway server.
pub const SUPERUSER: &str = "postgres";
/// A role that must give a password (over TCP), for the failure tests.
pub const PASSWORD_USER: &str = "guarded";
pub const PASSWORD: &str = "correct-horse-7";

pub struct Server {
    /// The CA that signed the server's certificate (a TLS server only).
    #[allow(dead_code)] // read by the server's own tests (postgres.rs) only
    pub ca: Option<PathBuf>,
    /// The socket folder (or, for a named server, its base URL).
    socket: PathBuf,
    pub port: u16,
    named: Option<String>,
    /// Running as root: the server's OS user.
    _data: PathBuf,
}

impl Server {
    /// The URL of database `name` for `user`, over the unix socket.
    pub fn url(&self, user: &str, name: &str) -> String {
        if let Some(base) = &self.named {
            let (head, _) = base.rsplit_once('/').unwrap_or((base, ""));
            return format!("{head}/{name}");
        }
        // The form `incident` itself shows (what hooks get as INCIDENT_DB).
        format!(
            "postgres://{user}@/{name}?host={}&port={}",
            self.socket.display(),
            self.port
        )
    }

    /// The URL of database `name` over TCP on 127.0.0.1.
    // Only the server's own tests (postgres.rs) connect over TCP.
    #[allow(dead_code)]
    pub fn tcp_url(&self, user: &str, name: &str) -> String {
        format!("postgres://{user}@127.0.0.1:{}/{name}?sslmode=disable", self.port)
    }

    pub fn client(&self, name: &str) -> postgres::Client {
        postgres::Client::connect(&self.url(SUPERUSER, name), postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to the test server: {e}"))
    }

    /// A new empty database, owned by the superuser.
    pub fn create_database(&self) -> String {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!("t{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
        let mut c = self.client("postgres");
        c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        name
    }
}

/// The server, started on first use.
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| start(false))
}

/// A second server that speaks only TLS over TCP (`hostssl` lines alone),
/// with a certificate for `localhost` signed by a CA made for the test run.
// Only the server's own tests (postgres.rs) use it.
#[allow(dead_code)]
pub fn tls_server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| start(true))
}

fn start(tls: bool) -> Server {
    if let Ok(url) = std::env::var("INCIDENT_TEST_PG_URL") {
        return Server {
            ca: None,
            socket: PathBuf::new(),
            port: 0,
            named: Some(url),
            _data: PathBuf::new(),
        };
    }
    let instance = Instance::create(if tls { "-tls" } else { "" }, tls);
    // It lives as long as the test process: its launcher thread, the
    // parent its death signal is tied to, waits for it.
    let (pid, _) = instance.launch();
    let server = instance.server();
    instance.wait_ready(&server, pid);
    let mut c = server.client("postgres");
    c.batch_execute(&format!(
        "CREATE ROLE {PASSWORD_USER} LOGIN CREATEDB PASSWORD '{PASSWORD}'"
    ))
    .unwrap();
    std::fs::write(instance.dir.join("pid"), std::process::id().to_string()).unwrap();
    server
}

/// A server's folder, data and command line, ready to launch (again).
struct Instance {
    bin: PathBuf,
    dir: PathBuf,
    data: PathBuf,
    port: u16,
    root: bool,
    ssl: Vec<&'static str>,
    ca: Option<PathBuf>,
    /// Killed with -9 by a test: every commit written out first.
    crashes: bool,
}

impl Instance {
    /// A new data folder (initdb) in a folder named for this process and
    /// `suffix`.
    fn create(suffix: &str, tls: bool) -> Instance {
        let initdb = tools::require(Tool::Postgresql);
        let bin = initdb.parent().unwrap().to_path_buf();
        let root = unsafe { libc::geteuid() } == 0;
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pg");
        sweep(&base);
        let dir = base.join(format!("{}{suffix}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if root {
            // Every folder down to it must be passable for that user.
            let mut p = dir.clone();
            loop {
                use std::os::unix::fs::PermissionsExt;
                if let Ok(meta) = std::fs::metadata(&p) {
                    let mode = meta.permissions().mode();
                    if mode & 0o001 == 0 {
                        let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode | 0o011));
                    }
                }
                if !p.pop() {
                    break;
                }
            }
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .unwrap();
            assert!(
                status.success(),
                "cannot hand {} to the postgres user",
                dir.display()
            );
        }
        let data = dir.join("data");
        let out = as_user(root, &initdb)
            .args(["-D"])
            .arg(&data)
            .args([
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The socket trusts; TCP asks for passwords, so the tests can get them
        // wrong.
        let hba = match tls {
            false => {
                "local all all trust\n\
                 host all postgres 127.0.0.1/32 trust\n\
                 host all all 127.0.0.1/32 scram-sha-256\n"
            }
            true => "local all all trust\nhostssl all all 127.0.0.1/32 trust\n",
        };
        std::fs::write(data.join("pg_hba.conf"), hba).unwrap();
        let mut ssl = Vec::new();
        let mut ca = None;
        if tls {
            let (ca_pem, cert_pem, key_pem) = certificates("localhost");
            let ca_file = dir.join("ca.crt");
            std::fs::write(&ca_file, ca_pem).unwrap();
            std::fs::write(data.join("server.crt"), cert_pem).unwrap();
            std::fs::write(data.join("server.key"), key_pem).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(data.join("server.key"), std::fs::Permissions::from_mode(0o600))
                .unwrap();
            if root {
                let status = Command::new("chown")
                    .args(["postgres:postgres"])
                    .arg(data.join("server.crt"))
                    .arg(data.join("server.key"))
                    .status()
                    .unwrap();
                assert!(status.success());
            }
            ssl = vec![
                "-c",
                "ssl=on",
                "-c",
                "ssl_cert_file=server.crt",
                "-c",
                "ssl_key_file=server.key",
            ];
            ca = Some(ca_file);
        }
        Instance {
            bin,
            dir,
            data,
            port: free_port(),
            root,
            ssl,
            ca,
            crashes: false,
        }
    }

    /// Starts the server; returns its process id and what says when it
    /// has exited. It dies with this test process (its parent is a thread
    /// that waits for it, so the parent-death signal fires only when the
    /// server has ended or the test process has).
    fn launch(&self) -> (u32, std::sync::mpsc::Receiver<()>) {
        let mut cmd = as_user(self.root, &self.bin.join("postgres"));
        cmd.arg("-D")
            .arg(&self.data)
            .arg("-k")
            .arg(&self.dir)
            .args(["-p", &self.port.to_string(), "-c", "listen_addresses=127.0.0.1"])
            .args(["-c", "fsync=off", "-c", "full_page_writes=off"])
            // A commit answered is kept through a crash (kill -9) only when
            // the server writes it out before answering.
            .args([
                "-c",
                if self.crashes {
                    "synchronous_commit=on"
                } else {
                    "synchronous_commit=off"
                },
            ])
            .args(["-c", "max_connections=300", "-c", "shared_buffers=32MB"])
            .args(&self.ssl)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(self.dir.join("server.log"))
                    .unwrap(),
            );
        let (send, receive) = std::sync::mpsc::channel();
        let (exited_tx, exited) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::os::unix::process::CommandExt;
            // SAFETY: prctl in the child before exec; no allocation.
            unsafe {
                cmd.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                    Ok(())
                });
            }
            match cmd.spawn() {
                Ok(mut child) => {
                    let _ = send.send(Ok(child.id()));
                    let _ = child.wait();
                    let _ = exited_tx.send(());
                }
                Err(e) => {
                    let _ = send.send(Err(e.to_string()));
                }
            }
        });
        let pid = receive
            .recv()
            .unwrap()
            .unwrap_or_else(|e| panic!("cannot start postgres: {e}"));
        (pid, exited)
    }

    fn server(&self) -> Server {
        Server {
            ca: self.ca.clone(),
            socket: self.dir.clone(),
            port: self.port,
            named: None,
            _data: self.data.clone(),
        }
    }

    /// Waits until the server takes connections.
    fn wait_ready(&self, server: &Server, pid: u32) {
        let started = Instant::now();
        while postgres::Client::connect(&server.url(SUPERUSER, "postgres"), postgres::NoTls).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the test PostgreSQL server (pid {pid}) did not start; see {}",
                self.dir.join("server.log").display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The server refuses to run as root: as root, it runs as `postgres`.
fn as_user(root: bool, cmd: &Path) -> Command {
    if root {
        let mut c = Command::new("setpriv");
        // The parent-death signal is set again after the user changes
        // (a change of user clears it).
        c.args([
            "--reuid=postgres",
            "--regid=postgres",
            "--init-groups",
            "--pdeathsig",
            "KILL",
        ])
        .arg(cmd);
        c
    } else {
        Command::new(cmd)
    }
}

/// A server of one test's own, which the test may restart, kill or stop
/// (the shared one must stay up for every other test). Killed when
/// dropped.
// Only the outage tests (postgres_outages.rs) use it.
#[allow(dead_code)]
pub struct Own {
    instance: Instance,
    pub server: Server,
    running: Option<(u32, std::sync::mpsc::Receiver<()>)>,
}

#[allow(dead_code)]
impl Own {
    pub fn start() -> Own {
        static N: AtomicUsize = AtomicUsize::new(0);
        let mut instance = Instance::create(&format!("-own{}", N.fetch_add(1, Ordering::SeqCst)), false);
        instance.crashes = true;
        let server = instance.server();
        let mut own = Own {
            instance,
            server,
            running: None,
        };
        own.up();
        own
    }

    /// Starts it again (after [`Own::down`]), on the same port and data.
    pub fn up(&mut self) {
        assert!(self.running.is_none(), "the server is running already");
        let started = Instant::now();
        loop {
            let (pid, exited) = self.instance.launch();
            // After a kill -9 the old server's backends may hold its shared
            // memory a moment longer: the new one exits at once; again.
            let ready = Instant::now();
            loop {
                if exited.try_recv().is_ok() {
                    break;
                }
                if postgres::Client::connect(&self.server.url(SUPERUSER, "postgres"), postgres::NoTls).is_ok()
                {
                    self.running = Some((pid, exited));
                    return;
                }
                assert!(
                    ready.elapsed() < Duration::from_secs(60),
                    "postgres did not start"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "postgres did not start again; see {}",
                self.instance.dir.join("server.log").display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops it with `signal` (SIGINT: a fast shutdown, as `pg_ctl stop
    /// -m fast`; SIGKILL: a crash) and waits until the server process has
    /// exited.
    pub fn down(&mut self, signal: i32) {
        let (pid, exited) = self.running.take().expect("the server is not running");
        // SAFETY: kill(2) on the server this test started.
        unsafe { libc::kill(pid as i32, signal) };
        exited
            .recv_timeout(Duration::from_secs(60))
            .expect("postgres did not stop");
    }

    /// `pg_ctl restart -m fast`.
    pub fn restart(&mut self) {
        self.down(libc::SIGINT);
        self.up();
    }

    /// `kill -9` and start.
    pub fn crash_and_start(&mut self) {
        self.down(libc::SIGKILL);
        self.up();
    }

    /// Sends `signal` to the server and every process it started (its
    /// backends, its background workers).
    pub fn signal_all(&self, signal: i32) {
        let pid = self.running.as_ref().expect("the server is not running").0 as i32;
        let mut pids = vec![pid];
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(child) = entry.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            // `PID (NAME) STATE PPID …`; the name may hold spaces.
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<i32>().ok());
            if ppid == Some(pid) {
                pids.push(child);
            }
        }
        for p in pids {
            // SAFETY: kill(2) on the server this test started, and its children.
            unsafe { libc::kill(p, signal) };
        }
    }
}

impl Drop for Own {
    fn drop(&mut self) {
        if self.running.is_some() {
            // Backends a test stopped would outlive a killed server.
            self.signal_all(libc::SIGCONT);
            self.signal_all(libc::SIGKILL);
        }
        if let Some((pid, exited)) = self.running.take() {
            // SAFETY: kill(2) on the server this test started.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            let _ = exited.recv_timeout(Duration::from_secs(10));
        }
        let _ = std::fs::remove_dir_all(&self.instance.dir);
    }
}

/// Removes the folders of earlier test processes that are gone.
fn sweep(base: &Path) {
    for entry in std::fs::read_dir(base).into_iter().flatten().flatten() {
        // `PID`, `PID-tls`, `PID-own0`, …
        let name = entry.file_name().to_string_lossy().into_owned();
        let digits = name.split('-').next().unwrap_or_default();
        let Ok(pid) = digits.parse::<i32>() else {
            continue;
        };
        // SAFETY: signal 0 only checks that the process exists.
        if unsafe { libc::kill(pid, 0) } != 0 {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A CA (PEM), and a certificate for `host` it signed with its key (PEM).
pub fn certificates(host: &str) -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec![host.to_string()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    (ca.pem(), cert.pem(), key.serialize_pem())
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}
