//! Slack with a bot token, through its Web API: messages to a channel
//! (`chat.postMessage`), and a channel per incident ([`super::rooms`]):
//! `conversations.create`, `conversations.setTopic`,
//! `conversations.invite`. Every call is a POST with the token as a
//! bearer and a JSON body; Slack answers a refusal with HTTP 200 and
//! `{"ok": false, "error": "…"}`, which is read here into what the
//! deliverer's rules understand: rate limited or down is tried again, the
//! rest (a bad token, a missing scope, a channel the bot is not in) parks
//! the destination with Slack's error named.
//!
//! A channel is opened once: a deliverer stopped after
//! `conversations.create` and before recording the channel finds it the
//! next time by its name (`name_taken`): a channel of that name the bot
//! created after the incident was declared, not another incident's, is
//! taken as the one it opened; one of someone else's makes it try the
//! name with `-2`, `-3`, ….

use super::rooms::{Chat, Outcome, tried};
use super::{Destination, Person, SlackBot};
use crate::domain::Incident;
use crate::domain::notify::{self, Failure, Message};
use crate::store::{ReadsExt, Store};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// The most of a refusal's body kept as its reason.
const REASON_BYTES: u64 = 2_048;

/// How many names a channel is tried under before giving up.
const NAMES: u32 = 20;

/// Pages of `conversations.list` read looking for a taken name, and
/// channels per page (Slack's most is under 1,000).
const LIST_PAGES: usize = 50;
const LIST_LIMIT: &str = "999";

/// A channel made this long before its incident was declared (clocks
/// differ a little) can still be the incident's.
const SKEW_SECONDS: i64 = 300;

/// Slack's errors that pass: down, busy or rate limited.
const TRANSIENT: [&str; 6] = [
    "ratelimited",
    "rate_limited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
];

/// `conversations.invite`'s errors about the person invited, not the
/// channel or the bot: said in the channel, and the channel kept.
const CANNOT_INVITE: [&str; 9] = [
    "user_not_found",
    "no_user",
    "cant_invite",
    "cant_invite_self",
    "user_is_bot",
    "user_is_restricted",
    "user_is_ultra_restricted",
    "ura_max_channels",
    "user_disabled",
];

/// What a deliverer learns of Slack once, and keeps while it runs.
#[derive(Default)]
pub struct Known {
    /// The bot's member id and its workspace's id (`auth.test`), by
    /// destination.
    me: HashMap<String, (String, String)>,
    /// By channel: who was invited (or could not be: said once).
    invited: HashMap<String, HashSet<String>>,
}

/// One destination's turn with Slack.
pub struct Bot<'t> {
    pub agent: &'t ureq::Agent,
    pub destination: &'t Destination,
    pub slack: &'t SlackBot,
    pub known: &'t Mutex<Known>,
}

/// A refusal from Slack: its `error` (empty when Slack was not reached or
/// did not say), and what it means for the delivery.
#[derive(Debug, Clone)]
pub struct SlackError {
    pub error: String,
    pub failure: Failure,
}

impl From<SlackError> for Failure {
    fn from(e: SlackError) -> Failure {
        e.failure
    }
}

