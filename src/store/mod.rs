//! Storage in sled: entries by id, a time index, and per-feed poll state.
//!
//! Trees:
//! - `entries`: [`EntryId`] -> versioned [`Entry`]
//! - `by_time`: publication time + id -> nothing; newest-first scans run it backwards
//! - `by_show`: show slug, 0, publication time + id -> nothing (per-show feeds)
//! - `by_feed`: feed id, 0, publication time + id -> nothing (per-source feeds)
//! - `stories`: story id + member id -> nothing (other outlets' copies of a story)
//! - `by_url`: exact-duplicate URL key (see `dedup::url_key`) -> entry id
//! - `events`: time + sequence -> versioned [`HealthEvent`] (source failures, recoveries...)
//! - `feeds`: feed id -> versioned [`FeedState`] (validators, next poll, health)
//! - `meta`: schema version and the retention floor
//!
//! A poll's new entries and its new validators are written in one transaction
//! ([`Store::commit_poll`]), and the caller flushes before the poll counts as done, so a crash
//! can never leave an ETag stored for entries that were not.
//!
//! Disk full, read-only: once sled fails a write with an I/O error it refuses every later
//! write until the store is reopened, and even reads can fail (a read that meets a half-done
//! node split helps finish it, which is a write). The store records why
//! ([`Store::unwritable`]) and refuses writes itself from then on; the daemon then restarts
//! in place. A store whose directory cannot be written ([`Store::probe_dir`]) is opened from
//! a temporary copy ([`Store::open_copy`]): the last good entries are served, writes are
//! refused, health events are kept in memory, and once the directory can be written again
//! the daemon restarts onto the real store.

mod codec;
pub mod keys;

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;

use crate::dedup::url_key;
use crate::entry::{Entry, EntryId, ShowTag};
use std::ops::Bound;

const SCHEMA_VERSION: u64 = 1;
const META_SCHEMA: &[u8] = b"schema";
/// Entries published before this time are not ingested: they were pruned for space.
const META_FLOOR: &[u8] = b"floor";
/// Fingerprint of the show list (and tagging rules) the stored tags were made with.
const META_TAGGER: &[u8] = b"tagger";

/// Errors of the storage stage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process (usually the running daemon) holds the store.
    #[error("the store at {} is in use by another process (is the daemon running?)", .0.display())]
    Locked(PathBuf),
    /// The store was written by a newer showfeed.
    #[error("the store has schema version {found}, newer than this showfeed understands ({SCHEMA_VERSION})")]
    Schema {
        /// Version found on disk.
        found: u64,
    },
    /// sled failed.
    #[error("storage error")]
    Sled(#[from] sled::Error),
    /// A write failed earlier with an I/O error (disk full, read-only file system): sled
    /// refuses writes until the store is reopened.
    #[error("the store at {} cannot be written: {reason}", path.display())]
    Unwritable {
        /// The store.
        path: PathBuf,
        /// The I/O error that started it.
        reason: String,
    },
    /// A read-only copy of an unwritable store could not be made.
    #[error("cannot copy the store to {} to serve it read-only", path.display())]
    Copy {
        /// The temporary copy.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A value could not be encoded.
    #[error("cannot encode a value")]
    Encode(#[source] postcard::Error),
    /// A stored value could not be decoded.
    #[error("cannot decode a stored {what}")]
    Decode {
        /// What kind of value.
        what: &'static str,
        /// Why.
        #[source]
        source: postcard::Error,
    },
}

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
}

/// Events kept for `/admin/health.atom`.
pub const MAX_EVENTS: usize = 1000;

/// Something an admin should know about a source: it started failing, it recovered, it is
/// gone, it moved, items were missed, or a config reload was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthEvent {
    /// When (Unix seconds).
    pub at: i64,
    /// The feed concerned (empty for config events).
    pub feed_id: String,
    /// `failing`, `recovered`, `gone`, `moved`, `gap` or `config`.
    pub kind: String,
    /// One line.
    pub title: String,
    /// Details (the error chain, the new URL...).
    pub detail: String,
}

/// Why the store refuses writes, since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unwritable {
    /// When the first write failed (Unix seconds).
    pub since: i64,
    /// The I/O error, in words.
    pub reason: String,
}

/// Health events kept in memory while the store cannot be written.
const MAX_UNSAVED_EVENTS: usize = 100;

