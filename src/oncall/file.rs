//! `[[schedules]]` and `[[policies]]` as the configuration file writes
//! them, checked into the domain's [`Schedule`]s and [`Policy`]s: every
//! error names the entry and says what to write instead.

use crate::domain::oncall::{Layer, Policy, PolicyLevel, Schedule, Shift, Target};
use chrono::NaiveDateTime;
use serde::Deserialize;

/// One `[[schedules]]` entry as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleFile {
    name: String,
    time_zone: String,
    /// The primary first.
    layers: Vec<LayerFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerFile {
    name: Option<String>,
    people: Vec<String>,
    /// `YYYY-MM-DD HH:MM` on the schedule's wall clock.
    start: String,
    shift: String,
}

/// One `[[policies]]` entry as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    name: String,
    levels: Vec<LevelFile>,
    #[serde(default)]
    repeat: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelFile {
    page: Vec<String>,
    wait: String,
}

/// Names of layers by position when none is given.
const LAYER_NAMES: &[&str] = &["primary", "secondary", "tertiary"];

/// The schedules, checked: a known time zone, people in every layer, a
/// start on the wall clock, a shift length, no name twice.
pub fn schedules(raw: Vec<ScheduleFile>) -> Result<Vec<Schedule>, String> {
    let mut out: Vec<Schedule> = Vec::new();
    for s in raw {
        let label = format!("[[schedules]] '{}'", s.name);
        let name = one_word(&s.name)
            .ok_or_else(|| format!("{label}: `name` must be one word, e.g. \"db-oncall\""))?;
        if out.iter().any(|o| o.name == name) {
            return Err(format!("{label} is defined twice"));
        }
        let time_zone = s.time_zone.parse::<crate::domain::zone::Zone>().map_err(|_| {
            format!(
                "{label}: unknown time zone '{}'; use an IANA name such as \"Europe/Berlin\" or \"UTC\"",
                s.time_zone
            )
        })?;
        if s.layers.is_empty() {
            return Err(format!(
                "{label} has no layers; add [[schedules.layers]] with people, start and shift"
            ));
        }
        let mut layers: Vec<Layer> = Vec::new();
        for (i, l) in s.layers.into_iter().enumerate() {
            let layer = l
                .name
                .as_deref()
                .and_then(one_word)
                .or_else(|| LAYER_NAMES.get(i).map(|n| n.to_string()))
                .ok_or_else(|| format!("{label}: layer #{} needs a `name`", i + 1))?;
            if layers.iter().any(|o| o.name == layer) {
                return Err(format!("{label}: layer '{layer}' is defined twice"));
            }
            let people: Vec<String> = l.people.iter().filter_map(|p| one_word(p)).collect();
            if people.is_empty() || people.len() != l.people.len() {
                return Err(format!(
                    "{label}: layer '{layer}' needs people, one name each, e.g. people = [\"alice\", \"bob\"]"
                ));
            }
            let start = NaiveDateTime::parse_from_str(l.start.trim(), "%Y-%m-%d %H:%M").map_err(|_| {
                format!(
                    "{label}: layer '{layer}' start '{}' is not \"YYYY-MM-DD HH:MM\" (the schedule's local time)",
                    l.start
                )
            })?;
            let shift: Shift = l
                .shift
                .parse()
                .map_err(|e| format!("{label}: layer '{layer}': {e}"))?;
            layers.push(Layer {
                name: layer,
                people,
                start,
                shift,
            });
        }
        out.push(Schedule {
            name,
            time_zone,
            layers,
        });
    }
    Ok(out)
}

/// Everyone a policy can page: its people, and everyone in the layers of
/// the schedules it pages; each once.
pub fn pageable(policies: &[Policy], schedules: &[Schedule]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |p: &String| {
        if !out.contains(p) {
            out.push(p.clone());
        }
    };
    for level in policies.iter().flat_map(|p| &p.levels) {
        for target in &level.page {
            match target {
                Target::Person(p) => add(p),
                Target::Schedule { name, layer } => {
                    for l in schedules
                        .iter()
                        .filter(|s| &s.name == name)
                        .flat_map(|s| &s.layers)
                        .filter(|l| layer.as_ref().is_none_or(|n| n == &l.name))
                    {
                        l.people.iter().for_each(&mut add);
                    }
                }
            }
        }
    }
    out
}

