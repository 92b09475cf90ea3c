//! The pair rule: whether two fingerprints tell one story. Hard rules first (each aimed at
//! one way different stories look alike), then a rarity-weighted overlap score.

use super::fingerprint::{counted_kind, counted_number, Fingerprint, COPIES_ONLY};
use super::hash::{is_number, is_year, NUMBER};

/// SimHash distance at or below which two entries are near-verbatim copies (Manku et al.
/// 2007 use 3 for 64-bit fingerprints of web pages).
pub const SIMHASH_MAX_DISTANCE: u32 = 3;
/// Score at or above which two outlets' entries are the same story.
pub const MATCH_SCORE: f32 = 0.28;
/// Score at or above which two entries of one outlet are the same story: an outlet's own
/// headlines share its house style and its running topics, so it takes more.
pub const SAME_OUTLET_SCORE: f32 = 0.40;
/// Score at or above which two near-verbatim copies (SimHash distance within
/// [`SIMHASH_MAX_DISTANCE`]) are the same story.
pub const SIMHASH_MATCH_SCORE: f32 = 0.20;
/// Score at or above which two explainers, live pages or round-ups are one: only as copies.
pub const PIECE_SCORE: f32 = 0.80;
/// What a name token (show slug word, quoted title) shared by both sides weighs, relative to
/// a word of the same rarity: shared show names alone never make a duplicate.
pub const NAME_WEIGHT: f32 = 0.2;
/// Share of one side's name weight (show tag words, quoted titles) that the other side's
/// text must mention, unless they share a show tag.
pub const NAME_COVER: f32 = 0.5;
/// Two outlets' different figures for one happening ("11 new cases", "nine new community
/// cases") are one story when published this close (seconds); further apart, the same
/// headline with another figure is another day's report.
pub const FIGURE_GAP: i64 = 12 * 3600;
/// One outlet's entries published further apart than this (seconds) are two days' reports
/// (the same template about the next episode, the next day's figures), unless one is a
/// near-verbatim copy of the other.
pub const SAME_OUTLET_GAP: i64 = 18 * 3600;
/// Two texts that share fewer words than this are never one story by score (one shared
/// name is a topic, not a story), only as near-verbatim copies.
pub const MIN_SHARED: usize = 2;
/// Title tokens weigh this much more than summary tokens in the text similarity.
const TITLE_BOOST: f32 = 2.0;

/// The parts of a fingerprint the rule reads, whether from a [`Fingerprint`] or a slot.
#[derive(Clone, Copy)]
pub(super) struct View<'a> {
    pub(super) simhash: u64,
    pub(super) title: &'a [u32],
    pub(super) body: &'a [u32],
    pub(super) names: &'a [u32],
    pub(super) quoted: &'a [u32],
    pub(super) shows: &'a [u32],
    pub(super) counted: &'a [u32],
    pub(super) counted_body: &'a [u32],
    pub(super) dates: &'a [u32],
    pub(super) kinds: u8,
    pub(super) piece: u8,
}

impl<'a> From<&'a Fingerprint> for View<'a> {
    fn from(f: &'a Fingerprint) -> Self {
        View {
            simhash: f.simhash,
            title: &f.title,
            body: &f.body,
            names: &f.names,
            quoted: &f.quoted,
            shows: &f.shows,
            counted: &f.counted,
            counted_body: &f.counted_body,
            dates: &f.dates,
            kinds: f.kinds,
            piece: f.piece,
        }
    }
}

/// How two entries stand to each other besides their text.
#[derive(Clone, Copy, Debug, Default)]
pub struct Pair {
    /// Both come from one outlet.
    pub same_outlet: bool,
    /// How far apart they were published, in seconds.
    pub gap: i64,
}

