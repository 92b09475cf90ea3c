//! Extraction: a fetched article page to the sanitized HTML of its main content.
//!
//! CPU work, run off the async workers. The page is decoded (charset from the
//! `Content-Type`, else a byte order mark, else a `<meta>` in the first kilobytes, else
//! UTF-8), parsed once with dom_query; the feed's `exclude_selector` is removed, lazily
//! loaded images get a real `src` (`data-src`, `data-srcset`, `srcset`), then the feed's
//! `content_selector` is taken, or readability (dom_smoothie, a port of Mozilla's
//! Readability.js) finds the article. The result goes through the same ammonia allowlist as
//! feed content with the page's URL as the base, so links and images are absolute. A page
//! with too little text, or a paywall or consent wall, is refused: the entry keeps its
//! summary rather than storing the wall.

use url::Url;

use crate::config::FullText;
use crate::vocab::PAYWALL_MARKERS;

/// An article with fewer characters of text than this is not one (a teaser, an error
/// page, a wall).
pub const MIN_TEXT_CHARS: usize = 200;
/// A page with a paywall or consent phrase and fewer characters of text than this is the
/// wall; a long article that merely mentions subscribing is kept.
pub const WALL_TEXT_CHARS: usize = 1500;
/// How many bytes a `<meta charset>` is looked for in (HTML says 1024; pages are sloppy).
const META_SNIFF_BYTES: usize = 4096;

/// Why a page gave no article.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// Readability found no article.
    #[error("no article found on the page")]
    NotFound,
    /// Too little text.
    #[error("too little text for an article ({chars} characters)")]
    TooShort {
        /// Characters of text found.
        chars: usize,
    },
    /// A paywall, sign-in or consent page.
    #[error("a paywall or consent page (\"{marker}\")")]
    Wall {
        /// The phrase found.
        marker: &'static str,
    },
}

impl ExtractError {
    /// A short stable label for metrics and status.
    pub fn kind(&self) -> &'static str {
        match self {
            ExtractError::NotFound => "no_article",
            ExtractError::TooShort { .. } => "too_short",
            ExtractError::Wall { .. } => "paywall",
        }
    }
}

/// An extracted article.
#[derive(Debug, Clone)]
pub struct Article {
    /// Sanitized HTML, URLs absolute.
    pub html: String,
    /// Characters of plain text.
    pub text_chars: usize,
}

/// The article on the page `bytes`, fetched from `url` (after redirects) with this
/// `Content-Type`, by the feed's selectors or readability; refused when it has too little
/// text or is a wall.
pub fn extract(
    bytes: &[u8],
    content_type: Option<&str>,
    url: &Url,
    rules: &FullText,
) -> Result<Article, ExtractError> {
    let html = main_content(bytes, content_type, url, rules)?;
    let text_chars = check_text(&html)?;
    Ok(Article { html, text_chars })
}

/// [`extract`] without the checks of the result: the sanitized main content.
pub fn main_content(
    bytes: &[u8],
    content_type: Option<&str>,
    url: &Url,
    rules: &FullText,
) -> Result<String, ExtractError> {
    let text = decode(bytes, content_type);
    let doc = dom_query::Document::from(text.as_str());
    if let Some(m) = rules
        .exclude_selector
        .as_deref()
        .and_then(|s| dom_query::Matcher::new(s).ok())
    {
        doc.select_matcher(&m).remove();
    }
    resolve_lazy_images(&doc);
    let selected = rules
        .content_selector
        .as_deref()
        .and_then(|s| dom_query::Matcher::new(s).ok())
        .map(|m| {
            let sel = doc.select_matcher(&m);
            sel.nodes()
                .iter()
                .map(|n| n.html().to_string())
                .collect::<String>()
        })
        .filter(|html| !html.trim().is_empty());
    // A selector that matches nothing (the site changed its layout) falls back to
    // readability rather than losing the article.
    let html = match selected {
        Some(html) => html,
        None => readability(doc, url)?,
    };
    Ok(crate::normalize::sanitize(&html, url))
}

