//! Re-tagging: when the show list (or the tagging rules) changes, every stored entry is
//! tagged again from its stored text. Nothing is downloaded again; ids, dates and stories
//! stay, and only entries whose tags changed are rewritten.
//!
//! One entry point, [`retag_store`], used by the daemon (as a task under the scheduler's
//! shutdown token, so it stops between chunks at shutdown and never writes after the final
//! flush) and by `showfeed poll` (in the foreground). The stored tagger fingerprint says
//! whether the stored tags are current.

use tracing::{info, warn};

use crate::errors::error_chain;
use crate::store::StoreError;

use super::ingest::tag;
use super::Context;

/// Re-tags every stored entry with `ctx`'s tagger and records that the tags are current;
/// returns how many entries changed. `stop` is asked between chunks: when it says yes the
/// pass ends early and the fingerprint is not recorded, so the next start re-tags again.
/// `each` is called once per entry looked at (a progress bar). Blocking.
pub fn retag_store(
    ctx: &Context,
    stop: &dyn Fn() -> bool,
    each: &dyn Fn(),
) -> Result<Option<usize>, StoreError> {
    let started = std::time::Instant::now();
    let tag_one = |e: &crate::entry::Entry| {
        each();
        tag(&ctx.tagger, e)
    };
    let Some(n) = ctx.store.retag(tag_one, stop)? else {
        info!("re-tagging stopped by shutdown; it runs again at the next start");
        return Ok(None);
    };
    ctx.store.set_tagged_with(ctx.tagger.fingerprint())?;
    info!(
        changed = n,
        secs = started.elapsed().as_secs_f64(),
        "re-tagged stored entries"
    );
    Ok(Some(n))
}

/// Whether the stored tags were made with another show list (or other tagging rules) than
/// `ctx`'s; an empty store is brought up to date on the spot.
pub fn tags_are_stale(ctx: &Context) -> bool {
    match ctx.store.tagged_with() {
        Ok(Some(f)) => f != ctx.tagger.fingerprint(),
        Ok(None) if ctx.store.entry_count() == 0 => {
            if let Err(e) = ctx.store.set_tagged_with(ctx.tagger.fingerprint()) {
                warn!("cannot record the tagger fingerprint: {}", error_chain(&e));
            }
            false
        }
        _ => true,
    }
}
