//! Spoiler embargo over HTTP, against a real store polled from a loopback server and the
//! real router on a manual clock: held entries left out (or masked), back at the end of
//! the embargo with their ids and dates in their place in the pages, and the cache, ETag,
//! Last-Modified and max-age moving at that instant (no stale 304).

use crate::query_lang::{rss, Item};
use crate::support::{write_config, FixtureServer, Harness, Route};

/// 2026-06-01T10:00:00Z: when the recap was published.
const T0: i64 = 1_780_308_000;
const HOUR: i64 = 3600;
/// 2026-07-01T00:00:00Z: The Bear's `spoilers_until`.
const BEAR_UNTIL: i64 = 1_782_864_000;

const ITEMS: &[Item<'static>] = &[
    (
        "Squid Game Season 2 Review: Bloodier Than Ever",
        "https://example.org/review",
        "A",
        "Mon, 01 Jun 2026 11:00:00 GMT",
        "Who survives the finale.",
    ),
    (
        "Squid Game Season 2 Episode 5 Recap: The Vote",
        "https://example.org/recap",
        "A",
        "Mon, 01 Jun 2026 10:00:00 GMT",
        "Gi-hun loses the vote.",
    ),
    (
        "Squid Game Season 2 Trailer Teases the Return",
        "https://example.org/trailer",
        "A",
        "Mon, 01 Jun 2026 09:00:00 GMT",
        "Netflix released the first look.",
    ),
    (
        "The Bear Renewed for Season 5 at FX",
        "https://example.org/bear",
        "A",
        "Mon, 01 Jun 2026 08:00:00 GMT",
        "The kitchen stays open.",
    ),
    (
        "Squid Game Star Joins Romance Drama",
        "https://example.org/casting",
        "A",
        "Mon, 01 Jun 2026 07:00:00 GMT",
        "A new role after the hit series.",
    ),
    (
        "Box Office: Summer Movies Slump",
        "https://example.org/box-office",
        "A",
        "Mon, 01 Jun 2026 06:00:00 GMT",
        "Ticket sales fell again.",
    ),
];

const EXTRA: &str = "[dedup]\nmode = \"off\"\n\n\
    [[show]]\nname = \"Squid Game\"\nspoilers = \"48h\"\n\n\
    [[show]]\nname = \"The Bear\"\nspoilers_until = 2026-07-01\n\n\
    [[view]]\nname = \"casting\"\nkind = [\"casting\"]\nspoilers_until = 2026-08-01T00:00:00Z\n";

