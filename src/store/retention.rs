//! Retention: entries older than `retention_days`, and the oldest beyond `max_entries`, are
//! deleted in chunks so the daemon keeps serving meanwhile.

use std::collections::HashMap;

use super::batches::Batches;
use super::{keys, Store, StoreError, META_FLOOR};
use crate::dedup::url_key;
use crate::entry::EntryId;

/// Counts from one [`Store::prune`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PruneStats {
    /// Removed for age.
    pub expired: usize,
    /// Removed to stay under `max_entries`.
    pub evicted: usize,
}

impl Store {
    pub(super) fn floor(&self) -> Result<i64, StoreError> {
        Ok(self
            .meta
            .get(META_FLOOR)?
            .and_then(|v| v.as_ref().try_into().ok())
            .map_or(i64::MIN, keys::time_from_bytes))
    }

    /// Removes entries published before `cutoff` and, beyond that, the oldest ones over
    /// `max_entries`. Runs in chunks so the daemon keeps serving meanwhile.
    pub fn prune(&self, cutoff: i64, max_entries: usize) -> Result<PruneStats, StoreError> {
        self.write(|| self.prune_now(cutoff, max_entries))
    }

    pub(super) fn prune_now(
        &self,
        cutoff: i64,
        max_entries: usize,
    ) -> Result<PruneStats, StoreError> {
        let mut stats = PruneStats::default();
        let total = self.entry_count();
        let mut over = total.saturating_sub(max_entries);
        let mut per_feed: HashMap<String, u64> = HashMap::new();
        let mut chunk: Vec<(sled::IVec, EntryId)> = Vec::new();
        let mut last_evicted = None;
        for kv in self.by_time.iter() {
            let (k, _) = kv?;
            let Some((published, id)) = keys::split_time_key(&k) else {
                continue;
            };
            if published < cutoff {
                stats.expired += 1;
                over = over.saturating_sub(1);
            } else if over > 0 {
                stats.evicted += 1;
                over -= 1;
                last_evicted = Some(published);
            } else {
                break;
            }
            chunk.push((k, id));
            if chunk.len() >= 1000 {
                self.delete_chunk(&chunk, &mut per_feed)?;
                chunk.clear();
            }
        }
        self.delete_chunk(&chunk, &mut per_feed)?;
        if let Some(t) = last_evicted {
            // Evicted for space: do not ingest them again on the next poll.
            self.meta.insert(META_FLOOR, &keys::time_bytes(t + 1))?;
        }
        for (feed_id, removed) in per_feed {
            if let Some(mut state) = self.feed_state(&feed_id)? {
                state.entry_count = state.entry_count.saturating_sub(removed);
                self.put_feed_state(&feed_id, &state)?;
            }
        }
        if stats.expired + stats.evicted > 0 {
            self.bump();
        }
        Ok(stats)
    }

    pub(super) fn delete_chunk(
        &self,
        chunk: &[(sled::IVec, EntryId)],
        per_feed: &mut HashMap<String, u64>,
    ) -> Result<(), StoreError> {
        if chunk.is_empty() {
            return Ok(());
        }
        let mut b = Batches::default();
        for (k, id) in chunk {
            if let Some(entry) = self.entry(id)? {
                *per_feed.entry(entry.feed_id.clone()).or_default() += 1;
                b.index(&entry, false);
                if let Some(key) = entry.link.as_deref().and_then(url_key) {
                    for k in [
                        key.as_bytes().to_vec(),
                        keys::url_in_feed(&key, &entry.feed_id),
                    ] {
                        if self.by_url.get(&k)?.as_deref() == Some(&id.0[..]) {
                            b.url.remove(k);
                        }
                    }
                }
            }
            b.entries.remove(&id.0);
            b.time.remove(k);
        }
        self.apply(&b, None)?;
        for (_, id) in chunk {
            self.roots.remove(id);
        }
        // What hangs on the entries' ids goes with them (not in the transaction: a leftover
        // is harmless and the next pass would not see it, so it is removed here at once).
        for (_, id) in chunk {
            self.articles.remove(id.0)?;
            self.hidden.remove(id.0)?;
        }
        Ok(())
    }
}
