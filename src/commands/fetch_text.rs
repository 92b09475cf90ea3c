//! `showfeed fetch-text`: the whole articles of stored entries that lack one (entries stored
//! before their feed had `full_text`), with a progress bar and a summary. While the daemon
//! holds the store, it asks the daemon to do it ([`crate::poll::backfill`] either way).

use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context as _};
use tokio_util::sync::CancellationToken;

use super::client::{store_or_daemon, Holder};
use super::progress;
use crate::cli::FetchTextArgs;
use crate::clock::now;
use crate::config::Config;
use crate::poll::backfill::{self, BackfillStats};
use crate::poll::Context;
use crate::store::Store;

/// `fetch-text`: fails (non-zero) only when articles were tried and none could be had.
pub async fn fetch_text(config: Arc<Config>, args: FetchTextArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let since = now().saturating_sub(i64::try_from(args.since.as_secs()).unwrap_or(i64::MAX));
    let feeds = backfill::feeds_of(&config, &args.feeds)?;
    if feeds.is_empty() {
        bail!("no feed has `full_text`: name the feeds to fetch articles for with --feed ID");
    }
    let holder = store_or_daemon(&config)
        .await
        .context("cannot open the store")?;
    let stats = match holder {
        Holder::Here(store) => here(&config, Arc::from(store), &feeds, since).await?,
        Holder::Daemon(daemon) => {
            eprintln!("the daemon holds the store: asking it to fetch the articles");
            daemon
                .post(&format!("/admin/fetch-text?{}", query(&args)))
                .await?
                .json()
                .await
                .context(
                    "the daemon's answer to /admin/fetch-text is not what this showfeed reads",
                )?
        }
    };
    report(&stats, started.elapsed())
}

/// The `/admin/fetch-text` query of `args`.
fn query(args: &FetchTextArgs) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for f in &args.feeds {
        q.append_pair("feed", f);
    }
    q.append_pair("since", &format!("{}s", args.since.as_secs()));
    q.finish()
}

/// The backfill in this process, with a progress bar; the store flushed at the end.
async fn here(
    config: &Arc<Config>,
    store: Arc<Store>,
    feeds: &[crate::config::Feed],
    since: i64,
) -> anyhow::Result<BackfillStats> {
    let ctx = Arc::new(Context::build(store.clone(), config.clone()).await?);
    let entries = backfill::missing(&ctx, feeds, since).await?;
    let bar = progress::bar(entries.len() as u64, "articles");
    let (mut ok, mut failed) = (0, 0);
    let stats = backfill::backfill(&ctx, feeds, entries, &CancellationToken::new(), |_, got| {
        if got {
            ok += 1;
        } else {
            failed += 1;
        }
        bar.set_message(format!("· {ok} fetched · {failed} kept their summary"));
        bar.inc(1);
    })
    .await?;
    bar.finish_and_clear();
    store.flush().await?;
    Ok(stats)
}

/// Prints the summary; an error when every article tried failed.
fn report(stats: &BackfillStats, took: std::time::Duration) -> anyhow::Result<()> {
    let failed: usize = stats.failed.values().sum();
    let reasons: Vec<String> = stats
        .failed
        .iter()
        .map(|(why, n)| format!("{n} {why}"))
        .collect();
    eprintln!(
        "fetched {} articles for {} entries without text in {:.1}s; {failed} kept their summary{}; {} re-tagged",
        stats.fetched,
        stats.tried,
        took.as_secs_f64(),
        if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join(", "))
        },
        stats.retagged,
    );
    if stats.tried > 0 && stats.fetched == 0 {
        bail!("no article could be fetched");
    }
    Ok(())
}
