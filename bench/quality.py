#!/usr/bin/env python3
"""Quality scorer for showfeed: tagging, seasons/episodes, news kinds and stories, measured
on labelled sets of real saved feeds (tests/quality/<set>/). See tests/quality/README.md.

Each set directory holds:
  manifest.toml  [[file]] id, repo, commit, path, outlet, format, captured, licence, split
  shows.toml     the [[show]] tables the set is scored with
  labels.toml    [[item]] file, key, title, shows, seasons, episodes, kinds, story, doubt

`score` (the default) materializes every file from its git mirror
(git --git-dir=$SHOWFEED_MIRRORS/<owner>+<name> show <commit>:<path>), writes a feeds.toml
with one [[feed]] per file, the set's shows and `[dedup] mode = "mark"`, runs the real
`showfeed poll` and `showfeed feed --format json`, matches the output to the labels and
prints the figures for dev, test and all, then every miss.

`items` prints a labels.toml stub (one [[item]] per item of each file, key and title filled
in, the summary as a comment) for a labeller to complete by reading; it never runs showfeed.

Only the standard library is used (Python 3.11+ for tomllib).
"""

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
SETS_DIR = ROOT / "tests" / "quality"
KINDS = {
    "trailer", "casting", "renewal", "cancellation", "release-date", "review", "recap",
    "interview", "ratings",
}
FORMATS = {"rss", "atom", "json", "rdf"}
ID_RE = re.compile(r"^[a-z0-9-]+$")
SEASON_RE = re.compile(r"^([a-z0-9-]+)/s(\d+)$")
EPISODE_RE = re.compile(r"^([a-z0-9-]+)/(?:s(\d+))?e(\d+)$")
# The query parameters showfeed drops from canonical links (src/normalize.rs), plus utm_*.
def _tracking_vocab():
    """The tracking parameters showfeed drops, read from their one definition
    (src/vocab.rs), so the scorer normalizes links exactly as the program does."""
    text = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "vocab.rs")).read()
    def strings(name):
        body = text.split(f"const {name}: &[&str] = &[", 1)[1].split("];", 1)[0]
        return re.findall(r'"([^"]+)"', body)
    return set(strings("TRACKING_PARAMS")), tuple(strings("TRACKING_PREFIXES"))


TRACKING, TRACKING_PREFIXES = _tracking_vocab()
# Large enough that nothing is pruned (src/config/validate.rs accepts up to these).
RETENTION_DAYS = 36_500
MAX_ENTRIES = 100_000_000


def die(msg, code=2):
    print(f"quality: {msg}", file=sys.stderr)
    sys.exit(code)


# --- sets ----------------------------------------------------------------------------------


