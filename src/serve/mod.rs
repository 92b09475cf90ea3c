//! Serve: the HTTP face of showfeed (axum).
//!
//! Every way to slice the news is a URL: `/feed.<fmt>`, `/shows/<slug>.<fmt>`,
//! `/sources/<id>.<fmt>`, `/views/<name>.<fmt>` and `/tags/<tag>.<fmt>`, where `<fmt>` is
//! `atom`, `rss` or `json`, each taking the filters of [`crate::query`]. The documents
//! themselves come from [`crate::output`]; this module adds what is HTTP: routing, a memory
//! cache of rendered documents by path, format and normalized query until an ingest changes
//! the store ([`Store::generation`]), strong ETags, Last-Modified and 304s. `/` is an HTML
//! index ([`html`]), `/opml` the source list. Errors become statuses in one place, [`error`].

pub mod error;
pub mod html;
pub mod icons;
pub mod server;
mod websub;

use std::sync::Arc;

use parking_lot::RwLock;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use sha2::{Digest, Sha256};

use crate::clock::{rfc3339, Clock};
use crate::config::Config;
use crate::output::rules_test::{rule_test, RuleTest};
use crate::output::status::{status_rows, Status, StoreStatus};
use crate::output::suggest::{suggestions, SuggestionOut};
use crate::output::{self, health, resolve_query, DocKind, Format};
use crate::poll::PollSummary;
use crate::scheduler::{feeds_to_poll, PollRequests};
use crate::store::Store;
pub use error::ServeError;

/// Documents the cache expects to hold, and the bytes it holds at most.
const CACHE_ITEMS: usize = 256;
const CACHE_BYTES: u64 = 64 << 20;

/// Weighs a cached document by its size, so the cache is bounded in bytes.
#[derive(Clone)]
struct BodySize;

impl quick_cache::Weighter<(u64, String), Arc<Rendered>> for BodySize {
    fn weight(&self, key: &(u64, String), doc: &Arc<Rendered>) -> u64 {
        (key.1.len() + doc.body.len() + 512) as u64
    }
}

/// Rendered documents by store generation and request; an ingest bumps the generation, so
/// older documents are never hit again and age out.
type DocCache = quick_cache::sync::Cache<(u64, String), Arc<Rendered>, BodySize>;

/// The right to render a document missing from the cache, and to put it there.
type DocClaim<'a> = quick_cache::sync::PlaceholderGuard<
    'a,
    (u64, String),
    Arc<Rendered>,
    BodySize,
    quick_cache::DefaultHashBuilder,
    quick_cache::sync::DefaultLifecycle<(u64, String), Arc<Rendered>>,
>;

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
    /// Response headers, built once when rendered: a cached hit only clones them.
    pub headers: HeaderMap,
    /// When a spoiler embargo in the document ends: from then on it is stale.
    pub expires: Option<i64>,
}

impl Rendered {
    /// `doc` with its validators and response headers.
    fn new(config: &Config, doc: output::Document, format: Format) -> Rendered {
        let max_age = cache_max_age(config);
        let mut r = Rendered::of(doc.body, doc.updated, format.content_type(), max_age, true);
        // WebSub discovery (4): the hubs and the topic, where a hub looks first.
        if !config.websub.hubs.is_empty() {
            let mut links: Vec<String> = config
                .websub
                .hubs
                .iter()
                .map(|h| format!("<{h}>; rel=\"hub\""))
                .collect();
            links.push(format!("<{}>; rel=\"self\"", doc.self_url));
            if let Ok(v) = HeaderValue::from_str(&links.join(", ")) {
                r.headers.insert(header::LINK, v);
            }
        }
        r.expires = doc.expires;
        r
    }

