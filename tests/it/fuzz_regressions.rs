//! Inputs found by the fuzz targets in fuzz/ (`bash fuzz/run.sh`), minimized, plus the
//! nastiest seeds of each target, so what the fuzzers checked stays checked in CI: config text
//! (`Config::parse`), feed bytes (`parse` -> `normalize` -> tagger) and query strings
//! (`FeedQuery::parse` and its canonical form).

use std::collections::HashSet;
use std::path::Path;

use showfeed::config::{Config, ConfigError, Show, NEWS_KINDS};
use showfeed::normalize::{normalize, Normalized, MAX_ITEMS_PER_FEED};
use showfeed::query::QueryError;
use showfeed::query::{FeedQuery, Known};
use showfeed::tag::Tagger;
use showfeed::text::is_xml_char;
use url::Url;

const NOW: i64 = 1_800_000_000;

// --- query -------------------------------------------------------------------------------

fn known() -> Known<'static> {
    Known {
        shows: &|s| matches!(s, "squid-game" | "the-bear" | "pokemon" | "lost"),
        sources: &|s| matches!(s, "variety-tv" | "deadline" | "soompi"),
        tags: &|_| None,
        kinds: NEWS_KINDS,
    }
}

fn query(raw: &str) -> Result<FeedQuery, QueryError> {
    FeedQuery::new().parse(Some(raw), &known(), NOW)
}

/// What the query fuzz target asserts: an accepted query's canonical form (self links) and
/// cache key (paging links) are accepted again and mean the same query.
fn assert_round_trips(raw: &str) -> FeedQuery {
    let q = query(raw).unwrap_or_else(|e| panic!("{raw:?} rejected: {e}"));
    let canonical = q.canonical();
    let again = query(&canonical)
        .unwrap_or_else(|e| panic!("canonical {canonical:?} of {raw:?} rejected: {e}"));
    assert_eq!(again.canonical(), canonical, "{raw:?}");
    let key = q.cache_key();
    assert!(key.starts_with(&canonical));
    let paged = query(&key).unwrap_or_else(|e| panic!("cache key {key:?} rejected: {e}"));
    assert_eq!(paged, q, "cache key {key:?} of {raw:?} means another query");
    q
}

/// Found by the query target: a relative time thousands of years back made a canonical
/// `since=-2300-...` that RFC 3339 cannot write, so the page's own self and next links were
/// 400s. Times are now clamped to years 0000-9999.
#[test]
fn query_times_beyond_rfc3339_years_clamp_and_round_trip() {
    const YEAR_0: i64 = -62_167_219_200;
    const END_OF_9999: i64 = 253_402_300_799;
    // Minimized crash input, and the second one the fuzzer found.
    for raw in ["since=2261110135m", "since=2682y", "since=300000000000y"] {
        let q = assert_round_trips(raw);
        assert_eq!(q.since, Some(YEAR_0), "{raw}");
        assert!(q.canonical().contains("0000-01-01T00%3A00%3A00Z"), "{raw}");
    }
    // An offset carries 0000-01-01 and 9999-12-31 past the range in UTC.
    let q = assert_round_trips("since=0000-01-01T00:00:00%2B01:00&until=9999-12-31T23:59:59-01:00");
    assert_eq!((q.since, q.until), (Some(YEAR_0), Some(END_OF_9999)));
    // In range, nothing changes: relative times round down to the minute.
    let q = assert_round_trips("since=7d&until=2028-01-01T00:00:00Z");
    assert_eq!(q.since, Some((NOW - 7 * 86_400) / 60 * 60));
    assert_eq!(q.until, Some(1_830_297_600));
    // Still rejected: since after until, once clamped too.
    assert!(query("since=0s&until=100000y").is_err());
}

