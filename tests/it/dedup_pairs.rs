//! Dedup on written fixtures (tests/fixtures/dedup/stories.toml): exact clusters, pairwise
//! precision and recall, and url_key groups.
//!
//! `cargo test --test it dedup_pairs -- --nocapture` prints the figures and every pair that
//! scored or should have merged, with the parts of its score: the table thresholds are read
//! from.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::Deserialize;
use showfeed::dedup::{fingerprint, url_key, DedupIndex, Fingerprint};
use showfeed::entry::EntryId;

const WINDOW: i64 = 72 * 3600;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixtures {
    item: Vec<Item>,
    urls: Vec<UrlGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    name: String,
    story: String,
    feed: String,
    at: String,
    #[serde(default)]
    shows: Vec<String>,
    title: String,
    summary: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UrlGroup {
    same: Vec<String>,
}

fn fixtures() -> Fixtures {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dedup/stories.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    toml::from_str(&text).unwrap()
}

struct Ingested {
    id: EntryId,
    published: i64,
    fp: Fingerprint,
}

fn ingest(f: &Fixtures, tagged: bool) -> Vec<Ingested> {
    // The news kinds come from the tagger, as in a poll (they need no configured show).
    let tagger = showfeed::tag::Tagger::new(&[]);
    f.item
        .iter()
        .map(|it| {
            let kinds = tagger.tag(&it.title, Some(&it.summary), None).kind_terms();
            let shows: Vec<&str> = if tagged {
                it.shows.iter().map(String::as_str).collect()
            } else {
                Vec::new()
            };
            Ingested {
                id: EntryId::derive(&it.feed, &it.name),
                published: chrono::DateTime::parse_from_rfc3339(&it.at)
                    .unwrap()
                    .timestamp(),
                fp: fingerprint(&it.title, &it.summary, &shows, &kinds),
            }
        })
        .collect()
}

/// Runs the items through find + insert in the order of `order` (indices into the items);
/// returns each item's story id.
fn cluster(f: &Fixtures, ing: &[Ingested], order: &[usize]) -> Vec<EntryId> {
    let mut index = DedupIndex::new(WINDOW);
    let mut story = vec![EntryId([0; 16]); ing.len()];
    for &i in order {
        let e = &ing[i];
        let s = index
            .find(&e.fp, &f.item[i].feed, e.published)
            .map_or(e.id, |(s, _)| s);
        index.insert(e.id, s, &f.item[i].feed, e.published, &e.fp);
        story[i] = s;
    }
    assert_eq!(index.len(), ing.len());
    story
}

/// Pairwise (precision, recall, true positives, predicted pairs, expected pairs).
fn pairwise(f: &Fixtures, story: &[EntryId]) -> (f64, f64, usize, usize, usize) {
    let (mut tp, mut predicted, mut expected) = (0, 0, 0);
    for i in 0..story.len() {
        for j in i + 1..story.len() {
            let p = story[i] == story[j];
            let e = f.item[i].story == f.item[j].story;
            predicted += usize::from(p);
            expected += usize::from(e);
            tp += usize::from(p && e);
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    (
        ratio(tp, predicted),
        ratio(tp, expected),
        tp,
        predicted,
        expected,
    )
}

/// Clusters as sorted lists of item names, for an exact comparison.
fn clusters_found(f: &Fixtures, story: &[EntryId]) -> BTreeSet<Vec<String>> {
    let mut by: HashMap<EntryId, Vec<String>> = HashMap::new();
    for (i, s) in story.iter().enumerate() {
        by.entry(*s).or_default().push(f.item[i].name.clone());
    }
    by.into_values()
        .map(|mut v| {
            v.sort();
            v
        })
        .collect()
}

fn clusters_expected(f: &Fixtures) -> BTreeSet<Vec<String>> {
    let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for it in &f.item {
        by.entry(&it.story).or_default().push(it.name.clone());
    }
    by.into_values()
        .map(|mut v| {
            v.sort();
            v
        })
        .collect()
}

fn published_order(ing: &[Ingested]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ing.len()).collect();
    order.sort_by_key(|&i| ing[i].published);
    order
}

/// Every pair that scored at all or should have merged, with the parts of its score, against
/// an index holding all items (the rarity weights of the end state).
fn print_pairs(f: &Fixtures, ing: &[Ingested]) {
    let mut index = DedupIndex::new(WINDOW);
    for (i, e) in ing.iter().enumerate() {
        index.insert(e.id, e.id, &f.item[i].feed, e.published, &e.fp);
    }
    println!("  same  dup   score cover  jacc  ham  conflict   pair");
    let mut rows = Vec::new();
    for i in 0..ing.len() {
        for j in i + 1..ing.len() {
            let c = index.compare(&ing[i].fp, &ing[j].fp);
            let same = f.item[i].story == f.item[j].story;
            if same || c.score >= 0.15 || c.hamming <= 8 {
                rows.push((same, c, &f.item[i].name, &f.item[j].name));
            }
        }
    }
    rows.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
    for (same, c, a, b) in rows {
        println!(
            "  {:<5} {:<5} {:.3} {:.3} {:.3} {:>3}  {:<10} {a} / {b}",
            same,
            c.duplicate,
            c.score,
            c.cover,
            c.jaccard,
            c.hamming,
            c.conflict.map_or(String::new(), |c| format!("{c:?}")),
        );
    }
}

fn check(tagged: bool) {
    let f = fixtures();
    let ing = ingest(&f, tagged);
    let mode = if tagged {
        "tagged"
    } else {
        "no show configured"
    };
    print_pairs(&f, &ing);
    let story = cluster(&f, &ing, &published_order(&ing));
    let (p, r, tp, predicted, expected) = pairwise(&f, &story);
    println!(
        "dedup fixtures ({mode}): {} items, {} stories; pairwise precision {p:.3} \
         ({tp}/{predicted}), recall {r:.3} ({tp}/{expected})",
        f.item.len(),
        clusters_expected(&f).len(),
    );
    assert_eq!(clusters_found(&f, &story), clusters_expected(&f), "{mode}");

    // Feed by feed (as polls arrive), then newest first: the same clusters.
    let mut by_feed = published_order(&ing);
    by_feed.sort_by(|&a, &b| f.item[a].feed.cmp(&f.item[b].feed));
    let story = cluster(&f, &ing, &by_feed);
    assert_eq!(
        clusters_found(&f, &story),
        clusters_expected(&f),
        "{mode}, by feed"
    );
    let mut newest_first = published_order(&ing);
    newest_first.reverse();
    let story = cluster(&f, &ing, &newest_first);
    assert_eq!(
        clusters_found(&f, &story),
        clusters_expected(&f),
        "{mode}, newest first"
    );
}

#[test]
fn fixture_clusters_with_show_tags() {
    check(true);
}

#[test]
fn fixture_clusters_with_no_show_configured() {
    check(false);
}

#[test]
fn outside_the_window_nothing_merges() {
    let f = fixtures();
    let ing = ingest(&f, true);
    let mut index = DedupIndex::new(WINDOW);
    let a = ing.iter().position(|_| true).unwrap();
    let b = f
        .item
        .iter()
        .position(|it| it.story == f.item[a].story && it.name != f.item[a].name)
        .unwrap();
    index.insert(
        ing[a].id,
        ing[a].id,
        &f.item[a].feed,
        ing[a].published,
        &ing[a].fp,
    );
    let later = ing[a].published + WINDOW + 1;
    assert!(index.find(&ing[b].fp, &f.item[b].feed, later).is_none());
    assert!(index
        .find(&ing[b].fp, &f.item[b].feed, ing[a].published + WINDOW)
        .is_some());
    index.expire(later + WINDOW);
    assert!(index.is_empty());
}

#[test]
fn url_groups_share_keys_and_only_within_a_group() {
    let f = fixtures();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (g, group) in f.urls.iter().enumerate() {
        let keys: BTreeSet<String> = group
            .same
            .iter()
            .map(|u| url_key(u).unwrap_or_else(|| panic!("no key for {u}")))
            .collect();
        assert_eq!(keys.len(), 1, "group {g}: {keys:?}");
        let key = keys.into_iter().next().unwrap();
        if let Some(other) = seen.insert(key.clone(), g) {
            panic!("groups {other} and {g} share the key {key}");
        }
    }
    println!("url_key: {} groups, all distinct", f.urls.len());
}
