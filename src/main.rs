use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match incident::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are "errors" that exit 0.
            let _ = e.print();
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    match incident::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => incident::error::report(&err),
    }
}
