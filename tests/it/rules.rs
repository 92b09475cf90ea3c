//! Ingest rules end to end with the real daemon: `[rules]` and `[[feed]]` block / keep drop
//! fetched entries before they are stored, in Miniflux's order, counted per feed and rule in
//! /status and /metrics; `showfeed rules test` lists what a rule matches through the running
//! daemon; `showfeed check` reports a wrong rule where it is written.

use crate::query_lang::{
    rss, sorted, titles, BOX, JOINS, RATINGS, RENEWED, SOOMPI, TRAILER, VARIETY,
};
use crate::support::{
    free_port, run_ok, showfeed, wait_until, write_config, Daemon, FixtureServer, Route,
};

#[tokio::test(flavor = "multi_thread")]
async fn rules_drop_at_ingest_in_order_and_are_counted() {
    let server = FixtureServer::start().await;
    server.route(
        "/variety.rss",
        Route::ok(rss(VARIETY), "application/rss+xml"),
    );
    server.route("/soompi.rss", Route::ok(rss(SOOMPI), "application/rss+xml"));
    let port = free_port();
    // Global block: the box-office story. Variety's block: Rubin (also the box-office story:
    // the global block comes first and takes it). Global keep: anything but the ratings
    // roundup. Soompi's keep: only Squid Game (nothing left for it to drop).
    let setup = write_config(
        &[],
        port,
        "[[show]]\nname = \"Squid Game\"\n\n[[show]]\nname = \"The Bear\"\n\n\
         [rules]\nblock = \"intitle:\\\"box office\\\"\"\nkeep = \"-intitle:roundup\"\n",
    );
    let mut text = std::fs::read_to_string(&setup.config).unwrap();
    text.push_str(&format!(
        "[[feed]]\nid = \"variety\"\nurl = \"{}\"\nblock = \"author:rubin OR intitle:renewed\"\n\n\
         [[feed]]\nid = \"soompi\"\nurl = \"{}\"\nkeep = \"show:squid-game\"\n",
        server.url("/variety.rss"),
        server.url("/soompi.rss")
    ));
    std::fs::write(&setup.config, text).unwrap();
    let cfg = setup.config.to_str().unwrap().to_owned();
    run_ok(&["--config", &cfg, "check"]);

    let daemon = Daemon::start(&setup, port);
    let base = daemon.base.clone();
    let drops = |status: &serde_json::Value, feed: &str| {
        status["feeds"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["id"] == feed))
            .map(|r| r["dropped_by_rules"].clone())
    };
    wait_until("both feeds polled with their drops counted", async || {
        let Some(s) = crate::support::try_status(&base).await else {
            return false;
        };
        let polled = s["feeds"]
            .as_array()
            .is_some_and(|rows| rows.iter().all(|r| !r["last_success"].is_null()));
        polled && drops(&s, "variety").is_some_and(|d| d.as_object().is_some_and(|o| !o.is_empty()))
    })
    .await;
    let s = crate::support::status(&base).await;
    assert_eq!(
        drops(&s, "variety").unwrap(),
        serde_json::json!({"global_block": 1, "feed_block": 1})
    );
    assert_eq!(
        drops(&s, "soompi").unwrap(),
        serde_json::json!({"global_keep": 1})
    );
    let metrics = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            "showfeed_entries_dropped_by_rules_total{feed=\"variety\",rule=\"global_block\"} 1"
        ),
        "{metrics}"
    );
    // Only what passed every rule is stored and served.
    let feed = reqwest::get(format!("{base}/feed.atom"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(titles(&feed), sorted(&[TRAILER, JOINS]));
    let _ = (BOX, RATINGS, RENEWED);

    // `rules test` asks the running daemon (it holds the store).
    let out = run_ok(&[
        "--config",
        &cfg,
        "rules",
        "test",
        "squid OR trailer",
        "--feed",
        "soompi",
    ]);
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(out.contains(JOINS) && !out.contains(TRAILER), "{out}");
    assert!(
        out.contains("1 of 1 stored entries match squid OR trailer"),
        "{out}"
    );
    let bad = showfeed()
        .args(["--config", &cfg, "rules", "test", "squid )"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("unexpected ')' at column 7"), "{err}");
}

#[test]
fn check_reports_each_wrong_rule_with_its_position() {
    let setup = write_config(
        &[("variety", "https://variety.com/feed/".into())],
        free_port(),
        "[[show]]\nname = \"Squid Game\"\n\n[rules]\nblock = \"(rumor OR\"\nkeep = \"date:P7D\"\n",
    );
    let mut text = std::fs::read_to_string(&setup.config).unwrap();
    text.push_str("block = \"show:lost\"\n");
    std::fs::write(&setup.config, text).unwrap();
    let out = showfeed()
        .args(["--config", setup.config.to_str().unwrap(), "check"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "`block`: expected a term after OR at column 8",
        "`keep`: a rule cannot use a `date:` duration",
        "feed `variety`",
        "`block`: `show:` no show with slug \"lost\" is configured at column 6",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
}

/// A changed rule set is applied to the stored entries (hidden, not deleted), and undoing
/// it brings them back: through `showfeed poll`, which runs the same pass as the daemon.
#[tokio::test(flavor = "multi_thread")]
async fn a_rule_change_hides_stored_entries_and_undoing_it_brings_them_back() {
    let server = FixtureServer::start().await;
    server.route(
        "/variety.rss",
        Route::ok(rss(VARIETY), "application/rss+xml"),
    );
    let setup = write_config(
        &[("variety", server.url("/variety.rss"))],
        free_port(),
        "[[show]]\nname = \"The Bear\"\n",
    );
    let cfg = setup.config.to_str().unwrap().to_owned();
    let served = || {
        let out = run_ok(&["--config", &cfg, "feed"]);
        titles(&out.stdout)
    };
    run_ok(&["--config", &cfg, "poll"]);
    assert_eq!(served(), sorted(&[TRAILER, RENEWED, BOX]));

    let original = std::fs::read_to_string(&setup.config).unwrap();
    std::fs::write(
        &setup.config,
        format!("[rules]\nblock = \"show:the-bear OR author:rubin\"\n\n{original}"),
    )
    .unwrap();
    let out = run_ok(&["--config", &cfg, "poll"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2 hidden, 0 shown again"), "{err}");
    assert_eq!(served(), sorted(&[TRAILER]));
    // Hidden, not deleted: a rule test still sees them.
    let out = run_ok(&["--config", &cfg, "rules", "test", "show:the-bear"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(RENEWED));

    std::fs::write(&setup.config, &original).unwrap();
    let out = run_ok(&["--config", &cfg, "poll"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("0 hidden, 2 shown again"), "{err}");
    assert_eq!(served(), sorted(&[TRAILER, RENEWED, BOX]));
}
