//! `spoilers` and `spoilers_until` of a `[[show]]` or a `[[view]]`: a duration after
//! publication, and a date or date-time, each reported where it is written when wrong.

use toml::Spanned;

use super::{duration, Collector, DAY, MINUTE};
use crate::config::Spoilers;

/// The longest `spoilers` hold: a year (an embargo is about a season, not forever).
const MAX_HOLD_DAYS: u32 = 366;

/// The embargo a show or view sets; what is wrong is reported and left unset.
pub(super) fn of(
    hold: Option<&Spanned<String>>,
    until: Option<&Spanned<toml::Value>>,
    subject: Option<&str>,
    c: &mut Collector<'_>,
) -> Spoilers {
    let hold =
        hold.and_then(|h| duration(h, subject, "spoilers", (MINUTE, DAY * MAX_HOLD_DAYS), c));
    let until = until.and_then(|u| {
        let t = instant(u.get_ref());
        if t.is_none() {
            c.spanned(
                u,
                subject,
                format!(
                    "`spoilers_until` = {} is not a date or time: write a TOML date (2026-06-30) or date-time with offset (2026-06-30T20:00:00Z)",
                    u.get_ref()
                ),
            );
        }
        t
    });
    Spoilers { hold, until }
}

/// A TOML date (its first second, UTC), date-time with offset, or local date-time (read as
/// UTC); the same written as a string.
fn instant(v: &toml::Value) -> Option<i64> {
    let text = match v {
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::String(s) => s.trim().to_owned(),
        _ => return None,
    };
    parse_instant(&text)
}

/// `2026-06-30`, `2026-06-30T20:00:00Z` (any offset), `2026-06-30T20:00:00` (UTC).
pub(crate) fn parse_instant(text: &str) -> Option<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp());
    }
    [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
    ]
    .iter()
    .find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok())
    .map(|t| t.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::parse_instant;
    use crate::config::{Config, Spoilers};
    use std::path::Path;

    const FEED: &str = "[[feed]]\nid = \"a\"\nurl = \"https://example.org/feed\"\n\n";

    #[test]
    fn shows_and_views_take_an_embargo() {
        let text = format!(
            "{FEED}[[show]]\nname = \"Squid Game\"\nspoilers = \"48h\"\n\n[[show]]\nname = \"The Bear\"\nspoilers_until = 2026-06-30\n\n[[show]]\nname = \"Lost\"\n\n[[view]]\nname = \"v\"\nspoilers = \"2d\"\nspoilers_until = \"2026-06-30T02:00:00+02:00\"\n"
        );
        let c = Config::parse(&text, Path::new("feeds.toml")).unwrap();
        let hour = std::time::Duration::from_secs(3600);
        assert_eq!(c.spoilers.len(), 2, "Lost has none");
        assert_eq!(c.spoilers["squid-game"].hold, Some(hour * 48));
        assert_eq!(c.spoilers["the-bear"].until, Some(1_782_777_600));
        let both = Spoilers {
            hold: Some(hour * 48),
            until: Some(1_782_777_600),
        };
        assert_eq!(c.views[0].spoilers, both);
        // A reload that changes only an embargo is applied (without re-tagging).
        let changed = text.replace("\"48h\"", "\"72h\"");
        let d = crate::config::diff(
            &c,
            &Config::parse(&changed, Path::new("feeds.toml")).unwrap(),
        );
        assert_eq!(d.sections, ["spoilers"]);
        assert!(!d.shows_changed());
    }

    #[test]
    fn wrong_values_are_reported_where_they_are() {
        let text = format!(
            "{FEED}[[show]]\nname = \"Squid Game\"\nspoilers = \"soon\"\nspoilers_until = 30\n\n[[view]]\nname = \"v\"\nspoilers = \"10s\"\n"
        );
        let e = Config::parse(&text, Path::new("feeds.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(
                "feeds.toml:7:12: show `Squid Game`: `spoilers` = \"soon\" is not a duration"
            ),
            "{e}"
        );
        assert!(
            e.contains("feeds.toml:8:18: show `Squid Game`: `spoilers_until` = 30 is not a date"),
            "{e}"
        );
        assert!(
            e.contains("view `v`: `spoilers` = 10s is out of range"),
            "{e}"
        );
    }

    #[test]
    fn dates_and_times_read_as_instants() {
        assert_eq!(parse_instant("2026-06-30"), Some(1_782_777_600));
        assert_eq!(parse_instant("2026-06-30T00:00:00Z"), Some(1_782_777_600));
        assert_eq!(
            parse_instant("2026-06-30T02:00:00+02:00"),
            Some(1_782_777_600)
        );
        assert_eq!(parse_instant("2026-06-30T00:00:00"), Some(1_782_777_600));
        assert_eq!(parse_instant("June 30"), None);
        assert_eq!(parse_instant("2026-13-01"), None);
    }
}
