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

/// `assign-role KEY PERSON ROLE`, the words swapped: refused with the
/// likely order when the role word is a known person (who holds or held
/// a role on any incident, or the one acting) or the person word a
/// configured role; `--force` takes them as given.
#[test]
fn swapped_words_are_refused_with_the_likely_order() {
    let env = Env::new();
    env.declare("Checkout returns 500s", &[]);
    env.ok(&["assign-role", "1", "responder", "bob"]);
    env.ok(&["assign-role", "1", "responder", "bob", "--remove"]);
    env.declare("Search is slow", &[]);
    let err = env.fails(2, &["assign-role", "INC-2", "bob", "scribe"]);
    assert_eq!(
        err.trim_end(),
        "error: 'bob' is a person and 'scribe' a role: did you mean 'incident assign-role INC-2 scribe bob'? \
         (--force takes them in the order given)"
    );
    // A person word that is a configured role is enough.
    let err = env.fails(2, &["assign-role", "2", "priya", "Communicator"]);
    assert!(
        err.contains(
            "'Communicator' is a role: did you mean 'incident assign-role INC-2 Communicator priya'?"
        ),
        "{err}"
    );
    // A role word that names a known person is enough: the one acting,
    // or who held a role anywhere, even taken away since.
    let err = env.fails(2, &["assign-role", "2", "alice", "security-lead"]);
    assert!(
        err.contains("'alice' is a person: did you mean 'incident assign-role INC-2 security-lead alice'?"),
        "{err}"
    );
    let err = env.fails(2, &["assign-role", "2", "Bob", "sme-db", "--remove"]);
    assert!(
        err.contains("did you mean 'incident assign-role INC-2 sme-db Bob --remove'?"),
        "{err}"
    );
    let err = env.fails(2, &["assign-role", "2", "commander", "scribe"]);
    assert!(
        err.contains("'scribe' is a role, not a person: name who takes commander"),
        "{err}"
    );
    assert_eq!(kinds(&env.show("2")), ["declared"]);

    // --force takes them in the order given.
    env.ok(&["assign-role", "2", "bob", "scribe", "--force"]);
    let i = env.show("2");
    assert_eq!(i["roles"], json!([{"role": "bob", "person": "scribe"}]));
    // Once held on this incident, the name is a role here.
    env.ok(&["assign-role", "2", "bob", "scribe", "--remove"]);
    // Nothing known either way: an ad-hoc role as before.
    env.ok(&["assign-role", "2", "security-lead", "priya"]);
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
