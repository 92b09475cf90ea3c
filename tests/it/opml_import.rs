//! `showfeed opml import` as an admin moving from another reader runs it: real Miniflux and
//! FreshRSS exports with folders, through the real binary, into a real feeds.toml; the tags
//! the folders become, served by the real daemon after its reload and a poll of fixture
//! feeds; files that are not OPML; `--dry-run`; export and import again.

use std::path::Path;

use showfeed::config::Config;

use crate::support::*;

/// An RSS 2.0 feed titled `channel` with `items` (title, link; the link is the guid).
fn rss(channel: &str, items: &[(&str, &str)]) -> Vec<u8> {
    let items: String = items
        .iter()
        .enumerate()
        .map(|(i, (title, link))| {
            format!(
                "<item><title>{title}</title><link>{link}</link><guid>{link}</guid>\
                 <pubDate>Mon, 01 Jun 2026 {:02}:00:00 GMT</pubDate></item>",
                10 + i
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>\
         <title>{channel}</title><link>https://example.org/</link>{items}</channel></rss>"
    )
    .into_bytes()
}

/// One category of an export: its name and its feeds (title, text, URL).
type Category<'a> = (&'a str, &'a [(&'a str, &'a str, &'a str)]);

/// A Miniflux export as Miniflux writes it (Go's encoder: four-space indents, every outline
/// closed with its own end tag, a category folder around every feed, "All" the default).
fn miniflux_export(feeds: &[Category<'_>]) -> String {
    let mut body = String::new();
    for (category, outlines) in feeds {
        body.push_str(&format!("        <outline text=\"{category}\">\n"));
        for (title, text, url) in *outlines {
            body.push_str(&format!(
                "            <outline type=\"rss\" text=\"{text}\" title=\"{title}\" xmlUrl=\"{url}\" htmlUrl=\"https://example.org/\"></outline>\n"
            ));
        }
        body.push_str("        </outline>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n    <head>\n        \
         <title>Miniflux</title>\n        <dateCreated>Mon, 01 Jun 2026 10:00:00 UTC</dateCreated>\n    \
         </head>\n    <body>\n{body}    </body>\n</opml>\n"
    )
}

/// A FreshRSS export as FreshRSS writes it (tabs, its `frss` namespace, self-closed
/// outlines with `text` and `title`, "Uncategorized" the default category).
fn freshrss_export(feeds: &[(&str, &[(&str, &str)])]) -> String {
    let mut body = String::new();
    for (category, outlines) in feeds {
        body.push_str(&format!("\t\t<outline text=\"{category}\">\n"));
        for (text, url) in *outlines {
            body.push_str(&format!(
                "\t\t\t<outline text=\"{text}\" type=\"rss\" xmlUrl=\"{url}\" htmlUrl=\"https://example.org/\" title=\"{text}\" description=\"\" frss:cssFullContent=\"article\"/>\n"
            ));
        }
        body.push_str("\t\t</outline>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\" xmlns:frss=\"https://freshrss.org/opml\">\n\
         \t<head>\n\t\t<title>FreshRSS</title>\n\t\t<dateCreated>Mon, 01 Jun 2026 10:00:00 +0000</dateCreated>\n\t</head>\n\
         \t<body>\n{body}\t</body>\n</opml>\n"
    )
}

/// Runs `showfeed --config CONFIG opml import [args]`, returning stdout, stderr and success.
fn import(config: &Path, args: &[&str]) -> (String, String, bool) {
    let out = showfeed()
        .args(["--config", config.to_str().unwrap(), "opml", "import"])
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.success(),
    )
}

/// The line of `out` for the added feed `id`, its fields split on runs of two spaces.
fn added<'a>(out: &'a str, id: &str) -> Vec<&'a str> {
    let line = out
        .lines()
        .find(|l| l.split_whitespace().take(2).eq(["+", id]))
        .unwrap_or_else(|| panic!("no line for {id} in:\n{out}"));
    line[2..]
        .split("  ")
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect()
}

