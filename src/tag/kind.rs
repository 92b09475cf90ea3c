//! What kind of news a headline is, from its words.

use super::text::{Flags, Norm};
use super::words::{self, is_common, is_network};

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

/// Drops from `kinds` what only a story about a screen work can be, when the entry names no
/// show and its title and lead no film or TV word (see [`NewsKind::needs_screen`]): in
/// general news a `review` is a government's, `joins` is a transfer and `canceled` fairs
/// are no cancelled series. A trailer, recap, renewal or date says what it is on its own.
pub(crate) fn screen_subject_or_drop(norm: &Norm, lead_end: usize, kinds: &mut Vec<NewsKind>) {
    if kinds.iter().all(|k| !k.needs_screen()) {
        return;
    }
    let lead = lead_end.min(norm.words.len());
    let screen = (0..lead).any(|i| {
        let w = norm.word(i);
        is_network(w) || words::is_screen(w) || quoted_title(norm, i, lead)
    });
    if !screen {
        kinds.retain(|k| !k.needs_screen());
    }
}

/// Whether a quoted, title-cased run of one to six words starts at word `i` before `end`:
/// trades quote the work a headline is about (`'Agatha All Along' Review`).
fn quoted_title(norm: &Norm, i: usize, end: usize) -> bool {
    let word = &norm.words[i];
    if !word.has(Flags::OPEN_Q) || !word.has(Flags::CAP) {
        return false;
    }
    (i..end.min(i + 6))
        .find(|&k| norm.words[k].has(Flags::CLOSE_Q))
        .is_some_and(|close| {
            (i..=close).all(|k| norm.words[k].has(Flags::CAP) || words::is_small(norm.word(k)))
        })
}

/// Appends the kinds that the words `from..to` of `norm` (a headline) announce, each once,
/// in [`NewsKind::all`] order.
pub(crate) fn detect(norm: &Norm, from: usize, to: usize, out: &mut Vec<NewsKind>) {
    let mut found = [false; 9];
    let h = Headline { norm, from, to };
    let mut quote_left = 0;
    for i in from..to {
        // Words of a quoted title are not cues: `'Interview With the Vampire' Trailer`. In
        // CJK text quotes also mark phrases: a cue ending the quoted run counts (`'감성 티저'`).
        if norm.words[i].has(Flags::OPEN_Q) {
            quote_left = (i..to.min(i + 8))
                .find(|&k| norm.words[k].has(Flags::CLOSE_Q))
                .map_or(0, |k| k + 1 - i);
        }
        if norm.words[i].has(Flags::CJK) {
            if let Some((k, len)) = cjk_cue(norm, i, to) {
                let ends_quote = quote_left > 0 && quote_left == len;
                if quote_left == 0 || ends_quote {
                    found[k as usize] = true;
                }
            }
        } else if quote_left == 0 {
            if let Some(k) = h.word_kind(i) {
                found[k as usize] = true;
            }
        }
        quote_left = quote_left.saturating_sub(1);
    }
    h.headline_forms(&mut found);
    for (k, kind) in NewsKind::all().iter().enumerate() {
        if found[k] && !out.contains(kind) {
            out.push(*kind);
        }
    }
}

/// A headline: words `from..to` of a stream.
struct Headline<'a> {
    norm: &'a Norm,
    from: usize,
    to: usize,
}

