//! The labelled tagging table (`tests/fixtures/tagging.tsv`): every row must come out exactly
//! as labelled. Prints precision and recall over show categories, for the tagger and for the
//! same automaton with the context rules switched off (every show `require_context = false`).

use std::collections::BTreeSet;

use showfeed::config::Show;
use showfeed::tag::{NewsKind, Tagger};

/// The show list the table is labelled against (about fifty shows, with the ordinary-word
/// traps of the issue, aliases in Korean and Japanese, and per-show hints).
fn shows() -> Vec<Show> {
    let s = |name: &str, slug: &str, aliases: &[&str]| Show {
        name: name.into(),
        aliases: aliases.iter().map(|a| (*a).into()).collect(),
        slug: slug.into(),
        require_context: None,
        exclude: Vec::new(),
    };
    let mut the_bear = s("The Bear", "the-bear", &[]);
    the_bear.exclude = vec!["bear market".into()];
    let mut severance = s("Severance", "severance", &[]);
    severance.require_context = Some(true);
    let mut lupin = s("Lupin", "lupin", &[]);
    lupin.require_context = Some(false);
    vec![
        s("You", "you", &[]),
        s("Lost", "lost", &[]),
        s("House", "house", &[]),
        s("Friends", "friends", &[]),
        s("Dark", "dark", &[]),
        the_bear,
        s("Wednesday", "wednesday", &[]),
        s("Moving", "moving", &["무빙"]),
        s("Us", "us", &[]),
        s("The Last of Us", "the-last-of-us", &[]),
        s("Squid Game", "squid-game", &["오징어 게임"]),
        s(
            "All of Us Are Dead",
            "all-of-us-are-dead",
            &["지금 우리 학교는"],
        ),
        s("Grey's Anatomy", "greys-anatomy", &[]),
        s("Pokémon", "pokemon", &[]),
        s("NieR:Automata", "nier-automata", &[]),
        s(
            "Attack on Titan",
            "attack-on-titan",
            &["進撃の巨人", "Shingeki no Kyojin"],
        ),
        s(
            "Frieren: Beyond Journey's End",
            "frieren",
            &["Frieren", "葬送のフリーレン", "Sousou no Frieren"],
        ),
        s("Stranger Things", "stranger-things", &[]),
        s("The Crown", "the-crown", &[]),
        s("Succession", "succession", &[]),
        severance,
        s("Shōgun", "shogun", &["Shogun"]),
        s("House of the Dragon", "house-of-the-dragon", &[]),
        s("The Boys", "the-boys", &[]),
        s("Ted Lasso", "ted-lasso", &[]),
        s(
            "Only Murders in the Building",
            "only-murders-in-the-building",
            &[],
        ),
        s("Abbott Elementary", "abbott-elementary", &[]),
        s("Queen of Tears", "queen-of-tears", &["눈물의 여왕"]),
        s(
            "Crash Landing on You",
            "crash-landing-on-you",
            &["사랑의 불시착"],
        ),
        s("Jujutsu Kaisen", "jujutsu-kaisen", &["呪術廻戦"]),
        s("Chainsaw Man", "chainsaw-man", &[]),
        s("Solo Leveling", "solo-leveling", &["나 혼자만 레벨업"]),
        s("One Piece", "one-piece", &[]),
        s(
            "Demon Slayer",
            "demon-slayer",
            &["Kimetsu no Yaiba", "鬼滅の刃"],
        ),
        s("Spy x Family", "spy-x-family", &["SPY×FAMILY"]),
        s("Bridgerton", "bridgerton", &[]),
        s("The White Lotus", "the-white-lotus", &[]),
        s("Slow Horses", "slow-horses", &[]),
        s("Dark Matter", "dark-matter", &[]),
        s("Doctor Who", "doctor-who", &[]),
        s("The Walking Dead", "the-walking-dead", &[]),
        s("Money Heist", "money-heist", &["La Casa de Papel"]),
        s(
            "Extraordinary Attorney Woo",
            "extraordinary-attorney-woo",
            &["이상한 변호사 우영우"],
        ),
        s("Yellowstone", "yellowstone", &[]),
        lupin,
        s("Sweet Home", "sweet-home", &["스위트홈"]),
        s("The Office", "the-office", &[]),
        s("Euphoria", "euphoria", &[]),
        s("Arcane", "arcane", &[]),
    ]
}

