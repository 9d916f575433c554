//! Mail, through the real binary to a real SMTP server on loopback
//! (aiosmtpd, tests/cli/smtpd.py), read back as the server took it: the
//! envelope, the headers as an RFC 5322 parser reads them, the plain-text
//! body; STARTTLS with a throwaway CA, TLS from the first byte, a login
//! whose password is read from a file, and what happens when the
//! protection asked for is not there.

use crate::support::Env;
use crate::tools::{Tool, require};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// aiosmtpd for the test's life, writing what it takes to a folder.
pub struct Smtpd {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Smtpd {
    /// Started with the script's options (`--starttls CERT KEY`, …).
    pub fn start(args: &[&str]) -> Smtpd {
        let python = require(Tool::Aiosmtpd);
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/smtpd.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg("--dir")
            .arg(dir.path())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("smtpd.py did not start: {line:?}"));
        Smtpd { child, port, dir }
    }

    /// Every message taken so far, in order.
    pub fn messages(&self) -> Vec<Value> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
            .collect()
    }
}

impl Drop for Smtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A header's values, as the parser read them (RFC 2047 words decoded).
fn headers<'a>(message: &'a Value, name: &str) -> Vec<&'a str> {
    message["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h[0].as_str().unwrap().eq_ignore_ascii_case(name))
        .map(|h| h[1].as_str().unwrap())
        .collect()
}

fn header<'a>(message: &'a Value, name: &str) -> &'a str {
    let all = headers(message, name);
    assert_eq!(all.len(), 1, "one {name} header: {message:#}");
    all[0]
}

/// RFC 5322 §2.1.1 and §2.2: lines of at most 998 characters ending in
/// CRLF, and a header section whose only breaks are folds (a line that
/// goes on starts with white space) — so no typed line break made a
/// header of its own.
fn well_formed(raw: &str) -> Vec<String> {
    assert!(raw.ends_with("\r\n"), "ends in CRLF");
    let (head, _) = raw.split_once("\r\n\r\n").expect("a header section and a body");
    for line in raw.split("\r\n") {
        assert!(line.len() <= 998, "a line longer than 998: {}", line.len());
        assert!(!line.contains(['\r', '\n']), "a bare CR or LF: {line:?}");
    }
    let mut names = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let (name, _) = line.split_once(':').expect("a header field");
        // §3.6.8: printable US-ASCII but the colon.
        assert!(
            name.bytes().all(|b| (33..=126).contains(&b) && b != b':'),
            "{name:?}"
        );
        names.push(name.to_ascii_lowercase());
    }
    names
}

/// RFC 5322 §3.6.4: `"<" id-left "@" id-right ">"`, both `dot-atom-text`.
fn msg_id(value: &str) -> &str {
    let inner = value
        .strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .expect("<…>");
    let (left, right) = inner.split_once('@').expect("left@right");
    for part in [left, right] {
        for atom in part.split('.') {
            assert!(!atom.is_empty(), "an empty atom in {value}");
            assert!(
                atom.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)),
                "not atext: {atom:?} in {value}"
            );
        }
    }
    left
}

/// An email destination named `name` sending to the server on `port`,
/// with the rest of its keys.
fn configured(env: &mut Env, name: &str, port: u16, rest: &str) {
    env.with_config(&format!(
        r#"
[[notify]]
name = "{name}"
kind = "email"
server = "127.0.0.1:{port}"
from = "Incident <incident@example.org>"
to = ["oncall@example.org", "Émile Zola <emile@example.org>", "cto@example.org"]
{rest}
"#
    ));
}

/// The idempotency key of event `n` of `key`, as a mail's Message-ID
/// carries it: `NAME.EVENT.RECORDED_AT` (seconds since 1970).
fn delivery_key(env: &Env, name: &str, key: &str, n: usize) -> String {
    let event = &env.show(key)["timeline"][n];
    let at: chrono::DateTime<chrono::Utc> = event["recorded_at"].as_str().unwrap().parse().unwrap();
    format!("{name}.{}.{}", event["id"], at.timestamp())
}

