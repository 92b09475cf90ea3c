//! Prometheus metrics (`/metrics`, text format), recorded by the stages as they work.
//!
//! | metric | meaning |
//! |---|---|
//! | `showfeed_fetches_total{feed,outcome}` | polls by outcome: `200`, `304`, or the error kind (`status`, `timeout`, `parse`...) |
//! | `showfeed_fetch_duration_seconds` | time from request to parsed-and-stored, per poll |
//! | `showfeed_entries_ingested_total{feed}` | entries stored for the first time |
//! | `showfeed_entries_updated_total{feed}` | stored entries whose content changed |
//! | `showfeed_duplicates_merged_total` | new entries that joined another outlet's story |
//! | `showfeed_tags_applied_total` | show tags on newly stored entries |
//! | `showfeed_feeds_failing` | feeds whose last poll failed |
//! | `showfeed_feeds` | configured feeds |
//! | `showfeed_store_entries` / `showfeed_store_bytes` | entries stored / disk used by sled |
//! | `showfeed_config_valid` | 0 while the file on disk failed to load (the previous config runs) |
//! | `showfeed_store_writable` | 0 while the store cannot be written (disk full, read-only): stored entries are served, polling waits |
//! | `showfeed_polls_skipped_total` | polls that were due but not made: the store cannot be written, or the feed's site asked to slow down (429) |
//! | `showfeed_articles_total{feed,outcome}` | entries' articles fetched (`fetched`) or not, by reason (`status`, `timeout`, `too_large`, `not_html`, `private`, `paywall`, `too_short`...) |
//! | `showfeed_article_bytes_total` | bytes of article pages read |
//! | `showfeed_article_extract_seconds` | time to extract one article from its page |
//! | `showfeed_websub_pushes_total{feed}` | content deliveries from a hub accepted and ingested |
//! | `showfeed_websub_rejects_total{feed,outcome}` | deliveries refused: `unknown_token`, `no_signature`, `bad_signature`, `too_large`, `parse` |
//! | `showfeed_websub_hub_requests_total{feed,outcome}` | subscribe/unsubscribe requests to hubs: `subscribe`, `unsubscribe`, `failed`, `denied` |
//! | `showfeed_websub_pings_total{outcome}` | publish pings to `[websub] hub`: `ok`, `retry`, `failed` |
//! | `showfeed_notifications_total{view,outcome}` | notifications of new stories: `sent`, `retried` (a failed attempt tried again), `failed` (given up) |
//! | `showfeed_http_requests_total{route,status}` | HTTP requests |
//! | `showfeed_http_request_duration_seconds{route}` | HTTP latency |
//! | `showfeed_documents_rendered_total` | feed documents rendered (requests the document cache did not answer; requests for one document that arrive while it renders wait for that render) |
//!
//! The metrics live in one process-wide registry: they describe the process, and passing a
//! handle through every stage would add noise without adding meaning.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Metric, Registry};

/// Labels of per-feed outcome counters.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FeedOutcome {
    /// Feed id.
    pub feed: String,
    /// Outcome.
    pub outcome: String,
}

/// Labels of per-feed counters.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FeedLabel {
    /// Feed id.
    pub feed: String,
}

/// Labels of per-feed, per-rule counters.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FeedRule {
    /// Feed id.
    pub feed: String,
    /// Ingest rule ([`crate::vocab::RULE_NAMES`]).
    pub rule: String,
}

/// Labels of outcome-only counters.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    /// Outcome.
    pub outcome: String,
}

/// Labels of per-view outcome counters.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ViewOutcome {
    /// View name.
    pub view: String,
    /// Outcome.
    pub outcome: String,
}

/// Labels of HTTP counters.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteStatus {
    /// Matched route pattern (not the raw path: bounded cardinality).
    pub route: String,
    /// Status code.
    pub status: u16,
}

/// Labels of HTTP latency.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabel {
    /// Matched route pattern.
    pub route: String,
}

