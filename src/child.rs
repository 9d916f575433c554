//! Child processes, waited on in one place: until they end, until a
//! deadline, or until a caught signal calls for something else. A hook
//! runs as a [`Group`], killed whole at its deadline; `exec`'s command is
//! waited on with [`wait_relaying`], which passes on what was sent to us
//! alone, told apart from what was sent to our whole process group by a
//! [`Sentinel`].
//!
//! Waiting never sleeps on a guess: it blocks on the [`Catch`]'s self-pipe,
//! which SIGCHLD (a child of ours changed state), a caught signal or the
//! deadline wakes, and looks at the child after each wake-up. A child is
//! reaped only once it has ended, so until then its pid (and a group
//! leader's, which names its group) is not reused: signalling it never
//! reaches another process.

use crate::signals::{Catch, Caught, Signal};
use nix::sys::signal::{SigSet, kill, killpg};
use nix::unistd::Pid;
use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How a wait ended.
#[derive(Debug)]
pub enum Waited {
    Exited(ExitStatus),
    /// `catch` caught this signal; the child may still run.
    Caught(Caught),
    /// The deadline passed; the child may still run.
    TimedOut,
}

/// Waits until `child` ends, `catch` catches a signal (one caught before
/// the wait counts) or `deadline` passes (`None`: no deadline). An ended
/// child is reaped; one still running is not.
pub fn wait(child: &mut Child, catch: &Catch, deadline: Option<Instant>) -> io::Result<Waited> {
    // Before the first look: a child that ends after it wakes the wait.
    catch.watch_children()?;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Waited::Exited(status));
        }
        if let Some(caught) = catch.next() {
            return Ok(Waited::Caught(caught));
        }
        let left = match deadline {
            None => None,
            Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Some(left),
                _ => return Ok(Waited::TimedOut),
            },
        };
        catch.wait(left)?;
    }
}

/// Waits until `child` (started in our process group, with `sentinel`
/// started before it) ends, passing on to it each signal `catch` catches
/// that a process sent to us alone (`kill PID`, a shell passing on a
/// hangup), once. One sent to our whole process group (the terminal's
/// Ctrl-C, `kill -- -PGID`, a shell hanging up its jobs) reached the
/// child already, there: the sentinel got it too, and it is not sent
/// again. (A sender that signals each process on its own may reach the
/// sentinel only after we asked: then the child gets it twice.) One the kernel sent (the terminal) is never passed on.
/// Without a sentinel, every signal a process sent is passed on. Should
/// the signals become impossible to watch, it still waits for the end,
/// passing nothing on.
pub fn wait_relaying(
    child: &mut Child,
    catch: &Catch,
    mut sentinel: Option<&mut Sentinel>,
) -> io::Result<ExitStatus> {
    // Caught while the child was being started, maybe before it was in the
    // group to get one sent there (or before it could take one: until it
    // runs its program, our handlers stand in its stead): passed on as if
    // sent to us alone, and the sentinel's copy taken.
    while let Some(caught) = catch.next() {
        if let Some(sentinel) = sentinel.as_deref_mut() {
            sentinel.also_got(caught.signal);
        }
        pass_on(child, caught, false);
    }
    loop {
        match wait(child, catch, None) {
            Ok(Waited::Exited(status)) => return Ok(status),
            Err(_) => return child.wait(),
            Ok(Waited::Caught(caught)) => {
                // Asked about every signal, so that the copy of one the
                // whole group got is taken with it, whoever sent it.
                let to_group = sentinel.as_deref_mut().and_then(|s| s.also_got(caught.signal));
                pass_on(child, caught, to_group == Some(true));
            }
            Ok(Waited::TimedOut) => {}
        }
    }
}

