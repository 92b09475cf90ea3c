//! The scheduler's upkeep tasks, one of each per generation beside the due queue: the
//! backfills asked for, the batched write-back of feed states, story settling and
//! retention. Each stops at its generation's token.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use super::BackfillAsk;
use crate::clock::now;
use crate::errors::error_chain;
use crate::poll::{self, Context};

/// Runs the backfills asked of this generation one after another, under its token: a
/// reload or shutdown stops one between articles (what was stored stays).
pub(super) async fn backfill_loop(
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

pub(super) async fn save_states_loop(ctx: Arc<Context>, cancel: CancellationToken) {
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

pub(super) async fn settle_loop(
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

pub(super) async fn prune_loop(ctx: Arc<Context>, cancel: CancellationToken) {
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
