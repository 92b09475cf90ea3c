//! Word lists: small words, common English words, TV cue words, networks and streamers.
//!
//! All words are in normalized form (lower-case ASCII, see [`super::text`]).

use std::collections::HashSet;
use std::sync::OnceLock;

/// Words that news drops from or adds to titles, and that case checks skip.
pub(crate) fn is_small(w: &str) -> bool {
    matches!(
        w,
        "a" | "an"
            | "the"
            | "of"
            | "and"
            | "to"
            | "in"
            | "on"
            | "at"
            | "for"
            | "with"
            | "by"
            | "from"
            | "or"
            | "as"
            | "is"
            | "are"
            | "de"
            | "la"
            | "le"
            | "el"
            | "del"
            | "des"
            | "du"
            | "da"
            | "di"
            | "der"
            | "die"
            | "das"
            | "no"
    )
}

fn common_set() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        include_str!("common_words.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(str::split_whitespace)
            .collect()
    })
}

/// Whether `w` is a common English word (or a regular inflection of one), or a small word.
pub(crate) fn is_common(w: &str) -> bool {
    let set = common_set();
    if is_small(w) || set.contains(w) {
        return true;
    }
    let stem = |suffix: &str| w.strip_suffix(suffix).filter(|s| s.len() >= 2);
    let with_e = |s: &str| set.contains(format!("{s}e").as_str());
    let undouble = |s: &str| {
        let b = s.as_bytes();
        b.len() >= 3 && b[b.len() - 1] == b[b.len() - 2] && set.contains(&s[..s.len() - 1])
    };
    if let Some(s) = stem("ies").or_else(|| stem("ied")) {
        if set.contains(format!("{s}y").as_str()) {
            return true;
        }
    }
    if let Some(s) = stem("es") {
        if set.contains(s) {
            return true;
        }
    }
    if let Some(s) = stem("s") {
        if set.contains(s) {
            return true;
        }
    }
    if let Some(s) = stem("ed") {
        if set.contains(s) || with_e(s) || undouble(s) {
            return true;
        }
    }
    if let Some(s) = stem("ing") {
        if set.contains(s) || with_e(s) || undouble(s) {
            return true;
        }
    }
    false
}

pub(crate) use crate::vocab::is_network;

/// Words that say the text around them is about a TV show.
pub(crate) fn is_cue(w: &str) -> bool {
    is_network(w)
        || is_post_cue(w)
        || matches!(
            w,
            "season"
                | "seasons"
                | "series"
                | "miniseries"
                | "show"
                | "drama"
                | "kdrama"
                | "sitcom"
                | "anime"
                | "premieres"
                | "premiered"
                | "premiering"
                | "renews"
                | "cancels"
                | "axes"
                | "casts"
                | "casting"
                | "starring"
                | "costar"
                | "costars"
                | "streaming"
                | "streamer"
                | "remake"
                | "adaptation"
                | "showrunners"
                | "creators"
                | "episodes"
                | "staffel"
                | "saison"
                | "temporada"
                | "stagione"
                | "emmy"
                | "emmys"
                | "rewatch"
                | "binge"
                | "network"
                | "tv"
                | "video"
                | "plus"
        )
}

/// Words that say a story is about a screen or stage work or its people, whatever its kind:
/// kinds whose cue words have everyday senses ([`crate::vocab::NewsKind::needs_screen`])
/// need one of these (or a show, a network or a quoted title) to count. Unlike
/// [`is_cue`], no kind cue is one (`review`, `cast`, `renewed` would vouch for themselves).
pub(crate) fn is_screen(w: &str) -> bool {
    matches!(
        w,
        "season"
            | "seasons"
            | "staffel"
            | "saison"
            | "temporada"
            | "stagione"
            | "episode"
            | "episodes"
            | "series"
            | "miniseries"
            | "show"
            | "shows"
            | "sitcom"
            | "drama"
            | "kdrama"
            | "anime"
            | "film"
            | "films"
            | "movie"
            | "movies"
            | "documentary"
            | "docuseries"
            | "actor"
            | "actors"
            | "actress"
            | "director"
            | "filmmaker"
            | "showrunner"
            | "hollywood"
            | "cinema"
            | "musical"
            | "sequel"
            | "prequel"
            | "album"
            | "singer"
            | "rapper"
            | "oscar"
            | "oscars"
            | "emmy"
            | "emmys"
            | "comedian"
            | "star"
            | "stars"
            | "premiere"
            | "finale"
            | "trailer"
            | "tv"
            | "streaming"
            | "streamer"
    )
}

/// Words that, right after a show name, say it is the show (`Wednesday star`, `Lost finale`).
pub(crate) fn is_post_cue(w: &str) -> bool {
    matches!(
        w,
        "star"
            | "stars"
            | "alum"
            | "alums"
            | "finale"
            | "premiere"
            | "showrunner"
            | "creator"
            | "cast"
            | "trailer"
            | "teaser"
            | "reboot"
            | "revival"
            | "spinoff"
            | "crossover"
            | "sequel"
            | "prequel"
            | "reunion"
            | "recap"
            | "review"
            | "renewed"
            | "cancelled"
            | "canceled"
            | "axed"
            | "episode"
            | "actor"
            | "actress"
            | "fans"
            | "writers"
            | "staffel"
            | "saison"
            | "temporada"
            | "stagione"
    )
}

/// Words that, right before a show name, say it is the show (`Netflix's Wednesday`,
/// `renews Wednesday`).
pub(crate) fn is_pre_cue(w: &str) -> bool {
    is_network(w)
        || matches!(
            w,
            "renews"
                | "cancels"
                | "axes"
                | "rewatch"
                | "binge"
                | "plus"
                | "tv"
                | "video"
                | "series"
                | "drama"
                | "sitcom"
                | "anime"
                | "kdrama"
        )
}

/// Words before a name that make it a date or place rather than a show (`on Wednesday`).
pub(crate) fn is_time_prep(w: &str) -> bool {
    matches!(
        w,
        "on" | "this"
            | "next"
            | "last"
            | "every"
            | "each"
            | "until"
            | "till"
            | "since"
            | "by"
            | "from"
            | "at"
            | "before"
            | "after"
            | "early"
            | "late"
            | "into"
            | "in"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_words_with_inflections() {
        for w in [
            "you",
            "lost",
            "house",
            "friends",
            "dark",
            "bear",
            "wednesday",
            "moving",
            "us",
            "stories",
            "married",
            "running",
            "dead",
            "last",
        ] {
            assert!(is_common(w), "{w}");
        }
        for w in [
            "squid", "titan", "frieren", "pokemon", "anatomy", "automata", "kaisen",
        ] {
            assert!(!is_common(w), "{w}");
        }
    }
}
