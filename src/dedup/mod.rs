//! Dedup: exact-duplicate link keys and near-duplicate story matching. Pure and in memory;
//! the poll stage persists story membership and rebuilds a [`DedupIndex`] at startup from the
//! stored entries inside the window.
//!
//! # Exact duplicates
//!
//! [`url_key`] folds every spelling of one article's link to one key: scheme, `www.`,
//! default ports, AMP variants, trailing slashes, tracking parameters, parameter order and
//! fragments do not count. A repost of the same link (under a new guid, or with new tracking
//! parameters) and one outlet's story in two of its feeds share a key. An entry whose key
//! another feed's entry has joins that entry's story only when the two were published within
//! the window of each other: an evergreen page kept at one URL and retitled for months is
//! another day's piece when it is captured again.
//!
//! # Near duplicates
//!
//! [`fingerprint`] turns title, lead paragraph (first 400 characters, up to its first link
//! or "Subscribe"), show slugs and the tagger's news kinds into a compact [`Fingerprint`]:
//! content tokens (stop words and headline filler dropped, light stemming,
//! spelling and transliteration variants of names (`Zelenskyy`, `Zelenskiy`; `Aleksei`,
//! `Alexey`) and a place with its people folded, numbers read as numbers in every
//! spelling, CJK as character bigrams) hashed to `u32`; the *name* tokens (show slug words
//! and title-cased quoted titles such as `'Severance'` or `“Queen of Tears”`; quoted speech
//! is no name); what the title and the summary count (`season 2`, `S02E05`, `level 3`); the
//! calendar dates the title names; the kind of piece the headline heads (explainer, live
//! page, round-up, reactions); and a 64-bit SimHash of token bigrams. A programme suffix
//! (`... | ANC`) is left out of the words, and so are the summary words one feed repeats in
//! most of its items ([`Boilerplate`], learnt per fetch).
//!
//! Items are compared by **outlet** ([`outlet`]: the link's site; the feed on hosts that
//! carry many outlets), not by feed: one outlet's repeat or second article on a happening is
//! the same story, its template headlines about other days are not.
//!
//! Two entries are the same story when no hard rule separates them ([`Conflict`]) and their
//! score reaches the bar for the pair: [`MATCH_SCORE`] for two outlets, [`SAME_OUTLET_SCORE`]
//! for one, [`PIECE_SCORE`] for two explainers, live pages or round-ups (copies only),
//! [`SIMHASH_MATCH_SCORE`] for near-verbatim copies (SimHash distance at most
//! [`SIMHASH_MAX_DISTANCE`]); and they share at least [`MIN_SHARED`] words. The hard rules:
//! numbers that disagree (each side counts another season, episode or level; or each title
//! states a figure the other lacks, for one outlet or more than [`FIGURE_GAP`] apart);
//! calendar dates; shows; news kinds; the kind of piece; names (a quoted title or show one
//! side names and the other never mentions); one outlet more than [`SAME_OUTLET_GAP`] apart.
//!
//! The score is the mean of **cover** (the share of each title's token weight found anywhere
//! in the other entry's text, the smaller direction) and a weighted **Jaccard** of both texts
//! (title tokens counting double). A token weighs `(1 + s / 100)^-2` for the `s` indexed
//! stories that use it (a token counts once per story): a story's own names weigh about 1
//! however many copies it has, a running topic's words a quarter, everyday words next to
//! nothing; weights counted this way move little while a cold store fills, so the result
//! depends little on which feed is polled first. A name token both sides share weighs
//! [`NAME_WEIGHT`] of its weight: shared show names alone never make a duplicate.
//!
//! # Stories
//!
//! [`DedupIndex::find`] scores the candidates, then the other members of the stories they
//! belong to (a few each): a new entry joins the story of its best-scoring member, unless a
//! scored member of that story is ruled out by a hard rule (a chain of links cannot pull in
//! what one member contradicts); ties go to the smaller story id. A later entry that links
//! two stories formed apart strongly (a member of each at [`Match`]'s bridge bar, the two
//! members compatible) bridges them: [`DedupIndex::merge_stories`] merges them into the one
//! published first, and the poll stage moves the stored membership in the same commit, so
//! which copy came first matters less. A chain of weak links bridges nothing.
//!
//! # Thresholds
//!
//! `tests/fixtures/dedup/stories.toml` (36 items in the voice of the TV trade press and K-
//! and anime news) and `tests/it/story_classes.rs` (one invented case per class of miss on
//! real feeds) give the exact clusters in several ingest orders; the bars were then set on
//! the dev days of `tests/quality/stories` (real feeds of five days, labelled by hand):
//! `bench/quality.sh --set stories --part dev`.
//!
//! # Candidates and cost
//!
//! [`DedupIndex::find`] never scans the stored entries. It reads the four 16-bit SimHash
//! blocks (any fingerprint within distance 3 shares one block exactly) and, on the posting
//! lists of the query's four rarest title tokens and show slugs (kept sorted by time), the
//! 64 entries nearest in time on each; counts how many lists each candidate is on; keeps the
//! first 32 usable ones (inside the window) by that count, ranks them by a 64-bit Bloom
//! signature of their titles, scores the best 8 in full, then up to 6 members of the best
//! qualifying story (and of the next, when one rules the entry out). `cargo bench --bench
//! dedup` measures fingerprint + find + insert per entry with 100,000 entries in the window
//! (the goal is at most 20 µs).

mod fingerprint;
mod hash;
mod index;
mod lexer;
mod rule;
mod urlkey;
mod words;

pub use fingerprint::{
    fingerprint, fingerprint_in, Boilerplate, BoilerplateCounter, Fingerprint, SUMMARY_CHARS,
};
pub use index::{DedupIndex, Match, Settling};
pub use rule::{
    Comparison, Conflict, Pair, FIGURE_GAP, MATCH_SCORE, MIN_SHARED, NAME_COVER, NAME_WEIGHT,
    PIECE_SCORE, SAME_OUTLET_GAP, SAME_OUTLET_SCORE, SIMHASH_MATCH_SCORE, SIMHASH_MAX_DISTANCE,
};
pub use urlkey::{outlet, url_key};

/// A `HashMap` with rustc-hash's fast hasher, for keys that are already well mixed (token
/// ids, entry ids, packed short words) and never chosen by an attacker as a whole.
pub(crate) type FxMap<K, V> = rustc_hash::FxHashMap<K, V>;
