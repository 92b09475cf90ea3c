//! The subscriber loop: for each feed whose last poll found a hub and a self URL, keep a
//! subscription at that hub (WebSub 5.1) while `[websub] enabled`.
//!
//! Each turn reads the stored links and subscriptions (off the async workers), decides
//! what is due, and does it: subscribe a feed with none, renew a live lease when three
//! quarters of it have passed, retry a denied or failed one after backoff (the poll path's
//! [`failure_delay`]), give up on a hub that never verified, unsubscribe a feed that left
//! the config (or all of them when WebSub is turned off). Then it sleeps until the next
//! thing is due, or until a poll records new hub links or a reload arrives.
//!
//! The subscription is written (and flushed) before the hub is asked: a hub may verify
//! before it answers our POST, and the verification must find what it verifies.

use std::collections::HashMap;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::{info, warn};
use url::Url;

use super::{callback_url, random_hex, WebSub};
use crate::clock::now;
use crate::config::{Config, FeedHttp};
use crate::errors::error_chain;
use crate::poll::state::{failure_delay, MAX_BACKOFF};
use crate::poll::Context;
use crate::store::{self, HealthEvent, Store, StoreError, SubState, Subscription};

/// How long a hub may take to verify a request before it counts as failed.
pub const VERIFY_WAIT: i64 = 300;
/// The loop looks again at least this often.
const MAX_SLEEP: i64 = 300;

/// What one turn does for one feed.
#[derive(Debug)]
enum Action {
    /// Ask the hub for a subscription (new, retried or renewed).
    Subscribe(String, Subscription),
    /// Ask the hub to end it.
    Unsubscribe(String, Subscription),
    /// The hub never verified: failed, retried after backoff.
    Unverified(String, Subscription),
    /// Forget a subscription the hub never confirmed, of a feed that is gone.
    Forget(String),
}

/// The loop, until `shutdown`.
pub async fn run(ws: std::sync::Arc<WebSub>, shutdown: CancellationToken) {
    loop {
        let wait = match tend(&ws, &shutdown).await {
            Ok(wait) => wait,
            Err(e) => {
                warn!("websub: {}", error_chain(&e));
                Duration::from_secs(60)
            }
        };
        let store = ws.store();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = store.websub_woken() => {}
            () = shutdown.cancelled() => return,
        }
    }
}

/// One turn; returns how long to sleep.
async fn tend(ws: &WebSub, shutdown: &CancellationToken) -> Result<Duration, StoreError> {
    let ctx = ws.context();
    let at = now();
    let (st, config) = (ctx.store.clone(), ctx.config.clone());
    let (actions, next) = store::blocking("plan websub", move || plan(&st, &config, at)).await?;
    if !actions.is_empty() {
        for action in actions {
            if shutdown.is_cancelled() {
                break;
            }
            act(&ctx, action).await?;
        }
        // What was done set new due times (a lease to renew, a retry): plan again.
        return Ok(Duration::from_millis(50));
    }
    Ok(Duration::from_secs(
        next.saturating_sub(now()).clamp(1, MAX_SLEEP) as u64,
    ))
}

/// When a live lease is renewed: when three quarters of it have passed.
pub fn renew_at(s: &Subscription) -> i64 {
    let lease = s.lease_seconds as i64;
    let verified = s.verified_at.unwrap_or(s.requested_at);
    s.expires.unwrap_or(verified + lease) - (lease / 4).max(1)
}

/// When to ask for a renewal of a live subscription: at [`renew_at`], and once asked, again
/// only after the hub had time to verify (a quarter of the lease, at most [`VERIFY_WAIT`]),
/// so a hub that verifies later is not asked over and over.
fn renewal_due(s: &Subscription) -> i64 {
    let renew = renew_at(s);
    if s.requested_at < renew {
        return renew;
    }
    let wait = (s.lease_seconds as i64 / 4).clamp(1, VERIFY_WAIT);
    s.requested_at + wait
}

