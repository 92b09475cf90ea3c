//! Stories formed apart are merged when a later copy matches both: two outlets' reports of
//! one happening that share too little to match each other are polled first (two
//! stories), then a third outlet's report that matches both. The real pipeline moves the
//! stored membership in the bridge's commit; the result is one story whichever order the
//! three came in, and it survives a restart.

use std::collections::BTreeSet;

use showfeed::output::{DocKind, Format};

use crate::support::*;

const ITEMS: [(&str, &str, &str); 3] = [
    (
        "bbc",
        "Gunman kills several people at Perm University",
        "Police in Perm said a student opened fire on the campus.",
    ),
    (
        "cnn",
        "Students jump from windows to escape attacker, eight dead",
        "Officials in Perm said eight people died in the attack at the university.",
    ),
    (
        "fox",
        "Gunman opens fire at Perm University, eight dead",
        "A student opened fire on the campus; students jumped from windows to escape the \
         attacker.",
    ),
];

fn doc(feed: &str, item: Option<(&str, &str)>, at: i64) -> Vec<u8> {
    let t = chrono::DateTime::from_timestamp(at, 0)
        .unwrap()
        .to_rfc2822();
    let item = item.map_or(String::new(), |(title, summary)| {
        format!(
            "<item><title>{title}</title><link>https://{feed}.example/news/perm</link>\
             <guid>{feed}-perm</guid><pubDate>{t}</pubDate><description>{summary}</description></item>"
        )
    });
    format!(
        "<rss version=\"2.0\"><channel><title>{feed}</title><link>https://{feed}.example/</link>{item}</channel></rss>"
    )
    .into_bytes()
}

/// The clusters of the collapsed JSON Feed: each entry's url with its related urls.
fn clusters(h: &Harness) -> BTreeSet<BTreeSet<String>> {
    json_clusters(&render(
        &h.config,
        &h.store,
        DocKind::Merged,
        Format::Json,
        "",
        100,
    ))
}

/// Polls the outlets in `order`, one more outlet's item per poll; returns the clusters after
/// the last poll and after a restart.
async fn polled(order: [usize; 3]) -> [BTreeSet<BTreeSet<String>>; 2] {
    let server = FixtureServer::start().await;
    let now = showfeed::clock::now();
    let route = |i: usize, with: bool| {
        let (feed, title, summary) = ITEMS[i];
        let at = now - 3600 + 60 * i as i64;
        server.route(
            &format!("/{feed}.rss"),
            Route::ok(
                doc(feed, with.then_some((title, summary)), at),
                "application/rss+xml",
            ),
        );
    };
    let list: Vec<(&str, String)> = ITEMS
        .iter()
        .map(|(f, _, _)| (*f, server.url(&format!("/{f}.rss"))))
        .collect();
    for i in 0..3 {
        route(i, false);
    }
    let setup = write_config(&list, 1, "[dedup]\nmode = \"collapse\"\n");
    let h = Harness::open(&setup);
    for &i in &order {
        route(i, true);
        h.poll().await;
    }
    let after = clusters(&h);
    // Every entry points at one story in the store, and the story lists them all.
    let entries: Vec<_> = h.store.all_entries().map(Result::unwrap).collect();
    assert_eq!(entries.len(), 3);
    let story = entries[0].story;
    assert!(entries.iter().all(|e| e.story == story), "{order:?}");
    assert_eq!(h.store.story_members(&story).unwrap().len(), 3, "{order:?}");
    drop(h);
    let h = Harness::open(&setup);
    h.poll().await;
    [after, clusters(&h)]
}

#[tokio::test(flavor = "multi_thread")]
async fn a_copy_that_matches_two_stories_merges_them_in_every_order() {
    let all: BTreeSet<String> = ITEMS
        .iter()
        .map(|(f, _, _)| format!("https://{f}.example/news/perm"))
        .collect();
    let want = BTreeSet::from([all]);
    for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
        let [after, restarted] = polled(order).await;
        assert_eq!(after, want, "{order:?}");
        assert_eq!(restarted, want, "{order:?} after a restart");
    }
}
