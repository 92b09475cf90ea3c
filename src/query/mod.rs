//! The query language of the output documents: what `?show=...&q=...` (and a `[[view]]`, and
//! `showfeed feed --show ...`) select. Parsed strictly: an unknown, repeated or invalid
//! parameter is an error that names it (a 400 over HTTP), never silently ignored. Below both
//! the config (views are queries) and the output, so neither imports the other.
//!
//! | parameter | meaning |
//! |---|---|
//! | `show=<slug>` | entries about any of these shows (repeatable) |
//! | `exclude_show=<slug>` | but none about these (repeatable) |
//! | `season=<slug>/s<N>` | entries naming that season (repeatable, any of) |
//! | `kind=<kind>` | news kind from tagging: trailer, casting, ... (repeatable, any of) |
//! | `lang=<tag>` | entries in that language, declared or detected: `en` (any English), `pt-br` (repeatable, any of) |
//! | `source=<feed id>` | entries from these feeds (repeatable, any of) |
//! | `tag=<tag>` | entries from the feeds with any of these tags (repeatable) |
//! | `q=<expression>` | the query language (below): words, "phrases", `-`, `OR`, `( )`, fields, /regex/ |
//! | `since=`, `until=` | RFC 3339 time, or relative such as `7d`, `12h` (before now) |
//! | `limit=<n>` | 1 to 1,000 entries (default 100) |
//! | `before=`, `after=` | paging cursors (RFC 5005), from the `next` / `prev` links |
//! | `spoilers=mask` | entries under a spoiler embargo shown with a neutral title instead of left out (`hide`, the default) |
//!
//! `q` may use `lang:` (the entry's language, as `lang=`) and `tag:` (the feed's config tag,
//! as `tag=`) besides the other fields.
//!
//! `q` is an expression of the one query language that `[[view]] q`, `showfeed feed --q` and
//! the ingest rules share ([`parse_expr`]; grammar in [`parser`], canonical form in [`ast`],
//! matching and index plans in [`eval`], `date:` values in [`date`]).
//!
//! Click-tracking parameters (`utm_*`, `fbclid`... see [`crate::vocab::is_tracking_param`])
//! are ignored, so a shared link keeps working; slugs, feed ids and kinds match whatever
//! their case.

pub mod ast;
pub mod date;
pub mod eval;
pub mod lexer;
pub mod parser;

#[cfg(test)]
mod lang_tests;

use std::collections::BTreeSet;
use std::fmt::Write as _;

pub use ast::Expr;

use crate::store::keys::TIME_KEY_LEN;
use crate::store::TimeKey;

/// Entries per document when `limit` is absent.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest `limit` over HTTP (the CLI has none).
pub const MAX_LIMIT: usize = 1000;
/// Longest query string accepted.
const MAX_QUERY_LEN: usize = 4096;
/// At most this many values of one repeatable parameter.
const MAX_VALUES: usize = 50;
/// Longest `q`, in characters of its canonical form (what [`FeedQuery::canonical`] writes),
/// so a canonical link is always accepted again: folding can lengthen text (`짯` -> `jjas`).
pub const MAX_Q_CHARS: usize = 200;
/// Most terms (words, phrases, fields, regexes) in `q`.
pub const MAX_TERMS: usize = 20;

