//! `--follow` (`show`, `list`): after the usual output, each timeline entry
//! as teammates add it, until Ctrl-C. Wakes on the backend's own signal (a
//! change to the SQLite file, a PostgreSQL NOTIFY) and looks again every few
//! seconds in case a signal was missed; entries come in the order they
//! arrived, each exactly once, by arrival number. A lost connection to a
//! database server is said once, and opened again (with a backoff) until
//! it is back; the arrival number carries over, so nothing is missed or
//! repeated.

use crate::context::Ctx;
use crate::domain::Event;
use crate::output;
use crate::signals::{Catch, Signal};
use crate::store::ReadsExt;
use crate::store::{Access, Lost, Store, Watch};
use crate::text::{one_line, safe};
use crate::time::human;
use crate::views::EventView;
use anyhow::Result;
use chrono::Local;
use serde::Serialize;
use std::io::Write;
use std::time::{Duration, Instant};

/// How long one wait lasts: also how soon Ctrl-C is noticed.
const SLICE: Duration = Duration::from_millis(200);

/// How often to look without a signal, in case one was missed.
const LOOK_ANYWAY: Duration = Duration::from_secs(5);

/// How long to wait before connecting again after a connection is lost:
/// doubling from the first to the most.
const BACKOFF_FIRST: Duration = Duration::from_millis(250);
const BACKOFF_MOST: Duration = Duration::from_secs(5);

/// Where following starts: the newest arrival number in the snapshot the
/// command prints from. Read before printing, so that a connection lost
/// after it cannot make us miss or repeat an entry.
pub fn start(store: &Store) -> Result<i64> {
    Ok(store.arrived_after(None, None)?.1)
}

/// How arriving entries are laid out, to match what was printed before
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// Under a table's header: each field starts where its column does
    /// (the key, if any, then time, who and kind; the text wraps under its
    /// column).
    Under(Vec<usize>),
    /// A narrow terminal: the facts on a line, the text below, indented.
    Stacked,
    /// Not a terminal: one line each, fields two spaces apart.
    Plain,
}

impl Layout {
    /// The columns of `header` (a table's first line as printed): each
    /// starts after two spaces or more, where its name begins.
    pub fn under(header: &str) -> Layout {
        let header = dialoguer::console::strip_ansi_codes(header);
        let chars: Vec<char> = header.chars().collect();
        let starts = (0..chars.len())
            .filter(|&i| {
                chars[i] != ' ' && (i == 0 || (i >= 2 && chars[i - 1] == ' ' && chars[i - 2] == ' '))
            })
            .map(|i| crate::text::columns(&chars[..i].iter().collect::<String>()))
            .collect();
        Layout::Under(starts)
    }

    /// `fields` (the last the entry's text) laid out.
    fn line(&self, fields: &[&str]) -> (String, String) {
        let (facts, text) = fields.split_at(fields.len() - 1);
        match self {
            Layout::Plain => (format!("{}  ", facts.join("  ")), String::new()),
            Layout::Stacked => (facts.join("  "), "  ".into()),
            Layout::Under(starts) => {
                let mut head = String::new();
                for (i, field) in facts.iter().enumerate() {
                    head.push_str(field);
                    let used = crate::text::columns(&head);
                    let next = starts.get(i + 1).copied().unwrap_or(used + 2);
                    // A field wider than its column pushes the rest on.
                    head.push_str(&" ".repeat(next.saturating_sub(used).max(2)));
                }
                let _ = text;
                (head, String::new())
            }
        }
    }
}

/// How wide the author's column is made when entries are to follow: an
/// author it cannot hold pushes the rest of that one line on.
pub const WHO_WIDTH: usize = 12;

/// How wide the kind's column is made when entries are to follow: the
/// longest kind's name.
pub fn kind_width() -> usize {
    crate::domain::EventKind::ALL
        .iter()
        .map(|k| k.as_str().len())
        .max()
        .unwrap_or(8)
}

/// The header `list --follow` prints for the entries to come, its columns
/// as wide as the keys listed, an author and any kind.
pub fn header(key_width: usize) -> String {
    format!(
        "{:<k$}  {:<16}  {:<w$}  {:<n$}  WHAT",
        "KEY",
        "TIME",
        "WHO",
        "KIND",
        k = key_width.max(3),
        w = WHO_WIDTH,
        n = kind_width()
    )
}

