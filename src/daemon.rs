//! The daemon (`showfeed run`): the store, the scheduler and the HTTP server under one
//! shutdown path, config reloads, and the store watch that restarts in place after a disk
//! error.
//!
//! Shutdown: SIGINT/SIGTERM cancel one token ([`crate::shutdown`]); the server stops
//! accepting and gives open requests [`GRACE`], the scheduler's tasks (polls, retention,
//! re-tagging, the state write-back) finish their writes, then the feed states are saved and
//! sled is flushed, and `run` returns.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use crate::clock::{now, rfc3339};
use crate::config::Config;
use crate::errors::error_chain;
use crate::notify::Notifier;
use crate::poll::{Arrivals, Context};
use crate::scheduler::Scheduler;
use crate::serve::{self, AppState};
use crate::store::{HealthEvent, Store, StoreError};
use crate::{reload, shutdown, systemd};

/// Time allowed for polls and requests to finish after a shutdown signal.
pub const GRACE: Duration = Duration::from_secs(5);

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
pub fn reexec() -> ExitCode {
    use std::os::unix::process::CommandExt;
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    let err = match std::env::current_exe() {
        Ok(exe) => std::process::Command::new(&exe).args(&args).exec(),
        Err(e) => e,
    };
    error!("cannot restart in place ({err}); exiting with {EXIT_RESTART} so the service manager restarts showfeed");
    ExitCode::from(EXIT_RESTART)
}

/// What the command line overrides in the config file: `--data` and `--listen`.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--data`: the store's directory.
    pub data: Option<PathBuf>,
    /// `--listen`: the address to bind.
    pub listen: Option<std::net::SocketAddr>,
}

impl Overrides {
    /// Loads and validates `file` with these overrides applied.
    /// An admin token from `$SHOWFEED_ADMIN_TOKEN` replaces the file's.
    pub fn load(&self, file: &Path) -> Result<Config, crate::config::ConfigError> {
        let mut config = Config::load(file, self.data.as_deref())?;
        if let Some(addr) = self.listen {
            config.set_listen(addr);
        }
        if let Some(token) = std::env::var(crate::config::TOKEN_ENV)
            .ok()
            .filter(|t| !t.trim().is_empty())
        {
            let token = token.trim();
            if token.chars().count() < crate::config::MIN_TOKEN {
                return Err(crate::config::ConfigError::Exposed(format!(
                    "${} must be at least {} characters",
                    crate::config::TOKEN_ENV,
                    crate::config::MIN_TOKEN
                )));
            }
            config.server.admin_token = Some(token.to_owned());
        }
        Ok(config)
    }

    /// [`Overrides::load`] for a config that will serve (`run`, `check`, a reload): one
    /// that would open the admin endpoints to other machines is refused.
    pub fn load_to_serve(&self, file: &Path) -> Result<Config, crate::config::ConfigError> {
        let config = self.load(file)?;
        config
            .check_exposure()
            .map_err(crate::config::ConfigError::Exposed)?;
        Ok(config)
    }
}

/// The store for a command that only reads: never created (see [`Store::open_existing`]).
pub fn open_existing_store(config: &Config) -> Result<Store, StoreError> {
    Store::open_existing(&config.storage.path, config.storage.cache_bytes)
}

/// The daemon's store, opened with its parent directory created.
pub fn open_store(config: &Config) -> Result<Store, StoreError> {
    if let Some(parent) = config.storage.path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    Store::open(&config.storage.path, config.storage.cache_bytes)
}

/// The notifier and where polls hand it their new stories (every poll context gets it).
struct Notifications {
    notifier: Arc<Notifier>,
    arrivals: Arrivals,
    task: tokio::task::JoinHandle<()>,
}

/// The running parts, started by [`Daemon::start`].
struct Daemon {
    notify: Notifications,
    store: Arc<Store>,
    state: Arc<AppState>,
    scheduler: Scheduler,
    server: tokio::task::JoinHandle<()>,
    shutdown: CancellationToken,
    reopen: Arc<AtomicBool>,
    triggers: tokio::sync::mpsc::Receiver<reload::Trigger>,
    /// The WebSub subscriber and publisher loops.
    websub: Vec<tokio::task::JoinHandle<()>>,
}

