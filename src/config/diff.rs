//! What changed between two configs: logged on reload, printed by `showfeed check`.

use std::fmt;

use super::{Config, Feed};

/// The differences between a running config and a new one.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ConfigDiff {
    /// Feed ids added.
    pub added_feeds: Vec<String>,
    /// Feed ids removed.
    pub removed_feeds: Vec<String>,
    /// Feed ids whose settings changed, with what changed.
    pub changed_feeds: Vec<(String, Vec<String>)>,
    /// Show slugs added.
    pub added_shows: Vec<String>,
    /// Show slugs removed.
    pub removed_shows: Vec<String>,
    /// Show slugs whose name, aliases or hints changed.
    pub changed_shows: Vec<String>,
    /// Tags no feed had before, with the feeds that have them now.
    pub added_tags: Vec<(String, Vec<String>)>,
    /// Tags no feed has any more.
    pub removed_tags: Vec<String>,
    /// View names added.
    pub added_views: Vec<String>,
    /// View names removed.
    pub removed_views: Vec<String>,
    /// View names whose filters or settings changed.
    pub changed_views: Vec<String>,
    /// Sections whose settings changed (polling, dedup, server...).
    pub sections: Vec<String>,
    /// Changes that only take effect after a restart.
    pub needs_restart: Vec<String>,
}

impl ConfigDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        *self == ConfigDiff::default()
    }

    /// Whether the show list changed, so stored entries need re-tagging.
    pub fn shows_changed(&self) -> bool {
        !(self.added_shows.is_empty()
            && self.removed_shows.is_empty()
            && self.changed_shows.is_empty())
    }
}

/// Compares `old` with `new`.
pub fn diff(old: &Config, new: &Config) -> ConfigDiff {
    let mut d = ConfigDiff::default();
    d.compare_feeds(old, new);
    d.compare_tags(old, new);
    d.compare_shows(old, new);
    d.compare_views(old, new);
    d.compare_sections(old, new);
    d
}

impl ConfigDiff {
    fn compare_feeds(&mut self, old: &Config, new: &Config) {
        for f in &new.feeds {
            match old.feed(&f.id) {
                None => self.added_feeds.push(f.id.clone()),
                Some(o) if o != f => self.changed_feeds.push((f.id.clone(), feed_changes(o, f))),
                Some(_) => {}
            }
        }
        self.removed_feeds = old
            .feeds
            .iter()
            .filter(|f| new.feed(&f.id).is_none())
            .map(|f| f.id.clone())
            .collect();
    }

    /// Tags that appear or disappear (`/tags/<tag>` starts or stops being served); a feed
    /// joining or leaving a tag is one of its changes.
    fn compare_tags(&mut self, old: &Config, new: &Config) {
        self.added_tags = new
            .tags
            .iter()
            .filter(|(t, _)| old.tag(t).is_none())
            .map(|(t, feeds)| (t.clone(), feeds.clone()))
            .collect();
        self.removed_tags = old
            .tags
            .keys()
            .filter(|t| new.tag(t).is_none())
            .cloned()
            .collect();
    }

    fn compare_shows(&mut self, old: &Config, new: &Config) {
        for s in &new.shows {
            match old.show(&s.slug) {
                None => self.added_shows.push(s.slug.clone()),
                Some(o) if o != s => self.changed_shows.push(s.slug.clone()),
                Some(_) => {}
            }
        }
        self.removed_shows = old
            .shows
            .iter()
            .filter(|s| new.show(&s.slug).is_none())
            .map(|s| s.slug.clone())
            .collect();
    }

    /// Views by name: added, removed, changed (what changed is not described).
    fn compare_views(&mut self, old: &Config, new: &Config) {
        for v in &new.views {
            match old.view(&v.name) {
                None => self.added_views.push(v.name.clone()),
                Some(o) if o != v => self.changed_views.push(v.name.clone()),
                Some(_) => {}
            }
        }
        for v in &old.views {
            if new.view(&v.name).is_none() {
                self.removed_views.push(v.name.clone());
            }
        }
    }