def slugify(name):
    """The default slug rule: lower-cased, ASCII-folded, runs of non-alphanumerics -> '-'.
    ASCII folding here is NFKD without marks; names it cannot fold (CJK) need a `slug`."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = folded.lower()
    out = re.sub(r"[^a-z0-9]+", "-", folded.encode("ascii", "ignore").decode())
    return out.strip("-")


class Set:
    def __init__(self, path):
        self.path = path
        self.name = path.name
        manifest = self._toml("manifest.toml")
        self.files = manifest.get("file", [])
        # Facts the set's labels do not record (a stories set may leave kinds out): not
        # scored, so the figures do not count every predicted kind as a false positive.
        self.unlabelled = set(manifest.get("unlabelled", []))
        self.shows_text = (path / "shows.toml").read_text(encoding="utf-8")
        shows = tomllib.loads(self.shows_text).get("show", [])
        self.slugs = {s.get("slug") or slugify(s["name"]) for s in shows}
        self.items = self._toml("labels.toml").get("item", [])
        self.by_id = {f["id"]: f for f in self.files}

    def _toml(self, name):
        p = self.path / name
        if not p.exists():
            die(f"{p} is missing")
        try:
            return tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            die(f"{p}: {e}")

    def has_stories(self):
        return any(i.get("story") for i in self.items)


def load_sets(names):
    sets = []
    for d in sorted(SETS_DIR.iterdir()):
        if d.is_dir() and (d / "manifest.toml").exists() and (not names or d.name in names):
            sets.append(Set(d))
    missing = set(names or []) - {s.name for s in sets}
    if missing:
        die(f"no set named {', '.join(sorted(missing))} under {SETS_DIR}")
    if not sets:
        die(f"no set under {SETS_DIR}")
    return sets


def validate(sets):
    """Every problem at once; returns the list of error strings."""
    errors, seen_ids = [], {}
    for s in sets:
        for f in s.files:
            fid = f.get("id", "")
            where = f"{s.name}/manifest.toml file {fid!r}"
            if not ID_RE.match(fid):
                errors.append(f"{where}: id must be [a-z0-9-]+")
            if fid in seen_ids:
                errors.append(f"{where}: id also used in {seen_ids[fid]}")
            seen_ids[fid] = s.name
            for key in ("repo", "commit", "path", "outlet", "format", "captured", "licence",
                        "split"):
                if not f.get(key):
                    errors.append(f"{where}: `{key}` is missing")
            if not re.fullmatch(r"[0-9a-f]{40}", f.get("commit", "")):
                errors.append(f"{where}: commit must be 40 hex digits")
            if f.get("split") not in ("dev", "test"):
                errors.append(f"{where}: split must be dev or test")
            if f.get("format") not in FORMATS:
                errors.append(f"{where}: format must be one of {sorted(FORMATS)}")
        keys = set()
        for n, it in enumerate(s.items, 1):
            where = f"{s.name}/labels.toml item #{n} ({it.get('title', '')[:40]!r})"
            if it.get("file") not in s.by_id:
                errors.append(f"{where}: file {it.get('file')!r} is not in the manifest")
            k = (it.get("file"), norm_url(it.get("key", "")))
            if not it.get("key"):
                errors.append(f"{where}: key is missing")
            elif k in keys:
                errors.append(f"{where}: key {it.get('key')!r} is labelled twice in this file")
            keys.add(k)
            for slug in it.get("shows", []):
                if slug not in s.slugs:
                    errors.append(f"{where}: show {slug!r} is not in shows.toml")
            for term in it.get("seasons", []):
                m = SEASON_RE.match(term)
                if not m or m.group(1) not in it.get("shows", []):
                    errors.append(f"{where}: season {term!r} is not <slug in shows>/s<N>")
            for term in it.get("episodes", []):
                m = EPISODE_RE.match(term)
                if not m or m.group(1) not in it.get("shows", []):
                    errors.append(f"{where}: episode {term!r} is not <slug in shows>/s<N>e<M>"
                                  " or <slug>/e<M>")
            for k in it.get("kinds", []):
                if k not in KINDS:
                    errors.append(f"{where}: kind {k!r} is not one of {sorted(KINDS)}")
    return errors


# --- materializing ---------------------------------------------------------------------------


def mirror_dir(mirrors, repo):
    base = Path(mirrors) / repo.replace("/", "+")
    # fetch leaves the bare git directory at <owner>+<name>/repo.
    return base / "repo" if (base / "repo").is_dir() else base


def materialize(sets, mirrors, into):
    """Writes every file to into/<id>.<ext>; returns {id: path}. Exits naming each missing
    mirror or commit."""
    missing, paths = defaultdict(list), {}
    for s in sets:
        for f in s.files:
            git = mirror_dir(mirrors, f["repo"])
            if not git.is_dir():
                missing[f["repo"]].append(f["id"])
                continue
            out = subprocess.run(
                ["git", "--git-dir", str(git), "show", f"{f['commit']}:{f['path']}"],
                capture_output=True)
            if out.returncode != 0:
                missing[f["repo"]].append(f"{f['id']} ({out.stderr.decode().strip()})")
                continue
            ext = {"rss": "xml", "atom": "xml", "rdf": "xml", "json": "json"}[f["format"]]
            p = Path(into) / f"{f['id']}.{ext}"
            p.write_bytes(out.stdout)
            paths[f["id"]] = p
    if missing:
        print("quality: mirrors missing or without the pinned commit; fetch these "
              f"repositories (into {mirrors}) and run again:", file=sys.stderr)
        for repo, ids in sorted(missing.items()):
            print(f"  fetch github:{repo}    needed by: {', '.join(ids)}", file=sys.stderr)
        sys.exit(3)
    return paths


# --- reading feeds (for the label stubs) -----------------------------------------------------


def local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def text_of(el):
    return "".join(el.itertext()).strip() if el is not None else ""


def parse_xml(data):
    try:
        return ET.fromstring(data)
    except ET.ParseError:
        # HTML entities (&nbsp; ...) are not XML: decode them and try once more.
        txt = data.decode("utf-8", "replace")
        txt = re.sub(r"&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)(\w+);",
                     lambda m: html.unescape(m.group(0)) if html.unescape(m.group(0)) !=
                     m.group(0) else "&amp;" + m.group(1) + ";", txt)
        return ET.fromstring(txt.encode("utf-8"))


def feed_items(data, fmt):
    """(key, title, summary) of every item, in document order."""
    out = []
    if fmt == "json":
        doc = json.loads(data)
        for it in doc.get("items", []):
            key = it.get("url") or it.get("external_url") or str(it.get("id", ""))
            summ = it.get("summary") or it.get("content_text") or it.get("content_html") or ""
            out.append((key, it.get("title", ""), summ))
        return out
    root = parse_xml(data)
    for el in root.iter():
        name = local(el.tag)
        if name == "item":  # RSS 2.0 and RDF
            link = guid = title = summ = ""
            for c in el:
                n = local(c.tag)
                if n == "link" and not link:
                    link = text_of(c)
                elif n == "guid":
                    guid = text_of(c)
                elif n == "title":
                    title = text_of(c)
                elif n in ("description", "encoded", "summary") and not summ:
                    summ = text_of(c)
            if not link and el.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"):
                link = el.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
            out.append((link or guid, title, summ))
        elif name == "entry":  # Atom
            link = ident = title = summ = ""
            for c in el:
                n = local(c.tag)
                if n == "link" and c.get("rel", "alternate") == "alternate" and not link:
                    link = c.get("href", "")
                elif n == "id":
                    ident = text_of(c)
                elif n == "title":
                    title = text_of(c)
                elif n in ("summary", "content", "group") and not summ:
                    summ = text_of(c)
            out.append((link or ident, title, summ))
    return out


def plain(s):
    s = re.sub(r"<[^>]+>", " ", html.unescape(html.unescape(s or "")))
    return re.sub(r"\s+", " ", s).strip()


# --- matching --------------------------------------------------------------------------------


def norm_url(u):
    """scheme, www., default port, trailing slash, fragment, tracking parameters and
    parameter order do not count."""
    u = (u or "").strip()
    if not u:
        return ""
    p = urlsplit(u)
    host = (p.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if p.port and p.port not in (80, 443):
        host += f":{p.port}"
    path = unquote(p.path).rstrip("/")
    q = [(k, v) for k, v in parse_qsl(p.query, keep_blank_values=True)
         if not k.lower().startswith(TRACKING_PREFIXES) and k.lower() not in TRACKING]
    q = urlencode(sorted(q))
    return host + path + ("?" + q if q else "")


def norm_title(t):
    return re.sub(r"\s+", " ", html.unescape(t or "")).strip().casefold()


class Output:
    """The JSON Feed output, indexed by (feed id, link) and (feed id, title); each item also
    stands for the copies it lists as related links (titled with their feed id), and for
    every exact copy of its article (the same URL through another feed), which showfeed
    shows as this one entry, never as a related link to itself."""

    def __init__(self, doc):
        self.items = doc.get("items", [])
        self.by_link = defaultdict(list)
        self.by_title = defaultdict(list)
        self.by_url = defaultdict(list)
        self.by_own_url = defaultdict(list)
        for n, it in enumerate(self.items):
            ext = it.get("_showfeed", {})
            src = ext.get("source", {}).get("id", "")
            self.by_link[(src, norm_url(it.get("url")))].append(n)
            self.by_title[(src, norm_title(it.get("title")))].append(n)
            self.by_url[norm_url(it.get("url"))].append(n)
            self.by_own_url[norm_url(it.get("url"))].append(n)
            for r in ext.get("related", []):
                self.by_link[(r.get("title", ""), norm_url(r.get("url")))].append(n)
                self.by_url[norm_url(r.get("url"))].append(n)

    def find(self, label):
        """Output item numbers that carry this labelled item."""
        key = label["key"]
        hits = self.by_link.get((label["file"], norm_url(key)), [])
        if not hits and not urlsplit(key).netloc:
            # A relative link in the file: showfeed resolved it; compare on the path.
            tail = unquote(key).rstrip("/")
            hits = [n for (src, u), ns in self.by_link.items() if src == label["file"]
                    and tail and u.endswith(tail) for n in ns]
        if not hits:
            hits = self.by_title.get((label["file"], norm_title(label.get("title"))), [])
        if not hits and urlsplit(key).netloc:
            # An exact copy: the same article shown once, under another feed's entry.
            hits = self.by_url.get(norm_url(key), [])[:1]
        return hits

    def entry_of(self, label, hits):
        """Of `hits` (what `find` gave), the entry whose own link is the item's article when
        there is one: an exact copy is shown as that entry, and its facts are that entry's,
        not those of another story's entry that lists the copy as a related link."""
        own = self.by_own_url.get(norm_url(label["key"]), [])
        for n in hits:
            if n in own:
                return n
        return own[0] if own else hits[0]

    def predicted(self, n):
        it = self.items[n]
        tags = it.get("tags", [])
        ext = it.get("_showfeed", {})
        return {
            "shows": {t for t in tags if "/" not in t},
            "seasons": {t for t in tags if SEASON_RE.match(t)},
            "episodes": {t for t in tags if EPISODE_RE.match(t)},
            "kinds": set(ext.get("kinds", [])),
            "story": ext.get("story"),
        }


