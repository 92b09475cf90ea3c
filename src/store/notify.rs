//! Notifications of new stories (see the notify stage): `notify_queue`, target key + story
//! id -> versioned [`Notice`] still to send; `notify_sent`, target key + story id -> how it
//! ended (1 sent, 2 given up). A story is queued for a target at most once, ever, so a
//! restart, a later copy or a re-tag never announces it again.

use serde::{Deserialize, Serialize};

use super::{codec, Store, StoreError};
use crate::entry::EntryId;

/// A target's key: 16 bytes naming the view and the target's URL.
pub type TargetKey = [u8; 16];

/// One notification waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The entry's title (neutral when a spoiler embargo holds it).
    pub title: String,
    /// The entry's link.
    pub link: Option<String>,
    /// Show slugs and kinds.
    pub tags: Vec<String>,
    /// Plain text of the message.
    pub body: String,
    /// The entry as a JSON Feed item (webhooks).
    pub item: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// Not before this time (Unix seconds): the backoff after a failure.
    pub next_at: i64,
}

/// How a notice ended in `notify_sent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Delivered.
    Sent,
    /// Given up after every retry failed.
    Failed,
}

#[derive(Serialize, Deserialize)]
enum StoredNotice {
    V1(Notice),
}

fn key(target: &TargetKey, story: &EntryId) -> [u8; 32] {
    let mut k = [0u8; 32];
    k[..16].copy_from_slice(target);
    k[16..].copy_from_slice(&story.0);
    k
}

impl Store {
    /// Queues `notice` for `target` unless this story was ever queued for it; whether it
    /// was queued now.
    pub fn queue_notice(
        &self,
        target: &TargetKey,
        story: &EntryId,
        notice: &Notice,
    ) -> Result<bool, StoreError> {
        let k = key(target, story);
        self.write(|| {
            if self.notify_sent.contains_key(k)? || self.notify_queue.contains_key(k)? {
                return Ok(false);
            }
            let v = codec::encode(&StoredNotice::V1(notice.clone()))?;
            self.notify_queue.insert(k, v)?;
            self.wrote();
            Ok(true)
        })
    }

    /// Every queued notice: its target, its story, the notice.
    pub fn queued_notices(&self) -> Result<Vec<(TargetKey, EntryId, Notice)>, StoreError> {
        let mut out = Vec::new();
        for kv in self.notify_queue.iter() {
            let (k, v) = kv?;
            let (Ok(target), Ok(story)) = (k[..16].try_into(), k[16..].try_into()) else {
                continue;
            };
            let StoredNotice::V1(n) = codec::decode("notice", &v)?;
            out.push((target, EntryId(story), n));
        }
        Ok(out)
    }

    /// Puts back a notice that will be tried again.
    pub fn requeue_notice(
        &self,
        target: &TargetKey,
        story: &EntryId,
        notice: &Notice,
    ) -> Result<(), StoreError> {
        let v = codec::encode(&StoredNotice::V1(notice.clone()))?;
        self.write(|| {
            self.notify_queue.insert(key(target, story), v)?;
            self.wrote();
            Ok(())
        })
    }

    /// Records how a notice ended and takes it off the queue, durably at once: a restart
    /// must not send it again.
    pub fn end_notice(
        &self,
        target: &TargetKey,
        story: &EntryId,
        ended: Ended,
    ) -> Result<(), StoreError> {
        let k = key(target, story);
        self.write(|| {
            let code: u8 = match ended {
                Ended::Sent => 1,
                Ended::Failed => 2,
            };
            self.notify_sent.insert(k, &[code])?;
            self.notify_queue.remove(k)?;
            self.notify_sent.flush()?;
            self.notify_queue.flush()?;
            Ok(())
        })
    }

    /// Drops a queued notice whose target is no longer configured.
    pub fn drop_notice(&self, target: &TargetKey, story: &EntryId) -> Result<(), StoreError> {
        self.write(|| {
            self.notify_queue.remove(key(target, story))?;
            Ok(())
        })
    }
}
