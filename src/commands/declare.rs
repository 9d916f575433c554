//! `incident declare`: open an incident.

use crate::context::Ctx;
use crate::domain::{Category, DetectedBy, Incident, ops, plans};
use crate::error::{Failure, not_found, usage};
use crate::render;
use crate::store::Access;
use crate::store::ReadsExt;
use crate::text::{clean_list, non_blank};
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident declare \"Checkout returns 500s\" -s SEV1 --service checkout --commander alice
  incident declare \"Search is slow\" --assess
  incident declare \"Orders table locked\" -s SEV1 --service db --page db-critical
  incident declare \"Game day: primary DB fails over\" --drill")]
pub struct DeclareArgs {
    /// What is broken, in a few words [default with --from-alert: the alert's summary]
    #[arg(required_unless_present = "from_alert")]
    pub title: Option<String>,

    /// Severity level [default: the least severe configured level]
    #[arg(long, short)]
    pub severity: Option<String>,

    /// What kind of incident
    #[arg(long, short, value_parser = crate::cli::named::<Category>(), default_value_t = Category::Other)]
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
    #[arg(long, value_parser = crate::cli::named::<DetectedBy>())]
    pub detected_by: Option<DetectedBy>,

    /// When the impact began, if earlier than now
    #[arg(long, value_name = "TIME")]
    pub started_at: Option<String>,

    /// A chat channel, bridge or document link (repeatable)
    #[arg(long = "channel", value_name = "URL", value_parser = crate::text::name_arg)]
    pub channels: Vec<String>,

    /// Follow this response plan (default: the playbook that fits the category, services and severity)
    #[arg(long, value_name = "NAME", value_parser = crate::text::name_arg)]
    pub playbook: Option<String>,

    /// Follow no playbook, even one that fits
    #[arg(long, conflicts_with = "playbook")]
    pub no_playbook: bool,

    /// A rehearsal: marked DRILL everywhere, left out of stats, guard and check's exit status
    #[arg(long)]
    pub drill: bool,

    /// Classify: key=value (repeatable), e.g. --tag team=payments
    #[arg(long = "tag", value_name = "KEY=VALUE", value_parser = crate::text::tag_arg)]
    pub tags: Vec<(String, String)>,
    /// Open it from this recorded alert (an id from 'incident alerts'), tied to it
    #[arg(long, value_name = "ID")]
    pub from_alert: Option<i64>,

    /// Page by this escalation policy ([[policies]]) until someone acknowledges;
    /// alone, the one its playbook or a service names
    #[arg(long, value_name = "POLICY", num_args = 0..=1, default_missing_value = "")]
    pub page: Option<String>,

    /// Go straight into the triage walk (incident assess) after declaring; needs a terminal
    #[arg(long)]
    pub assess: bool,

    /// Declare it even when an open incident on the same service has a similar title
    #[arg(long)]
    pub force: bool,
}

