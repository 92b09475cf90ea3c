//! `showfeed poll`: poll every feed once (or the ones asked for), regardless of due times,
//! then exit. While the daemon holds the store, it asks the daemon to poll now and prints
//! the same lines.

use std::sync::Arc;

use anyhow::{bail, Context as _};

use super::client::{store_or_daemon, Holder};
use super::progress;
use crate::cli::PollArgs;
use crate::config::{Config, Feed};
use crate::poll::{retag, Context, PollSummary};
use crate::scheduler;
use crate::store::Store;

/// `poll`: fails (non-zero) only when every feed polled failed, so cron can tell.
pub async fn poll(config: Arc<Config>, args: PollArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let holder = store_or_daemon(&config)
        .await
        .context("cannot open the store")?;
    let summaries = match holder {
        Holder::Here(store) => poll_here(&config, Arc::from(store), &args).await?,
        Holder::Daemon(daemon) => {
            eprintln!("the daemon holds the store: asking it to poll now");
            daemon
                .post(&format!("/admin/poll?{}", query(&args)))
                .await?
                .json()
                .await
                .context("the daemon's answer to /admin/poll is not what this showfeed reads")?
        }
    };
    report(&summaries, started.elapsed())
}

/// The `/admin/poll` query of `args`.
fn query(args: &PollArgs) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for f in &args.feeds {
        q.append_pair("feed", f);
    }
    if args.failing {
        q.append_pair("failing", "true");
    }
    q.finish()
}

/// Polls in this process: stale tags brought up to date first, then the chosen feeds.
async fn poll_here(
    config: &Arc<Config>,
    store: Arc<Store>,
    args: &PollArgs,
) -> anyhow::Result<Vec<PollSummary>> {
    let ctx = Arc::new(Context::build(store.clone(), config.clone()).await?);
    if retag::tags_are_stale(&ctx) {
        let c = ctx.clone();
        let bar = progress::bar(store.entry_count() as u64, "entries re-tagged");
        let b = bar.clone();
        let n =
            tokio::task::spawn_blocking(move || retag::retag_store(&c, &|| false, &|| b.inc(1)))
                .await??;
        bar.finish_and_clear();
        eprintln!(
            "re-tagged {} stored entries for the current show list",
            n.unwrap_or(0)
        );
    }
    if crate::poll::rules::rules_are_stale(&ctx) {
        let c = ctx.clone();
        let stats = tokio::task::spawn_blocking(move || crate::poll::rules::reapply(&c, &|| false))
            .await??
            .unwrap_or_default();
        eprintln!(
            "ingest rules applied to the stored entries: {} hidden, {} shown again",
            stats.hidden, stats.shown
        );
    }
    let states = store.feed_states()?;
    let feeds: Vec<Feed> = scheduler::feeds_to_poll(config, &states, &args.feeds, args.failing)?
        .into_iter()
        .cloned()
        .collect();
    let bar = progress::bar(feeds.len() as u64, "feeds");
    let (mut new, mut failed) = (0, 0);
    let reports = scheduler::poll_all_with(ctx.clone(), &feeds, |_, report| {
        let s = PollSummary::of("", report);
        new += s.new;
        failed += usize::from(!s.ok());
        bar.set_message(format!("· {new} new entries · {failed} failed"));
        bar.inc(1);
    })
    .await;
    bar.finish_and_clear();
    if new > 0 {
        // The stories as the entries' publication order makes them, not the polls' order.
        let c = ctx.clone();
        let moved = crate::store::blocking("settle the stories", move || {
            crate::poll::settle::settle(&c)
        })
        .await?;
        if moved > 0 {
            tracing::info!(moved, "stories settled in publication order");
        }
    }
    let st = store.clone();
    crate::store::blocking("save the feed states", move || st.save_pending_states()).await?;
    store.flush().await?;
    Ok(reports
        .iter()
        .map(|(id, r)| PollSummary::of(id, r.as_ref()))
        .collect())
}

/// Prints failures and the summary line; an error when every feed failed.
fn report(summaries: &[PollSummary], took: std::time::Duration) -> anyhow::Result<()> {
    let (mut new, mut updated, mut expired, mut ok) = (0, 0, 0, 0);
    for s in summaries {
        if s.ok() {
            ok += 1;
        } else {
            eprintln!("{}: {}", s.feed, s.error.as_deref().unwrap_or(&s.outcome));
        }
        new += s.new;
        updated += s.updated;
        expired += s.expired;
    }
    let failed = summaries.len() - ok;
    let old = if expired > 0 {
        format!("; {expired} items too old to keep (retention_days, max_entries)")
    } else {
        String::new()
    };
    eprintln!(
        "polled {} feeds in {:.1}s: {ok} ok, {failed} failed; {new} new entries, {updated} updated{old}",
        summaries.len(),
        took.as_secs_f64()
    );
    if failed > 0 && ok == 0 {
        bail!("every feed failed");
    }
    Ok(())
}