# --- running showfeed ------------------------------------------------------------------------


def write_config(s, paths, work, mode="mark", concurrency=None, full_text=False):
    lines = [
        "# written by bench/quality.py",
        "[server]", 'listen = "127.0.0.1:0"', "",
        "[storage]", f'path = "{work}/store"', f"retention_days = {RETENTION_DAYS}",
        f"max_entries = {MAX_ENTRIES}", "",
    ]
    if concurrency:
        lines += ["[polling]", f"concurrency = {concurrency}", ""]
    lines += ["[dedup]", f'mode = "{mode}"', ""]
    for f in s.files:
        # The title is the id, so related links (titled by outlet) name the file.
        lines += ["[[feed]]", f'id = "{f["id"]}"', f'url = "{paths[f["id"]].as_uri()}"',
                  f'title = "{f["id"]}"'] + (["full_text = true"] if full_text else []) + [""]
    cfg = Path(work) / "feeds.toml"
    cfg.write_text("\n".join(lines) + "\n" + s.shows_text, encoding="utf-8")
    return cfg


def run_showfeed(binary, s, paths, work, mode="mark", concurrency=None, proxy=None):
    """Polls the set and reads the merged output; with `proxy` (the article proxy of
    --summary-only articles), every feed has full_text, articles go through the proxy, and
    `fetch-text` then fetches those beyond the per-poll limit."""
    work = Path(work)
    if (work / "store").exists():
        shutil.rmtree(work / "store")
    cfg = write_config(s, paths, work, mode, concurrency, full_text=proxy is not None)
    env = dict(os.environ)
    if proxy:
        env.update(http_proxy=proxy, HTTP_PROXY=proxy, no_proxy="", NO_PROXY="")
    poll = subprocess.run([binary, "--config", str(cfg), "poll"], capture_output=True,
                          text=True, env=env)
    if proxy:
        more = subprocess.run([binary, "--config", str(cfg), "fetch-text", "--since",
                               "36500d"], capture_output=True, text=True, env=env)
        print(f"quality: fetch-text: {[l for l in more.stderr.splitlines() if 'WARN' not in l][-2:]}",
              file=sys.stderr)
    if poll.returncode != 0:
        die(f"showfeed poll failed ({poll.returncode}):\n{poll.stderr}")
    # `poll` exits 0 even when feeds fail; it lists them on stderr after "N failed".
    m = re.search(r"(\d+) failed", poll.stderr)
    failed = poll.stderr.strip().splitlines() if m and int(m.group(1)) else []
    out = subprocess.run([binary, "--config", str(cfg), "feed", "--format", "json",
                          "--limit", "1000000"], capture_output=True, text=True)
    if out.returncode != 0:
        die(f"showfeed feed failed ({out.returncode}):\n{out.stderr}")
    return Output(json.loads(out.stdout)), failed


