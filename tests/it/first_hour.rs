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
