//! The show automaton: every show name and alias, normalized, padded with spaces, with
//! generated variants; plus the anchors for one-letter typos.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::text::{Flags, Norm};
use super::words::{is_common, is_small};
use crate::config::Show;

/// How one pattern maps to one show, with what the case and context checks need.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    /// Index into the show list.
    pub show: u32,
    /// Number of words in the pattern.
    pub words: u8,
    /// Every word is a common English word (or the name is very short): needs evidence.
    pub ordinary: bool,
    /// A generated variant (dropped small word) or a typo match, not a name as configured.
    pub variant: bool,
    /// At most three letters or digits in all (`Us`, `It`, `24`).
    pub short: bool,
    /// The configured form is all capitals (`ER`): an all-caps match is fine then.
    pub all_caps: bool,
    /// Bit k: word k is written with a capital letter in the configured form.
    pub caps: u64,
    /// Bit k: word k starts with a capital letter in the configured form.
    pub cap_first: u64,
    /// The configured form ends in `!` or `?` (`K-On!`, `Nailed It!`): a `!` after the
    /// name in a text is part of it, no sentence end.
    pub bang: bool,
}

/// A name of three or more words checked for one-letter typos.
#[derive(Debug)]
pub(crate) struct Fuzzy {
    /// The name's words, normalized.
    pub words: Vec<Box<str>>,
    /// Where the words' hashes start in [`Matcher::fuzzy_hashes`].
    pub hashes: u32,
    /// What a match stands for (with `variant` set).
    pub target: Target,
}

/// A well-mixed 64-bit hash of a word, compared instead of the word itself.
pub(crate) fn word_hash(w: &[u8]) -> u64 {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let mut h = (w.len() as u64).wrapping_mul(K);
    let mut chunks = w.chunks_exact(8);
    for c in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(a)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut a = [0u8; 8];
        a[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(a)).wrapping_mul(K);
    }
    h ^= h >> 29;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 32)
}

/// A hasher for keys that are already [`word_hash`]es.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdBuild;

/// See [`IdBuild`].
pub(crate) struct IdHasher(u64);

impl BuildHasher for IdBuild {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher(0)
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Hash of a rare word of a fuzzy name -> (fuzzy index, word position).
pub(crate) type Anchors = HashMap<u64, Vec<(u32, u8)>, IdBuild>;

/// The compiled matcher.
#[derive(Debug)]
pub(crate) struct Matcher {
    /// Leftmost-longest automaton over `" word word "` patterns (`None` if the list is too
    /// big to compile).
    pub ac: Option<AhoCorasick>,
    /// Per pattern: its targets, `targets[a..b]`.
    pub pattern_targets: Vec<(u32, u32)>,
    /// Targets of all patterns.
    pub targets: Vec<Target>,
    /// Names checked for typos.
    pub fuzzy: Vec<Fuzzy>,
    /// Word hashes of all fuzzy names, one run per name.
    pub fuzzy_hashes: Vec<u64>,
    /// Rare word of a fuzzy name -> (fuzzy index, word position).
    pub anchors: Anchors,
    /// Shortest anchor word, to skip lookups.
    pub min_anchor: usize,
}

/// One normalized name form before it becomes a pattern.
struct Form {
    words: Vec<String>,
    caps: u64,
    cap_first: u64,
    all_caps: bool,
    cjk: bool,
    bang: bool,
}

impl Form {
    fn of(text: &str) -> Option<Form> {
        let norm = Norm::of(text);
        if norm.words.is_empty() || norm.words.len() > 64 {
            return None;
        }
        let mut caps = 0u64;
        let mut cap_first = 0u64;
        let mut all_caps = true;
        let mut cjk = false;
        for (k, w) in norm.words.iter().enumerate() {
            let word = norm.word(k);
            if w.has(Flags::CJK) {
                cjk = true;
                continue;
            }
            if w.has(Flags::UPPER) && !w.has(Flags::POSS) && !is_small(word) {
                caps |= 1 << k;
            }
            if w.has(Flags::CAP) {
                cap_first |= 1 << k;
            }
            if w.has(Flags::LOWER) {
                all_caps = false;
            }
        }
        Some(Form {
            words: norm.word_strs().into_iter().map(String::from).collect(),
            caps,
            cap_first,
            all_caps,
            cjk,
            bang: text.trim_end().ends_with(['!', '?']),
        })
    }

    /// The same form with the possessive `s` words joined to the word before
    /// (`grey s anatomy` -> `greys anatomy`).
    fn joined_possessive(&self) -> Option<Form> {
        if !self.words.iter().skip(1).any(|w| w == "s") {
            return None;
        }
        let mut out = Form {
            words: Vec::new(),
            caps: 0,
            cap_first: 0,
            all_caps: self.all_caps,
            cjk: self.cjk,
            bang: self.bang,
        };
        for (k, w) in self.words.iter().enumerate() {
            if k > 0 && w == "s" {
                if let Some(last) = out.words.last_mut() {
                    last.push('s');
                    continue;
                }
            }
            let at = out.words.len();
            out.caps |= ((self.caps >> k) & 1) << at;
            out.cap_first |= ((self.cap_first >> k) & 1) << at;
            out.words.push(w.clone());
        }
        Some(out)
    }

