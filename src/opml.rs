//! OPML 2.0: export of the configured sources (`GET /opml`, `showfeed opml export`) and
//! import of another reader's export into feeds.toml (`showfeed opml import`).
//!
//! Export writes each tagged feed inside the folder of its first tag, with all its tags in
//! the outline's `category`, so another reader keeps the grouping and an import keeps the
//! tags. Import reads what Miniflux, FreshRSS, Feedly, NetNewsWire or newsboat write:
//!
//! - feeds (outlines with an `xmlUrl`) at any depth; the folders around them (outlines
//!   without one, as categories are exported) and their `category` become tags;
//! - a feed feeds.toml already polls under another spelling of its URL (http or https,
//!   `www.`, a trailing slash, tracking parameters: the dedup URL key,
//!   [`crate::dedup::url_key`]) is skipped, naming the id that has it;
//! - ids are short and readable, made from the outline's `text` (else `title`) cut at a word
//!   boundary, or from the host name when the title is in a script whose romanization nobody
//!   reads (Korean, Japanese...); the `text` is kept as the feed's `title` where it differs
//!   from the feed's own title (the outline's `title`, as OPML 2.0 defines it);
//! - a file that is no OPML list of feeds (an HTML page, a feed, JSON, garbage, an OPML
//!   without feeds) is an [`OpmlError`] saying what it is;
//! - feeds.toml keeps its comments and layout (toml_edit) and is replaced, atomically and
//!   with its permissions, only by a file that validates; a dry run writes nothing.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use quick_xml::events::{BytesStart, Event};
use url::Url;

use crate::config::{slugify, Config, ConfigError, Diagnostics, Feed};
use crate::store::FeedState;

/// Longest id or tag an import makes from a title, before a `-2` suffix: cut at the last
/// whole word within it.
const MAX_ID: usize = 32;
/// Longest id or tag feeds.toml accepts.
const MAX_SLUG: usize = 64;

// --- export ------------------------------------------------------------------------------

/// The sources as an OPML 2.0 document, written with quick-xml (escaping and well-formedness
/// are its job; characters XML cannot hold are dropped first). Feeds keep the file's order;
/// a tagged feed goes in the folder of its first tag, placed where that tag's first feed is.
/// `states` give each feed's own title and site.
pub fn export(config: &Config, states: &HashMap<String, FeedState>) -> String {
    use quick_xml::events::{BytesDecl, BytesEnd, BytesText};
    let mut w = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail.
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)));
    let _ = w
        .create_element("opml")
        .with_attribute(("version", "2.0"))
        .write_inner_content(|w| {
            w.create_element("head").write_inner_content(|w| {
                w.create_element("title")
                    .write_text_content(BytesText::new(&clean(&config.server.title)))?;
                w.create_element("dateCreated")
                    .write_text_content(BytesText::new(&chrono::Utc::now().to_rfc2822()))?;
                Ok(())
            })?;
            w.write_event(Event::Start(BytesStart::new("body")))?;
            for (folder, feeds) in export_groups(config) {
                let outlines = feeds.iter().map(|f| feed_outline(f, states.get(&f.id)));
                match folder {
                    None => {
                        for o in outlines {
                            w.write_event(Event::Empty(o))?;
                        }
                    }
                    Some(tag) => {
                        let mut start = BytesStart::new("outline");
                        start.push_attribute(("text", tag));
                        start.push_attribute(("title", tag));
                        w.write_event(Event::Start(start))?;
                        for o in outlines {
                            w.write_event(Event::Empty(o))?;
                        }
                        w.write_event(Event::End(BytesEnd::new("outline")))?;
                    }
                }
            }
            w.write_event(Event::End(BytesEnd::new("body")))?;
            Ok(())
        });
    let mut out = String::from_utf8(w.into_inner()).unwrap_or_default();
    out.push('\n');
    out
}

/// Text without the characters XML cannot hold.
fn clean(s: &str) -> String {
    s.chars().filter(|&c| crate::text::is_xml_char(c)).collect()
}

/// The export's body in order: untagged feeds on their own, tagged ones grouped in the
/// folder of their first tag, where that tag's first feed is. Local files are the admin's,
/// and no other reader can open them: left out.
fn export_groups(config: &Config) -> Vec<(Option<&str>, Vec<&Feed>)> {
    let mut groups: Vec<(Option<&str>, Vec<&Feed>)> = Vec::new();
    let mut folder_at: HashMap<&str, usize> = HashMap::new();
    for f in config.feeds.iter().filter(|f| f.url.scheme() != "file") {
        let Some(tag) = f.tags.first() else {
            groups.push((None, vec![f]));
            continue;
        };
        match folder_at.get(tag.as_str()) {
            Some(&i) => groups[i].1.push(f),
            None => {
                folder_at.insert(tag, groups.len());
                groups.push((Some(tag), vec![f]));
            }
        }
    }
    groups
}

