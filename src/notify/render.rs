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

/// Slack's limit on a header block's text (Block Kit reference, header
/// block: plain_text, 150 characters), which Discord's embed title (256)
/// keeps too.
const HEADER_CHARS: usize = 150;
/// Slack's limit on a section's text (3,000 characters), and on each of
/// its fields (2,000).
const SECTION_CHARS: usize = 3_000;
const FIELD_CHARS: usize = 2_000;
/// Discord's limits (execute webhook; embed limits): a message's content,
/// an embed's description, a field's value, and all the text of a
/// message's embeds together.
const DISCORD_CONTENT: usize = 2_000;
const DISCORD_DESCRIPTION: usize = 4_096;
const DISCORD_FIELD: usize = 1_024;
const DISCORD_EMBED_TOTAL: usize = 6_000;
/// Mattermost splits a post longer than 16,383 characters into several;
/// one message stays one post.
const MATTERMOST_CHARS: usize = 16_383;
/// Teams takes a message of at most 28 KB; Google Chat one of at most
/// 32,000 bytes. The entry's words are cut to leave room for the rest.
const TEAMS_TEXT_BYTES: usize = 20_000;
const GOOGLE_CHAT_TEXT_BYTES: usize = 24_000;

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

/// At most `n` bytes of UTF-8, ending in … when cut.
fn clip_bytes(text: &str, n: usize) -> String {
    if text.len() <= n {
        return text.to_string();
    }
    let mut end = n.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// At most `n` characters of escaped text, never cutting an escape in
/// two: `unit` says how many characters the escape starting a text holds
/// (1 for a plain character), and a cut falls between units only.
fn clip_escaped(text: &str, n: usize, unit: fn(&str) -> usize) -> String {
    if text.chars().count() <= n {
        return text.to_string();
    }
    let budget = n.saturating_sub(1);
    let (mut taken, mut end) = (0, 0);
    while end < text.len() {
        let len = unit(&text[end..]).max(1);
        if taken + len > budget {
            break;
        }
        let bytes: usize = text[end..].chars().take(len).map(char::len_utf8).sum();
        end += bytes;
        taken += len;
    }
    format!("{}…", &text[..end])
}

/// Slack's escapes: `&amp;`, `&lt;`, `&gt;`.
fn slack_unit(text: &str) -> usize {
    ["&amp;", "&lt;", "&gt;"]
        .iter()
        .find(|e| text.starts_with(*e))
        .map_or(1, |e| e.len())
}

/// Markdown's: a backslash and what it escapes, a code span around a
/// mention.
fn markdown_unit(text: &str) -> usize {
    if text.starts_with('\\') {
        return 2;
    }
    MENTIONS
        .iter()
        .map(|w| format!("`{w}`"))
        .find(|span| text.starts_with(span.as_str()))
        .map_or(1, |span| span.chars().count())
}

/// What would mention everyone in Mattermost and Discord.
const MENTIONS: [&str; 4] = ["@channel", "@here", "@all", "@everyone"];

/// The facts every medium shows beside the words: (label, value), each
/// on one line.
fn facts(m: &Message) -> Vec<(&'static str, String)> {
    let mut facts = vec![
        ("Severity", crate::text::one_line(&m.severity).into_owned()),
        ("Status", m.status.as_str().to_string()),
    ];
    if let Some(c) = &m.commander {
        facts.push(("Commander", crate::text::one_line(c).into_owned()));
    }
    if let Some(t) = m.next_update {
        facts.push(("Next update", utc(t)));
    }
    if m.external {
        facts.push(("Audience", "customer-facing".into()));
    }
    if !m.seen_before.is_empty() {
        let seen: Vec<String> = m.seen_before.iter().map(|s| s.line()).collect();
        facts.push((
            "Seen before",
            crate::text::one_line(&seen.join("; ")).into_owned(),
        ));
    }
    facts
}

fn utc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn links(m: &Message) -> Vec<String> {
    m.links.iter().map(|l| clean(l)).collect()
}

/// A link a chat can show as one: http(s), and nothing in it that would
/// end it or a URI (RFC 3986) cannot hold.
fn web_link(link: &str) -> bool {
    (link.starts_with("https://") || link.starts_with("http://"))
        && link.len() > "https://".len()
        && link.chars().all(|c| {
            c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '`' | '{' | '}' | '|' | '\\' | '^')
        })
}

