//! A closed stdout (`incident … | head -c 100`): the reader left, which is
//! success. Every command ends quietly with exit 0, whatever writes its
//! output (a table, `--json`, `export`).

use crate::support::Env;
use std::io::Read;
use std::process::Stdio;

/// A database whose listings and export run to megabytes, far beyond a
/// pipe's buffer, so the writer is still writing when the reader leaves.
fn large() -> Env {
    let env = Env::new();
    env.seed(2000, 6000, 2000);
    env
}

/// Runs `incident ARGS | head -c 100`: reads the first 100 bytes, closes
/// the pipe, and expects exit 0 with nothing on stderr.
fn ends_quietly_when_the_reader_leaves(env: &Env, args: &[&str]) {
    let mut child = env
        .std_cmd()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut head = [0u8; 100];
    stdout.read_exact(&mut head).unwrap();
    drop(stdout);
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "incident {args:?} | head -c 100: {status:?}, stderr: {stderr}"
    );
    assert_eq!(stderr, "", "incident {args:?} | head -c 100");
}

#[test]
fn json_list_export_and_the_table_end_quietly_on_a_closed_pipe() {
    let env = large();
    // The output really is larger than a pipe holds (64 KiB on Linux).
    let listed = env.ok(&["--json", "list", "--all", "--limit", "0"]);
    assert!(listed.len() > 256 << 10, "{} bytes", listed.len());
    for args in [
        &["--json", "list", "--all", "--limit", "0"][..],
        &["export"],
        &["list", "--all", "--limit", "0"],
    ] {
        ends_quietly_when_the_reader_leaves(&env, args);
    }
}
