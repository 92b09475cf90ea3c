//! The parsed form of a query expression and its canonical text.
//!
//! The canonical form (what [`std::fmt::Display`] writes) is what cache keys, ETags and self
//! links are built from: words folded, `-` for negation, ` OR ` between alternatives,
//! parentheses only where precedence needs them. It parses back to the same expression, and
//! a plain `q=` of words and phrases keeps the text it always had.

use std::fmt;
use std::hash::{Hash, Hasher};

/// A query expression. `And` and `Or` have at least two members and none of the same kind
/// (they are flattened), and `Not(Not(x))` is `x`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Expr {
    /// Every member matches.
    And(Vec<Expr>),
    /// Any member matches.
    Or(Vec<Expr>),
    /// The member does not match.
    Not(Box<Expr>),
    /// One condition.
    Term(Term),
}

/// The text a word, phrase or regex is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextField {
    /// Title and summary (a bare term).
    Any,
    /// `intitle:`
    Title,
    /// `author:`
    Author,
    /// `inurl:` (for a regex; words in a URL are [`Term::Url`]).
    Url,
}

impl TextField {
    fn prefix(self) -> &'static str {
        match self {
            TextField::Any => "",
            TextField::Title => "intitle:",
            TextField::Author => "author:",
            TextField::Url => "inurl:",
        }
    }
}

/// One condition on an entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Term {
    /// Folded words, joined by single spaces, that appear in this order in the field: one
    /// word, or a phrase.
    Text(TextField, String),
    /// A regular expression that matches somewhere in the field (text as written, not folded).
    Regex(TextField, Pattern),
    /// The link contains this text (lower case).
    Url(String),
    /// About this show (slug).
    Show(String),
    /// From this feed (id).
    Source(String),
    /// Names this season of this show.
    Season(String, u32),
    /// Of this news kind.
    Kind(String),
    /// In this language (a BCP 47 tag, lower case): the same tag, or for a primary-only
    /// one (`en`) any of its regions (`en-US`), as `lang=` matches.
    Lang(String),
    /// From a feed with this `tags` entry (the tag, then the ids of its feeds when the
    /// expression was parsed), as `tag=` selects.
    Tag(String, Vec<String>),
    /// Published in this interval.
    Date(DateRange),
}

/// A compiled, size-limited regular expression and the text it was written as.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The pattern between the slashes, as written.
    pub source: String,
    /// `/.../i`
    pub insensitive: bool,
    /// Compiled.
    pub regex: regex::Regex,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.source == other.source && self.insensitive == other.insensitive
    }
}

impl Eq for Pattern {}

impl Hash for Pattern {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.source.hash(h);
        self.insensitive.hash(h);
    }
}

/// A publication-time interval: `start <= published < end`, either side open.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateRange {
    /// As written (the canonical form keeps it, so `date:P7D` keeps one cache key).
    pub text: String,
    /// First second included (Unix).
    pub start: Option<i64>,
    /// First second no longer included (Unix).
    pub end: Option<i64>,
}

impl Expr {
    /// Terms (leaves) in the expression.
    pub fn leaves(&self) -> usize {
        match self {
            Expr::And(xs) | Expr::Or(xs) => xs.iter().map(Expr::leaves).sum(),
            Expr::Not(x) => x.leaves(),
            Expr::Term(_) => 1,
        }
    }

    /// Whether a `date:` in it counts back from now (`date:P7D`): the same text means other
    /// entries as time passes.
    pub fn is_relative(&self) -> bool {
        match self {
            Expr::And(xs) | Expr::Or(xs) => xs.iter().any(Expr::is_relative),
            Expr::Not(x) => x.is_relative(),
            Expr::Term(Term::Date(d)) => !d.text.contains('/') && d.text.starts_with(['P', 'p']),
            Expr::Term(_) => false,
        }
    }

