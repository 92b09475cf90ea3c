//! Season and episode references in a normalized word stream.
//!
//! Recognized (after normalization, so case, accents and punctuation between the words do
//! not matter: `Season 2:`, `season 2,`, `season “2”`, `season 2 — episode 5`):
//!
//! - `season 2`, `season two`, `second season`, `2nd season`, `third and final season`,
//!   `season 2 episode 5`, `season 2, ep. 5`, `seasons 1 and 2`, UK `series 2`, glued
//!   `Season4` and `#Season2`;
//! - compact forms `S2`, `S02E05`, `S2 E5`, `2x05` (these only count right after a show name);
//! - German `Staffel 2`, `2. Staffel`, `zweite Staffel`, `Folge 5`; French `saison 2`,
//!   `deuxième saison`, `épisode 5`; Spanish and Portuguese `temporada 2`, `segunda
//!   temporada`, `capítulo 5`; Italian `stagione 2`, `seconda stagione`, `episodio 5`;
//! - Turkish `Sezon 2`, `2. Sezon`, `Bölüm 5`, `5. Bölüm`, `69. Blm`;
//! - Korean `시즌2`, `시즌 2`, `5화`, `5회` (not the edition `제58회` nor the count `2회 연속`); Japanese `第2期`, `2期`, `第2シーズン`, `シーズン2`,
//!   `第5話`; Chinese `第二季`, `第5集`;
//! - episode-only forms `episode 5`, `ep 5`, `Folge 5`, `第5話`, `episodes 69 to 102` (its two
//!   ends), German `die siebte »Name«-Staffel` (a season); the caller attaches them to a
//!   season when the show has exactly one, else they are absolute episode numbers;
//! - release names (the forms Sonarr's title parser reads): `S02E05E06` (the first),
//!   absolute numbers `E334`, `EP07`, `#07` (zero-padded or before a bracket), and a number
//!   after a spaced dash before a bracket, a version, a release tag or the end of the title
//!   (`[Group] Name - 1085 [1080p]`, `Name - 07 (TBS)`, `Name - 12v2 [720p]`,
//!   `Name_-_24_(BD)`, not a year) or another spaced dash and the episode's title
//!   (`Name - 031 - Title`), and after a compact season (`Name S2 - 01 [720p]`, s2e1); a
//!   version or part letter after the episode (`S02E01v2`, `S06E01b`), zero-padded seasons
//!   (`S010E16`), and a scene release's dotted number before a release tag
//!   (`Name.103.720p.HDTV` is s1e3, `Name.1013.720p` s10e13); compact like `S2`; a bare
//!   number closing the name after a compact season (`Name S21 999`), and a daily soap's
//!   long episode after one (`S41E10478`, `S41 E10478`, up to 99,999).
//!
//! Seasons run 1 to 60 and episodes 1 to 2000, so years (`the 2024 season`) never count.

use super::text::{Flags, Norm};

const MAX_SEASON: u32 = 60;
const MAX_EPISODE: u32 = 2000;
/// A daily soap's episode after its compact season (`S41E10478`, `S38 E8800`).
const MAX_SOAP_EPISODE: u32 = 99_999;

/// One reference found in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ref {
    /// First word of the reference.
    pub first: usize,
    /// Last word of the reference (inclusive).
    pub last: usize,
    /// The season, `None` for an episode-only reference.
    pub season: Option<u32>,
    /// The episode, if named.
    pub episode: Option<u32>,
    /// A compact form (`S2`, `S02E05`, `2x05`) that only binds to a name right before it.
    pub compact: bool,
}

/// Appends every reference in `norm` to `out`, in order.
pub(crate) fn parse(norm: &Norm, out: &mut Vec<Ref>) {
    parse_outside(norm, |_| false, out);
}

/// [`parse`], where no reference starts at a word for which `inside` is true (a word of a
/// show's name: "Anime Series - 05" is episode 5 of Anime Series, not series 5). The words
/// after it are read as usual.
pub(crate) fn parse_outside(norm: &Norm, inside: impl Fn(usize) -> bool, out: &mut Vec<Ref>) {
    let mut i = 0;
    while i < norm.words.len() {
        i = if inside(i) {
            i + 1
        } else {
            parse_at(norm, i, out).unwrap_or(i + 1)
        };
    }
}

/// The reference(s) starting at word `i`, pushed to `out`; the index after them, or `None`
/// when no reference starts there.
fn parse_at(norm: &Norm, i: usize, out: &mut Vec<Ref>) -> Option<usize> {
    let w = |k: usize| norm.word_or_empty(k);
    let found = match w(i) {
        "season" | "staffel" | "saison" | "temporada" | "stagione" | "series" | "sezon" => {
            number(norm, i + 1)
        }
        "seasons" | "staffeln" | "saisons" | "temporadas" | "stagioni" => {
            let start = out.len();
            let end = season_list(norm, i, out);
            return (out.len() > start).then_some(end);
        }
        "episodes" | "episoden" | "folgen" | "episodios" | "episodi" => {
            return episode_list(norm, i, out)
        }
        // 시즌 N (Korean), シーズン N (Japanese).
        "시" if w(i + 1) == "즌" => number(norm, i + 2),
        "シ" if w(i + 1) == "ー" && w(i + 2) == "ズ" && w(i + 3) == "ン" => number(norm, i + 4),
        // 第N期, 第N季, 第Nシーズン; 第N話 / 第N集 / 第N回 are episodes.
        "第" => match cjk_counter(norm, i + 1)? {
            (v, next, Unit::Season) => Some((v, next)),
            (v, next, Unit::Episode) => {
                push_episode(out, i, next - 1, v, false);
                return Some(next);
            }
        },
        "episode" | "ep" | "folge" | "episodio" | "capitulo" | "bolum" => {
            let (e, next) = number(norm, i + 1)?;
            push_episode(out, i, next - 1, e, false);
            return Some(next);
        }
        _ => {
            if let Some(season) = glued_season(w(i)) {
                return season_ref(norm, i, season, i + 1, out);
            }
            if let Some(r) = compact(norm, i)
                .or_else(|| absolute(norm, i))
                .or_else(|| dotted_number(norm, i))
            {
                out.push(r);
                return Some(r.last + 1);
            }
            return ordinal_unit(norm, i, out);
        }
    };
    let (season, next) = found?;
    season_ref(norm, i, season, next, out)
}

