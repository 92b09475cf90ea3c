//! Command-line interface (clap), as fixed in design.md.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// showfeed: entertainment news by show, merged into one feed.
#[derive(Debug, Parser)]
#[command(name = "showfeed", version, about, long_about = None)]
pub struct Cli {
    /// Config file [default: ./feeds.toml, or $SHOWFEED_CONFIG].
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// sled directory; overrides `[storage] path`.
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Address to listen on (`run`), or where the running daemon is: overrides `[server]
    /// listen`. Also `localhost:8080` and `:8080` (every interface).
    #[arg(long, global = true, value_name = "ADDR", env = "SHOWFEED_LISTEN", value_parser = crate::config::parse_listen)]
    pub listen: Option<std::net::SocketAddr>,
    /// Log output format.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line (journald, log shippers).
    Json,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon: poll feeds on schedule and serve the merged feed.
    Run,
    /// Poll every feed once (or the ones named), store, and exit; failed feeds are listed on
    /// stderr, and the exit code is non-zero only when every feed failed. With the daemon
    /// running, asks it to poll now.
    Poll(PollArgs),
    /// Print the merged feed to stdout.
    Feed(Box<FeedArgs>),
    /// Validate the config; non-zero exit and every error on failure.
    Check,
    /// Print a per-feed health table.
    Status,
    /// List likely shows in recent untagged entries, to add to the config.
    Suggest {
        /// Look at entries published in the last N days.
        #[arg(long, default_value_t = 14)]
        days: u32,
        /// At most this many suggestions.
        #[arg(long, default_value_t = 30)]
        max: usize,
    },
    /// Find the feeds of a site or page (or take a feed URL), fetch each to confirm it is
    /// one, list them, and add the first to the config file (comments kept). A running
    /// daemon picks it up like any other save.
    Add(AddArgs),
    /// Fetch the whole article of stored entries that lack one (every feed with
    /// `full_text`, or the ones named), with a progress bar and a summary. With the daemon
    /// running, asks it to.
    FetchText(FetchTextArgs),
    /// Import or export the source list as OPML.
    #[command(subcommand)]
    Opml(OpmlCommand),
    /// Try ingest rules (the query language) against the stored entries.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print a shell completion script (e.g. `showfeed completions bash >
    /// /etc/bash_completion.d/showfeed`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page, roff (e.g. `showfeed man > /usr/local/share/man/man1/showfeed.1`).
    Man,
}

/// `opml` subcommands.
#[derive(Debug, Subcommand)]
pub enum OpmlCommand {
    /// Add the feeds of an OPML file (Miniflux, FreshRSS... exports) to the config file,
    /// keeping its comments; folders become tags, feeds already present (under any
    /// spelling of their URL) are skipped. Prints one line per feed added or skipped.
    Import {
        /// The OPML file.
        file: PathBuf,
        /// Print what would be added and skipped; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the configured sources as OPML 2.0.
    Export,
}

/// `rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Print the stored entries an expression matches (what a `block` rule would drop and a
    /// `keep` rule would keep), newest first. With the daemon running, asks it.
    Test {
        /// The rule, e.g. 'intitle:rumor OR /leak(ed)?/i'.
        rule: String,
        /// Only this feed's entries.
        #[arg(long, value_name = "ID")]
        feed: Option<String>,
    },
}

/// Options of `add`.
#[derive(Debug, Clone, clap::Args)]
pub struct AddArgs {
    /// A site, a page (a YouTube channel or playlist too) or a feed URL; `https://` when
    /// no scheme is given.
    pub url: String,
    /// The new feed's id (default: made from its title, like `opml import`).
    #[arg(long)]
    pub id: Option<String>,
    /// A title to show it under instead of its own.
    #[arg(long)]
    pub title: Option<String>,
    /// Print what would be added; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Let the site's host name resolve to a private or loopback address (and write
    /// `allow_private = true` for the feed).
    #[arg(long)]
    pub allow_private: bool,
}

