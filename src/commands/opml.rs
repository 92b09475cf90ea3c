//! `showfeed opml import | export`.

use std::sync::Arc;

use anyhow::Context as _;

use crate::cli::OpmlCommand;
use crate::config::Config;
use crate::daemon::open_store;
use crate::output::doc::sources;

/// `opml import` / `opml export`.
pub async fn opml(config: Arc<Config>, cmd: OpmlCommand) -> anyhow::Result<()> {
    match cmd {
        OpmlCommand::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let result = crate::opml::import(&config.file, &config, &text)?;
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
        }
        OpmlCommand::Export => {
            let states = match open_store(&config) {
                Ok(store) => store.feed_states()?,
                Err(_) => Default::default(),
            };
            print!(
                "{}",
                crate::opml::export(&config, &sources(&config, &states))
            );
        }
    }
    Ok(())
}
