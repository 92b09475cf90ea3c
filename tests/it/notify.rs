//! Notifications of new stories, end to end with the real daemon: a loopback receiver gets
//! one ntfy request and one webhook request per new story of a view (ntfy's headers, the
//! token from the environment, the entry as a JSON Feed item), a 500 is retried, copies and
//! a feed's first poll announce nothing, and a restart does not announce anything again.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};

use crate::support::{free_port, status, wait_until, write_config, Daemon, FixtureServer, Route};

/// A request the receiver got.
#[derive(Clone, Debug)]
struct Got {
    path: String,
    headers: HeaderMap,
    body: String,
    status: u16,
}

/// A loopback HTTP server that records every request and answers 500 to the first
/// `fail_first` requests to `/hook`, 404 to `/gone`, 200 otherwise; stops when dropped.
struct Receiver {
    port: u16,
    got: Arc<Mutex<Vec<Got>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    async fn start(fail_first: usize) -> Receiver {
        let got = Arc::new(Mutex::new(Vec::<Got>::new()));
        let g = got.clone();
        let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
            let g = g.clone();
            async move {
                let mut got = g.lock().unwrap();
                let hooks = got.iter().filter(|r| r.path == "/hook").count();
                let status = if uri.path() == "/hook" && hooks < fail_first {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else if uri.path() == "/gone" {
                    StatusCode::NOT_FOUND
                } else {
                    StatusCode::OK
                };
                got.push(Got {
                    path: uri.path().to_owned(),
                    headers,
                    body: String::from_utf8_lossy(&body).into_owned(),
                    status: status.as_u16(),
                });
                status
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { port, got, task }
    }

    fn ok(&self, path: &str) -> Vec<Got> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path && r.status == 200)
            .cloned()
            .collect()
    }

    fn all(&self, path: &str) -> usize {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .count()
    }
}

