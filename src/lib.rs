//! showfeed follows entertainment news by show.
//!
//! It polls the feeds listed in `feeds.toml`, deduplicates what it gets, tags every entry
//! with the shows it is about (season and episode included), stores everything in sled and
//! serves one merged, filterable feed (Atom, RSS, JSON Feed) over HTTP, so a reader
//! subscribes to one URL per show instead of twenty outlets.
//!
//! # Layout
//!
//! The modules read as the data flow, one stage each:
//!
//! ```text
//! feeds.toml -> config -> scheduler -> fetch -> parse -> normalize -> dedup -> tag -> store -> serve
//! ```
//!
//! - [`config`]: feeds.toml read and validated into typed values; every error at once; the
//!   diff a reload applies.
//! - [`scheduler`]: due times, jitter, backoff, global and per-host concurrency.
//! - [`pipeline`]: one feed's refresh from fetch to store, readable in one function, and
//!   `ingest`, where tagging and dedup meet the store.
//! - [`fetch`]: HTTP(S) and `file://` with validators, caps, timeouts and the SSRF guard.
//! - [`parse`]: bytes to the feed-rs model, repairing the usual breakage first.
//! - [`normalize`]: to our [`entry::Entry`]: plain titles, sanitized HTML, canonical links,
//!   clamped dates, stable ids.
//! - [`dedup`]: exact-duplicate link keys and near-duplicate story matching, in memory.
//! - [`tag`]: the shows an entry is about (one automaton over the whole show list), their
//!   seasons and episodes, and the kind of news.
//! - [`store`]: sled trees, key encoding, versioned values, retention, health events.
//! - [`serve`]: the axum router, strict query parsing, selection over the indexes, the
//!   Atom/RSS/JSON renderers, the index page, status, metrics and the health feed.
//!
//! Around them: [`app`] wires the daemon and the CLI commands together and owns the one
//! shutdown path and reloads; [`shutdown`] turns SIGINT/SIGTERM into one cancellation every
//! task watches; [`reload`] turns SIGHUP and file changes into reload requests; [`systemd`]
//! speaks the notify protocol and feeds the watchdog; [`metrics`] holds the Prometheus
//! registry; [`opml`] exports and imports source lists; [`text`] holds text helpers the
//! stages share.

pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod daemon;
pub mod dedup;
pub mod entry;
pub mod errors;
pub mod fetch;
pub mod metrics;
pub mod normalize;
pub mod opml;
pub mod output;
pub mod parse;
pub mod poll;
pub mod query;
pub mod reload;
pub mod scheduler;
pub mod serve;
pub mod shutdown;
pub mod store;
pub mod systemd;
pub mod tag;
pub mod text;
pub mod vocab;
