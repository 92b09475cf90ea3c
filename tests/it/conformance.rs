//! Conformance of our documents: the W3C feed validator (the code behind
//! validator.w3.org/feed, kept outside the repository at `$SHOWFEED_FEEDVALIDATOR`) on Atom
//! and RSS, and the JSON Feed 1.1 schema (`tests/clients/jsonfeed-1.1.schema.json`, checked
//! with Python's jsonschema) on JSON Feed, over the core fixtures (here), the hostile set
//! (`hostile.rs`), a corpus sample (`corpus.rs`) and the real-feed quality set (here, when
//! the git mirrors are present). Every error and every warning fails, except a `rel="self"`
//! that names the served URL while a saved file is validated, and entries that their
//! sources dated alike (`check_feedvalidator.py`).

use std::path::{Path, PathBuf};

use showfeed::config::Config;
use showfeed::output::{DocKind, Format};
use showfeed::serve::AppState;
use showfeed::store::Store;

use crate::support::*;

/// The conformance clients found here, by `have_tool` rules: a missing one is a visible
/// skip locally and a failure under CI.
pub struct Checkers {
    validator: Option<PathBuf>,
    jsonschema: bool,
    validator_args: Vec<&'static str>,
}

impl Checkers {
    /// Looks for the validator (`$SHOWFEED_FEEDVALIDATOR`, with lxml, html5lib and rdflib)
    /// and for jsonschema.
    pub fn find() -> Checkers {
        Checkers {
            validator: feedvalidator(),
            jsonschema: have_tool("python3", &["-c", "import jsonschema"]),
            validator_args: Vec::new(),
        }
    }

    /// Also allows the validator's "bad characters" warnings that U+FFFD alone causes: the
    /// replacement character stands for text a source could not give (a lone surrogate).
    pub fn allowing_replacement_characters(mut self) -> Checkers {
        self.validator_args.push("--allow-replacement-character");
        self
    }

    /// Whether no checker runs here (the caller may skip the work of making documents).
    pub fn none(&self) -> bool {
        self.validator.is_none() && !self.jsonschema
    }

    /// The W3C validator's verdict on a file or URL: `None` when it passes, else its output.
    pub fn feedvalidator(&self, target: &str) -> Option<String> {
        let dir = self.validator.as_ref()?;
        let out = std::process::Command::new("python3")
            .arg(clients_dir().join("check_feedvalidator.py"))
            .arg(target)
            .arg("--validator")
            .arg(dir)
            .args(&self.validator_args)
            .env("no_proxy", "127.0.0.1,localhost")
            .output()
            .unwrap();
        verdict(&out)
    }

    /// The JSON Feed 1.1 schema's verdict on a file: `None` when it is valid.
    pub fn jsonfeed(&self, file: &Path) -> Option<String> {
        if !self.jsonschema {
            return None;
        }
        let out = std::process::Command::new("python3")
            .arg(clients_dir().join("check_jsonfeed.py"))
            .arg(file)
            .output()
            .unwrap();
        verdict(&out)
    }

    /// Every failure among the Atom, RSS and JSON documents of `docs` (format, bytes),
    /// written under `dir` as `<label>.<ext>`.
    pub fn check_documents(
        &self,
        dir: &Path,
        label: &str,
        docs: &[(Format, Vec<u8>)],
    ) -> Vec<String> {
        let mut failures = Vec::new();
        for (format, body) in docs {
            let file = dir.join(format!("{label}.{}", format.ext()));
            std::fs::write(&file, body).unwrap();
            let verdict = match format {
                Format::Json => self.jsonfeed(&file),
                _ => self.feedvalidator(file.to_str().unwrap()),
            };
            if let Some(v) = verdict {
                failures.push(format!("{label}.{}:\n{v}", format.ext()));
            }
        }
        failures
    }
}

fn verdict(out: &std::process::Output) -> Option<String> {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(
        out.status.code(),
        Some(2),
        "the check could not run: {text}"
    );
    (!out.status.success()).then_some(text)
}