/// An RSS feed of (title, link, minutes before now).
fn rss(items: &[(&str, &str, i64)]) -> Vec<u8> {
    let mut s = String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>https://example.org/</link><description>d</description>");
    for (title, link, ago) in items {
        let date = httpdate::fmt_http_date(
            std::time::SystemTime::now() - std::time::Duration::from_secs(*ago as u64 * 60),
        );
        s.push_str(&format!(
            "<item><title>{title}</title><link>{link}</link><guid>{link}</guid><pubDate>{date}</pubDate><description>About {title}.</description></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s.into_bytes()
}

const OLD: (&str, &str, i64) = (
    "Squid Game Season 2 Review: Bloodier Than Ever",
    "https://example.org/old-review",
    600,
);
const TRAILER: (&str, &str, i64) = (
    "Squid Game Season 3 Trailer Teases the Final Games",
    "https://example.org/trailer",
    30,
);
const CASTING: (&str, &str, i64) = (
    "Squid Game Star Joins Romance Drama",
    "https://example.org/casting",
    20,
);
const OTHER: (&str, &str, i64) = (
    "Box Office: Summer Movies Slump",
    "https://example.org/box-office",
    10,
);
const LATER: (&str, &str, i64) = (
    "Squid Game Renewed for a Fourth Season",
    "https://example.org/renewed",
    5,
);

async fn poll(base: &str) {
    let resp = reqwest::Client::new()
        .post(format!("{base}/admin/poll"))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
}

/// The `/status` rows of the notification targets: (target kind, sent, queued).
async fn targets(base: &str) -> Vec<(String, u64, u64)> {
    rows(base, "kind").await
}

/// (view, sent, queued) of each notification target in `/status`.
async fn by_view(base: &str) -> Vec<(String, u64, u64)> {
    rows(base, "view").await
}

/// (the row's `label` field, sent, queued) of each notification target in `/status`.
async fn rows(base: &str, label: &str) -> Vec<(String, u64, u64)> {
    status(base).await["notifications"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|r| {
            (
                r[label].as_str().unwrap().to_owned(),
                r["sent"].as_u64().unwrap(),
                r["queued"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Waits until every feed has been polled once.
async fn first_polls(base: &str) {
    wait_until("the first polls", async || {
        crate::support::try_status(base).await.is_some_and(|s| {
            s["feeds"]
                .as_array()
                .is_some_and(|f| f.iter().all(|f| !f["last_success"].is_null()))
        })
    })
    .await;
}

#[tokio::test]
async fn each_new_story_is_announced_once_per_target() {
    let receiver = Receiver::start(1).await;
    let feeds = FixtureServer::start().await;
    feeds.route("/a.xml", Route::ok(rss(&[OLD]), "application/rss+xml"));
    feeds.route("/b.xml", Route::ok(rss(&[OLD]), "application/rss+xml"));
    let port = free_port();
    let r = receiver.port;
    let extra = format!(
        "[polling]\ninterval = \"24h\"\n\n[[show]]\nname = \"Squid Game\"\n\n[[view]]\nname = \"squid-game\"\nshow = [\"squid-game\"]\n\
         notify = [{{ url = \"http://127.0.0.1:{r}/ntfy/topic\", type = \"ntfy\", token_env = \"TEST_NTFY_TOKEN\" }}, \"http://127.0.0.1:{r}/hook\"]\n"
    );
    let setup = write_config(
        &[("a", feeds.url("/a.xml")), ("b", feeds.url("/b.xml"))],
        port,
        &extra,
    );
    let env = [("TEST_NTFY_TOKEN", "tk_secret_token")];
    let mut daemon = Daemon::start_with(&setup, port, &env);
    let base = daemon.base.clone();
    first_polls(&base).await;
    assert_eq!(
        targets(&base).await,
        [("ntfy".into(), 0, 0), ("webhook".into(), 0, 0)],
        "a feed's first poll is its backlog: nothing is announced"
    );

    // Two new stories of the view, one story outside it, and feed b carrying a copy of
    // the trailer (the same link): one notification per story and target.
    feeds.route(
        "/a.xml",
        Route::ok(rss(&[OLD, TRAILER, CASTING, OTHER]), "application/rss+xml"),
    );
    feeds.route(
        "/b.xml",
        Route::ok(rss(&[OLD, TRAILER]), "application/rss+xml"),
    );
    poll(&base).await;
    wait_until("both stories at both targets", async || {
        targets(&base).await == [("ntfy".into(), 2, 0), ("webhook".into(), 2, 0)]
    })
    .await;

    let ntfy = receiver.ok("/ntfy/topic");
    let mut titles: Vec<String> = ntfy
        .iter()
        .map(|g| g.headers["title"].to_str().unwrap().to_owned())
        .collect();
    titles.sort();
    assert_eq!(titles, [TRAILER.0, CASTING.0]);
    for g in &ntfy {
        assert_eq!(g.headers["authorization"], "Bearer tk_secret_token");
        let click = g.headers["click"].to_str().unwrap();
        assert!([TRAILER.1, CASTING.1].contains(&click), "{click}");
        let tags = g.headers["tags"].to_str().unwrap();
        assert!(tags.split(',').any(|t| t == "squid-game"), "{tags}");
        assert!(g.body.starts_with("About Squid Game"), "{}", g.body);
    }
    // The webhook: a 500 first, retried; each story's JSON Feed item once.
    assert_eq!(receiver.all("/hook"), 3);
    let mut ids = Vec::new();
    for g in receiver.ok("/hook") {
        assert_eq!(g.headers["content-type"], "application/json");
        assert!(g.headers.get("authorization").is_none());
        let item: serde_json::Value = serde_json::from_str(&g.body).unwrap();
        assert!(item["id"].as_str().unwrap().starts_with("urn:uuid:"));
        assert!([TRAILER.0, CASTING.0].contains(&item["title"].as_str().unwrap()));
        assert!(item["url"]
            .as_str()
            .unwrap()
            .starts_with("https://example.org/"));
        assert!(item["date_published"].is_string() && item["content_text"].is_string());
        assert_eq!(item["_showfeed"]["view"], "squid-game");
        ids.push(item["id"].as_str().unwrap().to_owned());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 2);
    let metrics = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "showfeed_notifications_total{view=\"squid-game\",outcome=\"sent\"} 4",
        "showfeed_notifications_total{view=\"squid-game\",outcome=\"retried\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} in {metrics}");
    }
    let row = &status(&base).await["notifications"][1];
    assert_eq!(row["retried"], 1);
    assert_eq!(row["last_error"], "HTTP 500 Internal Server Error");
    assert_eq!(row["target"], format!("http://127.0.0.1:{r}/…"));

    // A restart announces nothing again; only what is new since.
    assert!(daemon.sigterm().success());
    feeds.route(
        "/a.xml",
        Route::ok(
            rss(&[OLD, TRAILER, CASTING, OTHER, LATER]),
            "application/rss+xml",
        ),
    );
    let daemon = Daemon::start_with(&setup, port, &env);
    let base = daemon.base.clone();
    wait_until("the restart's polls", async || {
        crate::support::try_status(&base)
            .await
            .is_some_and(|s| s["notifications"].as_array().is_some_and(|n| n.len() == 2))
    })
    .await;
    poll(&base).await;
    wait_until("the one new story at both targets", async || {
        targets(&base).await == [("ntfy".into(), 1, 0), ("webhook".into(), 1, 0)]
    })
    .await;
    assert_eq!(receiver.ok("/ntfy/topic").len(), 3);
    assert_eq!(receiver.ok("/hook").len(), 3);
    let last = receiver.ok("/ntfy/topic").pop().unwrap();
    assert_eq!(last.headers["title"], LATER.0);
}

/// A story whose first entry is outside a view enters it when a copy the view admits
/// arrives: announced then, once, and a view that had it already hears nothing again.
#[tokio::test]
async fn a_story_that_enters_a_view_through_a_later_copy_is_announced_once() {
    let receiver = Receiver::start(0).await;
    let feeds = FixtureServer::start().await;
    feeds.route("/a.xml", Route::ok(rss(&[OLD]), "application/rss+xml"));
    feeds.route("/b.xml", Route::ok(rss(&[OLD]), "application/rss+xml"));
    let port = free_port();
    let r = receiver.port;
    let extra = format!(
        "[polling]\ninterval = \"24h\"\n\n[[show]]\nname = \"Squid Game\"\n\n\
         [[view]]\nname = \"all\"\nshow = [\"squid-game\"]\nnotify = [\"http://127.0.0.1:{r}/all\"]\n\n\
         [[view]]\nname = \"from-b\"\nsource = [\"b\"]\nnotify = [\"http://127.0.0.1:{r}/from-b\"]\n"
    );
    let setup = write_config(
        &[("a", feeds.url("/a.xml")), ("b", feeds.url("/b.xml"))],
        port,
        &extra,
    );
    let daemon = Daemon::start(&setup, port);
    let base = daemon.base.clone();
    first_polls(&base).await;
    let row = |v: &str, sent: u64| (v.to_owned(), sent, 0);

    // The story starts in feed a: the show's view hears of it, b's view does not. The one
    // arrival is queued for both views at once, so once "all" has it, "from-b" has decided.
    feeds.route(
        "/a.xml",
        Route::ok(rss(&[OLD, TRAILER]), "application/rss+xml"),
    );
    poll(&base).await;
    wait_until("the story announced to the show's view", async || {
        by_view(&base).await == [row("all", 1), row("from-b", 0)]
    })
    .await;

    // Feed b carries the same article: the story enters b's view now, and only there.
    feeds.route(
        "/b.xml",
        Route::ok(rss(&[OLD, TRAILER]), "application/rss+xml"),
    );
    poll(&base).await;
    wait_until("the story announced to b's view", async || {
        by_view(&base).await == [row("all", 1), row("from-b", 1)]
    })
    .await;
    let got = receiver.ok("/from-b");
    assert_eq!(got.len(), 1);
    let item: serde_json::Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(item["title"], TRAILER.0);
    assert_eq!(
        item["_showfeed"]["source"], "b",
        "the copy that brought it in"
    );
    assert_eq!(
        receiver.all("/all"),
        1,
        "the show's view had the story already"
    );
}

/// The library path (no daemon): the notifier fed by a poll context, so its status and the
/// health feed can be read in place.
#[tokio::test]
async fn a_refused_target_is_given_up_in_the_health_feed_and_spoilers_stay_hidden() {
    use showfeed::notify::Notifier;
    let receiver = Receiver::start(0).await;
    let feeds = FixtureServer::start().await;
    feeds.route("/a.xml", Route::ok(rss(&[OLD]), "application/rss+xml"));
    let r = receiver.port;
    let extra = format!(
        "[[show]]\nname = \"Squid Game\"\nspoilers = \"48h\"\n\n[[view]]\nname = \"sg\"\nshow = [\"squid-game\"]\n\
         notify = [\"http://127.0.0.1:{r}/ntfy\", {{ url = \"http://127.0.0.1:{r}/gone\", type = \"webhook\" }}]\n"
    );
    let setup = write_config(&[("a", feeds.url("/a.xml"))], 0, &extra);
    let h = crate::support::Harness::open(&setup);
    let notifier = Notifier::new(h.store.clone(), h.config.clone()).unwrap();
    let cancel = tokio_util::sync::CancellationToken::new();
    let (arrivals, task) = notifier.spawn(cancel.clone());
    let mut ctx = showfeed::poll::Context::new(h.store.clone(), h.config.clone()).unwrap();
    ctx.arrivals = Some(arrivals);
    let ctx = Arc::new(ctx);
    showfeed::scheduler::poll_all(ctx.clone(), &h.config.feeds).await;
    let recap = (
        "Squid Game Season 3 Episode 1 Recap: Red Light",
        "https://example.org/recap",
        15,
    );
    feeds.route(
        "/a.xml",
        Route::ok(rss(&[OLD, recap]), "application/rss+xml"),
    );
    showfeed::scheduler::poll_all(ctx.clone(), &h.config.feeds).await;
    wait_until(
        "the recap sent to one target and given up at the other",
        async || {
            let rows = notifier.status().unwrap();
            rows.len() == 2 && rows[0].sent == 1 && rows[1].failed == 1 && rows[1].queued == 0
        },
    )
    .await;
    // http://127.0.0.1 is no ntfy host: a plain URL there is a webhook. Under the embargo,
    // the announcement says what the entry is, not what happens in it.
    let sent = receiver.ok("/ntfy");
    let item: serde_json::Value = serde_json::from_str(&sent[0].body).unwrap();
    assert_eq!(item["title"], "Squid Game S3E1: recap (spoilers hidden)");
    assert!(
        item["content_text"]
            .as_str()
            .unwrap()
            .starts_with("Spoilers hidden until "),
        "{item}"
    );
    assert_eq!(receiver.all("/gone"), 1, "a 404 is not retried");
    let rows = notifier.status().unwrap();
    assert_eq!(rows[1].last_error.as_deref(), Some("HTTP 404 Not Found"));
    let health =
        String::from_utf8(showfeed::output::health::render(&h.config, &h.store).unwrap()).unwrap();
    assert!(
        health.contains(&format!(
            "notification to http://127.0.0.1:{r}/… (view sg) failed"
        )),
        "{health}"
    );
    cancel.cancel();
    task.await.unwrap();
}
