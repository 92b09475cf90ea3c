//! Wiring: the CLI commands, and the daemon (store, scheduler and server under one shutdown).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context as _};
use tracing::{error, info, warn};
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command, FeedArgs, LogFormat, OpmlCommand};
use crate::config::{Config, CONFIG_ENV, DEFAULT_CONFIG};
use crate::pipeline::{self, Context, Outcome};
use crate::scheduler::{self, Scheduler};
use crate::serve::{self, AppState, DocKind, StatusFeed};
use crate::store::{Store, StoreError};
use crate::{reload, shutdown, systemd};

/// Time allowed for polls and requests to finish after a shutdown signal.
const GRACE: Duration = Duration::from_secs(5);

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
        if let Some(running) = running_config(&config) {
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
            Command::Run => return run(config, cli.data.clone()).await,
            Command::Poll => poll(config).await,
            Command::Feed(args) => feed(config, *args).await,
            Command::Status => status(config).await,
            Command::Opml(cmd) => opml(config, cmd).await,
            Command::Suggest { days, max } => suggest(config, days, max).await,
            Command::Check => Ok(()),
        };
        done.map(|()| Ended::Stopped)
    })?;
    // Every task, and with them the store, is gone once the runtime is.
    drop(runtime);
    match ended {
        Ended::Stopped => Ok(ExitCode::SUCCESS),
        Ended::Reopen => Ok(reexec()),
    }
}

/// How the daemon ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Stopped by a signal (or a one-shot command finished).
    Stopped,
    /// The store can be written again after a disk error: start afresh to reopen it.
    Reopen,
}

/// Exit code asking the service manager to restart us when re-executing fails
/// (`EX_TEMPFAIL`; the unit restarts on failure).
const EXIT_RESTART: u8 = 75;

/// Replaces this process with a fresh start of the same binary and arguments (same PID, so
/// systemd keeps tracking it); only returns if that fails.
fn reexec() -> ExitCode {
    use std::os::unix::process::CommandExt;
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    let err = match std::env::current_exe() {
        Ok(exe) => std::process::Command::new(&exe).args(&args).exec(),
        Err(e) => e,
    };
    error!("cannot restart in place ({err}); exiting with {EXIT_RESTART} so the service manager restarts showfeed");
    ExitCode::from(EXIT_RESTART)
}

/// How often an unwritable store's directory is probed.
const PROBE_EVERY: Duration = Duration::from_secs(5);

/// Watches the store's writability. A write that failed on the disk poisons sled (it must be
/// reopened; even reads can fail), so the daemon restarts in place at once and comes back on
/// a read-only copy. On a copy, probes the real directory and restarts onto it once it can be
/// written again.
fn spawn_store_watch(
    store: Arc<Store>,
    shutdown: tokio_util::sync::CancellationToken,
) -> Arc<std::sync::atomic::AtomicBool> {
    let reopen = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = reopen.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = store.wait_unwritable() => {}
                () = shutdown.cancelled() => return,
            }
            let Some(u) = store.unwritable() else {
                continue;
            };
            let restart = if store.is_copy() {
                tokio::select! {
                    () = tokio::time::sleep(PROBE_EVERY) => {}
                    () = shutdown.cancelled() => return,
                }
                let s = store.clone();
                match tokio::task::spawn_blocking(move || s.probe()).await {
                    Ok(Ok(())) => {
                        info!(store = %store.path().display(), "the store's directory can be written again: restarting onto it");
                        true
                    }
                    Ok(Err(e)) => {
                        tracing::debug!("store directory still not writable: {e}");
                        false
                    }
                    Err(e) => {
                        warn!("store probe failed: {e}");
                        false
                    }
                }
            } else {
                warn!(
                    "a store write failed ({}): restarting in place to serve a read-only copy",
                    u.reason
                );
                true
            };
            if restart {
                flag.store(true, std::sync::atomic::Ordering::Release);
                shutdown.cancel();
                return;
            }
        }
    });
    reopen
}

