//! Entries: a poll's commit (entries, indexes and the feed's state in one transaction),
//! re-tagging, and the reads the output and ingest make.

use std::ops::Bound;

use sled::transaction::ConflictableTransactionError;
use sled::Transactional;

use super::batches::Batches;
use super::error::tx_error;
use super::states::FeedState;
use super::{
    codec, keys, Hit, HitStream, Index, KeyStream, Store, StoreError, TimeKey, META_TAGGER,
};
use crate::entry::{Entry, EntryId, ShowTag};

/// One poll's result for [`Store::commit_poll_moving`].
#[derive(Debug, Clone, Copy)]
pub struct Poll<'a> {
    /// The feed polled.
    pub feed_id: &'a str,
    /// Its new and changed entries (and unchanged ones, which write nothing).
    pub entries: &'a [Entry],
    /// Story merges: (story whose members move, story they move to), in the order made.
    pub moves: &'a [(EntryId, EntryId)],
}

/// Counts from one [`Store::commit_poll`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestStats {
    /// Entries stored for the first time.
    pub new: usize,
    /// Entries whose content changed and were updated in place.
    pub updated: usize,
    /// Entries already stored as they are.
    pub unchanged: usize,
    /// Entries too old to keep (retention).
    pub expired: usize,
    /// Entries whose show tags changed (a new show list), content unchanged.
    pub retagged: usize,
    /// New entries that joined another entry's story (dedup).
    pub merged: usize,
    /// Stories merged into another because a new entry bridged them (dedup).
    pub bridged: usize,
    /// Items dropped as reposts of an entry this feed already has (same URL, new guid).
    pub reposts: usize,
    /// Show tags on the new entries.
    pub tags: usize,
}

impl Store {
    /// The entry with this id.
    pub fn entry(&self, id: &EntryId) -> Result<Option<Entry>, StoreError> {
        match self.entries.get(id.0)? {
            Some(tk) => self.entry_at(&tk),
            None => Ok(None),
        }
    }

    /// The entry stored under time key `tk` (as an index walk yields it): one read, where
    /// [`Store::entry`] needs two.
    pub fn entry_at(&self, tk: &[u8]) -> Result<Option<Entry>, StoreError> {
        decode_value(self.by_time.get(tk)?)
    }

    /// Number of stored entries. Walks the id index, whose values are time keys, not the
    /// time tree, whose values are whole entries: `/metrics` and `/status` call this on every
    /// scrape, and walking whole entries read the store through the cache each time (0.4-0.7
    /// s at 100,000 entries, evicting the pages queries use).
    pub fn entry_count(&self) -> usize {
        self.entries.len()
    }

