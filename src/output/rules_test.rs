//! `showfeed rules test` and `/admin/rules/test`: the stored entries a rule expression
//! matches, newest first, so a rule can be tried before it goes into feeds.toml.

use serde::Serialize;

use crate::clock::{now, rfc3339};
use crate::config::{Config, NEWS_KINDS};
use crate::query::{parse_expr, Known};
use crate::store::keys::split_time_key;
use crate::store::{Index, Store};

use super::OutputError;

/// Most matches listed (all are counted).
pub const MAX_LISTED: usize = 200;

/// The answer: how many stored entries match, and the newest of them.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct RuleTest {
    /// The expression in canonical form.
    pub rule: String,
    /// Entries looked at.
    pub scanned: usize,
    /// Entries that match.
    pub matched: usize,
    /// The newest [`MAX_LISTED`] matches.
    pub entries: Vec<RuleMatch>,
}

/// One matching entry.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct RuleMatch {
    /// Publication time (RFC 3339).
    pub published: String,
    /// Feed id.
    pub feed: String,
    /// Title.
    pub title: String,
    /// Link.
    pub link: Option<String>,
}

/// Which stored entries (of `feed`, or of every feed) `rule` matches. Blocking: a walk of
/// the time or feed index.
pub fn rule_test(
    config: &Config,
    store: &Store,
    rule: &str,
    feed: Option<&str>,
) -> Result<RuleTest, OutputError> {
    let bad = |m: String| OutputError::BadQuery(crate::query::QueryError(m));
    let known = Known {
        shows: &|s| config.show(s).is_some(),
        sources: &|s| config.feed(s).is_some(),
        tags: &|t| config.tag(t),
        kinds: NEWS_KINDS,
    };
    if let Some(f) = feed.filter(|f| config.feed(f).is_none()) {
        return Err(bad(format!("no feed with id {f:?} is configured")));
    }
    let expr = parse_expr(rule, &known, now())
        .map_err(|e| bad(format!("rule: {e}")))?
        .ok_or_else(|| bad("rule: no condition (no word, phrase or field)".into()))?;
    let index = feed.map_or(Index::Time, Index::Feed);
    let mut out = RuleTest {
        rule: expr.to_string(),
        scanned: 0,
        matched: 0,
        entries: Vec::new(),
    };
    for key in store.scan(index, None, None, true) {
        let Some((_, id)) = split_time_key(&key?) else {
            continue;
        };
        let Some(e) = store.entry(&id)? else {
            continue;
        };
        out.scanned += 1;
        if !expr.matches(&e) {
            continue;
        }
        out.matched += 1;
        if out.entries.len() < MAX_LISTED {
            out.entries.push(RuleMatch {
                published: rfc3339(e.published),
                feed: e.feed_id,
                title: e.title,
                link: e.link,
            });
        }
    }
    Ok(out)
}
