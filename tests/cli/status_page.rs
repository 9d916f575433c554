//! The status page as customers see it: nothing internal in any file
//! (secrets planted in every internal field), component status following
//! the record, set by hand and under maintenance, the site opened in a
//! real headless Chromium at phone and desktop widths (no console
//! messages, every link inside the site resolving), the feeds read by
//! feedparser, and the JSON API in Statuspage's shape field for field
//! (tests/cli/fixtures/statuspage/, from its published API documentation).
//! Chromium and feedparser are installed by `.ci/run`; without them the
//! tests fail, saying so (tests/cli/tools.rs).

use crate::support::Env;
use crate::tools::{Tool, require};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const CONFIG: &str = r#"
[status_page]
title = "Example status"
link = "https://example.com"
time_zone = "Europe/Berlin"
components = [
  { service = "api", name = "Public API" },
  { service = "web", name = "Website", description = "www.example.com" },
]

[[alerts.rules]]
match = { severity = "critical" }
action = "open"
severity = "SEV1"
category = "availability"
"#;

/// Every file of the site at `out` (through its link), by path.
fn files(out: &Path) -> Vec<(String, String)> {
    fn walk(root: &Path, dir: &Path, into: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                walk(root, &path, into);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                into.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut all = Vec::new();
    walk(out, out, &mut all);
    all.sort();
    all
}

fn write(env: &Env) -> PathBuf {
    let out = env.dir.path().join("status");
    env.ok(&["status-page", "--out", out.to_str().unwrap()]);
    out
}

fn json(out: &Path, path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join(path)).unwrap()).unwrap()
}

/// A record with a secret (`ZQX…`) in every field customers must not see.
fn secret_record(env: &mut Env) {
    env.with_config(CONFIG);
    env.at("2026-11-23T08:00:00Z");
    env.ok(&[
        "--as",
        "ZQXdeclarer",
        "declare",
        "ZQX internal title",
        "-s",
        "SEV1",
        "--service",
        "api",
        "--service",
        "ZQX-private-db",
        "--summary",
        "ZQX summary",
        "--channel",
        "https://chat.example.com/ZQX-room",
        "--tag",
        "team=ZQXteam",
        "--commander",
        "ZQXcommander",
    ]);
    env.ok(&["--as", "ZQXscribe", "update", "INC-1", "ZQX note"]);
    env.ok(&["update", "INC-1", "--kind", "decision", "ZQX decision"]);
    env.ok(&["update", "INC-1", "--kind", "evidence", "ZQX evidence"]);
    env.ok(&["update", "INC-1", "--kind", "comms", "ZQX internal comms"]);
    env.ok(&["assign-role", "INC-1", "scribe", "ZQXscribe"]);
    env.at("2026-11-23T08:10:00Z");
    env.ok(&[
        "--as",
        "ZQXwriter",
        "update",
        "INC-1",
        "--external",
        "We are seeing errors on the API.",
    ]);
    env.ok(&["update", "INC-1", "--status", "identified", "ZQX why identified"]);
    env.ok(&["edit", "INC-1", "--public-title", "API errors"]);
    // A drill and an incident on a private service only: never shown.
    env.ok(&[
        "declare",
        "ZQX drill",
        "-s",
        "SEV1",
        "--service",
        "api",
        "--drill",
    ]);
    env.ok(&["update", "INC-2", "--external", "ZQX drill update"]);
    env.ok(&[
        "declare",
        "ZQX private",
        "-s",
        "SEV1",
        "--service",
        "ZQX-private-db",
    ]);
    env.ok(&["update", "INC-3", "--external", "ZQX private update"]);
    // An alert on a public service opens an incident: shown, its alert not.
    let alert = env.dir.path().join("alert.json");
    std::fs::write(
        &alert,
        r#"{"key": "ZQX-alert-key", "summary": "ZQX alert summary", "severity": "critical",
            "service": "web", "status": "firing", "labels": {"host": "ZQX-host"},
            "link": "https://grafana.example.com/ZQX-dashboard"}"#,
    )
    .unwrap();
    env.ok(&["ingest", alert.to_str().unwrap()]);
    env.at("2026-11-23T09:00:00Z");
    env.ok(&["resolve", "INC-4", "--summary", "ZQX root cause"]);
    env.ok(&[
        "maintenance",
        "DB upgrade",
        "--service",
        "api",
        "--from",
        "2026-11-24T21:00:00Z",
        "--until",
        "2026-11-24T22:00:00Z",
    ]);
}

