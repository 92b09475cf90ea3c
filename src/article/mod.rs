//! Article: the whole article behind each entry of a feed with `full_text`, fetched once.
//!
//! A poll stage between normalize and ingest ([`fill`]). For a feed with `full_text = true`
//! (or `"auto"` and a short summary), each entry that is new, or whose item changed since it
//! was stored, has its link fetched through the same [`Fetcher`] as the feed (SSRF guard with
//! the feed's `allow_private`, timeouts, body cap, redirects, `User-Agent`), HTML only, and
//! its main content extracted ([`extract`]) into the entry's `content`; the summary stays.
//! Tagging and story search then read the article. An entry seen before with the same item
//! is never fetched again: its stored content is kept (the poll stage's ingest carries it
//! over), and its `content_hash` stays the feed item's, so a re-poll matches it.
//!
//! Politeness: the articles of one poll are fetched one after another within the feed's own
//! slot; one on another host first takes that host's slot ([`Limits::acquire_host`]), so
//! articles and feeds share a host's budget. A failed or refused article keeps the summary,
//! is counted (metrics, [`ledger`] for `/status`) and never fails the poll.

pub mod extract;
pub mod ledger;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};
use url::Url;

use crate::config::{Feed, FullTextMode};
use crate::entry::{Entry, EntryId};
use crate::errors::error_chain;
use crate::fetch::{FetchError, Fetcher};
use crate::limits::Limits;
use crate::metrics::FeedOutcome;
use crate::store::{self, Store, StoreError};

use extract::{Article, ExtractError};
use ledger::ArticleFailure;

/// At most this many articles are fetched in one poll, newest entries first (a feed's first
/// poll may list a hundred items); the others keep their summaries.
pub const MAX_PER_POLL: usize = 30;

/// What the stage needs from the poll.
pub struct Stage<'a> {
    /// The store, to tell new and changed entries from those already stored.
    pub store: &'a Arc<Store>,
    /// The feed's fetcher.
    pub fetcher: &'a Fetcher,
    /// The fetch limits the feed's poll runs under.
    pub limits: &'a Limits,
    /// The feed.
    pub feed: &'a Feed,
    /// How long to wait for another host's slot before giving its article up.
    pub wait: Duration,
}

/// Why the stage stopped.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Shutdown arrived.
    #[error("stopped by shutdown")]
    Cancelled,
}

/// Why one article was not stored.
#[derive(Debug, thiserror::Error)]
pub enum ArticleError {
    /// The fetch failed or was refused.
    #[error("fetch failed")]
    Fetch(#[from] FetchError),
    /// The page held no article.
    #[error(transparent)]
    Extract(#[from] ExtractError),
    /// Another host's slot stayed taken.
    #[error("its host stayed busy with other fetches")]
    HostBusy,
    /// The site answered one of our requests with 429 (or 503 with `Retry-After`) a short
    /// while ago.
    #[error("its site asked to slow down (HTTP 429 or 503 with Retry-After)")]
    SiteHeld,
    /// Over [`MAX_PER_POLL`].
    #[error("more than {MAX_PER_POLL} new articles in one poll")]
    Limit,
    /// Extraction panicked (a bug).
    #[error("extraction failed: {0}")]
    Panic(String),
}

impl ArticleError {
    /// A short stable label for metrics and status.
    pub fn kind(&self) -> &'static str {
        match self {
            ArticleError::Fetch(f) => f.kind(),
            ArticleError::Extract(e) => e.kind(),
            ArticleError::HostBusy => "host_busy",
            ArticleError::SiteHeld => "site_held",
            ArticleError::Limit => "limit",
            ArticleError::Panic(_) => "panic",
        }
    }
}

/// Articles of one poll.
#[derive(Debug, Default, Clone, Copy)]
pub struct Filled {
    /// Stored as content.
    pub fetched: usize,
    /// Not (summary kept).
    pub failed: usize,
}

/// Fetches the article of each entry that wants one and stores it as the entry's content.
pub async fn fill(
    stage: &Stage<'_>,
    entries: &mut [Entry],
    cancel: &CancellationToken,
) -> Result<Filled, StageError> {
    let mut filled = Filled::default();
    if stage.feed.full_text.mode == FullTextMode::Off {
        return Ok(filled);
    }
    let mut todo = unseen(stage.store, wanted(entries, stage.feed.full_text.mode)).await?;
    todo.sort_by_key(|&(i, _)| std::cmp::Reverse(entries[i].published));
    for (n, (i, url)) in todo.into_iter().enumerate() {
        let result = if n >= MAX_PER_POLL {
            Err(ArticleError::Limit)
        } else {
            tokio::select! {
                r = article(stage, &url) => r,
                () = cancel.cancelled() => return Err(StageError::Cancelled),
            }
        };
        match result {
            Ok(a) => {
                entries[i].content = Some(a.html);
                filled.fetched += 1;
                record_ok(&stage.feed.id, &url);
            }
            Err(e) => {
                filled.failed += 1;
                record_failure(&stage.feed.id, &url, &e);
            }
        }
    }
    Ok(filled)
}

/// One entry's article outside a poll (`showfeed fetch-text`): its HTML, sanitized, or why
/// not; counted like the poll stage's.
pub async fn fetch_one(stage: &Stage<'_>, url: &Url) -> Result<String, ArticleError> {
    match article(stage, url).await {
        Ok(a) => {
            record_ok(&stage.feed.id, url);
            Ok(a.html)
        }
        Err(e) => {
            record_failure(&stage.feed.id, url, &e);
            Err(e)
        }
    }
}

/// The entries the feed's mode wants an article for, with their links: every entry with
/// a web link, or under `"auto"` those with no content and a short summary.
fn wanted(entries: &[Entry], mode: FullTextMode) -> Vec<(usize, EntryId, u64, Url)> {
    entries
        .iter()
        .enumerate()
        .filter(|(_, e)| match mode {
            FullTextMode::Off => false,
            FullTextMode::On => true,
            FullTextMode::Auto => e.content.is_none() && short_summary(e),
        })
        .filter_map(|(i, e)| {
            let url = Url::parse(e.link.as_deref()?).ok()?;
            matches!(url.scheme(), "http" | "https").then(|| (i, e.id, e.content_hash, url))
        })
        .collect()
}

/// Whether the entry's summary has fewer than [`AUTO_SUMMARY_CHARS`] characters of text.
///
/// [`AUTO_SUMMARY_CHARS`]: crate::config::full_text::AUTO_SUMMARY_CHARS
fn short_summary(e: &Entry) -> bool {
    let html = e.summary.as_deref().unwrap_or("");
    crate::text::strip_tags(html).trim().chars().count()
        < crate::config::full_text::AUTO_SUMMARY_CHARS
}

/// Of `wanted`, the entries not stored yet or whose item changed (by content hash): the
/// others had their one fetch already. A store scan, on a blocking thread.
async fn unseen(
    store: &Arc<Store>,
    wanted: Vec<(usize, EntryId, u64, Url)>,
) -> Result<Vec<(usize, Url)>, StoreError> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let st = store.clone();
    store::blocking("read stored entries for their articles", move || {
        let mut out = Vec::new();
        for (i, id, hash, url) in wanted {
            if st.entry(&id)?.is_none_or(|old| old.content_hash != hash) {
                out.push((i, url));
            }
        }
        Ok(out)
    })
    .await
}

