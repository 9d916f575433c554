//! `incident serve`: receive alert webhooks over HTTP.
//!
//! Requests are read and parsed on a small async runtime (axum on hyper);
//! the database work runs on one writer thread with its own connection,
//! which takes the requests waiting in line together in one transaction.
//! A request is answered 2xx only after the transaction holding its alerts
//! committed, so a sender's retries cover every failure.

use crate::context::Ctx;
use crate::error::usage;
use crate::intake::{self, Format, MAX_BODY, Outcome, Payload, Routing};
use crate::store::{Access, Lost, Store};
use anyhow::{Context, Result};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clap::Args;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc, oneshot};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where to listen: loopback unless a bearer token is configured
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9095")]
    pub listen: String,
}

/// How long a sender may take to send its request headers, and its whole
/// request: a slow sender is cut off rather than holding a connection.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a stop (SIGTERM) waits for requests in flight.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);
/// The most requests stored in one transaction.
const BATCH: usize = 256;

/// What the writer is asked to do.
enum Job {
    /// Store one request's alerts, and answer where its reply goes.
    Alerts {
        payload: Payload,
        reply: oneshot::Sender<Result<Vec<Outcome>, String>>,
    },
    /// Say whether the database answers (`/readyz`).
    Ping {
        reply: oneshot::Sender<Result<(), String>>,
    },
}

/// How long `/readyz` waits for the writer's answer.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// How many bytes of request bodies are held at once, read or being read,
/// until their answers: a flood of large bodies waits for room here
/// instead of filling memory.
const BODY_BUDGET: usize = 32 * MAX_BODY;

struct Shared {
    jobs: mpsc::Sender<Job>,
    /// Who may send what (from the configuration, reloaded on SIGHUP).
    gate: std::sync::RwLock<Gate>,
    /// The address listened on; on loopback, the only names a `Host`
    /// header may give.
    local: SocketAddr,
    /// Room for bodies, in bytes ([`BODY_BUDGET`]).
    bodies: Arc<Semaphore>,
}

/// What a request must show in its headers.
#[derive(Debug, Clone, PartialEq)]
struct Gate {
    /// The bearer token, if one is required.
    token: Option<String>,
    /// The `Origin`s allowed; any other request with an `Origin` (a
    /// browser's) is refused.
    origins: Vec<String>,
}

/// The shortest token taken, from any source (the configuration's own
/// check says the same).
const MIN_TOKEN: usize = 16;

impl Gate {
    /// The gate the configuration and `INCIDENT_SERVE_TOKEN` set; a token
    /// from the environment is held to the configuration's minimum.
    fn of(config: &crate::config::Config) -> Result<Gate> {
        let from_env = std::env::var("INCIDENT_SERVE_TOKEN")
            .ok()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        if from_env.as_ref().is_some_and(|t| t.chars().count() < MIN_TOKEN) {
            return Err(usage(format!(
                "INCIDENT_SERVE_TOKEN is shorter than {MIN_TOKEN} characters; use a long random one, \
                 e.g. from `openssl rand -hex 32`"
            )));
        }
        Ok(Gate {
            token: from_env.or_else(|| config.serve.token.clone()),
            origins: config.serve.allowed_origins.clone(),
        })
    }
}

