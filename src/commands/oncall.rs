//! `incident oncall`: who is on call now and next for every schedule, the
//! coming shifts of one, overrides (someone standing in), and the shifts
//! as an iCalendar file, out for people's calendars or in from another
//! tool's rotation.

use crate::context::Ctx;
use crate::domain::oncall::{Override, Schedule, Turn};
use crate::domain::paging;
use crate::error::{not_found, usage};
use crate::output;
use crate::store::{Access, ReadsExt};
use crate::time::Lean;
use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use clap::{Args, Subcommand};
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
#[command(after_help = "\
Examples:
  incident oncall                       # every schedule: who now, who next
  incident oncall db --days 14          # the coming shifts of one
  incident oncall override db --who carol --from 'fri 18:00' --until 'mon 09:00'
  incident oncall export db --days 90 -o db-oncall.ics")]
pub struct OncallArgs {
    #[command(subcommand)]
    pub action: Option<OncallAction>,

    /// One schedule's coming shifts instead of everyone's now and next
    pub schedule: Option<String>,

    /// As at this time instead of now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,

    /// How many days of shifts to show (with SCHEDULE) [default: 7]
    #[arg(long, value_name = "N")]
    pub days: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum OncallAction {
    /// Someone stands in for a layer's shifts from one time to another (recorded with who arranged it)
    #[command(after_help = "\
Examples:
  incident oncall override db --who carol --from 'fri 18:00' --until 'mon 09:00'
  incident oncall override db --who dave --until 22:00 --layer secondary")]
    Override(OverrideArgs),
    /// Remove an override by its number (from 'incident oncall SCHEDULE')
    #[command(after_help = "\
Examples:
  incident oncall unoverride 3
  incident --json oncall db | jq '.overrides'")]
    Unoverride {
        /// The override's number
        id: i64,
    },
    /// Write a schedule's coming shifts as an iCalendar file
    #[command(after_help = "\
Examples:
  incident oncall export db -o db-oncall.ics
  incident oncall export db --days 365 > year.ics")]
    Export {
        /// The schedule
        schedule: String,
        /// How many days of shifts [default: 90]
        #[arg(long, value_name = "N", default_value_t = 90)]
        days: u32,
        /// Write to FILE instead of stdout
        #[arg(long, short, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// Read a rotation from an iCalendar file: each event becomes an override
    #[command(after_help = "\
Examples:
  incident oncall import db grafana-oncall.ics
  incident oncall import db goalert.ics --layer secondary")]
    Import {
        /// The schedule
        schedule: String,
        /// The .ics file ('-' reads stdin)
        file: std::path::PathBuf,
        /// The layer the shifts are for [default: the primary]
        #[arg(long, value_name = "NAME")]
        layer: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct OverrideArgs {
    /// The schedule
    pub schedule: String,
    /// Who stands in
    #[arg(long, value_name = "NAME")]
    pub who: String,
    /// From when [default: now]
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Until when
    #[arg(long, value_name = "TIME")]
    pub until: String,
    /// The layer [default: the primary]
    #[arg(long, value_name = "NAME")]
    pub layer: Option<String>,
}

#[derive(Serialize)]
struct NowView<'a> {
    schedule: &'a str,
    time_zone: &'a str,
    now: Vec<Turn>,
    next: Vec<Turn>,
    /// Open incidents paged from this schedule, and who holds each.
    holding: Vec<Held>,
}

#[derive(Serialize, Clone)]
struct Held {
    key: String,
    title: String,
    layer: String,
    person: String,
}

#[derive(Serialize)]
struct ShiftsView<'a> {
    schedule: &'a str,
    time_zone: &'a str,
    turns: &'a [Turn],
    overrides: &'a [Override],
}

pub fn run(ctx: &Ctx, args: OncallArgs) -> Result<()> {
    match args.action {
        Some(OncallAction::Override(o)) => add_override(ctx, o),
        Some(OncallAction::Unoverride { id }) => remove_override(ctx, id),
        Some(OncallAction::Export {
            schedule,
            days,
            output,
        }) => export(ctx, &schedule, days, output),
        Some(OncallAction::Import {
            schedule,
            file,
            layer,
        }) => import(ctx, &schedule, &file, layer),
        None => {
            let at = match &args.at {
                Some(t) => ctx.time("--at", t, Lean::Past)?,
                None => ctx.now,
            };
            match args.schedule {
                Some(name) => shifts(ctx, &name, at, args.days.unwrap_or(7)),
                None => overview(ctx, at),
            }
        }
    }
}

fn schedule<'c>(ctx: &'c Ctx, name: &str) -> Result<&'c Schedule> {
    let config = ctx.config()?;
    if config.schedules.is_empty() {
        return Err(usage(format!(
            "no [[schedules]] in {}; add one (docs/oncall.md)",
            config.describe_source()
        )));
    }
    config.schedules.iter().find(|s| s.name == name).ok_or_else(|| {
        usage(format!(
            "no schedule '{name}'; configured: {}",
            config
                .schedules
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

/// The local time of `t` in the schedule's zone, for people.
/// Below this many columns a shift's facts go on a line and its times
/// below, so no time is split across lines.
const NARROW: usize = 100;

fn narrow() -> bool {
    output::width().is_some_and(|w| w < NARROW)
}

fn local(s: &Schedule, t: DateTime<Utc>) -> String {
    t.with_timezone(&s.time_zone)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

fn overview(ctx: &Ctx, at: DateTime<Utc>) -> Result<()> {
    let config = ctx.config()?;
    if config.schedules.is_empty() {
        ctx.say(format!(
            "No [[schedules]] in {}; see docs/oncall.md.",
            config.describe_source()
        ));
        return Ok(());
    }
    let store = ctx.open(Access::Read)?;
    let overrides = store.overrides(None, at - Duration::days(30))?;
    let held = holding(ctx, &store, &overrides)?;
    let mut views = Vec::new();
    for s in &config.schedules {
        let now: Vec<Turn> = s
            .layers
            .iter()
            .filter_map(|l| s.on_call(Some(&l.name), at, &overrides))
            .collect();
        let next: Vec<Turn> = now
            .iter()
            .filter_map(|t| s.on_call(Some(&t.layer), t.until, &overrides))
            .collect();
        views.push(NowView {
            schedule: &s.name,
            time_zone: s.time_zone.name(),
            now,
            next,
            holding: held
                .iter()
                .filter(|(schedule, _)| *schedule == s.name)
                .map(|(_, h)| h.clone())
                .collect(),
        });
    }
    if ctx.json() {
        return output::print_json(&views);
    }
    let mut out = output::stdout();
    let narrow = narrow();
    for (v, s) in views.iter().zip(&config.schedules) {
        for (now, next) in v.now.iter().zip(&v.next) {
            let standing_in = if now.overridden { " (standing in)" } else { "" };
            let who = format!(
                "{}{standing_in} until {}; then {}",
                now.person,
                local(s, now.until),
                next.person
            );
            match narrow {
                // The schedule and layer on a line, who is on call below.
                true => {
                    output::write_wrapped(&mut out, "", &format!("{}  {}", v.schedule, now.layer))?;
                    output::write_wrapped(&mut out, "  ", &who)?;
                }
                false => {
                    output::write_wrapped(&mut out, "", &format!("{} {}: {who}", v.schedule, now.layer))?
                }
            }
        }
        for h in &v.holding {
            output::write_wrapped(
                &mut out,
                "  ",
                &format!(
                    "{} held by {} ({}): {}",
                    h.key,
                    h.person,
                    h.layer,
                    crate::text::one_line(&output::shown(&h.title))
                ),
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Open incidents paged from a schedule, by schedule: who holds each, as
/// its timeline says (the person paged, or the incoming one of a shift
/// change since), so an outgoing person sees what they hand over.
fn holding(ctx: &Ctx, store: &crate::store::Store, overrides: &[Override]) -> Result<Vec<(String, Held)>> {
    let config = ctx.config()?;
    if config.policies.is_empty() {
        return Ok(Vec::new());
    }
    let open = store.open_with_events(paging::KINDS)?;
    let mut out = Vec::new();
    for (incident, events, state) in paging::states(&open) {
        let Some(policy) = config.policies.iter().find(|p| p.name == state.policy) else {
            continue;
        };
        for (schedule, layer, person) in paging::holders(policy, &config.schedules, overrides, events) {
            let held = Held {
                key: ctx.key(incident.id)?,
                title: incident.title.clone(),
                layer,
                person,
            };
            out.push((schedule, held));
        }
    }
    Ok(out)
}

fn shifts(ctx: &Ctx, name: &str, at: DateTime<Utc>, days: u32) -> Result<()> {
    let s = schedule(ctx, name)?;
    let store = ctx.open(Access::Read)?;
    let overrides = store.overrides(Some(name), at)?;
    let until = at + Duration::days(i64::from(days.clamp(1, 3660)));
    let turns = s.turns(at, until, &overrides);
    if ctx.json() {
        return output::print_json(&ShiftsView {
            schedule: &s.name,
            time_zone: s.time_zone.name(),
            turns: &turns,
            overrides: &overrides,
        });
    }
    let mut out = output::stdout();
    let narrow = narrow();
    for t in &turns {
        let standing_in = if t.overridden { "  (standing in)" } else { "" };
        let who = format!("{}  {}{standing_in}", t.layer, t.person);
        let span = format!("{} → {}", local(s, t.from), local(s, t.until));
        match narrow {
            // The layer and person on a line, the span below.
            true => {
                output::write_wrapped(&mut out, "", &who)?;
                output::write_wrapped(&mut out, "  ", &span)?;
            }
            false => output::write_wrapped(
                &mut out,
                "",
                &format!("{}  {}  {span}{standing_in}", t.layer, t.person),
            )?,
        }
    }
    for o in &overrides {
        let what = format!("override {}: {} for {}", o.id, o.person, o.layer);
        let span = format!(
            "from {} to {}, arranged by {}",
            local(s, o.from),
            local(s, o.until),
            o.by
        );
        match narrow {
            true => {
                output::write_wrapped(&mut out, "", &what)?;
                output::write_wrapped(&mut out, "  ", &span)?;
            }
            false => output::write_wrapped(&mut out, "", &format!("{what} {span}"))?,
        }
    }
    out.flush()?;
    Ok(())
}

/// The layer named (the primary when `None`), checked.
fn layer_of(s: &Schedule, layer: Option<String>) -> Result<String> {
    match layer {
        None => Ok(s.layers[0].name.clone()),
        Some(l) if s.layers.iter().any(|x| x.name == l) => Ok(l),
        Some(l) => Err(usage(format!(
            "schedule '{}' has no layer '{l}'; it has: {}",
            s.name,
            s.layers
                .iter()
                .map(|x| x.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Everyone the configuration knows, with their e-mail addresses.
fn people(ctx: &Ctx) -> Result<Vec<(String, Option<String>)>> {
    let config = ctx.config()?;
    let mut people: Vec<(String, Option<String>)> = config
        .people
        .iter()
        .map(|(n, p)| (n.clone(), p.email.clone()))
        .collect();
    for s in &config.schedules {
        for l in &s.layers {
            for p in &l.people {
                if !people.iter().any(|(n, _)| n == p) {
                    people.push((p.clone(), None));
                }
            }
        }
    }
    Ok(people)
}

fn add_override(ctx: &Ctx, args: OverrideArgs) -> Result<()> {
    let s = schedule(ctx, &args.schedule)?;
    let layer = layer_of(s, args.layer)?;
    let known = people(ctx)?;
    if !known.iter().any(|(n, _)| *n == args.who) {
        return Err(usage(format!(
            "'{}' is not in [people] or any schedule; add them to the configuration first",
            args.who
        )));
    }
    let from = match &args.from {
        Some(t) => ctx.time("--from", t, Lean::Future)?,
        None => ctx.now,
    };
    let until = ctx.time("--until", &args.until, Lean::Future)?;
    if until <= from {
        return Err(usage(format!(
            "--until {} is not after --from; give when the stand-in ends",
            args.until
        )));
    }
    let by = ctx.actor()?;
    let mut store = ctx.open(Access::Write)?;
    let o = Override {
        id: 0,
        schedule: s.name.clone(),
        layer,
        person: args.who,
        from,
        until,
        by: by.clone(),
        at: ctx.now,
    };
    let id = store
        .write(&by, crate::context::clock, |w| {
            w.transaction().insert_override(&o)
        })?
        .value;
    if ctx.json() {
        return output::print_json(&Override { id, ..o });
    }
    ctx.say(format!(
        "override {id}: {} takes {} {} from {} to {}",
        o.person,
        o.schedule,
        o.layer,
        local(s, o.from),
        local(s, o.until)
    ));
    Ok(())
}

fn remove_override(ctx: &Ctx, id: i64) -> Result<()> {
    let mut store = ctx.open(Access::Write)?;
    let by = ctx.actor()?;
    let gone = store
        .write(&by, crate::context::clock, |w| {
            w.transaction().delete_override(id)
        })?
        .value;
    match gone {
        true => {
            ctx.say(format!("override {id} removed"));
            Ok(())
        }
        false => Err(not_found(format!(
            "no override {id}; 'incident oncall SCHEDULE' lists them"
        ))),
    }
}

fn export(ctx: &Ctx, name: &str, days: u32, to: Option<std::path::PathBuf>) -> Result<()> {
    let s = schedule(ctx, name)?;
    let store = ctx.open(Access::Read)?;
    let overrides = store.overrides(Some(name), ctx.now)?;
    let turns = s.turns(
        ctx.now,
        ctx.now + Duration::days(i64::from(days.clamp(1, 3660))),
        &overrides,
    );
    let text = crate::oncall::ics::export(&s.name, &turns, ctx.now);
    match to {
        Some(path) => {
            output::write_private(&path, |w| Ok(w.write_all(text.as_bytes())?))?;
            ctx.say(format!(
                "Wrote {} shifts of {name} to {}",
                turns.len(),
                path.display()
            ));
        }
        None => {
            let mut out = output::stdout();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(())
}

fn import(ctx: &Ctx, name: &str, file: &std::path::Path, layer: Option<String>) -> Result<()> {
    let s = schedule(ctx, name)?;
    let given = layer.is_some();
    let layer = layer_of(s, layer)?;
    let text = match file.to_str() {
        Some("-") => std::io::read_to_string(std::io::stdin())?,
        _ => std::fs::read_to_string(file)
            .map_err(|e| usage(format!("cannot read {}: {e}", file.display())))?,
    };
    let shifts = crate::oncall::ics::import(&text, &people(ctx)?)
        .map_err(|e| usage(format!("{}: {e}", file.display())))?;
    let by = ctx.actor()?;
    let mut store = ctx.open(Access::Write)?;
    let now = ctx.now;
    let count = shifts.len();
    store.write(&by, crate::context::clock, |w| {
        for shift in shifts {
            // Our own export says each shift's layer; --layer wins.
            let layer = match (&shift.layer, given) {
                (Some(l), false) if s.layers.iter().any(|x| &x.name == l) => l.clone(),
                _ => layer.clone(),
            };
            w.transaction().insert_override(&Override {
                id: 0,
                schedule: s.name.clone(),
                layer,
                person: shift.person,
                from: shift.from,
                until: shift.until,
                by: by.clone(),
                at: now,
            })?;
        }
        Ok(())
    })?;
    ctx.say(format!("Imported {count} shifts into {name} as overrides"));
    Ok(())
}
