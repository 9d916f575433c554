//! Configuration: severity levels and their response targets, roles, the key
//! prefix, the escalation policy and the hooks. A missing file means the defaults
//! (three severity levels, ten roles); an invalid one is an error naming the file, line and key.

use crate::domain::EventKind;
use crate::domain::roles::{self, RoleDef};
use crate::error::usage;
use crate::hooks::{self, Hook, On};
use crate::time::parse_duration;
use anyhow::Result;
use chrono::Duration;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use crate::domain::plans::RequiredTag;
pub use crate::domain::targets::Level;

#[derive(Debug, Clone)]
pub struct Config {
    /// Where it came from, for messages; `None` when these are the defaults.
    pub source: Option<PathBuf>,
    pub key_prefix: String,
    /// Most severe first.
    pub levels: Vec<Level>,
    pub default_severity: String,
    pub roles: Vec<RoleDef>,
    pub escalation: BTreeMap<String, Vec<String>>,
    /// The escalation policy each service names (`[services.NAME] policy`).
    pub service_policies: BTreeMap<String, String>,
    /// How far ahead `check` warns about targets coming due.
    pub check_within: Duration,
    /// Commands run after a change is committed, in file order.
    pub hooks: Vec<Hook>,
    /// The folder the configuration is read from (its `playbooks/` holds
    /// response plans), whether or not the file exists.
    pub dir: Option<PathBuf>,
    /// Playbook files named in the configuration, besides `playbooks/`.
    pub playbooks: Vec<PathBuf>,
    /// How far before an incident `declare` looks for changes.
    pub changes_window: Duration,
    /// Tags an incident must carry, by category or severity.
    pub required_tags: Vec<RequiredTag>,
    pub database: Database,
    /// What alerts from monitoring do, first match wins (`[[alerts.rules]]`).
    pub alert_rules: Vec<crate::domain::alerts::Rule>,
    /// Where notifications go (`[[notify]]`), in file order.
    pub notify: Vec<crate::notify::Destination>,
    /// How to reach people (`[people.NAME]`), by the names roles use.
    pub people: BTreeMap<String, crate::notify::Person>,
    /// How long a destination may fail (or stay parked) before `check`
    /// reports it (`[check] deliveries`).
    pub delivery_grace: Duration,
    /// On-call rotations (`[[schedules]]`).
    pub schedules: Vec<crate::domain::oncall::Schedule>,
    /// Who is paged in what order (`[[policies]]`).
    pub policies: Vec<crate::domain::oncall::Policy>,
    /// `incident serve`'s settings (`[serve]`).
    pub serve: Serve,
    /// The public status page (`[status_page]`), if there is one.
    pub status_page: Option<crate::statuspage::Settings>,
}

/// The `[serve]` table.
#[derive(Debug, Clone)]
pub struct Serve {
    /// The bearer token every request must carry; never printed.
    pub token: Option<String>,
    /// How many connections are served at once; more wait to be accepted.
    pub max_connections: usize,
    /// The `Origin`s (`https://host[:port]`) whose requests are taken;
    /// any other request that names an origin (a browser's) is refused.
    pub allowed_origins: Vec<String>,
}

/// How many connections `serve` takes at once unless configured.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

impl Default for Serve {
    fn default() -> Self {
        Serve {
            token: None,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            allowed_origins: Vec::new(),
        }
    }
}

/// The `[database]` table: where the team's database is.
#[derive(Debug, Clone)]
pub struct Database {
    /// A `postgres://` URL or a file path; `--db` and `INCIDENT_DB` win.
    pub url: Option<String>,
    /// How long connecting to PostgreSQL may take.
    pub connect_timeout: std::time::Duration,
    /// How long PostgreSQL may take to answer one round trip of a read,
    /// and of a write.
    pub read_timeout: std::time::Duration,
    pub write_timeout: std::time::Duration,
}

