#!/usr/bin/env python3
"""Release-name check: other parsers' own test cases through the real showfeed binary.

Two projects that parse release names keep several hundred real ones in their tests, with
the series, season and episode each must give: written by their authors, not by us, so they
test forms we did not think of. Both are read in place from fetched mirrors, never copied
here (Sonarr is GPL-3.0, guessit LGPL-3.0):

- `sonarr`: `fetch github:Sonarr/Sonarr`; `src/NzbDrone.Core.Test/ParserTests/
  {SingleEpisode,AbsoluteEpisodeNumber,Season}ParserFixture.cs` (scene, fansub, WEB and
  foreign forms; series names anonymized to "Series Title" and the like);
- `guessit`: `fetch github:guessit-io/guessit`; `guessit/test/episodes.yml` (real show
  names), the cases that are a bare release name (no folder path) with one season and/or one
  episode, no options.

Each expected series is configured alone (Sonarr's anonymized names would otherwise match
one another) and polled with its cases as one feed. The series field is normalized first: a
trailing year or ` S<n>` is no part of the name (`Some Anime Show S3` is season 3 of `Some
Anime Show`); a year used as a season (daily shows) is left out. A case passes when showfeed
gives the show and every fact: `slug/sN` and `slug/sNeM`, or `slug/eM` for an absolute
number. Prints pass rates per fixture, then every failing case.

usage: python3 bench/release_cases.py --bin target/release/showfeed [--source sonarr|guessit]...
                                      [--no-misses]
"""
import argparse, html, json, os, re, shutil, subprocess, sys, tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from quality import slugify  # noqa: E402  (one slug rule for both scorers)

FIXTURES = "src/NzbDrone.Core.Test/ParserTests/"
GUESSIT_CASES = "guessit/test/episodes.yml"
STR = r'@?"((?:[^"\\]|\\.|"")*)"'
# The commits the figures in tests/quality/README.md were measured on.
COMMITS = {"sonarr": "49df353fa14c453929b79f32144b2c8c86d94b09",
           "guessit": "b145ae2791b9a77db68f20abf4ed4731a4dd8a0a"}
REPOS = {"sonarr": "Sonarr+Sonarr", "guessit": "guessit-io+guessit"}


def show_file(git, commit, path):
    out = subprocess.run(["git", "--git-dir", git, "show", f"{commit}:{path}"],
                         capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"release_cases: {path} not in {git} at {commit}: {out.stderr.strip()}")
    return out.stdout


def fixture(git, commit, name):
    return show_file(git, commit, f"{FIXTURES}{name}.cs")


def guessit_cases(git, commit):
    """(fixture, release name, series, season, episode) of guessit's episode cases."""
    try:
        import yaml  # PyYAML, only for this source
    except ImportError:
        sys.exit("release_cases: the guessit source needs PyYAML (pip install pyyaml)")
    out = []
    for name, want in yaml.safe_load(show_file(git, commit, GUESSIT_CASES)).items():
        if (name.startswith("__") or not isinstance(want, dict) or "/" in name or "\\" in name
                or want.get("type", "episode") != "episode" or "options" in want
                or not isinstance(want.get("title"), str)):
            continue
        season, episode = want.get("season"), want.get("episode")
        if isinstance(season, list) or isinstance(episode, list) or (season, episode) == (None, None):
            continue
        if season is None:
            out.append(("guessit episodes.yml (absolute)", name, want["title"], None, episode))
        elif episode is None:
            out.append(("guessit episodes.yml (season)", name, want["title"], season, None))
        else:
            out.append(("guessit episodes.yml", name, want["title"], season, episode))
    return out


def sonarr_cases(git, commit):
    """(fixture, release name, series, season, episode): season None for absolute numbers."""
    forms = [("SingleEpisodeParserFixture", 2), ("AbsoluteEpisodeNumberParserFixture", 3),
             ("SeasonParserFixture", 1)]
    out = []
    for name, ints in forms:
        pat = r"\[TestCase\(" + STR + r",\s*" + STR + r"".join([r",\s*(\d+)"] * ints) + r"\)"
        for m in re.finditer(pat, fixture(git, commit, name)):
            title = m.group(1).replace('\\\\', '\\').replace('""', '"')
            nums = [int(x) for x in m.groups()[2:]]
            if name.startswith("Single"):
                out.append((name, title, m.group(2), nums[0], nums[1]))
            elif name.startswith("Absolute"):
                # (absolute, season, episode): Sonarr's season/episode of the same release.
                out.append((name, title, m.group(2), None, nums[0]))
                if nums[1]:
                    out.append((name + " (season form)", title, m.group(2), nums[1], nums[2]))
            else:
                out.append((name, title, m.group(2), nums[0], None))
    return out


