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

use std::collections::HashMap;
use std::sync::Mutex;

use crate::config::{Config, DedupMode, Feed};
use crate::dedup::{self, DedupIndex};
use crate::entry::EntryId;
use crate::entry::{Entry, ShowTag};
use crate::fetch::{Body, FetchError, Fetched, Fetcher, Validators};
use crate::normalize;
use crate::parse::{self, ParseError};
use crate::scheduler;
use crate::store::{FeedState, HealthEvent, IngestStats, Store, StoreError};
use crate::tag::Tagger;

/// After this many consecutive failures a feed is reported as failing.
pub const FAILING_AFTER: u32 = 3;
/// A poll with at least this many items, all new, on a feed with stored entries, suggests
/// items were missed between polls.
pub const GAP_MIN_ITEMS: usize = 5;

/// What a refresh needs: the store, the HTTP client, the show tagger and the config in
/// force. A reload builds a new one.
pub struct Context {
    /// The store.
    pub store: Arc<Store>,
    /// The HTTP client.
    pub fetcher: Fetcher,
    /// The show tagger, built from the config's show list.
    pub tagger: Arc<Tagger>,
    /// Near-duplicate candidates inside the dedup window, shared by every feed's polls.
    pub dedup: Mutex<DedupIndex>,
    /// The config in force.
    pub config: Arc<Config>,
}

impl Context {
    /// A context for `config` over `store`.
    ///
    /// Rebuilds the dedup index from the stored entries inside the window, so story merging
    /// carries on across restarts and reloads.
    pub fn new(store: Arc<Store>, config: Arc<Config>) -> Result<Context, FetchError> {
        let window = i64::try_from(config.dedup.window.as_secs()).unwrap_or(i64::MAX / 4);
        let mut index = DedupIndex::new(window);
        for e in store.since(now() - window).flatten() {
            let slugs: Vec<&str> = e.shows.iter().map(|s| s.slug.as_str()).collect();
            index.insert(
                e.id,
                e.story,
                &e.feed_id,
                e.published,
                &dedup::fingerprint(&e.title, &summary_text(&e), &slugs),
            );
        }
        Ok(Context {
            store,
            fetcher: Fetcher::new(&config.polling)?,
            tagger: Arc::new(Tagger::new(&config.shows)),
            dedup: Mutex::new(index),
            config,
        })
    }
}

/// The plain-text summary dedup compares (summary, else content), at most 600 characters.
/// The HTML was sanitized at ingest, so a plain tag strip is exact enough and much cheaper
/// than a full HTML parse.
fn summary_text(e: &Entry) -> String {
    let html = e.summary.as_deref().or(e.content.as_deref()).unwrap_or("");
    let end = html.char_indices().nth(4000).map_or(html.len(), |(i, _)| i);
    crate::text::strip_tags(&html[..end])
        .chars()
        .take(600)
        .collect()
}

