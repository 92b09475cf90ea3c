//! Fingerprints: what near-duplicate detection compares, built once per entry.
//!
//! Text becomes a sequence of *content tokens*: lower-cased, accents folded, stop words and
//! headline filler dropped ("exclusive", "watch", "sets", "reveals"...), light suffix stemming
//! (`renewed`, `renews`, `renewal` -> `renew`; `premieres`, `premiered` -> `premier`),
//! numbers kept as numbers (`2`, `2nd`, `S2`, and `second`/`two` next to `season`, `part`,
//! `episode`... all become the number 2), month abbreviations spelled out. Hangul, kana and
//! Han characters, which are not separated by spaces (or carry attached particles), become
//! character bigrams. Each token is hashed to a `u32`; numbers keep their value with the top
//! bit set so the number rule can read them back.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::FxMap;
use crate::text::is_cjk;

/// Characters of the summary that count (about the lead paragraph).
pub const SUMMARY_CHARS: usize = 400;
/// Characters of the title that count (headlines are shorter; this bounds odd input).
pub const TITLE_CHARS: usize = 300;
/// At most this many distinct summary tokens are kept.
pub const MAX_BODY_TOKENS: usize = 40;
/// At most this many show slugs are read.
pub const MAX_SHOWS: usize = 16;
/// At most this many distinct title tokens are kept.
pub const MAX_TITLE_TOKENS: usize = 24;

/// Top bit of a token id: the token is a number and the low 31 bits are its value.
pub(crate) const NUMBER: u32 = 1 << 31;

/// What near-duplicate detection compares, computed from an entry's title, the start of its
/// plain-text summary, and its show slugs. About 100-250 bytes; serializable, so it can be
/// stored with the entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// 64-bit SimHash over content-token bigrams of title and summary.
    pub(crate) simhash: u64,
    /// Distinct title tokens, sorted.
    pub(crate) title: Vec<u32>,
    /// Distinct summary tokens that are not title tokens, sorted.
    pub(crate) body: Vec<u32>,
    /// Name tokens, sorted: the tokens of the show slugs and of quoted title phrases
    /// (`'Severance'`, `“Queen of Tears”`). Shared names weigh little when scoring.
    pub(crate) names: Vec<u32>,
    /// Hashes of the show slugs, sorted.
    pub(crate) shows: Vec<u32>,
    /// Kinds of news the title names, one bit each (see [`KINDS`]).
    pub(crate) kinds: u8,
}

impl Fingerprint {
    /// The 64-bit SimHash of title and summary.
    pub fn simhash(&self) -> u64 {
        self.simhash
    }

    /// Whether there is nothing to compare (no title or summary tokens).
    pub fn is_empty(&self) -> bool {
        self.title.is_empty() && self.body.is_empty()
    }
}

