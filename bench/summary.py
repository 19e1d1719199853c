#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench/summary.py - the table the comparison scripts end with.

    summary.py LOG BYTES CONTENDER/REFERENCE...

LOG is a tab-separated file with a header naming at least contender, threads, copied_s and
durable_s; BYTES the bytes every run copied. Prints, per contender and thread count, the
median, min and max of the copied and the durable MB/s (10^6 B/s), then for each pair and
thread count the ratio of the medians and whether the two min-max ranges overlap.
"""
import csv
import statistics
import sys

log, nbytes, pairs = sys.argv[1], int(sys.argv[2]), [p.split("/") for p in sys.argv[3:]]
cells = {}
for r in csv.DictReader(open(log), delimiter="\t"):
    cells.setdefault((r["contender"], int(r["threads"])), []).append(
        (nbytes / float(r["copied_s"]) / 1e6, nbytes / float(r["durable_s"]) / 1e6))


def med(k, i):
    return statistics.median(v[i] for v in cells[k])


def rng(k, i):
    return min(v[i] for v in cells[k]), max(v[i] for v in cells[k])


def apart(a, r, i):
    """Disjoint min-max ranges: the medians differ by more than either side's spread."""
    if min(len(cells[a]), len(cells[r])) < 2:
        return "one run"
    (a0, a1), (r0, r1) = rng(a, i), rng(r, i)
    return "ranges apart" if a1 < r0 or r1 < a0 else "ranges overlap"


width = max([len("contender")] + [len(k[0]) for k in cells])
print(f"{'contender':{width}} {'N':>3} {'runs':>4} "
      f"{'copied MB/s med [min-max]':>28} {'durable MB/s med [min-max]':>28}")
for k in sorted(cells, key=lambda k: (k[1], k[0])):
    c, d = rng(k, 0), rng(k, 1)
    print(f"{k[0]:{width}} {k[1]:>3} {len(cells[k]):>4} "
          f"{med(k, 0):10.0f} {f'[{c[0]:.0f}-{c[1]:.0f}]':>17} "
          f"{med(k, 1):10.0f} {f'[{d[0]:.0f}-{d[1]:.0f}]':>17}")
print()
for n in sorted({k[1] for k in cells}):
    for name, ref in pairs:
        a, r = (name, n), (ref, n)
        if a in cells and r in cells:
            print(f"N={n}: {name}/{ref} copied {med(a, 0) / med(r, 0):.3f} ({apart(a, r, 0)}), "
                  f"durable {med(a, 1) / med(r, 1):.3f} ({apart(a, r, 1)})")
