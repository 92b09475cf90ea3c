//! Durability: group commit over sled's flush.

use std::sync::atomic::Ordering;

use super::{Store, StoreError};

impl Store {
    pub(super) fn wrote(&self) {
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
            .map_err(|e| StoreError::Task {
                what: "flush the store",
                reason: e.to_string(),
            })?;
        self.write(|| Ok(flushed?))?;
        self.flushed.fetch_max(covered, Ordering::AcqRel);
        Ok(())
    }

    /// Blocking variant of [`Store::flush`], for shutdown and the CLI.
    pub fn flush_blocking(&self) -> Result<(), StoreError> {
        self.write(|| Ok(self.db.flush().map(drop)?))
    }
}
