//! Slack with a bot token, end to end: the real binary delivering to a
//! fake Slack Web API on loopback (tests/cli/slack_api.rs, which checks
//! each call as Slack does and keeps what was done), read back as a
//! person in Slack would see it: a channel per incident opened once —
//! across runs, a name someone else has, a deliverer killed after opening
//! it — named from the key and title, its role holders invited, its topic
//! following the incident, its link among the incident's channels, the
//! messages there in order; a rate limit waited out; a bad token parked.

use crate::slack_api::{self, BOT, Slack, TEAM};
use crate::support::{Env, T0};
use serde_json::Value;
use std::process::Stdio;
use std::time::{Duration, Instant};

const NAME: &str = "ops-slack";
const ALICE: &str = "U0ALICE01";
const BOB: &str = "U0BOB0001";

fn t0() -> i64 {
    chrono::DateTime::parse_from_rfc3339(T0).unwrap().timestamp()
}

fn slack() -> Slack {
    Slack::start(&[ALICE, BOB], t0())
}

/// An environment whose configuration sends to `slack` with the bot's
/// token (read from a file, as secrets are), a channel per incident, and
/// `channel` too when given.
fn configured(slack: &Slack, channel: Option<&str>) -> Env {
    let mut env = Env::new();
    std::fs::write(
        env.dir.path().join("slack-token"),
        format!("{}\n", slack_api::TOKEN),
    )
    .unwrap();
    let mut toml = format!(
        "[[notify]]\nname = \"{NAME}\"\nkind = \"slack\"\ntoken = {{ file = \"slack-token\" }}\napi_url = \"{}\"\nroom_per_incident = true\n",
        slack.url()
    );
    if let Some(channel) = channel {
        toml.push_str(&format!("channel = \"{channel}\"\n"));
    }
    toml.push_str(&format!(
        "\n[people.alice]\nslack = \"{ALICE}\"\n\n[people.bob]\nslack = \"{BOB}\"\n"
    ));
    env.with_config(&toml);
    env
}

/// The Slack channel an incident's channels link to.
fn channel_of(env: &Env, key: &str) -> String {
    let incident = env.show(key);
    let prefix = "https://slack.com/app_redirect?channel=";
    let links: Vec<&str> = incident["channels"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c.as_str()?.strip_prefix(prefix))
        .collect();
    assert_eq!(links.len(), 1, "{}", incident["channels"]);
    let (id, team) = links[0].split_once("&team=").unwrap();
    assert_eq!(team, TEAM);
    id.to_string()
}

