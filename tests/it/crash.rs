//! Crash safety: the real daemon killed with SIGKILL at random moments (during startup,
//! polls and writes) while its feeds keep changing. Every start must succeed, and at the end
//! every entry ever served is still there, once, with the same id.
//!
//! CI runs a short loop (`SHOWFEED_KILLS`, default 12); `bench/killloop.sh` runs 100.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::support::*;

fn feed(generation: usize, outlet: usize) -> Vec<u8> {
    // Each generation adds two items and keeps the last eight, like a real news feed.
    let items: String = (generation.saturating_sub(8)..=generation + 1)
        .map(|i| {
            format!(
                "<item><guid>o{outlet}-{i}</guid><title>Outlet {outlet} story {i} about Squid Game season {}</title>\
                 <link>https://o{outlet}.example/{i}</link><pubDate>{}</pubDate><description>Story number {i}.</description></item>",
                i % 3 + 1,
                chrono::DateTime::from_timestamp(1_790_000_000 + i as i64 * 600, 0).unwrap().to_rfc2822()
            )
        })
        .collect();
    format!("<rss version=\"2.0\"><channel><title>Outlet {outlet}</title>{items}</channel></rss>")
        .into_bytes()
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_at_random_moments_loses_nothing_and_duplicates_nothing() {
    let kills: usize = std::env::var("SHOWFEED_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(12);
    let outlets = 6;
    let server = FixtureServer::start().await;
    for o in 0..outlets {
        server.route(
            &format!("/o{o}.rss"),
            Route::ok(feed(0, o), "application/rss+xml"),
        );
    }
    let feeds: Vec<(String, String)> = (0..outlets)
        .map(|o| (format!("o{o}"), server.url(&format!("/o{o}.rss"))))
        .collect();
    let refs: Vec<(&str, String)> = feeds.iter().map(|(i, u)| (i.as_str(), u.clone())).collect();
    let port = free_port();
    // A one-minute interval would leave nothing to do between kills: each start is a fresh
    // process whose feeds are due (new URLs per generation make them due at once).
    // Dedup off: near-identical synthetic stories must all stay visible for the check.
    let setup = write_config(
        &refs,
        port,
        "[dedup]\nmode = \"off\"\n[[show]]\nname = \"Squid Game\"\n",
    );
    let mut seen: HashMap<String, String> = HashMap::new(); // id -> title, as ever served
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut slowest_start = Duration::ZERO;
    for round in 0..kills {
        // The feeds change between (and during) runs; the daemon polls them at start.
        for o in 0..outlets {
            let delay = Duration::from_millis(next() % 200);
            server.route(
                &format!("/o{o}.rss"),
                Route::ok(feed(round, o), "application/rss+xml").delayed(delay),
            );
        }
        if round % 2 == 1 {
            // Odd rounds: a one-shot `poll` killed mid-run, mostly during fetches and writes.
            let mut poll = showfeed()
                .args(["--config", setup.config.to_str().unwrap(), "poll"])
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            tokio::time::sleep(Duration::from_millis(next() % 400)).await;
            let _ = poll.kill();
            let _ = poll.wait();
            continue;
        }
        let started = Instant::now();
        let mut daemon = Daemon::start(&setup, port);
        let base = daemon.base.clone();
        // Kill at a random moment: sometimes before the server is even up.
        let wait = Duration::from_millis(next() % 700);
        let deadline = Instant::now() + wait;
        let mut up = false;
        while Instant::now() < deadline {
            if let Ok(r) = reqwest::get(format!("{base}/feed.atom?limit=1000")).await {
                up = true;
                slowest_start = slowest_start.max(started.elapsed());
                if let Ok(body) = r.bytes().await {
                    if let Ok(f) = feed_rs::parser::parse(&body[..]) {
                        for e in f.entries {
                            seen.insert(e.id, e.title.map(|t| t.content).unwrap_or_default());
                        }
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            daemon.child.try_wait().unwrap().is_none(),
            "round {round}: the daemon died on its own"
        );
        let _ = up;
        daemon.signal("-KILL");
        let _ = daemon.child.wait();
    }
    // A clean poll and a clean start to finish: nothing served was lost.
    for o in 0..outlets {
        server.route(
            &format!("/o{o}.rss"),
            Route::ok(feed(kills, o), "application/rss+xml"),
        );
    }
    run_ok(&["--config", setup.config.to_str().unwrap(), "poll"]);
    let daemon = Daemon::start(&setup, port);
    let base = daemon.base.clone();
    wait_until("the final start", async || {
        reqwest::get(format!("{base}/healthz")).await.is_ok()
    })
    .await;
    let body = reqwest::get(format!("{base}/feed.atom?limit=1000"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let ids = atom_ids(&body);
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no entry appears twice");
    let titles: HashMap<String, String> = feed_rs::parser::parse(&body[..])
        .unwrap()
        .entries
        .into_iter()
        .map(|e| (e.id, e.title.map(|t| t.content).unwrap_or_default()))
        .collect();
    for (id, title) in &seen {
        assert_eq!(
            titles.get(id),
            Some(title),
            "entry {id} ({title}) was served before a kill and must keep its id"
        );
    }
    // Every item of the last generation is stored (once, as checked above).
    let expected: HashSet<String> = (0..outlets)
        .flat_map(|o| {
            (kills.saturating_sub(8)..=kills + 1)
                .map(move |i| format!("Outlet {o} story {i} about Squid Game season {}", i % 3 + 1))
        })
        .collect();
    let stored: HashSet<String> = titles.values().cloned().collect();
    assert!(
        expected.is_subset(&stored),
        "missing: {:?}",
        expected.difference(&stored).collect::<Vec<_>>()
    );
    eprintln!(
        "crash loop: {kills} SIGKILLs, {} entries, slowest start to first answer {:?}",
        ids.len(),
        slowest_start
    );
}
