//! Writability: a store that refuses writes after a disk error, the probe that tells when
//! its directory can be written again, and the read-only copy served meanwhile.
//!
//! Once sled fails a write with an I/O error it refuses every later write until the store
//! is reopened, and even reads can fail (a read that meets a half-done node split helps
//! finish it, which is a write). So the store records why ([`Store::unwritable`]) and
//! refuses writes itself from then on; the daemon then restarts in place.

use std::path::Path;

use super::error::describe_io;
use super::events::HealthEvent;
use super::{Store, StoreError};

/// Why the store refuses writes, since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unwritable {
    /// When the first write failed (Unix seconds).
    pub since: i64,
    /// The I/O error, in words.
    pub reason: String,
}

/// Size of the file [`Store::probe`] writes: room for sled to reopen and write a segment.
const PROBE_BYTES: usize = 2 << 20;

impl Store {
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

    /// Why writes are refused, if they are: a write failed with an I/O error (disk full,
    /// read-only file system), or the store is served from a read-only copy.
    pub fn unwritable(&self) -> Option<Unwritable> {
        self.unwritable.lock().clone()
    }

    pub(super) fn mark_unwritable(&self, reason: String) {
        let mut slot = self.unwritable.lock();
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

    /// Runs a write: refused at once while unwritable; an I/O failure makes the store
    /// unwritable (sled will refuse every later write anyway).
    pub(super) fn write<T>(
        &self,
        f: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.writable()?;
        let r = f();
        if let Err(StoreError::Sled(sled::Error::Io(io))) = &r {
            self.mark_unwritable(describe_io(io));
        }
        r
    }

    pub(super) fn writable(&self) -> Result<(), StoreError> {
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
