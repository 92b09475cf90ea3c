//! Dedup cost per ingested entry (fingerprint + find + insert) with 100,000 entries already
//! in the index, all inside one 72 h window (the worst case: every stored entry is a possible
//! candidate by time). Goal: at most 20 µs per entry.
//!
//! The corpus is synthetic but shaped like the real one: headlines and lead paragraphs from
//! per-kind templates (renewal, cancellation, trailer, casting, premiere date, ratings) over
//! 20,000 generated show titles (common English words and rare made-up ones; a few shows
//! popular, most rare), person names from 120 first names and 3,150 surnames, 12 networks
//! and 40 outlets; each event is told by 1-4 outlets with different templates, so about half
//! the entries have a copy to find. A baseline measured in the same process (lower-casing and
//! splitting the same text into words) gives the ratio.
//!
//! Run: `cargo bench --bench dedup` (plain `main`, no harness).

use std::collections::{HashMap, HashSet};
use std::hint::black_box;
use std::time::{Duration, Instant};

use showfeed::dedup::{fingerprint, DedupIndex, Fingerprint, Match, Settling};
use showfeed::entry::EntryId;

const STORED: usize = 100_000;
const MEASURED: usize = 20_000;
const WINDOW: i64 = 72 * 3600;

const ADJECTIVES: &[&str] = &[
    "Silent", "Crimson", "Broken", "Golden", "Hidden", "Last", "Wild", "Dark", "Bright", "Lost",
    "Frozen", "Burning", "Quiet", "Savage", "Gentle", "Hollow", "Iron", "Velvet", "Midnight",
    "Scarlet", "Electric", "Sacred", "Wicked", "Lucky", "Restless", "Northern", "Southern",
    "Eternal", "Secret", "Fallen", "Rising", "Painted", "Tender", "Bitter", "Shining", "Stolen",
    "Twisted", "Sweet", "Empty", "Endless", "Royal", "Little", "Distant", "Crooked", "Faded",
    "Fearless", "Glass", "Jade", "Lonely", "Marble", "Neon", "Paper", "Pale", "Rusty", "Sapphire",
    "Shadow", "Silver", "Steel", "Storm", "Winter",
];
const NOUNS: &[&str] = &[
    "Harbor",
    "Vow",
    "Kingdom",
    "Hour",
    "Garden",
    "Frontier",
    "Signal",
    "Orchard",
    "Empire",
    "Tide",
    "Circuit",
    "Academy",
    "Crown",
    "District",
    "Ember",
    "Falcon",
    "Gambit",
    "Heist",
    "Island",
    "Journey",
    "Keeper",
    "Legacy",
    "Mirror",
    "Nation",
    "Oath",
    "Pact",
    "Quarter",
    "Ranch",
    "Saint",
    "Throne",
    "Union",
    "Valley",
    "Warden",
    "Zone",
    "Anthem",
    "Bureau",
    "Canyon",
    "Dynasty",
    "Echo",
    "Fortune",
    "Guardian",
    "Hunter",
    "Inheritance",
    "Jury",
    "Knight",
    "Lantern",
    "Monarch",
    "Nomad",
    "Outpost",
    "Paradise",
    "Queen",
    "Rebel",
    "Summit",
    "Tower",
    "Utopia",
    "Vessel",
    "Witness",
    "Yard",
    "Citadel",
    "Doctor",
];
const FIRST: &[&str] = &[
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Sofia", "Mason", "Chloe",
    "Logan", "Zoe", "Caleb", "Nora", "Owen", "Ruby", "Isaac", "Maya", "Jasper", "Hana", "Min",
    "Ji", "Seo", "Park", "Yuki", "Haruto", "Sakura", "Ren", "Aiko", "Diego", "Lucia", "Mateo",
    "Camila", "Omar", "Layla", "Ivan", "Nadia", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Klara",
    "Leon", "Marta", "Nils", "Oskar", "Pia", "Rafael", "Sara", "Tomas", "Ula", "Viktor", "Wren",
    "Xavier", "Yara", "Zane", "Adam", "Britt", "Colin", "Dana", "Elliot", "Fiona", "Grant",
    "Holly", "Ian", "Jade", "Kurt", "Lena", "Miles", "Nina", "Otto", "Paige", "Quinn", "Rhea",
    "Simon", "Tess", "Umar", "Vera", "Wade", "Ximena", "Yusuf", "Zara", "Amber", "Blake", "Cora",
    "Drew", "Eden", "Flynn", "Gwen", "Heath", "Iris", "Joel", "Kira", "Lane", "Mara", "Neil",
    "Opal", "Pearl", "Reid", "Skye", "Troy", "Uma", "Vince", "Willa", "Yvette", "Zeke", "Alba",
    "Bram", "Cleo", "Dex", "Esme", "Finn", "Gia", "Hal",
];
const LAST: &[&str] = &[
    "Stone",
    "Rivera",
    "Kim",
    "Lee",
    "Choi",
    "Tanaka",
    "Sato",
    "Nakamura",
    "Garcia",
    "Lopez",
    "Novak",
    "Weber",
    "Fischer",
    "Rossi",
    "Bianchi",
    "Dubois",
    "Moreau",
    "Silva",
    "Costa",
    "Ahmed",
    "Khan",
    "Singh",
    "Patel",
    "Nguyen",
    "Tran",
    "Walsh",
    "Byrne",
    "Murphy",
    "Kelly",
    "Hughes",
    "Price",
    "Bennett",
    "Foster",
    "Hayes",
    "Ward",
    "Brooks",
    "Reed",
    "Cole",
    "Grant",
    "Hart",
    "Lane",
    "Marsh",
    "Nash",
    "Pike",
    "Quinn",
    "Rhodes",
    "Shaw",
    "Tate",
    "Vance",
    "Wolfe",
    "York",
    "Abbott",
    "Barker",
    "Carver",
    "Dalton",
    "Ellis",
    "Fletcher",
    "Gallo",
    "Hale",
    "Ingram",
    "Jansen",
    "Keller",
    "Lindqvist",
    "Moss",
    "Nolan",
    "Olsen",
    "Parr",
    "Quigley",
    "Ramos",
    "Sauer",
    "Thorne",
    "Ueda",
    "Varga",
    "Wong",
    "Xu",
    "Yoon",
    "Zhang",
    "Arden",
    "Blythe",
    "Cross",
    "Drake",
    "Everett",
    "Frost",
    "Gray",
    "Holt",
    "Irwin",
    "Jett",
    "Knox",
    "Lowe",
    "Mercer",
    "North",
    "Orr",
    "Pryce",
    "Rowe",
    "Sloane",
    "Tucker",
    "Upton",
    "Vale",
    "Webb",
    "Yates",
    "Zeller",
    "Ash",
    "Bishop",
    "Crane",
    "Dunn",
    "Eaton",
    "Ford",
    "Gale",
    "Hood",
    "Ives",
    "Judd",
    "Kerr",
    "Lord",
    "Mayer",
    "Noble",
    "Oakes",
    "Penn",
    "Rush",
    "Sykes",
    "Trent",
    "Usher",
    "Voss",
    "Wilde",
    "Young",
    "Zorn",
    "Amos",
    "Boyd",
    "Cobb",
    "Dore",
    "Eade",
    "Fox",
    "Gill",
    "Hahn",
    "Imes",
    "Jones",
    "Kahn",
    "Lamb",
    "Muir",
    "Nye",
    "Ode",
    "Pratt",
    "Rau",
    "Salk",
    "Toms",
    "Udall",
];
const SYLLABLES: &[&str] = &[
    "ka", "ri", "mon", "tel", "sa", "vor", "lin", "da", "mer", "zu", "qua", "bel", "ro", "fen",
    "tis", "ga", "hol", "mi", "nar", "pe", "sol", "ur", "vin", "ya", "zen", "bra", "cor", "dun",
    "el", "fal", "gri", "hu", "jo", "kel", "lor", "ma", "ne", "os", "pri", "ras",
];
const NETWORKS: &[&str] = &[
    "Netflix",
    "HBO",
    "Apple TV+",
    "Hulu",
    "Prime Video",
    "Disney+",
    "FX",
    "ABC",
    "NBC",
    "CBS",
    "tvN",
    "Crunchyroll",
];
const OUTLETS: usize = 40;
const SHOWS: usize = 20_000;
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Headline templates per kind: {s} show, {p} person, {n} season, {e} episode, {w} network,
/// {m} month, {d} day.
const HEADLINES: &[&[&str]] = &[
    &[
        "‘{s}’ Renewed for Season {n} at {w}",
        "{w} Renews {s} for Season {n}",
        "{s} Season {n}: {w} Orders Another Round of the Hit Drama",
        "‘{s}’ Gets Season {n} Pickup From {w}",
    ],
    &[
        "‘{s}’ Canceled at {w} After {n} Seasons",
        "{s} Not Moving Forward at {w}",
        "{w} Cancels ‘{s}’ — No Season {n} for the Drama",
    ],
    &[
        "‘{s}’ Season {n} Trailer: {p} Returns",
        "Watch the First Trailer for {s} Season {n}",
        "{s} Season {n} Teaser Shows {p} in Trouble",
    ],
    &[
        "{p} Joins ‘{s}’ Season {n} in Recurring Role",
        "‘{s}’ Casts {p} for Season {n}",
        "{p} Boards {w}’s {s}",
    ],
    &[
        "‘{s}’ Season {n} Sets {m} {d} Premiere Date",
        "{w} Dates {s} Season {n} for {m} {d}",
        "{s} Season {n} Premiere Date Set at {w}",
    ],
    &[
        "‘{s}’ Ratings Hit Series High With Episode {e}",
        "{s} Episode {e} Ratings Climb on {w}",
        "Ratings: {w}’s {s} Rises Again With Episode {e}",
    ],
];

