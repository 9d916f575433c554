//! Writing the site whole. `DIR` is a symbolic link to the version of the
//! site it serves (`.DIR.<digest>` beside it): a new version is written
//! into a folder of its own, and the link is replaced by one rename, so a
//! web server reading `DIR` sees the old site or the new one, never half
//! of one. The version before stays (a reader may be in the middle of
//! it); older ones are removed. An unchanged site is not written again.

use crate::error::usage;
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// What [`write_site`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// The new version, now served.
    New(PathBuf),
    /// The site is what `DIR` serves already.
    Unchanged(PathBuf),
}

/// The digest naming a version: of every path and its bytes.
pub fn digest(files: &[(String, Vec<u8>)]) -> String {
    let mut h = Sha256::new();
    for (path, bytes) in files {
        h.update((path.len() as u64).to_be_bytes());
        h.update(path.as_bytes());
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    }
    h.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn parts(dir: &Path) -> Result<(PathBuf, String)> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| n != "." && n != "..")
        .ok_or_else(|| {
            usage(format!(
                "--out {}: name the folder to write, e.g. --out public/status",
                dir.display()
            ))
        })?;
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(usage(format!(
            "--out {}: there is no folder {}; create it first",
            dir.display(),
            parent.display()
        )));
    }
    Ok((parent, name))
}

/// Writes `files` as the site served at `dir`.
pub fn write_site(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Written> {
    let (parent, name) = parts(dir)?;
    let version = format!(".{name}.{}", digest(files));
    let target = parent.join(&version);
    let meta = std::fs::symlink_metadata(dir);
    match &meta {
        Ok(m) if m.file_type().is_symlink() => {
            if std::fs::read_link(dir).is_ok_and(|l| l == Path::new(&version)) && target.is_dir() {
                return Ok(Written::Unchanged(target));
            }
        }
        // A folder left from before: taken over only when empty.
        Ok(m) if m.is_dir() => {
            if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none()) {
                std::fs::remove_dir(dir).with_context(|| format!("cannot replace {}", dir.display()))?;
            } else {
                return Err(usage(format!(
                    "{} is a folder with files in it; the status page keeps it a link to the latest version of the site \
                     (so a web server never serves half of one): move it away, or give another --out",
                    dir.display()
                )));
            }
        }
        Ok(_) => {
            return Err(usage(format!(
                "{} is a file; give the folder the site is served from, e.g. --out public/status",
                dir.display()
            )));
        }
        Err(_) => {}
    }
    let pid = std::process::id();
    let temp = parent.join(format!("{version}.tmp-{pid}"));
    let result = (|| -> Result<()> {
        if temp.exists() {
            std::fs::remove_dir_all(&temp)?;
        }
        for (path, bytes) in files {
            let file = temp.join(path);
            if let Some(folder) = file.parent() {
                std::fs::create_dir_all(folder)?;
            }
            std::fs::write(&file, bytes)?;
        }
        if target.exists() {
            std::fs::remove_dir_all(&target)?;
        }
        std::fs::rename(&temp, &target)?;
        let link = parent.join(format!(".{name}.link-{pid}"));
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&version, &link)?;
        std::fs::rename(&link, dir)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&temp);
    }
    result.with_context(|| format!("cannot write the status page to {}", dir.display()))?;
    // The version before stays for whoever is reading it; the older go.
    prune(&parent, &name, &version);
    Ok(Written::New(target))
}

/// Removes the versions of `name` but the newest two (by modification
/// time), and leftovers of writes that did not finish.
fn prune(parent: &Path, name: &str, current: &str) {
    let prefix = format!(".{name}.");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let mut versions: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&prefix) else {
            continue;
        };
        if file == current {
            continue;
        }
        if rest.contains(".tmp-") || rest.starts_with("link-") {
            // Another writer's, if it is still running: left alone for an hour.
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|d| d.as_secs() > 3600));
            if old {
                let _ = std::fs::remove_dir_all(e.path());
                let _ = std::fs::remove_file(e.path());
            }
            continue;
        }
        if rest.len() == 16 && rest.bytes().all(|b| b.is_ascii_hexdigit()) {
            let at = e
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(std::time::UNIX_EPOCH);
            versions.push((at, e.path()));
        }
    }
    versions.sort();
    // Keep the newest other one: the version a reader may still be in.
    versions.pop();
    for (_, path) in versions {
        let _ = std::fs::remove_dir_all(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(text: &str) -> Vec<(String, Vec<u8>)> {
        vec![
            ("index.html".into(), text.as_bytes().to_vec()),
            ("api/v2/status.json".into(), b"{}".to_vec()),
        ]
    }

    #[test]
    fn a_site_is_swapped_in_whole_and_old_versions_go() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("status");
        let first = write_site(&out, &site("one")).unwrap();
        assert!(matches!(first, Written::New(_)));
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "one");
        assert!(std::fs::symlink_metadata(&out).unwrap().file_type().is_symlink());
        assert!(matches!(
            write_site(&out, &site("one")).unwrap(),
            Written::Unchanged(_)
        ));
        write_site(&out, &site("two")).unwrap();
        write_site(&out, &site("three")).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "three");
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names.len(),
            3,
            "the link, the current and the one before: {names:?}"
        );
    }

    #[test]
    fn a_folder_with_files_is_not_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("status");
        std::fs::create_dir(&out).unwrap();
        write_site(&out, &site("one")).unwrap();
        let mut full = dir.path().join("full");
        std::fs::create_dir(&full).unwrap();
        std::fs::write(full.join("keep.txt"), "mine").unwrap();
        let err = write_site(&full, &site("one")).unwrap_err().to_string();
        assert!(err.contains("move it away"), "{err}");
        full.push("keep.txt");
        assert_eq!(std::fs::read_to_string(full).unwrap(), "mine");
    }
}
