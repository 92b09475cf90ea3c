//! Entry languages: declared by RSS `<language>`, Atom `xml:lang` (feed and entry) and JSON
//! Feed `language`, else detected from title and summary; stored, served in all three
//! formats and filtered with `lang=`; and detection measured against the declared
//! languages of the shared corpus (`$SHOWFEED_CORPUS`).

use std::collections::BTreeMap;

use showfeed::normalize::lang;
use showfeed::output::{DocKind, Format};

use crate::support::*;

const RSS_EN: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Trade</title>
<link>https://trade.example/</link><language>en-us</language>
<item><title>Squid Game season 3 trailer</title><link>https://trade.example/1</link>
<pubDate>Mon, 01 Jun 2026 10:00:00 GMT</pubDate></item></channel></rss>"#;

const ATOM_FR: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr"><title>Séries</title><id>urn:fr</id>
<updated>2026-06-01T10:00:00Z</updated>
<entry><title>La saison deux arrive</title><id>urn:fr:1</id><link href="https://fr.example/1"/>
<updated>2026-06-01T11:00:00Z</updated></entry>
<entry><title>Die zweite Staffel kommt</title><id>urn:fr:2</id><link href="https://fr.example/2"/>
<content type="text" xml:lang="de">Die Serie kehrt zurück</content>
<updated>2026-06-01T12:00:00Z</updated></entry></feed>"#;

const JSON_JA: &str = r#"{"version":"https://jsonfeed.org/version/1.1","title":"Anime","language":"ja",
"items":[{"id":"1","url":"https://ja.example/1","title":"新作アニメ","content_text":"x","date_published":"2026-06-01T13:00:00Z"}]}"#;

const RSS_UNDECLARED: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Mixed</title>
<link>https://mixed.example/</link>
<item><title>넷플릭스 좀비 드라마 지금 우리 학교는 시즌2 제작 확정</title><link>https://mixed.example/ko</link>
<description>주연 배우들이 모두 복귀하며 촬영은 내년 상반기에 시작된다고 제작사가 밝혔다</description>
<pubDate>Mon, 01 Jun 2026 14:00:00 GMT</pubDate></item>
<item><title>Netflix renews the zombie drama for a second season</title><link>https://mixed.example/en</link>
<description>The streamer announced the renewal after record viewing figures in its first month.</description>
<pubDate>Mon, 01 Jun 2026 15:00:00 GMT</pubDate></item>
<item><title>Squid Game</title><link>https://mixed.example/short</link>
<pubDate>Mon, 01 Jun 2026 16:00:00 GMT</pubDate></item></channel></rss>"#;

