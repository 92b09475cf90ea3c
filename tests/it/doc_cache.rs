//! The document cache under concurrent readers: requests for one document that arrive while
//! it renders wait for that render, so a burst of readers right after a poll or a reload
//! costs one render, not one per reader; a later ingest still changes the document.

use crate::support::*;

fn feed(n: usize) -> Vec<u8> {
    let items: String = (0..n)
        .map(|i| {
            format!(
                "<item><title>Squid Game news {i}</title><link>https://a.example/{i}</link>\
                 <guid>{i}</guid><pubDate>Mon, 01 Jun 2026 10:{:02}:00 GMT</pubDate>\
                 <description>{}</description></item>",
                i % 60,
                "The cast returns for the new season. ".repeat(40)
            )
        })
        .collect();
    format!(
        "<rss version=\"2.0\"><channel><title>a</title><link>https://a.example/</link>{items}</channel></rss>"
    )
    .into_bytes()
}

/// `showfeed_documents_rendered_total` as the daemon reports it.
async fn rendered(base: &str) -> u64 {
    metric(base, "showfeed_documents_rendered_total ").await
}

#[tokio::test(flavor = "multi_thread")]
async fn readers_arriving_together_share_one_render() {
    let server = FixtureServer::start().await;
    server.route("/a.rss", Route::ok(feed(200), "application/rss+xml"));
    let port = free_port();
    let shows = "[[show]]\nname = \"Squid Game\"\n";
    let setup = write_config(&[("a", server.url("/a.rss"))], port, shows);
    let daemon = Daemon::start(&setup, port);
    let base = daemon.base.clone();
    wait_until("the first poll", async || {
        try_status(&base)
            .await
            .is_some_and(|st| st["feeds"][0]["last_success"].is_string())
    })
    .await;
    let before = rendered(&base).await;
    let url = format!("{base}/feed.atom?limit=200&q=cast");
    let readers: Vec<_> = (0..24)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move {
                let r = reqwest::get(url).await.unwrap();
                assert_eq!(r.status(), 200);
                r.bytes().await.unwrap()
            })
        })
        .collect();
    let mut bodies = Vec::new();
    for r in readers {
        bodies.push(r.await.unwrap());
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "one document for all"
    );
    assert_eq!(atom_ids(&bodies[0]).len(), 200);
    assert_eq!(
        rendered(&base).await - before,
        1,
        "24 readers of one uncached document: one render"
    );
    // Another document is rendered on its own.
    let r = reqwest::get(format!("{base}/feed.atom?limit=5"))
        .await
        .unwrap();
    assert_eq!(atom_ids(&r.bytes().await.unwrap()).len(), 5);
    assert_eq!(rendered(&base).await - before, 2);
    drop(daemon);
}
