//! Adaptive polling: with `interval = "auto"` a feed's interval follows its posting rate,
//! read from its items' dates, within `[polling] min_interval` / `max_interval`, never under
//! a server's Cache-Control; `/status` and `showfeed status` say which interval and why.

use crate::support::*;

const MINUTE: i64 = 60;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// An RSS feed whose items are dated `ages` seconds before now (`None`: undated).
fn rss(ages: &[Option<i64>]) -> Vec<u8> {
    let now = chrono::Utc::now().timestamp();
    let items: String = ages
        .iter()
        .enumerate()
        .map(|(i, age)| {
            let date = age.map_or(String::new(), |a| {
                let d = chrono::DateTime::from_timestamp(now - a, 0).unwrap();
                format!("<pubDate>{}</pubDate>", d.to_rfc2822())
            });
            format!("<item><title>Item {i}</title><link>https://a.example/{i}</link><guid>https://a.example/{i}</guid>{date}</item>")
        })
        .collect();
    format!("<rss version=\"2.0\"><channel><title>t</title><link>https://a.example/</link>{items}</channel></rss>").into_bytes()
}

fn every(gap: i64, n: i64, first: i64) -> Vec<Option<i64>> {
    (0..n).map(|i| Some(first + i * gap)).collect()
}

/// `/status`'s row of feed `id`, as JSON.
fn feed(h: &Harness, id: &str) -> serde_json::Value {
    let rows = showfeed::output::status::status_rows(&h.config, &h.store).unwrap();
    let row = rows.iter().find(|f| f.id == id);
    serde_json::to_value(row.unwrap_or_else(|| panic!("{id} in /status"))).unwrap()
}

#[tokio::test]
async fn intervals_follow_posting_rates_within_bounds_and_hints() {
    let server = FixtureServer::start().await;
    let xml = "application/rss+xml";
    // Twenty items, one every 30 minutes, the newest 10 minutes old: 19 gaps over 9h 40m.
    server.route(
        "/busy",
        Route::ok(rss(&every(30 * MINUTE, 20, 10 * MINUTE)), xml),
    );
    // One item every 14 hours for three weeks: 12 in the last 7 days.
    server.route("/daily", Route::ok(rss(&every(14 * HOUR, 36, HOUR)), xml));
    // Every two days: beyond max_interval.
    server.route("/slow", Route::ok(rss(&every(2 * DAY, 20, HOUR)), xml));
    // Nothing for 40 days.
    server.route("/quiet", Route::ok(rss(&every(10 * DAY, 5, 40 * DAY)), xml));
    server.route("/undated", Route::ok(rss(&[None, None, None]), xml));
    // Busy, but the server asks for two hours between requests.
    server.route(
        "/hinted",
        Route::ok(rss(&every(30 * MINUTE, 20, 10 * MINUTE)), xml)
            .header("cache-control", "max-age=7200"),
    );
    server.route(
        "/fixed",
        Route::ok(rss(&every(30 * MINUTE, 20, 10 * MINUTE)), xml),
    );
    let ids = [
        "busy", "daily", "slow", "quiet", "undated", "hinted", "fixed",
    ];
    let feeds: Vec<(&str, String)> = ids
        .iter()
        .map(|id| (*id, server.url(&format!("/{id}"))))
        .collect();
    let setup = write_config(
        &feeds,
        1,
        "[polling]\ninterval = \"2h\"\nadaptive = true\nmin_interval = \"10m\"\nmax_interval = \"1d\"\nallow_private = true\n",
    );
    // The last feed keeps a fixed interval of its own.
    let text = std::fs::read_to_string(&setup.config).unwrap();
    let text = text.replace(
        &format!("url = \"{}\"\n", server.url("/fixed")),
        &format!("url = \"{}\"\ninterval = \"45m\"\n", server.url("/fixed")),
    );
    std::fs::write(&setup.config, text).unwrap();

    let h = Harness::open(&setup);
    h.poll().await;
    let expect = [
        ("busy", "31m", "auto: 19 posts over the last 9h 40m: one every 31m"),
        ("daily", "14h", "auto: 12 posts in the last 7 days: one every 14h"),
        ("slow", "1d", "auto: 4 posts in the last 7 days: one every 1d 18h (lowered to max_interval)"),
        ("quiet", "1d", "auto: nothing posted for 40d: max_interval"),
        ("undated", "2h", "auto: its items carry no dates, so the default interval"),
        ("hinted", "2h", "auto: 19 posts over the last 9h 40m: one every 31m; stretched to 2h by the server (Cache-Control or ttl)"),
        ("fixed", "45m", "fixed: every 45m"),
    ];
    for (id, interval, reason) in expect {
        let f = feed(&h, id);
        assert_eq!(f["interval_reason"], reason, "{id}: {f}");
        let shown = f["interval"].as_str().unwrap();
        // The busy feed's exact gap moves by seconds with the clock; the rest are round.
        if id != "busy" {
            assert_eq!(shown, interval, "{id}");
        }
        // The next poll is the interval from now, plus at most 10% jitter.
        let next = chrono::DateTime::parse_from_rfc3339(f["next_poll"].as_str().unwrap())
            .unwrap()
            .timestamp();
        let wait = next - chrono::Utc::now().timestamp();
        let secs = humantime::parse_duration(shown).unwrap().as_secs() as i64;
        assert!(
            wait >= secs - 120 && wait <= secs + secs / 10 + 60,
            "{id}: due in {wait}s for an interval of {shown}"
        );
    }
    drop(h);

    // `showfeed status` prints the interval and, for the adaptive ones, why.
    let out = run_ok(&["status", "--config", setup.config.to_str().unwrap()]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("INTERVAL"), "{table}");
    assert!(
        table.contains("interval auto: 12 posts in the last 7 days: one every 14h"),
        "{table}"
    );
    assert!(
        !table.contains("fixed: every 45m"),
        "fixed intervals need no reason: {table}"
    );
}

