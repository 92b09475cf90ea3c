//! Tokens to an [`Expr`], checking every field value against what is configured.
//!
//! ```text
//! expr    := and ("OR" and)*
//! and     := unary+                      (juxtaposition: AND binds tighter than OR)
//! unary   := ("-" | "!")* primary
//! primary := "(" expr ")" | field ":" value | "\"phrase\"" | /regex/i | word
//! ```
//!
//! A word or phrase that folds to nothing (punctuation) is no condition, as `q=` always
//! treated it; an alternative with no condition makes its OR match everything.

use super::ast::{Expr, Pattern, Term, TextField};
use super::lexer::{lex, Spanned, Tok};
use super::{date, fold_words, Known, LangError};

/// Deepest nesting of parentheses.
const MAX_DEPTH: usize = 16;
/// Longest regex, in characters.
const MAX_REGEX_CHARS: usize = 200;
/// Compiled-program and lazy-DFA limits of a regex, so a pathological pattern is rejected
/// when parsed instead of stalling whoever runs it.
const REGEX_SIZE_LIMIT: usize = 256 * 1024;
const REGEX_DFA_LIMIT: usize = 1024 * 1024;

/// Parses `text`; `None` when it has no condition (empty, or only punctuation).
pub fn parse(text: &str, known: &Known<'_>, now: i64) -> Result<Option<Expr>, LangError> {
    let toks = lex(text)?;
    let mut p = Parser {
        toks,
        pos: 0,
        known,
        now,
        end_col: text.chars().count() + 1,
    };
    let x = p.or(0)?;
    if let Some(t) = p.toks.get(p.pos) {
        // `or` stops only at the end or at a `)` that opened nothing.
        return Err(LangError::at(t.col, "unexpected ')'".into()));
    }
    Ok(x)
}

