//! Turns config text into a [`Config`], collecting every problem with its position.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use toml::Spanned;
use url::Url;

mod feed_http;

use super::raw::{RawConfig, RawFeed, RawPolling, RawServer, RawShow, RawView, KNOWN_KEYS};
use super::{
    Config, Dedup, DedupMode, Diagnostic, Diagnostics, Feed, Polling, Server, Show, Storage,
};
use crate::query::{parse_q, FeedQuery, Known};

mod notify;
mod rules;
mod spoilers;
mod websub;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);
/// How often retention runs unless `[storage] prune_every` says otherwise.
const DEFAULT_PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// The shortest `prune_every`: a pass walks the time index, so not more than this often.
const MIN_PRUNE_EVERY: Duration = Duration::from_secs(10);

/// Collects diagnostics against one text so spans can be turned into line and column.
struct Collector<'a> {
    text: &'a str,
    items: Vec<(usize, Diagnostic)>,
}

impl Collector<'_> {
    fn at(&mut self, span: Option<Range<usize>>, subject: Option<&str>, message: String) {
        let offset = span.map(|s| s.start).unwrap_or(0).min(self.text.len());
        let before = &self.text[..self.text.floor_char_boundary_compat(offset)];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        self.items.push((
            offset,
            Diagnostic {
                line,
                column,
                subject: subject.map(str::to_owned),
                message,
            },
        ));
    }

    fn spanned<T>(&mut self, value: &Spanned<T>, subject: Option<&str>, message: String) {
        self.at(Some(value.span()), subject, message);
    }

    /// The line of byte `offset` in the text.
    fn line(&self, offset: usize) -> usize {
        let offset = self
            .text
            .floor_char_boundary_compat(offset.min(self.text.len()));
        self.text[..offset].matches('\n').count() + 1
    }

    /// A required `key` that `entry` (a `[[feed]]`, `[[show]]` or `[[view]]`) lacks.
    fn missing<T>(&mut self, entry: &Spanned<T>, subject: Option<&str>, key: &str) {
        self.spanned(entry, subject, format!("missing required key `{key}`"));
    }
}

/// `str::floor_char_boundary` is unstable; offsets from the TOML parser are on boundaries
/// anyway, this only guards against a clamp landing inside a character.
trait FloorBoundary {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}

impl FloorBoundary for str {
    fn floor_char_boundary_compat(&self, mut i: usize) -> usize {
        while i > 0 && !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

pub(super) fn validate(text: &str, file: &Path) -> Result<Config, Diagnostics> {
    let mut c = Collector {
        text,
        items: Vec::new(),
    };
    let result = check(text, file, &mut c);
    if c.items.is_empty() {
        if let Some(config) = result {
            return Ok(config);
        }
    }
    c.items.sort_by_key(|(offset, _)| *offset);
    Err(Diagnostics {
        file: file.to_path_buf(),
        items: c.items.into_iter().map(|(_, d)| d).collect(),
    })
}

fn check(text: &str, file: &Path, c: &mut Collector<'_>) -> Option<Config> {
    // Syntax first with `toml`: toml_edit's error recovery panics on some invalid documents
    // (`==\n.=`: "all items have spans", toml_edit 0.23.10, found by fuzz/); on valid TOML it
    // is only used to find unknown keys.
    if let Err(e) = text.parse::<toml::Table>() {
        c.at(e.span(), None, e.message().trim().to_owned());
        return None;
    }
    let doc = match toml_edit::Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            c.at(e.span(), None, e.message().trim().to_owned());
            return None;
        }
    };
    unknown_keys(doc.as_table(), c);
    let raw: RawConfig = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            c.at(e.span(), None, e.message().trim().to_owned());
            return None;
        }
    };
    let base = file.parent().unwrap_or(Path::new("."));
    let server = server(&raw, c);
    let storage = storage(&raw, base, c);
    let polling = polling(&raw, c);
    let dedup = dedup(&raw, c);
    let mut feeds = feeds(&raw, polling.as_ref(), base, c);
    let tags = tag_index(&feeds);
    let (shows, spoilers) = shows(&raw, c);
    let views = views(&raw, &feeds, &tags, &shows, c);
    let rules = rules::check(&raw, &mut feeds, &shows, c);
    let websub = websub::websub(&raw, c);
    Some(Config {
        file: file.to_path_buf(),
        text: text.to_owned(),
        server: server?,
        storage: storage?,
        polling: polling?,
        dedup: dedup?,
        websub: websub?,
        feed_index: feeds
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id.clone(), i))
            .collect(),
        feeds,
        tags,
        shows,
        views,
        rules,
        spoilers,
    })
}

/// Every tag -> the ids of the feeds that have it, in file order.
fn tag_index(feeds: &[Feed]) -> BTreeMap<String, Vec<String>> {
    let mut tags = BTreeMap::<String, Vec<String>>::new();
    for f in feeds {
        for t in &f.tags {
            tags.entry(t.clone()).or_default().push(f.id.clone());
        }
    }
    tags
}

/// How a diagnostic names the `n`th entry of a `[[section]]` list: by its id or name when it
/// has one, else by its position.
fn entry_subject(section: &str, name: Option<&Spanned<String>>, n: usize) -> String {
    match name {
        Some(name) => format!("{section} `{}`", name.get_ref()),
        None => format!("{section} #{}", n + 1),
    }
}

/// `[[view]]`: each becomes a name and a query string, checked as a request would be.
fn views(
    raw: &RawConfig,
    feeds: &[Feed],
    tags: &BTreeMap<String, Vec<String>>,
    shows: &[Show],
    c: &mut Collector<'_>,
) -> Vec<super::View> {
    let known = Known {
        shows: &|slug| shows.iter().any(|s| s.slug == slug),
        sources: &|id| feeds.iter().any(|f| f.id == id),
        tags: &|tag| tags.get(tag).map(Vec::as_slice),
        kinds: super::NEWS_KINDS,
    };
    let mut names = HashSet::new();
    let mut out = Vec::new();
    for (n, view) in raw.view.iter().enumerate() {
        let v = view.get_ref();
        let subject = entry_subject("view", v.name.as_ref(), n);
        let subject = Some(subject.as_str());
        let Some(name) = view_name(view, subject, &mut names, c) else {
            continue;
        };
        let Some(query) = view_query(v, &known, subject, c) else {
            continue;
        };
        // Served views parse `query` like any request: what passed the checks above must pass
        // there too (limits such as the number of values per parameter included).
        if let Err(e) = FeedQuery::new().parse(Some(&query), &known, 0) {
            c.at(
                Some(view.span()),
                subject,
                format!("its filters are not a valid query: {e}"),
            );
            continue;
        }
        out.push(super::View {
            name,
            title: v
                .title
                .as_ref()
                .map(|t| t.get_ref().trim().to_owned())
                .filter(|t| !t.is_empty()),
            query,
            spoilers: spoilers::of(v.spoilers.as_ref(), v.spoilers_until.as_ref(), subject, c),
            notify: notify::targets(&v.notify, subject, c),
        });
    }
    out
}

