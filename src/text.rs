//! Text helpers shared by the stages: XML 1.0 character filtering, HTML entities, HTML to
//! plain text.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Whether XML 1.0 allows `c` in a document (section 2.2, `Char`), less the discouraged
/// non-characters U+FFFE and U+FFFF that Rust strings can hold.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// `s` without the characters XML 1.0 forbids (NUL and other C0 controls, U+FFFE, U+FFFF).
pub fn xml_safe(s: &str) -> Cow<'_, str> {
    if s.chars().all(is_xml_char) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|&c| is_xml_char(c)).collect())
    }
}

/// The HTML5 named character references, without `&` and `;` (`nbsp` -> U+00A0).
pub fn html_entity(name: &str) -> Option<&'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            entities::ENTITIES
                .iter()
                .filter_map(|e| {
                    let name = e.entity.strip_prefix('&')?.strip_suffix(';')?;
                    Some((name, e.characters))
                })
                .collect()
        })
        .get(name)
        .copied()
}

/// Decodes character references (`&amp;`, `&#233;`, `&#xE9;`, `&eacute;`) in plain text;
/// anything that is not a valid reference stays as written.
pub fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        match reference(rest) {
            Some((len, Reference::Char(c))) => {
                out.push(c);
                rest = &rest[len..];
            }
            Some((len, Reference::Named(text))) => {
                out.push_str(text);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// A character reference at the start of a string.
pub enum Reference {
    /// `&#NN;` or `&#xHH;`.
    Char(char),
    /// A named reference and its replacement text.
    Named(&'static str),
}

/// Parses a reference at the start of `s` (which starts with `&`): its length and value.
pub fn reference(s: &str) -> Option<(usize, Reference)> {
    let body = s.get(1..)?;
    let end = body.bytes().take(40).position(|b| b == b';')?;
    let name = &body[..end];
    let len = end + 2;
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        return Some((len, Reference::Char(char::from_u32(code)?)));
    }
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let xml = match name {
        "amp" => Some("&"),
        "lt" => Some("<"),
        "gt" => Some(">"),
        "quot" => Some("\""),
        "apos" => Some("'"),
        _ => None,
    };
    Some((len, Reference::Named(xml.or_else(|| html_entity(name))?)))
}

/// `s` as HTML text: `&`, `<` and `>` escaped (quotes need no escape outside attributes).
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Plain text (a YouTube description, a `text/plain` summary) as HTML: escaped, blank lines
/// between paragraphs, line breaks kept.
pub fn plain_to_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 32);
    for para in s.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        out.push_str("<p>");
        for (k, line) in para
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            if k > 0 {
                out.push_str("<br>");
            }
            out.push_str(&escape_html(line));
        }
        out.push_str("</p>");
    }
    out
}

/// Plain text from an HTML fragment: tags dropped, entities decoded, whitespace collapsed,
/// XML-invalid characters removed.
pub fn html_to_text(html: &str) -> String {
    let stripped: Cow<'_, str> = if html.contains('<') {
        // ammonia with no allowed tags keeps text and drops markup, script bodies included;
        // a space before each block or line break keeps `<p>a</p><p>b</p>` two words.
        Cow::Owned(
            ammonia::Builder::empty()
                .clean(&space_blocks(html))
                .to_string(),
        )
    } else {
        Cow::Borrowed(html)
    };
    collapse_whitespace(&xml_safe(&decode_entities(&stripped)))
}

/// `html` with a space before every tag that starts or ends a block or breaks a line
/// (`<p>`, `</p>`, `<br>`, `<li>`, `<div>`, headings, table cells...): dropping the tags
/// must not glue the last word of one paragraph to the first of the next. Inline tags
/// (`<b>`, `<a>`, `<em>`) are left alone, since they can sit inside a word.
fn space_blocks(html: &str) -> Cow<'_, str> {
    const BLOCKS: [&str; 27] = [
        "p",
        "br",
        "div",
        "li",
        "ul",
        "ol",
        "dd",
        "dt",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "td",
        "th",
        "table",
        "blockquote",
        "pre",
        "hr",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
    ];
    let block_at = |i: usize| {
        let rest = &html[i + 1..];
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        let len = rest.bytes().take_while(u8::is_ascii_alphanumeric).count();
        BLOCKS.iter().any(|b| b.eq_ignore_ascii_case(&rest[..len]))
    };
    let mut out: Option<String> = None;
    let mut last = 0;
    for (i, _) in html.match_indices('<').filter(|&(i, _)| block_at(i)) {
        let o = out.get_or_insert_with(|| String::with_capacity(html.len() + 16));
        o.push_str(&html[last..i]);
        o.push(' ');
        last = i;
    }
    match out {
        None => Cow::Borrowed(html),
        Some(mut o) => {
            o.push_str(&html[last..]);
            Cow::Owned(o)
        }
    }
}

