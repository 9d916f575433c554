//! What `serve` answers over HTTP: the routes, what the headers must show
//! (a loopback `Host`, no foreign `Origin`, the token, JSON, a length that
//! fits) before a byte of the body is read, and the answers.

use super::log::{self, Did};
use super::writer::Job;
use super::{REQUEST_TIMEOUT, Shared};
use crate::intake::{self, Format, MAX_BODY, Outcome};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// How long `/readyz` waits for the writer's answer.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// How many bytes of request bodies are held at once, read or being read,
/// until their answers: a flood of large bodies waits for room here
/// instead of filling memory.
pub(super) const BODY_BUDGET: usize = 32 * MAX_BODY;

pub(super) fn router(shared: Arc<Shared>) -> Router {
    let post_as = |format: Format| {
        post(move |State(s): State<Arc<Shared>>, request: Request| async move {
            receive(&s, format, request).await
        })
    };
    Router::new()
        .route(
            "/healthz",
            get(|State(s): State<Arc<Shared>>, headers: HeaderMap| async move {
                match cross_site(&s, &headers) {
                    Some(refusal) => refusal,
                    None => "ok\n".into_response(),
                }
            }),
        )
        .route(
            "/readyz",
            get(|State(s): State<Arc<Shared>>, headers: HeaderMap| async move {
                match cross_site(&s, &headers) {
                    Some(refusal) => refusal,
                    None => ready(&s).await,
                }
            }),
        )
        .route(
            "/metrics",
            get(
                |State(s): State<Arc<Shared>>, headers: HeaderMap| async move { metrics(&s, &headers).await },
            ),
        )
        .route("/alertmanager", post_as(Format::Alertmanager))
        .route("/grafana", post_as(Format::Grafana))
        .route("/pagerduty", post_as(Format::Pagerduty))
        .route("/v2/enqueue", post_as(Format::Pagerduty))
        .route("/generic", post_as(Format::Generic))
        .fallback(|| async {
            answer(
                StatusCode::NOT_FOUND,
                "no such endpoint; POST to /alertmanager, /grafana, /pagerduty or /generic, GET /metrics",
            )
        })
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        // Outermost: every request is logged, a timed out one too.
        .layer(axum::middleware::from_fn_with_state(shared.clone(), logged))
        .with_state(shared)
}

/// Logs the request's line on stderr once it is answered.
async fn logged(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let did = response.extensions().get::<Did>().cloned().unwrap_or_default();
    let line = log::line(
        shared.log,
        &method,
        &path,
        response.status(),
        &did,
        started.elapsed(),
    );
    crate::text::to_stderr(&line);
    response
}

fn answer(status: StatusCode, message: &str) -> Response {
    let state = if status.is_client_error() {
        "invalid"
    } else {
        "unavailable"
    };
    (
        status,
        axum::Json(serde_json::json!({ "status": state, "message": message })),
    )
        .into_response()
}

/// Whether the database answers, through the writer's own connection
/// (opened again if it was lost): 200 `ready`, or 503 with the reason.
async fn ready(shared: &Shared) -> Response {
    let (reply, answered) = oneshot::channel();
    let why = match shared.jobs.send(Job::Ping { reply }).await {
        Err(_) => "the server is stopping".to_string(),
        Ok(()) => match tokio::time::timeout(READY_TIMEOUT, answered).await {
            Ok(Ok(Ok(()))) => return (StatusCode::OK, "ready\n").into_response(),
            Ok(Ok(Err(why))) => why,
            Ok(Err(_)) => "the writer ended".to_string(),
            Err(_) => format!("the database did not answer within {}s", READY_TIMEOUT.as_secs()),
        },
    };
    unavailable(&why)
}