/// The fingerprint of an entry: `title` (plain text), `summary_text` (plain text; only the
/// first [`SUMMARY_CHARS`] characters are read) and the slugs of the shows it is tagged with
/// (may be empty).
pub fn fingerprint(title: &str, summary_text: &str, show_slugs: &[&str]) -> Fingerprint {
    let mut lx = Lexer::default();
    lx.lex(prefix(title, TITLE_CHARS), true);
    let title_words = lx.words.len();
    lx.lex(prefix(summary_text, SUMMARY_CHARS), false);

    let mut seq: Vec<u32> = Vec::with_capacity(lx.words.len() + 4);
    let mut title = Vec::with_capacity(16);
    let mut names = Vec::new();
    let mut body = Vec::with_capacity(48);
    let mut stem_buf = String::new();
    let mut i = 0;
    while i < lx.words.len() {
        let in_title = i < title_words;
        let (lo, hi) = if in_title {
            (0, title_words)
        } else {
            (title_words, lx.words.len())
        };
        let w = lx.words[i];
        let word = &lx.buf[w.start as usize..w.end as usize];
        let ctx = Context {
            prev: lx.word(i, -1, lo, hi),
            next: [
                lx.word(i, 1, lo, hi),
                lx.word(i, 2, lo, hi),
                lx.word(i, 3, lo, hi),
            ],
        };
        i += 1;
        let mut push = |t: u32| {
            seq.push(t);
            if in_title {
                if title.len() < MAX_TITLE_TOKENS {
                    title.push(t);
                }
                if w.quoted {
                    names.push(t);
                }
            } else if body.len() < MAX_BODY_TOKENS * 2 {
                body.push(t);
            }
        };
        if w.cjk {
            let chars: Vec<char> = word.chars().collect();
            if chars.len() == 1 {
                push(hash_word(word));
            }
            let mut b = [0u8; 8];
            for pair in chars.windows(2) {
                let mut n = pair[0].encode_utf8(&mut b).len();
                n += pair[1].encode_utf8(&mut b[n..]).len();
                push(hash_bytes(&b[..n]));
            }
            continue;
        }
        // Trade jargon for a cancellation: "not moving forward", "not going forward".
        if word == "not"
            && matches!(ctx.next[0], Some("moving" | "going"))
            && ctx.next[1] == Some("forward")
        {
            push(hash_word("cancel"));
            i += 2;
            continue;
        }
        for t in tokens_of(word, &ctx, &mut stem_buf).into_iter().flatten() {
            push(t);
        }
    }

    let simhash = simhash(&seq);
    title.sort_unstable();
    title.dedup();
    names.sort_unstable();
    names.dedup();
    // Summary tokens: distinct, in order of appearance (the lead matters most), minus title
    // tokens, at most MAX_BODY_TOKENS.
    let mut tagged: Vec<(u32, u16)> = body
        .iter()
        .enumerate()
        .map(|(i, &t)| (t, i as u16))
        .collect();
    tagged.sort_unstable();
    tagged.dedup_by_key(|x| x.0);
    tagged.retain(|(t, _)| title.binary_search(t).is_err());
    if tagged.len() > MAX_BODY_TOKENS {
        tagged.sort_unstable_by_key(|x| x.1);
        tagged.truncate(MAX_BODY_TOKENS);
        tagged.sort_unstable();
    }
    let kept: Vec<u32> = tagged.into_iter().map(|x| x.0).collect();

    let mut shows = Vec::with_capacity(show_slugs.len().min(MAX_SHOWS));
    for slug in show_slugs.iter().take(MAX_SHOWS) {
        shows.push(show_hash(slug));
        for part in slug.split(|c: char| !c.is_alphanumeric()) {
            let lower = part.to_lowercase();
            for t in tokens_of(&lower, &Context::default(), &mut stem_buf)
                .into_iter()
                .flatten()
            {
                names.push(t);
            }
        }
    }
    shows.sort_unstable();
    shows.dedup();
    names.sort_unstable();
    names.dedup();
    let kinds = title_kinds(&title);
    Fingerprint {
        simhash,
        title,
        body: kept,
        names,
        shows,
        kinds,
    }
}

/// Words that say what kind of news a headline is, and the kind (one bit each). Only
/// unambiguous event words: two headlines that both name kinds, and no kind in common, are
/// two stories (a trailer and a casting announcement for one show).
pub const KINDS: &[(&str, u8)] = &[
    ("renewed", 1),
    ("renewal", 1),
    ("pickup", 1),
    ("orders", 1),
    ("greenlit", 1),
    ("greenlights", 1),
    ("canceled", 2),
    ("cancelled", 2),
    ("axed", 2),
    ("trailer", 4),
    ("teaser", 4),
    ("cast", 8),
    ("casting", 8),
    ("joins", 8),
    ("boards", 8),
    ("recast", 8),
    ("premiere", 16),
    ("premieres", 16),
    ("date", 16),
    ("dates", 16),
    ("finale", 32),
    ("recap", 32),
    ("review", 32),
    ("explained", 32),
    ("ratings", 64),
    ("viewership", 64),
];

fn title_kinds(title: &[u32]) -> u8 {
    static TABLE: OnceLock<Vec<(u32, u8)>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut buf = String::new();
        let mut v: Vec<(u32, u8)> = KINDS
            .iter()
            .filter_map(|(w, k)| Some((tokens_of(w, &Context::default(), &mut buf)[0]?, *k)))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    });
    title.iter().fold(0, |acc, t| {
        let from = table.partition_point(|(x, _)| x < t);
        table[from..]
            .iter()
            .take_while(|(x, _)| x == t)
            .fold(acc, |acc, (_, k)| acc | k)
    })
}

