//! Stories do not depend on the order their copies arrived in: three outlets' reports of
//! one earthquake, where the third only matches the second (weakly: no bridge). Polled with
//! the second first, the third joins through it; polled with the third before the second,
//! ingest alone leaves it apart. Settling (after `showfeed poll` in its own process, and
//! in the daemon when `/admin/poll` answers) replays the window in publication order, so
//! every order ends in one story.

use std::collections::BTreeSet;

use crate::support::*;

/// (feed, title, summary), published ten minutes apart in this order.
const ITEMS: [(&str, &str, &str); 3] = [
    (
        "bbc",
        "Earthquake of magnitude 6.1 hits central Chile",
        "A strong earthquake struck central Chile on Tuesday, shaking buildings in Santiago.",
    ),
    (
        "cnn",
        "Chile earthquake shakes Santiago, no damage reported",
        "The quake struck central Chile; officials in Santiago reported no damage and no \
         tsunami warning.",
    ),
    (
        "fox",
        "Chile quake: no tsunami warning, officials say",
        "Officials in Valparaiso said there was no damage and no tsunami warning after the \
         quake, and schools reopened.",
    ),
];

fn doc(i: usize, with: bool, at: i64) -> Vec<u8> {
    let (feed, title, summary) = ITEMS[i];
    let t = chrono::DateTime::from_timestamp(at, 0)
        .unwrap()
        .to_rfc2822();
    let item = if with {
        format!(
            "<item><title>{title}</title><link>https://{feed}.example/news/quake</link>\
             <guid>{feed}-quake</guid><pubDate>{t}</pubDate><description>{summary}</description></item>"
        )
    } else {
        String::new()
    };
    format!(
        "<rss version=\"2.0\"><channel><title>{feed}</title><link>https://{feed}.example/</link>{item}</channel></rss>"
    )
    .into_bytes()
}

fn one_story() -> BTreeSet<BTreeSet<String>> {
    let all = ITEMS
        .iter()
        .map(|(f, _, _)| format!("https://{f}.example/news/quake"))
        .collect();
    BTreeSet::from([all])
}

/// Serves the three feeds empty, and a setup listing them.
async fn feeds(port: u16) -> (FixtureServer, Setup, i64) {
    let server = FixtureServer::start().await;
    let now = showfeed::clock::now();
    for (i, (feed, _, _)) in ITEMS.iter().enumerate() {
        server.route(
            &format!("/{feed}.rss"),
            Route::ok(doc(i, false, now), "application/rss+xml"),
        );
    }
    let list: Vec<(&str, String)> = ITEMS
        .iter()
        .map(|(f, _, _)| (*f, server.url(&format!("/{f}.rss"))))
        .collect();
    let setup = write_config(&list, port, "[dedup]\nmode = \"collapse\"\n");
    (server, setup, now - 3600)
}

/// Publishes item `i` (at its time after `t0`).
fn publish(server: &FixtureServer, i: usize, t0: i64) {
    server.route(
        &format!("/{}.rss", ITEMS[i].0),
        Route::ok(doc(i, true, t0 + 600 * i as i64), "application/rss+xml"),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn showfeed_poll_gives_one_story_whichever_outlet_came_first() {
    for order in [[0, 1, 2], [0, 2, 1], [2, 0, 1]] {
        let (server, setup, t0) = feeds(1).await;
        let config = setup.config.to_str().unwrap();
        for &i in &order {
            publish(&server, i, t0);
            run_ok(&["--config", config, "poll"]);
        }
        let out = run_ok(&["--config", config, "feed", "--format", "json"]);
        assert_eq!(json_clusters(&out.stdout), one_story(), "{order:?}");
        // Settled stories stay settled: polling again moves nothing back.
        run_ok(&["--config", config, "poll"]);
        let out = run_ok(&["--config", config, "feed", "--format", "json"]);
        assert_eq!(
            json_clusters(&out.stdout),
            one_story(),
            "{order:?}, polled again"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daemon_settles_before_admin_poll_answers() {
    let port = free_port();
    let (server, setup, t0) = feeds(port).await;
    let mut daemon = Daemon::start(&setup, port);
    wait_until("the daemon answers", async || {
        try_status(&daemon.base).await.is_some()
    })
    .await;
    let config = setup.config.to_str().unwrap();
    for i in [0, 2, 1] {
        publish(&server, i, t0);
        // The CLI asks the running daemon, which answers once the polls and the settling
        // are done.
        run_ok(&["--config", config, "poll"]);
    }
    let body = reqwest::get(format!("{}/feed.json", daemon.base))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(json_clusters(&body), one_story());
    assert!(daemon.sigterm().success());
}

/// The real-feed quality set (`tests/quality/`, see `bench/quality.sh`): a serial poll and
/// the default concurrency give the same stories, and collapse mode shows every labelled
/// item exactly once. Opt-in like the quality conformance test: it runs where the set's git
/// mirrors are (`$SHOWFEED_MIRRORS`, default /work/.mirror) and says it skipped elsewhere.
#[test]
fn quality_set_stories_do_not_depend_on_poll_order() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("python3")
        .arg(root.join("bench/quality.py"))
        .args([
            "--bin",
            env!("CARGO_BIN_EXE_showfeed"),
            "--checks",
            "--no-misses",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(3) {
        skip(&format!(
            "the quality set's git mirrors are not here:\n{err}"
        ));
        return;
    }
    assert!(out.status.success(), "bench/quality.py failed:\n{err}");
    let text = String::from_utf8(out.stdout).unwrap();
    let orders: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("poll order:"))
        .collect();
    assert_eq!(orders.len(), 2, "one order check per set:\n{text}");
    for line in orders {
        assert!(line.contains("(0 clusters differ)"), "{line}\n{text}");
    }
    for line in text.lines().filter(|l| l.starts_with("collapse mode:")) {
        assert!(
            line.contains(" 0 not shown, 0 shown more than once"),
            "{line}"
        );
    }
}