/// How two fingerprints compare, with the parts of the score (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Comparison {
    /// Hamming distance of the SimHashes.
    pub hamming: u32,
    /// Title coverage, the smaller of the two directions: the weighted share of one side's
    /// title tokens found anywhere in the other side's text.
    pub cover: f32,
    /// Weighted Jaccard similarity of the two texts (title tokens count double).
    pub jaccard: f32,
    /// `(cover + jaccard) / 2`.
    pub score: f32,
    /// Why the pair can never be one story, whatever the score.
    pub conflict: Option<Conflict>,
    /// The verdict: no conflict, and the score clears the bar for the pair ([`MATCH_SCORE`],
    /// [`SAME_OUTLET_SCORE`], [`SIMHASH_MATCH_SCORE`] for near-verbatim copies,
    /// [`PIECE_SCORE`] for explainers and the like).
    pub duplicate: bool,
}

/// A hard reason two entries are different stories.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// Numbers that disagree: each title counts another one of a kind of thing (season 2 vs
    /// season 3, level 3 vs level 4), or one counts a kind the other never does (an episode
    /// vs a season) while the other counts something; or each title has a figure the other
    /// side lacks (22,366 vs 18,937 new cases) and they are one outlet's or half a day apart.
    Numbers,
    /// Both titles name calendar dates, and no date in common.
    Dates,
    /// Both are tagged with shows, and with no show in common.
    Shows,
    /// Both entries have news kinds, and no kind in common (a trailer vs a casting).
    Kinds,
    /// The headlines head different kinds of piece: an explainer, a live page or a round-up
    /// is not the report of the happening it is about.
    Piece,
    /// One side names a show or work (show tags' words, quoted titles) that the other side's
    /// text does not mention (less than [`NAME_COVER`] of the name's weight), and they share
    /// no show tag: the same headline template about another show. When only one side has
    /// names, only the titles its headline quotes count: show tags from a summary (a
    /// person's other credits, named by one outlet only) just cost score.
    Names,
    /// One outlet's entries more than [`SAME_OUTLET_GAP`] apart, and no near-verbatim copy.
    Days,
    /// Nothing to compare on one side.
    Empty,
}

/// A query fingerprint's tokens, merged and weighted once per search.
pub(super) struct Query<'a> {
    pub(super) view: View<'a>,
    /// (token, in title, weight), sorted by token.
    tokens: Vec<(u32, bool, f32)>,
}