/// Text of sanitized HTML, fast: tags dropped (each becomes a space), entities decoded. For
/// matching, where [`html_to_text`]'s full parse would cost too much per entry; the HTML is
/// ours (sanitized at ingest), so a simple scan is exact enough.
pub fn strip_tags(html: &str) -> Cow<'_, str> {
    if !html.contains(['<', '&']) {
        return Cow::Borrowed(html);
    }
    // Copies the text between tags a run at a time (the searches are memchr): this runs on
    // every summary a text query or a regex reads, so a push per character showed in profiles.
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            // An unclosed tag runs to the end.
            rest = "";
            break;
        };
        out.push(' ');
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    if !out.contains('&') {
        return Cow::Owned(out);
    }
    Cow::Owned(decode_entities(&out).into_owned())
}

/// Runs of whitespace to one space, trimmed.
pub fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// CJK ideographs, kana and Hangul: scripts that do not put spaces between words, so
/// tagging and story matching treat each character as a word.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'   // hiragana, katakana (with the long-vowel mark)
        | '\u{31F0}'..='\u{31FF}' // katakana extensions
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
        | '\u{AC00}'..='\u{D7AF}' // Hangul syllables
        | '\u{1100}'..='\u{11FF}' // Hangul jamo
        | '\u{3130}'..='\u{318F}' // Hangul compatibility jamo
        | '\u{FF66}'..='\u{FF9F}' // halfwidth katakana
        | '\u{20000}'..='\u{2A6DF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_xml_invalid_characters() {
        assert_eq!(xml_safe("a\u{0}b\u{1b}c\u{FFFE}d\te"), "abcd\te");
        assert!(matches!(xml_safe("clean"), Cow::Borrowed(_)));
    }

    #[test]
    fn decodes_html_and_numeric_entities() {
        assert_eq!(
            decode_entities("AT&amp;T &nbsp;&eacute;&#233;&#xE9; &bogus; & x"),
            "AT&T \u{a0}ééé &bogus; & x"
        );
    }

    #[test]
    fn strip_tags_drops_tags_as_spaces_and_decodes_entities() {
        assert_eq!(strip_tags("plain"), "plain");
        assert!(matches!(strip_tags("plain"), Cow::Borrowed(_)));
        assert_eq!(
            strip_tags("<p>Squid <b>Game</b> &amp; more</p>"),
            " Squid  Game  & more "
        );
        // A `<` inside a tag is part of the tag; a `>` outside one is text.
        assert_eq!(strip_tags("a <x <y> b > c"), "a   b > c");
        assert_eq!(strip_tags("a <unclosed tag"), "a ");
        assert_eq!(strip_tags("&eacute;t&eacute;"), "été");
        assert_eq!(strip_tags("<br/>"), " ");
    }

    #[test]
    fn html_to_text_drops_markup_and_scripts() {
        assert_eq!(
            html_to_text("<b>Squid&nbsp;Game</b>\n <script>alert(1)</script>S2 &amp; more"),
            "Squid Game S2 & more"
        );
    }

    #[test]
    fn paragraphs_and_line_breaks_stay_apart_inline_tags_do_not_split_words() {
        assert_eq!(
            html_to_text(
                "<p>winds of 150 kph.</p><p>For more<br>videos</p><ul><li>a</li><li>b</li></ul>"
            ),
            "winds of 150 kph. For more videos a b"
        );
        assert_eq!(html_to_text("Pok<i>é</i>mon <B>Go</B>"), "Pokémon Go");
        assert_eq!(
            plain_to_html("Ambo hit land.\n\nFor more:\nhttps://x.test/?a=1&b=<2>\n"),
            "<p>Ambo hit land.</p><p>For more:<br>https://x.test/?a=1&amp;b=&lt;2&gt;</p>"
        );
    }
}
