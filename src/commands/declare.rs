//! `incident declare`: open an incident.

use crate::context::Ctx;
use crate::domain::{Category, DetectedBy, Incident, Status, ops};
use crate::error::{not_found, usage};
use crate::render;
use crate::text::{clean_list, non_blank};
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct DeclareArgs {
    /// What is broken, in a few words [default with --from-alert: the alert's summary]
    #[arg(required_unless_present = "from_alert")]
    pub title: Option<String>,

    /// Severity level [default: the least severe configured level]
    #[arg(long, short)]
    pub severity: Option<String>,

    /// What kind of incident
    #[arg(long, short, value_enum, default_value_t = Category::Other)]
    pub category: Category,

    /// An affected service (repeat or separate with commas)
    #[arg(long = "service", value_name = "NAME", value_delimiter = ',', value_parser = crate::text::name_arg)]
    pub services: Vec<String>,

    /// Who leads the response (the incident commander)
    #[arg(long, value_name = "PERSON", value_parser = crate::text::name_arg)]
    pub commander: Option<String>,

    /// What is known so far
    #[arg(long)]
    pub summary: Option<String>,

    /// Who or what noticed first
    #[arg(long, value_enum)]
    pub detected_by: Option<DetectedBy>,

    /// When the impact began, if earlier than now
    #[arg(long, value_name = "TIME")]
    pub started_at: Option<String>,

    /// A chat channel, bridge or document link (repeatable)
    #[arg(long = "channel", value_name = "URL", value_parser = crate::text::name_arg)]
    pub channels: Vec<String>,

    /// Open it from this recorded alert (an id from 'incident alerts'), tied to it
    #[arg(long, value_name = "ID")]
    pub from_alert: Option<i64>,

    /// Go straight into the triage walk (incident assess) after declaring; needs a terminal
    #[arg(long)]
    pub assess: bool,
}

/// Returns the new incident's id when `--assess` asks for the triage walk
/// next (the dispatcher runs it: a command does not call another).
pub fn run(ctx: &Ctx, args: DeclareArgs) -> Result<Option<i64>> {
    let config = ctx.config()?;
    let alert = match args.from_alert {
        Some(id) => {
            let store = ctx.open(crate::store::Access::Read)?;
            let alert = store
                .alerts(&crate::store::AlertFilter {
                    id: Some(id),
                    ..Default::default()
                })?
                .pop()
                .ok_or_else(|| not_found(format!("no alert {id}; run 'incident alerts' for their ids")))?;
            if let Some(incident) = alert.incident_id
                && store.incident(incident)?.is_some_and(|i| i.status.is_open())
            {
                return Err(usage(format!(
                    "alert {id} already belongs to {}, which is open; add to it with 'incident update {0} ...'",
                    ctx.key(incident)?
                )));
            }
            Some(alert)
        }
        None => None,
    };
    let title = args
        .title
        .as_deref()
        .or(alert.as_ref().map(|a| a.summary.as_str()));
    let title = non_blank(title.unwrap_or_default()).ok_or_else(|| {
        usage("the title is empty; say what is broken, e.g. incident declare \"Checkout returns 500s\"")
    })?;
    let severity = match &args.severity {
        Some(name) => config.level(name)?.name.clone(),
        None => config.default_severity.clone(),
    };
    if args.assess && !crate::prompt::interactive() {
        // Checked before anything is written: no half-done declare-and-assess.
        return Err(usage(
            "--assess walks through the triage questions in a terminal, and there is none; \
             declare without it, then run 'incident assess KEY' with flags or --answers FILE",
        ));
    }
    let started_at = args
        .started_at
        .as_deref()
        .map(|t| ctx.past_time("--started-at", t))
        .transpose()?;
    let commander = match &args.commander {
        Some(name) => Some(non_blank(name).ok_or_else(|| usage("--commander is empty; name a person"))?),
        None => None,
    };
    let draft = Incident {
        id: 0,
        title,
        status: Status::Investigating,
        severity,
        category: args.category,
        services: match (&alert, args.services.is_empty()) {
            (Some(a), true) => a.service.iter().cloned().collect(),
            _ => clean_list(args.services),
        },
        channels: clean_list(args.channels),
        summary: args.summary.as_deref().and_then(non_blank),
        detected_by: args
            .detected_by
            .or(alert.as_ref().map(|_| DetectedBy::Monitoring)),
        started_at: started_at.or(alert.as_ref().and_then(|a| a.starts_at).filter(|t| *t <= ctx.now)),
        declared_at: ctx.now,
        resolved_at: None,
        closed_at: None,
        resolution: None,
        next_update_at: None,
        roles: Vec::new(),
    };
    let now = ctx.now;
    let change = ops::declare(&draft, commander.as_deref(), now);
    let (store, committed) = ctx.write(|w| {
        let id = w.create(change)?;
        if let Some(alert) = &alert {
            crate::intake::tie_in(w, alert.id, id, ops::AlertJoin::Opened, now)?;
        }
        Ok(id)
    })?;
    let id = committed.value;
    let key = ctx.key(id)?;
    if args.assess {
        drop(store);
        if !ctx.json() {
            let mut out = crate::output::stdout();
            use std::io::Write;
            writeln!(out, "{key}")?;
            out.flush()?;
            ctx.say(format!(
                "Declared {key} [{}] {}",
                draft.severity,
                crate::text::one_line(&draft.title)
            ));
        }
        return Ok(Some(id));
    }
    if ctx.json() {
        return render::print_incident(ctx, &store, id, None).map(|()| None);
    }
    let mut out = crate::output::stdout();
    use std::io::Write;
    writeln!(out, "{key}")?;
    out.flush()?;
    ctx.say(format!(
        "Declared {key} [{}] {}",
        draft.severity,
        crate::text::one_line(&draft.title)
    ));
    if args.severity.is_none() {
        ctx.say(format!(
            "  severity defaulted to {}; triage with 'incident assess {key}'",
            draft.severity
        ));
    }
    if commander.is_none() {
        ctx.say(format!(
            "  no commander yet: incident assign-role {key} commander NAME"
        ));
    }
    Ok(None)
}
