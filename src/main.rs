use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
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
        return ExitCode::SUCCESS;
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
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    match incident::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => incident::error::report(&err),
    }
}
