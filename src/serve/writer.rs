//! `serve`'s writer: one thread with its own connection, which stores the
//! requests waiting in line together in one transaction, answers them, and
//! hands what it recorded to the hooks' thread; and the connection that
//! both of them open again when it is lost ([`Link`]).

use super::Settings;
use super::hooks::{self, HookJob};
use crate::context::Ctx;
use crate::intake::{self, Outcome, Payload, Routing};
use crate::store::{Access, Lost, Store};
use anyhow::Result;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// The most requests stored in one transaction.
pub(super) const BATCH: usize = 256;

/// What the writer is asked to do.
pub(super) enum Job {
    /// Store one request's alerts, and answer where its reply goes.
    Alerts {
        payload: Payload,
        reply: oneshot::Sender<Result<Vec<Outcome>, String>>,
    },
    /// Say whether the database answers (`/readyz`).
    Ping {
        reply: oneshot::Sender<Result<(), String>>,
    },
    /// Read the configuration again (SIGHUP).
    Reload,
}

/// What the writer shares with the rest of the server.
pub(super) struct Handle {
    /// What the configuration says about requests, for the HTTP side:
    /// replaced when the configuration is read again.
    pub settings: Arc<RwLock<Settings>>,
    /// Where the server listens (a configuration without a token is not
    /// taken off loopback).
    pub addr: std::net::SocketAddr,
    /// Where each commit's events go for the hooks.
    pub hooks: std::sync::mpsc::SyncSender<HookJob>,
}

/// The writer's connection, opened again when it is lost: at once the
/// first time, then no more often than the backoff allows (doubling from
/// [`BACKOFF_FIRST`] to [`BACKOFF_MOST`]), so a server that is down is not
/// hammered, and a request after it is back waits at most that long.
pub(super) struct Link {
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
    pub(super) fn later(ctx: &Ctx, access: Access) -> Result<Link> {
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
    pub(super) fn with<T>(&mut self, ctx: &Ctx, mut f: impl FnMut(&mut Store) -> Result<T>) -> Result<T> {
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
pub(super) fn run(
    globals: crate::cli::GlobalArgs,
    mut queue: mpsc::Receiver<Job>,
    ready: std::sync::mpsc::Sender<Result<()>>,
    handle: Handle,
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
    let mut plans = plans_of(&ctx);
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
            Job::Reload => {
                if let Some(read) = reload(&mut ctx, &handle) {
                    plans = read;
                }
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
                    // The batch's alerts in order, their reads made together;
                    // then each request's share of the outcomes.
                    let signals: Vec<_> = batch
                        .iter()
                        .flat_map(|(payload, _)| payload.signals.iter().cloned())
                        .collect();
                    let mut outcomes = intake::record_all(tx, &signals, &routing, now)?.into_iter();
                    Ok(batch
                        .iter()
                        .map(|(payload, _)| outcomes.by_ref().take(payload.signals.len()).collect())
                        .collect::<Vec<Vec<_>>>())
                })
            })?;
            hooks::hand_over(&ctx, &handle.hooks, committed.events);
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

/// The playbooks of the configuration. Read once per configuration: a
/// broken plans folder must not stop alerts from being recorded, so it is
/// said once and the incidents open without a plan.
fn plans_of(ctx: &Ctx) -> Vec<crate::domain::plans::Playbook> {
    match ctx.config().map(crate::playbooks::load) {
        Ok(Ok(plans)) => plans,
        Ok(Err(e)) | Err(e) => {
            ctx.warn(format!("no playbook can be attached: {e:#}"));
            Vec::new()
        }
    }
}

/// Reads the configuration again: on success it is the one from now on
/// (rules, levels, hooks, playbooks, token, origins) and its playbooks are
/// returned; a file that cannot be read, or that would leave a server off
/// loopback without a token, leaves the one before, saying why.
fn reload(ctx: &mut Ctx, handle: &Handle) -> Option<Vec<crate::domain::plans::Playbook>> {
    let read = ctx.load_config().and_then(|config| {
        let settings = Settings::of(&config)?;
        match settings.refused_on(handle.addr, &config) {
            Some(why) => Err(anyhow::anyhow!(why)),
            None => Ok((config, settings)),
        }
    });
    let (config, settings) = match read {
        Ok(read) => read,
        Err(e) => {
            ctx.warn(format!(
                "configuration not reloaded; the one read before stays: {e:#}"
            ));
            return None;
        }
    };
    ctx.say(format!(
        "incident serve: configuration reloaded from {}: {} alert rules, {} hooks",
        config.describe_source(),
        config.alert_rules.len(),
        config.hooks.len()
    ));
    if let Some(warning) = super::no_rule_opens(&config) {
        ctx.warn(warning);
    }
    *handle.settings.write().unwrap_or_else(|e| e.into_inner()) = settings;
    ctx.set_config(config);
    Some(plans_of(ctx))
}
