//! The publisher: after an ingest changed documents, tell each `[websub] hub` which topics
//! changed (`hub.mode=publish`), so subscribers of our feeds hear in seconds.
//!
//! Changes are noted by the store at each commit that added or updated entries (a poll
//! that changed nothing notes nothing, so it pings nothing). The loop waits for one, lets
//! a burst settle for [`COALESCE`], takes everything noted so far, and pings each changed
//! topic once per hub: the merged feed, each affected show, source and tag, and every
//! view, in every format, each at exactly the self URL its document carries. One request
//! per topic, naming it both as `hub.url` (the PubSubHubbub convention most hubs read, and
//! the one WebSub's examples show) and as `hub.topic` (what others, flask-websub among
//! them, read). A failed ping is retried with backoff; changes that arrive meanwhile are
//! coalesced into the next round.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::{info, warn};
use url::Url;

use super::WebSub;
use crate::config::{Config, FeedHttp};
use crate::errors::error_chain;
use crate::output::{DocKind, Format};
use crate::store::Changes;

/// How long a burst of ingests may settle before the pings go out.
pub const COALESCE: Duration = Duration::from_millis(300);
/// Attempts per ping before giving up on it.
const ATTEMPTS: u32 = 5;
/// The first retry's delay; it doubles.
const FIRST_RETRY: Duration = Duration::from_secs(1);

/// The loop, until `shutdown`.
pub async fn run(ws: Arc<WebSub>, shutdown: CancellationToken) {
    loop {
        let store = ws.store();
        let mut changes = tokio::select! {
            c = store.next_changes() => c,
            () = shutdown.cancelled() => return,
        };
        tokio::select! {
            () = tokio::time::sleep(COALESCE) => {}
            () = shutdown.cancelled() => return,
        }
        let more = store.take_changes();
        changes.feeds.extend(more.feeds);
        changes.shows.extend(more.shows);
        let config = ws.config();
        if config.websub.hubs.is_empty() {
            continue;
        }
        let topics = topics(&config, &changes);
        for hub in &config.websub.hubs {
            for topic in &topics {
                if !ping(&ws, hub, topic, &shutdown).await {
                    return;
                }
            }
        }
    }
}

/// The self URLs of every document `changes` touched, in every format.
pub fn topics(config: &Config, changes: &Changes) -> Vec<String> {
    let mut kinds = vec![DocKind::Merged];
    let mut tags = BTreeSet::new();
    for id in &changes.feeds {
        if let Some(feed) = config.feed(id) {
            kinds.push(DocKind::Source(id.clone()));
            tags.extend(feed.tags.iter().cloned());
        }
    }
    kinds.extend(
        changes
            .shows
            .iter()
            .filter(|s| config.show(s).is_some())
            .map(|s| DocKind::Show(s.clone())),
    );
    kinds.extend(tags.into_iter().map(DocKind::Tag));
    // A view is a query: any change may change it, and a ping too many costs the hub one
    // fetch that finds the same document.
    kinds.extend(config.views.iter().map(|v| DocKind::View(v.name.clone())));
    let base = config.server.public_url.as_str().trim_end_matches('/');
    kinds
        .iter()
        .flat_map(|k| {
            [Format::Atom, Format::Rss, Format::Json]
                .into_iter()
                .map(move |f| format!("{base}{}", k.path(f)))
        })
        .collect()
}

/// Pings `hub` about `topic`, retrying with backoff; false when shutdown came first.
async fn ping(ws: &WebSub, hub: &Url, topic: &str, shutdown: &CancellationToken) -> bool {
    let form = [
        ("hub.mode", "publish"),
        ("hub.url", topic),
        ("hub.topic", topic),
    ];
    let mut delay = FIRST_RETRY;
    for attempt in 1..=ATTEMPTS {
        let fetcher = ws.context().fetcher.clone();
        // The hub is the admin's own setting: it may live on a private address.
        let answer = fetcher
            .post_form(hub, &form, true, &FeedHttp::default())
            .await;
        let why = match answer {
            Ok((status, _)) if status.is_success() => {
                count("ok");
                info!(hub = %hub, topic, "websub: hub pinged");
                return true;
            }
            Ok((status, body)) => format!(
                "answered {status}: {}",
                body.chars().take(200).collect::<String>()
            ),
            Err(e) => error_chain(&e),
        };
        if attempt == ATTEMPTS {
            count("failed");
            warn!(hub = %hub, topic, "websub: giving up pinging the hub after {ATTEMPTS} attempts: {why}");
            return true;
        }
        count("retry");
        warn!(hub = %hub, topic, retry_in = ?delay, "websub: the hub ping failed: {why}");
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = shutdown.cancelled() => return false,
        }
        delay *= 2;
    }
    true
}

fn count(outcome: &str) {
    crate::metrics::get()
        .websub_pings
        .get_or_create(&crate::metrics::OutcomeLabel {
            outcome: outcome.to_owned(),
        })
        .inc();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_the_self_urls_of_every_changed_document_in_every_format() {
        let text = "[server]\npublic_url = \"https://news.example/base/\"\n\n\
                    [[feed]]\nid = \"a\"\nurl = \"https://a.example/f\"\ntags = [\"trades\"]\n\n\
                    [[feed]]\nid = \"b\"\nurl = \"https://b.example/f\"\n\n\
                    [[show]]\nname = \"Squid Game\"\n\n[[view]]\nname = \"v\"\nq = \"season\"\n";
        let config = Config::parse(text, std::path::Path::new("feeds.toml")).unwrap();
        let changes = Changes {
            feeds: ["a".to_owned(), "gone".to_owned()].into(),
            shows: ["squid-game".to_owned(), "unknown".to_owned()].into(),
        };
        let t = topics(&config, &changes);
        let want: Vec<String> = [
            "/feed",
            "/sources/a",
            "/shows/squid-game",
            "/tags/trades",
            "/views/v",
        ]
        .iter()
        .flat_map(|p| ["atom", "rss", "json"].map(|f| format!("https://news.example/base{p}.{f}")))
        .collect();
        assert_eq!(t, want);
    }
}