/// Sends `caught` on to `child` when a process sent it to us alone.
fn pass_on(child: &Child, caught: Caught, to_group: bool) {
    if !caught.sent || to_group {
        return;
    }
    if let Some(pid) = pid(child.id()) {
        // Not reaped yet (the wait reaps only an ended child), so the pid
        // still names it. It may have just ended: fine.
        let _ = kill(pid, caught.signal);
    }
}

/// What the sentinel's command line starts with, after its name.
const SENTINEL: &str = "--exec-signal-sentinel";

/// A process of ours in our process group that blocks the signals `exec`
/// catches and takes them only when asked, so it can say whether one we
/// caught was sent to the whole group (it got it too) or to us alone.
///
/// It is this program started again ([`sentinel_main`]), so it needs
/// nothing installed. It is started before the command, so in a signal to
/// the group it comes before us: the kernel signals a group's newest
/// member first, and whatever we catch it got already. Its name is
/// neither ours nor the command's (`signal-sentinel`; on Linux its process
/// name is `exe`), so `pkill incident` does not reach it. It ends when we
/// drop it or end, even by SIGKILL (its end of the line closes).
pub struct Sentinel {
    child: Child,
    line: UnixStream,
}

impl Sentinel {
    /// Starts one blocking `signals`, in our process group.
    pub fn start(signals: &[Signal]) -> io::Result<Sentinel> {
        let (line, theirs) = UnixStream::pair()?;
        // The answer comes at once; one that does not is no answer.
        line.set_read_timeout(Some(Duration::from_secs(2)))?;
        let mut command = Command::new(own_program()?);
        command
            .arg0("signal-sentinel")
            .arg(SENTINEL)
            .args(signals.iter().map(|s| (*s as i32).to_string()))
            .env_clear()
            .stdin(Stdio::from(OwnedFd::from(theirs.try_clone()?)))
            .stdout(Stdio::from(OwnedFd::from(theirs)))
            .stderr(Stdio::null());
        let blocked: SigSet = signals.iter().copied().collect();
        // SAFETY: between fork and exec the closure only calls
        // pthread_sigmask(3), which is async-signal-safe, on a set built
        // before the fork: the sentinel runs its program with the signals
        // already blocked, so none can end it first.
        unsafe {
            command.pre_exec(move || blocked.thread_block().map_err(io::Error::from));
        }
        let child = command.spawn()?;
        Ok(Sentinel { child, line })
    }

    /// Whether the sentinel got `signal` since it was last asked (taking
    /// it); `None` when it cannot say.
    pub fn also_got(&mut self, signal: Signal) -> Option<bool> {
        let number = u8::try_from(signal as i32).ok()?;
        self.line.write_all(&[number]).ok()?;
        let mut answer = [0u8];
        self.line.read_exact(&mut answer).ok()?;
        Some(answer[0] == 1)
    }
}

impl Drop for Sentinel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// This program's file: on Linux the running image itself (even if the
/// file was replaced since), else its path.
fn own_program() -> io::Result<std::path::PathBuf> {
    let running = std::path::Path::new("/proc/self/exe");
    if cfg!(target_os = "linux") && running.exists() {
        return Ok(running.to_path_buf());
    }
    std::env::current_exe()
}

/// When this process was started as a [`Sentinel`] (`args`: its command
/// line after its name), runs as one until its line closes, and returns
/// its exit code; `None` otherwise. The signals it names stay blocked; each
/// byte read is a signal's number, answered with 1 when that signal was
/// pending (and is now taken), else 0.
pub fn sentinel_main(mut args: impl Iterator<Item = OsString>) -> Option<u8> {
    if args.next()? != SENTINEL {
        return None;
    }
    let signals: SigSet = args
        .filter_map(|a| a.to_str()?.parse::<i32>().ok())
        .filter_map(|n| Signal::try_from(n).ok())
        .collect();
    if signals.thread_block().is_err() {
        return Some(1);
    }
    let (mut questions, mut answers) = (io::stdin().lock(), io::stdout().lock());
    let mut asked = [0u8];
    while questions.read_exact(&mut asked).is_ok() {
        let got = Signal::try_from(i32::from(asked[0]))
            .ok()
            .filter(|s| signals.contains(*s))
            .is_some_and(take_pending);
        if answers
            .write_all(&[u8::from(got)])
            .and_then(|()| answers.flush())
            .is_err()
        {
            break;
        }
    }
    Some(0)
}

