//! Shell completion through real shells: the script `incident completions
//! SHELL` prints is sourced into bash, zsh and fish, and each asked what
//! Tab offers. bash's and zsh's functions are called as their completion
//! systems call them (zsh's `_describe`, which only draws the menu, is
//! replaced by one that prints it); fish answers `complete -C` itself.
//! A test that needs a shell that is missing fails, saying it was skipped
//! and why (tests/cli/tools.rs).

use crate::support::Env;
use crate::tools::{self, Tool};
use std::process::Command;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl Shell {
    fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
        }
    }

    fn tool(self) -> Tool {
        match self {
            Shell::Bash => Tool::Bash,
            Shell::Zsh => Tool::Zsh,
            Shell::Fish => Tool::Fish,
        }
    }
}

const SHELLS: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

/// What `shell` offers after `words` (the last one is being typed).
fn offered(env: &Env, words: &[&str]) -> Vec<String> {
    offered_in(Shell::Bash, env, words)
}

fn offered_in(shell: Shell, env: &Env, words: &[&str]) -> Vec<String> {
    match shell {
        Shell::Bash => bash(env, words),
        Shell::Zsh => zsh(env, words),
        Shell::Fish => fish(env, words),
    }
}

/// The shell with only the test's environment, `incident` first on PATH.
fn shell_cmd(env: &Env, shell: Shell) -> Command {
    let bin = assert_cmd::cargo::cargo_bin("incident");
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", bin.parent().unwrap().display());
    let mut cmd = Command::new(tools::require(shell.tool()));
    cmd.env_clear()
        .env("PATH", path)
        .env("HOME", env.home())
        .env("XDG_CONFIG_HOME", env.dir.path().join("xdg-config"))
        .env("XDG_DATA_HOME", env.dir.path().join("xdg-data"))
        .env("INCIDENT_DB", &env.db)
        .env("INCIDENT_NOW", &env.now);
    if let Some(config) = &env.config {
        cmd.env("INCIDENT_CONFIG", config);
    }
    cmd
}

