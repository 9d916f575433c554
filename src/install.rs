//! Putting the completion script and the man pages where the shell and
//! `man` look for them in a person's home (`completions --install`, `man
//! --install`), and saying what, if anything, is left to do. The rules
//! (which folder, whether `man` searches it) are pure functions of the
//! environment's values, unit-tested here; writing is one function.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// The folders of a person's home, from HOME and the XDG variables (a
/// relative XDG value is ignored, as the specification says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    pub home: PathBuf,
    /// $XDG_DATA_HOME, or ~/.local/share.
    pub data: PathBuf,
    /// $XDG_CONFIG_HOME, or ~/.config.
    pub config: PathBuf,
}

impl Home {
    pub fn from_values(home: &str, data: Option<&str>, config: Option<&str>) -> Home {
        let home = PathBuf::from(home);
        let absolute = |v: Option<&str>| v.filter(|v| v.starts_with('/')).map(PathBuf::from);
        Home {
            data: absolute(data).unwrap_or_else(|| home.join(".local/share")),
            config: absolute(config).unwrap_or_else(|| home.join(".config")),
            home,
        }
    }

    pub fn from_env() -> Result<Home> {
        let var = |name| std::env::var(name).ok().filter(|v| !v.is_empty());
        let Some(home) = var("HOME").filter(|h| h.starts_with('/')) else {
            bail!("HOME is not set to a folder: set it, or write the file yourself (see docs/install.md)");
        };
        Ok(Home::from_values(
            &home,
            var("XDG_DATA_HOME").as_deref(),
            var("XDG_CONFIG_HOME").as_deref(),
        ))
    }

    /// `path` as a person would type it: under the home, `~/…`.
    pub fn tilde(&self, path: &Path) -> String {
        match path.strip_prefix(&self.home) {
            Ok(rest) => format!("~/{}", rest.display()),
            Err(_) => path.display().to_string(),
        }
    }
}

