//! Scheduler: when each feed is polled, and how many polls run at once.
//!
//! Every feed has a due time kept in the store, which each poll sets ([`crate::poll::state`]
//! holds the policy: interval plus jitter, server hints, backoff). A feed never polled
//! before is due at once. Each feed runs in its own task, so a slow or failing feed delays
//! nobody; a global semaphore and one per host bound the polls in flight. Retention,
//! the batched write-back of feed states, re-tagging and a heartbeat for the watchdog run
//! as tasks of the same set, so one shutdown token stops them all. While the store cannot
//! be written (disk full, read-only) nothing is polled.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use crate::clock::now;
use crate::config::Feed;
use crate::errors::error_chain;
use crate::poll::{self, retag, Context, Outcome, Report};

/// How often retention runs.
pub const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Concurrency limits: a global one and one per host.
pub struct Limits {
    global: Arc<Semaphore>,
    per_host: usize,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// Permits held while a poll runs.
pub struct Permits {
    _host: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

impl Limits {
    /// `concurrency` polls at once, `per_host` of them against one host.
    pub fn new(concurrency: usize, per_host: usize) -> Limits {
        Limits {
            global: Arc::new(Semaphore::new(concurrency)),
            per_host,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a slot for `host`. The host slot is taken first, so a feed queued behind
    /// its host never holds a global slot others could use.
    pub async fn acquire(&self, host: &str) -> Permits {
        let host_sem = {
            let mut hosts = self.hosts.lock();
            hosts
                .entry(host.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_host)))
                .clone()
        };
        // The semaphores are never closed, so acquisition cannot fail.
        let host = loop {
            if let Ok(p) = host_sem.clone().acquire_owned().await {
                break p;
            }
        };
        let global = loop {
            if let Ok(p) = self.global.clone().acquire_owned().await {
                break p;
            }
        };
        Permits {
            _host: host,
            _global: global,
        }
    }
}

/// Runs one refresh in its own task, so a panic is reported as this feed's failure.
async fn refresh_guarded(
    ctx: &Arc<Context>,
    feed: &Feed,
    cancel: &CancellationToken,
) -> Option<Report> {
    let (c, f, t) = (ctx.clone(), feed.clone(), cancel.clone());
    match tokio::spawn(async move { poll::refresh(&c, &f, &t).await }).await {
        Ok(Ok(report)) => Some(report),
        Ok(Err(e)) => {
            error!(feed = %feed.id, "cannot store the poll: {}", error_chain(&e));
            None
        }
        Err(e) => {
            error!(feed = %feed.id, "poll task failed: {e}");
            None
        }
    }
}

/// Polls every feed once, ignoring due times (the `poll` command), within the limits.
pub async fn poll_all(ctx: Arc<Context>, feeds: &[Feed]) -> Vec<(String, Option<Report>)> {
    let limits = Arc::new(Limits::new(
        ctx.config.polling.concurrency,
        ctx.config.polling.per_host,
    ));
    let cancel = CancellationToken::new();
    let mut set = JoinSet::new();
    for feed in feeds.iter().cloned() {
        let (ctx, limits, cancel) = (ctx.clone(), limits.clone(), cancel.clone());
        set.spawn(async move {
            let _permits = limits.acquire(&feed.host_key()).await;
            let report = refresh_guarded(&ctx, &feed, &cancel).await;
            (feed.id, report)
        });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        if let Ok(r) = r {
            out.push(r);
        }
    }
    out
}

/// The running scheduler: one task per feed, the retention task and a heartbeat.
pub struct Scheduler {
    shutdown: CancellationToken,
    /// Cancels this generation of tasks (a reload starts a new one).
    token: CancellationToken,
    tasks: JoinSet<()>,
    heartbeat: Arc<AtomicI64>,
}

/// How often the scheduler proves it is alive (for the systemd watchdog).
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);

impl Scheduler {
    /// Starts polling the feeds of `ctx.config`; everything stops when `shutdown` is cancelled.
    pub fn start(ctx: Arc<Context>, shutdown: CancellationToken) -> Scheduler {
        let mut s = Scheduler {
            token: shutdown.child_token(),
            shutdown,
            tasks: JoinSet::new(),
            heartbeat: Arc::new(AtomicI64::new(now())),
        };
        s.spawn(ctx);
        s
    }

