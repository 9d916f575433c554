//! One [`Message`] written for each medium: Slack's Block Kit, a Teams
//! Adaptive Card, Mattermost and Google Chat text, a Discord embed, a
//! Matrix message with its HTML, a mail's subject and body. Pure: the
//! tests check each against its receiver's published format.
//!
//! What a person typed reaches every medium neutralised: control and
//! bidirectional characters shown as escapes, each medium's markup
//! escaped, and nothing that would ping a whole channel (`@channel`,
//! `@everyone`, `<users/all>`).

use super::Kind;
use crate::domain::notify::Message;
use serde_json::{Value, json};

/// Slack's limit on a header block's text, Discord's on an embed title.
const HEADER_CHARS: usize = 150;
/// Slack's limit on a section's text (3,000), kept well under.
const SECTION_CHARS: usize = 2_900;
/// Discord's limit on a message's content and on an embed field's value.
const DISCORD_CONTENT: usize = 2_000;
const DISCORD_FIELD: usize = 1_024;
const DISCORD_DESCRIPTION: usize = 4_096;

/// The body an incoming webhook of `kind` takes (a chat kind).
pub fn chat(kind: Kind, m: &Message) -> Value {
    match kind {
        Kind::Slack => slack(m),
        Kind::Teams => teams(m),
        Kind::Discord => discord(m),
        Kind::GoogleChat => google_chat(m),
        _ => mattermost(m),
    }
}

/// `text` with controls and bidirectional overrides shown as escapes.
fn clean(text: &str) -> String {
    crate::text::safe(text).into_owned()
}

/// At most `n` characters, ending in … when cut.
fn clip(text: &str, n: usize) -> String {
    match text.chars().count() > n {
        true => format!("{}…", text.chars().take(n.saturating_sub(1)).collect::<String>()),
        false => text.to_string(),
    }
}

/// The facts every medium shows beside the words: (label, value).
fn facts(m: &Message) -> Vec<(&'static str, String)> {
    let mut facts = vec![
        ("Severity", m.severity.clone()),
        ("Status", m.status.as_str().to_string()),
    ];
    if let Some(c) = &m.commander {
        facts.push(("Commander", clean(c)));
    }
    if let Some(t) = m.next_update {
        facts.push(("Next update", utc(t)));
    }
    if m.external {
        facts.push(("Audience", "customer-facing".into()));
    }
    facts
}

fn utc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn links(m: &Message) -> Vec<String> {
    m.links.iter().map(|l| clean(l)).collect()
}

/// The message as plain text, one fact per line (mail bodies, Matrix's
/// plain body, Google Chat and Mattermost's base).
pub fn plain(m: &Message) -> String {
    let mut out = format!("{}\n\n{}\n\n", clean(&m.subject()), clean(&m.text));
    for (label, value) in facts(m) {
        out.push_str(&format!("{label}: {value}\n"));
    }
    for link in links(m) {
        out.push_str(&format!("Link: {link}\n"));
    }
    out.push_str(&format!(
        "\n{} by {} at {}\n",
        m.kind.as_str(),
        clean(&m.author),
        utc(m.at)
    ));
    out
}

/// Slack's mrkdwn: `&`, `<` and `>` are its markup.
fn slack_escape(text: &str) -> String {
    clean(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn slack(m: &Message) -> Value {
    let subject = slack_escape(&m.subject());
    let fields: Vec<Value> = facts(m)
        .into_iter()
        .map(|(label, value)| json!({"type": "mrkdwn", "text": format!("*{label}*\n{}", slack_escape(&value))}))
        .collect();
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": clip(&clean(&m.subject()), HEADER_CHARS)}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": clip(&slack_escape(&m.text), SECTION_CHARS)}}),
        json!({"type": "section", "fields": fields}),
    ];
    let links = links(m);
    if !links.is_empty() {
        let text = links
            .iter()
            .map(|l| slack_escape(l))
            .collect::<Vec<_>>()
            .join("  ·  ");
        blocks.push(
            json!({"type": "context", "elements": [{"type": "mrkdwn", "text": clip(&text, SECTION_CHARS)}]}),
        );
    }
    json!({"text": subject, "blocks": blocks})
}

/// Mattermost and Discord markdown: what would mention everyone is put in
/// a code span, where it mentions nobody.
fn unmention(text: &str) -> String {
    let mut out = clean(text);
    for word in ["@channel", "@here", "@all", "@everyone"] {
        out = out.replace(word, &format!("`{word}`"));
    }
    out
}

fn mattermost(m: &Message) -> Value {
    let mut text = format!("#### {}\n{}\n\n", unmention(&m.subject()), unmention(&m.text));
    let facts = facts(m);
    text.push_str(&format!(
        "| {} |\n|{}|\n| {} |\n",
        facts.iter().map(|(l, _)| *l).collect::<Vec<_>>().join(" | "),
        vec![" --- "; facts.len()].join("|"),
        facts
            .iter()
            .map(|(_, v)| unmention(v).replace('|', "\\|"))
            .collect::<Vec<_>>()
            .join(" | ")
    ));
    for link in links(m) {
        text.push_str(&format!("\n{}", unmention(&link)));
    }
    json!({"text": text, "username": "incident"})
}

