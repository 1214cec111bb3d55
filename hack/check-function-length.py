#!/usr/bin/env python3
"""Fails when a function, initializer or deinitializer in Sources is longer than the limit.

Herald keeps functions short enough to read in one screen (60 lines, from the declaration to its
closing brace). swift-format has no such rule, so this script measures it: it blanks comments and
string literals, then matches braces from each `func`/`init`/`deinit` declaration. A declaration
without a body (a protocol requirement) is skipped.

Usage: hack/check-function-length.py [--limit N] [PATH ...]   (default: 60, Sources)
"""

import argparse
import pathlib
import re
import sys

MODIFIERS = (
    r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*"
    r"(?:(?:public|private|fileprivate|internal|package|open|static|class|final|override|mutating|nonmutating"
    r"|nonisolated|convenience|required|dynamic|consuming|borrowing|distributed|prefix|postfix|infix|lazy|weak|unowned)"
    r"(?:\([^)]*\))?\s+)*"
)
# Functions, initializers, subscripts, and computed properties (`var name: Type {` with no `=`).
DECLARATION = re.compile(
    MODIFIERS + r"(func\s+[^\s(<]+|init[?!]?|deinit|subscript|var\s+\w+(?=\s*:[^=]*\{\s*$))(?=[\s(<{:]|$)"
)


def blank_literals(lines):
    """Each line with comments and the contents of string literals removed, so braces inside them
    do not count. Handles //, nested /* */, "...", \"\"\" blocks and string interpolation."""
    out = []
    block_depth = 0
    in_multiline = False
    for line in lines:
        kept = []
        i = 0
        while i < len(line):
            if block_depth:
                if line.startswith("*/", i):
                    block_depth -= 1
                    i += 2
                elif line.startswith("/*", i):
                    block_depth += 1
                    i += 2
                else:
                    i += 1
                continue
            if in_multiline:
                end = line.find('"""', i)
                if end < 0:
                    break
                in_multiline = False
                i = end + 3
                continue
            if line.startswith('"""', i):
                in_multiline = True
                i += 3
            elif line.startswith("//", i):
                break
            elif line.startswith("/*", i):
                block_depth += 1
                i += 2
            elif line[i] == '"':
                i = skip_string(line, i + 1)
            else:
                kept.append(line[i])
                i += 1
        out.append("".join(kept))
    return out


def skip_string(line, i):
    """The index just past the closing quote of a one-line string starting at `i`.

    Raw strings (`#"..."#`) with an odd number of inner quotes, and regex literals with braces, are not
    understood; none is in Sources today, and a miscount shows as a wrong length, not a silent pass."""
    while i < len(line):
        if line[i] == "\\":
            if line.startswith("\\(", i):
                depth = 0
                i += 1
                while i < len(line):
                    depth += {"(": 1, ")": -1}.get(line[i], 0)
                    i += 1
                    if depth == 0:
                        break
                continue
            i += 2
            continue
        if line[i] == '"':
            return i + 1
        i += 1
    return i


def body_end(clean, start):
    """The line of the closing brace of the body opened after `start`, or None when there is no body.

    Only a brace outside the parameter list opens the body: a default closure argument does not."""
    depth = 0
    opened = False
    parens = 0
    for j in range(start, len(clean)):
        text = clean[j]
        if j > start and not opened and parens == 0 and DECLARATION.match(text):
            return None  # the next declaration began: this one had no body
        for ch in text:
            if not opened:
                if ch in "([":
                    parens += 1
                elif ch in ")]":
                    parens -= 1
                elif ch == "{" and parens == 0:
                    depth = 1
                    opened = True
                elif ch == "}" and parens == 0:
                    return None  # the enclosing type closed: a requirement without a body
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    return j
    return None


def long_functions(path, limit):
    clean = blank_literals(path.read_text(encoding="utf-8").split("\n"))
    for index, text in enumerate(clean):
        match = DECLARATION.match(text)
        if not match:
            continue
        end = body_end(clean, index)
        if end is not None and end - index + 1 > limit:
            yield end - index + 1, f"{path}:{index + 1}", match.group(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("paths", nargs="*", default=["Sources"])
    arguments = parser.parse_args()
    found = []
    checked = 0
    for root in arguments.paths:
        files = [pathlib.Path(root)] if root.endswith(".swift") else sorted(pathlib.Path(root).rglob("*.swift"))
        for path in files:
            if not path.is_file():
                continue
            checked += 1
            found.extend(long_functions(path, arguments.limit))
    if checked == 0:
        print(f"no Swift files under {', '.join(arguments.paths)}", file=sys.stderr)
        return 2
    for length, location, name in sorted(found, reverse=True):
        print(f"{location}: {name} is {length} lines (limit {arguments.limit})", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