    /// `body` with a strong ETag (a digest of the bytes), Last-Modified `updated`, and
    /// `Cache-Control: max-age`; `public` documents may be read by any web page (CORS).
    fn of(
        body: Vec<u8>,
        updated: i64,
        content_type: &'static str,
        max_age: u64,
        public: bool,
    ) -> Rendered {
        let digest = Sha256::digest(&body);
        let etag = format!(
            "\"{}\"",
            digest[..12]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        Rendered {
            headers: document_headers(&etag, updated, content_type, max_age, public),
            body: Bytes::from(body),
            etag,
            last_modified: updated,
            content_type,
            expires: None,
        }
    }
}

/// `Cache-Control: max-age`: clients may come back about as often as feeds change, a
/// quarter of the shortest poll interval (an adaptive feed's may go down to
/// `min_interval`), within one minute and fifteen.
fn cache_max_age(config: &Config) -> u64 {
    let shortest = config
        .feeds
        .iter()
        .map(|f| {
            if f.adaptive {
                f.interval.min(config.polling.min_interval)
            } else {
                f.interval
            }
        })
        .min()
        .unwrap_or(config.polling.interval);
    (shortest.as_secs() / 4).clamp(60, 900)
}

fn document_headers(
    etag: &str,
    last_modified: i64,
    content_type: &str,
    max_age: u64,
    public: bool,
) -> HeaderMap {
    let mut h = HeaderMap::new();
    let mut set = |name, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    };
    set(header::ETAG, etag.to_owned());
    set(
        header::LAST_MODIFIED,
        httpdate::fmt_http_date(
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(last_modified.max(0) as u64),
        ),
    );
    set(header::CACHE_CONTROL, format!("public, max-age={max_age}"));
    set(header::VARY, "Accept-Encoding".to_owned());
    set(header::CONTENT_TYPE, content_type.to_owned());
    if public {
        // Feeds are public documents: web-based readers fetch them from their own pages.
        set(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*".to_owned());
    }
    h
}

/// Shared state of the HTTP server.
pub struct AppState {
    store: Arc<Store>,
    config: RwLock<Arc<Config>>,
    /// Why the last reload was refused (shown in /status until a valid file arrives).
    config_error: RwLock<Option<String>>,
    cache: DocCache,
    /// Where `/admin/poll` asks the scheduler for polls (absent without one).
    poll_requests: std::sync::OnceLock<Arc<PollRequests>>,
    /// Reloads handled, for `/status`.
    reloads: std::sync::atomic::AtomicU64,
    /// Whether the config file is watched, for `/status`.
    watching: std::sync::atomic::AtomicBool,
    /// The WebSub callback's side of the daemon (absent without one: 404).
    websub: std::sync::OnceLock<Arc<crate::websub::WebSub>>,
    /// What documents read the time from (spoiler embargoes end by it).
    clock: Clock,
    /// The notifier whose targets `/status` lists (absent without one).
    notifier: std::sync::OnceLock<Arc<crate::notify::Notifier>>,
}

impl AppState {
    /// State over `store` with `config`.
    pub fn new(store: Arc<Store>, config: Arc<Config>) -> Arc<AppState> {
        AppState::with_clock(store, config, Clock::system())
    }

    /// State over `store` with `config` whose documents read the time from `clock` (a
    /// test moves a manual one past an embargo's end).
    pub fn with_clock(store: Arc<Store>, config: Arc<Config>, clock: Clock) -> Arc<AppState> {
        Arc::new(AppState {
            clock,
            notifier: std::sync::OnceLock::new(),
            store,
            config: RwLock::new(config),
            config_error: RwLock::new(None),
            cache: DocCache::with_weighter(CACHE_ITEMS, CACHE_BYTES, BodySize),
            poll_requests: std::sync::OnceLock::new(),
            reloads: Default::default(),
            watching: Default::default(),
            websub: std::sync::OnceLock::new(),
        })
    }

    /// The daemon's WebSub side, once set.
    pub fn websub(&self) -> Option<Arc<crate::websub::WebSub>> {
        self.websub.get().cloned()
    }

    /// Lets `/websub/<feed>/<token>` answer hubs (the daemon's WebSub side).
    pub fn set_websub(&self, ws: Arc<crate::websub::WebSub>) {
        let _ = self.websub.set(ws);
    }

    /// Lets `/admin/poll` ask `requests` for polls (the daemon's scheduler).
    pub fn set_poll_requests(&self, requests: Arc<PollRequests>) {
        let _ = self.poll_requests.set(requests);
    }

    /// Lists `notifier`'s targets in `/status`.
    pub fn set_notifier(&self, notifier: Arc<crate::notify::Notifier>) {
        let _ = self.notifier.set(notifier);
    }

    /// The config in force.
    pub fn config(&self) -> Arc<Config> {
        self.config.read().clone()
    }

    /// Swaps in a new config (a reload): requests already running finish with the old one,
    /// new ones see the new one; cached documents are dropped.
    pub fn set_config(&self, config: Arc<Config>) {
        *self.config.write() = config;
        *self.config_error.write() = None;
        self.cache.clear();
    }

