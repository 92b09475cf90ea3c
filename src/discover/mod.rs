//! Discover: from a site or page URL to the feeds it offers (`showfeed add`), the way
//! Miniflux's subscription finder does it.
//!
//! 1. The URL itself may be a feed: then it is the one candidate.
//! 2. A YouTube channel or playlist page (by its URL, or its canonical link: a `/@handle`
//!    page's is the channel) gives its feed URL ([`youtube`]).
//! 3. The page's `<link rel="alternate">` of the RSS, Atom and JSON Feed types, resolved
//!    against `<base href>` or the page's URL after redirects ([`page`]).
//! 4. Only when the page names none: the well-known paths (`feed/`, `rss/`, `atom.xml`...)
//!    at the site's root and in the page's directory.
//!
//! Every candidate is fetched through the normal [`Fetcher`] (SSRF guard, caps, timeouts)
//! and parsed by [`crate::parse`], so only what the daemon could poll is offered. A link to
//! a literal private address on a page of another host is refused like a redirect there.

pub mod page;
pub mod youtube;

use std::time::Duration;

use url::Url;

use crate::config::FeedHttp;
use crate::fetch::{is_private, Fetched, Fetcher, Validators};
use crate::text::{collapse_whitespace, html_to_text};

/// The paths tried when a page names no feed, relative to the site's root and to the page's
/// directory (Miniflux's list).
pub const WELL_KNOWN: &[&str] = &[
    "atom.xml",
    "feed.atom",
    "feed.xml",
    "feed/",
    "index.rss",
    "index.xml",
    "rss.xml",
    "rss/",
    "rss/feed.xml",
];

/// At most this many of a page's links are fetched (a page may link hundreds of category
/// feeds).
pub const MAX_CANDIDATES: usize = 12;

/// How a candidate was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The URL given is a feed.
    Given,
    /// The YouTube channel or playlist feed of the page.
    YouTube,
    /// A `<link rel="alternate">` of the page.
    Alternate,
    /// A well-known path that answered with a feed.
    WellKnown,
}

impl Via {
    /// In a few words, for the listing.
    pub fn label(self) -> &'static str {
        match self {
            Via::Given => "the URL given",
            Via::YouTube => "YouTube feed of the page",
            Via::Alternate => "linked from the page",
            Via::WellKnown => "well-known path",
        }
    }
}

/// A feed that a candidate turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedInfo {
    /// Its own title, as plain text.
    pub title: Option<String>,
    /// Items in the document.
    pub items: usize,
    /// RSS, Atom or JSON Feed.
    pub format: &'static str,
}

/// One candidate and what fetching it gave.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Its URL.
    pub url: Url,
    /// How it was found.
    pub via: Via,
    /// The link's `title` on the page, if any.
    pub link_title: Option<String>,
    /// The feed it is, or why it is not one.
    pub result: Result<FeedInfo, String>,
}

impl Candidate {
    /// Whether the fetch failed on the way (rather than fetching something that is no
    /// feed): a YouTube feed URL is known good in form and can still be added then.
    pub fn unreachable(&self) -> bool {
        matches!(&self.result, Err(why) if why.starts_with("cannot fetch"))
    }
}

/// What discovery found.
#[derive(Debug, Clone)]
pub struct Discovery {
    /// The page's URL after redirects.
    pub page_url: Url,
    /// The page's `<title>` (a YouTube page's without " - YouTube").
    pub page_title: Option<String>,
    /// Every candidate tried, in order of preference.
    pub candidates: Vec<Candidate>,
}

impl Discovery {
    /// The feed to add: the first candidate that is a feed; else a YouTube feed that could
    /// not be fetched from here (its URL form is YouTube's own).
    pub fn chosen(&self) -> Option<&Candidate> {
        self.candidates
            .iter()
            .find(|c| c.result.is_ok())
            .or_else(|| {
                self.candidates
                    .iter()
                    .find(|c| c.via == Via::YouTube && c.unreachable())
            })
    }
}