impl Headline<'_> {
    /// Word `i`, or `""` outside the headline.
    fn w(&self, i: usize) -> &str {
        if i >= self.from && i < self.to {
            self.norm.word(i)
        } else {
            ""
        }
    }

    /// One of the `n` words before `i` satisfies `pred`.
    fn prev_has(&self, i: usize, n: usize, pred: &dyn Fn(&str) -> bool) -> bool {
        (i.saturating_sub(n).max(self.from)..i).any(|k| pred(self.w(k)))
    }

    /// One of the `n` words after `i` satisfies `pred` (word, is a number).
    fn next_has(&self, i: usize, n: usize, pred: &dyn Fn(&str, bool) -> bool) -> bool {
        (i + 1..(i + 1 + n).min(self.to))
            .any(|k| pred(self.w(k), self.norm.words[k].has(Flags::NUM)))
    }

    /// The kind that word `i` announces with its neighbours.
    fn word_kind(&self, i: usize) -> Option<NewsKind> {
        self.trailer_or_casting(i)
            .or_else(|| self.interview(i))
            .or_else(|| self.renewal_or_cancellation(i))
            .or_else(|| self.release_date(i))
            .or_else(|| self.review_recap_ratings(i))
    }

    fn trailer_or_casting(&self, i: usize) -> Option<NewsKind> {
        let (prev, next) = (self.w(i.wrapping_sub(1)), self.w(i + 1));
        match self.w(i) {
            // `Trailer Park Boys` is a place, not a trailer.
            "trailer" | "trailers" if next == "park" => None,
            "trailer" | "trailers" | "teaser" | "teasers" | "promo" | "pv" => {
                Some(NewsKind::Trailer)
            }
            "peek" if prev == "sneak" => Some(NewsKind::Trailer),
            // `FIRST FOOTAGE!`, `Here's the First Look at ...`; not first-look photos, nor
            // a bare `First Look` (as often a gallery as a clip).
            "footage" if prev == "first" => Some(NewsKind::Trailer),
            "look"
                if prev == "first"
                    && next == "at"
                    && !self.next_has(i, 8, &|n, _| {
                        matches!(
                            n,
                            "photos" | "photo" | "images" | "pictures" | "stills" | "pics"
                        )
                    }) =>
            {
                Some(NewsKind::Trailer)
            }
            "annonce" if prev == "bande" => Some(NewsKind::Trailer),
            // Bare `cast` is mostly the noun (`Friends Cast Reunite`): casting only in
            // `cast as`, `cast in`, `joins cast`, `new cast members`, `cast revealed`,
            // `Cast: Meet the New Singles`.
            "cast" => (matches!(
                next,
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
                    | "meet"
            ) || matches!(
                prev,
                "to" | "out" | "joins" | "join" | "main" | "new" | "full" | "series" | "regular"
            ))
            .then_some(NewsKind::Casting),
            "casts"
                if matches!(next, "doubt" | "spell" | "shadow" | "aside" | "vote")
                    || (next == "a" && matches!(self.w(i + 2), "spell" | "shadow" | "vote")) =>
            {
                None
            }
            "casts" | "casting" | "recast" | "recasts" | "recasting" | "joins" | "join"
            | "joining" | "boards" | "tapped" | "recurring" => Some(NewsKind::Casting),
            "star" | "lead" | "play" if prev == "to" => Some(NewsKind::Casting),
            "talks" if prev == "in" => Some(NewsKind::Casting),
            // `Meet Jane's Suitors`, `Meet the New Singles`: contestants revealed.
            "meet" => self
                .next_has(i, 4, &|n, _| {
                    matches!(
                        n,
                        "suitors"
                            | "singles"
                            | "contestants"
                            | "cast"
                            | "housemates"
                            | "islanders"
                            | "queens"
                            | "bachelors"
                            | "finalists"
                    )
                })
                .then_some(NewsKind::Casting),
            _ => None,
        }
    }

    fn interview(&self, i: usize) -> Option<NewsKind> {
        let (prev, next) = (self.w(i.wrapping_sub(1)), self.w(i + 1));
        match self.w(i) {
            "talk" if next == "show" => None,
            // The noun: `Big Talk`, `a pep talk`, `peace talks`, `the talks` (negotiations).
            "talk" | "talks"
                if matches!(
                    prev,
                    "big"
                        | "small"
                        | "pep"
                        | "trash"
                        | "smack"
                        | "pillow"
                        | "the"
                        | "a"
                        | "an"
                        | "ted"
                        | "peace"
                        | "trade"
                        | "contract"
                        | "pay"
                        | "budget"
                ) =>
            {
                None
            }
            // Negotiations: `direct talks between`, `UK defence talks amid row`, `no talk
            // of`, written in sentence case after a word that is no name or role.
            "talk" | "talks" if self.negotiations(i) => None,
            "talks" | "talk" | "interview" | "interviews" | "speaks" | "explains" | "dishes"
            | "chats" | "entrevista" | "intervista" => Some(NewsKind::Interview),
            "reflects" if next == "on" => Some(NewsKind::Interview),
            // `Lee Jung Jae Looks Back On "Squid Game"`: a person looking back, not an
            // outlet's `2025 Looks Back at the Year`.
            "looks" | "look"
                if next == "back"
                    && matches!(self.w(i + 2), "on" | "at")
                    && i >= self.from + 2
                    && (i - 2..i).all(|k| self.name_like(k) && !is_network(self.w(k))) =>
            {
                Some(NewsKind::Interview)
            }
            "discusses" => Some(NewsKind::Interview),
            // `Tayshia and Zac Answer Burning Finale Questions`.
            "answer" | "answers"
                if self.next_has(i, 4, &|n, _| matches!(n, "questions" | "fan")) =>
            {
                Some(NewsKind::Interview)
            }
            // `Chris Pine Reacts to ...`, `Stars React to ...`: the people themselves; not
            // `Fans React`, `Netflix Reacts` (a statement) or `Twitter Reacts`.
            "react" | "reacts"
                if next == "to"
                    && (matches!(prev, "star" | "stars" | "cast")
                        || (i > self.from
                            && self.norm.words[i - 1].has(Flags::CAP)
                            && !matches!(
                                prev,
                                "fans" | "internet" | "twitter" | "viewers" | "netflix" | "world"
                            ))) =>
            {
                Some(NewsKind::Interview)
            }
            "up" if prev == "opens" => Some(NewsKind::Interview),
            "down" if prev == "breaks" => Some(NewsKind::Interview),
            "in" if prev == "weighs" => Some(NewsKind::Interview),
            "candid" if matches!(prev, "gets" | "get" | "getting") => Some(NewsKind::Interview),
            "a" if prev == "and" && self.w(i.wrapping_sub(2)) == "q" => Some(NewsKind::Interview),
            _ => None,
        }
    }

    /// Whether `talk`/`talks` at `i` is the noun of negotiations: lower-case after a
    /// lower-case word that is no role or pronoun (`defence talks`), after `no`, or before
    /// `between`, `amid`, `over`.
    fn negotiations(&self, i: usize) -> bool {
        let (prev, next) = (self.w(i.wrapping_sub(1)), self.w(i + 1));
        let lower = |k: usize| k >= self.from && !self.norm.words[k].has(Flags::CAP);
        let role = matches!(
            prev,
            "star"
                | "stars"
                | "showrunner"
                | "showrunners"
                | "director"
                | "creator"
                | "creators"
                | "cast"
                | "actor"
                | "actress"
                | "host"
                | "producer"
                | "writer"
                | "author"
                | "singer"
                | "rapper"
                | "comedian"
                | "filmmaker"
                | "he"
                | "she"
                | "they"
                | "who"
        );
        prev == "no"
            || matches!(next, "between" | "amid" | "over")
            || (i > self.from && lower(i) && lower(i - 1) && !role && !prev.is_empty())
    }

    fn renewal_or_cancellation(&self, i: usize) -> Option<NewsKind> {
        match self.w(i) {
            "renewed" | "renews" | "renewal" | "renew" | "greenlit" | "greenlights"
            | "greenlighted" => {
                if self.prev_has(i, 2, &|p| matches!(p, "not" | "no" | "isnt" | "wont")) {
                    Some(NewsKind::Cancellation)
                } else {
                    Some(NewsKind::Renewal)
                }
            }
            // `Picked Up for Season 2`; not a new show's order (`Picks Up Full Series of
            // 'Hand of God'`, `picks up drama pilot`) unless a season follows.
            "up" if matches!(self.w(i.wrapping_sub(1)), "picked" | "picks") => {
                let new_show = self.next_has(i, 2, &|n, _| {
                    matches!(
                        n,
                        "full" | "series" | "pilot" | "drama" | "comedy" | "docuseries" | "limited"
                    )
                }) && !self
                    .next_has(i, 8, &|n, _| matches!(n, "season" | "seasons"));
                (!new_show).then_some(NewsKind::Renewal)
            }
            // `Season 3 Confirmed`, `Gets 2nd Season` (not `Gets Season 2 Premiere Date`),
            // German `erhält ... vierte Staffel`.
            "confirmed" => {
                let p1 = self.w(i.wrapping_sub(1));
                let p2 = self.w(i.wrapping_sub(2));
                let season = |w: &str| matches!(w, "season" | "staffel" | "sequel");
                (season(p1) || (season(p2) && self.norm.words[i - 1].has(Flags::NUM)))
                    .then_some(NewsKind::Renewal)
            }
            "gets" | "lands" | "earns" => (self
                .next_has(i, 3, &|n, _| matches!(n, "season" | "sequel"))
                && !self.next_has(i, 5, &|n, _| {
                    matches!(
                        n,
                        "date" | "premiere" | "trailer" | "teaser" | "release" | "poster"
                    )
                }))
            .then_some(NewsKind::Renewal),
            "erhalt" | "bekommt" => self
                .next_has(i, 3, &|n, _| matches!(n, "staffel" | "fortsetzung"))
                .then_some(NewsKind::Renewal),
            "renueva" | "renouvelle" | "rinnova" | "verlangert" => Some(NewsKind::Renewal),
            "cancelled" | "canceled" | "cancels" | "cancel" | "cancellation" | "cancelling"
            | "canceling" | "axed" | "axes" | "scrapped" | "cancela" | "annule" | "cancellata"
            | "cancellato" | "abgesetzt" => Some(NewsKind::Cancellation),
            _ => None,
        }
    }

    fn release_date(&self, i: usize) -> Option<NewsKind> {
        match self.w(i) {
            "date" => self
                .prev_has(i, 3, &|p| {
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
            "sets" | "set" => self
                .next_has(i, 6, &|n, _| {
                    matches!(
                        n,
                        "premiere" | "date" | "debut" | "return" | "launch" | "release"
                    )
                })
                .then_some(NewsKind::ReleaseDate),
            "debuts" | "debut" | "premieres" | "premiering" | "arrives" | "returns"
            | "launches" | "drops" | "streams" | "lands" => self
                .next_has(i, 4, &|n, num| is_when(n, num))
                .then_some(NewsKind::ReleaseDate),
            "sortie" | "estreno" | "uscita" | "starttermin" | "startdatum"
            | "erscheinungsdatum" | "termin" => Some(NewsKind::ReleaseDate),
            // German `Start des Anime ...`, `Start von ...`.
            "start" if matches!(self.w(i + 1), "des" | "der" | "von") => {
                Some(NewsKind::ReleaseDate)
            }
            _ => None,
        }
    }

    fn review_recap_ratings(&self, i: usize) -> Option<NewsKind> {
        let prev = self.w(i.wrapping_sub(1));
        match self.w(i) {
            "critique" | "kritik" | "recensione" | "resena" | "review" | "reviews" => {
                // `will be reviewed`, `under review` are not reviews.
                (!matches!(prev, "under" | "be")).then_some(NewsKind::Review)
            }
            "recap" | "recaps" | "recapped" => Some(NewsKind::Recap),
            "ratings" | "rating" | "viewership" | "nielsen" => Some(NewsKind::Ratings),
            // `11.4 Million Viewers`, `draws 3 million viewers`; not `viewers warned`.
            "viewers" => self
                .prev_has(i, 3, &|p| {
                    matches!(
                        p,
                        "million"
                            | "millions"
                            | "billion"
                            | "draws"
                            | "drew"
                            | "attracts"
                            | "record"
                            | "most"
                            | "fewer"
                            | "more"
                    ) || p.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty()
                })
                .then_some(NewsKind::Ratings),
            "viewed" if prev == "most" => Some(NewsKind::Ratings),
            "10" if prev == "top" => Some(NewsKind::Ratings),
            "watched" | "streamed" if prev == "most" => Some(NewsKind::Ratings),
            _ => None,
        }
    }

    /// Forms of the whole headline: `Name on Topic` is an interview, and so is a headline
    /// marked `(Exclusive)` where someone reveals, says, shares... something. (A quote after
    /// a colon, `Name: 'quote'`, is not read as one: general news writes `Topic: 'quote'`.)
    fn headline_forms(&self, found: &mut [bool; 9]) {
        let (norm, from, to) = (self.norm, self.from, self.to);
        if to <= from + 2 {
            return;
        }
        let words = &norm.words[from..to];
        let exclusive = words
            .iter()
            .enumerate()
            .any(|(k, w)| w.has(Flags::PAREN) && self.w(from + k) == "exclusive");
        let speaks = (from..to).any(|k| {
            matches!(
                self.w(k),
                "reveals" | "says" | "shares" | "admits" | "recalls" | "teases" | "confesses"
            )
        });
        if (exclusive && speaks) || self.cjk_quote() {
            found[NewsKind::Interview as usize] = true;
        }
        // `Debbie Harry on Blondie's Cuba trip`, `Jane Doe and John Roe on Their Future`: a
        // lower-case `on` right after people's names ([`Self::names_only`]) near the start
        // of the headline or of what follows a colon (`Wonder Woman 1984: Gal Gadot and
        // Chris Pine on ...`), not before a date. In a headline written in title case the
        // `On` is capitalized too (`Elton John On Music`).
        let title_case = self.title_case();
        let starts = std::iter::once(from)
            .chain((from + 1..to.min(from + 8)).filter(|&k| norm.words[k].has(Flags::COLON)));
        let on = starts
            .filter_map(|s| (s + 2..to.min(s + 8)).find(|&k| self.w(k) == "on"))
            .find(|&on| self.names_only(on));
        if let Some(on) = on {
            let on_word = &norm.words[on];
            let lower_on = !on_word.has(Flags::CLAUSE)
                && ((on_word.has(Flags::LOWER) && !on_word.has(Flags::CAP))
                    || (title_case && on_word.has(Flags::CAP)));
            // Not a date or a place to watch: `Bly Manor on Netflix`.
            let next = self.w(on + 1);
            // Nor an occasion: `Honors Mom Carrie Fisher on 4th Anniversary of Her Death`.
            let ordinal = next.len() > 2
                && next.bytes().next().is_some_and(|b| b.is_ascii_digit())
                && matches!(&next[next.len() - 2..], "st" | "nd" | "rd" | "th");
            let when = is_when(
                next,
                norm.words.get(on + 1).is_some_and(|w| w.has(Flags::NUM)),
            ) || is_network(next)
                || ordinal
                || matches!(
                    next,
                    "tv" | "display"
                        | "screen"
                        | "stage"
                        | "set"
                        | "broadway"
                        | "anniversary"
                        | "birthday"
                );
            if lower_on && !when {
                found[NewsKind::Interview as usize] = true;
            }
        }
    }

    /// Whether the two words before `on` can be a person's name ([`Self::name_like`], no
    /// clause break between), and not both ending in `s`, as a verb and its object in a
    /// title-case clause do (`U.S. Imposes Sanctions on Turkey`, `WHO Clarifies Comments on
    /// ...`).
    fn names_only(&self, on: usize) -> bool {
        let inflected = (on - 2..on).all(|k| self.w(k).ends_with('s'));
        !self.norm.words[on - 1].has(Flags::CLAUSE)
            && self.name_like(on - 2)
            && self.name_like(on - 1)
            && !inflected
    }

    /// Word `k` can be part of a person's name: capitalized, no common word, number or
    /// possessive.
    fn name_like(&self, k: usize) -> bool {
        let w = &self.norm.words[k];
        w.has(Flags::CAP) && !w.has(Flags::NUM | Flags::POSS) && !is_common(self.w(k))
    }

    /// Written in title case: at least four words of four letters or more, nearly all of
    /// them (all but one in six) capitalized.
    fn title_case(&self) -> bool {
        let (mut total, mut capped) = (0, 0);
        for w in &self.norm.words[self.from..self.to] {
            if w.end - w.start >= 4 && !w.has(Flags::NUM | Flags::CJK) {
                total += 1;
                if w.has(Flags::CAP) {
                    capped += 1;
                }
            }
        }
        total >= 4 && capped * 6 >= total * 5
    }

    /// `황보라 “오늘부터 달리와 감자탕~”`: a name of two or three CJK characters (as nearly
    /// every Korean name is; `추석특집` before a quoted programme title is a word), then a quote
    /// that runs to the headline's end, the form Korean entertainment news gives what a
    /// person says in an interview. (English general news writes `Topic: 'quote'` as often
    /// as `Name: 'quote'`; CJK news quotes a topic with the topic in quotes first.)
    fn cjk_quote(&self) -> bool {
        let (words, from, to) = (&self.norm.words, self.from, self.to);
        let Some(open) = (from + 2..to.min(from + 4)).find(|&k| words[k].has(Flags::OPEN_Q)) else {
            return false;
        };
        let name = words[from..open]
            .iter()
            .all(|w| w.has(Flags::CJK) && !w.has(Flags::OPEN_Q | Flags::NUM))
            && words[from + 1..open].iter().all(|w| !w.has(Flags::CLAUSE));
        // The quote closes on the headline's last word, or not at all (cut short).
        let to_the_end = words[open..to - 1].iter().all(|w| !w.has(Flags::CLOSE_Q));
        name && to_the_end
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
    ("출연", NewsKind::Casting),
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

/// The CJK cue starting at word `i`, and its length in words.
fn cjk_cue(norm: &Norm, i: usize, to: usize) -> Option<(NewsKind, usize)> {
    CJK_CUES.iter().find_map(|(cue, kind)| {
        for (k, c) in (i..).zip(cue.chars()) {
            if k >= to || !norm.words[k].has(Flags::CJK) || !norm.word(k).starts_with(c) {
                return None;
            }
        }
        let len = cue.chars().count();
        // `출연` (appears) is casting news; `출연한`, `출연했다` (appeared) are not.
        if cue.starts_with('출')
            && len == 2
            && matches!(
                word_at(norm, i + 2, to),
                "한" | "했" | "해" | "하" | "중" | "자"
            )
        {
            return None;
        }
        Some((*kind, len))
    })
}

fn word_at(norm: &Norm, i: usize, to: usize) -> &str {
    if i < to {
        norm.word(i)
    } else {
        ""
    }
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
    fn a_korean_name_then_a_quote_is_an_interview() {
        let none: [&str; 0] = [];
        assert_eq!(kinds("황보라 “오늘부터 달리와 감자탕~”"), ["interview"]);
        assert_eq!(kinds("박은빈 \"우영우 시즌2는 아직\""), ["interview"]);
        // A four-character word before a quoted programme title, a quoted title first, a
        // quote that ends before the headline does: no interview.
        assert_eq!(kinds("추석특집 \"옛날티비 그땐 그랬지\""), none);
        assert_eq!(kinds("'연모' 세손, 여자 쌍생아로 오해..살해 당했다"), none);
        assert_eq!(kinds("황보라 “감자탕” 먹방 공개"), none);
    }

    #[test]
    fn talk_as_a_noun_is_no_interview() {
        let none: [&str; 0] = [];
        assert_eq!(
            kinds("Hailee Steinfeld and Jeremy Renner Talk 'Hawkeye'"),
            ["interview"]
        );
        assert_eq!(kinds("Jane Doe Talks Season 2"), ["interview"]);
        assert_eq!(
            kinds("My favourite sketch from That Mitchell and Webb Look - Big Talk"),
            none
        );
        assert_eq!(kinds("Coach gives the team a pep talk"), none);
        assert_eq!(kinds("Writers' strike: the talks resume"), none);
    }

    #[test]
    fn a_new_show_picked_up_is_no_renewal() {
        let none: [&str; 0] = [];
        assert_eq!(kinds("'Evil' Picked Up for Season 2 at CBS"), ["renewal"]);
        assert_eq!(
            kinds("Netflix Picks Up 'Lucifer' After Fox Cancellation"),
            ["renewal", "cancellation"]
        );
        assert_eq!(
            kinds("Amazon Picks Up Full Series of 'Hand of God' and 'Red Oaks'"),
            none
        );
        assert_eq!(kinds("HBO picks up drama pilot from Jane Doe"), none);
        assert_eq!(
            kinds("FX Picks Up Series 'Shogun' for a Second Season"),
            ["renewal"]
        );
    }

    #[test]
    fn a_person_looking_back_is_an_interview() {
        assert_eq!(
            kinds("Lee Jung Jae Looks Back On \u{201c}Squid Game\u{201d} And Saying Goodbye"),
            ["interview"]
        );
        assert_eq!(
            kinds("Jenna Ortega looks back at her first season"),
            ["interview"]
        );
        assert!(kinds("Variety Looks Back at the Best TV of 2025").is_empty());
        assert!(kinds("Netflix Looks Back at a Decade of Originals").is_empty());
        assert!(kinds("Fans look back at the finale").is_empty());
    }

    #[test]
    fn name_on_topic_forms() {
        let none: [&str; 0] = [];
        // Title case: `On` is capitalized like every word.
        assert_eq!(
            kinds("Elton John On Music, Addiction And Family"),
            ["interview"]
        );
        assert_eq!(
            kinds("Tommy Oliver On His Documentary About 1978 MOVE Standoff In Philadelphia"),
            ["interview"]
        );
        // After a colon.
        assert_eq!(
            kinds("Wonder Woman 1984: Gal Gadot and Chris Pine on Movie's Message of Love"),
            ["interview"]
        );
        // Not an interview: an occasion, a place, a capitalized `On` in sentence case.
        assert_eq!(
            kinds("Billie Lourd Honors Mom Carrie Fisher on 4th Anniversary of Her Death"),
            none
        );
        assert_eq!(
            kinds("Harry Potter On Broadway Breaks Box Office Record"),
            none
        );
        assert_eq!(kinds("Black Sails On Starz tonight"), none);
        // What comes before `on` is a clause, not a name.
        assert_eq!(
            kinds(
                "U.S. Imposes Sanctions on Turkey Over 2017 Purchase of Russian Missile Defenses"
            ),
            none
        );
        assert_eq!(
            kinds("WHO Clarifies Comments on Asymptomatic Transmission of Coronavirus"),
            none
        );
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
        assert_eq!(
            kinds("Debbie Harry on Blondie's 'monumental' Cuba trip"),
            ["interview"]
        );
    }

    #[test]
    fn cues_of_the_real_feeds() {
        let none: [&str; 0] = [];
        // Renewals written as confirmations and gains.
        assert_eq!(
            kinds("'Moonbase' Season 3 Confirmed by Netflix"),
            ["renewal"]
        );
        assert_eq!(kinds("Moonbase Anime Gets 2nd Season"), ["renewal"]);
        assert_eq!(kinds("»Moonbase« erhält eine dritte Staffel"), ["renewal"]);
        assert_eq!(
            kinds("Moonbase Gets Season 2 Premiere Date"),
            ["release-date"]
        );
        assert_eq!(kinds("Moonbase Season 2 Premiere Confirmed"), none);
        // German dates.
        assert_eq!(
            kinds("Start des Anime »Moonbase« im April"),
            ["release-date"]
        );
        assert_eq!(
            kinds("Disc-Termin von »Moonbase« steht fest"),
            ["release-date"]
        );
        // Trailers and casting in other words.
        assert_eq!(
            kinds("'Moonbase' Sneak Peek: The Crew Wakes Up"),
            ["trailer"]
        );
        assert_eq!(
            kinds("The Trailer Park Kids need help with their film"),
            none
        );
        assert_eq!(
            kinds("Here's the First Look at 'Moonbase' Season 8"),
            ["trailer"]
        );
        assert_eq!(kinds("Moonbase Season 8 FIRST FOOTAGE!"), ["trailer"]);
        assert_eq!(kinds("A look at the first season of Moonbase"), none);
        assert_eq!(kinds("A First Look at the Moonbase Set Photos"), none);
        assert_eq!(
            kinds("Love Shack Season 2 Cast: Meet the New Singles"),
            ["casting"]
        );
        assert_eq!(kinds("The Suitors: Meet Jane Doe's Suitors"), ["casting"]);
        assert_eq!(
            kinds("김철수X이영희, '문베이스' 출연..달콤 로맨스"),
            ["casting"]
        );
        assert_eq!(kinds("김철수, '문베이스'에 출연했던 시절"), none);
        assert_eq!(
            kinds("김철수 '문베이스', 불타는 사진 '감성 티저'"),
            ["trailer"]
        );
        // Interviews: people reacting, answering questions, discussing their work; not
        // fans or a company reacting.
        assert_eq!(
            kinds("Moonbase Stars React to That Season 1 Finale"),
            ["interview"]
        );
        assert_eq!(
            kinds("Jane Doe Reacts to Rumours of a Sequel"),
            ["interview"]
        );
        assert_eq!(kinds("Fans React to the Moonbase Finale"), none);
        assert_eq!(kinds("France pulls out of UK defence talks amid row"), none);
        assert_eq!(kinds("Will there be direct talks between the two?"), none);
        assert_eq!(kinds("No talk of a delay, the studio says"), none);
        assert_eq!(
            kinds("Moonbase showrunner talks that finale"),
            ["interview"]
        );
        assert_eq!(kinds("Jane Doe talks season 2 of Moonbase"), ["interview"]);
        assert_eq!(kinds("Netflix Reacts to the Backlash"), none);
        assert_eq!(
            kinds("The Finalists Answer Burning Fan Questions"),
            ["interview"]
        );
        assert_eq!(
            kinds("Director Discusses Her New Documentary"),
            ["interview"]
        );
        // Interviews: `Name on Topic`, `Weighs in`, `Gets Candid`, an exclusive where
        // someone says something; not a quote after a colon (general news).
        assert_eq!(
            kinds("Jane Doe and John Roe on Their Future Together"),
            ["interview"]
        );
        assert_eq!(kinds("Jane Doe Weighs in on That Ending"), ["interview"]);
        assert_eq!(
            kinds("Jane Doe Gets Candid About Her Years on 'Moonbase'"),
            ["interview"]
        );
        assert_eq!(kinds("Coronavirus: 'It may never go away'"), none);
        assert_eq!(
            kinds("Jane Doe reflects Black Lives Matter in her art"),
            none
        );
        assert_eq!(
            kinds("Jane Doe Reveals She Almost Quit (Exclusive)"),
            ["interview"]
        );
        assert_eq!(
            kinds("Jane Doe Plays a Creepy Handyman in New Film (Exclusive)"),
            none
        );
        assert_eq!(
            kinds("The Haunting of Moon Manor on Netflix: First Look"),
            none
        );
        assert_eq!(kinds("The Crown Jewels Go on Display in London"), none);
        // Not ratings, not reviews.
        assert_eq!(
            kinds("Moonbase viewers warned over 'offensive' scene"),
            none
        );
        assert_eq!(kinds("Finale Draws 11.4 Million Viewers"), ["ratings"]);
        assert_eq!(kinds("The programme will be reviewed, says minister"), none);
        assert_eq!(kinds("葬送のフリーレン 第2期 放送開始"), ["release-date"]);
        assert_eq!(
            kinds("Stranger Things saison 5 : la bande-annonce"),
            ["trailer"]
        );
    }
}
