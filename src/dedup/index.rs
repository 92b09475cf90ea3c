//! The in-memory candidate index over the entries inside the dedup window, and the pair rule.

use std::collections::HashMap;

use super::fingerprint::{is_number, is_year, Fingerprint};
use super::FxMap;
use crate::entry::EntryId;

/// SimHash distance at or below which two entries are near-verbatim copies (Manku et al.
/// 2007 use 3 for 64-bit fingerprints of web pages).
pub const SIMHASH_MAX_DISTANCE: u32 = 3;
/// Score at or above which two entries are the same story.
pub const MATCH_SCORE: f32 = 0.28;
/// Score at or above which two near-verbatim copies (SimHash distance within
/// [`SIMHASH_MAX_DISTANCE`]) are the same story.
pub const SIMHASH_MATCH_SCORE: f32 = 0.20;
/// What a name token (show slug word, quoted title phrase) shared by both sides weighs,
/// relative to a word of the same rarity: shared show names alone never make a duplicate.
pub const NAME_WEIGHT: f32 = 0.2;
/// Share of one side's name weight (show tag words, quoted title phrases) that the other
/// side's text must mention, unless they share a show tag.
pub const NAME_COVER: f32 = 0.5;
/// Title tokens weigh this much more than summary tokens in the text similarity.
const TITLE_BOOST: f32 = 2.0;

/// Candidate generation: the posting lists of the query's rarest title tokens are read, at
/// most this many lists...
const MAX_LISTS: usize = 4;
/// ...and on each, at most this many entries, the nearest in time.
const PER_LIST: usize = 64;
/// Candidates ranked by title overlap: the first this many usable ones, by shared lists...
const MAX_POOL: usize = 32;
/// ...of which this many are scored in full (plus every SimHash match).
const MAX_SCORED: usize = 8;
/// The candidate counting table: 2^10 slots, for at most MAX_LISTS * PER_LIST keys.
const TABLE_BITS: u32 = 10;
const TABLE: usize = 1 << TABLE_BITS;

// ---------------------------------------------------------------------------------------------
// Views and the pair rule.

/// The parts of a fingerprint the rule reads, whether from a [`Fingerprint`] or a slot.
#[derive(Clone, Copy)]
struct View<'a> {
    simhash: u64,
    title: &'a [u32],
    body: &'a [u32],
    names: &'a [u32],
    shows: &'a [u32],
    kinds: u8,
}

impl<'a> From<&'a Fingerprint> for View<'a> {
    fn from(f: &'a Fingerprint) -> Self {
        View {
            simhash: f.simhash,
            title: &f.title,
            body: &f.body,
            names: &f.names,
            shows: &f.shows,
            kinds: f.kinds,
        }
    }
}

/// How two fingerprints compare, with the parts of the score (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Comparison {
    /// Hamming distance of the SimHashes.
    pub hamming: u32,
    /// Title coverage, the smaller of the two directions: the weighted share of one side's
    /// title tokens found anywhere in the other side's text.
    pub cover: f32,
    /// Weighted Jaccard similarity of the two texts (title tokens count double).
    pub jaccard: f32,
    /// `(cover + jaccard) / 2`.
    pub score: f32,
    /// Why the pair can never be one story, whatever the score.
    pub conflict: Option<Conflict>,
    /// The verdict: no conflict, and the score clears [`MATCH_SCORE`] (or
    /// [`SIMHASH_MATCH_SCORE`] for near-verbatim copies).
    pub duplicate: bool,
}

/// A hard reason two entries are different stories.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// A title number (not a year) of one side is absent from the other side's text, which
    /// has numbers of its own: season 2 vs season 3, episode 5 vs episode 6.
    Numbers,
    /// Both are tagged with shows, and with no show in common.
    Shows,
    /// Both titles name kinds of news, and no kind in common (a trailer vs a casting).
    Kinds,
    /// One side names a show or work (a show tag's words, a quoted title phrase) that the
    /// other side's text does not mention (less than [`NAME_COVER`] of the name's weight),
    /// and they share no show tag: the same headline template about another show.
    Names,
    /// Nothing to compare on one side.
    Empty,
}

/// A query fingerprint's tokens, merged and weighted once per `find`.
struct Query<'a> {
    view: View<'a>,
    /// (token, in title, weight), sorted by token.
    tokens: Vec<(u32, bool, f32)>,
}

