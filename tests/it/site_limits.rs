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
