//! `incident assign-role`: delegate a role, hand it over, or take it away.

use crate::context::Ctx;
use crate::domain::{EventKind, ops, roles};
use crate::error::usage;
use crate::render;
use crate::store::{EventQuery, Of, Range, ReadsExt};
use crate::text::{non_blank, one_line};
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident assign-role INC-7 scribe bob
  incident assign-role INC-7 commander carol   # a handover
  incident assign-role INC-7 scribe bob --remove")]
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

    /// Take the words as given: a new role even though its name is close to
    /// a configured one, a role named like a person, a person named like a role
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
    let actor = ctx.actor().ok();
    let (store, committed) = ctx.write(|w| {
        let now = w.now();
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        if !args.force {
            // Who held a role anywhere: read only for a word that is no
            // role here, and not the one acting.
            let is_person = |word: &str| -> Result<bool> {
                if actor.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(word)) {
                    return Ok(true);
                }
                let events = w.events(EventQuery {
                    of: Of::All,
                    kinds: &[EventKind::RoleAssigned, EventKind::RoleHandover],
                    range: Range::All,
                })?;
                Ok(roles::ever_held(&events, word))
            };
            if let Some(why) = roles::swapped(&args.role, &person, configured, &incident.roles, is_person)? {
                let words = crate::explain::RoleWords {
                    key: &key,
                    role: args.role.trim(),
                    person: &person,
                    remove: args.remove,
                };
                return Err(usage(crate::explain::swapped(why, &words)));
            }
        }
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
