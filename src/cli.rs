//! Command-line interface (clap), as fixed in design.md.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// showfeed: entertainment news by show, merged into one feed.
#[derive(Debug, Parser)]
#[command(name = "showfeed", version, about, long_about = None)]
pub struct Cli {
    /// Config file [default: ./feeds.toml, or $SHOWFEED_CONFIG].
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// sled directory; overrides [storage] path.
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Log output format.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line (journald, log shippers).
    Json,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon: poll feeds on schedule and serve the merged feed.
    Run,
    /// Poll every feed once, store, exit 0 (failed feeds are listed on stderr).
    Poll,
    /// Print the merged feed to stdout.
    Feed(FeedArgs),
    /// Validate the config; non-zero exit and every error on failure.
    Check,
    /// Print a per-feed health table.
    Status,
}

/// Options of `feed`.
#[derive(Debug, clap::Args)]
pub struct FeedArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Atom)]
    pub format: Format,
    /// Number of entries (any number on the CLI).
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Atom 1.0.
    Atom,
}
