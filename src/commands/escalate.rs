//! `incident escalate`: page more people, raising the severity if needed.

use crate::context::Ctx;
use crate::domain::ops::{self, EscalateRequest, Refusal};
use crate::domain::{EventData, EventKind, paging};
use crate::error::usage;
use crate::render;
use crate::store::ReadsExt;
use crate::text::{clean_list, non_blank, one_line};
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident escalate INC-7 --to dba-oncall -r \"orders table locked\"
  incident escalate INC-7 -s SEV1 -r \"all regions now\"
  incident escalate INC-7 --to db-critical    # a [[policies]] entry: pages until acked")]
pub struct EscalateArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,

    /// Whom to page: a person, rota or team (repeat or separate with commas);
    /// a [[policies]] name pages its people until someone acknowledges
    /// [default: the policy the incident's playbook or a service names, else
    /// the escalation for the severity in the configuration]
    #[arg(long, value_name = "WHO", value_delimiter = ',', value_parser = crate::text::name_arg)]
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
    let key = ctx.key(id)?;
    let request = EscalateRequest {
        to,
        severity: level.map(|l| l.name.clone()),
        reason,
        policies: config.policies.iter().map(|p| p.name.clone()).collect(),
    };
    let levels = config.level_list();
    let policy = |level: &str| config.escalation.get(level).map(Vec::as_slice);
    // Without --to, the policy the incident's playbook or a service names
    // comes before the one for the severity.
    let plans = match request.to.is_empty() {
        true => crate::playbooks::load(config).unwrap_or_default(),
        false => Vec::new(),
    };
    let (store, committed) = ctx.write(|w| {
        let now = w.now();
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        let mut request = request.clone();
        if request.to.is_empty() {
            let attached = w
                .events_of(id, &[EventKind::PlaybookAttached])?
                .into_iter()
                .rev()
                .find_map(|e| match e.data {
                    EventData::PlaybookAttached(p) => Some(p.name),
                    _ => None,
                });
            let playbook = attached.and_then(|name| plans.iter().find(|p| p.name == name));
            if let Some(own) = paging::own_policy(
                playbook.and_then(|p| p.policy.as_deref()),
                &incident.services,
                &config.service_policies,
            ) {
                if !request.policies.contains(&own) {
                    return Err(usage(format!(
                        "playbook {} names the policy '{own}', which is not in [[policies]] of {}; add it, or pass --to WHO",
                        playbook.map_or("?", |p| p.name.as_str()),
                        config.describe_source()
                    )));
                }
                request.to = vec![own];
            }
        }
        let change = ops::escalate(&incident, &request, &levels, policy, now).map_err(|r| match r {
            Refusal::NoPolicy { severity } => usage(format!(
                "no escalation policy for {severity}; pass --to WHO, or add `{severity} = [\"team-oncall\"]` under [escalation] in {}",
                config.describe_source()
            )),
            r => ctx.refused(id, r),
        })?;
        let paged = change.events.iter().find_map(|e| match &e.data {
            EventData::Escalated(e) => Some((e.to.clone(), e.severity.clone(), e.page.clone())),
            _ => None,
        });
        w.apply(change)?;
        paged.ok_or_else(|| anyhow::anyhow!("an escalation without its event"))
    })?;
    if ctx.json() {
        return render::print_incident(ctx, &store, id, None);
    }
    let (recipients, severity, page) = committed.value;
    ctx.say(format!(
        "{key} [{severity}]: escalated to {}",
        one_line(&recipients.join(", "))
    ));
    if let Some(policy) = page {
        ctx.say(format!(
            "Paging by policy {policy} until someone runs 'incident ack {key}'; pages go out from 'incident notify' or 'incident serve'"
        ));
    }
    Ok(())
}
