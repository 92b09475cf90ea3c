//! `showfeed feed`: one document on stdout, exactly as the HTTP server would serve it.

use std::io::Write;
use std::sync::Arc;

use anyhow::{bail, Context as _};

use super::client::{daemon_for, DaemonClient};
use crate::cli::FeedArgs;
use crate::clock::now;
use crate::config::Config;
use crate::daemon::open_existing_store;
use crate::output::{self, resolve_query, DocKind, Format};
use crate::query::MAX_LIMIT;

/// `feed`: a document on stdout, from the store or, if the daemon holds it, the daemon.
pub async fn feed(config: Arc<Config>, args: FeedArgs) -> anyhow::Result<()> {
    let format = Format::from(args.format);
    let kind = match &args.view {
        Some(name) => DocKind::View(name.clone()),
        None => DocKind::Merged,
    };
    let mut request = resolve_query(&config, &kind, Some(&args.query_string()), now())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    request.query.limit = args.limit;
    let body = match open_existing_store(&config) {
        Ok(store) => output::render(&config, &store, &kind, format, &request)?.body,
        Err(e) => match daemon_for(&config, &e).await {
            Some(daemon) => from_daemon(&daemon, &args).await?,
            None => return Err(e).context("cannot open the store"),
        },
    };
    print_document(&body)
}

/// The document from the running daemon.
pub async fn from_daemon(daemon: &DaemonClient, args: &FeedArgs) -> anyhow::Result<Vec<u8>> {
    if args.limit > MAX_LIMIT {
        bail!("the daemon holds the store and serves at most {MAX_LIMIT} entries; stop it to print more");
    }
    let format = Format::from(args.format);
    let path = match &args.view {
        Some(name) => format!("/views/{name}.{}", format.ext()),
        None => format!("/feed.{}", format.ext()),
    };
    let filters = args.query_string();
    let sep = if filters.is_empty() { "" } else { "&" };
    let url = format!("{path}?{filters}{sep}limit={}", args.limit);
    Ok(daemon.get(&url).await?.bytes().await?.to_vec())
}

/// Writes a document to stdout, ending with a newline like every line a shell prints.
pub fn print_document(body: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(body)?;
    if !body.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
