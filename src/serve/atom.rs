//! Atom 1.0 (RFC 4287) rendering of a list of entries.

use std::collections::HashMap;

use atom_syndication as atom;
use chrono::{DateTime, FixedOffset};

use crate::entry::Entry;
use crate::text::xml_safe;

/// Where an entry came from, for `atom:source`.
#[derive(Debug, Clone)]
pub struct SourceInfo {
    /// The configured feed id.
    pub id: String,
    /// IRI naming the source in our output: `{public_url}/sources/{id}.atom`.
    pub iri: String,
    /// Display title (config override, else the feed's own, else the id).
    pub title: String,
    /// The feed's URL.
    pub feed_url: String,
    /// The feed's website, when it names one.
    pub site_link: Option<String>,
}

/// Document-level facts.
#[derive(Debug, Clone)]
pub struct DocMeta {
    /// Feed title.
    pub title: String,
    /// Absolute URL of this document (rel=self); also its id.
    pub self_url: String,
    /// Absolute URL of the index page (rel=alternate).
    pub home_url: String,
}

/// Unix seconds to an RFC 3339 timestamp in UTC.
pub fn time(t: i64) -> DateTime<FixedOffset> {
    DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .fixed_offset()
}

fn link(
    href: &str,
    rel: &str,
    mime: Option<&str>,
    title: Option<&str>,
    length: Option<u64>,
) -> atom::Link {
    atom::Link {
        href: href.to_owned(),
        rel: rel.to_owned(),
        mime_type: mime.map(str::to_owned),
        title: title.map(str::to_owned),
        length: length.map(|l| l.to_string()),
        ..Default::default()
    }
}

fn image_mime(url: &str) -> Option<&'static str> {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    [
        (".jpg", "image/jpeg"),
        (".jpeg", "image/jpeg"),
        (".png", "image/png"),
        (".gif", "image/gif"),
        (".webp", "image/webp"),
        (".avif", "image/avif"),
    ]
    .iter()
    .find(|(ext, _)| path.ends_with(ext))
    .map(|(_, m)| *m)
}

/// Renders `entries` (already in output order) as an Atom document.
pub fn render(
    meta: &DocMeta,
    entries: &[Entry],
    sources: &HashMap<String, SourceInfo>,
) -> Result<Vec<u8>, String> {
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or(0);
    let feed = atom::Feed {
        title: atom::Text::plain(xml_safe(&meta.title).into_owned()),
        id: meta.self_url.clone(),
        updated: time(updated),
        authors: vec![atom::Person {
            name: xml_safe(&meta.title).into_owned(),
            ..Default::default()
        }],
        generator: Some(atom::Generator {
            value: "showfeed".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
            ..Default::default()
        }),
        links: vec![
            link(
                &meta.self_url,
                "self",
                Some("application/atom+xml"),
                None,
                None,
            ),
            link(&meta.home_url, "alternate", Some("text/html"), None, None),
        ],
        entries: entries.iter().map(|e| entry(e, sources)).collect(),
        ..Default::default()
    };
    feed.write_to(Vec::new()).map_err(|e| e.to_string())
}

fn entry(e: &Entry, sources: &HashMap<String, SourceInfo>) -> atom::Entry {
    let mut links = Vec::new();
    if let Some(l) = &e.link {
        links.push(link(l, "alternate", Some("text/html"), None, None));
    }
    for enc in &e.enclosures {
        links.push(link(
            &enc.url,
            "enclosure",
            enc.mime.as_deref(),
            None,
            enc.length,
        ));
    }
    if let Some(img) = &e.image {
        if !e.enclosures.iter().any(|x| &x.url == img) {
            links.push(link(img, "enclosure", image_mime(img), None, None));
        }
    }
    let source = sources.get(&e.feed_id);
    atom::Entry {
        title: atom::Text::plain(e.title.clone()),
        id: e.id.urn(),
        updated: time(e.updated),
        published: Some(time(e.published)),
        authors: e
            .authors
            .iter()
            .map(|a| atom::Person {
                name: a.clone(),
                ..Default::default()
            })
            .collect(),
        links,
        summary: e.summary.clone().map(atom::Text::html),
        content: e.content.clone().map(|c| atom::Content {
            value: Some(c),
            content_type: Some("html".into()),
            ..Default::default()
        }),
        source: source.map(|s| atom::Source {
            id: s.iri.clone(),
            title: atom::Text::plain(xml_safe(&s.title).into_owned()),
            updated: time(e.updated),
            links: std::iter::once(link(&s.feed_url, "self", None, None, None))
                .chain(
                    s.site_link
                        .iter()
                        .map(|l| link(l, "alternate", Some("text/html"), None, None)),
                )
                .collect(),
            ..Default::default()
        }),
        ..Default::default()
    }
}
