//! Robustness over ../shared/corpus (about 4,000 real and malformed feeds from other parsers'
//! test suites), given by $SHOWFEED_CORPUS: every file is polled through the real pipeline
//! (file:// URLs); nothing may panic or hang, and the merged output must be well-formed.

use std::path::{Path, PathBuf};

use showfeed::poll::Outcome;
use showfeed::scheduler::poll_all;

use crate::support::*;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if !matches!(
            p.file_name().and_then(|n| n.to_str()),
            Some("MANIFEST.txt" | "LICENSE.upstream.txt" | "README.md")
        ) && !p
            .extension()
            .is_some_and(|x| x == "json" && p.to_string_lossy().ends_with(".serde.json"))
        {
            out.push(p);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_never_panics_hangs_or_breaks_the_output() {
    let Some(dir) = std::env::var_os("SHOWFEED_CORPUS") else {
        skip_unless_ci("SHOWFEED_CORPUS is not set", "CI must set SHOWFEED_CORPUS");
        return;
    };
    let dir = std::fs::canonicalize(dir).unwrap();
    let mut paths = Vec::new();
    files(&dir, &mut paths);
    paths.sort();
    assert!(paths.len() > 3000, "corpus has {} files", paths.len());
    let feeds: Vec<(String, String)> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                format!("c{i}"),
                url::Url::from_file_path(p).unwrap().to_string(),
            )
        })
        .collect();
    let refs: Vec<(&str, String)> = feeds.iter().map(|(i, u)| (i.as_str(), u.clone())).collect();
    let setup = write_config(
        &refs,
        1,
        "[polling]\nconcurrency = 64\nper_host = 64\ntimeout = \"20s\"\n",
    );
    let Harness { config, store, ctx } = Harness::open_with(&setup, 32);

    let started = std::time::Instant::now();
    let reports = poll_all(ctx, &config.feeds).await;
    assert_eq!(reports.len(), paths.len(), "every file reported");
    let mut parsed = 0;
    let mut entries = 0;
    for (_, r) in &reports {
        match r.as_ref().map(|r| &r.outcome) {
            Some(Outcome::Stored(s)) => {
                parsed += 1;
                entries += s.new;
            }
            Some(Outcome::Failed(msg)) => {
                assert!(!msg.contains("internal error"), "a panic: {msg}")
            }
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    eprintln!(
        "corpus: {parsed} of {} files parsed as feeds, {entries} entries, in {:.1}s",
        paths.len(),
        started.elapsed().as_secs_f64()
    );
    // Every format stays well-formed whatever the corpus held. Stories are collapsed (many
    // test feeds share links such as http://example.com/), so there are fewer ids than
    // stored entries, each once.
    let doc = merged_atom(&config, &store, usize::MAX);
    let ids = atom_ids(&doc);
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no id twice");
    assert!(!ids.is_empty() && ids.len() <= store.entry_count());
    let all = showfeed::output::DocKind::Merged;
    assert_well_formed(&render(
        &config,
        &store,
        all.clone(),
        showfeed::output::Format::Rss,
        "",
        usize::MAX,
    ));
    let json = render(
        &config,
        &store,
        all,
        showfeed::output::Format::Json,
        "",
        usize::MAX,
    );
    let v: serde_json::Value = serde_json::from_slice(&json).expect("valid JSON Feed");
    assert_eq!(v["items"].as_array().map(Vec::len), Some(ids.len()));
    assert!(
        parsed * 10 > paths.len() * 6,
        "at least 60% of the corpus parses ({parsed})"
    );
}

/// Conformance on real material: 200 files of the corpus (every 20th, in path order), polled
/// into one store; the merged Atom and RSS pass the W3C feed validator and the JSON Feed the
/// JSON Feed 1.1 schema (`conformance.rs`), with no error and no warning.
#[tokio::test(flavor = "multi_thread")]
async fn corpus_sample_passes_the_w3c_validator_and_the_json_feed_schema() {
    let Some(dir) = std::env::var_os("SHOWFEED_CORPUS") else {
        skip_unless_ci("SHOWFEED_CORPUS is not set", "CI must set SHOWFEED_CORPUS");
        return;
    };
    let mut paths = Vec::new();
    files(&std::fs::canonicalize(dir).unwrap(), &mut paths);
    paths.sort();
    let step = paths.len() as f64 / 200.0;
    let sample: Vec<&PathBuf> = (0..200)
        .map(|i| &paths[(i as f64 * step) as usize])
        .collect();
    let feeds: Vec<(String, String)> = sample
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let url = url::Url::from_file_path(p).unwrap().to_string();
            (format!("c{i}"), url)
        })
        .collect();
    let refs: Vec<(&str, String)> = feeds.iter().map(|(i, u)| (i.as_str(), u.clone())).collect();
    let setup = write_config(&refs, 1, "[polling]\nconcurrency = 16\nper_host = 16\n");
    let Harness { config, store, ctx } = Harness::open(&setup);
    poll_all(ctx, &config.feeds).await;
    assert!(store.entry_count() > 100, "{} entries", store.entry_count());
    crate::conformance::assert_store_conforms("corpus-sample", &config, &store);
}
