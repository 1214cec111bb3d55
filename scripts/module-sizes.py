#!/usr/bin/env python3
"""Sizes of an unstripped binary's functions and data, grouped by the Swift module that defines them.

scripts/module-sizes.py [BINARY] [N]

BINARY defaults to .build-static-executable/release/herald (scripts/build-release.sh keeps it unstripped).
Prints the N largest groups (default 30) in KiB. Swift symbols are grouped by the module in their mangled
name ($s<length><Module>…); symbols mangled in the standard library's short forms ($sS…, $ss…) are
"Swift (stdlib types)", which includes generic code specialised in other modules; C++ symbols are "C++";
BoringSSL's prefixed symbols are named by their copy; other C symbols are "C". Sizes come from
`nm --size-sort -S`, so they cover what the symbol table names: sections without symbols (.eh_frame,
most of .rodata's strings) are listed separately from `size -A`.
"""
import re
import subprocess
import sys
from collections import Counter

binary = sys.argv[1] if len(sys.argv) > 1 else ".build-static-executable/release/herald"
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 30
SWIFT = re.compile(r"^_?\$s(\d+)([A-Za-z_][A-Za-z0-9_]*)")


def group(name: str) -> str:
    match = SWIFT.match(name)
    if match:
        length = int(match.group(1))
        return match.group(2)[:length]
    if name.startswith(("$sS", "$ss", "_$sS", "_$ss")):
        return "Swift (stdlib types)"
    if name.startswith("$s"):
        return "Swift (other)"
    if name.startswith("_Z"):
        return "C++"
    for prefix in ("CCryptoBoringSSL", "CNIOBoringSSL"):
        if name.startswith(prefix):
            return prefix
    return "C"


sizes: Counter = Counter()
nm = subprocess.run(["nm", "--size-sort", "-S", binary], capture_output=True, text=True, check=True)
# "ADDRESS SIZE TYPE NAME"; lines without a size are skipped, and names may contain spaces.
SIZED = re.compile(r"^[0-9a-f]+ ([0-9a-f]+) \S (.+)$")
for line in nm.stdout.splitlines():
    sized = SIZED.match(line)
    if sized:
        sizes[group(sized.group(2))] += int(sized.group(1), 16)
total = sum(sizes.values())
print(f"{binary}: {total / 1048576:.1f} MiB in named symbols")
for name, size in sizes.most_common(limit):
    print(f"{size / 1024:9.0f} KiB  {name}")
print("sections:")
for line in subprocess.run(["size", "-A", binary], capture_output=True, text=True, check=True).stdout.splitlines():
    parts = line.split()
    if len(parts) >= 2 and parts[0].startswith(".") and parts[1].isdigit() and int(parts[1]) >= 256 * 1024:
        print(f"{int(parts[1]) / 1024:9.0f} KiB  {parts[0]}")
