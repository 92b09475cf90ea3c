//! Parse: raw bytes to the feed-rs model, repairing the usual breakage first.
//!
//! feed-rs is strict where the web is not: one bare `&` (`AT&T`) or an HTML entity such as
//! `&nbsp;` loses a whole feed, UTF-16 with a BOM fails, undeclared Windows-1252 bytes drop
//! fields, and control characters pass straight through. So the bytes are first decoded to
//! UTF-8 (BOM, then the HTTP charset, then the XML declaration, then UTF-8 with a per-byte
//! Windows-1252 fallback) and, for XML, repaired: the DOCTYPE removed (no entity expansion, no
//! external DTD), stray `&` escaped, HTML entities turned into characters, characters XML 1.0
//! forbids dropped. feed-rs's random ids for items with neither guid nor link are disabled:
//! ids are derived in `normalize`.

pub mod hubs;

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use feed_rs::model::Feed;
use quick_xml::events::Event;

use crate::text::{self, Reference};

/// At most this many items of one document are kept (the newest), so a feed of 200,000 items
/// costs bounded time and space.
pub const MAX_ITEMS_PER_FEED: usize = 2_000;

/// Why bytes could not be read as a feed.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The body was empty.
    #[error("empty response body")]
    Empty,
    /// An HTML page arrived where a feed was expected.
    #[error("got an HTML page, not a feed (is the URL the feed's, not the website's?)")]
    Html,
    /// Elements nested deeper than [`MAX_DEPTH`].
    #[error("elements nested more than {MAX_DEPTH} deep: refused")]
    TooDeep,
    /// feed-rs could not make a feed of it, even after repair.
    #[error("not a valid RSS, Atom or JSON feed")]
    Invalid(#[source] feed_rs::parser::ParseFeedError),
}

/// Parses feed bytes. `content_type` is the HTTP header (for its charset). Relative links
/// stay relative: normalize resolves them the way readers do (against the site, not the
/// feed file).
pub fn parse(bytes: &[u8], content_type: Option<&str>) -> Result<Feed, ParseError> {
    let text = decode(bytes, content_type);
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(ParseError::Empty);
    }
    let parser = feed_rs::parser::Builder::new()
        // An empty id marks "no guid": normalize derives a stable one instead of feed-rs's
        // random UUID.
        .id_generator(|_, _, _| String::new())
        .sanitize_content(false)
        .build();
    if trimmed.starts_with('{') {
        let clean = text::xml_safe(trimmed);
        let json = repair_json(&clean);
        return parser.parse(json.as_bytes()).map_err(ParseError::Invalid);
    }
    if looks_like_html(trimmed) {
        return Err(ParseError::Html);
    }
    // A feed of 200,000 items would become 200,000 feed-rs structures (and a repaired copy
    // of all of it) before normalize keeps 2,000: cut it to the newest items first, after
    // repair only if it cannot be read before.
    let mut repaired = match cut_items(trimmed, MAX_ITEMS_PER_FEED) {
        Cut::Smaller(smaller) => repair_xml(&smaller)?,
        Cut::Fits => repair_xml(trimmed)?,
        Cut::Unreadable => {
            let repaired = repair_xml(trimmed)?;
            match cut_items(&repaired, MAX_ITEMS_PER_FEED) {
                Cut::Smaller(smaller) => smaller,
                _ => repaired,
            }
        }
    };
    if let Some(fixed) = rss_version_as_2(&repaired) {
        repaired = fixed;
    }
    // Titles are text: raw tags in one (`<title>A <b>bold</i> claim</title>`) are escaped up
    // front, since feed-rs silently drops a title with a mismatched tag.
    if let Some(escaped) = escape_markup_in(&repaired, &["title", "media:title"]) {
        repaired = escaped;
    }
    match parser.parse(repaired.as_bytes()) {
        Ok(feed) => Ok(feed),
        // Second chance: raw HTML inside text elements (`<title>A <b>bold</i> claim</title>`)
        // breaks XML; escaped, it is just text again.
        Err(first) => match escape_markup_in(&repaired, TEXT_ELEMENTS) {
            Some(again) => parser
                .parse(again.as_bytes())
                .map_err(|_| ParseError::Invalid(first)),
            None => Err(ParseError::Invalid(first)),
        },
    }
}

