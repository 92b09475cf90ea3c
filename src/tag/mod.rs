//! Show tagging: which configured shows an entry is about, with season and episode, and what
//! kind of news it is.
//!
//! [`Tagger::new`] compiles the show list once; [`Tagger::tag`] is then a pure function of an
//! entry's title, summary and content, cheap enough to run on every entry of every poll and to
//! re-tag a whole store when the list changes.
//!
//! # Matching
//!
//! Title and body (summary and content, HTML stripped, entities decoded) are normalized into
//! one stream of words (see the `text` submodule for the folding rules: case, accents,
//! punctuation, apostrophes, possessive `'s`, `&`, CJK). Every name and alias goes through the
//! same normalization and into ONE leftmost-longest Aho-Corasick automaton, padded with
//! spaces, so matches are whole words and `The Last of Us` wins over a show called `Us`.
//! For names of three or more words the automaton also holds the variants with one small word
//! (`of`, `the`, `a`, `and`, `is`, `are`...) dropped (`All Us Are Dead`); a name written with
//! `'s` is also registered with it joined (`Greys Anatomy`). One-letter typos in names of
//! three or more words (`All of Us Are Daed`) are found through the two rarest words of each
//! such name: every text word is looked up in a hash map of those anchors and the window
//! around a hit is compared word by word, allowing one word at edit distance one.
//!
//! # Ordinary names
//!
//! A name is *ordinary* when all its words are common English words (a list of about 1,900
//! words in `common_words.txt`, with regular inflections) or it has at most three letters:
//! `You`, `Lost`, `House`, `Friends`, `Dark`, `The Bear`, `Wednesday`, `Moving`, `Us`,
//! `The Last of Us`. A match of an ordinary name counts when it is quoted or in italics
//! (`'You'`, `“Lost”`, `<em>Dark</em>`), or when it is written with the capitals of the
//! configured name (`US` is not `Us`) and one of these holds:
//!
//! - a season reference follows (`Wednesday Season 2`, `You S5`; a compact one also after a
//!   dash or a release gap: `[TV] Silo — S03E09`, `Second.Chance.2016.S01E05`), or a cue word is right next
//!   to it: before it a network's possessive (`Netflix's Wednesday`, `FX's The Bear`),
//!   `renews`, `cancels`, or a TV word followed by `of`/`in` (`the cast of Wednesday`, `stars
//!   in You`); after it `star`, `co-star`, `alum`, `finale`, `season finale`, `final season`,
//!   `cast`, `trailer`, `showrunner`, `reboot`, `premiere`, `recap`, `review`... (`Lost star`);
//! - the name is a whole dash- or bar-separated segment of the title after its start
//!   (`Episode Title - Evil`, `[TV] Silo — Farewell`, `Clip | Show`), as listings write it;
//! - the name opens the title and a colon follows it, and the title has a TV word
//!   (`Supernatural: ... Fall Premiere Photos`), or it is a whole comma-separated item of a
//!   round-up title ending in `and More` (`Sylvie's Love, The Wilds, and More`);
//! - the name has three or more words (`The Last of Us`);
//! - the capitals are informative (not the first word of a sentence, in a sentence that is not
//!   title case) and either the name has two words written exactly as configured (`The Bear`
//!   mid-sentence) or a cue word is within two words on either side in the same clause (not
//!   after `on`, `this`, `next`, `by`...: `premieres on Wednesday` is a date).
//!
//! In sentence-case text, a one- or two-word ordinary name glued to another capitalized word
//! (`AMC's Dark Winds`, `the White House`) is part of a longer name and needs the show to be
//! confirmed elsewhere. In title-case headlines this cannot be told: `exclude = ["dark
//! winds"]` is the answer there. A bare number after a name (`Squid Game 2`) is not a season.
//!
//! A capitalized match without such evidence still counts when another mention of the same
//! show in the entry does. A two-word name starting with `The` is also matched without it
//! (`'Bachelorette'`, `Simpsons'`); when what is left is an ordinary word (`Office`), it
//! needs quotes or a season right after it. An acronym of three capitals that is no word
//! (`SNL`) is not ordinary.
//!
//! Whatever the name, a match does not count when it is used for something else: after
//! `real-life` (figurative), right after `movie`, `film`, `game`, `album`, `novel`, `book`,
//! `song`... (another work of that name), or in a title tagged as another medium (`[GAME]`,
//! `[MOVIE]`). A one-word name that a capitalized word follows that is no common word, cue
//! or other name, with no season or TV word after it, is a person's or a longer name
//! (`comedian Dave Lawson`) and needs confirmation. A show with `require_context = true` always needs the quotes or an
//! adjacent cue or season; `require_context = false` accepts any whole-word match. A name
//! that is not ordinary counts when written with its capitals, quoted, or, for names of two
//! words or more, in any case (`squid game`). An `exclude` phrase (`bear market`) that
//! overlaps a match vetoes it.
//!
//! # Relevance
//!
//! A show is what the entry is about when it is named in the title, or when its body mentions
//! weigh enough: a mention in the first 100 words of the body weighs 1, up to word 300 weighs
//! 0.5, later 0.25, and half that inside parentheses (`Jane Doe (Succession)`). The body
//! weight must reach 1, or 2 when the title names another show. So a show named once in
//! passing deep in a long article, or only as a credit in parentheses, is not tagged. A list
//! of related links appended to a body (`Other Links From ...`, `Related links:`, `See
//! also:`) weighs nothing, unless the title announces a round-up or listicle (a leading
//! number, `shows`, `episodes`, `guide`, `what to watch`, `and More`...): then it names the
//! featured titles. A body mention that credits a person (`'Talent Quest' winner Jane Doe`,
//! `the 'Office' alums and`) weighs nothing unless a season reference shares its sentence:
//! the person is the news. Nor does any mention of a show whose title mention credits a
//! person for news of a new project (`'Moving' Star Zo In Sung To Join New Thriller`), or
//! for the person's own news when the title says nothing else of TV (`'Talent Quest' Winner
//! Jane Doe Is Unrecognizable`; see `person_news`). Shows
//! are listed strongest first: 4 per title mention plus the body weight. The body is the
//! summary followed by the content (the content alone when it repeats the summary), read up
//! to 24 KiB of plain text.
//!
//! # Seasons and episodes
//!
//! A season reference (see the `season` submodule for the forms) binds to the show named
//! right after it with `of` (`Season 2 of Dark`), else to the nearest show mention before it
//! in the same sentence, else the nearest after it in the same sentence, else, when its
//! sentence names no show, to the entry's main show (the only tagged show, or the only one in
//! the title). Compact forms (`S2`, `S02E05`, `2x05`, and the absolute `E334`, `#07`, `- 07
//! [720p]`) bind only to a name right before them, or with a release title's year or country
//! between (`Name.2016.S01E05`, `Name US S01E11`).
//! Which references count: when the title names seasons of a show, those are its seasons, and
//! the body may only add episodes to them, or a season its lead names in one sentence with
//! one of the title's (the seed article's title says season 2: a `Season 1` recalled in its
//! body does not tag s1; "will return for Season 3 ... after Season 2 ended" does tag s2). Otherwise the body's references
//! count when they are in its first 100 words, or when the same season is named twice in
//! sentences that name the show. An episode-only reference (`Episode 5`) joins the show's
//! season when it has exactly one; when the show has none, one in the title or lead that its
//! own sentence binds is an absolute episode number ([`crate::entry::ABSOLUTE`], the term
//! `<slug>/e<M>`). The lead is counted in words, a CJK character being a third of one.
//!
//! # Kinds
//!
//! From the title's words only, quoted titles excepted (`'Interview With the Vampire'
//! Trailer` is a trailer): see [`NewsKind`] for the cues, which include a few German, French,
//! Spanish, Italian, Korean and Japanese ones.

mod kind;
mod matcher;
mod season;
mod suggest;
mod text;
mod words;

use std::cell::RefCell;

use aho_corasick::Input;
use sha2::{Digest, Sha256};

pub use self::kind::NewsKind;
use self::matcher::{is_poss, within_one_edit, word_hash, Matcher, Target};
use self::season::is_release_tag;
use self::season::Ref;
pub use self::suggest::{suggest, Suggestion};
use self::text::{html_to_plain, Flags, Norm};
use self::words::{is_common, is_cue, is_network, is_post_cue, is_pre_cue, is_small, is_time_prep};
use crate::config::Show;
use crate::entry::{SeasonRef, ShowTag, ABSOLUTE};

/// Bump when the rules change, so stored entries get re-tagged (see [`Tagger::fingerprint`]).
const RULES_VERSION: u32 = 10;

/// Words of the body that count as its lead.
const LEAD_WORDS: usize = 100;
/// Body mentions up to this word weigh half; later ones a quarter.
const MID_WORDS: usize = 300;
/// Plain body text beyond this many bytes is not read.
const MAX_BODY: usize = 24 * 1024;
/// Title text beyond this many bytes is not read.
const MAX_TITLE: usize = 2048;

/// What [`Tagger::tag`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags {
    /// Shows the entry is about, strongest first, with the seasons it names.
    pub shows: Vec<ShowTag>,
    /// Kinds of news, in [`NewsKind::all`] order.
    pub kinds: Vec<NewsKind>,
}

impl Tags {
    /// The kinds as category terms (`Entry::kinds`).
    pub fn kind_terms(&self) -> Vec<String> {
        self.kinds.iter().map(|k| k.as_str().to_owned()).collect()
    }

    /// Every show category term (`<slug>`, `<slug>/s<N>`, `<slug>/s<N>e<M>`, `<slug>/e<M>`),
    /// shows in order.
    pub fn show_terms(&self) -> Vec<String> {
        self.shows.iter().flat_map(ShowTag::terms).collect()
    }
}

/// One configured show, as the tagger needs it.
#[derive(Debug)]
struct ShowInfo {
    slug: String,
    name: String,
    require_context: Option<bool>,
    /// Normalized exclude phrases, padded with spaces.
    exclude: Vec<String>,
}

