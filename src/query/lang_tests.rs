//! Unit tests of the query language: every operator, precedence, errors with their columns,
//! canonical round trips, matching and index plans.

use super::ast::{Expr, Term};
use super::{parse_expr, Known};
use crate::entry::{Entry, EntryId, SeasonRef, ShowTag};
use crate::store::Index;

const NOW: i64 = 1_780_000_000;

fn known() -> Known<'static> {
    Known {
        shows: &|s| s == "squid-game" || s == "the-bear",
        sources: &|s| s == "variety" || s == "soompi",
        tags: &|_| None,
        kinds: &["trailer", "casting", "recap"],
    }
}

fn parse(s: &str) -> Option<Expr> {
    parse_expr(s, &known(), NOW).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn canon(s: &str) -> String {
    parse(s).map(|x| x.to_string()).unwrap_or_default()
}

fn err(s: &str) -> String {
    parse_expr(s, &known(), NOW).unwrap_err().to_string()
}

fn entry(title: &str, summary: &str) -> Entry {
    Entry {
        id: EntryId::derive("variety", title),
        feed_id: "variety".into(),
        title: title.into(),
        link: Some("https://Variety.com/tv/news/squid-game-1".into()),
        summary: Some(summary.into()),
        content: None,
        authors: vec!["Joe Otterson".into()],
        language: None,
        published: 1_780_272_000 + 3600, // 2026-06-01T01:00Z
        updated: 0,
        first_seen: 0,
        enclosures: vec![],
        image: None,
        source_categories: vec![],
        content_hash: 0,
        shows: vec![ShowTag {
            slug: "squid-game".into(),
            name: "Squid Game".into(),
            seasons: vec![SeasonRef {
                season: 2,
                episode: None,
            }],
        }],
        kinds: vec!["trailer".into()],
        story: EntryId([0; 16]),
        exact_copy: false,
    }
}

fn hits(q: &str, e: &Entry) -> bool {
    parse(q).is_none_or(|x| x.matches(e))
}

#[test]
fn words_and_phrases_keep_their_old_canonical_form() {
    assert_eq!(canon("Pokémon \"Season  Two\""), "pokemon \"season two\"");
    assert_eq!(canon("spider-man"), "spider man");
    assert_eq!(canon("!!! \"\" ,"), "");
    assert_eq!(canon("\"open phrase"), "\"open phrase\"");
    assert_eq!(canon("game: or"), "game or");
}

#[test]
fn every_operator_and_precedence() {
    assert_eq!(canon("a -b !c"), "a -b -c");
    assert_eq!(canon("a b OR c"), "a b OR c");
    assert_eq!(canon("a (b OR c)"), "a (b OR c)");
    assert_eq!(canon("(a OR b) OR (c OR d)"), "a OR b OR c OR d");
    assert_eq!(canon("((a b)) c"), "a b c");
    assert_eq!(canon("-(a OR b) --c"), "-(a OR b) c");
    assert_eq!(canon("-\"a b\" -spider-man"), "-\"a b\" -(spider man)");
    assert_eq!(canon("a OR !!!"), "");
    let fields = "intitle:Trailer author:\"Joe O\" inurl:Variety.com/TV source:variety show:squid-game season:squid-game/s2 kind:trailer date:2026-06/2026-07";
    assert_eq!(
        canon(fields),
        "intitle:trailer author:\"joe o\" inurl:variety.com/tv source:variety show:squid-game season:squid-game/s2 kind:trailer date:2026-06/2026-07"
    );
    assert_eq!(
        canon("INTITLE:x inurl:\"/a b\""),
        "intitle:x inurl:\"/a b\""
    );
    assert_eq!(
        canon(r"intitle:/Tr\/ai+ler/i /x y/"),
        r"intitle:/Tr\/ai+ler/i /x y/"
    );
}

#[test]
fn canonical_forms_round_trip() {
    for q in [
        "a -b (c OR d) intitle:\"x y\" -(e f)",
        "show:squid-game OR source:soompi kind:recap",
        "inurl:\"/path\" inurl:a -/re/i date:P7D",
        "-(a OR (b -c)) OR d",
        "author:/^joe/ intitle:/a|b/ inurl:/\\.com/",
    ] {
        let once = canon(q);
        assert_eq!(canon(&once), once, "{q}");
        assert_eq!(parse(&once), parse(q), "{q}");
    }
}

#[test]
fn errors_say_what_and_where() {
    assert_eq!(err("squid game ) x"), "unexpected ')' at column 12");
    assert_eq!(err("a (b OR c"), "unclosed '(' at column 3");
    assert_eq!(err("()"), "empty parentheses at column 1");
    assert_eq!(err("OR a"), "unexpected OR at column 1");
    assert_eq!(err("a OR"), "expected a term after OR at column 3");
    assert_eq!(err("a OR OR b"), "expected a term after OR at column 3");
    assert_eq!(err("(a OR) b"), "expected a term after OR at column 4");
    assert_eq!(err("-OR a"), "expected a term after `-` at column 2");
    assert!(err("x show:nope").starts_with("`show:` no show with slug \"nope\""));
    assert!(err("x show:nope").ends_with("at column 8"));
    assert!(err("source:nope").contains("no feed with id"));
    assert!(err("kind:gossip").contains("must be one of trailer"));
    assert!(err("season:squid-game").contains("`season:`"));
    assert!(err("date:yesterday").contains("`date:` must be"));
    assert!(err("show:/x/").contains("no show with slug \"/x/\""));
    assert!(err("intitle:!!!").contains("needs a word"));
    assert_eq!(err("a /(/"), "invalid /regex/: unclosed group at column 3");
    assert!(err(&"(".repeat(40)).contains("nested too deeply"));
    // A pathological pattern is refused when parsed, never run.
    assert!(err("/(((a{100}){100}){100})/").contains("too big"));
}

#[test]
fn matching() {
    let e = entry(
        "Squid Game Season 2 Trailer Teases Return",
        "<p>Netflix’s <b>Pokémon</b> dub</p>",
    );
    for (q, want) in [
        ("squid trailer", true),
        ("SQUID \"game season\"", true),
        ("\"season game\"", false),
        ("pokemon dub", true),
        ("-pokemon", false),
        ("!netflix OR dub", true),
        ("intitle:pokemon", false),
        ("intitle:trailer", true),
        ("author:otterson", true),
        ("author:\"otterson joe\"", false),
        ("inurl:variety.com/tv", true),
        ("inurl:deadline", false),
        ("/Season \\d+/", true),
        ("/season \\d+/", false),
        ("/season \\d+/i", true),
        ("intitle:/^Squid/", true),
        ("author:/^joe/i", true),
        ("inurl:/squid-game-\\d$/", true),
        ("show:squid-game", true),
        ("show:the-bear", false),
        ("season:squid-game/s2", true),
        ("season:squid-game/s3", false),
        ("source:variety", true),
        ("source:soompi OR kind:trailer", true),
        ("kind:casting", false),
        ("date:2026-06-01", true),
        ("date:2026-06-02/", false),
        ("date:/2026-05", false),
        ("(trailer OR casting) -(bear OR lost) show:squid-game", true),
        ("trail", false),
    ] {
        assert_eq!(hits(q, &e), want, "{q}");
    }
}

/// Words are first looked for in the unfolded text; that look may only rule out what folding
/// would rule out too: case, accents, punctuation between words, entities, tags and word
/// boundaries decide as before.
#[test]
fn words_looked_for_before_folding_match_as_folded() {
    let e = entry(
        "SQUID-GAME: Squidward’s Café",
        "<p>Season&nbsp;2 of <i>Pokémon</i> &amp; Ōoku, 東京 x2</p>",
    );
    for (q, want) in [
        ("\"squid game\"", true),
        ("squid", true),
        ("squidward", true),
        ("squidwards", false),
        ("squidward s", true),
        ("cafe", true),
        ("caf", false),
        ("\"season 2\"", true),
        ("pokemon", true),
        ("-pokemon", false),
        ("ooku", true),
        ("oku", false),
        ("dong jing", true),
        ("x2", true),
        ("x", false),
        ("intitle:season", false),
        ("-intitle:season", true),
        ("amp", false),
        ("nbsp", false),
    ] {
        assert_eq!(hits(q, &e), want, "{q}");
    }
}

#[test]
fn plans_use_the_indexes() {
    let plan = |q: &str| {
        let x = parse(q).unwrap();
        let p = x.plan();
        let streams = p.streams.map(|s| {
            s.iter()
                .map(|i| match i {
                    Index::Show(s) => format!("show {s}"),
                    Index::Feed(f) => format!("feed {f}"),
                    Index::Time => "time".into(),
                })
                .collect::<Vec<_>>()
        });
        (streams, p.start, p.end)
    };
    let june = 1_780_272_000;
    assert_eq!(
        plan("show:squid-game OR source:soompi"),
        (
            Some(vec!["show squid-game".into(), "feed soompi".into()]),
            None,
            None
        )
    );
    assert_eq!(
        plan("trailer (source:soompi OR source:variety) show:the-bear date:2026-06"),
        (
            Some(vec!["show the-bear".into()]),
            Some(june),
            Some(june + 30 * 86_400)
        )
    );
    assert_eq!(plan("show:squid-game OR trailer"), (None, None, None));
    assert_eq!(plan("-show:squid-game"), (None, None, None));
    assert_eq!(
        plan("date:2026-06-01 OR date:2026-06-03"),
        (None, Some(june), Some(june + 3 * 86_400))
    );
    assert_eq!(plan("date:2026-06-01 OR x").1, None);
    let x = parse("season:squid-game/s2").unwrap();
    assert!(matches!(x, Expr::Term(Term::Season(_, 2))));
}

/// What the fuzz target checks (fuzz/fuzz_targets/query_lang.rs), over random sequences of
/// the grammar's pieces: no panic, errors inside the text, canonical forms that parse back to
/// the same expression and the same text.
#[test]
fn random_expressions_round_trip() {
    const PIECES: &[&str] = &[
        "a",
        "B",
        "é",
        "(",
        ")",
        "\"",
        " ",
        " ",
        "-",
        "!",
        "OR",
        " OR ",
        "or",
        "intitle:",
        "author:",
        "inurl:",
        "show:squid-game",
        "source:soompi",
        "kind:trailer",
        "season:squid-game/s2",
        "date:P7D",
        "date:2026-06/",
        "/x+/",
        "/a b/i",
        "\\",
        "/",
        ":",
        "::",
        "show:",
        "date:",
        "1",
        "東京",
        "\u{0}",
    ];
    let mut rng = fastrand::Rng::with_seed(18);
    let e = entry("Squid Game Season 2 Trailer", "<p>a b</p>");
    for _ in 0..20_000 {
        let n = rng.usize(1..12);
        let text: String = (0..n).map(|_| PIECES[rng.usize(..PIECES.len())]).collect();
        let x = match parse_expr(&text, &known(), NOW) {
            Ok(Some(x)) => x,
            Ok(None) => continue,
            Err(err) => {
                assert!(
                    (1..=text.chars().count() + 1).contains(&err.column),
                    "{text:?}: {err}"
                );
                continue;
            }
        };
        let canonical = x.to_string();
        let again = parse_expr(&canonical, &known(), NOW)
            .unwrap_or_else(|err| panic!("{canonical:?} of {text:?}: {err}"));
        assert_eq!(again.as_ref(), Some(&x), "{canonical:?} of {text:?}");
        assert_eq!(again.unwrap().to_string(), canonical, "{text:?}");
        let _ = x.matches(&e);
        let _ = x.plan();
    }
}

/// The feeds tagged `k-drama`, for `tag:`.
static KDRAMA: std::sync::LazyLock<Vec<String>> =
    std::sync::LazyLock::new(|| vec!["soompi".into()]);

fn with_tags() -> Known<'static> {
    Known {
        tags: &|t| (t == "k-drama").then_some(KDRAMA.as_slice()),
        ..known()
    }
}

