#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turn an `strace -f -s 0` log of a copy into per-file system call sequences that compare.

    strace_normalize.py --root NAME=PATH [--root NAME=PATH ...] TRACE

Only the copying threads are kept: those that issued sendfile or copy_file_range (both sides
of a comparison call one of them for every file, even when it fails). Of their calls, only
those that name a path below a root, or a file descriptor opened from one, are kept, so the
program's own work (listing, cache dropping, logging) falls away. Each kept call is printed with
paths relative to their root's NAME, descriptors replaced by the path they were opened from,
addresses, stat contents and data left out, and the arguments and results that matter kept:
flags, modes, sizes, offsets, blocksizes, returned counts and errno names.

The calls are cut into one block per source file: a block starts at the first call that names
a source file other than the previous one. Blocks are printed sorted by that file, each under a
"== rel/path" line, so that two programs copying the same files in any order compare with diff.

A root PATH may contain '*' to stand for one path component (the scratch directory's random
name). The first root (conventionally SRC) names the source files.
"""

import argparse
import re
import sys

LINE = re.compile(r"^(\d+)\s+(.*)$")
RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>\s?(.*)$")
CALL = re.compile(r"^(\w+)\((.*)\)\s+=\s+(.*?)\s*$")
FD_FIRST = {"read", "write", "close", "lseek", "ioctl", "newfstatat", "fstat", "statx",
            "fadvise64", "fsync", "fdatasync", "ftruncate", "fallocate", "pread64", "pwrite64",
            "readv", "writev", "mmap", "getdents64", "fcntl", "flock", "syncfs", "mkdirat",
            "openat", "unlinkat", "fchmod", "fchown", "futimesat", "utimensat"}


def split_args(s):
    """Split an strace argument list at top-level commas."""
    out, depth, cur, quote, esc = [], 0, [], False, False
    for ch in s:
        if quote:
            cur.append(ch)
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                quote = False
            continue
        if ch == '"':
            quote = True
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if cur or out:
        out.append("".join(cur).strip())
    return out


def parse_trace(path):
    """(tid, name, args, result) for every completed call, unfinished ones joined."""
    pending = {}
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for raw in f:
            m = LINE.match(raw.rstrip("\n"))
            if not m:
                continue
            tid, rest = int(m.group(1)), m.group(2)
            if rest.endswith("<unfinished ...>"):
                pending[tid] = rest[: -len("<unfinished ...>")].rstrip()
                continue
            r = RESUMED.match(rest)
            if r:
                head = pending.pop(tid, None)
                if head is None:
                    continue
                sep = "" if head.endswith("(") else " "
                rest = head + sep + r.group(2)
            c = CALL.match(rest)
            if c:
                yield tid, c.group(1), split_args(c.group(2)), c.group(3)


class Roots:
    def __init__(self, specs):
        self.roots = []
        for spec in specs:
            name, sep, path = spec.partition("=")
            if not sep or not name or not path:
                raise SystemExit("strace_normalize: --root wants NAME=PATH, not %r" % spec)
            pattern = "[^/]*".join(re.escape(p) for p in path.rstrip("/").split("*"))
            self.roots.append((name, re.compile("^" + pattern + "(?=/|$)")))
        self.src_name = self.roots[0][0] if self.roots else None

    def map(self, path):
        """NAME/rel for a path below a root, else None."""
        for name, rx in self.roots:
            m = rx.match(path)
            if m:
                return name + path[m.end():]
        return None


def unquote(arg):
    if len(arg) >= 2 and arg[0] == '"' and arg[-1] == '"':
        return arg[1:-1]
    return None


def result(res):
    """'-1 ENOENT (No such file...) (INJECTED)' -> '-1 ENOENT'; numbers stay."""
    res = res.replace("(INJECTED)", "").strip()
    m = re.match(r"^(-1) (E\w+)", res)
    if m:
        return "%s %s" % (m.group(1), m.group(2))
    return res.split(" ")[0]


def normalize(events, roots):
    events = list(events)
    workers = {tid for tid, name, _, _ in events if name in ("sendfile", "copy_file_range")}
    fds = {}
    blocks = {}
    order = []
    cur = None

    for tid, name, args, res in events:
        if tid not in workers:
            continue
        keep = False
        src_rel = None
        out = list(args)

        # Paths: any quoted argument that lies below a root.
        for i, a in enumerate(args):
            p = unquote(a)
            if p is None or not p:
                continue
            mapped = roots.map(p)
            if mapped is not None:
                out[i] = '"%s"' % mapped
                keep = True
                if mapped.startswith(roots.src_name + "/"):
                    src_rel = mapped[len(roots.src_name) + 1:]

        # Descriptors: the first argument of fd calls, and both fds of the copy calls.
        fd_pos = []
        if name in FD_FIRST:
            fd_pos = [0]
        if name == "sendfile":
            fd_pos = [0, 1]
        if name == "copy_file_range":
            fd_pos = [0, 2]
        for i in fd_pos:
            if i < len(args) and args[i].isdigit() and int(args[i]) in fds:
                out[i] = "<%s>" % fds[int(args[i])]
                keep = True

        if not keep:
            continue

        # Drop what differs between runs but does not describe the call.
        if name in ("newfstatat", "fstat", "stat", "lstat", "statx"):
            out = [a for a in out if not a.startswith("{") and not a.startswith("0x")]
        elif name == "ioctl":
            out = out[:2]
        elif name in ("read", "write"):
            out = [out[0]] + out[2:]

        r = result(res)
        if name in ("openat", "open") and r.isdigit():
            path = next((unquote(a) for a in out if unquote(a) is not None), "?")
            fds[int(r)] = path
            r = "FD"
        if name == "close" and args and args[0].isdigit():
            fds.pop(int(args[0]), None)

        if src_rel is not None and src_rel != cur:
            cur = src_rel
            if cur not in blocks:
                blocks[cur] = []
                order.append(cur)
        key = cur if cur is not None else "(before any source file)"
        blocks.setdefault(key, []).append("%s(%s) = %s" % (name, ", ".join(out), r))
    return blocks


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", action="append", default=[], metavar="NAME=PATH",
                   help="map paths below PATH to NAME (the first names the sources)")
    p.add_argument("trace")
    a = p.parse_args()
    if not a.root:
        p.error("at least one --root is needed")
    blocks = normalize(parse_trace(a.trace), Roots(a.root))
    if not blocks:
        print("strace_normalize: no copying thread in %s" % a.trace, file=sys.stderr)
        return 1
    for rel in sorted(blocks):
        print("== %s" % rel)
        for call in blocks[rel]:
            print(call)
    return 0


if __name__ == "__main__":
    sys.exit(main())
