//! What kind of news a headline is, from its words.

use super::text::{Flags, Norm};

pub use crate::vocab::NewsKind;

fn is_when(w: &str, num: bool) -> bool {
    (num && w.len() == 4 && (w.starts_with("19") || w.starts_with("20")))
        || matches!(
            w,
            "january"
                | "february"
                | "march"
                | "april"
                | "may"
                | "june"
                | "july"
                | "august"
                | "september"
                | "october"
                | "november"
                | "december"
                | "jan"
                | "feb"
                | "apr"
                | "jun"
                | "jul"
                | "aug"
                | "sept"
                | "oct"
                | "nov"
                | "dec"
                | "fall"
                | "spring"
                | "summer"
                | "winter"
                | "autumn"
                | "tonight"
                | "today"
                | "tomorrow"
                | "monday"
                | "tuesday"
                | "wednesday"
                | "thursday"
                | "friday"
                | "saturday"
                | "sunday"
                | "date"
                | "week"
                | "weekend"
                | "month"
                | "year"
        )
}

/// Appends the kinds that the words `from..to` of `norm` (a headline) announce, each once,
/// in [`NewsKind::all`] order.
pub(crate) fn detect(norm: &Norm, from: usize, to: usize, out: &mut Vec<NewsKind>) {
    let mut found = [false; 9];
    let w = |i: usize| {
        if i >= from && i < to {
            norm.word(i)
        } else {
            ""
        }
    };
    let prev_has = |i: usize, n: usize, pred: &dyn Fn(&str) -> bool| {
        (i.saturating_sub(n).max(from)..i).any(|k| pred(w(k)))
    };
    let next_has = |i: usize, n: usize, pred: &dyn Fn(&str, bool) -> bool| {
        (i + 1..(i + 1 + n).min(to)).any(|k| pred(w(k), norm.words[k].has(Flags::NUM)))
    };
    let mut quote_left = 0;
    for i in from..to {
        let word = w(i);
        // Words of a quoted title are not cues: `'Interview With the Vampire' Trailer`.
        if norm.words[i].has(Flags::OPEN_Q) {
            quote_left = (i..to.min(i + 8))
                .find(|&k| norm.words[k].has(Flags::CLOSE_Q))
                .map_or(0, |k| k + 1 - i);
        }
        if quote_left > 0 {
            quote_left -= 1;
            continue;
        }
        if norm.words[i].has(Flags::CJK) {
            if let Some(k) = cjk_cue(norm, i, to) {
                found[k as usize] = true;
            }
            continue;
        }
        let kind = match word {
            "trailer" | "trailers" | "teaser" | "teasers" | "promo" => Some(NewsKind::Trailer),
            // Bare `cast` is mostly the noun (`Friends Cast Reunite`): casting only in
            // `cast as`, `cast in`, `joins cast`, `new cast members`, `cast revealed`.
            "cast" => (matches!(
                w(i + 1),
                "as" | "in"
                    | "opposite"
                    | "revealed"
                    | "announced"
                    | "set"
                    | "expands"
                    | "grows"
                    | "adds"
                    | "additions"
                    | "list"
            ) || matches!(
                w(i.wrapping_sub(1)),
                "to" | "out" | "joins" | "join" | "main" | "new" | "full" | "series" | "regular"
            ))
            .then_some(NewsKind::Casting),
            "casts"
                if matches!(w(i + 1), "doubt" | "spell" | "shadow" | "aside" | "vote")
                    || (w(i + 1) == "a" && matches!(w(i + 2), "spell" | "shadow" | "vote")) =>
            {
                None
            }
            "casts" | "casting" | "recast" | "recasts" | "recasting" | "joins" | "join"
            | "joining" | "boards" | "tapped" | "recurring" => Some(NewsKind::Casting),
            "star" | "lead" | "play" if w(i.wrapping_sub(1)) == "to" => Some(NewsKind::Casting),
            "talks" if w(i.wrapping_sub(1)) == "in" => Some(NewsKind::Casting),
            "talk" if w(i + 1) == "show" => None,
            "talks" | "talk" | "interview" | "interviews" | "speaks" | "explains" | "dishes" => {
                Some(NewsKind::Interview)
            }
            "up" if w(i.wrapping_sub(1)) == "opens" => Some(NewsKind::Interview),
            "down" if w(i.wrapping_sub(1)) == "breaks" => Some(NewsKind::Interview),
            "a" if w(i.wrapping_sub(1)) == "and" && w(i.wrapping_sub(2)) == "q" => {
                Some(NewsKind::Interview)
            }
            "renewed" | "renews" | "renewal" | "renew" | "greenlit" | "greenlights"
            | "greenlighted" => {
                if prev_has(i, 2, &|p| matches!(p, "not" | "no" | "isnt" | "wont")) {
                    Some(NewsKind::Cancellation)
                } else {
                    Some(NewsKind::Renewal)
                }
            }
            "up" if matches!(w(i.wrapping_sub(1)), "picked" | "picks") => Some(NewsKind::Renewal),
            "cancelled" | "canceled" | "cancels" | "cancel" | "cancellation" | "cancelling"
            | "canceling" | "axed" | "axes" | "scrapped" => Some(NewsKind::Cancellation),
            "date" => prev_has(i, 3, &|p| {
                matches!(
                    p,
                    "premiere"
                        | "release"
                        | "air"
                        | "debut"
                        | "launch"
                        | "return"
                        | "streaming"
                        | "arrival"
                        | "sets"
                        | "set"
                        | "gets"
                        | "announces"
                        | "reveals"
                )
            })
            .then_some(NewsKind::ReleaseDate),
            "dates" | "dated" => Some(NewsKind::ReleaseDate),
            "sets" | "set" => next_has(i, 6, &|n, _| {
                matches!(
                    n,
                    "premiere" | "date" | "debut" | "return" | "launch" | "release"
                )
            })
            .then_some(NewsKind::ReleaseDate),
            "debuts" | "debut" | "premieres" | "premiering" | "arrives" | "returns"
            | "launches" | "drops" | "streams" | "lands" => {
                next_has(i, 4, &|n, num| is_when(n, num)).then_some(NewsKind::ReleaseDate)
            }
            "sortie" | "estreno" | "uscita" | "starttermin" | "startdatum"
            | "erscheinungsdatum" => Some(NewsKind::ReleaseDate),
            "annonce" if w(i.wrapping_sub(1)) == "bande" => Some(NewsKind::Trailer),
            "pv" => Some(NewsKind::Trailer),
            "renueva" | "renouvelle" | "rinnova" | "verlangert" => Some(NewsKind::Renewal),
            "cancela" | "annule" | "cancellata" | "cancellato" | "abgesetzt" => {
                Some(NewsKind::Cancellation)
            }
            "critique" | "kritik" | "recensione" | "resena" => Some(NewsKind::Review),
            "entrevista" | "intervista" => Some(NewsKind::Interview),
            "review" | "reviews" | "reviewed" => Some(NewsKind::Review),
            "recap" | "recaps" | "recapped" => Some(NewsKind::Recap),
            "ratings" | "rating" | "viewers" | "viewership" | "nielsen" | "viewed" => {
                Some(NewsKind::Ratings)
            }
            "10" if w(i.wrapping_sub(1)) == "top" => Some(NewsKind::Ratings),
            "watched" | "streamed" if w(i.wrapping_sub(1)) == "most" => Some(NewsKind::Ratings),
            _ => None,
        };
        if let Some(k) = kind {
            found[k as usize] = true;
        }
    }
    for (k, kind) in NewsKind::all().iter().enumerate() {
        if found[k] && !out.contains(kind) {
            out.push(*kind);
        }
    }
}

