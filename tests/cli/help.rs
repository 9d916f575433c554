//! What `--help` shows a user.

use crate::support::Env;
use clap::CommandFactory;
use incident::cli::Cli;

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
    walk(&Cli::command(), &[], &mut out);
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
