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
