//! The retrospective (the "lessons learned" phase) and its follow-up action
//! items: what they hold and the rules about them, free of storage and I/O.

use super::event::RetroValue;
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

named_enum! {
    /// What an action item does about the next incident: `detective` notices
    /// it sooner (alerts, dashboards), `preventive` keeps it from happening
    /// (guards, limits), `corrective` fixes what broke or speeds up recovery.
    ActionKind {
        Detective = "detective",
        Preventive = "preventive",
        Corrective = "corrective",
    }
}

named_enum! {
    /// Whether an action item still needs doing.
    ActionStatus {
        Open = "open",
        Done = "done",
    }
}

/// The most whys anyone is asked for: the "five whys".
pub const MAX_WHYS: usize = 5;

/// Answers of an interactive retrospective not recorded yet: the text of
/// an answers file, who saved it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetroDraft {
    pub answers: String,
    pub author: String,
    pub saved_at: DateTime<Utc>,
}

/// The retrospective of one incident, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Retro {
    /// Impact on customers and the business, in the team's words.
    pub impact: Option<String>,
    /// The five whys, in the order asked; each answers "why" of the one before.
    pub whys: Vec<String>,
    pub root_cause: Option<String>,
    /// What set it off (a deploy, a traffic spike), as opposed to the
    /// root cause that let it do harm.
    pub trigger: Option<String>,
    /// What led up to it, beyond the changes the record holds.
    pub lead_up: Option<String>,
    pub contributing: Vec<String>,
    pub went_well: Vec<String>,
    pub went_badly: Vec<String>,
    pub lucky: Vec<String>,
    /// Why the retrospective was completed without action items, if it was.
    pub no_actions: Option<String>,
}

/// Changes to a retrospective: `None` leaves a field as it is. Answers files
/// and the interactive session both produce one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetroPatch {
    pub impact: Option<String>,
    pub whys: Option<Vec<String>>,
    pub root_cause: Option<String>,
    pub trigger: Option<String>,
    pub lead_up: Option<String>,
    pub contributing: Option<Vec<String>>,
    pub went_well: Option<Vec<String>>,
    pub went_badly: Option<Vec<String>>,
    pub lucky: Option<Vec<String>>,
}

/// A field of the retrospective. Its stable name (`as_str`) is the one
/// answers files, JSON and `retro_updated` events use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RetroField {
    #[serde(rename = "impact")]
    Impact,
    #[serde(rename = "whys")]
    Whys,
    #[serde(rename = "root_cause")]
    RootCause,
    #[serde(rename = "trigger")]
    Trigger,
    #[serde(rename = "lead_up")]
    LeadUp,
    #[serde(rename = "contributing_factors")]
    Contributing,
    #[serde(rename = "went_well")]
    WentWell,
    #[serde(rename = "went_badly")]
    WentBadly,
    #[serde(rename = "lucky")]
    Lucky,
}

impl RetroField {
    /// Every field, in the order a retrospective asks them.
    pub const ALL: &'static [RetroField] = &[
        RetroField::Impact,
        RetroField::Whys,
        RetroField::RootCause,
        RetroField::Trigger,
        RetroField::LeadUp,
        RetroField::Contributing,
        RetroField::WentWell,
        RetroField::WentBadly,
        RetroField::Lucky,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            RetroField::Impact => "impact",
            RetroField::Whys => "whys",
            RetroField::RootCause => "root_cause",
            RetroField::Trigger => "trigger",
            RetroField::LeadUp => "lead_up",
            RetroField::Contributing => "contributing_factors",
            RetroField::WentWell => "went_well",
            RetroField::WentBadly => "went_badly",
            RetroField::Lucky => "lucky",
        }
    }

    /// The name as people say it ("five whys").
    pub fn describe(self) -> &'static str {
        match self {
            RetroField::Impact => "impact",
            RetroField::Whys => "five whys",
            RetroField::RootCause => "root cause",
            RetroField::Trigger => "trigger",
            RetroField::LeadUp => "lead-up",
            RetroField::Contributing => "contributing factors",
            RetroField::WentWell => "what went well",
            RetroField::WentBadly => "what went badly",
            RetroField::Lucky => "where we got lucky",
        }
    }
}

