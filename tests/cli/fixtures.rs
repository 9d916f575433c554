//! Data written by the previous release (tests/cli/fixtures/, made with
//! that release's binary; see the README there): its database opens,
//! migrates and verifies, its export imports, and both give the same record.

use crate::support::*;
use serde_json::Value;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/fixtures")
        .join(name)
}

/// An environment on a copy of the previous release's database.
fn on_previous_database() -> Env {
    let mut env = Env::new();
    env.db = env.dir.path().join("previous.db");
    std::fs::copy(fixture("previous-release.db"), &env.db).unwrap();
    env.at("2026-11-27T00:00:00Z");
    env
}

fn export(env: &Env) -> Value {
    let mut doc: Value = serde_json::from_str(&env.ok(&["export"])).unwrap();
    doc.as_object_mut().unwrap().remove("exported_at");
    doc
}

sqlite_only! {
    #[test]
    fn a_database_of_the_previous_release_migrates_verifies_and_takes_new_entries() {
        let env = on_previous_database();
        assert!(
            env.talk(&["verify"])
                .contains("3 incidents, 30 events: every timeline is intact")
        );
        let version: i64 = env
            .sql()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, incident::store::sqlite::migrations::LATEST);

        let one = env.show("1");
        assert_eq!(one["status"], "resolved");
        assert_eq!(one["severity"], "SEV1");
        assert_eq!(one["roles"][0]["person"], "carol");
        let checked: Vec<&str> = one["assessment"]["checked"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(checked, ["C3", "A1"]);
        // Every kind the previous release wrote reads back with its details.
        let timeline = one["timeline"].as_array().unwrap();
        let exec = timeline
            .iter()
            .find(|e| e["text"].as_str().unwrap().starts_with("Ran `true`"))
            .unwrap();
        assert_eq!(exec["details"]["command"], serde_json::json!(["true"]));
        let handover = timeline.iter().find(|e| e["kind"] == "role_handover").unwrap();
        assert_eq!(handover["details"]["previous"], "alice");

        // Stats still count every incident: the upgrade cleared the cache the
        // previous release settled (no time to detect in it), and this report
        // settles INC-3 again.
        let stats = env.json(&["stats", "--since", "2026-11-01"]);
        assert_eq!(stats["incidents"], 3);

        env.ok(&["update", "2", "Cache warmed", "--status", "mitigated"]);
        env.ok(&["assign-role", "2", "commander", "erin"]);
        assert!(env.talk(&["verify"]).contains("every timeline is intact"));
        assert_eq!(env.show("2")["timeline"].as_array().unwrap().len(), 6);
    }
}

#[test]
fn an_export_of_the_previous_release_imports_to_the_same_record_as_its_database() {
    let previous = on_previous_database();
    let mut fresh = Env::new();
    fresh.at("2026-11-27T00:00:00Z");
    let file = fixture("previous-release-export.json");
    let talk = fresh.talk(&["import", file.to_str().unwrap()]);
    assert!(talk.contains("3 added, 0 extended, 0 unchanged"), "{talk}");
    assert!(
        fresh
            .talk(&["verify"])
            .contains("3 incidents, 30 events: every timeline is intact")
    );
    assert_eq!(export(&fresh), export(&previous));
    for key in ["1", "2", "3"] {
        assert_eq!(fresh.show(key), previous.show(key));
    }
    // Importing it again, or into the database it came from, changes nothing.
    let again = previous.talk(&["import", file.to_str().unwrap()]);
    assert!(again.contains("0 added, 0 extended, 3 unchanged"), "{again}");
}
