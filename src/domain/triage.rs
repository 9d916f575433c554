//! Triage: the impact questions, the CIA checklist and the rule that
//! suggests a severity. This is the one place their wording lives; the prompt,
//! the answers file, `show` and the retrospective all read it from here.
//!
//! Pure: no I/O, no clock.

use chrono::{DateTime, Utc};

/// One impact question: `key` names it in the answers file and in JSON;
/// `text` is what a person is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    pub key: &'static str,
    pub text: &'static str,
}

pub const IMPACT: Question = Question {
    key: "impact",
    text: "What is the impact on customers (internal or external)?",
};
pub const SEES: Question = Question {
    key: "sees",
    text: "What do customers see?",
};
pub const CUSTOMERS: Question = Question {
    key: "customers",
    text: "How many customers are affected — none, some, or all?",
};
pub const STARTED_AT: Question = Question {
    key: "started_at",
    text: "When did the impact start?",
};
pub const TICKETS: Question = Question {
    key: "tickets",
    text: "How many support tickets have customers raised?",
};
pub const FACTORS: Question = Question {
    key: "factors",
    text: "Are there other factors — public attention (social media, press), security, data loss?",
};

/// The six impact questions, in the order they are asked.
pub const QUESTIONS: [Question; 6] = [IMPACT, SEES, CUSTOMERS, STARTED_AT, TICKETS, FACTORS];

named_enum! {
    /// How many customers are affected. `unknown` is an honest answer early
    /// in an incident; the rule treats it as "possibly all".
    Customers {
        None = "none",
        Some = "some",
        All = "all",
        Unknown = "unknown",
    }
}

impl Customers {
    /// How the prompt offers the choice.
    pub fn label(self) -> &'static str {
        match self {
            Customers::None => "none",
            Customers::Some => "some",
            Customers::All => "all",
            Customers::Unknown => "not known yet",
        }
    }
}

named_enum! {
    /// The "other factors" of question 6.
    Factor {
        Public = "public",
        Security = "security",
        DataLoss = "data-loss",
    }
}

impl Factor {
    pub fn label(self) -> &'static str {
        match self {
            Factor::Public => "public attention (social media, press)",
            Factor::Security => "security",
            Factor::DataLoss => "data loss",
        }
    }
}

named_enum! {
    /// The three parts of the CIA triad.
    Area {
        Confidentiality = "confidentiality",
        Integrity = "integrity",
        Availability = "availability",
    }
}

impl Area {
    pub fn title(self) -> &'static str {
        match self {
            Area::Confidentiality => "Confidentiality",
            Area::Integrity => "Integrity",
            Area::Availability => "Availability",
        }
    }

    /// The checklist items of this area, in order.
    pub fn items(self) -> impl Iterator<Item = &'static Item> {
        CHECKLIST.iter().filter(move |item| item.area == self)
    }
}

/// One item of the CIA checklist. Its `id` is stable: flags, answer files,
/// the database and JSON use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub id: &'static str,
    pub area: Area,
    pub text: &'static str,
}

const fn item(id: &'static str, area: Area, text: &'static str) -> Item {
    Item { id, area, text }
}

/// The CIA checklist. Every item is worded so that a check is
/// something to investigate.
pub const CHECKLIST: [Item; 15] = [
    item(
        "C1",
        Area::Confidentiality,
        "evidence of compromise of authentication or authorization systems",
    ),
    item(
        "C2",
        Area::Confidentiality,
        "physical devices (laptops, phones) missing",
    ),
    item(
        "C3",
        Area::Confidentiality,
        "evidence of unauthorized access to data or systems",
    ),
    item(
        "C4",
        Area::Confidentiality,
        "evidence of unintended disclosure of private information",
    ),
    item(
        "I1",
        Area::Integrity,
        "evidence of unauthorized data modification",
    ),
    item(
        "I2",
        Area::Integrity,
        "data inaccurate because of a systemic error",
    ),
    item("I3", Area::Integrity, "evidence of data corruption"),
    item("I4", Area::Integrity, "logs missing"),
    item("I5", Area::Integrity, "logs showing an anomaly"),
    item("A1", Area::Availability, "system availability in question"),
    item(
        "A2",
        Area::Availability,
        "performance degraded to a point of unacceptable usability loss",
    ),
    item(
        "A3",
        Area::Availability,
        "evidence of denial of service or other inappropriate access requests",
    ),
    item("A4", Area::Availability, "backups affected"),
    item(
        "A5",
        Area::Availability,
        "monitoring and alerting identified an issue",
    ),
    item(
        "A6",
        Area::Availability,
        "monitoring and alerting were inadequate to identify an availability issue",
    ),
];

