//! Sending one message to one destination: with [`super::matrix`] (rooms,
//! reading chat), the only part of notifications that touches the network
//! (or runs a command). Each send says how it went as a [`Failure`] the
//! deliverer's rules understand: a receiver that is down, slow or
//! rate-limited is tried again; one that refuses for good is parked.
//!
//! Every request carries the message's idempotency key: Matrix's
//! transaction id makes a repeat a no-op there; a webhook gets it as
//! `Incident-Delivery`, and Slack-style receivers ignore it.

use super::{Destination, Email, Matrix, Medium, Secret, Tls, render};
use crate::domain::notify::{Failure, Message};
use chrono::Duration;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::time::Duration as StdDuration;

/// How long one request may take, connecting included: well inside the
/// lease a deliverer holds (`domain::notify::LEASE`).
pub const REQUEST_TIMEOUT: StdDuration = StdDuration::from_secs(15);

/// The most of a refusal's body kept as its reason.
const REASON_BYTES: u64 = 2_048;

/// The header a `webhook` destination's request carries its idempotency
/// key in, and the one it is signed in.
pub const DELIVERY_HEADER: &str = "Incident-Delivery";
pub const SIGNATURE_HEADER: &str = "Incident-Signature-256";

/// What a send needs besides the message: the JSON document `webhook` and
/// `command` destinations get, and the environment a command runs with.
pub struct Extra<'a> {
    pub document: &'a [u8],
    pub env: &'a [(String, String)],
}

/// Sends `message` to `destination`.
pub fn send(
    agent: &ureq::Agent,
    destination: &Destination,
    message: &Message,
    extra: &Extra<'_>,
) -> Result<(), Failure> {
    match &destination.medium {
        Medium::Chat { kind, url } => {
            let url = secret(url)?;
            let body = serde_json::to_vec(&render::chat(*kind, message)).map_err(internal)?;
            post(agent, &url, &body, &[(DELIVERY_HEADER, message.id.clone())])
        }
        Medium::Webhook { url, secret: key } => {
            let mut headers = vec![(DELIVERY_HEADER, message.id.clone())];
            if let Some(key) = key {
                headers.push((SIGNATURE_HEADER, sign(&secret(key)?, extra.document)));
            }
            post(agent, url, extra.document, &headers)
        }
        // The deliverer sends to Matrix through `matrix::Bot` (which joins
        // the room first, and adds an incident's own room): this is the
        // plain message to the room named.
        Medium::Matrix(m) => match &m.room {
            Some(room) => matrix_message(agent, m, room, message),
            None => Ok(()),
        },
        // The deliverer sends to Slack through `slack::Bot` (which adds an
        // incident's own channel): this is the plain message to the channel
        // named.
        Medium::SlackBot(s) => match &s.channel {
            Some(channel) => {
                let known = std::sync::Mutex::new(Default::default());
                let bot = super::slack::Bot {
                    agent,
                    destination,
                    slack: s,
                    known: &known,
                };
                bot.say(channel, message)
            }
            None => Ok(()),
        },
        Medium::Email(e) => email(e, message),
        Medium::Command { run, timeout } => command(&destination.name, run, *timeout, extra),
        // Written from the record by the deliverer, not sent per message.
        Medium::StatusPage(_) => Ok(()),
    }
}

