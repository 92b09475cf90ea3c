//! Configuration: feeds.toml read, checked and turned into typed values before anything runs.
//!
//! Two layers, as in ripgrep and rss-funnel: [`raw`] mirrors the file for serde, and
//! [`Config`] holds validated, typed values (URLs parsed, durations in range, ids unique) that
//! the rest of the program can trust. Every problem in the file is collected and reported at
//! once, each with `file:line:column` and the feed or show it concerns, so an admin fixes the
//! whole file in one pass.

mod diff;
pub mod full_text;
pub mod http;
mod listen;
pub mod notify;
pub mod raw;
mod validate;
pub mod websub;

pub use diff::{diff, ConfigDiff};
pub use full_text::{FullText, FullTextMode};
pub use http::{BasicAuth, FeedHttp, Password};
pub use notify::{NotifyKind, NotifyTarget};
pub use websub::WebSub;

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use url::Url;

pub use listen::{listen_in, parse_listen, server_key_in};

/// Environment variable that sets `[server] admin_token` (so the secret can stay out of
/// the file, as containers and systemd credentials prefer).
pub const TOKEN_ENV: &str = "SHOWFEED_ADMIN_TOKEN";
/// Shortest admin token accepted: a guessable token protects nothing.
pub const MIN_TOKEN: usize = 16;
pub use validate::slugify;

/// The news kinds tagging assigns (category terms in their own scheme).
pub use crate::vocab::NEWS_KINDS;

/// Environment variable naming the config file when `--config` is absent.
pub const CONFIG_ENV: &str = "SHOWFEED_CONFIG";
/// Config file used when neither `--config` nor `$SHOWFEED_CONFIG` is given.
pub const DEFAULT_CONFIG: &str = "feeds.toml";

/// The validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The file this was read from.
    pub file: PathBuf,
    /// The file's text, as validated.
    pub text: String,
    /// `[server]`
    pub server: Server,
    /// `[storage]`
    pub storage: Storage,
    /// `[polling]`
    pub polling: Polling,
    /// `[dedup]`
    pub dedup: Dedup,
    /// `[[feed]]`, in file order.
    pub feeds: Vec<Feed>,
    /// `[[show]]`, in file order.
    pub shows: Vec<Show>,
    /// `[[view]]`, in file order.
    pub views: Vec<View>,
    /// `[rules]`: the ingest rules of every feed (each feed may add its own).
    pub rules: Rules,
    /// `[websub]`
    pub websub: WebSub,
    /// Feed id -> position in `feeds` (lookups per request with thousands of feeds).
    pub feed_index: std::collections::HashMap<String, usize>,
    /// Every tag some feed has -> the ids of the feeds that have it, in file order.
    pub tags: std::collections::BTreeMap<String, Vec<String>>,
    /// Show slug -> its spoiler embargo (`[[show]] spoilers`, `spoilers_until`), for the
    /// shows that have one.
    pub spoilers: std::collections::BTreeMap<String, Spoilers>,
}

/// A spoiler embargo (`spoilers`, `spoilers_until`) of a show or a view; see
/// `output::embargo` for what it holds back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spoilers {
    /// `spoilers = "48h"`: recaps, reviews and entries naming an episode are held this
    /// long after their publication.
    pub hold: Option<Duration>,
    /// `spoilers_until = 2026-06-30`: every entry (of the show, or of the view) is held
    /// until this instant (Unix seconds; a date is its first second, UTC).
    pub until: Option<i64>,
}

impl Spoilers {
    /// Whether either setting is present.
    pub fn is_set(&self) -> bool {
        self.hold.is_some() || self.until.is_some()
    }
}

/// A named, saved query served at `/views/<name>.<format>`.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// URL segment, `[a-z0-9-]`.
    pub name: String,
    /// Document title.
    pub title: Option<String>,
    /// The filters as a query string (same syntax as the HTTP query), already validated.
    pub query: String,
    /// The view's own spoiler embargo, on top of the shows' (`spoilers`, `spoilers_until`).
    pub spoilers: Spoilers,
    /// Where each new story of the view is announced (`notify`).
    pub notify: Vec<NotifyTarget>,
}

/// HTTP server settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    /// Address to bind.
    pub listen: SocketAddr,
    /// Base URL for self links and feed ids, without a trailing slash.
    pub public_url: Url,
    /// Title of the merged feed.
    pub title: String,
    /// Default tracing filter when RUST_LOG is unset.
    pub log_level: String,
    /// Bearer token the admin endpoints (`/status`, `/metrics`, `/admin/*`) require, when
    /// set; required once `listen` is not loopback.
    pub admin_token: Option<String>,
}

