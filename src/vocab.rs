//! Vocabularies more than one stage reads, defined once: the kinds of news (tagging detects
//! them, the config and queries name them, the output writes them) and the query parameters
//! that only track clicks (normalize drops them from links, dedup ignores them when comparing
//! links, the server ignores them in its own URLs), and the networks and streamers (a TV cue
//! for tagging, a name in a headline for story merging).

/// Networks, streamers and broadcasters (single lower-case words, accents folded): a TV
/// cue for tagging and news kinds, and a name in a headline for story merging.
pub fn is_network(w: &str) -> bool {
    matches!(
        w,
        "netflix"
            | "hbo"
            | "max"
            | "hulu"
            | "disney"
            | "prime"
            | "amazon"
            | "apple"
            | "fx"
            | "fxx"
            | "amc"
            | "bbc"
            | "itv"
            | "tvn"
            | "jtbc"
            | "sbs"
            | "kbs"
            | "kbs2"
            | "mbc"
            | "ena"
            | "tving"
            | "wavve"
            | "coupang"
            | "viki"
            | "viu"
            | "kocowa"
            | "crunchyroll"
            | "funimation"
            | "hidive"
            | "peacock"
            | "paramount"
            | "showtime"
            | "starz"
            | "cbs"
            | "nbc"
            | "abc"
            | "fox"
            | "cw"
            | "syfy"
            | "bravo"
            | "tnt"
            | "tbs"
            | "britbox"
            | "acorn"
            | "mgm"
            | "epix"
            | "ocn"
            | "nhk"
            | "tokyo"
            | "mx"
            | "zdf"
            | "ard"
            | "canal"
            | "rai"
    )
}

/// A kind of entertainment news, detected from headline cues (see `tag::kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NewsKind {
    /// `trailer`, `teaser`, `promo`.
    Trailer,
    /// `cast`, `casting`, `joins`, `to star`, `boards`, `in talks to`.
    Casting,
    /// `renewed`, `renews`, `renewal`, `picked up`, `greenlit`.
    Renewal,
    /// `cancelled`, `canceled`, `axed`, `scrapped`, `not renewed`.
    Cancellation,
    /// `premiere date`, `release date`, `sets ... premiere`, `dates`, `debuts in June`.
    ReleaseDate,
    /// `review`.
    Review,
    /// `recap`.
    Recap,
    /// `interview`, `talks`, `Q&A`, `opens up`, `breaks down`, `explains`.
    Interview,
    /// `ratings`, `viewers`, `viewership`, `Nielsen`, `top 10`, `most-watched`.
    Ratings,
}

impl NewsKind {
    /// Every kind, in the order entries list them.
    pub const ALL: [NewsKind; 9] = [
        NewsKind::Trailer,
        NewsKind::Casting,
        NewsKind::Renewal,
        NewsKind::Cancellation,
        NewsKind::ReleaseDate,
        NewsKind::Review,
        NewsKind::Recap,
        NewsKind::Interview,
        NewsKind::Ratings,
    ];

    /// Whether only a story about a screen work can be of this kind: the words that
    /// announce it have everyday senses in general news (`joins`, `to lead`, `review`,
    /// `canceled`, `viewers`). An interview can be any famous person's.
    pub const fn needs_screen(&self) -> bool {
        matches!(
            self,
            NewsKind::Casting | NewsKind::Cancellation | NewsKind::Review | NewsKind::Ratings
        )
    }

