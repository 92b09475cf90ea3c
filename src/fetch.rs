//! Fetch: one feed's bytes over HTTP(S) or from a local file, politely and within bounds.
//!
//! Conditional GET with the stored ETag / Last-Modified so an unchanged feed costs a 304;
//! gzip, brotli and deflate; a connect timeout and a total timeout; at most five redirects; a
//! body cap counted after decompression (a small gzip can inflate without limit). `file://`
//! URLs read the local file and use its modification time and size as the validator.

use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use headers::{
    CacheControl, ETag, Header, HeaderMapExt, IfModifiedSince, IfNoneMatch, LastModified,
};

use reqwest::header::{self, HeaderMap};
use reqwest::StatusCode;
use url::Url;

use crate::config::{FeedHttp, Polling};

/// At most this many redirects are followed.
pub const MAX_REDIRECTS: usize = 5;
/// Connect timeout for one attempt.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Validators from the last successful fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag` (or a file's mtime and size).
    pub etag: Option<String>,
    /// `Last-Modified`.
    pub last_modified: Option<String>,
}

impl Validators {
    fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// What the server said about when to come back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hints {
    /// `Cache-Control: max-age`.
    pub max_age: Option<Duration>,
}

/// A response with a body.
#[derive(Debug)]
pub struct Body {
    /// The bytes, decompressed, at most `max_body`.
    pub bytes: Vec<u8>,
    /// `Content-Type`, for the charset.
    pub content_type: Option<String>,
    /// URL after redirects: the base for relative links.
    pub final_url: Url,
    /// New validators.
    pub validators: Validators,
    /// Server hints.
    pub hints: Hints,
    /// Where the feed now lives, when every redirect on the way was permanent (301/308).
    pub moved_to: Option<Url>,
    /// The `Link:` header values (WebSub discovery reads them).
    pub links: Vec<String>,
}