#[tokio::test]
async fn a_not_modified_poll_keeps_the_chosen_interval() {
    let server = FixtureServer::start().await;
    server.route(
        "/daily",
        Route::ok(rss(&every(14 * HOUR, 36, HOUR)), "application/rss+xml")
            .with_validators("\"v1\"", "Mon, 01 Jun 2026 00:00:00 GMT"),
    );
    let setup = write_config(
        &[("daily", server.url("/daily"))],
        1,
        "[polling]\ninterval = \"auto\"\nallow_private = true\n",
    );
    let h = Harness::open(&setup);
    h.poll().await;
    let outcomes = h.poll().await;
    assert!(
        matches!(outcomes["daily"], showfeed::poll::Outcome::NotModified),
        "{outcomes:?}"
    );
    let f = feed(&h, "daily");
    assert_eq!(f["interval"], "14h");
    assert_eq!(
        f["interval_reason"],
        "auto: 12 posts in the last 7 days: one every 14h"
    );
}

#[test]
fn interval_settings_are_checked() {
    let parse = |text: &str| {
        showfeed::config::Config::parse(text, std::path::Path::new("feeds.toml"))
            .map(|_| ())
            .unwrap_err()
            .to_string()
    };
    let feed = "[[feed]]\nid = \"a\"\nurl = \"https://a.example/feed\"\n";
    let err = parse(&format!("{feed}interval = \"sometimes\"\n"));
    assert!(
        err.contains("`interval` = \"sometimes\" is neither \"auto\" nor a duration"),
        "{err}"
    );
    let err = parse(&format!(
        "[polling]\nmin_interval = \"2d\"\nmax_interval = \"1d\"\n{feed}"
    ));
    assert!(
        err.contains("`min_interval` = 2days is longer than `max_interval` = 1day"),
        "{err}"
    );
    let ok = showfeed::config::Config::parse(
        &format!("[polling]\ninterval = \"auto\"\n{feed}[[feed]]\nid = \"b\"\nurl = \"https://b.example/feed\"\ninterval = \"20m\"\n"),
        std::path::Path::new("feeds.toml"),
    )
    .unwrap();
    assert!(ok.polling.adaptive && ok.feeds[0].adaptive);
    assert!(!ok.feeds[1].adaptive, "a feed's own interval wins");
}