/// Found by the query target: `q` was limited to 200 characters as written, but its
/// canonical form is folded to ASCII, which can be longer (`짯` -> `jjas`): the canonical
/// link of an accepted query was rejected. The limit now applies to the folded form.
#[test]
fn query_q_limit_applies_to_the_folded_form() {
    let hangul = |n: usize| format!("q={}", "%EC%A7%AF".repeat(n));
    // 51 characters as written, 204 once folded: rejected, naming the parameter.
    let e = query(&hangul(51)).unwrap_err().to_string();
    assert!(e.contains("`q`") && e.contains("200"), "{e}");
    // 40 characters, 160 folded: accepted and stable.
    let q = assert_round_trips(&hangul(40));
    assert_eq!(q.terms, vec![vec!["jjas".repeat(40)]]);
    // Punctuation folds to nothing, however long (the whole query string stays capped).
    let q = assert_round_trips(&format!("q={}", "!".repeat(1000)));
    assert!(q.terms.is_empty());
    assert!(query(&format!("q={}", "!".repeat(5000))).is_err());
    // The words limit still holds, phrases counting once.
    assert!(query(&format!("q={}", "w+".repeat(21))).is_err());
    let q = assert_round_trips(&format!("q=%22{}%22", "w+".repeat(21)));
    assert_eq!(q.terms.len(), 1);
}

/// Hostile query strings: each is a clear 400 or a query that round-trips.
#[test]
fn query_hostile_strings_are_rejected_or_round_trip() {
    let accepted = [
        "",
        "&&&",
        "show=squid-game&&show=the-bear&",
        "%73how=lost",
        "show=+squid-game+",
        "limit=+5",
        "limit=1000",
        "limit=100",
        "season=squid-game/s%2B2&season=squid-game/s02",
        "season=lost/s4294967295",
        "q=%22%22%22&kind=trailer",
        "q=Pok%C3%A9mon+%22season+two%22+%F0%9F%98%80",
        "q=%E2%80%AE+%EF%BF%BD+squid",
        "since=1970-01-01T00:00:00.999Z&until=1970-01-01T00:00:01Z",
        "before=%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba%2Ba",
        "after=ffffffffffffffffffffffffffffffffffffffffffffffff",
    ];
    for raw in accepted {
        assert_round_trips(raw);
    }
    let rejected = [
        ("=", "unknown query parameter"),
        ("show", "no show"),
        ("show=squid-game/s2", "no show"),
        ("season=squid-game/s0", "`season`"),
        ("season=squid-game/s4294967296", "`season`"),
        ("season=/s2", "`season`"),
        ("kind=Trailr", "`kind`"),
        ("limit=0", "`limit`"),
        ("limit=-1", "`limit`"),
        ("limit=18446744073709551616", "`limit`"),
        ("since=1d&since=2d", "more than once"),
        ("since=2028-01-01T00:00:00Z&until=2027-01-01T00:00:00Z", "later than"),
        ("before=zz", "`before`"),
        ("before=%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC%E2%82%AC", "`before`"),
        (
            "before=000000000000000000000000000000000000000000000000&after=000000000000000000000000000000000000000000000000",
            "cannot be combined",
        ),
        ("%00=%00", "unknown query parameter"),
        // Bytes that are no text: a clear 400, not a filter silently dropped.
        ("q=%E2%80%AE%00%01%FF", "`q` is not UTF-8"),
        ("q=squid%FFgame", "`q` is not UTF-8"),
        ("q=squid%00game", "`q` contains the control character U+0000"),
        ("source=%01", "control character U+0001"),
    ];
    for (raw, needle) in rejected {
        match query(raw) {
            Err(QueryError(m)) => {
                assert!(m.contains(needle), "{raw:?}: {m}");
                assert!(!m.chars().any(char::is_control), "{raw:?}: {m:?}");
            }
            other => panic!("{raw:?}: {other:?}"),
        }
    }
    let many = "kind=trailer&".repeat(51);
    assert!(query(&many)
        .unwrap_err()
        .to_string()
        .contains("more than 50"));
    let long = format!("q={}", "a".repeat(4096));
    assert!(query(&long).unwrap_err().to_string().contains("too long"));
}

// --- config ------------------------------------------------------------------------------

fn config(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("feeds.toml"))
}

