//! What the feeds serve, counted: stories (not copies) per source and per show, in all and
//! per day over the last month, for the index page. A story counts under every source and
//! show one of its copies belongs to, exactly as [`super::select`] places it in those feeds.
//!
//! One pass over the stored entries; the caller caches the result by store generation.

use std::collections::HashMap;

use crate::config::DedupMode;
use crate::entry::{Entry, EntryId};
use crate::store::{Store, StoreError};

/// Days the per-day counts cover, today last.
pub const DAYS: usize = 30;

/// Stories in one feed slice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Stories in all.
    pub stories: usize,
    /// Stories first published on each of the last [`DAYS`] days (UTC), oldest first.
    pub per_day: [u32; DAYS],
}

/// Stories served in all, per source feed id and per show slug.
#[derive(Debug, Default)]
pub struct Served {
    /// Stories in the merged feed.
    pub all: Tally,
    /// By source feed id.
    pub by_source: HashMap<String, Tally>,
    /// By show slug.
    pub by_show: HashMap<String, Tally>,
}

/// One story while counting: the feeds and shows of its copies, its first publication.
#[derive(Default)]
struct Story {
    sources: Vec<String>,
    shows: Vec<String>,
    published: i64,
}

/// Counts what the feeds serve in dedup `mode`, with days ending at `now`.
pub fn served(store: &Store, mode: DedupMode, now: i64) -> Result<Served, StoreError> {
    let mut stories: HashMap<EntryId, Story> = HashMap::new();
    let mut gone: HashMap<EntryId, bool> = HashMap::new();
    for e in store.all_entries() {
        let e = e?;
        let unit = unit_of(store, &e, mode, &mut gone)?;
        let story = stories.entry(unit).or_insert_with(|| Story {
            published: e.published,
            ..Story::default()
        });
        add(story, &e);
    }
    let today = now.div_euclid(86_400);
    let mut out = Served::default();
    for story in stories.values() {
        let day = usize::try_from(today - story.published.div_euclid(86_400)).ok();
        let count = |t: &mut Tally| {
            t.stories += 1;
            if let Some(d) = day.filter(|d| *d < DAYS) {
                t.per_day[DAYS - 1 - d] += 1;
            }
        };
        count(&mut out.all);
        for s in &story.sources {
            count(out.by_source.entry(s.clone()).or_default());
        }
        for s in &story.shows {
            count(out.by_show.entry(s.clone()).or_default());
        }
    }
    Ok(out)
}

/// The story an entry is shown under: its story entry when it is a hidden copy whose story
/// entry is still stored, else itself.
fn unit_of(
    store: &Store,
    e: &Entry,
    mode: DedupMode,
    gone: &mut HashMap<EntryId, bool>,
) -> Result<EntryId, StoreError> {
    if e.story == e.id || !(e.exact_copy || mode == DedupMode::Collapse) {
        return Ok(e.id);
    }
    let missing = match gone.get(&e.story) {
        Some(m) => *m,
        None => {
            let m = store.entry(&e.story)?.is_none();
            gone.insert(e.story, m);
            m
        }
    };
    Ok(if missing { e.id } else { e.story })
}

fn add(story: &mut Story, e: &Entry) {
    story.published = story.published.min(e.published);
    if !story.sources.contains(&e.feed_id) {
        story.sources.push(e.feed_id.clone());
    }
    for s in &e.shows {
        if !story.shows.contains(&s.slug) {
            story.shows.push(s.slug.clone());
        }
    }
}