/// The first `n` characters of `s`.
fn prefix(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

/// The key a show slug is indexed under; its own hash space (no clash with word tokens).
pub(crate) fn show_hash(slug: &str) -> u32 {
    let mut h = FNV_OFFSET ^ 0x5348_4f57; // "SHOW"
    for b in slug.trim().bytes() {
        h = (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(FNV_PRIME);
    }
    fold(h)
}

/// Whether token `t` is a number.
pub(crate) fn is_number(t: u32) -> bool {
    t & NUMBER != 0
}

/// Whether token `t` is a number that reads as a year (1900-2100): years say little about
/// which story it is, so the number rule ignores them.
pub(crate) fn is_year(t: u32) -> bool {
    is_number(t) && (1900..=2100).contains(&(t & !NUMBER))
}

// ---------------------------------------------------------------------------------------------
// Lexing: words, quotes, CJK runs.

#[derive(Clone, Copy, Debug)]
struct Word {
    start: u32,
    end: u32,
    quoted: bool,
    cjk: bool,
}

/// Splits text into lower-cased words, all kept in one buffer.
#[derive(Default)]
struct Lexer {
    buf: String,
    words: Vec<Word>,
}

impl Lexer {
    /// The word at offset `delta` from `i`, within `[lo, hi)`.
    fn word(&self, i: usize, delta: isize, lo: usize, hi: usize) -> Option<&str> {
        let j = i.checked_add_signed(delta)?;
        if j < lo || j >= hi {
            return None;
        }
        let w = self.words[j];
        (!w.cjk).then(|| &self.buf[w.start as usize..w.end as usize])
    }

    fn lex(&mut self, text: &str, track_quotes: bool) {
        let mut start = self.buf.len();
        let mut cjk = false;
        let mut quoted = false;
        let mut quote_open_word: Option<usize> = None;
        let first_word = self.words.len();
        let mut prev: Option<char> = None;
        let mut iter = text.chars();
        while let Some(c) = iter.next() {
            let mut look = iter.clone();
            let next = look.next();
            let prev_alnum = prev.is_some_and(char::is_alphanumeric);
            let next_alnum = next.is_some_and(char::is_alphanumeric);
            prev = Some(c);
            if c.is_ascii_alphanumeric() {
                if cjk {
                    self.end_word(&mut start, cjk, quoted);
                    cjk = false;
                }
                self.buf.push(c.to_ascii_lowercase());
            } else if is_cjk(c) {
                if !cjk {
                    self.end_word(&mut start, cjk, quoted);
                    cjk = true;
                }
                self.buf.push(c);
            } else if c.is_alphanumeric() {
                if cjk {
                    self.end_word(&mut start, cjk, quoted);
                    cjk = false;
                }
                if let Some(folded) = deunicode::deunicode_char(c) {
                    for f in folded.chars().filter(char::is_ascii_alphanumeric) {
                        self.buf.push(f.to_ascii_lowercase());
                    }
                } else {
                    self.buf.extend(c.to_lowercase());
                }
            } else if matches!(c, ':' | '.' | ',')
                && !cjk
                && self.buf.len() > start
                && self.buf.as_bytes()[self.buf.len() - 1].is_ascii_digit()
                && next.is_some_and(|n| n.is_ascii_digit())
            {
                // 11:30, 9.9, 1,000 stay one word.
                self.buf.push(c);
            } else if matches!(c, '\'' | '\u{2019}' | '\u{02bc}') && prev_alnum && next_alnum {
                // An apostrophe inside a word: possessive `'s` ends the word, others vanish
                // (`don't` -> `dont`).
                let after = look.next();
                if matches!(next, Some('s' | 'S')) && !after.is_some_and(char::is_alphanumeric) {
                    iter.next();
                    prev = next;
                }
            } else {
                self.end_word(&mut start, cjk, quoted);
                cjk = false;
                if track_quotes {
                    let opening = matches!(
                        c,
                        '\u{201c}'
                            | '\u{2018}'
                            | '\u{300c}'
                            | '\u{300e}'
                            | '\u{300a}'
                            | '\u{3008}'
                            | '\u{00ab}'
                    ) || (matches!(c, '"' | '\'' | '\u{2019}' | '\u{201d}')
                        && !prev_alnum
                        && next_alnum
                        && !quoted);
                    let closing = matches!(
                        c,
                        '\u{201d}' | '\u{300d}' | '\u{300f}' | '\u{300b}' | '\u{3009}' | '\u{00bb}'
                    ) || (matches!(c, '"' | '\'' | '\u{2019}') && quoted);
                    if opening && !quoted {
                        quoted = true;
                        quote_open_word = Some(self.words.len());
                    } else if closing && quoted {
                        quoted = false;
                        quote_open_word = None;
                    }
                }
            }
        }
        self.end_word(&mut start, cjk, quoted);
        // A quote never closed was not a quote.
        if let Some(from) = quote_open_word {
            for w in &mut self.words[from.max(first_word)..] {
                w.quoted = false;
            }
        }
    }

    fn end_word(&mut self, start: &mut usize, cjk: bool, quoted: bool) {
        let end = self.buf.len();
        if end > *start {
            self.words.push(Word {
                start: *start as u32,
                end: end as u32,
                quoted,
                cjk,
            });
        }
        *start = end;
    }
}

// ---------------------------------------------------------------------------------------------
// Words to tokens.

/// Words that carry no story: English function words and headline filler that outlets add or
/// swap freely ("Exclusive:", "Watch", "sets", "reveals", "first look"). Sorted.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "across",
    "after",
    "again",
    "against",
    "ahead",
    "all",
    "also",
    "am",
    "amid",
    "among",
    "an",
    "and",
    "announce",
    "announced",
    "announces",
    "another",
    "any",
    "are",
    "as",
    "at",
    "back",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "breaking",
    "but",
    "by",
    "can",
    "confirm",
    "confirmed",
    "confirms",
    "could",
    "detail",
    "details",
    "did",
    "do",
    "does",
    "doing",
    "dont",
    "down",
    "drop",
    "dropped",
    "drops",
    "during",
    "each",
    "even",
    "ever",
    "everything",
    "exclusive",
    "few",
    "first",
    "for",
    "from",
    "further",
    "get",
    "gets",
    "getting",
    "go",
    "goes",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "heres",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "know",
    "latest",
    "look",
    "looks",
    "made",
    "make",
    "makes",
    "may",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "new",
    "news",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "official",
    "officially",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "per",
    "photo",
    "photos",
    "plus",
    "report",
    "reportedly",
    "reports",
    "reveal",
    "revealed",
    "reveals",
    "said",
    "same",
    "say",
    "says",
    "see",
    "set",
    "sets",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "unveil",
    "unveiled",
    "unveils",
    "up",
    "update",
    "updated",
    "upon",
    "us",
    "very",
    "via",
    "video",
    "vs",
    "was",
    "watch",
    "we",
    "were",
    "what",
    "whats",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
    "your",
    "yours",
];

/// Number words, read as numbers only next to a word that counts (`season two`,
/// `second season`), else dropped: "first look" or "one of" are not numbers.
const NUMBER_WORDS: &[(&str, u32)] = &[
    ("eight", 8),
    ("eighth", 8),
    ("fifth", 5),
    ("first", 1),
    ("five", 5),
    ("four", 4),
    ("fourth", 4),
    ("nine", 9),
    ("ninth", 9),
    ("one", 1),
    ("second", 2),
    ("seven", 7),
    ("seventh", 7),
    ("six", 6),
    ("sixth", 6),
    ("ten", 10),
    ("tenth", 10),
    ("third", 3),
    ("three", 3),
    ("two", 2),
];

/// Words that a number word counts: `season two`, `second season`.
const COUNTED: &[&str] = &[
    "book",
    "chapter",
    "chapters",
    "cour",
    "episode",
    "episodes",
    "installment",
    "part",
    "parts",
    "season",
    "seasons",
    "series",
    "volume",
    "volumes",
];

const MONTHS: &[(&str, &str)] = &[
    ("apr", "april"),
    ("aug", "august"),
    ("dec", "december"),
    ("feb", "february"),
    ("jan", "january"),
    ("jul", "july"),
    ("jun", "june"),
    ("nov", "november"),
    ("oct", "october"),
    ("sep", "september"),
    ("sept", "september"),
];

/// Words and stems that mean the same event. Sorted.
const SYNONYMS: &[(&str, &str)] = &[
    ("axe", "cancel"),
    ("axed", "cancel"),
    ("axes", "cancel"),
    ("cancelation", "cancel"),
    ("cancellation", "cancel"),
    ("finale", "finale"),
    ("finales", "finale"),
    ("renewal", "renew"),
    ("scrap", "cancel"),
    ("scrapped", "cancel"),
    ("scraps", "cancel"),
];

/// What a word is before stemming, when it is not an ordinary word.
#[derive(Clone, Copy)]
enum Special {
    Stop,
    NumberWord(u32),
    Token(u32),
}

/// A word of at most 16 bytes as one integer key (no string compare on lookup).
fn pack(w: &str) -> Option<u128> {
    let b = w.as_bytes();
    (b.len() <= 16).then(|| {
        let mut k = [0u8; 16];
        k[..b.len()].copy_from_slice(b);
        u128::from_le_bytes(k)
    })
}

fn special(w: &str) -> Option<Special> {
    static MAP: OnceLock<FxMap<u128, Special>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        let mut m = FxMap::default();
        let mut put = |w: &str, s: Special| {
            if let Some(k) = pack(w) {
                m.entry(k).or_insert(s);
            }
        };
        for (w, n) in NUMBER_WORDS {
            put(w, Special::NumberWord(*n));
        }
        for w in STOP_WORDS {
            put(w, Special::Stop);
        }
        for (w, full) in MONTHS {
            put(w, Special::Token(hash_word(full)));
        }
        for (w, to) in SYNONYMS {
            put(w, Special::Token(hash_word(to)));
        }
        m
    });
    map.get(&pack(w)?).copied()
}

