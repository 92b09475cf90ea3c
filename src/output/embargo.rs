//! Spoiler embargo: entries that would tell what happened in an episode, held back from the
//! documents until a time the config sets, then shown under their own ids and dates where
//! they belong in the pages (selection walks the same indexes; only visibility changes).
//!
//! - `[[show]] spoilers = "48h"`: recaps and reviews tagged with the show, and entries naming
//!   one of its episodes (`S2E5`, `episode 5`), are held until 48 hours after their
//!   publication.
//! - `[[show]] spoilers_until = 2026-06-30`: every entry about the show published before
//!   then is held until then.
//! - The same keys on a `[[view]]` apply in that view's documents to every entry of the
//!   view: `spoilers` to its recaps, reviews and episode entries whatever the show,
//!   `spoilers_until` to all of them.
//!
//! An entry under several embargoes is held until the last one ends. A held entry is left
//! out ([`SpoilerMode::Hide`], the default) or, with `spoilers=mask`, shown with a neutral
//! title and nothing else that could spoil (summary, content, image, enclosures), see
//! [`mask`]. Selection reports the next instant an embargo ends, so the HTTP cache can
//! drop the document then ([`super::Document::expires`]), and the latest one that ended
//! on the page, so the document's `updated` and Last-Modified move with it.

use std::collections::BTreeMap;

use crate::config::{Config, Spoilers, View};
use crate::entry::{Entry, ABSOLUTE};
use crate::vocab::SPOILER_KINDS;

#[cfg(doc)]
use crate::query::SpoilerMode;

/// The embargoes a document applies, at the instant it is rendered.
#[derive(Debug, Clone, Default)]
pub struct Embargo {
    /// Show slug -> its embargo (only shows that have one).
    shows: BTreeMap<String, Spoilers>,
    /// The view's own embargo, on every entry of the view.
    view: Spoilers,
    /// The instant that decides what is held (Unix seconds).
    now: i64,
}

impl Embargo {
    /// No embargo at all (suggestions and other admin reads see everything).
    pub fn none(now: i64) -> Embargo {
        Embargo {
            now,
            ..Embargo::default()
        }
    }

    /// The config's show embargoes, and `view`'s when the document is a view, at `now`.
    pub fn of(config: &Config, view: Option<&View>, now: i64) -> Embargo {
        Embargo {
            shows: config.spoilers.clone(),
            view: view.map(|v| v.spoilers).unwrap_or_default(),
            now,
        }
    }

    /// Whether no embargo can apply (selection then skips the checks).
    pub fn is_empty(&self) -> bool {
        self.shows.is_empty() && !self.view.is_set()
    }

    /// The instant this embargo is applied at.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// When the embargo on `e` ends, or ended (`None`: none applies to it at all).
    pub fn ends(&self, e: &Entry) -> Option<i64> {
        if self.is_empty() {
            return None;
        }
        let spoiler_kind = e
            .kinds
            .iter()
            .any(|k| SPOILER_KINDS.iter().any(|s| s.as_str() == k));
        let mut end = None;
        let mut any_episode = false;
        for tag in &e.shows {
            let episode = tag.seasons.iter().any(|r| r.episode.is_some());
            any_episode |= episode;
            if let Some(s) = self.shows.get(&tag.slug) {
                end = end.max(ends(s, e.published, spoiler_kind || episode));
            }
        }
        end.max(ends(&self.view, e.published, spoiler_kind || any_episode))
    }

    /// When the `spoilers_until` of show `slug` ends, while it holds every entry about the
    /// show: selection then leaves that show's index unwalked instead of passing over each
    /// entry in it.
    pub fn holds_show(&self, slug: &str) -> Option<i64> {
        self.shows
            .get(slug)
            .and_then(|s| s.until)
            .filter(|&t| t > self.now)
    }

    /// When the embargo holding `e` now ends; `None` when it is not held.
    pub fn held_until(&self, e: &Entry) -> Option<i64> {
        self.ends(e).filter(|&t| t > self.now)
    }
}

/// When one embargo on an entry published at `published` ends: `spoilers` only for what
/// spoils (`spoiler`), `spoilers_until` for everything.
fn ends(s: &Spoilers, published: i64, spoiler: bool) -> Option<i64> {
    let hold = s
        .hold
        .filter(|_| spoiler)
        .map(|d| published.saturating_add(i64::try_from(d.as_secs()).unwrap_or(i64::MAX)));
    hold.max(s.until)
}

/// A title that says what the entry is without what happens in it: the show, the episode
/// or season it names, its kind, "(spoilers hidden)". `Squid Game S2E5: recap (spoilers
/// hidden)`.
pub fn neutral_title(e: &Entry) -> String {
    let show = e.shows.first().map(|tag| {
        let at = tag
            .seasons
            .iter()
            .find(|r| r.episode.is_some())
            .or(tag.seasons.first());
        match at {
            Some(r) if r.season == ABSOLUTE => match r.episode {
                Some(ep) => format!("{} E{ep}", tag.name),
                None => tag.name.clone(),
            },
            Some(r) => match r.episode {
                Some(ep) => format!("{} S{}E{ep}", tag.name, r.season),
                None => format!("{} S{}", tag.name, r.season),
            },
            None => tag.name.clone(),
        }
    });
    let kind = e
        .kinds
        .iter()
        .find(|k| SPOILER_KINDS.iter().any(|s| s.as_str() == k.as_str()))
        .or(e.kinds.first());
    match (show, kind) {
        (Some(show), Some(kind)) => format!("{show}: {kind} (spoilers hidden)"),
        (Some(show), None) => format!("{show} (spoilers hidden)"),
        (None, Some(kind)) => {
            let mut k = kind.replace('-', " ");
            if let Some(first) = k.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            format!("{k} (spoilers hidden)")
        }
        (None, None) => "Spoilers hidden".to_owned(),
    }
}

