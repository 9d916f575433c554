//! `incident assess`: triage. The six impact questions and the CIA
//! checklist, answered in a terminal, by flags or by an answers file; then the
//! suggested severity, accepted or overridden. Recorded as one transaction:
//! the assessment, its `assessed` event and, when the level changes, a
//! `severity_changed` event.

use crate::config::{Config, toml_error, toml_located};
use crate::context::Ctx;
use crate::domain::ops;
use crate::domain::triage::{
    self, Answers, Area, Assessment, CUSTOMERS, Customers, FACTORS, Factor, IMPACT, Question, SEES,
    STARTED_AT, TICKETS, normalize_checks, normalize_factors, parse_tickets,
};
use crate::error::{Failure, usage};
use crate::prompt::{self, Cancelled, Prompter};
use crate::render;
use crate::store::Access;
use crate::store::ReadsExt;
use crate::text::{non_blank, one_line};
use crate::time;
use anyhow::Result;
use chrono::{DateTime, Local, Utc};
use clap::Args;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Debug, Args)]
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
        Some(path) => Draft::from_file(ctx, path)?,
        None => Draft::default(),
    };
    draft.apply_flags(ctx, args)?;
    let severity = draft.severity.as_deref().map(|s| config.level(s)).transpose()?;
    let decided = severity.is_some() || args.yes;

    // Refuse a missing incident before asking anything.
    let (incident, previous) = {
        let store = ctx.open(Access::Read)?;
        (ctx.find(&store, id)?, store.assessment(id)?)
    };
    let default_start = incident.started_at.unwrap_or(ctx.now);

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
        let mut what: Vec<String> = missing.iter().map(|q| flag(q).to_string()).collect();
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
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        let change = ops::assess(&incident, assessment, now).map_err(|r| ctx.refused(id, r))?;
        let changed = (change.incident.severity != incident.severity).then_some(incident.severity);
        w.apply(change)?;
        Ok(changed)
    })?;
    if ctx.json() {
        return render::print_incident(ctx, &store, id, None);
    }
    let mut said = if chosen == suggested {
        format!("{key} assessed: {reason}")
    } else {
        format!("{key} assessed: {chosen} chosen (suggested {reason})")
    };
    if let Some(from) = committed.value {
        said.push_str(&format!("; severity {from} → {chosen}"));
    }
    ctx.say(one_line(&said));
    Ok(())
}

// ---- collecting answers ----------------------------------------------------

/// Answers collected so far, each already validated; `None` is unanswered.
#[derive(Debug, Default)]
pub struct Draft {
    impact: Option<String>,
    sees: Option<String>,
    customers: Option<Customers>,
    started_at: Option<DateTime<Utc>>,
    tickets: Option<u32>,
    factors: Option<Vec<Factor>>,
    checked: Option<Vec<&'static str>>,
    severity: Option<String>,
}

impl Draft {
    fn apply_flags(&mut self, ctx: &Ctx, a: &AnswerArgs) -> Result<()> {
        if let Some(text) = &a.impact {
            self.impact = Some(check_text(&IMPACT, text).map_err(usage)?);
        }
        if let Some(text) = &a.sees {
            self.sees = Some(check_text(&SEES, text).map_err(usage)?);
        }
        if let Some(c) = a.customers {
            self.customers = Some(c);
        }
        if let Some(text) = &a.started_at {
            self.started_at = Some(ctx.past_time(flag(&STARTED_AT), text)?);
        }
        if let Some(text) = &a.tickets {
            self.tickets = Some(parse_tickets(text).map_err(|e| usage(format!("--tickets: {e}")))?);
        }
        if !a.factors.is_empty() {
            self.factors = Some(normalize_factors(&a.factors));
        }
        if !a.checks.is_empty() {
            self.checked = Some(normalize_checks(&a.checks).map_err(|e| usage(format!("--check: {e}")))?);
        }
        if let Some(level) = &a.severity {
            self.severity = Some(level.clone());
        }
        Ok(())
    }