/// The main content readability finds in `doc`.
fn readability(doc: dom_query::Document, url: &Url) -> Result<String, ExtractError> {
    let cfg = dom_smoothie::Config {
        // Classes are dropped by the sanitizer anyway.
        keep_classes: false,
        ..Default::default()
    };
    let mut r = dom_smoothie::Readability::with_document(doc, Some(url.as_str()), Some(cfg))
        .map_err(|_| ExtractError::NotFound)?;
    let article = r.parse().map_err(|_| ExtractError::NotFound)?;
    Ok(article.content.to_string())
}

/// Refuses too little text, and a wall (a paywall or consent phrase in a short text);
/// else the characters of text.
fn check_text(html: &str) -> Result<usize, ExtractError> {
    let text = crate::text::html_to_text(html);
    let chars = text.chars().count();
    if chars < MIN_TEXT_CHARS {
        return Err(ExtractError::TooShort { chars });
    }
    if chars < WALL_TEXT_CHARS {
        let lower = text.to_lowercase();
        if let Some(marker) = PAYWALL_MARKERS.iter().find(|m| lower.contains(**m)) {
            return Err(ExtractError::Wall { marker });
        }
    }
    Ok(chars)
}

/// Gives every lazily loaded image a real `src`: `data-src` (and its variants) first, else
/// the widest candidate of `srcset` or `data-srcset`, when `src` is missing or a
/// placeholder (a `data:` URL, a blank pixel).
fn resolve_lazy_images(doc: &dom_query::Document) {
    let Ok(imgs) = dom_query::Matcher::new("img") else {
        return;
    };
    for img in doc.select_matcher(&imgs).nodes() {
        let src = img.attr("src").map(|s| s.to_string()).unwrap_or_default();
        let placeholder = src.trim().is_empty()
            || src.trim_start().starts_with("data:")
            || src.contains("blank.gif")
            || src.contains("spacer.gif");
        if !placeholder {
            continue;
        }
        let lazy = ["data-src", "data-lazy-src", "data-original", "data-url"]
            .iter()
            .find_map(|a| {
                img.attr(a)
                    .map(|v| v.to_string())
                    .filter(|v| !v.trim().is_empty())
            })
            .or_else(|| {
                ["data-srcset", "srcset", "data-lazy-srcset"]
                    .iter()
                    .find_map(|a| img.attr(a).and_then(|v| widest(&v)))
            });
        if let Some(real) = lazy {
            img.set_attr("src", real.trim());
        }
    }
}

/// The widest candidate of a `srcset` (`a.jpg 480w, b.jpg 1080w` -> `b.jpg`); density
/// descriptors (`2x`) count as widths of that many hundreds.
fn widest(srcset: &str) -> Option<String> {
    srcset
        .split(',')
        .filter_map(|c| {
            let mut parts = c.split_whitespace();
            let url = parts.next()?;
            let size = parts.next().map_or(1.0, |d| {
                let n: f64 = d[..d.len().saturating_sub(1)].parse().unwrap_or(1.0);
                if d.ends_with('x') {
                    n * 100.0
                } else {
                    n
                }
            });
            Some((url.to_owned(), size))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(url, _)| url)
}

/// The page as text: the charset the server named, else a byte order mark, else a
/// `<meta>` declaration near the top, else UTF-8 (invalid bytes replaced).
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> String {
    let named = content_type
        .and_then(crate::parse::charset_param)
        .and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes()));
    let encoding = named
        .or_else(|| encoding_rs::Encoding::for_bom(bytes).map(|(e, _)| e))
        .or_else(|| meta_charset(&bytes[..bytes.len().min(META_SNIFF_BYTES)]))
        .unwrap_or(encoding_rs::UTF_8);
    encoding.decode(bytes).0.into_owned()
}