fn init_tracing(config: &Config, format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(&config.server.log_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

fn open_store(config: &Config) -> Result<Store, StoreError> {
    if let Some(parent) = config.storage.path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    Store::open(&config.storage.path, config.storage.cache_bytes)
}

/// The daemon: until SIGINT/SIGTERM, poll on schedule and serve; reload the config on
/// SIGHUP or when its file changes. `data_override` is the `--data` flag, kept for reloads.
pub async fn run(config: Arc<Config>, data_override: Option<PathBuf>) -> anyhow::Result<Ended> {
    let store = Arc::new(open_daemon_store(&config)?);
    let listener = tokio::net::TcpListener::bind(config.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.server.listen))?;
    let shutdown = shutdown::on_signals();
    let ctx = Arc::new(Context::new(store.clone(), config.clone())?);
    pipeline::retag_if_stale(&ctx);
    let mut scheduler = Scheduler::start(ctx, shutdown.clone());
    let state = AppState::new(store.clone(), config.clone());
    let app = serve::router(state.clone());
    let addr = listener.local_addr().unwrap_or(config.server.listen);
    let mut server = tokio::spawn(serve::server::run(listener, app, shutdown.clone(), GRACE));
    info!(
        listen = %addr,
        feeds = config.feeds.len(),
        store = %config.storage.path.display(),
        "showfeed {} is up",
        env!("CARGO_PKG_VERSION")
    );
    systemd::ready(&format!(
        "serving {addr}, polling {} feeds",
        config.feeds.len()
    ));
    systemd::spawn_watchdog(store.clone(), scheduler.heartbeat(), shutdown.clone());
    let reopen = spawn_store_watch(store.clone(), shutdown.clone());
    let mut triggers = reload::triggers(&config.file, shutdown.clone());
    let mut current = config;
    let server_ended = loop {
        tokio::select! {
            r = &mut server => break Some(r),
            () = shutdown.cancelled() => break None,
            Some(_) = triggers.recv() => {
                current = reload_config(&current, data_override.as_deref(), &state, &mut scheduler, &store).await;
            }
        }
    };
    let ended = if reopen.load(std::sync::atomic::Ordering::Acquire) {
        // Back in a moment, same PID: to systemd this is a reload.
        systemd::reloading();
        Ended::Reopen
    } else {
        systemd::stopping();
        Ended::Stopped
    };
    shutdown.cancel();
    // The server stops accepting at once and gives open requests the grace period.
    let server_result = match server_ended {
        Some(r) => r,
        None => server.await,
    };
    scheduler.join(GRACE).await;
    match store.unwritable() {
        None => {
            store
                .save_pending_states()
                .context("cannot save the feed states")?;
            store.flush().await.context("cannot flush the store")?;
            info!("store flushed; bye");
        }
        // Nothing can be flushed; what was fetched since is fetched again after the restart
        // (its validators were not stored either).
        Some(u) => warn!(
            "the store could not be written since {} ({}): nothing to flush",
            serve::rfc3339(u.since),
            u.reason
        ),
    }
    server_result.context("the HTTP server task failed")?;
    Ok(ended)
}

/// The daemon's store. One whose directory cannot be written (read-only, full) is served
/// from a temporary copy: the last good entries stay available, polling waits, and the
/// store watch restarts the daemon once the directory can be written.
fn open_daemon_store(config: &Config) -> anyhow::Result<Store> {
    let path = &config.storage.path;
    let why = match Store::probe_dir(path) {
        Ok(()) => match open_store(config) {
            Ok(store) => return Ok(store),
            Err(e) => match &e {
                StoreError::Sled(sled::Error::Io(io)) => crate::store::cannot_write(io),
                _ => None,
            }
            .ok_or(e)
            .with_context(|| format!("cannot open the store at {}", path.display()))?,
        },
        Err(e) => crate::store::cannot_write(&e)
            .ok_or(e)
            .with_context(|| format!("cannot write to the store's directory {}", path.display()))?,
    };
    error!(
        "the store at {} cannot be written ({why}); serving a read-only copy until it can be",
        path.display()
    );
    Store::open_copy(path, config.storage.cache_bytes, why)
        .with_context(|| format!("cannot open the store at {}", path.display()))
}

/// One reload: validate the file; if it is bad keep everything as it is and say why; if it
/// is good apply the difference. The HTTP server keeps serving throughout.
async fn reload_config(
    current: &Arc<Config>,
    data_override: Option<&std::path::Path>,
    state: &Arc<AppState>,
    scheduler: &mut Scheduler,
    store: &Arc<Store>,
) -> Arc<Config> {
    systemd::reloading();
    let next = match Config::load(&current.file, data_override) {
        Err(e) => {
            let message = format!("{e:#}");
            error!("config reload refused; the running config stays in force:\n{message}");
            let event = crate::store::HealthEvent {
                at: pipeline::now(),
                feed_id: String::new(),
                kind: "config".into(),
                title: format!("config reload refused: {}", current.file.display()),
                detail: message.clone(),
            };
            if let Err(e) = store.record_event(&event) {
                warn!("cannot record the event: {}", pipeline::error_chain(&e));
            }
            state.set_config_error(Some(message));
            current.clone()
        }
        Ok(new) => {
            let diff = crate::config::diff(current, &new);
            state.set_config_error(None);
            if diff.is_empty() {
                info!("config reloaded: no changes");
                current.clone()
            } else {
                info!("config reloaded:\n{diff}");
                for r in &diff.needs_restart {
                    warn!("{r}: this change needs a restart to take effect");
                }
                let new = Arc::new(new);
                match Context::new(store.clone(), new.clone()) {
                    Ok(ctx) => {
                        let ctx = Arc::new(ctx);
                        scheduler.restart(ctx.clone(), GRACE).await;
                        if diff.shows_changed() {
                            pipeline::spawn_retag(ctx);
                        }
                    }
                    Err(e) => error!(
                        "cannot apply the new polling settings: {}",
                        pipeline::error_chain(&e)
                    ),
                }
                state.set_config(new.clone());
                new
            }
        }
    };
    systemd::ready(&format!("polling {} feeds", next.feeds.len()));
    next
}

/// `poll`: every feed once, regardless of due times.
async fn poll(config: Arc<Config>) -> anyhow::Result<()> {
    let store = Arc::new(open_store(&config).context("cannot open the store")?);
    let ctx = Arc::new(Context::new(store.clone(), config.clone())?);
    // One-shot: bring old tags up to date first, in the foreground.
    if pipeline::tags_are_stale(&ctx) {
        let c = ctx.clone();
        let n = tokio::task::spawn_blocking(move || pipeline::retag_store(&c)).await??;
        eprintln!("re-tagged {n} stored entries for the current show list");
    }
    let started = std::time::Instant::now();
    let reports = scheduler::poll_all(ctx, &config.feeds).await;
    let (mut ok, mut failed, mut new, mut updated) = (0, 0, 0, 0);
    for (feed_id, report) in &reports {
        match report.as_ref().map(|r| &r.outcome) {
            Some(Outcome::Stored(s)) => {
                ok += 1;
                new += s.new;
                updated += s.updated;
            }
            Some(Outcome::NotModified) => ok += 1,
            Some(Outcome::Failed(msg)) => {
                failed += 1;
                eprintln!("{feed_id}: {msg}");
            }
            Some(Outcome::Gone) => {
                failed += 1;
                eprintln!("{feed_id}: gone (HTTP 410); polling is disabled for it");
            }
            Some(Outcome::Cancelled) | None => {
                failed += 1;
                eprintln!("{feed_id}: not stored (see the log)");
            }
        }
    }
    store.save_pending_states()?;
    store.flush().await?;
    eprintln!(
        "polled {} feeds in {:.1}s: {ok} ok, {failed} failed; {new} new entries, {updated} updated",
        reports.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The config the running daemon applied, if a daemon answers at `[server] listen`.
fn running_config(config: &Config) -> Option<Config> {
    let url = daemon_url(config, "/admin/config");
    let text = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        rt.block_on(async {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(2))
                .build()
                .ok()?;
            let resp = client.get(&url).send().await.ok()?;
            resp.status().is_success().then_some(())?;
            resp.text().await.ok()
        })
    })
    .join()
    .ok()
    .flatten()?;
    Config::parse(&text, &config.file).ok()
}