#[test]
fn no_file_of_the_site_holds_anything_internal() {
    let mut env = Env::new();
    secret_record(&mut env);
    let out = write(&env);
    let site = files(&out);
    assert!(
        site.len() > 10,
        "{:?}",
        site.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for (path, text) in &site {
        assert!(!text.contains("ZQX"), "{path} holds something internal:\n{text}");
        assert!(
            !text.contains("alice") && !text.contains("INC-"),
            "{path}:\n{text}"
        );
    }
    let index = &site.iter().find(|f| f.0 == "index.html").unwrap().1;
    assert!(index.contains("API errors") && index.contains("We are seeing errors on the API."));
    assert!(
        index.contains("Service disruption: Website"),
        "the neutral title: {index}"
    );
    assert!(index.contains("DB upgrade"));
    // Only the public incidents: the open one and the resolved one.
    let incidents = json(&out, "api/v2/incidents.json");
    assert_eq!(incidents["incidents"].as_array().unwrap().len(), 2);
    // Written again unchanged: nothing to do.
    let again = env.json(&["status-page", "--out", out.to_str().unwrap()]);
    assert_eq!(again["changed"], false);
}

#[test]
fn component_status_follows_the_record_unless_set_and_maintenance_shows_in_the_api() {
    let mut env = Env::new();
    env.with_config(CONFIG);
    env.at("2026-11-23T08:00:00Z");
    let out = write(&env);
    assert_eq!(json(&out, "api/v2/status.json")["status"]["indicator"], "none");
    assert_eq!(
        json(&out, "api/v2/status.json")["status"]["description"],
        "All Systems Operational"
    );
    let statuses = |out: &Path| -> Vec<String> {
        json(out, "api/v2/components.json")["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["status"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(statuses(&out), ["operational", "operational"]);

    env.declare("Slow", &["-s", "SEV2", "--service", "web"]);
    let out = write(&env);
    assert_eq!(statuses(&out), ["operational", "partial_outage"]);
    assert_eq!(json(&out, "api/v2/status.json")["status"]["indicator"], "major");

    env.ok(&["status-page", "set", "Website", "major_outage"]);
    let out = write(&env);
    assert_eq!(statuses(&out), ["operational", "major_outage"]);
    assert_eq!(
        json(&out, "api/v2/status.json")["status"]["indicator"],
        "critical"
    );
    env.ok(&["status-page", "set", "web", "auto"]);
    env.ok(&["resolve", "INC-1"]);
    assert_eq!(statuses(&write(&env)), ["operational", "operational"]);

    let err = env.fails(2, &["status-page", "set", "db", "major_outage"]);
    assert!(
        err.contains("no public component 'db'; use one of: api, web"),
        "{err}"
    );
    let err = env.fails(2, &["status-page", "set", "api", "down"]);
    assert!(err.contains("operational, degraded_performance"), "{err}");

    // Maintenance: scheduled, in progress (the component under maintenance),
    // completed.
    env.ok(&[
        "maintenance",
        "DB upgrade",
        "--service",
        "api",
        "--from",
        "2026-11-23T10:00:00Z",
        "--until",
        "2026-11-23T11:00:00Z",
    ]);
    let phase = |out: &Path| {
        json(out, "api/v2/scheduled-maintenances.json")["scheduled_maintenances"][0]["status"].clone()
    };
    assert_eq!(phase(&write(&env)), "scheduled");
    env.at("2026-11-23T10:30:00Z");
    let out = write(&env);
    assert_eq!(phase(&out), "in_progress");
    assert_eq!(statuses(&out), ["under_maintenance", "operational"]);
    assert_eq!(
        json(&out, "api/v2/summary.json")["scheduled_maintenances"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    env.at("2026-11-23T11:30:00Z");
    let out = write(&env);
    assert_eq!(phase(&out), "completed");
    assert_eq!(
        json(&out, "api/v2/summary.json")["scheduled_maintenances"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let atom = std::fs::read_to_string(out.join("history.atom")).unwrap();
    assert!(atom.contains("Maintenance: DB upgrade"));
    let listed = env.json(&["maintenance"]);
    assert_eq!(listed.as_array().unwrap().len(), 0, "completed: not to come");
    let err = env.fails(
        2,
        &[
            "maintenance",
            "x",
            "--service",
            "api",
            "--from",
            "2026-11-24T10:00:00Z",
            "--until",
            "2026-11-24T09:00:00Z",
        ],
    );
    assert!(err.contains("is not after --from"), "{err}");
}

/// The shape of `value` against the documented `example`: the same keys
/// at every level, each of the same JSON type (`null` in the example: a
/// string or null); arrays' elements each like the example's first.
fn same_shape(path: &str, value: &Value, example: &Value) {
    match (value, example) {
        (Value::Object(v), Value::Object(e)) => {
            let mut got: Vec<&String> = v.keys().collect();
            let mut want: Vec<&String> = e.keys().collect();
            got.sort();
            want.sort();
            assert_eq!(got, want, "the fields of {path}");
            for (k, ev) in e {
                same_shape(&format!("{path}.{k}"), &v[k], ev);
            }
        }
        (Value::Array(v), Value::Array(e)) => {
            assert!(
                !v.is_empty(),
                "{path} is empty here: the test would check nothing"
            );
            if let Some(first) = e.first() {
                for (n, item) in v.iter().enumerate() {
                    same_shape(&format!("{path}[{n}]"), item, first);
                }
            }
        }
        (Value::String(_) | Value::Null, Value::Null) => {}
        (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_))
        | (Value::Number(_), Value::Number(_)) => {}
        _ => panic!("{path} is {value}, where Statuspage has {example}"),
    }
}

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/fixtures/statuspage")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_json_api_has_statuspage_s_shape_field_for_field() {
    let mut env = Env::new();
    secret_record(&mut env);
    let out = write(&env);
    let page = fixture("page.json");
    let component = fixture("component.json");
    let incident = fixture("incident.json");
    let mut maintenance = fixture("scheduled_maintenance.json");
    maintenance["components"] = serde_json::json!([component.clone()]);
    let status = fixture("status.json");
    let expect = [
        (
            "summary.json",
            serde_json::json!({"page": page, "components": [component], "incidents": [incident],
                "scheduled_maintenances": [maintenance], "status": status}),
        ),
        ("status.json", serde_json::json!({"page": page, "status": status})),
        (
            "components.json",
            serde_json::json!({"page": page, "components": [component]}),
        ),
        (
            "incidents.json",
            serde_json::json!({"page": page, "incidents": [incident]}),
        ),
        (
            "incidents/unresolved.json",
            serde_json::json!({"page": page, "incidents": [incident]}),
        ),
        (
            "scheduled-maintenances.json",
            serde_json::json!({"page": page, "scheduled_maintenances": [maintenance]}),
        ),
    ];
    for (name, example) in expect {
        same_shape(name, &json(&out, &format!("api/v2/{name}")), &example);
    }
    // And the values Statuspage allows.
    let summary = json(&out, "api/v2/summary.json");
    assert_eq!(summary["status"]["indicator"], "critical");
    assert_eq!(summary["incidents"][0]["status"], "identified");
    assert_eq!(summary["incidents"][0]["impact"], "critical");
    assert_eq!(summary["incidents"][0]["name"], "API errors");
    assert_eq!(summary["page"]["time_zone"], "Europe/Berlin");
    let updates = summary["incidents"][0]["incident_updates"].as_array().unwrap();
    assert_eq!(
        updates[0]["body"], "We are seeing errors on the API.",
        "newest first"
    );
    assert_eq!(
        updates[0]["status"], "investigating",
        "posted before it was identified"
    );
}

#[test]
fn the_feeds_parse_with_feedparser() {
    let python = require(Tool::Feedparser);
    let mut env = Env::new();
    secret_record(&mut env);
    let out = write(&env);
    let script = r#"
import json, sys, feedparser
out = {}
for name in ("history.atom", "history.rss"):
    d = feedparser.parse(sys.argv[1] + "/" + name)
    out[name] = {"bozo": int(d.bozo), "why": str(d.get("bozo_exception", "")), "version": d.version,
                 "title": d.feed.get("title"),
                 "entries": [{"title": e.title, "link": e.link, "id": e.id,
                              "summary": e.get("summary", ""), "updated": bool(e.get("updated_parsed") or e.get("published_parsed"))}
                             for e in d.entries]}
print(json.dumps(out))
"#;
    let run = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let feeds: Value = serde_json::from_slice(&run.stdout).unwrap();
    for (name, version) in [("history.atom", "atom10"), ("history.rss", "rss20")] {
        let f = &feeds[name];
        assert_eq!(f["bozo"], 0, "{name}: {}", f["why"]);
        assert_eq!(f["version"], version);
        assert_eq!(f["title"], "Example status — history");
        let titles: Vec<&str> = f["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["title"].as_str().unwrap())
            .collect();
        assert_eq!(
            titles,
            [
                "Service disruption: Website",
                "Maintenance: DB upgrade",
                "API errors"
            ],
            "{name}"
        );
        let api = &f["entries"][2];
        assert!(
            api["summary"]
                .as_str()
                .unwrap()
                .contains("We are seeing errors on the API."),
            "{name}: {api}"
        );
        assert!(api["link"].as_str().unwrap().starts_with("incidents/"));
        assert!(api["updated"].as_bool().unwrap());
    }
}

/// Runs headless Chromium on a page; returns what it logged.
fn chromium(args: &[&str], page: &Path) -> (String, String) {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(require(Tool::Chromium))
        .env("HOME", home.path())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
        ])
        .args(["--enable-logging=stderr", "--v=0"])
        .arg(format!(
            "--user-data-dir={}",
            home.path().join("profile").display()
        ))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every `href` and `src` of a document.
fn references(dom: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for part in dom.split(attr).skip(1) {
            found.push(part.split('"').next().unwrap().replace("&amp;", "&"));
        }
    }
    found
}

#[test]
fn the_site_opens_in_chromium_on_a_phone_and_a_desktop_and_every_link_resolves() {
    let mut env = Env::new();
    secret_record(&mut env);
    let out = write(&env).canonicalize().unwrap();
    let shots = env.dir.path().join("shots");
    std::fs::create_dir(&shots).unwrap();
    let pages: Vec<PathBuf> = std::iter::once(out.join("index.html"))
        .chain(
            std::fs::read_dir(out.join("incidents"))
                .unwrap()
                .map(|e| e.unwrap().path()),
        )
        .collect();
    assert_eq!(pages.len(), 3);
    for page in &pages {
        let (dom, log) = chromium(&["--dump-dom"], page);
        assert!(dom.contains("<main id=\"main\">"), "{dom}");
        let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
        assert!(
            console.is_empty(),
            "{}: the console said {console:?}",
            page.display()
        );
        for link in references(&dom) {
            if link.starts_with("https://example.com") {
                continue; // The company's own site, as configured.
            }
            assert!(
                !link.contains("://"),
                "{}: a link out of the site: {link}",
                page.display()
            );
            let file = link.split('#').next().unwrap();
            let target = match file {
                "" => page.clone(),
                file => page.parent().unwrap().join(file),
            };
            assert!(target.is_file(), "{}: {link} resolves to nothing", page.display());
            if let Some(anchor) = link.split_once('#').map(|(_, a)| a) {
                let text = std::fs::read_to_string(&target).unwrap();
                assert!(
                    text.contains(&format!("id=\"{anchor}\"")),
                    "{link}: no such anchor"
                );
            }
        }
    }
    let index = out.join("index.html");
    for (name, size) in [("phone", "390,844"), ("desktop", "1280,900")] {
        let shot = shots.join(format!("{name}.png"));
        let (_, log) = chromium(
            &[
                &format!("--window-size={size}"),
                &format!("--screenshot={}", shot.display()),
            ],
            &index,
        );
        assert!(!log.contains(":CONSOLE"), "{log}");
        let png = std::fs::read(&shot).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        assert_eq!(width.to_string(), size.split(',').next().unwrap(), "{name}");
    }
}

#[test]
fn the_deliverer_writes_the_page_after_each_change_and_publishes_it() {
    let mut env = Env::new();
    let out = env.dir.path().join("site");
    let log = env.dir.path().join("published.log");
    let fail = env.dir.path().join("fail-publishing");
    env.with_config(&format!(
        "{CONFIG}\n[[notify]]\nname = \"page\"\nkind = \"status-page\"\ndir = \"{}\"\n\
         publish = \"test ! -e {} && echo \\\"$INCIDENT_STATUS_PAGE_DIR $INCIDENT_STATUS_PAGE_VERSION\\\" >> {}\"\n",
        out.display(),
        fail.display(),
        log.display()
    ));
    let published = || std::fs::read_to_string(&log).unwrap_or_default().lines().count();
    let index = || std::fs::read_to_string(out.join("index.html")).unwrap();
    env.at("2026-11-23T08:00:00Z");
    env.ok(&["notify"]);
    assert!(index().contains("No open incidents."));
    assert_eq!(published(), 1);
    assert!(
        std::fs::read_to_string(&log)
            .unwrap()
            .starts_with(&format!("{} ", out.display()))
    );
    env.ok(&["notify"]);
    assert_eq!(published(), 1, "nothing changed: nothing published");

    env.declare("Checkout down", &["-s", "SEV1", "--service", "api"]);
    env.ok(&["update", "INC-1", "--external", "We are looking into errors."]);
    env.ok(&["notify"]);
    assert!(index().contains("We are looking into errors."));
    assert_eq!(published(), 2, "one version for the batch");

    // An internal note changes nothing customers see.
    env.ok(&["update", "INC-1", "a note"]);
    env.ok(&["notify"]);
    assert_eq!(published(), 2);

    // Set by hand and maintenance: no event, the page still follows.
    env.ok(&["status-page", "set", "web", "degraded_performance"]);
    env.ok(&["notify"]);
    assert!(index().contains("Degraded performance"));
    assert_eq!(published(), 3);
    env.ok(&[
        "maintenance",
        "DB upgrade",
        "--service",
        "web",
        "--from",
        "2026-11-23T10:00:00Z",
        "--until",
        "2026-11-23T11:00:00Z",
    ]);
    env.ok(&["notify"]);
    assert!(index().contains("DB upgrade"));
    assert_eq!(published(), 4);
    // The clock passes its start: in progress.
    env.at("2026-11-23T10:01:00Z");
    env.ok(&["notify"]);
    assert_eq!(published(), 5);
    assert!(index().contains("In progress"));

    // A publish that fails is tried again, and the change is not lost.
    std::fs::write(&fail, "").unwrap();
    env.ok(&["update", "INC-1", "--external", "A fix is rolling out."]);
    let said = env.outcome(&["notify"]);
    assert!(said.contains("publish exited"), "{said}");
    assert!(
        index().contains("A fix is rolling out."),
        "written, not yet published"
    );
    std::fs::remove_file(&fail).unwrap();
    env.at("2026-11-23T10:30:00Z");
    env.ok(&["notify"]);
    assert_eq!(published(), 6);
    let deliveries = env.json(&["deliveries"]);
    assert_eq!(deliveries[0]["kind"], "status-page");
    assert_eq!(deliveries[0]["backlog"], 0);
}
