//! The index page at `/`: server-rendered HTML (maud, which escapes everything it is given),
//! no JavaScript. On top, one line that says how things stand (stories, sources failing and
//! why, a refused reload, an unwritable store); then shows with stories first, views, feed
//! tags, sources with failing ones first, and the latest stories with their tags. Counts are
//! stories as the feeds serve them, with a small inline SVG of stories per day over the last
//! 30 days.

use std::collections::HashMap;

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::ServeError;
use crate::clock::{local, relative};
use crate::config::{Config, Feed, Show};
use crate::errors::short_error;
use crate::output::counts::{Served, Tally, DAYS};
use crate::output::{doc, select};
use crate::query::FeedQuery;
use crate::store::{FeedState, Store};

const STYLE: &str = "body{font:16px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;max-width:72rem;margin:0 auto;padding:1rem 1.5rem;color:#1d1d1f;background:#fafafa}\
h1{margin:.2rem 0}h2{margin-top:2rem;border-bottom:2px solid #ddd;padding-bottom:.2rem}\
table{border-collapse:collapse;width:100%;font-size:.95rem}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e5e5e5;vertical-align:top}\
th{background:#f0f0f0}a{color:#0a58ca;text-decoration:none}a:hover{text-decoration:underline}\
.ok{color:#137333}.bad{color:#b3261e}.warn{color:#8a5a00}.muted{color:#666;font-size:.9rem}\
.summary{font-size:1.05rem;padding:.6rem .8rem;border-radius:.4rem;background:#eef3fd}.summary.bad{background:#fdecea}\
.banner{padding:.5rem .8rem;border-radius:.4rem;background:#fdecea;color:#b3261e}\
.tag{display:inline-block;background:#e8f0fe;color:#174ea6;border-radius:.8rem;padding:0 .5rem;margin:.1rem .2rem 0 0;font-size:.8rem}\
.kind{background:#fef7e0;color:#7a4f01}ul.entries{list-style:none;padding:0}ul.entries li{padding:.5rem 0;border-bottom:1px solid #e5e5e5}\
svg.spark{vertical-align:middle}svg.spark rect{fill:#7baaf7}svg.spark rect.base{fill:#d5d9e0}td.n{text-align:right;font-variant-numeric:tabular-nums}";

/// What the page shows besides the config and the store.
pub struct PageState<'a> {
    /// Stories served, per source and show.
    pub served: &'a Served,
    /// Why the last reload was refused (the file on disk is invalid), if it was.
    pub config_error: Option<&'a str>,
    /// Now (Unix seconds), for relative times.
    pub now: i64,
}

/// A source's health, for sorting (worst first) and the status column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Health {
    Gone,
    Failing,
    Moved,
    NotYet,
    Ok,
}

fn health(s: &FeedState) -> Health {
    if s.disabled.is_some() {
        Health::Gone
    } else if s.consecutive_failures > 0 {
        Health::Failing
    } else if s.moved_to.is_some() {
        Health::Moved
    } else if s.last_success.is_none() {
        Health::NotYet
    } else {
        Health::Ok
    }
}

/// The host a feed is fetched from, for short error texts.
fn host(f: &Feed) -> String {
    f.url.host_str().unwrap_or("the file").to_owned()
}

/// Renders the index page.
pub fn index(config: &Config, store: &Store, page: &PageState<'_>) -> Result<String, ServeError> {
    let states = store.feed_states()?;
    let mut q = FeedQuery::new();
    q.limit = 30;
    let embargo = crate::output::embargo::Embargo::of(config, None, page.now);
    let latest = select::select(store, &q, config.dedup.mode, &embargo)?;
    let sources = doc::sources(config, &states);
    let title = &config.server.title;
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { (title) }
                link rel="icon" type="image/png" href="/favicon.png";
                link rel="alternate" type="application/atom+xml" title={ (title) " (Atom)" } href="/feed.atom";
                link rel="alternate" type="application/rss+xml" title={ (title) " (RSS)" } href="/feed.rss";
                link rel="alternate" type="application/feed+json" title={ (title) " (JSON Feed)" } href="/feed.json";
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { (title) }
                    p.muted {
                        "Entertainment news by show, merged from " (plural(config.feeds.len(), "source", "sources")) ". Everything: "
                        (subscribe("/feed")) ". Sources as " a href="/opml" { "OPML" } "."
                    }
                }
                (summary(config, store, &states, page))
                (shows(config, page))
                (views(config))
                (tags(config, &sources))
                (source_table(config, &states, page))
                h2 { "Latest" }
                ul.entries {
                    @for e in &latest.entries {
                        (latest_entry(config, &sources, e, page.now))
                    }
                    @if latest.entries.is_empty() {
                        li.muted { (empty_reason(config, &states)) }
                    }
                }
                footer.muted {
                    "showfeed " (env!("CARGO_PKG_VERSION")) " · " a href="/status" { "status (JSON)" }
                    " · times in " (local(page.now).rsplit(' ').next().unwrap_or("UTC"))
                }
            }
        }
    };
    Ok(markup.into_string())
}

