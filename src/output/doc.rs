//! The format-neutral document: a page of entries with everything every renderer needs
//! (sources, categories, related copies, paging links), built once and rendered as Atom, RSS
//! or JSON Feed, so the three formats carry the same entries, ids, tags and links.

use std::collections::{BTreeSet, HashMap};

use crate::config::{Config, DedupMode};
use crate::entry::Entry;
use crate::store::{FeedState, Store, StoreError};

use super::select::Page;
use super::{clean, Resolved};
use crate::query::cursor;

/// Scheme URI of news-kind categories (trailer, casting, ...).
pub const KIND_SCHEME: &str = "urn:showfeed:kind";
/// Scheme URI of story categories (dedup mode `mark`).
pub const STORY_SCHEME: &str = "urn:showfeed:story";

/// Where an entry came from.
#[derive(Debug, Clone)]
pub struct SourceInfo {
    /// The configured feed id.
    pub id: String,
    /// IRI naming the source in our output: `{public_url}/sources/{id}.atom`.
    pub iri: String,
    /// Display title (config override, else the feed's own, else the id).
    pub title: String,
    /// The feed's URL.
    pub feed_url: String,
    /// The feed's website, when it names one.
    pub site_link: Option<String>,
}

/// A category on an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Term (`squid-game`, `squid-game/s2`, `trailer`, ...).
    pub term: String,
    /// Human label.
    pub label: Option<String>,
    /// Scheme; `None` for show categories (design.md's contract).
    pub scheme: Option<&'static str>,
}

/// Another outlet's copy of the same story (`rel="related"`).
#[derive(Debug, Clone)]
pub struct Related {
    /// Its link.
    pub href: String,
    /// The outlet's name.
    pub title: String,
}

/// One entry ready to render.
#[derive(Debug)]
pub struct OutEntry {
    /// The stored entry.
    pub entry: Entry,
    /// Its source.
    pub source: SourceInfo,
    /// Categories: shows, seasons, episodes, kinds, story.
    pub categories: Vec<Category>,
    /// Other outlets' copies.
    pub related: Vec<Related>,
}

/// A document to render.
#[derive(Debug)]
pub struct Doc {
    /// Title.
    pub title: String,
    /// Absolute URL of this document; also its id.
    pub self_url: String,
    /// URL of the first page (RFC 5005).
    pub first_url: String,
    /// URL of the next (older) page.
    pub next_url: Option<String>,
    /// URL of the previous (newer) page.
    pub prev_url: Option<String>,
    /// The index page.
    pub home_url: String,
    /// `[websub] hub`: the hubs this document names next to its self link.
    pub hubs: Vec<String>,
    /// Newest `updated` among the entries (Unix seconds), 0 when empty.
    pub updated: i64,
    /// A small square icon (Atom `<icon>`, JSON Feed `favicon`, RSS `<image>`): the
    /// source's for a document of one source, else showfeed's.
    pub icon: String,
    /// A larger image (Atom `<logo>`, JSON Feed `icon`): likewise.
    pub logo: String,
    /// The entries.
    pub entries: Vec<OutEntry>,
}

impl Doc {
    /// The language of the whole document: the one every entry has, when they all have
    /// the same (RSS `<language>`, the feed's `xml:lang`, JSON Feed `language`).
    pub fn language(&self) -> Option<&str> {
        let first = self.entries.first()?.entry.language.as_deref()?;
        self.entries
            .iter()
            .all(|o| o.entry.language.as_deref() == Some(first))
            .then_some(first)
    }
}

/// Source infos of the configured feeds among `states`.
pub fn sources(
    config: &Config,
    states: &HashMap<String, FeedState>,
) -> HashMap<String, SourceInfo> {
    let base = config.server.public_url.as_str().trim_end_matches('/');
    states
        .iter()
        .filter_map(|(id, state)| {
            let f = config.feed(id)?;
            let info = SourceInfo {
                id: f.id.clone(),
                iri: clean::link(format!("{base}/sources/{}.atom", f.id)),
                title: clean::nonempty(f.title.clone())
                    .or_else(|| clean::nonempty(state.title.clone()))
                    .unwrap_or_else(|| f.id.clone()),
                // A local file's path is the admin's business, not the readers'.
                feed_url: if f.url.scheme() == "file" {
                    String::new()
                } else {
                    clean::link(f.url.to_string())
                },
                site_link: state.site_link.clone().map(clean::link),
            };
            Some((f.id.clone(), info))
        })
        .collect()
}