/// The compiled show list. Cheap to share behind an `Arc`; [`Tagger::tag`] takes `&self`.
pub struct Tagger {
    shows: Vec<ShowInfo>,
    matcher: Matcher,
    fingerprint: [u8; 16],
}

/// A show name found in the stream.
#[derive(Debug, Clone, Copy)]
struct Mention {
    target: Target,
    first: usize,
    last: usize,
    state: Verdict,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Reject,
    /// Capitalized but no evidence: counts if another mention of the show does.
    Weak,
    Accept,
}

/// Per-show totals while tagging one entry.
#[derive(Debug, Clone, Copy)]
struct Score {
    show: u32,
    title: u32,
    body: f32,
    first: usize,
    tagged: bool,
    /// The title credits a person with the show for news about a new project.
    credited: bool,
}

/// Buffers reused across calls on one thread.
#[derive(Default)]
struct Scratch {
    norm: Norm,
    summary: String,
    content: String,
    body: String,
    mentions: Vec<Mention>,
    refs: Vec<Ref>,
    scores: Vec<Score>,
    bound: Vec<Bound>,
    hashes: Vec<u64>,
    rank: Vec<u32>,
}

/// A season reference bound to a show.
#[derive(Debug, Clone, Copy)]
struct Bound {
    show: u32,
    r: Ref,
    /// Bound by its own sentence, not by falling back to the entry's main show.
    direct: bool,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl std::fmt::Debug for Tagger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tagger")
            .field("shows", &self.shows.len())
            .field("patterns", &self.matcher.pattern_targets.len())
            .field("fuzzy", &self.matcher.fuzzy.len())
            .field("automaton_bytes", &self.automaton_bytes())
            .finish()
    }
}

impl Tagger {
    /// Compiles `shows` into one automaton (names, aliases and their variants).
    pub fn new(shows: &[Show]) -> Tagger {
        let mut h = Sha256::new();
        h.update(RULES_VERSION.to_le_bytes());
        let infos = shows
            .iter()
            .map(|s| {
                for part in std::iter::once(&s.slug)
                    .chain(std::iter::once(&s.name))
                    .chain(&s.aliases)
                    .chain(&s.exclude)
                {
                    h.update(part.as_bytes());
                    h.update([0]);
                }
                h.update([match s.require_context {
                    None => 0,
                    Some(false) => 1,
                    Some(true) => 2,
                }]);
                ShowInfo {
                    slug: s.slug.clone(),
                    name: s.name.clone(),
                    require_context: s.require_context,
                    exclude: s
                        .exclude
                        .iter()
                        .map(|e| Norm::of(e).buf)
                        .filter(|e| !e.trim().is_empty())
                        .collect(),
                }
            })
            .collect();
        let mut fingerprint = [0u8; 16];
        fingerprint.copy_from_slice(&h.finalize()[..16]);
        Tagger {
            shows: infos,
            matcher: Matcher::build(shows),
            fingerprint,
        }
    }

    /// Number of configured shows.
    pub fn len(&self) -> usize {
        self.shows.len()
    }

    /// Whether no show is configured.
    pub fn is_empty(&self) -> bool {
        self.shows.is_empty()
    }

    /// A hash of the show list and of the tagging rules' version: when it differs from the
    /// one stored with an entry, the entry needs re-tagging.
    pub fn fingerprint(&self) -> [u8; 16] {
        self.fingerprint
    }

    /// Memory held by the automaton, in bytes.
    pub fn automaton_bytes(&self) -> usize {
        self.matcher.ac.as_ref().map_or(0, |ac| ac.memory_usage())
    }

    /// Tags one entry. `title` is plain text; `summary` and `content` are (sanitized) HTML.
    pub fn tag(&self, title: &str, summary: Option<&str>, content: Option<&str>) -> Tags {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.tag_with(&mut scratch, title, summary, content),
            Err(_) => self.tag_with(&mut Scratch::default(), title, summary, content),
        })
    }

    fn tag_with(
        &self,
        s: &mut Scratch,
        title: &str,
        summary: Option<&str>,
        content: Option<&str>,
    ) -> Tags {
        let mut tags = Tags::default();
        fill_body(s, summary, content);
        let body = prefix(&s.body, MAX_BODY);
        s.norm.clear();
        s.norm
            .push_segment(&unescape_colons(prefix(title, MAX_TITLE)));
        let body_start = s.norm.words.len();
        s.norm.push_segment(body);
        kind::detect(&s.norm, 0, body_start, &mut tags.kinds);
        self.find_mentions(&s.norm, body_start, &mut s.mentions, &mut s.hashes);
        for m in s.mentions.iter().filter(|m| m.target.bang) {
            s.norm.join_after(m.last);
        }
        let norm = &s.norm;

        'shows: {
            if s.mentions.is_empty() {
                break 'shows;
            }
            s.refs.clear();
            season::parse(norm, &mut s.refs);
            let links = related_links(norm, body_start);
            let roundup = roundup(norm, body_start);
            // A round-up's related-links list names the titles it features, one per item.
            let featured = roundup.then_some(links);
            self.settle(norm, body_start, featured, &mut s.mentions, &s.refs);
            if s.mentions.is_empty() {
                break 'shows;
            }
            // A season word inside a show's name ("Anime Series - 05", "Series Five") is
            // the name, not a season: read the references again around the names.
            let mentions = &s.mentions;
            let inside = |k: usize| mentions.iter().any(|m| (m.first..=m.last).contains(&k));
            if s.refs.iter().any(|r| inside(r.first)) {
                s.refs.clear();
                season::parse_outside(norm, inside, &mut s.refs);
            }
            ranks(norm, body_start, &mut s.rank);
            let ctx = Ctx {
                norm,
                body_start,
                rank: &s.rank,
                related: if roundup { norm.words.len() } else { links },
                featured,
                news_kind: !tags.kinds.is_empty(),
            };
            let main = relevance(&ctx, &s.mentions, &s.refs, &mut s.scores);
            if s.scores.is_empty() {
                break 'shows;
            }

            // Seasons: bind every reference to a show, keep those of tagged shows.
            s.bound.clear();
            for r in &s.refs {
                if let Some((show, direct)) = bind(norm, &s.mentions, r, main) {
                    if s.scores.iter().any(|x| x.show == show) {
                        s.bound.push(Bound {
                            show,
                            r: *r,
                            direct,
                        });
                    }
                }
            }
            for sc in &s.scores {
                let info = &self.shows[sc.show as usize];
                tags.shows.push(ShowTag {
                    slug: info.slug.clone(),
                    name: info.name.clone(),
                    seasons: seasons_of(&ctx, &s.bound, sc.show),
                });
            }
        }
        if tags.shows.is_empty() {
            kind::screen_subject_or_drop(norm, body_start, &mut tags.kinds);
        }
        tags
    }

    /// Judges every mention, lets weak ones count for shows confirmed elsewhere, and keeps
    /// the accepted ones.
    fn settle(
        &self,
        norm: &Norm,
        body_start: usize,
        featured: Option<usize>,
        mentions: &mut Vec<Mention>,
        refs: &[Ref],
    ) {
        for k in 0..mentions.len() {
            let m = &mentions[k];
            let v = if shape_ok(norm, m) && is_featured(norm, m, featured) {
                Verdict::Accept
            } else {
                self.judge(norm, m, mentions, refs, body_start)
            };
            mentions[k].state = v;
        }
        for k in 0..mentions.len() {
            if mentions[k].state == Verdict::Weak {
                let show = mentions[k].target.show;
                if mentions
                    .iter()
                    .any(|m| m.target.show == show && m.state == Verdict::Accept)
                {
                    mentions[k].state = Verdict::Accept;
                }
            }
        }
        mentions.retain(|m| m.state == Verdict::Accept);
    }

    /// Every match of a name (automaton, then typo anchors), in order.
    fn find_mentions(
        &self,
        norm: &Norm,
        body_start: usize,
        out: &mut Vec<Mention>,
        hashes: &mut Vec<u64>,
    ) {
        out.clear();
        self.exact_mentions(norm, out);
        let m = &self.matcher;
        if m.fuzzy.is_empty() {
            return;
        }
        let exact = out.len();
        hashes.clear();
        hashes.extend((0..norm.words.len()).map(|i| word_hash(norm.word(i).as_bytes())));
        for i in 0..norm.words.len() {
            if norm.words[i].end - norm.words[i].start < m.min_anchor as u32
                || norm.words[i].has(Flags::CJK)
            {
                continue;
            }
            let Some(list) = m.anchors.get(&hashes[i]) else {
                continue;
            };
            for &(fi, at) in list {
                let Some(start) = i.checked_sub(at as usize) else {
                    continue;
                };
                if let Some(found) = self.typo_at(norm, hashes, fi, start, body_start) {
                    // A longer or equal exact match wins; a shorter one inside loses (`Us`).
                    let n = found.last - found.first + 1;
                    let beaten = out[..exact].iter().any(|x| {
                        x.first <= found.last && found.first <= x.last && x.last - x.first + 1 >= n
                    }) || out
                        .iter()
                        .any(|x| x.first == start && x.target.show == found.target.show);
                    if !beaten {
                        out.push(found);
                    }
                }
            }
        }
        if out.len() > exact {
            let fuzzy: Vec<(usize, usize)> =
                out[exact..].iter().map(|x| (x.first, x.last)).collect();
            let mut k = 0;
            out.retain(|x| {
                k += 1;
                k > exact || !fuzzy.iter().any(|&(a, b)| x.first <= b && a <= x.last)
            });
            out.sort_by_key(|x| x.first);
        }
    }

    /// The automaton's matches, whole words only.
    fn exact_mentions(&self, norm: &Norm, out: &mut Vec<Mention>) {
        let m = &self.matcher;
        let hay = norm.buf.as_str();
        let mut pos = 0;
        while let Some(ac) = m.ac.as_ref().filter(|_| pos < hay.len()) {
            let Some(hit) = ac.find(Input::new(hay).span(pos..hay.len())) else {
                break;
            };
            pos = hit.end() - 1;
            let start = (hit.start() + 1) as u32;
            let Ok(first) = norm.words.binary_search_by_key(&start, |w| w.start) else {
                continue;
            };
            let (a, b) = m.pattern_targets[hit.pattern().as_usize()];
            for t in &m.targets[a as usize..b as usize] {
                out.push(Mention {
                    target: *t,
                    first,
                    last: first + t.words as usize - 1,
                    state: Verdict::Reject,
                });
            }
        }
    }

    /// Fuzzy name `fi` written with one typo at words `start..`: exactly one word differs
    /// (by hash), by one small word for another (`Attack of Titan`) or one letter in a word
    /// of three letters or more (four for an added or missing letter), within one segment.
    fn typo_at(
        &self,
        norm: &Norm,
        hashes: &[u64],
        fi: u32,
        start: usize,
        body_start: usize,
    ) -> Option<Mention> {
        let m = &self.matcher;
        let f = &m.fuzzy[fi as usize];
        let n = f.words.len();
        let end = start + n - 1;
        if end >= norm.words.len() {
            return None;
        }
        let want = &m.fuzzy_hashes[f.hashes as usize..f.hashes as usize + n];
        let mut odd = None;
        let mut differ = 0;
        for (k, h) in want.iter().enumerate() {
            if hashes[start + k] != *h {
                differ += 1;
                odd = Some(k);
            }
        }
        let k = odd.filter(|_| differ == 1)?;
        let (tw, pw) = (norm.word(start + k), &*f.words[k]);
        let small_swap = is_small(tw) && is_small(pw);
        let min = if tw.len() == pw.len() { 3 } else { 4 };
        let typo = pw.len() >= min && within_one_edit(tw.as_bytes(), pw.as_bytes());
        let same = (0..n).all(|j| j == k || norm.word(start + j) == &*f.words[j]);
        if !(small_swap || typo) || !same || (start < body_start) != (end < body_start) {
            return None;
        }
        Some(Mention {
            target: f.target,
            first: start,
            last: end,
            state: Verdict::Reject,
        })
    }

    /// Whether a mention counts (see the module docs).
    fn judge(
        &self,
        norm: &Norm,
        m: &Mention,
        all: &[Mention],
        refs: &[Ref],
        body_start: usize,
    ) -> Verdict {
        let t = &m.target;
        let show = &self.shows[t.show as usize];
        if !show.exclude.is_empty() && excluded(norm, m, &show.exclude) {
            return Verdict::Reject;
        }
        if show.require_context == Some(false) {
            return Verdict::Accept;
        }
        let words = &norm.words;
        let after = next_word(norm, m.last);
        let quoted = words[m.first].has(Flags::OPEN_Q)
            && (words[m.last].has(Flags::CLOSE_Q)
                || (is_poss(norm, m.last + 1) && words[m.last + 1].has(Flags::CLOSE_Q)));
        if not_the_show(norm, m, body_start) {
            return Verdict::Reject;
        }
        let shape = shape_ok(norm, m);
        // An ordinary word left when `The` is dropped (`Office` of `The Office`) needs quotes
        // or a season right after it.
        let bare_variant = t.variant && t.ordinary && t.words == 1;
        let explicit = show.require_context == Some(true) || bare_variant;
        let season_follows = after.is_some_and(|a| refs.iter().any(|r| r.first == a))
            || release_follows(norm, m, refs);
        if !t.ordinary && !explicit {
            return distinctive_name(norm, m, all, refs, (shape, quoted), season_follows);
        }
        if quoted {
            return Verdict::Accept;
        }
        if !shape {
            // `boardwalk Empire season 3 spoilers`: a title of several words, typed without
            // all its capitals, that a season follows.
            let capital = (m.first..=m.last).any(|k| words[k].has(Flags::UPPER));
            if t.words >= 2 && capital && season_follows {
                return Verdict::Accept;
            }
            return Verdict::Reject;
        }
        let informative = informative_caps(norm, m);
        // Beside another show's name, a capital is a list (`Simpsons/Family Guy crossover`).
        let listed_beside = all
            .iter()
            .any(|x| x.last + 1 == m.first || x.first == m.last + 1);
        if informative && t.words < 3 && !season_follows && glued(norm, m) && !listed_beside {
            // `AMC's Dark Winds`, `the White House`: part of a longer capitalized name.
            return Verdict::Weak;
        }
        if season_follows
            || (!bare_variant
                && (adjacent_cue(norm, m, refs)
                    || headline_subject(norm, m, body_start)
                    || listed(norm, m, body_start)
                    || title_segment(norm, m, body_start)))
        {
            return Verdict::Accept;
        }
        if explicit {
            return Verdict::Weak;
        }
        if t.words >= 3 {
            return Verdict::Accept;
        }
        if informative && ((t.words == 2 && exact_shape(norm, m)) || window_cue(norm, m)) {
            return Verdict::Accept;
        }
        if informative && season_later(norm, m, all, refs) {
            return Verdict::Accept;
        }
        Verdict::Weak
    }
}

