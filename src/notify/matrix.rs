//! Matrix beyond one room: a room opened for each incident (named for it,
//! its topic kept to what `incident topic` prints, its role holders
//! invited, its link recorded among the incident's channels), and what
//! people say there read back into the timeline (`!note …`, a ⏱
//! reaction). The deliverer does this on a destination's turn, holding the
//! destination's claim, so one deliverer at a time does it for one
//! destination; and whoever does it, a message is recorded once (its mark
//! in `chat_seen` is written with its entry) and a room is opened once
//! (its alias is the incident's own: looked up before a room is opened).
//!
//! The rules — what a message asks for, the alias — are the domain's
//! (`domain::notify`); this is the talking to the homeserver and the
//! writing of what it said.

use super::rooms::{Chat, Outcome, tried};
use super::send::{MatrixError, encode, matrix_call};
use super::{Destination, Matrix, Person};
use crate::domain::notify::{self, Failure, Message, Room, Said};
use crate::domain::ops::{self, Entry, UpdateRequest};
use crate::domain::{EntryKind, Incident, key};
use crate::store::{ReadsExt, Store};
use anyhow::{Result, anyhow};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

/// The event types read from the rooms.
const HEARD: [&str; 2] = ["m.room.message", "m.reaction"];

/// Events read per room in one sync; more since the last read are paged
/// back through `/messages`, up to [`GAP_PAGES`] pages of [`PAGE`].
const TIMELINE: usize = 50;
const PAGE: usize = 100;
const GAP_PAGES: usize = 50;

/// The longest room name sent (a title can be long).
const NAME_CHARS: usize = 200;

/// What a deliverer learns of homeservers once, and keeps while it runs.
#[derive(Default)]
pub struct Known {
    /// The bot's user id, by destination.
    bots: HashMap<String, String>,
    /// The id of the room `room = …` names, once joined, by destination.
    joined: HashMap<String, String>,
    /// By room: who is in it, invited, or was and left (never invited
    /// again), or could not be invited (said once in the room).
    members: HashMap<String, HashSet<String>>,
}

/// One destination's turn with its homeserver.
pub struct Bot<'t> {
    pub agent: &'t ureq::Agent,
    pub destination: &'t Destination,
    pub matrix: &'t Matrix,
    pub people: &'t BTreeMap<String, Person>,
    pub known: &'t Mutex<Known>,
    pub prefix: &'t str,
    pub clock: &'t dyn Fn() -> Result<DateTime<Utc>>,
}

fn transient(reason: impl Into<String>) -> Failure {
    Failure::Transient {
        reason: reason.into(),
        retry_after: None,
    }
}