/// A field's text slot or list slot in a retrospective.
enum Slot<'a> {
    Text(&'a mut Option<String>),
    List(&'a mut Vec<String>),
}

impl Retro {
    fn slot(&mut self, field: RetroField) -> Slot<'_> {
        match field {
            RetroField::Impact => Slot::Text(&mut self.impact),
            RetroField::Whys => Slot::List(&mut self.whys),
            RetroField::RootCause => Slot::Text(&mut self.root_cause),
            RetroField::Trigger => Slot::Text(&mut self.trigger),
            RetroField::LeadUp => Slot::Text(&mut self.lead_up),
            RetroField::Contributing => Slot::List(&mut self.contributing),
            RetroField::WentWell => Slot::List(&mut self.went_well),
            RetroField::WentBadly => Slot::List(&mut self.went_badly),
            RetroField::Lucky => Slot::List(&mut self.lucky),
        }
    }

    /// The fields the patch would change, in a fixed order, with their new
    /// values: blank text clears a field; blank list entries drop. Nothing
    /// changes here; the `retro_updated` event that records the values is
    /// what [`Retro::set`] applies.
    pub fn diff(&self, patch: RetroPatch) -> Vec<(RetroField, RetroValue)> {
        let RetroPatch {
            impact,
            whys,
            root_cause,
            trigger,
            lead_up,
            contributing,
            went_well,
            went_badly,
            lucky,
        } = patch;
        let asked = [
            (RetroField::Impact, impact.map(|t| RetroValue::Text(clean(&t)))),
            (RetroField::Whys, whys.map(|l| RetroValue::List(clean_list(l)))),
            (
                RetroField::RootCause,
                root_cause.map(|t| RetroValue::Text(clean(&t))),
            ),
            (RetroField::Trigger, trigger.map(|t| RetroValue::Text(clean(&t)))),
            (RetroField::LeadUp, lead_up.map(|t| RetroValue::Text(clean(&t)))),
            (
                RetroField::Contributing,
                contributing.map(|l| RetroValue::List(clean_list(l))),
            ),
            (
                RetroField::WentWell,
                went_well.map(|l| RetroValue::List(clean_list(l))),
            ),
            (
                RetroField::WentBadly,
                went_badly.map(|l| RetroValue::List(clean_list(l))),
            ),
            (RetroField::Lucky, lucky.map(|l| RetroValue::List(clean_list(l)))),
        ];
        asked
            .into_iter()
            .filter_map(|(field, value)| value.filter(|v| *v != self.value(field)).map(|v| (field, v)))
            .collect()
    }

    /// A field's value. (Through a copy: [`Retro::slot`] is the one map
    /// from fields to where they are kept.)
    pub fn value(&self, field: RetroField) -> RetroValue {
        let mut copy = self.clone();
        match copy.slot(field) {
            Slot::Text(t) => RetroValue::Text(t.take()),
            Slot::List(l) => RetroValue::List(std::mem::take(l)),
        }
    }

    /// Sets a field; `Err` when the value is not of the field's shape (a
    /// list for a text), which only a hand-made event could hold.
    pub fn set(&mut self, field: RetroField, value: &RetroValue) -> Result<(), RetroField> {
        match (self.slot(field), value) {
            (Slot::Text(slot), RetroValue::Text(t)) => *slot = t.clone(),
            (Slot::List(slot), RetroValue::List(l)) => *slot = l.clone(),
            _ => return Err(field),
        }
        Ok(())
    }
}

/// Trimmed text, or `None` when nothing is left.
fn clean(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

fn clean_list(items: Vec<String>) -> Vec<String> {
    items.iter().filter_map(|s| clean(s)).collect()
}

/// The question for the next of the five whys: the first asks about the
/// incident, each later one about the answer before it.
pub fn why_question(previous: Option<&str>) -> String {
    match previous {
        None => "Why did this incident happen?".to_string(),
        Some(answer) => {
            let answer = answer.trim().trim_end_matches(['.', '!', '?']);
            format!("Why did \"{answer}\" happen?")
        }
    }
}

/// What completing a retrospective still needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    RootCause,
    /// An action item, or a reason for having none.
    ActionItem,
}

