//! Reaching a PostgreSQL server the way libpq users expect: a
//! `postgres://` URL, `PGPASSWORD` and `~/.pgpass` for the password, a
//! unix-socket host, `sslmode` (with `verify-ca`/`verify-full` checked by
//! rustls against `sslrootcert` or the system roots) and a connect timeout.
//! A password never leaves this module: the [`Target`] displays without it,
//! and every error names the server by that display.

use super::client::{self, Client, Failed};
use crate::error::usage;
use crate::store::Lost;
use anyhow::{Result, anyhow};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::Config;
use tokio_postgres::config::{Host, SslMode};

/// How long connecting may take when nothing says otherwise: a cron job
/// must never hang on a server that does not answer.
use crate::store::DEFAULT_CONNECT_TIMEOUT;

/// What `sslmode` asks for, as libpq defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    Disable,
    /// TLS when the server offers it, without checking its certificate.
    Prefer,
    /// TLS, without checking the certificate (unless `sslrootcert` is
    /// given, which makes it `VerifyCa`, as in libpq).
    Require,
    /// TLS with a certificate signed by a trusted root.
    VerifyCa,
    /// `VerifyCa`, and the certificate names the host.
    VerifyFull,
}

impl Tls {
    fn parse(text: &str) -> Result<Tls> {
        Ok(match text {
            "disable" => Tls::Disable,
            // libpq's `allow` tries without TLS first; trying with it first
            // only ever adds protection.
            "allow" | "prefer" => Tls::Prefer,
            "require" => Tls::Require,
            "verify-ca" => Tls::VerifyCa,
            "verify-full" => Tls::VerifyFull,
            other => {
                return Err(usage(format!(
                    "sslmode={other} is not a PostgreSQL sslmode; use disable, prefer, require, verify-ca or verify-full"
                )));
            }
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Tls::Disable => "disable",
            Tls::Prefer => "prefer",
            Tls::Require => "require",
            Tls::VerifyCa => "verify-ca",
            Tls::VerifyFull => "verify-full",
        }
    }
}

/// A PostgreSQL database to connect to, parsed from its URL.
#[derive(Clone)]
pub struct Target {
    config: Config,
    /// The password written in the URL, if any (kept out of `config` so
    /// that nothing can print it by accident).
    url_password: Option<String>,
    tls: Tls,
    root_cert: Option<PathBuf>,
    timeout_given: bool,
    /// How long one round trip of a read may take, and of a write.
    pub read_timeout: Duration,
    pub write_timeout: Duration,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Target({self})")
    }
}

