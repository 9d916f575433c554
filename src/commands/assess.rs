//! `incident assess`: triage. The six impact questions and the CIA
//! checklist, answered in a terminal, by flags or by an answers file; then the
//! suggested severity, accepted or overridden. Recorded as one transaction:
//! the assessment, its `assessed` event, an `edited` event when the start
//! of impact it gives is not the incident's (the assessment sets it), and
//! a `severity_changed` event when the level changes.

use crate::answers::assess::{Draft, check_text};
use crate::config::Config;
use crate::context::Ctx;
use crate::domain::ops;
use crate::domain::triage::{
    self, Answers, Area, Assessment, CUSTOMERS, Customers, FACTORS, Factor, IMPACT, SEES, STARTED_AT,
    TICKETS, normalize_checks, normalize_factors, parse_tickets,
};
use crate::error::{Failure, usage};
use crate::prompt::{self, Cancelled, Prompter};
use crate::render;
use crate::store::{Access, ReadsExt};
use crate::text::one_line;
use crate::time;
use anyhow::Result;
use chrono::{DateTime, Local, Utc};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident assess INC-7
  incident assess INC-7 --customers some --check A2 --yes
  incident assess INC-7 --answers triage.toml")]
pub struct AssessArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,

    #[command(flatten)]
    pub answers: AnswerArgs,
}

/// Every answer the walk asks for, as flags. Flags override the answers file.
#[derive(Debug, Clone, Default, Args)]
pub struct AnswerArgs {
    /// What is the impact on customers (internal or external)?
    #[arg(long, value_name = "TEXT")]
    pub impact: Option<String>,

    /// What do customers see?
    #[arg(long, value_name = "TEXT")]
    pub sees: Option<String>,

    /// How many customers are affected
    #[arg(long, value_parser = crate::cli::named::<Customers>())]
    pub customers: Option<Customers>,

    /// When the impact started [default: the incident's start, or now]
    #[arg(long, value_name = "TIME")]
    pub started_at: Option<String>,

    /// How many support tickets customers have raised [default: 0]
    #[arg(long, value_name = "N")]
    pub tickets: Option<String>,

    /// Another factor: public attention, security, data loss (repeat or use commas)
    #[arg(long = "factor", value_parser = crate::cli::named::<Factor>(), value_delimiter = ',')]
    pub factors: Vec<Factor>,

    /// A checked CIA checklist item: C1–C4, I1–I5, A1–A6 (repeat or use commas)
    #[arg(long = "check", value_name = "ID", value_delimiter = ',')]
    pub checks: Vec<String>,

    /// Choose this severity instead of the suggestion
    #[arg(long, value_name = "LEVEL")]
    pub severity: Option<String>,

    /// Accept the suggested severity without asking
    #[arg(long, short)]
    pub yes: bool,

    /// Read the answers from a TOML file (see examples/assess-answers.toml)
    #[arg(long = "answers", value_name = "FILE")]
    pub file: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: AssessArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    assess(ctx, id, &args.answers, false)
}

/// Assesses incident `id`: used by `assess` and by `declare --assess`
/// (`just_declared`), whose cancelling says the incident stays declared.
pub fn assess(ctx: &Ctx, id: i64, args: &AnswerArgs, just_declared: bool) -> Result<()> {
    let config = ctx.config()?;
    let key = ctx.key(id)?;
    let mut draft = match &args.file {
        Some(path) => Draft::read(path, ctx.now, config)?,
        None => Draft::default(),
    };
    apply_flags(&mut draft, ctx, args)?;
    let severity = draft.severity.as_deref().map(|s| config.level(s)).transpose()?;
    let decided = severity.is_some() || args.yes;

    // Refuse a missing incident before asking anything.
    let (incident, previous) = {
        let store = ctx.open(Access::Read)?;
        (ctx.find(&store, id)?, store.assessment(id)?)
    };
    // The start offered and defaulted is the incident's, which the last
    // assessment set (or an edit since); for an incident assessed before
    // assessments set it, that assessment's answer; else now.
    let default_start = incident
        .started_at
        .or(previous.as_ref().map(|a| a.answers.started_at))
        .unwrap_or(ctx.now);

    let missing = draft.missing();
    let (answers, chosen) = if missing.is_empty() && decided {
        let answers = draft.complete(default_start);
        let suggested = suggested_level(config, &answers)?;
        let chosen = severity.map(|l| l.name.clone()).unwrap_or(suggested.0);
        (answers, chosen)
    } else if prompt::interactive() {
        match walk(
            ctx,
            config,
            &key,
            draft,
            Earlier {
                start: default_start,
                answers: previous.as_ref().map(|a| &a.answers),
            },
            severity.map(|l| l.name.clone()),
            args.yes,
        ) {
            Ok(done) => done,
            Err(e) if e.is::<Cancelled>() => {
                ctx.say(if just_declared {
                    format!(
                        "{key} is declared; its assessment was cancelled and not recorded. \
                         Assess it later: incident assess {key}"
                    )
                } else {
                    format!("{key}: assessment cancelled; nothing was recorded")
                });
                return Err(Failure::Silent(prompt::CANCELLED_EXIT).into());
            }
            Err(e) => return Err(e),
        }
    } else {
        let mut what: Vec<String> = missing
            .iter()
            .map(|q| crate::answers::assess::flag(q).to_string())
            .collect();
        if !decided {
            what.push("--yes (accept the suggestion) or --severity".into());
        }
        return Err(usage(format!(
            "no terminal to ask on, and {key}'s assessment is missing {}; give them as flags or in --answers FILE",
            what.join(", ")
        )));
    };
    record(ctx, config, id, &key, answers, chosen)
}

