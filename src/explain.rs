//! The words for the domain's refusals: what a person reads when a change
//! is refused, with the commands and options that get them further. The
//! domain says what and why ([`Refusal`]); only this module says it in
//! sentences, so the two never mix.

use crate::domain::lifecycle::Refused;
use crate::domain::ops::{Doing, Listed, Part, Refusal};
use crate::domain::precision::{Precision, to_tell_apart};
use crate::domain::retro::{Missing, format_action_id};
use crate::domain::roles::{Swapped, UnknownRole};
use chrono::{DateTime, Utc};

/// How a refusal names incidents and times.
pub struct Names<'a> {
    /// The incident refused.
    pub key: &'a str,
    /// Any incident's key, by number.
    pub key_of: &'a dyn Fn(i64) -> String,
    /// A time, as the person reads it, to the precision given.
    pub time: &'a dyn Fn(DateTime<Utc>, Precision) -> String,
}

/// The one-line message for a refusal.
pub fn refusal(r: &Refusal, names: &Names<'_>) -> String {
    let key = names.key;
    // Two times compared are shown finely enough to tell apart.
    let two = |a: DateTime<Utc>, b: DateTime<Utc>| {
        let precision = to_tell_apart(a, b);
        ((names.time)(a, precision), (names.time)(b, precision))
    };
    let reopen = format!("'incident reopen {key} --reason WHY'");
    match r {
        Refusal::NotOpen {
            status,
            doing: Doing::Resolve,
        } => format!("{key} is already {status}; reopen it with {reopen}"),
        Refusal::NotOpen {
            status,
            doing: Doing::Acknowledge,
        } => format!(
            "{key} is {status}: there is nothing to acknowledge (a page stops when its incident ends)"
        ),
        Refusal::NotOpen { status, .. } => format!("{key} is {status}; reopen it first with {reopen}"),
        Refusal::Ended { status, part } => format!(
            "{key} is {status}: its {} cannot change; reopen it first with {reopen} \
             (notes and evidence are still taken)",
            part_name(*part)
        ),
        Refusal::OutOfOrder { at, part, entry } => {
            let what = part_name(*part);
            let (at, latest) = two(*at, entry.at);
            format!(
                "--at {at} is before the latest {what} change on {key}, \"{}\" at {latest}; \
                 the {what} is what the timeline says in time order, so a change cannot be dated before it \
                 (record a note instead)",
                entry.text,
            )
        }
        Refusal::BeforeDeclared { at, declared } => {
            let (at, declared) = two(*at, *declared);
            format!("--at {at} is before {key} was declared ({declared})")
        }
        Refusal::CannotReopen(why) => format!("cannot reopen {key}: {}", lifecycle(*why)),
        Refusal::Repeats { open } => {
            let open = (names.key_of)(*open);
            format!(
                "{open} is open on the same service with a similar title; add to it with \
                 'incident update {open} ...', or declare a new incident anyway with --force"
            )
        }
        Refusal::OwnDuplicate { via: None } => format!("{key} cannot be a duplicate of itself"),
        Refusal::OwnDuplicate { via: Some(other) } => {
            let other = (names.key_of)(*other);
            format!("{key} cannot be a duplicate of {other}: {other} is a duplicate of {key}")
        }
        Refusal::PrimaryCanceled { primary } => {
            let primary = (names.key_of)(*primary);
            format!(
                "{primary} is canceled, so {key} cannot be its duplicate; cancel {key} too, or reopen {primary} first"
            )
        }
        Refusal::NotListed { list, item, listed } => {
            let list = match list {
                Listed::Services => "services",
                Listed::Channels => "channels",
                Listed::Tags => "tags",
            };
            match listed.is_empty() {
                true => format!("{key} lists no {list}; nothing to remove"),
                false => format!(
                    "{key} does not list '{item}' among its {list} ({})",
                    listed.join(", ")
                ),
            }
        }
        Refusal::NothingToEdit => format!("nothing to change: {key} already says that"),
        Refusal::WouldLower { current, asked } => format!(
            "escalate only raises severity and {key} is already {current}; \
             lower it with 'incident update {key} --severity {asked}'"
        ),
        Refusal::NoPolicy { severity } => format!("no escalation policy for {severity}"),
        Refusal::Lifecycle(why) => lifecycle(*why),
        Refusal::NotHolder {
            role,
            person,
            holders,
        } => match holders.is_empty() {
            true => format!("nobody holds {role} on {key}"),
            false => format!(
                "{person} does not hold {role}; held by {} on {key}",
                holders.join(", ")
            ),
        },
        Refusal::RetroNotResolved(crate::domain::Status::Closed) => format!(
            "{key} is closed: its retrospective is complete; read it with 'incident retro {key} --export md'"
        ),
        Refusal::RetroNotResolved(status) => format!(
            "{key} is {status}: the retrospective comes after resolution; resolve it first with 'incident resolve {key}'"
        ),
        Refusal::NotResolved(status) => format!(
            "{key} is {status}: a resolution summary is for a resolved incident; give it with 'incident resolve {key} --summary TEXT'"
        ),
        Refusal::Incomplete(missing) => format!(
            "cannot complete the retrospective of {key}: it needs {}; record them with \
             'incident retro {key}' (or --answers FILE) and 'incident action add {key} TEXT --owner --due --kind'",
            needs(missing)
        ),
        Refusal::HasActions { first, more } => format!(
            "{key} has action items ({} and {more} more); leave out --no-actions",
            format_action_id(*first)
        ),
        Refusal::CannotClose(why) => format!("cannot close {key}: {}", lifecycle(*why)),
        Refusal::HasPlaybook(name) => {
            format!("{key} already follows playbook {name}; an incident follows one plan")
        }
        Refusal::NoPlaybook => format!(
            "{key} follows no playbook, so it has no tasks; attach one with 'incident edit {key} --playbook NAME'"
        ),
        Refusal::NoTask { number, count } => format!(
            "{key} has no task {number}: its checklist has {count}; see them with 'incident task {key}'"
        ),
        Refusal::TaskEnded { number, state } => {
            format!("task {number} of {key} is already {state}; see the checklist with 'incident task {key}'")
        }
    }
}