const RATINGS: usize = 5;

/// Lead paragraphs per kind.
const SUMMARIES: &[&[&str]] = &[
    &[
        "{w} has renewed {s} for season {n}, the network announced on Tuesday. {p} stars in \
         the drama, which has been one of the most watched series on the service this year.",
        "The drama starring {p} will return for season {n}. The renewal comes after a strong \
         run that made {s} a breakout hit for {w} with critics and audiences alike.",
    ],
    &[
        "{w} has canceled {s} after {n} seasons. The series, which starred {p}, saw its \
         audience fall steadily over the latest run despite strong reviews.",
        "There will be no season {n} of {s}. {w} has decided not to move forward with the \
         series led by {p}, sources confirm, ending the show after a short run.",
    ],
    &[
        "{w} has released the first trailer for season {n} of {s}, with {p} back in the lead \
         role as a new mystery unfolds. The season premieres in {m}.",
        "The new season {n} trailer for {s} teases a darker chapter for {p}'s character. {w} \
         will release the episodes weekly starting in {m}.",
    ],
    &[
        "{p} has joined the cast of {w}'s {s} for season {n} in a recurring role that is \
         being kept under wraps, sources say.",
        "{s} has cast {p} in season {n}. The actor will play a new rival who arrives in town, \
         {w} confirmed on Friday.",
    ],
    &[
        "Season {n} of {s} will premiere on {m} {d} on {w}, the streamer announced along with \
         new images of {p} in the lead role.",
        "{w} has set {m} {d} as the premiere date for season {n} of {s}, with {p} returning \
         for the new episodes.",
    ],
    &[
        "According to Nielsen, episode {e} of {s} scored its best rating yet on {w}, as {p}'s \
         character faced the biggest twist of the season so far.",
        "{w}'s {s} kept climbing: episode {e} reached a new personal best rating, with {p} \
         drawing praise for the episode's final scene.",
    ],
];

