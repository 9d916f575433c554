//! What a person sees on a narrow terminal (a pseudo-terminal, not a pipe):
//! lines wrap at spaces with a hanging indent, codes stay whole, and text
//! of any size is laid out in time linear in its length.

use crate::support::*;
use std::time::Duration;

const LONG_TITLE: &str =
    "Payments to the card processor time out for every customer in the EU region after the deploy";

/// Every line fits, and every word of `text` appears whole on some line.
fn fits_and_keeps_words(shown: &str, columns: usize, text: &str) {
    for line in shown.lines() {
        assert!(
            line.chars().count() <= columns,
            "wider than {columns}: {line:?}\n{shown}"
        );
    }
    for word in text.split_whitespace() {
        assert!(
            shown.lines().any(|l| l
                .split_whitespace()
                .any(|w| w.trim_matches(|c: char| !c.is_alphanumeric())
                    == word.trim_matches(|c: char| !c.is_alphanumeric()))),
            "{word:?} is broken or missing:\n{shown}"
        );
    }
}

/// How many lines continue the one starting with `start` under the column
/// where `value` begins on it (a hanging indent), at least one.
fn hangs(shown: &str, start: &str, value: &str) -> usize {
    let lines: Vec<&str> = shown.lines().collect();
    let at = lines.iter().position(|l| l.starts_with(start)).expect(shown);
    let column = lines[at].find(value).expect(shown);
    let n = lines[at + 1..]
        .iter()
        .take_while(|l| l.len() > column && l[..column].trim().is_empty() && !l[column..].starts_with(' '))
        .count();
    assert!(n > 0, "{start:?} does not go on under {value:?}:\n{shown}");
    n
}

fn busy_incident() -> Env {
    let mut env = Env::new();
    env.declare(
        LONG_TITLE,
        &[
            "-s",
            "SEV1",
            "--service",
            "payments,card-gateway,checkout,ledger,fraud-scoring",
            "--commander",
            "alice",
        ],
    );
    env.ok(&["assign-role", "1", "scribe", "bartholomew"]);
    env.ok(&["assign-role", "1", "scribe", "christabel"]);
    env.ok(&["assign-role", "1", "scribe", "dorothea"]);
    env.at("2026-11-23T08:30:00Z");
    env.ok(&[
        "resolve",
        "1",
        "--summary",
        "the connection pool to the card processor was exhausted by retries that never backed off",
    ]);
    env.ok(&[
        "action",
        "add",
        "1",
        "Add exponential backoff with jitter to every retry towards the card processor",
        "--owner",
        "bartholomew",
        "--due",
        "2026-12-15",
        "--kind",
        "corrective",
    ]);
    env
}

#[test]
fn show_wraps_at_spaces_with_a_hanging_indent_at_60_columns() {
    let env = busy_incident();
    let (shown, _) = env.on_terminal(60, &["show", "1"]);
    fits_and_keeps_words(&shown, 60, LONG_TITLE);
    fits_and_keeps_words(
        &shown,
        60,
        "the connection pool to the card processor was exhausted",
    );
    fits_and_keeps_words(&shown, 60, "Add exponential backoff with jitter to every retry");
    // Each goes on under its own first word, past the key, the field's
    // name or the action's id, owner and date.
    hangs(&shown, "INC-1  Payments", "Payments");
    hangs(&shown, "  resolution", "the connection");
    hangs(&shown, "  services", "payments");
    // An action item's text goes below its facts, indented.
    assert!(
        shown.contains("  A-1   open     due 2026-12-15  bartholomew\n        Add exponential backoff"),
        "{shown}"
    );
    // On a pipe nothing is wrapped.
    let piped = env.ok(&["show", "1"]);
    assert!(piped.contains(LONG_TITLE), "{piped}");
}