/// One article: its site's slot (unless it is the feed's own site, whose slot the poll
/// holds), the page, and its extraction off the async workers.
async fn article(stage: &Stage<'_>, url: &Url) -> Result<Article, ArticleError> {
    let host = crate::config::site_key(url);
    if stage.limits.held(&host).is_some() {
        return Err(ArticleError::SiteHeld);
    }
    let _permit = if host == stage.feed.host_key() {
        stage.limits.pace(&host).await;
        None
    } else {
        // Bounded: two feeds each holding their own host's slot and waiting for the
        // other's would otherwise wait forever.
        let slot = tokio::time::timeout(stage.wait, stage.limits.acquire_host(&host));
        Some(slot.await.map_err(|_| ArticleError::HostBusy)?)
    };
    let body = match stage
        .fetcher
        .fetch_page(url, stage.feed.allow_private)
        .await
    {
        Ok(body) => body,
        Err(e) => {
            if let Some(wait) = e.site_hold() {
                stage.limits.hold(&host, wait);
            }
            return Err(e.into());
        }
    };
    crate::metrics::get()
        .article_bytes
        .inc_by(body.bytes.len() as u64);
    let rules = stage.feed.full_text.clone();
    let started = Instant::now();
    let result = tokio::task::spawn_blocking(move || {
        extract::extract(
            &body.bytes,
            body.content_type.as_deref(),
            &body.final_url,
            &rules,
        )
    })
    .await;
    crate::metrics::get()
        .article_extract_seconds
        .observe(started.elapsed().as_secs_f64());
    match result {
        Ok(r) => Ok(r?),
        Err(join) => Err(ArticleError::Panic(join.to_string())),
    }
}

fn record_ok(feed: &str, url: &Url) {
    debug!(feed, %url, "article stored");
    ledger::fetched(feed);
    count(feed, "fetched");
}

fn record_failure(feed: &str, url: &Url, e: &ArticleError) {
    let error = error_chain(e);
    warn!(feed, %url, reason = e.kind(), "article not stored, the summary stays: {error}");
    ledger::failed(
        feed,
        ArticleFailure {
            url: url.to_string(),
            reason: e.kind().to_owned(),
            error,
            at: crate::clock::now(),
        },
    );
    count(feed, e.kind());
}

fn count(feed: &str, outcome: &str) {
    crate::metrics::get()
        .articles
        .get_or_create(&FeedOutcome {
            feed: feed.to_owned(),
            outcome: outcome.to_owned(),
        })
        .inc();
}
