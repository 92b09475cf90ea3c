//! Time as the rest of showfeed reads it: Unix seconds, and RFC 3339 text for people and
//! documents. A leaf module, so every stage can read the clock without importing another
//! stage.

use chrono::{DateTime, FixedOffset};

/// Current Unix time in seconds.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Unix seconds to a timestamp in UTC (the epoch for a time chrono cannot represent).
pub fn time(t: i64) -> DateTime<FixedOffset> {
    DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .fixed_offset()
}

/// RFC 3339 in UTC, seconds precision.
pub fn rfc3339(t: i64) -> String {
    time(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
