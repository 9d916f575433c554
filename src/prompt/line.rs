//! The line being edited in a free-text prompt, and what each key does to
//! it: the readline keys people reach for (Home/End, Ctrl-A/E, Delete,
//! Ctrl-U/K/W, Alt-B/F, arrows). Pure, so every key is unit-tested; the
//! prompt draws it.

/// What a key asks the prompt to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The text or the cursor changed (or nothing did): draw and read on.
    Edit,
    /// Enter: the answer is given.
    Submit,
    /// Esc or Ctrl-C: back out.
    Cancel,
}

/// A key, as the prompt reads it from the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Enter,
    Escape,
    CtrlC,
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
    /// Ctrl-U: delete back to the start.
    KillToStart,
    /// Ctrl-K: delete to the end.
    KillToEnd,
    /// Ctrl-W (and Alt-Backspace): delete the word before the cursor.
    KillWordBack,
    /// Alt-B, Ctrl-Left: back a word.
    WordLeft,
    /// Alt-F, Ctrl-Right: forward a word.
    WordRight,
    /// Anything else: ignored.
    Other,
}

/// The text, as chars, and the cursor's index in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line {
    chars: Vec<char>,
    cursor: usize,
    /// Filled in and not touched yet: typing replaces it, as in a form
    /// field whose default is selected; any other key edits it instead.
    fresh: bool,
}

impl Line {
    /// The line holding `text`, the cursor at its end.
    pub fn new(text: &str) -> Line {
        let chars: Vec<char> = text.chars().collect();
        let cursor = chars.len();
        Line {
            chars,
            cursor,
            fresh: false,
        }
    }

    /// A filled-in answer: Enter keeps it, typing replaces it, the editing
    /// keys change it.
    pub fn prefilled(text: &str) -> Line {
        Line {
            fresh: !text.is_empty(),
            ..Line::new(text)
        }
    }

    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    /// The text before the cursor.
    pub fn before_cursor(&self) -> String {
        self.chars[..self.cursor].iter().collect()
    }

    pub fn apply(&mut self, key: Key) -> Outcome {
        if std::mem::take(&mut self.fresh)
            && let Key::Char(ch) = key
            && !ch.is_control()
        {
            self.chars.clear();
            self.cursor = 0;
        }
        let c = &mut self.chars;
        let at = &mut self.cursor;
        match key {
            Key::Enter => return Outcome::Submit,
            Key::Escape | Key::CtrlC => return Outcome::Cancel,
            // Tabs and other control characters would corrupt the display
            // and the record: typed text is printable.
            Key::Char(ch) if !ch.is_control() => {
                c.insert(*at, ch);
                *at += 1;
            }
            Key::Char(_) | Key::Other => {}
            Key::Backspace if *at > 0 => {
                *at -= 1;
                c.remove(*at);
            }
            Key::Delete if *at < c.len() => {
                c.remove(*at);
            }
            Key::Backspace | Key::Delete => {}
            Key::Left => *at = at.saturating_sub(1),
            Key::Right => *at = (*at + 1).min(c.len()),
            Key::Home => *at = 0,
            Key::End => *at = c.len(),
            Key::KillToStart => {
                c.drain(..*at);
                *at = 0;
            }
            Key::KillToEnd => c.truncate(*at),
            Key::KillWordBack => {
                let start = word_start(c, *at);
                c.drain(start..*at);
                *at = start;
            }
            Key::WordLeft => *at = word_start(c, *at),
            Key::WordRight => {
                let mut i = *at;
                while i < c.len() && c[i].is_whitespace() {
                    i += 1;
                }
                while i < c.len() && !c[i].is_whitespace() {
                    i += 1;
                }
                *at = i;
            }
        }
        Outcome::Edit
    }
}

/// Where the word before `at` starts (spaces before the cursor skipped).
fn word_start(c: &[char], at: usize) -> usize {
    let mut i = at;
    while i > 0 && c[i - 1].is_whitespace() {
        i -= 1;
    }
    while i > 0 && !c[i - 1].is_whitespace() {
        i -= 1;
    }
    i
}