/// Every metric.
pub struct Metrics {
    registry: Registry,
    /// Polls by outcome.
    pub fetches: Family<FeedOutcome, Counter>,
    /// Poll duration.
    pub fetch_seconds: Histogram,
    /// New entries.
    pub ingested: Family<FeedLabel, Counter>,
    /// Updated entries.
    pub updated: Family<FeedLabel, Counter>,
    /// Merged duplicates.
    pub merged: Counter,
    /// Fetched entries an ingest rule kept out of the store.
    pub rule_drops: Family<FeedRule, Counter>,
    /// Tags applied.
    pub tags: Counter,
    /// Failing feeds (set at scrape).
    pub feeds_failing: Gauge,
    /// Configured feeds (set at scrape).
    pub feeds: Gauge,
    /// Stored entries (set at scrape).
    pub store_entries: Gauge,
    /// Disk bytes (set at scrape).
    pub store_bytes: Gauge,
    /// 1 while the config file on disk is in force.
    pub config_valid: Gauge,
    /// 1 while the store can be written.
    pub store_writable: Gauge,
    /// Due polls not made because the store cannot be written.
    pub polls_skipped: Counter,
    /// Articles by outcome (`fetched` or why not).
    pub articles: Family<FeedOutcome, Counter>,
    /// Bytes of article pages read.
    pub article_bytes: Counter,
    /// Extraction time per article.
    pub article_extract_seconds: Histogram,
    /// WebSub deliveries accepted.
    pub websub_pushes: Family<FeedLabel, Counter>,
    /// WebSub deliveries refused, by reason.
    pub websub_rejects: Family<FeedOutcome, Counter>,
    /// Requests to hubs (subscribe, unsubscribe) and their failures.
    pub websub_hub_requests: Family<FeedOutcome, Counter>,
    /// Publish pings.
    pub websub_pings: Family<OutcomeLabel, Counter>,
    /// Notifications by view and outcome.
    pub notifications: Family<ViewOutcome, Counter>,
    /// HTTP requests.
    pub http_requests: Family<RouteStatus, Counter>,
    /// HTTP latency.
    pub http_seconds: Family<RouteLabel, Histogram>,
    /// Feed documents rendered: the requests the document cache did not answer.
    pub documents_rendered: Counter,
}

fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// The process's metrics.
pub fn get() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}

/// A registry being filled: each metric is registered as it is made, so none can be left
/// out of `/metrics`.
struct Registrar(Registry);

impl Registrar {
    /// Registers `metric` and hands it back; the registry's copy shares its value.
    fn register<M: Metric + Clone>(&mut self, name: &str, help: &str, metric: M) -> M {
        self.0.register(name, help, metric.clone());
        metric
    }

    /// Registers a metric that starts from its default.
    fn add<M: Metric + Clone + Default>(&mut self, name: &str, help: &str) -> M {
        self.register(name, help, M::default())
    }
}

