//! Ingest rules: which fetched entries are not stored, in Miniflux's order. An entry is
//! dropped by the first of these that applies:
//!
//! 1. `[rules] block` matches it;
//! 2. its feed's `block` matches it;
//! 3. `[rules] keep` is set and does not match it;
//! 4. its feed's `keep` is set and does not match it.
//!
//! Rules run after tagging (so `show:`, `season:` and `kind:` work) and before the story
//! search, so a dropped entry never joins a story. Each drop is counted per feed and rule.

use crate::config::Rules;
use crate::entry::Entry;

pub use crate::vocab::RULE_NAMES;

/// The rule that drops `e`, by its [`RULE_NAMES`] entry; `None` when it is stored.
pub fn dropped_by(global: &Rules, feed: &Rules, e: &Entry) -> Option<&'static str> {
    let blocks = |r: &Rules| r.block.as_ref().is_some_and(|r| r.expr.matches(e));
    let keeps = |r: &Rules| r.keep.as_ref().is_none_or(|r| r.expr.matches(e));
    if blocks(global) {
        Some(RULE_NAMES[0])
    } else if blocks(feed) {
        Some(RULE_NAMES[1])
    } else if !keeps(global) {
        Some(RULE_NAMES[2])
    } else if !keeps(feed) {
        Some(RULE_NAMES[3])
    } else {
        None
    }
}

/// Counts one drop in the metrics.
pub fn count(feed_id: &str, rule: &str) {
    crate::metrics::get()
        .rule_drops
        .get_or_create(&crate::metrics::FeedRule {
            feed: feed_id.to_owned(),
            rule: rule.to_owned(),
        })
        .inc();
}
