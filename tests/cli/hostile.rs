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

/// U+202E (right-to-left override), U+2066 (left-to-right isolate) and
/// U+009B (the C1 control CSI).
const TURNS: [char; 3] = ['\u{202E}', '\u{2066}', '\u{9b}'];

/// Issue "The record stays right", point 10: a link that shows other than
/// it is, is refused where it is typed; exports and the postmortem never
/// write a bidi or C1 control raw to a terminal, and to a file or a pipe
/// they stay the record, byte for byte.
#[test]
fn links_refuse_and_exports_to_a_terminal_neutralise_bidi_and_c1_controls() {
    let mut env = Env::new();
    let title = format!("Checkout {}x{} y{}31m", TURNS[0], TURNS[1], TURNS[2]);
    env.declare(&title, &[]);
    env.ok(&[
        "action",
        "add",
        "1",
        "fix it",
        "--owner",
        "erin",
        "--due",
        "1d",
        "--kind",
        "corrective",
    ]);
    let before = env.bytes();
    // Refused with one line naming the option, exit 2, nothing stored.
    for c in TURNS {
        let link = format!("https://t/{c}x");
        let err = env.fails(2, &["action", "link", "A-1", &link]);
        assert!(err.contains("'<URL>'"), "{err}");
        assert!(err.contains(&format!("U+{:04X}", c as u32)), "{err}");
        let err = env.fails(2, &["change", "deploy", "--service", "api", "--link", &link]);
        assert!(err.contains("'--link <URL>'"), "{err}");
        assert!(!err.contains(c), "{err}");
    }
    assert_eq!(env.bytes(), before, "nothing was stored");
    env.ok(&["action", "link", "A-1", "https://tracker.example/OPS-12"]);

    // A link stored before links were checked (here, by hand) shows escaped
    // in the postmortem, written anywhere.
    env.tamper(&format!("UPDATE actions SET link = 'https://t/{}x'", TURNS[0]));
    let md = env.ok(&["retro", "1", "--export", "md"]);
    assert!(!md.contains(TURNS), "{md}");
    assert!(md.contains("https://t/\\\\u{202e}x"), "{md}");

    // To a pipe or a file, an export is the record as stored, byte for byte.
    let file = env.dir.path().join("export.json");
    env.ok(&["export", "-o", file.to_str().unwrap()]);
    let piped = env.ok(&["export"]);
    assert_eq!(piped.as_bytes(), std::fs::read(&file).unwrap());
    assert!(piped.contains(&title), "raw in a data file");
    let retro_file = env.dir.path().join("retro.json");
    env.ok(&[
        "retro",
        "1",
        "--export",
        "json",
        "-o",
        retro_file.to_str().unwrap(),
    ]);
    let retro_piped = env.ok(&["retro", "1", "--export", "json"]);
    assert_eq!(retro_piped.as_bytes(), std::fs::read(&retro_file).unwrap());
    assert!(retro_piped.contains(&title));

    // To a terminal: escaped as \uXXXX, which reads back as the same value.
    for (args, piped) in [
        (&["export"][..], &piped),
        (&["retro", "1", "--export", "json"], &retro_piped),
    ] {
        let (shown, _) = env.on_terminal(200, args);
        assert!(!shown.contains(TURNS), "{args:?}: {shown:?}");
        assert!(shown.contains("\\u202e") && shown.contains("\\u2066"), "{shown}");
        let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
        let piped: serde_json::Value = serde_json::from_str(piped).unwrap();
        assert_eq!(shown, piped, "{args:?}");
    }
    let (shown, _) = env.on_terminal(200, &["retro", "1", "--export", "md"]);
    assert!(!shown.contains(TURNS), "{shown:?}");

    // Names from the configuration are one word of printable characters.
    for (config, names) in [
        (
            format!(
                "[[severity]]\nname = \"P{}1\"\nacknowledge = \"5m\"\ntriage = \"15m\"\nremediate = \"4h\"\nretro = \"5d\"\n",
                TURNS[0]
            ),
            "severity name",
        ),
        (format!("[roles]\nadd = [\"legal{}\"]\n", TURNS[1]), "role"),
    ] {
        env.with_config(&config);
        let err = env.fails(2, &["list"]);
        assert!(err.contains(names) && err.contains("one word"), "{err}");
    }
}
