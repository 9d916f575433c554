//! `incident assign-role`: delegate a role, hand it over, or take it away.

use crate::context::Ctx;
use crate::domain::{ops, roles};
use crate::error::usage;
use crate::render;
use crate::store::ReadsExt;
use crate::text::{non_blank, one_line};
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct AssignRoleArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,

    /// commander, tech-lead, scribe, communicator, coordinator, responder,
    /// customer-support, sme, social-media, problem-manager, one from the configuration,
    /// or any other (an ad-hoc role for this incident, which many may hold)
    pub role: String,

    /// Who takes the role
    pub person: String,

    /// Take the role away from PERSON instead
    #[arg(long)]
    pub remove: bool,

    /// Take a new role even though its name is close to a configured one
    #[arg(long)]
    pub force: bool,
}

enum Outcome {
    Unchanged(String),
    Changed(String),
}

pub fn run(ctx: &Ctx, args: AssignRoleArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    let configured = &ctx.config()?.roles;
    let person =
        non_blank(&args.person).ok_or_else(|| usage("the person is empty; name who takes the role"))?;
    let key = ctx.key(id)?;
    let (store, committed) = ctx.write(|w| {
        let now = w.now();
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        let role = roles::find(&args.role, configured, &incident.roles, args.force)
            .map_err(|why| usage(crate::explain::unknown_role(&why)))?;
        let name = &role.name;
        let change = match args.remove {
            true => ops::remove_role(&incident, &role, &person, now).map_err(|r| ctx.refused(id, r))?,
            false => ops::assign_role(&incident, &role, &person, now).map_err(|r| ctx.refused(id, r))?,
        };
        let outcome = match change.events.first() {
            Some(event) => Outcome::Changed(event.text.clone()),
            None => Outcome::Unchanged(format!("{person} already holds {name}; nothing changed")),
        };
        w.apply(change)?;
        Ok(outcome)
    })?;
    if ctx.json() {
        return render::print_incident(ctx, &store, id, None);
    }
    match committed.value {
        Outcome::Changed(text) | Outcome::Unchanged(text) => ctx.say(format!("{key}: {}", one_line(&text))),
    }
    Ok(())
}
