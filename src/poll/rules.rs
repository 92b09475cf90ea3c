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
//!
//! A changed rule set is applied to the stored entries in the background ([`reapply`], like
//! re-tagging): what the rules would drop now is hidden, what they no longer drop is shown
//! again. Nothing is deleted, so undoing a rule brings its entries back.

use sha2::{Digest, Sha256};
use tracing::info;

use crate::config::{Config, Rules};
use crate::entry::Entry;
use crate::store::{HideStats, StoreError};

use super::Context;

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

/// The rule that drops `e` under `config`'s rules (its feed's and the global ones).
pub fn verdict(config: &Config, e: &Entry) -> Option<&'static str> {
    let none = Rules::default();
    let feed = config.feed(&e.feed_id).map_or(&none, |f| &f.rules);
    dropped_by(&config.rules, feed, e)
}

/// A digest of every rule in `config` (global and per feed, with the feed ids): the stored
/// entries' hiding matches the rule set with this fingerprint.
pub fn fingerprint(config: &Config) -> [u8; 16] {
    let mut h = Sha256::new();
    let mut add = |scope: &str, r: &Rules| {
        for (name, rule) in [("block", &r.block), ("keep", &r.keep)] {
            if let Some(rule) = rule {
                h.update(format!("{scope}\0{name}\0{}\0", rule.expr).as_bytes());
            }
        }
    };
    add("", &config.rules);
    for f in &config.feeds {
        add(&f.id, &f.rules);
    }
    let mut out = [0u8; 16];
    out.copy_from_slice(&h.finalize()[..16]);
    out
}

/// Whether the stored entries were hidden under another rule set than `ctx`'s.
pub fn rules_are_stale(ctx: &Context) -> bool {
    let want = fingerprint(&ctx.config);
    match ctx.store.rules_applied() {
        Ok(Some(f)) => f != want,
        // Never applied: only worth a pass when there are rules.
        Ok(None) => want != fingerprint_of_no_rules(),
        Err(_) => true,
    }
}

fn fingerprint_of_no_rules() -> [u8; 16] {
    let mut out = [0u8; 16];
    out.copy_from_slice(&Sha256::new().finalize()[..16]);
    out
}

/// Applies `ctx`'s rules to every stored entry (hide, or show again) and records the rule
/// set; `None` when `stop` ended it early (the next start or reload runs it again).
/// Blocking.
pub fn reapply(ctx: &Context, stop: &dyn Fn() -> bool) -> Result<Option<HideStats>, StoreError> {
    let config = ctx.config.clone();
    let Some(stats) = ctx.store.apply_hiding(|e| verdict(&config, e), stop)? else {
        info!("applying the ingest rules to the store stopped by shutdown; it runs again at the next start");
        return Ok(None);
    };
    ctx.store.set_rules_applied(fingerprint(&config))?;
    info!(
        hidden = stats.hidden,
        shown = stats.shown,
        "applied the ingest rules to the stored entries"
    );
    Ok(Some(stats))
}
