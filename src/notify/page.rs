//! The pager: the timers of escalation policies, driven by whichever
//! deliverer runs (`serve`, `notify --watch`, `notify` from cron). Each pass
//! reads the open incidents' pages; for each step that has come due it
//! records the `paged` events (or that nobody answered) in one write
//! transaction that reads the timeline again first, so two deliverers, or
//! one restarted, page each step once. The pages themselves go out like
//! every other event: each person's `paged` event is wanted by the
//! destination that carries their pages (`Route::pages`).

use crate::domain::oncall::{Policy, Schedule};
use crate::domain::ops;
use crate::domain::paging::{self, Next};
use crate::store::{ReadsExt, Store};
use anyhow::Result;
use chrono::{DateTime, Utc};

/// Who signs what the pager records.
const AUTHOR: &str = "incident";

/// The policies and the schedules they page.
pub struct Pager<'a> {
    pub policies: &'a [Policy],
    pub schedules: &'a [Schedule],
}

/// What one pass did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Paged {
    /// People paged.
    pub pages: usize,
    /// Pages that ran out unanswered.
    pub unanswered: usize,
    /// Shift changes recorded on open incidents.
    pub handoffs: usize,
    /// When the next step comes due, if one waits.
    pub next: Option<DateTime<Utc>>,
}

impl Pager<'_> {
    /// One pass at `now`: what came due is recorded.
    pub fn pass(&self, store: &mut Store, now: DateTime<Utc>) -> Result<Paged> {
        let mut out = Paged::default();
        if self.policies.is_empty() {
            return Ok(out);
        }
        let overrides = store.overrides(None, now - chrono::Duration::days(30))?;
        let due = self.due(store, now, &overrides, &mut out.next)?;
        if due.is_empty() {
            return Ok(out);
        }
        let done = store
            .write(
                AUTHOR,
                || Ok(now),
                |w| {
                    let mut done = (0, 0, 0);
                    for id in &due {
                        let Some(incident) = w.incident(*id)? else {
                            continue;
                        };
                        let events = w.events_of(*id, paging::KINDS)?;
                        let Some(state) = paging::state(&events) else {
                            continue;
                        };
                        let Some(policy) = self.policies.iter().find(|p| p.name == state.policy) else {
                            continue;
                        };
                        for handoff in paging::handoffs(policy, self.schedules, &overrides, &events, now) {
                            done.2 += 1;
                            w.apply(ops::shift_changed(&incident, handoff, now))?;
                        }
                        match paging::next(policy, &state, incident.status.is_open(), now) {
                            Next::Page(step) => {
                                let level = &policy.levels[step.level];
                                let people = paging::people(&level.page, self.schedules, &overrides, now);
                                done.0 += people.len();
                                w.apply(ops::page(&incident, policy, step, &people, now))?;
                            }
                            Next::Unanswered => {
                                done.1 += 1;
                                w.apply(ops::unanswered(&incident, policy, now))?;
                            }
                            Next::Wait(_) | Next::Done => {}
                        }
                    }
                    Ok(done)
                },
            )?
            .value;
        (out.pages, out.unanswered, out.handoffs) = done;
        // The steps just paged wait in their turn.
        let mut ignored = None;
        self.due(store, now, &overrides, &mut ignored)?;
        out.next = ignored.or(out.next);
        Ok(out)
    }

    /// The open incidents with a step due at `now`; the soonest step that
    /// waits goes in `next`.
    fn due(
        &self,
        store: &mut Store,
        now: DateTime<Utc>,
        overrides: &[crate::domain::oncall::Override],
        next: &mut Option<DateTime<Utc>>,
    ) -> Result<Vec<i64>> {
        store.refresh()?;
        let open = store.open_with_events(paging::KINDS)?;
        let mut due = Vec::new();
        for (incident, events, state) in paging::states(&open) {
            let Some(policy) = self.policies.iter().find(|p| p.name == state.policy) else {
                continue;
            };
            if !paging::handoffs(policy, self.schedules, overrides, events, now).is_empty() {
                due.push(incident.id);
                continue;
            }
            match paging::next(policy, &state, true, now) {
                Next::Page(_) | Next::Unanswered => due.push(incident.id),
                Next::Wait(at) => *next = Some(next.map_or(at, |n: DateTime<Utc>| n.min(at))),
                Next::Done => {}
            }
        }
        Ok(due)
    }
}
