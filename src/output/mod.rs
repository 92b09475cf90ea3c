//! Output: what showfeed shows, whoever asks. Documents (a query selects entries over the
//! store's indexes in [`select`], [`doc`] turns them into one format-neutral document, and
//! [`atom`], [`rss`] and [`json`] write it), the health feed ([`health`]), per-feed status
//! ([`status`]) and show suggestions ([`suggest`]). The HTTP server and the CLI both call
//! this layer, so `showfeed feed` prints exactly what `/feed.atom` serves.

pub mod atom;
pub mod clean;
pub mod counts;
pub mod doc;
pub mod embargo;
pub mod health;
pub mod json;
pub mod rss;
pub mod rules_test;
pub mod select;
pub mod status;
pub mod suggest;

use crate::config::{Config, NEWS_KINDS};
use crate::errors::did_you_mean;
use crate::query::{FeedQuery, Known, QueryError};
use crate::store::{Store, StoreError};

/// Why a document cannot be produced.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The query is invalid; the message names the parameter.
    #[error(transparent)]
    BadQuery(#[from] QueryError),
    /// No such show, source or view.
    #[error("{0}")]
    NotFound(String),
    /// The store failed.
    #[error("storage error")]
    Store(#[from] StoreError),
    /// A document could not be written.
    #[error("cannot render the document: {0}")]
    Render(String),
}

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

    /// The format a file extension names.
    pub fn from_ext(ext: &str) -> Option<Format> {
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
    /// The feeds with one tag, by tag.
    Tag(String),
}

impl DocKind {
    /// The document's path under the server's root.
    pub fn path(&self, format: Format) -> String {
        let ext = format.ext();
        match self {
            DocKind::Merged => format!("/feed.{ext}"),
            DocKind::Show(s) => format!("/shows/{s}.{ext}"),
            DocKind::Source(s) => format!("/sources/{s}.{ext}"),
            DocKind::View(s) => format!("/views/{s}.{ext}"),
            DocKind::Tag(s) => format!("/tags/{s}.{ext}"),
        }
    }
}

/// A rendered document.
#[derive(Debug)]
pub struct Document {
    /// The bytes.
    pub body: Vec<u8>,
    /// Newest `updated` among the entries (Unix seconds), or the instant a spoiler
    /// embargo on one of them ended when that is later.
    pub updated: i64,
    /// Its self link (the WebSub topic, sent in the `Link:` header too).
    pub self_url: String,
    /// When a spoiler embargo on an entry the selection passed ends: the document is
    /// another one from then on (caches drop it).
    pub expires: Option<i64>,
}

/// A document request, resolved against the config.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// What to select: the document's own filter (a show, a source, a view's filters) and
    /// the client's query string on top.
    pub query: FeedQuery,
    /// The document's title.
    pub title: String,
    /// The query string the document's own links carry: the client's parameters only, in
    /// canonical form (the path already says the show, source or view), relative times
    /// kept, so `/shows/x.atom` links to itself and a 30-day view keeps one id.
    pub link_query: String,
    /// The spoiler embargoes of the document, at the time of the request.
    pub embargo: embargo::Embargo,
}

/// The query for a document: the kind's own filter, then the client's query string.
pub fn resolve_query(
    config: &Config,
    kind: &DocKind,
    raw: Option<&str>,
    now: i64,
) -> Result<Resolved, OutputError> {
    let known = Known {
        shows: &|s| config.show(s).is_some(),
        sources: &|s| config.feed(s).is_some(),
        tags: &|t| config.tag(t),
        kinds: NEWS_KINDS,
    };
    let mut base = FeedQuery::new();
    let mut view_spoilers = None;
    let title = match kind {
        DocKind::Merged => config.server.title.clone(),
        DocKind::Show(slug) => {
            let show = config.show(slug).ok_or_else(|| {
                let hint = did_you_mean(slug, config.shows.iter().map(|s| s.slug.as_str()));
                OutputError::NotFound(format!("no show with slug {slug:?} is configured{hint}"))
            })?;
            base.shows.insert(slug.clone());
            format!("{}: {}", config.server.title, show.name)
        }
        DocKind::Source(id) => {
            let feed = config.feed(id).ok_or_else(|| {
                let hint = did_you_mean(id, config.feeds.iter().map(|f| f.id.as_str()));
                OutputError::NotFound(format!("no source feed with id {id:?} is configured{hint}"))
            })?;
            base.sources.insert(id.clone());
            format!(
                "{}: {}",
                config.server.title,
                feed.title.as_deref().unwrap_or(id)
            )
        }
        DocKind::Tag(tag) => {
            let feeds = config.tag(tag).ok_or_else(|| {
                let hint = did_you_mean(tag, config.tags.keys().map(String::as_str));
                OutputError::NotFound(format!("no feed has the tag {tag:?}{hint}"))
            })?;
            base.tags.insert(tag.clone());
            base.tag_feeds.extend(feeds.iter().cloned());
            format!("{}: {tag}", config.server.title)
        }
        DocKind::View(name) => {
            let view = config.view(name).ok_or_else(|| {
                let hint = did_you_mean(name, config.views.iter().map(|v| v.name.as_str()));
                OutputError::NotFound(format!("no view named {name:?} is configured{hint}"))
            })?;
            base = base.parse(Some(&view.query), &known, now)?;
            view_spoilers = Some(view);
            view.title
                .clone()
                .unwrap_or_else(|| format!("{}: {name}", config.server.title))
        }
    };
    let link_query = FeedQuery::new().parse(raw, &known, now)?.canonical();
    Ok(Resolved {
        query: base.parse(raw, &known, now)?,
        title,
        link_query,
        embargo: embargo::Embargo::of(config, view_spoilers, now),
    })
}

/// Renders one document (for the HTTP server and `showfeed feed`).
pub fn render(
    config: &Config,
    store: &Store,
    kind: &DocKind,
    format: Format,
    request: &Resolved,
) -> Result<Document, OutputError> {
    let page = select::select(store, &request.query, config.dedup.mode, &request.embargo)?;
    let expires = page.expires;
    let doc = doc::build(config, store, request, &kind.path(format), page)?;
    let body = match format {
        Format::Atom => atom::render(&doc),
        Format::Rss => rss::render(&doc),
        Format::Json => json::render(&doc),
    }
    .map_err(OutputError::Render)?;
    Ok(Document {
        body,
        updated: doc.updated,
        self_url: doc.self_url,
        expires,
    })
}