/// Storage settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Storage {
    /// sled directory, resolved against the config file's directory.
    pub path: PathBuf,
    /// Entries older than this are pruned (and never ingested).
    pub retention: Duration,
    /// At most this many entries are kept; the oldest go first.
    pub max_entries: usize,
    /// sled page cache in bytes.
    pub cache_bytes: u64,
    /// How often retention runs: a store that fills fast (many feeds, a low `max_entries`)
    /// is pruned more often, so it stays near its bound.
    pub prune_every: Duration,
}

/// Polling settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Polling {
    /// Default interval between two polls of a feed.
    pub interval: Duration,
    /// Polls in flight at once.
    pub concurrency: usize,
    /// Polls in flight at once against one site.
    pub per_host: usize,
    /// Least time between the starts of two requests to one site (feeds and articles).
    pub min_gap: Duration,
    /// Total time allowed for one fetch, body included.
    pub timeout: Duration,
    /// Body cap in bytes, counted after decompression.
    pub max_body: u64,
    /// Upper bound for server hints (Cache-Control max-age, RSS ttl) that stretch an interval,
    /// and for adaptive intervals.
    pub max_interval: Duration,
    /// Lower bound for adaptive intervals.
    pub min_interval: Duration,
    /// Whether feeds without an `interval` of their own poll adaptively (`interval = "auto"`
    /// or `adaptive = true` in `[polling]`).
    pub adaptive: bool,
    /// Default of each feed's `allow_private`.
    pub allow_private: bool,
}

/// How near-duplicate stories are presented (used by the dedup stage).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DedupMode {
    /// One entry per story, other copies as `rel="related"` links.
    Collapse,
    /// Every copy stays an entry; copies share a story category.
    Mark,
    /// No near-duplicate merging.
    Off,
}

/// Dedup settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Dedup {
    /// Presentation of near duplicates.
    pub mode: DedupMode,
    /// How far apart in time two copies of one story may be.
    pub window: Duration,
}

/// One source feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    /// Unique id, `[a-z0-9-]+`.
    pub id: String,
    /// Where to fetch it: http, https or file.
    pub url: Url,
    /// Title override for the output.
    pub title: Option<String>,
    /// Interval between polls of this feed; with `adaptive`, the one used while its posting
    /// rate is unknown.
    pub interval: Duration,
    /// `interval = "auto"`: the interval follows the feed's posting rate (the poll stage's
    /// cadence), within `[polling] min_interval` / `max_interval`.
    pub adaptive: bool,
    /// May reach private, loopback and link-local addresses through its host name (SSRF
    /// guard off for this feed).
    pub allow_private: bool,
    /// Tags (`[a-z0-9-]`, no repeats), in file order: the feed's stories are in
    /// `/tags/<tag>.<format>` and answer `?tag=<tag>`.
    pub tags: Vec<String>,
    /// Its own HTTP settings (user agent, headers, cookie, auth, proxy, HTTP/1.1, timeout).
    pub http: FeedHttp,
    /// Whether and how each entry's article is fetched (`full_text`, `content_selector`,
    /// `exclude_selector`).
    pub full_text: FullText,
    /// `block` / `keep`: this feed's own ingest rules.
    pub rules: Rules,
}

/// A feed id that names no configured feed (`poll --feed`, `fetch-text --feed`).
#[derive(Debug, thiserror::Error)]
#[error("no feed with id {0:?} is configured")]
pub struct UnknownFeed(pub String);

/// An ingest rule: an expression of the query language (see [`crate::query`]) and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// As written in feeds.toml.
    pub text: String,
    /// Parsed; never empty (a rule without a condition is refused).
    pub expr: crate::query::Expr,
}

/// A `block` rule (entries that match are dropped) and a `keep` rule (entries that do not
/// match are dropped), either optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rules {
    /// Drop what matches.
    pub block: Option<Rule>,
    /// Drop what does not match.
    pub keep: Option<Rule>,
}

impl Feed {
    /// The site that per-host concurrency limits count by: the registrable domain of the
    /// URL's host (public suffix list: `a.tumblr.com` and `b.tumblr.com` are `tumblr.com`,
    /// `news.bbc.co.uk` is `bbc.co.uk`, while `a.github.io` stays itself, `github.io` being
    /// a suffix), an IP address as it is, `file` for local files.
    pub fn host_key(&self) -> String {
        site_key(&self.url)
    }
}

