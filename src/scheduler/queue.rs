//! The due queue: one task that polls every feed of a generation when it is due.
//!
//! Each feed's next poll time sits in a binary heap. The task sleeps until the earliest,
//! starts that feed's poll as a task of its own (within the global and per-site limits, so a
//! slow or failing feed delays nobody), and files the feed again at the time its poll
//! reports. Polls asked for while the daemon runs (`showfeed poll`) arrive on a channel and
//! start at once, or right after the poll already running for that feed. One task and a
//! heap entry per feed, instead of a sleeping task per feed: ten thousand idle feeds hold a
//! few hundred kilobytes, where they held about fifteen megabytes.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::{Id, JoinError, JoinSet};
use tokio_util::sync::CancellationToken;
use tracing::{error, info};

use super::Waiter;
use crate::clock::now;
use crate::config::Feed;
use crate::errors::error_chain;
use crate::poll::state::is_transient;
use crate::poll::{self, Context, Outcome, PollSummary, Report};
use crate::store::FeedState;

/// A poll asked for: the feed's index in the generation's config, and where its summary goes.
pub(super) type Ask = (usize, Waiter);

/// The due time of a feed that is not waiting in the heap: it is polling, disabled by HTTP
/// 410, or waiting for a store that cannot be written. Only an ask starts it then.
const NOT_DUE: i64 = i64::MAX;

/// The longest single sleep: a queue with nothing due still wakes once a year.
const MAX_SLEEP: Duration = Duration::from_secs(365 * 86_400);

/// What a finished poll task hands back: its report, and the asks it answers.
type Done = (Option<Report>, Vec<Waiter>);

/// Every feed's schedule in one generation (see the module docs).
pub(super) struct DueQueue {
    ctx: Arc<Context>,
    cancel: CancellationToken,
    /// (due time, feed index), earliest first. An entry whose time is no longer the feed's
    /// `due` is stale (the feed was asked for, started, or filed again) and is skipped: a
    /// running feed's `due` is `NOT_DUE`, which the heap never holds.
    heap: BinaryHeap<Reverse<(i64, usize)>>,
    /// Each feed's due time (Unix seconds), by index in `ctx.config.feeds`.
    due: Vec<i64>,
    /// Feeds whose poll runs now.
    running: Vec<bool>,
    /// Asks not yet taken by a poll: the next poll of that feed answers them.
    asks: HashMap<usize, Vec<Waiter>>,
    /// The polls in flight, and which feed each task polls (to file it again even when
    /// the task itself failed).
    polls: JoinSet<Done>,
    feed_of: HashMap<Id, usize>,
}

impl DueQueue {
    /// A queue for the feeds of `ctx.config`; nothing runs until [`DueQueue::run`].
    pub(super) fn new(ctx: Arc<Context>, cancel: CancellationToken) -> DueQueue {
        let n = ctx.config.feeds.len();
        DueQueue {
            ctx,
            cancel,
            heap: BinaryHeap::with_capacity(n),
            due: vec![NOT_DUE; n],
            running: vec![false; n],
            asks: HashMap::new(),
            polls: JoinSet::new(),
            feed_of: HashMap::new(),
        }
    }

    /// The generation's polling: file every feed at its stored due time, then start each
    /// poll when due or asked, until the token is cancelled; then wait for the polls in
    /// flight (each stops at its next safe point; one that is writing finishes its write).
    pub(super) async fn run(mut self, mut asked: UnboundedReceiver<Ask>) {
        self.file_stored_due_times().await;
        loop {
            let sleep = tokio::time::sleep(self.until_next());
            tokio::select! {
                () = self.cancel.cancelled() => break,
                Some(done) = self.polls.join_next_with_id(), if !self.polls.is_empty() => {
                    self.finished(done);
                }
                Some(first) = asked.recv() => self.asked(first, &mut asked),
                () = sleep => self.start_due(),
            }
        }
        while let Some(done) = self.polls.join_next_with_id().await {
            self.finished(done);
        }
    }

    fn feed(&self, index: usize) -> &Feed {
        &self.ctx.config.feeds[index]
    }

    /// Reads every feed state in one blocking scan and files each feed at its first due time.
    async fn file_stored_due_times(&mut self) {
        let store = self.ctx.store.clone();
        let states =
            match crate::store::blocking("read the feed states", move || store.feed_states()).await
            {
                Ok(states) => states,
                Err(e) => {
                    error!("cannot read the feed states: {}", error_chain(&e));
                    HashMap::new()
                }
            };
        for index in 0..self.due.len() {
            let feed = self.feed(index);
            match first_due(feed, states.get(&feed.id)) {
                Some(due) => self.file(index, due),
                None => {
                    info!(feed = %feed.id, "not polling: disabled after HTTP 410 (change its URL to resume)")
                }
            }
        }
    }

    /// Puts feed `index` in the heap at `due` (`NOT_DUE`: out of it until asked).
    fn file(&mut self, index: usize, due: i64) {
        self.due[index] = due;
        if due != NOT_DUE {
            self.heap.push(Reverse((due, index)));
        }
    }