/// One feed's outline. `text` is the name it is shown under (the config's title, else its
/// own, else its id); `title` its own title as OPML 2.0 means it, left out when only an
/// override is known, so that an import keeps the override.
fn feed_outline(f: &Feed, state: Option<&FeedState>) -> BytesStart<'static> {
    let own = state.and_then(|s| s.title.as_deref()).map(clean);
    let text = f
        .title
        .as_deref()
        .map(clean)
        .or_else(|| own.clone())
        .unwrap_or_else(|| f.id.clone());
    let title = match (&f.title, own) {
        (_, Some(own)) => Some(own),
        (None, None) => Some(text.clone()),
        (Some(_), None) => None,
    };
    let mut outline = BytesStart::new("outline");
    outline.push_attribute(("type", "rss"));
    outline.push_attribute(("text", text.as_str()));
    if let Some(title) = &title {
        outline.push_attribute(("title", title.as_str()));
    }
    outline.push_attribute(("xmlUrl", f.url.as_str()));
    if let Some(site) = state.and_then(|s| s.site_link.as_deref()) {
        outline.push_attribute(("htmlUrl", clean(site).as_str()));
    }
    if !f.tags.is_empty() {
        let category: Vec<String> = f.tags.iter().map(|t| format!("/{t}")).collect();
        outline.push_attribute(("category", category.join(",").as_str()));
    }
    outline
}

// --- reading OPML ------------------------------------------------------------------------

/// A feed found in an OPML file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    /// `xmlUrl`, trimmed.
    pub url: String,
    /// `text`: the name the reader showed it under (its user may have renamed it), white
    /// space collapsed.
    pub text: Option<String>,
    /// `title`: the feed's own title, as OPML 2.0 defines it, white space collapsed.
    pub title: Option<String>,
    /// The names of the folders it is in (outlines without `xmlUrl`), outermost first.
    pub folders: Vec<String>,
    /// The parts of its `category` (comma-separated, slash-delimited: `/tv,/k-drama`).
    pub categories: Vec<String>,
}

/// Why a file is not an OPML list of feeds: each says what the file is instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpmlError {
    /// Nothing but white space.
    #[error("the file is empty")]
    Empty,
    /// Bytes that are not text: not UTF-8 (or UTF-16 with a BOM), no encoding declared.
    #[error("this is not a text file (it is not UTF-8 and declares no other encoding)")]
    NotText,
    /// Another kind of document: an HTML page, a feed, JSON, plain text, other XML.
    #[error("this is {what}, not an OPML file{hint}")]
    NotOpml {
        /// What the file is, e.g. "an HTML page".
        what: String,
        /// What to do instead, starting with ": " (or empty).
        hint: &'static str,
    },
    /// XML that is malformed or breaks off.
    #[error("this is not well-formed XML: {message} (line {line}, column {column})")]
    Malformed {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// What the XML parser says.
        message: String,
    },
    /// An OPML document that lists no feed.
    #[error("this OPML file lists no feeds: {found}")]
    NoFeeds {
        /// What it holds instead.
        found: String,
    },
}

const EXPORT_HINT: &str = ": export the subscriptions from the reader as OPML \
    (Miniflux: Settings > Import / Export > Export; FreshRSS: Subscription management > \
    Import / export > Export)";
const FEED_HINT: &str = ": to poll it, add its URL to feeds.toml as a [[feed]]";

/// The text of an OPML file: UTF-8 (with or without a BOM), UTF-16 with a BOM, or the
/// encoding its XML declaration names (`ISO-8859-1`, `windows-1252`...).
pub fn decode(bytes: &[u8]) -> Result<String, OpmlError> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let rest = bytes.get(bom..).unwrap_or_default();
        return Ok(encoding.decode_without_bom_handling(rest).0.into_owned());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]);
    declared_encoding(&head)
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
        .filter(|e| *e != encoding_rs::UTF_8)
        .map(|e| e.decode_without_bom_handling(bytes).0.into_owned())
        .ok_or(OpmlError::NotText)
}

/// The `encoding` of an XML declaration at the start of `head`.
fn declared_encoding(head: &str) -> Option<&str> {
    let decl = head.trim_start().strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?;
    let rest = rest.trim_start();
    let quote = rest.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let value = &rest[1..];
    Some(&value[..value.find(quote)?])
}

/// Every feed of an OPML document, at any depth, with the folders it is in; an error that
/// says what the text is when it is no OPML list of feeds.
pub fn outlines(text: &str) -> Result<Vec<Outline>, OpmlError> {
    let text = text.trim_start_matches('\u{feff}');
    let start = text.trim_start();
    if start.is_empty() {
        return Err(OpmlError::Empty);
    }
    if !start.starts_with('<') {
        return Err(not_markup(start));
    }
    let mut reader = quick_xml::Reader::from_str(text);
    let mut walk = Walk::default();
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(0);
                return Err(malformed(text, at, &e.to_string()));
            }
        };
        match event {
            Event::Eof => return walk.finish(text),
            Event::DocType(d) if !walk.root && is_html_doctype(&d) => {
                return Err(not_opml("an HTML page", EXPORT_HINT))
            }
            Event::Start(e) => walk.open(&e, true)?,
            Event::Empty(e) => walk.open(&e, false)?,
            Event::End(e) => walk.close(&e),
            _ => {}
        }
    }
}

