#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/results_links.sh - a results folder given with --out may hold what someone else put
# there: symlinks out of it where run, report and fio write (samples/, plots/, their files, fio's
# job files). Nothing is written through them: each file is made anew in the folder, a symlinked
# subfolder is refused with a message, and the files the symlinks point to stay as they were.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
ccb_lock_if_root
ccb_make_set --stacks 2 --box 32 --particles 2
[ -n "${CCB_REPORTS_DIR:-}" ] || CCB_REPORTS_DIR=$CCB_SRCDIR/reports
export CCB_REPORTS_DIR
outside=$ccb_tmp/outside
mkdir "$outside"
printf 'VICTIM\n' >"$ccb_tmp/victim"

# untouched: nothing was written to the victim file or into the outside folder.
untouched() {
	[ "$(cat "$ccb_tmp/victim")" = VICTIM ] || fail "$1: the file a symlink points to was written"
	[ -z "$(ls -A "$outside")" ] || fail "$1: written outside the results folder: $(ls -A "$outside")"
}

# A folder with planted links and no results.json is not a results folder: refused whole, before
# anything is written (the links below are then checked where a results folder is reused).
note "run --out: samples/ a symlink out of the folder"
out=$ccb_tmp/r1
mkdir "$out"
ln -s "$outside" "$out/samples"
expect_fail 1 "results folder '$out' is not empty" \
	"$CCB" run --repeats 1 --quiet --out "$out" "$src" "$dst"
untouched "samples/ symlink"

note "run --out: samples/run-1.json a symlink to another file"
out=$ccb_tmp/r2
mkdir -p "$out/samples"
ln -s "$ccb_tmp/victim" "$out/samples/run-1.json"
expect_fail 1 "results folder '$out' is not empty" \
	"$CCB" run --repeats 1 --quiet --out "$out" "$src" "$dst"
untouched "samples/run-1.json symlink"
out=$ccb_tmp/r3
expect_ok "$CCB" run --repeats 1 --quiet --out "$out" "$src" "$dst"

if command -v gnuplot >/dev/null; then
	note "report: plots/ a symlink out of the folder"
	rm -rf "$out/report."* "$out/plots"
	ln -s "$outside" "$out/plots"
	expect_ok "$CCB" report "$out"
	untouched "plots/ symlink"
	grep -q "'plots' is a symbolic link, not followed" "$out/report.md" ||
		fail "report.md does not say why there are no plots"

	note "report: the files of plots/ symlinks to another file"
	rm "$out/plots"
	mkdir "$out/plots"
	for f in throughput.dat throughput.svg run-1.dat run-1.svg run-1.png gnuplot.log; do
		ln -s "$ccb_tmp/victim" "$out/plots/$f"
	done
	expect_ok "$CCB" report "$out"
	untouched "plots/* symlinks"
	for f in run-1.dat run-1.svg run-1.png; do
		[ -f "$out/plots/$f" ] && [ ! -L "$out/plots/$f" ] || fail "plots/$f is not a file of its own"
	done
	[ -z "$(find "$out/plots" -name '.gnuplot*')" ] || fail "report left its work folder in plots/"
else
	note "gnuplot is missing: the plots/ cases are not run"
fi

if command -v fio >/dev/null; then
	note "fio --out: job files and outputs symlinks to another file"
	out=$ccb_tmp/f1
	mkdir "$out"
	for f in read-1-read.fio read-1-read.json write-1-write.fio; do
		ln -s "$ccb_tmp/victim" "$out/$f"
	done
	expect_fail 1 "results folder '$out' is not empty" \
		"$CCB" fio --bs 4K --iodepth 4 --numjobs 1 --ioengine psync --out "$out" "$src" "$dst"
	untouched "fio's files"

	note "sweep --reference --out: reference/ a symlink out of the folder"
	out=$ccb_tmp/s1
	mkdir "$out"
	ln -s "$outside" "$out/reference"
	expect_fail 1 "results folder '$out' is not empty" \
		"$CCB" sweep --reference -s shutil --threads 1 --repeats 1 --quiet --no-plots \
		--out "$out" "$src" "$dst"
	untouched "reference/ symlink"
else
	note "fio is missing: its cases are not run"
fi
exit 0
