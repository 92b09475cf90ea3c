//! Feed discovery on 130 saved real web pages (Mozilla's readability suite, read in place
//! through `$SHOWFEED_READABILITY`): every page is served on loopback, `discover` runs on
//! it as `showfeed add` does, and what it finds is compared with an independent reference,
//! Python's `html.parser` (tests/clients/discover_reference.py). Links that resolve to the
//! loopback site are served as feeds and must be confirmed; links to other sites cannot be
//! reached from here and must be offered as found but unreachable; a page with no link must
//! fall back to the well-known paths, of which this site serves `/feed/`.
//! The figures are printed (`--nocapture`) for BENCHMARKS.md.

use std::collections::BTreeSet;

use url::Url;

use crate::support::*;

fn rss() -> Vec<u8> {
    b"<rss version=\"2.0\"><channel><title>Site feed</title><link>https://x.example/</link>\
      <item><title>One</title><link>https://x.example/1</link></item></channel></rss>"
        .to_vec()
}

#[tokio::test(flavor = "multi_thread")]
async fn discovery_on_saved_real_pages_matches_an_html_parser() {
    let Some(dir) = std::env::var_os("SHOWFEED_READABILITY") else {
        skip_unless_ci(
            "SHOWFEED_READABILITY is not set (the saved pages)",
            "SHOWFEED_READABILITY must be set under CI (.ci/run sets it)",
        );
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let pages = if dir.join("test-pages").is_dir() {
        dir.join("test-pages")
    } else {
        dir
    };
    if !have_tool("python3", &["-c", "import html.parser"]) {
        return;
    }
    let out = std::process::Command::new("python3")
        .arg(clients_dir().join("discover_reference.py"))
        .arg(&pages)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reference: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&out.stdout).unwrap();

    let server = FixtureServer::start().await;
    server.route("/feed/", Route::ok(rss(), "application/rss+xml"));
    let config = showfeed::config::Config::parse(
        "[[feed]]\nid = \"x\"\nurl = \"https://x.example/\"\n",
        std::path::Path::new("feeds.toml"),
    )
    .unwrap();
    let fetcher = showfeed::fetch::Fetcher::new(&config.polling).unwrap();
    // Every page at /<name>/page, and a feed wherever its links resolve on this site.
    let mut expected = Vec::new();
    for (name, r) in &reference {
        let html = std::fs::read(pages.join(name).join("source.html")).unwrap();
        let page_url = Url::parse(&server.url(&format!("/{name}/page"))).unwrap();
        server.route(page_url.path(), Route::ok(html, "text/html"));
        let base = match r["base"].as_str() {
            Some(b) => page_url.join(b).unwrap_or(page_url.clone()),
            None => page_url.clone(),
        };
        let mut urls = BTreeSet::new();
        for f in r["feeds"].as_array().unwrap() {
            let Ok(u) = base.join(f[0].as_str().unwrap()) else {
                continue;
            };
            if !matches!(u.scheme(), "http" | "https") {
                continue;
            }
            if u.host_str() == Some("127.0.0.1") && u.path() != "/feed/" {
                server.route(u.path(), Route::ok(rss(), "application/rss+xml"));
            }
            urls.insert(u.to_string());
        }
        expected.push((name.clone(), page_url, urls));
    }

    let (mut same, mut with_links, mut links, mut confirmed, mut fallback) = (0, 0, 0, 0, 0);
    let mut differ = Vec::new();
    for (name, page_url, want) in &expected {
        let found = showfeed::discover::discover(&fetcher, page_url, true)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let alternates: BTreeSet<String> = found
            .candidates
            .iter()
            .filter(|c| c.via == showfeed::discover::Via::Alternate)
            .map(|c| c.url.to_string())
            .collect();
        // At most MAX_CANDIDATES of a page's links are tried.
        let want: BTreeSet<String> = want
            .iter()
            .take(showfeed::discover::MAX_CANDIDATES)
            .cloned()
            .collect();
        if want.is_empty() {
            // The site serves /feed/, and every root path that some page links to.
            match found.chosen() {
                Some(c) if c.via == showfeed::discover::Via::WellKnown && c.result.is_ok() => {
                    fallback += 1;
                }
                other => differ.push(format!(
                    "{name}: no links, and no well-known path was found ({:?})",
                    other.map(|c| c.url.as_str())
                )),
            }
        } else {
            with_links += 1;
            links += want.len();
            confirmed += found
                .candidates
                .iter()
                .filter(|c| c.via == showfeed::discover::Via::Alternate && c.result.is_ok())
                .count();
        }
        if alternates.iter().take(want.len()).eq(want.iter()) || alternates == want {
            same += 1;
        } else {
            differ.push(format!(
                "{name}: found {alternates:?}, the HTML parser {want:?}"
            ));
        }
    }
    let local: usize = expected
        .iter()
        .map(|(_, _, w)| w.iter().filter(|u| u.contains("127.0.0.1")).count())
        .sum();
    eprintln!(
        "discovery on {} saved pages: same links as html.parser on {same}; {with_links} pages \
         link {links} feeds ({local} on their own site, {confirmed} confirmed by fetching); \
         {fallback} of the pages without links found a well-known path",
        expected.len()
    );
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    assert_eq!(
        confirmed, local,
        "every link to this site is fetched and parsed"
    );
}
