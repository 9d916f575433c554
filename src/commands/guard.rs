//! `incident guard`: a deploy freeze for CI. Fails while a matching
//! incident is open.
//!
//! Exit 1 ("failure") while an open incident matches, with one line
//! on stderr saying which; 0 when none does. Any other failure (a database
//! that cannot be read) also exits non-zero, so the freeze fails closed:
//! when the guard cannot tell, deploys wait.

use crate::context::Ctx;
use crate::domain::{Incident, Status};
use crate::error::Failure;
use crate::output;
use crate::store::ReadsExt;
use crate::store::{Access, ListFilter};
use crate::text::one_line;
use crate::views::IncidentView;
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident guard --service checkout
  incident guard --min-severity SEV2 && ./deploy.sh")]
pub struct GuardArgs {
    /// Only incidents at least this severe (e.g. SEV2 matches SEV1 and SEV2) [default: any]
    #[arg(long, value_name = "LEVEL")]
    pub min_severity: Option<String>,

    /// Only incidents affecting this service (repeat or separate with commas: any of them)
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub service: Vec<String>,
}

pub fn run(ctx: &Ctx, args: GuardArgs) -> Result<()> {
    let config = ctx.config()?;
    let min_rank = args
        .min_severity
        .as_deref()
        .map(|s| config.level(s).map(|l| config.rank(&l.name)))
        .transpose()?;
    let services: Vec<String> = args
        .service
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let filter = ListFilter {
        // Open ones, which are all counted (canceled and duplicate ones never are).
        statuses: Status::ALL
            .iter()
            .copied()
            .filter(|s| s.is_open() && s.is_counted())
            .collect(),
        // A rehearsal never holds up a deploy.
        drill: Some(false),
        ..ListFilter::default()
    };
    let order: Vec<String> = config.levels.iter().map(|l| l.name.clone()).collect();
    // A guard that cannot see the incidents must not wave deploys through: a
    // mistyped INCIDENT_DB or a runner without the file would otherwise read
    // as "no incidents".
    let store = ctx
        .open(Access::Existing)
        .map_err(|e| match e.downcast_ref::<crate::store::Missing>() {
            Some(missing) => anyhow::anyhow!(
                "{missing}; the guard cannot tell whether deploys are safe \
             (point --db or INCIDENT_DB at the team's database)"
            ),
            None => e,
        })?;
    let mut matching: Vec<Incident> = Vec::new();
    store.each_incident(&filter, crate::store::Order::Severity(&order), &mut |incident| {
        if matches(
            &incident,
            min_rank.map(|r| (r, config.rank(&incident.severity))),
            &services,
        ) {
            matching.push(incident);
        }
        Ok(())
    })?;
    if ctx.json() {
        // The same objects as `list --json`, assessment included.
        let extra = matching
            .iter()
            .map(|i| Ok((ctx.key(i.id)?, store.assessment(i.id)?)))
            .collect::<Result<Vec<_>>>()?;
        let views: Vec<IncidentView> = matching
            .iter()
            .zip(&extra)
            .map(|(i, (key, assessment))| {
                IncidentView::new(key.clone(), i).with_assessment(assessment.as_ref())
            })
            .collect();
        output::print_json(&views)?;
    }
    let Some(first) = matching.first() else {
        ctx.say("No matching open incident; deploys may proceed.");
        return Ok(());
    };
    // The reason is printed even with --quiet: it is why the job failed.
    let more = match matching.len() {
        1 => String::new(),
        2 => " (and 1 more incident)".to_string(),
        n => format!(" (and {} more incidents)", n - 1),
    };
    let services = if first.services.is_empty() {
        String::new()
    } else {
        format!(", affecting {}", one_line(&first.services.join(", ")))
    };
    crate::text::to_stderr(&format!(
        "deploy freeze: {} [{}] {} is {}{services}{more}",
        ctx.key(first.id)?,
        one_line(&first.severity),
        one_line(&first.title),
        first.status,
    ));
    Err(Failure::Silent(1).into())
}

/// Whether an open incident freezes deploys: severe enough (its rank, 0 the
/// most severe, at most the minimum's) and affecting one of `services`
/// (any, when none is named; names compare case-insensitively). An incident
/// that names no services may affect any of them, so it matches every
/// service: in doubt, the freeze holds.
fn matches(incident: &Incident, ranks: Option<(usize, usize)>, services: &[String]) -> bool {
    let severe = ranks.is_none_or(|(min, rank)| rank <= min);
    let affected = services.is_empty()
        || incident.services.is_empty()
        || incident
            .services
            .iter()
            .any(|s| services.iter().any(|want| want.eq_ignore_ascii_case(s)));
    severe && affected
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Category;

    fn incident(services: &[&str]) -> Incident {
        Incident {
            title: "x".into(),
            severity: "SEV2".into(),
            category: Category::Other,
            services: services.iter().map(|s| s.to_string()).collect(),
            ..Incident::example()
        }
    }

    #[test]
    fn severity_and_service_both_have_to_match() {
        let i = incident(&["checkout", "payments"]);
        assert!(matches(&i, None, &[]));
        assert!(matches(&i, Some((1, 1)), &[]), "SEV2 is at least SEV2");
        assert!(matches(&i, Some((2, 1)), &[]), "SEV2 is at least SEV3");
        assert!(!matches(&i, Some((0, 1)), &[]), "SEV2 is not at least SEV1");
        assert!(matches(&i, None, &["Checkout".into()]));
        assert!(matches(&i, None, &["search".into(), "payments".into()]));
        assert!(!matches(&i, None, &["search".into()]));
        assert!(
            matches(&incident(&[]), None, &["checkout".into()]),
            "no services named: it may be any"
        );
    }
}
