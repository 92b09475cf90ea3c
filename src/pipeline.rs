//! One feed's refresh, start to end: fetch -> parse -> normalize -> store, with the feed's
//! health and next due time recorded whatever happens.
//!
//! Fetch and parse failures are not errors of the refresh: they are the feed's state (last
//! error, consecutive failures, backoff) and are stored like a success would be. Only a storage
//! failure makes [`refresh`] return `Err`.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::config::{Config, Feed};
use crate::fetch::{Body, FetchError, Fetched, Fetcher, Validators};
use crate::normalize;
use crate::parse::{self, ParseError};
use crate::scheduler;
use crate::store::{FeedState, IngestStats, Store, StoreError};

/// What a refresh needs: the store, the HTTP client and the config in force.
pub struct Context {
    /// The store.
    pub store: Arc<Store>,
    /// The HTTP client.
    pub fetcher: Fetcher,
    /// The config in force.
    pub config: Arc<Config>,
}

impl Context {
    /// A context for `config` over `store`.
    pub fn new(store: Arc<Store>, config: Arc<Config>) -> Result<Context, FetchError> {
        Ok(Context {
            store,
            fetcher: Fetcher::new(&config.polling)?,
            config,
        })
    }
}

/// Why a poll failed.
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// Fetching failed.
    #[error("fetch failed")]
    Fetch(#[from] FetchError),
    /// The bytes were not a feed.
    #[error("parse failed")]
    Parse(#[from] ParseError),
    /// Processing panicked (a bug, caught so other feeds go on).
    #[error("internal error while processing the feed: {0}")]
    Panic(String),
}

type Processed = (
    Option<(Validators, normalize::Normalized)>,
    Option<Duration>,
);

/// The CPU part of a refresh: parse and normalize a fetched body.
fn process(feed_id: &str, body: Body) -> Result<Processed, PollError> {
    let parsed = parse::parse(&body.bytes, body.content_type.as_deref())?;
    let normalized = normalize::normalize(feed_id, parsed, &body.final_url, now());
    let hint = match (body.hints.max_age, normalized.ttl) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    Ok((Some((body.validators, normalized)), hint))
}

fn panic_message(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(p) => p
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_owned()),
        Err(e) => e.to_string(),
    }
}

/// How one refresh ended.
#[derive(Debug)]
pub enum Outcome {
    /// New content was read and stored.
    Stored(IngestStats),
    /// 304, or an unchanged file.
    NotModified,
    /// The poll failed; the message is the error chain.
    Failed(String),
    /// The feed answered 410 and is disabled.
    Gone,
    /// Shutdown arrived first; nothing was written.
    Cancelled,
}

/// The result of one refresh.
#[derive(Debug)]
pub struct Report {
    /// The feed.
    pub feed_id: String,
    /// What happened.
    pub outcome: Outcome,
    /// When the feed is due next (Unix seconds).
    pub next_poll: i64,
}

