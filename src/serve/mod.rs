//! Serve: the HTTP face of showfeed (axum).
//!
//! `GET /feed.atom` is the merged feed, newest first. Documents are rendered off the async
//! workers and cached in memory by normalized query until an ingest changes the store
//! ([`Store::generation`]), so a popular feed is served from memory. Every document carries
//! a strong ETag and Last-Modified and answers conditional requests with 304. Errors become
//! statuses in one place, [`error`].

pub mod atom;
pub mod error;
pub mod query;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::store::{FeedState, Store};
use atom::{DocMeta, SourceInfo};
pub use error::ServeError;
pub use query::FeedQuery;

/// Cached documents at most; the cache is also emptied by every ingest.
const CACHE_CAPACITY: usize = 64;

/// A rendered document with its validators.
#[derive(Debug)]
pub struct Rendered {
    /// The bytes.
    pub body: Bytes,
    /// Strong ETag, quoted.
    pub etag: String,
    /// Newest `updated` among the entries (Unix seconds).
    pub last_modified: i64,
    /// MIME type.
    pub content_type: &'static str,
}

/// Shared state of the HTTP server.
pub struct AppState {
    store: Arc<Store>,
    config: Arc<Config>,
    cache: Mutex<(u64, HashMap<String, Arc<Rendered>>)>,
}

impl AppState {
    /// State over `store` with `config`.
    pub fn new(store: Arc<Store>, config: Arc<Config>) -> Arc<AppState> {
        Arc::new(AppState {
            store,
            config,
            cache: Mutex::new((0, HashMap::new())),
        })
    }

    fn cached(&self, key: &str) -> Option<Arc<Rendered>> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        (cache.0 == self.store.generation())
            .then(|| cache.1.get(key).cloned())
            .flatten()
    }

    fn remember(&self, key: String, generation: u64, doc: Arc<Rendered>) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.0 != generation {
            *cache = (generation, HashMap::new());
        }
        if cache.1.len() >= CACHE_CAPACITY {
            cache.1.clear();
        }
        cache.1.insert(key, doc);
    }
}

/// The router: every route showfeed serves.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/feed.atom", get(feed_atom))
        .route("/healthz", get(healthz))
        .route("/status", get(status))
        .fallback(not_found)
        .with_state(state)
}

async fn not_found() -> ServeError {
    ServeError::NotFound("not found: try /feed.atom".into())
}

async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    match state.store.feed_state("") {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => ServeError::from(e).into_response(),
    }
}

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
    /// Why polling stopped for good.
    pub disabled: Option<String>,
}

fn rfc3339(t: i64) -> String {
    atom::time(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The status rows of every configured feed.
pub fn status_rows(config: &Config, store: &Store) -> Result<Vec<StatusFeed>, ServeError> {
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
                disabled: s.disabled.clone(),
            }
        })
        .collect())
}

async fn status(State(state): State<Arc<AppState>>) -> Result<Json<Vec<StatusFeed>>, ServeError> {
    let st = state.clone();
    tokio::task::spawn_blocking(move || status_rows(&st.config, &st.store))
        .await
        .map_err(|e| ServeError::Render(e.to_string()))?
        .map(Json)
}

async fn feed_atom(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ServeError> {
    let query = FeedQuery::parse(raw.as_deref())?;
    let key = format!("atom?{}", query.cache_key());
    let doc = match state.cached(&key) {
        Some(doc) => doc,
        None => {
            let st = state.clone();
            let generation = st.store.generation();
            let doc =
                tokio::task::spawn_blocking(move || render_atom(&st.config, &st.store, &query))
                    .await
                    .map_err(|e| ServeError::Render(e.to_string()))??;
            let doc = Arc::new(doc);
            state.remember(key, generation, doc.clone());
            doc
        }
    };
    Ok(respond(&state.config, &doc, &headers))
}

fn sources(config: &Config, states: &HashMap<String, FeedState>) -> HashMap<String, SourceInfo> {
    let base = config.server.public_url.as_str().trim_end_matches('/');
    config
        .feeds
        .iter()
        .map(|f| {
            let state = states.get(&f.id);
            let info = SourceInfo {
                id: f.id.clone(),
                iri: format!("{base}/sources/{}.atom", f.id),
                title: f
                    .title
                    .clone()
                    .or_else(|| state.and_then(|s| s.title.clone()))
                    .unwrap_or_else(|| f.id.clone()),
                feed_url: f.url.to_string(),
                site_link: state.and_then(|s| s.site_link.clone()),
            };
            (f.id.clone(), info)
        })
        .collect()
}

/// Renders the merged Atom feed for `query` (also used by `showfeed feed`).
pub fn render_atom(
    config: &Config,
    store: &Store,
    query: &FeedQuery,
) -> Result<Rendered, ServeError> {
    let entries = store
        .newest()
        .take(query.limit)
        .collect::<Result<Vec<_>, _>>()?;
    let states = store.feed_states()?;
    let base = config.server.public_url.as_str().trim_end_matches('/');
    let self_url = if query.limit == query::DEFAULT_LIMIT {
        format!("{base}/feed.atom")
    } else {
        format!("{base}/feed.atom?limit={}", query.limit)
    };
    let meta = DocMeta {
        title: config.server.title.clone(),
        self_url,
        home_url: format!("{base}/"),
    };
    let body =
        atom::render(&meta, &entries, &sources(config, &states)).map_err(ServeError::Render)?;
    let digest = Sha256::digest(&body);
    let etag = format!(
        "\"{}\"",
        digest[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    Ok(Rendered {
        body: Bytes::from(body),
        etag,
        last_modified: entries.iter().map(|e| e.updated).max().unwrap_or(0),
        content_type: "application/atom+xml; charset=utf-8",
    })
}

/// Whether the client's validators match (RFC 9110 13.1: If-None-Match wins).
fn not_modified(doc: &Rendered, headers: &HeaderMap) -> bool {
    if let Some(inm) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        return inm.split(',').any(|t| {
            let t = t.trim();
            t == "*" || t.trim_start_matches("W/") == doc.etag
        });
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .and_then(|since| since.duration_since(std::time::UNIX_EPOCH).ok())
        .is_some_and(|since| doc.last_modified <= since.as_secs() as i64)
}

fn respond(config: &Config, doc: &Rendered, headers: &HeaderMap) -> Response {
    // Clients may come back about as often as feeds are polled, within sane bounds.
    let max_age = (config.polling.interval.as_secs() / 4).clamp(60, 900);
    let last_modified = httpdate::fmt_http_date(
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(doc.last_modified.max(0) as u64),
    );
    let mut h = HeaderMap::new();
    let mut set = |name, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    };
    set(header::ETAG, doc.etag.clone());
    set(header::LAST_MODIFIED, last_modified);
    set(header::CACHE_CONTROL, format!("public, max-age={max_age}"));
    set(header::VARY, "Accept-Encoding".to_owned());
    if not_modified(doc, headers) {
        return (StatusCode::NOT_MODIFIED, h).into_response();
    }
    set(header::CONTENT_TYPE, doc.content_type.to_owned());
    (StatusCode::OK, h, doc.body.clone()).into_response()
}