/// The suggested level and its reason, on the configured levels.
fn suggested_level(config: &Config, answers: &Answers) -> Result<(String, String)> {
    let suggestion = triage::suggest(answers);
    let levels = config.level_list();
    let level = triage::level_for(suggestion.tier, &levels)
        .ok_or_else(|| usage("the configuration defines no severity levels"))?;
    Ok((level.to_string(), suggestion.reason(level)))
}

fn record(ctx: &Ctx, config: &Config, id: i64, key: &str, answers: Answers, chosen: String) -> Result<()> {
    let (suggested, reason) = suggested_level(config, &answers)?;
    let now = ctx.now;
    let author = ctx.actor()?;
    let assessment = Assessment {
        id: 0,
        incident_id: id,
        event_id: 0,
        at: now,
        author,
        answers,
        suggested: suggested.clone(),
        reason: reason.clone(),
        severity: chosen.clone(),
    };
    let (store, committed) = ctx.write(|w| {
        let now = w.now();
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        let change = ops::assess(&incident, assessment, now).map_err(|r| ctx.refused(id, r))?;
        let severity = (change.incident.severity != incident.severity).then_some(incident.severity);
        let start = change
            .incident
            .started_at
            .filter(|t| incident.started_at != Some(*t));
        w.apply(change)?;
        Ok((severity, start))
    })?;
    if ctx.json() {
        return render::print_incident(ctx, &store, id, None);
    }
    let mut said = if chosen == suggested {
        format!("{key} assessed: {reason}")
    } else {
        format!("{key} assessed: {chosen} chosen (suggested {reason})")
    };
    let (severity, start) = committed.value;
    if let Some(from) = severity {
        said.push_str(&format!("; severity {from} → {chosen}"));
    }
    if let Some(start) = start {
        said.push_str(&format!("; impact from {}", time::human(start, &Local)));
    }
    ctx.say(one_line(&said));
    Ok(())
}

// ---- collecting answers ----------------------------------------------------

/// The answers given as flags, over those of the file.
fn apply_flags(draft: &mut Draft, ctx: &Ctx, a: &AnswerArgs) -> Result<()> {
    if let Some(text) = &a.impact {
        draft.impact = Some(check_text(&IMPACT, text).map_err(usage)?);
    }
    if let Some(text) = &a.sees {
        draft.sees = Some(check_text(&SEES, text).map_err(usage)?);
    }
    if let Some(c) = a.customers {
        draft.customers = Some(c);
    }
    if let Some(text) = &a.started_at {
        draft.started_at = Some(ctx.past_time(crate::answers::assess::flag(&STARTED_AT), text)?);
    }
    if let Some(text) = &a.tickets {
        draft.tickets = Some(parse_tickets(text).map_err(|e| usage(format!("--tickets: {e}")))?);
    }
    if !a.factors.is_empty() {
        draft.factors = Some(normalize_factors(&a.factors));
    }
    if !a.checks.is_empty() {
        draft.checked = Some(normalize_checks(&a.checks).map_err(|e| usage(format!("--check: {e}")))?);
    }
    if let Some(level) = &a.severity {
        draft.severity = Some(level.clone());
    }
    Ok(())
}

// ---- the walk ----------------------------------------------------------------