/// Result of a successful fetch.
#[derive(Debug)]
pub enum Fetched {
    /// New content (boxed: it is large, 304s are common).
    Body(Box<Body>),
    /// 304 Not Modified (or an unchanged local file).
    NotModified(Hints),
}

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The server answered with an error status.
    #[error("HTTP {status}")]
    Status {
        /// The status.
        status: StatusCode,
        /// `Retry-After`, on 429 and 503.
        retry_after: Option<Duration>,
    },
    /// 410 Gone: the feed will not come back.
    #[error("HTTP 410 Gone: the feed was removed by its publisher")]
    Gone,
    /// The body passed the cap.
    #[error("body exceeds the {} cap (after decompression)", bytesize::ByteSize(*limit))]
    TooLarge {
        /// The cap in bytes.
        limit: u64,
    },
    /// The whole fetch took too long.
    #[error("timed out after {}", humantime::format_duration(*.0))]
    Timeout(Duration),
    /// Too many redirects, or a redirect loop.
    #[error("too many redirects (more than {MAX_REDIRECTS}; last to {last})")]
    TooManyRedirects {
        /// The redirect that passed the limit.
        last: String,
    },
    /// A redirect to a private address (SSRF guard).
    #[error("redirect to a private, loopback or link-local address refused: {to} (set allow_private = true for this feed to allow it)")]
    PrivateRedirect {
        /// Where it pointed.
        to: String,
    },
    /// A redirect to something that is not http(s).
    #[error("redirect to a non-HTTP URL refused: {to}")]
    BadRedirect {
        /// Where it pointed.
        to: String,
    },
    /// Could not connect.
    #[error("cannot connect")]
    Connect(#[source] reqwest::Error),
    /// Any other transport error.
    #[error("request failed")]
    Request(#[source] reqwest::Error),
    /// A 304 arrived for a request that had no validators.
    #[error("HTTP 304 Not Modified to an unconditional request")]
    UnexpectedNotModified,
    /// A local file could not be read.
    #[error("cannot read {path}")]
    File {
        /// The path.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client")]
    Client(#[source] reqwest::Error),
    /// A page (an entry's article) at a literal private, loopback or link-local address: a
    /// feed's links are the publisher's, not the admin's, so the guard holds for them.
    #[error("refused to fetch {url}: a private, loopback or link-local address (set allow_private = true for this feed to allow it)")]
    PrivateTarget {
        /// The page.
        url: String,
    },
    /// A page that is not http(s).
    #[error("not an http(s) URL: {url}")]
    NotWeb {
        /// The page.
        url: String,
    },
    /// A page that is not HTML.
    #[error("not an HTML page (Content-Type: {content_type})")]
    NotHtml {
        /// What the server said it is.
        content_type: String,
    },
    /// The basic auth password could not be read (the message names where it should be,
    /// never the value).
    #[error("{0}")]
    Secret(String),
}

impl FetchError {
    /// A short stable label for metrics and status.
    pub fn kind(&self) -> &'static str {
        match self {
            FetchError::Status { .. } => "status",
            FetchError::Gone => "gone",
            FetchError::TooLarge { .. } => "too_large",
            FetchError::Timeout(_) => "timeout",
            FetchError::TooManyRedirects { .. } | FetchError::BadRedirect { .. } => "redirects",
            FetchError::PrivateRedirect { .. } => "private",
            FetchError::Connect(_) => "connect",
            FetchError::Request(_) => "request",
            FetchError::UnexpectedNotModified => "bad_304",
            FetchError::File { .. } => "file",
            FetchError::Client(_) => "client",
            FetchError::PrivateTarget { .. } => "private",
            FetchError::NotWeb { .. } => "not_web",
            FetchError::NotHtml { .. } => "not_html",
            FetchError::Secret(_) => "secret",
        }
    }

    /// How long the whole site should be left alone after this answer: a 429, or a 503
    /// with `Retry-After` (a 503 without a time may be one URL's trouble). See
    /// [`crate::limits::Limits::hold`].
    pub fn site_hold(&self) -> Option<Duration> {
        let FetchError::Status { status, .. } = self else {
            return None;
        };
        match (status.as_u16(), self.retry_after()) {
            (429 | 503, Some(wait)) => Some(wait),
            (429, None) => Some(crate::limits::BARE_429_HOLD),
            _ => None,
        }
    }

    /// `Retry-After`, when the server gave one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// A URL that came from a publisher (an article link, a hub): http(s) only, and a literal
/// private address only with `allow_private` (a host name is checked when it resolves).
fn web_target(url: &Url, allow_private: bool) -> Result<(), FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::NotWeb {
            url: url.to_string(),
        });
    }
    if !allow_private && literal_ip(url).is_some_and(is_private) {
        return Err(FetchError::PrivateTarget {
            url: url.to_string(),
        });
    }
    Ok(())
}

/// The HTTP clients and the limits of `[polling]`.
#[derive(Clone)]
pub struct Fetcher {
    /// Refuses to connect to private, loopback and link-local addresses (SSRF guard).
    guarded: reqwest::Client,
    /// For feeds with `allow_private = true`.
    open: reqwest::Client,
    /// Clients of the feeds with a proxy or HTTP/1.1 only (a reqwest client holds both for
    /// all its requests), one per distinct setting, made on first use.
    own: std::sync::Arc<parking_lot::Mutex<std::collections::HashMap<ClientKey, reqwest::Client>>>,
    timeout: Duration,
    max_body: u64,
}

/// The settings that need a client of their own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ClientKey {
    allow_private: bool,
    proxy: Option<Url>,
    http1_only: bool,
}

/// A client builder with showfeed's defaults: user agent, timeouts, no redirects (they are
/// followed by hand), decompression, a small idle pool.
fn client_builder(timeout: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(user_agent())
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .gzip(true)
        .brotli(true)
        .deflate(true)
        .pool_idle_timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(2)
}

/// A client for the requests showfeed sends on its own behalf (notifications): the same
/// user agent and timeouts as the feeds', redirects not followed. Its URLs are the admin's
/// (`[[view]] notify`), so like a literal address in a feed URL they are not guarded.
pub fn sending_client(timeout: Duration) -> Result<reqwest::Client, FetchError> {
    client_builder(timeout).build().map_err(FetchError::Client)
}

/// Whether `ip` is private, loopback, link-local, shared (CGNAT), unspecified or otherwise
/// not a public unicast address: what a feed URL from the web must never reach.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let seg = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00
                || (seg[0] & 0xffc0) == 0xfe80
                || (seg[0] == 0x2001 && seg[1] == 0x0db8)
                || (seg[0] == 0x0064 && seg[1] == 0xff9b)
        }
    }
}

