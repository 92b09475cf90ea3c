//! Dedup end to end: the labelled stories of tests/fixtures/dedup/stories.toml, published as
//! real feeds (one per outlet) on the loopback server, polled by the real pipeline, and read
//! back from the JSON Feed output: exact clusters in `collapse`, shared story categories in
//! `mark`, nothing merged in `off`; reposts and cross-feed copies of one URL; restarts.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use showfeed::config::Config;
use showfeed::output::{DocKind, Format};
use showfeed::poll::Context;
use showfeed::scheduler::poll_all;
use showfeed::store::Store;

use crate::support::*;

#[derive(serde::Deserialize)]
struct Fixture {
    item: Vec<Item>,
}

#[derive(serde::Deserialize, Clone)]
struct Item {
    name: String,
    story: String,
    feed: String,
    at: String,
    title: String,
    summary: String,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn link(i: &Item) -> String {
    format!("https://{}.example/news/{}", i.feed, i.name)
}

/// The fixture items with their dates moved so the newest is an hour old (inside the dedup
/// window after a restart), and one RSS document per feed.
fn feeds() -> (Vec<Item>, BTreeMap<String, String>) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/dedup/stories.toml"
    ))
    .unwrap();
    let mut items = toml::from_str::<Fixture>(&text).unwrap().item;
    let parse = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp();
    let newest = items.iter().map(|i| parse(&i.at)).max().unwrap();
    let shift = showfeed::clock::now() - 3600 - newest;
    let mut docs: BTreeMap<String, String> = BTreeMap::new();
    for i in &mut items {
        let t = chrono::DateTime::from_timestamp(parse(&i.at) + shift, 0).unwrap();
        i.at = t.to_rfc3339();
        docs.entry(i.feed.clone()).or_default().push_str(&format!(
            "<item><title>{}</title><link>{}</link><guid>{}</guid><pubDate>{}</pubDate><description>{}</description></item>",
            esc(&i.title),
            link(i),
            i.name,
            t.to_rfc2822(),
            esc(&i.summary)
        ));
    }
    let docs = docs
        .into_iter()
        .map(|(feed, items)| (feed.clone(), format!("<rss version=\"2.0\"><channel><title>{feed}</title><link>https://{feed}.example/</link>{items}</channel></rss>")))
        .collect();
    (items, docs)
}

async fn published(mode: &str) -> (Vec<Item>, FixtureServer, Setup) {
    let (items, docs) = feeds();
    let server = FixtureServer::start().await;
    let mut list = Vec::new();
    for (feed, doc) in &docs {
        server.route(
            &format!("/{feed}.rss"),
            Route::ok(doc.clone().into_bytes(), "application/rss+xml"),
        );
        list.push((feed.clone(), server.url(&format!("/{feed}.rss"))));
    }
    let refs: Vec<(&str, String)> = list.iter().map(|(f, u)| (f.as_str(), u.clone())).collect();
    let setup = write_config(&refs, 1, &format!("[dedup]\nmode = \"{mode}\"\n"));
    (items, server, setup)
}

async fn poll(setup: &Setup) -> (Arc<Config>, Arc<Store>) {
    let h = Harness::open(setup);
    h.poll().await;
    (h.config, h.store)
}

fn json(config: &Config, store: &Store) -> serde_json::Value {
    serde_json::from_slice(&render(
        config,
        store,
        DocKind::Merged,
        Format::Json,
        "",
        1000,
    ))
    .unwrap()
}

/// Partition of item names by expected story.
fn expected(items: &[Item]) -> BTreeSet<BTreeSet<String>> {
    let mut by: HashMap<&str, BTreeSet<String>> = HashMap::new();
    for i in items {
        by.entry(&i.story).or_default().insert(i.name.clone());
    }
    by.into_values().collect()
}