/// `sha256=` and the hex HMAC-SHA256 of `body` under `key`, as GitHub and
/// Stripe sign what they send.
pub fn sign(key: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    format!(
        "sha256={}",
        digest.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// The client every send of a deliverer shares.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(REQUEST_TIMEOUT))
        .http_status_as_error(false)
        .user_agent(concat!("incident/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

fn secret(s: &Secret) -> Result<String, Failure> {
    // A missing secret is fixed by a person: parked until retried.
    s.read().map_err(|reason| Failure::Permanent { reason })
}

fn internal(e: impl std::fmt::Display) -> Failure {
    Failure::Permanent {
        reason: e.to_string(),
    }
}

fn post(agent: &ureq::Agent, url: &str, body: &[u8], headers: &[(&str, String)]) -> Result<(), Failure> {
    let mut request = agent.post(url).header("Content-Type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    answered(request.send(body))
}

/// What an HTTP exchange came to.
fn answered(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<(), Failure> {
    let mut response = result.map_err(|e| Failure::Transient {
        reason: e.to_string(),
        retry_after: None,
    })?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(());
    }
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(retry_after);
    let said = response
        .body_mut()
        .with_config()
        .limit(REASON_BYTES)
        .read_to_string()
        .unwrap_or_default();
    Err(Failure::of_status(
        status,
        retry_after,
        &crate::text::one_line(&said),
    ))
}

/// `Retry-After`: seconds, or an HTTP date.
fn retry_after(value: &str) -> Option<Duration> {
    if let Ok(seconds) = value.trim().parse::<i64>() {
        return Some(Duration::seconds(seconds.clamp(0, 86_400)));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value.trim()).ok()?;
    Some((at.with_timezone(&chrono::Utc) - chrono::Utc::now()).max(Duration::zero()))
}

/// A message in a Matrix room, under the message's idempotency key as the
/// transaction id: sent twice, it is there once.
pub fn matrix_message(agent: &ureq::Agent, m: &Matrix, room: &str, message: &Message) -> Result<(), Failure> {
    let path = format!(
        "/_matrix/client/v3/rooms/{}/send/m.room.message/{}",
        encode(room),
        encode(&message.id)
    );
    matrix_put(agent, m, &path, &render::matrix(message)).map(|_| ())
}

/// A homeserver's answer that was not a success: what it means for the
/// delivery, and the HTTP status and Matrix `errcode` it came with (none
/// when the homeserver was not reached).
#[derive(Debug, Clone)]
pub struct MatrixError {
    pub status: Option<u16>,
    pub errcode: String,
    pub failure: Failure,
}

impl MatrixError {
    /// The homeserver answered that what was asked for is not there.
    pub fn not_found(&self) -> bool {
        self.status == Some(404)
    }
}

impl From<MatrixError> for Failure {
    fn from(e: MatrixError) -> Failure {
        e.failure
    }
}

/// A request to the homeserver's client API (`path` from `/_matrix`),
/// with the destination's token; returns its answer.
pub fn matrix_call(
    agent: &ureq::Agent,
    m: &Matrix,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<Value, MatrixError> {
    let unreached = |failure: Failure| MatrixError {
        status: None,
        errcode: String::new(),
        failure,
    };
    let token = secret(&m.token).map_err(unreached)?;
    let url = format!("{}{path}", m.homeserver);
    let auth = format!("Bearer {token}");
    let result = match (method, body) {
        ("GET", _) => agent.get(&url).header("Authorization", &auth).call(),
        (_, body) => {
            let body = serde_json::to_vec(body.unwrap_or(&Value::Object(Default::default())))
                .map_err(|e| unreached(internal(e)))?;
            let request = match method {
                "PUT" => agent.put(&url),
                _ => agent.post(&url),
            };
            request
                .header("Authorization", &auth)
                .header("Content-Type", "application/json")
                .send(&body[..])
        }
    };
    json_answer(result)
}

/// A PUT to the homeserver's client API; returns its answer.
pub fn matrix_put(agent: &ureq::Agent, m: &Matrix, path: &str, body: &Value) -> Result<Value, Failure> {
    Ok(matrix_call(agent, m, "PUT", path, Some(body))?)
}

fn json_answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Value, MatrixError> {
    let mut response = result.map_err(|e| MatrixError {
        status: None,
        errcode: String::new(),
        failure: Failure::Transient {
            reason: e.to_string(),
            retry_after: None,
        },
    })?;
    let status = response.status().as_u16();
    let unreadable = |e: &dyn std::fmt::Display| MatrixError {
        status: Some(status),
        errcode: String::new(),
        failure: Failure::Transient {
            reason: format!("the homeserver's answer does not read: {e}"),
            retry_after: None,
        },
    };
    if (200..300).contains(&status) {
        let text = response
            .body_mut()
            .with_config()
            .limit(16 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| unreadable(&e))?;
        return serde_json::from_str(&text).map_err(|e| unreadable(&e));
    }
    let said: Value = response
        .body_mut()
        .with_config()
        .limit(REASON_BYTES)
        .read_to_string()
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    // Matrix says how long to wait in its body.
    let retry_after = said["retry_after_ms"]
        .as_i64()
        .map(Duration::milliseconds)
        .or_else(|| {
            response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(retry_after)
        });
    let errcode = said["errcode"].as_str().unwrap_or_default().to_string();
    let why = [said["errcode"].as_str(), said["error"].as_str()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(": ");
    Err(MatrixError {
        status: Some(status),
        errcode,
        failure: Failure::of_status(status, retry_after, &crate::text::one_line(&why)),
    })
}

/// Percent-encodes a path segment (room ids hold `!` and `:`, aliases `#`).
pub fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A message id's left part (RFC 5322 §3.6.4: `dot-atom-text`): the
/// idempotency key, with what a destination's name may hold beyond
/// `atext` (`(`, `<`, `@`, letters beyond ASCII, …) as `%XX`, so the
/// header stays valid and the key can still be told apart.
pub fn atext(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' => out.push(b as char),
            b'!' | b'#' | b'$' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'/' | b'=' | b'?' | b'^' | b'_'
            | b'`' | b'{' | b'|' | b'}' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    // Dots may only separate atoms: none first, last or doubled.
    out.split('.')
        .map(|atom| if atom.is_empty() { "%2E" } else { atom })
        .collect::<Vec<_>>()
        .join(".")
}

fn email(e: &Email, message: &Message) -> Result<(), Failure> {
    use lettre::message::header::{ContentType, MIME_VERSION_1_0};
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls as SmtpTls, TlsParameters};
    use lettre::{SmtpTransport, Transport};
    let (subject, body) = render::email(message);
    let bad = |what: &str, e: &dyn std::fmt::Display| Failure::Permanent {
        reason: format!("{what}: {e}"),
    };
    let mut mail = lettre::Message::builder()
        .from(e.from.parse().map_err(|err| bad("`from`", &err))?)
        .subject(subject)
        // RFC 2045 §4: a message with MIME headers says so.
        .header(MIME_VERSION_1_0)
        .header(ContentType::TEXT_PLAIN)
        // The same event is the same mail: a repeat can be told by its id.
        .message_id(Some(format!("<{}@incident>", atext(&message.id))));
    for to in &e.to {
        mail = mail.to(to.parse().map_err(|err| bad("`to`", &err))?);
    }
    let mail = mail.body(body).map_err(|err| bad("the mail", &err))?;
    let (host, port) = e.server.rsplit_once(':').unwrap_or((&e.server, "25"));
    let port: u16 = port.parse().unwrap_or(25);
    let tls = || -> Result<TlsParameters, Failure> {
        let mut params = TlsParameters::builder(host.to_string());
        if let Some(ca) = &e.ca {
            // A private CA: trusted alone, as `sslrootcert` is for PostgreSQL.
            let pem = std::fs::read(ca).map_err(|err| Failure::Permanent {
                reason: format!("cannot read `ca` {}: {err}", ca.display()),
            })?;
            let cert = Certificate::from_pem(&pem).map_err(|_| Failure::Permanent {
                reason: format!(
                    "`ca` {} holds no certificate; give the PEM file of the CA that signed the server's certificate",
                    ca.display()
                ),
            })?;
            params = params
                .certificate_store(CertificateStore::None)
                .add_root_certificate(cert);
        }
        params.build_rustls().map_err(|err| bad("TLS", &err))
    };
    let protection = match e.tls {
        // Required: a server that does not offer STARTTLS gets nothing.
        Tls::StartTls => SmtpTls::Required(tls()?),
        Tls::Tls => SmtpTls::Wrapper(tls()?),
        Tls::None => SmtpTls::None,
    };
    let mut builder = SmtpTransport::builder_dangerous(host)
        .port(port)
        .tls(protection)
        .timeout(Some(REQUEST_TIMEOUT));
    if let Some(user) = &e.username {
        let password = match &e.password {
            Some(p) => secret(p)?,
            None => String::new(),
        };
        builder = builder.credentials(Credentials::new(user.clone(), password));
    }
    builder
        .build()
        .send(&mail)
        .map(|_| ())
        .map_err(|err| smtp_failure(e, &err))
}

/// What an SMTP error means, said so a person knows what to change.
fn smtp_failure(e: &Email, err: &lettre::transport::smtp::Error) -> Failure {
    let said = crate::text::one_line(&err.to_string()).into_owned();
    let server = &e.server;
    let reason = if said.contains("STARTTLS is not supported") {
        format!(
            "{server} does not offer STARTTLS, so nothing was sent in clear; if it takes TLS from the first byte (port 465) set tls = \"tls\", and tls = \"none\" only for a relay on this host"
        )
    } else if said.contains("No compatible authentication mechanism") {
        format!(
            "{server} offers no login this client can use (AUTH PLAIN or LOGIN) on this connection; check `username`, and `tls` (many servers offer login only after STARTTLS)"
        )
    } else if err.is_tls() || said.contains("certificate") || said.contains("InvalidCertificate") {
        format!(
            "TLS with {server} failed: {said}; if its certificate comes from a private CA, name that CA's PEM file in `ca`"
        )
    } else if let Some(code) = err.status() {
        // The server's own words follow lettre's "permanent error (535): ".
        let words = said.split_once("): ").map_or(said.as_str(), |(_, w)| w);
        match code.to_string().as_str() {
            "530" | "534" | "535" => {
                format!("{server} refused the login: {code} {words}; check `username` and `password`")
            }
            _ => format!("{server} answered {code} {words}"),
        }
    } else {
        format!("{server}: {said}")
    };
    match err.is_permanent() {
        // 5xx: the server refused (a bad login, an address it will not
        // take); a person must fix it.
        true => Failure::Permanent { reason },
        // Down, busy, 4xx, or TLS that failed (perhaps on the way):
        // tried again later, with nothing sent in clear.
        false => Failure::Transient {
            reason,
            retry_after: None,
        },
    }
}

/// Runs a `command` destination as a hook runs: the document on stdin.
fn command(name: &str, run: &str, timeout: StdDuration, extra: &Extra<'_>) -> Result<(), Failure> {
    let hook = crate::hooks::Hook {
        name: Some(name.to_string()),
        on: crate::hooks::On::All,
        run: run.to_string(),
        timeout,
    };
    // The deliverer stops between sends: a signal does not cut a command.
    let catch = crate::signals::Catch::new(&[]).map_err(|e| Failure::Transient {
        reason: e.to_string(),
        retry_after: None,
    })?;
    let transient = |reason: String| Failure::Transient {
        reason,
        retry_after: None,
    };
    match crate::hooks::run(&hook, extra.document, extra.env, &catch) {
        crate::hooks::Outcome::Succeeded => Ok(()),
        crate::hooks::Outcome::Failed(status) => Err(transient(format!("the command exited with {status}"))),
        crate::hooks::Outcome::TimedOut(t) => Err(transient(format!(
            "the command ran past its timeout of {}",
            crate::hooks::humantime(t)
        ))),
        crate::hooks::Outcome::CouldNotStart(e) => {
            Err(transient(format!("the command could not start: {e}")))
        }
        crate::hooks::Outcome::Interrupted(n) => {
            Err(transient(format!("the command was interrupted by signal {n}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_the_hmac_sha256_of_the_body_in_hex() {
        // RFC 4231, test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn retry_after_takes_seconds_or_a_date_and_room_ids_are_encoded() {
        assert_eq!(retry_after("120"), Some(Duration::seconds(120)));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::zero())
        );
        assert_eq!(retry_after("soon"), None);
        assert_eq!(encode("!abc:example.org"), "%21abc%3Aexample.org");
    }

    #[test]
    fn a_message_id_holds_the_key_as_dot_atom_text() {
        assert_eq!(atext("ops.7.1795420800"), "ops.7.1795420800");
        // RFC 5322 atext keeps these; what it does not is written %XX.
        assert_eq!(atext("a!#$&'*+-/=?^_`{|}~.1"), "a!#$&'*+-/=?^_`{|}~.1");
        assert_eq!(atext("stake(holders)@x.7.1"), "stake%28holders%29%40x.7.1");
        assert_eq!(atext("équipe.7.1"), "%C3%A9quipe.7.1");
        // No empty atom: a dot first, last or doubled is written too.
        assert_eq!(atext(".a..b."), "%2E.a.%2E.b.%2E");
    }
}