impl Default for Database {
    fn default() -> Self {
        Database {
            url: None,
            connect_timeout: crate::store::DEFAULT_CONNECT_TIMEOUT,
            read_timeout: crate::store::DEFAULT_READ_TIMEOUT,
            write_timeout: crate::store::DEFAULT_WRITE_TIMEOUT,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            source: None,
            key_prefix: "INC".into(),
            levels: Level::defaults(),
            default_severity: "SEV3".into(),
            roles: roles::defaults(),
            escalation: BTreeMap::new(),
            service_policies: BTreeMap::new(),
            check_within: Duration::minutes(15),
            hooks: Vec::new(),
            database: Database::default(),
            dir: None,
            playbooks: Vec::new(),
            changes_window: Duration::hours(6),
            required_tags: Vec::new(),
            alert_rules: Vec::new(),
            notify: Vec::new(),
            people: BTreeMap::new(),
            delivery_grace: Duration::minutes(15),
            schedules: Vec::new(),
            policies: Vec::new(),
            serve: Serve::default(),
            status_page: None,
        }
    }
}

impl Config {
    /// Loads `path`; a missing file means the defaults unless the user named
    /// it explicitly, in which case it must exist.
    pub fn load(path: &Path, explicit: bool) -> Result<Config> {
        let dir = path.parent().map(Path::to_path_buf);
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Ok(Config {
                dir,
                ..Config::default()
            }),
            Err(e) if explicit => Err(usage(format!(
                "cannot read configuration {}: {e}; fix the path given by --config or INCIDENT_CONFIG",
                path.display()
            ))),
            Err(e) => Err(usage(format!(
                "cannot read configuration {}: {e}; fix its permissions, or pass --config PATH",
                path.display()
            ))),
        }
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let file: ConfigFile =
            toml::from_str(text).map_err(|e| toml_error("configuration", path, text, &e))?;
        file.into_config(path)
            .map_err(|message| usage(format!("invalid configuration {}: {message}", path.display())))
    }

    /// The level names, most severe first.
    pub fn level_list(&self) -> Vec<&str> {
        self.levels.iter().map(|l| l.name.as_str()).collect()
    }

    /// Finds a severity level by name, case-insensitively.
    /// The level named `name`, in any case, or by its short name (the
    /// description's first word before ':', as `show` prints it:
    /// "SEV1 (critical)").
    pub fn level(&self, name: &str) -> Result<&Level> {
        let wanted = name.trim();
        self.levels
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(wanted))
            .or_else(|| {
                self.levels
                    .iter()
                    .find(|l| l.short_name().is_some_and(|s| s.eq_ignore_ascii_case(wanted)))
            })
            .ok_or_else(|| {
                usage(format!(
                    "unknown severity '{name}'; use one of: {}",
                    self.level_names()
                ))
            })
    }

    /// 0 for the most severe level; unknown names (from an older
    /// configuration) sort after every known one.
    pub fn rank(&self, name: &str) -> usize {
        self.levels
            .iter()
            .position(|l| l.name == name)
            .unwrap_or(self.levels.len())
    }

    pub fn level_names(&self) -> String {
        self.levels
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn role(&self, name: &str) -> Result<&RoleDef> {
        let wanted = name.trim().to_ascii_lowercase();
        self.roles.iter().find(|r| r.name == wanted).ok_or_else(|| {
            let names: Vec<&str> = self.roles.iter().map(|r| r.name.as_str()).collect();
            usage(format!("unknown role '{name}'; use one of: {}", names.join(", ")))
        })
    }

    /// Where a hint should point people to change the configuration.
    pub fn describe_source(&self) -> String {
        match &self.source {
            Some(p) => p.display().to_string(),
            None => "the configuration file".into(),
        }
    }
}

/// A TOML file that failed to parse, as one usage error naming the file, the
/// line and the text on it: `invalid configuration F, line 3 (key = 1): …`.
/// `what` names the kind of file. Shared by every TOML file the tool reads.
pub fn toml_error(what: &str, path: &Path, text: &str, e: &toml::de::Error) -> anyhow::Error {
    toml_located(what, path, text, e.span(), e.message())
}

/// Like [`toml_error`] for a problem found after parsing, at `span` (from
/// `toml::Spanned`) in `text`.
pub fn toml_located(
    what: &str,
    path: &Path,
    text: &str,
    span: Option<std::ops::Range<usize>>,
    message: &str,
) -> anyhow::Error {
    let line = span.map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
    let message = message.trim_end_matches('\n');
    match line {
        Some(line) => {
            let source = text.lines().nth(line - 1).unwrap_or("").trim();
            usage(format!(
                "invalid {what} {}, line {line} ({source}): {message}",
                path.display()
            ))
        }
        None => usage(format!("invalid {what} {}: {message}", path.display())),
    }
}