struct Row {
    line: usize,
    title: String,
    summary: String,
    shows: BTreeSet<String>,
    kinds: BTreeSet<String>,
}

fn rows() -> Vec<Row> {
    let text = String::from_utf8(super::support::fixture("tagging.tsv")).unwrap();
    let set = |s: &str| -> BTreeSet<String> {
        if s == "-" {
            BTreeSet::new()
        } else {
            s.split(' ').map(String::from).collect()
        }
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4, "tagging.tsv:{}: want 4 columns", n + 1);
            for k in cols[3].split(' ').filter(|k| *k != "-") {
                assert!(
                    NewsKind::from_term(k).is_some(),
                    "tagging.tsv:{}: unknown kind {k}",
                    n + 1
                );
            }
            Row {
                line: n + 1,
                title: cols[0].into(),
                summary: cols[1].into(),
                shows: set(cols[2]),
                kinds: set(cols[3]),
            }
        })
        .collect()
}

/// (true positives, false positives, false negatives) over show categories.
fn score(tagger: &Tagger, rows: &[Row]) -> (usize, usize, usize) {
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for row in rows {
        let got: BTreeSet<String> = tagger
            .tag(&row.title, Some(&row.summary), None)
            .show_terms()
            .into_iter()
            .collect();
        tp += got.intersection(&row.shows).count();
        fp += got.difference(&row.shows).count();
        fn_ += row.shows.difference(&got).count();
    }
    (tp, fp, fn_)
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

#[test]
fn tagging_table() {
    let rows = rows();
    assert!(rows.len() >= 200, "the table has {} rows", rows.len());
    let shows = shows();
    let tagger = Tagger::new(&shows);
    let mut failures = Vec::new();
    for row in &rows {
        let tags = tagger.tag(&row.title, Some(&row.summary), None);
        let got: BTreeSet<String> = tags.show_terms().into_iter().collect();
        let kinds: BTreeSet<String> = tags.kind_terms().into_iter().collect();
        if got != row.shows || kinds != row.kinds {
            failures.push(format!(
                "tagging.tsv:{}: {:?}\n  shows want {:?} got {:?}\n  kinds want {:?} got {:?}",
                row.line, row.title, row.shows, got, row.kinds, kinds
            ));
        }
    }
    let (tp, fp, fn_) = score(&tagger, &rows);
    let mut loose_shows = shows.clone();
    for s in &mut loose_shows {
        s.require_context = Some(false);
        s.exclude.clear();
    }
    let (ltp, lfp, lfn) = score(&Tagger::new(&loose_shows), &rows);
    let with_shows = rows.iter().filter(|r| !r.shows.is_empty()).count();
    println!(
        "tagging table: {} rows ({} naming a show), {} show categories",
        rows.len(),
        with_shows,
        tp + fn_
    );
    println!(
        "  tagger:               precision {:.3} recall {:.3} (tp {tp}, fp {fp}, fn {fn_})",
        ratio(tp, tp + fp),
        ratio(tp, tp + fn_)
    );
    println!(
        "  no context rules:     precision {:.3} recall {:.3} (tp {ltp}, fp {lfp}, fn {lfn})",
        ratio(ltp, ltp + lfp),
        ratio(ltp, ltp + lfn)
    );
    assert!(
        failures.is_empty(),
        "{} of {} rows differ:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn seed_article_is_not_you() {
    let tagger = Tagger::new(&shows());
    let seed = rows()
        .into_iter()
        .find(|r| r.title.starts_with("All of Us Are Dead season 2"))
        .unwrap();
    let tags = tagger.tag(&seed.title, None, Some(&seed.summary));
    assert_eq!(tags.shows.len(), 1);
    assert_eq!(
        tags.show_terms(),
        ["all-of-us-are-dead", "all-of-us-are-dead/s2"]
    );
}

#[test]
fn suggest_finds_unconfigured_shows_in_untagged_rows() {
    let tagger = Tagger::new(&shows());
    let rows = rows();
    let untagged: Vec<(String, String)> = rows
        .iter()
        .filter(|r| {
            tagger
                .tag(&r.title, Some(&r.summary), None)
                .shows
                .is_empty()
        })
        .map(|r| (r.title.clone(), showfeed::text::html_to_text(&r.summary)))
        .collect();
    let found = showfeed::tag::suggest(
        untagged.iter().map(|(t, s)| (t.as_str(), s.as_str())),
        &tagger,
        30,
    );
    println!("suggestions from {} untagged rows:", untagged.len());
    for s in &found {
        println!("  {:>2}  {:<28} e.g. {:?}", s.count, s.name, s.examples[0]);
    }
    let names: Vec<&str> = found.iter().map(|s| s.name.as_str()).collect();
    for want in [
        "Hacks",
        "Black Doves",
        "Pachinko",
        "Tulsa King",
        "Reacher",
        "Dandadan",
    ] {
        assert!(names.contains(&want), "{want} not in {names:?}");
    }
    for never in ["You", "Wednesday", "The Bear", "Netflix", "Season"] {
        assert!(!names.contains(&never), "{never} in {names:?}");
    }
}

/// Show terms of one entry for a small show list (names only, default rules).
fn terms_for(names: &[&str], title: &str, summary: &str) -> Vec<String> {
    let shows: Vec<Show> = names
        .iter()
        .map(|n| Show {
            name: (*n).into(),
            aliases: Vec::new(),
            slug: n
                .to_lowercase()
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("-"),
            require_context: None,
            exclude: Vec::new(),
        })
        .collect();
    let mut v = Tagger::new(&shows)
        .tag(title, Some(summary), None)
        .show_terms();
    v.sort();
    v
}

#[test]
fn release_titles_with_a_year_or_country_between_name_and_episode() {
    let shows = ["Second Wind", "Ghost River", "Tower"];
    assert_eq!(
        terms_for(
            &shows,
            "Second.Wind.2019.S02E07.The.Storm.720p.HDTV.x264-GRP",
            ""
        ),
        ["second-wind", "second-wind/s2", "second-wind/s2e7"]
    );
    assert_eq!(
        terms_for(&shows, "Ghost River US S01E03 HDTV XviD-GRP", ""),
        ["ghost-river", "ghost-river/s1", "ghost-river/s1e3"]
    );
    assert_eq!(
        terms_for(&shows, "Tower (2021) S03E01 1080p WEB h264-GRP", ""),
        ["tower", "tower/s3", "tower/s3e1"]
    );
    assert_eq!(
        terms_for(&shows, "Tower 2x04 480p HDTV x264-GRP", ""),
        ["tower", "tower/s2", "tower/s2e4"]
    );
    assert_eq!(
        terms_for(&shows, "Tower S01E05E06 720p HDTV x264-GRP", ""),
        ["tower", "tower/s1", "tower/s1e5"]
    );
    // A year is no episode, and an ordinary word in a sentence is no show.
    assert!(terms_for(&shows, "The tower of 2019 S01 engine", "").is_empty());
}

#[test]
fn absolute_episode_numbers_become_slug_e_terms() {
    let shows = ["Kaiju Gakuen", "Rail Rangers", "Shinobi Koukou"];
    assert_eq!(
        terms_for(
            &shows,
            "[SubGrp] Kaiju Gakuen - 1085 [1080p] [ABCD1234].mkv",
            ""
        ),
        ["kaiju-gakuen", "kaiju-gakuen/e1085"]
    );
    assert_eq!(
        terms_for(&shows, "Kaiju.Gakuen.E334.720p.HDTV.x264-GRP", ""),
        ["kaiju-gakuen", "kaiju-gakuen/e334"]
    );
    assert_eq!(
        terms_for(&shows, "[SubGrp] KAIJU GAKUEN EP07 [R2DVD 420P]", ""),
        ["kaiju-gakuen", "kaiju-gakuen/e7"]
    );
    assert_eq!(
        terms_for(&shows, "[Raws] Shinobi Koukou #07 (TBS).ts", ""),
        ["shinobi-koukou", "shinobi-koukou/e7"]
    );
    assert_eq!(
        terms_for(
            &shows,
            "[Raws] RAIL RANGERS! - 07 (TBS 1280x720 x264 AAC).mp4",
            ""
        ),
        ["rail-rangers", "rail-rangers/e7"]
    );
    assert_eq!(
        terms_for(
            &shows,
            "[ANIME] Rail Rangers: The Final Run — Episode 5",
            ""
        ),
        ["rail-rangers", "rail-rangers/e5"]
    );
    // With one season named, the episode is of that season.
    assert_eq!(
        terms_for(&shows, "[ANIME] Rail Rangers Season 2 — Episode 5", ""),
        ["rail-rangers", "rail-rangers/s2", "rail-rangers/s2e5"]
    );
    // A year after a dash, and a rank, are no episodes.
    assert_eq!(
        terms_for(&shows, "[SubGrp] Kaiju Gakuen - 2019 [1080p]", ""),
        ["kaiju-gakuen"]
    );
    assert_eq!(
        terms_for(&shows, "Kaiju Gakuen #1 on the streaming charts", ""),
        ["kaiju-gakuen"]
    );
    // Episode ranges: both ends; Korean `N회`.
    assert_eq!(
        terms_for(
            &shows,
            "Neu im Katalog",
            "Die Episoden 12 bis 40 von »Kaiju Gakuen« sind da."
        ),
        ["kaiju-gakuen", "kaiju-gakuen/e12", "kaiju-gakuen/e40"]
    );
}

#[test]
fn calendar_lines_give_an_ordinary_name_its_context() {
    let shows = ["Silo", "Harbor", "Ghost River"];
    assert_eq!(
        terms_for(&shows, "[TV] Harbor — S03E09 — Farewell", "tomorrow — HBO"),
        ["harbor", "harbor/s3", "harbor/s3e9"]
    );
    assert_eq!(
        terms_for(&shows, "[TV] Ghost River — S02E01 — A Quiet Life", ""),
        ["ghost-river", "ghost-river/s2", "ghost-river/s2e1"]
    );
    // Without the episode, an ordinary word stays a word.
    assert!(terms_for(&shows, "Life in the Harbor — Farewell", "").is_empty());
}

#[test]
fn german_ordinal_joined_to_a_quoted_title() {
    assert_eq!(
        terms_for(
            &["Kaiju Gakuen"],
            "Neues von »Kaiju Gakuen«",
            "Die siebte »Kaiju Gakuen«-Staffel startet im Mai."
        ),
        ["kaiju-gakuen", "kaiju-gakuen/s7"]
    );
}

#[test]
fn article_less_and_plural_possessive_variants() {
    let shows = ["The Bachelorette", "The Simpsons", "The Office"];
    assert_eq!(
        terms_for(
            &shows,
            "'Bachelorette' Lead Jane Doe Picks Her Final Two",
            ""
        ),
        ["the-bachelorette"]
    );
    assert_eq!(
        terms_for(&shows, "A mural recreates the Simpsons' famous couch", ""),
        ["the-simpsons"]
    );
    // An ordinary word left by dropping `The` needs quotes or a season.
    assert!(terms_for(&shows, "Apple TV+'s Office Thriller Returns", "").is_empty());
    assert_eq!(
        terms_for(&shows, "Why the 'Office' Finale Still Works", ""),
        ["the-office"]
    );
}

#[test]
fn an_acronym_alias_in_capitals_is_the_show() {
    let mut snl = Show {
        name: "Saturday Night Live".into(),
        aliases: vec!["SNL".into()],
        slug: "saturday-night-live".into(),
        require_context: None,
        exclude: Vec::new(),
    };
    let tagger = Tagger::new(std::slice::from_ref(&snl));
    assert_eq!(
        tagger
            .tag("Jane Doe's SNL Monologue Was Pure Chaos", None, None)
            .show_terms(),
        ["saturday-night-live"]
    );
    snl.aliases = vec!["Snl".into()];
    let tagger = Tagger::new(&[snl]);
    assert!(tagger
        .tag("Jane Doe's SNL Monologue", None, None)
        .shows
        .is_empty());
}

#[test]
fn ordinary_names_as_headline_subjects_and_list_items() {
    let shows = ["Supernatural", "Friends", "The Wilds", "Moving"];
    assert_eq!(
        terms_for(
            &shows,
            "Supernatural: The Brothers Return in Winter Premiere Photos",
            ""
        ),
        ["supernatural"]
    );
    assert_eq!(
        terms_for(&shows, "The Friends Guest Stars We Still Talk About", ""),
        ["friends"]
    );
    assert_eq!(
        terms_for(
            &shows,
            "New This Month: Jane's Film, The Wilds, and More",
            ""
        ),
        ["the-wilds"]
    );
    // A list of topics is not a list of titles; a colon alone is no TV context.
    assert!(terms_for(
        &shows,
        "Their Next Steps: Wedding Plans, Moving and More",
        ""
    )
    .is_empty());
    assert!(terms_for(&shows, "Friends: How to Keep Them After 40", "").is_empty());
}

#[test]
fn names_used_for_something_else_are_not_the_show() {
    let shows = ["Squid Game", "The Challenge", "Dave", "Onimusha"];
    assert!(terms_for(&shows, "The real-life Squid Game of office politics", "").is_empty());
    assert!(terms_for(
        &shows,
        "Crew returns from orbit",
        "They shot scenes for the upcoming movie 'The Challenge' in space."
    )
    .is_empty());
    assert!(terms_for(&shows, "Actress secretly marries comedian Dave Marlowe", "").is_empty());
    assert!(terms_for(&shows, "[GAME] Onimusha: Blade of Dawn — Release day", "").is_empty());
    // The same names as the shows still count.
    assert_eq!(
        terms_for(&shows, "Dave Season 4 Trailer: Lil Dicky Returns", ""),
        ["dave", "dave/s4"]
    );
    assert_eq!(
        terms_for(&shows, "'Squid Game' Season 3 Trailer", ""),
        ["squid-game", "squid-game/s3"]
    );
}

#[test]
fn related_links_lists_count_only_for_round_ups() {
    let shows = ["Bridgerton", "Virgin Falls", "Outlander"];
    let summary = "<p>The drama returns with new faces. Read More &gt; Other Links From \
                   ExampleTV.com Virgin Falls Outlander Bridgerton</p>";
    assert_eq!(
        terms_for(&shows, "Virgin Falls Renewed for Season 4", summary),
        ["virgin-falls", "virgin-falls/s4"]
    );
    let summary = "<p>Our picks for the winter. Other Links From ExampleTV.com Outlander \
                   Bridgerton</p>";
    assert_eq!(
        terms_for(&shows, "9 Shows to Watch While You Wait", summary),
        ["bridgerton", "outlander"]
    );
}

#[test]
fn a_show_named_as_a_person_s_credit_in_the_body_is_not_the_news() {
    let shows = ["Talent Quest", "The Office"];
    assert!(terms_for(
        &shows,
        "Jane Doe Is Unrecognizable With Her New Look",
        "<p>'Talent Quest' winner Jane Doe showed off a new look.</p>"
    )
    .is_empty());
    assert!(terms_for(
        &shows,
        "Two Old Friends Start a Holiday Tradition",
        "<p>The 'Office' alums are still close.</p>"
    )
    .is_empty());
    // With a season in the same sentence, it is about the show.
    assert_eq!(
        terms_for(
            &shows,
            "Jane Doe Looks Back",
            "<p>'Talent Quest' winner Jane Doe returns for Season 3 as a judge.</p>"
        ),
        ["talent-quest", "talent-quest/s3"]
    );
}

#[test]
fn episode_listing_titles_name_the_show_as_a_segment() {
    let shows = ["Evil", "House", "Bones"];
    assert_eq!(
        terms_for(
            &shows,
            "The Demon of Parish Hall - Evil",
            "Kristen faces a new case."
        ),
        ["evil"]
    );
    assert_eq!(
        terms_for(&shows, "Best moments of the week | House", ""),
        ["house"]
    );
    assert_eq!(
        terms_for(&shows, "[TV] Bones — The Final Chapter", ""),
        ["bones"]
    );
    // Not a headline's first words, nor a word inside a segment.
    assert!(terms_for(&shows, "Evil - a short history of sin", "").is_empty());
    assert!(terms_for(&shows, "Prices rise again - the house market", "").is_empty());
}