/// An `<rss>` root whose `version` feed-rs does not know (missing, `1.0`, `0.93`, `2.01`...)
/// gets `version="2.0"`: feed-rs reads only `2.0`, `0.91` and `0.92` and rejects the rest
/// with "no root element", yet every `<rss>` document is the RSS 0.9x/2.0 family (channel >
/// item); RSS 1.0 proper is RDF, with an `rdf:RDF` root. Torznab indexers declare
/// `<rss version="1.0">`, and many hand-written feeds give no version at all.
fn rss_version_as_2(xml: &str) -> Option<String> {
    // The root element: skip the declaration, processing instructions, comments, DOCTYPE.
    let mut at = 0;
    loop {
        let rest = &xml[at..];
        let skip = rest.len() - rest.trim_start().len();
        at += skip;
        let rest = &xml[at..];
        if rest.starts_with("<?") {
            at += rest.find("?>")? + 2;
        } else if rest.starts_with("<!--") {
            at += rest.find("-->")? + 3;
        } else if rest.starts_with("<!") {
            at += rest.find('>')? + 1;
        } else {
            break;
        }
    }
    let rest = xml[at..].strip_prefix("<rss")?;
    if !rest.starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/') {
        return None;
    }
    let end = rest.find('>')?;
    let attrs = &rest[..end];
    let tag_at = at + 4;
    // ` version = "x"` (either quote), as a whole attribute name.
    let mut version = None;
    let mut search = 0;
    while let Some(p) = attrs[search..].find("version") {
        let p = search + p;
        search = p + 7;
        let before_ok = attrs[..p].ends_with(|c: char| c.is_ascii_whitespace());
        let after = attrs[p + 7..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value = after[1..].trim_start();
        let quote = value.chars().next().filter(|q| matches!(q, '"' | '\''))?;
        let close = value[1..].find(quote)?;
        // `value` is a suffix of `attrs`, which starts at `tag_at`.
        let v_start = tag_at + (attrs.len() - value.len()) + 1;
        version = Some((v_start, &value[1..1 + close]));
        break;
    }
    match version {
        Some((_, "2.0" | "0.91" | "0.92")) => None,
        Some((v_start, v)) => {
            let mut out = String::with_capacity(xml.len());
            out.push_str(&xml[..v_start]);
            out.push_str("2.0");
            out.push_str(&xml[v_start + v.len()..]);
            Some(out)
        }
        None => {
            let mut out = String::with_capacity(xml.len() + 16);
            out.push_str(&xml[..tag_at]);
            out.push_str(" version=\"2.0\"");
            out.push_str(&xml[tag_at..]);
            Some(out)
        }
    }
}

/// What [`cut_items`] made of a document.
#[derive(Debug, PartialEq, Eq)]
enum Cut {
    /// At most `max` items: nothing to do.
    Fits,
    /// The document with its newest `max` items.
    Smaller(String),
    /// Not readable as XML as it is.
    Unreadable,
}

/// Cuts an RSS, RDF or Atom document with more than `max` items (`item`/`entry` elements
/// near the top) down to its `max` newest (by published date, else updated; undated ones
/// last, document order between equals), everything else untouched. One pass of quick-xml
/// over the text, remembering only each item's byte range and date.
fn cut_items(xml: &str, max: usize) -> Cut {
    // Cheap first: fewer "item"/"entry" strings than `max` means nothing to cut.
    if xml.matches("item").count() + xml.matches("entry").count() <= max {
        return Cut::Fits;
    }
    let Some(items) = scan_items(xml) else {
        return Cut::Unreadable;
    };
    if items.len() <= max {
        return Cut::Fits;
    }
    match splice(xml, &items, &newest(&items, max)) {
        Some(smaller) => Cut::Smaller(smaller),
        None => Cut::Unreadable,
    }
}

/// One item of a document: where it is and when it was published or updated.
struct ItemSpan {
    start: usize,
    end: usize,
    published: Option<i64>,
    updated: Option<i64>,
}

