//! Response plans and context: playbooks and their task checklists, drills,
//! tags, change events, and what the postmortem and metrics make of them.

use crate::support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/playbooks")
        .join(name)
}

/// An environment whose configuration folder holds the shipped playbooks
/// (and `extra` as more configuration).
fn with_playbooks(extra: &str) -> Env {
    let mut env = Env::new();
    env.with_config(extra);
    let dir = env.dir.path().join("playbooks");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["ddos.toml", "data-leak.toml", "outage.toml", "bad-deploy.toml"] {
        std::fs::copy(shipped(name), dir.join(name)).unwrap();
    }
    env
}

fn tasks(env: &Env, key: &str) -> Value {
    env.json(&["task", key])
}

#[test]
fn every_shipped_playbook_reads() {
    let env = with_playbooks("");
    let listed = env.json(&["playbooks"]);
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bad-deploy", "data-leak", "ddos", "outage"]);
    let table = env.ok(&["playbooks"]);
    assert!(
        table.contains("availability/performance; services edge/api/cdn"),
        "{table}"
    );
    let one = env.ok(&["playbooks", "ddos"]);
    assert!(
        one.contains("1. Confirm an attack") && one.contains("(tech-lead) — within 15m"),
        "{one}"
    );
    env.fails(2, &["playbooks", "nope"]);
    // None installed: the folder they go in, in full.
    let bare = Env::new();
    let said = bare.talk(&["playbooks"]);
    let folder = bare.home().join(".config/incident/playbooks");
    assert!(said.contains("No playbooks"), "{said}");
    assert!(
        said.contains(&format!("{}, a folder to create", folder.display())),
        "{said}"
    );
    for (category, service, plan) in [
        ("availability", "edge", "ddos"),
        ("security", "auth", "data-leak"),
        ("availability", "search", "outage"),
        ("regression", "search", "bad-deploy"),
    ] {
        // The same title twice on search: --force, it is not a repeat here.
        let key = env.declare("x", &["-c", category, "--service", service, "--force"]);
        assert_eq!(
            tasks(&env, &key)["checklist"]["playbook"],
            plan,
            "{category} {service}"
        );
    }
    // The data-leak plan carries the confidentiality items of the checklist.
    let list = tasks(&env, "2");
    let titles: Vec<&str> = list["checklist"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    for item in ["C1:", "C2:", "C3:", "C4:"] {
        assert!(titles.iter().any(|t| t.starts_with(item)), "{item} in {titles:?}");
    }
}

#[test]
fn a_matching_playbook_becomes_the_checklist_and_tasks_are_recorded_as_events() {
    let mut env = with_playbooks("");
    let talk = env.talk(&[
        "declare",
        "Edge flooded",
        "-c",
        "availability",
        "--service",
        "edge",
    ]);
    assert!(talk.contains("playbook ddos: 7 tasks"), "{talk}");
    assert!(talk.contains("severity SEV2 from the playbook"), "{talk}");
    let i = env.show("1");
    assert_eq!(i["severity"], "SEV2");
    assert_eq!(kinds(&i), ["declared", "playbook_attached"]);
    assert_eq!(i["checklist"]["playbook"], "ddos");

    env.at("2026-11-23T08:10:00Z");
    let said = env.talk(&["task", "1", "done", "1", "--note", "SYN flood from 3 ASNs"]);
    assert!(said.contains("Task 1 done"), "{said}");
    env.talk(&["task", "INC-1", "skip", "2", "--note", "provider mode already on"]);
    let list = tasks(&env, "1");
    let t = &list["checklist"]["tasks"];
    assert_eq!(t[0]["outcome"]["state"], "done");
    assert_eq!(t[0]["outcome"]["note"], "SYN flood from 3 ASNs");
    assert_eq!(t[0]["outcome"]["by"], "alice");
    assert_eq!(t[1]["outcome"]["state"], "skipped");
    assert_eq!(t[2]["outcome"], Value::Null);
    assert_eq!(t[0]["due_at"], "2026-11-23T08:15:00Z");
    assert_eq!(
        list["unfilled_roles"],
        serde_json::json!(["commander", "tech-lead", "communicator"])
    );
    let i = env.show("1");
    assert_eq!(
        kinds(&i)[2..],
        ["task_done".to_string(), "task_skipped".to_string()]
    );

    // Human views show progress.
    let shown = env.ok(&["show", "1"]);
    assert!(shown.contains("Playbook ddos: 2/7 tasks"), "{shown}");
    assert!(shown.contains("next         3. Rate-limit"), "{shown}");
    let topic = env.ok(&["topic", "1"]);
    assert!(topic.contains("| 2/7 tasks"), "{topic}");
    let listed = env.ok(&["task", "1"]);
    assert!(listed.contains("[x] 1. Confirm an attack"), "{listed}");
    assert!(listed.contains("[-] 2. Turn on"), "{listed}");
    assert!(listed.contains("[ ] 3. Rate-limit"), "{listed}");
}

#[test]
fn task_mistakes_are_refused_with_a_way_out() {
    let env = with_playbooks("");
    env.declare("Edge flooded", &["-c", "availability", "--service", "edge"]);
    env.ok(&["task", "1", "done", "1"]);
    let twice = env.fails(2, &["task", "1", "done", "1"]);
    assert!(twice.contains("task 1 of INC-1 is already done"), "{twice}");
    let skip_done = env.fails(2, &["task", "1", "skip", "1"]);
    assert!(skip_done.contains("already done"), "{skip_done}");
    for n in ["0", "8", "99999999999"] {
        let out = env.fails(2, &["task", "1", "done", n]);
        assert!(
            out.contains("INC-1 has no task") && out.contains("has 7"),
            "{out}"
        );
    }
    env.fails(2, &["task", "1", "done", "-1"]);
    env.fails(2, &["task", "1", "done"]);
    env.fails(2, &["task", "1", "finish", "1"]);
    env.fails(2, &["task", "1", "--note", "x"]);
    env.fails(2, &["task", "1", "done", "2", "--note", "  "]);
    env.fails(1, &["task", "9"]);

    // An incident without a playbook has no tasks.
    env.declare("Slow search", &["-c", "performance", "--service", "search"]);
    let none = env.fails(2, &["task", "2", "done", "1"]);
    assert!(none.contains("follows no playbook"), "{none}");
    assert!(env.talk(&["task", "2"]).contains("follows no playbook"));

    // A closed incident's tasks wait for a reopening, as its roles do.
    env.ok(&["cancel", "1", "--reason", "a test of the pager"]);
    let ended = env.fails(2, &["task", "1", "done", "2"]);
    assert!(
        ended.contains("INC-1 is canceled") && ended.contains("reopen"),
        "{ended}"
    );
    // Nothing was recorded by the refusals.
    let i = env.show("1");
    assert_eq!(kinds(&i).iter().filter(|k| k.starts_with("task_")).count(), 1);
}

#[test]
fn playbooks_are_chosen_by_name_attached_later_and_bad_files_are_named() {
    let env = with_playbooks("");
    env.declare("Odd", &["--playbook", "data-leak"]);
    assert_eq!(tasks(&env, "1")["checklist"]["playbook"], "data-leak");
    let unknown = env.fails(2, &["declare", "x", "--playbook", "nope"]);
    assert!(
        unknown.contains("no playbook 'nope'; use one of: bad-deploy, data-leak, ddos, outage"),
        "{unknown}"
    );
    env.fails(2, &["declare", "x", "--playbook", "ddos", "--no-playbook"]);
    // Nothing matches: no plan, until one is attached with edit.
    env.declare("Odd", &["-c", "other"]);
    assert_eq!(tasks(&env, "2")["checklist"], Value::Null);
    env.declare("Odd", &["-c", "availability", "--no-playbook"]);
    assert_eq!(tasks(&env, "3")["checklist"], Value::Null);
    env.ok(&["edit", "2", "--playbook", "outage"]);
    assert_eq!(tasks(&env, "2")["checklist"]["playbook"], "outage");
    let again = env.fails(2, &["edit", "2", "--playbook", "ddos"]);
    assert!(again.contains("already follows playbook outage"), "{again}");
    env.fails(2, &["edit", "2", "--playbook", "missing"]);

    // A broken file: asked for by name, the command stops and names it;
    // otherwise the declaration goes ahead without a plan, with a warning.
    let broken = env.dir.path().join("playbooks").join("zz-broken.toml");
    std::fs::write(
        &broken,
        "name = \"broken\"\n[[tasks]]\ntitle = \"x\"\ndue = \"whenever\"\n",
    )
    .unwrap();
    let named = env.fails(2, &["declare", "x", "--playbook", "ddos"]);
    assert!(named.contains("zz-broken.toml, line 4"), "{named}");
    let checked = env.fails(2, &["playbooks"]);
    assert!(checked.contains("zz-broken.toml, line 4"), "{checked}");
    let out = env
        .cmd()
        .args(["declare", "y", "-c", "availability"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: no playbook attached") && stderr.contains("zz-broken.toml"),
        "{stderr}"
    );
    // Hostile contents never panic.
    for text in [
        "\u{0}\u{1}garbage",
        "name = \"x\"\n[[tasks]]\ntitle = \"a\"\nrole = \"pilot\"\n",
        "name = \"x\"\ntasks = 5\n",
        &format!("name = \"x\"\n{}", "[[tasks]]\ntitle = \"t\"\n".repeat(101)),
    ] {
        std::fs::write(&broken, text).unwrap();
        let err = env.fails(2, &["declare", "x", "--playbook", "ddos"]);
        assert!(err.contains("zz-broken.toml"), "{err}");
    }
}

#[test]
fn check_reports_late_tasks_like_any_target() {
    let mut env = with_playbooks("");
    env.declare(
        "Edge flooded",
        &["-c", "availability", "--service", "edge", "--commander", "alice"],
    );
    env.at("2026-11-23T08:16:00Z");
    let report = env.cmd().args(["--json", "check"]).output().unwrap();
    assert_eq!(report.status.code(), Some(3));
    let report: Value = serde_json::from_slice(&report.stdout).unwrap();
    let targets: Vec<&str> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["target"].as_str().unwrap())
        .collect();
    assert!(targets.contains(&"task 1"), "{targets:?}");
    assert!(targets.contains(&"task 2"), "due within 15m: {targets:?}");
    env.ok(&["task", "1", "done", "1"]);
    let report = env.json(&["check"]);
    assert_eq!(report["missed"], 0, "{report}");
}

#[test]
fn a_drill_is_marked_everywhere_and_counted_nowhere() {
    let mut env = Env::new();
    let (log, quoted) = {
        let path = env.dir.path().join("hook.json");
        let quoted = format!("'{}'", path.display());
        (path, quoted)
    };
    env.with_config(&format!(
        "[[hooks]]\non = [\"declared\"]\nrun = \"cat > {quoted}\"\n"
    ));
    let run = |args: &[&str]| {
        env.cmd()
            .env("PATH", "/usr/bin:/bin")
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "declare",
        "Game day: checkout down",
        "-s",
        "SEV1",
        "--drill",
        "--service",
        "checkout",
    ]);
    assert!(out.status.success(), "{:?}", out);
    let payload: Value = serde_json::from_slice(&std::fs::read(&log).unwrap()).unwrap();
    assert_eq!(payload["incident"]["drill"], true);
    assert!(payload["event"]["text"].as_str().unwrap().starts_with("DRILL: "));

    assert!(env.ok(&["list"]).contains("[DRILL] Game day"));
    assert!(env.ok(&["show", "1"]).contains("INC-1  [DRILL] Game day"));
    assert!(env.ok(&["topic", "1"]).starts_with("DRILL INC-1 [SEV1]"));
    assert_eq!(env.show("1")["drill"], true);

    // A guard does not hold deploys for a drill; a real incident does.
    env.talk(&["guard", "--service", "checkout"]);
    // check lists the drill's missed targets but exits 0.
    env.at("2026-11-23T09:30:00Z");
    let report = env.json(&["check"]);
    assert_eq!(report["missed"], 0);
    assert!(report["drills_missed"].as_u64().unwrap() > 0, "{report}");
    assert!(
        report["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["drill"] == true)
    );
    assert!(env.ok(&["check"]).contains("[DRILL]"));

    env.at("2026-11-23T08:00:00Z");
    env.declare("Checkout down", &["-s", "SEV1", "--service", "checkout"]);
    let held = env
        .cmd()
        .args(["guard", "--service", "checkout"])
        .output()
        .unwrap();
    assert_eq!(held.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&held.stderr).contains("INC-2"));

    // stats counts only the real one; --drills reports the drill alone.
    env.at("2026-11-23T10:00:00Z");
    env.ok(&["assign-role", "1", "commander", "bob"]);
    env.ok(&["resolve", "1"]);
    let real = env.json(&["stats"]);
    assert_eq!(real["incidents"], 1);
    assert_eq!(real["drills"], false);
    let drills = env.json(&["stats", "--drills"]);
    assert_eq!(drills["incidents"], 1);
    assert_eq!(drills["time_to_acknowledge"]["count"], 1);
    assert_eq!(drills["time_to_resolve"]["count"], 1);
    assert!(env.ok(&["stats", "--drills"]).starts_with("DRILLS"));
}

