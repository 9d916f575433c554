//! End-to-end tests: the real binary against a real SQLite file in a temp dir.

mod support;
// The benchmark seeding (the `bench-seed` example), for large databases.
#[path = "../../examples/bench-seed/seed.rs"]
mod seed;

mod alertmanager;
mod alerts;
mod assess;
mod completions;
mod declare;
mod dependability;
mod errors;
mod examples;
mod exec;
mod fixtures;
mod help;
mod hooks;
mod hostile;
mod import_hostile;
mod inputs;
mod lifecycle;
mod list;
mod narrow;
mod pipes;
mod record;
mod retro;
mod roles;
mod show;
mod storage;
mod targets;
mod transfer;
mod verify;