// ---- the file format -------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    key_prefix: Option<String>,
    default_severity: Option<String>,
    #[serde(default)]
    severity: Vec<LevelFile>,
    #[serde(default)]
    roles: RolesFile,
    #[serde(default)]
    escalation: BTreeMap<String, Vec<String>>,
    /// `[services.NAME]`: what a service names (its escalation policy).
    #[serde(default)]
    services: BTreeMap<String, ServiceFile>,
    #[serde(default)]
    check: CheckFile,
    #[serde(default)]
    hooks: Vec<HookFile>,
    #[serde(default)]
    database: DatabaseFile,
    /// Playbook files, relative to the configuration's folder.
    #[serde(default)]
    playbooks: Vec<PathBuf>,
    #[serde(default)]
    changes: ChangesFile,
    #[serde(default)]
    required_tags: Vec<RequiredTagFile>,
    #[serde(default)]
    alerts: AlertsFile,
    #[serde(default)]
    serve: ServeFile,
    #[serde(default)]
    notify: Vec<crate::notify::file::DestinationFile>,
    #[serde(default)]
    people: BTreeMap<String, crate::notify::file::PersonFile>,
    #[serde(default)]
    schedules: Vec<crate::oncall::file::ScheduleFile>,
    #[serde(default)]
    policies: Vec<crate::oncall::file::PolicyFile>,
    status_page: Option<crate::statuspage::file::StatusPageFile>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DatabaseFile {
    url: Option<String>,
    connect_timeout: Option<TimeoutText>,
    read_timeout: Option<TimeoutText>,
    write_timeout: Option<TimeoutText>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ChangesFile {
    window: Option<DurationText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequiredTagFile {
    key: String,
    #[serde(default)]
    categories: Vec<crate::domain::Category>,
    #[serde(default)]
    severities: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AlertsFile {
    #[serde(default)]
    rules: Vec<AlertRuleFile>,
}

/// `[[alerts.rules]]`: `match` (fields and labels that must all equal),
/// `action` (open, attach, record), and for what it opens `severity`,
/// `category`, `within` (attach's window) and `auto_resolve`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertRuleFile {
    #[serde(default, rename = "match")]
    matches: BTreeMap<String, String>,
    action: crate::domain::alerts::AlertAction,
    severity: Option<String>,
    category: Option<crate::domain::Category>,
    within: Option<DurationText>,
    attach: Option<crate::domain::alerts::AttachTo>,
    #[serde(default)]
    auto_resolve: bool,
    page: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ServeFile {
    token: Option<String>,
    max_connections: Option<usize>,
    #[serde(default)]
    allowed_origins: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HookFile {
    /// What warnings call the hook; defaults to the program's name.
    name: Option<String>,
    on: Vec<EventKindText>,
    run: CommandText,
    timeout: Option<TimeoutText>,
}

/// An event kind as written in `on = [...]`, or `"*"` for all of them.
enum EventKindText {
    All,
    Kind(EventKind),
}

impl<'de> Deserialize<'de> for EventKindText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.trim() == "*" {
            return Ok(EventKindText::All);
        }
        text.parse::<EventKind>().map(EventKindText::Kind).map_err(|_| {
            serde::de::Error::custom(format!(
                "unknown event kind '{text}' in `on`; use \"*\" or any of: {}",
                EventKind::names()
            ))
        })
    }
}

/// A hook's command line: not blank.
struct CommandText(String);

impl<'de> Deserialize<'de> for CommandText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.trim().is_empty() {
            return Err(serde::de::Error::custom(
                "`run` is empty; give the command to run, e.g. \"/usr/local/bin/post-to-chat\"",
            ));
        }
        Ok(CommandText(text))
    }
}

/// A hook's timeout: a positive duration.
struct TimeoutText(std::time::Duration);

