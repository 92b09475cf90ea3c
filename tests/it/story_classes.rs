//! Story merging, one test per class of miss found on real feeds (tests/quality/stories, dev
//! days): each with short invented items of the class, never the set's own. They run the
//! story search the way ingest does (fingerprint with the tagger's kinds, find, insert, by
//! outlet), in several ingest orders where the order could matter.

use std::collections::{BTreeMap, BTreeSet};

use showfeed::dedup::{fingerprint, outlet, Conflict, DedupIndex, Pair};
use showfeed::entry::EntryId;

const H: i64 = 3600;
const T0: i64 = 1_700_000_000;
const WINDOW: i64 = 72 * H;

/// An invented item: a name, its link (the outlet is its site), hours after T0, title and
/// summary, and the story it belongs to.
struct Item {
    name: &'static str,
    link: &'static str,
    hours: f64,
    title: &'static str,
    summary: &'static str,
    story: &'static str,
}

fn item(
    name: &'static str,
    link: &'static str,
    hours: f64,
    title: &'static str,
    summary: &'static str,
    story: &'static str,
) -> Item {
    Item {
        name,
        link,
        hours,
        title,
        summary,
        story,
    }
}

fn published(it: &Item) -> i64 {
    T0 + (it.hours * H as f64) as i64
}

fn fp(it: &Item) -> showfeed::dedup::Fingerprint {
    let tagger = showfeed::tag::Tagger::new(&[]);
    let kinds = tagger.tag(it.title, Some(it.summary), None).kind_terms();
    fingerprint(it.title, it.summary, &[], &kinds)
}

fn outlet_of(it: &Item) -> String {
    // The feed id only counts for links on shared hosts: one feed per site here.
    outlet(Some(it.link), it.link)
}

/// The clusters (sets of names) the story search makes from `items` ingested in `order`.
fn clusters(items: &[Item], order: &[usize]) -> BTreeSet<BTreeSet<&'static str>> {
    let mut index = DedupIndex::new(WINDOW);
    let mut story = vec![EntryId([0; 16]); items.len()];
    for &i in order {
        let it = &items[i];
        let id = EntryId::derive(it.link, it.name);
        let f = fp(it);
        let o = outlet_of(it);
        let s = index.find(&f, &o, published(it)).map_or(id, |(s, _)| s);
        index.insert(id, s, &o, published(it), &f);
        story[i] = s;
    }
    let mut by: BTreeMap<EntryId, BTreeSet<&'static str>> = BTreeMap::new();
    for (i, s) in story.iter().enumerate() {
        by.entry(*s).or_default().insert(items[i].name);
    }
    by.into_values().collect()
}

fn expected(items: &[Item]) -> BTreeSet<BTreeSet<&'static str>> {
    let mut by: BTreeMap<&str, BTreeSet<&'static str>> = BTreeMap::new();
    for it in items {
        by.entry(it.story).or_default().insert(it.name);
    }
    by.into_values().collect()
}

/// Published order, its reverse, and outlet by outlet in both directions.
fn orders(items: &[Item]) -> Vec<Vec<usize>> {
    let mut by_time: Vec<usize> = (0..items.len()).collect();
    by_time.sort_by_key(|&i| published(&items[i]));
    let mut by_outlet = by_time.clone();
    by_outlet.sort_by_key(|&i| outlet_of(&items[i]));
    let mut rev_outlet = by_outlet.clone();
    rev_outlet.sort_by_key(|&i| std::cmp::Reverse(outlet_of(&items[i])));
    let reversed: Vec<usize> = by_time.iter().rev().copied().collect();
    vec![by_time, reversed, by_outlet, rev_outlet]
}

fn assert_stories(items: &[Item]) {
    let want = expected(items);
    for order in orders(items) {
        assert_eq!(clusters(items, &order), want, "order {order:?}");
    }
}

