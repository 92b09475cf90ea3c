#!/usr/bin/env bash
# The benchmark suite: builds in release, runs every benchmark with its baseline in the same
# run, prints one table (medians of 5 runs), and writes bench/results.json and the plot
# bench/ingest.svg. Installs nginx, wrk and feedparser if missing (Debian, as root).
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

echo "== ingest: $n feeds x $m items over loopback (nginx serves the files)"
ingest=$(BENCH_DIR=$work BENCH_URL=http://127.0.0.1:$nport cargo bench --quiet --bench ingest 2>/dev/null | tail -1)
echo "$ingest"
py=$(python3 bench/feedparser_baseline.py "$work/feeds" 5)
echo "python feedparser + sqlite: $py entries/s"
echo "== poll sweep: 10,000 feeds, every response delayed 100 ms, concurrency 16"
BENCH_SWEEP_FEEDS=${SWEEP_FEEDS:-10000} cargo bench --quiet --bench sweep 2>/dev/null | tail -1
echo "== tagging (5,000 shows)"
cargo bench --quiet --bench tagging 2>/dev/null | tail -5
echo "== dedup (100,000 stored)"
cargo bench --quiet --bench dedup 2>/dev/null | tail -5
echo "== poll, memory, disk"
bash bench/poll.sh "$n" "$m" | tee "$work/poll.txt"
echo "== serve"
DURATION=5s bash bench/serve.sh "$((n * 2))" "$m" | tee "$work/serve.txt"

python3 - "$ingest" "$py" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); py = float(sys.argv[2])
r["feedparser_eps"] = py
print()
print("| measure | showfeed | baseline (same run) | ratio | goal |")
print("|---|---|---|---|---|")
print(f"| ingest, full pipeline | {r['pipeline_eps']:,.0f} entries/s | serial limit of its stages {r['serial_limit_eps']:,.0f}/s | {r['ratio_to_limit']:.2f}x | >= 0.8x |")
print(f"| ingest vs Planet-style | {r['pipeline_eps']:,.0f} entries/s | feedparser + sqlite {py:,.0f}/s | {r['pipeline_eps']/py:.1f}x | >= 40x |")
print(f"| stages alone | parse {r['parse_eps']:,.0f}/s, sled write {r['write_eps']:,.0f}/s, fetch {r['fetch_eps']:,.0f}/s | | | |")
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
PY
