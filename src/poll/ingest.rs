//! Ingest: where a poll's normalized entries meet tagging, story search and the store.
//!
//! Three steps ([`ingest`]). First each entry's stored version is read, and what is new is
//! tagged and fingerprinted, outside any lock, so it overlaps with other feeds' ingests.
//! Then, under the dedup lock, the story search: exact URL copies (a repost in the same feed
//! is dropped; another feed's copy joins the first copy's story) and near duplicates from
//! the in-memory index. Last, still under the lock, the store writes the result and the
//! feed's new state in one transaction.

use std::collections::HashMap;

use crate::config::full_text::AUTO_SUMMARY_CHARS;
use crate::config::{Config, DedupMode, FullTextMode};
use crate::dedup::{self, Boilerplate, BoilerplateCounter, DedupIndex, Fingerprint};
use crate::entry::{Entry, EntryId, ShowTag};
use crate::store::{FeedState, IngestStats, StoreError};
use crate::tag::Tagger;

use super::Context;

/// An entry on its way in: its stored version, and for a new one its fingerprint.
pub struct Prepared {
    entry: Entry,
    old: Option<Entry>,
    fingerprint: Option<Fingerprint>,
}

/// What the story search leaves to commit: the entries, their stored versions (in the
/// same order), and the counts.
struct Found {
    entries: Vec<Entry>,
    olds: Vec<Option<Entry>>,
    /// Story merges made (story moved, story it moved to), for the store.
    moves: Vec<(EntryId, EntryId)>,
    stats: StoryStats,
}

/// Counts of the story search.
#[derive(Debug, Default, Clone, Copy)]
pub struct StoryStats {
    merged: usize,
    /// Stories merged into another by an entry that bridged them.
    bridges: usize,
    reposts: usize,
    tags: usize,
}

/// Tags one entry: the shows it is about and the kind of news.
pub fn tag(tagger: &Tagger, e: &Entry) -> (Vec<ShowTag>, Vec<String>) {
    let tags = tagger.tag(&e.title, e.summary.as_deref(), e.content.as_deref());
    let kinds = tags.kinds.iter().map(|k| k.as_str().to_owned()).collect();
    (tags.shows, kinds)
}

/// The plain-text summary dedup compares (summary, else content), at most 600 characters.
/// The HTML was sanitized at ingest, so a plain tag strip is exact enough and much cheaper
/// than a full HTML parse.
pub fn summary_text(e: &Entry) -> String {
    let html = e.summary.as_deref().or(e.content.as_deref()).unwrap_or("");
    let end = html.char_indices().nth(4000).map_or(html.len(), |(i, _)| i);
    crate::text::strip_tags(&html[..end])
        .chars()
        .take(600)
        .collect()
}

/// What story search reads of an entry: [`summary_text`], except for an entry of a feed
/// with `full_text` whose summary is short and that has a fetched article: then the
/// summary followed by the article's text (at most 600 characters in all), so two outlets'
/// copies of a story share the article's words, not only one sentence.
pub fn story_text(e: &Entry, config: &Config) -> String {
    article_text(e, config).unwrap_or_else(|| summary_text(e))
}

/// The summary and article text [`story_text`] reads, when the entry has an article.
fn article_text(e: &Entry, config: &Config) -> Option<String> {
    let reads_article = config
        .feed(&e.feed_id)
        .is_some_and(|f| f.full_text.mode != FullTextMode::Off);
    let article = e.content.as_deref().filter(|_| reads_article)?;
    let summary = crate::text::strip_tags(e.summary.as_deref().unwrap_or(""));
    let summary = summary.trim();
    if summary.chars().count() >= AUTO_SUMMARY_CHARS {
        return None;
    }
    let end = article
        .char_indices()
        .nth(4000)
        .map_or(article.len(), |(i, _)| i);
    let text = crate::text::strip_tags(&article[..end]);
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(
        format!("{summary} {words}")
            .trim()
            .chars()
            .take(600)
            .collect(),
    )
}

/// The story fingerprint of a tagged entry.
pub fn fingerprint_of(e: &Entry) -> Fingerprint {
    fingerprint_in(e, &Boilerplate::default())
}

/// The story fingerprint of a tagged entry of a feed with this boilerplate.
pub fn fingerprint_in(e: &Entry, boilerplate: &Boilerplate) -> Fingerprint {
    fingerprint_with(e, &summary_text(e), boilerplate)
}