/// Merges two sorted, disjoint token lists into (token, in title) pairs.
fn merge_text(title: &[u32], body: &[u32], out: &mut Vec<(u32, bool)>) {
    out.clear();
    let (mut i, mut j) = (0, 0);
    while i < title.len() || j < body.len() {
        if j == body.len() || (i < title.len() && title[i] < body[j]) {
            out.push((title[i], true));
            i += 1;
        } else {
            out.push((body[j], false));
            j += 1;
        }
    }
}

fn has(sorted: &[u32], t: u32) -> bool {
    sorted.binary_search(&t).is_ok()
}

/// A number that counts something (not a year).
fn is_count(t: u32) -> bool {
    is_number(t) && !is_year(t)
}

// ---------------------------------------------------------------------------------------------
// The index.

/// One indexed entry. Tokens live in one allocation: title, body, names, shows.
struct Slot {
    id: EntryId,
    story: EntryId,
    simhash: u64,
    n_title: u16,
    n_body: u16,
    n_names: u16,
    kinds: u8,
    tokens: Box<[u32]>,
}

impl Slot {
    fn view(&self) -> View<'_> {
        let (t, b, n) = (
            self.n_title as usize,
            self.n_body as usize,
            self.n_names as usize,
        );
        View {
            simhash: self.simhash,
            title: &self.tokens[..t],
            body: &self.tokens[t..t + b],
            names: &self.tokens[t + b..t + b + n],
            shows: &self.tokens[t + b + n..],
            kinds: self.kinds,
        }
    }
}

/// What candidate filtering reads for every candidate, kept apart from the slots so that it
/// costs one cache line per candidate.
#[derive(Clone, Copy)]
struct Hot {
    /// Publication time.
    published: i64,
    /// The SimHash.
    simhash: u64,
    /// A 64-bit Bloom signature of the title tokens (one bit each).
    bloom: u64,
    /// Interned feed id; `FREE` for a free slot.
    feed: u32,
    /// The next slot on each of the four SimHash band lists (`END`, or `UNLINKED`).
    next: [u32; 4],
}

/// The feed of a free slot.
const FREE: u32 = u32::MAX;

/// The feeds a story has copies from, with counts.
#[derive(Clone, Debug)]
enum StoryFeeds {
    One(u32, u32),
    Many(Vec<(u32, u32)>),
}

impl StoryFeeds {
    fn contains(&self, feed: u32) -> bool {
        match self {
            StoryFeeds::One(f, _) => *f == feed,
            StoryFeeds::Many(v) => v.iter().any(|(f, _)| *f == feed),
        }
    }

    fn add(&mut self, feed: u32) {
        match self {
            StoryFeeds::One(f, n) if *f == feed => *n += 1,
            StoryFeeds::One(f, n) => *self = StoryFeeds::Many(vec![(*f, *n), (feed, 1)]),
            StoryFeeds::Many(v) => match v.iter_mut().find(|(f, _)| *f == feed) {
                Some((_, n)) => *n += 1,
                None => v.push((feed, 1)),
            },
        }
    }

    /// Removes one copy from `feed`; whether the story has copies left.
    fn remove(&mut self, feed: u32) -> bool {
        match self {
            StoryFeeds::One(f, n) if *f == feed => {
                *n -= 1;
                *n > 0
            }
            StoryFeeds::One(..) => true,
            StoryFeeds::Many(v) => {
                if let Some(i) = v.iter().position(|(f, _)| *f == feed) {
                    v[i].1 -= 1;
                    if v[i].1 == 0 {
                        v.swap_remove(i);
                    }
                }
                !v.is_empty()
            }
        }
    }
}

/// In-memory candidate index over the entries inside the dedup window.
///
/// Holds, per entry, its fingerprint's token ids (no strings), and indexes entries by their
/// title tokens and show slugs (inverted lists of slot numbers) and by the four 16-bit blocks
/// of their SimHash. [`find`](Self::find) reads only the posting lists of the query's rarest
/// title tokens and its four SimHash blocks, never every stored entry. Document frequencies
/// of all tokens are kept for the rarity weights.
pub struct DedupIndex {
    window: i64,
    slots: Vec<Option<Slot>>,
    hot: Vec<Hot>,
    free: Vec<u32>,
    by_id: FxMap<EntryId, u32>,
    /// Title token or show hash -> (publication time, slot), sorted by time.
    postings: FxMap<u32, Vec<Posting>>,
    /// (block << 16 | 16 SimHash bits) -> the latest slot with those bits; the others follow
    /// through `Hot::next` (intrusive lists, at most MAX_CHAIN long).
    bands: FxMap<u32, u32>,
    /// Token -> number of entries whose title or summary has it.
    df: FxMap<u32, u32>,
    stories: FxMap<EntryId, StoryFeeds>,
    feed_ids: HashMap<String, u32>,
    len: usize,
}

