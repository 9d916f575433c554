//! Signals, handled in one place: catching them while something is waited
//! on, seeing whether one arrived and who sent it, and putting back what
//! they did before. Hooks, prompts, `exec` and `--follow` use it;
//! [`crate::child`] waits on children through it.
//!
//! While a [`Catch`] lives, the signals it names are noted instead of ending
//! the process; once it is dropped they do what they did before (end the
//! process, as by default, or what a catch still alive does with them).
//! A signal the process inherited as ignored (`nohup`, a shell's background
//! job) stays ignored: it is never caught, so a child we start inherits it
//! ignored too. Caught signals go back to their default in a child at exec,
//! so a command or hook we start is not shielded by our catching.
//!
//! Built on signal-hook: its handler stores the signal and who sent it, and
//! wakes a self-pipe that `Catch::wait` blocks on with a deadline. Its
//! handler stays installed once a signal was caught; while no catch holds
//! that signal, the handler runs the default action (signal-hook's
//! emulation: the disposition back to SIG_DFL and the signal raised again,
//! so the process still ends *by* the signal, as its parent sees).

use signal_hook::iterator::backend::{Pending, SignalDelivery};
use signal_hook::iterator::exfiltrator::WithOrigin;
use signal_hook::low_level::siginfo::Cause;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

pub use nix::sys::signal::Signal;

/// The exit code for an end by signal `signal`, as shells report it:
/// 128+N.
pub fn exit_code(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(1)
}

/// `SIGTERM`, or `signal 42` for one without a name (a real-time signal).
pub fn name(signal: i32) -> String {
    match Signal::try_from(signal) {
        Ok(known) => known.as_str().to_string(),
        Err(_) => format!("signal {signal}"),
    }
}

/// A signal a [`Catch`] caught.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caught {
    pub signal: Signal,
    /// Sent by a process (`kill`, `timeout`, a shell passing on a hangup),
    /// not by the kernel for the terminal (Ctrl-C, Ctrl-\), which signals
    /// the whole foreground process group at once.
    pub sent: bool,
}

/// While alive, the signals it holds are noted instead of ending the
/// process; dropping it puts back what they did before.
pub struct Catch {
    /// The signals asked for that were not ignored.
    held: Vec<Signal>,
    inner: Mutex<Inner>,
}

struct Inner {
    delivery: SignalDelivery<UnixStream, WithOrigin>,
    /// Caught and not taken yet, oldest first.
    queue: VecDeque<Caught>,
    /// The last signal caught since the catch was made.
    last: Option<Signal>,
    /// A child of ours changed state (SIGCHLD) since the last wait.
    child_changed: bool,
    /// SIGCHLD wakes `wait` too.
    watching_children: bool,
}

impl Catch {
    /// Catches `signals`, except those the process inherited as ignored.
    /// Fails only when the self-pipe cannot be made (no file descriptors
    /// left).
    pub fn new(signals: &[Signal]) -> io::Result<Catch> {
        let (read, write) = UnixStream::pair()?;
        let delivery =
            SignalDelivery::with_pipe(read, write, WithOrigin::default(), std::iter::empty::<i32>())?;
        let handle = delivery.handle();
        let mut catch = Catch {
            held: Vec::new(),
            inner: Mutex::new(Inner {
                delivery,
                queue: VecDeque::new(),
                last: None,
                child_changed: false,
                watching_children: false,
            }),
        };
        for &signal in signals {
            // Held as it goes, so a failure half-way lets go of the first.
            if hold(signal, || handle.add_signal(signal as i32))? {
                catch.held.push(signal);
            }
        }
        Ok(catch)
    }

    /// The last signal caught since the catch was made, if any.
    pub fn caught(&self) -> Option<Signal> {
        let mut inner = self.lock();
        inner.gather();
        inner.last
    }

    /// The oldest signal caught and not taken yet.
    pub fn next(&self) -> Option<Caught> {
        let mut inner = self.lock();
        inner.gather();
        inner.queue.pop_front()
    }

    /// Takes every signal caught so far; whether there was one.
    pub fn clear(&self) -> bool {
        let mut inner = self.lock();
        inner.gather();
        let any = !inner.queue.is_empty();
        inner.queue.clear();
        any
    }