/// What a method's arguments are sent as: JSON, or a form for the methods
/// that read (Slack takes JSON only for those that write).
enum Args<'a> {
    Json(&'a Value),
    Form(&'a [(&'a str, &'a str)]),
}

impl Bot<'_> {
    fn known(&self) -> std::sync::MutexGuard<'_, Known> {
        // A panic elsewhere leaves the cache as good as it was.
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Calls `method` (`chat.postMessage`); its answer when `ok`.
    fn call(&self, method: &str, args: Args<'_>) -> Result<Value, SlackError> {
        let unreached = |failure: Failure| SlackError {
            error: String::new(),
            failure,
        };
        let token = self
            .slack
            .token
            .read()
            .map_err(|reason| unreached(Failure::Permanent { reason }))?;
        if !token.starts_with("xoxb-") {
            return Err(unreached(Failure::Permanent {
                reason: format!(
                    "the token in {} is not a bot token (xoxb-…); give the app's Bot User OAuth Token",
                    self.slack.token.describe()
                ),
            }));
        }
        let url = format!("{}/{method}", self.slack.api_url);
        let request = self
            .agent
            .post(&url)
            .header("Authorization", &format!("Bearer {token}"));
        let result = match args {
            Args::Json(body) => {
                let body = serde_json::to_vec(body).map_err(|e| {
                    unreached(Failure::Permanent {
                        reason: e.to_string(),
                    })
                })?;
                request
                    .header("Content-Type", "application/json; charset=utf-8")
                    .send(&body[..])
            }
            Args::Form(pairs) => {
                let body: String = pairs
                    .iter()
                    .map(|(k, v)| format!("{}={}", super::send::encode(k), super::send::encode(v)))
                    .collect::<Vec<_>>()
                    .join("&");
                request
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .send(body.as_bytes())
            }
        };
        answer(method, result)
    }

    /// The bot's member id and its workspace's id, asked once.
    fn me(&self) -> Result<(String, String), Failure> {
        if let Some(me) = self.known().me.get(&self.destination.name) {
            return Ok(me.clone());
        }
        let answer = self.call("auth.test", Args::Json(&json!({})))?;
        let (Some(user), Some(team)) = (answer["user_id"].as_str(), answer["team_id"].as_str()) else {
            return Err(transient("Slack's auth.test answer names no user_id or team_id"));
        };
        let me = (user.to_string(), team.to_string());
        self.known().me.insert(self.destination.name.clone(), me.clone());
        Ok(me)
    }

    /// The channel named `name`, if the bot can see one.
    fn channel_named(&self, name: &str) -> Result<Option<Value>, Failure> {
        let mut cursor = String::new();
        for _ in 0..LIST_PAGES {
            // The channels it opens are public (`channels:read`); an
            // archived one is not taken again.
            let mut args = vec![
                ("types", "public_channel"),
                ("exclude_archived", "true"),
                ("limit", LIST_LIMIT),
            ];
            if !cursor.is_empty() {
                args.push(("cursor", &cursor));
            }
            let answer = self.call("conversations.list", Args::Form(&args))?;
            if let Some(found) = answer["channels"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|c| c["name"] == name)
            {
                return Ok(Some(found.clone()));
            }
            match answer["response_metadata"]["next_cursor"].as_str() {
                Some(next) if !next.is_empty() => cursor = next.to_string(),
                _ => break,
            }
        }
        Ok(None)
    }

    /// `message` in `channel`. Slack keeps no idempotency key: a message
    /// sent again (a deliverer killed between sending and moving its
    /// cursor) is there twice.
    pub fn say(&self, channel: &str, message: &Message) -> Result<(), Failure> {
        self.call(
            "chat.postMessage",
            Args::Json(&super::render::slack_post(channel, message)),
        )
        .map_err(|e| match e.error.as_str() {
            "not_in_channel" | "channel_not_found" => Failure::Permanent {
                reason: format!(
                    "{}; invite the bot to channel {channel} (/invite @its-name in the channel)",
                    e.failure.reason()
                ),
            },
            _ => e.failure,
        })?;
        Ok(())
    }

    /// A line from the bot in `channel`.
    fn notice(&self, channel: &str, text: &str) -> Result<(), Failure> {
        self.call(
            "chat.postMessage",
            Args::Json(&json!({"channel": channel, "text": text})),
        )?;
        Ok(())
    }
}

impl Chat for Bot<'_> {
    fn room_for(&self, store: &Store, key: &str, incident: &Incident) -> Outcome<(String, String)> {
        let (me, team) = tried!(self.me());
        let others: HashSet<String> = store
            .rooms(&self.destination.name)?
            .into_iter()
            .filter(|r| r.incident_id != incident.id)
            .map(|r| r.room)
            .collect();
        let declared = incident.declared_at.timestamp();
        for nth in 1..=NAMES {
            let name = notify::channel_name(key, &incident.title, nth);
            let asked = json!({"name": name, "is_private": false});
            let id = match self.call("conversations.create", Args::Json(&asked)) {
                Ok(answer) => tried!(
                    answer["channel"]["id"]
                        .as_str()
                        .map(str::to_string)
                        .ok_or_else(|| transient("Slack's conversations.create answer names no channel id"))
                ),
                Err(e) if e.error == "name_taken" => {
                    // Ours, opened by a deliverer that stopped before
                    // recording it: the bot made it, for this incident.
                    let found = tried!(self.channel_named(&name));
                    let ours = found.filter(|c| {
                        c["creator"] == me.as_str()
                            && c["is_archived"] != true
                            && c["created"]
                                .as_i64()
                                .is_some_and(|t| t >= declared - SKEW_SECONDS)
                            && c["id"].as_str().is_some_and(|id| !others.contains(id))
                    });
                    match ours.and_then(|c| c["id"].as_str().map(str::to_string)) {
                        Some(id) => id,
                        None => continue,
                    }
                }
                Err(e) => return Ok(Err(e.failure)),
            };
            let link = format!("https://slack.com/app_redirect?channel={id}&team={team}");
            return Ok(Ok((id, link)));
        }
        Ok(Err(Failure::Permanent {
            reason: format!(
                "Slack has channels named {} and the next {} names; rename or archive some",
                notify::channel_name(key, &incident.title, 1),
                NAMES - 1
            ),
        }))
    }

    fn set_topic(&self, room: &str, topic: &str) -> Result<(), Failure> {
        let asked = json!({"channel": room, "topic": super::render::slack_topic(topic)});
        self.call("conversations.setTopic", Args::Json(&asked))?;
        Ok(())
    }

    /// Invited once per channel while the deliverer runs (Slack says
    /// `already_in_channel` for a member, which is as good); someone Slack
    /// will not invite is named in the channel instead.
    fn invite(&self, room: &str, key: &str, user: &str, person: &str, role: &str) -> Result<(), Failure> {
        let known = self.known().invited.get(room).is_some_and(|m| m.contains(user));
        if known {
            return Ok(());
        }
        let asked = json!({"channel": room, "users": user});
        match self.call("conversations.invite", Args::Json(&asked)) {
            Ok(_) => {}
            Err(e) if e.error == "already_in_channel" => {}
            Err(e) if CANNOT_INVITE.contains(&e.error.as_str()) => {
                let said = format!("Could not invite {user} ({person}, {role} of {key}): {}", e.error);
                self.notice(room, &said)?;
            }
            Err(e) => return Err(e.failure),
        }
        self.known()
            .invited
            .entry(room.to_string())
            .or_default()
            .insert(user.to_string());
        Ok(())
    }

    fn say(&self, room: &str, message: &Message) -> Result<(), Failure> {
        Bot::say(self, room, message)
    }

    fn user_of(&self, person: &Person) -> Option<String> {
        person.slack.clone()
    }
}

