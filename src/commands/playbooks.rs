//! `incident playbooks`: the response plans the configuration can see, or
//! one plan's tasks. Also how to check plan files: a broken one is an error
//! naming its file and line.

use crate::context::Ctx;
use crate::output;
use crate::text::one_line;
use crate::time::compact;
use anyhow::Result;
use clap::Args;
use comfy_table::Cell;
use std::io::Write;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident playbooks
  incident playbooks outage")]
pub struct PlaybooksArgs {
    /// Show this playbook's roles and tasks
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
}

pub fn run(ctx: &Ctx, args: PlaybooksArgs) -> Result<()> {
    let plans = crate::playbooks::load(ctx.config()?)?;
    let mut out = output::stdout();
    if let Some(name) = &args.name {
        let plan = crate::playbooks::find(&plans, name)?;
        if ctx.json() {
            return output::print_json(plan);
        }
        let mut head = format!("Playbook {}", plan.name);
        if let Some(d) = &plan.description {
            head.push_str(&format!(": {d}"));
        }
        output::write_wrapped(&mut out, "", &one_line(&head))?;
        if let Some(level) = &plan.severity {
            output::write_wrapped(&mut out, "  severity ", &one_line(level))?;
        }
        if !plan.roles.is_empty() {
            output::write_wrapped(&mut out, "  roles    ", &plan.roles.join(", "))?;
        }
        for (n, t) in plan.tasks.iter().enumerate() {
            let mut line = format!("{}. {}", n + 1, t.title);
            if let Some(role) = &t.role {
                line.push_str(&format!(" ({role})"));
            }
            if let Some(s) = t.due_seconds {
                line.push_str(&format!(" — within {}", compact(chrono::Duration::seconds(s))));
            }
            output::write_wrapped(&mut out, "  ", &one_line(&output::shown(&line)))?;
        }
        out.flush()?;
        return Ok(());
    }
    if ctx.json() {
        return output::print_json(&plans);
    }
    if plans.is_empty() {
        // Named in full: "the configuration folder" is a guess for the
        // person who has not made one yet.
        let folder = ctx.config()?.dir.as_ref().map(|d| d.join("playbooks"));
        ctx.say(match folder {
            Some(folder) => format!(
                "No playbooks. Put plans (NAME.toml) in {}{} (examples/playbooks/ has four to start from).",
                folder.display(),
                if folder.is_dir() {
                    ""
                } else {
                    ", a folder to create"
                }
            ),
            None => "No playbooks. Put plans in the configuration folder's playbooks/ \
                     (examples/playbooks/ has four to start from)."
                .into(),
        });
        return Ok(());
    }
    let mut table = output::table(["NAME", "APPLIES TO", "SEVERITY", "TASKS"]);
    for p in &plans {
        let a = &p.applies;
        let mut applies: Vec<String> = Vec::new();
        if !a.categories.is_empty() {
            let names: Vec<&str> = a.categories.iter().map(|c| c.as_str()).collect();
            applies.push(names.join("/"));
        }
        if !a.services.is_empty() {
            applies.push(format!("services {}", a.services.join("/")));
        }
        if !a.severities.is_empty() {
            applies.push(a.severities.join("/"));
        }
        let applies = match applies.is_empty() {
            true => "by name only".to_string(),
            false => applies.join("; "),
        };
        table.add_row(vec![
            Cell::new(&p.name),
            Cell::new(one_line(&output::shown(&applies))),
            Cell::new(p.severity.as_deref().unwrap_or("-")),
            Cell::new(p.tasks.len()),
        ]);
    }
    output::keep_whole(&mut table, &[0]);
    output::print_table(&mut out, &table)?;
    out.flush()?;
    Ok(())
}