/// Finds a checklist item by id, case-insensitively (`c3` is `C3`).
pub fn item_by_id(id: &str) -> Result<&'static Item, String> {
    let wanted = id.trim();
    CHECKLIST
        .iter()
        .find(|i| i.id.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| format!("unknown checklist item '{id}'; use C1–C4, I1–I5 or A1–A6"))
}

/// Checklist ids in checklist order, without repeats; the first unknown id
/// is the error.
pub fn normalize_checks<S: AsRef<str>>(ids: &[S]) -> Result<Vec<&'static str>, String> {
    let mut wanted = Vec::new();
    for id in ids {
        wanted.push(item_by_id(id.as_ref())?.id);
    }
    Ok(CHECKLIST
        .iter()
        .map(|i| i.id)
        .filter(|id| wanted.contains(id))
        .collect())
}

/// Factors in their canonical order, without repeats.
pub fn normalize_factors(factors: &[Factor]) -> Vec<Factor> {
    Factor::ALL
        .iter()
        .copied()
        .filter(|f| factors.contains(f))
        .collect()
}

/// Parses a ticket count: a whole number, 0 or more.
pub fn parse_tickets(text: &str) -> Result<u32, String> {
    text.trim()
        .parse::<u32>()
        .map_err(|_| format!("'{text}' is not a number of tickets; give a whole number such as 0 or 12"))
}

/// Everything a triage collects, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    pub impact: String,
    pub sees: String,
    pub customers: Customers,
    pub started_at: DateTime<Utc>,
    pub tickets: u32,
    /// Canonical order, no repeats.
    pub factors: Vec<Factor>,
    /// Checked checklist ids, in checklist order.
    pub checked: Vec<&'static str>,
}

impl Answers {
    pub fn checked_items(&self) -> impl Iterator<Item = &'static Item> + '_ {
        CHECKLIST.iter().filter(|i| self.checked.contains(&i.id))
    }

    fn checked_in(&self, area: Area) -> Vec<&'static str> {
        self.checked_items()
            .filter(|i| i.area == area)
            .map(|i| i.id)
            .collect()
    }
}

/// A recorded assessment: the answers, what the rule suggested and what was
/// chosen, by whom and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub id: i64,
    pub incident_id: i64,
    /// The `assessed` event it was recorded with.
    pub event_id: i64,
    pub at: DateTime<Utc>,
    pub author: String,
    pub answers: Answers,
    /// The level the rule suggested, and why.
    pub suggested: String,
    pub reason: String,
    /// The level chosen (the suggestion, or an override).
    pub severity: String,
}

impl Assessment {
    /// What the `assessed` event it is recorded with says of it.
    pub fn recorded(&self) -> super::event::Assessed {
        super::event::Assessed {
            impact: self.answers.impact.clone(),
            sees: self.answers.sees.clone(),
            customers: self.answers.customers,
            impact_started_at: self.answers.started_at,
            tickets: self.answers.tickets,
            factors: self.answers.factors.clone(),
            checked: self.answers.checked.iter().map(|c| c.to_string()).collect(),
            suggested_severity: self.suggested.clone(),
            reason: self.reason.clone(),
            severity: self.severity.clone(),
        }
    }
}

/// The three outcomes of the rule, most severe first. They map onto the
/// configured levels by position (see [`level_for`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// The most severe level (SEV1 by default).
    Critical,
    /// The second level (SEV2).
    Major,
    /// The third level (SEV3).
    Minor,
}

impl Tier {
    fn index(self) -> usize {
        match self {
            Tier::Critical => 0,
            Tier::Major => 1,
            Tier::Minor => 2,
        }
    }
}

/// The rule's answer: a tier, and why, in words ("C3 is checked").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub tier: Tier,
    /// Every fact that put it at this tier, joined: "C3 is checked and all
    /// customers are affected".
    pub because: String,
}

impl Suggestion {
    /// "SEV1 because C3 is checked".
    pub fn reason(&self, level: &str) -> String {
        format!("{level} because {}", self.because)
    }
}

