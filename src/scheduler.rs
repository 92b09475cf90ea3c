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

use parking_lot::{Mutex, RwLock};
use std::time::Duration;
use tokio::sync::{oneshot, Notify};

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use crate::clock::now;
use crate::config::{Config, Feed};
use crate::errors::error_chain;
use crate::limits::Limits;
use crate::poll::backfill::BackfillStats;
use crate::poll::state::is_transient;
use crate::poll::{self, retag, Context, Outcome, PollSummary, Report};
use crate::store::FeedState;

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
    poll_all_with(ctx, feeds, |_, _| {}).await
}

/// [`poll_all`], calling `done` as each poll ends (for a progress bar).
pub async fn poll_all_with(
    ctx: Arc<Context>,
    feeds: &[Feed],
    mut done: impl FnMut(&str, Option<&Report>),
) -> Vec<(String, Option<Report>)> {
    let limits = ctx.limits.clone();
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
            done(&r.0, r.1.as_ref());
            out.push(r);
        }
    }
    out
}

pub use crate::config::UnknownFeed;

/// The feeds a poll on demand covers: every configured feed, the ones named (each must
/// exist), or, with `failing`, those whose last poll failed.
pub fn feeds_to_poll<'a>(
    config: &'a Config,
    states: &HashMap<String, FeedState>,
    ids: &[String],
    failing: bool,
) -> Result<Vec<&'a Feed>, UnknownFeed> {
    if let Some(id) = ids.iter().find(|id| config.feed(id).is_none()) {
        return Err(UnknownFeed(id.clone()));
    }
    Ok(config
        .feeds
        .iter()
        .filter(|f| ids.is_empty() || ids.contains(&f.id))
        .filter(|f| {
            !failing
                || states
                    .get(&f.id)
                    .is_some_and(|s| s.consecutive_failures > 0)
        })
        .collect())
}

/// A request to poll one feed now, answered with the poll's summary.
type Waiter = oneshot::Sender<PollSummary>;

/// The polls asked of one feed task and not yet answered, and its wake-up. Lighter than a
/// channel per feed (a channel allocates a block of slots up front), which matters when ten
/// thousand feed tasks each hold one.
#[derive(Default)]
struct Asks {
    waiters: Mutex<Vec<Waiter>>,
    wake: Notify,
}

impl Asks {
    /// Everything asked so far; the poll about to run answers all of it.
    fn take(&self) -> Vec<Waiter> {
        std::mem::take(&mut *self.waiters.lock())
    }
}

/// A `showfeed fetch-text` asked of the running daemon: the feeds (all with `full_text`
/// when empty), entries published since (Unix seconds), and where the answer goes.
pub struct BackfillAsk {
    /// Feed ids.
    pub feeds: Vec<String>,
    /// Entries published at or after this.
    pub since: i64,
    /// What the backfill did, or why it could not run.
    pub reply: oneshot::Sender<Result<BackfillStats, String>>,
}

/// Polls asked for while the daemon runs (`showfeed poll` against a running daemon): each
/// feed task of the current generation has its own [`Asks`], and answers every waiter when
/// its poll is done. Backfills (`showfeed fetch-text`) go to the generation's backfill task.
#[derive(Default)]
pub struct PollRequests {
    feeds: RwLock<HashMap<String, Arc<Asks>>>,
    backfills: Mutex<Option<tokio::sync::mpsc::UnboundedSender<BackfillAsk>>>,
    settles: Mutex<Option<tokio::sync::mpsc::UnboundedSender<oneshot::Sender<usize>>>>,
}

impl PollRequests {
    /// Asks the feed task of `feed_id` to poll now; `None` when no such feed is polled.
    /// Requests that arrive while one is pending join it: one poll answers them all.
    pub fn request(&self, feed_id: &str) -> Option<oneshot::Receiver<PollSummary>> {
        let (tx, rx) = oneshot::channel();
        let asks = self.feeds.read().get(feed_id)?.clone();
        asks.waiters.lock().push(tx);
        asks.wake.notify_one();
        Some(rx)
    }