fn part_name(part: Part) -> &'static str {
    match part {
        Part::Status => "status",
        Part::Severity => "severity",
        Part::Roles => "roles",
        Part::Playbook => "playbook",
        Part::Tasks => "tasks",
    }
}

/// Why a status change is not allowed, and which command does it.
pub fn lifecycle(why: Refused) -> String {
    match why {
        Refused::ClosedByRetro => {
            "an incident is closed by completing its retrospective ('incident retro KEY --complete')".into()
        }
        Refused::CanceledApart => "an incident is canceled with 'incident cancel KEY --reason WHY'".into(),
        Refused::DuplicateApart => {
            "an incident is marked a duplicate with 'incident duplicate KEY --of OTHER'".into()
        }
        Refused::Final(from) => {
            format!(
                "a {from} incident changes status only when reopened ('incident reopen KEY --reason WHY')"
            )
        }
        Refused::ReopenTo(to) => format!("an incident is reopened to an active status, not {to}"),
        Refused::NothingToReopen(from) => {
            format!("it is {from}, not resolved, closed, canceled or a duplicate: nothing to reopen")
        }
        Refused::AlreadyClosed => "it is already closed".into(),
        Refused::NotResolved(from) => format!("it is {from}; resolve it first ('incident resolve KEY')"),
    }
}

/// What completing a retrospective still needs, in words.
pub fn needs(missing: &[Missing]) -> String {
    let words: Vec<&str> = missing
        .iter()
        .map(|m| match m {
            Missing::RootCause => "a root cause",
            Missing::ActionItem => "at least one action item (or --no-actions \"reason\")",
        })
        .collect();
    words.join(" and ")
}

/// Why a role name was not taken.
pub fn unknown_role(why: &UnknownRole) -> String {
    match why {
        UnknownRole::Empty => "the role is empty; name one, e.g. scribe".into(),
        UnknownRole::NotOneWord { name, bad } => format!(
            "a role is one word (letters, digits, '-' or '_'), and '{name}' has {bad:?}; e.g. security-lead"
        ),
        UnknownRole::Typo { wanted, near } => {
            format!("unknown role '{wanted}': did you mean {near}? (--force takes '{wanted}' as a new role)")
        }
    }
}

/// The words of an `assign-role` that looked swapped, as given.
pub struct RoleWords<'a> {
    pub key: &'a str,
    pub role: &'a str,
    pub person: &'a str,
    pub remove: bool,
}

/// Why `assign-role`'s words look swapped, with the likely order.
pub fn swapped(why: Swapped, w: &RoleWords<'_>) -> String {
    let (role, person) = (w.role, w.person);
    let what = match why {
        Swapped::NoPerson => {
            return format!(
                "'{person}' is a role, not a person: name who takes {role} \
                 (--force takes '{person}' as a person)"
            );
        }
        Swapped::Both => format!("'{role}' is a person and '{person}' a role"),
        Swapped::PersonIsRole => format!("'{person}' is a role"),
        Swapped::RoleIsPerson => format!("'{role}' is a person"),
    };
    let remove = if w.remove { " --remove" } else { "" };
    format!(
        "{what}: did you mean 'incident assign-role {} {} {}{remove}'? (--force takes them in the order given)",
        w.key,
        quoted(person),
        quoted(role)
    )
}