fn discord(m: &Message) -> Value {
    let fields: Vec<Value> = facts(m)
        .into_iter()
        .map(|(label, value)| json!({"name": label, "value": clip(&unmention(&value), DISCORD_FIELD), "inline": true}))
        .collect();
    let mut description = unmention(&m.text);
    for link in links(m) {
        description.push_str(&format!("\n{}", unmention(&link)));
    }
    json!({
        "content": clip(&unmention(&m.subject()), DISCORD_CONTENT),
        "embeds": [{
            "title": clip(&clean(&m.subject()), HEADER_CHARS),
            "description": clip(&description, DISCORD_DESCRIPTION),
            "fields": fields,
            "timestamp": crate::time::to_rfc3339(m.at),
        }],
        // Whatever the text says, nobody is pinged by it.
        "allowed_mentions": {"parse": []},
    })
}

fn google_chat(m: &Message) -> Value {
    // `<users/all>` is how Google Chat mentions everyone.
    let neutral = |t: &str| clean(t).replace("<users/", "‹users/");
    let mut text = format!("*{}*\n{}\n", neutral(&m.subject()), neutral(&m.text));
    for (label, value) in facts(m) {
        text.push_str(&format!("\n{label}: {}", neutral(&value)));
    }
    for link in links(m) {
        text.push_str(&format!("\n{}", neutral(&link)));
    }
    json!({"text": text})
}

/// An Adaptive Card (1.4, what Teams renders) in the message a Teams
/// Workflows webhook takes.
fn teams(m: &Message) -> Value {
    let facts: Vec<Value> = facts(m)
        .into_iter()
        .map(|(label, value)| json!({"title": label, "value": value}))
        .collect();
    let mut body = vec![
        json!({"type": "TextBlock", "text": clean(&m.subject()), "weight": "Bolder", "size": "Medium", "wrap": true}),
        json!({"type": "TextBlock", "text": clean(&m.text), "wrap": true}),
        json!({"type": "FactSet", "facts": facts}),
    ];
    let mut actions = Vec::new();
    for link in links(m) {
        match link.starts_with("https://") || link.starts_with("http://") {
            true => actions.push(json!({"type": "Action.OpenUrl", "title": clip(&link, 40), "url": link})),
            false => body.push(json!({"type": "TextBlock", "text": link, "wrap": true, "isSubtle": true})),
        }
    }
    let mut card = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    });
    if !actions.is_empty() {
        card["actions"] = Value::Array(actions);
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": card,
        }],
    })
}

