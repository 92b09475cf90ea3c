//! The `showfeed` binary: parse the command line, run it, print any error with its chain.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = showfeed::cli::Cli::parse();
    match showfeed::commands::main(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("showfeed: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
