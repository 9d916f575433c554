//! Reading response plans: every `*.toml` in the configuration folder's
//! `playbooks/`, then the files the configuration names. A file that does
//! not parse, or names an unknown role or severity, stops the command with
//! a message naming the file and line; nothing is half-read.

use crate::config::{Config, toml_error, toml_located};
use crate::domain::Category;
use crate::domain::event::PlannedTask;
use crate::domain::plans::{Applies, Playbook};
use crate::error::usage;
use anyhow::Result;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Bigger than any plan a person writes: a guard against reading a huge
/// file by mistake.
const MAX_BYTES: u64 = 256 * 1024;
/// A checklist longer than this is not one a responder can follow.
const MAX_TASKS: usize = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaybookFile {
    name: Option<toml::Spanned<String>>,
    /// The escalation policy its incidents page.
    policy: Option<String>,
    description: Option<String>,
    severity: Option<toml::Spanned<String>>,
    #[serde(default)]
    roles: Vec<toml::Spanned<String>>,
    #[serde(default)]
    applies: AppliesFile,
    #[serde(default)]
    tasks: Vec<TaskFile>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AppliesFile {
    #[serde(default)]
    categories: Vec<Category>,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default)]
    severities: Vec<toml::Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskFile {
    title: toml::Spanned<String>,
    role: Option<toml::Spanned<String>>,
    due: Option<toml::Spanned<String>>,
}

/// Every playbook the configuration can see, by name.
pub fn load(config: &Config) -> Result<Vec<Playbook>> {
    let mut files: Vec<PathBuf> = Vec::new();
    if let Some(dir) = &config.dir {
        let folder = dir.join("playbooks");
        match std::fs::read_dir(&folder) {
            Ok(entries) => {
                let mut found: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
                    .collect();
                found.sort();
                files.extend(found);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(usage(format!(
                    "cannot read the playbooks folder {}: {e}; fix its permissions",
                    folder.display()
                )));
            }
        }
    }
    for file in &config.playbooks {
        if !files.contains(file) {
            files.push(file.clone());
        }
    }
    let mut plans: Vec<Playbook> = Vec::new();
    for file in files {
        let plan = read(&file, config)?;
        if plans.iter().any(|p| p.name == plan.name) {
            return Err(usage(format!(
                "two playbooks are named '{}' (the second in {}); give each a different name",
                plan.name,
                file.display()
            )));
        }
        plans.push(plan);
    }
    plans.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(plans)
}

/// The playbook named `name`, or a message listing the names there are.
pub fn find<'p>(plans: &'p [Playbook], name: &str) -> Result<&'p Playbook> {
    let wanted = name.trim().to_ascii_lowercase();
    plans.iter().find(|p| p.name == wanted).ok_or_else(|| {
        let names: Vec<&str> = plans.iter().map(|p| p.name.as_str()).collect();
        match names.is_empty() {
            true => usage(format!(
                "no playbook '{}': there are none; put plans in the configuration folder's playbooks/ \
                 (see docs/playbooks.md)",
                crate::text::one_line(name)
            )),
            false => usage(format!(
                "no playbook '{}'; use one of: {}",
                crate::text::one_line(name),
                names.join(", ")
            )),
        }
    })
}

