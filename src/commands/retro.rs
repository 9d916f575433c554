//! `incident retro`: the retrospective. Interactively in a terminal, from an
//! answers file without one; `--complete` closes the incident; `--export`
//! renders the postmortem document.

use crate::context::Ctx;
use crate::domain::Incident;
use crate::domain::ops::{self, RetroRequest};
use crate::domain::retro::{
    ActionItem, ActionKind, MAX_WHYS, NewAction, Retro, RetroPatch, check_complete, format_action_id,
    parse_due, why_question,
};
use crate::domain::triage::{self, Assessment};
use crate::error::{Failure, usage};
use crate::output;
use crate::postmortem::{Answer, AssessmentSection, CheckedItem, Postmortem, Sources};
use crate::prompt::{self, Cancelled, Prompter};
use crate::render;
use crate::store::ReadsExt;
use crate::store::{Access, ActionFilter};
use crate::text::{non_blank, one_line, safe};
use crate::time::{human, local_day};
use anyhow::{Context, Result};
use chrono::{Local, NaiveDate};
use clap::{Args, ValueEnum};
use comfy_table::Cell;
use serde::{Deserialize, Serialize};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct RetroArgs {
    /// The incident (INC-7, inc-7 or 7); it must be resolved
    pub key: String,

    /// Record the answers from a TOML file instead of asking ('-' reads stdin; see examples/retro-answers.toml)
    #[arg(long, value_name = "FILE", conflicts_with = "export")]
    pub answers: Option<PathBuf>,

    /// Complete the retrospective and close the incident (needs a root cause and an action item)
    #[arg(long, conflicts_with = "export")]
    pub complete: bool,

    /// Complete without action items, saying why
    #[arg(long, value_name = "REASON", requires = "complete")]
    pub no_actions: Option<String>,

    /// Write the draft of an interrupted retrospective (or else the recorded
    /// one) to FILE as an answers file, to edit and give back to --answers
    #[arg(long, value_name = "FILE", conflicts_with_all = ["answers", "complete", "export"])]
    pub draft_out: Option<PathBuf>,

    /// Render the postmortem document instead: md (Markdown) or json
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub export: Option<Export>,

    /// Write the export to FILE (created owner-only) instead of stdout
    #[arg(long, short, value_name = "FILE", requires = "export")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Export {
    Md,
    Json,
}

pub fn run(ctx: &Ctx, args: RetroArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    if let Some(format) = args.export {
        return export(ctx, id, format, args.output.as_deref());
    }
    if let Some(path) = &args.draft_out {
        return draft_out(ctx, id, path);
    }
    let no_actions = match args.no_actions.as_deref() {
        Some(text) => Some(
            non_blank(text)
                .ok_or_else(|| usage("--no-actions needs a reason; say why no follow-up is needed"))?,
        ),
        None => None,
    };
    let today = local_day(ctx.now);
    let change = match &args.answers {
        Some(path) => {
            let (patch, actions) = read_answers(path, today)?;
            RetroRequest {
                patch,
                actions,
                complete: args.complete,
                no_actions,
            }
        }
        None if args.complete => RetroRequest {
            complete: true,
            no_actions,
            ..RetroRequest::default()
        },
        None => {
            // Say first what no terminal could fix.
            let store = ctx.open(Access::Read)?;
            refuse_unless_resolved(ctx, &ctx.find(&store, id)?)?;
            drop(store);
            if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
                return Err(usage(format!(
                    "the retrospective asks its questions in a terminal; without one pass --answers FILE \
                     (see examples/retro-answers.toml), or use --complete or --export md: \
                     'incident retro {} --answers retro.toml'",
                    ctx.key(id)?
                )));
            }
            match interview(ctx, id, today) {
                Ok(Some(change)) => change,
                Ok(None) => {
                    ctx.say(format!(
                        "{}: nothing was recorded; the answers are kept as a draft: \
                         'incident retro {0}' resumes it",
                        ctx.key(id)?
                    ));
                    return Ok(());
                }
                Err(e) if e.is::<Cancelled>() => {
                    let key = ctx.key(id)?;
                    let kept = ctx.open(Access::Read)?.retro_draft(id)?.is_some();
                    ctx.say(if kept {
                        format!(
                            "{key}: retrospective paused; nothing was recorded, the answers so far are kept \
                             as a draft: 'incident retro {key}' resumes it"
                        )
                    } else {
                        format!("{key}: retrospective cancelled; nothing was recorded")
                    });
                    return Err(Failure::Silent(prompt::CANCELLED_EXIT).into());
                }
                Err(e) => return Err(e),
            }
        }
    };
    record(ctx, id, change)
}

