//! The command line: one function per command. `run` is [`crate::daemon`]; the others are
//! one-shot. Commands that read the store work on it directly, or, while the daemon holds
//! it, ask the daemon over HTTP ([`client`]) and print the same thing.

pub mod client;
mod feed;
mod opml;
mod poll;
mod status;
mod suggest;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command, LogFormat};
use crate::config::{Config, CONFIG_ENV, DEFAULT_CONFIG};
use crate::daemon::{self, Ended};

/// Runs the command line; the binary's whole body.
pub fn main(cli: Cli) -> anyhow::Result<ExitCode> {
    let path = cli
        .config
        .clone()
        .or_else(|| std::env::var_os(CONFIG_ENV).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG));
    let config = Config::load(&path, cli.data.as_deref())?;
    if let Command::Check = cli.command {
        println!(
            "{}: ok ({} feeds, {} shows, {} views)",
            path.display(),
            config.feeds.len(),
            config.shows.len(),
            config.views.len()
        );
        if let Some(running) = client::running_config(&config) {
            println!(
                "against the running daemon:\n{}",
                crate::config::diff(&running, &config)
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    init_tracing(&config, cli.log_format);
    let config = Arc::new(config);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let ended = runtime.block_on(async move {
        let done = match cli.command {
            Command::Run => return daemon::run(config, cli.data.clone()).await,
            Command::Poll(args) => poll::poll(config, args).await,
            Command::Feed(args) => feed::feed(config, *args).await,
            Command::Status => status::status(config).await,
            Command::Opml(cmd) => opml::opml(config, cmd).await,
            Command::Suggest { days, max } => suggest::suggest(config, days, max).await,
            Command::Check => Ok(()),
        };
        done.map(|()| Ended::Stopped)
    })?;
    // Every task, and with them the store, is gone once the runtime is.
    drop(runtime);
    match ended {
        Ended::Stopped => Ok(ExitCode::SUCCESS),
        Ended::Reopen => Ok(daemon::reexec()),
    }
}

fn init_tracing(config: &Config, format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(&config.server.log_level));
    // Colours only for a person at a terminal, never in files, pipes or the journal.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
