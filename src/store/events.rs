//! Health events: what an admin should know about sources (failing, recovered, gone,
//! moved, gap) and about the daemon (a refused reload, an unwritable store).

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::error::is_disk_error;
use super::{codec, keys, Store, StoreError};

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

/// Health events kept in memory while the store cannot be written.
const MAX_UNSAVED_EVENTS: usize = 100;

impl Store {
    pub(super) fn keep_event(&self, event: HealthEvent) {
        static SEQ: AtomicU64 = AtomicU64::new(u64::MAX / 2);
        let seq = SEQ.fetch_add(1, Ordering::Relaxed);
        let mut events = self.unsaved_events.lock();
        if events.len() >= MAX_UNSAVED_EVENTS {
            events.pop_front();
        }
        events.push_back((seq, event));
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

    pub(super) fn save_event(&self, event: &HealthEvent) -> Result<(), StoreError> {
        let mut key = keys::time_bytes(event.at).to_vec();
        key.extend_from_slice(&self.db.generate_id()?.to_be_bytes());
        self.events.insert(key, codec::encode_event(event)?)?;
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
            out.push((seq, codec::decode_event(&v)?));
        }
        Ok(out)
    }
}
