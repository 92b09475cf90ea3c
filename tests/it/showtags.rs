//! Show tags end to end: categories in every format, per-show and per-season feeds, news
//! kinds, the seed article, and re-tagging a store made before a show was added.

use std::sync::Arc;

use showfeed::config::Config;
use showfeed::output::{DocKind, Format};
use showfeed::poll::Context;
use showfeed::store::Store;

use crate::pipeline::fixture_server;
use crate::support::*;

const SHOWS: &str = r#"
[[show]]
name = "All of Us Are Dead"
aliases = ["지금 우리 학교는"]
slug = "all-of-us-are-dead"

[[show]]
name = "Squid Game"

[[show]]
name = "The Bear"

[[show]]
name = "Severance"

[[show]]
name = "Moving"

[[show]]
name = "Frieren"
aliases = ["葬送のフリーレン", "Frieren: Beyond Journey's End"]
"#;

fn seed_feed() -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/seed/000_8270ec2557a5717f.txt"
    ))
    .or_else(|_| std::fs::read_to_string("../shared/seed/000_8270ec2557a5717f.txt"))
    .expect("the seed article in ../shared/seed");
    let (title, body) = text.split_once('\n').unwrap();
    let html: String = body
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            format!(
                "<p>{}</p>",
                p.trim().replace('&', "&amp;").replace('<', "&lt;")
            )
        })
        .collect();
    format!(
        "<rss version=\"2.0\"><channel><title>K-Drama Blog</title><link>https://blog.example/</link><item><guid>seed</guid>\
         <title>{}</title><link>https://blog.example/aoad-s2</link><description><![CDATA[{html}]]></description></item></channel></rss>",
        title.trim()
    )
}

async fn poll(setup: &Setup) -> (Arc<Config>, Arc<Store>, Arc<Context>) {
    let h = Harness::open(setup);
    h.poll().await;
    (h.config, h.store, h.ctx)
}

fn categories(xml: &[u8], title_prefix: &str) -> Vec<String> {
    let feed = feed_rs::parser::parse(xml).unwrap();
    let e = feed
        .entries
        .iter()
        .find(|e| e.title.as_ref().unwrap().content.starts_with(title_prefix))
        .unwrap_or_else(|| panic!("no entry {title_prefix}"));
    let mut c: Vec<String> = e
        .categories
        .iter()
        .filter(|c| c.scheme.is_none())
        .map(|c| c.term.clone())
        .collect();
    c.sort();
    c
}

