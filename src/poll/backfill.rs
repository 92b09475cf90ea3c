//! Backfill: the whole articles of entries stored before their feed had `full_text`
//! (`showfeed fetch-text`, `POST /admin/fetch-text`).
//!
//! The poll stage fetches an article once, when its entry is new or changed; entries stored
//! before `full_text` was turned on keep their summaries. This pass finds the stored entries
//! of the chosen feeds published since a time that have no content and a web link, fetches
//! each article through the same [`article`] stage (fetcher, SSRF guard, per-site limits and
//! gaps, sanitizing, metrics), and rewrites the entry with the article as its content,
//! re-tagged from it. Ids, dates and stories stay; a later poll of the unchanged item keeps
//! the stored content. Entries are fetched a few at a time, within the same limits as polls.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::StreamExt as _;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::article;
use crate::config::{Config, Feed, FullTextMode, UnknownFeed};
use crate::entry::Entry;
use crate::store::{self, StoreError};

use super::ingest::tag;
use super::Context;

/// Articles fetched at once, across feeds (per-site limits still apply).
const AT_ONCE: usize = 4;

/// What a backfill did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackfillStats {
    /// Entries without text that were tried.
    pub tried: usize,
    /// Entries that have their article now.
    pub fetched: usize,
    /// Entries that kept their summary, by reason (`status`, `not_html`, `paywall`...).
    pub failed: BTreeMap<String, usize>,
    /// Of the fetched, entries whose show tags changed with the article.
    pub retagged: usize,
}

/// The feeds a backfill covers: the ones named (each must exist, with or without
/// `full_text`: naming one is the intent), else every feed with `full_text` on or `"auto"`.
pub fn feeds_of(config: &Config, ids: &[String]) -> Result<Vec<Feed>, UnknownFeed> {
    if let Some(id) = ids.iter().find(|id| config.feed(id).is_none()) {
        return Err(UnknownFeed(id.clone()));
    }
    Ok(config
        .feeds
        .iter()
        .filter(|f| {
            if ids.is_empty() {
                f.full_text.mode != FullTextMode::Off
            } else {
                ids.contains(&f.id)
            }
        })
        .cloned()
        .collect())
}

/// [`missing`] then [`backfill`]: the whole pass.
pub async fn run(
    ctx: &Arc<Context>,
    feeds: &[Feed],
    since: i64,
    cancel: &CancellationToken,
    each: impl FnMut(&Entry, bool),
) -> Result<BackfillStats, StoreError> {
    let entries = missing(ctx, feeds, since).await?;
    backfill(ctx, feeds, entries, cancel, each).await
}

/// The stored entries of `feeds` published at or after `since` that lack an article: no
/// content, and a web link. A store scan, on a blocking thread.
pub async fn missing(
    ctx: &Arc<Context>,
    feeds: &[Feed],
    since: i64,
) -> Result<Vec<Entry>, StoreError> {
    let ids: Vec<String> = feeds.iter().map(|f| f.id.clone()).collect();
    let st = ctx.store.clone();
    store::blocking("find entries without text", move || {
        let mut out = Vec::new();
        for e in st.since(since) {
            let e = e?;
            let web = e
                .link
                .as_deref()
                .and_then(|l| Url::parse(l).ok())
                .is_some_and(|u| matches!(u.scheme(), "http" | "https"));
            if web && e.content.is_none() && ids.contains(&e.feed_id) {
                out.push(e);
            }
        }
        // Newest first: an interrupted run has done the entries readers see first.
        out.reverse();
        Ok(out)
    })
    .await
}

/// Fetches the article of each of `entries` (from [`missing`]) and stores it; `each` is
/// called as each one ends (a progress bar). Stops between articles when `cancel` fires.
pub async fn backfill(
    ctx: &Arc<Context>,
    feeds: &[Feed],
    entries: Vec<Entry>,
    cancel: &CancellationToken,
    mut each: impl FnMut(&Entry, bool),
) -> Result<BackfillStats, StoreError> {
    let mut stats = BackfillStats::default();
    let jobs = entries.into_iter().filter_map(|e| {
        let feed = feeds.iter().find(|f| f.id == e.feed_id)?;
        Some(one(ctx, feed, e))
    });
    let mut done = futures_util::stream::iter(jobs).buffer_unordered(AT_ONCE);
    loop {
        let next = tokio::select! {
            n = done.next() => n,
            () = cancel.cancelled() => break,
        };
        let Some((entry, outcome)) = next else { break };
        stats.tried += 1;
        match outcome? {
            Ok(retagged) => {
                stats.fetched += 1;
                stats.retagged += usize::from(retagged);
                each(&entry, true);
            }
            Err(kind) => {
                *stats.failed.entry(kind.to_owned()).or_default() += 1;
                each(&entry, false);
            }
        }
    }
    Ok(stats)
}

/// One entry: its article (within its site's limits), then the entry rewritten with it and
/// re-tagged. `Ok(Err(kind))` when the article could not be had (the summary stays).
async fn one(
    ctx: &Arc<Context>,
    feed: &Feed,
    entry: Entry,
) -> (Entry, Result<Result<bool, &'static str>, StoreError>) {
    let Some(url) = entry.link.as_deref().and_then(|l| Url::parse(l).ok()) else {
        return (entry, Ok(Err("no_link")));
    };
    let stage = ctx.article_stage(feed);
    let html = {
        // The feed's slot, as its poll would hold: an article on another site takes that
        // site's slot in the stage.
        let _slot = ctx.limits.acquire(&feed.host_key()).await;
        article::fetch_one(&stage, &entry.id, &url).await
    };
    let html = match html {
        Ok(h) => h,
        Err(e) => return (entry, Ok(Err(e.kind()))),
    };
    let mut new = entry.clone();
    new.content = Some(html);
    let (shows, kinds) = tag(&ctx.tagger, &new);
    let retagged = shows != new.shows;
    (new.shows, new.kinds) = (shows, kinds);
    let (st, old) = (ctx.store.clone(), entry.clone());
    let written = store::blocking("store the article", move || st.replace_entry(&old, &new)).await;
    (entry, written.map(|()| Ok(retagged)))
}
