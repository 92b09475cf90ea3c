//! Concurrency limits of fetching: a global one and one per host.
//!
//! Below the scheduler and the poll: the scheduler takes a feed's slots before polling it,
//! and a poll that fetches its entries' articles takes the slot of each other host it
//! reaches, so articles and feeds share one host's budget.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Concurrency limits: a global one and one per host.
pub struct Limits {
    global: Arc<Semaphore>,
    per_host: usize,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// Permits held while a poll runs.
pub struct Permits {
    _host: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

impl Limits {
    /// `concurrency` polls at once, `per_host` of them against one host.
    pub fn new(concurrency: usize, per_host: usize) -> Limits {
        Limits {
            global: Arc::new(Semaphore::new(concurrency)),
            per_host,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a slot for `host`. The host slot is taken first, so a feed queued behind
    /// its host never holds a global slot others could use.
    pub async fn acquire(&self, host: &str) -> Permits {
        let host_sem = self.host(host);
        // The semaphores are never closed, so acquisition cannot fail.
        let host = loop {
            if let Ok(p) = host_sem.clone().acquire_owned().await {
                break p;
            }
        };
        let global = loop {
            if let Ok(p) = self.global.clone().acquire_owned().await {
                break p;
            }
        };
        Permits {
            _host: host,
            _global: global,
        }
    }
}

impl Limits {
    /// Waits for a slot of `host` alone (an article on another host than its feed's, whose
    /// poll already holds a global slot).
    pub async fn acquire_host(&self, host: &str) -> OwnedSemaphorePermit {
        let host_sem = self.host(host);
        loop {
            if let Ok(p) = host_sem.clone().acquire_owned().await {
                break p;
            }
        }
    }

    fn host(&self, host: &str) -> Arc<Semaphore> {
        let mut hosts = self.hosts.lock();
        hosts
            .entry(host.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_host)))
            .clone()
    }
}
