use crate::support::*;
use serde_json::json;

#[test]
fn roles_are_assigned_handed_over_and_removed() {
    let env = Env::new();
    env.declare("Checkout returns 500s", &["--commander", "alice"]);
    env.ok(&["assign-role", "INC-1", "scribe", "bob"]);
    let talk = env.talk(&["assign-role", "inc-1", "commander", "carol"]);
    assert!(talk.contains("alice handed commander to carol"), "{talk}");
    env.ok(&["assign-role", "1", "responder", "dave"]);
    env.ok(&["assign-role", "1", "responder", "erin"]);
    env.ok(&["assign-role", "1", "Responder", "erin", "--remove"]);

    let i = env.show("INC-1");
    assert_eq!(i["commander"], "carol");
    // In order of assignment; at the same second, by role name.
    assert_eq!(
        i["roles"],
        json!([
            {"role": "commander", "person": "carol"},
            {"role": "responder", "person": "dave"},
            {"role": "scribe", "person": "bob"},
        ])
    );
    assert_eq!(
        kinds(&i),
        [
            "declared",
            "role_assigned",
            "role_assigned",
            "role_handover",
            "role_assigned",
            "role_assigned",
            "role_removed"
        ]
    );
    let handover = &i["timeline"][3];
    assert_eq!(handover["text"], "alice handed commander to carol");
    assert_eq!(
        handover["details"],
        json!({"role": "commander", "person": "carol", "previous": "alice"})
    );
}

#[test]
fn assigning_a_role_someone_already_holds_changes_nothing() {
    let env = Env::new();
    env.declare("X", &["--commander", "alice"]);
    let talk = env.talk(&["assign-role", "1", "commander", "alice"]);
    assert!(talk.contains("already holds commander"), "{talk}");
    assert_eq!(kinds(&env.show("1")).len(), 2);
}

#[test]
fn typos_of_roles_and_non_holders_are_refused() {
    let env = Env::new();
    env.declare("X", &[]);
    let err = env.fails(2, &["assign-role", "1", "scirbe", "bob"]);
    assert!(
        err.contains("unknown role 'scirbe': did you mean scribe? (--force takes 'scirbe' as a new role)"),
        "{err}"
    );
    let err = env.fails(2, &["assign-role", "1", "scribe", "bob", "--remove"]);
    assert!(err.contains("nobody holds scribe on INC-1"), "{err}");
    env.fails(2, &["assign-role", "1", "scribe", "  "]);
    assert_eq!(kinds(&env.show("1")), ["declared"]);
}

#[test]
fn configured_roles_can_be_assigned() {
    let mut env = Env::new();
    env.with_config("[roles]\nadd = [\"legal\"]\nsingle = [\"security-lead\"]\n");
    env.declare("Breach", &[]);
    env.ok(&["assign-role", "1", "legal", "lee"]);
    env.ok(&["assign-role", "1", "legal", "lou"]);
    env.ok(&["assign-role", "1", "security-lead", "sam"]);
    env.ok(&["assign-role", "1", "security-lead", "sue"]);
    let i = env.show("1");
    let people: Vec<_> = i["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["person"].as_str().unwrap())
        .collect();
    assert_eq!(people, ["lee", "lou", "sue"]);
}

#[test]
fn a_role_nobody_configured_is_taken_for_the_incident() {
    let env = Env::new();
    env.declare("Card data exposed", &[]);
    // No configuration file: nobody edits one in the middle of an incident.
    let talk = env.talk(&["assign-role", "INC-1", "security-lead", "priya"]);
    assert!(talk.contains("INC-1: priya is security-lead"), "{talk}");
    // An ad-hoc role may have many holders.
    env.ok(&["assign-role", "1", "security-lead", "sam"]);
    env.ok(&["assign-role", "1", "Security-Lead", "sam"]);
    // A typo of a known role is refused, and --force takes it anyway.
    env.fails(2, &["assign-role", "1", "comander", "bob"]);
    env.ok(&["assign-role", "1", "comander", "bob", "--force"]);
    // Once held on the incident, the name is known there: no --force to remove it.
    env.ok(&["assign-role", "1", "comander", "bob", "--remove"]);
    let i = env.show("1");
    let held: Vec<(&str, &str)> = i["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["role"].as_str().unwrap(), r["person"].as_str().unwrap()))
        .collect();
    assert_eq!(held, [("security-lead", "priya"), ("security-lead", "sam")]);
    let text = env.ok(&["show", "1"]);
    assert!(text.contains("  security-lead    priya, sam\n"), "{text}");
    assert_eq!(
        kinds(&i),
        [
            "declared",
            "role_assigned",
            "role_assigned",
            "role_assigned",
            "role_removed"
        ]
    );
}

#[test]
fn a_longer_misspelling_of_a_long_role_is_a_typo() {
    let env = Env::new();
    env.declare("X", &[]);
    let err = env.fails(2, &["assign-role", "1", "communications", "bob"]);
    assert!(
        err.contains("unknown role 'communications': did you mean communicator?"),
        "{err}"
    );
    env.ok(&["assign-role", "1", "communications", "bob", "--force"]);
}