/// The verdict on a mention of a name that is no ordinary phrase and needs no context by
/// config: it counts when written like a title (`shape`: its capitals; or `quoted`, for one
/// word with its capitals or a season after it) or when it has several words, unless a
/// one-word name is glued to a person's name.
fn distinctive_name(
    norm: &Norm,
    m: &Mention,
    all: &[Mention],
    refs: &[Ref],
    (shape, quoted): (bool, bool),
    season_follows: bool,
) -> Verdict {
    let t = &m.target;
    // Quotes around one word written without the title's capital are scare quotes (`told
    // to go into 'lockdown'`), unless a season follows.
    let quoted = quoted && (shape || t.words >= 2 || season_follows);
    if !(shape || quoted || t.words >= 2) {
        return Verdict::Reject;
    }
    // `comedian Dave Lawson`: a one-word name glued to a capitalized word that is no common
    // word (nor another name: lists) is a person's or a longer name.
    if t.words == 1
        && !t.all_caps
        && !quoted
        && !season_follows
        && person_after(norm, m, refs)
        && !all.iter().any(|x| x.first == m.last + 1)
    {
        return Verdict::Weak;
    }
    Verdict::Accept
}

/// `s` cut to at most `max` bytes, at a character boundary.
fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The body (summary, then the content unless it repeats the summary) as plain text, in
/// `s.body`.
fn fill_body(s: &mut Scratch, summary: Option<&str>, content: Option<&str>) {
    s.summary.clear();
    s.content.clear();
    s.body.clear();
    if let Some(h) = summary {
        html_to_plain(h, &mut s.summary);
    }
    if let Some(h) = content {
        html_to_plain(h, &mut s.content);
    }
    let summary_text = s.summary.trim();
    let content_text = s.content.trim();
    let probe = prefix(summary_text, 80);
    if content_text.is_empty() || (!summary_text.is_empty() && !content_text.contains(probe)) {
        s.body.push_str(summary_text);
        s.body.push('\n');
    }
    s.body.push_str(content_text);
}

/// What the relevance and season rules read of one entry.
struct Ctx<'a> {
    norm: &'a Norm,
    /// First word of the body.
    body_start: usize,
    /// Per word: its position in the body counted in words (see [`ranks`]).
    rank: &'a [u32],
    /// Where the body's trailing list of related links starts (see [`related_links`]).
    related: usize,
    /// Where the list of featured titles starts, when the title announces a round-up (see
    /// [`is_featured`]).
    featured: Option<usize>,
    /// The title has a news kind (an interview, a casting...): TV news, whoever it names.
    news_kind: bool,
}

impl Ctx<'_> {
    fn in_title(&self, i: usize) -> bool {
        i < self.body_start
    }

    /// In the title or the first [`LEAD_WORDS`] words of the body.
    fn in_lead(&self, i: usize) -> bool {
        self.in_title(i) || self.rank[i] < LEAD_WORDS as u32
    }
}

/// Every word's position in the body, counted in words: a CJK character counts as a third
/// of one (Korean, Japanese and Chinese words are two to four characters, and each
/// character is a word of the stream). Title words get 0.
fn ranks(norm: &Norm, body_start: usize, out: &mut Vec<u32>) {
    out.clear();
    out.resize(body_start.min(norm.words.len()), 0);
    let mut thirds = 0u32;
    for w in &norm.words[out.len()..] {
        out.push(thirds / 3);
        thirds += if w.has(Flags::CJK) { 1 } else { 3 };
    }
}

/// The (body) mention credits a person rather than naming the news: `<show> star|alum|winner|
/// actor|actress|contestant|creator|showrunner` before a capitalized name or `and`/`is`...
/// (`Succession star Sarah Snook`, `the 'Office' alums and`), `the <show> actor`, or
/// `creator|star... of <show>`.
fn credit(norm: &Norm, m: &Mention) -> bool {
    let n = norm.words.len();
    let w = |i: usize| if i < n { norm.word(i) } else { "" };
    // `Creator of Family Guy, Seth MacFarlane ...`, `star of 'Taxi'`.
    let of = prev_word(norm, m.first).filter(|&p| w(p) == "of");
    if of
        .and_then(|p| prev_word(norm, p))
        .is_some_and(|c| credit_noun(w(c)))
    {
        return true;
    }
    if let Some(a) = next_word(norm, m.last) {
        let noun = credit_noun(w(a));
        if noun {
            let by_article = after_article(norm, m);
            let person = norm.words.get(a + 1).is_some_and(|b| {
                !b.has(Flags::CLAUSE)
                    && ((b.has(Flags::CAP) && !is_cue(w(a + 1)) && !b.has(Flags::NUM))
                        || matches!(w(a + 1), "and" | "is" | "are" | "was" | "were"))
            });
            if by_article || person {
                return true;
            }
        }
    }
    false
}

/// A word that says who a person is by a show: its star, alum, winner, creator...
fn credit_noun(w: &str) -> bool {
    matches!(
        w,
        "star"
            | "stars"
            | "alum"
            | "alums"
            | "alumna"
            | "alumnus"
            | "winner"
            | "actor"
            | "actress"
            | "contestant"
    ) || creator_noun(w)
}

/// A word for the people who made a show: their new project is not the show, but what they
/// say otherwise is mostly its news.
fn creator_noun(w: &str) -> bool {
    matches!(w, "creator" | "creators" | "showrunner")
}

