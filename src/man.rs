//! The man pages, rendered by clap_mangen from the same definition as
//! `--help`: `incident.1` and one page per visible subcommand. Committed
//! under `man/` (a test keeps them current) and written by `incident man
//! --install`.
//!
//! The SYNOPSIS is ours: clap_mangen's names the options without their
//! values (`[--db]`), which reads as if `--db` were a switch.

use clap::{Arg, ArgAction};

/// Every page, as (file name, roff), the subcommands' first.
pub fn pages() -> Vec<(String, Vec<u8>)> {
    fn walk(cmd: clap::Command, out: &mut Vec<(String, Vec<u8>)>) {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
            walk(sub, out);
        }
        let usage = synopsis(&cmd);
        let man = clap_mangen::Man::new(cmd.override_usage(usage));
        let mut page = Vec::new();
        // Rendering into memory cannot fail.
        let _ = man.render(&mut page);
        out.push((man.get_filename(), page));
    }
    let mut cmd = crate::cli::whole().disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    walk(cmd, &mut out);
    out
}

/// `incident action add [--owner NAME] … KEY TEXT`: each option with its
/// value's name, optional ones in brackets, repeatable ones with `...`.
fn synopsis(cmd: &clap::Command) -> String {
    let name = cmd.get_bin_name().unwrap_or_else(|| cmd.get_name());
    let mut words = vec![name.to_string()];
    let options = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !a.is_positional());
    let (required, optional): (Vec<&Arg>, Vec<&Arg>) = options.partition(|a| a.is_required_set());
    for arg in optional {
        words.push(format!("[{}]", option(arg)));
    }
    for arg in required {
        words.push(option(arg));
    }
    for arg in cmd.get_positionals().filter(|a| !a.is_hide_set()) {
        let value = value_name(arg);
        let many = if repeats(arg) { "..." } else { "" };
        words.push(match arg.is_required_set() {
            true => format!("{value}{many}"),
            false => format!("[{value}]{many}"),
        });
    }
    if cmd.has_subcommands() {
        words.push(match cmd.is_subcommand_required_set() {
            true => "COMMAND".into(),
            false => "[COMMAND]".into(),
        });
    }
    words.join(" ")
}

fn option(arg: &Arg) -> String {
    let flag = match (arg.get_short(), arg.get_long()) {
        (Some(s), Some(l)) => format!("-{s}|--{l}"),
        (Some(s), None) => format!("-{s}"),
        (None, Some(l)) => format!("--{l}"),
        (None, None) => String::new(),
    };
    let takes = arg.get_num_args().is_some_and(|n| n.takes_values());
    let mut text = match (takes, arg.get_num_args().map(|n| n.min_values())) {
        (false, _) => flag,
        (true, Some(0)) => format!("{flag} [{}]", value_name(arg)),
        (true, _) => format!("{flag} {}", value_name(arg)),
    };
    if repeats(arg) {
        text.push_str("...");
    }
    text
}

fn value_name(arg: &Arg) -> String {
    match arg.get_value_names() {
        Some(names) if !names.is_empty() => names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(" "),
        _ => arg.get_id().as_str().to_uppercase(),
    }
}

fn repeats(arg: &Arg) -> bool {
    matches!(arg.get_action(), ArgAction::Append | ArgAction::Count)
        || arg.get_num_args().is_some_and(|n| n.max_values() > 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(name: &str) -> String {
        let (_, page) = pages().into_iter().find(|(n, _)| n == name).unwrap();
        String::from_utf8(page).unwrap()
    }

    #[test]
    fn the_synopsis_names_each_options_value() {
        let top = page("incident.1");
        let synopsis = top.split(".SH SYNOPSIS").nth(1).unwrap().lines().nth(1).unwrap();
        for part in [
            "[\\-\\-db PATH]",
            "[\\-\\-config PATH]",
            "[\\-\\-as NAME]",
            "[\\-\\-json]",
        ] {
            assert!(synopsis.contains(part), "{part}: {synopsis}");
        }
        let add = page("incident-action-add.1");
        assert!(add.contains("\\-\\-owner OWNER"), "{add}");
    }
}
