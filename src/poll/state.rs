//! A feed's poll state and how one poll changes it.
//!
//! [`FeedPoll`] wraps the stored [`FeedState`] for the length of one poll; each way a poll
//! can end is a named transition ([`FeedPoll::not_modified`], [`FeedPoll::fetched`] then
//! [`FeedPoll::stored`], [`FeedPoll::failed`]) that sets the next due time by the policy
//! below and returns what an admin should hear about as typed [`PollEvent`]s. The policy
//! (interval, server hints, backoff) lives here rather than in the scheduler, so the
//! scheduler only reads due times and the poll path never imports it.

use std::time::Duration;

use crate::config::{Feed, Polling};
use crate::fetch::{FetchError, Validators};
use crate::store::{Cadence, FeedState, HealthEvent, IngestStats};

use super::cadence::{self, PostingRate};
use super::PollError;

/// After this many consecutive failures a feed is reported as failing.
pub const FAILING_AFTER: u32 = 3;
/// A poll with at least this many items, all new, on a feed with stored entries, suggests
/// items were missed between polls.
pub const GAP_MIN_ITEMS: usize = 5;
/// Backoff never waits longer than this.
pub const MAX_BACKOFF: Duration = Duration::from_secs(24 * 3600);

fn jitter(d: Duration) -> Duration {
    // Up to 10% later, never earlier: polite to publishers, spreads polls apart.
    d.mul_f64(1.0 + fastrand::f64() * 0.1)
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// The interval stretched by a server hint up to `max_interval` (never shortened by one).
fn stretched(interval: Duration, hint: Option<Duration>, max_interval: Duration) -> Duration {
    match hint {
        Some(h) if h > interval => h.min(max_interval.max(interval)),
        _ => interval,
    }
}

/// Delay after a successful poll: the interval, stretched by a server hint up to
/// `max_interval` (never shortened by one), plus jitter.
pub fn success_delay(
    interval: Duration,
    hint: Option<Duration>,
    max_interval: Duration,
) -> Duration {
    jitter(stretched(interval, hint, max_interval))
}

/// The first retries after a failure: quick, so a start during a network or DNS blip
/// recovers in minutes, not after twice the interval.
const FIRST_RETRIES: [Duration; 3] = [
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(15 * 60),
];

/// Delay after the `failures`-th consecutive failure: 1 min, 5 min, 15 min, then doubling
/// from the interval (at least 15 min) up to [`MAX_BACKOFF`], plus jitter. A server that
/// asked us to slow down gets at least `Retry-After` (capped at `max_interval`) and, when it
/// named no time (a bare 429 or 503), at least the interval.
pub fn failure_delay(
    interval: Duration,
    failures: u32,
    retry_after: Option<Duration>,
    rate_limited: bool,
    max_interval: Duration,
) -> Duration {
    let backoff = match failures {
        0 => interval,
        n if n as usize <= FIRST_RETRIES.len() => FIRST_RETRIES[n as usize - 1],
        n => interval
            .max(FIRST_RETRIES[FIRST_RETRIES.len() - 1])
            .saturating_mul(1 << (n - FIRST_RETRIES.len() as u32).min(16))
            .min(MAX_BACKOFF),
    };
    let wait = match retry_after {
        Some(r) => backoff.max(r.min(max_interval.max(interval))),
        None if rate_limited => backoff.max(interval),
        None => backoff,
    };
    jitter(wait)
}

/// A reason without the server-hint clause a poll added to it (the hint is the next
/// poll's to add again, or not).
fn strip_hint(reason: &str) -> String {
    reason
        .split_once("; stretched to ")
        .map_or(reason, |(r, _)| r)
        .to_owned()
}

/// Whether a failure of this kind (a [`PollError::kind`] label) is the network's, not the
/// feed's: DNS, connect, timeouts. A restart retries those at once.
pub fn is_transient(kind: &str) -> bool {
    matches!(kind, "connect" | "timeout" | "request")
}

/// Something a poll found that an admin should hear about (the health feed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollEvent {
    /// [`FAILING_AFTER`] polls in a row failed.
    Failing {
        /// The last error.
        error: String,
    },
    /// A poll succeeded after the feed was reported failing.
    Recovered {
        /// How many polls had failed.
        failures: u32,
        /// The last error before.
        last_error: String,
    },
    /// HTTP 410: polling stopped until the URL changes.
    Gone {
        /// The error.
        error: String,
    },
    /// Every redirect on the way was permanent: the config should name the new URL.
    Moved {
        /// The configured URL.
        from: String,
        /// Where it lives now.
        to: String,
    },
    /// Every item was new on a feed with stored entries: items may have been missed.
    Gap {
        /// New items in this poll.
        new: usize,
    },
}

