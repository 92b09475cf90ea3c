//! Query strings of the output documents, parsed strictly: an unknown, repeated or invalid
//! parameter is a 400 that names it, never silently ignored.

use super::error::ServeError;

/// Entries per document when `limit` is absent.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest `limit` over HTTP (the CLI has none).
pub const MAX_LIMIT: usize = 1000;
/// Longest query string accepted.
const MAX_QUERY_LEN: usize = 4096;

/// What to put in a document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FeedQuery {
    /// At most this many entries, newest first.
    pub limit: usize,
}

impl Default for FeedQuery {
    fn default() -> Self {
        FeedQuery {
            limit: DEFAULT_LIMIT,
        }
    }
}

impl FeedQuery {
    /// Parses a raw query string (without `?`), with HTTP's limits.
    pub fn parse(raw: Option<&str>) -> Result<FeedQuery, ServeError> {
        let mut q = FeedQuery::default();
        let Some(raw) = raw.filter(|r| !r.is_empty()) else {
            return Ok(q);
        };
        if raw.len() > MAX_QUERY_LEN {
            return Err(ServeError::BadQuery(format!(
                "query string too long ({} bytes, at most {MAX_QUERY_LEN})",
                raw.len()
            )));
        }
        let mut seen_limit = false;
        for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
            match key.as_ref() {
                "limit" => {
                    if seen_limit {
                        return Err(ServeError::BadQuery(
                            "parameter `limit` is given more than once".into(),
                        ));
                    }
                    seen_limit = true;
                    q.limit = match value.trim().parse::<usize>() {
                        Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                        _ => {
                            return Err(ServeError::BadQuery(format!(
                            "parameter `limit` must be an integer from 1 to {MAX_LIMIT}, got {:?}",
                            truncate(&value)
                        )))
                        }
                    };
                }
                other => {
                    return Err(ServeError::BadQuery(format!(
                        "unknown query parameter `{}` (supported: limit)",
                        truncate(other)
                    )))
                }
            }
        }
        Ok(q)
    }

    /// A canonical string for cache keys.
    pub fn cache_key(&self) -> String {
        format!("limit={}", self.limit)
    }
}

/// Echoes at most 64 characters of client input in messages.
fn truncate(s: &str) -> String {
    let t: String = s.chars().take(64).filter(|c| !c.is_control()).collect();
    if s.chars().count() > 64 {
        format!("{t}…")
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects_precisely() {
        assert_eq!(FeedQuery::parse(None).unwrap().limit, 100);
        assert_eq!(FeedQuery::parse(Some("limit=5")).unwrap().limit, 5);
        for bad in ["limit=0", "limit=1001", "limit=abc", "limit=5&limit=6"] {
            let e = FeedQuery::parse(Some(bad)).unwrap_err().to_string();
            assert!(e.contains("`limit`"), "{bad}: {e}");
        }
        let e = FeedQuery::parse(Some("evil=%3Cscript%3E"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("`evil`"), "{e}");
    }
}