/// Every item near the top of `xml`, in document order; `None` when the text is not
/// readable as XML or an item is never closed.
fn scan_items(xml: &str) -> Option<Vec<ItemSpan>> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut scan = Scan::default();
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().ok()?;
        let at = reader.buffer_position() as usize;
        match event {
            Event::Start(e) => scan.open(e.local_name().as_ref(), before),
            Event::End(_) => scan.close(at)?,
            Event::Text(t) => scan.text(&t),
            Event::Eof => break,
            _ => {}
        }
    }
    let items = scan.items;
    items.iter().all(|i| i.end > i.start).then_some(items)
}

/// Where [`scan_items`] is in the document.
#[derive(Default)]
struct Scan {
    items: Vec<ItemSpan>,
    depth: usize,
    /// Depth of the item being read.
    item_depth: Option<usize>,
    /// The date element being read, directly inside the item.
    date: Option<DateField>,
}

/// Which of an item's dates a child element gives.
#[derive(Clone, Copy)]
enum DateField {
    Published,
    Updated,
}

impl Scan {
    /// An element named `name` opens at byte `at`.
    fn open(&mut self, name: &[u8], at: usize) {
        self.depth += 1;
        match self.item_depth {
            None if self.depth <= 3 && (name == b"item" || name == b"entry") => {
                self.item_depth = Some(self.depth);
                self.items.push(ItemSpan {
                    start: at,
                    end: at,
                    published: None,
                    updated: None,
                });
            }
            Some(d) if self.depth == d + 1 => {
                self.date = match name {
                    b"pubDate" | b"published" | b"issued" | b"date" => Some(DateField::Published),
                    b"updated" | b"modified" => Some(DateField::Updated),
                    _ => None,
                };
            }
            _ => {}
        }
    }

    /// An element closes, ending at byte `at`; `None` when more close than opened.
    fn close(&mut self, at: usize) -> Option<()> {
        if self.item_depth == Some(self.depth) {
            self.item_depth = None;
            if let Some(last) = self.items.last_mut() {
                last.end = at;
            }
        }
        self.date = None;
        self.depth = self.depth.checked_sub(1)?;
        Some(())
    }

    /// Text, which inside a date element is the current item's date (the first one given).
    fn text(&mut self, text: &[u8]) {
        let (Some(field), Some(last)) = (self.date, self.items.last_mut()) else {
            return;
        };
        let when = parse_date(&String::from_utf8_lossy(text));
        match field {
            DateField::Published => last.published = last.published.or(when),
            DateField::Updated => last.updated = last.updated.or(when),
        }
    }
}

/// Which items to keep: the `max` newest, by published date, else updated.
fn newest(items: &[ItemSpan], max: usize) -> Vec<bool> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    // Stable: equal dates keep document order.
    order.sort_by_key(|&i| std::cmp::Reverse(items[i].published.or(items[i].updated)));
    let mut keep = vec![false; items.len()];
    for &i in &order[..max] {
        keep[i] = true;
    }
    keep
}

/// `xml` with only the items marked in `keep`; `None` when a position is not on a character
/// boundary.
fn splice(xml: &str, items: &[ItemSpan], keep: &[bool]) -> Option<String> {
    let mut out = String::with_capacity(xml.len().min(64 << 20));
    let mut cursor = 0;
    // The reader's positions fall on tag boundaries; sliced with `get` all the same.
    for (item, &keep) in items.iter().zip(keep) {
        out.push_str(xml.get(cursor..item.start)?);
        let body = xml.get(item.start..item.end)?;
        if keep {
            out.push_str(body);
        }
        cursor = item.end;
    }
    out.push_str(xml.get(cursor..)?);
    Some(out)
}

/// An RFC 2822 or RFC 3339 date, as Unix seconds.
fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    chrono::DateTime::parse_from_rfc2822(s)
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(s))
        .ok()
        .map(|d| d.timestamp())
}

/// Elements whose content is text (or escaped HTML), never child elements, in RSS and Atom.
const TEXT_ELEMENTS: &[&str] = &[
    "title",
    "description",
    "summary",
    "dc:creator",
    "author",
    "name",
    "media:title",
];

/// Deeper element nesting than this is refused: real feeds nest about ten levels, and a
/// million-deep document is an attack on recursive parsers.
pub const MAX_DEPTH: usize = 256;

