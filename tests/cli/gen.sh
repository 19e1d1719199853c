#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/gen.sh - gen writes valid MRC2014 stacks in a CryoSPARC layout that mrcfile reads back,
# the same bytes from the same seed, noise that neither compresses nor deduplicates, and it
# never writes into a folder holding anything else.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python mrcfile numpy

# check_set DIR MODE BOX MIN-MAX STACKS JOBS APIX: every file of the set, read back by mrcfile.
cat >"$ccb_tmp/check_set.py" <<'PYEOF'
import io, json, os, re, sys, zlib
import mrcfile, numpy as np

root, mode, box, prange, stacks, jobs, apix = sys.argv[1:8]
mode, box, stacks, jobs, apix = int(mode), int(box), int(stacks), int(jobs), float(apix)
pmin, pmax = (int(x) for x in prange.split("-"))
dtype = {1: np.int16, 2: np.float32, 12: np.float16}[mode]
bad = []
def check(ok, what):
    if not ok:
        bad.append(what)

name_re = re.compile(r"^J[0-9]+/extract/[0-9]{21}_FoilHole_[0-9]+_Data_[0-9]+_[0-9]+_"
                     r"20[0-9]{6}_[0-9]{6}_fractions_patch_aligned_doseweighted_particles\.mrcs$")
files = []
for d, dirs, names in os.walk(root):
    for n in names:
        rel = os.path.relpath(os.path.join(d, n), root)
        # the manifest and the job metadata (tests/cli/inputs.sh reads those) are not stacks
        if rel not in (".cryocache-gen.json", "particles.star", "particles.cs"):
            files.append(rel)
files.sort()
check(len(files) == stacks, "%d stacks, expected %d" % (len(files), stacks))
for rel in files:
    check(name_re.match(rel), "unexpected file '%s'" % rel)
nr_jobs = len({f.split("/")[0] for f in files})
check(nr_jobs == min(jobs, stacks), "%d job folders, expected %d" % (nr_jobs, min(jobs, stacks)))

manifest = json.load(open(os.path.join(root, ".cryocache-gen.json")))
listed = {f["path"]: f for f in manifest["files"]}
check(sorted(listed) == files, "the manifest lists other files than the set holds")
check(manifest["params"]["box"] == box and manifest["params"]["mode"] == mode,
      "manifest params %s" % manifest["params"])

nzs, ratios = [], []
for rel in files:
    path = os.path.join(root, rel)
    out = io.StringIO()
    if not mrcfile.validate(path, print_file=out):
        bad.append("%s is not valid MRC2014:\n%s" % (rel, out.getvalue()))
        continue
    raw = open(path, "rb").read()
    check(raw[208:216][:6] == b"MAP \x44\x44",
          "%s: MAP id or machine stamp %r" % (rel, raw[208:216]))
    with mrcfile.open(path) as m:
        h, data = m.header, m.data
        nz = int(h.nz)
        nzs.append(nz)
        check((int(h.nx), int(h.ny), int(h.mode)) == (box, box, mode),
              "%s: %dx%d mode %d" % (rel, h.nx, h.ny, h.mode))
        check(pmin <= nz <= pmax, "%s: %d particles, outside %d-%d" % (rel, nz, pmin, pmax))
        check(data.dtype == dtype and data.shape == (nz, box, box),
              "%s: data %s %s" % (rel, data.dtype, data.shape))
        check((int(h.mx), int(h.my), int(h.mz), int(h.ispg)) == (box, box, 1, 0),
              "%s: MX/MY/MZ/ISPG %d %d %d %d" % (rel, h.mx, h.my, h.mz, h.ispg))
        check((int(h.mapc), int(h.mapr), int(h.maps)) == (1, 2, 3), "%s: axes" % rel)
        check(int(h.nversion) == 20140 and int(h.nsymbt) == 0, "%s: nversion/nsymbt" % rel)
        vs = m.voxel_size
        check(np.allclose([vs.x, vs.y, vs.z], apix, rtol=1e-6), "%s: voxel size %s" % (rel, vs))
        check(len(raw) == 1024 + int(h.nsymbt) + box * box * nz * data.itemsize,
              "%s: %d bytes for %d particles" % (rel, len(raw), nz))
        check(listed[rel]["size"] == len(raw) and listed[rel]["particles"] == nz,
              "%s: manifest says %s" % (rel, listed[rel]))
        d64 = data.astype(np.float64)
        check(np.isfinite(d64).all(), "%s: NaN or Inf in the data" % rel)
        # min and max are exact; mean and deviation computed in float64 like numpy's
        check(float(h.dmin) == d64.min() and float(h.dmax) == d64.max(),
              "%s: header min/max %g %g, data %g %g" % (rel, h.dmin, h.dmax, d64.min(), d64.max()))
        check(np.isclose(float(h.dmean), d64.mean(), rtol=1e-5, atol=1e-6 * d64.std()),
              "%s: header mean %r, data %r" % (rel, float(h.dmean), d64.mean()))
        check(np.isclose(float(h.rms), d64.std(), rtol=1e-5),
              "%s: header rms %r, data %r" % (rel, float(h.rms), d64.std()))
        # noise with random low bits: a quantised or constant generator fails here
        low = data.view(np.uint16 if data.itemsize == 2 else np.uint32) & 1
        check(0.45 < low.mean() < 0.55,
              "%s: lowest bit set in %.3f of the pixels" % (rel, low.mean()))
        check(d64.std() > 0 and d64.min() < 0 < d64.max(), "%s: not noise around 0" % rel)
    ratios.append((len(zlib.compress(raw, 1)) / len(raw), rel))
