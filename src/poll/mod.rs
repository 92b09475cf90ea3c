//! Poll: one feed's refresh, start to end, and where its entries enter the store.
//!
//! [`refresh`] reads straight down: load the feed's state, fetch (conditionally), parse off
//! the async workers, then either ingest the entries ([`ingest`]) or record the failure, and
//! persist what the poll changed. How each ending changes the feed's state (due time,
//! backoff, health events) is [`state`]; re-tagging stored entries after the show list
//! changed is [`retag`].
//!
//! Fetch and parse failures are not errors of the refresh: they are the feed's state (last
//! error, consecutive failures, backoff) and are stored like a success would be. Only a
//! storage failure makes [`refresh`] return `Err`.

pub mod backfill;
pub mod cadence;
pub mod ingest;
pub mod retag;
pub mod retention;
pub mod rules;
pub mod settle;
pub mod state;

use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::article;
use crate::clock::now;
use crate::config::{Config, Feed};
use crate::dedup::DedupIndex;
use crate::errors::{error_chain, short_error};
use crate::fetch::{Body, FetchError, Fetched, Fetcher};
use crate::limits::Limits;
use crate::normalize::{self, Normalized};
use crate::parse::{self, ParseError};
use crate::store::{self, IngestStats, Store, StoreError};
use crate::tag::Tagger;

use state::{FeedPoll, FetchedFeed, PollEvent};

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
    /// A plain (non-async) mutex: it is only taken inside blocking tasks and never held
    /// across an await.
    pub dedup: Mutex<DedupIndex>,
    /// The config in force.
    pub config: Arc<Config>,
    /// Fetches in flight, globally and per host: taken by the scheduler for each poll and
    /// by the article stage for each other host it reaches.
    pub limits: Arc<Limits>,
    /// Where each poll's new entries go once committed (the notifier, when one runs),
    /// copies of older stories included: a copy can bring its story into a view.
    pub arrivals: Option<Arrivals>,
}

/// The sending side of the new stories each poll stores: entries that start a story, are
/// new to the store, and are recent news (not a new feed's backlog).
pub type Arrivals = tokio::sync::mpsc::UnboundedSender<Vec<crate::entry::Entry>>;

impl Context {
    /// A context for `config` over `store`.
    ///
    /// Rebuilds the dedup index from the stored entries inside the window, so story merging
    /// carries on across restarts and reloads, and has every feed read whole when the
    /// retention window grew ([`retention`]). Blocking (a store scan): the daemon calls it
    /// through [`Context::build`].
    pub fn new(store: Arc<Store>, config: Arc<Config>) -> Result<Context, FetchError> {
        let window = i64::try_from(config.dedup.window.as_secs()).unwrap_or(i64::MAX / 4);
        let index = ingest::rebuild_index(&store, &config, window, now());
        retention::reread_if_widened(&store, config.storage.retention.as_secs());
        Ok(Context {
            store,
            fetcher: Fetcher::new(&config.polling)?,
            tagger: Arc::new(Tagger::new(&config.shows)),
            dedup: Mutex::new(index),
            limits: Arc::new(
                Limits::new(config.polling.concurrency, config.polling.per_host)
                    .with_min_gap(config.polling.min_gap),
            ),
            config,
            arrivals: None,
        })
    }

    /// The article stage of `feed`'s entries, within this context's fetcher and limits.
    pub fn article_stage<'a>(&'a self, feed: &'a Feed) -> article::Stage<'a> {
        article::Stage {
            store: &self.store,
            fetcher: &self.fetcher,
            limits: &self.limits,
            feed,
            wait: self.config.polling.timeout,
        }
    }

