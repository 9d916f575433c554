//! Role assignment rules (SPEC §4): some roles have one holder at a time, so a
//! new assignment is a handover; the others collect people.

use super::RoleHolder;

/// The role that leads the response: assigning it acknowledges the incident.
pub const COMMANDER: &str = "commander";

/// A role and how many may hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDef {
    pub name: String,
    pub single: bool,
}

/// The roles every team has (SPEC §4), single-holder ones first.
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

/// Removing is only meaningful for someone who holds the role.
pub fn plan_remove(role: &RoleDef, person: &str, holders: &[RoleHolder]) -> Result<(), String> {
    if holders.iter().any(|h| h.role == role.name && h.person == person) {
        Ok(())
    } else {
        let current: Vec<&str> = holders
            .iter()
            .filter(|h| h.role == role.name)
            .map(|h| h.person.as_str())
            .collect();
        Err(if current.is_empty() {
            format!("nobody holds {}", role.name)
        } else {
            format!(
                "{person} does not hold {}; held by {}",
                role.name,
                current.join(", ")
            )
        })
    }
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
    fn removal_needs_a_holder() {
        let holders = [holder("responder", "dave")];
        let responder = def("responder", false);
        assert_eq!(plan_remove(&responder, "dave", &holders), Ok(()));
        assert_eq!(
            plan_remove(&responder, "erin", &holders).unwrap_err(),
            "erin does not hold responder; held by dave"
        );
        assert_eq!(
            plan_remove(&def("scribe", true), "bob", &holders).unwrap_err(),
            "nobody holds scribe"
        );
    }
}
