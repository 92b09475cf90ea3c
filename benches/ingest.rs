//! Ingest throughput of the full pipeline (fetch over loopback, parse, normalize, tag, dedup,
//! store) against the serial limit of its own stages measured in the same run: raw feed-rs
//! parse alone, sled writes of the same records alone, loopback fetch alone.
//!
//! Input: `BENCH_DIR` (made by `bench/gen_feeds.py`: `feeds/f<i>.xml` and `feeds.toml`) and
//! `BENCH_URL`, an HTTP server on loopback serving that directory (bench/run.sh uses nginx).
//! Each figure is the median of `BENCH_RUNS` (default 5) runs; prints one line of JSON.
//!
//! Run: `BENCH_DIR=... BENCH_URL=http://127.0.0.1:PORT cargo bench --bench ingest`.

use std::sync::Arc;
use std::time::Instant;

use showfeed::config::Config;
use showfeed::poll::Context;
use showfeed::scheduler::poll_all;
use showfeed::store::{FeedState, Store};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let (Ok(dir), Ok(url)) = (std::env::var("BENCH_DIR"), std::env::var("BENCH_URL")) else {
        eprintln!("set BENCH_DIR and BENCH_URL (see bench/run.sh)");
        return;
    };
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let dir = std::path::PathBuf::from(dir);
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir.join("feeds"))
        .expect("feeds dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let bodies: Vec<Vec<u8>> = files
        .iter()
        .map(|p| std::fs::read(p).expect("feed file"))
        .collect();
    let names: Vec<String> = files
        .iter()
        .map(|p| {
            p.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let rt = tokio::runtime::Runtime::new().expect("runtime");

    // A config polling the same files over HTTP.
    let mut toml = String::from("[storage]\npath = \"data\"\nretention_days = 36500\nmax_entries = 100000000\n[polling]\nconcurrency = 16\nper_host = 16\n");
    for (i, n) in names.iter().enumerate() {
        toml.push_str(&format!(
            "[[feed]]\nid = \"f{i}\"\nurl = \"{url}/feeds/{n}\"\n"
        ));
    }

    let (mut parse_s, mut write_s, mut fetch_s, mut full_s) = (vec![], vec![], vec![], vec![]);
    let mut entries = 0usize;
    for _ in 0..runs {
        // Stage: raw feed-rs parse of the bytes.
        let t = Instant::now();
        let mut n = 0;
        for b in &bodies {
            n += feed_rs::parser::parse(&b[..])
                .map(|f| f.entries.len())
                .unwrap_or(0);
        }
        parse_s.push(t.elapsed().as_secs_f64());
        entries = n;

        // Stage: sled writes of the same records (normalized once, outside the timing).
        let base = url::Url::parse(&url).expect("url");
        let normalized: Vec<Vec<showfeed::entry::Entry>> = bodies
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let feed = showfeed::parse::parse(b, None).expect("parses");
                showfeed::normalize::normalize(
                    &format!("f{i}"),
                    feed,
                    &base,
                    showfeed::clock::now(),
                )
                .entries
            })
            .collect();
        let tmp = tempfile::tempdir().expect("tmp");
        let store = Store::open(tmp.path(), 32 << 20).expect("store");
        let t = Instant::now();
        for (i, es) in normalized.iter().enumerate() {
            let mut state = FeedState::default();
            store
                .commit_poll(
                    &format!("f{i}"),
                    es,
                    &mut state,
                    showfeed::clock::now(),
                    i64::MIN,
                )
                .expect("commit");
        }
        store.flush_blocking().expect("flush");
        write_s.push(t.elapsed().as_secs_f64());
        drop(store);

        // Stage: loopback fetch alone, same concurrency.
        let client = reqwest::Client::new();
        let t = Instant::now();
        rt.block_on(async {
            let sem = Arc::new(tokio::sync::Semaphore::new(16));
            let mut set = tokio::task::JoinSet::new();
            for n in &names {
                let (c, u, s) = (client.clone(), format!("{url}/feeds/{n}"), sem.clone());
                set.spawn(async move {
                    let _p = s.acquire().await;
                    c.get(u).send().await.ok()?.bytes().await.ok()
                });
            }
            while set.join_next().await.is_some() {}
        });
        fetch_s.push(t.elapsed().as_secs_f64());

        // The full pipeline.
        let tmp = tempfile::tempdir().expect("tmp");
        let cfg = tmp.path().join("feeds.toml");
        std::fs::write(&cfg, &toml).expect("config");
        let config = Arc::new(Config::load(&cfg, None).expect("config"));
        let store = Arc::new(Store::open(&config.storage.path, 32 << 20).expect("store"));
        let ctx = Arc::new(Context::new(store.clone(), config.clone()).expect("ctx"));
        let t = Instant::now();
        rt.block_on(poll_all(ctx, &config.feeds));
        full_s.push(t.elapsed().as_secs_f64());
        assert_eq!(store.entry_count(), entries, "every entry stored");
    }
    let (p, w, f, full) = (
        median(parse_s),
        median(write_s),
        median(fetch_s),
        median(full_s),
    );
    let per = |s: f64| entries as f64 / s;
    // The serial limit: one entry costs at least the sum of its stages' costs.
    let limit = entries as f64 / (p + w + f);
    println!(
        "{{\"feeds\":{},\"entries\":{entries},\"parse_eps\":{:.0},\"write_eps\":{:.0},\"fetch_eps\":{:.0},\"serial_limit_eps\":{limit:.0},\"pipeline_eps\":{:.0},\"ratio_to_limit\":{:.2},\"runs\":{runs}}}",
        bodies.len(),
        per(p),
        per(w),
        per(f),
        per(full),
        per(full) / limit
    );
}
