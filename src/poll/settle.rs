//! Settle: story membership made independent of the order entries arrived in.
//!
//! Ingest decides each new entry's story at once, against the entries stored before it, so
//! which copy of a story a concurrent poll stored first can change what joins what: polling
//! the same feeds twice into fresh stores could give other stories. Settling replays the
//! dedup window's entries in publication order ([`crate::dedup::DedupIndex::settle`]) and
//! moves each entry whose story differs, so the same entries always form the same stories.
//! `showfeed poll` settles after its polls; the daemon after polls that stored something
//! (see the scheduler). Stories older than the window keep their members.

use std::collections::{HashMap, HashSet};

use crate::config::DedupMode;
use crate::entry::EntryId;
use crate::store::StoreError;

use super::Context;

/// Settles the stories of the entries in the dedup window; returns how many entries moved
/// to another story. Holds the dedup lock throughout, so no poll commits meanwhile.
/// Blocking: reads every entry in the window.
pub fn settle(ctx: &Context) -> Result<usize, StoreError> {
    if ctx.config.dedup.mode == DedupMode::Off {
        return Ok(0);
    }
    let mut index = ctx.dedup.lock();
    if !index.needs_settling() {
        return Ok(0);
    }
    // What the index holds is all it takes (reading the window's entries would fill sled's
    // cache with them), but for the stories that reach outside the window.
    let mut pinned = HashSet::new();
    for story in index.story_ids() {
        if ctx
            .store
            .story_member_ids(&story)?
            .iter()
            .any(|m| !index.contains(*m))
        {
            pinned.insert(story);
        }
    }
    let items = index.settling(&pinned);
    let now: HashMap<EntryId, EntryId> = items.iter().map(|it| (it.id, it.story)).collect();
    let moves: Vec<(EntryId, EntryId, EntryId)> = index
        .settle(&items)
        .into_iter()
        .map(|(id, into)| (id, now[&id], into))
        .collect();
    match ctx.store.settle_stories(&moves) {
        Ok(moved) => Ok(moved.len()),
        Err(e) => {
            // The index already has the settled stories: back to what the store says.
            let window = index.window();
            *index =
                super::ingest::rebuild_index(&ctx.store, &ctx.config, window, crate::clock::now());
            Err(e)
        }
    }
}
