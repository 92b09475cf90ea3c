//! showfeed follows entertainment news by show.
//!
//! It polls the feeds listed in `feeds.toml`, stores their entries in sled and serves them as
//! one merged Atom feed over HTTP, so a feed reader subscribes to one URL instead of twenty.
//!
//! # Layout
//!
//! The modules read as the data flow, one stage each:
//!
//! ```text
//! feeds.toml -> config -> scheduler -> fetch -> parse -> normalize -> store -> serve
//! ```
//!
//! - [`config`]: feeds.toml read and validated into typed values; every error at once.
//! - [`scheduler`]: due times, jitter, backoff, global and per-host concurrency.
//! - [`pipeline`]: one feed's refresh from fetch to store, readable in one screen.
//! - [`fetch`]: HTTP(S) and `file://` with validators, caps and timeouts.
//! - [`parse`]: bytes to the feed-rs model, repairing the usual breakage first.
//! - [`normalize`]: to our [`entry::Entry`]: plain titles, sanitized HTML, canonical links,
//!   clamped dates, stable ids.
//! - [`dedup`]: exact-duplicate link keys and near-duplicate story matching, in memory.
//! - [`tag`]: the shows an entry is about (one automaton over the whole show list), their
//!   seasons and episodes, and the kind of news.
//! - [`store`]: sled trees, key encoding, versioned values, retention.
//! - [`serve`]: the axum router and the Atom renderer.
//!
//! Around them: [`app`] wires the daemon and the CLI commands together, [`shutdown`] turns
//! SIGINT/SIGTERM into one cancellation every task watches, [`text`] holds text helpers the
//! stages share. Dedup and show tagging slot in between `normalize` and `store`.

pub mod app;
pub mod cli;
pub mod config;
pub mod dedup;
pub mod entry;
pub mod fetch;
pub mod metrics;
pub mod normalize;
pub mod opml;
pub mod parse;
pub mod pipeline;
pub mod reload;
pub mod scheduler;
pub mod serve;
pub mod shutdown;
pub mod store;
pub mod systemd;
pub mod tag;
pub mod text;