/// The store side of a refresh: tag the entries, find their stories (exact URL copies
/// always; near duplicates unless `[dedup] mode = "off"`), and commit.
///
/// Reading stored versions, tagging and fingerprinting run first, in parallel with other
/// feeds' ingests; the dedup lock is taken only for the story search and the commit, so two
/// outlets' copies of one story arriving at once still meet.
pub fn ingest(
    ctx: &Context,
    feed_id: &str,
    entries: Vec<Entry>,
    state: &mut FeedState,
    now: i64,
    cutoff: i64,
) -> Result<IngestStats, StoreError> {
    let near = ctx.config.dedup.mode != DedupMode::Off;
    // Outside the lock: what is stored already, and the tags and fingerprint of what is new.
    let mut prepared = Vec::with_capacity(entries.len());
    for mut e in entries {
        match ctx.store.entry(&e.id)? {
            Some(old) => {
                // Stored already: it keeps its story. Tags are recomputed only when the
                // content changed; a new show list re-tags the store as a whole
                // (`retag_store`).
                if old.content_hash == e.content_hash {
                    (e.shows, e.kinds) = (old.shows.clone(), old.kinds.clone());
                } else {
                    (e.shows, e.kinds) = tag(&ctx.tagger, &e);
                }
                prepared.push((e, Some(old), None));
            }
            None => {
                (e.shows, e.kinds) = tag(&ctx.tagger, &e);
                let slugs: Vec<&str> = e.shows.iter().map(|s| s.slug.as_str()).collect();
                let fp = dedup::fingerprint(&e.title, &summary_text(&e), &slugs);
                prepared.push((e, None, Some(fp)));
            }
        }
    }

    let mut index = ctx.dedup.lock().unwrap_or_else(|p| p.into_inner());
    let (mut merged, mut reposts, mut tags) = (0, 0, 0);
    let mut urls_here: HashMap<String, EntryId> = HashMap::new();
    let mut kept = Vec::with_capacity(prepared.len());
    let mut olds = Vec::with_capacity(prepared.len());
    for (mut e, old, fp) in prepared {
        let Some(fp) = fp else {
            kept.push(e);
            olds.push(old);
            continue;
        };
        if let Some(key) = e.link.as_deref().and_then(dedup::url_key) {
            if urls_here.contains_key(&key) {
                reposts += 1;
                continue;
            }
            if ctx.store.entry_by_url(&key, Some(feed_id))?.is_some() {
                // This feed already has this URL under another guid: the entry we have.
                reposts += 1;
                continue;
            }
            if let Some(first) = ctx
                .store
                .entry_by_url(&key, None)?
                .and_then(|id| ctx.store.entry(&id).ok().flatten())
            {
                e.story = first.story;
                e.exact_copy = true;
                merged += 1;
            }
            urls_here.insert(key, e.id);
        }
        tags += e.shows.len();
        if near && !e.exact_copy {
            if let Some((story, _score)) = index.find(&fp, feed_id, e.published) {
                e.story = story;
                merged += 1;
            }
        }
        index.insert(e.id, e.story, feed_id, e.published, &fp);
        kept.push(e);
        olds.push(None);
    }
    let mut stats = ctx
        .store
        .commit_poll_with(feed_id, &kept, olds, state, now, cutoff)?;
    stats.merged = merged;
    stats.reposts = reposts;
    stats.tags = tags;
    Ok(stats)
}

/// Tags one entry: the shows it is about and the kind of news.
pub fn tag(tagger: &Tagger, e: &Entry) -> (Vec<ShowTag>, Vec<String>) {
    let tags = tagger.tag(&e.title, e.summary.as_deref(), e.content.as_deref());
    let kinds = tags.kinds.iter().map(|k| k.as_str().to_owned()).collect();
    (tags.shows, kinds)
}

/// Re-tags every stored entry with `ctx`'s tagger in the background (after the show list
/// changed): nothing is downloaded again, ids stay.
pub fn spawn_retag(ctx: Arc<Context>) {
    tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        let done = ctx.store.retag(|e| tag(&ctx.tagger, e)).and_then(|n| {
            ctx.store
                .set_tagged_with(ctx.tagger.fingerprint())
                .map(|()| n)
        });
        match done {
            Ok(n) => info!(
                changed = n,
                secs = started.elapsed().as_secs_f64(),
                "re-tagged stored entries"
            ),
            Err(e) => warn!("re-tagging failed: {}", error_chain(&e)),
        }
    });
}

/// Re-tags every stored entry with `ctx`'s tagger and records that the tags are current;
/// returns how many entries changed. Blocking.
pub fn retag_store(ctx: &Context) -> Result<usize, StoreError> {
    let n = ctx.store.retag(|e| tag(&ctx.tagger, e))?;
    ctx.store.set_tagged_with(ctx.tagger.fingerprint())?;
    Ok(n)
}

/// Whether the stored tags were made with another show list (or other tagging rules) than
/// `ctx`'s; an empty store is brought up to date on the spot.
pub fn tags_are_stale(ctx: &Context) -> bool {
    match ctx.store.tagged_with() {
        Ok(Some(f)) => f != ctx.tagger.fingerprint(),
        Ok(None) if ctx.store.entry_count() == 0 => {
            if let Err(e) = ctx.store.set_tagged_with(ctx.tagger.fingerprint()) {
                warn!("cannot record the tagger fingerprint: {}", error_chain(&e));
            }
            false
        }
        _ => true,
    }
}

