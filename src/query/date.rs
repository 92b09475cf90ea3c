//! `date:` values: ISO 8601 dates, intervals and durations, as FreshRSS reads them.
//!
//! - `2026`, `2026-06`, `2026-06-14`: that year, month or day (UTC); an RFC 3339 time is
//!   that second.
//! - `A/B`: from the start of A to the end of B (`2026-06/2026-07` is June and July); either
//!   side may be empty (open) or a duration counted from the other side (`2026-06-01/P7D`).
//! - `P7D`, `PT12H`, `P1Y2M`: the last so long before now (rounded down to the minute, so the
//!   same query caches as one). A year is 365 days and a month 30, as durations go.

use super::ast::DateRange;

/// Longest duration: 10,000 years.
const MAX_SECONDS: i64 = 10_000 * 365 * 86_400;

/// Parses a `date:` value at `now`; the error says what is expected.
pub fn parse(text: &str, now: i64) -> Result<DateRange, String> {
    let now = now.div_euclid(60) * 60;
    let (start, end) = match text.split_once('/') {
        None if is_duration(text) => (Some(now - duration(text)?), None),
        None => {
            let (s, e) = period(text)?;
            (Some(s), Some(e))
        }
        Some((a, b)) => interval(a, b)?,
    };
    if let (Some(s), Some(e)) = (start, end) {
        if s >= e {
            return Err(format!("`date:` interval {text:?} ends before it starts"));
        }
    }
    Ok(DateRange {
        text: text.to_owned(),
        start,
        end,
    })
}

/// `a/b`: start of `a` to end of `b`.
fn interval(a: &str, b: &str) -> Result<(Option<i64>, Option<i64>), String> {
    match (is_duration(a), is_duration(b)) {
        (true, true) => Err("`date:` interval cannot be two durations".into()),
        (true, false) => {
            let (_, end) = period(b)?;
            Ok((Some(end - duration(a)?), Some(end)))
        }
        (false, true) => {
            let (start, _) = period(a)?;
            Ok((Some(start), Some(start + duration(b)?)))
        }
        (false, false) => {
            let start = if a.is_empty() {
                None
            } else {
                Some(period(a)?.0)
            };
            let end = if b.is_empty() {
                None
            } else {
                Some(period(b)?.1)
            };
            if start.is_none() && end.is_none() {
                return Err("`date:` interval needs a start or an end".into());
            }
            Ok((start, end))
        }
    }
}

fn is_duration(s: &str) -> bool {
    s.starts_with(['P', 'p'])
}

fn expected(s: &str) -> String {
    format!(
        "`date:` must be a date (2026, 2026-06, 2026-06-14, an RFC 3339 time), an interval (2026-06/2026-07) or a duration (P7D, PT12H), got {:?}",
        super::truncate(s)
    )
}

/// The period a date names: [first second, first second after).
fn period(s: &str) -> Result<(i64, i64), String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok((t.timestamp(), t.timestamp() + 1));
    }
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize| {
        (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let day = |y: u32, m: u32, d: u32| {
        chrono::NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp())
    };
    let bounds = match parts.as_slice() {
        [y] => num(y, 4).and_then(|y| Some((day(y, 1, 1)?, day(y + 1, 1, 1)?))),
        [y, m] => num(y, 4).zip(num(m, 2)).and_then(|(y, m)| {
            let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            Some((day(y, m, 1)?, day(next.0, next.1, 1)?))
        }),
        [y, m, d] => num(y, 4)
            .zip(num(m, 2))
            .zip(num(d, 2))
            .and_then(|((y, m), d)| day(y, m, d))
            .map(|t| (t, t + 86_400)),
        _ => None,
    };
    bounds.ok_or_else(|| expected(s))
}

/// Seconds of an ISO 8601 duration (`P1Y2M3W4DT5H6M7S`, every part optional).
fn duration(s: &str) -> Result<i64, String> {
    let bad = || {
        format!(
            "`date:` duration must look like P7D, PT12H or P1Y2M (ISO 8601), got {:?}",
            super::truncate(s)
        )
    };
    let mut total: i64 = 0;
    let mut in_time = false;
    let mut digits = String::new();
    let mut parts = 0;
    for c in s.chars().skip(1) {
        match c.to_ascii_uppercase() {
            '0'..='9' => digits.push(c),
            'T' if !in_time && digits.is_empty() => in_time = true,
            unit => {
                let n: i64 = digits.parse().map_err(|_| bad())?;
                digits.clear();
                let secs = match (unit, in_time) {
                    ('Y', false) => 365 * 86_400,
                    ('M', false) => 30 * 86_400,
                    ('W', false) => 7 * 86_400,
                    ('D', false) => 86_400,
                    ('H', true) => 3600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    _ => return Err(bad()),
                };
                total = n
                    .checked_mul(secs)
                    .and_then(|x| total.checked_add(x))
                    .filter(|t| *t <= MAX_SECONDS)
                    .ok_or_else(|| "`date:` duration is longer than 10,000 years".to_owned())?;
                parts += 1;
            }
        }
    }
    if !digits.is_empty() || parts == 0 {
        return Err(bad());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_780_000_000; // 2026-05-28T20:26:40Z

    fn range(s: &str) -> (Option<i64>, Option<i64>) {
        let r = parse(s, NOW).unwrap();
        (r.start, r.end)
    }

    #[test]
    fn dates_intervals_and_durations() {
        let june = 1_780_272_000; // 2026-06-01
        let august = 1_785_542_400; // 2026-08-01
        assert_eq!(range("2026-06/2026-07"), (Some(june), Some(august)));
        assert_eq!(range("2026-06-01"), (Some(june), Some(june + 86_400)));
        assert_eq!(range("2026-06-01/"), (Some(june), None));
        assert_eq!(range("/2026-07"), (None, Some(august)));
        assert_eq!(
            range("2026-06-01/P7D"),
            (Some(june), Some(june + 7 * 86_400))
        );
        assert_eq!(range("P1D/2026-06-01"), (Some(june), Some(june + 86_400)));
        let minute = NOW / 60 * 60;
        assert_eq!(range("P7D"), (Some(minute - 7 * 86_400), None));
        assert_eq!(range("PT1H30M"), (Some(minute - 5400), None));
        assert_eq!(
            range("2026-06-01T12:00:00Z"),
            (Some(june + 43_200), Some(june + 43_201))
        );
        let dec = range("2025-12");
        assert_eq!(dec.1, Some(1_767_225_600)); // 2026-01-01
    }

    #[test]
    fn rejects_precisely() {
        for bad in [
            "yesterday",
            "2026-13",
            "2026-02-30",
            "P",
            "P7",
            "PT7D",
            "P7H",
            "P1D/P2D",
            "/",
            "2026-07/2026-06",
            "P99999999999Y",
            "26-06",
        ] {
            assert!(parse(bad, NOW).is_err(), "{bad}");
        }
    }
}
