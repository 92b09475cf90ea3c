#!/usr/bin/env python3
"""Soak: the daemon polling feeds that keep changing, until the store has passed max_entries
and retention has pruned it several times; resident memory sampled all along.

Serves N feeds on loopback; every 30 s a tenth of them gain two new items (each feed shows its
newest 20). Starts `showfeed run` with `interval = "1m"`, `max_entries` and `prune_every` as
given, samples VmRSS and /status entries every 5 s for DURATION seconds, then writes
bench/soak.csv and bench/soak.svg and prints a JSON line (start, peak, plateau, slope).

usage: soak.py SHOWFEED_BINARY [N=500] [DURATION=900] [MAX_ENTRIES=8000] [PRUNE_EVERY=60s]
"""
import http.server, json, os, random, socket, subprocess, sys, tempfile, threading, time, urllib.request

binary = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 500
duration = int(sys.argv[3]) if len(sys.argv) > 3 else 900
max_entries = int(sys.argv[4]) if len(sys.argv) > 4 else 8000
prune_every = sys.argv[5] if len(sys.argv) > 5 else "60s"
TICK, SHOWN = 30, 20
t0 = time.time()
WORDS = ["Netflix", "the", "cast", "returns", "episode", "finale", "showrunner", "said", "in",
         "a", "statement", "season", "premiere", "trailer", "renewed", "streaming"]


def generation(i, now):
    """How many ticks so far changed feed i (tick k changes the feeds with i % 10 == k % 10)."""
    ticks = int((now - t0) // TICK)
    r = i % 10
    return 0 if ticks <= r else (ticks - 1 - r) // 10 + 1


def feed(i, now):
    top = SHOWN + 2 * generation(i, now)
    items = []
    for k in range(top - 1, top - SHOWN - 1, -1):
        rnd = random.Random(i * 100003 + k)
        body = " ".join(rnd.choice(WORDS) for _ in range(150))
        date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(t0 - 86400 + k * 60))
        items.append(f"<item><title>Outlet {i} story {k}: {rnd.choice(WORDS)} {rnd.choice(WORDS)}</title>"
                     f"<link>https://outlet{i}.example/news/{k}</link><guid>outlet{i}-{k}</guid>"
                     f"<pubDate>{date}</pubDate><description><![CDATA[<p>{body}</p>]]></description></item>")
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Outlet {i}</title>'
            f'<link>https://outlet{i}.example/</link><description>d</description>{"".join(items)}'
            '</channel></rss>').encode()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            i = int(self.path.strip("/").removeprefix("f").removesuffix(".xml"))
        except ValueError:
            self.send_error(404)
            return
        body = feed(i, time.time())
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
fport, port = server.server_address[1], free_port()
work = tempfile.mkdtemp()
cfg = [f'[server]\nlisten = "127.0.0.1:{port}"\n\n[storage]\npath = "data"\nretention_days = 36500\n'
       f'max_entries = {max_entries}\nprune_every = "{prune_every}"\n\n[polling]\ninterval = "1m"\n'
       'concurrency = 16\nper_host = 16\nallow_private = true\n\n']
cfg += [f'[[feed]]\nid = "f{i}"\nurl = "http://127.0.0.1:{fport}/f{i}.xml"\n\n' for i in range(n)]
open(f"{work}/feeds.toml", "w").write("".join(cfg))
# SOAK_WRAP: a command to run the daemon under (heaptrack, valgrind...); RSS is then the wrapper's.
wrap = os.environ.get("SOAK_WRAP", "").split()
daemon = subprocess.Popen(wrap + [binary, "--config", f"{work}/feeds.toml", "run"],
                          env={**os.environ, "RUST_LOG": "error"}, stderr=subprocess.DEVNULL)
rows = []
try:
    while time.time() - t0 < duration:
        time.sleep(5)
        if daemon.poll() is not None:
            sys.exit(f"the daemon exited with {daemon.returncode}: run `{binary} --config {work}/feeds.toml check`")
        rss = int(next(l for l in open(f"/proc/{daemon.pid}/status") if l.startswith("VmRSS")).split()[1])
        try:
            entries = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=5))["entries"]
        except OSError:
            entries = None
        rows.append((round(time.time() - t0), rss / 1024, entries))
        print(f"{rows[-1][0]:5d}s  RSS {rss / 1024:6.1f} MiB  entries {entries}", file=sys.stderr, flush=True)
finally:
    daemon.terminate()
    code = daemon.wait()
assert code == 0, f"daemon exited {code}"

here = os.path.dirname(os.path.abspath(__file__))
with open(f"{here}/soak.csv", "w") as f:
    f.write("seconds,rss_mib,entries\n" + "".join(f"{t},{r:.1f},{e}\n" for t, r, e in rows))
half = [r for t, r, _ in rows if t >= duration / 2]
ts = [t for t, _, _ in rows if t >= duration / 2]
mt, mr = sum(ts) / len(ts), sum(half) / len(half)
slope = sum((t - mt) * (r - mr) for t, r in zip(ts, half)) / sum((t - mt) ** 2 for t in ts) * 60
peak_entries = max(e or 0 for *_, e in rows)
# The plot: RSS (MiB) and entries (scaled) over time.
W, H, P = 640, 300, 40
tmax, rmax, emax = rows[-1][0], max(r for _, r, _ in rows) * 1.1, max(peak_entries, max_entries) * 1.1
x = lambda t: P + (W - 2 * P) * t / tmax
yr = lambda r: H - P - (H - 2 * P) * r / rmax
ye = lambda e: H - P - (H - 2 * P) * e / emax
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<text x="{P}" y="16">showfeed soak: {n} feeds, a tenth changing every 30 s, max_entries {max_entries}, prune every {prune_every}</text>',
       f'<polyline fill="none" stroke="#c33" stroke-width="2" points="{" ".join(f"{x(t):.1f},{yr(r):.1f}" for t, r, _ in rows)}"/>',
       f'<polyline fill="none" stroke="#36c" stroke-width="1.5" stroke-dasharray="4 2" points="{" ".join(f"{x(t):.1f},{ye(e):.1f}" for t, _, e in rows if e is not None)}"/>',
       f'<line x1="{P}" y1="{ye(max_entries):.1f}" x2="{W - P}" y2="{ye(max_entries):.1f}" stroke="#36c" stroke-width="0.5"/>',
       f'<line x1="{P}" y1="{H - P}" x2="{W - P}" y2="{H - P}" stroke="black"/>',
       f'<line x1="{P}" y1="{P}" x2="{P}" y2="{H - P}" stroke="black"/>',
       f'<text x="{W - P}" y="{H - P + 15}" text-anchor="end">{tmax} s</text>',
       f'<text x="{P - 4}" y="{yr(rmax / 1.1):.1f}" text-anchor="end">{rmax / 1.1:.0f}</text>',
       f'<text x="{P + 4}" y="{H - 8}" fill="#c33">RSS (MiB, left)</text>',
       f'<text x="{P + 130}" y="{H - 8}" fill="#36c">stored entries (dashed; thin line: max_entries {max_entries})</text>',
       '</svg>']
open(f"{here}/soak.svg", "w").write("\n".join(svg) + "\n")
print(json.dumps({"feeds": n, "seconds": duration, "max_entries": max_entries, "prune_every": prune_every,
                  "rss_first_mib": rows[0][1], "rss_peak_mib": max(r for _, r, _ in rows),
                  "rss_second_half_min_mib": min(half), "rss_second_half_max_mib": max(half),
                  "rss_slope_second_half_mib_per_min": round(slope, 3),
                  "entries_peak": peak_entries, "entries_last": rows[-1][2]}))
