//! A fake Slack Web API on loopback, written from Slack's published method
//! reference (docs.slack.dev/reference/methods): `auth.test`,
//! `conversations.create`, `conversations.list`, `conversations.setTopic`,
//! `conversations.invite` and `chat.postMessage`. It checks each request
//! as Slack does — POST to `/api/METHOD`, the bearer token, the content
//! type (JSON with `charset=utf-8` for the methods that write; a form for
//! `conversations.list`, which takes no JSON), the required arguments, the
//! channel name rules — and answers as Slack does, HTTP 200 and
//! `{"ok": false, "error": …}` on a refusal. It keeps what was done
//! (channels, topics, members, messages) for the test to read back.
//!
//! Stricter than Slack in one way: a JSON body without `charset=utf-8` is
//! refused (`missing_charset`), where Slack only warns.

use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};

/// The bot's token, its member id, and its workspace.
pub const TOKEN: &str = "xoxb-1234-5678-fake";
pub const BOT: &str = "U0BOT0001";
pub const TEAM: &str = "T0TEAM001";

#[derive(Debug, Clone)]
pub struct Channel {
    pub id: String,
    pub name: String,
    pub creator: String,
    pub created: i64,
    pub topic: String,
    pub members: Vec<String>,
    /// What `chat.postMessage` was given, in order.
    pub messages: Vec<Value>,
}

/// A scripted answer, given before the request is looked at.
type Answer = (u16, Vec<(String, String)>, String);

#[derive(Default)]
struct State {
    /// Member ids Slack knows (the bot's too).
    users: Vec<String>,
    channels: Vec<Channel>,
    /// Every call, by method, with its arguments.
    calls: Vec<(String, Value)>,
    answers: HashMap<String, VecDeque<Answer>>,
    /// A method whose next answer is held (after it did what it does)
    /// until [`Slack::release`].
    stall: Option<String>,
    stalled: bool,
    released: bool,
    /// Slack's clock, in Unix seconds.
    now: i64,
}

pub struct Slack {
    pub addr: String,
    state: Arc<(Mutex<State>, Condvar)>,
}

impl Slack {
    /// Slack up, knowing these members besides the bot; its clock at
    /// `now` (Unix seconds).
    pub fn start(users: &[&str], now: i64) -> Slack {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let mut state = State {
            now,
            ..State::default()
        };
        state.users.push(BOT.into());
        state.users.extend(users.iter().map(|u| u.to_string()));
        let state = Arc::new((Mutex::new(state), Condvar::new()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = shared.clone();
                std::thread::spawn(move || serve(stream, &shared));
            }
        });
        Slack { addr, state }
    }

    /// What a destination names as `api_url`.
    pub fn url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.0.lock().unwrap()
    }

    /// A channel made by `creator` (a person, or the bot), with the bot in
    /// it when `bot_in`; its id.
    pub fn add_channel(&self, name: &str, creator: &str, bot_in: bool) -> String {
        let mut s = self.state();
        let id = format!("C{:08}", s.channels.len() + 1);
        let mut members = vec![creator.to_string()];
        if bot_in && creator != BOT {
            members.push(BOT.into());
        }
        let created = s.now;
        s.channels.push(Channel {
            id: id.clone(),
            name: name.into(),
            creator: creator.into(),
            created,
            topic: String::new(),
            members,
            messages: Vec::new(),
        });
        id
    }

    pub fn channels(&self) -> Vec<Channel> {
        self.state().channels.clone()
    }

    pub fn channel(&self, id: &str) -> Channel {
        self.channels()
            .into_iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no channel {id}"))
    }

    pub fn named(&self, name: &str) -> Vec<Channel> {
        self.channels().into_iter().filter(|c| c.name == name).collect()
    }

    /// The calls of `method` so far, with their arguments.
    pub fn calls(&self, method: &str) -> Vec<Value> {
        self.state()
            .calls
            .iter()
            .filter(|(m, _)| m == method)
            .map(|(_, a)| a.clone())
            .collect()
    }

    /// The next call of `method` is answered so, whatever it asks.
    pub fn answer(&self, method: &str, status: u16, headers: &[(&str, &str)], body: &str) {
        self.state().answers.entry(method.into()).or_default().push_back((
            status,
            headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body.into(),
        ));
    }

    /// The next call of `method` does what it does, and its answer is held
    /// until [`Slack::release`].
    pub fn stall(&self, method: &str) {
        let mut s = self.state();
        s.stall = Some(method.into());
        s.stalled = false;
        s.released = false;
    }

    /// Whether a stalled call is being held.
    pub fn stalled(&self) -> bool {
        self.state().stalled
    }

    pub fn release(&self) {
        self.state().released = true;
        self.state.1.notify_all();
    }

    /// A call made as a client would: `(HTTP status, answer)`.
    pub fn post(&self, method: &str, token: Option<&str>, content_type: &str, body: &str) -> (u16, Value) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        let mut request = format!(
            "POST /api/{method} HTTP/1.1\r\nHost: {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.addr,
            body.len()
        );
        if let Some(token) = token {
            request.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let status = answer.split_whitespace().nth(1).unwrap().parse().unwrap();
        let body = answer.split_once("\r\n\r\n").unwrap().1;
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }
}