#[tokio::test(flavor = "multi_thread")]
async fn tags_reach_every_format_and_slice_the_output() {
    let server = fixture_server().await;
    server.route(
        "/seed.rss",
        Route::ok(seed_feed().into_bytes(), "application/rss+xml"),
    );
    let feeds = [
        ("tvline", server.url("/tvline.rss")),
        ("soompi", server.url("/soompi.atom")),
        ("anime", server.url("/anime.json")),
        ("seed", server.url("/seed.rss")),
    ];
    let setup = write_config(&feeds, 1, SHOWS);
    let (config, store, _) = poll(&setup).await;
    let atom = render(&config, &store, DocKind::Merged, Format::Atom, "", 100);
    // The seed article: exactly the show and season 2, despite "All Us Are Dead" and the
    // "Season 1" deep in the body.
    assert_eq!(
        categories(&atom, "All of Us Are Dead season 2: All You Need"),
        ["all-of-us-are-dead", "all-of-us-are-dead/s2"]
    );
    assert_eq!(
        categories(&atom, "Squid Game Season 3 Premiere"),
        ["squid-game", "squid-game/s3"]
    );
    assert_eq!(
        categories(&atom, "Severance Season 2 Finale Recap"),
        ["severance", "severance/s2", "severance/s2e10"]
    );
    assert_eq!(
        categories(&atom, "The Bear Renewed"),
        ["the-bear", "the-bear/s5"]
    );
    assert_eq!(
        categories(&atom, "Frieren Season 2"),
        ["frieren", "frieren/s2"]
    );
    let text = String::from_utf8(atom.clone()).unwrap();
    assert!(
        text.contains("<category term=\"all-of-us-are-dead\" label=\"All of Us Are Dead\"/>"),
        "design.md's category form"
    );
    assert!(text.contains("term=\"renewal\" scheme=\"urn:showfeed:kind\""));
    // RSS categories and JSON Feed tags carry the same terms.
    let rss = render(&config, &store, DocKind::Merged, Format::Rss, "", 100);
    assert_eq!(
        categories(&rss, "Squid Game Season 3"),
        ["squid-game", "squid-game/s3"]
    );
    let json: serde_json::Value = serde_json::from_slice(&render(
        &config,
        &store,
        DocKind::Merged,
        Format::Json,
        "",
        100,
    ))
    .unwrap();
    let squid = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"].as_str().unwrap().starts_with("Squid Game"))
        .unwrap();
    assert_eq!(
        squid["tags"],
        serde_json::json!(["squid-game", "squid-game/s3"])
    );

    // Per-show feeds and filters.
    let titles = |kind: DocKind, q: &str| -> Vec<String> {
        let xml = render(&config, &store, kind, Format::Atom, q, 100);
        feed_rs::parser::parse(&xml[..])
            .unwrap()
            .entries
            .into_iter()
            .map(|e| e.title.unwrap().content)
            .collect()
    };
    assert_eq!(
        titles(DocKind::Show("all-of-us-are-dead".into()), ""),
        // The undated seed article is first seen now, so it is the newest.
        [
            "All of Us Are Dead season 2: All You Need to Know",
            "All of Us Are Dead Season 2 Confirms Cast"
        ]
    );
    assert_eq!(
        titles(DocKind::Merged, "season=severance/s2"),
        ["Severance Season 2 Finale Recap: Cold Harbor"]
    );
    assert_eq!(
        titles(DocKind::Merged, "show=the-bear&show=moving"),
        [
            "The Bear Renewed for Season 5 at FX",
            "Moving Season 2 Begins Filming"
        ]
    );
    let all = titles(DocKind::Merged, "");
    let without = titles(DocKind::Merged, "exclude_show=squid-game");
    assert_eq!(without.len(), all.len() - 1);
    assert_eq!(
        titles(DocKind::Merged, "kind=renewal"),
        ["The Bear Renewed for Season 5 at FX"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn retagging_a_store_made_before_a_show_was_added() {
    let server = FixtureServer::start().await;
    server.route(
        "/seed.rss",
        Route::ok(seed_feed().into_bytes(), "application/rss+xml"),
    );
    let setup = write_config(&[("seed", server.url("/seed.rss"))], 1, "");
    let (config, store, _) = poll(&setup).await;
    let before = store.newest().next().unwrap().unwrap();
    assert!(before.shows.is_empty(), "no show configured yet");
    drop((config, store));

    // The admin adds the show; the new context re-tags what is stored, downloading nothing.
    let text = std::fs::read_to_string(&setup.config).unwrap();
    std::fs::write(
        &setup.config,
        format!("{text}\n[[show]]\nname = \"All of Us Are Dead\"\n"),
    )
    .unwrap();
    let config = Arc::new(Config::load(&setup.config, None).unwrap());
    let store = Arc::new(open_store(&config.storage.path, 8 << 20));
    let ctx = Context::new(store.clone(), config.clone()).unwrap();
    let requests = server.seen("/seed.rss").len();
    let changed = store
        .retag(|e| showfeed::poll::ingest::tag(&ctx.tagger, e), &|| false)
        .unwrap()
        .unwrap();
    assert_eq!(changed, 1);
    assert_eq!(
        server.seen("/seed.rss").len(),
        requests,
        "nothing downloaded again"
    );
    let after = store.entry(&before.id).unwrap().unwrap();
    assert_eq!(after.id, before.id);
    assert_eq!(
        after.updated, before.updated,
        "re-tagging is not an update readers see"
    );
    let terms: Vec<String> = after.shows.iter().flat_map(|s| s.terms()).collect();
    assert_eq!(terms, ["all-of-us-are-dead", "all-of-us-are-dead/s2"]);
    // The per-show index follows.
    let xml = render(
        &config,
        &store,
        DocKind::Show("all-of-us-are-dead".into()),
        Format::Atom,
        "",
        10,
    );
    assert_eq!(atom_ids(&xml), [before.id.urn()]);
}

#[tokio::test(flavor = "multi_thread")]
async fn suggest_lists_unconfigured_shows_from_untagged_entries() {
    let server = fixture_server().await;
    let feeds = [
        ("tvline", server.url("/tvline.rss")),
        ("soompi", server.url("/soompi.atom")),
    ];
    // Only Squid Game is configured: Severance, The Bear and Moving are the candidates.
    let setup = write_config(&feeds, 1, "[[show]]\nname = \"Squid Game\"\n");
    let (config, store, _) = poll(&setup).await;
    let list = showfeed::output::suggest::suggestions(&config, &store, 36_500, 10).unwrap();
    let names: Vec<&str> = list.iter().map(|s| s.name.as_str()).collect();
    for want in ["Severance", "The Bear", "Moving"] {
        assert!(names.contains(&want), "{want} not suggested: {names:?}");
    }
    assert!(
        !names.contains(&"Squid Game"),
        "configured shows are not suggested"
    );
    drop(store);
    let out = run_ok(&[
        "--config",
        setup.config.to_str().unwrap(),
        "suggest",
        "--days",
        "36500",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Severance") && text.contains("e.g. Severance Season 2 Finale Recap"),
        "{text}"
    );
}