/// A view's name: present, a valid URL segment, and not an earlier view's.
fn view_name(
    view: &Spanned<RawView>,
    subject: Option<&str>,
    names: &mut HashSet<String>,
    c: &mut Collector<'_>,
) -> Option<String> {
    let Some(name) = &view.get_ref().name else {
        c.missing(view, subject, "name");
        return None;
    };
    let value = name.get_ref();
    if !valid_id(value) {
        let message = format!("`name` = {value:?} must be 1-64 characters of a-z, 0-9 and '-'");
        c.spanned(name, subject, message);
        return None;
    }
    if !names.insert(value.clone()) {
        c.spanned(name, subject, format!("duplicate view name {value:?}"));
        return None;
    }
    Some(value.clone())
}

/// A view's filters as a query string; `None` when any value is wrong (each one reported).
fn view_query(
    view: &RawView,
    known: &Known<'_>,
    subject: Option<&str>,
    c: &mut Collector<'_>,
) -> Option<String> {
    let mut q = ViewQuery::new(subject, c);
    for (key, list) in [("show", &view.show), ("exclude_show", &view.exclude_show)] {
        for slug in list {
            q.check(key, slug, (known.shows)(slug.get_ref()), |v| {
                format!("`{key}`: no show with slug {v:?} is configured")
            });
        }
    }
    for season in &view.season {
        let valid = known_season(season.get_ref(), known);
        q.check("season", season, valid, |v| {
            format!("`season` = {v:?} must be <configured show slug>/s<N>")
        });
    }
    for kind in &view.kind {
        let valid = known.kinds.contains(&kind.get_ref().as_str());
        q.check("kind", kind, valid, |v| {
            format!("`kind` = {v:?} must be one of {}", known.kinds.join(", "))
        });
    }
    for lang in &view.lang {
        let valid = crate::normalize::lang::bcp47(lang.get_ref()).is_some();
        q.check("lang", lang, valid, |v| {
            format!("`lang` = {v:?} must be a language tag like en, pt-br or ko")
        });
    }
    for source in &view.source {
        q.check("source", source, (known.sources)(source.get_ref()), |v| {
            format!("`source`: no feed with id {v:?} is configured")
        });
    }
    for tag in &view.tag {
        q.check("tag", tag, (known.tags)(tag.get_ref()).is_some(), |v| {
            format!("`tag`: no feed has the tag {v:?}")
        });
    }
    if let Some(words) = &view.q {
        match parse_q(words.get_ref(), known, crate::clock::now()) {
            Ok(_) => q.append("q", words.get_ref()),
            Err(e) => q.reject(words, e),
        }
    }
    if let Some(since) = &view.since {
        let valid = duration(since, subject, "since", (MINUTE, 3650 * DAY), q.c);
        q.append_checked("since", valid.map(|_| since.get_ref().clone()));
    }
    if let Some(limit) = &view.limit {
        let valid = integer(limit, "limit", (1, 1000), q.c);
        q.append_checked("limit", valid.map(|l| l.to_string()));
    }
    q.finish()
}

/// `<configured show slug>/s<N>`, N from 1.
fn known_season(season: &str, known: &Known<'_>) -> bool {
    season
        .rsplit_once("/s")
        .is_some_and(|(slug, n)| (known.shows)(slug) && n.parse::<u32>().is_ok_and(|n| n > 0))
}

/// A view's query string being built: every wrong value is reported where it is written,
/// and one is enough for the view to get no query.
struct ViewQuery<'s, 'c, 't> {
    pairs: url::form_urlencoded::Serializer<'static, String>,
    valid: bool,
    subject: Option<&'s str>,
    c: &'c mut Collector<'t>,
}

impl<'s, 'c, 't> ViewQuery<'s, 'c, 't> {
    fn new(subject: Option<&'s str>, c: &'c mut Collector<'t>) -> Self {
        ViewQuery {
            pairs: url::form_urlencoded::Serializer::new(String::new()),
            valid: true,
            subject,
            c,
        }
    }

    fn append(&mut self, key: &str, value: &str) {
        self.pairs.append_pair(key, value);
    }

    /// Reports a wrong value; the view gets no query.
    fn reject<T>(&mut self, value: &Spanned<T>, message: String) {
        self.c.spanned(value, self.subject, message);
        self.valid = false;
    }

    /// Appends `value` under `key` when `valid`, else reports `why(value)` at it.
    fn check(
        &mut self,
        key: &str,
        value: &Spanned<String>,
        valid: bool,
        why: impl FnOnce(&str) -> String,
    ) {
        if valid {
            self.append(key, value.get_ref());
        } else {
            self.reject(value, why(value.get_ref()));
        }
    }

    /// Appends the value of a check that reported its own problem (`None`).
    fn append_checked(&mut self, key: &str, value: Option<String>) {
        match value {
            Some(v) => self.append(key, &v),
            None => self.valid = false,
        }
    }

    fn finish(mut self) -> Option<String> {
        self.valid.then(|| self.pairs.finish())
    }
}

