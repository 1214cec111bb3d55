#!/usr/bin/env bash
# Builds Herald's release binary (linked by lld in a recorded code order) and strips it:
# scripts/build-release.sh [VARIANT] [-O]
#
#   static-executable  (default) one fully static ELF: the Swift runtime, glibc, libstdc++,
#                      libyaml and zlib linked in. Runs in an empty (scratch) image.
#   static-stdlib      the Swift runtime linked in; glibc, libstdc++, libgcc_s, libz and
#                      libyaml stay shared libraries.
#
# Every module is compiled for size (-Osize) except the hot path, which Package.swift keeps at -O
# (HeraldJSON, HeraldCore, HeraldAgent): 1.6 MiB smaller and 1.4 MiB less RSS than all -O, at the same
# routing throughput (README, Memory). `-O` builds everything for speed instead, into
# dist/herald-VARIANT-O, to measure one against the other. About 8 minutes on 2 cores, most of it LTO;
# SwiftPM has kept stale object files when only flags changed, so measure flag changes on a clean folder.
#
# The unstripped binary stays in the build folder (.build-VARIANT[-O]) for scripts/linkage-report.sh and
# scripts/module-sizes.py; the stripped one is written to dist/herald-VARIANT[-O] and its size printed.
set -euo pipefail
cd "$(dirname "$0")/.."

variant="${1:-static-executable}"
optimize="${2:-}"
case "$variant" in
  static-executable) link=(-Xswiftc -static-executable) ;;
  static-stdlib) link=(--static-swift-stdlib) ;;
  *) echo "build-release.sh: unknown variant '$variant' (static-executable or static-stdlib)" >&2; exit 2 ;;
esac
case "$optimize" in
  "") extra=(-Xswiftc -Osize); suffix="" ;;
  -O) extra=(); suffix="-O" ;;
  *) echo "build-release.sh: unknown option '$optimize' (only -O)" >&2; exit 2 ;;
esac

# Code layout: lld places the functions that a recorded run executed (scripts/herald.order, made by
# scripts/record-symbol-order.sh) next to each other, hottest first, and folds identical functions. Code
# pages enter RSS in fault-around windows, so packing the executed code is what shrinks RSS (README, Memory).
# Functions added since the recording are placed after the ordered ones; --no-warn-symbol-ordering keeps
# the names that no longer exist quiet.
layout=(-Xswiftc -use-ld=lld -Xlinker --icf=all
    -Xlinker "--symbol-ordering-file=$PWD/scripts/herald.order" -Xlinker --no-warn-symbol-ordering)

# Every function and datum in a section of its own: Swift's frontend gives only public functions their own
# section unless asked, and SwiftPM compiles C and C++ (both BoringSSL copies) without. Then the linker drops
# what nothing reaches (SwiftPM links release executables with --gc-sections) and places the recorded
# functions one by one instead of dragging in every internal function of the same source file.
sections=(-Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections -Xcc -fdata-sections)
# Whole-program LTO, with the Swift runtime records (conformances, type metadata) of types nothing uses
# made droppable and public symbols internalised at link: the linker then removes the dead generic code and
# metadata of the dependencies too. 3.3 MiB smaller and 1 MiB less RSS, same throughput (README, Memory).
lto=(--experimental-lto-mode=full -Xswiftc -Xfrontend -Xswiftc -conditional-runtime-records
    -Xswiftc -Xfrontend -Xswiftc -internalize-at-link)

scratch=".build-${variant}${suffix}"
built="$(swift build -c release --product herald --scratch-path "$scratch" "${link[@]}" "${sections[@]}" "${lto[@]}" "${layout[@]}" "${extra[@]}" --show-bin-path)/herald"
# SwiftPM does not track the ordering file as a link input: remove the binary so a new order is linked.
rm -f "$built"
swift build -c release --product herald --scratch-path "$scratch" "${link[@]}" "${sections[@]}" "${lto[@]}" "${layout[@]}" "${extra[@]}" >&2
mkdir -p dist
out="dist/herald-${variant}${suffix}"
strip --strip-all -o "$out" "$built"
echo "$built (unstripped): $(stat -c %s "$built") bytes" >&2
echo "$out (stripped): $(stat -c %s "$out") bytes" >&2
echo "$out"
