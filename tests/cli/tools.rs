//! The programs some tests need besides `incident`: PostgreSQL (every test
//! of the `cli-postgres` half), Prometheus Alertmanager (the real sender),
//! and bash, zsh and fish (completions, the drill script). One lookup for
//! all of them, and one rule, the same on a developer's machine as in CI: a
//! test that needs a program that is missing fails, with a line that starts
//! `skipped:` and says which program is not installed and how to get it.
//! No test passes without having run, and nothing ends the test process
//! early.
//!
//! To see what a machine without one of them shows: point `PG_BIN` at a
//! folder without `initdb`, or run with a `PATH` that lacks the program.

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
    /// bash's completion loader, a script rather than a program.
    BashCompletion,
    Man,
}

const TOOLS: usize = 7;

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Postgresql => "PostgreSQL",
            Tool::Alertmanager => "Prometheus Alertmanager",
            Tool::Bash => "bash",
            Tool::Zsh => "zsh",
            Tool::Fish => "fish",
            Tool::BashCompletion => "bash-completion",
            Tool::Man => "man",
        }
    }

    /// The Debian package that installs it (`.ci/run` installs these).
    fn package(self) -> &'static str {
        match self {
            Tool::Postgresql => "postgresql",
            Tool::Alertmanager => "prometheus-alertmanager",
            Tool::Bash => "bash",
            Tool::Zsh => "zsh",
            Tool::Fish => "fish",
            Tool::BashCompletion => "bash-completion",
            Tool::Man => "man-db",
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
            Tool::BashCompletion => &[],
            Tool::Man => &["man"],
        }
    }

    /// Where [`find`] looked, for the message that it found nothing.
    fn looked(self) -> String {
        match (self, std::env::var_os("PG_BIN")) {
            (Tool::Postgresql, Some(dir)) => format!("no initdb in PG_BIN={}", Path::new(&dir).display()),
            (Tool::Postgresql, None) => {
                "no initdb from pg_config --bindir, in /usr/lib/postgresql/*/bin or on PATH".into()
            }
            (Tool::BashCompletion, _) => format!("no {}", incident::install::BASH_COMPLETION.join(" or ")),
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
            Tool::BashCompletion => incident::install::BASH_COMPLETION
                .iter()
                .map(PathBuf::from)
                .find(|p| p.is_file()),
            _ => on_path(self.programs()),
        }
    }
}

/// The tool's program, if it is installed: for PostgreSQL, `initdb`, in
/// the folder that holds the server's other programs too.
pub fn find(tool: Tool) -> Option<PathBuf> {
    static FOUND: [OnceLock<Option<PathBuf>>; TOOLS] = [const { OnceLock::new() }; TOOLS];
    FOUND[tool as usize].get_or_init(|| tool.search()).clone()
}

/// The tool's program, for a test that needs it; a missing one fails the
/// test, saying it was skipped and why.
pub fn require(tool: Tool) -> PathBuf {
    find(tool).unwrap_or_else(|| {
        panic!(
            "skipped: {} is not installed ({}), and this test needs it: install {} (.ci/run does){}",
            tool.name(),
            tool.looked(),
            tool.package(),
            tool.otherwise()
        )
    })
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