/// A season `season` named by words `first..next`, with the episode that may follow it.
fn season_ref(
    norm: &Norm,
    first: usize,
    season: u32,
    next: usize,
    out: &mut Vec<Ref>,
) -> Option<usize> {
    if !(1..=MAX_SEASON).contains(&season) {
        return None;
    }
    let (episode, end) = episode_after(norm, next).map_or((None, next), |(e, end)| (Some(e), end));
    out.push(Ref {
        first,
        last: end - 1,
        season: Some(season),
        episode,
        compact: false,
    });
    Some(end)
}

/// An episode-only reference, if `e` is in range.
fn push_episode(out: &mut Vec<Ref>, first: usize, last: usize, e: u32, compact: bool) {
    if (1..=MAX_EPISODE).contains(&e) {
        out.push(Ref {
            first,
            last,
            season: None,
            episode: Some(e),
            compact,
        });
    }
}

/// An ordinal or number before a season or counter word: `second season`, `2nd season`,
/// `zweite Staffel`, `2. Staffel`, `2期`; `5화`, `5회`, `5話` (episode only).
fn ordinal_unit(norm: &Norm, i: usize, out: &mut Vec<Ref>) -> Option<usize> {
    let n = norm.words.len();
    // `third and final season`, `dritte und letzte Staffel`, `troisième et dernière saison`:
    // the season word comes after `and final`.
    let skip = usize::from(final_between(norm, i + 1)) * 2;
    let unit = norm.word_or_empty(i + 1 + skip);
    // Only a season or counter word after it makes a word an ordinal here (or, for German,
    // a quoted title joined to `Staffel`).
    if !matches!(
        unit,
        "season"
            | "staffel"
            | "saison"
            | "temporada"
            | "stagione"
            | "sezon"
            | "sezonu"
            | "bolum"
            | "bolumu"
            | "blm"
            | "期"
            | "季"
            | "화"
            | "회"
            | "話"
    ) {
        if !norm.words.get(i + 1)?.has(Flags::OPEN_Q) {
            return None;
        }
        return match ordinal(norm.word(i))? {
            (ord, Lang::De) => german_compound(norm, i, ord, out),
            _ => None,
        };
    }
    let (ord, lang) = ordinal(norm.word(i))?;
    let same_sentence = i + 1 + skip < n
        && !norm.words[i + 1..=i + 1 + skip]
            .iter()
            .any(|w| w.has(Flags::SENT));
    let pairs = same_sentence
        && match unit {
            "season" => lang == Lang::En,
            "staffel" => matches!(lang, Lang::De | Lang::Num),
            "saison" => lang == Lang::Fr,
            "temporada" => matches!(lang, Lang::Es | Lang::Num),
            "stagione" => lang == Lang::Es,
            "sezon" | "sezonu" | "期" | "季" => lang == Lang::Num,
            _ => false,
        };
    if pairs {
        return season_ref(norm, i, ord, i + 2 + skip, out);
    }
    if skip > 0 {
        return None;
    }
    if lang == Lang::Num && matches!(unit, "화" | "회" | "話" | "bolum" | "bolumu" | "blm") {
        if unit == "회" && !korean_episode(norm, i) {
            return Some(i + 2);
        }
        // Turkish `BLM` abbreviates `Bölüm` only after an ordinal's dot (`69. Blm`,
        // `79.BLM`); after a bare number it is more likely the movement.
        if unit == "blm"
            && !norm.words[i + 1].has(Flags::SENT)
            && !norm.words[i + 1].has(Flags::DOT)
        {
            return None;
        }
        push_episode(out, i, i + 1, ord, false);
        return Some(i + 2);
    }
    None
}

/// Words `i` and `i + 1` are `and final` (`and last`, `und letzte`, `et dernière`, `y
/// última`, `e ultima`), between an ordinal and its season word.
fn final_between(norm: &Norm, i: usize) -> bool {
    matches!(norm.word_or_empty(i), "and" | "und" | "et" | "y" | "e")
        && matches!(
            norm.word_or_empty(i + 1),
            "final" | "last" | "letzte" | "derniere" | "ultima" | "ultimo"
        )
}

/// `N회` at word `i` is an episode, not an edition (`제58회 백상예술대상`, the 58th awards) nor
/// a count (`2회 연속`, twice in a row; `3회째`).
fn korean_episode(norm: &Norm, i: usize) -> bool {
    let before = i.checked_sub(1).map_or("", |k| norm.word_or_empty(k));
    let (a, b) = (norm.word_or_empty(i + 2), norm.word_or_empty(i + 3));
    before != "제" && a != "째" && !(a == "연" && b == "속")
}

