//! The story search: which story a new entry joins (the candidates from the SimHash bands
//! and the rarest posting lists, each scored by the pair rule, a story's other members
//! scored before it is chosen), and which other stories it bridges into that one.

use super::*;

/// Counts candidates by the number of posting lists they are on, in a small open-addressing
/// table (no sort, no heap).
struct Counter {
    keys: [u32; TABLE],
    counts: [u8; TABLE],
    seen: Vec<u16>,
}

impl Counter {
    fn new() -> Counter {
        Counter {
            keys: [u32::MAX; TABLE],
            counts: [0; TABLE],
            seen: Vec::with_capacity(MAX_LISTS * PER_LIST),
        }
    }

    fn add(&mut self, n: u32) {
        let mut i = (n.wrapping_mul(0x9e37_79b9) >> (32 - TABLE_BITS)) as usize;
        loop {
            if self.keys[i] == n {
                self.counts[i] += 1;
                return;
            }
            if self.keys[i] == u32::MAX {
                self.keys[i] = n;
                self.counts[i] = 1;
                self.seen.push(i as u16);
                return;
            }
            i = (i + 1) & (TABLE - 1);
        }
    }
}

/// The entries nearest to time `t` on a posting list, within `[lo, hi]`, at most `PER_LIST`.
fn nearest(list: &[Posting], t: u32, lo: u32, hi: u32, mut each: impl FnMut(u32)) {
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
            // Past the window on this side: nothing further out qualifies.
            if take_left {
                left = 0;
            } else {
                right = list.len();
            }
            continue;
        }
        each(p.1);
    }
}

/// What the story search found for a new entry: the story it joins, and the other stories it
/// bridges into that one.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    /// The story the entry joins (its member the entry duplicates best scores highest).
    pub story: EntryId,
    /// That member's score.
    pub score: f32,
    /// Other stories the entry duplicates a member of strongly (score at least
    /// `BRIDGE_SCORE`, and so the joined one), with no scored member of theirs ruling it out, and whose best-linked member is
    /// compatible (no hard rule) with the joined story's best-linked member: the entry shows
    /// they are one story, so the caller merges them ([`DedupIndex::merge_stories`]). This
    /// is what makes the stories independent of which copy came first: two stories formed
    /// apart meet when a copy that matches both arrives, whichever order the copies came in.
    pub bridged: Vec<EntryId>,
}

/// What the story search knows of one story among the scored candidates.
#[derive(Clone, Copy)]
struct Evidence {
    story: EntryId,
    /// The best score of a member the query duplicates...
    best: f32,
    /// ...and that member's slot.
    member: u32,
    /// A scored member the query can never be one story with.
    vetoed: bool,
    /// Its other members were scored.
    expanded: bool,
}

/// One story search: the query, the slots scored so far and what they say of each story.
struct Search<'a> {
    index: &'a DedupIndex,
    q: Query<'a>,
    outlet: u32,
    published: i64,
    scored: Vec<u32>,
    stories: Vec<Evidence>,
    scratch: Vec<(u32, bool)>,
}

