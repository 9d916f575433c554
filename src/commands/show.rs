//! `incident show`: everything about one incident.

use crate::context::Ctx;
use crate::domain::retro::{ActionItem, ActionStatus, Retro, format_action_id};
use crate::domain::targets::Targets;
use crate::domain::triage::Assessment;
use crate::domain::{Event, EventKind, Incident, Status, plans};
use crate::follow::Layout;
use crate::output;
use crate::render;
use crate::store::Access;
use crate::text::{one_line, safe};
use crate::time::{compact, human};
use anyhow::Result;
use chrono::Local;
use clap::Args;
use comfy_table::Cell;
use std::io::Write;

/// Below this many columns the timeline is a list, not a table: the text
/// column would be a few characters wide.
const NARROW: usize = 80;

/// How many timeline entries a person sees by default: the page `list`
/// uses, about a screen, the newest last. The rest are counted.
const DEFAULT_EVENTS: usize = output::DEFAULT_ROWS;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident show INC-7
  incident show INC-7 -n 0
  incident show INC-7 -f")]
pub struct ShowArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,

    /// Show only the latest N timeline entries (0: all) [default: 50, or all with --json]
    #[arg(long, short = 'n', value_name = "N")]
    pub limit: Option<usize>,

    /// Then print each new timeline entry as teammates add it, until Ctrl-C
    #[arg(long, short = 'f')]
    pub follow: bool,
}

pub fn run(ctx: &Ctx, args: ShowArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    let store = ctx.open(Access::Read)?;
    let cursor = match args.follow {
        true => crate::follow::start(&store)?,
        false => 0,
    };
    if ctx.json() {
        render::print_incident(ctx, &store, id, args.limit)?;
        if args.follow {
            crate::follow::follow(ctx, store, Some(id), cursor, &Layout::Plain)?;
        }
        return Ok(());
    }
    let limit = match args.limit.unwrap_or(DEFAULT_EVENTS) {
        0 => None,
        n => Some(n),
    };
    let d = crate::store::dossier::read(&*store, id, limit)?.ok_or_else(|| ctx.missing(id))?;
    let incident = &d.incident;
    let targets = render::targets_from(ctx, incident, &d.facts)?;
    let (checklist, recent) = render::plans_of(incident, d.plans);
    let mut out = output::stdout();
    write_details(ctx, &mut out, incident, d.primary.as_ref(), &targets, &d.alerts)?;
    if let Some(a) = &d.assessment {
        write_assessment(&mut out, a)?;
    }
    write_plans(ctx, &mut out, incident, checklist.as_ref(), &recent)?;
    write_follow_up(ctx, &mut out, incident, d.retro.as_ref(), &d.actions)?;
    write_similar(ctx, &mut out, &*store, incident)?;
    let prefix = &ctx.config()?.key_prefix;
    let imported = |e: &Event| {
        d.renumbered
            .get(&e.id)
            .map(|r| r.describe(|n| crate::domain::key::format(prefix, n)))
    };
    let layout = write_timeline(&mut out, incident, &d.timeline, d.total, &imported, args.follow)?;
    out.flush()?;
    drop(out);
    if args.follow {
        crate::follow::follow(ctx, store, Some(id), cursor, &layout)?;
    }
    Ok(())
}