/// [`fingerprint_in`] reading `summary` ([`summary_text`] already made, or [`story_text`])
/// as the entry's summary.
fn fingerprint_with(e: &Entry, summary: &str, boilerplate: &Boilerplate) -> Fingerprint {
    let slugs: Vec<&str> = e.shows.iter().map(|s| s.slug.as_str()).collect();
    dedup::fingerprint_in(&e.title, summary, &slugs, &e.kinds, boilerplate)
}

/// The summary words a feed repeats in most of these items of it (see [`Boilerplate`]).
pub fn boilerplate_of<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Boilerplate {
    let mut counter = BoilerplateCounter::default();
    for e in entries {
        counter.add(&summary_text(e));
    }
    counter.finish()
}

/// An entry's URL key, as exact copies are told apart.
fn url_key(e: &Entry) -> Option<String> {
    e.link.as_deref().and_then(dedup::url_key)
}

/// The outlet an entry comes from, as story search tells outlets apart.
pub fn outlet_of(e: &Entry) -> String {
    dedup::outlet(e.link.as_deref(), &e.feed_id)
}

/// The whole ingest of one poll: prepare, find stories, commit.
pub fn ingest(
    ctx: &Context,
    feed_id: &str,
    entries: Vec<Entry>,
    state: &mut FeedState,
    now: i64,
    cutoff: i64,
) -> Result<IngestStats, StoreError> {
    let prepared = prepare(ctx, feed_id, entries)?;
    let near = ctx.config.dedup.mode != DedupMode::Off;
    // The story search and the commit share one lock, so two outlets' copies of one story
    // arriving at once still meet: the second finds the first in the index and the store.
    let mut index = ctx.dedup.lock();
    let found = find_stories(ctx, &mut index, feed_id, prepared, near)?;
    let arrived = ctx
        .arrivals
        .as_ref()
        .map(|_| new_stories(&found, state, now, cutoff));
    let poll = crate::store::Poll {
        feed_id,
        entries: &found.entries,
        moves: &found.moves,
    };
    let mut stats = ctx
        .store
        .commit_poll_moving(poll, found.olds, state, now, cutoff)?;
    drop(index);
    if let (Some(tx), Some(arrived)) = (&ctx.arrivals, arrived) {
        if !arrived.is_empty() {
            // The notifier may be gone (shutting down): nothing to announce then.
            let _ = tx.send(arrived);
        }
    }
    stats.merged = found.stats.merged;
    stats.bridged = found.stats.bridges;
    stats.reposts = found.stats.reposts;
    stats.tags = found.stats.tags;
    Ok(stats)
}

/// News older than this at arrival is a backlog, not news: it is never announced.
const ARRIVAL_MAX_AGE: i64 = 24 * 3600;

/// The entries of a poll that may bring a story into a view, for [`Context::arrivals`]:
/// new to the store, recent, and not the first poll of a feed (its items are what the feed
/// had, not what just happened). Copies of a story count too: a story whose first entry
/// was outside a view enters it when a copy that the view admits joins (another source,
/// a kind only that outlet names); the notifier announces each story once per target.
fn new_stories(found: &Found, state: &FeedState, now: i64, cutoff: i64) -> Vec<Entry> {
    if state.entry_count == 0 {
        return Vec::new();
    }
    found
        .entries
        .iter()
        .zip(&found.olds)
        .filter(|(e, old)| {
            old.is_none() && e.published >= cutoff && e.published >= now - ARRIVAL_MAX_AGE
        })
        .map(|(e, _)| e.clone())
        .collect()
}

/// Reads what is stored of each entry; tags and fingerprints the new ones. A stored entry
/// keeps its story, and is re-tagged only when its content changed (a new show list
/// re-tags the store as a whole: [`super::retag`]). A new or changed entry that an ingest
/// rule drops ([`super::rules`]) goes no further; a stored one that changed is updated and
/// hidden (or shown again) as the rules now say.
fn prepare(ctx: &Context, feed_id: &str, entries: Vec<Entry>) -> Result<Vec<Prepared>, StoreError> {
    let mut prepared = Vec::with_capacity(entries.len());
    for mut entry in entries {
        let old = ctx.store.entry(&entry.id)?;
        match &old {
            Some(old) if old.content_hash == entry.content_hash => {
                (entry.shows, entry.kinds) = (old.shows.clone(), old.kinds.clone());
                // The same item: what was stored stays, a fetched article included (the
                // hash is the feed item's, so the article is fetched once).
                entry.content.clone_from(&old.content);
                entry.language.clone_from(&old.language);
            }
            _ => {
                if entry.language.is_none() {
                    let body = entry.summary.as_deref().or(entry.content.as_deref());
                    entry.language = crate::normalize::lang::detect_entry(&entry.title, body);
                }
                (entry.shows, entry.kinds) = tag(&ctx.tagger, &entry);
                if !passes_rules(ctx, feed_id, &entry, old.is_some())? {
                    continue;
                }
            }
        }
        prepared.push(Prepared {
            entry,
            old,
            fingerprint: None,
        });
    }
    fingerprint_new(&mut prepared, &ctx.config);
    Ok(prepared)
}