/// What the walk offers before anything is typed: the start of impact
/// known (or now), and the answers of the assessment before this one.
struct Earlier<'a> {
    start: DateTime<Utc>,
    answers: Option<&'a Answers>,
}

/// Asks, in a terminal, every question not yet answered, then the checklist
/// (unless given), then the severity (unless decided). A re-assessment
/// starts from every earlier answer, and the start of impact known; a
/// first one from the safe side: the number of customers `unknown`, the
/// start the incident's (or now).
fn walk(
    ctx: &Ctx,
    config: &Config,
    key: &str,
    mut d: Draft,
    earlier: Earlier,
    severity: Option<String>,
    yes: bool,
) -> Result<(Answers, String)> {
    let p = Prompter::new();
    let before = earlier.answers;
    let default_start = earlier.start;
    ctx.say(format!(
        "Assessing {key} (Esc or Ctrl-C cancels; nothing is recorded until the end)"
    ));
    if before.is_some() {
        ctx.say(
            "The earlier answers are filled in: Enter keeps one, typing replaces it, \
             and the arrows, Home, End and Backspace edit it.",
        );
    }
    if d.impact.is_none() {
        let initial = before.map(|a| a.impact.as_str());
        d.impact = Some(p.text(IMPACT.text, initial, |s| check_text(&IMPACT, s))?);
    }
    if d.sees.is_none() {
        let initial = before.map(|a| a.sees.as_str());
        d.sees = Some(p.text(SEES.text, initial, |s| check_text(&SEES, s))?);
    }
    if d.customers.is_none() {
        let items: Vec<String> = Customers::ALL.iter().map(|c| c.label().to_string()).collect();
        let start = before.map(|a| a.customers).unwrap_or(Customers::Unknown);
        let default = Customers::ALL.iter().position(|c| *c == start).unwrap_or(0);
        d.customers = Some(Customers::ALL[p.select(CUSTOMERS.text, &items, default)?]);
    }
    if d.started_at.is_none() {
        let default = if default_start == ctx.now {
            "now".to_string()
        } else {
            time::human(default_start, &Local)
        };
        d.started_at = Some(p.text(STARTED_AT.text, Some(&default), |s| {
            ctx.past_time("the start", s).map_err(|e| e.to_string())
        })?);
    }
    if d.tickets.is_none() {
        let default = before.map(|a| a.tickets).unwrap_or(0).to_string();
        d.tickets = Some(p.text(TICKETS.text, Some(&default), parse_tickets)?);
    }
    if d.factors.is_none() {
        let items: Vec<String> = Factor::ALL.iter().map(|f| f.label().to_string()).collect();
        let ticked: Vec<bool> = Factor::ALL
            .iter()
            .map(|f| before.is_some_and(|a| a.factors.contains(f)))
            .collect();
        let picked = p.multi(FACTORS.text, &items, &ticked)?;
        d.factors = Some(picked.into_iter().map(|i| Factor::ALL[i]).collect());
    }
    if d.checked.is_none() {
        let mut checked = Vec::new();
        for area in Area::ALL {
            let items: Vec<&triage::Item> = area.items().collect();
            let labels: Vec<String> = items.iter().map(|i| format!("{} {}", i.id, i.text)).collect();
            let ticked: Vec<bool> = items
                .iter()
                .map(|i| before.is_some_and(|a| a.checked.contains(&i.id)))
                .collect();
            let picked = p.multi(&format!("{}: tick what applies", area.title()), &labels, &ticked)?;
            checked.extend(picked.into_iter().map(|i| items[i].id));
        }
        d.checked = Some(normalize_checks(&checked).map_err(usage)?);
    }
    let answers = d.complete(default_start);
    let (suggested, reason) = suggested_level(config, &answers)?;
    let chosen = match severity {
        Some(level) => level,
        None if yes => suggested,
        None => {
            ctx.say(format!("Suggested: {reason}"));
            let levels = config.level_list();
            let items: Vec<String> = config
                .levels
                .iter()
                .map(|l| {
                    let short = l.description.split(':').next().unwrap_or_default();
                    let mark = if l.name == suggested { ", suggested" } else { "" };
                    if short.is_empty() {
                        format!("{}{mark}", l.name)
                    } else {
                        format!("{} ({short}){mark}", l.name)
                    }
                })
                .collect();
            let default = levels.iter().position(|l| *l == suggested).unwrap_or(0);
            let index = p.select("Severity (enter accepts the suggestion)", &items, default)?;
            levels[index].to_string()
        }
    };
    Ok((answers, chosen))
}
