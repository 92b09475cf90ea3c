//! WebSub state: what each feed says about its hubs (recorded at each successful poll),
//! each feed's subscription, and the changes an ingest made for the publisher to announce.
//!
//! Tree `websub`: `links\0<feed id>` -> versioned [`HubLinks`], `sub\0<feed id>` ->
//! versioned [`Subscription`]. The feeds with a live subscription are also kept in memory,
//! so a poll can ask without a sled read ([`Store::websub_live`]).

use std::collections::{BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use super::{Store, StoreError};

/// The hub and self links a feed advertises.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubLinks {
    /// `rel="hub"` URLs, HTTP `Link:` header first.
    pub hubs: Vec<String>,
    /// The `rel="self"` URL: the topic to subscribe to.
    pub self_url: Option<String>,
}

/// Where a subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubState {
    /// Asked for; the hub has not verified it yet.
    Requested,
    /// Verified by the hub: content arrives by push until `expires`.
    Live,
    /// The hub refused (`hub.mode=denied`); retried after backoff.
    Denied,
    /// The request to the hub failed; retried after backoff.
    Failed,
    /// We asked the hub to end it (the feed left the config).
    Unsubscribing,
}

impl SubState {
    /// The word `/status` shows.
    pub fn as_str(self) -> &'static str {
        match self {
            SubState::Requested => "requested",
            SubState::Live => "live",
            SubState::Denied => "denied",
            SubState::Failed => "failed",
            SubState::Unsubscribing => "unsubscribing",
        }
    }
}

/// One feed's subscription at one hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// The hub.
    pub hub: String,
    /// The topic (the feed's self URL).
    pub topic: String,
    /// The unguessable last path segment of our callback.
    pub token: String,
    /// The `hub.secret` content is signed with.
    pub secret: String,
    /// Where it stands.
    pub state: SubState,
    /// When we last asked (subscribe, renew or unsubscribe), Unix seconds.
    pub requested_at: i64,
    /// When the hub last verified it.
    pub verified_at: Option<i64>,
    /// When the lease ends (from the hub's `hub.lease_seconds`).
    pub expires: Option<i64>,
    /// The lease the hub granted, seconds.
    pub lease_seconds: u64,
    /// Failed or denied attempts in a row.
    pub failures: u32,
    /// When to try again after a failure or denial.
    pub retry_at: i64,
    /// Why the last attempt failed or was denied.
    pub last_error: Option<String>,
    /// Leases renewed.
    pub renewals: u32,
    /// Content deliveries accepted.
    pub pushes: u64,
    /// Content deliveries refused (bad or missing signature, too large).
    pub rejects: u64,
    /// The feed's `allow_private` when asked (kept to unsubscribe a feed that left the
    /// config through the same guard).
    pub allow_private: bool,
}

/// Stored form of a [`HubLinks`].
#[derive(Serialize, Deserialize)]
enum StoredLinks {
    V1(HubLinks),
}

/// Stored form of a [`Subscription`].
#[derive(Serialize, Deserialize)]
enum StoredSub {
    V1(Subscription),
}

/// What ingests changed since the publisher last looked: the feeds and shows whose
/// documents now read differently.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Feed ids with new or updated entries.
    pub feeds: BTreeSet<String>,
    /// Show slugs on those entries (before and after an update).
    pub shows: BTreeSet<String>,
}

impl Changes {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.feeds.is_empty()
    }
}

fn key(kind: &str, feed_id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(kind.len() + 1 + feed_id.len());
    k.extend_from_slice(kind.as_bytes());
    k.push(0);
    k.extend_from_slice(feed_id.as_bytes());
    k
}

fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, StoreError> {
    postcard::to_stdvec(v).map_err(StoreError::Encode)
}

fn decode<T: serde::de::DeserializeOwned>(what: &'static str, b: &[u8]) -> Result<T, StoreError> {
    postcard::from_bytes(b).map_err(|source| StoreError::Decode { what, source })
}

impl Store {
    /// The hub links a feed advertised at its last successful poll.
    pub fn hub_links(&self, feed_id: &str) -> Result<Option<HubLinks>, StoreError> {
        match self.websub.get(key("links", feed_id))? {
            None => Ok(None),
            Some(v) => match decode("hub links", &v)? {
                StoredLinks::V1(l) => Ok(Some(l)),
            },
        }
    }

