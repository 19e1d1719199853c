#!/usr/bin/env python3
# make-fixtures.py - writes the compare fixtures: results.json documents in the shape `sweep`
# writes (runs with strategy, threads, mb_s, aborted, errors; host; source; destination), a
# baseline and one current document per case. Run it in this folder; the output is committed.
import json

# Five runs per cell; the spread (about 1-2 %) is what a quiet NVMe node shows.
JITTER = [1.000, 0.985, 1.012, 0.993, 1.007]
JITTER2 = [0.996, 1.010, 0.988, 1.004, 1.001]


def doc(cells, jitter=JITTER, schema="cryocache-bench/1", runs_per_cell=5, **host):
    h = {"hostname": "gpu07", "kernel": "6.1.0-27-amd64", "machine": "x86_64",
         "cpu_model": "AMD EPYC 7543 32-Core Processor", "cores": 64, "mem_bytes": 540000000000}
    h.update(host)
    d = {
        "schema": schema,
        "tool": {"name": "cryocache-bench", "version": "0.1.0",
                 "features": {"liburing": True, "strategies": ["shutil", "rw", "uring"]}},
        "started": "2026-11-26T01:00:00Z", "finished": "2026-11-26T01:30:00Z",
        "host": h,
        "source": {"path": "/nfs/proj/P12", "fs_type": "nfs4", "mount_point": "/nfs/proj",
                   "mount_source": "fs1:/proj", "mount_options": "rw,vers=4.2,rsize=1048576",
                   "devices": [], "files": 40, "bytes": 2000000000},
        "destination": {"path": "/scratch/cache", "fs_type": "xfs", "mount_point": "/scratch",
                        "mount_source": "/dev/nvme0n1", "mount_options": "rw,noatime",
                        "devices": ["nvme0n1"]},
        "params": {"strategies": "shutil,uring", "threads": "2,8", "repeats": "5"},
        "warnings": [], "runs": [],
    }
    seq = 0
    for (strategy, threads), median in cells.items():
        for r in range(runs_per_cell):
            seq += 1
            mb_s = round(median * jitter[r % len(jitter)], 1)
            d["runs"].append({"seq": seq, "strategy": strategy, "threads": threads,
                              "repeat": r + 1, "files": 40, "bytes": 2000000000,
                              "seconds_durable": round(2000 / mb_s, 6), "mb_s": mb_s,
                              "cold": {"method": "drop_caches", "residency_pct": 0.0,
                                       "threshold_pct": 5.0, "cold": True},
                              "aborted": False, "warnings": [], "errors": []})
    return d


BASE = {("shutil", 2): 400.0, ("shutil", 8): 1200.0, ("uring", 8): 2500.0}


def with_cell(cells, key, median):
    c = dict(cells)
    c[key] = median
    return c


def write(name, d):
    with open(name, "w") as f:
        json.dump(d, f, indent=1)
        f.write("\n")


base = doc(BASE)
# An aborted run and a failed one in the baseline: not measurements, only failed_runs.
base["runs"].append(dict(base["runs"][0], seq=99, repeat=6, aborted=True, mb_s=10.0))
base["runs"].append(dict(base["runs"][0], seq=100, repeat=7, errors=["no space"], mb_s=5.0))
write("base.json", base)

# shutil at 8 threads 20 % slower; the rest as before (other noise).
write("regression.json", doc(with_cell(BASE, ("shutil", 8), 960.0), jitter=JITTER2))
# Within the noise: medians 1 % apart, runs interleaved.
write("noise.json", doc({k: v * 1.01 for k, v in BASE.items()}, jitter=JITTER2))
# uring 25 % faster.
write("improvement.json", doc(with_cell(BASE, ("uring", 8), 3125.0), jitter=JITTER2))
# uring 8 missing, rw 4 new.
m = dict(BASE)
del m[("uring", 8)]
m[("rw", 4)] = 1500.0
write("missing.json", doc(m, jitter=JITTER2))
write("schema2.json", doc(BASE, jitter=JITTER2, schema="cryocache-bench/2"))
write("other-cpu.json", doc(BASE, jitter=JITTER2, cpu_model="Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz"))
k = doc(BASE, jitter=JITTER2, kernel="6.12.0-1-amd64")
k["destination"]["mount_options"] = "rw,relatime"
write("other-kernel.json", k)
write("few.json", doc(with_cell(BASE, ("shutil", 8), 600.0), jitter=JITTER2, runs_per_cell=3))