/// Reports every key that is not in [`KNOWN_KEYS`], with the position of the key itself.
fn unknown_keys(root: &toml_edit::Table, c: &mut Collector<'_>) {
    let known = |section: &str| {
        KNOWN_KEYS
            .iter()
            .find(|(name, _)| *name == section)
            .map_or(&[][..], |(_, keys)| *keys)
    };
    let check_table =
        |table: &toml_edit::Table, section: &str, subject: Option<&str>, c: &mut Collector<'_>| {
            for (key, _) in table.iter() {
                if !known(section).contains(&key) {
                    let span = table.key(key).and_then(|k| k.span());
                    let expected = known(section).join(", ");
                    let place = if section.is_empty() {
                        "at the top level".to_owned()
                    } else {
                        format!("in [{section}]")
                    };
                    let hint = crate::errors::did_you_mean(key, known(section).iter().copied());
                    c.at(
                        span,
                        subject,
                        format!("unknown key `{key}` {place}{hint} (expected one of: {expected})"),
                    );
                }
            }
        };
    check_table(root, "", None, c);
    for section in ["server", "storage", "polling", "dedup", "websub"] {
        if let Some(table) = root.get(section).and_then(|i| i.as_table()) {
            check_table(table, section, None, c);
        }
    }
    for section in ["feed", "show", "view"] {
        if let Some(array) = root.get(section).and_then(|i| i.as_array_of_tables()) {
            for (n, table) in array.iter().enumerate() {
                let name_key = if section == "feed" { "id" } else { "name" };
                let subject = match table.get(name_key).and_then(|i| i.as_str()) {
                    Some(name) => format!("{section} `{name}`"),
                    None => format!("{section} #{}", n + 1),
                };
                check_table(table, section, Some(&subject), c);
            }
        }
    }
}

fn duration(
    value: &Spanned<String>,
    subject: Option<&str>,
    key: &str,
    bounds: (Duration, Duration),
    c: &mut Collector<'_>,
) -> Option<Duration> {
    match humantime::parse_duration(value.get_ref().trim()) {
        Ok(d) if d >= bounds.0 && d <= bounds.1 => Some(d),
        Ok(d) => {
            c.spanned(
                value,
                subject,
                format!(
                    "`{key}` = {} is out of range: must be between {} and {}",
                    humantime::format_duration(d),
                    humantime::format_duration(bounds.0),
                    humantime::format_duration(bounds.1)
                ),
            );
            None
        }
        Err(e) => {
            c.spanned(
                value,
                subject,
                format!(
                    "`{key}` = {:?} is not a duration ({e}); write it like \"30m\", \"1h 30m\" or \"2d\"",
                    value.get_ref()
                ),
            );
            None
        }
    }
}

fn integer(
    value: &Spanned<i64>,
    key: &str,
    bounds: (i64, i64),
    c: &mut Collector<'_>,
) -> Option<i64> {
    let v = *value.get_ref();
    if v < bounds.0 || v > bounds.1 {
        c.spanned(
            value,
            None,
            format!(
                "`{key}` = {v} is out of range: must be between {} and {}",
                bounds.0, bounds.1
            ),
        );
        return None;
    }
    Some(v)
}

fn bytes(
    value: &Spanned<String>,
    key: &str,
    bounds: (u64, u64),
    c: &mut Collector<'_>,
) -> Option<u64> {
    match value.get_ref().trim().parse::<bytesize::ByteSize>() {
        Ok(b) if b.as_u64() >= bounds.0 && b.as_u64() <= bounds.1 => Some(b.as_u64()),
        Ok(b) => {
            c.spanned(
                value,
                None,
                format!(
                    "`{key}` = {b} is out of range: must be between {} and {}",
                    bytesize::ByteSize(bounds.0),
                    bytesize::ByteSize(bounds.1)
                ),
            );
            None
        }
        Err(e) => {
            c.spanned(
                value,
                None,
                format!(
                    "`{key}` = {:?} is not a size ({e}); write it like \"15MiB\"",
                    value.get_ref()
                ),
            );
            None
        }
    }
}

/// `[server] admin_token`: at least [`super::MIN_TOKEN`] characters, no spaces.
fn admin_token(s: Option<&RawServer>, ok: &mut bool, c: &mut Collector<'_>) -> Option<String> {
    let t = s.and_then(|s| s.admin_token.as_ref())?;
    let v = t.get_ref().trim();
    if v.chars().count() < super::MIN_TOKEN || v.chars().any(char::is_whitespace) {
        let message = format!(
            "`admin_token` must be at least {} characters without spaces (e.g. `openssl rand -hex 24`)",
            super::MIN_TOKEN
        );
        c.spanned(t, None, message);
        *ok = false;
        return None;
    }
    Some(v.to_owned())
}

fn server(raw: &RawConfig, c: &mut Collector<'_>) -> Option<Server> {
    let s = raw.server.as_ref();
    let mut ok = true;
    let listen = match s.and_then(|s| s.listen.as_ref()) {
        None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        Some(v) => match super::parse_listen(v.get_ref()) {
            Ok(a) => a,
            Err(why) => {
                c.spanned(v, None, format!("`listen` = {why}"));
                ok = false;
                SocketAddr::from(([127, 0, 0, 1], 8080))
            }
        },
    };
    let default_url = format!("http://localhost:{}", listen.port());
    let public_url = match s.and_then(|s| s.public_url.as_ref()) {
        None => Url::parse(&default_url).ok()?,
        Some(v) => match Url::parse(v.get_ref().trim_end_matches('/')) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => u,
            _ => {
                c.spanned(
                    v,
                    None,
                    format!(
                        "`public_url` = {:?} must be an absolute http(s) URL",
                        v.get_ref()
                    ),
                );
                ok = false;
                Url::parse(&default_url).ok()?
            }
        },
    };
    let title = match s.and_then(|s| s.title.as_ref()) {
        Some(t) if t.get_ref().trim().is_empty() => {
            c.spanned(t, None, "`title` must not be empty".into());
            ok = false;
            String::new()
        }
        Some(t) => t.get_ref().trim().to_owned(),
        None => "Showfeed".to_owned(),
    };
    let log_level = match s.and_then(|s| s.log_level.as_ref()) {
        Some(l) => match tracing_subscriber::EnvFilter::try_new(l.get_ref()) {
            Ok(_) => l.get_ref().clone(),
            Err(e) => {
                c.spanned(
                    l,
                    None,
                    format!(
                        "`log_level` = {:?} is not a tracing filter: {e}",
                        l.get_ref()
                    ),
                );
                ok = false;
                String::new()
            }
        },
        None => "info".to_owned(),
    };
    let admin_token = admin_token(s, &mut ok, c);
    ok.then_some(Server {
        listen,
        public_url,
        title,
        admin_token,
        log_level,
    })
}