/// Current Unix time in seconds.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Renders an error and its sources as one line: "fetch failed: request failed: ...".
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        let msg = inner.to_string();
        if !s.ends_with(&msg) {
            s.push_str(": ");
            s.push_str(&msg);
        }
        source = inner.source();
    }
    s
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// Polls `feed` once and stores the result. `cancel` aborts the network part only: once
/// bytes have arrived the write runs to the end, so shutdown never tears a commit.
#[tracing::instrument(name = "poll", skip_all, fields(feed = %feed.id))]
pub async fn refresh(
    ctx: &Context,
    feed: &Feed,
    cancel: &CancellationToken,
) -> Result<Report, StoreError> {
    let store = &ctx.store;
    let polling = &ctx.config.polling;
    let started = now();
    let mut state = store.feed_state(&feed.id)?.unwrap_or_default();
    if state.url != feed.url.as_str() {
        // A new URL: old validators and a 410 verdict belonged to the old one.
        state = FeedState {
            url: feed.url.to_string(),
            entry_count: state.entry_count,
            ..FeedState::default()
        };
    }
    let validators = Validators {
        etag: state.etag.clone(),
        last_modified: state.last_modified.clone(),
    };
    state.last_attempt = Some(started);

    let fetched = tokio::select! {
        r = ctx.fetcher.fetch(&feed.url, &validators) => r,
        () = cancel.cancelled() => {
            return Ok(Report { feed_id: feed.id.clone(), outcome: Outcome::Cancelled, next_poll: state.next_poll });
        }
    };
    let result = match fetched {
        Err(e) => Err(PollError::Fetch(e)),
        Ok(Fetched::NotModified(hints)) => Ok((None, hints.max_age)),
        Ok(Fetched::Body(body)) => {
            // Parsing is CPU work: off the async workers, and a panic in it is this feed's
            // failure, not the daemon's.
            let feed_id = feed.id.clone();
            tokio::task::spawn_blocking(move || process(&feed_id, body))
                .await
                .unwrap_or_else(|join| Err(PollError::Panic(panic_message(join))))
        }
    };

    let now = now();
    let outcome = match result {
        Ok((fresh, hint)) => {
            let delay = scheduler::success_delay(feed.interval, hint, polling.max_interval);
            state.next_poll = now + secs(delay);
            state.consecutive_failures = 0;
            state.last_success = Some(now);
            state.disabled = None;
            match fresh {
                None => {
                    store.put_feed_state(&feed.id, &state)?;
                    Outcome::NotModified
                }
                Some((validators, normalized)) => {
                    state.etag = validators.etag;
                    state.last_modified = validators.last_modified;
                    state.title = normalized.title;
                    state.site_link = normalized.site_link;
                    let cutoff = now - secs(ctx.config.storage.retention);
                    // sled work is blocking: off the async workers.
                    let (store, feed_id) = (store.clone(), feed.id.clone());
                    let (stats, committed) = tokio::task::spawn_blocking(move || {
                        store
                            .commit_poll(&feed_id, &normalized.entries, &mut state, now, cutoff)
                            .map(|stats| (stats, state))
                    })
                    .await
                    .map_err(|e| {
                        StoreError::Sled(sled::Error::ReportableBug(format!(
                            "commit task failed: {e}"
                        )))
                    })??;
                    state = committed;
                    if stats.new + stats.updated > 0 {
                        info!(
                            new = stats.new,
                            updated = stats.updated,
                            unchanged = stats.unchanged,
                            "stored"
                        );
                    }
                    Outcome::Stored(stats)
                }
            }
        }
        Err(e) => {
            let message = error_chain(&e);
            state.consecutive_failures += 1;
            state.last_error = Some(message.clone());
            state.last_error_at = Some(now);
            let gone = matches!(e, PollError::Fetch(FetchError::Gone));
            let retry_after = match &e {
                PollError::Fetch(f) => f.retry_after(),
                _ => None,
            };
            let delay = scheduler::failure_delay(
                feed.interval,
                state.consecutive_failures,
                retry_after,
                polling.max_interval,
            );
            state.next_poll = now + secs(delay);
            if gone {
                warn!(url = %feed.url, "feed is gone (HTTP 410): polling disabled until its URL changes in the config");
                state.disabled = Some(message.clone());
            } else {
                warn!(failures = state.consecutive_failures, retry_in = %humantime::format_duration(Duration::from_secs(delay.as_secs())), "poll failed: {message}");
            }
            store.put_feed_state(&feed.id, &state)?;
            if gone {
                Outcome::Gone
            } else {
                Outcome::Failed(message)
            }
        }
    };
    // The poll counts as done only once durable: a crash can never keep a validator whose
    // entries were lost.
    store.flush().await?;
    Ok(Report {
        feed_id: feed.id.clone(),
        outcome,
        next_poll: state.next_poll,
    })
}