    /// The required questions nobody answered. The rest have defaults:
    /// started_at the incident's start (or now), tickets 0, no factors, no
    /// checklist items.
    fn missing(&self) -> Vec<&'static Question> {
        let mut out = Vec::new();
        if self.impact.is_none() {
            out.push(&IMPACT);
        }
        if self.sees.is_none() {
            out.push(&SEES);
        }
        if self.customers.is_none() {
            out.push(&CUSTOMERS);
        }
        out
    }

    /// The answers, with defaults for what is optional. Call only when
    /// nothing is missing.
    fn complete(self, default_start: DateTime<Utc>) -> Answers {
        Answers {
            impact: self.impact.unwrap_or_default(),
            sees: self.sees.unwrap_or_default(),
            customers: self.customers.unwrap_or(Customers::Unknown),
            started_at: self.started_at.unwrap_or(default_start),
            tickets: self.tickets.unwrap_or(0),
            factors: self.factors.unwrap_or_default(),
            checked: self.checked.unwrap_or_default(),
        }
    }

    fn from_file(ctx: &Ctx, path: &Path) -> Result<Draft> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            usage(format!(
                "cannot read answers file {}: {e}; check the path given to --answers",
                path.display()
            ))
        })?;
        Draft::parse(&text, path, ctx.now, ctx.config()?)
    }

    /// Parses and checks an answers file's text (`path` names it in
    /// errors). Pure: public for the fuzz target.
    pub fn parse(text: &str, path: &Path, now: DateTime<Utc>, config: &Config) -> Result<Draft> {
        let text = text.to_string();
        let file: AnswersFile =
            toml::from_str(&text).map_err(|e| toml_error("answers file", path, &text, &e))?;
        let at = |span: std::ops::Range<usize>, key: &str, message: String| {
            toml_located(
                "answers file",
                path,
                &text,
                Some(span),
                &format!("{key}: {message}"),
            )
        };
        let mut draft = Draft::default();
        if let Some(s) = file.impact {
            draft.impact = Some(check_text(&IMPACT, s.get_ref()).map_err(|e| at(s.span(), "impact", e))?);
        }
        if let Some(s) = file.sees {
            draft.sees = Some(check_text(&SEES, s.get_ref()).map_err(|e| at(s.span(), "sees", e))?);
        }
        if let Some(s) = file.customers {
            draft.customers = Some(s.get_ref().parse().map_err(|e| at(s.span(), "customers", e))?);
        }
        if let Some(s) = file.started_at {
            let t = time::parse_past(s.get_ref(), now, &Local).map_err(|e| {
                let why = match e {
                    time::NotPast::Invalid(e) => e.to_string(),
                    time::NotPast::Future(_) => "is in the future; give a time that has passed".into(),
                };
                at(s.span(), "started_at", why)
            })?;
            draft.started_at = Some(t);
        }
        if let Some(s) = file.tickets {
            let n = u32::try_from(*s.get_ref()).map_err(|_| {
                at(
                    s.span(),
                    "tickets",
                    format!("{} is not a number of tickets; give 0 or more", s.get_ref()),
                )
            })?;
            draft.tickets = Some(n);
        }
        if let Some(s) = file.factors {
            let factors = s
                .get_ref()
                .iter()
                .map(|f| f.parse::<Factor>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| at(s.span(), "factors", e))?;
            draft.factors = Some(normalize_factors(&factors));
        }
        if let Some(s) = file.checked {
            draft.checked = Some(normalize_checks(s.get_ref()).map_err(|e| at(s.span(), "checked", e))?);
        }
        if let Some(s) = file.severity {
            config
                .level(s.get_ref())
                .map_err(|e| at(s.span(), "severity", e.to_string()))?;
            draft.severity = Some(s.into_inner());
        }
        Ok(draft)
    }
}

/// The answers file: the same answers as the flags, under the question keys.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswersFile {
    impact: Option<Spanned<String>>,
    sees: Option<Spanned<String>>,
    customers: Option<Spanned<String>>,
    started_at: Option<Spanned<String>>,
    tickets: Option<Spanned<i64>>,
    factors: Option<Spanned<Vec<String>>>,
    checked: Option<Spanned<Vec<String>>>,
    severity: Option<Spanned<String>>,
}

/// A free-text answer: anything but blank.
fn check_text(q: &Question, text: &str) -> Result<String, String> {
    non_blank(text).ok_or_else(|| format!("{} is empty; answer \"{}\"", flag(q), q.text))
}

// ---- the walk ----------------------------------------------------------------

/// What the walk offers before anything is typed: the incident's start,
/// and the answers of the assessment before this one.
struct Earlier<'a> {
    start: DateTime<Utc>,
    answers: Option<&'a Answers>,
}

/// Asks, in a terminal, every question not yet answered, then the checklist
/// (unless given), then the severity (unless decided). A re-assessment
/// starts from every earlier answer; a first one from the safe side: the
/// number of customers `unknown`, the start the incident's.
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
    let default_start = before.map(|a| a.started_at).unwrap_or(earlier.start);
    ctx.say(format!(
        "Assessing {key} (Esc or Ctrl-C cancels; nothing is recorded until the end)"
    ));
    if before.is_some() {
        ctx.say("The earlier answers are filled in: Enter keeps one; edit it, or type over a value.");
    }
    if d.impact.is_none() {
        let initial = before.map(|a| a.impact.as_str());
        d.impact = Some(p.prose(IMPACT.text, initial, |s| check_text(&IMPACT, s))?);
    }
    if d.sees.is_none() {
        let initial = before.map(|a| a.sees.as_str());
        d.sees = Some(p.prose(SEES.text, initial, |s| check_text(&SEES, s))?);
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

/// The option that answers an impact question on the command line.
fn flag(q: &Question) -> &'static str {
    match q.key {
        "impact" => "--impact",
        "sees" => "--sees",
        "customers" => "--customers",
        "started_at" => "--started-at",
        "tickets" => "--tickets",
        _ => "--factor",
    }
}