fn diagnostics(text: &str) -> Vec<(usize, String)> {
    match config(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(ConfigError::Invalid(d)) => {
            assert!(!d.items.is_empty());
            let lines = text.matches('\n').count() + 1;
            d.items
                .iter()
                .map(|i| {
                    assert!(i.line >= 1 && i.line <= lines && i.column >= 1, "{i:?}");
                    (i.line, i.message.clone())
                })
                .collect()
        }
        Err(e) => panic!("{e}"),
    }
}

/// Every view of a loaded config is served: its stored query parses with the config's own
/// show, feed and kind lists (what src/serve does for `/views/<name>`).
fn assert_views_serve(c: &Config) {
    let known = Known {
        shows: &|s| c.show(s).is_some(),
        sources: &|s| c.feed(s).is_some(),
        tags: &|t| c.tag(t),
        kinds: NEWS_KINDS,
    };
    for v in &c.views {
        if let Err(e) = FeedQuery::new().parse(Some(&v.query), &known, NOW) {
            panic!(
                "view {} ({:?}) loads but is not served: {e}",
                v.name, v.query
            );
        }
    }
}

const FEEDS: &str = "[[feed]]\nid = \"soompi\"\nurl = \"https://www.soompi.com/feed\"\n\
                     [[show]]\nname = \"Squid Game\"\n";

/// Found reading the config target's view check: a view's `q` was stored unchecked, so a
/// view with a long `q` loaded fine and then answered every request with a 400.
#[test]
fn config_view_q_is_checked_like_a_request() {
    let long = format!(
        "{FEEDS}[[view]]\nname = \"long\"\nq = \"{}\"\n",
        "x".repeat(201)
    );
    let d = diagnostics(&long);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].0, 8, "the line of `q`");
    assert!(d[0].1.contains("`q` is too long"), "{d:?}");
    let words = format!(
        "{FEEDS}[[view]]\nname = \"wordy\"\nq = \"{}\"\n",
        "w ".repeat(21)
    );
    assert!(diagnostics(&words)[0].1.contains("too many words"));
    let ok = format!(
        "{FEEDS}[[view]]\nname = \"ok\"\nq = \"{}\"\n",
        "x".repeat(200)
    );
    let c = config(&ok).unwrap();
    assert_views_serve(&c);
}

/// Limits of the query parser that no single key check covers (values per parameter) are
/// load errors too, on the view.
#[test]
fn config_view_beyond_query_limits_is_a_load_error() {
    let mut text = String::new();
    let mut ids = Vec::new();
    for i in 0..51 {
        text.push_str(&format!(
            "[[feed]]\nid = \"f{i}\"\nurl = \"https://e{i}.example/feed\"\n"
        ));
        ids.push(format!("\"f{i}\""));
    }
    text.push_str(&format!(
        "[[view]]\nname = \"all\"\nsource = [{}]\n",
        ids.join(", ")
    ));
    let d = diagnostics(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].1.contains("not a valid query") && d[0].1.contains("50"),
        "{d:?}"
    );
    // Fifty is fine.
    let fifty = text.replace(", \"f50\"]", "]");
    assert_views_serve(&config(&fifty).unwrap());
}

/// The config target's richest seed: every section and key, views included; it loads, every
/// view is served, and a reload of the same text changes nothing.
#[test]
fn config_full_seed_loads_and_views_serve() {
    let text = r#"
[server]
listen = "[::1]:8080"
public_url = "https://feeds.example.org/showfeed/"
log_level = "showfeed=debug,info"
[storage]
retention_days = 30
cache = "64MiB"
[polling]
interval = "1h 30m"
max_body = "2MiB"
allow_private = true
[dedup]
mode = "mark"
window = "48h"
[[feed]]
id = "soompi"
url = "https://www.soompi.com/feed"
interval = "10m"
[[feed]]
id = "local"
url = "file:///srv/feeds/local.xml"
[[show]]
name = "Squid Game"
aliases = ["오징어 게임"]
[[show]]
name = "Pokémon"
[[view]]
name = "korean"
show = ["squid-game"]
exclude_show = ["pokemon"]
season = ["squid-game/s2"]
kind = ["trailer", "casting"]
source = ["soompi"]
q = "오징어 \"season two\""
since = "30d"
limit = 50
"#;
    let c = config(text).unwrap();
    assert_eq!(c.shows[1].slug, "pokemon");
    assert_eq!(c.views.len(), 1);
    assert_views_serve(&c);
    let again = config(text).unwrap();
    assert_eq!(again, c);
    assert!(showfeed::config::diff(&c, &again).is_empty());
    assert_eq!(Tagger::new(&c.shows).len(), 2);
}

