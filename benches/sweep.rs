//! Poll sweep: N feeds on a loopback server that delays every response by 100 ms, polled at
//! the default concurrency (16; per_host raised to 16 as well, since every feed is on the
//! one loopback host). Compares the sweep time with the latency bound
//! ceil(N / concurrency) x 100 ms, for a first sweep (200s with bodies) and a sweep of 304s,
//! and reports CPU per 304: the CPU time of every thread of this process except the test
//! server's own thread (it runs on a separate single-threaded runtime so it can be told
//! apart), divided by the number of feeds; and, as the baseline in the same run, the same
//! conditional GETs from a bare reqwest client.
//!
//! Run: `BENCH_SWEEP_FEEDS=10000 cargo bench --bench sweep` (default 2,000 feeds).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use showfeed::config::Config;
use showfeed::poll::Context;
use showfeed::scheduler::poll_all;
use showfeed::store::Store;

const DELAY: Duration = Duration::from_millis(100);
const CONCURRENCY: usize = 16;
const SERVER_THREAD: &str = "bench-server";

/// utime + stime from a `stat` file of /proc, in seconds (clock ticks are 100 Hz on Linux).
fn stat_cpu(path: &str) -> f64 {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (field(11) + field(12)) / 100.0
}

/// CPU seconds of the whole process (threads that ended included).
fn process_cpu() -> f64 {
    stat_cpu("/proc/self/stat")
}

/// CPU seconds of the live thread named `name`.
fn thread_cpu(name: &str) -> f64 {
    for task in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let stat = task.path().join("stat");
        let text = std::fs::read_to_string(&stat).unwrap_or_default();
        if text.contains(&format!("({name})")) {
            return stat_cpu(&stat.to_string_lossy());
        }
    }
    0.0
}

async fn feed(Path(id): Path<String>, headers: HeaderMap) -> impl IntoResponse {
    tokio::time::sleep(DELAY).await;
    let etag = format!("\"{id}-v1\"");
    if headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return (StatusCode::NOT_MODIFIED, [("etag", etag)], String::new());
    }
    let items: String = (0..10)
        .map(|i| format!("<item><guid>{id}-{i}</guid><title>Story {i} from {id}</title><pubDate>Tue, 24 Nov 2026 1{i}:00:00 GMT</pubDate></item>"))
        .collect();
    (
        StatusCode::OK,
        [("etag", etag)],
        format!("<rss version=\"2.0\"><channel><title>{id}</title>{items}</channel></rss>"),
    )
}

fn main() {
    let n: usize = std::env::var("BENCH_SWEEP_FEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    // The test server: its own thread and runtime, so its CPU can be left out.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::Builder::new()
        .name(SERVER_THREAD.into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("server runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let app = axum::Router::new().route("/{id}", axum::routing::get(feed));
                let _ = axum::serve(listener, app).await;
            });
        })
        .expect("server thread");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut toml = format!("[storage]\npath = \"data\"\nretention_days = 36500\n[polling]\nconcurrency = {CONCURRENCY}\nper_host = {CONCURRENCY}\n");
        for i in 0..n {
            toml.push_str(&format!("[[feed]]\nid = \"f{i}\"\nurl = \"http://{addr}/f{i}\"\n"));
        }
        let cfg = tmp.path().join("feeds.toml");
        std::fs::write(&cfg, toml).expect("config");
        let config = Arc::new(Config::load(&cfg, None).expect("config"));
        let store = Arc::new(Store::open(&config.storage.path, 32 << 20).expect("store"));
        let ctx = Arc::new(Context::new(store.clone(), config.clone()).expect("ctx"));
        let bound = (n.div_ceil(CONCURRENCY)) as f64 * DELAY.as_secs_f64();
        let t = Instant::now();
        poll_all(ctx.clone(), &config.feeds).await;
        let first = t.elapsed().as_secs_f64();
        // sled cleans the segments the first sweep's writes left behind on its flusher thread;
        // that debt belongs to ingest, so let it settle before measuring the 304s.
        let settle = Instant::now();
        while settle.elapsed() < Duration::from_secs(120) {
            let before = thread_cpu("log flusher");
            tokio::time::sleep(Duration::from_secs(1)).await;
            if thread_cpu("log flusher") - before < 0.02 {
                break;
            }
        }
        let settled = settle.elapsed().as_secs_f64();
        let (cpu0, server0) = (process_cpu(), thread_cpu(SERVER_THREAD));
        let t = Instant::now();
        poll_all(ctx, &config.feeds).await;
        let second = t.elapsed().as_secs_f64();
        let server = thread_cpu(SERVER_THREAD) - server0;
        let cpu = process_cpu() - cpu0 - server;

        // Baseline in the same run: the same conditional GETs from a bare reqwest client at the
        // same concurrency, nothing else: the floor any HTTP poller on this stack pays.
        let client = reqwest::Client::new();
        let sem = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
        let (bare0, bare_server0) = (process_cpu(), thread_cpu(SERVER_THREAD));
        let mut set = tokio::task::JoinSet::new();
        for i in 0..n {
            let (client, sem) = (client.clone(), sem.clone());
            set.spawn(async move {
                let _permit = sem.acquire_owned().await;
                let r = client
                    .get(format!("http://{addr}/f{i}"))
                    .header("if-none-match", format!("\"f{i}-v1\""))
                    .send()
                    .await;
                assert_eq!(r.map(|r| r.status().as_u16()).ok(), Some(304));
            });
        }
        while set.join_next().await.is_some() {}
        let bare_server = thread_cpu(SERVER_THREAD) - bare_server0;
        let bare = process_cpu() - bare0 - bare_server;
        println!(
            "{{\"feeds\":{n},\"bound_s\":{bound:.2},\"first_sweep_s\":{first:.2},\"first_ratio\":{:.2},\"sweep_304_s\":{second:.2},\"ratio_304\":{:.2},\"cpu_ms_per_304\":{:.3},\"server_cpu_ms_per_304\":{:.3},\"bare_client_cpu_ms_per_304\":{:.3},\"gc_settle_s\":{settled:.1}}}",
            first / bound,
            second / bound,
            cpu * 1000.0 / n as f64,
            server * 1000.0 / n as f64,
            bare * 1000.0 / n as f64
        );
    });
}