/// Masks a held entry in place: the neutral title; no summary, content, image or
/// enclosures. Id, dates, link, authors and categories stay, so the entry is the same one
/// when the embargo ends.
pub fn mask(e: &mut Entry) {
    e.title = neutral_title(e);
    e.summary = None;
    e.content = None;
    e.image = None;
    e.enclosures.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{EntryId, SeasonRef, ShowTag};
    use std::time::Duration;

    const T0: i64 = 1_780_000_000;
    const HOUR: i64 = 3600;

    fn entry(title: &str, kinds: &[&str], seasons: &[(u32, Option<u32>)]) -> Entry {
        Entry {
            id: EntryId::derive("f", title),
            feed_id: "f".into(),
            title: title.into(),
            link: Some("https://example.org/x".into()),
            summary: Some("<p>Who dies</p>".into()),
            content: Some("<p>Everyone</p>".into()),
            authors: vec![],
            published: T0,
            updated: T0,
            first_seen: T0,
            enclosures: vec![],
            image: Some("https://example.org/i.jpg".into()),
            source_categories: vec![],
            content_hash: 0,
            shows: vec![ShowTag {
                slug: "squid-game".into(),
                name: "Squid Game".into(),
                seasons: seasons
                    .iter()
                    .map(|&(season, episode)| SeasonRef { season, episode })
                    .collect(),
            }],
            kinds: kinds.iter().map(|k| k.to_string()).collect(),
            story: EntryId::derive("f", title),
            exact_copy: false,
            language: None,
        }
    }

    fn embargo(hold: Option<i64>, until: Option<i64>, now: i64) -> Embargo {
        let s = Spoilers {
            hold: hold.map(|h| Duration::from_secs(h as u64)),
            until,
        };
        Embargo {
            shows: BTreeMap::from([("squid-game".to_owned(), s)]),
            view: Spoilers::default(),
            now,
        }
    }

    #[test]
    fn a_hold_covers_recaps_reviews_and_episodes_only() {
        let e = embargo(Some(48 * HOUR), None, T0 + HOUR);
        let recap = entry("Recap", &["recap"], &[]);
        let review = entry("Review", &["review"], &[]);
        let episode = entry("S2E5 photos", &[], &[(2, Some(5))]);
        let season = entry("Season 2 trailer", &["trailer"], &[(2, None)]);
        for held in [&recap, &review, &episode] {
            assert_eq!(e.held_until(held), Some(T0 + 48 * HOUR), "{}", held.title);
        }
        assert_eq!(e.ends(&season), None);
        // Over when the time is up, never before.
        let later = embargo(Some(48 * HOUR), None, T0 + 48 * HOUR);
        assert_eq!(later.held_until(&recap), None);
        assert_eq!(later.ends(&recap), Some(T0 + 48 * HOUR));
        let almost = embargo(Some(48 * HOUR), None, T0 + 48 * HOUR - 1);
        assert!(almost.held_until(&recap).is_some());
    }

    #[test]
    fn until_covers_everything_about_the_show_and_the_later_end_wins() {
        let e = embargo(Some(HOUR), Some(T0 + 10 * HOUR), T0);
        let trailer = entry("Trailer", &["trailer"], &[]);
        assert_eq!(e.held_until(&trailer), Some(T0 + 10 * HOUR));
        let mut other = trailer.clone();
        other.shows[0].slug = "the-bear".into();
        assert_eq!(e.ends(&other), None);
        // A view's embargo holds every entry of the view, whatever the show.
        let view = Embargo {
            view: Spoilers {
                hold: None,
                until: Some(T0 + 5 * HOUR),
            },
            ..Embargo::none(T0)
        };
        assert_eq!(view.held_until(&other), Some(T0 + 5 * HOUR));
        assert!(Embargo::none(T0).ends(&other).is_none());
    }

    #[test]
    fn masked_entries_keep_what_identifies_them_only() {
        let mut e = entry(
            "Squid Game 2x05 recap: who survives",
            &["recap"],
            &[(2, Some(5))],
        );
        let (id, published) = (e.id, e.published);
        mask(&mut e);
        assert_eq!(e.title, "Squid Game S2E5: recap (spoilers hidden)");
        assert!(e.summary.is_none() && e.content.is_none() && e.image.is_none());
        assert_eq!((e.id, e.published), (id, published));
        let mut e = entry("x", &[], &[(0, Some(1085))]);
        assert_eq!(neutral_title(&e), "Squid Game E1085 (spoilers hidden)");
        e.shows.clear();
        e.kinds = vec!["release-date".into()];
        assert_eq!(neutral_title(&e), "Release date (spoilers hidden)");
        e.kinds.clear();
        assert_eq!(neutral_title(&e), "Spoilers hidden");
    }
}
