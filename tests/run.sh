#!/usr/bin/env bash
# The test suite on a fresh machine, with nothing run before: installs the real clients the
# tests drive (feedparser, newsboat, chromium, systemd-analyze, the feed validator's and the
# JSON Feed schema's Python modules; .ci/clients.sh, as root on
# Debian), then runs every test. Extra arguments go to `cargo test`.
#
# Optional real material, read in place: SHOWFEED_CORPUS (a directory of feed files: every
# one is polled, nothing may panic or hang, the output must stay well-formed) and
# SHOWFEED_FEEDVALIDATOR (the W3C feed validator's folder: our Atom and RSS must pass it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/clients.sh
cargo test --locked "$@"
