//! Shell completion through a real bash: the script `incident completions
//! bash` prints is sourced, and its function asked what Tab offers.

use crate::support::Env;
use std::process::Command;

/// What bash offers after `words` (the last one is being typed).
fn offered(env: &Env, words: &[&str]) -> Vec<String> {
    let script = env.dir.path().join("incident.bash");
    std::fs::write(&script, env.ok(&["completions", "bash"])).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("incident");
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", bin.parent().unwrap().display());
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}'\n\
         COMP_WORDS=(incident {})\n\
         COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n\
         COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}\n\
         _clap_complete_incident incident \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display(),
        quoted.join(" ")
    );
    let mut cmd = Command::new("bash");
    cmd.env_clear()
        .env("PATH", path)
        .env("HOME", env.home())
        .env("INCIDENT_DB", &env.db)
        .env("INCIDENT_NOW", &env.now)
        .args(["--norc", "--noprofile", "-c", &program]);
    if let Some(config) = &env.config {
        cmd.env("INCIDENT_CONFIG", config);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn bash_completes_open_keys_and_action_ids_from_the_database() {
    let env = Env::new();
    env.declare("Checkout down", &[]);
    env.declare("Login slow", &[]);
    env.declare("Old one", &[]);
    env.ok(&["resolve", "3", "--summary", "fixed"]);
    env.ok(&[
        "action",
        "add",
        "3",
        "Add an alert",
        "--owner",
        "bob",
        "--due",
        "1w",
        "--kind",
        "detective",
    ]);

    let keys: Vec<String> = offered(&env, &["show", ""])
        .into_iter()
        .filter(|w| !w.starts_with('-'))
        .collect();
    assert_eq!(keys, ["INC-1", "INC-2"], "open incidents only");
    // The retrospective is for resolved incidents.
    assert_eq!(offered(&env, &["retro", "INC"]), ["INC-3"]);
    let ids: Vec<String> = offered(&env, &["action", "done", ""])
        .into_iter()
        .filter(|w| !w.starts_with('-'))
        .collect();
    assert_eq!(ids, ["A-1"]);
}

#[test]
fn bash_completes_severities_roles_checks_and_choices_not_file_names() {
    let mut env = Env::new();
    env.with_config(
        "[[severity]]\nname = \"P1\"\ndescription = \"critical: all down\"\nacknowledge = \"5m\"\ntriage = \"15m\"\nremediate = \"4h\"\nretro = \"5d\"\n\n\
         [[severity]]\nname = \"P2\"\nacknowledge = \"15m\"\ntriage = \"1h\"\nremediate = \"1d\"\nretro = \"10d\"\n",
    );
    env.declare("X", &[]);
    assert_eq!(offered(&env, &["declare", "X", "--severity", ""]), ["P1", "P2"]);
    assert_eq!(
        offered(&env, &["assess", "1", "--check", "C"]),
        ["C1", "C2", "C3", "C4"]
    );
    let roles = offered(&env, &["assign-role", "1", "s"]);
    assert!(roles.contains(&"scribe".to_string()), "{roles:?}");
    assert_eq!(
        offered(&env, &["declare", "Y", "--category", "a"]),
        ["availability"]
    );
    assert!(offered(&env, &["comp"]).contains(&"completions".to_string()));
}
