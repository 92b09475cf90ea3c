#!/usr/bin/env bash
# Peak resident memory of `showfeed poll` on hostile feeds, against the same command on a
# normal small feed in the same run: a 200,000-item feed (20 MB) and a gzip bomb (1 MB that
# inflates to 1 GiB). Usage: bench/hostile_mem.sh [path/to/showfeed] (default: release build).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/showfeed}
[ -x "$bin" ] || cargo build --release --locked
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import gzip, io, sys, email.utils
work = sys.argv[1]
items = "".join(
    f"<item><guid>{i}</guid><title>n{i}</title><pubDate>{email.utils.formatdate(1_700_000_000 + i * 60, usegmt=True)}</pubDate></item>"
    for i in range(200_000))
open(f"{work}/many.rss", "w").write(f'<?xml version="1.0"?><rss version="2.0"><channel><title>many</title>{items}</channel></rss>')
open(f"{work}/small.rss", "w").write('<?xml version="1.0"?><rss version="2.0"><channel><title>small</title><item><guid>1</guid><title>one</title></item></channel></rss>')
buf = io.BytesIO()
with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as z:
    chunk = b"<rss>" + b" " * (1 << 20)
    for _ in range(1024):
        z.write(chunk)
open(f"{work}/bomb.gz", "wb").write(buf.getvalue())
PY

cat > "$work/serve.py" <<'PY'
import http.server, sys, os
root = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        name = self.path.strip("/")
        data = open(os.path.join(root, name), "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        if name.endswith(".gz"):
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(os.path.join(root, "port"), "w").write(str(s.server_address[1]))
s.serve_forever()
PY
python3 "$work/serve.py" "$work" & server=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")

peak() { # name file max_body -> peak RSS in KiB, after printing the poll's summary line
  local dir="$work/$1"; mkdir -p "$dir"
  cat > "$dir/feeds.toml" <<TOML
[storage]
path = "$dir/data"
retention_days = 36500
[polling]
max_body = "$3"
allow_private = true
[[feed]]
id = "$1"
url = "http://127.0.0.1:$port/$2"
TOML
  /usr/bin/time -f "%M" -o "$dir/rss" "$bin" --config "$dir/feeds.toml" poll 2>"$dir/log" || true
  echo "$1: $(tail -n 1 "$dir/log")" >&2
  # time(1) puts "Command exited with non-zero status" first when the poll failed.
  tail -n 1 "$dir/rss"
}
base=$(peak small small.rss 15MiB)
many=$(peak many many.rss 32MiB)
bomb=$(peak bomb bomb.gz 15MiB)
printf '\n%-40s %10s %8s\n' "poll of" "peak RSS" "ratio"
printf '%-40s %7d KiB %8s\n' "one small feed (baseline)" "$base" "1.00x"
awk -v b="$base" -v m="$many" -v g="$bomb" 'BEGIN {
  printf "%-40s %7d KiB %7.2fx\n", "200,000 items (20 MB)", m, m / b
  printf "%-40s %7d KiB %7.2fx\n", "gzip bomb (1 MB -> 1 GiB, cap 15 MiB)", g, g / b
}'