impl<'de> Deserialize<'de> for TimeoutText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let DurationText(span) = DurationText::deserialize(d)?;
        match span.to_std() {
            Ok(std) if !std.is_zero() => Ok(TimeoutText(std)),
            _ => Err(serde::de::Error::custom(
                "a timeout must be longer than zero, e.g. \"10s\"",
            )),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelFile {
    name: String,
    #[serde(default)]
    description: String,
    acknowledge: DurationText,
    triage: DurationText,
    update: Option<DurationText>,
    remediate: DurationText,
    retro: DurationText,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RolesFile {
    /// Extra roles that many people may hold.
    #[serde(default)]
    add: Vec<String>,
    /// Extra roles with one holder at a time.
    #[serde(default)]
    single: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    within: Option<DurationText>,
    /// How long a notification destination may fail before it is a miss.
    deliveries: Option<DurationText>,
}

/// A duration written as text in the file (`"30m"`), checked while parsing
/// so the error points at the line.
struct DurationText(Duration);

impl<'de> Deserialize<'de> for DurationText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        parse_duration(&text)
            .map(DurationText)
            .map_err(serde::de::Error::custom)
    }
}

/// `[services.NAME]` as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ServiceFile {
    policy: Option<String>,
}

/// Names for a message: `a, b` or `none`.
fn names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<&str> = names.collect();
    match all.is_empty() {
        true => "none".into(),
        false => all.join(", "),
    }
}

