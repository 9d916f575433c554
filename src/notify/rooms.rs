//! A room per incident, whatever chat holds it: opened when the first
//! event a destination wants of an incident comes, recorded (its link
//! among the incident's channels, by an `edited` event, and the room
//! itself, in one transaction), its topic kept to what `incident topic`
//! prints, its role holders invited. What is written here once, the chats
//! ([`super::matrix`], [`super::slack`]) do through [`Chat`]: the talking
//! to their servers, and how each finds a room it opened before it could
//! record it (a deliverer stopped in between, or two at once), so a room
//! is opened once.

use super::Person;
use crate::domain::notify::{Failure, Message, Room};
use crate::domain::ops::{self, EditRequest};
use crate::domain::{EventData, EventKind, Incident, key};
use crate::store::{ReadsExt, Store};
use anyhow::{Result, anyhow};
use chrono::{DateTime, Utc};

/// What a chat's answer came to: the outer error is the database's (or a
/// bug), the inner one the chat's, which the deliverer's rules retry or
/// park.
pub type Outcome<T> = Result<Result<T, Failure>>;

/// The inner value, or the outcome's failure returned.
macro_rules! tried {
    ($e:expr) => {
        match $e {
            Ok(value) => value,
            Err(failure) => return Ok(Err(failure.into())),
        }
    };
}
pub(crate) use tried;

/// A chat that holds a room per incident, for one destination's turn.
pub trait Chat {
    /// The incident's room (`key`): the one opened for it before, if the
    /// chat can tell, else a new one. Its id, and the link people open it
    /// by.
    fn room_for(&self, store: &Store, key: &str, incident: &Incident) -> Outcome<(String, String)>;

    /// Sets the room's topic to `topic` (what `incident topic` prints).
    fn set_topic(&self, room: &str, topic: &str) -> Result<(), Failure>;

    /// Invites `user` (`person`, who holds `role`), unless they are, or
    /// were, in the room as far as the chat can tell.
    fn invite(&self, room: &str, key: &str, user: &str, person: &str, role: &str) -> Result<(), Failure>;

    /// `message` in `room`.
    fn say(&self, room: &str, message: &Message) -> Result<(), Failure>;

    /// A person's id in this chat (`[people]`).
    fn user_of(&self, person: &Person) -> Option<String>;
}

/// What recording a room needs besides the chat.
pub struct Recorder<'t> {
    pub destination: &'t str,
    pub prefix: &'t str,
    /// Who signs what the deliverer records (a room's link).
    pub author: &'t str,
    pub clock: &'t dyn Fn() -> Result<DateTime<Utc>>,
}

/// Opens the incident's room (or finds the one opened before) and records
/// it: its link as one of the incident's channels (an `edited` event) and
/// the room itself, in one transaction, unless another deliverer recorded
/// it first.
pub fn open(chat: &dyn Chat, r: &Recorder<'_>, store: &mut Store, incident: &Incident) -> Outcome<Room> {
    let id = incident.id;
    let key = key::format(r.prefix, id);
    let (room_id, link) = tried!(chat.room_for(store, &key, incident)?);
    let destination = r.destination.to_string();
    let room = store
        .write(r.author, r.clock, |w| {
            if let Some(known) = w.rooms(&destination)?.into_iter().find(|r| r.incident_id == id) {
                return Ok(known);
            }
            let incident = w
                .incident(id)?
                .ok_or_else(|| anyhow!("{key} is not in the database"))?;
            if !incident.channels.contains(&link) {
                let request = EditRequest {
                    add_channels: vec![link.clone()],
                    ..Default::default()
                };
                let change = ops::edit(&incident, &request, w.now())
                    .map_err(|r| anyhow!("cannot record {link} on {key}: {r:?}"))?;
                w.apply(change)?;
            }
            let room = Room {
                destination: destination.clone(),
                incident_id: id,
                room: room_id.clone(),
                link: link.clone(),
                topic: None,
            };
            w.transaction().put_room(&room)?;
            Ok(room)
        })?
        .value;
    Ok(Ok(room))
}

/// Keeps the room to the incident as it stands: its topic set when the
/// topic line differs from the one last set, its role holders and the
/// people paged (those `[people]` gives an id in the chat) invited.
/// Returns the room as now stored.
pub fn keep(
    chat: &dyn Chat,
    r: &Recorder<'_>,
    people: &std::collections::BTreeMap<String, Person>,
    store: &mut Store,
    room: &Room,
    incident: &Incident,
) -> Outcome<Room> {
    let key = key::format(r.prefix, incident.id);
    let topic = crate::render::topic_of(&**store, &key, incident)?;
    let mut room = room.clone();
    if room.topic.as_deref() != Some(topic.as_str()) {
        tried!(chat.set_topic(&room.room, &topic));
        room.topic = Some(topic);
        store.write(r.author, r.clock, |w| w.transaction().put_room(&room))?;
    }
    // The role holders, and the people paged: a page said in the room
    // reaches someone there.
    let mut wanted: Vec<(String, String)> = incident
        .roles
        .iter()
        .map(|h| (h.person.clone(), h.role.clone()))
        .collect();
    for e in store.events_of(incident.id, &[EventKind::Paged])? {
        if let EventData::Paged(p) = e.data {
            wanted.push((p.person, "paged".into()));
        }
    }
    let mut asked = std::collections::HashSet::new();
    for (person, role) in &wanted {
        let Some(user) = people.get(person).and_then(|p| chat.user_of(p)) else {
            continue;
        };
        if asked.insert(user.clone()) {
            tried!(chat.invite(&room.room, &key, &user, person, role));
        }
    }
    Ok(Ok(room))
}