fn pairwise(found: &BTreeSet<BTreeSet<String>>, want: &BTreeSet<BTreeSet<String>>) -> (f64, f64) {
    let pairs = |p: &BTreeSet<BTreeSet<String>>| -> BTreeSet<(String, String)> {
        p.iter()
            .flat_map(|c| {
                c.iter().flat_map(move |a| {
                    c.iter()
                        .filter(move |b| a < *b)
                        .map(move |b| (a.clone(), b.clone()))
                })
            })
            .collect()
    };
    let (f, w) = (pairs(found), pairs(want));
    let tp = f.intersection(&w).count() as f64;
    (
        if f.is_empty() {
            1.0
        } else {
            tp / f.len() as f64
        },
        if w.is_empty() {
            1.0
        } else {
            tp / w.len() as f64
        },
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn collapse_makes_one_entry_per_story_with_related_outlets() {
    let (items, _server, setup) = published("collapse").await;
    let (config, store) = poll(&setup).await;
    let by_link: HashMap<String, String> =
        items.iter().map(|i| (link(i), i.name.clone())).collect();
    let out = json(&config, &store);
    let mut found = BTreeSet::new();
    for it in out["items"].as_array().unwrap() {
        let mut cluster = BTreeSet::from([by_link[it["url"].as_str().unwrap()].clone()]);
        for r in it["_showfeed"]["related"].as_array().into_iter().flatten() {
            cluster.insert(by_link[r["url"].as_str().unwrap()].clone());
        }
        found.insert(cluster);
    }
    let want = expected(&items);
    let (p, r) = pairwise(&found, &want);
    eprintln!("dedup end to end (collapse): {} stories from {} items; pairwise precision {p:.3}, recall {r:.3}", found.len(), items.len());
    assert_eq!(found, want);

    // The story entry's id is the first copy's, and stays when the store is reopened and
    // polled again (membership is durable).
    let ids: Vec<String> = out["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    drop(store);
    let (config, store) = poll(&setup).await;
    let again = json(&config, &store);
    let ids2: Vec<String> = again["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ids2);
    // Atom carries the copies as rel="related" links titled with the outlet.
    let atom = String::from_utf8(render(
        &config,
        &store,
        DocKind::Merged,
        Format::Atom,
        "",
        1000,
    ))
    .unwrap();
    assert!(
        atom.contains("rel=\"related\" type=\"text/html\" title=\"tvline\""),
        "{atom}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn mark_keeps_every_copy_with_a_shared_story_category_and_off_merges_nothing() {
    let (items, _server, setup) = published("mark").await;
    let (config, store) = poll(&setup).await;
    let by_link: HashMap<String, String> =
        items.iter().map(|i| (link(i), i.name.clone())).collect();
    let out = json(&config, &store);
    let list = out["items"].as_array().unwrap();
    assert_eq!(list.len(), items.len(), "mark: every copy stays an entry");
    let mut by_story: HashMap<String, BTreeSet<String>> = HashMap::new();
    for it in list {
        let name = by_link[it["url"].as_str().unwrap()].clone();
        let story = it["_showfeed"]["story"]
            .as_str()
            .map_or_else(|| name.clone(), str::to_owned);
        by_story.entry(story).or_default().insert(name);
    }
    assert_eq!(
        by_story.into_values().collect::<BTreeSet<_>>(),
        expected(&items)
    );

    let (items, _server, setup) = published("off").await;
    let (config, store) = poll(&setup).await;
    let out = json(&config, &store);
    let list = out["items"].as_array().unwrap();
    assert_eq!(list.len(), items.len());
    assert!(list
        .iter()
        .all(|i| i["_showfeed"]["related"].is_null() && i["_showfeed"]["story"].is_null()));
}

#[tokio::test(flavor = "multi_thread")]
async fn reposts_and_cross_feed_copies_of_one_url_are_one_entry() {
    let server = FixtureServer::start().await;
    let item = |guid: &str, url: &str, title: &str| {
        format!("<item><title>{title}</title><link>{url}</link><guid>{guid}</guid><pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate></item>")
    };
    let base = "https://variety.com/2026/tv/news/squid-game-spinoff-1236000001/";
    let v1 = format!(
        "<rss version=\"2.0\"><channel><title>Variety TV</title>{}</channel></rss>",
        item("1", base, "Squid Game Spinoff Ordered")
    );
    server.route("/tv.rss", Route::ok(v1.into_bytes(), "application/rss+xml"));
    let other = format!(
        "<rss version=\"2.0\"><channel><title>Variety</title>{}</channel></rss>",
        item(
            "x9",
            &format!("{base}?utm_source=rss"),
            "Squid Game Spinoff Ordered at Netflix"
        )
    );
    server.route(
        "/all.rss",
        Route::ok(other.into_bytes(), "application/rss+xml"),
    );
    let setup = write_config(
        &[
            ("variety-tv", server.url("/tv.rss")),
            ("variety", server.url("/all.rss")),
        ],
        1,
        "",
    );
    let (config, store) = poll(&setup).await;
    // Reposts in the same feed under new guids with tracking, http, www and AMP variants.
    let reposts = [
        item("1", base, "Squid Game Spinoff Ordered"),
        item(
            "2",
            &format!("{base}?utm_source=twitter&utm_medium=social"),
            "Squid Game Spinoff Ordered",
        ),
        item(
            "3",
            &base.replace("https://", "http://"),
            "Squid Game Spinoff Ordered",
        ),
        item(
            "4",
            &base.replace("://", "://www."),
            "Squid Game Spinoff Ordered (Updated)",
        ),
        item("5", &format!("{base}amp/"), "Squid Game Spinoff Ordered"),
    ];
    server.route(
        "/tv.rss",
        Route::ok(
            format!(
                "<rss version=\"2.0\"><channel><title>Variety TV</title>{}</channel></rss>",
                reposts.concat()
            )
            .into_bytes(),
            "application/rss+xml",
        ),
    );
    let ctx = Arc::new(Context::new(store.clone(), config.clone()).unwrap());
    poll_all(ctx, &config.feeds).await;
    let out = json(&config, &store);
    let list = out["items"].as_array().unwrap();
    assert_eq!(list.len(), 1, "one entry: {out:#}");
    // One article through two feeds of one outlet is one copy: no related link to itself.
    assert!(list[0]["_showfeed"]["related"].is_null(), "{out:#}");
    assert!(!list[0]["content_html"]
        .as_str()
        .unwrap()
        .contains("Also reported by"));
    // Each of the two feeds carries the story.
    for source in ["variety-tv", "variety"] {
        let doc: serde_json::Value = serde_json::from_slice(&render(
            &config,
            &store,
            showfeed::output::DocKind::Source(source.into()),
            showfeed::output::Format::Json,
            "",
            100,
        ))
        .unwrap();
        let items = doc["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{source}: {doc:#}");
        assert_eq!(
            items[0]["id"], list[0]["id"],
            "{source}: the story's one id"
        );
        assert_eq!(
            items[0]["_showfeed"]["source"]["id"], source,
            "its own copy shown"
        );
    }
    let stored: Vec<(String, Option<String>)> = store
        .newest()
        .map(|e| e.unwrap())
        .map(|e| (e.feed_id, e.link))
        .collect();
    assert_eq!(
        store.entry_count(),
        2,
        "the original and the other feed's copy; no repost stored: {stored:?}"
    );
}
