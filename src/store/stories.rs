//! Story membership moves: when a new entry shows that two stories formed apart are one
//! (dedup's bridge), the members of one move to the other, in the transaction that writes
//! the entry (see [`Store::commit_poll_moving`]).

use std::collections::HashMap;

use sled::transaction::{ConflictableTransactionError, Transactional};

use super::batches::Batches;
use super::error::tx_error;
use super::{Store, StoreError};
use crate::entry::{Entry, EntryId};

/// Where story `story` ends up after all of `moves` (`(from, into)`, in any order): a
/// story moved twice in one poll, `a` into `b` and `b` into `c`, ends in `c`. The one rule
/// the poll stage (for its own entries) and the store (for the stored members) follow.
pub fn moved_to(moves: &[(EntryId, EntryId)], mut story: EntryId) -> EntryId {
    // Each move kills a story, so a chain is at most `moves.len()` long.
    for _ in 0..moves.len() {
        match moves
            .iter()
            .find(|(from, into)| *from == story && *into != story)
        {
            Some(&(_, into)) => story = into,
            None => break,
        }
    }
    story
}

/// Each moved story and where it ends up.
fn resolve(moves: &[(EntryId, EntryId)]) -> HashMap<EntryId, EntryId> {
    moves
        .iter()
        .map(|&(from, _)| (from, moved_to(moves, from)))
        .collect()
}

/// The stored stories that may have members besides their own entry: a superset of those
/// with a key in `stories` whose entry is stored, kept in memory so that a page's single
/// entries (most of them) are not each a `stories` scan that finds nothing (a tenth of a
/// cold page's time in profiles). A story is added before a write gives it a member, so no
/// reader sees a member the set lacks, and dropped when its own entry is pruned (its copies
/// stand on their own then, and [`Store::story_copies`] is only asked about stored story
/// entries); one left behind by a move only costs a scan.
#[derive(Default)]
pub(super) struct Roots(parking_lot::RwLock<rustc_hash::FxHashSet<[u8; 16]>>);

impl Roots {
    /// Reads every story with a member from the keys of `stories` (no values).
    pub(super) fn load(&self, stories: &sled::Tree) -> Result<(), StoreError> {
        let mut set = rustc_hash::FxHashSet::default();
        for k in stories.iter().keys() {
            if let Some(root) = k?.get(..16).and_then(|r| <[u8; 16]>::try_from(r).ok()) {
                set.insert(root);
            }
        }
        *self.0.write() = set;
        Ok(())
    }

    /// Notes stories about to gain members.
    pub(super) fn add(&self, stories: impl IntoIterator<Item = EntryId>) {
        let mut stories = stories.into_iter().peekable();
        if stories.peek().is_some() {
            self.0.write().extend(stories.map(|s| s.0));
        }
    }

    /// Forgets a story whose own entry is gone.
    pub(super) fn remove(&self, story: &EntryId) {
        self.0.write().remove(&story.0);
    }

    /// Whether `story` may have members: `false` means it has none.
    pub(super) fn may_have_members(&self, story: &EntryId) -> bool {
        self.0.read().contains(&story.0)
    }
}

/// Entries moved per transaction when settling.
const SETTLE_CHUNK: usize = 200;

impl Store {
    /// Adds to `b` the writes that move each story of `moves` (`(from, into)`) to the story
    /// it ends up in: its own entry and each member get the new story id, and the `stories`
    /// keys move. Reads the stored membership, so what `b` writes is as of the last commit.
    pub(super) fn move_stories(
        &self,
        b: &mut Batches,
        moves: &[(EntryId, EntryId)],
    ) -> Result<(), StoreError> {
        for (from, into) in resolve(moves) {
            if let Some(root) = self.entry(&from)? {
                self.move_entry(b, root, into)?;
            }
            for kv in self.stories.scan_prefix(from.0) {
                let (k, _) = kv?;
                let Some(member) = k.get(16..32).and_then(|m| <[u8; 16]>::try_from(m).ok()) else {
                    continue;
                };
                b.story.remove(k);
                if let Some(e) = self.entry(&EntryId(member))? {
                    self.move_entry(b, e, into)?;
                }
            }
        }
        Ok(())
    }