    /// Asks the running generation to fetch the missing articles of `feeds` since `since`;
    /// `None` when no scheduler runs.
    pub fn fetch_text(
        &self,
        feeds: Vec<String>,
        since: i64,
    ) -> Option<oneshot::Receiver<Result<BackfillStats, String>>> {
        let (reply, rx) = oneshot::channel();
        let ask = BackfillAsk {
            feeds,
            since,
            reply,
        };
        self.backfills.lock().as_ref()?.send(ask).ok()?;
        Some(rx)
    }

    /// Asks the running generation to settle the stories now ([`poll::settle`]), as
    /// `showfeed poll` does after polling in its own process; answered with the number of
    /// entries moved. `None` when no scheduler runs.
    pub fn settle(&self) -> Option<oneshot::Receiver<usize>> {
        let (reply, rx) = oneshot::channel();
        self.settles.lock().as_ref()?.send(reply).ok()?;
        Some(rx)
    }

    fn replace(&self, feeds: HashMap<String, Arc<Asks>>) {
        *self.feeds.write() = feeds;
    }
}

/// The running scheduler: one task per feed, the retention task and a heartbeat.
pub struct Scheduler {
    shutdown: CancellationToken,
    /// Cancels this generation of tasks (a reload starts a new one).
    token: CancellationToken,
    tasks: JoinSet<()>,
    heartbeat: Arc<AtomicI64>,
    requests: Arc<PollRequests>,
    /// The limits this generation polls under (a reload hands their site holds on).
    limits: Arc<Limits>,
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
            requests: Arc::default(),
            limits: ctx.limits.clone(),
        };
        s.spawn(ctx);
        s
    }

    fn spawn(&mut self, ctx: Arc<Context>) {
        let limits = ctx.limits.clone();
        let mut channels = HashMap::new();
        for (index, feed) in ctx.config.feeds.iter().enumerate() {
            let asks = Arc::new(Asks::default());
            channels.insert(feed.id.clone(), asks.clone());
            let task = FeedTask {
                ctx: ctx.clone(),
                index,
                limits: limits.clone(),
                cancel: self.token.clone(),
                requests: asks,
            };
            self.tasks.spawn(task.run());
        }
        self.requests.replace(channels);
        let (asks, backfills) = tokio::sync::mpsc::unbounded_channel();
        *self.requests.backfills.lock() = Some(asks);
        self.tasks
            .spawn(backfill_loop(ctx.clone(), backfills, self.token.clone()));
        self.tasks
            .spawn(save_states_loop(ctx.clone(), self.token.clone()));
        let (asks, settles) = tokio::sync::mpsc::unbounded_channel();
        *self.requests.settles.lock() = Some(asks);
        self.tasks
            .spawn(settle_loop(ctx.clone(), settles, self.token.clone()));
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
                retag::retag_store(&ctx, &|| stop.is_cancelled(), &|| {})
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
                "the show list or the tagging rules changed since the entries were tagged: re-tagging in the background"
            );
            self.retag(ctx);
        }
    }

    /// Applies the ingest rules to the stored entries (hide what they drop, show again what
    /// they no longer drop) when the rule set changed since they were last applied; a task
    /// of this generation, stopped between chunks by a reload or shutdown.
    pub fn reapply_rules_if_stale(&mut self, ctx: Arc<Context>) {
        if !poll::rules::rules_are_stale(&ctx) {
            return;
        }
        info!("the ingest rules changed: applying them to the stored entries in the background");
        let token = self.token.clone();
        self.tasks.spawn(async move {
            let stop = token.clone();
            let done = tokio::task::spawn_blocking(move || {
                poll::rules::reapply(&ctx, &|| stop.is_cancelled())
            })
            .await;
            match done {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => warn!("applying the ingest rules failed: {}", error_chain(&e)),
                Err(e) => error!("the ingest rules task failed: {e}"),
            }
        });
    }

    /// Where polls can be asked for while the daemon runs.
    pub fn requests(&self) -> Arc<PollRequests> {
        self.requests.clone()
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
        ctx.limits.carry_holds_from(&self.limits);
        self.limits = ctx.limits.clone();
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
    if state.disabled.is_some() {
        return None;
    }
    // A feed that failed for the network's sake (DNS, connect, timeout) before this start is
    // retried at once: the blip may be over, and the admin restarted to see.
    let transient = state.consecutive_failures > 0
        && state.last_error_kind.as_deref().is_some_and(is_transient);
    Some(if transient { 0 } else { state.next_poll })
}