pub fn run(ctx: &Ctx, args: ServeArgs) -> Result<()> {
    let config = ctx.config()?;
    let gate = Gate::of(config)?;
    let addr = listen_address(&args.listen)?;
    if !addr.ip().is_loopback() && gate.token.is_none() {
        return Err(usage(format!(
            "refusing to listen on {addr} without a bearer token; set [serve] token in {} \
             or INCIDENT_SERVE_TOKEN, or listen on 127.0.0.1",
            config.describe_source()
        )));
    }
    give_memory_back();
    // SIGTERM belongs to the server's drain, even while a hook runs.
    crate::hooks::leave_signals_alone();
    // Hooks run on a thread of their own, after the answers went out.
    let (hooks_tx, hooks_rx) = std::sync::mpsc::sync_channel::<HookJob>(HOOK_QUEUE);
    let stopping = Arc::new(std::sync::OnceLock::new());
    let globals = ctx.globals.clone();
    let until = stopping.clone();
    let hook_runner = std::thread::Builder::new()
        .name("incident-hooks".into())
        .spawn(move || hook_loop(globals, hooks_rx, until))
        .context("cannot start the hooks' thread")?;
    // The writer opens the database first: a bad path fails here, at once.
    let (jobs, queue) = mpsc::channel::<Job>(4 * BATCH);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<()>>();
    let globals = ctx.globals.clone();
    let writer = std::thread::Builder::new()
        .name("incident-writer".into())
        .spawn(move || write_loop(globals, queue, ready_tx, hooks_tx))
        .context("cannot start the writer thread")?;
    ready_rx
        .recv()
        .context("the writer thread ended before opening the database")??;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the HTTP runtime")?;
    let listener = {
        let _inside = runtime.enter();
        listen(addr).with_context(|| format!("cannot listen on {addr}"))?
    };
    let shared = Arc::new(Shared {
        jobs,
        gate: std::sync::RwLock::new(gate),
        local: listener.local_addr()?,
        bodies: Arc::new(Semaphore::new(BODY_BUDGET)),
    });
    let served = runtime.block_on(serve(ctx, listener, shared, config.serve.max_connections));
    // The server has stopped and dropped its sender: the writer finishes
    // what is queued and ends, and the hooks waiting run, for a while.
    runtime.shutdown_timeout(Duration::from_secs(1));
    let _ = writer.join();
    let _ = stopping.set(std::time::Instant::now() + DRAIN_TIMEOUT);
    let _ = hook_runner.join();
    served
}

/// A server that runs all year gives back what a burst took. glibc's
/// allocator raises its thresholds after large blocks are freed, and then
/// keeps what a flood of bodies took for good; fixed thresholds keep
/// blocks of a body's size mapped apart (unmapped when freed), and free
/// memory at the top of a heap returned beyond a megabyte.
fn give_memory_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets the allocator's parameters; called before
    // any other thread of ours exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1024 * 1024);
    }
}

/// Every few seconds after connections were served, hands the free pages
/// the allocator holds back to the system: what a flood took does not
/// stay taken.
async fn trim_now_and_then(served: Arc<std::sync::atomic::AtomicBool>) {
    let mut every = tokio::time::interval(TRIM_EVERY);
    loop {
        every.tick().await;
        if served.swap(false, std::sync::atomic::Ordering::Relaxed) {
            #[cfg(all(target_os = "linux", target_env = "gnu"))]
            // SAFETY: malloc_trim only releases free memory.
            unsafe {
                libc::malloc_trim(0);
            }
        }
    }
}

const TRIM_EVERY: Duration = Duration::from_secs(2);

fn listen_address(text: &str) -> Result<SocketAddr> {
    text.to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| {
            usage(format!(
                "--listen '{}' is not an address to listen on; give HOST:PORT, e.g. 127.0.0.1:9095",
                crate::text::one_line(text)
            ))
        })
}

/// Accepts at most `slots` connections at once: while that many are
/// open, the next ones wait in the listen queue (each connection's
/// headers must come within [`HEADER_TIMEOUT`], so a slot held by a
/// silent sender is soon free again).
async fn serve(
    ctx: &Ctx,
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    slots: usize,
) -> Result<()> {
    let local = shared.local;
    ctx.say(format!("incident serve: listening on http://{local}"));
    let app = router(shared);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(slots));
    let served = Arc::new(std::sync::atomic::AtomicBool::new(false));
    tokio::spawn(trim_now_and_then(served.clone()));
    let mut stop = std::pin::pin!(stop_signal());
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors, most likely: give it a moment.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let service = TowerToHyperService::new(app.clone());
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT);
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        let served = served.clone();
        tokio::spawn(async move {
            let _ = conn.await;
            drop(slot);
            served.store(true, std::sync::atomic::Ordering::Relaxed);
        });
    }
    drop(listener);
    ctx.say("incident serve: stopping; finishing the requests in flight");
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        ctx.warn(format!(
            "some requests were still open after {}s; their senders will retry",
            DRAIN_TIMEOUT.as_secs()
        ));
    }
    Ok(())
}

