//! What the article stage did for each feed since the process started, for `/status`.
//!
//! A failed article is not a failed poll (the entry keeps its summary, the feed's own state
//! is untouched), so it is not part of the stored feed state; like the metrics it describes
//! the process, and lives in one process-wide table.

use std::collections::HashMap;
use std::sync::OnceLock;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

/// One feed's articles since start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleStatus {
    /// Articles fetched and stored as their entries' content.
    pub fetched: u64,
    /// Articles not fetched or refused (the entries kept their summaries).
    pub failed: u64,
    /// The last failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_failure: Option<ArticleFailure>,
}

/// One article that was not stored, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleFailure {
    /// The article's URL.
    pub url: String,
    /// The reason as a stable label (`status`, `timeout`, `too_large`, `not_html`,
    /// `private`, `paywall`, `too_short`, `no_article`, `host_busy`, `limit`...).
    pub reason: String,
    /// The reason in words.
    pub error: String,
    /// When (Unix seconds).
    pub at: i64,
}

fn table() -> &'static Mutex<HashMap<String, ArticleStatus>> {
    static TABLE: OnceLock<Mutex<HashMap<String, ArticleStatus>>> = OnceLock::new();
    TABLE.get_or_init(Mutex::default)
}

/// An article of `feed` was stored.
pub fn fetched(feed: &str) {
    table().lock().entry(feed.to_owned()).or_default().fetched += 1;
}

/// An article of `feed` was not.
pub fn failed(feed: &str, failure: ArticleFailure) {
    let mut t = table().lock();
    let s = t.entry(feed.to_owned()).or_default();
    s.failed += 1;
    s.last_failure = Some(failure);
}

/// What the article stage did for `feed` since start; `None` when it did nothing.
pub fn status(feed: &str) -> Option<ArticleStatus> {
    table().lock().get(feed).cloned()
}
