//! Feed states: each feed's validators, due time and health, and the batched write-back of
//! states from polls that stored nothing.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{codec, Store, StoreError};

/// What the scheduler and the status page know about one feed, kept across restarts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedState {
    /// The URL the validators below belong to; a changed URL starts afresh.
    pub url: String,
    /// ETag of the last 200 response.
    pub etag: Option<String>,
    /// Last-Modified of the last 200 response.
    pub last_modified: Option<String>,
    /// When the next poll is due (Unix seconds); 0 = at once.
    pub next_poll: i64,
    /// Failures since the last success.
    pub consecutive_failures: u32,
    /// Last error message, with its chain.
    pub last_error: Option<String>,
    /// When it happened.
    pub last_error_at: Option<i64>,
    /// Last successful poll (200 or 304).
    pub last_success: Option<i64>,
    /// Last poll attempt.
    pub last_attempt: Option<i64>,
    /// Entries stored for this feed.
    pub entry_count: u64,
    /// Why polling stopped for good (410 Gone); cleared when the URL changes.
    pub disabled: Option<String>,
    /// The feed's own title.
    pub title: Option<String>,
    /// The feed's own website link.
    pub site_link: Option<String>,
    /// Where every redirect permanently pointed on the last fetch (admin should update).
    pub moved_to: Option<String>,
    /// What kind of failure the last error was (`connect`, `timeout`, `status`, `parse`...:
    /// the metrics label), so a restart can retry transient ones at once. Absent in states
    /// written before it existed.
    pub last_error_kind: Option<String>,
    /// The interval the last poll chose, and why. Stored beside this struct's serde form
    /// (version 3 of the encoding), so that form stays version 2's.
    #[serde(skip)]
    pub cadence: Option<Cadence>,
    /// The feed's small icon, absolute (version 3, like `cadence`).
    #[serde(skip)]
    pub icon: Option<String>,
    /// The feed's larger image, absolute (version 3, like `cadence`).
    #[serde(skip)]
    pub logo: Option<String>,
}

/// The interval a poll chose for its feed, and why: what `/status` shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cadence {
    /// The interval from the configuration or the posting rate, before server hints.
    pub base_secs: u64,
    /// The interval in force: the base, stretched by a server hint.
    pub interval_secs: u64,
    /// Why, in words.
    pub reason: String,
}

/// The retention window (seconds) the feeds were last read under.
const META_READ_WITH: &[u8] = b"retention_read_with";

impl Store {
    /// The retention window (seconds) recorded by [`Store::set_read_with`], if any.
    pub fn read_with(&self) -> Result<Option<u64>, StoreError> {
        Ok(self
            .meta
            .get(META_READ_WITH)?
            .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
            .map(u64::from_be_bytes))
    }

    /// Records the retention window (seconds) the feeds are read under from now on.
    pub fn set_read_with(&self, secs: u64) -> Result<(), StoreError> {
        self.write(|| {
            self.meta.insert(META_READ_WITH, &secs.to_be_bytes())?;
            self.wrote();
            Ok(())
        })
    }

    /// Forgets every feed's validators and makes it due now, so that its next poll reads
    /// the whole feed again (a `304` would keep items skipped before); returns how many
    /// feeds. Due times and health stay as they are otherwise. The caller flushes.
    pub fn reread_every_feed(&self) -> Result<usize, StoreError> {
        let states = self.feed_states()?;
        let mut batch = sled::Batch::default();
        for (id, mut state) in states.clone() {
            state.etag = None;
            state.last_modified = None;
            state.next_poll = 0;
            batch.insert(id.as_bytes(), codec::encode_state(&state)?);
        }
        self.write(|| {
            self.feeds.apply_batch(batch)?;
            self.wrote();
            Ok(())
        })?;
        let mut pending = self.pending();
        for id in states.keys() {
            pending.remove(id);
        }
        Ok(states.len())
    }

    /// The stored state of a feed.
    pub fn feed_state(&self, feed_id: &str) -> Result<Option<FeedState>, StoreError> {
        if let Some(s) = self.pending().get(feed_id) {
            return Ok(Some(s.clone()));
        }
        self.feeds
            .get(feed_id.as_bytes())?
            .map(|v| codec::decode_state(&v))
            .transpose()
    }

    /// A feed's state if it is waiting in memory for the batched write (a recent 304 or
    /// failure): no sled read, so callers on an async worker may ask.
    pub fn pending_feed_state(&self, feed_id: &str) -> Option<FeedState> {
        self.pending().get(feed_id).cloned()
    }

    /// Every stored feed state, by feed id (removed feeds included).
    pub fn feed_states(&self) -> Result<HashMap<String, FeedState>, StoreError> {
        let mut out = HashMap::new();
        for kv in self.feeds.iter() {
            let (k, v) = kv?;
            out.insert(
                String::from_utf8_lossy(&k).into_owned(),
                codec::decode_state(&v)?,
            );
        }
        for (id, s) in self.pending().iter() {
            out.insert(id.clone(), s.clone());
        }
        Ok(out)
    }

    pub(super) fn pending(&self) -> parking_lot::MutexGuard<'_, HashMap<String, FeedState>> {
        self.pending_states.lock()
    }

    /// Stores a feed's state alone (a 410). The caller flushes.
    pub fn put_feed_state(&self, feed_id: &str, state: &FeedState) -> Result<(), StoreError> {
        self.pending().remove(feed_id);
        self.write(|| {
            self.feeds
                .insert(feed_id.as_bytes(), codec::encode_state(state)?)?;
            self.wrote();
            Ok(())
        })
    }

    /// Records a feed's state after a poll that stored nothing (a 304, a failure): it is read
    /// back at once but written with the others by [`Store::save_pending_states`]. A crash
    /// before then costs an early poll; a sled write for every 304 was most of its CPU.
    pub fn put_feed_state_later(&self, feed_id: &str, state: &FeedState) {
        self.pending().insert(feed_id.to_owned(), state.clone());
    }

    /// Writes the states kept by [`Store::put_feed_state_later`], in one batch; returns how
    /// many. The caller flushes.
    pub fn save_pending_states(&self) -> Result<usize, StoreError> {
        let pending = std::mem::take(&mut *self.pending());
        if pending.is_empty() {
            return Ok(0);
        }
        let mut batch = sled::Batch::default();
        for (id, state) in &pending {
            batch.insert(id.as_bytes(), codec::encode_state(state)?);
        }
        let written = self.write(|| {
            self.feeds.apply_batch(batch)?;
            self.wrote();
            Ok(())
        });
        if let Err(e) = written {
            // Kept for the next attempt, unless a newer state arrived meanwhile.
            let mut now = self.pending();
            for (id, state) in pending {
                now.entry(id).or_insert(state);
            }
            return Err(e);
        }
        Ok(pending.len())
    }
}