    /// Writes `e` as a member of story `into`.
    fn move_entry(&self, b: &mut Batches, mut e: Entry, into: EntryId) -> Result<(), StoreError> {
        e.story = into;
        if e.id != into {
            let tk = super::keys::time_key(e.published, &e.id);
            b.story.insert([into.0, e.id.0].concat(), &tk);
            b.roots.push(into);
        }
        b.put(&e)?;
        Ok(())
    }

    /// Settled memberships (see [`crate::dedup::DedupIndex::settle`]): each `(id, from,
    /// into)` moves entry `id` from story `from` to story `into`, in transactions that
    /// read each entry as it is stored then. An entry gone since (pruned) or no longer in
    /// `from` (a poll moved it) is left alone. Returns the moves made (`(id, into)`). Runs in
    /// chunks of one transaction each: an entry moves whole, but a crash midway leaves the
    /// rest where they were (consistent, and settled again by a later pass).
    pub fn settle_stories(
        &self,
        moves: &[(EntryId, EntryId, EntryId)],
    ) -> Result<Vec<(EntryId, EntryId)>, StoreError> {
        let mut moved = Vec::with_capacity(moves.len());
        // A transaction holds all its writes in memory: chunks keep that small (each entry
        // moves whole, with its membership keys, in one of them).
        for chunk in moves.chunks(SETTLE_CHUNK) {
            moved.extend(self.settle_chunk(chunk)?);
        }
        if !moved.is_empty() {
            self.wrote();
            self.bump();
        }
        Ok(moved)
    }

    fn settle_chunk(
        &self,
        moves: &[(EntryId, EntryId, EntryId)],
    ) -> Result<Vec<(EntryId, EntryId)>, StoreError> {
        self.roots.add(
            moves
                .iter()
                .filter(|(id, _, into)| id != into)
                .map(|&(_, _, into)| into),
        );
        self.write(|| {
            (&self.entries, &self.by_time, &self.stories)
                .transaction(|(ids, times, members)| {
                    let mut moved = Vec::new();
                    for &(id, from, into) in moves {
                        let Some(tk) = ids.get(id.0)? else {
                            continue;
                        };
                        let Some(mut e) = times
                            .get(&tk)?
                            .and_then(|v| super::codec::decode_entry(&v).ok())
                            .filter(|e| e.story == from)
                        else {
                            continue;
                        };
                        e.story = into;
                        if id != from {
                            members.remove([from.0, id.0].concat())?;
                        }
                        if id != into {
                            members.insert([into.0, id.0].concat(), &tk[..])?;
                        }
                        let Ok(bytes) = super::codec::encode_entry(&e) else {
                            continue;
                        };
                        times.insert(&tk[..], bytes)?;
                        moved.push((id, into));
                    }
                    Ok::<_, ConflictableTransactionError<()>>(moved)
                })
                .map_err(tx_error)
        })
    }

    /// The ids of story `story`'s entry (when stored) and its members, from the keys alone:
    /// no entry is read.
    pub fn story_member_ids(&self, story: &EntryId) -> Result<Vec<EntryId>, StoreError> {
        let root = self.entries.contains_key(story.0)?;
        self.with_members(story, root)
    }

    /// The ids of the members of story `story` (its own entry first when stored), as
    /// stored.
    pub fn story_members(&self, story: &EntryId) -> Result<Vec<EntryId>, StoreError> {
        let root = self.entry(story)?.is_some_and(|e| e.story == *story);
        self.with_members(story, root)
    }

    /// `story` itself when `root`, then the members its `stories` keys list.
    fn with_members(&self, story: &EntryId, root: bool) -> Result<Vec<EntryId>, StoreError> {
        let mut out = Vec::new();
        if root {
            out.push(*story);
        }
        for kv in self.stories.scan_prefix(story.0) {
            let (k, _) = kv?;
            if let Some(m) = k.get(16..32).and_then(|m| <[u8; 16]>::try_from(m).ok()) {
                out.push(EntryId(m));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> EntryId {
        EntryId([n; 16])
    }

    #[test]
    fn chains_of_moves_end_in_the_last_story() {
        let to = resolve(&[(id(1), id(2)), (id(2), id(3)), (id(4), id(1))]);
        assert_eq!(to[&id(1)], id(3));
        assert_eq!(to[&id(2)], id(3));
        assert_eq!(to[&id(4)], id(3));
        assert_eq!(moved_to(&[(id(1), id(2)), (id(2), id(3))], id(1)), id(3));
        assert_eq!(moved_to(&[(id(1), id(2))], id(5)), id(5));
    }
}
