//! `showfeed opml import | export`.

use std::sync::Arc;

use anyhow::Context as _;

use super::client::{is_locked, DaemonClient};
use crate::cli::OpmlCommand;
use crate::config::Config;
use crate::daemon::open_existing_store;
use crate::output::doc::sources;

/// `opml import` / `opml export`.
pub async fn opml(config: Arc<Config>, cmd: OpmlCommand) -> anyhow::Result<()> {
    match cmd {
        OpmlCommand::Import { file } => import(&config, &file),
        OpmlCommand::Export => {
            let text = match open_existing_store(&config) {
                Ok(store) => crate::opml::export(&config, &sources(&config, &store.feed_states()?)),
                // The daemon knows the feeds' own titles and sites: the same document.
                Err(e) if is_locked(&e) => export_from_daemon(&DaemonClient::of(&config)).await?,
                Err(e) => return Err(e).context("cannot open the store"),
            };
            print!("{text}");
            Ok(())
        }
    }
}

/// The running daemon's `/opml`.
pub async fn export_from_daemon(daemon: &DaemonClient) -> anyhow::Result<String> {
    Ok(daemon.get("/opml").await?.text().await?)
}

fn import(config: &Config, file: &std::path::Path) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let result = crate::opml::import(&config.file, config, &text)?;
    for (url, why) in &result.rejected {
        eprintln!("skipped {url}: {why}");
    }
    println!(
        "{}: {} feeds added ({}), {} already present, {} rejected",
        config.file.display(),
        result.added.len(),
        result.added.join(", "),
        result.skipped.len(),
        result.rejected.len()
    );
    Ok(())
}
