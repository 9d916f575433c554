//! `assess`'s answers file (examples/assess-answers.toml): the six impact
//! questions, the CIA checklist and the severity, under the question keys;
//! and the [`Draft`] it fills, which the flags and the walk in a terminal
//! fill further.

use crate::config::{Config, toml_error, toml_located};
use crate::domain::triage::{
    Answers, CUSTOMERS, Customers, Factor, IMPACT, Question, SEES, normalize_checks, normalize_factors,
};
use crate::error::usage;
use crate::text::non_blank;
use crate::time;
use anyhow::Result;
use chrono::{DateTime, Local, Utc};
use serde::Deserialize;
use std::path::Path;
use toml::Spanned;

/// Answers collected so far, each already validated; `None` is unanswered.
#[derive(Debug, Default)]
pub struct Draft {
    pub impact: Option<String>,
    pub sees: Option<String>,
    pub customers: Option<Customers>,
    pub started_at: Option<DateTime<Utc>>,
    pub tickets: Option<u32>,
    pub factors: Option<Vec<Factor>>,
    pub checked: Option<Vec<&'static str>>,
    pub severity: Option<String>,
}

impl Draft {
    /// The required questions nobody answered. The rest have defaults:
    /// started_at the incident's start (or now), tickets 0, no factors, no
    /// checklist items.
    pub fn missing(&self) -> Vec<&'static Question> {
        let mut out = Vec::new();
        if self.impact.is_none() {
            out.push(&IMPACT);
        }
        if self.sees.is_none() {
            out.push(&SEES);
        }
        if self.customers.is_none() {
            out.push(&CUSTOMERS);
        }
        out
    }

    /// The answers, with defaults for what is optional. Call only when
    /// nothing is missing.
    pub fn complete(self, default_start: DateTime<Utc>) -> Answers {
        Answers {
            impact: self.impact.unwrap_or_default(),
            sees: self.sees.unwrap_or_default(),
            customers: self.customers.unwrap_or(Customers::Unknown),
            started_at: self.started_at.unwrap_or(default_start),
            tickets: self.tickets.unwrap_or(0),
            factors: self.factors.unwrap_or_default(),
            checked: self.checked.unwrap_or_default(),
        }
    }

    /// Reads the answers file at `path`.
    pub fn read(path: &Path, now: DateTime<Utc>, config: &Config) -> Result<Draft> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            usage(format!(
                "cannot read answers file {}: {e}; check the path given to --answers",
                path.display()
            ))
        })?;
        Draft::parse(&text, path, now, config)
    }

    /// Parses and checks an answers file's text (`path` names it in
    /// errors). Pure: public for the fuzz target.
    pub fn parse(text: &str, path: &Path, now: DateTime<Utc>, config: &Config) -> Result<Draft> {
        let text = text.to_string();
        let file: AnswersFile =
            toml::from_str(&text).map_err(|e| toml_error("answers file", path, &text, &e))?;
        let at = |span: std::ops::Range<usize>, key: &str, message: String| {
            toml_located(
                "answers file",
                path,
                &text,
                Some(span),
                &format!("{key}: {message}"),
            )
        };
        let mut draft = Draft::default();
        if let Some(s) = file.impact {
            draft.impact = Some(check_text(&IMPACT, s.get_ref()).map_err(|e| at(s.span(), "impact", e))?);
        }
        if let Some(s) = file.sees {
            draft.sees = Some(check_text(&SEES, s.get_ref()).map_err(|e| at(s.span(), "sees", e))?);
        }
        if let Some(s) = file.customers {
            draft.customers = Some(s.get_ref().parse().map_err(|e| at(s.span(), "customers", e))?);
        }
        if let Some(s) = file.started_at {
            let t = time::parse_past(s.get_ref(), now, &Local).map_err(|e| {
                let why = match e {
                    time::NotPast::Invalid(e) => e.to_string(),
                    time::NotPast::Future(_) => "is in the future; give a time that has passed".into(),
                };
                at(s.span(), "started_at", why)
            })?;
            draft.started_at = Some(t);
        }
        if let Some(s) = file.tickets {
            let n = u32::try_from(*s.get_ref()).map_err(|_| {
                at(
                    s.span(),
                    "tickets",
                    format!("{} is not a number of tickets; give 0 or more", s.get_ref()),
                )
            })?;
            draft.tickets = Some(n);
        }
        if let Some(s) = file.factors {
            let factors = s
                .get_ref()
                .iter()
                .map(|f| f.parse::<Factor>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| at(s.span(), "factors", e))?;
            draft.factors = Some(normalize_factors(&factors));
        }
        if let Some(s) = file.checked {
            draft.checked = Some(normalize_checks(s.get_ref()).map_err(|e| at(s.span(), "checked", e))?);
        }
        if let Some(s) = file.severity {
            config
                .level(s.get_ref())
                .map_err(|e| at(s.span(), "severity", e.to_string()))?;
            draft.severity = Some(s.into_inner());
        }
        Ok(draft)
    }
}

/// The answers file: the same answers as the flags, under the question keys.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswersFile {
    impact: Option<Spanned<String>>,
    sees: Option<Spanned<String>>,
    customers: Option<Spanned<String>>,
    started_at: Option<Spanned<String>>,
    tickets: Option<Spanned<i64>>,
    factors: Option<Spanned<Vec<String>>>,
    checked: Option<Spanned<Vec<String>>>,
    severity: Option<Spanned<String>>,
}

/// A free-text answer: anything but blank.
pub fn check_text(q: &Question, text: &str) -> Result<String, String> {
    non_blank(text).ok_or_else(|| format!("{} is empty; answer \"{}\"", flag(q), q.text))
}

/// The option that answers an impact question on the command line.
pub fn flag(q: &Question) -> &'static str {
    match q.key {
        "impact" => "--impact",
        "sees" => "--sees",
        "customers" => "--customers",
        "started_at" => "--started-at",
        "tickets" => "--tickets",
        _ => "--factor",
    }
}
