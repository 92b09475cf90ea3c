//! `showfeed suggest`: names in untagged entries that look like shows nobody configured.
//!
//! A candidate is a run of capitalized words (small words allowed inside) or a quoted title,
//! standing right next to TV evidence: before a season reference (`Black Doves Season 2`,
//! `Black Doves S2`, `renews Black Doves for season 2`), after `season N of`, before a TV word
//! in sentence-case text (`the Black Doves trailer`, `... finale`, `... star`), after a
//! network's possessive (`Netflix's Black Doves`), or a quoted title with a TV word or season
//! within three words.
//! A single common word is a name only when quoted or capitalized right before a season
//! reference in the same clause (`Severance Season 2`, `Moving S2`; not `This Season 2`).
//! CJK characters are one word each, so a CJK run may be longer than a Latin one.
//! Names the tagger already knows are skipped; each entry counts once per name.

use std::collections::HashMap;

use aho_corasick::Input;

use super::season::{self, Ref};
use super::text::{Flags, Norm};
use super::words::{is_common, is_cue, is_network, is_post_cue, is_small};
use super::Tagger;

/// A name that looks like a show, found in entries no configured show matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The name as first written.
    pub name: String,
    /// How many entries name it.
    pub count: usize,
    /// Up to three headlines that name it.
    pub examples: Vec<String>,
}

const MAX_RUN: usize = 6;
/// CJK characters are one word each: a CJK title (`지금 우리 학교는`, `転生したらスライムだった件`)
/// may run to this many.
const MAX_CJK_RUN: usize = 16;
const MAX_EXAMPLES: usize = 3;

/// Likely shows in `entries` (title, plain-text summary), most frequent first, at most `max`.
pub fn suggest<'a>(
    entries: impl Iterator<Item = (&'a str, &'a str)>,
    known: &Tagger,
    max: usize,
) -> Vec<Suggestion> {
    let mut found: HashMap<String, Suggestion> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut norm = Norm::default();
    let mut refs: Vec<Ref> = Vec::new();
    let mut spans: Vec<(usize, usize, bool)> = Vec::new();
    for (title, summary) in entries {
        let mut keys_here: Vec<String> = Vec::new();
        for text in [title, summary] {
            norm.clear();
            norm.push_segment(text);
            refs.clear();
            season::parse(&norm, &mut refs);
            spans.clear();
            candidates(&norm, &refs, &mut spans);
            for &(a, b, quoted) in &spans {
                let Some((a, b)) = trim(&norm, &refs, a, b, quoted) else {
                    continue;
                };
                let key = norm.span_text(a, b + 1).to_owned();
                if keys_here.contains(&key) || is_known(known, &key) {
                    continue;
                }
                keys_here.push(key.clone());
                let shown = text[norm.words[a].orig as usize..norm.words[b].orig_end as usize]
                    .trim_matches(|c: char| !c.is_alphanumeric())
                    .to_owned();
                let entry = found.entry(key.clone()).or_insert_with(|| {
                    order.push(key);
                    Suggestion {
                        name: shown,
                        count: 0,
                        examples: Vec::new(),
                    }
                });
                entry.count += 1;
                if entry.examples.len() < MAX_EXAMPLES && !entry.examples.iter().any(|e| e == title)
                {
                    entry.examples.push(title.to_owned());
                }
            }
        }
    }
    let mut out: Vec<Suggestion> = order.into_iter().filter_map(|k| found.remove(&k)).collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    out.truncate(max);
    out
}

/// Whether the tagger already matches a name inside `key`.
fn is_known(known: &Tagger, key: &str) -> bool {
    let padded = format!(" {key} ");
    known
        .matcher
        .ac
        .as_ref()
        .is_some_and(|ac| ac.find(Input::new(padded.as_str())).is_some())
}

