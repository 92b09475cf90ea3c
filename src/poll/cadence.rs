//! Cadence: how often a feed with `interval = "auto"` is polled.
//!
//! The interval follows the feed's posting rate, as Miniflux's `entry_frequency` scheduler
//! does: about a week divided by the number of items posted in that week, i.e. the mean gap
//! between two posts, so that a poll finds about one new item. The rate is read from the
//! dates of the items in each fetched document, which needs no store scan and works from the
//! first poll. A document that does not reach back a week (a feed that keeps its last ten
//! items and posts ten a day) gives the rate over the time it covers. The result is clamped
//! to `[polling] min_interval` / `max_interval`; server hints (Cache-Control, `<ttl>`) may
//! still stretch it ([`super::state::success_delay`]). Every choice carries its reason in
//! words, for `/status` and `showfeed status`.

use std::time::Duration;

/// A week, in seconds: the window the posting rate is counted over.
pub const WEEK: i64 = 7 * 86_400;

/// Item dates further in the future than this are wrong, not early: they are ignored.
const FUTURE_SLACK: i64 = 3_600;

/// What a fetched document says about how often its feed posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostingRate {
    /// `gaps` posts over the last `span` seconds.
    Observed {
        /// Posts counted (for a document shorter than the week, gaps between its items).
        gaps: usize,
        /// The seconds they were counted over: a week, or back to the document's oldest item.
        span: i64,
    },
    /// Dated items, none from the last week.
    Quiet {
        /// Seconds since the newest item.
        newest_age: i64,
    },
    /// The dates cannot tell.
    Unknown(&'static str),
}

/// The posting rate that the item dates (Unix seconds; an item's published date, else its
/// updated one) of one document show at `now`.
pub fn posting_rate(dates: impl IntoIterator<Item = i64>, now: i64) -> PostingRate {
    let mut dates: Vec<i64> = dates
        .into_iter()
        .filter(|d| *d <= now + FUTURE_SLACK)
        .map(|d| d.min(now))
        .collect();
    dates.sort_unstable();
    let (Some(&oldest), Some(&newest)) = (dates.first(), dates.last()) else {
        return PostingRate::Unknown("its items carry no dates");
    };
    if dates.len() >= 3 && oldest == newest {
        // A feed that stamps every item with the time of the request.
        return PostingRate::Unknown("all its items carry the same date");
    }
    let week_ago = now - WEEK;
    let recent = dates.iter().filter(|d| **d > week_ago).count();
    if recent == 0 {
        return PostingRate::Quiet {
            newest_age: now - newest,
        };
    }
    if oldest < week_ago {
        return PostingRate::Observed {
            gaps: recent,
            span: WEEK,
        };
    }
    // The document covers less than a week: its items' gaps, over the time back to the
    // oldest (one item alone says nothing of a rate).
    if dates.len() < 2 {
        return PostingRate::Unknown("it has a single dated item");
    }
    PostingRate::Observed {
        gaps: dates.len() - 1,
        span: (now - oldest).max(1),
    }
}

/// An adaptive interval and why it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The interval, before server hints and jitter.
    pub interval: Duration,
    /// Why, in words ("12 items in the last 7 days: one every 14h").
    pub reason: String,
}

/// The interval for `rate`: the mean gap between posts within `min` / `max`; `fallback`
/// (the feed's configured or default interval) when the dates cannot tell.
pub fn choose(rate: PostingRate, fallback: Duration, min: Duration, max: Duration) -> Choice {
    let clamp = |d: Duration, why: String| {
        let (interval, bound) = if d < min {
            (min, " (raised to min_interval)")
        } else if d > max {
            (max, " (lowered to max_interval)")
        } else {
            (d, "")
        };
        Choice {
            interval,
            reason: format!("auto: {why}{bound}"),
        }
    };
    match rate {
        PostingRate::Observed { gaps, span } => {
            let gap = Duration::from_secs(u64::try_from(span).unwrap_or(0) / gaps.max(1) as u64);
            let over = if span >= WEEK {
                "in the last 7 days".to_owned()
            } else {
                format!("over the last {}", round(Duration::from_secs(span as u64)))
            };
            let noun = if gaps == 1 { "post" } else { "posts" };
            clamp(
                gap,
                format!("{gaps} {noun} {over}: one every {}", round(gap)),
            )
        }
        PostingRate::Quiet { newest_age } => Choice {
            interval: max,
            reason: format!(
                "auto: nothing posted for {}: max_interval",
                round(Duration::from_secs(newest_age as u64))
            ),
        },
        PostingRate::Unknown(why) => Choice {
            interval: fallback,
            reason: format!("auto: {why}, so the default interval"),
        },
    }
}

