//! `incident edit`: change what was said at declaration. Each changed field
//! is one `edited` event with its value before and after.

use crate::context::Ctx;
use crate::domain::ops::{self, EditRequest};
use crate::domain::{Category, DetectedBy, EventData, EventKind};
use crate::error::usage;
use crate::render;
use crate::store::ReadsExt;
use crate::text::{clean_list, non_blank, one_line};
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident edit INC-7 --title \"Checkout and cart return 500s\" --add-service cart
  incident edit INC-7 --started-at 07:40 --detected-by customer
  incident edit INC-7 --resolution \"Rolled back 4821; unlocked the orders table\"
  incident edit INC-7 --public-title \"Checkout errors\"")]
pub struct EditArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,

    /// What is broken, in a few words
    #[arg(long)]
    pub title: Option<String>,

    /// What kind of incident
    #[arg(long, short, value_parser = crate::cli::named::<Category>())]
    pub category: Option<Category>,

    /// Add an affected service (repeat or separate with commas)
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub add_service: Vec<String>,

    /// Remove a service (repeat or separate with commas)
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub remove_service: Vec<String>,

    /// What is known so far
    #[arg(long)]
    pub summary: Option<String>,

    /// Who or what noticed first
    #[arg(long, value_parser = crate::cli::named::<DetectedBy>())]
    pub detected_by: Option<DetectedBy>,

    /// When the impact began
    #[arg(long, value_name = "TIME")]
    pub started_at: Option<String>,

    /// Add a chat channel, bridge or document link (repeatable)
    #[arg(long, value_name = "URL")]
    pub add_channel: Vec<String>,

    /// Remove a channel (repeatable)
    #[arg(long, value_name = "URL")]
    pub remove_channel: Vec<String>,

    /// Set a tag: key=value (repeatable)
    #[arg(long = "tag", value_name = "KEY=VALUE", value_parser = crate::text::tag_arg)]
    pub tags: Vec<(String, String)>,

    /// Remove a tag by its key (repeatable)
    #[arg(long, value_name = "KEY", value_parser = crate::domain::plans::parse_tag_key)]
    pub remove_tag: Vec<String>,

    /// The resolution summary of a resolved or closed incident: given late, or corrected
    #[arg(long, value_name = "TEXT")]
    pub resolution: Option<String>,

    /// The title customers read on the status page (until set, a neutral one naming its public components)
    #[arg(long, value_name = "TEXT")]
    pub public_title: Option<String>,

    /// Attach a response plan: its tasks become the incident's checklist
    #[arg(long, value_name = "NAME", value_parser = crate::text::name_arg)]
    pub playbook: Option<String>,
}

pub fn run(ctx: &Ctx, args: EditArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    // The same checks as `declare`.
    let title = match &args.title {
        Some(t) => Some(non_blank(t).ok_or_else(|| usage("--title is empty; say what is broken"))?),
        None => None,
    };
    let summary = match &args.summary {
        Some(s) => Some(non_blank(s).ok_or_else(|| usage("--summary is empty; say what is known"))?),
        None => None,
    };
    let resolution = match &args.resolution {
        Some(r) => {
            Some(non_blank(r).ok_or_else(|| usage("--resolution is empty; say what restored the service"))?)
        }
        None => None,
    };
    let started_at = args
        .started_at
        .as_deref()
        .map(|t| ctx.past_time("--started-at", t))
        .transpose()?;
    let request = EditRequest {
        title,
        category: args.category,
        add_services: clean_list(args.add_service),
        remove_services: clean_list(args.remove_service),
        summary,
        detected_by: args.detected_by,
        started_at,
        add_channels: clean_list(args.add_channel),
        remove_channels: clean_list(args.remove_channel),
        set_tags: args.tags,
        remove_tags: args.remove_tag,
        resolution,
        public_title: None,
    };
    let public_title = match &args.public_title {
        Some(t) => Some(non_blank(t).ok_or_else(|| {
            usage(
                "--public-title is empty; say in a few words what customers notice, e.g. \"Checkout errors\"",
            )
        })?),
        None => None,
    };
    let plan = match &args.playbook {
        Some(name) => {
            let plans = crate::playbooks::load(ctx.config()?)?;
            Some(crate::playbooks::find(&plans, name)?.attached())
        }
        None => None,
    };
    let asked = request.title.is_some()
        || request.category.is_some()
        || !request.add_services.is_empty()
        || !request.remove_services.is_empty()
        || request.summary.is_some()
        || request.detected_by.is_some()
        || request.started_at.is_some()
        || !request.add_channels.is_empty()
        || !request.remove_channels.is_empty()
        || !request.set_tags.is_empty()
        || !request.remove_tags.is_empty()
        || request.resolution.is_some()
        || public_title.is_some();
    if !asked && plan.is_none() {
        return Err(usage(
            "nothing to change; give --title, --category, --add-service, --remove-service, --summary, \
             --detected-by, --started-at, --add-channel, --remove-channel, --tag, --remove-tag, --resolution, \
             --public-title or --playbook",
        ));
    }
    let key = ctx.key(id)?;
    let (store, committed) = ctx.write(|w| {
        let now = w.now();
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        let mut said: Vec<String> = Vec::new();
        let mut incident = incident;
        if asked {
            let mut request = request.clone();
            if let Some(to) = &public_title {
                let edits = w.events_of(id, &[EventKind::Edited])?;
                let from = crate::domain::statuspage::public_title(&edits);
                request.public_title = Some((from, to.clone()));
            }
            let change = ops::edit(&incident, &request, now).map_err(|r| ctx.refused(id, r))?;
            said.extend(change.events.iter().map(|e| e.text.clone()));
            incident = change.incident.clone();
            w.apply(change)?;
        }
        if let Some(plan) = plan {
            let current = w.latest_event(id, &[EventKind::PlaybookAttached])?;
            let current = current.as_ref().and_then(|e| match &e.data {
                EventData::PlaybookAttached(p) => Some(p.name.as_str()),
                _ => None,
            });
            let change =
                ops::attach_playbook(&incident, current, plan, now).map_err(|r| ctx.refused(id, r))?;
            said.extend(change.events.iter().map(|e| e.text.clone()));
            w.apply(change)?;
        }
        Ok(said)
    })?;
    if ctx.json() {
        return render::print_incident(ctx, &store, id, None);
    }
    for line in committed.value {
        ctx.say(format!("{key}: {}", one_line(&line)));
    }
    Ok(())
}