struct Served {
    _fixtures: FixtureServer,
    _setup: crate::support::Setup,
    clock: showfeed::clock::Clock,
    base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The fixture feed polled into a store, served by the real router on a manual clock.
async fn serve() -> Served {
    let fixtures = FixtureServer::start().await;
    fixtures.route("/feed.xml", Route::ok(rss(ITEMS), "application/rss+xml"));
    let setup = write_config(&[("news", fixtures.url("/feed.xml"))], 0, EXTRA);
    let h = Harness::open(&setup);
    h.poll().await;
    served(fixtures, setup, &h).await
}

/// The polled store of `h` served by the real router on a manual clock at two hours after
/// [`T0`].
async fn served(fixtures: FixtureServer, setup: crate::support::Setup, h: &Harness) -> Served {
    let clock = showfeed::clock::Clock::manual(T0 + 2 * HOUR);
    let state =
        showfeed::serve::AppState::with_clock(h.store.clone(), h.config.clone(), clock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = showfeed::serve::router(state);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Served {
        _fixtures: fixtures,
        _setup: setup,
        clock,
        base,
        task,
    }
}

struct Got {
    status: u16,
    etag: String,
    last_modified: String,
    max_age: i64,
    entries: Vec<feed_rs::model::Entry>,
    next: Option<String>,
}

async fn get(url: &str, if_none_match: Option<&str>) -> Got {
    let mut req = reqwest::Client::new().get(url);
    if let Some(tag) = if_none_match {
        req = req.header("if-none-match", tag);
    }
    let resp = req.send().await.unwrap();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (status, etag, last_modified) = (
        resp.status().as_u16(),
        header("etag"),
        header("last-modified"),
    );
    let max_age = header("cache-control")
        .rsplit_once("max-age=")
        .map_or(-1, |(_, n)| n.parse().unwrap());
    let body = resp.bytes().await.unwrap();
    let (entries, next) = if status == 200 {
        let feed = feed_rs::parser::parse(&body[..]).unwrap();
        let next = feed
            .links
            .iter()
            .find(|l| l.rel.as_deref() == Some("next"))
            .map(|l| l.href.clone());
        (feed.entries, next)
    } else {
        (Vec::new(), None)
    };
    Got {
        status,
        etag,
        last_modified,
        max_age,
        entries,
        next,
    }
}

fn titles(entries: &[feed_rs::model::Entry]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect()
}

fn modified_at(last_modified: &str) -> i64 {
    httpdate::parse_http_date(last_modified)
        .unwrap()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn held_entries_come_back_at_the_end_of_the_embargo_with_a_new_etag() {
    let s = serve().await;
    let url = format!("{}/feed.atom", s.base);
    let before = get(&url, None).await;
    assert_eq!(
        titles(&before.entries),
        [
            "Squid Game Season 2 Trailer Teases the Return",
            "Squid Game Star Joins Romance Drama",
            "Box Office: Summer Movies Slump",
        ],
        "the review, the recap (48 h) and The Bear (until July) are held"
    );
    assert_eq!(get(&url, Some(&before.etag)).await.status, 304);

    // Masked: in their place, under their ids, with nothing that spoils.
    let masked = get(&format!("{url}?spoilers=mask"), None).await;
    assert_eq!(
        titles(&masked.entries),
        [
            "Squid Game S2: review (spoilers hidden)",
            "Squid Game S2E5: recap (spoilers hidden)",
            "Squid Game Season 2 Trailer Teases the Return",
            "The Bear S5: renewal (spoilers hidden)",
            "Squid Game Star Joins Romance Drama",
            "Box Office: Summer Movies Slump",
        ]
    );
    let recap = &masked.entries[1];
    assert!(recap.summary.is_none(), "{:?}", recap.summary);
    let body = format!("{:?}", recap.content);
    assert!(!body.contains("Gi-hun") && !body.contains("Vote"), "{body}");
    assert_ne!(masked.etag, before.etag);

    // A second before the end the document is the cached one, kept no longer than that.
    s.clock.set(T0 + 48 * HOUR - 100);
    let almost = get(&url, Some(&before.etag)).await;
    assert_eq!((almost.status, almost.max_age), (304, 100));

    // At the end: a new document (no stale 304), the recap back under its own id and date.
    s.clock.set(T0 + 48 * HOUR);
    let after = get(&url, Some(&before.etag)).await;
    assert_eq!(after.status, 200);
    assert_ne!(after.etag, before.etag);
    assert_eq!(
        titles(&after.entries)[..2],
        [
            "Squid Game Season 2 Episode 5 Recap: The Vote",
            "Squid Game Season 2 Trailer Teases the Return",
        ]
    );
    assert_eq!(after.entries[0].id, recap.id);
    assert_eq!(after.entries[0].published, recap.published);
    assert_eq!(after.entries[0].published.unwrap().timestamp(), T0);
    // If-Modified-Since alone must not get a 304 either: the document changed at the end.
    assert!(modified_at(&after.last_modified) >= T0 + 48 * HOUR);
    assert!(modified_at(&before.last_modified) < T0 + 48 * HOUR);
    // The review's own 48 hours end an hour later: that is as long as it may be kept.
    assert!(
        after.max_age > 0 && after.max_age <= HOUR,
        "{}",
        after.max_age
    );
}

/// The titles of every page of the merged feed, two entries a page, following `next`.
async fn pages(s: &Served) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    let mut url = Some(format!("{}/feed.atom?limit=2", s.base));
    while let Some(u) = url {
        let page = get(&u, None).await;
        all.push(titles(&page.entries));
        // The config's public_url names port 0: the links' paths are what count.
        url = page.next.map(|n| n.replace("http://127.0.0.1:0", &s.base));
    }
    all
}

#[tokio::test]
async fn revealed_entries_take_their_place_in_the_pages() {
    let s = serve().await;
    assert_eq!(
        pages(&s).await,
        [
            vec![
                "Squid Game Season 2 Trailer Teases the Return",
                "Squid Game Star Joins Romance Drama"
            ],
            vec!["Box Office: Summer Movies Slump"],
        ]
    );
    s.clock.set(BEAR_UNTIL);
    assert_eq!(
        pages(&s).await,
        [
            vec![
                "Squid Game Season 2 Review: Bloodier Than Ever",
                "Squid Game Season 2 Episode 5 Recap: The Vote",
            ],
            vec![
                "Squid Game Season 2 Trailer Teases the Return",
                "The Bear Renewed for Season 5 at FX",
            ],
            vec![
                "Squid Game Star Joins Romance Drama",
                "Box Office: Summer Movies Slump"
            ],
        ]
    );
}

#[tokio::test]
async fn a_show_held_until_a_date_is_empty_until_then() {
    let s = serve().await;
    let url = format!("{}/shows/the-bear.atom", s.base);
    let held = get(&url, None).await;
    assert!(held.entries.is_empty(), "{:?}", titles(&held.entries));
    s.clock.set(BEAR_UNTIL - 1);
    assert_eq!(get(&url, Some(&held.etag)).await.status, 304);
    s.clock.set(BEAR_UNTIL);
    let after = get(&url, Some(&held.etag)).await;
    assert_eq!(after.status, 200);
    assert_eq!(
        titles(&after.entries),
        ["The Bear Renewed for Season 5 at FX"]
    );
}

#[tokio::test]
async fn a_views_embargo_holds_its_entries_in_the_view_only() {
    let s = serve().await;
    s.clock.set(BEAR_UNTIL);
    let view = get(&format!("{}/views/casting.atom", s.base), None).await;
    assert!(view.entries.is_empty(), "{:?}", titles(&view.entries));
    let show = get(
        &format!("{}/shows/squid-game.atom?kind=casting", s.base),
        None,
    )
    .await;
    assert_eq!(
        titles(&show.entries),
        ["Squid Game Star Joins Romance Drama"]
    );
    // 2026-08-01T00:00:00Z
    s.clock.set(1_785_542_400);
    let view = get(&format!("{}/views/casting.atom", s.base), None).await;
    assert_eq!(
        titles(&view.entries),
        ["Squid Game Star Joins Romance Drama"]
    );
}

/// A story is held while a copy hidden behind it spoils: the copy's recap kind and episode
/// would show through the story's categories and links otherwise.
#[tokio::test]
async fn a_story_is_held_while_a_copy_hidden_behind_it_spoils() {
    let first: Item<'static> = (
        "Squid Game: Everything We Know",
        "https://example.org/vote",
        "A",
        "Mon, 01 Jun 2026 10:00:00 GMT",
        "What comes next for the show.",
    );
    let copy: Item<'static> = (
        "Squid Game Season 2 Episode 5 Recap: The Vote",
        "https://example.org/vote",
        "B",
        "Mon, 01 Jun 2026 10:30:00 GMT",
        "Gi-hun loses the vote.",
    );
    let fixtures = FixtureServer::start().await;
    fixtures.route("/a.xml", Route::ok(rss(&[first]), "application/rss+xml"));
    fixtures.route("/b.xml", Route::ok(rss(&[]), "application/rss+xml"));
    let setup = write_config(
        &[("a", fixtures.url("/a.xml")), ("b", fixtures.url("/b.xml"))],
        0,
        EXTRA,
    );
    let h = Harness::open(&setup);
    // Feed a's article first, so it is the story's own entry; then b's recap of it (the
    // same link) hides behind it.
    h.poll().await;
    fixtures.route("/b.xml", Route::ok(rss(&[copy]), "application/rss+xml"));
    h.poll().await;
    let s = served(fixtures, setup, &h).await;
    let url = format!("{}/feed.atom", s.base);
    let held = get(&url, None).await;
    assert!(held.entries.is_empty(), "{:?}", titles(&held.entries));
    let masked = get(&format!("{url}?spoilers=mask"), None).await;
    assert_eq!(masked.entries.len(), 1);
    assert!(masked.entries[0].summary.is_none());
    // The copy's embargo (48 hours after 10:30) ends: the story is back, under its own title.
    s.clock.set(T0 + 48 * HOUR + 30 * 60);
    let back = get(&url, Some(&held.etag)).await;
    assert_eq!(back.status, 200);
    assert_eq!(titles(&back.entries), [first.0]);
}
