//! Feed images: a document of one source carries that source's icon and logo (made
//! absolute; a missing icon is its site's `/favicon.ico`), every other document carries
//! showfeed's own, which the server serves; in Atom (`<icon>`, `<logo>`), JSON Feed
//! (`favicon`, `icon`) and RSS (`<image>`).

use crate::support::*;

const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>With icons</title><id>urn:x</id>
<updated>2026-06-01T00:00:00Z</updated><link rel="alternate" href="https://icons.example/"/>
<icon>/img/fav.png</icon><logo>https://cdn.example/logo.png</logo>
<entry><title>One</title><id>urn:x:1</id><updated>2026-06-01T00:00:00Z</updated>
<link href="https://icons.example/1"/></entry></feed>"#;

const RSS_IMAGE: &str = r#"<rss version="2.0"><channel><title>Image</title>
<link>https://image.example/news/</link><description>d</description>
<image><url>https://img.example/x.png</url><title>Image</title><link>https://image.example/</link></image>
<item><title>Two</title><link>https://image.example/2</link></item></channel></rss>"#;

const RSS_PLAIN: &str = r#"<rss version="2.0"><channel><title>Plain</title>
<link>https://plain.example/tv/</link><description>d</description>
<item><title>Three</title><link>https://plain.example/3</link></item></channel></rss>"#;

async fn json(base: &str, path: &str) -> serde_json::Value {
    reqwest::get(format!("{base}{path}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn text(base: &str, path: &str) -> String {
    reqwest::get(format!("{base}{path}"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn documents_carry_their_sources_images_or_showfeeds() {
    let server = FixtureServer::start().await;
    server.route("/icons", Route::ok(ATOM.into(), "application/atom+xml"));
    server.route("/image", Route::ok(RSS_IMAGE.into(), "application/rss+xml"));
    server.route("/plain", Route::ok(RSS_PLAIN.into(), "application/rss+xml"));
    let setup = write_config(
        &[
            ("icons", server.url("/icons")),
            ("image", server.url("/image")),
            ("plain", server.url("/plain")),
        ],
        1,
        "",
    );
    let h = Harness::open(&setup);
    h.poll().await;
    let serving = h.serve().await;
    let base = &serving.base;

    let icons = json(base, "/sources/icons.json").await;
    assert_eq!(
        icons["favicon"],
        server.url("/img/fav.png"),
        "relative to the feed"
    );
    assert_eq!(icons["icon"], "https://cdn.example/logo.png");
    let atom = text(base, "/sources/icons.atom").await;
    assert!(
        atom.contains(&format!("<icon>{}</icon>", server.url("/img/fav.png"))),
        "{atom}"
    );
    assert!(
        atom.contains("<logo>https://cdn.example/logo.png</logo>"),
        "{atom}"
    );

    let image = json(base, "/sources/image.json").await;
    assert_eq!(image["icon"], "https://img.example/x.png");
    assert_eq!(image["favicon"], "https://image.example/favicon.ico");
    let plain = json(base, "/sources/plain.json").await;
    assert_eq!(plain["favicon"], "https://plain.example/favicon.ico");
    assert_eq!(plain["icon"], "https://plain.example/favicon.ico");

    // The merged feed, a show's and a tag's: showfeed's own, which the server serves.
    let public = "http://127.0.0.1:1";
    let merged = json(base, "/feed.json").await;
    assert_eq!(merged["favicon"], format!("{public}/favicon.png"));
    assert_eq!(merged["icon"], format!("{public}/icon.png"));
    let rss = text(base, "/feed.rss").await;
    assert!(
        rss.contains(&format!(
            "<image><url>{public}/favicon.png</url><title>Test Feed</title><link>{public}/</link></image>"
        )),
        "{rss}"
    );
    for (path, side) in [
        ("/favicon.png", 64),
        ("/favicon.ico", 64),
        ("/icon.png", 512),
    ] {
        let r = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], "image/png", "{path}");
        let bytes = r.bytes().await.unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{path}");
        // IHDR: width and height, big-endian, at bytes 16..24.
        let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        assert_eq!((w, h), (side, side), "{path}");
    }
    let index = text(base, "/").await;
    assert!(index.contains(r#"<link rel="icon" type="image/png" href="/favicon.png">"#));
}
