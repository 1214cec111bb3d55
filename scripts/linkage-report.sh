#!/usr/bin/env bash
# Reports what a Herald binary links and fails if it links Foundation's ICU-backed parts:
#   scripts/linkage-report.sh BINARY
# BINARY must be unstripped (the symbol check reads its symbol table). Exit 1 when a symbol of
# Foundation (the full module), FoundationInternationalization or ICU is found: one stray
# DateFormatter or String(format:) pulls in ~30 MB of ICU data.
set -euo pipefail
binary="${1:?usage: linkage-report.sh BINARY}"

echo "== $binary"
file -b "$binary" 2>/dev/null || true
echo "size: $(stat -c %s "$binary") bytes"
needed="$(readelf -d "$binary" 2>/dev/null | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p')"
interpreter="$(readelf -l "$binary" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')"
if [ -z "$needed" ] && [ -z "$interpreter" ]; then
  echo "dynamic libraries: none (fully static)"
else
  echo "interpreter: ${interpreter:-none}"
  echo "dynamic libraries (NEEDED):"
  printf '  %s\n' $needed
  echo "resolved here (ldd):"
  ldd "$binary" | sed 's/^/  /'
fi

symbols="$(nm --defined-only "$binary" 2>/dev/null || true)"
if [ -z "$symbols" ]; then
  echo "linkage-report.sh: $binary has no symbol table; pass the unstripped binary" >&2
  exit 2
fi
echo "defined symbols: $(printf '%s\n' "$symbols" | wc -l)"
# $s10Foundation: the Foundation module itself; 31FoundationInternationalization; ICU's C API
# (ucal_, udat_, unum_, ucol_, ubrk_, u_strTo…) as _FoundationICU exports it.
forbidden="$(printf '%s\n' "$symbols" | grep -E 's10Foundation|31FoundationInternationalization|_FoundationICU| (ucal|udat|unum|ucol|ubrk|uloc|ures)_[a-zA-Z]+' || true)"
if [ -n "$forbidden" ]; then
  echo "FAIL: Foundation/ICU symbols are linked ($(printf '%s\n' "$forbidden" | wc -l)); the first ones:" >&2
  printf '%s\n' "$forbidden" | head -20 >&2
  exit 1
fi
echo "Foundation/ICU symbols: none"
