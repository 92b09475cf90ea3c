//! The format-neutral document: a page of entries with everything every renderer needs
//! (sources, categories, related copies, paging links), built once and rendered as Atom, RSS
//! or JSON Feed, so the three formats carry the same entries, ids, tags and links.

use std::collections::HashMap;

use crate::config::{Config, DedupMode};
use crate::entry::Entry;
use crate::store::{FeedState, Store, StoreError};

use super::select::Page;
use crate::query::{cursor, FeedQuery};

/// Scheme URI of news-kind categories (trailer, casting, ...).
pub const KIND_SCHEME: &str = "urn:showfeed:kind";
/// Scheme URI of story categories (dedup mode `mark`).
pub const STORY_SCHEME: &str = "urn:showfeed:story";

/// Where an entry came from.
#[derive(Debug, Clone)]
pub struct SourceInfo {
    /// The configured feed id.
    pub id: String,
    /// IRI naming the source in our output: `{public_url}/sources/{id}.atom`.
    pub iri: String,
    /// Display title (config override, else the feed's own, else the id).
    pub title: String,
    /// The feed's URL.
    pub feed_url: String,
    /// The feed's website, when it names one.
    pub site_link: Option<String>,
}

/// A category on an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Term (`squid-game`, `squid-game/s2`, `trailer`, ...).
    pub term: String,
    /// Human label.
    pub label: Option<String>,
    /// Scheme; `None` for show categories (design.md's contract).
    pub scheme: Option<&'static str>,
}

/// Another outlet's copy of the same story (`rel="related"`).
#[derive(Debug, Clone)]
pub struct Related {
    /// Its link.
    pub href: String,
    /// The outlet's name.
    pub title: String,
}

/// One entry ready to render.
#[derive(Debug)]
pub struct OutEntry {
    /// The stored entry.
    pub entry: Entry,
    /// Its source.
    pub source: SourceInfo,
    /// Categories: shows, seasons, episodes, kinds, story.
    pub categories: Vec<Category>,
    /// Other outlets' copies.
    pub related: Vec<Related>,
}

/// A document to render.
#[derive(Debug)]
pub struct Doc {
    /// Title.
    pub title: String,
    /// Absolute URL of this document; also its id.
    pub self_url: String,
    /// URL of the first page (RFC 5005).
    pub first_url: String,
    /// URL of the next (older) page.
    pub next_url: Option<String>,
    /// URL of the previous (newer) page.
    pub prev_url: Option<String>,
    /// The index page.
    pub home_url: String,
    /// Newest `updated` among the entries (Unix seconds), 0 when empty.
    pub updated: i64,
    /// The entries.
    pub entries: Vec<OutEntry>,
}

/// Source infos of the configured feeds among `states`.
pub fn sources(
    config: &Config,
    states: &HashMap<String, FeedState>,
) -> HashMap<String, SourceInfo> {
    let base = config.server.public_url.as_str().trim_end_matches('/');
    states
        .iter()
        .filter_map(|(id, state)| {
            let f = config.feed(id)?;
            let info = SourceInfo {
                id: f.id.clone(),
                iri: format!("{base}/sources/{}.atom", f.id),
                title: f
                    .title
                    .clone()
                    .or_else(|| state.title.clone())
                    .unwrap_or_else(|| f.id.clone()),
                feed_url: f.url.to_string(),
                site_link: state.site_link.clone(),
            };
            Some((f.id.clone(), info))
        })
        .collect()
}

fn source_of(sources: &HashMap<String, SourceInfo>, config: &Config, feed_id: &str) -> SourceInfo {
    // A feed removed from the config keeps its entries until retention: name it by id.
    sources.get(feed_id).cloned().unwrap_or_else(|| SourceInfo {
        id: feed_id.to_owned(),
        iri: format!(
            "{}/sources/{feed_id}.atom",
            config.server.public_url.as_str().trim_end_matches('/')
        ),
        title: feed_id.to_owned(),
        feed_url: String::new(),
        site_link: None,
    })
}