/// The words around a word, within its title or its summary.
#[derive(Default)]
struct Context<'a> {
    prev: Option<&'a str>,
    next: [Option<&'a str>; 3],
}

impl Context<'_> {
    /// Whether a number word here counts something: `season two`, `second season`,
    /// `third and final season`, `two parts`.
    fn counts(&self) -> bool {
        let counted = |w: &str| COUNTED.binary_search(&w).is_ok();
        if self.prev.is_some_and(counted) {
            return true;
        }
        for w in self.next.iter() {
            match w {
                Some(w) if counted(w) => return true,
                Some(w) if COUNT_FILLERS.contains(w) => continue,
                _ => return false,
            }
        }
        false
    }
}

/// Words that may stand between an ordinal and what it counts: "third and final season".
const COUNT_FILLERS: &[&str] = &[
    "all",
    "and",
    "consecutive",
    "final",
    "full",
    "last",
    "new",
    "straight",
];

/// The tokens of one lower-cased word: none (stop words), one, or up to three (`s2e5` gives
/// `season`, 2 and 5).
fn tokens_of(word: &str, ctx: &Context<'_>, buf: &mut String) -> [Option<u32>; 3] {
    let mut out = [None; 3];
    if word.is_empty() {
        return out;
    }
    let bytes = word.as_bytes();
    if bytes.iter().all(u8::is_ascii_digit) {
        out[0] = Some(number(word));
        return out;
    }
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0 {
        let rest = &word[digits..];
        // 2nd, 3rd, 5th, 21st.
        if matches!(rest, "st" | "nd" | "rd" | "th") {
            out[0] = Some(number(&word[..digits]));
            return out;
        }
        // $43M, 4K, 9pm: the number, and the unit when it is a word.
        if rest.bytes().all(|b| b.is_ascii_lowercase()) {
            out[0] = Some(number(&word[..digits]));
            if rest.len() > 1 && !matches!(special(rest), Some(Special::Stop)) {
                out[1] = Some(hash_word(rest));
            }
            return out;
        }
        // 11:30, 9.9, 1,000: a time or a measure, not a count.
        if rest
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b':' | b'.' | b','))
        {
            if rest.starts_with(',') {
                let n: String = word.chars().filter(char::is_ascii_digit).collect();
                out[0] = Some(number(&n));
            } else {
                out[0] = Some(hash_word(word));
            }
            return out;
        }
    }
    // S2, S02, S2E5, S02E05.
    if bytes[0] == b's' && bytes.len() > 1 && bytes[1].is_ascii_digit() {
        let rest = &word[1..];
        let d = rest.bytes().take_while(u8::is_ascii_digit).count();
        let tail = &rest[d..];
        if tail.is_empty() {
            out[0] = Some(hash_word("season"));
            out[1] = Some(number(&rest[..d]));
            return out;
        }
        if let Some(ep) = tail.strip_prefix('e') {
            if !ep.is_empty() && ep.bytes().all(|b| b.is_ascii_digit()) {
                out[0] = Some(hash_word("season"));
                out[1] = Some(number(&rest[..d]));
                out[2] = Some(number(ep));
                return out;
            }
        }
    }
    match special(word) {
        Some(Special::NumberWord(n)) => {
            if ctx.counts() {
                out[0] = Some(NUMBER | n);
            }
            return out;
        }
        Some(Special::Stop) => return out,
        Some(Special::Token(t)) => {
            out[0] = Some(t);
            return out;
        }
        None => {}
    }
    if word.len() == 1 && word.is_ascii() {
        return out;
    }
    buf.clear();
    buf.push_str(word);
    stem(buf);
    out[0] = Some(match special(buf) {
        Some(Special::Token(t)) => t,
        _ => hash_word(buf),
    });
    out
}

