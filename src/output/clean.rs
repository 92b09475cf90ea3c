//! What every string of a document goes through once, while [`super::doc`] builds it and
//! before any writer sees it, so that Atom, RSS and JSON Feed carry the same values and each
//! stays valid: links serialized as valid IRIs (RFC 3987), text without the characters that
//! readers and validators take for mojibake, empty values left out, attachments that a reader
//! can fetch. Plus the serialization rules the XML writers share: [`char_refs`] and
//! [`is_full_url`].

use std::borrow::Cow;

use crate::entry::Entry;

/// Title of an entry whose title is empty once cleaned.
const UNTITLED: &str = "(untitled)";

/// `url` serialized as a valid IRI (RFC 3987 section 2.2): every character the IRI grammar
/// does not allow where it stands is percent-encoded (its UTF-8 bytes, `%XX`), so a space,
/// `"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}`, a control character, a second `#` and
/// `[` or `]` outside an IP-literal host are escaped, and a `%` that starts no `%XX` becomes
/// `%25`. Characters beyond ASCII are percent-encoded outside the host (the same resource as
/// an IRI, and a URI for readers that want one); a host keeps its own (`ucschar` is allowed
/// there). What is valid already comes back borrowed.
pub fn iri(url: &str) -> Cow<'_, str> {
    let host = authority(url);
    let mut fragment = false;
    let mut out: Option<String> = None;
    for (i, c) in url.char_indices() {
        let in_host = host.as_ref().is_some_and(|h| h.contains(&i));
        let keep = match c {
            '#' if !fragment && !in_host => {
                fragment = true;
                true
            }
            '%' => is_pct_encoded(&url[i..]),
            '[' | ']' => in_host,
            c if c.is_ascii() => is_iri_ascii(c),
            c => in_host && is_ucschar(c),
        };
        match (&mut out, keep) {
            (None, true) => {}
            (None, false) => {
                let mut s = String::with_capacity(url.len() + 8);
                s.push_str(&url[..i]);
                pct_encode(&mut s, c);
                out = Some(s);
            }
            (Some(s), true) => s.push(c),
            (Some(s), false) => pct_encode(s, c),
        }
    }
    out.map_or(Cow::Borrowed(url), Cow::Owned)
}

/// The byte range of the authority (`//` up to the path, query or fragment), when `url` has
/// a scheme and one.
fn authority(url: &str) -> Option<std::ops::Range<usize>> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let rest = &url[colon + 1..];
    if !valid || !rest.starts_with("//") {
        return None;
    }
    let start = colon + 3;
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |e| start + e);
    Some(start..end)
}

/// ASCII characters an IRI may hold as they are: unreserved, sub-delims and the general
/// delimiters but `#`, `[` and `]` (placed by [`iri`]).
fn is_iri_ascii(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '-' | '.'
                | '_'
                | '~'
                | '!'
                | '$'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | '+'
                | ','
                | ';'
                | '='
                | ':'
                | '@'
                | '/'
                | '?'
        )
}

/// RFC 3987's `ucschar`: the characters beyond ASCII an IRI may hold.
fn is_ucschar(c: char) -> bool {
    let c = c as u32;
    matches!(c, 0xA0..=0xD7FF | 0xF900..=0xFDCF | 0xFDF0..=0xFFEF)
        || (0x10000..=0xEFFFD).contains(&c) && (c & 0xFFFF) < 0xFFFE
}

fn is_pct_encoded(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 3 && b[1].is_ascii_hexdigit() && b[2].is_ascii_hexdigit()
}

fn pct_encode(out: &mut String, c: char) {
    let mut buf = [0u8; 4];
    for b in c.encode_utf8(&mut buf).bytes() {
        out.push_str(&format!("%{b:02X}"));
    }
}

/// Whether a character is one that text should not carry: C1 controls and DEL (in feeds,
/// mojibake of Windows-1252 read as Latin-1; the HTML parser rejects them, XML 1.0 section
/// 2.2 discourages them) and Unicode noncharacters.
fn is_discouraged(c: char) -> bool {
    let u = c as u32;
    matches!(u, 0x7F..=0x9F | 0xFDD0..=0xFDEF) || (u & 0xFFFE) == 0xFFFE
}

