//! The JSON API under `api/v2/`, in the shape of Atlassian Statuspage's
//! public API (v2), field for field, so widgets, status aggregators and
//! scripts written for it read this page too. What Statuspage has and
//! this page does not (subscriptions, tweets, component groups) is there
//! with its empty value.

use super::{IncidentView, MaintenanceView, Site};
use crate::domain::statuspage::Phase;
use crate::time::to_rfc3339;
use serde_json::{Value, json};

fn page(site: &Site) -> Value {
    json!({
        "id": site.page_id,
        "name": site.settings.title,
        "url": site.settings.url.clone().unwrap_or_default(),
        "time_zone": site.settings.time_zone.name(),
        "updated_at": to_rfc3339(site.updated_at),
    })
}

fn status(site: &Site) -> Value {
    json!({
        "indicator": site.indicator.as_str(),
        "description": super::html::headline(site).1,
    })
}

fn component(site: &Site, id: &str) -> Option<Value> {
    let c = site.component(id)?;
    Some(json!({
        "id": c.id,
        "name": c.name,
        "status": c.status.as_str(),
        "created_at": to_rfc3339(c.updated_at.min(site.updated_at)),
        "updated_at": to_rfc3339(c.updated_at),
        "position": c.position,
        "description": c.description,
        "showcase": true,
        "start_date": null,
        "group_id": null,
        "page_id": site.page_id,
        "group": false,
        "only_show_if_degraded": false,
    }))
}

fn components(site: &Site, ids: &[String]) -> Vec<Value> {
    ids.iter().filter_map(|id| component(site, id)).collect()
}

fn incident(site: &Site, i: &IncidentView) -> Value {
    let p = &i.incident;
    let updates: Vec<Value> = p
        .updates
        .iter()
        .map(|u| {
            json!({
                "id": super::opaque("update", u.id),
                "status": u.status.as_str(),
                "body": u.body,
                "incident_id": i.id,
                "created_at": to_rfc3339(u.at),
                "updated_at": to_rfc3339(u.at),
                "display_at": to_rfc3339(u.at),
                "affected_components": null,
                "deliver_notifications": true,
                "custom_tweet": null,
                "tweet_id": null,
            })
        })
        .collect();
    json!({
        "id": i.id,
        "name": p.title,
        "status": p.status.as_str(),
        "created_at": to_rfc3339(p.created_at),
        "updated_at": to_rfc3339(p.updated_at),
        "monitoring_at": p.monitoring_at.map(to_rfc3339),
        "resolved_at": p.resolved_at.map(to_rfc3339),
        "impact": p.impact.as_str(),
        "shortlink": site.link(&format!("incidents/{}.html", i.id)),
        "started_at": to_rfc3339(p.created_at),
        "page_id": site.page_id,
        "incident_updates": updates,
        "components": components(site, &i.component_ids),
    })
}

fn maintenance(site: &Site, m: &MaintenanceView) -> Value {
    let x = &m.maintenance;
    let status = match m.phase {
        Phase::Scheduled => "scheduled",
        Phase::InProgress => "in_progress",
        Phase::Completed => "completed",
    };
    // What the record knows of it, as updates: scheduled when entered,
    // then in progress and completed as the clock passes.
    let names: Vec<String> = components(site, &m.component_ids)
        .iter()
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect();
    let mut steps = vec![(
        "scheduled",
        x.at,
        format!(
            "{} is scheduled from {} until {} and will affect {}.",
            x.title,
            super::html::shown(site, x.from),
            super::html::shown(site, x.until),
            names.join(", ")
        ),
    )];
    if m.phase != Phase::Scheduled {
        steps.push((
            "in_progress",
            x.from,
            "The maintenance is in progress.".to_string(),
        ));
    }
    if m.phase == Phase::Completed {
        steps.push((
            "completed",
            x.until,
            "The maintenance has been completed.".to_string(),
        ));
    }
    let updates: Vec<Value> = steps
        .iter()
        .rev()
        .map(|(status, at, body)| {
            json!({
                "id": super::opaque("maintenance-update", format!("{}:{status}", x.id)),
                "status": status,
                "body": body,
                "incident_id": m.id,
                "created_at": to_rfc3339(*at),
                "updated_at": to_rfc3339(*at),
                "display_at": to_rfc3339(*at),
                "affected_components": null,
                "deliver_notifications": true,
                "custom_tweet": null,
                "tweet_id": null,
            })
        })
        .collect();
    let updated = steps.last().map_or(x.at, |s| s.1);
    json!({
        "id": m.id,
        "name": x.title,
        "status": status,
        "created_at": to_rfc3339(x.at),
        "updated_at": to_rfc3339(updated),
        "monitoring_at": null,
        "resolved_at": (m.phase == Phase::Completed).then(|| to_rfc3339(x.until)),
        "impact": "maintenance",
        "shortlink": site.link(&format!("index.html#m-{}", m.id)),
        "started_at": to_rfc3339(x.from),
        "page_id": site.page_id,
        "incident_updates": updates,
        "components": components(site, &m.component_ids),
        "scheduled_for": to_rfc3339(x.from),
        "scheduled_until": to_rfc3339(x.until),
    })
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).unwrap_or_default();
    out.push(b'\n');
    out
}

/// The files of `api/v2/`.
pub fn files(site: &Site) -> Vec<(String, Vec<u8>)> {
    let all_components: Vec<Value> = site
        .components
        .iter()
        .filter_map(|c| component(site, &c.id))
        .collect();
    let incidents: Vec<Value> = site
        .incidents
        .iter()
        .take(50)
        .map(|i| incident(site, i))
        .collect();
    let unresolved: Vec<Value> = site.open().map(|i| incident(site, i)).collect();
    let maintenances: Vec<Value> = site.maintenances.iter().map(|m| maintenance(site, m)).collect();
    let coming: Vec<Value> = site
        .maintenances
        .iter()
        .filter(|m| m.phase != Phase::Completed)
        .map(|m| maintenance(site, m))
        .collect();
    let upcoming: Vec<Value> = site
        .maintenances
        .iter()
        .filter(|m| m.phase == Phase::Scheduled)
        .map(|m| maintenance(site, m))
        .collect();
    let active: Vec<Value> = site
        .maintenances
        .iter()
        .filter(|m| m.phase == Phase::InProgress)
        .map(|m| maintenance(site, m))
        .collect();
    let page = page(site);
    let status = status(site);
    vec![
        (
            "api/v2/summary.json".into(),
            pretty(&json!({
                "page": page,
                "components": all_components,
                "incidents": unresolved,
                "scheduled_maintenances": coming,
                "status": status,
            })),
        ),
        (
            "api/v2/status.json".into(),
            pretty(&json!({ "page": page, "status": status })),
        ),
        (
            "api/v2/components.json".into(),
            pretty(&json!({ "page": page, "components": all_components })),
        ),
        (
            "api/v2/incidents.json".into(),
            pretty(&json!({ "page": page, "incidents": incidents })),
        ),
        (
            "api/v2/incidents/unresolved.json".into(),
            pretty(&json!({ "page": page, "incidents": unresolved })),
        ),
        (
            "api/v2/scheduled-maintenances.json".into(),
            pretty(&json!({ "page": page, "scheduled_maintenances": maintenances })),
        ),
        (
            "api/v2/scheduled-maintenances/upcoming.json".into(),
            pretty(&json!({ "page": page, "scheduled_maintenances": upcoming })),
        ),
        (
            "api/v2/scheduled-maintenances/active.json".into(),
            pretty(&json!({ "page": page, "scheduled_maintenances": active })),
        ),
    ]
}
