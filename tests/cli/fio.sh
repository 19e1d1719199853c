#!/bin/bash
# tests/cli/fio.sh - `fio SRC DST`: fio never writes into SRC (checksums and sizes before and after),
# results.json holds the reference (fio version, measurements, job files), the scratch directory
# is gone afterwards, and a missing fio is a clear message.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

# fio missing: a clear message, exit 1
expect_ok "$CCB" gen --stacks 3 --box 64 --particles 5-10 --seed 5 "$ccb_tmp/src"
mkdir "$ccb_tmp/dst"
expect_fail 1 "fio is not installed \(apt-get install fio\)" \
	"$CCB" fio --fio "$ccb_tmp/no-such-fio" "$ccb_tmp/src" "$ccb_tmp/dst"

command -v fio >/dev/null || skip "fio is not installed"
ccb_lock_if_root

# fio writes in DST and its results folder: neither may be in SRC, nor the file it writes to
# drop the page cache.
mkdir "$ccb_tmp/src/inner"
expect_fail 1 "destination '$ccb_tmp/src/inner' is inside the source '$ccb_tmp/src': fio would write into the data it measures" \
	"$CCB" fio "$ccb_tmp/src" "$ccb_tmp/src/inner"
expect_fail 1 "results folder '$ccb_tmp/src/inner/r' is inside the source" \
	"$CCB" fio --out "$ccb_tmp/src/inner/r" "$ccb_tmp/src" "$ccb_tmp/dst"
expect_fail 1 "--drop-caches-path '$ccb_tmp/src/inner/x' is inside the source" \
	"$CCB" fio --drop-caches-path "$ccb_tmp/src/inner/x" "$ccb_tmp/src" "$ccb_tmp/dst"
[ -z "$(ls -A "$ccb_tmp/src/inner")" ] || fail "a refused fio wrote into SRC: $(ls -A "$ccb_tmp/src/inner")"
rmdir "$ccb_tmp/src/inner"
# A set whose stacks are not multiples of the block size, and one smaller than a block: a fio
# job with a size would extend and overwrite exactly these.
(cd "$ccb_tmp/src" && find . -type f -exec sha256sum {} + | sort -k2) >"$ccb_tmp/before"
(cd "$ccb_tmp/src" && find . -type f -printf '%p %s\n' | sort) >"$ccb_tmp/sizes-before"

expect_ok "$CCB" fio --bs 64K --iodepth 4 --jobs 2 --ioengine psync --out "$ccb_tmp/r" \
	"$ccb_tmp/src" "$ccb_tmp/dst"
(cd "$ccb_tmp/src" && find . -type f -exec sha256sum {} + | sort -k2) >"$ccb_tmp/after"
(cd "$ccb_tmp/src" && find . -type f -printf '%p %s\n' | sort) >"$ccb_tmp/sizes-after"
cmp -s "$ccb_tmp/before" "$ccb_tmp/after" || { diff "$ccb_tmp/before" "$ccb_tmp/after"; fail "fio changed SRC"; }
cmp -s "$ccb_tmp/sizes-before" "$ccb_tmp/sizes-after" || fail "fio changed the sizes in SRC"
[ -z "$(ls -A "$ccb_tmp/dst")" ] || fail "the scratch directory was left in DST: $(ls -A "$ccb_tmp/dst")"
grep -q "copy-shaped ceiling: [0-9]* MB/s" "$ccb_tmp/out" || fail "no ceiling line: $(cat "$ccb_tmp/out")"

version=$(fio --version)
expect_json "$ccb_tmp/r/results.json" \
	"d['reference']['fio_version'] == '$version'" \
	"[m['name'] for m in d['reference']['measurements']] == ['read-1', 'read-n', 'write-1', 'write-n', 'copy-direct', 'copy-buffered']" \
	"all(m['mb_s'] > 0 for m in d['reference']['measurements'])" \
	"d['reference']['ceiling_mb_s'] == max(d['reference']['copy_direct_mb_s'], d['reference']['copy_buffered_mb_s'])" \
	"[m['jobs'] for m in d['reference']['measurements']] == [1, 2, 1, 2, 1, 1]" \
	"d['params']['ioengine'] == 'psync'" "d['params']['bs'] == 65536"
# every read job ran --readonly without a size, over SRC's files only; writes only into scratch
for j in "$ccb_tmp"/r/*-read.fio; do
	! grep -Eq '^(size|filesize|io_size|nrfiles)=' "$j" || fail "$j has a size"
	grep -q "^filename=$ccb_tmp/src/" "$j" || fail "$j does not read SRC"
done
for j in "$ccb_tmp"/r/*-write.fio; do
	grep '^filename=' "$j" | grep -qv "^filename=$ccb_tmp/dst/.cryocache-bench\." &&
		fail "$j writes outside the scratch directory"
	grep -q '^end_fsync=1$' "$j" || fail "$j does not end with fsync"
done
echo ok