# --- scoring ---------------------------------------------------------------------------------


class PR:
    def __init__(self):
        self.tp = self.fp = self.fn = 0

    def add(self, gold, pred):
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)

    def p(self):
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    def r(self):
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def f1(self):
        p, r = self.p(), self.r()
        return 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None
                                                    else None)

    def as_dict(self):
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": self.p(),
                "recall": self.r(), "f1": self.f1()}


def score(s, out, part, skip_doubt=False):
    """Figures and misses of one set over the files of `part` (dev, test or all)."""
    files = {f["id"] for f in s.files if part == "all" or f["split"] == part}
    labels = [it for it in s.items if it["file"] in files
              and not (skip_doubt and it.get("doubt"))]
    figs = {k: PR() for k in ("shows", "seasons", "episodes", "kinds") if k not in s.unlabelled}
    misses = defaultdict(list)
    lost = twice = 0
    where = {}  # label index -> output item number
    for i, lab in enumerate(labels):
        hits = out.find(lab)
        if len(hits) > 1:
            twice += 1
            misses["shown twice"].append((lab, f"{len(hits)} output entries"))
        if not hits:
            lost += 1
            misses["lost"].append((lab, ""))
            pred = {"shows": set(), "seasons": set(), "episodes": set(), "kinds": set()}
        else:
            where[i] = out.entry_of(lab, hits)
            pred = out.predicted(where[i])
        for k, pr in figs.items():
            gold = set(lab.get(k, []))
            pr.add(gold, pred[k])
            for t in sorted(pred[k] - gold):
                misses[f"{k} FP"].append((lab, t))
            for t in sorted(gold - pred[k]):
                misses[f"{k} FN"].append((lab, t))
    res = {"files": len(files), "items": len(labels), "lost": lost, "shown_twice": twice,
           "doubtful": sum(1 for it in labels if it.get("doubt"))}
    res.update({k: pr.as_dict() for k, pr in figs.items()})
    res.update({k: PR().as_dict() | {"unlabelled": True} for k in s.unlabelled})
    if s.has_stories():
        res["stories"] = score_stories(labels, where, out, misses)
    return res, misses