/// Why the retrospective of this incident cannot be edited now, if it cannot.
fn refuse_unless_resolved(ctx: &Ctx, incident: &Incident) -> Result<()> {
    ops::retro_open(incident).map_err(|r| ctx.refused(incident.id, r))
}

fn record(ctx: &Ctx, id: i64, request: RetroRequest) -> Result<()> {
    let key = ctx.key(id)?;
    let now = ctx.now;
    let (store, committed) = ctx.write(|w| {
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        let current = w.retro(id)?;
        let existing = w.actions(&ActionFilter {
            incident_id: Some(id),
            ..ActionFilter::default()
        })?;
        let next = w.next_action_id()?;
        let (change, outcome) = ops::retro(&incident, current.as_ref(), &existing, next, request, now)
            .map_err(|r| ctx.refused(id, r))?;
        w.apply(change)?;
        // Recorded: the draft's answers are in, or superseded.
        w.save_retro_draft(id, None)?;
        Ok(outcome)
    })?;
    let outcome = committed.value;
    let mut said = Vec::new();
    if outcome.already_complete {
        said.push("the retrospective is already complete; nothing changed".to_string());
    }
    if !outcome.changed.is_empty() {
        let names: Vec<&str> = outcome.changed.iter().map(|n| n.describe()).collect();
        said.push(format!("updated {}", names.join(", ")));
    }
    for number in &outcome.already {
        said.push(format!("{} already recorded", format_action_id(*number)));
    }
    if !outcome.added.is_empty() {
        let added: Vec<String> = outcome.added.iter().map(|n| format_action_id(*n)).collect();
        said.push(format!("added {}", added.join(", ")));
    }
    if outcome.closed {
        said.push("retrospective complete; incident closed".into());
    }
    if ctx.json() {
        return render::print_incident(ctx, &store, id, None);
    }
    match said.is_empty() {
        true => ctx.say(format!("{key}: nothing changed")),
        false => ctx.say(format!("{key}: {}", one_line(&said.join("; ")))),
    }
    Ok(())
}

// ---- the answers file ----

/// The answers file (README, "The retrospective"; examples/retro-answers.toml),
/// which is also the draft's format: `--draft-out` writes what `--answers`
/// reads.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Answers {
    #[serde(skip_serializing_if = "Option::is_none")]
    impact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    whys: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    root_cause: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trigger: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lead_up: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contributing_factors: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    went_well: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    went_badly: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lucky: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    actions: Vec<ActionAnswer>,
}

impl Answers {
    /// Every answer of a recorded retrospective (no action items: those are
    /// recorded already).
    fn of(retro: &Retro) -> Answers {
        Answers {
            impact: retro.impact.clone(),
            whys: Some(retro.whys.clone()),
            root_cause: retro.root_cause.clone(),
            trigger: retro.trigger.clone(),
            lead_up: retro.lead_up.clone(),
            contributing_factors: Some(retro.contributing.clone()),
            went_well: Some(retro.went_well.clone()),
            went_badly: Some(retro.went_badly.clone()),
            lucky: Some(retro.lucky.clone()),
            actions: Vec::new(),
        }
    }

    /// As an answers file, with a comment that says how to give it back.
    fn to_file(&self, key: &str) -> Result<String> {
        Ok(format!(
            "# The retrospective of {key} as an answers file: edit it, then\n\
             # incident retro {key} --answers FILE\n{}",
            toml::to_string(self)?
        ))
    }

