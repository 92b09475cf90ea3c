//! RSS 2.0 rendering (the `rss` crate): the same entries, ids, tags and links as Atom.

use rss::extension::atom::{AtomExtension, Link as AtomLink};
use rss::extension::dublincore::DublinCoreExtension;

use super::clean::is_full_url;
use super::doc::{Doc, OutEntry};
use crate::text::xml_safe;

fn rfc2822(t: i64) -> String {
    super::atom::time(t).to_rfc2822()
}

fn atom_link(href: &str, rel: &str) -> AtomLink {
    AtomLink {
        href: href.to_owned(),
        rel: rel.to_owned(),
        mime_type: Some("application/rss+xml".to_owned()),
        ..Default::default()
    }
}

/// Renders `doc` as RSS 2.0.
pub fn render(doc: &Doc) -> Result<Vec<u8>, String> {
    let mut links = vec![
        atom_link(&doc.self_url, "self"),
        atom_link(&doc.first_url, "first"),
    ];
    if let Some(next) = &doc.next_url {
        links.push(atom_link(next, "next"));
    }
    if let Some(prev) = &doc.prev_url {
        links.push(atom_link(prev, "previous"));
    }
    let channel = rss::Channel {
        title: xml_safe(&doc.title).into_owned(),
        link: doc.home_url.clone(),
        description: format!(
            "{}: entertainment news by show, merged by showfeed",
            xml_safe(&doc.title)
        ),
        generator: Some(format!("showfeed {}", env!("CARGO_PKG_VERSION"))),
        last_build_date: Some(rfc2822(doc.updated)),
        atom_ext: Some(AtomExtension { links }),
        image: image(doc),
        language: doc.language().map(str::to_owned),
        items: doc.entries.iter().map(item).collect(),
        ..Default::default()
    };
    let xml = channel.write_to(Vec::new()).map_err(|e| e.to_string())?;
    Ok(super::clean::char_refs(xml))
}

/// The channel's `<image>`: the document's icon, else its logo, when it is a GIF, JPEG or
/// PNG (all RSS 2.0 allows; a source's `favicon.ico` is none of them). Its title and link
/// are the channel's, as RSS 2.0 asks.
fn image(doc: &Doc) -> Option<rss::Image> {
    let allowed = |u: &&String| {
        let ext = u.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
        matches!(ext.as_str(), "gif" | "jpg" | "jpeg" | "png")
    };
    let url = [&doc.icon, &doc.logo].into_iter().find(allowed)?;
    Some(rss::Image {
        url: url.clone(),
        title: xml_safe(&doc.title).into_owned(),
        link: doc.home_url.clone(),
        ..Default::default()
    })
}

/// An attachment: URL, MIME type, length.
type Attached = (String, Option<String>, Option<u64>);

/// The entry's attachments, the lead image last when it is not one of them.
fn attachments(e: &crate::entry::Entry) -> Vec<Attached> {
    let mut all: Vec<Attached> = e
        .enclosures
        .iter()
        .map(|x| (x.url.clone(), x.mime.clone(), x.length))
        .collect();
    if let Some(img) = &e.image {
        if !all.iter().any(|(u, _, _)| u == img) {
            let mime = super::atom::image_mime(img).map(str::to_owned);
            all.push((img.clone(), mime, None));
        }
    }
    all
}

/// RSS allows one enclosure, an http URL: the first attachment that is a full URL. The
/// others go as `atom:link rel="enclosure"`, after the related links.
fn enclosures(o: &OutEntry) -> (Option<rss::Enclosure>, Vec<AtomLink>) {
    let mut links: Vec<AtomLink> = o
        .related
        .iter()
        .map(|r| AtomLink {
            href: r.href.clone(),
            rel: "related".into(),
            title: Some(xml_safe(&r.title).into_owned()),
            mime_type: Some("text/html".into()),
            ..Default::default()
        })
        .collect();
    let all = attachments(&o.entry);
    let first = all.iter().position(|(url, _, _)| is_full_url(url));
    let enclosure = first
        .map(|i| &all[i])
        .map(|(url, mime, len)| rss::Enclosure {
            url: url.clone(),
            length: len.unwrap_or(0).to_string(),
            mime_type: mime
                .clone()
                .unwrap_or_else(|| "application/octet-stream".into()),
        });
    for (i, (url, mime, len)) in all.iter().enumerate() {
        if Some(i) != first {
            links.push(AtomLink {
                href: url.clone(),
                rel: "enclosure".into(),
                mime_type: mime.clone(),
                length: len.map(|l| l.to_string()),
                ..Default::default()
            });
        }
    }
    (enclosure, links)
}

fn item(o: &OutEntry) -> rss::Item {
    let e = &o.entry;
    let s = &o.source;
    let (enclosure, atom_links) = enclosures(o);
    rss::Item {
        title: Some(e.title.clone()),
        link: e.link.clone(),
        description: e.summary.clone().or_else(|| e.content.clone()),
        content: e.content.clone(),
        guid: Some(rss::Guid {
            value: e.id.urn(),
            permalink: false,
        }),
        pub_date: Some(rfc2822(e.published)),
        categories: o
            .categories
            .iter()
            .map(|c| rss::Category {
                name: c.term.clone(),
                domain: c.scheme.map(str::to_owned),
            })
            .collect(),
        enclosure,
        source: is_full_url(&s.feed_url).then(|| rss::Source {
            url: s.feed_url.clone(),
            title: Some(xml_safe(&s.title).into_owned()),
        }),
        // RSS 2.0 items have no language element: Dublin Core's, as RSS 1.0 has it.
        dublin_core_ext: (!e.authors.is_empty() || e.language.is_some()).then(|| {
            DublinCoreExtension {
                creators: e.authors.clone(),
                languages: e.language.iter().cloned().collect(),
                ..Default::default()
            }
        }),
        atom_ext: (!atom_links.is_empty()).then_some(AtomExtension { links: atom_links }),
        ..Default::default()
    }
}
