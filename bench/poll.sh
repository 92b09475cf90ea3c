#!/usr/bin/env bash
# Figures for the core issue: `showfeed poll` over N local feeds (entries per second), and the
# daemon's resident memory holding that store while serving /feed.atom.
# usage: bench/poll.sh [N=1000] [ITEMS=50]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
m=${2:-50}
cargo build --release --quiet
bin=target/release/showfeed
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
pid=
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 bench/gen_feeds.py "$work" "$n" "$m" --listen "127.0.0.1:$port"
entries=$((n * m))
bytes=$(du -sb "$work/feeds" | cut -f1)

t0=$(date +%s.%N)
RUST_LOG=error "$bin" --config "$work/feeds.toml" poll 2>"$work/poll.err"
t1=$(date +%s.%N)
first=$(python3 -c "print(f'{$t1-$t0:.2f}')")
rate=$(python3 -c "print(int($entries/($t1-$t0)))")
t0=$(date +%s.%N)
RUST_LOG=error "$bin" --config "$work/feeds.toml" poll 2>/dev/null
t1=$(date +%s.%N)
again=$(python3 -c "print(f'{$t1-$t0:.2f}')")

t0=$(date +%s.%N)
RUST_LOG=error "$bin" --config "$work/feeds.toml" run 2>/dev/null &
pid=$!
for _ in $(seq 1000); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.01; done
t1=$(date +%s.%N)
startup=$(python3 -c "print(f'{$t1-$t0:.2f}')")
t0=$(date +%s.%N)
curl -sf "http://127.0.0.1:$port/feed.atom?limit=1000" -o /dev/null
t1=$(date +%s.%N)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/feed.atom" -o /dev/null; done
rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
hwm=$(awk '/VmHWM/{print $2}' "/proc/$pid/status")
disk=$(du -sb "$work/data" | cut -f1)
kill -TERM "$pid"; wait "$pid" || true; pid=

echo "feeds=$n entries=$entries raw_feed_bytes=$bytes"
echo "first poll: ${first}s = ${rate} entries/s; second poll (all unchanged, 304-equivalent): ${again}s"
echo "daemon start to first answer on that store: ${startup}s"
echo "daemon holding $entries entries: VmRSS=$((rss / 1024)) MiB (peak $((hwm / 1024)) MiB) after 51 requests"
echo "store on disk: $((disk / 1024 / 1024)) MiB ($((disk / entries)) bytes/entry)"
echo "uncached /feed.atom?limit=1000: $(python3 -c "print(f'{($t1-$t0)*1000:.0f}')") ms"
tail -1 "$work/poll.err"