struct Item {
    feed: String,
    title: String,
    summary: String,
    shows: Vec<String>,
    /// The news kinds the tagger finds (as ingest sets them before the story search).
    kinds: Vec<String>,
    published: i64,
    id: EntryId,
    /// The synthetic event it tells (ground truth).
    event: u32,
}

fn fill(t: &str, ev: &Event) -> String {
    t.replace("{s}", &ev.show)
        .replace("{p}", &ev.person)
        .replace("{n}", &ev.season.to_string())
        .replace("{e}", &ev.episode.to_string())
        .replace("{w}", ev.network)
        .replace("{m}", ev.month)
        .replace("{d}", &ev.day.to_string())
}

struct Event {
    kind: usize,
    show: String,
    slug: String,
    person: String,
    network: &'static str,
    season: u32,
    episode: u32,
    month: &'static str,
    day: u32,
}

fn corpus(n: usize) -> Vec<Item> {
    let mut rng = fastrand::Rng::with_seed(2025);
    let tagger = showfeed::tag::Tagger::new(&[]);
    // Rare words for names: two or three syllables, like the long tail of real titles and
    // surnames.
    let pseudo = |rng: &mut fastrand::Rng| {
        let k = rng.usize(2..4);
        let mut w: String = (0..k)
            .map(|_| SYLLABLES[rng.usize(..SYLLABLES.len())])
            .collect();
        w[..1].make_ascii_uppercase();
        w
    };
    let mut names = HashSet::new();
    let mut shows: Vec<String> = Vec::with_capacity(SHOWS);
    let mut form = 0;
    while shows.len() < SHOWS {
        let a = ADJECTIVES[rng.usize(..ADJECTIVES.len())];
        let b = NOUNS[rng.usize(..NOUNS.len())];
        form = (form + 1) % 5;
        let name = match form {
            0 => format!("The {a} {b}"),
            1 => format!("{a} {b}"),
            2 => pseudo(&mut rng),
            3 => format!("{a} {}", pseudo(&mut rng)),
            _ => format!("{} of the {b}", pseudo(&mut rng)),
        };
        // One show per title, whatever the article (a taken title just moves on to the
        // next form).
        if names.insert(name.trim_start_matches("The ").to_owned()) {
            shows.push(name);
        }
    }
    let surnames: Vec<String> = (0..3000).map(|_| pseudo(&mut rng)).collect();
    let mut items = Vec::with_capacity(n);
    let base = 1_742_000_000;
    let mut t = base;
    let mut event = 0u32;
    let mut told = HashSet::new();
    while items.len() < n {
        // Popular shows come up far more often (quadratic skew); a show is renewed,
        // canceled, cast... once in the window, and rated once per episode.
        let (kind, season, episode) = (rng.usize(..HEADLINES.len()), rng.u32(2..8), rng.u32(1..17));
        let key = |s: usize| (s, kind, if kind == RATINGS { episode } else { 0 });
        let u = rng.f64();
        let mut s = ((u * u) * shows.len() as f64) as usize;
        for _ in 0..1000 {
            if !told.contains(&key(s)) {
                break;
            }
            s = rng.usize(..shows.len());
        }
        told.insert(key(s));
        let show = &shows[s];
        event += 1;
        let ev = Event {
            kind,
            show: show.clone(),
            slug: show.to_lowercase().replace(' ', "-"),
            person: format!(
                "{} {}",
                FIRST[rng.usize(..FIRST.len())],
                if rng.bool() {
                    LAST[rng.usize(..LAST.len())]
                } else {
                    &surnames[rng.usize(..surnames.len())]
                }
            ),
            network: NETWORKS[rng.usize(..NETWORKS.len())],
            season,
            episode,
            month: MONTHS[rng.usize(..MONTHS.len())],
            day: rng.u32(1..29),
        };
        let copies = match rng.u32(0..20) {
            0..=9 => 1,
            10..=14 => 2,
            15..=17 => 3,
            _ => 4,
        };
        let first_outlet = rng.usize(..OUTLETS);
        for c in 0..copies {
            if items.len() == n {
                break;
            }
            let heads = HEADLINES[ev.kind];
            let sums = SUMMARIES[ev.kind];
            let feed = format!("outlet-{}", (first_outlet + c * 7) % OUTLETS);
            let published = t + i64::from(rng.u32(0..3600));
            let id = EntryId::derive(&feed, &items.len().to_string());
            let title = fill(heads[rng.usize(..heads.len())], &ev);
            let summary = fill(sums[rng.usize(..sums.len())], &ev);
            let kinds = tagger.tag(&title, Some(&summary), None).kind_terms();
            items.push(Item {
                feed,
                title,
                summary,
                kinds,
                shows: if rng.bool() {
                    vec![ev.slug.clone()]
                } else {
                    Vec::new()
                },
                published,
                id,
                event,
            });
        }
        // 120,000 entries over 72 h: every stored entry is inside the window.
        t += WINDOW / (STORED + MEASURED) as i64 * copies as i64;
    }
    items.sort_by_key(|i| i.published);
    items
}