def score_stories(labels, where, out, misses):
    gold = {i: lab.get("story") or f"#gold{i}" for i, lab in enumerate(labels)}
    pred = {}
    for i in range(len(labels)):
        st = out.predicted(where[i])["story"] if i in where else None
        pred[i] = st or (f"#out{where[i]}" if i in where else f"#lost{i}")
    pairs = PR()
    idx = list(range(len(labels)))
    for a in idx:
        for b in idx[a + 1:]:
            g, p = gold[a] == gold[b], pred[a] == pred[b]
            if g and p:
                pairs.tp += 1
            elif p:
                pairs.fp += 1
                misses["false merge"].append((labels[a], labels[b]["title"]))
            elif g:
                pairs.fn += 1
                misses["missed merge"].append((labels[a], labels[b]["title"]))
    gclu, pclu = defaultdict(set), defaultdict(set)
    for i in idx:
        gclu[gold[i]].add(i)
        pclu[pred[i]].add(i)
    bp = br = 0.0
    for i in idx:
        common = len(gclu[gold[i]] & pclu[pred[i]])
        bp += common / len(pclu[pred[i]])
        br += common / len(gclu[gold[i]])
    n = len(idx) or 1
    bp, br = bp / n, br / n
    d = pairs.as_dict()
    d.update({"bcubed_precision": bp, "bcubed_recall": br,
              "bcubed_f1": 2 * bp * br / (bp + br) if bp + br else 0.0})
    return d