impl PollEvent {
    /// The stored event for feed `feed_id` at `at`.
    pub fn into_health(self, feed_id: &str, at: i64) -> HealthEvent {
        let (kind, title, detail) = match self {
            PollEvent::Failing { error } => (
                "failing",
                format!("{feed_id}: failing for {FAILING_AFTER} polls"),
                error,
            ),
            PollEvent::Recovered { failures, last_error } => (
                "recovered",
                format!("{feed_id}: back after {failures} failed polls"),
                last_error,
            ),
            PollEvent::Gone { error } => (
                "gone",
                format!("{feed_id}: gone (HTTP 410); polling stopped"),
                error,
            ),
            PollEvent::Moved { from, to } => (
                "moved",
                format!("{feed_id}: permanently redirected; update its url in feeds.toml"),
                format!("{from} -> {to}"),
            ),
            PollEvent::Gap { new } => (
                "gap",
                format!("{feed_id}: {new} new items and none seen before: items may have been missed"),
                "The feed's newest items no longer overlap what was stored: it publishes faster than it is polled. Lower its interval.".to_owned(),
            ),
        };
        HealthEvent {
            at,
            feed_id: feed_id.to_owned(),
            kind: kind.to_owned(),
            title,
            detail,
        }
    }
}

/// What a fetched body says about the feed itself, applied by [`FeedPoll::fetched`].
#[derive(Debug, Default)]
pub struct FetchedFeed {
    /// The response's validators.
    pub validators: Validators,
    /// The feed's own title.
    pub title: Option<String>,
    /// The feed's own website link.
    pub site_link: Option<String>,
    /// Where every redirect permanently pointed.
    pub moved_to: Option<String>,
    /// How often the feed posts, by its items' dates (for `interval = "auto"`).
    pub rate: Option<PostingRate>,
    /// The feed's small icon.
    pub icon: Option<String>,
    /// The feed's larger image.
    pub logo: Option<String>,
}

/// One feed's state during one poll.
#[derive(Debug)]
pub struct FeedPoll {
    /// The state as the poll leaves it so far.
    pub state: FeedState,
    /// The configured interval, or for an adaptive feed the one its last poll chose.
    interval: Duration,
    /// Whether the interval follows the posting rate.
    adaptive: bool,
    /// The configured interval (an adaptive feed's fallback).
    configured: Duration,
    min_interval: Duration,
    max_interval: Duration,
    url: String,
}

impl FeedPoll {
    /// Starts a poll of `feed` at `now` from its stored state. A new URL starts afresh: the
    /// old validators and a 410 verdict belonged to the old one.
    pub fn begin(stored: Option<FeedState>, feed: &Feed, polling: &Polling, now: i64) -> FeedPoll {
        let mut state = stored.unwrap_or_default();
        if state.url != feed.url.as_str() {
            state = FeedState {
                url: feed.url.to_string(),
                entry_count: state.entry_count,
                ..FeedState::default()
            };
        }
        state.last_attempt = Some(now);
        let chosen = state
            .cadence
            .as_ref()
            .filter(|_| feed.adaptive)
            .map(|c| Duration::from_secs(c.base_secs));
        FeedPoll {
            state,
            interval: chosen.unwrap_or(feed.interval),
            adaptive: feed.adaptive,
            configured: feed.interval,
            min_interval: polling.min_interval,
            max_interval: polling.max_interval,
            url: feed.url.to_string(),
        }
    }