    /// [`Context::new`] on a blocking thread.
    pub async fn build(store: Arc<Store>, config: Arc<Config>) -> anyhow::Result<Context> {
        Ok(tokio::task::spawn_blocking(move || Context::new(store, config)).await??)
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

/// A poll's result as the CLI prints it and `/admin/poll` answers it: the same whether the
/// `poll` command ran the poll itself or asked the daemon to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PollSummary {
    /// The feed.
    pub feed: String,
    /// `stored`, `not_modified`, `failed`, `gone`, `cancelled` or `skipped`.
    pub outcome: String,
    /// New entries.
    #[serde(default)]
    pub new: usize,
    /// Updated entries.
    #[serde(default)]
    pub updated: usize,
    /// Items skipped as older than the store keeps (`[storage] retention_days`, or what
    /// `max_entries` pruned).
    #[serde(default)]
    pub expired: usize,
    /// Why it failed or was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl PollSummary {
    /// The summary of `report` (`None`: the poll could not be stored; see the log).
    pub fn of(feed: &str, report: Option<&Report>) -> PollSummary {
        let stats = match report.map(|r| &r.outcome) {
            Some(Outcome::Stored(s)) => *s,
            _ => IngestStats::default(),
        };
        let (outcome, error) = match report.map(|r| &r.outcome) {
            Some(Outcome::Stored(_)) => ("stored", None),
            Some(Outcome::NotModified) => ("not_modified", None),
            Some(Outcome::Failed(m)) => ("failed", Some(m.clone())),
            Some(Outcome::Gone) => (
                "gone",
                Some("gone (HTTP 410); polling is disabled for it".to_owned()),
            ),
            Some(Outcome::Cancelled) => ("cancelled", Some("stopped by shutdown".to_owned())),
            None => ("failed", Some("not stored (see the log)".to_owned())),
        };
        PollSummary {
            feed: feed.to_owned(),
            outcome: outcome.to_owned(),
            new: stats.new,
            updated: stats.updated,
            expired: stats.expired,
            error,
        }
    }

    /// A poll that was not made, and why.
    pub fn skipped(feed: &str, why: &str) -> PollSummary {
        PollSummary {
            feed: feed.to_owned(),
            outcome: "skipped".to_owned(),
            new: 0,
            updated: 0,
            expired: 0,
            error: Some(why.to_owned()),
        }
    }

    /// Whether the poll reached the feed and stored what it had.
    pub fn ok(&self) -> bool {
        matches!(self.outcome.as_str(), "stored" | "not_modified")
    }
}

/// A poll's ending before it is persisted: the outcome, what to tell the admin, and the
/// metrics label.
struct Ending {
    outcome: Outcome,
    events: Vec<PollEvent>,
    label: &'static str,
}

/// A fetched body, parsed and normalized, with the server's interval hint.
struct Parsed {
    normalized: Normalized,
    /// The hub and self links it advertises (WebSub discovery).
    hubs: parse::hubs::HubLinks,
    feed: FetchedFeed,
    hint: Option<Duration>,
}

/// What the fetch and the parse gave.
enum Response {
    NotModified(Option<Duration>),
    Feed(Box<Parsed>),
}

/// Polls `feed` once and stores the result. `cancel` aborts the network part only: once
/// bytes have arrived the write runs to the end, so shutdown never tears a commit.
#[tracing::instrument(name = "poll", skip_all, fields(feed = %feed.id))]
pub async fn refresh(
    ctx: &Arc<Context>,
    feed: &Feed,
    cancel: &CancellationToken,
) -> Result<Report, StoreError> {
    let started = Instant::now();
    let mut poll = load_state(ctx, feed).await?;
    let validators = poll.validators();
    let fetched = tokio::select! {
        r = ctx.fetcher.fetch(&feed.url, &validators, feed.allow_private, &feed.http) => r,
        () = cancel.cancelled() => return Ok(report(feed, Outcome::Cancelled, &poll)),
    };
    let now = now();
    let ending = match parse_off_thread(&feed.id, fetched).await {
        Ok(Response::NotModified(hint)) => Ending {
            events: poll.not_modified(now, hint),
            outcome: Outcome::NotModified,
            label: "304",
        },
        Ok(Response::Feed(mut parsed)) => {
            if !articles(ctx, feed, &mut parsed, cancel).await? {
                return Ok(report(feed, Outcome::Cancelled, &poll));
            }
            store_entries(ctx, feed, &mut poll, *parsed, now).await?
        }
        Err(e) => {
            hold_site(ctx, feed, &e);
            failed(feed, &mut poll, &e, now)
        }
    };
    persist(ctx, feed, &poll, &ending, now).await?;
    record(&feed.id, &ending, started.elapsed());
    Ok(report(feed, ending.outcome, &poll))
}

fn report(feed: &Feed, outcome: Outcome, poll: &FeedPoll) -> Report {
    Report {
        feed_id: feed.id.clone(),
        outcome,
        next_poll: poll.next_poll(),
    }
}

/// The feed's state: from memory when a recent poll left it there (most 304s), else read
/// from sled on a blocking thread.
async fn load_state(ctx: &Arc<Context>, feed: &Feed) -> Result<FeedPoll, StoreError> {
    let stored = match ctx.store.pending_feed_state(&feed.id) {
        Some(s) => Some(s),
        None => {
            let (st, id) = (ctx.store.clone(), feed.id.clone());
            store::blocking("read the feed state", move || st.feed_state(&id)).await?
        }
    };
    let mut poll = FeedPoll::begin(stored, feed, &ctx.config.polling, now());
    if ctx.store.websub_live(&feed.id) {
        poll.at_most_every(ctx.config.websub.fallback_interval);
    }
    Ok(poll)
}

/// Parsing is CPU work: off the async workers, and a panic in it is this feed's failure,
/// not the daemon's.
async fn parse_off_thread(
    feed_id: &str,
    fetched: Result<Fetched, FetchError>,
) -> Result<Response, PollError> {
    match fetched? {
        Fetched::NotModified(hints) => Ok(Response::NotModified(hints.max_age)),
        Fetched::Body(body) => {
            let feed_id = feed_id.to_owned();
            tokio::task::spawn_blocking(move || parse_body(&feed_id, *body))
                .await
                .unwrap_or_else(|join| Err(PollError::Panic(panic_message(join))))
        }
    }
}

/// The CPU part of a refresh: parse and normalize a fetched body.
fn parse_body(feed_id: &str, body: Body) -> Result<Response, PollError> {
    failpoint(feed_id, &body.bytes);
    let parsed = parse::parse(&body.bytes, body.content_type.as_deref())?;
    let hubs = parse::hubs::discover(
        &body.links,
        &String::from_utf8_lossy(&body.bytes),
        &body.final_url,
    );
    let now = now();
    let dates = parsed
        .entries
        .iter()
        .filter_map(|e| e.published.or(e.updated));
    let rate = cadence::posting_rate(dates.map(|d| d.timestamp()), now);
    let normalized = normalize::normalize(feed_id, parsed, &body.final_url, now);
    let hint = match (body.hints.max_age, normalized.ttl) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let feed = FetchedFeed {
        validators: body.validators,
        title: normalized.title.clone(),
        site_link: normalized.site_link.clone(),
        moved_to: body.moved_to.map(|u| u.to_string()),
        rate: Some(rate),
        icon: normalized.icon.clone(),
        logo: normalized.logo.clone(),
    };
    Ok(Response::Feed(Box::new(Parsed {
        normalized,
        hubs,
        feed,
        hint,
    })))
}

/// For the isolation test, in debug builds only: a body containing the marker in
/// `$SHOWFEED_TEST_PANIC` panics here, as a bug would.
fn failpoint(feed_id: &str, bytes: &[u8]) {
    #[cfg(debug_assertions)]
    if let Some(marker) = std::env::var_os("SHOWFEED_TEST_PANIC") {
        let marker = marker.to_string_lossy().into_owned();
        if !marker.is_empty() && bytes.windows(marker.len()).any(|w| w == marker.as_bytes()) {
            panic!("test failpoint hit while processing {feed_id}");
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = (feed_id, bytes);
}

/// The whole articles of the entries that want them ([`article`]), before they are
/// tagged; false when shutdown came first (nothing is stored then).
async fn articles(
    ctx: &Arc<Context>,
    feed: &Feed,
    parsed: &mut Parsed,
    cancel: &CancellationToken,
) -> Result<bool, StoreError> {
    let stage = ctx.article_stage(feed);
    match article::fill(&stage, &mut parsed.normalized.entries, cancel).await {
        Ok(filled) if filled.fetched + filled.failed > 0 => {
            info!(fetched = filled.fetched, failed = filled.failed, "articles");
            Ok(true)
        }
        Ok(_) => Ok(true),
        Err(article::StageError::Cancelled) => Ok(false),
        Err(article::StageError::Store(e)) => Err(e),
    }
}

/// A new body: the feed's state advances and its entries are ingested, on a blocking
/// thread (sled work).
async fn store_entries(
    ctx: &Arc<Context>,
    feed: &Feed,
    poll: &mut FeedPoll,
    parsed: Parsed,
    now: i64,
) -> Result<Ending, StoreError> {
    let mut events = poll.fetched(now, parsed.hint, parsed.feed);
    if let Some(PollEvent::Moved { from, to }) =
        events.iter().find(|e| matches!(e, PollEvent::Moved { .. }))
    {
        warn!(from = %from, to = %to, "the feed moved permanently: update its url in the config");
    }
    let stored_before = poll.entry_count();
    let retention = i64::try_from(ctx.config.storage.retention.as_secs()).unwrap_or(i64::MAX);
    let cutoff = now.saturating_sub(retention);
    let (c, feed_id, mut state) = (ctx.clone(), feed.id.clone(), poll.state.clone());
    let entries = parsed.normalized.entries;
    let hubs = store::HubLinks {
        hubs: parsed.hubs.hubs,
        self_url: parsed.hubs.self_url,
    };
    let (stats, state) = store::blocking("commit the poll", move || {
        c.store.put_hub_links(&feed_id, &hubs)?;
        ingest::ingest(&c, &feed_id, entries, &mut state, now, cutoff).map(|s| (s, state))
    })
    .await?;
    events.extend(poll.stored(state, &stats, stored_before));
    if stats.new + stats.updated > 0 {
        info!(
            new = stats.new,
            updated = stats.updated,
            merged = stats.merged,
            bridged = stats.bridged,
            unchanged = stats.unchanged,
            "stored"
        );
    } else if stats.expired > 0 && stored_before == 0 {
        // Not an error (an archive's items are old), but the one reason a feed that
        // answers shows nothing.
        info!(
            items = stats.expired,
            retention_days = retention / 86_400,
            "every item is older than the store keeps (retention_days, or what max_entries pruned): nothing kept"
        );
    }
    Ok(Ending {
        outcome: Outcome::Stored(stats),
        events,
        label: "200",
    })
}

/// A site that asked us to slow down (429, or 503 with `Retry-After`) holds its other feeds
/// and articles back too ([`Limits::hold`]); a 503 without a time may be one URL's trouble.
fn hold_site(ctx: &Context, feed: &Feed, e: &PollError) {
    let PollError::Fetch(f) = e else {
        return;
    };
    let Some(wait) = f.site_hold() else {
        return;
    };
    let site = feed.host_key();
    ctx.limits.hold(&site, wait);
    info!(
        site = %site,
        wait = %humantime::format_duration(wait.min(crate::limits::MAX_SITE_HOLD)),
        "the site asked to slow down: its other feeds wait too"
    );
}

/// A failed fetch or parse: the feed backs off (or, on 410, stops).
fn failed(feed: &Feed, poll: &mut FeedPoll, e: &PollError, now: i64) -> Ending {
    let message = error_chain(e);
    let events = poll.failed(now, e, &message);
    if poll.is_gone(e) {
        warn!(url = %feed.url, "feed is gone (HTTP 410): polling disabled until its URL changes in the config");
        return Ending {
            outcome: Outcome::Gone,
            events,
            label: e.kind(),
        };
    }
    let retry_in = humantime::format_duration(poll.retry_in(now));
    let short = short_error(&message, feed.url.host_str().unwrap_or("the file"));
    warn!(failures = poll.state.consecutive_failures, retry_in = %retry_in, error = %message, "poll failed: {short}");
    Ending {
        outcome: Outcome::Failed(message),
        events,
        label: e.kind(),
    }
}

/// Writes what the poll changed. A poll that stored entries wrote its state with them and
/// counts as done only once durable: a crash can never keep a validator whose entries were
/// lost. Other state (a 304's next due time, a failure count) is written with the others in
/// one batch later: losing it to a crash costs one early poll. Disabling a feed (410) is
/// rare and must survive a crash: written at once.
async fn persist(
    ctx: &Arc<Context>,
    feed: &Feed,
    poll: &FeedPoll,
    ending: &Ending,
    now: i64,
) -> Result<(), StoreError> {
    let gone = matches!(ending.outcome, Outcome::Gone);
    if !matches!(ending.outcome, Outcome::Stored(_) | Outcome::Gone) {
        ctx.store.put_feed_state_later(&feed.id, &poll.state);
    }
    if gone || !ending.events.is_empty() {
        let (st, id, state) = (ctx.store.clone(), feed.id.clone(), poll.state.clone());
        let events = ending.events.clone();
        store::blocking("record the poll", move || {
            if gone {
                st.put_feed_state(&id, &state)?;
            }
            for event in events {
                st.record_event(&event.into_health(&id, now))?;
            }
            Ok(())
        })
        .await?;
    }
    if matches!(ending.outcome, Outcome::Stored(_)) {
        ctx.store.flush().await?;
    }
    Ok(())
}

/// Counts one poll in the metrics.
fn record(feed_id: &str, ending: &Ending, took: Duration) {
    use crate::metrics::{FeedLabel, FeedOutcome};
    let m = crate::metrics::get();
    m.fetches
        .get_or_create(&FeedOutcome {
            feed: feed_id.to_owned(),
            outcome: ending.label.to_owned(),
        })
        .inc();
    m.fetch_seconds.observe(took.as_secs_f64());
    if let Outcome::Stored(s) = &ending.outcome {
        let feed = FeedLabel {
            feed: feed_id.to_owned(),
        };
        m.ingested.get_or_create(&feed).inc_by(s.new as u64);
        m.updated.get_or_create(&feed).inc_by(s.updated as u64);
        m.merged.inc_by(s.merged as u64);
        m.tags.inc_by(s.tags as u64);
    }
}

/// The message of a panicked task.
pub fn panic_message(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(p) => p
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_owned()),
        Err(e) => e.to_string(),
    }
}
