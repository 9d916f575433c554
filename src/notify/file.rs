//! `[[notify]]` and `[people.NAME]` as the configuration file writes them,
//! checked into [`Destination`]s and [`Person`]s: every error names the
//! entry and says what to write instead.

use super::{Destination, Email, Kind, Matrix, Medium, Person, SLACK_API, Secret, SlackBot, Tls};
use crate::domain::EventKind;
use crate::domain::notify::{Audience, DEFAULT_KINDS, Route};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a `command` destination may run when it names no timeout.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// One `[[notify]]` entry as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DestinationFile {
    name: String,
    kind: String,
    /// The webhook URL: a secret for the chats, plain for `webhook`.
    url: Option<toml::Value>,
    /// Secrets are read as any value, so that one written inline is
    /// refused here without being repeated in the error.
    secret: Option<toml::Value>,
    // Matrix.
    homeserver: Option<String>,
    token: Option<toml::Value>,
    room: Option<String>,
    #[serde(default)]
    room_per_incident: bool,
    // Slack with a bot token (`token`, `room_per_incident` too).
    api_url: Option<String>,
    channel: Option<String>,
    // Email.
    server: Option<String>,
    tls: Option<String>,
    username: Option<String>,
    password: Option<toml::Value>,
    from: Option<String>,
    #[serde(default)]
    to: Vec<String>,
    ca: Option<PathBuf>,
    // Command.
    run: Option<String>,
    timeout: Option<String>,
    // Status page.
    dir: Option<PathBuf>,
    publish: Option<String>,
    // Routing.
    events: Option<Vec<String>>,
    #[serde(default)]
    severities: Vec<String>,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    audience: Option<Vec<String>>,
    #[serde(default)]
    drills: bool,
}

/// A secret as written: `{ env = "NAME" }` or `{ file = "/path" }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretFile {
    env: Option<String>,
    file: Option<PathBuf>,
}

/// `[people.NAME]` as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PersonFile {
    matrix: Option<String>,
    slack: Option<String>,
    email: Option<String>,
    /// The `[[notify]]` destination their pages go through.
    notify: Option<String>,
    time_zone: Option<String>,
}

/// The people, checked: a Matrix id looks like `@user:server`, a Slack
/// one like `U0123ABCDEF`, and each is one person's (what is said in chat
/// is recorded as the person it maps to).
pub fn people(raw: BTreeMap<String, PersonFile>) -> Result<BTreeMap<String, Person>, String> {
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    let mut slack_owner: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, p) in &raw {
        if let Some(id) = &p.matrix
            && let Some(first) = owner.insert(id, name)
        {
            return Err(format!(
                "[people.{name}] matrix '{id}' is [people.{first}]'s too; one Matrix user is one person"
            ));
        }
        if let Some(id) = &p.slack
            && let Some(first) = slack_owner.insert(id, name)
        {
            return Err(format!(
                "[people.{name}] slack '{id}' is [people.{first}]'s too; one Slack member is one person"
            ));
        }
    }
    raw.into_iter()
        .map(|(name, p)| {
            if let Some(id) = &p.matrix
                && !(id.starts_with('@') && id.contains(':'))
            {
                return Err(format!(
                    "[people.{name}] matrix '{id}' is not a Matrix user id; write it as \"@{name}:example.org\""
                ));
            }
            if let Some(id) = &p.slack
                && !slack_id(id, &['U', 'W'])
            {
                return Err(format!(
                    "[people.{name}] slack '{id}' is not a Slack member id; write it as \"U0123ABCDEF\" (in Slack: their profile, ⋮, Copy member ID)"
                ));
            }
            if let Some(address) = &p.email
                && !address.contains('@')
            {
                return Err(format!("[people.{name}] email '{address}' is not an address"));
            }
            let time_zone = p
                .time_zone
                .map(|tz| {
                    tz.parse::<crate::domain::zone::Zone>().map_err(|_| {
                        format!("[people.{name}] time_zone '{tz}' is not a time zone; write one such as \"Europe/Berlin\"")
                    })
                })
                .transpose()?;
            Ok((
                name,
                Person {
                    matrix: p.matrix,
                    slack: p.slack,
                    email: p.email,
                    notify: p.notify,
                    time_zone,
                },
            ))
        })
        .collect()
}