fn lines(shell: Shell, mut cmd: Command) -> Vec<String> {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        shell.name(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

fn script(env: &Env, shell: Shell) -> std::path::PathBuf {
    let path = env.dir.path().join(format!("incident.{}", shell.name()));
    std::fs::write(&path, env.ok(&["completions", shell.name()])).unwrap();
    path
}

fn quoted(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// zsh: the registered function, called with `words` and `CURRENT` as
/// compsys sets them; `_describe` prints the values instead of a menu.
fn zsh(env: &Env, words: &[&str]) -> Vec<String> {
    let program = format!(
        "compdef() {{ : }}\n\
         _describe() {{ local name=${{@[3]}}; print -rl -- \"${{(@P)name}}\" }}\n\
         source '{}'\n\
         words=(incident {})\n\
         CURRENT=${{#words}}\n\
         _clap_dynamic_completer_incident\n",
        script(env, Shell::Zsh).display(),
        quoted(words)
    );
    let mut cmd = shell_cmd(env, Shell::Zsh);
    cmd.args(["-f", "-c", &program]);
    // "value:description" → value (a colon in a value comes escaped).
    lines(Shell::Zsh, cmd)
        .into_iter()
        .map(|l| {
            let mut value = String::new();
            let mut chars = l.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    ':' => break,
                    c => value.push(c),
                }
            }
            value
        })
        .collect()
}

/// fish: its own `complete -C`, as Tab runs it.
fn fish(env: &Env, words: &[&str]) -> Vec<String> {
    let program = format!(
        "source '{}'; complete -C {}",
        script(env, Shell::Fish).display(),
        shell_quote(&format!("incident {}", words.join(" ")))
    );
    let mut cmd = shell_cmd(env, Shell::Fish);
    cmd.args(["--no-config", "-c", &program]);
    // "value<TAB>description" → value
    lines(Shell::Fish, cmd)
        .into_iter()
        .map(|l| l.split('\t').next().unwrap_or_default().to_string())
        .collect()
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// bash: the registered function, called with COMP_WORDS and COMP_CWORD
/// as bash's `complete -F` sets them.
fn bash(env: &Env, words: &[&str]) -> Vec<String> {
    let program = format!(
        "source '{}'\n\
         COMP_WORDS=(incident {})\n\
         COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n\
         COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}\n\
         _clap_complete_incident incident \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script(env, Shell::Bash).display(),
        quoted(words)
    );
    let mut cmd = shell_cmd(env, Shell::Bash);
    cmd.args(["--norc", "--noprofile", "-c", &program]);
    lines(Shell::Bash, cmd)
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

#[test]
fn bash_completes_playbook_names_and_the_alerts_no_incident_holds() {
    let mut env = Env::new();
    env.with_config("");
    let plans = env.dir.path().join("playbooks");
    std::fs::create_dir_all(&plans).unwrap();
    for name in ["ddos.toml", "outage.toml"] {
        let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/playbooks")
            .join(name);
        std::fs::copy(shipped, plans.join(name)).unwrap();
    }
    assert_eq!(
        offered(&env, &["declare", "X", "--playbook", ""]),
        ["ddos", "outage"]
    );
    assert_eq!(offered(&env, &["playbooks", "o"]), ["outage"]);
    // No rule says to open or attach: both alerts are only recorded.
    let alerts = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/fixtures/alerts/alertmanager-firing.json");
    env.ok(&["ingest", alerts.to_str().unwrap()]);
    assert_eq!(
        offered(&env, &["declare", "--from-alert", ""]),
        ["2", "1"],
        "most recently seen first"
    );
    env.ok(&["declare", "--from-alert", "1"]);
    assert_eq!(
        offered(&env, &["update", "INC-1", "--attach-alert", ""]),
        ["2"],
        "not one an incident holds"
    );
}

#[test]
fn zsh_and_fish_complete_keys_ids_severities_roles_and_choices_like_bash() {
    let mut env = Env::new();
    env.with_config(
        "[[severity]]\nname = \"P1\"\ndescription = \"critical: all down\"\nacknowledge = \"5m\"\ntriage = \"15m\"\nremediate = \"4h\"\nretro = \"5d\"\n\n\
         [[severity]]\nname = \"P2\"\nacknowledge = \"15m\"\ntriage = \"1h\"\nremediate = \"1d\"\nretro = \"10d\"\n",
    );
    env.declare("Checkout down", &[]);
    env.declare("Login slow", &[]);
    env.ok(&["resolve", "2", "--summary", "fixed"]);
    env.ok(&[
        "action",
        "add",
        "2",
        "Add an alert",
        "--owner",
        "bob",
        "--due",
        "1w",
        "--kind",
        "detective",
    ]);
    let values = |shell, words: &[&str]| -> Vec<String> {
        offered_in(shell, &env, words)
            .into_iter()
            .filter(|w| !w.starts_with('-'))
            .collect()
    };
    // Each shell that is there is tested before a missing one fails the test.
    let (shells, missing): (Vec<Shell>, Vec<Shell>) =
        SHELLS.into_iter().partition(|s| tools::find(s.tool()).is_some());
    for shell in shells {
        let name = shell.name();
        assert_eq!(
            values(shell, &["show", ""]),
            ["INC-1"],
            "{name}: open incidents only"
        );
        assert_eq!(values(shell, &["retro", "INC"]), ["INC-2"], "{name}");
        assert_eq!(values(shell, &["action", "done", ""]), ["A-1"], "{name}");
        assert_eq!(
            values(shell, &["declare", "X", "--severity", ""]),
            ["P1", "P2"],
            "{name}"
        );
        assert_eq!(
            values(shell, &["assess", "1", "--check", "C"]),
            ["C1", "C2", "C3", "C4"],
            "{name}"
        );
        assert!(
            values(shell, &["assign-role", "1", "s"]).contains(&"scribe".to_string()),
            "{name}"
        );
        assert_eq!(
            values(shell, &["declare", "Y", "--category", "a"]),
            ["availability"],
            "{name}"
        );
        assert!(
            values(shell, &["comp"]).contains(&"completions".to_string()),
            "{name}"
        );
        // Refused values are never offered: `closed` is reached through a
        // retrospective, never `update --status`.
        let statuses = values(shell, &["update", "1", "--status", ""]);
        assert!(
            !statuses.is_empty() && !statuses.contains(&"closed".to_string()),
            "{name}: {statuses:?}"
        );
        // The hidden and internal never show.
        let commands = values(shell, &[""]);
        assert!(commands.contains(&"declare".to_string()), "{name}: {commands:?}");
        assert!(
            !commands.iter().any(|c| c.contains("bench")),
            "{name}: {commands:?}"
        );
    }
    for shell in missing {
        tools::require(shell.tool());
    }
}

#[test]
fn a_completion_menu_shows_titles_escaped_and_on_one_short_line() {
    let env = Env::new();
    let title = format!(
        "Clipboard \u{1b}]52;c;QUJD\u{7}\u{202e} {}",
        "very long title ".repeat(40)
    );
    env.declare(&title, &[]);
    let out = env
        .cmd()
        .env("INCIDENT_COMPLETE", "fish")
        .args(["--", "incident", "show", ""])
        .output()
        .unwrap();
    let menu = String::from_utf8(out.stdout).unwrap();
    let line = menu.lines().find(|l| l.starts_with("INC-1\t")).expect(&menu);
    assert!(!line.contains(['\u{1b}', '\u{7}', '\u{202e}']), "{line:?}");
    assert!(line.contains("\\u{1b}]52"), "{line:?}");
    assert!(line.chars().count() < 90 && line.ends_with('…'), "{line:?}");
}

/// The `incident … --install` lines of the README and docs/install.md, as
/// they are written there.
fn install_lines() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut lines = Vec::new();
    for doc in ["README.md", "docs/install.md"] {
        let text = std::fs::read_to_string(root.join(doc)).unwrap();
        let mut found = 0;
        for line in text.lines().map(str::trim) {
            if line.starts_with("incident ") && line.contains("--install") {
                lines.push(line.to_string());
                found += 1;
            }
        }
        assert!(found >= 2, "{doc} gives the install lines");
    }
    lines
}

/// sh with a fresh HOME (nothing under it), the shell in $SHELL, and
/// `incident` on PATH where `cargo install` puts it, ~/.cargo/bin.
fn fresh_home_sh(env: &Env, path_extra: &str, line: &str) -> std::process::Output {
    let home = env.home();
    let bin = home.join(".cargo/bin");
    std::fs::create_dir_all(&bin).unwrap();
    let _ = std::fs::remove_file(bin.join("incident"));
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("incident"), bin.join("incident")).unwrap();
    Command::new("sh")
        .env_clear()
        .env("HOME", &home)
        .env("SHELL", tools::require(Tool::Bash))
        .env(
            "PATH",
            format!("{path_extra}{}:/usr/local/bin:/usr/bin:/bin", bin.display()),
        )
        .env("INCIDENT_DB", &env.db)
        .args(["-c", line])
        .output()
        .unwrap()
}

#[test]
fn the_install_lines_work_verbatim_on_a_fresh_home_and_man_finds_the_pages() {
    let man = tools::require(Tool::Man);
    for line in install_lines() {
        let env = Env::new();
        let out = fresh_home_sh(&env, "", &line);
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{line}: {said}");
        assert!(said.contains("wrote "), "{line}: says where: {said}");
        let home = env.home();
        if line.contains("man --install") {
            assert!(home.join(".local/share/man/man1/incident.1").is_file(), "{line}");
            assert!(home.join(".local/share/man/man1/incident-action-add.1").is_file());
            // ~/.cargo/bin alone on PATH: man does not look there, and the
            // line printed makes it.
            let printed = String::from_utf8_lossy(&out.stdout).trim().to_string();
            assert!(said.contains("man does not search ~/.local/share/man"), "{said}");
            assert!(printed.starts_with("export MANPATH="), "{printed:?}");
            let finds = |setup: &str, extra: &str| {
                let out = fresh_home_sh(
                    &env,
                    extra,
                    &format!("{setup} '{}' -w incident-declare", man.display()),
                );
                String::from_utf8_lossy(&out.stdout).trim().to_string()
            };
            assert_eq!(finds("", ""), "", "not found before the line");
            assert!(finds(&format!("{printed};"), "").ends_with("man1/incident-declare.1"));
            // With ~/.local/bin on PATH it says man finds them, and it does.
            let extra = format!("{}:", home.join(".local/bin").display());
            let out = fresh_home_sh(&env, &extra, &line);
            let said = String::from_utf8_lossy(&out.stderr);
            assert!(said.contains("man finds them there"), "{said}");
            assert!(out.stdout.is_empty());
            assert!(finds("", &extra).ends_with("man1/incident-declare.1"));
        } else if line.contains("--install zsh") {
            assert!(home.join(".zfunc/_incident").is_file(), "{line}");
            assert!(said.contains("fpath=(~/.zfunc $fpath)"), "{said}");
        } else {
            let script = home.join(".local/share/bash-completion/completions/incident");
            assert!(script.is_file(), "{line}: {said}");
            assert!(said.contains(&script.display().to_string()), "{said}");
        }
    }
}

#[test]
fn an_installed_script_completes_in_an_interactive_bash_and_in_fish() {
    let loader = tools::require(Tool::BashCompletion);
    let env = Env::new();
    let out = fresh_home_sh(&env, "", "incident completions --install");
    assert!(out.status.success());
    // An interactive bash on a terminal, bash-completion loaded as a
    // ~/.bashrc does; Tab after `incident decl` finds the installed file.
    let rc = env.dir.path().join("bashrc");
    std::fs::write(&rc, format!("source '{}'\nPS1='$ '\n", loader.display())).unwrap();
    let mut cmd = shell_cmd(&env, Shell::Bash);
    cmd.env("TERM", "dumb")
        .env_remove("XDG_DATA_HOME")
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", env.home().join(".cargo/bin").display()),
        )
        .args(["--noprofile", "--rcfile", rc.to_str().unwrap(), "-i"]);
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string("$ ").unwrap();
    // Readline draws only what Tab adds; Enter runs what it made.
    p.send("incident decl\t").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    p.send_line("").unwrap();
    p.exp_string("see 'incident declare --help'").unwrap();
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();

    // fish loads ~/.config/fish/completions by itself.
    let out = Command::new("sh")
        .env_clear()
        .env("HOME", env.home())
        .env("SHELL", "/usr/bin/fish")
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", env.home().join(".cargo/bin").display()),
        )
        .args(["-c", "incident completions --install"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut cmd = shell_cmd(&env, Shell::Fish);
    cmd.env_remove("XDG_CONFIG_HOME")
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", env.home().join(".cargo/bin").display()),
        )
        .args(["-c", "complete -C 'incident decl'"]);
    let offered = lines(Shell::Fish, cmd);
    assert!(offered.iter().any(|l| l.starts_with("declare")), "{offered:?}");
}
