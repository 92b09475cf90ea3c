//! Serve: the HTTP face of showfeed (axum).
//!
//! Every way to slice the news is a URL: `/feed.<fmt>`, `/shows/<slug>.<fmt>`,
//! `/sources/<id>.<fmt>` and `/views/<name>.<fmt>`, where `<fmt>` is `atom`, `rss` or `json`,
//! each taking the filters of [`query`]. A request is parsed strictly ([`query`]), run
//! against the store's indexes ([`select`]), turned into one format-neutral document
//! ([`doc`]) and rendered ([`atom`], [`rss`], [`json`]). Rendered documents are cached in
//! memory by path, format and normalized query until an ingest changes the store
//! ([`Store::generation`]), so a popular feed is served from memory. Every document carries a
//! strong ETag and Last-Modified and answers conditional requests with 304. `/` is an HTML
//! index ([`html`]), `/opml` the source list. Errors become statuses in one place, [`error`].

pub mod atom;
pub mod doc;
pub mod error;
pub mod html;
pub mod json;
pub mod query;
pub mod rss;
pub mod select;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::{Config, NEWS_KINDS};
use crate::store::Store;
pub use error::ServeError;
pub use query::FeedQuery;
use query::Known;

/// Cached documents at most; the cache is also emptied by every ingest.
const CACHE_CAPACITY: usize = 256;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Atom 1.0.
    Atom,
    /// RSS 2.0.
    Rss,
    /// JSON Feed 1.1.
    Json,
}

impl Format {
    /// The file extension.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Atom => "atom",
            Format::Rss => "rss",
            Format::Json => "json",
        }
    }

    /// The `Content-Type`.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }

    fn from_ext(ext: &str) -> Option<Format> {
        match ext {
            "atom" => Some(Format::Atom),
            "rss" => Some(Format::Rss),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Which document: the merged feed or one slice of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocKind {
    /// Everything.
    Merged,
    /// One show, by slug.
    Show(String),
    /// One source feed, by id.
    Source(String),
    /// A view from the config, by name.
    View(String),
}

impl DocKind {
    fn path(&self, format: Format) -> String {
        let ext = format.ext();
        match self {
            DocKind::Merged => format!("/feed.{ext}"),
            DocKind::Show(s) => format!("/shows/{s}.{ext}"),
            DocKind::Source(s) => format!("/sources/{s}.{ext}"),
            DocKind::View(s) => format!("/views/{s}.{ext}"),
        }
    }
}

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

/// The router: every route showfeed serves, compressed (gzip, brotli) where clients accept it.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/{file}", get(top_document))
        .route("/shows/{file}", get(show_document))
        .route("/sources/{file}", get(source_document))
        .route("/views/{file}", get(view_document))
        .route("/opml", get(opml))
        .route("/healthz", get(healthz))
        .route("/status", get(status))
        .fallback(not_found)
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

async fn not_found() -> ServeError {
    ServeError::NotFound("not found: see / for the feeds served here".into())
}

async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    match state.store.feed_state("") {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => ServeError::from(e).into_response(),
    }
}

/// Runs blocking store work off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ServeError> + Send + 'static,
) -> Result<T, ServeError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServeError::Render(e.to_string()))?
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

/// RFC 3339 in UTC, seconds precision.
pub fn rfc3339(t: i64) -> String {
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
    blocking(move || status_rows(&st.config, &st.store))
        .await
        .map(Json)
}

fn split_file(file: &str) -> Result<(&str, Format), ServeError> {
    file.rsplit_once('.')
        .and_then(|(name, ext)| Some((name, Format::from_ext(ext)?)))
        .ok_or_else(|| {
            ServeError::NotFound(format!(
                "not found: documents end in .atom, .rss or .json, not {:?}",
                file.chars().take(64).collect::<String>()
            ))
        })
}

