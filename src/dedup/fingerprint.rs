//! Fingerprints: what near-duplicate detection compares, built once per entry.
//!
//! Text becomes a sequence of *content tokens* (see [`super::words`]): lower-cased, accents
//! folded, stop words and headline filler dropped ("exclusive", "watch", "sets", "reveals"...),
//! light suffix stemming (`renewed`, `renews`, `renewal` -> `renew`), spelling variants of
//! names folded (`Zelenskyy`, `Zelenskiy` -> `zelensky`), numbers kept as numbers in every
//! spelling (`2`, `2nd`, `S2`, `second season`, `eight`, `18,937`, `18.9K`, `$43M`), month
//! abbreviations spelled out. A calendar date ("September 20", "20 Sept") is one date token,
//! kept apart from the words. Hangul, kana and Han characters, which are not separated by
//! spaces (or carry attached particles), become character bigrams. Each token is hashed to a
//! `u32`; numbers keep their value with the top bit set so the number rule can read them back.
//!
//! What a headline says about the kind of piece it heads is read too: an explainer or Q&A
//! ("What you need to know", a question), a live page, a round-up ("Highlights", "The
//! papers"). A programme suffix ("... | ANC", "... | 24 Oras") is left out of the words, and
//! a summary is read up to its first link or "Subscribe" (channel boilerplate).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::hash::{date_token, hash_bytes, hash_word, is_number, show_hash, simhash};
use super::lexer::Lexer;
use super::words::{abbreviation, month_of, pack, tokens_of, Context, EPISODE, SEASON};
use super::FxMap;
use crate::vocab::NewsKind;

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
/// A programme suffix (" | Teleradyo") has at most this many words.
const MAX_SUFFIX_WORDS: usize = 4;

/// Kind of piece bits ([`Fingerprint::piece`]): an explainer, Q&A, analysis or fact-check.
pub(crate) const EXPLAINER: u8 = 1;
/// A live page or livestream.
pub(crate) const LIVE: u8 = 2;
/// A round-up of many happenings: highlights, the papers, a quiz of the week.
pub(crate) const ROUNDUP: u8 = 4;
/// Reactions to a happening, or calls for one ("Experts react to ...", "Mayor calls for
/// ..."): another act, by another actor, than the happening.
pub(crate) const REACTION: u8 = 8;
/// The pieces that tell many happenings, or none: they are one only as copies.
pub(crate) const COPIES_ONLY: u8 = EXPLAINER | LIVE | ROUNDUP;

/// What near-duplicate detection compares, computed from an entry's title, the start of its
/// plain-text summary, its show slugs and its news kinds. About 100-250 bytes; serializable,
/// so it can be stored with the entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// 64-bit SimHash over content-token bigrams of title and summary.
    pub(crate) simhash: u64,
    /// Distinct title tokens, sorted.
    pub(crate) title: Vec<u32>,
    /// Distinct summary tokens that are not title tokens, sorted.
    pub(crate) body: Vec<u32>,
    /// Name tokens, sorted: the tokens of the show slugs, of quoted titles
    /// (`'Severance'`, `“Queen of Tears”`) and of the networks the headline names
    /// ([`crate::vocab::is_network`]). Shared names weigh little when scoring.
    pub(crate) names: Vec<u32>,
    /// The name tokens from quoted titles only, sorted: the headline is about that work.
    pub(crate) quoted: Vec<u32>,
    /// Hashes of the show slugs, sorted.
    pub(crate) shows: Vec<u32>,
    /// What the title counts (`season 2`, `S02E05`, `level 3`), as counted tokens (the kind
    /// of thing in the top 8 bits, the number below: see [`counted_token`]), sorted.
    pub(crate) counted: Vec<u32>,
    /// What the summary counts ("there will be no season 5"), as counted tokens, sorted.
    pub(crate) counted_body: Vec<u32>,
    /// Calendar dates the title names, as date tokens, sorted.
    pub(crate) dates: Vec<u32>,
    /// The entry's news kinds ([`NewsKind`]), one bit each (review and recap share one).
    pub(crate) kinds: u8,
    /// The kind of piece the headline heads ([`EXPLAINER`], [`LIVE`], [`ROUNDUP`],
    /// [`REACTION`]); 0 for a report.
    pub(crate) piece: u8,
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

