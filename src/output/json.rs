//! JSON Feed 1.1 rendering (<https://jsonfeed.org/version/1.1>): the same entries, ids, tags
//! and links as Atom. Where JSON Feed has no field, a `_showfeed` extension object carries it
//! (source, related copies, news kinds, story).

use std::borrow::Cow;

use serde::Serialize;

use super::doc::{Doc, OutEntry, KIND_SCHEME, STORY_SCHEME};
use crate::text::escape_html;

#[derive(Serialize)]
struct Feed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_url: Option<&'a str>,
    description: String,
    icon: &'a str,
    favicon: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hubs: Vec<Hub<'a>>,
    items: Vec<Item<'a>>,
}

/// A JSON Feed 1.1 `hubs` item: `[websub] hub`.
#[derive(Serialize)]
struct Hub<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    url: &'a str,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct Attachment<'a> {
    url: &'a str,
    mime_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    size_in_bytes: Option<u64>,
}

#[derive(Serialize)]
struct Source<'a> {
    id: &'a str,
    title: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    feed_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    home_page_url: Option<&'a str>,
}

#[derive(Serialize)]
struct RelatedOut<'a> {
    url: &'a str,
    title: &'a str,
}

#[derive(Serialize)]
struct Ext<'a> {
    source: Source<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<RelatedOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    kinds: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    story: Option<&'a str>,
}

#[derive(Serialize)]
struct Item<'a> {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    title: &'a str,
    content_html: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    _showfeed: Ext<'a>,
}

fn rfc3339(t: i64) -> String {
    super::atom::time(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn item(o: &OutEntry) -> Item<'_> {
    let e = &o.entry;
    let s = &o.source;
    Item {
        id: e.id.urn(),
        url: e.link.as_deref(),
        title: &e.title,
        // JSON Feed needs content_html or content_text: the content, else the summary,
        // else (an entry with no text) the title, as Atom shows it.
        content_html: match e.content.as_deref().or(e.summary.as_deref()) {
            Some(html) => Cow::Borrowed(html),
            None => Cow::Owned(escape_html(&e.title)),
        },
        summary: e.summary.as_deref().map(crate::text::html_to_text),
        image: e.image.as_deref(),
        date_published: rfc3339(e.published),
        date_modified: rfc3339(e.updated),
        authors: e.authors.iter().map(|a| Author { name: a }).collect(),
        tags: o
            .categories
            .iter()
            .filter(|c| c.scheme.is_none())
            .map(|c| c.term.as_str())
            .collect(),
        attachments: e
            .enclosures
            .iter()
            .map(|x| Attachment {
                url: &x.url,
                mime_type: x.mime.as_deref().unwrap_or("application/octet-stream"),
                size_in_bytes: x.length,
            })
            .collect(),
        language: e.language.as_deref(),
        _showfeed: Ext {
            source: Source {
                id: &s.id,
                title: &s.title,
                feed_url: &s.feed_url,
                home_page_url: s.site_link.as_deref(),
            },
            related: o
                .related
                .iter()
                .map(|r| RelatedOut {
                    url: &r.href,
                    title: &r.title,
                })
                .collect(),
            kinds: o
                .categories
                .iter()
                .filter(|c| c.scheme == Some(KIND_SCHEME))
                .map(|c| c.term.as_str())
                .collect(),
            story: o
                .categories
                .iter()
                .find(|c| c.scheme == Some(STORY_SCHEME))
                .map(|c| c.term.as_str()),
        },
    }
}

/// Renders `doc` as JSON Feed 1.1.
pub fn render(doc: &Doc) -> Result<Vec<u8>, String> {
    let feed = Feed {
        version: "https://jsonfeed.org/version/1.1",
        title: &doc.title,
        home_page_url: &doc.home_url,
        feed_url: &doc.self_url,
        next_url: doc.next_url.as_deref(),
        description: format!(
            "{}: entertainment news by show, merged by showfeed",
            doc.title
        ),
        icon: &doc.logo,
        favicon: &doc.icon,
        language: doc.language(),
        hubs: doc
            .hubs
            .iter()
            .map(|url| Hub {
                kind: "WebSub",
                url,
            })
            .collect(),
        items: doc.entries.iter().map(item).collect(),
    };
    serde_json::to_vec_pretty(&feed).map_err(|e| e.to_string())
}