/// The suggested severity:
///
/// - any confidentiality item, or data loss, or all customers affected → the
///   most severe level;
/// - some customers affected, or any integrity item → the second;
/// - otherwise → the third.
///
/// When unsure, the higher severity wins: customers `unknown` may mean all of
/// them, so it counts as "all"; and when facts of several tiers hold, the most
/// severe tier is the answer. The reason lists every fact of the winning tier.
pub fn suggest(a: &Answers) -> Suggestion {
    let plural = |ids: &[&str], what: &str| match ids {
        [one] => format!("{one} is {what}"),
        many => format!("{} are {what}", many.join(", ")),
    };
    let mut critical = Vec::new();
    let confidentiality = a.checked_in(Area::Confidentiality);
    if !confidentiality.is_empty() {
        critical.push(plural(&confidentiality, "checked"));
    }
    if a.factors.contains(&Factor::DataLoss) {
        critical.push("customer data was lost".to_string());
    }
    match a.customers {
        Customers::All => critical.push("all customers are affected".to_string()),
        Customers::Unknown => critical.push(
            "the number of affected customers is not known (when unsure, the higher severity wins)"
                .to_string(),
        ),
        _ => {}
    }
    if !critical.is_empty() {
        return Suggestion {
            tier: Tier::Critical,
            because: join(&critical),
        };
    }
    let mut major = Vec::new();
    if a.customers == Customers::Some {
        major.push("some customers are affected".to_string());
    }
    let integrity = a.checked_in(Area::Integrity);
    if !integrity.is_empty() {
        major.push(plural(&integrity, "checked"));
    }
    if !major.is_empty() {
        return Suggestion {
            tier: Tier::Major,
            because: join(&major),
        };
    }
    Suggestion {
        tier: Tier::Minor,
        because: "no customers are affected and no confidentiality or integrity item is checked".to_string(),
    }
}