/// Light suffix stripping, the same on every side: consistency matters, not linguistics.
fn stem(w: &mut String) {
    if !w.is_ascii() || w.len() <= 3 {
        return;
    }
    if w.ends_with("ies") && w.len() > 4 {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.ends_with("sses") {
        w.truncate(w.len() - 2);
    } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        w.pop();
    }
    if w.ends_with("ing") && w.len() >= 6 {
        w.truncate(w.len() - 3);
    } else if w.ends_with("ed") && w.len() >= 5 {
        w.truncate(w.len() - 2);
    }
    if w.ends_with('e') && w.len() >= 5 {
        w.pop();
    }
    // Undouble a final consonant: starring -> starr -> star, cancelled -> cancel.
    let b = w.as_bytes();
    let n = b.len();
    if n >= 4
        && b[n - 1] == b[n - 2]
        && !matches!(b[n - 1], b'a' | b'e' | b'i' | b'o' | b'u' | b's')
        && b[n - 1].is_ascii_alphabetic()
    {
        w.pop();
    }
}

// ---------------------------------------------------------------------------------------------
// Hashing.

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn hash_bytes(b: &[u8]) -> u32 {
    let mut h = FNV_OFFSET;
    for &x in b {
        h = (h ^ u64::from(x)).wrapping_mul(FNV_PRIME);
    }
    fold(h)
}