impl std::fmt::Debug for DedupIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DedupIndex")
            .field("window", &self.window)
            .field("len", &self.len)
            .field("tokens", &self.df.len())
            .field("stories", &self.stories.len())
            .finish()
    }
}

fn band_keys(simhash: u64) -> [u32; 4] {
    std::array::from_fn(|b| (b as u32) << 16 | (simhash >> (16 * b) & 0xffff) as u32)
}

fn bloom(title: &[u32]) -> u64 {
    title.iter().fold(0, |acc, &t| {
        acc | 1 << (u64::from(t).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58)
    })
}

/// One entry on a posting list: its publication time (Unix seconds, clamped to `u32`) and
/// its slot. Lists are sorted by time so that `find` reads the entries nearest in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Posting(u32, u32);

fn clamp_time(t: i64) -> u32 {
    t.clamp(0, i64::from(u32::MAX)) as u32
}

fn post(list: &mut Vec<Posting>, p: Posting) {
    match list.last() {
        Some(l) if l.0 > p.0 => {
            let at = list.partition_point(|x| x.0 <= p.0);
            list.insert(at, p);
        }
        _ => list.push(p),
    }
}

fn unpost(map: &mut FxMap<u32, Vec<Posting>>, key: u32, p: Posting) {
    if let Some(list) = map.get_mut(&key) {
        let from = list.partition_point(|x| x.0 < p.0);
        if let Some(i) = list[from..].iter().position(|x| *x == p) {
            list.remove(from + i);
        }
        if list.is_empty() {
            map.remove(&key);
        }
    }
}

/// End of a band list.
const END: u32 = u32::MAX;
/// Not on a band list (the list was full, or the text empty).
const UNLINKED: u32 = u32::MAX - 1;
/// Longest band list: more entries with the same 16 SimHash bits are not banded (they are
/// still found through their title tokens).
const MAX_CHAIN: usize = 16;

impl DedupIndex {
    /// An empty index; entries whose publication times differ by more than `window_secs` are
    /// never duplicates, and [`expire`](Self::expire) drops entries older than the window.
    pub fn new(window_secs: i64) -> DedupIndex {
        DedupIndex {
            window: window_secs.max(0),
            slots: Vec::new(),
            hot: Vec::new(),
            free: Vec::new(),
            by_id: FxMap::default(),
            postings: FxMap::default(),
            bands: FxMap::default(),
            df: FxMap::default(),
            stories: FxMap::default(),
            feed_ids: HashMap::new(),
            len: 0,
        }
    }

    /// Number of entries indexed.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no entry is indexed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The window, in seconds.
    pub fn window(&self) -> i64 {
        self.window
    }

    /// Whether `id` is indexed.
    pub fn contains(&self, id: EntryId) -> bool {
        self.by_id.contains_key(&id)
    }

    /// The story `id` was inserted with.
    pub fn story_of(&self, id: EntryId) -> Option<EntryId> {
        let slot = *self.by_id.get(&id)?;
        self.slots[slot as usize].as_ref().map(|s| s.story)
    }

    fn intern(&mut self, feed_id: &str) -> u32 {
        if let Some(&f) = self.feed_ids.get(feed_id) {
            return f;
        }
        let f = self.feed_ids.len() as u32;
        self.feed_ids.insert(feed_id.to_owned(), f);
        f
    }

