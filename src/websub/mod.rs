//! WebSub (W3C Recommendation): news pushed by a feed's hub in seconds instead of at the
//! next poll, and our own documents announced to hubs as they change.
//!
//! Where it sits: above [`crate::poll`] (a push goes through the same ingest as a poll)
//! and below the serve stage (which routes the callback here). Discovery of a feed's hub
//! is part of parsing ([`crate::parse::hubs`]), recorded by each successful poll; the
//! state lives in the store ([`crate::store::Subscription`]).
//!
//! - [`subscriber`]: the loop that subscribes feeds with a hub when `[websub] enabled`,
//!   renews leases before they end, backs off after a denial or failure, and unsubscribes
//!   feeds that left the config.
//! - [`callback`]: the hub's requests to `/websub/<feed>/<token>`: verification of intent
//!   (GET) and content distribution (signed POST, ingested like a poll).
//! - [`publisher`]: after an ingest changed documents, pings `[websub] hub` with their
//!   self URLs, coalesced, retried with backoff.
//! - [`signature`]: checks `X-Hub-Signature`.

pub mod callback;
pub mod publisher;
pub mod signature;
pub mod subscriber;

use std::sync::Arc;

use parking_lot::RwLock;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::poll::Context;
use crate::store::Store;

/// The WebSub side of the daemon: the poll context in force (its fetcher, tagger, dedup
/// index and config), swapped on reload.
pub struct WebSub {
    ctx: RwLock<Arc<Context>>,
    /// Feeds with `full_text` whose push brought new entries: their articles are fetched
    /// after the hub has had its answer ([`articles_loop`]).
    articles: tokio::sync::mpsc::UnboundedSender<String>,
    articles_rx: parking_lot::Mutex<Option<tokio::sync::mpsc::UnboundedReceiver<String>>>,
}

impl WebSub {
    /// WebSub over the poll context `ctx`.
    pub fn new(ctx: Arc<Context>) -> Arc<WebSub> {
        let (articles, rx) = tokio::sync::mpsc::unbounded_channel();
        Arc::new(WebSub {
            ctx: RwLock::new(ctx),
            articles,
            articles_rx: parking_lot::Mutex::new(Some(rx)),
        })
    }

    /// After a push stored new entries of `feed_id`: fetch their articles when the feed has
    /// `full_text` (a hub waits for our answer, an article fetch may take seconds).
    pub fn fetch_articles_later(&self, feed_id: &str) {
        let wants = self
            .config()
            .feed(feed_id)
            .is_some_and(|f| f.full_text.mode != crate::config::FullTextMode::Off);
        if wants {
            let _ = self.articles.send(feed_id.to_owned());
        }
    }

    /// The poll context in force.
    pub fn context(&self) -> Arc<Context> {
        self.ctx.read().clone()
    }

    /// A reload's new context; the subscriber looks at its feeds at once.
    pub fn set_context(&self, ctx: Arc<Context>) {
        ctx.store.wake_websub();
        *self.ctx.write() = ctx;
    }

    /// The config in force.
    pub fn config(&self) -> Arc<Config> {
        self.context().config.clone()
    }

    /// The store.
    pub fn store(&self) -> Arc<Store> {
        self.context().store.clone()
    }
}

/// Starts the subscriber and publisher loops under `shutdown`; they end with it.
pub fn start(ws: &Arc<WebSub>, shutdown: &CancellationToken) -> Vec<tokio::task::JoinHandle<()>> {
    let config = ws.config();
    if config.websub.enabled {
        let host = config.server.public_url.host_str().unwrap_or("");
        if matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "::1") {
            tracing::warn!(public_url = %config.server.public_url, "[websub] enabled with a loopback public_url: only a hub on this machine can reach the callback");
        }
    }
    let mut tasks = vec![
        tokio::spawn(subscriber::run(ws.clone(), shutdown.clone())),
        tokio::spawn(publisher::run(ws.clone(), shutdown.clone())),
    ];
    if let Some(rx) = ws.articles_rx.lock().take() {
        tasks.push(tokio::spawn(articles_loop(
            ws.clone(),
            rx,
            shutdown.clone(),
        )));
    }
    tasks
}

/// How far back the articles of a pushed feed are looked for: the push's entries, and
/// any of the last days that a failed fetch left without one.
const PUSHED_ARTICLES_SINCE: i64 = 2 * 86_400;

/// Fetches the articles of the entries pushed to `full_text` feeds, one feed at a time, as
/// `fetch-text` would ([`crate::poll::backfill`]); stops with the daemon.
async fn articles_loop(
    ws: Arc<WebSub>,
    mut feeds: tokio::sync::mpsc::UnboundedReceiver<String>,
    shutdown: CancellationToken,
) {
    loop {
        let feed_id = tokio::select! {
            f = feeds.recv() => f,
            () = shutdown.cancelled() => return,
        };
        let Some(feed_id) = feed_id else { return };
        let ctx = ws.context();
        let Some(feed) = ctx.config.feed(&feed_id).cloned() else {
            continue;
        };
        let since = crate::clock::now().saturating_sub(PUSHED_ARTICLES_SINCE);
        let done = crate::poll::backfill::run(
            &ctx,
            std::slice::from_ref(&feed),
            since,
            &shutdown,
            |_, _| {},
        )
        .await;
        match done {
            Ok(stats) if stats.tried > 0 => {
                tracing::info!(feed = %feed_id, fetched = stats.fetched, tried = stats.tried, "websub: articles of pushed entries");
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(feed = %feed_id, "websub: articles of pushed entries: {}", crate::errors::error_chain(&e))
            }
        }
    }
}

/// 32 random bytes as hex: callback tokens and `hub.secret`s.
pub fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    if getrandom::fill(&mut bytes).is_err() {
        // The OS refused randomness (never seen on Linux): fall back to fastrand seeded
        // from the clock and address space rather than fail the subscription.
        bytes.iter_mut().for_each(|b| *b = fastrand::u8(..));
    }
    signature::hex(&bytes)
}

/// Our callback for `feed_id` with `token`.
pub fn callback_url(config: &Config, feed_id: &str, token: &str) -> String {
    format!(
        "{}/websub/{feed_id}/{token}",
        config.server.public_url.as_str().trim_end_matches('/')
    )
}
