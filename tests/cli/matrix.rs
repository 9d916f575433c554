//! Matrix, end to end: the real binary delivering to a real Synapse
//! (tests/cli/synapse.rs), read back through the client API as a person in
//! the room sees it — messages in order and once across a killed deliverer
//! and two at once, a room per incident opened once and kept current, and
//! what people say in it written to the timeline once, as them.
//!
//! Synapse keeps real time: a message's time is compared with the test's
//! own clock loosely, never with a date written here.

use crate::support::Env;
use crate::synapse::{self, User};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// The destination every test configures.
const NAME: &str = "ops-matrix";

/// What the destination is given besides its homeserver and token.
#[derive(Default)]
struct Options<'a> {
    room: Option<&'a str>,
    per_incident: bool,
    /// `[people.NAME] matrix = …`
    people: &'a [(&'a str, &'a User)],
    homeserver: Option<&'a str>,
}

/// An environment whose configuration sends to Synapse as `bot`.
fn configured(bot: &User, o: Options<'_>) -> Env {
    let mut env = Env::new();
    std::fs::write(env.dir.path().join("matrix-token"), &bot.token).unwrap();
    let mut toml = format!(
        "[[notify]]\nname = \"{NAME}\"\nkind = \"matrix\"\nhomeserver = \"{}\"\ntoken = {{ file = \"matrix-token\" }}\n",
        o.homeserver.unwrap_or(&synapse::server().url)
    );
    if let Some(room) = o.room {
        toml.push_str(&format!("room = \"{room}\"\n"));
    }
    if o.per_incident {
        toml.push_str("room_per_incident = true\n");
    }
    for (name, user) in o.people {
        toml.push_str(&format!("\n[people.{name}]\nmatrix = \"{}\"\n", user.id));
    }
    env.with_config(&toml);
    env
}

/// A `notify --watch` running in the background, its talk kept in a file.
struct Watcher {
    child: Child,
    log: PathBuf,
}

