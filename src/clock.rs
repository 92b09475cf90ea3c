//! Time as the rest of showfeed reads it: Unix seconds, and RFC 3339 text for people and
//! documents. A leaf module, so every stage can read the clock without importing another
//! stage. [`Clock`] is the injectable form: what has to change at a given instant (a
//! spoiler embargo ending) reads it, so a test can move time instead of waiting for it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

/// Current Unix time in seconds.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A source of the current time: the system's, or a manual one that only moves when told
/// (tests), shared by every clone.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    /// The system clock ([`now`]).
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock that reads `t` until [`Clock::set`] moves it.
    pub fn manual(t: i64) -> Clock {
        Clock(Some(Arc::new(AtomicI64::new(t))))
    }

    /// The current time, Unix seconds.
    pub fn now(&self) -> i64 {
        match &self.0 {
            Some(t) => t.load(Ordering::Acquire),
            None => now(),
        }
    }

    /// Moves a manual clock to `t` (a system clock ignores it).
    pub fn set(&self, t: i64) {
        if let Some(c) = &self.0 {
            c.store(t, Ordering::Release);
        }
    }
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

/// `t` relative to `now` in words a person reads at a glance: "just now", "12 min ago",
/// "3 h ago", "2 days ago", "in 5 min".
pub fn relative(t: i64, now: i64) -> String {
    let d = now - t;
    let (n, unit) = match d.abs() {
        0..=44 => return "just now".to_owned(),
        45..=5399 => ((d.abs() + 30) / 60, "min"),
        5400..=129_599 => ((d.abs() + 1800) / 3600, "h"),
        _ => ((d.abs() + 43_200) / 86_400, "day"),
    };
    let unit = if unit == "day" && n != 1 {
        "days"
    } else {
        unit
    };
    if d > 0 {
        format!("{n} {unit} ago")
    } else {
        format!("in {n} {unit}")
    }
}

/// `t` in the server's local time zone, to the minute, with its offset: for tooltips next
/// to a relative time.
pub fn local(t: i64) -> String {
    time(t)
        .with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M %:z")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::relative;

    #[test]
    fn relative_times_read_at_a_glance() {
        let now = 1_000_000;
        assert_eq!(relative(now - 10, now), "just now");
        assert_eq!(relative(now - 12 * 60, now), "12 min ago");
        assert_eq!(relative(now - 3 * 3600, now), "3 h ago");
        assert_eq!(relative(now - 86_400 * 2, now), "2 days ago");
        assert_eq!(relative(now - 86_400 * 2 + 3600, now), "2 days ago");
        assert_eq!(relative(now + 5 * 60, now), "in 5 min");
    }
}
