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
}

impl WebSub {
    /// WebSub over the poll context `ctx`.
    pub fn new(ctx: Arc<Context>) -> Arc<WebSub> {
        Arc::new(WebSub {
            ctx: RwLock::new(ctx),
        })
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
    vec![
        tokio::spawn(subscriber::run(ws.clone(), shutdown.clone())),
        tokio::spawn(publisher::run(ws.clone(), shutdown.clone())),
    ]
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