    /// From now on [`wait`](Self::wait) also wakes when a child of ours
    /// changes state (SIGCHLD, whose default is to be ignored: catching it
    /// changes nothing else).
    pub(crate) fn watch_children(&self) -> io::Result<()> {
        let mut inner = self.lock();
        if !inner.watching_children {
            inner.delivery.handle().add_signal(Signal::SIGCHLD as i32)?;
            inner.watching_children = true;
        }
        Ok(())
    }

    /// Blocks until a signal is caught, a child of ours changes state (once
    /// watched), or `timeout` passes (`None`: no limit). It may return
    /// early: the caller looks at what it waits for, then waits again.
    pub(crate) fn wait(&self, timeout: Option<Duration>) -> io::Result<()> {
        let mut inner = self.lock();
        inner.gather();
        if !inner.queue.is_empty() || std::mem::take(&mut inner.child_changed) {
            return Ok(());
        }
        if timeout.is_some_and(|t| t.is_zero()) {
            return Ok(());
        }
        inner.delivery.get_read().set_read_timeout(timeout)?;
        let woke = inner.delivery.poll_pending(&mut woken)?;
        if let Some(pending) = woke {
            inner.note(pending);
        }
        inner.child_changed = false;
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One byte from the self-pipe: a signal came. A timeout, or a signal we
/// do not catch interrupting the read, is a wake-up like another.
fn woken(read: &mut UnixStream) -> io::Result<bool> {
    match read.read(&mut [0u8]) {
        Ok(n) => Ok(n > 0),
        Err(e) => match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted => Ok(false),
            _ => Err(e),
        },
    }
}

impl Inner {
    /// Moves what the handler stored into the queue, without blocking.
    fn gather(&mut self) {
        let pending = self.delivery.pending();
        self.note(pending);
    }

