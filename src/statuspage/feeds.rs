//! `history.atom` (RFC 4287) and `history.rss` (RSS 2.0): one entry per
//! incident and maintenance on the page, newest first, its updates as
//! its content, for feed readers and chat integrations.

use super::Site;
use super::html::{escape, shown};
use crate::time::to_rfc3339;
use chrono::{DateTime, Utc};
use std::fmt::Write;

/// One entry of either feed.
struct Entry {
    id: String,
    title: String,
    link: String,
    published: DateTime<Utc>,
    updated: DateTime<Utc>,
    /// HTML, escaped once more where the feed carries it.
    content: String,
}

fn entries(site: &Site) -> Vec<Entry> {
    let mut out: Vec<Entry> = site
        .incidents
        .iter()
        .map(|i| {
            let mut content = String::new();
            for u in &i.incident.updates {
                let _ = write!(
                    content,
                    "<p><small>{}</small><br><strong>{}</strong> — {}</p>",
                    escape(&shown(site, u.at)),
                    u.status.label(),
                    escape(&u.body)
                );
            }
            Entry {
                id: format!("tag:incident-status-page,2026:{}/incident/{}", site.page_id, i.id),
                title: i.incident.title.clone(),
                link: site.link(&format!("incidents/{}.html", i.id)),
                published: i.incident.created_at,
                updated: i.incident.updated_at,
                content,
            }
        })
        .collect();
    for m in &site.maintenances {
        let names: Vec<&str> = m
            .component_ids
            .iter()
            .filter_map(|id| site.component(id))
            .map(|c| c.name.as_str())
            .collect();
        out.push(Entry {
            id: format!(
                "tag:incident-status-page,2026:{}/maintenance/{}",
                site.page_id, m.id
            ),
            title: format!("Maintenance: {}", m.maintenance.title),
            link: site.link(&format!("index.html#m-{}", m.id)),
            published: m.maintenance.at,
            updated: m.maintenance.at,
            content: format!(
                "<p><strong>{}</strong> — {} from {} until {}.</p>",
                m.phase.label(),
                escape(&names.join(", ")),
                escape(&shown(site, m.maintenance.from)),
                escape(&shown(site, m.maintenance.until)),
            ),
        });
    }
    out.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.id.cmp(&b.id)));
    out
}

pub fn atom(site: &Site) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n\
         <id>tag:incident-status-page,2026:{id}</id>\n<title>{title} — history</title>\n<updated>{updated}</updated>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{home}\"/>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"{me}\"/>\n\
         <author><name>{title}</name></author>\n",
        id = site.page_id,
        title = escape(&site.settings.title),
        updated = to_rfc3339(site.updated_at),
        home = escape(&site.link("index.html")),
        me = escape(&site.link("history.atom")),
    );
    for e in entries(site) {
        let _ = write!(
            out,
            "<entry>\n<id>{}</id>\n<title>{}</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n\
             <published>{}</published>\n<updated>{}</updated>\n<content type=\"html\">{}</content>\n</entry>\n",
            escape(&e.id),
            escape(&e.title),
            escape(&e.link),
            to_rfc3339(e.published),
            to_rfc3339(e.updated),
            escape(&e.content),
        );
    }
    out.push_str("</feed>\n");
    out
}

pub fn rss(site: &Site) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n\
         <title>{title} — history</title>\n<link>{home}</link>\n<description>Incidents and maintenance on {title}</description>\n\
         <language>en</language>\n<lastBuildDate>{updated}</lastBuildDate>\n\
         <atom:link href=\"{me}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        title = escape(&site.settings.title),
        home = escape(&site.link("index.html")),
        updated = site.updated_at.to_rfc2822(),
        me = escape(&site.link("history.rss")),
    );
    for e in entries(site) {
        let _ = write!(
            out,
            "<item>\n<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"false\">{}</guid>\n\
             <pubDate>{}</pubDate>\n<description>{}</description>\n</item>\n",
            escape(&e.title),
            escape(&e.link),
            escape(&e.id),
            e.published.to_rfc2822(),
            escape(&e.content),
        );
    }
    out.push_str("</channel>\n</rss>\n");
    out
}