impl Metrics {
    /// Every metric at zero, registered in the order `/metrics` lists them, with the config
    /// taken as valid until a load fails.
    fn new() -> Metrics {
        let mut r = Registrar(Registry::with_prefix("showfeed"));
        let m = Metrics {
            fetches: r.add("fetches", "Polls by outcome (200, 304 or error kind)"),
            fetch_seconds: r.register(
                "fetch_duration_seconds",
                "Time of one poll, fetch to store",
                Histogram::new(exponential_buckets(0.01, 2.0, 14)),
            ),
            ingested: r.add("entries_ingested", "Entries stored for the first time"),
            updated: r.add("entries_updated", "Stored entries whose content changed"),
            merged: r.add(
                "duplicates_merged",
                "New entries that joined another outlet's story",
            ),
            rule_drops: r.add(
                "entries_dropped_by_rules",
                "Fetched entries an ingest rule kept out of the store, by feed and rule",
            ),
            tags: r.add("tags_applied", "Show tags on newly stored entries"),
            feeds_failing: r.add("feeds_failing", "Feeds whose last poll failed"),
            feeds: r.add("feeds", "Configured feeds"),
            store_entries: r.add("store_entries", "Entries in the store"),
            store_bytes: r.add("store_bytes", "Disk space used by the store"),
            config_valid: r.add(
                "config_valid",
                "0 while the config file on disk failed to load",
            ),
            store_writable: r.add(
                "store_writable",
                "0 while the store cannot be written (disk full, read-only)",
            ),
            polls_skipped: r.add(
                "polls_skipped",
                "Due polls not made: the store cannot be written, or the feed's site asked to slow down",
            ),
            articles: r.add(
                "articles",
                "Entries' articles fetched, or not by reason (full_text feeds)",
            ),
            article_bytes: r.add("article_bytes", "Bytes of article pages read"),
            article_extract_seconds: r.register(
                "article_extract_seconds",
                "Time to extract one article from its page",
                Histogram::new(exponential_buckets(0.0005, 2.0, 14)),
            ),
            websub_pushes: r.add("websub_pushes", "WebSub content deliveries accepted"),
            websub_rejects: r.add(
                "websub_rejects",
                "WebSub content deliveries refused, by reason",
            ),
            websub_hub_requests: r.add(
                "websub_hub_requests",
                "Subscribe and unsubscribe requests to hubs, and their failures",
            ),
            websub_pings: r.add("websub_pings", "Publish pings to [websub] hub, by outcome"),
            notifications: r.add(
                "notifications",
                "Notifications of new stories by view and outcome (sent, retried, failed)",
            ),
            http_requests: r.add("http_requests", "HTTP requests by route and status"),
            http_seconds: r.register(
                "http_request_duration_seconds",
                "HTTP latency by route",
                Family::new_with_constructor(latency),
            ),
            documents_rendered: r.add(
                "documents_rendered",
                "Feed documents rendered (requests the document cache did not answer)",
            ),
            registry: r.0,
        };
        m.config_valid.set(1);
        m
    }

    /// Entries of `feed_id` dropped by each ingest rule since the process started; only
    /// rules that dropped something.
    pub fn rule_drops_of(&self, feed_id: &str) -> std::collections::BTreeMap<String, u64> {
        crate::vocab::RULE_NAMES
            .iter()
            .filter_map(|rule| {
                let labels = FeedRule {
                    feed: feed_id.to_owned(),
                    rule: (*rule).to_owned(),
                };
                let n = self.rule_drops.get(&labels).map(|c| c.get())?;
                (n > 0).then(|| ((*rule).to_owned(), n))
            })
            .collect()
    }

    /// The text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// axum middleware counting requests and their latency by matched route.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let resp = next.run(req).await;
    let m = get();
    m.http_seconds
        .get_or_create(&RouteLabel {
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    m.http_requests
        .get_or_create(&RouteStatus {
            route,
            status: resp.status().as_u16(),
        })
        .inc();
    resp
}

#[cfg(test)]
mod tests {
    /// Every family is registered once, in the documented order, and the config starts out
    /// valid.
    #[test]
    fn every_family_is_exposed_in_order() {
        let text = super::Metrics::new().encode();
        let families: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# TYPE showfeed_"))
            .collect();
        assert_eq!(
            families,
            [
                "fetches counter",
                "fetch_duration_seconds histogram",
                "entries_ingested counter",
                "entries_updated counter",
                "duplicates_merged counter",
                "entries_dropped_by_rules counter",
                "tags_applied counter",
                "feeds_failing gauge",
                "feeds gauge",
                "store_entries gauge",
                "store_bytes gauge",
                "config_valid gauge",
                "store_writable gauge",
                "polls_skipped counter",
                "articles counter",
                "article_bytes counter",
                "article_extract_seconds histogram",
                "websub_pushes counter",
                "websub_rejects counter",
                "websub_hub_requests counter",
                "websub_pings counter",
                "notifications counter",
                "http_requests counter",
                "http_request_duration_seconds histogram",
                "documents_rendered counter",
            ]
        );
        assert!(text.contains("\nshowfeed_config_valid 1\n"), "{text}");
    }
}
