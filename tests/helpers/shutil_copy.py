#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Copy particle stacks the way CryoSPARC does, with the Python that runs this script.

    shutil_copy.py [--threads N] [--all-files] [--mode MODE] SRC DST

copies every .mrc/.mrcs below SRC (every regular file with --all-files) to the same relative
path below DST with shutil.copyfile in a concurrent.futures.ThreadPoolExecutor of N threads,
and prints one JSON line: seconds, bytes, files, threads, mode and the Python version.

Modes:
  copyfile  (default) CryoSPARC v4.3+: folders are made first, outside the clock, then one
            shutil.copyfile per file.
  legacy    CryoSPARC before v4.3: per file os.path.getsize(src),
            os.makedirs(os.path.dirname(dst), exist_ok=True), shutil.copyfile(src, dst).
  py314     shutil.copyfile as CPython 3.14 does it, rebuilt from the 3.14 source on this Python:
            copy_file_range first, then sendfile, then copyfileobj with 256 KiB reads, and
            open() without the isatty ioctl and with max(min(st_blksize, 8 MiB), 128 KiB)
            buffers, and BufferedWriter's 3.13 rule for whole buffers. Only regular files are
            expected (3.14 would still call isatty on a character device; this rebuild does
            not look).

The file list matches cryocache-bench's: sorted by relative path, symlinks to folders not
followed, the generator's manifest left out. This is both the reference of the strace test and
a benchmark helper for comparing with `cryocache-bench run --strategy shutil`.
"""

import argparse
import concurrent.futures
import errno
import io
import json
import os
import shutil
import stat
import sys
import time

GEN_MANIFEST = ".cryocache-gen.json"


def list_files(root, all_files):
    """(relative path, size) of the files to copy, in cryocache-bench's order."""
    found = []

    def walk(path, rel):
        with os.scandir(path) as it:
            entries = list(it)
        for e in entries:
            child = e.name if not rel else rel + "/" + e.name
            if e.is_dir(follow_symlinks=False):
                walk(e.path, child)
                continue
            try:
                st = os.stat(e.path)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode) or child == GEN_MANIFEST:
                continue
            if all_files or os.path.splitext(e.name)[1].lower() in (".mrc", ".mrcs"):
                found.append((child, st.st_size))

    walk(root, "")
    found.sort(key=lambda f: f[0].encode("utf-8", "surrogateescape"))
    return found


# ---- CPython 3.14's shutil.copyfile, rebuilt for an older Python -----------------------------

PY314_COPY_BUFSIZE = 256 * 1024
PY314_DEFAULT_BUFFER_SIZE = 128 * 1024
_py314_use_sendfile = True


class _GiveUp(Exception):
    """shutil._GiveupOnFastCopy: nothing was copied, try the next way."""


class _WholeBuffersWriter(io.BufferedWriter):
    """BufferedWriter with the 3.13+ rule on a Python before 3.13.

    Since 3.13 a write of a whole buffer or more goes to the file at once (after what is
    buffered); before, one of exactly a buffer was kept until the next write or close().
    Smaller writes follow the same rule in both, so they are left to the real class.
    """

    def __init__(self, raw, size):
        super().__init__(raw, size)
        self._whole = size

    def write(self, b):
        with memoryview(b) as mv:
            n = len(mv)
            if n < self._whole:
                return super().write(mv)
            self.flush()
            done = 0
            while n - done >= self._whole:
                done += self.raw.write(mv[done:])
            if done < n:
                super().write(mv[done:])
            return n


def _py314_open(path, mode):
    """open(path, 'rb'/'wb') as 3.14 does it: FileIO, no isatty, the Buffered object."""
    raw = io.FileIO(path, mode)
    try:
        size = max(min(raw._blksize, 8192 * 1024), PY314_DEFAULT_BUFFER_SIZE)
        if "r" in mode:
            return io.BufferedReader(raw, size)
        if sys.version_info < (3, 13):
            return _WholeBuffersWriter(raw, size)
        return io.BufferedWriter(raw, size)
    except BaseException:
        raw.close()
        raise


def _py314_blocksize(infd):
    try:
        blocksize = max(os.fstat(infd).st_size, 2 ** 23)
    except OSError:
        blocksize = 2 ** 27
    if sys.maxsize < 2 ** 32:
        blocksize = min(blocksize, 2 ** 30)
    return blocksize


