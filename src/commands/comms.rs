//! `incident comms`: the latest customer-facing update, ready to paste into
//! a status page or an email; `--draft` prints a template for the next one.

use crate::context::Ctx;
use crate::domain::{Event, EventKind, Incident, Status};
use crate::error::{not_found, usage};
use crate::output;
use crate::render::{self, when};
use crate::store::Access;
use crate::store::ReadsExt;
use crate::text::{one_line, safe};
use crate::time::{self, human, to_rfc3339};
use anyhow::Result;
use chrono::{DateTime, Local, TimeZone, Utc};
use clap::Args;
use serde::Serialize;
use std::fmt::Display;
use std::io::Write;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident comms INC-7
  incident comms INC-7 --draft --next-update 30m")]
pub struct CommsArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,

    /// Print a template for the next update instead
    #[arg(long)]
    pub draft: bool,

    /// With --draft: when the update after it will come (30m, 14:30)
    /// [default: the severity's update cadence from now]
    #[arg(long, value_name = "WHEN", requires = "draft")]
    pub next_update: Option<String>,
}

#[derive(Serialize)]
struct LatestView<'a> {
    key: &'a str,
    at: String,
    author: &'a str,
    text: &'a str,
    /// What the update promised, if it did.
    next_update_at: Option<String>,
    /// When the next update is due by the response targets (`check`).
    next_update_due: Option<String>,
}

#[derive(Serialize)]
struct DraftView<'a> {
    key: &'a str,
    draft: &'a str,
    next_update_at: Option<String>,
}

pub fn run(ctx: &Ctx, args: CommsArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    let config = ctx.config()?;
    let store = ctx.open(Access::Read)?;
    let incident = ctx.find(&store, id)?;
    let key = ctx.key(id)?;
    let targets = render::targets_of(ctx, &store, &incident)?;
    let due = targets.next_update().map(|d| d.due);
    let latest = store.latest_event(id, &[EventKind::StatusUpdate])?;

    if args.draft {
        let next = match &args.next_update {
            Some(text) => Some(
                time::parse_deadline(text, ctx.now, &Local)
                    .map(time::truncate)
                    .map_err(|e| usage(format!("--next-update: {e}")))?,
            ),
            None if incident.status.is_open() => config
                .levels
                .iter()
                .find(|l| l.name == incident.severity)
                .and_then(|l| l.update)
                .map(|every| ctx.now + every)
                .or(due),
            None => None,
        };
        let text = draft(&key, &incident, latest.as_ref(), next, &Local);
        if ctx.json() {
            return output::print_json(&DraftView {
                key: &key,
                draft: &text,
                next_update_at: next.map(to_rfc3339),
            });
        }
        let mut out = output::stdout();
        write!(out, "{}", safe(&text))?;
        out.flush()?;
        if let Some(due) = due {
            ctx.say(format!("{key}: this update is due {}", when(due, ctx.now)));
        }
        return Ok(());
    }

    let Some(event) = latest else {
        return Err(not_found(format!(
            "{key} has no external update yet; post one with 'incident update {key} \"…\" --external --next-update 30m', or draft it with 'incident comms {key} --draft'"
        )));
    };
    let promised = event.data.as_update().flatten();
    if ctx.json() {
        return output::print_json(&LatestView {
            key: &key,
            at: to_rfc3339(event.at),
            author: &event.author,
            text: &event.text,
            next_update_at: promised.map(to_rfc3339),
            next_update_due: due.map(to_rfc3339),
        });
    }
    let mut out = output::stdout();
    writeln!(out, "{}", safe(&event.text))?;
    out.flush()?;
    let mut said = format!(
        "{key}: external update of {} by {}",
        human(event.at, &Local),
        one_line(&event.author)
    );
    if let Some(due) = due {
        said.push_str(&format!("; the next is due {}", when(due, ctx.now)));
    }
    ctx.say(said);
    Ok(())
}

