//! What changed between two configs: logged on reload, printed by `showfeed check`.

use std::fmt;

use super::Config;

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
    /// View names added, removed or changed.
    pub views: Vec<String>,
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
    for f in &new.feeds {
        match old.feed(&f.id) {
            None => d.added_feeds.push(f.id.clone()),
            Some(o) if o != f => {
                let mut what = Vec::new();
                if o.url != f.url {
                    what.push(format!("url {} -> {}", o.url, f.url));
                }
                if o.interval != f.interval {
                    what.push(format!(
                        "interval {} -> {}",
                        humantime::format_duration(o.interval),
                        humantime::format_duration(f.interval)
                    ));
                }
                if o.title != f.title {
                    what.push("title".into());
                }
                d.changed_feeds.push((f.id.clone(), what));
            }
            Some(_) => {}
        }
    }
    d.removed_feeds = old
        .feeds
        .iter()
        .filter(|f| new.feed(&f.id).is_none())
        .map(|f| f.id.clone())
        .collect();
    for s in &new.shows {
        match old.show(&s.slug) {
            None => d.added_shows.push(s.slug.clone()),
            Some(o) if o != s => d.changed_shows.push(s.slug.clone()),
            Some(_) => {}
        }
    }
    d.removed_shows = old
        .shows
        .iter()
        .filter(|s| new.show(&s.slug).is_none())
        .map(|s| s.slug.clone())
        .collect();
    for v in &new.views {
        if old.view(&v.name) != Some(v) {
            d.views.push(v.name.clone());
        }
    }
    for v in &old.views {
        if new.view(&v.name).is_none() {
            d.views.push(v.name.clone());
        }
    }
    if old.polling != new.polling {
        d.sections.push("polling".into());
    }
    if old.dedup != new.dedup {
        d.sections.push("dedup".into());
    }
    if old.server.title != new.server.title || old.server.public_url != new.server.public_url {
        d.sections.push("server".into());
    }
    if old.server.log_level != new.server.log_level {
        d.needs_restart.push("server.log_level".into());
    }
    if old.server.listen != new.server.listen {
        d.needs_restart.push(format!(
            "server.listen {} -> {}",
            old.server.listen, new.server.listen
        ));
    }
    if old.storage.path != new.storage.path || old.storage.cache_bytes != new.storage.cache_bytes {
        d.needs_restart.push("storage.path / storage.cache".into());
    }
    if old.storage.retention != new.storage.retention
        || old.storage.max_entries != new.storage.max_entries
    {
        d.sections.push("storage".into());
    }
    d
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
        lines.extend(self.added_shows.iter().map(|s| format!("+ show {s}")));
        lines.extend(self.removed_shows.iter().map(|s| format!("- show {s}")));
        lines.extend(self.changed_shows.iter().map(|s| format!("~ show {s}")));
        if self.shows_changed() {
            lines.push("  stored entries will be re-tagged".into());
        }
        lines.extend(self.views.iter().map(|v| format!("~ view {v}")));
        lines.extend(self.sections.iter().map(|s| format!("~ [{s}]")));
        lines.extend(
            self.needs_restart
                .iter()
                .map(|s| format!("! {s}: needs a restart to take effect")),
        );
        f.write_str(&lines.join("\n"))
    }
}
