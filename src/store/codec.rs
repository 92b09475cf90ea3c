//! Versioned value encoding: every stored value is an enum whose variant is the schema version.
//!
//! postcard writes the variant index first, so a value written by this version stays readable
//! when a later one adds `V2` with more fields; old values are upgraded on read. Values are
//! written through borrowing twins of these enums (same variant indexes, same bytes), so a
//! write never clones what it encodes.
//!
//! Entries are written compressed ([`PACKED`]): their summaries and full content are most of
//! a store, and a smaller value keeps more entries in sled's cache (an uncached page read is
//! most of a query's cost) and fewer bytes in memory.

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use super::StoreError;
use crate::entry::Entry;
use crate::store::{Cadence, FeedState, HealthEvent};

/// Stored form of an [`Entry`].
#[derive(Serialize, Deserialize)]
pub enum StoredEntry {
    /// First version, without a language.
    V1(Entry),
    /// Second version: the entry and its language (which [`Entry`]'s serde form leaves
    /// out, so that form stays the first version's).
    V2(Entry, Option<String>),
}

/// Stored form of a [`FeedState`].
#[derive(Serialize, Deserialize)]
pub enum StoredFeedState {
    /// First version, without `last_error_kind`.
    V1(FeedStateV1),
    /// Second version: [`FeedState`] without its cadence.
    V2(FeedState),
    /// Third version: the state, its cadence, icon and logo (which [`FeedState`]'s serde
    /// form leaves out, so that form stays the second version's).
    V3(FeedState, Option<Cadence>, Option<String>, Option<String>),
}

/// A [`FeedState`] as version 1 wrote it; upgraded on read.
#[derive(Serialize, Deserialize)]
pub struct FeedStateV1 {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
    next_poll: i64,
    consecutive_failures: u32,
    last_error: Option<String>,
    last_error_at: Option<i64>,
    last_success: Option<i64>,
    last_attempt: Option<i64>,
    entry_count: u64,
    disabled: Option<String>,
    title: Option<String>,
    site_link: Option<String>,
    moved_to: Option<String>,
}

impl From<FeedStateV1> for FeedState {
    fn from(v: FeedStateV1) -> FeedState {
        FeedState {
            url: v.url,
            etag: v.etag,
            last_modified: v.last_modified,
            next_poll: v.next_poll,
            consecutive_failures: v.consecutive_failures,
            last_error: v.last_error,
            last_error_at: v.last_error_at,
            last_success: v.last_success,
            last_attempt: v.last_attempt,
            entry_count: v.entry_count,
            disabled: v.disabled,
            title: v.title,
            site_link: v.site_link,
            moved_to: v.moved_to,
            last_error_kind: None,
            cadence: None,
            icon: None,
            logo: None,
        }
    }
}

/// Stored form of a [`HealthEvent`].
#[derive(Serialize, Deserialize)]
pub enum StoredEvent {
    /// First version.
    V1(HealthEvent),
}

/// [`StoredEntry`], borrowing: the same encoding.
#[derive(Serialize)]
enum StoredEntryRef<'a> {
    #[allow(dead_code)]
    V1(&'a Entry),
    V2(&'a Entry, &'a Option<String>),
}

/// [`StoredFeedState`], borrowing: the same encoding.
#[derive(Serialize)]
enum StoredFeedStateRef<'a> {
    #[allow(dead_code)]
    V1(&'a FeedStateV1),
    #[allow(dead_code)]
    V2(&'a FeedState),
    V3(
        &'a FeedState,
        &'a Option<Cadence>,
        &'a Option<String>,
        &'a Option<String>,
    ),
}

/// [`StoredEvent`], borrowing: the same encoding.
#[derive(Serialize)]
enum StoredEventRef<'a> {
    V1(&'a HealthEvent),
}

pub(super) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    postcard::to_stdvec(value).map_err(StoreError::Encode)
}

pub(super) fn decode<T: DeserializeOwned>(
    what: &'static str,
    bytes: &[u8],
) -> Result<T, StoreError> {
    postcard::from_bytes(bytes).map_err(|source| StoreError::Decode { what, source })
}

