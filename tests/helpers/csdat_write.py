#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# tests/helpers/csdat_write.py IN.cs OUT.cs: rewrite a NumPy-format .cs as cryosparc-tools'
# compressed stream (Dataset.stream(compression="lz4"), CSDAT_FORMAT), following its layout:
# b"\x95CSDAT", u32 LE header size, JSON header {length, dtype, compression,
# compressed_fields}, then per field a u32 LE size and the column bytes (LZ4 blocks, as
# LZ4_compress_fast writes them, for every field but uid; string columns become u8 offsets into
# the string heap), then the heap: b"\0" (the empty string) and each distinct string + b"\0".
import json
import struct
import sys

import lz4.block
import numpy as np

a = np.load(sys.argv[1], allow_pickle=False)
heap = bytearray(b"\0")
interned = {b"": 0}


def intern(s):
    if s not in interned:
        interned[s] = len(heap)
        heap.extend(s + b"\0")
    return interned[s]


dtype = []
columns = []
for name in a.dtype.names:
    ft, _ = a.dtype.fields[name]
    col = a[name]
    if ft.kind in "SU":
        enc = [(v if isinstance(v, bytes) else v.encode()) for v in col.tolist()]
        dtype.append([name, "|O"])
        columns.append(np.array([intern(v) for v in enc], dtype="<u8").tobytes())
    else:
        base = ft.base if ft.shape else ft
        entry = [name, base.str]
        if ft.shape:
            entry.append(list(ft.shape))
        dtype.append(entry)
        columns.append(np.ascontiguousarray(col).tobytes())
compressed = [f[0] for f in dtype if f[0] != "uid"]
header = json.dumps({"length": len(a), "dtype": dtype, "compression": "lz4",
                     "compressed_fields": compressed}).encode()
with open(sys.argv[2], "wb") as out:
    out.write(b"\x95CSDAT" + struct.pack("<I", len(header)) + header)
    if len(a):
        for (name, *_), data in zip(dtype, columns):
            if name in compressed:
                data = lz4.block.compress(data, mode="fast", acceleration=1000, store_size=False)
            out.write(struct.pack("<I", len(data)) + data)
    out.write(bytes(heap))
