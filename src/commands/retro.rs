//! `incident retro`: the retrospective. Interactively in a terminal, from an
//! answers file without one; `--complete` closes the incident; `--export`
//! renders the postmortem document.

use crate::context::Ctx;
use crate::domain::Incident;
use crate::domain::ops::{self, RetroRequest};
use crate::domain::retro::{
    self, ActionKind, MAX_WHYS, NewAction, RetroPatch, check_complete, format_action_id, parse_due,
    why_question,
};
use crate::domain::triage::{self, Assessment};
use crate::error::{refused, usage};
use crate::output;
use crate::postmortem::{Answer, AssessmentSection, CheckedItem, Postmortem, Sources};
use crate::render;
use crate::store::{Access, ActionFilter};
use crate::text::{non_blank, one_line, safe};
use crate::time::{human, local_day};
use anyhow::{Context, Result};
use chrono::{Local, NaiveDate};
use clap::{Args, ValueEnum};
use comfy_table::Cell;
use serde::Deserialize;
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
            refuse_unless_resolved(&ctx.key(id)?, &ctx.find(&store, id)?)?;
            drop(store);
            if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
                return Err(usage(format!(
                    "the retrospective asks its questions in a terminal; without one pass --answers FILE \
                     (see examples/retro-answers.toml), or use --complete or --export md: \
                     'incident retro {} --answers retro.toml'",
                    ctx.key(id)?
                )));
            }
            match interview(ctx, id, today)? {
                Some(change) => change,
                None => {
                    ctx.say("Nothing was recorded.");
                    return Ok(());
                }
            }
        }
    };
    record(ctx, id, change)
}

/// Why the retrospective of this incident cannot be edited now, if it cannot.
fn refuse_unless_resolved(key: &str, incident: &Incident) -> Result<()> {
    ops::retro_open(incident).map_err(|r| refused(key, r))
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
            .map_err(|r| refused(&key, r))?;
        w.apply(change)?;
        Ok(outcome)
    })?;
    let outcome = committed.value;
    let mut said = Vec::new();
    if outcome.already_complete {
        said.push("the retrospective is already complete; nothing changed".to_string());
    }
    if !outcome.changed.is_empty() {
        let names: Vec<&str> = outcome.changed.iter().map(|n| retro::describe_field(n)).collect();
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

/// The answers file (README, "The retrospective"; examples/retro-answers.toml).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Answers {
    impact: Option<String>,
    whys: Option<Vec<String>>,
    root_cause: Option<String>,
    contributing_factors: Option<Vec<String>>,
    went_well: Option<Vec<String>>,
    went_badly: Option<Vec<String>>,
    lucky: Option<Vec<String>>,
    #[serde(default)]
    actions: Vec<ActionAnswer>,
}

#[derive(Debug, Deserialize)]
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
        contributing: answers.contributing_factors,
        went_well: answers.went_well,
        went_badly: answers.went_badly,
        lucky: answers.lucky,
    };
    Ok((patch, actions))
}

// ---- the interactive retrospective ----