/// Found by the config target (minimized: `==\n.=`): toml_edit 0.23.10's error recovery
/// panicked ("all items have spans") on a value that is a stray `=` followed by a dotted key
/// through the same key, so one typo crashed `showfeed check` and a reload. Syntax is now
/// checked with `toml` before toml_edit sees the text.
#[test]
fn config_stray_equals_then_dotted_key_is_an_error_not_a_panic() {
    for text in [
        "==\n.=",
        "x = =\nx.y = 1",
        "[[feed]]\nid = = \"variety\"\nid.x = 1\nurl = \"https://variety.com/feed\"\n",
    ] {
        let d = diagnostics(text);
        assert_eq!(d.len(), 1, "{text:?}: {d:?}");
        assert!(d[0].0 >= 1, "{d:?}");
    }
    let d = diagnostics("[[feed]]\nid = = \"variety\"\nid.x = 1\n");
    assert_eq!(d[0].0, 2, "points at the stray `=`: {d:?}");
}

/// Hostile config texts: a clear error with sane positions, never a panic or a stack
/// overflow.
#[test]
fn config_hostile_texts_fail_with_positions() {
    let deep_array = format!("x = {}", "[".repeat(100_000));
    let deep_table = format!("x = {}", "{a = ".repeat(100_000));
    let deep_key = format!("[{}]", vec!["a"; 10_000].join("."));
    let hostile = [
        "",
        "\0\u{1}\u{7f}",
        "\u{feff}[[feed]]\nid = \"a\"\nurl = \"https://a.example/\"\n[[feed]]\n",
        "[[feed]\nid = \"a\nurl = \"\"\"\n",
        "[[feed]]\nid = \"\u{202e}x\"\nurl = \"https://[::1\"\n",
        "[[feed]]\nid = \"a\"\nurl = \"file://remote-host/x.xml\"\n",
        "[[feed]]\nid = \"a\"\nurl = \"http://a.example/\"\ninterval = \"99999999999999999999d\"\n",
        "[storage]\nretention_days = 9223372036854775807\nmax_entries = -9223372036854775808\n",
        "[[feed]]\nid = \"a\"\nurl = \"http://a.example/\"\n[[show]]\nname = \"!!!\"\n",
        "[[feed]]\nid = \"a\"\nurl = \"http://a.example/\"\n[[show]]\nname = \"Lost\"\n[[show]]\nname = \"LOST\"\n",
        "[[feed]]\nid = \"a\"\nurl = \"http://a.example/\"\n[[view]]\nname = \"v\"\nseason = [\"a/s0\", \"/s1\", \"\"]\n",
        "[server]\nlog_level = \"[[[\"\n[[feed]]\nid = \"a\"\nurl = \"http://a.example/\"\n",
        &deep_array,
        &deep_table,
        &deep_key,
    ];
    for text in hostile {
        let d = diagnostics(text);
        for (_, m) in &d {
            assert!(!m.is_empty());
        }
    }
    // Every problem of one file at once, in file order.
    let errors = "bogus = 1\n[polling]\ninterval = \"1s\"\nconcurrency = 0\n[[feed]]\nid = \"Bad\"\nurl = \"gopher://x\"\n";
    let d = diagnostics(errors);
    let lines: Vec<usize> = d.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![1, 3, 4, 6, 7], "{d:?}");
}

// --- ingest ------------------------------------------------------------------------------