/// The site of a URL as per-host limits count it (see [`Feed::host_key`]): feeds and the
/// articles they link to share one budget per site.
pub fn site_key(url: &Url) -> String {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            psl::domain_str(&d).map_or_else(|| d.clone(), str::to_owned)
        }
        Some(ip) => ip.to_string(),
        None => "file".to_owned(),
    }
}

/// One show to tag entries with.
#[derive(Debug, Clone, PartialEq)]
pub struct Show {
    /// Canonical name, used as the category label.
    pub name: String,
    /// Alternate titles.
    pub aliases: Vec<String>,
    /// Category term and URL path segment.
    pub slug: String,
    /// `Some(true)`: tag only with TV context nearby; `Some(false)`: any whole-word match;
    /// `None`: decided by how ordinary the name is.
    pub require_context: Option<bool>,
    /// Phrases that, where they contain a match, mean it is not this show.
    pub exclude: Vec<String>,
}

impl Config {
    /// Whether this config may run: a listener reachable from other machines needs an admin
    /// token, or `/status`, `/metrics` and `/admin/*` (the raw config among them) would be
    /// open to anyone who reaches the port. The error says what to do.
    pub fn check_exposure(&self) -> Result<(), String> {
        if self.server.admin_token.is_some() || self.server.listen.ip().is_loopback() {
            return Ok(());
        }
        Err(format!(
            "`listen` = {} is reachable from other machines, so the admin endpoints (/status, /metrics, /admin/*) need a token: set `[server] admin_token` (at least {MIN_TOKEN} characters) or ${TOKEN_ENV}, or listen on loopback",
            self.server.listen
        ))
    }

    /// Listens at `addr` instead of `[server] listen` (the `--listen` flag); a `public_url`
    /// the file left to its default follows the new port.
    pub fn set_listen(&mut self, addr: SocketAddr) {
        let default = format!("http://localhost:{}/", self.server.listen.port());
        if self.server.public_url.as_str() == default {
            if let Ok(u) = Url::parse(&format!("http://localhost:{}", addr.port())) {
                self.server.public_url = u;
            }
        }
        self.server.listen = addr;
    }

    /// Reads and validates `file`. `data_override` (the `--data` flag) replaces
    /// `[storage] path`.
    pub fn load(file: &Path, data_override: Option<&Path>) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|source| ConfigError::Read {
            path: file.to_path_buf(),
            source,
        })?;
        let mut config = Config::parse(&text, file)?;
        if let Some(dir) = data_override {
            config.storage.path = dir.to_path_buf();
        }
        Ok(config)
    }

    /// Validates config text; `file` names it in errors and anchors relative paths.
    pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
        validate::validate(text, file).map_err(ConfigError::Invalid)
    }

    /// The show with this slug.
    pub fn show(&self, slug: &str) -> Option<&Show> {
        self.shows.iter().find(|s| s.slug == slug)
    }

    /// The view with this name.
    pub fn view(&self, name: &str) -> Option<&View> {
        self.views.iter().find(|v| v.name == name)
    }

    /// The feed with this id.
    pub fn feed(&self, id: &str) -> Option<&Feed> {
        self.feed_index.get(id).and_then(|&i| self.feeds.get(i))
    }

    /// The ids of the feeds tagged `tag`, in file order; `None` when no feed has it.
    pub fn tag(&self, tag: &str) -> Option<&[String]> {
        self.tags.get(tag).map(Vec::as_slice)
    }
}

/// Why a config could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read at all.
    #[error("cannot read config file {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file was read but has errors.
    #[error("{0}")]
    Invalid(Diagnostics),
    /// The config (with the command line's overrides) would expose the admin endpoints.
    #[error("{0}")]
    Exposed(String),
}

/// One problem in the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What it concerns, e.g. "feed `variety-tv`".
    pub subject: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// Every problem found in one config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    /// The file.
    pub file: PathBuf,
    /// The problems, in file order.
    pub items: Vec<Diagnostic>,
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.items.len();
        write!(
            f,
            "{} error{} in {}",
            n,
            if n == 1 { "" } else { "s" },
            self.file.display()
        )?;
        for d in &self.items {
            write!(f, "\n  {}:{}:{}: ", self.file.display(), d.line, d.column)?;
            if let Some(subject) = &d.subject {
                write!(f, "{subject}: ")?;
            }
            f.write_str(&d.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
