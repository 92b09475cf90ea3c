//! Per-feed health and the store's state: `/status` as JSON, `showfeed status` as a table.

use serde::Serialize;

use crate::article::{self, ledger::ArticleStatus};
use crate::clock::rfc3339;
use crate::config::Config;
use crate::errors::short_error;
use crate::store::{Store, StoreError};

/// Per-feed health, as JSON for scripts and `showfeed status` against a running daemon.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct StatusFeed {
    /// Feed id.
    pub id: String,
    /// Configured URL.
    pub url: String,
    /// Last successful poll (RFC 3339).
    pub last_success: Option<String>,
    /// Last error message.
    pub last_error: Option<String>,
    /// When it happened (RFC 3339).
    pub last_error_at: Option<String>,
    /// Failures since the last success.
    pub consecutive_failures: u32,
    /// Entries stored.
    pub entries: u64,
    /// Next poll (RFC 3339); absent before the first.
    pub next_poll: Option<String>,
    /// The interval in force ("2h 30m"): configured or adaptive, stretched by a server hint;
    /// absent before the first poll.
    #[serde(default)]
    pub interval: Option<String>,
    /// Why that interval ("auto: 12 posts in the last 7 days: one every 14h").
    #[serde(default)]
    pub interval_reason: Option<String>,
    /// Why polling stopped for good.
    pub disabled: Option<String>,
    /// The last error in a few words ("DNS lookup failed for collider.com"), while failing.
    #[serde(default)]
    pub problem: Option<String>,
    /// Where every redirect permanently pointed on the last fetch: the URL to put in the
    /// config instead.
    #[serde(default)]
    pub moved_to: Option<String>,
    /// Articles fetched and failed since start, with the last failure (feeds with
    /// `full_text` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub articles: Option<ArticleStatus>,
    /// Fetched entries each ingest rule kept out of the store since the daemon started
    /// (`global_block`, `feed_block`, `global_keep`, `feed_keep`; only rules that dropped
    /// something).
    #[serde(default)]
    pub dropped_by_rules: std::collections::BTreeMap<String, u64>,
}

/// The status rows of every configured feed.
pub fn status_rows(config: &Config, store: &Store) -> Result<Vec<StatusFeed>, StoreError> {
    let states = store.feed_states()?;
    Ok(config
        .feeds
        .iter()
        .map(|f| {
            let s = states.get(&f.id).cloned().unwrap_or_default();
            StatusFeed {
                id: f.id.clone(),
                url: f.url.to_string(),
                last_success: s.last_success.map(rfc3339),
                last_error: s.last_error.clone(),
                last_error_at: s.last_error_at.map(rfc3339),
                consecutive_failures: s.consecutive_failures,
                entries: s.entry_count,
                next_poll: (s.last_attempt.is_some()).then(|| rfc3339(s.next_poll)),
                interval: s.cadence.as_ref().map(|c| {
                    crate::poll::cadence::round(std::time::Duration::from_secs(c.interval_secs))
                }),
                interval_reason: s.cadence.as_ref().map(|c| c.reason.clone()),
                disabled: s.disabled.clone(),
                problem: s
                    .last_error
                    .as_deref()
                    .filter(|_| s.consecutive_failures > 0)
                    .map(|e| short_error(e, f.url.host_str().unwrap_or("the file"))),
                moved_to: s.moved_to.clone(),
                articles: article::ledger::status(&f.id),
                dropped_by_rules: crate::metrics::get().rule_drops_of(&f.id),
            }
        })
        .collect())
}

/// `/status`: the config state and every feed's health.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct Status {
    /// The config file in force.
    pub config_file: String,
    /// Why the last reload was refused; absent when the file on disk is in force.
    pub config_error: Option<String>,
    /// Entries stored.
    pub entries: usize,
    /// The store, and whether it can be written.
    #[serde(default)]
    pub store: StoreStatus,
    /// Reloads handled since start (SIGHUP or a file change), accepted or refused.
    #[serde(default)]
    pub reloads: u64,
    /// Whether the config file's directory is watched (off: reloads on SIGHUP only).
    #[serde(default)]
    pub watching_config: bool,
    /// Per-feed health.
    pub feeds: Vec<StatusFeed>,
    /// WebSub subscriptions, by feed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub websub: Vec<WebSubStatus>,
    /// Per notification target of a view (`[[view]] notify`), since the daemon started.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notifications: Vec<NotifyRow>,
}

/// One feed's WebSub subscription in `/status` (never its token or secret).
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct WebSubStatus {
    /// Feed id.
    pub feed: String,
    /// The hub.
    pub hub: String,
    /// The topic.
    pub topic: String,
    /// `requested`, `live`, `denied`, `failed` or `unsubscribing`.
    pub state: String,
    /// When the lease ends (RFC 3339).
    pub expires: Option<String>,
    /// The lease granted, seconds.
    pub lease_seconds: u64,
    /// Leases renewed.
    pub renewals: u32,
    /// Deliveries accepted.
    pub pushes: u64,
    /// Deliveries refused.
    pub rejects: u64,
    /// Failed or denied attempts in a row.
    pub failures: u32,
    /// When a failed or denied subscription is tried again (RFC 3339).
    pub retry_at: Option<String>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// Every stored WebSub subscription. Blocking (sled).
pub fn websub_rows(store: &Store) -> Result<Vec<WebSubStatus>, StoreError> {
    Ok(store
        .subscriptions()?
        .into_iter()
        .map(|(feed, s)| WebSubStatus {
            feed,
            hub: s.hub,
            topic: s.topic,
            state: s.state.as_str().to_owned(),
            expires: s.expires.map(rfc3339),
            lease_seconds: s.lease_seconds,
            renewals: s.renewals,
            pushes: s.pushes,
            rejects: s.rejects,
            failures: s.failures,
            retry_at: (s.failures > 0).then(|| rfc3339(s.retry_at)),
            last_error: s.last_error,
        })
        .collect())
}

/// One notification target in `/status`.
#[derive(Debug, Default, Clone, Serialize, serde::Deserialize)]
pub struct NotifyRow {
    /// The view.
    pub view: String,
    /// The target, without its path (which may hold a secret).
    pub target: String,
    /// `ntfy` or `webhook`.
    pub kind: String,
    /// Notifications delivered.
    pub sent: u64,
    /// Failed attempts that are tried again.
    pub retried: u64,
    /// Notifications given up after every retry failed.
    pub failed: u64,
    /// Waiting to be sent (new, or backing off).
    pub queued: u64,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it happened (RFC 3339).
    pub last_error_at: Option<String>,
}

/// The store part of `/status`.
#[derive(Debug, Default, Serialize, serde::Deserialize)]
pub struct StoreStatus {
    /// Where it lives.
    pub path: String,
    /// False after a write failed with a disk error (full, read-only): stored entries are
    /// still served, polling waits until the directory can be written.
    pub writable: bool,
    /// The disk error.
    pub error: Option<String>,
    /// Since when (RFC 3339).
    pub since: Option<String>,
    /// True while a temporary copy of the store is served because its directory cannot be
    /// written.
    #[serde(default)]
    pub read_only_copy: bool,
}

impl StoreStatus {
    /// The status of `store`.
    pub fn of(store: &Store) -> StoreStatus {
        let u = store.unwritable();
        StoreStatus {
            path: store.path().display().to_string(),
            writable: u.is_none(),
            since: u.as_ref().map(|u| rfc3339(u.since)),
            error: u.map(|u| u.reason),
            read_only_copy: store.is_copy(),
        }
    }
}
