#!/usr/bin/env python3
"""Write N synthetic RSS 2.0 feeds of M items each (realistic entertainment-news sizes) and a
showfeed config polling them through file:// URLs.

usage: gen_feeds.py DIR N M [--listen 127.0.0.1:PORT]
"""
import argparse
import os
import random

SHOWS = ["Squid Game", "All of Us Are Dead", "The Bear", "Severance", "Wednesday",
         "Frieren", "Attack on Titan", "Moving", "Queen of Tears", "The Last of Us"]
VERBS = ["Renewed for Season", "Casts Lead for Season", "Sets Premiere Date for Season",
         "Drops Trailer for Season", "Wraps Filming on Season"]

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("n", type=int)
ap.add_argument("m", type=int)
ap.add_argument("--listen", default="127.0.0.1:18080")
a = ap.parse_args()
os.makedirs(os.path.join(a.dir, "feeds"), exist_ok=True)
rnd = random.Random(42)
cfg = [f'[server]\nlisten = "{a.listen}"\n\n[storage]\npath = "data"\nretention_days = 36500\nmax_entries = 10000000\n\n'
       '[polling]\nconcurrency = 16\nper_host = 16\n\n']
for f in range(a.n):
    items = []
    for i in range(a.m):
        show = rnd.choice(SHOWS)
        title = f"{show} {rnd.choice(VERBS)} {rnd.randint(1, 5)} ({f}-{i})"
        body = " ".join(rnd.choice(["Netflix", "the", "cast", "returns", "episode", "finale",
                                    "showrunner", "said", "in", "a", "statement", show]) for _ in range(120))
        items.append(
            f"<item><title>{title}</title><link>https://outlet{f}.example/news/{i}?utm_source=rss</link>"
            f"<guid isPermaLink=\"false\">outlet{f}-{i}</guid>"
            f"<pubDate>Tue, {1 + i % 28:02d} Sep 2026 {i % 24:02d}:00:00 GMT</pubDate>"
            f"<description><![CDATA[<p>{body}</p><img src=\"/img/{i}.jpg\">]]></description></item>")
    xml = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Outlet {f}</title>'
           f'<link>https://outlet{f}.example/</link><description>d</description>{"".join(items)}</channel></rss>')
    path = os.path.abspath(os.path.join(a.dir, "feeds", f"f{f}.xml"))
    with open(path, "w") as fh:
        fh.write(xml)
    cfg.append(f'[[feed]]\nid = "f{f}"\nurl = "file://{path}"\n\n')
with open(os.path.join(a.dir, "feeds.toml"), "w") as fh:
    fh.write("".join(cfg))
