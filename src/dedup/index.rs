//! The in-memory candidate index over the entries inside the dedup window, and the story
//! search over it ([`search`]: which story a new entry joins).

use std::collections::HashMap;

use super::fingerprint::Fingerprint;
use super::rule::{self, Comparison, Pair, Query, View};
use super::FxMap;
use crate::entry::EntryId;

mod search;
mod settle;
pub use search::Match;
pub use settle::Settling;

/// Candidate generation: the posting lists of the query's rarest title tokens are read, at
/// most this many lists (with four, a copy that shares only a day's running words with the
/// query, `Auckland`, `level`, `3`, was never scored against it: stories dev pairs P / R
/// 0.888 / 0.580 with four, 0.904 / 0.600 with six or eight)...
const MAX_LISTS: usize = 6;
/// ...and on each, at most this many entries, the nearest in time.
const PER_LIST: usize = 64;
/// Candidates ranked by title overlap: the first this many usable ones, by shared lists...
const MAX_POOL: usize = 32;
/// ...of which this many are scored in full (plus every SimHash match).
const MAX_SCORED: usize = 8;
/// Before a story is joined, this many of its members are scored (those not yet scored)...
const EXPAND_MEMBERS: usize = 6;
/// ...in at most this many stories (the best, then the next when a member rules it out).
const EXPAND_STORIES: usize = 2;
/// At most this many other stories a new entry bridges into the one it joins (see
/// [`Match::bridged`]).
const MAX_BRIDGES: usize = 2;
/// A new entry bridges two stories only when it matches a member of each this strongly
/// (the bar for one outlet's entries): a copy that only just matches one of them is a weak
/// link, and a chain of weak links must not merge stories.
const BRIDGE_SCORE: f32 = 0.40;
/// The two stories' members the new entry links best must score at least this together (and
/// no hard rule may separate them): a new entry that duplicates two unrelated pieces (a
/// chain of weak links) does not make them one story. Set on the dev days of
/// `tests/quality/stories`.
const BRIDGE_PAIR_SCORE: f32 = 0.2;
/// The number of stories using a token at which it weighs a quarter (see `weight`). At 100
/// a running topic's words (a candidate's name on a convention night, used by dozens of
/// pieces about other happenings) still weighed 0.4-0.6 and chained commentary into the
/// speech's story; at 50 they weigh 0.2-0.4 and a story's own rare words decide (stories
/// dev: the same recall, 2 fewer false-merge pairs; 30 and 40 lose recall).
const COMMON: f32 = 50.0;
/// The candidate counting table: 2^10 slots, for at most MAX_LISTS * PER_LIST keys.
const TABLE_BITS: u32 = 10;
const TABLE: usize = 1 << TABLE_BITS;

/// One indexed entry. Tokens live in one allocation: title, body, names, quoted, shows,
/// counted (title, summary), dates.
struct Slot {
    id: EntryId,
    story: EntryId,
    /// A hash of the entry's URL key (0: none) and its interned feed (see
    /// [`DedupIndex::set_source`]): what settling needs to keep exact copies together.
    url: u64,
    feed: u32,
    simhash: u64,
    lens: [u16; 7],
    kinds: u8,
    piece: u8,
    tokens: Box<[u32]>,
}