#[test]
fn tags_classify_filter_and_break_down() {
    let mut env = Env::new();
    env.with_config(
        "[[required_tags]]\nkey = \"team\"\n\n[[required_tags]]\nkey = \"customer\"\ncategories = [\"security\"]\n",
    );
    env.declare(
        "A",
        &[
            "--tag",
            "team=payments",
            "--tag",
            "Tier=1",
            "--service",
            "pay",
            "--started-at",
            "07:30",
        ],
    );
    env.declare(
        "B",
        &["--tag", "team=search", "--service", "search", "-c", "security"],
    );
    env.declare("C", &["--service", "pay"]);
    assert_eq!(
        env.show("1")["tags"],
        serde_json::json!({"team": "payments", "tier": "1"})
    );
    let keys = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i["key"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(keys(env.json(&["list", "--tag", "team=payments"])), ["INC-1"]);
    assert_eq!(
        keys(env.json(&["list", "--tag", "team=payments", "--tag", "tier=2"])),
        Vec::<String>::new()
    );

    // Required tags: check reports what is missing.
    let report = env.cmd().args(["--json", "check"]).output().unwrap();
    assert_eq!(report.status.code(), Some(3));
    let report: Value = serde_json::from_slice(&report.stdout).unwrap();
    let missing: Vec<(String, String)> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["target"].as_str().unwrap().starts_with("tag "))
        .map(|r| {
            (
                r["key"].as_str().unwrap().into(),
                r["target"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        missing,
        [
            ("INC-2".to_string(), "tag customer".to_string()),
            ("INC-3".to_string(), "tag team".to_string())
        ]
    );
    // edit sets and removes tags, one `edited` event each time.
    env.ok(&["edit", "3", "--tag", "team=payments"]);
    env.ok(&["edit", "2", "--tag", "customer=acme", "--remove-tag", "team"]);
    let i = env.show("2");
    assert_eq!(i["tags"], serde_json::json!({"customer": "acme"}));
    assert_eq!(last_event(&i)["text"], "Tags team=search → customer=acme");
    let gone = env.fails(2, &["edit", "2", "--remove-tag", "team"]);
    assert!(gone.contains("does not list 'team'"), "{gone}");
    env.fails(2, &["edit", "2", "--tag", "customer=acme"]);

    // Hostile tags are refused where they are typed.
    for bad in [
        "team",
        "=x",
        "te am=x",
        "team=",
        "team=a\u{1b}[2Jb",
        &format!("team={}", "x".repeat(201)),
    ] {
        let err = env.fails(2, &["declare", "x", "--tag", bad]);
        assert!(err.contains("--tag"), "{err}");
    }

    // stats by tag, service, category, and filtered by tag.
    env.at("2026-11-23T09:00:00Z");
    let by = env.json(&["stats", "--by", "tag:team"]);
    let groups: Vec<(String, u64)> = by["by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap().into(),
                g["incidents"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(groups, [("(none)".to_string(), 1), ("payments".to_string(), 2)]);
    let by = env.json(&["stats", "--by", "service"]);
    assert_eq!(by["by"][0]["name"], "pay");
    assert_eq!(by["by"][0]["incidents"], 2);
    assert_eq!(by["by"][0]["time_to_detect"]["count"], 1);
    assert_eq!(
        env.json(&["stats", "--by", "category"])["by"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(env.json(&["stats", "--tag", "team=payments"])["incidents"], 2);
    let err = env.fails(2, &["stats", "--by", "owner"]);
    assert!(err.contains("tag:KEY"), "{err}");
    assert!(
        env.ok(&["stats", "--by", "tag:team"])
            .contains("By team: median / p90 time to detect")
    );
}

#[test]
fn changes_from_ci_show_up_at_declaration_in_show_and_in_the_lead_up() {
    let mut env = Env::new();
    env.at("2026-11-23T01:00:00Z");
    env.talk(&["--as", "ci", "change", "deploy 4700", "--service", "checkout"]);
    env.at("2026-11-23T07:30:00Z");
    let said = env.talk(&[
        "--as",
        "ci",
        "change",
        "deploy 4821",
        "--service",
        "checkout,cart",
        "--link",
        "https://ci.example/4821",
    ]);
    assert!(
        said.contains("Recorded change 2 (deploy on checkout, cart): deploy 4821"),
        "{said}"
    );
    env.talk(&[
        "--as",
        "ci",
        "change",
        "flag new-search on",
        "--service",
        "search",
        "--kind",
        "flag",
        "--at",
        "07:40",
    ]);
    env.fails(2, &["change", "x"]);
    env.fails(2, &["change", "  ", "--service", "a"]);
    env.fails(2, &["change", "x", "--service", "a", "--kind", "magic"]);
    env.fails(2, &["change", "x", "--service", "a", "--at", "tomorrow"]);

    let all = env.json(&["changes", "--since", "1d"]);
    assert_eq!(all.as_array().unwrap().len(), 3);
    let checkout = env.json(&["changes", "--service", "checkout", "--since", "1d"]);
    assert_eq!(checkout.as_array().unwrap().len(), 2);
    assert!(
        env.ok(&["changes", "--since", "1d"])
            .contains("https://ci.example/4821")
    );

    env.at("2026-11-23T08:00:00Z");
    let talk = env.talk(&[
        "declare",
        "Checkout 500s",
        "--service",
        "checkout",
        "--started-at",
        "07:50",
    ]);
    assert!(
        talk.contains("recent changes on checkout:") && talk.contains("deploy 4821"),
        "{talk}"
    );
    // Six hours before the start of impact by default: 01:00 is too early.
    assert!(!talk.contains("deploy 4700"), "{talk}");
    let i = env.show("1");
    assert_eq!(kinds(&i), ["declared", "recent_changes"]);
    assert_eq!(i["recent_changes"][0]["title"], "deploy 4821");
    assert!(
        env.ok(&["show", "1"])
            .contains("Recent changes\n  2026-11-23 07:30  deploy checkout,cart  deploy 4821")
    );
    // No services: nothing to look up.
    env.declare("Something", &[]);
    assert_eq!(kinds(&env.show("2")), ["declared"]);

    // The window is configurable.
    env.with_config("[changes]\nwindow = \"8h\"\n");
    let talk = env.talk(&["declare", "Again", "--service", "checkout"]);
    assert!(talk.contains("deploy 4700"), "{talk}");
}

#[test]
fn export_import_export_keeps_plans_drills_tags_and_changes() {
    let env = with_playbooks("");
    env.ok(&["change", "deploy 1", "--service", "edge", "--at", "07:55"]);
    env.declare(
        "Edge flooded",
        &[
            "-c",
            "availability",
            "--service",
            "edge",
            "--drill",
            "--tag",
            "team=net",
        ],
    );
    env.ok(&["task", "1", "done", "1", "--note", "yes"]);
    env.ok(&["edit", "1", "--tag", "tier=1"]);
    let first = env.ok(&["export"]);
    let file = env.dir.path().join("export.json");
    std::fs::write(&file, &first).unwrap();
    let other = Env::new();
    other.talk(&["import", file.to_str().unwrap()]);
    assert_eq!(other.ok(&["export"]), first);
    let i = other.show("1");
    assert_eq!(i["drill"], true);
    assert_eq!(i["tags"], serde_json::json!({"team": "net", "tier": "1"}));
    assert_eq!(i["checklist"]["tasks"][0]["outcome"]["state"], "done");
    assert_eq!(
        other.json(&["list", "--tag", "tier=1"]).as_array().unwrap().len(),
        1
    );
    assert_eq!(other.json(&["stats", "--drills"])["incidents"], 1);
    other.talk(&["verify"]);
}

#[test]
fn the_checklist_fits_a_30_column_terminal() {
    let env = with_playbooks("");
    env.declare("Edge flooded", &["-c", "availability", "--service", "edge"]);
    let (shown, _) = env.on_terminal(30, &["task", "1"]);
    for line in shown.lines() {
        assert!(line.chars().count() <= 30, "{line:?} in\n{shown}");
    }
    assert!(shown.contains("1. Confirm"), "{shown}");
    env.ok(&[
        "change",
        "deploy 4821 of the edge proxy",
        "--service",
        "edge",
        "--link",
        "https://ci.example/p/4821",
    ]);
    for args in [&["changes"][..], &["show", "1"], &["check"], &["playbooks"]] {
        let (shown, _) = env.on_terminal(30, args);
        for line in shown.lines() {
            assert!(line.chars().count() <= 30, "{args:?}: {line:?} in\n{shown}");
        }
    }
}

/// Every table row has as many cells as its header, and each heading the
/// templates have is there: checked by a Markdown parser, as GitHub and
/// GitLab would read it.
fn check_markdown(md: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut headings = Vec::new();
    let mut in_heading = false;
    let mut heading = String::new();
    let mut cells = 0usize;
    let mut widths: Vec<usize> = Vec::new();
    let mut tables = 0;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                heading.clear();
            }
            Event::End(TagEnd::Heading(_)) => {
                in_heading = false;
                headings.push(heading.clone());
            }
            Event::Text(t) | Event::Code(t) if in_heading => heading.push_str(&t),
            Event::Start(Tag::Table(align)) => {
                tables += 1;
                widths.push(align.len());
            }
            Event::Start(Tag::TableRow) | Event::Start(Tag::TableHead) => cells = 0,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableRow) | Event::End(TagEnd::TableHead) => {
                assert_eq!(Some(&cells), widths.last(), "a row of another width in\n{md}");
            }
            // Line breaks inside a table cell are the one HTML both allow.
            Event::Html(h) | Event::InlineHtml(h) if &*h != "<br>" => panic!("raw HTML {h:?} in\n{md}"),
            _ => {}
        }
    }
    assert!(tables >= 5, "{md}");
    headings
}

#[test]
fn the_shipped_ddos_playbook_runs_from_declaration_to_postmortem() {
    let mut env = with_playbooks("");
    env.at("2026-11-23T07:20:00Z");
    env.ok(&[
        "--as",
        "ci",
        "change",
        "edge config 77: raise connection limits",
        "--service",
        "edge",
        "--kind",
        "config",
    ]);
    env.at("2026-11-23T08:00:00Z");
    let key = env.declare(
        "Edge | flooded *by* `bots`",
        &[
            "-c",
            "availability",
            "--service",
            "edge",
            "--commander",
            "alice",
            "--detected-by",
            "monitoring",
            "--started-at",
            "07:48",
            "--tag",
            "team=net",
        ],
    );
    assert_eq!(key, "INC-1");
    env.ok(&["assign-role", "1", "tech-lead", "bob"]);
    env.ok(&["assign-role", "1", "communicator", "carol"]);
    env.ok(&["assign-role", "1", "problem-manager", "dave"]);
    env.at("2026-11-23T08:10:00Z");
    env.ok(&["--as", "bob", "task", "1", "done", "1", "--note", "SYN flood"]);
    env.ok(&["--as", "bob", "task", "1", "done", "2"]);
    env.at("2026-11-23T08:20:00Z");
    env.ok(&["--as", "bob", "task", "1", "done", "3"]);
    env.ok(&[
        "--as",
        "carol",
        "update",
        "1",
        "Checkout is slow for some customers; we are blocking an attack.",
        "--external",
    ]);
    env.ok(&["--as", "carol", "task", "1", "done", "4"]);
    env.ok(&["update", "1", "--status", "mitigated"]);
    env.at("2026-11-23T09:00:00Z");
    env.ok(&[
        "--as",
        "bob",
        "task",
        "1",
        "done",
        "5",
        "--note",
        "no other access seen",
    ]);
    env.ok(&["task", "1", "skip", "6", "--note", "provider keeps the logs"]);
    env.ok(&["task", "1", "done", "7"]);
    env.ok(&[
        "resolve",
        "1",
        "--summary",
        "Blocked 3 ASNs at the edge; limits lifted",
    ]);
    env.ok(&[
        "retro",
        "1",
        "--answers",
        shipped("../retro-answers.toml").to_str().unwrap(),
    ]);
    env.ok(&["retro", "1", "--complete"]);

    let md = env.ok(&["retro", "1", "--export", "md"]);
    let headings = check_markdown(&md);
    for wanted in [
        "Lead-up",
        "Trigger",
        "Detection",
        "Resolution and recovery",
        "Playbook tasks",
        "Responders",
        "Messaging",
        "Timeline",
        "Root cause",
        "Action items",
    ] {
        assert!(
            headings.iter().any(|h| h == wanted),
            "no {wanted} in {headings:?}"
        );
    }
    assert!(md.contains("| Owner | dave |"), "{md}");
    assert!(md.contains("| Status | closed; document final"), "{md}");
    assert!(md.contains("| Playbook | ddos (7/7 tasks) |"), "{md}");
    assert!(md.contains("edge config 77"), "{md}");
    assert!(
        md.contains("## Trigger\n\nA schema migration on the orders table"),
        "{md}"
    );
    assert!(
        md.contains("Detected by **monitoring**. Time to detect (start of impact to declaration): **12m**."),
        "{md}"
    );
    assert!(md.contains("| bob | tech-lead | 1h00m |"), "{md}");
    assert!(md.contains("we are blocking an attack."), "{md}");
    assert!(
        md.contains("skipped 2026-11-23 09:00 by alice: provider keeps the logs"),
        "{md}"
    );

    let doc: Value = serde_json::from_str(&env.ok(&["retro", "1", "--export", "json"])).unwrap();
    assert_eq!(doc["detection"]["time_to_detect_seconds"], 720);
    assert_eq!(doc["checklist"]["tasks"].as_array().unwrap().len(), 7);
    assert_eq!(doc["messaging"].as_array().unwrap().len(), 1);

    // A drill says so in its postmortem's title.
    env.declare(
        "Game day",
        &["--drill", "-c", "availability", "--service", "edge"],
    );
    env.ok(&["resolve", "2"]);
    let md = env.ok(&["retro", "2", "--export", "md"]);
    assert!(md.starts_with("# Postmortem INC-2 (DRILL): Game day"), "{md}");
    check_markdown(&md);
    env.talk(&["verify"]);
}

#[test]
fn stats_reports_time_to_detect_and_leaves_out_canceled_duplicates_and_drills() {
    let mut env = Env::new();
    env.declare("A", &["--started-at", "07:30"]);
    env.declare("B", &["--started-at", "07:50"]);
    env.declare("C", &["--started-at", "06:00"]);
    env.declare("D", &["--started-at", "06:00", "--drill"]);
    env.ok(&["cancel", "3", "--reason", "false alarm"]);
    env.at("2026-11-23T09:00:00Z");
    let s = env.json(&["stats"]);
    assert_eq!(s["incidents"], 2);
    assert_eq!(s["time_to_detect"]["count"], 2);
    // 30 and 10 minutes: the drill's and the canceled one's two hours are not counted.
    assert_eq!(s["time_to_detect"]["median_seconds"], 1200, "{s}");
    let human = env.ok(&["stats"]);
    assert!(human.contains("detect       2"), "{human}");
}

/// An incident an alert opens is opened as a person declaring it would
/// be: the playbook that fits it, and the changes made just before it.
#[test]
fn an_incident_an_alert_opens_gets_its_playbook_and_the_recent_changes() {
    let mut env = with_playbooks(crate::alerts::RULES);
    env.at("2026-11-23T07:40:00Z");
    env.talk(&["--as", "ci", "change", "deploy 4821", "--service", "checkout"]);
    env.at("2026-11-23T08:00:00Z");
    env.ok(&["ingest", &crate::alerts::fixture("alertmanager-firing.json")]);
    let opened = env.show("1");
    assert_eq!(opened["severity"], "SEV1");
    let kinds = kinds(&opened);
    for kind in [
        "declared",
        "playbook_attached",
        "recent_changes",
        "alert_attached",
    ] {
        assert!(kinds.contains(&kind.to_string()), "{kind} missing: {kinds:?}");
    }
    assert_eq!(opened["checklist"]["playbook"], "outage");
    assert_eq!(opened["recent_changes"][0]["title"], "deploy 4821");
    // Declared by hand from the same facts, it gets the same.
    env.declare(
        "Checkout down",
        &[
            "--severity",
            "SEV1",
            "--category",
            "availability",
            "--service",
            "checkout",
        ],
    );
    let declared = env.show("2");
    assert_eq!(declared["checklist"]["playbook"], "outage");
    assert_eq!(declared["recent_changes"][0]["title"], "deploy 4821");
}