    fn note(&mut self, pending: Pending<WithOrigin>) {
        for origin in pending {
            let Ok(signal) = Signal::try_from(origin.signal) else {
                continue;
            };
            if signal == Signal::SIGCHLD {
                self.child_changed = true;
                continue;
            }
            self.last = Some(signal);
            self.queue.push_back(Caught {
                signal,
                sent: matches!(origin.cause, Cause::Sent(_)),
            });
        }
    }
}

impl Drop for Catch {
    fn drop(&mut self) {
        // Back to the default first, then the delivery goes (with the
        // fields): a signal in between ends the process, as it should once
        // the catch is gone, rather than being lost.
        for signal in &self.held {
            release(*signal);
        }
    }
}

/// What the process knows of each signal a catch ever named.
struct Disposition {
    signal: Signal,
    /// Ignored when first asked about: never caught.
    ignored: bool,
    /// How many live catches hold it.
    holders: usize,
    /// True while none does: signal-hook's handler then runs the default
    /// action.
    default: Arc<AtomicBool>,
}

static DISPOSITIONS: Mutex<Vec<Disposition>> = Mutex::new(Vec::new());

fn dispositions() -> MutexGuard<'static, Vec<Disposition>> {
    DISPOSITIONS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One more catch holds `signal` (`register` adds it to that catch's
/// delivery); false when the signal is ignored and so not caught.
fn hold(signal: Signal, register: impl FnOnce() -> io::Result<()>) -> io::Result<bool> {
    let mut table = dispositions();
    let at = match table.iter().position(|d| d.signal == signal) {
        Some(at) => at,
        None => {
            // Asked once, before our handler is there to answer instead.
            let ignored = ignored(signal);
            let default = Arc::new(AtomicBool::new(true));
            if !ignored {
                signal_hook::flag::register_conditional_default(signal as i32, Arc::clone(&default))?;
            }
            table.push(Disposition {
                signal,
                ignored,
                holders: 0,
                default,
            });
            table.len() - 1
        }
    };
    let disposition = &mut table[at];
    if disposition.ignored {
        return Ok(false);
    }
    // Caught before the default stands down: a signal in between ends the
    // process (as before the catch) rather than being lost.
    register()?;
    disposition.holders += 1;
    disposition.default.store(false, Ordering::SeqCst);
    Ok(true)
}

/// One catch fewer holds `signal`; with none left, it does its default.
fn release(signal: Signal) {
    let mut table = dispositions();
    if let Some(d) = table.iter_mut().find(|d| d.signal == signal) {
        d.holders = d.holders.saturating_sub(1);
        if d.holders == 0 {
            d.default.store(true, Ordering::SeqCst);
        }
    }
}

/// Whether `signal` is ignored (SIG_IGN), as a parent may leave it. Only
/// asked: nothing changes.
fn ignored(signal: Signal) -> bool {
    // SAFETY: with a null new action, sigaction(2) installs nothing and
    // only writes the current action into `old`, a plain C struct for which
    // all-zero bytes are a valid value. Neither nix nor signal-hook asks
    // this without installing a handler, which would lose the answer.
    let current = unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        (libc::sigaction(signal as libc::c_int, std::ptr::null(), &mut old) == 0).then_some(old)
    };
    current.is_some_and(|old| old.sa_sigaction == libc::SIG_IGN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};
    use std::time::Instant;

    #[test]
    fn signals_are_named_as_people_know_them() {
        assert_eq!(name(libc::SIGTERM), "SIGTERM");
        assert_eq!(name(libc::SIGINT), "SIGINT");
        assert_eq!(name(libc::SIGKILL), "SIGKILL");
        assert_eq!(name(libc::SIGSEGV), "SIGSEGV");
        assert_eq!(
            name(libc::SIGRTMIN() + 1),
            format!("signal {}", libc::SIGRTMIN() + 1)
        );
        assert_eq!(exit_code(libc::SIGINT), 130);
        assert_eq!(exit_code(libc::SIGTERM), 143);
    }

    /// SIGUSR2 is used by no other test in this binary: raised at ourselves
    /// while caught, it is noted (as sent by a process) and does not end
    /// the test process; a wait with nothing to see ends at its timeout.
    #[test]
    fn a_caught_signal_is_noted_and_a_wait_ends_at_its_timeout() {
        let catch = Catch::new(&[Signal::SIGUSR2]).unwrap();
        assert_eq!(catch.caught(), None);
        let started = Instant::now();
        catch.wait(Some(Duration::from_millis(50))).unwrap();
        assert!(started.elapsed() >= Duration::from_millis(50));
        assert_eq!(catch.next(), None);

        nix::sys::signal::raise(Signal::SIGUSR2).unwrap();
        catch.wait(Some(Duration::from_secs(20))).unwrap();
        assert_eq!(
            catch.next(),
            Some(Caught {
                signal: Signal::SIGUSR2,
                sent: true
            })
        );
        assert_eq!(catch.next(), None);
        assert_eq!(catch.caught(), Some(Signal::SIGUSR2), "the last one stays known");
        nix::sys::signal::raise(Signal::SIGUSR2).unwrap();
        assert!(catch.clear());
        assert!(!catch.clear());
    }

    /// In the process of its own that the test below starts: catches
    /// SIGTERM twice over, lets go, then raises it at itself.
    fn sigterm_after_the_catches_are_gone() -> ! {
        let outer = Catch::new(&[Signal::SIGTERM]).unwrap();
        let inner = Catch::new(&[Signal::SIGTERM]).unwrap();
        drop(inner);
        nix::sys::signal::raise(Signal::SIGTERM).unwrap();
        assert_eq!(
            outer.caught(),
            Some(Signal::SIGTERM),
            "still held by the outer catch"
        );
        drop(outer);
        nix::sys::signal::raise(Signal::SIGTERM).unwrap();
        // Not reached: the default action ended the process.
        std::process::exit(0);
    }

    #[test]
    fn a_dropped_catch_gives_the_signal_back_to_its_default() {
        const ALONE: &str = "INCIDENT_TEST_SIGNAL_ALONE";
        if std::env::var_os(ALONE).is_some() {
            sigterm_after_the_catches_are_gone();
        }
        let status = Command::new(std::env::current_exe().unwrap())
            .env(ALONE, "1")
            .args([
                "--exact",
                "signals::tests::a_dropped_catch_gives_the_signal_back_to_its_default",
                "--test-threads=1",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    }
}