/// How many connections may wait to be accepted (the kernel may allow
/// fewer: `net.core.somaxconn`).
const LISTEN_QUEUE: u32 = 1024;

fn listen(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_QUEUE)
}

/// SIGTERM (a service manager's stop) or SIGINT (Ctrl-C).
async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).ok();
    let term = async {
        match term.as_mut() {
            Some(s) => {
                s.recv().await;
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        () = term => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

fn router(shared: Arc<Shared>) -> Router {
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
        .route("/alertmanager", post_as(Format::Alertmanager))
        .route("/grafana", post_as(Format::Grafana))
        .route("/pagerduty", post_as(Format::Pagerduty))
        .route("/v2/enqueue", post_as(Format::Pagerduty))
        .route("/generic", post_as(Format::Generic))
        .fallback(|| async {
            answer(
                StatusCode::NOT_FOUND,
                "no such endpoint; POST to /alertmanager, /grafana, /pagerduty or /generic",
            )
        })
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .with_state(shared)
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
    let gate = shared.gate.read().unwrap_or_else(|e| e.into_inner());
    let Some(token) = &gate.token else {
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
        let mut response = answer(
            StatusCode::UNAUTHORIZED,
            "missing or wrong bearer token (Authorization: Bearer TOKEN)",
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            "Bearer".parse().expect("a header value"),
        );
        return Some(response);
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
    let gate = shared.gate.read().unwrap_or_else(|e| e.into_inner());
    let allowed = origin
        .to_str()
        .is_ok_and(|o| gate.origins.iter().any(|a| a == o.trim_end_matches('/')));
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
        Ok(Ok(outcomes)) => match format {
            // As PagerDuty answers an enqueue.
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
        },
        Ok(Err(why)) => unavailable(&why),
        Err(_) => unavailable("the request was not recorded; try again"),
    }
}

/// The writer's connection, opened again when it is lost: at once the
/// first time, then no more often than the backoff allows (doubling from
/// [`BACKOFF_FIRST`] to [`BACKOFF_MOST`]), so a server that is down is not
/// hammered, and a request after it is back waits at most that long.
struct Link {
    store: Option<Store>,
    access: Access,
    /// Where it is, for messages (never with a password).
    location: String,
    backoff: Duration,
    next_try: std::time::Instant,
    /// It was connected once: connecting again is worth saying.
    was_connected: bool,
}

const BACKOFF_FIRST: Duration = Duration::from_millis(250);
const BACKOFF_MOST: Duration = Duration::from_secs(2);

impl Link {
    fn new(store: Store, access: Access) -> Link {
        Link {
            location: store.location().to_string(),
            store: Some(store),
            access,
            backoff: BACKOFF_FIRST,
            next_try: std::time::Instant::now(),
            was_connected: true,
        }
    }

    /// A link that connects when first used.
    fn later(ctx: &Ctx, access: Access) -> Result<Link> {
        Ok(Link {
            location: ctx.location()?.to_string(),
            store: None,
            access,
            backoff: BACKOFF_FIRST,
            next_try: std::time::Instant::now(),
            was_connected: false,
        })
    }

    /// The open database, connecting again if it was lost.
    fn get(&mut self, ctx: &Ctx) -> Result<&mut Store> {
        if self.store.is_none() {
            std::thread::sleep(self.next_try.saturating_duration_since(std::time::Instant::now()));
            match ctx.open(self.access) {
                Ok(store) => {
                    if std::mem::replace(&mut self.was_connected, true) {
                        ctx.say(format!("incident serve: connected to {} again", self.location));
                    }
                    self.store = Some(store);
                    self.backoff = BACKOFF_FIRST;
                }
                Err(e) => {
                    self.next_try = std::time::Instant::now() + self.backoff;
                    self.backoff = (self.backoff * 2).min(BACKOFF_MOST);
                    return Err(e);
                }
            }
        }
        Ok(self.store.as_mut().expect("opened above"))
    }

    /// The connection is gone: the next [`Link::get`] opens another.
    fn lost(&mut self, ctx: &Ctx, e: &anyhow::Error) {
        if self.store.take().is_some() {
            ctx.warn(format!("{e:#}; connecting again"));
        }
        self.next_try = std::time::Instant::now();
    }

    /// Runs `f` on the database; if the connection turns out to be gone
    /// before anything was committed, connects again and runs it once
    /// more (so the first request after a server restart succeeds). A
    /// server that stopped answering is not asked again at once.
    fn with<T>(&mut self, ctx: &Ctx, mut f: impl FnMut(&mut Store) -> Result<T>) -> Result<T> {
        let mut again = true;
        loop {
            let store = self.get(ctx)?;
            match f(store) {
                Ok(value) => return Ok(value),
                Err(e) => match Lost::of(&e) {
                    Some(lost) => {
                        let retry = again && !lost.in_doubt && !lost.timed_out;
                        self.lost(ctx, &e);
                        if !retry {
                            return Err(e);
                        }
                        again = false;
                    }
                    None => return Err(e),
                },
            }
        }
    }
}

/// The writer: its own context and connection; each turn takes what is
/// waiting (up to [`BATCH`] requests), stores it in one transaction,
/// answers, and hands what it recorded to the hooks' thread.
fn write_loop(
    globals: crate::cli::GlobalArgs,
    mut queue: mpsc::Receiver<Job>,
    ready: std::sync::mpsc::Sender<Result<()>>,
    hooks: std::sync::mpsc::SyncSender<HookJob>,
) {
    let opened = (|| -> Result<(Ctx, Store)> {
        let ctx = Ctx::new(globals)?;
        ctx.actor()?;
        ctx.config()?;
        let store = ctx.open(Access::Write)?;
        Ok((ctx, store))
    })();
    let (mut ctx, mut link) = match opened {
        Ok((ctx, store)) => {
            let _ = ready.send(Ok(()));
            (ctx, Link::new(store, Access::Write))
        }
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    // Read once: a broken plans folder must not stop alerts from being
    // recorded, so it is said once and the incidents open without a plan.
    let plans = match ctx.config().map(crate::playbooks::load) {
        Ok(Ok(plans)) => plans,
        Ok(Err(e)) | Err(e) => {
            ctx.warn(format!("no playbook can be attached: {e:#}"));
            Vec::new()
        }
    };
    // A job taken while a batch was gathered, that is not part of it.
    let mut held: Option<Job> = None;
    loop {
        let first = match held.take() {
            Some(job) => job,
            None => match queue.blocking_recv() {
                Some(job) => job,
                None => break,
            },
        };
        let (payload, reply) = match first {
            Job::Ping { reply } => {
                let answered = link.with(&ctx, |store| {
                    store.refresh()?;
                    store.batch(&[crate::store::Read::Newest]).map(|_| ())
                });
                let _ = reply.send(answered.map_err(|e| format!("{e:#}")));
                continue;
            }
            Job::Alerts { payload, reply } => (payload, reply),
        };
        let mut batch = vec![(payload, reply)];
        while batch.len() < BATCH {
            match queue.try_recv() {
                Ok(Job::Alerts { payload, reply }) => batch.push((payload, reply)),
                Ok(other) => {
                    held = Some(other);
                    break;
                }
                Err(_) => break,
            }
        }
        let result = (|| -> Result<Vec<Vec<Outcome>>> {
            ctx.tick()?;
            let config = ctx.config()?;
            let routing = Routing {
                rules: &config.alert_rules,
                default_severity: &config.default_severity,
                plans: &plans,
                changes_window: config.changes_window,
            };
            let committed = link.with(&ctx, |store| {
                ctx.commit_to(store, |tx| {
                    let now = tx.now();
                    batch
                        .iter()
                        .map(|(payload, _)| {
                            payload
                                .signals
                                .iter()
                                .map(|s| intake::record(tx, s, &routing, now))
                                .collect::<Result<Vec<_>>>()
                        })
                        .collect::<Result<Vec<_>>>()
                })
            })?;
            hand_to_hooks(&ctx, &hooks, committed.events);
            Ok(committed.value)
        })();
        match result {
            Ok(outcomes) => {
                for ((_, reply), outcome) in batch.into_iter().zip(outcomes) {
                    let _ = reply.send(Ok(outcome));
                }
            }
            Err(e) => {
                let why = format!("{e:#}");
                ctx.warn(format!("alerts not recorded (their senders will retry): {why}"));
                for (_, reply) in batch {
                    let _ = reply.send(Err(why.clone()));
                }
            }
        }
    }
}

/// One commit's events, for the hooks, with the configuration's hooks as
/// they were when it was made.
struct HookJob {
    events: Vec<crate::domain::Event>,
    hooks: Vec<crate::hooks::Hook>,
    key_prefix: String,
    source: Option<std::path::PathBuf>,
}

/// How many commits' hooks may wait to run; those of a commit beyond that
/// are not run (and it is said).
const HOOK_QUEUE: usize = 1024;

/// Hands a commit's events to the hooks' thread, never waiting: a queue
/// that is full drops them, with a warning.
fn hand_to_hooks(ctx: &Ctx, hooks: &std::sync::mpsc::SyncSender<HookJob>, events: Vec<crate::domain::Event>) {
    let Ok(config) = ctx.config() else { return };
    if ctx.globals.no_hooks
        || !events
            .iter()
            .any(|e| crate::hooks::matching(&config.hooks, e.kind()).next().is_some())
    {
        return;
    }
    let count = events.len();
    let job = HookJob {
        events,
        hooks: config.hooks.clone(),
        key_prefix: config.key_prefix.clone(),
        source: config.source.clone(),
    };
    if let Err(std::sync::mpsc::TrySendError::Full(_)) = hooks.try_send(job) {
        ctx.warn(format!(
            "hooks for {count} events not run: the hooks of {HOOK_QUEUE} commits are waiting already; the events are recorded"
        ));
    }
}

/// The hooks' thread: runs each commit's hooks in turn (one hook at a time,
/// in the order the events were recorded), on a connection of its own that
/// reads the incidents as they stand then. Once the server stops, what is
/// still waiting runs until the time in `until`; the rest is said.
fn hook_loop(
    globals: crate::cli::GlobalArgs,
    jobs: std::sync::mpsc::Receiver<HookJob>,
    until: Arc<std::sync::OnceLock<std::time::Instant>>,
) {
    let Ok(ctx) = Ctx::new(globals) else { return };
    let (Ok(actor), Ok(mut link)) = (ctx.actor(), Link::later(&ctx, Access::Read)) else {
        return;
    };
    let mut skipped = 0;
    for job in jobs {
        if until.get().is_some_and(|by| std::time::Instant::now() > *by) {
            skipped += job.events.len();
            continue;
        }
        let ran = link.with(&ctx, |store| {
            // A connection that was lost is found here, before any hook runs.
            store.refresh()?;
            store.batch(&[crate::store::Read::Newest])?;
            crate::hooks::after_commit(
                &job.key_prefix,
                job.source.as_deref(),
                store,
                &job.hooks,
                &actor,
                &job.events,
            )
        });
        if let Err(e) = ran {
            ctx.warn(format!(
                "hooks for {} events did not run: {e:#}; the events are recorded",
                job.events.len()
            ));
        }
    }
    if skipped > 0 {
        ctx.warn(format!(
            "hooks for {skipped} events not run: the server stopped; the events are recorded"
        ));
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