async fn top_document(
    State(state): State<Arc<AppState>>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ServeError> {
    let (name, format) = split_file(&file)?;
    if name != "feed" {
        return Err(ServeError::NotFound(
            "not found: see / for the feeds served here".into(),
        ));
    }
    document(state, DocKind::Merged, format, raw, headers).await
}

async fn show_document(
    State(state): State<Arc<AppState>>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ServeError> {
    let (name, format) = split_file(&file)?;
    document(state, DocKind::Show(name.to_owned()), format, raw, headers).await
}

async fn source_document(
    State(state): State<Arc<AppState>>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ServeError> {
    let (name, format) = split_file(&file)?;
    document(
        state,
        DocKind::Source(name.to_owned()),
        format,
        raw,
        headers,
    )
    .await
}

async fn view_document(
    State(state): State<Arc<AppState>>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ServeError> {
    let (name, format) = split_file(&file)?;
    document(state, DocKind::View(name.to_owned()), format, raw, headers).await
}

/// The query for a document: the kind's own filter, then the client's query string.
pub fn resolve_query(
    config: &Config,
    kind: &DocKind,
    raw: Option<&str>,
    now: i64,
) -> Result<(FeedQuery, String), ServeError> {
    let known = Known {
        shows: &|s| config.show(s).is_some(),
        sources: &|s| config.feed(s).is_some(),
        kinds: NEWS_KINDS,
    };
    let mut base = FeedQuery::new();
    let title = match kind {
        DocKind::Merged => config.server.title.clone(),
        DocKind::Show(slug) => {
            let show = config.show(slug).ok_or_else(|| {
                ServeError::NotFound(format!("no show with slug {slug:?} is configured"))
            })?;
            base.shows.insert(slug.clone());
            format!("{}: {}", config.server.title, show.name)
        }
        DocKind::Source(id) => {
            let feed = config.feed(id).ok_or_else(|| {
                ServeError::NotFound(format!("no source feed with id {id:?} is configured"))
            })?;
            base.sources.insert(id.clone());
            format!(
                "{}: {}",
                config.server.title,
                feed.title.as_deref().unwrap_or(id)
            )
        }
        DocKind::View(name) => {
            let view = config.view(name).ok_or_else(|| {
                ServeError::NotFound(format!("no view named {name:?} is configured"))
            })?;
            base = base.parse(Some(&view.query), &known, now)?;
            view.title
                .clone()
                .unwrap_or_else(|| format!("{}: {name}", config.server.title))
        }
    };
    Ok((base.parse(raw, &known, now)?, title))
}

/// Renders one document (also used by `showfeed feed`).
pub fn render(
    config: &Config,
    store: &Store,
    kind: &DocKind,
    format: Format,
    query: &FeedQuery,
    title: String,
) -> Result<Rendered, ServeError> {
    let page = select::select(store, query, config.dedup.mode)?;
    let doc = doc::build(config, store, title, &kind.path(format), query, page)?;
    let body = match format {
        Format::Atom => atom::render(&doc),
        Format::Rss => rss::render(&doc),
        Format::Json => json::render(&doc),
    }
    .map_err(ServeError::Render)?;
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
        last_modified: doc.updated,
        content_type: format.content_type(),
    })
}

async fn document(
    state: Arc<AppState>,
    kind: DocKind,
    format: Format,
    raw: Option<String>,
    headers: HeaderMap,
) -> Result<Response, ServeError> {
    let now = crate::pipeline::now();
    let (query, title) = resolve_query(&state.config, &kind, raw.as_deref(), now)?;
    let key = format!("{}?{}", kind.path(format), query.cache_key());
    let doc = match state.cached(&key) {
        Some(doc) => doc,
        None => {
            let st = state.clone();
            let generation = st.store.generation();
            let doc = Arc::new(
                blocking(move || render(&st.config, &st.store, &kind, format, &query, title))
                    .await?,
            );
            state.remember(key, generation, doc.clone());
            doc
        }
    };
    Ok(respond(&state.config, &doc, &headers))
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
    // Clients may come back about as often as feeds change: a quarter of the shortest poll
    // interval, within one minute and fifteen.
    let shortest = config
        .feeds
        .iter()
        .map(|f| f.interval)
        .min()
        .unwrap_or(config.polling.interval);
    let max_age = (shortest.as_secs() / 4).clamp(60, 900);
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

async fn index(State(state): State<Arc<AppState>>) -> Result<Html<String>, ServeError> {
    let st = state.clone();
    blocking(move || html::index(&st.config, &st.store))
        .await
        .map(Html)
}

async fn opml(State(state): State<Arc<AppState>>) -> Result<Response, ServeError> {
    let st = state.clone();
    let body = blocking(move || {
        let states = st.store.feed_states()?;
        Ok(crate::opml::export(
            &st.config,
            &doc::sources(&st.config, &states),
        ))
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "text/x-opml; charset=utf-8")], body).into_response())
}
