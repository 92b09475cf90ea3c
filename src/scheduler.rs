//! Scheduler: when each feed is polled, and how many polls run at once.
//!
//! Every feed has a due time kept in the store. A feed never polled before is due at once;
//! after that its interval plus jitter (so a hundred feeds with one interval do not poll in
//! the same second), stretched by server hints (Cache-Control max-age, RSS ttl) up to
//! `max_interval`, or backed off exponentially after failures (capped at 24 h, never giving
//! up; only 410 Gone disables a feed). Each feed runs in its own task, so a slow or failing
//! feed delays nobody; a global semaphore and one per host bound the polls in flight. While
//! the store cannot be written (disk full, read-only) nothing is polled.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use crate::config::Feed;
use crate::pipeline::{self, Context, Outcome, Report};

/// Backoff never waits longer than this.
pub const MAX_BACKOFF: Duration = Duration::from_secs(24 * 3600);
/// How often retention runs.
pub const PRUNE_EVERY: Duration = Duration::from_secs(3600);

fn jitter(d: Duration) -> Duration {
    // Up to 10% later, never earlier: polite to publishers, spreads polls apart.
    d.mul_f64(1.0 + fastrand::f64() * 0.1)
}

/// Delay after a successful poll: the interval, stretched by a server hint up to
/// `max_interval` (never shortened by one), plus jitter.
pub fn success_delay(
    interval: Duration,
    hint: Option<Duration>,
    max_interval: Duration,
) -> Duration {
    let base = match hint {
        Some(h) if h > interval => h.min(max_interval.max(interval)),
        _ => interval,
    };
    jitter(base)
}

/// Delay after the `failures`-th consecutive failure: interval x 2^failures, at least
/// `Retry-After`, at most [`MAX_BACKOFF`] (or `max_interval` for Retry-After).
pub fn failure_delay(
    interval: Duration,
    failures: u32,
    retry_after: Option<Duration>,
    max_interval: Duration,
) -> Duration {
    let backoff = interval
        .saturating_mul(1 << failures.min(16))
        .min(MAX_BACKOFF);
    let wait = match retry_after {
        Some(r) => backoff.max(r.min(max_interval.max(interval))),
        None => backoff,
    };
    jitter(wait)
}

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
            let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
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
    match tokio::spawn(async move { pipeline::refresh(&c, &f, &t).await }).await {
        Ok(Ok(report)) => Some(report),
        Ok(Err(e)) => {
            error!(feed = %feed.id, "cannot store the poll: {}", pipeline::error_chain(&e));
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
            heartbeat: Arc::new(AtomicI64::new(pipeline::now())),
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
                beat.store(pipeline::now(), Ordering::Release);
                tokio::select! {
                    () = tokio::time::sleep(HEARTBEAT_EVERY) => {}
                    () = token.cancelled() => return,
                }
            }
        });
    }

    /// Seconds since the scheduler last proved alive.
    pub fn heartbeat_age(&self) -> i64 {
        pipeline::now() - self.heartbeat.load(Ordering::Acquire)
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
    let wait = Duration::from_secs(u64::try_from(due - pipeline::now()).unwrap_or(0));
    tokio::select! {
        () = tokio::time::sleep(wait) => true,
        () = cancel.cancelled() => false,
    }
}

async fn feed_loop(ctx: Arc<Context>, feed: Feed, limits: Arc<Limits>, cancel: CancellationToken) {
    loop {
        // Only the due time and the verdict outlive this block: the state is not kept across
        // the sleep, where ten thousand idle feeds wait.
        let (due, disabled) = {
            let state = match ctx.store.feed_state(&feed.id) {
                Ok(s) => s.unwrap_or_default(),
                Err(e) => {
                    error!(feed = %feed.id, "cannot read feed state: {}", pipeline::error_chain(&e));
                    Default::default()
                }
            };
            let same_url = state.url == feed.url.as_str();
            (
                if same_url { state.next_poll } else { 0 },
                same_url && state.disabled.is_some(),
            )
        };
        if disabled {
            info!(feed = %feed.id, "not polling: disabled after HTTP 410 (change its URL to resume)");
            cancel.cancelled().await;
            return;
        }
        if !Box::pin(sleep_until_unix(due, &cancel)).await {
            return;
        }
        if ctx.store.unwritable().is_some() {
            // Fetching what cannot be stored would waste the publisher's bandwidth, and the
            // validators could not advance: wait for the restart that reopens the store.
            cancel.cancelled().await;
            return;
        }
        let host = feed.host_key();
        // Boxed: the idle loop (sleeping until due) is what ten thousand feeds hold in memory,
        // so the larger states of a poll live on the heap only while it runs.
        let permits = tokio::select! {
            p = Box::pin(limits.acquire(&host)) => p,
            () = cancel.cancelled() => return,
        };
        let report = Box::pin(refresh_guarded(&ctx, &feed, &cancel)).await;
        drop(permits);
        match report {
            Some(Report {
                outcome: Outcome::Cancelled,
                ..
            }) => return,
            Some(_) => {}
            // Storage failed: try again after the interval rather than spinning.
            None => {
                if !Box::pin(sleep_until_unix(
                    pipeline::now() + feed.interval.as_secs() as i64,
                    &cancel,
                ))
                .await
                {
                    return;
                }
            }
        }
    }
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
            Ok(Err(e)) => error!("cannot save feed states: {}", pipeline::error_chain(&e)),
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
        let cutoff = pipeline::now() - storage.retention.as_secs() as i64;
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
            Ok(Err(e)) => error!("retention failed: {}", pipeline::error_chain(&e)),
            Err(e) => error!("retention task failed: {e}"),
        }
        ctx.dedup
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .expire(pipeline::now());
        tokio::select! {
            () = tokio::time::sleep(PRUNE_EVERY) => {}
            () = cancel.cancelled() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn hints_stretch_but_never_shorten_and_stay_bounded() {
        let d = success_delay(30 * MIN, Some(5 * MIN), 24 * 60 * MIN);
        assert!(d >= 30 * MIN && d <= 33 * MIN);
        let d = success_delay(30 * MIN, Some(120 * MIN), 24 * 60 * MIN);
        assert!(d >= 120 * MIN && d <= 132 * MIN);
        let d = success_delay(30 * MIN, Some(100 * 60 * MIN), 6 * 60 * MIN);
        assert!(d >= 360 * MIN && d <= 396 * MIN);
    }

    #[test]
    fn backoff_grows_and_caps_at_a_day() {
        let one = failure_delay(30 * MIN, 1, None, 24 * 60 * MIN);
        let two = failure_delay(30 * MIN, 2, None, 24 * 60 * MIN);
        assert!(one >= 60 * MIN && one < 67 * MIN);
        assert!(two >= 120 * MIN);
        let many = failure_delay(30 * MIN, 40, None, 24 * 60 * MIN);
        assert!(many >= MAX_BACKOFF && many <= MAX_BACKOFF.mul_f64(1.1));
        let ra = failure_delay(MIN, 1, Some(90 * MIN), 24 * 60 * MIN);
        assert!(ra >= 90 * MIN);
    }
}