/// The first byte of a compressed entry: the variant index postcard would write for a third
/// [`StoredEntry`] version (a varint below 128 is its own byte), so versions 1 and 2, written
/// before, still read as what they are. The rest is an LZ4 block (its length first) of the
/// entry as version 2.
const PACKED: u8 = 2;

/// The largest entry a packed value may unpack to (a fetched body is capped far below it).
const MAX_ENTRY_BYTES: usize = 64 << 20;

/// Values shorter than this are stored plain: LZ4 gains nothing on them.
const PACK_FROM: usize = 128;

pub(super) fn encode_entry(entry: &Entry) -> Result<Vec<u8>, StoreError> {
    let plain = encode(&StoredEntryRef::V2(entry, &entry.language))?;
    if plain.len() < PACK_FROM {
        return Ok(plain);
    }
    let mut packed = Vec::with_capacity(plain.len() / 2 + 8);
    packed.push(PACKED);
    packed.extend_from_slice(&lz4_flex::compress_prepend_size(&plain));
    Ok(if packed.len() < plain.len() {
        packed
    } else {
        plain
    })
}

pub(super) fn decode_entry(bytes: &[u8]) -> Result<Entry, StoreError> {
    if let Some((&PACKED, rest)) = bytes.split_first() {
        let damaged = |source| StoreError::Decompress {
            what: "entry",
            source,
        };
        let (size, block) = lz4_flex::block::uncompressed_size(rest).map_err(damaged)?;
        // A damaged length must not allocate gigabytes: no entry comes near this.
        if size > MAX_ENTRY_BYTES {
            return Err(damaged(lz4_flex::block::DecompressError::OutputTooSmall {
                expected: size,
                actual: MAX_ENTRY_BYTES,
            }));
        }
        let plain = lz4_flex::block::decompress(block, size).map_err(damaged)?;
        return decode_plain_entry(&plain);
    }
    decode_plain_entry(bytes)
}

fn decode_plain_entry(bytes: &[u8]) -> Result<Entry, StoreError> {
    match decode("entry", bytes)? {
        StoredEntry::V1(e) => Ok(e),
        StoredEntry::V2(mut e, language) => {
            e.language = language;
            Ok(e)
        }
    }
}

pub(super) fn encode_state(state: &FeedState) -> Result<Vec<u8>, StoreError> {
    encode(&StoredFeedStateRef::V3(
        state,
        &state.cadence,
        &state.icon,
        &state.logo,
    ))
}

pub(super) fn encode_event(event: &HealthEvent) -> Result<Vec<u8>, StoreError> {
    encode(&StoredEventRef::V1(event))
}

pub(super) fn decode_event(bytes: &[u8]) -> Result<HealthEvent, StoreError> {
    match decode("event", bytes)? {
        StoredEvent::V1(e) => Ok(e),
    }
}