/// Atom · RSS · JSON links for a document path.
fn subscribe(path: &str) -> Markup {
    html! {
        a href={ (path) ".atom" } { "Atom" } " · "
        a href={ (path) ".rss" } { "RSS" } " · "
        a href={ (path) ".json" } { "JSON" }
    }
}

/// The line on top: how many stories, which sources fail and why, what needs the admin.
fn summary(
    config: &Config,
    store: &Store,
    states: &HashMap<String, FeedState>,
    page: &PageState<'_>,
) -> Markup {
    let state = |f: &Feed| states.get(&f.id).cloned().unwrap_or_default();
    let failing: Vec<(&Feed, FeedState)> = config
        .feeds
        .iter()
        .map(|f| (f, state(f)))
        .filter(|(_, s)| matches!(health(s), Health::Failing | Health::Gone))
        .collect();
    let moved = config
        .feeds
        .iter()
        .filter(|f| state(f).moved_to.is_some())
        .count();
    let reasons = reason_counts(
        failing
            .iter()
            .filter_map(|(f, s)| s.last_error.as_deref().map(|e| short_error(e, &host(f)))),
    );
    let total = config.feeds.len();
    let all_failing = !failing.is_empty() && failing.len() == total;
    html! {
        @if let Some(err) = page.config_error {
            p.banner {
                "The config file on disk is invalid, so the daemon runs the last valid one: " (err)
            }
        }
        @if let Some(u) = store.unwritable() {
            p.banner {
                "The store cannot be written since " (relative(u.since, page.now)) " (" (u.reason)
                "): the stories below are what it holds; polling resumes once the disk can be written."
            }
        }
        p.summary.bad[all_failing] {
            (plural(page.served.all.stories, "story", "stories")) " from " (plural(total, "source", "sources"))
            @if !failing.is_empty() {
                " · " span.bad { (failing.len()) " of " (total) " sources failing" }
                ": " (reasons.iter().take(3).cloned().collect::<Vec<_>>().join("; "))
                @if reasons.len() > 3 { "; …" }
                @if all_failing { " (is the network up?)" }
            }
            @if moved > 0 {
                " · " span.warn { (moved) " moved permanently: update feeds.toml" }
            }
        }
    }
}

/// Failure reasons grouped by kind, most common first: "DNS lookup failed (17)",
/// "HTTP 404 Not Found": the host a reason names is left out when several share it.
fn reason_counts(reasons: impl Iterator<Item = String>) -> Vec<String> {
    let mut counts: Vec<(String, String, usize)> = Vec::new();
    for r in reasons {
        let kind = [" for ", " by ", " with ", " to "]
            .iter()
            .find_map(|sep| r.split_once(sep).map(|(k, _)| k.to_owned()))
            .unwrap_or_else(|| r.clone());
        match counts.iter_mut().find(|(k, _, _)| *k == kind) {
            Some(c) => c.2 += 1,
            None => counts.push((kind, r, 1)),
        }
    }
    counts.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    counts
        .into_iter()
        .map(|(kind, one, n)| if n == 1 { one } else { format!("{kind} ({n})") })
        .collect()
}

/// "1 story", "3 stories".
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Why the latest list is empty: polls under way, or every source failing.
fn empty_reason(config: &Config, states: &HashMap<String, FeedState>) -> &'static str {
    let tried = config
        .feeds
        .iter()
        .filter(|f| states.get(&f.id).is_some_and(|s| s.last_attempt.is_some()))
        .count();
    let ok = config
        .feeds
        .iter()
        .filter(|f| states.get(&f.id).is_some_and(|s| s.last_success.is_some()))
        .count();
    if tried == config.feeds.len() && ok == 0 {
        "Nothing stored yet: every source failed its polls (see Sources above)."
    } else if tried < config.feeds.len() {
        "Nothing stored yet: the first polls are under way."
    } else {
        "Nothing stored yet: the sources answered but carried no items."
    }
}