/// The terminal's key, as the editor understands it.
pub fn from_console(key: &dialoguer::console::Key) -> Key {
    use dialoguer::console::Key as K;
    match key {
        K::Enter => Key::Enter,
        K::Escape => Key::Escape,
        K::CtrlC => Key::CtrlC,
        K::Backspace => Key::Backspace,
        K::Del => Key::Delete,
        K::ArrowLeft => Key::Left,
        K::ArrowRight => Key::Right,
        // console reads Ctrl-A and Ctrl-E as Home and End itself.
        K::Home => Key::Home,
        K::End => Key::End,
        K::Char('\x02') => Key::Left,         // Ctrl-B
        K::Char('\x06') => Key::Right,        // Ctrl-F
        K::Char('\x04') => Key::Delete,       // Ctrl-D
        K::Char('\x15') => Key::KillToStart,  // Ctrl-U
        K::Char('\x0b') => Key::KillToEnd,    // Ctrl-K
        K::Char('\x17') => Key::KillWordBack, // Ctrl-W
        K::Char(ch) => Key::Char(*ch),
        K::UnknownEscSeq(seq) => match seq.as_slice() {
            ['b'] => Key::WordLeft,
            ['f'] => Key::WordRight,
            ['\x7f'] => Key::KillWordBack,
            // xterm's Ctrl-Left and Ctrl-Right: ESC [ 1 ; 5 D/C, of which
            // console hands over the first three.
            _ => Key::Other,
        },
        _ => Key::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(start: &str, keys: &[Key]) -> (String, String) {
        let mut line = Line::new(start);
        for k in keys {
            assert_eq!(line.apply(*k), Outcome::Edit, "{k:?}");
        }
        (line.before_cursor(), line.text())
    }

    #[test]
    fn home_end_and_arrows_move_the_cursor() {
        assert_eq!(
            typed("abc", &[Key::Home, Key::Char('x')]),
            ("x".into(), "xabc".into())
        );
        assert_eq!(
            typed("abc", &[Key::Home, Key::End, Key::Char('x')]),
            ("abcx".into(), "abcx".into())
        );
        assert_eq!(
            typed("abc", &[Key::Left, Key::Left, Key::Char('x')]),
            ("ax".into(), "axbc".into())
        );
        assert_eq!(typed("", &[Key::Left, Key::Right]), ("".into(), "".into()));
    }

    #[test]
    fn delete_backspace_and_the_kill_keys() {
        assert_eq!(typed("abc", &[Key::Home, Key::Delete]).1, "bc");
        assert_eq!(typed("abc", &[Key::Delete]).1, "abc");
        assert_eq!(typed("abc", &[Key::Backspace]).1, "ab");
        assert_eq!(typed("abc", &[Key::Home, Key::Backspace]).1, "abc");
        assert_eq!(typed("abc def", &[Key::Left, Key::KillToStart]).1, "f");
        assert_eq!(typed("abc def", &[Key::Home, Key::Right, Key::KillToEnd]).1, "a");
        assert_eq!(typed("rolled back  ", &[Key::KillWordBack]).1, "rolled ");
        assert_eq!(typed("one two", &[Key::KillWordBack, Key::KillWordBack]).1, "");
    }

    #[test]
    fn words_and_unicode() {
        assert_eq!(typed("ab cd ef", &[Key::WordLeft]).0, "ab cd ");
        assert_eq!(typed("ab cd ef", &[Key::Home, Key::WordRight]).0, "ab");
        assert_eq!(
            typed("café", &[Key::Left, Key::Backspace, Key::Char('ƒ')]),
            ("caƒ".into(), "caƒé".into())
        );
        assert_eq!(typed("a", &[Key::Char('\t'), Key::Char('\x1b')]).1, "a");
    }

    #[test]
    fn typing_replaces_a_filled_in_answer_and_editing_keys_edit_it() {
        let typed_over = |keys: &[Key]| {
            let mut line = Line::prefilled("now");
            for k in keys {
                line.apply(*k);
            }
            line.text()
        };
        assert_eq!(typed_over(&[Key::Char('0'), Key::Char('8')]), "08");
        assert_eq!(typed_over(&[Key::Backspace, Key::Char('t')]), "not");
        assert_eq!(typed_over(&[Key::Home, Key::Char('x')]), "xnow");
        assert_eq!(typed_over(&[]), "now");
    }

    #[test]
    fn enter_submits_and_escape_or_ctrl_c_cancel() {
        let mut line = Line::new("x");
        assert_eq!(line.apply(Key::Enter), Outcome::Submit);
        assert_eq!(line.apply(Key::Escape), Outcome::Cancel);
        assert_eq!(line.apply(Key::CtrlC), Outcome::Cancel);
        assert_eq!(
            from_console(&dialoguer::console::Key::Char('\x15')),
            Key::KillToStart
        );
        assert_eq!(
            from_console(&dialoguer::console::Key::Char('\x17')),
            Key::KillWordBack
        );
        assert_eq!(from_console(&dialoguer::console::Key::Home), Key::Home);
    }
}
