//! Running as a service: hot reload (rename-save, invalid saves, SIGHUP, removed feeds),
//! the systemd notify protocol, metrics, the health feed.

use std::os::unix::net::UnixDatagram;
use std::time::{Duration, Instant};

use crate::support::*;

fn polled(status: &serde_json::Value, id: &str) -> bool {
    status["feeds"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == id && (!f["last_success"].is_null() || !f["last_error"].is_null()))
}

/// Writes `text` next to `path` and renames it over `path`, as editors save.
fn rename_save(path: &std::path::Path, text: &str) {
    let tmp = path.with_extension("toml.swp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn reload_on_rename_save_invalid_save_and_sighup() {
    let server = FixtureServer::start().await;
    server.route(
        "/a.atom",
        Route::ok(fixture("soompi.atom"), "application/atom+xml"),
    );
    server.route(
        "/b.rss",
        Route::ok(fixture("noguid.rss"), "application/rss+xml"),
    );
    server.route(
        "/c.json",
        Route::ok(fixture("anime.json"), "application/feed+json"),
    );
    let port = free_port();
    let setup = write_config(&[("a", server.url("/a.atom"))], port, "");
    let original = std::fs::read_to_string(&setup.config).unwrap();
    let daemon = Daemon::start(&setup, port);
    let base = daemon.base.clone();
    wait_until("feed a polled", async || {
        reqwest::get(format!("{base}/status")).await.is_ok() && polled(&status(&base).await, "a")
    })
    .await;

    // An editor's save-by-rename adds a feed: picked up and polled promptly.
    rename_save(
        &setup.config,
        &format!(
            "{original}[[feed]]\nid = \"b\"\nurl = \"{}\"\n",
            server.url("/b.rss")
        ),
    );
    wait_until("feed b polled after the rename-save", async || {
        polled(&status(&base).await, "b")
    })
    .await;

    // An invalid save: the running config stays, the error is visible with its position.
    rename_save(
        &setup.config,
        &format!(
            "{original}[[feed]]\nid = \"b\"\nurl = \"{}\"\nintervl = \"5m\"\n",
            server.url("/b.rss")
        ),
    );
    wait_until("the refused reload to show in /status", async || {
        !status(&base).await["config_error"].is_null()
    })
    .await;
    let st = status(&base).await;
    let err = st["config_error"].as_str().unwrap();
    assert!(
        err.contains(":1: feed `b`: unknown key `intervl`") && err.contains("feeds.toml:"),
        "{err}"
    );
    assert_eq!(
        st["feeds"].as_array().unwrap().len(),
        2,
        "the previous config (a and b) still runs"
    );
    let metrics = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("showfeed_config_valid 0"), "{metrics}");
    let health = reqwest::get(format!("{base}/admin/health.atom"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_well_formed(&health);
    assert!(String::from_utf8_lossy(&health).contains("config reload refused"));
    assert_eq!(
        reqwest::get(format!("{base}/feed.atom"))
            .await
            .unwrap()
            .status(),
        200,
        "still serving"
    );

    // With the watcher off, SIGHUP alone reloads: feed a removed, c added.
    drop(daemon);
    std::fs::write(
        &setup.config,
        format!(
            "{original}[[feed]]\nid = \"b\"\nurl = \"{}\"\n",
            server.url("/b.rss")
        ),
    )
    .unwrap();
    let daemon = Daemon::start_with(&setup, port, &[("SHOWFEED_WATCH", "off")]);
    let valid = format!(
        "{original}[[feed]]\nid = \"c\"\nurl = \"{}\"\n",
        server.url("/c.json")
    )
    .replace(
        &format!(
            "[[feed]]\nid = \"a\"\nurl = \"{}\"\n",
            server.url("/a.atom")
        ),
        "",
    );
    wait_until("the daemon to restart", async || {
        reqwest::get(format!("{base}/healthz")).await.is_ok()
    })
    .await;
    // With the watcher off the daemon says it does not watch, so a save alone changes
    // nothing: only the SIGHUP below reloads (one reload, then feed c is polled).
    let st = status(&base).await;
    assert_eq!(st["watching_config"], false, "{st}");
    assert_eq!(st["reloads"], 0);
    std::fs::write(&setup.config, &valid).unwrap();
    assert!(
        !polled(&status(&base).await, "c"),
        "without SIGHUP (watcher off) nothing changes"
    );
    daemon.signal("-HUP");
    wait_until("feed c polled after SIGHUP", async || {
        polled(&status(&base).await, "c")
    })
    .await;
    let st = status(&base).await;
    let ids: Vec<&str> = st["feeds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["c"]);
    assert!(st["config_error"].is_null());
    // The removed feed is not polled again, even across another reload.
    let a_polls = server.seen("/a.atom").len();
    let reloads = status(&base).await["reloads"].as_u64().unwrap();
    assert_eq!(reloads, 1, "the SIGHUP above, and no file event");
    daemon.signal("-HUP");
    // Once the reload is done the feed set is fixed: a removed feed has no task to poll it.
    wait_until("the second reload", async || {
        status(&base).await["reloads"].as_u64() == Some(reloads + 1)
    })
    .await;
    assert_eq!(server.seen("/a.atom").len(), a_polls);
    // Its entries stay until retention.
    let ids = atom_ids(
        &reqwest::get(format!("{base}/feed.atom"))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    );
    assert_eq!(ids.len(), 3 + 2 + 2, "entries of a (removed), b and c");
}

#[tokio::test(flavor = "multi_thread")]
async fn systemd_notify_protocol_and_metrics() {
    let server = FixtureServer::start().await;
    server.route(
        "/a.atom",
        Route::ok(fixture("soompi.atom"), "application/atom+xml"),
    );
    server.route("/err", Route::status(500));
    let port = free_port();
    let setup = write_config(
        &[("a", server.url("/a.atom")), ("bad", server.url("/err"))],
        port,
        "",
    );
    let sock_path = setup.dir.path().join("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut daemon = Daemon::start_with(
        &setup,
        port,
        &[
            ("NOTIFY_SOCKET", sock_path.to_str().unwrap()),
            ("WATCHDOG_USEC", "1000000"),
        ],
    );
    let mut got = String::new();
    let read_until = |needle: &str, got: &mut String| {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut buf = [0u8; 4096];
        while !got.contains(needle) {
            assert!(Instant::now() < deadline, "no {needle} in {got:?}");
            if let Ok(n) = sock.recv(&mut buf) {
                got.push_str(&String::from_utf8_lossy(&buf[..n]));
                got.push('\n');
            }
        }
    };
    read_until("READY=1", &mut got);
    read_until("WATCHDOG=1", &mut got);
    got.clear();
    daemon.signal("-HUP");
    read_until("RELOADING=1", &mut got);
    read_until("READY=1", &mut got);

    let base = daemon.base.clone();
    wait_until("both feeds polled", async || {
        let st = status(&base).await;
        polled(&st, "a") && polled(&st, "bad")
    })
    .await;
    reqwest::get(format!("{base}/feed.atom")).await.unwrap();
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Prometheus text format: every sample line is `name{labels} value`, value a number.
    let mut samples = std::collections::HashMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (name, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("bad line {line:?}"));
        value
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("bad value in {line:?}"));
        samples.insert(name.to_owned(), value.to_owned());
    }
    assert!(text.ends_with("# EOF\n"));
    assert_eq!(
        samples["showfeed_fetches_total{feed=\"a\",outcome=\"200\"}"],
        "1"
    );
    assert_eq!(
        samples["showfeed_fetches_total{feed=\"bad\",outcome=\"status\"}"],
        "1"
    );
    assert_eq!(samples["showfeed_entries_ingested_total{feed=\"a\"}"], "3");
    assert_eq!(samples["showfeed_feeds_failing"], "1");
    assert_eq!(samples["showfeed_store_entries"], "3");
    assert_eq!(samples["showfeed_config_valid"], "1");
    assert!(
        samples.contains_key("showfeed_http_requests_total{route=\"/{file}\",status=\"200\"}"),
        "{text}"
    );
    assert!(samples.contains_key("showfeed_fetch_duration_seconds_count"));

    got.clear();
    let status = daemon.sigterm();
    assert!(status.success());
    read_until("STOPPING=1", &mut got);
}

#[tokio::test(flavor = "multi_thread")]
async fn check_diffs_against_the_daemon_startup_retags_and_json_logs() {
    let server = FixtureServer::start().await;
    server.route(
        "/a.atom",
        Route::ok(fixture("soompi.atom"), "application/atom+xml"),
    );
    let port = free_port();
    let setup = write_config(&[("a", server.url("/a.atom"))], port, "");
    let cfg = setup.config.to_str().unwrap().to_owned();
    // Poll once with no show configured, logging JSON.
    let out = showfeed()
        .env("RUST_LOG", "info")
        .args(["--config", &cfg, "--log-format", "json", "poll"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let logs = String::from_utf8(out.stderr).unwrap();
    let json_lines: Vec<serde_json::Value> = logs
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(
        json_lines
            .iter()
            .any(|l| l["fields"]["message"] == "stored" && l["span"]["feed"] == "a"),
        "{logs}"
    );

    // The show is added while the daemon is down: startup re-tags the stored entries.
    let original = std::fs::read_to_string(&setup.config).unwrap();
    std::fs::write(
        &setup.config,
        format!("{original}[[show]]\nname = \"Moving\"\n"),
    )
    .unwrap();
    // Watcher off: the edit below must not be applied before `check` looks at it.
    let daemon = Daemon::start_with(&setup, port, &[("SHOWFEED_WATCH", "off")]);
    let base = daemon.base.clone();
    wait_until("startup re-tagging", async || {
        let Ok(r) = reqwest::get(format!("{base}/shows/moving.atom")).await else {
            return false;
        };
        let body = r.bytes().await.unwrap_or_default();
        feed_rs::parser::parse(&body[..]).is_ok_and(|f| f.entries.len() == 1)
    })
    .await;

    // `check` shows what a reload would change, against the running daemon.
    std::fs::write(
        &setup.config,
        format!("{original}[[show]]\nname = \"Moving\"\n[[show]]\nname = \"Queen of Tears\"\n[[feed]]\nid = \"b\"\nurl = \"{}\"\n", server.url("/b")),
    )
    .unwrap();
    let out = tokio::task::spawn_blocking(move || {
        showfeed()
            .args(["--config", &cfg, "check"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("against the running daemon:"), "{text}");
    assert!(
        text.contains("+ feed b (polled now)")
            && text.contains("+ show queen-of-tears")
            && text.contains("re-tagged"),
        "{text}"
    );
}

/// `[storage] prune_every`: retention runs on that period, so a store that fills past
/// `max_entries` comes back to it within one period; a period out of range is refused with
/// its position.
#[tokio::test(flavor = "multi_thread")]
async fn retention_runs_as_often_as_prune_every_says() {
    let items: String = (0..12)
        .map(|i| {
            format!(
                "<item><title>Story {i}</title><link>https://e.org/{i}</link>\
                 <pubDate>Tue, {:02} Sep 2026 10:00:00 GMT</pubDate></item>",
                i + 1
            )
        })
        .collect();
    let rss = format!("<rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>");
    let server = FixtureServer::start().await;
    server.route("/f.rss", Route::ok(rss.into_bytes(), "application/rss+xml"));
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    let text = |every: &str| {
        format!(
            "[server]\nlisten = \"127.0.0.1:{port}\"\n\n[storage]\nretention_days = 36500\n\
             max_entries = 4\nprune_every = \"{every}\"\n\n[[feed]]\nid = \"f\"\nurl = \"{}\"\n",
            server.url("/f.rss")
        )
    };
    std::fs::write(&config, text("1s")).unwrap();
    let out = showfeed()
        .args(["--config", config.to_str().unwrap(), "check"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("`prune_every` = 1s is out of range") && err.contains("feeds.toml:7"),
        "{err}"
    );

    std::fs::write(&config, text("10s")).unwrap();
    let setup = Setup { dir, config };
    let _daemon = Daemon::start(&setup, port);
    let base = format!("http://127.0.0.1:{port}");
    // The first pass runs at start, before the first poll stores 12 entries; the next one,
    // ten seconds on, brings the store back to 4.
    wait_until("the first poll", async || {
        try_status(&base).await.is_some_and(|s| polled(&s, "f"))
    })
    .await;
    wait_until("retention back to max_entries", async || {
        try_status(&base).await.is_some_and(|s| s["entries"] == 4)
    })
    .await;
    let ids = atom_ids(
        &reqwest::get(format!("{base}/feed.atom"))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    );
    assert_eq!(ids.len(), 4, "the newest four are served");
}

/// Reading the config file is not changing it: a command that reads it (`showfeed status`)
/// and the reload's own read trigger no reload (a watcher that counted opens would reload
/// in a loop, every debounce), while each real save reloads exactly once.
#[tokio::test(flavor = "multi_thread")]
async fn reading_the_config_does_not_reload_it() {
    let server = FixtureServer::start().await;
    let ok = Route::ok(fixture("soompi.atom"), "application/atom+xml");
    server.route("/a.atom", ok.clone());
    server.route("/b.atom", ok.clone());
    server.route("/c.atom", ok);
    let port = free_port();
    let setup = write_config(&[("a", server.url("/a.atom"))], port, "");
    let config = setup.config.to_str().unwrap().to_owned();
    let daemon = Daemon::start(&setup, port);
    let base = daemon.base.clone();
    wait_until("the daemon answers", async || {
        try_status(&base).await.is_some()
    })
    .await;
    let mut text = std::fs::read_to_string(&setup.config).unwrap();
    for (n, id) in ["b", "c"].into_iter().enumerate() {
        run_ok(&["--config", &config, "status"]);
        text.push_str(&format!(
            "[[feed]]\nid = \"{id}\"\nurl = \"{}\"\n",
            server.url(&format!("/{id}.atom"))
        ));
        std::fs::write(&setup.config, &text).unwrap();
        wait_until("the save applied", async || {
            status(&base).await["feeds"].as_array().unwrap().len() == n + 2
        })
        .await;
        assert_eq!(
            status(&base).await["reloads"].as_u64(),
            Some(n as u64 + 1),
            "one reload per save, none for reads"
        );
    }
}
