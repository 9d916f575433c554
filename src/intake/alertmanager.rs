//! Prometheus Alertmanager's webhook payload (version 4), and Grafana's
//! alerting webhook, which extends it (`orgId`, `title`, `state`,
//! `message`, and per alert `values`, `dashboardURL`, `panelURL`,
//! `silenceURL`). Fields not listed here are ignored: newer releases add
//! some.

use super::{Payload, key, time};
use crate::domain::alerts::{AlertSource, AlertStatus, Signal, label_identity};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Every field as published, so a wrong type is refused; not all are used.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub group_key: Option<String>,
    #[serde(default)]
    pub truncated_alerts: Option<u64>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub receiver: Option<String>,
    #[serde(default)]
    pub group_labels: BTreeMap<String, String>,
    #[serde(default)]
    pub common_labels: BTreeMap<String, String>,
    #[serde(default)]
    pub common_annotations: BTreeMap<String, String>,
    #[serde(default, rename = "externalURL")]
    pub external_url: Option<String>,
    pub alerts: Vec<WebhookAlert>,
    // Grafana's additions.
    #[serde(default)]
    pub org_id: Option<i64>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookAlert {
    pub status: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub starts_at: Option<String>,
    #[serde(default)]
    pub ends_at: Option<String>,
    #[serde(default, rename = "generatorURL")]
    pub generator_url: Option<String>,
    #[serde(default)]
    pub fingerprint: Option<String>,
    // Grafana's additions (`values` is a map of numbers; only its
    // presence matters to nobody, so it is not read).
    #[serde(default, rename = "dashboardURL")]
    pub dashboard_url: Option<String>,
    #[serde(default, rename = "panelURL")]
    pub panel_url: Option<String>,
    #[serde(default, rename = "silenceURL")]
    pub silence_url: Option<String>,
}

fn status(text: &str) -> Result<AlertStatus, String> {
    match text {
        "firing" => Ok(AlertStatus::Firing),
        "resolved" => Ok(AlertStatus::Resolved),
        other => Err(format!(
            "alert status '{}' is neither \"firing\" nor \"resolved\"",
            crate::text::one_line(&other.chars().take(40).collect::<String>())
        )),
    }
}

impl Webhook {
    pub fn into_payload(self, source: AlertSource) -> Result<Payload, String> {
        if self.alerts.is_empty() {
            return Err("the payload has no alerts (\"alerts\": [] )".into());
        }
        let group = self
            .group_key
            .filter(|g| !g.is_empty())
            .map(|g| key("groupKey", g))
            .transpose()?;
        let mut signals = Vec::with_capacity(self.alerts.len());
        for alert in self.alerts {
            let status = status(&alert.status)?;
            let identity = match alert.fingerprint.filter(|f| !f.trim().is_empty()) {
                Some(f) => key("fingerprint", f)?,
                None => label_identity(&alert.labels),
            };
            // Without one of these annotations the alert carries no words
            // (its `alertname` names it: `Signal::summary_or_name`).
            let summary = ["summary", "description", "message"]
                .iter()
                .find_map(|k| alert.annotations.get(*k).filter(|s| !s.trim().is_empty()))
                .cloned()
                .unwrap_or_default();
            let link = [alert.panel_url, alert.dashboard_url, alert.generator_url]
                .into_iter()
                .flatten()
                .find(|l| !l.trim().is_empty());
            signals.push(Signal {
                source,
                identity,
                group: group.clone(),
                status,
                summary,
                severity: alert.labels.get("severity").cloned(),
                service: alert.labels.get("service").cloned(),
                starts_at: alert.starts_at.as_deref().and_then(time),
                ends_at: alert.ends_at.as_deref().and_then(time),
                labels: alert.labels,
                link,
            });
        }
        Ok(Payload {
            signals,
            dedup_key: None,
        })
    }
}
