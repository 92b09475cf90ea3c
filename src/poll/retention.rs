//! A longer retention window reads every feed whole again.
//!
//! A poll skips the items older than `[storage] retention_days` (they would be pruned at
//! once), and the feed's validators then make every later poll of the unchanged file a
//! `304`. So an admin who raises `retention_days` to keep an archive feed's older items
//! would never see them. When the window grew since the feeds were last read, every feed
//! forgets its validators and is due at once; its next poll reads it whole and stores what
//! the wider window now keeps. A shorter window needs nothing: retention prunes.

use tracing::{info, warn};

use crate::errors::error_chain;
use crate::store::{Store, StoreError};

/// Records the window the feeds are read under and, when it grew, has every feed read
/// whole at its next poll; returns how many feeds that was. Blocking (a store scan); a
/// store error is logged, and polls go on with their validators.
pub fn reread_if_widened(store: &Store, retention_secs: u64) -> usize {
    match widen(store, retention_secs) {
        Ok(n) => n,
        Err(e) => {
            warn!(
                "cannot check whether retention_days grew: {}",
                error_chain(&e)
            );
            0
        }
    }
}

fn widen(store: &Store, retention_secs: u64) -> Result<usize, StoreError> {
    let before = store.read_with()?;
    if before == Some(retention_secs) {
        return Ok(0);
    }
    // A store that never recorded one (new, or from an older version) has read its feeds
    // under a window it cannot tell: nothing to redo.
    let reread = match before {
        Some(old) if old < retention_secs => store.reread_every_feed()?,
        _ => 0,
    };
    if reread > 0 {
        info!(
            feeds = reread,
            days_before = before.unwrap_or(0) / 86_400,
            days = retention_secs / 86_400,
            "retention_days grew: every feed is read whole at its next poll, for the items the wider window keeps"
        );
    }
    store.set_read_with(retention_secs)?;
    Ok(reread)
}
