//! Splits a query expression into tokens, each with the column (1-based, in characters) it
//! starts at, so the parser can say exactly where something is wrong.
//!
//! Words run until whitespace, a parenthesis or a quote. A word that starts with a known
//! field name and a colon (`intitle:`) is a field, and its value follows at once. `-` or `!`
//! before a term negates it; `OR` (upper case) is the operator, `or` a word. `/.../i` at the
//! start of a term is a regular expression. An unclosed quote runs to the end, as `q=` always
//! allowed.

use super::LangError;

/// The fields a term may name.
pub const FIELDS: &[&str] = &[
    "intitle", "author", "inurl", "source", "show", "season", "kind", "date", "lang", "tag",
];

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// `(`
    Open,
    /// `)`
    Close,
    /// `OR`
    Or,
    /// `-` or `!` right before a term.
    Not,
    /// `name:`, a field from [`FIELDS`]; its value is the next token.
    Field(&'static str),
    /// A bare word, as written.
    Word(String),
    /// A `"quoted phrase"`, without the quotes.
    Quoted(String),
    /// `/pattern/flags`: the pattern as written (escapes kept) and whether `i` was given.
    Regex(String, bool),
}

/// A token and the column it starts at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned {
    /// The token.
    pub tok: Tok,
    /// 1-based column, in characters.
    pub col: usize,
}

/// Splits `text` into tokens.
pub fn lex(text: &str) -> Result<Vec<Spanned>, LangError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    // After a field, its value is read whatever it looks like (`inurl:OR` is a value).
    let mut value_next: Option<&'static str> = None;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if let Some(f) = value_next.take() {
            if c.is_whitespace() || c == ')' || c == '(' {
                return Err(LangError::at(col, format!("expected a value after `{f}:`")));
            }
            // Only text fields take a /regex/ (`date:/2026-07` is an open interval).
            let regex = matches!(f, "intitle" | "author" | "inurl");
            i = lex_value(&chars, i, regex, &mut out)?;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let tok = match c {
            '(' => Tok::Open,
            ')' => Tok::Close,
            '-' | '!'
                if chars
                    .get(i + 1)
                    .is_some_and(|n| !n.is_whitespace() && *n != ')') =>
            {
                Tok::Not
            }
            _ => {
                let (next, field) = lex_term(&chars, i, &mut out)?;
                i = next;
                value_next = field;
                continue;
            }
        };
        out.push(Spanned { tok, col });
        i += 1;
    }
    if let Some(f) = value_next {
        return Err(LangError::at(
            chars.len() + 1,
            format!("expected a value after `{f}:`"),
        ));
    }
    Ok(out)
}

/// A term at `i`: a quoted phrase, a regex, a field name, `OR` or a word. Returns where the
/// next token starts and the field whose value must follow, if any.
fn lex_term(
    chars: &[char],
    i: usize,
    out: &mut Vec<Spanned>,
) -> Result<(usize, Option<&'static str>), LangError> {
    if chars[i] == '"' || chars[i] == '/' {
        return Ok((lex_value(chars, i, true, out)?, None));
    }
    let end = word_end(chars, i);
    let word: String = chars[i..end].iter().collect();
    if let Some((name, _)) = word.split_once(':') {
        let lower = name.to_ascii_lowercase();
        if let Some(f) = FIELDS.iter().find(|f| **f == lower) {
            out.push(Spanned {
                tok: Tok::Field(f),
                col: i + 1,
            });
            return Ok((i + name.chars().count() + 1, Some(f)));
        }
    }
    let tok = if word == "OR" {
        Tok::Or
    } else {
        Tok::Word(word)
    };
    out.push(Spanned { tok, col: i + 1 });
    Ok((end, None))
}

/// Where a bare word starting at `i` ends.
fn word_end(chars: &[char], i: usize) -> usize {
    let mut end = i;
    while end < chars.len() && !matches!(chars[end], '(' | ')' | '"') && !chars[end].is_whitespace()
    {
        end += 1;
    }
    end
}

/// A value at `i`: quoted, a regex (when `regex`), or a bare word (a field's value or a plain
/// term).
fn lex_value(
    chars: &[char],
    i: usize,
    regex: bool,
    out: &mut Vec<Spanned>,
) -> Result<usize, LangError> {
    let col = i + 1;
    let (tok, next) = match chars[i] {
        '"' => {
            let close = chars[i + 1..].iter().position(|c| *c == '"');
            let end = close.map_or(chars.len(), |p| i + 1 + p);
            let text: String = chars[i + 1..end].iter().collect();
            (Tok::Quoted(text), (end + 1).min(chars.len()))
        }
        '/' if regex => lex_regex(chars, i)?,
        _ => {
            let end = word_end(chars, i);
            (Tok::Word(chars[i..end].iter().collect()), end)
        }
    };
    out.push(Spanned { tok, col });
    Ok(next)
}

/// `/pattern/flags` at `i`; a backslash escapes the next character (so `\/` is a slash).
fn lex_regex(chars: &[char], i: usize) -> Result<(Tok, usize), LangError> {
    let mut j = i + 1;
    while j < chars.len() && chars[j] != '/' {
        j += if chars[j] == '\\' { 2 } else { 1 };
    }
    if j >= chars.len() {
        return Err(LangError::at(
            i + 1,
            "unterminated /regex/ (close it with `/`)".into(),
        ));
    }
    let pattern: String = chars[i + 1..j].iter().collect();
    let mut k = j + 1;
    let mut insensitive = false;
    while k < chars.len() && !chars[k].is_whitespace() && chars[k] != ')' {
        if chars[k] != 'i' {
            return Err(LangError::at(
                k + 1,
                format!(
                    "unknown regex flag {:?} (only `i`, case-insensitive)",
                    chars[k]
                ),
            ));
        }
        insensitive = true;
        k += 1;
    }
    Ok((Tok::Regex(pattern, insensitive), k))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn splits_every_token() {
        assert_eq!(
            toks(r#"-a !(b OR "c d") intitle:/x\/y/i or"#),
            [
                Tok::Not,
                Tok::Word("a".into()),
                Tok::Not,
                Tok::Open,
                Tok::Word("b".into()),
                Tok::Or,
                Tok::Quoted("c d".into()),
                Tok::Close,
                Tok::Field("intitle"),
                Tok::Regex(r"x\/y".into(), true),
                Tok::Word("or".into()),
            ]
        );
        // Not a field: stays a word; a lone dash is a word too.
        assert_eq!(
            toks("game: - inurl:OR"),
            [
                Tok::Word("game:".into()),
                Tok::Word("-".into()),
                Tok::Field("inurl"),
                Tok::Word("OR".into())
            ]
        );
        assert_eq!(toks(r#""open"#), [Tok::Quoted("open".into())]);
    }

    #[test]
    fn errors_have_columns() {
        let e = |s: &str| lex(s).unwrap_err().to_string();
        assert_eq!(
            e("a /b"),
            "unterminated /regex/ (close it with `/`) at column 3"
        );
        assert_eq!(
            e("/b/x"),
            "unknown regex flag 'x' (only `i`, case-insensitive) at column 4"
        );
        assert_eq!(
            e("intitle: a"),
            "expected a value after `intitle:` at column 9"
        );
        assert_eq!(e("x show:"), "expected a value after `show:` at column 8");
    }
}