/// The title credits a person with the show (a name of two capitalized words, or `the
/// <show> star`) and says nothing else of TV: no news kind, no season or episode, no TV word
/// ([`is_cue`]: a network, `season`, `finale`, `reboot`, `Emmy`...) outside the credit, no
/// death or award (`'America's Got Talent' Winner Grace VanderWaal Is Totally
/// Unrecognizable`). The person's life is the news; the show only says who they are.
fn person_news(ctx: &Ctx<'_>, m: &Mention, refs: &[Ref]) -> bool {
    let norm = ctx.norm;
    let Some(noun) = next_word(norm, m.last) else {
        return false;
    };
    // What a show's creators say is mostly news of the show (`Twin Peaks Creators ... Tweet
    // About That Revival`); only their new project is not.
    if creator_noun(norm.word(noun)) {
        return false;
    }
    // A name of two capitalized words, or `the <show> star`: not `'The Masked Singer' Stars
    // Revealed!` (the contestants are the show's news).
    let named = |k: usize| {
        norm.words.get(k).is_some_and(|w| {
            w.has(Flags::CAP) && !w.has(Flags::CLAUSE | Flags::NUM) && !is_cue(norm.word(k))
        })
    };
    let person = after_article(norm, m) || (named(noun + 1) && named(noun + 2));
    // An actor's death, an award, or looking back is news of the role they are known for.
    let role_news = (0..ctx.body_start).any(|k| {
        (norm.word(k) == "looks" && norm.word_or_empty(k + 1) == "back")
            || matches!(
                norm.word(k),
                "dies"
                    | "died"
                    | "dead"
                    | "obituary"
                    | "tribute"
                    | "tributes"
                    | "remembered"
                    | "award"
                    | "awards"
                    | "globe"
                    | "globes"
                    | "bafta"
                    | "baftas"
                    | "nomination"
                    | "nominated"
                    | "reflects"
                    | "recalls"
                    | "remembers"
            )
    });
    person
        && !ctx.news_kind
        && !role_news
        && !refs.iter().any(|r| ctx.in_title(r.first))
        && (0..ctx.body_start)
            .filter(|&k| !(m.first..=noun).contains(&k))
            .all(|k| !is_cue(norm.word(k)))
}

/// `the` or `a` stands right before the mention (`the 'Taxi' star`).
fn after_article(norm: &Norm, m: &Mention) -> bool {
    prev_word(norm, m.first).is_some_and(|p| matches!(norm.word(p), "the" | "a"))
}

/// After the mention, the title announces a new project (`to lead new drama`, `joins new
/// Netflix series`): `new` and, at most two words on, a word for a work.
fn new_project(norm: &Norm, m: &Mention, body_start: usize) -> bool {
    (m.last + 1..body_start).any(|i| {
        norm.word(i) == "new"
            && (i + 1..body_start.min(i + 4)).any(|k| {
                matches!(
                    norm.word(k),
                    "drama"
                        | "kdrama"
                        | "series"
                        | "show"
                        | "sitcom"
                        | "anime"
                        | "film"
                        | "movie"
                        | "romance"
                        | "thriller"
                        | "comedy"
                        | "project"
                        | "role"
                        | "musical"
                        | "play"
                )
            })
    })
}

/// A season reference shares the mention's sentence.
fn season_near(ctx: &Ctx<'_>, m: &Mention, refs: &[Ref]) -> bool {
    let words = &ctx.norm.words;
    refs.iter()
        .any(|r| words[r.first].sent == words[m.first].sent)
}

/// The first word of a list of related links that outlets append to a body (`Read More >
/// Other Links From TVGuide.com ...`, `Related links: ...`, `See also: ...`), or the end of
/// the stream.
fn related_links(norm: &Norm, body_start: usize) -> usize {
    let n = norm.words.len();
    let w = |i: usize| if i < n { norm.word(i) } else { "" };
    (body_start..n)
        .find(|&i| match w(i) {
            "other" => w(i + 1) == "links" && w(i + 2) == "from",
            "related" => {
                matches!(w(i + 1), "links" | "stories" | "articles" | "coverage")
                    || norm.words.get(i + 1).is_some_and(|x| x.has(Flags::COLON))
            }
            "see" => {
                w(i + 1) == "also" && norm.words.get(i + 2).is_some_and(|x| x.has(Flags::COLON))
            }
            _ => false,
        })
        .unwrap_or(n)
}

/// The title announces a round-up or listicle (`The 15 Best TV Episodes of 2020`, `9 Shows
/// Like Monk`, `What's Coming in January to Netflix, Hulu, and More`, `Holiday Viewing
/// Guide`): the outlet's related-links list then names the titles it features.
fn roundup(norm: &Norm, body_start: usize) -> bool {
    let w = |i: usize| norm.word(i);
    let title = 0..body_start;
    let leading_number = (0..body_start.min(2)).any(|k| norm.words[k].has(Flags::NUM))
        && (body_start < 2 || norm.words[0].has(Flags::NUM) || w(0) == "the");
    leading_number
        || (body_start >= 2 && w(body_start - 1) == "more" && w(body_start - 2) == "and")
        || title.clone().any(|k| {
            matches!(
                w(k),
                "shows" | "episodes" | "movies" | "premieres" | "picks" | "guide" | "anticipated"
            ) || (w(k) == "what"
                && k + 2 < body_start
                && matches!(w(k + 2), "watch" | "coming" | "new" | "streaming"))
        })
}

/// The mention is a whole item of a round-up's related-links list (starting at `featured`):
/// a title the round-up features (`9 Shows Like Monk` ... `<li>House</li><li>Psych</li>`),
/// as the outlet's own link names it, whatever the name's words.
fn is_featured(norm: &Norm, m: &Mention, featured: Option<usize>) -> bool {
    let words = &norm.words;
    // A spin-off's item (`Nailed It! Holiday!`) counts for the name its `!` ends.
    let item_ends = |i: usize| {
        words
            .get(i)
            .is_none_or(|w| w.has(Flags::SENT | Flags::BANG))
    };
    featured.is_some_and(|from| m.first >= from)
        && words[m.first].has(Flags::SENT)
        && (item_ends(m.last + 1) || (is_poss(norm, m.last + 1) && item_ends(m.last + 2)))
}

/// Scores the shows of the accepted `mentions` into `scores` (tagged ones only, strongest
/// first) and returns the entry's main show: the only tagged show, or the only one in the
/// title.
fn relevance(
    ctx: &Ctx<'_>,
    mentions: &[Mention],
    refs: &[Ref],
    scores: &mut Vec<Score>,
) -> Option<u32> {
    let norm = ctx.norm;
    scores.clear();
    for m in mentions {
        let at = match scores.iter().position(|x| x.show == m.target.show) {
            Some(at) => at,
            None => {
                scores.push(Score {
                    show: m.target.show,
                    title: 0,
                    body: 0.0,
                    first: m.first,
                    tagged: false,
                    credited: false,
                });
                scores.len() - 1
            }
        };
        let sc = &mut scores[at];
        if m.first >= ctx.related {
            // A related-links list is not what the entry is about.
            continue;
        }
        if !ctx.in_title(m.first) && credit(norm, m) && !season_near(ctx, m, refs) {
            // `'America's Got Talent' winner Grace VanderWaal showed off a new look`: the
            // person is the news.
            continue;
        }
        if ctx.in_title(m.first)
            && credit(norm, m)
            && (new_project(norm, m, ctx.body_start) || person_news(ctx, m, refs))
        {
            // `'Lovely Runner' Star Byeon Woo Seok Confirmed To Lead New Fantasy Romance`,
            // `Succession star Sarah Snook secretly MARRIES comedian`: the news is the new
            // project or the person's own, not the show the person is known for.
            sc.credited = true;
        } else if ctx.in_title(m.first) {
            sc.title += 1;
        } else if is_featured(norm, m, ctx.featured) {
            // Featured by the round-up the title announces: as strong as the title's shows.
            sc.body += 2.0;
        } else {
            let i = ctx.rank[m.first] as usize;
            let mut w = if i < LEAD_WORDS {
                1.0
            } else if i < MID_WORDS {
                0.5
            } else {
                0.25
            };
            if norm.words[m.first].has(Flags::PAREN) {
                w *= 0.5;
            }
            sc.body += w;
        }
    }
    let title_shows = scores.iter().filter(|x| x.title > 0).count();
    for sc in scores.iter_mut() {
        let need = if title_shows > 0 { 2.0 } else { 1.0 };
        sc.tagged = !sc.credited && (sc.title > 0 || sc.body >= need);
    }
    scores.retain(|x| x.tagged);
    scores.sort_by(|a, b| {
        let wa = a.title as f32 * 4.0 + a.body;
        let wb = b.title as f32 * 4.0 + b.body;
        wb.total_cmp(&wa).then(a.first.cmp(&b.first))
    });
    if scores.len() == 1 {
        Some(scores[0].show)
    } else if title_shows == 1 {
        scores.iter().find(|x| x.title > 0).map(|x| x.show)
    } else {
        None
    }
}

/// The word after `last`, skipping a possessive `s`, in the same segment and clause.
fn next_word(norm: &Norm, last: usize) -> Option<usize> {
    let mut i = last + 1;
    if is_poss(norm, i) {
        i += 1;
    }
    let w = norm.words.get(i)?;
    (!w.has(Flags::CLAUSE)).then_some(i)
}

/// The word before `first`, skipping a possessive `s`, in the same clause.
fn prev_word(norm: &Norm, first: usize) -> Option<usize> {
    if norm.words[first].has(Flags::CLAUSE) || first == 0 {
        return None;
    }
    let mut i = first - 1;
    if norm.words[i].has(Flags::POSS) {
        if norm.words[i].has(Flags::CLAUSE) || i == 0 {
            return None;
        }
        i -= 1;
    }
    Some(i)
}