/// Decides what is due; returns the actions and when to look next (Unix seconds).
fn plan(store: &Store, config: &Config, at: i64) -> Result<(Vec<Action>, i64), StoreError> {
    let mut subs: HashMap<String, Subscription> = store.subscriptions()?.into_iter().collect();
    let mut next = at + MAX_SLEEP;
    let mut actions = Vec::new();
    let feeds = if config.websub.enabled {
        &config.feeds[..]
    } else {
        &[]
    };
    for feed in feeds {
        let existing = subs.remove(&feed.id);
        let Some(links) = store.hub_links(&feed.id)? else {
            continue;
        };
        let (Some(hub), Some(topic)) = (links.hubs.first(), links.self_url.as_ref()) else {
            continue;
        };
        let s = match existing {
            Some(s) if &s.hub == hub && &s.topic == topic => s,
            _ => {
                let fresh = fresh(hub, topic, feed.allow_private, config, at);
                actions.push(Action::Subscribe(feed.id.clone(), fresh));
                continue;
            }
        };
        let due = match s.state {
            SubState::Live if s.expires.is_some_and(|e| e <= at) => {
                // The lease ended before the hub verified a renewal.
                actions.push(Action::Unverified(feed.id.clone(), s));
                continue;
            }
            SubState::Live => renewal_due(&s),
            SubState::Requested => s.requested_at + VERIFY_WAIT,
            SubState::Denied | SubState::Failed => s.retry_at,
            SubState::Unsubscribing => at,
        };
        if due > at {
            next = next.min(due);
            continue;
        }
        actions.push(match s.state {
            SubState::Requested => Action::Unverified(feed.id.clone(), s),
            _ => Action::Subscribe(feed.id.clone(), s),
        });
    }
    // Left over: feeds no longer in the config, or WebSub turned off.
    for (feed_id, s) in subs {
        match s.state {
            SubState::Live => actions.push(Action::Unsubscribe(feed_id, s)),
            SubState::Unsubscribing if s.requested_at + VERIFY_WAIT > at => {
                next = next.min(s.requested_at + VERIFY_WAIT);
            }
            _ => actions.push(Action::Forget(feed_id)),
        }
    }
    Ok((actions, next))
}

/// A new subscription: a new token and secret.
fn fresh(hub: &str, topic: &str, allow_private: bool, config: &Config, at: i64) -> Subscription {
    Subscription {
        hub: hub.to_owned(),
        topic: topic.to_owned(),
        token: random_hex(),
        secret: random_hex(),
        state: SubState::Requested,
        requested_at: at,
        verified_at: None,
        expires: None,
        lease_seconds: config.websub.lease.as_secs(),
        failures: 0,
        retry_at: 0,
        last_error: None,
        renewals: 0,
        pushes: 0,
        rejects: 0,
        allow_private,
    }
}

async fn act(ctx: &Context, action: Action) -> Result<(), StoreError> {
    let store = ctx.store.clone();
    match action {
        Action::Subscribe(feed_id, s) => request(ctx, feed_id, s, "subscribe").await,
        Action::Unsubscribe(feed_id, s) => request(ctx, feed_id, s, "unsubscribe").await,
        Action::Unverified(feed_id, s) => {
            let why = format!(
                "the hub {} did not verify the request in time ({VERIFY_WAIT} s, or before the lease ended)",
                s.hub
            );
            store::blocking("record a websub failure", move || {
                failed(&store, &feed_id, s, why, "failed", now())
            })
            .await
        }
        Action::Forget(feed_id) => {
            info!(feed = %feed_id, "websub: forgetting the subscription of a feed no longer subscribed");
            store::blocking("forget a subscription", move || {
                store.remove_subscription(&feed_id)
            })
            .await
        }
    }
}

