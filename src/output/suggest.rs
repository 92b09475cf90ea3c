//! Show suggestions: likely show names in recent untagged entries (`showfeed suggest`,
//! `/admin/suggest`).

use serde::Serialize;

use crate::clock::now;
use crate::config::{Config, DedupMode};
use crate::query::FeedQuery;
use crate::store::{Store, StoreError};

use super::select;

/// One line of `showfeed suggest`.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct SuggestionOut {
    /// The likely show name.
    pub name: String,
    /// Untagged entries naming it.
    pub count: usize,
    /// Example headlines.
    pub examples: Vec<String>,
}

/// Likely shows in the untagged entries of the last `days` days (at most 5,000 entries).
pub fn suggestions(
    config: &Config,
    store: &Store,
    days: u32,
    max: usize,
) -> Result<Vec<SuggestionOut>, StoreError> {
    let since = now() - i64::from(days) * 86_400;
    let mut q = FeedQuery::new();
    q.since = Some(since);
    q.limit = 5_000;
    let page = select::select(store, &q, DedupMode::Off, &super::embargo::Embargo::none(0))?;
    let texts: Vec<(String, String)> = page
        .entries
        .iter()
        .filter(|e| e.shows.is_empty())
        .map(|e| {
            let summary = e
                .summary
                .as_deref()
                .map(crate::text::strip_tags)
                .unwrap_or_default()
                .into_owned();
            (e.title.clone(), summary)
        })
        .collect();
    let tagger = crate::tag::Tagger::new(&config.shows);
    Ok(crate::tag::suggest(
        texts.iter().map(|(t, s)| (t.as_str(), s.as_str())),
        &tagger,
        max,
    )
    .into_iter()
    .map(|s| SuggestionOut {
        name: s.name,
        count: s.count,
        examples: s.examples,
    })
    .collect())
}