    /// The top-level members of an AND (the expression itself when it is not one).
    pub fn conjuncts(&self) -> &[Expr] {
        match self {
            Expr::And(xs) => xs,
            other => std::slice::from_ref(other),
        }
    }

    /// The top-level members of an OR (the expression itself when it is not one).
    pub fn disjuncts(&self) -> &[Expr] {
        match self {
            Expr::Or(xs) => xs,
            other => std::slice::from_ref(other),
        }
    }

    /// The plain words and phrases every match must contain (the bare text terms of the
    /// top-level AND), as `q=` listed them before it had operators.
    pub fn plain_terms(&self) -> Vec<Vec<String>> {
        self.conjuncts()
            .iter()
            .filter_map(|c| match c {
                Expr::Term(Term::Text(TextField::Any, words)) => {
                    Some(words.split(' ').map(str::to_owned).collect())
                }
                _ => None,
            })
            .collect()
    }

    /// `xs` joined by AND, flattened; `None` when empty.
    pub fn and(xs: Vec<Expr>) -> Option<Expr> {
        Self::join(xs, true)
    }

    /// `xs` joined by OR, flattened; `None` when empty.
    pub fn or(xs: Vec<Expr>) -> Option<Expr> {
        Self::join(xs, false)
    }

    fn join(xs: Vec<Expr>, and: bool) -> Option<Expr> {
        let mut flat = Vec::with_capacity(xs.len());
        for x in xs {
            match x {
                Expr::And(ys) if and => flat.extend(ys),
                Expr::Or(ys) if !and => flat.extend(ys),
                other => flat.push(other),
            }
        }
        match flat.len() {
            0 => None,
            1 => flat.pop(),
            _ if and => Some(Expr::And(flat)),
            _ => Some(Expr::Or(flat)),
        }
    }

    /// `x` negated, double negations removed.
    pub fn negate(x: Expr) -> Expr {
        match x {
            Expr::Not(inner) => *inner,
            other => Expr::Not(Box::new(other)),
        }
    }
}

/// Writes a value after a field, quoted when the lexer would read it otherwise.
fn value(f: &mut fmt::Formatter<'_>, v: &str) -> fmt::Result {
    let plain = !v.is_empty()
        && !v.starts_with('/')
        && !v
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '(' | ')' | '"'));
    if plain {
        f.write_str(v)
    } else {
        write!(f, "\"{v}\"")
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Text(field, words) => {
                f.write_str(field.prefix())?;
                if words.contains(' ') {
                    write!(f, "\"{words}\"")
                } else {
                    f.write_str(words)
                }
            }
            Term::Regex(field, p) => {
                let flags = if p.insensitive { "i" } else { "" };
                write!(f, "{}/{}/{flags}", field.prefix(), p.source)
            }
            Term::Url(v) => {
                f.write_str("inurl:")?;
                value(f, v)
            }
            Term::Show(v) => {
                f.write_str("show:")?;
                value(f, v)
            }
            Term::Source(v) => {
                f.write_str("source:")?;
                value(f, v)
            }
            Term::Season(slug, n) => write!(f, "season:{slug}/s{n}"),
            Term::Kind(v) => write!(f, "kind:{v}"),
            Term::Lang(v) => write!(f, "lang:{v}"),
            Term::Tag(v, _) => write!(f, "tag:{v}"),
            Term::Date(d) => write!(f, "date:{}", d.text),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Term(t) => t.fmt(f),
            Expr::Not(x) => match **x {
                Expr::Term(ref t) => write!(f, "-{t}"),
                ref other => write!(f, "-({other})"),
            },
            Expr::And(xs) => {
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    match x {
                        Expr::Or(_) => write!(f, "({x})")?,
                        _ => x.fmt(f)?,
                    }
                }
                Ok(())
            }
            Expr::Or(xs) => {
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" OR ")?;
                    }
                    x.fmt(f)?;
                }
                Ok(())
            }
        }
    }
}