/// Whether `text` names a PostgreSQL database rather than a file.
pub fn is_url(text: &str) -> bool {
    let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

impl Target {
    /// Parses a `postgres://` or `postgresql://` URL, with libpq's
    /// environment defaults (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`,
    /// `PGSSLMODE`, `PGSSLROOTCERT`, `PGCONNECT_TIMEOUT`).
    pub fn parse(url: &str) -> Result<Target> {
        let bad = |why: &str| {
            usage(format!(
                "{} is not a usable PostgreSQL URL: {why}; write it as postgres://USER@HOST:PORT/DATABASE?sslmode=…",
                redact(url)
            ))
        };
        let (base, query) = match url.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (url, None),
        };
        // sslmode and sslrootcert are ours (the driver knows only three
        // modes and no root file); the rest is the driver's to parse.
        let mut passed = Vec::new();
        let mut tls = std::env::var("PGSSLMODE").ok().filter(|s| !s.is_empty());
        let mut root_cert = std::env::var_os("PGSSLROOTCERT")
            .filter(|s| !s.is_empty())
            .map(PathBuf::from);
        let mut timeout_given = false;
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            match name {
                "sslmode" => tls = Some(decode(value)),
                "sslrootcert" => root_cert = Some(PathBuf::from(decode(value))),
                "connect_timeout" => {
                    timeout_given = true;
                    passed.push(pair);
                }
                "password" => return Err(bad("put the password in PGPASSWORD or ~/.pgpass, not in the URL")),
                _ => passed.push(pair),
            }
        }
        let rebuilt = if passed.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", passed.join("&"))
        };
        let mut config: Config = rebuilt
            .parse()
            .map_err(|e: tokio_postgres::Error| bad(&e.to_string()))?;
        let url_password = config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned());
        // Rebuilt without the password: the config is what errors and
        // debugging may show.
        let mut clean = Config::new();
        copy_without_password(&config, &mut clean);
        config = clean;
        if config.get_hosts().is_empty() {
            match std::env::var("PGHOST").ok().filter(|h| !h.is_empty()) {
                Some(host) => {
                    config.host(&host);
                }
                None => {
                    let socket_dir = Path::new("/var/run/postgresql");
                    if socket_dir.is_dir() {
                        config.host_path(socket_dir);
                    } else {
                        config.host("localhost");
                    }
                }
            }
        }
        if config.get_ports().is_empty()
            && let Some(port) = std::env::var("PGPORT").ok().and_then(|p| p.parse().ok())
        {
            config.port(port);
        }
        if config.get_user().is_none() {
            let user = ["PGUSER", "USER", "LOGNAME"]
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
                .ok_or_else(|| bad("it names no user"))?;
            config.user(&user);
        }
        if config.get_dbname().is_none() {
            let name = std::env::var("PGDATABASE")
                .ok()
                .filter(|d| !d.is_empty())
                .or_else(|| config.get_user().map(str::to_string))
                .unwrap_or_default();
            config.dbname(&name);
        }
        if !timeout_given
            && let Some(secs) = std::env::var("PGCONNECT_TIMEOUT")
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .filter(|s| *s > 0)
        {
            config.connect_timeout(Duration::from_secs(secs));
            timeout_given = true;
        }
        let mut tls = match tls {
            Some(mode) => Tls::parse(&mode)?,
            None => Tls::Prefer,
        };
        if tls == Tls::Require && root_cert.is_some() {
            tls = Tls::VerifyCa;
        }
        if config.get_hosts().iter().all(|h| matches!(h, Host::Unix(_))) && tls == Tls::Prefer {
            // A unix socket is local: libpq never tries TLS on one either.
            tls = Tls::Disable;
        }
        config.ssl_mode(match tls {
            Tls::Disable => SslMode::Disable,
            Tls::Prefer => SslMode::Prefer,
            _ => SslMode::Require,
        });
        config.application_name("incident");
        Ok(Target {
            config,
            url_password,
            tls,
            root_cert,
            timeout_given,
            read_timeout: crate::store::DEFAULT_READ_TIMEOUT,
            write_timeout: crate::store::DEFAULT_WRITE_TIMEOUT,
        })
    }

    /// Sets the connect timeout unless the URL or `PGCONNECT_TIMEOUT` set
    /// one.
    pub fn default_timeout(&mut self, timeout: Duration) {
        if !self.timeout_given {
            self.config.connect_timeout(timeout);
        }
    }

    fn timeout(&self) -> Duration {
        self.config
            .get_connect_timeout()
            .copied()
            .unwrap_or(DEFAULT_CONNECT_TIMEOUT)
    }

    /// Whether the URL itself carried a password.
    pub fn has_url_password(&self) -> bool {
        self.url_password.is_some()
    }

    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or_default()
    }

    pub fn dbname(&self) -> &str {
        self.config.get_dbname().unwrap_or_default()
    }

    fn host_text(&self) -> String {
        self.config
            .get_hosts()
            .iter()
            .map(|h| match h {
                Host::Tcp(name) => name.clone(),
                Host::Unix(path) => path.display().to_string(),
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The password to send: the URL's, `PGPASSWORD`, then the password
    /// file's matching line.
    fn password(&self) -> Option<String> {
        if let Some(p) = &self.url_password {
            return Some(p.clone());
        }
        if let Ok(p) = std::env::var("PGPASSWORD") {
            return Some(p);
        }
        let file = password_file()?;
        let text = read_private(&file)?;
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(name)) => name.clone(),
            // libpq matches a socket against `localhost`.
            Some(Host::Unix(_)) | None => "localhost".to_string(),
        };
        let port = self
            .config
            .get_ports()
            .first()
            .copied()
            .unwrap_or(5432)
            .to_string();
        pgpass_lookup(&text, &host, &port, self.dbname(), self.user())
    }

    /// Connects, in a timeout, with the TLS that `sslmode` asks for.
    pub fn connect(&self) -> Result<Client> {
        let mut config = self.config.clone();
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
        }
        // A dropped network must not hang a command either: keepalives
        // find a dead peer of an idle connection (`--follow`'s LISTEN)
        // within about half a minute, the user timeout data that is never
        // acknowledged; a peer that acknowledges and never answers (a
        // frozen server) is what each call's deadline is for.
        config.keepalives(true);
        config.keepalives_idle(Duration::from_secs(15));
        config.keepalives_interval(Duration::from_secs(5));
        config.keepalives_retries(3);
        config.tcp_user_timeout(self.timeout().max(Duration::from_secs(10)));
        if let Some(p) = self.password() {
            config.password(p);
        }
        let tls = match self.tls {
            Tls::Disable => None,
            mode => Some(tokio_postgres_rustls::MakeRustlsConnect::new(
                self.tls_config(mode)?,
            )),
        };
        // The driver's timeout covers reaching the server, not a server
        // that takes the connection and then says nothing (a hung
        // postmaster, a black-holing proxy): the whole handshake gets it.
        let connected = match tls {
            None => Client::connect(&config, tokio_postgres::NoTls, self.timeout()),
            Some(tls) => Client::connect(&config, tls, self.timeout()),
        };
        let mut client = connected.map_err(|failed| match failed {
            Failed::Driver(e) => self.explain(&e.into()),
            Failed::TimedOut => self.no_answer(),
            Failed::Runtime(e) => anyhow!("cannot connect to {self}: {e}"),
        })?;
        client.set_deadline(self.read_timeout);
        Ok(client)
    }

    fn no_answer(&self) -> anyhow::Error {
        anyhow!(
            "no answer from {self} within {}s; check that the server is up and reachable, or raise connect_timeout",
            self.timeout().as_secs()
        )
    }

    fn tls_config(&self, mode: Tls) -> Result<rustls::ClientConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| anyhow!("cannot set up TLS: {e}"))?;
        if matches!(mode, Tls::Prefer | Tls::Require) {
            return Ok(builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verify::Anything(provider)))
                .with_no_client_auth());
        }
        let roots = self.roots()?;
        let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| anyhow!("cannot set up TLS for {self}: {e}"))?;
        let verifier: Arc<dyn rustls::client::danger::ServerCertVerifier> = if mode == Tls::VerifyCa {
            Arc::new(verify::SignedOnly(webpki))
        } else {
            webpki
        };
        Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth())
    }

    /// The trusted roots: `sslrootcert` (a PEM file, or `system`), else
    /// `~/.postgresql/root.crt` when present, else the system's.
    fn roots(&self) -> Result<rustls::RootCertStore> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let mut store = rustls::RootCertStore::empty();
        let file = self.root_cert.clone().or_else(|| {
            let home = std::env::var_os("HOME")?;
            let default = Path::new(&home).join(".postgresql/root.crt");
            default.exists().then_some(default)
        });
        match file {
            Some(path) if path.as_os_str() != "system" => {
                let certs = CertificateDer::pem_file_iter(&path)
                    .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                    .map_err(|e| {
                        usage(format!(
                            "cannot read sslrootcert {}: {e}; give a PEM file of the CA that signed the server's certificate",
                            path.display()
                        ))
                    })?;
                let (added, _) = store.add_parsable_certificates(certs);
                if added == 0 {
                    return Err(usage(format!(
                        "sslrootcert {} holds no usable certificate; give the CA's certificate in PEM form",
                        path.display()
                    )));
                }
            }
            _ => {
                let found = rustls_native_certs::load_native_certs();
                store.add_parsable_certificates(found.certs);
                if store.is_empty() {
                    return Err(usage(format!(
                        "no trusted root certificates on this system to check {self}; set sslrootcert=PATH to the server's CA"
                    )));
                }
            }
        }
        Ok(store)
    }

    /// One line naming the server (never the password) and what to check;
    /// a connection that is gone is a [`Lost`].
    pub fn explain(&self, e: &client::Error) -> anyhow::Error {
        let what = explain(self, e);
        match e.is_lost() {
            true => anyhow::Error::new(Lost {
                message: what.to_string(),
                in_doubt: false,
                timed_out: matches!(e, client::Error::TimedOut(_)),
            }),
            false => what,
        }
    }
}