/// Why nothing could be discovered.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// The URL given could not be fetched.
    #[error("cannot fetch {url}")]
    Fetch {
        /// The URL.
        url: Url,
        /// Why.
        #[source]
        source: crate::fetch::FetchError,
    },
    /// The URL answered 304 to an unconditional request, or similar nonsense.
    #[error("{url} gave no content")]
    Empty {
        /// The URL.
        url: Url,
    },
}

/// Discovers the feeds of `url`. Fails only when `url` itself cannot be fetched; an empty
/// [`Discovery::candidates`] means the page names no feed and no well-known path has one.
pub async fn discover(
    fetcher: &Fetcher,
    url: &Url,
    allow_private: bool,
) -> Result<Discovery, DiscoverError> {
    let fetched = fetcher
        .fetch(
            url,
            &Validators::default(),
            allow_private,
            &FeedHttp::default(),
        )
        .await
        .map_err(|source| DiscoverError::Fetch {
            url: url.clone(),
            source,
        })?;
    let Fetched::Body(body) = fetched else {
        return Err(DiscoverError::Empty { url: url.clone() });
    };
    let page_url = body.final_url.clone();
    if let Ok(info) = feed_info(body.bytes.clone(), body.content_type.clone()).await {
        let candidates = vec![Candidate {
            url: page_url.clone(),
            via: Via::Given,
            link_title: None,
            result: Ok(info),
        }];
        return Ok(Discovery {
            page_title: None,
            page_url,
            candidates,
        });
    }
    let html = crate::parse::decode(&body.bytes, body.content_type.as_deref());
    let page = page::scan(&html);
    let mut urls = from_page(&page, &page_url, url);
    urls.truncate(MAX_CANDIDATES);
    if urls.is_empty() {
        urls = well_known(&page_url);
    }
    let page_ref = &page_url;
    let tries = urls.into_iter().map(|(u, via, title)| async move {
        let result = confirm(fetcher, &u, via, page_ref, allow_private).await;
        Candidate {
            url: u,
            via,
            link_title: title,
            result,
        }
    });
    let mut candidates = futures_util::future::join_all(tries).await;
    // A well-known path is only offered when it is a feed: the others were guesses.
    candidates.retain(|c| c.via != Via::WellKnown || c.result.is_ok());
    let page_title = page.title.as_deref().map(|t| {
        if youtube::is_youtube(&page_url) || candidates.iter().any(|c| c.via == Via::YouTube) {
            youtube::page_name(t).to_owned()
        } else {
            t.to_owned()
        }
    });
    Ok(Discovery {
        page_url,
        page_title,
        candidates,
    })
}

/// The candidates a page names: its YouTube feed, then its alternate links, without
/// repeats.
fn from_page(page: &page::Page, page_url: &Url, given: &Url) -> Vec<(Url, Via, Option<String>)> {
    let base = page
        .base
        .as_deref()
        .and_then(|b| page_url.join(b).ok())
        .unwrap_or_else(|| page_url.clone());
    let canonical = page.canonical.as_deref().and_then(|c| base.join(c).ok());
    let mut out: Vec<(Url, Via, Option<String>)> = Vec::new();
    for page in [Some(given), Some(page_url), canonical.as_ref()]
        .into_iter()
        .flatten()
    {
        if let Some(feed) = youtube::feed_of(page) {
            push(&mut out, feed, Via::YouTube, None);
        }
    }
    for alt in &page.alternates {
        if let Ok(u) = base.join(&alt.href) {
            if matches!(u.scheme(), "http" | "https") {
                push(&mut out, u, Via::Alternate, alt.title.clone());
            }
        }
    }
    out
}

fn push(out: &mut Vec<(Url, Via, Option<String>)>, url: Url, via: Via, title: Option<String>) {
    if !out.iter().any(|(u, ..)| *u == url) {
        out.push((url, via, title));
    }
}

/// The well-known feed paths at the root of `page_url`'s site and in its directory.
fn well_known(page_url: &Url) -> Vec<(Url, Via, Option<String>)> {
    let mut out = Vec::new();
    let dirs = [page_url.join("/").ok(), page_url.join("./").ok()];
    for dir in dirs.iter().flatten() {
        for path in WELL_KNOWN {
            if let Ok(u) = dir.join(path) {
                push(&mut out, u, Via::WellKnown, None);
            }
        }
    }
    out
}

