#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# tests/helpers/make_inputs.py PROJECT N: write the metadata of a job naming the first N stacks of a gen
# set, as RELION and CryoSPARC do: Select/job001/particles.star (RELION 3.1 layout, one row per
# particle, NNNNNN@path) and J9/J9_particles.cs (numpy.save of a particle structured array).
# Also writes PROJECT/default_pipeline.star (marks a RELION project) and prints the stacks named.
import os
import struct
import sys

import numpy as np

proj, n = sys.argv[1], int(sys.argv[2])
stacks = sorted(os.path.relpath(os.path.join(d, f), proj)
                for d, _, fs in os.walk(proj) for f in fs if f.endswith((".mrc", ".mrcs")))[:n]
rows = []
for s in stacks:
    with open(os.path.join(proj, s), "rb") as f:
        nz = struct.unpack("<i", f.read(12)[8:12])[0]
    rows += [(s, i) for i in range(nz)]

os.makedirs(os.path.join(proj, "Select/job001"), exist_ok=True)
with open(os.path.join(proj, "Select/job001/particles.star"), "w") as f:
    f.write("\n# version 30001\n\ndata_optics\n\nloop_ \n_rlnOpticsGroupName #1 \n"
            "_rlnOpticsGroup #2 \nopticsGroup1 1 \n\n\n# version 30001\n\ndata_particles\n\n"
            "loop_ \n_rlnCoordinateX #1 \n_rlnImageName #2 \n_rlnMicrographName #3 \n"
            "_rlnOpticsGroup #4 \n")
    for s, i in rows:
        f.write("%12.6f %06d@%s %s 1 \n" % (100.0 + i, i + 1, s, "MotionCorr/" + s))
    f.write("\n")
with open(os.path.join(proj, "default_pipeline.star"), "w") as f:
    f.write("\n# version 30001\n\ndata_pipeline_general\n\n_rlnPipeLineJobCounter 2\n")

width = max(len(s) for s, _ in rows)
dt = np.dtype([("uid", "<u8"), ("blob/path", "S%d" % width), ("blob/idx", "<u4"),
               ("blob/shape", "<u4", (2,)), ("blob/psize_A", "<f4"), ("blob/sign", "<f4"),
               ("blob/import_sig", "<u8"), ("ctf/type", "S6"), ("ctf/df1_A", "<f4"),
               ("ctf/shift_A", "<f4", (2,))])
a = np.zeros(len(rows), dtype=dt)
a["uid"] = np.arange(len(rows), dtype=np.uint64) * 7919 + 12345
a["blob/path"] = [s.encode() for s, _ in rows]
a["blob/idx"] = [i for _, i in rows]
a["blob/sign"] = -1
a["ctf/type"] = b"spline"
os.makedirs(os.path.join(proj, "J9"), exist_ok=True)
with open(os.path.join(proj, "J9/J9_particles.cs"), "wb") as f:
    np.save(f, a)
for s in stacks:
    print(s)
