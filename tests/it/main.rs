//! Integration tests: a real loopback HTTP server serving fixture feeds, a real sled store in
//! a temp dir, and the real binary where it matters.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod adaptive;
mod add_feed;
mod admin;
mod cli;
mod conformance;
mod corpus;
mod crash;
mod daemon;
mod dedup_pairs;
mod discovery_pages;
mod disk;
mod doc_cache;
mod feed_http;
mod first_hour;
mod full_text;
mod fuzz_regressions;
mod hostile;
mod icons;
mod languages;
mod notify;
mod operations;
mod opml_import;
mod output;
mod packaging;
mod pipeline;
mod query_lang;
mod rules;
mod scheduler;
mod showtags;
mod site_limits;
mod spoilers;
mod stories;
mod story_bridges;
mod story_classes;
mod story_settle;
mod support;
mod tagging;
mod under_load;
mod websub;