check(stacks < 3 or len(set(nzs)) > 1, "every stack has %s particles" % nzs[:1])
worst = min(ratios)
print("mode %d: gzip -1 keeps at least %.3f of a stack (%d stacks)" % (mode, worst[0], len(ratios)))
# measured: float32 0.93, int16 0.98, float16 0.92; zeros or a repeated block compress to ~0
check(worst[0] > 0.88, "%s compresses to %.3f of its size" % (worst[1], worst[0]))
if bad:
    print("\n".join(bad), file=sys.stderr)
    sys.exit(1)
PYEOF
check_set() {
	"$PY" "$ccb_tmp/check_set.py" "$@" || fail "set '$1' does not hold what gen was asked for"
}

# no_shared_blocks DIR...: no two 4 KiB blocks (at file offsets) equal, across all the sets.
no_shared_blocks() {
	"$PY" - "$@" <<'PYEOF' || fail "a 4 KiB block occurs twice in $*"
import hashlib, os, sys
seen, n = {}, 0
for root in sys.argv[1:]:
    for d, _, names in sorted(os.walk(root)):
        for name in sorted(names):
            path = os.path.join(d, name)
            if d == root and name in (".cryocache-gen.json", "particles.star", "particles.cs"):
                continue
            with open(path, "rb") as f:
                off = 0
                while len(block := f.read(4096)) == 4096:
                    key = hashlib.sha256(block).digest()
                    if key in seen:
                        sys.exit("%s at %d equals %s at %d" % (path, off, *seen[key]))
                    seen[key] = (path, off)
                    off += 4096
                    n += 1
print("%d blocks, all different" % n)
PYEOF
}

set5=$ccb_tmp/seed5
note "float32 set: layout, headers, statistics, sizes"
expect_ok "$CCB" gen --stacks 7 --job-dirs 3 --box 48 --particles 5-40 --apix 1.25 --seed 5 "$set5"
[ ! -s "$ccb_tmp/out" ] || fail "gen wrote to stdout: $(cat "$ccb_tmp/out")"
grep -Eq "generated 7 stacks, [0-9]+ particles, .* MB/s" "$ccb_tmp/err" ||
	fail "no summary line on stderr: $(cat "$ccb_tmp/err")"
check_set "$set5" 2 48 5-40 7 3 1.25

note "same seed, another thread count: byte-identical"
expect_ok "$CCB" gen --stacks 7 --job-dirs 3 --box 48 --particles 5-40 --apix 1.25 --seed 5 \
	--threads 1 "$ccb_tmp/again"
