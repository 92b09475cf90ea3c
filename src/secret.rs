//! Secrets compared without leaking where they differ: the admin token of `/status` and
//! `/admin/*`, and WebSub callback tokens. One definition, so both get the same care.

use sha2::{Digest, Sha256};

/// Whether two secrets are equal, in time that depends neither on where they differ nor on
/// their lengths: their SHA-256 digests are compared whole.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn equal_and_unequal_secrets() {
        assert!(super::same_secret("token", "token"));
        assert!(!super::same_secret("token", "tokem"));
        assert!(!super::same_secret("token", "token-longer"));
        assert!(!super::same_secret("", "x"));
    }
}
