#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/helpers/check_layers.py SRCDIR - hold src/ to its layers (docs/architecture.md).

Every `#include "..."` under SRCDIR names a file by its path below src/ (`lib/util.h`). A file may
include only its own layer and the layers below it; modules (a .c and its .h, named alike) must
not include each other in a circle; no file is longer than MAX_FILE_LINES and no function longer
than MAX_FUNCTION_LINES. Each breach is printed on its own line, naming the file and what it
broke; the exit status is 1 when there is any, else 0.
"""
import os
import re
import sys

# The layers, lowest first: the one place this order is written down.
LAYERS = ["lib", "analysis", "sys", "dataset", "copy", "bench", "report", "cli"]
MAX_FILE_LINES = 1000
MAX_FUNCTION_LINES = 120

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(rel):
    top = rel.split("/", 1)[0]
    return LAYERS.index(top) if top in LAYERS and "/" in rel else None


def module_of(rel):
    return os.path.splitext(rel)[0]


def functions(lines):
    """(name, first line, length) of each function defined at the top level, kernel style: a
    line that is exactly '{' after a signature that starts at column 0, up to the next '}'."""
    out = []
    i = 0
    while i < len(lines):
        if lines[i] == "{" and i > 0:
            start = i - 1
            while start > 0 and lines[start].startswith(("\t", " ")):
                start -= 1
            m = re.search(r"(\w+)\s*\(", " ".join(lines[start:i]))
            j = i + 1
            while j < len(lines) and lines[j] != "}":
                j += 1
            if m:
                out.append((m.group(1), i + 1, j - i - 1))
            i = j
        i += 1
    return out


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "src"
    problems = []
    deps = {}
    files = []
    for root, _, names in os.walk(src):
        for n in sorted(names):
            if n.endswith((".c", ".h")):
                files.append(os.path.relpath(os.path.join(root, n), src))
    for rel in sorted(files):
        mine = layer_of(rel)
        if mine is None:
            problems.append(f"src/{rel}: not inside a layer folder ({', '.join(LAYERS)})")
            continue
        with open(os.path.join(src, rel), encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        if len(lines) > MAX_FILE_LINES:
            problems.append(f"src/{rel}: {len(lines)} lines, more than {MAX_FILE_LINES}")
        for name, at, length in functions(lines):
            if length > MAX_FUNCTION_LINES:
                problems.append(f"src/{rel}:{at}: function {name}() has {length} lines, "
                                f"more than {MAX_FUNCTION_LINES}")
        for no, line in enumerate(lines, 1):
            m = INCLUDE.match(line)
            if not m or m.group(1) == "config.h":
                continue
            inc = m.group(1)
            theirs = layer_of(inc)
            if theirs is None or not os.path.exists(os.path.join(src, inc)):
                problems.append(f"src/{rel}:{no}: includes \"{inc}\", which is not a header "
                                f"below src/ named by its layer folder")
                continue
            if theirs > mine:
                problems.append(f"src/{rel}:{no}: includes \"{inc}\": layer {LAYERS[mine]} may "
                                f"not include the layer above it, {LAYERS[theirs]}")
            if module_of(inc) != module_of(rel):
                deps.setdefault(module_of(rel), set()).add(module_of(inc))
    # circles between modules: depth-first search, reporting each circle once
    state = {}
    stack = []
    seen_cycles = set()

    def visit(m):
        state[m] = 1
        stack.append(m)
        for d in sorted(deps.get(m, ())):
            if state.get(d) == 1:
                cyc = stack[stack.index(d):] + [d]
                key = frozenset(cyc)
                if key not in seen_cycles:
                    seen_cycles.add(key)
                    problems.append("include circle: " + " -> ".join(f"src/{c}" for c in cyc))
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(deps):
        if m not in state:
            visit(m)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
