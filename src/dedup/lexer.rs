//! Lexing: text to lower-cased words in one buffer, with the quotes that name a work and the
//! runs of CJK characters (which carry no spaces) marked.

use crate::text::is_cjk;

/// One word of the buffer.
#[derive(Clone, Copy, Debug)]
pub(super) struct Word {
    pub(super) start: u32,
    pub(super) end: u32,
    /// Inside a quoted phrase that reads as a title (`'Severance'`, `“Queen of Tears”`).
    pub(super) quoted: bool,
    /// A run of CJK characters.
    pub(super) cjk: bool,
    /// Written with a capital (or a digit) first.
    cap: bool,
    /// Written in capitals only, two or three letters (`US`, `PM`).
    pub(super) upper: bool,
}

/// Splits text into lower-cased words, all kept in one buffer.
#[derive(Default)]
pub(super) struct Lexer {
    pub(super) buf: String,
    pub(super) words: Vec<Word>,
}

/// Where the lexer is within the text.
#[derive(Default)]
struct State {
    start: usize,
    cjk: bool,
    cap: bool,
    /// No lower-case letter so far.
    upper: bool,
    quoted: bool,
    /// The first word of the open quote.
    open_at: Option<usize>,
}

/// Opening quote marks that are never apostrophes.
const OPENING: &[char] = &[
    '\u{201c}', '\u{2018}', '\u{300c}', '\u{300e}', '\u{300a}', '\u{3008}', '\u{00ab}',
];
/// Closing quote marks that are never apostrophes.
const CLOSING: &[char] = &[
    '\u{201d}', '\u{300d}', '\u{300f}', '\u{300b}', '\u{3009}', '\u{00bb}',
];
/// Words a title may write in lower case ("Queen of Tears", "Love & Hip Hop: Atlanta").
const SMALL_WORDS: &[&str] = &[
    "a", "an", "and", "at", "by", "da", "de", "del", "for", "from", "in", "la", "le", "of", "on",
    "or", "the", "to", "vs", "with", "y",
];

impl Lexer {
    /// The word at offset `delta` from `i`, within `[lo, hi)` (CJK runs are not words here).
    pub(super) fn word(&self, i: usize, delta: isize, lo: usize, hi: usize) -> Option<&str> {
        let j = i.checked_add_signed(delta)?;
        if j < lo || j >= hi {
            return None;
        }
        let w = self.words[j];
        (!w.cjk).then(|| &self.buf[w.start as usize..w.end as usize])
    }

    /// The text of word `i`.
    pub(super) fn text(&self, i: usize) -> &str {
        let w = self.words[i];
        &self.buf[w.start as usize..w.end as usize]
    }

    /// Appends the words of `text`; with `track_quotes`, quoted phrases that read as titles
    /// mark their words `quoted`.
    pub(super) fn lex(&mut self, text: &str, track_quotes: bool) {
        let mut st = State {
            start: self.buf.len(),
            ..State::default()
        };
        let mut prev: Option<char> = None;
        let mut iter = text.chars();
        while let Some(c) = iter.next() {
            if c.is_ascii_alphanumeric() || (!c.is_ascii() && (c.is_alphanumeric() || is_cjk(c))) {
                self.letter(&mut st, c);
                prev = Some(c);
                continue;
            }
            let mut look = iter.clone();
            let next = look.next();
            let prev_alnum = prev.is_some_and(char::is_alphanumeric);
            let next_alnum = next.is_some_and(char::is_alphanumeric);
            let after_digit = !st.cjk
                && self.buf.len() > st.start
                && self.buf.as_bytes()[self.buf.len() - 1].is_ascii_digit();
            let before_digit = next.is_some_and(|n| n.is_ascii_digit());
            let joins = match c {
                // 11:30, 9.9, 1,000 stay one word.
                ':' | ',' => after_digit && before_digit,
                // 9.9; D.N.C. and U.S. as DNC and US.
                '.' => {
                    (after_digit && before_digit)
                        || (st.upper
                            && !st.cjk
                            && (1..=3).contains(&(self.buf.len() - st.start))
                            && next.is_some_and(char::is_uppercase))
                }
                // COVID-19, G-20: one word (its number is no figure).
                '-' => prev.is_some_and(char::is_alphabetic) && before_digit && !st.cjk,
                _ => false,
            };
            if joins {
                if matches!(c, ':' | ',' | '.') && after_digit {
                    self.buf.push(c);
                }
            } else if matches!(c, '\'' | '\u{2019}' | '\u{02bc}') && prev_alnum && next_alnum {
                // An apostrophe inside a word: possessive `'s` ends the word, others vanish
                // (`don't` -> `dont`).
                let after = look.next();
                if matches!(next, Some('s' | 'S')) && !after.is_some_and(char::is_alphanumeric) {
                    iter.next();
                    prev = next;
                    continue;
                }
            } else {
                self.end_word(&mut st);
                if track_quotes {
                    self.quote_mark(&mut st, c, prev_alnum, next_alnum);
                }
            }
            prev = Some(c);
        }
        self.end_word(&mut st);
        // A quote never closed was not a quote.
        if let Some(from) = st.open_at {
            self.unquote(from);
        }
    }