    /// Records the outcome of a reload: `error` is why it was refused, `None` if accepted.
    pub fn set_config_error(&self, error: Option<String>) {
        *self.config_error.write() = error;
        self.reloads
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// Records whether the config file is watched for changes.
    pub fn set_watching(&self, on: bool) {
        self.watching
            .store(on, std::sync::atomic::Ordering::Release);
    }

    /// Why the last reload was refused, if it was.
    pub fn config_error(&self) -> Option<String> {
        self.config_error.read().clone()
    }

    /// The cached document of `key`, or the claim to render it: requests for the same
    /// document that arrive while it renders wait for that render (one render, not one per
    /// request, when a new poll or a reload has just emptied the cache under load). `None`
    /// as the claim when a cached document outlived its embargo twice in a row: render
    /// without the cache.
    async fn cached_or_claim(
        &self,
        key: String,
        now: i64,
    ) -> Result<Arc<Rendered>, Option<DocClaim<'_>>> {
        let key = (self.store.generation(), key);
        for _ in 0..2 {
            match self.cache.get_value_or_guard_async(&key).await {
                Ok(doc) if doc.expires.is_none_or(|t| now < t) => return Ok(doc),
                // An embargo in it has ended since: render it again.
                Ok(_) => drop(self.cache.remove(&key)),
                Err(claim) => return Err(Some(claim)),
            }
        }
        Err(None)
    }
}

/// The router: every route showfeed serves, compressed (gzip, brotli) where clients accept it.
/// Feeds, the index page, OPML and `/healthz` are public; `/status`, `/metrics` and
/// `/admin/*` (which reveal the config or accept commands) need the admin token when one is
/// set ([`require_token`]).
pub fn router(state: Arc<AppState>) -> Router {
    let admin = Router::new()
        .route("/status", get(status))
        .route("/metrics", get(metrics))
        .route("/admin/config", get(admin_config))
        .route("/admin/health.atom", get(health_feed))
        .route("/admin/suggest", get(suggest_route))
        .route("/admin/rules/test", get(rules_test_route))
        .route("/admin/poll", axum::routing::post(poll_now))
        .route("/admin/fetch-text", axum::routing::post(fetch_text))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            require_token,
        ));
    Router::new()
        .route("/", get(index))
        .route(crate::output::doc::OWN_ICON, get(icons::favicon))
        .route("/favicon.ico", get(icons::favicon))
        .route(crate::output::doc::OWN_LOGO, get(icons::icon))
        .route("/{file}", get(top_document))
        .route("/{section}/{file}", get(sliced_document))
        .route("/opml", get(opml))
        .route("/healthz", get(healthz))
        .route(
            "/websub/{feed}/{token}",
            get(websub::verify).post(websub::push),
        )
        .merge(admin)
        .fallback(not_found)
        .route_layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::middleware::map_response(etag_per_encoding))
        .with_state(state)
}

/// Lets a request through when no admin token is configured or it carries the token as
/// `Authorization: Bearer <token>`; a 401 otherwise.
async fn require_token(
    State(state): State<Arc<AppState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let Some(token) = state.config().server.admin_token.clone() else {
        return next.run(request).await;
    };
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match given {
        Some(g) if crate::secret::same_secret(g, &token) => next.run(request).await,
        _ => ServeError::Unauthorized.into_response(),
    }
}

async fn not_found() -> ServeError {
    ServeError::NotFound("not found: see / for the feeds served here".into())
}

