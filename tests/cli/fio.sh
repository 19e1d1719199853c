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
# A set whose stacks are not multiples of the block size, and one smaller than a block: a fio
# job with a size would extend and overwrite exactly these.
(cd "$ccb_tmp/src" && find . -type f -exec sha256sum {} + | sort -k2) >"$ccb_tmp/before"
(cd "$ccb_tmp/src" && find . -type f -printf '%p %s\n' | sort) >"$ccb_tmp/sizes-before"

expect_ok "$CCB" fio --bs 64K --iodepth 4 --numjobs 2 --ioengine psync --out "$ccb_tmp/r" \
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