/// Share of one feed's summaries a word must be in to be that feed's boilerplate...
const BOILERPLATE_SHARE: f32 = 0.4;
/// ...and the fewest summaries it must be in.
const BOILERPLATE_MIN: usize = 3;

/// The summary words one feed repeats in most of its items: a channel's sign-off ("Al
/// Jazeera's ... reports", "Subscribe to 1News", a programme's description). They say which
/// outlet, not which story, so its fingerprints leave them out. Learnt from the items of one
/// fetch of the feed (the same items whichever order feeds are polled in).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Boilerplate {
    /// Token ids, sorted.
    tokens: Vec<u32>,
}

impl Boilerplate {
    /// The boilerplate of a feed whose items have these plain-text summaries.
    pub fn of(summaries: &[&str]) -> Boilerplate {
        let mut counter = BoilerplateCounter::default();
        for s in summaries {
            counter.add(s);
        }
        counter.finish()
    }

    /// Whether nothing was learnt.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    fn has(&self, t: u32) -> bool {
        self.tokens.binary_search(&t).is_ok()
    }
}

/// Counts the summary words of one feed's items, one item at a time, for [`Boilerplate`].
#[derive(Debug, Default)]
pub struct BoilerplateCounter {
    counts: FxMap<u32, u32>,
    items: usize,
}

impl BoilerplateCounter {
    /// Counts the words of one item's plain-text summary.
    pub fn add(&mut self, summary: &str) {
        let mut lx = Lexer::default();
        lx.lex(lead(prefix(summary, SUMMARY_CHARS)), false);
        let mut t = Tokenizer::new(&lx, 0, 0, &NO_BOILERPLATE);
        t.run();
        let mut seen = t.body;
        seen.sort_unstable();
        seen.dedup();
        for tok in seen {
            *self.counts.entry(tok).or_insert(0) += 1;
        }
        self.items += 1;
    }

    /// The words in at least 40% of the items, and in three at least.
    pub fn finish(self) -> Boilerplate {
        let share = (BOILERPLATE_SHARE * self.items as f32).ceil() as u32;
        let min = (BOILERPLATE_MIN as u32).max(share);
        let mut tokens: Vec<u32> = self
            .counts
            .into_iter()
            .filter(|(_, n)| *n >= min)
            .map(|(t, _)| t)
            .collect();
        tokens.sort_unstable();
        Boilerplate { tokens }
    }
}

static NO_BOILERPLATE: Boilerplate = Boilerplate { tokens: Vec::new() };

/// The fingerprint of an entry: `title` (plain text), `summary_text` (plain text; only the
/// first [`SUMMARY_CHARS`] characters are read), the slugs of the shows it is tagged with and
/// its news kinds as the tagger names them (`trailer`, `casting`...; both may be empty).
pub fn fingerprint<K: AsRef<str>>(
    title: &str,
    summary_text: &str,
    show_slugs: &[&str],
    kinds: &[K],
) -> Fingerprint {
    fingerprint_in(title, summary_text, show_slugs, kinds, &NO_BOILERPLATE)
}

