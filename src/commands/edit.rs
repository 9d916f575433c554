//! `incident edit`: change what was said at declaration. Each changed field
//! is one `edited` event with its value before and after.

use crate::context::Ctx;
use crate::domain::ops::{self, EditRequest};
use crate::domain::{Category, DetectedBy};
use crate::error::{refused, usage};
use crate::render;
use crate::text::{clean_list, non_blank, one_line};
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,

    /// What is broken, in a few words
    #[arg(long)]
    pub title: Option<String>,

    /// What kind of incident
    #[arg(long, short, value_enum)]
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
    #[arg(long, value_enum)]
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
    };
    let asked = request.title.is_some()
        || request.category.is_some()
        || !request.add_services.is_empty()
        || !request.remove_services.is_empty()
        || request.summary.is_some()
        || request.detected_by.is_some()
        || request.started_at.is_some()
        || !request.add_channels.is_empty()
        || !request.remove_channels.is_empty();
    if !asked {
        return Err(usage(
            "nothing to change; give --title, --category, --add-service, --remove-service, --summary, \
             --detected-by, --started-at, --add-channel or --remove-channel",
        ));
    }
    let now = ctx.now;
    let key = ctx.key(id)?;
    let (store, committed) = ctx.write(|w| {
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        let change = ops::edit(&incident, &request, now).map_err(|r| refused(&key, r))?;
        let said: Vec<String> = change.events.iter().map(|e| e.text.clone()).collect();
        w.apply(change)?;
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