# --- reporting -------------------------------------------------------------------------------


def fmt(x):
    return "  -  " if x is None else f"{x:.3f}"


def print_figures(name, by_part):
    print(f"\n== set {name}")
    parts = list(by_part)
    print(f"{'':26}" + "".join(f"{p:>22}" for p in parts))
    print(f"{'files / items':26}" + "".join(
        f"{by_part[p]['files']:>11} / {by_part[p]['items']:<8}" for p in parts))
    for k, label in (("shows", "show tags"), ("seasons", "season facts"),
                     ("episodes", "episode facts"), ("kinds", "kinds")):
        if by_part[parts[0]][k].get("unlabelled"):
            print(f"{label + '  P / R / F1':26}" + f"{'(not labelled in this set)':>28}")
            continue
        print(f"{label + '  P / R / F1':26}" + "".join(
            f"  {fmt(by_part[p][k]['precision'])} {fmt(by_part[p][k]['recall'])} "
            f"{fmt(by_part[p][k]['f1'])}" for p in parts))
    if "stories" in by_part[parts[0]]:
        print(f"{'story pairs  P / R':26}" + "".join(
            f"       {fmt(by_part[p]['stories']['precision'])} "
            f"{fmt(by_part[p]['stories']['recall'])}" for p in parts))
        print(f"{'story B-cubed F1':26}" + "".join(
            f"{fmt(by_part[p]['stories']['bcubed_f1']):>22}" for p in parts))
    print(f"{'lost / shown twice':26}" + "".join(
        f"{by_part[p]['lost']:>15} / {by_part[p]['shown_twice']:<4}" for p in parts))
    print(f"{'(support: gold shows)':26}" + "".join(
        f"{by_part[p]['shows']['tp'] + by_part[p]['shows']['fn']:>22}" for p in parts))


def print_misses(name, part, misses):
    order = ["lost", "shown twice", "shows FP", "shows FN", "seasons FP", "seasons FN",
             "episodes FP", "episodes FN", "kinds FP", "kinds FN", "false merge",
             "missed merge"]
    total = sum(len(misses[k]) for k in order)
    print(f"\n== misses, set {name}, part {part}: {total}")
    for k in order:
        if not misses[k]:
            continue
        print(f"-- {k} ({len(misses[k])})")
        for lab, what in misses[k]:
            extra = f"  [{what}]" if what else ""
            if k in ("false merge", "missed merge"):
                print(f"  {lab['file']}: {lab['title'][:90]!r}\n      <-> {what[:90]!r}")
            else:
                print(f"  {lab['file']}: {lab['title'][:100]}{extra}")


def print_by_file(s, out, part, skip_doubt):
    print(f"\n== per file, set {s.name}, part {part}: show tags P / R (TP FP FN), kinds P / R")
    for f in s.files:
        if part != "all" and f["split"] != part:
            continue
        one = Set.__new__(Set)
        one.__dict__.update(s.__dict__)
        one.files = [f]
        res, _ = score(one, out, "all", skip_doubt)
        sh, ki = res["shows"], res["kinds"]
        print(f"  {f['id']:32} {res['items']:4} items  {fmt(sh['precision'])} {fmt(sh['recall'])} "
              f"({sh['tp']} {sh['fp']} {sh['fn']})   {fmt(ki['precision'])} {fmt(ki['recall'])}")


