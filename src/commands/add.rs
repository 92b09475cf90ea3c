//! `showfeed add URL`: discover the feeds of a site, confirm them, add one to feeds.toml.
//!
//! Discovery is [`crate::discover`]; the id, the duplicate check (the dedup URL key, so
//! `http://www.site/feed` is `https://site/feed/`) and the careful rewrite of feeds.toml are
//! the OPML import's ([`crate::opml::plan`], [`crate::opml::write_feeds`]), so both ways of
//! adding feeds name and place them alike.

use std::fmt::Write as _;

use anyhow::{bail, Context as _};
use url::Url;

use crate::cli::AddArgs;
use crate::config::Config;
use crate::discover::{discover, Candidate, Discovery};
use crate::fetch::Fetcher;
use crate::opml::{NewFeed, Outline, Skip};

/// `add`: discovery, the listing, then the chosen feed appended (unless `--dry-run`).
pub async fn add(config: &Config, args: &AddArgs) -> anyhow::Result<()> {
    let url = site_url(&args.url)?;
    let (text, current) = crate::opml::current(&config.file)?;
    refuse_present(&current, &url)?;
    let allow_private = args.allow_private || current.polling.allow_private;
    let fetcher = Fetcher::new(&current.polling)?;
    let found = discover(&fetcher, &url, allow_private)
        .await
        .with_context(|| format!("cannot discover feeds at {url}"))?;
    print!("{}", listing(&found));
    let Some(chosen) = found.chosen() else {
        bail!(
            "no feed found at {}: the page links to no feed that parses, and none of {} answers with one",
            found.page_url,
            crate::discover::WELL_KNOWN.join(", ")
        );
    };
    let new = new_feed(&current, &found, chosen, args)?;
    let note = "added by showfeed add";
    let written = crate::opml::write_feeds(
        &config.file,
        &text,
        note,
        std::slice::from_ref(&new),
        args.dry_run,
    )?;
    let mut line = format!("+ {}  {}", new.id, new.url);
    if let Some(t) = &new.title {
        let _ = write!(line, "  title {t:?}");
    }
    if written {
        println!("{line}\n{}: feed added", config.file.display());
    } else {
        println!("{line}\ndry run: {} is not changed", config.file.display());
    }
    Ok(())
}

/// The URL as typed: `https://` added when there is no scheme; http(s) only.
fn site_url(raw: &str) -> anyhow::Result<Url> {
    let raw = raw.trim();
    let full = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("https://{raw}")
    };
    let url = Url::parse(&full).with_context(|| format!("{raw:?} is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        bail!("{raw:?}: only http and https sites can be discovered");
    }
    Ok(url)
}

/// An error when feeds.toml has `url` already (under any spelling of it).
fn refuse_present(config: &Config, url: &Url) -> anyhow::Result<()> {
    let probe = Outline {
        url: url.to_string(),
        ..Outline::default()
    };
    let planned = crate::opml::plan(config, vec![probe]);
    if let Some((url, skip @ Skip::Present { .. })) = planned.skipped.first() {
        bail!("{url} is {skip}: not added");
    }
    Ok(())
}

/// The `[[feed]]` for `chosen`: the OPML import's id and title rules, or the `--id` and
/// `--title` given.
fn new_feed(
    config: &Config,
    found: &Discovery,
    chosen: &Candidate,
    args: &AddArgs,
) -> anyhow::Result<NewFeed> {
    let own = chosen
        .result
        .as_ref()
        .ok()
        .and_then(|i| i.title.clone())
        .or_else(|| chosen.link_title.clone().filter(|_| chosen.result.is_ok()))
        .or_else(|| found.page_title.clone());
    let outline = Outline {
        url: chosen.url.to_string(),
        text: args.title.clone(),
        title: own,
        ..Outline::default()
    };
    let mut planned = crate::opml::plan(config, vec![outline]);
    if let Some((url, skip)) = planned.skipped.first() {
        bail!("{url} is {skip}: not added");
    }
    let mut new = planned
        .added
        .pop()
        .context("the feed could not be planned")?;
    if let Some(id) = &args.id {
        check_id(config, id)?;
        new.id.clone_from(id);
    }
    new.allow_private = args.allow_private;
    Ok(new)
}

/// An error unless `id` is a valid feed id no feed has.
fn check_id(config: &Config, id: &str) -> anyhow::Result<()> {
    let valid = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        bail!("--id {id:?}: an id is 1 to 64 characters of a-z, 0-9 and -");
    }
    if let Some(f) = config.feed(id) {
        bail!("--id {id:?} is taken by the feed at {}", f.url);
    }
    Ok(())
}

/// One line per candidate: `*` the one chosen, ` ` another feed, `x` not a feed (why).
fn listing(found: &Discovery) -> String {
    let mut out = String::new();
    let feeds = found.candidates.iter().filter(|c| c.result.is_ok()).count();
    let _ = writeln!(
        out,
        "{} at {}:",
        match feeds {
            1 => "1 feed".to_owned(),
            n => format!("{n} feeds"),
        },
        found.page_url
    );
    let chosen = found.chosen().map(|c| &c.url);
    for c in &found.candidates {
        let mark = match (&c.result, Some(&c.url) == chosen) {
            (_, true) => '*',
            (Ok(_), false) => ' ',
            (Err(_), false) => 'x',
        };
        let _ = match &c.result {
            Ok(info) => writeln!(
                out,
                "{mark} {}  {:?} ({}, {} items; {})",
                c.url,
                info.title.as_deref().unwrap_or("untitled"),
                info.format,
                info.items,
                c.via.label()
            ),
            Err(why) => writeln!(out, "{mark} {}  {why} ({})", c.url, c.via.label()),
        };
    }
    if feeds > 1 {
        let _ = writeln!(
            out,
            "(the first is added; `showfeed add URL` with another's URL adds that one)"
        );
    }
    out
}