impl ConfigFile {
    fn into_config(self, path: &Path) -> Result<Config, String> {
        let dir = path.parent().map(Path::to_path_buf);
        let mut config = Config {
            source: Some(path.to_path_buf()),
            playbooks: self
                .playbooks
                .iter()
                .map(|p| match &dir {
                    Some(dir) => dir.join(p),
                    None => p.clone(),
                })
                .collect(),
            dir,
            ..Config::default()
        };
        if let Some(url) = self.database.url {
            if url.trim().is_empty() {
                return Err(
                    "[database] url is empty; give a postgres:// URL or a file path, or leave it out".into(),
                );
            }
            config.database.url = Some(url);
        }
        if let Some(TimeoutText(timeout)) = self.database.connect_timeout {
            config.database.connect_timeout = timeout;
        }
        if let Some(TimeoutText(timeout)) = self.database.read_timeout {
            config.database.read_timeout = timeout;
        }
        if let Some(TimeoutText(timeout)) = self.database.write_timeout {
            config.database.write_timeout = timeout;
        }
        if let Some(window) = self.changes.window {
            config.changes_window = window.0;
        }
        if let Some(prefix) = self.key_prefix {
            if prefix.is_empty()
                || !prefix.chars().all(|c| c.is_ascii_alphanumeric())
                || prefix.chars().all(|c| c.is_ascii_digit())
            {
                return Err(format!(
                    "key_prefix '{prefix}' must be letters and digits, e.g. \"INC\""
                ));
            }
            config.key_prefix = prefix;
        }
        if !self.severity.is_empty() {
            config.levels = levels(self.severity)?;
            // The old default may not exist any more: the least severe level is.
            config.default_severity = config.levels.last().map(|l| l.name.clone()).unwrap_or_default();
        }
        if let Some(default) = self.default_severity {
            config.default_severity = canonical_level(&config, &default, "default_severity")?;
        }
        for (name, single) in self
            .roles
            .add
            .iter()
            .map(|n| (n, false))
            .chain(self.roles.single.iter().map(|n| (n, true)))
        {
            let name = name.trim().to_ascii_lowercase();
            if name.is_empty()
                || name
                    .chars()
                    .any(|c| c.is_whitespace() || crate::text::needs_escape(c))
            {
                return Err(format!(
                    "role '{name}' must be one word of printable characters, e.g. \"legal\""
                ));
            }
            match config.roles.iter_mut().find(|r| r.name == name) {
                Some(existing) => existing.single = single,
                None => config.roles.push(RoleDef { name, single }),
            }
        }
        for (level, people) in self.escalation {
            let canonical = canonical_level(&config, &level, "[escalation]")?;
            config.escalation.insert(canonical, people);
        }
        if let Some(within) = self.check.within {
            config.check_within = within.0;
        }
        if let Some(grace) = self.check.deliveries {
            config.delivery_grace = grace.0;
        }
        for rule in self.required_tags {
            let key = crate::domain::plans::parse_tag_key(&rule.key)
                .map_err(|e| format!("[[required_tags]]: {e}"))?;
            let severities = rule
                .severities
                .iter()
                .map(|s| canonical_level(&config, s, "[[required_tags]]"))
                .collect::<Result<_, _>>()?;
            config.required_tags.push(RequiredTag {
                key,
                categories: rule.categories,
                severities,
            });
        }
        config.hooks = hook_list(self.hooks)?;
        for (i, rule) in self.alerts.rules.into_iter().enumerate() {
            let label = format!("[[alerts.rules]] #{}", i + 1);
            let severity = rule
                .severity
                .map(|s| canonical_level(&config, &s, &label))
                .transpose()?;
            if rule.attach.is_some() && rule.action == crate::domain::alerts::AlertAction::Record {
                return Err(format!(
                    "{label} says attach = \"service\" but action = \"record\", which joins no incident; \
                     drop attach, or set action = \"open\""
                ));
            }
            config.alert_rules.push(crate::domain::alerts::Rule {
                matches: rule.matches,
                action: rule.action,
                severity,
                category: rule.category,
                within: rule.within.map_or(Duration::hours(1), |w| w.0),
                attach: rule.attach,
                auto_resolve: rule.auto_resolve,
                page: rule.page,
            });
        }
        let levels: Vec<String> = config.levels.iter().map(|l| l.name.clone()).collect();
        config.notify = crate::notify::file::destinations(self.notify, &levels, config.dir.as_deref())?;
        config.people = crate::notify::file::people(self.people)?;
        config.schedules = crate::oncall::file::schedules(self.schedules)?;
        config.policies = crate::oncall::file::policies(self.policies, &config.schedules)?;
        for (i, rule) in config.alert_rules.iter().enumerate() {
            if let Some(page) = &rule.page
                && !config.policies.iter().any(|p| &p.name == page)
            {
                return Err(format!(
                    "[[alerts.rules]] #{}: page = \"{page}\" names no [[policies]] entry; configured: {}",
                    i + 1,
                    names(config.policies.iter().map(|p| p.name.as_str()))
                ));
            }
        }
        for (service, s) in self.services {
            let Some(policy) = s.policy else { continue };
            if !config.policies.iter().any(|p| p.name == policy) {
                return Err(format!(
                    "[services.{service}] policy = \"{policy}\" names no [[policies]] entry; configured: {}",
                    names(config.policies.iter().map(|p| p.name.as_str()))
                ));
            }
            config.service_policies.insert(service, policy);
        }
        let paged = crate::oncall::file::pageable(&config.policies, &config.schedules);
        crate::notify::file::route_pages(&mut config.notify, &config.people, &paged)?;
        config.status_page = self
            .status_page
            .map(|s| crate::statuspage::file::settings(s, &levels))
            .transpose()?;
        for d in &mut config.notify {
            if let crate::notify::Medium::StatusPage(page) = &mut d.medium {
                page.page = Some(config.status_page.clone().ok_or_else(|| {
                    format!(
                        "[[notify]] '{}' writes the status page, and there is no [status_page]; name the page and its public components (docs/status-page.md)",
                        d.name
                    )
                })?);
            }
        }
        if let Some(token) = self.serve.token {
            if token.trim().chars().count() < 16 {
                return Err("[serve] token is shorter than 16 characters; use a long random one, e.g. from `openssl rand -hex 32`".into());
            }
            config.serve.token = Some(token.trim().to_string());
        }
        if let Some(n) = self.serve.max_connections {
            if n == 0 {
                return Err(
                    "[serve] max_connections is 0; give how many connections to serve at once, e.g. 256"
                        .into(),
                );
            }
            config.serve.max_connections = n;
        }
        for origin in self.serve.allowed_origins {
            let origin = origin.trim().trim_end_matches('/').to_string();
            if !(origin.starts_with("https://") || origin.starts_with("http://")) || origin.len() < 9 {
                return Err(format!(
                    "[serve] allowed_origins has '{origin}'; write an origin as a browser sends it, e.g. \"https://grafana.example.com\""
                ));
            }
            config.serve.allowed_origins.push(origin);
        }
        Ok(config)
    }
}

