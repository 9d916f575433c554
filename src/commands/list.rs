//! `incident list`: open incidents by default, most severe first, then oldest.

use crate::context::Ctx;
use crate::domain::{Incident, Status};
use crate::follow::Layout;
use crate::output;
use crate::store::ReadsExt;
use crate::store::{Access, ListFilter, Order, Store};
use crate::text::one_line;
use crate::time::{compact, human};
use crate::views::IncidentView;
use anyhow::Result;
use chrono::Local;
use clap::Args;
use comfy_table::Cell;
use std::io::Write;

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident list
  incident list -a --since 7d --severity SEV1,SEV2
  incident list -f")]
pub struct ListArgs {
    /// Include resolved, closed, canceled and duplicate incidents
    #[arg(long, short)]
    pub all: bool,

    #[command(flatten)]
    pub filters: crate::cli::IncidentFilters,

    /// Show at most N incidents (0: all) [default: 50, or all with --json]
    #[arg(long, short = 'n', value_name = "N")]
    pub limit: Option<usize>,

    /// Then print each new timeline entry, of any incident, as teammates add it, until Ctrl-C
    #[arg(long, short = 'f')]
    pub follow: bool,
}

pub fn run(ctx: &Ctx, args: ListArgs) -> Result<()> {
    let (store, cursor, layout) = board(ctx, args)?;
    if let Some(cursor) = cursor {
        crate::follow::follow(ctx, store, None, cursor, &layout)?;
    }
    Ok(())
}

/// Prints the list; returns the open store and, for `--follow`, where
/// following starts and how the entries are laid out: on a terminal wide
/// enough, under a header of their own printed after the list.
fn board(ctx: &Ctx, args: ListArgs) -> Result<(Store, Option<i64>, Layout)> {
    let config = ctx.config()?;
    let default_rows = if ctx.json() {
        None
    } else {
        Some(output::DEFAULT_ROWS)
    };
    let limit = match args.limit {
        Some(0) => None,
        Some(n) => Some(n),
        None => default_rows,
    };
    let mut filter = ListFilter {
        limit,
        ..args.filters.filter(ctx)?
    };
    if filter.statuses.is_empty() && !args.all {
        filter.statuses = Status::ALL.iter().copied().filter(|s| s.is_open()).collect();
    }
    let store = ctx.open(Access::Read)?;
    let cursor = match args.follow {
        true => Some(crate::follow::start(&store)?),
        false => None,
    };
    let order: Vec<String> = config.levels.iter().map(|l| l.name.clone()).collect();
    let mut out = output::stdout();

    if ctx.json() {
        // Streamed one object per line, so 100,000 incidents never sit in memory.
        // The current assessments come in one query, not one per row.
        let everyone = ListFilter {
            limit: None,
            ..filter.clone()
        };
        let assessments = store.current_assessments(&everyone)?;
        let mut first = true;
        write!(out, "[")?;
        store.each_incident(&filter, Order::Severity(&order), &mut |incident| {
            let view = IncidentView::new(ctx.key(incident.id)?, &incident)
                .with_assessment(assessments.get(&incident.id));
            writeln!(out, "{}", if first { "" } else { "," })?;
            output::write_json_line(&mut out, &view)?;
            first = false;
            Ok(())
        })?;
        writeln!(out, "{}]", if first { "" } else { "\n" })?;
        out.flush()?;
        return Ok((store, cursor, Layout::Plain));
    }

    if output::width().is_none() {
        // Not a terminal: the table is printed in pieces as it is read, so
        // `--all --limit 0` over 100,000 incidents never holds them all.
        let shown = stream_table(ctx, &store, &filter, &order, &mut out)?;
        if shown == 0 {
            say_none(ctx, &args);
        } else {
            more(&store, &filter, limit, shown, &mut out)?;
        }
        out.flush()?;
        return Ok((store, cursor, Layout::Plain));
    }
    let mut rows: Vec<Incident> = Vec::new();
    store.each_incident(&filter, Order::Severity(&order), &mut |incident| {
        rows.push(incident);
        Ok(())
    })?;
    if rows.is_empty() {
        say_none(ctx, &args);
        return Ok((store, cursor, Layout::Plain));
    }
    if output::width().is_some_and(|w| w < NARROW) {
        // Too narrow for the table's whole codes: each incident's codes on
        // a line, its title below, indented.
        for i in &rows {
            let head = format!(
                "{}  {}  {}  {}  {}",
                ctx.key(i.id)?,
                one_line(&i.severity),
                i.status.as_str(),
                age(ctx, i),
                one_line(&output::shown(i.holder("commander").unwrap_or("-")))
            );
            output::write_wrapped(&mut out, "", &head)?;
            output::write_wrapped(&mut out, "  ", &one_line(&output::shown(&titled(i))))?;
        }
    } else {
        print_table(ctx, &mut out, &rows)?;
    }
    more(&store, &filter, limit, rows.len(), &mut out)?;
    let layout = match output::width() {
        _ if cursor.is_none() => Layout::Plain,
        Some(w) if w < NARROW => Layout::Stacked,
        Some(_) => {
            let keys = rows.iter().map(|i| ctx.key(i.id)).collect::<Result<Vec<_>>>()?;
            let widest = keys.iter().map(|k| k.len()).max().unwrap_or(0);
            let header = crate::follow::header(widest);
            writeln!(out)?;
            writeln!(out, "{header}")?;
            Layout::under(&header)
        }
        None => Layout::Plain,
    };
    out.flush()?;
    Ok((store, cursor, layout))
}