fn storage(raw: &RawConfig, base: &Path, c: &mut Collector<'_>) -> Option<Storage> {
    let s = raw.storage.as_ref();
    let mut ok = true;
    let path = match s.and_then(|s| s.path.as_ref()) {
        Some(p) if p.get_ref().trim().is_empty() => {
            c.spanned(p, None, "`path` must not be empty".into());
            ok = false;
            base.join("data")
        }
        Some(p) => base.join(p.get_ref()),
        None => base.join("data"),
    };
    let retention_days = match s.and_then(|s| s.retention_days.as_ref()) {
        Some(v) => integer(v, "retention_days", (1, 36_500), c).unwrap_or_else(|| {
            ok = false;
            1
        }),
        None => 90,
    };
    let max_entries = match s.and_then(|s| s.max_entries.as_ref()) {
        Some(v) => integer(v, "max_entries", (1, 100_000_000), c).unwrap_or_else(|| {
            ok = false;
            1
        }),
        None => 50_000,
    };
    let cache_bytes = match s.and_then(|s| s.cache.as_ref()) {
        Some(v) => bytes(v, "cache", (1 << 20, 64 << 30), c).unwrap_or_else(|| {
            ok = false;
            0
        }),
        None => 32 << 20,
    };
    let prune_every = match s.and_then(|s| s.prune_every.as_ref()) {
        Some(v) => {
            duration(v, None, "prune_every", (MIN_PRUNE_EVERY, DAY), c).unwrap_or_else(|| {
                ok = false;
                DEFAULT_PRUNE_EVERY
            })
        }
        None => DEFAULT_PRUNE_EVERY,
    };
    ok.then(|| Storage {
        path,
        retention: DAY * retention_days as u32,
        max_entries: max_entries as usize,
        cache_bytes,
        prune_every,
    })
}

/// The interval keys of `[polling]`.
struct Intervals {
    interval: Duration,
    min_gap: Duration,
    adaptive: bool,
    timeout: Duration,
    min_interval: Duration,
    max_interval: Duration,
}

/// `interval` (a duration or "auto"), `adaptive`, `min_interval`, `max_interval` and
/// `timeout` of `[polling]`; `None` when one is wrong (each is reported).
fn intervals(p: Option<&RawPolling>, c: &mut Collector<'_>) -> Option<Intervals> {
    let mut ok = true;
    let (interval, auto) = match p.and_then(|p| p.interval.as_ref()) {
        None => (30 * MINUTE, false),
        Some(v) => match interval_setting(v, None, c) {
            Some(Interval::Auto) => (30 * MINUTE, true),
            Some(Interval::Every(d)) => (d, false),
            None => {
                ok = false;
                (30 * MINUTE, false)
            }
        },
    };
    let mut dur = |v: Option<&Spanned<String>>,
                   key: &str,
                   default: Duration,
                   bounds,
                   c: &mut Collector<'_>| match v {
        Some(v) => duration(v, None, key, bounds, c).unwrap_or_else(|| {
            ok = false;
            default
        }),
        None => default,
    };
    let timeout = dur(
        p.and_then(|p| p.timeout.as_ref()),
        "timeout",
        Duration::from_secs(30),
        (Duration::from_secs(1), 10 * MINUTE),
        c,
    );
    let max_interval = dur(
        p.and_then(|p| p.max_interval.as_ref()),
        "max_interval",
        DAY,
        (MINUTE, 30 * DAY),
        c,
    );
    let min_interval = dur(
        p.and_then(|p| p.min_interval.as_ref()),
        "min_interval",
        5 * MINUTE,
        (MINUTE, 7 * DAY),
        c,
    );
    let min_gap = dur(
        p.and_then(|p| p.min_gap.as_ref()),
        "min_gap",
        Duration::ZERO,
        (Duration::ZERO, MINUTE),
        c,
    );
    if let Some(v) = p.and_then(|p| p.min_interval.as_ref()) {
        if ok && min_interval > max_interval {
            c.spanned(
                v,
                None,
                format!(
                    "`min_interval` = {} is longer than `max_interval` = {}",
                    humantime::format_duration(min_interval),
                    humantime::format_duration(max_interval)
                ),
            );
            ok = false;
        }
    }
    let adaptive = auto
        || p.and_then(|p| p.adaptive.as_ref())
            .is_some_and(|b| *b.get_ref());
    ok.then_some(Intervals {
        interval,
        min_gap,
        adaptive,
        timeout,
        min_interval,
        max_interval,
    })
}

/// An `interval` value.
enum Interval {
    /// `"auto"`: follow the feed's posting rate.
    Auto,
    /// A fixed duration.
    Every(Duration),
}

/// `interval` = "auto" or a duration between a minute and a week (reported when wrong).
fn interval_setting(
    v: &Spanned<String>,
    subject: Option<&str>,
    c: &mut Collector<'_>,
) -> Option<Interval> {
    let text = v.get_ref().trim();
    if text == "auto" {
        return Some(Interval::Auto);
    }
    if let Err(e) = humantime::parse_duration(text) {
        c.spanned(
            v,
            subject,
            format!("`interval` = {text:?} is neither \"auto\" nor a duration ({e}); write it like \"30m\", \"2h\" or \"auto\""),
        );
        return None;
    }
    duration(v, subject, "interval", (MINUTE, 7 * DAY), c).map(Interval::Every)
}

fn polling(raw: &RawConfig, c: &mut Collector<'_>) -> Option<Polling> {
    let p = raw.polling.as_ref();
    let times = intervals(p, c);
    let mut ok = times.is_some();
    let mut int = |v: Option<&Spanned<i64>>,
                   key: &str,
                   default: i64,
                   bounds,
                   c: &mut Collector<'_>| match v {
        Some(v) => integer(v, key, bounds, c).unwrap_or_else(|| {
            ok = false;
            default
        }),
        None => default,
    };
    let concurrency = int(
        p.and_then(|p| p.concurrency.as_ref()),
        "concurrency",
        16,
        (1, 1024),
        c,
    );
    let per_host = int(
        p.and_then(|p| p.per_host.as_ref()),
        "per_host",
        2,
        (1, 256),
        c,
    );
    let max_body = match p.and_then(|p| p.max_body.as_ref()) {
        Some(v) => bytes(v, "max_body", (1024, 1 << 30), c).unwrap_or_else(|| {
            ok = false;
            0
        }),
        None => 15 << 20,
    };
    let times = times?;
    ok.then_some(Polling {
        interval: times.interval,
        adaptive: times.adaptive,
        concurrency: concurrency as usize,
        per_host: per_host as usize,
        min_gap: times.min_gap,
        timeout: times.timeout,
        max_body,
        min_interval: times.min_interval,
        max_interval: times.max_interval,
        allow_private: p
            .and_then(|p| p.allow_private.as_ref())
            .is_some_and(|b| *b.get_ref()),
    })
}

