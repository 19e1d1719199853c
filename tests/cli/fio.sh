#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/fio.sh - `fio SRC DST`: fio never writes into SRC (checksums and sizes before and after),
# results.json holds the reference (fio version, measurements, job files) and what every
# results.json holds (host, tool, started, runs), a set read in less than --runtime is measured
# again time-based and one pass under a second is flagged short, `report` renders it, the scratch
# directory is gone afterwards, and a missing fio is a clear message.
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

expect_ok "$CCB" fio --bs 64K --iodepth 4 --numjobs 2 --ioengine psync --runtime 1 --out "$ccb_tmp/r" \
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
	"d['params']['ioengine'] == 'psync'" "d['params']['bs'] == 65536" \
	"d['reference']['runtime_s'] == 1" "d['reference']['bs'] == 65536" \
	"d['reference']['ioengine'] == 'psync'" "d['reference']['warnings'] == []" \
	"all(m['time_based'] for m in d['reference']['measurements'])" \
	"all(m['runtime_s'] >= 0.9 for m in d['reference']['measurements'])" \
	"d['runs'] == [] and d['warnings'] == []" "d['host']['hostname'] != ''" \
	"d['tool']['name'] == 'cryocache-bench'" "d['started'] <= d['finished']" \
	"d['source']['path'] == '$ccb_tmp/src' and d['source']['files'] == 3" \
	"d['destination']['path'] == '$ccb_tmp/dst'"
# the set takes a fraction of a second: every measurement ran again, time-based for 1 s
for j in "$ccb_tmp"/r/*-timed-*.fio; do
	grep -q '^time_based=1$' "$j" && grep -q '^runtime=1$' "$j" || fail "$j is not time-based for 1 s"
	grep -q '^invalidate=1$' "$j" || fail "$j does not drop the pages of the files it opens"
done
[ "$(ls "$ccb_tmp"/r/*-timed-*.fio | wc -l)" = 8 ] || fail "not every measurement ran time-based: $(ls "$ccb_tmp/r")"
grep -q '^fsync_on_close=1$' "$ccb_tmp/r/write-1-timed-write.fio" || fail "a time-based write does not fsync each pass"
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

note "report renders fio's results.json"
expect_ok "$CCB" report --no-plots "$ccb_tmp/r"
grep -q "^## fio's reference" "$ccb_tmp/r/report.md" || fail "report.md has no fio section"
for m in read-1 read-n write-1 write-n copy-direct copy-buffered; do
	grep -q "^| $m | " "$ccb_tmp/r/report.md" || fail "report.md lacks fio's $m"
	grep -q "<td>$m</td>" "$ccb_tmp/r/report.html" || fail "report.html lacks fio's $m"
done
grep -q '\*\*time-based, the ceiling\*\*' "$ccb_tmp/r/report.md" || fail "report.md does not mark the ceiling"
grep -q "^fio's reference for 3 files" "$ccb_tmp/r/report.md" || fail "report.md does not say what fio measured"
grep -q 'No runs' "$ccb_tmp/r/report.md" && fail "report.md of fio's results shows empty run tables"
grep -q "$(hostname)" "$ccb_tmp/r/report.md" || fail "report.md does not name the host"
xmllint --noout "$ccb_tmp/r/report.html" 2>/dev/null || ! command -v xmllint >/dev/null ||
	fail "report.html of fio's results is not well-formed"

note "--runtime 0: one pass each, flagged short when under a second"
expect_ok "$CCB" fio --bs 64K --iodepth 4 --numjobs 1 --ioengine psync --runtime 0 --out "$ccb_tmp/r0" \
	"$ccb_tmp/src" "$ccb_tmp/dst"
expect_json "$ccb_tmp/r0/results.json" \
	"not any(m['time_based'] for m in d['reference']['measurements'])" \
	"len(d['reference']['warnings']) == sum(m['runtime_s'] < 1 for m in d['reference']['measurements'])" \
	"all('too short to measure reliably' in w for w in d['reference']['warnings'])"
! ls "$ccb_tmp"/r0/*-timed-* >/dev/null 2>&1 || fail "--runtime 0 ran time-based jobs"
grep -q "warning: fio's read-1 lasted .* too short" "$ccb_tmp/err" || fail "no warning on the terminal: $(cat "$ccb_tmp/err")"
expect_ok "$CCB" report --no-plots "$ccb_tmp/r0"
grep -q "^- fio's read-1 lasted [0-9.]* s: too short to measure reliably" "$ccb_tmp/r0/report.md" ||
	fail "report.md does not list the short measurement"
grep -q '^| read-1 | read SRC | 1 | buffered | [0-9.]* | 0\.[0-9]* | one pass, short |$' "$ccb_tmp/r0/report.md" ||
	fail "report.md does not flag read-1 short"
echo ok
