//! Runs an [`Expr`] against one entry, and says which part of it the store's indexes can
//! answer (a [`Plan`]), so a query walks an index instead of the whole store.
//!
//! Text is folded once per entry and field, lazily: a query that never names the author
//! never folds authors. Words match whole words of the folded text (`" dub "` in
//! `" pokemon horizons dub "`); a regex matches the text as written, tags stripped.

use std::borrow::Cow;
use std::cell::OnceCell;

use super::ast::{Expr, Term, TextField};
use crate::entry::Entry;
use crate::store::Index;

/// An entry and its texts, folded or stripped when first needed.
struct Subject<'e> {
    e: &'e Entry,
    summary: OnceCell<String>,
    ascii: [OnceCell<Cow<'e, str>>; 3],
    folded: [OnceCell<String>; 3],
    raw_any: OnceCell<String>,
    raw_authors: OnceCell<String>,
}

impl<'e> Subject<'e> {
    fn summary(&self) -> &str {
        self.summary.get_or_init(|| {
            self.e
                .summary
                .as_deref()
                .map(|s| crate::text::strip_tags(s).into_owned())
                .unwrap_or_default()
        })
    }

    /// A field's text transliterated to ASCII, as folding reads it.
    fn ascii(&self, field: TextField) -> &str {
        self.ascii[slot(field)].get_or_init(|| {
            let text = match field {
                TextField::Any => Cow::Owned(format!("{} {}", self.e.title, self.summary())),
                TextField::Title => Cow::Borrowed(self.e.title.as_str()),
                TextField::Author | TextField::Url => Cow::Owned(self.e.authors.join(" ")),
            };
            if text.is_ascii() {
                text
            } else {
                Cow::Owned(deunicode::deunicode(&text))
            }
        })
    }

    /// " word word " of a field.
    fn folded(&self, field: TextField) -> &str {
        self.folded[slot(field)].get_or_init(|| {
            let mut out = String::from(" ");
            fold_ascii_into(&mut out, self.ascii(field));
            out
        })
    }

    /// Whether the field holds `words` as whole words. Each word is first looked for in
    /// the unfolded text (any case, anywhere): most entries a text query scans lack it, and
    /// then folding, most of a scan's time in profiles, is not needed.
    fn has_words(&self, field: TextField, words: &str) -> bool {
        let ascii = self.ascii(field);
        words.split(' ').all(|w| contains_ignore_case(ascii, w))
            && has_words(self.folded(field), words)
    }

    /// A field as written.
    fn raw(&self, field: TextField) -> &str {
        match field {
            TextField::Any => self
                .raw_any
                .get_or_init(|| format!("{}\n{}", self.e.title, self.summary())),
            TextField::Title => &self.e.title,
            TextField::Author => self.raw_authors.get_or_init(|| self.e.authors.join("\n")),
            TextField::Url => self.e.link.as_deref().unwrap_or(""),
        }
    }
}

impl Expr {
    /// Whether `e` matches.
    pub fn matches(&self, e: &Entry) -> bool {
        let s = Subject {
            e,
            summary: OnceCell::new(),
            ascii: Default::default(),
            folded: Default::default(),
            raw_any: OnceCell::new(),
            raw_authors: OnceCell::new(),
        };
        self.eval(&s)
    }

    fn eval(&self, s: &Subject<'_>) -> bool {
        match self {
            Expr::And(xs) => xs.iter().all(|x| x.eval(s)),
            Expr::Or(xs) => xs.iter().any(|x| x.eval(s)),
            Expr::Not(x) => !x.eval(s),
            Expr::Term(t) => t.eval(s),
        }
    }
}

impl Term {
    fn eval(&self, s: &Subject<'_>) -> bool {
        let e = s.e;
        match self {
            Term::Text(field, words) => s.has_words(*field, words),
            Term::Regex(field, p) => p.regex.is_match(s.raw(*field)),
            Term::Url(v) => e
                .link
                .as_deref()
                .is_some_and(|l| l.to_lowercase().contains(v.as_str())),
            Term::Show(slug) => e.shows.iter().any(|t| &t.slug == slug),
            Term::Source(id) => &e.feed_id == id,
            Term::Season(slug, n) => e
                .shows
                .iter()
                .any(|t| &t.slug == slug && t.seasons.iter().any(|r| r.season == *n)),
            Term::Kind(k) => e.kinds.contains(k),
            Term::Lang(l) => language_is(l, e.language.as_deref()),
            Term::Tag(_, feeds) => feeds.contains(&e.feed_id),
            Term::Date(d) => {
                d.start.is_none_or(|t| e.published >= t) && d.end.is_none_or(|t| e.published < t)
            }
        }
    }
}

/// Whether an entry in `language` is in `want` (a lower-case tag): the same tag, or a
/// primary-only one (`en`) with the entry's primary language (`en-US`, folded as
/// [`crate::normalize::lang::primary`] folds it). `lang=` and `lang:` alike.
pub fn language_is(want: &str, language: Option<&str>) -> bool {
    use crate::normalize::lang::primary;
    let Some(language) = language else {
        return false;
    };
    let lower = language.to_ascii_lowercase();
    *want == lower || (!want.contains('-') && primary(want) == primary(&lower))
}