/// Returns the new incident's id when `--assess` asks for the triage walk
/// next (the dispatcher runs it: a command does not call another).
pub fn run(ctx: &Ctx, args: DeclareArgs) -> Result<Option<i64>> {
    let config = ctx.config()?;
    let alert = from_alert(ctx, args.from_alert)?;
    let title = args
        .title
        .as_deref()
        .or(alert.as_ref().map(|a| a.summary.as_str()));
    let title = non_blank(title.unwrap_or_default()).ok_or_else(|| {
        usage("the title is empty; say what is broken, e.g. incident declare \"Checkout returns 500s\"")
    })?;
    // An alert's service, unless services were named.
    let services = match (&alert, args.services.is_empty()) {
        (Some(a), true) => a.service.iter().cloned().collect(),
        _ => clean_list(args.services.clone()),
    };
    let plans = playbooks(ctx, &args)?;
    let given = match &args.severity {
        Some(name) => Some(config.level(name)?.name.clone()),
        None => None,
    };
    let choice = match &args.playbook {
        Some(name) => plans::PlanChoice::Named(crate::playbooks::find(&plans, name)?),
        None => plans::PlanChoice::Fitting(&plans),
    };
    // The same choice the operation makes, for --page and the report.
    let opening = plans::opening(
        choice,
        args.category,
        &services,
        given.as_deref(),
        &config.default_severity,
    );
    let plan = opening.plan;
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
        title,
        severity: opening.severity.clone(),
        category: args.category,
        services,
        channels: clean_list(args.channels.clone()),
        summary: args.summary.as_deref().and_then(non_blank),
        detected_by: args
            .detected_by
            .or(alert.as_ref().map(|_| DetectedBy::Monitoring)),
        started_at: started_at.or(alert.as_ref().and_then(|a| a.starts_at).filter(|t| *t <= ctx.now)),
        declared_at: ctx.now,
        drill: args.drill,
        tags: args.tags.iter().cloned().collect(),
        ..Incident::bare()
    };
    let page = match args.page.as_deref() {
        Some("") => Some(
            crate::domain::paging::own_policy(
                plan.and_then(|p| p.policy.as_deref()),
                &draft.services,
                &config.service_policies,
            )
            .ok_or_else(|| {
                usage(
                    "--page names no policy, and neither the playbook nor a service names one; \
                     give it: --page POLICY",
                )
            })?,
        ),
        other => other.map(String::from),
    };
    if let Some(policy) = &page
        && !config.policies.iter().any(|p| &p.name == policy)
    {
        let known: Vec<&str> = config.policies.iter().map(|p| p.name.as_str()).collect();
        return Err(usage(format!(
            "--page {policy}: no such [[policies]] entry in {}; configured: {}",
            config.describe_source(),
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        )));
    }
    let force = args.force || asked_to_repeat(ctx, &draft)?;
    let window = config.changes_window;
    let (store, committed) = ctx.write(|w| {
        let now = w.now();
        let (from, _) = plans::lookback(draft.started_at, window, now);
        let changes = match draft.services.is_empty() {
            true => Vec::new(),
            false => w.changes(from, now)?,
        };
        // Only an incident on a service it names can be repeated.
        let open = match force || draft.services.is_empty() {
            true => Vec::new(),
            false => w.incidents(&open_filter())?,
        };
        let request = ops::OpenRequest {
            draft: draft.clone(),
            commander: commander.as_deref(),
            severity: given.as_deref(),
            default_severity: &config.default_severity,
            playbook: choice,
            changes: &changes,
            changes_window: window,
            check: match force {
                true => ops::Repeat::Allowed,
                false => ops::Repeat::Titles(&open),
            },
        };
        let opened = ops::open(&request, now).map_err(|r| match r {
            ops::Refusal::Repeats { open } => ctx.refused(open, r),
            other => ctx.refused(0, other),
        })?;
        let recent = opened
            .events
            .iter()
            .find_map(|e| match &e.data {
                crate::domain::EventData::RecentChanges(r) => Some(r.changes.clone()),
                _ => None,
            })
            .unwrap_or_default();
        let id = w.create(opened)?;
        if let Some(alert) = &alert {
            crate::intake::tie_in(w, alert.id, id, ops::AlertJoin::Opened, now)?;
        }
        if let Some(policy) = &page
            && let Some(incident) = w.incident(id)?
        {
            w.apply(ops::start_paging(&incident, policy, None, now))?;
        }
        Ok((id, recent))
    })?;
    let (id, recent) = committed.value;
    let key = ctx.key(id)?;
    match (ctx.json(), args.assess) {
        (true, false) => return render::print_incident(ctx, &store, id, None).map(|()| None),
        // The triage walk prints the incident when it is done.
        (true, true) => return Ok(Some(id)),
        (false, _) => drop(store),
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
    if args.assess {
        return Ok(Some(id));
    }
    report(ctx, &key, &args, &draft, plan, &recent, commander.is_none());
    if let Some(policy) = &page {
        ctx.say(format!(
            "  paging by {policy} until someone runs 'incident ack {key}' (pages go out from 'incident notify' or 'incident serve')"
        ));
    }
    render::say_seen_before(ctx, &[id]);
    Ok(None)
}

/// The open incidents.
fn open_filter() -> crate::store::ListFilter {
    crate::store::ListFilter {
        statuses: crate::domain::Status::ALL
            .iter()
            .copied()
            .filter(|s| s.is_open())
            .collect(),
        ..Default::default()
    }
}