    fn list(&self, list: List) -> &[String] {
        let field = match list {
            List::Whys => &self.whys,
            List::Contributing => &self.contributing_factors,
            List::WentWell => &self.went_well,
            List::WentBadly => &self.went_badly,
            List::Lucky => &self.lucky,
        };
        field.as_deref().unwrap_or_default()
    }

    fn list_mut(&mut self, list: List) -> &mut Vec<String> {
        let field = match list {
            List::Whys => &mut self.whys,
            List::Contributing => &mut self.contributing_factors,
            List::WentWell => &mut self.went_well,
            List::WentBadly => &mut self.went_badly,
            List::Lucky => &mut self.lucky,
        };
        field.get_or_insert_with(Vec::new)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct ActionAnswer {
    text: String,
    owner: String,
    due: String,
    kind: String,
}

fn read_answers(path: &Path, today: NaiveDate) -> Result<(RetroPatch, Vec<NewAction>)> {
    let shown = path.display().to_string();
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the answers from stdin")?;
        text
    } else {
        std::fs::read_to_string(path).map_err(|e| usage(format!("cannot read answers file {shown}: {e}")))?
    };
    parse_answers(&text, today).map_err(|e| usage(format!("answers file {shown}: {e}")))
}

/// Parses an answers file into the changes it asks for. Pure: public for
/// the fuzz target.
pub fn parse_answers(text: &str, today: NaiveDate) -> Result<(RetroPatch, Vec<NewAction>), String> {
    let answers: Answers = toml::from_str(text).map_err(|e| {
        // toml's message spans lines (a source excerpt); the first says it.
        let message = e.message().to_string();
        match e.span() {
            Some(span) => format!("line {}: {message}", text[..span.start].matches('\n').count() + 1),
            None => message,
        }
    })?;
    if let Some(whys) = &answers.whys
        && whys.len() > MAX_WHYS
    {
        return Err(format!("whys: at most {MAX_WHYS} answers, got {}", whys.len()));
    }
    let mut actions = Vec::new();
    for (n, a) in answers.actions.iter().enumerate() {
        let at = |field: &str| format!("actions[{}].{field}", n + 1);
        let text = non_blank(&a.text).ok_or_else(|| format!("{} is empty", at("text")))?;
        let owner =
            non_blank(&a.owner).ok_or_else(|| format!("{} is empty; name who follows it up", at("owner")))?;
        let due = parse_due(&a.due, today).map_err(|e| format!("{}: {e}", at("due")))?;
        let kind: ActionKind = a.kind.parse().map_err(|e| format!("{}: {e}", at("kind")))?;
        actions.push(NewAction {
            text,
            owner,
            due,
            kind,
        });
    }
    let patch = RetroPatch {
        impact: answers.impact,
        whys: answers.whys,
        root_cause: answers.root_cause,
        trigger: answers.trigger,
        lead_up: answers.lead_up,
        contributing: answers.contributing_factors,
        went_well: answers.went_well,
        went_badly: answers.went_badly,
        lucky: answers.lucky,
    };
    Ok((patch, actions))
}

// ---- the interactive retrospective ----

/// The lists of a retrospective, as the walk and the review name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Whys,
    Contributing,
    WentWell,
    WentBadly,
    Lucky,
}

impl List {
    const ADDABLE: [List; 5] = [
        List::Whys,
        List::Contributing,
        List::WentWell,
        List::WentBadly,
        List::Lucky,
    ];

    fn label(self) -> &'static str {
        match self {
            List::Whys => "Why",
            List::Contributing => "Contributing factor",
            List::WentWell => "What went well",
            List::WentBadly => "What went badly",
            List::Lucky => "Where we got lucky",
        }
    }
}

/// One numbered line of the review screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Impact,
    RootCause,
    Trigger,
    LeadUp,
    Item(List, usize),
    Action(usize),
}

/// The interview's answers, saved as a draft after each one.
struct Walk<'a> {
    ctx: &'a Ctx,
    id: i64,
    key: String,
    today: NaiveDate,
    p: Prompter,
    answers: Answers,
    /// The changes recorded on the incident at declaration.
    changes: Vec<crate::domain::plans::ChangeRecord>,
}

