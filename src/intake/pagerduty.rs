//! PagerDuty's Events API v2 enqueue body: `routing_key`, `event_action`
//! (trigger, acknowledge, resolve), `dedup_key`, `payload` (`summary`,
//! `source`, `severity`, `timestamp`, `component`, `group`, `class`,
//! `custom_details`), `links`, `images`, `client`, `client_url`.

use super::{Payload, key, time};
use crate::domain::alerts::{AlertSource, AlertStatus, Signal};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Every field as published, so a wrong type is refused; not all are used.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
pub struct Event {
    #[serde(default)]
    pub routing_key: Option<String>,
    pub event_action: String,
    #[serde(default)]
    pub dedup_key: Option<String>,
    #[serde(default)]
    pub payload: Option<EventPayload>,
    #[serde(default)]
    pub links: Vec<Link>,
    #[serde(default)]
    pub client_url: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct EventPayload {
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub component: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub class: Option<String>,
    #[serde(default)]
    pub custom_details: Option<serde_json::Value>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
pub struct Link {
    pub href: String,
    #[serde(default)]
    pub text: Option<String>,
}

impl Event {
    /// `new_key` makes the dedup key of a trigger that has none, as
    /// PagerDuty does; it is returned to the sender.
    pub fn into_payload(self, new_key: impl FnOnce() -> String) -> Result<Payload, String> {
        let status = match self.event_action.as_str() {
            // An acknowledgement changes nothing here: the alert still fires.
            "trigger" | "acknowledge" => AlertStatus::Firing,
            "resolve" => AlertStatus::Resolved,
            other => {
                return Err(format!(
                    "event_action '{}' is not one of trigger, acknowledge, resolve",
                    crate::text::one_line(&other.chars().take(40).collect::<String>())
                ));
            }
        };
        let given = self.dedup_key.filter(|k| !k.trim().is_empty());
        let key = match (given, self.event_action.as_str()) {
            (Some(k), _) => key("dedup_key", k)?,
            (None, "trigger") => new_key(),
            (None, action) => return Err(format!("an {action} event needs its dedup_key")),
        };
        let payload = self.payload;
        if self.event_action == "trigger" {
            let p = payload.as_ref().ok_or("a trigger event needs a payload")?;
            for (name, value) in [
                ("summary", &p.summary),
                ("source", &p.source),
                ("severity", &p.severity),
            ] {
                if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
                    return Err(format!("a trigger event needs payload.{name}"));
                }
            }
            let severity = p.severity.as_deref().unwrap_or_default();
            if !["critical", "error", "warning", "info"].contains(&severity) {
                return Err(format!(
                    "payload.severity '{}' is not one of critical, error, warning, info",
                    crate::text::one_line(&severity.chars().take(40).collect::<String>())
                ));
            }
        }
        let mut labels = BTreeMap::new();
        let mut summary = String::new();
        let (mut severity, mut service, mut starts_at) = (None, None, None);
        if let Some(p) = payload {
            for (name, value) in [
                ("source", &p.source),
                ("component", &p.component),
                ("group", &p.group),
                ("class", &p.class),
                ("severity", &p.severity),
            ] {
                if let Some(v) = value {
                    labels.insert(name.to_string(), v.clone());
                }
            }
            if let Some(serde_json::Value::Object(details)) = &p.custom_details {
                for (k, v) in details {
                    if let Some(text) = v.as_str() {
                        labels.entry(k.clone()).or_insert_with(|| text.to_string());
                    }
                }
            }
            summary = p.summary.unwrap_or_default();
            severity = p.severity;
            service = p.component.or(p.group);
            starts_at = p.timestamp.as_deref().and_then(time);
        }
        let link = self.links.into_iter().map(|l| l.href).next().or(self.client_url);
        Ok(Payload {
            signals: vec![Signal {
                source: AlertSource::Pagerduty,
                identity: key.clone(),
                group: None,
                status,
                summary,
                severity,
                service,
                labels,
                starts_at,
                ends_at: None,
                link,
            }],
            dedup_key: Some(key),
        })
    }
}
