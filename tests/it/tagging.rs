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