/// Words that end a run: verbs and words of headlines, not of titles.
fn is_stop(w: &str) -> bool {
    is_cue(w)
        || matches!(
            w,
            "confirms"
                | "confirmed"
                | "announces"
                | "announced"
                | "sets"
                | "set"
                | "drops"
                | "dropped"
                | "releases"
                | "released"
                | "reveals"
                | "revealed"
                | "unveils"
                | "unveiled"
                | "shares"
                | "teases"
                | "gets"
                | "got"
                | "lands"
                | "orders"
                | "ordered"
                | "debuts"
                | "returns"
                | "watch"
                | "exclusive"
                | "first"
                | "look"
                | "new"
                | "official"
                | "officially"
                | "how"
                | "why"
                | "when"
                | "what"
                | "where"
                | "who"
                | "will"
                | "could"
                | "should"
                | "here"
                | "everything"
                | "know"
                | "need"
                | "says"
                | "said"
                | "after"
                | "before"
                | "ahead"
                | "about"
                | "ending"
                | "explained"
                | "was"
                | "has"
                | "have"
                | "had"
                | "vs"
                | "final"
                | "upcoming"
                | "latest"
                | "part"
                | "volume"
                | "vol"
                | "s"
        )
}

fn title_like(norm: &Norm, i: usize) -> bool {
    let w = &norm.words[i];
    w.has(Flags::CAP)
        || w.has(Flags::CJK)
        || w.has(Flags::NUM)
        || (w.has(Flags::UPPER) && !is_small(norm.word(i)))
}

/// Collects `(first, last, quoted)` word spans that may be show names.
fn candidates(norm: &Norm, refs: &[Ref], out: &mut Vec<(usize, usize, bool)>) {
    let n = norm.words.len();
    let in_ref = |k: usize| refs.iter().any(|r| (r.first..=r.last).contains(&k));
    for r in refs {
        // `Black Doves Season 2`, `renews Black Doves for Season 2`.
        if r.first > 0 {
            let mut end = r.first - 1;
            if matches!(norm.word(end), "for" | "of") && end > 0 {
                end -= 1;
            }
            push_back_run(norm, end, &in_ref, out);
        }
        // `Season 2 of Black Doves`.
        if r.last + 2 < n && matches!(norm.word(r.last + 1), "of" | "de" | "di") {
            push_forward_run(norm, r.last + 2, out);
        }
    }
    for i in 0..n {
        let w = norm.word(i);
        // Before a TV word only in sentence case, where capitals say something (in a
        // title-case headline `Trailer Goes Full Rock Star` would give `Goes Full Rock`);
        // quoted titles are fine anywhere.
        if i > 0 && is_post_cue(w) && !norm.words[i].has(Flags::CLAUSE) {
            if title_case(norm, i) {
                if norm.words[i - 1].has(Flags::CLOSE_Q) {
                    push_back_run(norm, i - 1, &in_ref, out);
                }
            } else {
                push_back_run(norm, i - 1, &in_ref, out);
            }
        }
        if is_network(w) && i + 2 < n && norm.words[i + 1].has(Flags::POSS) {
            push_forward_run(norm, i + 2, out);
        }
        if norm.words[i].has(Flags::OPEN_Q) {
            let Some(j) = (i..n.min(i + 8)).find(|&j| norm.words[j].has(Flags::CLOSE_Q)) else {
                continue;
            };
            if (i + 1..=j).any(|k| norm.words[k].has(Flags::CLAUSE) && norm.word(k) != "s") {
                continue;
            }
            let near = |k: usize| is_cue(norm.word(k)) || refs.iter().any(|r| r.first == k);
            let before = (i.saturating_sub(3)..i).any(near);
            let after = (j + 1..n.min(j + 4)).any(near);
            if before || after {
                out.push((i, j, true));
            }
        }
    }
}

/// Whether the sentence of word `i` is written in title case (most longer words capitalized).
fn title_case(norm: &Norm, i: usize) -> bool {
    let sent = norm.words[i].sent;
    let (mut total, mut capped) = (0, 0);
    for (k, w) in norm.words.iter().enumerate() {
        if w.sent != sent || w.has(Flags::NUM) || w.has(Flags::CJK) || norm.word(k).len() < 4 {
            continue;
        }
        total += 1;
        if w.has(Flags::CAP) {
            capped += 1;
        }
    }
    capped * 2 > total
}