fn not_opml(what: &str, hint: &'static str) -> OpmlError {
    OpmlError::NotOpml {
        what: what.to_owned(),
        hint,
    }
}

/// What a file that does not start with `<` is.
fn not_markup(start: &str) -> OpmlError {
    if start.starts_with(['{', '[']) {
        return if start.contains("jsonfeed.org/version") {
            not_opml("a JSON Feed", FEED_HINT)
        } else {
            not_opml("JSON", EXPORT_HINT)
        };
    }
    let preview: String = start
        .chars()
        .take(40)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    OpmlError::NotOpml {
        what: format!("plain text (it starts with {:?})", preview.trim_end()),
        hint: EXPORT_HINT,
    }
}

fn is_html_doctype(d: &quick_xml::events::BytesText<'_>) -> bool {
    String::from_utf8_lossy(d)
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("html")
}

/// The malformed-XML error at byte `at` of `text`, with its line and column.
fn malformed(text: &str, at: usize, message: &str) -> OpmlError {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    OpmlError::Malformed {
        line: before.matches('\n').count() + 1,
        column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
        message: message.to_owned(),
    }
}

/// Case-insensitive comparison of an XML name with an ASCII one.
fn is(name: &[u8], want: &str) -> bool {
    name.eq_ignore_ascii_case(want.as_bytes())
}

/// The walk through an OPML document: its root checked, the folders open around the
/// current element, the feeds found.
#[derive(Default)]
struct Walk {
    /// Whether the root element (`<opml>`) was seen.
    root: bool,
    /// The elements open around the current one.
    open: Vec<String>,
    /// One entry per open `<outline>`: the folder's name, or `None` for a feed with
    /// children.
    folders: Vec<Option<String>>,
    /// Outlines seen, feeds or not.
    seen: usize,
    out: Vec<Outline>,
}

impl Walk {
    /// An element starts (`open`: it has content, so it is closed later).
    fn open(&mut self, e: &BytesStart<'_>, open: bool) -> Result<(), OpmlError> {
        if open {
            self.open
                .push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
        }
        if !self.root {
            self.root = true;
            return check_root(e);
        }
        if !is(e.local_name().as_ref(), "outline") {
            return Ok(());
        }
        self.seen += 1;
        let a = Attributes::of(e);
        let folder = match a.url {
            Some(url) => {
                self.out.push(Outline {
                    url,
                    text: a.text,
                    title: a.title,
                    folders: self.folders.iter().flatten().cloned().collect(),
                    categories: a.categories,
                });
                None
            }
            None => Some(a.text.or(a.title).unwrap_or_default()),
        };
        if open {
            self.folders.push(folder);
        }
        Ok(())
    }

    /// An element ends.
    fn close(&mut self, e: &quick_xml::events::BytesEnd<'_>) {
        self.open.pop();
        if is(e.local_name().as_ref(), "outline") {
            self.folders.pop();
        }
    }

    /// The feeds found, once the whole of `text` is read.
    fn finish(self, text: &str) -> Result<Vec<Outline>, OpmlError> {
        if let Some(inside) = self.open.last() {
            let message = format!("the file ends inside <{inside}> (is it cut short?)");
            return Err(malformed(text, text.len(), &message));
        }
        if !self.root {
            return Err(not_opml("XML without any element", EXPORT_HINT));
        }
        if self.out.is_empty() {
            let found = match self.seen {
                0 => "it has no <outline> element".to_owned(),
                1 => "its one <outline> has no xmlUrl".to_owned(),
                n => format!("none of its {n} <outline> elements has an xmlUrl"),
            };
            return Err(OpmlError::NoFeeds { found });
        }
        Ok(self.out)
    }
}

/// The root element must be `<opml>`; anything else says what the document is.
fn check_root(e: &BytesStart<'_>) -> Result<(), OpmlError> {
    let name = e.local_name();
    let name = name.as_ref();
    if is(name, "opml") {
        return Ok(());
    }
    Err(if is(name, "html") {
        not_opml("an HTML page", EXPORT_HINT)
    } else if is(name, "rss") {
        not_opml("an RSS feed", FEED_HINT)
    } else if is(name, "rdf") {
        not_opml("an RSS 1.0 (RDF) feed", FEED_HINT)
    } else if is(name, "feed") {
        not_opml("an Atom feed", FEED_HINT)
    } else {
        let full = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        OpmlError::NotOpml {
            what: format!("an XML document whose root element is <{full}>"),
            hint: ": an OPML file starts with <opml>",
        }
    })
}

/// The attributes of an `<outline>` an import reads.
#[derive(Default)]
struct Attributes {
    url: Option<String>,
    text: Option<String>,
    title: Option<String>,
    categories: Vec<String>,
}