    /// How long until the earliest feed is due (dropping stale heap entries on the way).
    fn until_next(&mut self) -> Duration {
        while let Some(&Reverse((due, index))) = self.heap.peek() {
            if self.due[index] == due {
                let secs = u64::try_from(due.saturating_sub(now())).unwrap_or(0);
                return Duration::from_secs(secs).min(MAX_SLEEP);
            }
            self.heap.pop();
        }
        MAX_SLEEP
    }

    /// Starts every feed whose time has come.
    fn start_due(&mut self) {
        let t = now();
        while let Some(&Reverse((due, index))) = self.heap.peek() {
            if due > t {
                break;
            }
            self.heap.pop();
            if self.due[index] == due {
                self.start(index);
            }
        }
    }

    /// Polls asked for: `first` and every ask already queued behind it (asks that arrive
    /// together share one poll per feed). Each feed starts now, or after its running poll.
    fn asked(&mut self, first: Ask, more: &mut UnboundedReceiver<Ask>) {
        let mut starting = Vec::new();
        for (index, waiter) in
            std::iter::once(first).chain(std::iter::from_fn(|| more.try_recv().ok()))
        {
            if index >= self.due.len() {
                continue;
            }
            self.asks.entry(index).or_default().push(waiter);
            if !self.running[index] {
                starting.push(index);
            }
        }
        starting.sort_unstable();
        starting.dedup();
        for index in starting {
            self.start(index);
        }
    }

    /// Starts feed `index`'s poll as its own task, answering the asks queued for it; unless
    /// the store cannot be written or the feed's site asked us to wait, which the asks are
    /// told.
    fn start(&mut self, index: usize) {
        let waiters = self.asks.remove(&index).unwrap_or_default();
        self.due[index] = NOT_DUE;
        if let Some(why) = self.ctx.store.unwritable() {
            // Fetching what cannot be stored would waste the publisher's bandwidth, and
            // the validators could not advance: wait for the restart that reopens it.
            let why = format!("the store cannot be written ({})", why.reason);
            self.skip(index, waiters, &why);
            return;
        }
        if let Some(wait) = self.ctx.limits.held(&self.feed(index).host_key()) {
            // Another feed of this site got a 429 (or a 503 with Retry-After): asking
            // again before it ends would only earn another.
            let why = format!(
                "its site asked to slow down (HTTP 429/503 on another of its feeds); next try in {}",
                crate::poll::cadence::round(wait)
            );
            self.skip(index, waiters, &why);
            self.file(index, now().saturating_add(wait.as_secs() as i64 + 1));
            return;
        }
        self.running[index] = true;
        let (ctx, cancel) = (self.ctx.clone(), self.cancel.clone());
        let task = self.polls.spawn(async move {
            let report = poll_within_limits(&ctx, index, &cancel).await;
            (report, waiters)
        });
        self.feed_of.insert(task.id(), index);
    }

    /// A poll not run: counted, and every ask told why.
    fn skip(&self, index: usize, waiters: Vec<Waiter>, why: &str) {
        crate::metrics::get().polls_skipped.inc();
        for w in waiters {
            let _ = w.send(PollSummary::skipped(&self.feed(index).id, why));
        }
    }

    /// A poll task ended: answer its asks, file the feed at the time the poll reports, and
    /// start it again at once if it was asked for while it ran.
    fn finished(&mut self, done: Result<(Id, Done), JoinError>) {
        let (id, report, waiters) = match done {
            Ok((id, (report, waiters))) => (id, report, waiters),
            Err(e) => {
                error!("poll task failed: {e}");
                (e.id(), None, Vec::new())
            }
        };
        let Some(index) = self.feed_of.remove(&id) else {
            return;
        };
        self.running[index] = false;
        let summary = PollSummary::of(&self.feed(index).id, report.as_ref());
        for w in waiters {
            let _ = w.send(summary.clone());
        }
        let next = match report {
            // Storage failed: try again after the interval rather than spinning.
            None => now().saturating_add(self.feed(index).interval.as_secs() as i64),
            Some(r) => match r.outcome {
                Outcome::Cancelled | Outcome::Gone => NOT_DUE,
                _ => r.next_poll,
            },
        };
        self.file(index, next);
        if self.asks.contains_key(&index) && !self.cancel.is_cancelled() {
            self.start(index);
        }
    }
}

/// When `feed` is first due after a start or reload, from its stored state; `None` when it
/// is disabled (HTTP 410 at this URL).
fn first_due(feed: &Feed, state: Option<&FeedState>) -> Option<i64> {
    let Some(state) = state else { return Some(0) };
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

/// One poll of feed `index` within the limits; `None` when it could not be stored (logged).
async fn poll_within_limits(
    ctx: &Arc<Context>,
    index: usize,
    cancel: &CancellationToken,
) -> Option<Report> {
    let feed = &ctx.config.feeds[index];
    let host = feed.host_key();
    let permits = tokio::select! {
        p = ctx.limits.acquire(&host) => p,
        () = cancel.cancelled() => return Some(Report {
            feed_id: feed.id.clone(),
            outcome: Outcome::Cancelled,
            next_poll: 0,
        }),
    };
    let report = refresh_guarded(ctx, feed, cancel).await;
    drop(permits);
    report
}

/// Runs one refresh in its own task, so a panic is reported as this feed's failure.
pub(super) async fn refresh_guarded(
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