/// The W3C feed validator's folder, from `$SHOWFEED_FEEDVALIDATOR` (relative to the
/// repository; `.ci/run` sets `../shared/feedvalidator`), when it and the Python modules it
/// needs are here.
pub fn feedvalidator() -> Option<PathBuf> {
    let ci = "CI must set SHOWFEED_FEEDVALIDATOR to the W3C feed validator (.ci/run does)";
    let Some(dir) = std::env::var_os("SHOWFEED_FEEDVALIDATOR") else {
        skip_unless_ci(
            "SHOWFEED_FEEDVALIDATOR is not set (the W3C feed validator's folder)",
            ci,
        );
        return None;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    if !dir.join("feedvalidator/__init__.py").is_file() {
        let missing = format!("no feed validator in {}", dir.display());
        skip_unless_ci(
            &missing,
            &format!("{missing}: CI needs it (SHOWFEED_FEEDVALIDATOR)"),
        );
        return None;
    }
    have_tool("python3", &["-c", "import lxml, html5lib, rdflib"]).then_some(dir)
}

/// The merged document of `store` in all three formats, every entry.
pub fn documents(config: &Config, store: &Store) -> Vec<(Format, Vec<u8>)> {
    [Format::Atom, Format::Rss, Format::Json]
        .into_iter()
        .map(|f| (f, render(config, store, DocKind::Merged, f, "", usize::MAX)))
        .collect()
}

/// Fails unless the merged Atom, RSS and JSON documents of `store`, and its health feed
/// (`/admin/health.atom`), pass their checkers.
pub fn assert_store_conforms(label: &str, config: &Config, store: &Store) {
    assert_store_passes(Checkers::find(), label, config, store);
}

/// [`assert_store_conforms`] with `checkers`.
pub fn assert_store_passes(checkers: Checkers, label: &str, config: &Config, store: &Store) {
    if checkers.none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut failures = checkers.check_documents(dir.path(), label, &documents(config, store));
    let health = showfeed::output::health::render(config, store).unwrap();
    let label = format!("{label}-health");
    failures.extend(checkers.check_documents(dir.path(), &label, &[(Format::Atom, health)]));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The core fixtures (`tests/fixtures/*` feeds), served by the real router at the address
/// `public_url` names, so the validator fetches each document where its self link says it
/// is: merged, one page of a paged document, a show, a source and a view, as Atom and RSS;
/// the same as JSON Feed against the schema.
#[tokio::test(flavor = "multi_thread")]
async fn core_fixtures_pass_the_w3c_validator_and_the_json_feed_schema() {
    let checkers = Checkers::find();
    let server = crate::pipeline::fixture_server().await;
    let feeds: Vec<(&str, String)> = [
        "tvline.rss",
        "soompi.atom",
        "anime.json",
        "noguid.rss",
        "broken.rss",
    ]
    .iter()
    .map(|f| (f.split('.').next().unwrap(), server.url(&format!("/{f}"))))
    .collect();
    let port = free_port();
    let shows = "[[show]]\nname = \"Squid Game\"\n\n[[show]]\nname = \"All of Us Are Dead\"\n\n\
                 [[view]]\nname = \"seasons\"\nq = \"season\"\n\n\
                 [websub]\nhub = \"https://hub.example/\"\n";
    let setup = write_config(&feeds, port, shows);
    let h = Harness::open(&setup);
    h.poll().await;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let app = showfeed::serve::router(AppState::new(h.store.clone(), h.config.clone()));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let base = format!("http://127.0.0.1:{port}");
    let mut failures = Vec::new();
    if let Some(v) = checkers.feedvalidator(&format!("{base}/admin/health.atom")) {
        failures.push(format!("/admin/health.atom:\n{v}"));
    }
    for path in [
        "/feed",
        "/shows/squid-game",
        "/sources/soompi",
        "/views/seasons",
    ] {
        for (ext, query) in [
            ("atom", ""),
            ("rss", ""),
            ("atom", "?limit=4"),
            ("rss", "?limit=4"),
        ] {
            let url = format!("{base}{path}.{ext}{query}");
            if let Some(v) = checkers.feedvalidator(&url) {
                failures.push(format!("{url}:\n{v}"));
            }
        }
        let json = reqwest::get(format!("{base}{path}.json"))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        failures.extend(checkers.check_documents(
            dir.path(),
            &path.replace('/', "_"),
            &[(Format::Json, json.to_vec())],
        ));
    }
    task.abort();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The real-feed quality set (`tests/quality/`: 79 saved feeds of public repositories,
/// materialized from their git mirrors by bench/quality.py's code) polled into one store:
/// its merged documents pass. Opt-in: it runs where the mirrors are
/// (`$SHOWFEED_MIRRORS`, default /work/.mirror) and says it skipped elsewhere, CI included.
#[tokio::test(flavor = "multi_thread")]
async fn quality_set_passes_the_w3c_validator_and_the_json_feed_schema() {
    let checkers = Checkers::find();
    if checkers.none() {
        return;
    }
    let files = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("python3")
        .arg(clients_dir().join("quality_feeds.py"))
        .arg(files.path())
        .output()
        .unwrap();
    if out.status.code() == Some(3) {
        skip(&format!(
            "the quality set's git mirrors are not here:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
        return;
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = String::from_utf8(out.stdout).unwrap();
    let feeds: Vec<(&str, String)> = listed
        .lines()
        .map(|l| {
            let (id, path) = l.split_once('\t').unwrap();
            (id, url::Url::from_file_path(path).unwrap().to_string())
        })
        .collect();
    assert!(feeds.len() > 50, "{} quality files", feeds.len());
    let setup = write_config(&feeds, 1, "");
    let h = Harness::open_with(&setup, 32);
    h.poll().await;
    assert!(
        h.store.entry_count() > 1000,
        "{} entries",
        h.store.entry_count()
    );
    assert_store_conforms("quality", &h.config, &h.store);
}

/// The rules the validators check, asserted without them (they run wherever the tests do):
/// an entry without a link shows its summary as Atom content, one with no text its title;
/// links are IRIs; attachments a reader cannot fetch and RSS `url` attributes that are not
/// full URLs are left out; mojibake and C1 controls do not reach the text.
#[tokio::test(flavor = "multi_thread")]
async fn documents_follow_the_formats_rules_without_a_validator() {
    let items = "<item><guid>a</guid><title>alpha&amp;omega</title>\
           <description>&lt;p&gt;only a summary&lt;/p&gt;</description></item>\
         <item><guid>b</guid><title>Just a title</title></item>\
         <item><guid>c</guid><title>Links</title><link>https://e.example/a[1]|b</link>\
           <description>x</description>\
           <enclosure url=\"magnet:?xt=urn:btih:abc\" type=\"application/x-bittorrent\" length=\"1\"/></item>\
         <item><guid>d</guid><title>caf\u{c3}\u{a9} time</title><link>https://e.example/d</link>\
           <description>odd\u{85}text</description>\
           <enclosure url=\"http://localhost/clip.mp3\" type=\"audio/mpeg\" length=\"9\"/></item>";
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>t</title>\
         <link>https://e.example/</link>{items}</channel></rss>"
    );
    let server = FixtureServer::start().await;
    server.route(
        "/f.rss",
        Route::ok(body.into_bytes(), "application/rss+xml"),
    );
    let setup = write_config(&[("f", server.url("/f.rss"))], 1, "");
    let h = Harness::open(&setup);
    h.poll().await;
    let doc =
        |f| String::from_utf8(render(&h.config, &h.store, DocKind::Merged, f, "", 10)).unwrap();
    let (atom, rss, json) = (doc(Format::Atom), doc(Format::Rss), doc(Format::Json));
    let feed = feed_rs::parser::parse(atom.as_bytes()).unwrap();
    let by_title = |t: &str| {
        feed.entries
            .iter()
            .find(|e| e.title.as_ref().unwrap().content == t)
            .unwrap()
    };
    let a = by_title("alpha&omega");
    assert!(a.links.is_empty());
    let a_body = a.content.as_ref().and_then(|c| c.body.clone()).unwrap();
    assert_eq!(a_body, "<p>only a summary</p>", "the summary as content");
    let b = by_title("Just a title");
    assert_eq!(
        b.content.as_ref().and_then(|c| c.body.as_deref()),
        Some("Just a title")
    );
    assert!(
        atom.contains("alpha&#x26;omega"),
        "a & that reads as an entity: {atom}"
    );
    assert!(
        atom.contains("href=\"https://e.example/a%5B1%5D%7Cb\""),
        "{atom}"
    );
    assert!(!atom.contains("magnet:") && !rss.contains("magnet:") && !json.contains("magnet:"));
    assert!(by_title("café time")
        .summary
        .as_ref()
        .unwrap()
        .content
        .contains("oddtext"));
    assert!(
        rss.contains("<link>https://e.example/a%5B1%5D%7Cb</link>"),
        "{rss}"
    );
    assert!(
        !rss.contains("<enclosure"),
        "localhost is no full URL: {rss}"
    );
    assert!(
        rss.contains("href=\"http://localhost/clip.mp3\""),
        "kept as an atom:link: {rss}"
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let b = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "Just a title")
        .unwrap();
    assert_eq!(b["content_html"], "Just a title");
}