fn join(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The configured level for a tier. `levels` are most severe first: the tier
/// takes the level at its position (0, 1, 2). With fewer than three levels
/// the least severe one stands in for the missing ones; with more, the levels
/// after the third are never suggested (they can still be chosen).
pub fn level_for<S: AsRef<str>>(tier: Tier, levels: &[S]) -> Option<&str> {
    let last = levels.len().checked_sub(1)?;
    Some(levels[tier.index().min(last)].as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(customers: Customers, factors: &[Factor], checked: &[&str]) -> Answers {
        Answers {
            impact: "checkout fails".into(),
            sees: "HTTP 500".into(),
            customers,
            started_at: "2026-11-23T08:00:00Z".parse().unwrap(),
            tickets: 0,
            factors: normalize_factors(factors),
            checked: normalize_checks(checked).unwrap(),
        }
    }

    fn tier_and_reason(a: &Answers) -> (Tier, String) {
        let s = suggest(a);
        let level = level_for(s.tier, &["SEV1", "SEV2", "SEV3"]).unwrap();
        (s.tier, s.reason(level))
    }

    #[test]
    fn any_confidentiality_item_is_the_most_severe() {
        for id in ["C1", "C2", "C3", "C4"] {
            let (tier, reason) = tier_and_reason(&answers(Customers::None, &[], &[id]));
            assert_eq!(tier, Tier::Critical);
            assert_eq!(reason, format!("SEV1 because {id} is checked"));
        }
    }

    #[test]
    fn data_loss_is_the_most_severe() {
        let a = answers(Customers::None, &[Factor::DataLoss], &[]);
        assert_eq!(
            tier_and_reason(&a),
            (Tier::Critical, "SEV1 because customer data was lost".into())
        );
    }

    #[test]
    fn all_customers_is_the_most_severe() {
        let a = answers(Customers::All, &[], &["A1"]);
        assert_eq!(
            tier_and_reason(&a),
            (Tier::Critical, "SEV1 because all customers are affected".into())
        );
    }

    #[test]
    fn unknown_customers_counts_as_all_because_the_higher_severity_wins() {
        let (tier, reason) = tier_and_reason(&answers(Customers::Unknown, &[], &[]));
        assert_eq!(tier, Tier::Critical);
        assert!(reason.contains("not known"), "{reason}");
    }

    #[test]
    fn some_customers_is_the_second_level() {
        let a = answers(Customers::Some, &[], &["A1", "A5"]);
        assert_eq!(
            tier_and_reason(&a),
            (Tier::Major, "SEV2 because some customers are affected".into())
        );
    }

    #[test]
    fn any_integrity_item_is_the_second_level() {
        for id in ["I1", "I2", "I3", "I4", "I5"] {
            let (tier, reason) = tier_and_reason(&answers(Customers::None, &[], &[id]));
            assert_eq!(tier, Tier::Major);
            assert_eq!(reason, format!("SEV2 because {id} is checked"));
        }
    }

    #[test]
    fn otherwise_the_third_level() {
        // Availability items, public attention and security alone stay minor.
        let a = answers(
            Customers::None,
            &[Factor::Public, Factor::Security],
            &["A1", "A2", "A3", "A4", "A5", "A6"],
        );
        let (tier, reason) = tier_and_reason(&a);
        assert_eq!(tier, Tier::Minor);
        assert!(reason.starts_with("SEV3 because no customers"), "{reason}");
    }

    #[test]
    fn when_several_tiers_match_the_higher_wins_and_every_fact_is_named() {
        let a = answers(Customers::Some, &[Factor::DataLoss], &["I3", "C3", "C1"]);
        assert_eq!(
            tier_and_reason(&a),
            (
                Tier::Critical,
                "SEV1 because C1, C3 are checked and customer data was lost".into()
            )
        );
        let a = answers(Customers::Some, &[], &["I1", "I2"]);
        assert_eq!(
            tier_and_reason(&a).1,
            "SEV2 because some customers are affected and I1, I2 are checked"
        );
    }

    #[test]
    fn tiers_map_onto_configured_levels_by_position() {
        let three = ["SEV1", "SEV2", "SEV3"];
        assert_eq!(level_for(Tier::Critical, &three), Some("SEV1"));
        assert_eq!(level_for(Tier::Major, &three), Some("SEV2"));
        assert_eq!(level_for(Tier::Minor, &three), Some("SEV3"));
        // Fewer levels: the least severe stands in.
        let two = ["high", "low"];
        assert_eq!(level_for(Tier::Major, &two), Some("low"));
        assert_eq!(level_for(Tier::Minor, &two), Some("low"));
        assert_eq!(level_for(Tier::Critical, &["only"]), Some("only"));
        // More levels: the first three are suggested.
        let five = ["SEV0", "SEV1", "SEV2", "SEV3", "SEV4"];
        assert_eq!(level_for(Tier::Critical, &five), Some("SEV0"));
        assert_eq!(level_for(Tier::Minor, &five), Some("SEV2"));
        assert_eq!(level_for::<&str>(Tier::Minor, &[]), None);
    }

    #[test]
    fn checklist_ids_are_unique_and_grouped_c_i_a() {
        let ids: Vec<&str> = CHECKLIST.iter().map(|i| i.id).collect();
        assert_eq!(
            ids,
            [
                "C1", "C2", "C3", "C4", "I1", "I2", "I3", "I4", "I5", "A1", "A2", "A3", "A4", "A5", "A6"
            ]
        );
        for item in &CHECKLIST {
            let letter = item.area.as_str().chars().next().unwrap().to_ascii_uppercase();
            assert!(item.id.starts_with(letter), "{item:?}");
        }
        assert_eq!(Area::Integrity.items().count(), 5);
    }

    #[test]
    fn checks_are_case_insensitive_ordered_and_deduplicated() {
        assert_eq!(normalize_checks(&["a1", "C3", "c3"]).unwrap(), ["C3", "A1"]);
        let err = normalize_checks(&["C9"]).unwrap_err();
        assert_eq!(err, "unknown checklist item 'C9'; use C1–C4, I1–I5 or A1–A6");
    }

    #[test]
    fn tickets_are_whole_non_negative_numbers() {
        assert_eq!(parse_tickets(" 12 "), Ok(12));
        assert!(parse_tickets("-1").is_err());
        assert!(parse_tickets("a few").is_err());
    }

    #[test]
    fn factor_and_customer_names_are_stable() {
        assert_eq!(Factor::names(), "public, security, data-loss");
        assert_eq!(Customers::names(), "none, some, all, unknown");
        assert_eq!(
            QUESTIONS.map(|q| q.key),
            ["impact", "sees", "customers", "started_at", "tickets", "factors"]
        );
    }
}
