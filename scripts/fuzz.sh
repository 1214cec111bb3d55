#!/usr/bin/env bash
# Runs Herald's fuzz targets (Fuzz/FuzzTargets.swift) with libFuzzer and AddressSanitizer:
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# SECONDS per target (default 30, what CI gives each); targets default to all of them: json yaml event
# ingest cel regex. Each run starts from the seeds in Fuzz/seeds/TARGET and from what earlier runs on this
# machine found (kept outside the clone, in ${HERALD_FUZZ_CORPUS:-$TMPDIR/herald-fuzz-corpus}). A crash, a leak
# or a broken invariant stops the run with the input written to the corpus folder's crashes/ and a non-zero
# exit; replay it with `swift run herald-fuzz TARGET FILE`.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-30}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(json yaml event ingest cel regex)
corpus_root="${HERALD_FUZZ_CORPUS:-${TMPDIR:-/tmp}/herald-fuzz-corpus}"

# Every Swift module of the fuzz binary is instrumented; -parse-as-library and HERALD_LIBFUZZER make
# libFuzzer's driver the entry point (Fuzz/FuzzTargets.swift explains the hand-over).
swift build --product herald-fuzz --scratch-path .build-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DHERALD_LIBFUZZER >&2
binary=".build-fuzz/debug/herald-fuzz"

for target in "${targets[@]}"; do
    corpus="$corpus_root/$target"
    crashes="$corpus_root/crashes/$target"
    mkdir -p "$corpus" "$crashes"
    echo "== fuzz $target for ${seconds}s" >&2
    # -rss_limit_mb: memory that grows with an input is a finding too; -max_len keeps inputs near real sizes.
    log="$corpus_root/$target.log"
    status=0
    HERALD_FUZZ_TARGET="$target" "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 \
        -timeout=10 -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" "Fuzz/seeds/$target" >"$log" 2>&1 \
        || status=$?
    grep -E "^(Done [0-9]+ runs|stat::number_of_executed_units|==[0-9]+==ERROR|fuzz invariant|SUMMARY|Test unit written)" "$log" >&2 || true
    if [ "$status" -ne 0 ]; then
        tail -n 40 "$log" >&2
        echo "fuzz target $target failed (exit $status); the input is in $crashes" >&2
        exit 1
    fi
done
echo "fuzzing passed: ${targets[*]} (${seconds}s each)" >&2