same_tree "$set5" "$ccb_tmp/again"
same_tree "$ccb_tmp/again" "$set5"
rm -rf "$ccb_tmp/again"

note "another seed: other names and other data"
expect_ok "$CCB" gen --stacks 7 --job-dirs 3 --box 48 --particles 5-40 --apix 1.25 --seed 6 \
	"$ccb_tmp/seed6"
(cd "$set5" && find . -name '*.mrcs') | sort >"$ccb_tmp/names5"
(cd "$ccb_tmp/seed6" && find . -name '*.mrcs') | sort >"$ccb_tmp/names6"
[ -z "$(comm -12 "$ccb_tmp/names5" "$ccb_tmp/names6")" ] || fail "seeds 5 and 6 share file names"

note "int16 and float16"
expect_ok "$CCB" gen --stacks 4 --job-dirs 2 --box 40 --particles 30-50 --mode 1 "$ccb_tmp/int16"
check_set "$ccb_tmp/int16" 1 40 30-50 4 2 1.0
expect_ok "$CCB" gen --stacks 4 --job-dirs 2 --box 40 --particles 30-50 --mode 12 --apix 0.83 \
	"$ccb_tmp/float16"
check_set "$ccb_tmp/float16" 12 40 30-50 4 2 0.83
no_shared_blocks "$set5" "$ccb_tmp/seed6" "$ccb_tmp/int16" "$ccb_tmp/float16"

note "--total: stacks are added until the set holds the total, and no more"
expect_ok "$CCB" gen --total 300K --box 32 --particles 5-9 --job-dirs 2 "$ccb_tmp/total"
expect_json "$ccb_tmp/total/.cryocache-gen.json" \
	"d['bytes'] == sum(f['size'] for f in d['files'])" \
	"d['bytes'] >= 300 * 1024 > d['bytes'] - d['files'][-1]['size']" \
	"d['params']['total'] == 300 * 1024 and d['params']['stacks'] is None"

note "re-running with the same parameters leaves the set alone"
touch "$ccb_tmp/mark"
expect_ok "$CCB" gen --stacks 7 --job-dirs 3 --box 48 --particles 5-40 --apix 1.25 --seed 5 "$set5"
grep -q "'$set5' already holds this generated set" "$ccb_tmp/err" ||
	fail "no 'already holds' message: $(cat "$ccb_tmp/err")"
[ -z "$(find "$set5" -newer "$ccb_tmp/mark")" ] || fail "the re-run rewrote files"

note "refusals"
expect_fail 1 "'$set5'.*other parameters" "$CCB" gen --stacks 7 --seed 6 "$set5"
[ -z "$(find "$set5" -newer "$ccb_tmp/mark")" ] || fail "a refused gen touched the set"
mkdir "$ccb_tmp/busy"
echo data >"$ccb_tmp/busy/notes.txt"
expect_fail 1 "'$ccb_tmp/busy'" "$CCB" gen --stacks 2 --box 32 "$ccb_tmp/busy"
[ "$(ls -A "$ccb_tmp/busy")" = notes.txt ] || fail "gen wrote into a folder it did not own"
expect_fail 1 "'$ccb_tmp/busy/notes.txt'" "$CCB" gen --stacks 2 "$ccb_tmp/busy/notes.txt"
# 1000 stacks of 1000 4096-pixel images: 64 TiB, planned in an instant and refused at once
expect_fail 1 "not enough free space for '$ccb_tmp/huge'" \
	"$CCB" gen --stacks 1000 --box 4096 --particles 1000 "$ccb_tmp/huge"
[ ! -e "$ccb_tmp/huge" ] || fail "gen created '$ccb_tmp/huge' for a set that does not fit"
expect_fail 2 "together" "$CCB" gen --stacks 2 --total 1M "$ccb_tmp/x"
# --total 0 is no "not given": refused, not 2 GiB written
expect_fail 2 "invalid size '0' for --total: expected at least 1 byte" "$CCB" gen --total 0 "$ccb_tmp/x"
[ ! -e "$ccb_tmp/x" ] || fail "gen --total 0 wrote '$ccb_tmp/x'"
expect_fail 2 "--particles" "$CCB" gen --particles 9-3 "$ccb_tmp/x"
expect_fail 2 "--mode" "$CCB" gen --mode 3 "$ccb_tmp/x"
[ ! -e "$ccb_tmp/x" ] || fail "a usage error created '$ccb_tmp/x'"

