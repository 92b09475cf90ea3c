//! Normalize: the feed-rs model to our [`Entry`], one shape whatever the source format.
//!
//! Titles become plain text; summaries and content are sanitized HTML (ammonia allowlist: no
//! script, style, event handlers, iframes or `javascript:` URLs; `data:` only for images);
//! relative links are resolved; the alternate link is canonicalized (tracking parameters
//! dropped); dates are clamped (absent -> first seen, future -> now); and each item gets its
//! stable id from its guid, else its canonical link, else a hash of its text, scoped by feed.

pub mod lang;

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

use ammonia::UrlRelative;
use feed_rs::model::{Entry as Item, Feed, Link, Person, Text};
use sha2::{Digest, Sha256};
use url::Url;

use crate::entry::{Enclosure, Entry, EntryId};
use crate::text::{self, escape_html, html_to_text, plain_to_html, xml_safe};

pub use crate::parse::MAX_ITEMS_PER_FEED;

/// Title of an item that has neither title nor text.
const UNTITLED: &str = "(untitled)";

/// A normalized feed document.
#[derive(Debug)]
pub struct Normalized {
    /// The feed's own title, plain text.
    pub title: Option<String>,
    /// The feed's website.
    pub site_link: Option<String>,
    /// RSS `<ttl>`.
    pub ttl: Option<Duration>,
    /// The feed's small square icon (Atom `<icon>`, JSON Feed `favicon`), absolute.
    pub icon: Option<String>,
    /// The feed's larger image (Atom `<logo>`, RSS `<image>`, JSON Feed `icon`), absolute.
    pub logo: Option<String>,
    /// The entries, at most [`MAX_ITEMS_PER_FEED`], in document order.
    pub entries: Vec<Entry>,
}

/// Normalizes a parsed feed from configured feed `feed_id`, fetched from `base`, at `now`.
///
/// Relative item links resolve against the site's link when the feed names one (what
/// publishers mean, and what Miniflux does), else against the feed URL; relative URLs in
/// content resolve against the item's own link.
pub fn normalize(feed_id: &str, feed: Feed, base: &Url, now: i64) -> Normalized {
    let site = alternate_link(&feed.links).and_then(|h| web_url(base, h));
    let doc = Document::new(
        feed_id,
        site.clone().unwrap_or_else(|| base.clone()),
        &feed,
        now,
    );
    let mut keys = HashMap::new();
    let entries = newest(feed.entries)
        .iter()
        .filter_map(|item| doc.entry(item, &mut keys))
        .collect();
    Normalized {
        title: feed
            .title
            .map(|t| html_to_text(&t.content))
            .filter(|t| !t.is_empty()),
        site_link: site.map(|u| xml_safe(u.as_str()).into_owned()),
        ttl: feed.ttl.map(|m| Duration::from_secs(u64::from(m) * 60)),
        icon: image_url(base, feed.icon.as_ref()),
        logo: image_url(base, feed.logo.as_ref()),
        entries,
    }
}

/// A feed image's URL, absolute (relative ones resolve against the feed's URL), http(s) only.
fn image_url(base: &Url, image: Option<&feed_rs::model::Image>) -> Option<String> {
    let url = web_url(base, &image?.uri)?;
    Some(xml_safe(url.as_str()).into_owned())
}

/// At most [`MAX_ITEMS_PER_FEED`] items: the newest, undated ones sorting last.
fn newest(mut items: Vec<Item>) -> Vec<Item> {
    if items.len() > MAX_ITEMS_PER_FEED {
        items.sort_by_key(|e| std::cmp::Reverse(e.published.or(e.updated)));
        items.truncate(MAX_ITEMS_PER_FEED);
    }
    items
}

/// What every item of one document shares.
struct Document<'a> {
    feed_id: &'a str,
    /// The site's link, else the feed's URL.
    base: Url,
    /// Stand-in for items that name no author.
    authors: Vec<String>,
    /// The feed's declared language, as feed-rs read it.
    language: Option<String>,
    now: i64,
}

impl<'a> Document<'a> {
    fn new(feed_id: &'a str, base: Url, feed: &Feed, now: i64) -> Self {
        Document {
            feed_id,
            base,
            authors: names(&feed.authors),
            language: feed.language.clone(),
            now,
        }
    }