/// Size of the file [`Store::probe`] writes: room for sled to reopen and write a segment.
const PROBE_BYTES: usize = 2 << 20;

/// Whether a sled error is the disk's fault (full, read-only, quota, permissions): the
/// kind of failure that makes sled refuse writes until reopened.
pub fn is_disk_error(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Sled(sled::Error::Io(_)) | StoreError::Unwritable { .. }
    )
}

/// Whether an I/O error means the directory cannot be written (read-only file system, no
/// space, quota, permissions), as opposed to a missing path or a lock; in words if so.
pub fn cannot_write(e: &std::io::Error) -> Option<String> {
    use std::io::ErrorKind as K;
    matches!(
        e.kind(),
        K::ReadOnlyFilesystem | K::StorageFull | K::QuotaExceeded | K::PermissionDenied
    )
    .then(|| describe_io(e))
}

/// An I/O error in words. sled re-wraps the first error it met, so the kind is more
/// reliable than the text.
fn describe_io(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::StorageFull => "no space left on device".into(),
        K::ReadOnlyFilesystem => "read-only file system".into(),
        K::QuotaExceeded => "disk quota exceeded".into(),
        K::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
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
    /// Items dropped as reposts of an entry this feed already has (same URL, new guid).
    pub reposts: usize,
    /// Show tags on the new entries.
    pub tags: usize,
}

/// Counts from one [`Store::prune`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PruneStats {
    /// Removed for age.
    pub expired: usize,
    /// Removed to stay under `max_entries`.
    pub evicted: usize,
}

/// The sled database and its trees.
pub struct Store {
    path: PathBuf,
    db: sled::Db,
    entries: sled::Tree,
    by_time: sled::Tree,
    by_show: sled::Tree,
    by_feed: sled::Tree,
    stories: sled::Tree,
    by_url: sled::Tree,
    events: sled::Tree,
    feeds: sled::Tree,
    meta: sled::Tree,
    generation: AtomicU64,
    /// Writes done / writes known durable, for group commit in [`Store::flush`].
    writes: AtomicU64,
    flushed: AtomicU64,
    flush_lock: tokio::sync::Mutex<()>,
    /// Set by the first write that failed with an I/O error.
    unwritable: Mutex<Option<Unwritable>>,
    /// Health events recorded while unwritable, newest last.
    unsaved_events: Mutex<VecDeque<(u64, HealthEvent)>>,
    /// For a store served from a temporary copy: the copy, deleted with the store.
    copy: Option<tempfile::TempDir>,
    /// Woken when the store becomes unwritable.
    went_unwritable: tokio::sync::Notify,
    /// Feed states not yet written ([`Store::put_feed_state_later`]).
    pending_states: Mutex<HashMap<String, FeedState>>,
}

impl Store {
    /// Opens (or creates) the store at `path` with a page cache of `cache_bytes`.
    pub fn open(path: &Path, cache_bytes: u64) -> Result<Store, StoreError> {
        Store::open_at(path, path, cache_bytes)
    }

    /// Opens a temporary copy of the store at `path`, which cannot be written (`why` was the
    /// error opening it): everything stored is served, every write is refused with `why`, and
    /// [`Store::probe`] watches `path`. The copy is deleted with the store.
    pub fn open_copy(path: &Path, cache_bytes: u64, why: String) -> Result<Store, StoreError> {
        let copy = tempfile::Builder::new()
            .prefix("showfeed-readonly-")
            .tempdir()
            .map_err(|source| StoreError::Copy {
                path: std::env::temp_dir(),
                source,
            })?;
        if path.is_dir() {
            copy_dir(path, copy.path()).map_err(|source| StoreError::Copy {
                path: copy.path().to_path_buf(),
                source,
            })?;
        }
        let mut store = Store::open_at(path, copy.path(), cache_bytes)?;
        store.mark_unwritable(why);
        store.copy = Some(copy);
        Ok(store)
    }

    /// Resolves once the store is unwritable.
    pub async fn wait_unwritable(&self) {
        while self.unwritable().is_none() {
            self.went_unwritable.notified().await;
        }
    }

    /// Whether this store is a temporary read-only copy ([`Store::open_copy`]).
    pub fn is_copy(&self) -> bool {
        self.copy.is_some()
    }

