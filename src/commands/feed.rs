//! `showfeed feed`: one document on stdout, exactly as the HTTP server would serve it.

use std::sync::Arc;

use anyhow::{bail, Context as _};

use super::client::{from_daemon, is_locked};
use crate::cli::FeedArgs;
use crate::clock::now;
use crate::config::Config;
use crate::daemon::open_store;
use crate::output::{self, resolve_query, DocKind, Format};
use crate::query::MAX_LIMIT;

/// `feed`: a document on stdout, from the store or, if the daemon holds it, the daemon.
pub async fn feed(config: Arc<Config>, args: FeedArgs) -> anyhow::Result<()> {
    use std::io::Write;
    let format = Format::from(args.format);
    let kind = match &args.view {
        Some(name) => DocKind::View(name.clone()),
        None => DocKind::Merged,
    };
    let filters = args.query_string();
    let mut request =
        resolve_query(&config, &kind, Some(&filters), now()).map_err(|e| anyhow::anyhow!("{e}"))?;
    request.query.limit = args.limit;
    let body = match open_store(&config) {
        Ok(store) => output::render(&config, &store, &kind, format, &request)?.body,
        Err(e) if is_locked(&e) => {
            if args.limit > MAX_LIMIT {
                bail!(
                    "the daemon holds the store and serves at most {} entries; stop it to print more",
                    MAX_LIMIT
                );
            }
            let path = match &args.view {
                Some(name) => format!("/views/{name}.{}", format.ext()),
                None => format!("/feed.{}", format.ext()),
            };
            let sep = if filters.is_empty() { "" } else { "&" };
            from_daemon(
                &config,
                &format!("{path}?{filters}{sep}limit={}", args.limit),
            )
            .await?
            .bytes()
            .await?
            .to_vec()
        }
        Err(e) => return Err(e).context("cannot open the store"),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(&body)?;
    out.flush()?;
    Ok(())
}