fn source_of(sources: &HashMap<String, SourceInfo>, config: &Config, feed_id: &str) -> SourceInfo {
    // A feed removed from the config keeps its entries until retention: name it by id.
    sources.get(feed_id).cloned().unwrap_or_else(|| SourceInfo {
        id: feed_id.to_owned(),
        iri: format!(
            "{}/sources/{feed_id}.atom",
            config.server.public_url.as_str().trim_end_matches('/')
        ),
        title: feed_id.to_owned(),
        feed_url: String::new(),
        site_link: None,
    })
}

/// Categories of an entry, per design.md: show `term=slug label=name`, then `slug/sN` and
/// `slug/sNeM` (labelled `Name S2`, `Name S2E5`), and `slug/eM` (`Name E334`) for an absolute
/// episode number with no season; news kinds in [`KIND_SCHEME`]; in `mark` mode, for an entry whose story has
/// other copies (`shared_story`), the story in [`STORY_SCHEME`].
pub fn categories(config: &Config, e: &Entry, shared_story: bool) -> Vec<Category> {
    let mut out = Vec::new();
    for show in &e.shows {
        for term in show.terms() {
            let label = if term == show.slug {
                show.name.clone()
            } else {
                let rest = &term[show.slug.len() + 1..];
                format!("{} {}", show.name, rest.to_uppercase())
            };
            out.push(Category {
                term,
                label: Some(label),
                scheme: None,
            });
        }
    }
    for k in &e.kinds {
        out.push(Category {
            term: k.clone(),
            label: None,
            scheme: Some(KIND_SCHEME),
        });
    }
    if config.dedup.mode == DedupMode::Mark && shared_story {
        out.push(Category {
            term: format!("story/{}", e.story.hyphenated()),
            label: None,
            scheme: Some(STORY_SCHEME),
        });
    }
    out
}

/// The self, first, next and previous links of a page at `path`.
struct PageUrls {
    base: String,
    path: String,
    canonical: String,
}

impl PageUrls {
    fn new(config: &Config, path: &str, link_query: &str) -> PageUrls {
        PageUrls {
            base: config
                .server
                .public_url
                .as_str()
                .trim_end_matches('/')
                .to_owned(),
            path: path.to_owned(),
            canonical: link_query.to_owned(),
        }
    }

    /// The document's URL with `extra` (a paging cursor) after its canonical query.
    fn url(&self, extra: Option<String>) -> String {
        let query = match extra {
            Some(extra) if self.canonical.is_empty() => extra,
            Some(extra) => format!("{}&{extra}", self.canonical),
            None => self.canonical.clone(),
        };
        if query.is_empty() {
            format!("{}{}", self.base, self.path)
        } else {
            format!("{}{}?{query}", self.base, self.path)
        }
    }
}