    /// The form without word `k`.
    fn without(&self, k: usize) -> Form {
        let low = (1u64 << k) - 1;
        let squeeze = |bits: u64| (bits & low) | ((bits >> 1) & !low);
        let mut words = self.words.clone();
        words.remove(k);
        Form {
            words,
            caps: squeeze(self.caps),
            cap_first: squeeze(self.cap_first),
            all_caps: self.all_caps,
            cjk: self.cjk,
            // Without its last word, the name no longer ends where the mark is.
            bang: self.bang && k + 1 != self.words.len(),
        }
    }

    fn target(&self, show: u32, variant: bool) -> Target {
        let letters: usize = self.words.iter().map(String::len).sum();
        let short = !self.cjk && letters <= 3;
        // An acronym of three capitals that is no word (`SNL`) is as specific as a name.
        let acronym =
            self.all_caps && self.words.len() == 1 && letters == 3 && !is_common(&self.words[0]);
        let ordinary = if self.cjk {
            self.words.len() <= 1
        } else {
            (short && !acronym)
                || self.words.iter().all(|w| is_common(w))
                || self
                    .words
                    .iter()
                    .all(|w| w.bytes().all(|b| b.is_ascii_digit()))
        };
        Target {
            show,
            words: self.words.len() as u8,
            ordinary,
            variant,
            short,
            all_caps: self.all_caps,
            caps: self.caps,
            cap_first: self.cap_first,
            bang: self.bang,
        }
    }

    fn pattern(&self) -> String {
        let mut p =
            String::with_capacity(2 + self.words.iter().map(|w| w.len() + 1).sum::<usize>());
        p.push(' ');
        for w in &self.words {
            p.push_str(w);
            p.push(' ');
        }
        p
    }
}

/// Patterns and their targets while the show list is read.
#[derive(Default)]
struct Patterns {
    patterns: Vec<String>,
    index: HashMap<String, usize>,
    per_pattern: Vec<Vec<Target>>,
    fuzzy: Vec<Fuzzy>,
}

impl Patterns {
    /// Maps `form` to `target` (a name as configured beats a variant for the same show).
    fn add(&mut self, form: &Form, target: Target) {
        let p = form.pattern();
        let at = match self.index.get(&p) {
            Some(&at) => at,
            None => {
                self.index.insert(p.clone(), self.patterns.len());
                self.patterns.push(p);
                self.per_pattern.push(Vec::new());
                self.per_pattern.len() - 1
            }
        };
        let list = &mut self.per_pattern[at];
        match list.iter_mut().find(|t| t.show == target.show) {
            Some(t) if t.variant && !target.variant => *t = target,
            Some(_) => {}
            None => list.push(target),
        }
    }

    /// One name or alias of show `si`, with its generated variants and typo anchors.
    fn add_name(&mut self, si: u32, text: &str) {
        let Some(form) = Form::of(text) else {
            return;
        };
        let joined = form.joined_possessive();
        for f in std::iter::once(&form).chain(joined.as_ref()) {
            self.add(f, f.target(si, false));
            // `The Bachelorette` is also `Bachelorette` (`'Bachelorette' Season`,
            // `Simpsons' opening`).
            if !f.cjk && f.words.len() == 2 && f.words[0] == "the" {
                let v = f.without(0);
                self.add(&v, v.target(si, true));
            }
            if f.cjk || f.words.len() < 3 {
                continue;
            }
            // Variants with one small word dropped, for names of three or more words.
            for k in 0..f.words.len() {
                if !is_small(&f.words[k]) {
                    continue;
                }
                let v = f.without(k);
                if v.words.iter().any(|w| !is_small(w)) {
                    self.add(&v, v.target(si, true));
                }
            }
        }
        if !form.cjk && form.words.len() >= 3 {
            let mut target = form.target(si, true);
            target.variant = true;
            self.fuzzy.push(Fuzzy {
                words: form.words.iter().map(|w| w.as_str().into()).collect(),
                hashes: 0,
                target,
            });
        }
    }
}

impl Matcher {
    /// Compiles the show list.
    pub fn build(shows: &[Show]) -> Matcher {
        let mut p = Patterns::default();
        for (si, show) in shows.iter().enumerate() {
            for text in std::iter::once(&show.name).chain(&show.aliases) {
                p.add_name(si as u32, text);
            }
        }
        // A name as configured beats another show's generated variant.
        let mut targets = Vec::new();
        let mut pattern_targets = Vec::with_capacity(p.per_pattern.len());
        for list in &p.per_pattern {
            let exact = list.iter().any(|t| !t.variant);
            let start = targets.len() as u32;
            targets.extend(list.iter().filter(|t| !exact || !t.variant).copied());
            pattern_targets.push((start, targets.len() as u32));
        }
        let mut fuzzy = p.fuzzy;
        let mut fuzzy_hashes = Vec::new();
        for f in &mut fuzzy {
            f.hashes = fuzzy_hashes.len() as u32;
            fuzzy_hashes.extend(f.words.iter().map(|w| word_hash(w.as_bytes())));
        }
        let (anchors, min_anchor) = anchors(&fuzzy);
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&p.patterns)
            .or_else(|_| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&p.patterns)
            });
        // Only a pattern set beyond the automaton's limits fails: it matches nothing then.
        let ac = ac.ok();
        Matcher {
            ac,
            pattern_targets,
            targets,
            fuzzy,
            fuzzy_hashes,
            anchors,
            min_anchor,
        }
    }
}

