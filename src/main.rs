//! The `showfeed` binary: parse the command line, run it, print any error with its chain.

use std::process::ExitCode;

use clap::Parser;

/// jemalloc, not the system allocator: see `Cargo.toml` (faster for sled's many small
/// allocations, and it returns freed memory to the system instead of fragmenting).
#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
