//! Error kinds and their exit codes: 0 success, 1 failure (not
//! found, storage), 2 usage or invalid input, 3 `check` found a missed target.
//!
//! Code deep in the program returns errors; only `main` turns them into an
//! exit code, by downcasting to [`Failure`]. Anything else is a plain failure.

use std::process::ExitCode;

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The user asked for something malformed or impossible: exit 2.
    #[error("{0}")]
    Usage(String),
    /// What was named does not exist: exit 1.
    #[error("{0}")]
    NotFound(String),
    /// The command already said what it had to; exit with this code.
    #[error("exit status {0}")]
    Silent(u8),
}

pub fn usage(message: impl Into<String>) -> anyhow::Error {
    Failure::Usage(message.into()).into()
}

pub fn not_found(message: impl Into<String>) -> anyhow::Error {
    Failure::NotFound(message.into()).into()
}

/// The exit code for an error, and whether to print it.
pub fn exit_code(err: &anyhow::Error) -> (u8, bool) {
    if is_broken_pipe(err) {
        // `incident list | head -1`: the reader left; that is success.
        return (0, false);
    }
    match err.downcast_ref::<Failure>() {
        Some(Failure::Usage(_)) => (2, true),
        Some(Failure::NotFound(_)) => (1, true),
        Some(Failure::Silent(code)) => (*code, false),
        None => (1, true),
    }
}

/// Whether the error comes from writing to a closed pipe (EPIPE), however it
/// was wrapped: a plain `write!`, serde_json writing a `--json` document or
/// an export (its own error type, which hides the io::Error from `chain`),
/// or an io::Error that carries another error inside.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    fn broken(cause: &(dyn std::error::Error + 'static)) -> bool {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return io.kind() == BrokenPipe || io.get_ref().is_some_and(|inner| broken(inner));
        }
        if let Some(json) = cause.downcast_ref::<serde_json::Error>() {
            return json.io_error_kind() == Some(BrokenPipe);
        }
        false
    }
    err.chain().any(broken)
}

/// Prints the error as one line on stderr and returns the exit code.
pub fn report(err: &anyhow::Error) -> ExitCode {
    let (code, print) = exit_code(err);
    if print {
        // `{:#}` joins the causes with ": " on one line; user text in it is
        // neutralised like any other output.
        let message = format!("{err:#}");
        crate::text::to_stderr(&format!("error: {}", crate::text::one_line(&message)));
    }
    ExitCode::from(code)
}

/// Folds clap's several-line usage errors into one line that still names
/// the problem, the choices, clap's tip and where to read more: at 3 a.m. a
/// usage block scrolls the actual mistake out of view.
/// `args` (without the program name) say which subcommand's help to point
/// to when clap's message names none.
pub fn clap_one_line(e: &clap::Error, args: &[std::ffi::OsString]) -> String {
    let text = e.render().to_string();
    let mut lines = text.lines().map(str::trim_end);
    let mut message = lines.next().unwrap_or("error: invalid arguments").to_string();
    let mut command = None;
    for line in lines {
        let trimmed = line.trim();
        if let Some(usage) = trimmed.strip_prefix("Usage: ") {
            // "incident declare [OPTIONS] <TITLE>" → "incident declare"
            let words: Vec<&str> = usage
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect();
            command = Some(words.join(" "));
        } else if !trimmed.is_empty() && !trimmed.starts_with("For more information") {
            let sep = if trimmed.starts_with("tip:") { "; " } else { " " };
            message.push_str(sep);
            message.push_str(trimmed);
        }
    }
    if e.kind() == clap::error::ErrorKind::UnknownArgument
        && let Some(clap::error::ContextValue::String(arg)) = e.get(clap::error::ContextKind::InvalidArg)
        && !arg.starts_with('-')
    {
        message.push_str("; quote text that has spaces, e.g. \"Checkout is down\"");
    }
    let command = command
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| crate::cli::subcommand_path(args));
    format!("{message}; see '{command} --help'")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_error(args: &[&str]) -> String {
        let given: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
        let args = std::iter::once("incident").chain(args.iter().copied());
        clap_one_line(&crate::cli::try_parse_from(args).unwrap_err(), &given)
    }

    #[test]
    fn clap_errors_fold_into_one_line_with_the_choices_and_a_pointer() {
        assert_eq!(
            parse_error(&["declare", "Checkout", "is", "down"]),
            "error: unexpected argument 'is' found; quote text that has spaces, e.g. \"Checkout is down\"; \
             see 'incident declare --help'"
        );
        let bad_value = parse_error(&["declare", "X", "--category", "outage"]);
        assert!(!bad_value.contains('\n'));
        assert!(
            bad_value.starts_with(
                "error: invalid value 'outage' for '--category <CATEGORY>' [possible values: availability,"
            ),
            "{bad_value}"
        );
        assert!(
            bad_value.contains("; tip: a similar value exists: 'other'"),
            "{bad_value}"
        );
        assert!(
            bad_value.ends_with("; see 'incident declare --help'"),
            "{bad_value}"
        );
        assert_eq!(
            parse_error(&["show"]),
            "error: the following required arguments were not provided: <KEY>; see 'incident show --help'"
        );
    }

    #[test]
    fn kinds_map_to_documented_exit_codes() {
        assert_eq!(exit_code(&usage("bad")), (2, true));
        assert_eq!(exit_code(&not_found("no such")), (1, true));
        assert_eq!(exit_code(&Failure::Silent(3).into()), (3, false));
        assert_eq!(exit_code(&anyhow::anyhow!("disk on fire")), (1, true));
        let context = anyhow::Error::from(Failure::Usage("bad".into())).context("while declaring");
        assert_eq!(exit_code(&context), (2, true));
    }

    #[test]
    fn broken_pipe_is_a_clean_exit() {
        let pipe = || std::io::Error::new(std::io::ErrorKind::BrokenPipe, "closed");
        assert_eq!(
            exit_code(&anyhow::Error::from(pipe()).context("writing")),
            (0, false)
        );
        // serde_json writing --json output or an export wraps the io::Error.
        struct Closed;
        impl std::io::Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::new(std::io::ErrorKind::BrokenPipe, "closed"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let json = || serde_json::to_writer(Closed, &[1, 2, 3]).unwrap_err();
        assert_eq!(exit_code(&anyhow::Error::from(json())), (0, false));
        let wrapped = std::io::Error::other(json());
        assert_eq!(exit_code(&anyhow::Error::from(wrapped)), (0, false));
        let other = std::io::Error::other("disk full");
        assert_eq!(exit_code(&anyhow::Error::from(other)), (1, true));
    }
}
