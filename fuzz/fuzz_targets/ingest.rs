//! Feed bytes -> `parse` -> `normalize` -> tagger: never panics, and every entry keeps the
//! promises of `showfeed::entry::Entry` and `showfeed::normalize`.
//!
//! A first byte 0x01..=0x08 (never the start of a real feed) selects an HTTP Content-Type
//! and is dropped, so the charset paths are fuzzed too; any other input (the real corpus)
//! goes through whole, without a header.
#![no_main]

use std::collections::HashSet;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use showfeed::config::Show;
use showfeed::normalize::{normalize, MAX_ITEMS_PER_FEED};
use showfeed::tag::Tagger;
use showfeed::text::is_xml_char;
use url::Url;

const NOW: i64 = 1_800_000_000;

const CONTENT_TYPES: [&str; 8] = [
    "application/rss+xml",
    "text/xml; charset=windows-1251",
    "application/atom+xml; charset=\"ISO-8859-1\"",
    "text/xml; charset=utf-16",
    "application/xml; charset=shift_jis",
    "application/feed+json; charset=utf-8",
    "text/html; Charset='gb18030'",
    "text/xml; charset=x-user-defined; q=1",
];

fn show(name: &str, slug: &str, aliases: &[&str], context: Option<bool>, exclude: &[&str]) -> Show {
    Show {
        name: name.to_owned(),
        aliases: aliases.iter().map(|s| (*s).to_owned()).collect(),
        slug: slug.to_owned(),
        require_context: context,
        exclude: exclude.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn tagger() -> &'static Tagger {
    static TAGGER: OnceLock<Tagger> = OnceLock::new();
    TAGGER.get_or_init(|| {
        Tagger::new(&[
            show("Squid Game", "squid-game", &["오징어 게임"], None, &[]),
            show("The Bear", "the-bear", &[], None, &["bear market"]),
            show(
                "Pokémon",
                "pokemon",
                &["Pokemon Horizons"],
                None,
                &["Pokémon Go"],
            ),
            show(
                "House of the Dragon",
                "house-of-the-dragon",
                &["HotD"],
                None,
                &[],
            ),
            show("Severance", "severance", &[], Some(true), &[]),
            show("Lost", "lost", &[], Some(false), &[]),
        ])
    })
}

fn slugs() -> &'static HashSet<&'static str> {
    static SLUGS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SLUGS.get_or_init(|| {
        [
            "squid-game",
            "the-bear",
            "pokemon",
            "house-of-the-dragon",
            "severance",
            "lost",
        ]
        .into_iter()
        .collect()
    })
}

/// Entry's documented promise: no character XML 1.0 forbids, in any string we output.
fn assert_xml_safe(what: &str, s: &str) {
    if let Some(c) = s.chars().find(|&c| !is_xml_char(c)) {
        panic!("{what} holds XML-invalid character {c:?}: {s:?}");
    }
}

fn assert_http_url(what: &str, s: &str) {
    match Url::parse(s) {
        Ok(u) => assert!(
            matches!(u.scheme(), "http" | "https"),
            "{what} is not http(s): {s:?}"
        ),
        Err(e) => panic!("{what} is not a URL ({e}): {s:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let (content_type, bytes) = match data.split_first() {
        Some((&b @ 1..=8, rest)) => (Some(CONTENT_TYPES[usize::from(b - 1)]), rest),
        _ => (None, data),
    };
    let Ok(feed) = showfeed::parse::parse(bytes, content_type) else {
        return;
    };
    let base = Url::parse("https://example.com/feeds/tv.xml").expect("static URL");
    let n = normalize("fuzz", feed, &base, NOW);

    assert!(n.entries.len() <= MAX_ITEMS_PER_FEED);
    if let Some(t) = &n.title {
        assert!(!t.is_empty());
        assert_xml_safe("feed title", t);
    }
    if let Some(l) = &n.site_link {
        assert_xml_safe("site link", l);
        assert_http_url("site link", l);
    }
    let mut ids = HashSet::new();
    for e in &n.entries {
        assert!(ids.insert(e.id), "two entries share id {:?}", e.id);
        assert_eq!(e.story, e.id);
        assert_eq!(e.feed_id, "fuzz");
        assert!(e.id.urn().starts_with("urn:uuid:"));
        // Titles are plain text, never empty ("(untitled)" at worst), whitespace collapsed.
        assert!(!e.title.is_empty(), "empty title");
        assert_eq!(e.title.trim(), e.title, "title not trimmed");
        assert_xml_safe("title", &e.title);
        if let Some(l) = &e.link {
            assert_xml_safe("link", l);
            assert_http_url("link", l);
            assert!(!l.contains('#'), "canonical link keeps a fragment: {l:?}");
        }
        for (what, html) in [("summary", &e.summary), ("content", &e.content)] {
            let Some(html) = html else { continue };
            assert!(!html.trim().is_empty(), "{what} is Some but blank");
            assert_xml_safe(what, html);
            let lower = html.to_ascii_lowercase();
            for tag in ["<script", "<iframe", "<style", "<object", "<embed"] {
                assert!(!lower.contains(tag), "{what} keeps {tag}: {html:?}");
            }
        }
        for a in &e.authors {
            assert!(!a.is_empty());
            assert_xml_safe("author", a);
        }
        for c in &e.source_categories {
            assert!(!c.is_empty());
            assert_xml_safe("category", c);
        }
        for enc in &e.enclosures {
            assert_xml_safe("enclosure url", &enc.url);
            if let Some(m) = &enc.mime {
                assert_xml_safe("enclosure type", m);
            }
        }
        if let Some(i) = &e.image {
            assert_xml_safe("image", i);
            assert_http_url("image", i);
        }
        // Dates: clamped to now, updated never before published, first seen now.
        assert!(e.published <= NOW, "published in the future");
        assert!(e.updated <= NOW, "updated in the future");
        assert!(e.updated >= e.published, "updated before published");
        assert_eq!(e.first_seen, NOW);

        let tags = tagger().tag(&e.title, e.summary.as_deref(), e.content.as_deref());
        let mut seen = HashSet::new();
        for t in &tags.shows {
            assert!(
                slugs().contains(t.slug.as_str()),
                "unknown slug {:?}",
                t.slug
            );
            assert!(
                seen.insert(t.slug.clone()),
                "show tagged twice: {:?}",
                t.slug
            );
            for s in &t.seasons {
                assert!(s.season >= 1 && s.episode.is_none_or(|e| e >= 1), "{s:?}");
            }
            let _ = t.terms();
        }
        let _ = tags.kind_terms();
    }
});
