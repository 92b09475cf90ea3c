//! The refresh pipeline end to end through the library: fetch over loopback HTTP, parse,
//! normalize, store in sled, render.

use std::collections::HashSet;
use std::time::Duration;

use showfeed::poll::Outcome;

use crate::support::*;

const LM: &str = "Tue, 24 Nov 2026 14:00:00 GMT";

/// The fixture feeds: five good (12 unique items) and four failing ones.
pub async fn fixture_server() -> FixtureServer {
    let s = FixtureServer::start().await;
    s.route(
        "/tvline.rss",
        Route::ok(fixture("tvline.rss"), "application/rss+xml").with_validators("\"tv1\"", LM),
    );
    s.route(
        "/soompi.atom",
        Route::ok(fixture("soompi.atom"), "application/atom+xml").with_validators("\"so1\"", LM),
    );
    let mut anime = Route::ok(fixture("anime.json"), "application/feed+json");
    anime.last_modified = Some(LM.into());
    s.route("/anime.json", anime);
    s.route(
        "/noguid.rss",
        Route::ok(fixture("noguid.rss"), "application/rss+xml"),
    );
    s.route("/broken.rss", Route::ok(fixture("broken.rss"), "text/xml"));
    s.route(
        "/notafeed",
        Route::ok(fixture("notafeed.html"), "text/html"),
    );
    s.route("/error500", Route::status(500));
    s.route(
        "/slow.rss",
        Route::ok(fixture("tvline.rss"), "application/rss+xml").delayed(Duration::from_secs(4)),
    );
    s
}

pub const GOOD: [&str; 5] = ["tvline", "soompi", "anime", "noguid", "broken"];
pub const UNIQUE_ITEMS: usize = 12;