/// One feed's task: its poll loop and the requests to poll it now.
struct FeedTask {
    ctx: Arc<Context>,
    /// Its feed in `ctx.config.feeds`: not a copy, which each of ten thousand idle tasks
    /// would hold (a feed's settings are about a kilobyte).
    index: usize,
    limits: Arc<Limits>,
    cancel: CancellationToken,
    requests: Arc<Asks>,
}

/// What woke a feed task.
enum Wake {
    Due,
    Asked,
    Stop,
}

impl FeedTask {
    fn feed(&self) -> &Feed {
        &self.ctx.config.feeds[self.index]
    }

    /// One feed's life: sleep until due (or asked), poll within the limits, repeat. Only the
    /// due time is kept across the sleep, where ten thousand idle feeds wait; each poll
    /// reports the next. A feed disabled by HTTP 410 sleeps until asked.
    async fn run(mut self) {
        let mut due = first_due(&self.ctx, self.feed()).await;
        if due.is_none() {
            info!(feed = %self.feed().id, "not polling: disabled after HTTP 410 (change its URL to resume)");
        }
        loop {
            let wake = Box::pin(self.wake(due)).await;
            if matches!(wake, Wake::Stop) {
                return;
            }
            let waiters = self.requests.take();
            if matches!(wake, Wake::Asked) && waiters.is_empty() {
                // A wake-up left over from requests the last poll already answered.
                continue;
            }
            if let Some(why) = self.ctx.store.unwritable() {
                // Fetching what cannot be stored would waste the publisher's bandwidth, and
                // the validators could not advance: wait for the restart that reopens it.
                crate::metrics::get().polls_skipped.inc();
                let why = format!("the store cannot be written ({})", why.reason);
                for w in waiters {
                    let _ = w.send(PollSummary::skipped(&self.feed().id, &why));
                }
                due = None;
                continue;
            }
            if let Some(wait) = self.ctx.limits.held(&self.feed().host_key()) {
                // Another feed of this site got a 429 (or a 503 with Retry-After): asking
                // again before it ends would only earn another.
                crate::metrics::get().polls_skipped.inc();
                let why = format!(
                    "its site asked to slow down (HTTP 429/503 on another of its feeds); next try in {}",
                    crate::poll::cadence::round(wait)
                );
                for w in waiters {
                    let _ = w.send(PollSummary::skipped(&self.feed().id, &why));
                }
                due = Some(now().saturating_add(wait.as_secs() as i64 + 1));
                continue;
            }
            let Some(report) = self.poll().await else {
                // Storage failed: try again after the interval rather than spinning.
                due = Some(now().saturating_add(self.feed().interval.as_secs() as i64));
                continue;
            };
            let summary = PollSummary::of(&self.feed().id, Some(&report));
            for w in waiters {
                let _ = w.send(summary.clone());
            }
            due = match report.outcome {
                Outcome::Cancelled => return,
                Outcome::Gone => None,
                _ => Some(report.next_poll),
            };
        }
    }

    /// Sleeps until `due` (forever for `None`), a request or shutdown.
    async fn wake(&mut self, due: Option<i64>) -> Wake {
        let wait = due.map_or(Duration::MAX, |d| {
            Duration::from_secs(u64::try_from(d - now()).unwrap_or(0))
        });
        tokio::select! {
            () = tokio::time::sleep(wait.min(Duration::from_secs(365 * 86_400))) => Wake::Due,
            () = self.requests.wake.notified() => Wake::Asked,
            () = self.cancel.cancelled() => Wake::Stop,
        }
    }