/// Whether the person wants a new incident although it would repeat an
/// open one ([`crate::domain::similar::duplicate`]): `false` when there is
/// none to repeat. Asked on a terminal (cancelling writes nothing, exit
/// 130); without one, refused, naming the open incident and --force.
fn asked_to_repeat(ctx: &Ctx, draft: &Incident) -> Result<bool> {
    if draft.services.is_empty() {
        return Ok(false);
    }
    let store = ctx.open(Access::Read)?;
    let open = store.incidents(&open_filter())?;
    let Some(repeated) = crate::domain::similar::duplicate(draft, &open) else {
        return Ok(false);
    };
    let id = repeated.id;
    if !crate::prompt::interactive() {
        return Err(ctx.refused(id, ops::Refusal::Repeats { open: id }));
    }
    let key = ctx.key(id)?;
    let on: Vec<&str> = repeated
        .services
        .iter()
        .filter(|s| draft.services.contains(s))
        .map(String::as_str)
        .collect();
    let question = format!(
        "{key} \"{}\" is open on {}. Declare a new incident anyway?",
        crate::text::one_line(&repeated.title),
        on.join(", ")
    );
    drop(store);
    let p = crate::prompt::Prompter::new();
    match p.confirm(&question, false) {
        Ok(true) => Ok(true),
        Ok(false) => {
            ctx.say(format!(
                "not declared; add to {key} with 'incident update {key} ...'"
            ));
            Err(Failure::Silent(crate::prompt::CANCELLED_EXIT).into())
        }
        Err(e) if e.is::<crate::prompt::Cancelled>() => {
            ctx.say("cancelled; nothing was recorded");
            Err(Failure::Silent(crate::prompt::CANCELLED_EXIT).into())
        }
        Err(e) => Err(e),
    }
}

/// The alert `--from-alert` names, which must not belong to an open
/// incident already.
fn from_alert(ctx: &Ctx, id: Option<i64>) -> Result<Option<crate::domain::alerts::Alert>> {
    let Some(id) = id else {
        return Ok(None);
    };
    let store = ctx.open(Access::Read)?;
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
    Ok(Some(alert))
}

/// The response plans to choose from. A named plan must be there and
/// readable; a broken plans folder must not stop a declaration at 3 a.m.
/// when no plan was asked for.
fn playbooks(ctx: &Ctx, args: &DeclareArgs) -> Result<Vec<plans::Playbook>> {
    Ok(match (&args.playbook, args.no_playbook) {
        (_, true) => Vec::new(),
        (Some(_), false) => crate::playbooks::load(ctx.config()?)?,
        (None, false) => crate::playbooks::load(ctx.config()?).unwrap_or_else(|e| {
            ctx.warn(format!("no playbook attached: {e:#}"));
            Vec::new()
        }),
    })
}

/// What the declaration brought with it and what to do next, for people.
fn report(
    ctx: &Ctx,
    key: &str,
    args: &DeclareArgs,
    draft: &Incident,
    plan: Option<&plans::Playbook>,
    recent: &[plans::ChangeRecord],
    no_commander: bool,
) {
    if draft.drill {
        ctx.say("  DRILL: a rehearsal, left out of stats, guard and check's exit status");
    }
    if let Some(plan) = plan {
        ctx.say(format!(
            "  playbook {}: {} task{}; see them with 'incident task {key}'",
            plan.name,
            plan.tasks.len(),
            if plan.tasks.len() == 1 { "" } else { "s" }
        ));
    }
    if !recent.is_empty() {
        ctx.say(format!("  recent changes on {}:", draft.services.join(", ")));
        for c in recent {
            ctx.say(format!(
                "    {}  {} {}  {}{}",
                crate::time::human(c.at, &chrono::Local),
                c.kind,
                c.services.join(","),
                crate::text::one_line(&c.title),
                c.link
                    .as_deref()
                    .map(|l| format!("  {}", crate::text::one_line(l)))
                    .unwrap_or_default()
            ));
        }
    }
    match (&args.severity, plan.and_then(|p| p.severity.as_ref())) {
        (Some(_), _) => {}
        (None, Some(_)) => ctx.say(format!(
            "  severity {} from the playbook; triage with 'incident assess {key}'",
            draft.severity
        )),
        (None, None) => ctx.say(format!(
            "  severity defaulted to {}; triage with 'incident assess {key}'",
            draft.severity
        )),
    }
    if no_commander {
        ctx.say(format!(
            "  no commander yet: incident assign-role {key} commander NAME"
        ));
    }
}