def expected(series, season, episode, title):
    """The configured name and the facts showfeed should give, or None to leave out."""
    if not series or not title.strip() or (season or 0) >= 1000:
        return None
    name, in_name = series, None
    m = re.match(r"^(.*?)[ ._-]+S(\d{1,2})$", name)
    if m:
        name, in_name = m.group(1), int(m.group(2))
    name = re.sub(r"[ ._-]*\(?(19|20)\d\d\)?$", "", name).strip()
    slug = slugify(name)
    want = {slug}
    if season is None:
        if episode:
            want |= ({f"{slug}/s{in_name}", f"{slug}/s{in_name}e{episode}"} if in_name
                     else {f"{slug}/e{episode}"})
    elif episode is None:
        want.add(f"{slug}/s{season}")
    elif re.search(r"(?i)\bep\s?\d", title) and not re.search(r"(?i)s\d", title):
        # `Name ep34`: Sonarr assumes season 1; the release states an episode only.
        want.add(f"{slug}/e{episode}")
    else:
        want |= {f"{slug}/s{season}", f"{slug}/s{season}e{episode}"}
    return name, want


def run_group(binary, work, name, group):
    """Polls one show's cases as one feed; the tags of each case, in order."""
    work.mkdir(parents=True)
    items = "".join(f"<item><title>{html.escape(t)}</title><link>http://example.org/{i}</link>"
                    "<pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item>"
                    for i, t in enumerate(group))
    (work / "f.xml").write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>t'
                                '</title><link>http://example.org/</link>' + items +
                                "</channel></rss>", encoding="utf-8")
    cfg = work / "feeds.toml"
    cfg.write_text(f'[storage]\npath = "{work}/store"\nretention_days = 36500\n'
                   f'[dedup]\nmode = "mark"\n[[feed]]\nid = "f"\nurl = "{(work / "f.xml").as_uri()}"'
                   f"\n\n[[show]]\nname = {json.dumps(name)}\n", encoding="utf-8")
    poll = subprocess.run([binary, "--config", str(cfg), "poll"], capture_output=True, text=True)
    if poll.returncode:
        sys.exit(f"release_cases: showfeed poll failed:\n{poll.stderr}")
    out = subprocess.run([binary, "--config", str(cfg), "feed", "--format", "json", "--limit",
                          "100000"], capture_output=True, text=True, check=True)
    by = {it["url"].rsplit("/", 1)[1]: set(it.get("tags", []))
          for it in json.loads(out.stdout)["items"]}
    return [by.get(str(i), set()) for i in range(len(group))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--source", action="append", choices=sorted(REPOS))
    ap.add_argument("--no-misses", action="store_true")
    args = ap.parse_args()
    mirrors = Path(os.environ.get("SHOWFEED_MIRRORS", "/work/.mirror"))
    all_cases = []
    for source in args.source or sorted(REPOS):
        git = mirrors / REPOS[source] / "repo"
        if not git.exists():
            sys.exit(f"release_cases: no mirror at {git}: "
                     f"fetch github:{REPOS[source].replace('+', '/')}")
        load = {"sonarr": sonarr_cases, "guessit": guessit_cases}[source]
        all_cases += load(str(git), COMMITS[source])
    groups = defaultdict(list)
    for fx, title, series, season, episode in all_cases:
        e = expected(series, season, episode, title)
        if e:
            groups[e[0]].append((fx, title, e[1]))
    with tempfile.TemporaryDirectory(prefix="release-cases-") as tmp:
        jobs = [(Path(tmp) / str(n), name, [t for _, t, _ in g])
                for n, (name, g) in enumerate(groups.items())]
        with ThreadPoolExecutor(2) as ex:
            got = list(ex.map(lambda j: run_group(args.bin, *j), jobs))
    totals = defaultdict(lambda: [0, 0, 0, 0])
    misses = []
    for (name, g), tags in zip(groups.items(), got):
        for (fx, title, want), have in zip(g, tags):
            slug = slugify(name)
            t = totals[fx]
            t[0] += 1
            t[1] += want <= have
            t[2] += slug in have
            extra = {x for x in have - want if x.startswith(slug + "/")}
            t[3] += len(extra)
            if not want <= have or extra:
                misses.append((fx, title, sorted(want - have), sorted(extra)))
    print(f"{'fixture':44} {'cases':>5} {'all facts':>9} {'show':>6} {'extra facts':>11}")
    for fx, (n, ok, show, extra) in sorted(totals.items()):
        print(f"{fx:44} {n:5} {ok / n:9.3f} {show / n:6.3f} {extra:11}")
    n, ok = sum(t[0] for t in totals.values()), sum(t[1] for t in totals.values())
    print(f"{'all':44} {n:5} {ok / n:9.3f}")
    if not args.no_misses:
        print(f"\n== failing cases: {len(misses)}")
        for fx, title, missing, extra in misses:
            print(f"  {title}\n      missing {missing} extra {extra}   ({fx})")


if __name__ == "__main__":
    main()