/// What completing the retrospective still needs, or `Ok` when it may
/// complete: a root cause, and an action item or a reason for having none.
pub fn check_complete(retro: &Retro, actions: usize, no_actions: Option<&str>) -> Result<(), Vec<Missing>> {
    let mut missing = Vec::new();
    if retro.root_cause.is_none() {
        missing.push(Missing::RootCause);
    }
    let excused = no_actions.is_some_and(|r| !r.trim().is_empty());
    if actions == 0 && !excused {
        missing.push(Missing::ActionItem);
    }
    match missing.is_empty() {
        true => Ok(()),
        false => Err(missing),
    }
}

/// A follow-up action item, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItem {
    pub id: i64,
    pub incident_id: i64,
    pub text: String,
    pub owner: String,
    /// The day it is due, in the team's calendar.
    pub due: NaiveDate,
    pub kind: ActionKind,
    pub status: ActionStatus,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    /// What `action done --note` said.
    pub note: Option<String>,
    /// The ticket in the team's main tracker.
    pub link: Option<String>,
}

impl ActionItem {
    /// Open, and its due day is over. `today` is the local calendar day.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status == ActionStatus::Open && self.due < today
    }

    /// Open, and due on `day` or before (overdue by the day after).
    pub fn is_due_by(&self, day: NaiveDate) -> bool {
        self.status == ActionStatus::Open && self.due <= day
    }
}

/// An action item about to be added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewAction {
    pub text: String,
    pub owner: String,
    pub due: NaiveDate,
    pub kind: ActionKind,
}

/// Action items are shown as `A-3`; `3` and `a-3` are accepted too.
pub const ACTION_PREFIX: &str = "A";

pub fn format_action_id(id: i64) -> String {
    format!("{ACTION_PREFIX}-{id}")
}

pub fn parse_action_id(input: &str) -> Result<i64, String> {
    let text = input.trim();
    let number = match text.split_once('-') {
        Some((head, tail)) if head.eq_ignore_ascii_case(ACTION_PREFIX) => tail,
        Some(_) => "",
        None => text,
    };
    match number.parse::<i64>() {
        Ok(n) if n > 0 && number.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(format!("invalid action id '{input}': use A-3 or 3")),
    }
}