/// Writes `bytes` to `path`, creating the folders on the way, through a
/// temporary file renamed into place (a half-written script is never
/// sourced by a shell starting meanwhile).
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let temp = dir.join(format!(
        ".{}.tmp{}",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    std::fs::write(&temp, bytes).with_context(|| format!("cannot write {}", temp.display()))?;
    std::fs::rename(&temp, path).with_context(|| {
        let _ = std::fs::remove_file(&temp);
        format!("cannot write {}", path.display())
    })
}

/// Whether `man` (man-db, macOS's) searches `dir` for pages, given
/// the PATH and MANPATH it runs with. A MANPATH without an empty entry is
/// the whole search path; otherwise each folder on PATH brings its
/// `../share/man` and `../man` (so ~/.local/bin on PATH brings
/// ~/.local/share/man).
pub fn man_searches(dir: &Path, path: &str, manpath: Option<&str>) -> bool {
    if let Some(manpath) = manpath.filter(|m| !m.is_empty()) {
        if manpath.split(':').any(|entry| Path::new(entry) == dir) {
            return true;
        }
        if !manpath.split(':').any(str::is_empty) {
            return false;
        }
    }
    path.split(':')
        .filter(|entry| entry.starts_with('/'))
        .filter_map(|entry| Path::new(entry).parent())
        .any(|up| up.join("share/man") == dir || up.join("man") == dir)
}

/// The line that makes `man` search `dir`, for a shell's startup file.
pub fn manpath_line(home: &Home, dir: &Path) -> String {
    let dir = match dir.strip_prefix(&home.home) {
        Ok(rest) => format!("$HOME/{}", rest.display()),
        Err(_) => dir.display().to_string(),
    };
    // The empty entry the trailing colon leaves keeps man's own path.
    format!("export MANPATH=\"{dir}:$MANPATH\"")
}

/// Where bash-completion, which loads scripts from
/// ~/.local/share/bash-completion/completions on demand, is installed by
/// the usual packagers (Debian, Fedora, Arch, Homebrew, NixOS).
pub const BASH_COMPLETION: &[&str] = &[
    "/usr/share/bash-completion/bash_completion",
    "/usr/local/share/bash-completion/bash_completion",
    "/etc/profile.d/bash_completion.sh",
    "/opt/homebrew/etc/profile.d/bash_completion.sh",
    "/usr/local/etc/profile.d/bash_completion.sh",
    "/run/current-system/sw/share/bash-completion/bash_completion",
];

/// Whether zsh's startup file already puts `dir` on fpath: a line naming
/// both fpath and the folder (as ~, $HOME or in full).
pub fn zshrc_has_fpath(zshrc: &str, home: &Home, dir: &Path) -> bool {
    let mut names = vec![dir.display().to_string()];
    if let Ok(rest) = dir.strip_prefix(&home.home) {
        names.push(format!("~/{}", rest.display()));
        names.push(format!("$HOME/{}", rest.display()));
        names.push(format!("${{HOME}}/{}", rest.display()));
    }
    zshrc.lines().any(|line| {
        let line = line.split('#').next().unwrap_or_default();
        line.contains("fpath") && names.iter().any(|n| line.contains(n.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folders_follow_xdg_and_fall_back_to_the_home() {
        let h = Home::from_values("/home/a", None, None);
        assert_eq!(h.data, Path::new("/home/a/.local/share"));
        assert_eq!(h.config, Path::new("/home/a/.config"));
        let h = Home::from_values("/home/a", Some("/x/data"), Some("relative"));
        assert_eq!(h.data, Path::new("/x/data"));
        assert_eq!(h.config, Path::new("/home/a/.config"));
        assert_eq!(
            h.tilde(Path::new("/home/a/.zfunc/_incident")),
            "~/.zfunc/_incident"
        );
        assert_eq!(h.tilde(Path::new("/x/data")), "/x/data");
    }

    #[test]
    fn man_searches_the_share_man_beside_each_bin_on_path_unless_manpath_says_otherwise() {
        let dir = Path::new("/home/a/.local/share/man");
        assert!(man_searches(dir, "/usr/bin:/home/a/.local/bin", None));
        assert!(!man_searches(dir, "/usr/bin:/home/a/.cargo/bin", None));
        assert!(man_searches(
            Path::new("/home/a/.cargo/man"),
            "/home/a/.cargo/bin",
            None
        ));
        // A MANPATH is the whole path, unless an empty entry adds man's own.
        assert!(!man_searches(dir, "/home/a/.local/bin", Some("/usr/share/man")));
        assert!(man_searches(dir, "/home/a/.local/bin", Some("/usr/share/man:")));
        assert!(man_searches(dir, "/usr/bin", Some("/home/a/.local/share/man")));
        assert!(man_searches(dir, "/home/a/.local/bin", Some("")));
        assert!(!man_searches(dir, "relative/bin:", None));
        let home = Home::from_values("/home/a", None, None);
        assert_eq!(
            manpath_line(&home, dir),
            "export MANPATH=\"$HOME/.local/share/man:$MANPATH\""
        );
    }

    #[test]
    fn a_zshrc_line_putting_the_folder_on_fpath_is_recognised() {
        let home = Home::from_values("/home/a", None, None);
        let dir = Path::new("/home/a/.zfunc");
        assert!(zshrc_has_fpath("fpath=(~/.zfunc $fpath)\n", &home, dir));
        assert!(zshrc_has_fpath("fpath+=$HOME/.zfunc", &home, dir));
        assert!(!zshrc_has_fpath("# fpath=(~/.zfunc $fpath)", &home, dir));
        assert!(!zshrc_has_fpath("source ~/.zfunc/x", &home, dir));
    }

    #[test]
    fn writing_creates_the_folders() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/c/file");
        write(&path, b"one").unwrap();
        write(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }
}