/// A feed's host resolved only to addresses it may not reach.
#[derive(Debug, thiserror::Error)]
#[error("refused to connect to {host}: it resolves to {addr}, a private, loopback or link-local address (set allow_private = true for this feed to allow it)")]
pub struct PrivateAddress {
    host: String,
    addr: IpAddr,
}

/// DNS resolution that drops private addresses, so the check holds at connect time for
/// every hop, redirects and DNS rebinding included.
struct GuardedResolver;

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<std::net::SocketAddr> = addrs
                .iter()
                .copied()
                .filter(|a| !is_private(a.ip()))
                .collect();
            match (public.is_empty(), addrs.first()) {
                (true, Some(first)) => Err(Box::new(PrivateAddress {
                    host,
                    addr: first.ip(),
                })
                    as Box<dyn std::error::Error + Send + Sync>),
                _ => Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs),
            }
        })
    }
}

/// `User-Agent` sent with every request.
pub fn user_agent() -> String {
    format!(
        "showfeed/{} (+https://github.com/showfeed/showfeed)",
        env!("CARGO_PKG_VERSION")
    )
}

impl Fetcher {
    /// A fetcher with the timeouts and caps of `polling`.
    pub fn new(polling: &Polling) -> Result<Fetcher, FetchError> {
        let builder = || client_builder(polling.timeout);
        Ok(Fetcher {
            guarded: builder()
                .dns_resolver(std::sync::Arc::new(GuardedResolver))
                .build()
                .map_err(FetchError::Client)?,
            open: builder().build().map_err(FetchError::Client)?,
            own: Default::default(),
            timeout: polling.timeout,
            max_body: polling.max_body,
        })
    }

    /// Fetches `url`, conditionally when `validators` are known, with the feed's own HTTP
    /// settings `http`. Unless `allow_private`, a host name that resolves to a private
    /// address is refused at connect time; a literal IP address in the configured URL is
    /// the admin's explicit intent and is allowed. Through a proxy, the proxy resolves
    /// names (the admin chose it): only literal addresses of redirects are checked then.
    pub async fn fetch(
        &self,
        url: &Url,
        validators: &Validators,
        allow_private: bool,
        http: &FeedHttp,
    ) -> Result<Fetched, FetchError> {
        let timeout = http.timeout.unwrap_or(self.timeout);
        // reqwest's timeout covers the body too; this outer one also bounds file reads.
        let work = async {
            if url.scheme() == "file" {
                self.fetch_file(url, validators).await
            } else {
                self.fetch_http(url, validators, allow_private, http).await
            }
        };
        tokio::time::timeout(timeout + Duration::from_secs(1), work)
            .await
            .unwrap_or(Err(FetchError::Timeout(timeout)))
            .map_err(|e| match e {
                // The message names the timeout that applied.
                FetchError::Timeout(_) => FetchError::Timeout(timeout),
                e => e,
            })
    }

    /// The client for a feed: the shared ones, or one made for its proxy or HTTP/1.1.
    fn client(&self, allow_private: bool, http: &FeedHttp) -> Result<reqwest::Client, FetchError> {
        if !http.own_client() {
            return Ok(if allow_private {
                self.open.clone()
            } else {
                self.guarded.clone()
            });
        }
        let key = ClientKey {
            allow_private,
            proxy: http.proxy.clone(),
            http1_only: http.http1_only,
        };
        let mut own = self.own.lock();
        if let Some(client) = own.get(&key) {
            return Ok(client.clone());
        }
        let mut builder = client_builder(self.timeout);
        match &key.proxy {
            Some(proxy) => {
                let proxy = reqwest::Proxy::all(proxy.as_str()).map_err(FetchError::Client)?;
                builder = builder.proxy(proxy);
            }
            None if !allow_private => {
                builder = builder.dns_resolver(std::sync::Arc::new(GuardedResolver));
            }
            None => {}
        }
        if key.http1_only {
            builder = builder.http1_only();
        }
        let client = builder.build().map_err(FetchError::Client)?;
        own.insert(key, client.clone());
        Ok(client)
    }

