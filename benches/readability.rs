//! Article extraction against Mozilla's readability test suite: 130 real pages, each with the
//! main content the reference implementation extracts (`expected.html`).
//!
//! For every page, the article stage's extraction ([`showfeed::article::extract::extract`],
//! no selectors: readability, then the feed-content ammonia allowlist) runs on `source.html`,
//! and its text is compared with the text of `expected.html` by word-level F1 (bag of words:
//! lower-cased runs of letters and digits; precision and recall over the multiset overlap).
//! A page the stage refuses (too little text, a wall) scores 0 there, as it would store
//! nothing. The floor, in the same run: the text of the whole page (ammonia with no tags
//! allowed). Time per page: extraction against plain ammonia sanitizing of the same page (what
//! feed content costs), median and p99, measured in alternation on the same pages.
//!
//! The pages are read in place: `$SHOWFEED_READABILITY` (default `../shared/readability`),
//! its `test-pages/` folder or the folder itself.
//!
//! Run: `cargo bench --bench readability` (plain `main`, no harness).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use showfeed::article::extract::extract;
use showfeed::config::FullText;
use showfeed::text::html_to_text;
use url::Url;

/// The URL Mozilla's suite runs every page at.
const PAGE_URL: &str = "http://fakehost/test/page.html";

fn pages_dir() -> PathBuf {
    let dir = PathBuf::from(
        std::env::var_os("SHOWFEED_READABILITY").unwrap_or_else(|| "../shared/readability".into()),
    );
    let pages = dir.join("test-pages");
    if pages.is_dir() {
        pages
    } else {
        dir
    }
}

/// Lower-cased words (runs of letters and digits), counted.
fn bag(text: &str) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        *out.entry(w.to_lowercase()).or_insert(0) += 1;
    }
    out
}

/// Word-level F1 of `got` against `want`.
fn f1(got: &str, want: &str) -> f64 {
    let (g, w) = (bag(got), bag(want));
    let total = |b: &HashMap<String, usize>| b.values().sum::<usize>() as f64;
    let (ng, nw) = (total(&g), total(&w));
    if ng == 0.0 || nw == 0.0 {
        return if ng == nw { 1.0 } else { 0.0 };
    }
    let overlap: usize = g
        .iter()
        .map(|(k, n)| (*n).min(*w.get(k).unwrap_or(&0)))
        .sum();
    let (p, r) = (overlap as f64 / ng, overlap as f64 / nw);
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i]
}

struct Page {
    name: String,
    source: Vec<u8>,
    expected: String,
}

fn load() -> Vec<Page> {
    let dir = pages_dir();
    let Ok(list) = std::fs::read_dir(&dir) else {
        eprintln!(
            "no readability pages at {} (set SHOWFEED_READABILITY)",
            dir.display()
        );
        std::process::exit(0);
    };
    let mut pages: Vec<Page> = list
        .flatten()
        .filter_map(|e| {
            let p = e.path();
            Some(Page {
                name: e.file_name().to_string_lossy().into_owned(),
                source: std::fs::read(p.join("source.html")).ok()?,
                expected: html_to_text(&std::fs::read_to_string(p.join("expected.html")).ok()?),
            })
        })
        .collect();
    pages.sort_by(|a, b| a.name.cmp(&b.name));
    pages
}

fn summary(label: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "| {label} | {mean:.3} | {:.3} | {:.3} | {:.3} |",
        quantile(&v, 0.1),
        quantile(&v, 0.5),
        v[0]
    );
}

fn millis(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let q = |p: f64| ms(v[((v.len() - 1) as f64 * p).round() as usize]);
    (q(0.5), q(0.99))
}

fn main() {
    let pages = load();
    let url = Url::parse(PAGE_URL).expect("a valid URL");
    let rules = FullText::default();
    let (mut ours, mut floor, mut refused) = (Vec::new(), Vec::new(), Vec::new());
    let mut content_only = Vec::new();
    let (mut t_ours, mut t_ammonia) = (Vec::new(), Vec::new());
    let mut worst: Vec<(f64, &str)> = Vec::new();
    for page in &pages {
        let started = Instant::now();
        let got = extract(&page.source, Some("text/html; charset=utf-8"), &url, &rules);
        t_ours.push(started.elapsed());
        let started = Instant::now();
        let whole = showfeed::normalize::sanitize(&String::from_utf8_lossy(&page.source), &url);
        t_ammonia.push(started.elapsed());
        std::hint::black_box(&whole);
        let score = match &got {
            Ok(a) => f1(&html_to_text(&a.html), &page.expected),
            Err(e) => {
                refused.push(format!("{} ({})", page.name, e.kind()));
                0.0
            }
        };
        ours.push(score);
        // The extraction alone, before the stage's checks (a short page of the suite is
        // still scored against what readability.js keeps of it).
        let main = showfeed::article::extract::main_content(
            &page.source,
            Some("text/html; charset=utf-8"),
            &url,
            &rules,
        );
        content_only.push(main.map_or(0.0, |h| f1(&html_to_text(&h), &page.expected)));
        worst.push((score, &page.name));
        let all_text = html_to_text(&String::from_utf8_lossy(&page.source));
        floor.push(f1(&all_text, &page.expected));
    }
    println!(
        "readability suite: {} pages from {}",
        pages.len(),
        pages_dir().display()
    );
    println!("\n| word F1 vs expected.html | mean | p10 | median | min |\n|---|---|---|---|---|");
    summary("showfeed article stage (a refused page scores 0)", ours);
    summary(
        "showfeed extraction alone (before the stage's checks)",
        content_only,
    );
    summary("floor: text of the whole page", floor);
    let (om, op) = millis(t_ours);
    let (am, ap) = millis(t_ammonia);
    println!("\n| time per page | median ms | p99 ms |\n|---|---|---|");
    println!("| showfeed extraction (readability + sanitize) | {om:.2} | {op:.2} |");
    println!("| ammonia sanitizing alone | {am:.2} | {ap:.2} |");
    println!("| ratio | {:.1}x | {:.1}x |", om / am, op / ap);
    worst.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!("\nlowest: {:?}", &worst[..5.min(worst.len())]);
    println!("refused by the stage ({}): {refused:?}", refused.len());
}