def _py314_giveup_or_raise(err, outfd, offset):
    if err.errno == errno.ENOSPC:
        raise err
    if offset == 0 and os.lseek(outfd, 0, os.SEEK_CUR) == 0:
        raise _GiveUp() from err
    raise err


def _py314_copy_file_range(fsrc, fdst):
    infd, outfd = fsrc.fileno(), fdst.fileno()
    blocksize = _py314_blocksize(infd)
    offset = 0
    while True:
        try:
            n = os.copy_file_range(infd, outfd, blocksize, offset_dst=offset)
        except OSError as err:
            _py314_giveup_or_raise(err, outfd, offset)
        if n == 0:
            if offset == 0:
                raise _GiveUp()
            return
        offset += n


def _py314_sendfile(fsrc, fdst):
    global _py314_use_sendfile
    infd, outfd = fsrc.fileno(), fdst.fileno()
    blocksize = _py314_blocksize(infd)
    offset = 0
    while True:
        try:
            sent = os.sendfile(outfd, infd, offset, blocksize)
        except OSError as err:
            if err.errno == errno.ENOTSOCK:
                _py314_use_sendfile = False
                raise _GiveUp() from err
            _py314_giveup_or_raise(err, outfd, offset)
        if sent == 0:
            return
        offset += sent


def py314_copyfile(src, dst):
    try:
        same = os.path.samefile(src, dst)
    except OSError:
        same = False
    if same:
        raise shutil.SameFileError("{!r} and {!r} are the same file".format(src, dst))
    for fn in (src, dst):
        try:
            st = os.stat(fn)
        except OSError:
            continue
        if stat.S_ISFIFO(st.st_mode):
            raise shutil.SpecialFileError("`%s` is a named pipe" % fn)
    with _py314_open(src, "rb") as fsrc:
        try:
            with _py314_open(dst, "wb") as fdst:
                try:
                    _py314_copy_file_range(fsrc, fdst)
                    return dst
                except _GiveUp:
                    pass
                if _py314_use_sendfile:
                    try:
                        _py314_sendfile(fsrc, fdst)
                        return dst
                    except _GiveUp:
                        pass
                shutil.copyfileobj(fsrc, fdst, PY314_COPY_BUFSIZE)
        except IsADirectoryError as e:
            if not os.path.exists(dst):
                raise FileNotFoundError(f"Directory does not exist: {dst}") from e
            raise
    return dst


# ---- the benchmark -----------------------------------------------------------------------------

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", "-j", type=int, default=2,
                   help="worker threads (CRYOSPARC_CACHE_NUM_THREADS, default 2)")
    p.add_argument("--all-files", action="store_true",
                   help="copy every regular file, not only .mrc/.mrcs")
    p.add_argument("--mode", choices=("copyfile", "legacy", "py314"), default="copyfile")
    p.add_argument("src")
    p.add_argument("dst")
    a = p.parse_args()
    if a.threads < 1:
        p.error("--threads must be at least 1")
    if a.mode == "py314" and not hasattr(os, "copy_file_range"):
        p.error("--mode py314 needs os.copy_file_range (Linux, Python 3.8+)")

    files = list_files(a.src, a.all_files)
    jobs = [(os.path.join(a.src, rel), os.path.join(a.dst, rel)) for rel, _ in files]
    if a.mode != "legacy":
        # Made before the clock, as cryocache-bench does for every strategy but legacy.
        for d in sorted({os.path.dirname(dst) for _, dst in jobs}):
            os.makedirs(d, exist_ok=True)

    if a.mode == "legacy":
        def copy(job):
            src, dst = job
            os.path.getsize(src)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(src, dst)
    elif a.mode == "py314":
        def copy(job):
            py314_copyfile(*job)
    else:
        def copy(job):
            shutil.copyfile(*job)

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.threads) as pool:
        for _ in pool.map(copy, jobs):
            pass
    seconds = time.monotonic() - t0
    print(json.dumps({
        "seconds": round(seconds, 6),
        "bytes": sum(size for _, size in files),
        "files": len(files),
        "threads": a.threads,
        "mode": a.mode,
        "python": "%d.%d.%d" % sys.version_info[:3],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
