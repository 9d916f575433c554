//! Notifications delivered from the record: the destinations of the
//! configuration's `[[notify]]` (this module and [`file`]), the message each
//! medium gets ([`render`]), how it is sent ([`send`]), and the deliverer
//! that walks the timeline for each destination ([`deliver`]). Which events
//! a destination gets, what a message says and how a delivery moves are
//! rules of the domain (`domain::notify`).

pub mod deliver;
pub mod file;
pub mod matrix;
pub mod page;
pub mod render;
pub mod rooms;
pub mod send;
pub mod slack;
pub mod statuspage;

use crate::domain::notify::Route;
use std::path::PathBuf;
use std::time::Duration;

/// What a `command` destination's environment adds: where the database
/// and the configuration are, so the command can run `incident` itself.
pub fn environment(
    store: &crate::store::Store,
    config: Option<&std::path::Path>,
) -> Vec<(&'static str, String)> {
    let mut env = vec![("INCIDENT_DB", store.location().shared())];
    if let Some(source) = config {
        let source = std::path::absolute(source).unwrap_or_else(|_| source.to_path_buf());
        env.push(("INCIDENT_CONFIG", source.display().to_string()));
    }
    env
}

/// One `[[notify]]` entry: where messages go and which ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Destination {
    /// Unique: its delivery's cursor is kept under it.
    pub name: String,
    pub medium: Medium,
    pub route: Route,
}

named_enum! {
    /// The kinds of destination, as `kind = "…"` names them.
    Kind {
        Slack = "slack",
        Teams = "teams",
        Mattermost = "mattermost",
        Discord = "discord",
        GoogleChat = "google-chat",
        Matrix = "matrix",
        Email = "email",
        Webhook = "webhook",
        Command = "command",
        StatusPage = "status-page",
    }
}

/// How a destination is reached, with what its kind needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Medium {
    /// An incoming webhook of a chat (Slack, Teams, Mattermost, Discord,
    /// Google Chat): its URL is the secret.
    Chat {
        kind: Kind,
        url: Secret,
    },
    Matrix(Matrix),
    /// Slack through its Web API, with a bot token: a channel, or a
    /// channel per incident.
    SlackBot(SlackBot),
    Email(Email),
    /// Our own JSON document, signed when a secret is given.
    Webhook {
        url: String,
        secret: Option<Secret>,
    },
    /// A command, as a hook runs it.
    Command {
        run: String,
        timeout: Duration,
    },
    /// The public status page, written again after each change it shows
    /// ([`statuspage`]), then published by an optional command.
    StatusPage(StatusPage),
}

/// A `status-page` destination.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusPage {
    /// Where the site is served from (a link to its latest version).
    pub dir: PathBuf,
    /// Run after each new version (an rsync, a git push, an upload).
    pub publish: Option<String>,
    pub timeout: Duration,
    /// `[status_page]`, set when the configuration is read.
    pub page: Option<crate::statuspage::Settings>,
}

impl Medium {
    pub fn kind(&self) -> Kind {
        match self {
            Medium::Chat { kind, .. } => *kind,
            Medium::Matrix(_) => Kind::Matrix,
            Medium::SlackBot(_) => Kind::Slack,
            Medium::Email(_) => Kind::Email,
            Medium::Webhook { .. } => Kind::Webhook,
            Medium::Command { .. } => Kind::Command,
            Medium::StatusPage(_) => Kind::StatusPage,
        }
    }
}

/// A Matrix room, or a room per incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    /// `https://matrix.example.org`
    pub homeserver: String,
    pub token: Secret,
    /// The room messages go to (`!id:server` or `#alias:server`).
    pub room: Option<String>,
    /// Opens a room for each incident declared, invites its role holders
    /// and keeps its topic current.
    pub room_per_incident: bool,
}

/// Slack with a bot token (`xoxb-…`), through its Web API.
#[derive(Debug, Clone, PartialEq)]
pub struct SlackBot {
    /// `https://slack.com/api` (another only to test against).
    pub api_url: String,
    pub token: Secret,
    /// The channel messages go to (its id, `C0123ABCDEF`).
    pub channel: Option<String>,
    /// Opens a channel for each incident declared, invites its role
    /// holders and keeps its topic current.
    pub room_per_incident: bool,
}

/// Slack's Web API, unless a destination names another.
pub const SLACK_API: &str = "https://slack.com/api";

/// Mail through an SMTP server.
#[derive(Debug, Clone, PartialEq)]
pub struct Email {
    /// `host:port`
    pub server: String,
    pub tls: Tls,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub from: String,
    pub to: Vec<String>,
    /// The CA that signed the server's certificate (a PEM file), trusted
    /// instead of the public ones: for a relay with a private CA.
    pub ca: Option<PathBuf>,
}

named_enum! {
    /// How an SMTP connection is protected: STARTTLS, required (the
    /// default); TLS from the first byte (port 465); none, only for a relay
    /// on this host.
    Tls {
        StartTls = "starttls",
        Tls = "tls",
        None = "none",
    }
}

/// Where a secret is read from when it is needed (never from the
/// configuration itself, so the file can be shared and shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secret {
    Env(String),
    File(PathBuf),
}

impl Secret {
    /// The secret's value, or why it cannot be had (naming where it was
    /// looked for, never what it is).
    pub fn read(&self) -> Result<String, String> {
        let value = match self {
            Secret::Env(name) => {
                std::env::var(name).map_err(|_| format!("environment variable {name} is not set"))?
            }
            Secret::File(path) => std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read secret file {}: {e}", path.display()))?,
        };
        let value = value.trim().to_string();
        match value.is_empty() {
            true => Err(format!("{} is empty", self.describe())),
            false => Ok(value),
        }
    }

    /// Where it is read from, for messages.
    pub fn describe(&self) -> String {
        match self {
            Secret::Env(name) => format!("environment variable {name}"),
            Secret::File(path) => format!("secret file {}", path.display()),
        }
    }
}

/// How to reach a person (`[people.NAME]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    /// `@alice:example.org`
    pub matrix: Option<String>,
    /// A Slack member id, `U0123ABCDEF`.
    pub slack: Option<String>,
    pub email: Option<String>,
    /// The destination their pages go through, when not Matrix or mail.
    pub notify: Option<String>,
    /// Where they are: the times in their pages are on this clock.
    pub time_zone: Option<crate::domain::zone::Zone>,
}