/// German `die siebte »Name«-Staffel`: an ordinal, a quoted title of at most eight words,
/// then `Staffel`.
fn german_compound(norm: &Norm, i: usize, ord: u32, out: &mut Vec<Ref>) -> Option<usize> {
    let words = &norm.words;
    let open = i + 1;
    if !words.get(open)?.has(Flags::OPEN_Q) {
        return None;
    }
    let close = (open..words.len().min(open + 8)).find(|&k| words[k].has(Flags::CLOSE_Q))?;
    if norm.word_or_empty(close + 1) != "staffel"
        || words[open..=close + 1].iter().any(|w| w.has(Flags::SENT))
    {
        return None;
    }
    season_ref(norm, i, ord, close + 2, out)
}

/// `episodes 69 to 102`, `episodes 3 and 4`, `episodes 1-3`: episode-only references for the
/// ends (a range is read as its two ends, never expanded).
fn episode_list(norm: &Norm, at: usize, out: &mut Vec<Ref>) -> Option<usize> {
    let (a, next) = number(norm, at + 1)?;
    let start = out.len();
    push_episode(out, at, next - 1, a, false);
    let mut end = next;
    let joiner = norm.word_or_empty(next);
    let k = if matches!(joiner, "and" | "to" | "through" | "thru" | "bis" | "und") {
        next + 1
    } else {
        next
    };
    if let Some((b, after)) = number(norm, k).filter(|_| k > next || norm.words[k].has(Flags::NUM))
    {
        if b > a {
            push_episode(out, at, after - 1, b, false);
            end = after;
        }
    }
    (out.len() > start).then_some(end)
}

/// `seasons 1 and 2`, `seasons 1, 2 and 3`, `seasons 1-3` (a range reads as a list of its
/// ends), `seasons 1 through 4`. Returns the index after the list.
fn season_list(norm: &Norm, at: usize, out: &mut Vec<Ref>) -> usize {
    let n = norm.words.len();
    let mut i = at + 1;
    let mut nums: Vec<(u32, usize)> = Vec::new();
    let mut range_to = false;
    while i < n {
        if let Some((v, next)) = number(norm, i) {
            if !(1..=MAX_SEASON).contains(&v) {
                break;
            }
            if range_to {
                if let Some(&(from, _)) = nums.last() {
                    for s in from + 1..v.min(from + 20) {
                        nums.push((s, i));
                    }
                }
                range_to = false;
            }
            nums.push((v, i));
            i = next;
            match if i < n { norm.word(i) } else { "" } {
                "and" | "or" | "und" | "et" | "y" | "e" => i += 1,
                "to" | "through" | "thru" => {
                    range_to = true;
                    i += 1;
                }
                _ if i < n && norm.words[i].has(Flags::NUM) => {}
                _ => break,
            }
        } else {
            break;
        }
    }
    for (s, word) in nums {
        out.push(Ref {
            first: at,
            last: word,
            season: Some(s),
            episode: None,
            compact: false,
        });
    }
    i
}

/// After a season number: `episode 5`, `ep 5`, `ep5`, `e5`, `folge 5`, `5화`, `第5話`.
fn episode_after(norm: &Norm, i: usize) -> Option<(u32, usize)> {
    let n = norm.words.len();
    if i >= n || norm.words[i].has(Flags::SENT) {
        return None;
    }
    // `season 2, part 2, episode 5` is rare; only look at the very next word.
    let word = norm.word(i);
    let found = match word {
        "episode" | "ep" | "folge" | "episodio" | "capitulo" | "e" => number(norm, i + 1),
        "第" => cjk_counter(norm, i + 1)
            .and_then(|(v, next, unit)| matches!(unit, Unit::Episode).then_some((v, next))),
        _ => {
            if let Some(e) = word
                .strip_prefix("ep")
                .or_else(|| word.strip_prefix('e'))
                .and_then(small_int)
            {
                Some((e, i + 1))
            } else if norm.words[i].has(Flags::NUM)
                && matches!(norm.word_or_empty(i + 1), "화" | "회" | "話")
            {
                small_int(word).map(|e| (e, i + 2))
            } else {
                None
            }
        }
    };
    found.filter(|(e, _)| (1..=MAX_EPISODE).contains(e))
}