/// Stories per day over the last [`DAYS`] days, as a small bar chart.
fn sparkline(t: &Tally) -> Markup {
    let max = t.per_day.iter().copied().max().unwrap_or(0).max(1);
    let total: u32 = t.per_day.iter().sum();
    // A faint baseline shows the chart's extent on quiet days.
    let mut bars = format!(
        "<rect class=\"base\" x=\"0\" y=\"17\" width=\"{}\" height=\"1\"/>",
        DAYS * 4
    );
    for (i, n) in t.per_day.iter().enumerate() {
        let h = if *n == 0 { 0 } else { 1 + n * 17 / max };
        bars.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"3\" height=\"{h}\"/>",
            i * 4,
            18 - h
        ));
    }
    let label = format!("{total} stories in the last {DAYS} days");
    html! {
        svg.spark width=(DAYS * 4) height="18" viewBox={ "0 0 " (DAYS * 4) " 18" } role="img" aria-label=(label) {
            title { (label) }
            (PreEscaped(bars))
        }
    }
}

fn shows(config: &Config, page: &PageState<'_>) -> Markup {
    let tally = |s: &Show| {
        page.served
            .by_show
            .get(&s.slug)
            .cloned()
            .unwrap_or_default()
    };
    let mut with: Vec<(&Show, Tally)> = config.shows.iter().map(|s| (s, tally(s))).collect();
    with.sort_by(|a, b| {
        b.1.stories
            .cmp(&a.1.stories)
            .then_with(|| a.0.name.cmp(&b.0.name))
    });
    let (active, quiet): (Vec<_>, Vec<_>) = with.into_iter().partition(|(_, t)| t.stories > 0);
    html! {
        h2 { "Shows" }
        @if config.shows.is_empty() {
            p.muted { "No shows configured: add " code { "[[show]]" } " entries to the config." }
        } @else {
            @if !active.is_empty() {
                table {
                    thead { tr { th { "Show" } th { "Stories" } th { "Last 30 days" } th { "Subscribe" } } }
                    tbody {
                        @for (show, t) in &active {
                            tr {
                                td { a href={ "/shows/" (show.slug) ".atom" } { (show.name) } }
                                td.n { (t.stories) }
                                td { (sparkline(t)) }
                                td { (subscribe(&format!("/shows/{}", show.slug))) }
                            }
                        }
                    }
                }
            }
            @if !quiet.is_empty() {
                p.muted {
                    "No stories yet about: "
                    @for (i, (show, _)) in quiet.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href={ "/shows/" (show.slug) ".atom" } { (show.name) }
                    }
                }
            }
        }
    }
}

fn views(config: &Config) -> Markup {
    html! {
        @if !config.views.is_empty() {
            h2 { "Views" }
            table {
                thead { tr { th { "View" } th { "Filters" } th { "Subscribe" } } }
                tbody {
                    @for v in &config.views {
                        tr {
                            td { (v.title.as_deref().unwrap_or(&v.name)) }
                            td.muted { (v.query) }
                            td { (subscribe(&format!("/views/{}", v.name))) }
                        }
                    }
                }
            }
        }
    }
}

/// The tags feeds have, each with its feeds and subscribe links; nothing without tags.
fn tags(config: &Config, sources: &HashMap<String, doc::SourceInfo>) -> Markup {
    let name = |id: &str| sources.get(id).map_or(id, |s| s.title.as_str()).to_owned();
    html! {
        @if !config.tags.is_empty() {
            h2 { "Tags" }
            table {
                thead { tr { th { "Tag" } th { "Feeds" } th { "Subscribe" } } }
                tbody {
                    @for (tag, ids) in &config.tags {
                        tr {
                            td { a href={ "/tags/" (tag) ".atom" } { (tag) } }
                            td {
                                @for (i, id) in ids.iter().enumerate() {
                                    @if i > 0 { ", " }
                                    a href={ "/sources/" (id) ".atom" } { (name(id)) }
                                }
                            }
                            td { (subscribe(&format!("/tags/{tag}"))) }
                        }
                    }
                }
            }
        }
    }
}

