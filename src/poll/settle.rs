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
use std::hash::{Hash, Hasher};

use crate::config::DedupMode;
use crate::dedup::{url_key, Settling};
use crate::entry::EntryId;
use crate::store::{Store, StoreError};

use super::Context;

/// Settles the stories of the entries in the dedup window; returns how many entries moved
/// to another story. Holds the dedup lock throughout, so no poll commits meanwhile.
/// Blocking: reads every entry in the window.
pub fn settle(ctx: &Context) -> Result<usize, StoreError> {
    if ctx.config.dedup.mode == DedupMode::Off {
        return Ok(0);
    }
    let mut index = ctx.dedup.lock();
    let items = settling(&ctx.store, &index.ids())?;
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

/// What settling needs of each stored entry of `ids`: its story now, its URL key's hash,
/// its feed, and whether its story has members outside `ids` (then it stays as it is).
fn settling(store: &Store, ids: &[EntryId]) -> Result<Vec<Settling>, StoreError> {
    let set: HashSet<EntryId> = ids.iter().copied().collect();
    let mut feeds: HashMap<String, u32> = HashMap::new();
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(e) = store.entry(id)? else {
            continue;
        };
        let next = feeds.len() as u32;
        let feed = *feeds.entry(e.feed_id).or_insert(next);
        let url = e.link.as_deref().and_then(url_key).map(|k| {
            let mut h = rustc_hash::FxHasher::default();
            k.hash(&mut h);
            h.finish()
        });
        items.push(Settling {
            id: *id,
            story: e.story,
            url,
            feed,
            pinned: false,
        });
    }
    let mut pinned: HashMap<EntryId, bool> = HashMap::new();
    for it in &mut items {
        if let Some(&p) = pinned.get(&it.story) {
            it.pinned = p;
            continue;
        }
        let members = store.story_members(&it.story)?;
        let p = members.iter().any(|m| !set.contains(m));
        pinned.insert(it.story, p);
        it.pinned = p;
    }
    Ok(items)
}
