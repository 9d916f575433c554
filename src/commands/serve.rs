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
use crate::store::{Access, Store};
use anyhow::{Context, Result};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
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
use tokio::sync::{mpsc, oneshot};

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident serve                                  # on 127.0.0.1:9095, for Alertmanager on this host
  INCIDENT_SERVE_TOKEN=\"$(cat /etc/incident/token)\" incident serve --listen 0.0.0.0:9095")]
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

/// One request's alerts on their way to the writer, and where its answer goes.
struct Job {
    payload: Payload,
    reply: oneshot::Sender<Result<Vec<Outcome>, String>>,
}

struct Shared {
    jobs: mpsc::Sender<Job>,
    token: Option<String>,
}

pub fn run(ctx: &Ctx, args: ServeArgs) -> Result<()> {
    let config = ctx.config()?;
    let token = std::env::var("INCIDENT_SERVE_TOKEN")
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .or_else(|| config.serve_token.clone());
    let addr = listen_address(&args.listen)?;
    if !addr.ip().is_loopback() && token.is_none() {
        return Err(usage(format!(
            "refusing to listen on {addr} without a bearer token; set [serve] token in {} \
             or INCIDENT_SERVE_TOKEN, or listen on 127.0.0.1",
            config.describe_source()
        )));
    }
    // SIGTERM belongs to the server's drain, even while a hook runs.
    crate::hooks::leave_signals_alone();
    // The writer opens the database first: a bad path fails here, at once.
    let (jobs, queue) = mpsc::channel::<Job>(4 * BATCH);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<()>>();
    let globals = ctx.globals.clone();
    let writer = std::thread::Builder::new()
        .name("incident-writer".into())
        .spawn(move || write_loop(globals, queue, ready_tx))
        .context("cannot start the writer thread")?;
    ready_rx
        .recv()
        .context("the writer thread ended before opening the database")??;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the HTTP runtime")?;
    let shared = Arc::new(Shared { jobs, token });
    let served = runtime.block_on(serve(ctx, addr, shared));
    // The server has stopped and dropped its sender: the writer finishes
    // what is queued and ends.
    runtime.shutdown_timeout(Duration::from_secs(1));
    let _ = writer.join();
    served
}

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

async fn serve(ctx: &Ctx, addr: SocketAddr, shared: Arc<Shared>) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    ctx.say(format!("incident serve: listening on http://{local}"));
    let app = router(shared);
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop_signal());
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let service = TowerToHyperService::new(app.clone());
                let mut builder = hyper::server::conn::http1::Builder::new();
                builder.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
                let conn = builder.serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            () = &mut stop => break,
        }
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
        post(
            move |State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes| async move {
                receive(&s, format, &headers, &body).await
            },
        )
    };
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
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
        .layer(DefaultBodyLimit::max(MAX_BODY))
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

/// Whether the request carries the configured token (or none is needed),
/// compared in constant time.
fn authorized(shared: &Shared, headers: &HeaderMap) -> bool {
    use subtle::ConstantTimeEq;
    let Some(token) = &shared.token else {
        return true;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    bool::from(given.as_bytes().ct_eq(token.as_bytes()))
}

async fn receive(shared: &Shared, format: Format, headers: &HeaderMap, body: &[u8]) -> Response {
    if !authorized(shared, headers) {
        let mut response = answer(
            StatusCode::UNAUTHORIZED,
            "missing or wrong bearer token (Authorization: Bearer TOKEN)",
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            "Bearer".parse().expect("a header value"),
        );
        return response;
    }
    let payload = match intake::parse(format, body) {
        Ok(p) => p,
        Err(reason) => return answer(StatusCode::BAD_REQUEST, &reason),
    };
    let dedup_key = payload.dedup_key.clone();
    let (reply, answered) = oneshot::channel();
    let unavailable = |why: &str| {
        let mut response = answer(StatusCode::SERVICE_UNAVAILABLE, why);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, "5".parse().expect("a header value"));
        response
    };
    if shared.jobs.send(Job { payload, reply }).await.is_err() {
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

/// The writer: its own context and connection; each turn takes what is
/// waiting (up to [`BATCH`] requests), stores it in one transaction, runs
/// the hooks, and only then answers.
fn write_loop(
    globals: crate::cli::GlobalArgs,
    mut queue: mpsc::Receiver<Job>,
    ready: std::sync::mpsc::Sender<Result<()>>,
) {
    let opened = (|| -> Result<(Ctx, Store)> {
        let ctx = Ctx::new(globals)?;
        ctx.actor()?;
        ctx.config()?;
        let store = ctx.open(Access::Write)?;
        Ok((ctx, store))
    })();
    let (mut ctx, mut store) = match opened {
        Ok(opened) => {
            let _ = ready.send(Ok(()));
            opened
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
    while let Some(first) = queue.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
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
            let committed = ctx.write_to(&mut store, |tx| {
                let now = tx.now();
                batch
                    .iter()
                    .map(|job| {
                        job.payload
                            .signals
                            .iter()
                            .map(|s| intake::record(tx, s, &routing, now))
                            .collect::<Result<Vec<_>>>()
                    })
                    .collect::<Result<Vec<_>>>()
            })?;
            Ok(committed.value)
        })();
        match result {
            Ok(outcomes) => {
                for (job, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            Err(e) => {
                let why = format!("{e:#}");
                ctx.warn(format!("alerts not recorded (their senders will retry): {why}"));
                for job in batch {
                    let _ = job.reply.send(Err(why.clone()));
                }
            }
        }
    }
}