/// What to put in a document. Lists are sorted and deduplicated, so equal queries compare
/// (and cache) equal whatever order the client wrote them in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FeedQuery {
    /// Any of these show slugs.
    pub shows: BTreeSet<String>,
    /// None of these show slugs.
    pub exclude_shows: BTreeSet<String>,
    /// Any of these (slug, season).
    pub seasons: BTreeSet<(String, u32)>,
    /// Any of these news kinds.
    pub kinds: BTreeSet<String>,
    /// Any of these languages (BCP 47 tags, lower case): `en` is every English entry,
    /// `en-us` only those tagged `en-US`.
    pub langs: BTreeSet<String>,
    /// Any of these feed ids.
    pub sources: BTreeSet<String>,
    /// Any of these feed tags.
    pub tags: BTreeSet<String>,
    /// The ids of the feeds with any of `tags` (what `tags` selects, resolved by
    /// [`Known::tags`] when parsed); empty when `tags` is.
    pub tag_feeds: BTreeSet<String>,
    /// The words and phrases (several words in order) of `q`'s top-level AND, folded (lower
    /// case, ASCII): what `q` was before it had operators. Derived from `expr`, which is
    /// what entries are matched against.
    pub terms: Vec<Vec<String>>,
    /// `q`, parsed; `None` when absent or without a condition.
    pub expr: Option<Expr>,
    /// Oldest publication time (Unix seconds).
    pub since: Option<i64>,
    /// Newest publication time (Unix seconds).
    pub until: Option<i64>,
    /// `since` as given when it was relative (`30d`, normalized): links and cache keys keep
    /// it, so a view of the last 30 days keeps one id and one self link as time passes.
    pub since_rel: Option<String>,
    /// `until` as given when it was relative.
    pub until_rel: Option<String>,
    /// At most this many entries.
    pub limit: usize,
    /// Only entries older than this cursor (next pages).
    pub before: Option<TimeKey>,
    /// Only entries newer than this cursor (previous pages).
    pub after: Option<TimeKey>,
    /// What happens to entries under a spoiler embargo.
    pub spoilers: SpoilerMode,
}

/// `spoilers=`: how a document shows the entries a spoiler embargo holds back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SpoilerMode {
    /// Left out until the embargo ends (the default).
    #[default]
    Hide,
    /// Shown with a neutral title ("Squid Game S2E5: recap (spoilers hidden)") and no
    /// summary or content.
    Mask,
}

/// What a query may name, to reject unknown values with a clear message.
pub struct Known<'a> {
    /// Configured show slugs.
    pub shows: &'a dyn Fn(&str) -> bool,
    /// Configured feed ids.
    pub sources: &'a dyn Fn(&str) -> bool,
    /// The ids of the feeds with a tag, `None` when no feed has it.
    pub tags: &'a dyn Fn(&str) -> Option<&'a [String]>,
    /// News kinds.
    pub kinds: &'a [&'a str],
}

/// A query that cannot be run; the message names the parameter and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

fn bad(msg: String) -> QueryError {
    QueryError(msg)
}

/// A decoded parameter must be text: valid UTF-8 once percent-decoded (`%FF` alone is not)
/// and no control character (`%00`), which no filter could mean. Percent-decoding replaces
/// bytes that are no UTF-8 with U+FFFD: unless the client wrote that character itself (in
/// `raw`, the whole query string), the value is not what it meant.
fn check_text(key: &str, value: &str, raw: &str) -> Result<(), QueryError> {
    let key = truncate(key);
    let wrote_fffd = || {
        raw.contains('\u{FFFD}')
            || raw
                .as_bytes()
                .windows(9)
                .any(|w| w.eq_ignore_ascii_case(b"%ef%bf%bd"))
    };
    if value.contains('\u{FFFD}') && !wrote_fffd() {
        return Err(bad(format!(
            "parameter `{key}` is not UTF-8 text once percent-decoded (a byte such as %FF \
             that starts no character)"
        )));
    }
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(bad(format!(
            "parameter `{key}` contains the control character U+{:04X}",
            u32::from(c)
        )));
    }
    Ok(())
}

/// A query expression that does not parse: what is wrong and the column (1-based, in
/// characters) where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at column {column}")]
pub struct LangError {
    /// Where, from 1.
    pub column: usize,
    /// What.
    pub message: String,
}

impl LangError {
    fn at(column: usize, message: String) -> LangError {
        LangError { column, message }
    }
}

/// Parses an expression of the query language, checking the names it uses against `known`;
/// relative dates count back from `now`. `Ok(None)`: no condition (empty or punctuation).
pub fn parse_expr(text: &str, known: &Known<'_>, now: i64) -> Result<Option<Expr>, LangError> {
    parser::parse(text, known, now)
}

