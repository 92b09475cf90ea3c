//! `showfeed poll`: every feed once, regardless of due times, then exit.

use std::sync::Arc;

use anyhow::Context as _;

use crate::config::Config;
use crate::daemon::open_store;
use crate::poll::{retag, Context, Outcome};
use crate::scheduler;

/// `poll`: every feed once, regardless of due times.
pub async fn poll(config: Arc<Config>) -> anyhow::Result<()> {
    let store = Arc::new(open_store(&config).context("cannot open the store")?);
    let ctx = Arc::new(Context::build(store.clone(), config.clone()).await?);
    // One-shot: bring old tags up to date first, in the foreground.
    if retag::tags_are_stale(&ctx) {
        let c = ctx.clone();
        let n = tokio::task::spawn_blocking(move || retag::retag_store(&c, &|| false)).await??;
        eprintln!(
            "re-tagged {} stored entries for the current show list",
            n.unwrap_or(0)
        );
    }
    let started = std::time::Instant::now();
    let reports = scheduler::poll_all(ctx, &config.feeds).await;
    let (mut ok, mut failed, mut new, mut updated) = (0, 0, 0, 0);
    for (feed_id, report) in &reports {
        match report.as_ref().map(|r| &r.outcome) {
            Some(Outcome::Stored(s)) => {
                ok += 1;
                new += s.new;
                updated += s.updated;
            }
            Some(Outcome::NotModified) => ok += 1,
            Some(Outcome::Failed(msg)) => {
                failed += 1;
                eprintln!("{feed_id}: {msg}");
            }
            Some(Outcome::Gone) => {
                failed += 1;
                eprintln!("{feed_id}: gone (HTTP 410); polling is disabled for it");
            }
            Some(Outcome::Cancelled) | None => {
                failed += 1;
                eprintln!("{feed_id}: not stored (see the log)");
            }
        }
    }
    store.save_pending_states()?;
    store.flush().await?;
    eprintln!(
        "polled {} feeds in {:.1}s: {ok} ok, {failed} failed; {new} new entries, {updated} updated",
        reports.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
