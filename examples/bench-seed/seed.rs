//! Fills a database with realistic incidents for the benchmark suite
//! (benches/cli.sh, through the `bench-seed` example) and for the tests that
//! need a large database (tests/cli, which include this file). Every row goes
//! through the store's `Transaction`, in one transaction, so the hash chain,
//! the roles and every column are what the real commands would have written.
//! Not part of the `incident` binary.

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use incident::config::Config;
use incident::domain::event::{Closure, Promise};
use incident::domain::{Category, DetectedBy, EventData, Incident, Status, ops};
use incident::store::{Access, Options, Store};
use std::path::Path;

#[derive(Debug, Clone, clap::Args)]
pub struct Seed {
    /// How many incidents to add
    #[arg(long, default_value_t = 1000)]
    pub incidents: usize,

    /// How many timeline events to add in all, spread evenly over the incidents
    /// (at least three each: declared, commander, and resolved or a note)
    #[arg(long, default_value_t = 10_000)]
    pub events: usize,

    /// How many of the incidents (the newest) stay open
    #[arg(long, default_value_t = 20)]
    pub open: usize,

    /// How many of the next newest are resolved, awaiting their retrospective;
    /// the older ones are closed
    #[arg(long, default_value_t = 50)]
    pub resolved: usize,
}

/// An 80-character timeline entry, the size the budget is stated for.
const NOTE: &str = "Rolled back deploy 482 on checkout-api; error rate falling, watching p99 latency";

const SERVICES: &[&str] = &["checkout", "payments", "search", "auth", "api", "web"];
const PEOPLE: &[&str] = &["alice", "bob", "carol", "dave", "erin", "frank"];

/// Adds `args.incidents` incidents to the database at `db`, the newest
/// declared at `now`; returns how many events were written.
pub fn seed(db: &Path, now: DateTime<Utc>, args: &Seed) -> Result<usize> {
    let db = incident::store::Location::parse(db)?;
    if args.incidents == 0 {
        anyhow::bail!("--incidents must be at least 1");
    }
    let levels: Vec<String> = Config::default().levels.iter().map(|l| l.name.clone()).collect();
    let per_incident = (args.events / args.incidents).max(3);
    let n = args.incidents;
    // Declared one every 47 minutes going back: 100,000 incidents span ~9 years.
    // A long timeline (one incident of 10,000 events) is spread over days.
    let step = Duration::minutes(47).max(Duration::seconds(24 * per_incident as i64));
    // One transaction of up to a million events: its COMMIT may take a
    // while on a server.
    let options = Options {
        write_timeout: std::time::Duration::from_secs(600),
        ..Options::new(Access::Write)
    };
    let mut store = Store::open(&db, &options)?;
    let committed = store.write(
        "bench",
        || Ok(now),
        |w| {
            for i in 0..n {
                let declared_at = now - step * (n - i) as i32;
                let open = i + args.open >= n;
                let closed = i + args.open + args.resolved < n;
                let severity = levels[i % levels.len()].clone();
                let services = vec![SERVICES[i % SERVICES.len()].to_string()];
                let commander = PEOPLE[i % PEOPLE.len()];
                let incident = Incident {
                    id: 0,
                    title: format!("Elevated 5xx on {} after deploy {}", services[0], 4000 + i),
                    status: Status::Investigating,
                    severity: severity.clone(),
                    category: Category::ALL[i % Category::ALL.len()],
                    services: services.clone(),
                    channels: vec![format!("https://chat.example/inc-{i}")],
                    summary: Some("Customers see errors at checkout".into()),
                    detected_by: Some(DetectedBy::Monitoring),
                    started_at: Some(declared_at - Duration::minutes(5)),
                    declared_at,
                    resolved_at: None,
                    closed_at: None,
                    resolution: None,
                    next_update_at: None,
                    roles: Vec::new(),
                    ..Incident::bare()
                };
                let mut change = ops::declare(&incident, Some(commander), declared_at);
                let notes = per_incident.saturating_sub(2 + usize::from(!open) + usize::from(closed));
                for k in 0..notes {
                    let at = declared_at + Duration::seconds(20 * (k as i64 + 1));
                    // Every fourth of the first dozen entries is a customer
                    // status update promising the next, as on a real incident:
                    // `check`, `show` and `stats` read these.
                    let data = if k % 4 == 3 && k < 12 {
                        EventData::StatusUpdate(Some(Promise {
                            next_update_at: at + Duration::minutes(30),
                        }))
                    } else {
                        EventData::Note
                    };
                    change = change.record(at, data, NOTE);
                }
                if !open {
                    let resolved_at = declared_at + Duration::seconds(20 * (notes as i64 + 2));
                    let resolved = ops::resolve(
                        &change.incident,
                        Some("Rolled back the deploy"),
                        resolved_at,
                        &ops::Latest::default(),
                    )
                    .map_err(|r| anyhow::anyhow!("{r:?}"))?;
                    change = change.then(resolved);
                }
                if closed {
                    // Closed without a retrospective row: `stats` and `check`
                    // read only the state and the timeline.
                    let closed_at = declared_at + Duration::hours(2);
                    let data = EventData::Closed(Closure {
                        from: Status::Resolved,
                        to: Status::Closed,
                        action_items: vec![],
                        no_actions: None,
                    });
                    change = change.record(closed_at, data, "Closed: the retrospective is complete");
                }
                w.create(change)?;
            }
            Ok(())
        },
    )?;
    Ok(committed.events.len())
}