/// Whether `words` ("a b") appear as whole words in `folded` (" x a b y ").
fn has_words(folded: &str, words: &str) -> bool {
    let (hay, needle) = (folded.as_bytes(), words.as_bytes());
    memchr::memmem::find_iter(hay, needle)
        .any(|i| i > 0 && hay[i - 1] == b' ' && hay.get(i + needle.len()) == Some(&b' '))
}

/// Which of a [`Subject`]'s text slots holds `field`'s text (authors for `inurl:` too,
/// which matches the link itself and never reads its slot).
fn slot(field: TextField) -> usize {
    match field {
        TextField::Any => 0,
        TextField::Title => 1,
        TextField::Author | TextField::Url => 2,
    }
}

/// Whether ASCII `hay` contains `needle` (lower-case ASCII), in any case.
fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = n.split_first() else {
        return true;
    };
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), h).any(|i| {
        h.get(i + 1..i + n.len())
            .is_some_and(|t| t.eq_ignore_ascii_case(rest))
    })
}

/// Appends `s` folded as [`super::fold_words`] folds it (ASCII transliteration, lower case,
/// words split on anything not alphanumeric), each word followed by a space.
pub fn fold_into(out: &mut String, s: &str) {
    if s.is_ascii() {
        fold_ascii_into(out, s);
    } else {
        fold_ascii_into(out, &deunicode::deunicode(s));
    }
}

/// [`fold_into`] of ASCII text. One pass over the bytes: this runs on every entry a text
/// query scans that has the words somewhere (splitting into words and copying each showed
/// in profiles).
fn fold_ascii_into(out: &mut String, ascii: &str) {
    let mut buf = std::mem::take(out).into_bytes();
    buf.reserve(ascii.len() + 1);
    let mut in_word = false;
    for &b in ascii.as_bytes() {
        if b.is_ascii_alphanumeric() {
            buf.push(b.to_ascii_lowercase());
            in_word = true;
        } else if in_word {
            buf.push(b' ');
            in_word = false;
        }
    }
    if in_word {
        buf.push(b' ');
    }
    // Only ASCII was pushed onto a string, so this never fails.
    *out = String::from_utf8(buf)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
}

/// What the indexes can answer of an expression: every match is in one of `streams` (when
/// known) and published in `[start, end)`. The rest is checked entry by entry.
#[derive(Debug, Default)]
pub struct Plan<'a> {
    /// Index streams whose union holds every match; `None`: no index narrows it.
    pub streams: Option<Vec<Index<'a>>>,
    /// Earliest publication time a match can have.
    pub start: Option<i64>,
    /// First publication time no match can have.
    pub end: Option<i64>,
}

impl Expr {
    /// The plan of this expression.
    pub fn plan(&self) -> Plan<'_> {
        let (start, end) = self.bounds().unwrap_or((None, None));
        Plan {
            streams: self.streams(),
            start,
            end,
        }
    }

    /// Index streams that hold every match: a show, season or source term; the union over an
    /// OR whose every member has some; the fewest over an AND's members.
    fn streams(&self) -> Option<Vec<Index<'_>>> {
        match self {
            Expr::Term(Term::Show(s) | Term::Season(s, _)) => Some(vec![Index::Show(s)]),
            Expr::Term(Term::Source(f)) => Some(vec![Index::Feed(f)]),
            Expr::Or(xs) => xs.iter().try_fold(Vec::new(), |mut acc, x| {
                acc.extend(x.streams()?);
                Some(acc)
            }),
            Expr::And(xs) => xs.iter().filter_map(Expr::streams).min_by_key(Vec::len),
            Expr::Not(_) | Expr::Term(_) => None,
        }
    }

    /// Publication-time bounds every match is within, when the expression implies some.
    fn bounds(&self) -> Option<(Option<i64>, Option<i64>)> {
        match self {
            Expr::Term(Term::Date(d)) => Some((d.start, d.end)),
            Expr::And(xs) => xs.iter().filter_map(Expr::bounds).reduce(|a, b| {
                let start = a.0.max(b.0);
                let end = match (a.1, b.1) {
                    (Some(x), Some(y)) => Some(x.min(y)),
                    (x, y) => x.or(y),
                };
                (start, end)
            }),
            Expr::Or(xs) => {
                let mut all = xs.iter().map(Expr::bounds);
                let first = all.next()??;
                all.try_fold(first, |(s, e), b| {
                    let (bs, be) = b?;
                    // The hull: open on a side where any member is.
                    Some((
                        s.zip(bs).map(|(x, y)| x.min(y)),
                        e.zip(be).map(|(x, y)| x.max(y)),
                    ))
                })
            }
            Expr::Not(_) | Expr::Term(_) => None,
        }
    }
}
