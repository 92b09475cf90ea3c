#!/usr/bin/env bash
# Runs showfeed's cargo-fuzz targets, one after another, each for a bounded time.
#
#   bash fuzz/run.sh                 # every target, FUZZ_SECONDS (default 60) each
#   FUZZ_SECONDS=600 bash fuzz/run.sh ingest query
#
# Environment:
#   FUZZ_SECONDS     seconds per target (default 60)
#   FUZZ_TOOLCHAIN   rustup toolchain with -Zsanitizer support (default nightly)
#   SHOWFEED_CORPUS  optional: directory of real and malformed feeds (../shared/corpus), read
#                    in place as an extra, read-only corpus for the ingest target
#   FUZZ_ARGS        optional: extra libFuzzer flags, e.g. "-only_ascii=1"
#   FUZZ_CORPUS_DIR  optional: where the learned corpus goes (default fuzz/corpus; relative
#                    paths are from the repository root)
#
# Seeds are in fuzz/seeds/<target>/; what a run learns goes to $FUZZ_CORPUS_DIR/<target>/
# (libFuzzer also saves there the SHOWFEED_CORPUS files that add coverage, truncated to
# -max_len) and crashes to fuzz/artifacts/<target>/; both are gitignored. One target runs at a
# time; a crash ends that target's run and the next one starts. Not part of CI: it needs a nightly
# toolchain and takes minutes. Exits non-zero when any crash artifact exists: minimize it with
# `cargo +nightly fuzz tmin <target> <artifact>` and turn it into a test in
# tests/it/fuzz_regressions.rs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
extra_corpus=""
if [[ -n "${SHOWFEED_CORPUS:-}" ]]; then
    if [[ -d "$SHOWFEED_CORPUS" ]]; then
        extra_corpus="$(cd "$SHOWFEED_CORPUS" && pwd)"
    else
        echo "SHOWFEED_CORPUS=$SHOWFEED_CORPUS is not a directory; ignored" >&2
    fi
fi
cd "$root"

seconds="${FUZZ_SECONDS:-60}"
toolchain="${FUZZ_TOOLCHAIN:-nightly}"
all_targets=(config ingest query query_lang)
if (($# > 0)); then
    targets=("$@")
else
    targets=("${all_targets[@]}")
fi
for t in "${targets[@]}"; do
    if [[ ! -f "$here/fuzz_targets/$t.rs" ]]; then
        echo "unknown fuzz target '$t' (have: ${all_targets[*]})" >&2
        exit 2
    fi
done
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds < 1)); then
    echo "FUZZ_SECONDS must be a positive integer, got '$seconds'" >&2
    exit 2
fi

if ! rustup run "$toolchain" rustc --version >/dev/null 2>&1; then
    echo "the '$toolchain' toolchain is needed: rustup toolchain install $toolchain" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz ..."
    cargo install cargo-fuzz --locked
fi

# Largest input per target: a whole feeds.toml; most feeds (bigger ones are truncated on
# load, which still exercises truncated-document paths); a query a bit over MAX_QUERY_LEN.
max_len() {
    case "$1" in
        config) echo 16384 ;;
        ingest) echo 131072 ;;
        query) echo 4200 ;;
        query_lang) echo 1024 ;;
    esac
}

logs="$here/target/fuzz-logs"
mkdir -p "$logs"
declare -A status
for t in "${targets[@]}"; do
    corpus="${FUZZ_CORPUS_DIR:-$here/corpus}/$t"
    mkdir -p "$corpus" "$here/artifacts/$t"
    dirs=("$corpus" "$here/seeds/$t")
    if [[ "$t" == ingest && -n "$extra_corpus" ]]; then
        dirs+=("$extra_corpus")
    fi
    echo "=== fuzzing $t for ${seconds}s (corpus: ${dirs[*]})"
    log="$logs/$t.log"
    # libFuzzer writes new inputs only to the first directory; the others are read-only.
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
    if cargo "+$toolchain" fuzz run --target-dir "$here/target" "$t" "${dirs[@]}" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -max_len="$(max_len "$t")" -print_final_stats=1 \
        -artifact_prefix="$here/artifacts/$t/" ${FUZZ_ARGS:-} 2>&1 | tee "$log"; then
        status[$t]=ok
    else
        status[$t]="exit ${PIPESTATUS[0]}"
    fi
done

echo
echo "=== summary (${seconds}s per target)"
printf '%-8s %-10s %12s %8s %8s %8s %s\n' target result runs cov ft corpus crashes
crashed=0
for t in "${targets[@]}"; do
    log="$logs/$t.log"
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n1 || true)"
    last="$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -n1 || true)"
    cov="$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*' || true)"
    ft="$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*' || true)"
    corp="$(grep -o 'corp: [0-9]*' <<<"$last" | grep -o '[0-9]*' || true)"
    crashes="$(find "$here/artifacts/$t" -type f | wc -l)"
    if ((crashes > 0)); then
        crashed=1
    fi
    printf '%-8s %-10s %12s %8s %8s %8s %s\n' "$t" "${status[$t]}" "${runs:--}" "${cov:--}" \
        "${ft:--}" "${corp:--}" "$crashes"
    find "$here/artifacts/$t" -type f -printf '           %p\n'
done
if ((crashed)); then
    echo "crash artifacts found: minimize with 'cargo +$toolchain fuzz tmin <target> <file>'," \
        "then add a test to tests/it/fuzz_regressions.rs" >&2
    exit 1
fi
