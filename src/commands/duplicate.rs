//! `incident duplicate`: mark an incident a duplicate of another. The link
//! is recorded on both timelines; a duplicate of a duplicate points to the
//! primary.

use crate::context::Ctx;
use crate::domain::ops;
use crate::render;
use crate::store::ReadsExt;
use crate::text::one_line;
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident duplicate INC-8 --of INC-7
  incident reopen INC-8 -r \"a separate fault\"   # undoes it")]
pub struct DuplicateArgs {
    /// The duplicate (INC-7, inc-7 or 7)
    pub key: String,

    /// The incident it duplicates
    #[arg(long, value_name = "KEY")]
    pub of: String,
}

pub fn run(ctx: &Ctx, args: DuplicateArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    let of = ctx.parse_key(&args.of)?;
    let key = ctx.key(id)?;
    let (store, committed) = ctx.write(|w| {
        let now = w.now();
        let incident = w.incident(id)?.ok_or_else(|| ctx.missing(id))?;
        let target = w.incident(of)?.ok_or_else(|| ctx.missing(of))?;
        let primary = ops::primary(target, |d| w.duplicate_of(d.id))?;
        let primary_key = ctx.key(primary.id)?;
        let (change, link) = ops::duplicate(&incident, &key, of, &primary, &primary_key, now)
            .map_err(|r| ctx.refused(id, r))?;
        w.apply(change)?;
        w.apply(link)?;
        Ok(primary_key)
    })?;
    if ctx.json() {
        return render::print_incident(ctx, &store, id, None);
    }
    let primary = committed.value;
    let via = match primary != ctx.key(of)? {
        true => format!(" (through {}, itself a duplicate)", ctx.key(of)?),
        false => String::new(),
    };
    ctx.say(format!(
        "{key}: duplicate of {}{via}; reopen it with 'incident reopen {key} --reason WHY'",
        one_line(&primary)
    ));
    Ok(())
}