impl Attributes {
    fn of(e: &BytesStart<'_>) -> Attributes {
        let mut a = Attributes::default();
        for attr in e.attributes().with_checks(false).flatten() {
            let value = match attr.unescape_value() {
                Ok(v) => v.into_owned(),
                // An HTML entity (`&eacute;`) XML does not know: the text as written.
                Err(_) => String::from_utf8_lossy(&attr.value).into_owned(),
            };
            let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
            let key = attr.key.local_name();
            let key = key.as_ref();
            if value.is_empty() {
                continue;
            } else if is(key, "xmlUrl") {
                a.url = Some(value);
            } else if is(key, "text") {
                a.text = Some(value);
            } else if is(key, "title") {
                a.title = Some(value);
            } else if is(key, "category") {
                a.categories = value
                    .split(',')
                    .flat_map(|c| c.split('/'))
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
        }
        a
    }
}

// --- planning an import --------------------------------------------------------------------

/// A feed an import adds to feeds.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeed {
    /// Its new id, unique in the file.
    pub id: String,
    /// Its URL, as the OPML file gives it (`feed://` read as `http://`).
    pub url: String,
    /// The outline's `text`, kept as `title` where it differs from the feed's own title.
    pub title: Option<String>,
    /// Tags from its folders and `category`, outermost folder first.
    pub tags: Vec<String>,
    /// Written as `allow_private = true` (`showfeed add --allow-private`).
    pub allow_private: bool,
}

/// Why a feed of an OPML file is not added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// feeds.toml polls it already, as this id at this URL (maybe another spelling of it).
    Present {
        /// The feed that has it.
        id: String,
        /// Its URL in feeds.toml.
        url: String,
    },
    /// The OPML file lists it (or another spelling of it) earlier, added as this id.
    Repeated {
        /// The id the first listing gets.
        id: String,
    },
    /// Its URL cannot be polled: why.
    BadUrl(String),
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::Present { id, url } => write!(f, "already in feeds.toml as {id} ({url})"),
            Skip::Repeated { id } => write!(f, "listed earlier in this file, as {id}"),
            Skip::BadUrl(why) => write!(f, "cannot be polled: {why}"),
        }
    }
}

/// What an import adds and skips.
#[derive(Debug, Default)]
pub struct Imported {
    /// The feeds added, in the OPML file's order.
    pub added: Vec<NewFeed>,
    /// The feeds skipped: the URL as the OPML file gives it, and why.
    pub skipped: Vec<(String, Skip)>,
    /// Folder names that give no tag, and why: a reader's default folder ("All",
    /// "Uncategorized"), or no letter or digit to make one of.
    pub untagged_folders: Vec<(String, &'static str)>,
    /// Whether feeds.toml was rewritten (not for a dry run, nor when nothing is new).
    pub written: bool,
}

/// What importing `outlines` into `config` adds and skips (nothing is written).
pub fn plan(config: &Config, outlines: Vec<Outline>) -> Imported {
    // Every URL key feeds.toml or this import has, and who has it.
    let mut taken: HashMap<String, Skip> = config
        .feeds
        .iter()
        .map(|f| {
            let present = Skip::Present {
                id: f.id.clone(),
                url: f.url.to_string(),
            };
            (feed_key(&f.url), present)
        })
        .collect();
    let mut ids: HashSet<String> = config.feeds.iter().map(|f| f.id.clone()).collect();
    let mut result = Imported::default();
    for o in outlines {
        let (url, parsed) = match feed_url(&o.url) {
            Ok(u) => u,
            Err(why) => {
                result.skipped.push((o.url, Skip::BadUrl(why)));
                continue;
            }
        };
        let key = feed_key(&parsed);
        if let Some(skip) = taken.get(&key) {
            result.skipped.push((o.url, skip.clone()));
            continue;
        }
        let id = unique_id(&base_id(&o, &parsed), &ids);
        ids.insert(id.clone());
        taken.insert(key, Skip::Repeated { id: id.clone() });
        let tags = outline_tags(&o, &mut result.untagged_folders);
        result.added.push(NewFeed {
            id,
            url,
            title: kept_title(&o),
            tags,
            allow_private: false,
        });
    }
    result
}

/// The key two spellings of one feed URL share: the dedup URL key for http(s), the URL
/// itself for `file://`.
fn feed_key(url: &Url) -> String {
    crate::dedup::url_key(url.as_str()).unwrap_or_else(|| url.to_string())
}

/// An outline's URL as feeds.toml will hold it, and parsed: http(s) with a host, or
/// `file://` with an absolute path (what validation accepts); `feed://` and `feed:https://`
/// (the old feed-protocol links) read as http(s).
fn feed_url(raw: &str) -> Result<(String, Url), String> {
    let raw = raw.trim();
    let fixed = match raw.strip_prefix("feed:") {
        Some(rest) if rest.starts_with("http://") || rest.starts_with("https://") => {
            rest.to_owned()
        }
        Some(rest) => format!("http:{rest}"),
        None => raw.to_owned(),
    };
    match Url::parse(&fixed) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok((fixed, u)),
        Ok(u) if u.scheme() == "file" && u.to_file_path().is_ok() => Ok((fixed, u)),
        Ok(u) => Err(format!(
            "scheme {:?} is not http, https or file",
            u.scheme()
        )),
        Err(e) => Err(format!("not a URL ({e})")),
    }
}