    /// One item as an entry; `None` when it repeats an earlier item of the document verbatim.
    fn entry(&self, item: &Item, keys: &mut HashMap<String, u64>) -> Option<Entry> {
        // The item's own `xml:base`, if any, refines the document's.
        let base = item
            .base
            .as_deref()
            .and_then(|b| self.base.join(b).ok())
            .unwrap_or_else(|| self.base.clone());
        let link = alternate_link(&item.links).and_then(|href| web_url(&base, href));
        let (summary, content) = self.html(item, link.as_ref(), &base);
        let (published, updated) = dates(item, self.now);
        let (enclosures, media_image) = attachments(item, &base);
        let image = lead_image(
            media_image,
            content.as_deref().or(summary.as_deref()),
            &base,
        );
        let mut entry = Entry {
            id: EntryId([0; 16]),
            feed_id: self.feed_id.to_owned(),
            title: title(item, summary.as_deref().or(content.as_deref())),
            link: link.as_ref().map(canonical_url),
            summary,
            content,
            authors: self.authors_of(item),
            published,
            updated,
            first_seen: self.now,
            enclosures,
            image,
            source_categories: categories(item),
            content_hash: 0,
            shows: Vec::new(),
            kinds: Vec::new(),
            story: EntryId([0; 16]),
            exact_copy: false,
            language: None,
        };
        // Detection, when nothing is declared, waits for ingest: only new and changed
        // entries need it, and it costs more than the rest of normalizing.
        entry.language = lang::declared(item.language.as_deref(), self.language.as_deref());
        entry.content_hash = content_hash(&entry);
        let key = unique_key(keys, &item.id, &entry)?;
        entry.id = EntryId::derive(self.feed_id, &key);
        entry.story = entry.id;
        Some(entry)
    }

    /// The item's summary and content as sanitized HTML, relative URLs in them resolved
    /// against the item's own link (else its base).
    fn html(
        &self,
        item: &Item,
        link: Option<&Url>,
        base: &Url,
    ) -> (Option<String>, Option<String>) {
        // Relative URLs in an item's HTML resolve against the item's own link.
        let base = if html_parts(item).any(has_relative_url) {
            link.unwrap_or(base)
        } else {
            base
        };
        let summary = item.summary.as_ref().and_then(|t| html_of(t, base));
        let content = item
            .content
            .as_ref()
            .and_then(|c| c.body.as_deref())
            .map(|b| clean_html(base, b))
            .filter(|s| !s.trim().is_empty());
        if summary.is_none() && content.is_none() {
            // A YouTube channel feed says what a video is about only in `media:description`
            // (plain text); without it the entry would be its title alone.
            return (media_description(item, base), None);
        }
        (summary, content)
    }

    /// The item's authors (repeats in a row dropped), else the feed's.
    fn authors_of(&self, item: &Item) -> Vec<String> {
        let mut authors = names(&item.authors);
        authors.dedup();
        if authors.is_empty() {
            self.authors.clone()
        } else {
            authors
        }
    }
}

