//! The query language over HTTP, the CLI and views, against a real store polled from a
//! loopback server: every operator and field, combinations, errors with columns (400s), and
//! one canonical form (self link, ETag) whatever the spelling.

use crate::support::{free_port, run_ok, write_config, FixtureServer, Harness, Route};

/// (title, link, author, RFC 2822 date, description)
pub type Item<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

pub fn rss(items: &[Item<'_>]) -> Vec<u8> {
    let mut s = String::from("<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>t</title><link>https://example.org/</link><description>d</description>");
    for (title, link, author, date, desc) in items {
        s.push_str(&format!(
            "<item><title>{title}</title><link>{link}</link><guid>{link}</guid><dc:creator>{author}</dc:creator><pubDate>{date}</pubDate><description>{desc}</description></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s.into_bytes()
}

pub const VARIETY: &[Item<'static>] = &[
    (
        "Squid Game Season 2 Trailer Teases Return",
        "https://variety.com/tv/news/squid-game-trailer",
        "Joe Otterson",
        "Mon, 01 Jun 2026 10:00:00 GMT",
        "Netflix released the first look.",
    ),
    (
        "The Bear Renewed for Season 5 at FX",
        "https://variety.com/tv/news/the-bear-renewed",
        "Joe Otterson",
        "Wed, 10 Jun 2026 10:00:00 GMT",
        "The kitchen stays open.",
    ),
    (
        "Box Office: Summer Movies Slump",
        "https://variety.com/film/box-office-slump",
        "Rebecca Rubin",
        "Wed, 15 Jul 2026 10:00:00 GMT",
        "Ticket sales fell again.",
    ),
];

pub const SOOMPI: &[Item<'static>] = &[
    (
        "Squid Game Star Joins Romance Drama",
        "https://www.soompi.com/article/1",
        "C. Hong",
        "Sat, 20 Jun 2026 10:00:00 GMT",
        "A new role after the hit series.",
    ),
    (
        "Weekend Ratings Roundup",
        "https://www.soompi.com/article/2",
        "C. Hong",
        "Tue, 05 May 2026 10:00:00 GMT",
        "The Pokémon dub leads the cable numbers.",
    ),
];

const EXTRA: &str = "[[show]]\nname = \"Squid Game\"\n\n[[show]]\nname = \"The Bear\"\n\n\
    [[view]]\nname = \"no-bear\"\nq = \"(kind:trailer OR intitle:renewed OR intitle:joins) -show:the-bear\"\n";

pub fn titles(xml: &[u8]) -> Vec<String> {
    let mut t: Vec<String> = feed_rs::parser::parse(xml)
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.title.unwrap().content)
        .collect();
    t.sort();
    t
}

pub fn sorted(t: &[&str]) -> Vec<String> {
    let mut t: Vec<String> = t.iter().map(|s| s.to_string()).collect();
    t.sort();
    t
}

pub const TRAILER: &str = "Squid Game Season 2 Trailer Teases Return";
pub const RENEWED: &str = "The Bear Renewed for Season 5 at FX";
pub const BOX: &str = "Box Office: Summer Movies Slump";
pub const JOINS: &str = "Squid Game Star Joins Romance Drama";
pub const RATINGS: &str = "Weekend Ratings Roundup";

#[tokio::test(flavor = "multi_thread")]
async fn every_operator_over_http_the_cli_and_views() {
    let server = FixtureServer::start().await;
    server.route(
        "/variety.rss",
        Route::ok(rss(VARIETY), "application/rss+xml"),
    );
    server.route("/soompi.rss", Route::ok(rss(SOOMPI), "application/rss+xml"));
    let feeds = [
        ("variety", server.url("/variety.rss")),
        ("soompi", server.url("/soompi.rss")),
    ];
    let setup = write_config(&feeds, free_port(), EXTRA);
    let cfg = setup.config.to_str().unwrap();
    run_ok(&["--config", cfg, "poll"]);

    // The CLI takes the same language.
    let out = run_ok(&["--config", cfg, "feed", "--q", "(squid OR bear) -trailer"]);
    assert_eq!(titles(&out.stdout), sorted(&[RENEWED, JOINS]));

    let h = Harness::open(&setup);
    let serving = h.serve().await;
    let base = &serving.base;
    let get = |q: &str| {
        let url = format!(
            "{base}/feed.atom?q={}",
            url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        );
        async move { reqwest::get(url).await.unwrap() }
    };
    let cases: &[(&str, &[&str])] = &[
        ("squid game", &[TRAILER, JOINS]),
        ("\"game star\"", &[JOINS]),
        ("squid -trailer", &[JOINS]),
        ("squid !trailer", &[JOINS]),
        ("bear OR slump", &[RENEWED, BOX]),
        ("(bear OR squid) season", &[TRAILER, RENEWED]),
        ("bear OR squid season", &[TRAILER, RENEWED]),
        ("-(squid OR bear)", &[BOX, RATINGS]),
        ("pokemon", &[RATINGS]),
        ("intitle:pokemon", &[]),
        ("intitle:\"box office\"", &[BOX]),
        ("author:otterson", &[TRAILER, RENEWED]),
        ("author:/^c\\. hong$/i", &[JOINS, RATINGS]),
        ("inurl:variety.com/film", &[BOX]),
        ("inurl:/article\\/2$/", &[RATINGS]),
        ("source:soompi", &[JOINS, RATINGS]),
        ("source:soompi OR show:the-bear", &[RENEWED, JOINS, RATINGS]),
        ("show:squid-game -source:soompi", &[TRAILER]),
        ("season:squid-game/s2", &[TRAILER]),
        ("kind:trailer", &[TRAILER]),
        ("-kind:trailer show:squid-game", &[JOINS]),
        ("date:2026-06", &[TRAILER, RENEWED, JOINS]),
        ("date:2026-06-10/2026-07", &[RENEWED, JOINS, BOX]),
        ("date:/2026-05", &[RATINGS]),
        ("date:2026-06-01/P10D", &[TRAILER, RENEWED]),
        ("/Season \\d+ (Trailer|at)/", &[TRAILER, RENEWED]),
        ("/season \\d+ trailer/i OR /^weekend/i", &[TRAILER, RATINGS]),
        ("!!!", &[TRAILER, RENEWED, BOX, JOINS, RATINGS]),
    ];
    for (q, want) in cases {
        let r = get(q).await;
        assert_eq!(r.status(), 200, "{q}");
        assert_eq!(titles(&r.bytes().await.unwrap()), sorted(want), "{q}");
    }

    // Errors: a 400 that says what and where.
    for (q, msg) in [
        ("squid )", "q: unexpected ')' at column 7"),
        ("(squid OR", "q: expected a term after OR at column 8"),
        (
            "show:lost",
            "q: `show:` no show with slug \"lost\" is configured at column 6",
        ),
        ("/(/", "q: invalid /regex/: unclosed group at column 1"),
        ("date:P7X", "q: `date:` duration must look like P7D"),
    ] {
        let r = get(q).await;
        assert_eq!(r.status(), 400, "{q}");
        let body = r.text().await.unwrap();
        assert!(body.starts_with(msg), "{q}: {body}");
    }

    // One canonical form: the self link and the ETag do not depend on the spelling.
    let a = get("(Bear) OR  SLUMP").await;
    let b = get("bear OR slump").await;
    assert_eq!(a.headers()["etag"], b.headers()["etag"]);
    let body = a.text().await.unwrap();
    assert!(body.contains("q=bear+OR+slump"), "{body}");

    // A view's q is the same language, and a client's q narrows it further.
    let view = |q: &str| format!("{base}/views/no-bear.atom?q={q}");
    let r = reqwest::get(view("")).await.unwrap();
    assert_eq!(titles(&r.bytes().await.unwrap()), sorted(&[TRAILER, JOINS]));
    let r = reqwest::get(view("romance")).await.unwrap();
    assert_eq!(titles(&r.bytes().await.unwrap()), sorted(&[JOINS]));
}

#[test]
fn a_wrong_view_query_is_reported_where_it_is_written() {
    let setup = write_config(
        &[],
        free_port(),
        "[[show]]\nname = \"Squid Game\"\n\n[[view]]\nname = \"v\"\nq = \"squid OR (trailer\"\n",
    );
    let out = crate::support::showfeed()
        .args(["--config", setup.config.to_str().unwrap(), "check"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("q: unclosed '(' at column 10"), "{err}");
}