    /// Fetches the web page at `url` (an entry's article): http(s) only, HTML only, within
    /// the same timeouts, body cap and redirect rules as a feed. Unlike a feed's configured
    /// URL, a literal private address is refused too unless `allow_private`: the URL comes
    /// from the publisher, not the admin.
    pub async fn fetch_page(
        &self,
        url: &Url,
        validators: &Validators,
        allow_private: bool,
    ) -> Result<Fetched, FetchError> {
        web_target(url, allow_private)?;
        let work = async {
            let (resp, _) = self
                .send(
                    url,
                    validators,
                    allow_private,
                    PAGE_ACCEPT,
                    &FeedHttp::default(),
                )
                .await?;
            let status = resp.status();
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Fetched::NotModified(Hints::default()));
            }
            if !status.is_success() {
                return Err(FetchError::Status {
                    status,
                    retry_after: None,
                });
            }
            let content_type = resp
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            if !is_html(&content_type) {
                return Err(FetchError::NotHtml { content_type });
            }
            self.read_body(resp, Hints::default(), None).await
        };
        tokio::time::timeout(self.timeout + Duration::from_secs(1), work)
            .await
            .unwrap_or(Err(FetchError::Timeout(self.timeout)))
    }

    /// POSTs `form` (`application/x-www-form-urlencoded`) to `url`: a WebSub hub request.
    /// The same clients, SSRF guard and timeouts as a feed of these settings; a literal
    /// private address is refused unless `allow_private` (a hub URL comes from a feed's
    /// publisher, not the admin). Redirects are not followed. Returns the status and the
    /// start of the body (for the log).
    pub async fn post_form(
        &self,
        url: &Url,
        form: &[(&str, &str)],
        allow_private: bool,
        http: &FeedHttp,
    ) -> Result<(StatusCode, String), FetchError> {
        web_target(url, allow_private)?;
        let client = self.client(allow_private, http)?;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let work = async {
            let mut resp = client
                .post(url.clone())
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .map_err(|e| self.classify(e))?;
            let status = resp.status();
            let mut text = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(|e| self.classify(e))? {
                text.extend_from_slice(&chunk);
                if text.len() > 4096 {
                    text.truncate(4096);
                    break;
                }
            }
            Ok((status, String::from_utf8_lossy(&text).trim().to_owned()))
        };
        tokio::time::timeout(self.timeout + Duration::from_secs(1), work)
            .await
            .unwrap_or(Err(FetchError::Timeout(self.timeout)))
    }

    async fn fetch_http(
        &self,
        url: &Url,
        validators: &Validators,
        allow_private: bool,
        http: &FeedHttp,
    ) -> Result<Fetched, FetchError> {
        let (resp, moved_to) = self
            .send(url, validators, allow_private, FEED_ACCEPT, http)
            .await?;
        let hints = Hints {
            max_age: max_age(resp.headers()),
        };
        match resp.status() {
            StatusCode::NOT_MODIFIED if validators.is_empty() => {
                Err(FetchError::UnexpectedNotModified)
            }
            StatusCode::NOT_MODIFIED => Ok(Fetched::NotModified(hints)),
            StatusCode::GONE => Err(FetchError::Gone),
            status if !status.is_success() => Err(FetchError::Status {
                status,
                retry_after: matches!(
                    status,
                    StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
                )
                .then(|| retry_after(resp.headers()))
                .flatten(),
            }),
            _ => self.read_body(resp, hints, moved_to).await,
        }
    }

    /// Sends the conditional GET and follows redirects to the final response; with it, where
    /// the feed now lives when every redirect was permanent.
    ///
    /// Redirects are followed here, not by reqwest, to know whether every hop was permanent
    /// (then the admin should update the URL in feeds.toml).
    async fn send(
        &self,
        url: &Url,
        validators: &Validators,
        allow_private: bool,
        accept: &str,
        http: &FeedHttp,
    ) -> Result<(reqwest::Response, Option<Url>), FetchError> {
        let client = self.client(allow_private, http)?;
        let password = match &http.auth {
            Some(auth) => Some(auth.password.read().map_err(FetchError::Secret)?),
            None => None,
        };
        let mut trail = Redirects::new(url, allow_private);
        loop {
            let req = conditional_get(&client, &trail.current, validators, accept);
            let same_site = trail.current.host() == url.host()
                && trail.current.port_or_known_default() == url.port_or_known_default();
            let resp = with_settings(req, http, password.as_deref(), same_site)
                .send()
                .await
                .map_err(|e| self.classify(e))?;
            match redirect_target(&resp, &trail.current) {
                Some(next) => trail.follow(next, resp.status())?,
                None => return Ok((resp, trail.moved_to())),
            }
        }
    }

    /// A successful response's validators, type and body, the body at most `max_body`.
    async fn read_body(
        &self,
        mut resp: reqwest::Response,
        hints: Hints,
        moved_to: Option<Url>,
    ) -> Result<Fetched, FetchError> {
        let header_str = |name| {
            resp.headers()
                .get(name)
                .and_then(|v: &header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        // Stored as the server wrote them: an ETag `headers` refuses still earns 304s when
        // sent back verbatim (see `conditional_get`).
        let validators = Validators {
            etag: header_str(header::ETAG),
            last_modified: header_str(header::LAST_MODIFIED),
        };
        let content_type = header_str(header::CONTENT_TYPE);
        let links = resp
            .headers()
            .get_all(header::LINK)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        let final_url = resp.url().clone();
        // Chunks arrive decompressed, so the cap counts what we would hold in memory.
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.classify(e))? {
            if bytes.len() as u64 + chunk.len() as u64 > self.max_body {
                return Err(FetchError::TooLarge {
                    limit: self.max_body,
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched::Body(Box::new(Body {
            bytes,
            content_type,
            final_url,
            validators,
            hints,
            moved_to,
            links,
        })))
    }

    async fn fetch_file(&self, url: &Url, validators: &Validators) -> Result<Fetched, FetchError> {
        let path = url.to_file_path().map_err(|()| FetchError::File {
            path: url.to_string(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a local path"),
        })?;
        let file_err = |source| FetchError::File {
            path: path.display().to_string(),
            source,
        };
        let meta = tokio::fs::metadata(&path).await.map_err(file_err)?;
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let tag = format!("\"file-{mtime:x}-{:x}\"", meta.len());
        if validators.etag.as_deref() == Some(tag.as_str()) {
            return Ok(Fetched::NotModified(Hints::default()));
        }
        if meta.len() > self.max_body {
            return Err(FetchError::TooLarge {
                limit: self.max_body,
            });
        }
        let bytes = tokio::fs::read(&path).await.map_err(file_err)?;
        if bytes.len() as u64 > self.max_body {
            return Err(FetchError::TooLarge {
                limit: self.max_body,
            });
        }
        Ok(Fetched::Body(Box::new(Body {
            bytes,
            content_type: None,
            final_url: url.clone(),
            validators: Validators {
                etag: Some(tag),
                last_modified: None,
            },
            hints: Hints::default(),
            moved_to: None,
            links: Vec::new(),
        })))
    }

    fn classify(&self, e: reqwest::Error) -> FetchError {
        if e.is_timeout() {
            FetchError::Timeout(self.timeout)
        } else if e.is_connect() {
            FetchError::Connect(e)
        } else {
            FetchError::Request(e)
        }
    }
}

/// What a feed fetch accepts.
const FEED_ACCEPT: &str = "application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5";
/// What a page fetch accepts.
const PAGE_ACCEPT: &str = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1";

/// A GET of `url` that asks for `accept`, conditional on `validators`.
///
/// The validators go back as the typed headers where `headers` reads them (an obsolete date
/// format goes out as IMF-fixdate, the form RFC 9110 has senders write), else verbatim.
fn conditional_get(
    client: &reqwest::Client,
    url: &Url,
    validators: &Validators,
    accept: &str,
) -> reqwest::RequestBuilder {
    let mut req = client.get(url.clone()).header(header::ACCEPT, accept);
    let mut typed = HeaderMap::new();
    if let Some(etag) = &validators.etag {
        match entity_tag(etag) {
            Some(tag) => typed.typed_insert(IfNoneMatch::from(tag)),
            // Servers match the tag they made byte for byte, valid or not.
            None => req = req.header(header::IF_NONE_MATCH, etag),
        }
    }
    if let Some(lm) = &validators.last_modified {
        match typed_header::<LastModified>(lm) {
            Some(lm) => typed.typed_insert(IfModifiedSince::from(SystemTime::from(lm))),
            // Not a date `headers` reads: some servers compare it with their own as text.
            None => req = req.header(header::IF_MODIFIED_SINCE, lm),
        }
    }
    req.headers(typed)
}

/// `req` with the feed's own settings: its user agent and timeout always; its headers,
/// cookie and credentials only on requests to the configured host and port (`same_site`),
/// so a redirect to another site never carries them (as curl does with credentials).
fn with_settings(
    mut req: reqwest::RequestBuilder,
    http: &FeedHttp,
    password: Option<&str>,
    same_site: bool,
) -> reqwest::RequestBuilder {
    if let Some(ua) = &http.user_agent {
        req = req.header(header::USER_AGENT, ua);
    }
    if let Some(t) = http.timeout {
        req = req.timeout(t);
    }
    if !same_site {
        return req;
    }
    for (name, value) in &http.headers {
        req = req.header(name, value);
    }
    if let Some(cookie) = &http.cookie {
        // Marked sensitive: never shown by the HTTP client's debug output.
        if let Ok(mut v) = header::HeaderValue::from_str(cookie) {
            v.set_sensitive(true);
            req = req.header(header::COOKIE, v);
        }
    }
    if let Some(auth) = &http.auth {
        req = req.basic_auth(&auth.username, password);
    }
    req
}

/// A stored ETag as `headers` reads one: quoted (or `W/` and quoted), no `"` inside.
///
/// Real servers also send unquoted tags, which `headers` refuses, and tags with a space or
/// a tab inside the quotes, on which `headers` 0.4.2 debug-asserts: those stay strings.
fn entity_tag(etag: &str) -> Option<ETag> {
    if etag.contains([' ', '\t']) {
        return None;
    }
    typed_header(etag)
}

/// `value` read as the typed header `H`.
fn typed_header<H: Header>(value: &str) -> Option<H> {
    let value = header::HeaderValue::from_str(value).ok()?;
    H::decode(&mut std::iter::once(&value)).ok()
}

/// Where a redirect points, resolved against the URL it answered; `None` for any other
/// response (304 included) and for a redirect without a usable `Location`, which is then
/// the final response.
fn redirect_target(resp: &reqwest::Response, current: &Url) -> Option<Url> {
    if !resp.status().is_redirection() || resp.status() == StatusCode::NOT_MODIFIED {
        return None;
    }
    resp.headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| current.join(l).ok())
}

/// The redirects one fetch has followed.
struct Redirects<'a> {
    /// The configured URL.
    origin: &'a Url,
    /// Where the next request goes.
    current: Url,
    hops: usize,
    /// Whether every hop so far was permanent (301/308).
    permanent: bool,
    allow_private: bool,
}

impl<'a> Redirects<'a> {
    fn new(origin: &'a Url, allow_private: bool) -> Self {
        Redirects {
            origin,
            current: origin.clone(),
            hops: 0,
            permanent: true,
            allow_private,
        }
    }

    /// Takes the redirect to `next`, answered with `status`, unless it is one too many or
    /// goes where a feed may not.
    fn follow(&mut self, next: Url, status: StatusCode) -> Result<(), FetchError> {
        self.hops += 1;
        if self.hops > MAX_REDIRECTS {
            return Err(FetchError::TooManyRedirects {
                last: next.to_string(),
            });
        }
        if !matches!(next.scheme(), "http" | "https") {
            return Err(FetchError::BadRedirect {
                to: next.to_string(),
            });
        }
        // The resolver guards host names; a redirect to a literal private address is caught
        // here (the configured URL's own host stays allowed).
        if let Some(ip) = literal_ip(&next) {
            if !self.allow_private && is_private(ip) && next.host() != self.origin.host() {
                return Err(FetchError::PrivateRedirect {
                    to: next.to_string(),
                });
            }
        }
        self.permanent &= matches!(
            status,
            StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
        );
        self.current = next;
        Ok(())
    }

    /// Where the feed now lives: the last URL, when there were redirects and all were
    /// permanent.
    fn moved_to(&self) -> Option<Url> {
        (self.hops > 0 && self.permanent).then(|| self.current.clone())
    }
}

/// Whether a `Content-Type` is an HTML page's (`text/html`, `application/xhtml+xml`).
fn is_html(content_type: &str) -> bool {
    let mime = content_type.split(';').next().unwrap_or("").trim();
    mime.eq_ignore_ascii_case("text/html") || mime.eq_ignore_ascii_case("application/xhtml+xml")
}

/// The address in `url`, when its host is one rather than a name.
fn literal_ip(url: &Url) -> Option<IpAddr> {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    }
}

/// `Cache-Control: max-age`, over every `Cache-Control` line.
fn max_age(headers: &HeaderMap) -> Option<Duration> {
    // Directive names are case-insensitive (RFC 9111 5.2), `headers` matches them in lower
    // case only: lowered first (the value wanted, seconds, has no case).
    let lowered: Vec<header::HeaderValue> = headers
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| header::HeaderValue::from_str(&v.to_ascii_lowercase()).ok())
        .collect();
    CacheControl::decode(&mut lowered.iter()).ok()?.max_age()
}