/// The outline's `text`, when it says something the feed's own title (`title`) does not.
fn kept_title(o: &Outline) -> Option<String> {
    match (&o.text, &o.title) {
        (Some(text), Some(own)) if text == own => None,
        (Some(text), _) => Some(text.clone()),
        (None, _) => None,
    }
}

/// The folders readers put feeds in when their user chose none (Miniflux: "All";
/// FreshRSS, Tiny Tiny RSS: "Uncategorized"): not a tag.
const DEFAULT_FOLDERS: &[&str] = &["all", "uncategorized", "uncategorised"];

/// Tags from the outline's folders and categories, each slugified, in order, no repeats;
/// folder names with nothing to make a tag of, and readers' default folders, are noted in
/// `untagged`.
fn outline_tags(o: &Outline, untagged: &mut Vec<(String, &'static str)>) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for name in o.folders.iter().chain(&o.categories) {
        let slug = slugify(name);
        let words: Vec<String> = slug.split('-').map(str::to_owned).collect();
        let why = match cut_words(&words) {
            _ if DEFAULT_FOLDERS.contains(&slug.as_str()) => "a reader's default folder",
            None => "no letter or digit to make a tag of",
            Some(tag) => {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
                continue;
            }
        };
        if !untagged.iter().any(|(n, _)| n == name) {
            untagged.push((name.clone(), why));
        }
    }
    tags
}

/// An id made from the outline's `text` (else `title`), else from its URL's host (or file
/// name), else `feed`.
fn base_id(o: &Outline, url: &Url) -> String {
    o.text
        .iter()
        .chain(&o.title)
        .find_map(|name| name_id(name))
        .or_else(|| host_id(url))
        .unwrap_or_else(|| "feed".to_owned())
}

/// What separates a feed's name from a tagline in its title ("Soompi: K-pop news, ...").
const SEPARATORS: &[&str] = &[": ", " - ", " – ", " — ", " | ", " · ", " :: "];

/// An id from a feed's name: its readable words, as many as fit; when they do not all fit
/// and the name has a tagline, the part before it. `None` for a name in another script, a
/// URL, or nothing readable.
fn name_id(name: &str) -> Option<String> {
    if name.contains("://") {
        return None;
    }
    let words = readable_words(name)?;
    let id = cut_words(&words)?;
    if id.len() == words.join("-").len() {
        return Some(id);
    }
    let head = SEPARATORS
        .iter()
        .filter_map(|sep| name.find(sep))
        .min()
        .map(|at| &name[..at]);
    head.and_then(readable_words)
        .and_then(|w| cut_words(&w))
        .or(Some(id))
}

/// `base`, or `base-2`, `base-3`... whichever no feed has.
fn unique_id(base: &str, ids: &HashSet<String>) -> String {
    if !ids.contains(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| {
            let suffix = format!("-{n}");
            let room = MAX_SLUG - suffix.len();
            // Ids are ASCII: any byte is a character boundary.
            let stem = base[..base.len().min(room)].trim_end_matches('-');
            format!("{stem}{suffix}")
        })
        .find(|id| !ids.contains(id))
        .unwrap_or_else(|| base.to_owned())
}

/// Words that say nothing about a feed at the end of its title ("Variety RSS Feed").
const NOISE: &[&str] = &["rss", "atom", "feed", "feeds", "xml"];

