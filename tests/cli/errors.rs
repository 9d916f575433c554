//! Bad input: one clear line on stderr, the documented exit code, and an
//! unchanged database.

use crate::support::*;

#[test]
fn an_unknown_incident_says_how_to_find_the_right_key() {
    let env = Env::new();
    env.declare("X", &[]);
    let before = env.bytes();
    for args in [
        vec!["show", "INC-99"],
        vec!["update", "99", "x"],
        vec!["resolve", "inc-99"],
        vec!["assign-role", "99", "scribe", "bob"],
        vec!["escalate", "99", "--to", "x"],
        vec!["topic", "99"],
    ] {
        let err = env.fails(1, &args);
        assert_eq!(
            err, "error: no incident INC-99; run 'incident list --all'\n",
            "{args:?}"
        );
    }
    snapshot!(env.outcome(&["show", "INC-99"]));
    assert_eq!(env.bytes(), before);
}

#[test]
fn malformed_keys_severities_times_and_titles_are_usage_errors() {
    let env = Env::new();
    env.declare("X", &[]);
    let before = env.bytes();
    let cases: &[(&[&str], &str)] = &[
        (
            &["show", "INC-x"],
            "invalid incident key 'INC-x': use INC-7, inc-7 or 7",
        ),
        (&["show", "BUG-1"], "invalid incident key"),
        (
            &["declare", "Y", "--severity", "SEV9"],
            "unknown severity 'SEV9'; use one of: SEV1, SEV2, SEV3",
        ),
        (
            &["escalate", "1", "--to", "x", "-s", "P0"],
            "use one of: SEV1, SEV2, SEV3",
        ),
        (&["list", "--severity", "high"], "unknown severity 'high'"),
        (&["declare", "   "], "the title is empty"),
        (
            &["declare", "Y", "--started-at", "whenever"],
            "--started-at: invalid time 'whenever'",
        ),
        (
            &["update", "1", "x", "--external", "--next-update", "soonish"],
            "--next-update: invalid time 'soonish'",
        ),
        (&["list", "--since", "last week"], "--since: invalid time"),
        (&["list", "--since", "in 1h"], "--since in 1h is in the future"),
        (
            &["stats", "--since", "2099-01-01"],
            "--since 2099-01-01 is in the future",
        ),
        (&["update", "1", ""], "the message is empty"),
    ];
    for (args, want) in cases {
        let err = env.fails(2, args);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    let all: String = cases.iter().map(|(args, _)| env.outcome(args)).collect();
    snapshot!(all);
    assert_eq!(env.bytes(), before, "no failed command changed the database");
}

#[test]
fn clap_rejects_unknown_values_with_the_choices() {
    let env = Env::new();
    let out = env
        .cmd()
        .args(["declare", "X", "--category", "outage"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("possible values: availability, performance, regression, security, data, other"),
        "{err}"
    );
    let out = env
        .cmd()
        .args(["update", "1", "x", "--kind", "gossip"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    snapshot!(env.outcome(&["declare", "X", "--category", "outage"]));
    assert!(!env.created());
}

#[test]
fn a_bad_clock_override_is_refused() {
    let mut env = Env::new();
    env.at("tomorrow");
    let err = env.fails(2, &["declare", "X"]);
    assert!(
        err.contains("INCIDENT_NOW='tomorrow' is not an RFC 3339 time"),
        "{err}"
    );
}

#[test]
fn an_invalid_configuration_names_the_file_line_and_key() {
    let mut env = Env::new();
    env.with_config("key_prefix = \"INC\"\n\n[[severity]]\nname = \"SEV1\"\nacknowlege = \"30m\"\n");
    let err = env.fails(2, &["declare", "X"]);
    assert!(
        err.contains("config.toml, line 5") && err.contains("acknowlege"),
        "{err}"
    );
    env.with_config("[check]\nwithin = 15\n");
    let err = env.fails(2, &["list"]);
    assert!(err.contains("line 2"), "{err}");
    let mut env = Env::new();
    env.config = Some(env.dir.path().join("missing.toml"));
    let err = env.fails(2, &["list"]);
    assert!(
        err.contains("cannot read configuration") && err.contains("missing.toml"),
        "{err}"
    );
}

#[test]
fn help_and_version_work_without_a_database() {
    let env = Env::new();
    let out = env.ok(&["--help"]);
    assert!(out.contains("declare") && out.contains("Exit codes"), "{out}");
    assert!(env.ok(&["--version"]).starts_with("incident "));
    assert!(!env.created());
}

#[test]
fn completions_are_printed_for_each_shell() {
    let env = Env::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = env.ok(&["completions", shell]);
        assert!(script.contains("INCIDENT_COMPLETE"), "{shell}");
    }
    let out = env.cmd().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    snapshot!(env.outcome(&["completions", "tcsh"]));
}

/// Issue 31: a refusal comparing two times in the same minute showed the
/// same minute twice; the seconds that decide are shown, and only then.
#[test]
fn a_time_refused_as_too_early_shows_the_seconds_when_they_decide() {
    let mut env = Env::new();
    env.at("2026-12-06T03:28:41Z");
    env.declare("Checkout down", &[]);
    let said = env.fails(
        2,
        &["resolve", "1", "--summary", "s", "--at", "2026-12-06T03:28:05Z"],
    );
    assert!(
        said.contains("--at 2026-12-06 03:28:05 is before INC-1 was declared (2026-12-06 03:28:41)"),
        "{said}"
    );
    let said = env.fails(
        2,
        &["resolve", "1", "--summary", "s", "--at", "2026-12-06T03:20:05Z"],
    );
    assert!(
        said.contains("--at 2026-12-06 03:20 is before INC-1 was declared (2026-12-06 03:28)"),
        "{said}"
    );
}