/// [`fingerprint`] of an item of a feed with this [`Boilerplate`]: those summary words are
/// left out.
pub fn fingerprint_in<K: AsRef<str>>(
    title: &str,
    summary_text: &str,
    show_slugs: &[&str],
    kinds: &[K],
    boilerplate: &Boilerplate,
) -> Fingerprint {
    let title = prefix(title, TITLE_CHARS);
    let (head, suffix) = split_suffix(title);
    let mut lx = Lexer::default();
    lx.lex(head, true);
    let head_words = lx.words.len();
    lx.lex(suffix, false);
    let title_words = lx.words.len();
    lx.lex(lead(prefix(summary_text, SUMMARY_CHARS)), false);

    let mut t = Tokenizer::new(&lx, head_words, title_words, boilerplate);
    t.run();
    let piece = piece_of(&lx, head_words, head.contains('?'));
    let Tokenizer {
        seq,
        mut title,
        body,
        mut names,
        networks,
        mut counted,
        mut counted_body,
        mut dates,
        ..
    } = t;
    let simhash = simhash(&seq);
    for v in [
        &mut title,
        &mut counted,
        &mut counted_body,
        &mut dates,
        &mut names,
    ] {
        v.sort_unstable();
        v.dedup();
    }
    let quoted = names.clone();
    // A network the headline names is a name of the story ("The Best Movies on Hulu" is not
    // "... on Disney+"), but not a quoted title: alone it vetoes nothing.
    names.extend(networks);
    let body = body_tokens(body, &title);
    let shows = show_tokens(show_slugs, &mut names);
    Fingerprint {
        simhash,
        title,
        body,
        names,
        quoted,
        shows,
        counted,
        counted_body,
        dates,
        kinds: kind_bits(kinds),
        piece,
    }
}

/// A counted number as one token: what is counted (a season, an episode, a level) in the
/// top 8 bits, the number below (a number too large to fit is its hash).
pub(crate) fn counted_token(kind: u8, number: u32) -> u32 {
    u32::from(kind) << 24 | (number & !super::hash::NUMBER & 0x00ff_ffff)
}

/// What a counted token counts.
pub(crate) fn counted_kind(t: u32) -> u8 {
    (t >> 24) as u8
}

/// The number of a counted token, as a number token.
pub(crate) fn counted_number(t: u32) -> u32 {
    super::hash::NUMBER | (t & 0x00ff_ffff)
}

/// The first `n` characters of `s`.
fn prefix(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s;
    }
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

/// A headline and its programme suffix ("Ambo makes landfall ... | ANC"), when it has one of
/// at most [`MAX_SUFFIX_WORDS`] words.
fn split_suffix(title: &str) -> (&str, &str) {
    let Some(at) = title.rfind(" | ") else {
        return (title, "");
    };
    let (head, suffix) = (&title[..at], &title[at..]);
    let words = suffix
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .count();
    if words > MAX_SUFFIX_WORDS || !head.chars().any(char::is_alphanumeric) {
        return (title, "");
    }
    (head, suffix)
}

/// A summary up to its first link or "Subscribe": what follows is channel boilerplate.
fn lead(summary: &str) -> &str {
    let b = summary.as_bytes();
    let starts =
        |i: usize, p: &[u8]| b.len() >= i + p.len() && b[i..i + p.len()].eq_ignore_ascii_case(p);
    for i in 0..b.len() {
        if i > 0 && b[i - 1].is_ascii_alphanumeric() {
            continue;
        }
        let cut = match b[i] | 0x20 {
            b'h' => starts(i, b"http://") || starts(i, b"https://"),
            b'w' => starts(i, b"www."),
            // "Subscribe" as a word, not "subscribers".
            b's' => starts(i, b"subscribe") && !b.get(i + 9).is_some_and(u8::is_ascii_alphabetic),
            _ => false,
        };
        if cut {
            return &summary[..i];
        }
    }
    summary
}

/// Summary tokens: distinct, in order of appearance (the lead matters most), minus title
/// tokens, at most [`MAX_BODY_TOKENS`], sorted.
fn body_tokens(body: Vec<u32>, title: &[u32]) -> Vec<u32> {
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
    tagged.into_iter().map(|x| x.0).collect()
}

