//! The store's layout version and the one-time rewrite between layouts, run when a store is
//! opened.
//!
//! Layout 1 kept each entry under its id (`entries`: id -> entry) beside an empty time
//! index, so a page of the feed read its entries from all over the tree: every entry a walk
//! met pulled a leaf of unrelated entries from disk (profiles showed 100-250 us per entry
//! on a cold cache). Layout 2 keeps each entry under its time key (`by_time`: publication
//! time + id -> entry) and maps ids to time keys (`entries`: id -> time key), so the newest
//! entries sit together and a walk reads each leaf once.
//!
//! Layout 3 writes entries compressed (see the codec); layout 2's plain values still read,
//! so nothing is rewritten: the version is there so that an older build, which cannot read
//! a compressed entry, refuses the store with a clear message instead of failing its pages.
//!
//! The rewrite runs in chunks of one transaction each, and a chunk's entries are recognised
//! as done by the length of their `entries` value (a time key is 24 bytes; no entry encodes
//! that short), so a crash midway resumes where it stopped. The schema version is written
//! last.

use sled::transaction::{ConflictableTransactionError, Transactional};
use tracing::info;

use super::error::tx_error;
use super::{codec, keys, Store, StoreError, META_SCHEMA};

/// The layout this build writes.
pub(super) const SCHEMA_VERSION: u64 = 3;

/// Entries rewritten per transaction.
const CHUNK: usize = 500;

impl Store {
    /// Brings a store written with layout `found` to [`SCHEMA_VERSION`].
    pub(super) fn upgrade_layout(&self, found: u64) -> Result<(), StoreError> {
        if found < 2 {
            let moved = self.entries_by_time()?;
            let members = self.story_time_keys()?;
            if moved > 0 {
                info!(
                    entries = moved,
                    members, "store rewritten with entries in time order (layout 2)"
                );
            }
        }
        self.meta
            .insert(META_SCHEMA, &SCHEMA_VERSION.to_be_bytes())?;
        self.db.flush()?;
        Ok(())
    }

    /// Layout 1 to 2: each entry moves from its id to its time key. Returns how many moved.
    fn entries_by_time(&self) -> Result<usize, StoreError> {
        let mut moved = 0;
        let mut after: Option<sled::IVec> = None;
        loop {
            let range = match &after {
                Some(k) => self.entries.range::<&[u8], _>((
                    std::ops::Bound::Excluded(k.as_ref()),
                    std::ops::Bound::Unbounded,
                )),
                None => self.entries.iter(),
            };
            let mut chunk = Vec::with_capacity(CHUNK);
            for kv in range {
                let (k, v) = kv?;
                after = Some(k.clone());
                if v.len() != keys::TIME_KEY_LEN {
                    let e = codec::decode_entry(&v)?;
                    chunk.push((k, keys::time_key(e.published, &e.id), v));
                    if chunk.len() == CHUNK {
                        break;
                    }
                }
            }
            if chunk.is_empty() {
                return Ok(moved);
            }
            moved += chunk.len();
            (&self.entries, &self.by_time)
                .transaction(|(e, t)| {
                    for (id, tk, v) in &chunk {
                        t.insert(&tk[..], v.clone())?;
                        e.insert(id.clone(), &tk[..])?;
                    }
                    Ok::<_, ConflictableTransactionError<()>>(())
                })
                .map_err(tx_error)?;
        }
    }
}

impl Store {
    /// Layout 2 also keeps each story member's time key in `stories`, so a story's copies
    /// are read with one read each. Returns how many were filled in.
    fn story_time_keys(&self) -> Result<usize, StoreError> {
        let mut filled = 0;
        let mut batch = sled::Batch::default();
        for kv in self.stories.iter() {
            let (k, v) = kv?;
            let Some(member) = k.get(16..32).and_then(|m| <[u8; 16]>::try_from(m).ok()) else {
                continue;
            };
            if v.len() == keys::TIME_KEY_LEN {
                continue;
            }
            if let Some(tk) = self.entries.get(member)? {
                batch.insert(k, tk);
                filled += 1;
                if filled % CHUNK == 0 {
                    self.stories.apply_batch(std::mem::take(&mut batch))?;
                }
            }
        }
        self.stories.apply_batch(batch)?;
        Ok(filled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{Entry, EntryId};

    fn entry(n: u8, published: i64) -> Entry {
        let xml = format!(
            "<rss version=\"2.0\"><channel><title>t</title><item><title>Item {n}</title>\
             <link>https://a.example/{n}</link></item></channel></rss>"
        );
        let feed = crate::parse::parse(xml.as_bytes(), None).unwrap();
        let url = url::Url::parse("https://a.example/feed").unwrap();
        let mut e = crate::normalize::normalize("a", feed, &url, 1_700_000_000)
            .entries
            .remove(0);
        e.id = EntryId([n; 16]);
        e.story = e.id;
        e.published = published;
        e
    }

    #[test]
    fn a_layout_1_store_is_rewritten_in_time_order_and_reads_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let entries: Vec<Entry> = (1..=40u8)
            .map(|n| entry(n, 1_000 + i64::from(n % 7)))
            .collect();
        {
            // What layout 1 wrote: the entry under its id, an empty value in the time index.
            let db = sled::open(dir.path()).unwrap();
            let (by_id, by_time) = (
                db.open_tree("entries").unwrap(),
                db.open_tree("by_time").unwrap(),
            );
            for e in &entries {
                by_id
                    .insert(e.id.0, codec::encode_entry(e).unwrap())
                    .unwrap();
                by_time
                    .insert(keys::time_key(e.published, &e.id), &[])
                    .unwrap();
            }
            // Entry 2 is a copy in entry 1's story, as layout 1 kept it.
            db.open_tree("stories")
                .unwrap()
                .insert([[1u8; 16], [2u8; 16]].concat(), &[])
                .unwrap();
            db.open_tree("meta")
                .unwrap()
                .insert(META_SCHEMA, &1u64.to_be_bytes())
                .unwrap();
            db.flush().unwrap();
        }
        let store = Store::open_when_unlocked(dir.path(), 1 << 20);
        for e in &entries {
            assert_eq!(store.entry(&e.id).unwrap().as_ref(), Some(e));
            let tk = keys::time_key(e.published, &e.id);
            assert_eq!(store.entry_at(&tk).unwrap().as_ref(), Some(e));
        }
        let newest: Vec<EntryId> = store.newest().map(|e| e.unwrap().id).collect();
        let mut expected: Vec<&Entry> = entries.iter().collect();
        expected.sort_by_key(|e| std::cmp::Reverse(keys::time_key(e.published, &e.id)));
        assert_eq!(newest, expected.iter().map(|e| e.id).collect::<Vec<_>>());
        assert_eq!(store.entry_count(), 40);
        let copies = store.story_copies(&entries[0]).unwrap();
        assert_eq!(
            copies.iter().map(|c| c.id).collect::<Vec<_>>(),
            [entries[1].id]
        );
        let member = store
            .stories
            .get([[1u8; 16], [2u8; 16]].concat())
            .unwrap()
            .unwrap();
        assert_eq!(
            member.as_ref(),
            keys::time_key(entries[1].published, &entries[1].id)
        );
        drop(store);
        // Opened again: nothing left to move, the same entries.
        let store = Store::open_when_unlocked(dir.path(), 1 << 20);
        assert_eq!(store.entries_by_time().unwrap(), 0);
        assert_eq!(store.all_entries().count(), 40);
    }
}
