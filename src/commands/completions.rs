//! `incident completions SHELL`: the shell's completion script. The script
//! calls `incident` back on every Tab (with INCIDENT_COMPLETE set), so what
//! is offered always matches this binary, and incident keys, action ids,
//! severities and roles come from the database and the configuration (see
//! `complete.rs`). The scripts are also committed under `completions/`.
//! `--install` writes the script where the shell loads it from.

use crate::complete::VAR;
use crate::context::Ctx;
use crate::error::usage;
use crate::install::{self, Home};
use anyhow::{Result, bail};
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
  incident completions --install         # for the shell in $SHELL
  incident completions --install zsh
  incident completions fish > ~/.config/fish/completions/incident.fish")]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell [with --install: the one in $SHELL]
    #[arg(value_enum, required_unless_present = "install")]
    pub shell: Option<Shell>,

    /// Write the script where the shell loads it (bash, zsh, fish), creating folders, and say where
    #[arg(long)]
    pub install: bool,
}

pub fn run(ctx: &Ctx, args: CompletionsArgs) -> Result<()> {
    if args.install {
        return install_for(ctx, args.shell);
    }
    let Some(shell) = args.shell else {
        bail!("name a shell: incident completions bash|zsh|fish|elvish|powershell");
    };
    let mut out = crate::output::stdout();
    out.write_all(&script(shell)?)?;
    out.flush()?;
    Ok(())
}

/// The shell named in $SHELL (its program's name).
fn login_shell() -> Result<Shell> {
    let shell = std::env::var("SHELL").unwrap_or_default();
    let name = shell.rsplit('/').next().unwrap_or_default();
    match name {
        "bash" => Ok(Shell::Bash),
        "zsh" => Ok(Shell::Zsh),
        "fish" => Ok(Shell::Fish),
        "" => Err(usage(
            "SHELL is not set: name the shell, e.g. incident completions --install bash",
        )),
        other => Err(usage(format!(
            "SHELL is {}, which --install does not know: name bash, zsh or fish, \
             or write `incident completions SHELL` where your shell loads it",
            crate::text::one_line(other)
        ))),
    }
}

fn install_for(ctx: &Ctx, shell: Option<Shell>) -> Result<()> {
    let shell = match shell {
        Some(shell) => shell,
        None => login_shell()?,
    };
    let home = Home::from_env()?;
    let mut told = Vec::new();
    let path = match shell {
        // bash-completion 2 loads it on the first Tab after `incident`.
        Shell::Bash => {
            let path = home.data.join("bash-completion/completions/incident");
            if !install::BASH_COMPLETION
                .iter()
                .any(|p| std::path::Path::new(p).exists())
            {
                told.push(format!(
                    "bash loads it through the bash-completion package, which is not installed here: \
                     install it (apt install bash-completion, brew install bash-completion@2, …), \
                     or add to ~/.bashrc: source {}",
                    home.tilde(&path)
                ));
            }
            path
        }
        // Not on zsh's fpath by default, so the line is given unless the
        // startup file has it.
        Shell::Zsh => {
            let dir = home.home.join(".zfunc");
            let zdotdir = std::env::var_os("ZDOTDIR").map(std::path::PathBuf::from);
            let zshrc = zdotdir.unwrap_or_else(|| home.home.clone()).join(".zshrc");
            let text = std::fs::read_to_string(&zshrc).unwrap_or_default();
            if !install::zshrc_has_fpath(&text, &home, &dir) {
                told.push(format!(
                    "add to {} before compinit runs: fpath=(~/.zfunc $fpath); autoload -Uz compinit; compinit",
                    home.tilde(&zshrc)
                ));
            }
            dir.join("_incident")
        }
        // fish loads every file in this folder by the command's name.
        Shell::Fish => home.config.join("fish/completions/incident.fish"),
        Shell::Elvish | Shell::Powershell => {
            return Err(usage(format!(
                "--install knows bash, zsh and fish; for {0}, write `incident completions {0}` \
                 where your shell loads it",
                shell.name()
            )));
        }
    };
    install::write(&path, &script(shell)?)?;
    ctx.say(format!("wrote {} ({} completion)", path.display(), shell.name()));
    for line in told {
        ctx.say(line);
    }
    ctx.say("it takes effect in a new shell");
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
