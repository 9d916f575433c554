//! `incident completions`: shell completion scripts, generated from the clap
//! definition. The generated files are also committed under `completions/`.

use crate::cli::Cli;
use anyhow::Result;
use clap::{Args, CommandFactory};
use clap_complete::Shell;
use std::io::Write;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: CompletionsArgs) -> Result<()> {
    let mut out = crate::output::stdout();
    out.write_all(&script(args.shell))?;
    out.flush()?;
    Ok(())
}

pub fn script(shell: Shell) -> Vec<u8> {
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut visible(Cli::command()), "incident", &mut buffer);
    buffer
}

/// The command line without its hidden subcommands, if any: clap_complete
/// offers hidden subcommands like any other.
fn visible(full: clap::Command) -> clap::Command {
    let mut root = clap::Command::new("incident").version(env!("CARGO_PKG_VERSION"));
    if let Some(about) = full.get_about() {
        root = root.about(about.clone());
    }
    for arg in full.get_arguments() {
        root = root.arg(arg.clone());
    }
    for sub in full.get_subcommands().filter(|s| !s.is_hide_set()) {
        root = root.subcommand(sub.clone());
    }
    root
}

/// Where each shell's script is committed.
pub const FILES: &[(Shell, &str)] = &[
    (Shell::Bash, "incident.bash"),
    (Shell::Zsh, "_incident"),
    (Shell::Fish, "incident.fish"),
    (Shell::Elvish, "incident.elv"),
    (Shell::PowerShell, "_incident.ps1"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn hidden_subcommands_are_not_offered_but_every_other_is() {
        for (shell, _) in FILES {
            let text = String::from_utf8(script(*shell)).unwrap();
            assert!(!text.contains("bench-seed"), "{shell:?} offers bench-seed");
            for sub in Cli::command().get_subcommands().filter(|s| !s.is_hide_set()) {
                assert!(
                    text.contains(sub.get_name()),
                    "{shell:?} lacks {}",
                    sub.get_name()
                );
            }
            // fish spells long options `-l db`, the others `--db`.
            for long in ["db", "json", "version"] {
                let offered = text.contains(&format!("--{long}")) || text.contains(&format!("-l {long}"));
                assert!(offered, "{shell:?} lacks --{long}");
            }
        }
    }

    /// Fails when the committed scripts no longer match the CLI; run with
    /// UPDATE_COMPLETIONS=1 to regenerate them.
    #[test]
    fn committed_completions_are_current() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
        let update = std::env::var_os("UPDATE_COMPLETIONS").is_some();
        for (shell, name) in FILES {
            let path = dir.join(name);
            let fresh = script(*shell);
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
