//! `incident man`: the man page on stdout, or with `--install` every page
//! written where `man` looks in the person's home, saying whether `man`
//! will find them there and, if not, the line that makes it.

use crate::context::Ctx;
use crate::install::{self, Home};
use anyhow::Result;
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident man --install     # then: man incident, man incident-declare
  incident man | man -l -")]
pub struct ManArgs {
    /// Write every page into $XDG_DATA_HOME/man/man1 (~/.local/share/man/man1), creating folders, and say whether man finds them
    #[arg(long)]
    pub install: bool,
}

pub fn run(ctx: &Ctx, args: ManArgs) -> Result<()> {
    let pages = crate::man::pages();
    if !args.install {
        let mut out = crate::output::stdout();
        if let Some((_, page)) = pages.iter().find(|(name, _)| name == "incident.1") {
            out.write_all(page)?;
        }
        out.flush()?;
        return Ok(());
    }
    let home = Home::from_env()?;
    let root = home.data.join("man");
    let dir = root.join("man1");
    for (name, page) in &pages {
        install::write(&dir.join(name), page)?;
    }
    ctx.say(format!("wrote {} pages to {}", pages.len(), dir.display()));
    let path = std::env::var("PATH").unwrap_or_default();
    let manpath = std::env::var("MANPATH").ok();
    if install::man_searches(&root, &path, manpath.as_deref()) {
        ctx.say("man finds them there: man incident, man incident-declare, …");
    } else {
        ctx.say(format!(
            "man does not search {} with this PATH and MANPATH; add to your shell's startup file:",
            home.tilde(&root)
        ));
        // The line itself on stdout, to be appended as it is.
        let mut out = crate::output::stdout();
        writeln!(out, "{}", install::manpath_line(&home, &root))?;
        out.flush()?;
    }
    Ok(())
}
