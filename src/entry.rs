//! The entry every stage after `normalize` passes along, and its stable id.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A stable, opaque entry id: 16 bytes of SHA-256 over the feed id and the item's key.
///
/// Rendered as a `urn:uuid:` (RFC 4122 form) so the output id is a valid IRI that never
/// depends on `public_url` or anything else an admin may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EntryId(pub [u8; 16]);

impl EntryId {
    /// The id of the item identified by `key` in feed `feed_id`.
    pub fn derive(feed_id: &str, key: &str) -> EntryId {
        let mut h = Sha256::new();
        h.update(feed_id.as_bytes());
        h.update([0]);
        h.update(key.as_bytes());
        let digest = h.finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        // An RFC 9562 version 8 (custom) UUID: the version and variant bits are set on the
        // digest, which is what every stored id already is.
        EntryId(*uuid::Builder::from_custom_bytes(bytes).as_uuid().as_bytes())
    }

    /// The id as a `urn:uuid:` IRI, as used in every output format.
    pub fn urn(&self) -> String {
        uuid::Uuid::from_bytes(self.0).urn().to_string()
    }

    /// The id in hyphenated hex, without the `urn:uuid:` prefix.
    pub fn hyphenated(&self) -> String {
        uuid::Uuid::from_bytes(self.0).hyphenated().to_string()
    }
}

/// A media attachment (RSS enclosure, media:content, lead image).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enclosure {
    /// Absolute URL.
    pub url: String,
    /// MIME type when known.
    pub mime: Option<String>,
    /// Size in bytes when known.
    pub length: Option<u64>,
}

/// The [`SeasonRef::season`] of an absolute episode number, one that no season goes with
/// (`[Group] Name - 1085 [1080p]`, `Name E334`, `Episode 5` of a show with no season named):
/// its term is `<slug>/e<M>`. Real seasons start at 1.
pub const ABSOLUTE: u32 = 0;

/// A season (and maybe episode) of a show that an entry names, or an absolute episode number
/// ([`ABSOLUTE`] as the season).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SeasonRef {
    /// Season number, from 1; [`ABSOLUTE`] (0) for an episode number with no season.
    pub season: u32,
    /// Episode number within the season (or, with [`ABSOLUTE`], counted from the show's
    /// first episode), from 1.
    pub episode: Option<u32>,
}

/// A show an entry is about, as the tagging stage found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShowTag {
    /// The show's slug: the category term.
    pub slug: String,
    /// The show's name: the category label.
    pub name: String,
    /// Seasons and episodes named for this show, in order of first mention.
    pub seasons: Vec<SeasonRef>,
}

impl ShowTag {
    /// Category terms as design.md fixes them: `<slug>`, `<slug>/s<N>`, `<slug>/s<N>e<M>`;
    /// and `<slug>/e<M>` for an absolute episode number (no season).
    pub fn terms(&self) -> Vec<String> {
        let mut terms = vec![self.slug.clone()];
        for s in &self.seasons {
            if s.season == ABSOLUTE {
                if let Some(e) = s.episode {
                    terms.push(format!("{}/e{e}", self.slug));
                }
                continue;
            }
            let season = format!("{}/s{}", self.slug, s.season);
            if !terms.contains(&season) {
                terms.push(season.clone());
            }
            if let Some(e) = s.episode {
                terms.push(format!("{season}e{e}"));
            }
        }
        terms
    }
}

/// One normalized news item.
///
/// Strings are plain text (titles, authors) or sanitized HTML (summary, content), and never
/// contain characters that XML 1.0 forbids. Times are Unix seconds, UTC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Stable id.
    pub id: EntryId,
    /// Id of the configured feed it came from.
    pub feed_id: String,
    /// Plain-text title.
    pub title: String,
    /// Canonical alternate link.
    pub link: Option<String>,
    /// Sanitized HTML summary.
    pub summary: Option<String>,
    /// Sanitized HTML content.
    pub content: Option<String>,
    /// Author names.
    pub authors: Vec<String>,
    /// Publication time: the item's own, clamped to now, or first-seen when absent.
    pub published: i64,
    /// Last change: the item's own update time, or when we saw its content change.
    pub updated: i64,
    /// When showfeed first stored it.
    pub first_seen: i64,
    /// Media attachments.
    pub enclosures: Vec<Enclosure>,
    /// Lead image URL.
    pub image: Option<String>,
    /// The categories the source gave (plain text).
    pub source_categories: Vec<String>,
    /// Hash of everything but dates: a change here is a real update.
    pub content_hash: u64,
    /// Shows the entry is about (tagging stage); derived, so not part of `content_hash`.
    pub shows: Vec<ShowTag>,
    /// Kinds of news (trailer, casting, renewal...), tagging stage.
    pub kinds: Vec<String>,
    /// The story this entry belongs to (dedup stage): its own id when it stands alone, the
    /// id of the story's first entry when it is another outlet's copy.
    pub story: EntryId,
    /// Another feed's copy of the same URL: hidden in every dedup mode, its outlet listed
    /// on the story's entry.
    pub exact_copy: bool,
    /// BCP 47 language tag: declared by the source, else detected (normalize stage).
    /// Stored beside the entry (the store's version 2 of an entry), not in the version 1
    /// shape that serde writes here, so stores written before it still read.
    #[serde(skip)]
    pub language: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::{EntryId, SeasonRef, ShowTag, ABSOLUTE};

    #[test]
    fn an_absolute_episode_is_a_slug_e_term() {
        let tag = ShowTag {
            slug: "one-piece".into(),
            name: "One Piece".into(),
            seasons: vec![
                SeasonRef {
                    season: ABSOLUTE,
                    episode: Some(1085),
                },
                SeasonRef {
                    season: 2,
                    episode: Some(5),
                },
            ],
        };
        assert_eq!(
            tag.terms(),
            [
                "one-piece",
                "one-piece/e1085",
                "one-piece/s2",
                "one-piece/s2e5"
            ]
        );
    }

    #[test]
    fn ids_are_the_ones_every_store_and_reader_already_has() {
        // Computed independently (SHA-256 of feed id, NUL, key; first 16 bytes; version 8,
        // variant 10): ids must never change, whatever implements them.
        let id = EntryId::derive("variety-tv", "https://variety.com/x");
        assert_eq!(id.urn(), "urn:uuid:401ad8a9-ab57-8cf0-888f-ede4e877c676");
        assert_eq!(id.hyphenated(), "401ad8a9-ab57-8cf0-888f-ede4e877c676");
    }
}
