//! The query language alone (`q=`, `[[view]] q`, ingest rules): `parse_expr` never panics
//! on any text; an accepted expression's canonical form parses back to the same expression
//! and the same text; matching an entry and planning the index walk never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use showfeed::config::NEWS_KINDS;
use showfeed::entry::{Entry, EntryId, SeasonRef, ShowTag};
use showfeed::query::{parse_expr, Known};

const NOW: i64 = 1_800_000_000;

fn known() -> Known<'static> {
    Known {
        shows: &|s| matches!(s, "squid-game" | "the-bear" | "pokemon" | "lost"),
        sources: &|s| matches!(s, "variety-tv" | "deadline" | "soompi"),
        tags: &|_| None,
        kinds: NEWS_KINDS,
    }
}

fn entry() -> Entry {
    Entry {
        id: EntryId::derive("variety-tv", "x"),
        feed_id: "variety-tv".into(),
        title: "Squid Game Season 2 Trailer: Pokémon “Dub”".into(),
        link: Some("https://variety.com/tv/news/squid-game-2".into()),
        summary: Some("<p>Netflix <b>finale</b> 東京</p>".into()),
        content: None,
        authors: vec!["Joe Otterson".into()],
        published: NOW - 3600,
        updated: NOW,
        first_seen: NOW,
        enclosures: vec![],
        image: None,
        source_categories: vec![],
        content_hash: 0,
        shows: vec![ShowTag {
            slug: "squid-game".into(),
            name: "Squid Game".into(),
            seasons: vec![SeasonRef { season: 2, episode: Some(5) }],
        }],
        kinds: vec!["trailer".into()],
        story: EntryId([0; 16]),
        exact_copy: false,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let known = known();
    let x = match parse_expr(text, &known, NOW) {
        Ok(Some(x)) => x,
        Ok(None) => return,
        Err(e) => {
            // A column inside the text, or just past its end.
            assert!(e.column >= 1 && e.column <= text.chars().count() + 1, "{text:?}: {e}");
            return;
        }
    };
    let canonical = x.to_string();
    let again = match parse_expr(&canonical, &known, NOW) {
        Ok(Some(a)) => a,
        other => panic!("canonical form {canonical:?} of {text:?} does not parse back: {other:?}"),
    };
    assert_eq!(again, x, "canonical form {canonical:?} of {text:?} means another expression");
    assert_eq!(again.to_string(), canonical, "canonical form of {text:?} is not stable");
    let _ = x.matches(&entry());
    let _ = x.plan();
});