fn push_back_run(
    norm: &Norm,
    end: usize,
    in_ref: &dyn Fn(usize) -> bool,
    out: &mut Vec<(usize, usize, bool)>,
) {
    let mut end = end;
    if norm.words[end].has(Flags::POSS) {
        if end == 0 {
            return;
        }
        end -= 1;
    }
    if norm.words[end].has(Flags::CLOSE_Q) {
        // A quoted title: go back to its opening quote.
        let lo = end.saturating_sub(8);
        if let Some(a) = (lo..=end).rev().find(|&a| norm.words[a].has(Flags::OPEN_Q)) {
            out.push((a, end, true));
            return;
        }
    }
    let mut a = end;
    let mut k = end;
    let mut len = RunLen::default();
    loop {
        let w = norm.word(k);
        if is_stop(w) || in_ref(k) || !(title_like(norm, k) || is_small(w)) {
            break;
        }
        a = k;
        if norm.words[k].has(Flags::CLAUSE) || k == 0 || len.add(norm, k) {
            break;
        }
        k -= 1;
    }
    if a <= end && !is_stop(norm.word(end)) {
        out.push((a, end, false));
    }
}

fn push_forward_run(norm: &Norm, start: usize, out: &mut Vec<(usize, usize, bool)>) {
    let n = norm.words.len();
    if norm.words[start].has(Flags::OPEN_Q) {
        if let Some(j) = (start..n.min(start + 8)).find(|&j| norm.words[j].has(Flags::CLOSE_Q)) {
            out.push((start, j, true));
            return;
        }
    }
    let mut b = None;
    let mut k = start;
    let mut len = RunLen::default();
    while k < n {
        let w = norm.word(k);
        if (k > start && norm.words[k].has(Flags::CLAUSE))
            || is_stop(w)
            || !(title_like(norm, k) || is_small(w))
        {
            break;
        }
        b = Some(k);
        if len.add(norm, k) {
            break;
        }
        k += 1;
    }
    if let Some(b) = b {
        out.push((start, b, false));
    }
}

/// The length of a run being collected: words, with CJK characters counted apart.
#[derive(Default)]
struct RunLen {
    words: usize,
    cjk: usize,
}

impl RunLen {
    /// Counts word `k`; true when the run is now full.
    fn add(&mut self, norm: &Norm, k: usize) -> bool {
        if norm.words[k].has(Flags::CJK) {
            self.cjk += 1;
        } else {
            self.words += 1;
        }
        self.words >= MAX_RUN || self.cjk >= MAX_CJK_RUN
    }
}

/// Whether a capitalized single word at `k` stands right before a season reference in the
/// same clause (`Severance Season 2`, `Moving S2`): that is a name even when the word is
/// common English.
fn before_season(norm: &Norm, refs: &[Ref], k: usize) -> bool {
    let w = norm.word(k);
    norm.words[k].has(Flags::CAP)
        && !norm.words[k].has(Flags::NUM)
        && w.len() >= 4
        && !matches!(
            w,
            "this"
                | "that"
                | "these"
                | "those"
                | "next"
                | "last"
                | "every"
                | "each"
                | "whole"
                | "entire"
                | "previous"
                | "current"
                | "same"
                | "another"
                | "their"
                | "your"
                | "second"
                | "third"
                | "fourth"
                | "fifth"
                | "whose"
                | "which"
        )
        && refs.iter().any(|r| {
            r.first == k + 1 && r.season.is_some() && !norm.words[r.first].has(Flags::CLAUSE)
        })
}