/// Sources, the failing ones first.
fn source_table(
    config: &Config,
    states: &HashMap<String, FeedState>,
    page: &PageState<'_>,
) -> Markup {
    let mut rows: Vec<(&Feed, FeedState)> = config
        .feeds
        .iter()
        .map(|f| (f, states.get(&f.id).cloned().unwrap_or_default()))
        .collect();
    rows.sort_by(|a, b| {
        health(&a.1)
            .cmp(&health(&b.1))
            .then(b.1.consecutive_failures.cmp(&a.1.consecutive_failures))
            .then_with(|| a.0.id.cmp(&b.0.id))
    });
    html! {
        h2 { "Sources" }
        table {
            thead { tr {
                th { "Source" } th { "Stories" } th { "Last 30 days" } th { "Last success" }
                th { "Next poll" } th { "Status" } th { "Subscribe" }
            } }
            tbody {
                @for (f, s) in &rows {
                    (source_row(f, s, page))
                }
            }
        }
    }
}

fn source_row(f: &Feed, s: &FeedState, page: &PageState<'_>) -> Markup {
    let name = f
        .title
        .clone()
        .or(s.title.clone())
        .unwrap_or_else(|| f.id.clone());
    let tally = page
        .served
        .by_source
        .get(&f.id)
        .cloned()
        .unwrap_or_default();
    let when = |t: Option<i64>, none: &'static str| -> Markup {
        match t {
            Some(t) => {
                html! { time datetime=(crate::clock::rfc3339(t)) title=(local(t)) { (relative(t, page.now)) } }
            }
            None => html! { (none) },
        }
    };
    html! {
        tr {
            td { a href=(f.url.as_str()) { (name) } div.muted { (f.id) } }
            td.n { (tally.stories) }
            td { (sparkline(&tally)) }
            td { (when(s.last_success, "never")) }
            td { (when(s.last_attempt.map(|_| s.next_poll), "now")) }
            td { (status(f, s)) }
            td { (subscribe(&format!("/sources/{}", f.id))) }
        }
    }
}

fn status(f: &Feed, s: &FeedState) -> Markup {
    let full = s.last_error.clone().unwrap_or_default();
    html! {
        @match health(s) {
            Health::Gone => span.bad title=(full) { "gone (HTTP 410): polling stopped; change its URL to resume" },
            Health::Failing => span.bad title=(full) {
                (s.consecutive_failures) " failed poll" @if s.consecutive_failures > 1 { "s" } ": "
                (short_error(&full, &host(f)))
            },
            Health::Moved => span.warn {
                "moved permanently to " (s.moved_to.as_deref().unwrap_or("")) ": update its url in feeds.toml"
            },
            Health::NotYet => span.muted { "not polled yet" },
            Health::Ok => span.ok { "ok" },
        }
    }
}

fn latest_entry(
    config: &Config,
    sources: &HashMap<String, doc::SourceInfo>,
    e: &crate::entry::Entry,
    now: i64,
) -> Markup {
    let source = sources
        .get(&e.feed_id)
        .map_or(e.feed_id.as_str(), |s| s.title.as_str());
    html! {
        li {
            @match &e.link {
                Some(l) => a href=(l) rel="noopener noreferrer nofollow" { (e.title) },
                None => (e.title),
            }
            div.muted {
                (source) " · "
                time datetime=(crate::clock::rfc3339(e.published)) title=(local(e.published)) { (relative(e.published, now)) }
            }
            div {
                @for c in doc::categories(config, e, e.story != e.id) {
                    span.tag.kind[c.scheme.is_some()] title=(c.label.as_deref().unwrap_or(&c.term)) { (c.term) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::reason_counts;

    #[test]
    fn reasons_group_by_kind_most_common_first() {
        let got = reason_counts(
            [
                "DNS lookup failed for a.com",
                "HTTP 404 Not Found",
                "DNS lookup failed for b.com",
                "connection refused by c.com",
            ]
            .into_iter()
            .map(str::to_owned),
        );
        assert_eq!(
            got,
            [
                "DNS lookup failed (2)",
                "HTTP 404 Not Found",
                "connection refused by c.com"
            ]
        );
    }
}
