//! Hostile feeds and crashes: every case of the hardening issue as a test with its outcome.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use showfeed::config::Config;
use showfeed::output::{DocKind, Format};
use showfeed::poll::{Context, Outcome};
use showfeed::scheduler::poll_all;
use showfeed::serve::AppState;
use showfeed::store::Store;

use crate::support::*;

struct Polled {
    config: Arc<Config>,
    store: Arc<Store>,
    outcomes: HashMap<String, Outcome>,
    _setup: Setup,
}

async fn poll(feeds: &[(&str, String)], extra: &str) -> Polled {
    let setup = write_config(feeds, 1, extra);
    let h = Harness::open(&setup);
    let outcomes = h.poll().await;
    Polled {
        config: h.config,
        store: h.store,
        outcomes,
        _setup: setup,
    }
}

fn failed<'a>(p: &'a Polled, id: &str) -> &'a str {
    match &p.outcomes[id] {
        Outcome::Failed(msg) => msg,
        other => panic!("{id}: expected a failure, got {other:?}"),
    }
}

fn stored(p: &Polled, id: &str) -> usize {
    match &p.outcomes[id] {
        Outcome::Stored(s) => s.new,
        other => panic!("{id}: expected entries, got {other:?}"),
    }
}

fn rss(items: &str) -> String {
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>https://e.example/</link>{items}</channel></rss>")
}

fn titles(p: &Polled) -> Vec<String> {
    let xml = merged_atom(&p.config, &p.store, 10_000);
    assert_well_formed(&xml);
    feed_rs::parser::parse(&xml[..])
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.title.unwrap().content)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn entity_expansion_and_external_entities_do_nothing() {
    // A listener that must never see a connection: the external DTD and entity point at it.
    let canary = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    canary.set_nonblocking(true).unwrap();
    let canary_url = format!("http://{}/evil.dtd", canary.local_addr().unwrap());
    let laughs = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY lol \"lol\">{}]><rss version=\"2.0\"><channel><title>t</title><item><guid>1</guid><title>&lol9;</title></item></channel></rss>",
        (1..=9).map(|i| format!("<!ENTITY lol{i} \"{}\">", format!("&lol{};", if i == 1 { String::new() } else { (i - 1).to_string() }).repeat(10))).collect::<String>()
    );
    let xxe = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE rss SYSTEM \"{canary_url}\" [<!ENTITY xxe SYSTEM \"file:///etc/passwd\"><!ENTITY ext SYSTEM \"{canary_url}\">]>\
         <rss version=\"2.0\"><channel><title>t</title><item><guid>2</guid><title>x&xxe;y&ext;z</title></item></channel></rss>"
    );
    let server = FixtureServer::start().await;
    server.route(
        "/laughs",
        Route::ok(laughs.into_bytes(), "application/rss+xml"),
    );
    server.route("/xxe", Route::ok(xxe.into_bytes(), "application/rss+xml"));
    let p = poll(
        &[
            ("laughs", server.url("/laughs")),
            ("xxe", server.url("/xxe")),
        ],
        "",
    )
    .await;
    assert_eq!(stored(&p, "laughs"), 1);
    assert_eq!(stored(&p, "xxe"), 1);
    let t = titles(&p);
    assert!(t.iter().any(|t| t == "&lol9;"), "not expanded: {t:?}");
    assert!(
        t.iter().any(|t| t == "x&xxe;y&ext;z"),
        "no file read, no fetch: {t:?}"
    );
    assert!(!t.iter().any(|t| t.contains("root:")));
    assert!(
        canary.accept().is_err(),
        "nothing connected to the external DTD's host"
    );
    crate::conformance::assert_store_conforms("entities", &p.config, &p.store);
}