fn transient(reason: impl Into<String>) -> Failure {
    Failure::Transient {
        reason: reason.into(),
        retry_after: None,
    }
}

/// What Slack's answer to `method` came to.
fn answer(
    method: &str,
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Value, SlackError> {
    let mut response = result.map_err(|e| SlackError {
        error: String::new(),
        failure: transient(format!("Slack {method}: {e}")),
    })?;
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        // Rate limited (429, with Retry-After), down, or refused.
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok())
            .map(|s| chrono::Duration::seconds(s.clamp(0, 86_400)));
        let said = response
            .body_mut()
            .with_config()
            .limit(REASON_BYTES)
            .read_to_string()
            .unwrap_or_default();
        let said: Value = serde_json::from_str(&said).unwrap_or(Value::Null);
        let error = said["error"].as_str().unwrap_or_default().to_string();
        let failure = Failure::of_status(status, retry_after, &format!("Slack {method} {error}"));
        return Err(SlackError { error, failure });
    }
    let text = response
        .body_mut()
        .with_config()
        .limit(16 * 1024 * 1024)
        .read_to_string()
        .map_err(|e| SlackError {
            error: String::new(),
            failure: transient(format!("Slack's answer to {method} does not read: {e}")),
        })?;
    let answer: Value = serde_json::from_str(&text).map_err(|e| SlackError {
        error: String::new(),
        failure: transient(format!("Slack's answer to {method} is not JSON: {e}")),
    })?;
    if answer["ok"] == true {
        return Ok(answer);
    }
    let error = crate::text::one_line(answer["error"].as_str().unwrap_or("no error named"))
        .chars()
        .take(100)
        .collect::<String>();
    Err(SlackError {
        failure: refusal(method, &error, &answer),
        error,
    })
}

/// What Slack's `error` for `method` means: tried again, or parked with a
/// reason that says what to do.
fn refusal(method: &str, error: &str, answer: &Value) -> Failure {
    if TRANSIENT.contains(&error) {
        return transient(format!("Slack {method}: {error}"));
    }
    let hint = match error {
        "invalid_auth" | "not_authed" | "token_revoked" | "token_expired" | "account_inactive" => {
            "check the bot token (the app's Bot User OAuth Token, xoxb-…)".to_string()
        }
        "missing_scope" => format!(
            "the bot token lacks the scope {}; add it under OAuth & Permissions and reinstall the app",
            crate::text::one_line(
                answer["needed"]
                    .as_str()
                    .unwrap_or("named in Slack's docs for this method")
            )
        ),
        "restricted_action" => "the workspace does not let the bot do this".to_string(),
        "is_archived" => "the channel is archived".to_string(),
        _ => String::new(),
    };
    Failure::Permanent {
        reason: match hint.is_empty() {
            true => format!("Slack {method}: {error}"),
            false => format!("Slack {method}: {error}: {hint}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_errors_pass_or_park_with_what_to_do() {
        assert!(matches!(
            refusal("chat.postMessage", "ratelimited", &Value::Null),
            Failure::Transient { .. }
        ));
        let bad = refusal("auth.test", "invalid_auth", &Value::Null);
        assert_eq!(
            bad.reason(),
            "Slack auth.test: invalid_auth: check the bot token (the app's Bot User OAuth Token, xoxb-…)"
        );
        assert!(matches!(bad, Failure::Permanent { .. }));
        let scope = refusal(
            "conversations.create",
            "missing_scope",
            &json!({"needed": "channels:manage"}),
        );
        assert!(
            scope.reason().contains("lacks the scope channels:manage"),
            "{scope:?}"
        );
        assert_eq!(
            refusal("chat.postMessage", "channel_not_found", &Value::Null).reason(),
            "Slack chat.postMessage: channel_not_found"
        );
    }
}