async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    // A point read proves the store answers; off the async workers like every sled read.
    let st = state.clone();
    if let Err(e) = blocking(move || Ok(st.store.feed_state("")?)).await {
        return e.into_response();
    }
    match state.store.unwritable() {
        None => (StatusCode::OK, "ok\n").into_response(),
        // Still serving; the body says what is wrong for whoever looks.
        Some(u) => (
            StatusCode::OK,
            format!(
                "degraded: the store cannot be written since {} ({}); serving stored entries\n",
                rfc3339(u.since),
                u.reason
            ),
        )
            .into_response(),
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

async fn status(State(state): State<Arc<AppState>>) -> Result<Json<Status>, ServeError> {
    let st = state.clone();
    blocking(move || {
        let config = st.config();
        Ok(Status {
            config_file: config.file.display().to_string(),
            config_error: st.config_error(),
            entries: st.store.entry_count(),
            store: StoreStatus::of(&st.store),
            reloads: st.reloads.load(std::sync::atomic::Ordering::Acquire),
            watching_config: st.watching.load(std::sync::atomic::Ordering::Acquire),
            feeds: status_rows(&config, &st.store)?,
            websub: crate::output::status::websub_rows(&st.store)?,
            notifications: match st.notifier.get() {
                Some(n) => n.status()?,
                None => Vec::new(),
            },
        })
    })
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

/// `/shows/<slug>.<fmt>`, `/sources/<id>.<fmt>`, `/views/<name>.<fmt>`, `/tags/<tag>.<fmt>`.
async fn sliced_document(
    State(state): State<Arc<AppState>>,
    Path((section, file)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ServeError> {
    let (name, format) = split_file(&file)?;
    // Slugs, feed ids, view names and tags are lower case; a link typed by hand may not be, and
    // still names the same document (its self link the canonical one).
    let name = name.to_ascii_lowercase();
    let kind = match section.as_str() {
        "shows" => DocKind::Show(name),
        "sources" => DocKind::Source(name),
        "views" => DocKind::View(name),
        "tags" => DocKind::Tag(name),
        _ => {
            return Err(ServeError::NotFound(
                "not found: see / for the feeds served here".into(),
            ))
        }
    };
    document(state, kind, format, raw, headers).await
}

async fn document(
    state: Arc<AppState>,
    kind: DocKind,
    format: Format,
    raw: Option<String>,
    headers: HeaderMap,
) -> Result<Response, ServeError> {
    let now = state.clock.now();
    let config = state.config();
    let request = resolve_query(&config, &kind, raw.as_deref(), now)?;
    let key = format!("{}?{}", kind.path(format), request.query.cache_key());
    let doc = match state.cached_or_claim(key, now).await {
        Ok(doc) => doc,
        Err(claim) => {
            // This request renders; the same document asked meanwhile waits for it.
            let st = state.clone();
            let cfg = config.clone();
            let doc = Arc::new(
                blocking(move || {
                    crate::metrics::get().documents_rendered.inc();
                    let doc = output::render(&cfg, &st.store, &kind, format, &request)?;
                    Ok(Rendered::new(&cfg, doc, format))
                })
                .await?,
            );
            if let Some(claim) = claim {
                let _ = claim.insert(doc.clone());
            }
            doc
        }
    };
    let mut resp = respond(&doc, &headers);
    if let Some(expires) = doc.expires {
        // Nobody may keep the document past the end of an embargo in it.
        let left = expires.saturating_sub(now).max(0);
        if let Ok(v) = HeaderValue::from_str(&format!(
            "public, max-age={}",
            left.min(cache_max_age(&config) as i64)
        )) {
            resp.headers_mut().insert(header::CACHE_CONTROL, v);
        }
    }
    Ok(resp)
}

/// Whether the client's validators match (RFC 9110 13.1: If-None-Match wins); the ETag the
/// 304 carries if so (the client's own tag: any encoding's form of ours matches).
fn not_modified(doc: &Rendered, headers: &HeaderMap) -> Option<String> {
    if let Some(inm) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        let base = doc.etag.trim_end_matches('"');
        return inm.split(',').map(str::trim).find_map(|t| {
            let tag = t.trim_start_matches("W/");
            let ours = tag == doc.etag
                || ["-gzip\"", "-br\"", "-deflate\"", "-zstd\""]
                    .iter()
                    .any(|sfx| tag.strip_suffix(sfx) == Some(base));
            (t == "*" || ours).then(|| {
                if t == "*" {
                    doc.etag.clone()
                } else {
                    tag.to_owned()
                }
            })
        });
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .and_then(|since| since.duration_since(std::time::UNIX_EPOCH).ok())
        .filter(|since| doc.last_modified <= since.as_secs() as i64)
        .map(|_| doc.etag.clone())
}

fn respond(doc: &Rendered, headers: &HeaderMap) -> Response {
    let mut h = doc.headers.clone();
    if let Some(tag) = not_modified(doc, headers) {
        h.remove(header::CONTENT_TYPE);
        // The 304 names the representation the client holds (see `etag_per_encoding`).
        if let Ok(v) = HeaderValue::from_str(&tag) {
            h.insert(header::ETAG, v);
        }
        return (StatusCode::NOT_MODIFIED, h).into_response();
    }
    (StatusCode::OK, h, doc.body.clone()).into_response()
}

/// A compressed body is another representation, so it gets its own strong ETag (RFC 9110
/// 8.8.3): `"<digest>-gzip"`, `"<digest>-br"`. Conditional requests accept each form.
async fn etag_per_encoding(mut resp: Response) -> Response {
    let encoding = resp
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let (Some(enc), Some(tag)) = (encoding, resp.headers().get(header::ETAG).cloned()) {
        if let Some(inner) = tag.to_str().ok().and_then(|t| t.strip_suffix('"')) {
            if let Ok(v) = HeaderValue::from_str(&format!("{inner}-{enc}\"")) {
                resp.headers_mut().insert(header::ETAG, v);
            }
        }
    }
    resp
}

/// `/admin/rules/test?rule=EXPR[&feed=ID]`: the stored entries a rule would match.
async fn rules_test_route(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<RuleTest>, ServeError> {
    let (mut rule, mut feed) = (None, None);
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "rule" => rule = Some(v.into_owned()),
            "feed" => feed = Some(v.into_owned()),
            other => {
                return Err(ServeError::BadQuery(format!(
                    "unknown query parameter `{}` (supported: rule, feed)",
                    other.chars().take(64).collect::<String>()
                )))
            }
        }
    }
    let rule = rule.ok_or_else(|| ServeError::BadQuery("parameter `rule` is missing".into()))?;
    let st = state.clone();
    blocking(move || Ok(rule_test(&st.config(), &st.store, &rule, feed.as_deref())?))
        .await
        .map(Json)
}

async fn suggest_route(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<SuggestionOut>>, ServeError> {
    let mut days = 14;
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "days" => {
                days = v
                    .parse::<u32>()
                    .ok()
                    .filter(|d| (1..=365).contains(d))
                    .ok_or_else(|| {
                        ServeError::BadQuery(
                            "parameter `days` must be an integer from 1 to 365".into(),
                        )
                    })?;
            }
            other => {
                return Err(ServeError::BadQuery(format!(
                    "unknown query parameter `{}` (supported: days)",
                    other.chars().take(64).collect::<String>()
                )))
            }
        }
    }
    let st = state.clone();
    blocking(move || Ok(suggestions(&st.config(), &st.store, days, 50)?))
        .await
        .map(Json)
}

/// `POST /admin/poll[?feed=ID...][&failing=true]`: poll now (what `showfeed poll` asks a
/// running daemon), answering with each poll's summary once they are done.
async fn poll_now(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<PollSummary>>, ServeError> {
    let (mut ids, mut failing) = (Vec::new(), false);
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "feed" => ids.push(v.into_owned()),
            "failing" => failing = matches!(v.as_ref(), "true" | "1" | "yes"),
            other => {
                return Err(ServeError::BadQuery(format!(
                    "unknown query parameter `{}` (supported: feed, failing)",
                    other.chars().take(64).collect::<String>()
                )))
            }
        }
    }
    let Some(requests) = state.poll_requests.get().cloned() else {
        return Err(ServeError::NotFound("polling is not running here".into()));
    };
    let config = state.config();
    let st = state.clone();
    let states = blocking(move || Ok(st.store.feed_states()?)).await?;
    let feeds = feeds_to_poll(&config, &states, &ids, failing)
        .map_err(|e| ServeError::BadQuery(e.to_string()))?;
    let asked: Vec<_> = feeds
        .iter()
        .map(|f| (f.id.clone(), requests.request(&f.id)))
        .collect();
    // A poll takes at most the fetch timeout plus its write; the limits may queue it.
    // One deadline for all: the polls run at once in their own tasks.
    let deadline = tokio::time::Instant::now()
        + config.polling.timeout * 2
        + std::time::Duration::from_secs(60);
    let mut out = Vec::with_capacity(asked.len());
    for (id, rx) in asked {
        let summary = match rx {
            None => PollSummary::skipped(&id, "not polled by the running daemon"),
            Some(rx) => match tokio::time::timeout_at(deadline, rx).await {
                Ok(Ok(s)) => s,
                Ok(Err(_)) => PollSummary::skipped(&id, "stopped by a reload or shutdown"),
                Err(_) => PollSummary::skipped(&id, "still running; see `showfeed status`"),
            },
        };
        out.push(summary);
    }
    // As `showfeed poll` in its own process: the stories are settled when the answer comes.
    if let Some(rx) = requests.settle() {
        let _ = tokio::time::timeout_at(deadline, rx).await;
    }
    Ok(Json(out))
}

/// `POST /admin/fetch-text?feed=ID&since=7d`: what `showfeed fetch-text` asks a running
/// daemon; the scheduler's backfill task runs it within the polls' limits, and the answer
/// comes when it is done.
async fn fetch_text(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<crate::poll::backfill::BackfillStats>, ServeError> {
    let (mut ids, mut since) = (Vec::new(), std::time::Duration::from_secs(7 * 86_400));
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "feed" => ids.push(v.into_owned()),
            "since" => {
                since = humantime::parse_duration(&v).map_err(|e| {
                    ServeError::BadQuery(format!("`since` = {v:?} is not a duration ({e})"))
                })?;
            }
            other => {
                return Err(ServeError::BadQuery(format!(
                    "unknown query parameter `{}` (supported: feed, since)",
                    other.chars().take(64).collect::<String>()
                )))
            }
        }
    }
    crate::poll::backfill::feeds_of(&state.config(), &ids)
        .map_err(|e| ServeError::BadQuery(e.to_string()))?;
    let Some(requests) = state.poll_requests.get().cloned() else {
        return Err(ServeError::NotFound("polling is not running here".into()));
    };
    let since = crate::clock::now().saturating_sub(since.as_secs().min(i64::MAX as u64) as i64);
    let reply = requests
        .fetch_text(ids, since)
        .ok_or_else(|| ServeError::NotFound("polling is not running here".into()))?;
    match reply.await {
        Ok(Ok(stats)) => Ok(Json(stats)),
        Ok(Err(e)) => Err(ServeError::Render(format!("fetch-text failed: {e}"))),
        Err(_) => Err(ServeError::Render(
            "fetch-text was stopped by a reload or shutdown".into(),
        )),
    }
}

