//! `[[feed]] full_text`, `content_selector`, `exclude_selector`: whether showfeed fetches the
//! whole article behind each entry of a summary-only feed, and where on the page it is.
//!
//! Checked here like every other key: `full_text` is `true`, `false` or `"auto"`, and a
//! selector that CSS cannot read is an error that points at the offending character of the
//! selector in the file, so the admin learns of it at `showfeed check`, not at the first
//! article.

use std::ops::Range;

use toml::Spanned;

/// Under `full_text = "auto"`, an entry's article is fetched only when its summary has fewer
/// than this many characters of text (about two sentences): a feed that already carries a
/// paragraph or more of text is read as it is.
pub const AUTO_SUMMARY_CHARS: usize = 300;

/// When an entry's article is fetched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FullTextMode {
    /// Never (the default): entries keep what the feed gives.
    #[default]
    Off,
    /// For every new or changed entry with a link.
    On,
    /// Only for entries whose summary is shorter than [`AUTO_SUMMARY_CHARS`] and that carry
    /// no content of their own.
    Auto,
}

/// A feed's full-text settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FullText {
    /// When to fetch.
    pub mode: FullTextMode,
    /// CSS selector of the article on the page; readability finds it when absent.
    pub content_selector: Option<String>,
    /// CSS selector of what to drop from the page before extraction (share bars, related
    /// lists, newsletter boxes).
    pub exclude_selector: Option<String>,
}

/// A problem with one of the keys: where in the file, and what.
pub type Problem = (Range<usize>, String);

/// The full-text settings of a feed from its three raw keys; every problem is returned.
pub fn full_text(
    mode: Option<&Spanned<toml::Value>>,
    content_selector: Option<&Spanned<String>>,
    exclude_selector: Option<&Spanned<String>>,
) -> Result<FullText, Vec<Problem>> {
    let mut problems = Vec::new();
    let mode = match mode {
        None => FullTextMode::Off,
        Some(v) => match v.get_ref() {
            toml::Value::Boolean(true) => FullTextMode::On,
            toml::Value::Boolean(false) => FullTextMode::Off,
            toml::Value::String(s) if s == "auto" => FullTextMode::Auto,
            other => {
                problems.push((
                    v.span(),
                    format!("`full_text` = {other} must be true, false or \"auto\""),
                ));
                FullTextMode::Off
            }
        },
    };
    let mut selector = |key: &str, s: Option<&Spanned<String>>| {
        let s = s?;
        match check_selector(s.get_ref()) {
            Ok(()) => Some(s.get_ref().clone()),
            Err((at, why)) => {
                // The span covers the quoted string: the selector starts one byte in (a
                // selector with escapes in the TOML string is pointed at its start).
                let start = s.span().start + 1 + if raw_is_plain(s) { at } else { 0 };
                problems.push((
                    start..start + 1,
                    format!(
                        "`{key}` = {:?} is not a CSS selector: {why} at character {}",
                        s.get_ref(),
                        s.get_ref()[..at].chars().count() + 1
                    ),
                ));
                None
            }
        }
    };
    let content_selector = selector("content_selector", content_selector);
    let exclude_selector = selector("exclude_selector", exclude_selector);
    if problems.is_empty() {
        Ok(FullText {
            mode,
            content_selector,
            exclude_selector,
        })
    } else {
        Err(problems)
    }
}

/// Whether the string's bytes in the file are its value (no escapes): then an offset in the
/// value is an offset in the file.
fn raw_is_plain(s: &Spanned<String>) -> bool {
    s.span().len() == s.get_ref().len() + 2
}

/// Parses `sel` as the extractor will; on failure, the byte offset of the problem in `sel`
/// and what it is.
pub fn check_selector(sel: &str) -> Result<(), (usize, String)> {
    if sel.trim().is_empty() {
        return Err((0, "it is empty".to_owned()));
    }
    match dom_query::Matcher::new(sel) {
        Ok(_) => Ok(()),
        Err(e) => Err((error_offset(sel), describe(&e.kind))),
    }
}

/// Endings that turn a prefix of a valid selector into a valid selector: one of them works
/// for every prefix that can still be completed.
const COMPLETIONS: &[&str] = &[
    "", "a", "a]", "=a]", "a)", ")", "]", "\"]", "\")", "'] ", "a=a]", "a(a)",
];

/// Where a selector goes wrong (the parser does not say): the first character after which
/// no ending makes it valid, or its end when it only stops too early.
fn error_offset(sel: &str) -> usize {
    let completable = |prefix: &str| {
        COMPLETIONS
            .iter()
            .any(|c| dom_query::Matcher::new(&format!("{prefix}{c}")).is_ok())
    };
    let mut last = 0;
    for (i, ch) in sel.char_indices() {
        let end = i + ch.len_utf8();
        if !sel[..end].trim().is_empty() && !completable(&sel[..end]) {
            return i;
        }
        last = end;
    }
    last
}

/// What went wrong, in a few words ("unexpected token", "dangling combinator").
fn describe<E: std::fmt::Debug>(kind: &cssparser::ParseErrorKind<E>) -> String {
    match kind {
        cssparser::ParseErrorKind::Basic(b) => b.to_string(),
        // The selector parser's kinds are unit variants (`DanglingCombinator`): their names
        // are the message.
        cssparser::ParseErrorKind::Custom(c) => {
            let name = format!("{c:?}");
            let mut words = String::new();
            for ch in name.chars() {
                if ch.is_uppercase() && !words.is_empty() {
                    words.push(' ');
                }
                words.push(ch.to_ascii_lowercase());
            }
            words
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_selectors_pass_and_bad_ones_say_where() {
        assert!(check_selector("article .body, div#main > p").is_ok());
        assert!(check_selector("[data-role=content]").is_ok());
        let (at, why) = check_selector("div..x").unwrap_err();
        assert_eq!(at, 4, "{why}");
        let (at, _) = check_selector("div > ").unwrap_err();
        assert!(at >= 4);
        assert!(check_selector("  ").is_err());
        assert!(check_selector("p:nosuch").is_err());
    }
}