    /// The single sections, split by whether a reload applies them or only a restart does
    /// (the listener, the log filter, and the store's path and cache are set up once).
    fn compare_sections(&mut self, old: &Config, new: &Config) {
        let (o, n) = (&old.server, &new.server);
        if old.polling != new.polling {
            self.sections.push("polling".into());
        }
        if old.dedup != new.dedup {
            self.sections.push("dedup".into());
        }
        if old.rules != new.rules {
            self.sections.push("rules".into());
        }
        if old.websub != new.websub {
            self.sections.push("websub".into());
        }
        if old.spoilers != new.spoilers {
            // Shows' embargoes change what is served, not the tags: no re-tagging.
            self.sections.push("spoilers".into());
        }
        if o.title != n.title || o.public_url != n.public_url {
            self.sections.push("server".into());
        }
        if o.log_level != n.log_level {
            self.needs_restart.push("server.log_level".into());
        }
        if o.listen != n.listen {
            let listen = format!("server.listen {} -> {}", o.listen, n.listen);
            self.needs_restart.push(listen);
        }
        let (o, n) = (&old.storage, &new.storage);
        if o.path != n.path || o.cache_bytes != n.cache_bytes {
            self.needs_restart
                .push("storage.path / storage.cache".into());
        }
        if o.retention != n.retention
            || o.max_entries != n.max_entries
            || o.prune_every != n.prune_every
        {
            self.sections.push("storage".into());
        }
    }
}

/// What changed in a feed, for the admin: its URL, interval and tags in full, the title by
/// name.
/// Other changes (`allow_private`) make the feed changed with nothing to list.
fn feed_changes(o: &Feed, f: &Feed) -> Vec<String> {
    let mut what = Vec::new();
    if o.url != f.url {
        what.push(format!("url {} -> {}", o.url, f.url));
    }
    if (o.interval, o.adaptive) != (f.interval, f.adaptive) {
        let show = |f: &Feed| {
            if f.adaptive {
                "auto".to_owned()
            } else {
                humantime::format_duration(f.interval).to_string()
            }
        };
        what.push(format!("interval {} -> {}", show(o), show(f)));
    }
    if o.title != f.title {
        what.push("title".into());
    }
    if o.rules != f.rules {
        what.push("block / keep rules".into());
    }
    if o.tags != f.tags {
        let list = |t: &[String]| match t {
            [] => "(none)".to_owned(),
            t => t.join(", "),
        };
        what.push(format!("tags {} -> {}", list(&o.tags), list(&f.tags)));
    }
    // Named, never shown: the values may be credentials.
    if o.http != f.http {
        what.push("HTTP settings".into());
    }
    if o.allow_private != f.allow_private {
        what.push(format!("allow_private -> {}", f.allow_private));
    }
    what
}