/// `d` rounded for people, in at most two units: "40d", "1d 18h", "9h 40m", "31m", "45s".
pub fn round(d: Duration) -> String {
    let s = d.as_secs();
    let two = |big: u64, small: u64, a: &str, b: &str| {
        let units = (s + small / 2) / small;
        let (hi, lo) = (units / (big / small), units % (big / small));
        if lo == 0 {
            format!("{hi}{a}")
        } else {
            format!("{hi}{a} {lo}{b}")
        }
    };
    match s {
        0..=59 => format!("{s}s"),
        60..=3_599 => format!("{}m", (s + 30) / 60),
        3_600..=86_399 => two(3_600, 60, "h", "m"),
        _ => two(86_400, 3_600, "d", "h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;
    const H: i64 = 3_600;
    const MIN: Duration = Duration::from_secs(300);
    const MAX: Duration = Duration::from_secs(86_400);
    const FALLBACK: Duration = Duration::from_secs(1_800);

    fn every(gap: i64, n: i64) -> Vec<i64> {
        (0..n).map(|i| NOW - i * gap).collect()
    }

    #[test]
    fn a_week_long_document_counts_the_week() {
        // One item every 14 hours for three weeks: 12 in the last 7 days.
        let rate = posting_rate(every(14 * H, 36), NOW);
        assert_eq!(
            rate,
            PostingRate::Observed {
                gaps: 12,
                span: WEEK
            }
        );
        let c = choose(rate, FALLBACK, MIN, MAX);
        assert_eq!(c.interval, Duration::from_secs(14 * H as u64));
        assert_eq!(c.reason, "auto: 12 posts in the last 7 days: one every 14h");
    }

    #[test]
    fn a_short_document_gives_the_rate_over_what_it_covers() {
        // Ten items, one every 90 minutes, the newest just now: the feed keeps its last ten.
        let c = choose(posting_rate(every(90 * 60, 10), NOW), FALLBACK, MIN, MAX);
        assert_eq!(c.interval, Duration::from_secs(90 * 60));
        assert_eq!(
            c.reason,
            "auto: 9 posts over the last 13h 30m: one every 1h 30m"
        );
    }

    #[test]
    fn bounds_and_quiet_feeds() {
        let c = choose(posting_rate(every(60, 50), NOW), FALLBACK, MIN, MAX);
        assert_eq!(c.interval, MIN);
        assert!(
            c.reason.ends_with("(raised to min_interval)"),
            "{}",
            c.reason
        );
        let quiet = every(30 * 86_400, 5).into_iter().map(|d| d - 9 * 86_400);
        let c = choose(posting_rate(quiet, NOW), FALLBACK, MIN, MAX);
        assert_eq!(c.interval, MAX);
        assert_eq!(c.reason, "auto: nothing posted for 9d: max_interval");
        // One post in the last week, and older ones: a week apart.
        let c = choose(posting_rate(every(8 * 86_400, 4), NOW), FALLBACK, MIN, MAX);
        assert_eq!(
            (c.interval, c.reason.as_str()),
            (
                MAX,
                "auto: 1 post in the last 7 days: one every 7d (lowered to max_interval)"
            )
        );
    }

    #[test]
    fn durations_read_in_two_units() {
        for (secs, text) in [
            (45, "45s"),
            (1_831, "31m"),
            (3_599, "60m"),
            (34_800, "9h 40m"),
            (50_400, "14h"),
            (151_200, "1d 18h"),
            (40 * 86_400, "40d"),
        ] {
            assert_eq!(round(Duration::from_secs(secs)), text);
        }
    }

    #[test]
    fn dates_that_cannot_tell_keep_the_default() {
        for (dates, why) in [
            (vec![], "its items carry no dates"),
            (vec![NOW; 5], "all its items carry the same date"),
            (vec![NOW - H], "it has a single dated item"),
            (vec![NOW + 30 * 86_400], "its items carry no dates"),
        ] {
            let c = choose(posting_rate(dates, NOW), FALLBACK, MIN, MAX);
            assert_eq!(c.interval, FALLBACK);
            assert_eq!(c.reason, format!("auto: {why}, so the default interval"));
        }
    }
}
