#!/usr/bin/env bash
# Reload and restart under load: wrk reads /feed.atom and a per-show feed of a daemon holding
# FEEDS x ITEMS entries, first with nothing else happening (the baseline, same run), then
# through a SIGHUP reload and a config edit that adds 100 feeds (picked up by the watcher and
# polled), then through a SIGTERM. Prints requests/s, p99, non-2xx and socket errors of each
# phase, and the stop's exit code and time.
# usage: bench/reload.sh [FEEDS=500] [ITEMS=20]        (needs wrk, curl, python3)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-500}
m=${2:-20}
for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "bench/reload.sh needs $tool (apt-get install wrk curl)"; exit 1; }
done
# $SHOWFEED_BIN: another build to measure (no build then).
if [ -z "${SHOWFEED_BIN:-}" ]; then cargo build --release --quiet; fi
bin=${SHOWFEED_BIN:-$PWD/target/release/showfeed}
work=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# N + 100 feeds generated; the last 100 are held back for the config edit.
python3 bench/gen_feeds.py "$work" "$((n + 100))" "$m" --listen "127.0.0.1:$port" >/dev/null
python3 - "$work/feeds.toml" "$n" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
head, *feeds = open(path).read().split("[[feed]]")
shows = '[[show]]\nname = "Squid Game"\n\n[[show]]\nname = "The Bear"\n\n'
open(path, "w").write(head + shows + "".join("[[feed]]" + f for f in feeds[:n]))
open(path + ".more", "w").write("".join("[[feed]]" + f for f in feeds[n:]))
PY
RUST_LOG=error "$bin" --config "$work/feeds.toml" poll >/dev/null 2>&1
RUST_LOG=error "$bin" --config "$work/feeds.toml" run 2>"$work/daemon.log" &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 300); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
curl -sf -o /dev/null "$base/shows/squid-game.atom"

# Two wrk at once (the merged feed, a per-show feed), 8 connections each, for SECS; their
# pids in w1 and w2. `summary` sums both: requests/s, p99, non-2xx, socket errors.
load() {
    wrk -t1 -c8 -d"$1s" --latency "$base/feed.atom" > "$work/w1" 2>&1 &
    w1=$!
    wrk -t1 -c8 -d"$1s" --latency "$base/shows/squid-game.atom" > "$work/w2" 2>&1 &
    w2=$!
}
summary() {
    python3 - "$work/w1" "$work/w2" <<'PY'
import re, sys
rps = p99 = bad = errs = 0.0
for path in sys.argv[1:]:
    t = open(path).read()
    rps += float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", t)
    v = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    p99 = max(p99, v)
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    bad += int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
    errs += sum(map(int, m.groups())) if m else 0
print(f"{rps:8.0f} req/s, p99 {p99:6.2f} ms, non-2xx {bad:.0f}, socket errors {errs:.0f}")
PY
}

echo "== reads of /feed.atom and /shows/squid-game.atom, $((n * m)) entries, wrk 2 x 8 connections"
load 12
wait "$w1" "$w2"
echo -n "quiet (baseline):              "; summary

load 12
sleep 2
kill -HUP "$pid"
sleep 3
cat "$work/feeds.toml.more" >> "$work/feeds.toml"
wait "$w1" "$w2"
echo -n "SIGHUP, then +100 feeds:       "; summary
python3 - "$base" "$((n + 100))" <<'PY'
import json, sys, time, urllib.request
base, want = sys.argv[1], int(sys.argv[2])
for _ in range(600):
    st = json.load(urllib.request.urlopen(f"{base}/status"))
    done = [f for f in st["feeds"] if f.get("last_success")]
    if len(st["feeds"]) == want and len(done) == want:
        break
    time.sleep(0.1)
print(f"after the edit: {len(st['feeds'])} feeds, {len(done)} polled, reloads {st['reloads']}")
PY

load 6
sleep 3
t0=$(date +%s.%N)
kill -TERM "$pid"
set +e
wait "$pid"
rc=$?
set -e
t1=$(date +%s.%N)
pid=
wait "$w1" "$w2"
echo -n "SIGTERM at 3 s of 6 (whole run): "; summary
echo "daemon exit code $rc, stopped $(python3 -c "print(f'{$t1 - $t0:.2f}')") s after SIGTERM"
echo "(socket errors in the SIGTERM phase are the connections refused once it stopped)"