    /// Records a feed's hub links; wakes the subscriber when they changed.
    pub fn put_hub_links(&self, feed_id: &str, links: &HubLinks) -> Result<(), StoreError> {
        if self.hub_links(feed_id)?.as_ref() == Some(links) {
            return Ok(());
        }
        let bytes = encode(&StoredLinks::V1(links.clone()))?;
        self.write(|| {
            self.websub.insert(key("links", feed_id), bytes)?;
            self.wrote();
            Ok(())
        })?;
        self.websub_wake.notify_one();
        Ok(())
    }

    /// A feed's subscription.
    pub fn subscription(&self, feed_id: &str) -> Result<Option<Subscription>, StoreError> {
        match self.websub.get(key("sub", feed_id))? {
            None => Ok(None),
            Some(v) => match decode("subscription", &v)? {
                StoredSub::V1(s) => Ok(Some(s)),
            },
        }
    }

    /// Every stored subscription, by feed id.
    pub fn subscriptions(&self) -> Result<Vec<(String, Subscription)>, StoreError> {
        let mut out = Vec::new();
        for kv in self.websub.scan_prefix(key("sub", "")) {
            let (k, v) = kv?;
            let feed = String::from_utf8_lossy(&k[4..]).into_owned();
            let StoredSub::V1(s) = decode("subscription", &v)?;
            out.push((feed, s));
        }
        Ok(out)
    }

    /// Stores a feed's subscription (the caller flushes when it must survive a crash).
    pub fn put_subscription(&self, feed_id: &str, sub: &Subscription) -> Result<(), StoreError> {
        let bytes = encode(&StoredSub::V1(sub.clone()))?;
        self.write(|| {
            self.websub.insert(key("sub", feed_id), bytes)?;
            self.wrote();
            Ok(())
        })?;
        let mut live = self.websub_live.lock();
        if sub.state == SubState::Live {
            live.insert(feed_id.to_owned());
        } else {
            live.remove(feed_id);
        }
        Ok(())
    }

    /// Forgets a feed's subscription (the hub confirmed its end).
    pub fn remove_subscription(&self, feed_id: &str) -> Result<(), StoreError> {
        self.write(|| {
            self.websub.remove(key("sub", feed_id))?;
            self.wrote();
            Ok(())
        })?;
        self.websub_live.lock().remove(feed_id);
        Ok(())
    }

    /// Whether the feed has a live subscription (no sled read).
    pub fn websub_live(&self, feed_id: &str) -> bool {
        self.websub_live.lock().contains(feed_id)
    }

    /// Waits until hub links change (or [`Store::wake_websub`] is called).
    pub async fn websub_woken(&self) {
        self.websub_wake.notified().await;
    }

    /// Wakes the subscriber's loop (a reload, a new subscription to make).
    pub fn wake_websub(&self) {
        self.websub_wake.notify_one();
    }

    /// Notes that an ingest changed the documents of `feed_id` and these shows.
    pub(super) fn note_change<'a>(&self, feed_id: &str, shows: impl Iterator<Item = &'a str>) {
        let mut c = self.changes.lock();
        c.feeds.insert(feed_id.to_owned());
        c.shows.extend(shows.map(str::to_owned));
        drop(c);
        self.changed.notify_one();
    }

    /// Waits until an ingest changed something, then takes what changed so far.
    pub async fn next_changes(&self) -> Changes {
        loop {
            let taken = std::mem::take(&mut *self.changes.lock());
            if !taken.is_empty() {
                return taken;
            }
            self.changed.notified().await;
        }
    }

    /// Takes what changed since the last take, without waiting.
    pub fn take_changes(&self) -> Changes {
        std::mem::take(&mut *self.changes.lock())
    }

    /// Loads the set of live subscriptions (at open).
    pub(super) fn load_websub_live(tree: &sled::Tree) -> HashSet<String> {
        tree.scan_prefix(key("sub", ""))
            .filter_map(Result::ok)
            .filter_map(|(k, v)| match decode::<StoredSub>("subscription", &v) {
                Ok(StoredSub::V1(s)) if s.state == SubState::Live => {
                    Some(String::from_utf8_lossy(&k[4..]).into_owned())
                }
                _ => None,
            })
            .collect()
    }
}