/// The document for a page of `q` at `path` (e.g. `/shows/squid-game.atom`).
pub fn build(
    config: &Config,
    store: &Store,
    request: &Resolved,
    path: &str,
    page: Page,
) -> Result<Doc, StoreError> {
    let q = &request.query;
    let title = request.title.clone();
    let urls = PageUrls::new(config, path, &request.link_query);
    let paging = q
        .before
        .map(|c| format!("before={}", cursor(&c)))
        .or(q.after.map(|c| format!("after={}", cursor(&c))));
    // Each entry's story copies, as the selection read them (cleaned in `story_entry`, once
    // for every format).
    let with_copies: Vec<(Vec<Entry>, Entry)> = page.copies.into_iter().zip(page.entries).collect();
    let sources = page_sources(config, store, &with_copies)?;
    let updated = match with_copies.iter().map(|(_, e)| e.updated).max() {
        Some(t) => t,
        None => empty_updated(store)?,
    };
    // An entry whose embargo ended is new to the readers: the document changed then.
    let updated = updated.max(page.revealed.unwrap_or(i64::MIN));
    let entries = with_copies
        .into_iter()
        .zip(page.masked)
        .map(|((copies, e), masked)| {
            let mut out = story_entry(config, &sources, &q.sources, e, copies);
            if masked {
                // After the story is assembled: whichever copy is shown, nothing of it spoils.
                super::embargo::mask(&mut out.entry);
            }
            out
        })
        .collect();
    let (icon, logo) = images(config, store, &q.sources)?;
    Ok(Doc {
        title: clean::text(&title).into_owned(),
        self_url: clean::link(urls.url(paging)),
        first_url: clean::link(urls.url(None)),
        next_url: page
            .next
            .map(|c| clean::link(urls.url(Some(format!("before={}", cursor(&c)))))),
        prev_url: page
            .prev
            .map(|c| clean::link(urls.url(Some(format!("after={}", cursor(&c)))))),
        home_url: clean::link(format!("{}/", urls.base)),
        hubs: config.websub.hubs.iter().map(|h| h.to_string()).collect(),
        updated,
        icon,
        logo,
        entries,
    })
}

/// showfeed's own icons, served by the server (64 and 512 pixels square).
pub const OWN_ICON: &str = "/favicon.png";
/// See [`OWN_ICON`].
pub const OWN_LOGO: &str = "/icon.png";

/// The document's icon and logo: for a document of one source, the images its feed names
/// (a missing icon is the site's `/favicon.ico`, which most sites have); else showfeed's.
fn images(
    config: &Config,
    store: &Store,
    sources: &BTreeSet<String>,
) -> Result<(String, String), StoreError> {
    let base = config.server.public_url.as_str().trim_end_matches('/');
    let own = (format!("{base}{OWN_ICON}"), format!("{base}{OWN_LOGO}"));
    let (Some(source), 1) = (sources.first(), sources.len()) else {
        return Ok(own);
    };
    let Some(state) = store.feed_state(source)? else {
        return Ok(own);
    };
    let site_favicon = state
        .site_link
        .as_deref()
        .and_then(|s| url::Url::parse(s).ok())
        .and_then(|u| u.join("/favicon.ico").ok())
        .map(String::from);
    let icon = state.icon.clone().or(site_favicon);
    let logo = state.logo.clone().or_else(|| icon.clone());
    Ok((
        clean::link(icon.unwrap_or(own.0)),
        clean::link(logo.unwrap_or(own.1)),
    ))
}

/// When an empty document last changed, as far as we know: the newest stored entry, else
/// the last successful poll, else now (never the epoch: an empty feed "updated in 1970"
/// reads as broken).
pub(crate) fn empty_updated(store: &Store) -> Result<i64, StoreError> {
    if let Some(e) = store.newest().next() {
        return Ok(e?.updated);
    }
    let polled = store
        .feed_states()?
        .values()
        .filter_map(|s| s.last_success)
        .max();
    Ok(polled.unwrap_or_else(crate::clock::now))
}

/// The sources of the feeds on this page only (a store may hold thousands of feed states).
fn page_sources(
    config: &Config,
    store: &Store,
    with_copies: &[(Vec<Entry>, Entry)],
) -> Result<HashMap<String, SourceInfo>, StoreError> {
    let mut states = HashMap::new();
    for (members, e) in with_copies {
        for feed_id in std::iter::once(&e.feed_id).chain(members.iter().map(|c| &c.feed_id)) {
            if !states.contains_key(feed_id) {
                if let Some(s) = store.feed_state(feed_id)? {
                    states.insert(feed_id.clone(), s);
                }
            }
        }
    }
    Ok(sources(config, &states))
}

