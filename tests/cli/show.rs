use crate::support::*;

fn the_checkout_incident() -> Env {
    let mut env = Env::new();
    env.declare(
        "Checkout returns 500s",
        &[
            "-s",
            "SEV2",
            "-c",
            "availability",
            "--service",
            "checkout",
            "--commander",
            "alice",
            "--channel",
            "https://chat.example/inc-checkout",
            "--detected-by",
            "monitoring",
            "--started-at",
            "07:45",
        ],
    );
    env.at("2026-11-23T08:05:00Z");
    env.ok(&["assign-role", "1", "scribe", "bob"]);
    env.ok(&[
        "escalate",
        "1",
        "--to",
        "dba-oncall",
        "-s",
        "SEV1",
        "-r",
        "orders table locked",
    ]);
    env.at("2026-11-23T08:20:00Z");
    env.ok(&[
        "--as",
        "bob",
        "update",
        "1",
        "Rolled back deploy 4821",
        "--kind",
        "action",
        "--status",
        "mitigated",
    ]);
    env.ok(&[
        "update",
        "1",
        "Checkout is recovering",
        "--external",
        "--next-update",
        "30m",
    ]);
    env
}

#[test]
fn show_prints_details_roles_and_the_timeline_in_local_time() {
    let mut env = the_checkout_incident();
    env.at("2026-11-23T08:45:00Z");
    snapshot!(env.ok(&["show", "INC-1"]));
}

#[test]
fn show_uses_the_local_time_zone() {
    let env = the_checkout_incident();
    let out = env
        .cmd()
        .env("TZ", "Europe/Berlin")
        .args(["show", "1"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("declared     2026-11-23 09:00"), "{text}");
}

#[test]
fn show_json_has_the_documented_shape() {
    let env = the_checkout_incident();
    let i = env.show("INC-1");
    let mut fields: Vec<&str> = i.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "assessment",
            "category",
            "channels",
            "checklist",
            "closed_at",
            "commander",
            "declared_at",
            "detected_by",
            "drill",
            "id",
            "key",
            "next_update_at",
            "recent_changes",
            "resolution",
            "resolved_at",
            "roles",
            "services",
            "severity",
            "started_at",
            "status",
            "summary",
            "tags",
            "timeline",
            "title",
        ]
    );
    assert_eq!(i["assessment"], serde_json::Value::Null);
    let event = &i["timeline"][0];
    let mut fields: Vec<&str> = event.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    fields.sort();
    assert_eq!(
        fields,
        ["at", "author", "details", "id", "kind", "recorded_at", "text"]
    );
    assert_eq!(last_event(&i)["author"], "alice");
    assert_eq!(i["timeline"][5]["author"], "bob");
}

#[test]
fn a_long_timeline_shows_the_latest_entries_and_counts_the_rest() {
    let env = Env::new();
    env.declare("X", &[]);
    for n in 0..5 {
        env.ok(&["update", "1", &format!("entry {n}")]);
    }
    let out = env.ok(&["show", "1", "--limit", "2"]);
    assert!(
        out.contains("Timeline (4 earlier entries not shown; --limit 0 shows all 6)"),
        "{out}"
    );
    assert!(
        out.contains("entry 4") && out.contains("entry 3") && !out.contains("entry 2"),
        "{out}"
    );
    let i = env.json(&["show", "1", "--limit", "2"]);
    assert_eq!(i["timeline"].as_array().unwrap().len(), 2);
    assert_eq!(i["timeline_total"], 6);
    assert_eq!(
        env.show("1")["timeline"].as_array().unwrap().len(),
        6,
        "--json shows all by default"
    );
}

#[test]
fn by_default_show_pages_like_list_the_latest_fifty_entries() {
    let env = Env::new();
    env.seed(1, 60, 1);
    let out = env.ok(&["show", "1"]);
    assert!(
        out.contains("Timeline (10 earlier entries not shown; --limit 0 shows all 60)"),
        "{out}"
    );
    let all = env.ok(&["show", "1", "--limit", "0"]);
    assert!(all.contains("Timeline\n"), "{all}");
    // Timeline rows start with their local time, YYYY-MM-DD HH:MM.
    let rows = |text: &str| -> Vec<String> {
        let timeline = &text[text.find("Timeline").unwrap()..];
        timeline
            .lines()
            .filter(|l| l.len() > 16 && l.as_bytes()[4] == b'-' && l.as_bytes()[13] == b':')
            .map(String::from)
            .collect()
    };
    let (page, every) = (rows(&out), rows(&all));
    assert_eq!((page.len(), every.len()), (50, 60), "{out}");
    assert_eq!(page, every[10..], "the page is the newest 50, newest last");
}

#[test]
fn topic_is_one_line_for_the_channel() {
    let env = the_checkout_incident();
    assert_eq!(
        env.ok(&["topic", "INC-1"]),
        "INC-1 [SEV1] mitigated: Checkout returns 500s | IC: alice | https://chat.example/inc-checkout\n"
    );
    assert_eq!(env.json(&["topic", "1"])["key"], "INC-1");
}

#[test]
fn terminal_escapes_in_user_text_are_neutralised() {
    let env = Env::new();
    let evil = "Checkout \u{1b}[2J\u{1b}]0;owned\u{7} down";
    env.declare(evil, &["--commander", "eve\u{1b}[31m"]);
    env.ok(&["update", "1", "note with \u{9b}31m C1 CSI and \u{202e}bidi"]);
    for args in [vec!["show", "1"], vec!["list"], vec!["topic", "1"]] {
        let out = env.ok(&args);
        assert!(
            !out.contains('\u{1b}')
                && !out.contains('\u{7}')
                && !out.contains('\u{9b}')
                && !out.contains('\u{202e}'),
            "{args:?}: {out:?}"
        );
        assert!(
            out.contains("\\u{1b}"),
            "{args:?} shows the escape visibly: {out}"
        );
    }
    // Stored faithfully, and JSON escapes it.
    assert_eq!(env.show("1")["title"], evil);
}

/// Off a terminal nothing is cut: a log pasted on one line, 200 kB of
/// words, is printed whole and in order, in lines a table can hold
/// (comfy-table's widths are 16-bit, and it broke wider lines itself in
/// time quadratic in their length: seconds for this one).
#[test]
fn an_entry_wider_than_a_table_can_hold_is_printed_whole_into_a_pipe() {
    let env = Env::new();
    env.declare("Pasted", &[]);
    let words: Vec<String> = (0..30_000).map(|i| format!("w{i}")).collect();
    env.cmd()
        .args(["update", "1", "-"])
        .write_stdin(words.join(" "))
        .assert()
        .success();
    let shown = env.ok(&["show", "1"]);
    let printed: Vec<&str> = shown
        .split_whitespace()
        .filter(|w| w.strip_prefix('w').is_some_and(|n| n.parse::<u32>().is_ok()))
        .collect();
    assert_eq!(printed, words, "every word, once, in order");
    let longest = shown.lines().map(str::len).max().unwrap();
    assert!(longest < usize::from(u16::MAX), "{longest}");
    let first = shown.lines().find(|l| l.contains("w0 w1")).unwrap();
    assert!(
        first.contains(" note "),
        "still a row of the timeline: {first:.80}"
    );
}
