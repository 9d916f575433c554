//! Role assignment rules: some roles have one holder at a time, so a
//! new assignment is a handover; the others collect people.

use super::RoleHolder;

/// The role that leads the response: assigning it acknowledges the incident.
pub const COMMANDER: &str = "commander";
/// Owns the follow-up after the incident: the postmortem's owner.
pub const PROBLEM_MANAGER: &str = "problem-manager";

/// A role and how many may hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDef {
    pub name: String,
    pub single: bool,
}

/// The roles every team has, single-holder ones first.
pub fn defaults() -> Vec<RoleDef> {
    let single = ["commander", "tech-lead", "scribe", "communicator", "coordinator"];
    let many = [
        "responder",
        "customer-support",
        "sme",
        "social-media",
        "problem-manager",
    ];
    single
        .iter()
        .map(|n| RoleDef {
            name: n.to_string(),
            single: true,
        })
        .chain(many.iter().map(|n| RoleDef {
            name: n.to_string(),
            single: false,
        }))
        .collect()
}

/// Finds the role `assign-role` names. A configured role, or one someone
/// holds on this incident already, is taken as it is. Any other name is an
/// ad-hoc role for this incident (anyone may hold it, many at once), unless
/// it is within a typo of a configured role: then it is refused with the
/// likely meaning, and `force` takes it anyway.
pub fn find(
    name: &str,
    configured: &[RoleDef],
    held: &[RoleHolder],
    force: bool,
) -> Result<RoleDef, UnknownRole> {
    let wanted = name.trim().to_ascii_lowercase();
    if let Some(known) = configured.iter().find(|r| r.name == wanted) {
        return Ok(known.clone());
    }
    let ad_hoc = RoleDef {
        name: wanted.clone(),
        single: false,
    };
    if held.iter().any(|h| h.role == wanted) {
        return Ok(ad_hoc);
    }
    if wanted.is_empty() {
        return Err(UnknownRole::Empty);
    }
    if let Some(bad) = wanted
        .chars()
        .find(|c| !(c.is_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(UnknownRole::NotOneWord {
            name: name.to_string(),
            bad,
        });
    }
    if !force && let Some(near) = configured.iter().find(|r| is_typo(&wanted, &r.name)) {
        return Err(UnknownRole::Typo {
            wanted,
            near: near.name.clone(),
        });
    }
    Ok(ad_hoc)
}

/// Why a role name was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnknownRole {
    Empty,
    /// A role is one word; `bad` is the first character that is not.
    NotOneWord {
        name: String,
        bad: char,
    },
    /// Within a slip of the configured role `near`: taken only when forced.
    Typo {
        wanted: String,
        near: String,
    },
}

/// Whether `a` is a slip away from `b`: at most one edit (a letter added,
/// dropped, changed, or two neighbours swapped), two for names of 8
/// letters or more, three from 12 (`communications` for `communicator`):
/// a long word gets a longer misspelling, a short one stays its own.
fn is_typo(a: &str, b: &str) -> bool {
    let allowed = match b.chars().count() {
        ..8 => 1,
        8..12 => 2,
        _ => 3,
    };
    distance(a, b) <= allowed
}

/// Why `assign-role ROLE PERSON` looks like its two words were swapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swapped {
    /// The person word names a configured role.
    PersonIsRole,
    /// The role word names a known person.
    RoleIsPerson,
    /// Both: the likely order is the other one.
    Both,
    /// Both words name configured roles: no person is named.
    NoPerson,
}

/// Whether `assign-role ROLE PERSON` reads as if its words were swapped:
/// the person word names a configured role, or the role word names a known
/// person: someone holding a role on this incident, or for whom
/// `is_person` says so (who held a role on any incident, or the one
/// acting; asked only when needed, as it may read far). What this incident
/// already says stands: a role held on it is a role here, and someone
/// holding a role on it is a person here. Names are compared without case,
/// as roles are.
pub fn swapped<E>(
    role: &str,
    person: &str,
    configured: &[RoleDef],
    held: &[RoleHolder],
    is_person: impl FnOnce(&str) -> Result<bool, E>,
) -> Result<Option<Swapped>, E> {
    let (role, person) = (role.trim(), person.trim());
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let configured_role = |word: &str| configured.iter().any(|r| same(&r.name, word));
    let role_is_role = configured_role(role) || held.iter().any(|h| same(&h.role, role));
    let person_is_role = configured_role(person) && !held.iter().any(|h| same(&h.person, person));
    let role_is_person =
        !role.is_empty() && !role_is_role && (held.iter().any(|h| same(&h.person, role)) || is_person(role)?);
    Ok(match (person_is_role, role_is_person) {
        (true, true) => Some(Swapped::Both),
        (true, false) if role_is_role => Some(Swapped::NoPerson),
        (true, false) => Some(Swapped::PersonIsRole),
        (false, true) => Some(Swapped::RoleIsPerson),
        (false, false) => None,
    })
}