/// Picks for every fuzzy name its two rarest words (fewest fuzzy names using them) of at least
/// three letters: a one-letter typo changes at most one of them, so the other finds it.
fn anchors(fuzzy: &[Fuzzy]) -> (Anchors, usize) {
    let mut df: HashMap<&str, u32> = HashMap::new();
    for f in fuzzy {
        for w in &f.words {
            *df.entry(w).or_default() += 1;
        }
    }
    let mut map: Anchors = HashMap::with_hasher(IdBuild);
    let mut min = usize::MAX;
    for (fi, f) in fuzzy.iter().enumerate() {
        let mut cands: Vec<(usize, &Box<str>)> = f
            .words
            .iter()
            .enumerate()
            .filter(|(_, w)| w.len() >= 3 && !is_small(w) && !w.bytes().all(|b| b.is_ascii_digit()))
            .collect();
        cands.sort_by_key(|(_, w)| {
            (
                df.get(w.as_ref()).copied().unwrap_or(0),
                usize::MAX - w.len(),
            )
        });
        let mut seen: Vec<&str> = Vec::new();
        for (k, w) in cands {
            if seen.len() == 2 {
                break;
            }
            if seen.contains(&w.as_ref()) {
                continue;
            }
            seen.push(w);
            min = min.min(w.len());
            map.entry(word_hash(w.as_bytes()))
                .or_default()
                .push((fi as u32, k as u8));
        }
    }
    (map, min)
}

/// Whether `a` and `b` differ by at most one insertion, deletion, substitution or swap of
/// two neighbouring letters.
pub(crate) fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    match la.cmp(&lb) {
        std::cmp::Ordering::Equal => {
            a[p + 1..] == b[p + 1..]
                || (p + 1 < la && a[p] == b[p + 1] && a[p + 1] == b[p] && a[p + 2..] == b[p + 2..])
        }
        std::cmp::Ordering::Greater => a[p + 1..] == b[p..],
        std::cmp::Ordering::Less => a[p..] == b[p + 1..],
    }
}

/// Whether word `w` of a stream is a possessive `s`.
pub(crate) fn is_poss(norm: &Norm, i: usize) -> bool {
    norm.words.get(i).is_some_and(|w| w.has(Flags::POSS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit() {
        assert!(within_one_edit(b"dead", b"daed"));
        assert!(within_one_edit(b"dead", b"ded"));
        assert!(within_one_edit(b"dead", b"deads"));
        assert!(within_one_edit(b"dead", b"deaf"));
        assert!(within_one_edit(b"dead", b"edad"));
        assert!(!within_one_edit(b"dead", b"eadd"));
        assert!(!within_one_edit(b"dead", b"dd"));
    }

    fn show(name: &str) -> Show {
        Show {
            name: name.into(),
            aliases: vec![],
            slug: name.to_lowercase().replace(' ', "-"),
            require_context: None,
            exclude: vec![],
        }
    }

    #[test]
    fn variants_and_flags() {
        let m = Matcher::build(&[
            show("All of Us Are Dead"),
            show("Grey's Anatomy"),
            show("Us"),
        ]);
        let pats: Vec<String> = (0..m.ac.as_ref().map_or(0, |a| a.patterns_len()))
            .map(|p| {
                let (a, _) = m.pattern_targets[p];
                format!("{}:{}", p, m.targets[a as usize].variant)
            })
            .collect();
        assert_eq!(pats.len(), 1 + 2 + 2 + 1, "{pats:?}");
        let us = m
            .targets
            .iter()
            .find(|t| t.show == 2)
            .map(|t| (t.short, t.ordinary));
        assert_eq!(us, Some((true, true)));
        let aouad = m.targets.iter().find(|t| t.show == 0 && !t.variant);
        assert!(aouad.is_some_and(|t| t.ordinary && t.caps == 0b10101));
        assert_eq!(m.fuzzy.len(), 2);
    }
}
