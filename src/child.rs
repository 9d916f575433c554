//! Child processes, waited on in one place: until they end, until a
//! deadline, or until a caught signal calls for something else. A hook
//! runs as a [`Group`], killed whole at its deadline; `exec`'s command is
//! waited on with [`wait_relaying`], which passes on what was sent to us.
//!
//! Waiting never sleeps on a guess: it blocks on the [`Catch`]'s self-pipe,
//! which SIGCHLD (a child of ours changed state), a caught signal or the
//! deadline wakes, and looks at the child after each wake-up. A child is
//! reaped only once it has ended, so until then its pid (and a group
//! leader's, which names its group) is not reused: signalling it never
//! reaches another process.

use crate::signals::{Catch, Caught, Signal};
use nix::sys::signal::{kill, killpg};
use nix::unistd::Pid;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, ExitStatus};
use std::time::Instant;

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

/// Waits until `child` ends, passing on to it each signal `catch` catches
/// that a process sent us (`kill`, `timeout`, a shell passing on a hangup).
/// One the terminal sent is not sent twice: it reached the child already,
/// in our foreground process group. Should the signals become impossible
/// to watch, it still waits for the end, passing nothing on.
pub fn wait_relaying(child: &mut Child, catch: &Catch) -> io::Result<ExitStatus> {
    loop {
        match wait(child, catch, None) {
            Ok(Waited::Exited(status)) => return Ok(status),
            Err(_) => return child.wait(),
            Ok(Waited::Caught(caught)) if caught.sent => {
                if let Some(pid) = pid(child.id()) {
                    // Not reaped yet (the wait reaps only an ended child), so
                    // the pid still names it. It may have just ended: fine.
                    let _ = kill(pid, caught.signal);
                }
            }
            Ok(Waited::Caught(_) | Waited::TimedOut) => {}
        }
    }
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