/// At startup: re-tag in the background if the show list (or the tagging rules) changed
/// since the stored tags were made, e.g. feeds.toml edited while the daemon was down.
pub fn retag_if_stale(ctx: &Arc<Context>) {
    if tags_are_stale(ctx) {
        info!("the show list changed since the entries were tagged: re-tagging in the background");
        spawn_retag(ctx.clone());
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

impl PollError {
    /// A short stable label for metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            PollError::Fetch(f) => f.kind(),
            PollError::Parse(_) => "parse",
            PollError::Panic(_) => "panic",
        }
    }
}

/// Counts one poll in the metrics.
fn record(feed_id: &str, outcome: &Outcome, kind: Option<&'static str>, took: Duration) {
    use crate::metrics::{FeedLabel, FeedOutcome};
    let m = crate::metrics::get();
    let label = match outcome {
        Outcome::Stored(_) => "200",
        Outcome::NotModified => "304",
        Outcome::Failed(_) | Outcome::Gone => kind.unwrap_or("error"),
        Outcome::Cancelled => return,
    };
    m.fetches
        .get_or_create(&FeedOutcome {
            feed: feed_id.to_owned(),
            outcome: label.to_owned(),
        })
        .inc();
    m.fetch_seconds.observe(took.as_secs_f64());
    if let Outcome::Stored(s) = outcome {
        let feed = FeedLabel {
            feed: feed_id.to_owned(),
        };
        m.ingested.get_or_create(&feed).inc_by(s.new as u64);
        m.updated.get_or_create(&feed).inc_by(s.updated as u64);
        m.merged.inc_by(s.merged as u64);
        m.tags.inc_by(s.tags as u64);
    }
}

/// Parsed content (validators, entries, a permanent move) and the server's interval hint.
type Processed = (
    Option<(Validators, normalize::Normalized, Option<url::Url>)>,
    Option<Duration>,
);