/// `s` with UTF-8 that was read as Latin-1 read again (`cafÃ©` is `café`, `â\u{80}¦` is
/// `…`), then without discouraged characters (C1 controls, DEL, noncharacters). U+FFFD
/// stays: it marks text the source could not give (a lone surrogate, an undecodable byte).
pub fn text(s: &str) -> Cow<'_, str> {
    let s = utf8_again(s);
    if s.chars().any(is_discouraged) {
        Cow::Owned(s.chars().filter(|&c| !is_discouraged(c)).collect())
    } else {
        s
    }
}

/// Double-encoded UTF-8 decoded: a run of U+0080..U+00FF characters whose code points, as
/// bytes, are valid UTF-8 led by 0xC2, 0xC3 (the Latin-1 letters and signs) or 0xE2
/// (punctuation: dashes, quotes, `…`, `€`). Genuine text hardly ever holds such a run (`Ã`
/// or `Â` followed by a sign); other runs are left as they are.
fn utf8_again(s: &str) -> Cow<'_, str> {
    if !s.contains(['\u{C2}', '\u{C3}', '\u{E2}']) {
        return Cow::Borrowed(s);
    }
    let flush = |run: &mut Vec<u8>, out: &mut String| {
        let leads_ok = run
            .iter()
            .all(|&b| b < 0xC0 || matches!(b, 0xC2 | 0xC3 | 0xE2));
        match std::str::from_utf8(run) {
            Ok(t) if leads_ok => out.push_str(t),
            _ => out.extend(run.iter().map(|&b| char::from(b))),
        }
        run.clear();
    };
    let mut out = String::with_capacity(s.len());
    let mut run: Vec<u8> = Vec::new();
    for c in s.chars() {
        match u8::try_from(c) {
            Ok(b) if b >= 0x80 => run.push(b),
            _ => {
                flush(&mut run, &mut out);
                out.push(c);
            }
        }
    }
    flush(&mut run, &mut out);
    if out == s {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(out)
    }
}

/// [`text`] of `s`, or `None` when nothing but white space is left: an empty element is
/// left out, never written empty.
pub fn nonempty(s: Option<String>) -> Option<String> {
    let s = s?;
    let t = text(&s);
    (!t.trim().is_empty()).then(|| t.into_owned())
}

/// [`iri`] of an owned link.
pub fn link(s: String) -> String {
    match iri(&s) {
        Cow::Borrowed(_) => s,
        Cow::Owned(o) => o,
    }
}

/// Whether `url` is an http(s) URL: what a reader can fetch as an attachment.
pub fn is_web_url(url: &str) -> bool {
    url.get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("http://"))
        || url
            .get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
}

/// Whether `url` is a full URL for an RSS `url` attribute (enclosure, source): RSS 2.0 asks
/// for an http URL, and validators read that as http(s), no user name, a dotted host name
/// or an IPv4 address, and nothing but URI characters; such an attribute is left out
/// otherwise.
pub fn is_full_url(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    let host_ok = match u.host() {
        Some(url::Host::Ipv4(_)) => true,
        Some(url::Host::Domain(d)) => {
            let labels: Vec<&str> = d.split('.').collect();
            labels.len() >= 2
                && labels.iter().all(|l| {
                    !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                })
                && labels[labels.len() - 1].starts_with(|c: char| c.is_ascii_alphanumeric())
        }
        _ => false,
    };
    matches!(u.scheme(), "http" | "https")
        && host_ok
        && u.username().is_empty()
        && u.password().is_none()
        && matches!(iri(url), Cow::Borrowed(_))
        && url.is_ascii()
}