    /// Opens the sled files at `files` for the store known as `path`.
    fn open_at(path: &Path, files: &Path, cache_bytes: u64) -> Result<Store, StoreError> {
        let db = sled::Config::new()
            .path(files)
            .cache_capacity(cache_bytes)
            .flush_every_ms(Some(500))
            .open()
            .map_err(|e| match &e {
                sled::Error::Io(io)
                    if io.kind() == std::io::ErrorKind::WouldBlock
                        || io.to_string().contains("lock") =>
                {
                    StoreError::Locked(path.to_path_buf())
                }
                _ => StoreError::Sled(e),
            })?;
        let meta = db.open_tree("meta")?;
        match meta.get(META_SCHEMA)? {
            Some(v) => {
                let found = u64::from_be_bytes(v.as_ref().try_into().unwrap_or([0xff; 8]));
                if found > SCHEMA_VERSION {
                    return Err(StoreError::Schema { found });
                }
            }
            None => {
                meta.insert(META_SCHEMA, &SCHEMA_VERSION.to_be_bytes())?;
            }
        }
        Ok(Store {
            path: path.to_path_buf(),
            entries: db.open_tree("entries")?,
            by_time: db.open_tree("by_time")?,
            by_show: db.open_tree("by_show")?,
            by_feed: db.open_tree("by_feed")?,
            stories: db.open_tree("stories")?,
            by_url: db.open_tree("by_url")?,
            events: db.open_tree("events")?,
            feeds: db.open_tree("feeds")?,
            meta,
            db,
            generation: AtomicU64::new(1),
            writes: AtomicU64::new(0),
            flushed: AtomicU64::new(0),
            flush_lock: tokio::sync::Mutex::new(()),
            unwritable: Mutex::new(None),
            unsaved_events: Mutex::new(VecDeque::new()),
            copy: None,
            went_unwritable: tokio::sync::Notify::new(),
            pending_states: Mutex::new(HashMap::new()),
        })
    }

    /// Why writes are refused, if they are: a write failed with an I/O error (disk full,
    /// read-only file system), or the store is served from a read-only copy.
    pub fn unwritable(&self) -> Option<Unwritable> {
        self.unwritable
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn mark_unwritable(&self, reason: String) {
        let mut slot = self.unwritable.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() {
            return;
        }
        let since = chrono::Utc::now().timestamp();
        tracing::error!(
            store = %self.path.display(),
            "the store cannot be written ({reason}): serving what it holds, polling paused until the disk can be written again"
        );
        *slot = Some(Unwritable {
            since,
            reason: reason.clone(),
        });
        drop(slot);
        self.went_unwritable.notify_one();
        self.keep_event(HealthEvent {
            at: since,
            feed_id: String::new(),
            kind: "store".into(),
            title: format!("the store at {} cannot be written", self.path.display()),
            detail: format!(
                "{reason}. Stored entries are still served; polling is paused and resumes once the directory can be written again."
            ),
        });
    }

    fn keep_event(&self, event: HealthEvent) {
        static SEQ: AtomicU64 = AtomicU64::new(u64::MAX / 2);
        let seq = SEQ.fetch_add(1, Ordering::Relaxed);
        let mut events = self
            .unsaved_events
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if events.len() >= MAX_UNSAVED_EVENTS {
            events.pop_front();
        }
        events.push_back((seq, event));
    }

    /// Runs a write: refused at once while unwritable; an I/O failure makes the store
    /// unwritable (sled will refuse every later write anyway).
    fn write<T>(&self, f: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.writable()?;
        let r = f();
        if let Err(StoreError::Sled(sled::Error::Io(io))) = &r {
            self.mark_unwritable(describe_io(io));
        }
        r
    }

    fn writable(&self) -> Result<(), StoreError> {
        match self.unwritable() {
            None => Ok(()),
            Some(u) => Err(StoreError::Unwritable {
                path: self.path.clone(),
                reason: u.reason,
            }),
        }
    }

    /// Checks that the store's directory can be written, with room to spare: see
    /// [`Store::probe_dir`].
    pub fn probe(&self) -> std::io::Result<()> {
        Store::probe_dir(&self.path)
    }

    /// Checks that `path` can be written with room to spare for sled: creates it if needed,
    /// then writes, syncs and removes a few MiB there. Blocking.
    pub fn probe_dir(path: &Path) -> std::io::Result<()> {
        use std::io::Write;
        std::fs::create_dir_all(path)?;
        let probe = path.join(".showfeed-probe");
        let result = (|| {
            let mut f = std::fs::File::create(&probe)?;
            let chunk = vec![0u8; 64 << 10];
            for _ in 0..PROBE_BYTES / chunk.len() {
                f.write_all(&chunk)?;
            }
            f.sync_all()
        })();
        let _ = std::fs::remove_file(&probe);
        result
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A counter bumped by every write that changes what the output shows; renderers cache
    /// against it.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    fn bump(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    fn wrote(&self) {
        self.writes.fetch_add(1, Ordering::AcqRel);
    }

    /// Makes every write so far durable.
    ///
    /// Group commit: callers queue on one lock, and a caller whose writes a flush already
    /// covered returns at once, so a sweep of a thousand polls costs a few fsyncs, not a
    /// thousand. The flush runs on a blocking thread, not sled's `flush_async`, whose small
    /// thread pool deadlocks when many flushes wait on the I/O those same threads must do.
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.writable()?;
        let target = self.writes.load(Ordering::Acquire);
        let _turn = self.flush_lock.lock().await;
        if self.flushed.load(Ordering::Acquire) >= target {
            return Ok(());
        }
        let covered = self.writes.load(Ordering::Acquire);
        let db = self.db.clone();
        let flushed = tokio::task::spawn_blocking(move || db.flush())
            .await
            .map_err(|e| {
                StoreError::Sled(sled::Error::ReportableBug(format!(
                    "flush task failed: {e}"
                )))
            })?;
        self.write(|| Ok(flushed?))?;
        self.flushed.fetch_max(covered, Ordering::AcqRel);
        Ok(())
    }