    /// Registers an entry: `story` is the id of the story it belongs to (its own id when it
    /// stands alone). Inserting an id again replaces the earlier registration.
    pub fn insert(
        &mut self,
        id: EntryId,
        story: EntryId,
        feed_id: &str,
        published: i64,
        fp: &Fingerprint,
    ) {
        self.remove(id);
        let feed = self.intern(feed_id);
        fn cap(v: &[u32]) -> &[u32] {
            &v[..v.len().min(u16::MAX as usize)]
        }
        let (title, body, names, shows) = (
            cap(&fp.title),
            cap(&fp.body),
            cap(&fp.names),
            cap(&fp.shows),
        );
        let mut tokens = Vec::with_capacity(title.len() + body.len() + names.len() + shows.len());
        for part in [title, body, names, shows] {
            tokens.extend_from_slice(part);
        }
        let slot = Slot {
            id,
            story,
            simhash: fp.simhash,
            n_title: title.len() as u16,
            n_body: body.len() as u16,
            n_names: names.len() as u16,
            kinds: fp.kinds,
            tokens: tokens.into_boxed_slice(),
        };
        let hot = Hot {
            published,
            simhash: fp.simhash,
            bloom: bloom(title),
            feed,
            next: [UNLINKED; 4],
        };
        let n = match self.free.pop() {
            Some(n) => {
                self.slots[n as usize] = Some(slot);
                self.hot[n as usize] = hot;
                n
            }
            None => {
                self.slots.push(Some(slot));
                self.hot.push(hot);
                (self.slots.len() - 1) as u32
            }
        };
        self.by_id.insert(id, n);
        for &t in title.iter().chain(shows) {
            post(
                self.postings.entry(t).or_default(),
                Posting(clamp_time(published), n),
            );
        }
        if !fp.is_empty() {
            for (b, key) in band_keys(fp.simhash).into_iter().enumerate() {
                let head = self.bands.get(&key).copied().unwrap_or(END);
                if self.band_list(b, head).count() < MAX_CHAIN {
                    self.hot[n as usize].next[b] = head;
                    self.bands.insert(key, n);
                }
            }
        }
        for &t in title.iter().chain(body) {
            *self.df.entry(t).or_insert(0) += 1;
        }
        match self.stories.get_mut(&story) {
            Some(s) => s.add(feed),
            None => {
                self.stories.insert(story, StoryFeeds::One(feed, 1));
            }
        }
        self.len += 1;
    }

    /// Forgets an entry (no effect when it is not indexed).
    pub fn remove(&mut self, id: EntryId) {
        let Some(n) = self.by_id.remove(&id) else {
            return;
        };
        let Some(slot) = self.slots[n as usize].take() else {
            return;
        };
        let Hot {
            feed, published, ..
        } = self.hot[n as usize];
        let posting = Posting(clamp_time(published), n);
        let v = slot.view();
        for &t in v.title.iter().chain(v.shows) {
            unpost(&mut self.postings, t, posting);
        }
        for (b, key) in band_keys(v.simhash).into_iter().enumerate() {
            let next = self.hot[n as usize].next[b];
            if next == UNLINKED {
                continue;
            }
            let Some(&head) = self.bands.get(&key) else {
                continue;
            };
            if head == n {
                if next == END {
                    self.bands.remove(&key);
                } else {
                    self.bands.insert(key, next);
                }
            } else {
                let prev = self
                    .band_list(b, head)
                    .find(|&p| self.hot[p as usize].next[b] == n);
                if let Some(prev) = prev {
                    self.hot[prev as usize].next[b] = next;
                }
            }
        }
        self.hot[n as usize] = Hot {
            published: 0,
            simhash: 0,
            bloom: 0,
            feed: FREE,
            next: [UNLINKED; 4],
        };
        for &t in v.title.iter().chain(v.body) {
            if let Some(c) = self.df.get_mut(&t) {
                *c -= 1;
                if *c == 0 {
                    self.df.remove(&t);
                }
            }
        }
        if let Some(s) = self.stories.get_mut(&slot.story) {
            if !s.remove(feed) {
                self.stories.remove(&slot.story);
            }
        }
        self.free.push(n);
        self.len -= 1;
    }

    /// Drops the entries published before `now - window`.
    pub fn expire(&mut self, now: i64) {
        let cutoff = now.saturating_sub(self.window);
        let old: Vec<EntryId> = self
            .slots
            .iter()
            .zip(&self.hot)
            .filter_map(|(s, h)| s.as_ref().filter(|_| h.published < cutoff).map(|s| s.id))
            .collect();
        for id in old {
            self.remove(id);
        }
        if self.len == 0 {
            self.slots.clear();
            self.hot.clear();
            self.free.clear();
        }
    }

    /// The slots on band list `b` from `head`, latest first.
    fn band_list(&self, b: usize, head: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors((head < UNLINKED).then_some(head), move |&n| {
            let next = self.hot[n as usize].next[b];
            (next < UNLINKED).then_some(next)
        })
        .take(MAX_CHAIN)
    }

    /// Rarity weight of a token: `idf²` with `idf = ln(1 + (N + 1) / (df + 1))` over the N
    /// indexed entries (a shared term counts idf² in the dot product of two tf-idf vectors).
    fn weight(&self, t: u32) -> f32 {
        let df = self.df.get(&t).copied().unwrap_or(0);
        let idf = (1.0 + (self.len as f32 + 1.0) / (df as f32 + 1.0)).ln();
        idf * idf
    }

