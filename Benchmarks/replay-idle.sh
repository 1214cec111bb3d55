#!/usr/bin/env bash
# Idle memory of `herald replay --events -`: the Flux guide's manifests loaded, standard input open and
# nothing on it yet, as when a pipe feeds Herald events one at a time.
#
# Usage: Benchmarks/replay-idle.sh [BINARY]   (default dist/herald-static-executable)
#
# Prints VmRSS and RssAnon from /proc/PID/status three seconds after the start, with the binary already in
# the page cache (one run of --version first).
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-dist/herald-static-executable}"
[ -x "$binary" ] || { echo "replay-idle.sh: no binary at $binary (scripts/build-release.sh static-executable)" >&2; exit 2; }
"$binary" --version >/dev/null
"$binary" replay --manifests examples/manifests --events - --dry-run < <(sleep 6) >/dev/null 2>&1 &
pid=$!
sleep 3
rss=$(awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
anon=$(awk '/^RssAnon:/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
wait "$pid"
echo "herald replay --events - idle ($binary): VmRSS $rss MiB, RssAnon $anon MiB"
