//! The admin endpoints (`/status`, `/metrics`, `/admin/*`) behind `[server] admin_token`,
//! the public ones open, a token required once the listener is not loopback, and the CLI
//! sending the token to the running daemon.

use crate::support::*;

const TOKEN: &str = "s3cret-token-0123456789";

fn feed() -> Vec<u8> {
    b"<rss version=\"2.0\"><channel><title>a</title><link>https://a.example/</link>\
      <item><title>Squid Game season 3</title><link>https://a.example/1</link><guid>1</guid>\
      <pubDate>Mon, 01 Jun 2026 10:00:00 GMT</pubDate></item></channel></rss>"
        .to_vec()
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_endpoints_need_the_token_and_the_cli_sends_it() {
    let server = FixtureServer::start().await;
    server.route("/a.rss", Route::ok(feed(), "application/rss+xml"));
    let port = free_port();
    let setup = write_config(
        &[("a", server.url("/a.rss"))],
        port,
        "[[show]]\nname = \"Squid Game\"\n",
    );
    let text = std::fs::read_to_string(&setup.config).unwrap().replacen(
        "[server]\n",
        &format!("[server]\nadmin_token = \"{TOKEN}\"\n"),
        1,
    );
    std::fs::write(&setup.config, text).unwrap();
    let daemon = Daemon::start(&setup, port);
    let base = daemon.base.clone();
    let http = reqwest::Client::new();
    wait_until("the daemon up", async || {
        http.get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
    })
    .await;
    for path in [
        "/status",
        "/metrics",
        "/admin/config",
        "/admin/health.atom",
        "/admin/suggest",
    ] {
        let r = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 401, "{path} without a token");
        assert!(r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer"));
        let r = http
            .get(format!("{base}{path}"))
            .bearer_auth("wrong-token-0123456789")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{path} with a wrong token");
        let r = http
            .get(format!("{base}{path}"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path} with the token");
    }
    let r = http
        .post(format!("{base}/admin/poll"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        401,
        "polls cannot be asked for without the token"
    );
    for path in [
        "/",
        "/feed.atom",
        "/feed.json",
        "/shows/squid-game.rss",
        "/sources/a.atom",
        "/opml",
        "/healthz",
    ] {
        let r = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path} stays public");
    }
    let config = setup.config.to_str().unwrap();
    let out = run_ok(&["--config", config, "status"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("a "),
        "status through the daemon"
    );
    run_ok(&["--config", config, "poll", "--feed", "a"]);
    run_ok(&["--config", config, "check"]);
    drop(daemon);
}

#[test]
fn a_listener_other_machines_reach_needs_a_token() {
    let setup = write_config(&[("a", "https://a.example/feed".into())], 1, "");
    let open = std::fs::read_to_string(&setup.config)
        .unwrap()
        .replace("listen = \"127.0.0.1:1\"", "listen = \"0.0.0.0:8089\"");
    std::fs::write(&setup.config, &open).unwrap();
    let config = setup.config.to_str().unwrap();
    for command in ["check", "run"] {
        let out = showfeed()
            .args(["--config", config, command])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{command} refuses");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("reachable from other machines") && err.contains("admin_token"),
            "{err}"
        );
    }
    // The token may come from the environment, so it stays out of the file.
    let out = showfeed()
        .env("SHOWFEED_ADMIN_TOKEN", TOKEN)
        .args(["--config", config, "check"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = showfeed()
        .env("SHOWFEED_ADMIN_TOKEN", "short")
        .args(["--config", config, "check"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 16 characters"));
    // --listen on loopback is fine without one.
    run_ok(&["--config", config, "--listen", "127.0.0.1:8089", "check"]);
}