pub(super) fn decode_state(bytes: &[u8]) -> Result<FeedState, StoreError> {
    match decode("feed state", bytes)? {
        StoredFeedState::V1(s) => Ok(s.into()),
        StoredFeedState::V2(s) => Ok(s),
        StoredFeedState::V3(mut s, cadence, icon, logo) => {
            (s.cadence, s.icon, s.logo) = (cadence, icon, logo);
            Ok(s)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry_with_summary(summary: &str) -> Entry {
        let xml = format!(
            "<rss version=\"2.0\"><channel><title>t</title><item><title>A title</title>\
             <link>https://a.example/1</link><description>{summary}</description></item>\
             </channel></rss>"
        );
        let feed = crate::parse::parse(xml.as_bytes(), None).unwrap();
        let url = url::Url::parse("https://a.example/feed").unwrap();
        crate::normalize::normalize("a", feed, &url, 1_700_000_000)
            .entries
            .remove(0)
    }

    #[test]
    fn long_entries_are_stored_compressed_and_read_back_whole() {
        let long = entry_with_summary(&"The showrunner said the finale returns. ".repeat(40));
        let bytes = encode_entry(&long).unwrap();
        let plain = encode(&StoredEntryRef::V2(&long, &long.language)).unwrap();
        assert_eq!(bytes[0], PACKED);
        assert!(
            bytes.len() * 3 < plain.len(),
            "{} of {}",
            bytes.len(),
            plain.len()
        );
        assert_eq!(decode_entry(&bytes).unwrap(), long);
        // A short one is stored as it is, and reads the same.
        let short = entry_with_summary("x");
        let bytes = encode_entry(&short).unwrap();
        assert_ne!(bytes[0], PACKED);
        assert_eq!(decode_entry(&bytes).unwrap(), short);
    }

    #[test]
    fn a_damaged_packed_entry_is_an_error_not_a_crash() {
        let long = entry_with_summary(&"Renewed for a second season. ".repeat(40));
        let mut bytes = encode_entry(&long).unwrap();
        bytes.truncate(bytes.len() / 2);
        assert!(matches!(
            decode_entry(&bytes),
            Err(StoreError::Decompress { .. } | StoreError::Decode { .. })
        ));
        // A length that claims gigabytes is refused before anything is allocated.
        let huge = [&[PACKED][..], &u32::MAX.to_le_bytes(), &[0u8; 8]].concat();
        assert!(matches!(
            decode_entry(&huge),
            Err(StoreError::Decompress { .. })
        ));
    }

    #[test]
    fn version_1_entries_read_without_a_language() {
        let xml = b"<rss version=\"2.0\"><channel><title>t</title><language>fr-fr</language>\
            <item><title>Un titre</title><link>https://a.example/1</link></item></channel></rss>";
        let feed = crate::parse::parse(xml, None).unwrap();
        let url = url::Url::parse("https://a.example/feed").unwrap();
        let mut entry = crate::normalize::normalize("a", feed, &url, 1_700_000_000)
            .entries
            .remove(0);
        assert_eq!(entry.language.as_deref(), Some("fr-FR"));
        assert_eq!(decode_entry(&encode_entry(&entry).unwrap()).unwrap(), entry);
        // What the previous version wrote: the same bytes as the entry without a language.
        let v1 = encode(&StoredEntryRef::V1(&entry)).unwrap();
        entry.language = None;
        assert_eq!(decode_entry(&v1).unwrap(), entry);
    }

    #[test]
    fn version_1_feed_states_are_upgraded() {
        let v1 = FeedStateV1 {
            url: "https://a/feed".into(),
            etag: Some("\"x\"".into()),
            last_modified: None,
            next_poll: 42,
            consecutive_failures: 2,
            last_error: Some("fetch failed".into()),
            last_error_at: Some(40),
            last_success: None,
            last_attempt: Some(40),
            entry_count: 7,
            disabled: None,
            title: Some("A".into()),
            site_link: None,
            moved_to: None,
        };
        let bytes = encode(&StoredFeedState::V1(v1)).unwrap();
        let s = decode_state(&bytes).unwrap();
        assert_eq!(
            (s.next_poll, s.consecutive_failures, s.entry_count),
            (42, 2, 7)
        );
        assert_eq!(s.last_error_kind, None);
        let again = decode_state(&encode_state(&s).unwrap()).unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn version_2_feed_states_read_without_a_cadence_or_images() {
        let mut s = FeedState {
            url: "https://a/feed".into(),
            next_poll: 42,
            cadence: Some(Cadence {
                base_secs: 3_600,
                interval_secs: 7_200,
                reason: "auto: 3 posts".into(),
            }),
            icon: Some("https://a/favicon.png".into()),
            logo: Some("https://a/logo.png".into()),
            ..FeedState::default()
        };
        assert_eq!(decode_state(&encode_state(&s).unwrap()).unwrap(), s);
        let v2 = encode(&StoredFeedStateRef::V2(&s)).unwrap();
        (s.cadence, s.icon, s.logo) = (None, None, None);
        assert_eq!(decode_state(&v2).unwrap(), s);
    }
}
