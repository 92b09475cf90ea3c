//! Settling: the stories the indexed entries form when replayed in one fixed order.
//!
//! Ingest decides an entry's story when the entry arrives, so which copy of a story came
//! first (which feed a concurrent poll happened to finish first) can change what joins what.
//! [`DedupIndex::settle`] replays the index's own entries in publication order (the id on
//! a tie) with the same story search, each seeing only the entries before it, and returns
//! the membership that changed. The same entries then always give the same stories,
//! whatever order they came in.

use std::collections::{HashMap, HashSet};

use super::*;

/// What settling needs to know of one indexed entry that the index does not hold.
#[derive(Clone, Debug)]
pub struct Settling {
    /// The entry.
    pub id: EntryId,
    /// The story it is stored in now.
    pub story: EntryId,
    /// A hash of its URL key ([`crate::dedup::url_key`]): an entry whose URL an entry of
    /// another feed published earlier is that entry's exact copy, as at ingest.
    pub url: Option<u64>,
    /// Its feed.
    pub feed: u32,
    /// Its story has members outside the index (older than the window): it keeps its story,
    /// and newer entries may still join that story.
    pub pinned: bool,
}

impl Slot {
    /// The fingerprint this slot was inserted with.
    fn fingerprint(&self) -> Fingerprint {
        let v = self.view();
        Fingerprint {
            simhash: v.simhash,
            title: v.title.to_vec(),
            body: v.body.to_vec(),
            names: v.names.to_vec(),
            quoted: v.quoted.to_vec(),
            shows: v.shows.to_vec(),
            counted: v.counted.to_vec(),
            counted_body: v.counted_body.to_vec(),
            dates: v.dates.to_vec(),
            kinds: v.kinds,
            piece: v.piece,
        }
    }
}

impl DedupIndex {
    /// The ids of the indexed entries.
    pub fn ids(&self) -> Vec<EntryId> {
        self.by_id.keys().copied().collect()
    }

    /// Records where indexed entry `id` comes from: its URL key ([`crate::dedup::url_key`])
    /// and its feed. Settling keeps an exact URL copy from another feed with its original,
    /// as ingest does, without reading the store.
    pub fn set_source(&mut self, id: EntryId, url_key: Option<&str>, feed: &str) {
        let Some(&n) = self.by_id.get(&id) else {
            return;
        };
        let next = self.feeds.len() as u32;
        let feed = match self.feeds.get(feed) {
            Some(&f) => f,
            None => {
                self.feeds.insert(feed.to_owned(), next);
                next
            }
        };
        let url = url_key.map_or(0, |k| {
            let mut h = rustc_hash::FxHasher::default();
            std::hash::Hash::hash(k, &mut h);
            std::hash::Hasher::finish(&h).max(1)
        });
        if let Some(slot) = self.slots[n as usize].as_mut() {
            (slot.url, slot.feed) = (url, feed);
        }
    }

    /// Whether an entry was inserted out of publication order since the last
    /// [`settle`](Self::settle): when none was, the stories are already what a replay in
    /// publication order makes, and settling would move nothing.
    pub fn needs_settling(&self) -> bool {
        self.unsettled
    }