/// Whether `name` holds or held a role, by the role events of any
/// incidents (`role_assigned`, `role_handover`), without case.
pub fn ever_held(events: &[super::Event], name: &str) -> bool {
    let name = name.trim();
    events.iter().any(|e| match &e.data {
        super::EventData::RoleAssigned(r) => r.person.trim().eq_ignore_ascii_case(name),
        super::EventData::RoleHandover(h) => {
            h.person.trim().eq_ignore_ascii_case(name) || h.previous.trim().eq_ignore_ascii_case(name)
        }
        _ => false,
    })
}

/// Optimal string alignment distance (Levenshtein with transpositions).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// What assigning a person to a role does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignment {
    /// They already hold it: nothing to record.
    AlreadyHeld,
    /// A new holder, nobody replaced.
    Assign,
    /// A single-holder role changes hands.
    Handover { from: String },
}

pub fn plan_assign(role: &RoleDef, person: &str, holders: &[RoleHolder]) -> Assignment {
    let mut current = holders.iter().filter(|h| h.role == role.name);
    if holders.iter().any(|h| h.role == role.name && h.person == person) {
        return Assignment::AlreadyHeld;
    }
    match current.next() {
        Some(previous) if role.single => Assignment::Handover {
            from: previous.person.clone(),
        },
        _ => Assignment::Assign,
    }
}