impl Bot<'_> {
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, MatrixError> {
        matrix_call(self.agent, self.matrix, method, path, body)
    }

    fn known(&self) -> std::sync::MutexGuard<'_, Known> {
        // A panic elsewhere leaves the cache as good as it was.
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The bot's own user id (`@incident:example.org`), asked once.
    pub fn me(&self) -> Result<String, Failure> {
        if let Some(id) = self.known().bots.get(&self.destination.name) {
            return Ok(id.clone());
        }
        let answer = self.call("GET", "/_matrix/client/v3/account/whoami", None)?;
        let id = answer["user_id"]
            .as_str()
            .ok_or_else(|| transient("the homeserver's whoami answer names no user_id"))?
            .to_string();
        self.known()
            .bots
            .insert(self.destination.name.clone(), id.clone());
        Ok(id)
    }

    /// The id of the room `room` names (an id or an alias), joined: an
    /// invitation accepted, an alias resolved. Asked once; joining a room
    /// the bot is in changes nothing.
    pub fn joined(&self, room: &str) -> Result<String, Failure> {
        if let Some(id) = self.known().joined.get(&self.destination.name) {
            return Ok(id.clone());
        }
        let path = format!("/_matrix/client/v3/join/{}", encode(room));
        let answer = self
            .call("POST", &path, Some(&json!({})))
            .map_err(|e| match e.failure {
                Failure::Permanent { reason } => Failure::Permanent {
                    reason: format!("cannot join room {room} ({reason}); invite the bot's user to it"),
                },
                other => other,
            })?;
        let id = answer["room_id"].as_str().unwrap_or(room).to_string();
        self.known()
            .joined
            .insert(self.destination.name.clone(), id.clone());
        Ok(id)
    }

    /// `message` in `room` (an id), under its idempotency key as the
    /// transaction id: sent again, it is there once.
    pub fn say(&self, room: &str, message: &Message) -> Result<(), Failure> {
        super::send::matrix_message(self.agent, self.matrix, room, message)
    }

    /// The room the alias names, if any.
    fn room_of_alias(&self, alias: &str) -> Result<Option<String>, Failure> {
        let path = format!("/_matrix/client/v3/directory/room/{}", encode(alias));
        match self.call("GET", &path, None) {
            Ok(answer) => Ok(answer["room_id"].as_str().map(str::to_string)),
            Err(e) if e.not_found() => Ok(None),
            Err(e) => Err(e.failure),
        }
    }

    /// The alias of the incident's room on this homeserver.
    fn alias(&self, store: &Store, key: &str, id: i64) -> Outcome<(String, String)> {
        let me = tried!(self.me());
        let server = me.split_once(':').map_or("", |(_, server)| server);
        let chain = store
            .chain(id)?
            .ok_or_else(|| anyhow!("{key} is not in the database"))?;
        let local = notify::room_alias(&self.destination.name, key, &chain.uid);
        let alias = format!("#{local}:{server}");
        Ok(Ok((local, alias)))
    }
    /// A notice from the bot in `room` (in reply to event `to`, if given),
    /// under transaction id `txn`: said once however often it is said.
    fn notice(&self, room: &str, txn: &str, to: Option<&str>, text: &str) -> Result<(), Failure> {
        let path = format!(
            "/_matrix/client/v3/rooms/{}/send/m.room.message/{}",
            encode(room),
            encode(txn)
        );
        let mut content = json!({"msgtype": "m.notice", "body": text});
        if let Some(event) = to {
            content["m.relates_to"] = json!({"m.in_reply_to": {"event_id": event}});
        }
        self.call("PUT", &path, Some(&content))?;
        Ok(())
    }

    /// Reads what was said in `rooms` since `since` (a sync token; `None`:
    /// each room's recent messages) and records what asks for it. Returns
    /// how many entries it recorded and the token to read on from.
    ///
    /// Synapse answers a sync it was asked for in the last two minutes
    /// (the same token and filter) as it did then: a token read from twice
    /// — after a deliverer stopped before keeping the next one — reads on a
    /// little late, never past anything.
    pub fn read(&self, store: &mut Store, rooms: &[Room], since: Option<&str>) -> Outcome<(usize, String)> {
        let me = tried!(self.me());
        let filter = json!({
            "presence": {"not_types": ["*"]},
            "account_data": {"not_types": ["*"]},
            "room": {
                "state": {"not_types": ["*"]},
                "ephemeral": {"not_types": ["*"]},
                "account_data": {"not_types": ["*"]},
                "timeline": {"types": HEARD, "limit": TIMELINE},
            },
        });
        let mut path = format!(
            "/_matrix/client/v3/sync?timeout=0&filter={}",
            encode(&filter.to_string())
        );
        if let Some(since) = since {
            path.push_str(&format!("&since={}", encode(since)));
        }
        let answer = tried!(self.call("GET", &path, None));
        let next = tried!(
            answer["next_batch"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| transient("the homeserver's sync answer has no next_batch"))
        );
        let mut recorded = 0;
        for room in rooms {
            let timeline = &answer["rooms"]["join"][&room.room]["timeline"];
            let mut events = timeline["events"].as_array().cloned().unwrap_or_default();
            // More was said than one sync gives: the rest, back to where
            // the last read ended.
            if timeline["limited"].as_bool() == Some(true)
                && let (Some(since), Some(from)) = (since, timeline["prev_batch"].as_str())
            {
                let mut older = tried!(self.between(&room.room, from, since));
                older.append(&mut events);
                events = older;
            }
            for event in &events {
                recorded += tried!(self.heard(store, room, &me, event)?);
            }
        }
        Ok(Ok((recorded, next)))
    }

    /// The events of `room` from token `from` back to token `to`, oldest
    /// first.
    fn between(&self, room: &str, from: &str, to: &str) -> Result<Vec<Value>, Failure> {
        let filter = json!({"types": HEARD}).to_string();
        let mut from = from.to_string();
        let mut newest_first = Vec::new();
        for _ in 0..GAP_PAGES {
            let path = format!(
                "/_matrix/client/v3/rooms/{}/messages?dir=b&limit={PAGE}&from={}&to={}&filter={}",
                encode(room),
                encode(&from),
                encode(to),
                encode(&filter)
            );
            let answer = self.call("GET", &path, None)?;
            let chunk = answer["chunk"].as_array().cloned().unwrap_or_default();
            let end = answer["end"].as_str().map(str::to_string);
            let done = chunk.is_empty();
            newest_first.extend(chunk);
            match end {
                Some(end) if !done && end != from => from = end,
                _ => break,
            }
        }
        newest_first.reverse();
        Ok(newest_first)
    }

    /// One event of an incident's room: recorded (1) when it asks for it
    /// and its sender is known, answered when it cannot be.
    fn heard(&self, store: &mut Store, room: &Room, me: &str, event: &Value) -> Outcome<usize> {
        let sender = event["sender"].as_str().unwrap_or_default();
        let id = event["event_id"].as_str().unwrap_or_default();
        if sender.is_empty() || id.is_empty() || sender == me {
            return Ok(Ok(0));
        }
        let content = &event["content"];
        let (kind, text, at, source) = match event["type"].as_str() {
            Some("m.room.message") => {
                // Edits and notices (other bots) are not commands.
                if content["msgtype"] != "m.text" || content["m.relates_to"]["rel_type"] == "m.replace" {
                    return Ok(Ok(0));
                }
                match notify::said(notify::own_words(content["body"].as_str().unwrap_or_default())) {
                    None => return Ok(Ok(0)),
                    Some(Said::Ack) => return self.ack(store, room, sender, id),
                    Some(Said::Empty(kind)) => {
                        let command = notify::COMMANDS
                            .iter()
                            .find(|(_, k)| *k == kind)
                            .map_or("note", |(name, _)| name);
                        let said = format!(
                            "Nothing recorded: write what to record after !{command}, e.g. \"!{command} rolled back 4821\"."
                        );
                        tried!(self.notice(&room.room, &format!("answer.{id}"), Some(id), &said));
                        return Ok(Ok(0));
                    }
                    Some(Said::Entry { kind, text }) => (kind, text, time_of(event), id.to_string()),
                }
            }
            Some("m.reaction") => {
                let relation = &content["m.relates_to"];
                let key = relation["key"].as_str().unwrap_or_default();
                let (Some("m.annotation"), Some(target)) =
                    (relation["rel_type"].as_str(), relation["event_id"].as_str())
                else {
                    return Ok(Ok(0));
                };
                if !notify::marks_timeline(key) {
                    return Ok(Ok(0));
                }
                let Some(message) = tried!(self.event(&room.room, target)) else {
                    return Ok(Ok(0));
                };
                let by = message["sender"].as_str().unwrap_or_default();
                // The bot's own messages are the timeline already.
                if message["type"] != "m.room.message" || by == me {
                    return Ok(Ok(0));
                }
                let words = notify::own_words(message["content"]["body"].as_str().unwrap_or_default());
                let (kind, words) = match notify::said(words) {
                    Some(Said::Entry { kind, text }) => (kind, text),
                    Some(Said::Empty(_) | Said::Ack) => return Ok(Ok(0)),
                    None => (EntryKind::Note, words.trim().to_string()),
                };
                if words.is_empty() {
                    return Ok(Ok(0));
                }
                let text = match by == sender {
                    true => words,
                    false => notify::relayed(&self.name_of(by), &words),
                };
                // The message is what is recorded, once, however many
                // react to it.
                (kind, text, time_of(&message), target.to_string())
            }
            _ => return Ok(Ok(0)),
        };
        let Some(person) = self.person_of(sender) else {
            let key = key::format(self.prefix, room.incident_id);
            let said = format!(
                "Not on the timeline of {key}: {sender} is not one of the people incident knows. \
                 Add them to its configuration as [people.NAME] with matrix = \"{sender}\", then say it again."
            );
            tried!(self.notice(&room.room, &format!("answer.{id}"), Some(id), &said));
            return Ok(Ok(0));
        };
        let source = format!("matrix:{source}");
        let clock = self.clock;
        let recorded = store
            .write(&person, clock, |w| {
                if !w.seen(std::slice::from_ref(&source))?.is_empty() {
                    return Ok(false);
                }
                let Some(incident) = w.incident(room.incident_id)? else {
                    return Ok(false);
                };
                let request = UpdateRequest {
                    entry: Some(Entry {
                        kind,
                        external: false,
                        text,
                    }),
                    ..Default::default()
                };
                let at = at.unwrap_or(w.now());
                let change = ops::update(&incident, &request, at, &Default::default())
                    .map_err(|r| anyhow!("cannot record {source}: {r:?}"))?;
                w.apply(change)?;
                let number = w
                    .appended()
                    .last()
                    .map(|e| e.id)
                    .ok_or_else(|| anyhow!("recording {source} appended no event"))?;
                w.transaction().mark_seen(&source, number)?;
                Ok(true)
            })?
            .value;
        Ok(Ok(usize::from(recorded)))
    }

    /// `ack` said in an incident's room: the sender, as the person they
    /// are, takes the incident (once per message; an incident no longer
    /// open is answered, not recorded).
    fn ack(&self, store: &mut Store, room: &Room, sender: &str, id: &str) -> Outcome<usize> {
        let key = key::format(self.prefix, room.incident_id);
        let Some(person) = self.person_of(sender) else {
            let said = format!(
                "Not acknowledged: {sender} is not one of the people incident knows. \
                 Add them to its configuration as [people.NAME] with matrix = \"{sender}\"."
            );
            tried!(self.notice(&room.room, &format!("answer.{id}"), Some(id), &said));
            return Ok(Ok(0));
        };
        let source = format!("matrix:{id}");
        let recorded = store
            .write(&person, self.clock, |w| {
                if !w.seen(std::slice::from_ref(&source))?.is_empty() {
                    return Ok(Some(true));
                }
                let Some(incident) = w.incident(room.incident_id)? else {
                    return Ok(Some(true));
                };
                let Ok(change) = ops::acknowledge(&incident, w.now()) else {
                    return Ok(None);
                };
                w.apply(change)?;
                let number = w
                    .appended()
                    .last()
                    .map(|e| e.id)
                    .ok_or_else(|| anyhow!("recording {source} appended no event"))?;
                w.transaction().mark_seen(&source, number)?;
                Ok(Some(false))
            })?
            .value;
        match recorded {
            Some(seen) => Ok(Ok(usize::from(!seen))),
            None => {
                let said = format!("{key} is no longer open: there is nothing to acknowledge.");
                tried!(self.notice(&room.room, &format!("answer.{id}"), Some(id), &said));
                Ok(Ok(0))
            }
        }
    }

    /// An event of `room`, if the bot may see it.
    fn event(&self, room: &str, id: &str) -> Result<Option<Value>, Failure> {
        let path = format!("/_matrix/client/v3/rooms/{}/event/{}", encode(room), encode(id));
        match self.call("GET", &path, None) {
            Ok(event) => Ok(Some(event)),
            // Gone, or from before the bot was there.
            Err(e) if e.not_found() || e.status == Some(403) => Ok(None),
            Err(e) => Err(e.failure),
        }
    }

    /// The person `[people]` gives this Matrix id.
    fn person_of(&self, user: &str) -> Option<String> {
        self.people
            .iter()
            .find(|(_, p)| p.matrix.as_deref() == Some(user))
            .map(|(name, _)| name.clone())
    }

    /// How the timeline names a Matrix user: as a person, or by their id.
    fn name_of(&self, user: &str) -> String {
        self.person_of(user).unwrap_or_else(|| user.to_string())
    }
}

