//! The due queue of the running daemon: a poll asked for while that feed's poll runs is
//! answered by one more poll right after it (never by the poll that had already started,
//! which may have fetched before the ask), and every ask is answered.

use std::time::Duration;

use crate::support::*;

fn feed() -> Vec<u8> {
    b"<rss version=\"2.0\"><channel><title>slow</title><link>https://slow.example/</link>\
      <item><title>Squid Game season 3</title><link>https://slow.example/1</link><guid>1</guid>\
      <pubDate>Mon, 01 Jun 2026 10:00:00 GMT</pubDate></item></channel></rss>"
        .to_vec()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_poll_asked_while_one_runs_gets_its_own_poll_after_it() {
    let server = FixtureServer::start().await;
    let slow = Duration::from_millis(1500);
    server.route(
        "/slow.rss",
        Route::ok(feed(), "application/rss+xml").delayed(slow),
    );
    server.route("/quick.rss", Route::ok(feed(), "application/rss+xml"));
    let port = free_port();
    let setup = write_config(
        &[
            ("slow", server.url("/slow.rss")),
            ("quick", server.url("/quick.rss")),
        ],
        port,
        "",
    );
    let daemon = Daemon::start(&setup, port);
    let base = daemon.base.clone();
    wait_until("the start-up polls", async || {
        server.seen("/slow.rss").len() == 1 && server.seen("/quick.rss").len() == 1
    })
    .await;
    let ask = |feed: &'static str| {
        let url = format!("{base}/admin/poll?feed={feed}");
        tokio::spawn(async move {
            let r = reqwest::Client::new().post(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        })
    };
    let first = ask("slow");
    wait_until("the asked poll under way", async || {
        server.arrived("/slow.rss") == 2
    })
    .await;
    // While the slow feed's poll waits on its server, another feed is polled at once.
    let (status, _) = ask("quick").await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(server.seen("/quick.rss").len(), 2);
    assert_eq!(
        server.seen("/slow.rss").len(),
        1,
        "the slow poll is still running"
    );
    let second = ask("slow");
    let (status, body) = first.await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("slow"), "{body}");
    let (status, body) = second.await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        server.seen("/slow.rss").len(),
        3,
        "the ask that came while a poll ran was answered by a poll of its own"
    );
    drop(daemon);
}
