//! The retrospective's interview in a terminal: the timeline first, then
//! the questions in order (each starting from the answer so far), then a
//! review of every answer to edit any of them. What the answers mean is
//! the answers file's business (`answers::retro`); after each answer the
//! caller saves the answers so far as a draft.

use super::Prompter;
use crate::answers::retro::{ActionAnswer, Answers};
use crate::domain::plans::ChangeRecord;
use crate::domain::retro::{
    ActionItem, ActionKind, MAX_WHYS, RetroDraft, format_action_id, parse_due, why_question,
};
use crate::domain::{Event, EventData};
use crate::output;
use crate::text::{cut, non_blank, one_line, safe};
use crate::time::human;
use anyhow::Result;
use chrono::{Local, NaiveDate};
use comfy_table::Cell;
use std::io::Write;

/// Shows the incident and its timeline, and how the interview goes, before
/// the first question.
pub fn introduce(p: &Prompter, key: &str, title: &str, events: &[Event]) -> Result<()> {
    let mut err = std::io::stderr().lock();
    writeln!(err, "Retrospective of {key}: {}", one_line(title))?;
    writeln!(err, "\nThe timeline, in the order things happened:")?;
    let width = p.width() as usize;
    if width < 80 {
        // Too narrow for a table: each entry's facts on a line, its text
        // below, indented, as `show` lays it out.
        for e in events {
            let facts = format!(
                "{}  {}  {}",
                human(e.at, &Local),
                one_line(&cut(&e.author)),
                e.kind().as_str()
            );
            writeln!(err, "{}", crate::text::wrap("", &safe(&facts), Some(width)))?;
            let text = one_line(&cut(&e.text)).into_owned();
            writeln!(err, "{}", crate::text::wrap("  ", &safe(&text), Some(width)))?;
        }
        return intro_end(&mut err);
    }
    let mut table = output::table(["TIME", "WHO", "KIND", "WHAT"]);
    // The prompts' terminal, not stdout's.
    table.set_width(p.width().max(40));
    for e in events {
        table.add_row(vec![
            Cell::new(human(e.at, &Local)),
            Cell::new(one_line(&cut(&e.author))),
            Cell::new(e.kind().as_str()),
            // Cut, as on any terminal: a pasted blob would stall the layout.
            Cell::new(safe(&cut(&e.text))),
        ]);
    }
    output::print_table(&mut err, &table)?;
    intro_end(&mut err)
}

fn intro_end(err: &mut impl Write) -> Result<()> {
    writeln!(
        err,
        "\nBlameless: ask what happened and why, not who. Every answer is saved as a draft as it is \
         given; Esc or Ctrl-C pauses. Enter keeps what is filled in; an empty answer skips.\n"
    )?;
    Ok(())
}

/// Whether to resume the draft an earlier interview left.
pub fn resume(p: &Prompter, draft: &RetroDraft) -> Result<bool> {
    p.confirm(
        &format!(
            "Resume the draft {} saved at {}? (no starts again from what is recorded)",
            one_line(&draft.author),
            human(draft.saved_at, &Local)
        ),
        true,
    )
}