/// `primary`: the incident a duplicate points to.
fn write_details(
    ctx: &Ctx,
    out: &mut impl Write,
    i: &Incident,
    primary: Option<&Incident>,
    targets: &Targets,
    alerts: &[crate::domain::alerts::Alert],
) -> Result<()> {
    let config = ctx.config()?;
    let key = ctx.key(i.id)?;
    let now = ctx.now;
    let title = match i.drill {
        true => format!("[DRILL] {}", i.title),
        false => i.title.clone(),
    };
    output::write_wrapped(out, &format!("{key}  "), &one_line(&title))?;
    let mut field = |name: &str, value: String| output::write_wrapped(out, &format!("  {name:<12} "), &value);
    if i.drill {
        field(
            "drill",
            "a rehearsal: left out of stats, guard and check's exit status".into(),
        )?;
    }
    let severity = match config.levels.iter().find(|l| l.name == i.severity) {
        Some(level) if !level.description.is_empty() => {
            let short = level.description.split(':').next().unwrap_or_default();
            format!("{} ({short})", i.severity)
        }
        _ => i.severity.clone(),
    };
    field("status", i.status.to_string())?;
    if let Some(p) = primary {
        field(
            "duplicate of",
            format!("{}  {}", ctx.key(p.id)?, one_line(&p.title)),
        )?;
    }
    field("severity", severity)?;
    field("category", i.category.to_string())?;
    if !i.services.is_empty() {
        field("services", one_line(&i.services.join(", ")).into_owned())?;
    }
    let open_for = i.resolved_at.unwrap_or(now) - i.declared_at;
    field(
        "declared",
        format!(
            "{} ({} ago)",
            human(i.declared_at, &Local),
            compact(now - i.declared_at)
        ),
    )?;
    if let Some(t) = i.started_at {
        field("impact from", human(t, &Local))?;
    }
    if let Some(d) = i.detected_by {
        field("detected by", d.to_string())?;
    }
    // The alerts tied to it: how many still fire, and the first one's link.
    if let Some(first) = alerts.iter().min_by_key(|a| (a.first_seen, a.id)) {
        let firing = alerts
            .iter()
            .filter(|a| a.status == crate::domain::alerts::AlertStatus::Firing)
            .count();
        let link = first.link.as_deref().map(|l| format!(" {l}")).unwrap_or_default();
        field(
            "alerts",
            one_line(&format!(
                "{} ({firing} firing); first: alert {} from {}{link}",
                alerts.len(),
                first.id,
                first.source
            ))
            .into_owned(),
        )?;
    }
    if let Some(t) = i.resolved_at {
        // The first resolution, kept when the incident is reopened.
        let reopened = match i.status.is_open() {
            true => "; reopened since",
            false => "",
        };
        field(
            "resolved",
            format!("{} (after {}{reopened})", human(t, &Local), compact(open_for)),
        )?;
    }
    if let Some(t) = i.closed_at {
        field("closed", human(t, &Local))?;
    }
    // The same deadline `check` reports: the cadence or the promise.
    if let Some(last) = &targets.last_update {
        let external = if last.kind == EventKind::StatusUpdate {
            "external"
        } else {
            last.kind.as_str()
        };
        field(
            "last update",
            format!(
                "{} ({} ago, {external}, by {})",
                human(last.at, &Local),
                compact(now - last.at),
                one_line(&last.author)
            ),
        )?;
    }
    if let Some(next) = targets.next_update() {
        field("next update", render::when(next.due, now))?;
    }
    for link in &i.channels {
        field("channel", one_line(link).into_owned())?;
    }
    if !i.tags.is_empty() {
        field(
            "tags",
            one_line(&plans::tag_list(&i.tags).join(", ")).into_owned(),
        )?;
    }
    if let Some(s) = &i.summary {
        field("summary", one_line(s).into_owned())?;
    }
    if let Some(s) = &i.resolution {
        field("resolution", one_line(s).into_owned())?;
    }
    writeln!(out)?;
    write_roles(ctx, out, i, &key)
}

/// The role holders: configured roles in configuration order, ad-hoc ones
/// after, each role's people in order of assignment.
fn write_roles(ctx: &Ctx, out: &mut impl Write, i: &Incident, key: &str) -> Result<()> {
    let config = ctx.config()?;
    if i.roles.is_empty() {
        let hint = format!("none yet (incident assign-role {key} commander NAME)");
        output::write_wrapped(out, "Roles: ", &hint)?;
    } else {
        writeln!(out, "Roles")?;
        // Roles in configuration order, people in order of assignment.
        for role in &config.roles {
            let people: Vec<&str> = i
                .roles
                .iter()
                .filter(|h| h.role == role.name)
                .map(|h| h.person.as_str())
                .collect();
            if !people.is_empty() {
                output::write_wrapped(
                    out,
                    &format!("  {:<16} ", role.name),
                    &one_line(&people.join(", ")),
                )?;
            }
        }
        // Ad-hoc roles (assigned without configuring them), in order of
        // first assignment, their people together.
        let mut ad_hoc: Vec<(&str, Vec<&str>)> = Vec::new();
        for h in i.roles.iter().filter(|h| config.role(&h.role).is_err()) {
            match ad_hoc.iter_mut().find(|(role, _)| *role == h.role) {
                Some((_, people)) => people.push(&h.person),
                None => ad_hoc.push((&h.role, vec![&h.person])),
            }
        }
        for (role, people) in ad_hoc {
            output::write_wrapped(
                out,
                &format!("  {:<16} ", one_line(&output::shown(role))),
                &one_line(&people.join(", ")),
            )?;
        }
    }
    writeln!(out)?;
    Ok(())
}

