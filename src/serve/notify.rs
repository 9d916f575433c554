//! `serve` delivers notifications and drives paging's timers on a thread
//! of its own, with its own connection, so nothing it sends (or waits for)
//! is on the request path. A lost database is connected again with a
//! growing wait, as the writer does.

use crate::context::{self, Ctx};
use crate::notify::deliver::{Deliverer, Turn};
use crate::store::Access;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

pub(super) fn run(globals: crate::cli::GlobalArgs, stopping: Arc<OnceLock<Instant>>) {
    let Ok(ctx) = Ctx::new(globals) else { return };
    let Ok(config) = ctx.config() else { return };
    if config.notify.is_empty() && config.policies.is_empty() {
        return;
    }
    let stop = || stopping.get().is_some();
    let mut wait = Duration::from_secs(1);
    while !stop() {
        let ran = ctx.open(Access::Write).and_then(|mut store| {
            let env = crate::notify::environment(&store, config.source.as_deref());
            let deliverer = Deliverer::new(&config.notify, &config.key_prefix, env, &context::clock)
                .with_people(&config.people)
                .with_paging(&config.policies, &config.schedules);
            deliverer.watch(&mut store, &stop, &|name, turn| match turn {
                Turn::Failed { reason, .. } => {
                    ctx.warn(format!("notify {name}: {}", crate::text::one_line(reason)))
                }
                Turn::Parked { reason } => ctx.warn(format!(
                    "notify {name}: parked: {}; 'incident deliveries retry {name}' once it is fixed",
                    crate::text::one_line(reason)
                )),
                _ => {}
            })
        });
        match ran {
            Ok(()) => return,
            Err(e) => {
                ctx.warn(format!(
                    "notifications paused: {e:#}; trying again in {}s",
                    wait.as_secs()
                ));
                let until = Instant::now() + wait;
                while Instant::now() < until && !stop() {
                    std::thread::sleep(Duration::from_millis(200));
                }
                wait = (wait * 2).min(Duration::from_secs(30));
            }
        }
    }
}
