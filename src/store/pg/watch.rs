//! Waking `--follow` when another client commits events: every write
//! transaction runs `pg_notify('incident_events', '<incident>')` before
//! COMMIT, and PostgreSQL delivers it to listeners only once the commit is
//! done. A connection of its own LISTENs, so the store's read snapshot is
//! never disturbed; a wake-up only says "look again".

use super::client::Client;
use super::{CHANNEL, Target};
use anyhow::Result;
use std::time::Duration;

pub struct Listen {
    client: Client,
    target: Target,
}

impl Listen {
    pub fn new(target: &Target) -> Result<Listen> {
        let mut client = target.connect()?;
        client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .map_err(|e| target.explain(&e))?;
        Ok(Listen {
            client,
            target: target.clone(),
        })
    }
}

impl crate::store::Watch for Listen {
    fn wait(&mut self, timeout: Duration) -> Result<bool> {
        // One look covers a burst of commits: all that came are taken.
        self.client
            .wait_for_notification(timeout)
            .map_err(|e| self.target.explain(&e))
    }

    fn settle(&self) -> Duration {
        // PostgreSQL delivers a notification only once its COMMIT is done.
        Duration::ZERO
    }
}
