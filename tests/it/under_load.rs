//! Reload and restart under load: while clients read the merged and per-show feeds, a
//! reload, a config change that adds 100 feeds, and a SIGTERM each drop no request that had
//! started. Before the stop every request gets a 200 with its whole body. From the stop on,
//! an answer that began is finished (never a cut body); a client whose request the server
//! never read (a new connection, or one sent just as its connection closed) is turned away
//! at the connection, which a client sees as refused or reset and may retry elsewhere.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use crate::support::*;

#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    bad_status: AtomicU64,
    /// A 200 whose body did not arrive whole: an answer cut short.
    cut: AtomicU64,
    /// No answer at all: refused, reset, or closed before a response began.
    turned_away: AtomicU64,
    /// Of those, a request sent into a keep-alive connection the server was closing.
    into_closing: AtomicU64,
}

fn doc(n: usize) -> Vec<u8> {
    let items: String = (0..n)
        .map(|i| {
            format!(
                "<item><title>Squid Game news {i}</title><link>https://a.example/{i}</link>\
                 <guid>{i}</guid><pubDate>Mon, 01 Jun 2026 10:{:02}:00 GMT</pubDate></item>",
                i % 60
            )
        })
        .collect();
    format!("<rss version=\"2.0\"><channel><title>a</title>{items}</channel></rss>").into_bytes()
}

/// Clients reading `paths` in a loop until `stop`, counting what they get.
fn load(
    base: &str,
    paths: &[&str],
    stop: Arc<AtomicBool>,
    tally: Arc<Tally>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..6)
        .map(|i| {
            let url = format!("{base}{}", paths[i % paths.len()]);
            let (stop, tally) = (stop.clone(), tally.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                while !stop.load(Ordering::Acquire) {
                    match client.get(&url).send().await {
                        Ok(r) if r.status() == 200 => match r.bytes().await {
                            Ok(b) if b.ends_with(b"</feed>") || b.ends_with(b"</rss>") => {
                                tally.ok.fetch_add(1, Ordering::AcqRel);
                            }
                            _ => {
                                tally.cut.fetch_add(1, Ordering::AcqRel);
                            }
                        },
                        Ok(_) => {
                            tally.bad_status.fetch_add(1, Ordering::AcqRel);
                        }
                        Err(e) => {
                            if format!("{e:?}").contains("IncompleteMessage") {
                                tally.into_closing.fetch_add(1, Ordering::AcqRel);
                            }
                            tally.turned_away.fetch_add(1, Ordering::AcqRel);
                            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                        }
                    }
                }
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn reloads_a_hundred_new_feeds_and_a_sigterm_drop_no_started_request() {
    let server = FixtureServer::start().await;
    server.route("/a.rss", Route::ok(doc(50), "application/rss+xml"));
    for i in 0..100 {
        server.route(
            &format!("/n{i}.rss"),
            Route::ok(doc(3), "application/rss+xml"),
        );
    }
    let port = free_port();
    let shows = "[[show]]\nname = \"Squid Game\"\n";
    let setup = write_config(&[("a", server.url("/a.rss"))], port, shows);
    let mut daemon = Daemon::start(&setup, port);
    let base = daemon.base.clone();
    wait_until("the first poll", async || {
        try_status(&base)
            .await
            .is_some_and(|st| st["feeds"][0]["last_success"].is_string())
    })
    .await;
    let (stop, tally) = (Arc::new(AtomicBool::new(false)), Arc::new(Tally::default()));
    let clients = load(
        &base,
        &["/feed.atom", "/shows/squid-game.rss", "/feed.atom?limit=20"],
        stop.clone(),
        tally.clone(),
    );
    let served = |t: &Tally| t.ok.load(Ordering::Acquire);
    let before = served(&tally);
    wait_until("requests flowing", async || served(&tally) > before + 50).await;

    // A reload with no change, then one that adds 100 feeds.
    daemon.signal("-HUP");
    wait_until("the reload", async || status(&base).await["reloads"] == 1).await;
    let mut text = std::fs::read_to_string(&setup.config).unwrap();
    for i in 0..100 {
        text.push_str(&format!(
            "[[feed]]\nid = \"n{i}\"\nurl = \"{}\"\n\n",
            server.url(&format!("/n{i}.rss"))
        ));
    }
    std::fs::write(&setup.config, text).unwrap();
    wait_until("the 100 new feeds polled", async || {
        status(&base).await["feeds"]
            .as_array()
            .is_some_and(|f| f.len() == 101 && f.iter().all(|f| f["last_success"].is_string()))
    })
    .await;
    let mid = served(&tally);
    wait_until("requests still flowing", async || served(&tally) > mid + 50).await;
    let counts = |t: &Tally| {
        (
            t.bad_status.load(Ordering::Acquire),
            t.cut.load(Ordering::Acquire),
            t.turned_away.load(Ordering::Acquire),
        )
    };
    assert_eq!(counts(&tally), (0, 0, 0), "nothing dropped by the reloads");

    // SIGTERM under load: exit 0; what had started completes, the rest is refused.
    let status = daemon.sigterm();
    assert!(status.success(), "{status:?}");
    stop.store(true, Ordering::Release);
    for c in clients {
        c.await.unwrap();
    }
    let (bad, cut, away) = counts(&tally);
    eprintln!(
        "under load: {} documents served, {away} turned away after the stop, {bad} non-2xx, {cut} cut short",
        served(&tally),
    );
    assert_eq!(
        (bad, cut),
        (0, 0),
        "no answer that began was cut by the stop"
    );
    // Busy keep-alive clients were told `Connection: close` before their connection closed,
    // so none sent a request into a closing connection.
    assert_eq!(tally.into_closing.load(Ordering::Acquire), 0);
}
