//! Words to tokens: stop words and headline filler dropped, numbers read as numbers in every
//! spelling, months and synonyms folded, light suffix stemming.

use std::sync::OnceLock;

use super::hash::{hash_word, number, number_value, NUMBER};
use super::FxMap;

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

/// Number words. The cardinals from two on are numbers wherever they stand ("eight dead" is
/// "8 dead"); "one" and the ordinals only next to a word that counts (`season two`,
/// `second season`): "first look" or "one of" are not numbers.
const NUMBER_WORDS: &[(&str, u32)] = &[
    ("eight", 8),
    ("eighth", 8),
    ("eleven", 11),
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
    ("twelve", 12),
    ("twenty", 20),
    ("two", 2),
];

/// Whether a number word is a number wherever it stands (a cardinal from two on).
fn always_number(w: &str) -> bool {
    !w.ends_with("th")
        && !matches!(
            w,
            "one" | "first" | "second" | "third" | "fifth" | "eighth" | "ninth"
        )
}

/// Words that a number counts (`season two`, `second season`, `level 3`), each with the
/// kind of thing counted (a season and a series are one kind). Sorted.
const COUNTED: &[(&str, u8)] = &[
    ("book", 1),
    ("chapter", 2),
    ("chapters", 2),
    ("cour", 3),
    ("episode", 4),
    ("episodes", 4),
    ("installment", 5),
    ("level", 6),
    ("levels", 6),
    ("number", 7),
    ("part", 8),
    ("parts", 8),
    ("phase", 9),
    ("round", 10),
    ("season", 11),
    ("seasons", 11),
    ("series", 11),
    ("stage", 12),
    ("tier", 13),
    ("volume", 14),
    ("volumes", 14),
];

/// The kind of thing counted in `S2E5`: a season, and an episode.
pub(super) const SEASON: u8 = 11;
/// See [`SEASON`].
pub(super) const EPISODE: u8 = 4;

/// Month names and abbreviations, with the month's number. Sorted.
pub(super) const MONTHS: &[(&str, u32)] = &[
    ("apr", 4),
    ("april", 4),
    ("aug", 8),
    ("august", 8),
    ("dec", 12),
    ("december", 12),
    ("feb", 2),
    ("february", 2),
    ("jan", 1),
    ("january", 1),
    ("jul", 7),
    ("july", 7),
    ("jun", 6),
    ("june", 6),
    ("march", 3),
    ("may", 5),
    ("nov", 11),
    ("november", 11),
    ("oct", 10),
    ("october", 10),
    ("sep", 9),
    ("sept", 9),
    ("september", 9),
];

/// The spelled-out month of each month number (the token every spelling of it gets).
const MONTH_TOKENS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The number of a month word (`sept`, `September`), if it is one.
pub(super) fn month_of(w: &str) -> Option<u32> {
    static MAP: OnceLock<FxMap<u128, u32>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        MONTHS
            .iter()
            .filter_map(|(m, n)| Some((pack(m)?, *n)))
            .collect()
    });
    map.get(&pack(w)?).copied()
}

/// What a counted word (`season`, `episodes`, `level`) counts, if it is one.
fn counted_kind(w: &str) -> Option<u8> {
    static MAP: OnceLock<FxMap<u128, u8>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        COUNTED
            .iter()
            .filter_map(|(c, k)| Some((pack(c)?, *k)))
            .collect()
    });
    map.get(&pack(w)?).copied()
}

/// Words that mean the same in a headline, to the stem of one of them. Sorted.
const SYNONYMS: &[(&str, &str)] = &[
    ("arrest", "arrest"),
    ("arrested", "arrest"),
    ("arrests", "arrest"),
    ("axe", "cancel"),
    ("axed", "cancel"),
    ("axes", "cancel"),
    ("british", "britain"),
    ("cancelation", "cancel"),
    ("cancellation", "cancel"),
    ("coronavirus", "covid"),
    ("dead", "die"),
    ("death", "die"),
    ("deaths", "die"),
    ("detained", "arrest"),
    ("die", "die"),
    ("died", "die"),
    ("dies", "die"),
    ("dying", "die"),
    ("fatalities", "die"),
    ("filipino", "philippin"),
    ("filipinos", "philippin"),
    ("finale", "finale"),
    ("finales", "finale"),
    ("govt", "government"),
    ("gunfire", "shoot"),
    ("gunman", "shoot"),
    ("gunmen", "shoot"),
    ("kill", "die"),
    ("killed", "die"),
    ("killing", "die"),
    ("killings", "die"),
    ("kills", "die"),
    ("renewal", "renew"),
    ("scrap", "cancel"),
    ("scrapped", "cancel"),
    ("scraps", "cancel"),
    ("shooter", "shoot"),
    ("shooting", "shoot"),
    ("shootings", "shoot"),
    ("shot", "shoot"),
    ("usa", "americ"),
];