    fn query<'a>(&self, fp: &'a Fingerprint) -> Query<'a> {
        let view = View::from(fp);
        let mut merged = Vec::with_capacity(fp.title.len() + fp.body.len());
        merge_text(&fp.title, &fp.body, &mut merged);
        let tokens = merged
            .into_iter()
            .map(|(t, in_title)| (t, in_title, self.weight(t)))
            .collect();
        Query { view, tokens }
    }

    /// How two fingerprints compare, with rarity weights from this index.
    pub fn compare(&self, a: &Fingerprint, b: &Fingerprint) -> Comparison {
        let q = self.query(a);
        let mut scratch = Vec::new();
        self.score(&q, View::from(b), &mut scratch)
    }

    /// The pair rule (see the module docs).
    fn score(&self, q: &Query<'_>, b: View<'_>, scratch: &mut Vec<(u32, bool)>) -> Comparison {
        let a = q.view;
        let hamming = (a.simhash ^ b.simhash).count_ones();
        let mut out = Comparison {
            hamming,
            cover: 0.0,
            jaccard: 0.0,
            score: 0.0,
            conflict: None,
            duplicate: false,
        };
        if q.tokens.is_empty() || (b.title.is_empty() && b.body.is_empty()) {
            out.conflict = Some(Conflict::Empty);
            return out;
        }
        if a.kinds != 0 && b.kinds != 0 && a.kinds & b.kinds == 0 {
            out.conflict = Some(Conflict::Kinds);
            return out;
        }
        let shared_show = a.shows.iter().any(|s| has(b.shows, *s));
        if !a.shows.is_empty() && !b.shows.is_empty() && !shared_show {
            out.conflict = Some(Conflict::Shows);
            return out;
        }
        // Most of a side's name weight (its rarest name words) must appear in the other
        // text: "Wicked Mirror" is not "Wicked Lorsaqua".
        let mentions = |x: View<'_>, y: View<'_>| {
            let (mut all, mut hit) = (0f32, 0f32);
            for &t in x.names {
                let w = self.weight(t);
                all += w;
                if has(y.title, t) || has(y.body, t) {
                    hit += w;
                }
            }
            hit >= NAME_COVER * all
        };
        if !(shared_show || (mentions(a, b) && mentions(b, a))) {
            out.conflict = Some(Conflict::Names);
            return out;
        }
        merge_text(b.title, b.body, scratch);
        let is_name = |t: u32| has(a.names, t) || has(b.names, t);
        // Numbers (not years): whether each side has any, and whether its title has one the
        // other side lacks.
        let (mut a_has_nums, mut b_has_nums) = (false, false);
        let (mut a_title_num_alone, mut b_title_num_alone) = (false, false);
        // Weighted sums.
        let (mut a_title_all, mut a_title_hit) = (0f32, 0f32);
        let (mut b_title_all, mut b_title_hit) = (0f32, 0f32);
        let (mut jmin, mut jmax) = (0f32, 0f32);
        let (mut i, mut j) = (0, 0);
        let boost = |in_title: bool| if in_title { TITLE_BOOST } else { 1.0 };
        while i < q.tokens.len() || j < scratch.len() {
            let ta = q.tokens.get(i).map_or(u32::MAX, |x| x.0);
            let tb = scratch.get(j).map_or(u32::MAX, |x| x.0);
            if i < q.tokens.len() && (j == scratch.len() || ta < tb) {
                // Only in a.
                let (t, in_title, w) = q.tokens[i];
                if is_count(t) {
                    a_has_nums = true;
                    a_title_num_alone |= in_title;
                }
                if in_title {
                    a_title_all += w;
                }
                jmax += w * boost(in_title);
                i += 1;
            } else if j < scratch.len() && (i == q.tokens.len() || tb < ta) {
                // Only in b.
                let (t, in_title) = scratch[j];
                let w = self.weight(t);
                if is_count(t) {
                    b_has_nums = true;
                    b_title_num_alone |= in_title;
                }
                if in_title {
                    b_title_all += w;
                }
                jmax += w * boost(in_title);
                j += 1;
            } else {
                // Shared.
                let (t, a_title, w) = q.tokens[i];
                let b_title = scratch[j].1;
                if is_count(t) {
                    a_has_nums = true;
                    b_has_nums = true;
                }
                let w = if is_name(t) { w * NAME_WEIGHT } else { w };
                if a_title {
                    a_title_all += w;
                    a_title_hit += w;
                }
                if b_title {
                    b_title_all += w;
                    b_title_hit += w;
                }
                let (x, y) = (w * boost(a_title), w * boost(b_title));
                jmin += x.min(y);
                jmax += x.max(y);
                i += 1;
                j += 1;
            }
        }
        if (a_title_num_alone && b_has_nums) || (b_title_num_alone && a_has_nums) {
            out.conflict = Some(Conflict::Numbers);
        }
        let ratio = |hit: f32, all: f32| if all > 0.0 { hit / all } else { 0.0 };
        out.cover = ratio(a_title_hit, a_title_all).min(ratio(b_title_hit, b_title_all));
        out.jaccard = ratio(jmin, jmax);
        out.score = (out.cover + out.jaccard) / 2.0;
        out.duplicate = out.conflict.is_none()
            && (out.score >= MATCH_SCORE
                || (hamming <= SIMHASH_MAX_DISTANCE && out.score >= SIMHASH_MATCH_SCORE));
        out
    }

    /// The story a new entry belongs to, if any, with its score.
    ///
    /// A story qualifies through an indexed entry that is published within the window of
    /// `published`, comes from another feed than `feed_id`, and is a near-duplicate by the
    /// pair rule; and the story must have no copy from `feed_id` yet. Same-feed pairs are
    /// never merged: one outlet publishing two similar items (daily recaps, ratings reports,
    /// follow-ups in one template) almost always means two stories, and its exact reposts are
    /// caught by [`url_key`](super::url_key) and guids instead. The best-scoring qualifying
    /// entry wins.
    pub fn find(&self, fp: &Fingerprint, feed_id: &str, published: i64) -> Option<(EntryId, f32)> {
        if fp.is_empty() || self.len == 0 {
            return None;
        }
        // A feed never inserted has no copies to avoid (and is never FREE).
        let feed = self.feed_ids.get(feed_id).copied().unwrap_or(FREE - 1);

        let usable = |h: &Hot| {
            h.feed != feed && h.feed != FREE && (h.published - published).abs() <= self.window
        };

        // Near-verbatim copies: any fingerprint within distance 3 shares one 16-bit block.
        let mut must: Vec<u32> = Vec::new();
        for (b, key) in band_keys(fp.simhash).into_iter().enumerate() {
            let head = self.bands.get(&key).copied().unwrap_or(END);
            for n in self.band_list(b, head) {
                let h = &self.hot[n as usize];
                if usable(h)
                    && (h.simhash ^ fp.simhash).count_ones() <= SIMHASH_MAX_DISTANCE
                    && !must.contains(&n)
                {
                    must.push(n);
                }
            }
        }

        // Candidates: on the posting lists of the query's rarest title tokens and show slugs,
        // the entries nearest in time (at most PER_LIST each, inside the window), counted in
        // a small open-addressing table (no sort, no heap).
        let mut lists: Vec<&Vec<Posting>> = fp
            .title
            .iter()
            .chain(&fp.shows)
            .filter_map(|t| self.postings.get(t))
            .collect();
        lists.sort_unstable_by_key(|l| l.len());
        let mut keys = [u32::MAX; TABLE];
        let mut counts = [0u8; TABLE];
        let mut seen: Vec<u16> = Vec::with_capacity(MAX_LISTS * PER_LIST);
        let t = clamp_time(published);
        let (lo, hi) = (
            clamp_time(published.saturating_sub(self.window)),
            clamp_time(published.saturating_add(self.window)),
        );
        for list in lists.iter().take(MAX_LISTS) {
            // Walk out from the query's time, nearest first.
            let mid = list.partition_point(|p| p.0 < t);
            let (mut left, mut right) = (mid, mid);
            for _ in 0..PER_LIST {
                let take_left = match (left > 0, right < list.len()) {
                    (true, true) => t - list[left - 1].0 <= list[right].0 - t,
                    (true, false) => true,
                    (false, true) => false,
                    (false, false) => break,
                };
                let p = if take_left {
                    left -= 1;
                    list[left]
                } else {
                    right += 1;
                    list[right - 1]
                };
                if p.0 < lo || p.0 > hi {
                    if take_left {
                        left = 0;
                    } else {
                        right = list.len();
                    }
                    continue;
                }
                let n = p.1;
                let mut i = (n.wrapping_mul(0x9e37_79b9) >> (32 - TABLE_BITS)) as usize;
                loop {
                    if keys[i] == n {
                        counts[i] += 1;
                        break;
                    }
                    if keys[i] == u32::MAX {
                        keys[i] = n;
                        counts[i] = 1;
                        seen.push(i as u16);
                        break;
                    }
                    i = (i + 1) & (TABLE - 1);
                }
            }
        }
        // The most shared lists first; among those, the usable ones, ranked by the Bloom
        // overlap of the titles.
        let qbloom = bloom(&fp.title);
        let mut pool: Vec<(u8, u32, u32)> = Vec::with_capacity(MAX_POOL);
        'levels: for level in (1..=MAX_LISTS as u8).rev() {
            for &i in &seen {
                if counts[i as usize] != level {
                    continue;
                }
                let n = keys[i as usize];
                let h = &self.hot[n as usize];
                if usable(h) && !must.contains(&n) {
                    pool.push((level, (h.bloom & qbloom).count_ones(), n));
                    if pool.len() == MAX_POOL {
                        break 'levels;
                    }
                }
            }
        }
        pool.sort_unstable_by(|a, b| b.cmp(a));
        pool.truncate(MAX_SCORED);
        must.extend(pool.iter().map(|p| p.2));

        let q = self.query(fp);
        let mut scratch = Vec::with_capacity(64);
        let mut best: Option<(EntryId, f32)> = None;
        for &n in &must {
            let Some(slot) = self.slots[n as usize].as_ref() else {
                continue;
            };
            let c = self.score(&q, slot.view(), &mut scratch);
            if !c.duplicate || best.is_some_and(|(_, s)| s >= c.score) {
                continue;
            }
            if self
                .stories
                .get(&slot.story)
                .is_some_and(|s| s.contains(feed))
            {
                continue;
            }
            best = Some((slot.story, c.score));
        }
        best
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::dedup::fingerprint;

    fn id(n: u8) -> EntryId {
        EntryId([n; 16])
    }

    const T: i64 = 1_742_000_000;

    fn renewal() -> Fingerprint {
        fingerprint(
            "‘Severance’ Renewed for Season 3 at Apple TV+",
            "Apple TV+ has renewed Severance for a third season, one day ahead of the Season 2 \
             finale. Ben Stiller and creator Dan Erickson shared the news.",
            &[],
        )
    }

    fn renewal_reworded() -> Fingerprint {
        fingerprint(
            "Apple TV+ Orders Third Season of ‘Severance’",
            "The drama from creator Dan Erickson and director Ben Stiller will return for \
             season three, ahead of the season two finale.",
            &[],
        )
    }

    fn other() -> Fingerprint {
        fingerprint(
            "‘Snow White’ Opens To Soft $43 Million At Box Office",
            "Disney's live-action Snow White opened to $43 million domestically.",
            &[],
        )
    }

    #[test]
    fn finds_the_story_across_feeds_and_never_within_one() {
        let mut ix = DedupIndex::new(72 * 3600);
        assert!(ix.find(&renewal(), "deadline", T).is_none(), "empty index");
        ix.insert(id(1), id(1), "variety", T, &renewal());
        ix.insert(id(9), id(9), "deadline-film", T, &other());
        let (story, score) = ix.find(&renewal_reworded(), "thr", T + 600).unwrap();
        assert_eq!(story, id(1));
        assert!(score >= MATCH_SCORE);
        assert!(
            ix.find(&renewal_reworded(), "variety", T + 600).is_none(),
            "same feed"
        );
        // A story that already has a copy from a feed takes no second copy from it, even
        // through another feed's copy.
        ix.insert(id(2), id(1), "thr", T + 600, &renewal_reworded());
        assert!(ix.find(&renewal_reworded(), "variety", T + 900).is_none());
        assert_eq!(
            ix.find(&renewal_reworded(), "tvline", T + 900).unwrap().0,
            id(1)
        );
        assert_eq!(ix.len(), 3);
    }

    #[test]
    fn window_remove_and_expire() {
        let w = 72 * 3600;
        let mut ix = DedupIndex::new(w);
        ix.insert(id(1), id(1), "variety", T, &renewal());
        assert!(ix.find(&renewal_reworded(), "thr", T + w).is_some());
        assert!(ix.find(&renewal_reworded(), "thr", T + w + 1).is_none());
        assert!(ix.find(&renewal_reworded(), "thr", T - w - 1).is_none());
        ix.remove(id(1));
        ix.remove(id(1));
        assert!(ix.is_empty() && ix.find(&renewal_reworded(), "thr", T).is_none());
        assert!(ix.postings.is_empty() && ix.bands.is_empty() && ix.df.is_empty());
        assert!(ix.stories.is_empty());

        ix.insert(id(1), id(1), "variety", T, &renewal());
        ix.insert(id(2), id(1), "thr", T + 10, &renewal_reworded());
        ix.insert(id(3), id(3), "deadline-film", T + 2 * w, &other());
        ix.expire(T + w + 5);
        assert_eq!(ix.len(), 2, "the first copy expired");
        assert!(!ix.contains(id(1)) && ix.contains(id(2)));
        // The story lives on through its remaining copy.
        assert_eq!(ix.find(&renewal(), "tvline", T + 20).unwrap().0, id(1));
        ix.expire(T + 10 * w);
        assert!(ix.is_empty() && ix.df.is_empty() && ix.postings.is_empty());
    }

    #[test]
    fn band_lists_stay_consistent() {
        let mut ix = DedupIndex::new(3600);
        let fp = renewal();
        for k in 0..40u8 {
            ix.insert(id(k), id(k), &format!("f{k}"), T, &fp);
        }
        for (b, key) in band_keys(fp.simhash).into_iter().enumerate() {
            assert_eq!(ix.band_list(b, ix.bands[&key]).count(), MAX_CHAIN);
        }
        // Remove from the head, the middle and the unlinked rest.
        for k in [15u8, 7, 0, 39, 20, 30] {
            ix.remove(id(k));
        }
        for (b, key) in band_keys(fp.simhash).into_iter().enumerate() {
            let list: Vec<u32> = ix.band_list(b, ix.bands[&key]).collect();
            assert_eq!(list.len(), MAX_CHAIN - 3);
            assert!(list.iter().all(|&n| ix.slots[n as usize].is_some()));
        }
        assert!(ix.find(&fp, "new", T).is_some());
        for k in 0..40u8 {
            ix.remove(id(k));
        }
        assert!(ix.bands.is_empty() && ix.is_empty());
    }

    #[test]
    fn reinserting_an_id_replaces_it() {
        let mut ix = DedupIndex::new(3600);
        ix.insert(id(1), id(1), "variety", T, &renewal());
        ix.insert(id(1), id(1), "variety", T, &other());
        assert_eq!(ix.len(), 1);
        assert!(ix.find(&renewal_reworded(), "thr", T).is_none());
        assert_eq!(ix.story_of(id(1)), Some(id(1)));
    }

    #[test]
    fn empty_fingerprints_match_nothing() {
        let mut ix = DedupIndex::new(3600);
        let empty = fingerprint("", "", &[]);
        ix.insert(id(1), id(1), "a", T, &empty);
        ix.insert(id(2), id(2), "b", T, &renewal());
        assert!(ix.find(&empty, "c", T).is_none());
        assert_eq!(ix.find(&renewal(), "c", T).unwrap().0, id(2));
        assert_eq!(
            ix.compare(&empty, &renewal()).conflict,
            Some(Conflict::Empty)
        );
    }

    #[test]
    fn hard_rules() {
        let ix = DedupIndex::new(3600);
        let s2 = fingerprint(
            "‘The Bear’ Season 2 Premiere Date Set",
            "FX sets June 22.",
            &[],
        );
        let s3 = fingerprint(
            "‘The Bear’ Season 3 Premiere Date Set",
            "FX sets June 22.",
            &[],
        );
        assert_eq!(ix.compare(&s2, &s3).conflict, Some(Conflict::Numbers));
        let a = fingerprint("X Renewed", "", &["severance"]);
        let b = fingerprint("X Renewed", "", &["shrinking"]);
        assert_eq!(ix.compare(&a, &b).conflict, Some(Conflict::Shows));
        let a = fingerprint("‘Severance’ Renewed for Season 3", "Apple renews it.", &[]);
        let b = fingerprint("‘Shrinking’ Renewed for Season 3", "Apple renews it.", &[]);
        assert_eq!(ix.compare(&a, &b).conflict, Some(Conflict::Names));
        let a = fingerprint(
            "‘Wednesday’ Season 2 Trailer",
            "Netflix, Jenna Ortega.",
            &[],
        );
        let b = fingerprint(
            "Lady Gaga Joins ‘Wednesday’ Season 2",
            "Netflix, Jenna Ortega.",
            &[],
        );
        assert_eq!(ix.compare(&a, &b).conflict, Some(Conflict::Kinds));
        assert!(ix.compare(&renewal(), &renewal_reworded()).duplicate);
    }
}
