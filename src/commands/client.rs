//! Talking to a running daemon: while it holds the store (or when the config file on disk
//! is invalid), one-shot commands ask it over HTTP instead, and print the same thing.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context as _};

use crate::config::Config;
use crate::store::StoreError;

/// Where the daemon answers, and how to call it.
#[derive(Debug, Clone)]
pub struct DaemonClient {
    base: String,
    http: reqwest::Client,
    /// The admin token, sent with every request (the admin endpoints need it when set).
    token: Option<String>,
}

impl DaemonClient {
    /// The daemon at `[server] listen` of `config`.
    pub fn of(config: &Config) -> DaemonClient {
        DaemonClient::at(config.server.listen, config.server.admin_token.clone())
    }

    /// The daemon listening at `addr` (loopback for a wildcard address).
    pub fn at(addr: SocketAddr, token: Option<String>) -> DaemonClient {
        let host = match addr.ip() {
            ip if ip.is_unspecified() => "127.0.0.1".to_owned(),
            ip if ip.is_ipv6() => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        DaemonClient {
            base: format!("http://{host}:{}", addr.port()),
            http: reqwest::Client::new(),
            token,
        }
    }

    /// The URL of `path` on the daemon.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request with the token, if there is one.
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let r = self.http.request(method, self.url(path));
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    /// GETs `path`; an error names the URL, the status and the daemon's reason.
    pub async fn get(&self, path: &str) -> anyhow::Result<reqwest::Response> {
        let url = self.url(path);
        let resp = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .with_context(|| {
                format!("the store is in use and the daemon does not answer at {url}")
            })?;
        answered(resp, &url).await
    }

    /// POSTs to `path`; errors as [`DaemonClient::get`].
    pub async fn post(&self, path: &str) -> anyhow::Result<reqwest::Response> {
        let url = self.url(path);
        let resp = self
            .request(reqwest::Method::POST, path)
            .send()
            .await
            .with_context(|| {
                format!("the store is in use and the daemon does not answer at {url}")
            })?;
        answered(resp, &url).await
    }

    /// The config file the daemon runs, if one answers here within two seconds.
    pub async fn config_file(&self) -> Option<String> {
        let resp = self
            .request(reqwest::Method::GET, "/status")
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .ok()?;
        let status: serde_json::Value = resp.json().await.ok()?;
        status["config_file"].as_str().map(str::to_owned)
    }
}

/// Whether the daemon runs the config file `ours` (both canonicalized).
pub fn same_file(theirs: &str, ours: &Path) -> bool {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    canon(Path::new(theirs)) == canon(ours)
}

/// What `check` compares a valid file against: the config the daemon at `[server] listen`
/// applied, when that daemon runs this very file. Otherwise `Err` with why not (no daemon,
/// or one running another file), for the admin to read.
pub fn running_config(config: &Config) -> Result<Option<Config>, String> {
    let client = DaemonClient::of(config);
    let file = config.file.clone();
    let got = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        rt.block_on(async {
            let theirs = client.config_file().await?;
            if !same_file(&theirs, &file) {
                return Some(Err(theirs));
            }
            let text = client.get("/admin/config").await.ok()?.text().await.ok()?;
            Some(Ok(text))
        })
    })
    .join()
    .ok()
    .flatten();
    match got {
        None => Ok(None),
        Some(Err(theirs)) => Err(format!(
            "the daemon at {} runs {theirs}, not this file: not comparing",
            config.server.listen
        )),
        Some(Ok(text)) => Ok(Config::parse(&text, &config.file).ok()),
    }
}

/// Whether an error means the daemon holds the store.
pub fn is_locked(e: &StoreError) -> bool {
    matches!(e, StoreError::Locked(_))
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