/// The metrics, in the format the scraper asks for, read on a connection
/// of their own (one scrape at a time) so that alerts are not held up.
/// They count incidents by service: the token is asked for as for alerts
/// (a scraper sends it with `authorization: credentials`).
async fn metrics(shared: &Shared, headers: &HeaderMap) -> Response {
    if let Some(refusal) = cross_site(shared, headers) {
        return refusal;
    }
    if !authorized(shared, headers) {
        return unauthorized();
    }
    let format =
        crate::domain::metrics::Format::accepted(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()));
    let Ok(_turn) = shared.scrapes.clone().acquire_owned().await else {
        return unavailable("the server is stopping");
    };
    let globals = shared.globals.clone();
    let gathered = tokio::task::spawn_blocking(move || -> anyhow::Result<String> {
        // The configuration as it is now (SIGHUP or not), the clock now.
        let ctx = crate::context::Ctx::new(globals)?;
        let store = ctx.open(crate::store::Access::Read)?;
        crate::metrics::gather(&*store, ctx.config()?, ctx.now, format)
    })
    .await;
    match gathered {
        Ok(Ok(text)) => ([(header::CONTENT_TYPE, format.content_type())], text).into_response(),
        Ok(Err(e)) => unavailable(&format!("{e:#}")),
        Err(_) => unavailable("the metrics could not be gathered"),
    }
}

/// 503 with `Retry-After`: the sender tries again later.
fn unavailable(why: &str) -> Response {
    let mut response = answer(StatusCode::SERVICE_UNAVAILABLE, why);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, "5".parse().expect("a header value"));
    response
}

/// Whether the request carries the configured token (or none is needed),
/// compared in constant time.
fn authorized(shared: &Shared, headers: &HeaderMap) -> bool {
    use subtle::ConstantTimeEq;
    let settings = shared.settings.read().unwrap_or_else(|e| e.into_inner());
    let Some(token) = &settings.token else {
        return true;
    };
    // `Bearer TOKEN`, the scheme in any case (RFC 9110, 11.1).
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once([' ', '\t']))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, credentials)| credentials.trim());
    bool::from(given.as_bytes().ct_eq(token.as_bytes()))
}

/// What the headers alone say against a request: a missing or wrong
/// token, a body that is not JSON or is too large. Checked before a byte
/// of the body is read.
fn refused(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    if let Some(refusal) = cross_site(shared, headers) {
        return Some(refusal);
    }
    if !authorized(shared, headers) {
        return Some(unauthorized());
    }
    if !is_json(headers) {
        return Some(answer(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the body must be JSON, sent with Content-Type: application/json",
        ));
    }
    if content_length(headers).is_some_and(|n| n > MAX_BODY) {
        return Some(too_large());
    }
    None
}

fn unauthorized() -> Response {
    let mut response = answer(
        StatusCode::UNAUTHORIZED,
        "missing or wrong bearer token (Authorization: Bearer TOKEN)",
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        "Bearer".parse().expect("a header value"),
    );
    response
}

/// What a web page in a browser could send, refused: a request naming an
/// `Origin` that is not allowed (webhook senders send none), and on
/// loopback a `Host` that is not a name of loopback (a page whose own name
/// was made to resolve to 127.0.0.1: DNS rebinding).
fn cross_site(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    if shared.local.ip().is_loopback() && !loopback_host(headers, shared.local.port()) {
        return Some(answer(
            StatusCode::FORBIDDEN,
            "the Host header names no loopback address; on loopback, send Host: 127.0.0.1, [::1] or localhost",
        ));
    }
    let origin = headers.get(header::ORIGIN)?;
    let settings = shared.settings.read().unwrap_or_else(|e| e.into_inner());
    let allowed = origin
        .to_str()
        .is_ok_and(|o| settings.origins.iter().any(|a| a == o.trim_end_matches('/')));
    (!allowed).then(|| {
        answer(
            StatusCode::FORBIDDEN,
            "requests from web pages (with an Origin header) are refused; allow the origin in [serve] allowed_origins",
        )
    })
}