fn excluded(norm: &Norm, m: &Mention, phrases: &[String]) -> bool {
    let hay = norm.buf.as_str();
    let ms = norm.words[m.first].start as usize - 1;
    let me = norm.words[m.last].end as usize + 1;
    phrases.iter().any(|p| {
        let mut from = ms.saturating_sub(p.len());
        while !hay.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (me + p.len()).min(hay.len());
        while !hay.is_char_boundary(to) {
            to += 1;
        }
        // The phrase overlaps the match by at least one word.
        hay[from..to].match_indices(p.as_str()).any(|(o, _)| {
            let o = from + o;
            o + 1 < me && o + p.len() > ms + 1
        })
    })
}

/// Written with the configured capitals: every word capitalized in the name has a capital
/// here; a name of at most three letters in all capitals (`US`) is not the name (`Us`).
fn shape_ok(norm: &Norm, m: &Mention) -> bool {
    let t = &m.target;
    let mut all_caps = true;
    for k in 0..t.words as usize {
        let w = &norm.words[m.first + k];
        if t.caps >> k & 1 == 1 && !w.has(Flags::UPPER) {
            return false;
        }
        if w.has(Flags::LOWER) || !w.has(Flags::UPPER) {
            all_caps = false;
        }
    }
    !(t.short && all_caps && !t.all_caps)
}

/// Every word starts with a capital exactly where the configured name does.
fn exact_shape(norm: &Norm, m: &Mention) -> bool {
    let t = &m.target;
    (0..t.words as usize).all(|k| {
        let w = &norm.words[m.first + k];
        w.has(Flags::NUM)
            || w.has(Flags::CJK)
            || w.has(Flags::POSS)
            || w.has(Flags::CAP) == (t.cap_first >> k & 1 == 1)
    })
}

/// Capitals say something here: not the first word of a sentence, in a sentence that is
/// not written in title case or all capitals.
fn informative_caps(norm: &Norm, m: &Mention) -> bool {
    let words = &norm.words;
    if words[m.first].has(Flags::SENT) {
        return false;
    }
    let sent = words[m.first].sent;
    let mut from = m.first;
    while from > 0 && words[from - 1].sent == sent {
        from -= 1;
    }
    let (mut total, mut capped) = (0, 0);
    for (i, w) in words.iter().enumerate().skip(from) {
        if w.sent != sent {
            break;
        }
        if (m.first..=m.last).contains(&i)
            || w.has(Flags::NUM)
            || w.has(Flags::CJK)
            || w.has(Flags::POSS)
            || w.end - w.start < 4
        {
            continue;
        }
        total += 1;
        if w.has(Flags::UPPER) {
            capped += 1;
        }
    }
    total > 0 && capped * 2 <= total
}

/// In sentence-case text, a capitalized word right before or after the name (not a cue, not
/// the sentence's first word) makes it part of a longer name.
fn glued(norm: &Norm, m: &Mention) -> bool {
    let words = &norm.words;
    let capital = |i: usize| {
        let w = &words[i];
        w.has(Flags::CAP) && !w.has(Flags::POSS) && !is_cue(norm.word(i))
    };
    let before = m.first > 0
        && !words[m.first].has(Flags::CLAUSE)
        && !words[m.first - 1].has(Flags::SENT)
        && capital(m.first - 1);
    let after =
        m.last + 1 < words.len() && !words[m.last + 1].has(Flags::CLAUSE) && capital(m.last + 1);
    before || after
}

/// The name is used for something else: figuratively (`China's real-life Squid Game`), as
/// the title of a film, game, book or album named right before it (`upcoming movie 'The
/// Challenge'`), or in a calendar title tagged as another medium (`[GAME] Onimusha: ...`).
fn not_the_show(norm: &Norm, m: &Mention, body_start: usize) -> bool {
    let w = |i: usize| norm.word(i);
    if let Some(p) = prev_word(norm, m.first) {
        if matches!(
            w(p),
            "movie"
                | "film"
                | "game"
                | "videogame"
                | "album"
                | "novel"
                | "book"
                | "musical"
                | "song"
                | "single"
        ) {
            return true;
        }
        if p > 0 && w(p) == "life" && w(p - 1) == "real" {
            return true;
        }
    }
    if m.first < body_start && norm.words[0].has(Flags::PAREN) {
        let tag_end = norm
            .words
            .iter()
            .take_while(|x| x.has(Flags::PAREN))
            .count();
        if tag_end == 1
            && tag_end <= m.first
            && matches!(
                w(0),
                "game"
                    | "games"
                    | "movie"
                    | "movies"
                    | "film"
                    | "films"
                    | "book"
                    | "books"
                    | "music"
                    | "album"
                    | "concert"
                    | "event"
            )
        {
            return true;
        }
    }
    false
}

/// The word after a one-word name is capitalized, in the same clause, and no common word,
/// cue or network, and no season or TV word follows it: a surname or the rest of a longer
/// name (`Dave Lawson`; not the spin-off in `Pokémon Horizons Season 2`).
fn person_after(norm: &Norm, m: &Mention, refs: &[Ref]) -> bool {
    let k = m.last + 1;
    let Some(w) = norm.words.get(k) else {
        return false;
    };
    let t = norm.word(k);
    let tv_next = refs.iter().any(|r| r.first == k + 1)
        || norm.words.get(k + 1).is_some_and(|x| !x.has(Flags::CLAUSE)) && is_cue(norm.word(k + 1));
    w.has(Flags::CAP)
        && !w.has(Flags::CLAUSE | Flags::POSS | Flags::NUM | Flags::SEG | Flags::CJK)
        && !is_common(t)
        && !is_cue(t)
        && !is_release_tag(t)
        && !tv_next
}

/// The name opens the title (after a bracketed tag, if any) and a colon follows it, and the
/// rest of the title has a TV word (`Supernatural: ... Fall Premiere Photos`): the headline's
/// subject.
fn headline_subject(norm: &Norm, m: &Mention, body_start: usize) -> bool {
    let words = &norm.words;
    if m.last + 1 >= body_start || !words[m.last + 1].has(Flags::COLON) {
        return false;
    }
    if !(0..m.first).all(|k| words[k].has(Flags::PAREN)) {
        return false;
    }
    (m.last + 1..body_start).any(|k| is_cue(norm.word(k)))
}

/// The name is a whole dash- or bar-separated segment of the title after its start, as
/// episode listings and calendars write the show (`Renewals and Regrets - The Real
/// Housewives`, `[TV] Silo — Farewell`, `Clip title | Show`).
fn title_segment(norm: &Norm, m: &Mention, body_start: usize) -> bool {
    let words = &norm.words;
    if m.last >= body_start {
        return false;
    }
    let first = &words[m.first];
    // Not the title's first words (`Evil - a short history of sin`), unless after a tag.
    let opens = m.first > 0
        && (first.has(Flags::DASH)
            || (words[m.first - 1].has(Flags::PAREN) && !first.has(Flags::PAREN)));
    let after = m.last + 1;
    let closes = after == body_start || words[after].has(Flags::DASH);
    let dashed = first.has(Flags::DASH) || (after < body_start && words[after].has(Flags::DASH));
    opens && closes && dashed && !first.has(Flags::PAREN)
}

/// The name is a whole item, followed by a comma, of a round-up title's list that ends in
/// `and More` (`What's Streaming in December: Sylvie's Love, The Wilds, and More`).
fn listed(norm: &Norm, m: &Mention, body_start: usize) -> bool {
    let words = &norm.words;
    if m.last + 1 >= body_start || body_start < 3 {
        return false;
    }
    let end_is_and_more = norm.word(body_start - 1) == "more" && norm.word(body_start - 2) == "and";
    if !end_is_and_more || !words[m.first].has(Flags::CLAUSE) {
        return false;
    }
    // A comma after it: `Wedding Plans, Moving and More` lists topics, not titles.
    let next = &words[m.last + 1];
    next.has(Flags::CLAUSE) && !next.has(Flags::SENT | Flags::COLON | Flags::DASH)
}

/// A cue right before or right after the name (see the module docs).
fn adjacent_cue(norm: &Norm, m: &Mention, refs: &[Ref]) -> bool {
    if let Some(p) = prev_word(norm, m.first) {
        let pw = norm.word(p);
        // A network counts with its possessive only: `Netflix's Wednesday`, not
        // `Disney Succession plan`.
        let possessive = p + 1 < m.first;
        if is_pre_cue(pw)
            && (possessive || !(is_network(pw) || matches!(pw, "plus" | "tv" | "video")))
        {
            return true;
        }
        if matches!(pw, "of" | "in") && p > 0 && !norm.words[p].has(Flags::CLAUSE) {
            let q = p - 1;
            if is_cue(norm.word(q)) || refs.iter().any(|r| r.last == q) {
                return true;
            }
        }
    }
    next_word(norm, m.last).is_some_and(|a| {
        let w = norm.word(a);
        let then = |k: usize| {
            if k < norm.words.len() {
                norm.word(k)
            } else {
                ""
            }
        };
        is_post_cue(w)
            || (matches!(w, "co" | "guest") && is_post_cue(then(a + 1)))
            || (matches!(w, "final" | "new" | "last" | "first" | "next" | "upcoming")
                && matches!(then(a + 1), "season" | "episode" | "episodes" | "trailer"))
            || (w == "season"
                && a + 1 < norm.words.len()
                && matches!(
                    norm.word(a + 1),
                    "finale" | "premiere" | "opener" | "trailer" | "recap" | "review"
                ))
            // `Black Mirror Christmas special`, `Walking Dead spin-off`.
            || (matches!(w, "christmas" | "holiday" | "halloween" | "anniversary")
                && then(a + 1) == "special")
            || (w == "spin" && then(a + 1) == "off")
    })
}

/// A cue word within two words on either side, in the same clause.
fn window_cue(norm: &Norm, m: &Mention) -> bool {
    let words = &norm.words;
    let mut i = m.first;
    let mut seen = 0;
    let mut first_prev = true;
    while seen < 2 && i > 0 && !words[i].has(Flags::CLAUSE) {
        i -= 1;
        if words[i].has(Flags::POSS) {
            continue;
        }
        let w = norm.word(i);
        if first_prev && is_time_prep(w) {
            break;
        }
        first_prev = false;
        if is_cue(w) {
            return true;
        }
        seen += 1;
    }
    let mut i = m.last + 1;
    let mut seen = 0;
    while seen < 2 && i < words.len() && !words[i].has(Flags::CLAUSE) {
        if !words[i].has(Flags::POSS) {
            if is_cue(norm.word(i)) {
                return true;
            }
            seen += 1;
        }
        i += 1;
    }
    false
}