/// Takes `signal` when it is pending (blocked, sent and not taken yet).
fn take_pending(signal: Signal) -> bool {
    // SAFETY: sigpending(2) writes the pending set into `set`, a plain C
    // struct for which all-zero bytes are a valid value, and sigismember(3)
    // only reads it; nix wraps neither.
    let pending = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigpending(&mut set) == 0 && libc::sigismember(&set, signal as libc::c_int) == 1
    };
    if !pending {
        return false;
    }
    // Pending, so sigwait(3) returns at once, taking it.
    let mut one = SigSet::empty();
    one.add(signal);
    one.wait().is_ok()
}

/// A child leading a process group of its own, so that it and everything
/// it started can be killed together.
pub struct Group {
    child: Child,
}

impl Group {
    /// Spawns `command` as the leader of a new process group.
    pub fn spawn(command: &mut Command) -> io::Result<Group> {
        command.process_group(0);
        command.spawn().map(|child| Group { child })
    }

    /// The leader's stdin, when it was piped.
    pub fn stdin(&mut self) -> Option<ChildStdin> {
        self.child.stdin.take()
    }

    /// Waits until the leader ends, `catch` catches a signal or `deadline`
    /// passes (`None`: no deadline). At the deadline or the signal the whole
    /// group is killed and the leader reaped; when the wait itself fails,
    /// the group is killed.
    pub fn wait(&mut self, catch: &Catch, deadline: Option<Instant>) -> io::Result<Waited> {
        let waited = wait(&mut self.child, catch, deadline);
        match &waited {
            Ok(Waited::Exited(_)) => {}
            Ok(Waited::Caught(_) | Waited::TimedOut) => {
                // The leader is not reaped yet, so its id still names the group.
                self.kill();
                let _ = self.child.wait();
            }
            Err(_) => self.kill(),
        }
        waited
    }

    /// SIGKILL to every process in the group. Also after the leader was
    /// reaped: the group outlives its leader while members remain, and its
    /// id is not reused while it does.
    pub fn kill(&self) {
        if let Some(pgid) = pid(self.child.id()) {
            let _ = killpg(pgid, Signal::SIGKILL);
        }
    }
}

fn pid(id: u32) -> Option<Pid> {
    i32::try_from(id).ok().filter(|id| *id > 0).map(Pid::from_raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn shell(script: &str) -> Command {
        let mut command = Command::new("/bin/sh");
        command.arg("-c").arg(script);
        command
    }

    #[test]
    fn a_wait_returns_when_the_child_ends_not_at_its_deadline() {
        let catch = Catch::new(&[]).unwrap();
        let mut child = shell("exit 3").spawn().unwrap();
        let started = Instant::now();
        let waited = wait(&mut child, &catch, Some(started + Duration::from_secs(30))).unwrap();
        assert!(
            matches!(waited, Waited::Exited(s) if s.code() == Some(3)),
            "{waited:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_group_past_its_deadline_is_killed_with_its_children() {
        let catch = Catch::new(&[]).unwrap();
        let mut group = Group::spawn(&mut shell("sleep 30 & wait")).unwrap();
        let started = Instant::now();
        let waited = group
            .wait(&catch, Some(started + Duration::from_millis(300)))
            .unwrap();
        assert!(matches!(waited, Waited::TimedOut), "{waited:?}");
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert!(started.elapsed() < Duration::from_secs(10));
        // The leader was reaped (the CLI tests see the rest of the group go).
        assert!(group.child.try_wait().unwrap().is_some());
    }
}
