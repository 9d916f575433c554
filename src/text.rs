//! Neutralising text that came from outside before it reaches a terminal.
//! Stored text is kept exactly as given; only display is escaped.

use std::borrow::Cow;

/// Makes text safe to print: control characters (C0 except newline and tab,
/// DEL, C1) and bidirectional overrides are shown as `\u{..}` escapes, so a
/// title cannot move the cursor, recolour the terminal or reorder what is
/// shown. Newlines and tabs stay, for multi-line messages in tables.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| needs_escape(c) || c == '\t') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push_str("    "),
            c if needs_escape(c) => out.push_str(&escape(c)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Like [`safe`], and also folds line breaks into ` ⏎ ` so the text stays on
/// one line (a chat topic, a table cell that must not grow).
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text.contains(['\n', '\r', '\t']) && !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let joined = text
        .split(['\n', '\r'])
        .filter(|part| !part.trim().is_empty())
        .map(|part| part.trim())
        .collect::<Vec<_>>()
        .join(" ⏎ ");
    Cow::Owned(safe(&joined).into_owned())
}

pub(crate) fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        // Bidi embedding/override/isolate controls ("trojan source").
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn escape(c: char) -> String {
    format!("\\u{{{:x}}}", c as u32)
}

/// The longest text a terminal shows in one place (a table cell, a field):
/// past it the text is cut with a marker, so one pasted blob cannot fill
/// screens or stall the table layout. `--json` always carries everything.
pub const SHOWN_CHARS: usize = 2_000;

/// Longer than any cut's marker.
const SLACK: usize = 80;

/// `text` cut to [`SHOWN_CHARS`] with a marker pointing to `--json`; short
/// text is borrowed. Linear in the length kept, whatever the length given.
pub fn cut(text: &str) -> Cow<'_, str> {
    cut_at(text, SHOWN_CHARS)
}

/// Text at most [`SLACK`] characters over `max` is kept whole: cutting it
/// would save less than the marker costs, and text cut once is never cut
/// again.
fn cut_at(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max || text.chars().nth(max + SLACK).is_none() {
        return Cow::Borrowed(text);
    }
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((at, _)) => {
            let rest = text[at..].chars().count();
            Cow::Owned(format!(
                "{} … [{rest} more characters; --json shows all]",
                &text[..at]
            ))
        }
    }
}

/// Wraps `text` (already made safe, one line) after `head` to `width`
/// columns: breaks at spaces, continues under the text's first column (a
/// hanging indent), and breaks a word only when it alone is wider than the
/// room. Returns the lines, joined with newlines, without a final one.
/// Linear in the text's length. With no width, or too little room beside
/// `head`, the text follows `head` unbroken.
pub fn wrap(head: &str, text: &str, width: Option<usize>) -> String {
    let indent = columns(head);
    let room = match width {
        Some(w) if w >= indent + 10 => w - indent,
        _ => return format!("{head}{text}"),
    };
    let pad = " ".repeat(indent);
    let mut out = String::with_capacity(head.len() + text.len() + text.len() / room * (indent + 1));
    out.push_str(head);
    let mut used = 0; // columns taken on the current line
    let mut gap = 0; // spaces before the next word
    for word in text.split(' ') {
        if word.is_empty() {
            gap += 1;
            continue;
        }
        let gap = std::mem::replace(&mut gap, 1);
        let mut len = columns(word);
        // A word wider than any line starts where it is, when there is room.
        if used > 0 && (used + gap + len <= room || (len > room && used + gap + 1 < room)) {
            out.extend(std::iter::repeat_n(' ', gap));
            used += gap;
        } else if used > 0 {
            out.push('\n');
            out.push_str(&pad);
            used = 0;
        }
        let mut word = word;
        while len > room - used {
            // Wider than the line: fill the line, go on below. Each part
            // is scanned once, so this stays linear.
            let (mut at, mut taken) = (0, 0);
            for (i, c) in word.char_indices() {
                let w = columns(c.encode_utf8(&mut [0; 4]));
                if taken + w > room - used {
                    break;
                }
                taken += w;
                at = i + c.len_utf8();
            }
            out.push_str(&word[..at]);
            out.push('\n');
            out.push_str(&pad);
            used = 0;
            word = &word[at..];
            len -= taken;
        }
        out.push_str(word);
        used += len;
    }
    out
}

/// How many terminal columns `text` takes: wide (CJK, emoji) characters
/// take two, combining marks none.
pub fn columns(text: &str) -> usize {
    dialoguer::console::measure_text_width(text)
}

/// The one door for talk on stderr (messages, warnings, errors): every
/// line goes through [`safe`], so stored or typed text inside a message
/// cannot move the cursor, retitle the terminal or reorder what is shown,
/// whoever built the message. Line breaks stay; a closed stderr is ignored.
pub fn to_stderr(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{}", safe(message));
}