impl Chat for Bot<'_> {
    /// The room under the incident's own alias — opened before, by a
    /// deliverer that stopped before recording it or by another one — or
    /// a new one under it (a homeserver refuses a second room under a
    /// taken alias).
    fn room_for(&self, store: &Store, key: &str, incident: &Incident) -> Outcome<(String, String)> {
        let (local, alias) = tried!(self.alias(store, key, incident.id)?);
        let room_id = match tried!(self.room_of_alias(&alias)) {
            Some(found) => found,
            None => {
                let name: String = crate::text::one_line(&format!("{key} {}", incident.title))
                    .chars()
                    .take(NAME_CHARS)
                    .collect();
                let topic = crate::render::topic_of(&**store, key, incident)?;
                let asked = json!({
                    "preset": "private_chat",
                    "visibility": "private",
                    "name": name,
                    "topic": topic,
                    "room_alias_name": local,
                });
                match self.call("POST", "/_matrix/client/v3/createRoom", Some(&asked)) {
                    Ok(answer) => tried!(
                        answer["room_id"]
                            .as_str()
                            .map(str::to_string)
                            .ok_or_else(|| transient("the homeserver's createRoom answer names no room_id"))
                    ),
                    // Opened meanwhile, by another deliverer: that one.
                    Err(e) if e.errcode == "M_ROOM_IN_USE" => tried!(
                        tried!(self.room_of_alias(&alias))
                            .ok_or_else(|| transient(format!("{alias} is taken, yet names no room")))
                    ),
                    Err(e) => return Ok(Err(e.failure)),
                }
            }
        };
        let link = format!("https://matrix.to/#/{room_id}");
        Ok(Ok((room_id, link)))
    }

    fn set_topic(&self, room: &str, topic: &str) -> Result<(), Failure> {
        let path = format!("/_matrix/client/v3/rooms/{}/state/m.room.topic/", encode(room));
        self.call("PUT", &path, Some(&json!({ "topic": topic })))?;
        Ok(())
    }

    /// Invited unless they are in the room, invited, or were (asked once
    /// per room while the deliverer runs); someone the homeserver will not
    /// invite is named in the room instead.
    fn invite(&self, room: &str, key: &str, user: &str, person: &str, role: &str) -> Result<(), Failure> {
        let known = self.known().members.get(room).is_some_and(|m| m.contains(user));
        if known {
            return Ok(());
        }
        let member = format!(
            "/_matrix/client/v3/rooms/{}/state/m.room.member/{}",
            encode(room),
            encode(user)
        );
        match self.call("GET", &member, None) {
            // In the room, invited, or was: asked once.
            Ok(_) => {}
            Err(e) if e.not_found() => {
                let path = format!("/_matrix/client/v3/rooms/{}/invite", encode(room));
                let asked = json!({
                    "user_id": user,
                    "reason": format!("{role} of {key}"),
                });
                match self.call("POST", &path, Some(&asked)) {
                    Ok(_) => {}
                    Err(MatrixError {
                        failure: Failure::Permanent { reason },
                        ..
                    }) => {
                        // Someone the homeserver will not invite (an
                        // unknown user, a server it cannot reach): said in
                        // the room, and the room kept all the same.
                        let said = format!("Could not invite {user} ({person}, {role}): {reason}");
                        self.notice(room, &format!("invite.{user}"), None, &said)?;
                    }
                    Err(e) => return Err(e.failure),
                }
            }
            Err(e) => return Err(e.failure),
        }
        self.known()
            .members
            .entry(room.to_string())
            .or_default()
            .insert(user.to_string());
        Ok(())
    }

    fn say(&self, room: &str, message: &Message) -> Result<(), Failure> {
        Bot::say(self, room, message)
    }

    fn user_of(&self, person: &Person) -> Option<String> {
        person.matrix.clone()
    }
}

/// When a message was sent, by the homeserver's clock (in whole seconds,
/// as times are kept); `None` when it does not say (or says nonsense).
fn time_of(event: &Value) -> Option<DateTime<Utc>> {
    event["origin_server_ts"]
        .as_i64()
        .and_then(DateTime::from_timestamp_millis)
        .map(crate::time::truncate)
        .filter(|t| crate::time::in_range(*t))
}