/// Abbreviations written in capitals, some of them stop words in lower case (`US`), to the
/// stem of the word they stand for. Sorted.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("eu", "europ"),
    ("nz", "zealand"),
    ("ph", "philippin"),
    ("pm", "prime"),
    ("uk", "britain"),
    ("un", "nation"),
    ("us", "americ"),
];

/// The token of an abbreviation written in capitals (`US`, `UK`, `PM`), if it is one.
pub(super) fn abbreviation(w: &str) -> Option<u32> {
    ABBREVIATIONS
        .binary_search_by(|(a, _)| a.cmp(&w))
        .ok()
        .map(|i| hash_word(&stemmed(ABBREVIATIONS[i].1)))
}

/// `w` as [`stem`] leaves it: what a synonym or an abbreviation stands for is hashed the
/// way the words it stands for are (`PH` and `Philippines`, `PM` and `prime`).
fn stemmed(w: &str) -> String {
    let mut s = w.to_owned();
    stem(&mut s);
    s
}

/// What a word is before stemming, when it is not an ordinary word.
#[derive(Clone, Copy)]
enum Special {
    Stop,
    NumberWord(u32),
    Token(u32),
}

/// A word of at most 16 bytes as one integer key (no string compare on lookup).
pub(super) fn pack(w: &str) -> Option<u128> {
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
        for (w, n) in MONTHS {
            put(w, Special::Token(hash_word(MONTH_TOKENS[*n as usize - 1])));
        }
        for (w, to) in SYNONYMS {
            // A target that is a synonym itself (`finale`) is its own token, kept apart
            // from what its stem would be (`final`).
            let own = SYNONYMS.binary_search_by(|(k, _)| k.cmp(to)).is_ok();
            let token = if own {
                hash_word(to)
            } else {
                hash_word(&stemmed(to))
            };
            put(w, Special::Token(token));
        }
        m
    });
    map.get(&pack(w)?).copied()
}

/// Whether `w` is a stop word (or headline filler).
pub(super) fn is_stop(w: &str) -> bool {
    matches!(special(w), Some(Special::Stop))
}

/// The words around a word, within its title or its summary.
#[derive(Default)]
pub(super) struct Context<'a> {
    pub(super) prev: Option<&'a str>,
    pub(super) next: [Option<&'a str>; 3],
}

