//! `incident completions SHELL`: the shell's completion script. The script
//! calls `incident` back on every Tab (with INCIDENT_COMPLETE set), so what
//! is offered always matches this binary, and incident keys, action ids,
//! severities and roles come from the database and the configuration (see
//! `complete.rs`). The scripts are also committed under `completions/`.

use crate::complete::VAR;
use anyhow::Result;
use clap::{Args, ValueEnum};
use clap_complete::env::Shells;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

impl Shell {
    fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
            Shell::Elvish => "elvish",
            Shell::Powershell => "powershell",
        }
    }
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident completions bash > ~/.local/share/bash-completion/completions/incident
  incident completions zsh > \"${fpath[1]}/_incident\"")]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: CompletionsArgs) -> Result<()> {
    let mut out = crate::output::stdout();
    out.write_all(&script(args.shell)?)?;
    out.flush()?;
    Ok(())
}

/// The script that registers `incident`'s completion with `shell`; it runs
/// the `incident` found on the PATH.
pub fn script(shell: Shell) -> Result<Vec<u8>> {
    let shells = Shells::builtins();
    let completer = shells
        .completer(shell.name())
        .ok_or_else(|| anyhow::anyhow!("no completion support for {}", shell.name()))?;
    let mut buffer = Vec::new();
    completer.write_registration(VAR, "incident", "incident", "incident", &mut buffer)?;
    Ok(buffer)
}

/// Where each shell's script is committed.
pub const FILES: &[(Shell, &str)] = &[
    (Shell::Bash, "incident.bash"),
    (Shell::Zsh, "_incident"),
    (Shell::Fish, "incident.fish"),
    (Shell::Elvish, "incident.elv"),
    (Shell::Powershell, "_incident.ps1"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn every_shell_has_a_script_that_calls_the_binary_back() {
        for (shell, _) in FILES {
            let text = String::from_utf8(script(*shell).unwrap()).unwrap();
            assert!(text.contains(VAR), "{shell:?}: {text}");
            assert!(text.contains("incident"), "{shell:?}");
        }
    }

    /// Fails when the committed scripts no longer match; run with
    /// UPDATE_COMPLETIONS=1 to regenerate them.
    #[test]
    fn committed_completions_are_current() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
        let update = std::env::var_os("UPDATE_COMPLETIONS").is_some();
        for (shell, name) in FILES {
            let path = dir.join(name);
            let fresh = script(*shell).unwrap();
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &fresh).unwrap();
                continue;
            }
            let committed = std::fs::read(&path).unwrap_or_default();
            assert!(
                committed == fresh,
                "completions/{name} is stale; run: UPDATE_COMPLETIONS=1 cargo test --lib completions"
            );
        }
    }
}
