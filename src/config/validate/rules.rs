//! `[rules]` and `[[feed]] block` / `keep`: each rule parsed in the query language against
//! the configured shows and feeds, every problem reported where it is written, with the
//! column inside the expression.

use toml::Spanned;

use super::{entry_subject, Collector, Known, Show};
use crate::config::raw::RawConfig;
use crate::config::{Feed, Rule, Rules};
use crate::query::parse_expr;

/// Checks the global rules and puts each feed's own on it; returns the global rules.
pub(super) fn check(
    raw: &RawConfig,
    feeds: &mut [Feed],
    shows: &[Show],
    c: &mut Collector<'_>,
) -> Rules {
    let ids: Vec<String> = feeds.iter().map(|f| f.id.clone()).collect();
    let tags = super::tag_index(feeds);
    let known = Known {
        shows: &|slug| shows.iter().any(|s| s.slug == slug),
        sources: &|id| ids.iter().any(|f| f == id),
        tags: &|t| tags.get(t).map(Vec::as_slice),
        kinds: crate::config::NEWS_KINDS,
    };
    let global = match &raw.rules {
        Some(r) => Rules {
            block: rule(r.block.as_ref(), "block", None, &known, c),
            keep: rule(r.keep.as_ref(), "keep", None, &known, c),
        },
        None => Rules::default(),
    };
    for (n, f) in raw.feed.iter().enumerate() {
        let f = f.get_ref();
        let subject = entry_subject("feed", f.id.as_ref(), n);
        let subject = Some(subject.as_str());
        let block = rule(f.block.as_ref(), "block", subject, &known, c);
        let keep = rule(f.keep.as_ref(), "keep", subject, &known, c);
        let id = f.id.as_ref().map(|i| i.get_ref().as_str());
        if let Some(feed) = feeds.iter_mut().find(|x| Some(x.id.as_str()) == id) {
            feed.rules = Rules { block, keep };
        }
    }
    global
}

/// One rule: parsed, with a condition, and no time relative to now (a rule is applied at
/// ingest and again to the store: "the last 7 days" would mean something else each time).
fn rule(
    value: Option<&Spanned<String>>,
    key: &str,
    subject: Option<&str>,
    known: &Known<'_>,
    c: &mut Collector<'_>,
) -> Option<Rule> {
    let value = value?;
    let text = value.get_ref();
    match parse_expr(text, known, crate::clock::now()) {
        Ok(Some(expr)) if expr.is_relative() => {
            c.spanned(
                value,
                subject,
                format!("`{key}`: a rule cannot use a `date:` duration before now (P7D); give dates (date:2026-06/2026-07)"),
            );
            None
        }
        Ok(Some(expr)) => Some(Rule {
            text: text.clone(),
            expr,
        }),
        Ok(None) => {
            c.spanned(
                value,
                subject,
                format!("`{key}` = {text:?} has no condition (no word, phrase or field)"),
            );
            None
        }
        Err(e) => {
            c.spanned(value, subject, format!("`{key}`: {e}"));
            None
        }
    }
}

impl Rules {
    /// Whether there is no rule.
    pub fn is_empty(&self) -> bool {
        self.block.is_none() && self.keep.is_none()
    }
}
