//! Talking to a running daemon: while it holds the store, one-shot commands ask it over
//! HTTP at `[server] listen` instead.

use std::time::Duration;

use anyhow::{bail, Context as _};

use crate::config::Config;
use crate::store::StoreError;

/// The config the running daemon applied, if a daemon answers at `[server] listen`.
pub fn running_config(config: &Config) -> Option<Config> {
    let url = daemon_url(config, "/admin/config");
    let text = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        rt.block_on(async {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(2))
                .build()
                .ok()?;
            let resp = client.get(&url).send().await.ok()?;
            resp.status().is_success().then_some(())?;
            resp.text().await.ok()
        })
    })
    .join()
    .ok()
    .flatten()?;
    Config::parse(&text, &config.file).ok()
}

/// Whether an error means the daemon holds the store.
pub fn is_locked(e: &StoreError) -> bool {
    matches!(e, StoreError::Locked(_))
}

/// The URL of `path` on the daemon at `[server] listen` (loopback for a wildcard address).
pub fn daemon_url(config: &Config, path: &str) -> String {
    let addr = config.server.listen;
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        addr.ip().to_string()
    };
    let host = if addr.is_ipv6() && !addr.ip().is_unspecified() {
        format!("[{host}]")
    } else {
        host
    };
    format!("http://{host}:{}{path}", addr.port())
}

/// GETs `path` from the running daemon; an error names the URL and the status.
pub async fn from_daemon(config: &Config, path: &str) -> anyhow::Result<reqwest::Response> {
    let url = daemon_url(config, path);
    let resp = reqwest::get(&url)
        .await
        .with_context(|| format!("the store is in use and the daemon does not answer at {url}"))?;
    answered(resp, &url).await
}

/// POSTs to `path` on the running daemon; an error names the URL, the status and the
/// daemon's reason.
pub async fn post_daemon(config: &Config, path: &str) -> anyhow::Result<reqwest::Response> {
    let url = daemon_url(config, path);
    let resp = reqwest::Client::new()
        .post(&url)
        .send()
        .await
        .with_context(|| format!("the store is in use and the daemon does not answer at {url}"))?;
    answered(resp, &url).await
}

/// `resp`, or an error with the daemon's reason (its body) when it did not answer 2xx.
async fn answered(resp: reqwest::Response, url: &str) -> anyhow::Result<reqwest::Response> {
    if resp.status().is_success() {
        return Ok(resp);
    }
    let status = resp.status();
    let reason = resp.text().await.unwrap_or_default();
    let reason = reason.trim();
    if reason.is_empty() {
        bail!("the daemon answered {status} for {url}");
    }
    bail!("{reason} (the daemon answered {status} for {url})")
}
