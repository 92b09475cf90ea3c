//! Key encodings. Big-endian with the sign bit flipped, so sled's byte order is time order.

use crate::entry::EntryId;

/// Length of a time-index key: 8 bytes of time, 16 of id.
pub const TIME_KEY_LEN: usize = 24;

/// Maps an i64 to bytes that sort like the number.
pub fn time_bytes(t: i64) -> [u8; 8] {
    ((t as u64) ^ (1 << 63)).to_be_bytes()
}

/// Inverse of [`time_bytes`].
pub fn time_from_bytes(b: [u8; 8]) -> i64 {
    (u64::from_be_bytes(b) ^ (1 << 63)) as i64
}

/// Key in the time index: publication time, then id to make it unique.
pub fn time_key(published: i64, id: &EntryId) -> [u8; TIME_KEY_LEN] {
    let mut k = [0u8; TIME_KEY_LEN];
    k[..8].copy_from_slice(&time_bytes(published));
    k[8..].copy_from_slice(&id.0);
    k
}

/// Prefix of a secondary index: the name (a slug or feed id, never containing 0) then 0.
pub fn prefix(name: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(name.len() + 1 + TIME_KEY_LEN);
    k.extend_from_slice(name.as_bytes());
    k.push(0);
    k
}

/// Key in a secondary index: [`prefix`] then the time key.
pub fn prefixed(name: &str, time_key: &[u8; TIME_KEY_LEN]) -> Vec<u8> {
    let mut k = prefix(name);
    k.extend_from_slice(time_key);
    k
}

/// Key of a URL within one feed in the `by_url` tree: the URL key, 0, the feed id (URL keys
/// never contain 0, so these never collide with the plain keys).
pub fn url_in_feed(url_key: &str, feed_id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(url_key.len() + 1 + feed_id.len());
    k.extend_from_slice(url_key.as_bytes());
    k.push(0);
    k.extend_from_slice(feed_id.as_bytes());
    k
}

/// Splits a time-index key; `None` for a key of the wrong length.
pub fn split_time_key(k: &[u8]) -> Option<(i64, EntryId)> {
    if k.len() != TIME_KEY_LEN {
        return None;
    }
    let mut t = [0u8; 8];
    t.copy_from_slice(&k[..8]);
    let mut id = [0u8; 16];
    id.copy_from_slice(&k[8..]);
    Some((time_from_bytes(t), EntryId(id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_keys_sort_like_times() {
        let id = EntryId([7; 16]);
        let times = [i64::MIN, -5, -1, 0, 1, 1_700_000_000, i64::MAX];
        for w in times.windows(2) {
            assert!(time_key(w[0], &id) < time_key(w[1], &id));
            assert_eq!(split_time_key(&time_key(w[0], &id)), Some((w[0], id)));
        }
    }
}
