//! The thin layer over the terminal. It only asks; what the answers mean and
//! whether they are valid is decided by the caller's validators, the same
//! functions that check flags and answer files.
//!
//! Choices are dialoguer's; free text is this module's own line editor
//! ([`line`]) on dialoguer's terminal (console), drawn in the same theme, with
//! the readline keys and answers longer than the terminal is wide.
//!
//! Esc, and Ctrl-C, in any prompt return [`Cancelled`] with the cursor shown
//! and the line finished; the caller says what was and was not recorded
//! and exits 130.

pub mod line;
pub mod retro;

use crate::signals::{Catch, Signal};
use crate::text::{one_line, safe};
use dialoguer::console::{Term, measure_text_width};
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
    /// change it. After a refused answer, the answer is filled in to edit.
    pub fn text<T>(
        &self,
        prompt: &str,
        default: Option<&str>,
        valid: impl Fn(&str) -> Result<T, String>,
    ) -> anyhow::Result<T> {
        let mut start = default.unwrap_or_default().to_string();
        let mut replace = true;
        loop {
            let answer = self.edit(prompt, &start, replace)?;
            match valid(&answer) {
                Ok(value) => return Ok(value),
                Err(message) => {
                    let mut shown = String::new();
                    let _ = self.theme.format_error(&mut shown, &message);
                    self.term.write_line(&safe(&shown))?;
                    start = answer;
                    replace = false;
                }
            }
        }
    }

    /// Prose that may be empty (the retrospective's "empty to go on"),
    /// trimmed; `initial` is filled in to edit.
    pub fn line(&self, prompt: &str, initial: Option<&str>) -> anyhow::Result<String> {
        Ok(self
            .edit(prompt, initial.unwrap_or_default(), false)?
            .trim()
            .to_string())
    }

    /// Reads one line with the editor, then leaves the prompt and the
    /// answer on screen as dialoguer's prompts do.
    fn edit(&self, prompt: &str, initial: &str, replace: bool) -> anyhow::Result<String> {
        if self.interrupted() {
            return Err(self.cancelled());
        }
        let mut head = String::new();
        self.theme
            .format_input_prompt(&mut head, &one_line(prompt), None)?;
        let mut line = if replace {
            line::Line::prefilled(initial)
        } else {
            line::Line::new(initial)
        };
        let mut screen = Screen::new(&self.term);
        screen.draw(&head, &line)?;
        loop {
            let key = match self.term.read_key_raw() {
                Ok(key) => key,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => dialoguer::console::Key::CtrlC,
                Err(e) => return Err(e.into()),
            };
            match line.apply(line::from_console(&key)) {
                line::Outcome::Edit => screen.draw(&head, &line)?,
                line::Outcome::Submit => break,
                line::Outcome::Cancel => {
                    screen.finish(&head, &line)?;
                    return Err(self.cancelled());
                }
            }
        }
        let text = line.text();
        let mut done = String::new();
        self.theme
            .format_input_prompt_selection(&mut done, &one_line(prompt), &one_line(text.trim()))?;
        screen.clear()?;
        self.term.write_line(&done)?;
        Ok(text)
    }

    /// One of `items`; returns its index.
    pub fn select(&self, prompt: &str, items: &[String], default: usize) -> anyhow::Result<usize> {
        let items: Vec<String> = items.iter().map(|i| one_line(i).into_owned()).collect();
        self.choose(|| {
            Select::with_theme(&*self.theme)
                .with_prompt(one_line(prompt))
                .items(&items)
                .default(default)
                .interact_on_opt(&self.term)
        })
    }

    /// Any of `items`; returns their indexes. The keys are shown while it
    /// is asked, not in the answer left on screen.
    pub fn multi(&self, prompt: &str, items: &[String], ticked: &[bool]) -> anyhow::Result<Vec<usize>> {
        let items: Vec<String> = items.iter().map(|i| one_line(i).into_owned()).collect();
        let prompt = one_line(prompt);
        let picked = self.choose(|| {
            MultiSelect::with_theme(&*self.theme)
                .with_prompt(format!("{prompt} (space ticks, enter confirms)"))
                .items(&items)
                .defaults(ticked)
                .report(false)
                .interact_on_opt(&self.term)
        })?;
        let names: Vec<&str> = picked.iter().map(|i| items[*i].as_str()).collect();
        let mut done = String::new();
        self.theme
            .format_multi_select_prompt_selection(&mut done, &prompt, &names)?;
        self.term.write_line(&done)?;
        Ok(picked)
    }

    /// Yes or no.
    pub fn confirm(&self, prompt: &str, default: bool) -> anyhow::Result<bool> {
        self.choose(|| {
            Confirm::with_theme(&*self.theme)
                .with_prompt(one_line(prompt))
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

/// What the editor has drawn: how many terminal rows above the cursor it
/// reaches, so a redraw clears exactly that, however the text wraps.
struct Screen<'t> {
    term: &'t Term,
    rows_above: usize,
}

impl<'t> Screen<'t> {
    fn new(term: &'t Term) -> Screen<'t> {
        Screen { term, rows_above: 0 }
    }

    fn width(&self) -> usize {
        self.term
            .size_checked()
            .map(|(_, cols)| cols as usize)
            .filter(|cols| *cols > 0)
            .unwrap_or(80)
    }

    /// Back to the first row drawn, which is cleared with all below it.
    fn clear(&mut self) -> std::io::Result<()> {
        let mut out = String::new();
        if self.rows_above > 0 {
            out.push_str(&format!("\x1b[{}A", self.rows_above));
        }
        out.push_str("\r\x1b[J");
        self.rows_above = 0;
        self.term.write_str(&out)
    }

    fn draw(&mut self, head: &str, line: &line::Line) -> std::io::Result<()> {
        let cols = self.width();
        self.clear()?;
        // What is being edited may hold stored text (a pre-filled answer):
        // drawn escaped, and measured as drawn.
        let text = shown(&line.text());
        let total = measure_text_width(head) + measure_text_width(&text);
        let at = measure_text_width(head) + measure_text_width(&shown(&line.before_cursor()));
        let mut out = format!("{head}{text}");
        // A line that exactly fills the last row leaves the cursor past the
        // edge: start the next row so the arithmetic below holds.
        if total > 0 && total.is_multiple_of(cols) {
            out.push_str("\r\n");
        }
        let (end_row, at_row, at_col) = (total / cols, at / cols, at % cols);
        if end_row > at_row {
            out.push_str(&format!("\x1b[{}A", end_row - at_row));
        }
        out.push('\r');
        if at_col > 0 {
            out.push_str(&format!("\x1b[{at_col}C"));
        }
        self.rows_above = at_row;
        self.term.write_str(&out)?;
        self.term.flush()
    }

    /// Moves below the text, leaving it on screen.
    fn finish(&mut self, head: &str, line: &line::Line) -> std::io::Result<()> {
        let cols = self.width();
        let total = measure_text_width(head) + measure_text_width(&shown(&line.text()));
        let below = (total / cols).saturating_sub(self.rows_above);
        if below > 0 {
            self.term.write_str(&format!("\x1b[{below}B"))?;
        }
        self.rows_above = 0;
        Ok(())
    }
}

/// The line being edited as the terminal shows it: escaped like every
/// other text, its line breaks as ⏎ (one row of the editor).
fn shown(text: &str) -> String {
    safe(text).replace('\n', "⏎")
}