/// Whether the `Host` header names loopback (`127.0.0.1`, `[::1]`,
/// `localhost`), on our port if it gives one.
fn loopback_host(headers: &HeaderMap, port: u16) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let (name, given) = match host.rsplit_once(':') {
        // `[::1]:9095`, `127.0.0.1:9095`, `localhost:9095`; not `[::1]`.
        Some((name, p)) if !p.ends_with(']') => (name, Some(p)),
        _ => (host, None),
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    let loopback = name.eq_ignore_ascii_case("localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    loopback && given.is_none_or(|p| p.parse() == Ok(port))
}

fn too_large() -> Response {
    answer(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("the body is larger than {MAX_BODY} bytes"),
    )
}

/// `Content-Type: application/json`, with parameters or none.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

fn content_length(headers: &HeaderMap) -> Option<usize> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// Reads the body, at most [`MAX_BODY`] bytes; `Err` is the answer.
async fn read_body(body: Body, expected: usize) -> Result<Vec<u8>, Response> {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::with_capacity(expected);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| answer(StatusCode::BAD_REQUEST, "the body could not be read"))?;
        if bytes.len() + chunk.len() > MAX_BODY {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

async fn receive(shared: &Shared, format: Format, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if let Some(refusal) = refused(shared, &parts.headers) {
        return refusal;
    }
    // Room for the whole body, held until it is answered; a body of no
    // stated length may be as large as any.
    let expected = content_length(&parts.headers).unwrap_or(MAX_BODY);
    let Ok(_room) = shared.bodies.acquire_many(expected.max(1) as u32).await else {
        return unavailable("the server is stopping; try again");
    };
    let body = match read_body(body, expected).await {
        Ok(bytes) => bytes,
        Err(refusal) => return refusal,
    };
    let body = &body[..];
    let payload = match intake::parse(format, body) {
        Ok(p) => p,
        Err(reason) => return answer(StatusCode::BAD_REQUEST, &reason),
    };
    let dedup_key = payload.dedup_key.clone();
    let (reply, answered) = oneshot::channel();
    if shared.jobs.send(Job::Alerts { payload, reply }).await.is_err() {
        return unavailable("the server is stopping; try again");
    }
    match answered.await {
        Ok(Ok(outcomes)) => {
            let did = did(shared, &outcomes);
            let mut response = success(format, outcomes, dedup_key);
            response.extensions_mut().insert(did);
            response
        }
        Ok(Err(why)) => unavailable(&why),
        Err(_) => unavailable("the request was not recorded; try again"),
    }
}

/// What the alerts did, for the log: how many, and which incidents they
/// opened and joined.
fn did(shared: &Shared, outcomes: &[Outcome]) -> Did {
    let prefix = shared
        .settings
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .key_prefix
        .clone();
    let keys = |what: &str| -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        for o in outcomes.iter().filter(|o| o.did == what) {
            if let Some(id) = o.incident {
                let key = crate::domain::key::format(&prefix, id);
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        keys
    };
    Did {
        alerts: outcomes.len(),
        opened: keys("opened"),
        joined: keys("attached"),
    }
}

/// The 2xx answer: as PagerDuty answers an enqueue, or the outcomes.
fn success(format: Format, outcomes: Vec<Outcome>, dedup_key: Option<String>) -> Response {
    match format {
        Format::Pagerduty => (
            StatusCode::ACCEPTED,
            axum::Json(serde_json::json!({
                "status": "success",
                "message": "Event processed",
                "dedup_key": dedup_key,
            })),
        )
            .into_response(),
        _ => (
            StatusCode::OK,
            axum::Json(serde_json::json!({ "status": "success", "alerts": outcomes })),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, value.parse().unwrap());
        headers
    }

    #[test]
    fn on_loopback_the_host_must_name_loopback_on_our_port() {
        for ok in [
            "127.0.0.1:9095",
            "localhost:9095",
            "LOCALHOST",
            "[::1]:9095",
            "[::1]",
            "127.1.2.3",
        ] {
            assert!(loopback_host(&host(ok), 9095), "{ok}");
        }
        for refused in [
            "evil.example:9095",
            "evil.example",
            "127.0.0.1:80",
            "localhost.evil.example:9095",
            "10.0.0.1:9095",
            "::1",
            "",
        ] {
            assert!(!loopback_host(&host(refused), 9095), "{refused}");
        }
        assert!(!loopback_host(&HeaderMap::new(), 9095), "no Host at all");
    }
}
