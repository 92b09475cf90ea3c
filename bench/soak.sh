#!/usr/bin/env bash
# The soak benchmark (bench/soak.py): builds in release, runs the daemon against feeds that
# keep changing until retention has pruned several times, and plots its RSS (bench/soak.svg).
# usage: bench/soak.sh [N=500] [SECONDS=900] [MAX_ENTRIES=8000] [PRUNE_EVERY=60s]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin showfeed
python3 bench/soak.py "$PWD/target/release/showfeed" "$@"
