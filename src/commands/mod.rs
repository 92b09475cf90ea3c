//! The command line: one function per command. `run` is [`crate::daemon`]; the others are
//! one-shot. Commands that read the store work on it directly, or, while the daemon holds
//! it, ask the daemon over HTTP ([`client`]) and print the same thing.

mod add;
pub mod client;
mod feed;
mod fetch_text;
mod opml;
mod poll;
mod progress;
mod rules;
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
    // Generated from the clap definitions, and needing no config.
    match cli.command {
        Command::Completions { shell } => return completions(shell),
        Command::Man => return man(),
        _ => {}
    }
    let path = cli
        .config
        .clone()
        .or_else(|| std::env::var_os(CONFIG_ENV).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG));
    let overrides = daemon::Overrides {
        data: cli.data.clone(),
        listen: cli.listen,
    };
    let serves = matches!(cli.command, Command::Run | Command::Check);
    let loaded = if serves {
        overrides.load_to_serve(&path)
    } else {
        overrides.load(&path)
    };
    let config = match loaded {
        Ok(config) => config,
        // The admin most needs to see the running daemon exactly when the file is broken.
        Err(e) if reads_only(&cli.command) => return without_config(cli, &path, e),
        Err(e) => return Err(e.into()),
    };
    if let Command::Check = cli.command {
        check(&config, &path);
        return Ok(ExitCode::SUCCESS);
    }
    init_tracing(&config, cli.log_format);
    let config = Arc::new(config);
    let rt = runtime()?;
    let ended = rt.block_on(async move {
        let done = match cli.command {
            Command::Run => return daemon::run(config, overrides).await,
            Command::Poll(args) => poll::poll(config, args).await,
            Command::Feed(args) => feed::feed(config, *args).await,
            Command::Status => status::status(config).await,
            Command::Opml(cmd) => opml::opml(config, cmd).await,
            Command::Rules(cmd) => rules::rules(config, cmd).await,
            Command::Add(args) => add::add(&config, &args).await,
            Command::FetchText(args) => fetch_text::fetch_text(config, args).await,
            Command::Suggest { days, max } => suggest::suggest(config, days, max).await,
            Command::Check | Command::Completions { .. } | Command::Man => Ok(()),
        };
        done.map(|()| Ended::Stopped)
    });
    // Dropping a runtime waits for every blocking task without end. One can be wedged: sled
    // spins for ever in a read that must write (a node split) once a write failed on a full
    // disk, which kept the restart onto a read-only copy from happening. Writes are finished
    // and flushed by now (the shutdown path awaited them), so the rest gets the grace period.
    rt.shutdown_timeout(daemon::GRACE);
    match ended? {
        Ended::Stopped => Ok(ExitCode::SUCCESS),
        Ended::Reopen => Ok(daemon::reexec()),
    }
}

fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut cmd, "showfeed", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

fn man() -> anyhow::Result<ExitCode> {
    let cmd = <Cli as clap::CommandFactory>::command();
    match clap_mangen::Man::new(cmd).render(&mut std::io::stdout()) {
        // `showfeed man | head`: the reader had enough.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write the man page")
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// Threads for blocking work (sled reads and writes, parsing, ingest). tokio's default of
/// 512 is reached at start with ten thousand feeds, each reading its state at once, and every
/// thread keeps its stack and a share of malloc's arenas for the rest of the run (143 MiB
/// against 118 MiB measured at 10,000 feeds); queued work waits for a thread instead. With the
/// default `[polling] concurrency` (16) a poll always finds one; a larger one queues, which
/// cannot deadlock: no blocking task waits for work still queued behind it.
const BLOCKING_THREADS: usize = 64;

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(BLOCKING_THREADS)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// `check` on a valid file: say so, and what a reload would change in the daemon running it.
fn check(config: &Config, path: &std::path::Path) {
    println!(
        "{}: ok ({} feeds, {} shows, {} views)",
        path.display(),
        config.feeds.len(),
        config.shows.len(),
        config.views.len()
    );
    // Secrets live outside the file: say which ones this environment cannot read (the
    // daemon's may differ, so a warning, not an error).
    for f in &config.feeds {
        if let Some(Err(why)) = f.http.auth.as_ref().map(|a| a.password.read()) {
            println!(
                "warning: feed `{}`: {why} (the daemon needs it when it polls)",
                f.id
            );
        }
    }
    match client::running_config(config) {
        Ok(Some(running)) => println!(
            "against the running daemon:\n{}",
            crate::config::diff(&running, config)
        ),
        Ok(None) => {}
        Err(why) => println!("{why}"),
    }
}

/// The commands that only read, and so can ask a running daemon when the file is invalid.
fn reads_only(command: &Command) -> bool {
    matches!(
        command,
        Command::Status
            | Command::Feed(_)
            | Command::Suggest { .. }
            | Command::Opml(crate::cli::OpmlCommand::Export)
    )
}

/// A read-only command while the config file on disk is invalid: asks the daemon running
/// that file (at `--listen`, else the file's `[server] listen` as far as it can be read,
/// else the default), after saying that the file is invalid. Without one, the load error.
fn without_config(
    cli: Cli,
    path: &std::path::Path,
    error: crate::config::ConfigError,
) -> anyhow::Result<ExitCode> {
    let addr = cli.listen.unwrap_or_else(|| crate::config::listen_in(path));
    let token = std::env::var(crate::config::TOKEN_ENV)
        .ok()
        .or_else(|| crate::config::server_key_in(path, "admin_token"));
    let daemon = client::DaemonClient::at(addr, token);
    runtime()?.block_on(async move {
        let runs_it = daemon
            .config_file()
            .await
            .is_some_and(|theirs| client::same_file(&theirs, path));
        if !runs_it {
            return Err(anyhow::Error::new(error).context(format!(
                "and no daemon running {} answers at {addr}",
                path.display()
            )));
        }
        eprintln!(
            "{} is invalid (run `showfeed check` for every error); showing what the daemon running it serves:",
            path.display()
        );
        match cli.command {
            Command::Status => status::print(status::from_daemon(&daemon).await?),
            Command::Feed(args) => feed::print_document(&feed::from_daemon(&daemon, &args).await?)?,
            Command::Suggest { days, max } => {
                suggest::print(&suggest::from_daemon(&daemon, days, max).await?, days, path)
            }
            _ => print!("{}", opml::export_from_daemon(&daemon).await?),
        }
        Ok(ExitCode::SUCCESS)
    })
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
