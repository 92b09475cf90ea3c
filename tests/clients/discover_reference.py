#!/usr/bin/env python3
"""Reference for feed discovery on saved pages: Python's own HTML parser (html.parser)
lists each page's <link rel="alternate"> of the feed types, as Miniflux reads them.

Usage: discover_reference.py DIR   (DIR holds one folder per page, each with source.html)
Prints one JSON object: {page: {"base": <base href> or null, "feeds": [[href, format], ...]}}.
"""
import json
import os
import sys
from html.parser import HTMLParser

FORMATS = {
    "application/rss+xml": "RSS",
    "application/rdf+xml": "RSS",
    "application/atom+xml": "Atom",
    "application/feed+json": "JSON Feed",
    "application/json": "JSON Feed",
}


class Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.base = None

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "base" and self.base is None and a.get("href"):
            self.base = a["href"].strip()
        if tag != "link":
            return
        rels = a.get("rel", "").lower().split()
        fmt = FORMATS.get(a.get("type", "").strip().lower())
        href = a.get("href", "").strip()
        if "alternate" not in rels or fmt is None or not href:
            return
        if fmt == "JSON Feed" and "/wp-json/" in href:
            return
        if [href, fmt] not in [[h, f] for h, f in self.found]:
            self.found.append([href, fmt])

    handle_startendtag = handle_starttag


def main():
    root = sys.argv[1]
    out = {}
    for page in sorted(os.listdir(root)):
        path = os.path.join(root, page, "source.html")
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            p = Links()
            p.feed(f.read())
            p.close()
        out[page] = {"base": p.base, "feeds": p.found}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