fn read(path: &Path, config: &Config) -> Result<Playbook> {
    let what = "playbook";
    let fail = |e: std::io::Error| usage(format!("cannot read playbook {}: {e}", path.display()));
    let size = std::fs::metadata(path).map_err(fail)?.len();
    if size > MAX_BYTES {
        return Err(usage(format!(
            "playbook {} is larger than {} KiB; a plan is a short list of tasks",
            path.display(),
            MAX_BYTES / 1024
        )));
    }
    let text = std::fs::read_to_string(path).map_err(fail)?;
    let file: PlaybookFile = toml::from_str(&text).map_err(|e| toml_error(what, path, &text, &e))?;
    let at =
        |span: std::ops::Range<usize>, message: String| toml_located(what, path, &text, Some(span), &message);

    let name = match &file.name {
        Some(name) => {
            let n = name.get_ref().trim().to_ascii_lowercase();
            if !word(&n) {
                return Err(at(
                    name.span(),
                    "`name` must be one word of letters, digits, '-' or '_', e.g. \"ddos\"".into(),
                ));
            }
            n
        }
        None => {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if !word(&stem) {
                return Err(usage(format!(
                    "playbook {} has no `name` and its file name is not one word; add name = \"...\"",
                    path.display()
                )));
            }
            stem
        }
    };
    let level = |s: &toml::Spanned<String>| {
        config
            .level(s.get_ref())
            .map(|l| l.name.clone())
            .map_err(|e| at(s.span(), e.to_string()))
    };
    let severity = file.severity.as_ref().map(level).transpose()?;
    let severities = file
        .applies
        .severities
        .iter()
        .map(level)
        .collect::<Result<Vec<_>>>()?;
    let role = |r: &toml::Spanned<String>| {
        config
            .role(r.get_ref())
            .map(|d| d.name.clone())
            .map_err(|e| at(r.span(), e.to_string()))
    };
    let mut roles = Vec::new();
    for r in &file.roles {
        let r = role(r)?;
        if !roles.contains(&r) {
            roles.push(r);
        }
    }
    if file.tasks.is_empty() {
        return Err(usage(format!(
            "playbook {} has no tasks; add [[tasks]] with a title",
            path.display()
        )));
    }
    if file.tasks.len() > MAX_TASKS {
        return Err(usage(format!(
            "playbook {} has {} tasks; keep a checklist to {MAX_TASKS} at most",
            path.display(),
            file.tasks.len()
        )));
    }
    let mut tasks = Vec::new();
    for t in &file.tasks {
        let title = crate::text::non_blank(t.title.get_ref())
            .ok_or_else(|| at(t.title.span(), "a task's `title` is empty; say what to do".into()))?;
        if title.chars().count() > 500 {
            return Err(at(
                t.title.span(),
                "a task's `title` is longer than 500 characters".into(),
            ));
        }
        let due_seconds = match &t.due {
            Some(due) => {
                let span =
                    crate::time::parse_duration(due.get_ref()).map_err(|e| at(due.span(), e.to_string()))?;
                if span <= chrono::Duration::zero() {
                    return Err(at(
                        due.span(),
                        "a task's `due` must be after the declaration, e.g. \"15m\"".into(),
                    ));
                }
                Some(span.num_seconds())
            }
            None => None,
        };
        tasks.push(PlannedTask {
            title,
            role: t.role.as_ref().map(role).transpose()?,
            due_seconds,
        });
    }
    Ok(Playbook {
        name,
        description: file.description.as_deref().and_then(crate::text::non_blank),
        applies: Applies {
            categories: file.applies.categories,
            services: crate::text::clean_list(file.applies.services),
            severities,
        },
        severity,
        roles,
        tasks,
        policy: file.policy.as_deref().and_then(crate::text::non_blank),
    })
}

fn word(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Playbook> {
        let dir = std::env::temp_dir().join(format!("incident-playbook-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = dir.join(format!("p{n}.toml"));
        std::fs::write(&path, text).unwrap();
        let got = read(&path, &Config::default());
        std::fs::remove_file(&path).unwrap();
        got
    }

    #[test]
    fn a_plan_reads_with_its_tasks_roles_and_deadlines() {
        let p = parse(
            r#"name = "DDoS"
severity = "sev2"
roles = ["commander", "tech-lead"]
[applies]
categories = ["availability"]
[[tasks]]
title = "Turn on rate limits"
role = "tech-lead"
due = "15m"
[[tasks]]
title = "Tell customers"
"#,
        )
        .unwrap();
        assert_eq!(p.name, "ddos");
        assert_eq!(p.severity.as_deref(), Some("SEV2"));
        assert_eq!(p.tasks[0].due_seconds, Some(900));
        assert_eq!(p.tasks[1].role, None);
    }

    #[test]
    fn bad_plans_are_refused_with_the_line() {
        for (text, wanted) in [
            (
                "name = \"x\"\n[[tasks]]\ntitle = \"a\"\nrole = \"pilot\"\n",
                "line 4",
            ),
            (
                "name = \"x\"\n[[tasks]]\ntitle = \"a\"\ndue = \"soon\"\n",
                "line 4",
            ),
            ("name = \"x\"\n[[tasks]]\ntitle = \"  \"\n", "line 3"),
            ("name = \"x y\"\n[[tasks]]\ntitle = \"a\"\n", "line 1"),
            (
                "name = \"x\"\nseverity = \"SEV9\"\n[[tasks]]\ntitle = \"a\"\n",
                "line 2",
            ),
            ("name = \"x\"\n", "no tasks"),
            ("name = \"x\"\nsurprise = 1\n[[tasks]]\ntitle = \"a\"\n", "line 2"),
            ("[[tasks]\n", "line 1"),
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains(wanted), "{text:?}: {err}");
            assert!(err.contains("playbook"), "{err}");
        }
    }
}