/// One story as one entry: the earliest copy (of the asked-for sources, in a source's feed)
/// is shown, its link rel=alternate, under the story's id, so readers never see the id
/// change as copies join or leave; the other outlets become related links, named in an
/// "Also reported by" line of the content (most readers ignore related links), and lend
/// their categories.
fn story_entry(
    config: &Config,
    sources: &HashMap<String, SourceInfo>,
    prefer: &BTreeSet<String>,
    e: Entry,
    members: Vec<Entry>,
) -> OutEntry {
    let shared_story = e.story != e.id || members.iter().any(|c| !c.exact_copy);
    // Copies shown as related links: exact copies always, near ones when collapsing.
    let copies: Vec<Entry> = members
        .into_iter()
        .filter(|c| c.exact_copy || config.dedup.mode == DedupMode::Collapse)
        .collect();
    let (mut shown, mut others) = shown_copy(e, copies, prefer);
    // Only the shown copy is written out whole; of the others, only links and tags are.
    clean::entry(&mut shown);
    for c in &mut others {
        c.link = c.link.take().map(clean::link).filter(|l| !l.is_empty());
    }
    let related = related_links(config, sources, &shown, &others);
    let mut categories = categories(config, &shown, shared_story);
    // A collapsed story carries the union of its copies' categories.
    for copy in &others {
        for c in self::categories(config, copy, false) {
            if !categories.contains(&c) {
                categories.push(c);
            }
        }
    }
    add_also_reported(&mut shown, &related);
    OutEntry {
        source: source_of(sources, config, &shown.feed_id),
        categories,
        related,
        entry: shown,
    }
}

/// The other copies' links, one per article: an article that arrived through two feeds of
/// one outlet (the same URL) is one copy, and the shown article never links to itself.
fn related_links(
    config: &Config,
    sources: &HashMap<String, SourceInfo>,
    shown: &Entry,
    others: &[Entry],
) -> Vec<Related> {
    let key = |link: &str| crate::dedup::url_key(link).unwrap_or_else(|| link.to_owned());
    let mut seen: Vec<String> = shown.link.as_deref().map(key).into_iter().collect();
    let mut related = Vec::new();
    for copy in others {
        let Some(href) = copy.link.clone() else {
            continue;
        };
        let k = key(&href);
        if seen.contains(&k) {
            continue;
        }
        seen.push(k);
        let title = source_of(sources, config, &copy.feed_id).title;
        related.push(Related { href, title });
    }
    related
}

/// Appends "Also reported by: <outlets>" to the entry's content and summary (or makes it the
/// summary), so every reader shows the other outlets.
fn add_also_reported(e: &mut Entry, related: &[Related]) {
    if related.is_empty() {
        return;
    }
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let links: Vec<String> = related
        .iter()
        .map(|r| format!("<a href=\"{}\">{}</a>", esc(&r.href), esc(&r.title)))
        .collect();
    let line = format!("<p>Also reported by: {}</p>", links.join(", "));
    for html in [&mut e.content, &mut e.summary].into_iter().flatten() {
        html.push_str(&line);
    }
    if e.content.is_none() && e.summary.is_none() {
        e.summary = Some(line);
    }
}

/// Which copy of a story is shown: the earliest (the story entry on a tie), among the
/// copies from `prefer` when it names any; under the story entry's id, with the newest
/// `updated` of the two. Returns it and the other copies, the story entry first.
fn shown_copy(e: Entry, copies: Vec<Entry>, prefer: &BTreeSet<String>) -> (Entry, Vec<Entry>) {
    let preferred = |c: &Entry| prefer.contains(&c.feed_id);
    let any_preferred = preferred(&e) || copies.iter().any(preferred);
    let eligible = |c: &Entry| !any_preferred || preferred(c);
    let rank = |c: &Entry| (c.published, c.id != e.id, c.id);
    let first = std::iter::once(&e)
        .chain(copies.iter())
        .filter(|c| eligible(c))
        .min_by_key(|c| rank(c))
        .map(|c| c.id);
    if first.is_none_or(|id| id == e.id) {
        return (e, copies);
    }
    let mut others = Vec::with_capacity(copies.len());
    let mut shown = None;
    for c in copies {
        if Some(c.id) == first && shown.is_none() {
            shown = Some(c);
        } else {
            others.push(c);
        }
    }
    let Some(mut shown) = shown else {
        return (e, others);
    };
    shown.id = e.id;
    shown.story = e.story;
    shown.updated = shown.updated.max(e.updated);
    others.insert(0, e);
    (shown, others)
}