fn fp(it: &Item) -> Fingerprint {
    let shows: Vec<&str> = it.shows.iter().map(String::as_str).collect();
    fingerprint(&it.title, &it.summary, &shows, &it.kinds)
}

/// Resident set size in bytes, from /proc (Linux); 0 elsewhere.
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn per(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1e6 / n as f64
}

/// The story a match joins, once the stories it bridges are merged into it (as ingest does).
fn join(index: &mut DedupIndex, m: Match) -> EntryId {
    let mut story = m.story;
    for other in m.bridged {
        story = index.merge_stories(story, other);
    }
    story
}

fn main() {
    let items = corpus(STORED + MEASURED);
    let (stored, measured) = items.split_at(STORED);

    // Fill the index the way ingest does.
    let rss0 = rss();
    let mut index = DedupIndex::new(WINDOW);
    // Ground truth: the event of each story, and which events already have a copy.
    let mut story_event: HashMap<EntryId, u32> = HashMap::new();
    let mut seen_events: HashSet<u32> = HashSet::new();
    let start = Instant::now();
    let mut merged = 0usize;
    for it in stored {
        let f = fp(it);
        let story = match index.find_match(&f, &it.feed, it.published) {
            Some(m) => {
                merged += 1;
                join(&mut index, m)
            }
            None => it.id,
        };
        index.insert(it.id, story, &it.feed, it.published, &f);
        story_event.entry(story).or_insert(it.event);
        seen_events.insert(it.event);
    }
    let fill_time = start.elapsed();
    let rss1 = rss();

    // Measured: 20,000 more entries on top of 100,000, in three timed parts.
    let start = Instant::now();
    let fps: Vec<Fingerprint> = measured.iter().map(fp).collect();
    let t_fp = start.elapsed();
    let (mut t_find, mut t_insert) = (Duration::ZERO, Duration::ZERO);
    let mut found = 0usize;
    let (mut right, mut expected) = (0usize, 0usize);
    let mut verdicts = Vec::with_capacity(measured.len());
    for (it, f) in measured.iter().zip(&fps) {
        let s = Instant::now();
        let hit = index.find_match(f, &it.feed, it.published);
        let story = hit.map(|m| join(&mut index, m));
        t_find += s.elapsed();
        verdicts.push((it.event, story));
        found += usize::from(story.is_some());
        let story = story.unwrap_or(it.id);
        story_event.entry(story).or_insert(it.event);
        let s = Instant::now();
        index.insert(it.id, story, &it.feed, it.published, f);
        t_insert += s.elapsed();
    }
    let total = t_fp + t_find + t_insert;
    // Correctness against the synthetic ground truth.
    for (event, hit) in verdicts {
        let had_copy = seen_events.contains(&event);
        expected += usize::from(had_copy);
        if let Some(story) = hit {
            right += usize::from(story_event.get(&story) == Some(&event));
        }
        seen_events.insert(event);
    }

    // Baseline: lower-case and split the same text, nothing else.
    let start = Instant::now();
    let mut words = 0usize;
    for it in measured {
        let t = it.title.to_lowercase();
        let s = it.summary.to_lowercase();
        words += black_box(t.split_whitespace().count() + s.split_whitespace().count());
    }
    let t_base = start.elapsed();
    black_box(words);

    let n = measured.len();
    println!(
        "dedup bench: {n} entries ingested into an index of {STORED} (72 h window, all inside)"
    );
    println!(
        "  fill:        {STORED} entries in {:.2} s ({:.1} µs/entry), {merged} merged",
        fill_time.as_secs_f64(),
        per(fill_time, STORED)
    );
    println!("  fingerprint: {:6.2} µs/entry", per(t_fp, n));
    println!(
        "  find:        {:6.2} µs/entry ({found} of {n} found a story)",
        per(t_find, n)
    );
    println!("  insert:      {:6.2} µs/entry", per(t_insert, n));
    println!(
        "  synthetic truth: {right} of {found} stories found were the right event (precision \
         {:.3}); {right} of {expected} entries with an earlier copy found it (recall {:.3})",
        right as f64 / found.max(1) as f64,
        right as f64 / expected.max(1) as f64
    );
    println!(
        "  total:       {:6.2} µs/entry (goal <= 20 µs) {}",
        per(total, n),
        if per(total, n) <= 20.0 { "OK" } else { "OVER" }
    );
    println!(
        "  baseline (lower-case + split words): {:.2} µs/entry; dedup / baseline = {:.1}x",
        per(t_base, n),
        total.as_secs_f64() / t_base.as_secs_f64()
    );
    if rss1 > rss0 {
        println!(
            "  index memory (RSS growth while filling): {:.1} MiB, {:.0} bytes/entry",
            (rss1 - rss0) as f64 / (1 << 20) as f64,
            (rss1 - rss0) as f64 / STORED as f64
        );
    }
    println!("  index: {index:?}");

    // Settling the whole index (what the daemon does after polls that stored something):
    // a replay of every entry in publication order, in place.
    let items: Vec<Settling> = index
        .ids()
        .into_iter()
        .map(|id| Settling {
            id,
            story: index.story_of(id).unwrap_or(id),
            url: None,
            feed: 0,
            pinned: false,
        })
        .collect();
    let rss2 = rss();
    let start = Instant::now();
    let moves = index.settle(&items);
    let t_settle = start.elapsed();
    let rss3 = rss();
    println!(
        "  settle:      {} entries replayed in {:.2} s ({:.1} µs/entry), {} moved; RSS +{:.1} MiB",
        items.len(),
        t_settle.as_secs_f64(),
        per(t_settle, items.len()),
        moves.len(),
        rss3.saturating_sub(rss2) as f64 / (1 << 20) as f64
    );
}