/// Parses and checks a `q` value with `q`'s limits (also used to validate views in
/// feeds.toml); the error names `q` and, for a syntax error, the column.
pub fn parse_q(q: &str, known: &Known<'_>, now: i64) -> Result<Option<Expr>, String> {
    let expr = parse_expr(q, known, now).map_err(|e| format!("q: {e}"))?;
    let Some(expr) = expr else {
        return Ok(None);
    };
    if expr.to_string().chars().count() > MAX_Q_CHARS {
        return Err(format!(
            "`q` is too long (at most {MAX_Q_CHARS} characters, once folded to ASCII)"
        ));
    }
    if expr.leaves() > MAX_TERMS {
        return Err(format!(
            "`q` has too many words or terms (at most {MAX_TERMS})"
        ));
    }
    Ok(Some(expr))
}

/// Folds text for matching: ASCII transliteration, lower case, words split on anything not
/// alphanumeric.
pub fn fold_words(s: &str) -> Vec<String> {
    deunicode::deunicode(s)
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Earliest time a query names, 0000-01-01T00:00:00Z, and latest, 9999-12-31T23:59:59Z: the
/// years RFC 3339 can write. Times beyond are clamped, so the canonical form (self and paging
/// links) always parses back; `since=30000y` still means "everything".
const TIME_RANGE: (i64, i64) = (-62_167_219_200, 253_402_300_799);

/// A time: RFC 3339, or a humantime duration before `now` ("7d", "12h 30m"), clamped to
/// [`TIME_RANGE`].
/// A time parameter: the time, and its normalized relative form when it was relative.
fn parse_time(key: &str, v: &str, now: i64) -> Result<(i64, Option<String>), QueryError> {
    let clamp = |t: i64| t.clamp(TIME_RANGE.0, TIME_RANGE.1);
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
        // An offset can carry 0000-01-01 or 9999-12-31 past the range in UTC.
        return Ok((clamp(t.timestamp()), None));
    }
    match humantime::parse_duration(v) {
        // Relative times round down to the minute so the same query caches and validates.
        Ok(d) => {
            let t = (now - i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2)).div_euclid(60) * 60;
            // Past year 0 the relative form means nothing any more: the clamped time stays.
            let rel = (clamp(t) == t).then(|| {
                let d = std::time::Duration::from_secs(d.as_secs());
                humantime::format_duration(d).to_string().replace(' ', "")
            });
            Ok((clamp(t), rel))
        }
        Err(_) => Err(bad(format!(
            "parameter `{key}` must be an RFC 3339 time (2026-11-01T00:00:00Z) or a duration before now (7d, 12h), got {:?}",
            truncate(v)
        ))),
    }
}

fn some((t, rel): (i64, Option<String>)) -> (Option<i64>, Option<String>) {
    (Some(t), rel)
}

