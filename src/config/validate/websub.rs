//! Validation of `[websub]` into [`WebSub`]: hub URLs absolute http(s), durations in range.

use std::time::Duration;

use url::Url;

use super::{duration, Collector, DAY};
use crate::config::raw::RawConfig;
use crate::config::websub::{WebSub, DEFAULT_FALLBACK, DEFAULT_LEASE};

/// `[websub]`, or `None` (with the errors collected) when something in it is wrong.
pub(super) fn websub(raw: &RawConfig, c: &mut Collector<'_>) -> Option<WebSub> {
    let Some(w) = raw.websub.as_ref() else {
        return Some(WebSub::default());
    };
    let mut ok = true;
    let mut dur = |v: Option<&toml::Spanned<String>>, key, default, c: &mut Collector<'_>| {
        v.map_or(Some(default), |v| {
            duration(v, None, key, (Duration::from_secs(1), 365 * DAY), c)
        })
        .unwrap_or_else(|| {
            ok = false;
            default
        })
    };
    let lease = dur(w.lease.as_ref(), "lease", DEFAULT_LEASE, c);
    let fallback_interval = dur(
        w.fallback_interval.as_ref(),
        "fallback_interval",
        DEFAULT_FALLBACK,
        c,
    );
    let hubs = match &w.hub {
        None => Vec::new(),
        Some(v) => hubs(v, c).unwrap_or_else(|| {
            ok = false;
            Vec::new()
        }),
    };
    ok.then(|| WebSub {
        enabled: w.enabled.as_ref().is_some_and(|b| *b.get_ref()),
        hubs,
        lease,
        fallback_interval,
    })
}

/// `hub = "https://..."` or `hub = ["https://...", ...]`.
fn hubs(value: &toml::Spanned<toml::Value>, c: &mut Collector<'_>) -> Option<Vec<Url>> {
    let items: Vec<&toml::Value> = match value.get_ref() {
        toml::Value::Array(a) => a.iter().collect(),
        one => vec![one],
    };
    let mut out = Vec::new();
    for item in items {
        let parsed = item
            .as_str()
            .and_then(|s| Url::parse(s.trim()).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
        match parsed {
            Some(u) => out.push(u),
            None => {
                c.spanned(
                    value,
                    None,
                    format!("`hub` = {item} must be an absolute http(s) URL, or a list of them"),
                );
                return None;
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use std::path::Path;
    use std::time::Duration;

    const FEED: &str = "[[feed]]\nid = \"a\"\nurl = \"https://a.example/f\"\n";

    #[test]
    fn defaults_one_hub_or_many_and_precise_errors() {
        let c = Config::parse(FEED, Path::new("feeds.toml")).unwrap();
        assert!(!c.websub.enabled && c.websub.hubs.is_empty());
        assert_eq!(c.websub.fallback_interval, Duration::from_secs(6 * 3600));
        let one = format!(
            "[websub]\nenabled = true\nhub = \"https://hub.example/\"\nlease = \"1d\"\n{FEED}"
        );
        let c = Config::parse(&one, Path::new("feeds.toml")).unwrap();
        assert!(c.websub.enabled);
        assert_eq!(c.websub.hubs[0].as_str(), "https://hub.example/");
        assert_eq!(c.websub.lease, Duration::from_secs(86_400));
        let many =
            format!("[websub]\nhub = [\"https://a.example/\", \"http://b.example/h\"]\n{FEED}");
        let c = Config::parse(&many, Path::new("feeds.toml")).unwrap();
        assert_eq!(c.websub.hubs.len(), 2);
        let bad = format!(
            "[websub]\nhub = [\"ftp://x\"]\nfallback_interval = \"soon\"\nlaese = \"1d\"\n{FEED}"
        );
        let e = Config::parse(&bad, Path::new("feeds.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("feeds.toml:2:7") && e.contains("must be an absolute http(s) URL"),
            "{e}"
        );
        assert!(
            e.contains("`fallback_interval` = \"soon\" is not a duration"),
            "{e}"
        );
        assert!(e.contains("unknown key `laese` in [websub]"), "{e}");
    }
}
