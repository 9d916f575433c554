//! `serve`'s hooks, off the request path: the writer hands each commit's
//! events over without waiting, and one thread runs their hooks in turn.

use super::writer::Link;
use crate::context::Ctx;
use crate::store::Access;
use std::sync::Arc;

/// One commit's events, for the hooks, with the configuration's hooks as
/// they were when it was made.
pub(super) struct HookJob {
    events: Vec<crate::domain::Event>,
    hooks: Vec<crate::hooks::Hook>,
    key_prefix: String,
    source: Option<std::path::PathBuf>,
}

/// How many commits' hooks may wait to run; those of a commit beyond that
/// are not run (and it is said).
pub(super) const QUEUE: usize = 1024;

/// Hands a commit's events to the hooks' thread, never waiting: a queue
/// that is full drops them, with a warning.
pub(super) fn hand_over(
    ctx: &Ctx,
    hooks: &std::sync::mpsc::SyncSender<HookJob>,
    events: Vec<crate::domain::Event>,
) {
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
            "hooks for {count} events not run: the hooks of {QUEUE} commits are waiting already; the events are recorded"
        ));
    }
}

/// The hooks' thread: runs each commit's hooks in turn (one hook at a time,
/// in the order the events were recorded), on a connection of its own that
/// reads the incidents as they stand then. Once the server stops, what is
/// still waiting runs until the time in `until`; the rest is said.
pub(super) fn run(
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