fn compare(a: &Item, b: &Item) -> showfeed::dedup::Comparison {
    let index = DedupIndex::new(WINDOW);
    let pair = Pair {
        same_outlet: outlet_of(a) == outlet_of(b),
        gap: (published(a) - published(b)).abs(),
    };
    index.compare_pair(&fp(a), &fp(b), pair)
}

#[test]
fn one_outlets_repeats_and_second_articles_are_one_story() {
    // A feed repeating its own item (another link), and a second article of the outlet on
    // the same happening; the outlet's other story of the day stays apart.
    let items = [
        item(
            "repeat-1",
            "https://news.example/a/1",
            0.0,
            "Ousted vaccine chief to warn senators of a dark winter",
            "The former director will tell lawmakers that the country faces its darkest \
             winter without a national plan.",
            "warning",
        ),
        item(
            "repeat-2",
            "https://news.example/a/2",
            0.5,
            "Ousted vaccine chief to warn senators of a dark winter",
            "The former director will tell lawmakers that the country faces its darkest \
             winter without a national plan.",
            "warning",
        ),
        item(
            "second-article",
            "https://news.example/a/3",
            3.0,
            "Vaccine chief warns senators the darkest winter lies ahead",
            "In testimony the ousted director told senators the country lacks a national \
             plan for the winter.",
            "warning",
        ),
        item(
            "other",
            "https://news.example/a/4",
            1.0,
            "Harbour bridge reopens after storm repairs",
            "Crews finished repairs to the harbour bridge overnight.",
            "bridge",
        ),
        item(
            "elsewhere",
            "https://wire.example/x",
            2.0,
            "Former vaccine director warns of darkest winter in testimony",
            "The ousted official told senators a national plan was missing.",
            "warning",
        ),
    ];
    assert_stories(&items);
}

#[test]
fn one_outlets_template_headlines_on_two_days_stay_apart() {
    // The same daily template: another day's figure, or the same words a day later.
    let items = [
        item(
            "day-1",
            "https://daily.example/cases-1",
            0.0,
            "Ministry logs 1,204 new infections as ward outbreak grows",
            "The ministry reported 1,204 new infections on Monday.",
            "day-1",
        ),
        item(
            "day-2",
            "https://daily.example/cases-2",
            24.0,
            "Ministry logs 1,377 new infections as ward outbreak grows",
            "The ministry reported 1,377 new infections on Tuesday.",
            "day-2",
        ),
        item(
            "ratings-sat",
            "https://daily.example/ratings-1",
            2.0,
            "“Harbour Lights” ratings climb as the drama nears its end",
            "The Saturday episode of “Harbour Lights” drew its best rating yet.",
            "ratings-sat",
        ),
        item(
            "ratings-sun",
            "https://daily.example/ratings-2",
            26.0,
            "“Harbour Lights” ratings climb ahead of the final episode",
            "The Sunday episode of “Harbour Lights” matched its best rating yet.",
            "ratings-sun",
        ),
    ];
    assert_stories(&items);
    assert_eq!(
        compare(&items[0], &items[1]).conflict,
        Some(Conflict::Numbers)
    );
    assert_eq!(compare(&items[2], &items[3]).conflict, Some(Conflict::Days));
}

#[test]
fn paraphrases_share_names_and_spellings_fold() {
    // Reworded headlines of one event; transliterations written two ways.
    let a = item(
        "a",
        "https://one.example/1",
        0.0,
        "Zelenskyy meets Kowalczyk in Lviv to sign grain corridor deal",
        "The two leaders signed the corridor agreement at Lviv's city hall.",
        "deal",
    );
    let b = item(
        "b",
        "https://two.example/1",
        1.0,
        "Zelensky and Kowalczyk sign Lviv grain corridor agreement",
        "President Zelensky hosted Kowalczyk in Lviv for the signing.",
        "deal",
    );
    let c = item(
        "c",
        "https://three.example/1",
        2.0,
        "Zelenskiy, Kowalczyk seal grain corridor pact in Lviv",
        "",
        "deal",
    );
    assert!(compare(&a, &b).duplicate, "{:?}", compare(&a, &b));
    assert!(compare(&a, &c).duplicate, "{:?}", compare(&a, &c));
    assert_stories(&[a, b, c]);
}

