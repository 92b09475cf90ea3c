//! Exact-duplicate keys for links: one key for every spelling of one article's URL.

use url::Url;

/// Whether query parameter `key` (with value `value`) only tracks or switches to AMP.
fn is_tracking(key: &str, value: &str) -> bool {
    let k = key.to_ascii_lowercase();
    if k == "outputtype" {
        // `?outputType=amp` is an AMP switch; other output types may be other documents.
        return value.eq_ignore_ascii_case("amp");
    }
    if k == "amp" {
        return matches!(value, "" | "1" | "true" | "yes");
    }
    crate::vocab::is_tracking_param(&k)
}

/// Hosts that serve many outlets under one name (video platforms, feed proxies, news
/// aggregators' redirects): there the feed stands for the outlet.
const SHARED_HOSTS: &[&str] = &[
    "dailymotion.com",
    "feedproxy.google.com",
    "feeds.feedburner.com",
    "medium.com",
    "news.google.com",
    "soundcloud.com",
    "vimeo.com",
    "youtu.be",
    "youtube.com",
];
/// Platforms whose subdomains are each an outlet (`name.substack.com`).
const SUBDOMAIN_HOSTS: &[&str] = &[
    "blogspot.com",
    "substack.com",
    "tumblr.com",
    "wordpress.com",
];
/// Second-level labels under which a country's outlets register (`bbc.co.uk`).
const SECOND_LEVEL: &[&str] = &["ac", "co", "com", "edu", "gov", "ne", "net", "or", "org"];

/// The outlet an item comes from: the site of its link (`edition.cnn.com` and `cnn.com` are
/// one outlet, `bbc.co.uk` keeps its country's second level), or `feed_id` when the link is
/// missing or on a platform that carries many outlets (a YouTube channel's feed is its
/// outlet). Two items of one outlet may be one story (a repeat, a second article on one
/// event) but are held to stricter rules than two outlets' copies.
pub fn outlet(link: Option<&str>, feed_id: &str) -> String {
    let host = link.and_then(|l| Url::parse(l.trim()).ok()).and_then(|u| {
        u.host_str()
            .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
    });
    let Some(host) = host.filter(|h| h.contains('.')) else {
        return format!("feed:{feed_id}");
    };
    let on = |base: &str| host == base || host.ends_with(&format!(".{base}"));
    if SHARED_HOSTS.iter().any(|b| on(b)) {
        return format!("feed:{feed_id}");
    }
    if SUBDOMAIN_HOSTS.iter().any(|b| on(b)) {
        return format!("site:{}", host.strip_prefix("www.").unwrap_or(&host));
    }
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    let keep = if n >= 3 && labels[n - 1].len() == 2 && SECOND_LEVEL.contains(&labels[n - 2]) {
        3
    } else {
        2
    };
    format!("site:{}", labels[n.saturating_sub(keep)..].join("."))
}

