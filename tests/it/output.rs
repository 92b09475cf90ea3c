//! Output: every path, filter, format and paging, over a store built from the fixture feeds
//! and served by the real router on a loopback port.

use std::collections::HashSet;
use std::sync::Arc;

use showfeed::config::Config;
use showfeed::output::{DocKind, Format};
use showfeed::store::Store;

use crate::pipeline::fixture_server;
use crate::support::*;

const VIEWS: &str = r#"
[[show]]
name = "Squid Game"

[[show]]
name = "All of Us Are Dead"
aliases = ["지금 우리 학교는"]

[[show]]
name = "Frieren"

[[view]]
name = "soompi-season"
title = "Soompi seasons"
source = ["soompi"]
q = "season"

[[view]]
name = "recent"
since = "3650d"
limit = 2
"#;

struct Served {
    config: Arc<Config>,
    store: Arc<Store>,
    base: String,
    _serving: Serving,
    _setup: Setup,
    _server: FixtureServer,
}

async fn served() -> Served {
    let server = fixture_server().await;
    let feeds = [
        ("tvline", server.url("/tvline.rss")),
        ("soompi", server.url("/soompi.atom")),
        ("anime", server.url("/anime.json")),
        ("broken", server.url("/broken.rss")),
    ];
    let setup = write_config(&feeds, 1, VIEWS);
    // Tags, so the index page (Chromium loads it below) has its Tags section.
    let text = std::fs::read_to_string(&setup.config).unwrap();
    let text = text
        .replace(
            "id = \"soompi\"\n",
            "id = \"soompi\"\ntags = [\"k-drama\", \"asia\"]\n",
        )
        .replace(
            "id = \"anime\"\n",
            "id = \"anime\"\ntags = [\"anime\", \"asia\"]\n",
        );
    std::fs::write(&setup.config, text).unwrap();
    let h = Harness::open(&setup);
    assert_eq!(h.config.tag("asia").unwrap(), ["soompi", "anime"]);
    h.poll().await;
    let serving = h.serve().await;
    Served {
        config: h.config,
        store: h.store,
        base: serving.base.clone(),
        _serving: serving,
        _setup: setup,
        _server: server,
    }
}

fn titles(xml: &[u8]) -> Vec<String> {
    assert_well_formed(xml);
    feed_rs::parser::parse(xml)
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.title.unwrap().content)
        .collect()
}

