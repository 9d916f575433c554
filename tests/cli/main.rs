//! End-to-end tests: the real binary against a real SQLite file in a temp dir.

/// An insta snapshot named by its test alone (not the test binary), so the
/// SQLite and PostgreSQL halves compare against the same file.
macro_rules! snapshot {
    ($($arg:tt)*) => {
        insta::with_settings!({ prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!($($arg)*)
        })
    };
}

/// Tests of the SQLite file itself (its header, permissions, locks, the
/// sqlite3 shell): compiled into this binary only, not into the
/// `cli-postgres` one, which has its own for the server.
#[allow(unused_macros)]
macro_rules! sqlite_only {
    ($($item:item)*) => { $($item)* };
}

/// Tests of the PostgreSQL server only: compiled into `cli-postgres`.
#[allow(unused_macros)]
macro_rules! postgres_only {
    ($($item:item)*) => {};
}

mod pg;
mod support;
// A throwaway Synapse (Matrix homeserver), for the Matrix tests.
mod synapse;
// A fake Slack Web API, for the Slack bot tests.
mod slack_api;
// The programs some tests need: PostgreSQL, Alertmanager, the shells.
mod tools;
// The benchmark seeding (the `bench-seed` example), for large databases.
#[path = "../../examples/bench-seed/seed.rs"]
mod seed;

mod alertmanager;
mod alerts;
mod assess;
mod chat_formats;
mod completions;
mod conformance;
mod declare;
mod dependability;
mod errors;
mod examples;
mod exec;
mod fixtures;
mod follow;
mod help;
mod hooks;
mod hostile;
mod import_hostile;
mod inputs;
mod lifecycle;
mod list;
mod mail;
mod matrix;
mod metrics;
mod narrow;
mod notify;
mod oncall;
mod paging;
mod pipes;
mod plans;
mod postgres;
mod postgres_outages;
mod prompts;
mod record;
mod retro;
mod roles;
mod search;
mod show;
mod similar;
mod slack;
mod stats;
mod status_page;
mod storage;
mod targets;
mod transfer;
mod trends;
mod verify;
