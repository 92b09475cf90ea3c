//! Atom 1.0 (RFC 4287) rendering, with RFC 5005 paging links.

use atom_syndication as atom;
use chrono::{DateTime, FixedOffset};

use super::doc::{Doc, OutEntry};
use crate::text::xml_safe;

/// Unix seconds to a timestamp in UTC.
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

/// A MIME type for an image URL, from its extension.
pub fn image_mime(url: &str) -> Option<&'static str> {
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

/// Renders `doc` as Atom.
pub fn render(doc: &Doc) -> Result<Vec<u8>, String> {
    let mut links = vec![
        link(
            &doc.self_url,
            "self",
            Some("application/atom+xml"),
            None,
            None,
        ),
        link(
            &doc.first_url,
            "first",
            Some("application/atom+xml"),
            None,
            None,
        ),
        link(&doc.home_url, "alternate", Some("text/html"), None, None),
    ];
    links.extend(doc.hubs.iter().map(|h| link(h, "hub", None, None, None)));
    if let Some(next) = &doc.next_url {
        links.push(link(next, "next", Some("application/atom+xml"), None, None));
    }
    if let Some(prev) = &doc.prev_url {
        links.push(link(
            prev,
            "previous",
            Some("application/atom+xml"),
            None,
            None,
        ));
    }
    let title = xml_safe(&doc.title).into_owned();
    let feed = atom::Feed {
        title: atom::Text::plain(title.clone()),
        id: doc.first_url.clone(),
        updated: time(doc.updated),
        authors: vec![atom::Person {
            name: title,
            ..Default::default()
        }],
        generator: Some(atom::Generator {
            value: "showfeed".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
            ..Default::default()
        }),
        links,
        icon: Some(doc.icon.clone()),
        logo: Some(doc.logo.clone()),
        lang: doc.language().map(str::to_owned),
        entries: doc.entries.iter().map(entry).collect(),
        ..Default::default()
    };
    let xml = feed.write_to(Vec::new()).map_err(|e| e.to_string())?;
    Ok(super::clean::char_refs(xml))
}

/// The entry's `atom:content`: its own content; else, for an entry without a link, its
/// summary (RFC 4287 4.1.1.1: an entry with no alternate link has content; readers show it
/// as the body either way); else, for an entry with no text at all, its title as text, so
/// every entry has a body to show.
fn content(e: &crate::entry::Entry) -> Option<atom::Content> {
    let html = |c: &String| atom::Content {
        value: Some(c.clone()),
        content_type: Some("html".into()),
        ..Default::default()
    };
    if let Some(c) = &e.content {
        return Some(html(c));
    }
    match (&e.link, &e.summary) {
        (None, Some(s)) => Some(html(s)),
        (_, Some(_)) => None,
        (_, None) => Some(atom::Content {
            value: Some(e.title.clone()),
            content_type: Some("text".into()),
            ..Default::default()
        }),
    }
}

/// An entry's links: its page, the other outlets of its story, enclosures, its image.
fn links(o: &OutEntry) -> Vec<atom::Link> {
    let e = &o.entry;
    let mut links = Vec::new();
    if let Some(l) = &e.link {
        links.push(link(l, "alternate", Some("text/html"), None, None));
    }
    for r in &o.related {
        links.push(link(
            &r.href,
            "related",
            Some("text/html"),
            Some(&xml_safe(&r.title)),
            None,
        ));
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
    links
}

fn entry(o: &OutEntry) -> atom::Entry {
    let e = &o.entry;
    let links = links(o);
    let s = &o.source;
    // atom:entry takes no xml:lang in atom_syndication: its summary and content (every
    // entry has one of them) carry it; the title stays plain `<title>`, as readers match it.
    let lang = |mut t: atom::Text| {
        t.lang.clone_from(&e.language);
        t
    };
    let mut content = content(e);
    if let Some(c) = &mut content {
        c.lang.clone_from(&e.language);
    }
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
        categories: o
            .categories
            .iter()
            .map(|c| atom::Category {
                term: c.term.clone(),
                label: c.label.as_deref().map(|l| xml_safe(l).into_owned()),
                scheme: c.scheme.map(str::to_owned),
            })
            .collect(),
        links,
        summary: e.summary.clone().map(atom::Text::html).map(lang),
        content,
        source: Some(atom::Source {
            id: s.iri.clone(),
            title: atom::Text::plain(xml_safe(&s.title).into_owned()),
            updated: time(e.updated),
            links: (!s.feed_url.is_empty())
                .then(|| link(&s.feed_url, "self", None, None, None))
                .into_iter()
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
