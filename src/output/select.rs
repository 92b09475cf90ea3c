//! Runs a [`FeedQuery`] against the store: picks the narrowest index (a show, a source, the
//! feeds of a tag, or everything), walks it newest first within the time bounds and the
//! paging cursor, merges several streams when several shows or feeds are asked for, and
//! applies the remaining filters entry by entry until the page is full.
//!
//! A story told by several outlets is one entry (its story entry) with its copies hidden
//! behind it. A slice of the feed (a source, a show) holds every story one of whose copies
//! belongs to it: a story is placed where its story entry is when that entry matches, else
//! where its newest matching copy is. That rule depends on the filters only, never on the
//! paging cursor, so a story appears exactly once across the pages of a slice.
//!
//! Entries under a spoiler embargo ([`super::embargo`]) are passed over (or marked to be
//! masked) where the walk meets them (a story is held while its entry or a copy hidden
//! behind it is), so when the embargo ends they are back in their own
//! place in the pages; the page notes when the next embargo it passed ends.

use crate::config::DedupMode;
use crate::entry::{Entry, EntryId};
use crate::store::keys::split_time_key;
use crate::store::{keys, Hit, HitStream, Index, Store, StoreError, TimeKey};

use super::embargo::Embargo;
use crate::query::eval::Plan;
use crate::query::{Expr, FeedQuery, SpoilerMode};

/// One page of entries, newest first, with the cursors of its neighbours.
#[derive(Debug, Default)]
pub struct Page {
    /// The entries (story entries).
    pub entries: Vec<Entry>,
    /// Beside each entry: the other copies of its story ([`Store::story_copies`]), read
    /// once here for the placement and the embargo and handed to the document.
    pub copies: Vec<Vec<Entry>>,
    /// The index key each entry was found under, for the cursors.
    keys: Vec<TimeKey>,
    /// Cursor for the next (older) page, when there is one.
    pub next: Option<TimeKey>,
    /// Cursor for the previous (newer) page, when there is one.
    pub prev: Option<TimeKey>,
    /// Beside each entry: whether it is under an embargo and to be masked.
    pub masked: Vec<bool>,
    /// The next instant an embargo on an entry this walk passed ends: the page changes then.
    pub expires: Option<i64>,
    /// The latest instant an embargo on an entry of the page (or the one after it) ended:
    /// the page changed then.
    pub revealed: Option<i64>,
}

/// Walks several index streams as one, in key order, without repeats.
fn merged<'a>(
    mut streams: Vec<std::iter::Peekable<HitStream<'a>>>,
    newest_first: bool,
) -> impl Iterator<Item = Result<Hit, StoreError>> + 'a {
    let mut last: Option<TimeKey> = None;
    std::iter::from_fn(move || loop {
        let mut best: Option<(usize, TimeKey)> = None;
        for (i, s) in streams.iter_mut().enumerate() {
            match s.peek() {
                Some(Ok(h)) => {
                    let k = h.key;
                    let better = best.is_none_or(|(_, b)| if newest_first { k > b } else { k < b });
                    if better {
                        best = Some((i, k));
                    }
                }
                Some(Err(_)) => return s.next(),
                None => {}
            }
        }
        let (i, k) = best?;
        let hit = streams[i].next();
        if last == Some(k) {
            continue;
        }
        last = Some(k);
        return hit;
    })
}

/// Whether an entry in `language` is in one of `langs` (lower-case tags), as
/// [`crate::query::eval::language_is`] reads each.
fn in_languages(langs: &std::collections::BTreeSet<String>, language: Option<&str>) -> bool {
    langs
        .iter()
        .any(|l| crate::query::eval::language_is(l, language))
}

/// Whether `e` passes every filter that the index walk did not already apply.
fn matches(q: &FeedQuery, e: &Entry) -> bool {
    if !q.shows.is_empty() && !e.shows.iter().any(|s| q.shows.contains(&s.slug)) {
        return false;
    }
    if e.shows.iter().any(|s| q.exclude_shows.contains(&s.slug)) {
        return false;
    }
    if !q.seasons.is_empty()
        && !e.shows.iter().any(|s| {
            s.seasons
                .iter()
                .any(|r| q.seasons.contains(&(s.slug.clone(), r.season)))
        })
    {
        return false;
    }
    if !q.kinds.is_empty() && !e.kinds.iter().any(|k| q.kinds.contains(k)) {
        return false;
    }
    if !q.langs.is_empty() && !in_languages(&q.langs, e.language.as_deref()) {
        return false;
    }
    if !q.sources.is_empty() && !q.sources.contains(&e.feed_id) {
        return false;
    }
    if !q.tags.is_empty() && !q.tag_feeds.contains(&e.feed_id) {
        return false;
    }
    q.expr.as_ref().is_none_or(|x| x.matches(e))
}