/// Whether an error means the daemon holds the store.
fn is_locked(e: &StoreError) -> bool {
    matches!(e, StoreError::Locked(_))
}

fn daemon_url(config: &Config, path: &str) -> String {
    let addr = config.server.listen;
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        addr.ip().to_string()
    };
    let host = if addr.is_ipv6() && !addr.ip().is_unspecified() {
        format!("[{host}]")
    } else {
        host
    };
    format!("http://{host}:{}{path}", addr.port())
}

async fn from_daemon(config: &Config, path: &str) -> anyhow::Result<reqwest::Response> {
    let url = daemon_url(config, path);
    let resp = reqwest::get(&url)
        .await
        .with_context(|| format!("the store is in use and the daemon does not answer at {url}"))?;
    if !resp.status().is_success() {
        bail!("the daemon answered {} for {url}", resp.status());
    }
    Ok(resp)
}

/// `feed`: a document on stdout, from the store or, if the daemon holds it, the daemon.
async fn feed(config: Arc<Config>, args: FeedArgs) -> anyhow::Result<()> {
    use std::io::Write;
    let format = serve::Format::from(args.format);
    let kind = match &args.view {
        Some(name) => DocKind::View(name.clone()),
        None => DocKind::Merged,
    };
    let filters = args.query_string();
    let (mut query, title) = serve::resolve_query(&config, &kind, Some(&filters), pipeline::now())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    query.limit = args.limit;
    let body = match open_store(&config) {
        Ok(store) => serve::render(&config, &store, &kind, format, &query, title)?.body,
        Err(e) if is_locked(&e) => {
            if args.limit > serve::query::MAX_LIMIT {
                bail!(
                    "the daemon holds the store and serves at most {} entries; stop it to print more",
                    serve::query::MAX_LIMIT
                );
            }
            let path = match &args.view {
                Some(name) => format!("/views/{name}.{}", format.ext()),
                None => format!("/feed.{}", format.ext()),
            };
            let sep = if filters.is_empty() { "" } else { "&" };
            from_daemon(
                &config,
                &format!("{path}?{filters}{sep}limit={}", args.limit),
            )
            .await?
            .bytes()
            .await?
        }
        Err(e) => return Err(e).context("cannot open the store"),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(&body)?;
    out.flush()?;
    Ok(())
}

/// `suggest`: likely shows in recent untagged entries.
async fn suggest(config: Arc<Config>, days: u32, max: usize) -> anyhow::Result<()> {
    let list = match open_store(&config) {
        Ok(store) => serve::suggestions(&config, &store, days, max)?,
        Err(e) if is_locked(&e) => {
            let mut list: Vec<serve::SuggestionOut> =
                from_daemon(&config, &format!("/admin/suggest?days={days}"))
                    .await?
                    .json()
                    .await?;
            list.truncate(max);
            list
        }
        Err(e) => return Err(e).context("cannot open the store"),
    };
    if list.is_empty() {
        println!("no likely shows found in the untagged entries of the last {days} days");
    }
    for s in list {
        println!("{:>4}  {}", s.count, s.name);
        for ex in s.examples {
            println!("        e.g. {ex}");
        }
    }
    println!(
        "\nadd the ones you follow to {} as [[show]] name = \"...\"",
        config.file.display()
    );
    Ok(())
}

/// `opml import` / `opml export`.
async fn opml(config: Arc<Config>, cmd: OpmlCommand) -> anyhow::Result<()> {
    match cmd {
        OpmlCommand::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let result = crate::opml::import(&config.file, &config, &text)?;
            for (url, why) in &result.rejected {
                eprintln!("skipped {url}: {why}");
            }
            println!(
                "{}: {} feeds added ({}), {} already present, {} rejected",
                config.file.display(),
                result.added.len(),
                result.added.join(", "),
                result.skipped.len(),
                result.rejected.len()
            );
        }
        OpmlCommand::Export => {
            let states = match open_store(&config) {
                Ok(store) => store.feed_states()?,
                Err(_) => Default::default(),
            };
            print!(
                "{}",
                crate::opml::export(&config, &serve::doc::sources(&config, &states))
            );
        }
    }
    Ok(())
}