/// Prints the entries that arrive for `incident` (or for any incident)
/// after arrival number `cursor` ([`start`]), until SIGINT, SIGTERM or
/// SIGHUP, or its reader leaves (a closed pipe), which end it cleanly
/// (exit 0).
pub fn follow(ctx: &Ctx, store: Store, incident: Option<i64>, cursor: i64, layout: &Layout) -> Result<()> {
    let catch = Catch::new(&[Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP])?;
    let mut cursor = cursor;
    let mut watch = store.watch().unwrap_or_else(|_| Box::new(Poll));
    let mut store = store;
    loop {
        match watch_until_lost(ctx, &catch, &store, &mut *watch, incident, &mut cursor, layout) {
            Ok(()) => return Ok(()),
            Err(e) if Lost::of(&e).is_some() => {}
            Err(e) => return Err(e),
        };
        ctx.warn(format!(
            "lost the connection to {}; reconnecting",
            store.location()
        ));
        drop(watch);
        drop(store);
        match reconnect(ctx, &catch)? {
            Some((again, woken)) => {
                ctx.say(format!("reconnected to {}; following on", again.location()));
                store = again;
                watch = woken;
            }
            None => return Ok(()),
        }
    }
}

/// Opens the database and its watch again, waiting longer after each
/// failure; `None` when a signal or the reader's leaving ends the wait.
fn reconnect(ctx: &Ctx, catch: &Catch) -> Result<Option<(Store, Box<dyn Watch>)>> {
    let mut backoff = BACKOFF_FIRST;
    loop {
        let until = Instant::now() + backoff;
        while Instant::now() < until {
            if catch.caught().is_some() || output::reader_gone() {
                return Ok(None);
            }
            std::thread::sleep(SLICE.min(until.saturating_duration_since(Instant::now())));
        }
        let opened = ctx.open(Access::Read).and_then(|store| {
            let watch = store.watch()?;
            Ok((store, watch))
        });
        if let Ok(both) = opened {
            return Ok(Some(both));
        }
        if catch.caught().is_some() || output::reader_gone() {
            return Ok(None);
        }
        backoff = (backoff * 2).min(BACKOFF_MOST);
    }
}

/// Follows until a signal or the reader's leaving (`Ok`), or an error: a [`Lost`] connection, or
/// one that ends the command.
fn watch_until_lost(
    ctx: &Ctx,
    catch: &Catch,
    store: &Store,
    watch: &mut dyn Watch,
    incident: Option<i64>,
    cursor: &mut i64,
    layout: &Layout,
) -> Result<()> {
    let mut looked = Instant::now();
    // A wake-up can come before the commit that caused it is visible (a
    // file is written before the commit is complete): look once more soon
    // after every wake-up.
    let mut again = false;
    let key_column = incident.is_none();
    // Whatever arrived while the connection was down comes first.
    let mut woke = true;
    loop {
        if catch.caught().is_some() || output::reader_gone() {
            return Ok(());
        }
        if woke || again || looked.elapsed() >= LOOK_ANYWAY {
            again = woke;
            looked = Instant::now();
            store.refresh()?;
            let (events, newest) = store.arrived_after(incident, Some(*cursor))?;
            *cursor = newest;
            if !events.is_empty() {
                let mut out = output::stdout();
                for e in &events {
                    let key = ctx.key(e.incident_id)?;
                    if ctx.json() {
                        output::write_json_line(
                            &mut out,
                            &Arrived {
                                incident: &key,
                                event: EventView::new(e),
                            },
                        )?;
                        writeln!(out)?;
                    } else {
                        write_entry(&mut out, key_column.then_some(key.as_str()), e, layout)?;
                    }
                }
                out.flush()?;
            }
        }
        woke = watch.wait(SLICE)?;
    }
}

/// One entry: `[KEY  ]TIME  WHO  KIND  WHAT` in the layout, the text
/// wrapped under its first column (or below the facts when stacked).
fn write_entry(out: &mut impl Write, key: Option<&str>, e: &Event, layout: &Layout) -> std::io::Result<()> {
    let time = human(e.at, &Local);
    let who = one_line(&output::shown(&e.author)).into_owned();
    let text = safe(&e.text).into_owned();
    let mut fields: Vec<&str> = key.into_iter().collect();
    fields.extend([time.as_str(), who.as_str(), e.kind().as_str(), text.as_str()]);
    let (head, indent) = layout.line(&fields);
    match layout {
        Layout::Stacked => {
            output::write_wrapped(out, "", &head)?;
            output::write_wrapped(out, &indent, &text)
        }
        _ => output::write_wrapped(out, &head, &text),
    }
}

/// An arrived entry as `--json --follow` prints it: one object per line.
#[derive(Serialize)]
struct Arrived<'a> {
    incident: &'a str,
    #[serde(flatten)]
    event: EventView<'a>,
}

/// No signal from the backend: look on every slice.
struct Poll;

impl Watch for Poll {
    fn wait(&mut self, timeout: Duration) -> Result<bool> {
        std::thread::sleep(timeout);
        Ok(true)
    }
}