/// Says that nothing matched, and how to see more.
fn say_none(ctx: &Ctx, args: &ListArgs) {
    let what = if args.all || !args.filters.status.is_empty() {
        "incidents"
    } else {
        "open incidents"
    };
    ctx.say(format!(
        "No {what} match.{}",
        if args.all {
            ""
        } else {
            " 'incident list --all' includes resolved ones."
        }
    ));
}

/// When the limit left some out (`shown` of them were printed), says how
/// many more there are.
fn more(
    store: &Store,
    filter: &ListFilter,
    limit: Option<usize>,
    shown: usize,
    out: &mut impl Write,
) -> Result<()> {
    if limit.is_none_or(|n| shown < n) {
        return Ok(());
    }
    let total = store.count(filter)?;
    if total > shown {
        output::write_wrapped(
            out,
            "",
            &format!("… and {} more; --limit 0 shows all {total}", total - shown),
        )?;
    }
    Ok(())
}

/// How long the incident has run: to now while open (a reopened one's
/// first resolution is past), else to its resolution.
fn age(ctx: &Ctx, i: &Incident) -> String {
    let end = match i.status.is_open() {
        true => ctx.now,
        false => i.resolved_at.unwrap_or(ctx.now),
    };
    compact(end - i.declared_at)
}

/// The title, marked when the incident is a rehearsal.
fn titled(i: &Incident) -> String {
    match i.drill {
        true => format!("[DRILL] {}", i.title),
        false => i.title.clone(),
    }
}

/// Below this many columns the list is not a table: with key, severity,
/// status and age kept whole, the title and commander would be cut into
/// a few letters a line, and names split at their hyphens.
const NARROW: usize = 80;

const HEADERS: [&str; 8] = [
    "KEY",
    "SEV",
    "STATUS",
    "TITLE",
    "COMMANDER",
    "SERVICES",
    "DECLARED",
    "AGE",
];

/// An incident's row of the table.
fn row(ctx: &Ctx, config: &crate::config::Config, i: &Incident) -> Result<Vec<Cell>> {
    Ok(vec![
        Cell::new(ctx.key(i.id)?),
        output::severity_cell(&i.severity, config.rank(&i.severity)),
        Cell::new(i.status.as_str()),
        Cell::new(one_line(&output::shown(&titled(i)))),
        Cell::new(one_line(&output::shown(i.holder("commander").unwrap_or("-")))),
        Cell::new(one_line(&output::shown(&i.services.join(",")))),
        Cell::new(human(i.declared_at, &Local)),
        Cell::new(age(ctx, i)),
    ])
}

fn print_table(ctx: &Ctx, out: &mut impl Write, rows: &[Incident]) -> Result<()> {
    let config = ctx.config()?;
    let mut table = output::table(HEADERS);
    for i in rows {
        table.add_row(row(ctx, config, i)?);
    }
    // Key, severity, status, date and age stay whole; title and names wrap.
    output::keep_whole(&mut table, &[0, 1, 2, 6, 7]);
    // On a narrow terminal the title matters more than services and the
    // date (the age says as much): those give way first.
    if table.width().is_some_and(|w| w < 100) {
        output::hide(&mut table, &[5, 6]);
    }
    output::print_table(out, &table)
}

/// Prints the table to what is not a terminal in pieces, the incidents
/// read twice (within one snapshot): once to measure the columns, once to
/// print. A table of one piece (most: `list` shows 20) is printed as the
/// first reading made it. Returns how many rows it printed.
fn stream_table(
    ctx: &Ctx,
    store: &Store,
    filter: &ListFilter,
    order: &[String],
    out: &mut impl Write,
) -> Result<usize> {
    let mut widths = Vec::new();
    let (mut pieces, mut whole) = (0, None);
    let rows = each_piece(ctx, store, filter, order, &mut |piece| {
        output::measure(&mut widths, piece);
        pieces += 1;
        // The first is kept until a second shows it is not the whole table.
        whole = match pieces {
            1 => Some(std::mem::replace(piece, output::table(HEADERS))),
            _ => None,
        };
        Ok(())
    })?;
    if rows == 0 {
        return Ok(0);
    }
    if let Some(whole) = &mut whole
        && output::fits_pieces(&widths)
    {
        output::print_piece(out, whole, &widths, true)?;
        return Ok(rows);
    }
    if !output::fits_pieces(&widths) {
        let mut all = Vec::with_capacity(rows);
        store.each_incident(filter, Order::Severity(order), &mut |i| {
            all.push(i);
            Ok(())
        })?;
        print_table(ctx, out, &all)?;
        return Ok(all.len());
    }
    let mut first = true;
    each_piece(ctx, store, filter, order, &mut |piece| {
        output::print_piece(out, piece, &widths, first)?;
        first = false;
        Ok(())
    })
}

/// Reads the incidents into tables of [`output::PIECE_ROWS`] rows, handing
/// each full one and the last to `f`; returns how many rows there were.
fn each_piece(
    ctx: &Ctx,
    store: &Store,
    filter: &ListFilter,
    order: &[String],
    f: &mut dyn FnMut(&mut comfy_table::Table) -> Result<()>,
) -> Result<usize> {
    let config = ctx.config()?;
    let (mut rows, mut in_piece) = (0, 0);
    let mut piece = output::table(HEADERS);
    store.each_incident(filter, Order::Severity(order), &mut |i| {
        piece.add_row(row(ctx, config, &i)?);
        rows += 1;
        in_piece += 1;
        if in_piece == output::PIECE_ROWS {
            f(&mut piece)?;
            piece = output::table(HEADERS);
            in_piece = 0;
        }
        Ok(())
    })?;
    if in_piece > 0 {
        f(&mut piece)?;
    }
    Ok(rows)
}
