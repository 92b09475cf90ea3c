//! `showfeed suggest`: likely shows in recent untagged entries.

use std::sync::Arc;

use anyhow::Context as _;

use super::client::{from_daemon, is_locked};
use crate::config::Config;
use crate::daemon::open_store;
use crate::output::suggest::{suggestions, SuggestionOut};

/// `suggest`: likely shows in recent untagged entries.
pub async fn suggest(config: Arc<Config>, days: u32, max: usize) -> anyhow::Result<()> {
    let list = match open_store(&config) {
        Ok(store) => suggestions(&config, &store, days, max)?,
        Err(e) if is_locked(&e) => {
            let mut list: Vec<SuggestionOut> =
                from_daemon(&config, &format!("/admin/suggest?days={days}"))
                    .await?
                    .json()
                    .await?;
            list.truncate(max);
            list
        }
        Err(e) => return Err(e).context("cannot open the store"),
    };
    if list.is_empty() {
        println!("no likely shows found in the untagged entries of the last {days} days");
    }
    for s in list {
        println!("{:>4}  {}", s.count, s.name);
        for ex in s.examples {
            println!("        e.g. {ex}");
        }
    }
    println!(
        "\nadd the ones you follow to {} as [[show]] name = \"...\"",
        config.file.display()
    );
    Ok(())
}