#[test]
fn a_large_story_takes_every_outlets_copies_and_a_chain_cannot_pull_in_a_contradiction() {
    let items = [
        item(
            "wire",
            "https://wire.example/quake",
            0.0,
            "Magnitude 6.8 quake strikes off Tarvanga coast, tsunami warning issued",
            "A strong earthquake struck off the Tarvanga coast on Tuesday, prompting a \
             tsunami warning for the northern islands.",
            "quake",
        ),
        item(
            "paper-1",
            "https://paper.example/quake-1",
            0.5,
            "Tarvanga earthquake: tsunami warning for northern islands",
            "The quake struck off the coast, officials said, and residents were told to \
             move to higher ground.",
            "quake",
        ),
        item(
            "paper-2",
            "https://paper.example/quake-2",
            2.0,
            "Residents flee to higher ground after Tarvanga quake",
            "Thousands left the northern islands after the tsunami warning.",
            "quake",
        ),
        item(
            "tv",
            "https://tv.example/v/77",
            3.0,
            "Tarvanga quake: thousands flee northern islands as tsunami warning lifted",
            "",
            "quake",
        ),
        item(
            "explainer",
            "https://paper.example/quake-explainer",
            4.0,
            "Tarvanga earthquake: what you need to know about tsunami warnings",
            "How warnings work and what residents of the northern islands should do.",
            "explainer",
        ),
    ];
    assert_stories(&items);
    assert_eq!(
        compare(&items[0], &items[4]).conflict,
        Some(Conflict::Piece)
    );
}

#[test]
fn figures_written_two_ways_and_two_outlets_figures_of_one_briefing() {
    let a = item(
        "a",
        "https://one.example/c",
        0.0,
        "Philland logs 18,937 new cases; active tally at 176K",
        "The health ministry reported 18,937 new cases.",
        "briefing",
    );
    let b = item(
        "b",
        "https://two.example/c",
        1.0,
        "Health ministry reports 18.9K more cases, 176,321 active",
        "The ministry said 176,321 cases were active.",
        "briefing",
    );
    assert_eq!(compare(&a, &b).conflict, None, "{:?}", compare(&a, &b));
    // Two outlets' counts from one briefing an hour apart: no veto (the score decides); the
    // same pair a day apart, or from one outlet, is two days' reports.
    let c = item(
        "c",
        "https://three.example/c",
        0.0,
        "Eleven new cases at the border, no early lift of the lockdown",
        "",
        "x",
    );
    let d = item(
        "d",
        "https://four.example/c",
        1.0,
        "Nine new community cases as the lockdown stays",
        "",
        "x",
    );
    assert_eq!(compare(&c, &d).conflict, None);
    let late = item("late", "https://four.example/c2", 30.0, d.title, "", "y");
    assert_eq!(compare(&c, &late).conflict, Some(Conflict::Numbers));
}

#[test]
fn a_show_named_by_one_outlet_only_costs_score_but_a_quoted_title_still_sets_apart() {
    // One outlet names the actor's other credits (a show tag from its summary); the other
    // does not: no veto. A headline quoting another show's title is another story.
    let index = DedupIndex::new(WINDOW);
    let none: &[&str] = &[];
    let tagged = fingerprint(
        "Actor Miles Varga dies aged 79",
        "Varga, star of the sitcom Market Lane, died at home.",
        &["market-lane"],
        none,
    );
    let untagged = fingerprint(
        "Miles Varga, beloved comic actor, dies at 79",
        "Tributes were paid to Varga, who died on Sunday.",
        &[],
        none,
    );
    let c = index.compare(&tagged, &untagged);
    assert!(c.conflict.is_none() && c.duplicate, "{c:?}");
    let quoted = fingerprint(
        "‘Harbour Lights’ renewed for a third season",
        "The network renewed the drama.",
        &[],
        none,
    );
    let other = fingerprint(
        "Market Lane renewed for a third season by the network",
        "The network renewed the sitcom.",
        &[],
        none,
    );
    assert_eq!(
        index.compare(&quoted, &other).conflict,
        Some(Conflict::Names)
    );
}