impl<'a> Query<'a> {
    pub(super) fn new(fp: &'a Fingerprint, weight: impl Fn(u32) -> f32) -> Query<'a> {
        Query::of(View::from(fp), weight)
    }

    /// The query of an indexed entry's view (to compare two indexed entries).
    pub(super) fn of(view: View<'a>, weight: impl Fn(u32) -> f32) -> Query<'a> {
        let mut merged = Vec::with_capacity(view.title.len() + view.body.len());
        merge_text(view.title, view.body, &mut merged);
        let tokens = merged
            .into_iter()
            .map(|(t, in_title)| (t, in_title, weight(t)))
            .collect();
        Query { view, tokens }
    }
}

/// Merges two sorted, disjoint token lists into (token, in title) pairs.
fn merge_text(title: &[u32], body: &[u32], out: &mut Vec<(u32, bool)>) {
    out.clear();
    let (mut i, mut j) = (0, 0);
    while i < title.len() || j < body.len() {
        if j == body.len() || (i < title.len() && title[i] < body[j]) {
            out.push((title[i], true));
            i += 1;
        } else {
            out.push((body[j], false));
            j += 1;
        }
    }
}

pub(super) fn has(sorted: &[u32], t: u32) -> bool {
    sorted.binary_search(&t).is_ok()
}

/// A number that counts something (not a year).
fn is_count(t: u32) -> bool {
    is_number(t) && !is_year(t)
}

/// Whether two numbers are one figure: equal, or a rounded form of a count of a thousand or
/// more ("18.9K" for 18,937; "176K" for 176,321).
fn same_figure(a: u32, b: u32) -> bool {
    if a == b {
        return true;
    }
    let (x, y) = (a & !NUMBER, b & !NUMBER);
    if !(1000..1 << 30).contains(&x) || !(1000..1 << 30).contains(&y) {
        return false;
    }
    let rounds_to = |round: u32, exact: u32| {
        let mut p = 1u32;
        while round % (p * 10) == 0 && p < 100_000_000 {
            p *= 10;
        }
        p >= 10 && (exact + p / 2) / p * p == round
    };
    rounds_to(x, y) || rounds_to(y, x)
}

/// Whether side `x`'s text has figure `t`.
fn mentions_figure(x: View<'_>, t: u32) -> bool {
    has(x.title, t)
        || has(x.body, t)
        || (t & !NUMBER >= 1000
            && x.title
                .iter()
                .chain(x.body)
                .any(|&u| is_number(u) && same_figure(t, u)))
}

/// Whether `x`'s title states a figure (a number that counts nothing, not a year) that
/// `y`'s text lacks.
fn unmatched_figure(x: View<'_>, y: View<'_>) -> bool {
    x.title.iter().any(|&t| {
        is_count(t) && !x.counted.iter().any(|&c| counted_number(c) == t) && !mentions_figure(y, t)
    })
}

/// What the two sides count and disagree on: a kind of thing both count (in a title or a
/// summary), each side another number of it, at least one in a title (season 2 vs season 3;
/// "no season 5" vs "Season 7 premiere date"); or one title counts a kind of thing the other
/// title never counts, while the other counts something (an episode vs a season).
fn counts_disagree(a: View<'_>, b: View<'_>) -> bool {
    if a.counted.is_empty() && a.counted_body.is_empty()
        || b.counted.is_empty() && b.counted_body.is_empty()
    {
        return false;
    }
    let all = |x: View<'_>, c: u32| has(x.counted, c) || has(x.counted_body, c);
    let kinds = |x: &[u32]| x.iter().fold(0u32, |k, &c| k | 1 << (counted_kind(c) & 31));
    let both =
        (kinds(a.counted) | kinds(a.counted_body)) & (kinds(b.counted) | kinds(b.counted_body));
    let only = |x: View<'_>, y: View<'_>, titles: bool| {
        let part = if titles { x.counted } else { x.counted_body };
        part.iter()
            .any(|&c| both & 1 << (counted_kind(c) & 31) != 0 && !all(y, c))
    };
    let a_only = (only(a, b, true), only(a, b, false));
    let b_only = (only(b, a, true), only(b, a, false));
    if (a_only.0 || a_only.1) && (b_only.0 || b_only.1) && (a_only.0 || b_only.0) {
        return true;
    }
    let (ka, kb) = (kinds(a.counted), kinds(b.counted));
    ka != 0 && kb != 0 && (ka & !kb != 0 || kb & !ka != 0)
}

/// The number rule (see [`Conflict::Numbers`]).
fn numbers_disagree(a: View<'_>, b: View<'_>, pair: Pair) -> bool {
    counts_disagree(a, b)
        || (unmatched_figure(a, b)
            && unmatched_figure(b, a)
            && (pair.same_outlet || pair.gap > FIGURE_GAP))
}

/// The hard rules that need no weights.
fn plain_conflict(a: View<'_>, b: View<'_>) -> Option<Conflict> {
    if a.title.is_empty() && a.body.is_empty() || b.title.is_empty() && b.body.is_empty() {
        return Some(Conflict::Empty);
    }
    if a.piece != b.piece {
        return Some(Conflict::Piece);
    }
    if a.kinds != 0 && b.kinds != 0 && a.kinds & b.kinds == 0 {
        return Some(Conflict::Kinds);
    }
    if !a.dates.is_empty() && !b.dates.is_empty() && !a.dates.iter().any(|d| has(b.dates, *d)) {
        return Some(Conflict::Dates);
    }
    let shared_show = a.shows.iter().any(|s| has(b.shows, *s));
    if !a.shows.is_empty() && !b.shows.is_empty() && !shared_show {
        return Some(Conflict::Shows);
    }
    None
}

/// Whether most of the weight of `names` (their rarest words) appears in `y`'s text:
/// "Wicked Mirror" is not "Wicked Lorsaqua".
fn mentions_names(names: &[u32], y: View<'_>, weight: &impl Fn(u32) -> f32) -> bool {
    let (mut all, mut hit) = (0f32, 0f32);
    for &t in names {
        let w = weight(t);
        all += w;
        if has(y.title, t) || has(y.body, t) {
            hit += w;
        }
    }
    hit >= NAME_COVER * all
}

/// The names rule (see [`Conflict::Names`]).
fn names_disagree(a: View<'_>, b: View<'_>, weight: &impl Fn(u32) -> f32) -> bool {
    if a.shows.iter().any(|s| has(b.shows, *s)) {
        return false;
    }
    match (a.names.is_empty(), b.names.is_empty()) {
        (false, false) => {
            !(mentions_names(a.names, b, weight) && mentions_names(b.names, a, weight))
        }
        (false, true) => !mentions_names(a.quoted, b, weight),
        (true, false) => !mentions_names(b.quoted, a, weight),
        (true, true) => false,
    }
}

/// Weighted sums over two texts.
#[derive(Default)]
struct Sums {
    a_title_all: f32,
    a_title_hit: f32,
    b_title_all: f32,
    b_title_hit: f32,
    jmin: f32,
    jmax: f32,
    /// Tokens both texts have.
    shared: usize,
}

fn boost(in_title: bool) -> f32 {
    if in_title {
        TITLE_BOOST
    } else {
        1.0
    }
}

/// The weighted overlap of the query's text and `b`'s (`scratch` holds `b`'s merged tokens).
fn overlap(
    q: &Query<'_>,
    b: View<'_>,
    weight: &impl Fn(u32) -> f32,
    scratch: &mut Vec<(u32, bool)>,
) -> Sums {
    let a = q.view;
    merge_text(b.title, b.body, scratch);
    let is_name = |t: u32| has(a.names, t) || has(b.names, t);
    let mut s = Sums::default();
    let (mut i, mut j) = (0, 0);
    while i < q.tokens.len() || j < scratch.len() {
        let ta = q.tokens.get(i).map_or(u32::MAX, |x| x.0);
        let tb = scratch.get(j).map_or(u32::MAX, |x| x.0);
        if i < q.tokens.len() && (j == scratch.len() || ta < tb) {
            let (_, in_title, w) = q.tokens[i];
            if in_title {
                s.a_title_all += w;
            }
            s.jmax += w * boost(in_title);
            i += 1;
        } else if j < scratch.len() && (i == q.tokens.len() || tb < ta) {
            let (t, in_title) = scratch[j];
            let w = weight(t);
            if in_title {
                s.b_title_all += w;
            }
            s.jmax += w * boost(in_title);
            j += 1;
        } else {
            let (t, a_title, w) = q.tokens[i];
            let b_title = scratch[j].1;
            let w = if is_name(t) { w * NAME_WEIGHT } else { w };
            if a_title {
                s.a_title_all += w;
                s.a_title_hit += w;
            }
            if b_title {
                s.b_title_all += w;
                s.b_title_hit += w;
            }
            let (x, y) = (w * boost(a_title), w * boost(b_title));
            s.jmin += x.min(y);
            s.jmax += x.max(y);
            s.shared += 1;
            i += 1;
            j += 1;
        }
    }
    s
}

/// Whether both titles state one exact, unrounded figure of four digits or more (`18,937
/// new cases`): on the same days, that is one report.
fn specific_figure_shared(a: View<'_>, b: View<'_>) -> bool {
    a.title.iter().any(|&t| {
        let v = t & !NUMBER;
        is_number(t)
            && !is_year(t)
            && (1000..10_000_000).contains(&v)
            && v % 100 != 0
            && has(b.title, t)
    })
}

/// The pair rule: hard rules, then the score against the bar for the pair.
pub(super) fn compare(
    q: &Query<'_>,
    b: View<'_>,
    pair: Pair,
    weight: impl Fn(u32) -> f32,
    scratch: &mut Vec<(u32, bool)>,
) -> Comparison {
    let a = q.view;
    let hamming = (a.simhash ^ b.simhash).count_ones();
    let mut out = Comparison {
        hamming,
        cover: 0.0,
        jaccard: 0.0,
        score: 0.0,
        conflict: plain_conflict(a, b),
        duplicate: false,
    };
    if out.conflict.is_some() {
        return out;
    }
    if names_disagree(a, b, &weight) {
        out.conflict = Some(Conflict::Names);
        return out;
    }
    let s = overlap(q, b, &weight, scratch);
    if numbers_disagree(a, b, pair) {
        out.conflict = Some(Conflict::Numbers);
    }
    let ratio = |hit: f32, all: f32| if all > 0.0 { hit / all } else { 0.0 };
    out.cover = ratio(s.a_title_hit, s.a_title_all).min(ratio(s.b_title_hit, s.b_title_all));
    out.jaccard = ratio(s.jmin, s.jmax);
    out.score = (out.cover + out.jaccard) / 2.0;
    if specific_figure_shared(a, b) {
        out.score = out.score.max(MATCH_SCORE);
    }
    let bar = if a.piece & COPIES_ONLY != 0 {
        PIECE_SCORE
    } else if pair.same_outlet {
        SAME_OUTLET_SCORE
    } else {
        MATCH_SCORE
    };
    let near_verbatim = hamming <= SIMHASH_MAX_DISTANCE && out.score >= SIMHASH_MATCH_SCORE;
    if out.conflict.is_none() && pair.same_outlet && pair.gap > SAME_OUTLET_GAP && !near_verbatim {
        out.conflict = Some(Conflict::Days);
    }
    out.duplicate =
        out.conflict.is_none() && (near_verbatim || (out.score >= bar && s.shared >= MIN_SHARED));
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::dedup::{fingerprint, DedupIndex};

    const NONE: &[&str] = &[];

    fn fp(title: &str, summary: &str) -> Fingerprint {
        fingerprint(title, summary, &[], NONE)
    }

    fn conflict(a: &Fingerprint, b: &Fingerprint, pair: Pair) -> Option<Conflict> {
        DedupIndex::new(3600).compare_pair(a, b, pair).conflict
    }

    const NOW: Pair = Pair {
        same_outlet: false,
        gap: 0,
    };

    #[test]
    fn numbers() {
        let s2 = fp("‘The Bear’ Season 2 Premiere Date Set", "FX sets June 22.");
        let s3 = fp("‘The Bear’ Season 3 Premiere Date Set", "FX sets June 22.");
        assert_eq!(conflict(&s2, &s3, NOW), Some(Conflict::Numbers));
        // One side names a level the other does not: both still agree on level 3.
        let a = fp(
            "Auckland to level 3 for two weeks, rest of NZ to stay at level 2",
            "",
        );
        let b = fp("Ardern announces Auckland's move to Alert Level 3", "");
        assert_eq!(conflict(&a, &b, NOW), None);
        // Two outlets' figures for one briefing; the same template a day later.
        let a = fp(
            "No early lockdown lift for Auckland; 11 new Covid cases",
            "",
        );
        let b = fp("Covid-19: Nine new community cases in NZ", "");
        assert_eq!(
            conflict(
                &a,
                &b,
                Pair {
                    same_outlet: false,
                    gap: 3600
                }
            ),
            None
        );
        assert_eq!(
            conflict(
                &a,
                &b,
                Pair {
                    same_outlet: false,
                    gap: 30 * 3600
                }
            ),
            Some(Conflict::Numbers)
        );
        assert_eq!(
            conflict(
                &a,
                &b,
                Pair {
                    same_outlet: true,
                    gap: 600
                }
            ),
            Some(Conflict::Numbers)
        );
        // One figure written two ways.
        let a = fp(
            "Philippines logs 18,937 new COVID-19 cases; active tally at 176K",
            "",
        );
        let b = fp("DOH reports 18.9K more COVID-19 cases, 176,321 active", "");
        assert_eq!(
            conflict(
                &a,
                &b,
                Pair {
                    same_outlet: true,
                    gap: 0
                }
            ),
            None
        );
        // One exact figure in both titles is one report, whatever else the words share.
        let gma = fp(
            "Philippines logs 18,937 new COVID-19 cases; active tally at 176K",
            "The Department of Health reported 18,937 new infections on Monday.",
        );
        let philstar = fp("Health department tally: 18,937 more infected", "");
        let c = DedupIndex::new(3600).compare_pair(&gma, &philstar, NOW);
        assert!(c.duplicate && c.score >= MATCH_SCORE, "{c:?}");
        let round = fp("DOH reports 18,900 more COVID-19 cases", "");
        assert!(!specific_figure_shared(
            View::from(&round),
            View::from(&round)
        ));
        assert!(same_figure(NUMBER | 18_900, NUMBER | 18_937));
        assert!(!same_figure(NUMBER | 18_900, NUMBER | 19_937));
        assert!(!same_figure(NUMBER | 20, NUMBER | 23));
    }

    #[test]
    fn other_hard_rules() {
        let a = fingerprint("X Renewed", "", &["severance"], NONE);
        let b = fingerprint("X Renewed", "", &["shrinking"], NONE);
        assert_eq!(conflict(&a, &b, NOW), Some(Conflict::Shows));
        let a = fp("‘Severance’ Renewed for Season 3", "Apple renews it.");
        let b = fp("‘Shrinking’ Renewed for Season 3", "Apple renews it.");
        assert_eq!(conflict(&a, &b, NOW), Some(Conflict::Names));
        // One template, each headline about another streamer's catalogue.
        let hulu = fp(
            "The Best Christmas and Holiday Movies on Hulu",
            "Christmas movies are all about family drama. Hulu has a pretty good list.",
        );
        let disney = fp(
            "The Best Holiday and Christmas Movies on Disney+",
            "December is here: watch a Christmas movie to get you in the spirit.",
        );
        assert_eq!(conflict(&hulu, &disney, NOW), Some(Conflict::Names));
        // A network only one headline names vetoes nothing.
        let a = fp(
            "Netflix raises its prices again",
            "The streamer's plans cost more.",
        );
        let b = fp(
            "Streaming prices go up again",
            "Netflix plans cost more from today.",
        );
        assert_eq!(conflict(&a, &b, NOW), None);
        let a = fingerprint(
            "‘Wednesday’ Season 2 Trailer",
            "Netflix, Jenna Ortega.",
            &[],
            &["trailer"],
        );
        let b = fingerprint(
            "Lady Gaga Joins ‘Wednesday’ Season 2",
            "Netflix, Jenna Ortega.",
            &[],
            &["casting"],
        );
        assert_eq!(conflict(&a, &b, NOW), Some(Conflict::Kinds));
        let a = fp(
            "Canada election: What you need to know about the campaign",
            "Trudeau.",
        );
        let b = fp(
            "Trudeau makes final appeal ahead of Canada's election",
            "Trudeau.",
        );
        assert_eq!(conflict(&a, &b, NOW), Some(Conflict::Piece));
        let a = fp("Balitanghali Express: September 20, 2021", "News.");
        let b = fp("Balitanghali Express: September 19, 2021", "News.");
        assert_eq!(conflict(&a, &b, NOW), Some(Conflict::Dates));
        // Quoted speech is not a title: paraphrases of one speech still compare.
        let a = fp("Biden vows to end Trump's 'season of darkness'", "");
        let b = fp("Biden vows to end 'chapter of American darkness'", "");
        assert_eq!(conflict(&a, &b, NOW), None);
    }

    #[test]
    fn transliterations_of_one_name_are_one_word() {
        let ix = DedupIndex::new(3600);
        let a = fp(
            "Navalniy aide Aleksei Volkov detained in Vilnius",
            "Lithuanian police held Volkov, a close aide of Navalniy.",
        );
        let b = fp("Alexey Volkov, Navalny aide, held by police in Vilnius", "");
        let c = ix.compare(&a, &b);
        assert!(c.duplicate, "{c:?}");
        // A folded surname is one word, not one person: another Volkov's news shares it
        // and nothing else.
        let d = fp("Leonid Volkov launches new movement from exile", "");
        let c = ix.compare(&b, &d);
        assert!(!c.duplicate, "{c:?}");
    }
}