fn titles(json: &[u8]) -> Vec<(String, Option<String>)> {
    let v: serde_json::Value = serde_json::from_slice(json).unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["title"].as_str().unwrap().to_owned(),
                i["language"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn languages_are_declared_or_detected_served_and_filtered() {
    let server = FixtureServer::start().await;
    for (path, body, mime) in [
        ("/en.rss", RSS_EN, "application/rss+xml"),
        ("/fr.atom", ATOM_FR, "application/atom+xml"),
        ("/ja.json", JSON_JA, "application/feed+json"),
        ("/mixed.rss", RSS_UNDECLARED, "application/rss+xml"),
    ] {
        server.route(path, Route::ok(body.into(), mime));
    }
    let feeds: Vec<(&str, String)> = ["en", "fr", "ja", "mixed"]
        .iter()
        .zip(["/en.rss", "/fr.atom", "/ja.json", "/mixed.rss"])
        .map(|(id, p)| (*id, server.url(p)))
        .collect();
    let setup = write_config(
        &feeds,
        free_port(),
        "[dedup]\nmode = \"off\"\n\n[[view]]\nname = \"german\"\nlang = [\"de\"]\n",
    );
    let h = Harness::open(&setup);
    h.poll().await;
    let doc =
        |query: &str, format| render(&h.config, &h.store, DocKind::Merged, format, query, 100);

    let all = titles(&doc("", Format::Json));
    let lang_of = |t: &str| all.iter().find(|(x, _)| x == t).unwrap().1.clone();
    assert_eq!(
        lang_of("Squid Game season 3 trailer").as_deref(),
        Some("en-US")
    );
    assert_eq!(lang_of("La saison deux arrive").as_deref(), Some("fr"));
    assert_eq!(
        lang_of("Die zweite Staffel kommt").as_deref(),
        Some("de"),
        "the entry's own xml:lang (feed-rs reads it on <content>)"
    );
    assert_eq!(lang_of("新作アニメ").as_deref(), Some("ja"));
    assert_eq!(
        lang_of("넷플릭스 좀비 드라마 지금 우리 학교는 시즌2 제작 확정").as_deref(),
        Some("ko")
    );
    assert_eq!(
        lang_of("Netflix renews the zombie drama for a second season").as_deref(),
        Some("en")
    );
    assert_eq!(lang_of("Squid Game"), None, "too little text to tell");

    let atom = String::from_utf8(doc("lang=fr", Format::Atom)).unwrap();
    assert!(atom.contains(r#"xml:lang="fr""#), "{atom}");
    assert!(
        atom.contains(r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr""#)
            || atom.contains(r#"xml:lang="fr" xmlns"#),
        "one language: the feed's: {atom}"
    );
    let rss = String::from_utf8(doc("lang=ko", Format::Rss)).unwrap();
    assert!(rss.contains("<language>ko</language>"), "{rss}");
    assert!(rss.contains("<dc:language>ko</dc:language>"), "{rss}");
    let json: serde_json::Value = serde_json::from_slice(&doc("lang=ja", Format::Json)).unwrap();
    assert_eq!(json["language"], "ja");

    let only = |q: &str| -> Vec<String> {
        let mut t: Vec<String> = titles(&doc(q, Format::Json))
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        t.sort();
        t
    };
    assert_eq!(
        only("lang=en"),
        [
            "Netflix renews the zombie drama for a second season",
            "Squid Game season 3 trailer"
        ],
        "`en` is every English entry"
    );
    assert_eq!(only("lang=EN-us"), ["Squid Game season 3 trailer"]);
    assert_eq!(
        only("lang=de&lang=fr"),
        ["Die zweite Staffel kommt", "La saison deux arrive"]
    );
    // `lang:` in `q` reads the same languages, and combines with the other operators.
    assert_eq!(only("q=lang%3AEN"), only("lang=en"));
    assert_eq!(
        only("q=lang%3Aen-us+OR+lang%3Afr"),
        ["La saison deux arrive", "Squid Game season 3 trailer"]
    );
    assert_eq!(
        only("lang=en&q=-lang%3Aen-us"),
        ["Netflix renews the zombie drama for a second season"]
    );
    let view = render(
        &h.config,
        &h.store,
        DocKind::View("german".into()),
        Format::Json,
        "",
        100,
    );
    assert_eq!(
        titles(&view),
        [("Die zweite Staffel kommt".to_owned(), Some("de".to_owned()))]
    );
    let bad_view = "[[feed]]\nid = \"a\"\nurl = \"https://a.example/\"\n[[view]]\nname = \"x\"\nlang = [\"Deutsch!\"]\n";
    let err = showfeed::config::Config::parse(bad_view, std::path::Path::new("feeds.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`lang` = \"Deutsch!\" must be a language tag"),
        "{err}"
    );
    let bad = showfeed::output::resolve_query(
        &h.config,
        &DocKind::Merged,
        Some("lang=english!"),
        showfeed::clock::now(),
    );
    assert!(bad.is_err());
}

/// Detection against what the corpus's feeds declare, per entry with a declared language
/// and enough text: how often detection answers, and how often it agrees (primary language).
/// Prints the figures that BENCHMARKS.md reports.
#[test]
fn detection_agrees_with_declared_languages_on_the_corpus() {
    let Some(dir) = std::env::var_os("SHOWFEED_CORPUS") else {
        skip_unless_ci("SHOWFEED_CORPUS is not set", "CI must set SHOWFEED_CORPUS");
        return;
    };
    let mut paths = Vec::new();
    walk(std::path::Path::new(&dir), &mut paths);
    let (mut declared, mut answered, mut agreed, mut feeds) = (0usize, 0usize, 0usize, 0usize);
    let mut wrong: BTreeMap<(String, String), usize> = BTreeMap::new();
    for path in &paths {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let Ok(feed) = showfeed::parse::parse(&bytes, None) else {
            continue;
        };
        let mut counted = false;
        for item in &feed.entries {
            let Some(want) = lang::declared(item.language.as_deref(), feed.language.as_deref())
            else {
                continue;
            };
            counted = true;
            declared += 1;
            let title = item
                .title
                .as_ref()
                .map(|t| showfeed::text::html_to_text(&t.content))
                .unwrap_or_default();
            let body = item
                .summary
                .as_ref()
                .map(|s| s.content.clone())
                .or_else(|| item.content.as_ref().and_then(|c| c.body.clone()));
            let Some(got) = lang::detect_entry(&title, body.as_deref()) else {
                continue;
            };
            answered += 1;
            if lang::primary(&got) == lang::primary(&want) {
                agreed += 1;
            } else {
                *wrong.entry((lang::primary(&want), got)).or_default() += 1;
            }
        }
        feeds += usize::from(counted);
    }
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    let mut worst: Vec<_> = wrong.into_iter().collect();
    worst.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    eprintln!(
        "LANGUAGES: {} files, {feeds} with a declared language, {declared} entries; detection answered {answered} ({:.1}%), agreed on {agreed} ({:.1}% of answers); most frequent disagreements (declared, detected): {:?}",
        paths.len(),
        pct(answered, declared),
        pct(agreed, answered),
        &worst[..worst.len().min(8)]
    );
    assert!(declared > 0, "the corpus has declared languages");
    assert!(pct(agreed, answered) > 80.0, "detection mostly agrees");
}

fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}
