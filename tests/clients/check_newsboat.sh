#!/usr/bin/env bash
# check_newsboat.sh FEED_URL EXPECTED_COUNT [TEXT]
#
# Reads FEED_URL with newsboat, non-interactively, in a throwaway home, and
# fails unless newsboat stored exactly EXPECTED_COUNT items in its cache (and,
# with TEXT, unless some item's content as newsboat stored it contains TEXT).
# Needs: newsboat, sqlite3 (see .ci/clients.sh).
#
# Quirks this works around (measured on newsboat 2.21, Debian 12):
# - `-x reload` exits 0 even when the fetch fails (404, connection refused):
#   errors only show up in the `error-log` file, so we set one and fail on it.
# - newsboat is lenient (libxml2 recover mode): malformed XML can still yield
#   items, so this is a client-compatibility check, not a validity check.
# - It needs no TERM and no tty for `-x reload`, and no config file, but it
#   always creates $HOME/.newsboat: HOME must point into the temp dir.
# - A proxy in the environment (http_proxy) would catch loopback URLs: we
#   add 127.0.0.1, localhost and ::1 to no_proxy.
# - newsboat 2.21 reads RSS and Atom only: a JSON Feed fails with "XML root
#   node is NULL". Point it at the Atom or RSS output.
# - Items are keyed by their guid (atom:id): entries that repeat an id are
#   counted once.
set -euo pipefail

usage() { echo "usage: $0 FEED_URL EXPECTED_COUNT [TEXT]" >&2; exit 2; }
[[ $# -eq 2 || $# -eq 3 ]] || usage
url=$1
expected=$2
text=${3:-}
[[ $expected =~ ^[0-9]+$ ]] || usage

for tool in newsboat sqlite3; do
    command -v "$tool" >/dev/null || { echo "check_newsboat: FAIL: $tool not installed (run .ci/clients.sh)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/check_newsboat.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/xdg/config" "$work/xdg/data" "$work/xdg/cache"

printf '%s\n' "$url" > "$work/urls"
cat > "$work/config" <<CONF
error-log "$work/error.log"
download-timeout 30
reload-threads 1
CONF

rc=0
( cd "$work" &&
  env HOME="$work/home" \
      XDG_CONFIG_HOME="$work/xdg/config" XDG_DATA_HOME="$work/xdg/data" XDG_CACHE_HOME="$work/xdg/cache" \
      TERM="${TERM:-dumb}" \
      no_proxy="127.0.0.1,localhost,::1${no_proxy:+,$no_proxy}" \
      NO_PROXY="127.0.0.1,localhost,::1${NO_PROXY:+,$NO_PROXY}" \
      timeout 120 newsboat -u urls -c cache.db -C config -x reload </dev/null >"$work/out" 2>&1 ) || rc=$?
if [[ $rc -ne 0 ]]; then
    echo "check_newsboat: FAIL: newsboat exited $rc for $url" >&2
    cat "$work/out" >&2
    exit 1
fi
if [[ -s "$work/error.log" ]]; then
    echo "check_newsboat: FAIL: newsboat could not read $url:" >&2
    cat "$work/error.log" >&2
    exit 1
fi
if [[ ! -f "$work/cache.db" ]]; then
    echo "check_newsboat: FAIL: newsboat wrote no cache for $url" >&2
    cat "$work/out" >&2
    exit 1
fi

count=$(sqlite3 "$work/cache.db" 'select count(*) from rss_item')
if [[ $count != "$expected" ]]; then
    echo "check_newsboat: FAIL: $url: newsboat stored $count items, expected $expected" >&2
    exit 1
fi
if [[ -n $text ]]; then
    found=$(sqlite3 "$work/cache.db" "select count(*) from rss_item where instr(content, '${text//\'/\'\'}') > 0")
    if [[ $found == 0 ]]; then
        echo "check_newsboat: FAIL: $url: no item's content contains: $text" >&2
        sqlite3 "$work/cache.db" 'select title, content from rss_item' >&2
        exit 1
    fi
fi
echo "check_newsboat: OK: $url: $count items${text:+, content shows: $text}"