impl Slot {
    fn view(&self) -> View<'_> {
        let mut parts = [&self.tokens[..0]; 8];
        let mut at = 0;
        for (k, &n) in self.lens.iter().enumerate() {
            parts[k] = &self.tokens[at..at + n as usize];
            at += n as usize;
        }
        parts[7] = &self.tokens[at..];
        View {
            simhash: self.simhash,
            title: parts[0],
            body: parts[1],
            names: parts[2],
            quoted: parts[3],
            shows: parts[4],
            counted: parts[5],
            counted_body: parts[6],
            dates: parts[7],
            kinds: self.kinds,
            piece: self.piece,
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
    /// Interned outlet; `FREE` for a free slot.
    outlet: u32,
    /// The next slot on each of the four SimHash band lists (`END`, or `UNLINKED`).
    next: [u32; 4],
}

/// The outlet of a free slot.
const FREE: u32 = u32::MAX;

/// One story's indexed entries, for the document frequencies.
struct Story {
    /// Its first indexed entry's slot...
    first: u32,
    /// ...and the others'.
    more: Vec<u32>,
    /// Once it has two entries: each title or summary token of its entries, sorted, with the
    /// number of entries that have it.
    words: Option<Vec<(u32, u16)>>,
}

/// The title and summary tokens of a view (both sorted, no token in both), sorted.
fn text_tokens(v: &View<'_>) -> Vec<u32> {
    let (a, b) = (v.title, v.body);
    let mut t = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if j == b.len() || (i < a.len() && a[i] < b[j]) {
            t.push(a[i]);
            i += 1;
        } else {
            t.push(b[j]);
            j += 1;
        }
    }
    t.dedup();
    t
}

/// Adds `tokens` (sorted) to a story's counted words; returns the tokens new to it.
fn add_words(words: &mut Vec<(u32, u16)>, tokens: &[u32]) -> Vec<u32> {
    let mut new = Vec::new();
    let mut merged = Vec::with_capacity(words.len() + tokens.len());
    let (mut i, mut j) = (0, 0);
    while i < words.len() || j < tokens.len() {
        if j == tokens.len() || (i < words.len() && words[i].0 < tokens[j]) {
            merged.push(words[i]);
            i += 1;
        } else if i == words.len() || tokens[j] < words[i].0 {
            merged.push((tokens[j], 1));
            new.push(tokens[j]);
            j += 1;
        } else {
            merged.push((words[i].0, words[i].1.saturating_add(1)));
            i += 1;
            j += 1;
        }
    }
    *words = merged;
    new
}