    /// The interval for the next poll and why: the configured one, or for an adaptive feed
    /// the one `rate` shows (without a new document, the last choice), then stretched by
    /// the server's `hint`.
    fn cadence(&mut self, rate: Option<PostingRate>, hint: Option<Duration>) -> Cadence {
        let (base, reason) = match (self.adaptive, rate, self.state.cadence.take()) {
            (false, _, _) => (
                self.configured,
                format!("fixed: every {}", cadence::round(self.configured)),
            ),
            (true, Some(rate), _) => {
                let c =
                    cadence::choose(rate, self.configured, self.min_interval, self.max_interval);
                (c.interval, c.reason)
            }
            (true, None, Some(last)) if last.base_secs > 0 => (
                Duration::from_secs(last.base_secs),
                strip_hint(&last.reason),
            ),
            (true, None, _) => (
                self.configured,
                "auto: no document read yet, so the default interval".to_owned(),
            ),
        };
        self.interval = base;
        let interval = stretched(base, hint, self.max_interval);
        let reason = if interval > base {
            format!(
                "{reason}; stretched to {} by the server (Cache-Control or ttl)",
                cadence::round(interval)
            )
        } else {
            reason
        };
        Cadence {
            base_secs: base.as_secs(),
            interval_secs: interval.as_secs(),
            reason,
        }
    }

    /// The validators for a conditional request.
    pub fn validators(&self) -> Validators {
        Validators {
            etag: self.state.etag.clone(),
            last_modified: self.state.last_modified.clone(),
        }
    }

    /// When the feed is due next (Unix seconds).
    pub fn next_poll(&self) -> i64 {
        self.state.next_poll
    }

    /// Entries stored for this feed before this poll's commit.
    pub fn entry_count(&self) -> u64 {
        self.state.entry_count
    }

    /// The server answered: due again after the interval (stretched by `hint`); a feed
    /// that was failing has recovered.
    fn succeeded(
        &mut self,
        now: i64,
        hint: Option<Duration>,
        rate: Option<PostingRate>,
    ) -> Vec<PollEvent> {
        let cadence = self.cadence(rate, hint);
        self.state.next_poll = now + secs(jitter(Duration::from_secs(cadence.interval_secs)));
        self.state.cadence = Some(cadence);
        let mut events = Vec::new();
        if self.state.consecutive_failures >= FAILING_AFTER {
            events.push(PollEvent::Recovered {
                failures: self.state.consecutive_failures,
                last_error: self.state.last_error.clone().unwrap_or_default(),
            });
        }
        self.state.consecutive_failures = 0;
        self.state.last_error_kind = None;
        self.state.last_success = Some(now);
        self.state.disabled = None;
        events
    }

    /// 304 (or an unchanged file).
    pub fn not_modified(&mut self, now: i64, hint: Option<Duration>) -> Vec<PollEvent> {
        self.succeeded(now, hint, None)
    }

    /// A new body was read and parsed: the feed's validators, title and site advance (they
    /// are stored with the entries, in one transaction).
    pub fn fetched(
        &mut self,
        now: i64,
        hint: Option<Duration>,
        feed: FetchedFeed,
    ) -> Vec<PollEvent> {
        let mut events = self.succeeded(now, hint, feed.rate);
        if feed.moved_to.is_some() && feed.moved_to != self.state.moved_to {
            events.push(PollEvent::Moved {
                from: self.url.clone(),
                to: feed.moved_to.clone().unwrap_or_default(),
            });
        }
        self.state.moved_to = feed.moved_to;
        self.state.etag = feed.validators.etag;
        self.state.last_modified = feed.validators.last_modified;
        self.state.title = feed.title;
        self.state.site_link = feed.site_link;
        self.state.icon = feed.icon;
        self.state.logo = feed.logo;
        events
    }