impl Walk<'_> {
    fn save(&self) -> Result<()> {
        let text = self.answers.to_file(&self.key)?;
        self.ctx.write(|w| w.save_retro_draft(self.id, Some(&text)))?;
        Ok(())
    }

    fn ask_list(&mut self, list: List) -> Result<()> {
        let have = self.answers.list(list).to_vec();
        if !have.is_empty() {
            self.p.say(&format!("{}, so far:", list.label()))?;
            for item in &have {
                self.p.say(&format!("  - {}", one_line(item)))?;
            }
        }
        // Set even when empty: the question was answered.
        self.answers.list_mut(list);
        loop {
            let item = self.p.line(&format!("{} (empty to go on)", list.label()), None)?;
            if item.is_empty() {
                return self.save();
            }
            self.answers.list_mut(list).push(item);
            self.save()?;
        }
    }

    /// Asks for an action item; `None` when its text is left empty.
    fn ask_action(&self, given: Option<&ActionAnswer>) -> Result<Option<ActionAnswer>> {
        let text = self
            .p
            .line("Action item (empty to go on)", given.map(|a| a.text.as_str()))?;
        if text.is_empty() {
            return Ok(None);
        }
        let owner = self.p.text("  Owner", given.map(|a| a.owner.as_str()), |s| {
            non_blank(s).ok_or_else(|| "name who follows it up".to_string())
        })?;
        let today = self.today;
        let due = self.p.text(
            "  Due (YYYY-MM-DD, or 14d from today)",
            given.map(|a| a.due.as_str()),
            |s| parse_due(s, today),
        )?;
        let kinds: Vec<String> = ActionKind::ALL.iter().map(|k| k.as_str().to_string()).collect();
        let start = given
            .and_then(|a| kinds.iter().position(|k| k.eq_ignore_ascii_case(&a.kind)))
            .unwrap_or(0);
        let kind = self.p.select("  Kind", &kinds, start)?;
        Ok(Some(ActionAnswer {
            text,
            owner,
            due: due.to_string(),
            kind: kinds[kind].clone(),
        }))
    }

    /// The questions, in order, each starting from the answer so far.
    fn questions(&mut self, recorded: &[ActionItem]) -> Result<()> {
        let impact = self.p.line(
            "Impact on customers and the business",
            self.answers.impact.as_deref(),
        )?;
        self.answers.impact = Some(impact);
        self.save()?;
        let earlier = self.answers.list(List::Whys).to_vec();
        let mut whys: Vec<String> = Vec::new();
        for n in 0..MAX_WHYS {
            let question = why_question(whys.last().map(String::as_str));
            let answer = self.p.line(
                &format!("Why {}/{MAX_WHYS}: {question} (empty to stop)", n + 1),
                earlier.get(n).map(String::as_str),
            )?;
            if answer.is_empty() {
                break;
            }
            whys.push(answer);
            self.answers.whys = Some(whys.clone());
            self.save()?;
        }
        self.answers.whys = Some(whys);
        let initial = self
            .answers
            .root_cause
            .clone()
            .filter(|r| !r.is_empty())
            .or_else(|| self.answers.list(List::Whys).last().cloned());
        let root_cause = self.p.line("Root cause", initial.as_deref())?;
        self.answers.root_cause = Some(root_cause);
        self.save()?;
        // The record names the changes made just before; the latest is
        // offered as the trigger, and the lead-up is asked only when the
        // record has none to show.
        let offered = self
            .answers
            .trigger
            .clone()
            .filter(|t| !t.is_empty())
            .or_else(|| {
                self.changes
                    .last()
                    .map(|c| format!("{} ({} on {})", c.title, c.kind, c.services.join(", ")))
            });
        // An empty answer clears what was there, and is otherwise no answer
        // at all (the answers file stays as it was).
        let keep = |had: &Option<String>, new: String| match (had, new.is_empty()) {
            (None, true) => None,
            _ => Some(new),
        };
        let trigger = self.p.line("Trigger: what set it off", offered.as_deref())?;
        self.answers.trigger = keep(&self.answers.trigger, trigger);
        self.save()?;
        if self.changes.is_empty() {
            let lead_up = self.p.line(
                "Lead-up: what happened before, that made it possible",
                self.answers.lead_up.as_deref(),
            )?;
            self.answers.lead_up = keep(&self.answers.lead_up, lead_up);
            self.save()?;
        }
        for list in [List::Contributing, List::WentWell, List::WentBadly, List::Lucky] {
            self.ask_list(list)?;
        }
        if !recorded.is_empty() {
            self.p.say("Action items recorded so far:")?;
            for a in recorded {
                self.p.say(&format!(
                    "  {} {} ({}, {}, due {})",
                    format_action_id(a.id),
                    one_line(&a.text),
                    a.kind,
                    one_line(&a.owner),
                    a.due
                ))?;
            }
        }
        for a in &self.answers.actions {
            self.p.say(&format!("  new: {}", action_line(a)))?;
        }
        while let Some(action) = self.ask_action(None)? {
            self.answers.actions.push(action);
            self.save()?;
        }
        Ok(())
    }

    /// Every answer, numbered, for the review.
    fn slots(&self) -> Vec<(Slot, String)> {
        let a = &self.answers;
        let shown = |text: Option<&str>| match text.filter(|t| !t.is_empty()) {
            Some(t) => one_line(t).into_owned(),
            None => "(none)".to_string(),
        };
        let mut out = vec![(Slot::Impact, format!("Impact: {}", shown(a.impact.as_deref())))];
        for (i, why) in a.list(List::Whys).iter().enumerate() {
            out.push((
                Slot::Item(List::Whys, i),
                format!("Why {}: {}", i + 1, one_line(why)),
            ));
        }
        out.push((
            Slot::RootCause,
            format!("Root cause: {}", shown(a.root_cause.as_deref())),
        ));
        out.push((Slot::Trigger, format!("Trigger: {}", shown(a.trigger.as_deref()))));
        if a.lead_up.is_some() {
            out.push((Slot::LeadUp, format!("Lead-up: {}", shown(a.lead_up.as_deref()))));
        }
        for list in [List::Contributing, List::WentWell, List::WentBadly, List::Lucky] {
            for (i, item) in a.list(list).iter().enumerate() {
                out.push((
                    Slot::Item(list, i),
                    format!("{}: {}", list.label(), one_line(item)),
                ));
            }
        }
        for (i, action) in a.actions.iter().enumerate() {
            out.push((Slot::Action(i), format!("Action item: {}", action_line(action))));
        }
        out
    }

    fn text_of(&self, slot: Slot) -> String {
        match slot {
            Slot::Impact => self.answers.impact.clone().unwrap_or_default(),
            Slot::RootCause => self.answers.root_cause.clone().unwrap_or_default(),
            Slot::Trigger => self.answers.trigger.clone().unwrap_or_default(),
            Slot::LeadUp => self.answers.lead_up.clone().unwrap_or_default(),
            Slot::Item(list, i) => self.answers.list(list)[i].clone(),
            Slot::Action(i) => self.answers.actions[i].text.clone(),
        }
    }

    /// Puts `text` in `slot`; an empty list item or action is removed.
    fn set(&mut self, slot: Slot, text: String) {
        match slot {
            Slot::Impact => self.answers.impact = Some(text),
            Slot::RootCause => self.answers.root_cause = Some(text),
            Slot::Trigger => self.answers.trigger = Some(text),
            Slot::LeadUp => self.answers.lead_up = Some(text),
            Slot::Item(list, i) if text.is_empty() => {
                self.answers.list_mut(list).remove(i);
            }
            Slot::Item(list, i) => self.answers.list_mut(list)[i] = text,
            Slot::Action(i) if text.is_empty() => {
                self.answers.actions.remove(i);
            }
            Slot::Action(i) => self.answers.actions[i].text = text,
        }
    }

    /// The review screen: every answer numbered, any of them edited, until
    /// Enter records (`true`) or `q` stops with the draft kept (`false`).
    fn review(&mut self) -> Result<bool> {
        loop {
            let slots = self.slots();
            self.p
                .say(&format!("\nReview of the retrospective of {}:", self.key))?;
            let width = slots.len().to_string().len();
            for (n, (_, line)) in slots.iter().enumerate() {
                self.p.say(&format!("  {:>width$}. {line}", n + 1))?;
            }
            let command = self.p.line(
                "Enter records it; a number edits that answer (e.g. 3), 'e 3' in $EDITOR, \
                 '+' adds an item, 'q' stops and keeps the draft",
                None,
            )?;
            let command = command.trim();
            if command.is_empty() {
                return Ok(true);
            }
            if command.eq_ignore_ascii_case("q") {
                return Ok(false);
            }
            if command == "+" {
                self.add()?;
                continue;
            }
            let (in_editor, number) = match command.strip_prefix(['e', 'E']) {
                Some(rest) => (true, rest.trim()),
                None => (false, command),
            };
            let Some((slot, label)) = number
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|n| slots.get(n).cloned())
            else {
                self.p.say(&format!(
                    "  '{command}' is not one of 1–{}; give a number, 'e N', '+', 'q' or nothing",
                    slots.len()
                ))?;
                continue;
            };
            let current = self.text_of(slot);
            if in_editor {
                if let Some(text) = self.p.editor(&current)? {
                    self.set(slot, text.trim().to_string());
                }
            } else if let Slot::Action(i) = slot {
                let given = self.answers.actions[i].clone();
                match self.ask_action(Some(&given))? {
                    Some(action) => self.answers.actions[i] = action,
                    None => {
                        self.answers.actions.remove(i);
                    }
                }
            } else {
                let name = label.split(':').next().unwrap_or_default().to_string();
                let text = self
                    .p
                    .line(&format!("{name} (empty removes a list item)"), Some(&current))?;
                self.set(slot, text);
            }
            self.save()?;
        }
    }

    /// Adds an item to one of the lists, or an action item.
    fn add(&mut self) -> Result<()> {
        let mut names: Vec<String> = List::ADDABLE.iter().map(|l| l.label().to_string()).collect();
        names.push("Action item".into());
        let which = self.p.select("Add to", &names, 0)?;
        match List::ADDABLE.get(which) {
            Some(List::Whys) if self.answers.list(List::Whys).len() >= MAX_WHYS => {
                self.p
                    .say(&format!("  There are {MAX_WHYS} whys already; edit one instead."))?;
            }
            Some(list) => {
                let text = self.p.line(list.label(), None)?;
                if !text.is_empty() {
                    self.answers.list_mut(*list).push(text);
                }
            }
            None => {
                if let Some(action) = self.ask_action(None)? {
                    self.answers.actions.push(action);
                }
            }
        }
        self.save()
    }
}

