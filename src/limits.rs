//! Politeness limits of fetching: a global concurrency limit, and per site a concurrency
//! limit, a minimum gap between two request starts, and a hold while the site has asked us
//! to slow down.
//!
//! Below the scheduler and the poll: the scheduler takes a feed's slots before polling it,
//! and a poll that fetches its entries' articles takes the slot of each other site it
//! reaches, so articles and feeds share one site's budget. A site is a registrable domain
//! ([`crate::config::site_key`]): a 429 from `a.tumblr.com` holds `b.tumblr.com` too.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The longest one site's `Retry-After` holds back its other feeds (the feed that got it
/// waits as long as it says, up to `max_interval`): a server's "come back tomorrow" on one
/// URL should not silence a whole site for a day.
pub const MAX_SITE_HOLD: Duration = Duration::from_secs(3_600);

/// How long a bare 429 (no `Retry-After`) holds the site.
pub const BARE_429_HOLD: Duration = Duration::from_secs(300);

/// Fetch limits: a global one and one per site.
pub struct Limits {
    global: Arc<Semaphore>,
    per_host: usize,
    min_gap: Duration,
    sites: Mutex<HashMap<String, Arc<Site>>>,
}

/// One site's limits.
struct Site {
    slots: Arc<Semaphore>,
    /// When the next request may start (`[polling] min_gap`).
    next_start: Mutex<Option<Instant>>,
    /// Until when the site asked us to wait (429, or 503 with `Retry-After`).
    held_until: Mutex<Option<Instant>>,
}

/// Permits held while a poll runs.
pub struct Permits {
    _host: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

impl Limits {
    /// `concurrency` polls at once, `per_host` of them against one site, no gap.
    pub fn new(concurrency: usize, per_host: usize) -> Limits {
        Limits {
            global: Arc::new(Semaphore::new(concurrency)),
            per_host,
            min_gap: Duration::ZERO,
            sites: Mutex::new(HashMap::new()),
        }
    }

    /// These limits, with at least `gap` between the starts of two requests to one site.
    pub fn with_min_gap(mut self, gap: Duration) -> Limits {
        self.min_gap = gap;
        self
    }

    /// Waits for a slot for `host` (a site key), then for its gap. The site slot is taken
    /// first, so a feed queued behind its site never holds a global slot others could use.
    pub async fn acquire(&self, host: &str) -> Permits {
        let host_permit = self.acquire_host(host).await;
        let global = loop {
            // The semaphores are never closed, so acquisition cannot fail.
            if let Ok(p) = self.global.clone().acquire_owned().await {
                break p;
            }
        };
        Permits {
            _host: host_permit,
            _global: global,
        }
    }

    /// Waits for a slot of `host` alone (an article on another site than its feed's, whose
    /// poll already holds a global slot), then for its gap.
    pub async fn acquire_host(&self, host: &str) -> OwnedSemaphorePermit {
        let site = self.site(host);
        let permit = loop {
            if let Ok(p) = site.slots.clone().acquire_owned().await {
                break p;
            }
        };
        self.wait_gap(&site).await;
        permit
    }

    /// Waits for `host`'s gap before one more request within a slot already held (an
    /// article on its feed's own site).
    pub async fn pace(&self, host: &str) {
        let site = self.site(host);
        self.wait_gap(&site).await;
    }

    /// Reserves the site's next start and sleeps until it.
    async fn wait_gap(&self, site: &Site) {
        if self.min_gap.is_zero() {
            return;
        }
        let start = {
            let mut next = site.next_start.lock();
            let now = Instant::now();
            let start = next.map_or(now, |n| n.max(now));
            *next = Some(start + self.min_gap);
            start
        };
        if start > Instant::now() {
            tokio::time::sleep_until(start).await;
        }
    }

    /// The site asked us to wait `wait` (capped at [`MAX_SITE_HOLD`]); a longer hold
    /// already in force stays.
    pub fn hold(&self, host: &str, wait: Duration) {
        let until = Instant::now() + wait.min(MAX_SITE_HOLD);
        let site = self.site(host);
        let mut held = site.held_until.lock();
        if held.is_none_or(|h| h < until) {
            *held = Some(until);
        }
    }

    /// How long `host` still asks us to wait, if it does.
    pub fn held(&self, host: &str) -> Option<Duration> {
        let site = self.sites.lock().get(host)?.clone();
        let until = (*site.held_until.lock())?;
        until
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
    }

    /// Takes over `old`'s holds still in force (a reload builds new limits; a site that
    /// asked us to wait still does).
    pub fn carry_holds_from(&self, old: &Limits) {
        let now = Instant::now();
        let held: Vec<(String, Instant)> = old
            .sites
            .lock()
            .iter()
            .filter_map(|(host, site)| Some((host.clone(), (*site.held_until.lock())?)))
            .filter(|(_, until)| *until > now)
            .collect();
        for (host, until) in held {
            self.hold(&host, until - now);
        }
    }

    fn site(&self, host: &str) -> Arc<Site> {
        let mut sites = self.sites.lock();
        sites
            .entry(host.to_owned())
            .or_insert_with(|| {
                Arc::new(Site {
                    slots: Arc::new(Semaphore::new(self.per_host)),
                    next_start: Mutex::new(None),
                    held_until: Mutex::new(None),
                })
            })
            .clone()
    }
}