/// Walks the team through the retrospective from `answers`, then reviews
/// every answer; `save_draft` keeps the answers so far after each one.
/// `events` is the incident's timeline, `recorded` its action items.
/// Returns `None` when the person stops at the review (the draft is kept).
pub fn walk(
    p: &Prompter,
    key: &str,
    today: NaiveDate,
    events: &[Event],
    recorded: &[ActionItem],
    answers: Answers,
    save_draft: &dyn Fn(&Answers) -> Result<()>,
) -> Result<Option<Answers>> {
    let changes = events
        .iter()
        .filter_map(|e| match &e.data {
            EventData::RecentChanges(r) => Some(r.changes.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let mut walk = Walk {
        p,
        key,
        today,
        answers,
        changes,
        save_draft,
    };
    walk.questions(recorded)?;
    Ok(walk.review()?.then_some(walk.answers))
}

/// The lists of a retrospective, as the walk and the review name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Whys,
    Contributing,
    WentWell,
    WentBadly,
    Lucky,
}

impl List {
    const ADDABLE: [List; 5] = [
        List::Whys,
        List::Contributing,
        List::WentWell,
        List::WentBadly,
        List::Lucky,
    ];

    /// The list in `answers` (none yet reads as empty).
    fn of(self, answers: &Answers) -> &[String] {
        let field = match self {
            List::Whys => &answers.whys,
            List::Contributing => &answers.contributing_factors,
            List::WentWell => &answers.went_well,
            List::WentBadly => &answers.went_badly,
            List::Lucky => &answers.lucky,
        };
        field.as_deref().unwrap_or_default()
    }

    /// The list in `answers`, set (to empty) if it was not.
    fn of_mut(self, answers: &mut Answers) -> &mut Vec<String> {
        let field = match self {
            List::Whys => &mut answers.whys,
            List::Contributing => &mut answers.contributing_factors,
            List::WentWell => &mut answers.went_well,
            List::WentBadly => &mut answers.went_badly,
            List::Lucky => &mut answers.lucky,
        };
        field.get_or_insert_with(Vec::new)
    }

    fn label(self) -> &'static str {
        match self {
            List::Whys => "Why",
            List::Contributing => "Contributing factor",
            List::WentWell => "What went well",
            List::WentBadly => "What went badly",
            List::Lucky => "Where we got lucky",
        }
    }
}

/// One numbered line of the review screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Impact,
    RootCause,
    Trigger,
    LeadUp,
    Item(List, usize),
    Action(usize),
}

/// The interview's answers, saved as a draft after each one.
struct Walk<'a> {
    p: &'a Prompter,
    key: &'a str,
    today: NaiveDate,
    answers: Answers,
    /// The changes recorded on the incident at declaration.
    changes: Vec<ChangeRecord>,
    save_draft: &'a dyn Fn(&Answers) -> Result<()>,
}