/// Walks the team through the retrospective. Returns `None` when the user
/// declines to record it; Ctrl-C ends the process before anything is written.
fn interview(ctx: &Ctx, id: i64, today: NaiveDate) -> Result<Option<RetroRequest>> {
    use dialoguer::{Confirm, Input, Select};
    let key = ctx.key(id)?;
    let store = ctx.open(Access::Read)?;
    let incident = ctx.find(&store, id)?;
    refuse_unless_resolved(&key, &incident)?;
    let (events, _) = store.timeline(id, None)?;
    let existing = store.retro(id)?.unwrap_or_default();
    let actions = store.actions(&ActionFilter {
        incident_id: Some(id),
        ..ActionFilter::default()
    })?;
    drop(store);

    let mut err = std::io::stderr().lock();
    writeln!(err, "Retrospective of {key}: {}", one_line(&incident.title))?;
    writeln!(err, "\nThe timeline, in the order things happened:")?;
    let mut table = output::table(["TIME", "WHO", "KIND", "WHAT"]);
    // The prompts' terminal, not stdout's; one that reports no sensible
    // width (a bare pty) gets a readable one rather than a column of letters.
    let width = dialoguer::console::Term::stderr()
        .size_checked()
        .map(|(_, cols)| cols)
        .filter(|cols| *cols >= 40)
        .unwrap_or(100);
    table.set_width(width);
    for e in &events {
        table.add_row(vec![
            Cell::new(human(e.at, &Local)),
            Cell::new(one_line(&e.author)),
            Cell::new(e.kind().as_str()),
            Cell::new(safe(&e.text)),
        ]);
    }
    output::print_table(&mut err, &table)?;
    writeln!(
        err,
        "\nBlameless: ask what happened and why, not who. Enter keeps what is shown; an empty answer skips.\n"
    )?;
    drop(err);

    let ask = |prompt: &str, initial: Option<&str>| -> Result<String> {
        let mut input = Input::<String>::new().with_prompt(prompt).allow_empty(true);
        if let Some(text) = initial {
            input = input.with_initial_text(text);
        }
        Ok(input.interact_text()?.trim().to_string())
    };
    let ask_list = |prompt: &str, have: &[String]| -> Result<Vec<String>> {
        let mut items = have.to_vec();
        if !items.is_empty() {
            eprintln!("{prompt}, recorded so far:");
            for item in &items {
                eprintln!("  - {}", one_line(item));
            }
        }
        loop {
            let item = ask(&format!("{prompt} (empty to go on)"), None)?;
            if item.is_empty() {
                return Ok(items);
            }
            items.push(item);
        }
    };

    let impact = ask("Impact on customers and the business", existing.impact.as_deref())?;
    let mut whys: Vec<String> = Vec::new();
    for n in 0..MAX_WHYS {
        let question = why_question(whys.last().map(String::as_str));
        let answer = ask(
            &format!("Why {}/{MAX_WHYS}: {question} (empty to stop)", n + 1),
            existing.whys.get(n).map(String::as_str),
        )?;
        if answer.is_empty() {
            break;
        }
        whys.push(answer);
    }
    let root_cause = ask(
        "Root cause",
        existing.root_cause.as_deref().or(whys.last().map(String::as_str)),
    )?;
    let contributing = ask_list("Contributing factor", &existing.contributing)?;
    let went_well = ask_list("What went well", &existing.went_well)?;
    let went_badly = ask_list("What went badly", &existing.went_badly)?;
    let lucky = ask_list("Where we got lucky", &existing.lucky)?;

    if !actions.is_empty() {
        eprintln!("Action items recorded so far:");
        for a in &actions {
            eprintln!(
                "  {} {} ({}, {}, due {})",
                format_action_id(a.id),
                one_line(&a.text),
                a.kind,
                one_line(&a.owner),
                a.due
            );
        }
    }
    let mut new_actions = Vec::new();
    loop {
        let text = ask("Action item (empty to go on)", None)?;
        if text.is_empty() {
            break;
        }
        let owner: String = Input::new()
            .with_prompt("  Owner")
            .validate_with(|s: &String| non_blank(s).map(|_| ()).ok_or("name who follows it up"))
            .interact_text()?;
        let due: String = Input::new()
            .with_prompt("  Due (YYYY-MM-DD, or 14d from today)")
            .validate_with(|s: &String| parse_due(s, today).map(|_| ()))
            .interact_text()?;
        let kinds: Vec<&str> = ActionKind::ALL.iter().map(|k| k.as_str()).collect();
        let kind = Select::new()
            .with_prompt("  Kind")
            .items(&kinds)
            .default(0)
            .interact()?;
        new_actions.push(NewAction {
            text,
            owner: owner.trim().to_string(),
            due: parse_due(&due, today).map_err(usage)?,
            kind: ActionKind::ALL[kind],
        });
    }

    let patch = RetroPatch {
        impact: Some(impact),
        whys: Some(whys),
        root_cause: Some(root_cause),
        contributing: Some(contributing),
        went_well: Some(went_well),
        went_badly: Some(went_badly),
        lucky: Some(lucky),
    };
    let mut draft = existing.clone();
    draft.apply(patch.clone());
    if !Confirm::new()
        .with_prompt(format!("Record this retrospective of {key}?"))
        .default(true)
        .interact()?
    {
        return Ok(None);
    }
    let complete = check_complete(&draft, actions.len() + new_actions.len(), None).is_ok()
        && Confirm::new()
            .with_prompt(format!("Complete it now and close {key}?"))
            .default(false)
            .interact()?;
    Ok(Some(RetroRequest {
        patch,
        actions: new_actions,
        complete,
        no_actions: None,
    }))
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
