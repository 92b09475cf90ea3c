//! The storage stage's errors, and which of them mean the disk cannot be written.

use std::path::PathBuf;

use sled::transaction::TransactionError;

use super::SCHEMA_VERSION;

/// Errors of the storage stage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process (usually the running daemon) holds the store.
    #[error("the store at {} is in use by another process (is the daemon running?)", .0.display())]
    Locked(PathBuf),
    /// A command that only reads found no store where the config (or `--data`) points.
    #[error("no store at {}: nothing has been polled into it yet (is `--data` or `[storage] path` right? `showfeed poll` or `showfeed run` creates it)", .0.display())]
    Missing(PathBuf),
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
    /// Blocking store work ended abnormally (its task panicked or was cancelled).
    #[error("cannot {what}: the store task failed: {reason}")]
    Task {
        /// What the task was doing.
        what: &'static str,
        /// The panic message or the cancellation.
        reason: String,
    },
    /// A transaction was aborted; our transactions never abort, so this is a bug.
    #[error("a store transaction was aborted")]
    Aborted,
    /// A stored value could not be decoded.
    #[error("cannot decode a stored {what}")]
    Decode {
        /// What kind of value.
        what: &'static str,
        /// Why.
        #[source]
        source: postcard::Error,
    },
    /// A stored value's compressed bytes are damaged.
    #[error("cannot decompress a stored {what}")]
    Decompress {
        /// What kind of value.
        what: &'static str,
        /// Why.
        #[source]
        source: lz4_flex::block::DecompressError,
    },
}

impl StoreError {
    /// When this error means the store's directory cannot be written (read-only, full,
    /// quota, permissions): the reason in words.
    pub fn cannot_write(&self) -> Option<String> {
        match self {
            StoreError::Sled(sled::Error::Io(io)) => cannot_write(io),
            StoreError::Unwritable { reason, .. } => Some(reason.clone()),
            _ => None,
        }
    }
}

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
pub(super) fn describe_io(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::StorageFull => "no space left on device".into(),
        K::ReadOnlyFilesystem => "read-only file system".into(),
        K::QuotaExceeded => "disk quota exceeded".into(),
        K::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

pub(super) fn tx_error(e: TransactionError<()>) -> StoreError {
    match e {
        TransactionError::Storage(e) => StoreError::Sled(e),
        // Our closures never abort.
        TransactionError::Abort(()) => StoreError::Aborted,
    }
}