fn tagger() -> Tagger {
    let show = |name: &str, slug: &str, aliases: &[&str], context: Option<bool>| Show {
        name: name.into(),
        aliases: aliases.iter().map(|s| (*s).to_owned()).collect(),
        slug: slug.into(),
        require_context: context,
        exclude: Vec::new(),
    };
    Tagger::new(&[
        show("Squid Game", "squid-game", &["오징어 게임"], None),
        show("The Bear", "the-bear", &[], None),
        show("Pokémon", "pokemon", &[], None),
        show("Severance", "severance", &[], Some(true)),
        show("Lost", "lost", &[], Some(false)),
    ])
}

fn assert_xml_safe(what: &str, s: &str) {
    if let Some(c) = s.chars().find(|&c| !is_xml_char(c)) {
        panic!("{what} holds XML-invalid character {c:?}: {s:?}");
    }
}

/// What the ingest fuzz target asserts of every normalized document.
fn ingest(bytes: &[u8], content_type: Option<&str>) -> Option<Normalized> {
    let feed = showfeed::parse::parse(bytes, content_type).ok()?;
    let base = Url::parse("https://example.com/feeds/tv.xml").unwrap();
    let n = normalize("fuzz", feed, &base, NOW);
    assert!(n.entries.len() <= MAX_ITEMS_PER_FEED);
    for s in n.title.iter().chain(&n.site_link) {
        assert_xml_safe("feed", s);
    }
    let tagger = tagger();
    let mut ids = HashSet::new();
    for e in &n.entries {
        assert!(ids.insert(e.id), "duplicate id");
        assert!(!e.title.is_empty() && e.title.trim() == e.title);
        assert_xml_safe("title", &e.title);
        for (what, s) in [
            ("summary", &e.summary),
            ("content", &e.content),
            ("link", &e.link),
        ] {
            let Some(s) = s else { continue };
            assert!(!s.trim().is_empty(), "{what} blank");
            assert_xml_safe(what, s);
            assert!(!s.to_ascii_lowercase().contains("<script"), "{what}: {s}");
        }
        for s in e.authors.iter().chain(&e.source_categories).chain(&e.image) {
            assert_xml_safe("author, category or image", s);
        }
        for enc in &e.enclosures {
            assert_xml_safe("enclosure", &enc.url);
            if let Some(m) = &enc.mime {
                assert_xml_safe("enclosure type", m);
            }
        }
        for l in e.link.iter().chain(&e.image) {
            let u = Url::parse(l).unwrap();
            assert!(matches!(u.scheme(), "http" | "https"), "{l}");
        }
        assert!(e.published <= e.updated && e.updated <= NOW && e.first_seen == NOW);
        let tags = tagger.tag(&e.title, e.summary.as_deref(), e.content.as_deref());
        for t in &tags.shows {
            assert!(t.seasons.iter().all(|s| s.season >= 1));
        }
    }
    Some(n)
}

/// Found by the ingest target (minimized): `&#1` without its `;` is no XML reference, so the
/// repair escapes it to text; the HTML sanitizer then decodes it (HTML needs no `;`) to
/// U+0001, which `Entry` promises never to hold and which makes the Atom and RSS output
/// ill-formed. The same held for `&amp;#1;` and for `\u0001` escapes in JSON Feed HTML.
#[test]
fn ingest_html_references_to_control_characters_never_reach_entries() {
    let minimized = b" <entry><content>)&#1</content></entry>>";
    let n = ingest(minimized, None).expect("parses");
    assert_eq!(n.entries.len(), 1);
    assert_eq!(n.entries[0].content.as_deref(), Some(")"));

    let rss = b"<rss version=\"2.0\"><channel><title>t</title><item><title>a</title>\
        <description>x &amp;#1; y &amp;#x1b; z &amp;#xFFFE; &#x10</description>\
        <content:encoded xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\
        <![CDATA[<p>&#2 &#x7; &#65535;</p>]]></content:encoded></item></channel></rss>";
    let n = ingest(rss, None).expect("parses");
    let e = &n.entries[0];
    assert_eq!(e.summary.as_deref(), Some("x  y  z  "));
    assert_eq!(e.content.as_deref(), Some("<p>  </p>"));

    let json = br#"{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[
        {"id":"1","title":"a\u0001b","content_html":"<p>c\u0002d</p>","summary":"e\u0003f"}]}"#;
    let n = ingest(json, None).expect("parses");
    let e = &n.entries[0];
    assert_eq!(e.title, "ab");
    assert_eq!(e.content.as_deref(), Some("<p>cd</p>"));
}

