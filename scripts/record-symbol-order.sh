#!/usr/bin/env bash
# Records which functions Herald executes and writes them, hottest first, to scripts/herald.order, the
# symbol-ordering file scripts/build-release.sh links with. Run it after larger code changes (functions
# added since the last recording are linked after the ordered ones, so RSS creeps up until then).
#
# Usage: scripts/record-symbol-order.sh   (needs valgrind: apt-get install valgrind)
#
# It records from the build that ships (scripts/build-release.sh static-executable, -Osize with the hot
# modules at -O): -Osize inlines and names functions differently from -O, so an order recorded from one
# build misses many of the other's functions (README, Memory). The binary is linked again with the new
# order at the end.
#
# What is recorded, under callgrind, on the unstripped release binary: `herald run` through the cluster
# benchmark's short mode (start-up, lists of 200 Alerts, 200 Providers and 3,000 Events, a burst of 2,000
# Events delivered over HTTP, shutdown), `herald replay` of the examples and of every provider type's
# example (examples/providers, rendered with --dry-run), `--help` and `--version`.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "record-symbol-order.sh: valgrind is needed (apt-get install valgrind)" >&2; exit 2; }

scripts/build-release.sh static-executable >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# valgrind cannot read the DWARF of this toolchain; the symbol table is all callgrind needs.
strip --strip-debug -o "$work/herald" .build-static-executable/release/herald
cat > "$work/herald-under-callgrind" <<WRAPPER
#!/bin/sh
exec valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/callgrind.%p" "$work/herald" "\$@"
WRAPPER
chmod +x "$work/herald-under-callgrind"

swift build --product herald-cluster-bench >&2
.build/debug/herald-cluster-bench --short "$work/herald-under-callgrind" -- --shutdown-timeout 1s >&2
"$work/herald-under-callgrind" replay --manifests examples/manifests --events examples/events.jsonl --dry-run >/dev/null 2>&1
"$work/herald-under-callgrind" replay --manifests examples/providers --events examples/events.jsonl --dry-run >/dev/null 2>&1 || true
"$work/herald-under-callgrind" replay --manifests examples/providers --events examples/providers/change-request-events.jsonl \
    --dry-run >/dev/null 2>&1 || true
"$work/herald-under-callgrind" --help >/dev/null 2>&1
"$work/herald-under-callgrind" --version >/dev/null 2>&1
# Functions of the previous order that this run did not see are kept after the recorded ones.
python3 scripts/symbol-order.py --previous scripts/herald.order "$work/herald" "$work"/callgrind.* > "$work/herald.order"
mv "$work/herald.order" scripts/herald.order
echo "scripts/herald.order: $(wc -l < scripts/herald.order) functions" >&2
scripts/build-release.sh static-executable >/dev/null