fn dedup(raw: &RawConfig, c: &mut Collector<'_>) -> Option<Dedup> {
    let d = raw.dedup.as_ref();
    let mut ok = true;
    let mode = match d.and_then(|d| d.mode.as_ref()) {
        None => DedupMode::Collapse,
        Some(m) => match m.get_ref().as_str() {
            "collapse" => DedupMode::Collapse,
            "mark" => DedupMode::Mark,
            "off" => DedupMode::Off,
            other => {
                c.spanned(
                    m,
                    None,
                    format!("`mode` = {other:?} must be one of \"collapse\", \"mark\", \"off\""),
                );
                ok = false;
                DedupMode::Off
            }
        },
    };
    let window = match d.and_then(|d| d.window.as_ref()) {
        None => 72 * HOUR,
        Some(w) => duration(w, None, "window", (MINUTE, 30 * DAY), c).unwrap_or_else(|| {
            ok = false;
            HOUR
        }),
    };
    ok.then_some(Dedup { mode, window })
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

/// `[[feed]]`: every feed whose keys all pass; each problem of the others is reported.
fn feeds(
    raw: &RawConfig,
    polling: Option<&Polling>,
    base: &Path,
    c: &mut Collector<'_>,
) -> Vec<Feed> {
    if raw.feed.is_empty() {
        c.at(
            None,
            None,
            "no [[feed]] is configured: list at least one feed to poll".into(),
        );
    }
    let defaults = FeedDefaults {
        interval: polling.map_or(30 * MINUTE, |p| p.interval),
        adaptive: polling.is_some_and(|p| p.adaptive),
        allow_private: polling.is_some_and(|p| p.allow_private),
        base: base.to_path_buf(),
    };
    let mut seen = SeenFeeds::default();
    raw.feed
        .iter()
        .enumerate()
        .filter_map(|(n, feed)| one_feed(feed, n, &defaults, &mut seen, c))
        .collect()
}

/// Ids and feed URLs (by their exact-duplicate key) already used, with where.
#[derive(Default)]
struct SeenFeeds {
    /// Id -> byte offset of its first use.
    ids: HashMap<String, usize>,
    /// URL key -> (id, byte offset) of the first feed with it.
    urls: HashMap<String, (String, usize)>,
}

/// What a feed that does not say otherwise gets from `[polling]`.
struct FeedDefaults {
    interval: Duration,
    adaptive: bool,
    allow_private: bool,
    /// The config file's directory (`password_file` is relative to it).
    base: std::path::PathBuf,
}

/// The `n`th feed; every key is checked, so all of its problems are reported at once.
fn one_feed(
    feed: &Spanned<RawFeed>,
    n: usize,
    defaults: &FeedDefaults,
    seen: &mut SeenFeeds,
    c: &mut Collector<'_>,
) -> Option<Feed> {
    let f = feed.get_ref();
    let subject = entry_subject("feed", f.id.as_ref(), n);
    let subject = Some(subject.as_str());
    let id = feed_id(feed, subject, &mut seen.ids, c);
    let url = feed_url(feed, subject, c);
    if let (Some(id), Some(url), Some(raw_url)) = (&id, &url, &f.url) {
        same_url(id, url, raw_url, subject, &mut seen.urls, c);
    }
    let title = feed_title(f, subject, c);
    let tags = feed_tags(&f.tags, subject, c);
    let full_text = match super::full_text::full_text(
        f.full_text.as_ref(),
        f.content_selector.as_ref(),
        f.exclude_selector.as_ref(),
    ) {
        Ok(ft) => Some(ft),
        Err(problems) => {
            for (span, message) in problems {
                c.at(Some(span), subject, message);
            }
            None
        }
    };
    let (interval, adaptive) = match f.interval.as_ref().map(|i| interval_setting(i, subject, c)) {
        Some(Some(Interval::Every(d))) => (Some(d), false),
        Some(Some(Interval::Auto)) => (Some(defaults.interval), true),
        Some(None) => (None, false),
        None => (Some(defaults.interval), defaults.adaptive),
    };
    let http = feed_http::feed_http(f, &defaults.base, subject, c);
    Some(Feed {
        id: id?,
        url: url?,
        title: title?,
        interval: interval?,
        adaptive,
        allow_private: f
            .allow_private
            .as_ref()
            .map_or(defaults.allow_private, |b| *b.get_ref()),
        tags: tags?,
        full_text: full_text?,
        rules: super::Rules::default(),
        http: http?,
    })
}

/// A feed's tags: each a valid slug (a wrong one is reported with the slug it could be),
/// none twice.
fn feed_tags(
    list: &[Spanned<String>],
    subject: Option<&str>,
    c: &mut Collector<'_>,
) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    let mut ok = true;
    for tag in list {
        let v = tag.get_ref();
        let message = if !valid_id(v) {
            let hint = match slugify(v) {
                s if valid_id(&s) => format!(" (write {s:?})"),
                _ => String::new(),
            };
            format!(
                "tag {v:?} must be 1-64 characters of a-z, 0-9 and '-', not starting or ending \
                 with '-'{hint}"
            )
        } else if out.contains(v) {
            format!("tag {v:?} is given twice")
        } else {
            out.push(v.clone());
            continue;
        };
        c.spanned(tag, subject, message);
        ok = false;
    }
    ok.then_some(out)
}

/// A feed's id: present, `[a-z0-9-]`, and not an earlier feed's.
fn feed_id(
    feed: &Spanned<RawFeed>,
    subject: Option<&str>,
    seen: &mut HashMap<String, usize>,
    c: &mut Collector<'_>,
) -> Option<String> {
    let Some(id) = &feed.get_ref().id else {
        c.missing(feed, subject, "id");
        return None;
    };
    let v = id.get_ref();
    if !valid_id(v) {
        c.spanned(id, subject, format!("`id` = {v:?} must be 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-'"));
        return None;
    }
    if let Some(first) = seen.get(v) {
        let line = c.line(*first);
        let message =
            format!("duplicate feed id {v:?}: ids must be unique (first used on line {line})");
        c.spanned(id, subject, message);
        return None;
    }
    seen.insert(v.clone(), id.span().start);
    Some(v.clone())
}