/// Asks the hub: `mode` is `subscribe` (new, retry or renewal) or `unsubscribe`.
async fn request(
    ctx: &Context,
    feed_id: String,
    mut s: Subscription,
    mode: &'static str,
) -> Result<(), StoreError> {
    let at = now();
    s.requested_at = at;
    s.state = match (mode, s.state) {
        ("unsubscribe", _) => SubState::Unsubscribing,
        // A renewal: content keeps arriving under the current lease meanwhile.
        (_, SubState::Live) => SubState::Live,
        _ => SubState::Requested,
    };
    let (st, id, sub) = (ctx.store.clone(), feed_id.clone(), s.clone());
    store::blocking("record a websub request", move || {
        st.put_subscription(&id, &sub)
    })
    .await?;
    ctx.store.flush().await?;
    let callback = callback_url(&ctx.config, &feed_id, &s.token);
    let lease = s.lease_seconds.to_string();
    let mut form = vec![
        ("hub.mode", mode),
        ("hub.topic", s.topic.as_str()),
        ("hub.callback", callback.as_str()),
        ("hub.lease_seconds", lease.as_str()),
    ];
    if mode == "subscribe" {
        form.push(("hub.secret", s.secret.as_str()));
    }
    let http = ctx
        .config
        .feed(&feed_id)
        .map_or_else(FeedHttp::default, |f| f.http.clone());
    let answer = match Url::parse(&s.hub) {
        Ok(hub) => {
            ctx.fetcher
                .post_form(&hub, &form, s.allow_private, &http)
                .await
        }
        Err(e) => {
            let why = format!("the hub URL {:?} is not a URL: {e}", s.hub);
            return record_failure(ctx, feed_id, s, why, mode).await;
        }
    };
    let why = match answer {
        Ok((status, _)) if status.is_success() => {
            count(&feed_id, mode);
            info!(feed = %feed_id, hub = %s.hub, topic = %s.topic, "websub: {mode} requested");
            return Ok(());
        }
        Ok((status, body)) => format!(
            "the hub {} answered {status}: {}",
            s.hub,
            body.chars().take(200).collect::<String>()
        ),
        Err(e) => format!("cannot reach the hub {}: {}", s.hub, error_chain(&e)),
    };
    record_failure(ctx, feed_id, s, why, mode).await
}

/// A request the hub refused or that never reached it: the subscription (if it is still
/// the one we asked about) fails and backs off; an unsubscription is forgotten.
async fn record_failure(
    ctx: &Context,
    feed_id: String,
    s: Subscription,
    why: String,
    mode: &'static str,
) -> Result<(), StoreError> {
    count(&feed_id, "failed");
    let store = ctx.store.clone();
    store::blocking("record a websub failure", move || {
        let Some(current) = store.subscription(&feed_id)? else {
            return Ok(());
        };
        if current.token != s.token || current.state == SubState::Live && mode == "subscribe" && current.verified_at > s.verified_at {
            // Verified meanwhile (a hub that verifies before answering, then errs).
            return Ok(());
        }
        if mode == "unsubscribe" {
            warn!(feed = %feed_id, "websub: {why}; forgetting the subscription (its lease will lapse)");
            return store.remove_subscription(&feed_id);
        }
        failed(&store, &feed_id, current, why, "failed", now())
    })
    .await
}

/// Marks `s` failed (or denied) with backoff, and tells the health feed the first time.
pub fn failed(
    store: &Store,
    feed_id: &str,
    mut s: Subscription,
    why: String,
    kind: &str,
    at: i64,
) -> Result<(), StoreError> {
    s.failures += 1;
    s.state = if kind == "denied" {
        SubState::Denied
    } else {
        SubState::Failed
    };
    let delay = failure_delay(
        Duration::from_secs(3600),
        s.failures,
        None,
        false,
        MAX_BACKOFF,
    );
    s.retry_at = at + delay.as_secs() as i64;
    s.last_error = Some(why.clone());
    warn!(feed = %feed_id, hub = %s.hub, retry_in = %humantime::format_duration(delay), "websub: subscription {kind}: {why}");
    if s.failures == 1 {
        let event = HealthEvent {
            at,
            feed_id: feed_id.to_owned(),
            kind: "websub".into(),
            title: format!("WebSub subscription {kind}: {feed_id}"),
            detail: format!(
                "{why}. The feed is polled as usual; the subscription is retried with backoff."
            ),
        };
        store.record_event(&event)?;
    }
    store.put_subscription(feed_id, &s)
}

fn count(feed_id: &str, outcome: &str) {
    crate::metrics::get()
        .websub_hub_requests
        .get_or_create(&crate::metrics::FeedOutcome {
            feed: feed_id.to_owned(),
            outcome: outcome.to_owned(),
        })
        .inc();
}
