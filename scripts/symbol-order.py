"""Reads callgrind outputs and prints the functions that ran, by instructions executed, hottest first:
one symbol name a line, as lld's --symbol-ordering-file reads it."""
import collections
import re
import sys

cost = collections.Counter()
for path in sys.argv[1:]:
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
for name, _ in cost.most_common():
    if not name.startswith("0x"):
        print(name)
