//! What `--help` and the man pages show a user.

use crate::support::Env;
use std::collections::BTreeMap;
use std::path::Path;

/// Every visible command path: `[]` for `incident` itself, `["declare"]`,
/// `["action", "add"]`, …
fn visible_commands() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, path: &[String], out: &mut Vec<Vec<String>>) {
        out.push(path.to_vec());
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let mut next = path.to_vec();
            next.push(sub.get_name().to_string());
            walk(sub, &next, out);
        }
    }
    let mut out = Vec::new();
    walk(&incident::cli::whole(), &[], &mut out);
    out
}

#[test]
fn every_help_lists_the_global_options_under_their_own_heading() {
    let env = Env::new();
    let globals = [
        "--db <PATH>",
        "--config <PATH>",
        "--as <NAME>",
        "--json",
        "--quiet",
        "--no-hooks",
    ];
    let commands = visible_commands();
    assert!(commands.len() > 20, "{commands:?}");
    for path in commands {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let help = env.ok(&args);
        let (own, global) = help
            .split_once("\nGlobal options:\n")
            .unwrap_or_else(|| panic!("incident {args:?} has no Global options heading:\n{help}"));
        // An option's own line: "  -q, --quiet  …" or "      --db <PATH>  …";
        // wrapped help text is indented further.
        let lists = |section: &str, option: &str| {
            section.lines().any(|line| {
                let text = line.trim_start();
                if line.len() - text.len() > 6 {
                    return false;
                }
                let line = text;
                let line = match line.split_once(", ") {
                    Some((short, rest)) if short.len() == 2 && short.starts_with('-') => rest,
                    _ => line,
                };
                line.starts_with(option)
            })
        };
        for option in globals {
            assert!(
                !lists(own, option),
                "incident {args:?}: {option} among its own options:\n{help}"
            );
            assert!(
                lists(global, option),
                "incident {args:?}: {option} missing:\n{help}"
            );
        }
        assert!(own.contains("-h, --help"), "incident {args:?}:\n{help}");
    }
}

/// The man pages as `incident man --install` writes them (clap_mangen,
/// from the clap definition): `incident.1` and one page per visible
/// subcommand, by file name.
fn man_pages() -> BTreeMap<String, Vec<u8>> {
    incident::man::pages().into_iter().collect()
}

/// Fails when the pages committed under `man/` no longer match the CLI; run
/// with UPDATE_MAN=1 to regenerate them.
#[test]
fn committed_man_pages_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let fresh = man_pages();
    if std::env::var_os("UPDATE_MAN").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "1") {
                std::fs::remove_file(path).unwrap();
            }
        }
        for (name, page) in &fresh {
            std::fs::write(dir.join(name), page).unwrap();
        }
        return;
    }
    let stale = "run: UPDATE_MAN=1 cargo test --test cli man_pages";
    let committed: BTreeMap<String, Vec<u8>> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .map(|entry| {
                    let entry = entry.unwrap();
                    let name = entry.file_name().into_string().unwrap();
                    (name, std::fs::read(entry.path()).unwrap())
                })
                .filter(|(name, _)| name.ends_with(".1"))
                .collect()
        })
        .unwrap_or_default();
    let names = |pages: &BTreeMap<String, Vec<u8>>| pages.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&committed),
        names(&fresh),
        "man/ lists other pages; {stale}"
    );
    for (name, page) in &fresh {
        assert!(committed[name] == *page, "man/{name} is stale; {stale}");
    }
}

#[test]
fn man_pages_cover_every_visible_subcommand_and_nothing_hidden() {
    let pages = man_pages();
    for path in visible_commands() {
        let name = std::iter::once("incident".to_string())
            .chain(path)
            .collect::<Vec<_>>()
            .join("-");
        assert!(
            pages.contains_key(&format!("{name}.1")),
            "no page for {name}: {:?}",
            pages.keys()
        );
    }
    assert!(
        !pages
            .keys()
            .any(|name| name.contains("bench-seed") || name.contains("help"))
    );
    let main = String::from_utf8(pages["incident.1"].clone()).unwrap();
    assert!(
        main.contains(".SH \"GLOBAL OPTIONS\"") || main.contains(".SH GLOBAL OPTIONS"),
        "{main}"
    );
    assert!(
        !main.contains("bench\\-seed") && !main.contains("bench-seed"),
        "{main}"
    );
}

#[test]
fn incident_alone_shows_the_everyday_commands_and_what_is_open() {
    let env = Env::new();
    let first = env.ok(&[]);
    assert!(
        first.contains("incident declare \"Checkout is down\" -s SEV1"),
        "{first}"
    );
    assert!(
        first.contains("Every command: incident COMMAND --help"),
        "{first}"
    );
    assert!(first.ends_with("No incidents recorded yet.\n"), "{first}");
    assert!(!env.db.exists(), "looking creates no database");
    env.declare("Checkout returns 500s", &["-s", "SEV1"]);
    env.declare("Search slow", &["-s", "SEV3"]);
    env.ok(&["resolve", "2"]);
    let open = env.ok(&[]);
    assert!(
        open.ends_with("Open now (1):\n  INC-1  SEV1  Checkout returns 500s\n"),
        "{open}"
    );
}

/// The example lines under `Examples:` in `help`, up to the first blank line.
fn examples(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| l.trim() != "Examples:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.trim().to_string())
        .collect()
}

/// The `incident …` commands of one example line, as words: without a
/// trailing comment, split at pipes and `&&`, without redirections.
fn invocations(line: &str) -> Vec<Vec<String>> {
    let line = line.split(" # ").next().unwrap();
    let words = shlex::split(line).unwrap_or_else(|| panic!("not shell words: {line}"));
    words
        .split(|w| w == "|" || w == "&&")
        // Past the environment set for it (`NAME=value incident …`).
        .map(|part| {
            let start = part
                .iter()
                .position(|w| !w.contains('=') || w.starts_with('-'))
                .unwrap_or(part.len());
            &part[start..]
        })
        .filter(|part| part.first().is_some_and(|w| w == "incident"))
        .map(|part| part.iter().take_while(|w| !w.starts_with('>')).cloned().collect())
        .collect()
}

#[test]
fn every_command_shows_examples_and_every_example_parses() {
    let env = Env::new();
    for path in visible_commands().into_iter().filter(|p| !p.is_empty()) {
        let mut args = path.clone();
        args.push("--help".into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let help = env.ok(&args);
        let lines = examples(&help);
        assert!(
            lines.len() >= 2,
            "incident {} --help shows {} examples:\n{help}",
            path.join(" "),
            lines.len()
        );
        for line in &lines {
            for words in invocations(line) {
                assert!(
                    incident::cli::try_parse_from(&words).is_ok(),
                    "an example of incident {} does not parse: {line}",
                    path.join(" ")
                );
            }
        }
    }
}

#[test]
fn the_help_says_a_postgres_url_selects_postgresql_and_where_its_password_goes() {
    let env = Env::new();
    for args in [&["--help"][..], &["list", "--help"], &["serve", "--help"]] {
        let help = env.ok(args);
        assert!(help.contains("postgres://"), "incident {args:?}:\n{help}");
        assert!(
            help.contains("PGPASSWORD") && help.contains(".pgpass"),
            "incident {args:?}:\n{help}"
        );
    }
    let short = env.ok(&["-h"]);
    assert!(short.contains("postgres://"), "{short}");
    let man = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("man/incident.1")).unwrap();
    assert!(
        man.contains("postgres://") && man.contains("PGPASSWORD"),
        "man incident"
    );
}