/// A word as a person would type it in a shell, inside the single quotes
/// a suggested command is shown in: in double quotes when it has spaces or
/// shell characters.
fn quoted(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain {
        return word.to_string();
    }
    let mut out = String::from("\"");
    for c in word.chars() {
        if "\"\\$`".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Status;
    use crate::domain::ops::Mark;

    fn t(hm: &str) -> DateTime<Utc> {
        format!("2026-11-23T{hm}:00Z").parse().unwrap()
    }

    fn said(r: Refusal) -> String {
        let names = Names {
            key: "INC-1",
            key_of: &|id| format!("INC-{id}"),
            time: &|t, precision| match precision {
                Precision::Minutes => t.format("%H:%M").to_string(),
                _ => t.format("%H:%M:%S").to_string(),
            },
        };
        refusal(&r, &names)
    }

    #[test]
    fn time_order_refusals_name_the_option_and_the_entry() {
        let entry = Mark {
            at: t("09:00"),
            text: "Reopened: resolved → investigating: errors again".into(),
        };
        assert_eq!(
            said(Refusal::OutOfOrder {
                at: t("08:30"),
                part: Part::Status,
                entry
            }),
            "--at 08:30 is before the latest status change on INC-1, \"Reopened: resolved → investigating: \
             errors again\" at 09:00; the status is what the timeline says in time order, so a change cannot \
             be dated before it (record a note instead)"
        );
        assert_eq!(
            said(Refusal::BeforeDeclared {
                at: t("09:00"),
                declared: t("10:00")
            }),
            "--at 09:00 is before INC-1 was declared (10:00)"
        );
        // The same minute: the seconds decide, and are shown.
        let second = |s: &str| format!("2026-11-23T03:28:{s}Z").parse().unwrap();
        assert_eq!(
            said(Refusal::BeforeDeclared {
                at: second("05"),
                declared: second("41")
            }),
            "--at 03:28:05 is before INC-1 was declared (03:28:41)"
        );
    }

    #[test]
    fn an_ended_incident_says_how_to_reopen_it() {
        assert!(
            said(Refusal::Ended {
                status: Status::Closed,
                part: Part::Status
            })
            .contains("reopen it first with 'incident reopen INC-1 --reason WHY'")
        );
        assert_eq!(
            said(Refusal::NotHolder {
                role: "scribe".into(),
                person: "eve".into(),
                holders: vec!["bob".into()]
            }),
            "eve does not hold scribe; held by bob on INC-1"
        );
        assert_eq!(
            said(Refusal::OwnDuplicate { via: Some(4) }),
            "INC-1 cannot be a duplicate of INC-4: INC-4 is a duplicate of INC-1"
        );
    }

    #[test]
    fn swapped_role_words_say_the_likely_order() {
        let words = |role, person, remove| RoleWords {
            key: "INC-1",
            role,
            person,
            remove,
        };
        assert_eq!(
            swapped(Swapped::Both, &words("bob", "scribe", false)),
            "'bob' is a person and 'scribe' a role: did you mean 'incident assign-role INC-1 scribe bob'? \
             (--force takes them in the order given)"
        );
        assert!(
            swapped(Swapped::RoleIsPerson, &words("Bob Smith", "sme", true))
                .starts_with("'Bob Smith' is a person: did you mean 'incident assign-role INC-1 sme \"Bob Smith\" --remove'?")
        );
        assert!(
            swapped(Swapped::PersonIsRole, &words("o\"neil$", "scribe", false))
                .contains("assign-role INC-1 scribe \"o\\\"neil\\$\"'?")
        );
        assert_eq!(
            swapped(Swapped::NoPerson, &words("commander", "scribe", false)),
            "'scribe' is a role, not a person: name who takes commander (--force takes 'scribe' as a person)"
        );
    }

    #[test]
    fn a_retro_that_cannot_complete_says_what_it_needs() {
        assert_eq!(
            needs(&[Missing::RootCause, Missing::ActionItem]),
            "a root cause and at least one action item (or --no-actions \"reason\")"
        );
        assert_eq!(
            unknown_role(&UnknownRole::Typo {
                wanted: "scirbe".into(),
                near: "scribe".into()
            }),
            "unknown role 'scirbe': did you mean scribe? (--force takes 'scirbe' as a new role)"
        );
    }
}
