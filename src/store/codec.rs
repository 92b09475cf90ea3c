//! Versioned value encoding: every stored value is an enum whose variant is the schema version.
//!
//! postcard writes the variant index first, so a value written by this version stays readable
//! when a later one adds `V2` with more fields; old values are upgraded on read. Values are
//! written through borrowing twins of these enums (same variant indexes, same bytes), so a
//! write never clones what it encodes.

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use super::StoreError;
use crate::entry::Entry;
use crate::store::{FeedState, HealthEvent};

/// Stored form of an [`Entry`].
#[derive(Serialize, Deserialize)]
pub enum StoredEntry {
    /// First version.
    V1(Entry),
}

/// Stored form of a [`FeedState`].
#[derive(Serialize, Deserialize)]
pub enum StoredFeedState {
    /// First version.
    V1(FeedState),
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
    V1(&'a Entry),
}

/// [`StoredFeedState`], borrowing: the same encoding.
#[derive(Serialize)]
enum StoredFeedStateRef<'a> {
    V1(&'a FeedState),
}

/// [`StoredEvent`], borrowing: the same encoding.
#[derive(Serialize)]
enum StoredEventRef<'a> {
    V1(&'a HealthEvent),
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    postcard::to_stdvec(value).map_err(StoreError::Encode)
}

fn decode<T: DeserializeOwned>(what: &'static str, bytes: &[u8]) -> Result<T, StoreError> {
    postcard::from_bytes(bytes).map_err(|source| StoreError::Decode { what, source })
}

pub(super) fn encode_entry(entry: &Entry) -> Result<Vec<u8>, StoreError> {
    encode(&StoredEntryRef::V1(entry))
}

pub(super) fn decode_entry(bytes: &[u8]) -> Result<Entry, StoreError> {
    match decode("entry", bytes)? {
        StoredEntry::V1(e) => Ok(e),
    }
}

pub(super) fn encode_state(state: &FeedState) -> Result<Vec<u8>, StoreError> {
    encode(&StoredFeedStateRef::V1(state))
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
        StoredFeedState::V1(s) => Ok(s),
    }
}
