//! The generic shape, for scripts: one alert as
//! `{"key", "summary", "severity", "service", "status", "labels", "link", "group"}`;
//! `key` and `summary` are required, `status` is "firing" (the default)
//! or "resolved".

use super::{Payload, key};
use crate::domain::alerts::{AlertSource, AlertStatus, Signal};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generic {
    pub key: String,
    pub summary: String,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
}

impl Generic {
    pub fn into_payload(self) -> Result<Payload, String> {
        if self.key.trim().is_empty() {
            return Err("\"key\" is empty; give the alert a stable identity".into());
        }
        let status = match self.status.as_deref().unwrap_or("firing") {
            "firing" => AlertStatus::Firing,
            "resolved" => AlertStatus::Resolved,
            other => {
                return Err(format!(
                    "status '{}' is neither \"firing\" nor \"resolved\"",
                    crate::text::one_line(&other.chars().take(40).collect::<String>())
                ));
            }
        };
        let mut labels = self.labels;
        for (name, value) in [("severity", &self.severity), ("service", &self.service)] {
            if let Some(v) = value {
                labels.entry(name.to_string()).or_insert_with(|| v.clone());
            }
        }
        Ok(Payload {
            signals: vec![Signal {
                source: AlertSource::Generic,
                identity: key("\"key\"", self.key)?,
                group: self
                    .group
                    .filter(|g| !g.trim().is_empty())
                    .map(|g| key("\"group\"", g))
                    .transpose()?,
                status,
                summary: self.summary,
                severity: self.severity,
                service: self.service,
                labels,
                starts_at: None,
                ends_at: None,
                link: self.link,
            }],
            dedup_key: None,
        })
    }
}
