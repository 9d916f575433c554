//! Waking `--follow` when another process writes the database file. In WAL
//! mode a commit writes the `-wal` file beside the database (and a
//! checkpoint the database itself), so the folder is watched for changes to
//! either; an event only says "look again", and the reader checks.

use anyhow::{Context, Result};
use notify::{EventKind, RecursiveMode, Watcher};
use std::ffi::OsString;
use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

pub struct FileWatch {
    // Kept alive: dropping it stops the watching.
    _watcher: notify::RecommendedWatcher,
    changes: Receiver<()>,
}

impl FileWatch {
    pub fn new(db: &Path) -> Result<FileWatch> {
        let dir = match db.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let name = db.file_name().map(OsString::from).unwrap_or_default();
        let names: Vec<OsString> = ["", "-wal"]
            .iter()
            .map(|suffix| {
                let mut n = name.clone();
                n.push(suffix);
                n
            })
            .collect();
        let (send, changes) = channel();
        let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            let Ok(event) = event else {
                // Whatever went wrong, a look costs little.
                let _ = send.send(());
                return;
            };
            let ours = event
                .paths
                .iter()
                .any(|p| p.file_name().is_some_and(|f| names.iter().any(|n| n == f)));
            if ours && !matches!(event.kind, EventKind::Access(_)) {
                let _ = send.send(());
            }
        })
        .with_context(|| format!("cannot watch {} for changes", db.display()))?;
        watcher
            .watch(&dir, RecursiveMode::NonRecursive)
            .with_context(|| format!("cannot watch {} for changes", dir.display()))?;
        Ok(FileWatch {
            _watcher: watcher,
            changes,
        })
    }
}

impl crate::store::Watch for FileWatch {
    fn wait(&mut self, timeout: Duration) -> Result<bool> {
        match self.changes.recv_timeout(timeout) {
            Ok(()) => {
                // One look covers a burst of writes.
                while self.changes.try_recv().is_ok() {}
                Ok(true)
            }
            Err(RecvTimeoutError::Timeout) => Ok(false),
            Err(RecvTimeoutError::Disconnected) => {
                std::thread::sleep(timeout);
                Ok(true)
            }
        }
    }
}
