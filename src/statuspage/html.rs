//! The pages people read: `index.html` (the status now, components, open
//! incidents, maintenance, the last 90 days) and one page per incident,
//! in plain HTML and CSS: no script, readable on a phone, light and dark
//! as the reader's system prefers, landmarks and words beside every
//! colour; and the SVG badge.

use super::{IncidentView, MaintenanceView, Site};
use crate::domain::statuspage::{ComponentStatus, Impact, Phase, PublicStatus};
use chrono::{DateTime, Utc};
use std::fmt::Write;

/// Text for HTML and XML: the five characters that mean something there.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Controls other than line breaks and tabs have no place in
            // a page (and are not allowed in XML).
            c if c.is_control() && !matches!(c, '\n' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

/// A time on the page's clock, for people.
pub fn shown(site: &Site, t: DateTime<Utc>) -> String {
    t.with_timezone(&site.settings.time_zone)
        .format("%-d %b %Y, %H:%M %Z")
        .to_string()
}

fn time(site: &Site, t: DateTime<Utc>) -> String {
    format!(
        "<time datetime=\"{}\">{}</time>",
        crate::time::to_rfc3339(t),
        escape(&shown(site, t))
    )
}

const STYLE: &str = "
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--card:#f6f8fa;
--ok:#1a7f37;--minor:#9a6700;--major:#bc4c00;--critical:#cf222e;--maint:#0969da}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--card:#151b23;
--ok:#3fb950;--minor:#d29922;--major:#f0883e;--critical:#ff7b72;--maint:#58a6ff}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}
a{color:var(--maint)}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.5rem}
header,main,footer{max-width:48rem;margin:0 auto;padding:1rem}
header{border-bottom:1px solid var(--line)}
header h1{margin:.25rem 0;font-size:1.5rem}
nav ul{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
h3{font-size:1.05rem;margin:0 0 .25rem}
.banner{display:flex;align-items:center;gap:.75rem;padding:1rem;border-radius:.5rem;border:2px solid currentColor;font-size:1.2rem;font-weight:600;margin:1rem 0}
.banner img{flex:none}
.i-none{color:var(--ok)}.i-minor{color:var(--minor)}.i-major{color:var(--major)}.i-critical{color:var(--critical)}.i-maintenance{color:var(--maint)}
ul.components{list-style:none;padding:0;margin:0;border:1px solid var(--line);border-radius:.5rem}
ul.components li{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.25rem 1rem;padding:.75rem 1rem;border-top:1px solid var(--line)}
ul.components li:first-child{border-top:0}
.desc{display:block;color:var(--muted);font-size:.9rem}
.s-operational{color:var(--ok)}.s-degraded_performance{color:var(--minor)}.s-partial_outage{color:var(--major)}
.s-major_outage{color:var(--critical)}.s-under_maintenance{color:var(--maint)}
.status{font-weight:600}
article{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1rem;margin:.75rem 0}
ol.updates{list-style:none;padding:0;margin:.5rem 0 0}
ol.updates li{border-left:3px solid var(--line);padding:.25rem 0 .25rem .75rem;margin:.5rem 0}
ol.updates p{margin:0;white-space:pre-line;overflow-wrap:anywhere}
.meta,time{color:var(--muted);font-size:.9rem}
.empty{color:var(--muted)}
footer{border-top:1px solid var(--line);color:var(--muted);font-size:.9rem}
";

fn symbol(status: ComponentStatus) -> &'static str {
    match status {
        ComponentStatus::Operational => "✓",
        ComponentStatus::DegradedPerformance => "▲",
        ComponentStatus::PartialOutage => "◆",
        ComponentStatus::MajorOutage => "✕",
        ComponentStatus::UnderMaintenance => "⚙",
    }
}

/// The page's headline: its indicator in words, or maintenance.
pub fn headline(site: &Site) -> (&'static str, &'static str) {
    match site.indicator {
        Impact::None if site.maintenance_now => ("maintenance", "Maintenance in progress"),
        i => (i.as_str(), i.description()),
    }
}