/// The template for the next customer-facing update. Angle brackets mark
/// what a person must write; the rest comes from the record.
pub fn draft<Tz: TimeZone>(
    key: &str,
    i: &Incident,
    last: Option<&Event>,
    next: Option<DateTime<Utc>>,
    tz: &Tz,
) -> String
where
    Tz::Offset: Display,
{
    // Customers read these: a zone they can place, "UTC" rather than "UTC+00:00".
    let stamp = |t: DateTime<Utc>| {
        let local = t.with_timezone(tz);
        let offset = local.format("%:z").to_string();
        let zone = if offset == "+00:00" { String::new() } else { offset };
        format!("{} UTC{zone}", local.format("%Y-%m-%d %H:%M"))
    };
    let mut out = format!(
        "[{key}] {} ({}, {})\n\n",
        one_line(&i.title),
        i.severity,
        i.status
    );
    let since = i.started_at.unwrap_or(i.declared_at);
    out.push_str(&format!(
        "What happened: <what customers see> since {}",
        stamp(since)
    ));
    if !i.services.is_empty() {
        out.push_str(&format!(", affecting {}", i.services.join(", ")));
    }
    out.push_str(".\n\n");
    let status = match i.status {
        Status::Investigating => "We are investigating the cause.",
        Status::Identified => "We have identified the cause and are working on a fix.",
        Status::Mitigated => "A fix is in place and we are monitoring the results.",
        Status::Resolved | Status::Closed => "This incident has been resolved.",
        Status::Canceled => "This was not an incident after all; nothing was affected.",
        Status::Duplicate => "This incident is tracked under another one.",
    };
    out.push_str(&format!(
        "Current status: {status} <what changed since the last update>\n\n"
    ));
    if let Some(e) = last {
        // As written, line breaks too; printing neutralises control characters.
        out.push_str(&format!("Last update ({}): {}\n\n", stamp(e.at), e.text.trim()));
    }
    match (i.status.is_open(), next) {
        (_, Some(t)) => out.push_str(&format!("Next update: by {}.\n", stamp(t))),
        (true, None) => out.push_str("Next update: <when>.\n"),
        (false, None) => out.push_str("No further updates are planned.\n"),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn incident() -> Incident {
        Incident {
            status: Status::Identified,
            services: vec!["checkout".into()],
            started_at: Some(at("2026-11-23T07:45:00Z")),
            declared_at: at("2026-11-23T08:00:00Z"),
            ..Incident::example()
        }
    }

    #[test]
    fn a_draft_has_what_happened_the_status_and_the_next_update() {
        let last = Event {
            id: 4,
            incident_id: 1,
            at: at("2026-11-23T08:30:00Z"),
            recorded_at: at("2026-11-23T08:30:00Z"),
            author: "alice".into(),
            text: "Checkout is failing\nfor some customers".into(),
            data: crate::domain::EventData::StatusUpdate(None),
        };
        let text = draft(
            "INC-1",
            &incident(),
            Some(&last),
            Some(at("2026-11-23T10:00:00Z")),
            &Utc,
        );
        assert_eq!(
            text,
            "[INC-1] Checkout returns 500s (SEV1, identified)\n\n\
             What happened: <what customers see> since 2026-11-23 07:45 UTC, affecting checkout.\n\n\
             Current status: We have identified the cause and are working on a fix. <what changed since the last update>\n\n\
             Last update (2026-11-23 08:30 UTC): Checkout is failing\nfor some customers\n\n\
             Next update: by 2026-11-23 10:00 UTC.\n"
        );
    }

    #[test]
    fn without_a_next_time_the_draft_asks_for_one_or_says_none_is_planned() {
        let mut i = incident();
        assert!(draft("INC-1", &i, None, None, &Utc).ends_with("Next update: <when>.\n"));
        i.status = Status::Resolved;
        let text = draft("INC-1", &i, None, None, &Utc);
        assert!(text.contains("This incident has been resolved."), "{text}");
        assert!(text.ends_with("No further updates are planned.\n"), "{text}");
        assert!(!text.contains("Last update"));
    }
}
