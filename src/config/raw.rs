//! The config file as written: serde types that mirror feeds.toml one to one.
//!
//! Every field that validation may complain about is `Spanned`, so an error can name the line
//! and column it concerns. Unknown keys are found before serde runs (see [`KNOWN_KEYS`]), so all
//! of them are reported at once instead of serde stopping at the first.

use serde::Deserialize;
use toml::Spanned;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
pub struct RawConfig {
    /// `[server]`
    pub server: Option<RawServer>,
    /// `[storage]`
    pub storage: Option<RawStorage>,
    /// `[polling]`
    pub polling: Option<RawPolling>,
    /// `[dedup]`
    pub dedup: Option<RawDedup>,
    /// `[[feed]]`
    #[serde(default)]
    pub feed: Vec<Spanned<RawFeed>>,
    /// `[[show]]`
    #[serde(default)]
    pub show: Vec<Spanned<RawShow>>,
    /// `[[view]]`
    #[serde(default)]
    pub view: Vec<Spanned<RawView>>,
    /// `[rules]`
    pub rules: Option<RawRules>,
    /// `[websub]`
    pub websub: Option<super::websub::RawWebSub>,
}

/// `[rules]`, and the same keys in a `[[feed]]`: ingest rules in the query language.
#[derive(Debug, Default, Deserialize)]
pub struct RawRules {
    /// Entries that match are not stored.
    pub block: Option<Spanned<String>>,
    /// Only entries that match are stored.
    pub keep: Option<Spanned<String>>,
}

/// One `[[view]]`: a named, saved query served at `/views/<name>.atom`.
#[derive(Debug, Default, Deserialize)]
pub struct RawView {
    /// `[a-z0-9-]` name, the URL segment.
    pub name: Option<Spanned<String>>,
    /// Document title.
    pub title: Option<Spanned<String>>,
    /// Show slugs, any of.
    #[serde(default)]
    pub show: Vec<Spanned<String>>,
    /// Show slugs to leave out.
    #[serde(default)]
    pub exclude_show: Vec<Spanned<String>>,
    /// `<slug>/s<N>`, any of.
    #[serde(default)]
    pub season: Vec<Spanned<String>>,
    /// News kinds, any of.
    #[serde(default)]
    pub kind: Vec<Spanned<String>>,
    /// Language tags, any of (`en`, `pt-br`).
    #[serde(default)]
    pub lang: Vec<Spanned<String>>,
    /// Feed ids, any of.
    #[serde(default)]
    pub source: Vec<Spanned<String>>,
    /// Feed tags, any of.
    #[serde(default)]
    pub tag: Vec<Spanned<String>>,
    /// Words and "phrases" that must all appear.
    pub q: Option<Spanned<String>>,
    /// A duration before now ("7d").
    pub since: Option<Spanned<String>>,
    /// Entries per page.
    pub limit: Option<Spanned<i64>>,
    /// Spoiler embargo of the view's entries (see [`RawShow::spoilers`]).
    pub spoilers: Option<Spanned<String>>,
    /// Every entry of the view held until this date or time.
    pub spoilers_until: Option<Spanned<toml::Value>>,
    /// Notification targets: URLs, or tables with `url`, `type`, `token_env`.
    #[serde(default)]
    pub notify: Vec<Spanned<toml::Value>>,
}

/// `[server]`
#[derive(Debug, Default, Deserialize)]
pub struct RawServer {
    /// Socket address to bind.
    pub listen: Option<Spanned<String>>,
    /// Base URL for self links and ids.
    pub public_url: Option<Spanned<String>>,
    /// Title of the merged feed.
    pub title: Option<Spanned<String>>,
    /// Log filter used when RUST_LOG is unset.
    pub log_level: Option<Spanned<String>>,
    /// Bearer token for the admin endpoints.
    pub admin_token: Option<Spanned<String>>,
}

/// `[storage]`
#[derive(Debug, Default, Deserialize)]
pub struct RawStorage {
    /// sled directory.
    pub path: Option<Spanned<String>>,
    /// Maximum age of a stored entry.
    pub retention_days: Option<Spanned<i64>>,
    /// Maximum number of stored entries.
    pub max_entries: Option<Spanned<i64>>,
    /// sled page cache size.
    pub cache: Option<Spanned<String>>,
    /// How often retention runs (humantime).
    pub prune_every: Option<Spanned<String>>,
}

/// `[polling]`
#[derive(Debug, Default, Deserialize)]
pub struct RawPolling {
    /// Default interval between polls of one feed.
    pub interval: Option<Spanned<String>>,
    /// Polls in flight at once.
    pub concurrency: Option<Spanned<i64>>,
    /// Polls in flight at once against one host.
    pub per_host: Option<Spanned<i64>>,
    /// Total time allowed for one fetch.
    pub timeout: Option<Spanned<String>>,
    /// Body cap, counted after decompression.
    pub max_body: Option<Spanned<String>>,
    /// Longest interval a server hint (Cache-Control, ttl) may stretch a feed's interval to,
    /// and the longest adaptive interval.
    pub max_interval: Option<Spanned<String>>,
    /// Shortest adaptive interval.
    pub min_interval: Option<Spanned<String>>,
    /// Least time between two request starts to one site.
    pub min_gap: Option<Spanned<String>>,
    /// Feeds without an `interval` of their own poll adaptively.
    pub adaptive: Option<Spanned<bool>>,
    /// Let feeds reach private, loopback and link-local addresses through host names.
    pub allow_private: Option<Spanned<bool>>,
}

