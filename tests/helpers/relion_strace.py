#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turn an `strace -f` log of a RELION-style scratch copy into the calls that compare.

    relion_strace.py --root NAME=PATH [--root ...] [--cwd DIR] [--from RE --to RE] TRACE

Keeps the calls of the copying threads (those that took a write lock with fcntl(F_SETLKW)),
and of them only those that name a path below a root (relative paths taken from --cwd, as the
program's working directory) or a descriptor opened from one, in order, one a line: paths as
NAME/rel, descriptors as <NAME/rel>, data, addresses and stat contents left out, flags, sizes,
offsets, lock requests and results kept. With --from and --to, only the calls between a line
matching the first and the next line matching the second (relion_refine's "Copying particles"
and "For optics_group" messages, traced with -s 40).

A root PATH may contain '*' for one path component. A root named LOCALTIME (the zone file)
prints every look at it as a stat() by path: glibc opens and reads it at a process's first
localtime() and only stats it at the later ones, and which localtime() is the first differs
between programs (relion_refine's first is in the copy, ours may come before it).
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import strace_normalize as sn  # noqa: E402


# Their quoted argument is data, not a path.
DATA_CALLS = {"read", "write", "pread64", "pwrite64", "readv", "writev"}


def events_between(path, start, end):
    """The trace's calls, limited to the window between start and end (regexes) when given."""
    if not start:
        return list(sn.parse_trace(path))
    rx_start, rx_end = re.compile(start), re.compile(end)
    keep, inside = [], False
    tmp = path + ".window"
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            if not inside and rx_start.search(line):
                inside = True
                continue
            if inside and rx_end.search(line):
                break
            if inside:
                keep.append(line)
    with open(tmp, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.writelines(keep)
    try:
        return list(sn.parse_trace(tmp))
    finally:
        os.unlink(tmp)


def absolute(p, cwd):
    if p.startswith("/") or cwd is None:
        return p
    return os.path.normpath(os.path.join(cwd, p))


def normalize(events, roots, cwd):
    copiers = {tid for tid, name, args, _ in events
               if name == "fcntl" and len(args) > 1 and args[1] == "F_SETLKW"}
    fds, out = {}, []
    for tid, name, args, res in events:
        if tid not in copiers:
            continue
        keep, drop, new = False, False, list(args)
        for i, a in enumerate(args):
            p = sn.unquote(a) if name not in DATA_CALLS else None
            if not p:
                continue
            mapped = roots.map(absolute(p, cwd))
            if mapped is not None:
                new[i] = '"%s"' % mapped
                keep = True
                drop = mapped == "LOCALTIME" and name != "newfstatat"
        fd_pos = [0] if name in sn.FD_FIRST else []
        for i in fd_pos:
            if i < len(args) and args[i].isdigit() and int(args[i]) in fds:
                new[i] = "<%s>" % fds[int(args[i])]
                keep = True
                drop = drop or fds[int(args[i])] == "LOCALTIME"
        r = sn.result(res)
        if name in ("openat", "open") and r.isdigit():
            target = next((sn.unquote(a) for a in new if sn.unquote(a) is not None), "?")
            fds[int(r)] = target
            r = "FD"
        if name == "close" and args and args[0].isdigit():
            fds.pop(int(args[0]), None)
        if name in ("openat", "open") and new and any(a == '"LOCALTIME"' for a in new):
            out.append('newfstatat(AT_FDCWD, "LOCALTIME", 0) = 0')
            continue
        if not keep or drop:
            continue
        if name in ("newfstatat", "fstat", "stat", "lstat", "statx"):
            new = [a for a in new if not a.startswith("{") and not a.startswith("0x")]
        elif name in ("read", "write"):
            new = [new[0]] + new[2:]
        elif name == "fcntl":
            new = [re.sub(r",\s*l_pid=\d+", "", a) for a in new]
        out.append("%s(%s) = %s" % (name, ", ".join(new), r))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", action="append", default=[], metavar="NAME=PATH")
    ap.add_argument("--cwd", help="the traced program's working directory")
    ap.add_argument("--from", dest="start", help="regex: the calls after this line")
    ap.add_argument("--to", dest="end", help="regex: the calls before this line")
    ap.add_argument("trace")
    a = ap.parse_args()
    if not a.root:
        ap.error("at least one --root is needed")
    if bool(a.start) != bool(a.end):
        ap.error("--from and --to go together")
    calls = normalize(events_between(a.trace, a.start, a.end), sn.Roots(a.root), a.cwd)
    if not calls:
        print("relion_strace: no copying thread's calls in %s" % a.trace, file=sys.stderr)
        return 1
    print("\n".join(calls))
    return 0


if __name__ == "__main__":
    sys.exit(main())
