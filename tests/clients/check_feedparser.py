#!/usr/bin/env python3
"""Check a feed file the way a Python feed reader sees it.

usage: check_feedparser.py FEED_FILE EXPECTED_COUNT [--ids-file FILE] [--without-link N]

Parses FEED_FILE (Atom or RSS; "-" reads stdin) with feedparser and exits 1
with a message on stderr unless:
  - feedparser found nothing wrong (bozo == 0),
  - the feed has exactly EXPECTED_COUNT entries,
  - every entry has a non-empty id, title, link and updated date, except that
    exactly N entries (--without-link, default 0) have no link: items whose
    source gave neither link nor guid have none to give,
  - no two entries share an id,
  - with --ids-file, the set of entry ids equals the set of non-empty lines of
    FILE (order does not matter).
On success it prints one summary line on stdout and exits 0; exit 2 on usage
errors. Needs: pip install feedparser (see .ci/clients.sh).

What counts, per format:
  - link: an alternate link (atom:link rel="alternate", RSS <link>). feedparser
    copies the id into `link` when there is none; that does not count, except
    in RSS for a <guid isPermaLink="true"> with an http(s) URL.
  - updated: atom:updated; RSS 2.0 has no such element, so there pubDate (or
    atom:updated / dc:date) counts.
  - JSON Feed: feedparser 6.0.x (the release on PyPI) cannot parse it (it
    reports bozo=1, "not well-formed"). A document whose first byte is `{` is
    therefore checked here with the json module instead: valid JSON, version
    https://jsonfeed.org/version/1.x, items with id, title, url and
    date_modified (or date_published), same count and id checks.
"""

import argparse
import json
import sys
from typing import NoReturn

REQUIRED = ("id", "title", "link", "updated")


def fail(msg: str) -> NoReturn:
    print(f"check_feedparser: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def text(v) -> str:
    return v.strip() if isinstance(v, str) else ""


def parse_xml_feed(name: str, data: bytes, feedparser) -> "tuple[str, list[dict]]":
    """Atom / RSS through feedparser -> (version, [{id, title, link, updated}])."""
    d = feedparser.parse(data)
    if d.get("bozo"):
        fail(f"{name}: feedparser bozo=1: {d.get('bozo_exception')!r}")
    version = d.get("version") or "unknown"
    is_rss = version.startswith("rss")
    out = []
    for e in d.entries:
        link = ""
        for l in e.get("links", []):
            if l.get("rel", "alternate") == "alternate" and text(l.get("href")):
                link = text(l.get("href"))
                break
        if not link and is_rss and e.get("guidislink") and text(e.get("link")).startswith(("http://", "https://")):
            link = text(e.get("link"))
        updated = text(e.get("updated"))
        if not updated and is_rss:
            updated = text(e.get("published"))
        out.append({"id": text(e.get("id")), "title": text(e.get("title")), "link": link, "updated": updated})
    return version, out


def parse_json_feed(name: str, data: bytes) -> "tuple[str, list[dict]]":
    """JSON Feed 1.x with the json module -> (version, [{id, title, link, updated}])."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        fail(f"{name}: not valid JSON: {e}")
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith("https://jsonfeed.org/version/1"):
        fail(f"{name}: not a JSON Feed 1.x document (version {doc.get('version') if isinstance(doc, dict) else None!r})")
    items = doc.get("items")
    if not isinstance(items, list):
        fail(f"{name}: JSON Feed has no items array")
    out = []
    for it in items:
        if not isinstance(it, dict):
            fail(f"{name}: JSON Feed item is not an object: {it!r}")
        item_id = it.get("id")
        out.append({
            "id": str(item_id).strip() if isinstance(item_id, (str, int)) and not isinstance(item_id, bool) else "",
            "title": text(it.get("title")),
            "link": text(it.get("url")),
            "updated": text(it.get("date_modified")) or text(it.get("date_published")),
        })
    version = "jsonfeed" + str(doc["version"]).rsplit("/", 1)[-1]
    return version, out


def main() -> None:
    ap = argparse.ArgumentParser(description="Check a feed file with feedparser.")
    ap.add_argument("feed_file", metavar="FEED_FILE", help='feed file, or "-" for stdin')
    ap.add_argument("expected_count", metavar="EXPECTED_COUNT", type=int)
    ap.add_argument("--ids-file", metavar="FILE", help="file with the expected entry ids, one a line")
    ap.add_argument("--without-link", metavar="N", type=int, default=0, help="exactly N entries have no link")
    args = ap.parse_args()

    try:
        import feedparser
    except ImportError:
        fail("python module feedparser is not installed (run .ci/clients.sh)")

    name = args.feed_file
    try:
        # Hand feedparser bytes, never the path: given a string it may treat
        # it as a URL or as the document itself.
        if name == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(name, "rb") as f:
                data = f.read()
    except OSError as e:
        fail(f"cannot read {name}: {e}")
    if not data.strip():
        fail(f"{name}: file is empty")

    if data.lstrip()[:1] == b"{":
        version, entries = parse_json_feed(name, data)
    else:
        version, entries = parse_xml_feed(name, data, feedparser)

    problems = []
    linkless = sum(1 for e in entries if not e.get("link"))
    if linkless != args.without_link:
        problems.append(f"{linkless} entries without a link, expected {args.without_link}")
    for i, e in enumerate(entries):
        missing = [k for k in REQUIRED if not e.get(k) and k != "link"]
        if missing:
            label = e.get("id") or e.get("title") or f"#{i}"
            problems.append(f"entry {i} ({label}): missing {', '.join(missing)}")
    if problems:
        fail(f"{name}: {len(problems)} incomplete entries:\n  " + "\n  ".join(problems))

    if len(entries) != args.expected_count:
        fail(f"{name}: {len(entries)} entries, expected {args.expected_count}")

    ids = [e.get("id") for e in entries]
    seen, dups = set(), set()
    for i in ids:
        (dups if i in seen else seen).add(i)
    if dups:
        fail(f"{name}: duplicate entry ids: {', '.join(sorted(dups))}")

    if args.ids_file:
        try:
            with open(args.ids_file, encoding="utf-8") as f:
                want = {line.strip() for line in f if line.strip()}
        except OSError as e:
            fail(f"cannot read ids file {args.ids_file}: {e}")
        got = set(ids)
        if got != want:
            lines = []
            for i in sorted(want - got):
                lines.append(f"  missing: {i}")
            for i in sorted(got - want):
                lines.append(f"  unexpected: {i}")
            fail(f"{name}: entry ids differ from {args.ids_file}:\n" + "\n".join(lines))

    extra = f", ids match {args.ids_file}" if args.ids_file else ""
    print(f"check_feedparser: OK: {name}: {version}, {len(entries)} entries, all with id/title/link/updated{extra}")


if __name__ == "__main__":
    main()