impl fmt::Display for Target {
    /// `postgres://user@host:port/db?sslmode=…`, with no password; a
    /// socket folder goes in the query (`?host=/run/postgresql&port=5433`),
    /// where it stays readable. `sslmode` shows when it is not the default.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ports = self
            .config
            .get_ports()
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let hosts = self.host_text();
        let socket = hosts.starts_with('/');
        let mut query = Vec::new();
        if socket {
            write!(f, "postgres://{}@/{}", self.user(), self.dbname())?;
            query.push(format!("host={hosts}"));
            if !ports.is_empty() && ports != "5432" {
                query.push(format!("port={ports}"));
            }
        } else {
            let port = match ports.as_str() {
                "" | "5432" => String::new(),
                p => format!(":{p}"),
            };
            write!(f, "postgres://{}@{hosts}{port}/{}", self.user(), self.dbname())?;
        }
        let default = if socket { Tls::Disable } else { Tls::Prefer };
        if self.tls != default {
            query.push(format!("sslmode={}", self.tls.as_str()));
        }
        if !query.is_empty() {
            write!(f, "?{}", query.join("&"))?;
        }
        Ok(())
    }
}

fn copy_without_password(from: &Config, to: &mut Config) {
    if let Some(u) = from.get_user() {
        to.user(u);
    }
    if let Some(d) = from.get_dbname() {
        to.dbname(d);
    }
    if let Some(o) = from.get_options() {
        to.options(o);
    }
    for h in from.get_hosts() {
        match h {
            Host::Tcp(name) => to.host(name),
            Host::Unix(path) => to.host_path(path),
        };
    }
    for a in from.get_hostaddrs() {
        to.hostaddr(*a);
    }
    for p in from.get_ports() {
        to.port(*p);
    }
    if let Some(t) = from.get_connect_timeout() {
        to.connect_timeout(*t);
    }
    to.target_session_attrs(from.get_target_session_attrs());
    to.channel_binding(from.get_channel_binding());
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The URL with any password replaced, for errors about the URL itself.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| {
                    if pair.starts_with("password=") {
                        "password=***".to_string()
                    } else {
                        pair.to_string()
                    }
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// The password file: `PGPASSFILE`, else `~/.pgpass`.
fn password_file() -> Option<PathBuf> {
    std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pgpass")))
}

/// The password file and its mode, when it is ignored because others may
/// read it (group or world access), as libpq ignores it.
fn password_file_ignored() -> Option<(PathBuf, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let file = password_file()?;
    let meta = std::fs::metadata(&file).ok()?;
    let mode = meta.permissions().mode() & 0o777;
    (meta.is_file() && mode & 0o077 != 0).then_some((file, mode))
}

/// The password file's text, when only its owner can read it (libpq
/// ignores a file others can read, and so do we).
fn read_private(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.permissions().mode() & 0o077 != 0 {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// The password of the first line of a `.pgpass` text that matches:
/// `hostname:port:database:username:password`, `*` matching anything,
/// `\:` and `\\` escaping, `#` starting a comment line.
pub fn pgpass_lookup(text: &str, host: &str, port: &str, dbname: &str, user: &str) -> Option<String> {
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = Vec::with_capacity(5);
        let mut field = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => field.extend(chars.next()),
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut field)),
                c => field.push(c),
            }
        }
        fields.push(field);
        if fields.len() != 5 {
            continue;
        }
        let matches = |pattern: &str, value: &str| pattern == "*" || pattern == value;
        if matches(&fields[0], host)
            && matches(&fields[1], port)
            && matches(&fields[2], dbname)
            && matches(&fields[3], user)
        {
            return Some(fields.pop().unwrap_or_default());
        }
    }
    None
}