async fn get(url: &str) -> reqwest::Response {
    reqwest::get(url).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn paths_formats_and_filters_select_exact_entries() {
    let s = served().await;
    let ids = |kind: DocKind, q: &str| {
        atom_ids(&render(&s.config, &s.store, kind, Format::Atom, q, 1000))
    };
    let all = ids(DocKind::Merged, "");
    assert_eq!(all.len(), 10);

    // Per source.
    let soompi = titles(&render(
        &s.config,
        &s.store,
        DocKind::Source("soompi".into()),
        Format::Atom,
        "",
        100,
    ));
    assert_eq!(
        soompi,
        [
            "All of Us Are Dead Season 2 Confirms Cast",
            "Moving Season 2 Begins Filming",
            "Queen of Tears Star Joins New Drama"
        ]
    );
    let two = ids(DocKind::Merged, "source=soompi&source=anime");
    assert_eq!(two.len(), 5);
    // q: all words, accent-insensitive, phrases in order.
    let t = titles(&render(
        &s.config,
        &s.store,
        DocKind::Merged,
        Format::Atom,
        "q=pokemon+dub",
        100,
    ));
    assert_eq!(t, ["Pokémon Horizons Season 2 “Rising” Dub Date"]);
    let t = titles(&render(
        &s.config,
        &s.store,
        DocKind::Merged,
        Format::Atom,
        "q=%22season+3%22",
        100,
    ));
    assert_eq!(t, ["Squid Game Season 3 Premiere Date Set at Netflix"]);
    let t = titles(&render(
        &s.config,
        &s.store,
        DocKind::Merged,
        Format::Atom,
        "q=%22season+premiere%22",
        100,
    ));
    assert!(t.is_empty(), "a phrase must appear in order: {t:?}");
    // since / until on publication time.
    let t = titles(&render(
        &s.config,
        &s.store,
        DocKind::Merged,
        Format::Atom,
        "since=2026-11-24T00:00:00Z&until=2026-11-24T13:00:00Z",
        100,
    ));
    assert_eq!(
        t,
        [
            "The Bear Renewed for Season 5 at FX",
            "All of Us Are Dead Season 2 Confirms Cast",
            "Frieren Season 2 Reveals January Premiere"
        ]
    );
    // Views: presets plus the client's own filters.
    let t = titles(&render(
        &s.config,
        &s.store,
        DocKind::View("soompi-season".into()),
        Format::Atom,
        "",
        100,
    ));
    assert_eq!(
        t,
        [
            "All of Us Are Dead Season 2 Confirms Cast",
            "Moving Season 2 Begins Filming"
        ]
    );
    let t = titles(&render(
        &s.config,
        &s.store,
        DocKind::View("soompi-season".into()),
        Format::Atom,
        "q=moving",
        100,
    ));
    assert_eq!(t, ["Moving Season 2 Begins Filming"]);

    // The three formats carry the same entries, in the same order, with the same ids.
    let rss = render(&s.config, &s.store, DocKind::Merged, Format::Rss, "", 1000);
    let json = render(&s.config, &s.store, DocKind::Merged, Format::Json, "", 1000);
    assert_well_formed(&rss);
    let rss_ids: Vec<String> = feed_rs::parser::parse(&rss[..])
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(rss_ids, all);
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["version"], "https://jsonfeed.org/version/1.1");
    let items = v["items"].as_array().unwrap();
    let json_ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(json_ids, all);
    for i in items {
        assert!(
            i["content_html"].is_string() || i["content_text"].is_string(),
            "JSON Feed requires content: {i}"
        );
        assert!(i["_showfeed"]["source"]["id"].is_string());
    }

    // Real readers on the other formats.
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in [("out.rss", &rss), ("out.json", &json)] {
        let file = dir.path().join(name);
        std::fs::write(&file, body).unwrap();
        if have_tool("python3", &["-c", "import feedparser"]) {
            let out = std::process::Command::new("python3")
                .arg(clients_dir().join("check_feedparser.py"))
                .arg(&file)
                .arg("10")
                .args(["--without-link", "0"])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{name}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn paging_is_stable_across_inserts() {
    let s = served().await;
    let page1 = get(&format!("{}/feed.atom?limit=4", s.base))
        .await
        .bytes()
        .await
        .unwrap();
    let feed = feed_rs::parser::parse(&page1[..]).unwrap();
    let next = feed
        .links
        .iter()
        .find(|l| l.rel.as_deref() == Some("next"))
        .unwrap()
        .href
        .clone();
    assert!(
        !feed
            .links
            .iter()
            .any(|l| l.rel.as_deref() == Some("previous")),
        "the first page has no previous"
    );
    let ids1: Vec<String> = feed.entries.iter().map(|e| e.id.clone()).collect();

    // New, newer entries arrive between two page requests.
    let all_before = atom_ids(&merged_atom(&s.config, &s.store, 1000));
    let mut e = s.store.newest().next().unwrap().unwrap();
    e.id = showfeed::entry::EntryId::derive("tvline", "brand new");
    e.story = e.id;
    e.published += 3600;
    let mut state = s.store.feed_state("tvline").unwrap().unwrap();
    s.store
        .commit_poll("tvline", &[e], &mut state, showfeed::clock::now(), i64::MIN)
        .unwrap();

    // The next link (a cursor, not an offset) still continues where page 1 ended.
    let next = next.replace("http://127.0.0.1:1", &s.base);
    let page2 = get(&next).await.bytes().await.unwrap();
    let feed2 = feed_rs::parser::parse(&page2[..]).unwrap();
    let ids2: Vec<String> = feed2.entries.iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids2, all_before[4..8].to_vec());
    // Its previous link leads back to exactly page 1.
    let prev = feed2
        .links
        .iter()
        .find(|l| l.rel.as_deref() == Some("previous"))
        .unwrap()
        .href
        .replace("http://127.0.0.1:1", &s.base);
    let back = feed_rs::parser::parse(&get(&prev).await.bytes().await.unwrap()[..]).unwrap();
    assert_eq!(
        back.entries
            .iter()
            .map(|e| e.id.clone())
            .collect::<Vec<_>>(),
        ids1
    );
    // The last page has no next link.
    let last = feed_rs::parser::parse(
        &get(&format!("{}/feed.atom?limit=1000", s.base))
            .await
            .bytes()
            .await
            .unwrap()[..],
    )
    .unwrap();
    assert!(!last.links.iter().any(|l| l.rel.as_deref() == Some("next")));
    assert_eq!(last.entries.len(), 11);
}

#[tokio::test(flavor = "multi_thread")]
async fn http_caching_compression_errors_index_and_opml() {
    let s = served().await;
    let client = reqwest::Client::builder()
        .gzip(false)
        .brotli(false)
        .build()
        .unwrap();
    for path in ["/feed.rss", "/sources/soompi.json", "/views/recent.atom"] {
        let r = client
            .get(format!("{}{path}", s.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let etag = r.headers()["etag"].to_str().unwrap().to_owned();
        let r = client
            .get(format!("{}{path}", s.base))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 304, "{path}");
    }
    let r = client
        .get(format!("{}/feed.atom", s.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let r = client
        .get(format!("{}/feed.json", s.base))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "br");
    assert_eq!(
        r.headers()["content-type"],
        "application/feed+json; charset=utf-8"
    );
    let recent = atom_ids(
        &get(&format!("{}/views/recent.atom", s.base))
            .await
            .bytes()
            .await
            .unwrap(),
    );
    assert_eq!(recent.len(), 2, "a view's own limit applies");

    for (path, status, needle) in [
        ("/shows/nope.atom", 404, "no show with slug \"nope\""),
        ("/sources/nope.rss", 404, "no source feed with id \"nope\""),
        ("/views/nope.json", 404, "no view named \"nope\""),
        ("/feed.xml", 404, "not found"),
        ("/feed.atom?source=nope", 400, "`source`"),
        ("/feed.atom?show=nope", 400, "`show`"),
        ("/feed.atom?since=later", 400, "`since`"),
        ("/feed.atom?before=xyz", 400, "`before`"),
        ("/feed.atom?limit=5&limit=6", 400, "`limit`"),
        ("/feed.atom?kind=gossip", 400, "`kind`"),
    ] {
        let r = get(&format!("{}{path}", s.base)).await;
        assert_eq!(r.status(), status, "{path}");
        let body = r.text().await.unwrap();
        assert!(body.contains(needle), "{path}: {body}");
    }

    let page = get(&format!("{}/", s.base)).await.text().await.unwrap();
    assert!(page.contains("<link rel=\"alternate\" type=\"application/atom+xml\""));
    assert!(page.contains("Pokémon Horizons Season 2 “Rising” Dub Date"));
    assert!(page.contains("/sources/soompi.rss"));
    assert!(page.contains("<h2>Tags</h2>") && page.contains("href=\"/tags/asia.rss\""));
    assert!(
        !page.contains("<script"),
        "no script, and feed text is escaped"
    );

    // OPML: export lists every source; import adds only what is new and keeps comments.
    let opml = get(&format!("{}/opml", s.base)).await.text().await.unwrap();
    let outlines = showfeed::opml::outlines(&opml).unwrap();
    let urls: HashSet<String> = outlines.iter().map(|o| o.url.clone()).collect();
    assert_eq!(
        urls,
        s.config.feeds.iter().map(|f| f.url.to_string()).collect()
    );
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("feeds.toml");
    std::fs::write(
        &cfg,
        "# my feeds\n[[feed]]\nid = \"variety\" # trades\nurl = \"https://variety.com/feed/\"\n",
    )
    .unwrap();
    let import = format!(
        "<opml version=\"2.0\"><body><outline text=\"TV\">{}<outline type=\"rss\" text=\"Variety\" xmlUrl=\"https://variety.com/feed\"/>\
         <outline type=\"rss\" text=\"Deadline &amp; Co\" xmlUrl=\"https://deadline.com/feed/\"/></outline></body></opml>",
        "<outline type=\"rss\" text=\"Soompi\" title=\"Soompi\" xmlUrl=\"https://www.soompi.com/feed\"/>"
    );
    let opml_file = dir.path().join("in.opml");
    std::fs::write(&opml_file, import).unwrap();
    run_ok(&[
        "--config",
        cfg.to_str().unwrap(),
        "opml",
        "import",
        opml_file.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&cfg).unwrap();
    assert!(
        text.starts_with("# my feeds\n") && text.contains("# trades"),
        "comments kept:\n{text}"
    );
    let config = Config::load(&cfg, None).unwrap();
    let ids: Vec<&str> = config.feeds.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["variety", "soompi", "deadline-co"]);
    // Round trip: our export imported into the same config adds nothing.
    let again = showfeed::opml::import(
        &cfg,
        &showfeed::opml::export(&config, &Default::default()),
        "export.opml",
        false,
    )
    .unwrap();
    assert!(again.added.is_empty() && again.skipped.len() == 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn index_page_renders_in_headless_chromium() {
    if !have_tool("chromium", &["--version"]) {
        return;
    }
    let s = served().await;
    let profile = tempfile::tempdir().unwrap();
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("index-page.png");
    let _ = std::fs::remove_file(&shot);
    let url = format!("{}/", s.base);
    let out = chromium(profile.path())
        .args([
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,1600",
        ])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output();
    let out = tokio::time::timeout(std::time::Duration::from_secs(60), out)
        .await
        .expect("chromium finished")
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium failed: {log}");
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a real screenshot ({} bytes)",
        png.len()
    );
    let console_errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") && (l.contains("ERROR") || l.contains("Uncaught")))
        .collect();
    assert!(
        console_errors.is_empty(),
        "console errors: {console_errors:?}"
    );
    eprintln!("index page screenshot: {}", shot.display());
}