async fn health_feed(State(state): State<Arc<AppState>>) -> Result<Response, ServeError> {
    let st = state.clone();
    let body = blocking(move || Ok(health::render(&st.config(), &st.store)?)).await?;
    Ok(([(header::CONTENT_TYPE, Format::Atom.content_type())], body).into_response())
}

async fn metrics(State(state): State<Arc<AppState>>) -> Result<Response, ServeError> {
    let st = state.clone();
    let body = blocking(move || {
        let config = st.config();
        let m = crate::metrics::get();
        let states = st.store.feed_states()?;
        let failing = config
            .feeds
            .iter()
            .filter(|f| {
                states
                    .get(&f.id)
                    .is_some_and(|s| s.consecutive_failures > 0 || s.disabled.is_some())
            })
            .count();
        m.feeds_failing.set(failing as i64);
        m.feeds.set(config.feeds.len() as i64);
        m.store_entries.set(st.store.entry_count() as i64);
        m.store_bytes.set(st.store.size_on_disk() as i64);
        m.config_valid.set(i64::from(st.config_error().is_none()));
        m.store_writable
            .set(i64::from(st.store.unwritable().is_none()));
        Ok(m.encode())
    })
    .await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response())
}

/// The config file text in force, so `showfeed check` can diff a new file against it.
async fn admin_config(State(state): State<Arc<AppState>>) -> Response {
    let config = state.config();
    (
        [(header::CONTENT_TYPE, "application/toml; charset=utf-8")],
        config.text.clone(),
    )
        .into_response()
}