fn explain(target: &Target, e: &client::Error) -> anyhow::Error {
    let server = target.to_string();
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        let what = match code {
            "28P01" => format!(
                "password authentication failed for user {} on {server}; check PGPASSWORD or ~/.pgpass",
                target.user()
            ),
            "28000" => format!(
                "{server} refused user {}: {}; check the user name and the server's pg_hba.conf",
                target.user(),
                db.message()
            ),
            "3D000" => format!(
                "database {} does not exist on {server}; create it (createdb {}) or fix the URL",
                target.dbname(),
                target.dbname()
            ),
            "42501" => format!(
                "{server} denied permission: {}; grant the role what docs/team.md lists",
                db.message()
            ),
            "53300" => format!("{server} has too many connections now; try again in a moment"),
            // The one text SQLite keeps and PostgreSQL cannot.
            "22021" if db.message().contains("0x00") => format!(
                "{server} cannot store the NUL character (\\0) that the text holds; remove it and try again (nothing was recorded)"
            ),
            "57P01" | "57P02" | "57P03" => {
                format!("{server} is shutting down or starting up; try again in a moment")
            }
            "40001" | "40P01" => {
                format!("{server} aborted the change because of a concurrent one; try again")
            }
            "57014" => format!("{server} canceled the command: {}", db.message()),
            _ => format!("{server}: {} (SQLSTATE {code})", db.message()),
        };
        return anyhow!(what);
    }
    if let client::Error::TimedOut(after) = e {
        return anyhow!(
            "no answer from {server} within {}; the server or the network stalled, and the connection \
             was given up (nothing of this command was recorded unless it said so); check the server, \
             or raise [database] read_timeout or write_timeout if it is only slow",
            seconds(*after)
        );
    }
    // The driver's own errors carry their kind only in their text.
    let text = e.to_string();
    let source = std::error::Error::source(e)
        .map(|s| s.to_string())
        .unwrap_or_default();
    let lower = format!("{text}: {source}").to_ascii_lowercase();
    if lower.contains("timed out") || lower.contains("timeout") {
        return target.no_answer();
    }
    let what = if lower.contains("refused") {
        format!("cannot connect to {server}: connection refused; is PostgreSQL running and listening there?")
    } else if lower.contains("no such file") {
        format!(
            "cannot connect to {server}: no server socket there; is PostgreSQL running, and is the host right?"
        )
    } else if lower.contains("does not support tls") || lower.contains("does not support ssl") {
        format!("{server} does not accept TLS; use sslmode=disable or prefer only on a trusted network")
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        format!(
            "TLS with {server} failed: {}; check sslmode and sslrootcert",
            if source.is_empty() {
                text.clone()
            } else {
                source.clone()
            }
        )
    } else if lower.contains("password") {
        match password_file_ignored() {
            // libpq: "has group or world access; permissions should be
            // u=rw (0600) or less".
            Some((file, mode)) => format!(
                "{server} asks for a password for user {}; the password file {} is ignored because \
                 it has group or world access (mode {mode:04o}): chmod 600 {}",
                target.user(),
                file.display(),
                file.display()
            ),
            None => format!(
                "{server} asks for a password for user {}; set PGPASSWORD or add a line to ~/.pgpass",
                target.user()
            ),
        }
    } else if lower.contains("closed")
        || lower.contains("reset")
        || lower.contains("broken pipe")
        || lower.contains("eof")
    {
        format!(
            "the connection to {server} was lost; nothing of this command was recorded unless it said so; try again"
        )
    } else if lower.contains("resolve") || lower.contains("lookup") || lower.contains("name or service") {
        format!("cannot find the host of {server}: {source}; check the host name")
    } else if source.is_empty() {
        format!("{server}: {text}")
    } else {
        format!("{server}: {text}: {source}")
    };
    anyhow!(what)
}