/// Escapes `<` and `>` inside the text elements `names`; `None` when nothing changed.
fn escape_markup_in(xml: &str, names: &[&str]) -> Option<String> {
    let mut out = String::with_capacity(xml.len() + 256);
    let mut rest = xml;
    let mut changed = false;
    'outer: while let Some(pos) = rest.find('<') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        for name in names {
            let Some(after) = rest.strip_prefix('<').and_then(|r| r.strip_prefix(name)) else {
                continue;
            };
            if !after.starts_with(['>', ' ', '\t', '\n', '\r']) {
                continue;
            }
            let Some(gt) = rest.find('>') else { break };
            // Self-closing, or Atom's xhtml text construct whose markup is legitimate.
            if rest[..gt].ends_with('/') || rest[..gt].contains("xhtml") {
                continue;
            }
            let close = format!("</{name}>");
            let Some(end) = rest[gt + 1..].find(&close) else {
                continue;
            };
            let content = &rest[gt + 1..gt + 1 + end];
            out.push_str(&rest[..gt + 1]);
            if content.contains('<') && !content.contains("<![CDATA[") {
                out.push_str(&content.replace('<', "&lt;").replace('>', "&gt;"));
                changed = true;
            } else {
                out.push_str(content);
            }
            out.push_str(&close);
            rest = &rest[gt + 1 + end + close.len()..];
            continue 'outer;
        }
        out.push('<');
        rest = &rest[1..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// Replaces lone UTF-16 surrogate escapes (`"\ud800"`), which JSON parsers reject, with
/// U+FFFD, so one bad title does not lose the feed.
pub fn repair_json(s: &str) -> Cow<'_, str> {
    if !s.contains("\\u") && !s.contains("\\U") {
        return Cow::Borrowed(s);
    }
    let hex4 = |t: &str| t.get(..4).and_then(|h| u16::from_str_radix(h, 16).ok());
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('\\') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        let Some(next) = rest[1..].chars().next() else {
            out.push_str(rest);
            return Cow::Owned(out);
        };
        if next != 'u' {
            let len = 1 + next.len_utf8();
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        }
        match hex4(&rest[2..]) {
            Some(hi @ 0xD800..=0xDBFF) => {
                let low = rest[6..].strip_prefix("\\u").and_then(hex4);
                if low.is_some_and(|l| (0xDC00..=0xDFFF).contains(&l)) {
                    out.push_str(&rest[..12]);
                    rest = &rest[12..];
                } else {
                    let _ = hi;
                    out.push_str("\\ufffd");
                    rest = &rest[6..];
                }
            }
            Some(0xDC00..=0xDFFF) => {
                out.push_str("\\ufffd");
                rest = &rest[6..];
            }
            _ => {
                out.push_str(&rest[..2]);
                rest = &rest[2..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn looks_like_html(s: &str) -> bool {
    let head: String = s.chars().take(512).collect::<String>().to_ascii_lowercase();
    let head = head.trim_start_matches(|c: char| c != '<');
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || (head.contains("<html")
            && !head.contains("<rss")
            && !head.contains("<feed")
            && !head.contains("<rdf"))
}

/// Decodes feed bytes to UTF-8: BOM, then the HTTP charset, then the XML declaration, then
/// UTF-8 with Windows-1252 for the bytes that are not UTF-8.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> String {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return enc
            .decode_without_bom_handling(&bytes[bom_len..])
            .0
            .into_owned();
    }
    // UTF-16 without a BOM still starts with '<' and a NUL byte.
    match bytes {
        [b'<', 0, ..] => return UTF_16LE.decode_without_bom_handling(bytes).0.into_owned(),
        [0, b'<', ..] => return UTF_16BE.decode_without_bom_handling(bytes).0.into_owned(),
        _ => {}
    }
    let declared = content_type
        .and_then(charset_param)
        .and_then(|c| Encoding::for_label(c.as_bytes()))
        .or_else(|| xml_declared_encoding(bytes));
    match declared {
        // A UTF-16 label on 8-bit data is wrong; UTF-8 is the safe reading.
        Some(enc) if enc != UTF_8 && enc != UTF_16LE && enc != UTF_16BE => {
            enc.decode_without_bom_handling(bytes).0.into_owned()
        }
        _ => utf8_or_cp1252(bytes),
    }
}

/// `charset=` of a `Content-Type` value (feeds here, article pages in the article stage).
pub(crate) fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).to_owned())
    })
}

