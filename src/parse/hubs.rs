//! WebSub discovery (W3C WebSub 4): the hub and self URLs a feed advertises, from the HTTP
//! `Link:` headers first (the spec's preferred place), then the document: `<link>` (Atom)
//! or `<atom:link>` (RSS) at the feed level, or JSON Feed's `hubs` and `feed_url`.
//!
//! Read from the decoded bytes with a streaming reader that stops at the first entry or
//! item, so it costs little next to the parse and sees only the feed's own links.

use quick_xml::events::{BytesStart, Event};
use url::Url;

/// The hub and self links a feed advertises (the poll stores them as
/// the store's `HubLinks`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HubLinks {
    /// `rel="hub"` URLs, HTTP `Link:` header first.
    pub hubs: Vec<String>,
    /// The `rel="self"` URL: the topic to subscribe to.
    pub self_url: Option<String>,
}

/// Hubs kept per feed at most: a feed listing more is not playing fair.
const MAX_HUBS: usize = 4;

/// The hub links of a fetched feed: `link_headers` are its `Link:` header values, `text`
/// its decoded body, `base` the URL it came from (relative links resolve against it).
pub fn discover(link_headers: &[String], text: &str, base: &Url) -> HubLinks {
    let mut links = HubLinks::default();
    for value in link_headers {
        for (href, rels) in parse_link_header(value) {
            add(&mut links, &href, &rels, base);
        }
    }
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        json_links(trimmed, &mut links, base);
    } else {
        xml_links(trimmed, &mut links, base);
    }
    links
}

fn add(links: &mut HubLinks, href: &str, rels: &str, base: &Url) {
    let Ok(url) = base.join(href.trim()) else {
        return;
    };
    if !matches!(url.scheme(), "http" | "https") {
        return;
    }
    for rel in rels.split_ascii_whitespace() {
        match rel.to_ascii_lowercase().as_str() {
            "hub" if links.hubs.len() < MAX_HUBS && !links.hubs.contains(&url.to_string()) => {
                links.hubs.push(url.to_string());
            }
            "self" if links.self_url.is_none() => links.self_url = Some(url.to_string()),
            _ => {}
        }
    }
}

/// `<url>; rel="hub", <url2>; rel=self` -> (url, rels) pairs (RFC 8288, leniently).
pub fn parse_link_header(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let href = rest[open + 1..open + close].to_owned();
        rest = &rest[open + close + 1..];
        // Parameters run to the next link (a comma outside quotes followed by `<`).
        let end = next_link(rest);
        let params = &rest[..end];
        rest = &rest[end..];
        let rel = params.split(';').find_map(|p| {
            let (k, v) = p.split_once('=')?;
            let v = v.trim().trim_end_matches(',').trim_end();
            (k.trim().eq_ignore_ascii_case("rel")).then(|| v.trim_matches('"').to_owned())
        });
        if let Some(rel) = rel {
            out.push((href, rel));
        }
    }
    out
}

fn next_link(s: &str) -> usize {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => return i,
            _ => {}
        }
    }
    s.len()
}

fn xml_links(text: &str, links: &mut HubLinks, base: &Url) {
    let mut reader = quick_xml::Reader::from_str(text);
    for _ in 0..10_000 {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let name = e.local_name();
                match name.as_ref() {
                    b"entry" | b"item" => return,
                    b"link" => link_element(&e, links, base),
                    _ => {}
                }
            }
            Ok(Event::Eof) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

fn link_element(e: &BytesStart<'_>, links: &mut HubLinks, base: &Url) {
    let (mut href, mut rel) = (None, None);
    for a in e.attributes().flatten() {
        let value = a.unescape_value().ok().map(|v| v.into_owned());
        match a.key.local_name().as_ref() {
            b"href" => href = value,
            b"rel" => rel = value,
            _ => {}
        }
    }
    if let (Some(href), Some(rel)) = (href, rel) {
        add(links, &href, &rel, base);
    }
}

#[derive(serde::Deserialize)]
struct JsonLinks {
    feed_url: Option<String>,
    #[serde(default)]
    hubs: Vec<JsonHub>,
}

#[derive(serde::Deserialize)]
struct JsonHub {
    #[serde(rename = "type", default)]
    kind: String,
    url: Option<String>,
}

fn json_links(text: &str, links: &mut HubLinks, base: &Url) {
    let Ok(feed) = serde_json::from_str::<JsonLinks>(text) else {
        return;
    };
    for hub in feed.hubs {
        // JSON Feed 1.1: `type` names the protocol; WebSub's is "WebSub" (older feeds
        // wrote "PubSubHubbub" or nothing).
        let websub = hub.kind.is_empty()
            || hub.kind.eq_ignore_ascii_case("websub")
            || hub.kind.eq_ignore_ascii_case("pubsubhubbub");
        if let (true, Some(url)) = (websub, hub.url) {
            add(links, &url, "hub", base);
        }
    }
    if let Some(url) = feed.feed_url {
        add(links, &url, "self", base);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://news.example/feed/").unwrap()
    }

    #[test]
    fn atom_rss_json_and_headers() {
        let atom = r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
            <link rel="hub" href="https://hub.example/"/><link rel="self" href="/feed/"/>
            <entry><link rel="hub" href="https://wrong.example/"/></entry></feed>"#;
        let l = discover(&[], atom, &base());
        assert_eq!(l.hubs, ["https://hub.example/"]);
        assert_eq!(l.self_url.as_deref(), Some("https://news.example/feed/"));

        let rss = r#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
            <link>https://news.example/</link>
            <atom:link rel="self" href="https://news.example/feed/" type="application/rss+xml"/>
            <atom:link rel='hub' href='https://pubsubhubbub.appspot.com'/>
            <item><title>x</title></item></channel></rss>"#;
        let l = discover(&[], rss, &base());
        assert_eq!(l.hubs, ["https://pubsubhubbub.appspot.com/"]);
        assert_eq!(l.self_url.as_deref(), Some("https://news.example/feed/"));

        let json = r#"{"version":"https://jsonfeed.org/version/1.1","feed_url":"https://news.example/f.json",
            "hubs":[{"type":"WebSub","url":"https://hub.example/j"},{"type":"rssCloud","url":"https://c.example/"}],"items":[]}"#;
        let l = discover(&[], json, &base());
        assert_eq!(l.hubs, ["https://hub.example/j"]);
        assert_eq!(l.self_url.as_deref(), Some("https://news.example/f.json"));

        let headers = vec![
            r#"<https://hub.example/h>; rel="hub", <https://news.example/topic>; rel="self""#
                .to_owned(),
        ];
        let l = discover(&headers, atom, &base());
        assert_eq!(l.hubs, ["https://hub.example/h", "https://hub.example/"]);
        assert_eq!(
            l.self_url.as_deref(),
            Some("https://news.example/topic"),
            "the header's self wins"
        );
    }

    #[test]
    fn nothing_advertised_and_junk() {
        assert_eq!(
            discover(&[], "<rss><channel></channel></rss>", &base()),
            HubLinks::default()
        );
        assert_eq!(
            discover(&["junk".into()], "{not json", &base()),
            HubLinks::default()
        );
        let l = parse_link_header(r#"<a>; title="x, <y>"; rel="hub self""#);
        assert_eq!(l, [("a".to_owned(), "hub self".to_owned())]);
        let js = r#"<feed><link rel="hub" href="javascript:alert(1)"/></feed>"#;
        assert!(discover(&[], js, &base()).hubs.is_empty());
    }
}