/// HTML for Matrix's `formatted_body`: everything typed is escaped.
fn html(text: &str) -> String {
    clean(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Matrix's limit on an event is 65,536 bytes, body and HTML together: the
/// words are cut well inside it (an escaped character takes up to 8 bytes
/// twice), so a long entry is sent cut, never refused.
const MATRIX_TEXT: usize = 2_500;
const MATRIX_TITLE: usize = 200;
const MATRIX_LINK: usize = 300;
const MATRIX_LINKS: usize = 10;

/// The content of an `m.room.message` event.
pub fn matrix(m: &Message) -> Value {
    let m = &Message {
        title: clip(&m.title, MATRIX_TITLE),
        text: clip(&m.text, MATRIX_TEXT),
        author: clip(&m.author, MATRIX_TITLE),
        commander: m.commander.as_ref().map(|c| clip(c, MATRIX_TITLE)),
        links: m
            .links
            .iter()
            .take(MATRIX_LINKS)
            .map(|l| clip(l, MATRIX_LINK))
            .collect(),
        ..m.clone()
    };
    let mut formatted = format!(
        "<p><strong>{}</strong></p><p>{}</p><ul>",
        html(&m.subject()),
        html(&m.text).replace('\n', "<br>")
    );
    for (label, value) in facts(m) {
        formatted.push_str(&format!("<li>{label}: {}</li>", html(&value)));
    }
    for link in links(m) {
        formatted.push_str(&format!("<li>{}</li>", html(&link)));
    }
    formatted.push_str("</ul>");
    json!({
        "msgtype": "m.text",
        "body": plain(m),
        "format": "org.matrix.custom.html",
        "formatted_body": formatted,
    })
}

/// A mail's subject and plain-text body.
pub fn email(m: &Message) -> (String, String) {
    (clip(&crate::text::one_line(&m.subject()), 200), plain(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EventKind, Status};

    pub fn message() -> Message {
        Message {
            id: "ops.7.1795420800".into(),
            key: "INC-7".into(),
            severity: "SEV1".into(),
            status: Status::Investigating,
            title: "Checkout returns 500s".into(),
            kind: EventKind::Declared,
            headline: "declared".into(),
            text: "Declared SEV1 availability: Checkout returns 500s".into(),
            author: "alice".into(),
            at: "2026-11-23T08:00:00Z".parse().unwrap(),
            external: false,
            drill: false,
            commander: Some("alice".into()),
            next_update: Some("2026-11-23T08:30:00Z".parse().unwrap()),
            links: vec!["https://chat.example.org/inc-7".into()],
        }
    }

    fn hostile() -> Message {
        Message {
            text: "<!channel> @channel @everyone <users/all> <b>bold</b> & \u{202E}txt.exe".into(),
            ..message()
        }
    }

    #[test]
    fn slack_gets_block_kit_with_its_markup_escaped() {
        let body = chat(Kind::Slack, &hostile());
        assert_eq!(body["blocks"][0]["type"], "header");
        assert_eq!(
            body["blocks"][0]["text"]["text"],
            "INC-7 SEV1 declared: Checkout returns 500s"
        );
        let text = body["blocks"][1]["text"]["text"].as_str().unwrap();
        assert_eq!(
            text,
            "&lt;!channel&gt; @channel @everyone &lt;users/all&gt; &lt;b&gt;bold&lt;/b&gt; &amp; \\u{202e}txt.exe"
        );
        assert_eq!(body["blocks"][2]["fields"][0]["text"], "*Severity*\nSEV1");
        assert_eq!(
            body["blocks"][3]["elements"][0]["text"],
            "https://chat.example.org/inc-7"
        );
        assert_eq!(body["text"], "INC-7 SEV1 declared: Checkout returns 500s");
    }

    #[test]
    fn teams_gets_an_adaptive_card_in_a_message() {
        let body = chat(Kind::Teams, &message());
        assert_eq!(body["type"], "message");
        let card = &body["attachments"][0];
        assert_eq!(card["contentType"], "application/vnd.microsoft.card.adaptive");
        assert_eq!(card["content"]["type"], "AdaptiveCard");
        assert_eq!(card["content"]["version"], "1.4");
        assert_eq!(
            card["content"]["body"][2]["facts"][3]["value"],
            "2026-11-23 08:30 UTC"
        );
        assert_eq!(
            card["content"]["actions"][0]["url"],
            "https://chat.example.org/inc-7"
        );
    }

    #[test]
    fn discord_and_mattermost_ping_nobody() {
        let d = chat(Kind::Discord, &hostile());
        assert_eq!(d["allowed_mentions"], json!({"parse": []}));
        let description = d["embeds"][0]["description"].as_str().unwrap();
        assert!(description.contains("`@everyone`"), "{description}");
        let mm = chat(Kind::Mattermost, &hostile());
        let text = mm["text"].as_str().unwrap();
        assert!(
            text.contains("`@channel`") && !text.contains(" @channel "),
            "{text}"
        );
        let g = chat(Kind::GoogleChat, &hostile());
        assert!(!g["text"].as_str().unwrap().contains("<users/all>"));
    }

    #[test]
    fn matrix_html_escapes_what_was_typed_and_mail_has_a_one_line_subject() {
        let body = matrix(&hostile());
        let html = body["formatted_body"].as_str().unwrap();
        assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"), "{html}");
        assert!(!html.contains("<b>bold"));
        assert_eq!(body["msgtype"], "m.text");
        let (subject, text) = email(&Message {
            title: "Two\nlines".into(),
            ..message()
        });
        assert_eq!(subject, "INC-7 SEV1 declared: Two ⏎ lines");
        assert!(text.contains("Next update: 2026-11-23 08:30 UTC\n"), "{text}");
        assert!(text.contains("Link: https://chat.example.org/inc-7\n"), "{text}");
    }

    #[test]
    fn a_matrix_message_fits_in_an_event_however_long_and_odd_the_words() {
        let worst = Message {
            title: "\u{1}\"".repeat(5_000),
            text: "\u{1b}\"<&".repeat(50_000),
            links: vec!["\u{7f}\"".repeat(5_000); 100],
            author: "\u{2}".repeat(5_000),
            commander: Some("\u{3}".repeat(5_000)),
            ..message()
        };
        let event = serde_json::to_vec(&matrix(&worst)).unwrap();
        assert!(event.len() < 60_000, "{} bytes", event.len());
    }

    #[test]
    fn long_text_is_cut_to_each_mediums_limits() {
        let long = Message {
            title: "t".repeat(500),
            text: "x".repeat(10_000),
            ..message()
        };
        let s = chat(Kind::Slack, &long);
        assert!(s["blocks"][0]["text"]["text"].as_str().unwrap().chars().count() <= 150);
        assert!(s["blocks"][1]["text"]["text"].as_str().unwrap().chars().count() <= 3000);
        let d = chat(Kind::Discord, &long);
        assert!(d["content"].as_str().unwrap().chars().count() <= 2000);
        assert!(d["embeds"][0]["title"].as_str().unwrap().chars().count() <= 256);
        assert!(d["embeds"][0]["description"].as_str().unwrap().chars().count() <= 4096);
    }
}