impl Search<'_> {
    /// Compares the query with slot `n` (once) and files the verdict under its story.
    fn score(&mut self, n: u32) {
        let ix = self.index;
        if self.scored.contains(&n) {
            return;
        }
        self.scored.push(n);
        let (Some(slot), h) = (ix.slots[n as usize].as_ref(), &ix.hot[n as usize]) else {
            return;
        };
        if h.outlet == FREE || (h.published - self.published).abs() > ix.window {
            return;
        }
        let pair = Pair {
            same_outlet: h.outlet == self.outlet,
            gap: (h.published - self.published).abs(),
        };
        let c = rule::compare(
            &self.q,
            slot.view(),
            pair,
            |t| ix.weight(t),
            &mut self.scratch,
        );
        let vetoed = c.conflict.is_some_and(|k| k != rule::Conflict::Empty);
        let best = if c.duplicate { c.score } else { 0.0 };
        match self.stories.iter_mut().find(|e| e.story == slot.story) {
            Some(e) => {
                if best > e.best {
                    (e.best, e.member) = (best, n);
                }
                e.vetoed |= vetoed;
            }
            None => self.stories.push(Evidence {
                story: slot.story,
                best,
                member: n,
                vetoed,
                expanded: false,
            }),
        }
    }

    /// Scores the other members of `story` (at most `EXPAND_MEMBERS`) and marks it expanded;
    /// returns its evidence then.
    fn expand(&mut self, story: EntryId) -> Option<Evidence> {
        let members: Vec<u32> = self
            .index
            .stories
            .get(&story)
            .map(|st| {
                std::iter::once(st.first)
                    .chain(st.more.iter().copied())
                    .take(EXPAND_MEMBERS)
                    .collect()
            })
            .unwrap_or_default();
        for m in members {
            self.score(m);
        }
        let e = self.stories.iter_mut().find(|e| e.story == story)?;
        e.expanded = true;
        Some(*e)
    }

    /// The best qualifying story not yet expanded (the smaller story id on a tie).
    fn next_best(&self) -> Option<EntryId> {
        self.stories
            .iter()
            .filter(|e| e.best > 0.0 && !e.vetoed && !e.expanded)
            .max_by(|a, b| a.best.total_cmp(&b.best).then(b.story.cmp(&a.story)))
            .map(|e| e.story)
    }

    /// The story the entry joins: the qualifying story with the best member score, once its
    /// other members (at most `EXPAND_MEMBERS`) are scored too and none rules the entry out;
    /// else the next best (at most `EXPAND_STORIES` stories are read this way). A copy joins
    /// a story on its strongest member, and only when no member contradicts it, whichever
    /// members the posting lists happened to bring. Then the other qualifying stories it
    /// bridges (see [`Match::bridged`]).
    fn choose(mut self) -> Option<Match> {
        let mut joined = None;
        for _ in 0..EXPAND_STORIES {
            let e = self.expand(self.next_best()?)?;
            if !e.vetoed {
                joined = Some(e);
                break;
            }
        }
        let joined = joined?;
        let mut bridged = Vec::new();
        while joined.best >= BRIDGE_SCORE && bridged.len() < MAX_BRIDGES {
            // The strongest other story first; the rest are weaker still.
            let Some(next) = self.next_best() else {
                break;
            };
            if self
                .stories
                .iter()
                .any(|e| e.story == next && e.best < BRIDGE_SCORE)
            {
                break;
            }
            let Some(e) = self.expand(next) else {
                break;
            };
            if !e.vetoed && self.index.compatible(joined.member, e.member) {
                bridged.push(e.story);
            }
        }
        Some(Match {
            story: joined.story,
            score: joined.best,
            bridged,
        })
    }
}

impl DedupIndex {
    /// The story a new entry from `outlet` belongs to, if any, with its best score.
    ///
    /// The candidates are the indexed entries published within the window of `published`
    /// that share a SimHash block or the query's rarest title tokens; each is compared by the
    /// pair rule. A story qualifies when the entry duplicates one of its members and no
    /// scored member of it is ruled out by a hard rule (its members stay compatible: a
    /// season 2 story does not take a season 3 item through a vaguer member). The story with
    /// the best member score wins (the smaller story id on a tie, so the answer never depends
    /// on the order candidates were met).
    pub fn find(&self, fp: &Fingerprint, outlet: &str, published: i64) -> Option<(EntryId, f32)> {
        self.find_match(fp, outlet, published)
            .map(|m| (m.story, m.score))
    }

    /// [`find`](Self::find), and the other stories the entry bridges into the one it joins
    /// ([`Match::bridged`]; the caller merges them with [`merge_stories`](Self::merge_stories)).
    pub fn find_match(&self, fp: &Fingerprint, outlet: &str, published: i64) -> Option<Match> {
        // An outlet never inserted has no entries here (and is never FREE).
        let outlet = self.outlets.get(outlet).copied().unwrap_or(FREE - 1);
        self.find_match_from(fp, outlet, published)
    }

