//! Matching normalization: HTML to plain text, then plain text to a word stream.
//!
//! The word stream is one `String` of lower-case ASCII words (and single CJK, kana or Hangul
//! characters), each preceded and followed by one space: `" squid game s season 2 "`. Show
//! names go through the same function, so an automaton over padded names matches whole words
//! only. Next to the buffer, [`Norm::words`] keeps for every word its range in the buffer, its
//! range in the original text, its sentence and clause number and flags for what the original
//! looked like (capitalized, quoted, possessive, in parentheses).
//!
//! Folding rules:
//!
//! - letters and digits: ASCII lower case; other letters through `deunicode` (`é` -> `e`,
//!   `ß` -> `ss`); fullwidth forms to ASCII;
//! - CJK ideographs, kana and Hangul: kept as they are, one word per character (these scripts
//!   do not put spaces between words, and Korean attaches particles to the word before);
//! - apostrophes inside a word disappear (`Don't` -> `dont`), except a possessive or
//!   contracted `'s`, which becomes its own word `s` flagged [`Flags::POSS`] (`Squid Game's` ->
//!   `squid game s`; names containing `'s` are also registered with it joined, so
//!   `Grey's Anatomy` and `Greys Anatomy` both match);
//! - `&` is the word `and`, a `+` glued to a word is the word `plus` (`Disney+`), `×` is `x`;
//! - all other punctuation separates words; `. ! ? ;` and line breaks also end a sentence,
//!   `, : ( ) — |` end a clause (a colon inside a word, `Re:Zero`, does not); quotes, CJK
//!   brackets and italics (`<i>`, `<em>`, `<cite>`) set [`Flags::OPEN_Q`] on the next word and
//!   [`Flags::CLOSE_Q`] on the previous one.

use crate::text::{is_cjk, reference, Reference};

bitflags::bitflags! {
    /// What a word looked like in the original text, and which boundaries lie before it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub(crate) struct Flags: u32 {
        /// The first letter of the word is upper case.
        const CAP = 1;
        /// The word has an upper-case letter.
        const UPPER = 1 << 1;
        /// The word has a lower-case letter.
        const LOWER = 1 << 2;
        /// An opening quote or italic starts right before the word.
        const OPEN_Q = 1 << 3;
        /// A closing quote or italic ends right after the word.
        const CLOSE_Q = 1 << 4;
        /// A single CJK ideograph, kana or Hangul syllable.
        const CJK = 1 << 5;
        /// The `s` of a possessive or contracted `'s`.
        const POSS = 1 << 6;
        /// Inside parentheses.
        const PAREN = 1 << 7;
        /// A clause (or sentence) boundary lies between this word and the one before.
        const CLAUSE = 1 << 8;
        /// A sentence (or segment) boundary lies between this word and the one before.
        const SENT = 1 << 9;
        /// ASCII digits only.
        const NUM = 1 << 10;
        /// First word of a segment (title, body).
        const SEG = 1 << 11;
        /// A dash lies right before the word: a spaced hyphen (`Name - 07`), an en or em
        /// dash (`Silo — S03E09`) or a vertical bar (`Clip | Show`). Always with
        /// [`Flags::CLAUSE`].
        const DASH = 1 << 12;
        /// A number sign is glued to the word (`#07`).
        const HASH = 1 << 13;
        /// A colon lies right before the word (`Supernatural: Sam and Dean`). Always with
        /// [`Flags::CLAUSE`].
        const COLON = 1 << 14;
        /// The sentence boundary before the word is only a `!` or `?` glued to the word
        /// before (`K-On! S2`): a name that ends in one (`K-On!`, `Nailed It!`) takes it back,
        /// see [`Norm::join_after`].
        const BANG = 1 << 15;
        /// A `.` between letters or digits, with no space, separates the word from the one
        /// before: a scene release's dotted name (`Name.103.720p`).
        const DOT = 1 << 16;
        /// The flags that say what lies before a word, carried from the punctuation read
        /// before it.
        const PENDING = Self::OPEN_Q.bits()
            | Self::CLAUSE.bits()
            | Self::SENT.bits()
            | Self::SEG.bits()
            | Self::DASH.bits()
            | Self::HASH.bits()
            | Self::COLON.bits()
            | Self::BANG.bits()
            | Self::DOT.bits();
    }
}

