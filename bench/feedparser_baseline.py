#!/usr/bin/env python3
"""The Planet-style baseline: parse each feed file with Python feedparser and store its
entries in SQLite, one transaction per feed. Prints entries per second (median of N runs).

usage: feedparser_baseline.py FEEDS_DIR [RUNS=5]
"""
import os
import sqlite3
import statistics
import sys
import tempfile
import time

import feedparser

d = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
files = sorted(os.path.join(d, f) for f in os.listdir(d))
bodies = [open(f, "rb").read() for f in files]
rates = []
for _ in range(runs):
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(os.path.join(tmp, "planet.db"))
        db.execute("create table entries (id text primary key, feed text, title text, link text, summary text, published text)")
        n = 0
        t = time.perf_counter()
        for i, b in enumerate(bodies):
            f = feedparser.parse(b)
            with db:
                db.executemany(
                    "insert or replace into entries values (?,?,?,?,?,?)",
                    [(e.get("id") or e.get("link"), f"f{i}", e.get("title"), e.get("link"), e.get("summary"), e.get("published")) for e in f.entries],
                )
            n += len(f.entries)
        rates.append(n / (time.perf_counter() - t))
        db.close()
print(f"{statistics.median(rates):.0f}")