/// `[dedup]`
#[derive(Debug, Default, Deserialize)]
pub struct RawDedup {
    /// collapse | mark | off
    pub mode: Option<Spanned<String>>,
    /// How far apart two copies of one story may be.
    pub window: Option<Spanned<String>>,
}

/// One `[[feed]]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawFeed {
    /// Unique id, `[a-z0-9-]`.
    pub id: Option<Spanned<String>>,
    /// http, https or file:// URL.
    pub url: Option<Spanned<String>>,
    /// Display title override.
    pub title: Option<Spanned<String>>,
    /// Per-feed interval override.
    pub interval: Option<Spanned<String>>,
    /// Per-feed override of `[polling] allow_private`.
    pub allow_private: Option<Spanned<bool>>,
    /// Tags (`[a-z0-9-]`): the feed is in `/tags/<tag>.atom` and `?tag=<tag>`.
    #[serde(default)]
    pub tags: Vec<Spanned<String>>,
    /// Fetch each entry's article: true, false or "auto" (see [`super::full_text`]).
    pub full_text: Option<Spanned<toml::Value>>,
    /// CSS selector of the article on its page.
    pub content_selector: Option<Spanned<String>>,
    /// CSS selector of what to drop from the page before extraction.
    pub exclude_selector: Option<Spanned<String>>,
    /// This feed's `block` rule.
    pub block: Option<Spanned<String>>,
    /// This feed's `keep` rule.
    pub keep: Option<Spanned<String>>,
    // The feed's own HTTP settings (see `crate::config::FeedHttp`).
    /// `User-Agent` instead of showfeed's.
    pub user_agent: Option<Spanned<String>>,
    /// Extra request headers: `headers = { Referer = "https://site/" }`.
    pub headers: Option<Spanned<std::collections::BTreeMap<String, Spanned<String>>>>,
    /// A `Cookie` header.
    pub cookie: Option<Spanned<String>>,
    /// Basic auth user name.
    pub username: Option<Spanned<String>>,
    /// Not accepted (secrets stay out of the file): only here to say so precisely.
    pub password: Option<Spanned<toml::Value>>,
    /// Environment variable holding the basic auth password.
    pub password_env: Option<Spanned<String>>,
    /// File holding the basic auth password.
    pub password_file: Option<Spanned<String>>,
    /// Proxy URL.
    pub proxy: Option<Spanned<String>>,
    /// `false`: HTTP/1.1 only.
    pub http2: Option<Spanned<bool>>,
    /// Whole-fetch timeout for this feed.
    pub timeout: Option<Spanned<String>>,
}

/// One `[[show]]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawShow {
    /// Canonical name.
    pub name: Option<Spanned<String>>,
    /// Alternate titles.
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
    /// URL-safe identifier.
    pub slug: Option<Spanned<String>>,
    /// true: only tag with TV context nearby; false: tag any whole-word match; absent: decide
    /// by how ordinary the name is.
    pub require_context: Option<Spanned<bool>>,
    /// Phrases that, where they contain the match, mean it is not the show ("bear market").
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// Spoiler embargo: recaps, reviews and entries naming an episode are held this long
    /// (humantime) after publication.
    pub spoilers: Option<Spanned<String>>,
    /// Every entry about the show held until this TOML date or date-time.
    pub spoilers_until: Option<Spanned<toml::Value>>,
}

/// The keys each table accepts; anything else is an error. Kept beside the types above so a
/// new field is added in one place.
pub const KNOWN_KEYS: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "server", "storage", "polling", "dedup", "feed", "show", "view", "rules", "websub",
        ],
    ),
    ("websub", super::websub::KEYS),
    (
        "server",
        &["listen", "public_url", "title", "log_level", "admin_token"],
    ),
    (
        "storage",
        &[
            "path",
            "retention_days",
            "max_entries",
            "cache",
            "prune_every",
        ],
    ),
    (
        "polling",
        &[
            "interval",
            "concurrency",
            "per_host",
            "timeout",
            "max_body",
            "max_interval",
            "min_interval",
            "min_gap",
            "adaptive",
            "allow_private",
        ],
    ),
    ("dedup", &["mode", "window"]),
    (
        "feed",
        &[
            "id",
            "url",
            "title",
            "interval",
            "allow_private",
            "tags",
            "full_text",
            "content_selector",
            "exclude_selector",
            "block",
            "keep",
            "user_agent",
            "headers",
            "cookie",
            "username",
            "password",
            "password_env",
            "password_file",
            "proxy",
            "http2",
            "timeout",
        ],
    ),
    ("rules", &["block", "keep"]),
    (
        "show",
        &[
            "name",
            "aliases",
            "slug",
            "require_context",
            "exclude",
            "spoilers",
            "spoilers_until",
        ],
    ),
    (
        "view",
        &[
            "name",
            "title",
            "show",
            "exclude_show",
            "season",
            "kind",
            "lang",
            "source",
            "tag",
            "q",
            "since",
            "limit",
            "spoilers",
            "spoilers_until",
            "notify",
        ],
    ),
];
