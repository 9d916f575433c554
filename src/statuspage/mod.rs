//! The public status page: the record read into what customers may see
//! ([`Site`], decided by `domain::statuspage`), rendered as a static site
//! (HTML, feeds, a Statuspage-compatible JSON API, a badge) and written
//! whole: into a new folder beside the target, which then replaces the
//! old one with one rename, so a web server never serves half a site.
//!
//! Only [`Site`] reaches the renderers, and it holds nothing but public
//! facts: the renderers cannot leak what they are never given.

pub mod api;
pub mod feeds;
pub mod file;
pub mod html;
pub mod publish;

pub use file::Settings;

use crate::domain::statuspage::{
    self, ComponentMark, ComponentStatus, Impact, Maintenance, Phase, PublicIncident,
};
use crate::store::{ListFilter, Order, Reads, ReadsExt};
use anyhow::Result;
use chrono::{DateTime, Duration, DurationRound, Utc};
use sha2::{Digest, Sha256};

/// A component as the page shows it.
#[derive(Debug, Clone)]
pub struct ComponentView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub status: ComponentStatus,
    pub updated_at: DateTime<Utc>,
    pub position: usize,
}

/// An incident as the page shows it, with the ids the page uses for it.
#[derive(Debug, Clone)]
pub struct IncidentView {
    /// An opaque id, so the page does not count the incidents it does
    /// not show.
    pub id: String,
    pub incident: PublicIncident,
    /// The public names of its components, in the page's order.
    pub component_ids: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct MaintenanceView {
    pub id: String,
    pub maintenance: Maintenance,
    pub phase: Phase,
    pub component_ids: Vec<String>,
}

/// Everything the page publishes, and nothing else.
#[derive(Debug, Clone)]
pub struct Site {
    pub settings: Settings,
    pub page_id: String,
    /// The latest change the page shows (not when it was generated, so
    /// that an unchanged record renders to the same bytes).
    pub updated_at: DateTime<Utc>,
    pub indicator: Impact,
    pub components: Vec<ComponentView>,
    /// Open ones and those resolved in the last 90 days, newest first.
    pub incidents: Vec<IncidentView>,
    /// Those to come, under way, or ended in the last 90 days, by start.
    pub maintenances: Vec<MaintenanceView>,
    pub maintenance_now: bool,
}

/// A short stable id for what the page names, that says nothing of how
/// many there are.
pub fn opaque(kind: &str, key: impl std::fmt::Display) -> String {
    let digest = Sha256::digest(format!("incident-status-page:{kind}:{key}").as_bytes());
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

impl Site {
    pub fn component(&self, id: &str) -> Option<&ComponentView> {
        self.components.iter().find(|c| c.id == id)
    }

    /// The open incidents.
    pub fn open(&self) -> impl Iterator<Item = &IncidentView> {
        self.incidents
            .iter()
            .filter(|i| i.incident.status != statuspage::PublicStatus::Resolved)
    }

    /// Where a path of the site is read from: absolute with `url`.
    pub fn link(&self, path: &str) -> String {
        match &self.settings.url {
            Some(url) => format!("{url}/{path}"),
            None => path.to_string(),
        }
    }
}

/// Reads the record into the page as of `now`: the public incidents open
/// or resolved in the last 90 days (the rest are not read past their row),
/// the component statuses set by hand, the maintenances of the window.
pub fn gather(store: &(impl Reads + ?Sized), settings: &Settings, now: DateTime<Utc>) -> Result<Site> {
    let window = now - Duration::days(statuspage::HISTORY_DAYS);
    let mut rows = Vec::new();
    let filter = ListFilter {
        drill: Some(false),
        ..ListFilter::default()
    };
    store.each_incident(&filter, Order::Number, &mut |i| {
        let in_window = i.status.is_open() || i.resolved_at.is_some_and(|at| at >= window);
        let public = settings
            .components
            .iter()
            .any(|c| i.services.contains(&c.service));
        if in_window && public && i.status.is_counted() {
            rows.push(i);
        }
        Ok(())
    })?;
    let ids: Vec<i64> = rows.iter().map(|i| i.id).collect();
    let events = store.events_of_each(&ids, statuspage::READS)?;
    let mut by_incident: std::collections::HashMap<i64, Vec<crate::domain::Event>> = Default::default();
    for e in events {
        by_incident.entry(e.incident_id).or_default().push(e);
    }
    let mut incidents: Vec<PublicIncident> = rows
        .iter()
        .filter_map(|i| {
            let events = by_incident.remove(&i.id).unwrap_or_default();
            statuspage::public_incident(i, &events, &settings.components, &settings.impacts)
        })
        .filter(|p| statuspage::on_page(p, now))
        .collect();
    incidents.sort_by_key(|i| std::cmp::Reverse((i.created_at, i.id)));
    let marks: Vec<ComponentMark> = store
        .component_marks()?
        .into_iter()
        .filter(|m| settings.components.iter().any(|c| c.service == m.component))
        .collect();
    let maintenances: Vec<Maintenance> = store
        .maintenances(window)?
        .into_iter()
        .filter(|m| {
            settings
                .components
                .iter()
                .any(|c| m.services.contains(&c.service))
        })
        .collect();
    Ok(site(settings, incidents, &marks, maintenances, now))
}

/// The page from what [`gather`] read.
pub fn site(
    settings: &Settings,
    incidents: Vec<PublicIncident>,
    marks: &[ComponentMark],
    maintenances: Vec<Maintenance>,
    now: DateTime<Utc>,
) -> Site {
    let open: Vec<&PublicIncident> = incidents.iter().collect();
    let statuses = statuspage::component_statuses(&settings.components, &open, marks, &maintenances, now);
    // With nothing to go by, the start of the window's day.
    let floor = (now - Duration::days(statuspage::HISTORY_DAYS))
        .duration_trunc(Duration::days(1))
        .unwrap_or(now);
    let maintenance_changes = |m: &Maintenance| match Phase::at(m.from, m.until, now) {
        Phase::Scheduled => m.at,
        Phase::InProgress => m.from.max(m.at),
        Phase::Completed => m.until.max(m.at),
    };
    let component_id = |service: &str| opaque("component", service);
    let components: Vec<ComponentView> = settings
        .components
        .iter()
        .enumerate()
        .map(|(n, c)| {
            let (status, marked) = statuses
                .get(&c.service)
                .copied()
                .unwrap_or((ComponentStatus::Operational, None));
            let changed = incidents
                .iter()
                .filter(|i| i.components.contains(&c.service))
                .flat_map(|i| [Some(i.created_at), i.resolved_at])
                .flatten()
                .chain(marked)
                .chain(
                    maintenances
                        .iter()
                        .filter(|m| m.services.contains(&c.service))
                        .map(maintenance_changes),
                )
                .filter(|t| *t <= now)
                .max()
                .unwrap_or(floor);
            ComponentView {
                id: component_id(&c.service),
                name: c.name.clone(),
                description: settings.descriptions.get(n).cloned().flatten(),
                status,
                updated_at: changed,
                position: n + 1,
            }
        })
        .collect();
    let ids_of = |services: &[String]| -> Vec<String> {
        settings
            .components
            .iter()
            .filter(|c| services.contains(&c.service))
            .map(|c| component_id(&c.service))
            .collect()
    };
    let maintenances: Vec<MaintenanceView> = maintenances
        .into_iter()
        .filter(|m| statuspage::maintenance_on_page(m, now))
        .map(|m| MaintenanceView {
            id: opaque("maintenance", m.id),
            phase: Phase::at(m.from, m.until, now),
            component_ids: ids_of(&m.services),
            maintenance: m,
        })
        .collect();
    let updated_at = components
        .iter()
        .map(|c| c.updated_at)
        .chain(incidents.iter().map(|i| i.updated_at))
        .chain(maintenances.iter().map(|m| maintenance_changes(&m.maintenance)))
        .filter(|t| *t <= now)
        .max()
        .unwrap_or(floor);
    let incidents = incidents
        .into_iter()
        .map(|i| IncidentView {
            id: opaque("incident", i.id),
            component_ids: ids_of(&i.components),
            incident: i,
        })
        .collect();
    Site {
        page_id: opaque("page", &settings.title),
        indicator: statuspage::indicator(components.iter().map(|c| &c.status)),
        maintenance_now: maintenances.iter().any(|m| m.phase == Phase::InProgress),
        settings: settings.clone(),
        updated_at,
        components,
        incidents,
        maintenances,
    }
}

/// Every file of the site, by its path inside it.
pub fn render(site: &Site) -> Vec<(String, Vec<u8>)> {
    let mut files = html::pages(site);
    files.push(("history.atom".into(), feeds::atom(site).into_bytes()));
    files.push(("history.rss".into(), feeds::rss(site).into_bytes()));
    files.extend(api::files(site));
    files.push(("badge.svg".into(), html::badge(site).into_bytes()));
    files
}