/// The story entry `e` is hidden behind, when it is a copy: exact URL copies always,
/// near-duplicate copies in `collapse` mode. A copy whose story entry is gone (retention)
/// stands on its own again.
pub fn story_of(store: &Store, e: &Entry, mode: DedupMode) -> Result<Option<Entry>, StoreError> {
    if e.story == e.id || !(e.exact_copy || mode == DedupMode::Collapse) {
        return Ok(None);
    }
    // A story entry hidden by an ingest rule leaves its copies standing on their own.
    if store.any_hidden() && store.is_hidden(&e.story)? {
        return Ok(None);
    }
    store.entry(&e.story)
}

/// Whether `e` passes the query's filters and time bounds (not the paging cursor).
fn qualifies(q: &FeedQuery, e: &Entry) -> bool {
    q.since.is_none_or(|t| e.published >= t)
        && q.until.is_none_or(|t| e.published <= t)
        && matches(q, e)
}

/// Whether `e` is in the documents of `q` on its own (filters and time bounds), as a new
/// entry is checked before it is announced (the notify stage).
pub fn admits(q: &FeedQuery, e: &Entry) -> bool {
    qualifies(q, e)
}

/// A story entry placed on the page, with its story's copies when placing it read them.
type Placed = (Entry, Option<Vec<Entry>>);

/// What a matching entry found at `key` puts on the page: itself, or for a hidden copy
/// the story it belongs to when this copy is where the story is placed (see the module
/// docs), with the story's copies it read to decide; `None` when the story is placed
/// elsewhere.
fn placed(
    store: &Store,
    q: &FeedQuery,
    mode: DedupMode,
    e: Entry,
    key: &TimeKey,
) -> Result<Option<Placed>, StoreError> {
    let Some(story) = story_of(store, &e, mode)? else {
        return Ok(Some((e, None)));
    };
    // Placed at the story entry when it matches; and a story whose own entry is about an
    // excluded show stays out, whichever copy led here.
    let excluded = story
        .shows
        .iter()
        .any(|s| q.exclude_shows.contains(&s.slug));
    if excluded || qualifies(q, &story) {
        return Ok(None);
    }
    let copies = store.story_copies(&story)?;
    let newest = copies
        .iter()
        .filter(|c| hidden_by(&story, c, mode) && qualifies(q, c))
        .map(|c| keys::time_key(c.published, &c.id))
        .max();
    Ok((newest.as_ref() == Some(key)).then_some((story, Some(copies))))
}

/// Whether copy `c` of `story` is hidden behind it, as [`story_of`] decides for a copy
/// whose story entry is known to be there.
fn hidden_by(story: &Entry, c: &Entry, mode: DedupMode) -> bool {
    c.story == story.id && c.id != story.id && (c.exact_copy || mode == DedupMode::Collapse)
}

/// The indexes a query walks: the narrowest its filters allow, never a full scan when an
/// index answers.
fn indexes<'a>(q: &'a FeedQuery, plan: &Plan<'a>) -> Vec<Index<'a>> {
    if !q.shows.is_empty() {
        q.shows.iter().map(|s| Index::Show(s)).collect()
    } else if !q.seasons.is_empty() {
        let slugs: std::collections::BTreeSet<&str> =
            q.seasons.iter().map(|(s, _)| s.as_str()).collect();
        slugs.into_iter().map(Index::Show).collect()
    } else if !q.sources.is_empty() {
        // With tags too, only the sources that have one of them can match.
        q.sources
            .iter()
            .filter(|s| q.tags.is_empty() || q.tag_feeds.contains(*s))
            .map(|s| Index::Feed(s))
            .collect()
    } else if !q.tags.is_empty() {
        // A tag is the set of its feeds: selected like `source=` over each.
        q.tag_feeds.iter().map(|s| Index::Feed(s)).collect()
    } else if let Some(streams) = &plan.streams {
        // `q`'s shows, seasons and sources (`show:a OR show:b`).
        streams.clone()
    } else {
        vec![Index::Time]
    }
}