/// Private-use characters that [`html_to_plain`] emits for the start and end of italics.
pub(crate) const ITALIC_OPEN: char = '\u{E000}';
/// See [`ITALIC_OPEN`].
pub(crate) const ITALIC_CLOSE: char = '\u{E001}';

/// One word of the normalized stream.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Word {
    /// Byte range in [`Norm::buf`].
    pub start: u32,
    /// End of the range in [`Norm::buf`].
    pub end: u32,
    /// Byte range in the original segment text.
    pub orig: u32,
    /// End of the range in the original segment text.
    pub orig_end: u32,
    /// Sentence number, increasing through the whole stream.
    pub sent: u32,
    /// Flags: [`Flags::CAP`], [`Flags::UPPER`], [`Flags::OPEN_Q`]...
    pub flags: Flags,
}

impl Word {
    /// Whether the word has `flag`.
    pub fn has(&self, flag: Flags) -> bool {
        self.flags.intersects(flag)
    }
}

/// A normalized word stream built from one or more segments (title, body).
#[derive(Debug, Default)]
pub(crate) struct Norm {
    /// `" w1 w2 ... "`: words between single spaces; segments joined by `"\u{1} "`.
    pub buf: String,
    /// The words, in order.
    pub words: Vec<Word>,
    sent: u32,
}

/// Tokenizer state while one segment is pushed.
struct Cursor {
    /// Start of the word being built, in `buf` and in the original text.
    word: Option<(usize, usize)>,
    flags: Flags,
    /// Flags for the next word ([`Flags::PENDING`]).
    pend: Flags,
    paren: u32,
    /// A '.' followed a short number: a sentence break unless the next word is `staffel`,
    /// `sezon`...
    period_after_num: bool,
}