#[tokio::test(flavor = "multi_thread")]
async fn gzip_bomb_slow_drip_redirect_loops_and_chains() {
    let server = FixtureServer::start().await;
    // 1 GiB of zeros in 1 MiB of gzip.
    server.route(
        "/bomb",
        Route::ok(fixture("bomb.gz"), "application/rss+xml").header("content-encoding", "gzip"),
    );
    server.route(
        "/drip",
        Route::ok(fixture("soompi.atom"), "application/atom+xml")
            .dripping(Duration::from_millis(500)),
    );
    server.route(
        "/fast",
        Route::ok(fixture("tvline.rss"), "application/rss+xml"),
    );
    server.route("/loop", Route::redirect(302, "/loop"));
    for i in 1..=7 {
        server.route(
            &format!("/chain{i}"),
            Route::redirect(301, &format!("/chain{}", i + 1)),
        );
    }
    server.route(
        "/chain8",
        Route::ok(fixture("noguid.rss"), "application/rss+xml"),
    );
    server.route("/hop1", Route::redirect(301, "/hop2"));
    server.route("/hop2", Route::redirect(308, "/noguid"));
    server.route(
        "/noguid",
        Route::ok(fixture("noguid.rss"), "application/rss+xml"),
    );
    let feeds = [
        ("bomb", server.url("/bomb")),
        ("drip", server.url("/drip")),
        ("fast", server.url("/fast")),
        ("loop", server.url("/loop")),
        ("chain", server.url("/chain1")),
        ("moved", server.url("/hop1")),
    ];
    let p = poll(&feeds, "[polling]\nmax_body = \"1MiB\"\ntimeout = \"2s\"\n").await;
    assert!(
        failed(&p, "bomb").contains("exceeds the 1.0 MiB cap (after decompression)"),
        "{}",
        failed(&p, "bomb")
    );
    assert!(
        failed(&p, "drip").contains("timed out after 2s"),
        "{}",
        failed(&p, "drip")
    );
    assert!(failed(&p, "loop").contains("too many redirects"));
    assert!(failed(&p, "chain").contains("too many redirects (more than 5"));
    assert_eq!(stored(&p, "fast"), 3);
    // The fast feed finished long before the dripping one gave up: it was not delayed.
    let fast = p
        .store
        .feed_state("fast")
        .unwrap()
        .unwrap()
        .last_success
        .unwrap();
    let drip = p
        .store
        .feed_state("drip")
        .unwrap()
        .unwrap()
        .last_error_at
        .unwrap();
    assert!(
        fast < drip,
        "fast feed stored at {fast}, drip failed at {drip}"
    );
    // Two permanent redirects: stored, and the admin is told to update the URL.
    assert_eq!(stored(&p, "moved"), 2);
    let health =
        String::from_utf8(showfeed::output::health::render(&p.config, &p.store).unwrap()).unwrap();
    assert!(
        health.contains("moved: permanently redirected; update its url in feeds.toml"),
        "{health}"
    );
    assert!(health.contains(&server.url("/noguid")));
    crate::conformance::assert_store_conforms("bomb-drip-redirects", &p.config, &p.store);
}