#[test]
fn mail_reaches_every_recipient_with_a_one_line_subject_the_plain_text_and_the_delivery_key() {
    let smtpd = Smtpd::start(&[]);
    let mut env = Env::new();
    // A relay on this host: the one place `tls = "none"` is meant for.
    configured(&mut env, "stake(holders)", smtpd.port, "tls = \"none\"");
    env.talk(&["notify"]);
    let key = env.declare(
        "Two\r\nBcc: evil@example.org \u{202e} <b>x</b> @channel",
        &["-s", "SEV1", "--commander", "bob"],
    );
    env.ok(&["edit", &key, "--add-channel", "https://chat.example.org/inc-1"]);
    let words =
        "Rolled back 4821.\nBcc: evil@example.org\r\n\u{7} <script>alert(1)</script> **bold** ünïcödé ✓";
    env.ok(&["update", &key, words, "--kind", "comms"]);
    let talk = env.talk(&["notify"]);
    assert!(talk.contains("stake(holders): 2 sent, up to date"), "{talk}");
    let mails = smtpd.messages();
    assert_eq!(mails.len(), 2);
    let subject = "INC-1 SEV1 declared: Two ⏎ Bcc: evil@example.org \\u{202e} <b>x</b> @channel";
    for (mail, event) in mails.iter().zip([0, 3]) {
        // Every recipient in the envelope, and in To as written.
        assert_eq!(mail["mail_from"], "incident@example.org");
        assert_eq!(
            mail["rcpt_tos"],
            serde_json::json!(["oncall@example.org", "emile@example.org", "cto@example.org"])
        );
        assert_eq!(
            header(mail, "To"),
            "oncall@example.org, Émile Zola <emile@example.org>, cto@example.org"
        );
        assert_eq!(header(mail, "From"), "Incident <incident@example.org>");
        assert_eq!(mail["defects"], serde_json::json!([]), "{mail:#}");
        assert_eq!(mail["tls"], false);
        let names = well_formed(mail["raw"].as_str().unwrap());
        assert!(!names.contains(&"bcc".to_string()), "{names:?}");
        for name in [
            "from",
            "to",
            "subject",
            "message-id",
            "date",
            "mime-version",
            "content-type",
        ] {
            assert_eq!(
                names.iter().filter(|n| *n == name).count(),
                1,
                "{name} in {names:?}"
            );
        }
        assert_eq!(mail["content_type"], "text/plain");
        assert_eq!(mail["charset"], "utf-8");
        // The key a repeat would carry too.
        let id = header(mail, "Message-ID");
        let left = delivery_key(&env, "stake(holders)", &key, event)
            .replace('(', "%28")
            .replace(')', "%29");
        assert_eq!(msg_id(id), left, "{id}");
    }
    let declared = &mails[0];
    assert_eq!(header(declared, "Subject"), subject);
    // On the wire every line ends in CRLF (RFC 5322 §2.3): as text, LF.
    let body = declared["body"].as_str().unwrap().replace("\r\n", "\n");
    assert!(
        body.starts_with(&format!("{subject}\n\nDeclared SEV1 other: Two\\u{{d}}\nBcc:")),
        "{body}"
    );
    let update = mails[1]["body"].as_str().unwrap().replace("\r\n", "\n");
    // A transfer encoding may end the body with one more line break.
    assert_eq!(
        update.trim_end(),
        format!(
            "INC-1 SEV1 update: Two ⏎ Bcc: evil@example.org \\u{{202e}} <b>x</b> @channel\n\n\
             Rolled back 4821.\nBcc: evil@example.org\\u{{d}}\n\\u{{7}} <script>alert(1)</script> **bold** ünïcödé ✓\n\n\
             Severity: SEV1\nStatus: investigating\nCommander: bob\n\
             Link: https://chat.example.org/inc-1\n\n\
             comms by alice at 2026-11-23 08:00 UTC"
        )
    );
}

#[test]
fn a_long_title_and_ten_kilobytes_of_text_make_a_mail_whose_lines_stay_within_the_limits() {
    let smtpd = Smtpd::start(&[]);
    let mut env = Env::new();
    configured(&mut env, "mail", smtpd.port, "tls = \"none\"");
    env.talk(&["notify"]);
    let title = "Ω".repeat(200);
    let key = env.declare(&title, &["-s", "SEV1"]);
    let long = format!("{}and the end.", "All of it on one line, ".repeat(450));
    env.ok(&["update", &key, &long, "--kind", "comms"]);
    env.talk(&["notify"]);
    let mails = smtpd.messages();
    assert_eq!(mails.len(), 2);
    for mail in &mails {
        well_formed(mail["raw"].as_str().unwrap());
        assert_eq!(mail["defects"], serde_json::json!([]));
        let subject = header(mail, "Subject");
        assert_eq!(subject.chars().count(), 200, "{subject}");
        assert!(subject.ends_with("ΩΩ…"), "{subject}");
    }
    assert!(
        mails[1]["body"].as_str().unwrap().contains(&long),
        "the words whole, however long"
    );
}