/// The daemon: until SIGINT/SIGTERM, poll on schedule and serve; reload the config on
/// SIGHUP or when its file changes. `overrides` are the command line's, kept for reloads.
pub async fn run(config: Arc<Config>, overrides: Overrides) -> anyhow::Result<Ended> {
    let mut daemon = Daemon::start(&config).await?;
    let mut current = config;
    let server_ended = loop {
        tokio::select! {
            r = &mut daemon.server => break Some(r),
            () = daemon.shutdown.cancelled() => break None,
            Some(_) = daemon.triggers.recv() => {
                current = reload_config(&current, &overrides, &daemon.state, &mut daemon.scheduler, &daemon.store, &daemon.notify).await;
            }
        }
    };
    daemon.stop(server_ended).await
}

impl Daemon {
    /// Opens the store, binds the listener, and starts the scheduler, the server, the
    /// watchdog and the store watch.
    async fn start(config: &Arc<Config>) -> anyhow::Result<Daemon> {
        // The port first: a daemon that cannot serve must not create its data directory.
        let listener = tokio::net::TcpListener::bind(config.server.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.server.listen))?;
        let store = Arc::new(open_daemon_store(config)?);
        let shutdown = shutdown::on_signals();
        let notifier = Notifier::new(store.clone(), config.clone())?;
        let (arrivals, task) = notifier.spawn(shutdown.clone());
        let mut ctx = Context::build(store.clone(), config.clone()).await?;
        ctx.arrivals = Some(arrivals.clone());
        let ctx = Arc::new(ctx);
        let mut scheduler = Scheduler::start(ctx.clone(), shutdown.clone());
        scheduler.retag_if_stale(ctx.clone());
        scheduler.reapply_rules_if_stale(ctx.clone());
        let state = AppState::new(store.clone(), config.clone());
        state.set_poll_requests(scheduler.requests());
        let ws = crate::websub::WebSub::new(ctx);
        state.set_websub(ws.clone());
        let websub = crate::websub::start(&ws, &shutdown);
        state.set_notifier(notifier.clone());
        let app = serve::router(state.clone());
        let addr = listener.local_addr().unwrap_or(config.server.listen);
        let server = tokio::spawn(serve::server::run(listener, app, shutdown.clone(), GRACE));
        info!(
            listen = %addr,
            feeds = config.feeds.len(),
            store = %config.storage.path.display(),
            "showfeed {} is up",
            env!("CARGO_PKG_VERSION")
        );
        // SIGHUP's handler is in place before systemd (or anyone) is told we are ready: a
        // reload asked for at once must not meet the default action, which ends the process.
        let (triggers, watching) = reload::triggers(&config.file, shutdown.clone());
        state.set_watching(watching);
        systemd::ready(&format!(
            "serving {addr}, polling {} feeds",
            config.feeds.len()
        ));
        systemd::spawn_watchdog(store.clone(), scheduler.heartbeat(), shutdown.clone());
        let reopen = spawn_store_watch(store.clone(), shutdown.clone());
        Ok(Daemon {
            notify: Notifications {
                notifier,
                arrivals,
                task,
            },
            store,
            state,
            scheduler,
            server,
            shutdown,
            reopen,
            triggers,
            websub,
        })
    }

    /// The one shutdown path: stop accepting, let requests and polls finish, save the
    /// feed states, flush sled.
    async fn stop(
        self,
        server_ended: Option<Result<(), tokio::task::JoinError>>,
    ) -> anyhow::Result<Ended> {
        let ended = if self.reopen.load(Ordering::Acquire) {
            // Back in a moment, same PID: to systemd this is a reload.
            systemd::reloading();
            Ended::Reopen
        } else {
            systemd::stopping();
            Ended::Stopped
        };
        self.shutdown.cancel();
        // The server stops accepting at once and gives open requests the grace period.
        let server_result = match server_ended {
            Some(r) => r,
            None => self.server.await,
        };
        self.scheduler.join(GRACE).await;
        for task in self.websub {
            let _ = tokio::time::timeout(GRACE, task).await;
        }
        // The sender stops between two requests; one under way gets the grace period.
        if tokio::time::timeout(GRACE, self.notify.task).await.is_err() {
            warn!("a notification was still being sent at shutdown; it is sent again at the next start");
        }
        match self.store.unwritable() {
            None => {
                let st = self.store.clone();
                crate::store::blocking("save the feed states", move || st.save_pending_states())
                    .await
                    .context("cannot save the feed states")?;
                self.store.flush().await.context("cannot flush the store")?;
                info!("store flushed; bye");
            }
            // Nothing can be flushed; what was fetched since is fetched again after the
            // restart (its validators were not stored either).
            Some(u) => warn!(
                "the store could not be written since {} ({}): nothing to flush",
                rfc3339(u.since),
                u.reason
            ),
        }
        server_result.context("the HTTP server task failed")?;
        Ok(ended)
    }
}