/// The playbook's progress and the changes recorded just before the
/// incident.
fn write_plans(
    ctx: &Ctx,
    out: &mut impl Write,
    i: &Incident,
    checklist: Option<&plans::Checklist>,
    recent: &[plans::ChangeRecord],
) -> Result<()> {
    let key = ctx.key(i.id)?;
    if let Some(list) = checklist {
        let late = list.tasks.iter().filter(|t| t.is_late(ctx.now)).count();
        let mut head = format!("Playbook {}: {}", list.playbook, list.progress_text());
        if late > 0 {
            head.push_str(&format!(", {late} LATE"));
        }
        head.push_str(&format!(" (incident task {key})"));
        output::write_wrapped(out, "", &one_line(&head))?;
        let unfilled = list.unfilled(i);
        if !unfilled.is_empty() {
            output::write_wrapped(out, "  roles to fill ", &unfilled.join(", "))?;
        }
        if let Some(next) = list.tasks.iter().find(|t| t.is_open()) {
            output::write_wrapped(
                out,
                "  next         ",
                &one_line(&format!("{}. {}", next.number, next.title)),
            )?;
        }
        writeln!(out)?;
    }
    if !recent.is_empty() {
        writeln!(out, "Recent changes")?;
        for c in recent {
            let mut line = format!(
                "{}  {} {}  {}",
                human(c.at, &Local),
                c.kind,
                c.services.join(","),
                c.title
            );
            if let Some(link) = &c.link {
                line.push_str(&format!("  {link}"));
            }
            output::write_wrapped(out, "  ", &one_line(&output::shown(&line)))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The current assessment: the answers, the checked items in their full
/// wording, and the suggested against the chosen severity.
fn write_assessment(out: &mut impl Write, a: &Assessment) -> Result<()> {
    let answers = &a.answers;
    let head = format!("Assessment ({}, {})", one_line(&a.author), human(a.at, &Local));
    output::write_wrapped(out, "", &head)?;
    let mut field = |name: &str, value: &str| output::write_wrapped(out, &format!("  {name:<14} "), value);
    field("suggested", &one_line(&a.reason))?;
    field("chosen", &one_line(&a.severity))?;
    field("impact", &one_line(&answers.impact))?;
    field("customers see", &one_line(&answers.sees))?;
    field("customers", answers.customers.label())?;
    field("impact from", &human(answers.started_at, &Local))?;
    field("tickets", &answers.tickets.to_string())?;
    let factors: Vec<&str> = answers.factors.iter().map(|f| f.label()).collect();
    let factors = if factors.is_empty() {
        "none".to_string()
    } else {
        factors.join(", ")
    };
    field("factors", &factors)?;
    let mut first = true;
    for item in answers.checked_items() {
        let label = if first { "checked" } else { "" };
        output::write_wrapped(out, &format!("  {label:<14} {} ", item.id), item.text)?;
        first = false;
    }
    if first {
        writeln!(out, "  {:<14} nothing on the CIA checklist", "checked")?;
    }
    writeln!(out)?;
    Ok(())
}

/// Where the retrospective stands and the incident's action items, once
/// there is anything to say.
fn write_follow_up(
    ctx: &Ctx,
    out: &mut impl Write,
    i: &Incident,
    retro: Option<&Retro>,
    actions: &[ActionItem],
) -> Result<()> {
    if retro.is_none() && actions.is_empty() {
        return Ok(());
    }
    let key = ctx.key(i.id)?;
    let state = match (&retro, i.status) {
        (_, Status::Closed) => "complete".to_string(),
        (Some(r), _) => match &r.root_cause {
            Some(cause) => format!("in progress; root cause: {}", one_line(cause)),
            None => "in progress; no root cause yet".to_string(),
        },
        (None, _) => "not started".to_string(),
    };
    output::write_wrapped(
        out,
        "Retrospective: ",
        &format!("{state} (incident retro {key} --export md)"),
    )?;
    let today = ctx.now.with_timezone(&Local).date_naive();
    for a in actions {
        let status = match a.status {
            ActionStatus::Done => "done".to_string(),
            _ if a.is_overdue(today) => "OVERDUE".to_string(),
            _ => "open".to_string(),
        };
        let head = format!(
            "  {:<5} {:<8} due {}  {:<10} ",
            format_action_id(a.id),
            status,
            a.due,
            one_line(&output::shown(&a.owner)),
        );
        if output::width().is_some_and(|w| w < 80) {
            // The text would have a few columns beside the facts: below them.
            output::write_wrapped(out, "  ", head.trim())?;
            output::write_wrapped(out, "        ", &one_line(&a.text))?;
        } else {
            output::write_wrapped(out, &head, &one_line(&a.text))?;
        }
    }
    writeln!(out)?;
    Ok(())
}

/// The past incidents most like it ("we saw this before"), from the
/// recent window ([`crate::store::similar::WINDOW`]).
fn write_similar(
    ctx: &Ctx,
    out: &mut impl Write,
    store: &(impl crate::store::Reads + ?Sized),
    i: &Incident,
) -> Result<()> {
    let related = crate::store::similar::read(
        store,
        i,
        crate::store::similar::Scope::Recent,
        Some(crate::domain::similar::SHOWN),
    )?;
    if related.is_empty() {
        return Ok(());
    }
    let key = ctx.key(i.id)?;
    output::write_wrapped(out, "", &format!("Seen before (incident similar {key})"))?;
    for line in render::similar_lines(ctx, &related)? {
        output::write_wrapped(out, "  ", &line)?;
    }
    writeln!(out)?;
    Ok(())
}

/// `imported`: for an event imported with other numbers, what they are here.
fn write_timeline(
    out: &mut impl Write,
    incident: &Incident,
    events: &[Event],
    total: usize,
    imported: &dyn Fn(&Event) -> Option<String>,
    follow: bool,
) -> Result<Layout> {
    if events.len() < total {
        let head = format!(
            "Timeline ({} earlier entries not shown; --limit 0 shows all {total})",
            total - events.len()
        );
        output::write_wrapped(out, "", &head)?;
    } else {
        writeln!(out, "Timeline")?;
    }
    let unfinished = crate::domain::event::unfinished_runs(events);
    let text = |e: &Event| {
        let words = match (e.added_after_closing(incident), unfinished.contains(&e.id)) {
            (_, true) => format!(
                "{} (no end recorded: still running, or never finished)",
                safe(&output::shown(&e.text))
            ),
            (true, false) => format!("{} (added after closing)", safe(&output::shown(&e.text))),
            (false, false) => safe(&output::shown(&e.text)).into_owned(),
        };
        match imported(e) {
            Some(numbers) => format!("{words} (imported: {numbers})"),
            None => words,
        }
    };
    if output::width().is_some_and(|w| w < NARROW) {
        // Too narrow for a table: each entry's time, author and kind on a
        // line, its text below, indented.
        for e in events {
            let head = format!(
                "{}  {}  {}",
                human(e.at, &Local),
                one_line(&output::shown(&e.author)),
                e.kind().as_str()
            );
            output::write_wrapped(out, "", &head)?;
            for line in text(e).lines() {
                output::write_wrapped(out, "  ", line)?;
            }
        }
        return Ok(Layout::Stacked);
    }
    let mut table = output::table(["TIME", "WHO", "KIND", "WHAT"]);
    for e in events {
        table.add_row(vec![
            Cell::new(human(e.at, &Local)),
            Cell::new(one_line(&output::shown(&e.author))),
            Cell::new(e.kind().as_str()),
            Cell::new(text(e)),
        ]);
    }
    // Time and kind stay whole; who and what wrap.
    output::keep_whole(&mut table, &[0, 2]);
    if follow {
        // Room for the authors and kinds of the entries to come, which go
        // under these columns.
        use comfy_table::{ColumnConstraint::LowerBoundary, Width::Fixed};
        for (i, width) in [(1, crate::follow::WHO_WIDTH), (2, crate::follow::kind_width())] {
            if let Some(column) = table.column_mut(i) {
                // The width counts the cell's padding, a space each side.
                column.set_constraint(LowerBoundary(Fixed(width as u16 + 2)));
            }
        }
    }
    // What `--follow` prints next goes under the same columns.
    let header = output::print_table_header(out, &table)?;
    Ok(header.map(|h| Layout::under(&h)).unwrap_or(Layout::Plain))
}