impl fmt::Display for ConfigDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("no changes");
        }
        let mut lines = Vec::new();
        lines.extend(
            self.added_feeds
                .iter()
                .map(|i| format!("+ feed {i} (polled now)")),
        );
        lines.extend(
            self.removed_feeds
                .iter()
                .map(|i| format!("- feed {i} (stops polling; its entries stay until retention)")),
        );
        lines.extend(
            self.changed_feeds
                .iter()
                .map(|(i, w)| format!("~ feed {i}: {}", w.join(", "))),
        );
        lines.extend(
            self.added_tags
                .iter()
                .map(|(t, feeds)| format!("+ tag {t} ({})", feeds.join(", "))),
        );
        lines.extend(self.removed_tags.iter().map(|t| format!("- tag {t}")));
        lines.extend(self.added_shows.iter().map(|s| format!("+ show {s}")));
        lines.extend(self.removed_shows.iter().map(|s| format!("- show {s}")));
        lines.extend(self.changed_shows.iter().map(|s| format!("~ show {s}")));
        if self.shows_changed() {
            lines.push("  stored entries will be re-tagged".into());
        }
        lines.extend(
            self.added_views
                .iter()
                .map(|v| format!("+ view {v} (/views/{v}.atom)")),
        );
        lines.extend(self.removed_views.iter().map(|v| format!("- view {v}")));
        lines.extend(self.changed_views.iter().map(|v| format!("~ view {v}")));
        lines.extend(self.sections.iter().map(|s| format!("~ [{s}]")));
        lines.extend(
            self.needs_restart
                .iter()
                .map(|s| format!("! {s}: needs a restart to take effect")),
        );
        f.write_str(&lines.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn config(text: &str) -> Config {
        Config::parse(text, Path::new("/etc/showfeed/feeds.toml")).unwrap()
    }

    /// One change of each kind, and the report `showfeed check` prints for them.
    #[test]
    fn every_kind_of_change_is_listed() {
        let old = config(
            r#"
[server]
listen = "127.0.0.1:8080"
title = "Old"
log_level = "info"
[storage]
path = "/var/lib/a"
retention_days = 30
[polling]
interval = "30m"
[[feed]]
id = "kept"
url = "https://a.example/feed"
[[feed]]
id = "moved"
url = "https://b.example/feed"
interval = "1h"
title = "B"
[[feed]]
id = "gone"
url = "https://c.example/feed"
[[feed]]
id = "private"
url = "https://e.example/feed"
[[feed]]
id = "tagged"
url = "https://f.example/feed"
interval = "1h"
tags = ["anime", "old"]
[[show]]
name = "Same"
[[show]]
name = "Renamed"
slug = "renamed"
[[show]]
name = "Dropped"
[[view]]
name = "same"
[[view]]
name = "edited"
limit = 5
[[view]]
name = "removed"
"#,
        );
        let new = config(
            r#"
[server]
listen = "127.0.0.1:9090"
title = "New"
log_level = "debug"
[storage]
path = "/var/lib/b"
retention_days = 60
[polling]
interval = "20m"
[dedup]
mode = "mark"
[[feed]]
id = "kept"
url = "https://a.example/feed"
interval = "20m"
[[feed]]
id = "moved"
url = "https://b2.example/feed"
interval = "2h"
[[feed]]
id = "fresh"
url = "https://d.example/feed"
[[feed]]
id = "private"
url = "https://e.example/feed"
interval = "30m"
allow_private = true
[[feed]]
id = "tagged"
url = "https://f.example/feed"
interval = "1h"
tags = ["anime", "k-drama"]
[[show]]
name = "Same"
[[show]]
name = "Renamed Again"
slug = "renamed"
[[show]]
name = "Added"
[[view]]
name = "same"
[[view]]
name = "edited"
limit = 6
[[view]]
name = "added"
"#,
        );
        let d = diff(&old, &new);
        let report = [
            "+ feed fresh (polled now)",
            "- feed gone (stops polling; its entries stay until retention)",
            "~ feed kept: interval 30m -> 20m",
            "~ feed moved: url https://b.example/feed -> https://b2.example/feed, interval 1h -> 2h, title",
            // allow_private is not described, only counted.
            "~ feed private: allow_private -> true",
            "~ feed tagged: tags anime, old -> anime, k-drama",
            "+ tag k-drama (tagged)",
            "- tag old",
            "+ show added",
            "- show dropped",
            "~ show renamed",
            "  stored entries will be re-tagged",
            "+ view added (/views/added.atom)",
            "- view removed",
            "~ view edited",
            "~ [polling]",
            "~ [dedup]",
            "~ [server]",
            "~ [storage]",
            "! server.log_level: needs a restart to take effect",
            "! server.listen 127.0.0.1:8080 -> 127.0.0.1:9090: needs a restart to take effect",
            "! storage.path / storage.cache: needs a restart to take effect",
        ];
        assert_eq!(d.to_string(), report.join("\n"));
        assert!(d.shows_changed());
        assert!(diff(&new, &new).is_empty());
        assert_eq!(diff(&new, &new).to_string(), "no changes");
    }
}