/// The subject, on one line, controls shown as escapes.
fn subject(m: &Message) -> String {
    crate::text::one_line(&m.subject()).into_owned()
}

/// The message as plain text, one fact per line (mail bodies, Matrix's
/// plain body).
pub fn plain(m: &Message) -> String {
    // The subject on one line, as the mail's Subject shows it.
    let mut out = format!("{}\n\n{}\n\n", subject(m), clean(&m.text));
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

/// Slack's mrkdwn: `&`, `<` and `>` are its markup ("Escaping text"), and
/// with them escaped nothing typed is a link or a mention (`<!channel>`).
fn slack_escape(text: &str) -> String {
    clean(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn slack(m: &Message) -> Value {
    let fields: Vec<Value> = facts(m)
        .into_iter()
        .map(|(label, value)| {
            let text = format!("*{label}*\n{}", slack_escape(&value));
            json!({"type": "mrkdwn", "text": clip_escaped(&text, FIELD_CHARS, slack_unit)})
        })
        .collect();
    let text = match m.text.trim().is_empty() {
        true => "(no text)".to_string(),
        false => slack_escape(&m.text),
    };
    let mut blocks = vec![
        // plain_text: shown as typed, nothing in it is markup.
        json!({"type": "header", "text": {"type": "plain_text", "text": clip(&subject(m), HEADER_CHARS)}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": clip_escaped(&text, SECTION_CHARS, slack_unit)}}),
        json!({"type": "section", "fields": fields}),
    ];
    let links = links(m);
    if !links.is_empty() {
        let text = links
            .iter()
            .map(|l| slack_escape(l))
            .collect::<Vec<_>>()
            .join("  ·  ");
        blocks.push(json!({"type": "context", "elements": [
            {"type": "mrkdwn", "text": clip_escaped(&text, SECTION_CHARS, slack_unit)}
        ]}));
    }
    // `text` is what notifications show: mrkdwn too.
    json!({"text": slack_escape(&subject(m)), "blocks": blocks})
}

/// The longest channel topic Slack takes (`conversations.setTopic`: 250
/// characters; a topic shows no formatting, so nothing is escaped).
pub const SLACK_TOPIC_CHARS: usize = 250;

/// `chat.postMessage`'s arguments: the channel, and the message as an
/// incoming webhook takes it (the fallback `text` and the blocks).
pub fn slack_post(channel: &str, m: &Message) -> Value {
    let mut body = slack(m);
    body["channel"] = json!(channel);
    body
}

/// A topic line, cut to what Slack takes.
pub fn slack_topic(topic: &str) -> String {
    clip(topic, SLACK_TOPIC_CHARS)
}

/// Markdown (Mattermost's, Discord's): every character that can start
/// markup is escaped with a backslash (CommonMark: any ASCII punctuation
/// may be), `&` too (an entity would show as another character), so what
/// was typed shows as typed — no link, image, heading, list, quote, table,
/// spoiler or emphasis; then what would mention everyone is put in a code
/// span, where it mentions nobody. Web addresses stay as typed inside a
/// line only where they hold none of these characters.
fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in clean(text).split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        // A line's start: lists (`- `, `+ `, `1. `), setext underlines (`=`).
        let mut rest = trimmed;
        out.push_str(indent);
        if let Some(c) = rest.chars().next()
            && matches!(c, '-' | '+' | '=')
        {
            out.push('\\');
            out.push(c);
            rest = &rest[1..];
        } else {
            let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
            if digits > 0 && matches!(rest[digits..].chars().next(), Some('.' | ')')) {
                out.push_str(&rest[..digits]);
                out.push('\\');
                rest = &rest[digits..];
            }
        }
        for c in rest.chars() {
            if matches!(
                c,
                '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '(' | ')' | '<' | '>' | '#' | '|' | '!' | '&'
            ) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    for word in MENTIONS {
        out = out.replace(word, &format!("`{word}`"));
    }
    out
}

/// A link in Markdown: an autolink when it is a web address, else text.
fn markdown_link(link: &str) -> String {
    match web_link(link) {
        true => format!("<{link}>"),
        false => markdown(link),
    }
}

fn mattermost(m: &Message) -> Value {
    let facts = facts(m);
    let mut tail = format!(
        "\n\n| {} |\n|{}|\n| {} |\n",
        facts.iter().map(|(l, _)| *l).collect::<Vec<_>>().join(" | "),
        vec![" --- "; facts.len()].join("|"),
        facts
            .iter()
            .map(|(_, v)| markdown(v))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    for link in links(m) {
        tail.push_str(&format!("\n{}", markdown_link(&link)));
    }
    let head = format!("#### {}\n", markdown(&subject(m)));
    // The entry's words give way, so it stays one post.
    let room = MATTERMOST_CHARS.saturating_sub(head.chars().count() + tail.chars().count());
    let words = clip_escaped(&markdown(&m.text), room, markdown_unit);
    json!({"text": format!("{head}{words}{tail}"), "username": "incident"})
}

fn discord(m: &Message) -> Value {
    let title = clip(&subject(m), HEADER_CHARS);
    let fields: Vec<Value> = facts(m)
        .into_iter()
        .map(|(label, value)| {
            json!({"name": label, "value": clip_escaped(&markdown(&value), DISCORD_FIELD, markdown_unit), "inline": true})
        })
        .collect();
    let used = title.chars().count()
        + fields
            .iter()
            .map(|f| {
                f["name"].as_str().unwrap_or("").chars().count()
                    + f["value"].as_str().unwrap_or("").chars().count()
            })
            .sum::<usize>();
    let mut links = String::new();
    for link in self::links(m) {
        links.push_str(&format!("\n{}", markdown_link(&link)));
    }
    // All of an embed's text together stays within Discord's 6,000: the
    // entry's words give way, the links stay.
    let room = DISCORD_DESCRIPTION
        .min(DISCORD_EMBED_TOTAL.saturating_sub(used))
        .saturating_sub(links.chars().count());
    let description = format!(
        "{}{}",
        clip_escaped(&markdown(&m.text), room, markdown_unit),
        clip(&links, DISCORD_DESCRIPTION)
    );
    json!({
        "content": clip_escaped(&markdown(&subject(m)), DISCORD_CONTENT, markdown_unit),
        "embeds": [{
            "title": title,
            "description": description,
            "fields": fields,
            "timestamp": crate::time::to_rfc3339(m.at),
        }],
        // Whatever the text says, nobody is pinged by it.
        "allowed_mentions": {"parse": []},
    })
}

/// Google Chat's text has no escape. What it would act on starts with
/// `<`: `<users/all>` mentions everyone, `<https://…|text>` shows a link
/// as other words; `‹` stands for it. Its emphasis (`*`, `_`, `~`) is
/// left as typed: harmless, and there is no way to show it otherwise.
fn google_chat(m: &Message) -> Value {
    let neutral = |t: &str| clean(t).replace('<', "‹");
    let mut tail = String::new();
    for (label, value) in facts(m) {
        tail.push_str(&format!("\n{label}: {}", neutral(&value)));
    }
    for link in links(m) {
        tail.push_str(&format!("\n{}", neutral(&link)));
    }
    let text = format!(
        "*{}*\n{}\n{tail}",
        neutral(&subject(m)),
        clip_bytes(&neutral(&m.text), GOOGLE_CHAT_TEXT_BYTES)
    );
    json!({"text": text})
}

/// Text that an Adaptive Card shows as it is: a TextRun ("Markdown is not
/// supported", where a TextBlock's text and a FactSet's are Markdown).
fn text_run(text: &str, bold: bool) -> Value {
    match bold {
        true => json!({"type": "TextRun", "text": text, "weight": "Bolder"}),
        false => json!({"type": "TextRun", "text": text}),
    }
}

/// An Adaptive Card (1.4, what Teams renders) in the message a Teams
/// Workflows webhook takes. What was typed goes in TextRuns only.
fn teams(m: &Message) -> Value {
    let mut body = vec![
        json!({"type": "RichTextBlock", "inlines": [
            {"type": "TextRun", "text": subject(m), "weight": "Bolder", "size": "Medium"}
        ]}),
        json!({"type": "RichTextBlock", "inlines": [text_run(&clip_bytes(&clean(&m.text), TEAMS_TEXT_BYTES), false)]}),
    ];
    for (label, value) in facts(m) {
        body.push(json!({"type": "RichTextBlock", "spacing": "None", "inlines": [
            text_run(&format!("{label}: "), true),
            text_run(&value, false),
        ]}));
    }
    let mut actions = Vec::new();
    for link in links(m) {
        match web_link(&link) {
            true => actions.push(json!({"type": "Action.OpenUrl", "title": clip(&link, 40), "url": link})),
            false => body.push(json!({"type": "RichTextBlock", "inlines": [
                {"type": "TextRun", "text": link, "isSubtle": true}
            ]})),
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
            seen_before: Vec::new(),
        }
    }

    fn hostile() -> Message {
        Message {
            text: "<!channel> @channel @everyone <users/all> <b>bold</b> & \u{202E}txt.exe".into(),
            ..message()
        }
    }

    /// A declaration names the similar past incidents as one more fact, in
    /// every medium, what a person typed in them neutralised as the rest.
    #[test]
    fn a_declaration_says_what_was_seen_before_in_every_medium() {
        let m = Message {
            seen_before: vec![
                crate::domain::notify::SeenBefore {
                    key: "INC-3".into(),
                    title: "Checkout returns 500s".into(),
                    declared_at: "2026-03-01T10:00:00Z".parse().unwrap(),
                    root_cause: Some("pool <!channel> @everyone <users/all> exhausted\nagain".into()),
                    open_actions: 2,
                },
                crate::domain::notify::SeenBefore {
                    key: "INC-1".into(),
                    title: "Checkout slow".into(),
                    declared_at: "2026-01-05T10:00:00Z".parse().unwrap(),
                    root_cause: None,
                    open_actions: 0,
                },
            ],
            ..message()
        };
        let line = "INC-3 (2026-03-01) Checkout returns 500s, root cause: pool <!channel> @everyone <users/all> \
                    exhausted ⏎ again, 2 open action items; INC-1 (2026-01-05) Checkout slow";
        assert!(
            plain(&m).contains(&format!("Seen before: {line}\n")),
            "{}",
            plain(&m)
        );
        let slack = chat(Kind::Slack, &m).to_string();
        assert!(slack.contains("*Seen before*\\nINC-3 (2026-03-01)"), "{slack}");
        assert!(slack.contains("pool &lt;!channel&gt; @everyone"), "{slack}");
        for kind in [Kind::Teams, Kind::Mattermost, Kind::Discord, Kind::GoogleChat] {
            let body = chat(kind, &m).to_string();
            assert!(body.contains("Seen before"), "{kind:?}: {body}");
            assert!(
                body.contains("INC-1") && body.contains("Checkout slow"),
                "{kind:?}: {body}"
            );
        }
        // What would ping everyone, in the media where it would.
        for kind in [Kind::Mattermost, Kind::Discord] {
            let body = chat(kind, &m).to_string();
            assert!(body.contains("`@everyone`"), "{kind:?}: {body}");
        }
        assert!(!chat(Kind::GoogleChat, &m).to_string().contains("<users/all>"));
        let matrix = matrix(&m).to_string();
        assert!(matrix.contains("Seen before"), "{matrix}");
        assert!(!plain(&message()).contains("Seen before"));
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
        // The facts, label and value, each a TextRun (no Markdown).
        assert_eq!(
            card["content"]["body"][5]["inlines"],
            json!([
                {"type": "TextRun", "text": "Next update: ", "weight": "Bolder"},
                {"type": "TextRun", "text": "2026-11-23 08:30 UTC"}
            ])
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
    fn markdown_shows_what_was_typed_and_a_cut_never_splits_an_escape() {
        assert_eq!(
            markdown("# Title\n- item\n1. one\n[x](y) **b** a|b &amp; @here"),
            "\\# Title\n\\- item\n1\\. one\n\\[x\\]\\(y\\) \\*\\*b\\*\\* a\\|b \\&amp; `@here`"
        );
        // Cut at 3: "a", then "\\*" would be 2 more; it ends before.
        assert_eq!(clip_escaped("a\\*b", 3, markdown_unit), "a…");
        assert_eq!(clip_escaped("x&amp;y", 4, slack_unit), "x…");
        assert_eq!(clip_escaped("x&amp;y", 7, slack_unit), "x&amp;y");
        assert_eq!(clip_bytes("ΩΩΩ", 5), "Ω…");
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
