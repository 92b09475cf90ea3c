//! The real binary as a daemon: serving, HTTP caching, real feed readers, SIGTERM.

use crate::pipeline::{fixture_feeds, fixture_server, UNIQUE_ITEMS};
use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn daemon_serves_caches_speaks_to_real_readers_and_stops_on_sigterm() {
    let server = fixture_server().await;
    let port = free_port();
    let setup = write_config(
        &fixture_feeds(&server),
        port,
        "[polling]\ntimeout = \"1s\"\n",
    );
    let mut daemon = Daemon::start(&setup, port);
    let http = reqwest::Client::new();
    let base = daemon.base.clone();

    wait_until("every feed polled once", async || {
        let Ok(r) = http.get(format!("{base}/status")).send().await else {
            return false;
        };
        let Ok(status) = r.json::<serde_json::Value>().await else {
            return false;
        };
        let Some(rows) = status["feeds"].as_array() else {
            return false;
        };
        rows.len() == 8
            && rows
                .iter()
                .all(|r| !r["last_success"].is_null() || !r["last_error"].is_null())
    })
    .await;

    assert_eq!(
        http.get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let resp = http.get(format!("{base}/feed.atom")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    let last_modified = resp.headers()["last-modified"].to_str().unwrap().to_owned();
    assert!(
        etag.starts_with('"') && !etag.starts_with("W/"),
        "strong ETag"
    );
    assert!(resp.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age="));
    let body = resp.bytes().await.unwrap();
    let ids = atom_ids(&body);
    assert_eq!(ids.len(), UNIQUE_ITEMS);

    // Conditional requests get 304 with no body.
    let r = http
        .get(format!("{base}/feed.atom"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
    let r = http
        .get(format!("{base}/feed.atom"))
        .header("if-modified-since", &last_modified)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
    let r = http.head(format!("{base}/feed.atom")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"].to_str().unwrap(), etag);

    // limit, and precise 400s and 404s.
    let r = http
        .get(format!("{base}/feed.atom?limit=3"))
        .send()
        .await
        .unwrap();
    assert_eq!(atom_ids(&r.bytes().await.unwrap()), ids[..3].to_vec());
    for (q, needle) in [
        ("limit=0", "`limit`"),
        ("limit=5000", "`limit`"),
        ("limit=x", "`limit`"),
        ("foo=%3Cb%3E", "`foo`"),
    ] {
        let r = http
            .get(format!("{base}/feed.atom?{q}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{q}");
        let msg = r.text().await.unwrap();
        assert!(msg.contains(needle), "{q}: {msg}");
        assert!(
            !msg.contains('<'),
            "client input is not echoed as markup: {msg}"
        );
    }
    assert_eq!(
        http.get(format!("{base}/nope"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // Real feed readers: feedparser (bozo == 0, every entry) and newsboat (every entry imported).
    let file = setup.dir.path().join("out.atom");
    std::fs::write(&file, &body).unwrap();
    if have_tool("python3", &["-c", "import feedparser"]) {
        let out = std::process::Command::new("python3")
            .arg(clients_dir().join("check_feedparser.py"))
            .arg(&file)
            .arg(UNIQUE_ITEMS.to_string())
            .args(["--without-link", "2"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "feedparser: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    if have_tool("newsboat", &["-v"]) {
        let out = tokio::process::Command::new("bash")
            .arg(clients_dir().join("check_newsboat.sh"))
            .arg(format!("{base}/feed.atom"))
            .arg(UNIQUE_ITEMS.to_string())
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

    // The CLI reads through the running daemon while it holds the store.
    let out = run_ok(&[
        "--config",
        setup.config.to_str().unwrap(),
        "feed",
        "--limit",
        "4",
    ]);
    assert_eq!(atom_ids(&out.stdout), ids[..4].to_vec());
    let out = showfeed()
        .args(["--config", setup.config.to_str().unwrap(), "status"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("error500") && l.contains("HTTP 500")),
        "{table}"
    );

    let status = daemon.sigterm();
    assert!(status.success(), "exit status {status:?}");

    // After shutdown the store is flushed and readable directly, with the same ids.
    let out = run_ok(&[
        "--config",
        setup.config.to_str().unwrap(),
        "feed",
        "--limit",
        "1000",
    ]);
    assert_eq!(atom_ids(&out.stdout), ids);
}
