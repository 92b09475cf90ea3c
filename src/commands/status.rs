//! `showfeed status`: one line per feed.

use std::sync::Arc;

use anyhow::Context as _;

use super::client::{daemon_for, DaemonClient};
use crate::config::Config;
use crate::daemon::open_existing_store;
use crate::output::status::{status_rows, Status, StatusFeed};

/// `status`: one line per feed.
pub async fn status(config: Arc<Config>) -> anyhow::Result<()> {
    let rows: Vec<StatusFeed> = match open_existing_store(&config) {
        Ok(store) => status_rows(&config, &store)?,
        Err(e) => match daemon_for(&config, &e).await {
            Some(daemon) => from_daemon(&daemon).await?,
            None => return Err(e).context("cannot open the store"),
        },
    };
    print(rows);
    Ok(())
}

/// The rows of the running daemon, saying first what it reports about its config and store.
pub async fn from_daemon(daemon: &DaemonClient) -> anyhow::Result<Vec<StatusFeed>> {
    let status: Status = daemon.get("/status").await?.json().await?;
    if let Some(err) = &status.config_error {
        eprintln!("the daemon refused the last reload and runs the previous config:\n{err}");
    }
    if let (false, Some(err)) = (status.store.writable, &status.store.error) {
        eprintln!(
            "the daemon cannot write its store at {} since {}: {err}; it serves what it holds and polls nothing",
            status.store.path,
            status.store.since.as_deref().unwrap_or("?")
        );
    }
    Ok(status.feeds)
}

/// The table.
pub fn print(rows: Vec<StatusFeed>) {
    println!(
        "{:<24} {:<20} {:>5} {:>7} {:<20} {:<10} PROBLEM",
        "FEED", "LAST SUCCESS", "FAILS", "ENTRIES", "NEXT POLL", "INTERVAL"
    );
    for r in rows {
        let error = match (&r.disabled, &r.problem, &r.moved_to) {
            (Some(d), _, _) => format!("DISABLED: {d}"),
            (None, Some(p), _) => p.clone(),
            (None, None, Some(to)) => format!("MOVED permanently to {to}: update its url"),
            _ => "-".to_owned(),
        };
        println!(
            "{:<24} {:<20} {:>5} {:>7} {:<20} {:<10} {}",
            r.id,
            r.last_success.as_deref().unwrap_or("never"),
            r.consecutive_failures,
            r.entries,
            r.next_poll.as_deref().unwrap_or("now"),
            r.interval.as_deref().unwrap_or("-"),
            error
        );
        // Why the interval is what it is, when it is not simply the configured one.
        if let Some(why) = r
            .interval_reason
            .as_deref()
            .filter(|w| !w.starts_with("fixed: ") || w.contains("stretched"))
        {
            println!("{:<24} interval {why}", "");
        }
    }
}