/// The ingest rules on a new or changed entry: false when one drops a new entry. A stored
/// entry that changed stays, hidden or shown again as the rules now say.
fn passes_rules(
    ctx: &Context,
    feed_id: &str,
    entry: &Entry,
    stored: bool,
) -> Result<bool, StoreError> {
    let no_rules = crate::config::Rules::default();
    let feed_rules = ctx.config.feed(feed_id).map_or(&no_rules, |f| &f.rules);
    let global = &ctx.config.rules;
    if global.is_empty() && feed_rules.is_empty() && !ctx.store.any_hidden() {
        return Ok(true);
    }
    let rule = super::rules::dropped_by(global, feed_rules, entry);
    if stored {
        ctx.store.set_hidden(&entry.id, rule)?;
    }
    if let Some(rule) = rule {
        super::rules::count(feed_id, rule);
    }
    Ok(stored || rule.is_none())
}

/// Fingerprints the new entries (only they take part in story search). The feed's
/// boilerplate is learnt from all of this poll's items, and only when one is new: a
/// re-poll that brings nothing new lexes nothing.
fn fingerprint_new(prepared: &mut [Prepared], config: &Config) {
    if prepared.iter().all(|p| p.old.is_some()) {
        return;
    }
    let summaries: Vec<String> = prepared.iter().map(|p| summary_text(&p.entry)).collect();
    let mut counter = BoilerplateCounter::default();
    for s in &summaries {
        counter.add(s);
    }
    let boilerplate = counter.finish();
    for (p, summary) in prepared.iter_mut().zip(&summaries) {
        if p.old.is_none() {
            let article = article_text(&p.entry, config);
            let text = article.as_deref().unwrap_or(summary);
            p.fingerprint = Some(fingerprint_with(&p.entry, text, &boilerplate));
        }
    }
}

/// Finds the story of every new entry and drops reposts; returns the entries to commit,
/// their stored versions, and the counts. Runs under the dedup lock.
fn find_stories(
    ctx: &Context,
    index: &mut DedupIndex,
    feed_id: &str,
    prepared: Vec<Prepared>,
    near: bool,
) -> Result<Found, StoreError> {
    let mut stats = StoryStats::default();
    let mut urls_here: HashMap<String, EntryId> = HashMap::new();
    let mut kept = Vec::with_capacity(prepared.len());
    let mut olds = Vec::with_capacity(prepared.len());
    let mut moves = Vec::new();
    for p in prepared {
        let Some(fp) = p.fingerprint else {
            kept.push(p.entry);
            olds.push(p.old);
            continue;
        };
        let mut e = p.entry;
        if !exact_copy(
            ctx,
            feed_id,
            &mut e,
            index.window(),
            &mut urls_here,
            &mut stats,
        )? {
            continue;
        }
        // The copy's story may have been merged into another one earlier in this poll.
        e.story = crate::store::moved_to(&moves, e.story);
        stats.tags += e.shows.len();
        let outlet = outlet_of(&e);
        if near && !e.exact_copy {
            if let Some(m) = index.find_match(&fp, &outlet, e.published) {
                e.story = m.story;
                for other in m.bridged {
                    let into = index.merge_stories(e.story, other);
                    let from = if into == e.story { other } else { e.story };
                    moves.push((from, into));
                    e.story = into;
                }
                stats.merged += 1;
            }
        }
        index.insert(e.id, e.story, &outlet, e.published, &fp);
        index.set_source(e.id, url_key(&e).as_deref(), &e.feed_id);
        kept.push(e);
        olds.push(None);
    }
    // This poll's entries (new, and stored ones it brought again) follow the merges.
    for e in kept.iter_mut().chain(olds.iter_mut().flatten()) {
        e.story = crate::store::moved_to(&moves, e.story);
    }
    stats.bridges = moves.len();
    Ok(Found {
        entries: kept,
        olds,
        moves,
        stats,
    })
}