    /// One poll within the limits; `None` when it could not be stored (logged).
    async fn poll(&self) -> Option<Report> {
        let host = self.feed().host_key();
        // Boxed: the idle loop is what ten thousand feeds hold in memory, so the larger
        // states of a poll live on the heap only while it runs.
        let permits = tokio::select! {
            p = Box::pin(self.limits.acquire(&host)) => p,
            () = self.cancel.cancelled() => return Some(Report {
                feed_id: self.feed().id.clone(),
                outcome: Outcome::Cancelled,
                next_poll: 0,
            }),
        };
        let report = Box::pin(refresh_guarded(&self.ctx, self.feed(), &self.cancel)).await;
        drop(permits);
        report
    }
}

/// Runs the backfills asked of this generation one after another, under its token: a
/// reload or shutdown stops one between articles (what was stored stays).
async fn backfill_loop(
    ctx: Arc<Context>,
    mut asks: tokio::sync::mpsc::UnboundedReceiver<BackfillAsk>,
    cancel: CancellationToken,
) {
    loop {
        let ask = tokio::select! {
            a = asks.recv() => a,
            () = cancel.cancelled() => return,
        };
        let Some(ask) = ask else { return };
        let result = match poll::backfill::feeds_of(&ctx.config, &ask.feeds) {
            Err(e) => Err(e.to_string()),
            Ok(feeds) => poll::backfill::run(&ctx, &feeds, ask.since, &cancel, |_, _| {})
                .await
                .map_err(|e| error_chain(&e)),
        };
        match &result {
            Ok(stats) if stats.tried > 0 => info!(
                feeds = ?ask.feeds,
                tried = stats.tried,
                fetched = stats.fetched,
                "articles fetched for stored entries"
            ),
            Ok(_) => {}
            Err(e) => warn!("fetching articles for stored entries failed: {e}"),
        }
        let _ = ask.reply.send(result);
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
            Ok(Err(e)) => error!("cannot save feed states: {}", error_chain(&e)),
            Err(e) => error!("feed state task failed: {e}"),
        }
    }
}

/// How often the daemon settles the stories ([`poll::settle`]) when polls stored something
/// since the last time: readers see stories that depend on arrival order for at most this
/// long...
pub const SETTLE_EVERY: Duration = Duration::from_secs(60);
/// ...or for this many times as long as the last settling took, when that is longer: a
/// settling holds the dedup lock (polls wait), so it takes at most 1% of the time (a
/// 120,000-entry window takes about 3.4 s: every 6 minutes).
pub const SETTLE_DUTY: u32 = 100;

async fn settle_loop(
    ctx: Arc<Context>,
    mut asks: tokio::sync::mpsc::UnboundedReceiver<oneshot::Sender<usize>>,
    cancel: CancellationToken,
) {
    let mut settled_at = ctx.store.generation();
    let mut pause = SETTLE_EVERY;
    loop {
        let reply = tokio::select! {
            () = tokio::time::sleep(pause) => None,
            Some(reply) = asks.recv() => Some(reply),
            () = cancel.cancelled() => return,
        };
        let unchanged = ctx.store.generation() == settled_at && reply.is_none();
        if unchanged || ctx.store.unwritable().is_some() {
            if let Some(reply) = reply {
                let _ = reply.send(0);
            }
            continue;
        }
        let c = ctx.clone();
        let started = std::time::Instant::now();
        let moved = match tokio::task::spawn_blocking(move || poll::settle::settle(&c)).await {
            Ok(Ok(moved)) => moved,
            Ok(Err(e)) => {
                error!("cannot settle the stories: {}", error_chain(&e));
                0
            }
            Err(e) => {
                error!("story settling task failed: {e}");
                0
            }
        };
        pause = SETTLE_EVERY.max(started.elapsed() * SETTLE_DUTY);
        if moved > 0 {
            info!(moved, "stories settled in publication order");
        }
        settled_at = ctx.store.generation();
        if let Some(reply) = reply {
            let _ = reply.send(moved);
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
            () = tokio::time::sleep(storage.prune_every) => {}
            () = cancel.cancelled() => return,
        }
    }
}
