//! One notification request: ntfy's HTTP API (a POST to the topic URL with the text as the
//! body and `Title`, `Click`, `Tags` headers) or a generic webhook (a POST of the entry as
//! a JSON Feed item), with `Authorization: Bearer` from the target's `token_env`, read at
//! each send so a rotated token needs no reload.

use std::time::Duration;

use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};

use crate::config::{NotifyKind, NotifyTarget};
use crate::store::Notice;

/// What one attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered (a 2xx).
    Sent,
    /// Worth another try (a timeout, a network error, 408, 429, 5xx), after at least the
    /// server's `Retry-After` when it gave one.
    Retry(Option<Duration>, String),
    /// Another try would fail the same way (another 4xx).
    Fatal(String),
}

/// Sends `notice` to `target`.
pub async fn send(client: &reqwest::Client, target: &NotifyTarget, notice: &Notice) -> Outcome {
    let mut req = client.post(target.url.clone());
    if let Some(var) = &target.token_env {
        match std::env::var(var) {
            Ok(token) if !token.trim().is_empty() => {
                let value = HeaderValue::from_str(&format!("Bearer {}", token.trim()));
                match value {
                    Ok(mut v) => {
                        v.set_sensitive(true);
                        req = req.header(AUTHORIZATION, v);
                    }
                    Err(_) => {
                        return Outcome::Retry(
                            None,
                            format!("token_env: ${var} holds characters a header cannot carry"),
                        )
                    }
                }
            }
            _ => {
                return Outcome::Retry(
                    None,
                    format!("token_env: ${var} is not set in the daemon's environment"),
                )
            }
        }
    }
    req = match target.kind {
        NotifyKind::Ntfy => ntfy(req, notice),
        NotifyKind::Webhook => req
            .header(CONTENT_TYPE, "application/json")
            .body(notice.item.clone()),
    };
    match req.send().await {
        Ok(resp) if resp.status().is_success() => Outcome::Sent,
        Ok(resp) => {
            let status = resp.status();
            let retry_after = resp
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s.min(86_400)));
            let why = format!("HTTP {status}");
            if status.is_server_error() || matches!(status.as_u16(), 408 | 429) {
                Outcome::Retry(retry_after, why)
            } else {
                Outcome::Fatal(why)
            }
        }
        Err(e) if e.is_timeout() => Outcome::Retry(None, "timed out".into()),
        Err(e) => Outcome::Retry(None, crate::errors::error_chain(&e)),
    }
}

/// ntfy's headers and body: the title (RFC 2047 encoded when it is not ASCII, which ntfy
/// decodes), the link to open, the tags (show slugs and kinds).
fn ntfy(mut req: reqwest::RequestBuilder, notice: &Notice) -> reqwest::RequestBuilder {
    if let Ok(v) = HeaderValue::from_str(&header_text(&notice.title)) {
        req = req.header("Title", v);
    }
    if let Some(link) = &notice.link {
        if let Ok(v) = HeaderValue::from_str(link) {
            req = req.header("Click", v);
        }
    }
    if !notice.tags.is_empty() {
        if let Ok(v) = HeaderValue::from_str(&header_text(&notice.tags.join(","))) {
            req = req.header("Tags", v);
        }
    }
    req.header(CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(notice.body.clone())
}

/// `text` as a header value: as it is when it is printable ASCII, else an RFC 2047
/// encoded word (`=?UTF-8?B?...?=`).
pub fn header_text(text: &str) -> String {
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return text;
    }
    format!("=?UTF-8?B?{}?=", base64(text.as_bytes()))
}

/// Standard base64 with padding (RFC 4648).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{base64, header_text};

    #[test]
    fn titles_fit_in_headers() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(header_text("Squid Game: trailer"), "Squid Game: trailer");
        assert_eq!(header_text("Pokémon"), "=?UTF-8?B?UG9rw6ltb24=?=");
        assert_eq!(header_text("a\nb"), "ab");
    }
}
