//! Storage in sled: entries in publication order, indexes over them, and per-feed poll state.
//!
//! Trees:
//! - `by_time`: publication time + id -> versioned [`crate::entry::Entry`]; newest-first
//!   scans run it backwards, and a page's entries sit together (see `layout`)
//! - `entries`: [`crate::entry::EntryId`] -> its `by_time` key
//! - `by_show`: show slug, 0, publication time + id -> nothing (per-show feeds)
//! - `by_feed`: feed id, 0, publication time + id -> nothing (per-source feeds)
//! - `stories`: story id + member id -> the member's time key (other outlets' copies of a
//!   story; empty in stores from before layout 2)
//! - `by_url`: exact-duplicate URL key (see `dedup::url_key`) -> entry id
//! - `events`: time + sequence -> versioned [`HealthEvent`] (source failures, recoveries...)
//! - `feeds`: feed id -> versioned [`FeedState`] (validators, next poll, health)
//! - `hidden`: entry id -> the ingest rule that hides it (see `hidden`)
//! - `articles`: entry id -> its article page's validators (see `articles`)
//! - `websub`: hub links and subscriptions per feed (see `websub`)
//! - `notify_queue`, `notify_sent`: notifications of new stories to send, and sent (see
//!   `notify`)
//! - `meta`: schema version, the retention floor, tagger and rule-set fingerprints
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

mod articles;
mod batches;
mod codec;
mod entries;
mod error;
mod events;
mod flush;
mod hidden;
pub mod keys;
mod layout;
mod notify;
mod retention;
mod states;
mod stories;
mod websub;
mod writable;

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

pub use articles::ArticleValidators;
pub use entries::{IngestStats, Poll};
pub use error::{cannot_write, is_disk_error, StoreError};
pub use events::{HealthEvent, MAX_EVENTS};
pub use hidden::HideStats;
pub use notify::{Ended as NoticeEnded, Notice, TargetKey};
pub use retention::PruneStats;
pub use states::{Cadence, FeedState};
pub use stories::moved_to;
pub use websub::{Changes, HubLinks, SubState, Subscription};
pub use writable::Unwritable;

use layout::SCHEMA_VERSION;
const META_SCHEMA: &[u8] = b"schema";
/// Entries published before this time are not ingested: they were pruned for space.
const META_FLOOR: &[u8] = b"floor";
/// Fingerprint of the show list (and tagging rules) the stored tags were made with.
const META_TAGGER: &[u8] = b"tagger";

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
    hidden: sled::Tree,
    articles: sled::Tree,
    websub: sled::Tree,
    notify_queue: sled::Tree,
    notify_sent: sled::Tree,
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
    /// Feeds with a live WebSub subscription.
    websub_live: Mutex<std::collections::HashSet<String>>,
    /// Woken when hub links change.
    websub_wake: tokio::sync::Notify,
    /// Stories that may have members besides their own entry ([`stories::Roots`]).
    roots: stories::Roots,
    /// What ingests changed since the publisher last looked.
    changes: Mutex<Changes>,
    /// Woken by each change.
    changed: tokio::sync::Notify,
}

impl Store {
    /// Opens the store at `path` for a command that only reads: a missing store is an error
    /// ([`StoreError::Missing`]), never a new empty one made by a mistyped path.
    pub fn open_existing(path: &Path, cache_bytes: u64) -> Result<Store, StoreError> {
        if !path.join("conf").is_file() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        Store::open(path, cache_bytes)
    }

    /// Opens (or creates) the store at `path` with a page cache of `cache_bytes`.
    pub fn open(path: &Path, cache_bytes: u64) -> Result<Store, StoreError> {
        Store::open_at(path, path, cache_bytes)
    }

    /// Opens the sled files at `files` for the store known as `path`.
    pub(super) fn open_at(
        path: &Path,
        files: &Path,
        cache_bytes: u64,
    ) -> Result<Store, StoreError> {
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
        // A store without a version is new (or from before versions, which layout 1 was).
        let found = match meta.get(META_SCHEMA)? {
            Some(v) => u64::from_be_bytes(v.as_ref().try_into().unwrap_or([0xff; 8])),
            None => 1,
        };
        if found > SCHEMA_VERSION {
            return Err(StoreError::Schema { found });
        }
        let websub = db.open_tree("websub")?;
        let store = Store {
            path: path.to_path_buf(),
            websub_live: Mutex::new(Store::load_websub_live(&websub)),
            websub,
            websub_wake: tokio::sync::Notify::new(),
            roots: stories::Roots::default(),
            changes: Mutex::new(Changes::default()),
            changed: tokio::sync::Notify::new(),
            entries: db.open_tree("entries")?,
            by_time: db.open_tree("by_time")?,
            by_show: db.open_tree("by_show")?,
            by_feed: db.open_tree("by_feed")?,
            stories: db.open_tree("stories")?,
            by_url: db.open_tree("by_url")?,
            events: db.open_tree("events")?,
            feeds: db.open_tree("feeds")?,
            hidden: db.open_tree("hidden")?,
            articles: db.open_tree("articles")?,
            notify_queue: db.open_tree("notify_queue")?,
            notify_sent: db.open_tree("notify_sent")?,
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
        };
        if found < SCHEMA_VERSION {
            store.upgrade_layout(found)?;
        }
        store.roots.load(&store.stories)?;
        Ok(store)
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

    pub(super) fn bump(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

/// Runs blocking store work on tokio's blocking pool, off the async workers; a panic in it
/// becomes [`StoreError::Task`] naming `what` it was doing.
pub async fn blocking<T: Send + 'static>(
    what: &'static str,
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Task {
            what,
            reason: e.to_string(),
        })?
}

/// A time-index key: publication time (8 bytes, order-preserving) then the id (16 bytes).
pub type TimeKey = [u8; keys::TIME_KEY_LEN];

/// Time keys from an index walk.
pub type KeyStream<'a> = Box<dyn Iterator<Item = Result<TimeKey, StoreError>> + 'a>;

/// One key of an index walk, with the entry's stored bytes when the walk is over the time
/// index itself (whose values are the entries), so that reading it is no second lookup.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The entry's time key.
    pub key: TimeKey,
    value: Option<sled::IVec>,
}

/// [`Hit`]s from an index walk.
pub type HitStream<'a> = Box<dyn Iterator<Item = Result<Hit, StoreError>> + 'a>;

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

#[cfg(test)]
impl Store {
    /// Opens the store at `path` once the last handle in this process has let go of it:
    /// sled's flusher thread releases the lock on its next wake-up, after the drop.
    pub(crate) fn open_when_unlocked(path: &Path, cache_bytes: u64) -> Store {
        (0..500)
            .find_map(|_| match Store::open(path, cache_bytes) {
                Err(StoreError::Locked(_)) => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    None
                }
                other => Some(other.unwrap()),
            })
            .expect("the store is still locked after 10 s")
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
        let store = Store::open_when_unlocked(&path, 1 << 20);
        assert_eq!(store.feed_state("a").unwrap(), Some(later.clone()));
        assert_eq!(store.feed_state("b").unwrap(), Some(later));
        // A direct write wins over a pending one.
        store.put_feed_state_later("a", &first);
        store.put_feed_state("a", &FeedState::default()).unwrap();
        assert_eq!(store.save_pending_states().unwrap(), 0);
        assert_eq!(store.feed_state("a").unwrap(), Some(FeedState::default()));
    }
}