#[test]
fn check_action_list_and_stats_fit_60_columns_with_words_whole() {
    let mut env = Env::new();
    env.declare(LONG_TITLE, &["-s", "SEV1", "--commander", "alice"]);
    env.at("2026-11-23T10:00:00Z");
    let (check, _) = env.on_terminal(60, &["check"]);
    fits_and_keeps_words(&check, 60, LONG_TITLE);
    // The facts on a line, the title under them.
    assert!(
        check.contains(
            "INC-1  SEV1  triage  missed by 1h00m  2026-11-23 09:00\n  Payments to the card processor"
        ),
        "{check}"
    );

    let env = busy_incident();
    let (actions, _) = env.on_terminal(60, &["action", "list"]);
    assert!(
        actions.contains("A-1") && actions.contains("2026-12-15"),
        "{actions}"
    );
    fits_and_keeps_words(&actions, 60, "Add exponential backoff with jitter to every retry");

    let (stats, _) = env.on_terminal(60, &["stats"]);
    assert!(stats.contains("by severity"), "{stats}");
    fits_and_keeps_words(&stats, 60, "acknowledge resolve");
}

/// Issue 18: a pasted blob once took minutes to lay out on a terminal. The
/// limit is generous (a debug build on a busy machine); the release build's
/// time is in benches/cli.sh.
const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn a_one_megabyte_unbroken_entry_shows_quickly_and_is_cut_with_a_pointer_to_json() {
    let env = Env::new();
    env.declare("Blob", &[]);
    let blob = "QUJD".repeat(1 << 18); // 1 MiB, no space anywhere
    env.cmd()
        .args(["update", "1", "-"])
        .write_stdin(blob.clone())
        .assert()
        .success();
    for columns in [30, 80] {
        let (shown, took) = env.on_terminal(columns, &["show", "1"]);
        assert!(took < LIMIT, "{columns} columns: {took:?}");
        assert!(
            shown.contains("characters;"),
            "{columns} columns: cut with a marker"
        );
        assert!(shown.contains("--json"), "{columns} columns: cut with a marker");
        assert!(
            shown.len() < 20_000,
            "{columns} columns: {} bytes shown",
            shown.len()
        );
        assert!(
            shown.lines().all(|l| l.chars().count() <= columns as usize),
            "{shown}"
        );
    }
    // The record and --json keep every byte.
    let json = env.show("1");
    assert!(json.to_string().contains(&blob));
}

#[test]
fn a_131000_character_title_lists_quickly() {
    let env = Env::new();
    let title = "T".repeat(131_000);
    env.declare(&title, &[]);
    env.declare("A short one", &[]);
    for columns in [30, 80] {
        for args in [&["list"][..], &["show", "1"]] {
            let (shown, took) = env.on_terminal(columns, args);
            assert!(took < LIMIT, "{args:?} at {columns} columns: {took:?}");
            if columns == 80 || args[0] == "show" {
                assert!(shown.contains("--json"), "{args:?} at {columns}: {shown}");
            }
            {
                let wide = shown.lines().find(|l| l.chars().count() > columns as usize);
                assert_eq!(wide, None, "{columns} columns");
            }
        }
    }
}

#[test]
fn below_fifty_columns_list_puts_codes_on_a_line_and_the_title_below() {
    let env = busy_incident();
    env.declare("Search is slow", &["-s", "SEV3"]);
    let (shown, _) = env.on_terminal(40, &["list", "--all"]);
    fits_and_keeps_words(&shown, 40, LONG_TITLE);
    let lines: Vec<&str> = shown.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("INC-1  SEV1  resolved  30m  alice"))
        .expect(&shown);
    assert!(lines[at + 1].starts_with("  Payments to the card"), "{shown}");
    assert!(
        lines.iter().any(|l| l.starts_with("INC-2  SEV3  investigating")),
        "{shown}"
    );
    assert!(lines.contains(&"  Search is slow"), "{shown}");
}