impl Norm {
    /// Empties the stream, keeping its allocations.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.buf.push(' ');
        self.words.clear();
        self.sent = 0;
    }

    /// A fresh stream holding `text` as its only segment.
    pub fn of(text: &str) -> Norm {
        let mut n = Norm::default();
        n.clear();
        n.push_segment(text);
        n
    }

    /// The normalized text of word `i`.
    pub fn word(&self, i: usize) -> &str {
        let w = &self.words[i];
        &self.buf[w.start as usize..w.end as usize]
    }

    /// Takes back the sentence boundary after word `i` when it is only a `!` or `?` glued to
    /// it ([`Flags::BANG`]): the mark belongs to a name that ends in it (`K-On! S2 - 07`,
    /// `Nailed It! Season 5`), so the words after it are in the name's sentence.
    pub fn join_after(&mut self, i: usize) {
        let Some(next) = self.words.get_mut(i + 1) else {
            return;
        };
        if !next.has(Flags::BANG) || !next.has(Flags::SENT) || next.has(Flags::SEG) {
            return;
        }
        // BANG stays: the mark still ends the name (see `is_featured`).
        next.flags.remove(Flags::SENT | Flags::CLAUSE);
        for w in &mut self.words[i + 1..] {
            w.sent -= 1;
        }
        self.sent -= 1;
    }

    /// The normalized text of word `i`, or `""` past the last word.
    pub fn word_or_empty(&self, i: usize) -> &str {
        if i < self.words.len() {
            self.word(i)
        } else {
            ""
        }
    }

    /// The normalized words `from..to` joined by single spaces.
    pub fn span_text(&self, from: usize, to: usize) -> &str {
        if from >= to {
            return "";
        }
        &self.buf[self.words[from].start as usize..self.words[to - 1].end as usize]
    }

    /// The words as `&str`s (tests and pattern building).
    pub fn word_strs(&self) -> Vec<&str> {
        (0..self.words.len()).map(|i| self.word(i)).collect()
    }

    /// Appends `text` (plain text) as a new segment.
    pub fn push_segment(&mut self, text: &str) {
        if self.buf.is_empty() {
            self.buf.push(' ');
        }
        if !self.words.is_empty() {
            self.buf.push_str("\u{1} ");
        }
        let mut cur = Cursor {
            word: None,
            flags: Flags::empty(),
            pend: Flags::SENT | Flags::CLAUSE | Flags::SEG,
            paren: 0,
            period_after_num: false,
        };
        let mut prev: char = ' ';
        let mut iter = text.char_indices();
        while let Some((i, raw)) = iter.next() {
            let c = fullwidth_to_ascii(raw);
            let next_at = i + raw.len_utf8();
            if c.is_ascii_alphanumeric() {
                self.push_ascii(&mut cur, c, i);
            } else if is_cjk(c) {
                self.finish(&mut cur, i);
                cur.word = Some((self.buf.len(), i));
                cur.flags |= Flags::CJK;
                self.buf.push(c);
                self.finish(&mut cur, next_at);
            } else if is_apostrophe(c) {
                if self.push_apostrophe(&mut cur, text, c, (i, next_at), prev) {
                    // The `s` of a possessive was consumed with it.
                    iter.next();
                    prev = 's';
                    continue;
                }
            } else if c.is_alphanumeric() {
                self.push_folded(&mut cur, c, i);
            } else {
                self.push_punct(&mut cur, text, c, (i, next_at), prev);
            }
            prev = c;
        }
        self.finish(&mut cur, text.len());
    }

    /// An ASCII letter or digit: part of the word in progress.
    fn push_ascii(&mut self, cur: &mut Cursor, c: char, i: usize) {
        if cur.word.is_none() {
            cur.word = Some((self.buf.len(), i));
            if c.is_ascii_uppercase() {
                cur.flags |= Flags::CAP;
            }
        }
        if c.is_ascii_uppercase() {
            cur.flags |= Flags::UPPER;
        } else if c.is_ascii_lowercase() {
            cur.flags |= Flags::LOWER;
        }
        self.buf.push(c.to_ascii_lowercase());
    }

    /// A non-ASCII letter or digit, folded through deunicode.
    fn push_folded(&mut self, cur: &mut Cursor, c: char, i: usize) {
        let folded = deunicode::deunicode_char(c).unwrap_or("");
        let mut any = false;
        for b in folded.bytes() {
            if b.is_ascii_alphanumeric() {
                if cur.word.is_none() {
                    cur.word = Some((self.buf.len(), i));
                    if c.is_uppercase() {
                        cur.flags |= Flags::CAP;
                    }
                }
                self.buf.push(b.to_ascii_lowercase() as char);
                any = true;
            }
        }
        if any {
            if c.is_uppercase() {
                cur.flags |= Flags::UPPER;
            } else if c.is_lowercase() {
                cur.flags |= Flags::LOWER;
            }
        } else {
            self.finish(cur, i);
        }
    }

    /// An apostrophe at `i` (the next character at `next_at`): a possessive or contracted `'s` (its own word; returns true,
    /// the caller skips the `s`), an elision inside a word (dropped), or a quote.
    fn push_apostrophe(
        &mut self,
        cur: &mut Cursor,
        text: &str,
        c: char,
        (i, next_at): (usize, usize),
        prev: char,
    ) -> bool {
        let rest = &text[next_at..];
        let mut ahead = rest.chars();
        let n1 = ahead.next();
        let n2 = ahead.next();
        // `Disney+'s`: the `+` made a word of its own, glued to the apostrophe.
        let glued = cur.word.is_some() || prev == '+';
        if glued && n1.is_some_and(char::is_alphanumeric) {
            if matches!(n1, Some('s' | 'S')) && !n2.is_some_and(char::is_alphanumeric) {
                // Possessive or contracted 's: its own word.
                self.finish(cur, i);
                let s_at = next_at;
                cur.word = Some((self.buf.len(), s_at));
                cur.flags |= Flags::POSS
                    | if n1 == Some('S') {
                        Flags::UPPER
                    } else {
                        Flags::LOWER
                    };
                self.buf.push('s');
                self.finish(cur, s_at + 1);
                return true;
            }
            // Elision inside a word: drop it.
        } else if glued || !(prev.is_whitespace() || is_opening(prev)) {
            self.finish(cur, i);
            self.close_quote();
        } else if c != '\u{2019}' || n1.is_some_and(char::is_alphanumeric) {
            cur.pend |= Flags::OPEN_Q;
        }
        false
    }

    /// A `.` (`next` the character after it): a separator inside a word, a number's period
    /// (`2. Staffel`), an abbreviation's, or a sentence end.
    fn push_period(&mut self, cur: &mut Cursor, in_word: bool, next: Option<char>) {
        if in_word && next.is_some_and(char::is_alphanumeric) {
            // S.H.I.E.L.D, 124.79, Ver1.1a, Name.103.720p: a separator only.
            cur.pend |= Flags::DOT;
        } else if in_word && self.words.last().is_some_and(|w| w.has(Flags::NUM)) {
            let short = self.words.last().is_some_and(|w| w.end - w.start <= 2);
            if short {
                cur.period_after_num = true;
            } else {
                cur.pend |= Flags::SENT | Flags::CLAUSE;
            }
        } else if !(in_word && self.last_is_abbreviation()) {
            cur.pend |= Flags::SENT | Flags::CLAUSE;
        }
    }

    /// Punctuation and symbols at `i` (the next character at `next_at`): word, clause and sentence boundaries, quotes, `&`, `+`, `×`.
    fn push_punct(
        &mut self,
        cur: &mut Cursor,
        text: &str,
        c: char,
        (i, next_at): (usize, usize),
        prev: char,
    ) {
        let in_word = cur.word.is_some();
        self.finish(cur, i);
        let next = text[next_at..].chars().next();
        if !matches!(c, ' ' | '\t' | '\u{a0}' | '!' | '?') {
            cur.pend.remove(Flags::BANG);
        }
        match c {
            '.' => self.push_period(cur, in_word, next),
            '!' | '?' => {
                if in_word || cur.pend.contains(Flags::BANG) {
                    cur.pend |= Flags::BANG;
                }
                cur.pend |= Flags::SENT | Flags::CLAUSE;
            }
            ';' | '\n' | '\r' | '\u{3002}' | '\u{2028}' | '\u{2029}' => {
                cur.pend |= Flags::SENT | Flags::CLAUSE
            }
            ',' if !(in_word && next.is_some_and(|n| n.is_ascii_digit())) => {
                cur.pend |= Flags::CLAUSE;
            }
            // `Re:Zero`, `NieR:Automata`: a colon inside a name is no boundary.
            ':' if in_word && next.is_some_and(char::is_alphanumeric) => {}
            ':' => cur.pend |= Flags::CLAUSE | Flags::COLON,
            '|' => cur.pend |= Flags::CLAUSE | Flags::DASH,
            '\u{3001}' | '\u{2026}' | '\u{b7}' | '\u{2022}' => cur.pend |= Flags::CLAUSE,
            '(' | '[' | '{' => {
                cur.paren += 1;
                cur.pend |= Flags::CLAUSE;
            }
            ')' | ']' | '}' => {
                cur.paren = cur.paren.saturating_sub(1);
                cur.pend |= Flags::CLAUSE;
            }
            '-' => {
                // Release names write spaces as underscores or dots: `[Cleo]Shuffle!_-_24_(BD)`,
                // `[Group].Name.-.03.[720p]`.
                let space = |c: char| c.is_whitespace() || c == '_' || c == '.';
                let spaced = space(prev) || !matches!(next, Some(n) if !space(n));
                if spaced || next == Some('-') {
                    cur.pend |= Flags::CLAUSE | Flags::DASH;
                }
            }
            '\u{2012}'..='\u{2015}' | '\u{2E3A}' | '\u{2E3B}' => {
                cur.pend |= Flags::CLAUSE | Flags::DASH
            }
            // `#07`: a number sign glued to a number.
            '#' if next.is_some_and(|n| n.is_ascii_digit()) => cur.pend |= Flags::HASH,
            '&' => self.emit(cur, "and", i, next_at),
            '+' if in_word => self.emit(cur, "plus", i, next_at),
            '\u{d7}' => self.emit(cur, "x", i, next_at),
            '"' | '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{AB}' | '\u{BB}' => {
                if in_word || !(prev.is_whitespace() || is_opening(prev)) {
                    self.close_quote();
                } else {
                    cur.pend |= Flags::OPEN_Q;
                }
            }
            '\u{300C}' | '\u{300E}' | '\u{3008}' | '\u{300A}' | '\u{3010}' | ITALIC_OPEN => {
                cur.pend |= Flags::OPEN_Q
            }
            '\u{300D}' | '\u{300F}' | '\u{3009}' | '\u{300B}' | '\u{3011}' | ITALIC_CLOSE => {
                self.close_quote()
            }
            _ => {}
        }
    }

    /// Ends the word in progress, if any, at original offset `orig_end`.
    fn finish(&mut self, cur: &mut Cursor, orig_end: usize) {
        let Some((start, orig)) = cur.word.take() else {
            return;
        };
        let end = self.buf.len();
        let text = &self.buf[start..end];
        if cur.period_after_num {
            cur.period_after_num = false;
            // German and Turkish ordinals (`3. Staffel`, `2. Sezon`, `5. Bölüm`).
            if !matches!(
                text,
                "staffel"
                    | "folge"
                    | "teil"
                    | "episode"
                    | "kapitel"
                    | "sezon"
                    | "sezonu"
                    | "bolum"
                    | "bolumu"
            ) {
                cur.pend |= Flags::SENT | Flags::CLAUSE;
            }
        }
        let mut flags = cur.flags | (cur.pend & Flags::PENDING);
        if text.bytes().all(|b| b.is_ascii_digit()) {
            flags |= Flags::NUM;
        }
        if cur.paren > 0 {
            flags |= Flags::PAREN;
        }
        if flags.contains(Flags::SENT) {
            self.sent += 1;
        }
        self.words.push(Word {
            start: start as u32,
            end: end as u32,
            orig: orig as u32,
            orig_end: orig_end as u32,
            sent: self.sent,
            flags,
        });
        self.buf.push(' ');
        cur.flags = Flags::empty();
        cur.pend = Flags::empty();
    }

    /// Emits a whole word for a symbol (`&` -> `and`).
    fn emit(&mut self, cur: &mut Cursor, word: &str, orig: usize, orig_end: usize) {
        cur.word = Some((self.buf.len(), orig));
        self.buf.push_str(word);
        self.finish(cur, orig_end);
    }

    fn close_quote(&mut self) {
        if let Some(w) = self.words.last_mut() {
            w.flags |= Flags::CLOSE_Q;
        }
    }

    /// Whether the last word is an initial or an abbreviation that a '.' does not end a
    /// sentence after.
    fn last_is_abbreviation(&self) -> bool {
        let Some(w) = self.words.last() else {
            return false;
        };
        let t = &self.buf[w.start as usize..w.end as usize];
        t.len() == 1
            || matches!(
                t,
                "mr" | "mrs"
                    | "ms"
                    | "dr"
                    | "st"
                    | "jr"
                    | "sr"
                    | "vs"
                    | "vol"
                    | "no"
                    | "ep"
                    | "feat"
                    | "inc"
                    | "co"
                    | "corp"
                    | "ltd"
                    | "jan"
                    | "feb"
                    | "mar"
                    | "apr"
                    | "jun"
                    | "jul"
                    | "aug"
                    | "sep"
                    | "sept"
                    | "oct"
                    | "nov"
                    | "dec"
                    | "mt"
                    | "prof"
                    | "gen"
                    | "sgt"
                    | "lt"
                    | "capt"
            )
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '`' | '\u{2018}' | '\u{2019}' | '\u{2BC}' | '\u{B4}'
    )
}

