//! systemd integration (`Type=notify`): READY=1 once the store is open and the port bound,
//! RELOADING=1 / READY=1 around a reload, STOPPING=1 on shutdown, and WATCHDOG=1 pings sent
//! only while the scheduler and the store are healthy. Outside systemd (no `NOTIFY_SOCKET`)
//! every call is a no-op.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sd_notify::NotifyState;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

use crate::store::Store;

fn send(states: &[NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(false, states) {
        debug!("sd_notify failed: {e}");
    }
}

/// The daemon is up: store open, port bound.
pub fn ready(status: &str) {
    send(&[NotifyState::Ready, NotifyState::Status(status)]);
}

/// A reload starts.
pub fn reloading() {
    send(&[NotifyState::Reloading]);
}

/// Shutdown starts.
pub fn stopping() {
    send(&[NotifyState::Stopping, NotifyState::Status("stopping")]);
}

/// Sends WATCHDOG=1 every half `WatchdogSec` while the scheduler's heartbeat is fresh and
/// the store answers a read; a wedged daemon stops pinging and systemd restarts it.
pub fn spawn_watchdog(store: Arc<Store>, heartbeat: Arc<AtomicI64>, shutdown: CancellationToken) {
    // As libsystemd's sd_watchdog_enabled: WATCHDOG_USEC, and WATCHDOG_PID when set must be
    // ours (sd-notify's helper wrongly requires WATCHDOG_PID).
    let usec = std::env::var("WATCHDOG_USEC")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0);
    let pid_ok = std::env::var("WATCHDOG_PID")
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .is_none_or(|pid| pid == std::process::id());
    if usec == 0 || !pid_ok {
        return;
    }
    let every = Duration::from_micros(usec) / 2;
    tokio::spawn(async move {
        loop {
            let beat_age = crate::clock::now() - heartbeat.load(Ordering::Acquire);
            let scheduler_ok = beat_age <= 3 * crate::scheduler::HEARTBEAT_EVERY.as_secs() as i64;
            let s = store.clone();
            let store_ok = tokio::time::timeout(
                Duration::from_secs(2),
                tokio::task::spawn_blocking(move || s.feed_state("").is_ok()),
            )
            .await
            .is_ok_and(|r| r.unwrap_or(false));
            if scheduler_ok && store_ok {
                send(&[NotifyState::Watchdog]);
            } else {
                warn!(
                    scheduler_ok,
                    store_ok, "unhealthy: withholding the watchdog ping"
                );
            }
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                () = shutdown.cancelled() => return,
            }
        }
    });
}