/// `/`: rendered at most once per minute (its times are relative) and per store change,
/// with an ETag like the documents.
async fn index(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Response, ServeError> {
    let now = state.clock.now();
    let error = state.config_error();
    let key = (
        state.store.generation(),
        format!("/?{}&{}", now / 60, error.as_deref().unwrap_or("")),
    );
    if let Some(page) = state.cache.get(&key) {
        return Ok(respond(&page, &headers));
    }
    let st = state.clone();
    let page = blocking(move || {
        let config = st.config();
        let served = crate::output::counts::served(&st.store, config.dedup.mode, now)?;
        let ps = html::PageState {
            served: &served,
            config_error: error.as_deref(),
            now,
        };
        let body = html::index(&config, &st.store, &ps)?;
        Ok(Rendered::of(
            body.into_bytes(),
            now,
            "text/html; charset=utf-8",
            60,
            false,
        ))
    })
    .await?;
    let page = Arc::new(page);
    state.cache.insert(key, page.clone());
    Ok(respond(&page, &headers))
}

async fn opml(State(state): State<Arc<AppState>>) -> Result<Response, ServeError> {
    let st = state.clone();
    let body = blocking(move || {
        let states = st.store.feed_states()?;
        let config = st.config();
        Ok(crate::opml::export(&config, &states))
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "text/x-opml; charset=utf-8")], body).into_response())
}