/// Korean, Japanese and Chinese cues, read as runs of single-character words (spaces
/// between them do not matter: `제작 확정` = `제작확정`).
const CJK_CUES: &[(&str, NewsKind)] = &[
    ("예고편", NewsKind::Trailer),
    ("티저", NewsKind::Trailer),
    ("予告", NewsKind::Trailer),
    ("ティザー", NewsKind::Trailer),
    ("预告", NewsKind::Trailer),
    ("캐스팅", NewsKind::Casting),
    ("출연확정", NewsKind::Casting),
    ("キャスト", NewsKind::Casting),
    ("出演決定", NewsKind::Casting),
    ("제작확정", NewsKind::Renewal),
    ("制作決定", NewsKind::Renewal),
    ("続編決定", NewsKind::Renewal),
    ("폐지", NewsKind::Cancellation),
    ("打ち切り", NewsKind::Cancellation),
    ("공개일", NewsKind::ReleaseDate),
    ("공개확정", NewsKind::ReleaseDate),
    ("방송일", NewsKind::ReleaseDate),
    ("첫방송", NewsKind::ReleaseDate),
    ("放送日", NewsKind::ReleaseDate),
    ("配信日", NewsKind::ReleaseDate),
    ("公開日", NewsKind::ReleaseDate),
    ("放送開始", NewsKind::ReleaseDate),
    ("配信開始", NewsKind::ReleaseDate),
    ("리뷰", NewsKind::Review),
    ("レビュー", NewsKind::Review),
    ("인터뷰", NewsKind::Interview),
    ("インタビュー", NewsKind::Interview),
    ("시청률", NewsKind::Ratings),
    ("視聴率", NewsKind::Ratings),
    ("收视", NewsKind::Ratings),
];

