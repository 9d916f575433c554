// On Linux with glibc, the C runtime calls `main` below directly, without
// Rust's own start-up (see `main`). Elsewhere `main` is an ordinary one.
#![cfg_attr(all(target_os = "linux", target_env = "gnu"), no_main)]

use std::io::Write;

/// The entry point the C runtime calls, in place of Rust's `lang_start`.
///
/// `lang_start` finds the main thread's stack guard at every start by
/// reading and parsing /proc/self/maps (`pthread_getattr_np`), for the
/// message it prints on a stack overflow: a seventh of `--version`'s
/// instructions and a tenth of an empty program's wall time (BENCHMARKS.md).
/// What else it does that this program relies on is done here: standard
/// streams that were closed are opened on /dev/null (else the database
/// could be opened as descriptor 1, and output written into it); SIGPIPE
/// is ignored, so a closed pipe is an error the code handles, not a sudden
/// death mid-command (children still start with it at its default: std
/// resets it when it was not set by the attribute); a panic ends the
/// process with 101 after its message; stdout is flushed at exit. The
/// arguments are still read by `std::env::args_os`: glibc hands them to
/// std before `main` runs. A stack overflow now ends in SIGSEGV with no
/// message, and a panic's message names the thread `<unnamed>`, not
/// `main`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[unsafe(no_mangle)]
extern "C" fn main(_argc: std::ffi::c_int, _argv: *const *const std::ffi::c_char) -> std::ffi::c_int {
    standard_streams();
    // SAFETY: setting a signal's disposition to SIG_IGN, before any thread
    // is started.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    let code = std::panic::catch_unwind(run).unwrap_or(101);
    // Runs std's clean-up (stdout flushed) before exiting.
    std::process::exit(code.into())
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(run())
}

/// Opens /dev/null on each of descriptors 0, 1 and 2 that is closed, as
/// std's start-up does.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn standard_streams() {
    for fd in 0..3 {
        // SAFETY: fcntl(F_GETFD) only asks whether the descriptor is open;
        // open(2) is given a NUL-terminated path.
        unsafe {
            if libc::fcntl(fd, libc::F_GETFD) == -1
                && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF)
                && libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) == -1
            {
                // No /dev/null: nothing safe to run with.
                libc::abort();
            }
        }
    }
}

fn run() -> u8 {
    // Started again by `exec` as its signal sentinel (src/child.rs): only that.
    if let Some(code) = incident::child::sentinel_main(std::env::args_os().skip(1)) {
        return code;
    }
    // `incident --version` alone answers before clap builds its whole command
    // tree (most of its cost, measured by benches/cli.sh); the output is
    // clap's own: "incident 0.1.0".
    let mut args = std::env::args_os().skip(1);
    if let (Some(flag), None) = (args.next(), args.next())
        && (flag == "--version" || flag == "-V")
    {
        // Not println!, which panics on a closed pipe.
        let _ = writeln!(std::io::stdout(), "incident {}", env!("CARGO_PKG_VERSION"));
        return 0;
    }
    // A shell asking for completions (INCIDENT_COMPLETE=bash incident -- …)
    // is answered here, and the process ends.
    clap_complete::CompleteEnv::with_factory(incident::cli::completing)
        .var(incident::complete::VAR)
        .complete();
    let cli = match incident::cli::try_parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind::*;
            match e.kind() {
                // Help and version are "errors" clap prints in full (exit 0).
                DisplayHelp | DisplayVersion | DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = e.print();
                }
                _ => {
                    let args: Vec<_> = std::env::args_os().skip(1).collect();
                    // What was typed is echoed in clap's message: it goes
                    // through the sanitiser like every other text.
                    let line = incident::cli::clap_one_line(&e, &args);
                    incident::text::to_stderr(&incident::text::one_line(&line));
                }
            }
            return e.exit_code() as u8;
        }
    };
    match incident::commands::run(cli) {
        Ok(()) => 0,
        Err(err) => incident::error::report(&err),
    }
}