fn xml_declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(256)];
    let head = std::str::from_utf8(head)
        .unwrap_or_else(|e| std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default());
    let decl = head.strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let pos = decl.find("encoding")?;
    let rest = decl[pos + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..rest[1..].find(quote)? + 1];
    Encoding::for_label(value.trim().as_bytes())
}

/// UTF-8 where the bytes are UTF-8; each invalid byte read as Windows-1252, the usual
/// undeclared encoding of old CMSs.
fn utf8_or_cp1252(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad = e.error_len().unwrap_or(after.len()).max(1).min(after.len());
                out.push_str(&WINDOWS_1252.decode_without_bom_handling(&after[..bad]).0);
                rest = &after[bad..];
            }
        }
    }
}

/// Repairs XML text so a strict parser accepts it; see the module docs.
pub fn repair_xml(s: &str) -> Result<String, ParseError> {
    let mut out = String::with_capacity(s.len() + 64);
    let mut rest = s;
    let mut depth = 0usize;
    // The declaration names the old encoding; the text is UTF-8 now.
    if rest.starts_with("<?xml") {
        if let Some(end) = rest.find("?>") {
            out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            rest = &rest[end + 2..];
        }
    }
    while let Some(pos) = rest.find(['<', '&']) {
        push_xml_chars(&mut out, &rest[..pos]);
        rest = &rest[pos..];
        if rest.starts_with("<![CDATA[") {
            let end = rest.find("]]>").map_or(rest.len(), |e| e + 3);
            push_xml_chars(&mut out, &rest[..end]);
            rest = &rest[end..];
        } else if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(rest.len(), |e| e + 3);
            rest = &rest[end..];
        } else if starts_with_ignore_case(rest, "<!DOCTYPE") {
            rest = &rest[doctype_len(rest)..];
        } else if rest.starts_with('<') {
            match rest[1..].chars().next() {
                Some('/') => depth = depth.saturating_sub(1),
                Some('?' | '!') | None => {}
                Some(_) => {
                    let self_closing = rest.find('>').is_some_and(|gt| rest[..gt].ends_with('/'));
                    if !self_closing {
                        depth += 1;
                        if depth > MAX_DEPTH {
                            return Err(ParseError::TooDeep);
                        }
                    }
                }
            }
            out.push('<');
            rest = &rest[1..];
        } else {
            match text::reference(rest) {
                Some((len, Reference::Char(c))) => {
                    if text::is_xml_char(c) {
                        out.push_str(&rest[..len]);
                    }
                    rest = &rest[len..];
                }
                Some((len, Reference::Named(value))) => {
                    let name = &rest[1..len - 1];
                    if matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") {
                        out.push_str(&rest[..len]);
                    } else {
                        // An HTML entity: its characters, escaped where XML needs it.
                        for c in value.chars() {
                            match c {
                                '<' => out.push_str("&lt;"),
                                '&' => out.push_str("&amp;"),
                                '"' => out.push_str("&quot;"),
                                c => out.push(c),
                            }
                        }
                    }
                    rest = &rest[len..];
                }
                None => {
                    out.push_str("&amp;");
                    rest = &rest[1..];
                }
            }
        }
    }
    push_xml_chars(&mut out, rest);
    Ok(out)
}

