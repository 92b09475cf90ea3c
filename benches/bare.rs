//! The bare pipeline: the least work a feed aggregator can do per entry (fetch over loopback,
//! feed-rs parse, one sled batch per feed, one flush), as the baseline `bench/ingest_ratio.sh`
//! runs `showfeed poll` against, on the same feeds at the same concurrency, interleaved.
//! No normalizing, sanitizing, tagging, dedup, indexes or poll state: what is left between its
//! figures and showfeed's is the price of those.
//!
//! Input: `BENCH_URLS`, a file with one feed URL per line, and `BENCH_STORE`, a directory for
//! the sled store (created). Prints one line: `entries seconds`.

use std::sync::Arc;
use std::time::Instant;

/// Feeds fetched at once: the same as the benchmark config's `[polling] concurrency`.
const CONCURRENCY: usize = 16;

fn main() {
    let (Ok(urls), Ok(dir)) = (std::env::var("BENCH_URLS"), std::env::var("BENCH_STORE")) else {
        eprintln!("set BENCH_URLS and BENCH_STORE (see bench/ingest_ratio.sh)");
        return;
    };
    let urls: Vec<String> = std::fs::read_to_string(urls)
        .expect("url list")
        .lines()
        .map(str::to_owned)
        .collect();
    let db = sled::Config::new()
        .path(dir)
        .cache_capacity(32 << 20)
        .open()
        .expect("store");
    let tree = db.open_tree("entries").expect("tree");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let t = Instant::now();
    let entries = rt.block_on(run(urls, tree));
    db.flush().expect("flush");
    println!("{entries} {:.3}", t.elapsed().as_secs_f64());
}

async fn run(urls: Vec<String>, tree: sled::Tree) -> usize {
    let client = reqwest::Client::new();
    let sem = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut set = tokio::task::JoinSet::new();
    for (i, url) in urls.into_iter().enumerate() {
        let (client, sem, tree) = (client.clone(), sem.clone(), tree.clone());
        set.spawn(async move {
            let _permit = sem.acquire().await.ok()?;
            let body = client.get(url).send().await.ok()?.bytes().await.ok()?;
            tokio::task::spawn_blocking(move || store(i, &body, &tree))
                .await
                .ok()
        });
    }
    let mut entries = 0;
    while let Some(done) = set.join_next().await {
        entries += done.ok().flatten().unwrap_or(0);
    }
    entries
}

/// Parses one feed and writes its entries (id -> title, link, summary, content) in one batch.
fn store(feed: usize, body: &[u8], tree: &sled::Tree) -> usize {
    let Ok(parsed) = feed_rs::parser::parse(body) else {
        return 0;
    };
    let mut batch = sled::Batch::default();
    for e in &parsed.entries {
        let mut value = Vec::new();
        for part in [
            e.title.as_ref().map(|t| t.content.as_str()),
            e.links.first().map(|l| l.href.as_str()),
            e.summary.as_ref().map(|s| s.content.as_str()),
            e.content.as_ref().and_then(|c| c.body.as_deref()),
        ] {
            value.extend_from_slice(part.unwrap_or_default().as_bytes());
            value.push(0);
        }
        batch.insert(format!("{feed}/{}", e.id).as_bytes(), value);
    }
    tree.apply_batch(batch).expect("sled batch");
    parsed.entries.len()
}