fn cjk_cue(norm: &Norm, i: usize, to: usize) -> Option<NewsKind> {
    CJK_CUES.iter().find_map(|(cue, kind)| {
        for (k, c) in (i..).zip(cue.chars()) {
            if k >= to || !norm.words[k].has(Flags::CJK) || !norm.word(k).starts_with(c) {
                return None;
            }
        }
        Some(*kind)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(title: &str) -> Vec<&'static str> {
        let n = Norm::of(title);
        let mut out = Vec::new();
        detect(&n, 0, n.words.len(), &mut out);
        out.iter().map(NewsKind::as_str).collect()
    }

    #[test]
    fn headline_cues() {
        assert_eq!(
            kinds("'Squid Game' Season 2 Teaser Trailer Released"),
            ["trailer"]
        );
        assert_eq!(kinds("Jane Doe Joins 'The Bear' Season 3"), ["casting"]);
        assert_eq!(
            kinds("'Friends' Cast Reunite for Tribute"),
            Vec::<&str>::new()
        );
        assert_eq!(
            kinds("'Agatha All Along' Review: Kathryn Hahn Casts a Spell"),
            ["review"]
        );
        assert_eq!(
            kinds("'Shogun' Season 2 Adds Three New Cast Members"),
            ["casting"]
        );
        assert_eq!(
            kinds("Jane Doe in Talks to Star in 'Lost' Reboot"),
            ["casting"]
        );
        assert_eq!(
            kinds("'Wednesday' Renewed for Season 2 at Netflix"),
            ["renewal"]
        );
        assert_eq!(
            kinds("'Moving' Not Renewed for a Second Season"),
            ["cancellation"]
        );
        assert_eq!(
            kinds("'Dark Matter' Canceled After One Season"),
            ["cancellation"]
        );
        assert_eq!(
            kinds("FX Sets 'The Bear' Season 3 Premiere Date"),
            ["release-date"]
        );
        assert_eq!(
            kinds("'The Bear' Season 3 Premieres in June"),
            ["release-date"]
        );
        assert_eq!(
            kinds("'Severance' Season 2 Review: Still Great"),
            ["review"]
        );
        assert_eq!(kinds("'The Bear' Recap: Season 3, Episode 5"), ["recap"]);
        assert_eq!(kinds("Showrunner Talks That Finale: Q&A"), ["interview"]);
        assert_eq!(
            kinds("'Squid Game 2' Tops Nielsen Streaming Ratings"),
            ["ratings"]
        );
        assert_eq!(
            kinds("Netflix Top 10: 'Wednesday' Most-Watched"),
            ["ratings"]
        );
        assert_eq!(
            kinds("All of Us Are Dead season 2: All You Need to Know"),
            Vec::<&str>::new()
        );
        assert_eq!(
            kinds("'Interview With the Vampire' Season 3 Trailer"),
            ["trailer"]
        );
        assert_eq!(kinds("무빙 시즌2 제작 확정"), ["renewal"]);
        assert_eq!(kinds("葬送のフリーレン 第2期 放送開始"), ["release-date"]);
        assert_eq!(
            kinds("Stranger Things saison 5 : la bande-annonce"),
            ["trailer"]
        );
    }
}