note "a failed write removes what gen created"
# Writes beyond RLIMIT_FSIZE fail with EFBIG once SIGXFSZ is ignored (and stays so over exec).
(
	trap '' XFSZ
	ulimit -f 200
	expect_fail 1 "cannot write .*\.part" "$CCB" gen --stacks 6 --box 128 --particles 5-10 \
		--threads 2 "$ccb_tmp/efbig"
) || exit 1
[ ! -e "$ccb_tmp/efbig" ] || fail "a failed gen left: $(find "$ccb_tmp/efbig")"

note "an interrupted gen leaves no partial stack under a real name"
"$CCB" gen --stacks 60 --box 96 --particles 40 --threads 1 "$ccb_tmp/killed" 2>/dev/null &
pid=$!
sleep 0.2
kill -KILL "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
"$PY" - "$ccb_tmp/killed" <<'PYEOF' || fail "a killed gen left a partial stack under a real name"
import os, sys, mrcfile
for d, _, names in os.walk(sys.argv[1]):
    for n in names:
        if n.endswith(".mrcs"):
            p = os.path.join(d, n)
            with mrcfile.open(p, header_only=True) as m:
                h = m.header
                if os.path.getsize(p) != 1024 + int(h.nx) * int(h.ny) * int(h.nz) * 4:
                    sys.exit("%s is partial" % p)
PYEOF
if [ ! -e "$ccb_tmp/killed/.cryocache-gen.json" ]; then
	expect_fail 1 "'$ccb_tmp/killed'" "$CCB" gen --stacks 60 --box 96 --particles 40 \
		"$ccb_tmp/killed"
fi

note "a job folder that turns out a symlink is refused, never written through"
# A folder gen makes below OUT may be replaced by a symlink before gen writes into it (someone
# else writes to OUT's parent too). Made deterministic with a preloaded mkdir/mkdirat that
# makes a symlink to elsewhere where gen asks for J<n>.
cc=${CC:-cc}
command -v "$cc" >/dev/null || skip "no C compiler for the preloaded mkdir"
cat >"$ccb_tmp/linkdir.c" <<'CEOF'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
static int is_job(const char *p)
{
	const char *b = strrchr(p, '/');

	b = b ? b + 1 : p;
	return b[0] == 'J' && b[1] >= '0' && b[1] <= '9' && !strchr(b, '/');
}
int mkdirat(int fd, const char *p, mode_t m)
{
	if (is_job(p))
		return symlinkat(getenv("LINK_TARGET"), fd, p);
	return (int)syscall(SYS_mkdirat, fd, p, m);
}
int mkdir(const char *p, mode_t m)
{
	return mkdirat(AT_FDCWD, p, m);
}
CEOF
"$cc" -shared -fPIC -o "$ccb_tmp/linkdir.so" "$ccb_tmp/linkdir.c" || fail "cannot build the preload"
mkdir "$ccb_tmp/elsewhere"
# Under AddressSanitizer the preload comes before ASan's runtime, which it refuses unless told.
expect_fail 1 "^cryocache-bench: cannot create 'J[0-9]+/extract' in '$ccb_tmp/linked': 'J[0-9]+' is a symbolic link, not followed\$" \
	env LD_PRELOAD="$ccb_tmp/linkdir.so" LINK_TARGET="$ccb_tmp/elsewhere" \
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	"$CCB" gen --stacks 3 --box 16 --particles 2 --job-dirs 1 -t 1 "$ccb_tmp/linked"
[ -z "$(ls -A "$ccb_tmp/elsewhere")" ] || fail "gen wrote through a symlink: $(ls -AR "$ccb_tmp/elsewhere")"
exit 0