impl Walk<'_> {
    fn save(&self) -> Result<()> {
        (self.save_draft)(&self.answers)
    }

    fn ask_list(&mut self, list: List) -> Result<()> {
        let have = list.of(&self.answers).to_vec();
        if !have.is_empty() {
            self.p.say(&format!("{}, so far:", list.label()))?;
            for item in &have {
                self.p.say(&format!("  - {}", one_line(item)))?;
            }
        }
        // Set even when empty: the question was answered.
        list.of_mut(&mut self.answers);
        loop {
            let item = self.p.line(&format!("{} (empty to go on)", list.label()), None)?;
            if item.is_empty() {
                return self.save();
            }
            list.of_mut(&mut self.answers).push(item);
            self.save()?;
        }
    }

    /// Asks for an action item; `None` when its text is left empty.
    fn ask_action(&self, given: Option<&ActionAnswer>) -> Result<Option<ActionAnswer>> {
        let text = self
            .p
            .line("Action item (empty to go on)", given.map(|a| a.text.as_str()))?;
        if text.is_empty() {
            return Ok(None);
        }
        let owner = self.p.text("  Owner", given.map(|a| a.owner.as_str()), |s| {
            non_blank(s).ok_or_else(|| "name who follows it up".to_string())
        })?;
        let today = self.today;
        let due = self.p.text(
            "  Due (YYYY-MM-DD, or 14d from today)",
            given.map(|a| a.due.as_str()),
            |s| parse_due(s, today),
        )?;
        let kinds: Vec<String> = ActionKind::ALL.iter().map(|k| k.as_str().to_string()).collect();
        let start = given
            .and_then(|a| kinds.iter().position(|k| k.eq_ignore_ascii_case(&a.kind)))
            .unwrap_or(0);
        let kind = self.p.select("  Kind", &kinds, start)?;
        Ok(Some(ActionAnswer {
            text,
            owner,
            due: due.to_string(),
            kind: kinds[kind].clone(),
        }))
    }

    /// The questions, in order, each starting from the answer so far.
    fn questions(&mut self, recorded: &[ActionItem]) -> Result<()> {
        let impact = self.p.line(
            "Impact on customers and the business",
            self.answers.impact.as_deref(),
        )?;
        self.answers.impact = Some(impact);
        self.save()?;
        let earlier = List::Whys.of(&self.answers).to_vec();
        let mut whys: Vec<String> = Vec::new();
        for n in 0..MAX_WHYS {
            let question = why_question(whys.last().map(String::as_str));
            let answer = self.p.line(
                &format!("Why {}/{MAX_WHYS}: {question} (empty to stop)", n + 1),
                earlier.get(n).map(String::as_str),
            )?;
            if answer.is_empty() {
                break;
            }
            whys.push(answer);
            self.answers.whys = Some(whys.clone());
            self.save()?;
        }
        self.answers.whys = Some(whys);
        let initial = self
            .answers
            .root_cause
            .clone()
            .filter(|r| !r.is_empty())
            .or_else(|| List::Whys.of(&self.answers).last().cloned());
        let root_cause = self.p.line("Root cause", initial.as_deref())?;
        self.answers.root_cause = Some(root_cause);
        self.save()?;
        // The record names the changes made just before; the latest is
        // offered as the trigger, and the lead-up is asked only when the
        // record has none to show.
        let offered = self
            .answers
            .trigger
            .clone()
            .filter(|t| !t.is_empty())
            .or_else(|| {
                self.changes
                    .last()
                    .map(|c| format!("{} ({} on {})", c.title, c.kind, c.services.join(", ")))
            });
        // An empty answer clears what was there, and is otherwise no answer
        // at all (the answers file stays as it was).
        let keep = |had: &Option<String>, new: String| match (had, new.is_empty()) {
            (None, true) => None,
            _ => Some(new),
        };
        let trigger = self.p.line("Trigger: what set it off", offered.as_deref())?;
        self.answers.trigger = keep(&self.answers.trigger, trigger);
        self.save()?;
        if self.changes.is_empty() {
            let lead_up = self.p.line(
                "Lead-up: what happened before, that made it possible",
                self.answers.lead_up.as_deref(),
            )?;
            self.answers.lead_up = keep(&self.answers.lead_up, lead_up);
            self.save()?;
        }
        for list in [List::Contributing, List::WentWell, List::WentBadly, List::Lucky] {
            self.ask_list(list)?;
        }
        if !recorded.is_empty() {
            self.p.say("Action items recorded so far:")?;
            for a in recorded {
                self.p.say(&format!(
                    "  {} {} ({}, {}, due {})",
                    format_action_id(a.id),
                    one_line(&a.text),
                    a.kind,
                    one_line(&a.owner),
                    a.due
                ))?;
            }
        }
        for a in &self.answers.actions {
            self.p.say(&format!("  new: {}", action_line(a)))?;
        }
        while let Some(action) = self.ask_action(None)? {
            self.answers.actions.push(action);
            self.save()?;
        }
        Ok(())
    }

    /// Every answer, numbered, for the review.
    fn slots(&self) -> Vec<(Slot, String)> {
        let a = &self.answers;
        let shown = |text: Option<&str>| match text.filter(|t| !t.is_empty()) {
            Some(t) => one_line(t).into_owned(),
            None => "(none)".to_string(),
        };
        let mut out = vec![(Slot::Impact, format!("Impact: {}", shown(a.impact.as_deref())))];
        for (i, why) in List::Whys.of(a).iter().enumerate() {
            out.push((
                Slot::Item(List::Whys, i),
                format!("Why {}: {}", i + 1, one_line(why)),
            ));
        }
        out.push((
            Slot::RootCause,
            format!("Root cause: {}", shown(a.root_cause.as_deref())),
        ));
        out.push((Slot::Trigger, format!("Trigger: {}", shown(a.trigger.as_deref()))));
        if a.lead_up.is_some() {
            out.push((Slot::LeadUp, format!("Lead-up: {}", shown(a.lead_up.as_deref()))));
        }
        for list in [List::Contributing, List::WentWell, List::WentBadly, List::Lucky] {
            for (i, item) in list.of(a).iter().enumerate() {
                out.push((
                    Slot::Item(list, i),
                    format!("{}: {}", list.label(), one_line(item)),
                ));
            }
        }
        for (i, action) in a.actions.iter().enumerate() {
            out.push((Slot::Action(i), format!("Action item: {}", action_line(action))));
        }
        out
    }

    fn text_of(&self, slot: Slot) -> String {
        match slot {
            Slot::Impact => self.answers.impact.clone().unwrap_or_default(),
            Slot::RootCause => self.answers.root_cause.clone().unwrap_or_default(),
            Slot::Trigger => self.answers.trigger.clone().unwrap_or_default(),
            Slot::LeadUp => self.answers.lead_up.clone().unwrap_or_default(),
            Slot::Item(list, i) => list.of(&self.answers)[i].clone(),
            Slot::Action(i) => self.answers.actions[i].text.clone(),
        }
    }

    /// Puts `text` in `slot`; an empty list item or action is removed.
    fn set(&mut self, slot: Slot, text: String) {
        match slot {
            Slot::Impact => self.answers.impact = Some(text),
            Slot::RootCause => self.answers.root_cause = Some(text),
            Slot::Trigger => self.answers.trigger = Some(text),
            Slot::LeadUp => self.answers.lead_up = Some(text),
            Slot::Item(list, i) if text.is_empty() => {
                list.of_mut(&mut self.answers).remove(i);
            }
            Slot::Item(list, i) => list.of_mut(&mut self.answers)[i] = text,
            Slot::Action(i) if text.is_empty() => {
                self.answers.actions.remove(i);
            }
            Slot::Action(i) => self.answers.actions[i].text = text,
        }
    }

    /// The review screen: every answer numbered, any of them edited, until
    /// Enter records (`true`) or `q` stops with the draft kept (`false`).
    fn review(&mut self) -> Result<bool> {
        loop {
            let slots = self.slots();
            self.p
                .say(&format!("\nReview of the retrospective of {}:", self.key))?;
            let width = slots.len().to_string().len();
            for (n, (_, line)) in slots.iter().enumerate() {
                self.p.say(&format!("  {:>width$}. {line}", n + 1))?;
            }
            let command = self.p.line(
                "Enter records it; a number edits that answer (e.g. 3), 'e 3' in $EDITOR, \
                 '+' adds an item, 'q' stops and keeps the draft",
                None,
            )?;
            let command = command.trim();
            if command.is_empty() {
                return Ok(true);
            }
            if command.eq_ignore_ascii_case("q") {
                return Ok(false);
            }
            if command == "+" {
                self.add()?;
                continue;
            }
            let (in_editor, number) = match command.strip_prefix(['e', 'E']) {
                Some(rest) => (true, rest.trim()),
                None => (false, command),
            };
            let Some((slot, label)) = number
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|n| slots.get(n).cloned())
            else {
                self.p.say(&format!(
                    "  '{command}' is not one of 1–{}; give a number, 'e N', '+', 'q' or nothing",
                    slots.len()
                ))?;
                continue;
            };
            let current = self.text_of(slot);
            if in_editor {
                if let Some(text) = self.p.editor(&current)? {
                    self.set(slot, text.trim().to_string());
                }
            } else if let Slot::Action(i) = slot {
                let given = self.answers.actions[i].clone();
                match self.ask_action(Some(&given))? {
                    Some(action) => self.answers.actions[i] = action,
                    None => {
                        self.answers.actions.remove(i);
                    }
                }
            } else {
                let name = label.split(':').next().unwrap_or_default().to_string();
                let text = self
                    .p
                    .line(&format!("{name} (empty removes a list item)"), Some(&current))?;
                self.set(slot, text);
            }
            self.save()?;
        }
    }

    /// Adds an item to one of the lists, or an action item.
    fn add(&mut self) -> Result<()> {
        let mut names: Vec<String> = List::ADDABLE.iter().map(|l| l.label().to_string()).collect();
        names.push("Action item".into());
        let which = self.p.select("Add to", &names, 0)?;
        match List::ADDABLE.get(which) {
            Some(List::Whys) if List::Whys.of(&self.answers).len() >= MAX_WHYS => {
                self.p
                    .say(&format!("  There are {MAX_WHYS} whys already; edit one instead."))?;
            }
            Some(list) => {
                let text = self.p.line(list.label(), None)?;
                if !text.is_empty() {
                    list.of_mut(&mut self.answers).push(text);
                }
            }
            None => {
                if let Some(action) = self.ask_action(None)? {
                    self.answers.actions.push(action);
                }
            }
        }
        self.save()
    }
}

fn action_line(a: &ActionAnswer) -> String {
    format!(
        "{} ({}, {}, due {})",
        one_line(&a.text),
        a.kind,
        one_line(&a.owner),
        a.due
    )
}
