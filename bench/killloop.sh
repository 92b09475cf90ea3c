#!/usr/bin/env bash
# The full crash-safety loop: 100 SIGKILLs at random moments (startup, polls, writes), then
# a check that nothing served was lost or duplicated. CI runs a 12-kill version.
set -euo pipefail
cd "$(dirname "$0")/.."
SHOWFEED_KILLS=${1:-100} cargo test --locked --test it crash -- --nocapture 2>&1 | grep -E "crash loop|test result"