/// The words of `name` folded to lower-case ASCII (`[a-z0-9]` each), from the Latin, Greek
/// and Cyrillic words (accents folded, the others romanized letter by letter); `None` when
/// most of its letters are in another script (Hangul, kana, Han, Arabic...), whose
/// romanization nobody reads as a name. Trailing noise ("RSS", "feed") is dropped.
fn readable_words(name: &str) -> Option<Vec<String>> {
    let letters = name.chars().filter(|c| c.is_alphabetic());
    let (readable, other) = letters.fold((0, 0), |(r, o), c| {
        if romanizable(c) {
            (r + 1, o)
        } else {
            (r, o + 1)
        }
    });
    if other > readable {
        return None;
    }
    let mut words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric() && !matches!(c, '\'' | '’'))
        .filter(|w| w.chars().all(|c| !c.is_alphabetic() || romanizable(c)))
        .map(|w| {
            let ascii = deunicode::deunicode(w).to_ascii_lowercase();
            ascii
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect();
    while words.len() > 1 && words.last().is_some_and(|w| NOISE.contains(&w.as_str())) {
        words.pop();
    }
    Some(words)
}

/// Letters whose ASCII folding reads as the word: Latin with its accents, Greek, Cyrillic.
fn romanizable(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(u32::from(c),
            0xC0..=0x24F        // Latin-1 Supplement, Latin Extended-A and -B
            | 0x1E00..=0x1EFF   // Latin Extended Additional (Vietnamese)
            | 0x2C60..=0x2C7F | 0xA720..=0xA7FF
            | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A // fullwidth Latin
            | 0x370..=0x3FF | 0x1F00..=0x1FFF // Greek
            | 0x400..=0x52F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F) // Cyrillic
}

/// `words` joined with `-`, as many whole words as fit in [`MAX_ID`] characters (never a
/// word cut); one longer first word is kept whole up to [`MAX_SLUG`]. `None` when there is
/// no word (or only an overlong one).
fn cut_words(words: &[String]) -> Option<String> {
    let mut words = words.iter().filter(|w| !w.is_empty());
    let first = words.next()?;
    if first.len() > MAX_SLUG {
        return None;
    }
    let mut out = first.clone();
    for w in words {
        if out.len() + 1 + w.len() > MAX_ID {
            break;
        }
        out.push('-');
        out.push_str(w);
    }
    Some(out)
}

/// Labels in front of a host name that say nothing about the site.
const HOST_PREFIXES: &[&str] = &["www", "www2", "www3", "m", "amp", "feeds", "feed", "rss"];
/// Second-level labels of country domains (`bbc.co.uk`, `asahi.co.jp`).
const GENERIC_SLD: &[&str] = &[
    "co", "com", "net", "org", "ac", "or", "ne", "go", "gov", "edu",
];

/// An id from the URL: the site's name in its host (`www.soompi.com` -> `soompi`,
/// `feeds.bbci.co.uk` -> `bbci`), an IP address as digits, a file's name without its
/// extension.
fn host_id(url: &Url) -> Option<String> {
    if url.scheme() == "file" {
        let path = url.to_file_path().ok()?;
        let stem = path.file_stem()?.to_str()?;
        return cut_words(&readable_words(stem)?);
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let mut labels: Vec<&str> = host
        .trim_matches(['[', ']'])
        .split(['.', ':'])
        .filter(|l| !l.is_empty())
        .collect();
    if matches!(url.host(), Some(url::Host::Domain(_))) {
        while labels.len() > 2 && HOST_PREFIXES.contains(&labels[0]) {
            labels.remove(0);
        }
        if labels.len() >= 2 {
            labels.pop();
        }
        if labels.len() >= 2 && labels.last().is_some_and(|l| GENERIC_SLD.contains(l)) {
            labels.pop();
        }
    }
    let words: Vec<String> = slugify(&labels.join("-"))
        .split('-')
        .map(str::to_owned)
        .collect();
    cut_words(&words)
}

// --- writing feeds.toml ----------------------------------------------------------------------

/// Why an import could not be done (nothing is written then).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file to import is no OPML list of feeds.
    #[error(transparent)]
    Opml(#[from] OpmlError),
    /// feeds.toml could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The config file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// feeds.toml is invalid (it changed since it was loaded): fix it first.
    #[error("{0}\n(fix the config file first: `showfeed check` lists every error)")]
    Invalid(ConfigError),
    /// feeds.toml has `feed` in another form than `[[feed]]` tables.
    #[error(
        "`feed` in {} is not an array of tables ([[feed]]), so feeds cannot be added to it",
        path.display()
    )]
    NotFeedTables {
        /// The config file.
        path: PathBuf,
    },
    /// The file with the new feeds would not validate (a bug: nothing is written).
    #[error("the config with the new feeds would not validate, so nothing was written: {0}")]
    WouldNotValidate(Diagnostics),
    /// The new file could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file being written.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Imports the feeds of `opml` (the text of the file named `from`) into the config file at
/// `config_path`: feeds it already has are skipped, the others added after its last
/// `[[feed]]` with its comments and layout kept, and the file replaced once the result
/// validates. `dry_run` does everything but the writing.
pub fn import(
    config_path: &Path,
    opml: &str,
    from: &str,
    dry_run: bool,
) -> Result<Imported, ImportError> {
    let outlines = outlines(opml)?;
    let (text, config) = current(config_path)?;
    let mut result = plan(&config, outlines);
    let from: String = from.chars().filter(|c| !c.is_control()).collect();
    let note = format!("imported from {from}");
    result.written = write_feeds(config_path, &text, &note, &result.added, dry_run)?;
    Ok(result)
}

/// The config file at `config_path` as it is now, which is what gets edited (not an older
/// load of it): its text, and validated.
pub fn current(config_path: &Path) -> Result<(String, Config), ImportError> {
    let text = std::fs::read_to_string(config_path).map_err(|source| ImportError::Read {
        path: config_path.to_path_buf(),
        source,
    })?;
    let config = Config::parse(&text, config_path).map_err(ImportError::Invalid)?;
    Ok((text, config))
}

/// Appends `feeds` to `text` (the config file at `config_path` as it is now) under a
/// `# NOTE on DATE` comment, checks that the result validates, and unless `dry_run` replaces
/// the file with it. Whether the file was written.
pub fn write_feeds(
    config_path: &Path,
    text: &str,
    note: &str,
    feeds: &[NewFeed],
    dry_run: bool,
) -> Result<bool, ImportError> {
    if feeds.is_empty() {
        return Ok(false);
    }
    let new_text = with_feeds(text, config_path, note, feeds)?;
    // Never a file the daemon would refuse.
    if let Err(ConfigError::Invalid(d)) = Config::parse(&new_text, config_path) {
        return Err(ImportError::WouldNotValidate(d));
    }
    if dry_run {
        return Ok(false);
    }
    replace(config_path, &new_text)?;
    Ok(true)
}

/// `text` with `feeds` appended as `[[feed]]` tables after its last one, the first under a
/// comment: `note` (where they come from) and the date.
fn with_feeds(
    text: &str,
    path: &Path,
    note: &str,
    feeds: &[NewFeed],
) -> Result<String, ImportError> {
    let not_tables = || ImportError::NotFeedTables {
        path: path.to_path_buf(),
    };
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|_| not_tables())?;
    let array = doc
        .entry("feed")
        .or_insert_with(|| toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .ok_or_else(not_tables)?;
    let today = chrono::Utc::now().format("%Y-%m-%d");
    for (i, f) in feeds.iter().enumerate() {
        let mut table = toml_edit::Table::new();
        table.insert("id", toml_edit::value(f.id.as_str()));
        table.insert("url", toml_edit::value(f.url.as_str()));
        if let Some(t) = &f.title {
            table.insert("title", toml_edit::value(t.as_str()));
        }
        if !f.tags.is_empty() {
            let tags: toml_edit::Array = f.tags.iter().map(String::as_str).collect();
            table.insert("tags", toml_edit::value(tags));
        }
        if f.allow_private {
            table.insert("allow_private", toml_edit::value(true));
        }
        let prefix = if i == 0 {
            format!("\n# {note} on {today}\n")
        } else {
            "\n".to_owned()
        };
        table.decor_mut().set_prefix(prefix);
        array.push(table);
    }
    Ok(doc.to_string())
}

/// Replaces the file at `path` (the file a symlink points to) with `text` atomically: a
/// temporary file beside it, with its permissions, synced, then renamed over it; the
/// daemon's directory watch sees the rename and reloads.
fn replace(path: &Path, text: &str) -> Result<(), ImportError> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let name = target
        .file_name()
        .map_or_else(|| "feeds.toml".into(), |n| n.to_string_lossy().into_owned());
    let tmp = target.with_file_name(format!(".{name}.import"));
    let write_error = |p: &Path, source| ImportError::Write {
        path: p.to_path_buf(),
        source,
    };
    let permissions = std::fs::metadata(&target).map(|m| m.permissions());
    let written = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        std::io::Write::write_all(&mut file, text.as_bytes())?;
        if let Ok(p) = permissions {
            file.set_permissions(p)?;
        }
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(write_error(&tmp, e));
    }
    std::fs::rename(&tmp, &target).map_err(|e| write_error(&target, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outline(text: Option<&str>, title: Option<&str>, url: &str) -> Outline {
        Outline {
            url: url.into(),
            text: text.map(str::to_owned),
            title: title.map(str::to_owned),
            ..Outline::default()
        }
    }

    fn id_of(text: &str, url: &str) -> String {
        let o = outline(Some(text), None, url);
        base_id(&o, &Url::parse(url).unwrap())
    }

    #[test]
    fn ids_are_short_readable_and_never_cut_mid_word() {
        let url = "https://www.soompi.com/feed";
        for (text, want) in [
            ("Variety", "variety"),
            ("Deadline & Co", "deadline-co"),
            ("Grey's Anatomy – Recaps", "greys-anatomy-recaps"),
            ("Pokémon Horizons: Überblick", "pokemon-horizons-uberblick"),
            // 32 characters at most, cut before the word that does not fit.
            (
                "The Hollywood Reporter Television Reviews",
                "the-hollywood-reporter",
            ),
            (
                "Soompi K-pop news, K-drama news, and more from Korea",
                "soompi-k-pop-news-k-drama-news",
            ),
            // Too long with its tagline: the name before it.
            (
                "Crunchyroll News: The latest anime news, reviews and announcements",
                "crunchyroll-news",
            ),
            ("Variety - TV News", "variety-tv-news"),
            ("https://www.soompi.com/feed", "soompi"),
            ("Anime News Network RSS Feed", "anime-news-network"),
            ("RSS", "rss"),
            ("Новости кино", "novosti-kino"),
            // Another script: the host's name.
            ("연예 뉴스", "soompi"),
            ("アニメニュース", "soompi"),
            ("MBC 뉴스", "mbc"),
            ("★★★", "soompi"),
        ] {
            let id = id_of(text, url);
            assert_eq!(id, want, "{text}");
            assert!(id.len() <= MAX_ID, "{id}");
        }
        for (url, want) in [
            ("https://www.soompi.com/feed", "soompi"),
            ("http://feeds.bbci.co.uk/news/rss.xml", "bbci"),
            ("https://news.naver.com/rss", "news-naver"),
            ("http://127.0.0.1:8080/a.rss", "127-0-0-1"),
            ("http://[::1]:8080/a.rss", "1"),
            ("file:///srv/feeds/local-news.xml", "local-news"),
            ("https://localhost/x", "localhost"),
        ] {
            assert_eq!(id_of("드라마", url), want, "{url}");
        }
        let taken: HashSet<String> = ["soompi".into(), "soompi-2".into()].into();
        assert_eq!(unique_id("soompi", &taken), "soompi-3");
        assert_eq!(unique_id("variety", &taken), "variety");
        let long = "a".repeat(64);
        let taken: HashSet<String> = [long.clone()].into();
        assert_eq!(unique_id(&long, &taken).len(), 64);
    }

    #[test]
    fn folders_and_categories_become_tags() {
        let opml = r#"<?xml version="1.0"?>
<opml version="2.0"><head><title>x</title></head><body>
  <outline text="TV"><outline text="K-Drama &amp; Variety">
    <outline type="rss" text="Soompi" title="Soompi" xmlUrl=" https://www.soompi.com/feed "/>
  </outline></outline>
  <outline text="★"><outline text="All"><outline type="rss" text="A" xmlUrl="https://a.example/feed" category="/anime,/tv"/></outline></outline>
  <outline type="rss" text="B" xmlUrl="feed://b.example/rss"><outline text="child"/></outline>
  <outline type="rss" text="C" xmlUrl="https://c.example/rss"/>
</body></opml>"#;
        let found = outlines(opml).unwrap();
        assert_eq!(found.len(), 4);
        assert_eq!(found[0].url, "https://www.soompi.com/feed");
        assert_eq!(found[0].folders, ["TV", "K-Drama & Variety"]);
        assert_eq!(found[1].categories, ["anime", "tv"]);
        assert!(found[2].folders.is_empty() && found[3].folders.is_empty());
        let mut untagged = Vec::new();
        let tags: Vec<Vec<String>> = found
            .iter()
            .map(|o| outline_tags(o, &mut untagged))
            .collect();
        assert_eq!(tags[0], ["tv", "k-drama-variety"]);
        assert_eq!(tags[1], ["anime", "tv"]);
        assert_eq!(
            untagged,
            [
                ("★".to_owned(), "no letter or digit to make a tag of"),
                ("All".to_owned(), "a reader's default folder")
            ]
        );
        assert_eq!(feed_url(&found[2].url).unwrap().0, "http://b.example/rss");
    }

    #[test]
    fn files_that_are_not_opml_say_what_they_are() {
        for (text, want) in [
            ("", "the file is empty"),
            ("  \n ", "the file is empty"),
            (
                "<!DOCTYPE html>\n<html><head><meta charset=utf-8><title>x</title>",
                "this is an HTML page, not an OPML file: export",
            ),
            ("<html><body><p>hi", "this is an HTML page"),
            (
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel></channel></rss>",
                "this is an RSS feed, not an OPML file: to poll it",
            ),
            (
                "<feed xmlns=\"http://www.w3.org/2005/Atom\"></feed>",
                "this is an Atom feed",
            ),
            (
                "<rdf:RDF xmlns:rdf=\"x\"></rdf:RDF>",
                "this is an RSS 1.0 (RDF) feed",
            ),
            (
                "{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": []}",
                "this is a JSON Feed",
            ),
            ("{\"a\": 1}", "this is JSON, not an OPML file"),
            (
                "hello\u{0}world, this is not xml",
                "this is plain text (it starts with \"hello world, this is not xml\")",
            ),
            ("<catalog><book/></catalog>", "root element is <catalog>"),
            (
                "<opml version=\"2.0\"><head/><body></body></opml>",
                "lists no feeds: it has no <outline> element",
            ),
            (
                "<opml><body><outline text=\"Empty folder\"/><outline text=\"x\"/></body></opml>",
                "none of its 2 <outline> elements has an xmlUrl",
            ),
            (
                "<opml><body>\n<outline text=\"a\" xmlUrl=\"https://a.example/\">\n</body></opml>",
                "not well-formed XML",
            ),
            ("<opml><body>\n  <outline text=\"a\n", "line 2"),
        ] {
            let got = outlines(text).unwrap_err().to_string();
            assert!(got.contains(want), "{text:?}: {got}");
        }
        assert_eq!(decode(b"\xff\xfe<\0o\0").unwrap(), "<o");
        assert_eq!(
            decode(b"<?xml version='1.0' encoding='ISO-8859-1'?><opml>Caf\xe9</opml>").unwrap(),
            "<?xml version='1.0' encoding='ISO-8859-1'?><opml>Café</opml>"
        );
        assert_eq!(
            decode(b"\x89PNG\r\n\x1a\n\0\0\xff"),
            Err(OpmlError::NotText)
        );
    }

    #[test]
    fn titles_are_kept_only_where_they_differ_from_the_feeds_own() {
        let kept = |text, title| kept_title(&outline(text, title, "https://a.example/"));
        assert_eq!(kept(Some("Soompi"), Some("Soompi")), None);
        assert_eq!(
            kept(Some("My K-news"), Some("Soompi")),
            Some("My K-news".into())
        );
        assert_eq!(kept(Some("Only text"), None), Some("Only text".into()));
        assert_eq!(kept(None, Some("Own")), None);
    }
}
