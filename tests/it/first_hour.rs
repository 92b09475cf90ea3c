//! What a new admin and a reader meet in the first hour (issue "the first hour"): each test
//! is one point of it, through the real binary and the HTTP API.

use crate::support::*;

fn feed_of(id: &str, title: &str) -> Vec<u8> {
    format!(
        "<rss version=\"2.0\"><channel><title>{id}</title><link>https://example.org/</link>\
         <item><title>{title}</title><link>https://example.org/{id}/1</link>\
         <guid>{id}-1</guid><pubDate>Mon, 01 Jun 2026 10:00:00 GMT</pubDate></item>\
         </channel></rss>"
    )
    .into_bytes()
}

/// A server with one feed, `/a.rss`, of one Squid Game trailer item.
async fn squid_feed_server() -> FixtureServer {
    let server = FixtureServer::start().await;
    server.route(
        "/a.rss",
        Route::ok(
            feed_of("a", "Squid Game season 3 trailer"),
            "application/rss+xml",
        ),
    );
    server
}

fn feed_status<'a>(st: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    st["feeds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("{id} in /status"))
}

fn secs_until(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp()
        - showfeed::clock::now()
}

/// Point 1: a feed that fails at the first start (nothing listens at its address yet) is
/// retried within minutes, not after twice the interval; `showfeed poll --feed` and
/// `--failing` ask the running daemon to poll now; a restart retries a network failure at
/// once but keeps the due time of a feed's own failure (a 404).
#[tokio::test(flavor = "multi_thread")]
async fn a_failing_feed_is_retried_soon_on_demand_and_at_restart() {
    let offline_port = free_port();
    let up = FixtureServer::start().await;
    up.route(
        "/ok.rss",
        Route::ok(feed_of("ok", "Fine"), "application/rss+xml"),
    );
    up.route("/missing.rss", Route::status(404));
    let port = free_port();
    let setup = write_config(
        &[
            ("ok", up.url("/ok.rss")),
            ("missing", up.url("/missing.rss")),
            (
                "later",
                format!("http://127.0.0.1:{offline_port}/later.rss"),
            ),
        ],
        port,
        "[polling]\ninterval = \"1h\"\n",
    );
    let config = setup.config.to_str().unwrap().to_owned();
    let mut daemon = Daemon::start(&setup, port);
    let base = daemon.base.clone();
    wait_until("every feed polled once", async || {
        try_status(&base).await.is_some_and(|st| {
            st["feeds"].as_array().unwrap().iter().all(|f| {
                f["last_success"].is_string() || f["consecutive_failures"].as_u64() > Some(0)
            })
        })
    })
    .await;
    let st = status(&base).await;
    let later = feed_status(&st, "later");
    assert_eq!(later["consecutive_failures"], 1);
    let wait = secs_until(later["next_poll"].as_str().unwrap());
    assert!(
        (50..=70).contains(&wait),
        "first retry about a minute away, not 2 h: {wait} s"
    );

    // The network comes back; the admin does not wait for the retry.
    let back = FixtureServer::start_on(offline_port).await;
    back.route(
        "/later.rss",
        Route::ok(feed_of("later", "Now here"), "application/rss+xml"),
    );
    let ok_polls = up.seen("/ok.rss").len();
    let out = showfeed()
        .args(["--config", &config, "poll", "--failing"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("asking it to poll now"), "{stderr}");
    assert!(
        stderr.contains("polled 2 feeds"),
        "the two failing ones: {stderr}"
    );
    assert!(
        stderr.contains("missing: fetch failed: HTTP 404"),
        "{stderr}"
    );
    assert_eq!(
        up.seen("/ok.rss").len(),
        ok_polls,
        "a healthy feed is not polled by --failing"
    );
    assert_eq!(back.seen("/later.rss").len(), 1);
    assert_eq!(
        feed_status(&status(&base).await, "later")["consecutive_failures"],
        0
    );
    let out = showfeed()
        .args(["--config", &config, "poll", "--feed", "ok"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(up.seen("/ok.rss").len(), ok_polls + 1);
    let out = showfeed()
        .args(["--config", &config, "poll", "--feed", "nope"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("no feed with id \"nope\""),
        "the daemon's reason: {stderr}"
    );

    // A restart during a network failure retries it at once; a 404 keeps its due time.
    drop(back);
    let out = showfeed()
        .args(["--config", &config, "poll", "--feed", "later"])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "every polled feed failed: non-zero for cron"
    );
    assert!(daemon.sigterm().success());
    let missing_polls = up.seen("/missing.rss").len();
    let back = FixtureServer::start_on(offline_port).await;
    back.route(
        "/later.rss",
        Route::ok(feed_of("later", "Now here"), "application/rss+xml"),
    );
    let _daemon = Daemon::start(&setup, port);
    wait_until("the network failure retried at start", async || {
        !back.seen("/later.rss").is_empty()
    })
    .await;
    wait_until("its success recorded", async || {
        try_status(&base)
            .await
            .is_some_and(|st| feed_status(&st, "later")["consecutive_failures"] == 0)
    })
    .await;
    assert_eq!(
        up.seen("/missing.rss").len(),
        missing_polls,
        "a 404 waits for its retry"
    );
}

fn rss(title: &str, items: &[(&str, &str, &str, &str)]) -> Vec<u8> {
    let items: String = items
        .iter()
        .map(|(link, t, at, summary)| {
            format!(
                "<item><title>{t}</title><link>{link}</link><guid>{link}</guid>\
                 <pubDate>{at}</pubDate><description>{summary}</description></item>"
            )
        })
        .collect();
    format!("<rss version=\"2.0\"><channel><title>{title}</title><link>https://{title}.example/</link>{items}</channel></rss>").into_bytes()
}

async fn json_doc(url: &str) -> serde_json::Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

/// Points 2 and 3: a story told by two outlets is one entry in the merged feed, and each
/// outlet's own feed holds it (with that outlet's copy shown, under the story's one id),
/// across pages too; the other outlets are named in an "Also reported by" line that
/// newsboat (which ignores related links) shows.
#[tokio::test(flavor = "multi_thread")]
async fn every_source_feed_holds_the_stories_it_carries_and_readers_see_the_other_outlets() {
    let story = "Queen of Tears finale breaks tvN ratings record with 24.8 percent";
    let summary = "The final episode of Queen of Tears, starring Kim Soo Hyun and Kim Ji Won, \
                   recorded an average nationwide rating of 24.8 percent, the highest in tvN history.";
    let now = chrono::Utc::now();
    let at = |h: i64| (now - chrono::Duration::hours(h)).to_rfc2822();
    let server = FixtureServer::start().await;
    server.route(
        "/soompi.rss",
        Route::ok(
            rss(
                "Soompi",
                &[("https://soompi.example/a/1", story, &at(5), summary)],
            ),
            "application/rss+xml",
        ),
    );
    server.route(
        "/deadline.rss",
        Route::ok(
            rss(
                "Deadline",
                &[
                    ("https://deadline.example/b/1", story, &at(4), summary),
                    (
                        "https://deadline.example/b/2",
                        "Netflix orders a third season of Wednesday",
                        &at(3),
                        "Jenna Ortega returns as Wednesday Addams for a third season at Netflix.",
                    ),
                ],
            ),
            "application/rss+xml",
        ),
    );
    let port = free_port();
    let setup = write_config(
        &[
            ("soompi", server.url("/soompi.rss")),
            ("deadline", server.url("/deadline.rss")),
        ],
        port,
        "[[show]]\nname = \"Queen of Tears\"\n\n[[show]]\nname = \"Wednesday\"\n",
    );
    let daemon = Daemon::start(&setup, port);
    let base = daemon.base.clone();
    wait_until("both feeds polled", async || {
        try_status(&base).await.is_some_and(|st| {
            st["feeds"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["last_success"].is_string())
        })
    })
    .await;

    let merged = json_doc(&format!("{base}/feed.json")).await;
    let items = merged["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "one entry per story: {merged:#}");
    let queen = items.iter().find(|i| i["title"] == story).unwrap();
    assert_eq!(
        queen["url"], "https://soompi.example/a/1",
        "the earliest copy is shown"
    );
    let also = queen["content_html"].as_str().unwrap();
    assert!(
        also.contains("Also reported by: <a href=\"https://deadline.example/b/1\">Deadline</a>"),
        "{also}"
    );

    for (source, url, n) in [
        ("soompi", "https://soompi.example/a/1", 1),
        ("deadline", "https://deadline.example/b/1", 2),
    ] {
        let doc = json_doc(&format!("{base}/sources/{source}.json")).await;
        let got = doc["items"].as_array().unwrap();
        assert_eq!(got.len(), n, "{source} carries {n}: {doc:#}");
        let q = got
            .iter()
            .find(|i| i["title"] == story)
            .expect("the shared story");
        assert_eq!(q["id"], queen["id"], "{source}: the story's one id");
        assert_eq!(q["url"], url, "{source}: its own copy");
        assert_eq!(q["_showfeed"]["source"]["id"], source);
    }
    // Page by page, each story exactly once.
    let mut seen = Vec::new();
    let mut next = Some(format!("{base}/sources/deadline.json?limit=1"));
    while let Some(url) = next {
        let doc = json_doc(&url).await;
        for i in doc["items"].as_array().unwrap() {
            seen.push(i["id"].as_str().unwrap().to_owned());
        }
        next = doc["next_url"].as_str().map(str::to_owned);
    }
    let unique: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (2, 2), "{seen:?}");
    // The show's feed holds the story too.
    let show = json_doc(&format!("{base}/shows/queen-of-tears.json")).await;
    assert_eq!(show["items"].as_array().unwrap().len(), 1, "{show:#}");

    if have_tool("newsboat", &["-v"]) {
        let out = tokio::process::Command::new("bash")
            .arg(clients_dir().join("check_newsboat.sh"))
            .arg(format!("{base}/feed.atom"))
            .arg("2")
            .arg("Also reported by")
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "newsboat: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A polled store served on loopback.
pub struct Served {
    pub base: String,
    _serving: Serving,
    _harness: Harness,
}

/// Polls `setup` and serves it.
pub async fn served(setup: &Setup) -> Served {
    let harness = Harness::open(setup);
    harness.poll().await;
    let serving = harness.serve().await;
    Served {
        base: serving.base.clone(),
        _serving: serving,
        _harness: harness,
    }
}

/// Point 12: a shared link with tracking parameters keeps working, slugs match in any case,
/// and anything else unknown is still a 400 naming it.
#[tokio::test(flavor = "multi_thread")]
async fn tracking_parameters_are_ignored_and_slugs_match_in_any_case() {
    let server = squid_feed_server().await;
    let setup = write_config(
        &[("a", server.url("/a.rss"))],
        1,
        "[[show]]\nname = \"Squid Game\"\n\n[[view]]\nname = \"squid\"\nshow = [\"squid-game\"]\n",
    );
    let s = served(&setup).await;
    let get = |path: &str| {
        let url = format!("{}{path}", s.base);
        async move { reqwest::get(url).await.unwrap() }
    };
    for path in [
        "/feed.atom?utm_source=newsletter&utm_medium=email&fbclid=abc",
        "/shows/Squid-Game.atom?utm_campaign=x",
        "/feed.json?show=SQUID-GAME&source=A",
        "/sources/A.rss",
        "/views/Squid.atom",
    ] {
        let r = get(path).await;
        assert_eq!(r.status(), 200, "{path}: {}", r.text().await.unwrap());
    }
    let atom = get("/shows/Squid-Game.atom?utm_source=x")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        atom.contains("/shows/squid-game.atom\""),
        "the self link is the canonical one: {atom}"
    );
    let r = get("/feed.atom?sort=new").await;
    assert_eq!(r.status(), 400);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("unknown query parameter `sort`"));
}

/// Point 4: a view with a relative `since` (the README's `30d`) keeps one feed id, one self
/// link and one ETag as time passes; only a change of the selected entries changes them.
#[tokio::test(flavor = "multi_thread")]
async fn a_relative_view_keeps_its_id_self_link_and_body_as_time_passes() {
    let server = FixtureServer::start().await;
    let at = (chrono::Utc::now() - chrono::Duration::days(2)).to_rfc2822();
    server.route(
        "/a.rss",
        Route::ok(
            rss(
                "a",
                &[(
                    "https://a.example/1",
                    "Squid Game season 3 trailer",
                    &at,
                    "Teaser",
                )],
            ),
            "application/rss+xml",
        ),
    );
    let setup = write_config(
        &[("a", server.url("/a.rss"))],
        1,
        "[[show]]\nname = \"Squid Game\"\n\n[[view]]\nname = \"recent\"\nsince = \"30d\"\n",
    );
    let h = Harness::open(&setup);
    h.poll().await;
    let kind = showfeed::output::DocKind::View("recent".into());
    let now = showfeed::clock::now();
    let body_at = |t: i64| {
        let r = showfeed::output::resolve_query(&h.config, &kind, None, t).unwrap();
        String::from_utf8(
            showfeed::output::render(
                &h.config,
                &h.store,
                &kind,
                showfeed::output::Format::Atom,
                &r,
            )
            .unwrap()
            .body,
        )
        .unwrap()
    };
    let first = body_at(now);
    assert!(
        first.contains("<id>http://127.0.0.1:1/views/recent.atom</id>"),
        "{first}"
    );
    assert!(first.contains("Squid Game season 3 trailer"));
    assert_eq!(
        first,
        body_at(now + 3 * 3600),
        "three hours later: same document"
    );
    let month_later = body_at(now + 40 * 86_400);
    assert!(
        !month_later.contains("Squid Game season 3 trailer"),
        "aged out of the view"
    );
    // A client's own relative filter keeps its form in the links.
    let r = showfeed::output::resolve_query(
        &h.config,
        &showfeed::output::DocKind::Merged,
        Some("since=7d"),
        now,
    )
    .unwrap();
    assert_eq!(r.link_query, "since=7days");
}

/// Runs headless Chromium on `url`: the DOM it rendered, and a screenshot at `shot`.
async fn chromium_on(url: &str, shot: &std::path::Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let run = |extra: String| {
        let mut c = chromium(profile.path());
        c.args(["--window-size=1280,1400", &extra, url]);
        c.output()
    };
    let dom = tokio::time::timeout(std::time::Duration::from_secs(60), run("--dump-dom".into()))
        .await
        .unwrap()
        .unwrap();
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let png = run(format!("--screenshot={}", shot.display()));
    let png = tokio::time::timeout(std::time::Duration::from_secs(60), png)
        .await
        .unwrap()
        .unwrap();
    assert!(
        png.status.success(),
        "{}",
        String::from_utf8_lossy(&png.stderr)
    );
    String::from_utf8(dom.stdout).unwrap()
}

/// Point 7: on a first start with failures, the index page says so on top, lists the
/// failing sources first with short reasons, shows with stories before the quiet ones, and
/// counts stories with a small chart per show and source.
#[tokio::test(flavor = "multi_thread")]
async fn the_first_run_index_page_says_what_is_wrong_first() {
    let server = FixtureServer::start().await;
    let at = (chrono::Utc::now() - chrono::Duration::hours(3)).to_rfc2822();
    server.route(
        "/ok.rss",
        Route::ok(
            rss(
                "ok",
                &[(
                    "https://ok.example/1",
                    "Squid Game season 3 trailer",
                    &at,
                    "Teaser",
                )],
            ),
            "application/rss+xml",
        ),
    );
    server.route("/missing.rss", Route::status(404));
    let offline = free_port();
    let setup = write_config(
        &[
            ("a-ok", server.url("/ok.rss")),
            ("m-missing", server.url("/missing.rss")),
            ("z-offline", format!("http://127.0.0.1:{offline}/feed.rss")),
        ],
        1,
        "[[show]]\nname = \"Andor\"\n\n[[show]]\nname = \"Squid Game\"\n\n[[show]]\nname = \"Bluey\"\n",
    );
    let s = served(&setup).await;
    let html = reqwest::get(format!("{}/", s.base)).await.unwrap();
    let etag = html.headers()["etag"].to_str().unwrap().to_owned();
    let again = reqwest::Client::new()
        .get(format!("{}/", s.base))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304, "the index page has an ETag");
    if !have_tool("chromium", &["--version"]) {
        return;
    }
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("first-run-index.png");
    let dom = chromium_on(&format!("{}/", s.base), &shot).await;
    let summary = dom
        .split("class=\"summary")
        .nth(1)
        .expect("a summary line")
        .split("</p>")
        .next()
        .unwrap();
    assert!(summary.contains("1 story from 3 sources"), "{summary}");
    assert!(summary.contains("2 of 3 sources failing"), "{summary}");
    assert!(summary.contains("HTTP 404 Not Found"), "{summary}");
    assert!(
        summary.contains("connection refused by 127.0.0.1"),
        "short reasons: {summary}"
    );
    let pos = |needle: &str| {
        dom.find(needle)
            .unwrap_or_else(|| panic!("{needle} on the page"))
    };
    assert!(
        pos(">m-missing<") < pos(">a-ok<") && pos(">z-offline<") < pos(">a-ok<"),
        "failing sources first"
    );
    assert!(
        pos(">Squid Game<") < pos("No stories yet about"),
        "shows with stories first"
    );
    assert!(
        pos("No stories yet about") < pos(">Andor<")
            && pos(">Bluey<") > pos("No stories yet about")
    );
    assert!(
        dom.contains("stories in the last 30 days"),
        "a chart per show and source"
    );
    // The whole chain is only a tooltip; the text a person reads is the short reason.
    let text: String = dom
        .split("title=\"")
        .map(|p| p.split_once('"').map_or(p, |(_, rest)| rest))
        .collect();
    assert!(
        !text.contains("error sending request"),
        "no nested clauses in the page's text"
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);
    eprintln!("first-run index page: {}", shot.display());
}

/// Point 13 (HTTP): gzip, brotli and identity are different representations with their own
/// strong ETags, each revalidating to a 304 that names it; public documents may be read
/// by any web page; the index page has an ETag too (tested with the first-run page).
#[tokio::test(flavor = "multi_thread")]
async fn each_representation_has_its_own_etag_and_documents_allow_any_origin() {
    let server = squid_feed_server().await;
    let setup = write_config(&[("a", server.url("/a.rss"))], 1, "");
    let s = served(&setup).await;
    let client = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();
    let url = format!("{}/feed.atom", s.base);
    let mut tags = Vec::new();
    for enc in ["identity", "gzip", "br"] {
        let r = client
            .get(&url)
            .header("accept-encoding", enc)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["access-control-allow-origin"], "*");
        let tag = r.headers()["etag"].to_str().unwrap().to_owned();
        let again = client
            .get(&url)
            .header("accept-encoding", enc)
            .header("if-none-match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{enc}");
        assert_eq!(
            again.headers()["etag"],
            tag.as_str(),
            "{enc}: the 304 names it"
        );
        tags.push(tag);
    }
    tags.dedup();
    assert_eq!(
        tags.len(),
        3,
        "three representations, three ETags: {tags:?}"
    );
}

/// Point 9 (and the colours of 13): a feed that moved permanently says so in the log,
/// `/status`, `showfeed status` and the index page; a log written to a file carries no
/// terminal colours.
#[tokio::test(flavor = "multi_thread")]
async fn a_permanent_redirect_shows_everywhere_and_logs_have_no_colours_off_a_terminal() {
    let server = FixtureServer::start().await;
    server.route("/old.rss", Route::redirect(301, &server.url("/new.rss")));
    server.route(
        "/new.rss",
        Route::ok(feed_of("m", "Moved along"), "application/rss+xml"),
    );
    let port = free_port();
    let setup = write_config(&[("m", server.url("/old.rss"))], port, "");
    let log = setup.dir.path().join("daemon.log");
    let daemon = Daemon {
        child: showfeed()
            .env("RUST_LOG", "info")
            .args(["--config", setup.config.to_str().unwrap(), "run"])
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
        base: format!("http://127.0.0.1:{port}"),
    };
    let base = daemon.base.clone();
    wait_until("the move recorded", async || {
        try_status(&base)
            .await
            .is_some_and(|st| feed_status(&st, "m")["moved_to"].is_string())
    })
    .await;
    let st = status(&base).await;
    assert_eq!(feed_status(&st, "m")["moved_to"], server.url("/new.rss"));
    let out = run_ok(&["--config", setup.config.to_str().unwrap(), "status"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("MOVED permanently to"), "{table}");
    let page = reqwest::get(format!("{base}/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("moved permanently to"), "the index says so");
    drop(daemon);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("moved permanently"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no ANSI colours in a file: {text}"
    );
}

/// Points 5, 6, 8, 10 and two of 13: with a broken feeds.toml on disk, `status`, `feed`,
/// `suggest` and `opml export` show the running daemon and say the file is invalid; the
/// index page shows the refused reload and the health feed the recovery; `check` of another
/// file does not diff against a daemon running this one; `opml export` through the daemon
/// is the same document as from the store; `--listen` and `SHOWFEED_LISTEN` set the port;
/// `run` on a busy port creates no data directory.
#[tokio::test(flavor = "multi_thread")]
async fn a_broken_config_on_disk_still_shows_the_running_daemon() {
    let server = squid_feed_server().await;
    let file_port = free_port();
    let setup = write_config(&[("a", server.url("/a.rss"))], file_port, "");
    let config = setup.config.to_str().unwrap().to_owned();
    let valid = std::fs::read_to_string(&setup.config).unwrap();

    // A busy port: nothing is created.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_port = busy.local_addr().unwrap().port().to_string();
    let out = showfeed()
        .args([
            "--config",
            &config,
            "--listen",
            &format!("127.0.0.1:{busy_port}"),
            "run",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen on"));
    assert!(
        !setup.dir.path().join("data").exists(),
        "no data directory for a daemon that never ran"
    );
    drop(busy);

    // --listen overrides the file's port; the CLI finds the daemon through SHOWFEED_LISTEN.
    let port = free_port();
    let daemon = Daemon {
        child: showfeed()
            .args([
                "--config",
                &config,
                "--listen",
                &format!("localhost:{port}"),
                "run",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
        base: format!("http://127.0.0.1:{port}"),
    };
    let base = daemon.base.clone();
    wait_until("the first poll", async || {
        try_status(&base)
            .await
            .is_some_and(|st| feed_status(&st, "a")["last_success"].is_string())
    })
    .await;
    let cli = |args: &[&str]| {
        showfeed()
            .env("SHOWFEED_LISTEN", format!(":{port}"))
            .args(["--config", &config])
            .args(args)
            .output()
            .unwrap()
    };
    let opml_from_daemon = cli(&["opml", "export"]);
    assert!(opml_from_daemon.status.success());
    let opml = String::from_utf8_lossy(&opml_from_daemon.stdout).into_owned();
    assert!(
        opml.contains("title=\"a\"") && opml.contains("htmlUrl=\"https://example.org/\""),
        "{opml}"
    );

    // The file breaks; the daemon keeps its config and says so.
    std::fs::write(&setup.config, "[server\nlisten = nonsense\n").unwrap();
    wait_until("the refused reload", async || {
        try_status(&base)
            .await
            .is_some_and(|st| st["config_error"].is_string())
    })
    .await;
    for args in [
        &["status"][..],
        &["feed"],
        &["suggest"],
        &["opml", "export"],
    ] {
        let out = cli(args);
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert!(
            stderr.contains("is invalid"),
            "{args:?} says the file is invalid: {stderr}"
        );
        assert!(!stdout.is_empty(), "{args:?}");
        if args == ["feed"] {
            assert!(stdout.ends_with("</feed>\n"), "a trailing newline");
            assert!(stdout.contains("Squid Game season 3 trailer"));
        }
        if args == ["opml", "export"] {
            let undated = |t: &str| {
                t.lines()
                    .filter(|l| !l.contains("<dateCreated>"))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            assert_eq!(
                undated(&stdout),
                undated(&opml),
                "the same document through the daemon"
            );
        }
    }
    let page = reqwest::get(format!("{base}/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("The config file on disk is invalid"),
        "the index shows the refused reload"
    );

    // Another file pointing at the same address: check does not diff against this daemon.
    let other = write_config(&[("b", server.url("/a.rss"))], port, "");
    let out = run_ok(&["--config", other.config.to_str().unwrap(), "check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("runs") && text.contains("not this file"),
        "{text}"
    );
    assert!(!text.contains("+ feed"), "{text}");

    // Fixed again: the health feed records it.
    std::fs::write(&setup.config, valid).unwrap();
    wait_until("the recovery", async || {
        try_status(&base)
            .await
            .is_some_and(|st| st["config_error"].is_null())
    })
    .await;
    let health = reqwest::get(format!("{base}/admin/health.atom"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        health.contains("config reload refused") && health.contains("config valid again"),
        "{health}"
    );
}

/// Point 13 (config): a misspelt key or slug gets a "did you mean", a duplicate id names
/// the line of the first, two feeds with one URL (or a variant of it) are flagged, and
/// `localhost:PORT` / `:PORT` are accepted listen addresses.
#[tokio::test(flavor = "multi_thread")]
async fn config_mistakes_are_explained_and_common_listen_forms_accepted() {
    let setup = write_config(
        &[
            ("a", "https://www.example.org/feed/".into()),
            ("b", "http://example.org/feed?utm_source=x".into()),
            ("a", "https://other.example/feed".into()),
        ],
        1,
        "[polling]\nintervall = \"15m\"\n",
    );
    let text = std::fs::read_to_string(&setup.config).unwrap();
    let first_a = text.lines().position(|l| l == "id = \"a\"").unwrap() + 1;
    let out = showfeed()
        .args(["--config", setup.config.to_str().unwrap(), "check"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown key `intervall` in [polling] (did you mean `interval`?)"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "duplicate feed id \"a\": ids must be unique (first used on line {first_a})"
        )),
        "{err}"
    );
    assert!(
        err.contains("feed `b`: `url` is the same feed as feed `a`"),
        "{err}"
    );

    for listen in ["localhost:8089", ":8089"] {
        let setup = write_config(&[("a", "https://example.org/feed".into())], 1, "");
        let text = std::fs::read_to_string(&setup.config).unwrap().replace(
            "listen = \"127.0.0.1:1\"",
            &format!("listen = \"{listen}\""),
        );
        std::fs::write(&setup.config, text).unwrap();
        // Every interface needs an admin token (tests/it/admin.rs): given by the environment.
        let out = showfeed()
            .env("SHOWFEED_ADMIN_TOKEN", "a-token-of-sixteen-chars")
            .args(["--config", setup.config.to_str().unwrap(), "check"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{listen}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let server = FixtureServer::start().await;
    server.route(
        "/a.rss",
        Route::ok(feed_of("a", "Squid Game season 3"), "application/rss+xml"),
    );
    let setup = write_config(
        &[("a", server.url("/a.rss"))],
        1,
        "[[show]]\nname = \"Squid Game\"\n",
    );
    let s = served(&setup).await;
    let r = reqwest::get(format!("{}/shows/squid-gam.atom", s.base))
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("did you mean `squid-game`?"));
}

/// Point 13: a local file's path never reaches public output (documents, OPML).
#[tokio::test(flavor = "multi_thread")]
async fn local_file_paths_stay_out_of_public_output() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret-home-dir-feed.rss");
    std::fs::write(
        &file,
        "<rss version=\"2.0\"><channel><title>local</title>\
         <item><title>Squid Game season 3</title><guid>l-1</guid>\
         <description>&lt;a href=\"more.html\"&gt;more&lt;/a&gt; &lt;img src=\"pic.jpg\"&gt;</description>\
         </item></channel></rss>",
    )
    .unwrap();
    let url = url::Url::from_file_path(&file).unwrap().to_string();
    let setup = write_config(&[("local", url)], 1, "");
    let s = served(&setup).await;
    for path in [
        "/feed.atom",
        "/feed.rss",
        "/feed.json",
        "/sources/local.atom",
        "/opml",
    ] {
        let body = reqwest::get(format!("{}{path}", s.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!body.contains("secret-home-dir"), "{path}: {body}");
        assert!(
            !body.contains("file:/"),
            "{path}: no local URL at all: {body}"
        );
    }
}

/// Point 14: `showfeed poll` on a terminal shows a progress bar (feeds done, new entries,
/// failures) and then the summary; piped, only the summary.
#[tokio::test(flavor = "multi_thread")]
async fn poll_shows_progress_on_a_terminal_only() {
    let server = FixtureServer::start().await;
    let mut feeds = Vec::new();
    for i in 0..4 {
        let path = format!("/f{i}.rss");
        server.route(
            &path,
            Route::ok(
                feed_of(&format!("f{i}"), "Squid Game"),
                "application/rss+xml",
            )
            .delayed(std::time::Duration::from_millis(400)),
        );
        feeds.push((format!("f{i}"), server.url(&path)));
    }
    let refs: Vec<(&str, String)> = feeds.iter().map(|(i, u)| (i.as_str(), u.clone())).collect();
    let setup = write_config(&refs, 1, "[polling]\nconcurrency = 1\n");
    let config = setup.config.to_str().unwrap().to_owned();
    let piped = showfeed()
        .args(["--config", &config, "poll"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&piped.stderr);
    assert!(text.contains("polled 4 feeds"), "{text}");
    assert!(
        !text.contains("/4 feeds") && !text.contains('\r'),
        "no bar in a pipe: {text:?}"
    );
    if !have_tool("script", &["--version"]) {
        return;
    }
    // `script` gives the command a terminal and records what it drew.
    let bin = env!("CARGO_BIN_EXE_showfeed");
    let tty = std::process::Command::new("script")
        .args([
            "-qefc",
            &format!("{bin} --config {config} poll"),
            "/dev/null",
        ])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let drawn = String::from_utf8_lossy(&tty.stdout);
    assert!(
        drawn.contains("/4 feeds"),
        "a progress bar on a terminal: {drawn:?}"
    );
    assert!(drawn.contains("polled 4 feeds"), "{drawn:?}");
}

/// Point 13: a reload that cannot read the file says why, with the OS's own words.
#[tokio::test(flavor = "multi_thread")]
async fn a_reload_that_cannot_read_the_file_says_why() {
    let server = FixtureServer::start().await;
    server.route(
        "/a.rss",
        Route::ok(feed_of("a", "Squid Game"), "application/rss+xml"),
    );
    let port = free_port();
    let setup = write_config(&[("a", server.url("/a.rss"))], port, "");
    let daemon = Daemon::start_with(&setup, port, &[("SHOWFEED_WATCH", "off")]);
    let base = daemon.base.clone();
    wait_until("the daemon up", async || try_status(&base).await.is_some()).await;
    // A directory where the file was: unreadable as a file, even for root.
    std::fs::remove_file(&setup.config).unwrap();
    std::fs::create_dir(&setup.config).unwrap();
    daemon.signal("-HUP");
    wait_until("the refused reload", async || {
        try_status(&base)
            .await
            .is_some_and(|st| st["config_error"].is_string())
    })
    .await;
    let st = status(&base).await;
    let error = st["config_error"].as_str().unwrap();
    assert!(error.contains("cannot read config file"), "{error}");
    assert!(error.contains("Is a directory"), "the OS error: {error}");
}

/// An archive feed whose items are older than `retention_days`: `poll` says why nothing was
/// kept, and raising `retention_days` reads the feed whole again at the next poll, although
/// the unchanged file would answer `304` to the validators of the first poll.
#[tokio::test(flavor = "multi_thread")]
async fn raising_retention_days_brings_in_the_items_it_skipped() {
    let server = FixtureServer::start().await;
    let day = |ago: i64| {
        chrono::DateTime::from_timestamp(showfeed::clock::now() - ago * 86_400, 0)
            .unwrap()
            .to_rfc2822()
    };
    let (recent, old) = (day(2), day(200));
    let body = rss(
        "archive",
        &[
            ("https://example.org/a/1", "Recent news", &recent, "Today."),
            ("https://example.org/a/2", "An old story", &old, "Long ago."),
        ],
    );
    server.route(
        "/archive.rss",
        Route::ok(body, "application/rss+xml").with_validators("\"v1\"", &recent),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    let write = |days: u32| {
        let text = format!(
            "[storage]\npath = \"data\"\nretention_days = {days}\n\n[[feed]]\nid = \"archive\"\nurl = \"{}\"\n",
            server.url("/archive.rss")
        );
        std::fs::write(&config, text).unwrap();
    };
    let cfg = config.to_str().unwrap();
    let poll = || String::from_utf8(run_ok(&["--config", cfg, "poll"]).stderr).unwrap();
    write(90);
    let first = poll();
    assert!(
        first.contains("1 new entries")
            && first.contains("1 items too old to keep (retention_days, max_entries)"),
        "{first}"
    );
    // Unchanged config and file: a conditional request, answered 304.
    assert!(poll().contains("0 new entries"));
    assert_eq!(server.seen("/archive.rss").last().unwrap().status, 304);
    write(365);
    let wider = poll();
    assert!(wider.contains("1 new entries"), "{wider}");
    let last = server.seen("/archive.rss").last().unwrap().clone();
    assert_eq!((last.if_none_match, last.status), (None, 200));
    let out = run_ok(&["--config", cfg, "feed", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let titles: Vec<&str> = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["title"].as_str())
        .collect();
    assert_eq!(titles, ["Recent news", "An old story"]);
    // Read whole once: the next poll is conditional again.
    assert!(poll().contains("0 new entries"));
    assert_eq!(server.seen("/archive.rss").last().unwrap().status, 304);
}

/// `showfeed --data DIR run`, then the commands without `--data`: there is no store where
/// the config points, and the daemon at its `listen` runs this very file, so `status`,
/// `feed` and `poll` ask it instead of failing (or of starting a second, empty store).
#[tokio::test(flavor = "multi_thread")]
async fn commands_find_a_daemon_that_keeps_its_store_elsewhere() {
    let server = squid_feed_server().await;
    let port = free_port();
    let setup = write_config(&[("a", server.url("/a.rss"))], port, "");
    let config = setup.config.to_str().unwrap().to_owned();
    let elsewhere = setup.dir.path().join("elsewhere");
    let daemon = Daemon {
        child: showfeed()
            .args([
                "--config",
                &config,
                "--data",
                elsewhere.to_str().unwrap(),
                "run",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
        base: format!("http://127.0.0.1:{port}"),
    };
    wait_until("the daemon has polled", async || {
        try_status(&daemon.base)
            .await
            .is_some_and(|st| st["feeds"][0]["last_success"].is_string())
    })
    .await;
    let status = run_ok(&["--config", &config, "status"]);
    let (out, err) = (
        String::from_utf8_lossy(&status.stdout),
        String::from_utf8_lossy(&status.stderr),
    );
    assert!(out.lines().any(|l| l.starts_with("a ")), "{out}");
    assert!(err.contains("asking the daemon at"), "{err}");
    let feed = run_ok(&["--config", &config, "feed", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&feed.stdout).unwrap();
    assert_eq!(doc["items"][0]["title"], "Squid Game season 3 trailer");
    let poll = run_ok(&["--config", &config, "poll"]);
    assert!(
        String::from_utf8_lossy(&poll.stderr).contains("asking it to poll now"),
        "{}",
        String::from_utf8_lossy(&poll.stderr)
    );
    assert!(
        !setup.dir.path().join("data").exists(),
        "no second store where the config points"
    );
    drop(daemon);
    // No daemon: the plain error about the missing store.
    let out = showfeed()
        .args(["--config", &config, "status"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no store at"));
}
