"""Reads callgrind outputs and prints the functions that ran, by instructions executed, hottest first:
one symbol name a line, as lld's --symbol-ordering-file reads it.

scripts/symbol-order.py [--previous ORDER BINARY] CALLGRIND-OUT...

With --previous, the functions of an earlier order that this recording did not see follow the recorded
ones: one recording misses functions a real run executes, and a missed function placed among cold code
costs a 64 KiB fault-around window of RSS (README, Memory). Only names BINARY (the recorded, unstripped
build) still defines are kept, so the file does not grow with functions that no longer exist.
"""
import collections
import re
import subprocess
import sys

arguments = sys.argv[1:]
previous = []
if arguments[:1] == ["--previous"]:
    symbols = subprocess.run(["nm", "--defined-only", "--format=just-symbols", arguments[2]],
                             capture_output=True, text=True, check=True).stdout
    defined = set(symbols.splitlines())
    with open(arguments[1]) as lines:
        previous = [line.strip() for line in lines if line.strip() in defined]
    arguments = arguments[3:]

cost = collections.Counter()
for path in arguments:
    names = {}  # callgrind writes a name once, then refers to it as (id)
    current = None
    with open(path, errors="replace") as lines:
        for line in lines:
            match = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
            if match:
                kind, ident, name = match.groups()
                if name:
                    # 'N marks a recursion level or a cycle, not another symbol
                    names[ident] = re.sub(r"'\d+$", "", name)
                if kind == "fn":
                    current = names.get(ident)
                cost[names.get(ident)] += 0
            elif current and line[:1].isdigit():
                fields = line.split()
                if len(fields) >= 2:
                    cost[current] += int(fields[1])
cost.pop(None, None)
printed = set()
for name, _ in cost.most_common():
    if not name.startswith("0x"):
        print(name)
        printed.add(name)
for name in previous:
    if name not in printed:
        print(name)
        printed.add(name)