/// The ingest target's hostile seeds: every document that parses keeps the entry promises.
#[test]
fn ingest_hostile_documents_keep_entry_promises() {
    let media = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>TV &amp; more</title><link>/tv/</link>
<item>
  <title>Squid Game Season 2 Episode 3 Recap: &ldquo;Red Light&rdquo;</title>
  <link>/2026/sg/?utm_source=rss&amp;id=7#comments</link>
  <description><![CDATA[<p><a href="/trailer">t</a> <img src="/img/sg.jpg"><script>alert(1)</script></p>]]></description>
  <content:encoded><![CDATA[<p onclick="x()">The Bear <iframe src="http://evil"></iframe><a href="javascript:alert(1)">x</a></p>]]></content:encoded>
  <enclosure url="/audio/ep3.mp3" type="audio/mpeg" length="12345"/>
  <media:content url="https://cdn.example/sg.jpg" type="image/jpeg"/>
  <pubDate>Sun, 01 Jan 2040 00:00:00 GMT</pubDate>
</item>
<item><title></title><description>第2季 第0話 body only</description></item>
<item><guid>dup</guid><title>A</title></item>
<item><guid>dup</guid><title>B</title></item>
<item><guid>dup</guid><title>B</title></item>
</channel></rss>"#;
    let n = ingest(media.as_bytes(), None).expect("parses");
    assert_eq!(n.entries.len(), 4, "the verbatim repeat is dropped");
    let e = &n.entries[0];
    assert_eq!(e.link.as_deref(), Some("https://example.com/2026/sg/?id=7"));
    assert_eq!(e.published, NOW, "future date clamped");
    assert!(!e.content.as_deref().unwrap().contains("iframe"));
    assert_eq!(n.entries[1].title, "第2季 第0話 body only");

    let mut utf16 = vec![0xFF, 0xFE];
    for u in "<rss version=\"2.0\"><channel><item><title>오징어 게임 시즌 2</title></item></channel></rss>"
        .encode_utf16()
    {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let n = ingest(&utf16, None).expect("parses");
    assert_eq!(n.entries[0].title, "오징어 게임 시즌 2");

    let cp1251 = b"<rss version=\"2.0\"><channel><item><title>\xcf\xf0\xe8\xe2\xe5\xf2</title></item></channel></rss>";
    let n = ingest(cp1251, Some("text/xml; charset=windows-1251")).expect("parses");
    assert_eq!(n.entries[0].title, "Привет");

    let doctype = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><!DOCTYPE rdf:RDF [<!ENTITY a \"&b;&b;\">]>\
        <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">\
        <channel rdf:about=\"http://o.example/\"><title>&a;</title></channel>\
        <item rdf:about=\"http://o.example/1\"><title>Pok\xe9mon &AT&T &#1; &#xFFFE;</title><link>http://o.example/1</link></item></rdf:RDF>";
    let n = ingest(doctype, None).expect("parses");
    assert_eq!(n.entries[0].title, "Pokémon &AT&T");

    // Not feeds: a clear error, no entries.
    for bad in [
        &b""[..],
        b"\xef\xbb\xbf   ",
        b"<!DOCTYPE html><html><body>hi</body></html>",
        b"{\"items\":[",
        b"<rss><channel><item><title>unterminated",
        b"\x00<\x00r\x00s\x00s",
    ] {
        assert!(ingest(bad, None).is_none(), "{bad:?}");
    }
    let deep = format!("<rss version=\"2.0\"><channel>{}", "<x>".repeat(100_000));
    assert!(ingest(deep.as_bytes(), None).is_none());
}