    /// The entries were committed (`state` is what the commit wrote); `stored_before` is
    /// how many entries the feed had before.
    pub fn stored(
        &mut self,
        state: FeedState,
        stats: &IngestStats,
        stored_before: u64,
    ) -> Option<PollEvent> {
        self.state = state;
        (stored_before > 0 && stats.new >= GAP_MIN_ITEMS && stats.unchanged + stats.updated == 0)
            .then_some(PollEvent::Gap { new: stats.new })
    }

    /// The poll failed: back off (at least `Retry-After`), and count towards failing; 410
    /// disables the feed.
    pub fn failed(&mut self, now: i64, error: &PollError, message: &str) -> Vec<PollEvent> {
        let s = &mut self.state;
        s.consecutive_failures += 1;
        s.last_error = Some(message.to_owned());
        s.last_error_at = Some(now);
        s.last_error_kind = Some(error.kind().to_owned());
        let (retry_after, rate_limited) = match error {
            PollError::Fetch(f @ FetchError::Status { status, .. }) => (
                f.retry_after(),
                status.as_u16() == 429 || status.as_u16() == 503,
            ),
            _ => (None, false),
        };
        let delay = failure_delay(
            self.interval,
            s.consecutive_failures,
            retry_after,
            rate_limited,
            self.max_interval,
        );
        s.next_poll = now + secs(delay);
        if matches!(error, PollError::Fetch(FetchError::Gone)) {
            s.disabled = Some(message.to_owned());
            return vec![PollEvent::Gone {
                error: message.to_owned(),
            }];
        }
        if s.consecutive_failures == FAILING_AFTER {
            return vec![PollEvent::Failing {
                error: message.to_owned(),
            }];
        }
        Vec::new()
    }

    /// Whether `error` disables the feed (HTTP 410).
    pub fn is_gone(&self, error: &PollError) -> bool {
        matches!(error, PollError::Fetch(FetchError::Gone))
    }

    /// How long the poll waits before the next attempt, for the log.
    pub fn retry_in(&self, now: i64) -> Duration {
        Duration::from_secs(u64::try_from(self.state.next_poll - now).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn hints_stretch_but_never_shorten_and_stay_bounded() {
        let d = success_delay(30 * MIN, Some(5 * MIN), 24 * 60 * MIN);
        assert!(d >= 30 * MIN && d <= 33 * MIN);
        let d = success_delay(30 * MIN, Some(120 * MIN), 24 * 60 * MIN);
        assert!(d >= 120 * MIN && d <= 132 * MIN);
        let d = success_delay(30 * MIN, Some(100 * 60 * MIN), 6 * 60 * MIN);
        assert!(d >= 360 * MIN && d <= 396 * MIN);
    }

    #[test]
    fn first_retries_are_quick_then_backoff_doubles_and_caps_at_a_day() {
        let day = 24 * 60 * MIN;
        let d = |n, ra, limited| failure_delay(30 * MIN, n, ra, limited, day);
        let within = |d: Duration, lo: Duration| d >= lo && d <= lo.mul_f64(1.1);
        assert!(within(d(1, None, false), MIN));
        assert!(within(d(2, None, false), 5 * MIN));
        assert!(within(d(3, None, false), 15 * MIN));
        assert!(
            within(d(4, None, false), 60 * MIN),
            "doubling from the interval"
        );
        assert!(within(d(5, None, false), 120 * MIN));
        assert!(within(d(40, None, false), MAX_BACKOFF));
        // Short intervals still wait 15 min, then double.
        assert!(within(failure_delay(MIN, 4, None, false, day), 30 * MIN));
        // Servers that asked us to slow down.
        assert!(d(1, Some(90 * MIN), true) >= 90 * MIN);
        assert!(
            within(d(1, None, true), 30 * MIN),
            "a bare 429 waits the interval"
        );
    }

    #[test]
    fn network_failures_are_transient_feed_failures_are_not() {
        for k in ["connect", "timeout", "request"] {
            assert!(is_transient(k), "{k}");
        }
        for k in ["status", "parse", "too_large", "gone", "private"] {
            assert!(!is_transient(k), "{k}");
        }
    }
}
