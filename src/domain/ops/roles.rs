//! Who holds which role: assigning (a handover for a single-holder role
//! someone else holds) and removing.

use super::{Change, Part, Refusal, not_ended};
use crate::domain::event::{Handover, RoleChange};
use crate::domain::roles::{self, Assignment, RoleDef};
use crate::domain::{EventData, Incident};
use chrono::{DateTime, Utc};

/// Gives `person` the role: a handover for a single-holder role someone
/// else holds. Empty when they hold it already.
pub fn assign_role(
    incident: &Incident,
    role: &RoleDef,
    person: &str,
    now: DateTime<Utc>,
) -> Result<Change, Refusal> {
    not_ended(incident, Part::Roles)?;
    Ok(assign(incident, role, person, now))
}

pub(super) fn assign(incident: &Incident, role: &RoleDef, person: &str, now: DateTime<Utc>) -> Change {
    let name = &role.name;
    let change = Change::of(incident);
    let (data, text) = match roles::plan_assign(role, person, &incident.roles) {
        Assignment::AlreadyHeld => return change,
        Assignment::Assign => (
            EventData::RoleAssigned(RoleChange {
                role: name.clone(),
                person: person.into(),
            }),
            format!("{person} is {name}"),
        ),
        Assignment::Handover { from } => (
            EventData::RoleHandover(Handover {
                role: name.clone(),
                person: person.into(),
                previous: from.clone(),
            }),
            format!("{from} handed {name} to {person}"),
        ),
    };
    change.record(now, data, text)
}

/// Takes the role from `person`, who must hold it.
pub fn remove_role(
    incident: &Incident,
    role: &RoleDef,
    person: &str,
    now: DateTime<Utc>,
) -> Result<Change, Refusal> {
    not_ended(incident, Part::Roles)?;
    roles::plan_remove(role, person, &incident.roles).map_err(|holders| Refusal::NotHolder {
        role: role.name.clone(),
        person: person.to_string(),
        holders,
    })?;
    let data = EventData::RoleRemoved(RoleChange {
        role: role.name.clone(),
        person: person.into(),
    });
    let text = format!("{person} is no longer {}", role.name);
    Ok(Change::of(incident).record(now, data, text))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::domain::EventKind;

    #[test]
    fn a_single_holder_role_is_handed_over_and_a_repeat_changes_nothing() {
        let first = assign_role(&Incident::example(), &role("scribe", true), "bob", t("08:05")).unwrap();
        let handover = assign_role(&first.incident, &role("scribe", true), "carol", t("08:10")).unwrap();
        assert_eq!(kinds(&handover), [EventKind::RoleHandover]);
        assert_eq!(handover.events[0].text, "bob handed scribe to carol");
        assert_eq!(handover.incident.roles.len(), 1);
        assert!(
            assign_role(&handover.incident, &role("scribe", true), "carol", t("08:11"))
                .unwrap()
                .is_empty()
        );
        let many = assign_role(&handover.incident, &role("sme", false), "dan", t("08:12")).unwrap();
        let more = assign_role(&many.incident, &role("sme", false), "eve", t("08:13")).unwrap();
        assert_eq!(more.incident.roles.len(), 3);
    }

    #[test]
    fn removing_a_role_needs_its_holder() {
        let held = assign_role(&Incident::example(), &role("scribe", true), "bob", t("08:05")).unwrap();
        let refused = remove_role(&held.incident, &role("scribe", true), "eve", t("08:06")).unwrap_err();
        assert_eq!(
            refused,
            Refusal::NotHolder {
                role: "scribe".into(),
                person: "eve".into(),
                holders: vec!["bob".into()]
            }
        );
        let removed = remove_role(&held.incident, &role("scribe", true), "bob", t("08:06")).unwrap();
        assert!(removed.incident.roles.is_empty());
        assert_eq!(kinds(&removed), [EventKind::RoleRemoved]);
    }
}