def membership(s, out):
    """Collapse mode: how often each labelled item appears (as a link or a related link)."""
    counts = {}
    for lab in s.items:
        counts[(lab["file"], lab["key"])] = len(out.find(lab))
    return counts


def clusters(s, out):
    part = []
    groups = defaultdict(set)
    for lab in s.items:
        hits = out.find(lab)
        n = out.entry_of(lab, hits) if hits else None
        st = out.predicted(n)["story"] if hits else None
        key = st or (f"#out{n}" if hits else None)
        if key:
            groups[key].add((lab["file"], lab["key"]))
    for g in groups.values():
        part.append(frozenset(g))
    return set(part)


def run_checks(binary, s, paths, work, mark_out):
    print(f"\n== checks, set {s.name}")
    out, _ = run_showfeed(binary, s, paths, work, mode="collapse")
    counts = membership(s, out)
    lost = [k for k, v in counts.items() if v == 0]
    twice = [k for k, v in counts.items() if v > 1]
    print(f"collapse mode: {len(counts)} labelled items, {len(lost)} not shown, "
          f"{len(twice)} shown more than once")
    for k in lost[:20]:
        print(f"  not shown: {k[0]} {k[1]}")
    for k in twice[:20]:
        print(f"  shown {counts[k]} times: {k[0]} {k[1]}")
    serial, _ = run_showfeed(binary, s, paths, work, mode="mark", concurrency=1)
    a, b = clusters(s, mark_out), clusters(s, serial)
    same = a == b
    print(f"poll order: stories with concurrency 1 {'equal to' if same else 'DIFFER from'} "
          f"the default concurrency ({len(a ^ b)} clusters differ)")
    if os.environ.get("QUALITY_ORDER_DIFF"):
        # The differing clusters of the dev part (never the test part's), to see why.
        split = {f["id"]: f.get("split") for f in s.files}
        title = {(lab["file"], lab["key"]): lab["title"] for lab in s.items}
        for name, only in (("default only", a - b), ("serial only", b - a)):
            for c in sorted(only, key=sorted):
                if len(c) > 1 and all(split.get(k[0]) == "dev" for k in c):
                    print(f"  {name}: " + " || ".join(f"{k[0]}: {title[k]}" for k in sorted(c)))
    return {"collapse_not_shown": len(lost), "collapse_shown_twice": len(twice),
            "order_independent": same}


# --- commands --------------------------------------------------------------------------------


def cmd_items(args, sets):
    mirrors = args.mirrors
    with tempfile.TemporaryDirectory(prefix="quality-") as tmp:
        paths = materialize(sets, mirrors, tmp)
        for s in sets:
            for f in s.files:
                if args.file and f["id"] not in args.file:
                    continue
                done = {norm_url(it["key"]) for it in s.items if it["file"] == f["id"]}
                seen = set()
                print(f"# ---- {f['id']} ({f['outlet']}, {f['captured']}, {f['split']})")
                for key, title, summ in feed_items(paths[f["id"]].read_bytes(), f["format"]):
                    nk = norm_url(key)
                    if nk in seen:
                        print(f"# (repeat of {key} left out: showfeed keeps one copy)")
                        continue
                    seen.add(nk)
                    if nk in done and not args.all:
                        continue
                    print("\n[[item]]")
                    print(f"file = {json.dumps(f['id'])}")
                    print(f"key = {json.dumps(key, ensure_ascii=False)}")
                    print(f"title = {json.dumps(plain(title), ensure_ascii=False)}")
                    for line in re.findall(r".{1,96}(?:\s|$)", plain(summ)[:480]):
                        print(f"# {line.strip()}")
                    print('shows = []\nseasons = []\nepisodes = []\nkinds = []\n'
                          'story = ""\ndoubt = ""')


def summary_only_files(s, paths, how):
    """--summary-only: rewrites the materialized files as summary-only feeds (`cut`), and
    for `articles` returns a proxy serving each item's original text as its article page."""
    if how == "off":
        return None
    # Beside this file; imported here, since other scripts load this one as a module.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import summary_only

    pages = {}
    for f in s.files:
        p = paths[f["id"]]
        data = p.read_bytes()
        if how == "articles":
            pages.update(summary_only.articles(data, f["format"]))
        p.write_bytes(summary_only.cut(data, f["format"]))
    return summary_only.ArticleProxy(pages) if how == "articles" else None


