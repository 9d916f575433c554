//! `incident topic`: one line for a chat channel topic or a status bar.

use crate::context::Ctx;
use crate::domain::Incident;
use crate::output;
use crate::store::Access;
use crate::store::ReadsExt;
use crate::text::one_line;
use anyhow::Result;
use clap::Args;
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident topic INC-7
  incident --json topic INC-7")]
pub struct TopicArgs {
    /// The incident (INC-7, inc-7 or 7)
    pub key: String,
}

#[derive(Serialize)]
struct TopicView<'a> {
    key: &'a str,
    topic: &'a str,
}

pub fn run(ctx: &Ctx, args: TopicArgs) -> Result<()> {
    let id = ctx.parse_key(&args.key)?;
    let store = ctx.open(Access::Read)?;
    let incident = ctx.find(&store, id)?;
    let key = ctx.key(id)?;
    let events = store.events_of(id, crate::domain::plans::CHECKLIST_KINDS)?;
    let progress = crate::domain::plans::checklist(incident.declared_at, &events).map(|l| l.progress_text());
    let line = topic(&key, &incident, progress.as_deref());
    if ctx.json() {
        return output::print_json(&TopicView {
            key: &key,
            topic: &line,
        });
    }
    let mut out = output::stdout();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

/// `INC-1 [SEV1] identified: Checkout returns 500s | IC: carol | https://…`
pub fn topic(key: &str, i: &Incident, progress: Option<&str>) -> String {
    let drill = if i.drill { "DRILL " } else { "" };
    let mut parts = vec![format!("{drill}{key} [{}] {}: {}", i.severity, i.status, i.title)];
    parts.push(format!("IC: {}", i.holder("commander").unwrap_or("none")));
    if let Some(progress) = progress {
        parts.push(progress.to_string());
    }
    parts.extend(i.channels.iter().cloned());
    one_line(&parts.join(" | ")).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{RoleHolder, Status};

    #[test]
    fn one_line_with_everything_a_channel_needs() {
        let mut i = Incident {
            title: "Checkout\nreturns 500s\u{1b}[31m".into(),
            status: Status::Identified,
            channels: vec!["https://chat.example/inc-1".into()],
            ..Incident::example()
        };
        assert_eq!(
            topic("INC-1", &i, None),
            "INC-1 [SEV1] identified: Checkout ⏎ returns 500s\\u{1b}[31m | IC: none | https://chat.example/inc-1"
        );
        i.roles.push(RoleHolder {
            role: "commander".into(),
            person: "carol".into(),
        });
        assert!(topic("INC-1", &i, None).contains("| IC: carol |"));
    }
}
