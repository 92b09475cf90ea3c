#!/usr/bin/env bash
# `showfeed poll` against the bare pipeline (benches/bare.rs: fetch + feed-rs + one sled batch
# per feed), on the same N loopback feeds of M items served by nginx, at the same concurrency
# (16), interleaved run by run on fresh stores: entries per second and peak RSS of each
# process, medians of RUNS, and their ratios. Prints one line of JSON last.
# usage: bench/ingest_ratio.sh [N=1000] [M=20] [RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
m=${2:-20}
runs=${3:-5}
command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends nginx-light >/dev/null; }
cargo build --release --quiet --bins
bare=$(cargo bench --no-run --quiet --bench bare --message-format=json 2>/dev/null \
    | python3 -c 'import json,sys; print([j["executable"] for j in map(json.loads, sys.stdin) if j.get("executable")][-1])')
work=$(mktemp -d)
chmod 755 "$work"
cleanup() { nginx -c "$work/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 bench/gen_feeds.py "$work" "$n" "$m" >/dev/null
cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:$nport; root $work; } }
NGINX
nginx -c "$work/nginx.conf"
# The same feeds over loopback HTTP for both.
sed -i "s|file://$work|http://127.0.0.1:$nport|" "$work/feeds.toml"
grep -o "http://127.0.0.1:$nport/feeds/[^\"]*" "$work/feeds.toml" > "$work/urls"
curl -sf -o /dev/null "$(head -1 "$work/urls")" || { cat "$work/nginx.err"; exit 1; }

python3 - "$work" "$bare" "$PWD/target/release/showfeed" "$runs" "$((n * m))" <<'PY'
import json, os, shutil, statistics, subprocess, sys, time
work, bare, showfeed, runs, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])

def timed(cmd, env):
    t = time.monotonic()
    p = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    assert status == 0, f"{cmd[0]} failed: {status}"
    return time.monotonic() - t, usage.ru_maxrss / 1024, out

rows = {"bare": [], "showfeed": []}
for r in range(runs):
    for name in (["bare", "showfeed"] if r % 2 == 0 else ["showfeed", "bare"]):
        shutil.rmtree(f"{work}/data", ignore_errors=True)
        if name == "bare":
            secs, mib, out = timed([bare], {"BENCH_URLS": f"{work}/urls", "BENCH_STORE": f"{work}/data"})
            entries = int(out.split()[0])
        else:
            secs, mib, _ = timed([showfeed, "--config", f"{work}/feeds.toml", "poll"], {"RUST_LOG": "error"})
            entries = expected
        assert entries == expected, f"{name} stored {entries} of {expected}"
        rows[name].append((entries / secs, mib))
        print(f"run {r + 1} {name:8} {entries / secs:8.0f} entries/s  peak RSS {mib:6.1f} MiB", file=sys.stderr)
med = {k: (statistics.median(e for e, _ in v), statistics.median(m for _, m in v)) for k, v in rows.items()}
print(json.dumps({
    "entries": expected, "runs": runs,
    "showfeed_eps": round(med["showfeed"][0]), "bare_eps": round(med["bare"][0]),
    "eps_ratio": round(med["showfeed"][0] / med["bare"][0], 2),
    "showfeed_peak_mib": round(med["showfeed"][1], 1), "bare_peak_mib": round(med["bare"][1], 1),
    "peak_ratio": round(med["showfeed"][1] / med["bare"][1], 2),
}))
PY