/// An entry as documents show it: title, summary, content and authors through [`text`]
/// (empty ones dropped, an empty title replaced), every link through [`iri`], attachments
/// and the lead image only when a reader can fetch them (http or https).
pub fn entry(e: &mut Entry) {
    if let Cow::Owned(t) = text(&e.title) {
        e.title = t;
    }
    if e.title.trim().is_empty() {
        UNTITLED.clone_into(&mut e.title);
    }
    e.link = e.link.take().map(link).filter(|l| !l.is_empty());
    e.summary = nonempty(e.summary.take());
    e.content = nonempty(e.content.take());
    e.authors = std::mem::take(&mut e.authors)
        .into_iter()
        .filter_map(|a| nonempty(Some(a)))
        .collect();
    e.enclosures.retain(|x| is_web_url(&x.url));
    for x in &mut e.enclosures {
        x.url = link(std::mem::take(&mut x.url));
    }
    e.image = e.image.take().filter(|u| is_web_url(u)).map(link);
}

/// A serialized XML document with each `&amp;` that could be misread as the start of a
/// reference (`&amp;` followed by `#` or a letter or digit: `alpha&omega`, `&lol9;` as text)
/// written `&#x26;`, outside CDATA: the same character, in the form the RSS Best Practices
/// Profile asks for in plain text, which tells readers and validators that such a `&` is
/// text, not a forgotten entity.
pub fn char_refs(xml: Vec<u8>) -> Vec<u8> {
    use memchr::memmem;
    const AMP: &[u8] = b"&amp;";
    let ambiguous = |at: usize| {
        xml.get(at + AMP.len())
            .is_some_and(|&b| b == b'#' || b.is_ascii_alphanumeric())
    };
    // The next ambiguous `&amp;` at or after `from`, ignoring CDATA (checked by the caller).
    let amps = memmem::Finder::new(AMP);
    let next_amp = |from: usize| {
        amps.find_iter(&xml[from..])
            .map(|i| from + i)
            .find(|&i| ambiguous(i))
    };
    let Some(mut amp) = next_amp(0) else {
        return xml;
    };
    let cdata_start = memmem::Finder::new(b"<![CDATA[");
    let cdata_end = memmem::Finder::new(b"]]>");
    let mut out = Vec::with_capacity(xml.len() + 64);
    let (mut copied, mut from) = (0, 0);
    loop {
        match cdata_start.find(&xml[from..amp]).map(|i| from + i) {
            // A CDATA section before the `&amp;`: skip it, and look again after its end.
            Some(start) => {
                from = cdata_end
                    .find(&xml[start..])
                    .map_or(xml.len(), |e| start + e + 3);
            }
            None => {
                out.extend_from_slice(&xml[copied..amp]);
                out.extend_from_slice(b"&#x26;");
                copied = amp + AMP.len();
                from = copied;
            }
        }
        match next_amp(from) {
            Some(next) => amp = next,
            None => break,
        }
    }
    out.extend_from_slice(&xml[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iris_escape_what_rfc_3987_forbids_and_keep_the_rest() {
        for (raw, want) in [
            (
                "http://www.limetorrents.cc/The-Expanse-2x04-(720p)[VTV]-torrent.html",
                "http://www.limetorrents.cc/The-Expanse-2x04-(720p)%5BVTV%5D-torrent.html",
            ),
            (
                "https://m.example/a.jpg?id=16|caption=A%20b c",
                "https://m.example/a.jpg?id=16%7Ccaption=A%20b%20c",
            ),
            ("http://[::1]:8080/x[1]", "http://[::1]:8080/x%5B1%5D"),
            (
                "http://e.example/<\"{}\\^`>",
                "http://e.example/%3C%22%7B%7D%5C%5E%60%3E",
            ),
            (
                "http://e.example/100%/é#a#b",
                "http://e.example/100%25/%C3%A9#a%23b",
            ),
            ("http://bücher.example/ü", "http://bücher.example/%C3%BC"),
            (
                "magnet:?xt=urn:btih:ABC&dn=A B",
                "magnet:?xt=urn:btih:ABC&dn=A%20B",
            ),
        ] {
            assert_eq!(iri(raw), want, "{raw}");
        }
        let fine = "https://variety.com/2024/tv/news/x/?id=5&a=%20#top";
        assert!(matches!(iri(fine), Cow::Borrowed(_)));
    }

    #[test]
    fn full_urls_for_rss_attributes() {
        assert!(is_full_url("https://cdn.example.com/a.mp3"));
        assert!(is_full_url("http://127.0.0.1:8080/feed.rss"));
        for bad in [
            "http://localhost:8080/x",
            "http://[::1]/x",
            "ftp://e.example/x",
            "https://user@e.example/x",
            "https://e.example/a|b",
            "magnet:?xt=urn:btih:ABC",
            "",
        ] {
            assert!(!is_full_url(bad), "{bad}");
        }
    }

    #[test]
    fn text_drops_c1_controls_and_noncharacters_but_keeps_replacements() {
        let odd = "x\u{80}¦ a\u{9f}b\u{7f}\u{fdd0}\u{1fffe}c\u{fffd}";
        assert_eq!(text(odd), "x¦ abc\u{fffd}");
        assert_eq!(text("a cafÃ© â\u{80}¦ Â£5"), "a café … £5");
        for genuine in ["Straße«", "Ã", "SÃO PAULO", "é»", "naïve ½"] {
            assert_eq!(text(genuine), genuine);
        }
        assert!(matches!(text("Pokémon 시즌2"), Cow::Borrowed(_)));
        assert_eq!(nonempty(Some(" \u{85} ".into())), None);
        assert_eq!(
            nonempty(Some("<p>x</p>".into())).as_deref(),
            Some("<p>x</p>")
        );
    }

    #[test]
    fn ampersands_become_character_references_outside_cdata() {
        let xml = b"<t a=\"?a=1&amp;b\">x&amp;y&lt; &amp; z</t><d><![CDATA[a &amp;b]]></d>&amp;#1"
            .to_vec();
        assert_eq!(
            String::from_utf8(char_refs(xml)).unwrap(),
            "<t a=\"?a=1&#x26;b\">x&#x26;y&lt; &amp; z</t><d><![CDATA[a &amp;b]]></d>&#x26;#1"
        );
    }

    /// The rule spelled out byte by byte: what [`char_refs`] must agree with.
    fn char_refs_oracle(xml: &[u8]) -> Vec<u8> {
        let find = |hay: &[u8], n: &[u8]| hay.windows(n.len()).position(|w| w == n);
        let mut out = Vec::new();
        let mut i = 0;
        while i < xml.len() {
            let rest = &xml[i..];
            if rest.starts_with(b"<![CDATA[") {
                let end = find(rest, b"]]>").map_or(xml.len(), |e| i + e + 3);
                out.extend_from_slice(&xml[i..end]);
                i = end;
            } else if rest.starts_with(b"&amp;")
                && rest
                    .get(5)
                    .is_some_and(|&b| b == b'#' || b.is_ascii_alphanumeric())
            {
                out.extend_from_slice(b"&#x26;");
                i += 5;
            } else {
                out.push(xml[i]);
                i += 1;
            }
        }
        out
    }

    #[test]
    fn character_references_agree_with_the_rule_spelled_out() {
        for xml in [
            "",
            "&amp;",
            "&amp;a",
            "no ampersand at all",
            "&amp; &amp;x &amp;&amp;y",
            "<![CDATA[&amp;x]]>&amp;y<![CDATA[&amp;z]]>&amp;#9",
            "<![CDATA[&amp;x]]><![CDATA[]]>&amp;amp;",
            "&amp;x<![CDATA[ never closed &amp;y",
            "a&amp;b<![CDATA[&amp;c]]>d&amp;e&amp;f<![CDATA[g]]>&amp;",
        ] {
            assert_eq!(
                String::from_utf8(char_refs(xml.as_bytes().to_vec())).unwrap(),
                String::from_utf8(char_refs_oracle(xml.as_bytes())).unwrap(),
                "{xml}"
            );
        }
    }
}