/// The show slug hashes, sorted; the slugs' words join `names` (sorted on return).
fn show_tokens(show_slugs: &[&str], names: &mut Vec<u32>) -> Vec<u32> {
    let mut shows = Vec::with_capacity(show_slugs.len().min(MAX_SHOWS));
    let mut buf = String::new();
    for slug in show_slugs.iter().take(MAX_SHOWS) {
        shows.push(show_hash(slug));
        for part in slug.split(|c: char| !c.is_alphanumeric()) {
            let lower = part.to_lowercase();
            names.extend(
                tokens_of(&lower, &Context::default(), &mut buf)
                    .into_iter()
                    .flatten(),
            );
        }
    }
    shows.sort_unstable();
    shows.dedup();
    names.sort_unstable();
    names.dedup();
    shows
}

/// The news kinds as bits, from the tagger's terms ([`NewsKind`], defined once in vocab):
/// two headlines that both name kinds, and no kind in common, are two stories (a trailer and
/// a casting announcement for one show). A review and a recap share a bit.
fn kind_bits<K: AsRef<str>>(kinds: &[K]) -> u8 {
    kinds.iter().fold(0, |acc, k| {
        acc | match NewsKind::from_term(k.as_ref()) {
            Some(NewsKind::Trailer) => 1,
            Some(NewsKind::Casting) => 2,
            Some(NewsKind::Renewal) => 4,
            Some(NewsKind::Cancellation) => 8,
            Some(NewsKind::ReleaseDate) => 16,
            Some(NewsKind::Review | NewsKind::Recap) => 32,
            Some(NewsKind::Interview) => 64,
            Some(NewsKind::Ratings) => 128,
            None => 0,
        }
    })
}

/// Headline phrases that say what kind of piece follows (matched on whole words).
const PIECES: &[(&[&str], u8)] = &[
    (&["analysis"], EXPLAINER),
    (&["big", "deal"], EXPLAINER),
    (&["call", "for"], REACTION),
    (&["calls", "for"], REACTION),
    (&["explained"], EXPLAINER),
    (&["explainer"], EXPLAINER),
    (&["fact", "check"], EXPLAINER),
    (&["fact", "checked"], EXPLAINER),
    (&["factcheck"], EXPLAINER),
    (&["how", "to"], EXPLAINER),
    (&["need", "to", "know"], EXPLAINER),
    (&["opinion"], EXPLAINER),
    (&["q", "a"], EXPLAINER),
    (&["things", "to", "know"], EXPLAINER),
    (&["what", "it", "means"], EXPLAINER),
    (&["what", "to", "know"], EXPLAINER),
    (&["what", "we", "know"], EXPLAINER),
    (&["as", "it", "happened"], LIVE),
    (&["live"], LIVE),
    (&["livestream"], LIVE),
    (&["minute", "by", "minute"], LIVE),
    (&["highlights"], ROUNDUP),
    (&["hits", "and", "misses"], ROUNDUP),
    (&["icymi"], ROUNDUP),
    (&["in", "pictures"], ROUNDUP),
    (&["newspaper", "headlines"], ROUNDUP),
    (&["react"], REACTION),
    (&["reactions"], REACTION),
    (&["reacts"], REACTION),
    (&["quiz"], ROUNDUP),
    (&["round", "up"], ROUNDUP),
    (&["roundup"], ROUNDUP),
    (&["rundown"], ROUNDUP),
    (&["the", "papers"], ROUNDUP),
    (&["wrap"], ROUNDUP),
];

/// The kind of piece the first `n` words (the headline) head; a question is an explainer.
fn piece_of(lx: &Lexer, n: usize, question: bool) -> u8 {
    static FIRST: OnceLock<FxMap<u128, Vec<usize>>> = OnceLock::new();
    let first = FIRST.get_or_init(|| {
        let mut m: FxMap<u128, Vec<usize>> = FxMap::default();
        for (k, (phrase, _)) in PIECES.iter().enumerate() {
            if let Some(key) = pack(phrase[0]) {
                m.entry(key).or_default().push(k);
            }
        }
        m
    });
    let mut piece = if question { EXPLAINER } else { 0 };
    for i in 0..n {
        let Some(ks) = pack(lx.text(i)).and_then(|key| first.get(&key)) else {
            continue;
        };
        for &k in ks {
            let (phrase, bit) = PIECES[k];
            if i + phrase.len() <= n && phrase.iter().enumerate().all(|(j, w)| lx.text(i + j) == *w)
            {
                piece |= bit;
            }
        }
    }
    piece
}

