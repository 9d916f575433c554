//! The thin layer over the terminal. It only asks; what the answers mean and
//! whether they are valid is decided by the caller's validators, the same
//! functions that check flags and answer files.
//!
//! Choices are dialoguer's, fitted to the terminal's width (dialoguer
//! clears what it drew by counting lines, so a wrapped line would be left
//! behind or drawn again). Free text is rustyline's line editor on the
//! terminal (/dev/tty, so stdout can be a pipe): the readline keys, answers
//! wider than the terminal, and a refused answer's reason drawn under it,
//! once, until the answer is edited; only the accepted answer stays.
//! On a terminal that cannot move its cursor (TERM=dumb) a plain line is
//! read, and a refused answer's reason printed before it is asked again.
//!
//! Esc, and Ctrl-C, in any prompt return [`Cancelled`] with the cursor shown
//! and the line finished; the caller says what was and was not recorded
//! and exits 130.

pub mod retro;

use crate::signals::{Catch, Signal};
use crate::text::{one_line, safe};
use dialoguer::console::{Term, measure_text_width, strip_ansi_codes};
use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Confirm, MultiSelect, Select};
use std::io::IsTerminal;

/// The person backed out of a prompt (Esc or Ctrl-C).
#[derive(Debug, thiserror::Error)]
#[error("cancelled; nothing was recorded")]
pub struct Cancelled;

/// The exit status after a cancelled prompt, as after SIGINT.
pub const CANCELLED_EXIT: u8 = 130;

/// Whether there is a person at a terminal to ask: stdin to read from and
/// stderr, where prompts are drawn.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

pub struct Prompter {
    theme: Box<dyn Theme>,
    term: Term,
    /// While the prompter lives, SIGINT is caught, not obeyed (unless the
    /// process inherited it ignored, when it stays ignored). dialoguer's choices read keys in raw mode and turn Ctrl-C into
    /// `raise(SIGINT)`, which would otherwise end the process at once with
    /// the cursor hidden; caught, the read fails and the prompt returns
    /// [`Cancelled`] like Esc. A Ctrl-C typed between two prompts (while an
    /// answer is saved) cancels the next one instead of killing the process
    /// mid-write. `None` when it cannot be caught (no file descriptor left
    /// for it): Ctrl-C then ends the process as by default.
    sigint: Option<Catch>,
}

impl Default for Prompter {
    fn default() -> Self {
        Self::new()
    }
}

impl Prompter {
    pub fn new() -> Self {
        // Prompts are asked on a terminal (stderr), so only the settings decide.
        let plain = !crate::output::colour_on(true);
        let theme: Box<dyn Theme> = if plain {
            Box::new(SimpleTheme)
        } else {
            Box::new(ColorfulTheme::default())
        };
        Prompter {
            theme,
            term: Term::stderr(),
            sigint: Catch::new(&[Signal::SIGINT]).ok(),
        }
    }

    /// Cancelled already: Ctrl-C was pressed since the last prompt.
    fn interrupted(&self) -> bool {
        self.sigint.as_ref().is_some_and(Catch::clear)
    }

