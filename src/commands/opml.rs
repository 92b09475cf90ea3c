//! `showfeed opml import | export`.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;

use super::client::{daemon_for, DaemonClient};
use crate::cli::OpmlCommand;
use crate::config::Config;
use crate::daemon::open_existing_store;
use crate::opml::{Imported, Skip};
use crate::store::StoreError;

/// `opml import` / `opml export`.
pub async fn opml(config: Arc<Config>, cmd: OpmlCommand) -> anyhow::Result<()> {
    match cmd {
        OpmlCommand::Import { file, dry_run } => import(&config, &file, dry_run),
        OpmlCommand::Export => {
            let text = match open_existing_store(&config) {
                Ok(store) => crate::opml::export(&config, &store.feed_states()?),
                // The daemon knows the feeds' own titles and sites: the same document.
                Err(e) => match (daemon_for(&config, &e).await, e) {
                    (Some(daemon), _) => export_from_daemon(&daemon).await?,
                    // Nothing polled yet: the list is the config's, without the feeds' own
                    // titles and sites.
                    (None, e @ StoreError::Missing(_)) => {
                        eprintln!(
                            "note: {e}; exporting the config's feeds without their own titles and sites"
                        );
                        crate::opml::export(&config, &Default::default())
                    }
                    (None, e) => return Err(e).context("cannot open the store"),
                },
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

/// `opml import FILE [--dry-run]`: the import, then one line per feed added or skipped.
fn import(config: &Config, file: &Path, dry_run: bool) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let from = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let cannot = || format!("cannot import {}", file.display());
    let text = crate::opml::decode(&bytes).with_context(cannot)?;
    let result = crate::opml::import(&config.file, &text, &from, dry_run).with_context(cannot)?;
    print!("{}", report(&config.file, &result, dry_run));
    Ok(())
}

/// What an import did (or, for a dry run, would do): `+ id  url  [tags]  title "..."` per
/// feed added, `= url  skipped: why` per feed skipped (`!` when it cannot be polled), notes,
/// and a count.
fn report(config_file: &Path, result: &Imported, dry_run: bool) -> String {
    let mut out = String::new();
    if dry_run {
        let _ = writeln!(out, "dry run: {} is not changed", config_file.display());
    }
    let width = result.added.iter().map(|f| f.id.len()).max().unwrap_or(0);
    for f in &result.added {
        let _ = write!(out, "+ {:width$}  {}", f.id, f.url);
        if !f.tags.is_empty() {
            let _ = write!(out, "  [{}]", f.tags.join(", "));
        }
        if let Some(title) = &f.title {
            let _ = write!(out, "  title {title:?}");
        }
        out.push('\n');
    }
    for (url, why) in &result.skipped {
        let mark = if matches!(why, Skip::BadUrl(_)) {
            '!'
        } else {
            '='
        };
        let _ = writeln!(out, "{mark} {url}  skipped: {why}");
    }
    for (name, why) in &result.untagged_folders {
        let _ = writeln!(out, "note: folder {name:?} gives no tag ({why})");
    }
    let added = match (result.added.len(), dry_run) {
        (1, false) => "1 feed added".to_owned(),
        (1, true) => "1 feed would be added".to_owned(),
        (n, false) => format!("{n} feeds added"),
        (n, true) => format!("{n} feeds would be added"),
    };
    let _ = writeln!(
        out,
        "{}: {added}, {} skipped",
        config_file.display(),
        result.skipped.len()
    );
    out
}