/// `href` resolved against `base`, when that makes an http(s) URL.
fn web_url(base: &Url, href: &str) -> Option<Url> {
    base.join(href.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
}

/// The item's HTML: summary and content body.
fn html_parts(item: &Item) -> impl Iterator<Item = &str> {
    [
        item.summary.as_ref().map(|t| t.content.as_str()),
        item.content.as_ref().and_then(|c| c.body.as_deref()),
    ]
    .into_iter()
    .flatten()
}

/// Plain-text names, empty ones dropped.
fn names(people: &[Person]) -> Vec<String> {
    people
        .iter()
        .map(|p| html_to_text(&p.name))
        .filter(|n| !n.is_empty())
        .collect()
}

/// The item's title as plain text, else one made from its text (`html`).
fn title(item: &Item, html: Option<&str>) -> String {
    let title = item
        .title
        .as_ref()
        .map(|t| html_to_text(&t.content))
        .unwrap_or_default();
    if title.is_empty() {
        fallback_title(html)
    } else {
        title
    }
}

/// Published and updated times: never after `now`, published defaulting to `now` (first
/// seen), updated never before published.
fn dates(item: &Item, now: i64) -> (i64, i64) {
    let published = item
        .published
        .or(item.updated)
        .map_or(now, |d| d.timestamp().min(now));
    let updated = item
        .updated
        .map_or(published, |d| d.timestamp().min(now))
        .max(published);
    (published, updated)
}

/// Media attachments (`media:content`, then `enclosure` links not already among them) and
/// the first image they offer (a thumbnail, else an image attachment).
fn attachments(item: &Item, base: &Url) -> (Vec<Enclosure>, Option<String>) {
    let mut enclosures = Vec::new();
    let mut image = None;
    for media in &item.media {
        for t in &media.thumbnails {
            image.get_or_insert_with(|| t.image.uri.clone());
        }
        for c in &media.content {
            let Some(url) = &c.url else { continue };
            let mime = c.content_type.as_ref().map(|m| m.to_string());
            if mime.as_deref().is_some_and(|m| m.starts_with("image/")) {
                image.get_or_insert_with(|| url.to_string());
            }
            enclosures.push(Enclosure {
                url: xml_safe(url.as_str()).into_owned(),
                mime,
                length: c.size,
            });
        }
    }
    let links = item
        .links
        .iter()
        .filter(|l| l.rel.as_deref() == Some("enclosure"));
    for l in links {
        let Ok(url) = base.join(l.href.trim()) else {
            continue;
        };
        if !enclosures.iter().any(|e| e.url == url.as_str()) {
            enclosures.push(Enclosure {
                url: url.to_string(),
                mime: l.media_type.clone(),
                length: l.length,
            });
        }
    }
    (enclosures, image)
}

/// The lead image: one the attachments offer, else the first `<img>` of the item's HTML;
/// only http(s).
fn lead_image(attached: Option<String>, html: Option<&str>, base: &Url) -> Option<String> {
    attached
        .or_else(|| first_img(html?))
        .and_then(|u| web_url(base, &u))
        .map(|u| xml_safe(u.as_str()).into_owned())
}

/// The categories the source gave, as plain text: label, else term.
fn categories(item: &Item) -> Vec<String> {
    item.categories
        .iter()
        .map(|c| html_to_text(c.label.as_deref().unwrap_or(&c.term)))
        .filter(|c| !c.is_empty())
        .collect()
}

fn alternate_link(links: &[Link]) -> Option<&str> {
    links
        .iter()
        .find(|l| matches!(l.rel.as_deref(), None | Some("alternate")) && !l.href.trim().is_empty())
        .map(|l| l.href.as_str())
}

/// The item's key inside its feed: guid, else canonical link, else a hash of its text.
/// An item repeated verbatim within one document is dropped (`None`); a key reused by a
/// different item (publishers reuse guids) is made unique with the link or the text, so two
/// different items never share an id.
fn unique_key(seen: &mut HashMap<String, u64>, guid: &str, e: &Entry) -> Option<String> {
    // Without guid or link the title is the identity, so an edited body is an update, not a
    // new item; the body only stands in when there is no title either.
    let text_hash = || {
        let mut h = Sha256::new();
        if e.title == UNTITLED || e.title.is_empty() {
            h.update(e.summary.as_deref().unwrap_or("").as_bytes());
            h.update([0]);
            h.update(e.content.as_deref().unwrap_or("").as_bytes());
        } else {
            h.update(e.title.as_bytes());
        }
        hex(&h.finalize()[..12])
    };
    let guid = guid.trim();
    let mut key = if !guid.is_empty() {
        format!("guid:{guid}")
    } else if let Some(link) = &e.link {
        format!("link:{link}")
    } else {
        format!("text:{}", text_hash())
    };
    if let Some(&hash) = seen.get(&key) {
        if hash == e.content_hash {
            return None;
        }
        key = format!("{key}|{}", e.link.clone().unwrap_or_else(text_hash));
    }
    let base = key.clone();
    let mut n = 2;
    while let Some(&hash) = seen.get(&key) {
        if hash == e.content_hash {
            return None;
        }
        key = format!("{base}#{n}");
        n += 1;
    }
    seen.insert(key.clone(), e.content_hash);
    Some(key)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hash of everything a reader sees except dates: a change means a real update.
fn content_hash(e: &Entry) -> u64 {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update(s.as_bytes());
        h.update([0]);
    };
    field(&e.title);
    field(e.link.as_deref().unwrap_or(""));
    field(e.summary.as_deref().unwrap_or(""));
    field(e.content.as_deref().unwrap_or(""));
    for a in &e.authors {
        field(a);
    }
    for enc in &e.enclosures {
        field(&enc.url);
    }
    field(e.image.as_deref().unwrap_or(""));
    let d = h.finalize();
    u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

fn fallback_title(html: Option<&str>) -> String {
    let text = html.map(html_to_text).unwrap_or_default();
    if text.is_empty() {
        return UNTITLED.to_owned();
    }
    let mut words = String::new();
    for w in text.split_whitespace() {
        if words.len() + w.len() > 80 {
            words.push('…');
            break;
        }
        if !words.is_empty() {
            words.push(' ');
        }
        words.push_str(w);
    }
    words
}

/// HTML for a text construct: HTML sanitized, plain text escaped.
/// The first `media:description` of the item's media (`media:group` or top level), as
/// sanitized HTML.
fn media_description(item: &Item, base: &Url) -> Option<String> {
    let t = item.media.iter().find_map(|m| m.description.as_ref())?;
    text_as_html(t, base, plain_to_html)
}

/// A summary's `Text` as sanitized HTML, plain text escaped as it is.
fn html_of(t: &Text, base: &Url) -> Option<String> {
    text_as_html(t, base, escape_html)
}

/// `t` as sanitized HTML, plain text through `plain` (escaped, with or without paragraphs);
/// `None` when nothing is left.
fn text_as_html(t: &Text, base: &Url, plain: fn(&str) -> String) -> Option<String> {
    let html = if t.content_type.subty().as_str() == "plain" {
        plain(&xml_safe(&t.content))
    } else {
        clean_html(base, &t.content)
    };
    (!html.trim().is_empty()).then_some(html)
}

thread_local! {
    /// What relative URLs in the HTML being cleaned on this thread resolve against; `None`
    /// drops them (see [`clean_html`]).
    static RELATIVE_BASE: RefCell<Option<Url>> = const { RefCell::new(None) };
    /// One sanitizer per thread: building one (its tag and attribute sets) cost more than
    /// cleaning a typical item, and items with relative URLs each needed their own.
    static SANITIZER: ammonia::Builder<'static> = sanitizer();
}

/// A relative URL resolved against this thread's [`RELATIVE_BASE`]; `None` removes it.
fn resolve_relative(url: &str) -> Option<Cow<'_, str>> {
    RELATIVE_BASE.with_borrow(|base| Some(Cow::Owned(base.as_ref()?.join(url).ok()?.into())))
}

/// Sanitized HTML, relative URLs resolved against `base`, without the characters XML 1.0
/// forbids: the HTML parser decodes references such as `&#1` (HTML needs no `;`) that the
/// XML repair left as text.
fn clean_html(base: &Url, html: &str) -> String {
    // Against a local file a relative URL would become a path on this machine (the admin's
    // business, not the readers'), and left relative it points nowhere for a reader: such
    // URLs are dropped.
    let base = (base.scheme() != "file").then(|| base.clone());
    RELATIVE_BASE.with_borrow_mut(|b| *b = base);
    let clean = SANITIZER.with(|s| s.clean(html).to_string());
    match xml_safe(&clean) {
        Cow::Borrowed(_) => clean,
        Cow::Owned(safe) => safe,
    }
}

/// `html` through the same allowlist as feed content, with relative URLs resolved against
/// `base`: what a fetched article goes through before it is stored.
pub fn sanitize(html: &str, base: &Url) -> String {
    clean_html(base, html)
}

/// The ammonia allowlist every summary and content goes through.
fn sanitizer() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.url_relative(UrlRelative::Custom(Box::new(resolve_relative)))
        .link_rel(Some("noopener noreferrer nofollow"))
        .add_url_schemes(["data"])
        .attribute_filter(|element, attribute, value| {
            let v = value.trim_start();
            if v.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("data:")) {
                // data: only as an image source, and never SVG (it can carry script).
                let lower = v.to_ascii_lowercase();
                let image = [
                    "data:image/png",
                    "data:image/jpeg",
                    "data:image/gif",
                    "data:image/webp",
                ]
                .iter()
                .any(|p| lower.starts_with(p));
                return (element == "img" && attribute == "src" && image)
                    .then_some(Cow::Borrowed(value));
            }
            Some(Cow::Owned(xml_safe(value).into_owned()))
        });
    b
}

