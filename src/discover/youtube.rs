//! YouTube pages and their feeds: a channel (`/channel/UC...`, or a `/@handle` page whose
//! canonical link is one) has `feeds/videos.xml?channel_id=`, a playlist (`/playlist?list=`,
//! a `/watch?v=...&list=` page) `feeds/videos.xml?playlist_id=`. The same URL forms Miniflux
//! derives; YouTube documents no other.

use url::Url;

/// Where YouTube serves feeds.
const FEEDS: &str = "https://www.youtube.com/feeds/videos.xml";

/// Whether `url` is on YouTube.
pub fn is_youtube(url: &Url) -> bool {
    url.host_str()
        .map(|h| h.to_ascii_lowercase())
        .is_some_and(|h| h == "youtube.com" || h.ends_with(".youtube.com"))
}

/// The feed of the YouTube channel or playlist page `url`; `None` for any other page.
pub fn feed_of(url: &Url) -> Option<Url> {
    if !is_youtube(url) {
        return None;
    }
    let path = url.path();
    if let Some(rest) = path.strip_prefix("/channel/") {
        let id = rest.split('/').next().unwrap_or_default();
        let valid = id.starts_with("UC")
            && id.len() > 2
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
        return valid.then(|| with_query("channel_id", id)).flatten();
    }
    if path.starts_with("/playlist") || path.starts_with("/watch") {
        let list = url
            .query_pairs()
            .find(|(k, _)| k == "list")
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.is_empty())?;
        return with_query("playlist_id", &list);
    }
    None
}

/// The feeds URL with one query parameter.
fn with_query(key: &str, value: &str) -> Option<Url> {
    let mut url = Url::parse(FEEDS).ok()?;
    url.query_pairs_mut().append_pair(key, value);
    Some(url)
}

/// A YouTube page's title without the site's suffix ("Netflix - YouTube" -> "Netflix").
pub fn page_name(title: &str) -> &str {
    title.strip_suffix(" - YouTube").unwrap_or(title).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(u: &str) -> Option<String> {
        feed_of(&Url::parse(u).unwrap()).map(|u| u.to_string())
    }

    #[test]
    fn channels_and_playlists() {
        assert_eq!(
            feed("https://www.youtube.com/channel/UCWOA1ZGywLbqmigxE4Qlvuw").as_deref(),
            Some("https://www.youtube.com/feeds/videos.xml?channel_id=UCWOA1ZGywLbqmigxE4Qlvuw")
        );
        assert_eq!(
            feed("https://youtube.com/channel/UCWOA1ZGywLbqmigxE4Qlvuw/videos").as_deref(),
            Some("https://www.youtube.com/feeds/videos.xml?channel_id=UCWOA1ZGywLbqmigxE4Qlvuw")
        );
        assert_eq!(
            feed("https://m.youtube.com/playlist?list=PLvahqwMqN4M0GRkZY8WkLZMb6Z-W7qbLA")
                .as_deref(),
            Some("https://www.youtube.com/feeds/videos.xml?playlist_id=PLvahqwMqN4M0GRkZY8WkLZMb6Z-W7qbLA")
        );
        assert_eq!(
            feed("https://www.youtube.com/watch?v=abc&list=PL1").as_deref(),
            Some("https://www.youtube.com/feeds/videos.xml?playlist_id=PL1")
        );
        assert_eq!(feed("https://www.youtube.com/@netflix"), None);
        assert_eq!(feed("https://www.youtube.com/watch?v=abc"), None);
        assert_eq!(feed("https://www.youtube.com/channel/XX"), None);
        assert_eq!(feed("https://notyoutube.com/channel/UCabc"), None);
        assert_eq!(page_name("Netflix - YouTube"), "Netflix");
    }
}