/// The CPU part of a refresh: parse and normalize a fetched body.
fn process(feed_id: &str, body: Body) -> Result<Processed, PollError> {
    // Failpoint for the isolation test, in debug builds only: a body containing the marker
    // in $SHOWFEED_TEST_PANIC panics here, as a bug would.
    #[cfg(debug_assertions)]
    if let Some(marker) = std::env::var_os("SHOWFEED_TEST_PANIC") {
        let marker = marker.to_string_lossy().into_owned();
        if !marker.is_empty()
            && body
                .bytes
                .windows(marker.len())
                .any(|w| w == marker.as_bytes())
        {
            panic!("test failpoint hit while processing {feed_id}");
        }
    }
    let parsed = parse::parse(&body.bytes, body.content_type.as_deref())?;
    let normalized = normalize::normalize(feed_id, parsed, &body.final_url, now());
    let hint = match (body.hints.max_age, normalized.ttl) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    Ok((Some((body.validators, normalized, body.moved_to)), hint))
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
    ctx: &Arc<Context>,
    feed: &Feed,
    cancel: &CancellationToken,
) -> Result<Report, StoreError> {
    let store = &ctx.store;
    let polling = &ctx.config.polling;
    let started = now();
    let started_at = std::time::Instant::now();
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
        r = ctx.fetcher.fetch(&feed.url, &validators, feed.allow_private) => r,
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
            tokio::task::spawn_blocking(move || process(&feed_id, *body))
                .await
                .unwrap_or_else(|join| Err(PollError::Panic(panic_message(join))))
        }
    };

    let now = now();
    let mut fetch_kind = None;
    let mut events: Vec<(&str, String, String)> = Vec::new();
    let outcome = match result {
        Ok((fresh, hint)) => {
            let delay = scheduler::success_delay(feed.interval, hint, polling.max_interval);
            state.next_poll = now + secs(delay);
            if state.consecutive_failures >= FAILING_AFTER {
                events.push((
                    "recovered",
                    format!(
                        "{}: back after {} failed polls",
                        feed.id, state.consecutive_failures
                    ),
                    state.last_error.clone().unwrap_or_default(),
                ));
            }
            state.consecutive_failures = 0;
            state.last_success = Some(now);
            state.disabled = None;
            match fresh {
                None => {
                    store.put_feed_state_later(&feed.id, &state);
                    Outcome::NotModified
                }
                Some((validators, normalized, moved_to)) => {
                    let moved = moved_to.map(|u| u.to_string());
                    if moved.is_some() && moved != state.moved_to {
                        let to = moved.clone().unwrap_or_default();
                        events.push((
                            "moved",
                            format!(
                                "{}: permanently redirected; update its url in feeds.toml",
                                feed.id
                            ),
                            format!("{} -> {to}", feed.url),
                        ));
                    }
                    state.moved_to = moved;
                    let stored_before = state.entry_count;
                    state.etag = validators.etag;
                    state.last_modified = validators.last_modified;
                    state.title = normalized.title;
                    state.site_link = normalized.site_link;
                    let cutoff = now - secs(ctx.config.storage.retention);
                    // sled work is blocking: off the async workers.
                    let (ctx, feed_id) = (ctx.clone(), feed.id.clone());
                    let (stats, committed) = tokio::task::spawn_blocking(move || {
                        ingest(&ctx, &feed_id, normalized.entries, &mut state, now, cutoff)
                            .map(|stats| (stats, state))
                    })
                    .await
                    .map_err(|e| {
                        StoreError::Sled(sled::Error::ReportableBug(format!(
                            "commit task failed: {e}"
                        )))
                    })??;
                    state = committed;
                    if stored_before > 0
                        && stats.new >= GAP_MIN_ITEMS
                        && stats.unchanged + stats.updated == 0
                    {
                        events.push((
                            "gap",
                            format!("{}: {} new items and none seen before: items may have been missed", feed.id, stats.new),
                            "The feed's newest items no longer overlap what was stored: it publishes faster than it is polled. Lower its interval.".to_owned(),
                        ));
                    }
                    if stats.new + stats.updated > 0 {
                        info!(
                            new = stats.new,
                            updated = stats.updated,
                            merged = stats.merged,
                            unchanged = stats.unchanged,
                            "stored"
                        );
                    }
                    Outcome::Stored(stats)
                }
            }
        }
        Err(e) => {
            fetch_kind = Some(e.kind());
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
                events.push((
                    "gone",
                    format!("{}: gone (HTTP 410); polling stopped", feed.id),
                    message.clone(),
                ));
            } else {
                if state.consecutive_failures == FAILING_AFTER {
                    events.push((
                        "failing",
                        format!("{}: failing for {} polls", feed.id, FAILING_AFTER),
                        message.clone(),
                    ));
                }
                warn!(failures = state.consecutive_failures, retry_in = %humantime::format_duration(Duration::from_secs(delay.as_secs())), "poll failed: {message}");
            }
            if gone {
                // Disabling a feed is rare and must survive a crash: written at once.
                store.put_feed_state(&feed.id, &state)?;
                Outcome::Gone
            } else {
                store.put_feed_state_later(&feed.id, &state);
                Outcome::Failed(message)
            }
        }
    };
    for (kind, title, detail) in events {
        store.record_event(&HealthEvent {
            at: now,
            feed_id: feed.id.clone(),
            kind: kind.to_owned(),
            title,
            detail,
        })?;
    }
    // A poll that stored entries counts as done only once durable: a crash can never keep a
    // validator whose entries were lost. Other state (a 304's next due time, a failure
    // count) rides on sled's periodic flush: losing it to a crash costs one early poll, while
    // waiting for a flush on every 304 was most of a 304's cost.
    if matches!(outcome, Outcome::Stored(_)) {
        store.flush().await?;
    }
    record(&feed.id, &outcome, fetch_kind, started_at.elapsed());
    Ok(Report {
        feed_id: feed.id.clone(),
        outcome,
        next_poll: state.next_poll,
    })
}