fn action_line(a: &ActionAnswer) -> String {
    format!(
        "{} ({}, {}, due {})",
        one_line(&a.text),
        a.kind,
        one_line(&a.owner),
        a.due
    )
}

/// Walks the team through the retrospective, saving every answer as a draft
/// as it is given; a draft left by an earlier walk can be resumed. Ends on
/// a review of every answer. Returns `None` when the user stops at the
/// review (the draft is kept).
fn interview(ctx: &Ctx, id: i64, today: NaiveDate) -> Result<Option<RetroRequest>> {
    let key = ctx.key(id)?;
    let store = ctx.open(Access::Read)?;
    let incident = ctx.find(&store, id)?;
    refuse_unless_resolved(ctx, &incident)?;
    let (events, _) = store.timeline(id, None)?;
    let changes: Vec<crate::domain::plans::ChangeRecord> = events
        .iter()
        .filter_map(|e| match &e.data {
            crate::domain::EventData::RecentChanges(r) => Some(r.changes.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let existing = store.retro(id)?.unwrap_or_default();
    let draft = store.retro_draft(id)?;
    let actions = store.actions(&ActionFilter {
        incident_id: Some(id),
        ..ActionFilter::default()
    })?;
    drop(store);

    let p = Prompter::new();
    let mut err = std::io::stderr().lock();
    writeln!(err, "Retrospective of {key}: {}", one_line(&incident.title))?;
    writeln!(err, "\nThe timeline, in the order things happened:")?;
    let mut table = output::table(["TIME", "WHO", "KIND", "WHAT"]);
    // The prompts' terminal, not stdout's.
    table.set_width(p.width().max(40));
    for e in &events {
        table.add_row(vec![
            Cell::new(human(e.at, &Local)),
            Cell::new(one_line(&crate::text::cut(&e.author))),
            Cell::new(e.kind().as_str()),
            // Cut, as on any terminal: a pasted blob would stall the layout.
            Cell::new(safe(&crate::text::cut(&e.text))),
        ]);
    }
    output::print_table(&mut err, &table)?;
    writeln!(
        err,
        "\nBlameless: ask what happened and why, not who. Every answer is saved as a draft as it is \
         given; Esc or Ctrl-C pauses. Enter keeps what is filled in; an empty answer skips.\n"
    )?;
    drop(err);

    let mut answers = Answers::of(&existing);
    if let Some(d) = draft {
        let resume = p.confirm(
            &format!(
                "Resume the draft {} saved at {}? (no starts again from what is recorded)",
                one_line(&d.author),
                human(d.saved_at, &Local)
            ),
            true,
        )?;
        if resume {
            match toml::from_str::<Answers>(&d.answers) {
                Ok(saved) => answers = saved,
                Err(e) => ctx.warn(format!(
                    "the draft cannot be read ({}); starting again",
                    e.message()
                )),
            }
        }
    }
    let mut walk = Walk {
        ctx,
        id,
        key: key.clone(),
        today,
        p,
        answers,
        changes,
    };
    walk.questions(&actions)?;
    if !walk.review()? {
        return Ok(None);
    }
    let (patch, new_actions) = parse_answers(&toml::to_string(&walk.answers)?, today).map_err(usage)?;
    let mut draft = existing.clone();
    for (field, value) in draft.diff(patch.clone()) {
        draft
            .set(field, &value)
            .expect("a patch's values fit their fields");
    }
    let complete = check_complete(&draft, actions.len() + new_actions.len(), None).is_ok()
        && walk
            .p
            .confirm(&format!("Complete it now and close {key}?"), false)?;
    Ok(Some(RetroRequest {
        patch,
        actions: new_actions,
        complete,
        no_actions: None,
    }))
}

/// `--draft-out FILE`: the draft, or else the recorded retrospective, as
/// an answers file.
fn draft_out(ctx: &Ctx, id: i64, path: &Path) -> Result<()> {
    let key = ctx.key(id)?;
    let store = ctx.open(Access::Read)?;
    ctx.find(&store, id)?;
    let (text, what) = match store.retro_draft(id)? {
        Some(d) => (d.answers, "draft"),
        None => (
            Answers::of(&store.retro(id)?.unwrap_or_default()).to_file(&key)?,
            "recorded retrospective",
        ),
    };
    output::write_private(path, |w| Ok(w.write_all(text.as_bytes())?))?;
    ctx.say(format!(
        "Wrote the {what} of {key} to {}; edit it, then: incident retro {key} --answers {}",
        path.display(),
        path.display()
    ));
    Ok(())
}

// ---- the postmortem document ----

/// The current triage assessment as the postmortem shows it: each impact
/// question in the words `assess` asked it, and the checked CIA items.
fn assessment_section(a: &Assessment) -> AssessmentSection {
    let answers = &a.answers;
    let factors: Vec<&str> = answers.factors.iter().map(|f| f.label()).collect();
    let replies = [
        answers.impact.clone(),
        answers.sees.clone(),
        answers.customers.label().to_string(),
        human(answers.started_at, &Local),
        answers.tickets.to_string(),
        if factors.is_empty() {
            "none".into()
        } else {
            factors.join(", ")
        },
    ];
    AssessmentSection {
        assessed_at: Some(a.at),
        author: Some(a.author.clone()),
        answers: triage::QUESTIONS
            .iter()
            .zip(replies)
            .map(|(q, answer)| Answer {
                question: q.text.to_string(),
                answer,
            })
            .collect(),
        checked: answers
            .checked_items()
            .map(|i| CheckedItem {
                id: i.id.to_string(),
                label: i.text.to_string(),
            })
            .collect(),
        suggested_severity: Some(a.suggested.clone()),
        severity: Some(a.severity.clone()),
    }
}

fn export(ctx: &Ctx, id: i64, format: Export, to: Option<&Path>) -> Result<()> {
    let store = ctx.open(Access::Read)?;
    let incident = ctx.find(&store, id)?;
    let (events, _) = store.timeline(id, None)?;
    let retro = store.retro(id)?;
    let actions = store.actions(&ActionFilter {
        incident_id: Some(id),
        ..ActionFilter::default()
    })?;
    let doc = Postmortem::build(Sources {
        key: ctx.key(id)?,
        incident: &incident,
        events: &events,
        retro: retro.as_ref(),
        actions: &actions,
        assessment: store.assessment(id)?.as_ref().map(assessment_section),
        today: local_day(ctx.now),
        now: ctx.now,
    });
    let mut text = match format {
        Export::Md => doc.to_markdown(&Local),
        Export::Json => serde_json::to_string_pretty(&doc)?,
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    match to {
        None => {
            let mut out = output::stdout();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
        Some(path) => {
            output::write_private(path, |w| Ok(w.write_all(text.as_bytes())?))?;
            ctx.say(format!(
                "Wrote the postmortem of {} to {}",
                ctx.key(id)?,
                path.display()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        "2026-11-24".parse().unwrap()
    }

    #[test]
    fn the_example_answers_file_parses() {
        let text = include_str!("../../examples/retro-answers.toml");
        let (patch, actions) = parse_answers(text, today()).unwrap();
        assert!(patch.root_cause.is_some());
        assert!(!patch.whys.unwrap().is_empty());
        assert!(!actions.is_empty());
    }

    #[test]
    fn answers_set_only_what_they_name_and_add_actions() {
        let text = r#"
root_cause = "no index on orders.created_at"
whys = ["checkout timed out", "the query scanned the table"]

[[actions]]
text = "Add the index"
owner = "bob"
due = "2w"
kind = "Corrective"
"#;
        let (patch, actions) = parse_answers(text, today()).unwrap();
        assert_eq!(patch.root_cause.as_deref(), Some("no index on orders.created_at"));
        assert_eq!(patch.impact, None);
        assert_eq!(patch.went_well, None);
        assert_eq!(actions.len(), 1);
        assert_eq!(actions[0].due, "2026-12-08".parse::<NaiveDate>().unwrap());
        assert_eq!(actions[0].kind, ActionKind::Corrective);
    }

    #[test]
    fn bad_answers_name_the_line_or_the_field() {
        let err = parse_answers("impact = \"x\"\nroot_casue = \"typo\"\n", today()).unwrap_err();
        assert!(err.starts_with("line 2: unknown field `root_casue`"), "{err}");
        let err = parse_answers(
            "[[actions]]\ntext = \"x\"\nowner = \"bob\"\ndue = \"2026-01-01\"\nkind = \"corrective\"\n",
            today(),
        )
        .unwrap_err();
        assert!(
            err.starts_with("actions[1].due: due date 2026-01-01 has passed"),
            "{err}"
        );
        let err = parse_answers(
            "[[actions]]\ntext = \"x\"\nowner = \" \"\ndue = \"3d\"\nkind = \"corrective\"\n",
            today(),
        )
        .unwrap_err();
        assert!(err.starts_with("actions[1].owner is empty"), "{err}");
        let err = parse_answers(
            "[[actions]]\ntext = \"x\"\nowner = \"a\"\ndue = \"3d\"\nkind = \"reactive\"\n",
            today(),
        )
        .unwrap_err();
        assert!(
            err.contains("use one of: detective, preventive, corrective"),
            "{err}"
        );
        let err = parse_answers("whys = [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\"]", today()).unwrap_err();
        assert!(err.contains("at most 5"), "{err}");
    }
}