/// Gives each destination the people whose pages it carries: the one a
/// person names (`notify = "…"`), else the first Matrix destination for a
/// person with a Matrix id, else the first mail destination for a person
/// with an address. Every person a policy can page must be reachable.
pub fn route_pages(
    destinations: &mut [Destination],
    people: &BTreeMap<String, Person>,
    paged: &[String],
) -> Result<(), String> {
    for (name, person) in people {
        let carrier = match &person.notify {
            Some(named) => Some(destinations.iter().position(|d| &d.name == named).ok_or_else(|| {
                let known: Vec<&str> = destinations.iter().map(|d| d.name.as_str()).collect();
                format!(
                    "[people.{name}] notify '{named}' is not a [[notify]] destination; configured: {}",
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                )
            })?),
            None => destinations
                .iter()
                .position(|d| matches!(d.medium, Medium::Matrix(_)) && person.matrix.is_some())
                .or_else(|| {
                    destinations
                        .iter()
                        .position(|d| matches!(d.medium, Medium::Email(_)) && person.email.is_some())
                }),
        };
        if let Some(i) = carrier {
            destinations[i].route.pages.push(name.clone());
        }
    }
    for name in paged {
        if !destinations.iter().any(|d| d.route.pages.contains(name)) {
            return Err(format!(
                "{name} can be paged (by [[policies]]) but cannot be reached: add [people.{name}] with matrix, email or notify = \"DESTINATION\" (a [[notify]] entry, e.g. a command for an SMS gateway)"
            ));
        }
    }
    Ok(())
}

/// The destinations, checked against the configuration's severity levels
/// (`levels`, canonical names) and the configuration's folder (`dir`, where
/// relative secret files are).
pub fn destinations(
    raw: Vec<DestinationFile>,
    levels: &[String],
    dir: Option<&Path>,
) -> Result<Vec<Destination>, String> {
    let mut out: Vec<Destination> = Vec::new();
    for (i, d) in raw.into_iter().enumerate() {
        let name = d.name.trim().to_string();
        let label = match name.is_empty() {
            true => format!("[[notify]] #{}", i + 1),
            false => format!("[[notify]] '{name}'"),
        };
        if name.is_empty()
            || name
                .chars()
                .any(|c| c.is_whitespace() || crate::text::needs_escape(c))
        {
            return Err(format!(
                "{label}: `name` must be one word of printable characters, e.g. \"ops-chat\""
            ));
        }
        if out.iter().any(|o| o.name == name) {
            return Err(format!(
                "{label} is defined twice; each destination needs its own name"
            ));
        }
        let destination = destination(d, name, levels, dir).map_err(|e| format!("{label}: {e}"))?;
        out.push(destination);
    }
    Ok(out)
}