/// Two feeds with one URL (or a variant of it: http/https, `www.`, a trailing slash,
/// tracking parameters) would poll it twice and drop one copy as reposts: an error.
fn same_url(
    id: &str,
    url: &Url,
    raw: &Spanned<String>,
    subject: Option<&str>,
    seen: &mut HashMap<String, (String, usize)>,
    c: &mut Collector<'_>,
) {
    let key = crate::dedup::url_key(url.as_str()).unwrap_or_else(|| url.to_string());
    match seen.get(&key) {
        Some((first, at)) => {
            let line = c.line(*at);
            let message = format!(
                "`url` is the same feed as feed `{first}` (line {line}): list each feed once"
            );
            c.spanned(raw, subject, message);
        }
        None => {
            seen.insert(key, (id.to_owned(), raw.span().start));
        }
    }
}

/// A feed's URL: http(s) with a host, or a `file://` URL with an absolute path.
fn feed_url(feed: &Spanned<RawFeed>, subject: Option<&str>, c: &mut Collector<'_>) -> Option<Url> {
    let Some(u) = &feed.get_ref().url else {
        c.missing(feed, subject, "url");
        return None;
    };
    match Url::parse(u.get_ref().trim()) {
        Ok(url)
            if matches!(url.scheme(), "http" | "https")
                && url.host_str().is_some_and(|h| !h.is_empty()) =>
        {
            Some(url)
        }
        Ok(url) if url.scheme() == "file" && url.to_file_path().is_ok() => Some(url),
        Ok(url) => {
            c.spanned(u, subject, format!("`url` = {:?} has scheme {:?}: only http, https and file:// URLs (with an absolute path) are allowed", u.get_ref(), url.scheme()));
            None
        }
        Err(e) => {
            let message = format!("`url` = {:?} is not a valid URL: {e}", u.get_ref());
            c.spanned(u, subject, message);
            None
        }
    }
}

/// A feed's own title, trimmed: `Some(None)` when it has none, `None` when it is empty.
fn feed_title(f: &RawFeed, subject: Option<&str>, c: &mut Collector<'_>) -> Option<Option<String>> {
    match &f.title {
        Some(t) if t.get_ref().trim().is_empty() => {
            c.spanned(
                t,
                subject,
                "`title` must not be empty (leave it out to use the feed's own title)".into(),
            );
            None
        }
        Some(t) => Some(Some(t.get_ref().trim().to_owned())),
        None => Some(None),
    }
}