fn push_xml_chars(out: &mut String, s: &str) {
    out.push_str(&text::xml_safe(s));
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// Length of a `<!DOCTYPE ...>` declaration, internal subset `[...]` included.
fn doctype_len(s: &str) -> usize {
    let mut depth = 0usize;
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => depth = depth.saturating_sub(1),
            (None, '>') if depth == 0 => return i + 1,
            _ => {}
        }
    }
    s.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_bare_ampersands_and_html_entities() {
        let xml = "<rss version=\"2.0\"><channel><title>AT&T &nbsp;News &amp; more</title>\
                   <item><title>Caf&eacute; &#233; &#1; &bogus</title><link>http://e.com/a?x=1&y=2</link></item>\
                   </channel></rss>";
        let feed = parse(xml.as_bytes(), None).unwrap();
        assert_eq!(feed.title.unwrap().content, "AT&T \u{a0}News & more");
        assert_eq!(
            feed.entries[0].title.as_ref().unwrap().content,
            "Café é  &bogus"
        );
        assert_eq!(feed.entries[0].links[0].href, "http://e.com/a?x=1&y=2");
    }

    #[test]
    fn recovers_html_in_titles_and_lone_surrogates() {
        let xml = "<rss version=\"2.0\"><channel><title>t</title><item><title>A <b>bold</i> claim</title>\
                   <description>ok</description></item></channel></rss>";
        let feed = parse(xml.as_bytes(), None).unwrap();
        assert_eq!(
            feed.entries[0].title.as_ref().unwrap().content,
            "A <b>bold</i> claim"
        );
        let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","title":"bad \ud800 pair \ud83d\ude00 ok \\ud800 literal","content_text":"x"}]}"#;
        let feed = parse(json.as_bytes(), None).unwrap();
        assert_eq!(
            feed.entries[0].title.as_ref().unwrap().content,
            "bad \u{fffd} pair 😀 ok \\ud800 literal"
        );
    }

    #[test]
    fn refuses_absurd_nesting_quickly() {
        let deep = format!(
            "<rss version=\"2.0\"><channel>{}</channel></rss>",
            "<x>".repeat(1_000_000)
        );
        assert!(matches!(
            parse(deep.as_bytes(), None),
            Err(ParseError::TooDeep)
        ));
    }

    #[test]
    fn drops_doctype_so_entities_never_expand() {
        let xml = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>\
                   <rss version=\"2.0\"><channel><title>&lol2;</title></channel></rss>";
        let feed = parse(xml.as_bytes(), None).unwrap();
        assert_eq!(feed.title.unwrap().content, "&lol2;");
    }

    #[test]
    fn decodes_utf16_bom_and_undeclared_cp1252() {
        let xml = "<rss version=\"2.0\"><channel><title>Pokémon</title></channel></rss>";
        let mut utf16 = vec![0xFF, 0xFE];
        for u in xml.encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(
            parse(&utf16, None).unwrap().title.unwrap().content,
            "Pokémon"
        );
        let cp1252 = b"<rss version=\"2.0\"><channel><title>Pok\xe9mon \x93quoted\x94</title></channel></rss>";
        assert_eq!(
            parse(cp1252, None).unwrap().title.unwrap().content,
            "Pokémon \u{201c}quoted\u{201d}"
        );
    }

    #[test]
    fn honours_declared_and_header_charsets() {
        let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>Caf\xe9</title></channel></rss>";
        assert_eq!(parse(latin1, None).unwrap().title.unwrap().content, "Café");
        let cyr = b"<rss version=\"2.0\"><channel><title>\xcf\xf0\xe8\xe2\xe5\xf2</title></channel></rss>";
        assert_eq!(
            parse(cyr, Some("text/xml; charset=windows-1251"))
                .unwrap()
                .title
                .unwrap()
                .content,
            "Привет"
        );
    }

    #[test]
    fn removes_control_characters_and_rejects_html_pages() {
        let xml = "<rss version=\"2.0\"><channel><title>a\u{1}b\u{0}c</title></channel></rss>";
        assert_eq!(
            parse(xml.as_bytes(), None).unwrap().title.unwrap().content,
            "abc"
        );
        assert!(matches!(
            parse(b"<!DOCTYPE html><html><body>hi</body></html>", None),
            Err(ParseError::Html)
        ));
        assert!(matches!(parse(b"  ", None), Err(ParseError::Empty)));
    }

    #[test]
    fn an_rss_root_with_a_version_feed_rs_does_not_know_is_rss_2() {
        let item = "<channel><title>T</title><item><title>Show.S01E02.720p</title>\
                    <link>http://x/1</link></item></channel></rss>";
        for root in [
            "<rss version=\"1.0\" xmlns:torznab=\"http://torznab.com/schemas/2015/feed\">",
            "<!-- a comment -->\n<rss>",
            "<?xml version=\"1.0\"?>\n<rss version='0.94'>",
            "<rss xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" version = \"2.01\">",
        ] {
            let feed = parse(format!("{root}{item}").as_bytes(), None)
                .unwrap_or_else(|e| panic!("{root}: {e}"));
            let titles: Vec<_> = feed
                .entries
                .iter()
                .filter_map(|e| e.title.as_ref())
                .collect();
            assert_eq!(titles.len(), 1, "{root}");
            assert_eq!(titles[0].content, "Show.S01E02.720p");
        }
        assert!(rss_version_as_2("<rss version=\"2.0\"><channel/></rss>").is_none());
        assert!(rss_version_as_2("<rdf:RDF><channel/></rdf:RDF>").is_none());
        assert!(rss_version_as_2("<rssfeed><channel/></rssfeed>").is_none());
        assert_eq!(
            rss_version_as_2("<rss xmlns:a=\"v\"><channel/></rss>").as_deref(),
            Some("<rss version=\"2.0\" xmlns:a=\"v\"><channel/></rss>")
        );
    }
}

