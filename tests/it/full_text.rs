//! `full_text`: a loopback site serving summary-only feeds and their article pages, polled
//! through the library path and served by the real router. The whole article reaches every
//! format; each article is fetched once across polls and again when its item changes; a
//! failed or refused article keeps the summary and shows in `/status` and the metrics while
//! other feeds go on; a private address is refused unless `allow_private`; selectors work,
//! and a bad one fails `showfeed check` with its position; tagging reads the article.

use std::time::Duration;

use crate::support::*;

/// A news page as sites lay them out: navigation, the article, a sidebar of other stories,
/// a footer. `body` is the article's paragraphs (HTML).
fn page(title: &str, body: &str) -> Vec<u8> {
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} | TV Daily</title>
<script>window.tracker = function() {{ document.cookie = "x"; }};</script></head>
<body><header class="site-header"><nav><a href="/">Home</a> <a href="/tv">TV</a> <a href="/film">Film</a> <a href="/music">Music</a></nav></header>
<main><article class="post"><h1>{title}</h1><p class="byline">By Jane Writer</p>
<div class="entry-content">{body}</div></article>
<aside class="sidebar"><h3>Trending</h3><ul><li><a href="/x">Celebrity news roundup</a></li><li><a href="/y">Box office weekend</a></li></ul></aside></main>
<footer class="site-footer"><p>Copyright TV Daily. All rights reserved.</p><a href="/privacy">Privacy</a></footer></body></html>"#
    )
    .into_bytes()
}

/// Paragraphs of ordinary news prose, `n` of them, with `lead` as the first.
fn prose(lead: &str, n: usize) -> String {
    let filler = "The producers spoke at length about the schedule, the budget and the long shoot \
                  abroad, and said the cast had returned for several weeks of work in the spring.";
    let mut out = format!("<p>{lead}</p>");
    for i in 0..n {
        out.push_str(&format!(
            "<p>{filler} This was the {i}th point of the interview.</p>"
        ));
    }
    out
}

/// An RSS feed of summary-only items: (guid, title, one-sentence summary, link).
fn rss(items: &[(&str, &str, &str, String)]) -> Vec<u8> {
    let mut x = String::from(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>TV Daily</title><link>https://tvdaily.example/</link><description>d</description>"#,
    );
    for (guid, title, summary, link) in items {
        x.push_str(&format!(
            "<item><guid>{guid}</guid><title>{title}</title><link>{link}</link><description>{summary}</description><pubDate>Mon, 30 Nov 2026 10:00:00 GMT</pubDate></item>"
        ));
    }
    x.push_str("</channel></rss>");
    x.into_bytes()
}

const SHOWS: &str = r#"
[[show]]
name = "Squid Game"

[[show]]
name = "Andor"
"#;

/// A config with `feeds` given as whole `[[feed]]` tables, and `[polling]` settings.
fn config(feeds: &str, polling: &str) -> Setup {
    let setup = write_config(&[], 1, &format!("[polling]\n{polling}\n{SHOWS}\n{feeds}"));
    setup
}

/// Text of an output document.
async fn get(url: &str) -> String {
    reqwest::get(url).await.unwrap().text().await.unwrap()
}

