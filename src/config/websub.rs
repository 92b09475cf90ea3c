//! `[websub]`: subscribing to the hubs feeds name, and the hubs showfeed's own documents
//! name (the W3C WebSub Recommendation). Off by default: a hub must reach
//! `[server] public_url` to verify a subscription and deliver content.

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;
use url::Url;

/// `[websub]` as written.
#[derive(Debug, Default, Deserialize)]
pub struct RawWebSub {
    /// Subscribe to the hubs feeds advertise.
    pub enabled: Option<Spanned<bool>>,
    /// The hub (or hubs) our own documents advertise and that we ping after a change.
    pub hub: Option<Spanned<toml::Value>>,
    /// Lease asked of hubs (humantime).
    pub lease: Option<Spanned<String>>,
    /// Poll interval of a feed while its subscription is live.
    pub fallback_interval: Option<Spanned<String>>,
}

/// The keys `[websub]` accepts.
pub const KEYS: &[&str] = &["enabled", "hub", "lease", "fallback_interval"];

/// Lease asked of a hub unless the config says otherwise.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(10 * 86_400);
/// Poll interval of a feed with a live subscription unless the config says otherwise.
pub const DEFAULT_FALLBACK: Duration = Duration::from_secs(6 * 3600);

/// Validated `[websub]`.
#[derive(Debug, Clone, PartialEq)]
pub struct WebSub {
    /// Subscribe to the hubs that feeds advertise (`enabled = true`).
    pub enabled: bool,
    /// Hubs our documents advertise and are pinged after an ingest changed them.
    pub hubs: Vec<Url>,
    /// Lease asked for (`hub.lease_seconds`); renewed before it ends.
    pub lease: Duration,
    /// A feed with a live subscription is still polled, this often at most.
    pub fallback_interval: Duration,
}

impl Default for WebSub {
    fn default() -> WebSub {
        WebSub {
            enabled: false,
            hubs: Vec::new(),
            lease: DEFAULT_LEASE,
            fallback_interval: DEFAULT_FALLBACK,
        }
    }
}