/// The exact-duplicate key of a link, or `None` when it is not an absolute http(s) URL.
///
/// Two links get one key when they differ only in:
/// - the scheme (`http` = `https`) and a default port (`:80`, `:443`);
/// - host case, a leading `www.` or an `amp.` subdomain;
/// - AMP variants: an `amp` path segment anywhere (`/amp/`, trailing `/amp`), a last
///   segment ending in `.amp` or `.amp.html`, `?outputType=amp`, `?amp=1`, `?amp`;
/// - a trailing slash, empty path segments, a final `index.html` / `index.php`;
/// - tracking parameters (`utm_*`, `fbclid`, `gclid`, `ref`, ... see the module source);
/// - the order of the remaining query parameters;
/// - the fragment.
///
/// The key is `host[:port]/path[?query]` (no scheme): not a URL to fetch, only to compare.
pub fn url_key(url: &str) -> Option<String> {
    let u = Url::parse(url.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let host = u.host_str()?.to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    let mut host = host.strip_prefix("www.").unwrap_or(host);
    host = host.strip_prefix("amp.").unwrap_or(host);
    if host.is_empty() {
        return None;
    }
    let mut key = String::with_capacity(url.len());
    key.push_str(host);
    if let Some(port) = u.port() {
        if port != 80 && port != 443 {
            key.push(':');
            key.push_str(&port.to_string());
        }
    }
    let segments: Vec<&str> = u
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty() && *s != "amp").collect())
        .unwrap_or_default();
    let last = segments.len().saturating_sub(1);
    for (i, seg) in segments.iter().enumerate() {
        let mut seg = *seg;
        if i == last {
            if matches!(seg, "index.html" | "index.htm" | "index.php") {
                continue;
            }
            if let Some(s) = seg.strip_suffix(".amp.html") {
                key.push('/');
                key.push_str(s);
                key.push_str(".html");
                continue;
            }
            seg = seg.strip_suffix(".amp").unwrap_or(seg);
        }
        key.push('/');
        key.push_str(seg);
    }
    if key.len() == host.len() {
        key.push('/');
    }
    if u.query().is_some() {
        let mut pairs: Vec<(String, String)> = u
            .query_pairs()
            .filter(|(k, v)| !k.is_empty() && !is_tracking(k, v))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if !pairs.is_empty() {
            pairs.sort();
            pairs.dedup();
            let query = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            key.push('?');
            key.push_str(&query);
        }
    }
    Some(key)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) {
        assert_eq!(url_key(a), url_key(b), "{a} vs {b}");
        assert!(url_key(a).is_some(), "{a}");
    }

    fn differ(a: &str, b: &str) {
        assert_ne!(url_key(a), url_key(b), "{a} vs {b}");
    }

    #[test]
    fn spellings_of_one_link_share_a_key() {
        let k = "https://variety.com/2025/tv/news/severance-renewed-season-3-1236344721/";
        same(
            k,
            "http://variety.com/2025/tv/news/severance-renewed-season-3-1236344721",
        );
        same(k, "https://www.Variety.com:443/2025/tv/news/severance-renewed-season-3-1236344721/?utm_source=rss&utm_medium=feed#respond");
        same(
            k,
            "https://variety.com/2025/tv/news/severance-renewed-season-3-1236344721/amp/",
        );
        same(
            k,
            "https://amp.variety.com/2025/tv/news/severance-renewed-season-3-1236344721",
        );
        same(
            k,
            "https://variety.com/2025/tv/news/severance-renewed-season-3-1236344721/?amp",
        );
        same(k, "https://variety.com/2025/tv/news/severance-renewed-season-3-1236344721/?amp=1&fbclid=IwAR0x");
        same(k, "http://variety.com:80/2025/tv/news/severance-renewed-season-3-1236344721?outputType=amp&ref=twitter");
        same(
            "https://www.soompi.com/article/1636524wpp/x?b=2&a=1",
            "https://soompi.com/article/1636524wpp/x/?a=1&b=2&mc_cid=ab12&pk_campaign=nl",
        );
        same(
            "https://www.animenewsnetwork.com/news/2024-09-27/frieren/.215392",
            "https://www.animenewsnetwork.com/amp/news/2024-09-27/frieren/.215392",
        );
        same(
            "https://example.com/story.amp.html",
            "https://example.com/story.html",
        );
        assert_eq!(
            url_key("https://WWW.Deadline.com"),
            Some("deadline.com/".into())
        );
    }

    #[test]
    fn different_articles_keep_different_keys() {
        differ("https://variety.com/a/", "https://variety.com/b/");
        differ("https://variety.com/a?id=5", "https://variety.com/a?id=6");
        differ("https://variety.com/A", "https://variety.com/a");
        differ("https://variety.com/a", "https://deadline.com/a");
        differ("https://variety.com:8443/a", "https://variety.com/a");
        differ("https://e.com/a?outputType=print", "https://e.com/a");
        differ("https://e.com/example", "https://e.com/ex");
    }

    #[test]
    fn non_http_links_have_no_key() {
        assert_eq!(url_key("ftp://e.com/a"), None);
        assert_eq!(url_key("file:///tmp/a"), None);
        assert_eq!(url_key("mailto:a@e.com"), None);
        assert_eq!(url_key("not a url"), None);
        assert_eq!(url_key("/relative/path"), None);
    }
}

#[cfg(test)]
mod outlet_tests {
    use super::outlet;

    #[test]
    fn the_outlet_is_the_site_or_the_feed() {
        let o = |l: &str| outlet(Some(l), "f");
        assert_eq!(
            o("https://edition.cnn.com/2020/05/14/x"),
            o("https://www.cnn.com/y")
        );
        assert_eq!(o("https://www.bbc.co.uk/news/x"), "site:bbc.co.uk");
        assert_ne!(
            o("https://www.bbc.co.uk/news/x"),
            o("https://www.nzherald.co.nz/x")
        );
        assert_eq!(o("https://www.nzherald.co.nz/nz/x"), "site:nzherald.co.nz");
        // A video platform carries many outlets: each channel's feed is its own.
        assert_eq!(o("https://www.youtube.com/watch?v=1"), "feed:f");
        assert_ne!(
            outlet(Some("https://www.youtube.com/watch?v=1"), "aljazeera"),
            outlet(Some("https://www.youtube.com/watch?v=2"), "abscbn")
        );
        assert_eq!(o("https://jane.substack.com/p/x"), "site:jane.substack.com");
        assert_eq!(outlet(None, "f"), "feed:f");
        assert_eq!(o("not a url"), "feed:f");
    }
}
