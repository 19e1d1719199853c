#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Rewrite the particles.star that `cryocache-bench gen` writes into the variants RELION meets.

    relion_star.py [--groups N] [--shuffle SEED] [--duplicate K] [--relion30] IN OUT

--groups N     N optics groups, the stacks dealt to them in turn; the optics table lists them
               from N down to 1, so RELION renumbers them (its sortOpticsGroups)
--shuffle SEED the particle rows in a seeded random order (RELION sorts them by micrograph)
--duplicate K  row K (from 1) written twice in a row: RELION copies that image once
--relion30     RELION 3.0 layout: no data_optics, the optics columns on every row and the
               block named data_ (the groups are what RELION 3.1's converter makes of them)
"""

import argparse
import random


def read_star(path):
    """(optics values of group 1, particle rows as [image, micrograph])."""
    optics_labels, optics_row, rows = [], None, []
    block = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            t = line.split()
            if not t:
                continue
            if t[0].startswith("data_"):
                block = t[0][5:]
            elif t[0].startswith("_rln"):
                if block == "optics":
                    optics_labels.append(t[0])
            elif t[0] != "loop_" and not t[0].startswith("#"):
                if block == "optics":
                    optics_row = t
                elif block == "particles":
                    rows.append(t[:2])
    return dict(zip(optics_labels, optics_row)), rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--groups", type=int, default=1)
    ap.add_argument("--shuffle", type=int)
    ap.add_argument("--duplicate", type=int)
    ap.add_argument("--relion30", action="store_true")
    ap.add_argument("inp")
    ap.add_argument("out")
    a = ap.parse_args()

    optics, rows = read_star(a.inp)
    stacks = []
    for image, _ in rows:
        stack = image.split("@", 1)[1]
        if stack not in stacks:
            stacks.append(stack)
    group_of = {s: i % a.groups + 1 for i, s in enumerate(stacks)}
    if a.shuffle is not None:
        random.Random(a.shuffle).shuffle(rows)
    if a.duplicate:
        rows.insert(a.duplicate, list(rows[a.duplicate - 1]))

    out = []
    if a.relion30:
        # The 3.0 converter groups particles by their optics values: the voltage tells them apart.
        out += ["", "data_", "", "loop_ ", "_rlnImageName #1 ", "_rlnMicrographName #2 ",
                "_rlnVoltage #3 ", "_rlnSphericalAberration #4 ", "_rlnAmplitudeContrast #5 ",
                "_rlnDetectorPixelSize #6 ", "_rlnMagnification #7 "]
        for image, mic in rows:
            g = group_of[image.split("@", 1)[1]]
            out.append("%s %s %.1f 2.7 0.1 %s 10000.0 " % (
                image, mic, 300.0 - 100.0 * (g - 1), optics["_rlnImagePixelSize"]))
    else:
        labels = list(optics)
        out += ["", "# version 30001", "", "data_optics", "", "loop_ "]
        out += ["%s #%d " % (l, i + 1) for i, l in enumerate(labels)]
        for g in range(a.groups, 0, -1):
            vals = dict(optics, _rlnOpticsGroupName="opticsGroup%d" % g, _rlnOpticsGroup=str(g))
            out.append(" ".join(vals[l] for l in labels) + " ")
        out += ["", "", "# version 30001", "", "data_particles", "", "loop_ ",
                "_rlnImageName #1 ", "_rlnMicrographName #2 ", "_rlnOpticsGroup #3 "]
        for image, mic in rows:
            out.append("%s %s %d " % (image, mic, group_of[image.split("@", 1)[1]]))
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n\n")


if __name__ == "__main__":
    main()
