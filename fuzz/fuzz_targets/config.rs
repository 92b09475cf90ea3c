//! feeds.toml text -> `Config::parse`: never panics; an `Err` lists at least one problem
//! with a sane position, an `Ok` holds only what validation promises.
#![no_main]

use std::collections::HashSet;
use std::error::Error as _;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use showfeed::config::{self, Config, ConfigError, NEWS_KINDS};
use showfeed::query::{FeedQuery, Known};

const NOW: i64 = 1_800_000_000;

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = Path::new("feeds.toml");
    match Config::parse(&text, file) {
        Err(e) => {
            // The whole error chain formats.
            let mut msg = e.to_string();
            let mut source = e.source();
            while let Some(s) = source {
                msg.push_str(&s.to_string());
                source = s.source();
            }
            assert!(!msg.is_empty());
            let ConfigError::Invalid(d) = e else {
                panic!("parse can only fail with Invalid: {msg}");
            };
            assert!(!d.items.is_empty(), "an Err names at least one problem");
            let lines = text.matches('\n').count() + 1;
            for item in &d.items {
                assert!(item.line >= 1 && item.line <= lines, "{item:?}");
                assert!(item.column >= 1, "{item:?}");
                assert!(!item.message.is_empty(), "{item:?}");
            }
        }
        Ok(c) => {
            assert_eq!(c.text, text);
            assert!(!c.feeds.is_empty(), "an Ok config has a feed");
            let mut ids = HashSet::new();
            for (i, f) in c.feeds.iter().enumerate() {
                assert!(valid_id(&f.id) && f.id.len() <= 64, "feed id {:?}", f.id);
                assert!(ids.insert(f.id.as_str()), "duplicate feed id {:?}", f.id);
                assert_eq!(c.feed_index.get(&f.id), Some(&i));
                assert!(matches!(f.url.scheme(), "http" | "https" | "file"));
                let _ = f.host_key();
            }
            let mut slugs = HashSet::new();
            for s in &c.shows {
                assert!(!s.name.trim().is_empty());
                assert!(valid_id(&s.slug), "show slug {:?}", s.slug);
                assert!(slugs.insert(s.slug.as_str()), "duplicate slug {:?}", s.slug);
                assert_eq!(c.show(&s.slug).map(|x| &x.name), Some(&s.name));
            }
            // Views are validated at load; serving one must not fail on its own preset
            // filters (src/serve/mod.rs parses `view.query` with the same `Known`).
            let known = Known {
                shows: &|s| c.show(s).is_some(),
                sources: &|s| c.feed(s).is_some(),
                tags: &|t| c.tag(t),
                kinds: NEWS_KINDS,
            };
            for v in &c.views {
                if let Err(e) = FeedQuery::new().parse(Some(&v.query), &known, NOW) {
                    panic!(
                        "view {:?} validated but its query {:?} fails: {e}",
                        v.name, v.query
                    );
                }
            }
            // Deterministic, and a reload of the same text changes nothing.
            let again = Config::parse(&text, file).expect("same text parses again");
            assert_eq!(again, c);
            assert!(config::diff(&c, &again).is_empty());
            let _ = config::diff(&c, &again).to_string();
            // The tagger builds from any valid show list.
            if c.shows.len() <= 64 {
                let tagger = showfeed::tag::Tagger::new(&c.shows);
                assert_eq!(tagger.len(), c.shows.len());
            }
        }
    }
});