/// Parses a due date: `YYYY-MM-DD`, or a span from today (`14d`, `2w`).
/// A date in the past is refused: nobody commits to yesterday.
pub fn parse_due(input: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let text = input.trim();
    let due = if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        date
    } else if let Ok(span) = crate::time::parse_duration(text) {
        let days = span.num_days().max(0) as u64;
        today
            .checked_add_days(Days::new(days))
            .ok_or_else(|| format!("invalid due date '{input}': too far ahead"))?
    } else {
        return Err(format!(
            "invalid due date '{input}': use YYYY-MM-DD (2026-12-15) or a span from today (14d, 2w)"
        ));
    };
    if due < today {
        return Err(format!(
            "due date {due} has passed (today is {today}); give a day from today on"
        ));
    }
    if !crate::time::YEARS.contains(&chrono::Datelike::year(&due)) {
        return Err(format!("invalid due date '{input}': too far ahead"));
    }
    Ok(due)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn patches_change_only_given_fields_and_name_them() {
        let mut retro = Retro {
            impact: Some("Checkout down".into()),
            ..Retro::default()
        };
        let diff = retro.diff(RetroPatch {
            root_cause: Some("  missing index \n".into()),
            whys: Some(vec!["a".into(), " ".into(), "b".into()]),
            impact: Some("Checkout down".into()),
            ..RetroPatch::default()
        });
        let fields: Vec<RetroField> = diff.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, [RetroField::Whys, RetroField::RootCause]);
        for (field, value) in &diff {
            retro.set(*field, value).unwrap();
        }
        assert_eq!(retro.root_cause.as_deref(), Some("missing index"));
        assert_eq!(retro.whys, ["a", "b"]);
        assert_eq!(retro.impact.as_deref(), Some("Checkout down"));
        // Blank text clears; the same values again change nothing.
        let diff = retro.diff(RetroPatch {
            impact: Some("".into()),
            whys: Some(vec!["a".into(), "b".into()]),
            ..RetroPatch::default()
        });
        assert_eq!(diff, [(RetroField::Impact, RetroValue::Text(None))]);
        assert_eq!(
            retro.value(RetroField::Whys),
            RetroValue::List(vec!["a".into(), "b".into()])
        );
        // A value of the wrong shape is refused.
        assert_eq!(
            retro.set(RetroField::Whys, &RetroValue::Text(None)),
            Err(RetroField::Whys)
        );
    }

    #[test]
    fn every_field_has_its_stable_name_in_json() {
        for field in RetroField::ALL {
            let json = serde_json::to_value(field).unwrap();
            assert_eq!(json, field.as_str());
        }
    }

    #[test]
    fn each_why_asks_about_the_answer_before() {
        assert_eq!(why_question(None), "Why did this incident happen?");
        assert_eq!(
            why_question(Some("The orders table was locked.")),
            "Why did \"The orders table was locked\" happen?"
        );
    }

    #[test]
    fn completing_needs_a_root_cause_and_an_action_or_a_reason() {
        let mut retro = Retro::default();
        assert_eq!(
            check_complete(&retro, 0, None).unwrap_err(),
            [Missing::RootCause, Missing::ActionItem]
        );
        assert_eq!(check_complete(&retro, 1, None).unwrap_err(), [Missing::RootCause]);
        retro.root_cause = Some("x".into());
        assert!(check_complete(&retro, 0, Some("  ")).is_err());
        assert!(check_complete(&retro, 0, Some("one-off hardware fault")).is_ok());
        assert!(check_complete(&retro, 2, None).is_ok());
    }

    #[test]
    fn action_ids_accept_prefix_any_case_or_plain_number() {
        assert_eq!(parse_action_id("A-3"), Ok(3));
        assert_eq!(parse_action_id("a-3"), Ok(3));
        assert_eq!(parse_action_id(" 12 "), Ok(12));
        for bad in ["", "A-", "B-3", "A-0", "-3", "A-+3", "3x", "INC-3"] {
            assert!(parse_action_id(bad).is_err(), "{bad}");
        }
        assert_eq!(format_action_id(7), "A-7");
    }

    #[test]
    fn due_dates_are_days_or_spans_from_today_never_past() {
        let today = day("2026-11-23");
        assert_eq!(parse_due("2026-12-15", today), Ok(day("2026-12-15")));
        assert_eq!(parse_due("2026-11-23", today), Ok(today));
        assert_eq!(parse_due("2w", today), Ok(day("2026-12-07")));
        assert_eq!(parse_due("3d", today), Ok(day("2026-11-26")));
        assert!(parse_due("2026-11-22", today).unwrap_err().contains("has passed"));
        assert!(parse_due("next week", today).unwrap_err().contains("YYYY-MM-DD"));
    }

    #[test]
    fn overdue_means_open_and_the_due_day_is_over() {
        let mut item = ActionItem {
            id: 1,
            incident_id: 1,
            text: "alert".into(),
            owner: "erin".into(),
            due: day("2026-12-15"),
            kind: ActionKind::Detective,
            status: ActionStatus::Open,
            created_at: "2026-11-23T08:00:00Z".parse().unwrap(),
            done_at: None,
            note: None,
            link: None,
        };
        assert!(!item.is_overdue(day("2026-12-14")));
        assert!(!item.is_overdue(day("2026-12-15")), "due today is not late yet");
        assert!(item.is_overdue(day("2026-12-16")));
        item.status = ActionStatus::Done;
        assert!(!item.is_overdue(day("2027-01-01")));
    }
}