/// Options of `feed`: the HTTP query's filters as flags.
#[derive(Debug, clap::Args)]
pub struct FeedArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Atom)]
    pub format: Format,
    /// Number of entries (any number on the CLI; HTTP caps it at 1,000).
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    /// Entries about any of these shows (slug; repeatable).
    #[arg(long)]
    pub show: Vec<String>,
    /// Leave out entries about these shows (slug; repeatable).
    #[arg(long)]
    pub exclude_show: Vec<String>,
    /// Entries naming this season (`<slug>/s<N>`; repeatable).
    #[arg(long)]
    pub season: Vec<String>,
    /// News kind (trailer, casting, renewal, ...; repeatable).
    #[arg(long)]
    pub kind: Vec<String>,
    /// Entries in this language, declared or detected (`en`, `pt-br`; repeatable).
    #[arg(long)]
    pub lang: Vec<String>,
    /// Entries from these feeds (feed id; repeatable).
    #[arg(long)]
    pub source: Vec<String>,
    /// Entries from the feeds with any of these tags (repeatable).
    #[arg(long)]
    pub tag: Vec<String>,
    /// A query-language expression: words, "phrases", -word, OR, ( ), fields (intitle:,
    /// author:, inurl:, source:, show:, season:, kind:, lang:, tag:, date:), /regex/i.
    #[arg(long)]
    pub q: Option<String>,
    /// Published at or after: RFC 3339, or a duration before now (7d).
    #[arg(long)]
    pub since: Option<String>,
    /// Published at or before: RFC 3339, or a duration before now.
    #[arg(long)]
    pub until: Option<String>,
    /// A view from the config, as the base of the filters.
    #[arg(long)]
    pub view: Option<String>,
    /// Entries under a spoiler embargo: hide (leave out, the default) or mask (a neutral
    /// title, no summary or content).
    #[arg(long, value_name = "hide|mask")]
    pub spoilers: Option<String>,
}

impl FeedArgs {
    /// The filters as an HTTP query string (without `limit`).
    pub fn query_string(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (key, values) in [
            ("show", &self.show),
            ("exclude_show", &self.exclude_show),
            ("season", &self.season),
            ("kind", &self.kind),
            ("lang", &self.lang),
            ("source", &self.source),
            ("tag", &self.tag),
        ] {
            for v in values {
                s.append_pair(key, v);
            }
        }
        for (key, value) in [
            ("q", &self.q),
            ("since", &self.since),
            ("until", &self.until),
            ("spoilers", &self.spoilers),
        ] {
            if let Some(v) = value {
                s.append_pair(key, v);
            }
        }
        s.finish()
    }
}

/// What `showfeed poll` polls.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PollArgs {
    /// Only this feed (repeatable).
    #[arg(long = "feed", value_name = "ID")]
    pub feeds: Vec<String>,
    /// Only feeds whose last poll failed.
    #[arg(long)]
    pub failing: bool,
}

/// What `showfeed fetch-text` covers.
#[derive(Debug, Clone, clap::Args)]
pub struct FetchTextArgs {
    /// Only this feed (repeatable; it need not have `full_text`); without, every feed
    /// with `full_text` on or "auto".
    #[arg(long = "feed", value_name = "ID")]
    pub feeds: Vec<String>,
    /// Entries published within this long before now ("7d", "36h").
    #[arg(long, default_value = "7d", value_parser = humantime::parse_duration)]
    pub since: std::time::Duration,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Atom 1.0.
    Atom,
    /// RSS 2.0.
    Rss,
    /// JSON Feed 1.1.
    Json,
}

impl From<Format> for crate::output::Format {
    fn from(f: Format) -> Self {
        match f {
            Format::Atom => crate::output::Format::Atom,
            Format::Rss => crate::output::Format::Rss,
            Format::Json => crate::output::Format::Json,
        }
    }
}
