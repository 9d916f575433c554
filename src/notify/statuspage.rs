//! A `status-page` destination: the page written again (whole, swapped in;
//! `statuspage::publish`) after a change it shows, then published by its
//! `publish` command. The deliverer calls it once per batch of events it
//! wants, and whenever what the page shows besides the timeline moved: a
//! component's status set by hand, a maintenance entered, started or ended
//! ([`fingerprint`]).

use super::StatusPage;
use crate::domain::notify::Failure;
use crate::domain::statuspage::Phase;
use crate::store::{Reads, ReadsExt};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// How long a `publish` command may run when the destination names no timeout.
pub const DEFAULT_PUBLISH_TIMEOUT: Duration = Duration::from_secs(60);

fn transient(reason: String) -> Failure {
    Failure::Transient {
        reason,
        retry_after: None,
    }
}

/// What the page shows besides the timeline, as of `now`: every
/// component status set by hand, every maintenance of the window and its
/// phase. The page is written again when it moves.
pub fn fingerprint(store: &(impl Reads + ?Sized), now: DateTime<Utc>) -> anyhow::Result<String> {
    let mut h = Sha256::new();
    for m in store.component_marks()? {
        h.update(m.id.to_be_bytes());
    }
    let window = now - chrono::Duration::days(crate::domain::statuspage::HISTORY_DAYS);
    for m in store.maintenances(window)? {
        h.update(m.id.to_be_bytes());
        h.update(Phase::at(m.from, m.until, now).as_str().as_bytes());
    }
    Ok(h.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect())
}

/// Writes the page as of `now` and, when its version is not the one last
/// published, runs the `publish` command (`INCIDENT_STATUS_PAGE_DIR`:
/// the folder served; `INCIDENT_STATUS_PAGE_VERSION`: the version's own).
/// Returns whether a new version was written.
pub fn regenerate(
    store: &(impl Reads + ?Sized),
    name: &str,
    page: &StatusPage,
    now: DateTime<Utc>,
) -> Result<bool, Failure> {
    let settings = page.page.as_ref().ok_or_else(|| Failure::Permanent {
        reason: "there is no [status_page] in the configuration".into(),
    })?;
    let site = crate::statuspage::gather(store, settings, now)
        .map_err(|e| transient(format!("cannot read the record: {e:#}")))?;
    let files = crate::statuspage::render(&site);
    let written =
        crate::statuspage::publish::write_site(&page.dir, &files).map_err(|e| transient(format!("{e:#}")))?;
    let (version, new) = match written {
        crate::statuspage::publish::Written::New(v) => (v, true),
        crate::statuspage::publish::Written::Unchanged(v) => (v, false),
    };
    let Some(run) = &page.publish else {
        return Ok(new);
    };
    // Which version went out, beside the site: published again after a
    // failure, also by another process, never twice when it worked.
    let marker = version.with_extension("published");
    let digest = version.to_string_lossy().into_owned();
    if std::fs::read_to_string(&marker).is_ok_and(|m| m == digest) {
        return Ok(new);
    }
    let hook = crate::hooks::Hook {
        name: Some(name.to_string()),
        on: crate::hooks::On::All,
        run: run.clone(),
        timeout: page.timeout,
    };
    let env = vec![
        (
            "INCIDENT_STATUS_PAGE_DIR".to_string(),
            page.dir.display().to_string(),
        ),
        (
            "INCIDENT_STATUS_PAGE_VERSION".to_string(),
            version.display().to_string(),
        ),
        ("INCIDENT_NO_HOOKS".to_string(), "1".to_string()),
    ];
    let catch = crate::signals::Catch::new(&[]).map_err(|e| transient(e.to_string()))?;
    match crate::hooks::run(&hook, b"", &env, &catch) {
        crate::hooks::Outcome::Succeeded => {
            let _ = std::fs::write(&marker, &digest);
            Ok(new)
        }
        crate::hooks::Outcome::Failed(status) => Err(transient(format!("publish exited with {status}"))),
        crate::hooks::Outcome::TimedOut(t) => Err(transient(format!(
            "publish ran past its timeout of {}",
            crate::hooks::humantime(t)
        ))),
        crate::hooks::Outcome::CouldNotStart(e) => Err(transient(format!("publish could not start: {e}"))),
        crate::hooks::Outcome::Interrupted(n) => {
            Err(transient(format!("publish was interrupted by signal {n}")))
        }
    }
}
