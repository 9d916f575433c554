//! Every free-text prompt on a real terminal, 60 and 120 columns wide, in
//! colour, read back as a terminal shows it (the bytes replayed into a
//! terminal emulator): a refused answer's reason appears once, in colour
//! rather than as escape codes, and once an answer is accepted only it is
//! left; a checklist at 60 columns leaves no line behind or twice.

use crate::support::*;
use rexpect::session::PtySession;
use std::time::Duration;

struct Tty {
    p: PtySession,
    seen: Vec<u8>,
    cols: u16,
}

impl Tty {
    fn spawn(env: &Env, cols: u16, args: &[&str]) -> Tty {
        let incident = env.std_cmd();
        let mut cmd = std::process::Command::new("sh");
        cmd.env_clear()
            .envs(incident.get_envs().filter_map(|(k, v)| Some((k, v?))))
            .env("PATH", "/usr/bin:/bin")
            .env("TERM", "xterm-256color")
            .arg("-c")
            .arg(format!("stty cols {cols} rows 40 && exec \"$0\" \"$@\""))
            .arg(incident.get_program())
            .args(args);
        let p = rexpect::session::spawn_command(cmd, Some(15_000)).unwrap();
        Tty {
            p,
            seen: Vec::new(),
            cols,
        }
    }

    fn take(&mut self, text: &str) {
        // rexpect hands back each byte as a char.
        self.seen.extend(text.chars().map(|c| c as u32 as u8));
    }

    /// Waits for `text` (plain, not split by colour) in what is drawn.
    fn wait(&mut self, text: &str) {
        let before = self
            .p
            .exp_string(text)
            .unwrap_or_else(|e| panic!("{text:?}: {e}\n{}", self.screen()));
        self.take(&before);
        self.seen.extend(text.bytes());
    }

    fn keys(&mut self, keys: &str) {
        self.p.send(keys).unwrap();
        self.p.flush().unwrap();
    }

    /// What is on the screen once drawing has stopped.
    fn settle(&mut self) -> String {
        loop {
            std::thread::sleep(Duration::from_millis(300));
            let mut got = false;
            while let Some(c) = self.p.try_read() {
                self.seen.push(c as u32 as u8);
                got = true;
            }
            if !got {
                return self.screen();
            }
        }
    }

    fn screen(&self) -> String {
        let size = |n: u16| std::num::NonZeroU16::new(n).unwrap();
        let mut term = vt100::Parser::new(size(40), size(self.cols), 0);
        term.process(&self.seen);
        term.screen().contents()
    }
}

fn count(screen: &str, text: &str) -> usize {
    screen.matches(text).count()
}

/// A refused `bad`, its reason shown once as a terminal shows it, then
/// `good` accepted: only `good` is left, and no reason.
fn refused_then_accepted(t: &mut Tty, bad: &str, reason: &str, good: &str, next: &str) {
    t.keys(&format!("{bad}\r"));
    t.wait(reason);
    let screen = t.settle();
    assert_eq!(
        count(&screen, reason),
        1,
        "{} columns: the reason once:\n{screen}",
        t.cols
    );
    for raw in ["\\u{1b}", "[31m", "\u{1b}"] {
        assert!(!screen.contains(raw), "{raw:?} shown:\n{screen}");
    }
    assert!(screen.contains(bad), "the answer stays to edit:\n{screen}");
    // Ctrl-U clears it, as in a shell.
    t.keys(&format!("\x15{good}\r"));
    t.wait(next);
    let screen = t.settle();
    assert!(
        !screen.contains(bad),
        "{} columns: {bad:?} left:\n{screen}",
        t.cols
    );
    assert!(!screen.contains(reason), "the reason left:\n{screen}");
    assert_eq!(count(&screen, good), 1, "{good:?} once:\n{screen}");
}

/// No line twice, the question asked now once, its keys shown once.
fn drawn_once(screen: &str, question: &str) {
    let lines: Vec<&str> = screen
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    for (i, line) in lines.iter().enumerate() {
        assert!(!lines[i + 1..].contains(line), "{line:?} twice:\n{screen}");
    }
    assert_eq!(count(screen, question), 1, "{question:?}:\n{screen}");
    assert_eq!(
        count(screen, "(space ticks,"),
        1,
        "one checklist asked:\n{screen}"
    );
}

#[test]
fn assess_shows_a_refused_answer_once_and_leaves_only_the_accepted_one() {
    for cols in [60, 120] {
        let env = Env::new();
        env.declare("Checkout returns 500s for every customer of the EU shop", &[]);
        let mut t = Tty::spawn(&env, cols, &["assess", "1"]);
        t.wait("impact on customers");
        t.keys("Card payments fail\r");
        t.wait("What do customers see?");
        t.keys("HTTP 500 on pay\r");
        t.wait("How many customers are affected");
        t.keys("\r");
        t.wait("When did the impact start?");
        refused_then_accepted(
            &mut t,
            "next blursday",
            "invalid time",
            "07:40",
            "support tickets",
        );
        refused_then_accepted(&mut t, "a dozen", "whole number", "12", "other factors");
        let screen = t.settle();
        drawn_once(&screen, "other factors");
        // Moving through the checklist redraws it in place.
        for _ in 0..4 {
            t.keys("\x1b[B");
        }
        let screen = t.settle();
        drawn_once(&screen, "other factors");
        t.keys("\r");
        t.wait("Confidentiality");
        t.keys("\x1b[B\x1b[B");
        let screen = t.settle();
        drawn_once(&screen, "Confidentiality");
        assert_eq!(count(&screen, "support tickets"), 1, "{screen}");
        t.keys("\x1b");
        t.wait("nothing was recorded");
        t.p.exp_eof().unwrap();
        let kinds = kinds(&env.show("1"));
        assert!(!kinds.contains(&"assessed".to_string()), "{kinds:?}");
    }
}

#[test]
fn the_retrospectives_due_date_shows_a_refused_answer_once() {
    for cols in [60, 120] {
        let mut env = Env::new();
        env.declare(
            "Checkout returns 500s",
            &["--severity", "SEV2", "--commander", "alice"],
        );
        env.at("2026-11-23T10:00:00Z");
        env.ok(&["resolve", "1", "--summary", "rolled back"]);
        let mut t = Tty::spawn(&env, cols, &["retro", "1"]);
        t.wait("Impact on customers");
        if cols < 80 {
            // The timeline's facts on a line, its text below.
            let screen = t.settle();
            assert!(
                screen.contains("08:00  alice  declared\n  Declared SEV2"),
                "{screen}"
            );
        }
        t.keys("Checkout down for 2h\r");
        for (prompt, answer) in [
            ("Why 1/5", ""),
            ("Root cause", "A lock"),
            ("Trigger", "Migration 42"),
            ("Lead-up", ""),
            ("Contributing factor", ""),
            ("What went well", ""),
            ("What went badly", ""),
            ("Where we got lucky", ""),
            ("Action item", "Alert on lock waits"),
            ("Owner", "erin"),
        ] {
            t.wait(prompt);
            t.keys(&format!("{answer}\r"));
        }
        t.wait("Due");
        refused_then_accepted(&mut t, "next blursday", "due date", "2026-12-15", "Kind");
        t.keys("\x03");
        t.wait("nothing was recorded");
        t.p.exp_eof().unwrap();
    }
}