    /// The stories the indexed entries are in now, each once.
    pub fn story_ids(&self) -> Vec<EntryId> {
        let mut ids: Vec<EntryId> = self.slots.iter().flatten().map(|s| s.story).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// What [`settle`](Self::settle) needs of every indexed entry, from the index itself:
    /// `pinned` are the stories with members outside the index.
    pub fn settling(&self, pinned: &HashSet<EntryId>) -> Vec<Settling> {
        self.slots
            .iter()
            .flatten()
            .map(|s| Settling {
                id: s.id,
                story: s.story,
                url: (s.url != 0).then_some(s.url),
                feed: s.feed,
                pinned: pinned.contains(&s.story),
            })
            .collect()
    }

    /// Settles the stories of `items` (the indexed entries; an indexed entry not among them
    /// is gone from the store and leaves the index): replayed in publication order, the id
    /// on a tie, each entry (`pinned` ones aside) is searched against the entries before it
    /// only, joins the story it matches (an exact URL copy joins its original's) and
    /// bridges stories as at ingest. The index is left with the settled stories; returns
    /// each entry whose story differs from its `story`, with the story it belongs in now.
    ///
    /// The replay runs in place: the posting and band lists are emptied, and each entry goes
    /// back on them once replayed, so the search sees only the entries before it, and no
    /// second index is built. Story ids stay the ones readers know where they can (see
    /// `name_stories`).
    pub fn settle(&mut self, items: &[Settling]) -> Vec<(EntryId, EntryId)> {
        self.unsettled = false;
        let known: HashSet<EntryId> = items.iter().map(|it| it.id).collect();
        for id in self.ids() {
            if !known.contains(&id) {
                self.remove(id);
            }
        }
        let mut order: Vec<(i64, &Settling, u32)> = items
            .iter()
            .filter_map(|it| {
                let &n = self.by_id.get(&it.id)?;
                Some((self.hot[n as usize].published, it, n))
            })
            .collect();
        order.sort_by_key(|(t, it, _)| (*t, it.id));
        let pinned: HashSet<EntryId> = order
            .iter()
            .filter(|(_, it, _)| it.pinned)
            .map(|(_, it, _)| it.story)
            .collect();
        // Every entry off the lists the search reads; each goes back on once replayed.
        // The lists keep their buffers (every entry goes back on one), so the replay
        // allocates little: memory freed and taken again by another thread's arena is what
        // makes a long-running daemon's RSS creep.
        self.forget_stories();
        for list in self.postings.values_mut() {
            list.clear();
        }
        self.bands.clear();
        for h in &mut self.hot {
            h.next = [UNLINKED; 4];
        }
        // URL hash -> the first entry with it: (id, feed, publication time).
        let mut originals: HashMap<u64, (EntryId, u32, i64)> = HashMap::new();
        for &(published, it, n) in &order {
            // An exact copy from another feed, inside the window (as at ingest).
            let original = it
                .url
                .and_then(|u| originals.get(&u))
                .filter(|(_, feed, at)| *feed != it.feed && published - at <= self.window);
            let story = if it.pinned {
                it.story
            } else if let Some(&(first, _, _)) = original {
                self.story_of(first).unwrap_or(first)
            } else {
                self.replay_search(n, published, it.id, &pinned)
            };
            if let Some(u) = it.url {
                originals.entry(u).or_insert((it.id, it.feed, published));
            }
            self.list(n);
            self.place_in_story(n, story);
        }
        let settled: Vec<(&Settling, EntryId)> = order
            .iter()
            .map(|&(_, it, n)| {
                (
                    it,
                    self.slots[n as usize].as_ref().map_or(it.id, |s| s.story),
                )
            })
            .collect();
        let names = name_stories(&settled);
        self.rename_stories(&names);
        settled
            .iter()
            .filter_map(|(it, label)| {
                let story = names[label];
                (story != it.story).then_some((it.id, story))
            })
            .collect()
    }

    /// Empties the story lists and the document frequencies (settling counts them again).
    fn forget_stories(&mut self) {
        self.stories.clear();
        self.df.clear();
    }

    /// Gives each replayed story its settled id (`names`: label -> id; the ids are distinct,
    /// and the frequencies do not change).
    fn rename_stories(&mut self, names: &HashMap<EntryId, EntryId>) {
        let mut renamed = FxMap::default();
        for (label, st) in self.stories.drain() {
            let mut name = names.get(&label).copied().unwrap_or(label);
            if renamed.contains_key(&name) {
                // Never two stories under one id (name_stories gives distinct ones).
                name = label;
            }
            for n in std::iter::once(st.first).chain(st.more.iter().copied()) {
                if let Some(slot) = self.slots[n as usize].as_mut() {
                    slot.story = name;
                }
            }
            renamed.insert(name, st);
        }
        self.stories = renamed;
    }

    /// Puts slot `n` in story `story` and counts it there.
    fn place_in_story(&mut self, n: u32, story: EntryId) {
        if let Some(slot) = self.slots[n as usize].as_mut() {
            slot.story = story;
        }
        self.join_story(story, n);
    }

    /// The story replayed slot `n` joins: the one it matches (its own id when none), with
    /// the stories it bridges merged in, except that two pinned stories never merge (their
    /// members outside the index cannot move) and a pinned story is always the one kept.
    fn replay_search(
        &mut self,
        n: u32,
        published: i64,
        id: EntryId,
        pinned: &HashSet<EntryId>,
    ) -> EntryId {
        let Some(fp) = self.slots[n as usize].as_ref().map(Slot::fingerprint) else {
            return id;
        };
        let outlet = self.hot[n as usize].outlet;
        let Some(m) = self.find_match_from(&fp, outlet, published) else {
            return id;
        };
        let mut story = m.story;
        for other in m.bridged {
            story = match (pinned.contains(&story), pinned.contains(&other)) {
                (true, true) => continue,
                (true, false) => self.merge_into(story, other),
                (false, true) => self.merge_into(other, story),
                (false, false) => self.merge_stories(story, other),
            };
        }
        story
    }
}

/// The id of each settled story (`settled`: each entry with its replayed story's label, in
/// publication order). A story id known now goes to one settled story: the one holding the
/// entry of that id, else the one holding most of its members (the earliest such member's on
/// a tie). A settled story takes, of the ids it got, a pinned one, else the one most of its
/// members have now; a story that got none is new and takes its earliest member's id. So a
/// story that only gained or lost copies keeps its id, and no two stories share one.
fn name_stories(settled: &[(&Settling, EntryId)]) -> HashMap<EntryId, EntryId> {
    use std::cmp::Reverse;
    // (story now, settled label, position), sorted: each story's parts in one run, each
    // part's earliest position first.
    let mut parts: Vec<(EntryId, EntryId, u32)> = settled
        .iter()
        .enumerate()
        .map(|(at, (it, label))| (it.story, *label, at as u32))
        .collect();
    parts.sort_unstable();
    let holder: HashMap<EntryId, EntryId> = settled
        .iter()
        .filter(|(it, _)| it.id == it.story)
        .map(|(it, label)| (it.story, *label))
        .collect();
    // Settled label -> the best id offered to it: (pinned, members it has, the smaller id).
    let mut best: HashMap<EntryId, (bool, usize, Reverse<EntryId>)> = HashMap::new();
    for run in parts.chunk_by(|a, b| a.0 == b.0) {
        let story = run[0].0;
        // A story's entries are all pinned or none.
        let pinned = settled[run[0].2 as usize].0.pinned;
        let split = run
            .chunk_by(|a, b| a.1 == b.1)
            .map(|p| (p[0].1, p.len(), p[0].2));
        let owner = match holder.get(&story) {
            Some(label) => split.clone().find(|p| p.0 == *label),
            None => split.clone().max_by_key(|&(_, n, at)| (n, Reverse(at))),
        };
        if let Some((label, members, _)) = owner {
            let offer = (pinned, members, Reverse(story));
            let b = best.entry(label).or_insert(offer);
            *b = (*b).max(offer);
        }
    }
    let mut names = HashMap::with_capacity(best.len());
    for (it, label) in settled {
        names
            .entry(*label)
            .or_insert_with(|| best.get(label).map_or(it.id, |b| b.2 .0));
    }
    names
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::dedup::fingerprint;

    const NONE: &[&str] = &[];

    const T: i64 = 1_742_000_000;

    fn id(n: u8) -> EntryId {
        EntryId([n; 16])
    }

    /// One outlet's report and two others', published ten minutes apart: the second
    /// matches the first, the third matches only the second, and weakly (no bridge).
    fn reports() -> Vec<(EntryId, &'static str, i64, Fingerprint)> {
        let texts = [
            (
                "Earthquake of magnitude 6.1 hits central Chile",
                "A strong earthquake struck central Chile on Tuesday, shaking buildings in \
                 Santiago.",
            ),
            (
                "Chile earthquake shakes Santiago, no damage reported",
                "The quake struck central Chile; officials in Santiago reported no damage and \
                 no tsunami warning.",
            ),
            (
                "Chile quake: no tsunami warning, officials say",
                "Officials in Valparaiso said there was no damage and no tsunami warning after \
                 the quake, and schools reopened.",
            ),
        ];
        let outlets = ["bbc", "cnn", "fox"];
        (0..3)
            .map(|i| {
                let (title, summary) = texts[i];
                let fp = fingerprint(title, summary, &[], NONE);
                (id(i as u8 + 1), outlets[i], T + 600 * i as i64, fp)
            })
            .collect()
    }

    /// What ingest does with one new entry: the story search, its bridges, the insert.
    fn ingest(ix: &mut DedupIndex, id: EntryId, outlet: &str, t: i64, fp: &Fingerprint) {
        let story = match ix.find_match(fp, outlet, t) {
            Some(m) => m
                .bridged
                .iter()
                .fold(m.story, |s, &other| ix.merge_stories(s, other)),
            None => id,
        };
        ix.insert(id, story, outlet, t, fp);
    }

    fn stories(ix: &DedupIndex) -> Vec<EntryId> {
        (1..=3).map(|n| ix.story_of(id(n)).unwrap()).collect()
    }

    fn items(ix: &DedupIndex) -> Vec<Settling> {
        (1..=3)
            .map(|n| Settling {
                id: id(n),
                story: ix.story_of(id(n)).unwrap(),
                url: None,
                feed: u32::from(n),
                pinned: false,
            })
            .collect()
    }

    fn settle(ix: &mut DedupIndex) -> Vec<(EntryId, EntryId)> {
        let items = items(ix);
        ix.settle(&items)
    }

    #[test]
    fn the_same_entries_settle_into_the_same_stories_in_any_arrival_order() {
        let r = reports();
        let mut in_order = DedupIndex::new(72 * 3600);
        let mut reversed = DedupIndex::new(72 * 3600);
        for i in [0, 1, 2] {
            ingest(&mut in_order, r[i].0, r[i].1, r[i].2, &r[i].3);
        }
        for i in [0, 2, 1] {
            ingest(&mut reversed, r[i].0, r[i].1, r[i].2, &r[i].3);
        }
        // Arrival order made a difference: the third joined through the second only when
        // the second came first.
        assert_eq!(stories(&in_order), vec![id(1); 3]);
        assert_eq!(stories(&reversed), vec![id(1), id(1), id(3)]);
        // Only the index that took an entry out of publication order needs settling.
        assert!(!in_order.needs_settling());
        assert!(reversed.needs_settling());
        assert!(
            settle(&mut in_order).is_empty(),
            "already in publication order"
        );
        assert_eq!(settle(&mut reversed), vec![(id(3), id(1))]);
        assert_eq!(stories(&reversed), vec![id(1); 3]);
        assert!(!reversed.needs_settling());
        assert!(
            settle(&mut reversed).is_empty(),
            "settling twice moves nothing"
        );
        // The index follows the moves: a later copy of the story finds it.
        assert_eq!(reversed.find(&r[2].3, "sky", T + 1800).unwrap().0, id(1));
    }

    /// The three reports stored apart, the third in a story whose entry is older than the
    /// window (so not indexed).
    fn apart() -> (DedupIndex, Vec<Settling>) {
        let r = reports();
        let mut ix = DedupIndex::new(72 * 3600);
        ix.insert(r[0].0, r[0].0, r[0].1, r[0].2, &r[0].3);
        ix.insert(r[1].0, r[1].0, r[1].1, r[1].2, &r[1].3);
        ix.insert(r[2].0, id(9), r[2].1, r[2].2, &r[2].3);
        let its = items(&ix);
        (ix, its)
    }

    #[test]
    fn a_pinned_story_keeps_its_members_and_ids_stay_known_ones() {
        let (mut ix, mut its) = apart();
        its[2].pinned = true;
        // The second joins the first (the earlier of the two known ids); the third stays.
        assert_eq!(ix.settle(&its), vec![(id(2), id(1))]);
        assert_eq!(ix.story_of(id(3)), Some(id(9)));
        // Unpinned, the old story's copy moves too: the settled story takes the id of the
        // story holding its earliest member's entry.
        let (mut ix, its) = apart();
        assert_eq!(ix.settle(&its), vec![(id(2), id(1)), (id(3), id(1))]);
        assert_eq!(stories(&ix), vec![id(1); 3]);
    }

    #[test]
    fn an_exact_url_copy_follows_its_original() {
        let r = reports();
        let other = fingerprint("Weather for the weekend", "Sunny, then rain.", &[], NONE);
        let index = || {
            let mut ix = DedupIndex::new(72 * 3600);
            ix.insert(r[0].0, r[0].0, r[0].1, r[0].2, &r[0].3);
            ix.insert(id(5), id(5), "wire", T + 60, &other);
            ix
        };
        let item = |n: u8| Settling {
            id: id(n),
            story: id(n),
            url: Some(7),
            feed: u32::from(n),
            pinned: false,
        };
        let mut its = vec![item(1), item(5)];
        assert_eq!(index().settle(&its), vec![(id(5), id(1))]);
        // The same URL within one feed is no copy.
        its[1].feed = its[0].feed;
        assert!(index().settle(&its).is_empty());
        // The same URL from another feed published further apart than the window (an
        // evergreen explainer kept at one URL, retitled and captured months later) is
        // another day's piece: it is searched like any entry, and matches nothing here.
        let far = |gap: i64| {
            let mut ix = DedupIndex::new(3600);
            ix.insert(r[0].0, r[0].0, r[0].1, r[0].2, &r[0].3);
            ix.insert(id(5), id(5), "wire", r[0].2 + gap, &other);
            ix
        };
        let its = vec![item(1), item(5)];
        assert!(far(2 * 3600).settle(&its).is_empty());
        assert_eq!(far(600).settle(&its), vec![(id(5), id(1))]);
    }

    #[test]
    fn an_entry_gone_from_the_store_leaves_the_index() {
        let (mut ix, its) = apart();
        assert_eq!(ix.settle(&its[..2]), vec![(id(2), id(1))]);
        assert!(!ix.contains(id(3)));
        assert_eq!(ix.len(), 2);
    }
}
