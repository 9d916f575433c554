//! The end-to-end suite again, against PostgreSQL: the same test modules as
//! `cli` (tests/cli/main.rs), with `INCIDENT_DB` naming a database of its own
//! on a throwaway server (tests/cli/pg.rs) for every test. Tests of the
//! SQLite file itself are left out (`sqlite_only!`); `postgres.rs` has the
//! server's own.

/// An insta snapshot named by its test alone (not the test binary), so the
/// SQLite and PostgreSQL halves compare against the same file.
macro_rules! snapshot {
    ($($arg:tt)*) => {
        insta::with_settings!({ prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!($($arg)*)
        })
    };
}

#[allow(unused_macros)]
macro_rules! sqlite_only {
    ($($item:item)*) => {};
}

#[allow(unused_macros)]
macro_rules! postgres_only {
    ($($item:item)*) => { $($item)* };
}

#[path = "cli/pg.rs"]
mod pg;
#[path = "../examples/bench-seed/seed.rs"]
mod seed;
#[path = "cli/slack_api.rs"]
mod slack_api;
#[path = "cli/support.rs"]
mod support;
#[path = "cli/synapse.rs"]
mod synapse;
#[path = "cli/tools.rs"]
mod tools;

#[path = "cli/alertmanager.rs"]
mod alertmanager;
#[path = "cli/alerts.rs"]
mod alerts;
#[path = "cli/assess.rs"]
mod assess;
#[path = "cli/chat_formats.rs"]
mod chat_formats;
#[path = "cli/completions.rs"]
mod completions;
#[path = "cli/declare.rs"]
mod declare;
#[path = "cli/dependability.rs"]
mod dependability;
#[path = "cli/errors.rs"]
mod errors;
#[path = "cli/examples.rs"]
mod examples;
#[path = "cli/exec.rs"]
mod exec;
#[path = "cli/fixtures.rs"]
mod fixtures;
#[path = "cli/follow.rs"]
mod follow;
#[path = "cli/help.rs"]
mod help;
#[path = "cli/hooks.rs"]
mod hooks;
#[path = "cli/hostile.rs"]
mod hostile;
#[path = "cli/import_hostile.rs"]
mod import_hostile;
#[path = "cli/inputs.rs"]
mod inputs;
#[path = "cli/lifecycle.rs"]
mod lifecycle;
#[path = "cli/list.rs"]
mod list;
#[path = "cli/mail.rs"]
mod mail;
#[path = "cli/matrix.rs"]
mod matrix;
#[path = "cli/metrics.rs"]
mod metrics;
#[path = "cli/narrow.rs"]
mod narrow;
#[path = "cli/notify.rs"]
mod notify;
#[path = "cli/oncall.rs"]
mod oncall;
#[path = "cli/paging.rs"]
mod paging;
#[path = "cli/pipes.rs"]
mod pipes;
#[path = "cli/plans.rs"]
mod plans;
#[path = "cli/postgres.rs"]
mod postgres;
#[path = "cli/postgres_outages.rs"]
mod postgres_outages;
#[path = "cli/prompts.rs"]
mod prompts;
#[path = "cli/record.rs"]
mod record;
#[path = "cli/retro.rs"]
mod retro;
#[path = "cli/roles.rs"]
mod roles;
#[path = "cli/search.rs"]
mod search;
#[path = "cli/show.rs"]
mod show;
#[path = "cli/similar.rs"]
mod similar;
#[path = "cli/slack.rs"]
mod slack;
#[path = "cli/stats.rs"]
mod stats;
#[path = "cli/status_page.rs"]
mod status_page;
#[path = "cli/storage.rs"]
mod storage;
#[path = "cli/targets.rs"]
mod targets;
#[path = "cli/transfer.rs"]
mod transfer;
#[path = "cli/trends.rs"]
mod trends;
#[path = "cli/verify.rs"]
mod verify;

/// Both binaries run the same modules, but the conformance suite, which
/// runs each of its tests on both backends itself (in the `cli` binary).
#[test]
fn every_module_of_the_suite_runs_against_postgres_too() {
    let modules = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.strip_prefix("mod ")?.strip_suffix(';').map(str::to_string))
            .filter(|m| m != "conformance")
            .collect()
    };
    let mut sqlite = modules(include_str!("cli/main.rs"));
    sqlite.retain(|m| m != "conformance");
    let mut postgres = modules(include_str!("cli_postgres.rs"));
    sqlite.sort();
    postgres.sort();
    assert_eq!(sqlite, postgres);
}