#[cfg(test)]
mod cap_tests {
    use super::*;

    fn rss(days: &[u32]) -> String {
        let mut x = String::from("<rss version=\"2.0\"><channel><title>T</title>");
        for d in days {
            x.push_str(&format!(
                "<item><title>day {d}</title><guid>g{d}</guid><pubDate>{d:02} Nov 2026 10:00:00 GMT</pubDate></item>\n"
            ));
        }
        x.push_str("<image><url>http://x/i.png</url></image></channel></rss>");
        x
    }

    fn smaller(xml: &str, max: usize) -> String {
        match cut_items(xml, max) {
            Cut::Smaller(cut) => cut,
            other => panic!("not cut: {other:?}"),
        }
    }

    fn titles(feed: &Feed) -> Vec<String> {
        feed.entries
            .iter()
            .map(|e| {
                e.title
                    .as_ref()
                    .map(|t| t.content.clone())
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn keeps_the_newest_items_in_document_order_and_the_rest_of_the_document() {
        let xml = rss(&[3, 9, 1, 7, 5]);
        let cut = smaller(&xml, 3);
        let feed = parse(cut.as_bytes(), None).unwrap();
        assert_eq!(titles(&feed), ["day 9", "day 7", "day 5"]);
        assert!(cut.contains("<image><url>http://x/i.png</url></image>"));
        assert_eq!(cut_items(&xml, 5), Cut::Fits, "nothing to cut");
        assert_eq!(
            cut_items("<rss><item></rss>", 0),
            Cut::Unreadable,
            "unreadable"
        );
    }

    #[test]
    fn atom_and_rdf_items_are_cut_too_and_undated_ones_are_dropped_first() {
        let atom = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>A</title>\
            <entry><title>old</title><id>1</id><updated>2026-01-01T00:00:00Z</updated></entry>\
            <entry><title>undated</title><id>2</id></entry>\
            <entry><title>new</title><id>3</id><published>2026-05-01T00:00:00Z</published><updated>2020-01-01T00:00:00Z</updated></entry>\
            </feed>";
        let feed = parse(smaller(atom, 2).as_bytes(), None).unwrap();
        assert_eq!(titles(&feed), ["old", "new"]);
        let rdf = "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\
            <channel rdf:about=\"x\"><title>R</title><link>http://x/</link><description>d</description></channel>\
            <item rdf:about=\"a\"><title>a</title><link>http://x/a</link><dc:date>2026-01-01T00:00:00Z</dc:date></item>\
            <item rdf:about=\"b\"><title>b</title><link>http://x/b</link><dc:date>2026-03-01T00:00:00Z</dc:date></item>\
            </rdf:RDF>";
        let feed = parse(smaller(rdf, 1).as_bytes(), None).unwrap();
        assert_eq!(titles(&feed), ["b"]);
    }

    #[test]
    fn a_huge_feed_is_cut_before_feed_rs_sees_it() {
        let days: Vec<u32> = (0..5000).map(|i| 1 + i % 28).collect();
        let feed = parse(rss(&days).as_bytes(), None).unwrap();
        assert_eq!(feed.entries.len(), MAX_ITEMS_PER_FEED);
        let kept: Vec<u32> = titles(&feed)
            .iter()
            .map(|t| t.trim_start_matches("day ").parse().unwrap())
            .collect();
        // 5,000 items over 28 days: the newest 2,000 are days 28 down to part of day 17.
        assert!(kept.iter().all(|&d| d >= 17), "newest kept");
        assert_eq!(
            kept.iter().filter(|&&d| d == 28).count(),
            days.iter().filter(|&&d| d == 28).count()
        );
    }
}
