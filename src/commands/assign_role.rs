//! `incident assign-role`: delegate a role, hand it over, or take it away.

use crate::context::Ctx;
use crate::error::usage;
use crate::model::roles::{self, Assignment};
use crate::model::{EventKind, NewEvent};
use crate::render;
use crate::text::{non_blank, one_line};
use anyhow::Result;
use clap::Args;
use serde_json::json;

#[derive(Debug, Args)]
pub struct AssignRoleArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,

    /// commander, tech-lead, scribe, communicator, coordinator, responder,
    /// customer-support, sme, social-media, problem-manager, or one from the configuration
    pub role: String,

    /// Who takes the role
    pub person: String,

    /// Take the role away from PERSON instead
    #[arg(long)]
    pub remove: bool,
}

enum Outcome {
    Unchanged(String),
    Changed(String),
}

pub fn run(ctx: &Ctx, args: AssignRoleArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    let role = ctx.config()?.role(&args.role)?.clone();
    let person =
        non_blank(&args.person).ok_or_else(|| usage("the person is empty; name who takes the role"))?;
    let now = ctx.now;
    let name = &role.name;
    let (store, committed) = ctx.write(|w| {
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        if args.remove {
            roles::plan_remove(&role, &person, &incident.roles)
                .map_err(|why| usage(format!("{why} on {}", ctx.key(id).unwrap_or_default())))?;
            w.remove_role(id, name, &person)?;
            let text = format!("{person} is no longer {name}");
            w.append(
                id,
                NewEvent::new(now, EventKind::RoleRemoved, &text)
                    .with(json!({"role": name, "person": person})),
            )?;
            return Ok(Outcome::Changed(text));
        }
        let (kind, text, details) = match roles::plan_assign(&role, &person, &incident.roles) {
            Assignment::AlreadyHeld => {
                return Ok(Outcome::Unchanged(format!(
                    "{person} already holds {name}; nothing changed"
                )));
            }
            Assignment::Assign => (
                EventKind::RoleAssigned,
                format!("{person} is {name}"),
                json!({"role": name, "person": person}),
            ),
            Assignment::Handover { from } => {
                w.remove_role(id, name, &from)?;
                (
                    EventKind::RoleHandover,
                    format!("{from} handed {name} to {person}"),
                    json!({"role": name, "person": person, "previous": from}),
                )
            }
        };
        w.add_role(id, name, &person)?;
        w.append(id, NewEvent::new(now, kind, &text).with(details))?;
        Ok(Outcome::Changed(text))
    })?;
    if ctx.json() {
        return render::print_incident(ctx, &store, id, None);
    }
    let key = ctx.key(id)?;
    match committed.value {
        Outcome::Changed(text) | Outcome::Unchanged(text) => ctx.say(format!("{key}: {}", one_line(&text))),
    }
    Ok(())
}