/// Encodes a paging cursor.
pub fn cursor(k: &TimeKey) -> String {
    k.iter().fold(String::with_capacity(48), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// `season=<slug>/s<N>`.
fn parse_season(value: &str, known: &Known<'_>) -> Result<(String, u32), QueryError> {
    let parsed = value
        .rsplit_once("/s")
        .and_then(|(slug, n)| Some((slug, n.parse::<u32>().ok().filter(|n| *n > 0)?)));
    match parsed {
        Some((slug, n)) if (known.shows)(slug) => Ok((slug.to_owned(), n)),
        Some((slug, _)) => Err(bad(format!(
            "parameter `season`: no show with slug {:?} is configured",
            truncate(slug)
        ))),
        None => Err(bad(format!(
            "parameter `season` must look like <show slug>/s<N>, e.g. squid-game/s2, got {:?}",
            truncate(value)
        ))),
    }
}

fn parse_cursor(key: &str, v: &str) -> Result<TimeKey, QueryError> {
    let err = || {
        bad(format!(
            "parameter `{key}` is not a paging cursor (use the links of a previous page)"
        ))
    };
    if v.len() != TIME_KEY_LEN * 2 || !v.is_ascii() {
        return Err(err());
    }
    let mut k = [0u8; TIME_KEY_LEN];
    for (i, b) in k.iter_mut().enumerate() {
        *b = u8::from_str_radix(&v[2 * i..2 * i + 2], 16).map_err(|_| err())?;
    }
    Ok(k)
}

impl FeedQuery {
    /// The default query: the newest [`DEFAULT_LIMIT`] entries.
    pub fn new() -> FeedQuery {
        FeedQuery {
            limit: DEFAULT_LIMIT,
            ..FeedQuery::default()
        }
    }

    /// Parses a raw query string (without `?`) with HTTP's limits, on top of `self` (a view's
    /// preset filters, or [`FeedQuery::new`]).
    pub fn parse(
        mut self,
        raw: Option<&str>,
        known: &Known<'_>,
        now: i64,
    ) -> Result<FeedQuery, QueryError> {
        let Some(raw) = raw.filter(|r| !r.is_empty()) else {
            return Ok(self);
        };
        if raw.len() > MAX_QUERY_LEN {
            return Err(bad(format!(
                "query string too long ({} bytes, at most {MAX_QUERY_LEN})",
                raw.len()
            )));
        }
        let mut seen = BTreeSet::new();
        let mut counts = std::collections::HashMap::<String, usize>::new();
        for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
            let key = key.as_ref();
            if key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                // (Any other key is unknown, and said so below.)
                check_text(key, &value, raw)?;
            }
            if crate::vocab::is_tracking_param(key) {
                // A shared link often carries ?utm_source=...: it must keep working.
                continue;
            }
            let n = counts.entry(key.to_owned()).or_default();
            *n += 1;
            if *n > MAX_VALUES {
                return Err(bad(format!(
                    "parameter `{}` is given more than {MAX_VALUES} times",
                    truncate(key)
                )));
            }
            // Slugs and feed ids are lower case; a link typed by hand may not be.
            let value = match key {
                "show" | "exclude_show" | "season" | "source" | "tag" | "kind" | "lang" => {
                    value.trim().to_ascii_lowercase()
                }
                _ => value.trim().to_owned(),
            };
            if !self.add_filter(key, &value, known)? {
                if !seen.insert(key.to_owned()) {
                    return Err(bad(format!("parameter `{key}` is given more than once")));
                }
                self.set_single(key, &value, known, now)?;
            }
        }
        if self.before.is_some() && self.after.is_some() {
            return Err(bad(
                "parameters `before` and `after` cannot be combined".into()
            ));
        }
        if let (Some(s), Some(u)) = (self.since, self.until) {
            if s > u {
                return Err(bad("parameter `since` is later than `until`".into()));
            }
        }
        Ok(self)
    }

    /// Applies a repeatable filter (show, exclude_show, season, kind, source, tag); false
    /// when `key` is not one.
    fn add_filter(
        &mut self,
        key: &str,
        value: &str,
        known: &Known<'_>,
    ) -> Result<bool, QueryError> {
        match key {
            "show" | "exclude_show" => {
                if !(known.shows)(value) {
                    return Err(bad(format!(
                        "parameter `{key}`: no show with slug {:?} is configured",
                        truncate(value)
                    )));
                }
                let set = if key == "show" {
                    &mut self.shows
                } else {
                    &mut self.exclude_shows
                };
                set.insert(value.to_owned());
            }
            "season" => {
                let (slug, n) = parse_season(value, known)?;
                self.seasons.insert((slug, n));
            }
            "kind" => {
                if !known.kinds.contains(&value) {
                    return Err(bad(format!(
                        "parameter `kind` must be one of {}, got {:?}",
                        known.kinds.join(", "),
                        truncate(value)
                    )));
                }
                self.kinds.insert(value.to_owned());
            }
            "lang" => {
                if crate::normalize::lang::bcp47(value).is_none() {
                    return Err(bad(format!(
                        "parameter `lang` must be a language tag like en, pt-br or ko, got {:?}",
                        truncate(value)
                    )));
                }
                self.langs.insert(value.to_owned());
            }
            "source" => {
                if !(known.sources)(value) {
                    return Err(bad(format!(
                        "parameter `source`: no feed with id {:?} is configured",
                        truncate(value)
                    )));
                }
                self.sources.insert(value.to_owned());
            }
            "tag" => {
                let Some(feeds) = (known.tags)(value) else {
                    return Err(bad(format!(
                        "parameter `tag`: no feed has the tag {:?}",
                        truncate(value)
                    )));
                };
                self.tags.insert(value.to_owned());
                self.tag_feeds.extend(feeds.iter().cloned());
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Sets a parameter that may be given once (q, since, until, limit, before, after).
    fn set_single(
        &mut self,
        key: &str,
        value: &str,
        known: &Known<'_>,
        now: i64,
    ) -> Result<(), QueryError> {
        match key {
            "q" => {
                let expr = parse_q(value, known, now).map_err(|e| {
                    bad(if e.starts_with('`') {
                        format!("parameter {e}")
                    } else {
                        e
                    })
                })?;
                // On a view, the client's `q` narrows the view's own.
                self.expr = Expr::and(self.expr.take().into_iter().chain(expr).collect());
                self.terms = self.expr.as_ref().map(Expr::plain_terms).unwrap_or_default();
            }
            "since" => (self.since, self.since_rel) = some(parse_time(key, value, now)?),
            "until" => (self.until, self.until_rel) = some(parse_time(key, value, now)?),
            "limit" => {
                self.limit = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        bad(format!(
                            "parameter `limit` must be an integer from 1 to {MAX_LIMIT}, got {:?}",
                            truncate(value)
                        ))
                    })?;
            }
            "spoilers" => {
                self.spoilers = match value.to_ascii_lowercase().as_str() {
                    "hide" => SpoilerMode::Hide,
                    "mask" => SpoilerMode::Mask,
                    _ => {
                        return Err(bad(format!(
                            "parameter `spoilers` must be hide or mask, got {:?}",
                            truncate(value)
                        )))
                    }
                }
            }
            "before" => self.before = Some(parse_cursor(key, value)?),
            "after" => self.after = Some(parse_cursor(key, value)?),
            other => {
                return Err(bad(format!(
                    "unknown query parameter `{}` (supported: show, exclude_show, season, kind, lang, source, tag, q, since, until, limit, before, after, spoilers)",
                    truncate(other)
                )))
            }
        }
        Ok(())
    }

    /// The query as a canonical query string (without paging): for cache keys, self links
    /// and paging links.
    pub fn canonical(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for v in &self.shows {
            s.append_pair("show", v);
        }
        for v in &self.exclude_shows {
            s.append_pair("exclude_show", v);
        }
        for (slug, n) in &self.seasons {
            s.append_pair("season", &format!("{slug}/s{n}"));
        }
        for v in &self.kinds {
            s.append_pair("kind", v);
        }
        for v in &self.langs {
            s.append_pair("lang", v);
        }
        for v in &self.sources {
            s.append_pair("source", v);
        }
        for v in &self.tags {
            s.append_pair("tag", v);
        }
        if let Some(x) = &self.expr {
            s.append_pair("q", &x.to_string());
        }
        let time =
            |t: i64, rel: &Option<String>| rel.clone().unwrap_or_else(|| crate::clock::rfc3339(t));
        if let Some(t) = self.since {
            s.append_pair("since", &time(t, &self.since_rel));
        }
        if let Some(t) = self.until {
            s.append_pair("until", &time(t, &self.until_rel));
        }
        if self.limit != DEFAULT_LIMIT {
            s.append_pair("limit", &self.limit.to_string());
        }
        if self.spoilers == SpoilerMode::Mask {
            s.append_pair("spoilers", "mask");
        }
        s.finish()
    }

    /// Cache key: the canonical form plus the page.
    pub fn cache_key(&self) -> String {
        let mut k = self.canonical();
        if let Some(c) = &self.before {
            let _ = write!(k, "&before={}", cursor(c));
        }
        if let Some(c) = &self.after {
            let _ = write!(k, "&after={}", cursor(c));
        }
        k
    }
}

/// Echoes at most 64 characters of client input in messages, without control characters.
fn truncate(s: &str) -> String {
    let t: String = s.chars().take(64).filter(|c| !c.is_control()).collect();
    if s.chars().count() > 64 {
        format!("{t}…")
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Known<'static> {
        Known {
            shows: &|s| s == "squid-game" || s == "the-bear",
            sources: &|s| s == "variety",
            tags: &|t| (t == "trades").then_some(TRADES.as_slice()),
            kinds: &["trailer", "casting"],
        }
    }

    /// The feeds tagged `trades`.
    static TRADES: std::sync::LazyLock<Vec<String>> =
        std::sync::LazyLock::new(|| vec!["variety".into(), "deadline".into()]);

    fn parse(q: &str) -> Result<FeedQuery, QueryError> {
        FeedQuery::new().parse(Some(q), &known(), 1_800_000_000)
    }

    #[test]
    fn parses_every_filter() {
        let q = parse("show=the-bear&show=squid-game&exclude_show=the-bear&season=squid-game/s2&kind=trailer&source=variety&q=Pok%C3%A9mon+%22season+two%22&since=7d&until=2028-01-01T00:00:00Z&limit=5").unwrap();
        assert_eq!(q.shows.len(), 2);
        assert!(q.seasons.contains(&("squid-game".into(), 2)));
        assert_eq!(
            q.terms,
            vec![
                vec!["pokemon".to_owned()],
                vec!["season".to_owned(), "two".to_owned()]
            ]
        );
        assert_eq!(q.since, Some((1_800_000_000 - 7 * 86_400) / 60 * 60));
        assert_eq!(q.limit, 5);
        // Order does not matter for the canonical form.
        let r = parse("limit=5&until=2028-01-01T00:00:00Z&since=7d&q=Pok%C3%A9mon+%22season+two%22&source=variety&kind=trailer&season=squid-game/s2&exclude_show=the-bear&show=squid-game&show=the-bear").unwrap();
        assert_eq!(q.cache_key(), r.cache_key());
    }

    #[test]
    fn spoilers_mask_is_kept_in_the_canonical_form() {
        let q = parse("spoilers=MASK&show=squid-game").unwrap();
        assert_eq!(q.spoilers, SpoilerMode::Mask);
        assert_eq!(q.canonical(), "show=squid-game&spoilers=mask");
        assert_eq!(parse(&q.canonical()).unwrap(), q);
        // Hiding is the default, so it never lengthens a link or splits the cache.
        assert_eq!(parse("spoilers=hide").unwrap().canonical(), "");
    }

    #[test]
    fn a_tag_selects_the_feeds_that_have_it() {
        let q = parse("tag=Trades&tag=trades&source=variety").unwrap();
        assert_eq!(q.tags, BTreeSet::from(["trades".to_owned()]));
        assert_eq!(
            q.tag_feeds,
            BTreeSet::from(["deadline".to_owned(), "variety".to_owned()])
        );
        assert_eq!(q.canonical(), "source=variety&tag=trades");
        assert_eq!(parse(&q.canonical()).unwrap(), q);
        assert!(parse("").unwrap().tag_feeds.is_empty());
    }

    #[test]
    fn rejects_precisely() {
        for (bad, name) in [
            ("limit=0", "`limit`"),
            ("limit=1001", "`limit`"),
            ("limit=5&limit=6", "`limit`"),
            ("show=nope", "`show`"),
            ("season=squid-game", "`season`"),
            ("season=nope/s2", "`season`"),
            ("kind=gossip", "`kind`"),
            ("source=x", "`source`"),
            ("tag=nope", "`tag`"),
            ("since=yesterday", "`since`"),
            ("before=zz", "`before`"),
            ("spoilers=show", "`spoilers`"),
            ("spoilers=mask&spoilers=hide", "`spoilers`"),
            ("evil=%3Cscript%3E", "`evil`"),
        ] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.contains(name), "{bad}: {e}");
        }
        let cur = cursor(&[7; TIME_KEY_LEN]);
        assert_eq!(
            parse(&format!("before={cur}")).unwrap().before,
            Some([7; TIME_KEY_LEN])
        );
    }
}