    /// Blocking variant of [`Store::flush`], for shutdown and the CLI.
    pub fn flush_blocking(&self) -> Result<(), StoreError> {
        self.write(|| Ok(self.db.flush().map(drop)?))
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

    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<String, FeedState>> {
        self.pending_states
            .lock()
            .unwrap_or_else(|p| p.into_inner())
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

    /// The entry with this id.
    pub fn entry(&self, id: &EntryId) -> Result<Option<Entry>, StoreError> {
        self.entries
            .get(id.0)?
            .map(|v| codec::decode_entry(&v))
            .transpose()
    }

    /// Number of stored entries (walks the time index: not for hot paths).
    pub fn entry_count(&self) -> usize {
        self.by_time.len()
    }

    /// Disk space used, in bytes.
    pub fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }

    /// Entries newest first (by publication time).
    pub fn newest(&self) -> impl Iterator<Item = Result<Entry, StoreError>> + '_ {
        self.by_time.iter().rev().filter_map(move |kv| {
            let (k, _) = match kv {
                Ok(kv) => kv,
                Err(e) => return Some(Err(e.into())),
            };
            let (_, id) = keys::split_time_key(&k)?;
            // An index key without its entry is skipped rather than failing the page.
            self.entry(&id).transpose()
        })
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
        self.commit_poll_with(feed_id, entries, olds, state, now, cutoff)
    }

    /// [`Store::commit_poll`] for a caller that already read each entry's stored version
    /// (`olds[i]` is `entries[i]`'s), so ingest reads every entry once.
    pub fn commit_poll_with(
        &self,
        feed_id: &str,
        entries: &[Entry],
        olds: Vec<Option<Entry>>,
        state: &mut FeedState,
        now: i64,
        cutoff: i64,
    ) -> Result<IngestStats, StoreError> {
        let floor = self.floor()?.max(cutoff);
        let mut stats = IngestStats::default();
        let mut b = Batches::default();
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
                    merged.story = old.story;
                    if old.content_hash != entry.content_hash {
                        merged.updated = if entry.updated > old.updated {
                            entry.updated
                        } else {
                            now.max(old.updated + 1)
                        };
                        stats.updated += 1;
                    } else {
                        // Only the tags changed (a new show list): no new `updated` for readers.
                        merged.updated = old.updated;
                        stats.retagged += 1;
                    }
                    b.reindex_shows(&old, &merged);
                    b.entries.insert(&entry.id.0, codec::encode_entry(&merged)?);
                }
                None if entry.published < floor => stats.expired += 1,
                None => {
                    b.entries.insert(&entry.id.0, codec::encode_entry(entry)?);
                    b.index(entry, true);
                    stats.new += 1;
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
        if stats.new + stats.updated + stats.retagged > 0 {
            self.bump();
        }
        Ok(stats)
    }