fn destination(
    d: DestinationFile,
    name: String,
    levels: &[String],
    dir: Option<&Path>,
) -> Result<Destination, String> {
    let kind: Kind = d
        .kind
        .parse()
        .map_err(|_| format!("unknown kind '{}'; use one of: {}", d.kind, Kind::names()))?;
    let optional = |s: Option<toml::Value>, field: &str| -> Result<Option<Secret>, String> {
        s.map(|v| match v {
            toml::Value::Table(table) => {
                let s: SecretFile = table.try_into().map_err(|_| {
                    format!("`{field}` must be {field} = {{ env = \"NAME\" }} or {field} = {{ file = \"PATH\" }}")
                })?;
                secret(s, field, dir)
            }
            _ => Err(format!(
                "`{field}` is a secret: never write it here; write {field} = {{ env = \"NAME\" }} or {field} = {{ file = \"PATH\" }}"
            )),
        })
        .transpose()
    };
    let need = |v: Option<String>, field: &str, example: &str| -> Result<String, String> {
        v.map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                format!(
                    "a {} destination needs `{field}`, e.g. {field} = {example}",
                    kind.as_str()
                )
            })
    };
    let medium = match kind {
        Kind::Slack if d.token.is_some() => {
            if d.url.is_some() {
                return Err("give `url` (an incoming webhook) or `token` (a bot token), not both".into());
            }
            let token = optional(d.token, "token")?.ok_or("a bot token is needed")?;
            let api_url = d
                .api_url
                .map(|u| u.trim().trim_end_matches('/').to_string())
                .unwrap_or_else(|| SLACK_API.to_string());
            if !(api_url.starts_with("https://") || loopback(&api_url)) {
                return Err(format!(
                    "`api_url` '{api_url}' must be an https:// URL (http:// only on this host); leave it out for {SLACK_API}"
                ));
            }
            web_url(&api_url, "api_url")?;
            if let Some(channel) = &d.channel
                && !slack_id(channel, &['C', 'G'])
            {
                return Err(format!(
                    "`channel` '{channel}' must be a channel id such as \"C0123ABCDEF\" (in Slack: the channel's details, at the bottom), not its name"
                ));
            }
            if d.channel.is_none() && !d.room_per_incident {
                return Err(
                    "a slack destination with a bot token needs `channel = \"C0123ABCDEF\"`, or `room_per_incident = true`"
                        .into(),
                );
            }
            Medium::SlackBot(SlackBot {
                api_url,
                token,
                channel: d.channel,
                room_per_incident: d.room_per_incident,
            })
        }
        Kind::Slack | Kind::Teams | Kind::Mattermost | Kind::Discord | Kind::GoogleChat => {
            if d.room_per_incident || d.channel.is_some() {
                return Err(format!(
                    "`room_per_incident` and `channel` need a bot token: a {} incoming webhook posts to its own channel{}",
                    kind.as_str(),
                    match kind {
                        Kind::Slack => "; give token = { env = \"NAME\" } (xoxb-…) instead of `url`",
                        _ => "",
                    }
                ));
            }
            let url = match d.url {
                Some(toml::Value::Table(table)) => {
                    let s: SecretFile = table
                        .try_into()
                        .map_err(|e| format!("`url`: {e}; write url = {{ env = \"NAME\" }}"))?;
                    secret(s, "url", dir)?
                }
                Some(_) => {
                    return Err(
                        "`url` holds the webhook's secret: never write it here; write url = { env = \"NAME\" } or url = { file = \"PATH\" }"
                            .into(),
                    );
                }
                None => {
                    return Err(format!(
                        "a {} destination needs `url = {{ env = \"NAME\" }}`",
                        kind.as_str()
                    ));
                }
            };
            Medium::Chat { kind, url }
        }
        Kind::Matrix => {
            let homeserver = need(d.homeserver, "homeserver", "\"https://matrix.example.org\"")?;
            web_url(&homeserver, "homeserver")?;
            let token = optional(d.token, "token")?
                .ok_or("a matrix destination needs `token = { env = \"NAME\" }` (an access token)")?;
            if d.room.is_none() && !d.room_per_incident {
                return Err(
                    "a matrix destination needs `room = \"!id:server\"`, or `room_per_incident = true`"
                        .into(),
                );
            }
            Medium::Matrix(Matrix {
                homeserver: homeserver.trim_end_matches('/').to_string(),
                token,
                room: d.room,
                room_per_incident: d.room_per_incident,
            })
        }
        Kind::Email => {
            let server = need(d.server, "server", "\"smtp.example.org:587\"")?;
            if !server
                .rsplit_once(':')
                .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok())
            {
                return Err(format!(
                    "`server` '{server}' must be host:port, e.g. \"smtp.example.org:587\""
                ));
            }
            let tls = match d.tls {
                Some(t) => t
                    .parse()
                    .map_err(|_| format!("`tls` '{t}' is not one of: {}", Tls::names()))?,
                None => Tls::StartTls,
            };
            let from = need(d.from, "from", "\"incident@example.org\"")?;
            if d.to.is_empty() || d.to.iter().any(|a| !a.contains('@')) {
                return Err("`to` needs one or more addresses, e.g. to = [\"oncall@example.org\"]".into());
            }
            if d.ca.is_some() && tls == Tls::None {
                return Err(
                    "`ca` checks the server's certificate, and tls = \"none\" has none; use tls = \"starttls\" or \"tls\", or leave `ca` out"
                        .into(),
                );
            }
            Medium::Email(Email {
                server,
                tls,
                username: d.username,
                password: optional(d.password, "password")?,
                from,
                to: d.to,
                ca: d.ca.map(|ca| match (ca.is_relative(), dir) {
                    (true, Some(dir)) => dir.join(ca),
                    _ => ca,
                }),
            })
        }
        Kind::Webhook => {
            let url = match d.url {
                Some(toml::Value::String(url)) => url,
                _ => return Err("a webhook destination needs `url = \"https://…\"`".into()),
            };
            web_url(&url, "url")?;
            Medium::Webhook {
                url,
                secret: optional(d.secret, "secret")?,
            }
        }
        Kind::Command => {
            let run = need(d.run, "run", "\"/usr/local/bin/page-someone\"")?;
            let timeout = match d.timeout {
                Some(t) => crate::time::parse_duration(&t)
                    .ok()
                    .and_then(|d| d.to_std().ok())
                    .filter(|d| !d.is_zero())
                    .ok_or_else(|| {
                        format!("`timeout` '{t}' must be a duration longer than zero, e.g. \"10s\"")
                    })?,
                None => DEFAULT_COMMAND_TIMEOUT,
            };
            Medium::Command { run, timeout }
        }
        Kind::StatusPage => {
            let folder = d.dir.clone().filter(|p| !p.as_os_str().is_empty()).ok_or(
                "a status-page destination needs `dir = \"/var/www/status\"`, where the site is served from",
            )?;
            let timeout = match &d.timeout {
                Some(t) => crate::time::parse_duration(t)
                    .ok()
                    .and_then(|d| d.to_std().ok())
                    .filter(|d| !d.is_zero())
                    .ok_or_else(|| {
                        format!("`timeout` '{t}' must be a duration longer than zero, e.g. \"60s\"")
                    })?,
                None => super::statuspage::DEFAULT_PUBLISH_TIMEOUT,
            };
            Medium::StatusPage(super::StatusPage {
                dir: match (folder.is_relative(), dir) {
                    (true, Some(dir)) => dir.join(folder),
                    _ => folder,
                },
                publish: d
                    .publish
                    .clone()
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty()),
                timeout,
                page: None,
            })
        }
    };
    // What changes the page, whatever `events` says: it is rendered whole.
    let page_kinds = kind == Kind::StatusPage;
    let mut route = route(
        d.events,
        d.severities,
        d.services,
        d.tags,
        d.audience,
        d.drills,
        levels,
    )?;
    if page_kinds {
        route = Route {
            kinds: Some(crate::domain::statuspage::CHANGES.to_vec()),
            drills: false,
            ..Route::default()
        };
        route.audiences = Audience::ALL.to_vec();
    }
    Ok(Destination { name, medium, route })
}