/// The exclusive key bounds of a walk, from the time filters (`since`, `until` and `q`'s
/// `date:`) and the paging cursor.
fn bounds(
    q: &FeedQuery,
    plan: &Plan<'_>,
    newest_first: bool,
) -> (Option<TimeKey>, Option<TimeKey>) {
    let since = q.since.max(plan.start);
    let until = match (q.until, plan.end.map(|e| e.saturating_sub(1))) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let since = since.map(|t| keys::time_key(t.saturating_sub(1), &EntryId([0xff; 16])));
    let until = until.map(|t| keys::time_key(t.saturating_add(1), &EntryId([0; 16])));
    if newest_first {
        let upper = match (q.before, until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        (since, upper)
    } else {
        let lower = match (q.after, since) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        (lower, until)
    }
}

/// Runs `q` and returns one page, with `embargo`'s held entries left out or masked.
pub fn select(
    store: &Store,
    q: &FeedQuery,
    mode: DedupMode,
    embargo: &Embargo,
) -> Result<Page, StoreError> {
    let plan = q.expr.as_ref().map(Expr::plan).unwrap_or_default();
    let newest_first = q.after.is_none();
    let (lower, upper) = bounds(q, &plan, newest_first);
    let mut page = Page::default();
    let streams = indexes(q, &plan)
        .into_iter()
        .filter(|i| match i {
            // Every entry of a show under `spoilers_until` is held: nothing to walk for
            // (a show whose entries are all held would otherwise be read to its end).
            Index::Show(s) if q.spoilers == SpoilerMode::Hide => match embargo.holds_show(s) {
                Some(until) => {
                    page.expires = Some(page.expires.map_or(until, |t| t.min(until)));
                    false
                }
                None => true,
            },
            _ => true,
        })
        .map(|i| store.walk(i, lower, upper, newest_first).peekable())
        .collect();
    let mut more = false;
    let any_hidden = store.any_hidden();
    for hit in merged(streams, newest_first) {
        let hit = hit?;
        let key = hit.key;
        let Some((_, id)) = split_time_key(&key) else {
            continue;
        };
        if any_hidden && store.is_hidden(&id)? {
            continue;
        }
        let Some(entry) = store.entry_of(&hit)? else {
            continue;
        };
        if !matches(q, &entry) {
            continue;
        }
        let Some((entry, copies)) = placed(store, q, mode, entry, &key)? else {
            continue;
        };
        // Without an embargo nothing is held, so the page is full before the copies of the
        // entry past its end are read.
        if page.entries.len() == q.limit && embargo.is_empty() {
            more = true;
            break;
        }
        let copies = match copies {
            Some(c) => c,
            None => store.story_copies(&entry)?,
        };
        let hidden = hidden_copies(&copies, mode);
        let Some(masked) = page.embargoed(&entry, &hidden, embargo, q.spoilers) else {
            continue;
        };
        if page.entries.len() == q.limit {
            more = true;
            break;
        }
        page.push(entry, copies, key, masked);
    }
    if !newest_first {
        page.entries.reverse();
        page.copies.reverse();
        page.keys.reverse();
        page.masked.reverse();
    }
    page.set_cursors(q, newest_first, more);
    Ok(page)
}

/// Of a story's copies, those hidden behind its entry (exact copies always, near ones in
/// `collapse` mode): the document shows their categories and links with the story's, so
/// what holds one of them holds the story.
fn hidden_copies(copies: &[Entry], mode: DedupMode) -> Vec<&Entry> {
    copies
        .iter()
        .filter(|c| c.exact_copy || mode == DedupMode::Collapse)
        .collect()
}

impl Page {
    /// Whether story entry `e` goes on the page masked (`Some(true)`), as it is
    /// (`Some(false)`) or not at all (`None`: held and hidden), noting when its embargo ends
    /// or ended. The embargo of a story is the latest of its entry's and its hidden copies'.
    fn embargoed(
        &mut self,
        e: &Entry,
        copies: &[&Entry],
        embargo: &Embargo,
        mode: SpoilerMode,
    ) -> Option<bool> {
        let ends = std::iter::once(e)
            .chain(copies.iter().copied())
            .filter_map(|c| embargo.ends(c));
        let Some(end) = ends.max() else {
            return Some(false);
        };
        if end <= embargo.now() {
            self.revealed = self.revealed.max(Some(end));
            return Some(false);
        }
        self.expires = Some(self.expires.map_or(end, |t| t.min(end)));
        (mode == SpoilerMode::Mask).then_some(true)
    }

    /// Adds a story entry, its copies, the key it was found under and whether it is masked.
    fn push(&mut self, e: Entry, copies: Vec<Entry>, key: TimeKey, masked: bool) {
        self.entries.push(e);
        self.copies.push(copies);
        self.keys.push(key);
        self.masked.push(masked);
    }

    /// The next and previous cursors: the page's last and first keys, where there is more.
    fn set_cursors(&mut self, q: &FeedQuery, newest_first: bool, more: bool) {
        let first = self.keys.first().copied();
        let last = self.keys.last().copied();
        if newest_first {
            self.next = if more { last } else { None };
            self.prev = if q.before.is_some() { first } else { None };
        } else {
            self.prev = if more { first } else { None };
            self.next = last;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fold_into_folds_as_fold_words_does() {
        for s in [
            "Pokémon: Horizons, Season 2 — FINALE!",
            "ASCII only, S02E03",
            "  ",
            "Ünïcödé ÀÉÎ ß 東京",
        ] {
            let mut out = String::new();
            crate::query::eval::fold_into(&mut out, s);
            let words = crate::query::fold_words(s);
            let expected: String = words.iter().map(|w| format!("{w} ")).collect();
            assert_eq!(out, expected, "{s}");
        }
    }
}