/// `s2`, `s02e05`, `s2 e5`, `s2 ep5`, `2x05`.
fn compact(norm: &Norm, i: usize) -> Option<Ref> {
    let word = norm.word(i);
    let b = word.as_bytes();
    if b.len() >= 2 && b[0] == b's' && b[1].is_ascii_digit() {
        let rest = &word[1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        // `S010E16`: three digits only zero-padded.
        if digits > 3 || (digits == 3 && !rest.starts_with('0')) {
            return None;
        }
        let season: u32 = rest[..digits].parse().ok()?;
        let tail = &rest[digits..];
        // A long-running show's `S87E136`: with its episode glued, no year reads like that.
        let max = if tail.is_empty() { MAX_SEASON } else { 99 };
        if !(1..=max).contains(&season) {
            return None;
        }
        let mut episode = None;
        let mut last = i;
        if !tail.is_empty() {
            // `s02e05`, and the first of `s02e05e06` / `s02e05-e06`.
            let e = tail.strip_prefix("ep").or_else(|| tail.strip_prefix('e'))?;
            let digits = e.bytes().take_while(u8::is_ascii_digit).count();
            let more = &e[digits..];
            if !(more.is_empty()
                || is_version(more)
                || matches!(more, "a" | "b")
                || more
                    .strip_prefix('e')
                    .is_some_and(|m| small_int(m).is_some()))
            {
                return None;
            }
            // A glued episode may be a daily soap's (`S42E10713`).
            episode = Some(soap_int(&e[..digits])?);
        } else if let Some((e, end)) = episode_after(norm, i + 1) {
            episode = Some(e);
            last = end - 1;
        } else if let Some(e) = spaced_soap_episode(norm, i + 1) {
            episode = Some(e);
            last = i + 1;
        } else if let Some(e) = dashed_episode(norm, i + 1)
            .or_else(|| bracketed_episode(norm, i + 1))
            .or_else(|| bare_episode(norm, i + 1))
        {
            // `Boku no Hero Academia S2 - 01 [720p]`, `Name S2 [05]`, `Name S21 999`: the
            // release's episode of that season.
            if !(1..=MAX_EPISODE).contains(&e) {
                return None;
            }
            episode = Some(e);
            last = i + 1;
        }
        return Some(Ref {
            first: i,
            last,
            season: Some(season),
            episode,
            compact: true,
        });
    }
    // 2x05: one or two digits, x, one to three digits.
    let x = word.find('x')?;
    let (s, e) = (&word[..x], &word[x + 1..]);
    if (1..=2).contains(&s.len()) && (1..=3).contains(&e.len()) {
        let season = small_int(s)?;
        let episode = small_int(e)?;
        if (1..=MAX_SEASON).contains(&season) && (1..=MAX_EPISODE).contains(&episode) {
            return Some(Ref {
                first: i,
                last: i,
                season: Some(season),
                episode: Some(episode),
                compact: true,
            });
        }
    }
    None
}

/// Absolute episode numbers of release titles, with no season: `E334`, `EP07` (one word),
/// `#07`, and a number after a spaced dash that a bracket, a version, a release tag or the
/// end of the title follows (`[Group] Name - 1085 [1080p]`, `Name - 07 (TBS)`). Compact:
/// they bind only to a name right before them.
fn absolute(norm: &Norm, i: usize) -> Option<Ref> {
    let word = norm.word(i);
    let flags = norm.words[i].flags;
    let e = if let Some(d) = word.strip_prefix("ep").or_else(|| word.strip_prefix('e')) {
        small_int(d)?
    } else if flags.contains(Flags::NUM | Flags::HASH) {
        // `#07`, or `#7 (TBS)`; not a rank (`#1 on Netflix`).
        if !(word.starts_with('0') || release_end(norm, i)) {
            return None;
        }
        small_int(word)?
    } else if flags.contains(Flags::DASH) {
        dashed_episode(norm, i)?
    } else if let Some(e) = bracketed_episode(norm, i) {
        e
    } else if flags.contains(Flags::NUM) && !flags.contains(Flags::PAREN) && fansub_title(norm, i) {
        // `[K-F] Name 214`, `[SubDESU]_Name_07_(1280x720)`: a fansub group's release.
        if word.len() < 2 || is_year(word) || !release_end(norm, i) {
            return None;
        }
        small_int(word)?
    } else {
        return None;
    };
    (1..=MAX_EPISODE).contains(&e).then_some(Ref {
        first: i,
        last: i,
        season: None,
        episode: Some(e),
        compact: true,
    })
}

/// A release title's episode number at word `i`, after a spaced dash: digits, maybe with a
/// version glued to them (`- 12v2`), that the end of the title, a bracket, a version or a
/// release tag follows (see [`release_end`]); never a year (`Name - 2016 [720p]`).
fn dashed_episode(norm: &Norm, i: usize) -> Option<u32> {
    let w = norm.words.get(i)?;
    // `Name - 031 - Episode Title [Group]`: another spaced dash opens the episode's title.
    let titled = norm
        .words
        .get(i + 1)
        .is_some_and(|n| n.has(Flags::DASH) && !n.has(Flags::SENT));
    if !w.has(Flags::DASH) || !(release_end(norm, i) || titled) {
        return None;
    }
    let word = norm.word(i);
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let (num, rest) = word.split_at(digits);
    if !(rest.is_empty() || is_version(rest)) || is_year(num) {
        return None;
    }
    small_int(num)
}

/// Digits of a daily soap's episode: one to five, up to [`MAX_SOAP_EPISODE`].
fn soap_int(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse()
        .ok()
        .filter(|e| (1..=MAX_SOAP_EPISODE).contains(e))
}

/// `E10478` as its own word after a compact season (`Name S41 E10478 - 2014-08-15`): only
/// the long numbers [`episode_after`] leaves alone.
fn spaced_soap_episode(norm: &Norm, i: usize) -> Option<u32> {
    let w = norm.words.get(i)?;
    if w.has(Flags::SENT) {
        return None;
    }
    let e = soap_int(norm.word(i).strip_prefix('e')?)?;
    (e > MAX_EPISODE).then_some(e)
}

/// A bare number that ends a release name after its compact season (`Anime Title S21 999`,
/// `Name S2 05 [720p]`): two to four digits, not a year, in the same clause.
fn bare_episode(norm: &Norm, i: usize) -> Option<u32> {
    let w = norm.words.get(i)?;
    let word = norm.word(i);
    if !w.has(Flags::NUM) || w.has(Flags::CLAUSE) || word.len() < 2 || is_year(word) {
        return None;
    }
    if !release_end(norm, i) {
        return None;
    }
    small_int(word).filter(|e| (1..=MAX_EPISODE).contains(e))
}

/// The segment word `i` is in opens with a bracketed tag in Latin letters, as fansub groups
/// name their releases (`[HorribleSubs] ...`); not a news site's `[포토]` or `[단독]`.
fn fansub_title(norm: &Norm, i: usize) -> bool {
    let Some(start) = (0..=i).rev().find(|&k| norm.words[k].has(Flags::SEG)) else {
        return false;
    };
    let first = &norm.words[start];
    start + 1 < i && first.has(Flags::PAREN) && !first.has(Flags::CJK)
}

/// A fansub release's episode alone in brackets, `[Group] Name [05][1080p]` or
/// `Name_2_[01]_[WEBRip]`: a number that opens a bracket that closes right after it; not a
/// year.
fn bracketed_episode(norm: &Norm, i: usize) -> Option<u32> {
    let opens = norm
        .words
        .get(i)?
        .flags
        .contains(Flags::NUM | Flags::PAREN | Flags::CLAUSE);
    let word = norm.word(i);
    let closes = opens
        && norm
            .words
            .get(i + 1)
            .is_none_or(|n| n.has(Flags::CLAUSE) || !n.has(Flags::PAREN));
    if !closes || is_year(word) {
        return None;
    }
    small_int(word)
}

/// A season word with its number glued to it, as release names and hashtags write it:
/// `Season4`, `Saison3`, `#Staffel2`.
fn glued_season(w: &str) -> Option<u32> {
    ["season", "saison", "staffel", "temporada", "stagione"]
        .iter()
        .find_map(|p| w.strip_prefix(p))
        .and_then(small_int)
}

/// A release's version suffix: `v2`.
fn is_version(s: &str) -> bool {
    s.strip_prefix('v').is_some_and(|v| small_int(v).is_some())
}

fn is_year(num: &str) -> bool {
    num.len() == 4 && (num.starts_with("19") || num.starts_with("20"))
}

/// A scene release's dotted season and episode in one number, `Name.103.720p.HDTV` (s1e3)
/// or `Name.1013.720p` (s10e13): three or four digits between dots, not a year, that a
/// release tag follows. Spaced numbers stay what anime releases mean by them, absolute
/// episodes (`[Group] Name 214`).
fn dotted_number(norm: &Norm, i: usize) -> Option<Ref> {
    let w = &norm.words[i];
    let next = norm.words.get(i + 1)?;
    if !(w.flags.contains(Flags::NUM | Flags::DOT) && next.has(Flags::DOT)) {
        return None;
    }
    let word = norm.word(i);
    if !(3..=4).contains(&word.len()) || is_year(word) || !is_release_tag(norm.word(i + 1)) {
        return None;
    }
    let (s, e) = word.split_at(word.len() - 2);
    let (season, episode) = (small_int(s)?, small_int(e)?);
    ((1..=MAX_SEASON).contains(&season) && episode >= 1).then_some(Ref {
        first: i,
        last: i,
        season: Some(season),
        episode: Some(episode),
        compact: true,
    })
}

/// What follows word `i` ends a release title's episode number: the end of the segment, an
/// opening bracket, a version (`v2`) or a release tag (`720p`, `HDTV`, `x264`...).
fn release_end(norm: &Norm, i: usize) -> bool {
    let Some(next) = norm.words.get(i + 1) else {
        return true;
    };
    if next.has(Flags::SEG) || (next.has(Flags::PAREN) && !norm.words[i].has(Flags::PAREN)) {
        return true;
    }
    let w = norm.word(i + 1);
    is_release_tag(w) || is_version(w)
}

/// Quality, source and codec tags of release names.
pub(crate) fn is_release_tag(w: &str) -> bool {
    matches!(
        w,
        "480p"
            | "576p"
            | "720p"
            | "1080p"
            | "1080i"
            | "2160p"
            | "4k"
            | "uhd"
            | "hdtv"
            | "pdtv"
            | "sdtv"
            | "webrip"
            | "webdl"
            | "web"
            | "bluray"
            | "bdrip"
            | "brrip"
            | "dvdrip"
            | "dvd"
            | "vostfr"
            | "hdrip"
            | "x264"
            | "x265"
            | "h264"
            | "h265"
            | "hevc"
            | "xvid"
            | "aac"
            | "mkv"
            | "mp4"
            | "repack"
            | "proper"
            | "internal"
            | "end"
            | "final"
    )
}

fn small_int(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A number at word `i` (digits or a number word in one of the supported languages, or CJK
/// numerals): its value and the index after it. Quotes around it are fine.
fn number(norm: &Norm, i: usize) -> Option<(u32, usize)> {
    if i >= norm.words.len() || norm.words[i].has(Flags::SENT) {
        return None;
    }
    let word = norm.word(i);
    if let Some(v) = small_int(word) {
        return Some((v, i + 1));
    }
    if let Some(v) = number_word(word) {
        return Some((v, i + 1));
    }
    let (v, next) = cjk_number(norm, i)?;
    Some((v, next))
}

enum Unit {
    Season,
    Episode,
}

/// After `第`: a number then 期 / 季 / シーズン (season) or 話 / 集 / 回 (episode).
fn cjk_counter(norm: &Norm, i: usize) -> Option<(u32, usize, Unit)> {
    let (v, next) = number(norm, i)?;
    match norm.word_or_empty(next) {
        "期" | "季" => Some((v, next + 1, Unit::Season)),
        "話" | "集" | "回" | "화" | "회" => Some((v, next + 1, Unit::Episode)),
        "シ" if norm.word_or_empty(next + 1) == "ー"
            && norm.word_or_empty(next + 2) == "ズ"
            && norm.word_or_empty(next + 3) == "ン" =>
        {
            Some((v, next + 4, Unit::Season))
        }
        _ => None,
    }
}

/// CJK numerals 一 to 九十九 (一, 十, 十二, 二十, 二十三).
fn cjk_number(norm: &Norm, i: usize) -> Option<(u32, usize)> {
    let digit = |w: &str| -> Option<u32> {
        Some(match w {
            "一" => 1,
            "二" => 2,
            "三" => 3,
            "四" => 4,
            "五" => 5,
            "六" => 6,
            "七" => 7,
            "八" => 8,
            "九" => 9,
            _ => return None,
        })
    };
    let a = norm.word_or_empty(i);
    if a == "十" {
        return match digit(norm.word_or_empty(i + 1)) {
            Some(d) => Some((10 + d, i + 2)),
            None => Some((10, i + 1)),
        };
    }
    let d = digit(a)?;
    if norm.word_or_empty(i + 1) == "十" {
        return match digit(norm.word_or_empty(i + 2)) {
            Some(e) => Some((d * 10 + e, i + 3)),
            None => Some((d * 10, i + 2)),
        };
    }
    Some((d, i + 1))
}

/// Cardinal number words (English, German, French, Spanish, Italian, Portuguese).
fn number_word(w: &str) -> Option<u32> {
    Some(match w {
        "one" | "eins" | "un" | "une" | "uno" | "una" | "um" => 1,
        "two" | "zwei" | "deux" | "dos" | "due" | "dois" => 2,
        "three" | "drei" | "trois" | "tres" | "tre" => 3,
        "four" | "vier" | "quatre" | "cuatro" | "quattro" | "quatro" => 4,
        "five" | "funf" | "fuenf" | "cinq" | "cinco" | "cinque" => 5,
        "six" | "sechs" | "seis" | "sei" => 6,
        "seven" | "sieben" | "sept" | "siete" | "sette" | "sete" => 7,
        "eight" | "acht" | "huit" | "ocho" | "otto" | "oito" => 8,
        "nine" | "neun" | "neuf" | "nueve" | "nove" => 9,
        "ten" | "zehn" | "dix" | "diez" | "dieci" | "dez" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        _ => return None,
    })
}

/// The language an ordinal belongs to, to pair it with the right season word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    En,
    De,
    Fr,
    /// Spanish, Portuguese and Italian.
    Es,
    /// A bare number (`2. Staffel`, `2期`).
    Num,
}

/// Ordinals: `second`, `2nd`, `zweite`, `deuxieme`, `2e`, `segunda`, `2a`, `seconda`, and a
/// plain number (`2` in `2. Staffel`, `2期`).
fn ordinal(w: &str) -> Option<(u32, Lang)> {
    if let Some(v) = small_int(w) {
        return Some((v, Lang::Num));
    }
    let digits = w.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits <= 2 {
        let lang = match &w[digits..] {
            "st" | "nd" | "rd" | "th" => Lang::En,
            "e" | "eme" | "er" | "re" | "ere" => Lang::Fr,
            "a" | "o" => Lang::Es,
            "te" => Lang::De,
            _ => return None,
        };
        return Some((w[..digits].parse().ok()?, lang));
    }
    let en = |v| Some((v, Lang::En));
    let de = |v| Some((v, Lang::De));
    let fr = |v| Some((v, Lang::Fr));
    let es = |v| Some((v, Lang::Es));
    match w {
        "first" => en(1),
        "second" => en(2),
        "third" => en(3),
        "fourth" => en(4),
        "fifth" => en(5),
        "sixth" => en(6),
        "seventh" => en(7),
        "eighth" => en(8),
        "ninth" => en(9),
        "tenth" => en(10),
        "eleventh" => en(11),
        "twelfth" => en(12),
        "thirteenth" => en(13),
        "fourteenth" => en(14),
        "fifteenth" => en(15),
        "sixteenth" => en(16),
        "seventeenth" => en(17),
        "eighteenth" => en(18),
        "nineteenth" => en(19),
        "twentieth" => en(20),
        "erste" | "ersten" => de(1),
        "zweite" | "zweiten" => de(2),
        "dritte" | "dritten" => de(3),
        "vierte" | "vierten" => de(4),
        "funfte" | "funften" | "fuenfte" => de(5),
        "sechste" | "sechsten" => de(6),
        "siebte" | "siebten" => de(7),
        "achte" | "achten" => de(8),
        "neunte" | "neunten" => de(9),
        "zehnte" | "zehnten" => de(10),
        "elfte" | "elften" => de(11),
        "zwolfte" | "zwolften" | "zwoelfte" => de(12),
        "premiere" => fr(1),
        "deuxieme" | "seconde" => fr(2),
        "troisieme" => fr(3),
        "quatrieme" => fr(4),
        "cinquieme" => fr(5),
        "sixieme" => fr(6),
        "septieme" => fr(7),
        "huitieme" => fr(8),
        "neuvieme" => fr(9),
        "dixieme" => fr(10),
        "primera" | "primer" | "prima" | "primeira" => es(1),
        "segunda" | "seconda" => es(2),
        "tercera" | "terza" | "terceira" => es(3),
        "cuarta" | "quarta" => es(4),
        "quinta" => es(5),
        "sexta" | "sesta" => es(6),
        "septima" | "settima" | "setima" => es(7),
        "octava" | "ottava" | "oitava" => es(8),
        _ => None,
    }
}

/// Season references in a plain text (tests and `suggest`).
#[cfg(test)]
pub(crate) fn refs_in(text: &str) -> Vec<(Option<u32>, Option<u32>)> {
    let norm = Norm::of(text);
    let mut out = Vec::new();
    parse(&norm, &mut out);
    out.into_iter().map(|r| (r.season, r.episode)).collect()
}

#[cfg(test)]
mod tests {
    use super::refs_in;

    fn s(n: u32) -> (Option<u32>, Option<u32>) {
        (Some(n), None)
    }
    fn se(n: u32, e: u32) -> (Option<u32>, Option<u32>) {
        (Some(n), Some(e))
    }
    fn e(e: u32) -> (Option<u32>, Option<u32>) {
        (None, Some(e))
    }

    #[test]
    fn english_forms() {
        assert_eq!(refs_in("Squid Game season 2"), [s(2)]);
        assert_eq!(refs_in("Squid Game Season Two: first look"), [s(2)]);
        assert_eq!(refs_in("the show's second season"), [s(2)]);
        assert_eq!(refs_in("its 2nd Season and 3rd season"), [s(2), s(3)]);
        assert_eq!(refs_in("Season 2, Episode 5"), [se(2, 5)]);
        assert_eq!(refs_in("season 2 — episode 5 recap"), [se(2, 5)]);
        assert_eq!(refs_in("Season 3, Ep. 7"), [se(3, 7)]);
        assert_eq!(refs_in("season “4”, and"), [s(4)]);
        assert_eq!(refs_in("seasons 1 and 2"), [s(1), s(2)]);
        assert_eq!(refs_in("seasons 1 through 3"), [s(1), s(2), s(3)]);
        assert_eq!(refs_in("Doctor Who series 14"), [s(14)]);
        assert_eq!(refs_in("episode 5"), [e(5)]);
    }

    #[test]
    fn compact_forms() {
        assert_eq!(refs_in("Squid Game S2"), [s(2)]);
        assert_eq!(refs_in("Lost S02E05"), [se(2, 5)]);
        assert_eq!(refs_in("The Bear S3 E4"), [se(3, 4)]);
        assert_eq!(refs_in("The Bear 3x04"), [se(3, 4)]);
        assert_eq!(refs_in("S4 engine, 4x4 trucks"), [s(4), se(4, 4)]);
        // Release names: a daily soap's long episode, a bare episode closing the name.
        assert_eq!(
            refs_in("The Show - S41 E10478 - 2014-08-15"),
            [se(41, 10478)]
        );
        assert_eq!(refs_in("The Show S42E10713 720p"), [se(42, 10713)]);
        assert_eq!(refs_in("Anime Title S21 999"), [se(21, 999)]);
        assert_eq!(refs_in("Name S2 05 [720p]"), [se(2, 5)]);
        assert_eq!(refs_in("Squid Game S2 2024"), [s(2)]);
        assert_eq!(refs_in("Squid Game S2 10 things to know"), [s(2)]);
        assert_eq!(refs_in("episode 10478"), []);
    }

    #[test]
    fn other_languages() {
        assert_eq!(refs_in("Dark: die zweite Staffel"), [s(2)]);
        assert_eq!(refs_in("Staffel 2, Folge 5"), [se(2, 5)]);
        assert_eq!(refs_in("die 3. Staffel startet"), [s(3)]);
        assert_eq!(refs_in("dizinin 2. sezonu"), [s(2)]);
        assert_eq!(refs_in("Dizi 2. Sezon yakında"), [s(2)]);
        assert_eq!(refs_in("Dizi 2. Sezon 5. Bölüm fragmanı"), [s(2), e(5)]);
        assert_eq!(refs_in("Sezon 3, Bölüm 12"), [s(3), e(12)]);
        assert_eq!(refs_in("Some show 69. Blm (29.10.2023) 1080p"), [e(69)]);
        assert_eq!(refs_in("Turkish show 60.Bolum (31.01.2023) 720p"), [e(60)]);
        assert_eq!(refs_in("3 BLM protesters"), []);
        assert_eq!(refs_in("la saison 2 de Lupin"), [s(2)]);
        assert_eq!(refs_in("la deuxième saison"), [s(2)]);
        assert_eq!(refs_in("la temporada 2, capítulo 3"), [se(2, 3)]);
        assert_eq!(refs_in("la segunda temporada"), [s(2)]);
        assert_eq!(refs_in("la 2ª temporada"), [s(2)]);
        assert_eq!(refs_in("la seconda stagione e la stagione 3"), [s(2), s(3)]);
        assert_eq!(refs_in("오징어 게임 시즌2"), [s(2)]);
        assert_eq!(refs_in("지금 우리 학교는 시즌 2 5화"), [se(2, 5)]);
        assert_eq!(refs_in("進撃の巨人 第2期"), [s(2)]);
        assert_eq!(refs_in("葬送のフリーレン 2期"), [s(2)]);
        assert_eq!(refs_in("第2シーズン 第5話"), [se(2, 5)]);
        assert_eq!(refs_in("シーズン3"), [s(3)]);
        assert_eq!(refs_in("第二季 第十二集"), [se(2, 12)]);
        assert_eq!(refs_in("'연모' 1회는"), [e(1)]);
        assert!(refs_in("제58회 백상예술대상").is_empty());
        assert!(refs_in("시청률 2회 연속 상승, 3회째 1위").is_empty());
    }

    #[test]
    fn final_seasons_and_long_ordinals() {
        assert_eq!(refs_in("renewed for a third and final season"), [s(3)]);
        assert_eq!(refs_in("its fourth and last season"), [s(4)]);
        assert_eq!(refs_in("a fifth and final season, episode 2"), [se(5, 2)]);
        assert_eq!(refs_in("the show's thirteenth season"), [s(13)]);
        assert_eq!(refs_in("die zehnte Staffel"), [s(10)]);
        assert_eq!(refs_in("die dritte und letzte Staffel"), [s(3)]);
        assert_eq!(refs_in("la troisième et dernière saison"), [s(3)]);
        assert_eq!(refs_in("la tercera y última temporada"), [s(3)]);
        // `and final` needs a season word after it.
        assert!(refs_in("a third and final time").is_empty());
        assert!(refs_in("the second and final episode").is_empty());
        assert!(refs_in("a third and final. Season after season").is_empty());
    }

    #[test]
    fn release_episode_forms() {
        // A compact season, then the episode after a spaced dash.
        assert_eq!(
            refs_in("[AnimeCruzers] Boku no Hero Academia S2 - 01 [720p-Dubbed]"),
            [se(2, 1)]
        );
        assert_eq!(
            refs_in("High School Star Musical S2 - 01 (1280x720 HEVC2)"),
            [se(2, 1)]
        );
        // Underscores for spaces, and a version glued to the number.
        assert_eq!(
            refs_in("[Cleo]Shuffle!_-_24_(Dual Audio_10bit_BD720p)"),
            [e(24)]
        );
        assert_eq!(refs_in("[Cleo]Maken-Ki!_-_12_ (Dual Audio)"), [e(12)]);
        assert_eq!(
            refs_in("[BakedFish] Youjo Senki - 12v2 [720p][AAC]"),
            [e(12)]
        );
        // Not episodes: prose after the dash, a year, a date, a word glued to the number.
        assert_eq!(refs_in("Squid Game S2 - 10 things we learned"), [s(2)]);
        assert_eq!(refs_in("Squid Game S2 - 2024 [Netflix]"), [s(2)]);
        assert!(refs_in("Name - 2016 [720p]").is_empty());
        assert!(refs_in("Jimmy.Fallon.2017.04.04.Blake.Shelton.720p.WEB.x264").is_empty());
        assert!(refs_in("Top_-_10_things").is_empty());
        assert!(refs_in("Name - 12th [720p]").is_empty());
    }

    #[test]
    fn scene_and_fansub_forms_of_sonarr_s_parser_cases() {
        // A dotted number before a release tag: season and episode in one (s1e3, s10e13).
        assert_eq!(
            refs_in("Series.and.a.Title.103.720p.HDTV.X264-DIMENSION"),
            [se(1, 3)]
        );
        assert_eq!(refs_in("Series.1013.720p.HDTV"), [se(10, 13)]);
        assert_eq!(refs_in("series.2009.416.hdtv-lol"), [se(4, 16)]);
        // An episode title after a second spaced dash.
        assert_eq!(refs_in("Fairy Tail - 101 - Mest"), [e(101)]);
        assert_eq!(
            refs_in("Some Anime Show - 031 - The Resolution to Kill [Lunar]"),
            [e(31)]
        );
        assert_eq!(
            refs_in("Initial_Series_Title - 03 DVD - Central Anime"),
            [e(3)]
        );
        // A version or a part letter after the episode; a zero-padded three-digit season.
        assert_eq!(
            refs_in("[SubsPlus+] Series no Chill - S02E01v2 (NF WEB 1080p)"),
            [se(2, 1)]
        );
        assert_eq!(refs_in("Series.Title.S06E01b.Fade.Out.1080p"), [se(6, 1)]);
        assert_eq!(refs_in("Series.S010E16.720p.HDTV"), [se(10, 16)]);
        assert_eq!(
            refs_in("[Cthuyuu].Series.Title.-.03.[720p.H264.AAC]"),
            [e(3)]
        );
        assert_eq!(
            refs_in("Series S87E136 1080p WEB-DL x264-NGP"),
            [se(87, 136)]
        );
        assert_eq!(refs_in("The Series Season4 WS PDTV XviD FUtV"), [s(4)]);
        assert_eq!(refs_in("Series.Saison3.VOSTFR.HDTV.XviD-NOTAG"), [s(3)]);
        assert_eq!(refs_in("#Season2 is coming"), [s(2)]);
        assert!(refs_in("Seasoned cooks, season2024").is_empty());
        assert_eq!(refs_in("Series Title S3 -  15 VOSTFR [720p]"), [se(3, 15)]);
        // An episode alone in brackets after the name.
        assert_eq!(
            refs_in("[XKsub] Series Title S2 [05][HEVC-10bit 1080p AAC]"),
            [se(2, 5)]
        );
        assert_eq!(
            refs_in("Series_Title_2_[01]_[AniLibria_TV]_[WEBRip_1080p]"),
            [e(1)]
        );
        // A fansub group's release: a number of two or more digits before a bracket, a
        // release tag or the end; not a news site's tagged headline with a season number.
        assert_eq!(refs_in("[K-F] Some Anime Show 214"), [e(214)]);
        assert_eq!(
            refs_in("[SubDESU]_Show_One_07_(1280x720_x264-AAC)_[6B7FD717]"),
            [e(7)]
        );
        assert!(refs_in("[Exclusive] Stranger Things 4 [Netflix]").is_empty());
        assert!(refs_in("[포토] 오징어 게임 12 [사진]").is_empty());
        assert!(refs_in("Some Anime Show 214").is_empty());
        assert!(refs_in("Squid Game [2021] review").is_empty());
        assert!(refs_in("Squid Game [05 things we learned]").is_empty());
        // A spaced number is an anime's absolute episode (s2e14 only between dots); not: a
        // year, a number no release tag follows, a three-digit season not zero-padded.
        assert_eq!(refs_in("[K-F] Some Anime Show 214 [720p]"), [e(214)]);
        assert!(refs_in("Name.2020.720p.WEB").is_empty());
        assert!(refs_in("Top.100.Shows.Of.All.Time").is_empty());
        assert!(refs_in("Name S100E02").is_empty());
    }

    #[test]
    fn not_seasons() {
        assert!(refs_in("the 2024 season finale").is_empty());
        assert!(refs_in("season 2024").is_empty());
        assert!(refs_in("the season finale, a second chance").is_empty());
        assert!(refs_in("2 seasons ago, 10 episodes").is_empty());
        assert!(refs_in("a premiere season").is_empty());
        assert!(refs_in("Best Sci-Fi Series. Five years later").is_empty());
        assert!(refs_in("the second. Season after season").is_empty());
    }
}