impl Watcher {
    fn start(env: &Env, n: usize) -> Watcher {
        let log = env.dir.path().join(format!("watch-{n}.log"));
        let child = env
            .std_cmd()
            .args(["notify", "--watch"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Watcher { child, log }
    }

    fn signal(&mut self, signal: i32) -> std::process::ExitStatus {
        // SAFETY: a signal to our own child.
        unsafe { libc::kill(self.child.id() as i32, signal) };
        self.child.wait().unwrap()
    }

    fn talk(&self) -> String {
        let mut text = String::new();
        std::fs::File::open(&self.log)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `f` gives something (at most `limit`), naming what it
/// waited for if it never does.
fn until<T>(what: &str, limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(found) = f() {
            return found;
        }
        assert!(started.elapsed() < limit, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The bot's messages in `room`, as `reader` sees them, oldest first.
fn from_bot(reader: &User, bot: &User, room: &str) -> Vec<Value> {
    reader
        .messages(room)
        .into_iter()
        .filter(|m| m["sender"] == bot.id.as_str())
        .collect()
}

/// A message's entry: the paragraph after its subject.
fn entry(message: &Value) -> String {
    let body = message["content"]["body"].as_str().unwrap();
    body.split("\n\n").nth(1).unwrap_or_default().to_string()
}

fn texts(messages: &[Value]) -> Vec<String> {
    messages.iter().map(entry).collect()
}

/// A team room of `owner`'s that the bot is invited to (not joined: the
/// deliverer joins it).
fn team_room(owner: &User, bot: &User) -> String {
    owner.create_room("ops", &[bot])
}

#[test]
fn messages_reach_a_room_in_order_once_across_a_deliverer_killed_mid_run_and_a_resend() {
    let server = synapse::server();
    let (bot, alice) = (server.register("bot"), server.register("alice"));
    let room = team_room(&alice, &bot);
    let mut env = configured(
        &bot,
        Options {
            room: Some(&room),
            ..Default::default()
        },
    );
    env.talk(&["notify"]);
    env.declare("Checkout down", &["-s", "SEV1"]);
    let hostile = "<b>bold</b> & <script>alert(1)</script> \u{1b}[31mred\u{202e}txt";
    let huge = "x".repeat(100_000);
    let mut expected = vec!["Declared SEV1 other: Checkout down".to_string()];
    for n in 1..=30 {
        let text = format!("step {n}");
        env.ok(&["update", "1", &text, "--kind", "comms"]);
        expected.push(text);
    }
    env.ok(&["update", "1", hostile, "--kind", "comms"]);
    env.ok(&["update", "1", &huge, "--kind", "comms"]);
    let total = expected.len() + 2;
    // Killed with SIGKILL once some are in the room: no destructor, no
    // cursor moved after the last send.
    let mut first = Watcher::start(&env, 1);
    until("the first messages", Duration::from_secs(60), || {
        (from_bot(&alice, &bot, &room).len() >= 3).then_some(())
    });
    first.signal(libc::SIGKILL);
    let before = from_bot(&alice, &bot, &room).len();
    assert!(
        before < total,
        "the deliverer was killed mid-run ({before} of {total} sent)"
    );
    // Its claim runs out a minute later; a deliverer started then goes on.
    env.at("2026-11-23T08:02:00Z");
    let talk = env.talk(&["notify"]);
    assert!(talk.contains(&format!("{NAME}: ")), "{talk}");
    let messages = from_bot(&alice, &bot, &room);
    let got = texts(&messages);
    assert_eq!(got.len(), total, "each once: {got:?}");
    assert_eq!(got[..expected.len()], expected[..], "in order");
    // What was typed reaches the room neutralised, and a long entry cut to
    // fit an event, not refused.
    let odd = &messages[expected.len()];
    let html = odd["content"]["formatted_body"].as_str().unwrap();
    assert!(
        html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>") && !html.contains("<b>bold"), "{html}");
    assert!(
        entry(odd).contains("\\u{1b}[31mred\\u{202e}txt"),
        "{}",
        entry(odd)
    );
    assert_eq!(odd["content"]["format"], "org.matrix.custom.html");
    let long = entry(&messages[expected.len() + 1]);
    assert!(long.ends_with('…') && long.len() < 10_000, "{}", long.len());
    assert!(
        messages[0]["content"]["body"]
            .as_str()
            .unwrap()
            .starts_with("INC-1 SEV1 declared: Checkout down\n"),
        "{}",
        messages[0]["content"]
    );
    // A resend is a no-op: the last three sent again under the same
    // transaction ids, and the room holds each once still.
    env.tamper("UPDATE deliveries SET cursor = (SELECT seq FROM events ORDER BY seq DESC LIMIT 1 OFFSET 3)");
    let talk = env.talk(&["notify"]);
    assert!(talk.contains(&format!("{NAME}: 3 sent, up to date")), "{talk}");
    assert_eq!(texts(&from_bot(&alice, &bot, &room)), got);
}

#[test]
fn two_deliverers_at_once_send_each_event_once_in_order() {
    let server = synapse::server();
    let (bot, alice) = (server.register("bot"), server.register("alice"));
    let room = team_room(&alice, &bot);
    let env = configured(
        &bot,
        Options {
            room: Some(&room),
            ..Default::default()
        },
    );
    env.talk(&["notify"]);
    let mut a = Watcher::start(&env, 1);
    let mut b = Watcher::start(&env, 2);
    env.declare("Checkout down", &["-s", "SEV1"]);
    let mut expected = vec!["Declared SEV1 other: Checkout down".to_string()];
    for n in 1..=12 {
        let text = format!("step {n}");
        env.ok(&["update", "1", &text, "--kind", "comms"]);
        expected.push(text);
    }
    until("every message", Duration::from_secs(60), || {
        (from_bot(&alice, &bot, &room).len() >= expected.len()).then_some(())
    });
    // Time for a second copy, if one were coming.
    std::thread::sleep(Duration::from_secs(2));
    assert!(a.signal(libc::SIGTERM).success(), "{}", a.talk());
    assert!(b.signal(libc::SIGTERM).success(), "{}", b.talk());
    assert_eq!(texts(&from_bot(&alice, &bot, &room)), expected);
    let states = env.json(&["deliveries"]);
    assert_eq!(states[0]["delivered"], expected.len());
    assert_eq!(states[0]["backlog"], 0);
}

/// The room an incident's channels link to.
fn room_of(env: &Env, key: &str) -> String {
    let incident = env.show(key);
    let links: Vec<&str> = incident["channels"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c.as_str()?.strip_prefix("https://matrix.to/#/"))
        .collect();
    assert_eq!(links.len(), 1, "{}", incident["channels"]);
    links[0].to_string()
}

/// Whether `user` is in `room` (join), invited (invite), or neither (none),
/// as `reader` sees it.
fn membership(reader: &User, room: &str, user: &User) -> String {
    let (status, state) = synapse::server().call(
        Some(&reader.token),
        "GET",
        &format!(
            "/_matrix/client/v3/rooms/{}/state/m.room.member/{}",
            synapse::encode(room),
            synapse::encode(&user.id)
        ),
        None,
    );
    match status {
        404 => "none".into(),
        _ => state["membership"].as_str().unwrap().to_string(),
    }
}

fn topic_of(env: &Env, key: &str) -> String {
    env.ok(&["topic", key]).trim_end().to_string()
}

#[test]
fn a_room_per_incident_is_opened_once_kept_current_and_invites_role_holders() {
    let server = synapse::server();
    let (bot, alice, bob) = (
        server.register("bot"),
        server.register("alice"),
        server.register("bob"),
    );
    let team = team_room(&alice, &bot);
    let people = [("alice", &alice), ("bob", &bob)];
    let env = configured(
        &bot,
        Options {
            room: Some(&team),
            per_incident: true,
            people: &people,
            ..Default::default()
        },
    );
    env.talk(&["notify"]);
    env.declare("Checkout down", &["-s", "SEV1", "--commander", "alice"]);
    let talk = env.talk(&["notify"]);
    assert!(talk.contains(&format!("{NAME}: 1 sent, up to date")), "{talk}");
    // Opened, named, its link recorded as a channel by an `edited` event.
    let room = room_of(&env, "INC-1");
    assert!(room.starts_with('!'), "{room}");
    let incident = env.show("INC-1");
    let edits: Vec<&Value> = incident["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "edited")
        .collect();
    assert_eq!(edits.len(), 1, "{}", incident["timeline"]);
    assert_eq!(edits[0]["author"], "incident");
    assert_eq!(bot.state(&room, "m.room.name", "")["name"], "INC-1 Checkout down");
    assert_eq!(
        bot.state(&room, "m.room.topic", "")["topic"],
        topic_of(&env, "INC-1")
    );
    // The commander is invited; the incident's message is in its room and
    // in the team's.
    assert_eq!(membership(&bot, &room, &alice), "invite");
    assert_eq!(membership(&bot, &room, &bob), "none");
    alice.join(&room);
    let declared = "Declared SEV1 other: Checkout down";
    assert_eq!(texts(&from_bot(&alice, &bot, &room)), [declared]);
    assert_eq!(texts(&from_bot(&alice, &bot, &team)), [declared]);
    // Kept current: status, severity and commander in the topic, the new
    // commander invited.
    env.ok(&["update", "INC-1", "--status", "identified"]);
    env.ok(&["update", "INC-1", "-s", "SEV2"]);
    env.ok(&["assign-role", "INC-1", "commander", "bob"]);
    env.talk(&["notify"]);
    let topic = topic_of(&env, "INC-1");
    assert!(
        topic.starts_with("INC-1 [SEV2] identified: Checkout down | IC: bob | https://matrix.to/#/!"),
        "{topic}"
    );
    assert_eq!(bot.state(&room, "m.room.topic", "")["topic"], topic);
    assert_eq!(membership(&bot, &room, &bob), "invite");
    // Opened once, however often it is delivered to.
    env.talk(&["notify"]);
    env.talk(&["notify"]);
    assert_eq!(env.number("SELECT count(*) FROM rooms"), 1);
    assert_eq!(room_of(&env, "INC-1"), room);
    // A deliverer that stopped after opening a room and before recording
    // it left the room under the incident's alias: the next one takes it.
    env.declare("Search slow", &["-s", "SEV1"]);
    let uid = env.strings("SELECT uid FROM incidents WHERE id = 2")[0][0]
        .clone()
        .unwrap();
    let local = format!(
        "incident-{NAME}-inc-2-{}",
        uid.chars()
            .filter(char::is_ascii_alphanumeric)
            .take(12)
            .collect::<String>()
            .to_lowercase()
    );
    let orphan = server.ok(
        &bot.token,
        "POST",
        "/_matrix/client/v3/createRoom",
        Some(&serde_json::json!({"preset": "private_chat", "room_alias_name": local})),
    )["room_id"]
        .as_str()
        .unwrap()
        .to_string();
    env.talk(&["notify"]);
    assert_eq!(room_of(&env, "INC-2"), orphan);
    assert_eq!(env.number("SELECT count(*) FROM rooms"), 2);
    assert_eq!(
        bot.state(&orphan, "m.room.topic", "")["topic"],
        topic_of(&env, "INC-2")
    );
    // A title that is not one line of plain words names a room as one.
    env.declare("Two\nlines <b>x</b> \u{1b}[2J", &["-s", "SEV1"]);
    env.talk(&["notify"]);
    let odd = room_of(&env, "INC-3");
    assert_eq!(
        bot.state(&odd, "m.room.name", "")["name"],
        "INC-3 Two ⏎ lines <b>x</b> \\u{1b}[2J"
    );
    assert_eq!(
        bot.state(&odd, "m.room.topic", "")["topic"],
        topic_of(&env, "INC-3")
    );
}

#[test]
fn two_deliverers_at_once_open_each_incident_room_once() {
    let server = synapse::server();
    let (bot, alice) = (server.register("bot"), server.register("alice"));
    let people = [("alice", &alice)];
    let env = configured(
        &bot,
        Options {
            per_incident: true,
            people: &people,
            ..Default::default()
        },
    );
    env.talk(&["notify"]);
    let mut a = Watcher::start(&env, 1);
    let mut b = Watcher::start(&env, 2);
    for title in ["Checkout down", "Search slow", "Login fails"] {
        env.declare(title, &["-s", "SEV1", "--commander", "alice"]);
    }
    until("a room for each", Duration::from_secs(60), || {
        (env.number("SELECT count(*) FROM rooms") == 3).then_some(())
    });
    for key in ["INC-1", "INC-2", "INC-3"] {
        let room = until("the declaration in its room", Duration::from_secs(30), || {
            let room = room_of(&env, key);
            (!from_bot(&bot, &bot, &room).is_empty()).then_some(room)
        });
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(from_bot(&bot, &bot, &room).len(), 1, "{key}");
        assert_eq!(membership(&bot, &room, &alice), "invite");
    }
    assert!(a.signal(libc::SIGTERM).success(), "{}", a.talk());
    assert!(b.signal(libc::SIGTERM).success(), "{}", b.talk());
    assert_eq!(env.number("SELECT count(*) FROM rooms"), 3);
    assert_eq!(env.number("SELECT count(*) FROM events WHERE kind = 'edited'"), 3);
}

/// The timeline's entries of these kinds, as (kind, author, text, at).
fn entries(env: &Env, key: &str, kinds: &[&str]) -> Vec<(String, String, String, DateTime<Utc>)> {
    env.show(key)["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| kinds.contains(&e["kind"].as_str().unwrap()))
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["author"].as_str().unwrap().to_string(),
                e["text"].as_str().unwrap().to_string(),
                e["at"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn chat_writes_the_timeline_once_as_the_person_who_said_it() {
    let server = synapse::server();
    let (bot, alice, bob, mallory) = (
        server.register("bot"),
        server.register("alice"),
        server.register("bob"),
        server.register("mallory"),
    );
    let people = [("alice", &alice), ("bob", &bob)];
    let env = configured(
        &bot,
        Options {
            per_incident: true,
            people: &people,
            ..Default::default()
        },
    );
    env.talk(&["notify"]);
    env.declare("Checkout down", &["-s", "SEV1", "--commander", "alice"]);
    env.ok(&["assign-role", "INC-1", "scribe", "bob"]);
    env.talk(&["notify"]);
    let room = room_of(&env, "INC-1");
    alice.join(&room);
    bob.join(&room);
    alice.invite(&room, &mallory);
    mallory.join(&room);
    // Synapse's clock, not the test's fixed one: only loosely compared.
    let started = Utc::now() - chrono::Duration::seconds(5);
    let seen = alice.say(&room, "!note seen in logs");
    let failover = bob.say(&room, "DB failover done");
    alice.react(&room, &failover, "⏱\u{fe0f}");
    bob.react(&room, &seen, "⏱");
    alice.react(&room, &failover, "👍");
    alice.say(&room, "!decision roll back 4821");
    alice.say(&room, "!update Rolling back 4821");
    alice.say(&room, "!note");
    let stranger = mallory.say(&room, "!note I am not in the configuration");
    let odd = "<b>x</b> \u{7}\u{1b}[2J & \u{202e}";
    alice.say(&room, &format!("!note {odd}"));
    alice.say(&room, "just chatting");
    let finished = Utc::now() + chrono::Duration::seconds(5);
    env.talk(&["notify"]);
    let recorded = entries(&env, "INC-1", &["note", "decision", "comms"]);
    let said: Vec<(&str, &str, &str)> = recorded
        .iter()
        .map(|(k, a, t, _)| (k.as_str(), a.as_str(), t.as_str()))
        .collect();
    assert_eq!(
        said,
        [
            ("note", "alice", "seen in logs"),
            ("note", "alice", "bob: DB failover done"),
            ("decision", "alice", "roll back 4821"),
            ("comms", "alice", "Rolling back 4821"),
            ("note", "alice", odd),
        ]
    );
    for (_, _, text, at) in &recorded {
        assert!(
            started <= *at && *at <= finished,
            "{text}: {at} is the message's own time"
        );
    }
    // The unknown sender and the empty command are answered in the room.
    let notices: Vec<Value> = from_bot(&alice, &bot, &room)
        .into_iter()
        .filter(|m| m["content"]["msgtype"] == "m.notice")
        .collect();
    assert_eq!(notices.len(), 2, "{notices:?}");
    let refusal = notices[1]["content"]["body"].as_str().unwrap();
    assert!(
        refusal.contains(&mallory.id) && refusal.contains("[people.NAME]"),
        "{refusal}"
    );
    assert_eq!(
        notices[1]["content"]["m.relates_to"]["m.in_reply_to"]["event_id"],
        stranger.as_str()
    );
    assert!(
        notices[0]["content"]["body"]
            .as_str()
            .unwrap()
            .contains("!note rolled back")
    );
    // The update said in the room is delivered, as any update is.
    let updates: Vec<String> = texts(&from_bot(&alice, &bot, &room))
        .into_iter()
        .filter(|t| t == "Rolling back 4821")
        .collect();
    assert_eq!(updates.len(), 1);
    // More said between two reads than one read gives: paged back to.
    alice.say(&room, "!action check the replicas");
    for n in 0..70 {
        bob.say(&room, &format!("chatter {n}"));
    }
    env.talk(&["notify"]);
    let actions = entries(&env, "INC-1", &["action"]);
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0].2, "check the replicas");
    // Read again from the start: nothing twice, in the timeline or the room.
    env.tamper("UPDATE deliveries SET chat = NULL");
    for _ in 0..3 {
        env.talk(&["notify"]);
    }
    assert_eq!(entries(&env, "INC-1", &["note", "decision", "comms"]), recorded);
    assert_eq!(entries(&env, "INC-1", &["action"]).len(), 1);
    // A deliverer that keeps running reads the rooms as it goes.
    let mut watcher = Watcher::start(&env, 1);
    alice.say(&room, "!note heard by the watcher");
    until("the note read by --watch", Duration::from_secs(30), || {
        entries(&env, "INC-1", &["note"])
            .iter()
            .any(|(_, _, text, _)| text == "heard by the watcher")
            .then_some(())
    });
    assert!(watcher.signal(libc::SIGTERM).success(), "{}", watcher.talk());
    assert_eq!(
        from_bot(&alice, &bot, &room)
            .iter()
            .filter(|m| m["content"]["msgtype"] == "m.notice")
            .count(),
        2
    );
}

#[test]
fn a_homeserver_that_is_down_is_backed_off_and_a_bad_token_parks() {
    // Down: a port that takes a connection and closes it at once.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let tries = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = tries.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(stream);
        }
    });
    let nobody = User {
        id: "@bot:incident.test".into(),
        token: "syt_whatever".into(),
    };
    let env = configured(
        &nobody,
        Options {
            per_incident: true,
            homeserver: Some(&url),
            ..Default::default()
        },
    );
    env.talk(&["notify"]);
    env.declare("Checkout down", &["-s", "SEV1"]);
    let err = env.fails(1, &["notify"]);
    assert!(
        err.contains(&format!("{NAME}: ")) && err.contains("retried from"),
        "{err}"
    );
    assert_eq!(tries.load(std::sync::atomic::Ordering::SeqCst), 1);
    // On the real clock for eight seconds: a try, then a wait that grows.
    let mut watch = env.std_cmd();
    watch.env_remove("INCIDENT_NOW");
    let log = env.dir.path().join("watch.log");
    let mut child = Watcher {
        child: watch
            .args(["notify", "--watch"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
        log,
    };
    std::thread::sleep(Duration::from_secs(8));
    assert!(child.signal(libc::SIGTERM).success(), "{}", child.talk());
    let n = tries.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        (2..=4).contains(&n),
        "{n} tries in eight seconds: {}",
        child.talk()
    );
    let states = env.json(&["deliveries"]);
    assert!(states[0]["failing_since"].is_string(), "{states}");
    assert!(states[0]["parked"].is_null());
    // A token the homeserver does not know: parked, saying so.
    let env = configured(
        &nobody,
        Options {
            per_incident: true,
            ..Default::default()
        },
    );
    env.talk(&["notify"]);
    env.declare("Checkout down", &["-s", "SEV1"]);
    let err = env.fails(1, &["notify"]);
    assert!(
        err.contains("HTTP 401: M_UNKNOWN_TOKEN") && err.contains("parked until"),
        "{err}"
    );
}

#[test]
fn a_page_reaches_the_person_on_call_in_the_incident_room_and_ack_said_there_stops_it() {
    let server = synapse::server();
    let (bot, alice, bob) = (
        server.register("bot"),
        server.register("alice"),
        server.register("bob"),
    );
    let people = [("alice", &alice), ("bob", &bob)];
    let mut env = configured(
        &bot,
        Options {
            per_incident: true,
            people: &people,
            ..Default::default()
        },
    );
    // alice's week on the primary, bob's on the secondary.
    let mut toml = std::fs::read_to_string(env.dir.path().join("config.toml")).unwrap();
    toml.push_str(
        r#"
[[schedules]]
name = "db"
time_zone = "Europe/Berlin"
[[schedules.layers]]
people = ["bob", "alice"]
start = "2026-03-02 09:00"
shift = "weekly"
[[schedules.layers]]
people = ["alice", "bob"]
start = "2026-03-02 09:00"
shift = "weekly"

[[policies]]
name = "db-critical"
[[policies.levels]]
page = ["schedule:db"]
wait = "5m"
[[policies.levels]]
page = ["schedule:db/secondary"]
wait = "5m"
"#,
    );
    env.with_config(&toml);
    env.at("2026-03-23T09:00:00Z");
    env.talk(&["notify"]);
    env.declare("Orders table locked", &["-s", "SEV1", "--page", "db-critical"]);
    env.talk(&["notify"]);
    let room = room_of(&env, "INC-1");
    // The person paged is invited, and the page in the room names them.
    assert_eq!(membership(&bot, &room, &alice), "invite");
    let said = |who: &User| {
        from_bot(&bot, &bot, &room)
            .iter()
            .filter_map(|m| m["content"]["body"].as_str().map(String::from))
            .filter(|b| b.contains(&format!("{}: Paged", who.id)))
            .count()
    };
    assert_eq!(said(&alice), 1);
    assert_eq!(membership(&bot, &room, &bob), "none");
    // Nobody answers: after the wait, the secondary.
    env.at("2026-03-23T09:05:00Z");
    env.talk(&["notify"]);
    assert_eq!(membership(&bot, &room, &bob), "invite");
    assert_eq!(said(&bob), 1);
    bob.join(&room);
    bob.say(&room, "ack");
    let mut watcher = Watcher::start(&env, 1);
    until(
        "the acknowledgement, read by a deliverer that watches",
        Duration::from_secs(30),
        || (!entries(&env, "INC-1", &["acknowledged"]).is_empty()).then_some(()),
    );
    assert!(watcher.signal(libc::SIGTERM).success(), "{}", watcher.talk());
    let acks = entries(&env, "INC-1", &["acknowledged"]);
    assert_eq!(acks.len(), 1, "{acks:?}");
    assert_eq!(acks[0].1, "bob");
    // The page stopped: nothing more when the last wait is long over.
    env.at("2026-03-23T09:30:00Z");
    env.talk(&["notify"]);
    assert!(entries(&env, "INC-1", &["page_unanswered"]).is_empty());
    assert_eq!(entries(&env, "INC-1", &["paged"]).len(), 2);
    assert_eq!((said(&alice), said(&bob)), (1, 1));
}

/// The paging path end to end on the real clock, as a team runs it: the
/// real Alertmanager notifies `incident serve`, whose rule opens an
/// incident and pages; serve's deliverer pages the person on call in the
/// incident's Matrix room, the secondary after the wait, and `ack` said there stops
/// it. Each layer has one person, so who is on call does not depend on
/// the day the test runs.
#[test]
fn an_alert_from_alertmanager_pages_in_matrix_until_ack_is_said_in_the_room() {
    use crate::alertmanager::{alertmanager, wait_for};
    use crate::alerts::{Server, http};
    let matrix = synapse::server();
    let (bot, alice, bob) = (
        matrix.register("bot"),
        matrix.register("alice"),
        matrix.register("bob"),
    );
    let people = [("alice", &alice), ("bob", &bob)];
    let mut env = configured(
        &bot,
        Options {
            per_incident: true,
            people: &people,
            ..Default::default()
        },
    );
    let mut toml = std::fs::read_to_string(env.dir.path().join("config.toml")).unwrap();
    toml.push_str(
        r#"
[[schedules]]
name = "db"
time_zone = "UTC"
[[schedules.layers]]
people = ["alice"]
start = "2020-01-01 00:00"
shift = "daily"
[[schedules.layers]]
people = ["bob"]
start = "2020-01-01 00:00"
shift = "daily"

[[policies]]
name = "db-critical"
[[policies.levels]]
page = ["schedule:db"]
wait = "4s"
[[policies.levels]]
page = ["schedule:db/secondary"]
wait = "1h"

[[alerts.rules]]
match = { severity = "critical" }
action = "open"
severity = "SEV1"
page = "db-critical"
"#,
    );
    env.with_config(&toml);
    env.at("");
    let serve = Server::start(&env, &[]);
    let (am, web) = alertmanager(&env, &serve.addr);
    let alert = serde_json::json!([{
        "labels": {"alertname": "OrdersLocked", "severity": "critical", "service": "db"},
        "annotations": {"summary": "Orders table locked"},
    }]);
    let (status, body) = http(
        &web,
        "POST",
        "/api/v2/alerts",
        &["Content-Type: application/json"],
        &serde_json::to_vec(&alert).unwrap(),
    );
    assert_eq!(status, 200, "{body}");
    wait_for(
        "the incident opened by the alert and alice paged in its room",
        Duration::from_secs(60),
        || paged_in_room(&env, &bot, &alice),
    );
    let room = room_of(&env, "INC-1");
    assert_eq!(membership(&bot, &room, &alice), "invite");
    // Nobody answers within 4 s: bob.
    wait_for("bob paged after the wait", Duration::from_secs(30), || {
        paged_in_room(&env, &bot, &bob)
    });
    bob.join(&room);
    bob.say(&room, "ack");
    until(
        "bob's acknowledgement on the timeline",
        Duration::from_secs(30),
        || (!entries(&env, "INC-1", &["acknowledged"]).is_empty()).then_some(()),
    );
    assert_eq!(entries(&env, "INC-1", &["acknowledged"])[0].1, "bob");
    assert_eq!(entries(&env, "INC-1", &["paged"]).len(), 2);
    drop(am);
    let (code, said) = serve.stop();
    assert_eq!(code, Some(0), "{said}");
    assert!(entries(&env, "INC-1", &["page_unanswered"]).is_empty());
}

/// Whether INC-1 has a room yet, with the bot's page of `who` in it.
fn paged_in_room(env: &Env, bot: &User, who: &User) -> bool {
    let out = env.cmd().args(["--json", "show", "1"]).output().unwrap();
    let Ok(incident) = serde_json::from_slice::<Value>(&out.stdout) else {
        return false;
    };
    let Some(room) = incident["channels"].as_array().and_then(|c| {
        c.iter()
            .find_map(|c| c.as_str()?.strip_prefix("https://matrix.to/#/"))
    }) else {
        return false;
    };
    from_bot(bot, bot, room).iter().any(|m| {
        m["content"]["body"]
            .as_str()
            .is_some_and(|b| b.contains(&format!("{}: Paged", who.id)))
    })
}
