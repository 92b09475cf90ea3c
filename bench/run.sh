#!/usr/bin/env bash
# The benchmark suite: builds in release, runs every benchmark with its baseline in the same
# run, prints one table (medians of 5 runs), and writes bench/results.json and the plots
# bench/ingest.svg and bench/serve.svg. Installs nginx, wrk and feedparser if missing
# (Debian, as root).
# usage: bench/run.sh [FEEDS=1000] [ITEMS=50]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
m=${2:-50}
export DEBIAN_FRONTEND=noninteractive
need=()
command -v nginx >/dev/null || need+=(nginx-light)
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; fi
python3 -c 'import feedparser' 2>/dev/null || python3 -m pip install -q feedparser
cargo build --release --quiet --benches --bins
work=$(mktemp -d)
# nginx's workers run as nobody: the directory it serves must be readable to them.
chmod 755 "$work"
ngx=
cleanup() { [ -n "$ngx" ] && nginx -c "$work/nginx.conf" -s stop 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 bench/gen_feeds.py "$work" "$n" "$m"
cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:$nport; root $work; } }
NGINX
nginx -c "$work/nginx.conf"; ngx=1
feeds=("$work"/feeds/*)
first=$(basename "${feeds[0]}")
curl -sf -o /dev/null "http://127.0.0.1:$nport/feeds/$first" \
    || { echo "nginx does not serve $work/feeds/$first on port $nport:"; cat "$work/nginx.err"; exit 1; }

echo "== ingest: $n feeds x $m items over loopback (nginx serves the files)"
ingest=$(BENCH_DIR=$work BENCH_URL=http://127.0.0.1:$nport cargo bench --quiet --bench ingest 2>"$work/ingest.err" | tail -1) \
    || { tail -n 30 "$work/ingest.err"; exit 1; }
echo "$ingest"
py=$(python3 bench/feedparser_baseline.py "$work/feeds" 5)
echo "python feedparser + sqlite: $py entries/s"
echo "== poll sweep: 10,000 feeds, every response delayed 100 ms, concurrency 16"
sweep=$(BENCH_SWEEP_FEEDS=${SWEEP_FEEDS:-10000} cargo bench --quiet --bench sweep 2>/dev/null | tail -1)
echo "$sweep"
echo "== tagging (5,000 shows)"
cargo bench --quiet --bench tagging 2>/dev/null | tail -5
echo "== dedup (100,000 stored)"
cargo bench --quiet --bench dedup 2>/dev/null | tail -5
echo "== poll, memory, disk"
bash bench/poll.sh "$n" "$m" | tee "$work/poll.txt"
echo "== serve"
DURATION=5s bash bench/serve.sh "$((n * 2))" "$m" | tee "$work/serve.txt"
echo "== memory under hostile feeds"
bash bench/hostile_mem.sh 2>/dev/null | tee "$work/hostile.txt"

python3 - "$ingest" "$py" "$sweep" "$work/serve.txt" <<'PY'
import json, re, sys
r = json.loads(sys.argv[1]); py = float(sys.argv[2]); sw = json.loads(sys.argv[3])
serve = open(sys.argv[4]).read()
r["feedparser_eps"] = py
r["sweep"] = sw
print()
print("| measure | showfeed | baseline (same run) | ratio | goal |")
print("|---|---|---|---|---|")
print(f"| ingest, full pipeline | {r['pipeline_eps']:,.0f} entries/s | serial limit of its stages {r['serial_limit_eps']:,.0f}/s | {r['ratio_to_limit']:.2f}x | >= 0.8x |")
print(f"| ingest vs Planet-style | {r['pipeline_eps']:,.0f} entries/s | feedparser + sqlite {py:,.0f}/s | {r['pipeline_eps']/py:.1f}x | >= 40x |")
print(f"| stages alone | parse {r['parse_eps']:,.0f}/s, sled write {r['write_eps']:,.0f}/s, fetch {r['fetch_eps']:,.0f}/s | | | |")
print(f"| poll sweep, {sw['feeds']:,} feeds at 100 ms | first {sw['first_sweep_s']:.1f} s, 304s {sw['sweep_304_s']:.1f} s | latency bound {sw['bound_s']:.1f} s | {sw['first_ratio']:.2f}x, {sw['ratio_304']:.2f}x | <= 1.1x |")
print(f"| CPU per 304 | {sw['cpu_ms_per_304']:.3f} ms | bare reqwest client, same GETs {sw['bare_client_cpu_ms_per_304']:.3f} ms | {sw['cpu_ms_per_304']/sw['bare_client_cpu_ms_per_304']:.2f}x | <= 0.05 ms |")
num = lambda pat: [float(x.replace(",", "")) for x in re.search(pat, serve).groups()]
s_rps, s_p99 = num(r"showfeed: ([\d,.]+) req/s, p99 ([\d.]+) ms")
n_rps, n_p99 = num(r"nginx: +([\d,.]+) req/s, p99 ([\d.]+) ms")
u_p50, u_p99 = num(r"p50 ([\d.]+) ms, p99 ([\d.]+) ms")
r["serve"] = dict(showfeed_rps=s_rps, showfeed_p99_ms=s_p99, nginx_rps=n_rps, nginx_p99_ms=n_p99, uncached_p50_ms=u_p50, uncached_p99_ms=u_p99)
print(f"| cached /feed.atom, wrk -t2 -c32 | {s_rps:,.0f} req/s, p99 {s_p99:.2f} ms | nginx {n_rps:,.0f} req/s, p99 {n_p99:.2f} ms | {s_rps/n_rps:.2f}x, p99 {s_p99/n_p99:.2f}x | >= 0.9x, p99 <= 1.5x |")
print(f"| uncached filtered queries | p50 {u_p50:.2f} ms, p99 {u_p99:.2f} ms | | | p99 < 5 ms |")
json.dump(r, open("bench/results.json", "w"), indent=1)
# A small SVG bar chart of entries/s, no plotting library needed.
bars = [("pipeline", r["pipeline_eps"]), ("serial limit", r["serial_limit_eps"]), ("parse alone", r["parse_eps"]),
        ("sled alone", r["write_eps"]), ("fetch alone", r["fetch_eps"]), ("feedparser", py)]
top = max(v for _, v in bars)
rows = "".join(
    f'<text x="5" y="{30+i*30}" font-size="13">{k}</text><rect x="110" y="{17+i*30}" width="{v/top*420:.0f}" height="18" fill="#4a7bd0"/>'
    f'<text x="{115+v/top*420:.0f}" y="{30+i*30}" font-size="12">{v:,.0f}/s</text>' for i, (k, v) in enumerate(bars))
open("bench/ingest.svg", "w").write(f'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="{40+len(bars)*30}" font-family="sans-serif">'
    f'<text x="5" y="12" font-size="13" font-weight="bold">Ingest, entries per second (higher is better)</text>{rows}</svg>')

def chart(title, bars, unit, y0):
    top = max(v for _, v, _ in bars)
    out = f'<text x="5" y="{y0}" font-size="13" font-weight="bold">{title}</text>'
    for i, (k, v, colour) in enumerate(bars):
        y = y0 + 18 + i * 26
        out += (f'<text x="5" y="{y+13}" font-size="13">{k}</text><rect x="170" y="{y}" width="{v/top*380:.0f}" height="18" fill="{colour}"/>'
                f'<text x="{175+v/top*380:.0f}" y="{y+13}" font-size="12">{v:,.0f}{unit}</text>' if v >= 100 else
                f'<text x="{175+v/top*380:.0f}" y="{y+13}" font-size="12">{v:.2f}{unit}</text>')
    return out, y0 + 18 + len(bars) * 26 + 16

blue, grey, red = "#4a7bd0", "#9aa0a6", "#d93025"
a, y = chart("Cached /feed.atom, requests per second (higher is better)",
             [("showfeed", s_rps, blue), ("nginx, same bytes", n_rps, grey)], "/s", 14)
b, y = chart("p99 latency under wrk -t2 -c32, ms (lower is better)",
             [("showfeed", s_p99, blue), ("nginx, same bytes", n_p99, grey)], " ms", y)
c, y = chart("Uncached filtered queries, ms (lower is better)",
             [("showfeed p50", u_p50, blue), ("showfeed p99", u_p99, blue), ("goal: p99 under", 5.0, red)], " ms", y)
open("bench/serve.svg", "w").write(f'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="{y}" font-family="sans-serif">{a}{b}{c}</svg>')
PY