/// `status`: one line per feed.
async fn status(config: Arc<Config>) -> anyhow::Result<()> {
    let rows: Vec<StatusFeed> = match open_store(&config) {
        Ok(store) => serve::status_rows(&config, &store)?,
        Err(e) if is_locked(&e) => {
            let status: serve::Status = from_daemon(&config, "/status").await?.json().await?;
            if let Some(err) = &status.config_error {
                eprintln!(
                    "the daemon refused the last reload and runs the previous config:\n{err}"
                );
            }
            if let (false, Some(err)) = (status.store.writable, &status.store.error) {
                eprintln!(
                    "the daemon cannot write its store at {} since {}: {err}; it serves what it holds and polls nothing",
                    status.store.path,
                    status.store.since.as_deref().unwrap_or("?")
                );
            }
            status.feeds
        }
        Err(e) => return Err(e).context("cannot open the store"),
    };
    println!(
        "{:<24} {:<20} {:>5} {:>7} {:<20} LAST ERROR",
        "FEED", "LAST SUCCESS", "FAILS", "ENTRIES", "NEXT POLL"
    );
    for r in rows {
        let error = match (&r.disabled, &r.last_error) {
            (Some(d), _) => format!("DISABLED: {d}"),
            (None, Some(e)) if r.consecutive_failures > 0 => e.clone(),
            _ => "-".to_owned(),
        };
        println!(
            "{:<24} {:<20} {:>5} {:>7} {:<20} {}",
            r.id,
            r.last_success.as_deref().unwrap_or("never"),
            r.consecutive_failures,
            r.entries,
            r.next_poll.as_deref().unwrap_or("now"),
            error
        );
    }
    Ok(())
}

/// Re-exported for tests and tools: the current Unix time.
pub fn now() -> i64 {
    pipeline::now()
}