/// `Retry-After`: seconds, or an HTTP date (then the time until it, zero once past).
///
/// Read here, with `httpdate` (the parser `headers` uses): `headers`' `RetryAfter` (0.4.2)
/// decodes both forms but gives no access to the value.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_max_age_and_retry_after() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CACHE_CONTROL,
            "public, max-age=600".parse().unwrap(),
        );
        h.insert(header::RETRY_AFTER, "120".parse().unwrap());
        assert_eq!(max_age(&h), Some(Duration::from_secs(600)));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(120)));
        h.insert(header::CACHE_CONTROL, "no-cache".parse().unwrap());
        h.insert(header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(max_age(&h), None);
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn max_age_reads_every_line_any_case_and_quoted_values() {
        let cc = |lines: &[&str]| {
            let mut h = HeaderMap::new();
            for l in lines {
                h.append(header::CACHE_CONTROL, l.parse().unwrap());
            }
            max_age(&h)
        };
        let secs = |s| Some(Duration::from_secs(s));
        assert_eq!(cc(&["public", "max-age=60"]), secs(60), "a later line");
        assert_eq!(cc(&["Public, MAX-AGE=90"]), secs(90), "any case");
        assert_eq!(cc(&["max-age=\"120\""]), secs(120));
        assert_eq!(cc(&["private=\"a, b\", max-age=30"]), secs(30));
        assert_eq!(cc(&["s-maxage=600"]), None);
        assert_eq!(cc(&[]), None);
    }

    #[test]
    fn retry_after_reads_an_http_date() {
        let at = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::RETRY_AFTER, v.parse().unwrap());
            retry_after(&h)
        };
        assert_eq!(at("Sun, 06 Nov 1994 08:49:37 GMT"), Some(Duration::ZERO));
        let soon = SystemTime::now() + Duration::from_secs(3600);
        let wait = at(&httpdate::fmt_http_date(soon)).unwrap();
        assert!(wait > Duration::from_secs(3500) && wait <= Duration::from_secs(3600));
    }

    #[test]
    fn validators_go_back_typed_or_verbatim() {
        let client = reqwest::Client::new();
        let url = Url::parse("http://feeds.example/rss").unwrap();
        let sent = |etag: &str, lm: &str| {
            let validators = Validators {
                etag: Some(etag.into()),
                last_modified: Some(lm.into()),
            };
            let req = conditional_get(&client, &url, &validators, FEED_ACCEPT)
                .build()
                .unwrap();
            let h = |name| req.headers()[name].to_str().unwrap().to_owned();
            (h(header::IF_NONE_MATCH), h(header::IF_MODIFIED_SINCE))
        };
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        for etag in [
            "\"v1\"",
            "W/\"v1\"",
            "v1-unquoted",
            "\"with space\"",
            "\"a\tb\"",
        ] {
            assert_eq!(
                sent(etag, date),
                (etag.to_owned(), date.to_owned()),
                "{etag}"
            );
        }
        assert_eq!(
            sent("\"v1\"", "Sunday, 06-Nov-94 08:49:37 GMT").1,
            date,
            "an obsolete date format goes out as IMF-fixdate"
        );
        assert_eq!(
            sent("\"v1\"", "yesterday").1,
            "yesterday",
            "not a date: verbatim"
        );
        let none = conditional_get(&client, &url, &Validators::default(), FEED_ACCEPT)
            .build()
            .unwrap();
        assert!(!none.headers().contains_key(header::IF_NONE_MATCH));
        assert!(!none.headers().contains_key(header::IF_MODIFIED_SINCE));
    }
}