/// `5s`, `1.5s`.
pub fn seconds(d: Duration) -> String {
    match d.subsec_millis() {
        0 => format!("{}s", d.as_secs()),
        _ => format!("{}s", d.as_secs_f64()),
    }
}

/// Certificate checks for the modes libpq defines.
mod verify {
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::CryptoProvider;
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{CertificateError, DigitallySignedStruct, Error, SignatureScheme};
    use std::sync::Arc;

    /// `prefer` and `require`: encrypted, but any certificate is taken (the
    /// handshake signature is still checked).
    #[derive(Debug)]
    pub struct Anything(pub Arc<CryptoProvider>);

    impl ServerCertVerifier for Anything {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            rustls::crypto::verify_tls12_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            rustls::crypto::verify_tls13_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }

    /// `verify-ca`: signed by a trusted root, whatever host it names.
    #[derive(Debug)]
    pub struct SignedOnly(pub Arc<rustls::client::WebPkiServerVerifier>);

    impl ServerCertVerifier for SignedOnly {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            intermediates: &[CertificateDer<'_>],
            server_name: &ServerName<'_>,
            ocsp: &[u8],
            now: UnixTime,
        ) -> Result<ServerCertVerified, Error> {
            match self
                .0
                .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
            {
                Err(Error::InvalidCertificate(CertificateError::NotValidForName))
                | Err(Error::InvalidCertificate(CertificateError::NotValidForNameContext { .. })) => {
                    Ok(ServerCertVerified::assertion())
                }
                other => other,
            }
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            self.0.verify_tls12_signature(message, cert, dss)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            self.0.verify_tls13_signature(message, cert, dss)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.supported_verify_schemes()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_paths() {
        assert!(is_url("postgres://u@h/db"));
        assert!(is_url("PostgreSQL://u@h/db"));
        assert!(!is_url("incidents.db"));
        assert!(!is_url("/var/lib/postgres/x.db"));
        assert!(!is_url("pg"));
    }

    #[test]
    fn the_display_never_holds_the_password() {
        let t = Target::parse("postgres://ann:s3cret@db.example:6543/incidents?sslmode=verify-full").unwrap();
        let shown = t.to_string();
        assert_eq!(
            shown,
            "postgres://ann@db.example:6543/incidents?sslmode=verify-full"
        );
        assert!(!format!("{t:?}").contains("s3cret"));
        assert_eq!(t.url_password.as_deref(), Some("s3cret"));
    }

    #[test]
    fn a_socket_host_shows_in_the_query() {
        let t = Target::parse("postgres://ann@%2Ftmp%2Fpg/incidents").unwrap();
        assert_eq!(t.to_string(), "postgres://ann@/incidents?host=/tmp/pg");
        // The display parses back to itself.
        let shown = "postgres://ann@/incidents?host=/run/pg&port=5433";
        assert_eq!(Target::parse(shown).unwrap().to_string(), shown);
        let t = Target::parse("postgres://ann@/incidents?host=/run/pg&port=5433&sslmode=require").unwrap();
        assert_eq!(
            t.to_string(),
            "postgres://ann@/incidents?host=/run/pg&port=5433&sslmode=require"
        );
    }

    #[test]
    fn bad_urls_are_refused_without_echoing_a_password() {
        let e = Target::parse("postgres://ann:hunter2@h/db?sslmode=sometimes").unwrap_err();
        assert!(e.to_string().contains("sslmode=sometimes"), "{e}");
        let e = Target::parse("postgres://ann:hunter2@h:notaport/db").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(e.to_string().contains("ann:***@h"), "{e}");
        let e = Target::parse("postgres://ann@h/db?password=hunter2").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[test]
    fn require_with_a_root_certificate_verifies_it_as_libpq_does() {
        let t = Target::parse("postgres://a@h/d?sslmode=require&sslrootcert=/x.pem").unwrap();
        assert_eq!(t.tls, Tls::VerifyCa);
    }

    #[test]
    fn pgpass_lines_match_field_by_field() {
        let text = "# comment\n\
                    other:5432:*:ann:wrong\n\
                    db.example:5432:incidents:ann:right\\:one\n\
                    *:*:*:*:fallback\n";
        assert_eq!(
            pgpass_lookup(text, "db.example", "5432", "incidents", "ann").as_deref(),
            Some("right:one")
        );
        assert_eq!(
            pgpass_lookup(text, "elsewhere", "5432", "x", "bob").as_deref(),
            Some("fallback")
        );
        assert_eq!(pgpass_lookup("h:1:d:u\n", "h", "1", "d", "u"), None);
    }

    #[test]
    fn redact_hides_passwords_anywhere_in_the_url() {
        assert_eq!(redact("postgres://a:b@h/d"), "postgres://a:***@h/d");
        assert_eq!(
            redact("postgres://h/d?password=x&sslmode=require"),
            "postgres://h/d?password=***&sslmode=require"
        );
        assert_eq!(redact("postgres://a@h"), "postgres://a@h");
    }
}