struct Parser<'k, 'a> {
    toks: Vec<Spanned>,
    pos: usize,
    known: &'k Known<'a>,
    now: i64,
    end_col: usize,
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    /// The column of the next token, or just past the end.
    fn col(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end_col, |t| t.col)
    }

    fn or(&mut self, depth: usize) -> Result<Option<Expr>, LangError> {
        let mut alts = Vec::new();
        let mut everything = false;
        loop {
            if self.peek() == Some(&Tok::Or) {
                return Err(LangError::at(self.col(), "unexpected OR".into()));
            }
            match self.and(depth)? {
                Some(x) => alts.push(x),
                None => everything = true,
            }
            if self.peek() != Some(&Tok::Or) {
                break;
            }
            let col = self.col();
            self.pos += 1;
            if matches!(self.peek(), None | Some(Tok::Close) | Some(Tok::Or)) {
                return Err(LangError::at(col, "expected a term after OR".into()));
            }
        }
        Ok(if everything { None } else { Expr::or(alts) })
    }

    fn and(&mut self, depth: usize) -> Result<Option<Expr>, LangError> {
        let mut xs = Vec::new();
        while !matches!(self.peek(), None | Some(Tok::Or) | Some(Tok::Close)) {
            if let Some(x) = self.unary(depth)? {
                xs.push(x);
            }
        }
        Ok(Expr::and(xs))
    }

    fn unary(&mut self, depth: usize) -> Result<Option<Expr>, LangError> {
        let mut negated = false;
        while self.peek() == Some(&Tok::Not) {
            negated = !negated;
            self.pos += 1;
        }
        if matches!(self.peek(), None | Some(Tok::Or) | Some(Tok::Close)) {
            return Err(LangError::at(
                self.col(),
                "expected a term after `-`".into(),
            ));
        }
        let x = self.primary(depth)?;
        Ok(x.map(|x| if negated { Expr::negate(x) } else { x }))
    }

    fn primary(&mut self, depth: usize) -> Result<Option<Expr>, LangError> {
        let Spanned { tok, col } = self.toks[self.pos].clone();
        self.pos += 1;
        match tok {
            Tok::Open => self.group(col, depth),
            Tok::Field(f) => {
                let value = self.toks.get(self.pos).cloned().ok_or_else(|| {
                    LangError::at(self.end_col, format!("expected a value after `{f}:`"))
                })?;
                self.pos += 1;
                self.field(f, value).map(|t| Some(Expr::Term(t)))
            }
            Tok::Word(w) => Ok(Expr::and(
                fold_words(&w)
                    .into_iter()
                    .map(|w| Expr::Term(Term::Text(TextField::Any, w)))
                    .collect(),
            )),
            Tok::Quoted(q) => {
                let words = fold_words(&q);
                Ok((!words.is_empty())
                    .then(|| Expr::Term(Term::Text(TextField::Any, words.join(" ")))))
            }
            Tok::Regex(p, i) => Ok(Some(Expr::Term(Term::Regex(
                TextField::Any,
                compile(&p, i, col)?,
            )))),
            // `or`, `and` and `unary` consume these before a primary is read.
            Tok::Close => Err(LangError::at(col, "unexpected ')'".into())),
            Tok::Or => Err(LangError::at(col, "unexpected OR".into())),
            Tok::Not => Err(LangError::at(col, "expected a term after `-`".into())),
        }
    }

    /// `( expr )`, the `(` at `col` already read.
    fn group(&mut self, col: usize, depth: usize) -> Result<Option<Expr>, LangError> {
        if depth >= MAX_DEPTH {
            return Err(LangError::at(
                col,
                format!("parentheses nested too deeply (at most {MAX_DEPTH})"),
            ));
        }
        if self.peek() == Some(&Tok::Close) {
            return Err(LangError::at(col, "empty parentheses".into()));
        }
        let x = self.or(depth + 1)?;
        if self.peek() != Some(&Tok::Close) {
            return Err(LangError::at(col, "unclosed '('".into()));
        }
        self.pos += 1;
        Ok(x)
    }

    /// `f:value`.
    fn field(&self, f: &'static str, v: Spanned) -> Result<Term, LangError> {
        let at = |m: String| LangError::at(v.col, m);
        let text = match v.tok {
            Tok::Regex(p, i) => {
                let field = match f {
                    "intitle" => TextField::Title,
                    "author" => TextField::Author,
                    "inurl" => TextField::Url,
                    _ => return Err(at(format!("`{f}:` takes no /regex/"))),
                };
                return Ok(Term::Regex(field, compile(&p, i, v.col)?));
            }
            Tok::Word(w) | Tok::Quoted(w) => w,
            _ => return Err(at(format!("expected a value after `{f}:`"))),
        };
        let lower = text.trim().to_lowercase();
        if lower.is_empty() {
            return Err(at(format!("expected a value after `{f}:`")));
        }
        match f {
            "intitle" | "author" => {
                let words = fold_words(&text);
                if words.is_empty() {
                    return Err(at(format!(
                        "`{f}:` needs a word, a \"phrase\" or a /regex/"
                    )));
                }
                let field = if f == "intitle" {
                    TextField::Title
                } else {
                    TextField::Author
                };
                Ok(Term::Text(field, words.join(" ")))
            }
            "inurl" => Ok(Term::Url(lower)),
            "date" => date::parse(text.trim(), self.now)
                .map(Term::Date)
                .map_err(at),
            _ => self.named(f, lower).map_err(at),
        }
    }

    /// `show:`, `source:`, `kind:`, `lang:`, `tag:`, `season:`: a configured name (or a
    /// language tag).
    fn named(&self, f: &str, v: String) -> Result<Term, String> {
        let shown = super::truncate(&v);
        match f {
            "show" if (self.known.shows)(&v) => Ok(Term::Show(v)),
            "show" => Err(format!("`show:` no show with slug {shown:?} is configured")),
            "source" if (self.known.sources)(&v) => Ok(Term::Source(v)),
            "source" => Err(format!("`source:` no feed with id {shown:?} is configured")),
            "kind" if self.known.kinds.contains(&v.as_str()) => Ok(Term::Kind(v)),
            "kind" => Err(format!(
                "`kind:` must be one of {}, got {shown:?}",
                self.known.kinds.join(", ")
            )),
            "lang" if crate::normalize::lang::bcp47(&v).is_some() => Ok(Term::Lang(v)),
            "lang" => Err(format!(
                "`lang:` must be a language tag like en, pt-br or ko, got {shown:?}"
            )),
            "tag" => match (self.known.tags)(&v) {
                Some(feeds) => Ok(Term::Tag(v, feeds.to_vec())),
                None => Err(format!("`tag:` no feed has the tag {shown:?}")),
            },
            _ => {
                let (slug, n) = super::parse_season(&v, self.known)
                    .map_err(|e| e.0.replace("parameter `season`", "`season:`"))?;
                Ok(Term::Season(slug, n))
            }
        }
    }
}

/// Compiles a `/regex/` written at `col`, within the size limits.
fn compile(pattern: &str, insensitive: bool, col: usize) -> Result<Pattern, LangError> {
    if pattern.is_empty() {
        return Err(LangError::at(col, "empty /regex/".into()));
    }
    if pattern.chars().count() > MAX_REGEX_CHARS {
        return Err(LangError::at(
            col,
            format!("/regex/ too long (at most {MAX_REGEX_CHARS} characters)"),
        ));
    }
    let regex = regex::RegexBuilder::new(pattern)
        .case_insensitive(insensitive)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_DFA_LIMIT)
        .nest_limit(32)
        .build()
        .map_err(|e| {
            let why = match &e {
                regex::Error::CompiledTooBig(_) => "too big once compiled".to_owned(),
                // The last line of a syntax error says what is wrong ("error: ...").
                other => other
                    .to_string()
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("invalid")
                    .trim()
                    .trim_start_matches("error: ")
                    .to_owned(),
            };
            LangError::at(col, format!("invalid /regex/: {why}"))
        })?;
    Ok(Pattern {
        source: pattern.to_owned(),
        insensitive,
        regex,
    })
}