/// The configured severity levels, checked: each one word, none twice.
fn levels(raw: Vec<LevelFile>) -> Result<Vec<Level>, String> {
    let levels: Vec<Level> = raw
        .into_iter()
        .map(|l| Level {
            name: l.name,
            description: l.description,
            acknowledge: l.acknowledge.0,
            triage: l.triage.0,
            update: l.update.map(|d| d.0),
            remediate: l.remediate.0,
            retro: l.retro.0,
        })
        .collect();
    for (i, level) in levels.iter().enumerate() {
        if level.name.trim().is_empty()
            || level
                .name
                .chars()
                .any(|c| c.is_whitespace() || crate::text::needs_escape(c))
        {
            return Err(format!(
                "severity name '{}' must be one word of printable characters, e.g. \"SEV1\"",
                level.name
            ));
        }
        if levels[..i]
            .iter()
            .any(|l| l.name.eq_ignore_ascii_case(&level.name))
        {
            return Err(format!("severity '{}' is defined twice", level.name));
        }
    }
    Ok(levels)
}

/// The configured hooks, checked: each runs on some kinds of event.
fn hook_list(raw: Vec<HookFile>) -> Result<Vec<Hook>, String> {
    let mut hooks = Vec::new();
    for (i, hook) in raw.into_iter().enumerate() {
        let label = format!("[[hooks]] #{}", i + 1);
        if hook.on.is_empty() {
            return Err(format!(
                "{label} has an empty `on`; list event kinds, e.g. [\"declared\", \"resolved\"], or [\"*\"] for all"
            ));
        }
        let on = if hook.on.iter().any(|k| matches!(k, EventKindText::All)) {
            On::All
        } else {
            let mut kinds = Vec::new();
            for kind in hook.on {
                if let EventKindText::Kind(kind) = kind
                    && !kinds.contains(&kind)
                {
                    kinds.push(kind);
                }
            }
            On::Kinds(kinds)
        };
        let name = hook.name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        hooks.push(Hook {
            name,
            on,
            run: hook.run.0,
            timeout: hook.timeout.map_or(hooks::DEFAULT_TIMEOUT, |t| t.0),
        });
    }
    Ok(hooks)
}

