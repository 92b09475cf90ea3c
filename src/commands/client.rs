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
        self.send(reqwest::Method::GET, path).await
    }

    /// POSTs to `path`; errors as [`DaemonClient::get`].
    pub async fn post(&self, path: &str) -> anyhow::Result<reqwest::Response> {
        self.send(reqwest::Method::POST, path).await
    }

    async fn send(&self, method: reqwest::Method, path: &str) -> anyhow::Result<reqwest::Response> {
        let url = self.url(path);
        let resp = self.request(method, path).send().await.with_context(|| {
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

/// Where a command that writes (`poll`, `fetch-text`) does its work.
pub enum Holder {
    /// The store where the config points, opened here.
    Here(Box<crate::store::Store>),
    /// The running daemon, which holds that store or runs this config with its own.
    Daemon(DaemonClient),
}

/// The store where the config points (created if need be), or the daemon to ask instead:
/// the one that holds it, or, when there is no store there yet, a daemon that runs this
/// config with its store elsewhere, so that a second store is not started beside its.
pub async fn store_or_daemon(config: &Config) -> Result<Holder, StoreError> {
    if !config.storage.path.exists() {
        if let Some(daemon) = daemon_with_own_store(config, &config.storage.path).await {
            return Ok(Holder::Daemon(daemon));
        }
    }
    match crate::daemon::open_store(config) {
        Ok(store) => Ok(Holder::Here(Box::new(store))),
        Err(StoreError::Locked(_)) => Ok(Holder::Daemon(DaemonClient::of(config))),
        Err(e) => Err(e),
    }
}

/// The daemon a command that only reads asks instead of opening the store after `e`: the
/// one that holds it (`Locked`), or, when there is no store where this config points
/// (`Missing`), a daemon at `[server] listen` that runs this very config file with its store
/// elsewhere (`showfeed --data DIR run`). `None`: report `e`.
pub async fn daemon_for(config: &Config, e: &StoreError) -> Option<DaemonClient> {
    match e {
        StoreError::Locked(_) => Some(DaemonClient::of(config)),
        StoreError::Missing(path) => daemon_with_own_store(config, path).await,
        _ => None,
    }
}

/// The daemon at `[server] listen`, if it runs this very config file: with no store at
/// `missing`, it keeps its own elsewhere.
async fn daemon_with_own_store(config: &Config, missing: &Path) -> Option<DaemonClient> {
    let client = DaemonClient::of(config);
    let theirs = client.config_file().await?;
    if !same_file(&theirs, &config.file) {
        return None;
    }
    eprintln!(
        "note: no store at {}; asking the daemon at {}, which runs this config with its own store",
        missing.display(),
        config.server.listen
    );
    Some(client)
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