#[test]
fn the_retrospective_walk_shows_a_timeline_holding_a_blob_quickly() {
    let env = Env::new();
    env.declare("Blob", &[]);
    env.cmd()
        .args(["update", "1", "-"])
        .write_stdin("QUJD".repeat(1 << 18))
        .assert()
        .success();
    env.ok(&["resolve", "1", "--summary", "fixed"]);
    let mut cmd = env.std_cmd();
    cmd.env("TERM", "xterm").env("NO_COLOR", "1").args(["retro", "1"]);
    let started = std::time::Instant::now();
    let mut p = rexpect::session::spawn_command(cmd, Some(LIMIT.as_millis() as u64)).unwrap();
    let shown = p.exp_string("Blameless").unwrap();
    assert!(started.elapsed() < LIMIT, "{:?}", started.elapsed());
    assert!(shown.contains("more characters;"), "cut with a marker");
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn alerts_and_deliveries_keep_words_whole_at_60_and_80_columns() {
    let mut env = Env::new();
    env.with_config(crate::alerts::RULES);
    env.ok(&["ingest", &crate::alerts::fixture("alertmanager-firing.json")]);
    for columns in [60, 80] {
        let (shown, _) = env.on_terminal(columns, &["alerts"]);
        fits_and_keeps_words(&shown, columns as usize, "High error rate on checkout-1");
        fits_and_keeps_words(
            &shown,
            columns as usize,
            "firing alertmanager critical checkout INC-1",
        );
        assert!(!shown.contains("SEVER"), "no table header to split: {shown}");
    }
    // Wide enough: the table, its headers whole.
    let (wide, _) = env.on_terminal(140, &["alerts"]);
    assert!(wide.contains("SEVERITY") && wide.contains("SUMMARY"), "{wide}");

    let receiver = crate::notify::Receiver::start();
    let mut env = Env::new();
    env.with_config(&format!(
        "[[notify]]\nname = \"stakeholders-webhook\"\nkind = \"webhook\"\nurl = \"{}\"\n",
        receiver.url("/hook")
    ));
    env.talk(&["notify"]);
    env.declare(LONG_TITLE, &[]);
    receiver.answer(
        "/hook",
        503,
        &[],
        "the receiving end is down for maintenance until later tonight",
    );
    env.cmd().args(["notify"]).output().unwrap();
    for columns in [60, 80] {
        let (shown, _) = env.on_terminal(columns, &["deliveries"]);
        fits_and_keeps_words(
            &shown,
            columns as usize,
            "stakeholders-webhook webhook failing since 2026-11-23 08:00",
        );
        fits_and_keeps_words(
            &shown,
            columns as usize,
            "the receiving end is down for maintenance until later tonight",
        );
    }
}

/// A weekly rotation with long names, and an override standing in.
const ROTATION: &str = r#"
[people.carol]
email = "carol@example.org"

[[schedules]]
name = "database-primary-platform"
time_zone = "Europe/Berlin"
[[schedules.layers]]
name = "primary-weekday-rotation"
people = ["alexandra-longname", "bartholomew"]
start = "2026-03-02 09:00"
shift = "weekly"
"#;

#[test]
fn changes_oncall_and_every_other_table_keep_words_whole_at_60_and_80_columns() {
    let mut env = busy_incident();
    env.with_config(ROTATION);
    let plans = env.dir.path().join("playbooks");
    std::fs::create_dir_all(&plans).unwrap();
    for name in ["ddos.toml", "outage.toml", "data-leak.toml"] {
        let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/playbooks")
            .join(name);
        std::fs::copy(shipped, plans.join(name)).unwrap();
    }
    let change = "Roll out the new connection pool settings to every payments node in the EU region";
    env.ok(&[
        "change",
        change,
        "--service",
        "payments,checkout,ledger",
        "--link",
        "https://ci.example.org/pipelines/12345/jobs/67890",
    ]);
    env.ok(&[
        "oncall",
        "override",
        "database-primary-platform",
        "--who",
        "carol",
        "--from",
        "2026-11-24 10:00",
        "--until",
        "2026-11-25 10:00",
    ]);
    for columns in [60, 80] {
        let c = columns as usize;
        let (shown, _) = env.on_terminal(columns, &["changes"]);
        fits_and_keeps_words(&shown, c, change);
        fits_and_keeps_words(
            &shown,
            c,
            "payments,checkout,ledger https://ci.example.org/pipelines/12345/jobs/67890",
        );
        // The facts on a line, the change below.
        assert!(
            shown.contains("deploy  payments,checkout,ledger\n  Roll out"),
            "{shown}"
        );

        let (shown, _) = env.on_terminal(columns, &["oncall"]);
        fits_and_keeps_words(&shown, c, "database-primary-platform primary-weekday-rotation");
        assert!(
            shown.contains("database-primary-platform  primary-weekday-rotation\n  alexandra-longname until Mon 2026-11-30 09:00 CET; then"),
            "{shown}"
        );
        let (shown, _) = env.on_terminal(columns, &["oncall", "database-primary-platform"]);
        assert!(
            shown.contains("primary-weekday-rotation  carol  (standing in)\n  Tue 2026-11-24 11:00 CET → Wed 2026-11-25 11:00 CET"),
            "{shown}"
        );
        fits_and_keeps_words(
            &shown,
            c,
            "override 1: carol for primary-weekday-rotation alexandra-longname",
        );

        for (args, words) in [
            (&["list", "--all"][..], LONG_TITLE),
            (
                &["show", "1"],
                "bartholomew christabel dorothea role_assigned scribe",
            ),
            (
                &["action", "list"],
                "Add exponential backoff with jitter bartholomew 2026-12-15",
            ),
            (
                &["playbooks"],
                "availability/performance; services edge/api/cdn security/data",
            ),
            (&["stats"], "acknowledge resolve"),
        ] {
            let (shown, _) = env.on_terminal(columns, args);
            fits_and_keeps_words(&shown, c, words);
        }
    }
}

/// `args` (a `--follow`) on a terminal `columns` wide: what it printed
/// after `update` adds an entry to INC-1 while it follows.
fn following(env: &Env, columns: u16, args: &[&str], ready: &str, text: &str) -> String {
    let incident = env.std_cmd();
    let mut cmd = std::process::Command::new("sh");
    cmd.env_clear()
        .envs(incident.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("PATH", "/usr/bin:/bin")
        .env("TERM", "dumb")
        .env("NO_COLOR", "1")
        .arg("-c")
        .arg(format!("stty cols {columns} rows 50 && exec \"$0\" \"$@\""))
        .arg(incident.get_program())
        .args(args);
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    let mut seen = p.exp_string(ready).unwrap() + ready;
    std::thread::sleep(Duration::from_millis(300));
    env.ok(&["update", "1", text, "--as", "bartholomew"]);
    let last = text.split(' ').next_back().unwrap();
    seen += &(p.exp_string(last).unwrap() + last);
    std::thread::sleep(Duration::from_millis(200));
    p.send_control('c').unwrap();
    seen += &p.exp_eof().unwrap();
    seen.replace("\r\n", "\n")
}

/// Where each of `names` starts on the header line that holds them all.
fn header_columns(shown: &str, names: &[&str]) -> Vec<usize> {
    let header = shown
        .lines()
        .rfind(|l| {
            names
                .iter()
                .all(|n| l.contains(&format!("{n} ")) || l.ends_with(n))
        })
        .expect(shown);
    names.iter().map(|n| header.find(n).unwrap()).collect()
}

#[test]
fn follow_lines_go_under_the_header_printed_before_them() {
    let env = busy_incident();
    let text = "Rolled back the connection pool settings and latency is recovering across the region";
    // show: under the timeline's own columns.
    let shown = following(&env, 120, &["show", "1", "--follow"], "Add exponential", text);
    let at = header_columns(&shown, &["TIME", "WHO", "KIND", "WHAT"]);
    let line = shown.lines().find(|l| l.contains("Rolled back")).expect(&shown);
    assert_eq!(line.find("2026-"), Some(at[0]), "{shown}");
    assert_eq!(line.find("bartholomew"), Some(at[1]), "{shown}");
    assert_eq!(line.find("note"), Some(at[2]), "{shown}");
    assert_eq!(line.find("Rolled"), Some(at[3]), "{shown}");
    // list: under a header of their own after the incidents, key first.
    let shown = following(&env, 120, &["list", "--all", "--follow"], "WHAT", text);
    let at = header_columns(&shown, &["KEY", "TIME", "WHO", "KIND", "WHAT"]);
    let line = shown.lines().find(|l| l.contains("Rolled back")).expect(&shown);
    for (field, column) in ["INC-1", "2026-", "bartholomew", "note", "Rolled"]
        .iter()
        .zip(&at)
    {
        assert_eq!(line.find(field), Some(*column), "{field}: {shown}");
    }
    // Too narrow for columns: the facts on a line, the text below, as the
    // list above it.
    let shown = following(&env, 60, &["list", "--all", "--follow"], "Payments", text);
    assert!(
        shown.contains("bartholomew  note\n  Rolled back the connection"),
        "{shown}"
    );
    fits_and_keeps_words(&shown, 60, text);
}