fn route(
    events: Option<Vec<String>>,
    severities: Vec<String>,
    services: Vec<String>,
    tags: BTreeMap<String, String>,
    audience: Option<Vec<String>>,
    drills: bool,
    levels: &[String],
) -> Result<Route, String> {
    let kinds = match events {
        None => Some(DEFAULT_KINDS.to_vec()),
        Some(list) if list.iter().any(|k| k.trim() == "*") => None,
        Some(list) if list.is_empty() => {
            return Err("`events` is empty; leave it out for the default, or list kinds, or [\"*\"]".into());
        }
        Some(list) => Some(
            list.iter()
                .map(|k| {
                    k.parse::<EventKind>().map_err(|_| {
                        format!(
                            "unknown event kind '{k}' in `events`; use \"*\" or any of: {}",
                            EventKind::names()
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
    };
    let severities = severities
        .iter()
        .map(|s| {
            levels
                .iter()
                .find(|l| l.eq_ignore_ascii_case(s))
                .cloned()
                .ok_or_else(|| {
                    format!(
                        "unknown severity '{s}' in `severities`; levels are: {}",
                        levels.join(", ")
                    )
                })
        })
        .collect::<Result<_, _>>()?;
    let audiences = match audience {
        None => Audience::ALL.to_vec(),
        Some(list) if list.is_empty() => return Err("`audience` is empty; leave it out for both".into()),
        Some(list) => list
            .iter()
            .map(|a| {
                a.parse::<Audience>()
                    .map_err(|_| format!("unknown audience '{a}'; use \"internal\", \"external\" or both"))
            })
            .collect::<Result<_, _>>()?,
    };
    Ok(Route {
        kinds,
        severities,
        services,
        tags: tags.into_iter().collect(),
        audiences,
        drills,
        pages: Vec::new(),
    })
}

fn secret(s: SecretFile, field: &str, dir: Option<&Path>) -> Result<Secret, String> {
    match (s.env, s.file) {
        (Some(name), None) if !name.trim().is_empty() => Ok(Secret::Env(name.trim().to_string())),
        (None, Some(path)) => Ok(Secret::File(match (path.is_relative(), dir) {
            (true, Some(dir)) => dir.join(path),
            _ => path,
        })),
        _ => Err(format!(
            "`{field}` must name one place to read it from: {field} = {{ env = \"NAME\" }} or {field} = {{ file = \"PATH\" }}"
        )),
    }
}

/// Whether `url` is plain HTTP to this host (a test's receiver).
fn loopback(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or_default();
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    matches!(host, "127.0.0.1" | "localhost" | "::1")
}

/// Whether `id` is a Slack id starting with one of `first`: upper case
/// letters and digits (`U0123ABCDEF`, `C0123ABCDEF`).
fn slack_id(id: &str, first: &[char]) -> bool {
    id.len() >= 3 && id.starts_with(first) && id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

fn web_url(url: &str, field: &str) -> Result<(), String> {
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && !url
            .chars()
            .any(|c| c.is_whitespace() || crate::text::needs_escape(c));
    match ok {
        true => Ok(()),
        false => Err(format!("`{field}` '{url}' must be an http:// or https:// URL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Destination>, String> {
        #[derive(Deserialize)]
        struct File {
            notify: Vec<DestinationFile>,
        }
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        destinations(
            file.notify,
            &["SEV1".into(), "SEV2".into()],
            Some(Path::new("/etc/incident")),
        )
    }

    #[test]
    fn one_line_of_routing_gives_the_default_and_secrets_are_read_from_elsewhere() {
        let d = parse(
            r#"[[notify]]
               name = "ops"
               kind = "slack"
               url = { env = "OPS_SLACK" }"#,
        )
        .unwrap();
        assert_eq!(d[0].route, Route::default());
        assert_eq!(
            d[0].medium,
            Medium::Chat {
                kind: Kind::Slack,
                url: Secret::Env("OPS_SLACK".into())
            }
        );
        let file = parse(
            r#"[[notify]]
               name = "mx"
               kind = "matrix"
               homeserver = "https://matrix.example.org/"
               token = { file = "matrix-token" }
               room = "!r:example.org"
               events = ["*"]
               severities = ["sev1"]
               audience = ["external"]"#,
        )
        .unwrap();
        let Medium::Matrix(m) = &file[0].medium else {
            panic!()
        };
        assert_eq!(m.token, Secret::File("/etc/incident/matrix-token".into()));
        assert_eq!(m.homeserver, "https://matrix.example.org");
        assert_eq!(file[0].route.kinds, None);
        assert_eq!(file[0].route.severities, ["SEV1"]);
        assert_eq!(file[0].route.audiences, [Audience::External]);
    }

    #[test]
    fn people_have_a_matrix_id_of_their_own() {
        let parse = |text: &str| {
            let raw: BTreeMap<String, PersonFile> = toml::from_str(text).unwrap();
            people(raw)
        };
        let ok =
            parse("[alice]\nmatrix = \"@alice:example.org\"\n[bob]\nemail = \"bob@example.org\"").unwrap();
        assert_eq!(ok["alice"].matrix.as_deref(), Some("@alice:example.org"));
        assert_eq!(ok["bob"].matrix, None);
        let twice = parse("[alice]\nmatrix = \"@a:x\"\n[bob]\nmatrix = \"@a:x\"").unwrap_err();
        assert_eq!(
            twice,
            "[people.bob] matrix '@a:x' is [people.alice]'s too; one Matrix user is one person"
        );
        assert!(
            parse("[carol]\nmatrix = \"carol\"")
                .unwrap_err()
                .contains("\"@carol:example.org\"")
        );
    }

    #[test]
    fn mistakes_are_named_with_what_to_write() {
        let err = |text: &str| parse(text).unwrap_err();
        let inline = err(r#"[[notify]]
            name = "ops"
            kind = "slack"
            url = "https://hooks.slack.com/services/T/B/x""#);
        assert!(inline.contains("never write it here"), "{inline}");
        assert!(
            !inline.contains("hooks.slack.com"),
            "the secret is not repeated: {inline}"
        );
        assert!(
            err(r#"[[notify]]
            name = "ops"
            kind = "sms""#)
            .contains("unknown kind 'sms'")
        );
        assert!(
            err(r#"[[notify]]
            name = "a"
            kind = "webhook"
            url = "https://x"
            [[notify]]
            name = "a"
            kind = "webhook"
            url = "https://y""#)
            .contains("defined twice")
        );
        assert!(
            err(r#"[[notify]]
            name = "a"
            kind = "webhook"
            url = "https://x"
            events = ["declared", "pages"]"#)
            .contains("unknown event kind 'pages'")
        );
        assert!(
            err(r#"[[notify]]
            name = "a"
            kind = "email"
            server = "smtp"
            from = "a@b"
            to = ["c@d"]"#)
            .contains("host:port")
        );
        assert!(
            err(r#"[[notify]]
            name = "a"
            kind = "matrix"
            homeserver = "https://m"
            token = { env = "T" }"#)
            .contains("room_per_incident")
        );
        assert!(
            err(r#"[[notify]]
            name = "a"
            kind = "webhook"
            url = "https://x"
            severities = ["SEV9"]"#)
            .contains("unknown severity 'SEV9'")
        );
    }
    #[test]
    fn a_slack_bot_token_gives_a_channel_or_one_per_incident_and_its_api_is_https() {
        let d = parse(
            r#"[[notify]]
               name = "ops"
               kind = "slack"
               token = { env = "SLACK_BOT_TOKEN" }
               channel = "C0123ABCDEF"
               room_per_incident = true"#,
        )
        .unwrap();
        assert_eq!(
            d[0].medium,
            Medium::SlackBot(SlackBot {
                api_url: SLACK_API.into(),
                token: Secret::Env("SLACK_BOT_TOKEN".into()),
                channel: Some("C0123ABCDEF".into()),
                room_per_incident: true,
            })
        );
        assert_eq!(d[0].medium.kind(), Kind::Slack);
        let with = |api: &str| {
            parse(&format!(
                "[[notify]]\nname = \"ops\"\nkind = \"slack\"\ntoken = {{ env = \"T\" }}\nroom_per_incident = true\napi_url = \"{api}\""
            ))
        };
        for local in [
            "http://127.0.0.1:8080/api",
            "http://localhost/api/",
            "http://[::1]:9/api",
        ] {
            let Medium::SlackBot(s) = &with(local).unwrap()[0].medium else {
                panic!()
            };
            assert!(!s.api_url.ends_with('/'), "{}", s.api_url);
        }
        for remote in [
            "http://slack.example.org/api",
            "http://127.0.0.1.example.org/api",
            "ftp://x",
        ] {
            assert!(
                with(remote).unwrap_err().contains("must be an https:// URL"),
                "{remote}"
            );
        }
        let people = |text: &str| people(toml::from_str(text).unwrap());
        assert_eq!(
            people("[alice]\nslack = \"U0ALICE01\"").unwrap()["alice"]
                .slack
                .as_deref(),
            Some("U0ALICE01")
        );
        assert!(
            people("[alice]\nslack = \"@alice\"")
                .unwrap_err()
                .contains("not a Slack member id")
        );
        assert!(
            people("[a]\nslack = \"U1\"\n[b]\nslack = \"U1\"")
                .unwrap_err()
                .contains("one Slack member is one person")
        );
    }
}