fn is_opening(c: char) -> bool {
    matches!(
        c,
        '(' | '['
            | '{'
            | '"'
            | '\u{201C}'
            | '\u{201E}'
            | '\u{AB}'
            | '\u{2018}'
            | '\u{2014}'
            | '\u{2013}'
            | '-'
            | '/'
            | ITALIC_OPEN
    )
}

/// Fullwidth ASCII forms (`２`, `：`) to ASCII.
fn fullwidth_to_ascii(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Appends the plain text of an HTML fragment to `out`: tags dropped (script and style with
/// their content), entities decoded, block elements and `<br>` as line breaks, italics as
/// [`ITALIC_OPEN`] / [`ITALIC_CLOSE`], whitespace runs as one space.
///
/// Meant for the sanitized HTML that `normalize` stores, but safe on anything.
pub(crate) fn html_to_plain(html: &str, out: &mut String) {
    let bytes = html.as_bytes();
    let mut i = 0;
    let mut space = out.is_empty() || out.ends_with([' ', '\n']);
    let mut run_start = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                let after = bytes.get(i + 1).copied().unwrap_or(0);
                if !(after.is_ascii_alphabetic() || after == b'/' || after == b'!' || after == b'?')
                {
                    i += 1;
                    continue;
                }
                flush(html, run_start, i, out, &mut space);
                i = html_tag(html, i, out, &mut space);
                run_start = i;
            }
            b'&' => {
                flush(html, run_start, i, out, &mut space);
                i += html_entity(&html[i..], out, &mut space);
                run_start = i;
            }
            _ => i += 1,
        }
    }
    flush(html, run_start, bytes.len(), out, &mut space);
}