/// The token `S2` and `season` share.
fn season_token() -> u32 {
    static T: OnceLock<u32> = OnceLock::new();
    *T.get_or_init(|| hash_word("season"))
}

/// Turns the lexed words into tokens: the title's (words `..head`), the programme suffix's
/// (`head..title`, dates only) and the summary's (`title..`).
struct Tokenizer<'a> {
    lx: &'a Lexer,
    boilerplate: &'a Boilerplate,
    head: usize,
    title_end: usize,
    /// Words already read as part of a date (empty while there is none).
    skip: Vec<bool>,
    seq: Vec<u32>,
    title: Vec<u32>,
    body: Vec<u32>,
    names: Vec<u32>,
    /// The headline's networks and streamers (`Hulu`, `Disney+`), as tokens.
    networks: Vec<u32>,
    counted: Vec<u32>,
    counted_body: Vec<u32>,
    dates: Vec<u32>,
    buf: String,
}

impl<'a> Tokenizer<'a> {
    fn new(
        lx: &'a Lexer,
        head: usize,
        title_end: usize,
        boilerplate: &'a Boilerplate,
    ) -> Tokenizer<'a> {
        Tokenizer {
            lx,
            boilerplate,
            head,
            title_end,
            skip: Vec::new(),
            seq: Vec::with_capacity(lx.words.len() + 4),
            title: Vec::with_capacity(16),
            body: Vec::with_capacity(48),
            names: Vec::new(),
            networks: Vec::new(),
            counted: Vec::new(),
            counted_body: Vec::new(),
            dates: Vec::new(),
            buf: String::new(),
        }
    }

    /// The word range (title head, suffix or summary) word `i` belongs to.
    fn range(&self, i: usize) -> (usize, usize) {
        if i < self.head {
            (0, self.head)
        } else if i < self.title_end {
            (self.head, self.title_end)
        } else {
            (self.title_end, self.lx.words.len())
        }
    }

    fn run(&mut self) {
        self.find_dates();
        let mut i = 0;
        while i < self.lx.words.len() {
            i += self.word(i);
        }
    }

    /// Calendar dates: a month word next to a day number ("September 20", "20 Sept"), and a
    /// year right after. Their words become one date token (in the title) and no words.
    fn find_dates(&mut self) {
        let lx = self.lx;
        for i in 0..lx.words.len() {
            // Month names start with one of these letters: most words need no lookup.
            if !matches!(
                lx.buf.as_bytes()[lx.words[i].start as usize],
                b'a' | b'd' | b'f' | b'j' | b'm' | b'n' | b'o' | b's'
            ) {
                continue;
            }
            let (lo, hi) = self.range(i);
            let Some(month) = lx.word(i, 0, lo, hi).and_then(month_of) else {
                continue;
            };
            let day = |d: isize| {
                lx.word(i, d, lo, hi)
                    .filter(|w| w.len() <= 2)
                    .and_then(|w| w.parse::<u32>().ok())
                    .filter(|d| (1..=31).contains(d))
            };
            let (first, last, d) = match (day(-1), day(1)) {
                (Some(d), _) if !self.skipped(i - 1) => (i - 1, i, d),
                (_, Some(d)) => (i, i + 1, d),
                _ => continue,
            };
            let year = lx.word(last, 1, lo, hi).is_some_and(|w| {
                w.len() == 4 && w.parse::<u32>().is_ok_and(|y| (1900..=2100).contains(&y))
            });
            let end = if year { last + 1 } else { last };
            if self.skip.is_empty() {
                self.skip = vec![false; lx.words.len()];
            }
            for s in &mut self.skip[first..=end] {
                *s = true;
            }
            if i < self.title_end {
                self.dates.push(date_token(month, d));
            }
        }
    }

    fn skipped(&self, i: usize) -> bool {
        self.skip.get(i).copied().unwrap_or(false)
    }

    /// Reads word `i`; returns how many words it consumed.
    fn word(&mut self, i: usize) -> usize {
        let lx = self.lx;
        let w = lx.words[i];
        if self.skipped(i) || (self.head..self.title_end).contains(&i) {
            return 1;
        }
        let word = lx.text(i);
        let (lo, hi) = self.range(i);
        if w.cjk {
            let chars: Vec<char> = word.chars().collect();
            if chars.len() == 1 {
                self.push(i, hash_word(word), None);
            }
            let mut b = [0u8; 8];
            for pair in chars.windows(2) {
                let mut n = pair[0].encode_utf8(&mut b).len();
                n += pair[1].encode_utf8(&mut b[n..]).len();
                self.push(i, hash_bytes(&b[..n]), None);
            }
            return 1;
        }
        let ctx = Context {
            prev: lx.word(i, -1, lo, hi),
            next: [
                lx.word(i, 1, lo, hi),
                lx.word(i, 2, lo, hi),
                lx.word(i, 3, lo, hi),
            ],
        };
        // Trade jargon for a cancellation: "not moving forward", "not going forward".
        if word == "not"
            && matches!(ctx.next[0], Some("moving" | "going"))
            && ctx.next[1] == Some("forward")
        {
            self.push(i, hash_word("cancel"), None);
            return 3;
        }
        if let Some(t) = w.upper.then(|| abbreviation(word)).flatten() {
            self.push(i, t, None);
            return 1;
        }
        let tokens = tokens_of(word, &ctx, &mut self.buf);
        if i < self.head && crate::vocab::is_network(word) {
            self.networks.extend(tokens.iter().flatten());
        }
        // S2E5 counts a season and an episode; other numbers what a counted word next to
        // them names.
        let kinds = if !tokens.iter().flatten().any(|&t| is_number(t)) {
            [None; 3]
        } else if tokens[0] == Some(season_token()) {
            [None, Some(SEASON), Some(EPISODE)]
        } else {
            [ctx.counts(); 3]
        };
        for (t, kind) in tokens.into_iter().zip(kinds) {
            if let Some(t) = t {
                self.push(i, t, kind.filter(|_| is_number(t)));
            }
        }
        1
    }

    fn push(&mut self, i: usize, t: u32, counted: Option<u8>) {
        if i >= self.title_end && self.boilerplate.has(t) {
            return;
        }
        self.seq.push(t);
        if i < self.head {
            if self.title.len() < MAX_TITLE_TOKENS {
                self.title.push(t);
            }
            if self.lx.words[i].quoted {
                self.names.push(t);
            }
            if let Some(kind) = counted {
                self.counted.push(counted_token(kind, t));
            }
        } else {
            if let Some(kind) = counted {
                self.counted_body.push(counted_token(kind, t));
            }
            if self.body.len() < MAX_BODY_TOKENS * 2 {
                self.body.push(t);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::hash::{is_year, NUMBER};
    use super::*;

    const NONE: &[&str] = &[];

    fn fp(title: &str) -> Fingerprint {
        fingerprint(title, "", &[], NONE)
    }

    fn words(s: &str) -> Vec<u32> {
        fp(s).title
    }

    fn tok(w: &str) -> u32 {
        let mut b = String::new();
        tokens_of(w, &Context::default(), &mut b)[0].unwrap()
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
        assert!(words("Opens to $43M").contains(&(NUMBER | 43_000_000)));
        assert!(words("1,000 Episodes").contains(&(NUMBER | 1000)));
        // A time is no figure; a decimal (a rating) is one.
        let t = words("Episode 11 at 11:30 PM");
        assert_eq!(t.iter().filter(|&&t| is_number(t)).count(), 1, "{t:?}");
        assert!(words("rated 9.9")
            .iter()
            .any(|&t| is_number(t) && !is_year(t)));
        assert_ne!(words("rated 9.9"), words("rated 10.2"));
        assert_ne!(words("season 2"), words("season 3"));
        assert!(is_year(NUMBER | 2025) && !is_year(NUMBER | 3));
        // A figure written two ways, a cardinal spelled out.
        assert!(words("Philippines logs 18,937 new cases").contains(&(NUMBER | 18_937)));
        assert!(words("active tally at 176K").contains(&(NUMBER | 176_000)));
        assert!(words("18.9K new cases").contains(&(NUMBER | 18_900)));
        assert!(words("a 1.2 million loan").contains(&(NUMBER | 1_200_000)));
        assert!(words("At least eight dead").contains(&(NUMBER | 8)));
        // A figure in words with a scale, and with a unit letter: one figure.
        let five_m = NUMBER | 5_000_000;
        assert!(words("Five million Lotto winner").contains(&five_m));
        assert!(words("$5m Lotto ticket").contains(&five_m));
        assert!(words("$5 million winning ticket").contains(&five_m));
        assert!(!words("One of the best").contains(&(NUMBER | 1)));
    }

    #[test]
    fn counted_numbers_and_dates() {
        let season = |n| counted_token(SEASON, n);
        assert_eq!(fp("Wednesday Season 2 trailer").counted, vec![season(2)]);
        assert_eq!(
            fp("Wednesday Second Season trailer").counted,
            vec![season(2)]
        );
        assert_eq!(
            fp("Auckland to alert level 3").counted,
            vec![counted_token(6, 3)]
        );
        assert_eq!(
            fp("S02E05 recap").counted,
            vec![counted_token(EPISODE, 5), season(2)]
        );
        assert_eq!(counted_number(season(2)), NUMBER | 2);
        assert!(fp("11 new Covid cases").counted.is_empty());
        let a = fp("Balitanghali Express: September 20, 2021 [HD]");
        let b = fp("HaPinay | TeleRadyo (20 September 2021)");
        assert_eq!(a.dates, b.dates);
        assert_eq!(a.dates.len(), 1);
        assert!(!a.title.contains(&(NUMBER | 20)) && !a.title.contains(&(NUMBER | 2021)));
        assert_ne!(
            a.dates,
            fp("Balitanghali Express: September 19, 2021").dates
        );
        assert!(fp("Theresa May meets 20 MPs").dates.is_empty());
    }

    #[test]
    fn programme_suffixes_and_boilerplate_are_left_out() {
        let a = fp("Ambo makes landfall over Eastern Samar | ANC");
        assert_eq!(a.title, words("Ambo makes landfall over Eastern Samar"));
        let b = fingerprint(
            "Lava pours from volcano",
            "Thousands flee. - Subscribe to our channel: http://aje.io/x - Follow us",
            &[],
            NONE,
        );
        assert_eq!(
            b.body,
            fingerprint("Lava pours from volcano", "Thousands flee.", &[], NONE).body
        );
        let subscribers = "The channel has a million subscribers, and a new host.";
        assert_eq!(lead(subscribers), subscribers);
        assert_eq!(lead("News. Subscribe: x"), "News. ");
        assert_eq!(lead("See https://x.example and www.y.example"), "See ");
        assert_eq!(lead("subscribe"), "");
    }

    #[test]
    fn pieces_come_from_the_headline() {
        assert_eq!(
            fp("Canada election: What you need to know about the campaign").piece,
            EXPLAINER
        );
        assert_eq!(
            fp("Ted Lasso: What's the big deal about the comedy?").piece,
            EXPLAINER
        );
        assert_eq!(fp("Silver Ferns v England live - first test").piece, LIVE);
        assert_eq!(fp("Highlights From the Convention: Night 4").piece, ROUNDUP);
        assert_eq!(fp("Gunman opens fire at Russian university").piece, 0);
        assert_eq!(fp("Lives saved as river rises").piece, 0);
        assert_eq!(fp("Mayor calls for shift to level 3").piece, REACTION);
        assert_eq!(
            fp("'Calculated risk': Experts react to the move").piece,
            REACTION
        );
    }

    #[test]
    fn possessives_quotes_and_accents() {
        assert_eq!(words("Netflix's Wednesday"), words("Netflix Wednesday"));
        assert_eq!(words("Pokémon Horizons"), words("Pokemon horizons"));
        let severance = fp("‘Severance’ Renewed for Season 3 at Apple");
        assert_eq!(severance.quoted, vec![tok("severance")]);
        // The network is a name too, not a quoted title.
        let mut both = vec![tok("severance"), tok("apple")];
        both.sort_unstable();
        assert_eq!(severance.names, both);
        assert_eq!(
            fp("Kim Soo Hyun Joins “Queen Of Tears”").names.len(),
            2,
            "queen, tears"
        );
        assert_eq!(fp("Kim Soo Hyun Joins “Queen of Tears”").names.len(), 2);
        assert_eq!(fp("'Love & Hip Hop: Atlanta' star arrested").names.len(), 4);
        assert!(
            fp("Don't Miss 'It").names.is_empty(),
            "an unclosed quote is no quote"
        );
        // Quoted speech is no name.
        assert!(fp("Biden vows to end 'chapter of American darkness'")
            .names
            .is_empty());
        assert!(fp("'Calculated risk': Experts react").names.is_empty());
        let fp = fingerprint("Severance", "", &["all-of-us-are-dead"], NONE);
        assert_eq!(fp.names, vec![tok("dead")]);
        assert_eq!(fp.shows, vec![show_hash("all-of-us-are-dead")]);
    }

    #[test]
    fn kinds_come_from_the_tagger() {
        let k = |kinds: &[&str]| fingerprint("x", "", &[], kinds).kinds;
        assert_eq!(k(&["renewal"]), 4);
        assert_eq!(k(&["trailer", "release-date"]), 1 | 16);
        assert_eq!(k(&["review"]), k(&["recap"]));
        assert_eq!(k(&["no-such-kind"]), 0);
    }

    #[test]
    fn hangul_becomes_bigrams() {
        let a = fp("지금 우리 학교는 시즌2 제작 확정");
        let b = fp("지금 우리 학교 시즌2 확정");
        let shared = a.title.iter().filter(|t| b.title.contains(t)).count();
        assert!(shared >= 5, "{shared}");
    }

    #[test]
    fn simhash_is_stable_under_small_edits() {
        let s = "Apple TV+ has renewed Severance for a third season, the streamer announced \
                 Thursday, one day ahead of the Season 2 finale. Ben Stiller will return.";
        let a = fingerprint(
            "'Severance' Renewed for Season 3 at Apple TV+",
            s,
            &[],
            NONE,
        );
        let b = fingerprint(
            "'Severance' Renewed for Season 3 at Apple TV+ (Exclusive)",
            s,
            &[],
            NONE,
        );
        assert!((a.simhash ^ b.simhash).count_ones() <= 3);
        let c = fingerprint(
            "'Shrinking' Renewed for Season 3 at Apple TV+",
            "Jason Segel.",
            &[],
            NONE,
        );
        assert!((a.simhash ^ c.simhash).count_ones() > 3);
    }

    #[test]
    fn long_and_odd_input_is_bounded() {
        let long = "word ".repeat(10_000) + &"x".repeat(100_000);
        let fp = fingerprint(&long, &long, &["a-b"], NONE);
        assert!(fp.title.len() <= MAX_TITLE_TOKENS && fp.body.len() <= MAX_BODY_TOKENS);
        let fp = fingerprint("", "", &[], NONE);
        assert!(fp.is_empty());
        fingerprint("\u{0}'\"“‘’”'", "s's 's' '", &["", "-"], NONE);
        fingerprint(" | ", "http", &[], NONE);
        fingerprint("May 3 | 4 May", "Sept 31 2021 2022", &[], NONE);
    }
}
