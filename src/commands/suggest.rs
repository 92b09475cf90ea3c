//! `showfeed suggest`: likely shows in recent untagged entries.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;

use super::client::{daemon_for, DaemonClient};
use crate::config::Config;
use crate::daemon::open_existing_store;
use crate::output::suggest::{suggestions, SuggestionOut};

/// `suggest`: likely shows in recent untagged entries.
pub async fn suggest(config: Arc<Config>, days: u32, max: usize) -> anyhow::Result<()> {
    let list = match open_existing_store(&config) {
        Ok(store) => suggestions(&config, &store, days, max)?,
        Err(e) => match daemon_for(&config, &e).await {
            Some(daemon) => from_daemon(&daemon, days, max).await?,
            None => return Err(e).context("cannot open the store"),
        },
    };
    print(&list, days, &config.file);
    Ok(())
}

/// The suggestions of the running daemon.
pub async fn from_daemon(
    daemon: &DaemonClient,
    days: u32,
    max: usize,
) -> anyhow::Result<Vec<SuggestionOut>> {
    let mut list: Vec<SuggestionOut> = daemon
        .get(&format!("/admin/suggest?days={days}"))
        .await?
        .json()
        .await?;
    list.truncate(max);
    Ok(list)
}

/// Prints the suggestions and where to add them.
pub fn print(list: &[SuggestionOut], days: u32, file: &Path) {
    if list.is_empty() {
        println!("no likely shows found in the untagged entries of the last {days} days");
    }
    for s in list {
        println!("{:>4}  {}", s.count, s.name);
        for ex in &s.examples {
            println!("        e.g. {ex}");
        }
    }
    println!(
        "\nadd the ones you follow to {} as [[show]] name = \"...\"",
        file.display()
    );
}
