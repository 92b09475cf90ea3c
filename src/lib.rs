//! showfeed follows entertainment news by show.
//!
//! It polls the feeds listed in `feeds.toml`, deduplicates what it gets, tags every entry
//! with the shows it is about (season and episode included), stores everything in sled and
//! serves one merged, filterable feed (Atom, RSS, JSON Feed) over HTTP, so a reader
//! subscribes to one URL per show instead of twenty outlets.
//!
//! # Layout
//!
//! The modules read as the data flow, one stage each, and dependencies point down it:
//!
//! ```text
//! feeds.toml -> config -> scheduler -> poll (fetch -> parse -> normalize -> dedup -> tag
//!            -> store) -> output -> serve
//! ```
//!
//! - [`config`]: feeds.toml read and validated into typed values; every error at once; the
//!   diff a reload applies.
//! - [`scheduler`]: one due queue that starts each feed's poll when due (or asked), global
//!   and per-host limits, on-demand polls, retention, the batched state write-back and re-tagging, all
//!   under one cancellation token.
//! - [`poll`]: one feed's refresh, read straight down ([`poll::refresh`]); the feed state's
//!   transitions and backoff ([`poll::state`]); where tagging and dedup meet the store
//!   ([`poll::ingest`]); re-tagging ([`poll::retag`]).
//! - [`fetch`]: HTTP(S) and `file://` with validators, caps, timeouts and the SSRF guard.
//! - [`parse`]: bytes to the feed-rs model, repairing the usual breakage first.
//! - [`normalize`]: to our [`entry::Entry`]: plain titles, sanitized HTML, canonical links,
//!   clamped dates, stable ids.
//! - [`dedup`]: exact-duplicate link keys and near-duplicate story matching, in memory.
//! - [`tag`]: the shows an entry is about (one automaton over the whole show list), their
//!   seasons and episodes, and the kind of news.
//! - [`store`]: sled (no other module names a sled type): entries and their indexes, feed
//!   states, health events, group-commit flush, retention, writability and the read-only
//!   copy, versioned values.
//! - [`query`]: the query language of the documents, below both the config (views are
//!   queries) and the output.
//! - [`output`]: what is shown, to HTTP and the CLI alike: selection over the indexes, the
//!   document model, the Atom/RSS/JSON writers, the health feed, status rows, suggestions
//!   and story counts.
//! - [`websub`]: WebSub, above the poll and below serve: subscriptions to the hubs feeds
//!   advertise (found by [`parse::hubs`]), the callback that verifies them and ingests
//!   signed pushes like a poll, and the pings that announce our own changed documents.
//! - [`notify`]: the new stories of views with `notify` targets, queued in the store and
//!   sent (ntfy, JSON webhooks) in the background, downstream of the polls that found them.
//! - [`serve`]: HTTP only: the axum router, caching, ETags and 304s, the index page, and
//!   the one place errors become statuses.
//!
//! Around them: [`daemon`] runs `showfeed run` (store, scheduler and server under the one
//! shutdown path, reloads, the store watch); [`commands`] holds the one-shot commands and
//! the client that asks a running daemon; [`cli`] defines the command line; [`shutdown`]
//! turns SIGINT/SIGTERM into one cancellation every task watches; [`reload`] turns SIGHUP
//! and file changes into reload requests; [`systemd`] speaks the notify protocol and feeds
//! the watchdog; [`metrics`] holds the Prometheus registry; [`opml`] exports and imports
//! source lists. Leaf modules every stage may use: [`entry`] (the entry model), [`vocab`]
//! (news kinds, tracking parameters), [`clock`], [`errors`] (error lines for people) and
//! [`text`].

pub mod article;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod daemon;
pub mod dedup;
pub mod discover;
pub mod entry;
pub mod errors;
pub mod fetch;
pub mod limits;
pub mod metrics;
pub mod normalize;
pub mod notify;
pub mod opml;
pub mod output;
pub mod parse;
pub mod poll;
pub mod query;
pub mod reload;
pub mod scheduler;
pub mod secret;
pub mod serve;
pub mod shutdown;
pub mod store;
pub mod systemd;
pub mod tag;
pub mod text;
pub mod vocab;
pub mod websub;