/// `incident notify`'s exit code and talk.
fn notify(env: &Env) -> (i32, String) {
    let out = env.cmd().args(["notify"]).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn topic_of(env: &Env, key: &str) -> String {
    env.ok(&["topic", key]).trim_end().to_string()
}

/// The fallback text of each message in a channel.
fn texts(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_channel_per_incident_is_opened_once_kept_current_and_invites_role_holders() {
    let slack = slack();
    let team = slack.add_channel("incidents", ALICE, true);
    let env = configured(&slack, Some(&team));
    env.talk(&["notify"]);
    env.declare("Checkout returns 500s", &["-s", "SEV1", "--commander", "alice"]);
    let talk = env.talk(&["notify"]);
    assert!(talk.contains(&format!("{NAME}: 1 sent, up to date")), "{talk}");
    // Opened, named from the key and title, its link recorded as a
    // channel by an `edited` event of the deliverer's.
    let id = channel_of(&env, "INC-1");
    let channel = slack.channel(&id);
    assert_eq!(channel.name, "inc-1-checkout-returns-500s");
    assert_eq!(channel.creator, BOT);
    let incident = env.show("INC-1");
    let edits: Vec<&Value> = incident["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "edited")
        .collect();
    assert_eq!(edits.len(), 1, "{}", incident["timeline"]);
    assert_eq!(edits[0]["author"], "incident");
    // Its topic is what `incident topic` prints; the commander is in it,
    // bob (no role) is not.
    assert_eq!(channel.topic, topic_of(&env, "INC-1"));
    assert!(channel.members.contains(&ALICE.to_string()), "{channel:?}");
    assert!(!channel.members.contains(&BOB.to_string()), "{channel:?}");
    // The message, in the incident's channel and the team's, as Block Kit.
    let subject = "INC-1 SEV1 declared: Checkout returns 500s";
    assert_eq!(texts(&channel.messages), [subject]);
    assert_eq!(texts(&slack.channel(&team).messages), [subject]);
    assert_eq!(channel.messages[0]["blocks"][0]["type"], "header");
    // Kept current: severity, status and commander in the topic, the new
    // commander invited, the messages in order.
    env.ok(&["update", "INC-1", "--status", "identified"]);
    env.ok(&["update", "INC-1", "-s", "SEV2"]);
    env.ok(&["assign-role", "INC-1", "commander", "bob"]);
    env.ok(&["update", "INC-1", "Rolling back 4821", "--kind", "comms"]);
    env.talk(&["notify"]);
    let topic = topic_of(&env, "INC-1");
    assert!(
        topic.starts_with("INC-1 [SEV2] identified: Checkout returns 500s | IC: bob | https://slack.com/app_redirect?channel="),
        "{topic}"
    );
    let channel = slack.channel(&id);
    assert_eq!(channel.topic, topic);
    assert!(channel.members.contains(&BOB.to_string()), "{channel:?}");
    assert_eq!(
        texts(&channel.messages),
        [
            subject,
            "INC-1 SEV2 severity SEV1 → SEV2: Checkout returns 500s",
            "INC-1 SEV2 update: Checkout returns 500s",
        ]
    );
    assert_eq!(texts(&slack.channel(&team).messages), texts(&channel.messages));
    // Opened once, however often it is delivered to; each invitation and
    // topic asked for once while nothing changed.
    let topics = slack.calls("conversations.setTopic").len();
    env.talk(&["notify"]);
    env.talk(&["notify"]);
    assert_eq!(slack.named("inc-1-checkout-returns-500s").len(), 1);
    assert_eq!(slack.calls("conversations.create").len(), 1);
    assert_eq!(slack.calls("conversations.setTopic").len(), topics);
    assert_eq!(env.number("SELECT count(*) FROM rooms"), 1);
    // A name someone else has: the next one.
    slack.add_channel("inc-2-search-slow", ALICE, false);
    env.declare("Search slow", &["-s", "SEV1"]);
    env.talk(&["notify"]);
    let second = slack.channel(&channel_of(&env, "INC-2"));
    assert_eq!(second.name, "inc-2-search-slow-2");
    assert_eq!(texts(&second.messages), ["INC-2 SEV1 declared: Search slow"]);
    // A title that is not plain words names a channel Slack takes (the fake
    // refuses any other), and a long one is cut; so is its topic.
    let long = format!("Two\nlines <b>x</b> \u{1b}[2J {}", "very long words ".repeat(20));
    env.declare(&long, &["-s", "SEV1"]);
    let talk = env.talk(&["notify"]);
    assert!(talk.contains(&format!("{NAME}: 1 sent, up to date")), "{talk}");
    let odd = slack.channel(&channel_of(&env, "INC-3"));
    assert!(
        odd.name.starts_with("inc-3-two-lines-b-x-b-2j-very-long-words-"),
        "{}",
        odd.name
    );
    assert!(odd.name.len() <= 80, "{}", odd.name);
    assert!(
        odd.topic.chars().count() == 250 && odd.topic.ends_with('…'),
        "{}",
        odd.topic
    );
    assert!(topic_of(&env, "INC-3").starts_with(odd.topic.trim_end_matches('…')));
}

#[test]
fn a_deliverer_killed_after_opening_a_channel_leaves_one_channel() {
    let slack = slack();
    let mut env = configured(&slack, None);
    env.talk(&["notify"]);
    env.declare("Checkout returns 500s", &["-s", "SEV1", "--commander", "alice"]);
    // Slack opens the channel; the deliverer is killed before it hears so,
    // and so before it records it.
    slack.stall("conversations.create");
    let mut child = env
        .std_cmd()
        .args(["notify"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !slack.stalled() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "waited for conversations.create"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    slack.release();
    assert_eq!(slack.named("inc-1-checkout-returns-500s").len(), 1);
    assert_eq!(env.number("SELECT count(*) FROM rooms"), 0);
    // Its claim runs out a minute later; the next deliverer finds the
    // channel it opened by its name and takes it.
    env.at("2026-11-23T08:02:00Z");
    let talk = env.talk(&["notify"]);
    assert!(talk.contains(&format!("{NAME}: 1 sent, up to date")), "{talk}");
    let channels = slack.named("inc-1-checkout-returns-500s");
    assert_eq!(channels.len(), 1, "one channel");
    assert_eq!(slack.channels().len(), 1, "{:?}", slack.channels());
    assert_eq!(channel_of(&env, "INC-1"), channels[0].id);
    assert_eq!(
        texts(&channels[0].messages),
        ["INC-1 SEV1 declared: Checkout returns 500s"]
    );
    assert!(channels[0].members.contains(&ALICE.to_string()));
    assert_eq!(channels[0].topic, topic_of(&env, "INC-1"));
    // Run again, and once more: nothing new.
    env.talk(&["notify"]);
    assert_eq!(slack.channels().len(), 1);
    assert_eq!(env.number("SELECT count(*) FROM rooms"), 1);
}

#[test]
fn a_rate_limit_is_waited_out_and_a_bad_token_parks_with_slacks_error_named() {
    let slack = slack();
    let team = slack.add_channel("incidents", ALICE, true);
    let mut env = configured(&slack, Some(&team));
    env.talk(&["notify"]);
    env.declare("Checkout returns 500s", &["-s", "SEV1"]);
    slack.answer(
        "chat.postMessage",
        429,
        &[("Retry-After", "30")],
        r#"{"ok": false, "error": "ratelimited"}"#,
    );
    let (code, talk) = notify(&env);
    assert_eq!(code, 1, "{talk}");
    assert!(talk.contains("429"), "{talk}");
    let state = &env.json(&["deliveries"])[0];
    assert_eq!(state["parked"], Value::Null, "{state}");
    let next: chrono::DateTime<chrono::Utc> = state["next_attempt"].as_str().unwrap().parse().unwrap();
    assert!(next.timestamp() >= t0() + 30, "waits as Slack asked: {state}");
    // Not before then.
    env.at("2026-11-23T08:00:20Z");
    notify(&env);
    let id = channel_of(&env, "INC-1");
    assert!(slack.channel(&id).messages.is_empty());
    // Then: once, in order.
    env.at("2026-11-23T08:00:31Z");
    let talk = env.talk(&["notify"]);
    assert!(talk.contains(&format!("{NAME}: 1 sent, up to date")), "{talk}");
    let subject = "INC-1 SEV1 declared: Checkout returns 500s";
    assert_eq!(texts(&slack.channel(&id).messages), [subject]);
    assert_eq!(texts(&slack.channel(&team).messages), [subject]);
    // A revoked token: parked, Slack's error named, the token never shown.
    std::fs::write(env.dir.path().join("slack-token"), "xoxb-revoked\n").unwrap();
    env.ok(&["update", "INC-1", "Rolling back", "--kind", "comms"]);
    let (code, talk) = notify(&env);
    assert_eq!(code, 1, "{talk}");
    assert!(talk.contains("invalid_auth"), "{talk}");
    let shown = env.ok(&["deliveries"]);
    assert!(shown.contains("parked"), "{shown}");
    assert!(shown.contains("invalid_auth: check the bot token"), "{shown}");
    assert!(!shown.contains("xoxb-revoked"), "{shown}");
    env.at("2026-11-23T08:30:00Z");
    notify(&env);
    assert_eq!(slack.channel(&id).messages.len(), 1, "parked until retried");
    // Fixed and retried: delivered.
    std::fs::write(env.dir.path().join("slack-token"), slack_api::TOKEN).unwrap();
    env.ok(&["deliveries", "retry", NAME]);
    let talk = env.talk(&["notify"]);
    assert!(talk.contains(&format!("{NAME}: 1 sent, up to date")), "{talk}");
    assert_eq!(
        texts(&slack.channel(&id).messages),
        [subject, "INC-1 SEV1 update: Checkout returns 500s"]
    );
}

#[test]
fn a_channel_the_bot_is_not_in_parks_saying_to_invite_it() {
    let slack = slack();
    let elsewhere = slack.add_channel("general", ALICE, false);
    let mut env = Env::new();
    std::fs::write(env.dir.path().join("slack-token"), slack_api::TOKEN).unwrap();
    env.with_config(&format!(
        "[[notify]]\nname = \"{NAME}\"\nkind = \"slack\"\ntoken = {{ file = \"slack-token\" }}\napi_url = \"{}\"\nchannel = \"{elsewhere}\"\n",
        slack.url()
    ));
    env.talk(&["notify"]);
    env.declare("Checkout returns 500s", &["-s", "SEV1"]);
    let (code, talk) = notify(&env);
    assert_eq!(code, 1, "{talk}");
    assert!(talk.contains("not_in_channel"), "{talk}");
    let state = &env.json(&["deliveries"])[0];
    let parked = state["parked"].as_str().unwrap();
    assert!(
        parked.contains(&format!("invite the bot to channel {elsewhere}")),
        "{parked}"
    );
    // No channel per incident was asked for.
    assert!(slack.calls("conversations.create").is_empty());
}

#[test]
fn the_fake_refuses_what_slack_refuses() {
    let slack = slack();
    let json = "application/json; charset=utf-8";
    let token = Some(slack_api::TOKEN);
    let create = |name: &str| {
        let body = serde_json::json!({ "name": name }).to_string();
        slack.post("conversations.create", token, json, &body).1["error"].clone()
    };
    assert_eq!(create("Inc-1"), "invalid_name_specials");
    assert_eq!(create("inc 1"), "invalid_name_specials");
    assert_eq!(create("inc.1"), "invalid_name_specials");
    assert_eq!(create(&"a".repeat(81)), "invalid_name_maxlength");
    assert_eq!(create(""), "invalid_name_required");
    assert_eq!(create("--"), "invalid_name_punctuation");
    assert_eq!(create("inc-1_ok"), Value::Null);
    assert_eq!(create("inc-1_ok"), "name_taken");
    let (status, answer) = slack.post("auth.test", None, json, "{}");
    assert_eq!((status, answer["error"].as_str()), (200, Some("not_authed")));
    let (_, answer) = slack.post("auth.test", Some("xoxb-other"), json, "{}");
    assert_eq!(answer["error"], "invalid_auth");
    let (_, answer) = slack.post("auth.test", token, "application/json", "{}");
    assert_eq!(answer["error"], "missing_charset");
    let (_, answer) = slack.post("conversations.list", token, json, "{}");
    assert_eq!(answer["ok"], false, "conversations.list takes a form");
    let (_, answer) = slack.post(
        "chat.postMessage",
        token,
        json,
        r#"{"channel": "C99999999", "text": "x"}"#,
    );
    assert_eq!(answer["error"], "channel_not_found");
    let (status, answer) = slack.post("chat.unknown", token, json, "{}");
    assert_eq!((status, answer["error"].as_str()), (404, Some("unknown_method")));
}

#[test]
fn mistakes_in_a_slack_bot_destination_are_one_line_each() {
    let env = |extra: &str| {
        let mut env = Env::new();
        env.with_config(&format!(
            "[[notify]]\nname = \"{NAME}\"\nkind = \"slack\"\n{extra}"
        ));
        let said = env.fails(2, &["deliveries"]);
        assert_eq!(said.trim_end().lines().count(), 1, "{said}");
        said
    };
    let inline = env("token = \"xoxb-1-2-secret\"\nroom_per_incident = true\n");
    assert!(!inline.contains("xoxb-1-2-secret"), "{inline}");
    assert!(
        inline.contains("`token` is a secret: never write it here"),
        "{inline}"
    );
    let plain = env(
        "token = { env = \"T\" }\napi_url = \"http://slack.example.org/api\"\nroom_per_incident = true\n",
    );
    assert!(plain.contains("must be an https:// URL"), "{plain}");
    let both = env("token = { env = \"T\" }\nurl = { env = \"U\" }\nroom_per_incident = true\n");
    assert!(both.contains("not both"), "{both}");
    let nowhere = env("token = { env = \"T\" }\n");
    assert!(nowhere.contains("room_per_incident = true"), "{nowhere}");
    let name = env("token = { env = \"T\" }\nchannel = \"#incidents\"\n");
    assert!(name.contains("channel id"), "{name}");
    let webhook = env("url = { env = \"U\" }\nroom_per_incident = true\n");
    assert!(webhook.contains("need a bot token"), "{webhook}");
}