#[test]
fn lang_and_tag_fields() {
    let parse_t = |s: &str| parse_expr(s, &with_tags(), NOW).map(|x| x.map(|x| x.to_string()));
    // Folded to lower case; canonical and parsed back the same.
    assert_eq!(canon("lang:pt-BR"), "lang:pt-br");
    assert_eq!(canon("-lang:EN OR lang:ko"), "-lang:en OR lang:ko");
    assert_eq!(
        parse_t("tag:K-Drama trailer").unwrap().unwrap(),
        "tag:k-drama trailer"
    );
    for s in [
        "lang:pt-br",
        "-lang:en OR lang:ko",
        "tag:k-drama (lang:ko OR lang:en)",
    ] {
        let once = parse_expr(s, &with_tags(), NOW).unwrap().unwrap();
        let again = parse_expr(&once.to_string(), &with_tags(), NOW)
            .unwrap()
            .unwrap();
        assert_eq!(once, again, "{s}");
    }
    // Errors say what and where.
    assert_eq!(
        err("trailer lang:english1"),
        "`lang:` must be a language tag like en, pt-br or ko, got \"english1\" at column 14"
    );
    assert_eq!(
        err("tag:nope"),
        "`tag:` no feed has the tag \"nope\" at column 5"
    );
    assert_eq!(err("lang:"), "expected a value after `lang:` at column 6");

    // `en` is every English entry, `en-us` only American English; none without a language.
    let mut e = entry("Squid Game trailer", "");
    assert!(!hits("lang:en", &e));
    e.language = Some("en-US".into());
    assert!(hits("lang:en", &e) && hits("lang:en-us", &e) && hits("lang:EN-US", &e));
    assert!(!hits("lang:en-gb", &e) && !hits("lang:ko", &e) && hits("-lang:ko", &e));
    // `tag:` is the feed's tags, as `tag=`: soompi has k-drama, variety does not.
    let tagged = |s: &str, e: &Entry| {
        parse_expr(s, &with_tags(), NOW)
            .unwrap()
            .is_none_or(|x| x.matches(e))
    };
    assert!(!tagged("tag:k-drama", &e));
    e.feed_id = "soompi".into();
    assert!(tagged("tag:k-drama lang:en", &e));
}
