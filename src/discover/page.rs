//! What an HTML page says about its feeds: `<link rel="alternate">` of the feed types, the
//! `<base href>` relative links resolve against, `<link rel="canonical">`, and the `<title>`.
//!
//! A tolerant scan of the tags, not an HTML parser: the few elements wanted are void
//! elements with attributes, which real pages write in every style (unquoted values, any
//! case, `/>`), and a full tree of a 2 MB page is not needed to read them. Comments and the
//! contents of `<script>` and `<style>` are skipped, so a link inside them does not count.

use std::borrow::Cow;

use crate::text::{collapse_whitespace, decode_entities};

/// A feed a page links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternate {
    /// `href` as written (entities decoded, maybe relative).
    pub href: String,
    /// The format its `type` names.
    pub format: &'static str,
    /// Its `title`, when it has one.
    pub title: Option<String>,
}

/// What a page says about its feeds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// `<title>`, white space collapsed.
    pub title: Option<String>,
    /// `<base href>`.
    pub base: Option<String>,
    /// `<link rel="canonical">`.
    pub canonical: Option<String>,
    /// The feed links, in page order, without repeats.
    pub alternates: Vec<Alternate>,
}

/// The feed format of a `<link type>`, as Miniflux reads them; `None` for other types and
/// for WordPress's REST API (`/wp-json/`), which also says `application/json`.
fn feed_format(mime: &str, href: &str) -> Option<&'static str> {
    match mime.trim().to_ascii_lowercase().as_str() {
        "application/rss+xml" | "application/rdf+xml" => Some("RSS"),
        "application/atom+xml" => Some("Atom"),
        "application/feed+json" => Some("JSON Feed"),
        "application/json" if !href.contains("/wp-json/") => Some("JSON Feed"),
        _ => None,
    }
}

/// Scans `html` for what [`Page`] holds.
pub fn scan(html: &str) -> Page {
    let mut page = Page::default();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let (name, attrs, after) = tag(&rest[1..]);
        rest = after;
        match name.as_str() {
            "script" | "style" => rest = skip_to_close(rest, &name),
            "title" if page.title.is_none() => {
                let end = find_ci(rest, "</title").unwrap_or(rest.len());
                let text = collapse_whitespace(&decode_entities(&rest[..end]));
                page.title = Some(text).filter(|t| !t.is_empty());
                rest = &rest[end..];
            }
            "base" if page.base.is_none() => page.base = attr(&attrs, "href"),
            "link" => read_link(&mut page, &attrs),
            _ => {}
        }
    }
    page
}

/// A `<link>`'s contribution: a feed link or the canonical URL.
fn read_link(page: &mut Page, attrs: &[(String, String)]) {
    let Some(href) = attr(attrs, "href").filter(|h| !h.is_empty()) else {
        return;
    };
    let rel = attr(attrs, "rel").unwrap_or_default().to_ascii_lowercase();
    let rels: Vec<&str> = rel.split_ascii_whitespace().collect();
    if rels.contains(&"canonical") && page.canonical.is_none() {
        page.canonical = Some(href);
        return;
    }
    if !rels.iter().any(|r| matches!(*r, "alternate" | "feed")) {
        return;
    }
    let Some(format) = attr(attrs, "type").and_then(|t| feed_format(&t, &href)) else {
        return;
    };
    if page.alternates.iter().any(|a| a.href == href) {
        return;
    }
    page.alternates.push(Alternate {
        href,
        format,
        title: attr(attrs, "title")
            .map(|t| collapse_whitespace(&t))
            .filter(|t| !t.is_empty()),
    });
}

/// The value of attribute `name`, entities decoded.
fn attr(attrs: &[(String, String)], name: &str) -> Option<String> {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| decode_entities(v.trim()).into_owned())
}

/// The tag at the start of `s` (just after its `<`): its lower-case name (empty for a
/// closing tag, a declaration or a stray `<`), its attributes (lower-case names), and the
/// text after its `>`.
fn tag(s: &str) -> (String, Vec<(String, String)>, &str) {
    let name_len = s
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(s.len());
    if name_len == 0 {
        return (String::new(), Vec::new(), s);
    }
    let name = s[..name_len].to_ascii_lowercase();
    let (attrs, rest) = attributes(&s[name_len..]);
    (name, attrs, rest)
}