/// Removing is only meaningful for someone who holds the role: `Err`
/// gives those who do (none, maybe).
pub fn plan_remove(role: &RoleDef, person: &str, holders: &[RoleHolder]) -> Result<(), Vec<String>> {
    if holders.iter().any(|h| h.role == role.name && h.person == person) {
        return Ok(());
    }
    Err(holders
        .iter()
        .filter(|h| h.role == role.name)
        .map(|h| h.person.clone())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(role: &str, person: &str) -> RoleHolder {
        RoleHolder {
            role: role.into(),
            person: person.into(),
        }
    }

    fn def(name: &str, single: bool) -> RoleDef {
        RoleDef {
            name: name.into(),
            single,
        }
    }

    #[test]
    fn defaults_follow_the_spec() {
        let roles = defaults();
        assert_eq!(roles.len(), 10);
        let singles: Vec<_> = roles
            .iter()
            .filter(|r| r.single)
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(
            singles,
            ["commander", "tech-lead", "scribe", "communicator", "coordinator"]
        );
    }

    #[test]
    fn single_holder_roles_hand_over() {
        let holders = [holder("commander", "alice"), holder("scribe", "bob")];
        let commander = def("commander", true);
        assert_eq!(
            plan_assign(&commander, "carol", &holders),
            Assignment::Handover { from: "alice".into() }
        );
        assert_eq!(
            plan_assign(&commander, "alice", &holders),
            Assignment::AlreadyHeld
        );
        assert_eq!(
            plan_assign(&def("tech-lead", true), "dave", &holders),
            Assignment::Assign
        );
    }

    #[test]
    fn many_holder_roles_accumulate() {
        let holders = [holder("responder", "dave")];
        let responder = def("responder", false);
        assert_eq!(plan_assign(&responder, "erin", &holders), Assignment::Assign);
        assert_eq!(plan_assign(&responder, "dave", &holders), Assignment::AlreadyHeld);
    }

    #[test]
    fn an_unknown_role_is_ad_hoc_unless_it_looks_like_a_typo() {
        let roles = defaults();
        let found = find("Security-Lead", &roles, &[], false).unwrap();
        assert_eq!(found, def("security-lead", false));
        assert_eq!(find("scribe", &roles, &[], false).unwrap(), def("scribe", true));
        assert_eq!(
            find("scirbe", &roles, &[], false).unwrap_err(),
            UnknownRole::Typo {
                wanted: "scirbe".into(),
                near: "scribe".into()
            }
        );
        assert!(matches!(
            find("comander", &roles, &[], false),
            Err(UnknownRole::Typo { near, .. }) if near == "commander"
        ));
        assert_eq!(find("scirbe", &roles, &[], true).unwrap(), def("scirbe", false));
        // Once held on the incident, the name is known there.
        let held = [holder("scirbe", "bob")];
        assert_eq!(
            find("scirbe", &roles, &held, false).unwrap(),
            def("scirbe", false)
        );
        assert!(matches!(
            find("data lead", &roles, &[], false),
            Err(UnknownRole::NotOneWord { bad: ' ', .. })
        ));
        assert!(find(" ", &roles, &[], false).is_err());
    }

    #[test]
    fn typos_are_one_slip_or_two_in_long_names() {
        assert_eq!(distance("scribe", "scirbe"), 1);
        assert_eq!(distance("sme", "sre"), 1);
        assert!(is_typo("cordinator", "coordinator"));
        assert!(is_typo("comandr", "commander"));
        assert!(!is_typo("security-lead", "tech-lead"));
        assert!(!is_typo("legal", "sme"));
    }

    #[test]
    fn long_names_take_a_longer_misspelling() {
        assert_eq!(distance("communications", "communicator"), 3);
        assert!(is_typo("communications", "communicator"));
        assert!(is_typo("communication", "communicator"));
        assert!(is_typo("problem-managers", "problem-manager"));
        assert!(is_typo("customer-suport", "customer-support"));
        // Short names keep one slip, middling ones two.
        assert!(!is_typo("scribes-x", "scribe"));
        assert!(!is_typo("coordinating", "coordinator"));
        assert!(!is_typo("comms", "communicator"));
        assert!(!is_typo("customer-success", "customer-support"));
        assert!(!is_typo("social", "social-media"));
        let roles = defaults();
        assert!(matches!(
            find("communications", &roles, &[], false),
            Err(UnknownRole::Typo { near, .. }) if near == "communicator"
        ));
        // Every default role stays apart from every other: none is taken
        // for a typo of another.
        for a in &roles {
            for b in roles.iter().filter(|b| b.name != a.name) {
                assert!(!is_typo(&a.name, &b.name), "{} ~ {}", a.name, b.name);
            }
        }
    }

    #[test]
    fn swapped_words_are_a_known_person_as_the_role_or_a_role_as_the_person() {
        let roles = defaults();
        // Forced earlier: a role "bob" held here by someone called "tech-lead".
        let held = [holder("security-lead", "priya"), holder("bob", "tech-lead")];
        let known = |name: &str| Ok::<_, ()>(name == "alice" || name == "dave");
        let asked = |role: &str, person: &str| swapped(role, person, &roles, &held, known).unwrap();
        assert_eq!(asked("dave", "scribe"), Some(Swapped::Both));
        assert_eq!(asked("erin", "Scribe"), Some(Swapped::PersonIsRole));
        assert_eq!(asked("alice", "security-lead"), Some(Swapped::RoleIsPerson));
        // Someone holding a role here is a person here.
        assert_eq!(asked("Priya", "legal"), Some(Swapped::RoleIsPerson));
        assert_eq!(asked("commander", "scribe"), Some(Swapped::NoPerson));
        assert_eq!(asked("security-lead", "commander"), Some(Swapped::NoPerson));
        // What this incident says stands: a role held here is a role, its
        // holder a person.
        assert_eq!(asked("bob", "tech-lead"), None);
        assert_eq!(asked("scribe", "tech-lead"), None);
        assert_eq!(asked("scribe", "dave"), None);
        assert_eq!(asked("legal", "erin"), None);
        // A role named for sure is never looked up as a person.
        let never = |_: &str| -> Result<bool, ()> { panic!("looked up") };
        assert_eq!(swapped("scribe", "dave", &roles, &[], never), Ok(None));
        assert_eq!(swapped(" ", "dave", &roles, &[], never), Ok(None));
        assert_eq!(swapped("x", "y", &roles, &[], |_| Err("busy")), Err("busy"));
    }

    #[test]
    fn anyone_who_held_a_role_is_known_by_the_role_events() {
        use crate::domain::event::sample;
        let event = |data| crate::domain::Event {
            id: 1,
            incident_id: 1,
            at: chrono::DateTime::UNIX_EPOCH,
            recorded_at: chrono::DateTime::UNIX_EPOCH,
            author: "x".into(),
            text: String::new(),
            data,
        };
        let events = [
            event(sample::assigned("scribe", "bob")),
            event(sample::handover("commander", "carol", "alice")),
            event(sample::removed("sme", "erin")),
        ];
        for name in ["bob", "Carol", "alice"] {
            assert!(ever_held(&events, name), "{name}");
        }
        assert!(
            !ever_held(&events, "erin"),
            "removal names only who held it already"
        );
        assert!(!ever_held(&events, "scribe"));
    }

    #[test]
    fn removal_needs_a_holder() {
        let holders = [holder("responder", "dave")];
        let responder = def("responder", false);
        assert_eq!(plan_remove(&responder, "dave", &holders), Ok(()));
        assert_eq!(plan_remove(&responder, "erin", &holders).unwrap_err(), ["dave"]);
        assert_eq!(
            plan_remove(&def("scribe", true), "bob", &holders).unwrap_err(),
            Vec::<String>::new()
        );
    }
}