    /// [`find_match`](Self::find_match) for an entry of interned outlet `outlet`.
    pub(super) fn find_match_from(
        &self,
        fp: &Fingerprint,
        outlet: u32,
        published: i64,
    ) -> Option<Match> {
        if fp.is_empty() || self.len == 0 {
            return None;
        }
        let mut search = Search {
            index: self,
            q: Query::new(fp, |t| self.weight(t)),
            outlet,
            published,
            scored: Vec::new(),
            stories: Vec::new(),
            scratch: Vec::with_capacity(64),
        };
        for n in self.candidates(fp, published) {
            search.score(n);
        }
        search.choose()
    }

    /// The slots worth scoring for a query published at `published`: every near-verbatim copy
    /// (any fingerprint within distance 3 shares one 16-bit SimHash block), then the entries
    /// on most of the query's rarest posting lists, ranked by the Bloom overlap of the titles.
    fn candidates(&self, fp: &Fingerprint, published: i64) -> Vec<u32> {
        let usable = |h: &Hot| h.outlet != FREE && (h.published - published).abs() <= self.window;
        let mut must: Vec<u32> = Vec::new();
        for (b, key) in band_keys(fp.simhash).into_iter().enumerate() {
            let head = self.bands.get(&key).copied().unwrap_or(END);
            for n in self.band_list(b, head) {
                let h = &self.hot[n as usize];
                if usable(h)
                    && (h.simhash ^ fp.simhash).count_ones() <= rule::SIMHASH_MAX_DISTANCE
                    && !must.contains(&n)
                {
                    must.push(n);
                }
            }
        }
        let counter = self.count_lists(fp, published);
        // The most shared lists first; among those, the usable ones, ranked by the Bloom
        // overlap of the titles.
        let qbloom = bloom(&fp.title);
        let mut pool: Vec<(u8, u32, u32)> = Vec::with_capacity(MAX_POOL);
        'levels: for level in (1..=MAX_LISTS as u8).rev() {
            for &i in &counter.seen {
                if counter.counts[i as usize] != level {
                    continue;
                }
                let n = counter.keys[i as usize];
                let h = &self.hot[n as usize];
                if usable(h) && !must.contains(&n) {
                    pool.push((level, (h.bloom & qbloom).count_ones(), n));
                    if pool.len() == MAX_POOL {
                        break 'levels;
                    }
                }
            }
        }
        // On a tie, the newest entry first (then the greater id): never the slot number,
        // which depends on the order entries arrived in.
        let rank = |n: u32| {
            let id = self.slots[n as usize].as_ref().map(|s| s.id);
            (self.hot[n as usize].published, id)
        };
        pool.sort_unstable_by(|a, b| {
            (b.0, b.1)
                .cmp(&(a.0, a.1))
                .then_with(|| rank(b.2).cmp(&rank(a.2)))
        });
        pool.truncate(MAX_SCORED);
        must.extend(pool.iter().map(|p| p.2));
        must
    }

    /// Counts, on the posting lists of the query's rarest title tokens and show slugs, the
    /// entries nearest in time (at most PER_LIST each, inside the window).
    fn count_lists(&self, fp: &Fingerprint, published: i64) -> Counter {
        let mut lists: Vec<&Vec<Posting>> = fp
            .title
            .iter()
            .chain(&fp.shows)
            .filter_map(|t| self.postings.get(t))
            // Settling empties the lists and fills them again as it replays.
            .filter(|l| !l.is_empty())
            .collect();
        lists.sort_unstable_by_key(|l| l.len());
        let mut counter = Counter::new();
        let t = clamp_time(published);
        let (lo, hi) = (
            clamp_time(published.saturating_sub(self.window)),
            clamp_time(published.saturating_add(self.window)),
        );
        for list in lists.iter().take(MAX_LISTS) {
            nearest(list, t, lo, hi, |n| counter.add(n));
        }
        counter
    }
}