fn hash_word(w: &str) -> u32 {
    hash_bytes(w.as_bytes())
}

/// A 64-bit hash to a word token id (top bit clear).
fn fold(h: u64) -> u32 {
    ((h ^ (h >> 32)) as u32) & !NUMBER
}

/// A string of ASCII digits to a number token.
fn number(digits: &str) -> u32 {
    let d = digits.trim_start_matches('0');
    if d.is_empty() {
        return NUMBER;
    }
    match d.parse::<u32>() {
        Ok(n) if n < NUMBER => NUMBER | n,
        _ => NUMBER | hash_word(d),
    }
}

/// Mixes a token pair into 64 well-spread bits (splitmix64 finalizer).
fn mix(a: u32, b: u32) -> u64 {
    let mut z = (u64::from(a) << 32 | u64::from(b)).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Each byte value with its 8 bits spread to the low bit of 8 bytes, to count 8 bit
/// positions with one addition.
const SPREAD: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut j = 0;
        while j < 8 {
            t[b] |= ((b as u64 >> j) & 1) << (8 * j);
            j += 1;
        }
        b += 1;
    }
    t
};

/// SimHash (Charikar 2002, as in Manku et al. 2007) over token bigrams (unigrams for a single
/// token), every feature weighted 1: bit i is set when most features have bit i set.
fn simhash(seq: &[u32]) -> u64 {
    let single = [mix(seq.first().copied().unwrap_or(0), 0)];
    let features: &mut dyn Iterator<Item = u64> = match seq {
        [] => return 0,
        [_] => &mut single.iter().copied(),
        _ => &mut seq.windows(2).map(|p| mix(p[0], p[1])),
    };
    // lanes[k] byte j counts the features with bit 8k + j set; flushed before a byte can
    // overflow.
    let mut totals = [0u32; 64];
    let mut lanes = [0u64; 8];
    let mut n = 0u32;
    let flush = |lanes: &mut [u64; 8], totals: &mut [u32; 64]| {
        for (k, lane) in lanes.iter_mut().enumerate() {
            for j in 0..8 {
                totals[8 * k + j] += ((*lane >> (8 * j)) & 0xff) as u32;
            }
            *lane = 0;
        }
    };
    for h in features {
        for (k, lane) in lanes.iter_mut().enumerate() {
            *lane += SPREAD[(h >> (8 * k)) as usize & 0xff];
        }
        n += 1;
        if n % 255 == 0 {
            flush(&mut lanes, &mut totals);
        }
    }
    flush(&mut lanes, &mut totals);
    totals.iter().enumerate().fold(
        0u64,
        |h, (bit, &c)| if 2 * c > n { h | 1 << bit } else { h },
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<u32> {
        fingerprint(s, "", &[]).title
    }

    fn tok(w: &str) -> u32 {
        let mut b = String::new();
        tokens_of(w, &Context::default(), &mut b)[0].unwrap()
    }

    #[test]
    fn tables_are_sorted() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(NUMBER_WORDS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(COUNTED.windows(2).all(|w| w[0] < w[1]));
        assert!(MONTHS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(SYNONYMS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn stems_fold_inflections() {
        for (a, b) in [
            ("renewed", "renews"),
            ("renewal", "renew"),
            ("premieres", "premiere"),
            ("premiered", "premiere"),
            ("starring", "stars"),
            ("casting", "cast"),
            ("cancelled", "canceled"),
            ("cancellation", "cancels"),
            ("stories", "story"),
            ("axed", "canceled"),
            ("finales", "finale"),
            ("released", "releases"),
        ] {
            assert_eq!(tok(a), tok(b), "{a} vs {b}");
        }
        assert_ne!(tok("trailer"), tok("teaser"));
        assert_ne!(tok("final"), tok("finale"));
        assert!(words("'The Acolyte' Not Moving Forward").contains(&tok("canceled")));
    }

    #[test]
    fn numbers_are_numbers_in_every_spelling() {
        let two = NUMBER | 2;
        assert!(words("Wednesday Season 2").contains(&two));
        assert!(words("Wednesday Second Season").contains(&two));
        assert!(words("Wednesday Season Two").contains(&two));
        assert!(words("Wednesday S2 trailer").contains(&two));
        assert!(words("Frieren Gets 2nd Season").contains(&two));
        assert!(!words("The Second Coming").contains(&two));
        assert!(!words("First Look at Wednesday").contains(&(NUMBER | 1)));
        assert!(words("S02E05 recap").contains(&(NUMBER | 5)));
        assert!(words("Third and Final Season").contains(&(NUMBER | 3)));
        assert!(words("Opens to $43M").contains(&(NUMBER | 43)));
        assert!(words("1,000 Episodes").contains(&(NUMBER | 1000)));
        let t = words("Episode 11 at 11:30 PM, rated 9.9");
        assert_eq!(t.iter().filter(|&&t| is_number(t)).count(), 1, "{t:?}");
        assert_ne!(words("season 2"), words("season 3"));
        assert!(is_year(NUMBER | 2025) && !is_year(NUMBER | 3));
    }

    #[test]
    fn possessives_quotes_and_accents() {
        assert_eq!(words("Netflix's Wednesday"), words("Netflix Wednesday"));
        assert_eq!(words("Pokémon Horizons"), words("Pokemon horizons"));
        let fp = fingerprint("‘Severance’ Renewed for Season 3 at Apple", "", &[]);
        assert_eq!(fp.names, vec![tok("severance")]);
        let fp = fingerprint("Kim Soo Hyun Joins “Queen Of Tears”", "", &[]);
        assert_eq!(fp.names.len(), 2, "queen, tears");
        let fp = fingerprint("Don't Miss 'It", "", &[]);
        assert!(fp.names.is_empty(), "an unclosed quote is no quote");
        let fp = fingerprint("Severance", "", &["all-of-us-are-dead"]);
        assert_eq!(fp.names, vec![tok("dead")]);
        assert_eq!(fp.shows, vec![show_hash("all-of-us-are-dead")]);
    }

    #[test]
    fn kinds_come_from_title_words() {
        let k = |t: &str| fingerprint(t, "", &[]).kinds;
        assert_eq!(k("‘Severance’ Renewed for Season 3 at Apple TV+"), 1);
        assert_eq!(k("Apple TV+ Orders Third Season of ‘Severance’"), 1);
        assert_eq!(k("'The Acolyte' Not Moving Forward With Season 2"), 2);
        assert_eq!(k("Lady Gaga Joins ‘Wednesday’ Season 2"), 8);
        assert_eq!(k("Wednesday Season 2 Trailer: Jenna Ortega Returns"), 4);
        assert_eq!(k("Frieren Anime Gets 2nd Season in January 2026"), 0);
        assert_eq!(k("Premiere Date and New Teaser"), 16 | 4);
        assert_eq!(k("Netflix Dates Final Season Of ‘Squid Game’"), 16);
        assert_eq!(k("‘Severance’ Finale Explained"), 32);
    }

    #[test]
    fn hangul_becomes_bigrams() {
        let a = fingerprint("지금 우리 학교는 시즌2 제작 확정", "", &[]);
        let b = fingerprint("지금 우리 학교 시즌2 확정", "", &[]);
        let shared = a.title.iter().filter(|t| b.title.contains(t)).count();
        assert!(shared >= 5, "{shared}");
    }

    #[test]
    fn simhash_is_stable_under_small_edits() {
        let s = "Apple TV+ has renewed Severance for a third season, the streamer announced \
                 Thursday, one day ahead of the Season 2 finale. Ben Stiller will return.";
        let a = fingerprint("'Severance' Renewed for Season 3 at Apple TV+", s, &[]);
        let b = fingerprint(
            "'Severance' Renewed for Season 3 at Apple TV+ (Exclusive)",
            s,
            &[],
        );
        assert!((a.simhash ^ b.simhash).count_ones() <= 3);
        let c = fingerprint(
            "'Shrinking' Renewed for Season 3 at Apple TV+",
            "Jason Segel.",
            &[],
        );
        assert!((a.simhash ^ c.simhash).count_ones() > 3);
    }

    #[test]
    fn simhash_matches_the_bit_by_bit_definition() {
        let reference = |seq: &[u32]| {
            let feats: Vec<u64> = if seq.len() == 1 {
                vec![mix(seq[0], 0)]
            } else {
                seq.windows(2).map(|p| mix(p[0], p[1])).collect()
            };
            let mut h = 0u64;
            for bit in 0..64 {
                let ones = feats.iter().filter(|f| *f >> bit & 1 == 1).count();
                if 2 * ones > feats.len() {
                    h |= 1 << bit;
                }
            }
            h
        };
        for len in [1usize, 2, 3, 17, 254, 255, 256, 257, 600] {
            let seq: Vec<u32> = (0..len as u32)
                .map(|i| i.wrapping_mul(2_654_435_761))
                .collect();
            assert_eq!(simhash(&seq), reference(&seq), "{len}");
        }
        assert_eq!(simhash(&[]), 0);
    }

    #[test]
    fn long_and_odd_input_is_bounded() {
        let long = "word ".repeat(10_000) + &"x".repeat(100_000);
        let fp = fingerprint(&long, &long, &["a-b"]);
        assert!(fp.title.len() <= MAX_TITLE_TOKENS && fp.body.len() <= MAX_BODY_TOKENS);
        let fp = fingerprint("", "", &[]);
        assert!(fp.is_empty());
        fingerprint("\u{0}'\"“‘’”'", "s's 's' '", &["", "-"]);
        assert_eq!(number("99999999999999"), number("099999999999999"));
    }
}