/// Categories of an entry, per design.md: show `term=slug label=name`, then `slug/sN` and
/// `slug/sNeM`; news kinds in [`KIND_SCHEME`]; in `mark` mode, for an entry whose story has
/// other copies (`shared_story`), the story in [`STORY_SCHEME`].
pub fn categories(config: &Config, e: &Entry, shared_story: bool) -> Vec<Category> {
    let mut out = Vec::new();
    for show in &e.shows {
        for term in show.terms() {
            let label = if term == show.slug {
                show.name.clone()
            } else {
                let rest = &term[show.slug.len() + 1..];
                format!("{} {}", show.name, rest.to_uppercase())
            };
            out.push(Category {
                term,
                label: Some(label),
                scheme: None,
            });
        }
    }
    for k in &e.kinds {
        out.push(Category {
            term: k.clone(),
            label: None,
            scheme: Some(KIND_SCHEME),
        });
    }
    if config.dedup.mode == DedupMode::Mark && shared_story {
        out.push(Category {
            term: format!("story/{}", e.story.hyphenated()),
            label: None,
            scheme: Some(STORY_SCHEME),
        });
    }
    out
}

/// The document for a page of `q` at `path` (e.g. `/shows/squid-game.atom`).
pub fn build(
    config: &Config,
    store: &Store,
    title: String,
    path: &str,
    q: &FeedQuery,
    page: Page,
) -> Result<Doc, StoreError> {
    let base = config.server.public_url.as_str().trim_end_matches('/');
    let canonical = q.canonical();
    let url = |extra: Option<String>| {
        let mut query = canonical.clone();
        if let Some(extra) = extra {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&extra);
        }
        if query.is_empty() {
            format!("{base}{path}")
        } else {
            format!("{base}{path}?{query}")
        }
    };
    let paging = q
        .before
        .map(|c| format!("before={}", cursor(&c)))
        .or(q.after.map(|c| format!("after={}", cursor(&c))));
    // Each entry's story copies, read once; then the states of only the feeds on this page
    // (a store may hold thousands).
    let with_copies = page
        .entries
        .into_iter()
        .map(|e| Ok((store.story_copies(&e)?, e)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    let mut states = HashMap::new();
    for (members, e) in &with_copies {
        for feed_id in std::iter::once(&e.feed_id).chain(members.iter().map(|c| &c.feed_id)) {
            if !states.contains_key(feed_id) {
                if let Some(s) = store.feed_state(feed_id)? {
                    states.insert(feed_id.clone(), s);
                }
            }
        }
    }
    let sources = sources(config, &states);
    let updated = with_copies
        .iter()
        .map(|(_, e)| e.updated)
        .max()
        .unwrap_or(0);
    let mut entries = Vec::with_capacity(with_copies.len());
    let mode = config.dedup.mode;
    for (members, e) in with_copies {
        let shared_story = e.story != e.id || members.iter().any(|c| !c.exact_copy);
        // Copies shown as related links: exact copies always, near ones when collapsing.
        let copies: Vec<Entry> = members
            .into_iter()
            .filter(|c| c.exact_copy || mode == DedupMode::Collapse)
            .collect();
        // The earliest copy is shown (its link is rel=alternate); the entry keeps the story's
        // id, so readers never see it change as copies join or leave.
        let (shown, others): (Entry, Vec<Entry>) = match copies
            .iter()
            .filter(|c| c.published < e.published)
            .min_by_key(|c| (c.published, c.id))
        {
            Some(first) => {
                let mut shown = first.clone();
                shown.id = e.id;
                shown.story = e.story;
                shown.updated = shown.updated.max(e.updated);
                let others = std::iter::once(e.clone())
                    .chain(copies.iter().filter(|c| c.id != first.id).cloned())
                    .collect();
                (shown, others)
            }
            None => (e.clone(), copies),
        };
        let mut related: Vec<Related> = Vec::new();
        for copy in &others {
            let Some(href) = copy.link.clone() else {
                continue;
            };
            let title = source_of(&sources, config, &copy.feed_id).title;
            // An exact copy may share the link: it still names its outlet as a source.
            if related.iter().any(|r| r.href == href && r.title == title) {
                continue;
            }
            related.push(Related { href, title });
        }
        let mut cats = categories(config, &shown, shared_story);
        // A collapsed story carries the union of its copies' categories.
        for copy in &others {
            for c in categories(config, copy, false) {
                if !cats.contains(&c) {
                    cats.push(c);
                }
            }
        }
        entries.push(OutEntry {
            source: source_of(&sources, config, &shown.feed_id),
            categories: cats,
            related,
            entry: shown,
        });
    }
    Ok(Doc {
        title,
        self_url: url(paging),
        first_url: url(None),
        next_url: page
            .next
            .map(|c| url(Some(format!("before={}", cursor(&c))))),
        prev_url: page
            .prev
            .map(|c| url(Some(format!("after={}", cursor(&c))))),
        home_url: format!("{base}/"),
        updated,
        entries,
    })
}
