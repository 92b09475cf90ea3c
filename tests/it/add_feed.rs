//! `showfeed add URL` as an admin uses it: loopback sites laid out like real ones (a
//! WordPress head with several alternate links, a site with no links where only `/feed/`
//! answers, a YouTube channel page, a relative link, a redirect), through the real binary
//! into a real feeds.toml; the refusals (no feed, a private address, a duplicate); and the
//! running daemon picking the new feed up through its file watch.

use std::path::Path;

use showfeed::config::Config;

use crate::support::*;

/// An RSS 2.0 feed titled `channel` with `n` items.
fn rss(channel: &str, n: usize) -> Vec<u8> {
    let items: String = (0..n)
        .map(|i| {
            format!(
                "<item><title>Story {i}</title><link>https://site.example/{i}</link>\
                 <pubDate>Mon, 01 Jun 2026 1{i}:00:00 GMT</pubDate></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>\
         <title>{channel}</title><link>https://site.example/</link><language>en-US</language>{items}</channel></rss>"
    )
    .into_bytes()
}

fn atom(title: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <title>{title}</title><id>urn:x</id><updated>2026-06-01T10:00:00Z</updated>\
         <entry><title>One</title><id>urn:x:1</id><link href=\"https://site.example/1\"/>\
         <updated>2026-06-01T10:00:00Z</updated></entry></feed>"
    )
    .into_bytes()
}

/// `showfeed --config CONFIG add ARGS`: stdout, stderr, success.
fn add(config: &Path, args: &[&str]) -> (String, String, bool) {
    let out = showfeed()
        .args(["--config", config.to_str().unwrap(), "add"])
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

fn html(head: &str) -> Route {
    Route::ok(
        format!("<!DOCTYPE html>\n<html lang=\"en-US\"><head>\n<meta charset=\"UTF-8\">\n{head}\n</head><body><p>Hello</p></body></html>").into_bytes(),
        "text/html; charset=UTF-8",
    )
}

/// A config with one unrelated feed and a comment, on a port nothing listens on.
fn setup() -> Setup {
    write_config(
        &[("other", "file:///nonexistent/other.xml".into())],
        free_port(),
        "# my sources",
    )
}

/// WordPress heads name the posts feed, the comments feed and REST API links: both feeds
/// are listed with title and item count, the posts feed is added, id from its title;
/// `--dry-run` writes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_wordpress_page_lists_its_feeds_and_adds_the_posts_feed() {
    let server = FixtureServer::start().await;
    let site = server.url("");
    let head = format!(
        r#"<title>TVLine &#8211; TV News, Previews, Spoilers, Casting Scoop, Interviews</title>
<link rel='dns-prefetch' href='//s0.wp.com' />
<link rel="alternate" type="application/rss+xml" title="TVLine &raquo; Feed" href="{site}/feed/" />
<link rel="alternate" type="application/rss+xml" title="TVLine &raquo; Comments Feed" href="{site}/comments/feed/" />
<link rel="https://api.w.org/" href="{site}/wp-json/" />
<link rel="alternate" title="JSON" type="application/json" href="{site}/wp-json/wp/v2/pages/5" />
<link rel="EditURI" type="application/rsd+xml" title="RSD" href="{site}/xmlrpc.php?rsd" />
<link rel="canonical" href="{site}/" />"#
    );
    server.route("/", html(&head));
    server.route("/feed/", Route::ok(rss("TVLine", 3), "application/rss+xml"));
    server.route(
        "/comments/feed/",
        Route::ok(rss("Comments for TVLine", 2), "application/rss+xml"),
    );
    let setup = setup();
    let before = std::fs::read_to_string(&setup.config).unwrap();

    let (out, err, ok) = add(&setup.config, &[&format!("{site}/"), "--dry-run"]);
    assert!(ok, "{err}");
    assert!(out.starts_with(&format!("2 feeds at {site}/:\n")), "{out}");
    assert!(
        out.contains(&format!(
            "* {site}/feed/  \"TVLine\" (RSS, 3 items; linked from the page)"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "  {site}/comments/feed/  \"Comments for TVLine\" (RSS, 2 items; linked from the page)"
        )),
        "{out}"
    );
    assert!(!out.contains("wp-json"), "the REST API is no feed: {out}");
    assert!(out.contains(&format!("+ tvline  {site}/feed/\n")), "{out}");
    assert!(out.contains("dry run:"), "{out}");
    assert_eq!(std::fs::read_to_string(&setup.config).unwrap(), before);

    let (out, err, ok) = add(&setup.config, &[&format!("{site}/")]);
    assert!(ok, "{err}");
    assert!(out.ends_with(": feed added\n"), "{out}");
    let text = std::fs::read_to_string(&setup.config).unwrap();
    assert!(
        text.starts_with(&before),
        "the file is appended to:\n{text}"
    );
    assert!(text.contains("# my sources"), "{text}");
    assert!(text.contains("# added by showfeed add on "), "{text}");
    let config = Config::load(&setup.config, None).unwrap();
    let feed = config.feed("tvline").expect("added as tvline");
    assert_eq!(feed.url.as_str(), format!("{site}/feed/"));
    assert_eq!(feed.title, None, "its own title is the feed's");

    // Again: the feed is there now, under the id that has it.
    let (_, err, ok) = add(&setup.config, &[&format!("{site}/")]);
    assert!(!ok);
    assert!(err.contains("already in feeds.toml as tvline"), "{err}");
}

/// A site whose pages name no feed: the well-known paths are tried at the root and in the
/// page's directory; only `/feed/` answers with one, and only it is listed.
#[tokio::test(flavor = "multi_thread")]
async fn a_page_without_links_finds_the_feed_path() {
    let server = FixtureServer::start().await;
    server.route("/blog/post.html", html("<title>A Blog | Post</title>"));
    // The site sends its home page for unknown paths: no feed.
    server.route("/rss/", html("<title>A Blog</title>"));
    server.route("/feed/", Route::ok(rss("A Blog", 4), "application/rss+xml"));
    server.route("/blog/feed/", Route::status(404));
    let setup = setup();
    let page = server.url("/blog/post.html");
    let (out, err, ok) = add(&setup.config, &[&page, "--title", "My Blog"]);
    assert!(ok, "{err}");
    let feed = server.url("/feed/");
    assert!(
        out.contains(&format!(
            "* {feed}  \"A Blog\" (RSS, 4 items; well-known path)"
        )),
        "{out}"
    );
    assert!(
        out.starts_with("1 feed at "),
        "only what parses is listed: {out}"
    );
    assert!(
        !server.seen("/blog/feed/").is_empty(),
        "the page's directory is tried"
    );
    let config = Config::load(&setup.config, None).unwrap();
    let f = config.feed("my-blog").expect("id from --title");
    assert_eq!(f.url.as_str(), feed);
    assert_eq!(f.title.as_deref(), Some("My Blog"));
}

/// A YouTube channel page (its `/@handle` URL, as shared; the canonical link names the
/// channel) gives the channel's feed URL; from here YouTube cannot be reached, and its feed
/// is still offered, being YouTube's own URL form.
#[tokio::test(flavor = "multi_thread")]
async fn a_youtube_channel_page_gives_its_feed() {
    let server = FixtureServer::start().await;
    let channel = "UCWOA1ZGywLbqmigxE4Qlvuw";
    let head = format!(
        r#"<title>Netflix - YouTube</title><meta name="title" content="Netflix">
<link rel="canonical" href="https://www.youtube.com/channel/{channel}">
<link rel="alternate" type="application/rss+xml" title="RSS" href="https://www.youtube.com/feeds/videos.xml?channel_id={channel}">
<meta property="og:url" content="https://www.youtube.com/channel/{channel}">
<link rel="alternate" media="handheld" href="https://m.youtube.com/@Netflix">
<script>var ytInitialData = {{"metadata":{{"channelMetadataRenderer":{{"externalId":"{channel}"}}}}}};</script>"#
    );
    server.route("/@Netflix", html(&head));
    let setup = setup();
    let (out, err, ok) = add(&setup.config, &[&server.url("/@Netflix"), "--dry-run"]);
    assert!(ok, "{err}");
    let feed = format!("https://www.youtube.com/feeds/videos.xml?channel_id={channel}");
    assert!(
        out.lines()
            .any(|l| l.starts_with(&format!("* {feed}  ")) && l.contains("YouTube feed")),
        "{out}"
    );
    assert_eq!(
        out.lines().filter(|l| l.contains(&feed)).count(),
        2,
        "the canonical channel and the alternate link are one candidate: {out}"
    );
    assert!(out.contains(&format!("+ netflix  {feed}\n")), "{out}");
}

/// A page whose alternate link is relative, and a site that redirects: links resolve
/// against the page's URL after the redirect, as a browser's would.
#[tokio::test(flavor = "multi_thread")]
async fn relative_links_and_redirects() {
    let server = FixtureServer::start().await;
    server.route(
        "/news/index.html",
        html(r#"<title>News</title><link rel="alternate" type="application/atom+xml" title="News (Atom)" href="../feeds/atom.xml">"#),
    );
    server.route(
        "/feeds/atom.xml",
        Route::ok(atom("Daily News"), "application/atom+xml"),
    );
    let setup = setup();
    let (out, err, ok) = add(&setup.config, &[&server.url("/news/index.html")]);
    assert!(ok, "{err}");
    let feed = server.url("/feeds/atom.xml");
    assert!(
        out.contains(&format!(
            "* {feed}  \"Daily News\" (Atom, 1 items; linked from the page)"
        )),
        "{out}"
    );
    let config = Config::load(&setup.config, None).unwrap();
    assert_eq!(config.feed("daily-news").unwrap().url.as_str(), feed);

    // The old site redirects to the new one, on another server, whose link is relative.
    let new_site = FixtureServer::start().await;
    new_site.route(
        "/home/",
        html(r#"<title>Moved</title><link rel="alternate" type="application/feed+json" href="feed.json">"#),
    );
    let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"Moved Site","items":[{"id":"1","content_text":"x","url":"https://site.example/1"}]}"#;
    new_site.route(
        "/home/feed.json",
        Route::ok(json.into(), "application/feed+json"),
    );
    server.route("/old", Route::redirect(301, &new_site.url("/home/")));
    let (out, err, ok) = add(&setup.config, &[&server.url("/old")]);
    assert!(ok, "{err}");
    let feed = new_site.url("/home/feed.json");
    assert!(
        out.starts_with(&format!("1 feed at {}:", new_site.url("/home/"))),
        "{out}"
    );
    assert!(
        out.contains(&format!("* {feed}  \"Moved Site\" (JSON Feed, 1 items")),
        "{out}"
    );
    let config = Config::load(&setup.config, None).unwrap();
    assert_eq!(config.feed("moved-site").unwrap().url.as_str(), feed);
}

/// What is refused, with a message that says why, and the file untouched: a site with no
/// feed (its one link goes to an HTML page), a host name that resolves to a private address
/// unless `--allow-private`, and a feed the file has under another spelling.
#[tokio::test(flavor = "multi_thread")]
async fn refusals_say_why_and_change_nothing() {
    let server = FixtureServer::start().await;
    server.route(
        "/",
        html(r#"<title>Shop</title><link rel="alternate" type="application/rss+xml" href="/not-a-feed">"#),
    );
    server.route("/not-a-feed", html("<title>Not a feed</title>"));
    server.route(
        "/feed.xml",
        Route::ok(rss("Local", 1), "application/rss+xml"),
    );
    let setup = setup();
    let before = std::fs::read_to_string(&setup.config).unwrap();

    let (out, err, ok) = add(&setup.config, &[&server.url("/")]);
    assert!(!ok, "{out}");
    assert!(err.contains("no feed found at"), "{err}");
    assert!(
        out.contains(&format!(
            "x {}  not a feed: an HTML page",
            server.url("/not-a-feed")
        )),
        "{out}"
    );

    // `localhost` is a host name that resolves to loopback: the SSRF guard refuses it.
    let local = format!("http://localhost:{}/feed.xml", server.addr.port());
    let (_, err, ok) = add(&setup.config, &[&local]);
    assert!(!ok);
    assert!(err.contains("private, loopback or link-local"), "{err}");
    assert!(err.contains("allow_private"), "{err}");
    assert_eq!(std::fs::read_to_string(&setup.config).unwrap(), before);

    let (out, err, ok) = add(&setup.config, &[&local, "--allow-private", "--id", "local"]);
    assert!(ok, "{err}");
    assert!(out.contains(&format!("+ local  {local}")), "{out}");
    let config = Config::load(&setup.config, None).unwrap();
    assert!(config.feed("local").unwrap().allow_private);

    // Another spelling of the same URL (a tracking parameter, `www.`-less: the URL key).
    let again = format!("{local}?utm_source=newsletter");
    let (_, err, ok) = add(&setup.config, &[&again, "--allow-private"]);
    assert!(!ok);
    assert!(err.contains("already in feeds.toml as local"), "{err}");
    // A taken id.
    let (_, err, ok) = add(&setup.config, &[&server.url("/feed.xml"), "--id", "other"]);
    assert!(!ok);
    assert!(err.contains("--id \"other\" is taken"), "{err}");
}

/// The running daemon sees the file `add` wrote, reloads and polls the new feed.
#[tokio::test(flavor = "multi_thread")]
async fn the_running_daemon_polls_the_added_feed() {
    let server = FixtureServer::start().await;
    server.route("/a.rss", Route::ok(rss("First", 1), "application/rss+xml"));
    server.route(
        "/b.rss",
        Route::ok(rss("Second Source", 2), "application/rss+xml"),
    );
    let port = free_port();
    let setup = write_config(&[("first", server.url("/a.rss"))], port, "");
    let daemon = Daemon::start(&setup, port);
    let base = daemon.base.clone();
    let polled = |id: &'static str| {
        let base = base.clone();
        async move || {
            try_status(&base).await.is_some_and(|st| {
                st["feeds"].as_array().is_some_and(|rows| {
                    rows.iter()
                        .any(|f| f["id"] == id && f["last_success"].is_string())
                })
            })
        }
    };
    wait_until("first polled", polled("first")).await;
    let (out, err, ok) = add(&setup.config, &[&server.url("/b.rss")]);
    assert!(ok, "{err}");
    assert!(out.contains("+ second-source  "), "{out}");
    wait_until("the added feed polled", polled("second-source")).await;
}