/// Removes `tokens` (sorted) from a story's counted words; returns the tokens it no longer
/// has.
fn remove_words(words: &mut Vec<(u32, u16)>, tokens: &[u32]) -> Vec<u32> {
    let mut gone = Vec::new();
    for &t in tokens {
        if let Ok(i) = words.binary_search_by_key(&t, |w| w.0) {
            words[i].1 -= 1;
            if words[i].1 == 0 {
                gone.push(t);
            }
        }
    }
    words.retain(|w| w.1 > 0);
    gone
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
    /// Token -> number of stories whose entries' titles or summaries have it.
    df: FxMap<u32, u32>,
    stories: FxMap<EntryId, Story>,
    outlets: HashMap<String, u32>,
    feeds: HashMap<String, u32>,
    /// The greatest (publication time, id) inserted so far...
    latest: (i64, EntryId),
    /// ...and whether an entry came in below it since the last settling: only then can
    /// replaying in publication order give other stories (see `settle`).
    unsettled: bool,
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
            outlets: HashMap::new(),
            feeds: HashMap::new(),
            latest: (i64::MIN, EntryId([0; 16])),
            unsettled: false,
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

    fn intern(&mut self, outlet: &str) -> u32 {
        if let Some(&f) = self.outlets.get(outlet) {
            return f;
        }
        let f = self.outlets.len() as u32;
        self.outlets.insert(outlet.to_owned(), f);
        f
    }

    /// Registers an entry from `outlet` (see [`outlet`](super::outlet)): `story` is the id of
    /// the story it belongs to (its own id when it stands alone). Inserting an id again
    /// replaces the earlier registration.
    pub fn insert(
        &mut self,
        id: EntryId,
        story: EntryId,
        outlet: &str,
        published: i64,
        fp: &Fingerprint,
    ) {
        self.remove(id);
        if (published, id) < self.latest {
            self.unsettled = true;
        }
        self.latest = self.latest.max((published, id));
        let outlet = self.intern(outlet);
        fn cap(v: &[u32]) -> &[u32] {
            &v[..v.len().min(u16::MAX as usize)]
        }
        let parts = [
            cap(&fp.title),
            cap(&fp.body),
            cap(&fp.names),
            cap(&fp.quoted),
            cap(&fp.shows),
            cap(&fp.counted),
            cap(&fp.counted_body),
            cap(&fp.dates),
        ];
        let tokens: Vec<u32> = parts.concat();
        let slot = Slot {
            id,
            story,
            url: 0,
            feed: u32::MAX,
            simhash: fp.simhash,
            lens: std::array::from_fn(|k| parts[k].len() as u16),
            kinds: fp.kinds,
            piece: fp.piece,
            tokens: tokens.into_boxed_slice(),
        };
        let hot = Hot {
            published,
            simhash: fp.simhash,
            bloom: bloom(parts[0]),
            outlet,
            next: [UNLINKED; 4],
        };
        let n = self.place(slot, hot);
        self.by_id.insert(id, n);
        self.list(n);
        self.join_story(story, n);
        self.len += 1;
    }

    /// Puts slot `n` on the posting lists of its title tokens and show slugs, and on its
    /// SimHash band lists (unless it has no text): what makes the story search find it.
    fn list(&mut self, n: u32) {
        let Some(slot) = self.slots[n as usize].as_ref() else {
            return;
        };
        let posting = Posting(clamp_time(self.hot[n as usize].published), n);
        let v = slot.view();
        for &t in v.title.iter().chain(v.shows) {
            post(self.postings.entry(t).or_default(), posting);
        }
        let (simhash, empty) = (v.simhash, v.title.is_empty() && v.body.is_empty());
        if !empty {
            self.band(n, simhash);
        }
    }

    /// Counts slot `n` in its story, and the story in the frequencies of the tokens it
    /// brings: a token counts once per story, so that the copies of a big story do not make
    /// its own words look common (and a copy's weights do not depend on how many copies came
    /// before it).
    fn join_story(&mut self, story: EntryId, n: u32) {
        let Some(view) = self.slots[n as usize].as_ref().map(Slot::view) else {
            return;
        };
        let Some(st) = self.stories.get_mut(&story) else {
            // A new story: each of its tokens is in one more story.
            for &t in view.title.iter().chain(view.body) {
                *self.df.entry(t).or_insert(0) += 1;
            }
            let st = Story {
                first: n,
                more: Vec::new(),
                words: None,
            };
            self.stories.insert(story, st);
            return;
        };
        let first = st.first;
        st.more.push(n);
        let words = st.words.get_or_insert_with(|| {
            let view = self.slots[first as usize].as_ref().map(Slot::view);
            view.map_or_else(Vec::new, |v| {
                text_tokens(&v).into_iter().map(|t| (t, 1)).collect()
            })
        });
        let new = add_words(words, &text_tokens(&view));
        for t in new {
            *self.df.entry(t).or_insert(0) += 1;
        }
    }

    /// Forgets slot `n` from its story and the frequencies.
    fn leave_story(&mut self, story: EntryId, n: u32, view: &View<'_>) {
        let tokens = text_tokens(view);
        let gone = match self.stories.get_mut(&story) {
            None => Vec::new(),
            Some(st) if st.more.is_empty() => {
                let gone = match st.words.as_mut() {
                    Some(words) => remove_words(words, &tokens),
                    None => tokens,
                };
                self.stories.remove(&story);
                gone
            }
            Some(st) => {
                if st.first == n {
                    st.first = st.more.remove(0);
                } else {
                    st.more.retain(|&m| m != n);
                }
                match st.words.as_mut() {
                    Some(words) => remove_words(words, &tokens),
                    None => Vec::new(),
                }
            }
        };
        for t in gone {
            if let Some(c) = self.df.get_mut(&t) {
                *c -= 1;
                if *c == 0 {
                    self.df.remove(&t);
                }
            }
        }
    }

    /// Whether the entries in slots `a` and `b` could be one story: no hard rule separates
    /// them, and they share some of their text ([`BRIDGE_PAIR_SCORE`]; they need not clear
    /// the bar themselves: a new entry that duplicates both links them).
    fn compatible(&self, a: u32, b: u32) -> bool {
        let (Some(sa), Some(sb)) = (
            self.slots[a as usize].as_ref(),
            self.slots[b as usize].as_ref(),
        ) else {
            return false;
        };
        let (ha, hb) = (&self.hot[a as usize], &self.hot[b as usize]);
        let pair = Pair {
            same_outlet: ha.outlet == hb.outlet,
            gap: (ha.published - hb.published).abs(),
        };
        let q = Query::of(sa.view(), |t| self.weight(t));
        let c = rule::compare(&q, sb.view(), pair, |t| self.weight(t), &mut Vec::new());
        c.conflict.is_none() && c.score >= BRIDGE_PAIR_SCORE
    }

    /// What orders stories for [`merge_stories`](Self::merge_stories): the publication time
    /// of the story's own entry (the earliest when it has left the index), then the id.
    fn story_order(&self, story: EntryId) -> (i64, EntryId) {
        let t = self
            .by_id
            .get(&story)
            .map_or(i64::MIN, |&n| self.hot[n as usize].published);
        (t, story)
    }

    /// A story's counted words (each title or summary token with the number of its entries
    /// that have it), made from its first entry when it has one entry.
    fn words_of(&self, st: &Story) -> Vec<(u32, u16)> {
        st.words.clone().unwrap_or_else(|| {
            self.slots[st.first as usize]
                .as_ref()
                .map(|s| text_tokens(&s.view()).into_iter().map(|t| (t, 1)).collect())
                .unwrap_or_default()
        })
    }

    /// Merges stories `a` and `b` into one: the one whose own entry was published first
    /// (the smaller id on a tie) keeps its id, the other's members move to it. Returns the
    /// id kept. The caller moves the stored membership the same way.
    pub fn merge_stories(&mut self, a: EntryId, b: EntryId) -> EntryId {
        if a == b {
            return a;
        }
        let (into, from) = if self.story_order(a) <= self.story_order(b) {
            (a, b)
        } else {
            (b, a)
        };
        self.merge_into(into, from)
    }

    /// Moves story `from`'s members to story `into`; returns `into`.
    fn merge_into(&mut self, into: EntryId, from: EntryId) -> EntryId {
        if into == from {
            return into;
        }
        let Some(gone) = self.stories.remove(&from) else {
            return into;
        };
        let gone_words = self.words_of(&gone);
        let moved: Vec<u32> = std::iter::once(gone.first).chain(gone.more).collect();
        for &n in &moved {
            if let Some(slot) = self.slots[n as usize].as_mut() {
                slot.story = into;
            }
        }
        let Some(st) = self.stories.get(&into) else {
            // The kept story has no indexed entry left: the moved ones are all it has.
            let (first, more) = (moved[0], moved[1..].to_vec());
            let st = Story {
                first,
                more,
                words: Some(gone_words),
            };
            self.stories.insert(into, st);
            return into;
        };
        let mut words = self.words_of(st);
        for &(t, c) in &gone_words {
            match words.binary_search_by_key(&t, |w| w.0) {
                Ok(i) => {
                    words[i].1 = words[i].1.saturating_add(c);
                    // One story fewer uses the token.
                    if let Some(d) = self.df.get_mut(&t) {
                        *d = d.saturating_sub(1);
                    }
                }
                Err(i) => words.insert(i, (t, c)),
            }
        }
        if let Some(st) = self.stories.get_mut(&into) {
            st.more.extend(moved);
            st.words = Some(words);
        }
        into
    }

    /// Puts a slot in a free place; returns its number.
    fn place(&mut self, slot: Slot, hot: Hot) -> u32 {
        match self.free.pop() {
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
        }
    }

    /// Links slot `n` at the head of its four band lists (unless a list is full).
    fn band(&mut self, n: u32, simhash: u64) {
        for (b, key) in band_keys(simhash).into_iter().enumerate() {
            let head = self.bands.get(&key).copied().unwrap_or(END);
            if self.band_list(b, head).count() < MAX_CHAIN {
                self.hot[n as usize].next[b] = head;
                self.bands.insert(key, n);
            }
        }
    }

    /// Forgets an entry (no effect when it is not indexed).
    pub fn remove(&mut self, id: EntryId) {
        let Some(n) = self.by_id.remove(&id) else {
            return;
        };
        let Some(slot) = self.slots[n as usize].take() else {
            return;
        };
        let published = self.hot[n as usize].published;
        let posting = Posting(clamp_time(published), n);
        let v = slot.view();
        for &t in v.title.iter().chain(v.shows) {
            unpost(&mut self.postings, t, posting);
        }
        self.unband(n, v.simhash);
        self.hot[n as usize] = Hot {
            published: 0,
            simhash: 0,
            bloom: 0,
            outlet: FREE,
            next: [UNLINKED; 4],
        };
        self.leave_story(slot.story, n, &v);
        self.free.push(n);
        self.len -= 1;
    }

    /// Unlinks slot `n` from its band lists.
    fn unband(&mut self, n: u32, simhash: u64) {
        for (b, key) in band_keys(simhash).into_iter().enumerate() {
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

    /// Rarity weight of a token: `(1 + s / COMMON)^-2` for a token `s` indexed stories use.
    /// A story's own words weigh about 1 whatever the number of its copies and of the
    /// entries around it; the words of a running topic (a city under lockdown, a campaign)
    /// weigh a quarter once fifty stories use them, everyday words next to nothing. The
    /// weights move little while a cold store fills up, so what the story search decides
    /// hardly depends on which feed is polled first.
    fn weight(&self, t: u32) -> f32 {
        let stories = self.df.get(&t).copied().unwrap_or(0) as f32;
        let w = 1.0 / (1.0 + stories / COMMON);
        w * w
    }

    /// How two fingerprints compare, with rarity weights from this index, as two outlets'
    /// entries published at one time.
    pub fn compare(&self, a: &Fingerprint, b: &Fingerprint) -> Comparison {
        self.compare_pair(a, b, Pair::default())
    }

    /// How two fingerprints compare, with rarity weights from this index.
    pub fn compare_pair(&self, a: &Fingerprint, b: &Fingerprint, pair: Pair) -> Comparison {
        let q = Query::new(a, |t| self.weight(t));
        rule::compare(&q, View::from(b), pair, |t| self.weight(t), &mut Vec::new())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::dedup::fingerprint;
    use crate::dedup::rule::{Conflict, MATCH_SCORE};

    const NONE: &[&str] = &[];

    fn id(n: u8) -> EntryId {
        EntryId([n; 16])
    }

    fn fp(title: &str, summary: &str) -> Fingerprint {
        fingerprint(title, summary, &[], NONE)
    }

    const T: i64 = 1_742_000_000;

    fn renewal() -> Fingerprint {
        fp(
            "‘Severance’ Renewed for Season 3 at Apple TV+",
            "Apple TV+ has renewed Severance for a third season, one day ahead of the Season 2 \
             finale. Ben Stiller and creator Dan Erickson shared the news.",
        )
    }

    fn renewal_reworded() -> Fingerprint {
        fp(
            "Apple TV+ Orders Third Season of ‘Severance’",
            "The drama from creator Dan Erickson and director Ben Stiller will return for \
             season three, ahead of the season two finale.",
        )
    }

    fn other() -> Fingerprint {
        fp(
            "‘Snow White’ Opens To Soft $43 Million At Box Office",
            "Disney's live-action Snow White opened to $43 million domestically.",
        )
    }

    #[test]
    fn finds_the_story_across_outlets() {
        let mut ix = DedupIndex::new(72 * 3600);
        assert!(ix.find(&renewal(), "deadline", T).is_none(), "empty index");
        ix.insert(id(1), id(1), "variety", T, &renewal());
        ix.insert(id(9), id(9), "deadline", T, &other());
        let (story, score) = ix.find(&renewal_reworded(), "thr", T + 600).unwrap();
        assert_eq!(story, id(1));
        assert!(score >= MATCH_SCORE);
        ix.insert(id(2), id(1), "thr", T + 600, &renewal_reworded());
        assert_eq!(
            ix.find(&renewal_reworded(), "tvline", T + 900).unwrap().0,
            id(1)
        );
        // An outlet's repeat of its own item is the same story.
        assert_eq!(ix.find(&renewal(), "variety", T + 900).unwrap().0, id(1));
        assert_eq!(ix.len(), 3);
    }

    #[test]
    fn one_outlet_needs_more_than_two_outlets() {
        let a = fp(
            "Lava pours from volcano on La Palma, villages evacuated",
            "Thousands were told to leave their homes.",
        );
        let b = fp(
            "Canary Islands: Lava from erupting volcano destroys homes",
            "Rivers of lava have engulfed houses on La Palma.",
        );
        let ix = DedupIndex::new(72 * 3600);
        let cross = ix.compare_pair(
            &a,
            &b,
            Pair {
                same_outlet: false,
                gap: 600,
            },
        );
        let same = ix.compare_pair(
            &a,
            &b,
            Pair {
                same_outlet: true,
                gap: 600,
            },
        );
        assert_eq!(cross.score, same.score);
        assert!(cross.duplicate && !same.duplicate, "{cross:?}");
        // One outlet's items a day apart are two days' reports, unless one is a copy.
        let later = ix.compare_pair(
            &a,
            &a,
            Pair {
                same_outlet: true,
                gap: 30 * 3600,
            },
        );
        assert!(later.duplicate, "a repost");
        let c = fp(
            "Lava pours from volcano on La Palma, more villages evacuated",
            "",
        );
        let later = ix.compare_pair(
            &a,
            &c,
            Pair {
                same_outlet: true,
                gap: 30 * 3600,
            },
        );
        assert_eq!(later.conflict, Some(Conflict::Days));
    }

    #[test]
    fn a_story_whose_member_rules_the_entry_out_is_not_joined() {
        let s2 = fp(
            "‘The Bear’ Season 2 premieres on FX in June",
            "FX drama returns.",
        );
        let vague = fp(
            "‘The Bear’ premieres on FX in June, Carmy returns",
            "FX drama returns.",
        );
        let s3 = fp(
            "‘The Bear’ Season 3 premieres on FX in June",
            "FX drama returns.",
        );
        let mut ix = DedupIndex::new(72 * 3600);
        ix.insert(id(1), id(1), "a", T, &s2);
        ix.insert(id(2), id(1), "b", T, &vague);
        assert_eq!(ix.compare(&s3, &s2).conflict, Some(Conflict::Numbers));
        assert!(ix.compare(&s3, &vague).duplicate);
        assert!(ix.find(&s3, "c", T).is_none());
    }

    /// Two reports of one happening that share too little to match, and a third that
    /// matches both.
    fn shooting() -> [Fingerprint; 3] {
        [
            fp(
                "Gunman kills several people at Perm University",
                "Police in Perm said a student opened fire on the campus.",
            ),
            fp(
                "Students jump from windows to escape attacker, eight dead",
                "Officials in Perm said eight people died in the attack at the university.",
            ),
            fp(
                "Gunman opens fire at Perm University, eight dead",
                "A student opened fire on the campus; students jumped from windows to escape \
                 the attacker.",
            ),
        ]
    }

    #[test]
    fn an_entry_that_matches_two_stories_bridges_them_in_any_order() {
        let [a, b, bridge] = shooting();
        let ix = DedupIndex::new(72 * 3600);

        assert!(!ix.compare(&a, &b).duplicate, "{:?}", ix.compare(&a, &b));
        assert!(
            ix.compare(&bridge, &a).duplicate,
            "{:?}",
            ix.compare(&bridge, &a)
        );
        assert!(
            ix.compare(&bridge, &b).duplicate,
            "{:?}",
            ix.compare(&bridge, &b)
        );
        let fps = [&a, &b, &bridge];
        // Every order of the three: one story in the end, the same whichever came first.
        for order in [
            [0, 1, 2],
            [1, 0, 2],
            [0, 2, 1],
            [2, 1, 0],
            [1, 2, 0],
            [2, 0, 1],
        ] {
            let mut ix = DedupIndex::new(72 * 3600);
            for (k, &i) in order.iter().enumerate() {
                let me = id(i as u8 + 1);
                let at = T + 60 * k as i64;
                let outlet = ["bbc", "cnn", "fox"][i];
                let mut story = me;
                if let Some(m) = ix.find_match(fps[i], outlet, at) {
                    story = m.story;
                    for other in m.bridged {
                        story = ix.merge_stories(story, other);
                    }
                }
                ix.insert(me, story, outlet, at, fps[i]);
            }
            let stories: Vec<_> = (1..=3).map(|n| ix.story_of(id(n)).unwrap()).collect();
            assert!(
                stories.iter().all(|s| *s == stories[0]),
                "{order:?}: {stories:?}"
            );
            // The story keeps the id of its first entry.
            assert_eq!(stories[0], id(order[0] as u8 + 1), "{order:?}");
        }
    }

    #[test]
    fn a_bridge_between_contradicting_stories_is_not_made() {
        let s2 = fp("‘The Bear’ Season 2 premieres on FX in June", "FX drama.");
        let s3 = fp("‘The Bear’ Season 3 premieres on FX in June", "FX drama.");
        let vague = fp("‘The Bear’ premieres on FX in June", "FX drama.");
        let mut ix = DedupIndex::new(72 * 3600);
        ix.insert(id(1), id(1), "a", T, &s2);
        ix.insert(id(2), id(2), "b", T, &s3);
        let m = ix.find_match(&vague, "c", T).unwrap();
        assert!(m.bridged.is_empty(), "{m:?}");
        // Merging by hand moves members and the story counts.
        assert_eq!(ix.merge_stories(id(2), id(1)), id(1));
        assert_eq!(ix.story_of(id(2)), Some(id(1)));
        ix.remove(id(1));
        ix.remove(id(2));
        assert!(ix.is_empty() && ix.df.is_empty() && ix.stories.is_empty());
    }

    #[test]
    fn a_copy_joins_on_any_member_of_a_story() {
        // The copy shares no rare title word with the story's first entry, only with a
        // later member: the story is found through the member, and all members are read.
        let first = fp(
            "Volcano erupts on La Palma",
            "Ash and lava spew into a national park.",
        );
        let second = fp(
            "Lava pours from volcano on La Palma, villages evacuated",
            "Thousands were told to leave their homes.",
        );
        let copy = fp(
            "Canary Islands: Lava from erupting volcano destroys homes",
            "Rivers of lava have engulfed houses on La Palma.",
        );
        let mut ix = DedupIndex::new(72 * 3600);
        ix.insert(id(1), id(1), "a", T, &first);
        ix.insert(id(2), id(1), "b", T, &second);
        assert_eq!(ix.find(&copy, "c", T).unwrap().0, id(1));
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
        ix.insert(id(3), id(3), "deadline", T + 2 * w, &other());
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
        // Forty identical copies, forty stories: the smallest id wins the tie.
        assert_eq!(ix.find(&fp, "new", T).unwrap().0, id(1));
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
        let empty = fp("", "");
        ix.insert(id(1), id(1), "a", T, &empty);
        ix.insert(id(2), id(2), "b", T, &renewal());
        assert!(ix.find(&empty, "c", T).is_none());
        assert_eq!(ix.find(&renewal(), "c", T).unwrap().0, id(2));
        assert_eq!(
            ix.compare(&empty, &renewal()).conflict,
            Some(Conflict::Empty)
        );
    }
}