#[tokio::test(flavor = "multi_thread")]
async fn private_addresses_are_refused_unless_allowed() {
    let server = FixtureServer::start().await;
    server.route(
        "/feed",
        Route::ok(fixture("noguid.rss"), "application/rss+xml"),
    );
    server.route(
        "/to-metadata",
        Route::redirect(302, "http://169.254.169.254/latest/meta-data/"),
    );
    server.route(
        "/to-loopback",
        Route::redirect(302, "http://127.0.0.2:9/feed"),
    );
    let by_name = format!("http://localhost:{}/feed", server.addr.port());
    let feeds = [
        ("by-name", by_name.clone()),
        ("literal", server.url("/feed")),
        ("to-metadata", server.url("/to-metadata")),
        ("to-loopback", server.url("/to-loopback")),
    ];
    let p = poll(&feeds, "").await;
    let msg = failed(&p, "by-name");
    assert!(
        msg.contains("refused to connect to localhost") && msg.contains("allow_private = true"),
        "{msg}"
    );
    assert_eq!(
        stored(&p, "literal"),
        2,
        "a literal IP written by the admin is explicit intent"
    );
    assert!(failed(&p, "to-metadata")
        .contains("redirect to a private, loopback or link-local address refused"));
    assert!(failed(&p, "to-loopback").contains("redirect to a private"));
    crate::conformance::assert_store_conforms("private", &p.config, &p.store);
    let allowed =
        format!("[[feed]]\nid = \"allowed\"\nurl = \"{by_name}\"\nallow_private = true\n");
    let p = poll(&[], &allowed).await;
    assert_eq!(stored(&p, "allowed"), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn malicious_html_is_sanitized_in_every_format_and_the_index() {
    let vectors = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(2)>",
        "<a href=\"javascript:alert(3)\">j</a>",
        "<a href=\"jav&#x09;ascript:alert(4)\">t</a>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">d</a>",
        "<iframe src=\"https://evil.example/\"></iframe>",
        "<svg onload=alert(5)><circle/></svg>",
        "<math><mi xlink:href=\"javascript:alert(6)\">m</mi></math>",
        "<p style=\"background:url(javascript:alert(7));width:expression(alert(8))\">css</p>",
        "<object data=\"evil.swf\"></object><embed src=\"evil.swf\">",
        "<form action=\"https://evil.example/\"><input name=q></form>",
        "<base href=\"https://evil.example/\"><meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
    ]
    .concat();
    let item = format!(
        "<item><guid>x</guid><title>&lt;script&gt;alert('title')&lt;/script&gt; Squid Game</title><link>https://e.example/a</link>\
         <description><![CDATA[{vectors}<p>kept text</p>]]></description></item>"
    );
    let server = FixtureServer::start().await;
    server.route(
        "/evil",
        Route::ok(rss(&item).into_bytes(), "application/rss+xml"),
    );
    let p = poll(&[("evil", server.url("/evil"))], "").await;
    assert_eq!(stored(&p, "evil"), 1);
    let atom = render(&p.config, &p.store, DocKind::Merged, Format::Atom, "", 10);
    let rss_out = render(&p.config, &p.store, DocKind::Merged, Format::Rss, "", 10);
    let json = render(&p.config, &p.store, DocKind::Merged, Format::Json, "", 10);
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let html = v["items"][0]["content_html"].as_str().unwrap().to_owned();
    // What a reader renders: the HTML inside each format.
    let atom_html = feed_rs::parser::parse(&atom[..]).unwrap().entries[0]
        .summary
        .clone()
        .unwrap()
        .content;
    let rss_html = feed_rs::parser::parse(&rss_out[..]).unwrap().entries[0]
        .summary
        .clone()
        .unwrap()
        .content;
    for (name, doc) in [("atom", &atom_html), ("rss", &rss_html), ("json", &html)] {
        let lower = doc.to_ascii_lowercase();
        for bad in [
            "<script",
            "onerror",
            "onload",
            "javascript:",
            "jav\tascript",
            "data:text",
            "<iframe",
            "<svg",
            "<math",
            "expression(",
            "<object",
            "<embed",
            "<form",
            "<base",
            "<meta",
            "style=",
        ] {
            assert!(!lower.contains(bad), "{name}: {bad} survived in {doc}");
        }
        assert!(doc.contains("kept text"), "{name}: {doc}");
    }
    // Titles are plain text: escaped markup in a title is read as HTML (as publishers mean
    // it) and reduced to its text, a script's body included.
    let entry = feed_rs::parser::parse(&atom[..]).unwrap().entries.remove(0);
    assert_eq!(entry.title.unwrap().content, "Squid Game");
    let state = AppState::new(p.store.clone(), p.config.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, showfeed::serve::router(state)).await;
    });
    let page = reqwest::get(format!("{base}/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("<script"), "index page escapes titles");
    assert!(page.contains(">Squid Game</a>"));
    task.abort();
    crate::conformance::assert_store_conforms("malicious-html", &p.config, &p.store);
}

#[tokio::test(flavor = "multi_thread")]
async fn control_characters_surrogates_and_encodings() {
    let server = FixtureServer::start().await;
    let ctl = rss("<item><guid>c</guid><title>Bell\u{7}and\u{1b}escape\u{0}nul</title><description>a\u{b}b\u{fffe}</description></item>");
    server.route("/ctl", Route::ok(ctl.into_bytes(), "application/rss+xml"));
    let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[{"id":"s","title":"lone \ud800 surrogate","content_text":"x"}]}"#;
    server.route(
        "/json",
        Route::ok(json.as_bytes().to_vec(), "application/feed+json"),
    );
    let doc = |title: &str| {
        rss(&format!(
            "<item><guid>{title}</guid><title>{title}</title></item>"
        ))
    };
    let mut utf16 = vec![0xFF, 0xFE];
    for u in doc("Pokémon UTF-16").encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    server.route("/utf16", Route::ok(utf16, "application/rss+xml"));
    let mut bom8 = b"\xEF\xBB\xBF".to_vec();
    bom8.extend(doc("Café UTF-8 BOM").into_bytes());
    server.route("/bom8", Route::ok(bom8, "application/rss+xml"));
    let latin1 = doc("Caf\u{e9} latin1").replace(
        "<?xml version=\"1.0\"?>",
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
    );
    server.route(
        "/latin1",
        Route::ok(
            encoding_rs::WINDOWS_1252.encode(&latin1).0.into_owned(),
            "application/rss+xml",
        ),
    );
    let cyr = doc("Привет cp1251").replace(
        "<?xml version=\"1.0\"?>",
        "<?xml version=\"1.0\" encoding=\"windows-1251\"?>",
    );
    server.route(
        "/cp1251",
        Route::ok(
            encoding_rs::WINDOWS_1251.encode(&cyr).0.into_owned(),
            "application/rss+xml",
        ),
    );
    let header_only = doc("Ни хедер only");
    server.route(
        "/header",
        Route::ok(
            encoding_rs::KOI8_R.encode(&header_only).0.into_owned(),
            "text/xml; charset=koi8-r",
        ),
    );
    let undeclared = doc("\u{201c}Quoted\u{201d} cp1252");
    server.route(
        "/cp1252",
        Route::ok(
            encoding_rs::WINDOWS_1252.encode(&undeclared).0.into_owned(),
            "application/rss+xml",
        ),
    );
    let names = [
        "ctl", "json", "utf16", "bom8", "latin1", "cp1251", "header", "cp1252",
    ];
    let feeds: Vec<(&str, String)> = names
        .iter()
        .map(|n| (*n, server.url(&format!("/{n}"))))
        .collect();
    let p = poll(&feeds, "").await;
    for n in names {
        assert_eq!(stored(&p, n), 1, "{n}");
    }
    let t = titles(&p);
    for want in [
        "Bellandescapenul",
        "lone \u{fffd} surrogate",
        "Pokémon UTF-16",
        "Café UTF-8 BOM",
        "Café latin1",
        "Привет cp1251",
        "Ни хедер only",
        "\u{201c}Quoted\u{201d} cp1252",
    ] {
        assert!(t.iter().any(|x| x == want), "{want:?} not in {t:?}");
    }
    let json_out = render(&p.config, &p.store, DocKind::Merged, Format::Json, "", 100);
    serde_json::from_slice::<serde_json::Value>(&json_out).expect("valid JSON");
    assert_well_formed(&render(
        &p.config,
        &p.store,
        DocKind::Merged,
        Format::Rss,
        "",
        100,
    ));
    // The lone surrogate's U+FFFD is the one "bad character" the validator may see.
    let checkers = crate::conformance::Checkers::find().allowing_replacement_characters();
    crate::conformance::assert_store_passes(checkers, "characters", &p.config, &p.store);
}

