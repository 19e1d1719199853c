#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check RELION-style scratch stacks against a particles .star, independently of the C code.

    relion_expect.py STAR PROJECT VOLATILE [--left N]

What RELION 3.1's scratch copy must leave in VOLATILE (the relion_volatile folder) for the .star
STAR, whose stack paths start at PROJECT: the particles sorted by rlnMicrographName (stable),
each optics group's images (the groups numbered by their row in data_optics, or for a RELION 3.0
file by the distinct optics values) in opticsgroup<N>_particles.mrcs, a particle with the same
name and group as the one before it once, every image the float32 of its source image. The
stacks are opened with mrcfile (which must accept their headers) and compared with numpy. With
--left N, N images are expected to be missing (what the free-space rule left in place); each
stack must then hold the first of its images.
Prints one line per stack; exits 1 on any difference.
"""

import argparse
import os
import sys

import mrcfile
import numpy as np

OPTICS_30 = ["_rlnAmplitudeContrast", "_rlnBeamTiltX", "_rlnBeamTiltY",
             "_rlnSphericalAberration", "_rlnVoltage", "_rlnDetectorPixelSize",
             "_rlnMagnification"]


def blocks(path):
    """{block name: (labels, rows)} of the loops in a STAR file (enough for RELION's own)."""
    out, name, labels, rows = {}, None, None, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            t = line.split()
            if not t or t[0].startswith("#"):
                continue
            if t[0].startswith("data_"):
                name, labels, rows = t[0][5:], [], []
                out[name] = (labels, rows)
            elif t[0] == "loop_":
                continue
            elif t[0].startswith("_"):
                labels.append(t[0])
            else:
                rows.append(t)
    return out


def plan(star):
    """[(image name, group from 1)] in RELION's order."""
    b = blocks(star)
    if "optics" in b and b["optics"][1]:
        ol, orows = b["optics"]
        og = ol.index("_rlnOpticsGroup")
        group_of = {}
        for i, r in enumerate(orows):
            group_of[r[og]] = i + 1
        labels, rows = b["particles"]
        gcol = labels.index("_rlnOpticsGroup")
        group = [group_of[r[gcol]] for r in rows]
    else:
        labels, rows = next(v for k, v in b.items() if "_rlnImageName" in v[0])
        cols = [labels.index(l) for l in OPTICS_30 if l in labels]
        seen, group = [], []
        for r in rows:
            key = tuple(float(r[c]) for c in cols)
            if key not in seen:
                seen.append(key)
            group.append(seen.index(key) + 1)
    img = labels.index("_rlnImageName")
    order = list(range(len(rows)))
    if "_rlnMicrographName" in labels:
        mic = labels.index("_rlnMicrographName")
        order.sort(key=lambda i: rows[i][mic])
    return [(rows[i][img], group[i]) for i in order]


def source_image(project, name):
    no, path = name.split("@", 1)
    path = path if path.startswith("/") else os.path.join(project, path)
    with mrcfile.mmap(path, mode="r", permissive=False) as m:
        return np.array(m.data[max(int(no), 1) - 1], dtype=np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("star")
    ap.add_argument("project")
    ap.add_argument("volatile")
    ap.add_argument("--left", type=int, default=0)
    a = ap.parse_args()

    want, prev = {}, None
    for name, g in plan(a.star):
        if (name, g) != prev:
            want.setdefault(g, []).append(name)
        prev = (name, g)
    bad = 0
    total_found = total_want = 0
    for g in sorted(want):
        path = os.path.join(a.volatile, "opticsgroup%d_particles.mrcs" % g)
        names = want[g]
        total_want += len(names)
        if not os.path.exists(path):
            print("group %d: no stack, %d images expected" % (g, len(names)))
            continue
        with mrcfile.open(path, mode="r", permissive=False) as m:
            data = m.data
            if m.header.mode != 2 or data.dtype != np.float32:
                print("%s: mode %d, dtype %s" % (path, m.header.mode, data.dtype))
                bad += 1
                continue
            if data.ndim == 2:
                data = data[np.newaxis]
            found = data.shape[0]
            total_found += found
            if found > len(names):
                print("%s: %d images, %d expected" % (path, found, len(names)))
                bad += 1
                continue
            for k in range(found):
                src = source_image(a.project, names[k])
                if src.shape != data[k].shape or src.tobytes() != data[k].tobytes():
                    print("%s: image %d differs from %s" % (path, k + 1, names[k]))
                    bad += 1
            print("group %d: %d of %d images, identical to their sources as float32"
                  % (g, found, len(names)))
    if total_want - total_found != a.left:
        print("%d images missing, %d expected missing" % (total_want - total_found, a.left))
        bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