/// Trims small words at the ends (a capitalized leading `The` stays) and rejects spans that
/// are not names: only numbers, one common or TV word (unless it stands right before a
/// season reference), lower-case words outside quotes.
fn trim(norm: &Norm, refs: &[Ref], a: usize, b: usize, quoted: bool) -> Option<(usize, usize)> {
    let (mut a, mut b) = (a, b);
    // A leading `The` stays when it is quoted or capitalized mid-sentence (`Netflix's The
    // Crown`), not when it merely starts the sentence.
    while a <= b
        && is_small(norm.word(a))
        && !(norm.word(a) == "the"
            && norm.words[a].has(Flags::CAP)
            && (quoted || !norm.words[a].has(Flags::SENT)))
    {
        a += 1;
    }
    while b >= a && (is_small(norm.word(b)) || norm.words[b].has(Flags::POSS)) {
        if b == 0 {
            return None;
        }
        b -= 1;
    }
    if a > b {
        return None;
    }
    let cjk = (a..=b).filter(|&k| norm.words[k].has(Flags::CJK)).count();
    if b - a + 1 - cjk > MAX_RUN + 2 || cjk > MAX_CJK_RUN {
        return None;
    }
    if (a..=b).all(|k| norm.words[k].has(Flags::NUM)) {
        return None;
    }
    if !quoted && (a..=b).any(|k| !title_like(norm, k) && !is_small(norm.word(k))) {
        return None;
    }
    if a == b {
        let w = norm.word(a);
        let common = !quoted && is_common(w) && !before_season(norm, refs, a);
        if is_stop(w) || is_network(w) || common || w.len() < 2 {
            return None;
        }
    }
    Some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Show;

    #[test]
    fn finds_unknown_shows_next_to_season_words() {
        let known = Tagger::new(&[Show {
            name: "Squid Game".into(),
            aliases: vec![],
            slug: "squid-game".into(),
            require_context: None,
            exclude: vec![],
        }]);
        let entries = [
            (
                "Netflix Renews Black Doves for Season 2",
                "The spy thriller returns.",
            ),
            ("Black Doves Season 2: Everything We Know", ""),
            (
                "'Squid Game' Season 3 Trailer",
                "Netflix's Squid Game ends.",
            ),
            ("Keira Knightley talks 'Black Doves' finale", ""),
            ("Review: 'The Four Seasons' is a breezy comedy series", ""),
            ("Stocks fall on Wednesday", "Markets were down."),
        ];
        let s = suggest(entries.iter().copied(), &known, 10);
        assert_eq!(s[0].name, "Black Doves");
        assert_eq!(s[0].count, 3);
        assert_eq!(s[0].examples.len(), 3);
        assert!(s.iter().any(|x| x.name == "The Four Seasons"), "{s:?}");
        assert!(!s.iter().any(|x| x.name.contains("Squid")), "{s:?}");
        assert_eq!(s.len(), 2, "{s:?}");
        let s = suggest(
            std::iter::once((
                "Fall lineup",
                "It includes Dandadan, Re:Zero Season 3 and more.",
            )),
            &known,
            10,
        );
        assert_eq!(s.first().map(|x| x.name.as_str()), Some("Re:Zero"), "{s:?}");
    }

    fn squid_game() -> Tagger {
        Tagger::new(&[Show {
            name: "Squid Game".into(),
            aliases: vec![],
            slug: "squid-game".into(),
            require_context: None,
            exclude: vec![],
        }])
    }

    fn names(entries: &[(&str, &str)]) -> Vec<String> {
        suggest(entries.iter().copied(), &squid_game(), 10)
            .into_iter()
            .map(|s| s.name)
            .collect()
    }

    #[test]
    fn common_word_right_before_a_season_is_a_name() {
        let got = names(&[
            (
                "Severance Season 2 Finale Recap: Cold Harbor",
                "Our recap of the Severance Season 2 finale, episode 10.",
            ),
            (
                "Moving Season 2 Begins Filming",
                "Disney+ drama Moving is back.",
            ),
            ("Lost S2 Rewatch", ""),
        ]);
        assert_eq!(got, ["Lost", "Moving", "Severance"]);
        // Not a name: no capital, a determiner, a clause break, an episode, no season.
        let got = names(&[
            ("Everything coming in moving season 2", ""),
            ("This Season 2 Is Better", "Next Season 3 will be darker."),
            ("Watch Party: Season 2 Begins", "Tonight Episode 5 airs."),
            ("Severance Finale Recap", "Moving is hard."),
        ]);
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn cjk_titles_keep_every_character() {
        let got = names(&[(
            "Cast confirmed",
            "Netflix confirmed the returning cast of 지금 우리 학교는 season 2.",
        )]);
        assert_eq!(got, ["지금 우리 학교는"]);
        let got = names(&[("", "転生したらスライムだった件 season 3")]);
        assert_eq!(got, ["転生したらスライムだった件"]);
    }
}
