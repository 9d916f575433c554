//! `incident search QUERY`: the incidents whose text holds the words,
//! most relevant first, each with where it matched and a snippet.

use crate::context::Ctx;
use crate::domain::Incident;
use crate::domain::search::{Hit, Query, QueryError, footer, snippet};
use crate::error::usage;
use crate::output;
use crate::store::{Access, Found, ListFilter, Read, ReadsExt};
use crate::text::{one_line, safe};
use crate::views::SearchHitView;
use anyhow::Result;
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
// Unlike `list`'s, the search's statuses default to all of them.
#[command(mut_arg("status", |a| a.help("Only incidents in this status (repeat or separate with commas) [default: any]")))]
#[command(after_help = "\
Searches titles, summaries, resolutions, timeline entries, assessments, retrospective
answers, action items and alert summaries. Every word must be in one piece of text;
\"quoted words\" must be in a row. Nothing else is an operator.

Examples:
  incident search disk full
  incident search '\"connection pool\"' --service checkout --since 90d
  incident search timeout --status resolved,closed --json")]
pub struct SearchArgs {
    /// Words to find; "quoted words" as a phrase
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,

    /// Only incidents on this service (repeat or separate with commas; any of them)
    #[arg(long = "service", value_name = "NAME", value_delimiter = ',')]
    pub services: Vec<String>,

    #[command(flatten)]
    pub filters: crate::cli::IncidentFilters,

    /// Show at most N incidents (0: all)
    #[arg(long, short = 'n', value_name = "N", default_value_t = 20)]
    pub limit: usize,
}

/// Below this many columns a hit's label goes on a line of its own: beside
/// the longest ("retro contributing factors: ") the snippet would have no
/// room.
const NARROW: usize = 60;

pub fn run(ctx: &Ctx, args: SearchArgs) -> Result<()> {
    let query = Query::parse(&args.query.join(" ")).map_err(|e| match e {
        QueryError::NoWords => {
            usage("the query has no words to look for (letters or digits); e.g. incident search disk full")
        }
        QueryError::TooManyTerms(n) => usage(format!(
            "the query has {n} words and phrases; search takes at most {}",
            crate::domain::search::MAX_TERMS
        )),
    })?;
    // Unlike `list`, every status by default: a search is most often for
    // what happened before, and `--status` narrows it. Drills are found
    // too, marked, as `list` shows them.
    let filter = ListFilter {
        services: args.services.clone(),
        limit: (args.limit > 0).then_some(args.limit),
        ..args.filters.filter(ctx)?
    };
    let store = ctx.open(Access::Read)?;
    let found = store.search(&query, &filter)?;
    // The incidents in one batch: a page is at most a few dozen.
    let reads: Vec<Read<'_>> = found.hits.iter().map(|h| Read::Incident(h.incident_id)).collect();
    let incidents: Vec<Option<Incident>> = store
        .batch(&reads)?
        .into_iter()
        .map(|f| match f {
            Found::Incident(i) => i,
            _ => None,
        })
        .collect();
    let hits: Vec<(&Hit, Incident)> = found
        .hits
        .iter()
        .zip(incidents)
        .filter_map(|(h, i)| i.map(|i| (h, i)))
        .collect();

    let mut out = output::stdout();
    if ctx.json() {
        let snippets: Vec<_> = hits.iter().map(|(h, _)| snippet(&h.text, &query)).collect();
        let views = hits
            .iter()
            .zip(&snippets)
            .map(|((h, i), s)| {
                Ok(SearchHitView {
                    key: ctx.key(i.id)?,
                    id: i.id,
                    title: &i.title,
                    status: i.status.as_str(),
                    severity: &i.severity,
                    declared_at: crate::time::to_rfc3339(i.declared_at),
                    drill: i.drill,
                    place: h.place.as_str(),
                    of: h.of,
                    snippet: &s.text,
                    marks: &s.marks,
                    matches: h.matches,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // The array is the hits, as ever; that they are the best of the
        // newest matches only is said beside it, where a script's reader
        // sees it without the array changing shape.
        if found.cut.is_some()
            && let Some(line) = footer(&found, hits.len())
        {
            ctx.say(line);
        }
        return output::print_json(&views);
    }
    if hits.is_empty() {
        ctx.say("No incidents match.");
        return Ok(());
    }
    let bold = output::colour();
    let width = output::width();
    for (hit, incident) in &hits {
        let drill = if incident.drill { "[DRILL] " } else { "" };
        // One line of codes and title, wrapped under its start.
        let line = format!(
            "{}  {}  {}  {drill}{}",
            ctx.key(incident.id)?,
            one_line(&incident.severity),
            incident.status.as_str(),
            one_line(&output::shown(&incident.title))
        );
        writeln!(out, "{}", crate::text::wrap("", &line, width))?;
        // Each piece is made safe on its own, so a mark never lands inside
        // an escape and a stored escape sequence never reaches the terminal.
        let s = snippet(&hit.text, &query);
        let mut shown = String::new();
        for (piece, marked) in s.pieces() {
            match (marked, bold) {
                (true, true) => shown.push_str(&format!("\x1b[1m{}\x1b[22m", safe(piece))),
                _ => shown.push_str(&safe(piece)),
            }
        }
        let more = match hit.matches {
            0 | 1 => String::new(),
            2 => "  (+1 more match)".to_string(),
            n => format!("  (+{} more matches)", n - 1),
        };
        let label = hit.place.label();
        if width.is_some_and(|w| w < NARROW) {
            // Too narrow for the label beside the snippet: above it.
            writeln!(out, "{}", crate::text::wrap("  ", &format!("{label}:"), width))?;
            writeln!(
                out,
                "{}",
                crate::text::wrap("    ", &format!("{shown}{more}"), width)
            )?;
        } else {
            let head = format!("  {label}: ");
            writeln!(
                out,
                "{}",
                crate::text::wrap(&head, &format!("{shown}{more}"), width)
            )?;
        }
    }
    if let Some(line) = footer(&found, hits.len()) {
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}
