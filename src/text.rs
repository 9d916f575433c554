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

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        // Bidi embedding/override/isolate controls ("trojan source").
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn escape(c: char) -> String {
    format!("\\u{{{:x}}}", c as u32)
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
    fn non_blank_trims_and_rejects_blank() {
        assert_eq!(non_blank("  hi  "), Some("hi".into()));
        assert_eq!(non_blank(" \n\t "), None);
    }

    #[test]
    fn clean_list_trims_and_drops_blanks_and_repeats_in_order() {
        let given = [" b ", "a", "", "b", "  ", "c"].map(String::from).to_vec();
        assert_eq!(clean_list(given), ["b", "a", "c"]);
    }
}
