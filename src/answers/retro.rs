//! The retrospective's answers file (README, "The retrospective";
//! examples/retro-answers.toml), which is also the format of its draft:
//! `retro --draft-out` writes what `retro --answers` reads, and the
//! interview saves its answers so far the same way.

use crate::domain::retro::{ActionKind, MAX_WHYS, NewAction, Retro, RetroPatch, parse_due};
use crate::error::usage;
use crate::text::non_blank;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::Path;

/// What the file holds. An answer left out is no answer: the recorded one
/// stays.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub whys: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_up: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contributing_factors: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub went_well: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub went_badly: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lucky: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionAnswer>,
}

impl Answers {
    /// Every answer of a recorded retrospective (no action items: those are
    /// recorded already).
    pub fn of(retro: &Retro) -> Answers {
        Answers {
            impact: retro.impact.clone(),
            whys: Some(retro.whys.clone()),
            root_cause: retro.root_cause.clone(),
            trigger: retro.trigger.clone(),
            lead_up: retro.lead_up.clone(),
            contributing_factors: Some(retro.contributing.clone()),
            went_well: Some(retro.went_well.clone()),
            went_badly: Some(retro.went_badly.clone()),
            lucky: Some(retro.lucky.clone()),
            actions: Vec::new(),
        }
    }

    /// As an answers file, with a comment that says how to give it back.
    pub fn to_file(&self, key: &str) -> Result<String> {
        Ok(format!(
            "# The retrospective of {key} as an answers file: edit it, then\n\
             # incident retro {key} --answers FILE\n{}",
            toml::to_string(self)?
        ))
    }

    /// A saved draft's answers, or why they cannot be read.
    pub fn from_draft(text: &str) -> Result<Answers, String> {
        toml::from_str(text).map_err(|e| e.message().to_string())
    }

    /// The changes these answers ask for, checked as a file's would be.
    pub fn check(&self, today: NaiveDate) -> Result<(RetroPatch, Vec<NewAction>)> {
        parse(&toml::to_string(self)?, today).map_err(usage)
    }
}

/// A new action item as the file gives it; [`parse`] checks it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ActionAnswer {
    pub text: String,
    pub owner: String,
    pub due: String,
    pub kind: String,
}

/// Reads the answers file at `path` (`-` is stdin) into the changes it asks
/// for.
pub fn read(path: &Path, today: NaiveDate) -> Result<(RetroPatch, Vec<NewAction>)> {
    let shown = path.display().to_string();
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the answers from stdin")?;
        text
    } else {
        std::fs::read_to_string(path).map_err(|e| usage(format!("cannot read answers file {shown}: {e}")))?
    };
    parse(&text, today).map_err(|e| usage(format!("answers file {shown}: {e}")))
}

/// Parses an answers file into the changes it asks for. Pure: public for
/// the fuzz target.
pub fn parse(text: &str, today: NaiveDate) -> Result<(RetroPatch, Vec<NewAction>), String> {
    let answers: Answers = toml::from_str(text).map_err(|e| {
        // toml's message spans lines (a source excerpt); the first says it.
        let message = e.message().to_string();
        match e.span() {
            Some(span) => format!("line {}: {message}", text[..span.start].matches('\n').count() + 1),
            None => message,
        }
    })?;
    if let Some(whys) = &answers.whys
        && whys.len() > MAX_WHYS
    {
        return Err(format!("whys: at most {MAX_WHYS} answers, got {}", whys.len()));
    }
    let mut actions = Vec::new();
    for (n, a) in answers.actions.iter().enumerate() {
        let at = |field: &str| format!("actions[{}].{field}", n + 1);
        let text = non_blank(&a.text).ok_or_else(|| format!("{} is empty", at("text")))?;
        let owner =
            non_blank(&a.owner).ok_or_else(|| format!("{} is empty; name who follows it up", at("owner")))?;
        let due = parse_due(&a.due, today).map_err(|e| format!("{}: {e}", at("due")))?;
        let kind: ActionKind = a.kind.parse().map_err(|e| format!("{}: {e}", at("kind")))?;
        actions.push(NewAction {
            text,
            owner,
            due,
            kind,
        });
    }
    let patch = RetroPatch {
        impact: answers.impact,
        whys: answers.whys,
        root_cause: answers.root_cause,
        trigger: answers.trigger,
        lead_up: answers.lead_up,
        contributing: answers.contributing_factors,
        went_well: answers.went_well,
        went_badly: answers.went_badly,
        lucky: answers.lucky,
    };
    Ok((patch, actions))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        "2026-11-24".parse().unwrap()
    }

    #[test]
    fn the_example_answers_file_parses() {
        let text = include_str!("../../examples/retro-answers.toml");
        let (patch, actions) = parse(text, today()).unwrap();
        assert!(patch.root_cause.is_some());
        assert!(!patch.whys.unwrap().is_empty());
        assert!(!actions.is_empty());
    }

    #[test]
    fn answers_set_only_what_they_name_and_add_actions() {
        let text = r#"
root_cause = "no index on orders.created_at"
whys = ["checkout timed out", "the query scanned the table"]

[[actions]]
text = "Add the index"
owner = "bob"
due = "2w"
kind = "Corrective"
"#;
        let (patch, actions) = parse(text, today()).unwrap();
        assert_eq!(patch.root_cause.as_deref(), Some("no index on orders.created_at"));
        assert_eq!(patch.impact, None);
        assert_eq!(patch.went_well, None);
        assert_eq!(actions.len(), 1);
        assert_eq!(actions[0].due, "2026-12-08".parse::<NaiveDate>().unwrap());
        assert_eq!(actions[0].kind, ActionKind::Corrective);
    }

    #[test]
    fn bad_answers_name_the_line_or_the_field() {
        let err = parse("impact = \"x\"\nroot_casue = \"typo\"\n", today()).unwrap_err();
        assert!(err.starts_with("line 2: unknown field `root_casue`"), "{err}");
        let err = parse(
            "[[actions]]\ntext = \"x\"\nowner = \"bob\"\ndue = \"2026-01-01\"\nkind = \"corrective\"\n",
            today(),
        )
        .unwrap_err();
        assert!(
            err.starts_with("actions[1].due: due date 2026-01-01 has passed"),
            "{err}"
        );
        let err = parse(
            "[[actions]]\ntext = \"x\"\nowner = \" \"\ndue = \"3d\"\nkind = \"corrective\"\n",
            today(),
        )
        .unwrap_err();
        assert!(err.starts_with("actions[1].owner is empty"), "{err}");
        let err = parse(
            "[[actions]]\ntext = \"x\"\nowner = \"a\"\ndue = \"3d\"\nkind = \"reactive\"\n",
            today(),
        )
        .unwrap_err();
        assert!(
            err.contains("use one of: detective, preventive, corrective"),
            "{err}"
        );
        let err = parse("whys = [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\"]", today()).unwrap_err();
        assert!(err.contains("at most 5"), "{err}");
    }
}