fn serve(stream: TcpStream, state: &(Mutex<State>, Condvar)) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (verb, path) = (
            parts.next().unwrap_or("").to_string(),
            parts.next().unwrap_or("").to_string(),
        );
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let length: usize = headers
            .get("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (status, extra, text) = answer(state, &verb, &path, &headers, &body);
        let mut response = format!(
            "HTTP/1.1 {status} Status\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n",
            text.len()
        );
        for (k, v) in extra {
            response.push_str(&format!("{k}: {v}\r\n"));
        }
        response.push_str("\r\n");
        response.push_str(&text);
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
        if headers
            .get("connection")
            .is_some_and(|c| c.eq_ignore_ascii_case("close"))
        {
            return;
        }
    }
}

fn refused(error: &str) -> Answer {
    (200, Vec::new(), json!({"ok": false, "error": error}).to_string())
}

fn answer(
    state: &(Mutex<State>, Condvar),
    verb: &str,
    path: &str,
    headers: &HashMap<String, String>,
    body: &[u8],
) -> Answer {
    let Some(method) = path.strip_prefix("/api/") else {
        return (404, Vec::new(), "not found".into());
    };
    let method = method.to_string();
    let mut s = state.0.lock().unwrap();
    if let Some(scripted) = s.answers.get_mut(&method).and_then(|q| q.pop_front()) {
        s.calls.push((method, Value::Null));
        return scripted;
    }
    // Slack's Web API methods are called with POST.
    if verb != "POST" {
        return refused("invalid_post_type");
    }
    let token = headers
        .get("authorization")
        .and_then(|a| a.strip_prefix("Bearer "));
    let content_type = headers
        .get("content-type")
        .map(|t| t.to_ascii_lowercase().replace(' ', ""))
        .unwrap_or_default();
    let args: Value = match content_type.as_str() {
        "application/json;charset=utf-8" => match serde_json::from_slice::<Value>(body) {
            Ok(v) if v.is_object() => v,
            Ok(_) => return refused("json_not_object"),
            Err(_) => return refused("invalid_json"),
        },
        "application/json" => return refused("missing_charset"),
        "application/x-www-form-urlencoded" => {
            let text = String::from_utf8_lossy(body).to_string();
            let mut args = serde_json::Map::new();
            for pair in text.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                args.insert(decode(k), Value::String(decode(v)));
            }
            Value::Object(args)
        }
        _ => return refused("invalid_post_type"),
    };
    let json = content_type.starts_with("application/json");
    s.calls.push((method.clone(), args.clone()));
    match token {
        None => return refused("not_authed"),
        Some(t) if t != TOKEN => return refused("invalid_auth"),
        Some(_) => {}
    }
    let now = s.now;
    let text = |v: &Value, k: &str| v[k].as_str().map(str::to_string);
    let result: Result<Value, &str> = match method.as_str() {
        "auth.test" => Ok(json!({
            "url": "https://fake.slack.com/",
            "team": "Fake",
            "user": "incident",
            "team_id": TEAM,
            "user_id": BOT,
            "bot_id": "B0BOT0001",
        })),
        "conversations.create" if !json => Err("invalid_form_data"),
        "conversations.create" => match text(&args, "name") {
            None => Err("invalid_name_required"),
            Some(name) => match name_error(&name) {
                Some(error) => Err(error),
                None if s.channels.iter().any(|c| c.name == name) => Err("name_taken"),
                None if !args["is_private"].is_null() && !args["is_private"].is_boolean() => {
                    Err("invalid_arguments")
                }
                None => {
                    let id = format!("C{:08}", s.channels.len() + 1);
                    s.channels.push(Channel {
                        id: id.clone(),
                        name: name.clone(),
                        creator: BOT.into(),
                        created: now,
                        topic: String::new(),
                        members: vec![BOT.into()],
                        messages: Vec::new(),
                    });
                    Ok(json!({"channel": channel_object(s.channels.last().unwrap())}))
                }
            },
        },
        "conversations.list" if json => Err("invalid_arguments"),
        "conversations.list"
            if text(&args, "types").is_some_and(|t| {
                t.split(',')
                    .any(|t| !["public_channel", "private_channel", "mpim", "im"].contains(&t))
            }) =>
        {
            Err("invalid_types")
        }
        // The bot's token has `channels:read`, not `groups:read`.
        "conversations.list"
            if text(&args, "types").is_some_and(|t| t.split(',').any(|t| t != "public_channel")) =>
        {
            Err("missing_scope")
        }
        "conversations.list"
            if text(&args, "limit")
                .is_some_and(|l| l.parse::<usize>().map_or(true, |l| l == 0 || l >= 1000)) =>
        {
            Err("invalid_limit")
        }
        "conversations.list" => {
            let limit: usize = text(&args, "limit").and_then(|l| l.parse().ok()).unwrap_or(100);
            let from: usize = text(&args, "cursor")
                .and_then(|c| c.strip_prefix("at:").and_then(|n| n.parse().ok()))
                .unwrap_or(0);
            let page: Vec<Value> = s
                .channels
                .iter()
                .skip(from)
                .take(limit)
                .map(channel_object)
                .collect();
            let next = match from + limit < s.channels.len() {
                true => format!("at:{}", from + limit),
                false => String::new(),
            };
            Ok(json!({"channels": page, "response_metadata": {"next_cursor": next}}))
        }
        "conversations.setTopic" | "conversations.invite" | "chat.postMessage" if !json => {
            Err("invalid_form_data")
        }
        "conversations.setTopic" | "conversations.invite" | "chat.postMessage" => {
            let users = s.users.clone();
            match text(&args, "channel").and_then(|id| s.channels.iter_mut().find(|c| c.id == id)) {
                None => Err("channel_not_found"),
                Some(c) if !c.members.iter().any(|m| m == BOT) => Err("not_in_channel"),
                Some(c) => match method.as_str() {
                    "conversations.setTopic" => match text(&args, "topic") {
                        None => Err("invalid_arguments"),
                        Some(t) if t.chars().count() > 250 => Err("too_long"),
                        Some(t) => {
                            c.topic = t;
                            Ok(json!({"channel": channel_object(c)}))
                        }
                    },
                    "conversations.invite" => match text(&args, "users") {
                        None => Err("no_user"),
                        Some(list) => {
                            let list: Vec<&str> = list.split(',').collect();
                            if list.len() > 1000 {
                                Err("too_many_users")
                            } else if list.iter().any(|u| !users.iter().any(|k| k == *u)) {
                                Err("user_not_found")
                            } else if list.contains(&BOT) {
                                Err("cant_invite_self")
                            } else if list.iter().all(|u| c.members.iter().any(|m| m == u)) {
                                Err("already_in_channel")
                            } else {
                                for u in list {
                                    if !c.members.iter().any(|m| m == u) {
                                        c.members.push(u.to_string());
                                    }
                                }
                                Ok(json!({"channel": channel_object(c)}))
                            }
                        }
                    },
                    _ => {
                        let blocks = &args["blocks"];
                        if args["text"].as_str().is_none_or(str::is_empty) && blocks.is_null() {
                            Err("no_text")
                        } else if !blocks.is_null()
                            && blocks.as_array().is_none_or(|b| b.is_empty() || b.len() > 50)
                        {
                            Err("invalid_blocks")
                        } else {
                            c.messages.push(args.clone());
                            let ts = format!("{now}.{:06}", c.messages.len());
                            Ok(json!({"channel": c.id, "ts": ts, "message": {"text": args["text"]}}))
                        }
                    }
                },
            }
        }
        _ => {
            return (
                404,
                Vec::new(),
                json!({"ok": false, "error": "unknown_method"}).to_string(),
            );
        }
    };
    let answer = match result {
        Ok(mut v) => {
            v["ok"] = json!(true);
            (200, Vec::new(), v.to_string())
        }
        Err(e) => refused(e),
    };
    if s.stall.as_deref() == Some(method.as_str()) {
        s.stall = None;
        s.stalled = true;
        while !s.released {
            s = state.1.wait(s).unwrap();
        }
        s.stalled = false;
    }
    answer
}

/// Why Slack refuses `name` for a channel (conversations.create: lower
/// case letters, digits, hyphens and underscores, at most 80 characters).
pub fn name_error(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("invalid_name_required")
    } else if name.chars().count() > 80 {
        Some("invalid_name_maxlength")
    } else if name
        .chars()
        .any(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'))
    {
        Some("invalid_name_specials")
    } else if name.chars().all(|c| c == '-' || c == '_') {
        Some("invalid_name_punctuation")
    } else {
        None
    }
}

fn channel_object(c: &Channel) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "is_channel": true,
        "is_private": false,
        "is_archived": false,
        "created": c.created,
        "creator": c.creator,
        "is_member": c.members.iter().any(|m| m == BOT),
        "topic": {"value": c.topic},
    })
}

/// A form's value, `%XX` and `+` decoded.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => out.push(b),
                    Err(_) => out.extend_from_slice(&bytes[i..i + 3]),
                }
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