    /// One alphanumeric character: lower-cased (accents folded) into the current word.
    #[inline]
    fn letter(&mut self, st: &mut State, c: char) {
        let cjk = !c.is_ascii() && is_cjk(c);
        if cjk != st.cjk {
            self.end_word(st);
            st.cjk = cjk;
        }
        if self.buf.len() == st.start {
            st.cap = cjk || c.is_uppercase() || c.is_numeric();
            st.upper = true;
        }
        st.upper &= c.is_uppercase();
        if cjk {
            self.buf.push(c);
        } else if c.is_ascii() {
            self.buf.push(c.to_ascii_lowercase());
        } else if let Some(folded) = deunicode::deunicode_char(c) {
            for f in folded.chars().filter(char::is_ascii_alphanumeric) {
                self.buf.push(f.to_ascii_lowercase());
            }
        } else {
            self.buf.extend(c.to_lowercase());
        }
    }

    /// A separator that may open or close a quoted phrase.
    fn quote_mark(&mut self, st: &mut State, c: char, prev_alnum: bool, next_alnum: bool) {
        let opening = OPENING.contains(&c)
            || (matches!(c, '"' | '\'' | '\u{2019}' | '\u{201d}')
                && !prev_alnum
                && next_alnum
                && !st.quoted);
        let closing = CLOSING.contains(&c) || (matches!(c, '"' | '\'' | '\u{2019}') && st.quoted);
        if opening && !st.quoted {
            st.quoted = true;
            st.open_at = Some(self.words.len());
        } else if closing && st.quoted {
            st.quoted = false;
            if let Some(from) = st.open_at.take() {
                if !self.title_like(from) {
                    self.unquote(from);
                }
            }
        }
    }

    /// Whether the words from `from` on read as a title: each capitalized, but for the small
    /// words after the first. A quote of speech ("'season of darkness'") is no name.
    fn title_like(&self, from: usize) -> bool {
        let words = &self.words[from..];
        !words.is_empty()
            && words.iter().enumerate().all(|(k, w)| {
                w.cap
                    || (k > 0 && SMALL_WORDS.contains(&&self.buf[w.start as usize..w.end as usize]))
            })
    }

    fn unquote(&mut self, from: usize) {
        for w in &mut self.words[from..] {
            w.quoted = false;
        }
    }

    fn end_word(&mut self, st: &mut State) {
        let end = self.buf.len();
        if end > st.start {
            self.words.push(Word {
                start: st.start as u32,
                end: end as u32,
                quoted: st.quoted,
                cjk: st.cjk,
                cap: st.cap,
                upper: st.upper && (2..=3).contains(&(end - st.start)),
            });
        }
        st.start = end;
        st.cjk = false;
    }
}