#[test]
fn starttls_with_a_private_ca_and_a_password_from_a_file_and_a_wrong_password_parks() {
    let (ca, cert, key) = crate::pg::certificates("127.0.0.1");
    let mut env = Env::new();
    let dir = env.dir.path().to_path_buf();
    for (file, text) in [("ca.pem", &ca), ("cert.pem", &cert), ("key.pem", &key)] {
        std::fs::write(dir.join(file), text).unwrap();
    }
    std::fs::write(dir.join("smtp-password"), "correct horse\n").unwrap();
    let smtpd = Smtpd::start(&[
        "--starttls",
        dir.join("cert.pem").to_str().unwrap(),
        dir.join("key.pem").to_str().unwrap(),
        "--auth",
        "incident@example.org:correct horse",
    ]);
    // STARTTLS is the default: `tls` is not written.
    configured(
        &mut env,
        "mail",
        smtpd.port,
        "username = \"incident@example.org\"\npassword = { file = \"smtp-password\" }\nca = \"ca.pem\"",
    );
    env.talk(&["notify"]);
    env.declare("Checkout down", &["-s", "SEV1"]);
    assert!(env.talk(&["notify"]).contains("mail: 1 sent, up to date"));
    let mails = smtpd.messages();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0]["tls"], true, "sent after STARTTLS");
    assert_eq!(mails[0]["login"], "incident@example.org");
    assert_eq!(header(&mails[0], "Subject"), "INC-1 SEV1 declared: Checkout down");
    // A wrong password: refused for good (535), parked, nothing sent.
    std::fs::write(dir.join("smtp-password"), "battery staple\n").unwrap();
    env.declare("Search slow", &[]);
    let err = env.fails(1, &["notify"]);
    assert!(
        err.contains(&format!(
            "mail: 127.0.0.1:{} refused the login: 535 5.7.8 Authentication credentials invalid; check `username` and `password`",
            smtpd.port
        )),
        "{err}"
    );
    assert!(
        err.contains("parked until 'incident deliveries retry mail'"),
        "{err}"
    );
    assert!(!err.contains("battery"), "the password is never shown: {err}");
    assert_eq!(smtpd.messages().len(), 1);
    // Fixed, retried: it goes.
    std::fs::write(dir.join("smtp-password"), "correct horse\n").unwrap();
    env.talk(&["deliveries", "retry", "mail"]);
    assert!(env.talk(&["notify"]).contains("mail: 1 sent, up to date"));
    assert_eq!(smtpd.messages().len(), 2);
}

#[test]
fn tls_from_the_first_byte_is_checked_against_the_ca_and_fails_without_it() {
    let (ca, cert, key) = crate::pg::certificates("127.0.0.1");
    let mut env = Env::new();
    let dir = env.dir.path().to_path_buf();
    for (file, text) in [("ca.pem", &ca), ("cert.pem", &cert), ("key.pem", &key)] {
        std::fs::write(dir.join(file), text).unwrap();
    }
    let smtpd = Smtpd::start(&[
        "--tls",
        dir.join("cert.pem").to_str().unwrap(),
        dir.join("key.pem").to_str().unwrap(),
    ]);
    // Without the CA, the public roots do not know the certificate.
    configured(&mut env, "mail", smtpd.port, "tls = \"tls\"");
    env.talk(&["notify"]);
    env.declare("Checkout down", &[]);
    let err = env.fails(1, &["notify"]);
    assert!(err.contains("TLS with 127.0.0.1:"), "{err}");
    assert!(err.contains("name that CA's PEM file in `ca`"), "{err}");
    assert!(err.contains("retried from"), "tried again later: {err}");
    assert!(smtpd.messages().is_empty());
    configured(&mut env, "mail", smtpd.port, "tls = \"tls\"\nca = \"ca.pem\"");
    env.at("2026-11-23T08:10:00Z");
    assert!(env.talk(&["notify"]).contains("mail: 1 sent, up to date"));
    let mails = smtpd.messages();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0]["tls"], true);
}

#[test]
fn a_server_that_offers_no_starttls_gets_nothing_in_clear() {
    let smtpd = Smtpd::start(&[]);
    let mut env = Env::new();
    // The default, `tls = "starttls"`, against a server without it.
    configured(&mut env, "mail", smtpd.port, "");
    env.talk(&["notify"]);
    env.declare("Checkout down", &[]);
    let err = env.fails(1, &["notify"]);
    assert!(
        err.contains(&format!(
            "mail: 127.0.0.1:{} does not offer STARTTLS, so nothing was sent in clear",
            smtpd.port
        )),
        "{err}"
    );
    assert!(
        err.contains("tls = \\\"tls\\\"") || err.contains("tls = \"tls\""),
        "{err}"
    );
    assert!(smtpd.messages().is_empty(), "nothing sent");
    let states = env.json(&["deliveries"]);
    assert!(
        states[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("does not offer STARTTLS"),
        "{states:#}"
    );
    // A `ca` where nothing is checked is a mistake in the file.
    configured(&mut env, "mail", smtpd.port, "tls = \"none\"\nca = \"ca.pem\"");
    let err = env.fails(2, &["notify"]);
    assert!(err.contains("`ca` checks the server's certificate"), "{err}");
}