/// `Is Psych worth watching after Season 4?`: a season reference (not a compact one) later
/// in the mention's sentence, within eight words, with no other name between them, that
/// no `of <name>` after it claims (`Season 2 of Dark`): it is this show's season, so the
/// capitalized word is the title.
fn season_later(norm: &Norm, m: &Mention, all: &[Mention], refs: &[Ref]) -> bool {
    let words = &norm.words;
    let sent = words[m.first].sent;
    refs.iter().any(|r| {
        r.season.is_some()
            && !r.compact
            && r.first > m.last
            && r.first <= m.last + 8
            && words[r.first].sent == sent
            && !all.iter().any(|x| x.first > m.last && x.first < r.first)
            && !(matches!(norm.word_or_empty(r.last + 1), "of" | "for")
                && all.iter().any(|x| x.first == r.last + 2))
    })
}

/// The show a season reference belongs to, and whether its own sentence says so (rather
/// than the fallback to the entry's main show). See the module docs.
fn bind(norm: &Norm, mentions: &[Mention], r: &Ref, main: Option<u32>) -> Option<(u32, bool)> {
    let words = &norm.words;
    let after = r.last + 1;
    if after + 1 < words.len()
        && matches!(
            norm.word(after),
            "of" | "for" | "de" | "di" | "von" | "del" | "da" | "du" | "des" | "della" | "der"
        )
    {
        if let Some(m) = mentions.iter().find(|m| m.first == after + 1) {
            return Some((m.target.show, true));
        }
    }
    let sent = words[r.first].sent;
    if r.compact {
        // Right after the name, or with a release title's year or country between; across
        // a sentence break only when a dash or `#` follows it (`Rail Wars! - 07`).
        let m = mentions
            .iter()
            .filter(|m| m.last < r.first)
            .max_by_key(|m| m.last)?;
        let same = words[m.last].sent == sent
            || (m.last + 1 == r.first && words[r.first].has(Flags::DASH | Flags::HASH));
        let near = same && release_gap(norm, m.last + 1, r.first);
        return (near || release_subtitle(norm, mentions, m, r)).then_some((m.target.show, true));
    }
    let before = mentions
        .iter()
        .filter(|m| m.last < r.first && words[m.last].sent == sent)
        .max_by_key(|m| m.last);
    if let Some(m) = before {
        return Some((m.target.show, true));
    }
    if let Some(m) = mentions
        .iter()
        .filter(|m| m.first > r.last && words[m.first].sent == sent)
        .min_by_key(|m| m.first)
    {
        return Some((m.target.show, true));
    }
    main.map(|show| (show, false))
}

/// Whether words `from..to` may stand between a name and its compact season or episode: at
/// most two, each a possessive `s`, a year (`Name.2016.S01E05`, `Name (2016) S01E05`) or a
/// country in capitals (`Name US S01E11`).
fn release_gap(norm: &Norm, from: usize, to: usize) -> bool {
    to <= from + 2
        && (from..to).all(|k| {
            let w = &norm.words[k];
            let t = norm.word(k);
            w.has(Flags::POSS)
                || (w.has(Flags::NUM)
                    && t.len() == 4
                    && (t.starts_with("19") || t.starts_with("20")))
                || (w.has(Flags::UPPER)
                    && !w.has(Flags::LOWER)
                    && matches!(t, "us" | "uk" | "au" | "nz" | "ca"))
        })
}

/// A release name's subtitle between the show and its dashed episode, as fansub groups
/// name a sequel or a part: `[Commie] Yowamushi Pedal New Generation - 12 [741D24BA]`,
/// `[Cleo]Maken-Ki!_Two_-_10_(BD)`, `[Group] Mushoku Tensei: Jobless Reincarnation - 05`.
/// The whole title is the release name (only bracketed group tags before the show), and
/// what stands between is up to four capitalized words or numbers, no other show, no
/// bracket and no other dash: the episode is the show's (Sonarr reads the title up to the
/// dash the same way).
fn release_subtitle(norm: &Norm, mentions: &[Mention], m: &Mention, r: &Ref) -> bool {
    let words = &norm.words;
    let gap = m.last + 1..r.first;
    r.season.is_none()
        && r.episode.is_some()
        && words[r.first].has(Flags::DASH)
        && m.first > 0
        && (0..m.first).all(|k| words[k].has(Flags::PAREN))
        && !words[m.first].has(Flags::PAREN)
        && (1..=4).contains(&gap.len())
        && gap.clone().all(|k| {
            let w = &words[k];
            (w.has(Flags::CAP) || w.has(Flags::NUM))
                && !w.has(Flags::PAREN)
                && !w.has(Flags::DASH)
                && (k == m.last + 1 || !w.has(Flags::CLAUSE))
        })
        && !mentions
            .iter()
            .any(|x| x.first > m.last && x.first < r.first)
}

/// A compact season or episode (`S03E09`, `2x04`, `E334`, `- 07 [720p]`) follows the name,
/// maybe after a release gap (see [`release_gap`]), in the same clause or after a dash
/// (`[TV] Silo — S03E09`) or a closing parenthesis (`Name (2016) S01E05`): TV context.
fn release_follows(norm: &Norm, m: &Mention, refs: &[Ref]) -> bool {
    let words = &norm.words;
    refs.iter()
        .filter(|r| r.compact && r.first > m.last && r.first <= m.last + 3)
        .any(|r| {
            release_gap(norm, m.last + 1, r.first)
                && (m.last + 1..=r.first).all(|k| {
                    let w = &words[k];
                    !w.has(Flags::CLAUSE)
                        || (!w.has(Flags::SENT) && k == r.first && w.has(Flags::DASH))
                        || (!w.has(Flags::SENT)
                            && (w.has(Flags::PAREN) || words[k - 1].has(Flags::PAREN)))
                })
        })
}

/// The seasons of `show` from its bound references (see the module docs).
fn seasons_of(ctx: &Ctx<'_>, bound: &[Bound], show: u32) -> Vec<SeasonRef> {
    let refs = || bound.iter().filter(move |b| b.show == show);
    let mut out: Vec<SeasonRef> = Vec::new();
    let in_title = |r: &Ref| ctx.in_title(r.first);
    let in_lead = |r: &Ref| ctx.in_lead(r.first);
    let title_seasons: Vec<u32> = refs()
        .filter(|b| in_title(&b.r))
        .filter_map(|b| b.r.season)
        .collect();
    for b in refs() {
        let r = &b.r;
        let Some(season) = r.season else {
            continue;
        };
        let keep = if !title_seasons.is_empty() {
            // The lead may add a season it states beside one of the title's, as context
            // ("will return for Season 3 ... after Season 2 ended with a cliffhanger");
            // otherwise the body only adds episodes of the title's seasons.
            in_title(r)
                || (in_lead(r) && beside_title_season(ctx, r, refs(), &title_seasons))
                || (r.episode.is_some() && title_seasons.contains(&season))
        } else {
            in_lead(r)
                || (b.direct
                    && refs()
                        .filter(|x| x.direct && x.r.season == Some(season))
                        .count()
                        >= 2)
        };
        if keep {
            add_season(
                &mut out,
                SeasonRef {
                    season,
                    episode: r.episode,
                },
            );
        }
    }
    // Episode-only references join the show's one season; with no season at all, those of
    // the show's own sentences are absolute episode numbers (season 0, `slug/eM`).
    let mut numbers: Vec<u32> = out.iter().map(|s| s.season).collect();
    numbers.dedup();
    let season = match numbers[..] {
        [one] => one,
        [] => ABSOLUTE,
        _ => return out,
    };
    for b in refs() {
        if let (None, Some(e)) = (b.r.season, b.r.episode) {
            if in_lead(&b.r) && (season != ABSOLUTE || b.direct) {
                add_season(
                    &mut out,
                    SeasonRef {
                        season,
                        episode: Some(e),
                    },
                );
            }
        }
    }
    out
}

/// Whether a body reference shares its sentence with a reference to one of the title's
/// seasons of the same show.
fn beside_title_season<'b>(
    ctx: &Ctx<'_>,
    r: &Ref,
    mut refs: impl Iterator<Item = &'b Bound>,
    title_seasons: &[u32],
) -> bool {
    let sent = |i: usize| ctx.norm.words[i].sent;
    refs.any(|b| {
        b.r.first != r.first
            && !ctx.in_title(b.r.first)
            && sent(b.r.first) == sent(r.first)
            && b.r.season.is_some_and(|s| title_seasons.contains(&s))
    })
}

/// Adds `s` in order of first mention: an episode refines a bare season, a bare season
/// after its episodes adds nothing.
fn add_season(out: &mut Vec<SeasonRef>, s: SeasonRef) {
    if out.contains(&s) {
        return;
    }
    match s.episode {
        None => {
            if !out.iter().any(|x| x.season == s.season) {
                out.push(s);
            }
        }
        Some(_) => {
            if let Some(x) = out
                .iter_mut()
                .find(|x| x.season == s.season && x.episode.is_none())
            {
                *x = s;
            } else {
                out.push(s);
            }
        }
    }
}