/// The URL side of the story search. Returns false for a repost (the same URL twice in
/// this poll, or already stored for this feed under another guid); an entry whose URL
/// another feed has joins that copy's story as an exact copy, when the two were published
/// within the dedup `window` of each other: an evergreen page (an explainer kept at one URL
/// and retitled for months) captured again long after is another day's piece, and goes
/// through the story search like any new entry.
fn exact_copy(
    ctx: &Context,
    feed_id: &str,
    e: &mut Entry,
    window: i64,
    urls_here: &mut HashMap<String, EntryId>,
    stats: &mut StoryStats,
) -> Result<bool, StoreError> {
    let Some(key) = e.link.as_deref().and_then(dedup::url_key) else {
        return Ok(true);
    };
    if urls_here.contains_key(&key) || ctx.store.entry_by_url(&key, Some(feed_id))?.is_some() {
        stats.reposts += 1;
        return Ok(false);
    }
    if let Some(first) = ctx
        .store
        .entry_by_url(&key, None)?
        .and_then(|id| ctx.store.entry(&id).ok().flatten())
        .filter(|first| (first.published - e.published).abs() <= window)
    {
        e.story = first.story;
        e.exact_copy = true;
        stats.merged += 1;
    }
    urls_here.insert(key, e.id);
    Ok(true)
}

/// Fills the dedup index from the stored entries inside the window (at start and on
/// reload), so story merging carries on across restarts. Blocking: a store scan.
pub fn rebuild_index(
    store: &crate::store::Store,
    config: &Config,
    window: i64,
    now: i64,
) -> DedupIndex {
    let mut index = DedupIndex::new(window);
    // Each feed's boilerplate from its entries in the window (a poll learns it from one
    // fetch), then the fingerprints: two scans, so the window's entries are never all held.
    // An entry that cannot be read is left out of story search rather than failing the start.
    let mut counters: HashMap<String, BoilerplateCounter> = HashMap::new();
    for e in store.since(now - window).flatten() {
        counters
            .entry(e.feed_id.clone())
            .or_default()
            .add(&summary_text(&e));
    }
    let boilerplates: HashMap<String, Boilerplate> = counters
        .into_iter()
        .map(|(feed, c)| (feed, c.finish()))
        .collect();
    let none = Boilerplate::default();
    for e in store.since(now - window).flatten() {
        let boilerplate = boilerplates.get(&e.feed_id).unwrap_or(&none);
        let fp = fingerprint_with(&e, &story_text(&e, config), boilerplate);
        index.insert(e.id, e.story, &outlet_of(&e), e.published, &fp);
        index.set_source(e.id, url_key(&e).as_deref(), &e.feed_id);
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::EntryId;

    fn entry(feed: &str, summary: &str, content: Option<&str>) -> Entry {
        let id = EntryId::derive(feed, "x");
        Entry {
            id,
            feed_id: feed.into(),
            title: "Title".into(),
            link: None,
            summary: Some(summary.into()),
            content: content.map(str::to_owned),
            language: None,
            authors: Vec::new(),
            published: 0,
            updated: 0,
            first_seen: 0,
            enclosures: Vec::new(),
            image: None,
            source_categories: Vec::new(),
            content_hash: 0,
            shows: Vec::new(),
            kinds: Vec::new(),
            story: id,
            exact_copy: false,
        }
    }

    #[test]
    fn story_text_reads_the_article_of_full_text_feeds_only() {
        let text = "[[feed]]\nid = \"a\"\nurl = \"https://a.example/f\"\nfull_text = true\n\n\
                    [[feed]]\nid = \"b\"\nurl = \"https://b.example/f\"\n";
        let config = Config::parse(text, std::path::Path::new("feeds.toml")).unwrap();
        let article = Some("<p>Netflix renewed the drama for a third season.</p>");
        let a = story_text(&entry("a", "One line.", article), &config);
        assert_eq!(a, "One line. Netflix renewed the drama for a third season.");
        let b = story_text(&entry("b", "One line.", article), &config);
        assert_eq!(b, "One line.", "a feed without full_text reads as before");
        let long = "word ".repeat(80);
        let a = story_text(&entry("a", &long, article), &config);
        assert!(!a.contains("Netflix"), "a long summary is enough");
    }
}