    /// Disk space used, in bytes.
    pub fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }

    /// Every stored entry, oldest first (a scan of the time tree: for whole-store passes).
    pub fn all_entries(&self) -> impl Iterator<Item = Result<Entry, StoreError>> + '_ {
        entries_of(self.by_time.iter())
    }

    /// Entries newest first (by publication time).
    pub fn newest(&self) -> impl Iterator<Item = Result<Entry, StoreError>> + '_ {
        entries_of(self.by_time.iter().rev())
    }

    /// Writes one poll's result: new and changed entries plus the feed's new state, in one
    /// transaction. Unchanged entries write nothing; a changed entry keeps its id, first-seen
    /// and publication time and gets a new `updated`. `cutoff` is the oldest publication time
    /// retention keeps. The caller flushes.
    pub fn commit_poll(
        &self,
        feed_id: &str,
        entries: &[Entry],
        state: &mut FeedState,
        now: i64,
        cutoff: i64,
    ) -> Result<IngestStats, StoreError> {
        let olds = entries
            .iter()
            .map(|e| self.entry(&e.id))
            .collect::<Result<Vec<_>, _>>()?;
        let poll = Poll {
            feed_id,
            entries,
            moves: &[],
        };
        self.commit_poll_moving(poll, olds, state, now, cutoff)
    }

    /// [`Store::commit_poll`] for a caller that already read each entry's stored version
    /// (`olds[i]` is `entries[i]`'s, so ingest reads every entry once), and in the same
    /// transaction the story merges the poll's new entries made (`poll.moves`: each story's
    /// members, its own entry included, move to the other story). An entry of the poll is
    /// written as the poll has it, story included.
    pub fn commit_poll_moving(
        &self,
        poll: Poll<'_>,
        olds: Vec<Option<Entry>>,
        state: &mut FeedState,
        now: i64,
        cutoff: i64,
    ) -> Result<IngestStats, StoreError> {
        let Poll {
            feed_id,
            entries,
            moves,
        } = poll;
        let floor = self.floor()?.max(cutoff);
        let mut stats = IngestStats::default();
        let mut b = Batches::default();
        // First the moves: the poll's own writes below override a moved entry's (the last
        // write of a key in a batch wins).
        self.move_stories(&mut b, moves)?;
        // Shows whose documents change, for the WebSub publisher.
        let mut touched = std::collections::BTreeSet::new();
        for (entry, old) in entries.iter().zip(olds) {
            match old {
                Some(old)
                    if old.content_hash == entry.content_hash
                        && old.shows == entry.shows
                        && old.kinds == entry.kinds =>
                {
                    stats.unchanged += 1
                }
                Some(old) => {
                    let mut merged = entry.clone();
                    merged.first_seen = old.first_seen;
                    merged.published = old.published;
                    // As stored now, not as read before the dedup lock: settling may
                    // have moved it since (and this poll's bridges move it on).
                    let stored = self.entry(&entry.id)?.map_or(old.story, |e| e.story);
                    merged.story = super::stories::moved_to(moves, stored);
                    if old.content_hash != entry.content_hash {
                        merged.updated = if entry.updated > old.updated {
                            entry.updated
                        } else {
                            now.max(old.updated + 1)
                        };
                        stats.updated += 1;
                        touched
                            .extend(old.shows.iter().chain(&entry.shows).map(|t| t.slug.clone()));
                    } else {
                        // Only the tags changed (a new show list): no new `updated` for readers.
                        merged.updated = old.updated;
                        stats.retagged += 1;
                    }
                    b.reindex_shows(&old, &merged);
                    b.put(&merged)?;
                }
                None if entry.published < floor => stats.expired += 1,
                None => {
                    b.put(entry)?;
                    b.index(entry, true);
                    stats.new += 1;
                    touched.extend(entry.shows.iter().map(|t| t.slug.clone()));
                }
            }
        }
        let mut next = state.clone();
        next.entry_count += stats.new as u64;
        let state_bytes = codec::encode_state(&next)?;
        self.pending().remove(feed_id);
        self.write(|| self.apply(&b, Some((feed_id, &state_bytes))))?;
        // Only a committed poll advances the caller's state.
        *state = next;
        if stats.new + stats.updated + stats.retagged > 0 || !moves.is_empty() {
            self.bump();
        }
        if stats.new + stats.updated > 0 {
            self.note_change(feed_id, touched.iter().map(String::as_str));
        }
        Ok(stats)
    }

    /// Applies batches to every tree in one transaction (plus one feed state).
    pub(super) fn apply(
        &self,
        b: &Batches,
        state: Option<(&str, &[u8])>,
    ) -> Result<(), StoreError> {
        // Before the write, so that no reader sees a member of a story the set lacks.
        self.roots.add(b.roots.iter().copied());
        (
            &self.entries,
            &self.by_time,
            &self.by_show,
            &self.by_feed,
            &self.stories,
            &self.by_url,
            &self.feeds,
        )
            .transaction(|(e, t, s, f, sm, u, st)| {
                e.apply_batch(&b.entries)?;
                t.apply_batch(&b.time)?;
                s.apply_batch(&b.show)?;
                f.apply_batch(&b.feed)?;
                sm.apply_batch(&b.story)?;
                u.apply_batch(&b.url)?;
                if let Some((id, bytes)) = state {
                    st.insert(id.as_bytes(), bytes)?;
                }
                Ok::<_, ConflictableTransactionError<()>>(())
            })
            .map_err(tx_error)?;
        self.wrote();
        Ok(())
    }

    /// Re-tags stored entries: `tag` returns new shows and kinds for an entry, and entries
    /// whose tags changed are rewritten (ids, dates and everything else kept). Returns how
    /// many changed. Runs in chunks so readers are never blocked for long.
    /// `stop` is asked between chunks; when it says yes the pass ends early and `None` is
    /// returned (what was rewritten so far stays, and a later pass finishes the job).
    pub fn retag(
        &self,
        tag: impl FnMut(&Entry) -> (Vec<ShowTag>, Vec<String>),
        stop: &dyn Fn() -> bool,
    ) -> Result<Option<usize>, StoreError> {
        self.write(|| self.retag_all(tag, stop))
    }

    /// Rewrites one stored entry as `new` (its article filled in and re-tagged by
    /// `showfeed fetch-text`): id, dates and story are `old`'s; the show index follows.
    pub fn replace_entry(&self, old: &Entry, new: &Entry) -> Result<(), StoreError> {
        self.write(|| {
            let mut b = Batches::default();
            b.reindex_shows(old, new);
            // A story bridge may have moved the entry since `old` was read: keep its story.
            // Its time key is its stored one.
            let mut new = new.clone();
            if let Some(now) = self.entry(&new.id)? {
                new.story = now.story;
                new.published = now.published;
            }
            b.put(&new)?;
            self.apply(&b, None)?;
            self.bump();
            Ok(())
        })
    }

    pub(super) fn retag_all(
        &self,
        mut tag: impl FnMut(&Entry) -> (Vec<ShowTag>, Vec<String>),
        stop: &dyn Fn() -> bool,
    ) -> Result<Option<usize>, StoreError> {
        let (mut changed, mut pending) = (0, 0);
        let mut b = Batches::default();
        for (scanned, old) in self.all_entries().enumerate() {
            if scanned % 500 == 499 && stop() {
                self.apply(&b, None)?;
                self.bump();
                return Ok(None);
            }
            let old = old?;
            let (shows, kinds) = tag(&old);
            if shows == old.shows && kinds == old.kinds {
                continue;
            }
            let mut new = old.clone();
            new.shows = shows;
            new.kinds = kinds;
            // A story bridge may have moved the entry since the scan read it.
            if let Some(now) = self.entry(&new.id)? {
                new.story = now.story;
            }
            b.reindex_shows(&old, &new);
            b.put(&new)?;
            changed += 1;
            pending += 1;
            if pending >= 500 {
                self.apply(&std::mem::take(&mut b), None)?;
                pending = 0;
            }
        }
        self.apply(&b, None)?;
        if changed > 0 {
            self.bump();
        }
        Ok(Some(changed))
    }

    /// Index keys, newest first, of one index within `(lower, upper)` (exclusive bounds on
    /// the 24-byte time key); `newest_first = false` walks upwards.
    pub fn scan<'a>(
        &'a self,
        index: Index<'_>,
        lower: Option<TimeKey>,
        upper: Option<TimeKey>,
        newest_first: bool,
    ) -> KeyStream<'a> {
        Box::new(
            self.walk(index, lower, upper, newest_first)
                .map(|hit| hit.map(|h| h.key)),
        )
    }

    /// [`Store::scan`] with each entry's stored bytes where the index holds them (the time
    /// index), for [`Store::entry_of`].
    pub fn walk<'a>(
        &'a self,
        index: Index<'_>,
        lower: Option<TimeKey>,
        upper: Option<TimeKey>,
        newest_first: bool,
    ) -> HitStream<'a> {
        let (tree, prefix) = match index {
            Index::Time => (&self.by_time, Vec::new()),
            Index::Show(slug) => (&self.by_show, keys::prefix(slug)),
            Index::Feed(id) => (&self.by_feed, keys::prefix(id)),
        };
        let holds_entries = matches!(index, Index::Time);
        let with = |k: &TimeKey| [prefix.as_slice(), k].concat();
        let lo = match &lower {
            Some(k) => Bound::Excluded(with(k)),
            None => Bound::Included(prefix.clone()),
        };
        let hi = match &upper {
            Some(k) => Bound::Excluded(with(k)),
            None => Bound::Included(with(&[0xff; keys::TIME_KEY_LEN])),
        };
        let plen = prefix.len();
        let iter = tree.range::<Vec<u8>, _>((lo, hi));
        let map =
            move |kv: sled::Result<(sled::IVec, sled::IVec)>| -> Option<Result<Hit, StoreError>> {
                match kv {
                    Ok((k, v)) => {
                        let key = k.get(plen..).and_then(|t| t.try_into().ok())?;
                        Some(Ok(Hit {
                            key,
                            value: holds_entries.then_some(v),
                        }))
                    }
                    Err(e) => Some(Err(e.into())),
                }
            };
        if newest_first {
            Box::new(iter.rev().filter_map(map))
        } else {
            Box::new(iter.filter_map(map))
        }
    }

    /// The entry a [`Store::walk`] found: from the bytes it carries, else read at its key.
    pub fn entry_of(&self, hit: &Hit) -> Result<Option<Entry>, StoreError> {
        match &hit.value {
            Some(v) => decode_value(Some(v.clone())),
            None => self.entry_at(&hit.key),
        }
    }

    /// The other copies of `e`'s story when `e` is the story's own entry (empty otherwise),
    /// oldest first.
    pub fn story_copies(&self, e: &Entry) -> Result<Vec<Entry>, StoreError> {
        if e.story != e.id || !self.roots.may_have_members(&e.id) {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for kv in self.stories.scan_prefix(e.id.0) {
            let (k, tk) = kv?;
            let Some(member) = k.get(16..32).and_then(|m| <[u8; 16]>::try_from(m).ok()) else {
                continue;
            };
            // Written with the member's time key since layout 2; empty before.
            let copy = if tk.len() == keys::TIME_KEY_LEN {
                self.entry_at(&tk)?
            } else {
                self.entry(&EntryId(member))?
            };
            if let Some(copy) = copy.filter(|c| c.id.0 == member) {
                out.push(copy);
            }
        }
        out.sort_by_key(|c| (c.published, c.id));
        Ok(out)
    }

    /// The tagger fingerprint the stored tags were made with, if recorded.
    pub fn tagged_with(&self) -> Result<Option<[u8; 16]>, StoreError> {
        Ok(self
            .meta
            .get(META_TAGGER)?
            .and_then(|v| <[u8; 16]>::try_from(v.as_ref()).ok()))
    }

    /// Records the tagger fingerprint the stored tags now match.
    pub fn set_tagged_with(&self, fingerprint: [u8; 16]) -> Result<(), StoreError> {
        self.write(|| {
            self.meta.insert(META_TAGGER, &fingerprint)?;
            self.wrote();
            Ok(())
        })
    }

    /// The entry that first had this exact-duplicate URL key, in any feed (`feed` = None)
    /// or in one feed.
    pub fn entry_by_url(
        &self,
        key: &str,
        feed: Option<&str>,
    ) -> Result<Option<EntryId>, StoreError> {
        let k = match feed {
            Some(f) => keys::url_in_feed(key, f),
            None => key.as_bytes().to_vec(),
        };
        Ok(self
            .by_url
            .get(k)?
            .and_then(|v| <[u8; 16]>::try_from(v.as_ref()).ok())
            .map(EntryId))
    }

    /// Entries published at or after `since`, oldest first (to rebuild the dedup index).
    pub fn since(&self, since: i64) -> impl Iterator<Item = Result<Entry, StoreError>> + '_ {
        entries_of(self.by_time.range(keys::time_bytes(since).to_vec()..))
    }

    /// Number of entries in one index (walks it).
    pub fn count(&self, index: Index<'_>) -> usize {
        self.scan(index, None, None, false).count()
    }
}

/// An entry from its `by_time` value; `None` for an empty one (an index key whose entry is
/// gone is skipped rather than failing a page).
fn decode_value(v: Option<sled::IVec>) -> Result<Option<Entry>, StoreError> {
    match v {
        Some(v) if !v.is_empty() => codec::decode_entry(&v).map(Some),
        _ => Ok(None),
    }
}

/// The entries of a walk over `by_time`.
fn entries_of(
    walk: impl Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>,
) -> impl Iterator<Item = Result<Entry, StoreError>> {
    walk.filter_map(|kv| match kv {
        Ok((_, v)) => decode_value(Some(v)).transpose(),
        Err(e) => Some(Err(e.into())),
    })
}