impl Context<'_> {
    /// What a number here counts, if anything: `season two`, `second season`, `level 3`,
    /// `third and final season`, `two parts`.
    pub(super) fn counts(&self) -> Option<u8> {
        let counted = counted_kind;
        if let Some(kind) = self.prev.and_then(counted) {
            return Some(kind);
        }
        for w in self.next.iter() {
            match w {
                Some(w) if counted(w).is_some() => return counted(w),
                Some(w) if COUNT_FILLERS.contains(w) => continue,
                _ => return None,
            }
        }
        None
    }

    /// The factor a following word multiplies a number by ("1.2 million").
    fn scale(&self) -> Option<f64> {
        match self.next[0]? {
            "thousand" => Some(1e3),
            "million" | "millions" => Some(1e6),
            "billion" | "billions" => Some(1e9),
            _ => None,
        }
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

/// The tokens of one word: at most three.
pub(super) type Tokens = [Option<u32>; 3];

/// The tokens of one lower-cased word: none (stop words), one, or up to three (`s2e5` gives
/// `season`, 2 and 5).
pub(super) fn tokens_of(word: &str, ctx: &Context<'_>, buf: &mut String) -> Tokens {
    let mut out = [None; 3];
    let bytes = word.as_bytes();
    if bytes.is_empty() {
        return out;
    }
    if bytes[0].is_ascii_digit() {
        if let Some(t) = digit_tokens(word, ctx) {
            return t;
        }
    }
    if let Some(t) = season_tokens(word) {
        return t;
    }
    match special(word) {
        Some(Special::NumberWord(n)) => {
            if let (Some(f), true) = (ctx.scale(), always_number(word)) {
                // "five million" is 5,000,000, as "$5m" and "5 million" are.
                out[0] = Some(number_value((f64::from(n) * f).round() as u64));
            } else if ctx.counts().is_some() || always_number(word) {
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
    // COVID-19 reads as Covid: the number of a name is no figure.
    let letters = word.bytes().take_while(u8::is_ascii_lowercase).count();
    if letters >= 2
        && letters < word.len()
        && word.bytes().skip(letters).all(|b| b.is_ascii_digit())
    {
        return tokens_of(&word[..letters], ctx, buf);
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

/// Set on a decimal figure's token (above any count's value).
const DECIMAL: u32 = 1 << 30;

/// The multiplier a unit letter stands for: `18.9K`, `$43M`, `$14bn`.
fn unit_scale(unit: &str) -> Option<f64> {
    match unit {
        "k" => Some(1e3),
        "m" | "mn" => Some(1e6),
        "b" | "bn" => Some(1e9),
        _ => None,
    }
}

/// A word that starts with a digit: `2`, `2nd`, `1,000`, `18.9K`, `$43M`, `9pm`, `11:30`.
fn digit_tokens(word: &str, ctx: &Context<'_>) -> Option<Tokens> {
    let mut out = [None; 3];
    let bytes = word.as_bytes();
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let (lead, rest) = word.split_at(digits);
    if rest.is_empty() {
        out[0] = Some(scaled(lead, ctx.scale()));
        return Some(out);
    }
    // 2nd, 3rd, 5th, 21st.
    if matches!(rest, "st" | "nd" | "rd" | "th") {
        out[0] = Some(number(lead));
        return Some(out);
    }
    // $43M, 4K, 9pm: the number (scaled by a unit), and the unit when it is another word.
    if rest.bytes().all(|b| b.is_ascii_lowercase()) {
        out[0] = Some(scaled(lead, unit_scale(rest)));
        if rest.len() > 1 && unit_scale(rest).is_none() && !is_stop(rest) {
            out[1] = Some(hash_word(rest));
        }
        return Some(out);
    }
    // 1,000 and 18,937: a count.
    let figure: String = word.chars().filter(|c| *c != ',').collect();
    if rest.starts_with(',') && figure.bytes().all(|b| b.is_ascii_digit()) {
        out[0] = Some(scaled(&figure, ctx.scale()));
        return Some(out);
    }
    // 18.9K, 1.2 million: a rounded count; 11:30 and 9.9 are times and measures.
    let unit_at = rest
        .find(|c: char| c.is_ascii_lowercase())
        .unwrap_or(rest.len());
    let (dec, unit) = rest.split_at(unit_at);
    if dec.len() > 1 && dec.starts_with('.') && dec[1..].bytes().all(|b| b.is_ascii_digit()) {
        let factor = if unit.is_empty() {
            ctx.scale()
        } else {
            unit_scale(unit)
        };
        if let (Some(f), Ok(v)) = (factor, format!("{lead}{dec}").parse::<f64>()) {
            out[0] = Some(number_value((v * f).round() as u64));
            return Some(out);
        }
    }
    // 9.9 (percent): a figure, with no value to compare; 11:30: a time, a word.
    if dec.len() > 1 && dec.starts_with('.') && dec[1..].bytes().all(|b| b.is_ascii_digit()) {
        out[0] = Some(NUMBER | DECIMAL | (hash_word(word) & (DECIMAL - 1)));
        return Some(out);
    }
    if rest
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b':' | b'.' | b','))
    {
        out[0] = Some(hash_word(word));
        return Some(out);
    }
    None
}

/// A string of digits times an optional factor, as a number token.
fn scaled(digits: &str, factor: Option<f64>) -> u32 {
    match (factor, digits.parse::<u64>()) {
        (Some(f), Ok(n)) => number_value((n as f64 * f).round() as u64),
        _ => number(digits),
    }
}

/// S2, S02, S2E5, S02E05.
fn season_tokens(word: &str) -> Option<Tokens> {
    let bytes = word.as_bytes();
    if bytes[0] != b's' || bytes.len() < 2 || !bytes[1].is_ascii_digit() {
        return None;
    }
    let rest = &word[1..];
    let d = rest.bytes().take_while(u8::is_ascii_digit).count();
    let tail = &rest[d..];
    let mut out = [None; 3];
    out[0] = Some(hash_word("season"));
    out[1] = Some(number(&rest[..d]));
    if tail.is_empty() {
        return Some(out);
    }
    let ep = tail.strip_prefix('e')?;
    if ep.is_empty() || !ep.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    out[2] = Some(number(ep));
    Some(out)
}

/// Light suffix stripping, the same on every side: consistency matters, not linguistics.
/// Spelling and transliteration variants of names fold too (see [`fold_spelling`]).
pub(super) fn stem(w: &mut String) {
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
    if w.len() >= 7 && w.ends_with("ion") && !w.ends_with("llion") {
        // eruption, erupted; election, elected; evacuation, evacuated.
        w.truncate(w.len() - 3);
    }
    fold_spelling(w);
    fold_place(w);
    if w.ends_with('e') && w.len() >= 5 {
        w.pop();
    }
}

/// A place and the word for its people alike: `Russia`, `Russian`; `Haiti`, `Haitian`;
/// `Israel`, `Israeli`; `Canada`, `Canadian` (cut to a common stem).
fn fold_place(w: &mut String) {
    if w.len() < 5 {
        return;
    }
    for (end, keep) in [
        ("ian", 0),
        ("ean", 1),
        ("an", 0),
        ("ia", 0),
        ("a", 0),
        ("i", 0),
    ] {
        if w.len() > end.len() + 3 && w.ends_with(end) {
            w.truncate(w.len() - end.len() + keep);
            return;
        }
    }
}

/// Spelling and transliteration variants of one name, as outlets romanize it differently:
/// doubled letters count once (`Zelenskyy`), `ks` is `x` (`Aleksei`, `Alexei`), `kh` is `h`
/// (`Mikhail`, `Mihail`; `Kharkiv`, `Harkiv`), and the endings `-iy`, `-yi` (`Zelenskiy`,
/// `Zelenskyi`) and `-ski` (`Zelenski`) are `-y`, `-ei` and `-ej` are `-ey` (`Alexei`,
/// `Alexey`), `-off` is `-ov` (`Rachmaninoff`). Run before the place and `-e` folds, which
/// would otherwise cut the variants differently. English words are changed the same way on
/// every side (only which words share a token matters).
fn fold_spelling(w: &mut String) {
    let doubled = w
        .as_bytes()
        .windows(2)
        .any(|p| p[0] == p[1] && p[0].is_ascii_alphabetic());
    if doubled {
        let mut prev = '\0';
        w.retain(|c| {
            let keep = c != prev || !c.is_ascii_alphabetic();
            prev = c;
            keep
        });
    }
    if w.len() < 5 {
        return;
    }
    if w.contains("ks") {
        *w = w.replace("ks", "x");
    }
    if w.contains("kh") {
        *w = w.replace("kh", "h");
    }
    for (end, to) in [
        ("iy", "y"),
        ("yi", "y"),
        ("ski", "sky"),
        ("ei", "ey"),
        ("ej", "ey"),
        ("of", "ov"),
    ] {
        if w.len() >= 5 && w.ends_with(end) {
            w.truncate(w.len() - end.len());
            w.push_str(to);
            break;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn tok(w: &str) -> u32 {
        let mut b = String::new();
        tokens_of(w, &Context::default(), &mut b)[0].unwrap()
    }

    #[test]
    fn tables_are_sorted() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(NUMBER_WORDS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(COUNTED.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(MONTHS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(SYNONYMS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(ABBREVIATIONS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn stems_fold_inflections_and_spellings() {
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
            ("zelenskyy", "zelensky"),
            ("zelenskiy", "zelensky"),
            ("zelenskyi", "zelensky"),
            ("zelenski", "zelensky"),
            ("zelenskii", "zelenskyy"),
            ("navalniy", "navalny"),
            ("alexei", "alexey"),
            ("aleksei", "alexei"),
            ("aleksey", "alexey"),
            ("mikhail", "mihail"),
            ("kharkiv", "harkiv"),
            ("rachmaninoff", "rachmaninov"),
            ("sept", "september"),
        ] {
            assert_eq!(tok(a), tok(b), "{a} vs {b}");
        }
        assert_ne!(tok("trailer"), tok("teaser"));
        assert_ne!(tok("zelensky"), tok("zelenska"), "another person");
        assert_ne!(tok("kyiv"), tok("kiev"), "not a spelling fold");
        // What a synonym or abbreviation stands for is read like the word itself.
        let ph = abbreviation("ph").unwrap();
        assert_eq!(ph, tok("philippines"));
        assert_eq!(tok("filipinos"), tok("philippines"));
        assert_eq!(abbreviation("pm").unwrap(), tok("prime"));
        assert_eq!(abbreviation("us").unwrap(), tok("american"));
        assert_ne!(tok("final"), tok("finale"));
        assert_eq!(month_of("sept"), Some(9));
        assert_eq!(month_of("may"), Some(5));
        assert_eq!(month_of("mayday"), None);
    }
}