/// The daemon's store. One whose directory cannot be written (read-only, full) is served
/// from a temporary copy: the last good entries stay available, polling waits, and the
/// store watch restarts the daemon once the directory can be written.
fn open_daemon_store(config: &Config) -> anyhow::Result<Store> {
    let path = &config.storage.path;
    let why = match Store::probe_dir(path) {
        Ok(()) => match open_store(config) {
            Ok(store) => return Ok(store),
            Err(e) => e
                .cannot_write()
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
    overrides: &Overrides,
    state: &Arc<AppState>,
    scheduler: &mut Scheduler,
    store: &Arc<Store>,
    notify: &Notifications,
) -> Arc<Config> {
    systemd::reloading();
    let next = match overrides.load_to_serve(&current.file) {
        Err(e) => {
            // The whole chain: a file that cannot be read says why (the OS error).
            let message = error_chain(&e);
            error!("config reload refused; the running config stays in force:\n{message}");
            let title = format!("config reload refused: {}", current.file.display());
            record_config_event(store, title, message.clone());
            state.set_config_error(Some(message));
            current.clone()
        }
        Ok(new) => {
            if state.config_error().is_some() {
                info!("the config file is valid again");
                let title = format!("config valid again: {}", current.file.display());
                record_config_event(
                    store,
                    title,
                    "The file on disk loads again and is in force.".into(),
                );
            }
            state.set_config_error(None);
            apply_config(current, new, state, scheduler, store, notify).await
        }
    };
    systemd::ready(&format!("polling {} feeds", next.feeds.len()));
    next
}

/// A `config` event for the health feed.
fn record_config_event(store: &Store, title: String, detail: String) {
    let event = HealthEvent {
        at: now(),
        feed_id: String::new(),
        kind: "config".into(),
        title,
        detail,
    };
    if let Err(e) = store.record_event(&event) {
        warn!("cannot record the event: {}", error_chain(&e));
    }
}

/// Applies a valid new config: the logged diff, a new scheduler generation, and a re-tag
/// when the show list changed.
async fn apply_config(
    current: &Arc<Config>,
    new: Config,
    state: &Arc<AppState>,
    scheduler: &mut Scheduler,
    store: &Arc<Store>,
    notify: &Notifications,
) -> Arc<Config> {
    let diff = crate::config::diff(current, &new);
    if diff.is_empty() {
        info!("config reloaded: no changes");
        return current.clone();
    }
    info!("config reloaded:\n{diff}");
    for r in &diff.needs_restart {
        warn!("{r}: this change needs a restart to take effect");
    }
    let new = Arc::new(new);
    match Context::build(store.clone(), new.clone()).await {
        Ok(mut ctx) => {
            ctx.arrivals = Some(notify.arrivals.clone());
            let ctx = Arc::new(ctx);
            scheduler.restart(ctx.clone(), GRACE).await;
            if diff.shows_changed() {
                scheduler.retag(ctx.clone());
            }
            if let Some(ws) = state.websub() {
                ws.set_context(ctx.clone());
            }
            scheduler.reapply_rules_if_stale(ctx);
        }
        Err(e) => error!("cannot apply the new polling settings: {e:#}"),
    }
    state.set_config(new.clone());
    notify.notifier.set_config(new.clone());
    new
}

/// How often an unwritable store's directory is probed.
const PROBE_EVERY: Duration = Duration::from_secs(5);

/// Watches the store's writability. A write that failed on the disk poisons sled (it must be
/// reopened; even reads can fail), so the daemon restarts in place at once and comes back on
/// a read-only copy. On a copy, probes the real directory and restarts onto it once it can be
/// written again.
/// Whether the real directory of a store served from a read-only copy can be written again.
async fn writable_again(store: &Arc<Store>) -> bool {
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
}

fn spawn_store_watch(store: Arc<Store>, shutdown: CancellationToken) -> Arc<AtomicBool> {
    let reopen = Arc::new(AtomicBool::new(false));
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
                writable_again(&store).await
            } else {
                warn!(
                    "a store write failed ({}): restarting in place to serve a read-only copy",
                    u.reason
                );
                true
            };
            if restart {
                flag.store(true, Ordering::Release);
                shutdown.cancel();
                return;
            }
        }
    });
    reopen
}
