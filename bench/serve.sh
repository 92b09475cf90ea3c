#!/usr/bin/env bash
# Serve benchmark: the cached /feed.atom under wrk against nginx serving the same bytes as a
# static file, in the same run; and p99 of uncached filtered queries over 100,000 entries.
# usage: bench/serve.sh [FEEDS=2000] [ITEMS=50]      (needs nginx, wrk: .ci/clients.sh-like)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
m=${2:-50}
for tool in nginx wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "bench/serve.sh needs $tool (apt-get install nginx-light wrk curl)"; exit 1; }
done
cargo build --release --quiet
bin=$PWD/target/release/showfeed
work=$(mktemp -d)
# nginx's workers run as nobody: the directory it serves must be readable to them.
chmod 755 "$work"
pid=
ngx=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    [ -n "$ngx" ] && nginx -c "$work/nginx.conf" -s stop 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
nport=$(free_port)
python3 bench/gen_feeds.py "$work" "$n" "$m" --listen "127.0.0.1:$port"
RUST_LOG=error "$bin" --config "$work/feeds.toml" poll 2>/dev/null
RUST_LOG=error "$bin" --config "$work/feeds.toml" run 2>/dev/null &
pid=$!
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
mkdir -p "$work/www"
curl -sf "http://127.0.0.1:$port/feed.atom" -o "$work/www/feed.atom"
cat > "$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 1024; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$nport;
        root $work/www;
        location / { default_type application/atom+xml; etag on; }
    }
}
NGINX
nginx -c "$work/nginx.conf"
ngx=1
# Both must serve the same bytes with a 200, or the comparison means nothing.
size=$(stat -c %s "$work/www/feed.atom")
for url in "http://127.0.0.1:$port/feed.atom" "http://127.0.0.1:$nport/feed.atom"; do
    got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$url")
    [ "$got" = "200 $size" ] || { echo "$url answers '$got', expected '200 $size'"; exit 1; }
done
run_wrk() {
    wrk -t2 -c32 -d"${DURATION:-8s}" --latency "$1" | awk '
        /Non-2xx/ { print "wrk saw non-2xx answers from " url > "/dev/stderr"; bad = 1 }
        /Requests\/sec/ { rps = $2 } /^ +99%/ { p99 = $2 }
        END { if (bad) exit 1; print rps, p99 }' url="$1"
}
to_ms() { python3 -c "
import re,sys
v=sys.argv[1]; m=re.match(r'([0-9.]+)(us|ms|s)',v); x=float(m.group(1)); u=m.group(2)
print(x/1000 if u=='us' else x*1000 if u=='s' else x)" "$1"; }
run_wrk "http://127.0.0.1:$port/feed.atom" >/dev/null   # warm-up
echo "== cached /feed.atom ($(stat -c %s "$work/www/feed.atom") bytes) vs nginx static, wrk -t2 -c32, 5 rounds each"
for i in 1 2 3 4 5; do
    read -r s_rps s_p99 < <(run_wrk "http://127.0.0.1:$port/feed.atom")
    read -r n_rps n_p99 < <(run_wrk "http://127.0.0.1:$nport/feed.atom")
    echo "$s_rps $(to_ms "$s_p99") $n_rps $(to_ms "$n_p99")"
done | python3 -c "
import sys, statistics as st
rows=[list(map(float,l.split())) for l in sys.stdin if l.strip()]
med=lambda i: st.median(r[i] for r in rows)
print(f'showfeed: {med(0):,.0f} req/s, p99 {med(1):.2f} ms')
print(f'nginx:    {med(2):,.0f} req/s, p99 {med(3):.2f} ms')
print(f'ratio:    {med(0)/med(2):.2f}x throughput, p99 {med(1)/med(3):.2f}x nginx (medians of {len(rows)} rounds)')
"
echo "== uncached filtered queries over $((n * m)) entries"
python3 - "$port" "$n" <<'PY'
import random, sys, time, urllib.request, statistics
port, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
shows = ["squid-game","the-bear","severance","wednesday","frieren"]
lat = []
for i in range(600):
    # Every URL is distinct, so every request misses the document cache.
    q = rnd.choice([
        f"source=f{rnd.randrange(n)}&limit={rnd.randint(10,100)}",
        f"q=netflix+finale&limit={rnd.randint(10,50)}",
        f"since={rnd.randint(30,400)}d&limit={rnd.randint(10,100)}",
        f"source=f{rnd.randrange(n)}&source=f{rnd.randrange(n)}&limit={rnd.randint(10,100)}",
    ])
    t = time.perf_counter()
    urllib.request.urlopen(f"http://127.0.0.1:{port}/feed.atom?{q}").read()
    lat.append((time.perf_counter() - t) * 1000)
lat.sort()
print(f"p50 {statistics.median(lat):.2f} ms, p99 {lat[int(len(lat)*0.99)-1]:.2f} ms over {len(lat)} distinct queries")
PY
