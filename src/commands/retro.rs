//! `incident retro`: the retrospective. Interactively in a terminal, from an
//! answers file without one; `--complete` closes the incident; `--export`
//! renders the postmortem document.

use crate::answers::{self, retro::Answers};
use crate::context::Ctx;
use crate::domain::Incident;
use crate::domain::ops::{self, RetroRequest};
use crate::domain::retro::{check_complete, format_action_id};
use crate::error::{Failure, usage};
use crate::output;
use crate::postmortem::{AssessmentSection, Postmortem, Sources};
use crate::prompt::{self, Cancelled, Prompter};
use crate::render;
use crate::store::{Access, ActionFilter, ReadsExt};
use crate::text::{non_blank, one_line};
use crate::time::local_day;
use anyhow::Result;
use chrono::{Local, NaiveDate};
use clap::{Args, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident retro INC-7                       # guided, in the terminal
  incident retro INC-7 --complete            # closes the incident
  incident retro INC-7 --export md -o INC-7-postmortem.md")]
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
            let (patch, actions) = answers::retro::read(path, today)?;
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
    let (store, committed) = ctx.write(|w| {
        let now = w.now();
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

/// The interview in a terminal (`prompt::retro`), from the answers recorded
/// or a draft left by an earlier one, saving every answer as a draft as it
/// is given. Returns `None` when the person stops at the review (the draft
/// is kept).
fn interview(ctx: &Ctx, id: i64, today: NaiveDate) -> Result<Option<RetroRequest>> {
    let key = ctx.key(id)?;
    let store = ctx.open(Access::Read)?;
    let incident = ctx.find(&store, id)?;
    refuse_unless_resolved(ctx, &incident)?;
    let (events, _) = store.timeline(id, None)?;
    let existing = store.retro(id)?.unwrap_or_default();
    let draft = store.retro_draft(id)?;
    let actions = store.actions(&ActionFilter {
        incident_id: Some(id),
        ..ActionFilter::default()
    })?;
    drop(store);

    let p = Prompter::new();
    prompt::retro::introduce(&p, &key, &incident.title, &events)?;
    let mut answers = Answers::of(&existing);
    if let Some(d) = draft
        && prompt::retro::resume(&p, &d)?
    {
        match Answers::from_draft(&d.answers) {
            Ok(saved) => answers = saved,
            Err(e) => ctx.warn(format!("the draft cannot be read ({e}); starting again")),
        }
    }
    let save_draft = |answers: &Answers| -> Result<()> {
        let text = answers.to_file(&key)?;
        ctx.write(|w| w.save_retro_draft(id, Some(&text)))?;
        Ok(())
    };
    let Some(answers) = prompt::retro::walk(&p, &key, today, &events, &actions, answers, &save_draft)? else {
        return Ok(None);
    };
    let (patch, new_actions) = answers.check(today)?;
    let mut draft = existing.clone();
    for (field, value) in draft.diff(patch.clone()) {
        draft
            .set(field, &value)
            .expect("a patch's values fit their fields");
    }
    let complete = check_complete(&draft, actions.len() + new_actions.len(), None).is_ok()
        && p.confirm(&format!("Complete it now and close {key}?"), false)?;
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

/// The similar past incidents from the recent window, as the postmortem
/// shows them.
fn related(
    ctx: &Ctx,
    store: &crate::store::Store,
    incident: &crate::domain::Incident,
) -> Result<Vec<crate::postmortem::RelatedIncident>> {
    let today = local_day(ctx.now);
    crate::store::similar::read(
        &**store,
        incident,
        crate::store::similar::Scope::Recent,
        Some(crate::domain::similar::SHOWN),
    )?
    .into_iter()
    .map(|r| {
        Ok(crate::postmortem::RelatedIncident {
            key: ctx.key(r.incident.id)?,
            title: r.incident.title,
            severity: r.incident.severity,
            status: r.incident.status,
            declared_at: r.incident.declared_at,
            reasons: r.matched.reasons,
            root_cause: r.root_cause,
            open_actions: r
                .open_actions
                .iter()
                .map(|a| crate::postmortem::ActionView::new(a, today))
                .collect(),
        })
    })
    .collect()
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
        assessment: store
            .assessment(id)?
            .as_ref()
            .map(|a| AssessmentSection::of(a, &Local)),
        today: local_day(ctx.now),
        now: ctx.now,
        related: related(ctx, &store, &incident)?,
    });
    // Markdown escapes what it shows wherever it goes; JSON is data, escaped
    // only for a terminal (output::export_json_line).
    let terminal = to.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout());
    let mut text = match format {
        Export::Md => doc.to_markdown(&Local),
        Export::Json => output::export_json_pretty(&doc, terminal)?,
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
