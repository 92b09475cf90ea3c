//! Scheduler: when each feed is polled, and how many polls run at once.
//!
//! Every feed has a due time kept in the store, which each poll sets ([`crate::poll::state`]
//! holds the policy: interval plus jitter, server hints, backoff). A feed never polled
//! before is due at once. One task, the due queue ([`queue`]), starts each feed's poll when
//! it is due or asked for, each poll in a task of its own, so a slow or failing feed delays
//! nobody; a global semaphore and one per host bound the polls in flight. Retention, the
//! batched write-back of feed states, story settling, re-tagging and a heartbeat for the
//! watchdog ([`upkeep`]) run as tasks of the same set, so one shutdown token stops them
//! all. While the store cannot be written (disk full, read-only) nothing is polled.

mod queue;
mod upkeep;

pub use upkeep::{SAVE_STATES_EVERY, SETTLE_DUTY, SETTLE_EVERY};

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::oneshot;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use crate::clock::now;
use crate::config::{Config, Feed};
use crate::errors::error_chain;
use crate::limits::Limits;
use crate::poll::backfill::BackfillStats;
use crate::poll::{self, retag, Context, PollSummary, Report};
use crate::store::FeedState;
use queue::{refresh_guarded, Ask, DueQueue};
use upkeep::{backfill_loop, prune_loop, save_states_loop, settle_loop};

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

/// Polls asked for while the daemon runs (`showfeed poll` against a running daemon): they
/// go to the current generation's due queue, which answers every waiter when that feed's
/// poll is done. Backfills (`showfeed fetch-text`) go to the generation's backfill task.
#[derive(Default)]
pub struct PollRequests {
    /// The generation's feeds (to find a feed's index by id) and its due queue.
    polls: RwLock<Option<(Arc<Config>, UnboundedSender<Ask>)>>,
    backfills: Mutex<Option<tokio::sync::mpsc::UnboundedSender<BackfillAsk>>>,
    settles: Mutex<Option<tokio::sync::mpsc::UnboundedSender<oneshot::Sender<usize>>>>,
}

impl PollRequests {
    /// Asks the due queue to poll `feed_id` now; `None` when no such feed is polled.
    /// Requests that arrive together share one poll; one that arrives while that feed's
    /// poll runs gets the poll right after it (the running one may have fetched already).
    pub fn request(&self, feed_id: &str) -> Option<oneshot::Receiver<PollSummary>> {
        let (tx, rx) = oneshot::channel();
        let polls = self.polls.read();
        let (config, queue) = polls.as_ref()?;
        let index = *config.feed_index.get(feed_id)?;
        queue.send((index, tx)).ok()?;
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

    fn replace(&self, config: Arc<Config>, queue: UnboundedSender<Ask>) {
        *self.polls.write() = Some((config, queue));
    }
}

/// The running scheduler: the due queue, the upkeep tasks and a heartbeat.
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
        let (asks, asked) = tokio::sync::mpsc::unbounded_channel();
        self.requests.replace(ctx.config.clone(), asks);
        let queue = DueQueue::new(ctx.clone(), self.token.clone());
        self.tasks.spawn(queue.run(asked));
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
