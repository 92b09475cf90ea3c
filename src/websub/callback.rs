//! The hub's requests to our callback, `/websub/<feed id>/<token>`.
//!
//! - Verification of intent (WebSub 5.3): a GET answered with `hub.challenge` only when
//!   the feed, token and topic are a subscription we asked for in the mode the hub names;
//!   anything else is "not found". A `denied` notice (5.2) marks the subscription denied.
//! - Content distribution (7): a POST accepted only with a valid `X-Hub-Signature` over the
//!   exact body; the body is parsed, normalized and ingested as a poll's would be, in the
//!   feed's own commit, so a fat ping with some items adds or updates those and leaves the
//!   others as they are.

use std::collections::HashMap;
use std::sync::Arc;

use tracing::info;

use super::signature::{self, SignatureError};
use super::WebSub;
use crate::clock::now;
use crate::errors::error_chain;
use crate::parse::ParseError;
use crate::poll::ingest;
use crate::store::{IngestStats, Store, StoreError, SubState, Subscription};

/// Why a delivery was refused.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// No subscription of this feed has this token (or the feed is not configured).
    #[error("no subscription here")]
    UnknownToken,
    /// The signature is missing or wrong: nothing was stored.
    #[error("refused: {0}")]
    Signature(#[from] SignatureError),
    /// The body is larger than `[polling] max_body`.
    #[error("refused: the body is larger than {0} bytes ([polling] max_body)")]
    TooLarge(u64),
    /// The body could not be read (a broken or aborted request).
    #[error("cannot read the body: {0}")]
    Body(String),
    /// The body is not a feed.
    #[error("the body is not a feed")]
    Parse(#[from] ParseError),
    /// The store failed.
    #[error("storage error")]
    Store(#[from] StoreError),
}

impl PushError {
    /// The metrics label.
    pub fn kind(&self) -> &'static str {
        match self {
            PushError::UnknownToken => "unknown_token",
            PushError::Signature(SignatureError::Missing) => "no_signature",
            PushError::Signature(_) => "bad_signature",
            PushError::TooLarge(_) => "too_large",
            PushError::Body(_) => "body",
            PushError::Parse(_) => "parse",
            PushError::Store(_) => "store",
        }
    }
}

/// The subscription of `feed_id` whose token is `token`.
fn find(store: &Store, feed_id: &str, token: &str) -> Result<Option<Subscription>, StoreError> {
    Ok(store
        .subscription(feed_id)?
        .filter(|s| crate::secret::same_secret(&s.token, token)))
}

/// Answers a hub's GET: `Some(body)` to send with 200 (the challenge), `None` for 404.
/// Blocking (sled).
pub fn verify_intent(
    ws: &WebSub,
    feed_id: &str,
    token: &str,
    params: &HashMap<String, String>,
) -> Result<Option<String>, StoreError> {
    let store = ws.store();
    let Some(mut s) = find(&store, feed_id, token)? else {
        return Ok(None);
    };
    let param = |k: &str| params.get(k).map(String::as_str);
    if param("hub.topic") != Some(s.topic.as_str()) {
        return Ok(None);
    }
    let at = now();
    match (param("hub.mode"), param("hub.challenge")) {
        (Some("subscribe"), Some(challenge)) if s.state != SubState::Unsubscribing => {
            if s.state == SubState::Live {
                s.renewals += 1;
            }
            let lease = param("hub.lease_seconds")
                .and_then(|l| l.parse::<u64>().ok())
                .unwrap_or(s.lease_seconds)
                .min(366 * 86_400);
            s.lease_seconds = lease;
            s.state = SubState::Live;
            s.verified_at = Some(at);
            s.expires = Some(at + lease as i64);
            s.failures = 0;
            s.last_error = None;
            store.put_subscription(feed_id, &s)?;
            info!(feed = %feed_id, hub = %s.hub, lease, "websub: subscription verified");
            Ok(Some(challenge.to_owned()))
        }
        (Some("unsubscribe"), Some(challenge)) if s.state == SubState::Unsubscribing => {
            store.remove_subscription(feed_id)?;
            info!(feed = %feed_id, hub = %s.hub, "websub: unsubscription verified");
            Ok(Some(challenge.to_owned()))
        }
        (Some("denied"), _) => {
            let reason = param("hub.reason").unwrap_or("no reason given");
            let why = format!(
                "the hub {} denied it: {}",
                s.hub,
                reason.chars().take(200).collect::<String>()
            );
            super::subscriber::failed(&store, feed_id, s, why, "denied", at)?;
            Ok(Some(String::new()))
        }
        _ => Ok(None),
    }
}

/// A content delivery: checks the token and the signature, then ingests the body as a
/// poll would. `body` was read within `[polling] max_body` by the caller.
pub async fn push(
    ws: Arc<WebSub>,
    feed_id: String,
    token: String,
    signature: Option<String>,
    content_type: Option<String>,
    body: axum::body::Bytes,
) -> Result<IngestStats, PushError> {
    let ctx = ws.context();
    let c = ctx.clone();
    let id = feed_id.clone();
    let result = tokio::task::spawn_blocking(move || {
        ingest_push(
            &c,
            &id,
            &token,
            signature.as_deref(),
            content_type.as_deref(),
            &body,
        )
    })
    .await
    .unwrap_or_else(|e| {
        Err(PushError::Store(StoreError::Task {
            what: "ingest a push",
            reason: e.to_string(),
        }))
    });
    let m = crate::metrics::get();
    match &result {
        Ok(stats) => {
            ctx.store.flush().await?;
            m.websub_pushes
                .get_or_create(&crate::metrics::FeedLabel {
                    feed: feed_id.clone(),
                })
                .inc();
            m.ingested
                .get_or_create(&crate::metrics::FeedLabel {
                    feed: feed_id.clone(),
                })
                .inc_by(stats.new as u64);
            info!(feed = %feed_id, new = stats.new, updated = stats.updated, "websub: content pushed");
        }
        Err(e) => {
            reject(&feed_id, e);
        }
    }
    result
}

/// Counts a refused delivery.
pub fn reject(feed_id: &str, e: &PushError) {
    tracing::warn!(feed = %feed_id, "websub: delivery refused: {}", error_chain(e));
    crate::metrics::get()
        .websub_rejects
        .get_or_create(&crate::metrics::FeedOutcome {
            feed: feed_id.to_owned(),
            outcome: e.kind().to_owned(),
        })
        .inc();
}

/// The blocking part of [`push`].
fn ingest_push(
    ctx: &crate::poll::Context,
    feed_id: &str,
    token: &str,
    sig: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<IngestStats, PushError> {
    let store = &ctx.store;
    let feed = ctx.config.feed(feed_id).ok_or(PushError::UnknownToken)?;
    let mut s = find(store, feed_id, token)?
        .filter(|s| s.state != SubState::Unsubscribing)
        .ok_or(PushError::UnknownToken)?;
    if let Err(e) = signature::verify(sig, s.secret.as_bytes(), body) {
        s.rejects += 1;
        store.put_subscription(feed_id, &s)?;
        return Err(e.into());
    }
    let at = now();
    let parsed = crate::parse::parse(body, content_type)?;
    let base = url::Url::parse(&s.topic).unwrap_or_else(|_| feed.url.clone());
    let entries = crate::normalize::normalize(feed_id, parsed, &base, at).entries;
    let retention = i64::try_from(ctx.config.storage.retention.as_secs()).unwrap_or(i64::MAX);
    let mut state = store.feed_state(feed_id)?.unwrap_or_default();
    let stats = ingest::ingest(
        ctx,
        feed_id,
        entries,
        &mut state,
        at,
        at.saturating_sub(retention),
    )?;
    s.pushes += 1;
    store.put_subscription(feed_id, &s)?;
    Ok(stats)
}