/// The policies, checked against the schedules they page.
pub fn policies(raw: Vec<PolicyFile>, schedules: &[Schedule]) -> Result<Vec<Policy>, String> {
    let mut out: Vec<Policy> = Vec::new();
    for p in raw {
        let label = format!("[[policies]] '{}'", p.name);
        let name = one_word(&p.name)
            .ok_or_else(|| format!("{label}: `name` must be one word, e.g. \"db-critical\""))?;
        if out.iter().any(|o| o.name == name) {
            return Err(format!("{label} is defined twice"));
        }
        if p.levels.is_empty() {
            return Err(format!(
                "{label} has no levels; add [[policies.levels]] with page and wait"
            ));
        }
        if p.repeat > 10 {
            return Err(format!(
                "{label}: repeat {} is more than 10; a page nobody answers ten times needs a person",
                p.repeat
            ));
        }
        let mut levels = Vec::new();
        for (i, l) in p.levels.into_iter().enumerate() {
            let at = format!("{label} level {}", i + 1);
            if l.page.is_empty() {
                return Err(format!(
                    "{at}: `page` is empty; name a person or \"schedule:NAME\""
                ));
            }
            let page = l
                .page
                .iter()
                .map(|t| {
                    let target: Target = t.parse().map_err(|e| format!("{at}: {e}"))?;
                    if let Target::Schedule { name, layer } = &target {
                        let Some(s) = schedules.iter().find(|s| &s.name == name) else {
                            return Err(format!("{at}: no schedule '{name}' in [[schedules]]"));
                        };
                        if let Some(layer) = layer
                            && !s.layers.iter().any(|l| &l.name == layer)
                        {
                            return Err(format!("{at}: schedule '{name}' has no layer '{layer}'"));
                        }
                    }
                    Ok(target)
                })
                .collect::<Result<Vec<_>, String>>()?;
            let wait = crate::time::parse_duration(&l.wait)
                .ok()
                .filter(|w| *w > chrono::Duration::zero())
                .ok_or_else(|| format!("{at}: wait '{}' must be a duration such as \"10m\"", l.wait))?;
            levels.push(PolicyLevel { page, wait });
        }
        out.push(Policy {
            name,
            levels,
            repeat: p.repeat,
        });
    }
    Ok(out)
}

fn one_word(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()
        && !s
            .chars()
            .any(|c| c.is_whitespace() || crate::text::needs_escape(c)))
    .then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct File {
        #[serde(default)]
        schedules: Vec<ScheduleFile>,
        #[serde(default)]
        policies: Vec<PolicyFile>,
    }

    fn parse(text: &str) -> Result<(Vec<Schedule>, Vec<Policy>), String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let s = schedules(file.schedules)?;
        let p = policies(file.policies, &s)?;
        Ok((s, p))
    }

    const GOOD: &str = r#"
[[schedules]]
name = "db"
time_zone = "Europe/Berlin"
[[schedules.layers]]
people = ["alice", "bob"]
start = "2026-03-02 09:00"
shift = "weekly"
[[schedules.layers]]
people = ["bob", "alice"]
start = "2026-03-02 09:00"
shift = "weekly"

[[policies]]
name = "db-critical"
repeat = 1
[[policies.levels]]
page = ["schedule:db"]
wait = "10m"
[[policies.levels]]
page = ["schedule:db/secondary", "carol"]
wait = "15m"
"#;

    #[test]
    fn a_two_layer_rotation_and_a_policy_paging_it() {
        let (s, p) = parse(GOOD).unwrap();
        assert_eq!(s[0].layers[1].name, "secondary");
        assert_eq!(s[0].time_zone.name(), "Europe/Berlin");
        assert_eq!(p[0].levels[1].page[0].to_string(), "schedule:db/secondary");
        assert_eq!(p[0].levels[1].page[1], Target::Person("carol".into()));
        assert_eq!(p[0].levels[0].wait, chrono::Duration::minutes(10));
    }

    #[test]
    fn mistakes_name_the_entry_and_what_to_write() {
        let err = |from: &str, to: &str| parse(&GOOD.replace(from, to)).unwrap_err();
        assert!(err("Europe/Berlin", "CET+1").contains("unknown time zone 'CET+1'"));
        assert!(
            err(
                "\"2026-03-02 09:00\"\nshift = \"weekly\"\n[[schedules.layers]]",
                "\"next monday\"\nshift = \"weekly\"\n[[schedules.layers]]"
            )
            .contains("is not \"YYYY-MM-DD HH:MM\"")
        );
        assert!(err("schedule:db/secondary", "schedule:db/tertiary").contains("has no layer 'tertiary'"));
        assert!(err("[\"schedule:db\"]", "[\"schedule:web\"]").contains("no schedule 'web'"));
        assert!(err("wait = \"10m\"", "wait = \"soon\"").contains("must be a duration"));
        assert!(
            err(
                "shift = \"weekly\"\n[[schedules.layers]]",
                "shift = \"monthly\"\n[[schedules.layers]]"
            )
            .contains("\"12h\"")
        );
    }
}