/// The default slug rule from design.md: lower-cased, ASCII-folded, runs of non-alphanumerics
/// to one '-', trimmed.
pub fn slugify(name: &str) -> String {
    let folded = deunicode::deunicode(name).to_ascii_lowercase();
    let mut slug = String::with_capacity(folded.len());
    for ch in folded.chars() {
        if ch.is_ascii_alphanumeric() {
            slug.push(ch);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_owned()
}

/// `[[show]]`: every show whose keys all pass, and the spoiler embargoes of those that have
/// one; each problem of the others is reported.
fn shows(raw: &RawConfig, c: &mut Collector<'_>) -> (Vec<Show>, BTreeMap<String, super::Spoilers>) {
    let mut slugs = HashSet::new();
    let mut embargoes = BTreeMap::new();
    let shows = raw
        .show
        .iter()
        .enumerate()
        .filter_map(|(n, show)| {
            let (show, spoilers) = one_show(show, n, &mut slugs, c)?;
            if spoilers.is_set() {
                embargoes.insert(show.slug.clone(), spoilers);
            }
            Some(show)
        })
        .collect();
    (shows, embargoes)
}

/// The `n`th show. Without a usable name nothing else is checked (the default slug comes
/// from it); otherwise every key is, so all of its problems are reported at once.
fn one_show(
    show: &Spanned<RawShow>,
    n: usize,
    slugs: &mut HashSet<String>,
    c: &mut Collector<'_>,
) -> Option<(Show, super::Spoilers)> {
    let s = show.get_ref();
    let subject = entry_subject("show", s.name.as_ref(), n);
    let subject = Some(subject.as_str());
    let name = show_name(show, subject, c)?;
    let aliases = phrases(&s.aliases, subject, "aliases must not be empty strings", c);
    let slug = match &s.slug {
        Some(slug) => explicit_slug(slug, subject, slugs, c),
        None => default_slug(show, &name, subject, slugs, c),
    };
    let exclude = phrases(
        &s.exclude,
        subject,
        "`exclude` phrases must not be empty",
        c,
    );
    let spoilers = spoilers::of(s.spoilers.as_ref(), s.spoilers_until.as_ref(), subject, c);
    let show = Show {
        name,
        aliases: aliases?,
        slug: slug?,
        require_context: s.require_context.as_ref().map(|b| *b.get_ref()),
        exclude: exclude?,
    };
    Some((show, spoilers))
}

/// A show's name, trimmed: present and not empty.
fn show_name(
    show: &Spanned<RawShow>,
    subject: Option<&str>,
    c: &mut Collector<'_>,
) -> Option<String> {
    match &show.get_ref().name {
        Some(name) if !name.get_ref().trim().is_empty() => Some(name.get_ref().trim().to_owned()),
        Some(name) => {
            c.spanned(name, subject, "`name` must not be empty".into());
            None
        }
        None => {
            c.missing(show, subject, "name");
            None
        }
    }
}

/// Trimmed phrases (aliases, exclusions); `None` when any is empty, each empty one reported
/// with `message`.
fn phrases(
    list: &[Spanned<String>],
    subject: Option<&str>,
    message: &str,
    c: &mut Collector<'_>,
) -> Option<Vec<String>> {
    let mut out = Vec::with_capacity(list.len());
    let mut ok = true;
    for phrase in list {
        if phrase.get_ref().trim().is_empty() {
            c.spanned(phrase, subject, message.to_owned());
            ok = false;
        } else {
            out.push(phrase.get_ref().trim().to_owned());
        }
    }
    ok.then_some(out)
}

/// A slug the file gives: `[a-z0-9-]` and not an earlier show's.
fn explicit_slug(
    slug: &Spanned<String>,
    subject: Option<&str>,
    slugs: &mut HashSet<String>,
    c: &mut Collector<'_>,
) -> Option<String> {
    let v = slug.get_ref();
    if !valid_id(v) {
        c.spanned(slug, subject, format!("`slug` = {v:?} must be 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-'"));
        return None;
    }
    if !slugs.insert(v.clone()) {
        let message =
            format!("duplicate show slug {v:?}: give one of the shows an explicit `slug`");
        c.spanned(slug, subject, message);
        return None;
    }
    Some(v.clone())
}

/// The slug made from the name ([`slugify`]), reported at the show when there is nothing to
/// make it from or an earlier show has it.
fn default_slug(
    show: &Spanned<RawShow>,
    name: &str,
    subject: Option<&str>,
    slugs: &mut HashSet<String>,
    c: &mut Collector<'_>,
) -> Option<String> {
    let slug = slugify(name);
    let problem = if slug.is_empty() {
        "the name has no letters or digits to make a slug from: set `slug`".to_owned()
    } else if !slugs.insert(slug.clone()) {
        format!("its default slug {slug:?} is already taken: set an explicit `slug`")
    } else {
        return Some(slug);
    };
    c.at(Some(show.span()), subject, problem);
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every diagnostic of `text`, one line each, in the order reported.
    fn report(text: &str) -> String {
        match validate(text, Path::new("/etc/showfeed/feeds.toml")) {
            Ok(_) => "valid".to_owned(),
            Err(d) => d.to_string(),
        }
    }

    /// One mistake of each kind in `[[feed]]`, `[[show]]` and `[[view]]`: the whole report,
    /// positions, subjects and wording, is pinned so that reshaping the checks changes none
    /// of it.
    #[test]
    fn every_list_mistake_is_reported_once_in_file_order() {
        let text = r#"
[[feed]]
url = "https://a.example/feed"
[[feed]]
id = "no-url"
[[feed]]
id = "Bad Id"
url = "https://b.example/feed"
[[feed]]
id = "dup"
url = "https://c.example/feed"
[[feed]]
id = "dup"
url = "https://d.example/feed"
[[feed]]
id = "ftp"
url = "ftp://e.example/feed"
[[feed]]
id = "broken"
url = "http://[::1"
[[feed]]
id = "untitled"
url = "https://f.example/feed"
title = "  "
[[feed]]
id = "fast"
url = "https://g.example/feed"
interval = "1s"
[[feed]]
id = "ok"
url = "https://h.example/feed"

[[show]]
aliases = ["x"]
[[show]]
name = "  "
[[show]]
name = "Aliased"
aliases = ["", "fine"]
[[show]]
name = "Bad Slug"
slug = "Bad_Slug"
[[show]]
name = "First"
slug = "same"
[[show]]
name = "Second"
slug = "same"
[[show]]
name = "!!!"
[[show]]
name = "Squid Game"
[[show]]
name = "squid game"
[[show]]
name = "Excluding"
exclude = ["", "ok"]

[[view]]
title = "nameless"
[[view]]
name = "Bad Name"
[[view]]
name = "twice"
[[view]]
name = "twice"
[[view]]
name = "filters"
show = ["squid-game", "nope"]
exclude_show = ["gone"]
season = ["squid-game/s2", "squid-game/s0", "nope/s1", "s1"]
kind = ["trailer", "gossip"]
source = ["ok", "missing"]
q = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
since = "1s"
limit = 0
[[view]]
name = "good"
title = "  Good  "
show = ["squid-game"]
source = ["ok"]
since = "7d"
limit = 5
"#;
        assert_report(&report(text), GOLDEN_LISTS);
    }

    const GOLDEN_LISTS: &str = r#"29 errors in /etc/showfeed/feeds.toml
  /etc/showfeed/feeds.toml:2:1: feed #1: missing required key `id`
  /etc/showfeed/feeds.toml:4:1: feed `no-url`: missing required key `url`
  /etc/showfeed/feeds.toml:7:6: feed `Bad Id`: `id` = "Bad Id" must be 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-'
  /etc/showfeed/feeds.toml:13:6: feed `dup`: duplicate feed id "dup": ids must be unique (first used on line 10)
  /etc/showfeed/feeds.toml:17:7: feed `ftp`: `url` = "ftp://e.example/feed" has scheme "ftp": only http, https and file:// URLs (with an absolute path) are allowed
  /etc/showfeed/feeds.toml:20:7: feed `broken`: `url` = "http://[::1" is not a valid URL: invalid IPv6 address
  /etc/showfeed/feeds.toml:24:9: feed `untitled`: `title` must not be empty (leave it out to use the feed's own title)
  /etc/showfeed/feeds.toml:28:12: feed `fast`: `interval` = 1s is out of range: must be between 1m and 7days
  /etc/showfeed/feeds.toml:33:1: show #1: missing required key `name`
  /etc/showfeed/feeds.toml:36:8: show `  `: `name` must not be empty
  /etc/showfeed/feeds.toml:39:12: show `Aliased`: aliases must not be empty strings
  /etc/showfeed/feeds.toml:42:8: show `Bad Slug`: `slug` = "Bad_Slug" must be 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-'
  /etc/showfeed/feeds.toml:48:8: show `Second`: duplicate show slug "same": give one of the shows an explicit `slug`
  /etc/showfeed/feeds.toml:49:1: show `!!!`: the name has no letters or digits to make a slug from: set `slug`
  /etc/showfeed/feeds.toml:53:1: show `squid game`: its default slug "squid-game" is already taken: set an explicit `slug`
  /etc/showfeed/feeds.toml:57:12: show `Excluding`: `exclude` phrases must not be empty
  /etc/showfeed/feeds.toml:59:1: view #1: missing required key `name`
  /etc/showfeed/feeds.toml:62:8: view `Bad Name`: `name` = "Bad Name" must be 1-64 characters of a-z, 0-9 and '-'
  /etc/showfeed/feeds.toml:66:8: view `twice`: duplicate view name "twice"
  /etc/showfeed/feeds.toml:69:23: view `filters`: `show`: no show with slug "nope" is configured
  /etc/showfeed/feeds.toml:70:17: view `filters`: `exclude_show`: no show with slug "gone" is configured
  /etc/showfeed/feeds.toml:71:28: view `filters`: `season` = "squid-game/s0" must be <configured show slug>/s<N>
  /etc/showfeed/feeds.toml:71:45: view `filters`: `season` = "nope/s1" must be <configured show slug>/s<N>
  /etc/showfeed/feeds.toml:71:56: view `filters`: `season` = "s1" must be <configured show slug>/s<N>
  /etc/showfeed/feeds.toml:72:20: view `filters`: `kind` = "gossip" must be one of trailer, casting, renewal, cancellation, release-date, review, recap, interview, ratings
  /etc/showfeed/feeds.toml:73:17: view `filters`: `source`: no feed with id "missing" is configured
  /etc/showfeed/feeds.toml:74:5: view `filters`: `q` is too long (at most 200 characters, once folded to ASCII)
  /etc/showfeed/feeds.toml:75:9: view `filters`: `since` = 1s is out of range: must be between 1m and 9years 11months 27days 21h 50m 24s
  /etc/showfeed/feeds.toml:76:9: `limit` = 0 is out of range: must be between 1 and 1000"#;

    /// What the lists of a valid file become: defaults filled in, titles trimmed, the view's
    /// filters as the query string the server parses.
    #[test]
    fn valid_lists_become_typed_values() {
        let text = r#"
[polling]
interval = "20m"
allow_private = true
[[feed]]
id = "a"
url = " https://a.example/feed "
title = " A "
[[feed]]
id = "local"
url = "file:///srv/feeds/local.xml"
interval = "2h"
allow_private = false
[[show]]
name = " Squid Game "
aliases = [" 오징어 게임 "]
exclude = [" squid ink "]
require_context = true
[[show]]
name = "Pokémon"
slug = "poke"
[[view]]
name = "all"
[[view]]
name = "korean"
title = "  Korean  "
show = ["squid-game"]
exclude_show = ["poke"]
season = ["squid-game/s2"]
kind = ["trailer", "casting"]
source = ["a", "local"]
q = "오징어 \"season two\""
since = "30d"
limit = 50
"#;
        let c = validate(text, Path::new("/etc/showfeed/feeds.toml")).unwrap();
        let feeds: Vec<_> = c
            .feeds
            .iter()
            .map(|f| {
                (
                    f.id.as_str(),
                    f.url.as_str(),
                    f.title.as_deref(),
                    f.interval,
                    f.allow_private,
                )
            })
            .collect();
        assert_eq!(
            feeds,
            [
                ("a", "https://a.example/feed", Some("A"), 20 * MINUTE, true),
                (
                    "local",
                    "file:///srv/feeds/local.xml",
                    None,
                    2 * HOUR,
                    false
                ),
            ]
        );
        assert_eq!(c.feed_index.get("local"), Some(&1));
        assert_eq!(
            c.shows,
            [
                Show {
                    name: "Squid Game".into(),
                    aliases: vec!["오징어 게임".into()],
                    slug: "squid-game".into(),
                    require_context: Some(true),
                    exclude: vec!["squid ink".into()],
                },
                Show {
                    name: "Pokémon".into(),
                    aliases: vec![],
                    slug: "poke".into(),
                    require_context: None,
                    exclude: vec![],
                },
            ]
        );
        let views: Vec<_> = c
            .views
            .iter()
            .map(|v| (v.name.as_str(), v.title.as_deref(), v.query.as_str()))
            .collect();
        assert_eq!(
            views,
            [
                ("all", None, ""),
                (
                    "korean",
                    Some("Korean"),
                    "show=squid-game&exclude_show=poke&season=squid-game%2Fs2&kind=trailer\
                     &kind=casting&source=a&source=local&q=%EC%98%A4%EC%A7%95%EC%96%B4+\
                     %22season+two%22&since=30d&limit=50"
                ),
            ]
        );
    }

    /// Feed tags: slugs only (a wrong one says what to write), none twice in a feed, an
    /// array; a view may select by a tag some feed has. Valid tags index their feeds.
    #[test]
    fn feed_tags_are_checked_and_indexed() {
        let text = r#"
[[feed]]
id = "a"
url = "https://a.example/feed"
tags = ["K-Drama", "anime", "anime", "-x-", ""]
[[view]]
name = "v"
tag = ["nope"]
"#;
        let want = r#"5 errors in /etc/showfeed/feeds.toml
  /etc/showfeed/feeds.toml:5:9: feed `a`: tag "K-Drama" must be 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-' (write "k-drama")
  /etc/showfeed/feeds.toml:5:29: feed `a`: tag "anime" is given twice
  /etc/showfeed/feeds.toml:5:38: feed `a`: tag "-x-" must be 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-' (write "x")
  /etc/showfeed/feeds.toml:5:45: feed `a`: tag "" must be 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-'
  /etc/showfeed/feeds.toml:8:8: view `v`: `tag`: no feed has the tag "nope""#;
        assert_report(&report(text), want);
        let text = "[[feed]]\nid = \"b\"\nurl = \"https://b.example/feed\"\ntags = \"anime\"\n";
        assert_report(
            &report(text),
            "1 error in /etc/showfeed/feeds.toml\n  /etc/showfeed/feeds.toml:4:8: invalid type: string \"anime\", expected a sequence",
        );

        let text = r#"
[[feed]]
id = "a"
url = "https://a.example/feed"
tags = ["k-drama", "anime"]
[[feed]]
id = "b"
url = "https://b.example/feed"
tags = ["anime"]
[[feed]]
id = "c"
url = "https://c.example/feed"
[[view]]
name = "v"
tag = ["anime", "k-drama"]
"#;
        let c = validate(text, Path::new("/etc/showfeed/feeds.toml")).unwrap();
        assert_eq!(c.feeds[0].tags, ["k-drama", "anime"]);
        assert!(c.feeds[2].tags.is_empty());
        assert_eq!(c.tag("anime"), Some(&["a".to_owned(), "b".to_owned()][..]));
        assert_eq!(c.tag("k-drama"), Some(&["a".to_owned()][..]));
        assert_eq!(c.tag("c"), None);
        assert_eq!(c.views[0].query, "tag=anime&tag=k-drama");
    }

    /// Compares with the pinned report, printing the new one in full when it differs.
    fn assert_report(got: &str, want: &str) {
        assert_eq!(got, want, "\n--- got:\n{got}\n---");
    }
}
