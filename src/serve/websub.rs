//! The WebSub callback's routes, `/websub/<feed id>/<token>`: HTTP only; what they mean is
//! [`crate::websub::callback`].

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{blocking, AppState, ServeError};
use crate::websub::callback::{self, PushError};

/// The daemon's WebSub side; without one (no daemon) every callback is unknown: 404.
fn websub_of(state: &AppState) -> Result<Arc<crate::websub::WebSub>, ServeError> {
    state
        .websub
        .get()
        .cloned()
        .ok_or(ServeError::WebSub(PushError::UnknownToken))
}

/// A hub's verification of intent (WebSub 5.3): the challenge, or 404.
pub(super) async fn verify(
    State(state): State<Arc<AppState>>,
    Path((feed, token)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ServeError> {
    let ws = websub_of(&state)?;
    let answer =
        blocking(move || Ok(callback::verify_intent(&ws, &feed, &token, &params)?)).await?;
    match answer {
        Some(challenge) => Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            challenge,
        )
            .into_response()),
        None => Err(ServeError::WebSub(PushError::UnknownToken)),
    }
}

/// A hub's content distribution (WebSub 7): read within `[polling] max_body`, checked and
/// ingested before the answer, which comes as soon as the entries are stored.
pub(super) async fn push(
    State(state): State<Arc<AppState>>,
    Path((feed, token)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ServeError> {
    let ws = websub_of(&state)?;
    let cap = ws.config().polling.max_body;
    let bytes = match axum::body::to_bytes(body, usize::try_from(cap).unwrap_or(usize::MAX)).await {
        Ok(b) => b,
        Err(e) => {
            let why = crate::errors::error_chain(&e);
            let e = if why.contains("length limit exceeded") {
                PushError::TooLarge(cap)
            } else {
                PushError::Body(why)
            };
            callback::reject(&feed, &e);
            return Err(e.into());
        }
    };
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (signature, content_type) = (text("x-hub-signature"), text("content-type"));
    let stats = callback::push(ws, feed.clone(), token, signature, content_type, bytes).await?;
    if stats.new + stats.updated > 0 {
        fetch_articles_later(&state, &feed);
    }
    Ok((StatusCode::OK, "ok\n").into_response())
}

/// How far back the articles of a pushed `full_text` feed are looked for: the push's
/// entries, and those of the last days that a failed fetch left without one.
const PUSHED_ARTICLES_SINCE: i64 = 2 * 86_400;

/// After a push stored entries of a `full_text` feed: their articles, fetched by the
/// scheduler's backfill task within the polls' limits once the hub has its answer (an
/// article may take seconds; a hub waits for ours).
fn fetch_articles_later(state: &AppState, feed_id: &str) {
    let wants = state
        .config()
        .feed(feed_id)
        .is_some_and(|f| f.full_text.mode != crate::config::FullTextMode::Off);
    if let (true, Some(requests)) = (wants, state.poll_requests.get()) {
        let since = crate::clock::now().saturating_sub(PUSHED_ARTICLES_SINCE);
        // Nobody waits for the answer: the backfill logs what it did.
        let _ = requests.fetch_text(vec![feed_id.to_owned()], since);
    }
}