/// Whether HTML has an `href` or `src` whose value has no scheme (relative, or
/// protocol-relative): then it must be resolved against the item's own link.
fn has_relative_url(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    ["href=", "src="].iter().any(|attr| {
        lower.match_indices(attr).any(|(i, _)| {
            let v = lower[i + attr.len()..].trim_start_matches(['"', '\'', ' ']);
            let end = v.find(['"', '\'', ' ', '>']).unwrap_or(v.len());
            let v = &v[..end];
            !v.is_empty()
                && !v.starts_with('#')
                && !v[..v.find(['/', '?', '#']).unwrap_or(v.len())].contains(':')
        })
    })
}

fn first_img(html: &str) -> Option<String> {
    let pos = html.find("<img")?;
    let tag = &html[pos..pos + html[pos..].find('>')?];
    let src = tag.find("src=\"")? + 5;
    let end = tag[src..].find('"')?;
    Some(text::decode_entities(&tag[src..src + end]).into_owned())
}

/// The canonical form of a link: lowercase scheme and host, no default port, no fragment, no
/// tracking parameters.
pub fn canonical_url(url: &Url) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    if u.query().is_some() {
        let kept: Vec<(String, String)> = u
            .query_pairs()
            .filter(|(k, _)| !crate::vocab::is_tracking_param(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            u.set_query(None);
        } else {
            u.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    xml_safe(u.as_str()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_links_drop_tracking_and_fragments() {
        let u = Url::parse(
            "HTTPS://Variety.COM:443/2024/tv/news/x/?utm_source=rss&id=5&fbclid=abc#comments",
        )
        .unwrap();
        assert_eq!(
            canonical_url(&u),
            "https://variety.com/2024/tv/news/x/?id=5"
        );
    }

    #[test]
    fn sanitizer_strips_script_handlers_and_bad_schemes() {
        let out = clean_html(
            &Url::parse("http://e.com/feed/").unwrap(),
            "<p onclick=\"x()\">hi<script>alert(1)</script><a href=\"javascript:alert(1)\">j</a>\
                    <a href=\"/rel\">r</a><img src=\"data:image/png;base64,AAAA\"><img src=\"data:image/svg+xml,<svg>\">\
                    <iframe src=\"http://evil\"></iframe><a href=\"data:text/html,x\">d</a></p>",
        );
        assert!(
            !out.contains("script") && !out.contains("onclick") && !out.contains("javascript"),
            "{out}"
        );
        assert!(
            !out.contains("iframe") && !out.contains("svg") && !out.contains("text/html"),
            "{out}"
        );
        assert!(out.contains("href=\"http://e.com/rel\""), "{out}");
        assert!(out.contains("data:image/png;base64,AAAA"), "{out}");
    }

    #[test]
    fn a_youtube_video_is_described_by_its_media_description() {
        let xml = r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
            <title>ABS-CBN News</title><id>yt:channel:X</id>
            <entry><id>yt:video:1</id><title>Ambo makes landfall | ANC</title>
              <link rel="alternate" href="https://www.youtube.com/watch?v=1"/>
              <published>2020-05-14T06:08:21+00:00</published>
              <media:group><media:title>Ambo makes landfall | ANC</media:title>
                <media:description>Typhoon Ambo (Vongfong) hit land on Thursday &amp; more.

Subscribe:
http://bit.ly/x</media:description></media:group></entry>
            <entry><id>yt:video:2</id><title>No description</title>
              <link rel="alternate" href="https://www.youtube.com/watch?v=2"/></entry>
            </feed>"#;
        let base = Url::parse("https://www.youtube.com/feeds/videos.xml").unwrap();
        let feed = crate::parse::parse(xml.as_bytes(), None).unwrap();
        let n = normalize("yt", feed, &base, 1_700_000_000);
        assert_eq!(
            n.entries[0].summary.as_deref(),
            Some(
                "<p>Typhoon Ambo (Vongfong) hit land on Thursday &amp; more.</p>\
                  <p>Subscribe:<br>http://bit.ly/x</p>"
            )
        );
        assert_eq!(n.entries[1].summary, None);
    }

    #[test]
    fn repeated_guids_get_distinct_keys_and_verbatim_repeats_drop() {
        let xml = r#"<rss version="2.0"><channel><title>t</title>
            <item><guid>1</guid><title>A</title><link>http://e.com/a</link></item>
            <item><guid>1</guid><title>B</title><link>http://e.com/b</link></item>
            <item><guid>1</guid><title>B</title><link>http://e.com/b</link></item>
            <item><title>no guid, no link</title></item>
            </channel></rss>"#;
        let base = Url::parse("http://e.com/feed").unwrap();
        let parse = || crate::parse::parse(xml.as_bytes(), None).unwrap();
        let a = normalize("f", parse(), &base, 1_700_000_000);
        let b = normalize("f", parse(), &base, 1_700_000_500);
        let ids: Vec<_> = a.entries.iter().map(|e| e.id).collect();
        assert_eq!(ids.len(), 3);
        assert_ne!(ids[0], ids[1]);
        assert_eq!(ids, b.entries.iter().map(|e| e.id).collect::<Vec<_>>());
        assert_eq!(
            a.entries[2].published, 1_700_000_000,
            "undated item gets first-seen time"
        );
    }

    #[test]
    fn items_resolve_against_the_site_and_fall_back_to_the_feed() {
        let xml = r#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"
            xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>
            <link>https://site.example/news/</link>
            <item><title></title><link>story?utm_source=rss</link>
              <description>&lt;p&gt;A body &lt;a href="more"&gt;more&lt;/a&gt;&lt;/p&gt;</description>
              <pubDate>Sat, 01 Jan 2033 00:00:00 GMT</pubDate>
              <media:thumbnail url="https://cdn.example/t.jpg"/>
              <enclosure url="https://cdn.example/clip.mp4" type="video/mp4" length="10"/>
              <category>TV</category></item>
            <item><title>Second</title><dc:creator>Ann</dc:creator><dc:creator>Ann</dc:creator>
              <description>&lt;img src="/i.png"&gt;</description></item>
            </channel></rss>"#;
        let feed = crate::parse::parse(xml.as_bytes(), None).unwrap();
        let base = Url::parse("https://feeds.example/rss.xml").unwrap();
        let now = 1_800_000_000;
        let n = normalize("f", feed, &base, now);
        assert_eq!(n.site_link.as_deref(), Some("https://site.example/news/"));
        let [a, b] = &n.entries[..] else {
            panic!("{:?}", n.entries)
        };
        assert_eq!(a.link.as_deref(), Some("https://site.example/news/story"));
        assert_eq!(a.title, "A body more", "untitled: from the text");
        assert!(
            a.summary
                .as_deref()
                .unwrap()
                .contains("href=\"https://site.example/news/more\""),
            "relative URLs in HTML resolve against the item's link: {:?}",
            a.summary
        );
        assert_eq!(
            (a.published, a.updated),
            (now, now),
            "future dates clamp to now"
        );
        assert_eq!(a.image.as_deref(), Some("https://cdn.example/t.jpg"));
        assert_eq!(a.enclosures.len(), 1);
        assert_eq!(a.enclosures[0].url, "https://cdn.example/clip.mp4");
        assert_eq!(a.source_categories, ["TV"]);
        assert_eq!(b.authors, ["Ann"], "repeats dropped");
        assert_eq!(b.image.as_deref(), Some("https://site.example/i.png"));
        assert_eq!(b.published, now, "undated: first seen");

        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
            <author><name>Desk</name></author>
            <entry><id>1</id><title>x</title><updated>2026-01-01T00:00:00Z</updated></entry>
            </feed>"#;
        let feed = crate::parse::parse(atom.as_bytes(), None).unwrap();
        let n = normalize("f", feed, &base, now);
        assert_eq!(
            n.entries[0].authors,
            ["Desk"],
            "the feed's author stands in"
        );
    }
}