/// The charset a `<meta charset=...>` or `<meta http-equiv content="...; charset=...">`
/// in `head` names.
fn meta_charset(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let lower = String::from_utf8_lossy(head).to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("<meta") {
        rest = &rest[i + 5..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        if let Some(j) = tag.find("charset=") {
            let v = tag[j + 8..].trim_start_matches(['"', '\'', ' ']);
            let end = v
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(v.len());
            if let Some(e) = encoding_rs::Encoding::for_label(&v.as_bytes()[..end]) {
                // A page decoded as UTF-16 from an ASCII-compatible declaration is garbage;
                // HTML says to read it as UTF-8.
                return Some(
                    if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE {
                        encoding_rs::UTF_8
                    } else {
                        e
                    },
                );
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("https://news.example/2026/12/story.html").unwrap()
    }

    fn para(words: &str, n: usize) -> String {
        (0..n).map(|_| format!("<p>{words}</p>")).collect()
    }

    #[test]
    fn charset_from_header_then_meta() {
        let latin = b"<html><head><meta charset=\"iso-8859-1\"></head><body>caf\xe9</body></html>";
        assert!(decode(latin, None).contains("café"));
        assert!(decode(latin, Some("text/html; charset=windows-1252")).contains("café"));
        assert!(decode("café".as_bytes(), Some("text/html")).contains("café"));
        let equiv =
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">\xe9";
        assert!(decode(equiv, None).contains('é'));
    }

    #[test]
    fn selectors_lazy_images_and_absolute_urls() {
        let body = para(
            "The season finale of the show arrives with a long goodbye to everyone involved in it.",
            6,
        );
        let page = format!(
            "<html><body><nav>Menu</nav><div class=story>{body}<img src=\"data:image/gif;base64,R0l\" data-src=\"/img/a.jpg\"><img srcset=\"/s.jpg 300w, /l.jpg 1200w\"><a href=\"/next\">next</a><div class=share>Share this</div></div></body></html>"
        );
        let rules = FullText {
            content_selector: Some("div.story".into()),
            exclude_selector: Some(".share".into()),
            ..FullText::default()
        };
        let a = extract(page.as_bytes(), None, &url(), &rules).unwrap();
        assert!(
            a.html.contains("src=\"https://news.example/img/a.jpg\""),
            "{}",
            a.html
        );
        assert!(
            a.html.contains("src=\"https://news.example/l.jpg\""),
            "{}",
            a.html
        );
        assert!(
            a.html.contains("href=\"https://news.example/next\""),
            "{}",
            a.html
        );
        assert!(!a.html.contains("Share this") && !a.html.contains("Menu"));
    }

    #[test]
    fn walls_and_scraps_are_refused() {
        let rules = FullText::default();
        let wall = format!(
            "<html><body><article><h1>Story</h1><p>Subscribe to continue reading this story and every other one for one low price a month, cancel anytime.</p>{}</article></body></html>",
            para("Already a subscriber? Sign in here to read the rest of the article.", 2)
        );
        let e = extract(wall.as_bytes(), None, &url(), &rules).unwrap_err();
        assert_eq!(e.kind(), "paywall", "{e}");
        let scrap = b"<html><body><p>Not found.</p></body></html>";
        assert!(extract(scrap, None, &url(), &rules).is_err());
    }

    #[test]
    fn readability_keeps_the_article_and_drops_script() {
        let story = para("Netflix has renewed the drama for a third season after a record week, the streamer said on Tuesday.", 8);
        let page = format!(
            "<html><head><title>T</title><script>alert(1)</script></head><body><header><a href=/>Home</a> <a href=/tv>TV</a></header><article><h1>Renewed</h1>{story}<p onclick=\"steal()\">Last paragraph here.</p></article><footer>Copyright</footer></body></html>"
        );
        let a = extract(
            page.as_bytes(),
            Some("text/html"),
            &url(),
            &FullText::default(),
        )
        .unwrap();
        assert!(a.html.contains("third season"));
        assert!(!a.html.contains("alert") && !a.html.contains("onclick"));
        assert!(a.text_chars > 500);
    }
}