/// Trims user text and rejects it when nothing is left.
pub fn non_blank(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// A name given as an option (a service, a person, a channel): trimmed and
/// never blank. A clap value parser, so `--service ''` is refused where it
/// is typed.
pub fn name_arg(text: &str) -> Result<String, String> {
    non_blank(text).ok_or_else(|| "it is empty; give a name".to_string())
}

/// A link given as an option (`change --link`, `action link`'s URL):
/// trimmed and never blank, and refused when it holds a control character
/// (C0, DEL, C1) or a bidirectional control. Other text with them is kept
/// and shown escaped; a link is refused instead, because it is followed: one
/// that shows other than it reads would send a reader elsewhere.
pub fn link_arg(text: &str) -> Result<String, String> {
    let link = non_blank(text)
        .ok_or_else(|| "it is empty; give the address, e.g. https://tracker.example/OPS-12".to_string())?;
    match link.chars().find(|c| needs_escape(*c)) {
        None => Ok(link),
        Some(c) => Err(format!(
            "it has {} (U+{:04X}), so it would not show as it is; give the address as plain text",
            if c.is_control() {
                "a control character"
            } else {
                "a bidirectional control"
            },
            c as u32
        )),
    }
}

/// A tag given as an option: `key=value` (see `domain::plans::parse_tag`).
pub fn tag_arg(text: &str) -> Result<(String, String), String> {
    crate::domain::plans::parse_tag(text)
}

/// Trims, drops blanks and repeats, keeping the order given.
pub fn clean_list(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items.iter().filter_map(|s| non_blank(s)) {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_untouched_and_not_copied() {
        assert!(matches!(safe("Checkout returns 500s"), Cow::Borrowed(_)));
        assert_eq!(safe("déjà vu — ünïcode ✓"), "déjà vu — ünïcode ✓");
    }

    #[test]
    fn escape_sequences_cannot_reach_the_terminal() {
        let title = "\u{1b}[2J\u{1b}]0;pwned\u{7}Checkout";
        let shown = safe(title);
        assert!(!shown.contains('\u{1b}') && !shown.contains('\u{7}'));
        assert_eq!(shown, "\\u{1b}[2J\\u{1b}]0;pwned\\u{7}Checkout");
        assert_eq!(safe("a\u{9b}b\u{7f}c\0d"), "a\\u{9b}b\\u{7f}c\\u{0}d");
        assert_eq!(safe("a\rb"), "a\\u{d}b");
    }

    #[test]
    fn bidi_overrides_are_escaped() {
        assert_eq!(safe("abc\u{202E}fed"), "abc\\u{202e}fed");
    }

    #[test]
    fn newlines_survive_safe_but_not_one_line() {
        assert_eq!(safe("line one\nline two\tend"), "line one\nline two    end");
        assert_eq!(one_line("line one\r\nline two\n\n"), "line one ⏎ line two");
        assert_eq!(one_line("x\u{1b}y"), "x\\u{1b}y");
    }

    #[test]
    fn links_with_controls_or_bidi_controls_are_refused() {
        assert_eq!(link_arg(" https://t/x "), Ok("https://t/x".into()));
        for (bad, says) in [
            ("https://t/\u{202E}x", "a bidirectional control (U+202E)"),
            ("https://t/\u{2066}x", "a bidirectional control (U+2066)"),
            ("https://t/\u{9b}x", "a control character (U+009B)"),
            ("https://t/\u{1b}x", "a control character (U+001B)"),
        ] {
            assert!(link_arg(bad).unwrap_err().contains(says), "{bad:?}");
        }
        assert!(link_arg("  ").unwrap_err().contains("empty"));
    }

    #[test]
    fn non_blank_trims_and_rejects_blank() {
        assert_eq!(non_blank("  hi  "), Some("hi".into()));
        assert_eq!(non_blank(" \n\t "), None);
    }

    #[test]
    fn clean_list_trims_and_drops_blanks_and_repeats_in_order() {
        let given = [" b ", "a", "", "b", "  ", "c"].map(String::from).to_vec();
        assert_eq!(clean_list(given), ["b", "a", "c"]);
    }

    #[test]
    fn cut_keeps_short_text_and_marks_long_text() {
        assert!(matches!(cut("short"), Cow::Borrowed(_)));
        let long = "x".repeat(3 + SLACK + 1);
        let once = cut_at(&long, 3);
        assert_eq!(
            once,
            format!("xxx … [{} more characters; --json shows all]", SLACK + 1)
        );
        assert_eq!(cut_at(&once, 3), once, "cut once, never again");
        let short = "x".repeat(3 + SLACK);
        assert_eq!(cut_at(&short, 3), short);
    }

    #[test]
    fn wrap_breaks_at_spaces_with_a_hanging_indent() {
        let text = "the quick brown fox jumps over the lazy dog again";
        assert_eq!(
            wrap("  title  ", text, Some(30)),
            "  title  the quick brown fox\n         jumps over the lazy\n         dog again"
        );
        assert_eq!(wrap("x ", text, None), format!("x {text}"));
        for line in wrap("  title  ", text, Some(30)).lines() {
            assert!(line.chars().count() <= 30, "{line}");
        }
    }

    #[test]
    fn wrap_keeps_runs_of_spaces_within_a_line() {
        assert_eq!(wrap("", "A-1  INC-1  open", Some(40)), "A-1  INC-1  open");
        assert_eq!(wrap("", "A-1  INC-1  open", Some(12)), "A-1  INC-1\nopen");
    }

    #[test]
    fn wrap_breaks_a_word_wider_than_the_line() {
        let blob = "a".repeat(45);
        let shown = wrap("ab ", &format!("x {blob} y"), Some(23));
        assert_eq!(
            shown,
            format!(
                "ab x {}\n   {}\n   {} y",
                "a".repeat(18),
                "a".repeat(20),
                "a".repeat(7)
            )
        );
        assert!(shown.lines().all(|l| l.chars().count() <= 23));
    }

    #[test]
    fn wrap_counts_wide_characters_as_two_columns() {
        let text = "障害 発生中 ".repeat(6) + &"漢".repeat(30);
        let shown = wrap("  ", &text, Some(20));
        for line in shown.lines() {
            assert!(columns(line) <= 20, "{line:?} is {} wide", columns(line));
        }
        assert_eq!(shown.replace(['\n', ' '], ""), text.replace(' ', ""));
    }

    #[test]
    fn wrap_is_linear() {
        let blob = "b".repeat(1 << 20);
        let started = std::time::Instant::now();
        let shown = wrap("  ", &blob, Some(30));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(shown.lines().count(), (1 << 20) / 28 + 1);
    }
}
