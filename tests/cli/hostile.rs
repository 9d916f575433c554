//! Issue 18: every piece of stored or typed text reaches the terminal
//! through one sanitiser (src/text.rs). Escape sequences (a clipboard
//! write, a screen clear), CR, a bidi override and C1 controls go into
//! every field; no command's stdout or stderr carries any of them.

use crate::support::*;

/// OSC 52 (write the clipboard), CSI 2J (clear the screen), BEL, CR, U+202E
/// (right-to-left override), CSI and NEL as C1 controls, DEL.
const H: &str = "h\u{1b}]52;c;QUJD\u{7}\u{1b}[2J\r\u{202E}\u{9b}31m\u{85}\u{7f}z";

const FORBIDDEN: [char; 7] = ['\u{1b}', '\u{7}', '\r', '\u{202E}', '\u{9b}', '\u{85}', '\u{7f}'];

/// Runs (success or not) and checks stdout and stderr; returns both.
fn clean(env: &Env, args: &[&str]) -> String {
    let out = env.cmd().args(args).output().unwrap();
    let both = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if let Some(c) = both.chars().find(|c| FORBIDDEN.contains(c)) {
        let shown: String = both.escape_debug().to_string().chars().take(3000).collect();
        panic!("{args:?} printed {c:?}:\n{shown}");
    }
    both
}

#[test]
fn hostile_text_in_every_field_never_reaches_the_terminal_raw() {
    let mut env = Env::new();
    let hooks = env.dir.path().join("hooks.toml");
    // TOML's own escapes, so the file holds the raw characters' meaning.
    let name: String = H.chars().map(|c| format!("\\u{:04X}", c as u32)).collect();
    std::fs::write(
        &hooks,
        format!("[[hooks]]\nname = \"{name}\"\non = [\"*\"]\nrun = \"exit 7\"\n"),
    )
    .unwrap();
    env.with_config(&std::fs::read_to_string(&hooks).unwrap());
    let title = format!("Checkout {H}");
    let said = clean(
        &env,
        &[
            "--as",
            H,
            "declare",
            &title,
            "-s",
            "SEV1",
            "--service",
            H,
            "--commander",
            H,
            "--summary",
            H,
            "--channel",
            H,
        ],
    );
    assert!(said.contains("warning:"), "the hook's warning names it: {said}");
    for args in [
        &["--as", H, "update", "1", H][..],
        &["update", "1", H, "--external", "--next-update", "30m"],
        &["assign-role", "1", H, H],
        &["assign-role", "1", "scribe", H],
        &["escalate", "1", "--to", H, "-r", H],
        &["edit", "1", "--title", H, "--add-service", "checkout"],
        &[
            "assess",
            "1",
            "--impact",
            H,
            "--sees",
            H,
            "--customers",
            "some",
            "--yes",
        ],
        &["declare", H],
        &["cancel", "2", "-r", H],
        &["reopen", "2", "-r", H],
        &["declare", "another"],
        &["duplicate", "3", "--of", "1"],
        &["resolve", "1", "--summary", H],
        &[
            "action",
            "add",
            "1",
            H,
            "--owner",
            H,
            "--due",
            "14d",
            "--kind",
            "corrective",
        ],
        &["action", "done", "1", "--note", H],
        &[
            "action",
            "add",
            "1",
            H,
            "--owner",
            H,
            "--due",
            "1d",
            "--kind",
            "detective",
        ],
    ] {
        clean(&env, args);
    }
    // Every human rendering, and the JSON ones.
    env.at("2026-11-23T12:00:00Z");
    let read: &[&[&str]] = &[
        &["show", "1"],
        &["show", "2"],
        &["show", "3"],
        &["--json", "show", "1"],
        &["list", "--all"],
        &["--json", "list", "--all"],
        &["check"],
        &["--json", "check"],
        &["stats"],
        &["--json", "stats"],
        &["action", "list"],
        &["--json", "action", "list"],
        &["topic", "1"],
        &["comms", "1"],
        &["comms", "1", "--draft"],
        &["guard"],
        &["guard", "--service", H],
        &["--json", "guard"],
        &["retro", "1", "--export", "md"],
        &["verify"],
    ];
    for args in read {
        clean(&env, args);
    }
    let shown = clean(&env, &["show", "1"]);
    assert!(
        shown.contains("\\u{1b}]52;c;QUJD"),
        "shown escaped, not dropped: {shown}"
    );
    // Refusals and clap's parse errors echo what was typed: escaped too.
    for args in [
        &["show", H][..],
        &["declare", "x", "--severity", H],
        &["declare", "x", "--category", H],
        &["declare", "x", H],
        &[H],
        &["list", H],
        &["update", "1", "note", "--at", H],
        &["action", "done", H],
        &["guard", "--min-severity", H],
        &["--db", H, "list"],
    ] {
        clean(&env, args);
    }
    // The record keeps exactly what was given.
    let shown = env.show("1");
    let timeline = shown["timeline"].as_array().unwrap();
    assert!(
        timeline.iter().any(|e| e["text"] == H && e["author"] == H),
        "{shown}"
    );
    // An export is a data file that holds the record byte for byte (the
    // hashes cover the stored detail documents); it round-trips.
    let file = env.dir.path().join("export.json");
    env.ok(&["export", "-o", file.to_str().unwrap()]);
    let copy = Env::new();
    copy.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(copy.show("1")["title"], H);
    assert_eq!(copy.show("1")["timeline"], env.show("1")["timeline"]);
    copy.ok(&["verify"]);
}

/// A prompt pre-filled with a stored answer draws it escaped: the line
/// editor never sends the stored escape sequence to the terminal.
#[test]
fn a_prompt_prefilled_with_hostile_text_draws_it_escaped() {
    let env = Env::new();
    env.declare("Checkout", &[]);
    env.ok(&[
        "assess",
        "1",
        "--impact",
        H,
        "--sees",
        H,
        "--customers",
        "some",
        "--yes",
    ]);
    let mut cmd = env.std_cmd();
    cmd.env("TERM", "dumb").env("NO_COLOR", "1").args(["assess", "1"]);
    let mut p = rexpect::session::spawn_command(cmd, Some(10_000)).unwrap();
    p.exp_string("The earlier answers are filled in").unwrap();
    let before = p.exp_string("QUJD").unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
    let after = p.exp_string("What do customers see?").unwrap();
    p.send_control('c').unwrap();
    let rest = p.exp_eof().unwrap();
    let screen = format!("{before}QUJD{after}{rest}");
    for raw in ["\u{1b}]52", "\u{1b}[2J", "\u{7}"] {
        assert!(!screen.contains(raw), "{raw:?} reached the terminal: {screen:?}");
    }
    // rexpect hands back bytes as chars: U+202E is E2 80 AE, C1 CSI is C2 9B.
    for raw in ["\u{e2}\u{80}\u{ae}", "\u{c2}\u{9b}"] {
        assert!(!screen.contains(raw), "{raw:?} reached the terminal: {screen:?}");
    }
    assert!(screen.contains("\\u{1b}]52;c;QUJD"), "{screen:?}");
}
