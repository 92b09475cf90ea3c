//! One sled batch per tree, applied together in one transaction: an entry's own write and
//! the index keys it adds or removes.

use super::{codec, keys, StoreError};
use crate::dedup::url_key;
use crate::entry::{Entry, EntryId};

/// One batch per tree, applied together by [`Store::apply`].
#[derive(Default)]
pub(super) struct Batches {
    pub(super) entries: sled::Batch,
    pub(super) time: sled::Batch,
    pub(super) show: sled::Batch,
    pub(super) feed: sled::Batch,
    pub(super) story: sled::Batch,
    pub(super) url: sled::Batch,
    /// Stories `story` gains members in (noted before the batch is applied).
    pub(super) roots: Vec<EntryId>,
}

impl Batches {
    /// Writes `e` itself: under its time key, and its id pointing there (see `layout`).
    pub(super) fn put(&mut self, e: &Entry) -> Result<(), StoreError> {
        let tk = keys::time_key(e.published, &e.id);
        self.time.insert(&tk, codec::encode_entry(e)?);
        self.entries.insert(&e.id.0, &tk);
        Ok(())
    }

    /// Adds (or removes) every index key of `e` (its time key is written by [`Batches::put`]).
    pub(super) fn index(&mut self, e: &Entry, add: bool) {
        let tk = keys::time_key(e.published, &e.id);
        let feed = keys::prefixed(&e.feed_id, &tk);
        let member = [e.story.0, e.id.0].concat();
        if add {
            self.feed.insert(feed, &[]);
            if e.story != e.id {
                // The member's time key, so a story's copies are read in one step each.
                self.story.insert(member, &tk);
                self.roots.push(e.story);
            }
            // The first entry with a URL keeps it (later copies point at its story); every
            // entry also holds its URL within its own feed, to recognise reposts.
            if let Some(key) = e.link.as_deref().and_then(url_key) {
                if !e.exact_copy {
                    self.url.insert(key.as_bytes(), &e.id.0);
                }
                self.url
                    .insert(keys::url_in_feed(&key, &e.feed_id), &e.id.0);
            }
        } else {
            self.time.remove(&tk);
            self.entries.remove(&e.id.0);
            self.feed.remove(feed);
            self.story.remove(member);
        }
        for show in &e.shows {
            let k = keys::prefixed(&show.slug, &tk);
            if add {
                self.show.insert(k, &[]);
            } else {
                self.show.remove(k);
            }
        }
    }

    /// Moves `old`'s show keys to `new`'s (same publication time).
    pub(super) fn reindex_shows(&mut self, old: &Entry, new: &Entry) {
        let tk = keys::time_key(old.published, &old.id);
        for s in &old.shows {
            self.show.remove(keys::prefixed(&s.slug, &tk));
        }
        for s in &new.shows {
            self.show.insert(keys::prefixed(&s.slug, &tk), &[]);
        }
    }
}