    fn spawn(&mut self, ctx: Arc<Context>) {
        let limits = Arc::new(Limits::new(
            ctx.config.polling.concurrency,
            ctx.config.polling.per_host,
        ));
        for feed in ctx.config.feeds.clone() {
            self.tasks.spawn(feed_loop(
                ctx.clone(),
                feed,
                limits.clone(),
                self.token.clone(),
            ));
        }
        self.tasks
            .spawn(save_states_loop(ctx.clone(), self.token.clone()));
        self.tasks.spawn(prune_loop(ctx, self.token.clone()));
        let (beat, token) = (self.heartbeat.clone(), self.token.clone());
        self.tasks.spawn(async move {
            loop {
                beat.store(now(), Ordering::Release);
                tokio::select! {
                    () = tokio::time::sleep(HEARTBEAT_EVERY) => {}
                    () = token.cancelled() => return,
                }
            }
        });
    }

    /// Re-tags the stored entries with `ctx`'s tagger, as a task of this generation: a
    /// reload or shutdown stops it between chunks, so it never writes after the final flush.
    pub fn retag(&mut self, ctx: Arc<Context>) {
        let token = self.token.clone();
        self.tasks.spawn(async move {
            let stop = token.clone();
            let done = tokio::task::spawn_blocking(move || {
                retag::retag_store(&ctx, &|| stop.is_cancelled())
            })
            .await;
            match done {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => warn!("re-tagging failed: {}", error_chain(&e)),
                Err(e) => error!("re-tagging task failed: {e}"),
            }
        });
    }

    /// At startup: re-tag if the show list (or the tagging rules) changed since the stored
    /// tags were made, e.g. feeds.toml edited while the daemon was down.
    pub fn retag_if_stale(&mut self, ctx: Arc<Context>) {
        if retag::tags_are_stale(&ctx) {
            info!(
                "the show list changed since the entries were tagged: re-tagging in the background"
            );
            self.retag(ctx);
        }
    }

    /// Seconds since the scheduler last proved alive.
    pub fn heartbeat_age(&self) -> i64 {
        now() - self.heartbeat.load(Ordering::Acquire)
    }

    /// A handle the watchdog can read without holding the scheduler.
    pub fn heartbeat(&self) -> Arc<AtomicI64> {
        self.heartbeat.clone()
    }

    /// Applies a new config: stops this generation of tasks (a poll that is writing finishes
    /// its write; one still fetching is abandoned and, being still due, runs again at once)
    /// and starts the feeds of `ctx.config`. Due times live in the store, so unchanged feeds
    /// keep their schedule; added feeds and feeds with a new URL are due at once.
    pub async fn restart(&mut self, ctx: Arc<Context>, grace: Duration) {
        self.token.cancel();
        self.drain(grace).await;
        self.token = self.shutdown.child_token();
        self.spawn(ctx);
    }

