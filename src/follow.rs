//! `--follow` (`show`, `list`): after the usual output, each timeline entry
//! as teammates add it, until Ctrl-C. Wakes on the backend's own signal (a
//! change to the SQLite file, a PostgreSQL NOTIFY) and looks again every few
//! seconds in case a signal was missed; entries come in the order they
//! arrived, each exactly once, by arrival number.

use crate::context::Ctx;
use crate::domain::Event;
use crate::output;
use crate::signals::{Catch, Signal};
use crate::store::ReadsExt;
use crate::store::{Store, Watch};
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

/// Prints the entries that arrive for `incident` (or for any incident),
/// until SIGINT, SIGTERM or SIGHUP, which end it cleanly (exit 0).
pub fn follow(ctx: &Ctx, store: &Store, incident: Option<i64>) -> Result<()> {
    let catch = Catch::new(&[Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP])?;
    let (_, mut cursor) = store.arrived_after(incident, None)?;
    let mut watch: Box<dyn Watch> = store.watch().unwrap_or_else(|_| Box::new(Poll));
    let mut looked = Instant::now();
    // A wake-up can come before the commit that caused it is visible (a
    // file is written before the commit is complete): look once more soon
    // after every wake-up.
    let mut again = false;
    let key_column = incident.is_none();
    loop {
        let woke = watch.wait(SLICE)?;
        if catch.caught().is_some() {
            return Ok(());
        }
        if !woke && !again && looked.elapsed() < LOOK_ANYWAY {
            continue;
        }
        again = woke;
        looked = Instant::now();
        store.refresh()?;
        let (events, newest) = store.arrived_after(incident, Some(cursor))?;
        cursor = newest;
        if events.is_empty() {
            continue;
        }
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
                write_entry(&mut out, key_column.then_some(key.as_str()), e)?;
            }
        }
        out.flush()?;
    }
}

/// One entry as a line: `[KEY  ]TIME  WHO  KIND  WHAT`, wrapped under WHAT.
fn write_entry(out: &mut impl Write, key: Option<&str>, e: &Event) -> std::io::Result<()> {
    let head = format!(
        "{}{}  {}  {}  ",
        key.map(|k| format!("{k}  ")).unwrap_or_default(),
        human(e.at, &Local),
        one_line(&output::shown(&e.author)),
        e.kind().as_str()
    );
    output::write_wrapped(out, &head, &safe(&e.text))
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