def cmd_score(args, sets):
    if not args.bin or not os.access(args.bin, os.X_OK):
        die(f"no showfeed binary at {args.bin!r}: run bench/quality.sh or set SHOWFEED_BIN")
    parts = [args.part] if args.part != "all" else ["dev", "test", "all"]
    report = {}
    with tempfile.TemporaryDirectory(prefix="quality-") as tmp:
        for s in sets:
            work = Path(tmp) / s.name
            (work / "files").mkdir(parents=True)
            paths = materialize([s], args.mirrors, work / "files")
            proxy = summary_only_files(s, paths, args.summary_only)
            try:
                out, failed = run_showfeed(args.bin, s, paths, work,
                                           proxy=proxy.url if proxy else None)
            finally:
                if proxy:
                    print(f"quality: {proxy.hits} article pages served", file=sys.stderr)
                    proxy.close()
            for ln in failed:
                print(f"quality: {s.name}: {ln}", file=sys.stderr)
            labelled = set()
            for lab in s.items:
                labelled.update(out.find(lab))
            figures = {}
            for p in parts:
                figures[p], misses = score(s, out, p, args.skip_doubt)
                if p == args.part and not args.no_misses:
                    keep_misses = misses
            figures_all = figures
            print_figures(s.name, figures_all)
            unl = len(out.items) - len(labelled)
            if unl:
                print(f"(output entries matching no label: {unl})")
            report[s.name] = {"parts": figures_all, "output_entries": len(out.items),
                              "unlabelled_output_entries": unl}
            if args.by_file:
                print_by_file(s, out, args.part, args.skip_doubt)
            if args.checks:
                report[s.name]["checks"] = run_checks(args.bin, s, paths, work, out)
            if not args.no_misses:
                print_misses(s.name, args.part, keep_misses)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"\nfigures written to {args.json}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("command", nargs="?", default="score", choices=["score", "items"])
    ap.add_argument("--bin", default=os.environ.get("SHOWFEED_BIN", ""),
                    help="showfeed binary (bench/quality.sh builds one)")
    ap.add_argument("--set", action="append", help="only this set (repeatable)")
    ap.add_argument("--part", default="all", choices=["dev", "test", "all"],
                    help="figures for this part only, and its misses (default: figures for "
                         "dev, test and all; misses of all)")
    ap.add_argument("--json", help="write the figures to this file")
    ap.add_argument("--checks", action="store_true",
                    help="also run collapse mode (every item shown once) and a serial poll "
                         "(stories independent of poll order)")
    ap.add_argument("--no-misses", action="store_true", help="figures only")
    ap.add_argument("--summary-only", default="off", choices=["off", "cut", "articles"],
                    help="cut: every item reduced to its first sentence (a summary-only "
                         "feed); articles: the same, with full_text and each item's original "
                         "text served as its article page (bench/summary_only.py)")
    ap.add_argument("--by-file", action="store_true",
                    help="also show-tag precision/recall per file of the part")
    ap.add_argument("--skip-doubt", action="store_true", help="leave out doubtful items")
    ap.add_argument("--mirrors", default=os.environ.get("SHOWFEED_MIRRORS", "/work/.mirror"))
    ap.add_argument("--file", action="append", help="items: only this file id (repeatable)")
    ap.add_argument("--all", action="store_true", help="items: also items already labelled")
    args = ap.parse_args()
    sets = load_sets(args.set)
    errors = validate(sets)
    if errors:
        for e in errors:
            print(f"quality: {e}", file=sys.stderr)
        die(f"{len(errors)} problem(s) in the labels; nothing scored")
    (cmd_items if args.command == "items" else cmd_score)(args, sets)


if __name__ == "__main__":
    main()
