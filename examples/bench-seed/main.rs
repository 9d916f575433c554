//! `bench-seed`: fills a database with realistic incidents for the benchmark
//! suite. A development tool, not part of the `incident` binary; benches/cli.sh
//! builds it with `cargo build --release --example bench-seed`.
//!
//!   INCIDENT_DB=big.db bench-seed --incidents 100000 --events 1000000

mod seed;

use clap::Parser;
use std::path::PathBuf;

/// Fill a database with realistic incidents for the benchmarks
#[derive(Debug, Parser)]
#[command(name = "bench-seed")]
struct Args {
    /// The database file (created when missing)
    #[arg(long, env = "INCIDENT_DB", value_name = "PATH")]
    db: PathBuf,

    #[command(flatten)]
    seed: seed::Seed,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let started = std::time::Instant::now();
    let now = match std::env::var("INCIDENT_NOW") {
        Ok(text) => text.parse()?,
        Err(_) => chrono::Utc::now(),
    };
    let events = seed::seed(&args.db, now, &args.seed)?;
    eprintln!(
        "Seeded {} incidents with {events} events in {:.1}s",
        args.seed.incidents,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
