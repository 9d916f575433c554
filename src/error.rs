//! Error kinds and their exit codes: 0 success, 1 failure (not
//! found, storage), 2 usage or invalid input, 3 `check` found a missed target.
//!
//! Code deep in the program returns errors; only `main` turns them into an
//! exit code, by downcasting to [`Failure`]. Anything else is a plain failure.

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
pub fn report(err: &anyhow::Error) -> u8 {
    let (code, print) = exit_code(err);
    if print {
        // `{:#}` joins the causes with ": " on one line; user text in it is
        // neutralised like any other output.
        let message = format!("{err:#}");
        crate::text::to_stderr(&format!("error: {}", crate::text::one_line(&message)));
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

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
