//! `[polling] per_host` counts by site (registrable domain, public suffix list), not by host
//! name: two blogs on one platform share the budget, a platform whose subdomains belong to
//! different people (a public suffix such as github.io) does not, nor do two sites.

use futures_util::FutureExt as _;

use showfeed::config::Config;
use showfeed::limits::Limits;

const FEEDS: &str = r#"
[[feed]]
id = "a"
url = "https://a.tumblr.com/rss"
[[feed]]
id = "b"
url = "https://B.Tumblr.com./rss"
[[feed]]
id = "bbc"
url = "https://feeds.bbci.co.uk/news/rss.xml"
[[feed]]
id = "bbc-2"
url = "https://news.bbci.co.uk/other.xml"
[[feed]]
id = "pages-a"
url = "https://alice.github.io/feed.xml"
[[feed]]
id = "pages-b"
url = "https://bob.github.io/feed.xml"
[[feed]]
id = "ip"
url = "http://127.0.0.1:8080/feed"
"#;

fn key(config: &Config, id: &str) -> String {
    config.feed(id).unwrap().host_key()
}

#[test]
fn sites_are_registrable_domains() {
    let config = Config::parse(FEEDS, std::path::Path::new("feeds.toml")).unwrap();
    assert_eq!(key(&config, "a"), "tumblr.com");
    assert_eq!(key(&config, "b"), "tumblr.com");
    assert_eq!(key(&config, "bbc"), "bbci.co.uk");
    assert_eq!(key(&config, "bbc-2"), "bbci.co.uk");
    assert_eq!(key(&config, "pages-a"), "alice.github.io");
    assert_eq!(key(&config, "pages-b"), "bob.github.io");
    assert_eq!(key(&config, "ip"), "127.0.0.1");
}

/// With `per_host = 1`, a poll of b.tumblr.com waits while a.tumblr.com's holds the site's
/// slot; bob.github.io's does not.
#[tokio::test]
async fn one_site_shares_one_budget() {
    let config = Config::parse(FEEDS, std::path::Path::new("feeds.toml")).unwrap();
    let limits = Limits::new(16, 1);
    let held = limits.acquire(&key(&config, "a")).await;
    assert!(
        limits.acquire(&key(&config, "b")).now_or_never().is_none(),
        "b.tumblr.com waits for a.tumblr.com's slot"
    );
    let _alice = limits.acquire(&key(&config, "pages-a")).await;
    assert!(
        limits
            .acquire(&key(&config, "pages-b"))
            .now_or_never()
            .is_some(),
        "github.io is a public suffix: bob's pages are another site"
    );
    drop(held);
    assert!(limits.acquire(&key(&config, "b")).now_or_never().is_some());
}

/// `[polling] min_gap`: the k-th request to one site cannot start before k gaps have
/// passed, while another site is not held back by it.
#[tokio::test]
async fn requests_to_one_site_start_min_gap_apart() {
    use std::time::{Duration, Instant};
    let gap = Duration::from_millis(300);
    let limits = Limits::new(16, 4).with_min_gap(gap);
    let t0 = Instant::now();
    for k in 0..3u32 {
        let _p = limits.acquire("a.example").await;
        assert!(
            t0.elapsed() >= gap * k,
            "start {k} after {:?}",
            t0.elapsed()
        );
    }
    assert!(
        limits.acquire("b.example").now_or_never().is_some(),
        "another site's first request needs no wait"
    );
}

/// The same through a poll: four feeds of one site, `min_gap = "500ms"`, each request
/// arriving at least one more gap after the poll began.
#[tokio::test]
async fn a_poll_spaces_the_requests_to_one_site() {
    use crate::support::*;
    let server = FixtureServer::start().await;
    let ids = ["a", "b", "c", "d"];
    for id in ids {
        server.route(
            &format!("/{id}"),
            Route::ok(fixture("tvline.rss"), "application/rss+xml"),
        );
    }
    let feeds: Vec<(&str, String)> = ids
        .iter()
        .map(|id| (*id, server.url(&format!("/{id}"))))
        .collect();
    let setup = write_config(&feeds, 1, "[polling]\nper_host = 4\nmin_gap = \"500ms\"\n");
    let h = Harness::open(&setup);
    let t0 = std::time::Instant::now();
    h.poll().await;
    let mut arrivals: Vec<_> = ids
        .iter()
        .flat_map(|id| server.seen(&format!("/{id}")))
        .map(|s| s.at.duration_since(t0))
        .collect();
    arrivals.sort();
    assert_eq!(arrivals.len(), 4);
    for (k, at) in arrivals.iter().enumerate() {
        assert!(
            *at >= std::time::Duration::from_millis(500) * k as u32,
            "request {k} arrived {at:?} after the poll began"
        );
    }
}

/// A 429 with `Retry-After` on one feed holds the other feeds of its site (a poll asked
/// for says why and makes no request), also across a reload, while another site polls.
#[tokio::test]
async fn retry_after_holds_the_whole_site() {
    use crate::support::*;
    let server = FixtureServer::start().await;
    server.route("/limited", Route::status(429).header("retry-after", "600"));
    let ok = Route::ok(fixture("tvline.rss"), "application/rss+xml");
    server.route("/other", ok.clone());
    server.route("/elsewhere", ok);
    let port = free_port();
    let setup = write_config(
        &[("limited", server.url("/limited"))],
        port,
        "[polling]\nallow_private = true\n",
    );
    let daemon = Daemon::start(&setup, port);
    wait_until("the 429 is recorded", async || {
        try_status(&daemon.base)
            .await
            .is_some_and(|s| s["feeds"][0]["consecutive_failures"].as_u64() == Some(1))
    })
    .await;
    // Two more feeds: one on the same site (127.0.0.1), one on another (localhost).
    let mut text = std::fs::read_to_string(&setup.config).unwrap();
    let elsewhere = server.url("/elsewhere").replace("127.0.0.1", "localhost");
    text.push_str(&format!(
        "[[feed]]\nid = \"other\"\nurl = \"{}\"\n\n[[feed]]\nid = \"elsewhere\"\nurl = \"{elsewhere}\"\n",
        server.url("/other")
    ));
    std::fs::write(&setup.config, text).unwrap();
    daemon.signal("-HUP");
    wait_until("the other site's feed is polled", async || {
        try_status(&daemon.base).await.is_some_and(|s| {
            s["feeds"].as_array().is_some_and(|f| {
                f.iter()
                    .any(|f| f["id"] == "elsewhere" && f["entries"].as_u64() > Some(0))
            })
        })
    })
    .await;
    let out = showfeed()
        .args([
            "--config",
            setup.config.to_str().unwrap(),
            "poll",
            "--feed",
            "other",
        ])
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("its site asked to slow down"),
        "poll --feed other: {said}"
    );
    assert!(
        server.seen("/other").is_empty(),
        "no request to a held site"
    );
    assert_eq!(
        server.seen("/limited").len(),
        1,
        "the 429'd feed waits its Retry-After"
    );
}
