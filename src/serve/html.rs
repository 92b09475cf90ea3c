//! The index page at `/`: server-rendered HTML, no JavaScript. Shows with entry counts and
//! subscribe links, sources with their health, views, and the latest entries with their tags.
//! Everything that came from a feed or the config is escaped.

use std::fmt::Write as _;

use crate::config::Config;
use crate::store::{Index, Store};

use super::ServeError;
use crate::clock::rfc3339;
use crate::output::select;
use crate::query::FeedQuery;

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if crate::text::is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

fn subscribe(path: &str) -> String {
    ["atom", "rss", "json"]
        .iter()
        .map(|f| format!("<a href=\"{}.{f}\">{}</a>", esc(path), f.to_uppercase()))
        .collect::<Vec<_>>()
        .join(" · ")
}

const STYLE: &str = "body{font:16px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;max-width:72rem;margin:0 auto;padding:1rem 1.5rem;color:#1d1d1f;background:#fafafa}\
h1{margin:.2rem 0}h2{margin-top:2rem;border-bottom:2px solid #ddd;padding-bottom:.2rem}\
table{border-collapse:collapse;width:100%;font-size:.95rem}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e5e5e5;vertical-align:top}\
th{background:#f0f0f0}a{color:#0a58ca;text-decoration:none}a:hover{text-decoration:underline}\
.ok{color:#137333}.bad{color:#b3261e}.muted{color:#666;font-size:.9rem}\
.tag{display:inline-block;background:#e8f0fe;color:#174ea6;border-radius:.8rem;padding:0 .5rem;margin:.1rem .2rem 0 0;font-size:.8rem}\
.kind{background:#fef7e0;color:#7a4f01}ul.entries{list-style:none;padding:0}ul.entries li{padding:.5rem 0;border-bottom:1px solid #e5e5e5}";

/// Renders the index page.
pub fn index(config: &Config, store: &Store) -> Result<String, ServeError> {
    let title = esc(&config.server.title);
    let mut h = String::with_capacity(32 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{title}</title>\
         <link rel=\"alternate\" type=\"application/atom+xml\" title=\"{title} (Atom)\" href=\"/feed.atom\">\
         <link rel=\"alternate\" type=\"application/rss+xml\" title=\"{title} (RSS)\" href=\"/feed.rss\">\
         <link rel=\"alternate\" type=\"application/feed+json\" title=\"{title} (JSON Feed)\" href=\"/feed.json\">\
         <style>{STYLE}</style></head><body><header><h1>{title}</h1>\
         <p class=\"muted\">Entertainment news by show, merged from {} sources. Everything: {}. Sources as <a href=\"/opml\">OPML</a>.</p></header>",
        config.feeds.len(),
        subscribe("/feed")
    );
    if let Some(u) = store.unwritable() {
        let _ = write!(
            h,
            "<p class=\"bad\">The store cannot be written since {} ({}): the entries below are what it holds; polling resumes once the disk can be written.</p>",
            rfc3339(u.since),
            esc(&u.reason)
        );
    }

    h.push_str("<h2>Shows</h2>");
    if config.shows.is_empty() {
        h.push_str("<p class=\"muted\">No shows configured: add <code>[[show]]</code> entries to the config.</p>");
    } else {
        h.push_str(
            "<table><thead><tr><th>Show</th><th>Entries</th><th>Subscribe</th></tr></thead><tbody>",
        );
        for show in &config.shows {
            let count = store.count(Index::Show(&show.slug));
            let _ = write!(
                h,
                "<tr><td><a href=\"/shows/{slug}.atom\">{name}</a></td><td>{count}</td><td>{links}</td></tr>",
                slug = esc(&show.slug),
                name = esc(&show.name),
                links = subscribe(&format!("/shows/{}", show.slug))
            );
        }
        h.push_str("</tbody></table>");
    }

    if !config.views.is_empty() {
        h.push_str("<h2>Views</h2><table><thead><tr><th>View</th><th>Filters</th><th>Subscribe</th></tr></thead><tbody>");
        for v in &config.views {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"muted\">{}</td><td>{}</td></tr>",
                esc(v.title.as_deref().unwrap_or(&v.name)),
                esc(&v.query),
                subscribe(&format!("/views/{}", v.name))
            );
        }
        h.push_str("</tbody></table>");
    }

    h.push_str("<h2>Sources</h2><table><thead><tr><th>Source</th><th>Entries</th><th>Last success</th><th>Next poll</th><th>Problem</th><th>Subscribe</th></tr></thead><tbody>");
    let states = store.feed_states()?;
    for f in &config.feeds {
        let s = states.get(&f.id).cloned().unwrap_or_default();
        let name = f
            .title
            .clone()
            .or(s.title.clone())
            .unwrap_or_else(|| f.id.clone());
        let problem = match (&s.disabled, &s.last_error) {
            (Some(d), _) => format!("<span class=\"bad\">disabled: {}</span>", esc(d)),
            (None, Some(e)) if s.consecutive_failures > 0 => format!(
                "<span class=\"bad\">{} failure{}: {}</span>",
                s.consecutive_failures,
                if s.consecutive_failures == 1 { "" } else { "s" },
                esc(e)
            ),
            _ if s.last_success.is_some() => "<span class=\"ok\">ok</span>".to_owned(),
            _ => "<span class=\"muted\">not polled yet</span>".to_owned(),
        };
        let _ = write!(
            h,
            "<tr><td><a href=\"{url}\">{name}</a><div class=\"muted\">{id}</div></td><td>{n}</td><td>{ok}</td><td>{next}</td><td>{problem}</td><td>{links}</td></tr>",
            url = esc(f.url.as_str()),
            name = esc(&name),
            id = esc(&f.id),
            n = s.entry_count,
            ok = s.last_success.map(rfc3339).unwrap_or_else(|| "never".into()),
            next = if s.last_attempt.is_some() { rfc3339(s.next_poll) } else { "now".into() },
            links = subscribe(&format!("/sources/{}", f.id))
        );
    }
    h.push_str("</tbody></table>");

    h.push_str("<h2>Latest</h2><ul class=\"entries\">");
    let mut q = FeedQuery::new();
    q.limit = 30;
    let page = select::select(store, &q, config.dedup.mode)?;
    let sources = super::doc::sources(config, &states);
    for e in &page.entries {
        let title = esc(&e.title);
        let linked = match &e.link {
            Some(l) => format!(
                "<a href=\"{}\" rel=\"noopener noreferrer nofollow\">{title}</a>",
                esc(l)
            ),
            None => title,
        };
        let source = sources
            .get(&e.feed_id)
            .map_or(e.feed_id.as_str(), |s| s.title.as_str());
        let _ = write!(
            h,
            "<li>{linked}<div class=\"muted\">{} · {}</div><div>",
            esc(source),
            rfc3339(e.published)
        );
        for c in super::doc::categories(config, e, e.story != e.id) {
            let class = if c.scheme.is_some() {
                "tag kind"
            } else {
                "tag"
            };
            let _ = write!(
                h,
                "<span class=\"{class}\" title=\"{}\">{}</span>",
                esc(c.label.as_deref().unwrap_or(&c.term)),
                esc(&c.term)
            );
        }
        h.push_str("</div></li>");
    }
    if page.entries.is_empty() {
        h.push_str("<li class=\"muted\">Nothing stored yet: the first polls are under way.</li>");
    }
    let _ = write!(
        h,
        "</ul><footer class=\"muted\">showfeed {} · <a href=\"/status\">status (JSON)</a></footer></body></html>",
        env!("CARGO_PKG_VERSION")
    );
    Ok(h)
}
