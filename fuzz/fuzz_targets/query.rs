//! Query string -> `FeedQuery::parse`: never panics; an accepted query's canonical form and
//! cache key (what self and paging links are built from) parse back to the same query.
#![no_main]

use libfuzzer_sys::fuzz_target;
use showfeed::config::NEWS_KINDS;
use showfeed::query::{FeedQuery, Known, MAX_LIMIT};

const NOW: i64 = 1_800_000_000;

fn known() -> Known<'static> {
    Known {
        shows: &|s| matches!(s, "squid-game" | "the-bear" | "pokemon" | "lost"),
        sources: &|s| matches!(s, "variety-tv" | "deadline" | "soompi"),
        tags: &|_| None,
        kinds: NEWS_KINDS,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let known = known();
    let Ok(q) = FeedQuery::new().parse(Some(raw), &known, NOW) else {
        return;
    };
    assert!((1..=MAX_LIMIT).contains(&q.limit));
    assert!(q.before.is_none() || q.after.is_none());
    if let (Some(s), Some(u)) = (q.since, q.until) {
        assert!(s <= u);
    }
    let canonical = q.canonical();
    let key = q.cache_key();
    assert!(key.starts_with(&canonical));

    // Self and paging links are the canonical form (plus a cursor): they must be accepted
    // and mean the same query.
    let again = match FeedQuery::new().parse(Some(&canonical), &known, NOW) {
        Ok(a) => a,
        Err(e) => panic!("canonical form {canonical:?} of {raw:?} is rejected: {e}"),
    };
    assert_eq!(
        again.canonical(),
        canonical,
        "canonical form of {raw:?} is not stable"
    );
    let paged = match FeedQuery::new().parse(Some(&key), &known, NOW) {
        Ok(a) => a,
        Err(e) => panic!("cache key {key:?} of {raw:?} is rejected: {e}"),
    };
    assert_eq!(paged, q, "cache key {key:?} of {raw:?} means another query");
});