    /// Applies batches to every tree in one transaction (plus one feed state).
    fn apply(&self, b: &Batches, state: Option<(&str, &[u8])>) -> Result<(), StoreError> {
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
    pub fn retag(
        &self,
        tag: impl FnMut(&Entry) -> (Vec<ShowTag>, Vec<String>),
    ) -> Result<usize, StoreError> {
        self.write(|| self.retag_all(tag))
    }

    fn retag_all(
        &self,
        mut tag: impl FnMut(&Entry) -> (Vec<ShowTag>, Vec<String>),
    ) -> Result<usize, StoreError> {
        let mut changed = 0;
        let mut b = Batches::default();
        let mut pending = 0;
        for kv in self.entries.iter() {
            let (_, v) = kv?;
            let old = codec::decode_entry(&v)?;
            let (shows, kinds) = tag(&old);
            if shows == old.shows && kinds == old.kinds {
                continue;
            }
            let mut new = old.clone();
            new.shows = shows;
            new.kinds = kinds;
            b.reindex_shows(&old, &new);
            b.entries.insert(&new.id.0, codec::encode_entry(&new)?);
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
        Ok(changed)
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
        let (tree, prefix) = match index {
            Index::Time => (&self.by_time, Vec::new()),
            Index::Show(slug) => (&self.by_show, keys::prefix(slug)),
            Index::Feed(id) => (&self.by_feed, keys::prefix(id)),
        };
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
        let map = move |kv: sled::Result<(sled::IVec, sled::IVec)>| -> Option<Result<TimeKey, StoreError>> {
            match kv {
                Ok((k, _)) => k.get(plen..).and_then(|t| t.try_into().ok()).map(Ok),
                Err(e) => Some(Err(e.into())),
            }
        };
        if newest_first {
            Box::new(iter.rev().filter_map(map))
        } else {
            Box::new(iter.filter_map(map))
        }
    }

    /// The other copies of `e`'s story when `e` is the story's own entry (empty otherwise),
    /// oldest first.
    pub fn story_copies(&self, e: &Entry) -> Result<Vec<Entry>, StoreError> {
        if e.story != e.id {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for kv in self.stories.scan_prefix(e.id.0) {
            let (k, _) = kv?;
            let Some(member) = k.get(16..32).and_then(|m| <[u8; 16]>::try_from(m).ok()) else {
                continue;
            };
            if let Some(copy) = self.entry(&EntryId(member))? {
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

    /// Records a health event; the oldest beyond [`MAX_EVENTS`] are dropped. While the store
    /// cannot be written the event is kept in memory (the last 100), so the health feed
    /// still shows it.
    pub fn record_event(&self, event: &HealthEvent) -> Result<(), StoreError> {
        let r = self.write(|| self.save_event(event));
        if r.as_ref().is_err_and(is_disk_error) {
            self.keep_event(event.clone());
            return Ok(());
        }
        r
    }

    fn save_event(&self, event: &HealthEvent) -> Result<(), StoreError> {
        let mut key = keys::time_bytes(event.at).to_vec();
        key.extend_from_slice(&self.db.generate_id()?.to_be_bytes());
        self.events
            .insert(key, codec::encode(&codec::StoredEvent::V1(event.clone()))?)?;
        while self.events.len() > MAX_EVENTS {
            match self.events.pop_min()? {
                Some(_) => {}
                None => break,
            }
        }
        self.wrote();
        Ok(())
    }

    /// Health events, newest first, with a stable id each.
    pub fn events(&self, limit: usize) -> Result<Vec<(u64, HealthEvent)>, StoreError> {
        let mut out: Vec<(u64, HealthEvent)> = self
            .unsaved_events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .rev()
            .take(limit)
            .cloned()
            .collect();
        let limit = limit - out.len();
        for kv in self.events.iter().rev().take(limit) {
            let (k, v) = kv?;
            let seq = k
                .get(8..16)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map_or(0, u64::from_be_bytes);
            let codec::StoredEvent::V1(e) = codec::decode("event", &v)?;
            out.push((seq, e));
        }
        Ok(out)
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
        self.by_time
            .range(keys::time_bytes(since).to_vec()..)
            .filter_map(move |kv| match kv {
                Ok((k, _)) => {
                    let (_, id) = keys::split_time_key(&k)?;
                    self.entry(&id).transpose()
                }
                Err(e) => Some(Err(e.into())),
            })
    }

    /// Number of entries in one index (walks it).
    pub fn count(&self, index: Index<'_>) -> usize {
        self.scan(index, None, None, false).count()
    }

    fn floor(&self) -> Result<i64, StoreError> {
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

    fn prune_now(&self, cutoff: i64, max_entries: usize) -> Result<PruneStats, StoreError> {
        let mut stats = PruneStats::default();
        let total = self.by_time.len();
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

    fn delete_chunk(
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
        self.apply(&b, None)
    }
}

/// A time-index key: publication time (8 bytes, order-preserving) then the id (16 bytes).
pub type TimeKey = [u8; keys::TIME_KEY_LEN];

/// Time keys from an index walk.
pub type KeyStream<'a> = Box<dyn Iterator<Item = Result<TimeKey, StoreError>> + 'a>;

/// Which index a [`Store::scan`] walks.
#[derive(Debug, Clone, Copy)]
pub enum Index<'a> {
    /// Every entry.
    Time,
    /// Entries tagged with this show slug.
    Show(&'a str),
    /// Entries from this feed id.
    Feed(&'a str),
}

/// One batch per tree, applied together by [`Store::apply`].
#[derive(Default)]
struct Batches {
    entries: sled::Batch,
    time: sled::Batch,
    show: sled::Batch,
    feed: sled::Batch,
    story: sled::Batch,
    url: sled::Batch,
}

impl Batches {
    /// Adds (or removes) every index key of `e`.
    fn index(&mut self, e: &Entry, add: bool) {
        let tk = keys::time_key(e.published, &e.id);
        let feed = keys::prefixed(&e.feed_id, &tk);
        let member = [e.story.0, e.id.0].concat();
        if add {
            self.time.insert(&tk, &[]);
            self.feed.insert(feed, &[]);
            if e.story != e.id {
                self.story.insert(member, &[]);
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
    fn reindex_shows(&mut self, old: &Entry, new: &Entry) {
        let tk = keys::time_key(old.published, &old.id);
        for s in &old.shows {
            self.show.remove(keys::prefixed(&s.slug, &tk));
        }
        for s in &new.shows {
            self.show.insert(keys::prefixed(&s.slug, &tk), &[]);
        }
    }
}

/// Copies a directory tree (sled's files: `conf`, `db`, `snap.*`, `blobs/`).
fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

fn tx_error(e: TransactionError<()>) -> StoreError {
    match e {
        TransactionError::Storage(e) => StoreError::Sled(e),
        // Our closures never abort.
        TransactionError::Abort(()) => {
            StoreError::Sled(sled::Error::ReportableBug("transaction aborted".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_written_later_are_read_back_at_once_and_saved_in_one_batch() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let store = Store::open(&path, 1 << 20).unwrap();
        let first = FeedState {
            url: "http://a/".into(),
            next_poll: 10,
            ..FeedState::default()
        };
        store.put_feed_state("a", &first).unwrap();
        let later = FeedState {
            next_poll: 20,
            ..first.clone()
        };
        store.put_feed_state_later("a", &later);
        store.put_feed_state_later("b", &later);
        assert_eq!(store.feed_state("a").unwrap(), Some(later.clone()));
        assert_eq!(store.feed_states().unwrap().len(), 2);
        assert_eq!(store.save_pending_states().unwrap(), 2);
        assert_eq!(store.save_pending_states().unwrap(), 0, "nothing left");
        store.flush_blocking().unwrap();
        drop(store);
        let store = Store::open(&path, 1 << 20).unwrap();
        assert_eq!(store.feed_state("a").unwrap(), Some(later.clone()));
        assert_eq!(store.feed_state("b").unwrap(), Some(later));
        // A direct write wins over a pending one.
        store.put_feed_state_later("a", &first);
        store.put_feed_state("a", &FeedState::default()).unwrap();
        assert_eq!(store.save_pending_states().unwrap(), 0);
        assert_eq!(store.feed_state("a").unwrap(), Some(FeedState::default()));
    }
}
