//! `incident escalate`: page more people, raising the severity if needed.

use crate::context::Ctx;
use crate::error::usage;
use crate::model::{EventKind, NewEvent};
use crate::ops;
use crate::render;
use crate::text::{clean_list, non_blank, one_line};
use anyhow::Result;
use clap::Args;
use serde_json::json;

#[derive(Debug, Args)]
pub struct EscalateArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,

    /// Whom to page: a person, rota or team (repeat or separate with commas)
    /// [default: the escalation policy for the severity in the configuration]
    #[arg(long, value_name = "WHO", value_delimiter = ',')]
    pub to: Vec<String>,

    /// Raise the severity to this level
    #[arg(long, short)]
    pub severity: Option<String>,

    /// Why: what the people paged need to know
    #[arg(long, short)]
    pub reason: Option<String>,
}

pub fn run(ctx: &Ctx, args: EscalateArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    let config = ctx.config()?;
    let level = args.severity.as_deref().map(|s| config.level(s)).transpose()?;
    let to = clean_list(args.to);
    let reason = args.reason.as_deref().and_then(non_blank);
    let now = ctx.now;
    let key = ctx.key(id)?;
    let (store, committed) = ctx.write(|w| {
        let mut incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        if !incident.status.is_open() {
            return Err(usage(format!(
                "{key} is {}; reopen it first with 'incident update {key} --status investigating'",
                incident.status
            )));
        }
        if let Some(level) = level
            && config.rank(&level.name) > config.rank(&incident.severity)
        {
            return Err(usage(format!(
                "escalate only raises severity and {key} is already {}; lower it with 'incident update {key} --severity {}'",
                incident.severity, level.name
            )));
        }
        let severity = level.map(|l| l.name.clone()).unwrap_or_else(|| incident.severity.clone());
        let (recipients, from_policy) = if to.is_empty() {
            match config.escalation.get(&severity) {
                Some(people) if !people.is_empty() => (people.clone(), true),
                _ => {
                    return Err(usage(format!(
                        "no escalation policy for {severity}; pass --to WHO, or add `{severity} = [\"team-oncall\"]` under [escalation] in {}",
                        config.describe_source()
                    )));
                }
            }
        } else {
            (to.clone(), false)
        };
        ops::change_severity(w, &mut incident, &severity, now, reason.as_deref())?;
        let text = match &reason {
            Some(r) => format!("Escalated to {}: {r}", recipients.join(", ")),
            None => format!("Escalated to {}", recipients.join(", ")),
        };
        w.append(
            id,
            NewEvent::new(now, EventKind::Escalated, text).with(json!({
                "to": recipients,
                "reason": reason,
                "severity": severity,
                "policy": from_policy,
            })),
        )?;
        Ok((recipients, severity))
    })?;
    if ctx.json() {
        return render::print_incident(ctx, &store, id, None);
    }
    let (recipients, severity) = committed.value;
    ctx.say(format!(
        "{key} [{severity}]: escalated to {}",
        one_line(&recipients.join(", "))
    ));
    Ok(())
}
