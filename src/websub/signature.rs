//! `X-Hub-Signature` (WebSub 7.1): `method=hex(HMAC(secret, body))` over the exact bytes
//! of the request body, for the methods the spec lists: sha1, sha256, sha384, sha512.
//! Compared in constant time.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `X-Hub-Signature` header.
    #[error("no X-Hub-Signature header")]
    Missing,
    /// Not `method=hex`.
    #[error("the X-Hub-Signature header is not method=hex")]
    Malformed,
    /// A method the spec does not list.
    #[error("X-Hub-Signature method {0:?} is not sha1, sha256, sha384 or sha512")]
    Method(String),
    /// The digest does not match the body.
    #[error("the X-Hub-Signature does not match the body")]
    Mismatch,
}

/// Checks `header` (the `X-Hub-Signature` value, if any) against `body` and `secret`.
pub fn verify(header: Option<&str>, secret: &[u8], body: &[u8]) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let (method, hex) = header
        .trim()
        .split_once('=')
        .ok_or(SignatureError::Malformed)?;
    let digest = decode_hex(hex.trim()).ok_or(SignatureError::Malformed)?;
    let ok = match method.trim().to_ascii_lowercase().as_str() {
        "sha1" => check::<Hmac<sha1::Sha1>>(secret, body, &digest),
        "sha256" => check::<Hmac<sha2::Sha256>>(secret, body, &digest),
        "sha384" => check::<Hmac<sha2::Sha384>>(secret, body, &digest),
        "sha512" => check::<Hmac<sha2::Sha512>>(secret, body, &digest),
        other => return Err(SignatureError::Method(other.chars().take(16).collect())),
    };
    ok.then_some(()).ok_or(SignatureError::Mismatch)
}

/// `method=hex` for `body`: what a hub sends (the tests and the benchmark sign with it).
pub fn sign(method: &str, secret: &[u8], body: &[u8]) -> Option<String> {
    let bytes = match method {
        "sha1" => mac::<Hmac<sha1::Sha1>>(secret, body),
        "sha256" => mac::<Hmac<sha2::Sha256>>(secret, body),
        "sha384" => mac::<Hmac<sha2::Sha384>>(secret, body),
        "sha512" => mac::<Hmac<sha2::Sha512>>(secret, body),
        _ => return None,
    };
    Some(format!("{method}={}", hex(&bytes)))
}

fn mac<M: Mac + KeyInit>(secret: &[u8], body: &[u8]) -> Vec<u8> {
    let mut m = <M as KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    m.update(body);
    m.finalize().into_bytes().to_vec()
}

fn check<M: Mac + KeyInit>(secret: &[u8], body: &[u8], digest: &[u8]) -> bool {
    let Ok(mut m) = <M as KeyInit>::new_from_slice(secret) else {
        return false;
    };
    m.update(body);
    m.verify_slice(digest).is_ok()
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 || s.len() > 256 || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_method_round_trips_and_wrong_ones_fail() {
        let (secret, body) = (b"s3cret".as_slice(), b"<feed/>".as_slice());
        for m in ["sha1", "sha256", "sha384", "sha512"] {
            let h = sign(m, secret, body).unwrap();
            assert_eq!(verify(Some(&h), secret, body), Ok(()), "{m}");
            assert_eq!(
                verify(Some(&h), secret, b"<feed/> "),
                Err(SignatureError::Mismatch)
            );
            assert_eq!(
                verify(Some(&h), b"other", body),
                Err(SignatureError::Mismatch)
            );
            assert_eq!(
                verify(Some(&h.to_uppercase()), secret, body),
                Ok(()),
                "{m} upper"
            );
        }
        // RFC 4231 test case 2 (HMAC-SHA256, key "Jefe").
        let h = sign("sha256", b"Jefe", b"what do ya want for nothing?").unwrap();
        assert_eq!(
            h,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(verify(None, secret, body), Err(SignatureError::Missing));
        assert_eq!(
            verify(Some("sha256"), secret, body),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(Some("sha256=zz"), secret, body),
            Err(SignatureError::Malformed)
        );
        assert!(matches!(
            verify(Some("md5=00"), secret, body),
            Err(SignatureError::Method(_))
        ));
    }
}