/// The feed's row of `/status`.
async fn status_of(base: &str, feed: &str) -> serde_json::Value {
    let s = status(base).await;
    s["feeds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == feed)
        .cloned()
        .unwrap_or_else(|| panic!("no {feed} in {s}"))
}

const WHOLE: &str = "The whole article says the second season of Squid Game";

/// The summary-only feed of the core test, its first item with `summary`.
fn core_feed(site: &FixtureServer, summary: &str) -> Route {
    let feed = rss(&[
        ("g1", "Filming starts next month", summary, site.url("/a/1")),
        (
            "g2",
            "The winter schedule is out",
            "A schedule.",
            site.url("/a/2"),
        ),
    ]);
    Route::ok(feed, "application/rss+xml")
}

/// The site of the core test: the feed and its two articles, the first naming a show in
/// its body only, the second a show in a related-links list at its end only.
async fn core_site() -> FixtureServer {
    let site = FixtureServer::start().await;
    let lead = format!("{WHOLE} starts filming in Seoul next month, Netflix said on Tuesday.");
    let first = page("Filming news", &prose(&lead, 6));
    site.route("/a/1", Route::ok(first, "text/html; charset=utf-8"));
    let related = format!(
        "{}<h3>Related links:</h3><ul><li><a href=\"/r\">Andor season 2 trailer</a></li></ul>",
        prose(
            "The network announced its winter schedule of comedies and game shows.",
            6
        )
    );
    site.route(
        "/a/2",
        Route::ok(page("Winter schedule", &related), "text/html"),
    );
    site.route("/feed.rss", core_feed(&site, "A big drama returns."));
    site
}

/// The core path: the whole article in every format, fetched once across three polls,
/// fetched again when the item changes, with a User-Agent; tagging reads the article.
#[tokio::test]
async fn whole_articles_reach_every_format_once_per_item() {
    let site = core_site().await;
    let feeds = format!(
        "[[feed]]\nid = \"ft-core\"\nurl = \"{}\"\nfull_text = true\nallow_private = true\n",
        site.url("/feed.rss")
    );
    let setup = config(&feeds, "");
    let h = Harness::open(&setup);
    for _ in 0..3 {
        h.poll().await;
    }
    assert_eq!(site.seen("/feed.rss").len(), 3);
    assert_eq!(
        site.seen("/a/1").len(),
        1,
        "fetched once across three polls"
    );
    let ua = site.seen("/a/1")[0].user_agent.clone().unwrap_or_default();
    assert!(ua.starts_with("showfeed/"), "{ua}");
    let serving = h.serve().await;
    let base = &serving.base;
    for doc in ["feed.atom", "feed.rss", "feed.json"] {
        let text = get(&format!("{base}/{doc}")).await;
        assert!(text.contains(WHOLE), "{doc} lacks the article: {text}");
        assert!(
            text.contains("A big drama returns."),
            "{doc} lost the summary"
        );
        assert!(
            !text.contains("window.tracker") && !text.contains("Trending"),
            "{doc}"
        );
    }
    // A show named only in the article body is tagged; one only in a related-links list
    // at its end is not.
    let squid = get(&format!("{base}/shows/squid-game.json")).await;
    assert!(squid.contains("Filming starts next month"), "{squid}");
    let andor = get(&format!("{base}/shows/andor.json")).await;
    assert!(!andor.contains("winter schedule"), "{andor}");

    // The item changes: its article is fetched again, and the new text replaces the old.
    let moved = prose(
        "Filming moved to Busan, and the second season of Squid Game waits.",
        6,
    );
    site.route("/a/1", Route::ok(page("Filming news", &moved), "text/html"));
    site.route(
        "/feed.rss",
        core_feed(&site, "A big drama returns, updated."),
    );
    h.poll().await;
    assert_eq!(
        site.seen("/a/1").len(),
        2,
        "a changed item is fetched again"
    );
    assert_eq!(site.seen("/a/2").len(), 1, "an unchanged one is not");
    let atom = get(&format!("{base}/feed.atom")).await;
    assert!(
        atom.contains("Filming moved to Busan") && !atom.contains(WHOLE),
        "{atom}"
    );
    let row = status_of(base, "ft-core").await;
    assert_eq!(row["articles"]["fetched"], 3, "{row}");
}

/// Each way an article fails, as (path under `/a/`, the reason `/status` gives).
const FAILURES: [(&str, &str); 5] = [
    ("404", "status"),
    ("json", "not_html"),
    ("slow", "timeout"),
    ("huge", "too_large"),
    ("wall", "paywall"),
];

/// A site with one summary-only feed per failure, each item linking to its failing page,
/// and a plain feed; the `[[feed]]` tables that poll them.
async fn failing_site() -> (FixtureServer, String) {
    let site = FixtureServer::start().await;
    site.route(
        "/a/json",
        Route::ok(b"{\"a\": 1}".to_vec(), "application/json"),
    );
    let slow = Route::ok(page("Slow", &prose("Slow page.", 6)), "text/html");
    site.route("/a/slow", slow.delayed(Duration::from_secs(4)));
    site.route(
        "/a/huge",
        Route::ok(page("Huge", &prose("A huge page.", 4000)), "text/html"),
    );
    let wall = "<p>Subscribe to continue reading. Already a subscriber? Sign in to continue to the whole story, the archive and the newsletters.</p><p>Plans start at one dollar a week for the first year, cancel anytime you like.</p>";
    site.route("/a/wall", Route::ok(page("Wall", wall), "text/html"));
    let mut feeds = String::new();
    for (path, _) in FAILURES {
        let link = site.url(&format!("/a/{path}"));
        let item = rss(&[(
            path,
            &format!("Story {path}"),
            &format!("Summary of {path}."),
            link,
        )]);
        site.route(
            &format!("/{path}.rss"),
            Route::ok(item, "application/rss+xml"),
        );
        feeds.push_str(&format!(
            "[[feed]]\nid = \"ft-fail-{path}\"\nurl = \"{}\"\nfull_text = true\nallow_private = true\n\n",
            site.url(&format!("/{path}.rss"))
        ));
    }
    let plain = rss(&[("p", "Plain story", "Plain summary.", site.url("/a/plain"))]);
    site.route("/plain.rss", Route::ok(plain, "application/rss+xml"));
    let url = site.url("/plain.rss");
    feeds.push_str(&format!("[[feed]]\nid = \"ft-plain\"\nurl = \"{url}\"\n"));
    (site, feeds)
}

/// Every way an article fails keeps the summary, with the reason in `/status` and the
/// metrics, while the poll succeeds and a plain feed beside it is stored as usual.
#[tokio::test]
async fn failed_articles_keep_the_summary_and_say_why() {
    let (site, feeds) = failing_site().await;
    // Story merging off: the five look-alike stories must each be served.
    let polling = "timeout = \"2s\"\nmax_body = \"200KB\"\n\n[dedup]\nmode = \"off\"";
    let setup = config(&feeds, polling);
    let h = Harness::open(&setup);
    for (id, outcome) in &h.poll().await {
        assert!(
            matches!(outcome, showfeed::poll::Outcome::Stored(_)),
            "{id}: {outcome:?}"
        );
    }
    assert!(
        site.seen("/a/plain").is_empty(),
        "a feed without full_text fetches no article"
    );
    let serving = h.serve().await;
    let base = &serving.base;
    let atom = get(&format!("{base}/feed.atom")).await;
    for (path, reason) in FAILURES {
        assert!(
            atom.contains(&format!("Summary of {path}.")),
            "{path}: summary kept"
        );
        let row = status_of(base, &format!("ft-fail-{path}")).await;
        assert_eq!(row["articles"]["failed"], 1, "{row}");
        assert_eq!(row["articles"]["last_failure"]["reason"], reason, "{row}");
        assert_eq!(
            row["consecutive_failures"], 0,
            "the poll itself succeeded: {row}"
        );
    }
    assert!(!atom.contains("Subscribe to continue"));
    assert!(atom.contains("Plain summary."));
    let metrics = get(&format!("{base}/metrics")).await;
    for (path, reason) in FAILURES {
        let line =
            format!("showfeed_articles_total{{feed=\"ft-fail-{path}\",outcome=\"{reason}\"}} 1");
        assert!(metrics.contains(&line), "no {line} in the metrics");
    }
}

/// An article at a private address is refused unless the feed allows private addresses.
#[tokio::test]
async fn private_articles_need_allow_private() {
    let site = FixtureServer::start().await;
    site.route(
        "/p/1",
        Route::ok(
            page(
                "Private",
                &prose("A page on the local network about nothing.", 6),
            ),
            "text/html",
        ),
    );
    site.route(
        "/p.rss",
        Route::ok(
            rss(&[("p1", "Local story", "Local summary.", site.url("/p/1"))]),
            "application/rss+xml",
        ),
    );
    // The feed URL is a literal loopback address the admin wrote (allowed); the article link
    // is the publisher's, so the guard holds for it.
    let feeds = |allow: bool, id: &str| {
        format!(
            "[[feed]]\nid = \"{id}\"\nurl = \"{}\"\nfull_text = true\nallow_private = {allow}\n",
            site.url("/p.rss")
        )
    };
    let setup = config(&feeds(false, "ft-guarded"), "");
    let h = Harness::open(&setup);
    h.poll().await;
    assert!(
        site.seen("/p/1").is_empty(),
        "no request reached the private page"
    );
    let serving = h.serve().await;
    let row = status_of(&serving.base, "ft-guarded").await;
    assert_eq!(
        row["articles"]["last_failure"]["reason"], "private",
        "{row}"
    );
    drop((serving, h));

    let setup = config(&feeds(true, "ft-open"), "");
    let h = Harness::open(&setup);
    h.poll().await;
    assert_eq!(site.seen("/p/1").len(), 1);
    assert!(String::from_utf8_lossy(&h.atom(10)).contains("about nothing"));
}

/// `content_selector` takes the named part of the page, `exclude_selector` drops parts of it.
#[tokio::test]
async fn selectors_pick_and_drop() {
    let site = FixtureServer::start().await;
    let body = format!(
        "<div class=\"story-body\">{}<div class=\"promo\">Sign up for our newsletter today</div></div><div class=\"comments\">{}</div>",
        prose("Selected text: the chosen part of the page.", 3),
        prose("A long comment thread that readability could take for the article.", 12)
    );
    site.route("/s/1", Route::ok(page("Selected", &body), "text/html"));
    site.route(
        "/s.rss",
        Route::ok(
            rss(&[("s1", "Selected story", "Short.", site.url("/s/1"))]),
            "application/rss+xml",
        ),
    );
    let feeds = format!(
        "[[feed]]\nid = \"ft-sel\"\nurl = \"{}\"\nfull_text = \"auto\"\nallow_private = true\ncontent_selector = \"div.story-body\"\nexclude_selector = \".promo, .ads\"\n",
        site.url("/s.rss")
    );
    let setup = config(&feeds, "");
    let h = Harness::open(&setup);
    h.poll().await;
    let atom = String::from_utf8_lossy(&h.atom(10)).into_owned();
    assert!(atom.contains("Selected text: the chosen part"), "{atom}");
    assert!(
        !atom.contains("newsletter") && !atom.contains("comment thread"),
        "{atom}"
    );
}

/// A selector CSS cannot read fails `showfeed check`, naming the feed, the key, the line
/// and column of the offending character.
#[test]
fn a_bad_selector_fails_check_precisely() {
    let setup = config(
        "[[feed]]\nid = \"bad-sel\"\nurl = \"https://example.com/feed\"\nfull_text = true\ncontent_selector = \"div..body\"\n",
        "",
    );
    let out = showfeed()
        .args(["--config", setup.config.to_str().unwrap(), "check"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad-sel") && err.contains("content_selector"),
        "{err}"
    );
    assert!(err.contains("\"div..body\" is not a CSS selector"), "{err}");
    assert!(err.contains("character 5"), "{err}");
    let line = std::fs::read_to_string(&setup.config)
        .unwrap()
        .lines()
        .position(|l| l.starts_with("content_selector"))
        .unwrap()
        + 1;
    // The column of the second '.': `content_selector = "` is 20 characters.
    assert!(err.contains(&format!(":{line}:25")), "{err}");
    let setup = config(
        "[[feed]]\nid = \"bad-mode\"\nurl = \"https://example.com/feed\"\nfull_text = \"always\"\n",
        "",
    );
    let out = showfeed()
        .args(["--config", setup.config.to_str().unwrap(), "check"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("must be true, false or \"auto\""), "{err}");
}

/// A real page of Mozilla's readability suite behind a summary-only feed: its expected
/// text comes through (skipped without `$SHOWFEED_READABILITY`).
#[tokio::test]
async fn a_real_page_of_the_readability_suite() {
    let Some(dir) = readability_pages() else {
        skip("SHOWFEED_READABILITY is not set (the readability test pages)");
        return;
    };
    let case = dir.join("guardian-1");
    let (Ok(source), Ok(expected)) = (
        std::fs::read(case.join("source.html")),
        std::fs::read_to_string(case.join("expected.html")),
    ) else {
        skip("guardian-1 is not in the readability pages");
        return;
    };
    let site = FixtureServer::start().await;
    site.route("/g/1", Route::ok(source, "text/html; charset=utf-8"));
    site.route(
        "/g.rss",
        Route::ok(
            rss(&[("g1", "A real page", "One line.", site.url("/g/1"))]),
            "application/rss+xml",
        ),
    );
    let feeds = format!(
        "[[feed]]\nid = \"ft-real\"\nurl = \"{}\"\nfull_text = true\nallow_private = true\n",
        site.url("/g.rss")
    );
    let setup = config(&feeds, "");
    let h = Harness::open(&setup);
    h.poll().await;
    let atom = String::from_utf8_lossy(&h.atom(10)).into_owned();
    // A sentence from the middle of the expected extraction, as words.
    let expected = showfeed::text::html_to_text(&expected);
    let words: Vec<&str> = expected.split_whitespace().collect();
    let probe = &words[words.len() / 2..words.len() / 2 + 6];
    let text = showfeed::text::html_to_text(
        &atom
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    );
    assert!(
        text.contains(&probe.join(" ")),
        "{probe:?} not in the stored article"
    );
}

/// The readability test pages, from `$SHOWFEED_READABILITY` (its `test-pages/` folder or
/// the folder holding it).
fn readability_pages() -> Option<std::path::PathBuf> {
    let dir = std::path::PathBuf::from(std::env::var_os("SHOWFEED_READABILITY")?);
    let pages = dir.join("test-pages");
    Some(if pages.is_dir() { pages } else { dir })
}

/// `showfeed fetch-text`: entries stored before their feed had `full_text` get their
/// article (fetched once, re-tagged from it, served), in this process with a summary line,
/// and through the running daemon, which asks its scheduler to do it.
#[tokio::test(flavor = "multi_thread")]
async fn fetch_text_backfills_stored_entries() {
    let site = core_site().await;
    let port = free_port();
    let feed = format!(
        "[[feed]]\nid = \"tvdaily\"\nurl = \"{}\"\nallow_private = true\n",
        site.url("/feed.rss")
    );
    let setup = write_config(&[], port, &format!("{SHOWS}\n{feed}"));
    let config = setup.config.to_str().unwrap().to_owned();
    run_ok(&["--config", &config, "poll"]);
    assert!(site.seen("/a/1").is_empty(), "no full_text: no article yet");
    let untagged = run_ok(&["--config", &config, "feed", "--show", "squid-game"]);
    assert!(!String::from_utf8_lossy(&untagged.stdout).contains("Filming starts"));

    let fetch = |extra: &[&str]| {
        let mut args = vec![
            "--config",
            config.as_str(),
            "fetch-text",
            "--feed",
            "tvdaily",
        ];
        args.extend_from_slice(extra);
        let out = run_ok(&args);
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let said = fetch(&["--since", "36500d"]);
    assert!(
        said.contains("fetched 2 articles for 2 entries without text")
            && said.contains("0 kept their summary")
            && said.contains("1 re-tagged"),
        "{said}"
    );
    let tagged = run_ok(&["--config", &config, "feed", "--show", "squid-game"]);
    let tagged = String::from_utf8_lossy(&tagged.stdout);
    assert!(tagged.contains("Filming starts next month"), "{tagged}");
    assert!(
        tagged.contains("starts filming in Seoul"),
        "the article is the content"
    );
    // Nothing left to fetch; a re-poll keeps the articles.
    let again = fetch(&["--since", "36500d"]);
    assert!(
        again.contains("fetched 0 articles for 0 entries"),
        "{again}"
    );
    assert_eq!(site.seen("/a/1").len(), 1);

    // A third item arrives while the daemon runs: fetch-text goes through it.
    let mut items = vec![
        (
            "g1",
            "Filming starts next month",
            "A big drama returns.",
            site.url("/a/1"),
        ),
        (
            "g2",
            "The winter schedule is out",
            "A schedule.",
            site.url("/a/2"),
        ),
    ];
    items.push(("g3", "A third story", "Short.", site.url("/a/3")));
    let third = page(
        "A third story",
        &prose("A studio bought a new thriller series.", 6),
    );
    site.route("/a/3", Route::ok(third, "text/html"));
    site.route("/feed.rss", Route::ok(rss(&items), "application/rss+xml"));
    let daemon = Daemon::start(&setup, port);
    wait_until("the daemon answers", async || {
        try_status(&daemon.base).await.is_some()
    })
    .await;
    let polled = run_ok(&["--config", &config, "poll"]);
    let polled = String::from_utf8_lossy(&polled.stderr);
    assert!(polled.contains("1 new entries"), "{polled}");
    let said = fetch(&["--since", "36500d"]);
    assert!(
        said.contains("the daemon holds the store: asking it"),
        "{said}"
    );
    assert!(
        said.contains("fetched 1 articles for 1 entries without text"),
        "{said}"
    );
    let unknown = showfeed()
        .args(["--config", &config, "fetch-text", "--feed", "nope"])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("no feed with id \"nope\" is configured")
    );
    assert_eq!(site.seen("/a/2").len(), 1, "each article once");
}