#[test]
fn a_death_and_the_days_tributes_are_one_story() {
    let items = [
        item(
            "death",
            "https://one.example/obit",
            0.0,
            "Actor Miles Varga dies aged 79",
            "Miles Varga, best known as the market trader in the sitcom, has died.",
            "varga",
        ),
        item(
            "tributes",
            "https://two.example/tributes",
            3.0,
            "Tributes paid to Miles Varga after actor dies at 79",
            "Co-stars paid tribute to Varga, the sitcom's market trader.",
            "varga",
        ),
    ];
    assert_stories(&items);
}

#[test]
fn explainers_roundups_and_other_actors_stay_apart() {
    let items = [
        item(
            "decision",
            "https://one.example/d",
            0.0,
            "Marlow city moves to alert level 3 from Tuesday",
            "The prime minister announced Marlow would move to alert level 3.",
            "decision",
        ),
        item(
            "decision-2",
            "https://two.example/d",
            1.0,
            "Marlow to shift to alert level 3, prime minister says",
            "Marlow moves to level 3 from Tuesday, the prime minister announced.",
            "decision",
        ),
        item(
            "what-it-means",
            "https://three.example/d",
            1.5,
            "Marlow at alert level 3: what does that mean for you?",
            "What the move to level 3 means for schools and shops in Marlow.",
            "explainer",
        ),
        item(
            "live",
            "https://four.example/live",
            2.0,
            "Marlow alert level 3 live: latest as city prepares",
            "Follow the latest on the move to level 3.",
            "live",
        ),
        item(
            "highlights",
            "https://five.example/h",
            2.5,
            "Highlights from the Marlow alert level announcement",
            "The prime minister's announcement on Marlow's alert level.",
            "highlights",
        ),
        item(
            "call",
            "https://seven.example/c",
            -6.0,
            "Marlow mayor calls for move to alert level 3 this week",
            "The mayor called for Marlow to move to alert level 3.",
            "call",
        ),
        item(
            "other-actor",
            "https://six.example/o",
            1.0,
            "Dunmore city stays at alert level 2, council says",
            "Dunmore remains at level 2, the council announced.",
            "other",
        ),
    ];
    assert_stories(&items);
}

#[test]
fn daily_programme_videos_of_one_day_stay_apart() {
    // Channel videos titled by programme and date: the date is no story, and another
    // day's edition of one programme is another video.
    let items = [
        item(
            "noon",
            "https://video.example/v/1",
            0.0,
            "Noontime Express: September 20, 2021 [HD]",
            "",
            "noon",
        ),
        item(
            "morning",
            "https://video.example/v/2",
            0.0,
            "Morning Brief | Channel 9 (20 September 2021)",
            "",
            "morning",
        ),
        item(
            "noon-next",
            "https://video.example/v/3",
            2.0,
            "Noontime Express: September 21, 2021 [HD]",
            "",
            "noon-next",
        ),
    ];
    assert_stories(&items);
}

#[test]
fn the_outlet_is_the_items_site() {
    assert_eq!(
        outlet(Some("https://edition.cnn.com/2020/x"), "cnn-intl"),
        outlet(Some("https://www.cnn.com/y"), "cnn-us")
    );
    assert_ne!(
        outlet(Some("https://www.youtube.com/watch?v=1"), "channel-a"),
        outlet(Some("https://www.youtube.com/watch?v=2"), "channel-b")
    );
}