pub fn fixture_feeds(s: &FixtureServer) -> Vec<(&'static str, String)> {
    vec![
        ("tvline", s.url("/tvline.rss")),
        ("soompi", s.url("/soompi.atom")),
        ("anime", s.url("/anime.json")),
        ("noguid", s.url("/noguid.rss")),
        ("broken", s.url("/broken.rss")),
        ("notafeed", s.url("/notafeed")),
        ("error500", s.url("/error500")),
        ("slow", s.url("/slow.rss")),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn every_item_once_stable_ids_conditional_get_and_failures_isolated() {
    let server = fixture_server().await;
    let setup = write_config(&fixture_feeds(&server), 1, "[polling]\ntimeout = \"1s\"\n");
    let h = Harness::open(&setup);

    let started = std::time::Instant::now();
    let first = h.poll().await;
    // The slow feed times out at 1 s; nothing waits for its 4 s.
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the slow feed delayed the sweep"
    );
    for id in GOOD {
        assert!(
            matches!(first[id], Outcome::Stored(s) if s.new > 0),
            "{id}: {:?}",
            first[id]
        );
    }
    for id in ["notafeed", "error500", "slow"] {
        assert!(
            matches!(first[id], Outcome::Failed(_)),
            "{id}: {:?}",
            first[id]
        );
    }

    let doc = h.atom(1000);
    let ids = atom_ids(&doc);
    assert_eq!(ids.len(), UNIQUE_ITEMS, "every unique item exactly once");
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), UNIQUE_ITEMS);
    assert!(ids.iter().all(|id| id.starts_with("urn:uuid:")));

    let text = String::from_utf8(doc.clone()).unwrap();
    // Recovered text from the broken feed, and HTML stripped from an Atom html title.
    assert!(
        text.contains("Pokémon Horizons Season 2 “Rising” Dub Date"),
        "cp1252 title recovered"
    );
    assert!(text.contains("Attack on Titan &amp; The Final Chapters Screening"));
    assert!(text.contains("<title>All of Us Are Dead Season 2 Confirms Cast</title>"));
    // Sanitized: no script, handlers, iframes or javascript: links survive in any field.
    for bad in ["&lt;script", "onclick", "&lt;iframe", "javascript:"] {
        assert!(!text.contains(bad), "{bad} leaked into the output");
    }
    // Canonical link without tracking parameters; relative links resolved.
    assert!(text.contains(
        "href=\"https://tvline.com/news/squid-game-season-3-premiere-date-1235000001/\""
    ));
    // A relative item link resolves against the site's link, as readers expect; relative
    // URLs in content resolve against the item's own link.
    assert!(
        text.contains("href=\"https://www.soompi.com/article/1002wpp/moving-season-2-filming\"")
    );
    assert!(text.contains("src=&quot;https://tvline.com/wp-content/uploads/squid.jpg&quot;"));
    // Media: enclosure and lead image as rel=enclosure links; atom:source names the origin.
    assert!(text.contains("https://tvline.com/media/the-bear-promo.mp4"));
    assert!(text.contains("https://tvline.com/wp-content/uploads/squid-thumb.jpg"));
    assert!(
        text.contains(
            "<source><title>Soompi</title><id>http://127.0.0.1:1/sources/soompi.atom</id>"
        ),
        "{text}"
    );
    // A future date is clamped to now.
    assert!(!text.contains("2099"));

    // Second poll: conditional requests, answered 304, nothing rewritten.
    let second = h.poll().await;
    assert!(matches!(second["tvline"], Outcome::NotModified));
    assert!(matches!(second["soompi"], Outcome::NotModified));
    assert!(matches!(second["anime"], Outcome::NotModified));
    let tv = server.seen("/tvline.rss");
    assert_eq!(tv[1].if_none_match.as_deref(), Some("\"tv1\""));
    assert_eq!(tv[1].if_modified_since.as_deref(), Some(LM));
    assert_eq!(tv[1].status, 304);
    assert_eq!(
        server.seen("/anime.json")[1].if_modified_since.as_deref(),
        Some(LM)
    );
    assert!(tv[0]
        .user_agent
        .as_deref()
        .unwrap()
        .starts_with("showfeed/"));
    // Unconditional feeds come back 200 with the same items: nothing new, nothing updated.
    assert!(
        matches!(second["noguid"], Outcome::Stored(s) if s.new == 0 && s.updated == 0 && s.unchanged == 2)
    );
    assert_eq!(atom_ids(&h.atom(1000)), ids, "ids identical across polls");

    // Failures are recorded with backoff, the message names the cause.
    let rows = showfeed::output::status::status_rows(&h.config, &h.store).unwrap();
    let row = |id: &str| rows.iter().find(|r| r.id == id).unwrap();
    assert_eq!(row("error500").consecutive_failures, 2);
    assert!(row("error500")
        .last_error
        .as_deref()
        .unwrap()
        .contains("HTTP 500"));
    assert!(row("notafeed")
        .last_error
        .as_deref()
        .unwrap()
        .contains("HTML page"));
    assert!(row("slow")
        .last_error
        .as_deref()
        .unwrap()
        .contains("timed out"));
    assert_eq!(row("tvline").consecutive_failures, 0);
    assert_eq!(row("tvline").entries, 3);
    let state = h.store.feed_state("error500").unwrap().unwrap();
    let now = showfeed::clock::now();
    // Two failures: the second retry waits 5 min (1 min, 5 min, 15 min, then doubling).
    assert!(
        state.next_poll >= now + 5 * 60 - 5,
        "backoff applied: {}",
        state.next_poll - now
    );

    // Restart: a new process opening the same store keeps every id.
    let Harness { config, store, ctx } = h;
    drop((ctx, store, config));
    let h = Harness::open(&setup);
    h.poll().await;
    assert_eq!(
        atom_ids(&h.atom(1000)),
        ids,
        "ids identical across a restart"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn body_cap_counts_decompressed_bytes() {
    use std::io::Write;
    let server = FixtureServer::start().await;
    // 600 KiB of XML that gzips to a few KiB.
    let mut xml = String::from("<rss version=\"2.0\"><channel><title>big</title>");
    while xml.len() < 600 * 1024 {
        xml.push_str("<item><title>padding padding padding</title><guid>x</guid></item>");
    }
    xml.push_str("</channel></rss>");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(xml.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    assert!(gz.len() < 64 * 1024);
    server.route(
        "/bomb.rss",
        Route::ok(gz, "application/rss+xml").header("content-encoding", "gzip"),
    );
    server.route(
        "/big.rss",
        Route::ok(xml.into_bytes(), "application/rss+xml"),
    );
    server.route(
        "/ok.atom",
        Route::ok(fixture("soompi.atom"), "application/atom+xml"),
    );
    let feeds = [
        ("bomb", server.url("/bomb.rss")),
        ("big", server.url("/big.rss")),
        ("ok", server.url("/ok.atom")),
    ];
    let setup = write_config(&feeds, 1, "[polling]\nmax_body = \"256KiB\"\n");
    let h = Harness::open(&setup);
    let out = h.poll().await;
    for id in ["bomb", "big"] {
        match &out[id] {
            Outcome::Failed(msg) => {
                assert!(msg.contains("exceeds the 256.0 KiB cap"), "{id}: {msg}")
            }
            other => panic!("{id}: {other:?}"),
        }
    }
    assert!(matches!(out["ok"], Outcome::Stored(s) if s.new == 3));
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_gone_and_updates_in_place() {
    let server = FixtureServer::start().await;
    server.route("/busy", Route::status(429).header("retry-after", "7200"));
    server.route("/gone", Route::status(410));
    server.route(
        "/live.rss",
        Route::ok(fixture("noguid.rss"), "application/rss+xml"),
    );
    let feeds = [
        ("busy", server.url("/busy")),
        ("gone", server.url("/gone")),
        ("live", server.url("/live.rss")),
    ];
    let setup = write_config(&feeds, 1, "[polling]\ninterval = \"5m\"\n");
    let h = Harness::open(&setup);
    let out = h.poll().await;
    let now = showfeed::clock::now();
    assert!(matches!(out["gone"], Outcome::Gone));
    assert!(h
        .store
        .feed_state("gone")
        .unwrap()
        .unwrap()
        .disabled
        .is_some());
    let busy = h.store.feed_state("busy").unwrap().unwrap();
    assert!(
        busy.next_poll >= now + 7200 - 5,
        "Retry-After honoured over the 10 min backoff"
    );

    let before = atom_ids(&h.atom(10));
    let entry_before = h
        .store
        .newest()
        .map(Result::unwrap)
        .find(|e| e.title.starts_with("Wednesday"))
        .unwrap();
    // A date-only change writes nothing.
    let redated = String::from_utf8(fixture("noguid.rss")).unwrap().replace(
        "Mon, 23 Nov 2026 10:00:00 GMT",
        "Mon, 23 Nov 2026 11:00:00 GMT",
    );
    server.route(
        "/live.rss",
        Route::ok(redated.clone().into_bytes(), "application/rss+xml"),
    );
    let generation = h.store.generation();
    let out = h.poll().await;
    assert!(
        matches!(out["live"], Outcome::Stored(s) if s.unchanged == 2 && s.updated == 0),
        "{:?}",
        out["live"]
    );
    assert_eq!(h.store.generation(), generation, "nothing rewritten");
    // A real change updates in place: same id, new `updated`, no new entry.
    let changed = redated.replace(
        "has added three series regulars",
        "has added four series regulars",
    );
    server.route(
        "/live.rss",
        Route::ok(changed.into_bytes(), "application/rss+xml"),
    );
    let out = h.poll().await;
    assert!(
        matches!(out["live"], Outcome::Stored(s) if s.updated == 1 && s.new == 0),
        "{:?}",
        out["live"]
    );
    assert_eq!(atom_ids(&h.atom(10)), before);
    let updated = h.store.entry(&entry_before.id).unwrap().unwrap();
    assert!(updated.summary.unwrap().contains("four series regulars"));
    assert_eq!(updated.first_seen, entry_before.first_seen);
    assert!(updated.updated > entry_before.updated);
}

#[tokio::test(flavor = "multi_thread")]
async fn retention_keeps_the_newest_and_does_not_reingest() {
    let server = fixture_server().await;
    let feeds = [
        ("soompi", server.url("/soompi.atom")),
        ("tvline", server.url("/tvline.rss")),
    ];
    let setup = write_config(&feeds, 1, "");
    let h = Harness::open(&setup);
    h.poll().await;
    assert_eq!(h.store.entry_count(), 6);
    let stats = h.store.prune(i64::MIN, 4).unwrap();
    assert_eq!(stats.evicted, 2);
    assert_eq!(h.store.entry_count(), 4);
    let counts: u64 = ["soompi", "tvline"]
        .iter()
        .map(|f| h.store.feed_state(f).unwrap().unwrap().entry_count)
        .sum();
    assert_eq!(counts, 4, "per-feed counts follow pruning");
    // The evicted (oldest) items are still in the feeds; polling again must not bring them back.
    server.route(
        "/soompi.atom",
        Route::ok(fixture("soompi.atom"), "application/atom+xml"),
    );
    h.poll().await;
    assert_eq!(h.store.entry_count(), 4);
    // Age: everything published before the cutoff goes.
    let stats = h.store.prune(i64::MAX, 100).unwrap();
    assert_eq!(stats.expired, 4);
    assert_eq!(h.store.entry_count(), 0);
}