    async fn drain(&mut self, grace: Duration) {
        let tasks = &mut self.tasks;
        let all = async { while tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(grace, all).await.is_err() {
            warn!(
                "polls still running after {}; abandoning them",
                humantime::format_duration(grace)
            );
            self.tasks.abort_all();
            while self.tasks.join_next().await.is_some() {}
        }
    }

    /// Waits for every task to finish (after shutdown), at most `grace`.
    pub async fn join(mut self, grace: Duration) {
        self.token.cancel();
        self.drain(grace).await;
    }
}

async fn sleep_until_unix(due: i64, cancel: &CancellationToken) -> bool {
    let wait = Duration::from_secs(u64::try_from(due - now()).unwrap_or(0));
    tokio::select! {
        () = tokio::time::sleep(wait) => true,
        () = cancel.cancelled() => false,
    }
}

/// When `feed` is first due after a start or reload, from its stored state (read on a
/// blocking thread); `None` when it is disabled (HTTP 410 at this URL).
async fn first_due(ctx: &Arc<Context>, feed: &Feed) -> Option<i64> {
    let (store, id) = (ctx.store.clone(), feed.id.clone());
    let state =
        match crate::store::blocking("read the feed state", move || store.feed_state(&id)).await {
            Ok(s) => s.unwrap_or_default(),
            Err(e) => {
                error!(feed = %feed.id, "cannot read feed state: {}", error_chain(&e));
                Default::default()
            }
        };
    if state.url != feed.url.as_str() {
        return Some(0);
    }
    state.disabled.is_none().then_some(state.next_poll)
}

/// One feed's life: sleep until due, poll within the limits, repeat. Only the due time is
/// kept across the sleep, where ten thousand idle feeds wait; each poll reports the next.
async fn feed_loop(ctx: Arc<Context>, feed: Feed, limits: Arc<Limits>, cancel: CancellationToken) {
    let mut due = first_due(&ctx, &feed).await;
    while let Some(at) = due {
        if !Box::pin(sleep_until_unix(at, &cancel)).await {
            return;
        }
        if ctx.store.unwritable().is_some() {
            // Fetching what cannot be stored would waste the publisher's bandwidth, and the
            // validators could not advance: wait for the restart that reopens the store.
            break;
        }
        // Boxed: the idle loop (sleeping until due) is what ten thousand feeds hold in memory,
        // so the larger states of a poll live on the heap only while it runs.
        let host = feed.host_key();
        let permits = tokio::select! {
            p = Box::pin(limits.acquire(&host)) => p,
            () = cancel.cancelled() => return,
        };
        let report = Box::pin(refresh_guarded(&ctx, &feed, &cancel)).await;
        drop(permits);
        due = match report {
            Some(Report {
                outcome: Outcome::Cancelled,
                ..
            }) => return,
            Some(Report {
                outcome: Outcome::Gone,
                ..
            }) => None,
            Some(r) => Some(r.next_poll),
            // Storage failed: try again after the interval rather than spinning.
            None => Some(now().saturating_add(feed.interval.as_secs() as i64)),
        };
    }
    if ctx.store.unwritable().is_none() {
        info!(feed = %feed.id, "not polling: disabled after HTTP 410 (change its URL to resume)");
    }
    cancel.cancelled().await;
}

/// How often feed states of polls that stored nothing are written (in one batch).
pub const SAVE_STATES_EVERY: Duration = Duration::from_secs(30);

async fn save_states_loop(ctx: Arc<Context>, cancel: CancellationToken) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(SAVE_STATES_EVERY) => {}
            () = cancel.cancelled() => return,
        }
        if ctx.store.unwritable().is_some() {
            continue;
        }
        let store = ctx.store.clone();
        match tokio::task::spawn_blocking(move || store.save_pending_states()).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => error!("cannot save feed states: {}", error_chain(&e)),
            Err(e) => error!("feed state task failed: {e}"),
        }
    }
}

async fn prune_loop(ctx: Arc<Context>, cancel: CancellationToken) {
    loop {
        if ctx.store.unwritable().is_some() {
            cancel.cancelled().await;
            return;
        }
        let storage = &ctx.config.storage;
        let cutoff = now() - storage.retention.as_secs() as i64;
        let store = ctx.store.clone();
        let max = storage.max_entries;
        match tokio::task::spawn_blocking(move || store.prune(cutoff, max)).await {
            Ok(Ok(stats)) if stats.expired + stats.evicted > 0 => {
                info!(
                    expired = stats.expired,
                    evicted = stats.evicted,
                    "retention pruned entries"
                );
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => error!("retention failed: {}", error_chain(&e)),
            Err(e) => error!("retention task failed: {e}"),
        }
        let c = ctx.clone();
        // The index lock can wait for an ingest: not on an async worker.
        let _ = tokio::task::spawn_blocking(move || c.dedup.lock().expire(now())).await;
        tokio::select! {
            () = tokio::time::sleep(PRUNE_EVERY) => {}
            () = cancel.cancelled() => return,
        }
    }
}
