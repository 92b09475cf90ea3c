#!/usr/bin/env bash
# Filtered-query benchmark of the query language: p50/p99 of uncached filtered queries over
# FEEDS x ITEMS entries (default 2,000 x 50 = 100,000), the same store served in turn by a
# baseline binary and this build, one run each. The baseline gets serve.sh's query mix
# (source, words, since, two sources); this build gets that mix and then the operators
# (OR, negation, regex, fields, date intervals).
# usage: bench/query.sh [BASELINE_BIN] [FEEDS] [ITEMS]   (BASELINE_BIN "-" for none)
set -euo pipefail
cd "$(dirname "$0")/.."
base_bin=${1:--}
n=${2:-2000}
m=${3:-50}
cargo build --release --quiet --bin showfeed
bin=$PWD/target/release/showfeed
work=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 bench/gen_feeds.py "$work" "$n" "$m" --listen "127.0.0.1:$port"
printf '[[show]]\nname = "Squid Game"\n\n[[show]]\nname = "The Bear"\n\n[[show]]\nname = "Severance"\n' >> "$work/feeds.toml"
RUST_LOG=error "$bin" --config "$work/feeds.toml" poll 2>/dev/null
if [ "$base_bin" != "-" ]; then
    # The baseline reads a store it wrote itself: a build may write a layout an older one
    # cannot read (layout 3 compresses entries).
    sed 's|^path = "data"|path = "data-base"|' "$work/feeds.toml" > "$work/base.toml"
    RUST_LOG=error "$base_bin" --config "$work/base.toml" poll 2>/dev/null
fi
measure() { # BIN MIX [CONFIG]
    RUST_LOG=error "$1" --config "${3:-$work/feeds.toml}" run 2>/dev/null &
    pid=$!
    for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    python3 - "$port" "$n" "$2" "$pid" <<'PY'
import os, random, sys, time, urllib.parse, urllib.request, statistics
port, n, mix, pid = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def cpu_ms():
    # The daemon's own user + system time: unlike wall-clock percentiles, it does not move
    # with whatever else runs on the machine.
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) * 1000 / os.sysconf("SC_CLK_TCK")
rnd = random.Random(7)
f = lambda: f"f{rnd.randrange(n)}"
old = [
    lambda: f"source={f()}&limit={rnd.randint(10,100)}",
    lambda: f"q=netflix+finale&limit={rnd.randint(10,50)}",
    lambda: f"since={rnd.randint(30,400)}d&limit={rnd.randint(10,100)}",
    lambda: f"source={f()}&source={f()}&limit={rnd.randint(10,100)}",
]
q = lambda s: "q=" + urllib.parse.quote_plus(s)
new = [
    lambda: q("netflix OR showrunner") + f"&limit={rnd.randint(10,50)}",
    lambda: q("squid -intitle:trailer") + f"&limit={rnd.randint(10,50)}",
    lambda: q("(renewed OR casts) !intitle:wednesday") + f"&limit={rnd.randint(10,50)}",
    lambda: q("intitle:/season [2-4] \\(/i") + f"&limit={rnd.randint(10,50)}",
    lambda: q(f"source:{f()} OR source:{f()} finale") + f"&limit={rnd.randint(10,100)}",
    lambda: q("show:squid-game OR show:the-bear -intitle:wraps") + f"&limit={rnd.randint(10,50)}",
    lambda: q("show:severance date:2026-09-01/2026-09-20 /finale/") + f"&limit={rnd.randint(10,50)}",
    lambda: q(f"-source:{f()} author:nobody OR /Renewed for Season 5/") + f"&limit={rnd.randint(10,50)}",
]
kinds = old if mix == "old" else new
by_kind = {}
lat = []
cpu0 = cpu_ms()
for i in range(600):
    # Every URL is distinct (an `until` after every entry, one second apart per request),
    # so every request misses the document cache.
    k = rnd.randrange(len(kinds))
    url = f"http://127.0.0.1:{port}/feed.atom?{kinds[k]()}&until=2030-01-01T00:{i // 60:02d}:{i % 60:02d}Z"
    t = time.perf_counter()
    with urllib.request.urlopen(url) as r:
        assert r.status == 200
        r.read()
    lat.append((time.perf_counter() - t) * 1000)
    by_kind.setdefault(k, []).append(lat[-1])
lat.sort()
cpu = (cpu_ms() - cpu0) / len(lat)
print(f"p50 {statistics.median(lat):.2f} ms, p99 {lat[int(len(lat)*0.99)-1]:.2f} ms, daemon CPU {cpu:.2f} ms per query, over {len(lat)} queries")
if os.environ.get("QUERY_KINDS"):
    # Which query of the mix makes the tail: its own median and maximum.
    for k in sorted(by_kind):
        v = sorted(by_kind[k])
        print(f"    query {k}: n {len(v)}, p50 {statistics.median(v):.2f} ms, max {v[-1]:.2f} ms")
PY
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}
echo "== uncached filtered queries over $((n * m)) entries"
if [ "$base_bin" != "-" ]; then
    echo -n "baseline, serve.sh mix:        "; measure "$base_bin" old "$work/base.toml"
fi
echo -n "this build, serve.sh mix:      "; measure "$bin" old
echo -n "this build, operators mix:     "; measure "$bin" new