#[tokio::test(flavor = "multi_thread")]
async fn size_extremes_are_bounded() {
    let server = FixtureServer::start().await;
    let deep = rss(&format!(
        "{}x{}",
        "<div>".repeat(1_000_000),
        "</div>".repeat(1_000_000)
    ));
    server.route("/deep", Route::ok(deep.into_bytes(), "application/rss+xml"));
    let attrs: String = (0..100_000).map(|i| format!(" a{i}=\"v\"")).collect();
    let wide = rss(&format!(
        "<item{attrs}><guid>w</guid><title>wide</title></item>"
    ));
    server.route("/wide", Route::ok(wide.into_bytes(), "application/rss+xml"));
    let many: String = (0..200_000)
        .map(|i| {
            format!(
                "<item><guid>{i}</guid><title>n{i}</title><pubDate>{}</pubDate></item>",
                chrono::DateTime::from_timestamp(1_700_000_000 + i * 60, 0)
                    .unwrap()
                    .to_rfc2822()
            )
        })
        .collect();
    server.route(
        "/many",
        Route::ok(rss(&many).into_bytes(), "application/rss+xml"),
    );
    let p = poll(
        &[
            ("deep", server.url("/deep")),
            ("wide", server.url("/wide")),
            ("many", server.url("/many")),
        ],
        "[polling]\nmax_body = \"64MiB\"\n",
    )
    .await;
    assert!(failed(&p, "deep").contains("nested more than 256 deep"));
    assert_eq!(stored(&p, "wide"), 1);
    assert_eq!(
        stored(&p, "many"),
        showfeed::normalize::MAX_ITEMS_PER_FEED,
        "per-feed item cap"
    );
    let t = titles(&p);
    assert!(
        t.contains(&"n199999".to_owned()) && !t.contains(&"n0".to_owned()),
        "the newest are kept"
    );
    crate::conformance::assert_store_conforms("size-extremes", &p.config, &p.store);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_responses_keep_old_entries_back_off_and_show_in_status() {
    let server = FixtureServer::start().await;
    let names = [
        "empty",
        "truncated",
        "html",
        "e404",
        "e500",
        "e429",
        "bad304",
    ];
    for n in names {
        server.route(
            &format!("/{n}"),
            Route::ok(fixture("tvline.rss"), "application/rss+xml"),
        );
    }
    let feeds: Vec<(&str, String)> = names
        .iter()
        .map(|n| (*n, server.url(&format!("/{n}"))))
        .collect();
    let setup = write_config(&feeds, 1, "");
    let config = Arc::new(Config::load(&setup.config, None).unwrap());
    let store = Arc::new(open_store(&config.storage.path, 8 << 20));
    let ctx = Arc::new(Context::new(store.clone(), config.clone()).unwrap());
    poll_all(ctx.clone(), &config.feeds).await;
    let before = store.entry_count();
    // Now every feed breaks in its own way.
    let tv = String::from_utf8(fixture("tvline.rss")).unwrap();
    server.route("/empty", Route::ok(Vec::new(), "application/rss+xml"));
    server.route(
        "/truncated",
        Route::ok(
            tv.as_bytes()[..tv.len() / 2].to_vec(),
            "application/rss+xml",
        ),
    );
    server.route("/html", Route::ok(fixture("notafeed.html"), "text/html"));
    server.route("/e404", Route::status(404));
    server.route("/e500", Route::status(500));
    server.route("/e429", Route::status(429).header("retry-after", "3600"));
    server.route("/bad304", Route::status(304));
    let out: HashMap<String, Outcome> = poll_all(ctx, &config.feeds)
        .await
        .into_iter()
        .map(|(i, r)| (i, r.unwrap().outcome))
        .collect();
    let msg = |id: &str| match &out[id] {
        Outcome::Failed(m) => m.clone(),
        o => panic!("{id}: {o:?}"),
    };
    assert!(msg("empty").contains("empty response body"));
    assert!(msg("truncated").contains("not a valid RSS, Atom or JSON feed"));
    assert!(msg("html").contains("HTML page"));
    assert!(msg("e404").contains("HTTP 404"));
    assert!(msg("e500").contains("HTTP 500"));
    assert!(msg("e429").contains("HTTP 429"));
    assert!(msg("bad304").contains("304 Not Modified to an unconditional request"));
    assert_eq!(store.entry_count(), before, "old entries kept");
    let now = showfeed::clock::now();
    for n in names {
        let s = store.feed_state(n).unwrap().unwrap();
        assert_eq!(s.consecutive_failures, 1, "{n}");
        // The first retry comes after a minute; a server that asked for more (429 with
        // Retry-After) gets what it asked.
        let least = if n == "e429" { 3600 } else { 60 };
        assert!(
            s.next_poll >= now + least - 5,
            "{n}: backed off ({}s)",
            s.next_poll - now
        );
    }
    let rows = showfeed::output::status::status_rows(&config, &store).unwrap();
    assert!(rows
        .iter()
        .all(|r| r.last_error.is_some() && r.entries == 3));
    let metrics = showfeed::metrics::get().encode();
    assert!(
        metrics.contains("showfeed_fetches_total{feed=\"e404\",outcome=\"status\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("showfeed_fetches_total{feed=\"truncated\",outcome=\"parse\"} 1"));
    crate::conformance::assert_store_conforms("bad-responses", &config, &store);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panic_in_one_feed_is_caught_and_the_rest_keeps_running() {
    let marker = "showfeed-panic-marker-4f2a";
    // Only bodies carrying the marker panic (debug builds), so other tests are unaffected.
    std::env::set_var("SHOWFEED_TEST_PANIC", marker);
    let server = FixtureServer::start().await;
    server.route(
        "/boom",
        Route::ok(
            rss(&format!(
                "<item><guid>b</guid><title>{marker}</title></item>"
            ))
            .into_bytes(),
            "application/rss+xml",
        ),
    );
    server.route(
        "/fine",
        Route::ok(fixture("soompi.atom"), "application/atom+xml"),
    );
    let p = poll(
        &[("boom", server.url("/boom")), ("fine", server.url("/fine"))],
        "",
    )
    .await;
    let msg = failed(&p, "boom");
    assert!(
        msg.contains("internal error while processing the feed") && msg.contains("test failpoint"),
        "{msg}"
    );
    assert_eq!(stored(&p, "fine"), 3);
    let state = p.store.feed_state("boom").unwrap().unwrap();
    assert_eq!(
        state.consecutive_failures, 1,
        "recorded and backed off like any failure"
    );
    // The HTTP side still serves.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = showfeed::serve::router(AppState::new(p.store.clone(), p.config.clone()));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    assert_eq!(
        atom_ids(
            &reqwest::get(format!("{base}/feed.atom"))
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
        )
        .len(),
        3
    );
    task.abort();
    crate::conformance::assert_store_conforms("panic", &p.config, &p.store);
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_http_clients_get_clear_answers_and_the_server_stays_responsive() {
    let server = FixtureServer::start().await;
    server.route(
        "/a",
        Route::ok(fixture("soompi.atom"), "application/atom+xml"),
    );
    let p = poll(&[("a", server.url("/a"))], "").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let app = showfeed::serve::router(AppState::new(p.store.clone(), p.config.clone()));
    let stop = tokio_util::sync::CancellationToken::new();
    let task = tokio::spawn(showfeed::serve::server::run(
        listener,
        app,
        stop.clone(),
        Duration::from_secs(1),
    ));
    // A huge query string: 400 naming the problem, not a parse of megabytes.
    let r = reqwest::get(format!("{base}/feed.atom?q={}", "a".repeat(60_000)))
        .await
        .unwrap();
    assert!(r.status() == 400 || r.status() == 414, "{}", r.status());
    // Huge headers: 431 from the HTTP layer.
    let r = reqwest::Client::new()
        .get(format!("{base}/feed.atom"))
        .header("x-junk", "j".repeat(1_000_000))
        .send()
        .await;
    assert!(
        r.is_err() || r.as_ref().is_ok_and(|r| r.status() == 431),
        "{r:?}"
    );
    // Many idle connections and a slow reader that never reads its response.
    let mut idle = Vec::new();
    for _ in 0..500 {
        idle.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(
        &mut slow,
        b"GET /feed.atom?limit=1000 HTTP/1.1\r\nhost: x\r\n\r\n",
    )
    .await
    .unwrap();
    // The server still answers promptly-enough for a normal client.
    let r = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
        .get(format!("{base}/feed.atom"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(atom_ids(&r.bytes().await.unwrap()).len(), 3);
    // A slowloris client that never finishes its headers is cut off (10 s header timeout).
    let mut loris = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut loris, b"GET /feed.atom HTTP/1.1\r\nhost: x\r\nx-a: ")
        .await
        .unwrap();
    let mut buf = [0u8; 256];
    let closed = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match tokio::io::AsyncReadExt::read(&mut loris, &mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(
        closed.is_ok(),
        "a connection that never sends its headers is closed"
    );
    drop(idle);
    drop(slow);
    stop.cancel();
    task.await.unwrap();
}