async fn get(url: &str) -> (u16, String) {
    let r = reqwest::get(url).await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Entry titles of an Atom document, sorted.
fn titles(atom: &str) -> Vec<String> {
    let feed = feed_rs::parser::parse(atom.as_bytes()).expect("Atom parses");
    let mut t: Vec<String> = feed
        .entries
        .into_iter()
        .map(|e| e.title.unwrap().content)
        .collect();
    t.sort();
    t
}

fn polled_ok(status: &serde_json::Value, ids: &[&str]) -> bool {
    let Some(rows) = status["feeds"].as_array() else {
        return false;
    };
    ids.iter().all(|id| {
        rows.iter()
            .any(|f| f["id"] == *id && f["last_success"].is_string())
    })
}

/// Miniflux's categories become tags in feeds.toml (comments kept); a variant of a known URL
/// is skipped with the id that has it; the running daemon reloads on its own, polls the new
/// feeds and serves every tag at `/tags/<tag>` and `?tag=`, with a story whose copy comes
/// from a tagged feed included; the index page lists the tags and `/opml` exports folders.
#[tokio::test(flavor = "multi_thread")]
async fn a_miniflux_export_becomes_tags_the_running_daemon_serves() {
    let server = FixtureServer::start().await;
    let squid = (
        "Squid Game season 3 trailer arrives",
        "https://variety.example/squid",
    );
    let feeds: [(&str, Vec<u8>); 4] = [
        (
            "/variety.rss",
            rss(
                "Variety",
                &[squid, ("Severance renewed", "https://variety.example/sev")],
            ),
        ),
        // The same article as Variety's: one story, its copy from a tagged feed.
        (
            "/soompi.rss",
            rss(
                "Soompi",
                &[
                    ("Queen of Tears cast reunites", "https://soompi.example/q"),
                    squid,
                ],
            ),
        ),
        (
            "/herald.rss",
            rss(
                "코리아헤럴드 연예",
                &[(
                    "Kim Soo-hyun joins Disney thriller Knock-Off",
                    "https://herald.example/m",
                )],
            ),
        ),
        (
            "/ann.rss",
            rss(
                "Anime News Network",
                &[(
                    "Frieren anime sets January premiere",
                    "https://ann.example/f",
                )],
            ),
        ),
    ];
    for (path, body) in feeds {
        server.route(path, Route::ok(body, "application/rss+xml"));
    }
    let port = free_port();
    let variety = server.url("/variety.rss");
    let setup = write_config(&[("variety", variety.clone())], port, "# trades first");
    let mut daemon = Daemon::start(&setup, port);
    let base = daemon.base.clone();
    wait_until("variety polled", async || {
        try_status(&base)
            .await
            .is_some_and(|st| polled_ok(&st, &["variety"]))
    })
    .await;

    let (soompi, herald, ann) = (
        server.url("/soompi.rss"),
        server.url("/herald.rss"),
        server.url("/ann.rss"),
    );
    let tracked = format!("{variety}?utm_source=miniflux&utm_medium=feed");
    let long = "ANN: Daily anime news, reviews and convention coverage from the whole world";
    let opml = miniflux_export(&[
        ("All", &[("Variety", "Variety", tracked.as_str())]),
        (
            "K-Drama",
            &[
                ("Soompi", "Soompi", soompi.as_str()),
                ("코리아헤럴드 연예", "코리아헤럴드 연예", herald.as_str()),
            ],
        ),
        (
            "Anime &amp; Manga",
            &[("Anime News Network", long, ann.as_str())],
        ),
    ]);
    let file = setup.dir.path().join("miniflux.opml");
    std::fs::write(&file, opml).unwrap();
    let (out, err, ok) = import(&setup.config, &[file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(added(&out, "soompi"), ["soompi", &soompi, "[k-drama]"]);
    // A Korean title gives the host (here a loopback address) instead of a romanization.
    assert_eq!(
        added(&out, "127-0-0-1"),
        ["127-0-0-1", &herald, "[k-drama]"]
    );
    let title = format!("title {long:?}");
    assert_eq!(added(&out, "ann"), ["ann", &ann, "[anime-manga]", &title]);
    let skip = format!("= {tracked}  skipped: already in feeds.toml as variety ({variety})");
    assert!(out.lines().any(|l| l == skip), "{out}");
    assert!(
        !out.contains("note:"),
        "no added feed is in the default folder: {out}"
    );
    assert!(out.ends_with(": 3 feeds added, 1 skipped\n"), "{out}");

    let text = std::fs::read_to_string(&setup.config).unwrap();
    assert!(text.contains("# trades first\n"), "comments kept:\n{text}");
    assert!(text.contains("# imported from miniflux.opml on "), "{text}");
    assert!(
        text.contains(&format!(
            "[[feed]]\nid = \"soompi\"\nurl = \"{soompi}\"\ntags = [\"k-drama\"]\n"
        )),
        "{text}"
    );
    let config = Config::load(&setup.config, None).unwrap();
    assert_eq!(config.tag("k-drama").unwrap(), ["soompi", "127-0-0-1"]);
    assert_eq!(config.feed("ann").unwrap().title.as_deref(), Some(long));

    // The daemon sees the file change, reloads, polls the new feeds.
    wait_until("the imported feeds polled", async || {
        try_status(&base)
            .await
            .is_some_and(|st| polled_ok(&st, &["soompi", "127-0-0-1", "ann"]))
    })
    .await;
    let (status, atom) = get(&format!("{base}/tags/k-drama.atom")).await;
    assert_eq!(status, 200, "{atom}");
    assert_eq!(
        titles(&atom),
        [
            "Kim Soo-hyun joins Disney thriller Knock-Off",
            "Queen of Tears cast reunites",
            "Squid Game season 3 trailer arrives",
        ],
        "every story with a copy from a k-drama feed, Variety's story included"
    );
    assert!(atom.contains("/tags/k-drama.atom"), "its self link");
    // One story, told first by Variety (polled before the import): under Variety's id in
    // the merged feed, in Variety's feed and in the tag's.
    let squid_id = |atom: &str| -> Vec<String> {
        let feed = feed_rs::parser::parse(atom.as_bytes()).unwrap();
        feed.entries
            .into_iter()
            .filter(|e| e.title.as_ref().unwrap().content == squid.0)
            .map(|e| e.id)
            .collect()
    };
    let (_, merged) = get(&format!("{base}/feed.atom")).await;
    let (_, from_variety) = get(&format!("{base}/sources/variety.atom")).await;
    let one = squid_id(&merged);
    assert_eq!(one.len(), 1, "one entry per story: {merged}");
    assert_eq!(squid_id(&from_variety), one);
    assert_eq!(squid_id(&atom), one);
    let (status, rss_doc) = get(&format!("{base}/tags/K-Drama.rss")).await;
    assert_eq!(status, 200, "tags match in any case");
    assert!(rss_doc.contains("Queen of Tears"));
    let (status, json) = get(&format!("{base}/tags/anime-manga.json")).await;
    assert_eq!(status, 200);
    assert!(json.contains("Frieren anime sets January premiere"));

    for (query, want) in [
        (
            "tag=anime-manga",
            &["Frieren anime sets January premiere"][..],
        ),
        (
            "tag=anime-manga&tag=K-Drama",
            &[
                "Frieren anime sets January premiere",
                "Kim Soo-hyun joins Disney thriller Knock-Off",
                "Queen of Tears cast reunites",
                "Squid Game season 3 trailer arrives",
            ],
        ),
        (
            "tag=k-drama&q=season",
            &["Squid Game season 3 trailer arrives"],
        ),
        (
            "tag=k-drama&source=soompi",
            &[
                "Queen of Tears cast reunites",
                "Squid Game season 3 trailer arrives",
            ],
        ),
    ] {
        let (status, atom) = get(&format!("{base}/feed.atom?{query}")).await;
        assert_eq!(status, 200, "{query}: {atom}");
        assert_eq!(titles(&atom), want, "{query}");
    }
    let (status, body) = get(&format!("{base}/tags/nope.atom")).await;
    assert_eq!(status, 404);
    assert!(body.contains("no feed has the tag \"nope\""), "{body}");
    let (status, body) = get(&format!("{base}/feed.atom?tag=nope")).await;
    assert_eq!(status, 400);
    assert!(body.contains("`tag`"), "{body}");

    let (_, page) = get(&format!("{base}/")).await;
    assert!(page.contains("<h2>Tags</h2>"), "{page}");
    assert!(page.contains("href=\"/tags/k-drama.atom\""));
    assert!(page.contains("href=\"/tags/anime-manga.json\""));
    let (_, exported) = get(&format!("{base}/opml")).await;
    assert!(
        exported.contains("<outline text=\"k-drama\" title=\"k-drama\">"),
        "{exported}"
    );
    assert!(exported.contains("category=\"/anime-manga\""));
    assert!(daemon.sigterm().success());
}

/// FreshRSS's categories, every spelling of a known feed's URL skipped with the id that has
/// it (http vs https, `www.`, a trailing slash, tracking parameters), a feed listed twice, a
/// URL that cannot be polled; ids from long titles (cut at a word, or before a tagline) and
/// from Korean ones (the host's name, `-2` when taken); a renamed feed keeps its name; new
/// feeds go after the last `[[feed]]` with every comment kept; importing again adds nothing.
#[test]
fn a_freshrss_export_skips_known_feeds_and_makes_readable_ids() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        "# showfeed config\n[server]\ntitle = \"My shows\"\n\n\
         [[feed]]\nid = \"variety-tv\" # trades\nurl = \"https://variety.com/v/tv/feed/\"\n\n\
         [[feed]]\nid = \"soompi\"\nurl = \"https://www.soompi.com/feed\"\n\n\
         [[feed]]\nid = \"yna\"\nurl = \"https://www.yna.co.kr/rss/news.xml\"\n\n\
         # Shows\n[[show]]\nname = \"Squid Game\"\n",
    )
    .unwrap();
    let opml = freshrss_export(&[
        (
            "Uncategorized",
            &[
                ("Variety", "http://www.variety.com/v/tv/feed"),
                ("Deadline", "https://deadline.com/feed/"),
            ],
        ),
        (
            "K-Drama",
            &[
                (
                    "Soompi",
                    "https://soompi.com/feed/?utm_source=freshrss&amp;utm_medium=rss",
                ),
                ("연합뉴스 연예", "https://www.yna.co.kr/rss/entertainment.xml"),
            ],
        ),
        (
            "Reviews",
            &[
                (
                    "The Hollywood Reporter Television Reviews and Recaps",
                    "https://www.hollywoodreporter.com/c/tv/tv-reviews/feed/",
                ),
                (
                    "Crunchyroll News: The latest anime news, reviews and announcements",
                    "https://www.crunchyroll.com/news/rss",
                ),
                ("Soompi (again)", "http://soompi.com/feed"),
                ("Gopher news", "gopher://example.com/feed"),
            ],
        ),
        (
            "Anime",
            &[(
                "THR TV",
                "http://hollywoodreporter.com/c/tv/tv-reviews/feed?utm_campaign=x",
            )],
        ),
    ])
    // A feed renamed in FreshRSS: `text` is the user's name, `title` the feed's own.
    .replace(
        "<outline text=\"Crunchyroll News",
        "<outline text=\"My K-news\" type=\"rss\" xmlUrl=\"https://www.koreaherald.com/rss/ent\" title=\"The Korea Herald\"/>\n\t\t\t<outline text=\"Crunchyroll News",
    );
    let file = dir.path().join("freshrss.opml");
    std::fs::write(&file, &opml).unwrap();
    let (out, err, ok) = import(&config, &[file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(
        added(&out, "deadline"),
        ["deadline", "https://deadline.com/feed/"],
        "no tag from the default folder"
    );
    assert_eq!(
        added(&out, "yna-2"),
        [
            "yna-2",
            "https://www.yna.co.kr/rss/entertainment.xml",
            "[k-drama]"
        ]
    );
    assert_eq!(
        added(&out, "the-hollywood-reporter"),
        [
            "the-hollywood-reporter",
            "https://www.hollywoodreporter.com/c/tv/tv-reviews/feed/",
            "[reviews]"
        ]
    );
    assert_eq!(
        added(&out, "my-k-news"),
        [
            "my-k-news",
            "https://www.koreaherald.com/rss/ent",
            "[reviews]",
            "title \"My K-news\""
        ]
    );
    assert_eq!(
        added(&out, "crunchyroll-news"),
        [
            "crunchyroll-news",
            "https://www.crunchyroll.com/news/rss",
            "[reviews]"
        ]
    );
    for line in [
        "= http://www.variety.com/v/tv/feed  skipped: already in feeds.toml as variety-tv (https://variety.com/v/tv/feed/)",
        "= https://soompi.com/feed/?utm_source=freshrss&utm_medium=rss  skipped: already in feeds.toml as soompi (https://www.soompi.com/feed)",
        "= http://soompi.com/feed  skipped: already in feeds.toml as soompi (https://www.soompi.com/feed)",
        "= http://hollywoodreporter.com/c/tv/tv-reviews/feed?utm_campaign=x  skipped: listed earlier in this file, as the-hollywood-reporter",
        "! gopher://example.com/feed  skipped: cannot be polled: scheme \"gopher\" is not http, https or file",
        "note: folder \"Uncategorized\" gives no tag (a reader's default folder)",
    ] {
        assert!(out.lines().any(|l| l == line), "{line}\nnot in:\n{out}");
    }
    assert!(
        out.ends_with("feeds.toml: 5 feeds added, 5 skipped\n"),
        "{out}"
    );

    let text = std::fs::read_to_string(&config).unwrap();
    for comment in [
        "# showfeed config\n",
        "\"variety-tv\" # trades\n",
        "# Shows\n[[show]]",
    ] {
        assert!(text.contains(comment), "{comment:?} kept:\n{text}");
    }
    assert!(
        text.find("id = \"crunchyroll-news\"").unwrap() < text.find("# Shows").unwrap(),
        "new feeds follow the last [[feed]]:\n{text}"
    );
    let loaded = Config::load(&config, None).unwrap();
    let ids: Vec<&str> = loaded.feeds.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "variety-tv",
            "soompi",
            "yna",
            "deadline",
            "yna-2",
            "the-hollywood-reporter",
            "my-k-news",
            "crunchyroll-news"
        ]
    );
    assert!(ids.iter().all(|id| id.len() <= 32));
    assert_eq!(loaded.tag("reviews").unwrap().len(), 3);
    assert_eq!(
        loaded.feed("yna-2").unwrap().title,
        None,
        "text = title: no override"
    );

    // Everything is known now: nothing is added, each skip names its id.
    let (out, err, ok) = import(&config, &[file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains(
        "= https://www.yna.co.kr/rss/entertainment.xml  skipped: already in feeds.toml as yna-2 ("
    ));
    assert!(out.ends_with(": 0 feeds added, 10 skipped\n"), "{out}");
    assert!(!out.contains("note:"), "{out}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text);
}

/// What is not an OPML list of feeds is refused with what it is, and feeds.toml is left
/// exactly as it was.
#[test]
fn a_file_that_is_not_opml_is_refused_with_what_it_is() {
    let setup = write_config(&[("a", "https://a.example/feed".into())], 8080, "");
    let before = std::fs::read(&setup.config).unwrap();
    let cases: [(&str, &[u8], &str); 8] = [
        (
            "page.html",
            b"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Miniflux</title></head><body>",
            "this is an HTML page, not an OPML file: export the subscriptions from the reader as OPML",
        ),
        (
            "feed.xml",
            &rss("Variety", &[("x", "https://variety.example/x")]),
            "this is an RSS feed, not an OPML file: to poll it, add its URL to feeds.toml as a [[feed]]",
        ),
        (
            "atom.xml",
            b"<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>x</title></feed>",
            "this is an Atom feed, not an OPML file",
        ),
        (
            "garbage.bin",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\xfd",
            "this is not a text file",
        ),
        (
            "notes.txt",
            b"my feeds: variety, deadline\n",
            "this is plain text (it starts with \"my feeds: variety, deadline\"), not an OPML file",
        ),
        (
            "empty.opml",
            b"<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><head><title>Empty</title></head><body/></opml>\n",
            "this OPML file lists no feeds: it has no <outline> element",
        ),
        (
            "folders.opml",
            b"<opml version=\"1.0\"><body><outline text=\"K-Drama\"></outline><outline text=\"Anime\"/></body></opml>",
            "this OPML file lists no feeds: none of its 2 <outline> elements has an xmlUrl",
        ),
        (
            "cut.opml",
            b"<opml version=\"2.0\"><body>\n<outline text=\"TV\">\n<outline text=\"a\" xmlUrl=\"https://b.example/feed\"/>\n",
            "this is not well-formed XML: the file ends inside <outline> (is it cut short?) (line 4, column 1)",
        ),
    ];
    for (name, bytes, want) in cases {
        let file = setup.dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let (out, err, ok) = import(&setup.config, &[file.to_str().unwrap()]);
        assert!(!ok, "{name} refused; stdout: {out}");
        assert!(
            out.is_empty(),
            "{name}: nothing reported as imported: {out}"
        );
        let expected = format!("showfeed: error: cannot import {}: {want}", file.display());
        assert!(
            err.contains(&expected),
            "{name}:\n{err}\nwanted: {expected}"
        );
        assert!(!err.contains("0 feeds added"), "{err}");
        assert_eq!(std::fs::read(&setup.config).unwrap(), before, "{name}");
    }
}

/// `--dry-run` prints what the import would add (ids, URLs, tags, titles) and skip, the same
/// lines the real import prints afterwards, and leaves feeds.toml byte for byte as it was.
#[test]
fn dry_run_prints_the_import_and_changes_nothing() {
    let setup = write_config(
        &[("soompi", "https://www.soompi.com/feed".into())],
        8080,
        "",
    );
    let before = std::fs::read(&setup.config).unwrap();
    let modified = std::fs::metadata(&setup.config)
        .unwrap()
        .modified()
        .unwrap();
    let opml = miniflux_export(&[
        (
            "K-Drama",
            &[
                ("Soompi", "Soompi", "http://soompi.com/feed/"),
                (
                    "Dramabeans",
                    "My dramas",
                    "https://www.dramabeans.com/feed/",
                ),
            ],
        ),
        (
            "Anime",
            &[(
                "Anime News Network",
                "Anime News Network",
                "https://www.animenewsnetwork.com/all/rss.xml",
            )],
        ),
    ]);
    let file = setup.dir.path().join("subscriptions.opml");
    std::fs::write(&file, opml).unwrap();
    let (dry, err, ok) = import(&setup.config, &["--dry-run", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(
        std::fs::read(&setup.config).unwrap(),
        before,
        "byte-identical"
    );
    assert_eq!(
        std::fs::metadata(&setup.config)
            .unwrap()
            .modified()
            .unwrap(),
        modified
    );
    let mut names: Vec<String> = std::fs::read_dir(setup.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["feeds.toml", "subscriptions.opml"],
        "no temporary file left"
    );
    assert!(dry.starts_with(&format!(
        "dry run: {} is not changed\n",
        setup.config.display()
    )));
    assert_eq!(
        added(&dry, "my-dramas"),
        [
            "my-dramas",
            "https://www.dramabeans.com/feed/",
            "[k-drama]",
            "title \"My dramas\""
        ]
    );
    assert!(dry.contains(
        "= http://soompi.com/feed/  skipped: already in feeds.toml as soompi (https://www.soompi.com/feed)"
    ));
    assert!(
        dry.ends_with(": 2 feeds would be added, 1 skipped\n"),
        "{dry}"
    );

    let (real, err, ok) = import(&setup.config, &[file.to_str().unwrap()]);
    assert!(ok, "{err}");
    let body = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with(['+', '=', '!']))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        body(&dry),
        body(&real),
        "the dry run showed what the import did"
    );
    assert_eq!(body(&real).len(), 3);
    assert_ne!(std::fs::read(&setup.config).unwrap(), before);
}

/// `opml export` puts each tagged feed in the folder of its first tag (all tags in
/// `category`); imported into another feeds.toml, every feed keeps its tags and title, and
/// imported back into its own, nothing is added.
#[test]
fn export_then_import_keeps_tags_and_titles() {
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("feeds.toml");
    std::fs::write(
        &original,
        "[[feed]]\nid = \"soompi\"\nurl = \"https://www.soompi.com/feed\"\ntags = [\"k-drama\", \"k-pop\"]\n\n\
         [[feed]]\nid = \"variety\"\nurl = \"https://variety.com/feed/\"\n\n\
         [[feed]]\nid = \"ann\"\nurl = \"https://www.animenewsnetwork.com/all/rss.xml\"\ntitle = \"ANN\"\ntags = [\"anime\"]\n\n\
         [[feed]]\nid = \"dramabeans\"\nurl = \"https://www.dramabeans.com/feed/\"\ntags = [\"k-drama\"]\n",
    )
    .unwrap();
    let out = showfeed()
        .args(["--config", original.to_str().unwrap(), "opml", "export"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported = String::from_utf8(out.stdout).unwrap();
    assert!(!dir.path().join("data").exists(), "export created no store");
    let outlines = showfeed::opml::outlines(&exported).unwrap();
    let folders: Vec<(&str, &[String])> = outlines
        .iter()
        .map(|o| (o.url.as_str(), o.folders.as_slice()))
        .collect();
    let k = ["k-drama".to_owned()];
    let a = ["anime".to_owned()];
    assert_eq!(
        folders,
        [
            ("https://www.soompi.com/feed", &k[..]),
            ("https://www.dramabeans.com/feed/", &k[..]),
            ("https://variety.com/feed/", &[][..]),
            ("https://www.animenewsnetwork.com/all/rss.xml", &a[..]),
        ],
        "one folder per first tag, where its first feed is:\n{exported}"
    );

    let other = dir.path().join("other.toml");
    std::fs::write(
        &other,
        "[[feed]]\nid = \"deadline\"\nurl = \"https://deadline.com/feed/\"\n",
    )
    .unwrap();
    let file = dir.path().join("export.opml");
    std::fs::write(&file, &exported).unwrap();
    let (out, err, ok) = import(&other, &[file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.ends_with(": 4 feeds added, 0 skipped\n"), "{out}");
    let before = Config::load(&original, None).unwrap();
    let after = Config::load(&other, None).unwrap();
    for f in &before.feeds {
        let g = after
            .feeds
            .iter()
            .find(|g| g.url == f.url)
            .unwrap_or_else(|| panic!("{} imported", f.url));
        assert_eq!(g.tags, f.tags, "{}", f.id);
        assert_eq!(g.title, f.title, "{}", f.id);
    }
    assert_eq!(
        after.tags.keys().collect::<Vec<_>>(),
        ["anime", "k-drama", "k-pop"]
    );

    let text = std::fs::read(&original).unwrap();
    let (out, err, ok) = import(&original, &[file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.ends_with(": 0 feeds added, 4 skipped\n"), "{out}");
    assert!(out.contains("skipped: already in feeds.toml as ann ("));
    assert_eq!(std::fs::read(&original).unwrap(), text);
}

/// With the daemon running (file watch off), `showfeed check` lists what an import changes,
/// tags included; SIGHUP applies it and the new tag is served.
#[tokio::test(flavor = "multi_thread")]
async fn check_lists_tag_changes_and_a_reload_serves_them() {
    let server = FixtureServer::start().await;
    server.route(
        "/a.rss",
        Route::ok(
            rss("A", &[("Squid Game renewed", "https://a.example/1")]),
            "application/rss+xml",
        ),
    );
    server.route(
        "/b.rss",
        Route::ok(
            rss(
                "B",
                &[("Frieren anime sets January premiere", "https://b.example/1")],
            ),
            "application/rss+xml",
        ),
    );
    let port = free_port();
    let setup = write_config(&[("a", server.url("/a.rss"))], port, "");
    let daemon = Daemon::start_with(&setup, port, &[("SHOWFEED_WATCH", "off")]);
    let base = daemon.base.clone();
    wait_until("a polled", async || {
        try_status(&base)
            .await
            .is_some_and(|st| polled_ok(&st, &["a"]))
    })
    .await;
    let b = server.url("/b.rss");
    let file = setup.dir.path().join("b.opml");
    std::fs::write(
        &file,
        miniflux_export(&[("Anime", &[("Anime Corner", "Anime Corner", b.as_str())])]),
    )
    .unwrap();
    run_ok(&[
        "--config",
        setup.config.to_str().unwrap(),
        "opml",
        "import",
        file.to_str().unwrap(),
    ]);
    let check = |config: &Path| {
        let out = run_ok(&["--config", config.to_str().unwrap(), "check"]);
        String::from_utf8(out.stdout).unwrap()
    };
    let report = check(&setup.config);
    for line in [
        "+ feed anime-corner (polled now)",
        "+ tag anime (anime-corner)",
    ] {
        assert!(report.lines().any(|l| l == line), "{line} in:\n{report}");
    }
    let (status, _) = get(&format!("{base}/tags/anime.atom")).await;
    assert_eq!(status, 404, "not before the reload");

    daemon.signal("-HUP");
    wait_until("the imported feed polled", async || {
        try_status(&base)
            .await
            .is_some_and(|st| polled_ok(&st, &["anime-corner"]))
    })
    .await;
    let (status, atom) = get(&format!("{base}/tags/anime.atom")).await;
    assert_eq!(status, 200);
    assert_eq!(titles(&atom), ["Frieren anime sets January premiere"]);
    // `feed --tag` (through the daemon, which holds the store) prints the same selection.
    let out = run_ok(&[
        "--config",
        setup.config.to_str().unwrap(),
        "feed",
        "--tag",
        "anime",
    ]);
    assert_eq!(
        titles(&String::from_utf8(out.stdout).unwrap()),
        ["Frieren anime sets January premiere"]
    );

    // A tag added to a feed by hand is a change of that feed.
    let text = std::fs::read_to_string(&setup.config).unwrap();
    let a = format!("id = \"a\"\nurl = \"{}\"\n", server.url("/a.rss"));
    std::fs::write(
        &setup.config,
        text.replace(&a, &format!("{a}tags = [\"anime\", \"renewals\"]\n")),
    )
    .unwrap();
    let report = check(&setup.config);
    for line in [
        "~ feed a: tags (none) -> anime, renewals",
        "+ tag renewals (a)",
    ] {
        assert!(report.lines().any(|l| l == line), "{line} in:\n{report}");
    }
}