fn page(site: &Site, root: &str, title: &str, body: &str) -> String {
    let mut nav = vec![
        format!("<li><a href=\"{root}index.html\">Current status</a></li>"),
        format!("<li><a href=\"{root}history.atom\">Atom feed</a></li>"),
        format!("<li><a href=\"{root}history.rss\">RSS feed</a></li>"),
        format!("<li><a href=\"{root}api/v2/summary.json\">JSON API</a></li>"),
    ];
    if let Some(link) = &site.settings.link {
        nav.push(format!(
            "<li><a href=\"{}\" rel=\"external\">{}</a></li>",
            escape(link),
            escape(link.trim_start_matches("https://").trim_start_matches("http://"))
        ));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n<title>{title}</title>\n\
         <link rel=\"icon\" href=\"{root}badge.svg\" type=\"image/svg+xml\">\n\
         <link rel=\"alternate\" type=\"application/atom+xml\" title=\"{name} (Atom)\" href=\"{root}history.atom\">\n\
         <link rel=\"alternate\" type=\"application/rss+xml\" title=\"{name} (RSS)\" href=\"{root}history.rss\">\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<a class=\"skip\" href=\"#main\">Skip to the status</a>\n\
         <header>\n<p class=\"meta\">Status page</p>\n<h1>{name}</h1>\n<nav aria-label=\"Status page\"><ul>{nav}</ul></nav>\n</header>\n\
         <main id=\"main\">\n{body}</main>\n<footer>\n<p>Last updated {updated}. Times are in {tz}.</p>\n</footer>\n</body>\n</html>\n",
        name = escape(&site.settings.title),
        nav = nav.join(""),
        updated = time(site, site.updated_at),
        tz = escape(site.settings.time_zone.name()),
    )
}

fn updates(site: &Site, i: &IncidentView) -> String {
    let mut out = String::from("<ol class=\"updates\">");
    for u in &i.incident.updates {
        let _ = write!(
            out,
            "<li><p><strong>{}</strong> — {}</p>{}</li>",
            u.status.label(),
            escape(&u.body),
            time(site, u.at)
        );
    }
    out.push_str("</ol>");
    out
}

