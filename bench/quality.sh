#!/usr/bin/env bash
# Quality scorer: runs the real showfeed over the labelled sets under tests/quality/*/ (saved
# public feeds, materialized from fetched git mirrors) and prints tagging, season/episode,
# kind and story figures for the dev part, the test part and both.
#
# usage: bash bench/quality.sh [--set NAME]... [--part dev|test|all] [--json FILE]
#                              [--checks] [--no-misses]
#        bash bench/quality.sh items --set NAME [--file ID]   (label stubs, no showfeed run)
#
# Builds `cargo build --release` unless $SHOWFEED_BIN names a binary. The mirrors are read
# from $SHOWFEED_MIRRORS (default /work/.mirror); a missing one is named, and the run stops.
# See tests/quality/README.md for the label format and the conventions.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "items" ] && [ -z "${SHOWFEED_BIN:-}" ]; then
    cargo build --release --quiet --bin showfeed
    SHOWFEED_BIN="${CARGO_TARGET_DIR:-target}/release/showfeed"
fi
exec python3 bench/quality.py --bin "${SHOWFEED_BIN:-}" "$@"