fn canonical_level(config: &Config, name: &str, key: &str) -> Result<String, String> {
    config
        .levels
        .iter()
        .find(|l| l.name.eq_ignore_ascii_case(name))
        .map(|l| l.name.clone())
        .ok_or_else(|| {
            format!(
                "{key} names severity '{name}', which is not defined; defined: {}",
                config.level_names()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(text, Path::new("/etc/incident.toml"))
    }

    #[test]
    fn the_database_table_names_the_team_database_and_its_timeout() {
        let c = parse("[database]\nurl = \"postgres://incident@db/incidents\"\nconnect_timeout = \"2s\"\n")
            .unwrap();
        assert_eq!(
            c.database.url.as_deref(),
            Some("postgres://incident@db/incidents")
        );
        assert_eq!(c.database.connect_timeout, std::time::Duration::from_secs(2));
        let c = parse("[database]\nread_timeout = \"3s\"\nwrite_timeout = \"1m\"\n").unwrap();
        assert_eq!(
            (c.database.read_timeout, c.database.write_timeout),
            (
                std::time::Duration::from_secs(3),
                std::time::Duration::from_secs(60)
            )
        );
        assert_eq!(
            (
                Config::default().database.read_timeout,
                Config::default().database.write_timeout
            ),
            (
                std::time::Duration::from_secs(5),
                std::time::Duration::from_secs(10)
            )
        );
        assert_eq!(
            Config::default().database.connect_timeout,
            std::time::Duration::from_secs(5)
        );
        let e = parse("[database]\nurl = \" \"\n").unwrap_err().to_string();
        assert!(e.contains("[database] url is empty"), "{e}");
        let e = parse("[database]\nconnect_timeout = \"0s\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("longer than zero"), "{e}");
        let e = parse("[database]\nhost = \"db\"\n").unwrap_err().to_string();
        assert!(e.contains("host"), "{e}");
    }

    #[test]
    fn alert_rules_are_read_in_order_with_their_levels_checked() {
        let c = parse(
            "[[alerts.rules]]\nmatch = { severity = \"critical\" }\naction = \"open\"\nseverity = \"sev1\"\n\
             category = \"availability\"\nauto_resolve = true\n\
             [[alerts.rules]]\naction = \"attach\"\nwithin = \"30m\"\n\
             [serve]\ntoken = \"0123456789abcdef0123\"\n",
        )
        .unwrap();
        assert_eq!(c.alert_rules.len(), 2);
        assert_eq!(c.alert_rules[0].severity.as_deref(), Some("SEV1"));
        assert!(c.alert_rules[0].auto_resolve);
        assert_eq!(c.alert_rules[1].within, Duration::minutes(30));
        assert_eq!(c.serve.token.as_deref(), Some("0123456789abcdef0123"));
        assert_eq!(c.serve.max_connections, DEFAULT_MAX_CONNECTIONS);
        assert_eq!(
            parse("[serve]\nmax_connections = 8\n")
                .unwrap()
                .serve
                .max_connections,
            8
        );
        assert!(parse("[serve]\nmax_connections = 0\n").is_err());
        let c = parse("[serve]\nallowed_origins = [\"https://grafana.example/\"]\n").unwrap();
        assert_eq!(c.serve.allowed_origins, ["https://grafana.example"]);
        assert!(parse("[serve]\nallowed_origins = [\"*\"]\n").is_err());
        let c = parse("[[alerts.rules]]\naction = \"open\"\nattach = \"service\"\n").unwrap();
        assert_eq!(
            c.alert_rules[0].attach,
            Some(crate::domain::alerts::AttachTo::Service)
        );
        let err = parse("[[alerts.rules]]\naction = \"open\"\nattach = \"group\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("attach") && err.contains("service"), "{err}");
        let err = parse("[[alerts.rules]]\naction = \"record\"\nattach = \"service\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("#1") && err.contains("action = \"record\""), "{err}");
        let err = parse("[[alerts.rules]]\naction = \"open\"\nseverity = \"P0\"\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("[[alerts.rules]] #1 names severity 'P0'"),
            "{err}"
        );
        assert!(parse("[[alerts.rules]]\naction = \"page\"\n").is_err());
        assert!(parse("[serve]\ntoken = \"short\"\n").is_err());
    }

    #[test]
    fn defaults_follow_spec_section_2() {
        let c = Config::default();
        let names: Vec<_> = c.levels.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["SEV1", "SEV2", "SEV3"]);
        assert_eq!(c.levels[0].acknowledge, Duration::minutes(30));
        assert_eq!(c.levels[1].update, Some(Duration::hours(4)));
        assert_eq!(c.levels[2].update, None);
        assert_eq!(c.levels[2].retro, Duration::days(7));
        assert_eq!(c.key_prefix, "INC");
    }

    #[test]
    fn an_empty_file_is_the_defaults() {
        let c = parse("").unwrap();
        assert_eq!(c.levels, Config::default().levels);
    }

    #[test]
    fn a_full_file_replaces_levels_and_adds_roles_and_policy() {
        let c = parse(
            r#"
            key_prefix = "OPS"
            [[severity]]
            name = "P1"
            acknowledge = "5m"
            triage = "15m"
            update = "30m"
            remediate = "4h"
            retro = "2d"
            [[severity]]
            name = "P2"
            acknowledge = "1h"
            triage = "2h"
            remediate = "1d"
            retro = "1w"
            [roles]
            add = ["legal"]
            single = ["security-lead"]
            [escalation]
            p1 = ["dba-oncall", "vp-eng"]
            [check]
            within = "30m"
            "#,
        )
        .unwrap();
        assert_eq!(c.key_prefix, "OPS");
        assert_eq!(c.levels.len(), 2);
        assert_eq!(c.levels[1].update, None);
        assert_eq!(c.default_severity, "P2");
        assert_eq!(c.escalation["P1"], ["dba-oncall", "vp-eng"]);
        assert!(!c.role("legal").unwrap().single);
        assert!(c.role("Security-Lead").unwrap().single);
        assert_eq!(c.check_within, Duration::minutes(30));
        assert_eq!(c.rank("P1"), 0);
        assert_eq!(c.rank("SEV1"), 2, "unknown levels sort last");
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let err = parse("key_prefix = \"INC\"\n[[severity]]\nname = \"SEV1\"\nacknowlege = \"30m\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("invalid configuration /etc/incident.toml, line 4"),
            "{err}"
        );
        assert!(err.contains("acknowlege"), "{err}");

        let err = parse("[check]\nwithin = \"soon\"\n").unwrap_err().to_string();
        assert!(
            err.contains("line 2") && err.contains("within") && err.contains("invalid duration 'soon'"),
            "{err}"
        );

        let err = parse("[escalation]\nSEV9 = [\"x\"]\n").unwrap_err().to_string();
        assert!(err.contains("SEV9") && err.contains("SEV1, SEV2, SEV3"), "{err}");

        let err = parse("key_prefix = = 1").unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn hooks_are_read_in_order_with_a_default_timeout() {
        let c = parse(
            r#"
            [[hooks]]
            on = ["declared", "Escalated", "status_update", "resolved", "declared"]
            run = "/usr/local/bin/post-to-chat"
            timeout = "30s"
            [[hooks]]
            name = "audit"
            on = ["note", "*"]
            run = "logger -t incident"
            "#,
        )
        .unwrap();
        assert_eq!(c.hooks.len(), 2);
        assert_eq!(
            c.hooks[0].on,
            On::Kinds(vec![
                EventKind::Declared,
                EventKind::Escalated,
                EventKind::StatusUpdate,
                EventKind::Resolved
            ])
        );
        assert_eq!(c.hooks[0].timeout, std::time::Duration::from_secs(30));
        assert_eq!(c.hooks[0].label(), "post-to-chat");
        assert_eq!(c.hooks[1].on, On::All);
        assert_eq!(c.hooks[1].timeout, hooks::DEFAULT_TIMEOUT);
        assert_eq!(c.hooks[1].label(), "audit");
        assert!(Config::default().hooks.is_empty());
    }

    #[test]
    fn the_example_configuration_is_valid() {
        let c = parse(include_str!("../examples/config.toml")).unwrap();
        assert_eq!(c.levels, Config::default().levels);
        assert_eq!(c.hooks.len(), 2);
        assert_eq!(c.hooks[0].label(), "chat");
        assert_eq!(
            c.hooks[1].on,
            On::Kinds(vec![EventKind::StatusUpdate, EventKind::Resolved])
        );
    }

    #[test]
    fn bad_hooks_are_errors_naming_the_line() {
        let err = parse("[[hooks]]\non = [\"declared\", \"fixed\"]\nrun = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 2")
                && err.contains("unknown event kind 'fixed'")
                && err.contains("status_update"),
            "{err}"
        );
        let err = parse("[[hooks]]\non = [\"*\"]\nrun = \"  \"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3") && err.contains("`run` is empty"), "{err}");
        let err = parse("[[hooks]]\non = [\"*\"]\nrun = \"x\"\ntimeout = \"0s\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 4") && err.contains("longer than zero"),
            "{err}"
        );
        let err = parse("[[hooks]]\non = [\"*\"]\nrun = \"x\"\ncommand = \"y\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 4") && err.contains("command"), "{err}");
        let err = parse("[[hooks]]\non = []\nrun = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("[[hooks]] #1 has an empty `on`"), "{err}");
        let err = parse("[[hooks]]\non = [\"*\"]\n").unwrap_err().to_string();
        assert!(err.contains("run"), "{err}");
    }

    #[test]
    fn lookups_are_case_insensitive_and_list_choices() {
        let c = Config::default();
        assert_eq!(c.level("sev2").unwrap().name, "SEV2");
        assert_eq!(c.level("Critical").unwrap().name, "SEV1");
        assert_eq!(
            c.level("SEV9").unwrap_err().to_string(),
            "unknown severity 'SEV9'; use one of: SEV1, SEV2, SEV3"
        );
        assert_eq!(c.role("Scribe").unwrap().name, "scribe");
        assert!(
            c.role("janitor")
                .unwrap_err()
                .to_string()
                .contains("commander, tech-lead")
        );
    }

    #[test]
    fn missing_file_is_defaults_unless_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("none.toml");
        assert_eq!(Config::load(&path, false).unwrap().levels.len(), 3);
        assert!(
            Config::load(&path, true)
                .unwrap_err()
                .to_string()
                .contains("cannot read configuration")
        );
    }
}