fn component_names(site: &Site, ids: &[String]) -> String {
    ids.iter()
        .filter_map(|id| site.component(id))
        .map(|c| escape(&c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

fn incident_card(site: &Site, i: &IncidentView, root: &str, heading: &str) -> String {
    format!(
        "<article aria-labelledby=\"i-{id}\">\n<{heading} id=\"i-{id}\"><a href=\"{root}incidents/{id}.html\">{title}</a></{heading}>\n\
         <p class=\"meta\">{status} · affects {components} · {impact} impact</p>\n{updates}\n</article>\n",
        id = i.id,
        title = escape(&i.incident.title),
        status = i.incident.status.label(),
        components = component_names(site, &i.component_ids),
        impact = i.incident.impact.as_str(),
        updates = updates(site, i),
    )
}

fn maintenance_card(site: &Site, m: &MaintenanceView) -> String {
    format!(
        "<article id=\"m-{id}\" aria-labelledby=\"mh-{id}\">\n<h3 id=\"mh-{id}\">{title}</h3>\n\
         <p class=\"meta\"><strong class=\"status s-under_maintenance\">{phase}</strong> · {components}</p>\n\
         <p>From {from} until {until}.</p>\n</article>\n",
        id = m.id,
        title = escape(&m.maintenance.title),
        phase = m.phase.label(),
        components = component_names(site, &m.component_ids),
        from = time(site, m.maintenance.from),
        until = time(site, m.maintenance.until),
    )
}

fn index(site: &Site) -> String {
    let (class, words) = headline(site);
    let mut body = format!(
        "<section aria-label=\"Current status\">\n<p class=\"banner i-{class}\" role=\"status\">\
         <img src=\"badge.svg\" alt=\"\" width=\"{w}\" height=\"20\"> {words}</p>\n</section>\n",
        w = badge_width(site)
    );
    body.push_str("<section aria-labelledby=\"components\">\n<h2 id=\"components\">Components</h2>\n<ul class=\"components\">\n");
    for c in &site.components {
        let _ = writeln!(
            body,
            "<li><span>{name}{desc}</span><span class=\"status s-{s}\">{sym} {label}</span></li>",
            name = escape(&c.name),
            desc = c
                .description
                .as_deref()
                .map(|d| format!("<span class=\"desc\">{}</span>", escape(d)))
                .unwrap_or_default(),
            s = c.status.as_str(),
            sym = symbol(c.status),
            label = c.status.label(),
        );
    }
    body.push_str("</ul>\n</section>\n");
    body.push_str("<section aria-labelledby=\"open\">\n<h2 id=\"open\">Open incidents</h2>\n");
    let open: Vec<&IncidentView> = site.open().collect();
    if open.is_empty() {
        body.push_str("<p class=\"empty\">No open incidents.</p>\n");
    }
    for i in open {
        body.push_str(&incident_card(site, i, "", "h3"));
    }
    body.push_str("</section>\n");
    body.push_str(
        "<section aria-labelledby=\"maintenance\">\n<h2 id=\"maintenance\">Scheduled maintenance</h2>\n",
    );
    let coming: Vec<&MaintenanceView> = site
        .maintenances
        .iter()
        .filter(|m| m.phase != Phase::Completed)
        .collect();
    if coming.is_empty() {
        body.push_str("<p class=\"empty\">No maintenance scheduled.</p>\n");
    }
    for m in coming {
        body.push_str(&maintenance_card(site, m));
    }
    body.push_str("</section>\n");
    body.push_str("<section aria-labelledby=\"history\">\n<h2 id=\"history\">The last 90 days</h2>\n");
    let past: Vec<&IncidentView> = site
        .incidents
        .iter()
        .filter(|i| i.incident.status == PublicStatus::Resolved)
        .collect();
    let done: Vec<&MaintenanceView> = site
        .maintenances
        .iter()
        .filter(|m| m.phase == Phase::Completed)
        .collect();
    if past.is_empty() && done.is_empty() {
        body.push_str("<p class=\"empty\">No incidents in the last 90 days.</p>\n");
    }
    if !past.is_empty() {
        body.push_str("<ul>\n");
        for i in past {
            let _ = writeln!(
                body,
                "<li><a href=\"incidents/{id}.html\">{title}</a> <span class=\"meta\">— resolved {at}; {components}</span></li>",
                id = i.id,
                title = escape(&i.incident.title),
                at = i.incident.resolved_at.map(|t| time(site, t)).unwrap_or_default(),
                components = component_names(site, &i.component_ids),
            );
        }
        body.push_str("</ul>\n");
    }
    for m in done {
        body.push_str(&maintenance_card(site, m));
    }
    body.push_str("</section>\n");
    page(site, "", &escape(&site.settings.title), &body)
}

fn incident_page(site: &Site, i: &IncidentView) -> String {
    let mut body = String::from("<p><a href=\"../index.html\">← Current status</a></p>\n");
    body.push_str(&incident_card(site, i, "../", "h2"));
    let _ = writeln!(
        body,
        "<p class=\"meta\">Began {}{}.</p>",
        time(site, i.incident.created_at),
        i.incident
            .resolved_at
            .map(|t| format!(", resolved {}", time(site, t)))
            .unwrap_or_default()
    );
    page(
        site,
        "../",
        &format!("{} — {}", escape(&i.incident.title), escape(&site.settings.title)),
        &body,
    )
}

/// `index.html` and one page per incident.
pub fn pages(site: &Site) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![("index.html".to_string(), index(site).into_bytes())];
    for i in &site.incidents {
        files.push((
            format!("incidents/{}.html", i.id),
            incident_page(site, i).into_bytes(),
        ));
    }
    files
}

/// What the badge says, and its colour.
fn badge_text(site: &Site) -> (&'static str, &'static str) {
    match headline(site).0 {
        "none" => ("operational", "#1a7f37"),
        "minor" => ("minor outage", "#9a6700"),
        "major" => ("partial outage", "#bc4c00"),
        "critical" => ("major outage", "#cf222e"),
        _ => ("maintenance", "#0969da"),
    }
}

fn badge_width(site: &Site) -> usize {
    // Roughly 7 px a character at 11 px Verdana, plus padding.
    let (text, _) = badge_text(site);
    44 + text.len() * 7 + 10
}

/// A small SVG badge: "status | operational", for a README or a wiki.
pub fn badge(site: &Site) -> String {
    let (text, colour) = badge_text(site);
    let w = badge_width(site);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"20\" role=\"img\" aria-label=\"status: {text}\">\
         <title>status: {text}</title>\
         <rect width=\"44\" height=\"20\" fill=\"#555\"/><rect x=\"44\" width=\"{rw}\" height=\"20\" fill=\"{colour}\"/>\
         <g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\">\
         <text x=\"6\" y=\"14\">status</text><text x=\"49\" y=\"14\">{text}</text></g></svg>\n",
        rw = w - 44,
    )
}
