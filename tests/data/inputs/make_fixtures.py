#!/usr/bin/python3
# make_fixtures.py - writes the .cs fixtures of tests/unit/test_csfile.c with numpy itself (run once;
# the outputs are committed). Fields follow a CryoSPARC particle .cs (cryosparc-tools conftest).
import os
import subprocess
import sys

import numpy as np
from numpy.lib import format as npf

PATHS = [b"J30/extract/0085_particles.mrc"] * 3 + [b"J30/extract/0086_particles.mrc"] * 2


def particles(path_dtype, paths):
    dt = np.dtype([("uid", "<u8"), ("blob/path", path_dtype), ("blob/idx", "<u4"),
                   ("blob/shape", "<u4", (2,)), ("blob/psize_A", "<f4"), ("blob/sign", "<f4"),
                   ("ctf/type", "S6"), ("ctf/shift_A", "<f4", (2,)), ("ctf/tetra_A", "<f4", (4,))])
    a = np.zeros(len(paths), dtype=dt)
    a["uid"] = np.arange(len(paths)) + 10**18
    a["blob/path"] = paths
    a["blob/idx"] = [0, 1, 2, 0, 1][: len(paths)]
    a["blob/shape"] = [448, 448]
    a["blob/psize_A"] = 0.83
    a["blob/sign"] = -1
    a["ctf/type"] = b"spline"
    return a


a = particles("S%d" % max(len(p) for p in PATHS), PATHS)
np.save("particles-v1.cs", a)  # np.save appends .npy to names without it, so rename below

os.replace("particles-v1.cs.npy", "particles-v1.cs")
with open("particles-v2.cs", "wb") as f:
    npf.write_array(f, a, version=(2, 0))
u = particles("<U40", [p.decode().replace("0086", "\u00e9t\u00e9") for p in PATHS])
with open("particles-v3-unicode.cs", "wb") as f:
    npf.write_array(f, u, version=(3, 0))
b = particles(">U40", [p.decode() for p in PATHS])
with open("particles-bigendian-u.cs", "wb") as f:
    npf.write_array(f, b, version=(1, 0))
with open("truncated.cs", "wb") as f:
    data = open("particles-v1.cs", "rb").read()
    f.write(data[:-7])
# The compressed stream twins, with the test writer that follows cryosparc-tools' layout.
here = os.path.dirname(os.path.abspath(__file__))
writer = os.path.join(here, "..", "..", "csdat_write.py")
subprocess.check_call([sys.executable, writer, "particles-v1.cs", "particles-csdat.cs"])
subprocess.check_call([sys.executable, writer, "particles-v3-unicode.cs", "particles-csdat-unicode.cs"])
