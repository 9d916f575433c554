//! `[status_page]` as the configuration file writes it, checked into
//! [`Settings`]: every error names the key and says what to write.

use crate::domain::statuspage::{Component, ComponentStatus, Impacts};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusPageFile {
    title: String,
    /// The company's own site, linked from the page.
    link: Option<String>,
    /// Where the page is published, for absolute links in the feeds.
    url: Option<String>,
    #[serde(default)]
    time_zone: Option<String>,
    components: Vec<ComponentFile>,
    /// Severity level → component status while an incident of it is open.
    #[serde(default)]
    impact: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ComponentFile {
    service: String,
    name: String,
    #[serde(default)]
    description: Option<String>,
}

/// The status page as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub title: String,
    pub link: Option<String>,
    /// Without a trailing slash.
    pub url: Option<String>,
    pub time_zone: crate::domain::zone::Zone,
    pub components: Vec<Component>,
    pub descriptions: Vec<Option<String>>,
    pub impacts: Impacts,
}

fn web_address(key: &str, given: &str) -> Result<String, String> {
    let given = given.trim().trim_end_matches('/');
    if !(given.starts_with("https://") || given.starts_with("http://"))
        || given.len() < 9
        || given.contains(['"', '<', '>', ' '])
    {
        return Err(format!(
            "[status_page] {key} is '{given}'; write a web address, e.g. \"https://status.example.com\""
        ));
    }
    Ok(given.to_string())
}

/// The settings, checked against the configured severity `levels`.
pub fn settings(raw: StatusPageFile, levels: &[String]) -> Result<Settings, String> {
    let title = raw.title.trim().to_string();
    if title.is_empty() || title.chars().any(char::is_control) {
        return Err("[status_page] title is empty; name the page, e.g. \"Example Inc. status\"".into());
    }
    let time_zone = match raw.time_zone.as_deref().map(str::trim) {
        None | Some("") => crate::domain::zone::Zone::utc(),
        Some(tz) => tz.parse().map_err(|_| {
            format!("[status_page] time_zone '{tz}' is not a time zone; use a name like \"Europe/Berlin\" or \"UTC\"")
        })?,
    };
    if raw.components.is_empty() {
        return Err(
            "[status_page] has no components; list the public services: components = [{ service = \"api\", name = \"API\" }]"
                .into(),
        );
    }
    let mut components: Vec<Component> = Vec::new();
    let mut descriptions = Vec::new();
    for c in raw.components {
        let service = c.service.trim().to_string();
        let name = c.name.trim().to_string();
        if service.is_empty() || name.is_empty() || name.chars().any(char::is_control) {
            return Err(format!(
                "[status_page] component '{}' needs a service and a public name, e.g. {{ service = \"api\", name = \"API\" }}",
                c.service
            ));
        }
        if components.iter().any(|o| o.service == service || o.name == name) {
            return Err(format!(
                "[status_page] component '{service}' ('{name}') is listed twice"
            ));
        }
        components.push(Component { service, name });
        descriptions.push(
            c.description
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty()),
        );
    }
    let mut impacts = Impacts::default_for(levels);
    for (level, status) in raw.impact {
        let Some(slot) = impacts.0.iter_mut().find(|(l, _)| l.eq_ignore_ascii_case(&level)) else {
            return Err(format!(
                "[status_page.impact] names '{level}', which is no severity level; use one of: {}",
                levels.join(", ")
            ));
        };
        let status: ComponentStatus = status
            .parse()
            .map_err(|e| format!("[status_page.impact] {level}: {e}"))?;
        if matches!(
            status,
            ComponentStatus::Operational | ComponentStatus::UnderMaintenance
        ) {
            return Err(format!(
                "[status_page.impact] {level} = \"{status}\"; an open incident shows as degraded_performance, partial_outage or major_outage"
            ));
        }
        slot.1 = status;
    }
    Ok(Settings {
        title,
        link: raw.link.as_deref().map(|l| web_address("link", l)).transpose()?,
        url: raw.url.as_deref().map(|l| web_address("url", l)).transpose()?,
        time_zone,
        components,
        descriptions,
        impacts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, String> {
        let raw: StatusPageFile = toml::from_str(text).map_err(|e| e.to_string())?;
        settings(raw, &["SEV1".into(), "SEV2".into(), "SEV3".into()])
    }

    #[test]
    fn components_time_zone_and_impacts_are_read_and_checked() {
        let s = parse(
            "title = \"Example status\"\ntime_zone = \"Europe/Berlin\"\nlink = \"https://example.com/\"\n\
             components = [{ service = \"api\", name = \"Public API\" }, { service = \"web\", name = \"Website\", description = \"www\" }]\n\
             [impact]\nSEV2 = \"degraded_performance\"\n",
        )
        .unwrap();
        assert_eq!(s.time_zone.name(), "Europe/Berlin");
        assert_eq!(s.link.as_deref(), Some("https://example.com"));
        assert_eq!(s.components[1].name, "Website");
        assert_eq!(s.descriptions, [None, Some("www".into())]);
        assert_eq!(s.impacts.of("SEV1"), ComponentStatus::MajorOutage);
        assert_eq!(s.impacts.of("SEV2"), ComponentStatus::DegradedPerformance);
        let bad = [
            ("title = \"\"\ncomponents = []", "title is empty"),
            ("title = \"x\"\ncomponents = []", "no components"),
            (
                "title = \"x\"\ntime_zone = \"Mars/Base\"\ncomponents = [{ service = \"a\", name = \"A\" }]",
                "not a time zone",
            ),
            (
                "title = \"x\"\ncomponents = [{ service = \"a\", name = \"A\" }, { service = \"a\", name = \"B\" }]",
                "listed twice",
            ),
            (
                "title = \"x\"\ncomponents = [{ service = \"a\", name = \"A\" }]\n[impact]\nSEV9 = \"major_outage\"",
                "no severity level",
            ),
            (
                "title = \"x\"\ncomponents = [{ service = \"a\", name = \"A\" }]\n[impact]\nSEV1 = \"operational\"",
                "an open incident shows",
            ),
            (
                "title = \"x\"\nlink = \"javascript:alert(1)\"\ncomponents = [{ service = \"a\", name = \"A\" }]",
                "write a web address",
            ),
        ];
        for (text, says) in bad {
            let err = parse(text).unwrap_err();
            assert!(err.contains(says), "{text}: {err}");
        }
    }
}