/// Copies `html[from..to]` to `out` with whitespace collapsed.
fn flush(html: &str, from: usize, to: usize, out: &mut String, space: &mut bool) {
    for (k, part) in html[from..to]
        .split(|c: char| c.is_whitespace())
        .enumerate()
    {
        if k > 0 && !*space {
            out.push(' ');
            *space = true;
        }
        if !part.is_empty() {
            out.push_str(part);
            *space = false;
        }
    }
}

/// The tag (or comment) starting at `i`: what it means for the text, and the index after
/// it (after the closing tag for script, style, template and noscript).
fn html_tag(html: &str, i: usize, out: &mut String, space: &mut bool) -> usize {
    let bytes = html.as_bytes();
    if html[i..].starts_with("<!--") {
        return html[i..].find("-->").map_or(bytes.len(), |p| i + p + 3);
    }
    let end = tag_end(bytes, i);
    let closing = bytes.get(i + 1) == Some(&b'/');
    let name_start = if closing { i + 2 } else { i + 1 };
    let name_len = bytes[name_start..end]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let name = html[name_start..name_start + name_len].to_ascii_lowercase();
    match name.as_str() {
        "script" | "style" | "template" | "noscript" if !closing => {
            let close = format!("</{name}");
            return find_ascii_ci(&html[end..], &close).map_or(bytes.len(), |p| {
                let at = end + p;
                tag_end(bytes, at)
            });
        }
        "i" | "em" | "cite" => {
            out.push(if closing { ITALIC_CLOSE } else { ITALIC_OPEN });
        }
        "br" | "p" | "div" | "li" | "ul" | "ol" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
        | "blockquote" | "tr" | "table" | "section" | "article" | "figure" | "figcaption"
        | "hr" | "dt" | "dd" | "pre" | "header" | "footer" | "aside" | "nav" | "caption" => {
            if !out.is_empty() && !out.ends_with('\n') {
                if out.ends_with(' ') {
                    out.pop();
                }
                out.push('\n');
            }
            *space = true;
        }
        "td" | "th" if !*space => {
            out.push(' ');
            *space = true;
        }
        _ => {}
    }
    end
}

