//! `incident serve`, the one long-running command: alert webhooks over
//! HTTP (the command line is `commands/serve.rs`).
//!
//! Requests are read and parsed on a small async runtime (axum on hyper,
//! `http.rs`), which checks what the headers say before a byte of a body is
//! read; the database work runs on one writer thread with its own
//! connection (`writer.rs`), which takes the requests waiting in line
//! together in one transaction and answers each 2xx only after that
//! committed, so a sender's retries cover every failure; the hooks run
//! after, on a thread of their own (`hooks.rs`).

mod hooks;
mod http;
mod log;
mod notify;
mod writer;

pub use log::LogFormat;

use crate::context::Ctx;
use crate::error::usage;
use anyhow::{Context, Result};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};
use writer::Job;

/// How long a sender may take to send its request headers, and its whole
/// request: a slow sender is cut off rather than holding a connection.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a stop (SIGTERM) waits for requests in flight.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

struct Shared {
    jobs: mpsc::Sender<Job>,
    /// What the configuration says about requests (reloaded on SIGHUP).
    settings: Arc<RwLock<Settings>>,
    /// The address listened on; on loopback, the only names a `Host`
    /// header may give.
    local: SocketAddr,
    /// Room for bodies, in bytes ([`http::BODY_BUDGET`]).
    bodies: Arc<Semaphore>,
    log: LogFormat,
    /// What `/metrics` opens its own read connection with: a scrape reads
    /// every incident, and must not hold up the writer.
    globals: crate::cli::GlobalArgs,
    /// One scrape at a time; others wait for its turn.
    scrapes: Arc<Semaphore>,
}

/// What the configuration says about requests: what they must show in
/// their headers, and how their incidents are named in the log.
#[derive(Debug, Clone, PartialEq)]
struct Settings {
    /// The bearer token, if one is required.
    token: Option<String>,
    /// The `Origin`s allowed; any other request with an `Origin` (a
    /// browser's) is refused.
    origins: Vec<String>,
    key_prefix: String,
}

/// The shortest token taken, from any source (the configuration's own
/// check says the same).
const MIN_TOKEN: usize = 16;

impl Settings {
    /// The settings the configuration and `INCIDENT_SERVE_TOKEN` make; a
    /// token from the environment is held to the configuration's minimum.
    fn of(config: &crate::config::Config) -> Result<Settings> {
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
        Ok(Settings {
            token: from_env.or_else(|| config.serve.token.clone()),
            origins: config.serve.allowed_origins.clone(),
            key_prefix: config.key_prefix.clone(),
        })
    }

    /// Why these settings cannot serve on `addr`.
    fn refused_on(&self, addr: SocketAddr, config: &crate::config::Config) -> Option<String> {
        (!addr.ip().is_loopback() && self.token.is_none()).then(|| {
            format!(
                "refusing to listen on {addr} without a bearer token; set [serve] token in {} \
                 or INCIDENT_SERVE_TOKEN, or listen on 127.0.0.1",
                config.describe_source()
            )
        })
    }
}

/// The warning when no rule of `config` can open an incident: every alert
/// would only be recorded.
fn no_rule_opens(config: &crate::config::Config) -> Option<String> {
    use crate::domain::alerts::AlertAction;
    let source = config.describe_source();
    if config.alert_rules.is_empty() {
        return Some(format!(
            "no [[alerts.rules]] in {source}: alerts are recorded, and none opens an incident \
             (docs/alerts.md, Rules)"
        ));
    }
    let opens = config
        .alert_rules
        .iter()
        .any(|r| matches!(r.action, AlertAction::Open | AlertAction::Attach));
    (!opens).then(|| {
        format!(
            "no rule in {source} opens an incident (each says action = \"record\"): alerts are \
             recorded, and none opens an incident"
        )
    })
}

/// Serves on `addr` until SIGTERM or SIGINT, logging each request in
/// `log`'s format; reads the configuration again on SIGHUP. Refuses (a
/// usage error) to listen off loopback without a token.
pub fn run(ctx: &Ctx, addr: SocketAddr, log: LogFormat) -> Result<()> {
    let config = ctx.config()?;
    let settings = Settings::of(config)?;
    if let Some(why) = settings.refused_on(addr, config) {
        return Err(usage(why));
    }
    if let Some(warning) = no_rule_opens(config) {
        ctx.warn(warning);
    }
    let settings = Arc::new(RwLock::new(settings));
    give_memory_back();
    // SIGTERM belongs to the server's drain, even while a hook runs.
    crate::hooks::leave_signals_alone();
    // Hooks run on a thread of their own, after the answers went out.
    let (hooks_tx, hooks_rx) = std::sync::mpsc::sync_channel::<hooks::HookJob>(hooks::QUEUE);
    let stopping = Arc::new(std::sync::OnceLock::new());
    let globals = ctx.globals.clone();
    let until = stopping.clone();
    let hook_runner = std::thread::Builder::new()
        .name("incident-hooks".into())
        .spawn(move || hooks::run(globals, hooks_rx, until))
        .context("cannot start the hooks' thread")?;
    // The writer opens the database first: a bad path fails here, at once.
    let (jobs, queue) = mpsc::channel::<Job>(4 * writer::BATCH);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<()>>();
    let globals = ctx.globals.clone();
    let handle = writer::Handle {
        settings: settings.clone(),
        addr,
        hooks: hooks_tx,
    };
    let writer = std::thread::Builder::new()
        .name("incident-writer".into())
        .spawn(move || writer::run(globals, queue, ready_tx, handle))
        .context("cannot start the writer thread")?;
    ready_rx
        .recv()
        .context("the writer thread ended before opening the database")??;
    let globals = ctx.globals.clone();
    let until = stopping.clone();
    let notifier = std::thread::Builder::new()
        .name("incident-notify".into())
        .spawn(move || notify::run(globals, until))
        .context("cannot start the notifications' thread")?;

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
        settings,
        local: listener.local_addr()?,
        bodies: Arc::new(Semaphore::new(http::BODY_BUDGET)),
        log,
        globals: ctx.globals.clone(),
        scrapes: Arc::new(Semaphore::new(1)),
    });
    let served = runtime.block_on(serve(ctx, listener, shared, config.serve.max_connections));
    // The server has stopped and dropped its sender: the writer finishes
    // what is queued and ends, and the hooks waiting run, for a while.
    runtime.shutdown_timeout(Duration::from_secs(1));
    let _ = writer.join();
    let _ = stopping.set(std::time::Instant::now() + DRAIN_TIMEOUT);
    let _ = hook_runner.join();
    let _ = notifier.join();
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
    let jobs = shared.jobs.clone();
    let app = http::router(shared);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(slots));
    let served = Arc::new(std::sync::atomic::AtomicBool::new(false));
    tokio::spawn(trim_now_and_then(served.clone()));
    let mut stop = std::pin::pin!(stop_signal());
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        .context("cannot catch SIGHUP")?;
    // SIGHUP: the configuration again, read by the writer in line with the
    // writes, so the next batch sees the new rules. (The task ends with
    // the runtime, and its sender with it.)
    tokio::spawn(async move {
        while hangup.recv().await.is_some() {
            if jobs.send(Job::Reload).await.is_err() {
                break;
            }
        }
    });
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