/// A title whose colons a Usenet indexer wrote as `3A` (the `%3A` of a file name with its
/// `%` dropped: `[BakedFish] World Fool News3A Part II - 01`), with the colons back: only a
/// `3A` glued to a lower-case letter and followed by a space, so `Vol 3A` or `F13A` stay.
fn unescape_colons(title: &str) -> std::borrow::Cow<'_, str> {
    let b = title.as_bytes();
    let escaped = |i: usize| {
        i > 0
            && b[i - 1].is_ascii_lowercase()
            && b.get(i..i + 2) == Some(b"3A")
            && b.get(i + 2) == Some(&b' ')
    };
    if !(0..b.len()).any(escaped) {
        return title.into();
    }
    let mut out = String::with_capacity(title.len());
    let mut last = 0;
    for i in (0..b.len()).filter(|&i| escaped(i)) {
        out.push_str(&title[last..i]);
        out.push(':');
        last = i + 2;
    }
    out.push_str(&title[last..]);
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(name: &str, aliases: &[&str]) -> Show {
        Show {
            name: name.into(),
            aliases: aliases.iter().map(|a| (*a).into()).collect(),
            slug: name
                .to_lowercase()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "-"),
            require_context: None,
            exclude: vec![],
        }
    }

    fn terms(t: &Tagger, title: &str, summary: &str) -> Vec<String> {
        let mut v = t.tag(title, Some(summary), None).show_terms();
        v.sort();
        v
    }

    fn tagger() -> Tagger {
        Tagger::new(&[
            show("All of Us Are Dead", &["지금 우리 학교는"]),
            show("You", &[]),
            show("Us", &[]),
            show("The Last of Us", &[]),
            show("Squid Game", &["오징어 게임"]),
            show("Wednesday", &[]),
            show("Attack on Titan", &["進撃の巨人"]),
        ])
    }

    #[test]
    fn a_roundup_tags_the_titles_its_links_list_features() {
        let t = Tagger::new(&[
            show("Monk", &[]),
            show("House", &[]),
            show("Psych", &[]),
            show("Perry Mason", &[]),
        ]);
        let links = "<p>Monk was right: it's a jungle out there.</p><p><strong>Other Links \
                     From TVGuide.com</strong><ul><li><a href=\"/monk\">Monk</a></li>\
                     <li><a href=\"/s\">Tony Shalhoub</a></li><li><a href=\"/h\">House</a></li>\
                     <li><a href=\"/p\">Psych</a></li><li><a href=\"/pm\">Perry Mason</a></li></ul>";
        assert_eq!(
            terms(&t, "9 Shows Like Monk to Watch If You Like Monk", links),
            ["house", "monk", "perry-mason", "psych"]
        );
        // Not a round-up: the outlet's links list names no subject.
        assert_eq!(
            terms(&t, "'Monk' star Tony Shalhoub looks back", links),
            ["monk"]
        );
        // A round-up, but `house` is not a whole item of its list: an ordinary word.
        let prose = "<p>Monk was right.</p><p>Other Links From TVGuide.com</p><ul>\
                     <li>A house in the woods</li></ul>";
        assert!(!terms(&t, "9 Shows Like Monk", prose).contains(&"house".to_string()));
    }

    #[test]
    fn specials_spinoffs_and_crossovers_are_tv_context() {
        let t = Tagger::new(&[
            show("Family Guy", &[]),
            show("The Simpsons", &[]),
            show("Black Mirror", &[]),
            show("The Walking Dead", &[]),
        ]);
        assert_eq!(
            terms(&t, "Black Mirror Christmas special announced", ""),
            ["black-mirror"]
        );
        assert_eq!(
            terms(&t, "The Upcoming Walking Dead Spin-off Casts Its Lead", ""),
            ["the-walking-dead"]
        );
        // Two shows side by side are a list, not one longer name.
        assert_eq!(
            terms(&t, "The Simpsons/Family Guy crossover was eh, right?", ""),
            ["family-guy", "the-simpsons"]
        );
        // An ordinary phrase with a capital stays one: no cue, no other show beside it.
        assert!(terms(&t, "Meet the Family Guy Fieri Never Forgot", "").is_empty());
    }

    #[test]
    fn kinds_that_need_a_screen_work_need_one_when_no_show_is_tagged() {
        let t = Tagger::new(&[show("Black Mirror", &[])]);
        let kinds = |title: &str| -> Vec<&str> {
            t.tag(title, None, None)
                .kinds
                .iter()
                .map(|k| k.as_str())
                .collect()
        };
        // General news: a government's review, a transfer, a cancelled fair.
        assert_eq!(kinds("Ministers order review of hospital funding"), [""; 0]);
        assert_eq!(kinds("Striker joins Arsenal on a free transfer"), [""; 0]);
        // A screen word, a quoted title or a show says what is reviewed or cast.
        assert_eq!(
            kinds("'Agatha All Along' Review: Kathryn Hahn Casts a Spell"),
            ["review"]
        );
        assert_eq!(kinds("Film review: a quiet triumph"), ["review"]);
        assert_eq!(kinds("Black Mirror season 7 review"), ["review"]);
        // A trailer says what it is on its own.
        assert_eq!(kinds("Watch the first trailer for Moonbase"), ["trailer"]);
    }

    #[test]
    fn a_star_s_new_project_is_not_the_show_they_are_known_for() {
        let t = Tagger::new(&[show("Lovely Runner", &[]), show("Wednesday", &[])]);
        let summary = "<p>Byeon Woo Seok, who won hearts in \u{201c}Lovely Runner\u{201d}, \
                       will star opposite IU in the period romance.</p>";
        assert!(terms(
            &t,
            "\u{201c}Lovely Runner\u{201d} Star Byeon Woo Seok Confirmed To Lead New Fantasy Romance",
            summary
        )
        .is_empty());
        assert!(terms(&t, "Wednesday star Jenna Ortega joins new horror film", "").is_empty());
        // The show's own news, told through its star, stays.
        assert_eq!(
            terms(&t, "Wednesday star Jenna Ortega teases Season 2", ""),
            ["wednesday", "wednesday/s2"]
        );
        assert_eq!(
            terms(&t, "Wednesday star Jenna Ortega on the new season", ""),
            ["wednesday"]
        );
    }

    #[test]
    fn an_indexer_s_escaped_colon_is_a_colon() {
        let t = Tagger::new(&[
            show("World Fool News", &[]),
            show("Schoolgirl Strikers: Animation Channel", &[]),
        ]);
        let tag = |title: &str| t.tag(title, None, None).show_terms();
        assert_eq!(
            tag("[01/13] - \"[BakedFish] World Fool News3A Part II - 01 [720p][AAC].par2\""),
            ["world-fool-news", "world-fool-news/e1"]
        );
        assert_eq!(
            tag("\"[BakedFish] Schoolgirl Strikers3A Animation Channel - 13 [720p].rar\""),
            // (The test helper's slug keeps both separators.)
            [
                "schoolgirl-strikers--animation-channel",
                "schoolgirl-strikers--animation-channel/e13"
            ]
        );
        assert_eq!(unescape_colons("Vol 3A and F13A "), "Vol 3A and F13A ");
    }

    #[test]
    fn scare_quotes_around_one_lowercase_word_are_no_title() {
        let t = Tagger::new(&[show("Lockdown", &[]), show("Shadowhunters", &[])]);
        assert!(terms(
            &t,
            "Australians told to go into 'lockdown' until next year",
            ""
        )
        .is_empty());
        // With its capital, or a season after it, the quoted word is the title.
        assert_eq!(
            terms(&t, "Why I loved 'Lockdown' more than anything", ""),
            ["lockdown"]
        );
        assert_eq!(
            terms(&t, "'shadowhunters' season 3 is a mess", ""),
            ["shadowhunters", "shadowhunters/s3"]
        );
    }

    #[test]
    fn person_news_under_a_show_s_name_is_not_the_show() {
        let t = Tagger::new(&[
            show("Succession", &[]),
            show("America's Got Talent", &[]),
            show("The Masked Singer", &[]),
            show("Only Fools and Horses", &[]),
            show("The Crown", &[]),
        ]);
        let body = "<p>The Australian actress, who stars on the HBO series Succession, fell \
                    for her fellow Aussie.</p>";
        assert!(terms(
            &t,
            "Succession star Sarah Snook secretly MARRIES comedian",
            body
        )
        .is_empty());
        assert!(terms(
            &t,
            "'America's Got Talent' Winner Grace VanderWaal Is Totally Unrecognizable",
            ""
        )
        .is_empty());
        // The show's own news, whoever it names: its cast, a season, an interview about it,
        // an actor's death, an award.
        assert_eq!(
            terms(&t, "'The Masked Singer' Stars Revealed!", ""),
            ["the-masked-singer"]
        );
        assert_eq!(
            terms(&t, "Succession Star Sarah Snook Talks Season 4", ""),
            ["succession", "succession/s4"]
        );
        assert_eq!(
            terms(
                &t,
                "'The Crown' Star Imelda Staunton on Playing the Queen",
                ""
            ),
            ["the-crown"]
        );
        assert_eq!(
            terms(
                &t,
                "Only Fools and Horses actor John Challis dies aged 79",
                ""
            ),
            ["only-fools-and-horses"]
        );
        assert_eq!(
            terms(&t, "The Crown Star Elizabeth Debicki Wins Golden Globe", ""),
            ["the-crown"]
        );
    }

    #[test]
    fn a_name_that_ends_in_a_bang_keeps_what_follows_it() {
        let t = Tagger::new(&[show("K-On!", &[]), show("Nailed It!", &[])]);
        assert_eq!(
            terms(&t, "[HorribleSubs] K-On! S2 - 07 [720p]", ""),
            ["k-on-", "k-on-/s2", "k-on-/s2e7"]
        );
        assert_eq!(
            terms(&t, "Nailed It! Season 5 Trailer", ""),
            ["nailed-it-", "nailed-it-/s5"]
        );
        assert_eq!(
            terms(&t, "Wow! Season 5 of K-On! is here", ""),
            ["k-on-", "k-on-/s5"]
        );
        // A spin-off in a round-up's links list still counts for the name.
        let links = "<p>Our picks.</p><p><strong>Other Links From TVGuide.com</strong><ul>\
                     <li><a href=\"/a\">Nailed It! Holiday!</a></li>\
                     <li><a href=\"/b\">Klaus</a></li></ul>";
        assert_eq!(
            terms(
                &t,
                "The Ultimate 2020 Holiday Viewing Guide: Specials, and More",
                links
            ),
            ["nailed-it-"]
        );
    }

    #[test]
    fn a_season_word_inside_a_show_s_name_is_the_name() {
        let t = Tagger::new(&[
            show("Anime Series", &[]),
            show("Selena: The Series", &[]),
            show("Squid Game", &[]),
        ]);
        assert_eq!(
            terms(
                &t,
                "[Dae-P9] Anime Series - 05 - Marrying by Contesting [1080p]",
                ""
            ),
            ["anime-series", "anime-series/e5"]
        );
        assert_eq!(
            terms(&t, "'Selena: The Series' Part 2 Trailer", ""),
            ["selena--the-series"]
        );
        assert_eq!(
            terms(&t, "Selena: The Series Season 2 Trailer", ""),
            ["selena--the-series", "selena--the-series/s2"]
        );
        // Outside a name, the word still counts.
        assert_eq!(
            terms(&t, "Squid Game series 2 gets a date", ""),
            ["squid-game", "squid-game/s2"]
        );
    }

    #[test]
    fn a_creator_s_new_show_is_not_the_show_they_made() {
        let t = Tagger::new(&[
            show("Family Guy", &[]),
            show("Yellowstone", &[]),
            show("Twin Peaks", &[]),
        ]);
        assert!(terms(
            &t,
            "Creator of Family Guy, Seth McFarlane teams up with Lalo Alcaraz for new show 'Bordertown'",
            ""
        )
        .is_empty());
        assert!(terms(
            &t,
            "Yellowstone creator Taylor Sheridan sets new series at Paramount+",
            ""
        )
        .is_empty());
        // The creator on the show itself, and the stars of a show reuniting, stay tagged.
        assert_eq!(
            terms(
                &t,
                "Family Guy creator Seth MacFarlane on the show's 400th episode",
                ""
            ),
            ["family-guy"]
        );
        assert_eq!(
            terms(&t, "The stars of Yellowstone reunite for a special", ""),
            ["yellowstone"]
        );
        assert_eq!(
            terms(
                &t,
                "Twin Peaks Creators Mark Frost And David Lynch Tweet About That Reunion",
                ""
            ),
            ["twin-peaks"]
        );
    }

    #[test]
    fn a_release_subtitle_stands_between_the_show_and_its_episode() {
        let t = Tagger::new(&[
            show("Yowamushi Pedal", &[]),
            show("Maken-Ki!", &[]),
            show("Mushoku Tensei", &[]),
            show("Squid Game", &[]),
        ]);
        assert_eq!(
            terms(
                &t,
                "[Commie] Yowamushi Pedal New Generation - 12 [741D24BA]",
                ""
            ),
            ["yowamushi-pedal", "yowamushi-pedal/e12"]
        );
        assert_eq!(
            terms(
                &t,
                "[Cleo]Maken-Ki!_Two_-_10_(Dual Audio_10bit_BD_720p)",
                ""
            ),
            ["maken-ki-", "maken-ki-/e10"]
        );
        assert_eq!(
            terms(
                &t,
                "[Group] Mushoku Tensei: Jobless Reincarnation - 05 [1080p]",
                ""
            ),
            ["mushoku-tensei", "mushoku-tensei/e5"]
        );
        // Not a release name: a headline, or the show not first after the group tag.
        assert!(!terms(&t, "Squid Game Cast Reunites - 12 [Video]", "")
            .contains(&"squid-game/e12".to_string()));
        assert!(!terms(&t, "[Group] Inside Squid Game Two - 03 [720p]", "")
            .contains(&"squid-game/e3".to_string()));
    }

    #[test]
    fn seasons_name_an_ordinary_title_written_loosely() {
        let t = Tagger::new(&[
            show("Psych", &[]),
            show("Dark", &[]),
            show("You", &[]),
            show("Boardwalk Empire", &[]),
            show("The Walking Dead", &[]),
        ]);
        // A season later in the sentence, for the capitalized word only.
        assert_eq!(
            terms(&t, "Is Psych worth watching after Season 4?", ""),
            ["psych", "psych/s4"]
        );
        // A title typed without all its capitals, a season right after it.
        assert_eq!(
            terms(
                &t,
                "A job I wanted to quit this way (boardwalk Empire season 3 spoilers)",
                ""
            ),
            ["boardwalk-empire", "boardwalk-empire/s3"]
        );
        assert_eq!(
            terms(&t, "A Bad Lip Reading of the walking Dead Season 4", ""),
            ["the-walking-dead", "the-walking-dead/s4"]
        );
        // Not the show: `of <name>` claims the season; another name in between; no capital;
        // no season at all; a season too far away.
        assert_eq!(
            terms(&t, "Is Psych worth watching before Season 2 of Dark?", ""),
            ["dark", "dark/s2"]
        );
        assert!(terms(&t, "Is it worth watching boardwalk empire season 3?", "").is_empty());
        assert!(terms(&t, "Is Psych worth watching after all?", "").is_empty());
        assert!(terms(
            &t,
            "Is Psych worth it, I wondered, before I started watching the whole of Season 4?",
            ""
        )
        .is_empty());
    }

    #[test]
    fn seed_headline() {
        let t = tagger();
        assert_eq!(
            terms(
                &t,
                "All of Us Are Dead season 2: All You Need to Know",
                "<p>If you’ve seen All of Us Are Dead Season 1, you will have to wait. \
                 So when is All Us Are Dead season 2?</p>"
            ),
            ["all-of-us-are-dead", "all-of-us-are-dead/s2"]
        );
    }

    #[test]
    fn a_lead_season_beside_the_titles_counts() {
        let t = tagger();
        assert_eq!(
            terms(
                &t,
                "Squid Game Renewed for Season 3 at Netflix",
                "<p>Fans can exhale. Squid Game will return for Season 3, a relief after \
                 Season 2 ended with a cliffhanger.</p><p>Season 1 was a hit.</p>"
            ),
            ["squid-game", "squid-game/s2", "squid-game/s3"]
        );
    }

    #[test]
    fn longest_and_whole_words() {
        let t = tagger();
        assert_eq!(
            terms(&t, "HBO's The Last of Us Season 2", "Business as usual."),
            ["the-last-of-us", "the-last-of-us/s2"]
        );
        assert!(terms(&t, "US business news", "you will have to wait").is_empty());
    }

    #[test]
    fn typos_possessives_and_cjk() {
        let t = tagger();
        assert_eq!(
            terms(&t, "All of Us Are Daed S2 trailer", ""),
            ["all-of-us-are-dead", "all-of-us-are-dead/s2"]
        );
        assert_eq!(
            terms(&t, "Squid Game's second season, episode 3", ""),
            ["squid-game", "squid-game/s2", "squid-game/s2e3"]
        );
        assert_eq!(
            terms(&t, "오징어 게임 시즌2 공개", ""),
            ["squid-game", "squid-game/s2"]
        );
        assert_eq!(
            terms(&t, "「進撃の巨人」第2期", ""),
            ["attack-on-titan", "attack-on-titan/s2"]
        );
    }

    #[test]
    fn weekday_is_not_a_show() {
        let t = tagger();
        assert!(terms(&t, "The series premieres on Wednesday", "").is_empty());
        assert_eq!(
            terms(&t, "Netflix's Wednesday Gets Season 2", ""),
            ["wednesday", "wednesday/s2"]
        );
    }

    #[test]
    fn tagger_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Tagger>();
    }

    #[test]
    fn content_repeating_the_summary_counts_once() {
        let t = tagger();
        let summary = "<p>The Netflix hit returns.</p>";
        let content = "<p>The Netflix hit returns.</p><p>Squid Game is back.</p>";
        // Body mentions: one in the lead (weight 1) when the content is not doubled.
        let tags = t.tag("Streaming news", Some(summary), Some(content));
        assert_eq!(tags.show_terms(), ["squid-game"]);
        let tags = t.tag("Streaming news", Some("<p>Other text.</p>"), Some(content));
        assert_eq!(tags.show_terms(), ["squid-game"]);
    }

    #[test]
    fn no_panic_on_garbage() {
        let t = tagger();
        let mut rng = fastrand::Rng::with_seed(7);
        let pieces = [
            "<",
            ">",
            "</",
            "<p>",
            "<em>",
            "</em>",
            "<script>",
            "&",
            "&amp;",
            "&#x",
            "&#1;",
            ";",
            "'",
            "’",
            "\"",
            "“",
            "」",
            "「",
            "(",
            ")",
            ".",
            "2.",
            " ",
            "\n",
            "s",
            "S2",
            "E",
            "season",
            "Season 2",
            "seasons 1-",
            "第",
            "期",
            "시즌",
            "シーズン",
            "2x",
            "x05",
            "You",
            "Us",
            "All",
            "of",
            "Dead",
            "Squid Game",
            "進撃の巨人",
            "é",
            "\u{E000}",
            "\u{1}",
            "\u{0}",
            "Staffel",
            "-",
            "—",
            "+",
            "&",
            "×",
            "Ｓ",
            "١٢",
            "🦀",
            "ß",
        ];
        for _ in 0..3000 {
            let mut s = String::new();
            for _ in 0..rng.usize(0..40) {
                s.push_str(pieces[rng.usize(..pieces.len())]);
                if rng.bool() {
                    s.push(' ');
                }
            }
            let cut = rng.usize(0..=s.len());
            let title = s.get(..cut).unwrap_or("");
            let _ = t.tag(title, Some(&s), Some(&s));
            let _ = suggest(std::iter::once((title, s.as_str())), &t, 5);
        }
    }

    #[test]
    fn season_merging() {
        let mut v = Vec::new();
        add_season(
            &mut v,
            SeasonRef {
                season: 2,
                episode: None,
            },
        );
        add_season(
            &mut v,
            SeasonRef {
                season: 1,
                episode: None,
            },
        );
        add_season(
            &mut v,
            SeasonRef {
                season: 2,
                episode: Some(5),
            },
        );
        add_season(
            &mut v,
            SeasonRef {
                season: 2,
                episode: None,
            },
        );
        assert_eq!(
            v,
            [
                SeasonRef {
                    season: 2,
                    episode: Some(5)
                },
                SeasonRef {
                    season: 1,
                    episode: None
                }
            ]
        );
    }
}
