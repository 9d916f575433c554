//! The thin layer over dialoguer. It only asks; what the answers mean and
//! whether they are valid is decided by the caller's validators, the same
//! functions that check flags and answer files.
//!
//! Esc (or `q`) in a choice returns [`Cancelled`]; Ctrl-C is turned into
//! SIGINT by the terminal layer, which ends the process before anything is
//! written.

use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Input, MultiSelect, Select};
use std::io::IsTerminal;

/// The person backed out of a prompt; nothing was recorded.
#[derive(Debug, thiserror::Error)]
#[error("cancelled; nothing was recorded")]
pub struct Cancelled;

/// Whether there is a person at a terminal to ask: stdin to read from and
/// stderr, where prompts are drawn.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

pub struct Prompter {
    theme: Box<dyn Theme>,
}

impl Default for Prompter {
    fn default() -> Self {
        Self::new()
    }
}

impl Prompter {
    pub fn new() -> Self {
        let plain = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
            || std::env::var_os("TERM").is_none_or(|t| t == "dumb");
        let theme: Box<dyn Theme> = if plain {
            Box::new(SimpleTheme)
        } else {
            Box::new(ColorfulTheme::default())
        };
        Prompter { theme }
    }

    /// Free text, checked by `valid` before it is accepted.
    pub fn text<T>(
        &self,
        prompt: &str,
        default: Option<String>,
        valid: impl Fn(&str) -> Result<T, String>,
    ) -> anyhow::Result<T> {
        let mut input = Input::<String>::with_theme(&*self.theme).with_prompt(prompt);
        if let Some(d) = default {
            input = input.default(d);
        }
        let answer = input
            .validate_with(|s: &String| valid(s).map(|_| ()))
            .interact_text()?;
        valid(&answer).map_err(crate::error::usage)
    }

    /// One of `items`; returns its index.
    pub fn select(&self, prompt: &str, items: &[String], default: usize) -> anyhow::Result<usize> {
        Select::with_theme(&*self.theme)
            .with_prompt(prompt)
            .items(items)
            .default(default)
            .interact_opt()?
            .ok_or_else(|| Cancelled.into())
    }

    /// Any of `items`; returns their indexes.
    pub fn multi(&self, prompt: &str, items: &[String], ticked: &[bool]) -> anyhow::Result<Vec<usize>> {
        MultiSelect::with_theme(&*self.theme)
            .with_prompt(prompt)
            .items(items)
            .defaults(ticked)
            .interact_opt()?
            .ok_or_else(|| Cancelled.into())
    }
}