/// The attributes of a tag, from just after its name to its `>`; and the text after it.
fn attributes(mut s: &str) -> (Vec<(String, String)>, &str) {
    let mut attrs = Vec::new();
    loop {
        s = s.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if s.is_empty() {
            return (attrs, s);
        }
        if let Some(after) = s.strip_prefix('>') {
            return (attrs, after);
        }
        let end = s
            .find(|c: char| c.is_whitespace() || matches!(c, '=' | '>' | '/'))
            .unwrap_or(s.len());
        let name = s[..end].to_ascii_lowercase();
        s = s[end..].trim_start();
        let value = match s.strip_prefix('=') {
            Some(after) => {
                let (value, after) = attribute_value(after.trim_start());
                s = after;
                value
            }
            None => Cow::Borrowed(""),
        };
        // Past a stray character that makes no name, so the loop always advances.
        if name.is_empty() && value.is_empty() {
            s = s.get(1..).unwrap_or("");
            continue;
        }
        attrs.push((name, value.into_owned()));
    }
}

/// A quoted or bare attribute value at the start of `s`, and the text after it.
fn attribute_value(s: &str) -> (Cow<'_, str>, &str) {
    match s.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let body = &s[1..];
            match body.find(q) {
                Some(end) => (Cow::Borrowed(&body[..end]), &body[end + 1..]),
                None => (Cow::Borrowed(body), ""),
            }
        }
        _ => {
            let end = s
                .find(|c: char| c.is_whitespace() || c == '>')
                .unwrap_or(s.len());
            (Cow::Borrowed(&s[..end]), &s[end..])
        }
    }
}

/// The text after the `</name>` that closes a raw-text element (script, style).
fn skip_to_close<'a>(s: &'a str, name: &str) -> &'a str {
    match find_ci(s, &format!("</{name}")) {
        Some(at) => &s[at..],
        None => "",
    }
}

/// Where ASCII `needle` first occurs in `s`, in any case.
fn find_ci(s: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (s.as_bytes(), needle.as_bytes());
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wordpress_head() {
        let html = r#"<!DOCTYPE html><html lang="en-US"><head>
<meta charset="UTF-8"><title>TV Line &#8211; TV News</title>
<link rel='dns-prefetch' href='//s0.wp.com' />
<link rel="alternate" type="application/rss+xml" title="TVLine &raquo; Feed" href="https://tvline.com/feed/" />
<link rel="alternate" type="application/rss+xml" title="TVLine &raquo; Comments Feed" href="https://tvline.com/comments/feed/" />
<link rel="https://api.w.org/" href="https://tvline.com/wp-json/" />
<link rel="alternate" type="application/json" href="https://tvline.com/wp-json/wp/v2/pages/1" />
<link rel=canonical href=https://tvline.com/>
<!-- <link rel="alternate" type="application/atom+xml" href="/commented-out"> -->
<script>var s = '<link rel="alternate" type="application/atom+xml" href="/in-script">';</script>
</head><body><link rel="alternate" type="application/rss+xml" href="https://tvline.com/feed/"></body></html>"#;
        let page = scan(html);
        assert_eq!(page.title.as_deref(), Some("TV Line – TV News"));
        assert_eq!(page.canonical.as_deref(), Some("https://tvline.com/"));
        let hrefs: Vec<&str> = page.alternates.iter().map(|a| a.href.as_str()).collect();
        assert_eq!(
            hrefs,
            [
                "https://tvline.com/feed/",
                "https://tvline.com/comments/feed/"
            ]
        );
        assert_eq!(page.alternates[0].title.as_deref(), Some("TVLine » Feed"));
        assert_eq!(page.alternates[0].format, "RSS");
    }

    #[test]
    fn survives_broken_markup() {
        for html in [
            "<",
            "<link",
            "<link href=\"unterminated",
            "<link rel=alternate type=application/atom+xml href=/a.xml",
            "<<<>>>< = = />",
            "<title>never closed",
            "<script>never closed",
            "<!-- never closed",
        ] {
            let _ = scan(html);
        }
        let page =
            scan("<LINK REL=\"Alternate\" TYPE=\"application/atom+xml\" HREF=\"/a?x=1&amp;y=2\"/>");
        assert_eq!(page.alternates[0].href, "/a?x=1&y=2");
        assert_eq!(page.alternates[0].format, "Atom");
    }
}