/// The character reference at the start of `at` (or a bare `&`), decoded into `out`; its
/// length in bytes.
fn html_entity(at: &str, out: &mut String, space: &mut bool) -> usize {
    match reference(at) {
        Some((len, Reference::Char(c))) => {
            push_char(out, c, space);
            len
        }
        Some((len, Reference::Named(t))) => {
            for c in t.chars() {
                push_char(out, c, space);
            }
            len
        }
        None => {
            out.push('&');
            *space = false;
            1
        }
    }
}

fn push_char(out: &mut String, c: char, space: &mut bool) {
    if c.is_whitespace() {
        if !*space {
            out.push(' ');
            *space = true;
        }
    } else if !c.is_control() {
        out.push(c);
        *space = false;
    }
}

/// The index just past the `>` that closes the tag starting at `start`, honouring quoted
/// attribute values.
fn tag_end(bytes: &[u8], start: usize) -> usize {
    let mut quote = 0u8;
    for (k, &b) in bytes.iter().enumerate().skip(start + 1) {
        if quote != 0 {
            if b == quote {
                quote = 0;
            }
        } else if b == b'"' || b == b'\'' {
            quote = b;
        } else if b == b'>' {
            return k + 1;
        }
    }
    bytes.len()
}

fn find_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.len();
    hay.as_bytes()
        .windows(n)
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        Norm::of(s)
            .word_strs()
            .into_iter()
            .map(String::from)
            .collect()
    }

    fn buf(s: &str) -> String {
        Norm::of(s).buf
    }

    #[test]
    fn folds_case_accents_and_punctuation() {
        assert_eq!(buf("Pokémon"), " pokemon ");
        assert_eq!(buf("NieR:Automata"), buf("Nier Automata"));
        assert_eq!(buf("GREY'S ANATOMY"), " grey s anatomy ");
        assert_eq!(buf("Grey’s Anatomy"), " grey s anatomy ");
        assert_eq!(buf("Greys Anatomy"), " greys anatomy ");
        assert_eq!(buf("Straße — Ærø"), " strasse aero ");
        assert_eq!(buf("Law & Order"), " law and order ");
        assert_eq!(
            buf("Disney+ and Apple TV+"),
            " disney plus and apple tv plus "
        );
        let n = Norm::of("Apple TV+'s Severance");
        assert_eq!(n.word_strs(), ["apple", "tv", "plus", "s", "severance"]);
        assert!(n.words[3].has(Flags::POSS));
        assert_eq!(buf("SPY×FAMILY"), " spy x family ");
        assert_eq!(buf("Don't stop"), " dont stop ");
        assert_eq!(buf("S.H.I.E.L.D. 124.79"), " s h i e l d 124 79 ");
        assert_eq!(buf("Ｓ２ ２０２４"), " s2 2024 ");
    }

    #[test]
    fn cjk_is_one_word_per_character() {
        assert_eq!(
            words("進撃の巨人 第2期"),
            ["進", "撃", "の", "巨", "人", "第", "2", "期"]
        );
        assert_eq!(
            words("오징어 게임 시즌2"),
            ["오", "징", "어", "게", "임", "시", "즌", "2"]
        );
        let n = Norm::of("「進撃の巨人」");
        assert!(n.words[0].has(Flags::OPEN_Q) && n.words[4].has(Flags::CLOSE_Q));
    }

    #[test]
    fn possessive_s_is_its_own_word() {
        let n = Norm::of("Squid Game's second season, Friends' cast");
        assert_eq!(
            n.word_strs(),
            ["squid", "game", "s", "second", "season", "friends", "cast"]
        );
        assert!(n.words[2].has(Flags::POSS));
        assert!(n.words[1].has(Flags::CAP) && !n.words[2].has(Flags::CAP));
        // The plural possessive apostrophe reads as a closing quote, nothing more.
        assert!(n.words[5].has(Flags::CLOSE_Q) && n.words[5].has(Flags::CLAUSE));
    }

    #[test]
    fn quotes_and_italics_mark_words() {
        let n = Norm::of("Penn Badgley's ‘You’ and \"Lost\" — 'The Bear' \u{E000}Dark\u{E001}");
        let f = |i: usize| {
            (
                n.word(i).to_owned(),
                n.words[i].has(Flags::OPEN_Q),
                n.words[i].has(Flags::CLOSE_Q),
            )
        };
        assert_eq!(f(3), ("you".into(), true, true));
        assert_eq!(f(5), ("lost".into(), true, true));
        assert_eq!(f(6), ("the".into(), true, false));
        assert_eq!(f(7), ("bear".into(), false, true));
        assert_eq!(f(8), ("dark".into(), true, true));
        assert!(!n.words[0].has(Flags::OPEN_Q));
    }

    #[test]
    fn a_glued_bang_is_a_boundary_a_name_can_take_back() {
        let mut n = Norm::of("K-On!! Season 2. Wow ! Yes!\nNo. Go!(Now)");
        let bang: Vec<bool> = n.words.iter().map(|w| w.has(Flags::BANG)).collect();
        // k on season 2 wow yes no go now
        assert_eq!(
            bang,
            [false, false, true, false, false, false, false, false, false]
        );
        n.join_after(1);
        let s: Vec<u32> = n.words.iter().map(|w| w.sent).collect();
        assert_eq!(s, [1, 1, 1, 1, 2, 3, 4, 4, 5]);
        assert!(!n.words[2].has(Flags::CLAUSE) && n.words[2].has(Flags::BANG));
        // Only a glued mark, and only once.
        n.join_after(1);
        n.join_after(4);
        assert_eq!(n.words[8].sent, 5);
    }

    #[test]
    fn sentences_clauses_and_parentheses() {
        let n = Norm::of("Mr. Robot returns. Season 2 (on Hulu), then more; 2. Staffel. End");
        let s: Vec<u32> = n.words.iter().map(|w| w.sent).collect();
        assert_eq!(n.word_strs()[..3], ["mr", "robot", "returns"]);
        assert_eq!(s, [1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 4]);
        assert!(
            n.words[5].has(Flags::PAREN)
                && n.words[6].has(Flags::PAREN)
                && !n.words[7].has(Flags::PAREN)
        );
        assert!(
            n.words[5].has(Flags::CLAUSE)
                && n.words[7].has(Flags::CLAUSE)
                && !n.words[6].has(Flags::CLAUSE)
        );
        assert_eq!(n.words[0].sent, 1);
        assert!(n.words[0].flags.contains(Flags::SEG));
    }

    #[test]
    fn records_original_case_and_offsets() {
        let text = "The Last of US, iCarly";
        let n = Norm::of(text);
        let w = &n.words[3];
        assert!(w.has(Flags::UPPER) && !w.has(Flags::LOWER) && w.has(Flags::CAP));
        assert_eq!(&text[w.orig as usize..w.orig_end as usize], "US");
        assert!(!n.words[2].has(Flags::CAP));
        assert!(!n.words[4].has(Flags::CAP) && n.words[4].has(Flags::UPPER));
    }

    #[test]
    fn segments_do_not_join() {
        let mut n = Norm::default();
        n.clear();
        n.push_segment("Squid");
        n.push_segment("Game");
        assert_eq!(n.buf, " squid \u{1} game ");
        assert!(n.words[1].flags.contains(Flags::SEG));
    }

    #[test]
    fn html_to_plain_strips_and_marks() {
        let mut out = String::new();
        html_to_plain(
            "<p>Netflix&#8217;s <em>Squid&nbsp;Game</em> &amp; more</p><p>Next<br>line \
             <a href=\"x>y\">link</a><script>alert(1)</script> a < b <!-- c --></p>",
            &mut out,
        );
        assert_eq!(
            out,
            "Netflix\u{2019}s \u{E000}Squid Game\u{E001} & more\nNext\nline link a < b\n"
        );
    }
}