    /// The category term: `trailer`, `casting`, `renewal`, `cancellation`, `release-date`,
    /// `review`, `recap`, `interview`, `ratings`.
    pub const fn as_str(&self) -> &'static str {
        match self {
            NewsKind::Trailer => "trailer",
            NewsKind::Casting => "casting",
            NewsKind::Renewal => "renewal",
            NewsKind::Cancellation => "cancellation",
            NewsKind::ReleaseDate => "release-date",
            NewsKind::Review => "review",
            NewsKind::Recap => "recap",
            NewsKind::Interview => "interview",
            NewsKind::Ratings => "ratings",
        }
    }

    /// Every kind, in the order entries list them.
    pub fn all() -> &'static [NewsKind] {
        &NewsKind::ALL
    }

    /// The kind whose term is `s`.
    pub fn from_term(s: &str) -> Option<NewsKind> {
        NewsKind::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for NewsKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

const KIND_TERMS: [&str; 9] = {
    let mut terms = [""; 9];
    let mut i = 0;
    while i < terms.len() {
        terms[i] = NewsKind::ALL[i].as_str();
        i += 1;
    }
    terms
};

/// The news-kind terms, as `kind=` and `[[view]] kinds` accept them.
pub const NEWS_KINDS: &[&str] = &KIND_TERMS;

/// The kinds a `spoilers` embargo holds back (besides entries naming an episode): they
/// tell what happened.
pub const SPOILER_KINDS: [NewsKind; 2] = [NewsKind::Recap, NewsKind::Review];

/// Query parameters that only track clicks (analytics suites, newsletters, social shares,
/// feed markers), compared case-insensitively; never part of what a link points to.
const TRACKING_PARAMS: &[&str] = &[
    "__twitter_impression",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "at_campaign",
    "at_medium",
    "cmp",
    "cmpid",
    "dclid",
    "fbclid",
    "feed",
    "gclid",
    "gclsrc",
    "icid",
    "igshid",
    "ito",
    "mbid",
    "mc_cid",
    "mc_eid",
    "mkt_tok",
    "msclkid",
    "ncid",
    "ocid",
    "partner",
    "ref",
    "ref_src",
    "ref_url",
    "rss",
    "rssfeed",
    "s_cid",
    "smid",
    "soc_src",
    "soc_trk",
    "spm",
    "sr_share",
    "sref",
    "taid",
    "twclid",
    "wt.mc_id",
    "wt_mc",
    "xtor",
    "yclid",
];

/// Prefixes of tracking parameters (Google, Matomo/Piwik, HubSpot, Comscore...).
const TRACKING_PREFIXES: &[&str] = &["utm_", "pk_", "mtm_", "hsa_", "ns_", "oly_", "vero_"];

/// Whether query parameter `key` only tracks clicks.
pub fn is_tracking_param(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    TRACKING_PARAMS.contains(&k.as_str()) || TRACKING_PREFIXES.iter().any(|p| k.starts_with(p))
}

/// Phrases of paywall, sign-in and cookie-consent pages (lower case): a fetched "article"
/// with one of them and little text is the wall, not the article.
pub const PAYWALL_MARKERS: &[&str] = &[
    "subscribe to continue",
    "subscribe to read",
    "to continue reading",
    "continue reading with a subscription",
    "already a subscriber",
    "sign in to continue",
    "log in to continue",
    "this content is for subscribers",
    "become a member to read",
    "we value your privacy",
    "accept all cookies",
    "manage cookie preferences",
    "before you continue",
    "consent to the use of cookies",
    "please enable javascript",
    "please enable cookies",
    "disable your ad blocker",
];
/// The ingest rules, in the order they apply (see `poll::rules`); the names label the
/// `entries_dropped_by_rules` metric and `/status`.
pub const RULE_NAMES: [&str; 4] = ["global_block", "feed_block", "global_keep", "feed_keep"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_terms_round_trip() {
        assert_eq!(NEWS_KINDS.len(), NewsKind::ALL.len());
        for k in NewsKind::ALL {
            assert_eq!(NewsKind::from_term(k.as_str()), Some(k));
        }
    }

    #[test]
    fn tracking_lists_are_sorted_lower_case() {
        assert!(TRACKING_PARAMS.windows(2).all(|w| w[0] < w[1]));
        assert!(TRACKING_PARAMS.iter().all(|p| p.to_ascii_lowercase() == *p));
        assert!(is_tracking_param("UTM_Source") && is_tracking_param("fbclid"));
        assert!(!is_tracking_param("id"));
    }
}