/// Fetches and parses one candidate: the feed it is, or why not.
async fn confirm(
    fetcher: &Fetcher,
    url: &Url,
    via: Via,
    page_url: &Url,
    allow_private: bool,
) -> Result<FeedInfo, String> {
    // The page, not the admin, wrote this address: the literal-IP exemption is for what
    // the admin typed.
    let private_literal = match url.host() {
        Some(url::Host::Ipv4(ip)) => is_private(ip.into()),
        Some(url::Host::Ipv6(ip)) => is_private(ip.into()),
        _ => false,
    };
    if private_literal && !allow_private && url.host() != page_url.host() {
        return Err("refused: a private, loopback or link-local address named by the page (use --allow-private to allow it)".into());
    }
    // A guess costs little time: a site that hangs on it is not worth the wait.
    let none = Validators::default();
    let http = FeedHttp::default();
    let fetch = fetcher.fetch(url, &none, allow_private, &http);
    let limit = if via == Via::WellKnown {
        Duration::from_secs(10)
    } else {
        Duration::from_secs(3600)
    };
    let fetched = match tokio::time::timeout(limit, fetch).await {
        Ok(Ok(f)) => f,
        Ok(Err(e)) => {
            let chain = crate::errors::error_chain(&e);
            let host = url.host_str().unwrap_or_default();
            return Err(format!(
                "cannot fetch: {}",
                crate::errors::short_error(&chain, host)
            ));
        }
        Err(_) => return Err("cannot fetch: timed out".into()),
    };
    let Fetched::Body(body) = fetched else {
        return Err("cannot fetch: no content".into());
    };
    feed_info(body.bytes, body.content_type)
        .await
        .map_err(|e| format!("not a feed: {e}"))
}

/// Parses `bytes` as a feed (off the async threads: a big document is CPU work).
async fn feed_info(bytes: Vec<u8>, content_type: Option<String>) -> Result<FeedInfo, String> {
    let parsed =
        tokio::task::spawn_blocking(move || crate::parse::parse(&bytes, content_type.as_deref()))
            .await
            .map_err(|e| format!("parser failed: {e}"))?
            .map_err(|e| match e {
                crate::parse::ParseError::Html => "an HTML page".to_owned(),
                e => crate::errors::error_chain(&e),
            })?;
    let format = match parsed.feed_type {
        feed_rs::model::FeedType::Atom => "Atom",
        feed_rs::model::FeedType::JSON => "JSON Feed",
        _ => "RSS",
    };
    Ok(FeedInfo {
        title: parsed
            .title
            .map(|t| collapse_whitespace(&html_to_text(&t.content)))
            .filter(|t| !t.is_empty()),
        items: parsed.entries.len(),
        format,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_resolve_against_base_and_youtube_comes_first() {
        let page = page::scan(
            r#"<base href="https://site.example/blog/"><link rel="alternate" type="application/atom+xml" href="atom.xml">
<link rel="canonical" href="https://www.youtube.com/channel/UCabcdef">"#,
        );
        let url = Url::parse("https://site.example/x/y").unwrap();
        let got: Vec<(String, Via)> = from_page(&page, &url, &url)
            .into_iter()
            .map(|(u, v, _)| (u.to_string(), v))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "https://www.youtube.com/feeds/videos.xml?channel_id=UCabcdef".to_owned(),
                    Via::YouTube
                ),
                (
                    "https://site.example/blog/atom.xml".to_owned(),
                    Via::Alternate
                )
            ]
        );
    }

    #[test]
    fn well_known_paths_at_root_and_directory() {
        let got = well_known(&Url::parse("https://site.example/blog/post").unwrap());
        assert_eq!(got.len(), 2 * WELL_KNOWN.len());
        assert_eq!(got[3].0.as_str(), "https://site.example/feed/");
        assert_eq!(
            got[WELL_KNOWN.len() + 3].0.as_str(),
            "https://site.example/blog/feed/"
        );
        assert_eq!(
            well_known(&Url::parse("https://site.example/").unwrap()).len(),
            WELL_KNOWN.len()
        );
    }
}