    /// Runs a dialoguer prompt; Esc (`None`) and Ctrl-C become
    /// [`Cancelled`], after the cursor is shown and the line finished.
    fn choose<T>(&self, ask: impl FnOnce() -> dialoguer::Result<Option<T>>) -> anyhow::Result<T> {
        if self.interrupted() {
            return Err(self.cancelled());
        }
        let answer = ask();
        let interrupted = self.interrupted();
        match answer {
            Ok(Some(answer)) if !interrupted => Ok(answer),
            Ok(_) => Err(self.cancelled()),
            Err(dialoguer::Error::IO(e)) if interrupted || e.kind() == std::io::ErrorKind::Interrupted => {
                Err(self.cancelled())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Shows the cursor and ends the line the prompt was on.
    fn cancelled(&self) -> anyhow::Error {
        let _ = self.term.show_cursor();
        let _ = self.term.write_line("");
        Cancelled.into()
    }

    /// An answer (a time, a number, a name, a sentence), checked by `valid`
    /// before it is accepted. `default` is filled in: Enter keeps it,
    /// typing replaces it, the editing keys (arrows, Home, End, Backspace)
    /// change it. A refused answer stays to be edited, its reason under it.
    pub fn text<T>(
        &self,
        prompt: &str,
        default: Option<&str>,
        valid: impl Fn(&str) -> Result<T, String>,
    ) -> anyhow::Result<T> {
        let check = |answer: &str| valid(answer).err();
        let answer = self.edit(prompt, default.unwrap_or_default(), true, &check)?;
        // Accepted by the editor, so valid.
        valid(&answer).map_err(crate::error::usage)
    }

    /// Prose that may be empty (the retrospective's "empty to go on"),
    /// trimmed; `initial` is filled in to edit.
    pub fn line(&self, prompt: &str, initial: Option<&str>) -> anyhow::Result<String> {
        Ok(self
            .edit(prompt, initial.unwrap_or_default(), false, &|_| None)?
            .trim()
            .to_string())
    }

    /// Reads one line, refused until `check` finds nothing wrong, then
    /// leaves the prompt and the answer on screen as dialoguer's prompts do.
    fn edit(
        &self,
        prompt: &str,
        initial: &str,
        replace: bool,
        check: &dyn Fn(&str) -> Option<String>,
    ) -> anyhow::Result<String> {
        if self.interrupted() {
            return Err(self.cancelled());
        }
        let prompt = one_line(prompt);
        let mut head = String::new();
        self.theme.format_input_prompt(&mut head, &prompt, None)?;
        let reason = |message: String| {
            let mut shown = String::new();
            let _ = self.theme.format_error(&mut shown, &one_line(&message));
            shown
        };
        let (answer, left) = if editable_terminal() {
            self.edit_line(&head, initial, replace, check, &reason)?
        } else {
            (self.plain_line(&prompt, initial, check, &reason)?, String::new())
        };
        if let Some(done) = self.done_line(&prompt, &left, &answer)? {
            self.term.write_line(&done)?;
        }
        Ok(answer)
    }

    /// rustyline on the terminal: Enter runs `check`, whose reason is drawn
    /// under the answer until the next key; Esc, Ctrl-C and Ctrl-D on an
    /// empty line back out, as does a terminal that is gone.
    fn edit_line(
        &self,
        head: &str,
        initial: &str,
        replace: bool,
        check: &dyn Fn(&str) -> Option<String>,
        reason: &dyn Fn(String) -> String,
    ) -> anyhow::Result<(String, String)> {
        use rustyline::config::{Behavior, Config};
        use rustyline::{Cmd, Editor, EventHandler, KeyCode, KeyEvent, Modifiers};
        let config = Config::builder()
            .behavior(Behavior::PreferTerm)
            .auto_add_history(false)
            // A lone Esc is Esc, not the start of a key's sequence.
            .keyseq_timeout(Some(50))
            .build();
        // A filled-in answer to replace is offered as a hint after the
        // prompt: typing replaces it, Enter keeps it, End or an arrow
        // takes it to edit. One to edit is the line itself.
        let fresh = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(replace && !initial.is_empty()));
        let offered = shown(initial);
        let helper = Editing {
            check,
            reason,
            fresh: fresh.clone(),
            offered: offered.clone(),
        };
        let mut editor: Editor<Editing<'_>, rustyline::history::DefaultHistory> =
            Editor::with_config(config)?;
        editor.set_helper(Some(helper));
        editor.bind_sequence(KeyEvent(KeyCode::Esc, Modifiers::NONE), Cmd::Interrupt);
        editor.bind_sequence(
            rustyline::Event::Any,
            EventHandler::Conditional(Box::new(Offered {
                fresh: fresh.clone(),
                offered: offered.clone(),
            })),
        );
        let start = if fresh.load(std::sync::atomic::Ordering::Relaxed) {
            ""
        } else {
            offered.as_str()
        };
        match editor.readline_with_initial(head, (start, "")) {
            Ok(answer) if answer.is_empty() && fresh.load(std::sync::atomic::Ordering::Relaxed) => {
                Ok((initial.to_string(), head.to_string()))
            }
            Ok(answer) => {
                let left = format!("{head}{}", shown(&answer));
                Ok((answer, left))
            }
            Err(rustyline::error::ReadlineError::Interrupted | rustyline::error::ReadlineError::Eof) => {
                Err(self.cancelled())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A terminal that cannot move its cursor: the prompt, a line read as
    /// typed, and a refused answer's reason before it is asked again.
    /// An answer filled in is shown in brackets, and Enter keeps it.
    fn plain_line(
        &self,
        prompt: &str,
        initial: &str,
        check: &dyn Fn(&str) -> Option<String>,
        reason: &dyn Fn(String) -> String,
    ) -> anyhow::Result<String> {
        let mut head = String::new();
        let offered = shown(initial);
        self.theme.format_input_prompt(
            &mut head,
            prompt,
            Some(offered.as_str()).filter(|o| !o.is_empty()),
        )?;
        loop {
            self.term.write_str(&head)?;
            let mut answer = self.plain_read()?;
            if answer.is_empty() {
                answer = initial.to_string();
            }
            match check(&answer) {
                None => return Ok(answer),
                Some(message) => self.term.write_line(&reason(message))?,
            }
        }
    }

    /// Characters as typed, Backspace taking the last back, up to Enter;
    /// Esc and Ctrl-C cancel. No cursor movement: the terminal has none.
    fn plain_read(&self) -> anyhow::Result<String> {
        use dialoguer::console::Key;
        let mut answer = String::new();
        loop {
            let key = match self.term.read_key() {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Key::CtrlC,
                key => key?,
            };
            match key {
                Key::Enter => {
                    self.term.write_line("")?;
                    return Ok(answer);
                }
                Key::Escape | Key::CtrlC => return Err(self.cancelled()),
                Key::Backspace if answer.pop().is_some() => self.term.write_str("\x08 \x08")?,
                Key::Char(c) if !c.is_control() => {
                    answer.push(c);
                    self.term.write_str(&shown(c.encode_utf8(&mut [0; 4])))?;
                }
                _ => {}
            }
            if self.interrupted() {
                return Err(self.cancelled());
            }
        }
    }

    /// The answered prompt in the theme's words ("✔ prompt · answer"), to
    /// replace what the editor left; `None` when that reads the same.
    fn done_line(&self, prompt: &str, left: &str, answer: &str) -> anyhow::Result<Option<String>> {
        let mut done = String::new();
        self.theme
            .format_input_prompt_selection(&mut done, prompt, &one_line(answer.trim()))?;
        if strip_ansi_codes(&done).trim_end() == strip_ansi_codes(left).trim_end() || !editable_terminal() {
            return Ok(None);
        }
        // The editor left the cursor on the row below what it drew.
        let cols = self.width().max(1) as usize;
        let rows = measure_text_width(left).div_ceil(cols).max(1);
        self.term.write_str(&format!("\x1b[{rows}A\r\x1b[J"))?;
        Ok(Some(done))
    }

    /// One of `items`; returns its index.
    pub fn select(&self, prompt: &str, items: &[String], default: usize) -> anyhow::Result<usize> {
        let items: Vec<String> = items.iter().map(|i| self.fit_item(i)).collect();
        let prompt = self.fit_prompt(prompt, 0);
        self.choose(|| {
            Select::with_theme(&*self.theme)
                .with_prompt(&prompt)
                .items(&items)
                .default(default)
                .interact_on_opt(&self.term)
        })
    }

    /// Any of `items`; returns their indexes. The keys are shown while it
    /// is asked, not in the answer left on screen.
    pub fn multi(&self, prompt: &str, items: &[String], ticked: &[bool]) -> anyhow::Result<Vec<usize>> {
        let names: Vec<String> = items.iter().map(|i| one_line(i).into_owned()).collect();
        let shown: Vec<String> = items.iter().map(|i| self.fit_item(i)).collect();
        let prompt = one_line(prompt);
        const KEYS: &str = " (space ticks, enter confirms)";
        let asked = self.fit_prompt(&format!("{prompt}{KEYS}"), 0);
        let picked = self.choose(|| {
            MultiSelect::with_theme(&*self.theme)
                .with_prompt(&asked)
                .items(&shown)
                .defaults(ticked)
                .report(false)
                .interact_on_opt(&self.term)
        })?;
        let names: Vec<&str> = picked.iter().map(|i| names[*i].as_str()).collect();
        let mut done = String::new();
        self.theme
            .format_multi_select_prompt_selection(&mut done, &prompt, &names)?;
        self.term.write_line(&done)?;
        Ok(picked)
    }

    /// A question wrapped at spaces to the terminal's width, its lines
    /// broken where dialoguer can count them (it clears what it drew by
    /// its line breaks, not by the rows a long line wraps onto).
    fn fit_prompt(&self, prompt: &str, indent: usize) -> String {
        // The theme's marks around it ("? " and " ›") take four columns.
        fit(&one_line(prompt), self.width() as usize - 4, indent)
    }

    /// A choice, wrapped likewise, each line after the first under the
    /// first's text, past the cursor and the tick box ("> [x] ").
    fn fit_item(&self, item: &str) -> String {
        fit(&one_line(item), self.width() as usize - 6, 6)
    }

    /// Yes or no.
    pub fn confirm(&self, prompt: &str, default: bool) -> anyhow::Result<bool> {
        self.choose(|| {
            Confirm::with_theme(&*self.theme)
                .with_prompt(self.fit_prompt(prompt, 0))
                .default(default)
                .interact_on_opt(&self.term)
        })
    }

    /// Opens `$VISUAL` or `$EDITOR` on `text`; `None` when the editor was
    /// left without saving.
    pub fn editor(&self, text: &str) -> anyhow::Result<Option<String>> {
        Ok(dialoguer::Editor::new().edit(text)?)
    }

    /// A line of its own on the prompts' terminal.
    pub fn say(&self, text: &str) -> anyhow::Result<()> {
        Ok(self.term.write_line(&safe(text))?)
    }

    /// The prompts' terminal width, or a readable one when it reports none.
    pub fn width(&self) -> u16 {
        self.term
            .size_checked()
            .map(|(_, cols)| cols)
            .filter(|cols| *cols >= 20)
            .unwrap_or(100)
    }
}

/// Whether rustyline can edit a line on this terminal: one that moves
/// its cursor (its own test, TERM).
fn editable_terminal() -> bool {
    !matches!(std::env::var("TERM").as_deref(), Ok("dumb" | "cons25" | "emacs"))
}

/// What the editor needs of the prompt: the check run on Enter and the
/// reason it gives drawn in the theme, on the row under the answer; the
/// filled-in answer offered while nothing is typed.
struct Editing<'a> {
    check: &'a dyn Fn(&str) -> Option<String>,
    reason: &'a dyn Fn(String) -> String,
    /// Nothing typed yet over the offered answer.
    fresh: std::sync::Arc<std::sync::atomic::AtomicBool>,
    offered: String,
}

impl Editing<'_> {
    fn fresh(&self) -> bool {
        self.fresh.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl rustyline::validate::Validator for Editing<'_> {
    fn validate(
        &self,
        ctx: &mut rustyline::validate::ValidationContext,
    ) -> rustyline::Result<rustyline::validate::ValidationResult> {
        use rustyline::validate::ValidationResult;
        let input = match ctx.input() {
            "" if self.fresh() => self.offered.as_str(),
            input => input,
        };
        Ok(match (self.check)(input) {
            None => ValidationResult::Valid(None),
            Some(message) => ValidationResult::Invalid(Some(format!("\n{}", (self.reason)(message)))),
        })
    }
}

impl rustyline::hint::Hinter for Editing<'_> {
    type Hint = String;
    fn hint(&self, line: &str, _: usize, _: &rustyline::Context<'_>) -> Option<String> {
        (line.is_empty() && self.fresh()).then(|| self.offered.clone())
    }
}

impl rustyline::completion::Completer for Editing<'_> {
    type Candidate = String;
}
impl rustyline::highlight::Highlighter for Editing<'_> {}
impl rustyline::Helper for Editing<'_> {}

/// The keys on an offered answer: a character typed replaces it (the
/// default), Enter keeps it, End and Right take it to edit at its end,
/// Home at its start, Backspace less its last character; any other key
/// drops the offer.
struct Offered {
    fresh: std::sync::Arc<std::sync::atomic::AtomicBool>,
    offered: String,
}

impl rustyline::ConditionalEventHandler for Offered {
    fn handle(
        &self,
        event: &rustyline::Event,
        _: rustyline::RepeatCount,
        _: bool,
        ctx: &rustyline::EventContext,
    ) -> Option<rustyline::Cmd> {
        use rustyline::{Cmd, KeyCode as K, KeyEvent as E, Modifiers as M, Movement};
        use std::sync::atomic::Ordering::Relaxed;
        if !self.fresh.load(Relaxed) || !ctx.line().is_empty() {
            return None;
        }
        let key = event.get(0)?;
        if matches!(key, E(K::Enter, _)) {
            return None;
        }
        self.fresh.store(false, Relaxed);
        let all = self.offered.clone();
        match key {
            E(K::End | K::Right, _) | E(K::Char('E' | 'F'), M::CTRL) => Some(Cmd::Insert(1, all)),
            E(K::Home, _) | E(K::Char('A'), M::CTRL) => Some(Cmd::Replace(Movement::WholeBuffer, Some(all))),
            E(K::Backspace, _) => {
                let mut less = all;
                less.pop();
                Some(Cmd::Insert(1, less))
            }
            _ => None,
        }
    }
}

/// `text` in lines of at most `room` columns, broken at spaces, each after
/// the first indented by `indent`.
fn fit(text: &str, room: usize, indent: usize) -> String {
    let wrapped = crate::text::wrap("", text, Some(room.max(10)));
    wrapped.replace('\n', &format!("\n{}", " ".repeat(indent)))
}

/// The line being edited as the terminal shows it: escaped like every
/// other text, its line breaks as ⏎ (one row of the editor).
fn shown(text: &str) -> String {
    safe(text).replace('\n', "⏎")
}
